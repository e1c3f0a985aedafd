"""Where f is not smooth along a path: the kinks and jumps that cost a method its order.

A method of order p needs f to have p smooth derivatives along the solution; abs, sign, max,
min, Heaviside and piecewise definitions break that where their argument changes sign. For
x' = 1 + |x| from x0 = -1 the solution crosses x = 0, f' jumps there and RK4's global error
only shrinks like h² (the step straddling the kink makes an O(h²) local error, once).

`kinks_on_path(problem, path)` finds those crossings from f's formula, not from samples of f:
a kink hides in sampled values, a sign change of |x|'s argument does not.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable

import numpy as np
import sympy as sp

from .expressions import Expression
from .problem import FlowProblem

GRID = 1025                 # samples of the visited interval on which arguments are checked
BISECTIONS = 80             # halvings of a bracketing interval: far below any float spacing
SNAP = 1e-9                 # a kink this close to 0 (relative to the path's span) is called 0

_ONE_ARGUMENT = (sp.Abs, sp.sign, sp.Heaviside)


def nonsmooth_arguments(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """The expressions whose sign changes are where expr stops being smooth: the argument of
    every abs / sign / Heaviside, a - b for every pair of a max or min, lhs - rhs of every
    condition of a piecewise definition. Constant ones (no x) are left out."""
    found: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, _ONE_ARGUMENT):
            found.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)):
            found.extend(a - b for a, b in itertools.combinations(node.args, 2))
        elif isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                found.extend(r.lhs - r.rhs for r in _relations(cond))
    return tuple(dict.fromkeys(a for a in found if any(s.name == "x" for s in a.free_symbols)))


def _relations(cond: object) -> Iterable[sp.core.relational.Relational]:
    if isinstance(cond, sp.core.relational.Relational):
        yield cond
    elif isinstance(cond, sp.Basic):
        for arg in cond.args:
            yield from _relations(arg)


def kinks_on_path(problem: FlowProblem, path: np.ndarray) -> tuple[float, ...]:
    """The x where f's formula stops being smooth strictly inside the span the path visits
    (a 1-D solution is monotone: it visits every x between its extremes), ascending.
    A kink the path only reaches at an end is not crossed and not listed."""
    finite = np.asarray(path, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size < 2:
        return ()
    lo, hi = float(finite.min()), float(finite.max())
    if not hi > lo:
        return ()
    grid = np.linspace(lo, hi, GRID)
    out: list[float] = []
    for arg in nonsmooth_arguments(problem.f.expr):
        fn = _bound(arg, problem)
        with np.errstate(all="ignore"):
            g = np.broadcast_to(np.asarray(fn(grid), dtype=np.float64), grid.shape)
        sign = np.sign(g)
        # A strict change of sign between neighbours (a zero sample belongs to the side it joins).
        cross = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
        for i in _zero_runs(sign):
            cross = np.append(cross, i)
        for i in sorted(set(int(k) for k in cross)):
            out.append(_snap(_bisect(fn, float(grid[i]), float(grid[i + 1])), hi - lo))
    inside = sorted({x for x in out if lo < x < hi})
    return tuple(inside)


def _zero_runs(sign: np.ndarray) -> list[int]:
    """Indices i where g is exactly 0 on a run of samples whose two sides have opposite signs
    (x = 0 on the grid for |x|): the crossing is reported at the run's first sample."""
    runs = []
    i, n = 1, sign.size
    while i < n - 1:
        if sign[i] == 0:
            j = i
            while j < n - 1 and sign[j] == 0:
                j += 1
            if sign[i - 1] * sign[j] < 0:
                runs.append(i)
            i = j
        i += 1
    return runs


def _bound(arg: sp.Expr, problem: FlowProblem) -> Callable[[np.ndarray], np.ndarray]:
    fn = Expression.from_sympy(arg, ("x",)).numeric()
    names = {s.name for s in arg.free_symbols} - {"x"}
    kwargs = {name: float(problem.params.get(name, 1.0)) for name in names}
    return lambda x: fn(x, **kwargs)


def _bisect(fn: Callable[[np.ndarray], np.ndarray], a: float, b: float) -> float:
    """A sign change of fn in [a, b] (fn(a) = 0 returns a)."""
    fa = _at(fn, a)
    if fa == 0 or a == b:
        return a
    for _ in range(BISECTIONS):
        m = 0.5 * (a + b)
        fm = _at(fn, m)
        if fm == 0:
            return m
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b = m
    return 0.5 * (a + b)


def _at(fn: Callable[[np.ndarray], np.ndarray], x: float) -> float:
    with np.errstate(all="ignore"):
        return float(np.asarray(fn(np.array([x])), dtype=np.float64).reshape(-1)[0])


def _snap(x: float, span: float) -> float:
    return 0.0 if abs(x) <= SNAP * max(1.0, span) else x


def places_text(xs: Iterable[float]) -> str:
    """'x ≈ 0' or 'x ≈ 0.3 and x ≈ 1.2' (three significant digits)."""
    parts = [f"x ≈ {x:.3g}" if math.isfinite(x) else "x = ?" for x in xs]
    return " and ".join(parts)
