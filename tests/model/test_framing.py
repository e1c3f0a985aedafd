"""Framing (issue 13, item 5): a typed equation's plotted range shows its equilibria, x0 and the
iterates; presets, saved ranges and the user's range are kept."""
from __future__ import annotations

import json
import math
import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.framing import (
    MIN_WIDTH,
    SEARCH_RADIUS,
    frame_flow,
    frame_scene,
    frame_scene2d,
    framed,
    framed2d,
)
from gdviz.model.lesson import lesson_from_text
from gdviz.model.presets import preset
from gdviz.model.problem import FlowProblem, Kind
from gdviz.model.ranges import range_problem
from gdviz.model.results import evaluate
from gdviz.model.scene import Scene
from gdviz.model.scene2d import Scene2D
from gdviz.model.session import session_from_json


def inside(x: float, r: tuple[float, float], margin: float = 0.05) -> bool:
    """x lies in r, and not on its edge (some of the range's width beyond it on both sides)."""
    a, b = r
    return a + margin * (b - a) <= x <= b - margin * (b - a)


def descent(text: str, **kw) -> Scene:
    return Scene(text=text, kind="F", direction="descent", **kw)


def test_the_double_well_shows_both_wells_and_the_maximum_between():
    r = frame_scene(descent("x^4/4 - x^2/2", h=0.1, x0=0.1))
    assert all(inside(x, r) for x in (-1.0, 0.0, 1.0)), r
    assert r[1] - r[0] < 6, r      # and is not needlessly wide


def test_a_shifted_parabola_shows_its_minimum_and_x0():
    r = frame_scene(descent("(x-5)^2", h=0.1, x0=0.1))
    assert inside(5.0, r) and inside(0.1, r), r
    assert r[1] - r[0] < 12, r


def test_the_readme_tilted_double_well_shows_both_wells():
    scene = descent("x^4/4 - x^2/2 + x/10", h=0.3, x0=0.2)
    wells = [e.x for e in FlowProblem.from_text(scene.text, Kind.OBJECTIVE, "descent").equilibria(-5, 5)]
    assert len(wells) == 3
    r = frame_scene(scene)
    assert all(inside(x, r) for x in wells), (wells, r)


def test_sine_shows_a_few_periods_not_thousands():
    r = frame_scene(Scene(text="sin(x)", kind="F", x0=0.1, h=0.5))
    periods = (r[1] - r[0]) / (2 * math.pi)
    assert 1.5 <= periods <= 6, r
    assert inside(0.1, r) and inside(math.pi / 2, r) and inside(-math.pi / 2, r)


def test_a_diverging_run_does_not_give_a_huge_range():
    # descent on x^2 with h = 3: x_n = (-5)^n x0, diverged after 17 steps; with 10 it reaches 1e7
    for steps in (10, 30):
        scene = descent("x^2", h=3.0, x0=-1.0, steps=steps)
        r = frame_scene(scene)
        assert inside(-1.0, r) and inside(0.0, r), r
        assert r[1] - r[0] < 50, (steps, r)
    r = frame_scene(Scene(text="x^2", kind="f", h=0.1, x0=0.5, steps=40))   # blows up at t = 2
    assert r[1] - r[0] < 10 and inside(0.5, r) and inside(0.0, r), r


def test_the_iterates_are_in_view_when_nothing_else_is():
    r = frame_scene(Scene(text="1", kind="f", h=0.5, x0=0.0, steps=30))   # x' = 1: the motion is the picture
    assert inside(0.0, r, 0.0) and inside(15.0, r, 0.0), r


def test_oscillating_iterates_stay_in_view():
    scene = descent("(x-1)^2", h=0.9, x0=-2.0, steps=30)         # x_n - 1 = (-0.8)^n (x0 - 1)
    r = frame_scene(scene)
    res = evaluate(scene.with_(x_range=r))
    assert np.all((res.x >= r[0]) & (res.x <= r[1])), r


def test_a_frame_is_at_least_the_minimum_width_and_a_legal_range():
    for scene in (descent("x^2", x0=0.0), descent("x^2", x0=1e20), Scene(text="0", kind="f", x0=-3e149)):
        r = frame_scene(scene)
        assert r[1] - r[0] >= MIN_WIDTH and range_problem(*r) is None, (scene.x0, r)
        assert r[0] <= scene.x0 <= r[1]


def test_starts_beyond_what_a_plot_can_show_give_a_legal_range_and_no_warning():
    # A scene may start at 1e308 (its range must stay within ±1e150): the frame takes that side's limit.
    for x0 in (1e308, -1e308, 1e150, 5e-324):
        r = framed(Scene(text="x^2", kind="F", x0=x0)).x_range
        assert range_problem(*r) is None and (r[0] <= x0 <= r[1] or abs(x0) > 1e150), (x0, r)
    s = framed2d(Scene2D(text="x^2 + y^2", starts=((1e308, -1e308), (0.0, 0.0))))
    assert range_problem(*s.x_range) is None and range_problem(*s.y_range) is None
    assert inside(0.0, s.x_range) and inside(0.0, s.y_range)


def test_underflow_is_not_an_equilibrium():
    # e^x is exactly 0.0 below x = -745: that is not a root to frame at x = -5000
    r = frame_scene(Scene(text="exp(x)", kind="f", x0=0.0, h=0.1, steps=5))
    assert r[1] - r[0] < 10, r


