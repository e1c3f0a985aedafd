"""The 2-D landscape: gradient, Hessian, critical points, contours, basins, presets.

Reference values are worked out by hand here, never taken from the module under test:
seed 003's F(x, y) = 6x² + 9y² − 12x − 14y + 3 has gradient (12x − 12, 18y − 14), one minimum
(1, 7/9), Hessian diag(12, 18); GD on it is stable exactly for lr < 2/18. The two-minima
landscape (x² − 1)² + 0.3x + y² separates: x and y descend independently, its critical points
are the real roots of 4x³ − 4x + 0.3 with y = 0, and F'' = 12x² − 4 classifies them.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.model.euler import Cancelled
from gdviz.model.expressions import ExpressionError
from gdviz.model.landscape import (
    DIVERGED,
    UNDECIDED,
    BasinMap,
    ContourGrid,
    Kernel,
    Landscape,
    Preset2D,
    Unsupported,
    basin_map,
    contour_grid,
    critical_points,
    descend,
    gradient_field,
    landscape_preset,
    landscape_presets,
    preset2d_from_dict,
    preset2d_from_json,
)
from gdviz.paths import resources_dir

SEED = "6x^2 + 9y^2 - 12x - 14y + 3"
SEED_STARTS = np.array([(-0.9, -0.5), (2.5, 2.0), (-0.5, 2.0)])
MINIMUM = np.array([1.0, 7 / 9])
TWO = "(x^2 - 1)^2 + 0.3x + y^2"


@pytest.fixture(scope="module")
def seed() -> Landscape:
    return Landscape.from_text(SEED)


@pytest.fixture(scope="module")
def two() -> Landscape:
    return Landscape.from_text(TWO)


def two_minima_roots() -> tuple[float, float, float]:
    """Left minimum, saddle, right minimum: the real roots of 4x³ − 4x + 0.3, sorted."""
    roots = np.sort(np.roots([4.0, 0.0, -4.0, 0.3]).real)
    return tuple(float(r) for r in roots)


# --------------------------------------------------------------------------- seed 003

def test_seed_gradient_hessian_and_F_at_random_points(seed):
    rng = np.random.default_rng(3)
    P = rng.uniform(-50, 50, size=(1000, 2))
    x, y = P[:, 0], P[:, 1]
    G = seed.grad_numeric(P)
    assert G.shape == (1000, 2) and G.dtype == np.float64
    np.testing.assert_allclose(G[:, 0], 12 * x - 12, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(G[:, 1], 18 * y - 14, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(seed.F_numeric(x, y), 6 * x**2 + 9 * y**2 - 12 * x - 14 * y + 3,
                               rtol=1e-13)
    H = seed.hessian_numeric(P)
    assert H.shape == (1000, 2, 2)
    np.testing.assert_array_equal(H, np.broadcast_to([[12.0, 0.0], [0.0, 18.0]], H.shape))
    assert seed.grad_numeric(np.array([1.0, 7 / 9])) == pytest.approx([0.0, 0.0], abs=1e-12)


def test_seed_labels(seed):
    assert seed.label == "F(x, y) = 6x² − 12x + 9y² − 14y + 3"
    assert seed.gradient_label == "∇F(x, y) = (12x − 12, 18y − 14)"


def test_seed_has_one_critical_point_the_minimum(seed):
    found = critical_points(seed, (-10, 10), (-10, 10))
    assert len(found) == 1
    c = found[0]
    assert c.kind == "minimum"
    assert (c.x, c.y) == pytest.approx((1.0, 7 / 9), abs=1e-12)
    assert c.eigenvalues == pytest.approx((12.0, 18.0), rel=1e-12)
    assert math.isclose(c.F, -76 / 9, rel_tol=1e-12)
    assert critical_points(seed, (2, 5), (-10, 10)) == ()     # outside the range: not reported


def test_seed_first_steps_match_the_article(seed):
    """The article's 1-D iterates from x = −0.9 with η = 0.03 are the x-coordinate here."""
    run = descend(seed, SEED_STARTS[:1], 6, lr=0.03)
    expected = np.array([-0.216, 0.2217, 0.5019, 0.6812, 0.7959, 0.8694])   # cut to 4 decimals
    error = run.x[0, 1:, 0] - expected
    assert (error > -1e-12).all() and (error < 1e-4).all()
    np.testing.assert_allclose(run.loss[0], seed.F_numeric(run.x[0, :, 0], run.x[0, :, 1]))


