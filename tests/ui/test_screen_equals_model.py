"""Screen equals model: after any sequence of edits, once a page says "drawn", every canvas plots
exactly the last result for the page's current scene, the items a fresh canvas given only that
result plots (no stale item, none missing, nothing from a superseded request).

Edits are made in a burst, without waiting, as a student dragging sliders does, so most requests
are superseded before they finish. Items are compared, not pixels: a lone canvas places its legend
and corner notes by what fits, which depends on the sizes it went through, not on the result (the
pixel comparison of canvases fed one result after another is test_canvases.py's).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication

RUNS = settings(max_examples=5, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _array(values) -> str:
    """Data as comparable text (NaN, the gap between curves, equals NaN)."""
    a = np.asarray(values if values is not None else [], dtype=float).ravel()
    return repr(tuple(np.round(a, 9).tolist()))


def items(canvas) -> list:
    """What the canvas shows, item by item (hidden items, kept for reuse, are not shown): each curve's
    and scatter's full data (not the thinned copy on screen), each line's value, each label's text,
    whether there is an image. Sorted: a reused canvas keeps its items in the order it made them."""
    out = []
    for it in canvas.getPlotItem().getViewBox().addedItems:
        if not it.isVisible():
            continue
        if isinstance(it, pg.PlotDataItem):
            out.append(("data", _array(it.xData), _array(it.yData)))
        elif isinstance(it, (pg.PlotCurveItem, pg.ScatterPlotItem)):
            x, y = it.getData()
            out.append((type(it).__name__, _array(x), _array(y)))
        elif isinstance(it, pg.InfiniteLine):
            out.append(("line", round(float(it.value()), 9)))
        elif isinstance(it, pg.TextItem):
            out.append(("text", it.toPlainText()))
        elif isinstance(it, pg.ImageItem):     # rasterised at the plot's pixel size: only whether it is there
            out.append(("image", it.image is not None))
    return sorted(out, key=repr)


def assert_same_as_fresh(qtbot, name: str, on_screen, fresh, feed) -> None:
    """`fresh` (a new canvas of the same class, at the same size and view) fed by `feed` plots the
    same items as `on_screen`."""
    fresh.resize(on_screen.size())
    fresh.show()
    feed(fresh)
    fresh.setXRange(*on_screen.getViewBox().viewRange()[0], padding=0)
    fresh.setYRange(*on_screen.getViewBox().viewRange()[1], padding=0)
    try:
        assert items(on_screen) == items(fresh), f"{name}: the plotted items differ from the last result's"
    finally:
        fresh.close()
        fresh.deleteLater()


def burst(window, view: str, edits: list[dict]):
    """Show `view`, make every edit at once, wait for "drawn": the page, and its result for its scene."""
    window.show_view(view)
    page = window.pages[view]
    for changes in edits:
        page.edit(changes)
    assert window.wait_drawn(60_000)
    r = page.result
    assert page.is_drawn and r.scene == page.scene
    return page, r


# ------------------------------------------------------------------------------------ flow
EQUATIONS_1D = ("x^2/2 - x^3/3", "x*(1-x)", "sin(x)", "-x^2", "x^4/4 - x^2/2 + x/10", "a*x - x^3", "x^2 +")

flow_edits = st.one_of(
    st.sampled_from(EQUATIONS_1D).map(lambda t: ({"text": t, "preset": ""}, "text")),
    st.sampled_from(("ascent", "descent")).map(lambda d: ({"direction": d}, "direction")),
    st.floats(0.05, 2.6).map(lambda h: ({"h": round(h, 3)}, "h")),
    st.floats(-1.0, 2.0).map(lambda x: ({"x0": round(x, 3)}, "x0")),
    st.integers(1, 120).map(lambda n: ({"steps": n}, "steps")),
    st.tuples(st.floats(-3, 0), st.floats(0.5, 3)).map(lambda r: ({"x_range": (round(r[0], 2), round(r[1], 2))},
                                                                   "x_range")),
    st.booleans().map(lambda b: ({"bundle": b}, "bundle")),
)


@RUNS
@given(edits=st.lists(flow_edits, min_size=1, max_size=6))
def test_flow_page_shows_the_last_result_for_its_scene(window, qtbot, edits):
    page = window.flow
    for changes, group in edits:
        page.edit(changes, group)
    assert window.wait_drawn(30_000) or page.error is not None
    r = page.result
    assert page.is_drawn and r is not None
    if page.error is None:   # (the page completes the scene's parameters from its first result)
        assert r.scene.with_(params=page.scene.params) == page.scene, "the result on screen is not the scene's"
    n = page.clock.index
    for name, canvas in (("F(x)", page.function_canvas), ("phase line", page.phase_canvas),
                         ("x(t)", page.time_canvas)):
        def feed(c, r=r, n=n):
            if hasattr(c, "set_x0"):
                c.set_x0(page.scene.x0)
            c.show_result(r, n)
        assert_same_as_fresh(qtbot, name, canvas, type(canvas)(), feed)


# ------------------------------------------------------------------------------------- lab
lab_edits = st.one_of(
    flow_edits,
    st.lists(st.sampled_from((1.0, 0.5, 0.25, 0.1, 1.5)), min_size=1, max_size=3, unique=True)
    .map(lambda hs: ({"compare_h": tuple(hs)}, "compare_h")),
)


@RUNS
@given(edits=st.lists(lab_edits, min_size=1, max_size=5))
def test_lab_page_shows_the_last_results_for_its_scene(window, qtbot, edits):
    window.show_view("lab")
    page = window.pages["lab"]
    for changes, group in edits:
        page.edit(changes, group)
    if not window.wait_drawn(60_000):
        assert window.flow.error is not None or page.lab_job.error is not None or page.orbit_job.error is not None
        return
    assert page.is_drawn
    # (the flow completes the scene's parameters from its first result; the lab computed with the same)
    same = lambda s: s.with_(params=page.scene.params)    # noqa: E731
    assert same(page.lab_result.scene) == page.scene and same(window.flow.result.scene) == page.scene
    assert same(page.orbit_result.scene).orbit_key() == page.scene.orbit_key()
    assert same(page.chaos_result.scene).orbit_key() == page.scene.orbit_key()
    for view, canvas in page.canvases().items():
        fresh = page.canvas_alone(view)
        # Item by item only: in a small lab cell the labels and legend are placed by what fits, which
        # depends on the sizes the cell went through; the data must be the last result's regardless.
        qtbot.addWidget(fresh)
        fresh.resize(canvas.size())
        fresh.show()
        QApplication.processEvents()
        n = page.clock.index
        if view == "bifurcation":        # its picture is rasterised at the canvas's size
            fresh.show_result(page.orbit_result)
            fresh.show_doublings(page.chaos_result)
            fresh.set_h(page.scene.h)
        elif view == "lyapunov":
            fresh.show_result(page.chaos_result)
            fresh.set_h(page.scene.h)
        elif view == "cobweb":
            fresh.show_result(window.flow.result, n)
        else:
            fresh.show_result(page.lab_result, n)
        assert items(canvas) == items(fresh), f"{view}: the plotted items differ from the last result's"


# -------------------------------------------------------------------------------------- 2-D
EQUATIONS_2D = ("x^2 + 3y^2", "(x^2 - 1)^2 + y^2", "x^2 - y^2", "(1 - x*y)^2/2")
plane_edits = st.one_of(
    st.sampled_from(EQUATIONS_2D).map(lambda t: {"text": t, "preset": ""}),
    st.floats(0.005, 0.2).map(lambda lr: {"lr": round(lr, 4)}),
    st.integers(1, 80).map(lambda n: {"steps": n}),
    st.lists(st.sampled_from(("GD", "Momentum", "Nesterov", "Adam", "RMSprop")), min_size=1, max_size=3, unique=True)
    .map(lambda names: {"optimizers": tuple(names)}),
    st.lists(st.tuples(st.floats(-1.5, 1.5), st.floats(-1.5, 1.5)), min_size=1, max_size=3)
    .map(lambda starts: {"starts": tuple((round(x, 2), round(y, 2)) for x, y in starts)}),
)


@RUNS
@given(edits=st.lists(plane_edits, min_size=1, max_size=5))
def test_plane_page_shows_the_last_result_for_its_scene(window, qtbot, edits):
    from gdviz.ui.contour_canvas import ContourCanvas
    from gdviz.ui.loss_canvas import LossCanvas
    from gdviz.ui.sharpness_canvas import SharpnessCanvas
    page, r = burst(window, "2d", edits)
    view, n = page.widget(), page.clock.index
    assert_same_as_fresh(qtbot, "contours", view.contour, ContourCanvas(), lambda c: c.show_result(r, n))
    assert_same_as_fresh(qtbot, "loss", view.loss, LossCanvas(), lambda c: c.show_result(r, n))
    assert_same_as_fresh(qtbot, "sharpness", view.sharpness, SharpnessCanvas(), lambda c: c.show_result(r, n))


# --------------------------------------------------------------------------------- momentum
momentum_edits = st.one_of(
    st.sampled_from(("x^2/2", "1 - cos(x)", "x^4/4 - x^2/2")).map(lambda t: {"text": t, "preset": ""}),
    st.floats(0.0, 0.99).map(lambda mu: {"momentum": round(mu, 3)}),
    st.floats(0.001, 0.5).map(lambda lr: {"lr": round(lr, 4)}),
    st.floats(-2.0, 2.0).map(lambda x: {"x0": round(x, 2)}),
    st.floats(-1.0, 1.0).map(lambda v: {"v0": round(v, 2)}),
    st.booleans().map(lambda on: {"portrait": on}),
)


@RUNS
@given(edits=st.lists(momentum_edits, min_size=1, max_size=5))
def test_momentum_page_shows_the_last_result_for_its_scene(window, qtbot, edits):
    from gdviz.ui.momentum_view import EnergyCanvas
    from gdviz.ui.phase_plane_canvas import PhasePlaneCanvas
    page, r = burst(window, "momentum", edits)
    view, n = page.widget(), page.clock.index
    assert_same_as_fresh(qtbot, "phase plane", view.phase, PhasePlaneCanvas(), lambda c: c.show_result(r, n))
    assert_same_as_fresh(qtbot, "energy", view.energy_canvas, EnergyCanvas(), lambda c: c.show_result(r, n))


@pytest.mark.parametrize("view", ["flow", "lab", "2d", "momentum"])
def test_drawn_means_every_canvas_has_the_newest_result(window, qtbot, view):
    """`wait_drawn` returns only when nothing is pending: no half picture for an export."""
    window.show_view(view)
    page = window.current_page
    assert window.wait_drawn(60_000)
    assert page.is_drawn and not any(j.busy for j in page.jobs)
