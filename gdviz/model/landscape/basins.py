"""The basin map: where gradient descent (or any optimizer) from every grid point ends.

All n² starts run at once, one Python loop over the steps: plain GD through compiled kernels that
allocate nothing per step (kernel.py), other optimizers through their torch update rule.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ..euler import DEFAULT_BOUND, Cancelled
from ..optimizers import OPTIMIZERS, resolve_hyper, stepper
from .core import MAX_GRID, Landscape, Range, check_count, check_range
from .critical import RING_RADIUS, CriticalPoint, critical_points, is_local_extremum
from .descent import with_lr
from .kernel import Kernel, Unsupported

__all__ = ["BASIN_MARGIN", "BASIN_TOL", "DIVERGED", "UNDECIDED", "BasinMap", "basin_map", "freeze_diverged"]

PROGRESS_EVERY = 25         # steps between progress reports and should_stop questions
CHECK_EVERY = 32            # steps between divergence checks (non-finite values never come back)
BASIN_TOL = 1e-2            # a start "ends at" a minimum within this fraction of the range
BASIN_MARGIN = 0.5          # minima are looked for in the range widened by this fraction each side

DIVERGED = -1               # basin labels that are not an index into the minima
UNDECIDED = -2


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
    (x0, x1), (y0, y1) = check_range(x_range, "x_range"), check_range(y_range, "y_range")
    n = check_count(n, "n", 2, MAX_GRID)
    steps = check_count(steps, "steps", 0, 10**7)
    h = resolve_hyper(optimizer, with_lr(hyper, lr))
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
        c.kind == "degenerate" and is_local_extremum(landscape, c, RING_RADIUS * span, sign)))
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
    """Plain GD in place on coordinate arrays. With the partials compiled by Kernel (any F the
    parser accepts, unless huge) a step allocates nothing: two kernel calls, two scalings, two
    subtractions. Otherwise the lambdified partials. Divergence is checked every 32 steps."""
    lr, wd = h["lr"], h["weight_decay"]
    rate = -lr if h["maximize"] else lr       # torch negates the gradient, then adds decay
    try:
        kx = Kernel(landscape.Fx, landscape.params, X, Y)
        ky = Kernel(landscape.Fy, landscape.params, X, Y)
    except Unsupported:
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
                    freeze_diverged(X, Y, bound)
            freeze_diverged(X, Y, bound)
        return X, Y

    gx, gy = landscape.Fx_loop, landscape.Fy_loop
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
                freeze_diverged(X, Y, bound)
        freeze_diverged(X, Y, bound)
    return X, Y


def _optimizer_loop(landscape: Landscape, X: np.ndarray, Y: np.ndarray, steps: int, name: str,
                    h: dict, bound: float, should_stop: Callable[[], bool] | None,
                    progress: Callable[[float], None] | None) -> tuple[np.ndarray, np.ndarray]:
    """Any registered optimizer through its torch update rule (optimizers.stepper), vectorised
    over the starts, keeping only the current iterate: run_optimizer keeps every step, which is
    n² × steps × 2 floats (1.3 GB at 400² × 500)."""
    P = np.column_stack([X, Y])
    out = np.empty_like(P)
    sign = -1.0 if h["maximize"] else 1.0
    step = stepper(OPTIMIZERS[name].algorithm, h, P.shape,
                   gradient=lambda Q, t: sign * landscape.grad_numeric(Q),
                   hessian=lambda Q: sign * landscape.hessian_numeric(Q))
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



def freeze_diverged(X: np.ndarray, Y: np.ndarray, bound: float) -> None:
    """Starts beyond the bound become NaN, so they cannot wander back (a bounded gradient could)."""
    bad = ~((np.abs(X) <= bound) & (np.abs(Y) <= bound))
    if bad.any():
        X[bad] = np.nan
        Y[bad] = np.nan