def test_seed_starts_converge_for_lr_005(seed):
    run = descend(seed, SEED_STARTS, 300, lr=0.05)
    assert not run.diverged.any()
    np.testing.assert_allclose(run.x[:, -1], np.broadcast_to(MINIMUM, (3, 2)), atol=1e-12)


def test_seed_threshold_two_over_eighteen(seed):
    """y contracts by |1 − 18 lr| per step: just below 2/18 it converges, just above it diverges."""
    above = descend(seed, SEED_STARTS, 3000, lr=2 / 18 + 1e-3)
    assert (above.diverged_at > 0).all()
    assert np.isnan(above.x[:, -1]).all()
    below = descend(seed, SEED_STARTS, 3000, lr=2 / 18 - 1e-3)
    assert not below.diverged.any()
    np.testing.assert_allclose(below.x[:, -1], np.broadcast_to(MINIMUM, (3, 2)), atol=1e-9)


def test_seed_basin_map_is_one_basin_or_all_divergent(seed):
    ok = basin_map(seed, (-1.5, 3.5), (-1.0, 2.5), n=21, steps=300, lr=0.05)
    assert ok.label.shape == (21, 21)
    assert (ok.label == 0).all()
    assert len(ok.minima) == 1 and ok.minima[0].point == pytest.approx((1.0, 7 / 9))
    bad = basin_map(seed, (-1.5, 3.5), (-1.0, 2.5), n=21, steps=3000, lr=2 / 18 + 1e-3)
    assert (bad.label == DIVERGED).all()


# --------------------------------------------------------------------------- two minima

def test_two_minima_and_a_saddle_classified(two):
    left, saddle, right = two_minima_roots()
    found = critical_points(two, (-2, 2), (-1.5, 1.5))
    kinds = sorted((c.kind, round(c.x, 9)) for c in found)
    assert [k for k, _ in kinds] == ["minimum", "minimum", "saddle"]
    by_x = sorted(found, key=lambda c: c.x)
    for c, x in zip(by_x, (left, saddle, right), strict=True):
        assert c.x == pytest.approx(x, abs=1e-10)
        assert c.y == pytest.approx(0.0, abs=1e-12)
        curvature = 12 * x**2 - 4
        assert sorted(c.eigenvalues) == pytest.approx(sorted((curvature, 2.0)), rel=1e-9)
    assert [c.kind for c in by_x] == ["minimum", "saddle", "minimum"]
    # sorted by F: the deeper (left) minimum comes first
    assert found[0].x == pytest.approx(left) and found[0].F < found[1].F


def test_two_minima_basin_map_splits_at_the_saddle(two):
    left, saddle, right = two_minima_roots()
    b = basin_map(two, (-2, 2), (-1.5, 1.5), n=81, steps=500, lr=0.05)
    assert isinstance(b, BasinMap) and b.label.shape == (81, 81)
    idx_left = next(i for i, c in enumerate(b.minima) if c.x == pytest.approx(left))
    idx_right = next(i for i, c in enumerate(b.minima) if c.x == pytest.approx(right))
    # x and y descend independently, so the saddle's stable manifold is the line x = saddle
    west = b.x < saddle - 0.03
    east = b.x > saddle + 0.03
    assert (b.label[:, west] == idx_left).all()
    assert (b.label[:, east] == idx_right).all()
    assert b.share(idx_left) > 0.4 and b.share(idx_right) > 0.4
    # hand-picked starts a hair either side of the dividing line
    run = descend(two, np.array([[saddle - 0.02, 1.0], [saddle + 0.02, -1.0], [-1.9, 1.4],
                                 [1.9, -1.4]]), 500, lr=0.05)
    np.testing.assert_allclose(run.x[:, -1, 0], [left, right, left, right], atol=1e-9)


