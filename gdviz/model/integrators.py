"""Other integrators of the gradient flow, read as optimizers (issue 14, §2), and where each is
stable.

    explicit Euler   x_{n+1} = x_n + h f(x_n)                        = gradient descent/ascent
    implicit Euler   x_{n+1} = x_n + h f(x_{n+1})                    = the proximal point method:
                     for descent, x_{n+1} = argmin_y F(y) + |y − x_n|²/(2h)
    Heun, RK4        the explicit methods of gdviz.model.methods
    Newton           Euler with step h on the Newton flow x' = −f/f' (= −F'/F''): h = 1 is
                     Newton's method for f(x) = 0, i.e. for a critical point of F

Implicit Euler has a solution set, not one value, for a general f: gdviz takes the root of
y − x_n − h f(y) = 0 that Newton's iteration reaches from the explicit step, which is the one
nearest it when h is small (and exactly the proximal point when F is convex).

The linear test x' = λx (λ = f'(x*) < 0 near a stable equilibrium) gives each method's stability
function R(z), z = hλ: a step multiplies the distance to x* by R(z), so the iterates contract
while |R(z)| < 1. Along the negative real axis that holds for h < limit/|f'(x*)|.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from .euler import DEFAULT_BOUND, Cancelled
from .method_names import METHOD_NAMES
from .methods import CHECK_EVERY, integrate
from .problem import THRESHOLD_REL, Equilibrium, FlowProblem, Regime, Stability

__all__ = ["METHOD_NAMES", "cut_at_divergence", "method_bound", "method_bounds", "method_regime", "run_batch",
           "run_method", "stability_function", "stability_limit"]
NEWTON_ITERATIONS = 50


def stability_function(method: str) -> Callable[[complex], complex]:
    """R(z) with x_{n+1} − x* = R(hλ)(x_n − x*) on x' = λ(x − x*)."""
    return {
        "euler": lambda z: 1 + z,
        "implicit-euler": lambda z: 1 / (1 - z),
        "heun": lambda z: 1 + z + z * z / 2,
        "rk4": lambda z: 1 + z + z ** 2 / 2 + z ** 3 / 6 + z ** 4 / 24,
    }[_known(method)]


@functools.cache
def stability_limit(method: str) -> float:
    """The largest L such that |R(−s)| ≤ 1 for all 0 < s ≤ L (inf: every step contracts): a
    stable equilibrium attracts the iterates for h < L/|f'(x*)|. Euler and Heun 2, RK4 2.785...,
    implicit Euler inf. Newton's flow has slope −1 at every simple root whatever f'(x*) is, so
    its limit is h < 2 itself (returned as 2: divide by 1, not by |f'(x*)|)."""
    method = _known(method)
    if method == "newton":
        return 2.0
    if method == "implicit-euler":
        return math.inf
    R = stability_function(method)
    lo, hi = 0.0, 1.0
    while abs(R(-hi)) <= 1.0 + 1e-15:
        lo, hi = hi, 2 * hi
    for _ in range(200):                 # |R(−s)| = 1 on the way out: bisect
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if abs(R(-mid)) <= 1.0 else (lo, mid)
    return lo


def method_bound(method: str, eq: Equilibrium) -> float:
    """The largest h for which `method`'s steps close to x* contract toward it: limit/|f'(x*)|
    (Newton: 2 whatever f'(x*) is); inf when every h contracts (implicit Euler) or f'(x*) = 0."""
    method = _known(method)
    if method == "newton":
        return 2.0
    return math.inf if eq.slope == 0 else stability_limit(method) / abs(eq.slope)


def method_bounds(method: str, equilibria: tuple[Equilibrium, ...] | list[Equilibrium]) -> tuple[float, ...]:
    """The finite bounds of the stable equilibria (for the h slider's marks), sorted, each once."""
    found = {method_bound(method, e) for e in equilibria
             if (e.stability is Stability.STABLE or method == "newton") and e.jump is None and e.interval is None}
    return tuple(sorted(b for b in found if math.isfinite(b)))


def method_regime(method: str, eq: Equilibrium, h: float) -> Regime:
    """What `method`'s steps do close to x*, from its stability function at z = h f'(x*): they
    contract for h below `method_bound`, monotonically while R(z) >= 0 and oscillating while it is
    negative. Euler's regime is Equilibrium.regime itself. (Heun's and RK4's R is positive on the
    whole real axis: beyond their bound they are pushed away without oscillating.)"""
    method = _known(method)
    unstable = eq.stability is Stability.UNSTABLE and method != "newton"   # Newton's flow attracts to every root
    if method == "euler" or unstable or eq.jump is not None:
        return eq.regime(h)
    bound = method_bound(method, eq)
    if method != "newton" and eq.slope == 0:
        return Regime.MONOTONE
    if math.isfinite(bound) and abs(h - bound) <= THRESHOLD_REL * bound:
        return Regime.BOUNDARY
    if h > bound:
        return Regime.DIVERGENT
    z = -h if method == "newton" else h * eq.slope           # Newton's flow has slope −1 at x*
    r = (1 - h) if method == "newton" else complex(stability_function(method)(z)).real
    return Regime.MONOTONE if r >= 0 else Regime.OSCILLATING


