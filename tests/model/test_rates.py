"""Convergence rates and learning-rate windows of GD, heavy ball and Nesterov (issue 14, §3):
the closed forms against the iteration matrices' eigenvalues, a bisection on ρ = 1 and the real
torch-form optimizers iterated on F = λx²/2; λ taken at the minimum a run approaches."""
from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.accelerated import BESSEL_J1_FIRST_ZERO, first_sign_change
from gdviz.model.momentum import MomentumScene, evaluate_momentum
from gdviz.model.optimizers import lr_threshold, run_optimizer
from gdviz.model.rates import (
    LINEAR_METHODS,
    iteration_matrix,
    lr_window,
    rate_map,
    rate_summary,
    rates_csv,
    spectral_radius,
    threshold_curve,
)
from gdviz.model.results2d import evaluate_2d
from gdviz.model.scene2d import Scene2D

lams = st.floats(0.05, 50.0)
mus = st.floats(0.0, 0.98)


def _bisect(method: str, lam: float, mu: float, lo: float, hi: float) -> float:
    """The η where ρ crosses 1, between lo (ρ < 1) and hi (ρ > 1), by bisection on ρ itself."""
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if spectral_radius(method, mid, mu, lam) < 1.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _final(method: str, lam: float, lr: float, mu: float, steps: int = 4000) -> float:
    """|x| after `steps` of gdviz's torch-exact optimizer on F = λx²/2 from x = 1 (inf: diverged)."""
    hyper = {"lr": lr} if method == "GD" else {"lr": lr, "momentum": mu}
    run = run_optimizer(method, lambda X: lam * X, np.array([[1.0]]), steps, hyper)
    x = run.x[0, -1, 0]
    return float(abs(x)) if np.isfinite(x) else math.inf


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(LINEAR_METHODS), st.floats(0.01, 5.0), st.floats(0.0, 1.5), lams)
def test_the_radius_is_the_iteration_matrix_s(method, eta, mu, lam):
    eig = np.abs(np.linalg.eigvals(iteration_matrix(method, eta, mu, lam)))
    assert float(spectral_radius(method, eta, mu, lam)) == pytest.approx(eig.max(), rel=1e-7, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(LINEAR_METHODS), lams, mus)
def test_the_closed_form_threshold_is_where_the_radius_crosses_one(method, lam, mu):
    w = lr_window(method, lam, mu)
    found = _bisect(method, lam, mu, 0.5 * w.high, 1.5 * w.high)
    assert found == pytest.approx(w.high, rel=1e-9)
    assert threshold_curve(method, lam, np.array([mu]))[0] == pytest.approx(w.high)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(LINEAR_METHODS), st.floats(0.1, 10.0), st.floats(0.05, 0.9))
def test_the_threshold_separates_the_real_optimizer_s_convergence_from_divergence(method, lam, mu):
    high = lr_window(method, lam, mu).high
    assert _final(method, lam, 0.97 * high, mu) < 1e-3
    assert _final(method, lam, 1.03 * high, mu) > 1.0


@pytest.mark.parametrize("mu", [1.5, 3.0])
def test_nesterov_with_momentum_above_one_has_a_lower_bound_too(mu):
    """torch allows μ > 1; then |μ(1 − ηλ)| < 1 needs ηλ > 1 − 1/μ as well."""
    lam = 2.0
    w = lr_window("Nesterov", lam, mu)
    assert w.low == pytest.approx((1 - 1 / mu) / lam)
    assert _final("Nesterov", lam, 0.9 * w.low, mu) > 1.0
    assert _final("Nesterov", lam, 0.5 * (w.low + w.high), mu) < 1e-3


def test_heavy_ball_without_friction_never_converges():
    """Regression: lr_threshold said 2(1 + μ)/λ for μ ≥ 1, where |roots| ≥ μ ≥ 1 for every η."""
    assert lr_window("Momentum", 1.0, 1.0).empty
    assert lr_threshold("Momentum", 1.0, 1.0) == 0.0
    assert _final("Momentum", 1.0, 0.5, 1.2) > 1.0


def test_dampening_scales_the_heavy_ball_s_step():
    lam, mu, tau = 3.0, 0.5, 0.4
    w = lr_window("Momentum", lam, mu, dampening=tau)
    assert w.high == pytest.approx(2 * (1 + mu) / (lam * (1 - tau)))
    run = run_optimizer("Momentum", lambda X: lam * X, np.array([[1.0]]), 3000,
                        {"lr": 0.97 * w.high, "momentum": mu, "dampening": tau})
    assert abs(run.x[0, -1, 0]) < 1e-3


def test_the_map_is_the_radius_on_its_grid_and_its_contour_is_the_threshold():
    etas, mus_ = np.linspace(0.025, 1.0, 40), np.linspace(0, 0.9, 10)
    m = rate_map("Nesterov", 4.0, etas, mus_)
    assert m.rate.shape == (10, 40)
    for i, j in ((0, 0), (3, 7), (9, 39)):
        assert m.rate[i, j] == pytest.approx(float(spectral_radius("Nesterov", etas[j], mus_[i], 4.0)))
    assert m.contour_x.size > 0
    # every point of the ρ = 1 curve sits at the closed-form η*(μ), to the grid's resolution
    expected = threshold_curve("Nesterov", 4.0, m.contour_y)
    assert np.max(np.abs(m.contour_x - expected)) < etas[1] - etas[0]


