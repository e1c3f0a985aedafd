"""The flow tab's step method (issue 14, §2): the iterates on screen are the method's, the h
slider marks its stability bound, the regime names it, undo brings the old method back."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gdviz.model.integrators import run_method
from gdviz.model.results import build_problem


def plotted_iterates(page) -> tuple[np.ndarray, np.ndarray]:
    """The whole path of iterates the x(t) canvas holds (the picture thins only what it strokes)."""
    item = page.time_canvas.future
    return np.asarray(item.xData), np.asarray(item.yData)


@pytest.mark.parametrize("method", ["implicit-euler", "rk4", "newton"])
def test_choosing_a_method_plots_its_iterates(window, method):
    page = window.pages["flow"]
    page.edit({"method": method, "h": 0.8}, "method")
    assert window.wait_drawn()
    scene = page.scene
    expected = run_method(build_problem(scene), method, scene.x0, scene.h, scene.steps)
    t, x = plotted_iterates(page)
    assert np.array_equal(x, expected, equal_nan=True)
    assert np.array_equal(t, scene.h * np.arange(scene.steps + 1))


def test_a_method_is_one_undo_step(window):
    page = window.pages["flow"]
    before = page.result.x.copy()
    page.edit({"method": "heun"}, "method")
    assert window.wait_drawn() and page.scene.method == "heun"
    window.undo()
    assert window.wait_drawn() and page.scene.method == "euler"
    assert np.array_equal(plotted_iterates(page)[1], before, equal_nan=True)


# ------------------------------------------------------------------------- the method combo
def test_the_combo_chooses_the_method_and_follows_undo(window, qtbot):
    page = window.pages["flow"]
    combo = page.panel.method
    assert combo.accessibleName() == "Step method" and combo.accessibleDescription()
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Explicit Euler (gradient ascent)", "Implicit Euler (proximal point)", "Heun", "RK4",
        "Newton (h = 1: Newton's method)"]
    with qtbot.waitSignal(page.drawn, timeout=20_000, check_params_cb=lambda r: r.scene.method == "rk4"):
        combo.setCurrentIndex(3)
    assert page.scene.method == "rk4" and "RK4" in page.panel.regime.text()
    assert "RK4" in page.panel.euler_box.title()
    window.undo()
    assert window.wait_drawn() and combo.currentIndex() == 0 and page.scene.method == "euler"


def test_the_combos_are_tab_stops_just_before_h(window, qtbot):
    from .test_accessibility import tab_stops
    panel = window.pages["flow"].panel
    stops = tab_stops(qtbot, window)
    at = stops.index(panel.method)
    assert stops[at + 1] is panel.step_rule
    assert panel.h is stops[at + 2] or panel.h.isAncestorOf(stops[at + 2])


def converges(problem, method: str, x_star: float, h: float) -> bool:
    """Do the method's iterates from just beside x* contract toward it (to a tenth in 4000 steps)?
    At |R| = 1 ± 6e-4 they shrink or grow by e^∓2.3 = 0.1: the verdict flips within 6e-4 of the bound."""
    x = run_method(problem, method, x_star + 1e-6, h, 4000)
    return bool(abs(x[-1] - x_star) < 1e-7)


def bisected_bound(problem, method: str, x_star: float, lo: float, hi: float) -> float:
    assert converges(problem, method, x_star, lo) and not converges(problem, method, x_star, hi)
    while hi - lo > 1e-4:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if converges(problem, method, x_star, mid) else (lo, mid)
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("text", ["x*(1 - x)", "4x*(1 - x)"])        # f'(1) = −1 and −4
@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_the_marked_bound_matches_a_bisection_on_the_iterates(window, text, method):
    from gdviz.model.scene import Scene
    page = window.pages["flow"]
    page.set_scene(Scene(text=text, kind="f", direction="ascent", h=0.1, x0=0.9, x_range=(-0.5, 1.5),
                         method=method))
    assert window.wait_drawn()
    marks = page.panel.h.mark_values()
    bound = marks[-1]                          # Euler: 1/|f'| then 2/|f'|; the others: their bound only
    assert len(marks) == (2 if method == "euler" else 1)
    found = bisected_bound(build_problem(page.scene), method, 1.0, 0.5 * bound, 1.5 * bound)
    assert abs(found - bound) < 1e-3
    if method != "euler":
        assert f"{bound:.4g}" in page.panel.thresholds.text()


def test_implicit_euler_marks_nothing_and_newton_marks_h_2(window):
    from gdviz.model.scene import Scene
    page = window.pages["flow"]
    page.set_scene(Scene(method="implicit-euler"))
    assert window.wait_drawn()
    assert page.panel.h.mark_values() == [] and "every h" in page.panel.thresholds.text()
    assert page.panel.fastest.isHidden()
    assert "implicit Euler" in page.panel.regime.text()
    page.set_scene(Scene(method="newton"))
    assert window.wait_drawn()
    assert page.panel.h.mark_values() == [2.0] and not page.panel.fastest.isHidden()
    page.panel.fastest.click()
    assert window.wait_drawn() and page.scene.h == 1.0


# ------------------------------------------------------------------------- step-size rules
def test_a_step_rule_draws_the_iterates_at_their_accumulated_times(window, qtbot):
    page = window.pages["flow"]
    combo = page.panel.step_rule
    assert combo.accessibleName() == "Step-size rule" and combo.isEnabled()
    with qtbot.waitSignal(page.drawn, timeout=20_000, check_params_cb=lambda r: r.scene.step_rule == "armijo"):
        combo.setCurrentIndex(1)
    r = page.result
    t, x = plotted_iterates(page)
    assert np.array_equal(x, r.x, equal_nan=True)
    assert np.array_equal(t, np.concatenate([[0.0], np.cumsum(r.h_steps)]))
    model = page.table.model
    assert model.columnCount() == 6 and model.headerData(5, Qt.Orientation.Horizontal) == "hₙ"
    assert float(model.value(0, 5)) == r.h_steps[0]
    assert "Armijo" in page.time_canvas.legend.items[0][1].text
    page.edit({"step_rule": "fixed", "method": "rk4"}, "method")
    assert window.wait_drawn() and not combo.isEnabled() and model.columnCount() == 5


def test_a_step_rule_says_the_bundle_shows_only_the_exact_solutions(window, qtbot):
    # Each start would take steps of its own under a rule: the bundle's iterates are left out, and
    # the switch says so (it said nothing, and the dashed curves just vanished).
    page = window.pages["flow"]
    page.edit({"bundle": True}, "bundle")
    assert window.wait_drawn()
    switch = page.panel.bundle
    assert switch.text() == "Bundle of solutions (13 starts)" and "iterates" in switch.toolTip()
    with qtbot.waitSignal(page.drawn, timeout=20_000, check_params_cb=lambda r: r.scene.step_rule == "armijo"):
        page.panel.step_rule.setCurrentIndex(1)           # the user's own edit: the panel is not re-set
    assert switch.text() == "Bundle of solutions (13 starts, exact only)" and switch.isChecked()
    assert "exact solutions only" in switch.toolTip()
    r = page.result
    assert np.isnan(r.bundle_x).all() and np.isfinite(r.bundle_ref_x).any()
    page.edit({"step_rule": "fixed"}, "step_rule")
    assert window.wait_drawn() and switch.text() == "Bundle of solutions (13 starts)"
