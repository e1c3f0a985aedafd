"""The window's parts on their own: text helpers, the clock, the history, sliders, the editor, the
panel, the phase-line symbols and the arrowheads."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QKeyEvent, QMouseEvent, QPainter
from PySide6.QtWidgets import QApplication

from gdviz.model.scene import Scene
from gdviz.ui.animation import AnimationClock
from gdviz.ui.canvas import finite_span
from gdviz.ui.editor import EquationEditor, caret_block
from gdviz.ui.iterates_table import iterates_csv, number_text
from gdviz.ui.parameter_panel import ParameterPanel
from gdviz.ui.phase_line import HALF_LEFT, HALF_RIGHT, flow_arrows
from gdviz.ui.scene_history import SceneHistory
from gdviz.ui.slider_spin import FINE, SliderSpin
from gdviz.ui.status_text import regime_sentence, scene_title
from gdviz.ui.time_canvas import rows_with_gaps


# --- text ----------------------------------------------------------------------------------------
def test_caret_block_marks_the_column_under_the_text():
    html = caret_block("x^2 +* 3", 6, "unexpected '*'")
    echo, caret, message = html.split("<br>")
    assert echo == "x^2&nbsp;+*&nbsp;3"
    assert caret == "&nbsp;" * 5 + "^"
    assert message == "unexpected '*'"
    assert caret_block("", None, "empty expression") == "empty expression"
    assert caret_block("a<b", 2, "x").startswith("a&lt;b")          # user text is escaped


def test_regime_sentences_say_the_outcome_then_the_local_regime():
    from gdviz.model.results import evaluate
    monotone = regime_sentence(evaluate(Scene(h=0.5)))
    assert monotone.split("\n") == [
        "h = 0.50: the iterates converge monotonically to x* = 1 (5.14e−08 away after 30 steps).",
        "Near x* = 1 (a local statement): h ≤ 1/|f'(x*)| = 1.00, so steps close to x* approach it monotonically."]
    assert "1/|f'(x*)| = 1.00 < h < 2/|f'(x*)| = 2.00" in regime_sentence(evaluate(Scene(h=1.5)))
    far = regime_sentence(evaluate(Scene(text="x(1-x)", kind="f", h=0.9, x0=2.5)))
    assert far.startswith("h = 0.90: the iterates diverge: |x| passes 10¹² at step 7")
    assert "no limit" in regime_sentence(evaluate(Scene(text="-x^3", kind="f", h=0.1, x0=0.5)))
    assert "no stable equilibrium" in regime_sentence(evaluate(Scene(text="x", kind="f", h=0.1, x0=0.5)))


def test_window_titles():
    assert scene_title(Scene(), "Logistic growth") == "gdviz — Logistic growth"
    assert scene_title(Scene(text="x*(1-x)", kind="f"), None) == "gdviz — x' = x*(1-x)  (ascent)"


def test_csv_and_number_text_read_back_exactly():
    r = SimpleNamespace(x=np.array([0.1, 0.145, np.nan]), t=np.array([0.0, 0.5, 1.0]),
                        Fx=np.array([1 / 3, 2.0, np.nan]), fx=np.array([0.09, 1e-300, np.nan]))
    lines = iterates_csv(r).splitlines()
    assert lines[0] == "n,t_n,x_n,F(x_n),f(x_n)"
    assert lines[1] == "0,0.0,0.1,0.3333333333333333,0.09"
    assert lines[3] == "2,1.0,nan,nan,nan"
    assert float(number_text(1 / 3)) == 1 / 3


def test_finite_span_ignores_nan_and_pads():
    assert finite_span(np.array([0.0, np.nan, 1.0]), pad=0.1) == pytest.approx((-0.1, 1.1))
    assert finite_span(np.array([2.0, 2.0])) == (1.0, 3.0)
    assert finite_span(np.array([np.nan])) == (-1.0, 1.0)
    assert finite_span(np.array([1.0, 2.0]), pad=0.0, include_zero=True) == (0.0, 2.0)


def test_rows_with_gaps_separates_curves_with_nan():
    t, x = rows_with_gaps(np.array([0.0, 1.0]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(t, [0, 1, np.nan, 0, 1, np.nan])
    np.testing.assert_array_equal(x, [1, 2, np.nan, 3, 4, np.nan])
    assert rows_with_gaps(np.arange(3.0), np.empty((0, 3)))[0].size == 0


# --- the phase line's picture ----------------------------------------------------------------------
def test_flow_arrows_point_where_the_logistic_flow_goes():
    gx = np.linspace(-0.5, 1.5, 801)
    pos, direction = flow_arrows(gx, gx * (1 - gx), [0.0, 1.0], (-0.5, 1.5))
    assert len(pos) >= 3
    for p, d in zip(pos, direction):
        assert d == (1 if 0 < p < 1 else -1)
        assert abs(p) > 0.04 and abs(p - 1) > 0.04           # never on an equilibrium


def test_half_disc_symbols_fill_the_named_side():
    assert HALF_LEFT.boundingRect().right() <= 1e-9 and HALF_LEFT.boundingRect().left() == pytest.approx(-0.5)
    assert HALF_RIGHT.boundingRect().left() >= -1e-9 and HALF_RIGHT.boundingRect().right() == pytest.approx(0.5)


def test_semi_stable_equilibrium_is_half_filled_on_the_side_the_flow_arrives_from(qtbot, window):
    window.flow.load_preset("cubic")                   # x' = 3x^2: flow to the right on both sides of 0
    qtbot.waitUntil(lambda: window.flow.result.scene.preset == "cubic", timeout=20_000)
    pc = window.flow.phase_canvas
    assert pc.stability == [(0.0, "semi-stable")]
    spots = pc.eq_fill.data
    assert len(spots) == 1 and spots["symbol"][0] is HALF_LEFT
    assert len(pc.eq_open.data) == 1              # the open circle outlines the other half
    assert all(d == 1 for _, d in pc.flow_directions)


# --- clock ---------------------------------------------------------------------------------------
def test_clock_steps_clamps_and_stops_at_the_end(qtbot):
    clock = AnimationClock()
    seen = []
    clock.index_changed.connect(seen.append)
    clock.set_last(3)
    assert clock.index == 3                       # a clock at rest at the end follows the end
    clock.reset()
    clock.step(1)
    clock.step(5)
    assert clock.index == 3 and seen[-2:] == [1, 3]
    clock.step(-10)
    assert clock.index == 0
    clock.set_speed(500)
    with qtbot.waitSignal(clock.playing_changed, timeout=3000, check_params_cb=lambda p: p is False):
        clock.play()
    assert clock.index == 3
    clock.seek(2)
    clock.set_last(1)                             # fewer iterates than the index: clamp
    assert clock.index == 1
    clock.seek(0)
    clock.set_last(10, to_end=True)
    assert clock.index == 10


# --- history -------------------------------------------------------------------------------------
def test_history_merges_a_drag_into_one_undo_step():
    now = [0.0]
    history = SceneHistory(Scene(), clock=lambda: now[0])
    for i, h in enumerate([0.4, 0.3, 0.2]):
        now[0] = i * 0.05
        history.push(Scene(h=h), "h")
    now[0] = 5.0
    history.push(Scene(h=0.2, x0=0.3), "x0")
    assert history.undo() == Scene(h=0.2)
    assert history.undo() == Scene()
    assert history.undo() is None
    assert history.redo() == Scene(h=0.2)
    history.push(Scene(h=0.9), "h")               # a new edit drops the redo branch
    assert history.redo() is None


# --- sliders, editor, panel ------------------------------------------------------------------------
def test_log_slider_maps_decades_evenly_and_emits_only_user_edits(qtbot):
    s = SliderSpin(1e-4, 10.0, 0.5, log=True, spin_max=1e3)
    qtbot.addWidget(s)
    got = []
    s.valueChanged.connect(got.append)
    s.setValue(0.01)
    assert got == [] and s.slider.value() == 400    # 2 of 5 decades
    s.slider.setValue(600)
    assert got == [0.1] and s.spin.value() == pytest.approx(0.1)
    s.spin.setValue(250.0)                          # beyond the slider: it rests at the end
    assert got[-1] == 250.0 and s.slider.value() == 1000


def shown_h_slider(qtbot) -> SliderSpin:
    """The window's h slider on its own: 1e-4 to 10 on a log scale, about 130 px of groove."""
    s = SliderSpin(1e-4, 10.0, 0.5, log=True, spin_min=1e-6, spin_max=1e3)
    qtbot.addWidget(s)
    s.resize(260, 30)
    s.show()
    qtbot.waitExposed(s)
    return s


