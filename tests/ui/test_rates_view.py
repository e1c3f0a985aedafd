"""Issue 14 §3 in the window: the 2-D and momentum tabs draw exactly the rate map, thresholds and
Nesterov curve their page's job computed (waited for on the page's "drawn"), and an edit of μ or
lr moves them; the momentum tab's lr slider carries the thresholds as marks."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ui.conftest import RESULT_TIMEOUT


def _drawn(qtbot, page, edit):
    with qtbot.waitSignal(page.drawn, timeout=RESULT_TIMEOUT):
        edit()
    return page.job.result


def _image(canvas) -> np.ndarray:
    return np.asarray(canvas.image.image)


def test_the_2d_tab_draws_the_computed_map_thresholds_and_point(window, qtbot):
    page = window.pages["2d"]
    window.show_view("2d")
    r = _drawn(qtbot, page, lambda: page.edit({"optimizers": ("GD", "Nesterov", "Adam"), "momentum": 0.6}))
    view = page.view
    s = r.rates
    assert s is not None and s.mu == 0.6 and s.map.method == "Nesterov"
    assert np.array_equal(_image(view.rate_map), s.map.log_rate)
    ex, ey = view.rate_map.edge.getData()
    assert np.array_equal(ex, s.map.contour_x) and np.array_equal(ey, s.map.contour_y)
    px, py = view.rate_map.point.getData()
    assert (px.tolist(), py.tolist()) == ([r.scene.lr], [0.6])
    text = view.thresholds.text()
    assert f"{s.windows['Nesterov'].high:.4g}" in text and f"{s.windows['GD'].high:.4g}" in text
    assert "no threshold" in text                                  # Adam
    # A new μ: a new map on screen, the point moved with it
    r2 = _drawn(qtbot, page, lambda: page.edit({"momentum": 0.3}))
    assert r2 is not r and r2.rates.mu == 0.3
    assert np.array_equal(_image(view.rate_map), r2.rates.map.log_rate)
    assert view.rate_map.point.getData()[1].tolist() == [0.3]


def test_the_rate_map_alone_is_the_pages(window, qtbot):
    page = window.pages["2d"]
    window.show_view("2d")
    r = _drawn(qtbot, page, lambda: page.edit({"optimizers": ("Momentum",), "lr": 0.02}))
    canvas = page.canvas_alone("rates")
    qtbot.addWidget(canvas)
    assert np.array_equal(_image(canvas), r.rates.map.log_rate)


def test_the_momentum_tab_draws_nesterov_over_its_ode_and_marks_the_threshold(window, qtbot):
    page = window.pages["momentum"]
    with qtbot.waitSignal(page.drawn, timeout=RESULT_TIMEOUT):
        window.show_view("momentum")
    view = page.view
    assert not view.nesterov_canvas.isVisible()
    r = _drawn(qtbot, page, lambda: page.edit({"nesterov": True, "momentum": 0.5, "lr": 0.04}))
    a = r.accelerated
    assert a is not None and view.nesterov_canvas.isVisible()
    ox, oy = view.nesterov_canvas.ode.getOriginalDataset()        # whole, before thinning for pixels
    ix, iy = view.nesterov_canvas.iterates.getOriginalDataset()
    assert np.array_equal(ox, a.ode_t) and np.array_equal(oy, a.ode_x, equal_nan=True)
    assert np.array_equal(ix, a.t) and np.array_equal(iy, a.x, equal_nan=True)
    assert np.array_equal(_image(view.rate_map), r.rates.map.log_rate)
    # The heavy ball's η* = 2(1 + μ)/λ at the pendulum's bottom (λ = 1) and GD's 2/λ: both past the
    # slider's end (lr ≤ 1), so no mark; on a stiffer F they land on it.
    r = _drawn(qtbot, page, lambda: page.edit({"text": "20*(1 - cos(x))", "x0": 0.5}))
    assert r.rates.lam == pytest.approx(20.0)
    assert view.lr.mark_values() == pytest.approx([2 * 1.5 / 20.0, 2 / 20.0])
    # Off again: the plot goes, and nothing is computed for it
    r = _drawn(qtbot, page, lambda: page.edit({"nesterov": False}))
    assert r.accelerated is None and not view.nesterov_canvas.isVisible()


def test_the_thresholds_say_which_method_fails_at_this_lr_and_no_more():
    from gdviz.model.rates import rate_summary
    from gdviz.ui.rate_map_canvas import thresholds_html
    # λ = 1: GD's η* = 2. At lr = 3 GD fails; at μ = 1 (no friction) momentum never converges,
    # which it says itself: it does not also "diverge" (the iterates circle).
    text = thresholds_html(rate_summary(1.0, "the minimum", (0.0,), ("GD", "Momentum"), 3.0, 1.0, 1.0))
    gd, momentum = text.split(" · ")
    assert "η* = 2" in gd and "(fails at this lr)" in gd
    assert "never converges" in momentum and "fails" not in momentum and "diverges" not in momentum
    # Within the window nothing is added.
    assert "fails" not in thresholds_html(rate_summary(1.0, "the minimum", (0.0,), ("GD",), 0.5, 0.0, 1.0))
