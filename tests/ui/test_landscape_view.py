"""The 2-D tab in the window: it draws the landscape and the optimizers, starts are added, moved and
removed with the mouse, optimizers toggle, bad equations are reported and keep the picture."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from .conftest import RESULT_TIMEOUT


@pytest.fixture
def plane(window, qtbot):
    with qtbot.waitSignal(window.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        window.show_view("2d")
    return window


def click_at(qtbot, canvas, x, y, button=Qt.MouseButton.LeftButton):
    pos = canvas.mapFromScene(canvas.view.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(canvas.viewport(), button, pos=pos)


def test_the_tab_draws_the_seed_landscape(plane):
    view = plane.pages["2d"].widget()
    r = view.result
    assert r.scene.starts == ((-0.9, -0.5), (2.5, 2.0), (-0.5, 2.0))
    assert view.contour.bands.image is not None and len(view.contour.lines.getData()[0]) > 0
    assert view.contour.critical.data["data"].tolist() == ["minimum"]
    assert view.clock.last == r.steps and view.clock.index == r.steps
    assert not plane.flow.left_scroll.isVisible()   # the 1-D panel steps aside; the editor takes F(x, y)
    assert "12x − 12" in view.formulas.text()


def test_click_adds_a_start_and_right_click_removes_it(plane, qtbot):
    canvas = plane.pages["2d"].widget().contour
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        click_at(qtbot, canvas, 2.0, -0.5)
    assert len(plane.pages["2d"].scene.starts) == 4
    assert plane.pages["2d"].scene.starts[-1] == pytest.approx((2.0, -0.5), abs=0.02)
    run = plane.pages["2d"].widget().result.runs["GD"]
    assert run.x.shape[0] == 4 and np.allclose(run.x[3, -1], [1.0, 7 / 9], atol=1e-6)
    marker = canvas.markers[3]
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        click_at(qtbot, canvas, marker.pos().x(), marker.pos().y(), Qt.MouseButton.RightButton)
    assert len(plane.pages["2d"].scene.starts) == 3


def test_moving_a_start(plane, qtbot):
    canvas = plane.pages["2d"].widget().contour
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        canvas.start_moved.emit(0, 0.0, 0.0)
    assert plane.pages["2d"].scene.starts[0] == (0.0, 0.0)
    assert plane.pages["2d"].widget().result.runs["GD"].x[0, 0].tolist() == [0.0, 0.0]


def test_optimizers_side_by_side(plane, qtbot):
    view = plane.pages["2d"].widget()
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        view.checks["Adam"].setChecked(True)
    assert plane.pages["2d"].scene.optimizers == ("GD", "Adam")
    assert set(view.result.runs) == {"GD", "Adam"}
    assert view.contour.done["Adam"].isVisible() and "Adam" in view.formulas.text()
    view.clock.seek(5)
    x, _ = view.contour.done["Adam"].getData()
    assert np.isfinite(x).sum() == 3 * 6            # three starts, iterates 0..5


def test_the_editor_takes_F_of_x_and_y_and_reports_errors_with_a_caret(plane, qtbot):
    view, editor = plane.pages["2d"].widget(), plane.editor
    assert editor.isVisible() and editor.prefix.text() == "F(x, y) ="
    assert editor.field.text() == plane.pages["2d"].scene.text and "∇F" in editor.summary.text()
    assert not any(w.isVisible() for w in editor._switches)          # no ascent/descent in 2-D
    before = view.result
    editor.field.setText("x^2 + (y")
    with qtbot.waitSignal(plane.pages["2d"].job.failed, timeout=RESULT_TIMEOUT):
        editor.field.returnPressed.emit()
    assert "^" in editor.error_text and view.result is before and plane.flow.scene.text == "x^2/2 - x^3/3"
    editor.field.setText("x^4 + y^2 - x")
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        editor.field.returnPressed.emit()
    assert plane.pages["2d"].scene.text == "x^4 + y^2 - x" and not editor.error_text
    plane.show_view("flow")                              # back: the 1-D equation returns
    assert editor.field.text() == "x^2/2 - x^3/3" and editor.prefix.text() == "F(x) ="
    assert any(w.isVisible() for w in editor._switches)


def test_a_preset_loads(plane, qtbot):
    from gdviz.model.landscape import landscape_presets
    names = [p.name for p in landscape_presets()]
    assert len(names) >= 2
    view = plane.pages["2d"].widget()
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        view.presets.activated.emit(view.presets.findData(names[1]))
    assert plane.pages["2d"].scene.preset == names[1]
    kinds = sorted(c.kind for c in view.result.critical)
    assert kinds.count("minimum") >= 1


def test_basins_and_arrows(plane, qtbot):
    view = plane.pages["2d"].widget()
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        view.field.setChecked(True)
    assert len(view.contour.arrows.getData()[0]) > 100
    with qtbot.waitSignal(plane.pages["2d"].basins_job.shown, timeout=RESULT_TIMEOUT):
        view.basins.setChecked(True)
    b = plane.pages["2d"].basins_job.result.map
    assert len(b.minima) == 1 and (b.label == 0).mean() > 0.99      # one bowl: every start ends at (1, 7/9)
    assert view.contour.basins.isVisible()
    # a larger lr: the view's edges now diverge (grey), yet the middle still reaches the minimum
    with qtbot.waitSignal(plane.pages["2d"].basins_job.shown, timeout=RESULT_TIMEOUT):
        view.lr.setValue(0.11)
    label = plane.pages["2d"].basins_job.result.map.label
    assert (label == 0).any()


def test_basins_split_on_two_minima(plane, qtbot):
    from gdviz.model.scene2d import Scene2D
    scene = Scene2D(text="(x^2 - 1)^2 + 0.3x + y^2", starts=((0.5, 1.0), (-0.5, 1.0)), lr=0.05, steps=300,
                    x_range=(-2, 2), y_range=(-1.5, 1.5), basins=True)
    with qtbot.waitSignals([plane.pages["2d"].job.shown, plane.pages["2d"].basins_job.shown], timeout=RESULT_TIMEOUT):
        plane.set_scenes({"2d": scene})
    bm = plane.pages["2d"].basins_job.result.map
    assert len(bm.minima) == 2
    left = 0 if bm.minima[0].x < 0 else 1
    j_left = int(np.argmin(np.abs(bm.x + 1.5)))
    j_right = int(np.argmin(np.abs(bm.x - 1.5)))
    i_mid = int(np.argmin(np.abs(bm.y)))
    assert bm.label[i_mid, j_left] == left and bm.label[i_mid, j_right] == 1 - left
    assert 0.3 < bm.share(left) < 0.7
    ends = plane.pages["2d"].widget().result.runs["GD"].x[:, -1]
    assert ends[0, 0] > 0 > ends[1, 0]              # the start decides the answer


def test_sgd_on_data(plane, qtbot):
    view = plane.pages["2d"].widget()
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        view.data_mode.setChecked(True)
    r = view.result
    assert r.data is not None and set(r.runs) == {"full batch", "SGD, batch 5"}
    assert [c.kind for c in r.critical] == ["minimum"]
    assert (r.critical[0].x, r.critical[0].y) == pytest.approx(r.best, abs=1e-9)   # the MSE's minimum
    assert view.data_canvas.isVisible() and not plane.editor.field.isEnabled()
    # batch = the whole dataset: SGD is full-batch gradient descent, step for step
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        view.batch.setValue(50)
    runs = view.result.runs
    np.testing.assert_array_equal(runs["full batch"].x, runs["SGD, batch 50"].x)
    seed = plane.pages["2d"].scene.data_seed
    with qtbot.waitSignal(plane.pages["2d"].job.shown, timeout=RESULT_TIMEOUT):
        view.new_data.click()
    assert plane.pages["2d"].scene.data_seed == seed + 1 and view.result.best != r.best
    w, b = view.result.runs["full batch"].x[0, -1]
    x, y = view.data_canvas.lines["full batch"].getData()
    np.testing.assert_allclose(y, w * x + b)


def test_momentum_tab_in_the_window(window, qtbot):
    with qtbot.waitSignal(window.pages["momentum"].job.shown, timeout=RESULT_TIMEOUT):
        window.show_view("momentum")
    r = window.pages["momentum"].widget().result
    kinds = {round(e.x, 6): str(getattr(e.kind, "value", e.kind)) for e in r.equilibria}
    assert kinds[0.0] == "stable centre" and "saddle" in kinds[round(np.pi, 6)]   # the pendulum
    assert window.active_clock() is window.pages["momentum"].widget().clock
    with qtbot.waitSignal(window.pages["momentum"].job.shown, timeout=RESULT_TIMEOUT):
        window.pages["momentum"].widget().changed.emit({"momentum": 0.9})
    assert window.pages["momentum"].current_scene().momentum == 0.9 and window.pages["momentum"].widget().result.scene.momentum == 0.9
    window.pages["momentum"].widget().changed.emit({"lr": -1.0})             # refused: the scene stays
    assert window.pages["momentum"].current_scene().lr > 0


def test_only_the_ticked_optimizers_boxes_show(plane, qtbot):
    """Eleven hyperparameter boxes took two rows of a 720p projector with GD alone ticked: a box
    shows while some ticked optimizer uses it (lr, steps and the rate map's μ always)."""
    page = plane.pages["2d"]
    view = page.view
    shown = lambda: {k for k, box in view.hyper_boxes.items() if box.isVisibleTo(view)}   # noqa: E731
    assert page.job.result.scene.optimizers == ("GD",)     # the default scene
    assert shown() == {"lr", "steps", "momentum"}
    with qtbot.waitSignal(page.drawn, timeout=RESULT_TIMEOUT):
        view.checks["AdamW"].click()
    assert shown() == {"lr", "steps", "momentum", "beta1", "beta2", "eps", "weight_decay", "amsgrad"}
    with qtbot.waitSignal(page.drawn, timeout=RESULT_TIMEOUT):
        view.checks["Newton"].click()               # an integrator has only its step, lr
    assert "alpha" not in shown() and "dampening" not in shown()
