"""The 2-D landscape F(x, y) (issue 5): gradient and Hessian, contours, critical points, basins.

Gradient descent on F is Euler's method on the gradient flow p' = −∇F(p). In two dimensions the
picture has more to show than in one: contour lines, the arrows of −∇F, the critical points
(minima, maxima, saddles) classified by the Hessian's eigenvalues, and the basin map that
colours every start by the minimum gradient descent takes it to.

Grids follow `np.meshgrid(x, y)` ("xy" indexing): `Z[i, j]` is F(x[j], y[i]), row = y.
"""
from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy as sp

from ..paths import resources_dir
from .euler import DEFAULT_BOUND, Cancelled
from .expressions import Expression, ExpressionError, parse
from .optimizers import OPTIMIZERS, OptimizerRun, _stepper, resolve_hyper, run_optimizer
from .preset_files import find_named, preset_header_readers, read_numbered
from .readers import ReadError, Readers, loads_json, quote, show

if TYPE_CHECKING:
    from .scene2d import Scene2D

__all__ = [
    "BasinMap",
    "Cancelled",
    "ContourGrid",
    "CriticalPoint",
    "ExpressionError",
    "Landscape",
    "Preset2D",
    "basin_map",
    "contour_grid",
    "critical_points",
    "descend",
    "gradient_field",
    "landscape_preset",
    "landscape_presets",
    "preset2d_from_dict",
    "preset2d_from_json",
]

VARIABLES = ("x", "y")
DEFAULT_PARAMETER = 1.0     # value of a free parameter the caller did not bind (as in FlowProblem)

# contour_grid
LEVELS = 20                 # contour levels suggested: quantiles of the finite values of F
LEVEL_PERCENTILES = (1.0, 99.0)

# critical_points: Newton's method on ∇F = 0 from a grid of seeds
SEEDS = 24                  # seeds per axis
NEWTON_ITERATIONS = 100     # quadratic convergence needs ~10; degenerate points converge linearly
NEWTON_STEP_TOL = 1e-12     # a Newton step below this fraction of the range is "converged"
ACCEPT_STEP_TOL = 1e-8      # the last step must be this small (fraction of the range) to accept
GRAD_TOL = 1e-8             # ...and |∇F| this small next to the median |∇F| over the seeds
DEDUPE_TOL = 1e-6           # points closer than this fraction of the range are one point
ZERO_EIGEN = 1e-6           # |λ| below this fraction of the curvature nearby counts as 0
RING_RADIUS = 1e-2          # "nearby": a ring of this fraction of the range

# basin_map
PROGRESS_EVERY = 25         # steps between progress reports and should_stop questions
CHECK_EVERY = 32            # steps between divergence checks (non-finite values never come back)
BASIN_TOL = 1e-2            # a start "ends at" a minimum within this fraction of the range
BASIN_MARGIN = 0.5          # minima are looked for in the range widened by this fraction each side
MAX_GRID = 4000             # n per axis for grids (16 M points)

DIVERGED = -1               # basin labels that are not an index into the minima
UNDECIDED = -2

Kind = Literal["minimum", "maximum", "saddle", "degenerate"]
Range = tuple[float, float]


