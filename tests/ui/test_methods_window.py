"""The flow tab's step method (issue 14, §2): the iterates on screen are the method's, the h
slider marks its stability bound, the regime names it, undo brings the old method back."""
from __future__ import annotations

import numpy as np
import pytest

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
