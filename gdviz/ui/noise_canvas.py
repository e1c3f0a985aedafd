"""SGD as a diffusion (issue 15 §3): the histogram of late SGD iterates on a noisy quadratic, with the
exact discrete Gaussian and the SDE's over it, and the scaling rule's second run (2η, 2B) beside it.
It draws a NoiseResult (gdviz.model.diffusion); every number comes from there."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt

from . import style
from .canvas import Canvas, finite_span, path_item, set_if_changed, styled
from .style import STYLE

if TYPE_CHECKING:
    from ..model.diffusion import NoiseResult


def _histogram_item(colour: str, filled: bool) -> pg.PlotDataItem:
    """Bars as one staircase outline (NoiseResult.outline), filled for the main run."""
    item = pg.PlotDataItem(antialias=True)

    def apply(it: pg.PlotDataItem) -> None:
        it.setPen(style.pen(colour, 1.6 if filled else 2.4))
        if filled:
            it.setFillLevel(0.0)
            it.setBrush(style.brush(colour, 0.35))
    return styled(item, apply)


class NoiseCanvas(Canvas):
    def __init__(self, parent=None) -> None:
        super().__init__("Late SGD iterates on F = a x²/2", "x", "density", parent)
        self.base = _histogram_item(style.SKY_BLUE, filled=True)
        self.scaled = _histogram_item(style.ORANGE, filled=False)
        self.exact = path_item(style.BLUE, STYLE.curve_px)
        self.scaled_exact = path_item(style.VERMILLION, STYLE.curve_px - 0.5, style_=Qt.PenStyle.DotLine)
        self.sde = path_item(style.BLACK, STYLE.curve_px - 0.5, style_=Qt.PenStyle.DashLine)
        for z, item in ((0, self.base), (5, self.scaled), (10, self.exact), (12, self.scaled_exact), (15, self.sde)):
            item.setZValue(z)
            self.addItem(item)
        self.legend = self.add_legend((-10, 10))
        self._legend: tuple[str, ...] = ()
        self.result: NoiseResult | None = None

    def show_result(self, r: NoiseResult, index: int | None = None) -> None:
        # `index`: the frame the canvases share (Canvas.redraw passes it on a restyle); no animation here
        self.result = r
        b = r.base
        set_if_changed(self.base, *r.outline(b))
        set_if_changed(self.exact, r.grid, r.exact_pdf)
        set_if_changed(self.sde, r.grid, r.sde_pdf)
        two = r.scaled is not None
        for item in (self.scaled, self.scaled_exact):
            item.setVisible(two)
        if two:
            set_if_changed(self.scaled, *r.outline(r.scaled))
            set_if_changed(self.scaled_exact, r.grid, r.scaled_pdf)
        self._show_legend(r)
        tops = [b.density, r.exact_pdf, r.sde_pdf] + ([r.scaled.density, r.scaled_pdf] if two else [])
        self.set_ranges_once(r.scene, (float(r.edges[0]), float(r.edges[-1])),
                             finite_span(*tops, pad=0.05, include_zero=True))

    def _show_legend(self, r: NoiseResult) -> None:
        s = r.scene
        texts = [(self.base, f"late iterates, η = {s.lr:.4g}, B = {s.batch}"),
                 (self.exact, "exact: ησ²/(B·a(2 − ηa))"),
                 (self.sde, "SDE: ησ²/(2aB)")]
        if r.scaled is not None:
            texts[1:1] = [(self.scaled, f"late iterates, 2η = {2 * s.lr:.4g}, 2B = {2 * s.batch}"),
                          (self.scaled_exact, "exact for (2η, 2B)")]
        key = tuple(t for _, t in texts)
        if key != self._legend:
            self.legend.clear()
            for item, text in texts:
                self.legend.addItem(item, text)
            self._legend = key

    def show_index(self, n: int) -> None:
        """Nothing moves with the clock: the histogram is the whole late run."""

