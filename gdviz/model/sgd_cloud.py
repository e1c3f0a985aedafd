"""The cloud of late SGD iterates on "Fit a line" (issue 15 §3, 2-D): minibatch SGD on the mean squared
error of y = w·x + b settles into a cloud around the least-squares (w*, b*), not onto the point.

Sampling: every step draws its B samples independently and uniformly *with replacement*, the
setting of Li, Tai and E's SDE, so the batch gradient is the mean of B i.i.d. per-sample gradients.
(The 2-D tab's paths reshuffle every epoch instead; there the batches of one epoch are dependent —
they cover the data once — and no single-step formula predicts the spread.) With θ = (w, b) and
d = θ − θ*, one step is exactly

    d ← (I − ηH_b) d − η g_b,    H_b, g_b the batch means of h_i = 2 x̃ x̃ᵀ and g_i = 2 r_i* x̃ (x̃ = (x, 1)),

and its stationary covariance Σ solves

    predicted (the linearised iteration):   Σ = (I − ηH) Σ (I − ηH)ᵀ + η² C / B
    exact (the batch's curvature too):      Σ = (I − ηH) Σ (I − ηH)ᵀ + η²/B · (E[(h_i − H) Σ (h_i − H)] + C)

with H the loss Hessian and C the covariance of the per-sample gradients at the optimum. The second
term of the exact one is O(η) smaller than the first; it is what the SDE leaves out. Both are 4 × 4
linear systems (vec of a 2 × 2 matrix).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .euler import Cancelled
from .regression import Dataset, least_squares, make_dataset

if TYPE_CHECKING:
    from .scene2d import Scene2D

__all__ = ["CHAINS", "DRAWS", "LATE", "Cloud", "cloud_of_scene", "cloud_parts", "ellipse", "predicted_covariance",
           "sgd_cloud"]

CHAINS = 200              # chains side by side, fewer for large batches (DRAWS)
LATE = 1000               # late steps kept per chain
DRAWS = 4_000_000         # sample indices drawn per cloud at most (chains × steps × B), down to MIN_CHAINS
MIN_CHAINS = 4
SHOWN = 3000              # points of the cloud drawn
BURN_TOL = 1e-3           # the covariance deficit left at the end of the burn-in


@dataclass(frozen=True, eq=False)
class Cloud:
    """Late (w, b) iterates of SGD with replacement, their covariance and the predicted ones."""

    lr: float
    batch: int
    chains: int
    burn: int                     # steps dropped (from θ*) before the late iterates
    late: int                     # late steps per chain
    best: tuple[float, float]     # (w*, b*)
    points: np.ndarray            # (m, 2): the late iterates drawn (evenly thinned to SHOWN)
    mean: np.ndarray              # (2,) mean of every late iterate
    measured: np.ndarray          # (2, 2) their sample covariance
    predicted: np.ndarray         # (2, 2) the Lyapunov equation with C / B
    exact: np.ndarray             # (2, 2) with the batch's curvature noise too
    ellipses: tuple[np.ndarray, np.ndarray]   # (2, k) the 1σ and 2σ ellipses of `predicted` around θ*
    exact_ellipse: np.ndarray     # (2, k) the 2σ ellipse of `exact`
    seconds: float
    key: tuple = ()               # what it was computed for (Scene2D.cloud_key), when from a scene


def cloud_parts(ds: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(H, C, E[D⊗D]): the Hessian, the per-sample gradient covariance at θ*, and the mean of
    kron(h_i − H, h_i − H) over the samples (the batch-curvature noise of one sample)."""
    w, b = least_squares(ds)
    xt = np.stack([ds.x, np.ones(ds.n)], axis=1)            # (n, 2) rows x̃_i
    r = w * ds.x + b - ds.y
    g = 2.0 * r[:, None] * xt
    C = g.T @ g / ds.n - np.outer(g.mean(0), g.mean(0))
    h = 2.0 * xt[:, :, None] * xt[:, None, :]               # (n, 2, 2)
    H = h.mean(0)
    D = h - H
    DD = np.einsum("nik,njl->ijkl", D, D).reshape(4, 4) / ds.n
    return H, C, DD


def _second_moment_map(lr: float, batch: int, H: np.ndarray, DD: np.ndarray | None) -> np.ndarray:
    A = np.eye(2) - lr * H
    M = np.kron(A, A)
    if DD is not None:
        M = M + lr * lr / batch * DD
    return M


def _solve(M: np.ndarray, Q: np.ndarray) -> np.ndarray | None:
    """Σ with vec Σ = M vec Σ + vec Q, or None when M's spectral radius is >= 1 (the spread grows)."""
    if not max(abs(np.linalg.eigvals(M))) < 1:
        return None
    S = np.linalg.solve(np.eye(4) - M, Q.reshape(4)).reshape(2, 2)
    return 0.5 * (S + S.T)


