"""Step-size rules for gradient descent/ascent (issue 14, §2): each step k chooses its own h_k.

    fixed    h_k = h: Euler's method on the flow with step h
    armijo   backtracking: h_k = h / 2^j for the smallest j with sufficient decrease,
             Φ(x + h_k f) ≤ Φ(x) − c h_k f(x)²,  c = 1e-4
    exact    exact line search along the step direction f(x): h_k minimises Φ(x + t f(x)) over t > 0
    bb       Barzilai–Borwein: h_0 = h, then h_k = s/y with s = x_k − x_{k−1}, y = ∇Φ(x_k) − ∇Φ(x_{k−1})

Φ is what the steps make smaller: F for descent, −F for ascent (maximising F is minimising −F), so
f = −Φ' in both directions and one sentence covers both. Each step is x_{k+1} = x_k + h_k f(x_k),
an Euler step of the flow with its own h_k, so the iterates sit at the artificial time
t_n = h_0 + … + h_{n−1} on the flow x(t).

The exact search takes the first minimum along the ray: the first t > 0 where the slope
dΦ/dt = −f(x + t f(x)) f(x) turns from negative to positive, found by doubling t from h until it
does, then by the Illinois regula falsi, which lands on it exactly when f is linear (a quadratic
F: one step to the minimum). BB falls back to h where s·y ≤ 0 (Φ not convex between the iterates).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .euler import Cancelled
from .method_names import STEP_RULES
from .problem import FlowProblem

ARMIJO_C = 1e-4
MAX_HALVINGS = 60        # h / 2^60: below any step a double can still take
MAX_DOUBLINGS = 200      # the exact search gives up on a ray that never turns (Φ falls forever)
SEARCH_ITERATIONS = 200
CHECK_EVERY = 256

__all__ = ["ARMIJO_C", "STEP_RULES", "RuleRun", "run_rule"]


@dataclass(frozen=True, eq=False)
class RuleRun:
    """x_0 … x_N, the h_k chosen (h[k] took x_k to x_{k+1}; NaN once the run failed) and t_n = Σ h_k."""
    x: np.ndarray
    h: np.ndarray
    t: np.ndarray


def run_rule(problem: FlowProblem, rule: str, x0: float, h: float, steps: int,
             should_stop: Callable[[], bool] | None = None) -> RuleRun:
    """`steps` steps x_{k+1} = x_k + h_k f(x_k) from x0, each h_k chosen by `rule`."""
    if rule not in STEP_RULES:
        raise ValueError(f"no step-size rule {rule!r}; choose one of {', '.join(STEP_RULES)}")
    f = _scalar(problem.f_numeric)
    phi = _scalar(lambda x: -problem.direction.sign * problem.F_numeric(x))
    xs = np.full(steps + 1, np.nan)
    hs = np.full(steps, np.nan)
    xs[0] = x = float(x0)
    previous: tuple[float, float] | None = None        # (x_{k−1}, f(x_{k−1})) for BB
    with np.errstate(all="ignore"):
        for k in range(steps):
            fx = f(x)
            if not math.isfinite(fx):
                break
            hk = _choose(rule, f, phi, x, fx, h, previous)
            previous = (x, fx)
            x = x + hk * fx
            if not (math.isfinite(hk) and math.isfinite(x)):
                break
            hs[k], xs[k + 1] = hk, x
            if should_stop is not None and k % CHECK_EVERY == CHECK_EVERY - 1 and should_stop():
                raise Cancelled
    t = np.concatenate([[0.0], np.cumsum(hs)])
    return RuleRun(xs, hs, t)


def _scalar(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[float], float]:
    return lambda x: float(np.asarray(fn(np.array([x]))).ravel()[0])


def _choose(rule: str, f: Callable[[float], float], phi: Callable[[float], float], x: float, fx: float,
            h: float, previous: tuple[float, float] | None) -> float:
    if rule == "fixed" or fx == 0.0:
        return h
    if rule == "armijo":
        return armijo_step(phi, x, fx, h)
    if rule == "exact":
        return exact_step(f, x, fx, h)
    return bb_step(x, fx, h, previous)


def armijo_step(phi: Callable[[float], float], x: float, fx: float, h: float) -> float:
    """The first of h, h/2, h/4, … with Φ(x + t f) ≤ Φ(x) − c t f² (the last one tried if none is)."""
    start = phi(x)
    t = h
    for _ in range(MAX_HALVINGS):
        if phi(x + t * fx) <= start - ARMIJO_C * t * fx * fx:
            return t
        t *= 0.5
    return t


def exact_step(f: Callable[[float], float], x: float, fx: float, h: float) -> float:
    """The first t > 0 where f(x + t f(x)) f(x) changes sign from + to − (the first minimum of Φ
    along the ray); the last doubled t if it never does."""
    def slope(t: float) -> float:            # −dΦ/dt: positive while Φ still falls along the ray
        return f(x + t * fx) * fx

    lo, hi = 0.0, h
    s_lo, s_hi = fx * fx, slope(h)
    for _ in range(MAX_DOUBLINGS):
        if not math.isfinite(s_hi) or s_hi <= 0.0:
            break
        lo, s_lo, hi = hi, s_hi, 2.0 * hi
        s_hi = slope(hi)
    else:
        return hi
    if not math.isfinite(s_hi):
        return math.nan
    if s_hi == 0.0:
        return hi
    return _illinois(slope, lo, hi, s_lo, s_hi)


def _illinois(g: Callable[[float], float], a: float, b: float, ga: float, gb: float) -> float:
    """A root of g in [a, b] with g(a) > 0 > g(b): regula falsi with the Illinois halving (exact in
    one step for a linear g)."""
    side = 0
    for _ in range(SEARCH_ITERATIONS):
        c = (a * gb - b * ga) / (gb - ga)
        gc = g(c)
        if gc == 0.0 or not math.isfinite(gc) or abs(b - a) <= 4e-16 * max(1.0, abs(c)):
            return c
        if gc > 0:
            a, ga = c, gc
            if side == 1:
                gb *= 0.5
            side = 1
        else:
            b, gb = c, gc
            if side == -1:
                ga *= 0.5
            side = -1
    return c


def bb_step(x: float, fx: float, h: float, previous: tuple[float, float] | None) -> float:
    """s/y (both BB formulas agree in 1-D), y = −(f(x_k) − f(x_{k−1})); h first and where s·y ≤ 0."""
    if previous is None:
        return h
    s = x - previous[0]
    y = previous[1] - fx
    return s / y if s * y > 0 and math.isfinite(s / y) else h
