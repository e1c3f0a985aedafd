"""The edge-of-stability tab in the window: it trains on the worker and draws exactly the arrays the
model computed (loss, sharpness, 2/η, fit), refuses bad learning rates beside the field, and
exports."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QImage

from gdviz.model.training import TrainScene
from gdviz.model.training.run import FIT_GRID

from .conftest import RESULT_TIMEOUT

SMALL = TrainScene(rates=(0.4, 0.25, 0.05), steps=400, every=25)


@pytest.fixture
def edge(window):
    window.show_view("edge")
    page = window.pages["edge"]
    page.set_scene(SMALL)
    assert page.wait_drawn(RESULT_TIMEOUT)
    return page


def curve_data(item) -> tuple[np.ndarray, np.ndarray]:
    x, y = item.getOriginalDataset()
    return np.asarray(x, float), np.asarray(y, float)


def test_the_page_draws_exactly_the_computed_arrays(edge):
    r = edge.result
    assert r.scene == SMALL and len(r.runs) == 3
    view = edge.view
    for i, run in enumerate(r.runs):
        x, y = curve_data(view.loss_canvas.curves[i])
        np.testing.assert_array_equal(x, np.arange(SMALL.steps + 1))
        np.testing.assert_array_equal(y, run.loss)
        x, y = curve_data(view.sharpness_canvas.curves[i])
        np.testing.assert_array_equal(x, np.arange(0, SMALL.steps + 1, SMALL.every))
        np.testing.assert_array_equal(y, run.sharpness)
        assert view.sharpness_canvas.thresholds[i].value() == pytest.approx(2 / SMALL.rates[i])
        assert view.sharpness_canvas.thresholds[i].isVisible()
        fit = view.fit_canvases[i]
        assert fit.isVisible() and fit.current_index == i
        assert fit.image.image.shape == (FIT_GRID, FIT_GRID)
        np.testing.assert_array_equal(fit.image.image, np.clip(run.fit, -1.5, 1.5))
        assert f"η = {SMALL.rates[i]:g}" in fit._title_text
    assert not view.fit_canvases[3].isVisible()
    # The sharpness the worker measured is the model's: real numbers, rising at the largest rate.
    assert np.isfinite(r.runs[0].sharpness).all() and r.runs[0].sharpness[-1] > r.runs[0].sharpness[0]


def test_fewer_rates_hide_the_extra_curves_and_lines(qtbot, edge):
    edge.view.rates.setText("0.3")
    edge.view.rates.editingFinished.emit()
    assert edge.wait_drawn(RESULT_TIMEOUT)
    view = edge.view
    assert edge.result.scene.rates == (0.3,)
    assert [c.isVisible() for c in view.loss_canvas.curves] == [True, False, False]
    assert [ln.isVisible() for ln in view.sharpness_canvas.thresholds] == [True, False, False]
    assert [c.isVisible() for c in view.fit_canvases] == [True, False, False, False]
    np.testing.assert_array_equal(curve_data(view.loss_canvas.curves[0])[1], edge.result.runs[0].loss)


@pytest.mark.parametrize("text", ["", "fast", "0.1, -2", "1, 2, 3, 4, 5", "nan"])
def test_bad_rates_are_refused_beside_the_field_and_the_picture_stays(edge, text):
    before = edge.result
    edge.view.rates.setText(text)
    edge.view.rates.editingFinished.emit()
    assert edge.view.error.isVisibleTo(edge.view) and edge.view.error.text()
    assert edge.scene == SMALL and edge.result is before
    assert edge.view.rates.text() == text          # what they typed stays, to correct it


def test_the_tab_exports_a_png_of_what_it_drew(edge, tmp_path):
    path = tmp_path / "edge.png"
    edge.host.export_png(str(path), (1200, 800), "edge")
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1200, 800)
    colours = {image.pixelColor(x, y).name() for x in range(0, 1200, 13) for y in range(0, 800, 13)}
    assert len(colours) > 20                         # curves, the fit's colours and the data, not a blank


def test_the_csv_export_is_the_first_runs_table(edge):
    from gdviz.model.training import csv_text
    assert edge.table_csv() == csv_text(edge.result.runs[0])
    assert edge.description().count("learning rate") == 3


def test_presentation_mode_redraws_every_plot_with_the_same_arrays(edge):
    """A restyle redraws each canvas as show_result(result, current_index): the tab's canvases
    refused the index (a TypeError in the event loop) and the fits must keep their own run."""
    from gdviz.ui import style
    look = edge.host.addons["presentation"]
    try:
        look.set_presentation(True)
        view, r = edge.view, edge.result
        for i, run in enumerate(r.runs):
            np.testing.assert_array_equal(view.loss_canvas.curves[i].getOriginalDataset()[1], run.loss)
            np.testing.assert_array_equal(view.sharpness_canvas.curves[i].getOriginalDataset()[1], run.sharpness)
            assert view.fit_canvases[i].current_index == i
            np.testing.assert_array_equal(view.fit_canvases[i].image.image, np.clip(run.fit, -1.5, 1.5))
    finally:
        look.set_presentation(False)
        style.set_look("light", False)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_rates_text_is_a_valid_scene_or_one_plain_sentence(text):
    from gdviz.ui.edge_view import parse_rates
    try:
        rates = parse_rates(text)
    except ValueError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return
    assert TrainScene(rates=rates).rates == rates       # what the field accepts, the model accepts


@pytest.mark.parametrize(("text", "rates"), [("0.4, 0.25, 0.1", (0.4, 0.25, 0.1)), ("0.3;0.2", (0.3, 0.2)),
                                             (" 1e-2  2 ", (0.01, 2.0))])
def test_rates_are_read_like_a_list_of_numbers(text, rates):
    from gdviz.ui.edge_view import parse_rates
    assert parse_rates(text) == rates
