"""Scene2D -> Result2D: the contour picture, the critical points and every optimizer's trajectories.

The 2-D tab's worker runs `evaluate_2d`; the window only draws what comes back.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .contours import isolines
from .landscape import (
    BasinMap,
    ContourGrid,
    CriticalPoint,
    Landscape,
    basin_map,
    contour_grid,
    critical_points,
    descend,
    gradient_field,
)
from .modified import modified_landscape_values
from .optimizers import OPTIMIZERS, OptimizerRun
from .ranges import check_defined, range_text
from .rates import RateSummary, summary_2d
from .regression import Dataset, fit, least_squares, make_dataset
from .scene2d import Scene2D
from .sharpness import sharpness_along, sharpness_bound

FULL_BATCH = "full batch"
GRID = 300      # contour samples per axis
LEVELS = 18
ARROWS = 21     # arrows of −∇F per axis
BASIN_GRID = 400
BASIN_STEPS = 500


@dataclass(frozen=True, eq=False)
class Result2D:
    scene: Scene2D
    label: str                              # "F(x, y) = …"
    gradient_label: str                     # "∇F = (…, …)"
    parameters: tuple[str, ...]
    grid: ContourGrid
    lines_x: np.ndarray                     # isoline segments, pairs of points (connect="pairs")
    lines_y: np.ndarray
    critical: tuple[CriticalPoint, ...]
    runs: dict[str, OptimizerRun]           # optimizer -> trajectories (k, steps + 1, 2), loss (k, steps + 1)
    formulas: dict[str, str]                # optimizer -> its update rule, for display
    arrows_x: np.ndarray                    # −∇F arrows as segment pairs (empty unless scene.field)
    arrows_y: np.ndarray
    bands: np.ndarray                       # (n, n) float32: index of F's contour band, NaN where undefined
    loss_floor: float                       # F*: the lowest minimum found, or the lowest value reached
    loss_gaps: dict[str, np.ndarray]        # optimizer -> (k, steps + 1) F(xₙ) − F*, NaN at F* (log axis)
    seconds: float
    data: Dataset | None = None           # SGD on data: the points the line is fitted to
    best: tuple[float, float] | None = None  # ... and the least-squares (w*, b*)
    notes: tuple[str, ...] = ()             # hints about F the editor shows ("Y is a parameter; …")
    rates: RateSummary | None = None        # learning-rate thresholds and the (η, μ) rate map (issue 14 §3)
    # Issue 15 §1: λ_max(∇²F(xₙ)) along every path, (k, steps + 1), NaN after a path diverged, and
    # the sharpness each optimizer can settle at (None: no fixed bound, as for Adam).
    sharpness: dict[str, np.ndarray] = field(default_factory=dict)
    sharpness_bounds: dict[str, float | None] = field(default_factory=dict)
    # Issue 14 §1: isolines of F̃ = F + (η/4)|∇F|² at F's levels (empty unless scene.modified).
    modified_x: np.ndarray = field(default_factory=lambda: np.empty(0))
    modified_y: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def steps(self) -> int:
        return self.scene.steps


def dataset_of(scene: Scene2D) -> Dataset:
    return make_dataset(n=scene.data_n, seed=scene.data_seed)


def mse_text(ds: Dataset) -> str:
    """The mean squared error of y = w·x + b over the data as a polynomial in (w, b), written with x
    for w and y for b so it goes through the same parser, contours and critical points as any F:
    mean((w xᵢ + b − yᵢ)²) = ⟨x²⟩w² + 2⟨x⟩wb + b² − 2⟨xy⟩w − 2⟨y⟩b + ⟨y²⟩."""
    x, y = np.asarray(ds.x, dtype=float), np.asarray(ds.y, dtype=float)
    c = [float(np.mean(x * x)), 2 * float(np.mean(x)), -2 * float(np.mean(x * y)), -2 * float(np.mean(y)),
         float(np.mean(y * y))]
    return f"{c[0]!r}*x^2 + {c[1]!r}*x*y + y^2 + {c[2]!r}*x + {c[3]!r}*y + {c[4]!r}"


def build_landscape(scene: Scene2D) -> Landscape:
    if scene.data_seed is not None:
        return Landscape.from_text(mse_text(dataset_of(scene)))
    return Landscape.from_text(scene.text, scene.param_dict)


def evaluate_2d(scene: Scene2D, should_stop: Callable[[], bool] | None = None) -> Result2D:
    start = time.perf_counter()
    land = build_landscape(scene)
    grid = contour_grid(land, scene.x_range, scene.y_range, n=GRID, levels=LEVELS)
    if scene.data_seed is None:     # F must have a value somewhere in the picture
        check_defined(grid.Z, "F", f"the plotted region {range_text(*scene.x_range)} × {range_text(*scene.y_range)}")
    lx, ly = isolines(grid.x, grid.y, grid.Z, grid.z_levels)
    critical = critical_points(land, scene.x_range, scene.y_range)
    starts = np.array(scene.starts, dtype=float)
    ax, ay = arrow_segments(land, scene) if scene.field else (np.empty(0), np.empty(0))
    data = best = None
    if scene.data_seed is not None:
        data = dataset_of(scene)
        best = least_squares(data)
        sgd = f"SGD, batch {scene.batch}"
        runs = {FULL_BATCH: fit(data, starts, scene.steps, "GD", {"lr": scene.lr}, should_stop=should_stop),
                sgd: fit(data, starts, scene.steps, "GD", {"lr": scene.lr}, batch_size=scene.batch,
                         seed=scene.data_seed, should_stop=should_stop)}
        formulas = {FULL_BATCH: "w, b ← (w, b) − η ∇MSE over all the points",
                    sgd: f"w, b ← (w, b) − η ∇MSE over {scene.batch} points,\nreshuffled every epoch"}
        label = f"Mean squared error of y = w·x + b over {data.n} points (x-axis: w, y-axis: b)"
        gradient_label = "∇MSE = (2⟨(w x + b − y) x⟩, 2⟨w x + b − y⟩)"
    else:
        runs = {name: descend(land, starts, scene.steps, name, scene.hyper(name), should_stop=should_stop)
                for name in scene.optimizers}
        formulas = {n: OPTIMIZERS[n].formula for n in scene.optimizers}
        label, gradient_label = land.label, land.gradient_label
    floor = loss_floor(critical, runs)
    mx, my = modified_isolines(land, grid, scene.lr) if scene.modified else (np.empty(0), np.empty(0))
    return Result2D(scene=scene, label=label, gradient_label=gradient_label,
                    parameters=land.parameters, grid=grid, lines_x=lx, lines_y=ly, critical=critical,
                    runs=runs, formulas=formulas, arrows_x=ax, arrows_y=ay, bands=contour_bands(grid),
                    loss_floor=floor, loss_gaps={n: loss_gap(run, floor) for n, run in runs.items()},
                    data=data, best=best, seconds=time.perf_counter() - start, notes=land.F.notes,
                    rates=summary_2d(scene, critical, runs),
                    sharpness={n: sharpness_along(land, run.x) for n, run in runs.items()},
                    sharpness_bounds={n: sharpness_bound(run.name, run.hyper) for n, run in runs.items()},
                    modified_x=mx, modified_y=my)


def modified_isolines(land: Landscape, grid: ContourGrid, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """Isolines of F̃ = F + (η/4)|∇F|² (what GD with learning rate η descends) at F's own levels,
    so the two families compare line for line: F̃'s lines crowd towards the minima where F is steep."""
    P = np.stack(np.broadcast_arrays(grid.x[None, :], grid.y[:, None]), axis=-1)
    G = land.grad_numeric(P)
    Zm = modified_landscape_values(grid.Z, G[..., 0], G[..., 1], lr)
    return isolines(grid.x, grid.y, Zm, grid.z_levels)


