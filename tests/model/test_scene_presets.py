"""Scenes validate their numbers; presets are data files that all load."""
import json
import subprocess
import sys

import pytest

from gdviz.model.presets import DEFAULT_PRESET, preset, presets
from gdviz.model.scene import Scene
from gdviz.paths import resources_dir


def test_default_scene_is_the_articles_logistic_example():
    s = preset(DEFAULT_PRESET).scene
    assert (s.text, s.kind, s.direction, s.x0) == ("x^2/2 - x^3/3", "F", "ascent", 0.1)


def test_every_preset_names_a_distinct_scene():
    names = [p.name for p in presets()]
    assert len(names) == len(set(names)) >= 6
    for p in presets():
        assert p.title and len(p.explanation) > 80
        assert p.scene.preset == p.name


def test_required_presets_exist():
    for name in ("logistic", "exponential", "cubic", "parabola", "double-well", "cosine"):
        assert preset(name)
    s = preset("parabola").scene
    assert (s.text, s.direction, s.x0, s.h) == ("6x^2 - 12x + 3", "descent", -0.9, 0.03)


def test_unknown_preset_lists_the_names():
    with pytest.raises(KeyError, match="logistic"):
        preset("nope")


def test_preset_files_are_plain_json():
    for path in (resources_dir() / "presets").glob("*.json"):
        d = json.loads(path.read_text(encoding="utf-8"))
        assert {"name", "title", "explanation", "equation", "kind", "direction", "h", "x0",
                "steps", "range"} <= set(d)


@pytest.mark.parametrize("changes", [
    {"h": 0.0}, {"h": -1.0}, {"h": float("nan")}, {"x0": float("inf")}, {"steps": 0},
    {"steps": 10**7}, {"x_range": (1.0, 1.0)}, {"x_range": (2.0, 1.0)}, {"kind": "g"},
    {"direction": "sideways"},
])
def test_scene_rejects_bad_numbers(changes):
    with pytest.raises(ValueError):
        Scene().with_(**changes)


def test_with_accepts_params_as_a_dict():
    s = Scene().with_(params={"b": 2.0, "a": 1.0})
    assert s.params == (("a", 1.0), ("b", 2.0))
    assert s.param_dict == {"a": 1.0, "b": 2.0}


def test_model_never_imports_qt():
    code = ("import sys, gdviz.model; from gdviz.model import evaluate, Scene, parse;"
            "evaluate(Scene());"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken'))];"
            "print(bad); assert not bad")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_scene_and_presets_do_not_import_sympy():
    # The window imports these at start-up; sympy must wait for the worker thread.
    code = ("import sys, gdviz.model.scene, gdviz.model.presets; gdviz.model.presets.presets();"
            "assert 'sympy' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
