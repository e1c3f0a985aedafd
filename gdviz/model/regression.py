"""Stochastic gradient descent on data: fitting the line y = w x + b by mean squared error.

Seed 003's story made concrete for the 2-D mode (issue 5): a noisy sample of a true line, the
loss MSE(w, b) as a landscape over the (w, b) plane, its exact minimum (least squares), and the
optimizers of `optimizers` run on it with full batches or with shuffled minibatches.

The loss is a quadratic in (w, b). With the least-squares point (w*, b*), d = (w − w*, b − b*)
and the centred moments of x it is exactly

    MSE(w, b) = MSE* + var(x)·d_w² + (x̄·d_w + d_b)²,

a sum of non-negative terms (never below MSE*, even in rounding), O(1) per grid point whatever
the number of samples, and zero-gradient at the computed (w*, b*) itself: full-batch GD settles
on `least_squares(dataset)` to the last digit. A minibatch gradient is the mean over its samples.

Randomness is seeded and reproducible: the data from `seed` (make_dataset; "new data" is the
next seed), the shuffling of minibatches from the `seed` given to the schedule (a separate
stream, so the data and the visiting order are not correlated even for equal seeds).
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .euler import DEFAULT_BOUND
from .optimizers import GradAtFn, OptimizerRun, run_optimizer

__all__ = [
    "MAX_ABS",
    "MAX_POINTS",
    "Dataset",
    "MinibatchSchedule",
    "batches_per_epoch",
    "fit",
    "least_squares",
    "make_dataset",
    "minibatch_schedule",
    "mse",
    "mse_grad",
    "mse_hessian",
    "sgd_grad_at",
]

MAX_POINTS = 100_000   # samples per dataset: a scatter the UI can draw, minibatches it can index
MAX_ABS = 1e6          # |w|, |b|, noise and the ends of x_range: keeps x², (wx)² far from overflow
_SHUFFLE_STREAM = 1    # entropy word that separates the shuffling stream from the data stream


@dataclass(frozen=True, eq=False)
class Dataset:
    """n samples y_i = true_w·x_i + true_b + noise·ε_i, ε_i standard normal, x_i uniform on x_range.

    The arrays are read-only: a dataset is shared between the worker and the window.
    """

    x: np.ndarray                  # (n,)
    y: np.ndarray                  # (n,)
    seed: int
    true_w: float
    true_b: float
    noise: float
    x_range: tuple[float, float] = (-2.0, 2.0)

    def __post_init__(self) -> None:
        for name in ("x", "y"):
            a = np.array(getattr(self, name), dtype=np.float64)   # a private copy
            a.flags.writeable = False
            object.__setattr__(self, name, a)
        if self.x.ndim != 1 or self.x.shape != self.y.shape or self.x.size == 0:
            raise ValueError(f"x and y must be 1-D of one length >= 1, got {self.x.shape} "
                             f"and {self.y.shape}")

    @property
    def n(self) -> int:
        return int(self.x.size)

    def with_seed(self, seed: int) -> Dataset:
        """The same recipe (n, line, noise, range) drawn again from another seed."""
        return make_dataset(self.n, self.true_w, self.true_b, self.noise, self.x_range, seed)

    def next(self) -> Dataset:
        """"New data": the next seed."""
        return self.with_seed(self.seed + 1)

    @cached_property
    def _fit(self) -> tuple[float, float, float, float, float]:
        """(w*, b*, x̄, var(x), MSE*): the least-squares line and what the quadratic needs.

        Centred sums (not Σx², Σxy): no cancellation when the x values sit far from 0.
        """
        x, y = self.x, self.y
        xm, ym = float(x.mean()), float(y.mean())
        dx = x - xm
        sxx = float(np.dot(dx, dx))
        if not sxx > 0:
            # All x equal: every line through (x̄, ȳ) fits equally well. Take the flat one.
            w = 0.0
        else:
            w = float(np.dot(dx, y - ym)) / sxx
        b = ym - w * xm
        r = w * x + b - y
        return w, b, xm, sxx / x.size, float(np.dot(r, r)) / x.size


def make_dataset(n: int = 50, w: float = 2.0, b: float = -1.0, noise: float = 0.5,
                 x_range: tuple[float, float] = (-2.0, 2.0), seed: int = 0) -> Dataset:
    """Draw a reproducible noisy line: the same arguments give identical arrays.

    x_i ~ uniform(x_range), then ε_i ~ N(0, 1), both from numpy's default Generator seeded with
    `seed`; ε is drawn even when noise = 0, so changing only the noise rescales the same ε over
    the same x. Raises ValueError unless 2 <= n <= MAX_POINTS, seed is an integer >= 0, noise >= 0,
    x_range = (lo, hi) with lo < hi, and every number is finite with |value| <= MAX_ABS.
    """
    n = _integer("n", n, 2, MAX_POINTS)
    seed = _integer("seed", seed, 0, None)
    w = _real("w", w)
    b = _real("b", b)
    noise = _real("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    try:
        lo, hi = x_range
    except (TypeError, ValueError):
        raise ValueError(f"x_range must be a pair (lo, hi), got {x_range!r}") from None
    lo, hi = _real("x_range[0]", lo), _real("x_range[1]", hi)
    if not lo < hi:
        raise ValueError(f"x_range must have lo < hi, got ({lo!r}, {hi!r})")
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, n)
    eps = rng.standard_normal(n)
    if not np.ptp(x) > 0:
        # Only for a range a few floats wide: a vertical cloud determines no line.
        raise ValueError(f"x_range ({lo!r}, {hi!r}) is too narrow: every x came out equal")
    y = w * x + b + noise * eps
    return Dataset(x, y, seed, w, b, noise, (lo, hi))


def _integer(name: str, value: object, lo: int, hi: int | None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        bounds = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def _real(name: str, value: object) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and abs(value) <= MAX_ABS):
        raise ValueError(f"{name} must be finite with |{name}| <= {MAX_ABS:g}, got {value!r}")
    return value


# --------------------------------------------------------------------------- the loss

def least_squares(dataset: Dataset) -> tuple[float, float]:
    """(w*, b*): the closed-form minimum of MSE, the bottom of the landscape."""
    w, b, *_ = dataset._fit
    return w, b


def mse(dataset: Dataset, W: np.ndarray | float, B: np.ndarray | float) -> np.ndarray:
    """Mean squared error of the line y = W x + B, W and B broadcast together (a (w, b) grid).

    Exact quadratic form (see the module docstring): O(1) per point, never below the minimum.
    Overflow is data (inf), not a warning.
    """
    w0, b0, xm, var, floor = dataset._fit
    with np.errstate(all="ignore"):
        dw = np.asarray(W, dtype=np.float64) - w0
        db = np.asarray(B, dtype=np.float64) - b0
        shift = xm * dw + db
        return floor + var * dw * dw + shift * shift


def mse_hessian(dataset: Dataset) -> np.ndarray:
    """The constant Hessian 2·[[mean x², x̄], [x̄, 1]]: GD with lr < 2/λ_max is stable."""
    _, _, xm, var, _ = dataset._fit
    return 2.0 * np.array([[var + xm * xm, xm], [xm, 1.0]])


def mse_grad(dataset: Dataset, P: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
    """∇MSE at points P (..., 2) = (w, b): the mean (not the sum) over samples `idx`, all if None.

        ∂/∂w = 2/m Σ (w x_i + b − y_i) x_i,   ∂/∂b = 2/m Σ (w x_i + b − y_i)

    The full gradient comes from the quadratic form (O(1) per point, exactly zero at
    `least_squares`); a minibatch sums its m residuals, O(m) per point.
    """
    P = np.asarray(P, dtype=np.float64)
    if P.shape[-1:] != (2,):
        raise ValueError(f"points must have shape (..., 2) = (w, b), got {P.shape}")
    w, b = P[..., 0], P[..., 1]
    out = np.empty(P.shape)
    with np.errstate(all="ignore"):
        if idx is None:
            w0, b0, xm, var, _ = dataset._fit
            dw, db = w - w0, b - b0
            shift = xm * dw + db
            out[..., 0] = 2.0 * (var * dw + xm * shift)
            out[..., 1] = 2.0 * shift
        else:
            idx = np.asarray(idx)
            if idx.ndim != 1 or idx.size == 0:
                raise ValueError(f"idx must be a non-empty 1-D index array, got shape {idx.shape}")
            xb, yb = dataset.x[idx], dataset.y[idx]
            r = w[..., None] * xb + b[..., None] - yb          # (..., m) residuals
            out[..., 0] = 2.0 * np.mean(r * xb, axis=-1)
            out[..., 1] = 2.0 * np.mean(r, axis=-1)
    return out


# --------------------------------------------------------------------------- minibatches

def batches_per_epoch(n: int, batch_size: int, drop_last: bool = False) -> int:
    """ceil(n / batch_size), or floor with drop_last (the short remainder skipped)."""
    return n // batch_size if drop_last else -(-n // batch_size)


@dataclass(frozen=True, eq=False)
class MinibatchSchedule:
    """The sample indices of each step: a sequence of 1-D int arrays (len, [i], iteration).

    Epoch e is `order[e]`, a fresh permutation of range(n), cut into batches of batch_size in
    order; the last batch of an epoch holds the remaining n mod batch_size samples (fewer than
    batch_size) unless drop_last, which skips them for that epoch (other ones each epoch).
    Indices inside a batch are sorted: a batch is a set, and sorted it sums in dataset order.
    """

    order: np.ndarray          # (epochs, n) int64, read-only
    batch_size: int
    steps: int
    drop_last: bool = False

    @property
    def n(self) -> int:
        return int(self.order.shape[1])

    @property
    def per_epoch(self) -> int:
        return batches_per_epoch(self.n, self.batch_size, self.drop_last)

    @property
    def epochs(self) -> int:
        return int(self.order.shape[0])

    def epoch_of(self, step: int) -> int:
        return self._check(step) // self.per_epoch

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, step: int) -> np.ndarray:
        e, j = divmod(self._check(step), self.per_epoch)
        return self.order[e, j * self.batch_size:(j + 1) * self.batch_size]

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[s] for s in range(self.steps))

    def _check(self, step: int) -> int:
        step = int(step)
        if step < 0:
            step += self.steps
        if not 0 <= step < self.steps:
            raise IndexError(f"step {step} outside the schedule's {self.steps} steps")
        return step


def minibatch_schedule(n: int, batch_size: int, steps: int, seed: int = 0,
                       drop_last: bool = False) -> MinibatchSchedule:
    """Index batches for `steps` steps: a reshuffle every epoch from a Generator seeded by `seed`.

    For whole epochs pass steps = epochs · batches_per_epoch(n, batch_size, drop_last).
    Raises ValueError unless n >= 1, 1 <= batch_size <= n, steps >= 0, seed >= 0.
    """
    n = _integer("n", n, 1, None)
    batch_size = _integer("batch_size", batch_size, 1, n)
    steps = _integer("steps", steps, 0, None)
    seed = _integer("seed", seed, 0, None)
    per_epoch = batches_per_epoch(n, batch_size, drop_last)
    epochs = -(-steps // per_epoch)
    rng = np.random.default_rng([seed, _SHUFFLE_STREAM])
    order = rng.permuted(np.broadcast_to(np.arange(n, dtype=np.int64), (epochs, n)), axis=1)
    # Sort inside each batch, all epochs at once: key = batch number · n + index.
    key = (np.arange(n, dtype=np.int64) // batch_size) * n + order
    order = np.sort(key, axis=1) % n
    order.flags.writeable = False
    return MinibatchSchedule(order, batch_size, steps, bool(drop_last))


def sgd_grad_at(dataset: Dataset, batch_size: int, steps: int, seed: int = 0,
                drop_last: bool = False) -> GradAtFn:
    """grad_at(P, n) for `run_optimizer`: the MSE gradient over batch n of the schedule.

    Every start (row of P) sees the same batch, so all starts meet the data in one order. A batch
    holding every sample (batch_size = n) is computed as the full gradient, so SGD with
    batch_size = n is full-batch GD bit for bit.
    """
    schedule = minibatch_schedule(dataset.n, batch_size, steps, seed, drop_last)
    full = batch_size == dataset.n

    def grad_at(P: np.ndarray, n: int) -> np.ndarray:
        return mse_grad(dataset, P, None if full else schedule[n])
    return grad_at


def fit(dataset: Dataset, starts: np.ndarray, steps: int, optimizer: str = "GD",
        hyper: Mapping[str, float | bool] | None = None, batch_size: int | None = None,
        seed: int = 0, should_stop: Callable[[], bool] | None = None, drop_last: bool = False,
        bound: float = DEFAULT_BOUND) -> OptimizerRun:
    """Run `optimizer` on MSE(w, b) from starts (k, 2) = (w, b); run.loss is the full-data MSE.

    batch_size None or n: full-batch gradients; 1 <= batch_size < n: minibatch SGD on the
    schedule of `seed`. hyper goes to `run_optimizer` (its defaults are torch's: GD's lr is 1e-3;
    2/λ_max of `mse_hessian` is the full-batch stability limit).
    """
    if batch_size is None or batch_size == dataset.n:
        grad, grad_at = (lambda P: mse_grad(dataset, P)), None
    else:
        grad, grad_at = None, sgd_grad_at(dataset, batch_size, steps, seed, drop_last)
    return run_optimizer(optimizer, grad, starts, steps, hyper,
                         loss=lambda P: mse(dataset, P[:, 0], P[:, 1]), bound=bound,
                         should_stop=should_stop, grad_at=grad_at)