def run_method(problem: FlowProblem, method: str, x0: float, h: float, steps: int) -> np.ndarray:
    """x_0 … x_steps of `method` from x0 with step h (NaN once a run fails or blows up)."""
    return run_batch(problem, method, np.array([float(x0)]), h, steps)[0]


def run_batch(problem: FlowProblem, method: str, x0: np.ndarray, h: float, steps: int,
              should_stop: Callable[[], bool] | None = None) -> np.ndarray:
    """x_0 … x_steps of `method` for every start in the 1-D array x0: shape (len(x0), steps + 1).

    One Python loop over the steps, numpy over the starts (the flow tab's x0 and its bundle).
    Implicit Euler and Newton put NaN from the first step that fails (no root found, f' = 0)."""
    method = _known(method)
    starts = np.asarray(x0, dtype=np.float64).reshape(-1)
    if method in ("euler", "heun", "rk4"):
        name = {"euler": "Euler", "heun": "Heun", "rk4": "RK4"}[method]
        return integrate(problem.f_loop, starts, h, steps, name, should_stop=should_stop)
    step = _implicit_steps if method == "implicit-euler" else _newton_steps
    rows = np.full((steps + 1, starts.size), np.nan)
    rows[0] = starts
    with np.errstate(all="ignore"):
        for n in range(steps):
            rows[n + 1] = step(problem, rows[n], h)
            if should_stop is not None and n % CHECK_EVERY == CHECK_EVERY - 1 and should_stop():
                raise Cancelled
    return rows.T.copy()


def cut_at_divergence(x: np.ndarray, bound: float = DEFAULT_BOUND) -> tuple[np.ndarray, np.ndarray]:
    """Rows of iterates with NaN from each row's first value that is not finite or beyond `bound`,
    and that step (-1 if none): the same divergence Euler's engine reports (gdviz.model.euler)."""
    x = np.array(x, dtype=np.float64, ndmin=2)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(x) <= bound)
    hit = bad.any(axis=1)
    first = np.where(hit, np.argmax(bad, axis=1), -1)
    x[hit[:, None] & (np.arange(x.shape[1])[None, :] >= first[:, None])] = np.nan
    return x, first


def _implicit_steps(problem: FlowProblem, x: np.ndarray, h: float) -> np.ndarray:
    """For each x the root of y − x − h f(y) that Newton's iteration reaches from the explicit
    step (NaN where it finds none); each start stops iterating when its own step is tiny."""
    y = x + h * problem.f_numeric(x)
    out = np.full(x.shape, np.nan)
    active = np.isfinite(x)
    for _ in range(NEWTON_ITERATIONS):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            return out
        ya, xa = y[idx], x[idx]
        residual = ya - xa - h * problem.f_numeric(ya)
        slope = 1.0 - h * problem.fprime_numeric(ya)
        failed = ~(np.isfinite(residual) & np.isfinite(slope)) | (slope == 0.0)
        step = residual / np.where(failed, 1.0, slope)
        ya = ya - step
        done = ~failed & (np.abs(step) <= 1e-15 * np.maximum(1.0, np.abs(ya)))
        y[idx] = ya
        out[idx[done]] = ya[done]
        active[idx[failed | done]] = False
    idx = np.nonzero(active)[0]         # out of iterations: keep a root that solves the equation
    ya = y[idx]
    ok = np.abs(ya - x[idx] - h * problem.f_numeric(ya)) <= 1e-9 * np.maximum(1.0, np.abs(ya))
    out[idx[ok]] = ya[ok]
    return out


def _newton_steps(problem: FlowProblem, x: np.ndarray, h: float) -> np.ndarray:
    """One Euler step of x' = −f/f' (undefined where f' = 0: NaN, the run stops)."""
    slope = problem.fprime_numeric(x)
    return np.where(slope != 0.0, x - h * problem.f_numeric(x) / np.where(slope != 0.0, slope, 1.0), np.nan)


def _known(method: str) -> str:
    if method not in METHOD_NAMES:
        raise ValueError(f"no method {method!r}; choose one of {', '.join(METHOD_NAMES)}")
    return method
