"""The iterates as a table: the same rows for the window's dock, CSV files and the command line.

No sympy and no Qt here, so the window can import it at start-up.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .results import SceneResult

COLUMNS = ("n", "t_n", "x_n", "F(x_n)", "f(x_n)")
STEP_COLUMN = "h_n"      # with a step-size rule: the step taken from x_n (nan on the last row)


def number_text(v: float) -> str:
    """Shortest text that reads back to the same float; 'nan'/'inf' the way spreadsheets read them."""
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return repr(float(v))


def column_names(result: SceneResult) -> tuple[str, ...]:
    """COLUMNS, and h_n last when a step-size rule chose the steps."""
    return COLUMNS + ((STEP_COLUMN,) if len(getattr(result, "h_steps", ())) else ())


def iterate_columns(result: SceneResult) -> list[np.ndarray]:
    """n, t_n, x_n, F(x_n), f(x_n) as arrays (NaN after divergence), then h_n with a step-size rule."""
    n = np.arange(len(result.x))
    cols = [n, np.asarray(result.t), np.asarray(result.x), np.asarray(result.Fx), np.asarray(result.fx)]
    h_steps = np.asarray(getattr(result, "h_steps", ()), dtype=float)
    if h_steps.size:
        cols.append(np.append(h_steps, np.nan))
    return cols


def iterates_csv(result: SceneResult) -> str:
    """The whole table as CSV text with a header line."""
    cols = iterate_columns(result)
    lines = [",".join(column_names(result))]
    for i in range(len(cols[0])):
        lines.append(",".join([str(int(cols[0][i]))] + [number_text(c[i]) for c in cols[1:]]))
    return "\n".join(lines) + "\n"


def write_iterates_csv(result: SceneResult, path: str | Path) -> None:
    from .files import atomic_write_text
    atomic_write_text(path, iterates_csv(result))
