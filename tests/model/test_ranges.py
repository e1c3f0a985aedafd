"""The one rule of plotted ranges (gdviz.model.ranges), applied by every scene and every reader."""
from __future__ import annotations

import json
import math
import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.landscape import preset2d_from_dict
from gdviz.model.lesson import LessonError, lesson_from_text
from gdviz.model.momentum import MomentumScene
from gdviz.model.ranges import MAX_MAGNITUDE, check_defined, check_range, min_width, range_problem
from gdviz.model.readers import size_text
from gdviz.model.scene import Scene
from gdviz.model.scene2d import Scene2D
from gdviz.model.secant import SecantSetup
from gdviz.model.session import MAX_BYTES, SessionError, session_from_bytes, session_from_json

TINY = 5e-324                       # the smallest subnormal
BIG = sys.float_info.max

# Ranges that crashed or hung gdviz (issue 12, items 6 and 7), and the reason each is refused.
BAD_RANGES = {
    "subnormal width": ((0.0, TINY), "too narrow"),
    "near float max": ((-1e308, 1e308), "within ±1e+150"),
    "B - A overflows": ((-9e307, 9e307), "within ±1e+150"),
    "equal": ((1.0, 1.0), "A < B"),
    "reversed": ((2.0, 1.0), "A < B"),
    "one ulp wide": ((1.0, math.nextafter(1.0, 2.0)), "too narrow"),
    "narrow at 1e6": ((1e6, 1e6 + 1e-6), "too narrow"),
    "beyond the magnitude": ((1e150, 2e150), "within ±1e+150"),
}


# ---------------------------------------------------------------------------------------- the rule
@pytest.mark.parametrize("pair, words", BAD_RANGES.values(), ids=BAD_RANGES.keys())
def test_bad_ranges_are_refused_with_one_sentence(pair, words):
    with pytest.raises(ValueError, match=re.escape(words)) as caught:
        check_range(*pair, "the x-range")
    message = str(caught.value)
    assert message.startswith("the x-range ") and "\n" not in message and len(message) < 120


@pytest.mark.parametrize("pair", [(-0.5, 1.5), (0.0, 1e-12), (-1e150, 1e150), (1e9, 1e9 + 2.0),
                                  (-1e-3, 1e-3), (1e149, 1e150)])
def test_ranges_a_plot_can_show_are_kept(pair):
    assert check_range(*pair) == pair


def test_non_numbers_and_non_finite_values_are_refused():
    for pair in ((math.nan, 1.0), (0.0, math.inf), (-math.inf, math.inf), ("0", 1.0), (True, 2.0),
                 (None, 1.0), (10 ** 400, 10 ** 401)):
        assert range_problem(*pair) is not None


def test_a_narrow_range_is_said_with_digits_that_tell_its_ends_apart():
    message = range_problem(1e150, 1.000000001e150, "--range")
    assert "1.000000001e+150" in message


def test_min_width_is_relative_with_an_absolute_floor():
    assert min_width(0.0, 1.0) == pytest.approx(1e-9)
    assert min_width(-1e6, 1e6) == pytest.approx(1e-3)
    assert min_width(0.0, 0.0) == 1e-12


# ------------------------------------------------------------------------------ property: any pair
special = st.sampled_from([0.0, -0.0, TINY, -TINY, 1e-308, 1e308, -1e308, BIG, -BIG, math.inf, -math.inf,
                           math.nan, 1e150, -1e150, 1e-12, 1.0])
numbers = st.floats() | special
pairs = st.one_of(
    st.tuples(numbers, numbers),
    numbers.map(lambda v: (v, v)),                                     # equal ends
    numbers.map(lambda v: (v, math.nextafter(v, math.inf))),           # one ulp apart
    st.tuples(numbers, st.floats(0, 1e-6)).map(lambda p: (p[0], p[0] + p[1])),
)


def assert_a_plot_can_show(a: float, b: float) -> None:
    """What the plots and the samplers do with a range, checked with numbers, not with the rule."""
    assert math.isfinite(a) and math.isfinite(b) and a < b
    width = b - a
    assert math.isfinite(width) and width > 0
    assert math.isfinite(32_000 / width)                  # pixels per unit at 8000 px, scale 4
    assert math.isfinite(max(abs(a), abs(b)) ** 2)       # squares of coordinates (x^2, lengths)
    grid = np.linspace(a, b, 801)                         # the samples of a curve
    assert np.isfinite(grid).all() and (np.diff(grid) > 0).all()


@settings(max_examples=300, deadline=None)
@given(pair=pairs)
def test_any_pair_is_refused_or_a_range_a_plot_can_show(pair):
    a, b = pair
    try:
        kept = check_range(a, b)
    except ValueError as error:
        assert "\n" not in str(error)
        kept = None
    if kept is not None:
        assert kept == (a, b)
        assert_a_plot_can_show(*kept)
    for scene, field in ((Scene(), "x_range"), (Scene2D(), "x_range"), (Scene2D(), "y_range")):
        try:
            changed = scene.with_(**{field: (a, b)})
        except ValueError:
            assert kept is None                   # refused by the scene exactly when by the rule
        else:
            assert kept is not None
            assert_a_plot_can_show(*getattr(changed, field))
    try:
        MomentumScene(x_range=(a, b))
    except ValueError:
        pass
    else:                                          # the momentum tab's box is narrower still
        assert kept is not None


