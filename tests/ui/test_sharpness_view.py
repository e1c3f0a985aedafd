"""The 2-D tab's sharpness plot (issue 15 §1) and F̃'s isolines (issue 14 §1): the window draws
exactly the arrays the worker computed, on the page's one draw path, and exports the plot alone."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from gdviz.model.scene2d import Scene2D
from gdviz.ui.contour_canvas import colour_of
from gdviz.ui.sharpness_canvas import polylines

from .conftest import RESULT_TIMEOUT

EOS = Scene2D(text="(1 - x*y)^2/2", starts=((0.3, 2.5), (1.5, 0.2)), optimizers=("GD", "Momentum", "Adam"),
              lr=0.4, momentum=0.5, steps=150, x_range=(-1.0, 3.0), y_range=(-1.0, 3.0))


@pytest.fixture
def plane(window, qtbot):
    page = window.pages["2d"]
    with qtbot.waitSignal(page.job.shown, timeout=RESULT_TIMEOUT):
        window.show_view("2d")
    with qtbot.waitSignal(page.job.shown, timeout=RESULT_TIMEOUT):
        page.set_scene(EOS)
    assert page.wait_drawn()
    return page


def test_the_plot_draws_exactly_the_computed_sharpness(plane):
    view, r = plane.widget(), plane.result
    assert r.scene == EOS
    for name in EOS.optimizers:
        x, y = view.sharpness.curves[name].getData()
        ex, ey = polylines(r.sharpness[name])
        np.testing.assert_array_equal(x, ex)
        np.testing.assert_array_equal(y, ey)
        assert view.sharpness.curves[name].isVisible()
    # Bounds: GD 2/η = 5, heavy ball 2(1 + μ)/η = 7.5, none for Adam.
    assert view.sharpness.bounds["GD"].value() == pytest.approx(5.0)
    assert view.sharpness.bounds["Momentum"].value() == pytest.approx(7.5)
    assert "Adam" not in view.sharpness.bounds
    line = view.sharpness.bounds["GD"]
    assert line.isVisible() and line.pen.style() == Qt.PenStyle.DashLine
    assert line.pen.color() == QColor(colour_of("GD")) and "2/η = 5" in line.label.format


def test_the_plot_follows_the_clock_and_shares_n_with_the_loss(plane):
    view = plane.widget()
    view.clock.seek(17)
    assert view.sharpness.now.value() == 17 == view.loss.now.value()
    view.loss.view.setXRange(10, 40, padding=0)
    assert view.sharpness.view.viewRange()[0] == pytest.approx([10, 40])


def test_a_bound_far_above_every_path_is_named_not_drawn(plane, qtbot):
    view = plane.widget()
    with qtbot.waitSignal(plane.job.shown, timeout=RESULT_TIMEOUT):
        plane.edit({"lr": 0.001, "optimizers": ("GD",)})
    peak = np.nanmax(plane.result.sharpness["GD"])
    assert 2 * peak < 2 / 0.001
    assert not view.sharpness.bounds["GD"].isVisible()
    assert "2/η = 2000 is above the plot" in view.sharpness._title_text
    assert view.sharpness.view.viewRange()[1][1] < 2 * peak


def test_modified_landscape_toggle_draws_f_tilde_isolines(plane, qtbot):
    view = plane.widget()
    item = view.modified_lines.item
    assert not item.isVisible() and plane.result.modified_x.size == 0
    with qtbot.waitSignal(plane.job.shown, timeout=RESULT_TIMEOUT):
        view.modified.setChecked(True)
    r = plane.result
    assert plane.scene.modified and r.scene.modified and r.modified_x.size > 0
    assert item.isVisible()
    x, y = item.getData()
    np.testing.assert_array_equal(x, r.modified_x)
    np.testing.assert_array_equal(y, r.modified_y)
    with qtbot.waitSignal(plane.job.shown, timeout=RESULT_TIMEOUT):
        plane.edit({"lr": 0.2})                   # recomputed with the result, for the new η
    assert not np.array_equal(item.getData()[0], x) and np.array_equal(item.getData()[0], plane.result.modified_x)
    with qtbot.waitSignal(plane.job.shown, timeout=RESULT_TIMEOUT):
        view.modified.setChecked(False)
    assert not item.isVisible()


def test_the_step_marker_is_no_curve_colour(plane):
    """The reported "vertical line at its right edge" of the loss plot: the marker of the step the
    animation is at rested on the last step in the animation's orange, Adam's colour, solid like a
    curve. It is dashed now, in a colour no optimizer has."""
    view = plane.widget()
    curve_colours = {QColor(colour_of(n)).name() for n in ("GD", "Momentum", "Nesterov", "Adagrad", "RMSprop",
                                                          "Adam", "AdamW")}
    for canvas in (view.loss, view.sharpness):
        pen = canvas.now.pen
        assert pen.style() == Qt.PenStyle.DashLine
        assert pen.color().name() not in curve_colours


def test_the_sharpness_plot_exports_alone(plane, window, tmp_path):
    from gdviz.ui.exports import export_png
    assert "sharpness" in plane.canvases()
    path = tmp_path / "sharpness.png"
    assert export_png(window, path, (600, 400), 1.0, "sharpness") == (600, 400)
    image = QImage(str(path))
    assert image.width() == 600
    # Something in GD's colour was drawn (its curve and its bound).
    gd = QColor(colour_of("GD"))
    hits = sum(1 for x in range(0, 600, 3) for y in range(0, 400, 3)
               if abs(QColor(image.pixel(x, y)).red() - gd.red()) < 12
               and abs(QColor(image.pixel(x, y)).green() - gd.green()) < 12
               and abs(QColor(image.pixel(x, y)).blue() - gd.blue()) < 12)
    assert hits > 20
