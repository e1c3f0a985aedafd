"""The landscape F(x, y): its gradient and Hessian as numpy callables, parameters bound.

Grids follow `np.meshgrid(x, y)` ("xy" indexing): `Z[i, j]` is F(x[j], y[i]), row = y.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType

import numpy as np

from .. import ranges
from ..expressions import Expression, ExpressionError, parse

__all__ = ["DEFAULT_PARAMETER", "MAX_GRID", "VARIABLES", "Landscape", "Range", "check_count", "check_range",
           "loop_callable"]

VARIABLES = ("x", "y")
DEFAULT_PARAMETER = 1.0     # value of a free parameter the caller did not bind (as in FlowProblem)
MAX_GRID = 4000             # n per axis for grids (16 M points)

Range = tuple[float, float]


@dataclass(frozen=True, eq=False)
class Landscape:
    """F(x, y) with its gradient and Hessian as numpy callables, parameters bound."""

    F: Expression
    Fx: Expression              # ∂F/∂x
    Fy: Expression              # ∂F/∂y
    params: Mapping[str, float]
    text: str = ""

    def __post_init__(self) -> None:
        given = dict(self.params)
        bound = {name: float(given.get(name, DEFAULT_PARAMETER)) for name in self.F.parameters}
        object.__setattr__(self, "params", MappingProxyType(bound))

    @classmethod
    def from_text(cls, text: str, params: Mapping[str, float] | None = None) -> Landscape:
        """Parse F(x, y) from user text; ExpressionError (a ValueError) for bad text.

        The sympy work is cached per text: moving a parameter slider must not redo it."""
        F, Fx, Fy = _symbolic(text)
        return cls(F, Fx, Fy, dict(params or {}), text)

    @classmethod
    def from_expression(cls, F: Expression, params: Mapping[str, float] | None = None) -> Landscape:
        """From an Expression in x and y (no cache: the benchmark's "fresh parse" path)."""
        if tuple(F.variables) != VARIABLES:
            raise ValueError(f"a landscape is F(x, y); got variables {F.variables}")
        return cls(F, F.derivative("x"), F.derivative("y"), dict(params or {}), F.text)

    # ------------------------------------------------------------------------------- labels
    @property
    def parameters(self) -> tuple[str, ...]:
        return self.F.parameters

    @property
    def F_label(self) -> str:
        return self.F.unicode

    @property
    def grad_label(self) -> str:
        return f"({self.Fx.unicode}, {self.Fy.unicode})"

    @property
    def label(self) -> str:
        return f"F(x, y) = {self.F_label}"

    @property
    def gradient_label(self) -> str:
        return f"∇F(x, y) = {self.grad_label}"

    # ---------------------------------------------------------------------------- numerics
    @cached_property
    def Fxx(self) -> Expression:
        return self.Fx.derivative("x")

    @cached_property
    def Fxy(self) -> Expression:
        return self.Fx.derivative("y")

    @cached_property
    def Fyy(self) -> Expression:
        return self.Fy.derivative("y")

    # F and its partials for hot loops (loop_callable): the caller holds np.errstate.
    @cached_property
    def F_loop(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        return loop_callable(self.F, self.params)

    @cached_property
    def Fx_loop(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        return loop_callable(self.Fx, self.params)

    @cached_property
    def Fy_loop(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        return loop_callable(self.Fy, self.params)

    @cached_property
    def _hessian_parts(self) -> tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], ...]:
        return tuple(loop_callable(e, self.params) for e in (self.Fxx, self.Fxy, self.Fyy))

    def F_numeric(self, X: np.ndarray | float, Y: np.ndarray | float) -> np.ndarray:
        """F at (X, Y) broadcast together: float64, NaN/±inf where F is undefined."""
        X, Y = _float_array(X), _float_array(Y)
        with np.errstate(all="ignore"):
            Z = self.F_loop(X, Y)
        return Z.copy() if Z is X or Z is Y else Z   # F = x hands back X itself

    def grad_numeric(self, P: np.ndarray) -> np.ndarray:
        """∇F at points P (..., 2) -> (..., 2)."""
        P = _points(P)
        out = np.empty(P.shape)
        with np.errstate(all="ignore"):
            out[..., 0] = self.Fx_loop(P[..., 0], P[..., 1])
            out[..., 1] = self.Fy_loop(P[..., 0], P[..., 1])
        return out

    def hessian_numeric(self, P: np.ndarray) -> np.ndarray:
        """The Hessian at points P (..., 2) -> (..., 2, 2), symmetric by construction."""
        P = _points(P)
        fxx, fxy, fyy = self._hessian_parts
        out = np.empty((*P.shape[:-1], 2, 2))
        x, y = P[..., 0], P[..., 1]
        with np.errstate(all="ignore"):
            out[..., 0, 0] = fxx(x, y)
            out[..., 0, 1] = out[..., 1, 0] = fxy(x, y)
            out[..., 1, 1] = fyy(x, y)
        return out

    def loss(self, P: np.ndarray) -> np.ndarray:
        """F at points P (..., 2) -> (...): the loss an optimizer run records."""
        P = _points(P)
        return self.F_numeric(P[..., 0], P[..., 1])


def loop_callable(expr: Expression, params: Mapping[str, float]
                   ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """expr(x, y) for hot loops, like FlowProblem.f_loop: the bare lambdified function, and the
    checked one whenever the bare result is not a float64 array of the broadcast shape (a
    constant such as ∂(x + y)/∂x = 1, a complex value). The caller holds np.errstate."""
    raw = expr.raw_numeric
    args = tuple(float(params[name]) for name in expr.parameters)
    checked = expr.numeric()
    kwargs = {name: params[name] for name in expr.parameters}

    def call(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = raw(x, y, *args)
        if type(r) is np.ndarray and r.dtype == np.float64 and (
                r.shape == x.shape == y.shape or r.shape == np.broadcast_shapes(x.shape, y.shape)):
            return r
        return checked(x, y, **kwargs)
    return call


@lru_cache(maxsize=64)
def _symbolic(text: str) -> tuple[Expression, Expression, Expression]:
    F = parse(text, VARIABLES)
    try:
        return F, F.derivative("x"), F.derivative("y")
    except (RecursionError, MemoryError, ValueError, TypeError, ArithmeticError) as error:
        raise ExpressionError("could not differentiate the expression", None, text) from error


def _float_array(v: np.ndarray | float) -> np.ndarray:
    return v if type(v) is np.ndarray and v.dtype == np.float64 else np.asarray(v, dtype=np.float64)


def _points(P: np.ndarray) -> np.ndarray:
    P = _float_array(P)
    if P.ndim == 0 or P.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got {P.shape}")
    return P


def check_range(r: Range, what: str) -> Range:
    """`r` as a range a plot can show (the one rule of model.ranges); ValueError naming `what`."""
    try:
        lo, hi = r
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be two numbers") from None
    return ranges.check_range(lo, hi, what)


def check_count(n: object, what: str, low: int, high: int) -> int:
    """`n` as an int in [low, high]; ValueError naming `what` otherwise."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not low <= n <= high:
        raise ValueError(f"{what} must be an integer in [{low}, {high}], got {n!r}")
    return int(n)

