"""What a headless run does to the files it writes (issue 12, items 1, 2, 3 and 9): all outputs of
a run are committed together or not at all, an output that is not a regular file is refused before
anything is computed (a character device is written in place), symlinks are followed, modes kept,
read-only files refused, and session and lesson paths must be regular files. Every failure is exit
2 and one sentence: never a traceback, a signal or a hang."""
from __future__ import annotations

import contextlib
import io
import os
import socket
import stat
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.app import EXIT_USAGE, main
from tests.devices import private_null_device

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# A failure injected into one writer of the run, in a subprocess (a crash must not take pytest
# down). GDVIZ_FAIL picks it: the PNG writer answering False (as Qt's writers do), a full disk when
# the GIF is written, or when the SVG is.
INJECT = textwrap.dedent("""
    import errno, os, sys
    fail = os.environ.get("GDVIZ_FAIL", "")
    if fail == "png":
        from PySide6.QtGui import QImage
        QImage.save = lambda self, *args, **kwargs: False
    elif fail in ("gif", "svg"):
        import gdviz.ui.exports as exports
        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if fail == "gif":
            exports.GifWriter.finish = full
        else:
            exports.portable_svg = lambda text, size: "<svg>" + "x" * 1000
            import pathlib
            pathlib.Path.write_text = full
    from gdviz.app import main
    sys.exit(main(sys.argv[1:]))
""")


