"""The convergence-rate map over (η, μ) at the curvature λ of a minimum, with the current point on
it (issue 14 §3; Distill's "Why Momentum Really Works" draws one for quadratics), and the
learning-rate thresholds as text for the tabs' lr controls.

It draws a `RateSummary` (gdviz.model.rates) from any result that carries one as `.rates` (the 2-D
tab's Result2D, the momentum tab's MomentumResult); it computes nothing.
"""
from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLabel

from . import style
from .canvas import Canvas, curve_item, path_item, scatter_item, set_path
from .contour_canvas import colour_of
from .overlay_layout import image_is_data
from .style import STYLE

if TYPE_CHECKING:
    from ..model.rates import RateSummary

LOG_RATE_CEILING = 0.5        # ρ = 3 and beyond share the top colour
COLOUR_FLOOR = -2.0           # ρ = 0.01 and below share the bottom one: the range near ρ = 1 gets the colours
CURVES = ("Momentum", "Nesterov")


def rate_colormap() -> pg.ColorMap:
    """cividis: ordered in lightness and readable with every common colour-vision deficiency."""
    return pg.colormap.get("cividis")


class RateMapCanvas(Canvas):
    """log10 ρ(η, μ) as an image with a colour bar, the curve ρ = 1, each momentum method's η*(μ)
    and the current (η, μ)."""

    def __init__(self, parent=None) -> None:
        super().__init__("Convergence rate ρ over (η, μ)", "learning rate η", "momentum μ", parent)
        self.image = image_is_data(pg.ImageItem(axisOrder="row-major"))   # no legend over the map
        self.image.setZValue(-90)
        self.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(COLOUR_FLOOR, LOG_RATE_CEILING), colorMap=rate_colormap(),
                                   label="log₁₀ ρ", interactive=False)
        self.bar.setImageItem(self.image, insert_in=self.getPlotItem())
        self.edge = curve_item(style.INK, 2.5, connect="pairs")
        self.edge.setZValue(10)
        self.addItem(self.edge, ignoreBounds=True)
        self.curves = {m: path_item(colour_of(m), 2.0, style_=Qt.PenStyle.DashLine) for m in CURVES}
        for item in self.curves.values():
            item.setZValue(15)
            self.addItem(item, ignoreBounds=True)
        self.point = scatter_item(STYLE.current_px, style.CURRENT, (style.BLACK, 2))
        self.point.setZValue(30)
        self.addItem(self.point, ignoreBounds=True)
        self.legend = self.add_legend((-10, 10))
        self.legend.addItem(self.edge, "ρ = 1")
        for m, item in self.curves.items():
            self.legend.addItem(item, f"{m} η*(μ)")
        self.legend.addItem(self.point, "current (η, μ)")
        self.view.setAspectLocked(False)
        self.summary: RateSummary | None = None

    def show_result(self, r: Any, index: int | None = None) -> None:
        """Draw `r.rates` (None: no minimum in view, the map is cleared and says so)."""
        s = self.summary = r.rates
        if s is None:
            self.image.clear()
            self.edge.setData([], [])
            for item in self.curves.values():
                set_path(item, np.empty(0), np.empty(0))
            self.point.setData([], [])
            self.set_title("Convergence rate ρ over (η, μ)")
            self.set_message("No minimum in view: no curvature to take the rates at.")
            return
        m = s.map
        self.set_message("")
        self.image.setImage(m.log_rate, levels=(COLOUR_FLOOR, LOG_RATE_CEILING), autoLevels=False)
        de = (m.etas[-1] - m.etas[0]) / max(len(m.etas) - 1, 1)
        dm = (m.mus[-1] - m.mus[0]) / max(len(m.mus) - 1, 1)
        self.image.setRect(QRectF(m.etas[0] - de / 2, m.mus[0] - dm / 2, m.etas[-1] - m.etas[0] + de,
                                  m.mus[-1] - m.mus[0] + dm))
        self.edge.setData(m.contour_x, m.contour_y, connect="pairs")
        for name, item in self.curves.items():
            eta, mu = s.curves[name]
            set_path(item, eta, mu)
        rate = s.rates.get(m.method, math.nan)
        self.point.setData([s.lr], [s.mu])
        self.set_title(f"{m.method}: ρ over (η, μ) at λ = {s.lam:.4g};  ρ now = {rate:.4g}")
        self.set_ranges_once((m.method, m.lam, float(m.etas[-1]), float(m.mus[-1])),
                             (0.0, float(m.etas[-1])), (0.0, float(m.mus[-1])))

    def show_index(self, n: int) -> None:
        """The map does not move with the iterates (an animation leaves it as it is)."""


def thresholds_html(s: RateSummary | None) -> str:
    """λ, where it was taken, and each method's η* for the lr control; a method whose window does
    not hold the current lr says so in the error colour. "Fails", not "diverges": past η* the
    iterates grow, but with no window at all (μ = 1: no friction) they circle for ever; and a
    method that never converges says so already."""
    if s is None:
        return "Thresholds: no minimum in view"
    parts = []
    for name, window in s.windows.items():
        text = html.escape(s.threshold_text(name))
        if window is not None and not window.empty and not window.contains(s.lr):
            text += f' <span style="color:{style.css_colour(style.ERROR)}">(fails at this lr)</span>'
        parts.append(f'<span style="color:{colour_of(name)}"><b>{html.escape(name)}</b></span> {text}')
    return (f"λ = <b>{s.lam:.4g}</b> at {html.escape(s.where)}: " + " · ".join(parts))


class ThresholdLabel(QLabel):
    """The thresholds beside the learning-rate control, as gdviz's own markup (numbers only)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setToolTip("The largest learning rate each method converges with near this minimum, from the "
                        "characteristic polynomial of its linearised update (λ: the largest curvature there)")
        self.setAccessibleName("Learning-rate thresholds")

    def show_summary(self, s: RateSummary | None) -> None:
        self.setText(thresholds_html(s))
