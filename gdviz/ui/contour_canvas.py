"""The 2-D landscape: F(x, y) as filled bands with isolines, its minima, maxima and saddles, the
starting points (click to add, drag to move, right-click to remove) and every optimizer's paths.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal

from ..model.scene2d import INTEGRATOR_NAMES
from . import style
from .canvas import Canvas, curve_item, fit_legend, label_fill, path_item, scatter_item, set_if_changed, styled
from .style import STYLE

if TYPE_CHECKING:
    from ..model.results2d import Result2D

# Palette colours as the light theme writes them; colour_of gives the current theme's.
OPTIMIZER_COLOURS = {"GD": style.LIGHT.vermillion, "Momentum": style.LIGHT.blue, "Nesterov": style.LIGHT.sky_blue,
                     "Adagrad": style.LIGHT.green, "RMSprop": style.LIGHT.purple, "Adam": style.LIGHT.orange,
                     "AdamW": style.LIGHT.black,
                     # The flow's integrators (issue 14 §2): Heun and RK4 in the flow tab's colours for
                     # them; all four dashed, which keeps them apart from torch's optimizers.
                     "Implicit Euler": style.LIGHT.brown, "Heun": style.LIGHT.green, "RK4": style.LIGHT.purple,
                     "Newton": style.LIGHT.black}
DASHED = frozenset(INTEGRATOR_NAMES)


def line_style_of(run_name: str) -> Qt.PenStyle:
    """Dashed for the flow's integrators, solid for torch's optimizers and the data mode's runs."""
    return Qt.PenStyle.DashLine if run_name in DASHED else Qt.PenStyle.SolidLine


def colour_of(run_name: str) -> str:
    """An optimizer's colour in the current theme; in the data mode, full batch is vermillion and SGD blue."""
    if run_name in OPTIMIZER_COLOURS:
        return style.css_colour(OPTIMIZER_COLOURS[run_name])
    return style.BLUE if run_name.startswith("SGD") else style.VERMILLION


BASIN_COLOURS = ("sky_blue", "orange", "green", "purple", "yellow", "vermillion", "blue", "black")   # theme roles
DIVERGED_RGBA = (120, 120, 120, 150)    # grey: the start ran away
UNDECIDED_RGBA = (190, 190, 190, 120)   # light grey: it stalled or ended nowhere in particular
CHUNK = 48        # steps per cached piece of an animated path
CRITICAL_SYMBOLS = {"minimum": "o", "maximum": "t1", "saddle": "x", "degenerate": "d"}


def band_lut(n: int) -> np.ndarray:
    """Bands from pale blue (low F) to pale sand (high F), dark ones in the dark theme: the paths stay
    readable on them."""
    lo, hi = (np.array(style.color(c).getRgb()[:3]) for c in (STYLE.theme.band_low, STYLE.theme.band_high))
    f = np.linspace(0.0, 1.0, max(n, 2))[:, None]
    rgb = lo * (1 - f) + hi * f
    return np.hstack([rgb, np.full((len(f), 1), 255)]).astype(np.uint8)


