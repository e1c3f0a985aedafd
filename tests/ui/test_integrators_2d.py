"""Issue 14 §2 on the 2-D tab: the flow's integrators as optimizers. Their boxes sit beside torch's,
a ticked box runs the method and its paths are drawn dashed, exactly as computed, in the map, the
loss and the sharpness plots; the thresholds line names each one's limit."""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt

from gdviz.model.scene2d import INTEGRATOR_NAMES
from tests.ui.conftest import RESULT_TIMEOUT


def test_ticking_the_integrators_runs_and_draws_them_dashed(window, qtbot):
    page = window.pages["2d"]
    window.show_view("2d")
    view = page.view
    with qtbot.waitSignal(page.drawn, timeout=RESULT_TIMEOUT):
        page.edit({"text": "x^4/4 - x + y^2", "starts": ((2.0, 0.5),), "lr": 0.3, "steps": 30,
                   "x_range": (-0.5, 2.5), "y_range": (-1.0, 1.0)})
    for name in INTEGRATOR_NAMES:                 # one click each, as a user would
        assert view.checks[name].toolTip()
        with qtbot.waitSignal(page.drawn, timeout=RESULT_TIMEOUT):
            view.checks[name].click()
    r = page.job.result
    assert tuple(r.scene.optimizers) == ("GD", *INTEGRATOR_NAMES)
    view.clock.seek(r.steps)
    qtbot.waitUntil(lambda: view.clock.index == r.steps)
    for name in INTEGRATOR_NAMES:
        run = r.runs[name]
        x, y = view.contour.done[name].getData()
        finite = np.isfinite(x)
        np.testing.assert_array_equal(x[finite], run.x[0, : finite.sum(), 0])
        np.testing.assert_array_equal(y[finite], run.x[0, : finite.sum(), 1])
        assert view.contour.done[name].opts["pen"].style() == Qt.PenStyle.DashLine
        assert view.loss.curves[name].opts["pen"].style() == Qt.PenStyle.DashLine
    assert view.contour.done["GD"].opts["pen"].style() == Qt.PenStyle.SolidLine
    # Newton with η = 0.3 is a damped Newton: x − 1 shrinks by about 0.7 each step near the minimum
    newton = r.runs["Newton"].x[0, :, 0] - 1.0
    np.testing.assert_allclose(newton[-1] / newton[-2], 0.7, rtol=0.02)
    text = view.thresholds.text()
    assert "every η converges" in text                          # implicit Euler
    assert "η* = 2" in text                                     # Newton, whatever λ
    lam = r.rates.lam                                           # 3 at (1, 0): F_xx = 3x²
    assert f"η* = {2.0 / lam:.4g}" in text                      # GD and Heun
    assert f"η* = {2.785293563 / lam:.4g}" in text              # RK4
    # The update rules name each method as it runs.
    rules = html.unescape(view.formulas.text())
    assert "proximal" in rules and "Newton's method" in rules
