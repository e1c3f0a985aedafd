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

import math
from collections.abc import Callable

import numpy as np

from .methods import integrate
from .problem import FlowProblem

METHOD_NAMES = ("euler", "implicit-euler", "heun", "rk4", "newton")
NEWTON_ITERATIONS = 50


def stability_function(method: str) -> Callable[[complex], complex]:
    """R(z) with x_{n+1} − x* = R(hλ)(x_n − x*) on x' = λ(x − x*)."""
    return {
        "euler": lambda z: 1 + z,
        "implicit-euler": lambda z: 1 / (1 - z),
        "heun": lambda z: 1 + z + z * z / 2,
        "rk4": lambda z: 1 + z + z ** 2 / 2 + z ** 3 / 6 + z ** 4 / 24,
    }[_known(method)]


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


def run_method(problem: FlowProblem, method: str, x0: float, h: float, steps: int) -> np.ndarray:
    """x_0 … x_steps of `method` from x0 with step h (NaN once a run fails or blows up)."""
    method = _known(method)
    if method in ("euler", "heun", "rk4"):
        return integrate(problem.f_numeric, x0, h, steps, {"euler": "Euler", "heun": "Heun", "rk4": "RK4"}[method])
    xs = np.full(steps + 1, np.nan)
    xs[0] = x = float(x0)
    with np.errstate(all="ignore"):
        for n in range(steps):
            x = _implicit_step(problem, x, h) if method == "implicit-euler" else _newton_step(problem, x, h)
            if not math.isfinite(x):
                break
            xs[n + 1] = x
    return xs


def _implicit_step(problem: FlowProblem, x: float, h: float) -> float:
    """The root of y − x − h f(y) that Newton's iteration reaches from the explicit step."""
    y = x + h * float(problem.f_numeric(x))
    for _ in range(NEWTON_ITERATIONS):
        residual = y - x - h * float(problem.f_numeric(y))
        slope = 1.0 - h * float(problem.fprime_numeric(y))
        if not (math.isfinite(residual) and math.isfinite(slope)) or slope == 0.0:
            return math.nan
        step = residual / slope
        y -= step
        if abs(step) <= 1e-15 * max(1.0, abs(y)):
            return y
    return y if abs(y - x - h * float(problem.f_numeric(y))) <= 1e-9 * max(1.0, abs(y)) else math.nan


def _newton_step(problem: FlowProblem, x: float, h: float) -> float:
    """One Euler step of x' = −f/f' (undefined where f' = 0: NaN, the run stops)."""
    slope = float(problem.fprime_numeric(x))
    return x - h * float(problem.f_numeric(x)) / slope if slope != 0.0 else math.nan


def _known(method: str) -> str:
    if method not in METHOD_NAMES:
        raise ValueError(f"no method {method!r}; choose one of {', '.join(METHOD_NAMES)}")
    return method
