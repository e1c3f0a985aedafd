"""The SGD noise tab and the Fit-a-line cloud draw exactly the arrays the worker computed."""
from __future__ import annotations

import numpy as np

from .conftest import RESULT_TIMEOUT


def test_noise_tab_draws_the_computed_histograms_and_gaussians(window, qtbot):
    window.show_view("noise")
    page = window.pages["noise"]
    page.edit({"steps": 400, "chains": 30})
    assert page.wait_drawn(RESULT_TIMEOUT)
    r, c = page.result, page.view.canvas
    assert r.scene == page.scene and r.scene.steps == 400
    for item, (x, y) in ((c.base, r.outline(r.base)), (c.scaled, r.outline(r.scaled)), (c.exact, (r.grid, r.exact_pdf)),
                         (c.scaled_exact, (r.grid, r.scaled_pdf)), (c.sde, (r.grid, r.sde_pdf))):
        assert item.isVisible()
        np.testing.assert_array_equal(item.xData, x)
        np.testing.assert_array_equal(item.yData, y)
    assert f"{r.base.measured:.4g}" in page.view.variances.text()


def test_an_unstable_learning_rate_is_a_sentence_and_the_picture_stays(window, qtbot):
    window.show_view("noise")
    page = window.pages["noise"]
    assert page.wait_drawn(RESULT_TIMEOUT)
    before = page.result
    page.edit({"lr": 2.5})
    assert page.scene.lr == before.scene.lr and page.view.lr.value() == before.scene.lr
    assert "diverge" in window.status_label.text()
    page.edit({"lr": 1.5})                       # stable, but (2η, 2B) is not: drawn without it
    assert page.wait_drawn(RESULT_TIMEOUT)
    assert page.result.scaled is None and not page.view.canvas.scaled.isVisible()


def test_fit_a_line_cloud_draws_the_computed_cloud_and_hides_with_its_toggle(window, qtbot):
    window.show_view("2d")
    page = window.pages["2d"]
    page.view.data_mode.setChecked(True)
    page.view.cloud_box.setChecked(True)
    assert page.wait_drawn(RESULT_TIMEOUT)
    cloud, overlay = page.cloud_job.result, page.view.cloud
    assert cloud.key == page.scene.cloud_key()
    np.testing.assert_array_equal(np.column_stack(overlay.points.getData()), cloud.points)
    np.testing.assert_array_equal(np.vstack([overlay.outer.xData, overlay.outer.yData]), cloud.ellipses[1])
    assert overlay.points.isVisible()
    page.view.cloud_box.setChecked(False)
    assert page.wait_drawn(RESULT_TIMEOUT)
    assert not overlay.points.isVisible()
