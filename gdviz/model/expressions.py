"""Safe parsing of calculator-style user text into sympy expressions and numpy callables.

User text is data: it is parsed with `ast`, checked against a whitelist, and the sympy
expression is built node by node. It never reaches eval, exec, sympify or parse_expr.

Pipeline of `parse`: bound the length -> normalise Unicode look-alikes (− × · ² π λ …) ->
tokenize (numbers, names, operators) and check the token grammar, which is where implicit
multiplication (`2x`, `x(1-x)`) is made explicit and the parenthesis depth is bounded ->
`ast.parse` of the rebuilt, canonical Python text -> whitelist walk building sympy objects
with bounds on nesting, exponents and the size of numbers.
"""
from __future__ import annotations

import ast
import difflib
import functools
import inspect
import keyword
import math
import os
import re
import sys
import time
import types
import unicodedata
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

MAX_LENGTH = 500           # characters of user text
MAX_DEPTH = 25             # nested parentheses, and nesting of operations in the tree
MAX_EXPONENT = 100         # |n| for a numeric exponent of a non-numeric base, e.g. x^100
MAX_DECIMAL_EXPONENT = 300  # literals and computed numbers stay within about 10^±300 (float range)
_MAX_BITS = 1000           # ~ 10^301: the same bound, for numerators/denominators of exact numbers
ANTIDERIVATIVE_BUDGET_S = 0.3

FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
    "exp": sp.exp, "log": sp.log, "ln": sp.log,  # log is the natural logarithm, as in sympy/numpy
    "sqrt": sp.sqrt, "abs": sp.Abs,
}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}
GREEK: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω",
}


def _dirac_delta(x: np.ndarray, *order: object) -> np.ndarray:
    """DiracDelta (from differentiating abs or sign twice) is 0 wherever a number can be drawn."""
    return np.zeros_like(x, dtype=np.float64)


# Functions sympy's derivatives produce that numpy has no name for.
_NUMPY_EXTRAS = {"DiracDelta": _dirac_delta, "Heaviside": lambda x, h0=0.5: np.heaviside(x, h0)}


