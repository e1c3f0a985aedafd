"""What the three canvases share: a white plot with large axis text, a corner message, clicks that
pick an x, and the draggable x0 marker. Subclasses create their items once and update them.

Restyling (presentation mode, themes): an item made by `styled` (and `path_item`, `scatter_item`,
`text_item`, `line_item`) keeps the function that styles it from STYLE; `Canvas.apply_style` runs
them all again, restyles the axes, title and legends, and redraws the last result. Items are never
recreated for a new look."""
from __future__ import annotations

import functools
import math
import types
import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QFont,
    QFontMetricsF,
    QImage,
    QKeySequence,
    QPen,
    QPixmapCache,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QGraphicsItem

from . import overlay_layout, style
from .grid import Grid
from .log_axis import space_log_labels
from .plain import ELLIPSIS, MESSAGE_LIMIT, escaped
from .rendering import render_image, vector_rendering
from .style import STYLE
from .view_box import ViewBox

pg.setConfigOptions(antialias=True, background=style.BACKGROUND, foreground=style.INK)
STYLE_ATTR = "_gdviz_style"   # on a graphics item: the function that styles it from STYLE
# Items that do not move are cached as device pixmaps (see Canvas.cache_static). Qt keeps those in
# QPixmapCache, 10 MB by default: two plots' worth at 1600 px. Past that, caches evict each other
# and every frame repaints everything (the 2-D tab fell to ~10 fps). 256 MB holds every canvas.
PIXMAP_CACHE_KB = 256 * 1024
COPY_SCALE = 2.0             # "Copy picture": pixels per screen pixel, as a 2x export for a projector
COPY_KEYS = "Ctrl+Shift+C"   # ...and its keys, on the plot with the focus (Ctrl+C is the text fields')
MAX_ABOVE_SHARE = 0.5        # legends go above a plot only if that leaves it most of its height
BACK_INSIDE_MARGIN = 1.15    # ...and come back inside only once it needs this much more than that
ABOVE_SLACK_PX = 4           # the row above a plot gives back fewer pixels than this only with all

SYMBOLS_UP_TO = 2000         # beyond this many iterates dots are a smear: draw the polyline only
DRAWN_POINTS_UP_TO = 20_000  # beyond this a path that turns back is thinned for drawing (see thin_path)
# A series is thinned by pyqtgraph to this many (least, greatest) pairs per pixel column. Its default,
# 5, zig-zags 10 points a pixel, which Qt strokes 3 times slower than the series unthinned (24
# against 7 ms for 5,000 points on 450 px); 1 keeps every pixel's extremes at 8 ms.
PEAK_BINS_PER_PIXEL = 1.0
_WIDTHS: dict[tuple[str, float], float] = {}   # (title html, font size) -> width it needs, px
MIN_TITLE_FACTOR = 0.6     # a title shrinks to this share of its size, then it is shortened with "…"


def _title_width(html: str, pt: float) -> float:
    """The plot width a title's HTML needs at `pt` points (its text and a 12 px margin), cached:
    resizes and restyles ask again for the same titles."""
    key = (html, round(pt, 2))
    if key not in _WIDTHS:
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setHtml(f'<span style="font-size:{pt:.1f}pt">{html}</span>')
        if len(_WIDTHS) > 1024:
            _WIDTHS.clear()
        _WIDTHS[key] = doc.idealWidth() + 12
    return _WIDTHS[key]


def axis_label_css() -> dict[str, str]:
    return {"font-size": f"{STYLE.pt(STYLE.label_pt):.0f}pt", "color": style.INK}


def label_length(text: str) -> float:
    """The length in pixels of an axis label saying `text` in STYLE's label font."""
    font = QFont()
    font.setPointSizeF(STYLE.pt(STYLE.label_pt))
    return QFontMetricsF(font).horizontalAdvance(text)


def styled(item, apply):
    """Style `item` now with `apply(item)`, and again whenever its canvas is restyled."""
    setattr(item, STYLE_ATTR, apply)
    apply(item)
    return item


def restyle_items(scene) -> None:
    """Run every styling function kept on the items of a QGraphicsScene."""
    for item in scene.items():
        apply = getattr(item, STYLE_ATTR, None)
        if apply is not None:
            apply(item)


DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
NO_CACHE = QGraphicsItem.CacheMode.NoCache


def cache_frame(*items: QGraphicsItem) -> None:
    """Cache the plot's frame (axes, legends) as device pixmaps. The frame lies inside the
    viewport, where Qt repaints a cached item whole whenever it changes (see drop_pixmap)."""
    for item in items:
        item.setCacheMode(DEVICE_CACHE)


def drop_pixmap(item: QGraphicsItem) -> None:
    """Throw away a device-cached item's pixmap: its next paint draws it whole.

    Needed on every change of a cached data item (issue 11). Qt's DeviceCoordinateCache, for an
    item over 1.2 times the viewport's width or height (orbits reaching past the plot, the cobweb's
    diagonal, any curve after a zoom in), keeps the old pixmap and repaints only the strip that
    the item's new bounds uncover, even after update(): a new result of another extent left the
    previous picture on screen until something else redrew it."""
    mode = item.cacheMode()
    if mode != NO_CACHE:
        item.setCacheMode(NO_CACHE)      # deletes the pixmaps
        item.setCacheMode(mode)


def _drop_changed_pixmap(item: QGraphicsItem) -> None:   # a plain function: a slot holding nothing
    drop_pixmap(item)


def _drop_pixmap_on_new_image(image: pg.ImageItem) -> None:
    ref = weakref.ref(image)        # weakly: the image's own signal must not keep it alive

    def dropped() -> None:
        if (alive := ref()) is not None:
            drop_pixmap(alive)
    image.sigImageChanged.connect(dropped)


