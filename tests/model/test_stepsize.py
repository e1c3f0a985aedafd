"""Step-size laboratory: one-step methods by hand, orders of convergence, the sweep and the runs."""
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.euler import Cancelled, euler
from gdviz.model.methods import METHODS, final_values, integrate
from gdviz.model.problem import Direction, FlowProblem, Kind
from gdviz.model.stepsize import compare_step_sizes, error_sweep

EPS = np.finfo(np.float64).eps


def logistic(x):
    return x * (1 - x)


def exact_logistic(x0, t):
    return 1 / (1 + (1 - x0) / x0 * math.exp(-t))


@pytest.fixture(scope="module")
def logistic_problem():
    return FlowProblem.from_text("x^2/2 - x^3/3")          # the default scene: f = x - x²


def field(text):
    return FlowProblem.from_text(text, Kind.FIELD, Direction.ASCENT)


# ---------------------------------------------------------------------------------- by hand
def heun_by_hand(f, x, h):
    k1 = f(x)
    k2 = f(x + h * k1)
    return x + h / 2 * (k1 + k2)


def rk4_by_hand(f, x, h):
    k1 = f(x)
    k2 = f(x + h / 2 * k1)
    k3 = f(x + h / 2 * k2)
    k4 = f(x + h * k3)
    return x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def test_methods_table():
    assert list(METHODS) == ["Euler", "Heun", "RK4"]
    assert [(m.order, m.stages) for m in METHODS.values()] == [(1, 1), (2, 2), (4, 4)]
    assert all(m.name == name and m.formula for name, m in METHODS.items())


@pytest.mark.parametrize("x0, h", [(0.1, 0.5), (0.3, 0.1), (1.7, 1.0)])
def test_one_step_on_the_logistic_by_hand(x0, h):
    # The same formulas in exact rational arithmetic: the float result may only differ by rounding.
    fx = lambda x: x * (1 - x)   # noqa: E731  (works on Fractions too)
    xf, hf = Fraction(x0), Fraction(h)
    assert integrate(logistic, x0, h, 1, "Euler")[1] == pytest.approx(float(xf + hf * fx(xf)), abs=1e-15)
    assert abs(integrate(logistic, x0, h, 1, "Heun")[1] - float(heun_by_hand(fx, xf, hf))) <= 1e-14
    assert abs(integrate(logistic, x0, h, 1, "RK4")[1] - float(rk4_by_hand(fx, xf, hf))) <= 1e-14


def test_one_heun_step_on_the_logistic_literal():
    # x̃ = 0.1 + 0.5·0.09 = 0.145, f(x̃) = 0.123975, x1 = 0.1 + 0.25·(0.09 + 0.123975)
    assert abs(integrate(logistic, 0.1, 0.5, 1, "Heun")[1] - 0.15349375) <= 1e-14


@pytest.mark.parametrize("h", [0.1, 0.5, 1.0, 2.5])
def test_one_step_multipliers_on_linear_decay(h):
    x = integrate(lambda x: -x, 1.0, h, 1, "Heun")[1]
    assert abs(x - (1 - h + h ** 2 / 2)) <= 1e-14
    x = integrate(lambda x: -x, 1.0, h, 1, "RK4")[1]
    assert abs(x - (1 - h + h ** 2 / 2 - h ** 3 / 6 + h ** 4 / 24)) <= 1e-14
    x = integrate(lambda x: -x, 1.0, h, 1, "Euler")[1]
    assert abs(x - (1 - h)) <= 1e-15


def test_integrate_broadcasts_like_euler():
    x0 = np.array([[0.1], [0.5]])
    h = np.array([0.1, 0.2, 0.4])
    x = integrate(logistic, x0, h, 10, "RK4")
    assert x.shape == (2, 3, 11)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(x[i, j], integrate(logistic, x0[i, 0], h[j], 10, "RK4"))
    # Euler through integrate is the Euler engine.
    np.testing.assert_array_equal(integrate(logistic, x0, h, 10, "Euler"), euler(logistic, x0, h, 10).x)


def test_integrate_tolerates_blow_up_and_cancels():
    with np.errstate(all="raise"):      # no numpy warnings escape
        x = integrate(lambda x: x * x, 1.0, 0.5, 40, "RK4")
    assert not np.isfinite(x[-1])
    with pytest.raises(Cancelled):
        integrate(logistic, 0.1, 0.01, 1000, "Heun", should_stop=lambda: True)
    with pytest.raises(ValueError, match="unknown method"):
        integrate(logistic, 0.1, 0.1, 3, "Midpoint")


@pytest.mark.parametrize("method", list(METHODS))
def test_final_values_equal_integrate_column_by_column(method):
    t_end = 2.0
    n = np.array([7, 3, 25, 10, 3, 1, 64])
    got = final_values(logistic, 0.1, t_end, n, method)
    assert got.shape == n.shape
    for value, steps in zip(got, n):
        assert value == integrate(logistic, 0.1, t_end / steps, int(steps), method)[-1]