_MATH_EXTRAS = {"DiracDelta": lambda x, *order: 0.0,
                "Heaviside": lambda x, h0=0.5: 0.0 if x < 0 else (1.0 if x > 0 else h0),
                "sign": lambda x: float((x > 0) - (x < 0))}


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
    # derivative/antiderivative results per variable; a dict so the frozen instance can memoise
    _memo: dict[tuple[str, str], Expression | None] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_sympy(cls, expr: sp.Expr, variables: tuple[str, ...] = ("x",), text: str = "") -> Expression:
        # Only sympy objects and plain numbers: a string here would need sympify, which evals text.
        if isinstance(expr, bool) or not isinstance(expr, (sp.Basic, int, float)):
            raise TypeError("from_sympy takes a sympy expression; parse user text with parse()")
        value = expr if isinstance(expr, sp.Basic) else (sp.Integer(expr) if isinstance(expr, int) else sp.Float(expr))
        return cls(value, tuple(variables), text)

    @functools.cached_property
    def parameters(self) -> tuple[str, ...]:
        """Free symbols other than the variables, sorted: the UI gives each a slider."""
        return tuple(sorted(s.name for s in self.expr.free_symbols if s.name not in self.variables))

    @functools.cached_property
    def notes(self) -> tuple[str, ...]:
        """Sentences the editor shows beside an accepted expression (see `parameter_notes`)."""
        return parameter_notes(self.parameters, self.variables)

    def numeric(self) -> Callable[..., np.ndarray]:
        """numpy-vectorised callable f(*variables, **parameters) -> float64 ndarray (broadcast shape).

        Parameters are keyword arguments (extra ones are ignored, so a caller may pass all of a
        scene's values). Points where the value is undefined or not real give nan or ±inf.
        """
        return self._numeric

    @functools.cached_property
    def raw_numeric(self) -> Callable[..., Any]:
        """The bare lambdified function of (*variables, *parameters), positionally: no checks, no
        errstate, and it may return a scalar or a complex array. For hot loops that check what
        comes back (see FlowProblem.f_loop); everyone else uses `numeric()`."""
        symbols = [self._symbol(name) for name in (*self.variables, *self.parameters)]
        # dummify: parameter names such as `lambda` are not valid Python argument names
        return sp.lambdify(symbols, self.numeric_expr, modules=[_NUMPY_EXTRAS, "numpy"], dummify=True)

    @functools.cached_property
    def numeric_expr(self) -> sp.Expr:
        """The expression numpy and math evaluate: every constant part that is not a plain number
        (sin(10^300), exp(2), asin(1/2)) replaced by its float value. Printed as it stands,
        sin(10^300) would reach numpy as a Python int too large for any numpy type and fail
        ("loop of ufunc does not support..."). ExpressionError when a constant part has no
        floating-point value (exp(10^300) overflows, asin(2) is not real)."""
        return fold_constants(self.expr)

    @functools.cached_property
    def _numeric(self) -> Callable[..., np.ndarray]:
        raw = self.raw_numeric
        variables, parameters = self.variables, self.parameters

        def evaluate(*values: np.ndarray | float, **parameter_values: np.ndarray | float) -> np.ndarray:
            if len(values) != len(variables):
                raise TypeError(f"expected {len(variables)} array(s), for {', '.join(variables)}")
            missing = [name for name in parameters if name not in parameter_values]
            if missing:
                raise TypeError(f"missing value for parameter(s) {', '.join(missing)}")
            # float arrays throughout: numpy refuses integer arrays to negative integer powers
            arrays = [v if type(v) is np.ndarray and v.dtype == np.float64
                      else np.asarray(v, dtype=np.float64) for v in values]
            arrays += [np.asarray(parameter_values[name], dtype=np.float64) for name in parameters]
            with np.errstate(all="ignore"):
                result = raw(*arrays)
                # Fast path (the Euler loop calls this once per step): already the right array.
                if (type(result) is np.ndarray and result.dtype == np.float64
                        and result.shape == arrays[0].shape and len(arrays) == 1):
                    return result
                shape = np.broadcast_shapes(*(a.shape for a in arrays))
                result = np.asarray(result)
                if np.iscomplexobj(result):  # e.g. (-8)^(1/3) is complex in sympy: not a real value
                    result = np.where(result.imag == 0, result.real, np.nan)
                return np.array(np.broadcast_to(result, shape), dtype=np.float64)

        return evaluate

    def scalar(self) -> Callable[..., float]:
        """Python-float callable f(*variables, **parameters) using the math module.

        For one long trajectory a numpy call per Euler step costs ~5 µs of overhead; this costs
        ~0.3 µs. math raises where numpy returns nan/inf: callers treat ArithmeticError and
        ValueError (log of a negative number, overflow, 1/0) as leaving the real line.
        """
        return self._scalar

    @functools.cached_property
    def _scalar(self) -> Callable[..., float]:
        symbols = [self._symbol(name) for name in (*self.variables, *self.parameters)]
        raw = sp.lambdify(symbols, self.numeric_expr, modules=[_MATH_EXTRAS, "math"], dummify=True)
        parameters = self.parameters

        def evaluate(*values: float, **parameter_values: float) -> float:
            return float(raw(*values, *(parameter_values[name] for name in parameters)))

        return evaluate

    def derivative(self, var: str = "x") -> Expression:
        """d/d(var) of the expression."""
        key = ("derivative", var)
        derivative = self._memo.get(key)
        if derivative is None:
            derivative = self._memo[key] = Expression(sp.diff(self.expr, self._symbol(var)), self.variables)
        return derivative

    def antiderivative(self, var: str = "x") -> Expression | None:
        """Symbolic antiderivative if sympy finds one within a small budget, else None.

        None means "integrate numerically". Results are accepted only if they use the same
        vocabulary a user can type (no Integral, Piecewise, erf, complex numbers...), because
        that is what numpy can evaluate without scipy and what the labels can show.
        """
        key = ("antiderivative", var)
        if key not in self._memo:
            _warm_up_integration()
            symbol = self._symbol(var)
            result = _run_with_budget(lambda: sp.integrate(self.expr, symbol), ANTIDERIVATIVE_BUDGET_S)
            plain = result is not None and _is_plain_real(result)
            self._memo[key] = Expression(result, self.variables) if plain else None
        return self._memo[key]

    @functools.cached_property
    def latex(self) -> str:
        return _LatexPrinter({"ln_notation": True}).doprint(self.expr)

    @functools.cached_property
    def unicode(self) -> str:
        """One line of plain Unicode for a Qt label, e.g. `x²/2 − x³/3`, `x·(1 − x)`, `2·sin(x)`."""
        return _to_unicode(self.expr)

    def _symbol(self, name: str) -> sp.Symbol:
        """The symbol called `name` in the expression (from_sympy may bring its own), else a new one."""
        for symbol in self.expr.free_symbols:
            if symbol.name == name:
                return symbol
        return sp.Symbol(name, real=True)


def parameter_notes(parameters: tuple[str, ...], variables: tuple[str, ...]) -> tuple[str, ...]:
    """A hint for each parameter whose name differs from a variable (or the constant e) only by
    case: `X^2` is a parameter X times nothing, so F' = 0, which is rarely what was meant. The
    equation is still accepted (X may be intended), so this is a note, not an error."""
    meaningful = {name.lower(): name for name in (*variables, *CONSTANTS) if len(name) == 1}
    out = []
    for name in parameters:
        meant = meaningful.get(name.lower())
        if meant is not None and meant != name:
            out.append(f"{name} is a parameter; did you mean {meant}?")
    return tuple(out)