def label_fill(alpha: float = 0.8) -> QBrush:
    """The translucent box behind text on a plot: the plot's background colour."""
    return style.brush(style.BACKGROUND, alpha)


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


class CornerText(pg.TextItem):
    """A text fixed to a corner of the plot area (parented to the ViewBox, not to the data)."""

    def __init__(self, view: pg.ViewBox, colour: str, corner: str = "top-left", margin: float = 8.0) -> None:
        anchor = {"top-left": (0, 0), "top-right": (1, 0), "bottom-left": (0, 1), "bottom-right": (1, 1)}[corner]
        super().__init__(anchor=anchor)
        self._view = view
        self.home = (float(anchor[0]), float(anchor[1]))   # where it goes when that covers no data
        self._frac = self.home
        self._margin = margin
        self._html = ""
        self.setParentItem(view)
        self.setZValue(100)
        styled(self, lambda item: item._restyle(colour))
        view.sigResized.connect(self._place)
        self._place()
        self.hide()

    def _restyle(self, colour: str) -> None:
        self.fill = label_fill(0.85)
        self.border = pg.mkPen(style.color(colour, 0.6), width=1)
        self.setColor(style.color(colour))
        self._place()

    outside = False

    def _place(self, *_: object) -> None:
        if self.outside:
            return
        r = self._view.boundingRect()
        m = self.margin
        fx, fy = self._frac
        x = r.left() + fx * r.width() + (m if fx == 0 else -m if fx == 1 else 0)
        y = r.top() + fy * r.height() + (m if fy == 0 else -m if fy == 1 else 0)
        self.setPos(QPointF(x, y))

    @property
    def margin(self) -> float:
        return STYLE.px(self._margin)

    def move_to(self, frac: tuple[float, float]) -> None:
        """Anchor the note at these fractions of the plot area (0 left/top, 1 right/bottom)."""
        self.outside = False
        if self.parentItem() is not self._view:
            self.setParentItem(self._view)
        self._frac = frac
        self.setAnchor(frac)
        self._place()

    def move_above(self, plot: QGraphicsItem, left: float, bottom: float) -> None:
        """Put the note above the plot area, its bottom-left corner at (left, bottom) of `plot` (the
        plot item: the view clips what it holds)."""
        self.outside = True
        if self.parentItem() is not plot:
            self.setParentItem(plot)
        self.setAnchor((0, 1))
        self.setPos(QPointF(left, bottom))

    def show_html(self, html: str) -> None:
        self._html = html
        if html:
            self.setHtml(html)
            self.show()
        else:
            self.hide()

    @property
    def html(self) -> str:
        return self._html


