"""FlowProblem: F and f = ±F', every equilibrium with its stability, F's critical points, Euler's regimes."""
from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.expressions import ExpressionError, parse
from gdviz.model.problem import (
    Critical,
    Direction,
    Equilibrium,
    FlowProblem,
    Kind,
    Regime,
    Stability,
)

S, U, SS = Stability.STABLE, Stability.UNSTABLE, Stability.SEMI_STABLE
MAX, MIN, NEI = Critical.MAXIMUM, Critical.MINIMUM, Critical.NEITHER
F, f = Kind.OBJECTIVE, Kind.FIELD
UP, DOWN = Direction.ASCENT, Direction.DESCENT
PI = math.pi


def problem(text: str, kind: Kind = F, direction: Direction = UP, **params: float) -> FlowProblem:
    return FlowProblem.from_text(text, kind, direction, params)


def strict(fn, *args):
    """Call fn with every warning an error and numpy raising on any floating-point event."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return fn(*args)


# (text, kind, direction, params, interval, [(x*, stability, critical, slope)])
# Slopes are f'(x*) worked out by hand; None where f'(x*) = 0 (multiple roots).
TABLE = [
    # The article: ascent on F = x²/2 - x³/3 is the logistic flow x' = x(1 - x).
    ("x^2/2 - x^3/3", F, UP, {}, (-1, 2), [(0, U, MIN, 1.0), (1, S, MAX, -1.0)]),
    ("x(1-x)", f, UP, {}, (-1, 2), [(0, U, MIN, 1.0), (1, S, MAX, -1.0)]),
    # Seed 003: descent on 6x² - 12x + 3: f = 12 - 12x, minimum at 1 is the stable point.
    ("6x^2 - 12x + 3", F, DOWN, {}, (-2, 3), [(1, S, MIN, -12.0)]),
    ("x^2", f, UP, {}, (-1, 1), [(0, SS, NEI, None)]),
    ("-x^3", f, UP, {}, (-1, 1), [(0, S, MAX, None)]),
    ("x^3", f, UP, {}, (-1, 1), [(0, U, MIN, None)]),
    ("x^3", F, UP, {}, (-1, 1), [(0, SS, NEI, None)]),           # the article's "neither"
    ("x^3", F, DOWN, {}, (-1, 1), [(0, SS, NEI, None)]),
    ("sin(x)", f, UP, {}, (-7, 7),
     [(-2 * PI, U, MIN, 1.0), (-PI, S, MAX, -1.0), (0, U, MIN, 1.0), (PI, S, MAX, -1.0),
      (2 * PI, U, MIN, 1.0)]),
    ("sin(x)", f, DOWN, {}, (-4, 4), [(-PI, S, MIN, -1.0), (0, U, MAX, 1.0), (PI, S, MIN, -1.0)]),
    ("(x-1)^2 (x-2)", f, UP, {}, (-3, 3), [(1, SS, NEI, None), (2, U, MIN, 1.0)]),
    ("1/x", f, UP, {}, (-1, 1), []),                            # a pole changes sign, it is no root
    ("log(x)", f, UP, {}, (-1, 3), [(1, U, MIN, 1.0)]),        # undefined for x <= 0
    ("x^4/4 - x^2/2", F, DOWN, {}, (-2, 2), [(-1, S, MIN, -2.0), (0, U, MAX, 1.0), (1, S, MIN, -2.0)]),
    ("a x - x^3", f, UP, {"a": -1.0}, (-2, 2), [(0, S, MAX, -1.0)]),
    ("a x - x^3", f, UP, {"a": 1.0}, (-2, 2), [(-1, S, MAX, -2.0), (0, U, MIN, 1.0), (1, S, MAX, -2.0)]),
    ("a x - x^3", f, UP, {"a": 0.0}, (-2, 2), [(0, S, MAX, None)]),     # the pitchfork point
    ("a x - x^3", f, UP, {}, (-2, 2), [(-1, S, MAX, -2.0), (0, U, MIN, 1.0), (1, S, MAX, -2.0)]),  # a = 1
    ("(x - a)^2", f, UP, {"a": 0.3}, (-1, 1), [(0.3, SS, NEI, None)]),  # stays a double root
    # Non-polynomial multiple roots: found by sampling, not by algebra.
    ("sin(x)^2", f, UP, {}, (-4, 4), [(-PI, SS, NEI, None), (0, SS, NEI, None), (PI, SS, NEI, None)]),
    ("-sin(x)^3", f, UP, {}, (-1, 1), [(0, S, MAX, None)]),
    ("sin(x)^3", f, UP, {}, (-1, 1), [(0, U, MIN, None)]),
    ("exp(x) - 1 - x", f, UP, {}, (-2, 2), [(0, SS, NEI, None)]),
    ("(cos(x) - 1/2)^2", f, UP, {}, (0, 2), [(PI / 3, SS, NEI, None)]),
    ("tan(x)", f, UP, {}, (-4, 4), [(-PI, U, MIN, 1.0), (0, U, MIN, 1.0), (PI, U, MIN, 1.0)]),
    ("sqrt(x) - 1", f, UP, {}, (-2, 3), [(1, U, MIN, 0.5)]),
    # High degree: expanded coefficients up to 3e6 (roots polished on the user's form), and
    # degrees where sampling takes over (a run of underflowing zeros is one root).
    ("(x+1)^24 - 1", f, UP, {}, (-2, 2), [(-2, S, MAX, -24.0), (0, U, MIN, 24.0)]),
    ("(x+1)^100 - 1", f, UP, {}, (-2, 2), [(-2, S, MAX, -100.0), (0, U, MIN, 100.0)]),
    ("x^100", f, UP, {}, (-2, 2), [(0, SS, NEI, None)]),
    ("-x^61", f, UP, {}, (-2, 2), [(0, S, MAX, None)]),
    ("exp(-1/x^2)", f, UP, {}, (-2, 2), [(0, SS, NEI, None)]),
    ("exp(x)", f, UP, {}, (-5, 5), []),
    ("x^2 + 1", f, UP, {}, (-5, 5), []),
]


@pytest.mark.parametrize("text, kind, direction, params, interval, expected", TABLE,
                         ids=[f"{t}-{k.value}-{d.value}-{p}" for t, k, d, p, _, _ in TABLE])
def test_equilibria_table(text, kind, direction, params, interval, expected):
    p = problem(text, kind, direction, **params)
    eqs = strict(p.equilibria, *interval)
    assert [e.stability for e in eqs] == [e[1] for e in expected]
    assert [e.critical for e in eqs] == [e[2] for e in expected]
    np.testing.assert_allclose([e.x for e in eqs], [e[0] for e in expected], atol=1e-9)
    for eq, (_, stability, _, slope) in zip(eqs, expected):
        if slope is None:
            assert eq.slope == 0.0 and eq.h_stable == math.inf
        else:
            assert eq.slope == pytest.approx(slope, rel=1e-9)
        assert eq.multiplicity_even == (stability is SS)
    assert p.f_is_zero is False


def test_sorted_and_inside_the_interval():
    eqs = problem("sin(x)", f).equilibria(-10, 10)
    xs = [e.x for e in eqs]
    assert xs == sorted(xs) and len(xs) == 7
    assert all(-10 <= x <= 10 for x in xs)
    assert problem("sin(x)", f).equilibria(0.5, 3.0) == []
    # reversed bounds are the same interval
    assert [e.x for e in problem("x(1-x)", f).equilibria(2, -1)] == [0.0, 1.0]


def test_roots_on_the_interval_edges_count():
    assert [e.x for e in problem("x(1-x)", f).equilibria(0, 1)] == [0.0, 1.0]
    np.testing.assert_allclose([e.x for e in problem("sin(x)", f).equilibria(0, PI)], [0, PI], atol=1e-12)


def test_field_identically_zero():
    for text in ("0", "x - x", "sin(x)^2 + cos(x)^2 - 1"):
        p = problem(text, f)
        assert p.f_is_zero, text
        assert strict(p.equilibria, -3, 3) == []


def test_critical_point_matches_the_flow():
    """With descent a local minimum of F is the stable equilibrium; with ascent a local maximum."""
    for text in ("x^4/4 - x^2/2", "x^2/2 - x^3/3", "cos(x)", "6x^2 - 12x + 3", "x^3"):
        for direction, good in ((UP, MAX), (DOWN, MIN)):
            for e in problem(text, F, direction).equilibria(-4, 4):
                assert (e.stability is S) == (e.critical is good), (text, direction, e)


def test_second_derivative_test_agrees_with_F():
    """F'' at x* (symbolic F, differentiated numerically here) has the sign the critical point says."""
    p = problem("x^4/4 - x^2/2 + x/10", F, DOWN)
    for e in p.equilibria(-2, 2):
        h = 1e-4
        F2 = (p.F_numeric(e.x + h) - 2 * p.F_numeric(e.x) + p.F_numeric(e.x - h)) / h ** 2
        assert (F2 < 0) == (e.critical is MAX) and (F2 > 0) == (e.critical is MIN)


# -------------------------------------------------------------------------- Euler regimes
def test_regime_thresholds_seed_parabola():
    # descent on 6x² - 12x + 3: f'(1) = -12, so h < 1/12 monotone, 1/12 < h < 1/6 oscillating.
    (e,) = problem("6x^2 - 12x + 3", F, DOWN).equilibria(-2, 3)
    assert e.h_monotone == pytest.approx(1 / 12) and e.h_stable == pytest.approx(1 / 6)
    assert e.regime(0.03) is Regime.MONOTONE            # the seed's learning rate
    assert e.regime(1 / 12) is Regime.MONOTONE          # one step lands on x* (multiplier 0)
    assert e.regime(0.1) is Regime.OSCILLATING
    assert e.regime(1 / 6) is Regime.BOUNDARY           # multiplier -1: here a neutral 2-cycle
    assert e.regime(0.2) is Regime.DIVERGENT


def test_regime_logistic_and_double_well():
    eqs = problem("x(1-x)", f).equilibria(-1, 2)
    assert eqs[0].regime(0.5) is Regime.NOT_ATTRACTING                 # 0 is unstable
    assert [eqs[1].regime(h) for h in (0.5, 1.0, 1.5, 2.0, 2.5)] == [
        Regime.MONOTONE, Regime.MONOTONE, Regime.OSCILLATING, Regime.BOUNDARY, Regime.DIVERGENT]
    left, middle, right = problem("x^4/4 - x^2/2", F, DOWN).equilibria(-2, 2)
    assert left.h_stable == pytest.approx(1.0) and right.h_monotone == pytest.approx(0.5)
    assert middle.regime(0.1) is Regime.NOT_ATTRACTING


def test_regime_flat_and_semi_stable():
    (e,) = problem("-x^3", f).equilibria(-1, 1)
    assert e.h_monotone == math.inf and all(e.regime(h) is Regime.MONOTONE for h in (0.01, 1, 100))
    (e,) = problem("x^2", f).equilibria(-1, 1)
    assert e.regime(0.1) is Regime.MONOTONE        # from its attracting side (x < 0) it creeps in
    (e,) = problem("x^3", f).equilibria(-1, 1)
    assert e.regime(0.1) is Regime.NOT_ATTRACTING
    with pytest.raises(ValueError):
        e.regime(0.0)


def test_regime_matches_the_euler_map():
    """Iterate x -> x + h f(x) from near x* and compare with the predicted regime."""
    p = problem("x(1-x)", f)
    star = p.equilibria(-1, 2)[1]
    for h in (0.3, 0.9, 1.3, 1.9, 2.1):
        x = np.empty(400)
        x[0] = 1.01
        with np.errstate(all="ignore"):
            for n in range(399):
                x[n + 1] = x[n] + h * p.f_numeric(x[n])
        err = x - 1
        regime = star.regime(h)
        if regime is Regime.DIVERGENT:
            assert not abs(err[-1]) < 1e-3
        else:
            assert abs(err[-1]) < 1e-12
            signs = np.sign(err[np.abs(err) > 1e-13])
            assert np.all(signs == 1) if regime is Regime.MONOTONE else np.all(signs[1:] != signs[:-1])


def test_nearest_attractor_and_problem_regime():
    p = problem("x^4/4 - x^2/2", F, DOWN)
    assert p.nearest_attractor(0.2, -2, 2).x == pytest.approx(1.0)
    assert p.nearest_attractor(-0.2, -2, 2).x == pytest.approx(-1.0)
    assert p.regime(0.7, 0.2, -2, 2) is Regime.OSCILLATING        # f'(1) = -2: 1/2 < 0.7 < 1
    assert problem("x^2", f).nearest_attractor(0.5, -1, 1) is None          # runs away to the right
    assert problem("x^2", f).regime(0.1, 0.5, -1, 1) is Regime.NOT_ATTRACTING
    assert problem("x^2", f).nearest_attractor(-0.5, -1, 1).x == 0.0        # creeps up to 0
    # the flow decides, not the distance: from 0.1 the logistic flow goes to 1, not back to 0
    assert problem("x(1-x)", f).nearest_attractor(0.1, -1, 2).x == pytest.approx(1.0)
    assert problem("x(1-x)", f).nearest_attractor(-0.1, -1, 2) is None       # runs off to -inf
    assert problem("x^4/4 - x^2/2", F, DOWN).nearest_attractor(0.0, -2, 2) is None  # sits on the hill


# ------------------------------------------------------------------------------ F and f
def test_objective_and_field_are_consistent():
    x = np.linspace(-2, 2, 9)
    up = problem("x^2/2 - x^3/3", F, UP)
    down = problem("x^2/2 - x^3/3", F, DOWN)
    np.testing.assert_allclose(up.f_numeric(x), x - x ** 2)
    np.testing.assert_allclose(down.f_numeric(x), -(x - x ** 2))
    np.testing.assert_allclose(up.fprime_numeric(x), 1 - 2 * x)
    np.testing.assert_allclose(up.F_numeric(x), x ** 2 / 2 - x ** 3 / 3)
    # typed as a field, F = ±∫f: the same F up to a constant, with the sign of the direction
    fu, fd = problem("x - x^2", f, UP), problem("x - x^2", f, DOWN)
    assert fu.F is not None and fd.F is not None
    dF = fu.F_numeric(x) - fu.F_numeric(0.0)
    np.testing.assert_allclose(dF, x ** 2 / 2 - x ** 3 / 3, atol=1e-12)
    np.testing.assert_allclose(fd.F_numeric(x) - fd.F_numeric(0.0), -dF, atol=1e-12)


def test_numerical_antiderivative_when_sympy_has_none():
    p = problem("exp(sin(x))", f, DOWN)
    assert p.F is None and not p.F_is_symbolic
    x = np.linspace(-3, 3, 13)
    Fx = strict(p.F_numeric, x)
    # F' = -f (descent), checked by central differences; F(0) = 0 at the anchor.
    h = 1e-5
    dF = (p.F_numeric(x + h) - p.F_numeric(x - h)) / (2 * h)
    np.testing.assert_allclose(dF, -np.exp(np.sin(x)), rtol=1e-7)
    assert p.F_numeric(0.0) == pytest.approx(0.0, abs=1e-15)
    # ∫_0^1 e^{sin t} dt = 1.6318696084180513 (high-precision quadrature)
    assert p.F_numeric(1.0) == pytest.approx(-1.6318696084180513, rel=1e-11)
    # the same point gives the same number whatever array it comes in
    assert p.F_numeric(np.array([1.0]))[0] == p.F_numeric(np.array([1.0, -2.0, 2.5]))[0]
    assert Fx.shape == x.shape and p.F_numeric(2.0).shape == ()
    assert "numerically" in p.F_label


def test_numerical_antiderivative_outside_the_domain_is_nan():
    p = problem("1/(1 + exp(sin(x))) + sqrt(x)", f)   # sympy finds no ∫; sqrt: undefined for x < 0
    assert p.F is None
    v = strict(p.F_numeric, np.array([-1.0, 0.5, 2.0, np.nan]))
    assert np.isnan(v[0]) and np.isfinite(v[1:3]).all() and np.isnan(v[3])


def test_parameters_default_to_one_and_unknown_names_are_dropped():
    p = problem("a x - b x^3", f, b=2.0, z=5.0)
    assert p.parameters == ("a", "b")
    assert dict(p.params) == {"a": 1.0, "b": 2.0}
    np.testing.assert_allclose(p.f_numeric(np.array([1.0, 2.0])), [1 - 2, 2 - 16])
    with pytest.raises(TypeError):
        p.params["a"] = 3.0                                     # read-only


def test_from_expression_for_notebooks():
    p = FlowProblem.from_expression(parse("x^4/4 - x^2/2"), F, DOWN)
    assert [e.stability for e in p.equilibria(-2, 2)] == [S, U, S]
    assert p.kind is F and p.direction is DOWN and p.sign == -1


def test_from_text_is_cached_and_reports_bad_text():
    assert problem("x(1-x)", f) is problem("x(1-x)", f)
    assert problem("a x", f, a=2.0) is not problem("a x", f, a=3.0)
    with pytest.raises(ExpressionError):
        problem("x +* 2", f)


def test_labels():
    p = problem("x^2/2 - x^3/3", F)
    assert "x" in p.F_label and "x" in p.f_label


def test_equilibria_are_fast():
    texts = ["sin(x) + x/3", "x(1-x)(x-2)(x+3)", "exp(-x^2) - 1/2", "tan(x) - x", "cos(3x)^2"]
    problems = [problem(t, f) for t in texts]
    for p in problems:
        p.equilibria(-10, 10)                                   # sympy work, lambdify: once
    start = time.perf_counter()
    for p in problems:
        p.equilibria(-9.5, 10.5)                                # a new interval: the real work
    assert (time.perf_counter() - start) / len(problems) < 0.05


# -------------------------------------------------------------------------- properties
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-8, 8), min_size=1, max_size=4),
       st.lists(st.integers(1, 3), min_size=4, max_size=4), st.sampled_from([-1, 1]))
def test_polynomial_roots_with_multiplicity(roots, mults, lead):
    """f = ±Π (x - r/2)^m: every root found once, semi-stable exactly when m is even."""
    roots = sorted(set(roots))
    text = ("-" if lead < 0 else "") + " ".join(f"(x - ({r}/2))^{m}" for r, m in zip(roots, mults))
    eqs = problem(text, f).equilibria(-5, 5)
    np.testing.assert_allclose([e.x for e in eqs], [r / 2 for r in roots], atol=1e-9)
    for e, m in zip(eqs, mults):
        assert (e.stability is SS) == (m % 2 == 0)
        assert (e.slope == 0.0) == (m > 1)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.2, 3.0), st.floats(-3.0, 3.0))
def test_sampled_roots_match_the_shifted_sine(k, shift):
    """sin(k (x - c)) has roots c + nπ/k, alternating stable/unstable, all found by sampling."""
    p = problem("sin(k (x - c))", f, k=k, c=shift)
    eqs = p.equilibria(-6, 6)
    n = np.arange(-40, 41)
    expected = shift + n * PI / k
    expected = expected[(expected >= -6) & (expected <= 6)]
    np.testing.assert_allclose([e.x for e in eqs], expected, atol=1e-9)
    for e in eqs:
        assert e.stability in (S, U)
        assert e.slope == pytest.approx(k * (1 if e.stability is U else -1), rel=1e-8)


def test_equilibrium_is_a_frozen_value():
    e = Equilibrium(1.0, S, MAX, -2.0, False)
    with pytest.raises(AttributeError):
        e.x = 2.0  # type: ignore[misc]
    assert e == Equilibrium(1.0, S, MAX, -2.0, False)


# ------------------------------------------------------------------ equilibria edge cases (#13)
@settings(max_examples=20, deadline=None)
@given(lo=st.floats(-4.0, -3.2), hi=st.floats(3.2, 4.0))
def test_two_simple_roots_2e_7_apart_are_both_found(lo, hi):
    """sin²x = 1e-14 at sin x = ±1e-7: near 0 and ±π, a stable and an unstable root 2e-7 apart,
    whether or not a sample lands between them."""
    eqs = problem("sin(x)^2 - 1e-14", f).equilibria(lo, hi)
    xs = np.array([e.x for e in eqs])
    expected = np.sort(np.concatenate([c + np.array([-1e-7, 1e-7]) for c in (-math.pi, 0.0, math.pi)]))
    assert xs == pytest.approx(expected, abs=1e-12)
    assert all(e.stability is not Stability.SEMI_STABLE for e in eqs)


@pytest.mark.parametrize("span", [(0.0, 1.0), (-0.3, 1.0)])
def test_the_end_of_the_domain_is_unstable_for_sqrt_and_stable_for_descent_on_x_to_1_5(span):
    (e,) = problem("sqrt(x)", f).equilibria(*span)              # x' = √x leaves 0
    assert e.x == 0.0 and e.stability is Stability.UNSTABLE
    (e,) = problem("x^1.5", F, DOWN).equilibria(*span)          # x' = −1.5√x reaches 0
    assert e.x == 0.0 and e.stability is Stability.STABLE and e.critical is Critical.MINIMUM


@pytest.mark.parametrize("span", [(-0.5, 1.5), (-1.1, 2.3)])
def test_a_whole_interval_of_equilibria_is_one_interval(span):
    """Descent on F = |x| − x: f = 1 − sign(x) = 0 for every x > 0, 2 for x < 0."""
    (e,) = problem("abs(x) - x", F, DOWN).equilibria(*span)
    assert e.interval == (0.0, span[1]) and e.x == 0.0 and e.stability is Stability.STABLE
    assert problem("x^60", f).equilibria(-1.1, 1.3)[0].interval is None     # underflow only


@pytest.mark.parametrize("text", ["x^2/2 - x^3/3", "3x", "a*x - x^3/3", "sqrt(x)", "x^(1/3)"])
def test_f_loop_for_gives_f_numeric_on_arrays_of_its_shape(text):
    # The engine's hot loop skips f_loop's per-call check once one call on an array of the
    # loop's shape passed it: the result must still be exactly f_numeric's, constants included.
    problem = FlowProblem.from_text(text)
    like = np.linspace(-2.0, 2.0, 7)
    f = problem.f_loop_for(like)
    for x in (like, np.array([np.nan, np.inf, -np.inf, 0.0, 1e300, -1e-300, 5.0])):
        with np.errstate(all="ignore"):
            got = f(x)
        assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == x.shape
        assert got.tobytes() == problem.f_numeric(x).tobytes()