def parse(text: str, variables: tuple[str, ...] = ("x",), allow_parameters: bool = True) -> Expression:
    """Parse user text such as '2x^2 - sin(x)' into an Expression, or raise ExpressionError."""
    try:
        return _parse(text, tuple(variables), allow_parameters)
    except ExpressionError as error:
        error.text = text if isinstance(text, str) else ""
        raise
    except (RecursionError, MemoryError) as error:
        raise ExpressionError("the expression is too complicated", None, _as_text(text)) from error
    except Exception as error:  # anything sympy/ast/numpy may raise is still the user's text at fault
        raise ExpressionError("could not understand the expression", None, _as_text(text)) from error


def _as_text(text: object) -> str:
    return text if isinstance(text, str) else ""


def _parse(text: str, variables: tuple[str, ...], allow_parameters: bool) -> Expression:
    if not isinstance(text, str):
        raise ExpressionError(f"expected text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long ({len(text)} characters; at most {MAX_LENGTH})")
    for name in variables:
        if not (name.isascii() and name.isalpha()):
            raise ExpressionError(f"invalid variable name {name!r}")
    names = _Names(variables, allow_parameters)
    tokens = _arrange(_tokenize(_normalise(text), names))
    source, columns, tokens_at = _python_source(tokens)
    try:
        tree = ast.parse(source, mode="eval")  # only to a tree: compile() with PyCF_ONLY_AST
    except SyntaxError as error:  # the token grammar should make this unreachable; kept as a net
        offset = (error.offset or 1) - 1
        column = columns[offset] if 0 <= offset < len(columns) else None
        raise ExpressionError("could not understand the expression" + _at(column), column) from None
    expr = _TreeBuilder(source, columns, tokens_at).build(tree, 0)
    _check_size(expr, None)  # sums can still grow: 10^300 + 10^300 + ...
    if not _is_plain_real(expr):
        raise ExpressionError("the expression has no finite real value (division by zero, or the "
                              "square root of a negative number?)")
    expression = Expression(expr, variables, text)
    expression.numeric_expr   # noqa: B018 -- its constants must be floats: refuse exp(10^300) now
    return expression


def _at(column: int | None) -> str:
    return "" if column is None else f" at column {column}"


# ---------------------------------------------------------------- normalising characters

_LOOKALIKES = {
    "−": "-", "–": "-", "‐": "-", "‑": "-", "‒": "-", "﹣": "-", "－": "-",
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "∗": "*", "÷": "/", "∕": "/", "＋": "+",
    "（": "(", "）": ")", "\t": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
    "\u202f": " ",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
# letters the tokenizer reads as whole names, so that `2πx` or `λx` need no spaces
_UNICODE_NAMES = {letter: name for name, letter in GREEK.items()} | {
    "π": "pi", "ϵ": "epsilon", "ϑ": "theta", "ϕ": "phi", "µ": "mu", "√": "sqrt"}
# letters from other alphabets that look Latin: rejected, but with a hint (NFKD handles accents)
_CONFUSABLES = dict(zip("аеорсхуіАВЕКМНОРСТХο", "aeopcxyiABEKMHOPCTXo"))

Char = tuple[str, int]  # a normalised character and the 1-based column it came from


def _normalise(text: str) -> list[Char]:
    """ASCII look-alikes become ASCII, superscripts become ^(...); anything else foreign is an error."""
    chars: list[Char] = []
    i = 0
    while i < len(text):
        char, column = text[i], i + 1
        if char in _SUPERSCRIPTS:
            end = i
            while end < len(text) and text[end] in _SUPERSCRIPTS:
                end += 1
            chars += [(c, column) for c in "^(" + "".join(_SUPERSCRIPTS[c] for c in text[i:end]) + ")"]
            i = end
            continue
        if char in _LOOKALIKES:
            chars.append((_LOOKALIKES[char], column))
        elif char in _UNICODE_NAMES or (char.isascii() and char.isprintable()):
            chars.append((char, column))
        else:
            raise _character_error(char, column)
        i += 1
    return chars


def _character_error(char: str, column: int) -> ExpressionError:
    if char in "\n\r":
        return ExpressionError(f"line break at column {column} — type the expression on one line", column)
    if not char.isprintable():
        return ExpressionError(f"invisible character U+{ord(char):04X} at column {column} is not allowed", column)
    hint = _CONFUSABLES.get(char) or unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    message = f"character '{char}' ({name}) at column {column} is not allowed"
    if len(hint) == 1 and hint.isprintable():
        message += f" — did you mean '{hint}'?"
    return ExpressionError(message, column)


# ---------------------------------------------------------------- tokens

@dataclass(frozen=True)
class _Token:
    kind: str          # "number", "value" (variable, parameter, constant), "function", "op", "(", ")"
    text: str
    column: int
    value: object = None  # sympy number or symbol for "number"/"value", sympy class for "function"


_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CHARACTER_HINTS = {
    "=": "type only the expression, e.g. x^2 - 1 rather than y = x^2 - 1",
    ",": "functions take one argument, and decimals use a point: 1.5",
    "[": "use round parentheses ( )", "]": "use round parentheses ( )",
    "{": "use round parentheses ( )", "}": "use round parentheses ( )",
    "|": "write abs(x) for |x|", "!": "factorials are not supported",
    "'": "quotes are not allowed", '"': "quotes are not allowed",
}


def _tokenize(chars: list[Char], names: _Names) -> list[_Token]:
    text = "".join(c for c, _ in chars)
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char, column = chars[i]
        if char == " ":
            i += 1
            continue
        if number := _NUMBER.match(text, i):
            tokens.append(_Token("number", number.group(), column, _number(number.group(), column)))
            i = number.end()
        elif identifier := _IDENTIFIER.match(text, i):
            followed_by_paren = text[identifier.end():].lstrip().startswith("(")
            tokens.append(names.resolve(identifier.group(), column, followed_by_paren))
            i = identifier.end()
        elif char in _UNICODE_NAMES:
            tokens.append(names.resolve(_UNICODE_NAMES[char], column, followed_by_paren=False))
            i += 1
        elif text.startswith("**", i):
            tokens.append(_Token("op", "^", column))
            i += 2
        elif char in "+-*/^":
            tokens.append(_Token("op", char, column))
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, column))
            i += 1
        else:
            hint = _CHARACTER_HINTS.get(char)
            raise ExpressionError(f"unexpected '{char}' at column {column}" + (f" — {hint}" if hint else ""),
                                  column)
    return tokens