def test_final_values_broadcasts_starts_and_handles_zero_steps():
    x0 = np.array([[0.1], [0.6]])
    n = np.array([0, 4, 9])
    got = final_values(logistic, x0, 1.5, n, "Heun")
    assert got.shape == (2, 3)
    np.testing.assert_array_equal(got[:, 0], [0.1, 0.6])
    assert got[1, 2] == integrate(logistic, 0.6, 1.5 / 9, 9, "Heun")[-1]
    with pytest.raises(Cancelled):
        final_values(logistic, 0.1, 1.0, np.array([1000]), "RK4", should_stop=lambda: True)


def multiplier(method, z):
    return {"Euler": 1 - z,
            "Heun": 1 - z + z ** 2 / 2,
            "RK4": 1 - z + z ** 2 / 2 - z ** 3 / 6 + z ** 4 / 24}[method]


@settings(max_examples=60, deadline=None)
@given(a=st.floats(0.1, 5.0), x0=st.floats(-10.0, 10.0), t_end=st.floats(0.1, 5.0),
       n=st.lists(st.integers(1, 60), min_size=1, max_size=5),
       method=st.sampled_from(list(METHODS)))
def test_linear_decay_follows_the_discrete_multiplier(a, x0, t_end, n, method):
    # x' = -a x: every explicit Runge-Kutta step multiplies by a polynomial in z = a h.
    got = final_values(lambda x: -a * x, x0, t_end, np.array(n), method)
    order = METHODS[method].order
    for value, steps in zip(got, n):
        z = a * (t_end / steps)
        m = multiplier(method, z)
        expected = x0 * m ** steps
        # Each step rounds at the size of its terms (sum of |z|^k/k!); errors grow like |m|^N.
        terms = sum(abs(z) ** k / math.factorial(k) for k in range(order + 1))
        tol = 64 * EPS * steps * terms * abs(x0) * max(1.0, abs(m)) ** steps + 1e-300
        assert abs(value - expected) <= tol


# ---------------------------------------------------------------------------------- orders
SWEEPS = [("x^2/2 - x^3/3", Kind.OBJECTIVE, 0.1, 5.0),     # logistic: exact reference
          ("-x", Kind.FIELD, 1.0, 5.0),                    # linear decay: exact reference
          ("cos(x)", Kind.FIELD, 0.0, 5.0),                # numerical reference
          ("sin(x)", Kind.FIELD, 1.0, 4.0)]


@pytest.mark.parametrize("text, kind, x0, t_end", SWEEPS)
def test_fitted_slopes_are_the_orders(text, kind, x0, t_end):
    problem = FlowProblem.from_text(text, kind, Direction.ASCENT)
    sweep = error_sweep(problem, x0, t_end)
    for name, method in METHODS.items():
        assert sweep.slopes[name] == pytest.approx(method.order, abs=0.1), name
        assert sweep.fit_mask[name].dtype == bool and sweep.fit_mask[name].sum() >= 5
    assert sweep.note == ""


def test_sweep_step_sizes(logistic_problem):
    sweep = error_sweep(logistic_problem, 0.1, 5.0)
    h = sweep.h
    assert h.shape == (30,) and np.all(np.diff(h) > 0)
    n = 5.0 / h
    np.testing.assert_allclose(n, np.round(n), rtol=0, atol=1e-9)   # every run lands on t_end
    assert len(np.unique(np.round(n))) == 30
    # h_max <= t_end/4 and <= h_stable/2 of the attractor x* = 1 (f'(1) = -1: h_stable = 2).
    assert h[-1] <= 1.0 + 1e-12
    assert h[-1] >= 0.5              # ... but not needlessly small
    assert np.round(n).max() <= 500  # a modest loop
    assert sweep.x_exact == pytest.approx(exact_logistic(0.1, 5.0), abs=1e-14)
    assert set(sweep.errors) == {"Euler", "Heun", "RK4"}
    for err in sweep.errors.values():
        assert err.shape == (30,) and np.all(np.isfinite(err))
    # Where the fit looks (h <= 1/8), the higher order method is the more accurate one.
    small = h <= 0.125
    assert small.sum() >= 10
    assert np.all(sweep.errors["RK4"][small] < sweep.errors["Heun"][small])
    assert np.all(sweep.errors["Heun"][small] < sweep.errors["Euler"][small])
    assert np.all(sweep.fit_mask["Euler"] <= small)


def test_sweep_errors_match_the_euler_engine(logistic_problem):
    sweep = error_sweep(logistic_problem, 0.1, 5.0, methods=("Euler",))
    assert set(sweep.errors) == {"Euler"}
    for h, err in zip(sweep.h[::7], sweep.errors["Euler"][::7]):
        steps = int(round(5.0 / h))
        direct = abs(euler(logistic, 0.1, 5.0 / steps, steps).x[-1] - exact_logistic(0.1, 5.0))
        assert err == pytest.approx(direct, rel=1e-9, abs=1e-15)


def test_sweep_respects_a_stiff_attractor():
    # x' = -10 (x - 1) from 0: f' = -10 everywhere, so h_max = 1/10 (h_stable/2), not t_end/4.
    sweep = error_sweep(field("-10(x - 1)"), 0.0, 0.5)
    assert sweep.h[-1] <= 0.1 + 1e-12
    assert sweep.slopes["Euler"] == pytest.approx(1, abs=0.1)
    assert sweep.slopes["RK4"] == pytest.approx(4, abs=0.1)
    assert sweep.note == ""