def test_two_minima_too_large_lr_gives_divergent_labels(two):
    b = basin_map(two, (-2, 2), (-1.5, 1.5), n=41, steps=300, lr=0.3)
    # F''(x) at a corner (x = ±2) is 44: a step of 0.3 throws the start out and it never returns
    assert b.label[0, 0] == DIVERGED and b.label[-1, -1] == DIVERGED
    assert b.share(DIVERGED) > 0.1
    # 0.3 > 2/8.9, so neither minimum is stable: whatever did not diverge is undecided
    assert set(np.unique(b.label)) <= {DIVERGED, UNDECIDED}


def test_basin_map_with_another_optimizer(two):
    b = basin_map(two, (-2, 2), (-1.5, 1.5), n=31, steps=400, optimizer="Momentum",
                  hyper={"lr": 0.02, "momentum": 0.5})
    assert b.optimizer == "Momentum" and b.hyper["momentum"] == 0.5
    assert b.share(0) > 0.3 and b.share(1) > 0.3
    i = int(np.argmin(np.abs(b.x + 1.8)))
    assert b.label[15, i] == 0                          # far west: the left (deeper) minimum


# --------------------------------------------------------------------------- classification

@pytest.mark.parametrize("text, point, kind, eigenvalues", [
    ("x^2 - y^2 + 0.1y^4", (0.0, 0.0), "saddle", (-2.0, 2.0)),
    ("x^2 - y^2 + 0.1y^4", (0.0, math.sqrt(5)), "minimum", (2.0, 4.0)),
    ("-x^2 - y^2", (0.0, 0.0), "maximum", (-2.0, -2.0)),
    ("x*y", (0.0, 0.0), "saddle", (-1.0, 1.0)),
    ("x^4 + y^4", (0.0, 0.0), "degenerate", (0.0, 0.0)),
    ("x^3 - 3x*y^2", (0.0, 0.0), "degenerate", (0.0, 0.0)),       # the monkey saddle
    ("x^2 + y^4", (0.0, 0.0), "degenerate", (0.0, 2.0)),
])
def test_critical_point_kinds(text, point, kind, eigenvalues):
    found = critical_points(Landscape.from_text(text), (-3, 3), (-3, 3))
    match = [c for c in found if np.hypot(c.x - point[0], c.y - point[1]) < 1e-6]
    assert len(match) == 1, found
    assert match[0].kind == kind
    assert match[0].eigenvalues == pytest.approx(eigenvalues, abs=1e-8)


def test_sin_sin_has_its_grid_of_critical_points():
    found = critical_points(Landscape.from_text("sin(x) sin(y)"), (-2, 2), (-2, 2))
    counts = {k: sum(c.kind == k for c in found) for k in ("minimum", "maximum", "saddle")}
    assert counts == {"minimum": 2, "maximum": 2, "saddle": 1}
    assert {(round(c.x, 9), round(c.y, 9)) for c in found if c.kind == "maximum"} == {
        (round(math.pi / 2, 9),) * 2, (round(-math.pi / 2, 9),) * 2}


def test_no_critical_points_where_there_are_none():
    assert critical_points(Landscape.from_text("x + y"), (-2, 2), (-2, 2)) == ()
    assert critical_points(Landscape.from_text("atan(x) + y^2"), (-5, 5), (-5, 5)) == ()


def test_saddle_preset_start_on_the_axis_stalls_at_the_saddle():
    p = landscape_preset("saddle")
    L = p.landscape()
    run = descend(L, np.array(p.starts), p.steps, lr=p.lr)
    assert run.x[0, -1] == pytest.approx((0.0, 0.0), abs=1e-6)
    assert np.abs(run.x[1:3, -1, 1]) == pytest.approx([math.sqrt(5)] * 2, abs=1e-6)
    assert np.sign(run.x[1:3, -1, 1]).tolist() == [1.0, -1.0]


def test_degenerate_minimum_is_an_attractor_of_the_basin_map():
    b = basin_map(Landscape.from_text("x^4 + y^4"), (-1, 1), (-1, 1), n=11, steps=2000, lr=0.1,
                  tol=0.1)
    assert len(b.minima) == 1 and b.minima[0].kind == "degenerate"
    assert (b.label == 0).all()


