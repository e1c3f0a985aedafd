"""Reference solutions x(t): closed forms from the article, blow-up, numerical accuracy, no warnings."""
from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model import reference as ref_module
from gdviz.model.problem import Direction, FlowProblem, Kind
from gdviz.model.reference import Reference, reference_solution

F, f = Kind.OBJECTIVE, Kind.FIELD
UP, DOWN = Direction.ASCENT, Direction.DESCENT


def problem(text: str, kind: Kind = f, direction: Direction = UP, **params: float) -> FlowProblem:
    return FlowProblem.from_text(text, kind, direction, params)


def solve(p: FlowProblem, x0, t_end: float, n: int = 400, numeric: bool = False) -> Reference:
    """reference_solution with every warning an error and numpy raising on any FP event;
    numeric=True hides the closed form so the integrator is tested on the same problem."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            if not numeric:
                return reference_solution(p, x0, t_end, n)
            saved = ref_module._closed_form
            ref_module._closed_form = lambda problem: None
            try:
                return reference_solution(p, x0, t_end, n)
            finally:
                ref_module._closed_form = saved


def close(actual: np.ndarray, expected: np.ndarray, tol: float) -> None:
    """Error below tol, relative to max(1, |x|) (a blowing-up curve is large just before it ends)."""
    both = np.isfinite(actual)
    assert np.array_equal(both, np.isfinite(expected) & both)
    err = np.abs(actual[both] - expected[both]) / np.maximum(1.0, np.abs(expected[both]))
    assert err.max(initial=0.0) < tol, err.max()


def logistic(x0: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The article's solution 1/(1 + c e^{-t}) with c = (1 - x0)/x0."""
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + (1.0 - x0[:, None]) / x0[:, None] * np.exp(-t[None, :]))


# --------------------------------------------------------------------------- closed forms
def test_logistic_is_the_sigmoid_family():
    x0 = np.array([0.1, 0.5, 0.9, 1.0, 2.0])
    r = solve(problem("x(1-x)"), x0, 10.0)
    assert r.exact and r.t.shape == (400,) and r.x.shape == (5, 400)
    assert r.t[0] == 0.0 and r.t[-1] == 10.0
    close(r.x, logistic(x0, r.t), 1e-14)
    assert np.isnan(r.blowup_t).all() and r.note == ""
    assert r.formula is not None and "c" in r.formula and "x₀" in r.formula
    # c = 1 is the sigmoid itself: x0 = 1/2
    np.testing.assert_allclose(r.x[1], 1 / (1 + np.exp(-r.t)), rtol=1e-14)


def test_logistic_ascent_on_F_is_the_same_flow():
    r1 = solve(problem("x^2/2 - x^3/3", F, UP), [0.2, 1.7], 6.0)
    r2 = solve(problem("x(1-x)"), [0.2, 1.7], 6.0)
    np.testing.assert_array_equal(r1.x, r2.x)


def test_logistic_below_zero_blows_down_in_finite_time():
    x0 = np.array([-0.1, -1.0])
    r = solve(problem("x(1-x)"), x0, 5.0)
    expected_t = np.log((1 - x0) / -x0)                     # where 1 + c e^{-t} = 0
    np.testing.assert_allclose(r.blowup_t, expected_t, rtol=1e-14)
    for row, t_star in zip(r.x, expected_t):
        assert np.isfinite(row[r.t < t_star - 1e-3]).all() and np.isnan(row[r.t >= t_star]).all()
    close(r.x, logistic(x0, r.t), 1e-12)
    assert "2 of 2 solutions blow up" in r.note


def test_exponential_growth_and_decay():
    r = solve(problem("x"), [1.0, -2.0, 0.0], 3.0)
    np.testing.assert_allclose(r.x, np.array([[1.0], [-2.0], [0.0]]) * np.exp(r.t), rtol=1e-14)
    assert r.formula is not None and "x₀" in r.formula
    r = solve(problem("2 - 3x"), [0.0], 4.0)                  # x* = 2/3, rate -3
    np.testing.assert_allclose(r.x[0], 2 / 3 - 2 / 3 * np.exp(-3 * r.t), atol=1e-15)


def test_constant_and_zero_fields():
    r = solve(problem("2"), [1.0], 1.0, n=5)
    np.testing.assert_allclose(r.x[0], 1.0 + 2.0 * r.t)
    r = solve(problem("0"), [0.3, -4.0], 1.0, n=5)
    assert r.exact and (r.x == np.array([[0.3], [-4.0]])).all()


