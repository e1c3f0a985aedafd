"""Expressions of x and y compiled to numpy ufunc calls into buffers they own (for hot loops)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from ..expressions import Expression

__all__ = ["MAX_KERNEL_NODES", "Kernel", "Unsupported"]


class Unsupported(Exception):
    """The expression uses something Kernel does not compile: use the lambdified function."""


_UNARY = {sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan, sp.asin: np.arcsin, sp.acos: np.arccos,
          sp.atan: np.arctan, sp.sinh: np.sinh, sp.cosh: np.cosh, sp.tanh: np.tanh,
          sp.asinh: np.arcsinh, sp.acosh: np.arccosh, sp.atanh: np.arctanh, sp.exp: np.exp,
          sp.log: np.log, sp.Abs: np.absolute, sp.sign: np.sign}
MAX_KERNEL_NODES = 400


class Kernel:
    """An expression of x and y compiled to numpy ufunc calls that write into buffers it owns,
    bound to two arrays the caller updates in place. Calling it allocates nothing.

    Why: the lambdified function allocates a fresh array per operation, and in a long loop over
    1.3 MB arrays glibc may hand that memory back to the system and fault it in again every step
    (measured here: 300 000 page faults and 4x the time of the same arithmetic for 400² × 500).
    The ufuncs are the ones lambdify's numpy printer emits; constant subexpressions are folded
    and sums may be added in another order, so results agree to rounding, not bit for bit.
    """

    def __init__(self, expr: Expression, params: Mapping[str, float], X: np.ndarray, Y: np.ndarray):
        e = expr.numeric_expr          # constants such as sin(10^300) already floats
        if sp.count_ops(e) > MAX_KERNEL_NODES:
            raise Unsupported("too large")
        self._inputs: dict[sp.Symbol, np.ndarray] = {}
        self._subs: dict[sp.Symbol, float] = {}
        for symbol in e.free_symbols:
            if symbol.name in ("x", "y"):
                self._inputs[symbol] = X if symbol.name == "x" else Y
            else:
                self._subs[symbol] = float(params[symbol.name])
        self._shape = X.shape
        self._buffers: list[np.ndarray] = []
        self._free: list[int] = []
        self._ops: list[tuple[Callable[..., Any], tuple[Any, ...], np.ndarray]] = []
        result = self._emit(e)
        if result[0] != "buf":         # a constant, or x itself: the caller owns the result buffer
            self._ops.append((np.positive, (self._value(result),), self._buffers[self._new()]))
            result = ("buf", len(self._buffers) - 1)
        self.out = self._buffers[result[1]]

    def __call__(self) -> np.ndarray:
        for f, args, out in self._ops:
            f(*args, out=out)
        return self.out

    # operands: ("const", float), ("in", array), ("buf", index)
    def _new(self) -> int:
        if self._free:
            return self._free.pop()
        self._buffers.append(np.empty(self._shape))
        return len(self._buffers) - 1

    def _value(self, operand: tuple) -> Any:
        kind, v = operand
        return self._buffers[v] if kind == "buf" else v

    def _op(self, f: Callable[..., Any], *operands: tuple) -> tuple:
        temps = [o[1] for o in operands if o[0] == "buf"]
        out = temps[0] if temps else self._new()   # ufuncs may write over an input elementwise
        self._free.extend(t for t in temps[1:] if t != out)
        self._ops.append((f, tuple(self._value(o) for o in operands), self._buffers[out]))
        return ("buf", out)

    def _constant(self, node: sp.Expr) -> tuple:
        # In floats, as lambdify's function computes it: sympy's evalf of exp(exp(exp(a))) at
        # a = 100 runs for ever (it computes e^(e^(2.7e43)) exactly).
        symbols = sorted(node.free_symbols, key=lambda s: s.name)
        try:
            if symbols:
                f = sp.lambdify(symbols, node, modules=["numpy"], dummify=True)
                with np.errstate(all="ignore"):
                    value = complex(f(*(self._subs[s] for s in symbols)))
            else:
                value = complex(node)
        except (TypeError, ValueError, ArithmeticError):   # zoo, nan: not a number lambdify would give either
            raise Unsupported(str(node)) from None
        if value.imag != 0 or not math.isfinite(value.real):
            raise Unsupported(str(node))
        return ("const", value.real)

    def _emit(self, node: sp.Expr) -> tuple:
        if not (node.free_symbols & self._inputs.keys()):
            return self._constant(node)
        if node in self._inputs:
            return ("in", self._inputs[node])
        if isinstance(node, sp.Add):
            return self._fold(np.add, node.args, 0.0)
        if isinstance(node, sp.Mul):
            num, den = [], []
            for factor in node.args:
                if (isinstance(factor, sp.Pow) and factor.exp.is_number and factor.exp.is_negative
                        and factor.free_symbols & self._inputs.keys()):
                    den.append(factor.base if factor.exp == -1 else sp.Pow(factor.base, -factor.exp))
                else:
                    num.append(factor)
            top = self._fold(np.multiply, num, 1.0) if num else ("const", 1.0)
            return self._op(np.divide, top, self._fold(np.multiply, den, 1.0)) if den else top
        if isinstance(node, sp.Pow):
            base, exp = node.args
            if exp.free_symbols & self._inputs.keys():
                return self._op(np.power, self._emit(base), self._emit(exp))
            v = self._constant(exp)[1]
            b = self._emit(base)
            if v == 2:
                return self._op(np.square, b)
            if v == 0.5:
                return self._op(np.sqrt, b)
            if v == -1:
                return self._op(np.divide, ("const", 1.0), b)
            if v == -0.5:
                return self._op(np.divide, ("const", 1.0), self._op(np.sqrt, b))
            return self._op(np.power, b, ("const", v))
        ufunc = _UNARY.get(node.func)
        if ufunc is not None and len(node.args) == 1:
            return self._op(ufunc, self._emit(node.args[0]))
        raise Unsupported(type(node).__name__)

    def _fold(self, f: Callable[..., Any], args: Any, identity: float) -> tuple:
        """a ∘ b ∘ c ... with the constant parts combined into one number, applied last."""
        constant = identity
        acc: tuple | None = None
        for a in args:
            o = self._emit(a)
            if o[0] == "const":
                constant = constant + o[1] if f is np.add else constant * o[1]
            else:
                acc = o if acc is None else self._op(f, acc, o)
        if acc is None:
            return ("const", constant)
        return acc if constant == identity else self._op(f, acc, ("const", constant))