def test_the_csv_has_eta_mu_rate_columns_and_the_map_s_numbers():
    s = rate_summary(2.0, "test", (0.0,), ("Momentum",), 0.5, 0.5, 0.9)
    rows = list(csv.reader(io.StringIO(rates_csv(s))))
    assert rows[0] == ["eta", "mu", "rate"]
    assert len(rows) == 1 + s.map.rate.size
    eta, mu, rate = map(float, rows[1 + 5 * s.map.etas.size + 7])
    assert (eta, mu) == (s.map.etas[7], s.map.mus[5])
    assert rate == float(spectral_radius("Momentum", eta, mu, 2.0))


def test_the_2d_summary_takes_the_minimum_the_run_approaches():
    """F = (x² − 1)² + 3y²: minima (±1, 0) with Hessian diag(8, 6), so λ = 8 at either."""
    scene = Scene2D(text="(x^2 - 1)^2 + 3y^2", starts=((-0.7, 0.4),), optimizers=("Momentum", "Adam"),
                    lr=0.01, steps=200, momentum=0.5, x_range=(-2, 2), y_range=(-1.5, 1.5))
    r = evaluate_2d(scene)
    assert r.rates.lam == pytest.approx(8.0, rel=1e-6)
    assert r.rates.point[0] == pytest.approx(-1.0, abs=1e-6)
    assert "approaches" in r.rates.where
    assert r.rates.windows["Momentum"].high == pytest.approx(2 * 1.5 / 8)
    assert r.rates.windows["Adam"] is None
    far = evaluate_2d(scene.with_(lr=2.0, starts=((0.6, 0.4),)))     # diverges: nearest the start
    assert far.rates.point[0] == pytest.approx(1.0, abs=1e-6) and "nearest start 0" in far.rates.where


@settings(max_examples=8, deadline=None)
@given(st.floats(0.2, 5.0), st.floats(1e-4, 1e-2))
def test_the_momentum_tab_s_nesterov_changes_sign_within_a_step_of_the_bessel_zero(lam, s):
    """The issue's check on what the tab computes: on F = λx²/2 with step s the iterates first
    change sign within one step of k = 3.8317/√(sλ), and the ODE's curve at t = 3.8317/√λ."""
    k_expected = BESSEL_J1_FIRST_ZERO / math.sqrt(s * lam)
    steps = min(int(1.5 * k_expected) + 10, 20_000)
    scene = MomentumScene(text=f"{lam!r}*x^2/2", x0=1.0, v0=0.0, lr=s, momentum=0.9, steps=steps,
                          x_range=(-2.0, 2.0), portrait=False, nesterov=True)
    acc = evaluate_momentum(scene).accelerated
    k = first_sign_change(acc.x)
    assert k is not None and abs(k - k_expected) <= 1.0 + 1e-9
    zero = acc.ode_t[first_sign_change(acc.ode_x)]
    assert zero == pytest.approx(BESSEL_J1_FIRST_ZERO / math.sqrt(lam), abs=acc.ode_t[1] - acc.ode_t[0])
    assert acc.t[k] == pytest.approx(k * math.sqrt(s))


def test_the_momentum_tab_s_rates_are_torch_s_heavy_ball_at_the_bottom():
    scene = MomentumScene(text="2x^2", x0=1.0, lr=0.1, momentum=0.5, steps=100, x_range=(-2.0, 2.0))
    r = evaluate_momentum(scene).rates
    assert r.lam == pytest.approx(4.0)
    assert r.windows["Momentum"].high == pytest.approx(2 * 1.5 / 4.0)
    assert r.rates["Momentum"] == pytest.approx(float(spectral_radius("Momentum", 0.1, 0.5, 4.0)))
    assert evaluate_momentum(scene).accelerated is None          # only when asked


def test_the_map_s_method_has_a_rate_at_the_current_point_even_when_not_selected():
    """GD alone: the map is heavy ball's (GD is its row μ = 0) and its title read "ρ now = nan"."""
    s = rate_summary(18.0, "at the minimum", (1.0, 0.78), ("GD",), 0.05, 0.9, 0.999)
    assert s.map.method == "Momentum"
    assert s.rates["Momentum"] == pytest.approx(spectral_radius("Momentum", 0.05, 0.9, 18.0))
    assert s.rates["GD"] == pytest.approx(abs(1 - 0.05 * 18.0))


def test_a_start_beyond_floating_point_has_no_rates_and_no_crash():
    """Found by the command line's hypothesis test after the merge: --x0 0,1000000000001 made the
    path NaN from step 0, and picking the minimum it approaches indexed a list with None."""
    r = evaluate_2d(Scene2D(starts=((0.0, 1000000000001.0),)))
    assert r.rates is None or math.isfinite(r.rates.lam)
