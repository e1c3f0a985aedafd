"""Fault injection (issue 12): kill -9 at random moments of a session save and of headless exports.
After every kill the old file is whole (its old bytes, or a complete new file), and after the
next run that succeeds no temporary is left beside it. The 100-trial loops are marked slow; a
reduced form (a few trials) runs in the default suite.

The random delays are the point of these tests (a kill must land anywhere), so they wait on the
process with a timeout rather than on a signal."""
from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

FAST_TRIALS = 5
SLOW_TRIALS = 100


def _env(tmp_path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data")}


def _kill_after(args: list[str], delay: float, env: dict[str, str], cwd) -> int:
    """Run `args`, SIGKILL it after `delay` seconds (unless it ended); its return code."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        return proc.wait(timeout=60)


# --------------------------------------------------------------------------- session saves
SAVER = textwrap.dedent("""
    import sys
    from gdviz.model.scene import Scene
    from gdviz.model.session import Session, save_session
    versions = [Session(Scene(h=h, steps=40)) for h in (0.1, 0.2)]
    print("ready", flush=True)
    n = 0
    while True:                     # saves back to back, until killed
        save_session(versions[n % 2], sys.argv[1])
        n += 1
""")


def session_trials(tmp_path, trials: int, seed: int) -> None:
    from gdviz.model.scene import Scene
    from gdviz.model.session import Session, load_session, save_session
    rng = random.Random(seed)
    target = tmp_path / "work" / "class.gdviz"
    target.parent.mkdir()
    save_session(Session(Scene(h=0.05)), target)
    env = _env(tmp_path)
    for trial in range(trials):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(target)], stdout=subprocess.PIPE, env=env)
        assert proc.stdout.readline().strip() == b"ready"
        try:
            proc.wait(timeout=rng.uniform(0.0, 0.05))           # a kill in the middle of the saves
        except subprocess.TimeoutExpired:
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
        h = load_session(target).scene.h                        # whole: it parses
        assert h in (0.05, 0.1, 0.2), (trial, h)
        save_session(Session(Scene(h=0.05)), target)             # the next save that succeeds ...
        assert os.listdir(target.parent) == ["class.gdviz"], (trial, os.listdir(target.parent))  # ... cleans


def test_killed_session_saves_leave_a_whole_file_fast(tmp_path):
    session_trials(tmp_path, FAST_TRIALS, seed=12)


@pytest.mark.slow
def test_killed_session_saves_leave_a_whole_file(tmp_path):
    session_trials(tmp_path, SLOW_TRIALS, seed=1212)


# ------------------------------------------------------------------------- headless exports
def _whole_csv(data: bytes, new: bytes) -> bool:
    return data == new


def _whole_png(data: bytes, new: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        image.load()                                            # a cut file fails to decode
        return image.format == "PNG" and image.size == (300, 240)


def _whole_svg(data: bytes, new: bytes) -> bool:
    root = ET.fromstring(data)                                  # a cut file is not XML
    return root.tag.endswith("svg")


def _whole_gif(data: bytes, new: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        frames = 0
        try:
            while True:
                image.load()
                frames += 1
                image.seek(image.tell() + 1)
        except EOFError:
            pass
        return image.format == "GIF" and frames == 4


EXPORTS = {"csv": ("--csv", _whole_csv), "png": ("--export", _whole_png), "svg": ("--svg", _whole_svg),
           "gif": ("--gif", _whole_gif)}
ARGS = ["--steps", "3", "--size", "300x240", "--frames", "4"]


def export_trials(tmp_path, fmts: tuple[str, ...], trials: int, seed: int) -> None:
    rng = random.Random(seed)
    folder = tmp_path / "out"
    folder.mkdir()
    env = _env(tmp_path)
    targets = {fmt: folder / f"o.{fmt}" for fmt in fmts}
    args = [sys.executable, "-m", "gdviz", *ARGS]
    for fmt in fmts:
        args += [EXPORTS[fmt][0], str(targets[fmt])]
    if "gif" not in fmts:
        args.remove("--frames")
        args.remove("4")
    # A run that finishes gives the new files and the time a run takes.
    started = time.monotonic()
    assert subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, timeout=240).returncode == 0
    duration = time.monotonic() - started
    new = {fmt: path.read_bytes() for fmt, path in targets.items()}
    old = {fmt: f"old {fmt}, not yet replaced".encode() for fmt in fmts}
    for trial in range(trials):
        for fmt, path in targets.items():
            path.write_bytes(old[fmt])
        _kill_after(args, rng.uniform(0.3, 1.2) * duration, env, tmp_path)
        for fmt, path in targets.items():
            data = path.read_bytes()
            assert data == old[fmt] or EXPORTS[fmt][1](data, new[fmt]), (trial, fmt, data[:40])
    assert subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, timeout=240).returncode == 0
    assert sorted(os.listdir(folder)) == sorted(p.name for p in targets.values())   # no temporary stays


def test_killed_exports_leave_whole_files_fast(tmp_path):
    export_trials(tmp_path, ("csv", "png", "svg", "gif"), FAST_TRIALS, seed=5)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_killed_exports_leave_whole_files(tmp_path, fmt):
    export_trials(tmp_path, (fmt,), SLOW_TRIALS, seed=hash(fmt) % 1000)