# --------------------------------------------------------------------------- contours

def test_contour_grid_values_and_levels(seed):
    g = contour_grid(seed, (-1.5, 3.5), (-1.0, 2.5), n=300)
    assert isinstance(g, ContourGrid)
    assert g.Z.shape == (300, 300) and g.Z.dtype == np.float64 and g.finite.all()
    X, Y = np.meshgrid(g.x, g.y)
    np.testing.assert_allclose(g.Z, 6 * X**2 + 9 * Y**2 - 12 * X - 14 * Y + 3, rtol=1e-12,
                               atol=1e-12)
    assert g.Z[0, -1] == pytest.approx(seed.F_numeric(3.5, -1.0))   # row = y, column = x
    assert 15 <= g.z_levels.size <= 25
    assert np.isfinite(g.z_levels).all() and (np.diff(g.z_levels) > 0).all()
    assert g.Z.min() <= g.z_levels[0] and g.z_levels[-1] <= g.Z.max()


def test_contour_levels_survive_huge_values():
    L = Landscape.from_text("exp(x^2 + y^2)")
    g = contour_grid(L, (-6, 6), (-6, 6), n=201)
    levels = g.z_levels
    assert np.isfinite(levels).all() and (np.diff(levels) > 0).all() and levels.size >= 15
    # max F is e^72; an even split of [min, max] would put every line but one above 1e29
    assert (levels < 1e6).sum() >= 5
    assert levels[0] < 10


def test_contour_levels_ignore_one_spike():
    """A bowl (values 0 to 8) with one needle of height 1e20: the lines stay on the bowl."""
    L = Landscape.from_text("x^2 + y^2 + 1e20 exp(-1e4((x - 0.5)^2 + (y - 0.5)^2))")
    g = contour_grid(L, (-2, 2), (-2, 2), n=201)
    assert g.Z.max() > 1e19
    assert 15 <= g.z_levels.size <= 25
    assert g.z_levels[-1] < 8 and g.z_levels[0] > 0
    assert (np.diff(g.z_levels) > 0.05).all()


def test_contour_levels_with_an_infinite_point_and_a_hole():
    L = Landscape.from_text("1/((x - 1)^2 + (y - 1)^2) + log(x + 2)")
    g = contour_grid(L, (-3, 3), (-3, 3), n=7)       # the grid hits (1, 1) exactly
    assert not g.finite[4, 4] and np.isinf(g.Z[4, 4])
    assert not g.finite[:, 0].any()                   # x = −3: log of a negative number
    assert np.isfinite(g.z_levels).all() and (np.diff(g.z_levels) > 0).all()
    assert g.z_levels.size >= 5


def test_contour_levels_of_a_constant():
    g = contour_grid(Landscape.from_text("2 + 0x"), (0, 1), (0, 1), n=5)
    assert g.z_levels.tolist() == [2.0]
    assert (g.Z == 2.0).all()


def test_gradient_field_points_downhill_with_unit_length(two):
    X, Y, U, V = gradient_field(two, (-2, 2), (-1.5, 1.5), n=20)
    assert X.shape == Y.shape == U.shape == V.shape == (20, 20)
    G = two.grad_numeric(np.stack([X, Y], axis=-1))
    np.testing.assert_allclose(np.hypot(U, V), 1.0, rtol=1e-12)
    np.testing.assert_allclose(U * G[..., 1], V * G[..., 0], atol=1e-9)   # parallel...
    assert (U * G[..., 0] + V * G[..., 1] < 0).all()                        # ...and opposite


def test_gradient_field_is_zero_at_a_critical_point(seed):
    _, _, U, V = gradient_field(seed, (0, 2), (7 / 9 - 1, 7 / 9 + 1), n=3)
    assert (U[1, 1], V[1, 1]) == (0.0, 0.0)


# --------------------------------------------------------------------------- progress, cancel

def test_basin_map_progress_increases_to_one(two):
    seen: list[float] = []
    basin_map(two, (-2, 2), (-1.5, 1.5), n=20, steps=200, lr=0.05, progress=seen.append)
    assert len(seen) >= 8
    assert all(0 < p <= 1 for p in seen)
    assert all(a < b for a, b in itertools.pairwise(seen))
    assert seen[-1] == 1.0