class Canvas(pg.PlotWidget):
    """A PlotWidget styled for a projector. `x_picked(x)` on a left click inside the plot area."""

    x_picked = Signal(float)
    x0_dragged = Signal(float)

    def __init__(self, title: str, x_label: str, y_label: str, parent=None) -> None:
        super().__init__(parent=parent, background=style.BACKGROUND, viewBox=ViewBox())
        if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
            QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
        self.setAntialiasing(True)
        self._title: tuple[str, str] = ("", "")
        self._title_text = ""
        self._message = ""
        self._axis_group: LeftAxisGroup | None = None
        pi = self.getPlotItem()
        pi.hideButtons()                       # the tiny "A" button is unreadable on a projector
        # The grid is an item of its own, drawn opaque and uncached (see grid.py): drawn by the
        # axes (showGrid) it was repainted with them and halved the frame rate (31 against 90 fps).
        self.grid = Grid(pen=style.pen(style.INK, 1), textPen=None)
        self.grid.setZValue(-100)
        pi.addItem(self.grid, ignoreBounds=True)
        for name in ("left", "bottom"):
            pi.getAxis(name).enableAutoSIPrefix(False)   # "F(x) (x0.001)" confuses; ticks show the numbers
        cache_frame(pi.getAxis("left"), pi.getAxis("bottom"))
        pi.setLabel("bottom", x_label)
        pi.setLabel("left", y_label)
        self._style_frame()
        self.set_title(title)
        self.message = CornerText(pi.vb, style.ERROR, "top-left")
        # The title shrinks (or grows back) to fit the plot's new width. Bound methods, never lambdas
        # holding the canvas: a lambda kept in the view's signal keeps the view, hence the canvas and
        # its menus, alive after the canvas is deleted.
        pi.vb.sigResized.connect(self._fit_title)
        self._legends: list[pg.LegendItem] = []
        self.scene().sigMouseClicked.connect(self._on_click)
        self._plot_menu()
        self._range_key: object = None
        self.x0_marker: pg.InfiniteLine | None = None

    def _plot_menu(self) -> None:
        """The right-click menu changes the view, never the picture. pyqtgraph's "Plot Options" (FFT,
        log, derivative, averaging and thinning of the curves) redrew what gdviz had not computed,
        and its "Export…" saved that in its own look: both are gone. In their place (the scene's
        own entries, shown under the view's) the picture as an export draws it, also on COPY_KEYS."""
        self.getPlotItem().setMenuEnabled(False, enableViewBoxMenu=None)
        copy = QAction("Copy picture", self)
        copy.setObjectName("copy-picture")
        copy.setStatusTip("Copy this plot as an image, sharp enough for a slide")
        copy.setShortcut(QKeySequence(COPY_KEYS))      # the plot with the keyboard focus
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_picture)
        self.addAction(copy)
        self.scene().contextMenu = [copy]

    def __init_subclass__(cls, **kw) -> None:
        """Every canvas's show_result is followed by place_overlays: the rule that legends, notes
        and labels never cover the data holds for each result of every canvas, present or future."""
        super().__init_subclass__(**kw)
        own = cls.__dict__.get("show_result")
        if own is not None and not getattr(own, "_gdviz_places", False):
            @functools.wraps(own)
            def show_result(self, *args, **kwargs):
                for legend in self._legends:          # a new result: the plot decides again
                    legend._gdviz_outside = False
                pi = self.getPlotItem()
                for note in (c for c in pi.childItems() if isinstance(c, CornerText)):
                    note.move_to(note.home)
                own(self, *args, **kwargs)
                self.place_overlays()
            show_result._gdviz_places = True
            cls.show_result = show_result

    def place_overlays(self, *_: object) -> None:
        """Put each legend and note where it covers the fewest plotted points (a corner, else the
        middle of an edge), then slide or turn each text label to where it covers no other label
        and the fewest points (see overlay_layout). Once per result and per resize of the plot."""
        vb = self.view
        if getattr(self, "_placing", False):
            return
        if vb.width() < 20 or vb.height() < 20:
            self._legends_inside()      # a plot squeezed by its legends' row gets the room back
            return
        if not getattr(self, "_places_on_resize", False):
            # connected on first use, after the subclass's own handlers: placement runs last
            self._places_on_resize = True
            vb.sigResized.connect(self.place_overlays)
            # A zoom or pan moves the data under the labels: placed again once the event loop is
            # idle (one placement for the many range signals of one change, none per frame).
            self._place_timer = QTimer(self)
            self._place_timer.setSingleShot(True)
            self._place_timer.setInterval(0)
            self._place_timer.timeout.connect(self._place_if_moved)
            vb.sigRangeChanged.connect(self._place_soon)
        self._placing = True
        try:
            self._place_overlays()
            self._placed_key = self._geometry_key()
        finally:
            self._placing = False

    def _place_soon(self, *_: object) -> None:
        self._place_timer.start()

    @property
    def overlays_settled(self) -> bool:
        """No placement pending: legends, notes and labels sit where the plot's present range and
        size put them. A resize or zoom places them again on an idle turn of the event loop, so an
        export or a test looking at them waits for this (exports._settle)."""
        if not getattr(self, "_places_on_resize", False):
            return True                       # never placed: nothing placed to go stale
        if self._place_timer.isActive():
            return False
        vb = self.view
        return vb.width() < 20 or vb.height() < 20 or self._geometry_key() == getattr(self, "_placed_key", None)

    def _geometry_key(self) -> tuple:
        vb = self.view
        return (tuple(map(tuple, vb.viewRange())), vb.width(), vb.height())

    def _place_if_moved(self) -> None:
        """Place again only if the range or size differs from the last placement's: a result
        placed its overlays already, and trying places again would cost the scene a second paint."""
        if self.__dict__.get("plotItem") is None:     # closed meanwhile (PlotWidget.close drops it)
            return
        if self._geometry_key() != getattr(self, "_placed_key", None):
            self.place_overlays()

    def _place_overlays(self) -> None:
        vb = self.view
        # The view applies a resize or a new range to its items at its next paint; measured before
        # that, labels sat where the old geometry put them. Applied now, placement sees the picture.
        vb.updateMatrix()
        area = vb.sceneBoundingRect()
        points = overlay_layout.data_points(vb)
        taken: list = []
        margin = STYLE.px(10)
        # labels first: a legend can always step out of the plot, a label stays by its line or point
        for item in vb.childGroup.childItems():
            if not item.isVisible():
                continue
            if isinstance(item, pg.InfiniteLine):
                item.viewTransformChanged()          # its cached extent follows the new geometry
                label = getattr(item, "label", None)
                if label is not None and label.isVisible() and label.textItem.toPlainText().strip():
                    overlay_layout.place_line_label(label, points, taken, area)
            elif isinstance(item, pg.TextItem) and item.textItem.toPlainText().strip():
                overlay_layout.place_point_label(item, points, taken, area)
        outside = []
        for legend in self._legends:
            if not (legend.isVisible() and legend.items):
                continue
            if (getattr(legend, "_gdviz_outside", False)
                    and legend.boundingRect().height()
                    > BACK_INSIDE_MARGIN * MAX_ABOVE_SHARE * (vb.height() + getattr(self, "_above", 0))):
                legend._gdviz_outside = False         # the plot has shrunk since: back inside it
            if not getattr(legend, "_gdviz_outside", False):
                if legend.parentItem() is not vb:
                    legend.setParentItem(vb)
                if legend.columnCount != 1:
                    legend.setColumnCount(1)
                covers = overlay_layout.place_legend(legend, area, points, taken, margin, legend._gdviz_home)
                drop_pixmap(legend)
                if covers == 0:
                    continue
                # No place on the plot is free: a row above it (kept until the next result, so
                # the room it takes, which shrinks the plot, does not send it back and forth) --
                # unless the rows would take most of a short plot: then the least covered place.
                fit_legend(legend)
                _fit_columns(legend, vb.width())
                if legend.boundingRect().height() > MAX_ABOVE_SHARE * vb.height():
                    legend.setColumnCount(1)
                    fit_legend(legend)
                    continue
                taken.pop()
                legend._gdviz_outside = True
            outside.append(legend)
        pi = self.getPlotItem()
        notes = [c for c in vb.childItems() + pi.childItems() if isinstance(c, CornerText) and c.isVisible()]
        for note in notes:
            size = note.boundingRect()
            if note.outside and size.height() <= BACK_INSIDE_MARGIN * MAX_ABOVE_SHARE * (
                    vb.height() + getattr(self, "_above", 0)):
                outside.append(note)                 # kept above until the next result
                continue
            order = [note.home] + [c for c in overlay_layout.CORNERS + overlay_layout.EDGES if c != note.home]
            frac, rect, covers = overlay_layout.best(
                order, lambda a, w=size.width(), h=size.height(): overlay_layout.box_rect(area, w, h, a, note.margin),
                points, taken, area)
            if covers > 0 and size.height() <= MAX_ABOVE_SHARE * vb.height():
                outside.append(note)                 # no free place on the plot: above it
                continue
            note.move_to(frac)
            taken.append(rect)
        self._place_above(outside)

    def _legends_inside(self) -> None:
        self.band_above(None)
        for note in (c for c in self.getPlotItem().childItems() if isinstance(c, CornerText)):
            note.move_to(note.home)
        for legend in self._legends:
            if getattr(legend, "_gdviz_outside", False):
                legend._gdviz_outside = False
                legend.setParentItem(self.view)
                legend.setColumnCount(1)
        self._reserve_above(0)

    def _place_above(self, items: list) -> None:
        """Legends (centred) and notes (at the left) in rows between the title and the plot. They
        belong to the plot item there: the view clips what it holds to the plot area."""
        pi = self.getPlotItem()
        geo = self.view.geometry()            # in the plot item's coordinates
        above = self.band_above(geo)
        for note in (i for i in items if isinstance(i, CornerText)):
            note.move_above(pi, geo.left(), geo.top() - above - 2)
            above += note.boundingRect().height() + 2
        for legend in (i for i in items if isinstance(i, pg.LegendItem)):
            if legend.parentItem() is not pi:
                legend.setParentItem(pi)
            legend.updateSize()
            size = legend.boundingRect()
            left = geo.left() + max(0.0, (geo.width() - size.width()) / 2)
            above += size.height() + 2
            legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(left, geo.top() - above))
            drop_pixmap(legend)
        self._reserve_above(above)

    def band_above(self, area: QRectF | None) -> float:
        """Lay out what the canvas writes right above its plot `area` (the view box in the plot
        item's coordinates; None: no room, hide it) and return its height: the legends and notes
        moved out of the plot go above it. The phase plane's rest-point names; nothing here."""
        return 0.0

    def _reserve_above(self, height: float) -> None:
        """Room between the title and the plot for legends moved out of it (the hidden top axis's row)."""
        height = math.ceil(height)
        above = getattr(self, "_above", 0)
        # Grown at once, given back only when it is more than a few pixels (or all of it): a legend
        # sized to the plot took a pixel less above a plot a pixel taller, which took a pixel
        # more... the momentum tab's energy plot repainted for ever at 1024x768 (the window froze).
        if height > above or (height < above - ABOVE_SLACK_PX) or (height == 0 and above):
            self._above = height
            self.getPlotItem().layout.setRowMinimumHeight(1, height)

    def _fit_title(self, *_: object) -> None:
        if self._title_text:
            self.set_title(self._title_text)
        self._fit_axis_labels()

    def set_short_label(self, axis: str, short: str) -> None:
        """What the `axis` ("left" or "bottom") says when its label does not fit along the plot: a
        short phase line on a 720p projector clipped "f(x) = x'" to "'(x) = x'"; "x'" fits."""
        full = self.getPlotItem().getAxis(axis).labelText
        self._short_labels = {**getattr(self, "_short_labels", {}), axis: (full, short)}
        self._fit_axis_labels()

    def _fit_axis_labels(self) -> None:
        labels = getattr(self, "_short_labels", None)
        if not labels:
            return
        pi = self.getPlotItem()
        for name, (full, short) in labels.items():
            room = self.view.height() if name == "left" else self.view.width()
            text = full if room < 20 or label_length(full) + 8 <= room else short
            axis = pi.getAxis(name)
            if axis.labelText != text:
                axis.setLabel(text, **axis_label_css())
                # pyqtgraph places a label only when its axis is resized: the short label sat where
                # the long one had started (on a 720p projector, at the phase line's bottom, cut).
                axis.resizeEvent()

    def _fit_legends(self, *_: object) -> None:
        for legend in self._legends:
            fit_legend(legend)

    def _style_frame(self) -> None:
        """Background, grid, axes and their labels from STYLE."""
        self.setBackground(style.BACKGROUND)
        self.grid.setPen(style.pen(style.INK, 1, scaled=False))
        tick_font = QFont()
        tick_font.setPointSizeF(STYLE.pt(STYLE.tick_pt))
        pi = self.getPlotItem()
        for name in ("left", "bottom"):
            axis = pi.getAxis(name)
            axis.setPen(style.pen(style.INK, STYLE.axis_px))
            axis.setTextPen(style.INK)
            axis.setStyle(tickFont=tick_font, tickTextOffset=max(6, round(STYLE.px(6))))
            # The tick text's room is measured again with the new font: pyqtgraph only gives back
            # room it no longer needs when that is over 10 px, so leaving presentation mode kept
            # the axes a few pixels too large (the plot smaller than before).
            axis.textWidth = axis.textHeight = 0
            axis.setLabel(axis.labelText, units=axis.labelUnits or None, **axis_label_css())
            axis.resizeEvent()          # the label in its new font, placed again (see _fit_axis_labels)

    def apply_style(self) -> None:
        """Restyle everything from STYLE (a new look): frame, title, message, every styled item, then
        redraw the last result (per-point colours and texts are made while drawing)."""
        self._style_frame()
        self.set_title(self._title_text, force=True)
        self._fit_axis_labels()
        restyle_items(self.scene())
        self.set_message(self._message)
        self.redraw()
        if self._axis_group is not None:
            self._axis_group.update()
        for item in self.scene().items():    # new pens and fonts: cached pixmaps are drawn again
            drop_pixmap(item)
            item.update()

    def redraw(self) -> None:
        """Draw the last result again (after a restyle). Canvases keep it as `result`."""
        result = getattr(self, "result", None)
        if result is not None:
            index = getattr(self, "current_index", None)
            self.show_result(result, index)

    def cache_static(self, *items) -> None:
        """Items that do not change while the animation runs are painted once into a pixmap and
        then blitted: an animation frame repaints only the moving iterate and the growing path.
        Each item drops its pixmap whenever it gets new data (see drop_pixmap); only items that
        say so (curves, scatters, images) can be cached."""
        for item in items:
            # a PlotDataItem paints nothing itself: its curve and scatter children do
            parts = (item.curve, item.scatter) if isinstance(item, pg.PlotDataItem) else (item,)
            for part in parts:
                if isinstance(part, (pg.PlotCurveItem, pg.ScatterPlotItem)):
                    if not getattr(part, "_gdviz_drops_pixmap", False):
                        part.sigPlotChanged.connect(_drop_changed_pixmap)
                elif isinstance(part, pg.ImageItem):
                    if not getattr(part, "_gdviz_drops_pixmap", False):
                        _drop_pixmap_on_new_image(part)
                else:
                    raise TypeError(f"{type(part).__name__} does not say when it changes: do not cache it")
                part._gdviz_drops_pixmap = True
                part.setCacheMode(DEVICE_CACHE)

    @property
    def view(self) -> pg.ViewBox:
        return self.getPlotItem().vb

    def title_html(self, title: str) -> str:
        """What the title line shows for `title` (escaped already; a subclass may add a key, sized by
        `title_factor`)."""
        return title

    title_factor = 1.0      # < 1 while the title is shrunk to fit the canvas's width

    def _fit_factor(self, html: str) -> float:
        """How much smaller than STYLE's title size the title must be to fit across the plot (large
        text in presentation mode on a narrow canvas); at least MIN_TITLE_FACTOR, below that it is
        shortened (_fitted_title)."""
        width = self.view.width()        # the title spans the plot area, not the axes
        if width < 100:
            return 1.0
        need = _title_width(html, STYLE.pt(STYLE.title_pt))
        return 1.0 if need <= width else max(MIN_TITLE_FACTOR, math.floor(20 * width / need) / 20)

    def _fitted_title(self, title: str) -> str:
        """`title`, or its longest beginning that fits the plot's width at the smallest title size,
        ending in "…": two loss and sharpness plots side by side on a projector cut each other's
        titles mid-word ("Loss against iteration (F* =", "rpness against iteration")."""
        width = self.view.width()
        pt = STYLE.pt(STYLE.title_pt) * MIN_TITLE_FACTOR
        if width < 100 or _title_width(self.title_html(escaped(title)), pt) <= width:
            return title
        lo, hi = 0, len(title)
        while lo < hi:                     # the longest prefix whose elided title fits
            mid = (lo + hi + 1) // 2
            if _title_width(self.title_html(escaped(title[:mid].rstrip() + ELLIPSIS)), pt) <= width:
                lo = mid
            else:
                hi = mid - 1
        return title[:lo].rstrip() + ELLIPSIS

    def set_title(self, title: str, force: bool = False) -> None:
        """`title` is plain text (it may quote the user's equation): escaped here, then dressed by
        `title_html`. pyqtgraph draws titles as HTML. Shrunk, then shortened with "…", to fit."""
        self._title_text = title
        self.title_factor = 1.0
        self.title_factor = self._fit_factor(self.title_html(escaped(title)))
        if self.title_factor <= MIN_TITLE_FACTOR:
            title = self._fitted_title(title)
        html = self.title_html(escaped(title))
        size = f"{STYLE.pt(STYLE.title_pt) * self.title_factor:.1f}pt"
        if (html, size) != self._title or force:
            self._title = (html, size)
            pi = self.getPlotItem()
            pi.setTitle(html, size=size, color=style.INK)
            # pyqtgraph fixes the title's row at 30 px: presentation mode's larger title needs more
            height = max(30, math.ceil(pi.titleLabel.itemRect().height()))
            pi.titleLabel.setMaximumHeight(height)
            pi.layout.setRowFixedHeight(0, height)
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
        legend = pg.LegendItem(offset=offset, verSpacing=-4)
        legend.setParentItem(self.view)
        legend.setZValue(100)
        legend._gdviz_view = self.view
        legend._gdviz_home = tuple(1.0 if o <= 0 else 0.0 for o in offset)   # its corner when free
        styled(legend, _style_legend)
        cache_frame(legend)
        if not self._legends:
            self.view.sigResized.connect(self._fit_legends)
        self._legends.append(legend)
        return legend

    def set_message(self, text: str) -> None:
        """A message on the canvas (e.g. divergence, an error quoting the equation), plain text;
        empty hides it."""
        self._message = text
        self.message.show_html(
            f'<span style="font-size:{STYLE.pt(STYLE.annotation_pt):.0f}pt; font-weight:600">'
            f'{escaped(text, MESSAGE_LIMIT)}</span>' if text else "")

    def add_x0_marker(self) -> pg.InfiniteLine:
        """A dashed vertical line at x0, labelled; dragging it scrubs x0 live."""
        line = line_item(style.MUTED, 2.0, dash=True, hover=(style.INK, 3.0), movable=True, label="x₀",
                         position=0.93, label_colour=style.INK)
        line.setToolTip("x₀: drag to move the start, or click anywhere on the plot")
        line.setZValue(5)
        line.sigDragged.connect(self._x0_moved)
        self.addItem(line, ignoreBounds=True)
        self.x0_marker = line
        return line

    def _x0_moved(self, line: pg.InfiniteLine) -> None:
        self.x0_dragged.emit(float(line.value()))

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
        # pyqtgraph applies a new range to the items at the start of the next paint, which dirties
        # them all again: every new range was painted twice (the heavy scene's x(t) plot, whose
        # range follows h: 2 full paints a result). Applied now, the one paint has it.
        vb.updateMatrix()

    def set_log_axes(self, x: bool, y: bool) -> None:
        """Log scale on x and/or y, with tick labels that never overprint (see log_axis)."""
        self.setLogMode(x, y)
        for name, on in (("bottom", x), ("left", y)):
            if on:
                space_log_labels(self.getPlotItem().getAxis(name))

    def copy_picture(self) -> QImage:
        """Put the plot on the clipboard as an image, rendered as File > Export renders (no pixmap
        cache pasted in) at COPY_SCALE, so it stays sharp on a projector. Returns the image."""
        with vector_rendering(self, COPY_SCALE):
            image = render_image(self, (self.width(), self.height()), COPY_SCALE)
        QApplication.clipboard().setImage(image)
        return image

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
              style_: Qt.PenStyle = Qt.PenStyle.SolidLine, scaled: bool = True,
              series: bool = False) -> pg.PlotDataItem:
    """A NaN-safe curve (optionally with dots of `dots` px) that is updated with setData, never
    recreated; restyled with its canvas. `scaled` False keeps a thin width in every look.
    `series`: x never decreases (against t or n), so set_path lets pyqtgraph thin it."""
    item = pg.PlotDataItem(connect="finite", antialias=True, symbol="o" if dots else None)
    item._gdviz_series = series
    return styled(item, lambda it: _style_path(it, colour, width, alpha, dots, style_, scaled))