def _number(literal: str, column: int) -> sp.Rational:
    """Exact value of a decimal literal (0.1 is 1/10), within about 10^±300."""
    value = Decimal(literal)  # exact and instant even for 1e999999999: nothing is expanded yet
    if value != 0 and abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
        size = "large" if value.adjusted() > 0 else "small"
        raise ExpressionError(f"the number at column {column} is too {size} "
                              f"(use numbers between 10^-{MAX_DECIMAL_EXPONENT} and 10^{MAX_DECIMAL_EXPONENT})",
                              column)
    numerator, denominator = value.as_integer_ratio()
    return sp.Rational(numerator, denominator)


class _Names:
    """Which identifiers mean what, and the student-friendly error for the ones that mean nothing.

    Parameter rule: with allow_parameters, a parameter is a single Latin letter other than the
    constant e, or a Greek letter name (alpha, lambda, ...). Longer names are refused, because
    in calculator input `sinx`, `xy` or `ax` are almost always missing operators, not names.
    """

    def __init__(self, variables: tuple[str, ...], allow_parameters: bool) -> None:
        self.variables = variables
        self.allow_parameters = allow_parameters
        # the multi-letter words that mean something here, for suggestions
        self.words = [*FUNCTIONS, *CONSTANTS, *variables, *(GREEK if allow_parameters else ())]

    def value(self, name: str) -> sp.Expr | None:
        if name in self.variables:
            return sp.Symbol(name, real=True)
        if name in CONSTANTS:
            return CONSTANTS[name]
        if self.allow_parameters and ((len(name) == 1 and name.isascii() and name.isalpha()) or name in GREEK):
            return sp.Symbol(name, real=True)
        return None

    def resolve(self, name: str, column: int, followed_by_paren: bool) -> _Token:
        if name in FUNCTIONS:
            return _Token("function", name, column, FUNCTIONS[name])
        value = self.value(name)
        if value is not None:
            return _Token("value", name, column, value)
        raise self._unknown(name, column, followed_by_paren)

    def _unknown(self, name: str, column: int, followed_by_paren: bool) -> ExpressionError:
        if "_" in name:
            return ExpressionError(f"'{name}' is not allowed (column {column}): names use letters only", column)
        if not name.isalpha():  # `x2` is most likely x^2; `log10` is a function we do not have
            glued = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
            if glued and self.value(glued[1]) is not None:
                hint = f"did you mean {glued[1]}^{glued[2]} or {glued[2]}{glued[1]}?"
            else:
                hint = "names use letters only"
            return ExpressionError(f"unknown name '{name}' at column {column} — {hint}", column)
        kind = "function" if followed_by_paren else "name"
        suggestion = self._suggest(name, followed_by_paren)
        if suggestion:
            return ExpressionError(f"unknown {kind} '{name}' at column {column} — did you mean {suggestion}?", column)
        if kind == "function":
            hint = "functions: " + ", ".join(f for f in FUNCTIONS if not f.startswith("arc"))
        elif self.allow_parameters:
            hint = "parameters are single letters or Greek names such as alpha"
        else:
            hint = "use only " + " and ".join(self.variables)
        return ExpressionError(f"unknown {kind} '{name}' at column {column} — {hint}", column)

    def _suggest(self, name: str, followed_by_paren: bool) -> str | None:
        """A likely intended spelling: Sin -> sin, sinx -> sin(x), xy -> x*y, sine -> sin."""
        for word in self.words:
            if word.lower() == name.lower():
                return f"{word}(…)" if word in FUNCTIONS and not followed_by_paren else word
        pieces = self._split(name) or []
        # a split is a guess worth showing for `sinx` or `ax`, not for `exec` = e*x*e*c
        plausible = len(pieces) == 2 or (len(pieces) > 2 and any(len(p) > 1 for p in pieces))
        if followed_by_paren:  # xsin(x): x*sin(x); sine(x): sin(x); rx(1-x): r*x*(1-x)
            if plausible and pieces[-1] in FUNCTIONS:
                return _render_pieces(pieces)
            close = difflib.get_close_matches(name.lower(), list(FUNCTIONS), n=1, cutoff=0.75)
            if close:
                return close[0]
            return _render_pieces(pieces) + "*(…)" if plausible else None
        if plausible:
            return _render_pieces(pieces)
        close = difflib.get_close_matches(name.lower(), self.words, n=1, cutoff=0.75)
        return close[0] if close else None

    def _split(self, name: str) -> list[str] | None:
        """Fewest known names that glue together to `name` (longest first on ties), or None."""
        letters = set(name) if self.allow_parameters else set()  # single-letter parameters
        vocabulary = sorted({*self.words} | letters, key=len, reverse=True)
        best: list[list[str] | None] = [None] * len(name) + [[]]
        for start in range(len(name) - 1, -1, -1):
            for word in vocabulary:
                rest = best[start + len(word)] if name.startswith(word, start) else None
                if rest is not None:
                    candidate = [word, *rest]
                    if best[start] is None or len(candidate) < len(best[start]):
                        best[start] = candidate
        return best[0]