def test_x_squared_blows_up_at_one():
    r = solve(problem("x^2"), 1.0, 2.0, n=401)
    assert r.exact and r.blowup_t.shape == (1,) and r.blowup_t[0] == 1.0
    assert "blows up at t = 1" in r.note
    before, after = r.t < 0.999, r.t >= 1.0
    np.testing.assert_allclose(r.x[0, before], 1 / (1 - r.t[before]), rtol=1e-14)
    assert np.isnan(r.x[0, after]).all()
    assert r.formula is not None and "c − t" in r.formula and "x₀" in r.formula    # 1/(c − t), c = 1/x₀


def test_x_squared_from_the_left_approaches_the_semi_stable_point():
    r = solve(problem("x^2"), [-1.0, 0.0], 10.0)
    np.testing.assert_allclose(r.x[0], -1 / (1 + r.t), rtol=1e-14)
    assert (r.x[1] == 0).all() and np.isnan(r.blowup_t).all() and r.note == ""


def test_double_root_with_negative_leading_coefficient():
    # x' = -(x - 1)²: 1/(x - 1) = 1/(x0 - 1) + t
    x0 = np.array([0.5, 1.5])
    r = solve(problem("-(x-1)^2"), x0, 5.0)
    d = x0[:, None] - 1
    with np.errstate(all="ignore"):
        expected = 1 + d / (1 + d * r.t)
    np.testing.assert_allclose(r.blowup_t, [2.0, np.nan])
    expected[0, r.t >= 2.0] = np.nan
    close(r.x, expected, 1e-13)
    assert r.x[1, -1] == pytest.approx(1 + 0.5 / (1 + 0.5 * 5.0), rel=1e-14)


def test_complex_roots_give_tan():
    x0 = np.array([0.0, 1.0, -3.0])
    r = solve(problem("1 + x^2"), x0, 3.0)
    t_star = math.pi / 2 - np.arctan(x0)
    np.testing.assert_allclose(r.blowup_t, t_star, rtol=1e-14)
    with np.errstate(all="ignore"):
        expected = np.where(r.t >= t_star[:, None], np.nan, np.tan(r.t + np.arctan(x0)[:, None]))
    close(r.x, expected, 1e-12)
    assert r.formula is not None and "tan" in r.formula
    # the same with p < 0 runs to -infinity: x' = -(1 + x²) from 0 blows down at pi/2
    r = solve(problem("-1 - x^2"), [0.0], 3.0)
    assert r.blowup_t[0] == pytest.approx(math.pi / 2, rel=1e-14)


def test_descent_flips_the_flow():
    # descent on F = x²/2 - x³/3: f = x² - x, so 0 attracts and 1 repels
    x0 = np.array([0.5, 0.99, 1.01])
    r = solve(problem("x^2/2 - x^3/3", F, DOWN), x0, 6.0)
    with np.errstate(all="ignore"):                      # x = 1/(1 + c e^{t}), c = (1 - x0)/x0
        expected = 1 / (1 + (1 - x0[:, None]) / x0[:, None] * np.exp(r.t[None, :]))
    t_star = math.log(1.01 / 0.01)                       # 1.01 runs off to +infinity
    expected[2, r.t >= t_star] = np.nan
    close(r.x, expected, 1e-12)
    assert r.blowup_t[2] == pytest.approx(t_star, rel=1e-14) and np.isnan(r.blowup_t[:2]).all()


def test_parameters_reach_the_closed_form():
    r = solve(problem("r x (1 - x/K)", r=2.0, K=3.0), [0.3], 5.0)
    expected = 3.0 / (1 + (3.0 - 0.3) / 0.3 * np.exp(-2.0 * r.t))
    np.testing.assert_allclose(r.x[0], expected, rtol=1e-13)


# ----------------------------------------------------------------------- numerical path
X0 = np.linspace(-3, 3, 20)


def sine_flow(x0: np.ndarray, t: np.ndarray, k: float = 1.0) -> np.ndarray:
    """x' = k sin x: x = 2 atan(tan(x0/2) e^{kt}), on the branch of x0."""
    return 2 * np.arctan(np.tan(x0[:, None] / 2) * np.exp(k * t[None, :]))


@pytest.mark.parametrize("k", [1.0, 5.0])
def test_numeric_sine_flow_against_its_closed_form(k):
    r = solve(problem("k sin(x)", k=k), X0, 10.0)
    assert not r.exact and r.formula is None and r.note == ""
    close(r.x, sine_flow(X0, r.t, k), 1e-8)
    assert np.abs(r.x - sine_flow(X0, r.t, k)).max() < 1e-10     # in fact far better


