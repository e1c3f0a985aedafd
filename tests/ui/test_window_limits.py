"""The window under the limits of issue 12: equations that cannot be computed in floating point and
ranges no plot can show are said in a sentence where the user looks, and the last picture stays."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from .conftest import RESULT_TIMEOUT


def type_equation(qtbot, window, text):
    field = window.editor.field
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


@pytest.mark.parametrize("text, words", [
    ("x + exp(10^300)", "exp(10³⁰⁰) is beyond floating point"),
    ("x + asin(2)", "asin(2) has no real value"),
    ("asin(x + 5)", "F is undefined everywhere on the range [-0.5, 1.5]"),
])
def test_an_equation_without_float_values_is_said_in_the_editor(qtbot, window, text, words):
    before = window.flow.result
    curve = np.array(window.flow.function_canvas.curve.getData()[1], dtype=float)
    with qtbot.waitSignal(window.flow.failed, timeout=RESULT_TIMEOUT) as blocker:
        type_equation(qtbot, window, text)
    assert words in blocker.args[0].message
    assert "ufunc" not in blocker.args[0].message
    assert words in window.editor.error_text.replace("\xa0", " ")
    assert window.editor.error.isVisible()
    assert window.flow.result is before                          # the last good picture stays
    np.testing.assert_array_equal(window.flow.function_canvas.curve.getData()[1], curve)


def test_the_range_boxes_apply_the_one_rule_of_ranges(qtbot, window):
    panel = window.flow.panel
    scene = window.flow.scene
    refused = []
    panel.range_invalid.connect(refused.append)
    panel.x_max.setValue(1e5 + 1e-5)          # [-0.5, 100000.00001]: fine
    qtbot.waitUntil(lambda: window.flow.scene.x_range == (-0.5, 1e5 + 1e-5), timeout=RESULT_TIMEOUT)
    panel.x_min.setValue(1e5)                  # 1e-5 wide at 1e5: too narrow to plot
    assert refused and "too narrow to plot" in refused[-1]
    assert window.flow.scene.x_range == (-0.5, 1e5 + 1e-5)
    assert window.flow.scene.text == scene.text


def test_a_session_with_a_bad_range_is_refused_and_changes_nothing(window, tmp_path):
    path = tmp_path / "bad.gdviz"
    path.write_text(json.dumps({"format": "gdviz-session", "version": 2,
                                "scene": {"text": "x^2", "kind": "F", "direction": "ascent",
                                          "x_range": [0, 5e-324]}}))
    before = window.flow.scene
    message = window.documents.open_path(path)
    assert message is not None and message.startswith("bad.gdviz: 'x_range' is too narrow to plot")
    assert window.flow.scene == before


def test_zooming_a_plot_never_reaches_the_saved_scene(window, tmp_path):
    # the view's zoom is the canvas's own: nothing flows back into the scene a session saves
    from gdviz.model.session import load_session
    scene = window.flow.scene
    for canvas in (window.flow.function_canvas, window.flow.phase_canvas, window.flow.time_canvas):
        canvas.view.setXRange(-1e6, 1e6, padding=0)
        canvas.view.scaleBy((1e-6, 1e-6))
    window.repaint()
    path = tmp_path / "zoomed.gdviz"
    assert window.documents.save_to(path) is None
    assert load_session(path).scene.x_range == scene.x_range == window.flow.scene.x_range
