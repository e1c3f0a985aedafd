"""Full-batch training with the sharpness measured every few steps: the edge of stability.

Cohen et al. (ICLR 2021): under gradient descent with step η the sharpness (the Hessian's top
eigenvalue) rises until it reaches 2/η, then hovers there while the loss keeps falling, not
monotonically. This module runs that experiment for a few learning rates and returns the arrays.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from .models import DEFAULT_MODEL, dataset, model
from .network import hessian_at, loss_and_gradient, predict
from .sharpness import top_eigen

OPTIMIZERS: dict[str, str] = {"GD": "full-batch gradient descent, threshold 2/η"}
MAX_STEPS = 100_000
MAX_RATES = 4
FIT_GRID = 61                # pixels per side of the fitted function's picture
BLOW_UP = 1e6                # a loss this many times the first one has diverged

StopCheck = Callable[[], bool]
Progress = Callable[[float], None]


@dataclass(frozen=True)
class TrainScene:
    """What the edge-of-stability tab trains: one model, one optimizer, a few learning rates."""

    model: str = DEFAULT_MODEL
    optimizer: str = "GD"
    rates: tuple[float, ...] = (0.4, 0.25, 0.1)
    steps: int = 6000
    every: int = 20          # steps between two sharpness estimates

    def __post_init__(self) -> None:
        model(self.model)    # an unknown name raises its own message
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"the optimizer must be one of {', '.join(OPTIMIZERS)} (got {self.optimizer!r})")
        if not 1 <= len(self.rates) <= MAX_RATES:
            raise ValueError(f"give between 1 and {MAX_RATES} learning rates")
        if not all(math.isfinite(r) and 0 < r <= 100 for r in self.rates):
            raise ValueError("each learning rate must be a number above 0 and at most 100")
        if not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"the number of steps must be from 1 to {MAX_STEPS}")
        if not isinstance(self.steps, int) or not isinstance(self.every, int):
            raise ValueError("the number of steps must be a whole number")
        if not 1 <= self.every <= self.steps:
            raise ValueError("the sharpness must be measured at least once, every 1 to N steps")

    def with_(self, **changes) -> TrainScene:
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class TrainRun:
    """One learning rate's run. loss[n] is the loss after n steps (NaN after a divergence);
    sharpness[i] is measured after sharp_steps[i] steps."""

    rate: float
    loss: np.ndarray
    sharp_steps: np.ndarray
    sharpness: np.ndarray
    fit: np.ndarray          # the trained network's output on the result's grid (FIT_GRID²)
    diverged_at: int | None = None

    @property
    def threshold(self) -> float:
        """2/η: gradient descent on a quadratic of this curvature stops converging."""
        return 2.0 / self.rate


@dataclass(frozen=True, eq=False)
class TrainResult:
    scene: TrainScene
    inputs: np.ndarray
    targets: np.ndarray
    grid_x: np.ndarray       # the fit pictures' axes
    grid_y: np.ndarray
    runs: tuple[TrainRun, ...] = field(default=())


def evaluate_training(scene: TrainScene, should_stop: StopCheck | None = None,
                      progress: Progress | None = None) -> TrainResult:
    """Train the scene's model once per learning rate (the worker's job for the tab)."""
    data = dataset(scene.model)
    shape = model(scene.model).shape
    grid_x, grid_y, points = _grid(data.inputs)
    runs = []
    for i, rate in enumerate(scene.rates):
        def part(fraction: float, i: int = i) -> None:
            if progress is not None:
                progress((i + fraction) / len(scene.rates))
        theta, run = train(scene, rate, part, should_stop)
        fit = predict(shape, theta, points)[:, 0].reshape(len(grid_y), len(grid_x))
        runs.append(TrainRun(rate, run.loss, run.sharp_steps, run.sharpness, fit, run.diverged_at))
    return TrainResult(scene, data.inputs, data.targets[:, 0], grid_x, grid_y, tuple(runs))


@dataclass(frozen=True, eq=False)
class _Trace:
    loss: np.ndarray
    sharp_steps: np.ndarray
    sharpness: np.ndarray
    diverged_at: int | None


def train(scene: TrainScene, rate: float, progress: Progress | None = None,
          should_stop: StopCheck | None = None) -> tuple[np.ndarray, _Trace]:
    """Gradient descent from the model's fixed start; the final weights and the trace."""
    spec = model(scene.model)
    data = dataset(scene.model)
    shape = spec.shape
    x, y = data.inputs, data.targets
    theta = shape.initial(spec.seed)
    start = np.random.default_rng(spec.seed + 1).standard_normal(shape.size)
    losses = np.full(scene.steps + 1, np.nan)
    marks = np.arange(0, scene.steps + 1, scene.every)
    sharp = np.full(len(marks), np.nan)
    diverged = None
    with np.errstate(over="ignore", invalid="ignore"):
        for n in range(scene.steps + 1):
            value, gradient = loss_and_gradient(shape, theta, x, y)
            if not math.isfinite(value) or value > BLOW_UP * max(losses[0] if n else value, 1e-12):
                diverged = n
                break
            losses[n] = value
            if n % scene.every == 0:
                eigen = top_eigen(hessian_at(shape, theta, x, y), start)
                sharp[n // scene.every], start = eigen.value, eigen.vector
                if should_stop is not None and should_stop():
                    break
                if progress is not None:
                    progress(n / scene.steps)
            if n < scene.steps:
                theta = theta - rate * gradient
    return theta, _Trace(losses, marks, sharp, diverged)


@dataclass(frozen=True)
class EdgeSummary:
    """The numbers the issue's check reads, for one run."""

    first_sharpness: float     # ÷ 2/η
    late_sharpness: float      # median over the last third of training, ÷ 2/η
    peak_sharpness: float      # ÷ 2/η
    loss_drop: float           # final loss ÷ initial loss


def summarize(run: TrainRun) -> EdgeSummary:
    measured = np.isfinite(run.sharpness)
    steps, values = run.sharp_steps[measured], run.sharpness[measured] / run.threshold
    last = len(run.loss) - 1
    late = values[steps >= 2 * last / 3]
    final = run.loss[np.isfinite(run.loss)][-1]
    return EdgeSummary(float(values[0]), float(np.median(late)) if late.size else math.nan,
                       float(values.max()), float(final / run.loss[0]))


def describe_training(result: TrainResult) -> str:
    """The tab's picture in words: for each learning rate, where the sharpness starts and ends
    against 2/η and how far the loss fell (for a screen reader and `gdviz --describe`)."""
    lines = [f"Training the {result.scene.model} model by full-batch gradient descent "
             f"for {result.scene.steps} steps."]
    for run in result.runs:
        if run.diverged_at is not None:
            lines.append(f"At learning rate {run.rate:g} the training diverged at step {run.diverged_at}.")
            continue
        s = summarize(run)
        lines.append(f"At learning rate {run.rate:g} the sharpness starts at {s.first_sharpness:.0%} of "
                     f"2/η = {run.threshold:.3g}, is near {s.late_sharpness:.0%} of it over the last third "
                     f"(at most {s.peak_sharpness:.0%}), and the loss falls to {s.loss_drop:.1%} of its start.")
    return "\n".join(lines)


def csv_text(run: TrainRun) -> str:
    """Columns n, loss, sharpness (empty where the sharpness was not measured)."""
    sharp = dict(zip(run.sharp_steps.tolist(), run.sharpness.tolist()))
    lines = ["n,loss,sharpness"]
    for n, value in enumerate(run.loss.tolist()):
        if not math.isfinite(value):
            break
        s = sharp.get(n)
        lines.append(f"{n},{value:.10g},{'' if s is None or not math.isfinite(s) else f'{s:.10g}'}")
    return "\n".join(lines) + "\n"


def _grid(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A square grid over the data with a margin, and its points as rows (2-D inputs)."""
    low, high = inputs.min(0), inputs.max(0)
    pad = 0.1 * (high - low)
    gx = np.linspace(low[0] - pad[0], high[0] + pad[0], FIT_GRID)
    gy = np.linspace(low[1] - pad[1], high[1] + pad[1], FIT_GRID)
    xx, yy = np.meshgrid(gx, gy)
    return gx, gy, np.column_stack([xx.ravel(), yy.ravel()])


__all__ = ["OPTIMIZERS", "EdgeSummary", "TrainResult", "TrainRun", "TrainScene", "csv_text", "describe_training",
           "evaluate_training", "summarize", "train"]
