"""The bundle is drawn from fewer points than it has, and the picture is the same: flat runs (a curve
resting at its equilibrium) and NaN tails (a start that diverged) keep only their ends, and the
legends still see a long flat stretch as data."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from gdviz.model.presets import preset
from gdviz.model.results import evaluate
from gdviz.ui import overlay_layout, time_canvas
from gdviz.ui.time_canvas import FLAT_TOLERANCE, TimeCanvas, drop_flat_runs, peak_decimate, rows_with_gaps

from .test_canvases import picture, shown


def finite_runs(y: np.ndarray, index: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) original index of each run of consecutive finite values."""
    runs, start = [], None
    for k, ok in enumerate(np.isfinite(y)):
        if ok and start is None:
            start = k
        if not ok and start is not None:
            runs.append((int(index[start]), int(index[k - 1])))
            start = None
    if start is not None:
        runs.append((int(index[start]), int(index[len(y) - 1])))
    return runs


def assert_same_polyline(t, y, kept_t, kept_y, tol) -> None:
    """The kept points draw the same connect='finite' polyline: the same finite pieces with the same
    ends, and every dropped point within (points dropped in its run) x tol of the line drawn."""
    index = np.searchsorted(t, kept_t) if np.all(np.diff(t) > 0) else None
    assert index is not None
    assert finite_runs(y, np.arange(len(y))) == finite_runs(kept_y, index)
    for first, last in finite_runs(y, np.arange(len(y))):
        inside = (index >= first) & (index <= last)
        drawn = np.interp(t[first:last + 1], kept_t[inside], kept_y[inside])
        assert np.all(np.abs(drawn - y[first:last + 1]) <= (last - first + 1) * tol + 1e-300)


runs = st.lists(st.tuples(st.sampled_from(["flat", "moving", "nan"]), st.integers(1, 12),
                          st.floats(-5, 5)), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(runs, st.sampled_from([0.0, 1e-9, 1e-3]))
def test_dropping_flat_runs_draws_the_same_polyline(pieces, tol):
    values = []
    rng = np.random.default_rng(len(pieces))
    for kind, n, level in pieces:
        values += ([level] * n if kind == "flat" else [np.nan] * n if kind == "nan"
                   else list(level + rng.normal(size=n)))
    y = np.array(values)
    t = np.arange(len(y), dtype=float)
    kept_t, kept_y = drop_flat_runs(t, y, tol)
    assert_same_polyline(t, y, kept_t, kept_y, tol)
    assert not np.any(np.isnan(kept_y[1:]) & np.isnan(kept_y[:-1]))     # one NaN per gap


def test_a_curve_at_rest_keeps_its_two_ends_and_a_nan_tail_one_nan():
    t = np.arange(8.0)
    kept_t, kept_y = drop_flat_runs(t, np.array([0.0, 0.5, 1, 1, 1, 1, np.nan, np.nan]), 0.0)
    np.testing.assert_array_equal(kept_t, [0, 1, 2, 5, 6])
    np.testing.assert_array_equal(kept_y, [0, 0.5, 1, 1, np.nan])


def test_the_heavy_bundle_keeps_under_half_its_points_and_its_shape():
    s = preset("logistic").scene.with_(bundle=True, bundle_starts=50, steps=5000, h=0.01)
    r = evaluate(s)
    tol = FLAT_TOLERANCE * (s.x_range[1] - s.x_range[0])
    for t_, rows in ((r.t, r.bundle_x), (r.ref_t, r.bundle_ref_x)):
        t_dec, rows_dec = peak_decimate(t_, rows)
        gap = np.full((len(rows), 1), np.nan)
        t_all = np.hstack([np.broadcast_to(t_dec, rows_dec.shape), gap]).ravel()
        y_all = np.hstack([rows_dec, gap]).ravel()
        position, kept_y = drop_flat_runs(np.arange(len(y_all), dtype=float), y_all, tol)
        assert len(kept_y) < 0.5 * len(y_all)
        assert_same_polyline(np.arange(len(y_all), dtype=float), y_all, position, kept_y, tol)
        drawn_t, drawn_y = rows_with_gaps(t_, rows, tol)
        np.testing.assert_array_equal(drawn_t, t_all[position.astype(int)])
        np.testing.assert_array_equal(drawn_y, kept_y)


def test_the_thinned_bundle_is_the_same_picture_pixel_for_pixel(qtbot, monkeypatch):
    canvas = shown(qtbot, TimeCanvas)
    for h in (0.005, 0.02, 0.05):
        r = evaluate(preset("logistic").scene.with_(bundle=True, bundle_starts=50, steps=5000, h=h))
        canvas.show_result(r)
        qtbot.waitUntil(lambda: canvas.overlays_settled)
        thinned = picture(canvas)
        with monkeypatch.context() as m:
            m.setattr(time_canvas, "drop_flat_runs", lambda t, y, tol: (t, y))
            canvas.show_result(r)
            qtbot.waitUntil(lambda: canvas.overlays_settled)
            whole = picture(canvas)
        assert len(canvas.bundle_euler.curve.getData()[0]) > 0
        np.testing.assert_array_equal(thinned, whole)


def test_a_long_straight_segment_is_data_for_the_legends(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    plot.addItem(pg.PlotCurveItem([0.0, 1.0], [0.5, 0.5], connect="finite"))
    QApplication.processEvents()
    points = overlay_layout.data_points(plot.getPlotItem().vb)
    xs = np.sort(points[:, 0])
    area = plot.getPlotItem().vb.sceneBoundingRect()
    assert abs(xs[0] - area.left()) <= 1 and abs(xs[-1] - area.right()) <= 1
    assert np.max(np.diff(xs)) <= overlay_layout.SEGMENT_STEP_PX
    assert np.allclose(points[:, 1], area.center().y(), atol=1)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 50), st.floats(0, 50), st.floats(1, 400), st.floats(1, 400),
       st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=300))
def test_points_become_the_pixels_they_fall_in_once_each(left, top, width, height, where):
    area = QRectF(left, top, width, height)
    points = np.array([(left + fx * width, top + fy * height) for fx, fy in where])
    pixels = overlay_layout._one_per_pixel(points, area)
    expected = {(np.floor(x - left) + left + 0.5, np.floor(y - top) + top + 0.5) for x, y in points}
    assert len(pixels) == len({tuple(p) for p in pixels}) == len(expected)
    assert np.allclose(sorted(map(tuple, pixels)), sorted(expected))