def run(tmp_path, *args: str, fail: str = "", timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "GDVIZ_FAIL": fail}
    return subprocess.run([sys.executable, "-c", INJECT, *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=tmp_path)


def one_sentence(stderr: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdviz: "), stderr
    assert "Traceback" not in stderr and "Error:" not in stderr


def listing(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def outputs(tmp_path):
    """A folder with old outputs in it, whose bytes must survive any failed run."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("o.csv", "o.png", "o.svg", "o.gif"):
        (out / name).write_bytes(f"old {name}".encode())
    return out


# ------------------------------------------------------------ item 1: all outputs or none
@pytest.mark.parametrize("args, fail", [
    (["--preset", "logistic", "--csv", "{o}/o.csv", "--export", "{o}/o.png"], "png"),          # 1-D
    (["--F", "x^2 + 3y^2", "--x0", "1,1", "--steps", "5", "--csv", "{o}/o.csv",
      "--export", "{o}/o.png", "--svg", "{o}/o.svg"], "svg"),                                     # 2-D
    (["--view", "lab", "--steps", "5", "--csv", "{o}/o.csv", "--export", "{o}/o.png"], "png"),   # lab
    (["--steps", "4", "--csv", "{o}/o.csv", "--export", "{o}/o.png", "--svg", "{o}/o.svg",
      "--gif", "{o}/o.gif", "--frames", "3"], "gif"),                                             # CSV then GIF
], ids=["1d-png", "2d-svg", "lab-png", "csv-png-svg-then-gif"])
def test_a_failing_output_leaves_every_target_as_it_was(tmp_path, outputs, args, fail):
    before = listing(outputs)
    args = [a.replace("{o}", str(outputs)) for a in args]
    proc = run(tmp_path, *args, "--size", "400x300", fail=fail)
    assert proc.returncode == EXIT_USAGE, (proc.returncode, proc.stderr)     # not 1 (traceback), not -6 (SIGABRT)
    one_sentence(proc.stderr)
    assert listing(outputs) == before                          # nothing replaced, no temporary left


def test_a_failing_output_of_a_session_run_changes_nothing(tmp_path, outputs):
    from gdviz.model.scene import Scene
    from gdviz.model.session import Session, save_session
    session = tmp_path / "s.gdviz"
    save_session(Session(Scene(steps=5), {"tab": "flow"}), session)
    before = listing(outputs)
    proc = run(tmp_path, str(session), "--csv", str(outputs / "o.csv"), "--export", str(outputs / "o.png"),
               "--size", "400x300", fail="png")
    assert proc.returncode == EXIT_USAGE, proc.stderr
    one_sentence(proc.stderr)
    assert "o.png" in proc.stderr and ".tmp" not in proc.stderr
    assert listing(outputs) == before


def test_all_outputs_are_written_together_and_no_temporary_stays(tmp_path, outputs):
    proc = run(tmp_path, "--steps", "4", "--size", "400x300", "--csv", str(outputs / "o.csv"),
               "--export", str(outputs / "o.png"), "--svg", str(outputs / "o.svg"), "--gif", str(outputs / "o.gif"),
               "--frames", "3")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in outputs.iterdir()) == ["o.csv", "o.gif", "o.png", "o.svg"]
    assert (outputs / "o.csv").read_text().startswith("n,t_n,x_n")
    assert (outputs / "o.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (outputs / "o.gif").read_bytes()[:6] == b"GIF89a"
    assert b"<svg" in (outputs / "o.svg").read_bytes()


# ------------------------------------------------------ items 2 and 9: targets refused early
@pytest.fixture
def nothing_computed(monkeypatch):
    """Refusals come before any computation."""
    import gdviz.model.results
    import gdviz.model.results2d

    def boom(*args, **kwargs):
        raise AssertionError("computed before the outputs were checked")
    monkeypatch.setattr(gdviz.model.results, "evaluate", boom)
    monkeypatch.setattr(gdviz.model.results2d, "evaluate_2d", boom)


def _refused(capsys, argv, fragment):
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    one_sentence(err)
    assert fragment in err, err


def test_a_folder_as_an_output_is_refused(tmp_path, capsys, nothing_computed):
    (tmp_path / "d.png").mkdir()
    (tmp_path / "o.csv").write_text("old")
    _refused(capsys, ["--csv", str(tmp_path / "o.csv"), "--export", str(tmp_path / "d.png")], "it is a folder")
    _refused(capsys, ["--F", "x^2+y^2", "--csv", str(tmp_path)], "it is a folder")
    assert (tmp_path / "d.png").is_dir() and (tmp_path / "o.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.png", "o.csv"]


def test_a_fifo_and_a_socket_as_outputs_are_refused_without_blocking(tmp_path, capsys, nothing_computed):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    _refused(capsys, ["--csv", str(fifo)], "named pipe")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.svg"))
        _refused(capsys, ["--svg", str(tmp_path / "s.svg")], "socket")
    finally:
        sock.close()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISSOCK(os.stat(tmp_path / "s.svg").st_mode)


def test_a_character_device_is_written_to_and_stays_a_device(tmp_path, capsys):
    null = private_null_device(tmp_path / "dev")
    before = os.stat(null)
    assert main(["--csv", null]) == 0
    assert main(["--F", "x^2+y^2", "--csv", null]) == 0
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert os.listdir(tmp_path / "dev") == ["null"]


def test_an_image_to_a_device_and_a_table_to_stdout(tmp_path):
    # /proc/self/fd/1 is where /dev/stdout leads (see test_files.test_our_own_stdout_pipe...).
    null = private_null_device(tmp_path / "dev")
    proc = run(tmp_path, "--steps", "3", "--size", "300x300", "--export", null, "--csv", "/proc/self/fd/1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("n,t_n,x_n") and len(proc.stdout.splitlines()) == 5
    assert stat.S_ISCHR(os.stat(null).st_mode) and os.listdir(tmp_path / "dev") == ["null"]


@pytest.mark.parametrize("make, fragment", [
    (lambda d: d / "missing" / "o.csv", "the folder does not exist"),
    (lambda d: d / ("x" * 300 + ".csv"), "too long"),
    (lambda d: d / "o.csv", "given for two outputs"),
])
def test_bad_output_paths_are_one_sentence(tmp_path, capsys, nothing_computed, make, fragment):
    path = str(make(tmp_path))
    extra = ["--export", path] if fragment.startswith("given") else []
    _refused(capsys, ["--csv", path, *extra], fragment)
    assert not any(tmp_path.iterdir())


def test_a_241_character_name_is_written(tmp_path, capsys):
    path = tmp_path / ("t" * 237 + ".csv")
    assert main(["--steps", "3", "--csv", str(path)]) == 0, capsys.readouterr().err
    assert path.read_text().startswith("n,") and [p.name for p in tmp_path.iterdir()] == [path.name]


# -------------------------------------------------------- item 3: symlink, mode, read-only
def test_a_csv_through_a_symlink_keeps_the_link_and_the_mode(tmp_path, capsys):
    real = tmp_path / "real.csv"
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert main(["--steps", "3", "--csv", str(link)]) == 0, capsys.readouterr().err
    assert link.is_symlink() and real.read_text().startswith("n,")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_a_read_only_output_is_refused(tmp_path, capsys, nothing_computed):
    path = tmp_path / "final.csv"
    path.write_text("handed in")
    path.chmod(0o444)
    _refused(capsys, ["--csv", str(path)], "is read-only")
    assert path.read_text() == "handed in" and stat.S_IMODE(path.stat().st_mode) == 0o444


# ------------------------------------------------------- item 9: session and lesson paths
def test_a_fifo_as_a_session_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.gdviz"
    os.mkfifo(fifo)
    proc = run(tmp_path, str(fifo), "--csv", str(tmp_path / "o.csv"), timeout=60)
    assert proc.returncode == EXIT_USAGE, proc.stderr
    one_sentence(proc.stderr)
    assert "named pipe" in proc.stderr and not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("source", ["fifo", "folder", "/dev/zero"])
def test_sessions_and_lessons_must_be_regular_files(tmp_path, source):
    if source == "fifo":
        path = tmp_path / "in.toml"
        os.mkfifo(path)
    elif source == "folder":
        path = tmp_path
    else:
        path = source
    code = textwrap.dedent(f"""
        from gdviz.model.lesson import LessonError, load_lesson
        from gdviz.model.session import SessionError, load_session
        for load, error in ((load_session, SessionError), (load_lesson, LessonError)):
            try:
                load({str(path)!r})
            except error as exc:
                print(exc)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and all("not a file" in line for line in lines), proc.stdout


def test_a_folder_without_write_permission_is_one_sentence(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if os.geteuid() == 0:                          # root may write anywhere: the check is what counts
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if os.fspath(p) == str(locked)
                            else real_access(p, mode, **kw))
    try:
        _refused(capsys, ["--csv", str(locked / "o.csv")], "no permission to write in its folder")
        assert not any(locked.iterdir())
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("code", ["EACCES", "EROFS", "ENOSPC", "EIO"])
def test_any_oserror_while_writing_is_one_sentence(tmp_path, capsys, monkeypatch, code):
    """The check passed, then the system refused the write: still exit 2, one sentence."""
    import errno
    target = tmp_path / "o.csv"
    target.write_text("old")
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if ".tmp" in os.fspath(path):
            raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)
    monkeypatch.setattr(os, "open", refusing)
    assert main(["--steps", "3", "--csv", str(target)]) == EXIT_USAGE
    monkeypatch.undo()
    err = capsys.readouterr().err
    one_sentence(err)
    assert "o.csv" in err and ".tmp" not in err
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["o.csv"]


# No "/": a name, never a path that could leave the test's folder (as root, "../../etc/x" would).
NAME_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\0/")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(NAME_CHARS, min_size=1, max_size=300))
def test_any_output_name_is_written_or_refused_in_one_sentence(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("names")
    target = os.path.join(str(folder), name)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--steps", "2", "--csv", target])
    if code == 0:
        with open(target, encoding="utf-8") as written:
            assert written.read().startswith("n,t_n")
    else:
        assert code == EXIT_USAGE
        one_sentence(err.getvalue())
    leftovers = [p for _, _, found in os.walk(folder) for p in found if ".tmp" in p]
    assert leftovers == []


def test_view_momentum_csv_is_the_heavy_balls_table(tmp_path):
    """`--view momentum --csv` wrote the flow tab's iterates under the momentum tab's name."""
    from gdviz.app import main
    from gdviz.model.momentum import MomentumScene, evaluate_momentum, momentum_csv
    out = tmp_path / "ball.csv"
    assert main(["--view", "momentum", "--csv", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == momentum_csv(evaluate_momentum(MomentumScene()))
