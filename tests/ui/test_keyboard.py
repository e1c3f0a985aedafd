"""The keyboard and the clicker (issue 13, items 1-3): the window's keys work from any control a
mouse touched, never from a text field; Escape and a click on empty space give the keyboard back;
redo has Ctrl+Shift+Z and Ctrl+Y; every tab has its Alt+number. Keys are sent to the widget that
has the keyboard, after it got it the way a user gives it (a click, or Tab)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from gdviz.model.views import TAB_VIEWS
from gdviz.ui.keyboard import is_text_entry, keyboard_focused
from gdviz.ui.lesson_panel import install_lesson

from .conftest import RESULT_TIMEOUT

STEP_4 = 3          # 0-based: "Stable versus unstable", whose "Try this" asks to drag x0


def _forget_the_lesson() -> None:
    s = QSettings("gdviz", "gdviz")
    s.remove("lesson")
    s.remove("window/state")
    s.sync()


@pytest.fixture(autouse=True)
def _fresh_lesson_settings():
    _forget_the_lesson()
    yield
    _forget_the_lesson()


@pytest.fixture
def lesson(qtbot, window):
    controller = install_lesson(window)
    with qtbot.waitSignal(controller.panel.step_shown, timeout=RESULT_TIMEOUT):
        controller.show()
    return controller


@pytest.fixture
def qt_warnings():
    """Qt's warnings while the test runs (e.g. "QAction::event: Ambiguous shortcut overload")."""
    seen: list[str] = []

    def handler(kind, _context, message) -> None:
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg):
            seen.append(message)

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)


def drag_focus(qtbot, window, widget) -> None:
    """Give `widget` the keyboard as a mouse does: a press on it (a slider takes focus on a click)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())
    qtbot.waitUntil(widget.hasFocus)
    assert not keyboard_focused(widget)


def tab_focus(qtbot, window, widget) -> None:
    """Give `widget` the keyboard as Tab does."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus)
    assert keyboard_focused(widget)


def x0_slider(window):
    return window.flow.panel.x0.slider


# ------------------------------------------------------------------------------- item 1: the clicker
def test_page_down_after_dragging_x0_moves_the_lesson_not_x0(lesson, window, qtbot):
    panel = lesson.panel
    steps = panel.lesson.steps
    assert steps[STEP_4].scene is not None and steps[STEP_4 + 1].scene is not None
    with qtbot.waitSignal(panel.step_shown, timeout=RESULT_TIMEOUT):
        panel.go(STEP_4)
    slider = x0_slider(window)
    drag_focus(qtbot, window, slider)                # "Try this": drag x0
    with qtbot.waitSignal(panel.step_shown, timeout=RESULT_TIMEOUT):
        qtbot.keyClick(slider, Qt.Key.Key_PageDown)
    assert panel.index == STEP_4 + 1
    assert window.flow.scene.x0 == steps[STEP_4 + 1].scene.x0    # the next step's, not a page step
    slider = x0_slider(window)
    drag_focus(qtbot, window, slider)
    with qtbot.waitSignal(panel.step_shown, timeout=RESULT_TIMEOUT):
        qtbot.keyClick(slider, Qt.Key.Key_PageUp)
    assert panel.index == STEP_4
    assert window.flow.scene.x0 == steps[STEP_4].scene.x0


def test_the_clickers_arrows_move_the_lesson_from_a_slider_and_a_button(lesson, window, qtbot):
    panel = lesson.panel
    with qtbot.waitSignal(panel.step_shown, timeout=RESULT_TIMEOUT):
        panel.go(STEP_4)
    slider = x0_slider(window)
    drag_focus(qtbot, window, slider)
    with qtbot.waitSignal(panel.step_shown, timeout=RESULT_TIMEOUT):
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert panel.index == STEP_4 + 1
    assert window.flow.scene.x0 == panel.lesson.steps[STEP_4 + 1].scene.x0
    focus = QApplication.focusWidget()
    with qtbot.waitSignal(panel.step_shown, timeout=RESULT_TIMEOUT):
        qtbot.keyClick(focus or window, Qt.Key.Key_Left)
    assert panel.index == STEP_4


def test_page_keys_in_a_text_field_stay_there(lesson, window, qtbot):
    panel = lesson.panel
    field = window.editor.field
    window.activateWindow()
    field.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_PageDown)
    qtbot.keyClick(field, Qt.Key.Key_Right)
    assert panel.index == 0


