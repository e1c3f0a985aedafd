"""Explicit one-step methods for x' = f(x): Euler, Heun and classical Runge-Kutta.

Euler's method is gradient ascent; Heun and RK4 show what a higher order buys. All three are
vectorised like `euler`: one Python loop over the steps, numpy arithmetic over the whole batch.
Unlike `euler` they do not locate divergence: NaN and inf simply propagate (no warnings).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .euler import Cancelled

Field = Callable[[np.ndarray], np.ndarray]
CHECK_EVERY = 256   # steps between should_stop() calls


@dataclass(frozen=True)
class Method:
    """An explicit one-step method: global error O(h^order), `stages` f calls per step."""
    name: str
    order: int
    stages: int
    formula: str    # the update rule in one line, for the UI


METHODS: dict[str, Method] = {
    "Euler": Method("Euler", 1, 1, "xₙ₊₁ = xₙ + h f(xₙ)"),
    "Heun": Method("Heun", 2, 2, "x̃ = xₙ + h f(xₙ),  xₙ₊₁ = xₙ + h/2 (f(xₙ) + f(x̃))"),
    "RK4": Method("RK4", 4, 4, "k₁ = f(xₙ),  k₂ = f(xₙ + h/2 k₁),  k₃ = f(xₙ + h/2 k₂),  "
                               "k₄ = f(xₙ + h k₃),  xₙ₊₁ = xₙ + h/6 (k₁ + 2k₂ + 2k₃ + k₄)"),
}


# One step of each method; h is an array of the batch's shape (or a float). Called under errstate.
def _euler_step(f: Field, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    return x + h * f(x)


def _heun_step(f: Field, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    k1 = f(x)
    k2 = f(x + h * k1)
    return x + 0.5 * h * (k1 + k2)


def _rk4_step(f: Field, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    half = 0.5 * h
    k1 = f(x)
    k2 = f(x + half * k1)
    k3 = f(x + half * k2)
    k4 = f(x + h * k3)
    return x + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)


_STEPS: dict[str, Callable[[Field, np.ndarray, np.ndarray], np.ndarray]] = {
    "Euler": _euler_step, "Heun": _heun_step, "RK4": _rk4_step,
}


def _stepper(method: str) -> Callable[[Field, np.ndarray, np.ndarray], np.ndarray]:
    try:
        return _STEPS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}") from None


def integrate(f: Field, x0: np.ndarray | float, h: np.ndarray | float, steps: int,
              method: str = "Euler", should_stop: Callable[[], bool] | None = None) -> np.ndarray:
    """`steps` steps of `method` for every (x0, h) pair, broadcast together.

    Returns x of shape batch + (steps + 1,) with x[..., n] = x_n; NaN/inf where a run blew up.
    """
    step = _stepper(method)
    if steps < 0:
        raise ValueError("steps must be >= 0")
    x0, h = np.broadcast_arrays(np.asarray(x0, dtype=np.float64), np.asarray(h, dtype=np.float64))
    batch = x0.shape
    x0, h = x0.reshape(-1), h.reshape(-1)       # 1-D rows: f always sees arrays, never scalars
    rows = np.empty((steps + 1,) + x0.shape, dtype=np.float64)   # rows[n] = x_n, contiguous
    rows[0] = x0
    with np.errstate(all="ignore"):
        for n in range(steps):
            rows[n + 1] = step(f, rows[n], h)
            if should_stop is not None and n % CHECK_EVERY == CHECK_EVERY - 1 and should_stop():
                raise Cancelled
    return np.moveaxis(rows, 0, -1).reshape(batch + (steps + 1,))


def final_values(f: Field, x0: np.ndarray | float, t_end: float, n_steps: np.ndarray,
                 method: str = "Euler", should_stop: Callable[[], bool] | None = None) -> np.ndarray:
    """x_N at t_end = N h for every N in n_steps (h = t_end / N), broadcast with x0.

    One loop over max(N) steps for all columns: sorted by N descending, the columns still
    running at step n are a prefix of the batch, so each step updates one contiguous slice and
    a column stops exactly after its own N steps. Total work is sum(N), Python overhead max(N).
    """
    step = _stepper(method)
    n_steps = np.asarray(n_steps)
    if n_steps.size and (not np.issubdtype(n_steps.dtype, np.integer) or n_steps.min() < 0):
        raise ValueError("n_steps must be whole numbers >= 0")
    x0, n_steps = np.broadcast_arrays(np.asarray(x0, dtype=np.float64), n_steps.astype(np.int64))
    shape = x0.shape
    order = np.argsort(-n_steps.reshape(-1), kind="stable")
    counts = n_steps.reshape(-1)[order]                          # descending
    x = x0.reshape(-1)[order].copy()
    with np.errstate(all="ignore"):
        h = float(t_end) / counts.astype(np.float64)            # N = 0: inf, never used
        longest = int(counts[0]) if counts.size else 0
        # active[n] = how many columns still need step n (those with N > n).
        active = np.searchsorted(-counts, -np.arange(longest), side="left")
        for n in range(longest):
            m = int(active[n])
            x[:m] = step(f, x[:m], h[:m])
            if should_stop is not None and n % CHECK_EVERY == CHECK_EVERY - 1 and should_stop():
                raise Cancelled
    out = np.empty_like(x)
    out[order] = x
    return out.reshape(shape)
