"""Other integrators as optimizers (gdviz.model.integrators): their stability limits from the
stability function, and what each does on known problems (issue 14, §2)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.integrators import METHOD_NAMES, run_method, stability_limit
from gdviz.model.problem import FlowProblem

QUADRATIC = FlowProblem.from_text("x^2/2", direction="descent")       # f = −x, f'(x*) = −1


def test_stability_limits_from_the_stability_functions():
    assert stability_limit("euler") == pytest.approx(2.0, abs=1e-12)
    assert stability_limit("heun") == pytest.approx(2.0, abs=1e-12)
    assert stability_limit("rk4") == pytest.approx(2.785293563405282, abs=1e-9)
    assert stability_limit("implicit-euler") == math.inf
    assert stability_limit("newton") == 2.0


@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_explicit_methods_contract_just_below_their_limit_and_grow_just_above(method):
    limit = stability_limit(method)
    below = run_method(QUADRATIC, method, 1.0, 0.98 * limit, 400)
    above = run_method(QUADRATIC, method, 1.0, 1.02 * limit, 400)
    assert abs(below[-1]) < 1e-2 and not (abs(above[-1]) < 1.0)


def test_implicit_euler_is_the_proximal_point_and_contracts_for_any_h():
    # On F = x²/2 the proximal point of x is x/(1 + h): every h contracts, monotonically.
    for h in (0.1, 1.0, 10.0, 1e6):
        xs = run_method(QUADRATIC, "implicit-euler", 1.0, h, 5)
        assert np.allclose(xs, (1 + h) ** -np.arange(6.0))


def test_implicit_euler_on_a_double_well_solves_its_equation():
    problem = FlowProblem.from_text("x^4/4 - x^2/2", direction="descent")
    xs = run_method(problem, "implicit-euler", 0.3, 0.5, 30)
    residual = xs[1:] - xs[:-1] - 0.5 * problem.f_numeric(xs[1:])
    assert np.max(np.abs(residual)) < 1e-12
    assert xs[-1] == pytest.approx(1.0, abs=1e-6)                     # the well x0 lies in


def test_newton_with_h_one_is_newtons_method_quadratically_fast():
    problem = FlowProblem.from_text("x^4/4 - x^2/2", direction="descent")   # critical points 0, ±1
    xs = run_method(problem, "newton", 1.5, 1.0, 6)
    errors = np.abs(xs - 1.0)
    assert errors[-1] < 1e-12
    assert errors[3] < 3 * errors[2] ** 2                              # e_{n+1} ~ C e_n²


@settings(max_examples=25, deadline=None)
@given(st.floats(0.1, 10.0), st.sampled_from(["euler", "heun", "rk4"]))
def test_the_limit_scales_with_the_curvature(k, method):
    """F = k x²/2: a step is stable for h < limit/k."""
    problem = FlowProblem.from_text(f"{k!r}*x^2/2", direction="descent")
    limit = stability_limit(method) / k
    assert abs(run_method(problem, method, 1.0, 0.95 * limit, 600)[-1]) < 1e-3
    assert not abs(run_method(problem, method, 1.0, 1.05 * limit, 600)[-1]) < 1.0


def test_unknown_methods_are_named():
    with pytest.raises(ValueError, match="choose one of euler"):
        stability_limit("leapfrog")
    assert set(METHOD_NAMES) == {"euler", "implicit-euler", "heun", "rk4", "newton"}
