"""The critical points of F, ∇F(x, y) = 0: Newton's method from a grid of seeds, each point
classified (minimum, maximum, saddle, degenerate) by the Hessian's eigenvalues."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .core import Landscape, Range, check_count, check_range

__all__ = ["SEEDS", "CriticalPoint", "Kind", "critical_points", "is_local_extremum"]

SEEDS = 24                  # seeds per axis
NEWTON_ITERATIONS = 100     # quadratic convergence needs ~10; degenerate points converge linearly
NEWTON_STEP_TOL = 1e-12     # a Newton step below this fraction of the range is "converged"
ACCEPT_STEP_TOL = 1e-8      # the last step must be this small (fraction of the range) to accept
GRAD_TOL = 1e-8             # ...and |∇F| this small next to the median |∇F| over the seeds
DEDUPE_TOL = 1e-6           # points closer than this fraction of the range are one point
ZERO_EIGEN = 1e-6           # |λ| below this fraction of the curvature nearby counts as 0
RING_RADIUS = 1e-2          # "nearby": a ring of this fraction of the range

Kind = Literal["minimum", "maximum", "saddle", "degenerate"]


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
    (x0, x1), (y0, y1) = check_range(x_range, "x_range"), check_range(y_range, "y_range")
    seeds = check_count(seeds, "seeds", 2, 1000)
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
           for p, f, lam, z in zip(P, F, eig, zero, strict=True)]
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


def is_local_extremum(landscape: Landscape, c: CriticalPoint, radius: float, sign: float) -> bool:
    """A degenerate point that F's samples on two small rings show to be a minimum (sign = 1,
    x⁴ + y⁴) or maximum (sign = −1): gradient descent does end there, slowly."""
    angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
    r = np.array([radius, 0.1 * radius])[:, None]
    with np.errstate(all="ignore"):
        values = landscape.F_numeric(c.x + r * np.cos(angles), c.y + r * np.sin(angles))
    return bool(np.all(sign * (values - c.F) > 0))

