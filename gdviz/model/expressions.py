"""Safe parsing of calculator-style user text into sympy expressions and numpy callables.

User text is data: it is parsed with `ast`, checked against a whitelist, and the sympy
expression is built node by node. It never reaches eval, exec, sympify or parse_expr.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np
import sympy as sp


class ExpressionError(ValueError):
    """A problem with the user's text, phrased for a student, with a 1-based column (or None)."""

    def __init__(self, message: str, column: int | None = None, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.text = text


@dataclass(frozen=True, eq=False)
class Expression:
    """A parsed expression: sympy form, variables, free parameters and numeric callables."""

    expr: sp.Expr
    variables: tuple[str, ...] = ("x",)
    text: str = ""

    @classmethod
    def from_sympy(cls, expr: sp.Expr, variables: tuple[str, ...] = ("x",), text: str = "") -> "Expression":
        return cls(sp.sympify(expr), tuple(variables), text)  # trusted sympy objects, not user text

    @cached_property
    def parameters(self) -> tuple[str, ...]:
        """Free symbols other than the variables, sorted: the UI gives each a slider."""
        return tuple(sorted(s.name for s in self.expr.free_symbols if s.name not in self.variables))

    # implemented in expressions.py by the parser work (numeric callable, derivative,
    # antiderivative, latex, unicode) -- see the docstrings of the stubs below
    def numeric(self) -> Callable[..., np.ndarray]:
        """numpy-vectorised callable f(*variables, **parameters) -> ndarray (broadcast shape)."""
        raise NotImplementedError

    def derivative(self, var: str = "x") -> "Expression":
        raise NotImplementedError

    def antiderivative(self, var: str = "x") -> "Expression | None":
        """Symbolic antiderivative if sympy finds one within a small budget, else None."""
        raise NotImplementedError

    @property
    def latex(self) -> str:
        raise NotImplementedError

    @property
    def unicode(self) -> str:
        raise NotImplementedError


def parse(text: str, variables: tuple[str, ...] = ("x",), allow_parameters: bool = True) -> Expression:
    """Parse user text such as '2x^2 - sin(x)' into an Expression, or raise ExpressionError."""
    raise NotImplementedError
