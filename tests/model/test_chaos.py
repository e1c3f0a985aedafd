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


# ------------------------------------------------------------------- the lab's chaos job (issue 14 §4)
def _scene(**changes):
    from gdviz.model.scene import Scene
    return Scene(text="x(1-x)", kind="f", x0=0.3, **changes)


def test_the_exponent_is_computed_on_the_diagrams_own_grid():
    from gdviz.model.lab import evaluate_chaos, evaluate_orbits
    scene = _scene(h_range=(1.5, 3.0), orbit_h_count=151, orbit_transient=300, orbit_kept=50)
    chaos, orbits = evaluate_chaos(scene), evaluate_orbits(scene)
    np.testing.assert_array_equal(chaos.h, orbits.diagram.h)
    assert chaos.lyapunov.shape == chaos.h.shape
    assert chaos.lyapunov[0] == pytest.approx(-math.log(2), abs=0.01)
    assert chaos.lyapunov[-1] == pytest.approx(math.log(2), abs=0.01)
    # the automatic axis is the diagram's automatic axis too
    auto = _scene(orbit_h_count=40, orbit_transient=100, orbit_kept=20)
    np.testing.assert_array_equal(evaluate_chaos(auto).h, evaluate_orbits(auto).diagram.h)


def test_the_doublings_shown_are_those_inside_the_axis_with_the_ratio_centred_on_each():
    from gdviz.model.lab import evaluate_chaos
    chaos = evaluate_chaos(_scene(h_range=(2.2, 2.566), orbit_h_count=10, orbit_transient=10))
    shown = chaos.shown_doublings()
    assert [d.period for d, _ in shown] == [4, 8, 16]
    hs = [d.h for d in chaos.doublings]
    assert shown[0][1] == pytest.approx((hs[1] - hs[0]) / (hs[2] - hs[1]))     # 4.75
    assert shown[0][1] == pytest.approx(4.75, abs=0.01) and shown[1][1] == pytest.approx(4.66, abs=0.01)
    first = evaluate_chaos(_scene(h_range=(1.0, 2.1), orbit_h_count=10, orbit_transient=10)).shown_doublings()
    assert first == [(chaos.doublings[0], None)]                               # no gap before the first


def test_no_doublings_without_an_attractor_and_the_job_can_be_stopped():
    from gdviz.model.euler import Cancelled
    from gdviz.model.lab import evaluate_chaos
    from gdviz.model.scene import Scene
    chaos = evaluate_chaos(Scene(text="1", kind="f", x0=0.5, h_range=(0.1, 1.0), orbit_h_count=5,
                                 orbit_transient=10))                          # x' = 1: nothing to settle on
    assert chaos.doublings == () and chaos.shown_doublings() == []
    np.testing.assert_array_equal(chaos.lyapunov, 0.0)                         # g' = 1 everywhere
    with pytest.raises(Cancelled):
        evaluate_chaos(_scene(orbit_h_count=10), should_stop=lambda: True)
    with pytest.raises(Cancelled):
        lyapunov(LOGISTIC, np.array([1.0, 2.0]), 0.3, should_stop=lambda: True)
    with pytest.raises(Cancelled):
        period_doublings(LOGISTIC, 1.0, 3, should_stop=lambda: True)


@settings(max_examples=20, deadline=None)
@given(st.floats(0.05, 3.5), st.floats(0.05, 1.2))
def test_checking_divergence_every_few_steps_gives_the_per_step_answer(h, x0):
    """λ(h) from a loop that looks for runaway orbits every step (the definition) equals the one
    that looks every CHECK_EVERY steps, on the cycles, chaos and escapes of the logistic."""
    transient, kept = 37, 211
    x, total, alive = np.array([x0]), 0.0, True        # the same arithmetic, one h, checked every step
    with np.errstate(all="ignore"):
        for n in range(transient + kept):
            if n >= transient and alive:
                total += float(np.log(np.abs(1.0 + h * LOGISTIC.fprime_numeric(x)))[0])
            x = x + h * LOGISTIC.f_numeric(x)
            alive = alive and bool(np.isfinite(x[0])) and abs(float(x[0])) < 1e12
            x = x if alive else np.zeros(1)
    got = float(lyapunov(LOGISTIC, h, x0, transient, kept))
    if alive:
        assert got == pytest.approx(total / kept, rel=1e-9, abs=1e-12)
    else:
        assert math.isnan(got)


EQUATIONS = ("x(1-x)", "x - x^3", "sin(x)", "-x^3", "exp(-x) - x", "sqrt(x)", "log(x)", "1/x", "abs(x)",
             "tan(x)", "1 - x^2", "1e6*x*(1-x)", "-1e-300*(x-1)", "x^x")


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(EQUATIONS), st.sampled_from(("f", "F")), st.sampled_from(("ascent", "descent")),
       st.floats(-3, 3), st.floats(0.01, 4.0), st.floats(0.01, 4.0))
def test_the_chaos_job_gives_data_for_any_equation(text, kind, direction, x0, a, b):
    """Whatever the equation and the range of h: λ on the grid (never an exception) and doublings
    that double in period as h grows, those shown inside the range."""
    from gdviz.model.lab import evaluate_chaos
    from gdviz.model.scene import Scene
    lo, hi = sorted((a, b))
    if hi - lo < 1e-3:
        hi = lo + 1e-3
    chaos = evaluate_chaos(Scene(text=text, kind=kind, direction=direction, x0=x0, h_range=(lo, hi),
                                 orbit_h_count=20, orbit_transient=20))
    assert chaos.h.shape == chaos.lyapunov.shape == (20,)
    periods = [d.period for d in chaos.doublings]
    assert periods == [2 ** (k + 1) for k in range(len(periods))]
    assert all(d1.h < d2.h for d1, d2 in zip(chaos.doublings, chaos.doublings[1:]))
    assert all(lo <= d.h <= hi for d, _ in chaos.shown_doublings())
