"""Names of points written in the margin above a plot, at the points' x, like extra tick labels.

The phase plane's rest points all lie on v = 0, where its orbits and separatrices cross: a name
written beside its point always lay on some of them (issue 13, item 14). Written above the plot
area instead, each name sits over a short tick at its point's x and covers nothing; neighbours
that would overprint go to a second row (with a thin guide down past the first), then all take
their short names, then the least important are left out. A point out of view has no name.

`name_rows` decides in pixels and knows nothing of Qt; `MarginNames` draws its answer."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem

from . import style
from .canvas import styled, text_item
from .style import STYLE

ROWS = 2           # rows of names above the plot: a third would take too much of a short plot
ROOMY_ROWS = 12    # a second row only above a plot this many rows tall: vertical room is scarcer
GAP_PX = 8         # between neighbouring names in a row, so that they never read as one
GUIDE_PX = 3       # half the width a guide claims in the rows it passes through
GUIDE_PEN_PX = 2.0 # ticks and guides: at 1.4 px (the axes') a tick between pixels looked grey
TICK_PX = 8        # the tick from the plot's edge up to the first row


@dataclass(frozen=True)
class MarginName:
    """A point's name: where it is (data x, and its y, which must be in view for a name), what it
    says in full and when room is short, and whether it is named before others."""
    x: float
    y: float
    text: str
    short: str
    first: bool = False
    tip: str = ""


@dataclass(frozen=True)
class Slot:
    """Where a name goes: its row (0 next to the plot), its box's left edge and width in pixels,
    and whether it says its short name."""
    row: int
    left: float
    width: float
    short: bool


def _clear(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[1] <= b[0] or b[1] <= a[0]


def _assign(centres: Sequence[float], widths: Sequence[float], order: Sequence[int], left: float,
            right: float, rows: int, short: bool) -> list[Slot | None]:
    """Greedy, in `order`: each name takes the lowest row where its box, padded by GAP_PX, overlaps
    no box and no guide already there, and its own guide crosses no box in the rows below."""
    boxes: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    guides: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    slots: list[Slot | None] = [None] * len(centres)
    for i in order:
        c, w = centres[i], widths[i]
        lo = min(max(c - w / 2, left), right - w) if w <= right - left else left
        box = (lo - GAP_PX / 2, lo + w + GAP_PX / 2)
        guide = (c - GUIDE_PX, c + GUIDE_PX)
        for row in range(rows):
            if not all(_clear(box, b) for b in boxes[row] + guides[row]):
                continue
            if not all(_clear(guide, b) for below in boxes[:row] for b in below):
                continue
            boxes[row].append(box)
            for below in guides[:row]:
                below.append(guide)
            slots[i] = Slot(row, lo, w, short)
            break
    return slots


def name_rows(centres: Sequence[float], full: Sequence[float], short: Sequence[float],
              first: Sequence[bool], left: float, right: float, rows: int = ROWS) -> list[Slot | None]:
    """Rows and places for names centred at `centres` (pixels, inside [left, right]) whose full and
    short names are `full` and `short` pixels wide, in at most `rows` rows: full names in as few
    rows as hold them all, else short ones; if even those do not all fit, the answer that leaves
    out (None) the fewest, the names not `first` before the others."""
    order = sorted(range(len(centres)), key=lambda i: (not first[i], i))
    tries = [(widths, n, brief) for widths, brief in ((full, False), (short, True)) for n in range(1, rows + 1)]
    answers = []
    for widths, n, brief in tries:
        slots = _assign(centres, widths, order, left, right, n, short=brief)
        if all(s is not None for s in slots):
            return slots
        answers.append(slots)
    return max(answers, key=lambda slots: sum(s is not None for s in slots))     # the first of equals


class MarginNames:
    """Names drawn above a plot item's view box at their points' x, with ticks and guides down to
    the plot's top edge. `lay_out(area)` places them and returns the height they take."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.names: list[MarginName] = []
        self.height = 0.0             # of the band laid out last
        self.items: list[pg.TextItem] = []
        self.guides = QGraphicsPathItem(plot)
        styled(self.guides, lambda g: g.setPen(style.pen(style.INK, GUIDE_PEN_PX)))
        self.guides.setZValue(10)

    def set_names(self, names: Sequence[MarginName]) -> None:
        self.names = list(names)
        while len(self.items) < len(self.names):
            item = text_item(style.INK, fill=0, anchor=(0.0, 1.0))
            item.setParentItem(self.plot)     # not the view: it clips what it holds to the plot
            item.setZValue(10)
            self.items.append(item)
        for item, name in zip(self.items, self.names):
            item.setToolTip(name.tip)

    def lay_out(self, area: QRectF | None) -> float:
        """Place the names above `area` (the view box in the plot item's coordinates); None hides
        them. Returns the height of the band they take above the plot (0 if none is shown)."""
        view = self.plot.vb
        for item in self.items:
            item.hide()
        self.guides.setPath(QPainterPath())
        if area is None or not self.names:
            self.height = 0.0
            return 0.0
        (x_lo, x_hi), (y_lo, y_hi) = view.viewRange()
        shown = [i for i, n in enumerate(self.names) if x_lo <= n.x <= x_hi and y_lo <= n.y <= y_hi]
        if not shown:
            self.height = 0.0
            return 0.0
        centres = [self.plot.mapFromScene(view.mapViewToScene(QPointF(self.names[i].x, 0.0))).x() for i in shown]
        full = [self._width(self.items[i], self.names[i].text) for i in shown]
        short = [self._width(self.items[i], self.names[i].short) for i in shown]
        tick = STYLE.px(TICK_PX)
        row_height = max(self.items[i].boundingRect().height() for i in shown)
        # Judged on the plot's height with this band's: a band that shrinks the plot must not decide
        # the next time that it has no room for itself (it would flip between one row and two).
        rows = ROWS if area.height() + self.height >= ROOMY_ROWS * row_height else 1
        slots = name_rows(centres, full, short, [self.names[i].first for i in shown], area.left(), area.right(),
                          rows)
        path = QPainterPath()
        used = 0
        for i, c, slot in zip(shown, centres, slots):
            if slot is None:
                continue
            item, name = self.items[i], self.names[i]
            item.setText(name.short if slot.short else name.text)
            bottom = area.top() - tick - slot.row * row_height
            item.setPos(QPointF(slot.left, bottom))
            item.show()
            path.moveTo(c, area.top())
            path.lineTo(c, bottom)
            used = max(used, slot.row + 1)
        self.guides.setPath(path)
        self.height = tick + used * row_height if used else 0.0
        return self.height

    @staticmethod
    def _width(item: pg.TextItem, text: str) -> float:
        item.setText(text)
        return item.boundingRect().width()
