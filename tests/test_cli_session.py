"""`gdviz FILE.gdviz` on the command line: a session renders headlessly (its own tab or --view),
a bad or hostile file exits 2 writing nothing, and scene options beside a session are refused."""
from __future__ import annotations

import csv
import os

import pytest

from gdviz.app import EXIT_USAGE, main
from gdviz.model.momentum import MomentumScene
from gdviz.model.scene import Scene
from gdviz.model.scene2d import Scene2D
from gdviz.model.session import Session, save_session

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCENE = Scene(text="x^2/2 - x^3/3", h=0.25, x0=0.2, steps=8)
PLANE = Scene2D(text="x^2 + 4y^2", starts=((1.0, 1.0),), optimizers=("GD", "Adam"), lr=0.05, steps=12)


@pytest.fixture
def session_file(tmp_path):
    def make(tab: str = "flow"):
        path = tmp_path / f"{tab}.gdviz"
        save_session(Session(SCENE, {"tab": tab}, PLANE, MomentumScene(steps=50)), path)
        return path
    return make


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def _not_blank(path, size):
    from PySide6.QtGui import QImage
    img = QImage(str(path))
    assert (img.width(), img.height()) == size
    assert len({img.pixel(x, y) for x in range(0, size[0], 9) for y in range(0, size[1], 9)}) > 20


def test_a_flow_session_writes_its_iterates_and_its_picture(session_file, tmp_path, qapp):
    csv_path, png = tmp_path / "it.csv", tmp_path / "flow.png"
    assert main([str(session_file("flow")), "--csv", str(csv_path), "--export", str(png), "--size", "800x500"]) == 0
    rows = _rows(csv_path)
    assert len(rows) == 1 + 9 and float(rows[1][2]) == 0.2        # n = 0..8 from x0 = 0.2
    assert float(rows[2][2]) == pytest.approx(0.2 + 0.25 * (0.2 - 0.04))
    _not_blank(png, (800, 500))


def test_a_2d_session_renders_its_own_tab(session_file, tmp_path, qapp):
    csv_path, png = tmp_path / "paths.csv", tmp_path / "plane.png"
    assert main([str(session_file("2d")), "--csv", str(csv_path), "--export", str(png), "--size", "800x500"]) == 0
    rows = _rows(csv_path)
    assert rows[0] == ["optimizer", "start", "n", "x", "y", "F", "sharpness"]
    assert {r[0] for r in rows[1:]} == {"GD", "Adam"} and len(rows) == 1 + 2 * 13
    _not_blank(png, (800, 500))


def test_view_overrides_the_sessions_tab(session_file, tmp_path, qapp):
    png = tmp_path / "momentum.png"
    assert main([str(session_file("flow")), "--view", "momentum", "--export", str(png), "--size", "800x500"]) == 0
    _not_blank(png, (800, 500))


@pytest.mark.parametrize("content, fragment", [
    (b"", "empty"),
    (b'{"format": "gdviz-session", "version": 99, "scene": {}}', "newer gdviz"),
    (b'{"format": "gdviz-session", "version": 2, "scene": {"text": "__import__(\'os\')", "kind": "F", '
     b'"direction": "ascent"}}', "does not parse"),
    (b"\x00\xff" * 100, "not UTF-8"),
])
def test_a_bad_session_exits_2_writing_nothing(tmp_path, capsys, content, fragment):
    bad = tmp_path / "bad.gdviz"
    bad.write_bytes(content)
    out = tmp_path / "out.png"
    assert main([str(bad), "--export", str(out)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("gdviz: bad.gdviz: ") and fragment in err
    assert not out.exists()


def test_a_missing_session_and_scene_options_beside_one(session_file, tmp_path, capsys):
    out = tmp_path / "out.png"
    assert main([str(tmp_path / "nowhere.gdviz"), "--export", str(out)]) == EXIT_USAGE
    assert "could not read the file" in capsys.readouterr().err
    assert main([str(session_file()), "--F", "x^2", "--export", str(out)]) == EXIT_USAGE
    assert "--F is not for this run: a session file sets every tab's scene itself" in capsys.readouterr().err
    assert main([str(session_file()), "--lr", "0.1", "--export", str(out)]) == EXIT_USAGE
    assert not out.exists()
