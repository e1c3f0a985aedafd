"""The route to chaos measured (gdviz.model.chaos), with issue 14's checks on the logistic
f = x(1 − x), whose Euler map is the logistic map with r = 1 + h."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.chaos import FEIGENBAUM_DELTA, gap_ratios, lyapunov, period_doublings
from gdviz.model.problem import FlowProblem

LOGISTIC = FlowProblem.from_text("x(1-x)", kind="f")


def test_lyapunov_exponents_of_the_logistic():
    exponents = lyapunov(LOGISTIC, np.array([1.5, 3.0]), 0.3)
    assert exponents[0] == pytest.approx(-math.log(2), abs=0.01)      # the fixed point, g' = −1/2
    assert exponents[1] == pytest.approx(math.log(2), abs=0.01)       # r = 4: fully chaotic
    assert lyapunov(LOGISTIC, 1.5, 0.3).shape == ()


def test_the_exponent_is_negative_on_cycles_and_nan_where_the_orbit_diverges():
    exponents = lyapunov(LOGISTIC, np.array([2.2, 2.5, 3.5]), 0.3)
    assert exponents[0] < -0.1 and exponents[1] < -0.01             # a 2-cycle, a 4-cycle
    assert math.isnan(exponents[2])                                   # r = 4.5: escapes


def test_period_doublings_of_the_logistic():
    found = period_doublings(LOGISTIC, 1.0, 4)
    assert [d.period for d in found] == [2, 4, 8, 16]
    expected = [2.0, math.sqrt(6), 2.544090, 2.564407]                # h = r − 1; r₂ = 1 + √6
    for d, h in zip(found, expected):
        assert d.h == pytest.approx(h, abs=1e-5)
    ratios = gap_ratios(found)
    assert ratios[0] == pytest.approx(4.75, abs=0.01) and ratios[1] == pytest.approx(4.66, abs=0.01)


def test_more_doublings_approach_feigenbaums_delta():
    ratios = gap_ratios(period_doublings(LOGISTIC, 1.0, 6))
    assert abs(ratios[-1] - FEIGENBAUM_DELTA) < abs(ratios[0] - FEIGENBAUM_DELTA)
    assert ratios[-1] == pytest.approx(FEIGENBAUM_DELTA, abs=0.02)


@settings(max_examples=15, deadline=None)
@given(st.floats(0.2, 5.0))
def test_the_first_doubling_is_two_over_the_slope(k):
    """x' = k·x(1 − x): x* = 1, f'(x*) = −k, so h₁ = 2/k, and the cascade scales with 1/k."""
    problem = FlowProblem.from_text(f"{k!r}*x*(1-x)", kind="f")
    found = period_doublings(problem, 1.0, 3)
    assert found[0].h == pytest.approx(2 / k, rel=1e-12)
    assert found[1].h == pytest.approx(math.sqrt(6) / k, rel=1e-7)


def test_no_doubling_from_an_unstable_or_flat_point():
    assert period_doublings(LOGISTIC, 0.0) == []                       # f'(0) = 1 > 0
    assert period_doublings(FlowProblem.from_text("-x^3", kind="f"), 0.0) == []