def _render_pieces(pieces: list[str]) -> str:
    """['sin', 'x'] -> 'sin(x)', ['x', 'y'] -> 'x*y', ['x', 'sin'] -> 'x*sin(…)'."""
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if piece in FUNCTIONS:
            out.append(f"{piece}({_render_pieces(pieces[index + 1:]) or '…'})")
            break
        out.append(piece)
    return "*".join(out)


def _arrange(tokens: list[_Token]) -> list[_Token]:
    """Check the order of tokens and make implicit multiplication explicit: 2x -> 2*x.

    The checks here give the friendly messages (with columns) that Python's SyntaxError would
    not, and bound the parenthesis depth before the text gets anywhere near a parser.
    """
    if not tokens:
        raise ExpressionError("empty expression")
    out: list[_Token] = []
    open_parens: list[int] = []  # columns of the '(' still open
    expect_operand = True
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if expect_operand:
            expect_operand = _operand(token, following, out, open_parens)
        elif token.kind == "op":
            expect_operand = True
        elif token.kind == ")":
            if not open_parens:
                raise ExpressionError(f"unbalanced parenthesis at column {token.column}: "
                                      "this ')' has no matching '('", token.column)
            open_parens.pop()
        elif token.kind == "number":
            raise ExpressionError(f"missing operator before '{token.text}' at column {token.column}",
                                  token.column)
        else:  # a value, function or '(' right after a value: 2x, x(1-x), (x+1)(x-1)
            out.append(_Token("op", "*", token.column))
            expect_operand = _operand(token, following, out, open_parens)
        out.append(token)
    if expect_operand:
        last = tokens[-1]
        raise ExpressionError(f"something is missing after '{last.text}' at column {last.column}", last.column)
    if open_parens:
        raise ExpressionError(f"unbalanced parenthesis at column {open_parens[-1]}: this '(' is never closed",
                              open_parens[-1])
    return out


def _operand(token: _Token, following: _Token | None, out: list[_Token], open_parens: list[int]) -> bool:
    """Check `token` where a value must start; return whether a value is still expected after it."""
    if token.kind in ("number", "value"):
        return False
    if token.kind == "(":
        open_parens.append(token.column)
        if len(open_parens) > MAX_DEPTH:
            raise ExpressionError(f"too many nested parentheses at column {token.column} "
                                  f"(at most {MAX_DEPTH})", token.column)
        return True
    if token.kind == "function":
        if following is None or following.kind != "(":
            if following is not None and following.text == "^":
                example = f"write {token.text}(x)^2, not {token.text}^2(x)"
            else:
                argument = following.text if following is not None and following.kind in ("value", "number") else "x"
                example = f"write {token.text}({argument})"
            raise ExpressionError(f"'{token.text}' at column {token.column} needs parentheses — {example}",
                                  token.column)
        return True
    if token.kind == "op" and token.text in "+-":  # unary sign
        return True
    if token.kind == ")" and out and out[-1].kind == "(":
        raise ExpressionError(f"empty parentheses at column {out[-1].column}", out[-1].column)
    raise ExpressionError(f"unexpected '{token.text}' at column {token.column}", token.column)