# ------------------------------------------------------------------------------------- the scenes
@pytest.mark.parametrize("pair, words", BAD_RANGES.values(), ids=BAD_RANGES.keys())
def test_every_scene_refuses_each_bad_range(pair, words):
    for make in (lambda: Scene(x_range=pair), lambda: Scene2D(x_range=pair), lambda: Scene2D(y_range=pair),
                 lambda: MomentumScene(x_range=pair), lambda: MomentumScene(v_range=pair),
                 lambda: SecantSetup(t0=pair[0], t_range=pair)):
        with pytest.raises(ValueError):
            make()


def test_the_h_range_follows_the_rule_and_starts_above_zero():
    assert Scene(h_range=(1e-9, 1e-8)).h_range == (1e-9, 1e-8)
    with pytest.raises(ValueError, match="too narrow"):
        Scene(h_range=(1e-300, 2e-300))
    with pytest.raises(ValueError, match="0 < A < B"):
        Scene(h_range=(-1.0, 1.0))


def test_h_times_steps_beyond_float_range_is_said_in_the_users_words():
    with pytest.raises(ValueError) as caught:
        Scene(h=1e308, steps=30)
    message = str(caught.value)
    assert "t_end" not in message and "step size h = 1e+308" in message and "30 steps" in message


# ------------------------------------------------------------------------------------ the readers
def session_text(section: str, key: str, pair: tuple[float, float]) -> str:
    document = {"format": "gdviz-session", "version": 2,
                "scene": {"text": "x^2", "kind": "F", "direction": "ascent"}}
    if section != "scene":
        document[section] = {"text": "x^2 + y^2" if section == "plane" else "1 - cos(x)"}
    document[section][key] = list(pair)
    return json.dumps(document)


@pytest.mark.parametrize("pair, words", BAD_RANGES.values(), ids=BAD_RANGES.keys())
@pytest.mark.parametrize("section, key", [("scene", "x_range"), ("scene", "h_range"), ("plane", "x_range"),
                                          ("plane", "y_range"), ("momentum", "x_range"),
                                          ("momentum", "v_range")])
def test_a_session_with_a_bad_range_names_the_file_and_the_key(section, key, pair, words):
    place = key if section == "scene" else f"{section}.{key}"
    with pytest.raises(SessionError) as caught:
        session_from_json(session_text(section, key, pair), "bad.gdviz")
    message = str(caught.value)
    assert message.startswith(f"bad.gdviz: '{place}' ") and "\n" not in message
    if key != "h_range" or pair[0] > 0:
        assert words in message


def lesson_text(section: str, key: str, pair: tuple[float, float]) -> str:
    text = {"scene": 'text = "x^2"', "plane": 'text = "x^2 + y^2"', "momentum": 'text = "1 - cos(x)"',
            "secant": 'x = "exp(t)"\nt0 = 1.0'}[section]
    demo = 'demo = "secant"\n' if section == "secant" else ""
    return (f'title = "L"\n[[steps]]\ntitle = "S"\ntext = "T."\n{demo}[steps.{section}]\n{text}\n'
            f"{key} = [{pair[0]!r}, {pair[1]!r}]\n")


@pytest.mark.parametrize("pair", [(0.0, TINY), (1.0, 1.0), (2.0, 1.0), (1.0, math.nextafter(1.0, 2.0)),
                                  (1e6, 1e6 + 1e-6)])
@pytest.mark.parametrize("section, key", [("scene", "x_range"), ("plane", "y_range"), ("momentum", "v_range"),
                                          ("secant", "t_range")])
def test_a_lesson_with_a_bad_range_names_the_step_and_the_key(section, key, pair):
    with pytest.raises(LessonError) as caught:
        lesson_from_text(lesson_text(section, key, pair), "mine.toml")
    message = str(caught.value)
    assert message.startswith('mine.toml: Step 1 ("S"): ') and f"'{section}.{key}'" in message
    assert "\n" not in message


def test_a_2d_preset_file_with_a_bad_range_is_refused():
    preset = {"name": "p", "title": "P", "explanation": "E.", "equation": "x^2 + y^2", "starts": [[1, 1]],
              "lr": 0.1, "steps": 10, "x_range": [0, TINY], "y_range": [-1, 1], "optimizer": "GD"}
    with pytest.raises(ValueError, match="'x_range' is too narrow"):
        preset2d_from_dict(preset, "p.json")


# ------------------------------------------------------------------------- nothing to draw at all
def test_values_undefined_everywhere_are_a_sentence():
    with pytest.raises(ValueError, match=r"^F is undefined everywhere on the range \[1, 2\]$"):
        check_defined(np.full(5, np.nan), "F", "the range [1, 2]")
    with pytest.raises(ValueError, match="beyond floating point everywhere"):
        check_defined(np.full(5, np.inf), "F", "the range [1, 2]")
    check_defined(np.array([np.nan, 1.0]), "F", "the range [1, 2]")      # one value is enough


# ------------------------------------------------------------------------------------ file sizes
def test_a_size_is_never_rounded_onto_the_limit():
    assert size_text(MAX_BYTES) == "1 MB"
    assert size_text(MAX_BYTES + 1) == "1,025 KB"
    assert size_text(50 << 20) == "50 MB"
    assert size_text(256 * 1024 + 1) == "257 KB"


def test_bytes_past_the_cap_say_larger_than_the_limit_not_a_made_up_size():
    # what /dev/zero gives: the reader stops one byte past the cap and cannot know the real size
    with pytest.raises(SessionError) as caught:
        session_from_bytes(b"\0" * (MAX_BYTES + 1), "zero")
    assert str(caught.value) == "zero: the file is too large for a session (larger than 1 MB)"


def test_the_largest_magnitude_is_far_inside_float_range():
    assert MAX_MAGNITUDE ** 2 < BIG / 1e6
