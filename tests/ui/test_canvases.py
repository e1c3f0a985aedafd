"""What is drawn is what was computed: every canvas, given a second result after a first, paints the
same picture as a fresh canvas given only the second (issue 11, the stale phase plane).

Pictures are compared as pixels: a canvas is grabbed offscreen after the event loop painted it,
and the share of pixels that differ by more than antialiasing can is counted. Results come from
the model functions; no window or worker is involved.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

SIZE = (760, 500)
INK_STEP = 60            # a channel differing by more than this is a different colour, not antialiasing
SAME_UP_TO = 0.0005      # share of differing pixels two pictures of one result may show (~190 px)


def picture(canvas) -> np.ndarray:
    """The canvas as the screen shows it: (h, w, 3) uint8, after pending paints ran."""
    for _ in range(3):
        QApplication.processEvents()
    image = canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def differing(a: np.ndarray, b: np.ndarray) -> float:
    """The share of pixels whose colour differs by more than antialiasing explains."""
    assert a.shape == b.shape
    return float((np.abs(a.astype(int) - b.astype(int)).max(axis=2) > INK_STEP).mean())


def shown(qtbot, make):
    canvas = make()
    qtbot.addWidget(canvas)
    canvas.resize(*SIZE)
    canvas.show()
    qtbot.waitExposed(canvas)
    return canvas


# ----------------------------------------------------------------------------------- the cases
@dataclass
class Case:
    """Two results of the same shape for one canvas class; `zoom` (x-range, y-range) is applied
    after each result, like a user who zoomed in (curves then reach far beyond the plot)."""
    make: Callable[[], object]
    first: Callable[[], object]
    second: Callable[[], object]
    zoom: tuple[tuple[float, float], tuple[float, float]] | None = None
    feed: Callable[[object, object], None] = lambda canvas, r: canvas.show_result(r)


def _flow(**kw):
    from gdviz.model.results import evaluate
    from gdviz.model.scene import Scene
    return evaluate(Scene(**kw))


def _lab(**kw):
    from gdviz.model.lab import evaluate_lab
    from gdviz.model.scene import Scene
    return evaluate_lab(Scene(**kw))


def _orbits(**kw):
    from gdviz.model.lab import evaluate_orbits
    from gdviz.model.scene import Scene
    return evaluate_orbits(Scene(orbit_h_count=400, orbit_transient=200, orbit_kept=100, **kw))


def _chaos(**kw):
    from gdviz.model.lab import evaluate_chaos
    from gdviz.model.scene import Scene
    return evaluate_chaos(Scene(orbit_h_count=400, orbit_transient=200, orbit_kept=100, **kw))


def _plane(**kw):
    from gdviz.model.results2d import evaluate_2d
    from gdviz.model.scene2d import Scene2D
    return evaluate_2d(Scene2D(**kw))


def _momentum(**kw):
    from gdviz.model.momentum import MomentumScene, evaluate_momentum
    return evaluate_momentum(MomentumScene(**kw))


def _train(rates, steps=300):
    from gdviz.model.training import TrainScene, evaluate_training
    return evaluate_training(TrainScene(rates=rates, steps=steps, every=10))


def _canvas(module: str, name: str) -> Callable[[], object]:
    def make():
        import importlib
        return getattr(importlib.import_module(f"gdviz.ui.{module}"), name)()
    return make


LOGISTIC = {"text": "x(1-x)", "kind": "f", "direction": "ascent", "x0": 0.1, "steps": 40, "x_range": (-0.5, 1.5)}
PENDULUM = {"text": "1 - cos(x)"}
DATA = {"data_seed": 3, "data_n": 40}

CASES = {
    # issue 14 §3: the rate map of a new μ (same grid), Nesterov over its ODE from a new start
    # (and a new curvature: with the legend above the map, the moved point alone is under 0.5% of
    # the pixels, too few to tell a repaint from none)
    "rate map, new μ": Case(_canvas("rate_map_canvas", "RateMapCanvas"),
                            lambda: _momentum(momentum=0.9, lr=0.5, steps=100, **PENDULUM),
                            lambda: _momentum(momentum=0.5, lr=0.5, steps=100, text="3 - 3cos(x)")),
    "nesterov over its ODE, new start": Case(_canvas("nesterov_canvas", "NesterovCanvas"),
                                             lambda: _momentum(nesterov=True, x0=2.0, **PENDULUM),
                                             lambda: _momentum(nesterov=True, x0=1.0, **PENDULUM)),
    # the report: μ changes the orbits and separatrices of the same shape
    "phase plane, new μ": Case(_canvas("phase_plane_canvas", "PhasePlaneCanvas"),
                               lambda: _momentum(momentum=0.9, **PENDULUM),
                               lambda: _momentum(momentum=0.5, **PENDULUM)),
    "phase plane, new μ, zoomed": Case(_canvas("phase_plane_canvas", "PhasePlaneCanvas"),
                                       lambda: _momentum(momentum=0.9, x0=1.0, **PENDULUM),
                                       lambda: _momentum(momentum=0.97, x0=1.0, **PENDULUM),
                                       zoom=((-1.5, 1.5), (-1.0, 1.0))),
    "energy, new μ": Case(_canvas("momentum_view", "EnergyCanvas"),
                          lambda: _momentum(momentum=0.9, **PENDULUM),
                          lambda: _momentum(momentum=0.95, **PENDULUM),
                          zoom=((0, 200), (0.0, 1.2))),
    "F(x), new h, zoomed": Case(_canvas("function_canvas", "FunctionCanvas"),
                                lambda: _flow(text="x^2/2 - x^3/3", h=0.5),
                                lambda: _flow(text="x^2/2 - x^3/3", h=1.9),
                                zoom=((0.3, 1.3), (0.1, 0.2))),
    "phase line, new h, zoomed": Case(_canvas("phase_line", "PhaseLineCanvas"),
                                      lambda: _flow(h=0.5, **LOGISTIC),
                                      lambda: _flow(h=0.5, **{**LOGISTIC, "text": "2x(1-x)(x-0.3)"}),
                                      zoom=((-0.2, 1.2), (-0.1, 0.1))),
    "x(t), new h, bundle, zoomed": Case(_canvas("time_canvas", "TimeCanvas"),
                                        lambda: _flow(h=0.5, bundle=True, **LOGISTIC),
                                        lambda: _flow(h=0.4, bundle=True, **LOGISTIC),
                                        zoom=((0.0, 4.0), (0.0, 1.2))),
    "x(t), new start": Case(_canvas("time_canvas", "TimeCanvas"),
                            lambda: _flow(h=0.3, bundle=True, **LOGISTIC),
                            lambda: _flow(h=0.3, bundle=True, **{**LOGISTIC, "x0": 1.4})),
    # issue 14 §1: the modified flow and F̃ of a new h (same shapes), drawn and dashed
    "x(t), modified flow, new h": Case(_canvas("time_canvas", "TimeCanvas"),
                                       lambda: _flow(h=0.5, modified=True, **LOGISTIC),
                                       lambda: _flow(h=0.9, modified=True, **LOGISTIC)),
    "x(t), modified flow switched off": Case(_canvas("time_canvas", "TimeCanvas"),
                                             lambda: _flow(h=0.5, modified=True, **LOGISTIC),
                                             lambda: _flow(h=0.5, **LOGISTIC)),
    "F(x), F̃ switched off": Case(_canvas("function_canvas", "FunctionCanvas"),
                                  lambda: _flow(text="x^2/2 - x^3/3", h=0.8, modified=True),
                                  lambda: _flow(text="x^2/2 - x^3/3", h=0.8)),
    # (not zoomed: where a zoom leaves room, the legend's place depends on the zoom's history)
    "F(x), F̃, new h": Case(_canvas("function_canvas", "FunctionCanvas"),
                            lambda: _flow(text="x^2/2 - x^3/3", h=0.5, modified=True),
                            lambda: _flow(text="x^2/2 - x^3/3", h=1.9, modified=True)),
    "cobweb, new h, zoomed": Case(_canvas("cobweb_canvas", "CobwebCanvas"),
                                  lambda: _flow(h=0.5, **LOGISTIC), lambda: _flow(h=2.3, **LOGISTIC),
                                  zoom=((0.4, 1.3), (0.4, 1.3))),
    "several h, new start, zoomed": Case(_canvas("compare_canvas", "CompareCanvas"),
                                         lambda: _lab(h=0.5, **LOGISTIC),
                                         lambda: _lab(h=0.5, **{**LOGISTIC, "x0": 0.3}),
                                         zoom=((0.0, 8.0), (0.0, 1.1))),
    "error against h, new start": Case(_canvas("error_canvas", "ErrorCanvas"),
                                       lambda: _lab(h=0.5, **LOGISTIC),
                                       lambda: _lab(h=0.5, **{**LOGISTIC, "x0": 0.3})),
    "bifurcation, new start": Case(_canvas("bifurcation_canvas", "BifurcationCanvas"),
                                   lambda: _orbits(h=0.5, **LOGISTIC),
                                   lambda: _orbits(h=1.0, **{**LOGISTIC, "x0": 0.3})),
    "lyapunov, new start, zoomed": Case(_canvas("lyapunov_canvas", "LyapunovCanvas"),
                                        lambda: _chaos(h=0.5, h_range=(2.4, 3.0), **LOGISTIC),
                                        lambda: _chaos(h=1.0, h_range=(2.4, 3.0), **{**LOGISTIC, "x0": 0.3}),
                                        zoom=((2.5, 2.9), (-0.3, 0.7))),
    "lyapunov, new range": Case(_canvas("lyapunov_canvas", "LyapunovCanvas"),
                                lambda: _chaos(h=0.5, h_range=(0.5, 3.0), **LOGISTIC),
                                lambda: _chaos(h=0.5, h_range=(2.3, 2.6), **LOGISTIC)),
    "landscape, new lr, zoomed": Case(_canvas("contour_canvas", "ContourCanvas"),
                                      lambda: _plane(lr=0.05, steps=120), lambda: _plane(lr=0.09, steps=120),
                                      zoom=((-0.5, 2.0), (-0.3, 2.0))),
    "landscape, new F, zoomed": Case(_canvas("contour_canvas", "ContourCanvas"),
                                     lambda: _plane(steps=40),
                                     lambda: _plane(text="(x - 1)^2 + 3(y - x^2)^2", steps=40),
                                     zoom=((-0.5, 2.0), (-0.3, 2.0))),
    "loss, new lr": Case(_canvas("loss_canvas", "LossCanvas"),
                         lambda: _plane(lr=0.05, steps=120), lambda: _plane(lr=0.02, steps=120)),
    "sharpness, new lr": Case(_canvas("sharpness_canvas", "SharpnessCanvas"),
                              lambda: _plane(text="(1 - x*y)^2/2", starts=((0.3, 2.5),), lr=0.4, steps=60),
                              lambda: _plane(text="(1 - x*y)^2/2", starts=((0.3, 2.5),), lr=0.3, steps=60)),
    "data, new lr": Case(_canvas("data_canvas", "DataCanvas"),
                         lambda: _plane(lr=0.05, **DATA), lambda: _plane(lr=0.2, **DATA)),
    "edge loss, new rates": Case(_canvas("edge_view", "TrainLossCanvas"),
                                     lambda: _train((0.4, 0.1)), lambda: _train((0.25, 0.05))),
    "edge sharpness, new rates": Case(_canvas("edge_view", "SharpnessCanvas"),
                                 lambda: _train((0.4, 0.1)), lambda: _train((0.25, 0.05))),
    "edge fit, new rate": Case(_canvas("edge_view", "FitCanvas"),
                          lambda: _train((0.05,), 100), lambda: _train((0.4,), 100)),
}


def _show(canvas, case: Case, result) -> None:
    case.feed(canvas, result)
    if case.zoom is not None:          # before anything is painted: the same transform as before
        canvas.view.setRange(xRange=case.zoom[0], yRange=case.zoom[1], padding=0.0)


@pytest.mark.parametrize("name", list(CASES))
def test_a_second_result_repaints_like_a_fresh_canvas(qtbot, name):
    case = CASES[name]
    first, second = case.first(), case.second()
    reused = shown(qtbot, case.make)
    _show(reused, case, first)
    before = picture(reused)
    _show(reused, case, second)
    after = picture(reused)
    fresh = shown(qtbot, case.make)
    _show(fresh, case, second)
    expected = picture(fresh)
    assert differing(before, expected) > 10 * SAME_UP_TO, "the two results must look different"
    stale = differing(after, expected)
    assert stale < SAME_UP_TO, f"{name}: {stale:.2%} of the picture is the first result's"


@pytest.mark.parametrize("name", [n for n in CASES if "zoomed" not in n])
def test_every_cached_item_drops_its_pixmap_when_it_changes(qtbot, name):
    """Only the frame (inside the viewport) and items that throw their pixmap away on new data are
    device-cached: Qt repaints a cache reaching 1.2 times past the view only where new bounds
    uncover it, whatever the new data (issue 11)."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QGraphicsItem

    case = CASES[name]
    canvas = shown(qtbot, case.make)
    _show(canvas, case, case.first())
    picture(canvas)
    frame = (pg.AxisItem, pg.GridItem, pg.LegendItem)
    cached = [item for item in canvas.scene().items() if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    assert cached
    assert [type(item).__name__ for item in cached
            if not isinstance(item, frame) and not getattr(item, "_gdviz_drops_pixmap", False)] == []


def test_a_cached_curve_reaching_past_the_view_repaints_whole(qtbot):
    """The pitfall itself, on a bare plot: a curve 1.5 times the view's height, device-cached, given
    new data of the same length and other bounds. cache_static's curves repaint like a fresh plot."""
    import pyqtgraph as pg

    from gdviz.ui.canvas import Canvas

    t = np.linspace(0.0, 2 * np.pi, 400)
    first, second = (np.cos(t), 1.5 * np.sin(t)), (np.cos(t), 0.5 * np.sin(3 * t))

    def plot(*data):
        canvas = shown(qtbot, lambda: Canvas("", "x", "y"))
        curve = pg.PlotCurveItem(connect="finite", pen=pg.mkPen("k", width=3))
        canvas.addItem(curve)
        canvas.cache_static(curve)
        canvas.force_ranges((-1.5, 1.5), (-1.0, 1.0))
        for x, y in data:
            curve.setData(x, y)
            shot = picture(canvas)
        return shot

    assert differing(plot(first, second), plot(second)) < SAME_UP_TO


def test_each_cached_image_drops_its_own_pixmap(qtbot, monkeypatch):
    """Two images cached in one call: a new image drops that image's pixmap, not the other's."""
    import pyqtgraph as pg

    from gdviz.ui import canvas as canvas_module

    dropped = []
    monkeypatch.setattr(canvas_module, "drop_pixmap", dropped.append)
    canvas = shown(qtbot, lambda: canvas_module.Canvas("", "x", "y"))
    first, second = pg.ImageItem(), pg.ImageItem()
    canvas.addItem(first)
    canvas.addItem(second)
    canvas.cache_static(first, second)
    first.setImage(np.eye(4))
    assert dropped == [first]


def test_set_if_changed_skips_only_the_same_values(qtbot):
    """Same values (NaN included) skip setData, so a cached curve keeps its pixmap; new values, and
    any brush (compared by value it is not), set again."""
    import pyqtgraph as pg

    from gdviz.ui import style
    from gdviz.ui.canvas import set_if_changed

    curve, dots = pg.PlotDataItem(), pg.ScatterPlotItem()
    x = np.array([0.0, 1.0, np.nan, 3.0])
    assert set_if_changed(curve, x, x ** 2, connect="finite")
    assert not set_if_changed(curve, x.copy(), x ** 2, connect="finite")
    assert set_if_changed(curve, x, x ** 3, connect="finite")
    assert set_if_changed(curve, x, x ** 3, connect="all")
    assert set_if_changed(dots, x, x, brush=[style.brush(style.INK)] * 4)
    assert set_if_changed(dots, x, x, brush=[style.brush(style.INK)] * 4)


def test_the_basins_repaint_for_a_new_lr(qtbot):
    """The basin map is a picture of its own, shown over the bands."""
    from gdviz.model.results2d import evaluate_basins
    from gdviz.model.scene2d import Scene2D
    from gdviz.ui.contour_canvas import ContourCanvas

    text = "(x^2 - 1)^2 + y^2"
    scenes = [Scene2D(text=text, basins=True, lr=lr, x_range=(-2.0, 2.0), y_range=(-1.5, 1.5))
              for lr in (0.05, 0.4)]
    results = [_plane(text=s.text, basins=True, lr=s.lr, x_range=s.x_range, y_range=s.y_range) for s in scenes]
    basins = [evaluate_basins(s) for s in scenes]
    zoom = ((-0.6, 1.8), (-0.8, 0.9))
    reused = shown(qtbot, ContourCanvas)
    for r, b in zip(results, basins):
        reused.show_result(r)
        reused.show_basins(b)
        reused.view.setRange(xRange=zoom[0], yRange=zoom[1], padding=0.0)
        after = picture(reused)
    fresh = shown(qtbot, ContourCanvas)
    fresh.show_result(results[1])
    fresh.show_basins(basins[1])
    fresh.view.setRange(xRange=zoom[0], yRange=zoom[1], padding=0.0)
    assert differing(after, picture(fresh)) < SAME_UP_TO


def test_the_frame_repaints_for_a_new_range(qtbot):
    """Axes, grid and legend: a new range (a new result's scene) repaints the ticks and grid lines."""
    from gdviz.ui.time_canvas import TimeCanvas

    reused = shown(qtbot, TimeCanvas)
    reused.force_ranges((0.0, 10.0), (-1.0, 1.0))
    picture(reused)
    reused.force_ranges((0.0, 3.0), (-0.2, 5.0))
    after = picture(reused)
    fresh = shown(qtbot, TimeCanvas)
    fresh.force_ranges((0.0, 3.0), (-0.2, 5.0))
    assert differing(after, picture(fresh)) < SAME_UP_TO


def test_a_restyle_repaints_like_a_canvas_built_in_that_look(qtbot):
    """Presentation mode (thicker lines, larger text) and back again: every item is drawn anew in
    each look, as a canvas built in that look draws it, and the axes give back the room the larger
    tick labels took."""
    from gdviz.ui import style
    from gdviz.ui.phase_plane_canvas import PhasePlaneCanvas

    r = _momentum(momentum=0.9, **PENDULUM)
    zoom = ((-2.0, 2.0), (-1.0, 1.0))        # the orbits reach far beyond the plot

    def draw(canvas) -> np.ndarray:
        canvas.show_result(r)
        canvas.view.setRange(xRange=zoom[0], yRange=zoom[1], padding=0.0)
        return picture(canvas)

    canvas = shown(qtbot, PhasePlaneCanvas)
    plain = draw(canvas)
    try:
        style.set_look("light", presentation=True)
        canvas.apply_style()
        big = picture(canvas)
        built_big = draw(shown(qtbot, PhasePlaneCanvas))
    finally:
        style.set_look("light", presentation=False)
    canvas.apply_style()
    assert differing(plain, big) > 10 * SAME_UP_TO
    assert differing(big, built_big) < SAME_UP_TO
    assert differing(picture(canvas), plain) < SAME_UP_TO


def test_a_result_with_a_new_range_is_painted_once(qtbot):
    """x(t)'s range follows h: the new range reaches the items before the paint, not during it
    (pyqtgraph's deferred matrix update dirtied every item again: two full paints a result)."""
    from PySide6.QtCore import QEvent, QObject

    from gdviz.ui.time_canvas import TimeCanvas

    canvas = shown(qtbot, TimeCanvas)
    canvas.show_result(_flow(h=0.5, bundle=True, **LOGISTIC))
    picture(canvas)
    paints = []

    class Count(QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint:
                paints.append(ev.rect())
            return False

    counter = Count()
    canvas.viewport().installEventFilter(counter)
    canvas.show_result(_flow(h=0.3, bundle=True, **LOGISTIC))      # t ends at 12, not 20
    qtbot.waitUntil(lambda: len(paints) > 0)
    for _ in range(5):
        QApplication.processEvents()
    canvas.viewport().removeEventFilter(counter)
    assert len(paints) == 1


# ----------------------------------------------------------------------------------- thinning
SPIKE_AT = 54_321        # not on a stride of 5: the old striding thinned it away


def _red_in_upper_half(canvas, shot: np.ndarray) -> int:
    """Pure red pixels in the upper half of the plot area (the curve's spike, nothing else is red)."""
    rect = canvas.mapFromScene(canvas.view.sceneBoundingRect()).boundingRect()
    top, mid = rect.top() + 2, rect.top() + rect.height() // 2
    area = shot[top:mid, rect.left() + 2: rect.right() - 2].astype(int)
    return int(((area[..., 0] > 180) & (area[..., 1] < 90) & (area[..., 2] < 90)).sum())


def test_a_one_sample_spike_in_a_long_series_is_drawn(qtbot):
    """10^5 samples against n, zero but for one: pyqtgraph thins the series to the pixels it covers
    ('peak': each pixel column's least and greatest y), so the spike keeps its height on screen."""
    import pyqtgraph as pg

    from gdviz.ui.canvas import Canvas, path_item, set_path

    n = np.arange(100_000, dtype=float)
    y = np.zeros_like(n)
    y[SPIKE_AT] = 1.0
    canvas = shown(qtbot, lambda: Canvas("", "n", "y"))
    item = path_item("#ff0000", 2, series=True)
    canvas.addItem(item)
    canvas.force_ranges((0.0, n[-1]), (-0.1, 1.1))
    set_path(item, n, y)
    shot = picture(canvas)
    shown_n, shown_y = item.getData()                  # what is drawn, after pyqtgraph's thinning
    assert len(shown_n) < len(n) / 10
    assert shown_y.max() == 1.0
    assert _red_in_upper_half(canvas, shot) > 10
    canvas.force_ranges((50_000.0, 60_000.0), (-0.1, 1.1))   # zoomed in: only the visible part
    picture(canvas)
    shown_n, shown_y = item.getData()
    assert shown_y.max() == 1.0 and shown_n.min() >= 49_000 and shown_n.max() <= 61_000
    assert isinstance(item, pg.PlotDataItem)


def test_a_one_sample_spike_on_a_long_path_that_turns_back_is_drawn(qtbot):
    """Iterates on F(x) oscillate: x turns back at every step, so pyqtgraph's thinning (x as time)
    would draw points off the curve. thin_path keeps points of the path only, the spike among them."""
    from gdviz.ui.canvas import Canvas, path_item, set_path

    x = np.empty(100_000)
    x[0] = 0.1
    for k in range(len(x) - 1):                           # Euler on the logistic, h = 1.8
        x[k + 1] = x[k] + 1.8 * x[k] * (1 - x[k])
    y = x ** 2 / 2 - x ** 3 / 3
    y[SPIKE_AT] = 0.3                                     # one sample far off the curve
    canvas = shown(qtbot, lambda: Canvas("", "x", "F"))
    item = path_item("#ff0000", 2)
    canvas.addItem(item)
    canvas.force_ranges((-0.5, 1.5), (-0.1, 0.35))
    set_path(item, x, y)
    shot = picture(canvas)
    shown_x, shown_y = item.getData()
    assert len(shown_x) < 20_001
    on_path = np.isin(shown_x, x) & np.isin(shown_y, y)
    assert on_path.all()
    assert shown_y.max() == 0.3 and shown_x[-1] == x[-1]          # the spike, the current iterate
    assert _red_in_upper_half(canvas, shot) > 10


def test_the_trail_on_the_phase_line_keeps_a_far_excursion():
    from gdviz.ui.phase_line import trail_positions

    xs = np.full(100_000, 0.5) + np.linspace(0.0, 1e-3, 100_000)
    xs[SPIKE_AT] = 7.0
    kept = trail_positions(xs)
    assert len(kept) <= 5000 and kept.max() == 7.0 and kept.min() == xs.min()


def test_the_row_above_a_plot_gives_back_room_only_in_steps(qtbot):
    """A legend above a plot, sized to the plot, asked for 48 px, which made the plot a pixel
    shorter, so the legend asked for 47, which made the plot a pixel taller...: the momentum tab's
    energy plot repainted for ever at 1024x768 in presentation mode and the window froze. The row
    grows at once but shrinks only by more than a few pixels, or to nothing."""
    from gdviz.ui.canvas import ABOVE_SLACK_PX, Canvas
    canvas = Canvas("title", "x", "y")
    qtbot.addWidget(canvas)
    row = canvas.getPlotItem().layout
    canvas._reserve_above(48)
    canvas._reserve_above(47)
    assert canvas._above == 48 and row.rowMinimumHeight(1) == 48
    canvas._reserve_above(48 - ABOVE_SLACK_PX - 1)
    assert canvas._above == 48 - ABOVE_SLACK_PX - 1
    canvas._reserve_above(60)
    assert canvas._above == 60
    canvas._reserve_above(0)
    assert canvas._above == 0 and row.rowMinimumHeight(1) == 0


def test_a_dense_path_has_bevel_joins_that_look_round(qtbot):
    """Past SYMBOLS_UP_TO points a path is stroked with bevel joins (3x faster than round ones):
    on screen it is the round-joined path, a restyle keeps the bevels, and a short path (where a
    join can be seen) is round again."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPen

    from gdviz.ui import style
    from gdviz.ui.canvas import SYMBOLS_UP_TO, Canvas, path_item, set_path

    x = np.empty(5001)
    x[0] = 0.05
    for k in range(len(x) - 1):                 # the heavy scene's iterates: Euler, logistic, h = 0.01
        x[k + 1] = x[k] + 0.01 * x[k] * (1 - x[k])
    t = 0.01 * np.arange(len(x))
    canvas = shown(qtbot, lambda: Canvas("", "t", "x"))
    item = path_item(style.DISCRETE, style.STYLE.path_px, series=True)
    canvas.addItem(item)
    canvas.force_ranges((0.0, t[-1]), (0.0, 1.05))
    set_path(item, t, x)
    assert len(x) > SYMBOLS_UP_TO
    assert item.opts["pen"].joinStyle() == Qt.PenJoinStyle.BevelJoin
    bevelled = picture(canvas)
    round_pen = QPen(item.opts["pen"])
    round_pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    item.setPen(round_pen)
    assert differing(bevelled, picture(canvas)) < SAME_UP_TO
    canvas.apply_style()
    assert item.opts["pen"].joinStyle() == Qt.PenJoinStyle.BevelJoin
    set_path(item, t[:100], x[:100])
    assert item.opts["pen"].joinStyle() == Qt.PenJoinStyle.RoundJoin


def test_a_title_too_long_for_its_plot_ends_in_an_ellipsis(qtbot):
    """Two plots side by side on a projector cut each other's titles mid-word ("Loss against
    iteration (F* =", "rpness against iteration"): a title shrinks, then is shortened with "…"."""
    from gdviz.ui.canvas import MIN_TITLE_FACTOR, Canvas, _title_width
    from gdviz.ui.style import STYLE
    title = "Sharpness against iteration (GD: 2/η = 19.05, RK4: 2.785/η = 26.53)"
    canvas = Canvas(title, "x", "y")
    qtbot.addWidget(canvas)
    canvas.resize(260, 200)
    canvas.show()
    qtbot.waitUntil(lambda: 100 <= canvas.view.width() < 260)
    canvas.set_title(title)
    shown = canvas.getPlotItem().titleLabel.text
    assert canvas.title_factor == MIN_TITLE_FACTOR and "…" in shown and "Sharpness" in shown
    pt = STYLE.pt(STYLE.title_pt) * MIN_TITLE_FACTOR
    assert _title_width(shown, pt) <= canvas.view.width() + 1     # it fits, whole letters only
    canvas.resize(900, 200)
    qtbot.waitUntil(lambda: canvas.view.width() > 800)
    assert "…" not in canvas.getPlotItem().titleLabel.text       # room again: the whole title


@pytest.mark.parametrize("size", [(SIZE[0], 130), SIZE])
def test_an_axis_label_sits_centred_on_its_axis_when_it_changes_length(qtbot, size):
    """The phase line on a 720p projector swaps "f(x) = x′" for "x′": pyqtgraph places a label only
    when its axis is resized, so the short one sat where the long one had started, at the bottom,
    half cut off. Both ways: shortened, then long again."""
    from gdviz.ui.phase_line import PhaseLineCanvas
    canvas = shown(qtbot, PhaseLineCanvas)
    canvas.show_result(_flow())
    axis = canvas.getPlotItem().getAxis("left")
    full = axis.labelText
    for w, h in (size, (SIZE[0], 130), SIZE):
        canvas.resize(w, h)
        qtbot.waitUntil(lambda h=h: (axis.labelText == "x'") == (h == 130))
        QApplication.processEvents()
        box = axis.label.mapRectToParent(axis.label.boundingRect())
        assert abs(box.center().y() - axis.height() / 2) <= 2, (axis.labelText, box, axis.height())
    assert axis.labelText == full


def _axis_labels(axis) -> list[tuple[float, str]]:
    """(pixel position, text) of every tick label the axis would draw, over all its tick levels."""
    lo, hi = axis.range
    size = axis.size().height() if axis.orientation == "left" else axis.size().width()
    labels = set()
    for spacing, values in axis.tickValues(lo, hi, size):
        for v, text in zip(values, axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing)):
            if text:
                labels.add((round((v - lo) / (hi - lo) * size, 3), text))
    return sorted(labels)


@pytest.mark.parametrize("height", [300, 500, 800, 1100])
def test_log_axis_labels_never_overprint(qtbot, height):
    """The edge tab's loss axis read "0.090.080.070.06" at 1600x1000: pyqtgraph labels every minor
    tick of a log axis. Every pair of labels is now a line apart, and the powers of ten stay."""
    from PySide6.QtGui import QFontMetricsF

    from gdviz.ui.canvas import Canvas
    canvas = shown(qtbot, lambda: Canvas("Training loss", "step n", "loss (log scale)"))
    canvas.set_log_axes(False, True)
    n = np.arange(3000.0)
    canvas.plot(n, 0.025 + 0.2 * np.exp(-n / 600) + 3.0 * (n == 380))
    canvas.resize(SIZE[0], height)
    QApplication.processEvents()
    axis = canvas.getPlotItem().getAxis("left")
    labels = _axis_labels(axis)
    line = QFontMetricsF(axis.style["tickFont"] or axis.font()).height()
    gaps = [b[0] - a[0] for a, b in zip(labels, labels[1:])]
    assert gaps and min(gaps) >= line, labels
    assert {"0.1", "1"} <= {text for _, text in labels}


def test_every_log_plot_spaces_its_labels():
    from gdviz.ui.edge_view import TrainLossCanvas
    from gdviz.ui.error_canvas import ErrorCanvas
    from gdviz.ui.log_axis import spaced_log_tick_strings
    from gdviz.ui.loss_canvas import LossCanvas
    for make in (TrainLossCanvas, LossCanvas, ErrorCanvas):
        canvas = make()
        for name in ("left", "bottom"):
            axis = canvas.getPlotItem().getAxis(name)
            if axis.logMode:
                assert axis.logTickStrings.__func__ is spaced_log_tick_strings, (make.__name__, name)
        canvas.deleteLater()


def test_a_log_axis_over_many_decades_labels_only_the_powers_of_ten(qtbot):
    from gdviz.ui.canvas import Canvas
    canvas = shown(qtbot, lambda: Canvas("Error", "h", "error"))
    canvas.set_log_axes(False, True)
    canvas.plot(np.arange(50.0), np.logspace(-10, 0, 50))
    QApplication.processEvents()
    texts = [text for _, text in _axis_labels(canvas.getPlotItem().getAxis("left"))]
    # "1", "0.01", "10⁻⁶": never a 2 to 9 before the exponent ("3·10⁻⁷")
    assert len(texts) >= 3 and all(set(t) <= set("01.⁻⁰¹²³⁴⁵⁶⁷⁸⁹") for t in texts), texts


def test_log_labels_follow_the_plots_range_and_length_not_the_axis_copies(qtbot):
    """LeftAxisGroup keeps each axis's widest label under a key of the plot's y-range and height.
    The labels read the axis's own copies, which lag mid-layout (the axis hears of a new range
    after the group): the 2-D tab kept a shared width a pixel off, and test_stacked_plots' axes
    snapped back to it."""
    from gdviz.ui.canvas import Canvas, LeftAxisGroup
    canvas = shown(qtbot, lambda: Canvas("Training loss", "step n", "loss (log scale)"))
    canvas.set_log_axes(False, True)
    n = np.arange(3000.0)
    canvas.plot(n, 0.025 + 0.2 * np.exp(-n / 600) + 3.0 * (n == 380))
    QApplication.processEvents()
    axis = canvas.getPlotItem().getAxis("left")
    settled = LeftAxisGroup.needed(canvas)
    lo, hi = axis.range
    axis.setRange(lo - 0.4, hi + 0.3)          # the axis's copy lags behind the plot's range
    axis._gdviz_widest = None
    assert LeftAxisGroup.needed(canvas) == settled