# ----------------------------------------------------------------------------- the landscape

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

    @cached_property
    def _F(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        return _loop_callable(self.F, self.params)

    @cached_property
    def _gx(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        return _loop_callable(self.Fx, self.params)

    @cached_property
    def _gy(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        return _loop_callable(self.Fy, self.params)

    @cached_property
    def _hessian_parts(self) -> tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], ...]:
        return tuple(_loop_callable(e, self.params) for e in (self.Fxx, self.Fxy, self.Fyy))

    def F_numeric(self, X: np.ndarray | float, Y: np.ndarray | float) -> np.ndarray:
        """F at (X, Y) broadcast together: float64, NaN/±inf where F is undefined."""
        X, Y = _float_array(X), _float_array(Y)
        with np.errstate(all="ignore"):
            Z = self._F(X, Y)
        return Z.copy() if Z is X or Z is Y else Z   # F = x hands back X itself

    def grad_numeric(self, P: np.ndarray) -> np.ndarray:
        """∇F at points P (..., 2) -> (..., 2)."""
        P = _points(P)
        out = np.empty(P.shape)
        with np.errstate(all="ignore"):
            out[..., 0] = self._gx(P[..., 0], P[..., 1])
            out[..., 1] = self._gy(P[..., 0], P[..., 1])
        return out

    def hessian_numeric(self, P: np.ndarray) -> np.ndarray:
        """The Hessian at points P (..., 2) -> (..., 2, 2), symmetric by construction."""
        P = _points(P)
        fxx, fxy, fyy = self._hessian_parts
        out = np.empty(P.shape[:-1] + (2, 2))
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


def _loop_callable(expr: Expression, params: Mapping[str, float]
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


def _range(r: Range, what: str) -> Range:
    try:
        lo, hi = (float(v) for v in r)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{what} must be two numbers, got {r!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{what} must be two finite numbers, low < high; got {r!r}")
    return lo, hi


def _count(n: object, what: str, low: int, high: int) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not low <= n <= high:
        raise ValueError(f"{what} must be an integer in [{low}, {high}], got {n!r}")
    return int(n)


# ----------------------------------------------------------------------------- contours

@dataclass(frozen=True, eq=False)
class ContourGrid:
    """F sampled on a grid: Z[i, j] = F(x[j], y[i])."""

    x: np.ndarray          # (n,)
    y: np.ndarray          # (n,)
    Z: np.ndarray          # (n, n) float64; NaN/±inf where F is undefined
    z_levels: np.ndarray   # suggested contour levels: finite, strictly increasing (maybe empty)
    finite: np.ndarray     # (n, n) bool: Z is finite


def contour_grid(landscape: Landscape, x_range: Range, y_range: Range, n: int = 300,
                 levels: int = LEVELS) -> ContourGrid:
    """F on an n × n grid and contour levels that stay spread out whatever F's extremes."""
    (x0, x1), (y0, y1) = _range(x_range, "x_range"), _range(y_range, "y_range")
    n = _count(n, "n", 2, MAX_GRID)
    levels = _count(levels, "levels", 1, 1000)
    x, y = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    # Broadcast (1, n) against (n, 1): terms in x alone are computed n times, not n².
    Z = landscape.F_numeric(x[None, :], y[:, None])
    if Z.shape != (n, n):
        Z = np.array(np.broadcast_to(Z, (n, n)))
    finite = np.isfinite(Z)
    return ContourGrid(x, y, Z, _levels(Z[finite] if not finite.all() else Z.ravel(), levels),
                       finite)


def _levels(values: np.ndarray, count: int) -> np.ndarray:
    """Quantiles of F, not an even split of [min, max]: each band holds a similar share of the
    picture, so one huge value (exp(x² + y²) at the corners) cannot squash every line near the
    minimum into one band. Near-equal quantiles (plateaus) are merged."""
    if values.size == 0:
        return np.empty(0)
    lo, hi = LEVEL_PERCENTILES
    q = np.percentile(values, np.linspace(lo, hi, count))
    q = q[np.isfinite(q)]
    if q.size == 0:
        return q
    # Merge relative to each level's own size: F spans 1 to 1e31 for exp(x² + y²) on [-6, 6]².
    keep = [0]
    for i in range(1, q.size):
        if q[i] - q[keep[-1]] > 1e-12 * max(abs(q[i]), abs(q[keep[-1]])):
            keep.append(i)
    return np.ascontiguousarray(q[keep])


def gradient_field(landscape: Landscape, x_range: Range, y_range: Range, n: int = 20
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X, Y, U, V), each (n, n): unit arrows of −∇F, the way descent goes; (0, 0) where ∇F = 0
    and NaN where it is undefined. Unit length because |∇F| varies over orders of magnitude."""
    (x0, x1), (y0, y1) = _range(x_range, "x_range"), _range(y_range, "y_range")
    n = _count(n, "n", 2, MAX_GRID)
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    with np.errstate(all="ignore"):
        U = -np.broadcast_to(landscape._gx(X, Y), X.shape)
        V = -np.broadcast_to(landscape._gy(X, Y), X.shape)
        norm = np.hypot(U, V)
        scale = np.where(norm > 0, 1.0 / norm, 0.0)
        U, V = U * scale, V * scale
    return X, Y, U, V


# ----------------------------------------------------------------------------- critical points

@dataclass(frozen=True)
class CriticalPoint:
    """∇F(x, y) = 0, classified by the Hessian's eigenvalues (ascending)."""

    x: float
    y: float
    kind: Kind
    F: float
    eigenvalues: tuple[float, float]

    @property
    def point(self) -> tuple[float, float]:
        return (self.x, self.y)


def critical_points(landscape: Landscape, x_range: Range, y_range: Range, seeds: int = SEEDS,
                    margin: float = 0.0) -> tuple[CriticalPoint, ...]:
    """Every critical point Newton's method on ∇F = 0 finds from a seeds × seeds grid, inside the
    range (widened by `margin` times its size on each side), deduplicated, sorted by F."""
    (x0, x1), (y0, y1) = _range(x_range, "x_range"), _range(y_range, "y_range")
    seeds = _count(seeds, "seeds", 2, 1000)
    if not (isinstance(margin, numbers.Real) and 0.0 <= margin <= 10.0):
        raise ValueError(f"margin must be a number in [0, 10], got {margin!r}")
    mx, my = margin * (x1 - x0), margin * (y1 - y0)
    x0, x1, y0, y1 = x0 - mx, x1 + mx, y0 - my, y1 + my
    span = max(x1 - x0, y1 - y0)
    # Seeds off the cell centres by an irrational fraction, so symmetric landscapes do not put
    # them on lines where the Hessian is singular (x = 0 of x² − y² + y⁴ is fine; x = ±1/√3 of
    # (x² − 1)² is not).
    u = (np.arange(seeds) + 0.381966) / seeds
    SX, SY = np.meshgrid(x0 + (x1 - x0) * u, y0 + (y1 - y0) * u)
    P = np.column_stack([SX.ravel(), SY.ravel()])
    g = landscape.grad_numeric(P)
    gnorm = np.hypot(g[:, 0], g[:, 1])
    gnorm = gnorm[np.isfinite(gnorm)]
    gscale = float(np.median(gnorm)) if gnorm.size else 1.0
    gscale = gscale if gscale > 0 else 1.0

    P, last_step = _newton(landscape, P, (x0, x1, y0, y1))
    with np.errstate(all="ignore"):
        g = landscape.grad_numeric(P)
        slack = 1e-9 * span
        ok = (np.isfinite(P).all(axis=1) & (last_step <= ACCEPT_STEP_TOL * span)
              & (np.hypot(g[:, 0], g[:, 1]) <= GRAD_TOL * gscale)
              & (P[:, 0] >= x0 - slack) & (P[:, 0] <= x1 + slack)
              & (P[:, 1] >= y0 - slack) & (P[:, 1] <= y1 + slack))
    P = _dedupe(P[ok], DEDUPE_TOL * span)
    if P.shape[0] == 0:
        return ()
    F = landscape.F_numeric(P[:, 0], P[:, 1])
    H = landscape.hessian_numeric(P)
    keep = np.isfinite(F) & np.isfinite(H).all(axis=(1, 2))
    P, F, H = P[keep], F[keep], H[keep]
    eig = _eigenvalues(H)
    zero = ZERO_EIGEN * _nearby_curvature(landscape, P, RING_RADIUS * span, H)
    out = [CriticalPoint(float(p[0]) + 0.0, float(p[1]) + 0.0, _kind(lam, z), float(f) + 0.0,
                         (float(lam[0]), float(lam[1])))
           for p, f, lam, z in zip(P, F, eig, zero)]
    return tuple(sorted(out, key=lambda c: (c.F, c.x, c.y)))


def _newton(landscape: Landscape, P: np.ndarray, box: tuple[float, float, float, float]
            ) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Newton iterations p ← p − H⁻¹∇F; returns points and each one's last step size.

    A point whose step is not finite (singular Hessian) or that runs far outside the box (∇F
    tends to 0 at infinity, as for atan) is dropped (NaN)."""
    x0, x1, y0, y1 = box
    span = max(x1 - x0, y1 - y0)
    last = np.full(P.shape[0], np.inf)
    live = np.ones(P.shape[0], dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(NEWTON_ITERATIONS):
            Q = P[live]
            g = landscape.grad_numeric(Q)
            H = landscape.hessian_numeric(Q)
            a, b, c = H[:, 0, 0], H[:, 0, 1], H[:, 1, 1]
            det = a * c - b * b
            dx = (c * g[:, 0] - b * g[:, 1]) / det
            dy = (a * g[:, 1] - b * g[:, 0]) / det
            step = np.hypot(dx, dy)
            Q = Q - np.column_stack([dx, dy])
            bad = (~np.isfinite(step) | (Q[:, 0] < x0 - span) | (Q[:, 0] > x1 + span)
                   | (Q[:, 1] < y0 - span) | (Q[:, 1] > y1 + span))
            # An exact root has g = 0 and a singular H may still give 0/0: keep it where it is.
            at_root = (g == 0).all(axis=1)
            Q[at_root] = P[live][at_root]
            step[at_root] = 0.0
            bad &= ~at_root
            Q[bad] = np.nan
            P[live] = Q
            last[live] = step
            idx = np.nonzero(live)[0]
            live[idx[bad]] = False
            live[idx[step <= NEWTON_STEP_TOL * span]] = False
            if not live.any():
                break
    return P, last


def _dedupe(P: np.ndarray, tol: float) -> np.ndarray:
    """One representative per cluster of points closer than tol (first one of each, in order)."""
    if P.shape[0] == 0:
        return P
    # Most seeds land on the same few points: rounding shrinks them to a handful first.
    _, first = np.unique(np.round(P / tol), axis=0, return_index=True)
    P = P[np.sort(first)]
    reps: list[np.ndarray] = []
    for p in P:
        if not any(np.hypot(*(p - r)) <= tol for r in reps):
            reps.append(p)
    return np.array(reps)


def _eigenvalues(H: np.ndarray) -> np.ndarray:
    """Eigenvalues (ascending) of symmetric 2 × 2 matrices (k, 2, 2) -> (k, 2), without the
    cancellation of m − r when one eigenvalue is much smaller than the other."""
    a, b, c = H[:, 0, 0], H[:, 0, 1], H[:, 1, 1]
    m = 0.5 * (a + c)
    r = np.hypot(0.5 * (a - c), b)
    det = a * c - b * b
    with np.errstate(all="ignore"):
        big = np.where(m >= 0, m + r, m - r)           # the eigenvalue of largest magnitude
        small = np.where(big != 0, det / big, 0.0)
    return np.sort(np.column_stack([small, big]), axis=1)


def _nearby_curvature(landscape: Landscape, P: np.ndarray, radius: float, H: np.ndarray) -> np.ndarray:
    """The largest Hessian norm at the point and on a small ring around it: the scale against
    which an eigenvalue counts as 0. At x⁴ + y⁴'s origin H is ~1e-21 but grows to ~1e-3 nearby;
    at a true minimum it is about the same nearby."""
    angles = np.linspace(0.0, 2 * np.pi, 8, endpoint=False)
    ring = P[:, None, :] + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)[None]
    with np.errstate(all="ignore"):
        norms = np.linalg.norm(landscape.hessian_numeric(ring), axis=(2, 3))
        norms = np.where(np.isfinite(norms), norms, 0.0)
    return np.maximum(norms.max(axis=1), np.linalg.norm(H, axis=(1, 2)))


def _kind(eigenvalues: np.ndarray, zero: float) -> Kind:
    lo, hi = eigenvalues
    if abs(lo) <= zero or abs(hi) <= zero:
        return "degenerate"
    if lo > 0:
        return "minimum"
    if hi < 0:
        return "maximum"
    return "saddle"


def _is_local_extremum(landscape: Landscape, c: CriticalPoint, radius: float, sign: float) -> bool:
    """A degenerate point that F's samples on two small rings show to be a minimum (sign = 1,
    x⁴ + y⁴) or maximum (sign = −1): gradient descent does end there, slowly."""
    angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
    r = np.array([radius, 0.1 * radius])[:, None]
    with np.errstate(all="ignore"):
        values = landscape.F_numeric(c.x + r * np.cos(angles), c.y + r * np.sin(angles))
    return bool(np.all(sign * (values - c.F) > 0))


# ----------------------------------------------------------------------------- descent

def descend(landscape: Landscape, starts: np.ndarray, steps: int, optimizer: str = "GD",
            hyper: Mapping[str, float | bool] | None = None,
            should_stop: Callable[[], bool] | None = None, lr: float | None = None,
            bound: float = DEFAULT_BOUND) -> OptimizerRun:
    """run_optimizer on the landscape: trajectories (k, steps + 1, 2) and F along them.
    `lr`, if given, overrides hyper["lr"]; without either, the optimizer's (torch's) default."""
    hyper = _with_lr(hyper, lr)
    return run_optimizer(optimizer, landscape.grad_numeric, starts, steps, hyper,
                         loss=landscape.loss, bound=bound, should_stop=should_stop)


def _with_lr(hyper: Mapping[str, float | bool] | None, lr: float | None) -> dict:
    out = dict(hyper or {})
    if lr is not None:
        out["lr"] = lr
    return out


@dataclass(frozen=True, eq=False)
class BasinMap:
    """Where gradient descent from every grid point ends: label[i, j] for start (x[j], y[i])."""

    x: np.ndarray                       # (n,)
    y: np.ndarray                       # (n,)
    label: np.ndarray                   # (n, n) int: index into minima, −1 diverged, −2 undecided
    minima: tuple[CriticalPoint, ...]   # the attractors (maxima under hyper maximize=True)
    seconds: float                      # wall time of the whole computation
    steps: int = 0
    optimizer: str = "GD"
    hyper: Mapping[str, float | bool] | None = None
    tol: float = 0.0                    # "ends at a minimum": within this distance

    def share(self, label: int) -> float:
        """Fraction of the starts with this label."""
        return float(np.mean(self.label == label))


def basin_map(landscape: Landscape, x_range: Range, y_range: Range, n: int = 400,
              steps: int = 500, lr: float | None = None, optimizer: str = "GD",
              hyper: Mapping[str, float | bool] | None = None,
              should_stop: Callable[[], bool] | None = None,
              progress: Callable[[float], None] | None = None,
              tol: float | None = None, bound: float = DEFAULT_BOUND) -> BasinMap:
    """Run `optimizer` from all n² grid points at once (one Python loop over the steps) and label
    each start by the minimum it ends within `tol` of (default BASIN_TOL × the range's size).

    Minima are looked for in the range widened by half its size each side, so a start in view
    that runs to a minimum just outside is still labelled. Degenerate points that are local
    minima (x⁴ + y⁴) count as minima. `progress(fraction)` is called every PROGRESS_EVERY steps
    and with 1.0 at the end; Cancelled is raised when `should_stop()` returns True (asked as
    often). `lr` overrides hyper["lr"]; without either, the optimizer's default."""
    t_start = time.perf_counter()
    (x0, x1), (y0, y1) = _range(x_range, "x_range"), _range(y_range, "y_range")
    n = _count(n, "n", 2, MAX_GRID)
    steps = _count(steps, "steps", 0, 10**7)
    h = resolve_hyper(optimizer, _with_lr(hyper, lr))
    span = max(x1 - x0, y1 - y0)
    if tol is None:
        tol = BASIN_TOL * span
    elif not (isinstance(tol, numbers.Real) and tol > 0 and math.isfinite(tol)):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    if should_stop is not None and should_stop():
        raise Cancelled
    x, y = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = (a.ravel().copy() for a in np.meshgrid(x, y))
    if optimizer == "GD":
        X, Y = _gd_loop(landscape, X, Y, steps, h, bound, should_stop, progress)
    else:
        X, Y = _optimizer_loop(landscape, X, Y, steps, optimizer, h, bound, should_stop, progress)
    if progress is not None:
        progress(1.0)

    sign = -1.0 if h["maximize"] else 1.0
    wanted = "maximum" if sign < 0 else "minimum"
    found = critical_points(landscape, (x0, x1), (y0, y1), margin=BASIN_MARGIN)
    attractors = tuple(c for c in found if c.kind == wanted or (
        c.kind == "degenerate" and _is_local_extremum(landscape, c, RING_RADIUS * span, sign)))
    label = np.full(X.shape, UNDECIDED, dtype=np.int64)
    with np.errstate(all="ignore"):
        diverged = ~((np.abs(X) <= bound) & (np.abs(Y) <= bound))
        if attractors:
            M = np.array([c.point for c in attractors])
            d = np.hypot(X[:, None] - M[None, :, 0], Y[:, None] - M[None, :, 1])
            nearest = np.argmin(np.where(np.isnan(d), np.inf, d), axis=1)
            close = d[np.arange(d.shape[0]), nearest] <= tol
            label[close] = nearest[close]
    label[diverged] = DIVERGED
    return BasinMap(x, y, label.reshape(n, n), attractors, time.perf_counter() - t_start,
                    steps, optimizer, MappingProxyType(h), float(tol))


def _report(n: int, steps: int, should_stop: Callable[[], bool] | None,
            progress: Callable[[float], None] | None) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled
    if progress is not None and n > 0:
        progress(n / steps)


def _gd_loop(landscape: Landscape, X: np.ndarray, Y: np.ndarray, steps: int, h: dict,
             bound: float, should_stop: Callable[[], bool] | None,
             progress: Callable[[float], None] | None) -> tuple[np.ndarray, np.ndarray]:
    """Plain GD in place on coordinate arrays. With the partials compiled by _Kernel (any F the
    parser accepts, unless huge) a step allocates nothing: two kernel calls, two scalings, two
    subtractions. Otherwise the lambdified partials. Divergence is checked every 32 steps."""
    lr, wd = h["lr"], h["weight_decay"]
    rate = -lr if h["maximize"] else lr       # torch negates the gradient, then adds decay
    try:
        kx = _Kernel(landscape.Fx, landscape.params, X, Y)
        ky = _Kernel(landscape.Fy, landscape.params, X, Y)
    except _Unsupported:
        kx = ky = None
    if kx is not None and ky is not None:
        decay = wd if rate > 0 else -wd
        tmp = np.empty_like(X) if wd != 0 else np.empty(0)
        with np.errstate(all="ignore"):
            for n in range(steps):
                if n % PROGRESS_EVERY == 0:
                    _report(n, steps, should_stop, progress)
                u = kx()          # both partials at x_n before either coordinate moves
                v = ky()
                if wd != 0:
                    u += np.multiply(X, decay, out=tmp)
                    v += np.multiply(Y, decay, out=tmp)
                np.multiply(u, rate, out=u)
                np.multiply(v, rate, out=v)
                X -= u
                Y -= v
                if n % CHECK_EVERY == CHECK_EVERY - 1:
                    _freeze_diverged(X, Y, bound)
            _freeze_diverged(X, Y, bound)
        return X, Y

    gx, gy = landscape._gx, landscape._gy
    tmp_u, tmp_v = np.empty_like(X), np.empty_like(Y)
    with np.errstate(all="ignore"):
        for n in range(steps):
            if n % PROGRESS_EVERY == 0:
                _report(n, steps, should_stop, progress)
            # Both partials at x_n before either coordinate moves.
            u = gx(X, Y)
            v = gy(X, Y)
            if wd != 0:
                u, v = u + (wd * X if rate > 0 else -wd * X), v + (wd * Y if rate > 0 else -wd * Y)
            # Scale in place, except when the bare function handed back X or Y itself
            # (F = x²/2 gives ∂F/∂x = x, F = xy gives ∂F/∂x = y).
            if u is X or u is Y:
                u = np.multiply(u, rate, out=tmp_u)
            else:
                u *= rate
            if v is X or v is Y:
                v = np.multiply(v, rate, out=tmp_v)
            else:
                v *= rate
            X -= u
            Y -= v
            # Free this step's arrays before the next step allocates its own: holding them
            # makes malloc hand back fresh pages every step (measured 1.5-4x slower).
            del u, v
            if n % CHECK_EVERY == CHECK_EVERY - 1:
                _freeze_diverged(X, Y, bound)
        _freeze_diverged(X, Y, bound)
    return X, Y


def _optimizer_loop(landscape: Landscape, X: np.ndarray, Y: np.ndarray, steps: int, name: str,
                    h: dict, bound: float, should_stop: Callable[[], bool] | None,
                    progress: Callable[[float], None] | None) -> tuple[np.ndarray, np.ndarray]:
    """Any registered optimizer through its torch update rule (optimizers._stepper), vectorised
    over the starts, keeping only the current iterate: run_optimizer keeps every step, which is
    n² × steps × 2 floats (1.3 GB at 400² × 500)."""
    P = np.column_stack([X, Y])
    out = np.empty_like(P)
    step = _stepper(OPTIMIZERS[name].algorithm, h, P.shape)
    sign = -1.0 if h["maximize"] else 1.0
    with np.errstate(all="ignore"):
        for n in range(steps):
            if n % PROGRESS_EVERY == 0:
                _report(n, steps, should_stop, progress)
            g = landscape.grad_numeric(P)
            step(P, g if sign > 0 else -g, n + 1, out)
            del g                 # see _gd_loop
            P, out = out, P
            if n % CHECK_EVERY == CHECK_EVERY - 1:
                # NaN also poisons the optimizer state, so a frozen start stays frozen.
                P[~(np.abs(P) <= bound).all(axis=1)] = np.nan
    return P[:, 0].copy(), P[:, 1].copy()


class _Unsupported(Exception):
    """The expression uses something _Kernel does not compile: use the lambdified function."""


_UNARY = {sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan, sp.asin: np.arcsin, sp.acos: np.arccos,
          sp.atan: np.arctan, sp.sinh: np.sinh, sp.cosh: np.cosh, sp.tanh: np.tanh,
          sp.asinh: np.arcsinh, sp.acosh: np.arccosh, sp.atanh: np.arctanh, sp.exp: np.exp,
          sp.log: np.log, sp.Abs: np.absolute, sp.sign: np.sign}
MAX_KERNEL_NODES = 400


class _Kernel:
    """An expression of x and y compiled to numpy ufunc calls that write into buffers it owns,
    bound to two arrays the caller updates in place. Calling it allocates nothing.

    Why: the lambdified function allocates a fresh array per operation, and in a long loop over
    1.3 MB arrays glibc may hand that memory back to the system and fault it in again every step
    (measured here: 300 000 page faults and 4x the time of the same arithmetic for 400² × 500).
    The ufuncs are the ones lambdify's numpy printer emits; constant subexpressions are folded
    and sums may be added in another order, so results agree to rounding, not bit for bit.
    """

    def __init__(self, expr: Expression, params: Mapping[str, float], X: np.ndarray, Y: np.ndarray):
        e = expr.expr
        if sp.count_ops(e) > MAX_KERNEL_NODES:
            raise _Unsupported("too large")
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
        try:
            value = complex(node.evalf(subs=self._subs))
        except (TypeError, ValueError):   # zoo, nan: not a number lambdify would give either
            raise _Unsupported(str(node)) from None
        if value.imag != 0 or not math.isfinite(value.real):
            raise _Unsupported(str(node))
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
        raise _Unsupported(type(node).__name__)

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


def _freeze_diverged(X: np.ndarray, Y: np.ndarray, bound: float) -> None:
    """Starts beyond the bound become NaN, so they cannot wander back (a bounded gradient could)."""
    bad = ~((np.abs(X) <= bound) & (np.abs(Y) <= bound))
    if bad.any():
        X[bad] = np.nan
        Y[bad] = np.nan


# ----------------------------------------------------------------------------- presets

MAX_STARTS = 100
MAX_STEPS = 100_000


@dataclass(frozen=True)
class Preset2D:
    """A named 2-D scene from resources/presets2d/NN-name.json (data, never code).

    ValueError naming the field for numbers out of range or hyperparameters the optimizer does not
    take; the hyperparameters are kept as `resolve_hyper` validated them."""

    name: str
    title: str
    explanation: str
    equation: str
    starts: tuple[tuple[float, float], ...]
    lr: float
    steps: int
    x_range: Range
    y_range: Range
    optimizer: str = "GD"
    hyper: tuple[tuple[str, float | bool], ...] = ()     # other hyperparameters of the optimizer
    params: tuple[tuple[str, float], ...] = ()           # values of free parameters of F

    def __post_init__(self) -> None:
        if not 1 <= len(self.starts) <= MAX_STARTS:
            raise ValueError(f"starts must be a list of 1 to {MAX_STARTS} [x, y] pairs")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr!r}")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, got {self.steps!r}")
        for key in ("x_range", "y_range"):
            lo, hi = getattr(self, key)
            if not lo < hi:
                raise ValueError(f"{key} must be [low, high] with low < high, got {[lo, hi]}")
        hyper = dict(self.hyper)
        if "lr" in hyper:
            raise ValueError("hyper holds the hyperparameters other than lr (lr is its own field)")
        resolved = resolve_hyper(self.optimizer, {**hyper, "lr": self.lr})   # ValueError naming the key
        object.__setattr__(self, "hyper", tuple((k, resolved[k]) for k in sorted(hyper)))

    def landscape(self) -> Landscape:
        return Landscape.from_text(self.equation, dict(self.params))

    @property
    def hyper_dict(self) -> dict:
        return {**dict(self.hyper), "lr": self.lr}

    def scene2d(self) -> Scene2D:
        """The 2-D tab's scene for this preset (window and command line alike), carrying every
        hyperparameter of the preset that a Scene2D has a field for. ValueError if it cannot."""
        from .scene2d import OPTIMIZER_NAMES, Scene2D
        fields: dict = dict(text=self.equation, starts=tuple((float(x), float(y)) for x, y in self.starts),
                            optimizers=(self.optimizer,) if self.optimizer in OPTIMIZER_NAMES else ("GD",),
                            lr=self.lr, steps=self.steps, x_range=tuple(self.x_range),
                            y_range=tuple(self.y_range), params=tuple(self.params), preset=self.name)
        scene_fields = Scene2D.__dataclass_fields__
        fields.update({k: v for k, v in self.hyper if k in scene_fields and k not in fields})
        return Scene2D(**fields)


