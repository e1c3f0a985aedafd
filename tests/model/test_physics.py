"""Momentum as Newton's second law: heavy-ball phase points, the damped Newton flow, the pendulum.

Hand-derived facts used below: the pendulum x'' = −(g/L) sin x − γ x' has Jacobian
[[0, 1], [−(g/L) cos x*, −γ]] at its rest points x* = kπ, so with γ = 0 the bottom has
eigenvalues ±i√(g/L) and the top ±√(g/L); with friction, trace −γ and determinant ±g/L.
The damped linear oscillator x'' + γ x' + ω² x = 0 from (1, 0) is
e^(−γt/2) (cos ω_d t + γ/(2ω_d) sin ω_d t), ω_d = √(ω² − γ²/4).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz.model.euler import Cancelled
from gdviz.model.optimizers import heavy_ball_as_ode, run_optimizer
from gdviz.model.physics import (
    DEFAULT_MAX_STEP,
    PhaseKind,
    damped_newton_flow,
    heavy_ball_phase,
    pendulum_energy,
    pendulum_equilibria,
    pendulum_field,
    pendulum_jacobian,
    pendulum_period,
    pendulum_trajectories,
)
from gdviz.model.problem import Direction, FlowProblem, Kind

TWO_PI = 2 * math.pi
DOUBLE_WELL = "x^4/4 - x^2/2 + 0.3x"        # F' = x³ − x + 0.3


def sorted_eigs(values):
    return sorted((complex(v) for v in values), key=lambda z: (round(z.real, 9), round(z.imag, 9)))


# --------------------------------------------------------------------------- equilibria

@pytest.mark.parametrize("g", [1.0, 4.0, 9.81 / 0.5])
def test_equilibria_without_friction(g):
    eqs = pendulum_equilibria(g, 0.0, (-TWO_PI, TWO_PI))
    assert [e.x for e in eqs] == pytest.approx([-TWO_PI, -math.pi, 0.0, math.pi, TWO_PI])
    assert all(e.v == 0.0 for e in eqs)
    w = math.sqrt(g)
    for e in eqs:
        if round(e.x / math.pi) % 2 == 0:               # bottom: a centre, ±i√(g/L)
            assert e.kind is PhaseKind.CENTRE and e.kind == "stable centre" and e.stable
            assert e.eigenvalues == (complex(0, w), complex(0, -w))
        else:                                           # top: a saddle, ±√(g/L)
            assert e.kind is PhaseKind.SADDLE and e.kind == "saddle" and not e.stable
            assert e.eigenvalues == (complex(w, 0), complex(-w, 0))
        np.testing.assert_allclose(sorted_eigs(e.eigenvalues),
                                   sorted_eigs(np.linalg.eigvals(pendulum_jacobian(e.x, g))),
                                   atol=1e-12)


def test_equilibria_with_small_friction_are_a_focus_and_a_saddle():
    g, gamma = 4.0, 0.5                                 # 0 < γ < 2√(g/L) = 4
    bottom, top = pendulum_equilibria(g, gamma, (0.0, math.pi))
    assert (bottom.x, top.x) == (0.0, math.pi)
    assert bottom.kind is PhaseKind.FOCUS and bottom.kind == "stable focus"
    wd = math.sqrt(g - gamma**2 / 4)
    assert bottom.eigenvalues == pytest.approx((complex(-gamma / 2, wd), complex(-gamma / 2, -wd)))
    assert top.kind is PhaseKind.SADDLE
    lp, lm = (z.real for z in top.eigenvalues)
    assert lp > 0 > lm and lp + lm == pytest.approx(-gamma) and lp * lm == pytest.approx(-g)
    for e in (bottom, top):
        np.testing.assert_allclose(
            sorted_eigs(e.eigenvalues),
            sorted_eigs(np.linalg.eigvals(pendulum_jacobian(e.x, g, gamma))), atol=1e-12)


@pytest.mark.parametrize("gamma", [4.0, 5.0, 40.0])
def test_equilibria_with_large_friction_make_the_bottom_a_node(gamma):
    g = 4.0                                             # γ >= 2√(g/L) = 4
    eqs = pendulum_equilibria(g, gamma, (-1.0, 4.0))
    assert [e.kind for e in eqs] == [PhaseKind.NODE, PhaseKind.SADDLE]
    assert eqs[0].kind == "stable node"
    lp, lm = eqs[0].eigenvalues
    assert lp.imag == lm.imag == 0 and lm.real <= lp.real < 0
    assert lp.real * lm.real == pytest.approx(g) and lp.real + lm.real == pytest.approx(-gamma)
    if gamma == 4.0:
        assert lp == lm == -2.0                          # critical damping: a repeated root


def test_equilibria_pumping_friction_and_bad_arguments():
    assert pendulum_equilibria(1.0, -0.5, (0, 0))[0].kind is PhaseKind.UNSTABLE_FOCUS
    assert pendulum_equilibria(1.0, -3.0, (0, 0))[0].kind is PhaseKind.UNSTABLE_NODE
    assert not pendulum_equilibria(1.0, -3.0, (0, 0))[0].stable
    assert pendulum_equilibria(1.0, 0.0, (0.5, 3.0)) == ()
    assert [e.x for e in pendulum_equilibria(1.0, 0.0, (7.0, -1.0))] == [0.0, math.pi, TWO_PI]
    for kwargs in ({"g_over_L": 0.0}, {"g_over_L": -1.0}, {"gamma": math.nan},
                   {"x_range": (0.0, 1e9)}, {"x_range": 1.0}):
        with pytest.raises(ValueError):
            pendulum_equilibria(**kwargs)


def test_field_vanishes_at_rest_points_and_has_the_right_arrows():
    X, V = np.meshgrid(np.linspace(-4, 4, 9), np.linspace(-2, 2, 5))
    dX, dV = pendulum_field(X, V, 2.0, 0.3)
    assert dX.shape == dV.shape == (5, 9)
    np.testing.assert_array_equal(dX, V)
    np.testing.assert_allclose(dV, -2.0 * np.sin(X) - 0.3 * V, rtol=1e-15)
    for e in pendulum_equilibria(2.0, 0.3, (-4, 4)):
        dx, dv = pendulum_field(e.x, e.v, 2.0, 0.3)
        assert dx == 0 and abs(dv) < 1e-15
    assert pendulum_energy(math.pi, 0.0, 3.0) == pytest.approx(6.0)
    assert pendulum_energy(0.0, 2.0, 3.0) == 2.0


# --------------------------------------------------------------------------- energy, period

def test_energy_is_conserved_without_friction():
    starts = np.array([[0.3, 0.0], [2.5, 0.0], [0.0, 1.5], [-1.0, 2.5]])   # the last one whirls
    run = pendulum_trajectories(starts, g_over_L=1.0, gamma=0.0, t_end=5 * TWO_PI, n_points=501)
    assert run.x.shape == run.v.shape == run.energy.shape == (4, 501) and run.t.shape == (501,)
    e0 = run.energy[:, :1]
    np.testing.assert_allclose(e0[:, 0], pendulum_energy(starts[:, 0], starts[:, 1]))
    assert np.max(np.abs(run.energy - e0) / e0) < 1e-6
    assert run.x[3, -1] > 10 * math.pi                                     # over the top
    assert not run.diverged.any() and run.gamma == 0.0


@pytest.mark.parametrize("gamma", [0.05, 0.5, 3.0])
def test_energy_strictly_decreases_with_friction(gamma):
    run = pendulum_trajectories([[2.0, 0.0], [0.0, 2.2]], 1.0, gamma, t_end=8.0, n_points=801)
    assert np.all(np.diff(run.energy, axis=1) < 0)
    # dE/dt = −γ v²: the loss between samples is the integral of γ v² (trapezoid rule).
    lost = -np.diff(run.energy, axis=1)
    dt = run.t[1] - run.t[0]
    trap = gamma * dt * (run.v[:, :-1] ** 2 + run.v[:, 1:] ** 2) / 2
    np.testing.assert_allclose(lost.sum(axis=1), trap.sum(axis=1), rtol=1e-3)


def upward_crossings(t, x):
    i = np.nonzero((x[:-1] < 0) & (x[1:] >= 0))[0]
    return t[i] - x[i] * (t[i + 1] - t[i]) / (x[i + 1] - x[i])


@pytest.mark.parametrize("g", [1.0, 9.81 / 0.5])
def test_small_angle_period_is_two_pi_sqrt_l_over_g(g):
    T0 = TWO_PI * math.sqrt(1 / g)
    run = pendulum_trajectories([[0.01, 0.0]], g, 0.0, t_end=6 * T0, n_points=6001)
    periods = np.diff(upward_crossings(run.t, run.x[0]))
    assert len(periods) >= 4
    np.testing.assert_allclose(periods, T0, rtol=1e-4)   # amplitude correction θ²/16 ~ 6e-6
    assert pendulum_period(0.01, g) == pytest.approx(T0 * (1 + 0.01**2 / 16), rel=1e-9)


def test_large_swings_take_longer_as_the_elliptic_integral_says():
    theta = 2.0
    T = float(pendulum_period(theta))
    # Series T/T0 = 1 + θ²/16 + 11θ⁴/3072 + 173θ⁶/737280 + ... at a small angle, for the AGM.
    small = 0.3
    series = 1 + small**2 / 16 + 11 * small**4 / 3072 + 173 * small**6 / 737280
    assert pendulum_period(small) / TWO_PI == pytest.approx(series, rel=1e-7)
    run = pendulum_trajectories([[theta, 0.0]], 1.0, 0.0, t_end=3.2 * T, n_points=3201)
    np.testing.assert_allclose(np.diff(upward_crossings(run.t, run.x[0])), T, rtol=1e-5)
    assert pendulum_period(math.pi) == math.inf and T > TWO_PI


# --------------------------------------------------------------------------- heavy ball

def test_heavy_ball_phase_is_run_optimizer_momentum_bit_for_bit():
    problem = FlowProblem.from_text(DOUBLE_WELL, Kind.OBJECTIVE, Direction.DESCENT)
    x0 = np.array([1.7, -0.3, 0.05])
    lr, mu = 0.01, 0.85
    phase = heavy_ball_phase(problem, x0, 0.0, lr, mu, 300)
    opt = run_optimizer("Momentum", lambda X: -problem.f_numeric(X), x0[:, None], 300,
                        {"lr": lr, "momentum": mu})
    np.testing.assert_array_equal(phase.x, opt.x[:, :, 0])
    # The same with a plain gradient callable.
    grad = lambda x: x**3 - x + 0.3                      # noqa: E731
    again = heavy_ball_phase(grad, x0, 0.0, lr, mu, 300)
    np.testing.assert_allclose(again.x, opt.x[:, :, 0], rtol=0, atol=1e-12)
    opt2 = run_optimizer("Momentum", grad, x0[:, None], 300, {"lr": lr, "momentum": mu})
    np.testing.assert_array_equal(again.x, opt2.x[:, :, 0])
    # Phase coordinates: t_n = nΔt, v_n the displacement per Δt, γ from heavy_ball_as_ode.
    dt, gamma = heavy_ball_as_ode(lr, mu)
    np.testing.assert_allclose(phase.t, dt * np.arange(301), rtol=1e-15)
    assert phase.gamma == gamma == pytest.approx(1.5)
    np.testing.assert_array_equal(phase.v[:, 0], 0.0)
    np.testing.assert_allclose(phase.v[:, 1:], np.diff(phase.x, axis=1) / dt, rtol=0, atol=1e-12)
    # Energy: v²/2 + F for descent; it ends lower than it started (friction).
    np.testing.assert_allclose(phase.energy, phase.v**2 / 2 + problem.F_numeric(phase.x),
                               rtol=1e-14, atol=1e-14)
    assert np.all(phase.energy[:, -1] < phase.energy[:, 0])
    assert np.isnan(again.energy).all()                 # a bare gradient has no potential


def test_heavy_ball_phase_ascent_maximises_like_torch_maximize():
    problem = FlowProblem.from_text("-(x-1)^2 + sin(3x)/5", Kind.OBJECTIVE, Direction.ASCENT)
    phase = heavy_ball_phase(problem, [-1.0, 2.5], 0.0, 0.02, 0.9, 200)
    fprime = problem.f_numeric                          # ascent: f = F'
    opt = run_optimizer("Momentum", fprime, [[-1.0], [2.5]], 200,
                        {"lr": 0.02, "momentum": 0.9, "maximize": True})
    np.testing.assert_array_equal(phase.x, opt.x[:, :, 0])
    # The potential is −F: the ball climbs F.
    assert np.all(problem.F_numeric(phase.x[:, -1]) > problem.F_numeric(phase.x[:, 0]))


def test_heavy_ball_phase_with_an_initial_velocity():
    grad = lambda x: 4.0 * x                             # noqa: E731 - F = 2x²
    lr, mu, v0 = 0.01, 0.9, 3.0
    dt, gamma = heavy_ball_as_ode(lr, mu)
    phase = heavy_ball_phase(grad, 1.0, v0, lr, mu, 50, potential=lambda x: 2 * x * x)
    assert phase.x.shape == (51,) and phase.diverged_at.shape == ()
    # Semi-implicit Euler of x'' + γx' + 4x = 0 from u_0 = v0, by hand.
    x, u = 1.0, v0
    for n in range(50):
        u = u + dt * (-gamma * u - 4.0 * x)
        x = x + dt * u
        assert phase.x[n + 1] == pytest.approx(x, abs=1e-12)
        assert phase.v[n + 1] == pytest.approx(u, abs=1e-12)
    assert phase.energy[0] == pytest.approx(v0**2 / 2 + 2.0)


def test_heavy_ball_tends_to_the_damped_newton_flow_at_first_order():
    # Pendulum force, γ fixed, lr = Δt², momentum = 1 − γΔt; compare on t in [0, 6].
    gamma, T = 0.5, 6.0
    grad = np.sin
    errors, dts = [], [0.04, 0.02, 0.01, 0.005]
    for dt in dts:
        steps = round(T / dt)
        lr, mu = dt**2, 1 - gamma * dt
        assert heavy_ball_as_ode(lr, mu) == pytest.approx((dt, gamma), rel=1e-12)
        hb = heavy_ball_phase(grad, [2.0, -1.0], 0.0, lr, mu, steps)
        ref = damped_newton_flow(grad, [2.0, -1.0], 0.0, gamma, steps * dt, steps + 1)
        np.testing.assert_allclose(ref.t, hb.t, rtol=1e-12)
        errors.append(np.max(np.abs(hb.x - ref.x)))
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 1.7) & (ratios < 2.3)), ratios      # halve √lr, halve the error
    assert errors[-1] < 5e-3


# --------------------------------------------------------------------------- the reference

def test_damped_newton_flow_matches_the_damped_oscillator():
    omega, gamma = 2.0, 0.5
    wd = math.sqrt(omega**2 - gamma**2 / 4)
    run = damped_newton_flow(lambda x: omega**2 * x, np.array([[1.0], [-2.0]]), 0.0, gamma,
                             10.0, 201, potential=lambda x: omega**2 * x**2 / 2)
    assert run.x.shape == (2, 1, 201)
    t = run.t
    exact = np.exp(-gamma * t / 2) * (np.cos(wd * t) + gamma / (2 * wd) * np.sin(wd * t))
    # The documented bound t·ω(ωh)⁴/120 (h = DEFAULT_MAX_STEP), per unit amplitude.
    bound = 10.0 * omega * (omega * DEFAULT_MAX_STEP) ** 4 / 120
    np.testing.assert_allclose(run.x[0, 0], exact, rtol=0, atol=bound)
    np.testing.assert_allclose(run.x[1, 0], -2 * exact, rtol=0, atol=2 * bound)
    np.testing.assert_allclose(run.energy[0, 0], run.v[0, 0]**2 / 2 + omega**2 * exact**2 / 2,
                               atol=1e-9)


def test_damped_newton_flow_from_a_flow_problem_and_its_accuracy_claim():
    problem = FlowProblem.from_text(DOUBLE_WELL, Kind.OBJECTIVE, Direction.DESCENT)
    coarse = damped_newton_flow(problem, 1.7, 0.0, 0.0, 10.0, 41)
    fine = damped_newton_flow(problem, 1.7, 0.0, 0.0, 10.0, 41, max_step=1e-3)
    assert np.max(np.abs(coarse.x - fine.x)) < 1e-8
    assert np.ptp(coarse.energy) < 1e-9                   # frictionless: E = v²/2 + F constant


def test_divergence_is_data():
    # GD-with-momentum past its stability limit on F = x²: lr·2 > 2(1 + μ).
    hb = heavy_ball_phase(lambda x: 2 * x, [0.5, 0.0], 0.0, 2.5, 0.5, 400, bound=1e6)
    assert hb.diverged_at[0] > 0 and hb.diverged_at[1] == -1
    n = hb.diverged_at[0]
    assert np.isnan(hb.x[0, n:]).all() and np.isfinite(hb.x[0, :n]).all()
    assert np.isnan(hb.v[0, n:]).all()
    # V = −x⁴: x'' = 4x³ blows up in finite time.
    with np.errstate(all="raise"):                        # no numpy warning escapes
        flow = damped_newton_flow(lambda x: -4 * x**3, [1.0, 0.0], 0.0, 0.0, 3.0, 31)
    assert flow.diverged_at[0] > 0 and flow.diverged_at[1] == -1
    assert np.isnan(flow.x[0, -1]) and flow.x[1, -1] == 0.0


def test_bad_arguments_and_cancel():
    with pytest.raises(ValueError):
        heavy_ball_phase(np.sin, 0.0, 0.0, 0.0, 0.9, 10)        # lr must be > 0
    with pytest.raises(ValueError):
        heavy_ball_phase(np.sin, 0.0, 0.0, 0.1, -0.1, 10)
    with pytest.raises(ValueError):
        heavy_ball_phase(np.sin, 0.0, 0.0, 0.1, 0.9, -1)
    with pytest.raises(ValueError):
        heavy_ball_phase("sin", 0.0, 0.0, 0.1, 0.9, 3)
    for kwargs in ({"n_points": 1}, {"t_end": 0.0}, {"max_step": 0.0}, {"gamma": math.inf},
                   {"t_end": 1e6}):
        args = {"gamma": 0.1, "t_end": 1.0, "n_points": 11, **kwargs}
        with pytest.raises(ValueError):
            damped_newton_flow(np.sin, 0.0, 1.0, **args)
    with pytest.raises(ValueError):
        pendulum_trajectories(np.zeros((3, 3)))
    with pytest.raises(Cancelled):
        heavy_ball_phase(np.sin, 1.0, 0.0, 0.01, 0.9, 10, should_stop=lambda: True)
    with pytest.raises(Cancelled):
        pendulum_trajectories([[1.0, 0.0]], should_stop=lambda: True)
    assert heavy_ball_phase(np.sin, 1.0, 0.0, 0.01, 0.9, 0).x.shape == (1,)