def test_a_function_undefined_across_the_frame_keeps_the_scene_range():
    scene = Scene(text="sqrt(x - 10)", kind="F", x0=0.1, x_range=(-0.5, 1.5))
    assert frame_scene(scene) == (-0.5, 1.5)
    assert framed(Scene(text="x +* 2", kind="F")) == Scene(text="x +* 2", kind="F")    # bad text: unchanged


def test_framing_is_deterministic_and_fast():
    scenes = [descent("x^4/4 - x^2/2 + x/10", h=0.3, x0=0.2), Scene(text="sin(x)", kind="F"),
              Scene(text="x*exp(-x^2)*cos(3x)", kind="f"), Scene(text="tan(x)", kind="f", steps=1000)]
    for scene in scenes:
        first = frame_scene(scene)
        start = time.perf_counter()
        again = frame_scene(scene)
        seconds = time.perf_counter() - start
        assert again == first
        assert seconds < 0.25, (scene.text, seconds)    # ~10-30 ms here; a loaded CI machine is slower


@settings(max_examples=60, deadline=None)
@given(roots=st.lists(st.integers(-50, 50), min_size=1, max_size=5),
       x0=st.floats(-60, 60, allow_nan=False), lead=st.sampled_from([1, -1, 3]))
def test_every_root_within_the_search_window_is_framed(roots, x0, lead):
    text = f"{lead}*" + "*".join(f"(x - ({r}))" for r in roots)
    r = frame_flow(FlowProblem.from_text(text, Kind.FIELD), x0)
    for root in roots:
        if abs(root - x0) <= SEARCH_RADIUS:
            assert r[0] < root < r[1], (text, x0, r)
    assert r[0] < x0 < r[1]


# ------------------------------------------------------------------------ where framing applies
def test_a_saved_range_is_kept():
    document = {"format": "gdviz-session", "version": 2,
                "scene": {"text": "x^4/4 - x^2/2", "kind": "F", "direction": "descent", "x_range": [0.5, 2.0]}}
    assert session_from_json(json.dumps(document)).scene.x_range == (0.5, 2.0)   # a saved range is kept


def test_a_session_without_a_range_frames_its_equation():
    document = {"format": "gdviz-session", "version": 1,
                "scene": {"text": "x^4/4 - x^2/2", "kind": "F", "direction": "descent", "h": 0.1}}
    scene = session_from_json(json.dumps(document)).scene
    assert all(inside(x, scene.x_range) for x in (-1.0, 0.0, 1.0)), scene.x_range


def test_a_session_plane_without_ranges_is_framed_and_one_with_ranges_kept():
    base = {"format": "gdviz-session", "version": 2,
            "scene": {"text": "x^2", "kind": "F", "direction": "descent", "x_range": [-1.0, 1.0]}}
    plane = {"text": "(x-3)^2 + (y+4)^2", "starts": [[0.0, 0.0]]}
    s = session_from_json(json.dumps({**base, "plane": plane})).plane
    assert inside(3.0, s.x_range) and inside(-4.0, s.y_range) and inside(0.0, s.y_range)
    kept = {**plane, "x_range": [-1.0, 1.0], "y_range": [-2.0, 2.0]}
    s = session_from_json(json.dumps({**base, "plane": kept})).plane
    assert (s.x_range, s.y_range) == ((-1.0, 1.0), (-2.0, 2.0))


LESSON = '''
title = "t"
[[steps]]
title = "typed"
text = "a typed equation"
[steps.scene]
text = "(x-5)^2"
kind = "F"
direction = "descent"
[[steps]]
title = "ranged"
text = "with its own range"
[steps.scene]
text = "(x-5)^2"
kind = "F"
direction = "descent"
x_range = [-1.0, 1.0]
[[steps]]
title = "preset"
text = "a preset alone"
preset = "logistic"
'''


def test_a_lesson_step_frames_a_typed_equation_and_keeps_a_given_range():
    steps = lesson_from_text(LESSON).steps
    assert inside(5.0, steps[0].scene.x_range) and inside(0.1, steps[0].scene.x_range)
    assert steps[1].scene.x_range == (-1.0, 1.0)
    assert steps[2].scene.x_range == preset("logistic").scene.x_range


# ------------------------------------------------------------------------------------------ 2-D
def test_the_2d_frame_shows_the_minimum_and_the_starts():
    scene = Scene2D(text="(x-3)^2 + (y+4)^2", starts=((0.0, 0.0), (-1.0, 1.0)))
    xr, yr = frame_scene2d(scene)
    assert inside(3.0, xr) and inside(-4.0, yr), (xr, yr)
    for x, y in scene.starts:
        assert inside(x, xr) and inside(y, yr), (xr, yr)


def test_the_2d_frame_shows_both_minima_and_the_saddle():
    xr, yr = frame_scene2d(Scene2D(text="(x^2-1)^2 + y^2", starts=((0.2, 0.5),)))
    assert inside(-1.0, xr) and inside(1.0, xr) and inside(0.0, yr), (xr, yr)


def test_2d_data_scenes_are_not_framed():
    scene = Scene2D(data_seed=0, x_range=(-1.0, 4.0), y_range=(-2.0, 3.0))
    assert framed2d(scene) is scene