_READ = Readers()
_REQUIRED = ("name", "title", "explanation", "equation", "starts", "lr", "steps", "x_range",
             "y_range", "optimizer")


def _hyper(value: object, where: str) -> tuple[tuple[str, float | bool], ...]:
    """{name: number or true/false}: the optimizer's other hyperparameters (Preset2D checks the names)."""
    if not isinstance(value, dict):
        raise ReadError(f"{show(where)} must be an object of hyperparameters other than lr, like "
                        f'{{"momentum": 0.9}} (found {_READ.found(value)})')
    return tuple((str(k), v if isinstance(v, bool) else _READ.number(v, f"{where}.{k}")) for k, v in value.items())


_PRESET_READERS = _READ.for_fields(Preset2D, {
    **preset_header_readers(_READ),
    "equation": _READ.equation,
    "starts": _READ.list_of(_READ.pair, "points [x, y]", min_items=1, max_items=MAX_STARTS),
    "optimizer": _READ.choice(OPTIMIZERS),
    "hyper": _hyper,
})


def preset2d_from_json(text: str, source: str = "<text>") -> Preset2D:
    """Parse and validate one preset's JSON text; ReadError (a ValueError) naming the problem otherwise."""
    try:
        data = loads_json(text)
    except ReadError as error:
        raise ReadError(f"{source}: {error}") from None
    return preset2d_from_dict(data, source)


def preset2d_from_dict(d: Any, source: str = "<preset>") -> Preset2D:
    """Validate a decoded preset; ReadError (a ValueError) with the file and field at fault otherwise."""
    try:
        values = _READ.read_fields(d, _PRESET_READERS, "the preset", required=_REQUIRED)
        preset = _READ.build("preset", Preset2D, values)
        try:
            preset.landscape()
        except ExpressionError as error:
            raise ReadError(f"the equation {quote(preset.equation)} does not parse: {error.message}") from None
    except ReadError as error:
        raise ReadError(f"{source}: {error}") from None
    return preset


@lru_cache(maxsize=1)
def landscape_presets() -> tuple[Preset2D, ...]:
    """All 2-D presets in menu order (the files are numbered); ReadError (a ValueError) for a bad file."""
    return read_numbered(resources_dir() / "presets2d", preset2d_from_dict, name_of=lambda p: p.name)


def landscape_preset(name: str) -> Preset2D:
    """The 2-D preset called `name`; KeyError with the valid names otherwise."""
    return find_named(landscape_presets(), name, "2-D preset")