@pytest.mark.parametrize("optimizer", ["GD", "Adam"])
def test_basin_map_cancels_promptly(two, optimizer):
    seen: list[float] = []
    asked = {"n": 0}

    def should_stop() -> bool:
        asked["n"] += 1
        return asked["n"] > 3

    with pytest.raises(Cancelled):
        basin_map(two, (-2, 2), (-1.5, 1.5), n=50, steps=100_000, lr=0.01, optimizer=optimizer,
                  should_stop=should_stop, progress=seen.append)
    assert asked["n"] == 4
    assert len(seen) <= 3 and all(p < 0.01 for p in seen)


def test_basin_map_cancelled_before_it_starts(two):
    with pytest.raises(Cancelled):
        basin_map(two, (-2, 2), (-1.5, 1.5), n=10, steps=10, lr=0.01, should_stop=lambda: True)


@pytest.mark.parametrize("kwargs", [
    {"n": 1}, {"n": 2.5}, {"steps": -1}, {"lr": -0.1}, {"optimizer": "SGDX"},
    {"x_range": (1, 1)}, {"x_range": (0, float("nan"))}, {"tol": 0.0},
])
def test_basin_map_rejects_bad_arguments(two, kwargs):
    args = {"x_range": (-1, 1), "y_range": (-1, 1), "n": 5, "steps": 5, "lr": 0.01} | kwargs
    with pytest.raises(ValueError):
        basin_map(two, **args)


# --------------------------------------------------------------------------- the fast GD loop

KERNEL_TEXTS = [
    SEED, TWO, "(1 - x)^2 + 100(y - x^2)^2", "x^2 - y^2 + 0.1y^4", "sin(x) sin(y)",
    "exp(-(x^2 + y^2)/2) / sqrt(2pi)", "x y / (3(x + 1)^2 + 1)", "sqrt(x^2 + y^2 + 1)",
    "abs(x) + abs(y)^3", "2^x + x^(3/2) + y^(-2)", "log(1 + x^2) atan(y) + cosh(x/3) tanh(y)",
    "x", "x y", "a x^2 + b y^2", "x^2/2",
]


@pytest.mark.parametrize("text", KERNEL_TEXTS)
def test_kernel_agrees_with_lambdify(text):
    L = Landscape.from_text(text, {"a": 3.0, "b": 0.5})
    rng = np.random.default_rng(7)
    X, Y = rng.uniform(-2, 2, 5000), rng.uniform(-2, 2, 5000)
    for expr, ref in ((L.Fx, L.Fx_loop), (L.Fy, L.Fy_loop), (L.F, L.F_loop)):
        kernel = Kernel(expr, L.params, X, Y)
        with np.errstate(all="ignore"):
            expected = np.broadcast_to(ref(X, Y), X.shape)
            got = kernel().copy()
            again = kernel()
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)
        np.testing.assert_array_equal(again, got)      # a second call gives the same numbers
        assert kernel.out is not X and kernel.out is not Y


def test_kernel_sees_in_place_updates_and_refuses_what_it_cannot_compile():
    L = Landscape.from_text("x^2 y")
    X, Y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    k = Kernel(L.Fx, L.params, X, Y)
    assert k().tolist() == [6.0, 16.0]
    X += 1.0
    assert k().tolist() == [12.0, 24.0]
    with pytest.raises(Unsupported):                   # d²|x|/dx² = 2 DiracDelta(x)
        Kernel(Landscape.from_text("abs(x) + y").Fxx, {}, X, Y)


