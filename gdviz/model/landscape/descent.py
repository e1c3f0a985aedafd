"""Any optimizer on a landscape: trajectories from many starts and F along them."""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ..euler import DEFAULT_BOUND
from ..optimizers import OptimizerRun, run_optimizer
from .core import Landscape

__all__ = ["descend", "with_lr"]


def descend(landscape: Landscape, starts: np.ndarray, steps: int, optimizer: str = "GD",
            hyper: Mapping[str, float | bool] | None = None,
            should_stop: Callable[[], bool] | None = None, lr: float | None = None,
            bound: float = DEFAULT_BOUND) -> OptimizerRun:
    """run_optimizer on the landscape: trajectories (k, steps + 1, 2) and F along them.
    `lr`, if given, overrides hyper["lr"]; without either, the optimizer's (torch's) default."""
    hyper = with_lr(hyper, lr)
    return run_optimizer(optimizer, landscape.grad_numeric, starts, steps, hyper,
                         loss=landscape.loss, bound=bound, should_stop=should_stop,
                         hessian=landscape.hessian_numeric)


def with_lr(hyper: Mapping[str, float | bool] | None, lr: float | None) -> dict:
    """A copy of `hyper` with hyper["lr"] = lr when lr is given."""
    out = dict(hyper or {})
    if lr is not None:
        out["lr"] = lr
    return out

