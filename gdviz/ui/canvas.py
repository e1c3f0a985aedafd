"""What the three canvases share: a white plot with large axis text, a corner message, clicks that
pick an x, and the draggable x0 marker. Subclasses create their items once and update them."""
from __future__ import annotations

import math
import types

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem

from . import style
from .style import STYLE

pg.setConfigOptions(antialias=True, background=style.BACKGROUND, foreground=style.INK)
# Items that do not move are cached as device pixmaps (see Canvas.cache_static). Qt keeps those in
# QPixmapCache, 10 MB by default: two plots' worth at 1600 px. Past that, caches evict each other
# and every frame repaints everything (the 2-D tab fell to ~10 fps). 256 MB holds every canvas.
PIXMAP_CACHE_KB = 256 * 1024

SYMBOLS_UP_TO = 2000         # beyond this many iterates dots are a smear: draw the polyline only
DRAWN_POINTS_UP_TO = 20_000  # beyond this a path is thinned for drawing (the arrays stay whole)


def axis_label_css() -> dict[str, str]:
    return {"font-size": f"{STYLE.pt(STYLE.label_pt):.0f}pt", "color": style.INK}


def finite_span(*arrays: np.ndarray, pad: float = 0.08, include_zero: bool = False) -> tuple[float, float]:
    """The range of the finite values, padded; a unit span around a constant."""
    values = [np.asarray(a, dtype=float).ravel() for a in arrays]
    values = [v[np.isfinite(v)] for v in values]
    values = [v for v in values if v.size]
    if not values:
        return (-1.0, 1.0)
    lo = min(float(v.min()) for v in values)
    hi = max(float(v.max()) for v in values)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if not hi > lo:
        return (lo - 1.0, hi + 1.0)
    span = hi - lo
    return (lo - pad * span, hi + pad * span)


def _narrow_update_min(label: pg.LabelItem) -> None:
    """LabelItem.updateMin, but with no minimum width: the text may be clipped, the layout is not."""
    bounds = label.itemRect()
    label.setMinimumWidth(0)
    label.setMinimumHeight(bounds.height())
    label._sizeHint = {
        Qt.SizeHint.MinimumSize: (0, bounds.height()),
        Qt.SizeHint.PreferredSize: (bounds.width(), bounds.height()),
        Qt.SizeHint.MaximumSize: (-1, -1),
        Qt.SizeHint.MinimumDescent: (0, 0),
    }
    label.updateGeometry()