def _style_path(item: pg.PlotDataItem, colour: str, width: float, alpha: float, dots: float,
                style_: Qt.PenStyle, scaled: bool) -> None:
    item.setPen(_joined(style.pen(colour, width, alpha, style_, scaled=scaled),
                        getattr(item, "_gdviz_dense", False)))
    if dots:
        item.setSymbolSize(STYLE.px(dots))
        item.setSymbolBrush(style.color(colour, alpha))
        item.setSymbolPen(pg.mkPen(style.color(style.BACKGROUND, alpha), width=1))


def scatter_item(size: float, brush: str | None = None, pen: tuple[str, float] | None = None,
                 brush_alpha: float = 1.0, **kw) -> pg.ScatterPlotItem:
    """Symbols of `size` px (at scale 1) filled with `brush` and outlined with `pen` = (colour,
    width); per-point brushes given to setData win over `brush` (redrawn after a restyle)."""
    item = pg.ScatterPlotItem(**kw)

    def apply(it: pg.ScatterPlotItem) -> None:
        it.setSize(STYLE.px(size))
        it.setBrush(style.brush(brush, brush_alpha) if brush is not None else pg.mkBrush(None))
        it.setPen(style.pen(*pen) if pen is not None else pg.mkPen(None))
    return styled(item, apply)


