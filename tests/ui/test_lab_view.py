"""The step-size lab in the window: it computes when shown, draws every view, links to h and the
animation, and a sweep can be cancelled without losing the picture."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from .conftest import RESULT_TIMEOUT


@pytest.fixture
def lab(window, qtbot):
    """The window with its lab tab open and every lab result drawn."""
    page = window.pages["lab"]
    with qtbot.waitSignals([page.lab_job.shown, page.orbit_job.shown, page.chaos_job.shown], timeout=RESULT_TIMEOUT):
        window.show_view("lab")
    qtbot.waitUntil(lambda: page.is_drawn, timeout=RESULT_TIMEOUT)
    return window


def click_at(qtbot, canvas, x: float, y: float) -> None:
    """A left click at data coordinates (x, y) of a canvas."""
    scene_pos = canvas.view.mapViewToScene(QPointF(x, y))
    pos = canvas.mapFromScene(scene_pos)
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_lab_is_computed_only_when_shown(window, qtbot):
    assert window.pages["lab"].lab_result is None and window.pages["lab"].orbit_result is None
    assert not window.pages["lab"].lab_job.busy and not window.pages["lab"].orbit_job.busy


def test_every_lab_view_is_drawn(lab):
    view = lab.pages["lab"].widget()
    texts = view.compare_canvas.legend_texts()
    assert texts[0].startswith("exact x(t)")
    assert texts[1].startswith("h = 0.5 (yours): error")
    assert [t.split(":")[0] for t in texts[2:]] == ["h = 1", "h = 0.1"]
    slopes = view.error_canvas.slopes
    assert slopes["Euler"] == pytest.approx(1, abs=0.1) and slopes["RK4"] == pytest.approx(4, abs=0.1)
    assert [t.split(":")[0] for t in view.error_canvas.legend_texts()] == ["Euler", "Heun", "RK4"]
    # the thresholds of x* = 1 are marked on the error plot, the diagram and the h slider
    assert view.error_canvas.monotone_line.isVisible() and view.error_canvas.stable_line.isVisible()
    assert view.bifurcation_canvas.stable_line.value() == pytest.approx(2.0)
    assert len(lab.flow.panel.h.marks()) == 2
    image = view.bifurcation_canvas.image.image
    assert image is not None and image.size > 0 and np.nanmax(image) == pytest.approx(1.0)
    assert view.bifurcation_canvas.h_line.value() == pytest.approx(0.5)
    assert view.cobweb_canvas.current_index == lab.flow.clock.index == 30


def test_clicking_the_diagram_sets_h(lab, qtbot):
    canvas = lab.pages["lab"].widget().bifurcation_canvas
    with qtbot.waitSignal(lab.result_shown, timeout=RESULT_TIMEOUT,
                          check_params_cb=lambda r: abs(r.scene.h - 2.2) < 0.02):
        click_at(qtbot, canvas, 2.2, 0.5)
    assert lab.flow.scene.h == pytest.approx(2.2, abs=0.02)
    assert canvas.h_line.value() == pytest.approx(lab.flow.scene.h)
    assert "are pushed away from it" in lab.flow.panel.regime.text()
    # dragging the line sets h too, and changing h does not recompute the diagram
    before = lab.pages["lab"].orbit_result
    with qtbot.waitSignal(lab.result_shown, timeout=RESULT_TIMEOUT):
        canvas.h_dragged.emit(1.9)
    assert lab.flow.scene.h == pytest.approx(1.9)
    assert lab.pages["lab"].orbit_result is before and not lab.pages["lab"].orbit_job.busy


def test_set_h_to_the_monotone_threshold(lab, qtbot):
    with qtbot.waitSignal(lab.pages["lab"].lab_job.shown, timeout=RESULT_TIMEOUT):
        qtbot.mouseClick(lab.flow.panel.fastest, Qt.MouseButton.LeftButton)
    assert lab.flow.scene.h == pytest.approx(1.0)
    assert lab.pages["lab"].lab_result.runs[0].h == pytest.approx(1.0)


def test_compare_list_is_edited_as_text(lab, qtbot):
    edit = lab.pages["lab"].widget().compare_edit
    edit.setText("2, 0.25")
    with qtbot.waitSignal(lab.pages["lab"].lab_job.shown, timeout=RESULT_TIMEOUT):
        edit.editingFinished.emit()
    assert lab.flow.scene.compare_h == (2.0, 0.25)
    assert [r.h for r in lab.pages["lab"].lab_result.runs] == [0.5, 2.0, 0.25]
    edit.setText("0.5, oops")
    with qtbot.waitSignal(lab.pages["lab"].widget().invalid, timeout=2000):
        edit.editingFinished.emit()
    assert lab.flow.scene.compare_h == (2.0, 0.25)           # the bad text changed nothing
    with qtbot.waitSignal(lab.pages["lab"].lab_job.shown, timeout=RESULT_TIMEOUT):
        lab.undo()                                       # and the list edit is undoable
    assert lab.flow.scene.compare_h == (1.0, 0.5, 0.1)


def test_the_animation_moves_the_cobweb_and_the_compared_runs(lab, qtbot):
    lab.flow.clock.seek(4)
    view = lab.pages["lab"].widget()
    assert view.cobweb_canvas.current_index == 4
    x, y = view.cobweb_canvas.done.getData()
    assert len(x) == 2 * 4 + 1 and y[-1] == pytest.approx(lab.flow.result.x[4])
    # every compared run is drawn up to the time the scene's run has reached: t = 4·0.5 = 2
    for item, run in zip(view.compare_canvas.runs, lab.pages["lab"].lab_result.runs):
        t, _ = item.getData()
        assert t[-1] <= 2.0 + 1e-9 and t[-1] > 2.0 - run.h


def test_cancelling_a_sweep_keeps_the_previous_picture(lab, qtbot):
    before = lab.pages["lab"].orbit_result
    with qtbot.waitSignal(lab.pages["lab"].orbit_job.client.progress, timeout=RESULT_TIMEOUT):
        lab.set_scenes({"flow": lab.flow.scene.with_(orbit_h_count=20_000, orbit_transient=40_000, orbit_kept=400)})
    with qtbot.waitSignal(lab.pages["lab"].orbit_job.client.busy_changed, timeout=2000,
                          check_params_cb=lambda busy: not busy):
        lab.pages["lab"].widget().cancel.click()
    assert lab.pages["lab"].orbit_result is before
    canvas = lab.pages["lab"].widget().bifurcation_canvas
    assert canvas.result is before and canvas.image.image is not None   # the same diagram is drawn
    assert "cancelled" in lab.status_label.text()


def test_a_bad_h_range_is_refused_where_it_is_typed(lab, qtbot):
    view = lab.pages["lab"].widget()
    view.h_auto.setChecked(False)
    qtbot.waitUntil(lambda: lab.flow.scene.h_range is not None, timeout=RESULT_TIMEOUT)
    with qtbot.waitSignal(view.invalid, timeout=2000):
        view.h_lo.setValue(view.h_hi.value() + 1)
    lo, hi = lab.flow.scene.h_range
    assert 0 < lo < hi


def test_export_of_a_single_lab_view(lab, tmp_path):
    from PySide6.QtGui import QImage
    out = tmp_path / "bif.png"
    lab.export_png(str(out), (900, 500), view="bifurcation")
    img = QImage(str(out))
    assert (img.width(), img.height()) == (900, 500)
    colours = {img.pixel(x, y) for x in range(0, 900, 5) for y in range(0, 500, 5)}
    assert len(colours) > 20


def test_each_plot_can_be_shown_alone_and_all_four_come_back(lab, qtbot):
    view = lab.pages["lab"].widget()
    heights = {name: view.cells[name].height() for name in view.cells}
    qtbot.mouseClick(view.expand_buttons["cobweb"], Qt.MouseButton.LeftButton)
    assert view.focused == "cobweb"
    qtbot.waitUntil(lambda: view.cobweb_canvas.height() > heights["cobweb"])
    assert [n for n, cell in view.cells.items() if cell.isVisible()] == ["cobweb"]
    assert view.cobweb_canvas.width() > 0.9 * view.width()            # it fills the tab
    qtbot.mouseClick(view.expand_buttons["bifurcation"], Qt.MouseButton.LeftButton)   # only one at a time
    assert view.focused == "bifurcation" and not view.expand_buttons["cobweb"].isChecked()
    assert [n for n, cell in view.cells.items() if cell.isVisible()] == ["bifurcation"]
    qtbot.mouseClick(view.expand_buttons["bifurcation"], Qt.MouseButton.LeftButton)
    assert view.focused is None and all(cell.isVisible() for cell in view.cells.values())
    with pytest.raises(ValueError):
        view.show_alone("phase line")


def test_the_error_plot_measures_euler_against_the_modified_flow_on_request(lab, qtbot):
    """Issue 14, §1: against the modified equation Euler's error has slope 2, not 1; the choice
    is an ordinary, undoable scene edit."""
    view = lab.pages["lab"].widget()
    assert lab.pages["lab"].lab_result.sweep.slopes["Euler"] == pytest.approx(1.0, abs=0.15)
    with qtbot.waitSignal(lab.pages["lab"].lab_job.shown, timeout=RESULT_TIMEOUT):
        view.error_reference.setCurrentIndex(view.error_reference.findData("modified"))
    assert lab.flow.scene.error_reference == "modified"
    assert lab.pages["lab"].lab_result.sweep.slopes["Euler"] == pytest.approx(2.0, abs=0.2)
    with qtbot.waitSignal(lab.pages["lab"].lab_job.shown, timeout=RESULT_TIMEOUT):
        lab.undo()
    assert lab.flow.scene.error_reference == "exact" and view.error_reference.currentData() == "exact"


# ------------------------------------------------------------------ issue 14 §4: the route to chaos
def shown_curve(canvas) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(canvas.curve.xData), np.asarray(canvas.curve.yData)


def visible_marks(marks) -> list[float]:
    return [m.value() for m in marks if m.isVisible()]


def assert_chaos_drawn(view, chaos, orbits) -> None:
    """The exponent's canvas plots exactly the computed arrays, on the diagram's own grid, and the
    doublings in range are marked on both plots."""
    np.testing.assert_array_equal(chaos.h, orbits.diagram.h)
    x, y = shown_curve(view.lyapunov_canvas)
    np.testing.assert_array_equal(x, chaos.h)
    finite = np.isfinite(chaos.lyapunov)
    np.testing.assert_array_equal(y[finite], chaos.lyapunov[finite])
    assert np.isnan(y[~finite]).all()
    in_range = [d.h for d, _ in chaos.shown_doublings()]
    assert visible_marks(view.lyapunov_canvas.marks) == pytest.approx(in_range)
    assert visible_marks(view.bifurcation_canvas.doubling_marks) == pytest.approx(in_range)


def test_the_lyapunov_exponent_is_drawn_under_the_diagram(lab):
    page = lab.pages["lab"]
    view = page.widget()
    chaos = page.chaos_result
    assert_chaos_drawn(view, chaos, page.orbit_result)
    assert chaos.h[0] == pytest.approx(0.5) and chaos.h[-1] == pytest.approx(3.0)     # the automatic range
    lam = chaos.lyapunov
    assert lam[np.argmin(abs(chaos.h - 1.5))] == pytest.approx(-np.log(2), abs=0.01)
    assert np.all(lam[chaos.h < 1.99] < 0) and np.nanmax(lam) > 0.5                  # settles, then chaos
    assert view.lyapunov_canvas.zero.value() == 0.0 and view.lyapunov_canvas.zero.isVisible()
    # one h-axis for both plots
    assert view.lyapunov_canvas.view.viewRange()[0] == pytest.approx(view.bifurcation_canvas.view.viewRange()[0])
    text = view.doublings_label.text()
    assert text.startswith("Gap ratios 4.751, 4.656") and "Feigenbaum" in text
    assert "period 2, 4, 8, 16" in text and "2.000000, 2.449490, 2.544090, 2.564407" in text
    assert "period 16 at h = 2.564407" in view.doublings_label.toolTip()
    assert "Lyapunov exponent" in lab.pages["lab"].canvases()["lyapunov"].accessibleDescription()


def test_dragging_h_moves_the_exponents_line_without_recomputing_it(lab, qtbot):
    page = lab.pages["lab"]
    before = page.chaos_result
    with qtbot.waitSignal(lab.result_shown, timeout=RESULT_TIMEOUT):
        page.widget().bifurcation_canvas.h_dragged.emit(2.3)
    assert page.widget().lyapunov_canvas.h_line.value() == pytest.approx(2.3)
    assert page.chaos_result is before and not page.chaos_job.busy


def zoom_box(canvas, lo: float, hi: float) -> None:
    """What a box zoom (pyqtgraph's rubber band, or its wheel) does: a new range, set by the user."""
    vb = canvas.view
    y0, y1 = vb.viewRange()[1]
    from PySide6.QtCore import QRectF
    vb.showAxRect(QRectF(lo, y0, hi - lo, y1 - y0))


def computed_range(page) -> tuple[float, float]:
    h = page.orbit_result.diagram.h
    return float(h[0]), float(h[-1])


def settled_on(page, lo: float, hi: float, tol: float = 0.05):
    def check() -> bool:
        if not page.is_drawn or page.orbit_result is None or page.chaos_result is None:
            return False
        a, b = computed_range(page)
        c, d = page.chaos_result.h_range
        return abs(a - lo) <= tol * (hi - lo) and abs(b - hi) <= tol * (hi - lo) and (a, b) == (c, d)
    return check


def test_zooming_the_diagram_recomputes_it_and_back_returns(lab, qtbot):
    page = lab.pages["lab"]
    view = page.widget()
    canvas = view.bifurcation_canvas
    full = computed_range(page)
    assert not view.zoom_back.isEnabled() and not view.zoom_reset.isEnabled()
    zoom_box(canvas, 2.4, 2.6)
    shown = canvas.view.viewRange()[0]
    qtbot.waitUntil(settled_on(page, 2.4, 2.6), timeout=RESULT_TIMEOUT)
    # the same number of h values as before, now over the zoomed range: full resolution there
    assert len(page.orbit_result.diagram.h) == page.scene.orbit_h_count == 2000
    assert canvas.view.viewRange()[0] == pytest.approx(shown, rel=1e-9)    # the view stays where it was put
    assert_chaos_drawn(view, page.chaos_result, page.orbit_result)
    assert [d.period for d, _ in page.chaos_result.shown_doublings()] == [4, 8, 16, 32, 64]
    assert view.zoom_back.isEnabled() and view.zoom_reset.isEnabled()
    assert page.scene.h_range is None                  # a zoom is a view of the scene, not an edit of it
    # zoom again (by the exponent's plot, which shares the h-axis), then Back twice
    zoom_box(view.lyapunov_canvas, 2.54, 2.58)
    qtbot.waitUntil(settled_on(page, 2.54, 2.58), timeout=RESULT_TIMEOUT)
    assert [d.period for d, _ in page.chaos_result.shown_doublings()] == [8, 16, 32, 64]
    qtbot.mouseClick(view.zoom_back, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(settled_on(page, 2.4, 2.6), timeout=RESULT_TIMEOUT)
    lab.activateWindow()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Backspace)        # the key, where the diagram has the keyboard
    qtbot.waitUntil(settled_on(page, *full, tol=1e-12), timeout=RESULT_TIMEOUT)
    assert not view.zoom_back.isEnabled() and not view.zoom_reset.isEnabled()
    assert_chaos_drawn(view, page.chaos_result, page.orbit_result)


def test_full_range_returns_to_the_scene_and_a_new_equation_forgets_the_zooms(lab, qtbot):
    page = lab.pages["lab"]
    view = page.widget()
    full = computed_range(page)
    zoom_box(view.bifurcation_canvas, 1.0, 2.0)
    qtbot.waitUntil(settled_on(page, 1.0, 2.0), timeout=RESULT_TIMEOUT)
    zoom_box(view.bifurcation_canvas, 1.5, 1.8)
    qtbot.waitUntil(settled_on(page, 1.5, 1.8), timeout=RESULT_TIMEOUT)
    qtbot.mouseClick(view.zoom_reset, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(settled_on(page, *full, tol=1e-12), timeout=RESULT_TIMEOUT)
    assert not view.zoom_back.isEnabled()
    zoom_box(view.bifurcation_canvas, 2.0, 2.5)
    qtbot.waitUntil(settled_on(page, 2.0, 2.5), timeout=RESULT_TIMEOUT)
    page.edit({"x0": 0.2}, "x0")                         # another diagram: its zooms start afresh
    qtbot.waitUntil(settled_on(page, *full, tol=1e-12), timeout=RESULT_TIMEOUT)
    assert page.orbit_result.scene.x0 == 0.2 and page.chaos_result.scene.x0 == 0.2
    assert not view.zoom_back.isEnabled() and not view.zoom_reset.isEnabled()


def test_a_zoom_past_h_zero_starts_just_above_it(lab, qtbot):
    page = lab.pages["lab"]
    zoom_box(page.widget().bifurcation_canvas, -1.0, 1.0)
    qtbot.waitUntil(lambda: page.is_drawn and computed_range(page)[1] < 1.5, timeout=RESULT_TIMEOUT)
    lo, hi = computed_range(page)
    assert 0 < lo < 1e-3 and hi == pytest.approx(1.0, abs=0.1)    # (the box plus the padding pyqtgraph adds)


def test_export_of_the_lyapunov_and_doublings_views(lab, tmp_path):
    from PySide6.QtGui import QImage
    for view in ("lyapunov", "doublings"):
        out = tmp_path / f"{view}.png"
        lab.export_png(str(out), (900, 500), view=view)
        img = QImage(str(out))
        assert (img.width(), img.height()) == (900, 500)
        assert len({img.pixel(x, y) for x in range(0, 900, 5) for y in range(0, 500, 5)}) > 20
    page = lab.pages["lab"]
    alone = page.canvas_alone("doublings")
    try:
        assert "period 8 at h = 2.544090, gap ratio 4.656" in alone.doublings_note.toPlainText()
    finally:
        alone.close()
        alone.deleteLater()


def test_a_zoom_too_narrow_to_plot_is_refused_and_the_picture_stays(lab, qtbot):
    page = lab.pages["lab"]
    before = page.orbit_result
    with qtbot.waitSignal(page.widget().h_zoomed, timeout=5000):
        zoom_box(page.widget().bifurcation_canvas, 2.0, 2.0 + 1e-13)
    assert "cannot zoom there" in lab.status_label.text() and "too narrow" in lab.status_label.text()
    assert page.orbit_result is before and page.zoom.current is None and page.is_drawn


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 720)])
def test_no_axis_label_of_the_lab_is_clipped_with_the_exponent_under_the_diagram(window, qtbot, size):
    """The exponent took height from the diagram: 'xₙ after the transient' (198 px) ran along a
    94 px plot, 'λ(h)' along 36 px, and the shorter top row clipped 'global error at T'."""
    from PySide6.QtWidgets import QApplication

    from .test_projector_layout import clipped_axis_labels
    window.resize(*size)
    window.show_view("lab")
    assert window.wait_drawn()
    QApplication.processEvents()
    assert not clipped_axis_labels(window), "\n".join(clipped_axis_labels(window))


def test_at_the_default_size_the_lab_headers_are_whole_or_say_they_are_cut(lab, qtbot):
    """The doublings list and the cobweb's note were cut mid-word at the window's first size
    ("gap rati", "|g′| < 1 attrac"). Both now end in "…" when cut; the list is compact enough to fit."""
    from gdviz.ui.window_settings import DEFAULT_SIZE
    lab.resize(DEFAULT_SIZE)
    view = lab.pages["lab"].view
    QApplication.processEvents()
    for label in (view.doublings_label, view.cobweb_note):
        shown = label.shown_text()
        assert shown == label.text() or (shown.endswith("…") and label.elided)
        assert label.toolTip()
    assert "gap ratio 4.751" in view.doublings_label.toolTip()         # the whole list, one per line
    assert "Feigenbaum" in view.doublings_label.shown_text()             # the payoff fits at this size
    note = view.cobweb_note
    assert "attracts" in note.toolTip()
    note.parentWidget().resize(120, note.height())      # a narrow column: cut, and it says so
    QApplication.processEvents()
    assert note.elided and note.shown_text().endswith("…")
