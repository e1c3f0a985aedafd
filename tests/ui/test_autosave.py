"""Autosave ownership and orphans: a lock (not a process id) says whose an autosave is, every
orphan is offered in turn and only what the user discards is deleted, an autosave this gdviz
cannot read is offered and kept, and temporaries of killed writes are cleaned at the next start.
Other processes are real subprocesses (XDG_DATA_HOME points them at the test's folder); the PID
namespace case runs in a real one (`unshare`) where the system allows it."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gdviz.model.autosaves import FileLock, lock_path
from gdviz.model.session import Session, load_session, save_session
from gdviz.ui.documents import Offer, orphaned_autosaves

from .conftest import RESULT_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
RUN_ID = "0123456789abcdef0123456789abcdef"       # the shape of this gdviz's run ids
killing = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _env(data: Path) -> dict[str, str]:
    return dict(os.environ, XDG_DATA_HOME=str(data), QT_QPA_PLATFORM="offscreen")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(10)
    return child.pid


def _orphan(folder: Path, name: str, h: float, modified: float | None = None, document: str | None = None) -> Path:
    """An autosave as a killed gdviz leaves it (h tells them apart)."""
    from gdviz.model.scene import Scene
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    save_session(Session(Scene().with_(h=h), {"tab": "flow", "autosave": {"pid": 1, "document": document}}), path)
    if modified is not None:
        os.utime(path, (modified, modified))
    return path


class Answers:
    """Stands in for the restore box: records each offer and gives the next answer."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.offers: list[Offer] = []

    def __call__(self, offer: Offer) -> str:
        self.offers.append(offer)
        return self.answers.pop(0)

    @property
    def paths(self) -> list[Path]:
        return [o.orphan.path for o in self.offers]


def _start(window, folder: Path, *answers: str) -> tuple[Answers, bool]:
    """What the app does at start: autosave on, then the orphans offered."""
    docs = window.documents
    docs.enable_autosave(folder)
    docs.ask_restore = Answers(*answers)
    return docs.ask_restore, docs.offer_restore()


# ------------------------------------------------------------------------- who owns a file
def test_an_old_autosave_with_our_own_pid_is_a_former_runs(tmp_path):
    # In a PID namespace every run is PID 1: a crashed run's autosave-1.gdviz has "our" PID.
    ours = _orphan(tmp_path, f"autosave-{os.getpid()}.gdviz", 0.125)
    dead = _orphan(tmp_path, f"autosave-{_dead_pid()}.gdviz", 0.25)
    alive = _orphan(tmp_path, f"autosave-{os.getppid()}.gdviz", 0.5)    # an old gdviz still running
    assert sorted(o.path for o in orphaned_autosaves(tmp_path)) == sorted([ours, dead])
    assert alive.exists()


def test_an_autosave_is_an_orphan_exactly_when_nobody_holds_its_lock(tmp_path):
    path = _orphan(tmp_path, f"autosave-{RUN_ID}.gdviz", 0.125)
    held = FileLock.acquire(lock_path(path))          # its writer (here: this process) is alive
    assert held is not None
    assert orphaned_autosaves(tmp_path) == []
    held.release()                                    # ... and now gone, as when it is killed
    [orphan] = orphaned_autosaves(tmp_path)
    assert orphan.path == path and orphan.session.scene.h == 0.125 and orphan.problem is None


def test_two_windows_never_share_an_autosave(window, qtbot, tmp_path):
    from gdviz.ui.main_window import MainWindow
    other = MainWindow()
    qtbot.addWidget(other, before_close_func=lambda w: w.shutdown())
    for w in (window, other):
        w.documents.enable_autosave(tmp_path)
        w.flow.edit({"h": 0.375}, "h")
        w.documents.autosave_now()
    assert window.documents.autosave_path != other.documents.autosave_path
    assert window.documents.autosave_path.is_file() and other.documents.autosave_path.is_file()
    assert orphaned_autosaves(tmp_path) == []         # both alive: neither offers the other's
    other.close()
    assert not other.documents.autosave_path.exists() and window.documents.autosave_path.is_file()


