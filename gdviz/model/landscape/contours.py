"""F sampled on a grid with contour levels that stay spread out, and the arrows of −∇F.

(The isolines through those levels are drawn by gdviz/model/contours.py's marching squares.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .core import MAX_GRID, Landscape, Range, check_count, check_range

__all__ = ["LEVELS", "LEVEL_PERCENTILES", "ContourGrid", "contour_grid", "gradient_field"]

LEVELS = 20                 # contour levels suggested: quantiles of the finite values of F
LEVEL_PERCENTILES = (1.0, 99.0)


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
    (x0, x1), (y0, y1) = check_range(x_range, "x_range"), check_range(y_range, "y_range")
    n = check_count(n, "n", 2, MAX_GRID)
    levels = check_count(levels, "levels", 1, 1000)
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
    (x0, x1), (y0, y1) = check_range(x_range, "x_range"), check_range(y_range, "y_range")
    n = check_count(n, "n", 2, MAX_GRID)
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    with np.errstate(all="ignore"):
        U = -np.broadcast_to(landscape.Fx_loop(X, Y), X.shape)
        V = -np.broadcast_to(landscape.Fy_loop(X, Y), X.shape)
        norm = np.hypot(U, V)
        scale = np.where(norm > 0, 1.0 / norm, 0.0)
        U, V = U * scale, V * scale
    return X, Y, U, V