def test_numeric_stiff_flow_is_followed_not_crawled():
    """|f'(x*)| = 1000 at the attractors: windows stay long thanks to the frozen-Jacobian solve."""
    r = solve(problem("-1000 sin(x)"), X0, 10.0)
    close(r.x, sine_flow(X0, r.t, -1000.0), 1e-8)
    assert r.note == ""


def test_work_is_bounded(monkeypatch):
    monkeypatch.setattr(ref_module, "MAX_F_CALLS", 30)
    r = solve(problem("sin(x)"), X0, 10.0)
    assert "cut short" in r.note
    assert (r.x[:, 0] == X0).all() and np.isnan(r.x[:, -1]).all()


def test_numeric_cubic_decay_against_its_closed_form():
    r = solve(problem("-x^3 + 0*sin(x)"), X0, 10.0, numeric=True)
    close(r.x, X0[:, None] / np.sqrt(1 + 2 * X0[:, None] ** 2 * r.t[None, :]), 1e-8)


def test_numeric_logistic_matches_the_exact_path_including_blow_ups():
    x0 = np.linspace(-2, 3, 15)
    exact = solve(problem("x(1-x)"), x0, 8.0)
    numeric = solve(problem("x(1-x)"), x0, 8.0, numeric=True)
    assert exact.exact and not numeric.exact
    blew = np.isfinite(exact.blowup_t)
    assert np.array_equal(blew, np.isfinite(numeric.blowup_t))
    np.testing.assert_allclose(numeric.blowup_t[blew], exact.blowup_t[blew], rtol=1e-8)
    both = np.isfinite(exact.x) & np.isfinite(numeric.x)
    err = np.abs(numeric.x - exact.x)[both] / np.maximum(1, np.abs(exact.x[both]))
    assert err.max() < 1e-8
    # the curves end at the same output point, give or take one (the bound is met between them)
    ends_exact = np.isnan(exact.x).argmax(axis=1)[blew]
    ends_numeric = np.isnan(numeric.x).argmax(axis=1)[blew]
    assert np.all(np.abs(ends_exact - ends_numeric) <= 1)


def test_numeric_blow_up_of_exp():
    r = solve(problem("exp(x)"), [0.0], 2.0)                 # x = -ln(1 - t): blows up at t = 1
    assert r.blowup_t[0] == pytest.approx(1.0, abs=1e-9)
    assert "blows up near t ≈ 1" in r.note
    before = r.t < 0.999
    close(r.x[:, before], -np.log(1 - r.t[before])[None, :], 1e-8)
    assert np.isnan(r.x[0, r.t > 1.0]).all()


def test_numeric_blow_up_of_a_cubic():
    # x' = x³ + 0·sin: x = x0/sqrt(1 - 2 x0² t), blow-up at 1/(2 x0²)
    x0 = np.array([0.5, 1.0, -1.0, 0.0])
    r = solve(problem("x^3 + 0*sin(x)"), x0, 3.0, numeric=True)
    with np.errstate(all="ignore"):
        expected = x0[:, None] / np.sqrt(1 - 2 * x0[:, None] ** 2 * r.t[None, :])
    np.testing.assert_allclose(r.blowup_t, [2.0, 0.5, 0.5, np.nan], rtol=1e-8)
    # compare where the oracle itself is trustworthy: not within 1e-9 of the pole
    away = r.t[None, :] < np.nan_to_num(r.blowup_t, nan=np.inf)[:, None] - 1e-9
    err = np.abs(r.x - expected)[away] / np.maximum(1, np.abs(expected[away]))
    assert err.max() < 1e-8
    assert np.isnan(r.x[~away]).all() or np.nanmax(np.abs(r.x[~away])) > 1e3
    assert "3 of 4 solutions blow up" in r.note


def test_numeric_exponential_growth_is_not_called_a_blow_up():
    r = solve(problem("x"), [1.0], 25.0, numeric=True)
    t_exit = math.log(1e8)
    assert np.isnan(r.blowup_t[0])
    assert "grows without bound" in r.note
    visible = r.t < t_exit - 0.1
    np.testing.assert_allclose(r.x[0, visible], np.exp(r.t[visible]), rtol=1e-9)
    assert np.isnan(r.x[0, r.t > t_exit + 0.1]).all()