def _python_source(tokens: list[_Token]) -> tuple[str, list[int], dict[int, _Token]]:
    """Canonical Python text for the tokens, the user column of each of its characters, and
    the token that starts at each offset (the tree builder takes values from tokens, not text)."""
    parts: list[str] = []
    columns: list[int] = []
    tokens_at: dict[int, _Token] = {}
    for token in tokens:
        if token.kind == "number":
            piece = str(Decimal(token.text))  # canonical: `007` is not valid Python, `7` is
        elif token.kind == "value" and keyword.iskeyword(token.text):
            piece = token.text + "_"  # `lambda` is a parameter here, a keyword in Python
        elif token.text == "^":
            piece = "**"
        else:
            piece = token.text
        tokens_at[len(columns)] = token
        parts.append(piece + " ")
        columns += [token.column] * (len(piece) + 1)
    return "".join(parts), columns, tokens_at


# ---------------------------------------------------------------- building sympy from the tree

_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)


class _TreeBuilder:
    """Walks the ast, accepting only whitelisted nodes, and builds the sympy expression."""

    def __init__(self, source: str, columns: list[int], tokens_at: dict[int, _Token]) -> None:
        self.source = source
        self.columns = columns
        self.tokens_at = tokens_at

    def build(self, node: ast.AST, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            column = self._column(node)
            raise ExpressionError(f"the expression is nested too deeply{_at(column)} "
                                  f"(at most {MAX_DEPTH} levels)", column)
        if isinstance(node, ast.Expression):
            return self.build(node.body, depth)
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return self._token(node, "number").value
        if isinstance(node, ast.Name):
            return self._token(node, "value").value
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1
                and not node.keywords and not isinstance(node.args[0], ast.Starred)):
            return self._call(node, depth)
        column = self._column(node)
        raise ExpressionError(f"'{ast.get_source_segment(self.source, node) or type(node).__name__}' "
                              f"is not allowed{_at(column)}", column)

    def _binary(self, node: ast.BinOp, depth: int) -> sp.Expr:
        if isinstance(node.op, ast.Pow):
            base = self.build(node.left, depth + 1)
            return _power(base, self.build(node.right, depth + 1), self._operator_column(node))
        family = _ADDITIVE if isinstance(node.op, _ADDITIVE) else _MULTIPLICATIVE
        if not isinstance(node.op, family):
            column = self._operator_column(node)
            raise ExpressionError(f"this operator is not allowed{_at(column)}", column)
        # a chain a+b-c+... nests to the left in the tree; building it with one sp.Add (not
        # pairwise, which re-sorts the growing sum each time) keeps 250 terms linear, and the
        # chain counts as one level of nesting, as it does for sympy
        operands: list[tuple[ast.operator | None, ast.expr, int | None]] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, family):
            operands.append((node.op, node.right, self._operator_column(node)))
            node = node.left
        operands.append((None, node, None))
        parts: list[sp.Expr] = []
        for op, operand, column in reversed(operands):
            value = self.build(operand, depth + 1)
            if isinstance(op, ast.Sub):
                value = -value
            elif isinstance(op, ast.Div):
                if value == 0:
                    raise ExpressionError(f"division by zero{_at(column)}", column)
                value = sp.Pow(value, -1)
            parts.append(value)
        if family is _ADDITIVE:
            return sp.Add(*parts)
        product = sp.Mul(*parts)
        _check_size(product, self._column(node))
        return product

    def _call(self, node: ast.Call, depth: int) -> sp.Expr:
        token = self._token(node.func, "function")
        result = token.value(self.build(node.args[0], depth + 1))
        if not _is_plain_real(result):  # ln(0), atanh(1), sqrt(-1), ...
            raise ExpressionError(f"{token.text}(…) at column {token.column} has no finite real value",
                                  token.column)
        return result

    def _token(self, node: ast.expr, kind: str) -> _Token:
        """The token this leaf was made from; anything else means the tree is not ours."""
        token = self.tokens_at.get(node.col_offset)
        if token is None or token.kind != kind:
            column = self._column(node)
            raise ExpressionError(f"unexpected text{_at(column)}", column)
        return token

    def _column(self, node: ast.AST) -> int | None:
        offset = getattr(node, "col_offset", None)
        return self.columns[offset] if offset is not None and offset < len(self.columns) else None

    def _operator_column(self, node: ast.BinOp) -> int | None:
        """Column of the operator of a binary node: the first operator character after its left side."""
        offset = node.left.end_col_offset or 0
        while offset < len(self.source) and self.source[offset] not in "+-*/":
            offset += 1
        return self.columns[offset] if offset < len(self.columns) else None


def _power(base: sp.Expr, exponent: sp.Expr, column: int | None) -> sp.Expr:
    """base^exponent, refusing what would make sympy compute a gigantic number (9^9^9, x^(10^10))."""
    if exponent.is_Rational:
        if base == 0 and exponent < 0:
            raise ExpressionError(f"division by zero at column {column}", column)
        if not base.is_Rational and abs(exponent) > MAX_EXPONENT:
            raise ExpressionError(f"exponent too large at column {column} (at most {MAX_EXPONENT})", column)
        # sympy evaluates numeric powers, and distributes over products ((10^300 x)^100):
        # estimate the size of the numbers it would compute before letting it
        if abs(exponent) * _largest_log2(base) > _MAX_BITS:
            raise ExpressionError(f"a number at column {column} is too large "
                                  f"(results must stay below about 10^{MAX_DECIMAL_EXPONENT})", column)
    return sp.Pow(base, exponent)