def curve_item(colour: str, width: float, alpha: float = 1.0, scaled: bool = True, **kw) -> pg.PlotCurveItem:
    """A PlotCurveItem (segments, many curves in one) restyled with its canvas."""
    item = pg.PlotCurveItem(antialias=True, **kw)
    return styled(item, lambda it: it.setPen(style.pen(colour, width, alpha, scaled=scaled)))


class LabelRoom:
    """The boxes (left, right, top, bottom, in scene pixels) the labels placed so far cover. Labels
    are placed in order of importance, each only where it overlaps none before it, so the names of
    neighbouring points never overprint (F's extrema, the phase plane's rest points)."""

    def __init__(self) -> None:
        self._taken: list[tuple[float, float, float, float]] = []

    def take(self, left: float, right: float, top: float, bottom: float) -> bool:
        """Claim the box if it overlaps no box claimed before; True if it did."""
        if any(left < r and right > l and top < b and bottom > t for l, r, t, b in self._taken):
            return False
        self._taken.append((left, right, top, bottom))
        return True


def text_item(colour: str, points: float | None = None, fill: float = 0.8, bold: bool = False,
              **kw) -> pg.TextItem:
    """Text on a plot over a translucent box of the background colour, restyled with its canvas."""
    item = pg.TextItem(**kw)

    def apply(it: pg.TextItem) -> None:
        it.fill = label_fill(fill) if fill else pg.mkBrush(None)
        it.setColor(style.color(colour))
        it.setFont(style.font(STYLE.annotation_pt if points is None else points, bold=bold))
    return styled(item, apply)