def test_numeric_curve_stops_where_f_is_undefined():
    r = solve(problem("-1/x"), [1.0, -2.0], 1.0)            # x = sqrt(1 - 2t) reaches 0 at t = 1/2
    before = r.t < 0.49
    np.testing.assert_allclose(r.x[0, before], np.sqrt(1 - 2 * r.t[before]), rtol=1e-8)
    assert np.isnan(r.x[0, r.t > 0.5]).all()
    np.testing.assert_allclose(r.x[1], -np.sqrt(4 - 2 * r.t), rtol=1e-8)    # -2 moves away
    assert np.isnan(r.blowup_t).all() and "not defined" in r.note
    r = solve(problem("log(x)"), [0.5, 2.0, -1.0], 3.0)      # 0.5 runs into 0; -1 is outside
    assert np.isnan(r.x[0, -1]) and np.isfinite(r.x[1]).all()
    assert r.x[2, 0] == -1.0 and np.isnan(r.x[2, 1:]).all()         # only its start is drawn
    assert "2 of 3 solutions reach a point where f is not defined" in r.note


def test_numeric_field_that_is_zero_up_to_rounding():
    r = solve(problem("sin(x)^2 + cos(x)^2 - 1"), [0.3, 2.0], 10.0)
    np.testing.assert_allclose(r.x, np.array([[0.3], [2.0]]) * np.ones(400), atol=1e-12)


def test_equilibrium_starts_stay_put():
    r = solve(problem("sin(x)"), [0.0, math.pi], 10.0)
    np.testing.assert_allclose(r.x[0], 0.0, atol=1e-15)
    np.testing.assert_allclose(r.x[1], math.pi, atol=1e-12)


def test_shapes_and_edge_cases():
    p = problem("sin(x)")
    r = solve(p, 0.5, 0.0, n=7)
    assert r.x.shape == (1, 7) and (r.x == 0.5).all() and (r.t == 0).all()
    r = solve(p, np.array([[0.5, np.nan]]), 1.0, n=3)
    assert r.x.shape == (2, 3) and np.isnan(r.x[1]).all() and np.isfinite(r.x[0]).all()
    r = solve(p, [], 1.0, n=3)
    assert r.x.shape == (0, 3) and r.blowup_t.shape == (0,)
    with pytest.raises(ValueError):
        reference_solution(p, 0.5, math.inf)


def test_reference_is_a_frozen_value():
    r = solve(problem("x"), 1.0, 1.0)
    with pytest.raises(AttributeError):
        r.note = "x"  # type: ignore[misc]


def test_numeric_path_is_fast_enough_for_a_slider():
    """20 starts x 400 points over 10 time units: the UI recomputes this on every slider move."""
    p = problem("sin(x)")
    solve(p, X0, 10.0)
    start = time.perf_counter()
    for _ in range(5):
        reference_solution(p, X0, 10.0, 400)
    per_call = (time.perf_counter() - start) / 5
    assert per_call < 0.1          # ~10 ms measured; generous so a busy CI machine does not flake


# ------------------------------------------------------------- a blow-up exactly at t_end
@pytest.mark.parametrize("text, x0, t_blow", [("x^3", 0.5, 2.0), ("exp(x)", 0.0, 1.0)])
@pytest.mark.parametrize("n_points", [2, 21, 600])
def test_a_blow_up_exactly_at_the_end_is_reported(text, x0, t_blow, n_points):
    """x' = x³ from 0.5 blows up at 1/(2·0.5²) = 2; x' = e^x from 0 at 1 (x = −ln(1 − t))."""
    ref = reference_solution(FlowProblem.from_text(text, Kind.FIELD), x0, t_blow, n_points)
    assert ref.blowup_t[0] == pytest.approx(t_blow, abs=1e-6)
    assert np.isnan(ref.x[0, -1]) and "blows up" in ref.note


@settings(max_examples=25, deadline=None)
@given(x0=st.floats(0.3, 2.0), cubic=st.booleans())
def test_blow_up_at_the_end_time_is_found_for_any_start(x0, cubic):
    text, t_blow = ("x^3", 1.0 / (2.0 * x0 * x0)) if cubic else ("exp(x)", math.exp(-x0))
    ref = reference_solution(FlowProblem.from_text(text, Kind.FIELD), x0, t_blow, 50)
    assert ref.blowup_t[0] == pytest.approx(t_blow, rel=1e-6)


def test_the_lab_measures_the_error_before_a_blow_up_at_the_end():
    from gdviz.model.lab import evaluate_lab
    from gdviz.model.results import evaluate
    from gdviz.model.scene import Scene
    for scene, t_blow in [(Scene(text="x^3", kind="f", x0=0.5, steps=20, h=0.1), 2.0),
                          (Scene(text="exp(x)", kind="f", x0=0.0, steps=10, h=0.1), 1.0)]:
        assert any("blows up" in m for m in evaluate(scene).messages)
        lab = evaluate_lab(scene)
        assert lab.sweep is not None and 0 < lab.sweep.t_end <= 0.5 * t_blow + 1e-12, lab.sweep_note
