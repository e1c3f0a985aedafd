"""Nesterov's accelerated gradient as a differential equation (Su, Boyd and Candès, "A
Differential Equation for Modeling Nesterov's Accelerated Gradient Method", JMLR 2016).

Nesterov's scheme with step s and momentum (k − 1)/(k + 2),

    x_k = y_{k−1} − s F'(y_{k−1}),    y_k = x_k + (k − 1)/(k + 2) · (x_k − x_{k−1}),

tends, with t ≈ k√s, to the solution of

    X'' + (3/t) X' + F'(X) = 0,    X(0) = x0,  X'(0) = 0,

as gradient descent tends to the gradient flow. The friction 3/t fades with time: early on the
motion is damped, later it oscillates. On F = λx²/2 the solution is X(t) = 2x0·J1(√λ t)/(√λ t),
whose first zero is at t = j₁,₁/√λ with j₁,₁ = 3.8317 (the tests check both the ODE and the
iterates against it).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

BESSEL_J1_FIRST_ZERO = 3.8317059702075123

Gradient = Callable[[float], float]


def nesterov_iterates(grad: Gradient, x0: float, s: float, steps: int) -> np.ndarray:
    """x_0 … x_steps of Nesterov's scheme above (x_0 = y_0 = x0)."""
    xs = np.empty(steps + 1)
    xs[0] = x_prev = y = float(x0)
    for k in range(1, steps + 1):
        x = y - s * grad(y)
        y = x + (k - 1) / (k + 2) * (x - x_prev)
        xs[k] = x_prev = x
    return xs


def nesterov_ode(grad: Gradient, x0: float, t_end: float, n_points: int = 2001,
                 substeps: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """(t, X(t)) on n_points times in [0, t_end]: the ODE above by classical RK4 with `substeps`
    steps per output interval, started off the singular point t = 0 by its series
    X(t) = x0 − F'(x0) t²/8 + O(t⁴)."""
    t = np.linspace(0.0, float(t_end), n_points)
    xs = np.empty(n_points)
    xs[0] = x0
    g0 = grad(float(x0))
    substeps = max(1, int(substeps))
    dt = (t[1] - t[0]) / substeps if n_points > 1 else 0.0
    # The first substep from the series; the rest by RK4 on (X, V), V = X'.
    tau = dt
    X, V = x0 - g0 * tau * tau / 8.0, -g0 * tau / 4.0

    def rhs(time: float, x: float, v: float) -> tuple[float, float]:
        return v, -3.0 / time * v - grad(x)
    for i in range(1, n_points):
        for j in range(substeps):
            if i == 1 and j == 0:
                continue                       # covered by the series
            a1, b1 = rhs(tau, X, V)
            a2, b2 = rhs(tau + dt / 2, X + dt / 2 * a1, V + dt / 2 * b1)
            a3, b3 = rhs(tau + dt / 2, X + dt / 2 * a2, V + dt / 2 * b2)
            a4, b4 = rhs(tau + dt, X + dt * a3, V + dt * b3)
            X += dt / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
            V += dt / 6 * (b1 + 2 * b2 + 2 * b3 + b4)
            tau += dt
        xs[i] = X
    return t, xs


def first_sign_change(values: np.ndarray) -> int | None:
    """The first index n with values[n] of the other sign than values[0] (or zero), or None."""
    signs = np.sign(values)
    hits = np.nonzero(signs != signs[0])[0]
    return int(hits[0]) if hits.size else None


# The ODE is followed with RK4 steps of at most ODE_OMEGA_H/ω (ω = √max F'' near the path), within
# ODE_MAX_STEPS steps and ODE_MAX_POINTS output points: a scalar loop, so bounded (~0.3 s).
ODE_OMEGA_H = 0.05
ODE_MAX_STEPS = 40_000
ODE_MAX_POINTS = 2001


@dataclass(frozen=True, eq=False)
class AcceleratedRun:
    """Nesterov's (k − 1)/(k + 2) iterates with step s, at t_k = k√s, over the ODE's solution."""

    s: float
    t: np.ndarray              # (steps + 1,) k√s
    x: np.ndarray              # (steps + 1,) x_k; NaN from the first iterate beyond the bound
    ode_t: np.ndarray          # the ODE's output times in [0, steps·√s]
    ode_x: np.ndarray          # X(t) there
    diverged_at: int           # first k with x_k non-finite or beyond the bound, -1 if never


def accelerated_run(grad: Gradient, x0: float, s: float, steps: int, omega: float,
                    bound: float = 1e12) -> AcceleratedRun:
    """The iterates and the ODE for `grad` = F' from x0 (X'(0) = 0), over steps·√s of time.
    `omega` = √max|F''| sets the ODE's RK4 step; divergence is data (NaN), never a warning."""
    steps = int(steps)
    t_end = steps * math.sqrt(s)
    with np.errstate(all="ignore"):
        xs = nesterov_iterates(grad, x0, s, steps)
        bad = ~(np.abs(xs) <= bound)
        diverged_at = int(np.argmax(bad)) if bad.any() else -1
        if diverged_at >= 0:
            xs[diverged_at:] = np.nan
        n_points = min(steps, ODE_MAX_POINTS - 1) + 1
        wanted = math.ceil(t_end * max(omega, 1e-9) / ODE_OMEGA_H)
        substeps = max(4, min(math.ceil(wanted / (n_points - 1)), ODE_MAX_STEPS // (n_points - 1)))
        ode_t, ode_x = nesterov_ode(grad, x0, t_end, n_points, substeps)
        ode_x[np.cumsum(~(np.abs(ode_x) <= bound)) > 0] = np.nan    # from where it left on
    return AcceleratedRun(float(s), np.arange(steps + 1) * math.sqrt(s), xs, ode_t, ode_x, diverged_at)
