"""Tick labels of a log axis that never overprint.

pyqtgraph labels every minor tick of a log axis (2, 3, ..., 9 times each power of ten). Towards the
top of a decade they crowd: the edge tab's loss axis read "0.090.080.070.06" at 1600x1000. Here
the labels of the minor level are kept by rank (powers of ten, then 2 and 5 times one, then the
rest), each only where it stays a line's height (on a horizontal axis, its own width) plus a gap
from every label kept before; on an axis spanning many decades, only the powers. The ticks
themselves all stay.
"""
from __future__ import annotations

import math
import types
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

GAP_PX = 4           # between two labels, beyond their extents
WIDE_DECADES = 2.5   # an axis spanning more labels only powers of ten ("3·10⁻⁷" there is noise)


def _rank(value: float) -> int:
    """0 for a power of ten, 1 for 2 or 5 times one, 2 for the others (values are log10)."""
    mantissa = 10 ** (value - math.floor(value + 1e-9))
    if abs(mantissa - 1) < 1e-3 or abs(mantissa - 10) < 1e-2:
        return 0
    return 1 if min(abs(mantissa - 2), abs(mantissa - 5)) < 1e-3 else 2


def spaced_log_tick_strings(axis: pg.AxisItem, values: Sequence[float], scale: float,
                            spacing: float | None) -> list[str]:
    """pyqtgraph's log tick strings, the minor level's (spacing None) thinned so none overprints."""
    strings = list(pg.AxisItem.logTickStrings(axis, values, scale, spacing))
    vertical = axis.orientation in ("left", "right")
    # The plot's range and length, not the axis's own copies: the same at rest, but the axis takes
    # a new range after whoever else hears of it first (LeftAxisGroup measures these labels then,
    # and kept a width a pixel too wide under a key that no longer matched them).
    view = axis.linkedView()
    if view is None:
        (lo, hi), length = axis.range, (axis.size().height() if vertical else axis.size().width())
    else:
        (lo, hi), length = view.viewRange()[1 if vertical else 0], (view.height() if vertical else view.width())
    if spacing is not None or hi <= lo or length <= 0 or len(values) < 2:
        return strings
    metrics = QFontMetricsF(axis.style["tickFont"] or axis.font())
    kept: list[tuple[float, float]] = []          # (position, half extent) in pixels
    out = [""] * len(strings)
    last_rank = 0 if hi - lo > WIDE_DECADES else 2
    ranks = [_rank(float(v)) for v in values]
    for i in sorted(range(len(values)), key=lambda i: (ranks[i], i)):
        text = strings[i]
        if not text or ranks[i] > last_rank:
            continue
        position = (float(values[i]) - lo) / (hi - lo) * length
        half = (metrics.height() if vertical else metrics.horizontalAdvance(text)) / 2
        if all(abs(position - p) >= half + h + GAP_PX for p, h in kept):
            kept.append((position, half))
            out[i] = text
    return out


def space_log_labels(axis: pg.AxisItem) -> None:
    """Give `axis` (of a plot in log mode on it) labels that never overprint."""
    axis.logTickStrings = types.MethodType(spaced_log_tick_strings, axis)
