"""Momentum is Newton's second law: heavy-ball iterates in the phase plane, and the pendulum.

A unit mass in the potential V with friction γ obeys  x'' + γ x' = −V'(x). Heavy-ball momentum
on an objective F is a discretisation of it with V = F (`optimizers.heavy_ball_as_ode`:
Δt = √lr, γ = (1 − μ)/Δt), so its iterates are points (x_n, v_n) of that phase plane with
v_n = (x_n − x_{n−1})/Δt. `damped_newton_flow` is the exact motion they approximate (to first
order in Δt), computed by a fine fixed-step RK4; the pendulum (seeds 000/001:
x'' = −(g/L) sin x) is the same equation with V = (g/L)(1 − cos x), plus its phase portrait,
equilibria and energy.

Where a `FlowProblem` stands for the objective, the force is its f (x' = f is the gradient flow
the app draws) and V = −s·F: descent rolls down to minima of F, ascent up to its maxima, just as
the first-order flow does. A plain callable is taken to be the gradient F'; its potential
(for the energy) is then optional. Energies are per unit mass: E = v²/2 + V(x).

Divergence is data, as in `euler` and `optimizers`: a trajectory that leaves the finite world or
passes `bound` gets `diverged_at` and NaN from there on.
"""
from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

import numpy as np

from .euler import DEFAULT_BOUND, Cancelled
from .optimizers import heavy_ball_as_ode
from .problem import FlowProblem

__all__ = [
    "DEFAULT_MAX_STEP",
    "Cancelled",
    "PhaseEquilibrium",
    "PhaseKind",
    "PhaseRun",
    "damped_newton_flow",
    "heavy_ball_phase",
    "pendulum_energy",
    "pendulum_equilibria",
    "pendulum_field",
    "pendulum_jacobian",
    "pendulum_period",
    "pendulum_trajectories",
]

Array = np.ndarray
Scalar = Callable[[Array], Array]
Source = Union[FlowProblem, Scalar]

# RK4 reference: the global error of x grows like t·ω(ωh)⁴/120 for a frequency ω = √|V''|
# (the harmonic oscillator's phase error). h = 5e-3: ~5e-12 per unit time at ω = 1, ~5e-7 at
# ω = 10; energy drifts far less (~(ωh)⁶ per step). Pass a smaller max_step for stiffer V.
DEFAULT_MAX_STEP = 5e-3
MAX_RK_STEPS = 400_000       # work budget of one call (~80 µs a step: ~30 s); beyond, ValueError
STOP_EVERY = 1024            # should_stop is asked before steps 0, 1024, 2048, ...
MAX_EQUILIBRIA = 10_000


@dataclass(frozen=True, eq=False)
class PhaseRun:
    """Points (x, v) of the phase plane of x'' + γ x' = −V'(x) at times t; NaN after divergence."""

    t: Array                 # (m,)
    x: Array                 # batch + (m,)
    v: Array                 # batch + (m,)
    energy: Array            # batch + (m,): v²/2 + V(x); NaN where V is unknown
    gamma: float             # the friction γ of the equation
    diverged_at: Array       # batch, int: first index with x or v non-finite or |x| > bound; -1

    @property
    def diverged(self) -> Array:
        return self.diverged_at >= 0


# --------------------------------------------------------------------------- sources

def _gradient_and_potential(source: Source, potential: Scalar | None
                            ) -> tuple[Scalar, Scalar | None]:
    """(V', V) for a FlowProblem (V' = −f, V = −s·F) or a callable gradient (V' = it)."""
    if isinstance(source, FlowProblem):
        # f_loop: the bare lambdified f (every caller here runs under errstate(all="ignore")).
        f, F, s = source.f_loop, source.F_numeric, source.sign

        def grad(x: Array) -> Array:
            return -_shaped(f, x)

        def minus_sF(x: Array) -> Array:
            return -s * _shaped(F, x)                   # s = ±1: exact
        return grad, minus_sF if potential is None else potential
    if not callable(source):
        raise ValueError(f"give a FlowProblem or a callable gradient, got {source!r}")
    return (lambda x: _shaped(source, x)), potential


