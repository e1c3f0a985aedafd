"""Canvas 2: the phase line. The graph of f(x) over the x-axis, which is itself the phase line.

Strogatz's picture: arrows on the axis show where the flow goes, equilibria are filled (stable),
open (unstable) or half-filled (semi-stable, filled on the side the flow arrives from). The
current iterate moves along the axis; its Euler step h·f(x_n) is the arrow to x_{n+1}.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainterPath

from . import style
from .arrow_heads import ArrowHeads
from .canvas import Canvas, finite_span, path_item, scatter_item, set_if_changed, styled
from .function_canvas import enum_value
from .style import STYLE

if TYPE_CHECKING:
    from ..model.results import SceneResult

ARROWS_PER_RANGE = 10   # flow arrows across the whole plotted range (at least one per interval)
TRAIL_DOTS_UP_TO = 5000   # beyond this many iterates the trail on the axis is thinned


def half_disc(side: str) -> QPainterPath:
    """Unit-size half disc (symbol coordinates, centred on 0) filled on the `side` 'left' or 'right'."""
    path = QPainterPath()
    path.moveTo(0.0, -0.5)
    path.arcTo(QRectF(-0.5, -0.5, 1.0, 1.0), 90.0, 180.0 if side == "left" else -180.0)
    path.closeSubpath()
    return path


HALF_LEFT = half_disc("left")
HALF_RIGHT = half_disc("right")


def flow_arrows(grid_x: np.ndarray, grid_f: np.ndarray, equilibria_x: list[float],
                x_range: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Positions on the axis between equilibria and the flow's direction there (+1 right, -1 left)."""
    a, b = x_range
    cuts = [a] + sorted(x for x in equilibria_x if a < x < b) + [b]
    xs: list[float] = []
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        k = max(1, int(round((hi - lo) / (b - a) * ARROWS_PER_RANGE)))
        xs.extend(lo + (hi - lo) * (i + 0.5) / k for i in range(k))
    pos = np.array(xs, dtype=float)
    with np.errstate(all="ignore"):
        f = np.interp(pos, grid_x, grid_f)
        scale = np.nanmax(np.abs(grid_f)) if np.isfinite(grid_f).any() else 0.0
        keep = np.isfinite(f) & (np.abs(f) > 1e-9 * max(scale, 1e-300))
    return pos[keep], np.sign(f[keep])


def trail_positions(xs: np.ndarray, limit: int = TRAIL_DOTS_UP_TO) -> np.ndarray:
    """The places on the axis the finite iterates `xs` visited, at most `limit` dots: one iterate for
    each occupied 1/limit of their span. 10^5 dots on one line are a smear; a stride's sample of
    them could miss a single far excursion, this keeps it (and the extremes)."""
    if len(xs) <= limit:
        return xs
    lo, hi = float(xs.min()), float(xs.max())
    with np.errstate(all="ignore"):
        scale = (limit - 1) / (hi - lo)
    if not (math.isfinite(scale) and scale > 0):
        return np.array([lo, hi]) if hi > lo else xs[:1]
    cell = np.minimum(((xs - lo) * scale).astype(np.intp), limit - 1)
    one = np.full(limit, np.nan)
    one[cell] = xs
    one[[0, -1]] = lo, hi            # their cells hold them: the trail's ends are exact
    return one[np.isfinite(one)]


