"""Step-size rules (gdviz.model.step_rules, issue 14 §2): values derived by hand on quadratics, and
the Armijo condition checked on whatever hypothesis tries."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.problem import FlowProblem
from gdviz.model.results import evaluate
from gdviz.model.scene import Scene
from gdviz.model.step_rules import ARMIJO_C, run_rule


def quadratic(a: float, direction: str = "descent") -> FlowProblem:
    """F = a x²/2 (descent) or −a x²/2 (ascent): either way f = −a x."""
    text = f"{a!r}*x^2/2" if direction == "descent" else f"-{a!r}*x^2/2"
    return FlowProblem.from_text(text, direction=direction)


@pytest.mark.parametrize("direction", ["descent", "ascent"])
@pytest.mark.parametrize("a", [0.5, 3.0, 40.0])
def test_exact_line_search_on_a_quadratic_lands_on_the_minimum_in_one_step(a, direction):
    # Φ(x + t f) = a x²(1 − t a)²/2 is least at t = 1/a, where x_1 = 0.
    run = run_rule(quadratic(a, direction), "exact", 1.5, 0.01, 3)
    assert run.h[0] == pytest.approx(1 / a, rel=1e-12)
    assert abs(run.x[1]) < 1e-14


@pytest.mark.parametrize("a", [0.25, 2.0, 7.0])
def test_barzilai_borwein_on_a_quadratic_takes_h_then_one_over_a(a):
    # s = x_1 − x_0, y = Φ'(x_1) − Φ'(x_0) = a s, so h_1 = s/y = 1/a and x_2 = x_1 − (1/a) a x_1 = 0.
    run = run_rule(quadratic(a), "bb", 1.0, 0.1, 4)
    assert run.h[0] == 0.1
    assert run.h[1] == pytest.approx(1 / a, rel=1e-12)
    assert abs(run.x[2]) < 1e-14


def test_armijo_halves_exactly_as_often_as_needed():
    # F = x²/2 from x = 1 with h = 5: x + t f = 1 − t, and F(1 − t) ≤ 1/2 − c t holds for t ≤ 2 − 2c:
    # 5 and 2.5 fail, 1.25 is accepted.
    run = run_rule(quadratic(1.0), "armijo", 1.0, 5.0, 1)
    assert run.h[0] == 1.25 and run.x[1] == -0.25


def test_times_are_the_running_sum_of_the_steps():
    run = run_rule(quadratic(2.0), "armijo", 1.0, 3.0, 6)
    assert np.array_equal(run.t, np.concatenate([[0.0], np.cumsum(run.h)]))
    assert np.allclose(run.x[1:], run.x[:-1] + run.h * (-2.0 * run.x[:-1]))


@settings(max_examples=60, deadline=None)
@given(st.floats(-2.5, 2.5), st.floats(0.01, 8.0), st.sampled_from(["x^4/4 - x^2/2", "x^2/2 + sin(3x)", "cosh(x)"]))
def test_armijos_step_decreases_enough_and_was_not_halved_needlessly(x0, h, text):
    problem = FlowProblem.from_text(text, direction="descent")
    F = lambda v: float(problem.F_numeric(np.array([v]))[0])    # noqa: E731
    f0 = float(problem.f_numeric(np.array([x0]))[0])
    run = run_rule(problem, "armijo", x0, h, 1)
    t = run.h[0]
    if f0 == 0:
        return
    assert F(x0 + t * f0) <= F(x0) - ARMIJO_C * t * f0 * f0            # sufficient decrease
    if t < h:                                                        # twice as long was refused
        assert F(x0 + 2 * t * f0) > F(x0) - ARMIJO_C * 2 * t * f0 * f0


def test_the_flow_result_carries_the_steps_and_their_times():
    scene = Scene(text="x^2/2", direction="descent", x0=1.0, h=0.1, steps=5, x_range=(-2.0, 2.0), step_rule="exact")
    r = evaluate(scene)
    assert r.h_steps[0] == pytest.approx(1.0) and abs(r.x[1]) < 1e-15
    assert np.allclose(r.t, np.concatenate([[0.0], np.cumsum(r.h_steps)]))
    assert r.ref_t[-1] == pytest.approx(r.t[-1])          # the flow is drawn as far as the iterates go


def test_a_rule_needs_explicit_euler_and_is_named_in_words():
    with pytest.raises(ValueError, match="explicit Euler"):
        Scene(method="rk4", step_rule="armijo")
    with pytest.raises(ValueError, match="step-size rule must be one of fixed"):
        Scene(step_rule="wolfe")


def test_sessions_keep_the_rule_and_old_files_read_as_fixed():
    import json

    from gdviz.model.session import Session, session_from_json, session_to_json
    scene = Scene(step_rule="bb")
    text = session_to_json(Session(scene))
    assert session_from_json(text).scene == scene
    document = json.loads(text)
    del document["scene"]["step_rule"]
    assert session_from_json(json.dumps(document)).scene.step_rule == "fixed"
