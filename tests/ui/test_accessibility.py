"""Keyboard-only and screen-reader use (issue 13, item 4): each tab's picture in words as the
accessible description of its page and plots, updated with every result; View > Describe."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from gdviz.model.describe import describe_flow

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