def line_item(colour: str, width: float, dash: bool = False, angle: float = 90, movable: bool = False,
              hover: tuple[str, float] | None = None, label: str | None = None, position: float = 0.95,
              label_colour: str | None = None, label_pt: float | None = None, bold: bool = False,
              fill: float = 0.8, anchors=None, **kw) -> pg.InfiniteLine:
    """An InfiniteLine (optionally labelled) whose pens, label font and box follow the look."""
    opts: dict = {"position": position, "movable": False}
    if anchors is not None:
        opts["anchors"] = anchors
    line = pg.InfiniteLine(angle=angle, movable=movable, label=label,
                           labelOpts=opts if label is not None else None, **kw)
    pen_style = Qt.PenStyle.DashLine if dash else Qt.PenStyle.SolidLine

    def apply(ln: pg.InfiniteLine) -> None:
        ln.setPen(style.pen(colour, width, style=pen_style))
        if hover is not None:
            ln.setHoverPen(style.pen(hover[0], hover[1], style=pen_style))
        if getattr(ln, "label", None) is not None:
            ln.label.fill = label_fill(fill)
            ln.label.setColor(style.color(label_colour or colour))
            ln.label.setFont(style.font(STYLE.annotation_pt if label_pt is None else label_pt, bold=bold))
            ln.label.update()
    return styled(line, apply)


def _style_legend(legend: pg.LegendItem) -> None:
    legend.setBrush(label_fill(0.85))
    legend.setPen(style.pen(style.MUTED, 1, scaled=False))
    legend.opts["labelTextColor"] = style.color(style.INK)
    legend.opts["labelTextSize"] = ""            # fit_legend sets the size (and the labels)
    fit_legend(legend)


