"""Scene2D -> Result2D: the contour picture, the critical points and every optimizer's trajectories.

The 2-D tab's worker runs `evaluate_2d`; the window only draws what comes back.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .contours import isolines
from .landscape import ContourGrid, CriticalPoint, Landscape, contour_grid, critical_points, descend
from .optimizers import OPTIMIZERS, OptimizerRun
from .scene2d import Scene2D

GRID = 300      # contour samples per axis
LEVELS = 18


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
    seconds: float

    @property
    def steps(self) -> int:
        return self.scene.steps


def build_landscape(scene: Scene2D) -> Landscape:
    return Landscape.from_text(scene.text, scene.param_dict)


def evaluate_2d(scene: Scene2D, should_stop: Callable[[], bool] | None = None) -> Result2D:
    start = time.perf_counter()
    land = build_landscape(scene)
    grid = contour_grid(land, scene.x_range, scene.y_range, n=GRID, levels=LEVELS)
    lx, ly = isolines(grid.x, grid.y, grid.Z, grid.z_levels)
    critical = critical_points(land, scene.x_range, scene.y_range)
    starts = np.array(scene.starts, dtype=float)
    runs = {name: descend(land, starts, scene.steps, name, scene.hyper(name), should_stop=should_stop)
            for name in scene.optimizers}
    return Result2D(scene=scene, label=land.label, gradient_label=land.gradient_label,
                    parameters=land.parameters, grid=grid, lines_x=lx, lines_y=ly, critical=critical,
                    runs=runs, formulas={n: OPTIMIZERS[n].formula for n in scene.optimizers},
                    seconds=time.perf_counter() - start)