CHILD = textwrap.dedent("""
    import json, os, sys
    from gdviz.app import qt_application
    app = qt_application()
    from gdviz.ui.main_window import MainWindow
    w = MainWindow()
    docs = w.documents
    docs.enable_autosave()
    mode = sys.argv[1]
    offered = []
    if mode == "start":                   # a new run: what is offered, then work of its own
        docs.ask_restore = lambda offer: offered.append(str(offer.orphan.path)) or "keep"
        docs.offer_restore()
    w.set_scenes({"flow": w.flow.scene.with_(h=float(sys.argv[2]))})
    while not docs.autosave_path.is_file():
        app.processEvents()
    print(json.dumps({"pid": os.getpid(), "path": str(docs.autosave_path), "offered": offered}), flush=True)
    if mode == "crash":
        os._exit(3)                       # dies without cleaning up (PID 1 of a namespace ignores kill)
    if mode == "hold":
        while True:
            app.processEvents()
    w.close()
""")


def _run(args: list[str], data: Path, mode: str, h: float) -> dict:
    done = subprocess.run([*args, sys.executable, "-c", CHILD, mode, str(h)], env=_env(data), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout, done.stderr
    return json.loads(done.stdout.splitlines()[0])


def _pid_namespace() -> list[str] | None:
    """A command prefix that runs a program as PID 1 of a new PID namespace, if allowed here."""
    command = ["unshare", "--user", "--map-root-user", "--pid", "--fork"]
    if shutil.which("unshare") is None:
        return None
    try:
        probe = subprocess.run([*command, sys.executable, "-c", "import os; print(os.getpid())"],
                               capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return command if probe.returncode == 0 and probe.stdout.strip() == "1" else None


def test_in_a_pid_namespace_the_crashed_runs_work_is_offered_not_overwritten(tmp_path):
    namespace = _pid_namespace()
    if namespace is None:
        pytest.skip("no unprivileged PID namespaces here")
    crashed = _run(namespace, tmp_path, "crash", 0.0625)
    after = _run(namespace, tmp_path, "start", 0.25)
    assert crashed["pid"] == after["pid"] == 1                     # the same PID, two runs
    assert after["offered"] == [crashed["path"]]
    assert after["path"] != crashed["path"]
    assert load_session(Path(crashed["path"])).scene.h == 0.0625   # still the crashed run's work


@killing
def test_a_running_gdviz_keeps_its_autosave_and_a_killed_ones_is_offered(window, qtbot, tmp_path):
    child = subprocess.Popen([sys.executable, "-c", CHILD, "hold", "0.0625"], env=_env(tmp_path),
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        theirs = Path(json.loads(child.stdout.readline())["path"])
        folder = theirs.parent
        answers, restored = _start(window, folder)                # alive: nothing to ask about
        assert answers.offers == [] and not restored
        assert orphaned_autosaves(folder) == []
        assert load_session(theirs).scene.h == 0.0625
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    answers, restored = _start(window, folder, "restore")
    assert answers.paths == [theirs] and restored
    qtbot.waitUntil(lambda: window.flow.scene.h == 0.0625, timeout=RESULT_TIMEOUT)
    assert not theirs.exists() and not lock_path(theirs).exists()


def test_an_orphan_another_gdviz_is_offering_is_left_to_it(window, tmp_path):
    path = _orphan(tmp_path, f"autosave-{RUN_ID}.gdviz", 0.125)
    other = FileLock.acquire(lock_path(path))        # as `claim` in another gdviz starting now
    answers, _ = _start(window, tmp_path)
    assert answers.offers == [] and path.exists()
    other.release()


# ------------------------------------------------------------------------------- offering
def test_every_orphan_is_offered_newest_first_and_only_discarded_ones_go(window, qtbot, tmp_path):
    now = time.time()
    older = _orphan(tmp_path, f"autosave-{'a' * 32}.gdviz", 0.25, now - 600)
    newest = _orphan(tmp_path, f"autosave-{'b' * 32}.gdviz", 0.125, now - 60)
    oldest = _orphan(tmp_path, f"autosave-{_dead_pid()}.gdviz", 0.5, now - 6000)
    answers, restored = _start(window, tmp_path, "discard", "restore", "keep")
    assert answers.paths == [newest, older, oldest]
    assert [(o.number, o.count, o.can_restore) for o in answers.offers] == [(1, 3, True), (2, 3, True),
                                                                              (3, 3, False)]
    assert restored and window.flow.scene.h == 0.25 and window.documents.dirty
    assert not newest.exists() and not older.exists()             # discarded; restored (now ours)
    assert load_session(oldest).scene.h == 0.5                     # kept, whole
    qtbot.waitUntil(lambda: window.documents.autosave_path.is_file(), timeout=5000)
    assert load_session(window.documents.autosave_path).scene.h == 0.25
    # the next start offers the kept one again (and not this window's own autosave)
    answers, _ = _start(window, tmp_path, "keep")
    assert answers.paths == [oldest]


def test_an_autosave_this_gdviz_cannot_read_is_offered_and_kept(window, tmp_path):
    newer = tmp_path / f"autosave-{'c' * 32}.gdviz"
    newer.write_text(json.dumps({"format": "gdviz-session", "version": 99, "scene": {}}))
    junk = tmp_path / f"autosave-{_dead_pid()}.gdviz"
    junk.write_text("{ not json")
    found = {o.path: o for o in orphaned_autosaves(tmp_path)}
    assert set(found) == {newer, junk} and newer.exists() and junk.exists()
    assert found[newer].session is None and "newer gdviz" in found[newer].problem
    answers, restored = _start(window, tmp_path, "restore", "keep")     # "restore" cannot apply
    assert set(answers.paths) == {newer, junk} and not restored
    assert newer.exists() and junk.exists()                            # nothing deleted unasked
    answers, _ = _start(window, tmp_path, "discard", "discard")         # asked, and discarded
    assert not newer.exists() and not junk.exists()


def _answer_boxes(buttons: list[str], seen: list[tuple]) -> None:
    """Answer each restore box as it comes up: click the named button, or "escape" (reject)."""
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox) or not box.isVisible() or any(s[0] is box for s in seen):
        QTimer.singleShot(10, lambda: _answer_boxes(buttons, seen))
        return
    seen.append((box, box.windowTitle(), box.text(), box.informativeText(), box.textFormat(),
                 [b.text() for b in box.buttons()]))
    button = buttons.pop(0)
    if button == "escape":
        box.reject()
    else:
        next(b for b in box.buttons() if b.text() == button).click()
    if buttons:
        QTimer.singleShot(10, lambda: _answer_boxes(buttons, seen))


def test_the_restore_box_names_the_work_as_plain_text_and_escape_keeps_it(window, tmp_path):
    name = "<img width=3000 height=2000 src=x>.gdviz"
    path = _orphan(tmp_path, f"autosave-{RUN_ID}.gdviz", 0.125, document=str(tmp_path / name))
    unreadable = tmp_path / f"autosave-{'d' * 32}.gdviz"
    unreadable.write_text(json.dumps({"format": "gdviz-session", "version": 99, "scene": {}}))
    os.utime(unreadable, (time.time() - 60, time.time() - 60))
    window.documents.enable_autosave(tmp_path)
    seen: list[tuple] = []
    QTimer.singleShot(0, lambda: _answer_boxes(["escape", "Keep for later"], seen))
    assert not window.documents.offer_restore()
    (_, title, text, _, text_format, buttons), (_, _, text2, info2, _, buttons2) = seen
    assert "(1 of 2)" in title and f"“{name}”" in text and text_format == Qt.TextFormat.PlainText
    assert buttons == ["Restore", "Keep for later", "Discard"]
    assert "cannot open it" in text2 and "newer gdviz" in info2 and "Restore" not in buttons2
    assert path.exists() and unreadable.exists()


# ------------------------------------------------------------------------ leftovers of kills
def test_the_next_start_deletes_temporaries_whose_writer_is_gone(window, tmp_path):
    def temporary(target: str, age: float = 0) -> Path:
        path = tmp_path / f".{target}.{os.urandom(6).hex()}.tmp"
        path.write_text("half a sess")
        os.utime(path, (time.time() - age, time.time() - age))
        return path
    # A run killed mid-write: its temporary's own lock died with it (model/files.py).
    code = ("import os, sys; from gdviz.model.files import PendingFile; "
            "p = PendingFile(sys.argv[1]); print(p.temporary, flush=True); os._exit(0)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / f"autosave-{'e' * 32}.gdviz")],
                          capture_output=True, text=True, check=True)
    killed = Path(done.stdout.strip())
    assert killed.exists()
    from gdviz.model.files import PendingFile
    writing = PendingFile(tmp_path / f"autosave-{'f' * 32}.gdviz")     # a write in progress right now
    old_style = temporary(f"autosave-{_dead_pid()}.gdviz")            # an older gdviz's: by age only
    ancient = temporary("notes.txt", age=2 * 3600)
    idle_lock = lock_path(tmp_path / f"autosave-{'9' * 32}.gdviz")    # a run killed with nothing unsaved
    idle_lock.touch()
    _start(window, tmp_path)
    assert not killed.exists() and not ancient.exists() and not idle_lock.exists()
    assert Path(writing.temporary).exists() and old_style.exists()
    writing.discard()


FAULT_CHILD = textwrap.dedent("""
    import random, sys
    from gdviz.app import qt_application
    app = qt_application()
    from gdviz.model.session import Session
    from gdviz.ui.main_window import MainWindow
    w = MainWindow()
    docs = w.documents
    docs.enable_autosave()
    w.flow.edit({"h": 0.25}, "h")                 # unsaved work: every autosave_now writes
    scene = w.flow.scene
    rng = random.Random(int(sys.argv[1]))

    def session():                                # sizes vary, so a torn file would not read
        n = rng.randrange(0, 200_000)
        return Session(scene, {"tab": "flow", "n": n, "pad": "x" * n})
    w.session = session
    docs.autosave_now()
    print(docs.autosave_path, flush=True)
    while True:
        docs.autosave_now()
        print("written", flush=True)
""")


def _kill_while_autosaving(data: Path, seed: int) -> Path:
    rng = random.Random(seed)
    child = subprocess.Popen([sys.executable, "-c", FAULT_CHILD, str(seed)], env=_env(data),
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        autosave = Path(child.stdout.readline().strip())
        for _ in range(rng.randrange(30)):
            child.stdout.readline()
        time.sleep(rng.uniform(0, 0.004))        # a random moment inside the next write
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    return autosave


def _fault_trials(window, tmp_path, trials: int) -> None:
    for trial in range(trials):
        autosave = _kill_while_autosaving(tmp_path / str(trial), seed=trial)
        saved = load_session(autosave)                                 # whole: it reads
        assert saved.view["n"] == len(saved.view["pad"])
        answers, _ = _start(window, autosave.parent, "discard")
        assert answers.paths == [autosave]
        assert sorted(p.name for p in autosave.parent.iterdir()) == [], f"trial {trial}"   # no temporary


@killing
def test_autosave_killed_at_random_moments_stays_whole_and_is_offered(window, tmp_path):
    _fault_trials(window, tmp_path, 5)


@killing
@pytest.mark.slow
def test_autosave_killed_at_random_moments_100_times(window, tmp_path):
    _fault_trials(window, tmp_path, 100)
