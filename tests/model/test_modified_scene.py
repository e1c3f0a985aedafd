"""The flow scene's modified flow (issue 14 §1): the flow job computes the solution of
x' = f − (h/2) f'f from x0 and F̃ = F ∓ (h/4)F'² on the grid, only for explicit Euler with a fixed h;
sessions, lessons and the command line keep the switch."""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.lesson import LessonError, lesson_from_text
from gdviz.model.modified import modified_objective_values, modified_problem
from gdviz.model.reference import reference_solution
from gdviz.model.results import REFERENCE_POINTS, build_problem, evaluate
from gdviz.model.scene import Scene
from gdviz.model.session import Session, SessionError, session_from_json, session_to_json

LOGISTIC = Scene(text="x^2/2 - x^3/3", kind="F", direction="ascent", h=0.5, x0=0.1, steps=30)


def test_off_by_default_so_nothing_extra_is_computed():
    r = evaluate(Scene())
    assert Scene().modified is False and not Scene().shows_modified
    assert r.modified_t.size == r.modified_x.size == r.grid_F_modified.size == 0


@pytest.mark.parametrize("changes", [{"method": "implicit-euler"}, {"method": "rk4"}, {"step_rule": "armijo"},
                                     {"step_rule": "bb"}])
def test_only_explicit_euler_with_a_fixed_h_has_a_modified_flow(changes):
    scene = LOGISTIC.with_(modified=True, **changes)
    assert scene.modified and not scene.shows_modified      # the wish is kept, nothing is drawn
    r = evaluate(scene)
    assert r.modified_x.size == r.grid_F_modified.size == 0


def test_the_flow_job_returns_the_modified_equations_solution():
    scene = LOGISTIC.with_(modified=True)
    r = evaluate(scene)
    expected = reference_solution(modified_problem(build_problem(scene), scene.h), scene.x0,
                                  scene.steps * scene.h, REFERENCE_POINTS)
    assert np.array_equal(r.modified_t, expected.t) and np.array_equal(r.modified_x, expected.x[0])
    assert r.modified_t[-1] == pytest.approx(scene.steps * scene.h) and np.isfinite(r.modified_x).all()


def test_eulers_iterates_sit_on_the_modified_flow_not_on_the_exact_one():
    """The logistic from x0 = 0.1 with h = 0.5: the iterates are O(h) from the exact flow and
    O(h²) from the modified one. Measured here: 0.0642 against 0.0102, 6.26 times closer."""
    scene = LOGISTIC.with_(modified=True)
    r = evaluate(scene)
    problem = build_problem(scene)
    t_end, n = scene.steps * scene.h, scene.steps + 1          # the curves sampled at t_n = n h
    exact = reference_solution(problem, scene.x0, t_end, n).x[0]
    modified = reference_solution(modified_problem(problem, scene.h), scene.x0, t_end, n).x[0]
    to_exact, to_modified = np.max(np.abs(r.x - exact)), np.max(np.abs(r.x - modified))
    assert to_exact == pytest.approx(0.0642, abs=0.002) and to_modified == pytest.approx(0.0102, abs=0.001)
    assert to_exact > 5 * to_modified
    # the plotted curve agrees: at the reference's times inside the run it is the same flow
    assert np.interp(r.t, r.modified_t, r.modified_x) == pytest.approx(modified, abs=2e-3)


@pytest.mark.parametrize(("direction", "sign"), [("ascent", -1.0), ("descent", 1.0)])
def test_f_tilde_on_the_grid_is_f_plus_or_minus_h_over_4_f_prime_squared(direction, sign):
    """Ascent climbs F − (h/4)F'², descent goes down F + (h/4)F'² (model/modified.py derives it)."""
    scene = LOGISTIC.with_(direction=direction, h=0.8, modified=True)
    r = evaluate(scene)
    x = r.grid_x
    F, dF = x ** 2 / 2 - x ** 3 / 3, x - x ** 2                # by hand, not from the model
    np.testing.assert_allclose(r.grid_F, F, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r.grid_F_modified, F + sign * 0.8 / 4 * dF ** 2, rtol=1e-12, atol=1e-12)


def test_f_tilde_of_a_typed_field_uses_its_integral():
    """kind "f": F = s·∫f, so F'² = f² and F̃ = F − s·(h/4)·f² on the grid."""
    r = evaluate(Scene(text="x(1-x)", kind="f", direction="descent", h=0.4, x0=0.1, modified=True))
    f = r.grid_x * (1 - r.grid_x)
    np.testing.assert_allclose(r.grid_F_modified, r.grid_F + 0.1 * f ** 2, rtol=1e-12, atol=1e-12)


def test_modified_objective_values_refuses_a_bad_h_or_sign():
    with pytest.raises(ValueError, match="step size"):
        modified_objective_values(np.zeros(2), np.zeros(2), 0.0, 1)
    with pytest.raises(ValueError, match="sign"):
        modified_objective_values(np.zeros(2), np.zeros(2), 0.5, 0)


# ------------------------------------------------------------------------------ files keep it
def test_sessions_keep_the_switch_and_old_files_read_it_as_off():
    scene = LOGISTIC.with_(modified=True)
    text = session_to_json(Session(scene))
    assert session_from_json(text).scene == scene
    document = json.loads(text)
    del document["scene"]["modified"]                          # a file from before the field existed
    assert session_from_json(json.dumps(document)).scene == scene.with_(modified=False)


JSON_VALUES = st.one_of(st.booleans(), st.none(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                        st.text(max_size=12), st.lists(st.booleans(), max_size=2))


@settings(max_examples=50, deadline=None)
@given(JSON_VALUES)
def test_a_session_with_any_modified_value_is_read_or_refused_in_one_sentence(value):
    document = json.loads(session_to_json(Session(LOGISTIC)))
    document["scene"]["modified"] = value
    if isinstance(value, bool):
        assert session_from_json(json.dumps(document)).scene.modified is value
        return
    with pytest.raises(SessionError) as info:
        session_from_json(json.dumps(document), "s.gdviz")
    message = str(info.value)
    assert "modified" in message and "\n" not in message


def _lesson(scene_lines: str) -> str:
    return f'title = "L"\n[[steps]]\ntitle = "S"\ntext = "T."\n[steps.scene]\n{scene_lines}\n'


def test_a_lesson_step_sets_the_method_and_the_modified_flow():
    s = lesson_from_text(_lesson('method = "implicit-euler"\nmodified = true\nh = 3')).steps[0].scene
    assert (s.method, s.modified, s.h) == ("implicit-euler", True, 3.0)
    old = lesson_from_text(_lesson("h = 0.2")).steps[0].scene       # a lesson written before the fields
    assert (old.method, old.step_rule, old.modified) == ("euler", "fixed", False)


@settings(max_examples=50, deadline=None)
@given(JSON_VALUES)
def test_a_lesson_with_any_modified_value_is_read_or_refused_in_one_sentence(value):
    # JSON's literals are TOML's for these values (strings, numbers, booleans, arrays); TOML has no null
    text = _lesson(f"modified = {json.dumps(value) if value is not None else 'nothing'}")
    if isinstance(value, bool):
        assert lesson_from_text(text).steps[0].scene.modified is value
        return
    with pytest.raises(LessonError) as info:
        lesson_from_text(text, "mine.toml")
    message = str(info.value)
    assert message.startswith("mine.toml: ") and "\n" not in message
