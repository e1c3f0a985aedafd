"""The flow tab's "Modified flow" toggle (issue 14 §1): the x(t) canvas draws the modified equation's
solution as a dashed curve named in the legend, the F(x) canvas draws F̃ beside F, the toggle is one
undo step and is disabled (with a tooltip saying why) for other methods and step-size rules."""
from __future__ import annotations

import numpy as np
import pytest

from gdviz.model.modified import modified_problem
from gdviz.model.reference import reference_solution
from gdviz.model.results import REFERENCE_POINTS, build_problem
from gdviz.ui.function_canvas import modified_label
from gdviz.ui.time_canvas import MODIFIED_LABEL

from .conftest import RESULT_TIMEOUT


def legend_texts(canvas) -> list[str]:
    return [label.text for _, label in canvas.legend.items]


def plotted(item) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(item.xData), np.asarray(item.yData)


def switch_on(window, qtbot, **changes):
    page = window.pages["flow"]
    page.edit({"text": "x^2/2 - x^3/3", "kind": "F", "h": 0.5, "x0": 0.1, "steps": 30, **changes}, "test")
    assert window.wait_drawn()
    with qtbot.waitSignal(page.drawn, timeout=RESULT_TIMEOUT, check_params_cb=lambda r: r.scene.modified):
        page.panel.modified.click()
    return page


@pytest.mark.parametrize("direction", ["ascent", "descent"])
def test_the_toggle_draws_the_modified_flow_and_f_tilde(window, qtbot, direction):
    page = switch_on(window, qtbot, direction=direction)
    scene = page.scene
    assert scene.modified and page.panel.modified.isChecked()
    # x(t): exactly the model's solution of x' = f − (h/2) f'f from x0
    expected = reference_solution(modified_problem(build_problem(scene), scene.h), scene.x0,
                                  scene.steps * scene.h, REFERENCE_POINTS)
    t, x = plotted(page.time_canvas.modified)
    assert np.array_equal(t, expected.t) and np.array_equal(x, expected.x[0])
    assert page.time_canvas.modified.isVisible() and MODIFIED_LABEL in legend_texts(page.time_canvas)
    # F(x): F̃ = F − s·(h/4)·F'² on the grid, beside F, both named in the legend
    gx, gy = plotted(page.function_canvas.modified)
    F, dF = gx ** 2 / 2 - gx ** 3 / 3, gx - gx ** 2
    sign = 1.0 if direction == "descent" else -1.0
    np.testing.assert_allclose(gy, F + sign * scene.h / 4 * dF ** 2, rtol=1e-12, atol=1e-12)
    assert page.function_canvas.legend.isVisible()
    assert legend_texts(page.function_canvas) == ["F(x)", modified_label(direction)]
    assert ("+" if direction == "descent" else "−") in modified_label(direction)


def test_switching_off_and_undo_remove_and_bring_back_the_curves(window, qtbot):
    page = switch_on(window, qtbot)
    shown = plotted(page.time_canvas.modified)[1].copy()
    window.undo()                                         # one undo step: the toggle off again
    assert window.wait_drawn() and not page.scene.modified and not page.panel.modified.isChecked()
    assert not page.time_canvas.modified.isVisible() and MODIFIED_LABEL not in legend_texts(page.time_canvas)
    assert not page.function_canvas.modified.isVisible() and not page.function_canvas.legend.isVisible()
    window.redo()
    assert window.wait_drawn() and page.panel.modified.isChecked()
    assert np.array_equal(plotted(page.time_canvas.modified)[1], shown)
    assert legend_texts(page.time_canvas).count(MODIFIED_LABEL) == 1     # listed once, however often shown


def test_a_new_h_redraws_the_modified_flow_for_that_h(window, qtbot):
    page = switch_on(window, qtbot)
    page.edit({"h": 0.25}, "h")
    assert window.wait_drawn()
    scene = page.scene
    expected = reference_solution(modified_problem(build_problem(scene), 0.25), scene.x0,
                                  scene.steps * 0.25, REFERENCE_POINTS)
    assert np.array_equal(plotted(page.time_canvas.modified)[1], expected.x[0])


@pytest.mark.parametrize("changes", [{"method": "implicit-euler"}, {"method": "rk4"}, {"step_rule": "armijo"}])
def test_the_toggle_is_disabled_for_other_methods_and_rules_and_says_why(window, qtbot, changes):
    page = switch_on(window, qtbot)
    box = page.panel.modified
    assert box.isEnabled() and box.accessibleName() == "Modified flow"
    page.edit(changes, "method")
    assert window.wait_drawn()
    assert not box.isEnabled() and "explicit Euler" in box.toolTip() and "fixed h" in box.toolTip()
    assert box.isChecked() and page.scene.modified                # the wish is kept for later
    assert not page.time_canvas.modified.isVisible() and MODIFIED_LABEL not in legend_texts(page.time_canvas)
    assert not page.function_canvas.legend.isVisible()
    page.edit({"method": "euler", "step_rule": "fixed"}, "method")
    assert window.wait_drawn() and box.isEnabled() and page.time_canvas.modified.isVisible()


def test_the_toggle_is_a_tab_stop_right_after_the_bundle(window, qtbot):
    from .test_accessibility import tab_stops
    panel = window.pages["flow"].panel
    stops = tab_stops(qtbot, window)
    assert stops.index(panel.modified) == stops.index(panel.bundle) + 1