def drag_h(qtbot, s: SliderSpin, pixels: int, modifier=Qt.KeyboardModifier.NoModifier) -> float:
    """Press on the handle of h = 0.5, move `pixels` to the right, release: the new h."""
    s.setValue(0.5)
    slider = s.slider
    start = QPoint(round(slider.mark_x(slider.value())), slider.height() // 2)
    end = start + QPoint(pixels, 0)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, modifier, start)
    qtbot.mouseMove(slider, end)
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, modifier, end)
    return s.value()


@pytest.mark.parametrize("pixels", [6, 12, -9])
def test_a_shift_drag_moves_h_twenty_times_slower_than_a_plain_drag(qtbot, pixels):
    s = shown_h_slider(qtbot)
    got = []
    s.valueChanged.connect(got.append)
    plain = drag_h(qtbot, s, pixels)
    fine = drag_h(qtbot, s, pixels, Qt.KeyboardModifier.ShiftModifier)
    assert got[-1] == fine and s.spin.value() == pytest.approx(fine)
    plain_decades, fine_decades = math.log10(plain / 0.5), math.log10(fine / 0.5)
    assert plain_decades * pixels > 0 and fine_decades * pixels > 0      # the same way
    # a plain pixel is 5 decades over the groove; the box's 5 digits and the slider's ticks round
    assert plain_decades / fine_decades == pytest.approx(FINE, rel=0.08)
    assert fine_decades == pytest.approx(5 * pixels / s.slider._groove()[1] / FINE, rel=0.02)


