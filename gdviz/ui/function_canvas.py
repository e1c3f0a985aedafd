"""Canvas 1: the objective F(x) with the iterates on the curve, the ball climbing (or rolling).

Dots joined by arrows are (x_n, F(x_n)); the part the animation has reached is drawn strong, the
rest faint; extrema of F carry their type. Clicking sets x0; the dashed x0 line can be dragged.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

from . import style
from .arrow_heads import ArrowHeads
from .canvas import (
    Canvas,
    LabelRoom,
    finite_span,
    path_item,
    relist_legend,
    scatter_item,
    set_if_changed,
    set_path,
    text_item,
)
from .style import STYLE

if TYPE_CHECKING:
    from ..model.results import SceneResult

CRITICAL_LABELS = {"local maximum": "local max", "local minimum": "local min", "neither": "no extremum"}
SHORT_LABELS = {"local maximum": "max", "local minimum": "min", "neither": "none"}   # where space is short


def modified_label(direction: str) -> str:
    """F̃'s legend entry: descent goes down F + (h/4)F′², ascent climbs F − (h/4)F′² (model/modified.py)."""
    return ("F̃ = F + (h/4)F′² (what descent minimises)" if direction == "descent"
            else "F̃ = F − (h/4)F′² (what ascent maximises)")


def enum_value(v: object) -> str:
    """The string of a str-valued Enum (or the string itself)."""
    return str(getattr(v, "value", v))