def _shaped(fn: Scalar, x: Array) -> Array:
    """fn(x) as a float64 array of x's shape (a constant gradient comes back as a scalar)."""
    r = fn(x)
    if type(r) is np.ndarray and r.dtype == np.float64 and r.shape == x.shape:
        return r                        # the usual case, without broadcast_to's overhead
    return np.broadcast_to(np.asarray(r, dtype=np.float64), x.shape)


def _energy(potential: Scalar | None, x: Array, v: Array) -> Array:
    with np.errstate(all="ignore"):
        if potential is None:
            return np.full(x.shape, np.nan)
        return 0.5 * v * v + _shaped(potential, x)


def _real(name: str, value: object) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _count(name: str, value: object, lo: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def _starts(x0: Array | float, v0: Array | float) -> tuple[Array, Array, tuple[int, ...]]:
    x0, v0 = np.broadcast_arrays(np.asarray(x0, dtype=np.float64), np.asarray(v0, dtype=np.float64))
    return x0.reshape(-1).copy(), v0.reshape(-1).copy(), x0.shape


def _mark(x: Array, v: Array, n: int, bound: float, diverged_at: Array) -> Array:
    """Starts whose (x, v) just went bad: record n, return the mask (the caller NaNs them).

    Called under the caller's errstate(all="ignore"): NaN compares False, so it counts as bad.
    """
    bad = ~(np.abs(x) <= bound) | ~np.isfinite(v)
    diverged_at[bad & (diverged_at < 0)] = n
    return bad


# --------------------------------------------------------------------------- heavy ball

def heavy_ball_phase(source: Source, x0: Array | float, v0: Array | float, lr: float,
                     momentum: float, steps: int, potential: Scalar | None = None,
                     bound: float = DEFAULT_BOUND,
                     should_stop: Callable[[], bool] | None = None) -> PhaseRun:
    """1-D heavy-ball momentum from (x0, v0), as phase-plane points (x_n, v_n) at t_n = nΔt.

    The iteration is torch's SGD momentum (τ = 0, no weight decay) literally,
    b ← μ b + V'(x),  x ← x − lr·b, with the buffer started at b₀ = −v0/Δt (so v0 = 0 is
    torch's b₁ = ∇F(x₀)), which makes x_n equal `run_optimizer("Momentum", ...)` bit for bit.
    The velocity is the displacement per time step, v_n = (x_n − x_{n−1})/Δt = −Δt·b_n (read
    from the buffer: no cancellation when x is large), v_0 = v0. (Δt, γ) come from
    `heavy_ball_as_ode`, which also validates lr > 0 and momentum >= 0. x0 and v0 broadcast.
    """
    dt, gamma = heavy_ball_as_ode(lr, momentum)
    lr, mu = float(lr), float(momentum)
    steps = _count("steps", steps, 0)
    grad, potential = _gradient_and_potential(source, potential)
    x0, v0, batch = _starts(x0, v0)
    xs = np.empty((steps + 1,) + x0.shape)        # xs[n] = x_n of every start, contiguous
    vs = np.empty_like(xs)
    xs[0], vs[0] = x0, v0
    diverged_at = np.full(x0.shape, -1, dtype=np.int64)
    with np.errstate(all="ignore"):               # overflow on the way out is data
        buf = -v0 / dt
        bad = _mark(xs[0], vs[0], 0, bound, diverged_at)
        xs[0, bad] = vs[0, bad] = buf[bad] = np.nan
        for n in range(steps):
            if should_stop is not None and n % STOP_EVERY == 0 and should_stop():
                raise Cancelled
            buf = mu * buf + grad(xs[n])           # the same operations as optimizers._step_sgd
            np.subtract(xs[n], lr * buf, out=xs[n + 1])
            np.multiply(-dt, buf, out=vs[n + 1])
            bad = _mark(xs[n + 1], vs[n + 1], n + 1, bound, diverged_at)
            if bad.any():
                xs[n + 1, bad] = vs[n + 1, bad] = buf[bad] = np.nan
    energy = _energy(potential, xs, vs)
    return PhaseRun(dt * np.arange(steps + 1), _out(xs, batch), _out(vs, batch),
                    _out(energy, batch), gamma, diverged_at.reshape(batch))


def _out(rows: Array, batch: tuple[int, ...]) -> Array:
    """Step-major rows (m, k) to the caller's layout batch + (m,)."""
    return np.ascontiguousarray(np.moveaxis(rows, 0, -1)).reshape(batch + (rows.shape[0],))


# --------------------------------------------------------------------------- the exact motion

def damped_newton_flow(source: Source, x0: Array | float, v0: Array | float, gamma: float,
                       t_end: float, n_points: int, potential: Scalar | None = None,
                       max_step: float = DEFAULT_MAX_STEP, bound: float = DEFAULT_BOUND,
                       should_stop: Callable[[], bool] | None = None) -> PhaseRun:
    """Reference solution of x'' = −V'(x) − γ x' from (x0, v0) at n_points times in [0, t_end].

    Classical RK4 on (x, v) with a fixed step h <= max_step that divides every output interval
    (same h for all starts, which broadcast). Accuracy: global error ~ t·ω(ωh)⁴/120 with
    ω = √|V''| (see DEFAULT_MAX_STEP); for the pendulum with g/L = 1 and the default step the
    energy stays constant to ~1e-11 over ten periods. A start that blows up is data (NaN after
    `diverged_at`, an output index). ValueError beyond MAX_RK_STEPS steps.
    """
    gamma = _real("gamma", gamma)
    t_end = _real("t_end", t_end)
    max_step = _real("max_step", max_step)
    n_points = _count("n_points", n_points, 2)
    if not t_end > 0 or not max_step > 0:
        raise ValueError(f"t_end and max_step must be > 0, got {t_end!r} and {max_step!r}")
    interval = t_end / (n_points - 1)
    sub = max(1, math.ceil(interval / max_step * (1 - 1e-12)))   # 1e-12: 0.1/0.01 is 10, not 11
    if sub * (n_points - 1) > MAX_RK_STEPS:
        raise ValueError(f"{sub * (n_points - 1)} RK4 steps exceed the budget of {MAX_RK_STEPS}: "
                         f"shorten t_end or raise max_step")
    h = interval / sub
    grad, potential = _gradient_and_potential(source, potential)
    x, v, batch = _starts(x0, v0)
    xs = np.empty((n_points,) + x.shape)
    vs = np.empty_like(xs)
    diverged_at = np.full(x.shape, -1, dtype=np.int64)

    def acc(xx: Array, vv: Array) -> Array:
        return -grad(xx) - gamma * vv

    count = 0
    with np.errstate(all="ignore"):
        for i in range(n_points):
            if i > 0:
                for _ in range(sub):
                    if should_stop is not None and count % STOP_EVERY == 0 and should_stop():
                        raise Cancelled
                    count += 1
                    a1 = acc(x, v)
                    x2, v2 = x + 0.5 * h * v, v + 0.5 * h * a1
                    a2 = acc(x2, v2)
                    x3, v3 = x + 0.5 * h * v2, v + 0.5 * h * a2
                    a3 = acc(x3, v3)
                    x4, v4 = x + h * v3, v + h * a3
                    a4 = acc(x4, v4)
                    x = x + h / 6 * (v + 2 * v2 + 2 * v3 + v4)
                    v = v + h / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
            bad = _mark(x, v, i, bound, diverged_at)
            x[bad] = v[bad] = np.nan
            xs[i], vs[i] = x, v
    energy = _energy(potential, xs, vs)
    t = np.linspace(0.0, t_end, n_points)
    return PhaseRun(t, _out(xs, batch), _out(vs, batch), _out(energy, batch), gamma,
                    diverged_at.reshape(batch))


# --------------------------------------------------------------------------- the pendulum

class PhaseKind(str, enum.Enum):
    """Linear type of an equilibrium of a planar system, from its Jacobian's eigenvalues."""
    CENTRE = "stable centre"         # ±iω: closed orbits around it (stable, not attracting)
    FOCUS = "stable focus"           # complex, Re < 0: spirals in
    NODE = "stable node"             # real, both < 0: creeps in without turning
    SADDLE = "saddle"                # real, opposite signs: unstable
    UNSTABLE_FOCUS = "unstable focus"   # γ < 0 (friction pumping energy in)
    UNSTABLE_NODE = "unstable node"

    @property
    def stable(self) -> bool:
        return self in (PhaseKind.CENTRE, PhaseKind.FOCUS, PhaseKind.NODE)


@dataclass(frozen=True)
class PhaseEquilibrium:
    x: float
    v: float
    kind: PhaseKind
    eigenvalues: tuple[complex, complex]   # (λ₊, λ₋): larger real part (or +imaginary) first

    @property
    def stable(self) -> bool:
        return self.kind.stable


def _g_over_L(value: object) -> float:
    value = _real("g_over_L", value)
    if not value > 0:
        raise ValueError(f"g_over_L must be > 0, got {value!r}")
    return value


def pendulum_field(X: Array, V: Array, g_over_L: float = 1.0,
                   gamma: float = 0.0) -> tuple[Array, Array]:
    """(x', v') = (v, −(g/L) sin x − γ v) at X, V (broadcast): the phase portrait's arrows."""
    g, gamma = _g_over_L(g_over_L), _real("gamma", gamma)
    X, V = np.broadcast_arrays(np.asarray(X, dtype=np.float64), np.asarray(V, dtype=np.float64))
    with np.errstate(all="ignore"):
        return V.copy(), -g * np.sin(X) - gamma * V


def pendulum_jacobian(x: float, g_over_L: float = 1.0, gamma: float = 0.0) -> Array:
    """[[0, 1], [−(g/L) cos x, −γ]]: the linearisation of pendulum_field at (x, v)."""
    g, gamma = _g_over_L(g_over_L), _real("gamma", gamma)
    return np.array([[0.0, 1.0], [-g * math.cos(x), -gamma]])


def pendulum_energy(x: Array | float, v: Array | float, g_over_L: float = 1.0) -> Array:
    """v²/2 + (g/L)(1 − cos x): 0 at rest at the bottom, 2 g/L at rest at the top."""
    g = _g_over_L(g_over_L)
    x, v = np.asarray(x, dtype=np.float64), np.asarray(v, dtype=np.float64)
    with np.errstate(all="ignore"):
        return 0.5 * v * v + g * (1.0 - np.cos(x))


def pendulum_equilibria(g_over_L: float = 1.0, gamma: float = 0.0,
                        x_range: tuple[float, float] = (-2 * math.pi, 2 * math.pi)
                        ) -> tuple[PhaseEquilibrium, ...]:
    """Every rest point (kπ, 0) in x_range (ends included), sorted, classified.

    The Jacobian at x* has trace −γ and determinant c = (g/L) cos x* = ±g/L (cos taken as
    exactly ±1), eigenvalues λ = (−γ ± √(γ² − 4c))/2:
    bottom x* = 2πk (c = g/L): centre for γ = 0, focus for 0 < γ < 2√(g/L), node for
    γ >= 2√(g/L) (a repeated eigenvalue at equality); unstable focus/node for γ < 0.
    top x* = π + 2πk (c = −g/L): real eigenvalues of opposite signs, a saddle for every γ.
    """
    g, gamma = _g_over_L(g_over_L), _real("gamma", gamma)
    try:
        a, b = (_real("x_range", e) for e in x_range)
    except TypeError:
        raise ValueError(f"x_range must be a pair (lo, hi), got {x_range!r}") from None
    a, b = min(a, b), max(a, b)
    # A little slack so that x_range = (-2π, 2π) in floats includes both ends.
    k_lo, k_hi = math.ceil(a / math.pi - 1e-9), math.floor(b / math.pi + 1e-9)
    if k_hi - k_lo + 1 > MAX_EQUILIBRIA:
        raise ValueError(f"x_range holds more than {MAX_EQUILIBRIA} equilibria")
    bottom, top = _bottom(g, gamma), _top(g, gamma)
    return tuple(PhaseEquilibrium(k * math.pi, 0.0, *(bottom if k % 2 == 0 else top))
                 for k in range(k_lo, k_hi + 1))


def _bottom(g: float, gamma: float) -> tuple[PhaseKind, tuple[complex, complex]]:
    if abs(gamma) >= 2.0 * math.sqrt(g):
        # Real roots; clamp the rounding that can make γ² − 4g a hair negative at equality.
        s = math.sqrt(max(gamma * gamma - 4.0 * g, 0.0))
        kind = PhaseKind.NODE if gamma > 0 else PhaseKind.UNSTABLE_NODE
        return kind, (complex((-gamma + s) / 2, 0.0), complex((-gamma - s) / 2, 0.0))
    omega = math.sqrt(max(4.0 * g - gamma * gamma, 0.0)) / 2   # √(4g)/2 is √g exactly
    kind = (PhaseKind.CENTRE if gamma == 0 else
            PhaseKind.FOCUS if gamma > 0 else PhaseKind.UNSTABLE_FOCUS)
    re = -gamma / 2 + 0.0                                      # + 0.0: no "-0" at γ = 0
    return kind, (complex(re, omega), complex(re, -omega))


def _top(g: float, gamma: float) -> tuple[PhaseKind, tuple[complex, complex]]:
    s = math.sqrt(gamma * gamma + 4.0 * g)
    return PhaseKind.SADDLE, (complex((-gamma + s) / 2, 0.0), complex((-gamma - s) / 2, 0.0))


def pendulum_period(amplitude: Array | float, g_over_L: float = 1.0) -> Array:
    """Exact period of the undamped swing from rest at angle `amplitude` (|amplitude| < π).

    T = 2π / (√(g/L) · AGM(1, cos(θ₀/2))) (the complete elliptic integral by the
    arithmetic-geometric mean); → 2π√(L/g) for small swings, → ∞ towards the top (inf at π).
    """
    g = _g_over_L(g_over_L)
    theta = np.abs(np.asarray(amplitude, dtype=np.float64))
    with np.errstate(all="ignore"):
        a, b = np.ones_like(theta), np.cos(theta / 2)
        b = np.where(theta < math.pi, b, 0.0)
        for _ in range(60):                      # quadratic convergence: ~6 rounds suffice
            a, b = (a + b) / 2, np.sqrt(a * b)
        period = 2 * math.pi / (math.sqrt(g) * a)
        return np.where(theta < math.pi, period, np.inf)


def pendulum_trajectories(starts: Array, g_over_L: float = 1.0, gamma: float = 0.0,
                          t_end: float = 20.0, n_points: int = 1001,
                          max_step: float = DEFAULT_MAX_STEP,
                          should_stop: Callable[[], bool] | None = None) -> PhaseRun:
    """Pendulum motions from starts (k, 2) = (x0, v0) by `damped_newton_flow`; energy as above."""
    g = _g_over_L(g_over_L)
    starts = np.asarray(starts, dtype=np.float64)
    if starts.ndim == 1:
        starts = starts[None, :]
    if starts.ndim != 2 or starts.shape[1] != 2:
        raise ValueError(f"starts must have shape (k, 2) = (x0, v0), got {starts.shape}")
    return damped_newton_flow(lambda x: g * np.sin(x), starts[:, 0], starts[:, 1], gamma, t_end,
                              n_points, potential=lambda x: g * (1.0 - np.cos(x)),
                              max_step=max_step, should_stop=should_stop)