def _columns_width(legend: pg.LegendItem, entries: list[float], columns: int) -> float:
    """The width of the legend with `entries` in `columns`: each column as wide as its widest
    entry (whichever way the grid fills), plus the spacing between them and the margins. Summing
    one row's entries alone clipped the error plot's legend at the canvas's right edge."""
    rows = math.ceil(len(entries) / columns)
    by_row = [max(entries[r * columns + c] for r in range(rows) if r * columns + c < len(entries))
              for c in range(columns)]
    by_column = [max(entries[c * rows:(c + 1) * rows]) for c in range(columns) if entries[c * rows:(c + 1) * rows]]
    lay = legend.layout
    left, top, right, bottom = lay.getContentsMargins()
    return max(sum(by_row), sum(by_column)) + (columns - 1) * lay.horizontalSpacing() + left + right + 4


def _fit_columns(legend: pg.LegendItem, width: float) -> None:
    """As many of the legend's entries side by side as fit in `width` (a row above the plot),
    measured from each entry's natural width (the layout had stretched them to one column's)."""
    preferred = Qt.SizeHint.PreferredSize
    entries = [sample.effectiveSizeHint(preferred).width() + label.effectiveSizeHint(preferred).width() + 8
               for sample, label in legend.items]
    columns = max(1, len(entries))
    while columns > 1 and _columns_width(legend, entries, columns) > width:
        columns -= 1
    for sample, label in legend.items:
        label.resize(label.effectiveSizeHint(preferred))
    legend.setColumnCount(columns)
    legend.layout.invalidate()
    legend.updateSize()


def fit_legend(legend: pg.LegendItem) -> None:
    """The legend's text at STYLE's size, or smaller (down to 0.6 of it) where it would not fit in the
    plot (large text in presentation mode on a small canvas). Call it after
    adding items; a resize of the plot calls it."""
    full = STYLE.pt(STYLE.annotation_pt - 1)
    factor = 1.0
    view = getattr(legend, "_gdviz_view", None)
    if view is not None and view.width() > 100 and legend.items:
        f = QFont()
        f.setPointSizeF(full)
        fm = QFontMetricsF(f)
        widest = max(fm.horizontalAdvance(label.text) for _, label in legend.items) + 40   # sample, margins
        tallest = len(legend.items) * (fm.lineSpacing() + 2) + 12
        fits = min(0.92 * view.width() / widest, 0.92 * view.height() / tallest)
        if fits < 1:
            factor = max(0.6, math.floor(20 * fits) / 20)
    size = f"{full * factor:.1f}pt"
    colour = style.css_colour(style.INK)
    if legend.opts["labelTextSize"] == size and all(label.opts.get("color") == colour for _, label in legend.items):
        return
    legend.opts["labelTextSize"] = size
    for _, label in legend.items:
        label.setText(label.text, size=size, color=colour)
        # pyqtgraph sizes a legend from its labels' current sizes and its labels from the legend's:
        # it grows, never shrinks. Smaller text (leaving presentation mode) sets them explicitly.
        label.resize(label.effectiveSizeHint(Qt.SizeHint.PreferredSize))
    legend.layout.invalidate()
    legend.updateSize()


def relist_legend(legend: pg.LegendItem, entries: list[tuple[QGraphicsItem, str]]) -> None:
    """Show exactly `entries` (item, text) in `legend`, its box shrunk to them: pyqtgraph only ever
    grows a legend, so a removed long entry left its width behind (a stale picture)."""
    legend.clear()
    for item, text in entries:
        legend.addItem(item, text)
    fit_legend(legend)
    for _, label in legend.items:
        label.resize(label.effectiveSizeHint(Qt.SizeHint.PreferredSize))
    legend.layout.invalidate()
    legend.updateSize()