def test_shift_pressed_during_a_plain_drag_goes_fine_from_there(qtbot):
    s = shown_h_slider(qtbot)
    slider = s.slider
    start = QPoint(round(slider.mark_x(slider.value())), slider.height() // 2)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    qtbot.mouseMove(slider, start + QPoint(10, 0))
    coarse = s.value()
    assert coarse > 1.0                                              # ~1.7 decades a 10 px
    for dx in (10, 20):                                              # Shift down from 10 px on
        move = QMouseEvent(QEvent.Type.MouseMove, QPointF(start + QPoint(dx, 0)),
                           slider.mapToGlobal(QPointF(start + QPoint(dx, 0))), Qt.MouseButton.NoButton,
                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier)
        QApplication.sendEvent(slider, move)
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                       start + QPoint(20, 0))
    assert math.log10(s.value() / coarse) == pytest.approx(5 * 10 / slider._groove()[1] / FINE, rel=0.05)
    assert not slider.isSliderDown()


def test_a_click_on_a_mark_sets_exactly_its_value(qtbot):
    s = shown_h_slider(qtbot)
    got = []
    s.valueChanged.connect(got.append)
    s.set_marks([(1 / 0.7, "blue"), (2 / 0.7, "red"), (50.0, "red")])    # 50 is beyond the slider
    assert s.mark_values() == [1 / 0.7, 2 / 0.7]
    slider = s.slider
    for i, want in ((1, 2 / 0.7), (0, 1 / 0.7)):
        x = round(slider.mark_x(slider.marks[i][0]))
        qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(x, slider.height() - 2))
        assert got[-1] == want and s.value() == want               # not its tick's 3 digits
    assert slider.mark_at(QPointF(x, slider.height() / 2 - 3)) is None    # above the marks: the handle's


@pytest.mark.parametrize("key, factor", [(Qt.Key.Key_Right, 1.001), (Qt.Key.Key_Up, 1.001),
                                         (Qt.Key.Key_Left, 1 / 1.001), (Qt.Key.Key_PageUp, 1.05),
                                         (Qt.Key.Key_PageDown, 1 / 1.05)])
@given(h=st.floats(1e-4, 10.0))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_log_sliders_keys_step_by_a_thousandth_and_a_twentieth(qtbot, key, factor, h):
    s = SliderSpin(1e-4, 10.0, h, log=True, spin_min=1e-6, spin_max=1e3)
    qtbot.addWidget(s)
    s.slider.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier))
    assert s.value() == float(f"{h * factor:.5g}") != h                # what the box shows
    s.close()