def contour_bands(grid: ContourGrid) -> np.ndarray:
    """Which contour band each sample lies in (0 below the first level): a filled-contour image."""
    with np.errstate(invalid="ignore"):
        bands = np.searchsorted(grid.z_levels, np.where(grid.finite, grid.Z, np.nan)).astype(np.float32)
    bands[~grid.finite] = np.nan
    return bands


def loss_floor(critical: tuple[CriticalPoint, ...], runs: dict[str, OptimizerRun]) -> float:
    """F*, what the loss plot subtracts: the lowest minimum found, or the lowest value any path reached."""
    minima = [c.F for c in critical if c.kind == "minimum" and math.isfinite(c.F)]
    reached = [float(np.nanmin(run.loss)) for run in runs.values() if np.isfinite(run.loss).any()]
    return min(minima + reached) if (minima or reached) else 0.0


def loss_gap(run: OptimizerRun, floor: float) -> np.ndarray:
    """F(xₙ) − F*, NaN where it is at F* to round-off: there a log axis would only draw noise."""
    with np.errstate(all="ignore"):
        gap = run.loss - floor
        return np.where(gap > 1e-13 * max(1.0, abs(floor)), gap, np.nan)


def arrow_segments(land: Landscape, scene: Scene2D, n: int = ARROWS) -> tuple[np.ndarray, np.ndarray]:
    """Arrows of −∇F on an n × n grid as segment pairs: a shaft and two barbs each.

    Directions are exact in data units; lengths are measured in grid cells (0.8 of a cell), so the
    arrows fit the picture whatever the two axes' scales."""
    X, Y, U, V = gradient_field(land, scene.x_range, scene.y_range, n)
    cx = (scene.x_range[1] - scene.x_range[0]) / n
    cy = (scene.y_range[1] - scene.y_range[0]) / n
    with np.errstate(all="ignore"):
        u, v = U / cx, V / cy                          # in cell units
        norm = np.hypot(u, v)
        ok = np.isfinite(norm) & (norm > 0)
        u, v = np.where(ok, u / norm, 0.0), np.where(ok, v / norm, 0.0)
    half = 0.4
    tail = (X - half * u * cx, Y - half * v * cy)
    tip = (X + half * u * cx, Y + half * v * cy)
    segs_x, segs_y = [tail[0], tip[0]], [tail[1], tip[1]]
    xs, ys = [np.stack(segs_x, -1)], [np.stack(segs_y, -1)]
    for angle in (np.pi * 0.85, -np.pi * 0.85):        # barbs, 27° off the shaft's reverse
        c, s = np.cos(angle), np.sin(angle)
        bu, bv = c * u - s * v, s * u + c * v
        xs.append(np.stack([tip[0], tip[0] + 0.3 * bu * cx], -1))
        ys.append(np.stack([tip[1], tip[1] + 0.3 * bv * cy], -1))
    px = np.concatenate([a[ok].reshape(-1) for a in xs])
    py = np.concatenate([a[ok].reshape(-1) for a in ys])
    return px, py


@dataclass(frozen=True, eq=False)
class Basins:
    scene: Scene2D
    map: BasinMap


def evaluate_basins(scene: Scene2D, should_stop: Callable[[], bool] | None = None,
                    progress: Callable[[float], None] | None = None) -> Basins:
    """Where plain gradient descent with the scene's lr ends from every point of the view."""
    land = build_landscape(scene)
    bm = basin_map(land, scene.x_range, scene.y_range, n=BASIN_GRID, steps=BASIN_STEPS, lr=scene.lr,
                   optimizer="GD", should_stop=should_stop, progress=progress)
    return Basins(scene=scene, map=bm)