def test_without_a_lesson_page_keys_are_the_widgets(window, qtbot):
    slider = x0_slider(window)
    tab_focus(qtbot, window, slider)
    tick = slider.value()
    qtbot.keyClick(slider, Qt.Key.Key_PageDown)
    assert slider.value() == max(slider.minimum(), tick - slider.pageStep()) != tick


def test_b_and_period_blank_the_screen_and_escape_brings_it_back(window, qtbot):
    slider = x0_slider(window)
    drag_focus(qtbot, window, slider)
    blank = window.addons["presentation"].blank
    qtbot.keyClick(slider, Qt.Key.Key_B)
    assert blank.isVisible() and blank.geometry() == window.rect()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_B)
    assert not blank.isVisible()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Period)
    assert blank.isVisible()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
    assert not blank.isVisible()
    # typed in the equation, B is a letter
    field = window.editor.field
    field.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(field.hasFocus)
    field.end(False)
    qtbot.keyClicks(field, "b")
    assert not blank.isVisible() and field.text().endswith("b")


# --------------------------------------------------------------------- item 2: animation keys
def test_space_arrows_and_home_drive_the_animation_from_a_dragged_slider(window, qtbot):
    slider = x0_slider(window)
    drag_focus(qtbot, window, slider)
    x0, tick, clock = window.flow.scene.x0, slider.value(), window.flow.clock
    assert clock.index == clock.last > 2
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    assert clock.index == 0
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert clock.index == 2
    qtbot.keyClick(slider, Qt.Key.Key_Left)
    assert clock.index == 1
    qtbot.keyClick(slider, Qt.Key.Key_Space)
    assert clock.playing
    qtbot.keyClick(slider, Qt.Key.Key_Space)
    assert not clock.playing
    assert slider.value() == tick and window.flow.scene.x0 == x0


def test_a_slider_reached_with_tab_keeps_its_arrows(window, qtbot):
    slider = x0_slider(window)
    tab_focus(qtbot, window, slider)
    window.menuBar().setFocus(Qt.FocusReason.PopupFocusReason)     # a menu opened and closed:
    slider.setFocus(Qt.FocusReason.PopupFocusReason)               # the slider is still Tab's
    qtbot.waitUntil(slider.hasFocus)
    tick, clock = slider.value(), window.flow.clock
    index = clock.index
    qtbot.keyClick(slider, Qt.Key.Key_Left)
    assert slider.value() == tick - slider.singleStep() and clock.index == index
    qtbot.keyClick(slider, Qt.Key.Key_Space)           # a slider has no use for Space: it plays
    assert clock.playing
    clock.pause()


@pytest.mark.parametrize("key, want", [
    (Qt.Key.Key_Right, [0.5005, 0.501]),      # fine: h·1.001, in the box's 5 digits
    (Qt.Key.Key_Down, [0.4995, 0.499]),
    (Qt.Key.Key_PageUp, [0.525, 0.55125]),    # coarse: h·1.05
    (Qt.Key.Key_PageDown, [0.47619, 0.45351]),
])
def test_the_tab_focused_h_slider_steps_finely_with_arrows_and_coarsely_with_page_keys(window, qtbot, key, want):
    slider = window.flow.panel.h.slider
    assert window.flow.scene.h == 0.5
    tab_focus(qtbot, window, slider)
    clock = window.flow.clock
    index = clock.index
    got = []
    for _ in want:
        qtbot.keyClick(slider, key)
        got.append(window.flow.scene.h)
    assert got == want and clock.index == index                # the slider's keys, not the animation's
    with qtbot.waitSignal(window.result_shown, timeout=RESULT_TIMEOUT,
                          check_params_cb=lambda r: r.scene.h == want[-1]):
        pass


def test_shift_arrows_step_coarsely_too(window, qtbot):
    slider = window.flow.panel.h.slider
    tab_focus(qtbot, window, slider)
    qtbot.keyClick(slider, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.flow.scene.h == 0.525


def test_a_clicked_h_slider_leaves_its_arrows_to_the_animation(window, qtbot):
    slider = window.flow.panel.h.slider
    drag_focus(qtbot, window, slider)
    h, clock = window.flow.scene.h, window.flow.clock
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert clock.index == 1 and window.flow.scene.h == h


def test_typing_in_the_h_box_keeps_space_and_enter_gives_the_keyboard_back(window, qtbot):
    box = window.flow.panel.h.spin
    edit = box.lineEdit()
    window.activateWindow()
    box.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() in (box, edit))
    edit.selectAll()
    qtbot.keyClicks(edit, "1.1")
    qtbot.keyClicks(edit, " ")
    assert edit.text() == "1.1 " and not window.flow.clock.playing    # text entry keeps its keys
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    with qtbot.waitSignal(window.state_changed, timeout=RESULT_TIMEOUT):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.flow.scene.h == pytest.approx(1.1)
    focus = QApplication.focusWidget()
    assert focus not in (box, edit) and not is_text_entry(focus)
    qtbot.keyClick(focus, Qt.Key.Key_Space)
    assert window.flow.clock.playing and edit.text() == "1.1"
    window.flow.clock.pause()


