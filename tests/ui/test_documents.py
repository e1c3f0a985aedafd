"""Sessions in the window: save/open round-trips every tab, the title shows the file and its
unsaved mark, bad files change nothing, saves are atomic, undo/redo spans the tabs, recent files,
and the autosave that brings work back after a killed process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from gdviz.model.momentum import MomentumScene
from gdviz.model.scene import Scene
from gdviz.model.scene2d import Scene2D
from gdviz.model.session import load_session
from gdviz.ui.documents import orphaned_autosaves
from tests.model.test_session import CORPUS

from .conftest import RESULT_TIMEOUT

SCENE = Scene(text="a*x - x^3", kind="f", direction="ascent", h=0.05, x0=0.3, steps=40, x_range=(-2.0, 2.0),
              params=(("a", 1.5),), compare_h=(0.5, 0.1), error_t=3.0, h_range=(0.1, 2.0),
              orbit_h_count=300, orbit_transient=50, orbit_kept=40)
PLANE = Scene2D(text="x^2 + 3y^2", starts=((1.0, 1.0), (-1.5, 0.5)), optimizers=("GD", "Adam"), lr=0.02,
                steps=30, beta1=0.8, x_range=(-2.0, 2.0), y_range=(-1.5, 1.5), field=True)
MOMENTUM = MomentumScene(text="x^2/2", x0=1.0, v0=0.5, lr=0.04, momentum=0.8, steps=100,
                         x_range=(-3.0, 3.0), v_range=(-3.0, 3.0), portrait=False)


def _fill(window, qtbot) -> None:
    """Every tab with a non-default scene; ends on the lab tab."""
    with qtbot.waitSignal(window.result_shown, timeout=RESULT_TIMEOUT):
        window.set_scenes({"flow": SCENE})
    with qtbot.waitSignal(window.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        window.set_scenes({"2d": PLANE})
    with qtbot.waitSignal(window.pages["momentum"].job.shown, timeout=RESULT_TIMEOUT):
        window.set_scenes({"momentum": MOMENTUM})
    window.show_view("lab")


def _screen(window) -> tuple:
    """What the user sees that a bad file must not change."""
    return (window.state(), window.tabs.currentIndex(), window.editor.field.text(), window.windowTitle(),
            window.documents.path)


def test_save_then_open_round_trips_every_tab(window, qtbot, tmp_path):
    _fill(window, qtbot)
    path = tmp_path / "class.gdviz"
    assert window.documents.save_to(path) is None
    saved = load_session(path)
    assert (saved.scene, saved.plane, saved.momentum) == (SCENE, PLANE, MOMENTUM)
    assert saved.view["tab"] == "lab"

    from gdviz.ui.main_window import MainWindow
    other = MainWindow()
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.result_shown, timeout=RESULT_TIMEOUT):
        assert other.documents.open_path(path) is None
    assert other.state() == (SCENE, PLANE, MOMENTUM)
    assert other.tabs.currentIndex() == window.tabs.currentIndex()
    assert other.flow.result.scene.text == SCENE.text
    assert not other.documents.dirty and other.documents.path == path.resolve()
    other.show_view("2d")
    with qtbot.waitSignal(other.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        other.pages["2d"].wait_drawn()
    assert other.pages["2d"].widget().result.scene == PLANE
    other.close()


def test_the_title_shows_the_file_and_an_unsaved_mark(window, qtbot, tmp_path):
    assert not window.isWindowModified()
    window.flow.edit({"h": 0.25}, "h")
    assert window.documents.dirty and window.isWindowModified()
    assert "[*]" in window.windowTitle()
    path = tmp_path / "lesson one.gdviz"
    window.documents.save_to(path)
    assert window.windowTitle() == "lesson one.gdviz[*] — gdviz" and not window.isWindowModified()
    window.flow.edit({"h": 0.5}, "h")
    assert window.isWindowModified()
    window.undo()                                  # back to what was saved: clean again
    assert not window.isWindowModified()


def test_a_name_without_the_suffix_gets_it(window, tmp_path):
    assert window.documents.save_to(tmp_path / "plain") is None
    assert (tmp_path / "plain.gdviz").is_file() and window.documents.path.name == "plain.gdviz"


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_bad_file_gives_the_message_and_changes_nothing(window, qtbot, tmp_path, name):
    text, *fragments = CORPUS[name]
    path = tmp_path / "bad.gdviz"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    before = _screen(window)
    message = window.documents.open_path(path)
    assert message is not None and message.startswith("bad.gdviz: ")
    for fragment in fragments:
        assert fragment in message
    assert _screen(window) == before
    assert window.status_label.text() == message        # said where the user looks


def test_a_50_megabyte_file_changes_nothing(window, tmp_path):
    path = tmp_path / "huge.gdviz"
    with open(path, "wb") as f:
        f.truncate(50 << 20)
    before = _screen(window)
    assert "too large" in window.documents.open_path(path)
    assert _screen(window) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
def test_random_bytes_never_change_the_screen(window, tmp_path, data):
    path = tmp_path / "random.gdviz"
    path.write_bytes(data)
    before = _screen(window)
    if window.documents.open_path(path) is not None:
        assert _screen(window) == before


def test_an_interrupted_save_leaves_the_old_file_intact(window, tmp_path, monkeypatch):
    path = tmp_path / "keep.gdviz"
    window.documents.save_to(path)
    old = path.read_bytes()
    window.flow.edit({"h": 0.7}, "h")

    def power_cut(source, target):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", power_cut)
    message = window.documents.save_to(path)
    assert message is not None and "No space left" in message
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.gdviz"]     # no temporary left behind
    assert window.documents.dirty                                          # the work is still unsaved


def test_an_equation_with_an_error_saves_the_last_one_that_worked(window, qtbot, tmp_path):
    good = window.flow.scene.text
    with qtbot.waitSignal(window.flow.failed, timeout=RESULT_TIMEOUT):
        window.editor.field.setText("x^2 + (")
        window.editor.commit()
    path = tmp_path / "draft.gdviz"
    assert window.documents.save_to(path) is None
    assert load_session(path).scene.text == good
    assert "has an error" in window.status_label.text()
    assert window.documents.dirty                      # the field still differs from the file


def test_undo_and_redo_walk_through_edits_on_every_tab(window, qtbot):
    first = window.state()
    window.flow.edit({"h": 0.2}, "h")
    window.pages["2d"].edit({"lr": 0.01})
    window.pages["momentum"].widget()                                   # the tab is built (its default scene appears)
    window.pages["momentum"].edit({"lr": 0.09})
    after = window.state()
    assert after.scene.h == 0.2 and after.plane.lr == 0.01 and after.momentum.lr == 0.09
    window.undo()
    assert window.state().momentum.lr != 0.09 and window.state().plane.lr == 0.01
    window.undo()
    assert window.state().plane.lr == Scene2D().lr and window.flow.scene.h == 0.2
    window.undo()
    assert window.state().scene == first.scene
    window.redo()
    window.redo()
    window.redo()
    assert window.state() == after
    # and the keys
    window.flow.function_canvas.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.state().momentum.lr != 0.09
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.state() == after


def test_new_session_and_recent_files(window, qtbot, tmp_path):
    path = tmp_path / "recent.gdviz"
    window.flow.edit({"h": 0.3}, "h")
    window.documents.save_to(path)
    assert window.documents.recent_files()[0] == str(path.resolve())
    window.documents.new()
    assert window.documents.path is None and window.flow.scene.h != 0.3 and not window.documents.dirty
    window.documents.open_dialog(str(path))               # what Open recent calls
    assert window.flow.scene.h == 0.3
    path.unlink()
    window.documents.open_path(path)
    window.documents._forget(str(path.resolve()))
    assert str(path.resolve()) not in window.documents.recent_files()


def test_closing_with_unsaved_work_asks_first(window, qtbot):
    docs = window.documents
    docs.prompt_on_close = True
    window.flow.edit({"h": 0.4}, "h")
    docs.ask_save = lambda: "cancel"
    window.close()
    assert window.isVisible() and not window._closed
    docs.ask_save = lambda: "discard"
    window.close()
    assert window._closed


def test_autosave_follows_the_unsaved_work(window, qtbot, tmp_path):
    docs = window.documents
    docs.enable_autosave(tmp_path)
    assert not any(tmp_path.iterdir())                   # nothing unsaved, nothing written
    window.flow.edit({"h": 0.125}, "h")
    qtbot.waitUntil(lambda: docs.autosave_path.is_file(), timeout=5000)
    saved = load_session(docs.autosave_path)
    assert saved.scene.h == 0.125 and saved.view["autosave"]["pid"] == os.getpid()
    assert orphaned_autosaves(tmp_path) == []            # this process is alive: not an orphan
    docs.save_to(tmp_path / "work.gdviz")
    assert not docs.autosave_path.exists()               # saved: nothing left to restore
    window.flow.edit({"h": 0.25}, "h")
    qtbot.waitUntil(lambda: docs.autosave_path.is_file(), timeout=5000)
    window.close()
    assert not docs.autosave_path.exists()               # a clean exit leaves nothing


CHILD = textwrap.dedent("""
    import sys
    from gdviz.app import qt_application
    app = qt_application()
    from gdviz.ui.main_window import MainWindow
    w = MainWindow()
    w.documents.enable_autosave()
    w.set_scenes({"flow": w.flow.scene.with_(h=0.0625, x0=0.375)})
    w.set_scenes({"2d": w.pages["2d"].scene.with_(lr=0.0125)})
    while not w.documents.autosave_path.is_file():
        app.processEvents()
    print(w.documents.autosave_path, flush=True)
    while True:
        app.processEvents()
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_work_comes_back_after_the_process_is_killed(window, qtbot, tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    try:
        autosave = Path(child.stdout.readline().strip())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert autosave.is_file() and autosave.parent == tmp_path / "gdviz" / "autosave"
    orphans = orphaned_autosaves(autosave.parent)
    assert [o.path for o in orphans] == [autosave]
    with qtbot.waitSignal(window.result_shown, timeout=RESULT_TIMEOUT):
        window.documents.restore(orphans[0])
    assert window.flow.scene.h == 0.0625 and window.flow.scene.x0 == 0.375 and window.pages["2d"].scene.lr == 0.0125
    assert window.documents.dirty and window.isWindowModified()   # restored, not yet saved
    assert not autosave.exists()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(10)
    return child.pid


def test_the_next_start_offers_the_orphan_and_restores_it(window, qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from gdviz.model.session import Session, save_session
    orphan = tmp_path / f"autosave-{_dead_pid()}.gdviz"
    save_session(Session(window.flow.scene.with_(h=0.03125), {"tab": "flow", "autosave": {"document": None}}), orphan)
    window.documents.enable_autosave(tmp_path)
    answers = []

    def answer(button: str) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            answers.append(box.text())
            next(b for b in box.buttons() if b.text() == button).click()
        else:
            QTimer.singleShot(20, lambda: answer(button))
    from PySide6.QtCore import QTimer
    QTimer.singleShot(0, lambda: answer("Restore"))
    assert window.documents.offer_restore()
    assert "closed unexpectedly" in answers[0]
    assert window.flow.scene.h == 0.03125 and window.documents.dirty and not orphan.exists()
    qtbot.waitUntil(lambda: window.documents.autosave_path.is_file(), timeout=5000)   # safe again at once

    second = tmp_path / f"autosave-{_dead_pid()}.gdviz"
    save_session(Session(window.flow.scene.with_(h=0.5)), second)
    QTimer.singleShot(0, lambda: answer("Discard"))
    assert not window.documents.offer_restore()
    assert not second.exists() and window.flow.scene.h == 0.03125
