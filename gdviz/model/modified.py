"""The modified equation: the flow that Euler's iterates (gradient descent) really follow.

Backward error analysis (Hairer, Lubich and Wanner, Geometric Numerical Integration, ch. IX): the
iterates x_{n+1} = x_n + h f(x_n) stay, to second order in h, on the solution of

    x' = f̃(x) = f(x) − (h/2) f'(x) f(x),

not on that of x' = f(x). So Euler's global error is O(h) against the flow it was meant to follow
and O(h²) against the modified one. For gradient ascent or descent on F (f = s·F', s = ±1) the
modified field is again a gradient: f̃ = s·F̃' with

    F̃ = F − s·(h/4)·F'²,

so gradient descent (s = −1) minimises F + (h/4)|F'|², a version of F that penalises steep slopes
and so prefers flat minima (Barrett and Dherin, "Implicit Gradient Regularization", ICLR 2021).
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp

from .expressions import Expression
from .problem import FlowProblem
from .reference import Reference, reference_solution


def modified_problem(problem: FlowProblem, h: float) -> FlowProblem:
    """x' = f − (h/2) f' f for Euler's step `h`, with F̃ = F − s·(h/4)·f² when F is known
    (f = s·F', so F'² = f²). Same direction, kind and parameters as `problem`."""
    if not (math.isfinite(h) and h > 0):
        raise ValueError("the step size h must be a positive number")
    x = problem.x_symbol
    f = problem.f.expr
    half_h = sp.Float(h) / 2
    f_mod = f - half_h * sp.diff(f, x) * f
    F_mod = None
    if problem.F is not None:
        F_mod = Expression.from_sympy(problem.F.expr - problem.sign * (half_h / 2) * f ** 2, ("x",),
                                      f"{problem.F.text} modified for h = {h:g}")
    return FlowProblem(F=F_mod, f=Expression.from_sympy(f_mod, ("x",), f"{problem.f.text} modified for h = {h:g}"),
                       direction=problem.direction, kind=problem.kind, params=dict(problem.params))


def modified_flow(problem: FlowProblem, x0: float, h: float, t_end: float, n_points: int) -> Reference:
    """The solution of the modified equation for Euler's step `h` from x0 on [0, t_end]: the curve
    Euler's iterates x_n sit on to O(h²), where the exact flow is only O(h) away."""
    return reference_solution(modified_problem(problem, h), x0, t_end, n_points)


def modified_objective_values(F: np.ndarray, f: np.ndarray, h: float, sign: int) -> np.ndarray:
    """F̃ = F − s·(h/4)·f² from F and f = s·F' at the same points (s = +1 ascent, −1 descent):
    gradient ascent climbs F − (h/4)F'², descent goes down F + (h/4)F'². Both are the 1-D form
    of the formula above; F̃ = F at the equilibria, and F̃ leaves F where F is steep."""
    if not (math.isfinite(h) and h > 0):
        raise ValueError("the step size h must be a positive number")
    if sign not in (1, -1):
        raise ValueError("the direction's sign is +1 (ascent) or -1 (descent)")
    with np.errstate(all="ignore"):
        return F - sign * (h / 4.0) * (f * f)


def modified_landscape_values(F: np.ndarray, Fx: np.ndarray, Fy: np.ndarray, h: float) -> np.ndarray:
    """F̃ = F + (h/4)|∇F|² from F and its partial derivatives at the same points: the function whose
    gradient flow gradient descent with learning rate `h` follows to second order in h (the 2-D
    form of F̃ above, s = −1). F̃ = F exactly where ∇F = 0, and grows over F where F is steep."""
    if not (math.isfinite(h) and h > 0):
        raise ValueError("the learning rate must be a positive number")
    with np.errstate(all="ignore"):
        return F + (h / 4.0) * (Fx * Fx + Fy * Fy)
