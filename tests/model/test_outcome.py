"""What the iterates from x0 do (the outcome) and the local regime at x*, as the panel says them.

Known values: Euler's map g(x) = x + h f(x) is iterated here by hand in plain Python, independently
of gdviz's engine, and compared with what the result says."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.outcome import Fate, iterate_outcome, local_sentence
from gdviz.model.problem import Direction, FlowProblem, Kind, Regime
from gdviz.model.results import evaluate
from gdviz.model.scene import Scene


def first_escape(f, x0: float, h: float, bound: float = 1e12) -> int:
    """The first n with |x_n| > bound, iterating x + h f(x) on Python floats."""
    x = x0
    for n in range(1, 200):
        x = x + h * f(x)
        if not abs(x) <= bound:
            return n
    return -1


@pytest.mark.parametrize("text, h, x0, f", [
    ("x(1-x)", 0.9, 2.5, lambda x: x * (1 - x)),     # the issue's case: diverges at step 7
    ("-x^3", 0.1, 5.0, lambda x: -x ** 3),
    ("x^2", 3.0, -1.0, lambda x: x * x),
])
def test_iterates_that_diverge_are_said_to_diverge_not_to_converge(text, h, x0, f):
    r = evaluate(Scene(text=text, kind="f", h=h, x0=x0))
    step = first_escape(f, x0, h)
    assert step > 0 and r.outcome.fate is Fate.DIVERGE and r.outcome.step == step
    assert r.outcome_text.startswith("The iterates diverge") and f"at step {step}" in r.outcome_text
    assert "converge" not in r.outcome_text
    assert r.local_text.startswith("Near x* = ")           # the local statement says it is local


def test_the_issues_logistic_case_diverges_at_step_7_although_h_is_locally_monotone():
    r = evaluate(Scene(text="x(1-x)", kind="f", h=0.9, x0=2.5))
    assert r.outcome.step == 7
    assert r.local_text == ("Near x* = 1 (a local statement): h ≤ 1/|f'(x*)| = 1.00, "
                            "so steps close to x* approach it monotonically.")


def test_logistic_at_h_2_is_the_boundary_and_still_converges_slowly():
    r = evaluate(Scene(text="x(1-x)", kind="f", h=2.0, x0=0.3, steps=400))
    assert r.regime == Regime.BOUNDARY.value
    assert "boundary 2/|f'(x*)| = 2.00" in r.local_text
    assert "h >" not in r.local_text and "pushed away" not in r.local_text
    # Numerically: x_n − 1 alternates and shrinks like 1/sqrt(n) (the cubic term decides).
    d = np.abs(r.x - 1.0)
    assert d[400] < d[100] < d[25] and d[400] * math.sqrt(400) == pytest.approx(d[100] * math.sqrt(100), rel=0.1)
    assert r.outcome.target is not None and r.outcome.target.x == pytest.approx(1.0)
    assert r.outcome.oscillating


def test_logistic_at_h_1_is_monotone_with_less_or_equal():
    r = evaluate(Scene(text="x(1-x)", kind="f", h=1.0, x0=0.5))
    assert r.regime == Regime.MONOTONE.value and "h ≤ 1/|f'(x*)| = 1.00" in r.local_text
    assert r.outcome.fate is Fate.CONVERGE and not r.outcome.oscillating
    assert r.outcome_text == "The iterates converge monotonically to x* = 1 (there by step 5)."


@pytest.mark.parametrize("h", [0.5, 0.5000000000000001, 0.49999999999999994])
def test_quartic_at_h_half_is_on_the_boundary_not_beyond_it(h):
    # F = a x² − x⁴ (a = 1), ascent: f = 2x − 4x³, f'(±1/√2) = −4, so 2/|f'(x*)| = 0.5.
    r = evaluate(Scene(text="a*x^2 - x^4", kind="F", h=h, x0=0.5, params=(("a", 1.0),)))
    assert r.attractor.x == pytest.approx(1 / math.sqrt(2))
    assert r.regime == Regime.BOUNDARY.value
    assert "h > 2/|f'(x*)| = 0.5" not in r.local_text and "boundary 2/|f'(x*)| = 0.5" in r.local_text


def test_a_two_cycle_is_named_with_its_values():
    # g(x) = x + h x(1 − x) with h = 2.2: the 2-cycle solves g(g(x)) = x besides 0 and 1.
    h = 2.2
    r = evaluate(Scene(text="x(1-x)", kind="f", h=h, x0=0.5, steps=200))
    g = np.polynomial.Polynomial([0, 1 + h, -h])
    roots = sorted(float(z.real) for z in (g(g) - np.polynomial.Polynomial([0, 1])).roots()
                   if abs(z.imag) < 1e-9 and min(abs(z - 0), abs(z - 1)) > 1e-6)
    assert r.outcome.fate is Fate.CYCLE and sorted(r.outcome.cycle) == pytest.approx(roots, abs=1e-6)
    assert "pushed away" in r.local_text and "h > 2/|f'(x*)| = 2.00" in r.local_text


def test_leaving_the_range_and_resting_at_an_equilibrium():
    r = evaluate(Scene(text="x", kind="f", h=0.1, x0=1.0, x_range=(-0.5, 1.5)))
    # 1.1^n > 1.5 first at n = 5 (1.1^4 = 1.4641, 1.1^5 = 1.61051)
    assert r.outcome.fate is Fate.LEAVE and r.outcome.step == 5
    rest = evaluate(Scene(text="x(1-x)", kind="f", h=0.5, x0=0.0))
    assert rest.outcome.fate is Fate.REST and "is an equilibrium" in rest.outcome_text
    assert "unstable" in rest.local_text


def test_local_sentence_without_an_attractor():
    assert "no stable equilibrium" in local_sentence(None, 0.1)


@settings(max_examples=60, deadline=None)
@given(k=st.floats(0.2, 5.0), h=st.floats(0.01, 1.0), x0=st.floats(-1.0, 1.0).filter(lambda v: abs(v) > 1e-3))
def test_linear_flow_outcome_follows_the_multiplier(k, h, x0):
    """x' = −k x: x_n = (1 − h k)^n x0 exactly, so the multiplier m = 1 − h k decides everything."""
    m = 1.0 - h * k
    steps = 80
    x = x0 * m ** np.arange(steps + 1)
    x[~(np.abs(x) <= 1e12)] = np.nan
    bad = np.nonzero(np.isnan(x))[0]
    problem = FlowProblem.from_text(f"-{k!r}*x", Kind.FIELD, Direction.ASCENT)
    o = iterate_outcome(x, int(bad[0]) if bad.size else -1, problem.equilibria(-2, 2), (-2, 2), h)
    if abs(m) < 0.9:
        assert o.fate in (Fate.CONVERGE, Fate.REST) and o.target.x == 0.0
        assert o.oscillating == (m < -1e-9) or o.reached_at <= 1
    elif abs(m) > 1.1:
        assert o.fate in (Fate.DIVERGE, Fate.LEAVE)


def test_iterates_that_land_in_an_interval_of_equilibria_stop_there():
    r = evaluate(Scene(text="abs(x)-x", kind="F", direction="descent", h=0.3, x0=-0.5))
    # x1 = −0.5 + 0.3·2 = 0.1 > 0, where f = 0.
    assert r.outcome_text == "The iterates stop at x = 0.1 (step 1), inside a whole interval of equilibria [0, 1.5]."
    assert "a whole interval" in r.local_text


def test_iterates_that_land_outside_the_domain_say_so():
    r = evaluate(Scene(text="x^1.5", kind="F", direction="descent", h=0.1, x0=1.0, x_range=(0.0, 2.0)))
    assert r.outcome.fate is Fate.DIVERGE and r.outcome.undefined and r.outcome.last < 0
    assert "where f is not defined" in r.outcome_text
