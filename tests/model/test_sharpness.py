"""Sharpness along the 2-D paths (issue 15 §1) and the modified landscape F̃ (issue 14 §1, 2-D).

The check model is F = (1 − xy)²/2, the smallest landscape with the edge-of-stability effect: its
minima are the hyperbola xy = 1, where the Hessian [[y², 2xy − 1], [2xy − 1, x²]] has largest
eigenvalue x² + y², so the minima get sharper away from (1, 1) and (−1, −1).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.landscape import Landscape
from gdviz.model.modified import modified_landscape_values
from gdviz.model.optimizers import lr_threshold, run_optimizer
from gdviz.model.results2d import evaluate_2d
from gdviz.model.scene2d import Scene2D
from gdviz.model.sharpness import sharpness_along, sharpness_bound, top_eigenvalue

EOS = "(1 - x*y)^2/2"


def analytic_sharpness(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """λ_max of (1 − xy)²/2's Hessian, written out by hand."""
    a, b, c = y * y, 2 * x * y - 1, x * x
    return (a + c) / 2 + np.sqrt(((a - c) / 2) ** 2 + b * b)


def flow_limit(start: tuple[float, float], t_end: float = 12.0, dt: float = 1e-3) -> np.ndarray:
    """Where the gradient flow p' = −∇F(p) of (1 − xy)²/2 from `start` ends: classical RK4 with a
    step far below every time scale of the flow (the valley's curvature is at most about 7 here)."""
    def f(p: np.ndarray) -> np.ndarray:
        r = 1 - p[0] * p[1]
        return np.array([p[1] * r, p[0] * r])
    p = np.array(start, dtype=float)
    for _ in range(int(t_end / dt)):
        k1 = f(p)
        k2 = f(p + dt / 2 * k1)
        k3 = f(p + dt / 2 * k2)
        k4 = f(p + dt * k3)
        p = p + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return p