def predicted_covariance(ds: Dataset, lr: float, batch: int, exact: bool = False) -> np.ndarray | None:
    """The stationary covariance of (w, b) under SGD with replacement (module docstring), or None
    when it does not exist at this lr and batch size."""
    H, C, DD = cloud_parts(ds)
    return _solve(_second_moment_map(lr, batch, H, DD if exact else None), lr * lr / batch * C)


def ellipse(centre: tuple[float, float], cov: np.ndarray, k: float, points: int = 121) -> np.ndarray:
    """(2, points): the ellipse (p − c)ᵀ Σ⁻¹ (p − c) = k², closed."""
    vals, vecs = np.linalg.eigh(cov)
    t = np.linspace(0.0, 2.0 * math.pi, points)
    circle = np.stack([np.cos(t), np.sin(t)]) * (k * np.sqrt(np.maximum(vals, 0.0)))[:, None]
    return np.asarray(centre)[:, None] + vecs @ circle


def _burn_in(M: np.ndarray) -> int:
    rho = float(max(abs(np.linalg.eigvals(M))))
    return 1 if rho == 0 else max(1, math.ceil(math.log(BURN_TOL) / math.log(rho)))


def sgd_cloud(ds: Dataset, lr: float, batch: int, seed: int = 0, chains: int | None = None,
              late: int = LATE, should_stop: Callable[[], bool] | None = None) -> Cloud:
    """Run `chains` SGD chains from θ* with batches drawn with replacement; keep `late` steps each.

    Raises ValueError (a sentence) when the spread grows without bound at this lr and batch size."""
    start = time.perf_counter()
    H, C, DD = cloud_parts(ds)
    lam = float(np.linalg.eigvalsh(H)[-1])
    exact_map = _second_moment_map(lr, batch, H, DD)
    exact = _solve(exact_map, lr * lr / batch * C)
    predicted = _solve(_second_moment_map(lr, batch, H, None), lr * lr / batch * C)
    if exact is None or predicted is None:
        raise ValueError(f"SGD's cloud spreads without bound at lr {lr:.4g} with batches of {batch}: "
                         f"take lr well below 2/λ_max = {2 / lam:.4g}")
    burn = _burn_in(exact_map)
    if chains is None:
        chains = int(min(CHAINS, max(MIN_CHAINS, DRAWS // (batch * (burn + late)))))
    best = least_squares(ds)
    late_w, late_b = _run(ds, lr, batch, seed, chains, burn, late, best, should_stop)
    P = np.stack([late_w.ravel(), late_b.ravel()], axis=1)
    stride = max(1, math.ceil(P.shape[0] / SHOWN))
    shown = np.ascontiguousarray(P[::stride])
    shown.flags.writeable = False
    ellipses = (ellipse(best, predicted, 1.0), ellipse(best, predicted, 2.0))
    return Cloud(lr=lr, batch=batch, chains=chains, burn=burn, late=late, best=best, points=shown,
                 mean=P.mean(0), measured=np.cov(P, rowvar=False), predicted=predicted, exact=exact,
                 ellipses=ellipses, exact_ellipse=ellipse(best, exact, 2.0), seconds=time.perf_counter() - start)


def _run(ds: Dataset, lr: float, batch: int, seed: int, chains: int, burn: int, late: int,
         best: tuple[float, float], should_stop: Callable[[], bool] | None) -> tuple[np.ndarray, np.ndarray]:
    """(late, chains) arrays of w and b: every chain from θ*, one minibatch gradient per step."""
    rng = np.random.default_rng([seed, 2])     # a stream of its own (the paths use 0 and 1)
    x, y = np.asarray(ds.x), np.asarray(ds.y)
    w = np.full(chains, best[0])
    b = np.full(chains, best[1])
    out_w, out_b = np.empty((late, chains)), np.empty((late, chains))
    for step in range(burn + late):
        if should_stop is not None and step % 64 == 0 and should_stop():
            raise Cancelled()
        idx = rng.integers(0, ds.n, size=(chains, batch))
        xb, yb = x[idx], y[idx]
        r = w[:, None] * xb + b[:, None] - yb
        w, b = w - lr * 2.0 * np.mean(r * xb, axis=1), b - lr * 2.0 * np.mean(r, axis=1)
        if step >= burn:
            out_w[step - burn], out_b[step - burn] = w, b
    return out_w, out_b



def cloud_of_scene(scene: Scene2D, should_stop: Callable[[], bool] | None = None) -> Cloud:
    """The cloud for the 2-D tab's "Fit a line" scene: its data, lr and batch size, seeded by its data seed."""
    if scene.data_seed is None:
        raise ValueError("the cloud of SGD iterates is drawn when fitting a line to data")
    ds = make_dataset(n=scene.data_n, seed=scene.data_seed)     # as results2d.dataset_of
    cloud = sgd_cloud(ds, scene.lr, scene.batch, seed=scene.data_seed, should_stop=should_stop)
    return replace(cloud, key=scene.cloud_key())
