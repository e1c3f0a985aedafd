"""The grid drawn as opaque fills looks as pyqtgraph's translucent grid did, crossings aside."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor

from gdviz.ui.grid import Grid, blend, level_alpha, line_positions

from .test_canvases import picture


def test_line_positions_are_round_and_inside_the_range():
    positions, count = line_positions(-0.3, 9.7, 10)
    assert positions.tolist() == [float(k) for k in range(10)]       # spacing 1, none past 9.7
    assert count == pytest.approx(11.5)                              # over the rounded span -1..10
    major, _ = line_positions(-0.3, 9.7, 1)
    assert major.tolist() == [0.0]                                   # spacing 10
    assert len(line_positions(1.0, 1.0, 10)[0]) == 0                 # an empty range: no lines
    assert len(line_positions(0.0, float("nan"), 10)[0]) == 0


def test_a_level_fades_as_its_lines_crowd_together():
    assert level_alpha(3) == 0 and level_alpha(2) == 0
    assert level_alpha(8) == 25
    assert level_alpha(13) == level_alpha(500) == 50


def test_blend_is_source_over_on_an_opaque_colour():
    assert blend(QColor("#000000"), 255, QColor("#ffffff")) == QColor("#000000")
    assert blend(QColor("#000000"), 0, QColor("#ffffff")) == QColor("#ffffff")
    assert blend(QColor("#1a1a1a"), 51, QColor("#ffffff")).red() == round(26 * 0.2 + 255 * 0.8)


def _plot(qtbot, grid, background: str) -> pg.PlotWidget:
    w = pg.PlotWidget(background=background)
    qtbot.addWidget(w)
    w.resize(420, 300)
    w.getPlotItem().hideAxis("left")
    w.getPlotItem().hideAxis("bottom")
    w.addItem(grid, ignoreBounds=True)
    w.setRange(xRange=(-0.37, 4.2), yRange=(-12.0, 31.0), padding=0)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.mark.parametrize("ink, background", [("#1a1a1a", "#ffffff"), ("#e6e6e6", "#161819")])
def test_the_grid_shows_the_colours_of_pyqtgraphs_translucent_lines(qtbot, ink, background):
    ours = Grid(pen=pg.mkPen(ink, width=1), textPen=None)
    theirs = pg.GridItem(pen=pg.mkPen(ink, width=1), textPen=None)
    theirs.setTickSpacing(x=[None, None], y=[None, None])
    a = picture(_plot(qtbot, ours, background)).astype(int)
    b = picture(_plot(qtbot, theirs, background)).astype(int)
    bg = np.array(QColor(background).getRgb()[:3])
    on_line = np.abs(a - bg).max(axis=2) > 0
    rows = on_line.mean(axis=1) > 0.5            # horizontal lines fill most of their row
    cols = on_line.mean(axis=0) > 0.5
    assert rows.sum() >= 4 and cols.sum() >= 4   # both levels drawn on both axes
    crossing = rows[:, None] & cols[None, :]
    # every pixel but a crossing (blended twice by pyqtgraph, once here) has the same colour
    assert np.abs(a - b).max(axis=2)[~crossing].max() <= 2
    assert (np.abs(a - b).max(axis=2)[crossing] <= 2).mean() < 1   # crossings do differ


def test_the_grid_follows_a_new_range_and_a_new_pen(qtbot):
    grid = Grid(pen=pg.mkPen("#1a1a1a", width=1), textPen=None)
    w = _plot(qtbot, grid, "#ffffff")
    before = picture(w)
    w.setRange(xRange=(0.0, 1.0), yRange=(0.0, 1.0), padding=0)
    moved = picture(w)
    assert (before != moved).any()
    grid.setPen(pg.mkPen("#ff0000", width=1))
    red = picture(w).astype(int)
    assert (red[..., 0] > red[..., 1] + 20).any()
