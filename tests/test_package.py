"""The standalone folder app: PyInstaller builds packaging/gdviz.spec, and the result runs.

Slow (a minute or more on two cores), so skipped by default: `pytest -m slow` runs it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "gdviz.spec"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.slow
def test_pyinstaller_folder_app_exports_a_png(tmp_path: Path) -> None:
    pytest.importorskip("PyInstaller", reason="pip install '.[package]' to build the app")
    dist, work = tmp_path / "dist", tmp_path / "build"
    started = time.perf_counter()
    build = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                            "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
                           cwd=ROOT, capture_output=True, text=True, timeout=1800)
    built_in = time.perf_counter() - started
    assert build.returncode == 0, build.stderr[-4000:]
    app = dist / "gdviz" / ("gdviz.exe" if sys.platform == "win32" else "gdviz")
    assert app.is_file()
    print(f"\nPyInstaller build: {built_in:.0f} s, dist/gdviz: {folder_size(dist / 'gdviz') / 1e6:.0f} MB")

    out = tmp_path / "out.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")      # no display
    run = subprocess.run([str(app), "--export", str(out), "--size", "800x500"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]

    from PySide6.QtGui import QImage  # read it back after the app has exited
    image = QImage(str(out))
    assert (image.width(), image.height()) == (800, 500)
    pixels = {image.pixel(x, y) for x in range(0, 800, 4) for y in range(0, 500, 4)}
    assert len(pixels) > 50, "the exported PNG is (nearly) blank"

    # sympy's integration time limit holds in the frozen app too, where sympy's code objects have
    # relative file names: when it did not, this antiderivative search ran past 100 s.
    started = time.perf_counter()
    hard = subprocess.run([str(app), "--f", "atan(exp(sin(x)))", "--export", str(tmp_path / "hard.png"),
                           "--size", "800x500"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert hard.returncode == 0, hard.stderr[-4000:]
    assert time.perf_counter() - started < 60

    # The resources came along (presets listed from the bundle), and the desktop install works
    # from the frozen app: its launcher runs the app's own executable.
    listed = subprocess.run([str(app), "--list-presets"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "logistic" in listed.stdout, listed.stderr[-2000:]
    share = tmp_path / "share"
    installed = subprocess.run([str(app), "--install-desktop"], capture_output=True, text=True, timeout=120,
                               env=dict(env, XDG_DATA_HOME=str(share), XDG_CONFIG_HOME=str(tmp_path / "config"),
                                        PATH=str(tmp_path / "no-tools")))
    assert installed.returncode == 0, installed.stderr[-2000:]
    entry = (share / "applications" / "gdviz.desktop").read_text()
    assert f"Exec={app} %f" in entry.splitlines()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / "gdviz.png").is_file()