def test_editor_debounces_typing_and_commits_on_enter(qtbot):
    ed = EquationEditor()
    qtbot.addWidget(ed)
    ed.set_scene(Scene())
    commits = []
    ed.text_committed.connect(commits.append)
    with qtbot.waitSignal(ed.text_committed, timeout=2000):
        qtbot.keyClicks(ed.field, " + x")
    assert commits == ["x^2/2 - x^3/3 + x"]        # one commit for four keystrokes
    qtbot.keyClicks(ed.field, "^2")
    qtbot.keyClick(ed.field, Qt.Key.Key_Return)
    assert commits[-1] == "x^2/2 - x^3/3 + x^2" and not ed.pending
    ed.show_error("unexpected '*'", 3, "x^*")
    assert ed.error_text.splitlines()[1].replace("\xa0", " ") == "  ^"
    ed.clear_error()
    assert ed.error_text == ""


def test_panel_reports_edits_and_builds_parameter_sliders(qtbot):
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    panel.set_scene(Scene())
    changes = []
    panel.changed.connect(changes.append)
    panel.set_parameters(("a", "b"), {"a": 2.0})
    assert list(panel.param_sliders) == ["a", "b"] and panel.parameter_values() == {"a": 2.0, "b": 1.0}
    panel.param_sliders["b"].spin.setValue(-3.0)
    assert changes[-1] == {"params": {"a": 2.0, "b": -3.0}}
    panel.set_parameters(("b",), {"b": -3.0})
    assert list(panel.param_sliders) == ["b"]
    panel.steps.spin.setValue(500)
    assert changes[-1] == {"steps": 500}
    invalid = []
    panel.range_invalid.connect(invalid.append)
    panel.x_max.setValue(-2.0)                       # B < A: not applied
    assert invalid and changes[-1] == {"steps": 500}
    panel.x_max.setValue(3.0)
    assert changes[-1] == {"x_range": (-0.5, 3.0)}


def test_arrow_heads_paint_nan_and_huge_values_without_complaint(qtbot):
    import pyqtgraph as pg

    from gdviz.ui.arrow_heads import ArrowHeads
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    heads = ArrowHeads("#D55E00")
    plot.addItem(heads)
    heads.set_data(np.array([0.0, 1.0, 1e11, np.nan, 2.0]), np.array([0.0, 1.0, -1e11, np.nan, 0.0]))
    heads.set_count(5)
    plot.resize(300, 200)
    image = QImage(300, 200, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    plot.render(painter)
    painter.end()
    assert not heads.boundingRect().isNull()


def test_the_status_line_says_why_a_kink_never_settles():
    from gdviz.model.results import evaluate
    scene = Scene(text="abs(x)", kind="F", direction="descent", h=0.3, x0=1.0, steps=20, x_range=(-0.5, 1.5))
    text = regime_sentence(evaluate(scene))
    assert "Near x* = 0 (a local statement): F has a kink" in text and "bouncing within 0.3" in text and "no limit on h" not in text


def test_extremum_labels_never_overprint_and_the_sought_one_keeps_its_name(qtbot):
    from gdviz.model.results import evaluate
    from gdviz.ui.function_canvas import FunctionCanvas
    canvas = FunctionCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(1000, 600)
    canvas.show()
    canvas.show_result(evaluate(Scene()))               # the logistic: a min at 0, a max at 1
    qtbot.waitUntil(lambda: sorted(canvas.extremum_labels()) == ["local max", "local min"])
    canvas.resize(200, 150)                             # a 720p projector with the lesson open
    qtbot.waitUntil(lambda: "local max" in canvas.extremum_labels() and len(canvas.extremum_labels()) <= 2)
    shown = [label for label in canvas._labels if label.isVisible()]
    boxes = [label.sceneBoundingRect() for label in shown]
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert set(canvas.extremum_labels()) <= {"local max", "local min", "min"}
    canvas.resize(1000, 600)                            # room again: the full names come back
    qtbot.waitUntil(lambda: sorted(canvas.extremum_labels()) == ["local max", "local min"])
