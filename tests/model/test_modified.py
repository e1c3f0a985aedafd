"""The modified equation (gdviz.model.modified): Euler's iterates follow x' = f − (h/2) f' f to
second order, which for gradient descent is the gradient flow of F + (h/4)|F'|² (issue 14, §1)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.euler import euler
from gdviz.model.modified import modified_problem
from gdviz.model.problem import FlowProblem
from gdviz.model.reference import reference_solution

STEP_SIZES = np.array([0.2, 0.1, 0.05, 0.025, 0.0125])


def _slope(h: np.ndarray, errors: list[float]) -> float:
    return float(np.polyfit(np.log(h), np.log(errors), 1)[0])


def test_on_the_logistic_euler_is_first_order_against_the_flow_and_second_against_the_modified_one():
    # The check: f = x(1 − x), x0 = 0.1, T = 3.
    problem = FlowProblem.from_text("x(1-x)", kind="f")
    x0, t_end = 0.1, 3.0
    exact = reference_solution(problem, x0, t_end, 2).x[0, -1]
    against_flow, against_modified = [], []
    for h in STEP_SIZES:
        x_n = euler(problem.f_numeric, x0, h, round(t_end / h)).x[-1].item()
        against_flow.append(abs(x_n - exact))
        modified = reference_solution(modified_problem(problem, h), x0, t_end, 2).x[0, -1]
        against_modified.append(abs(x_n - modified))
    assert _slope(STEP_SIZES, against_flow) == pytest.approx(1.0, abs=0.1)
    assert _slope(STEP_SIZES, against_modified) == pytest.approx(2.0, abs=0.15)
    assert all(m < e for m, e in zip(against_modified, against_flow))


def test_descent_on_a_parabola_by_hand():
    # F = x²/2, descent: f = −x, f̃ = −(1 + h/2)x, F̃ = F + (h/4)x² = (1/2 + h/4)x².
    h = 0.3
    m = modified_problem(FlowProblem.from_text("x^2/2", direction="descent"), h)
    xs = np.linspace(-2, 2, 9)
    assert np.allclose(m.f_numeric(xs), -(1 + h / 2) * xs)
    assert np.allclose(m.F_numeric(xs), (0.5 + h / 4) * xs ** 2)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["x^2/2 - x^3/3", "x^4/4 - x^2/2", "sin(x)", "a*x^2 - x^4", "exp(-x^2)"]),
       st.sampled_from(["ascent", "descent"]), st.floats(1e-3, 2.0))
def test_the_modified_field_is_the_gradient_of_the_modified_objective(text, direction, h):
    """f̃ = s·F̃' for F̃ = F − s(h/4)F'²: descent minimises F + (h/4)|F'|²."""
    problem = FlowProblem.from_text(text, direction=direction)
    m = modified_problem(problem, h)
    x = problem.x_symbol
    residual = sp.simplify(m.f.expr - problem.sign * sp.diff(m.F.expr, x))
    assert residual == 0
    if direction == "descent":
        penalty = sp.simplify(m.F.expr - problem.F.expr - sp.Float(h) / 4 * sp.diff(problem.F.expr, x) ** 2)
        assert penalty == 0


def test_a_step_size_must_be_positive():
    problem = FlowProblem.from_text("x^2/2")
    for h in (0.0, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError):
            modified_problem(problem, h)


def test_the_error_sweep_measures_euler_against_the_modified_flow_with_slope_two():
    """Issue 14's check through the lab's own sweep: logistic, x0 = 0.1, T = 3."""
    from gdviz.model.stepsize import error_sweep
    problem = FlowProblem.from_text("x(1-x)", kind="f")
    exact = error_sweep(problem, 0.1, 3.0)
    modified = error_sweep(problem, 0.1, 3.0, reference="modified")
    assert exact.slopes["Euler"] == pytest.approx(1.0, abs=0.1)
    assert modified.slopes["Euler"] == pytest.approx(2.0, abs=0.15)
    # The other methods keep the exact flow: their columns are the same.
    assert np.array_equal(exact.errors["RK4"], modified.errors["RK4"])
    with pytest.raises(ValueError, match="exact or the modified"):
        error_sweep(problem, 0.1, 3.0, reference="implicit")


def test_the_scene_and_a_session_carry_the_reference(tmp_path):
    from gdviz.model.scene import Scene
    from gdviz.model.session import Session, load_session, save_session
    scene = Scene(error_reference="modified")
    path = tmp_path / "m.gdviz"
    save_session(Session(scene, {"tab": "lab"}), path)
    assert load_session(path).scene.error_reference == "modified"
    with pytest.raises(ValueError, match="exact, modified"):
        Scene(error_reference="backward")


def test_the_command_line_writes_errors_against_the_modified_flow(tmp_path, capsys):
    import csv

    from gdviz.app import main
    slopes = {}
    for reference in ("exact", "modified"):
        out = tmp_path / f"{reference}.csv"
        assert main(["--f", "x(1-x)", "--x0", "0.1", "--error-t", "3", "--view", "error",
                     "--reference", reference, "--csv", str(out)]) == 0
        rows = list(csv.DictReader(out.open()))
        assert list(rows[0]) == ["h", "error_Euler", "error_Heun", "error_RK4"]
        h = np.array([float(r["h"]) for r in rows])
        slopes[reference] = _slope(h, [float(r["error_Euler"]) for r in rows])
    assert slopes["exact"] == pytest.approx(1.0, abs=0.1)
    assert slopes["modified"] == pytest.approx(2.0, abs=0.15)
    assert main(["--F", "x^2+y^2", "--x0", "1,1", "--reference", "modified", "--csv", str(tmp_path / "x.csv")]) == 2