def test_escape_and_a_click_on_empty_space_release_the_keyboard(window, qtbot):
    box = window.flow.panel.h.spin
    window.activateWindow()
    box.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: is_text_entry(QApplication.focusWidget()))
    h = window.flow.scene.h
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "7")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not is_text_entry(QApplication.focusWidget())
    assert window.flow.scene.h == h and box.value() == h           # Escape cancelled the typing
    box.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: is_text_entry(QApplication.focusWidget()))
    panel = window.flow.panel                    # the empty part of the left column, under its rows
    empty = next(QPoint(2, y) for y in range(panel.height() - 3, 0, -4) if panel.childAt(QPoint(2, y)) is None)
    qtbot.mouseClick(panel, Qt.MouseButton.LeftButton, pos=empty)
    focus = QApplication.focusWidget()
    assert not is_text_entry(focus)
    qtbot.keyClick(focus or window, Qt.Key.Key_Space)
    assert window.flow.clock.playing
    window.flow.clock.pause()


# ------------------------------------------------------------------------- item 3: shortcuts
def test_ctrl_shift_z_and_ctrl_y_redo(window, qtbot, qt_warnings):
    h0 = window.flow.scene.h
    window.flow.panel.h.valueChanged.emit(0.25)      # an edit, as the slider makes it
    qtbot.waitUntil(lambda: window.flow.scene.h == 0.25)
    window.activateWindow()
    window.flow.function_canvas.setFocus()
    for redo in ((Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
                 (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert window.flow.scene.h == h0
        qtbot.keyClick(window, *redo)
        assert window.flow.scene.h == 0.25
    assert not [m for m in qt_warnings if "mbiguous" in m]


def test_ctrl_y_redoes_where_the_platforms_redo_is_ctrl_shift_z_only(qtbot, monkeypatch):
    """Linux's key scheme binds Redo to Ctrl+Shift+Z alone: Ctrl+Y must still be there."""
    from PySide6.QtGui import QKeySequence

    from gdviz.ui.main_window import MainWindow
    own = QKeySequence.keyBindings

    def linux_bindings(key):
        return [QKeySequence("Ctrl+Shift+Z")] if key == QKeySequence.StandardKey.Redo else own(key)

    monkeypatch.setattr(QKeySequence, "keyBindings", staticmethod(linux_bindings))
    w = MainWindow()
    qtbot.addWidget(w, before_close_func=lambda w: w.shutdown())
    keys = [s.toString(QKeySequence.SequenceFormat.PortableText) for s in w.board.action("redo").shortcuts()]
    assert sorted(keys) == ["Ctrl+Shift+Z", "Ctrl+Y"]


def test_no_key_is_bound_to_two_actions(window):
    """Window-wide keys once each; a key of one widget (a plot's Copy picture, on the plot with the
    focus) once per widget, and never also a window-wide key, which would make it ambiguous there."""
    from PySide6.QtGui import QAction, QKeySequence
    owners: dict[str, list[str]] = {}
    per_widget: dict[tuple[str, int], list[str]] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            key = seq.toString(QKeySequence.SequenceFormat.PortableText)
            if action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
                for widget in action.associatedObjects():
                    per_widget.setdefault((key, id(widget)), []).append(action.objectName())
            else:
                owners.setdefault(key, []).append(action.objectName())
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    assert {k: v for k, v in per_widget.items() if len(v) > 1} == {}
    assert {key for key, _ in per_widget} and not {key for key, _ in per_widget} & set(owners)
    redo = {s.toString(QKeySequence.SequenceFormat.PortableText) for s in window.board.action("redo").shortcuts()}
    assert {"Ctrl+Shift+Z", "Ctrl+Y"} <= redo


def test_alt_number_shows_every_tab(window, qtbot):
    window.activateWindow()
    assert window.tabs.count() == len(TAB_VIEWS)
    for i in reversed(range(window.tabs.count())):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{i + 1}"), Qt.KeyboardModifier.AltModifier)
        assert window.tabs.currentIndex() == i