@pytest.mark.parametrize("text", ["x^2/2 + x y + y^2", "x y + x^2 + y^2", "x + y^2", "abs(x)^2 + y^2"])
def test_basin_map_gd_equals_plain_descent(text):
    """The in-place loop (kernel or fallback) is GD: the same end points as run_optimizer."""
    L = Landscape.from_text(text)
    b = basin_map(L, (-1, 1), (-1, 1), n=7, steps=40, lr=0.1, tol=10.0)
    X, Y = np.meshgrid(b.x, b.y)
    run = descend(L, np.column_stack([X.ravel(), Y.ravel()]), 40, lr=0.1)
    ends = run.x[:, -1]
    # label the descent's end points the same way and compare
    M = np.array([c.point for c in b.minima]).reshape(-1, 2)
    if len(M):
        nearest = np.argmin(np.hypot(ends[:, None, 0] - M[None, :, 0],
                                     ends[:, None, 1] - M[None, :, 1]), axis=1)
        assert (b.label.ravel() == nearest).all()


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("text", ["x^2/2 + x y + y^2 + sin(x)", "x^2/2 + y", "x y"])
def test_gd_loop_end_points_match_run_optimizer(monkeypatch, compiled, text):
    """Both loops (compiled kernel, lambdified fallback) are torch's GD, decay and maximize too."""
    from gdviz.model.landscape import basins as module
    refused = []
    if not compiled:
        def refuse(*args):
            refused.append(args)
            raise module.Unsupported("test")
        monkeypatch.setattr(module, "Kernel", refuse)
    L = Landscape.from_text(text)
    rng = np.random.default_rng(1)
    P = rng.uniform(-1, 1, (50, 2))
    for hyper in ({"lr": 0.1, "weight_decay": 0.0, "maximize": False},
                  {"lr": 0.1, "weight_decay": 0.3, "maximize": False},
                  {"lr": 0.01, "weight_decay": 0.2, "maximize": True}):
        X, Y = P[:, 0].copy(), P[:, 1].copy()
        X, Y = module._gd_loop(L, X, Y, 30, dict(hyper), 1e12, None, None)
        run = descend(L, P, 30, hyper=hyper)
        np.testing.assert_allclose(np.column_stack([X, Y]), run.x[:, -1], rtol=1e-12, atol=1e-12)
    assert bool(refused) == (not compiled)   # the fallback really ran


# --------------------------------------------------------------------------- landscape basics

def test_parameters_are_bound_and_default_to_one():
    L = Landscape.from_text("a x^2 + b y^2", {"a": 3.0})
    assert L.parameters == ("a", "b") and dict(L.params) == {"a": 3.0, "b": 1.0}
    assert L.grad_numeric(np.array([[1.0, 2.0]])).tolist() == [[6.0, 4.0]]


def test_constant_partials_take_the_safe_path():
    L = Landscape.from_text("x + 2y")
    assert L.grad_numeric(np.zeros((4, 2))).tolist() == [[1.0, 2.0]] * 4
    assert L.hessian_numeric(np.zeros((3, 2))).tolist() == [[[0.0, 0.0], [0.0, 0.0]]] * 3
    assert L.F_numeric(np.arange(3.0), 0.0).tolist() == [0.0, 1.0, 2.0]


def test_F_numeric_never_hands_back_the_callers_array():
    L = Landscape.from_text("x + 0y")
    X = np.arange(3.0)
    Z = L.F_numeric(X, X)
    Z[0] = 99.0
    assert X[0] == 0.0


@pytest.mark.parametrize("text", ["x^^2", "", "sin(", "x ⊕ y", "1/0 + x", None])
def test_bad_text_raises_expression_error(text):
    with pytest.raises(ExpressionError):
        Landscape.from_text(text)


def test_descend_runs_any_optimizer(seed):
    run = descend(seed, SEED_STARTS, 2000, optimizer="Adam", lr=0.05)
    assert run.x.shape == (3, 2001, 2) and run.name == "Adam"
    np.testing.assert_allclose(run.x[:, -1], np.broadcast_to(MINIMUM, (3, 2)), atol=1e-3)
    assert (np.diff(run.loss[:, -100:]) <= 1e-6).all() or np.nanmin(run.loss) < -8.44


# --------------------------------------------------------------------------- presets

def test_presets_load_in_order_with_the_required_ones():
    names = [p.name for p in landscape_presets()]
    assert names[:4] == ["seed-quadratic", "two-minima", "rosenbrock", "saddle"]
    for p in landscape_presets():
        assert isinstance(p, Preset2D) and p.title and len(p.explanation) > 80
        assert p.optimizer == "GD" and p.lr > 0 and p.steps >= 1


