"""Colours, pens, fonts and sizes for every canvas and widget, kept in one place.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies). Sizes
are in points / pixels at scale 1; presentation mode (large fonts, thick lines for a
projector) will set `STYLE.scale` and redraw, so nothing else hard-codes a size.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPen

# Okabe-Ito (Okabe & Ito 2008), the palette recommended for colour-blind-safe figures.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"

INK = "#1a1a1a"          # text and axes: near-black projects crisply on white
MUTED = "#6b6b6b"        # secondary text, the x0 marker, equilibrium lines
BACKGROUND = "#ffffff"   # white with dark ink survives washed-out classroom projectors

# What each colour means, used the same way on every canvas.
CONTINUOUS = BLUE        # F(x) and the exact flow x(t): the smooth objects
FIELD = GREEN            # f(x), the velocity field on the phase line
DISCRETE = VERMILLION    # Euler's iterates x_n: the gradient-ascent steps
CURRENT = ORANGE         # the iterate the animation is at (always with a black outline)
BUNDLE_FLOW = SKY_BLUE   # the bundle's exact solutions
BUNDLE_EULER = PURPLE    # the bundle's Euler iterates
ERROR = VERMILLION       # messages: divergence, invalid input

# The step sizes compared on one time canvas: the scene's h keeps the iterates' colour, the others
# take the rest of the palette in an order that keeps neighbours apart (yellow is too pale on white).
COMPARE = (VERMILLION, GREEN, PURPLE, BLACK, SKY_BLUE, ORANGE, "#8c6d1f", MUTED)
# Methods on the error-against-h plot.
METHOD_COLOURS = {"Euler": VERMILLION, "Heun": GREEN, "RK4": PURPLE}
ORBIT = "#0b2a4a"        # ink of the bifurcation diagram's density image (dark blue-black)
THRESHOLD_MONOTONE = GREEN   # h = 1/|f'(x*)|
THRESHOLD_STABLE = VERMILLION  # h = 2/|f'(x*)|

# Regime colours for the h hint: calm, warning, failure.
REGIME_COLOURS = {
    "monotone convergence": GREEN,
    "oscillating convergence": ORANGE,
    "divergence": VERMILLION,
}


@dataclass
class Style:
    """Every size used by the UI at `scale` 1 (points for text, pixels for lines and symbols)."""

    scale: float = 1.0
    ui_pt: float = 11.0          # ordinary widgets
    tick_pt: float = 12.0        # axis tick labels (>= 11 pt for a classroom)
    label_pt: float = 14.0       # axis labels (>= 12 pt)
    title_pt: float = 14.0       # canvas titles
    annotation_pt: float = 12.5  # text on the canvases (extremum types, messages)
    equation_pt: float = 15.0    # the equation field and its typeset summary
    curve_px: float = 3.0        # F, f and x(t)
    path_px: float = 2.2         # Euler's polyline
    faint_px: float = 1.4        # the part of the path the animation has not reached
    axis_px: float = 1.4
    phase_axis_px: float = 2.5   # the x-axis of the phase line is a drawn object, thicker
    dot_px: float = 9.0          # iterate dots
    current_px: float = 19.0     # the highlighted iterate
    equilibrium_px: float = 17.0
    flow_arrow_px: float = 17.0
    arrow_head_px: float = 11.0  # heads on the path segments
    bundle_px: float = 1.0        # thin: 50 curves of 2 px take 80 ms to stroke, of 1 px 8 ms

    def pt(self, points: float) -> float:
        return points * self.scale

    def px(self, pixels: float) -> float:
        return pixels * self.scale


STYLE = Style()


def color(value: str, alpha: float = 1.0) -> QColor:
    c = QColor(value)
    c.setAlphaF(alpha)
    return c


def pen(value: str, width: float, alpha: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A cosmetic pen (width in screen pixels, independent of zoom) with round caps.

    Widths are rounded to whole pixels: Qt's raster engine strokes a 1.5 px antialiased path
    about five times slower than a 2 px one (measured: 50 bundle curves, 73 ms against 14 ms).
    """
    p = QPen(color(value, alpha))
    p.setWidth(max(1, round(STYLE.px(width))))
    p.setCosmetic(True)
    p.setStyle(style)
    p.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return p


def font(points: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(STYLE.pt(points))
    f.setBold(bold)
    return f


def mono_font(points: float) -> QFont:
    """Fixed-width font, so a caret line lines up under the column it marks."""
    f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    f.setPointSizeF(STYLE.pt(points))
    f.setStyleHint(QFont.StyleHint.Monospace)
    return f


def css_colour(value: str) -> str:
    return QColor(value).name()
