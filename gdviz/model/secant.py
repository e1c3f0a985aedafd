"""The derivative as speed: secant slopes over [t0, t0 + Δt] closing in on the tangent slope x'(t0).

If x(t) is a position, (x(t0 + Δt) − x(t0))/Δt is the average speed over the interval: the slope
of the secant through (t0, x(t0)) and (t0 + Δt, x(t0 + Δt)). As Δt → 0 it tends to x'(t0), the
slope of the tangent, with an error x''(t0)·Δt/2 + O(Δt²) (Taylor), so halving Δt halves it.

Plain numpy; the function is user text parsed by `expressions.parse` (imported when first
needed, so importing this module does not load sympy).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .ranges import range_problem

if TYPE_CHECKING:
    from .expressions import Expression

DEFAULT_POSITION = "exp(t)"     # x(t) = e^t: the solution of x' = x from x(0) = 1
DT_MIN = 1e-3                   # the slider's smallest |Δt|: the secant is then the tangent to the eye
DT_MAX = 100.0
MAX_ABS = 1e6                   # t0 and the plotted t-range
CURVE_POINTS = 600


@dataclass(frozen=True)
class SecantSetup:
    """What the secant demo starts with: the position x(t) as text, t0, Δt and the plotted t-range.

    ValueError (one sentence per problem) for numbers out of range; the text is checked by
    `secant_function`, which parses it."""

    x: str = DEFAULT_POSITION
    t0: float = 1.0
    dt: float = 1.0
    t_range: tuple[float, float] = (-1.0, 2.5)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        out = []
        if not isinstance(self.x, str) or not self.x.strip():
            out.append("the position x(t) must be an expression in t, e.g. exp(t)")
        a, b = self.t_range
        if problem := range_problem(a, b, "the t-range"):
            out.append(problem)
        elif max(abs(a), abs(b)) > MAX_ABS:
            out.append(f"the t-range needs two finite numbers A < B within ±{MAX_ABS:g}")
        elif not (_finite(self.t0) and a <= self.t0 <= b):
            out.append("t0 must lie inside the t-range")
        if not (_finite(self.dt) and DT_MIN <= abs(self.dt) <= DT_MAX):
            out.append(f"Δt must be a number with {DT_MIN:g} <= |Δt| <= {DT_MAX:g} (it may be negative)")
        return out


def _finite(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


@dataclass(frozen=True)
class SecantState:
    """One moment of the demo: the two points, the secant's and the tangent's slopes."""

    t0: float
    dt: float
    x0: float            # x(t0)
    x1: float            # x(t0 + Δt)
    secant_slope: float  # (x(t0 + Δt) − x(t0))/Δt, the average speed
    tangent_slope: float  # x'(t0), the speed at t0

    @property
    def t1(self) -> float:
        return self.t0 + self.dt

    @property
    def error(self) -> float:
        return self.secant_slope - self.tangent_slope

    def secant_at(self, t: np.ndarray) -> np.ndarray:
        """Points of the secant line over the times `t`."""
        return self.x0 + self.secant_slope * (np.asarray(t, dtype=float) - self.t0)

    def tangent_at(self, t: np.ndarray) -> np.ndarray:
        return self.x0 + self.tangent_slope * (np.asarray(t, dtype=float) - self.t0)


@dataclass(frozen=True, eq=False)
class SecantFunction:
    """A position x(t) with its exact derivative, both numpy-vectorised."""

    label: str                         # x(t) as Unicode, e.g. "eᵗ" or "t³"
    speed_label: str                   # x'(t)
    position: Callable[[np.ndarray], np.ndarray]
    speed: Callable[[np.ndarray], np.ndarray]

    def state(self, t0: float, dt: float) -> SecantState:
        """The secant over [t0, t0 + Δt] and the tangent at t0 (ValueError for Δt = 0)."""
        if dt == 0 or not math.isfinite(dt):
            raise ValueError("Δt must be a non-zero number")
        x0, x1 = (float(v) for v in self.position(np.array([t0, t0 + dt])))
        with np.errstate(all="ignore"):
            slope = (x1 - x0) / dt if math.isfinite(x0) and math.isfinite(x1) else math.nan
        return SecantState(t0, dt, x0, x1, slope, float(self.speed(np.array([t0]))[0]))

    def curve(self, t_range: tuple[float, float], points: int = CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
        """Samples of x(t) over t_range for drawing (NaN where x is undefined)."""
        t = np.linspace(t_range[0], t_range[1], points)
        return t, self.position(t)


def secant_function(text: str = DEFAULT_POSITION) -> SecantFunction:
    """Parse x(t) (variable t, no free parameters); ExpressionError with the parser's message otherwise."""
    from .expressions import parse  # sympy only when a demo is first built
    expr = parse(text, ("t",), allow_parameters=False)
    speed = expr.derivative("t")
    return SecantFunction(expr.unicode, speed.unicode, _vectorised(expr), _vectorised(speed))


def _vectorised(expr: Expression) -> Callable[[np.ndarray], np.ndarray]:
    f = expr.numeric()

    def call(t: np.ndarray) -> np.ndarray:
        values = f(np.asarray(t, dtype=float))
        # a huge value is as useless on the plot as an undefined one, and cannot overflow a slope
        return np.where(np.abs(values) <= 1e150, values, np.nan)
    return call


def secant_slopes(f: SecantFunction, t0: float, dts: np.ndarray) -> np.ndarray:
    """The secant slope over [t0, t0 + Δt] for each Δt at once (tests and notebooks: its distance to
    f.speed(t0) shrinks like Δt)."""
    dts = np.asarray(dts, dtype=float)
    with np.errstate(all="ignore"):
        return (f.position(t0 + dts) - f.position(np.full_like(dts, t0))) / dts