def thin_path(x: np.ndarray, y: np.ndarray, limit: int = DRAWN_POINTS_UP_TO) -> tuple[np.ndarray, np.ndarray]:
    """At most about `limit` points of the path through (x, y), in their order, whatever its shape.

    The path is cut into runs of consecutive points; each run keeps its first and last points,
    those where x and where y are least and greatest, and its first gap (NaN). A spike of one
    sample is an extreme of its run and stays; so does the last point (the current iterate).
    pyqtgraph's own thinning reads x as evenly spaced time: on a path that turns back (iterates on
    F(x), the cobweb, the phase plane) it draws points off the path."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if n <= limit:
        return x, y
    k = -(-7 * n // limit)                    # points per run, seven of which are kept
    runs = n // k
    body_x, body_y = x[: runs * k].reshape(runs, k), y[: runs * k].reshape(runs, k)
    gap = ~(np.isfinite(body_x) & np.isfinite(body_y))
    picks = [np.zeros(runs, dtype=np.intp), np.full(runs, k - 1, dtype=np.intp),
             np.where(gap.any(axis=1), gap.argmax(axis=1), 0)]
    for body in (body_x, body_y):
        picks.append(np.where(gap, np.inf, body).argmin(axis=1))
        picks.append(np.where(gap, -np.inf, body).argmax(axis=1))
    index = (np.sort(np.stack(picks, axis=1), axis=1) + (k * np.arange(runs))[:, None]).ravel()
    index = np.concatenate([index[np.concatenate([[True], np.diff(index) != 0])], np.arange(runs * k, n)])
    return x[index], y[index]


def _joined(pen: QPen, dense: bool) -> QPen:
    """The pen with round joins, or bevel joins for a dense path (see set_path)."""
    pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin if dense else Qt.PenJoinStyle.RoundJoin)
    return pen


def _fit_joins(item: pg.PlotDataItem, n_points: int) -> None:
    """Past SYMBOLS_UP_TO points a path's segments are mostly under a pixel long, where a round
    join cannot be told from a bevel one, yet Qt strokes a 2 px antialiased path with round joins
    about 3 times slower (measured: the heavy scene's 5,001 iterates, 5.9 against 1.7 ms a paint)."""
    dense = n_points > SYMBOLS_UP_TO
    if dense != getattr(item, "_gdviz_dense", False):
        item._gdviz_dense = dense
        item.setPen(_joined(QPen(item.opts["pen"]), dense))


def set_path(item: pg.PlotDataItem, x: np.ndarray, y: np.ndarray, dots: float = 0.0) -> None:
    """setData that drops the dots when there are too many to see, and thins long paths for drawing
    (the arrays stay whole): a series (path_item(series=True)) by pyqtgraph, to the pixels of the
    visible x-range with each pixel's least and greatest y ('peak'); any other path by thin_path.
    A dense path is stroked with bevel joins (see _fit_joins)."""
    if dots:
        item.setSymbol("o" if len(x) <= SYMBOLS_UP_TO else None)
    _fit_joins(item, len(x))
    if getattr(item, "_gdviz_series", False):
        # Set here, not when the item is made: PlotItem.addItem overwrites both with its own
        # settings, and clipping before the item is in a ViewBox raises.
        if not item.opts["autoDownsample"] or item.opts["downsampleMethod"] != "peak":
            item.setDownsampling(auto=True, method="peak")
        if not item.opts["clipToView"]:
            item.setClipToView(True)
        item.setData(x, y, connect="finite", autoDownsampleFactor=PEAK_BINS_PER_PIXEL)
    else:
        item.setData(*thin_path(x, y), connect="finite")


_PLAIN = (str, int, float, bool, type(None))


def _plain(value: object) -> bool:
    """Compared by value safely: plain numbers and text, and tuples and lists of them."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN)


def set_if_changed(item, *arrays: np.ndarray, **options) -> bool:
    """item.setData(*arrays, **options) unless the item shows exactly these values already: a new
    result that leaves a cached curve as it was (F(x) when h changes) keeps its pixmap instead of
    painting it again. Arrays are compared by value (NaN equal to NaN), options only when they are
    plain values: a brush or a symbol path always sets again. Feed such an item only through here.
    True if it was set."""
    arrays = tuple(np.asarray(a) for a in arrays)
    plain = all(_plain(v) for v in options.values())
    last = getattr(item, "_gdviz_shown", None)
    if (last is not None and plain and last[1] == options and len(last[0]) == len(arrays)
            and all(a.shape == b.shape and a.dtype == b.dtype
                    and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
                    for a, b in zip(arrays, last[0]))):
        return False
    item.setData(*arrays, **options)
    item._gdviz_shown = (arrays, options) if plain else None
    return True


class LeftAxisGroup:
    """Left axes that share one width, sized to the widest tick label any of them shows now; with
    `share_x`, plots that also show one x-range, value for value.

    F(x) and the phase line are stacked with one x; their plot areas only line up (so one x sits
    above the same x) if their left axes are equally wide, whatever the tick labels ("0.15" or
    "4e+17") of each. pyqtgraph's own auto width only ever grows.

    The x-range is shared here rather than by pyqtgraph's link (ViewBox.setXLink), which lines views
    up by where they stand on screen: the range it hands over depends on both plots' geometry at
    that moment. A result that set one plot's range while the other was still being laid out left
    both on a shifted range for good (the lab's diagram and exponent from 0.422 instead of 0.45 in
    about 1 export of 50). Equal widths make equal ranges line up, at any moment."""

    def __init__(self, *canvases: Canvas, share_x: bool = False) -> None:
        self.canvases = canvases
        self.width = 0
        self._sharing = False
        for c in canvases:
            c._axis_group = self             # a restyle (larger tick font) measures again
            c.view.sigRangeChanged.connect(self.update)
            c.view.sigResized.connect(self.update)
        if share_x and len(canvases) > 1:
            self._share_x(canvases[0].view, canvases[0].view.viewRange()[0])
            for c in canvases:
                c.view.sigXRangeChanged.connect(self._share_x)
        self.update()

    def _share_x(self, source: pg.ViewBox, x_range: object) -> None:
        """Every other plot of the group shows `source`'s x-range now (its auto-range off, as a
        pan by the user turns it off)."""
        if self._sharing:
            return
        self._sharing = True
        try:
            lo, hi = x_range
            for c in self.canvases:
                if c.view is not source and c.view.viewRange()[0] != [lo, hi]:
                    c.view.setXRange(lo, hi, padding=0.0)
                    c.view.updateMatrix()      # applied now, painted once (see Canvas.force_ranges)
        finally:
            self._sharing = False

    @staticmethod
    def needed(canvas: Canvas) -> float:
        axis = canvas.getPlotItem().getAxis("left")
        lo, hi = canvas.view.viewRange()[1]
        size = max(canvas.view.height(), 50.0)
        font = axis.style["tickFont"] or axis.font()
        label = axis.label.boundingRect().height() * 0.8 if axis.label.isVisible() else 0.0
        # Everything the tick labels' width depends on. While a window is laid out the views are
        # resized and their linked ranges moved again and again (30 calls before the first paint,
        # most with the same key): measuring the labels is the costly part, about 0.4 ms.
        key = (lo, hi, size, font.key(), axis.autoSIPrefixScale * axis.scale, axis.logMode,
               axis._tickSpacing, axis._tickDensity, id(axis._tickLevels), axis.style["maxTickLevel"])
        memo = getattr(axis, "_gdviz_widest", None)
        if memo is not None and memo[0] == key:
            widest = memo[1]
        else:
            fm = QFontMetricsF(font)
            widest = 0.0
            for spacing, values in axis.tickValues(lo, hi, size):
                for text in axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing):
                    widest = max(widest, fm.horizontalAdvance(text))
            axis._gdviz_widest = (key, widest)
        return widest + axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"]) + label + 6

    def update(self, *_: object) -> None:
        width = int(math.ceil(max(self.needed(c) for c in self.canvases)))
        if width != self.width:
            self.width = width
            for c in self.canvases:
                c.getPlotItem().getAxis("left").setWidth(width)