class Grid(pg.GridItem):
    """Major and minor grid lines only, drawn without antialiasing (they are axis-parallel).

    pyqtgraph's default third level of lines and antialiased stroking made one grid repaint
    cost about 20 ms, paid whenever h changes the time axis."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.setTickSpacing(x=[None, None], y=[None, None])

    def paint(self, p, opt, widget) -> None:
        p.save()
        p.setRenderHint(p.RenderHint.Antialiasing, False)
        super().paint(p, opt, widget)
        p.restore()


class CornerText(pg.TextItem):
    """A text fixed to a corner of the plot area (parented to the ViewBox, not to the data)."""

    def __init__(self, view: pg.ViewBox, colour: str, corner: str = "top-left", margin: float = 8.0) -> None:
        anchor = {"top-left": (0, 0), "top-right": (1, 0), "bottom-left": (0, 1), "bottom-right": (1, 1)}[corner]
        super().__init__(anchor=anchor, color=colour, fill=pg.mkBrush(255, 255, 255, 215),
                         border=pg.mkPen(style.color(colour, 0.6), width=1))
        self._view = view
        self._corner = corner
        self._margin = margin
        self.setParentItem(view)
        self.setZValue(100)
        view.sigResized.connect(self._place)
        self._place()
        self.hide()

    def _place(self, *_: object) -> None:
        r = self._view.boundingRect()
        m = self._margin
        x = r.left() + m if "left" in self._corner else r.right() - m
        y = r.top() + m if "top" in self._corner else r.bottom() - m
        self.setPos(QPointF(x, y))

    def show_html(self, html: str) -> None:
        if html:
            self.setHtml(html)
            self.show()
        else:
            self.hide()


class Canvas(pg.PlotWidget):
    """A PlotWidget styled for a projector. `x_picked(x)` on a left click inside the plot area."""

    x_picked = Signal(float)
    x0_dragged = Signal(float)

    def __init__(self, title: str, x_label: str, y_label: str, parent=None) -> None:
        super().__init__(parent=parent, background=style.BACKGROUND)
        if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
            QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
        self.setAntialiasing(True)
        self._title = ""
        pi = self.getPlotItem()
        pi.hideButtons()                       # the tiny "A" button is unreadable on a projector
        # The grid is a separate, pixmap-cached item: drawn by the axes (showGrid) it was repainted
        # on every animation frame and halved the frame rate (31 against 90 fps measured).
        self.grid = Grid(pen=style.pen(style.INK, 1), textPen=None)
        self.grid.setZValue(-100)
        pi.addItem(self.grid, ignoreBounds=True)
        self.grid.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        tick_font = QFont()
        tick_font.setPointSizeF(STYLE.pt(STYLE.tick_pt))
        for name in ("left", "bottom"):
            axis = pi.getAxis(name)
            axis.setPen(style.pen(style.INK, STYLE.axis_px))
            axis.setTextPen(style.INK)
            axis.setStyle(tickFont=tick_font, tickTextOffset=6)
            axis.enableAutoSIPrefix(False)   # "F(x) (x0.001)" confuses; ticks show the numbers
        self.cache_static(pi.getAxis("left"), pi.getAxis("bottom"))   # they also draw the grid
        pi.setLabel("bottom", x_label, **axis_label_css())
        pi.setLabel("left", y_label, **axis_label_css())
        self.set_title(title)
        self.message = CornerText(pi.vb, style.ERROR, "top-left")
        self.scene().sigMouseClicked.connect(self._on_click)
        self._range_key: object = None
        self.x0_marker: pg.InfiniteLine | None = None

    def cache_static(self, *items) -> None:
        """Items that do not change while the animation runs are painted once into a pixmap and
        then blitted: an animation frame repaints only the moving iterate and the growing path."""
        for item in items:
            # a PlotDataItem paints nothing itself: its curve and scatter children do
            parts = (item.curve, item.scatter) if isinstance(item, pg.PlotDataItem) else (item,)
            for part in parts:
                part.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @property
    def view(self) -> pg.ViewBox:
        return self.getPlotItem().vb

    def set_title(self, title: str) -> None:
        if title != self._title:
            self._title = title
            pi = self.getPlotItem()
            pi.setTitle(title, size=f"{STYLE.pt(STYLE.title_pt):.0f}pt", color=style.INK)
            # A title wider than a narrow canvas is clipped at the edges rather than forcing the
            # plot wider than its widget (LabelItem makes its text width the minimum width).
            label = pi.titleLabel
            if not getattr(label, "_gdviz_narrow", False):
                label._gdviz_narrow = True
                label.updateMin = types.MethodType(_narrow_update_min, label)
            label.updateMin()

    def add_legend(self, offset: tuple[float, float]) -> pg.LegendItem:
        """A legend in the plot's corner given by `offset` (pyqtgraph's sign convention: negative =
        from the right/bottom), on a translucent white box, cached: its samples are paths, and
        repainting them every animation frame cost as much as the moving items."""
        legend = pg.LegendItem(offset=offset, labelTextSize=f"{STYLE.pt(STYLE.annotation_pt - 1):.0f}pt",
                               brush=pg.mkBrush(255, 255, 255, 215), pen=pg.mkPen(style.MUTED),
                               labelTextColor=style.INK, verSpacing=-4)
        legend.setParentItem(self.view)
        legend.setZValue(100)
        self.cache_static(legend)
        return legend

    def set_message(self, text: str) -> None:
        """A message on the canvas (e.g. divergence); empty hides it."""
        self.message.show_html(
            f'<span style="font-size:{STYLE.pt(STYLE.annotation_pt):.0f}pt; font-weight:600">{text}</span>'
            if text else "")

    def add_x0_marker(self) -> pg.InfiniteLine:
        """A dashed vertical line at x0, labelled; dragging it scrubs x0 live."""
        line = pg.InfiniteLine(
            angle=90, movable=True,
            pen=style.pen(style.MUTED, 2.0, style=Qt.PenStyle.DashLine),
            hoverPen=style.pen(style.INK, 3.0, style=Qt.PenStyle.DashLine),
            label="x₀", labelOpts={"position": 0.93, "color": style.INK, "movable": False,
                                   "fill": pg.mkBrush(255, 255, 255, 200)})
        line.label.setFont(style.font(STYLE.annotation_pt))
        line.setToolTip("x₀: drag to move the start, or click anywhere on the plot")
        line.setZValue(5)
        line.sigDragged.connect(lambda ln: self.x0_dragged.emit(float(ln.value())))
        self.addItem(line, ignoreBounds=True)
        self.x0_marker = line
        return line

    def set_x0(self, x0: float) -> None:
        if self.x0_marker is not None and not self.x0_marker.moving:
            self.x0_marker.setValue(x0)

    def set_ranges_once(self, key: object, x: tuple[float, float] | None, y: tuple[float, float] | None) -> None:
        """Set the visible range when `key` (what the picture depends on) changed; else keep the user's zoom."""
        if key == self._range_key:
            return
        self._range_key = key
        self.force_ranges(x, y)

    x_padding = 0.02

    def force_ranges(self, x: tuple[float, float] | None, y: tuple[float, float] | None) -> None:
        vb = self.view
        vb.disableAutoRange()
        if x is not None and all(map(math.isfinite, x)):
            vb.setXRange(*x, padding=self.x_padding)
        if y is not None and all(map(math.isfinite, y)):
            vb.setYRange(*y, padding=0.0)

    def reset_zoom(self) -> None:
        self._range_key = None

    def clicked_point(self, ev) -> QPointF | None:
        """Where a plain left click landed inside the plot area, in data coordinates (else None)."""
        if ev.button() != Qt.MouseButton.LeftButton or ev.double():
            return None
        vb = self.view
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return None
        return vb.mapSceneToView(ev.scenePos())

    def _on_click(self, ev) -> None:
        # Accepted or not: scatter items (flow arrows, dots on the axis) accept clicks on their
        # symbols, and a click on the phase line's axis is exactly where a student picks x0.
        p = self.clicked_point(ev)
        if p is None:
            return
        x = p.x()
        if math.isfinite(x):
            self.x_picked.emit(float(x))