class PhaseLineCanvas(Canvas):
    """f(x) and the phase line on its x-axis."""

    def title_html(self, title: str) -> str:
        size = STYLE.pt(STYLE.annotation_pt - 1.5) * self.title_factor
        return (f'{title} &nbsp;&nbsp; <span style="font-size:{size:.1f}pt">'
                "● stable &nbsp;○ unstable &nbsp;◐ semi-stable</span>") if title else ""

    def __init__(self, parent=None) -> None:
        super().__init__("", "x", "f(x) = x'", parent)
        self.set_short_label("left", "x'")
        self.axis_line = styled(pg.InfiniteLine(pos=0.0, angle=0, movable=False),
                                lambda ln: ln.setPen(style.pen(style.INK, STYLE.phase_axis_px)))
        self.curve = path_item(style.FIELD, STYLE.curve_px)
        self.trail = scatter_item(STYLE.dot_px * 0.8, style.DISCRETE, brush_alpha=0.45)
        self.flow = scatter_item(STYLE.flow_arrow_px, style.INK)
        self.eq_open = scatter_item(STYLE.equilibrium_px, style.BACKGROUND, (style.BLACK, 2.5), symbol="o")
        self.eq_fill = scatter_item(STYLE.equilibrium_px, style.BLACK, (style.BLACK, 2.5))
        self.velocity = path_item(style.DISCRETE, 2.0, style_=Qt.PenStyle.DashLine)
        self.on_curve = scatter_item(STYLE.dot_px + 2, style.DISCRETE, (style.BACKGROUND, 1.5))
        self.step_line = path_item(style.DISCRETE, 3.5)
        self.step_head = ArrowHeads(style.DISCRETE, size_px=STYLE.arrow_head_px + 3, inset_px=STYLE.dot_px * 0.4)
        self.current = scatter_item(STYLE.current_px + 6, style.CURRENT, (style.BLACK, 2.5))
        # equilibria above the current iterate: a converged iterate shows as an orange halo around
        # the equilibrium's symbol instead of hiding it
        items = (self.axis_line, self.curve, self.flow, self.trail, self.velocity, self.on_curve,
                 self.current, self.step_line, self.step_head, self.eq_open, self.eq_fill)
        for z, item in enumerate(items):
            item.setZValue(z)
            self.addItem(item, ignoreBounds=item is not self.curve)
        # the symbol key sits in the title line, where it never covers the curve
        self.set_title("Phase line")
        self.add_x0_marker()
        self.cache_static(self.curve, self.trail, self.flow, self.eq_open, self.eq_fill)
        self._x = np.empty(0)
        self._f = np.empty(0)
        self.current_index = 0
        self.stability: list[tuple[float, str]] = []   # what is drawn, for tests and tooltips
        self.result: SceneResult | None = None

    def show_result(self, r: SceneResult, index: int | None = None) -> None:
        self.result = r
        set_if_changed(self.curve, np.asarray(r.grid_x), np.asarray(r.grid_f), connect="finite")
        self._x, self._f = np.asarray(r.x), np.asarray(r.fx)
        xs = trail_positions(self._x[np.isfinite(self._x)])
        self.trail.setData(xs, np.zeros_like(xs))
        self._show_equilibria(r)
        self.set_x0(r.scene.x0)
        if getattr(r, "f_is_zero", False):
            self.set_message("f ≡ 0: every point is an equilibrium")
        else:
            self.set_message("")
        key = (r.scene.x_range, r.scene.text, r.scene.kind, r.scene.direction, r.scene.params)
        self.set_ranges_once(key, None, finite_span(r.grid_f, include_zero=True))
        self.show_index(len(self._x) - 1 if index is None else index)

    def _show_equilibria(self, r: SceneResult) -> None:
        a, b = r.scene.x_range
        eqs = [e for e in r.equilibria if np.isfinite(e.x)]
        span = b - a
        self.stability = [(float(e.x), enum_value(e.stability)) for e in eqs]
        open_x, fill_x, fill_symbols = [], [], []
        for x, kind in self.stability:
            if kind == "stable":
                fill_x.append(x)
                fill_symbols.append("o")
            elif kind == "unstable":
                open_x.append(x)
            else:   # semi-stable: fill the half the flow arrives from
                open_x.append(x)
                with np.errstate(all="ignore"):
                    left = np.interp(x - 0.01 * span, r.grid_x, r.grid_f)
                fill_x.append(x)
                fill_symbols.append(HALF_LEFT if left > 0 else HALF_RIGHT)
        set_if_changed(self.eq_open, np.array(open_x, dtype=float), np.zeros(len(open_x)))
        set_if_changed(self.eq_fill, np.array(fill_x, dtype=float), np.zeros(len(fill_x)), symbol=fill_symbols or "o")
        pos, direction = flow_arrows(np.asarray(r.grid_x), np.asarray(r.grid_f), [e.x for e in eqs],
                                     r.scene.x_range)
        if getattr(r, "f_is_zero", False):
            pos, direction = pos[:0], direction[:0]
        set_if_changed(self.flow, pos, np.zeros_like(pos),
                       symbol=["t2" if d > 0 else "t3" for d in direction] or "t2")
        self.flow_directions = list(zip(pos.tolist(), direction.tolist()))

    def show_index(self, n: int) -> None:
        """Move the current iterate along the axis and draw its Euler step to x_{n+1}."""
        if len(self._x) == 0:
            return
        n = max(0, min(n, len(self._x) - 1))
        x, fx = self._x[n], self._f[n]
        if np.isfinite(x):
            self.current.setData([x], [0.0])
        else:
            self.current.setData([], [])
        if np.isfinite(x) and np.isfinite(fx):
            self.velocity.setData([x, x], [0.0, fx])
            self.on_curve.setData([x], [fx])
        else:
            self.velocity.setData([], [])
            self.on_curve.setData([], [])
        if n + 1 < len(self._x) and np.isfinite(self._x[n + 1]) and np.isfinite(x):
            step = np.array([x, self._x[n + 1]])
            self.step_line.setData(step, [0.0, 0.0])
            self.step_head.set_data(step, np.zeros(2))
        else:
            self.step_line.setData([], [])
            self.step_head.set_data(np.empty(0), np.empty(0))
        self.current_index = n
