"""Keyboard-only and screen-reader use (issue 13, item 4): each tab's picture in words as the
accessible description of its page and plots, updated with every result; View > Describe."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QApplication, QScrollBar

from gdviz.model.describe import describe_flow
from gdviz.model.views import TAB_VIEWS
from gdviz.ui.keyboard import keyboard_focused

from .conftest import RESULT_TIMEOUT


def test_the_flow_page_describes_its_result_and_follows_edits(qtbot, window):
    page = window.flow
    r = page.result
    text = page.widget().accessibleDescription()
    assert r.outcome_text and r.outcome_text in text
    assert "x* = 0, unstable" in text and "x* = 1, stable" in text
    assert page.function_canvas.accessibleDescription() == text
    assert page.phase_canvas.accessibleDescription() == text
    with qtbot.waitSignal(page.drawn, timeout=RESULT_TIMEOUT, check_params_cb=lambda r: r.scene.h == 2.5):
        page.edit({"h": 2.5}, "h")
    new = page.widget().accessibleDescription()
    assert new != text
    assert page.result.outcome_text in new and "h = 2.50" in new
    assert new == describe_flow(page.result)


def test_every_tab_describes_its_picture(qtbot, window):
    window.show_view("2d")
    assert window.pages["2d"].wait_drawn(RESULT_TIMEOUT)
    plane = window.pages["2d"].widget().accessibleDescription()
    assert "a minimum at (1, 0.7778)" in plane and "GD from (−0.9, −0.5)" in plane
    window.show_view("momentum")
    assert window.pages["momentum"].wait_drawn(RESULT_TIMEOUT)
    assert "a stable centre" in window.pages["momentum"].widget().accessibleDescription()
    window.show_view("lab")
    lab = window.pages["lab"]
    assert lab.wait_drawn(60_000)
    qtbot.waitUntil(lambda: "Bifurcation diagram" in lab.widget().accessibleDescription(), timeout=RESULT_TIMEOUT)
    canvases = lab.canvases()
    assert "|g'(x*)|" in canvases["cobweb"].accessibleDescription()
    assert "fitted order" in canvases["error"].accessibleDescription()
    assert "Step sizes compared" in canvases["compare"].accessibleDescription()


def test_view_describe_shows_the_current_tab_as_plain_text_and_copies_it(qtbot, window):
    window.board.action("describe").trigger()
    dialog = window.addons["describe"].dialog
    try:
        assert dialog.isVisible()
        assert dialog.text.toPlainText() == window.flow.description()
        dialog.copy_button.click()
        assert QApplication.clipboard().text() == window.flow.description()
        with qtbot.waitSignal(window.flow.drawn, timeout=RESULT_TIMEOUT, check_params_cb=lambda r: r.scene.x0 == 0.3):
            window.flow.edit({"x0": 0.3}, "x0")
        assert "x₀ = 0.3" in dialog.text.toPlainText()
    finally:
        dialog.close()


# ------------------------------------------------------------------ accessible names, Tab order
def tab_stops(qtbot, window):
    """The controls Tab visits, in order, once round the window (Qt's own Tab: focusNextChild), each
    as its control (a spin box for its line edit, a plot for its viewport)."""
    from gdviz.ui.accessible import control_of
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.editor.field.setFocus(Qt.FocusReason.TabFocusReason) if window.editor.isVisible() else None
    stops, seen = [], set()
    for _ in range(1000):
        window.focusNextChild()
        w = QApplication.focusWidget()
        if w is None or id(w) in seen:
            break
        seen.add(id(w))
        control = control_of(w)
        if not stops or stops[-1] is not control:
            stops.append(control)
    # Tab goes round: read the round from the first of the window's own stops (the editor's, where
    # it shows, else the tabs).
    head = [window.editor] if window.editor.isVisible() else [window.tabs.tabBar()]
    inside = [any(h is s or h.isAncestorOf(s) for h in head) for s in stops]
    start = next(i for i in range(len(stops)) if inside[i] and not inside[i - 1])
    return stops[start:] + stops[:start]


def accessible_name(w) -> str:
    """What a screen reader says: the name set on the widget, else the one Qt's accessibility finds
    (a button's text, a buddy label's)."""
    from PySide6.QtGui import QAccessible
    if w.accessibleName():
        return w.accessibleName()
    face = QAccessible.queryAccessibleInterface(w)
    return (face.text(QAccessible.Text.Name) if face is not None else "") or w.accessibleName()


def first(stops, widgets) -> int:
    return min(i for i, s in enumerate(stops) if any(s is w or w.isAncestorOf(s) for w in widgets))


def last(stops, widgets) -> int:
    return max(i for i, s in enumerate(stops) if any(s is w or w.isAncestorOf(s) for w in widgets))


@pytest.mark.parametrize("tab", TAB_VIEWS)
def test_every_tab_stop_has_a_name_in_a_sensible_order(qtbot, window, tab):
    from gdviz.ui.canvas import Canvas
    window.table_dock.show()                 # the iterates table is a Tab stop too when shown
    window.show_view(tab)
    page = window.pages[tab]
    assert page.wait_drawn(60_000)
    try:
        stops = tab_stops(qtbot, window)
    finally:
        window.table_dock.hide()             # as it was: the window's settings remember it
    assert window.flow.table.view in stops
    assert len(stops) >= 10
    unnamed = [f"{type(s).__name__} {s.toolTip()[:40]!r}" for s in stops if not accessible_name(s).strip()]
    assert unnamed == []
    canvases = [s for s in stops if isinstance(s, Canvas)]
    assert canvases, "the plots are reachable with Tab"
    for c in canvases:                       # a plot says what it is, and what it shows
        assert c.accessibleName() and c.accessibleDescription()
    if page.equation is not None:            # the shared equation editor comes first
        assert last(stops, [window.editor]) < first(stops, [page.widget()])
    side = page.side_widget()
    if side is not None:                     # then the parameters, then the plots
        assert last(stops, [side]) < first(stops, canvases)
    if tab == "lab":                         # each plot's own settings just before it
        v = page.view
        for box, canvas in ((v.compare_edit, v.compare_canvas), (v.error_t, v.error_canvas),
                            (v.h_auto, v.bifurcation_canvas)):
            assert stops.index(box) < stops.index(canvas)
    if tab in ("2d", "momentum"):            # the page's settings (in its column, if it has one) first
        holder = side if side is not None else page.widget()
        spins = [s for s in stops if isinstance(s, (QAbstractSpinBox, QAbstractSlider))
                 and holder.isAncestorOf(s)]
        assert spins and stops.index(spins[0]) < stops.index(canvases[0])


# ------------------------------------------------------------------------- slider fine and coarse steps
def test_every_slider_has_a_fine_and_a_coarse_step(qtbot, window):
    for tab in TAB_VIEWS:
        window.show_view(tab)
        window.pages[tab].widget()
    sliders = [s for s in window.findChildren(QAbstractSlider) if not isinstance(s, QScrollBar)
               and s.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert len(sliders) >= 5
    for s in sliders:
        span = s.maximum() - s.minimum()
        assert 1 <= s.singleStep() <= span / 100, accessible_name(s)
        assert 10 * s.singleStep() <= s.pageStep() <= span / 5, accessible_name(s)


def test_page_up_and_shift_arrows_move_a_tab_focused_x0_slider_by_the_coarse_step(qtbot, window):
    panel = window.flow.panel
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    panel.h.spin.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)          # Tab from h's box reaches x0's slider
    slider = panel.x0.slider
    qtbot.waitUntil(slider.hasFocus)
    assert keyboard_focused(slider)
    tick = slider.value()
    x0 = window.flow.scene.x0
    qtbot.keyClick(slider, Qt.Key.Key_PageUp)
    assert slider.value() == tick + slider.pageStep()
    a, b = window.flow.scene.x_range
    qtbot.waitUntil(lambda: window.flow.scene.x0 != x0)
    assert window.flow.scene.x0 == pytest.approx(x0 + (b - a) * slider.pageStep() / slider.maximum(), abs=2e-3)
    qtbot.keyClick(slider, Qt.Key.Key_Right)                            # the fine step
    assert slider.value() == tick + slider.pageStep() + slider.singleStep()
    qtbot.keyClick(slider, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)   # Shift+←: coarse
    assert slider.value() == tick + slider.singleStep()
    qtbot.keyClick(slider, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert slider.value() == tick + slider.pageStep() + slider.singleStep()


def test_shift_arrows_on_the_log_h_slider_keep_its_own_coarse_step(qtbot, window):
    """The router's Shift+arrow page step leaves h's log slider its own ~5% step (slider_spin)."""
    h = window.flow.panel.h
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    h.slider.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(h.slider.hasFocus)
    before = h.value()
    qtbot.keyClick(h.slider, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert h.value() == pytest.approx(before * 1.05, rel=0.01)