def _check_size(expr: sp.Expr, column: int | None) -> None:
    if _largest_log2(expr) > _MAX_BITS:
        raise ExpressionError(f"a number{_at(column)} is too large "
                              f"(results must stay below about 10^{MAX_DECIMAL_EXPONENT})", column)


def _largest_log2(expr: sp.Expr) -> int:
    """About log2 of the largest numerator or denominator among the exact numbers in expr."""
    return max((max(abs(r.p), r.q).bit_length() - 1 for r in expr.atoms(sp.Rational)), default=0)


# sympy function classes an expression may contain (sqrt is not one: it builds a Pow)
_FUNCTION_CLASSES = frozenset(f for f in FUNCTIONS.values() if isinstance(f, type))


def _is_plain_real(expr: sp.Expr) -> bool:
    """Only +, *, ^, exact or finite float numbers, pi, e, symbols and the whitelisted
    functions: no zoo/nan/oo, no I, no Integral/Piecewise/special functions."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Float):
            if not node.is_finite:
                return False
        elif not (isinstance(node, (sp.Rational, sp.Add, sp.Mul, sp.Pow, sp.Symbol))
                  or node in (sp.pi, sp.E) or type(node) in _FUNCTION_CLASSES):
            return False
    return True


# ---------------------------------------------------------------- constants as floats

def fold_constants(expr: sp.Expr) -> sp.Expr:
    """`expr` with each largest constant part that is not a plain number (an exact number, pi
    or e, which numpy prints itself) replaced by its float value; ExpressionError naming the
    first part that has none."""
    replacements: dict[sp.Expr, sp.Expr] = {}

    def visit(node: sp.Expr) -> None:
        if node.is_Atom:
            return
        if not node.free_symbols:
            replacements[node] = sp.Float(constant_value(node), 17)
            return
        for arg in node.args:
            visit(arg)

    visit(expr)
    return expr.xreplace(replacements) if replacements else expr


def constant_value(node: sp.Expr) -> float:
    """The float value of a constant expression, computed exactly by sympy and then rounded, so
    sin(10^300) is right (numpy would take the sine of the nearest float to 10^300).

    Inner parts are checked first, each within float range, so nothing astronomically large is
    ever computed: exp(exp(exp(100))) stops at exp(exp(100)) instead of running for ever.
    """
    for arg in node.args:
        if not arg.is_Atom:
            constant_value(arg)
    shown = clip_text(_to_unicode(node), 40)
    try:
        value = node.evalf(17)
        real, imaginary = value.as_real_imag()
        if imaginary != 0:
            raise ExpressionError(f"{shown} has no real value")
        number = float(real)
    except ExpressionError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        raise ExpressionError(f"{shown} cannot be computed as a floating-point number") from None
    if not math.isfinite(number):
        raise ExpressionError(f"{shown} is beyond floating point (numbers stop near 1.8·10³⁰⁸)")
    return number


def clip_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------- antiderivative budget

class _OutOfTime(BaseException):
    """Raised inside sympy when the integration budget is spent. A BaseException, so that
    sympy's own `except Exception` handlers cannot swallow it."""


# sympy's folder as its code objects name it: absolute in a normal install, relative inside a
# PyInstaller archive, so it is read from a code object rather than from sp.__file__.
_SYMPY_DIR = os.path.dirname(os.path.dirname(sp.Basic.__new__.__code__.co_filename)) + os.sep
_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def _run_with_budget(compute: Callable[[], sp.Expr], seconds: float) -> sp.Expr | None:
    """compute() if it finishes within about `seconds`, else None; a sympy failure is also None.

    Why sympy.integrate: measured here (untraced) it is the best choice (x(1-x): 6 ms,
    atan(x): 120 ms, 1/(x^3+1): 140 ms, sin(x)^20: 20 ms), where manualintegrate is often much
    slower (0.5-3 s for 1/(1+exp(-x)), sin(x)^20, (x+1)^100). But integrate can search for
    seconds without finding anything (exp(sin(x)): 0.8 s, atan(exp(sin(x))): over 15 s).

    Why a trace function: it stops sympy in the calling thread, whichever thread that is (a
    signal only works on the main thread), and leaves nothing running: a helper thread stopped
    with PyThreadState_SetAsyncExc was tried, but the exception can land in whatever runs in
    that thread at the time (a gc callback, a generator being closed), where it is printed as
    "Exception ignored" and the computation goes on. The trace function raises only in
    sympy's own frames, and again at each call until sympy gives way. The cost: integration
    runs about twice as slowly while traced. After the warm-up the examples above take
    75-280 ms traced on a busy 2-core machine, so they fit; a case near the limit may give
    None on a loaded machine, which only means the caller integrates numerically.
    """
    clock = time.perf_counter
    deadline = clock() + seconds

    def stop_when_late(frame: types.FrameType, event: str, arg: object) -> None:
        code = frame.f_code
        if (clock() > deadline and code.co_filename.startswith(_SYMPY_DIR)
                and not code.co_flags & _GENERATOR_FLAGS and not _unsafe_to_stop(frame)):
            raise _OutOfTime
        return None  # no line-by-line tracing inside the frame

    previous = sys.gettrace()  # e.g. coverage's tracer, put back afterwards
    sys.settrace(stop_when_late)
    try:
        return compute()
    except _OutOfTime:
        return None
    except Exception:  # sympy gave up with an error: the same as finding nothing
        return None
    finally:
        sys.settrace(previous)