def test_preset_files_are_plain_json_with_every_field():
    paths = sorted((resources_dir() / "presets2d").glob("*.json"))
    assert len(paths) >= 4
    for path in paths:
        d = json.loads(path.read_text(encoding="utf-8"))
        assert {"name", "title", "explanation", "equation", "starts", "lr", "steps", "x_range",
                "y_range", "optimizer"} <= set(d)


def test_seed_preset_is_the_seed_and_stable():
    p = landscape_preset("seed-quadratic")
    assert p.equation == SEED
    assert p.starts == ((-0.9, -0.5), (2.5, 2.0), (-0.5, 2.0))
    assert 0 < p.lr < 2 / 18
    run = descend(p.landscape(), np.array(p.starts), p.steps, lr=p.lr)
    np.testing.assert_allclose(run.x[:, -1], np.broadcast_to(MINIMUM, (3, 2)), atol=1e-5)
    for x, y in p.starts:
        assert p.x_range[0] < x < p.x_range[1] and p.y_range[0] < y < p.y_range[1]


def test_two_minima_preset_starts_decide_the_answer():
    left, _, right = two_minima_roots()
    p = landscape_preset("two-minima")
    run = descend(p.landscape(), np.array(p.starts), p.steps, lr=p.lr)
    ends = run.x[:, -1, 0]
    assert np.isclose(ends, left, atol=1e-6).any() and np.isclose(ends, right, atol=1e-6).any()
    assert np.isclose(ends, left, atol=1e-6).sum() + np.isclose(ends, right, atol=1e-6).sum() == len(ends)


def test_rosenbrock_preset_lr_is_below_the_stability_limit():
    p = landscape_preset("rosenbrock")
    (c,) = critical_points(p.landscape(), p.x_range, p.y_range)
    assert c.kind == "minimum" and c.point == pytest.approx((1.0, 1.0))
    assert p.lr < 2 / max(c.eigenvalues)
    run = descend(p.landscape(), np.array(p.starts), p.steps, lr=p.lr)
    assert not run.diverged.any()


def test_unknown_preset_lists_the_names():
    with pytest.raises(KeyError, match="seed-quadratic"):
        landscape_preset("nope")


VALID = json.loads((resources_dir() / "presets2d" / "02-two-minima.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("changes, message", [
    ({"lr": -1}, "lr"), ({"lr": 0}, "lr"), ({"lr": True}, "lr"), ({"lr": "0.1"}, "lr"), ({"lr": 10**400}, "lr"),
    ({"steps": 2.5}, "steps"), ({"steps": 10**30}, "steps"), ({"starts": []}, "starts"),
    ({"starts": [[1, 2, 3]]}, "starts"), ({"starts": [[1, float("inf")]]}, "starts"),
    ({"x_range": [1, 1]}, "x_range"), ({"y_range": [0, "1"]}, "y_range"),
    ({"optimizer": "SGDX"}, "optimizer"), ({"equation": "x^^2"}, "equation"),
    ({"name": ""}, "name"), ({"hyper": {"momentum": 0.9}}, "momentum"),
    ({"params": {"a": None}}, "params"), ({"extra": 1}, "unknown"),
])
def test_preset_validation_names_the_field(changes, message):
    with pytest.raises(ValueError, match=message):
        preset2d_from_dict(VALID | changes, "test.json")


def test_preset_validation_missing_field_and_not_an_object():
    d = dict(VALID)
    del d["lr"]
    with pytest.raises(ValueError, match="has no 'lr'"):
        preset2d_from_dict(d)
    with pytest.raises(ValueError, match="object"):
        preset2d_from_json("[1, 2]")
    with pytest.raises(ValueError, match="JSON"):
        preset2d_from_json("{")
    with pytest.raises(ValueError, match="deeply"):
        preset2d_from_json("[" * 100_000 + "]" * 100_000)


