"""The iterates as a table: the same rows for the window's dock, CSV files and the command line."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .results import SceneResult

COLUMNS = ("n", "t_n", "x_n", "F(x_n)", "f(x_n)")


def iterate_rows(result: "SceneResult") -> np.ndarray:
    """(steps + 1, 5) float array: n, t_n, x_n, F(x_n), f(x_n); NaN after divergence."""
    n = np.arange(len(result.x), dtype=np.float64)
    return np.column_stack([n, result.t, result.x, result.Fx, result.fx])


def format_number(v: float) -> str:
    """Full precision, round-trippable, and 'nan'/'inf' spelled the way spreadsheets read them."""
    if np.isnan(v):
        return "nan"
    return repr(float(v))


def iterates_csv(result: "SceneResult") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for row in iterate_rows(result):
        w.writerow([str(int(row[0]))] + [format_number(v) for v in row[1:]])
    return buf.getvalue()


def write_iterates_csv(result: "SceneResult", path: str | Path) -> None:
    Path(path).write_text(iterates_csv(result), encoding="utf-8")