@functools.cache
def _warm_up_integration() -> None:
    """sympy imports some 20 modules and fills its caches on its first integral (0.1-0.2 s
    here). Doing that once, untimed, keeps the budget for integrating, so the first answer
    is the same as later ones."""
    x = sp.Dummy("x", real=True)
    sp.integrate(sp.atan(x), x)


_WEAKREF_FILE = weakref.finalize.__call__.__code__.co_filename


def _unsafe_to_stop(frame: types.FrameType | None) -> bool:
    """Whether the stop must wait: under an import (interrupted, it leaves a half-imported module)
    or a finalizer (a garbage collection during the integral runs sympy's own clean-ups, such as
    lambdify's weakref.finalize that drops its source from linecache: raised there, the stop is
    printed as "Exception ignored", the clean-up is lost and Python drops the trace function,
    budget and all)."""
    while frame is not None:
        code = frame.f_code
        if (code.co_filename.startswith("<frozen importlib") or code.co_filename == _WEAKREF_FILE
                or code.co_name == "__del__"):
            return True
        frame = frame.f_back
    return False


# ---------------------------------------------------------------- printing

class _TermOrder:
    """Descending powers as in school (x² − 1), but starting with a positive term when there
    is one: x²/2 − x³/3 rather than −x³/3 + x²/2, and 1 − 2x rather than −2x + 1."""

    def _as_ordered_terms(self, expr: sp.Expr, order: str | None = None) -> list[sp.Expr]:
        terms = super()._as_ordered_terms(expr, order=order)  # type: ignore[misc]
        first_positive = next((t for t in terms if not t.could_extract_minus_sign()), None)
        if first_positive is None:
            return terms
        return [first_positive, *(t for t in terms if t is not first_positive)]


class _LatexPrinter(_TermOrder, LatexPrinter):
    pass


_SUPERSCRIPT_OF = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class _UnicodePrinter(_TermOrder, StrPrinter):
    """sympy's one-line str printer with Unicode touches: x², √x, |x|, ln, π, Greek letters, ^."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return GREEK.get(expr.name, expr.name)

    def _print_Pi(self, expr: sp.Expr) -> str:
        return "π"

    def _print_Exp1(self, expr: sp.Expr) -> str:
        return "e"

    def _print_Integer(self, expr: sp.Integer) -> str:
        """Long integers as 10¹⁰⁰ or 1.5·10²⁰: the label is for reading, not for exact digits."""
        if abs(expr.p) < 10**12:
            return str(expr.p)
        mantissa, exponent = f"{abs(expr.p):.6e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        power = "10" + str(int(exponent)).translate(_SUPERSCRIPT_OF)
        return ("-" if expr.p < 0 else "") + (power if mantissa == "1" else f"{mantissa}·{power}")

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"{self._print(sp.Integer(expr.p))}/{self._print(sp.Integer(expr.q))}"

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_log(self, expr: sp.log) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.as_base_exp()
        if exponent is sp.S.Half:
            return "√" + self._root_argument(base)
        if exponent == -sp.S.Half:
            return "1/√" + self._root_argument(base)
        if exponent is sp.S.NegativeOne:
            return "1/" + self.parenthesize(base, precedence(expr), strict=False)
        shown_base = self.parenthesize(base, precedence(expr), strict=False)
        if exponent.is_Integer:
            return shown_base + str(exponent).translate(_SUPERSCRIPT_OF)
        return f"{shown_base}^{self.parenthesize(exponent, precedence(expr), strict=False)}"

    def _root_argument(self, base: sp.Expr) -> str:
        shown = self._print(base)
        bare = base.is_Symbol or base in (sp.pi, sp.E) or isinstance(base, sp.Abs) or (base.is_Integer and base > 0)
        return shown if bare else f"({shown})"


# a whole number times a single letter reads better juxtaposed: 2x, 3x², but 2·sin(x),
# 2·(x + 1), √3·x, 0.5·t and 1.0e-20·t
_JUXTAPOSE = re.compile(r"(?<![\w.^/√])(?<!e[-+])(\d+)\*(?=[A-Za-zα-ω](?![A-Za-zα-ω(]))")


def _to_unicode(expr: sp.Expr) -> str:
    text = _UnicodePrinter({"full_prec": False}).doprint(expr)
    return _JUXTAPOSE.sub(r"\1", text).replace("*", "·").replace("-", "−")