def test_preset_with_hyper_and_params():
    p = preset2d_from_dict(VALID | {"optimizer": "Momentum", "hyper": {"momentum": 0.5},
                                    "equation": "a x^2 + y^2", "params": {"a": 2}})
    assert p.hyper == (("momentum", 0.5),) and p.params == (("a", 2.0),)
    assert p.hyper_dict == {"momentum": 0.5, "lr": VALID["lr"]}
    assert dict(p.landscape().params) == {"a": 2.0}


# --------------------------------------------------------------------------- hypothesis

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**400, max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
FIELDS = [*sorted(VALID), "hyper", "params"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drop=st.sets(st.sampled_from(sorted(VALID)), max_size=3),
       replace=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=3))
def test_corrupt_preset_is_a_preset_or_a_value_error(drop, replace):
    d = {k: v for k, v in VALID.items() if k not in drop} | replace
    text = json.dumps(d)
    try:
        p = preset2d_from_json(text, "fuzz.json")
    except ValueError as error:
        assert "fuzz.json" in str(error)
        return
    assert isinstance(p, Preset2D)
    assert all(math.isfinite(v) for s in p.starts for v in s) and math.isfinite(p.lr)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_preset_text_is_a_preset_or_a_value_error(text):
    with contextlib.suppress(ValueError):
        assert isinstance(preset2d_from_json(text), Preset2D)


CALCULATOR_PIECES = [
    *"0123456789xy+-*/^(). ", "e", "pi", "sin", "sqrt", "ln", "abs", "exp", "**", "a", "z", "1e", "\u2212", "\u00b2", "'",
    ",", "="]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=40),
                 st.lists(st.sampled_from(CALCULATOR_PIECES), max_size=20).map("".join)))
def test_random_text_is_a_landscape_or_an_expression_error(text):
    try:
        L = Landscape.from_text(text)
    except ExpressionError:
        return
    assert isinstance(L, Landscape)
    P = np.array([[0.5, -0.25], [1.5, 2.0], [-3.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")    # evaluation stays silent
        assert L.grad_numeric(P).shape == (3, 2)
        assert L.hessian_numeric(P).shape == (3, 2, 2)
        assert L.F_numeric(P[:, 0], P[:, 1]).shape == (3,)
    assert isinstance(L.label, str) and isinstance(L.gradient_label, str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(CALCULATOR_PIECES), min_size=1, max_size=20).map("".join))
def test_kernel_agrees_with_lambdify_on_random_expressions(text):
    """Where the lambdified partial is finite the kernel gives the same number (to rounding:
    constants are folded and sums may be added in another order)."""
    try:
        L = Landscape.from_text(text)
    except ExpressionError:
        return
    X, Y = np.linspace(-2.1, 2.3, 64), np.linspace(1.7, -2.9, 64)
    for expr, ref in ((L.Fx, L.Fx_loop), (L.Fy, L.Fy_loop)):
        try:
            kernel = Kernel(expr, L.params, X, Y)
        except Unsupported:
            continue
        with np.errstate(all="ignore"):
            expected = np.broadcast_to(ref(X, Y), X.shape)
            got = kernel()
        ok = np.isfinite(expected) & (np.abs(expected) < 1e100)
        np.testing.assert_allclose(got[ok], expected[ok], rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- the package

def test_the_package_exports_every_name_imported_from_it():
    """gdviz.model.landscape is a package of small modules; whatever any code in the repository
    imports from gdviz.model.landscape itself is still there."""
    import ast
    from pathlib import Path

    import gdviz.model.landscape as package
    root = Path(__file__).resolve().parents[2]
    wanted: set[str] = set()
    for folder in ("gdviz", "tests", "bench", "tools"):
        for path in (root / folder).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ImportFrom):
                    continue
                base = list(parts[:-1])   # the package holding the module (or the __init__)
                if node.level:
                    base = base[: len(base) - node.level + 1] if node.level > 1 else base
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                if module == "gdviz.model.landscape":
                    wanted.update(alias.name for alias in node.names)
    assert {"Landscape", "basin_map", "landscape_preset", "DIVERGED"} <= wanted
    assert not [name for name in wanted if not hasattr(package, name)]
    from gdviz import model
    assert model.Landscape is package.Landscape and model.basin_map is package.basin_map