def test_sweep_says_when_the_slope_drifts():
    # Fifteen time constants: Euler's error is x(t)(exp(-t·h/2) - 1), visibly curved in log-log.
    sweep = error_sweep(field("-x"), 1.0, 15.0)
    assert "Euler's slope drifts" in sweep.note
    assert 0.75 < sweep.slopes["Euler"] < 0.95


def test_sweep_with_explicit_h_max_and_roundoff(logistic_problem):
    sweep = error_sweep(logistic_problem, 0.1, 5.0, count=12, h_max=0.5)
    assert sweep.h.shape == (12,) and sweep.h[-1] <= 0.5
    # x0 at the equilibrium: every method is exact, there is nothing to fit.
    still = error_sweep(logistic_problem, 1.0, 5.0)
    assert all(math.isnan(s) for s in still.slopes.values())
    assert not any(m.any() for m in still.fit_mask.values())
    assert "round-off" in still.note


def test_sweep_refuses_what_it_cannot_do(logistic_problem):
    with pytest.raises(ValueError, match="does not reach t = 2"):
        error_sweep(field("x^2"), 1.0, 2.0)                  # x(t) = 1/(1 - t) blows up at t = 1
    with pytest.raises(ValueError, match="unknown method"):
        error_sweep(logistic_problem, 0.1, 5.0, methods=("Euler", "Midpoint"))
    with pytest.raises(ValueError):
        error_sweep(logistic_problem, 0.1, 0.0)
    with pytest.raises(ValueError):
        error_sweep(logistic_problem, math.nan, 5.0)
    with pytest.raises(ValueError):
        error_sweep(logistic_problem, 0.1, 5.0, h_max=-1.0)
    with pytest.raises(Cancelled):
        error_sweep(logistic_problem, 0.1, 5.0, should_stop=lambda: True)


# -------------------------------------------------------------------------- compare h side by side
def test_compare_runs_cover_the_span(logistic_problem):
    runs = compare_step_sizes(logistic_problem, 0.1, [1.0, 0.5, 0.1], 15.0)
    assert [r.h for r in runs] == [1.0, 0.5, 0.1]
    assert [len(r.x) for r in runs] == [16, 31, 151]
    for r in runs:
        assert r.x[0] == 0.1 and r.t[0] == 0.0
        assert r.t[-1] == pytest.approx(15.0)
        assert r.diverged_at == -1
        assert r.error == pytest.approx(abs(r.x[-1] - exact_logistic(0.1, r.t[-1])), abs=1e-14)
    assert runs[0].x[1] == pytest.approx(0.1 + 1.0 * 0.1 * 0.9)


def test_compare_errors_are_finite_and_ordered(logistic_problem):
    runs = compare_step_sizes(logistic_problem, 0.1, [1.0, 0.5, 0.1], 5.0)
    errors = [r.error for r in runs]
    assert all(math.isfinite(e) and e > 0 for e in errors)
    assert errors[0] > errors[1] > errors[2]


def test_compare_euler_error_is_proportional_to_h(logistic_problem):
    coarse, fine, finer = compare_step_sizes(logistic_problem, 0.1, [0.02, 0.01, 0.005], 5.0)
    assert 1.9 < coarse.error / fine.error < 2.1
    assert 1.9 < fine.error / finer.error < 2.1


def test_compare_h_that_does_not_divide_the_span(logistic_problem):
    (run,) = compare_step_sizes(logistic_problem, 0.1, [0.3], 1.0)   # 4 steps to t = 1.2
    assert len(run.x) == 5 and run.t[-1] == pytest.approx(1.2)
    assert run.error == pytest.approx(abs(run.x[-1] - exact_logistic(0.1, 1.2)), abs=1e-14)
    (run,) = compare_step_sizes(logistic_problem, 0.1, [0.1], 0.3)   # 0.3/0.1 = 2.9999999999999996
    assert len(run.x) == 4


def test_compare_diverging_step(logistic_problem):
    # Euler's logistic map x + h x(1 - x) stays in [0, 4/3] up to h = 3; h = 4 escapes.
    (run,) = compare_step_sizes(logistic_problem, 0.1, [4.0], 40.0)
    assert run.diverged_at >= 0
    assert math.isnan(run.error)
    assert np.all(np.isnan(run.x[run.diverged_at:]))


def test_compare_refuses_bad_step_sizes(logistic_problem):
    for bad in (0.0, -0.1, math.nan, math.inf):
        with pytest.raises(ValueError, match="positive"):
            compare_step_sizes(logistic_problem, 0.1, [0.5, bad], 5.0)
    with pytest.raises(ValueError, match=r"h = 1e-06 needs 5,000,000 steps"):
        compare_step_sizes(logistic_problem, 0.1, [0.5, 1e-6], 5.0)
    with pytest.raises(ValueError):
        compare_step_sizes(logistic_problem, 0.1, [0.5], -1.0)