# ------------------------------------------------------------------------------- the eigenvalue
@settings(max_examples=200, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_top_eigenvalue_is_numpys_largest(a, b, c):
    expected = np.linalg.eigvalsh(np.array([[a, b], [b, c]]))[-1]
    assert top_eigenvalue(a, b, c) == pytest.approx(expected, rel=1e-9, abs=1e-9 * (abs(a) + abs(b) + abs(c)))


def test_top_eigenvalue_is_vectorised_and_nan_stays_nan():
    a = np.array([[1.0, 2.0], [np.nan, 0.0]])
    out = top_eigenvalue(a, np.zeros_like(a), np.ones_like(a) * 1.5)
    assert out.shape == (2, 2)
    np.testing.assert_array_equal(out[0], [1.5, 2.0])
    assert math.isnan(out[1, 0]) and out[1, 1] == 1.5


def test_sharpness_of_the_eos_model_on_a_grid_and_on_its_minima():
    land = Landscape.from_text(EOS)
    rng = np.random.default_rng(3)
    P = rng.uniform(-3, 3, size=(50, 7, 2))
    got = sharpness_along(land, P)
    assert got.shape == (50, 7)
    np.testing.assert_allclose(got, analytic_sharpness(P[..., 0], P[..., 1]), rtol=1e-12, atol=1e-12)
    x = np.linspace(0.2, 4.0, 30)
    on_minima = np.stack([x, 1 / x], axis=-1)
    np.testing.assert_allclose(sharpness_along(land, on_minima), x ** 2 + 1 / x ** 2, rtol=1e-12)


def test_a_constant_hessian_gives_its_top_eigenvalue_everywhere():
    land = Landscape.from_text("6x^2 + 9y^2 - 12x - 14y + 3")
    P = np.array([[[0.0, 0.0], [1.0, 2.0], [np.nan, np.nan]]])
    got = sharpness_along(land, P)
    np.testing.assert_array_equal(got[0, :2], [18.0, 18.0])
    assert math.isnan(got[0, 2])            # a diverged iterate has no sharpness


# ---------------------------------------------------------------------------------- the bounds
def test_the_bounds_in_closed_form():
    assert sharpness_bound("GD", {"lr": 0.4}) == pytest.approx(5.0)
    assert sharpness_bound("Momentum", {"lr": 0.1, "momentum": 0.9}) == pytest.approx(38.0)
    assert sharpness_bound("Nesterov", {"lr": 0.1, "momentum": 0.9}) == pytest.approx(38.0 / 2.8)
    assert sharpness_bound("Momentum", {"lr": 0.1, "momentum": 0.5, "dampening": 0.5}) == pytest.approx(60.0)
    assert sharpness_bound("GD", {"lr": 0.5, "weight_decay": 0.25}) == pytest.approx(3.75)
    for name in ("Adagrad", "RMSprop", "Adam", "AdamW"):
        assert sharpness_bound(name, {"lr": 0.1}) is None
    assert sharpness_bound("GD", {"lr": 0.1, "maximize": True}) is None


@pytest.mark.parametrize("name", ["GD", "Momentum", "Nesterov"])
@pytest.mark.parametrize("momentum", [0.3, 0.9])
def test_each_bound_agrees_with_the_learning_rate_threshold(name, momentum):
    lr = 0.07
    assert sharpness_bound(name, {"lr": lr, "momentum": momentum}) == pytest.approx(
        lr_threshold(name, 1.0, momentum) / lr, rel=1e-12)


def _settles(name: str, lam: float, hyper: dict) -> bool:
    run = run_optimizer(name, lambda X: lam * X, np.array([[1.0]]), 4000, hyper)
    end = run.x[0, -1, 0]
    return bool(np.isfinite(end) and abs(end) < 1e-6)


def _bisect_sharpness(name: str, hyper: dict) -> float:
    """The largest λ for which the optimizer, run on λx²/2, still comes to rest: by bisection."""
    lo, hi = 1e-3, 1e4
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if _settles(name, mid, hyper) else (lo, mid)
        if hi / lo < 1 + 1e-3:
            break
    return math.sqrt(lo * hi)


@pytest.mark.parametrize("name, hyper", [
    ("GD", {"lr": 0.2}),
    ("Momentum", {"lr": 0.05, "momentum": 0.8}),
    ("Momentum", {"lr": 0.05, "momentum": 0.6, "dampening": 0.3}),
    ("Nesterov", {"lr": 0.05, "momentum": 0.8}),
    ("Nesterov", {"lr": 0.3, "momentum": 0.2}),
])
def test_each_bound_is_where_the_iteration_stops_settling(name, hyper):
    # Near the bound the slowest mode contracts by |z| → 1, so bisection with a finite number of
    # steps lands a little below it: 1 % is the run's resolution, not the formula's.
    assert _bisect_sharpness(name, hyper) == pytest.approx(sharpness_bound(name, hyper), rel=1e-2)


# ----------------------------------------------------------------------- the edge of stability
# Start (0.3, 2.5). The flow conserves x² − y² (d/dt(x² − y²) = 0 on p' = −∇F), so it ends on
# xy = 1 with x² − y² = −6.16: sharpness √(6.16² + 4) ≈ 6.48. With η = 0.4, 2/η = 5 lies below
# that: gradient descent cannot settle there and is thrown along the valley to a flatter minimum.
# With η = 0.01 (2/η = 200) it follows the flow to within O(η).
START = (0.3, 2.5)


def _gd(lr: float, steps: int):
    scene = Scene2D(text=EOS, starts=(START,), optimizers=("GD",), lr=lr, steps=steps,
                    x_range=(-1.0, 3.0), y_range=(-1.0, 3.0))
    return evaluate_2d(scene)


def test_the_flow_limit_is_sharper_than_two_over_eta():
    p = flow_limit(START)
    assert p[0] * p[1] == pytest.approx(1.0, abs=1e-9)
    assert p[0] ** 2 - p[1] ** 2 == pytest.approx(START[0] ** 2 - START[1] ** 2, abs=1e-8)
    assert p[0] ** 2 + p[1] ** 2 > 2 / 0.4 + 1.0


def test_gd_beyond_the_edge_converges_to_a_flatter_minimum():
    r = _gd(0.4, 3000)
    end = r.runs["GD"].x[0, -1]
    assert r.runs["GD"].diverged_at[0] == -1
    assert abs(1 - end[0] * end[1]) < 1e-10                      # on a minimum: it converged
    sharp = r.sharpness["GD"][0]
    assert sharp[-1] <= r.sharpness_bounds["GD"] + 1e-6 == 2 / 0.4 + 1e-6
    flow_sharpness = float(analytic_sharpness(*flow_limit(START)))
    assert sharp[-1] < flow_sharpness - 1.0                       # not where the flow goes
    assert sharp.max() > 2 / 0.4                                  # it did pass through sharper ground
    np.testing.assert_allclose(sharp, analytic_sharpness(r.runs["GD"].x[0, :, 0], r.runs["GD"].x[0, :, 1]),
                               rtol=1e-12)


def test_gd_with_a_small_step_lands_where_the_flow_does():
    r = _gd(0.01, 6000)
    end = r.runs["GD"].x[0, -1]
    assert abs(1 - end[0] * end[1]) < 1e-10
    np.testing.assert_allclose(end, flow_limit(START), atol=0.02)   # Euler's O(η) against the flow


def test_results_carry_sharpness_and_bounds_for_every_optimizer():
    scene = Scene2D(text=EOS, starts=(START, (1.5, 0.2)), optimizers=("GD", "Momentum", "Nesterov", "Adam"),
                    lr=0.05, momentum=0.5, steps=40, x_range=(-1.0, 3.0), y_range=(-1.0, 3.0))
    r = evaluate_2d(scene)
    for name, run in r.runs.items():
        assert r.sharpness[name].shape == run.loss.shape
        np.testing.assert_allclose(r.sharpness[name], analytic_sharpness(run.x[..., 0], run.x[..., 1]), rtol=1e-12)
    assert r.sharpness_bounds == pytest.approx({"GD": 40.0, "Momentum": 60.0, "Nesterov": 30.0, "Adam": None})


# --------------------------------------------------------------------------- modified landscape
def test_modified_landscape_is_f_plus_a_quarter_eta_gradient_squared():
    land = Landscape.from_text(EOS)
    X, Y = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-1, 3, 7))
    P = np.stack([X, Y], axis=-1)
    G = land.grad_numeric(P)
    got = modified_landscape_values(land.F_numeric(X, Y), G[..., 0], G[..., 1], 0.3)
    r = 1 - X * Y
    np.testing.assert_allclose(got, r ** 2 / 2 + 0.3 / 4 * (X ** 2 + Y ** 2) * r ** 2, rtol=1e-13, atol=1e-15)
    with pytest.raises(ValueError):
        modified_landscape_values(got, got, got, 0.0)


def test_modified_isolines_only_on_request_and_differ_from_fs():
    scene = Scene2D(text=EOS, starts=(START,), lr=0.4, steps=5, x_range=(-1.0, 3.0), y_range=(-1.0, 3.0))
    plain = evaluate_2d(scene)
    assert plain.modified_x.size == 0 and plain.modified_y.size == 0
    r = evaluate_2d(scene.with_(modified=True))
    assert r.modified_x.size > 0 and r.modified_x.size % 2 == 0 and r.modified_x.shape == r.modified_y.shape
    # On every segment end F̃ is at one of F's levels (linear interpolation in a 300-point grid).
    x, y = r.modified_x, r.modified_y
    Fm = (1 - x * y) ** 2 / 2 * (1 + 0.4 / 2 * (x * x + y * y))
    gap = np.min(np.abs(Fm[:, None] - r.grid.z_levels[None, :]), axis=1)
    assert np.median(gap) < 1e-3 * float(np.ptp(r.grid.z_levels))
    assert not np.array_equal(np.sort(r.modified_x), np.sort(r.lines_x))