def paths_with_gaps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k, m, 2) trajectories as one NaN-separated polyline."""
    k, m = x.shape[0], x.shape[1]
    gap = np.full((k, 1, 2), np.nan)
    joined = np.concatenate([x, gap], axis=1).reshape(k * (m + 1), 2)
    return joined[:, 0], joined[:, 1]


class StartMarker(pg.TargetItem):
    """A starting point: drag to move it, right-click to remove it."""

    def __init__(self, canvas: ContourCanvas, index: int, pos: tuple[float, float]) -> None:
        super().__init__(pos=pos, size=STYLE.px(16), symbol="s", movable=True)
        styled(self, StartMarker.apply_style)
        # Weakly: the scene owns the marker, and a marker holding its canvas kept the deleted
        # canvas's view and menus alive.
        self._canvas = weakref.ref(canvas)
        self.index = index
        self.setZValue(40)
        self.setToolTip("A starting point: drag it, or right-click to remove it")
        self.sigPositionChangeFinished.connect(self._moved)     # not a lambda: it would keep the canvas

    def apply_style(self) -> None:
        self.setPen(style.pen(style.INK, 2))
        self.setBrush(label_fill(0.9))
        self.setHoverPen(style.pen(style.INK, 3))
        self.setHoverBrush(style.brush(style.CURRENT))
        self.prepareGeometryChange()
        self.scale = STYLE.px(16)     # TargetItem keeps its size in `scale` (no setter)
        self._shape = None
        self.update()

    @property
    def canvas(self) -> ContourCanvas | None:
        return self._canvas()

    def _moved(self, *_: object) -> None:
        canvas = self.canvas
        if canvas is not None:
            canvas.start_moved.emit(self.index, float(self.pos().x()), float(self.pos().y()))

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            canvas = self.canvas
            if canvas is not None:
                canvas.start_removed.emit(self.index)
            return
        super().mouseClickEvent(ev)


class ContourCanvas(Canvas):
    """F(x, y) bands, isolines, critical points, starts and the optimizers' trajectories."""

    start_added = Signal(float, float)
    start_moved = Signal(int, float, float)
    start_removed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__("F(x, y): optimizers from the same starts", "x", "y", parent)
        self.bands = pg.ImageItem(axisOrder="row-major")
        self.bands.setZValue(-90)
        self.addItem(self.bands)
        self.lines = curve_item(style.MUTED, 1, alpha=0.7, connect="pairs")
        self.lines.setZValue(-80)
        self.addItem(self.lines, ignoreBounds=True)
        self.basins = pg.ImageItem(axisOrder="row-major")
        self.basins.setZValue(-85)
        self.addItem(self.basins, ignoreBounds=True)
        self.arrows = curve_item(style.INK, 1, alpha=0.55, connect="pairs")
        self.arrows.setZValue(-70)
        self.addItem(self.arrows, ignoreBounds=True)
        self.critical = scatter_item(15, style.INK, (style.INK, 2.5))
        self.critical.setZValue(30)
        self.addItem(self.critical, ignoreBounds=True)
        self.cache_static(self.bands, self.lines, self.critical, self.basins, self.arrows)
        self.future: dict[str, pg.PlotDataItem] = {}
        self.done: dict[str, pg.PlotDataItem] = {}      # the live end of each path (the last chunk)
        self.chunks: dict[str, list[pg.PlotDataItem]] = {}   # finished chunks, cached pixmaps
        # Every optimizer's current iterates in one item: one setData a frame instead of one each.
        self.current = scatter_item(STYLE.current_px * 0.8, pen=(style.BLACK, 2))
        self.current.setZValue(35)
        self.addItem(self.current, ignoreBounds=True)
        self._current_brushes: dict[str, object] = {}
        self.legend = self.add_legend((-10, 10))
        self._legend_names: list[str] = []
        self.markers: list[StartMarker] = []
        self.result: Result2D | None = None
        self._basins_key: tuple | None = None
        self._basins = None
        self.current_index = 0
        self.view.setAspectLocked(False)

    def _items(self, name: str) -> None:
        if name in self.done:
            return
        colour = colour_of(name)
        dash = line_style_of(name)
        self.future[name] = path_item(colour, STYLE.faint_px, alpha=0.35, style_=dash)
        self.done[name] = path_item(colour, STYLE.path_px, dots=STYLE.dot_px * 0.6, style_=dash)
        self.chunks[name] = []
        for z, item in ((10, self.future[name]), (20, self.done[name])):
            item.setZValue(z)
            self.addItem(item, ignoreBounds=True)
        self.cache_static(self.future[name])     # only the growing paths and the markers repaint

    def show_result(self, r: Result2D, index: int | None = None) -> None:
        self.result = r
        s = r.scene
        g = r.grid
        levels = g.z_levels
        self.bands.setLookupTable(band_lut(len(levels) + 1))
        self.bands.setImage(r.bands, levels=(0, max(len(levels), 1)), autoLevels=False)
        dx = (g.x[-1] - g.x[0]) / max(len(g.x) - 1, 1)
        dy = (g.y[-1] - g.y[0]) / max(len(g.y) - 1, 1)
        self.bands.setRect(QRectF(g.x[0] - dx / 2, g.y[0] - dy / 2, g.x[-1] - g.x[0] + dx, g.y[-1] - g.y[0] + dy))
        set_if_changed(self.lines, r.lines_x, r.lines_y)
        set_if_changed(self.arrows, r.arrows_x, r.arrows_y)
        self.basins.setVisible(s.basins and self._basins_key == s.basin_key())
        pts = [c for c in r.critical]
        self.critical.setData([c.x for c in pts], [c.y for c in pts],
                              symbol=[CRITICAL_SYMBOLS.get(c.kind, "d") for c in pts],
                              brush=[style.brush(style.INK if c.kind == "minimum" else style.BACKGROUND) for c in pts],
                              data=[c.kind for c in pts])
        self.critical.setToolTip("Critical points: ● minimum, ▲ maximum, ✕ saddle")
        for name in list(self.done):
            for chunk in self.chunks[name]:
                chunk.hide()
                chunk._gdviz_chunk = None         # a new result: every chunk is drawn afresh
            if name not in r.runs:
                for item in (self.future[name], self.done[name]):
                    item.hide()
        for name in r.runs:
            self._items(name)
            for item in (self.future[name], self.done[name]):
                item.show()
            set_if_changed(self.future[name], *paths_with_gaps(r.runs[name].x), connect="finite")
        names = list(r.runs)
        if names != self._legend_names:
            self.legend.clear()
            for name in names:
                self.legend.addItem(self.done[name], name)
            fit_legend(self.legend)
            self._legend_names = names
        self._show_starts(s.starts)
        self.set_title(r.label)
        data = s.data_seed is not None
        pi = self.getPlotItem()
        pi.setLabel("bottom", "slope w" if data else "x")
        pi.setLabel("left", "intercept b" if data else "y")
        self.set_ranges_once((s.x_range, s.y_range, s.text), s.x_range, s.y_range)
        self.show_index(s.steps if index is None else index)

    def redraw(self) -> None:
        """After a restyle: the current iterates' brushes and the basins in the new theme's colours."""
        self._current_brushes.clear()
        super().redraw()
        if self._basins is not None:
            self.show_basins(self._basins)

    def show_basins(self, basins) -> None:
        """Colour each start of the grid by the minimum it reaches (grey: diverged or undecided)."""
        self._basins = basins
        bm = basins.map
        rgba = np.zeros(bm.label.shape + (4,), dtype=np.uint8)
        for i in range(len(bm.minima)):
            c = style.color(getattr(STYLE.theme, BASIN_COLOURS[i % len(BASIN_COLOURS)]))
            rgba[bm.label == i] = (c.red(), c.green(), c.blue(), 110)
        rgba[bm.label == -1] = DIVERGED_RGBA
        rgba[bm.label == -2] = UNDECIDED_RGBA
        self.basins.setImage(rgba, autoLevels=False)
        dx = (bm.x[-1] - bm.x[0]) / max(len(bm.x) - 1, 1)
        dy = (bm.y[-1] - bm.y[0]) / max(len(bm.y) - 1, 1)
        self.basins.setRect(QRectF(bm.x[0] - dx / 2, bm.y[0] - dy / 2, bm.x[-1] - bm.x[0] + dx,
                                   bm.y[-1] - bm.y[0] + dy))
        s = basins.scene
        self._basins_key = s.basin_key()
        cur = self.result.scene if self.result is not None else s
        self.basins.setVisible(cur.basins and self._basins_key == cur.basin_key())

    def _show_starts(self, starts) -> None:
        while len(self.markers) < len(starts):
            marker = StartMarker(self, len(self.markers), (0.0, 0.0))
            self.addItem(marker, ignoreBounds=True)
            self.markers.append(marker)
        for i, marker in enumerate(self.markers):
            if i < len(starts):
                marker.show()
                if not marker.moving:
                    marker.blockSignals(True)
                    marker.setPos(QPointF(*starts[i]))
                    marker.blockSignals(False)
            else:
                marker.hide()

    def show_index(self, n: int) -> None:
        r = self.result
        if r is None:
            return
        n = max(0, min(n, r.steps))
        cx: list[np.ndarray] = []
        cy: list[np.ndarray] = []
        brushes: list[object] = []
        for name, run in r.runs.items():
            # Finished chunks of CHUNK steps are separate items cached as pixmaps; only the live
            # chunk is stroked each frame (antialiased, 6 optimizers x 3 starts x 600 steps of
            # whole paths cost ~36 ms a frame).
            whole = n // CHUNK
            chunks = self.chunks[name]
            while len(chunks) < whole:
                item = path_item(colour_of(name), STYLE.path_px, dots=STYLE.dot_px * 0.6, style_=line_style_of(name))
                item.setZValue(19)
                self.addItem(item, ignoreBounds=True)
                self.cache_static(item)
                item._gdviz_chunk = None
                chunks.append(item)
            for c, item in enumerate(chunks):
                if c < whole:
                    if item._gdviz_chunk != c:
                        set_path_2d(item, run.x[:, c * CHUNK: (c + 1) * CHUNK + 1], dots=run.x.shape[1] <= 201)
                        item._gdviz_chunk = c
                    item.show()
                else:
                    item.hide()
            set_path_2d(self.done[name], run.x[:, whole * CHUNK: n + 1], dots=run.x.shape[1] <= 201)
            now = run.x[:, n]
            ok = np.isfinite(now).all(axis=1)
            cx.append(now[ok, 0])
            cy.append(now[ok, 1])
            brush = self._current_brushes.setdefault(name, pg.mkBrush(colour_of(name)))
            brushes.extend([brush] * int(ok.sum()))
        self.current.setData(np.concatenate(cx) if cx else [], np.concatenate(cy) if cy else [], brush=brushes)
        self.current_index = n

    def _on_click(self, ev) -> None:
        """A left click on empty ground adds a start (a click on a marker is the marker's)."""
        p = None if ev.isAccepted() else self.clicked_point(ev)
        if p is None:
            return
        self.start_added.emit(float(f"{p.x():.4g}"), float(f"{p.y():.4g}"))


def set_path_2d(item: pg.PlotDataItem, x: np.ndarray, dots: bool = True) -> None:
    """Paths (k, m, 2) drawn as one item; dots only while they can be told apart."""
    px, py = paths_with_gaps(x)
    item.setSymbol("o" if dots else None)
    item.setData(px, py, connect="finite")