class FunctionCanvas(Canvas):
    """F(x) over the plotted range, iterates on the curve, extrema labelled."""

    def __init__(self, parent=None) -> None:
        super().__init__("Objective F(x)", "x", "F(x)", parent)
        self.curve = path_item(style.CONTINUOUS, STYLE.curve_px)
        # F̃, the objective Euler's iterates really climb or descend (issue 14 §1); off the auto range
        self.modified = path_item(style.MODIFIED, STYLE.curve_px, style_=Qt.PenStyle.DashLine)
        self.future = path_item(style.DISCRETE, STYLE.faint_px, alpha=0.3, dots=STYLE.dot_px * 0.8)
        self.done = path_item(style.DISCRETE, STYLE.path_px, dots=STYLE.dot_px)
        self.heads = ArrowHeads(style.DISCRETE, inset_px=STYLE.dot_px / 2 + 1)
        self.extrema = scatter_item(13, style.BACKGROUND, (style.INK, 2.2), symbol="d")
        self.current = scatter_item(STYLE.current_px + 4, style.CURRENT, (style.BLACK, 2.5))
        # extrema above the current iterate: arriving at a maximum shows as an orange halo around it
        for z, item in enumerate((self.curve, self.modified, self.future, self.done, self.heads, self.current,
                                  self.extrema)):
            item.setZValue(z)
            self.addItem(item, ignoreBounds=item is not self.curve)
        self.legend = self.add_legend((10, 10))       # F and F̃, only while F̃ is drawn
        self.legend.hide()
        self._labels: list[pg.TextItem] = []
        self.view.sigRangeChanged.connect(self._fit_labels)
        self.view.sigResized.connect(self._refit_y)
        self.view.sigResized.connect(self._fit_labels)
        self._F_span = (0.0, 1.0)
        self._auto_y: tuple[float, float] | None = None     # the y range last chosen, not zoomed
        self.add_x0_marker()
        self.cache_static(self.curve, self.modified, self.future, self.extrema)
        self._x = np.empty(0)
        self._y = np.empty(0)
        self.current_index = 0
        self.result: SceneResult | None = None

    def show_result(self, r: SceneResult, index: int | None = None) -> None:
        self.result = r
        self.set_title(f"F(x): gradient {r.scene.direction} "
                       + ("climbs uphill" if r.scene.direction == "ascent" else "rolls downhill"))
        set_if_changed(self.curve, np.asarray(r.grid_x), np.asarray(r.grid_F), connect="finite")
        self._show_modified(r)
        self._x, self._y = np.asarray(r.x), np.asarray(r.Fx)
        set_path(self.future, self._x, self._y, dots=1)
        self.heads.set_data(self._x, self._y)
        self._show_extrema(r)
        self.set_x0(r.scene.x0)
        self.set_message(f"Diverged at step {r.diverged_at}" if r.diverged_at >= 0 else "")
        key = (r.scene.x_range, r.scene.text, r.scene.kind, r.scene.direction, r.scene.params, STYLE.presentation)
        self._F_span = finite_span(r.grid_F, pad=0.0)
        if key != self._range_key:
            self._auto_y = self._y_range()
        self.set_ranges_once(key, r.scene.x_range, self._auto_y)
        self.show_index(len(self._x) - 1 if index is None else index)

    def _show_modified(self, r: SceneResult) -> None:
        """F̃ beside F when the result has it, named with F in the legend (hidden otherwise)."""
        values = np.asarray(getattr(r, "grid_F_modified", ()))
        shown = values.size > 0
        set_if_changed(self.modified, np.asarray(r.grid_x) if shown else np.empty(0), values, connect="finite")
        self.modified.setVisible(shown)
        texts = [] if not shown else ["F(x)", modified_label(r.scene.direction)]
        if texts != [label.text for _, label in self.legend.items]:
            relist_legend(self.legend, list(zip((self.curve, self.modified), texts, strict=False)))
        self.legend.setVisible(shown)

    def show_index(self, n: int) -> None:
        """Highlight iterate n; the path up to it is strong."""
        if len(self._x) == 0:
            return
        n = max(0, min(n, len(self._x) - 1))
        set_path(self.done, self._x[: n + 1], self._y[: n + 1], dots=1)
        self.heads.set_count(n + 1)
        x, y = self._x[n], self._y[n]
        if np.isfinite(x) and np.isfinite(y):
            self.current.setData([x], [y])
        else:
            self.current.setData([], [])
        self.current_index = n

    def _y_range(self) -> tuple[float, float]:
        """F's span with room above and below for an extremum's label: a share of the span (more
        for presentation mode's larger text), and at least a label's height in pixels (a short
        plot at 1280x720 had its "local max" on the curve for want of room above the maximum)."""
        lo, hi = self._F_span
        pad = 0.45 if STYLE.presentation else 0.25
        room = 1.3 * QFontMetricsF(style.font(STYLE.annotation_pt)).height() + STYLE.px(8)
        height = self.view.height()
        if height > 4 * room:
            pad = max(pad, room / (height - 2 * room))
        return (lo - pad * (hi - lo), hi + pad * (hi - lo))

    def _refit_y(self, *_: object) -> None:
        """On a resize, the room for the labels again, unless the user zoomed meanwhile."""
        if self._auto_y is None:
            return
        shown = self.view.viewRange()[1]
        if not np.allclose(shown, self._auto_y, rtol=1e-9, atol=1e-12 * max(1.0, *map(abs, shown))):
            return
        wanted = self._y_range()
        if not np.allclose(wanted, self._auto_y, rtol=1e-3):
            self._auto_y = wanted
            self.view.setYRange(*wanted, padding=0.0)

    def _show_extrema(self, r: SceneResult) -> None:
        eqs = [e for e in r.equilibria if np.isfinite(e.x)]
        xs = np.array([e.x for e in eqs], dtype=float)
        with np.errstate(all="ignore"):
            ys = np.interp(xs, r.grid_x, r.grid_F) if len(xs) else xs
        ok = np.isfinite(ys)
        set_if_changed(self.extrema, xs[ok], ys[ok])
        while len(self._labels) < len(eqs):
            label = text_item(style.INK, fill=0.75)
            label.setZValue(15)
            self.addItem(label, ignoreBounds=True)
            self._labels.append(label)
        sought = "local maximum" if r.scene.direction == "ascent" else "local minimum"
        for i, label in enumerate(self._labels):
            label._gdviz_kind = enum_value(eqs[i].critical) if i < len(eqs) and ok[i] else None
            label._gdviz_first = label._gdviz_kind == sought     # what the iterates head for
            if label._gdviz_kind is not None:
                label.setPos(xs[i], ys[i])
        self._fit_labels()

    def _fit_labels(self, *_: object) -> None:
        """A maximum's label above it, a minimum's below, unless that leaves the plot (large text
        on a short plot): then on the other side, inside the hump or the valley. Labels never
        overprint: the extrema the iterates seek are named first, the others where they fit, in
        short ("max") if the long name does not fit (a small plot, a projector's large text)."""
        vb = self.view
        top, bottom = vb.sceneBoundingRect().top(), vb.sceneBoundingRect().bottom()
        wanted = [label for label in self._labels if getattr(label, "_gdviz_kind", None) is not None]
        for label in self._labels:
            if label not in wanted:
                label.hide()
        room = LabelRoom()
        for label in sorted(wanted, key=lambda item: not item._gdviz_first):
            kind = label._gdviz_kind
            centre = vb.mapViewToScene(label.pos())
            placed = None                                     # above the point (True) or below it
            for text in (CRITICAL_LABELS.get(kind, kind), SHORT_LABELS.get(kind, kind)):
                if label.toPlainText() != text:
                    label.setText(text)
                rect = label.textItem.boundingRect()
                above = kind == "local maximum"
                need = rect.height() * 1.25                          # the anchors' 1.25 and -0.25
                if above and centre.y() - need < top <= centre.y():
                    above = False
                elif not above and centre.y() + need > bottom >= centre.y():
                    above = True
                y0 = centre.y() - need if above else centre.y() + rect.height() * 0.25
                if room.take(centre.x() - rect.width() / 2, centre.x() + rect.width() / 2, y0, y0 + rect.height()):
                    placed = above
                    break
            if placed is None:
                label.hide()
                continue
            above = placed
            anchor = (0.5, 1.25) if above else (0.5, -0.25)
            if tuple(label.anchor) != anchor:
                label.setAnchor(anchor)
            label.show()

    def extremum_labels(self) -> list[str]:
        """The visible type labels (for tests and the status bar)."""
        return [lbl.toPlainText() for lbl in self._labels if lbl.isVisible()]
