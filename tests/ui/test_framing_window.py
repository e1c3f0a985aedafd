"""Framing in the window (issue 13, item 5): a typed equation is framed, Reset zoom returns to the
frame, a range the user typed survives other edits until the next equation, presets keep theirs."""
from __future__ import annotations

import pytest

from .conftest import RESULT_TIMEOUT


def commit(qtbot, window, text, job=None):
    """Type `text` in the shared editor and press Enter; wait for its result."""
    job = job or window.flow.job
    window.editor.field.setText(text)
    with qtbot.waitSignal(job.shown, timeout=RESULT_TIMEOUT,
                          check_params_cb=lambda r: r.scene.text == text):
        window.editor.field.returnPressed.emit()
    return job.result


def inside(x, r):
    return r[0] < x < r[1]


def view_x(canvas):
    return tuple(canvas.view.viewRange()[0])


def shows(canvas, r):
    """The canvas shows the range r (its view is r plus the canvas's small padding)."""
    a, b = view_x(canvas)
    pad = 0.1 * (r[1] - r[0])
    return abs(a - r[0]) <= pad and abs(b - r[1]) <= pad


def test_a_typed_double_well_shows_both_wells_and_the_maximum(qtbot, window):
    r = commit(qtbot, window, "x^4/4 - x^2/2")
    assert all(inside(x, r.scene.x_range) for x in (-1.0, 0.0, 1.0)), r.scene.x_range
    assert sorted(round(e.x, 9) for e in r.equilibria) == [-1.0, 0.0, 1.0]
    assert shows(window.flow.function_canvas, r.scene.x_range)


def test_reset_zoom_returns_to_the_framed_range(qtbot, window):
    window.editor.dir_buttons["descent"].click()
    r = commit(qtbot, window, "(x-5)^2")
    frame = r.scene.x_range
    assert inside(5.0, frame) and inside(r.scene.x0, frame)
    canvas = window.flow.function_canvas
    canvas.force_ranges((20.0, 30.0), None)          # the user zoomed and panned away
    assert not shows(canvas, frame)
    window.board.action("reset-zoom").trigger()
    qtbot.waitUntil(lambda: shows(canvas, frame), timeout=RESULT_TIMEOUT)
    assert window.flow.scene.x_range == frame


def test_a_user_range_survives_a_parameter_change_and_reset_zoom_but_not_a_new_equation(qtbot, window):
    commit(qtbot, window, "k*x - x^3")
    panel = window.flow.panel
    mine = (-5.0, window.flow.scene.x_range[1])
    with qtbot.waitSignal(window.flow.job.shown, timeout=RESULT_TIMEOUT,
                          check_params_cb=lambda r: r.scene.x_range == mine):
        panel.x_min.setValue(-5.0)                   # typed in the range box
    slider = panel.param_sliders["k"]
    with qtbot.waitSignal(window.flow.job.shown, timeout=RESULT_TIMEOUT,
                          check_params_cb=lambda r: r.scene.param_dict.get("k") == 2.0):
        slider.slider.setValue(slider._to_tick(2.0))
    assert window.flow.scene.x_range == mine
    window.board.action("reset-zoom").trigger()
    assert window.flow.scene.x_range == mine
    r = commit(qtbot, window, "(x+3)^2 - x^4/10")
    assert r.scene.x_range != mine
    assert all(inside(e.x, r.scene.x_range) for e in r.equilibria)


def test_a_framed_range_follows_the_parameters_on_reset_zoom(qtbot, window):
    commit(qtbot, window, "a*x^2/2 - x^4/4")               # maxima at ±sqrt(a)
    slider = window.flow.panel.param_sliders["a"]
    with qtbot.waitSignal(window.flow.job.shown, timeout=RESULT_TIMEOUT,
                          check_params_cb=lambda r: r.scene.param_dict.get("a") == 9.0):
        slider.spin.setValue(9.0)
    assert not inside(3.0, window.flow.scene.x_range)       # a parameter change keeps the range
    with qtbot.waitSignal(window.flow.job.shown, timeout=RESULT_TIMEOUT):
        window.board.action("reset-zoom").trigger()
    assert inside(3.0, window.flow.scene.x_range) and inside(-3.0, window.flow.scene.x_range)


def test_a_preset_keeps_its_range(qtbot, window):
    from gdviz.model.presets import preset
    commit(qtbot, window, "(x-5)^2")
    window.flow.load_preset("pitchfork")
    qtbot.waitUntil(lambda: window.flow.result.scene.preset == "pitchfork", timeout=RESULT_TIMEOUT)
    assert window.flow.scene.x_range == preset("pitchfork").scene.x_range
    window.board.action("reset-zoom").trigger()
    assert window.flow.scene.x_range == preset("pitchfork").scene.x_range


def test_the_2d_tab_frames_a_typed_landscape_and_its_starts(qtbot, window):
    page = window.pages["2d"]
    with qtbot.waitSignal(page.job.shown, timeout=RESULT_TIMEOUT):
        window.show_view("2d")
    r = commit(qtbot, window, "(x-3)^2 + (y+4)^2", job=page.job)
    s = r.scene
    assert inside(3.0, s.x_range) and inside(-4.0, s.y_range), (s.x_range, s.y_range)
    assert all(inside(x, s.x_range) and inside(y, s.y_range) for x, y in s.starts)
    assert [c.kind for c in r.critical] == ["minimum"]
    assert r.critical[0].point == pytest.approx((3.0, -4.0))
