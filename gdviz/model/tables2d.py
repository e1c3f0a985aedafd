"""The 2-D trajectories as a table: one row per optimizer, start and step, for CSV files.

Columns: optimizer, start, n, x, y, F, sharpness
  optimizer  the optimizer's name (GD, Momentum, ...), in the scene's order
  start      the index of the starting point, from 0, in the scene's order (the command line's
             --x0 order)
  n          the step: row n holds the iterate x_n, so n = 0 is the start itself
  x, y, F    the iterate and F there, as the shortest text that reads back to the same float
  sharpness  the largest eigenvalue of F's Hessian at (x, y), from the symbolic second derivatives
             (issue 15: gradient descent cannot settle where it exceeds 2/lr)

Divergence: a start's rows stop where it diverged. If `diverged_at` is d (the first iterate that
left the finite world or the bound), that start has the rows n = 0 .. d − 1 only, every one of
them a real point; a start that never diverged has all steps + 1 rows. So every x and y cell holds
a finite number, and the number of a start's rows tells where it stopped. (F can still be
"nan" or "inf" at a finite point outside F's domain, written as the 1-D table writes them.)

No sympy and no Qt here, like `tables`.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .tables import number_text

if TYPE_CHECKING:
    from .results2d import Result2D

COLUMNS = ("optimizer", "start", "n", "x", "y", "F", "sharpness")


def rows_kept(diverged_at: int, steps: int) -> int:
    """How many rows a start has: every iterate before the one that diverged."""
    return steps + 1 if diverged_at < 0 else int(diverged_at)


def trajectory_rows(result2d: Result2D) -> Iterator[tuple[str, int, int, float, float, float, float]]:
    """(optimizer, start, n, x, y, F, sharpness) for every optimizer, start and step before divergence."""
    for name, run in result2d.runs.items():
        x = np.asarray(run.x)
        loss = np.asarray(run.loss)
        sharp = np.asarray(result2d.sharpness[name])
        steps = x.shape[1] - 1
        for i in range(x.shape[0]):
            kept = rows_kept(int(run.diverged_at[i]), steps)
            xs, ys, Fs = x[i, :kept, 0].tolist(), x[i, :kept, 1].tolist(), loss[i, :kept].tolist()
            Ss = sharp[i, :kept].tolist()
            for n in range(kept):
                yield name, i, n, xs[n], ys[n], Fs[n], Ss[n]


def trajectories_csv(result2d: Result2D) -> str:
    """The whole table as CSV text with a header line (see the module docstring)."""
    lines = [",".join(COLUMNS)]
    for name, i, n, x, y, F, S in trajectory_rows(result2d):
        lines.append(f"{name},{i},{n},{number_text(x)},{number_text(y)},{number_text(F)},{number_text(S)}")
    return "\n".join(lines) + "\n"


def write_trajectories_csv(result2d: Result2D, path: str | Path) -> None:
    """Write `trajectories_csv` to `path` atomically (the old file or the whole new one)."""
    from .files import atomic_write_text
    atomic_write_text(path, trajectories_csv(result2d))