def path_item(colour: str, width: float, alpha: float = 1.0, dots: float = 0.0,
              style_: Qt.PenStyle = Qt.PenStyle.SolidLine) -> pg.PlotDataItem:
    """A NaN-safe curve (optionally with dots) that is updated with setData, never recreated."""
    kw: dict = {}
    if dots:
        kw = dict(symbol="o", symbolSize=STYLE.px(dots), symbolBrush=style.color(colour, alpha),
                  symbolPen=pg.mkPen(style.color("#ffffff", alpha), width=1))
    return pg.PlotDataItem(pen=style.pen(colour, width, alpha, style_), connect="finite",
                           antialias=True, **kw)


def thin(x: np.ndarray, y: np.ndarray, limit: int = DRAWN_POINTS_UP_TO) -> tuple[np.ndarray, np.ndarray]:
    """At most about `limit` evenly strided points, always keeping the last (the current iterate).
    10^6 iterates on a few hundred pixels are a smear; drawing them all would stall the window."""
    n = len(x)
    if n <= limit:
        return x, y
    idx = np.arange(0, n, -(-n // limit))
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return x[idx], y[idx]


def set_path(item: pg.PlotDataItem, x: np.ndarray, y: np.ndarray, dots: float = 0.0) -> None:
    """setData that drops the dots when there are too many to see, and thins huge paths."""
    if dots:
        item.setSymbol("o" if len(x) <= SYMBOLS_UP_TO else None)
    item.setData(*thin(x, y), connect="finite")


def _key(value: object) -> object:
    if isinstance(value, np.ndarray):
        return (value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) if isinstance(v, (np.ndarray, list, tuple)) else
                     (v if isinstance(v, (str, int, float)) else id(v)) for v in value)
    return value


def set_if_changed(item, *args, **kwargs) -> bool:
    """item.setData(*args, **kwargs) unless it already shows exactly that: an unchanged item keeps
    its cached pixmap, so dragging h or x0 repaints only what moved. True if it was updated."""
    key = (_key(args), _key(tuple(sorted(kwargs.items(), key=lambda kv: kv[0]))))
    if getattr(item, "_gdviz_key", None) == key:
        return False
    item._gdviz_key = key
    item.setData(*args, **kwargs)
    return True


class LeftAxisGroup:
    """Left axes that share one width, sized to the widest tick label any of them shows now.

    F(x) and the phase line are stacked with linked x-ranges; their plot areas only line up (so
    one x sits above the same x) if their left axes are equally wide, whatever the tick labels
    ("0.15" or "4e+17") of each. pyqtgraph's own auto width only ever grows."""

    def __init__(self, *canvases: "Canvas") -> None:
        self.canvases = canvases
        self.width = 0
        for c in canvases:
            c.view.sigRangeChanged.connect(self.update)
            c.view.sigResized.connect(self.update)
        self.update()

    @staticmethod
    def needed(canvas: "Canvas") -> float:
        axis = canvas.getPlotItem().getAxis("left")
        lo, hi = canvas.view.viewRange()[1]
        size = max(canvas.view.height(), 50.0)
        fm = QFontMetricsF(axis.style["tickFont"] or axis.font())
        widest = 0.0
        for spacing, values in axis.tickValues(lo, hi, size):
            for text in axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing):
                widest = max(widest, fm.horizontalAdvance(text))
        label = axis.label.boundingRect().height() * 0.8 if axis.label.isVisible() else 0.0
        return widest + axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"]) + label + 6

    def update(self, *_: object) -> None:
        width = int(math.ceil(max(self.needed(c) for c in self.canvases)))
        if width != self.width:
            self.width = width
            for c in self.canvases:
                c.getPlotItem().getAxis("left").setWidth(width)