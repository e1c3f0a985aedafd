"""Colours, pens, fonts and sizes for every canvas and widget, kept in one place.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies). Sizes are in
points / pixels at scale 1. The look (light or dark theme, presentation mode) is set with
`set_look`; the module's colour names (INK, BLACK, CONTINUOUS, ...) are read through the current
theme, and `pen`, `brush`, `color` and `css_colour` also translate a colour read under another
theme, so a value kept from before a switch still draws in the new theme's colour.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontDatabase, QIcon, QIconEngine, QPainter, QPen, QPixmap


@dataclass(frozen=True)
class Theme:
    """The colours of one look. The palette roles keep their meaning in every theme; only how they
    read changes (on a dark background, "black" outlines and ink become light)."""

    name: str
    dark: bool
    background: str      # the plots (and the label boxes on them)
    ink: str             # text, axes, outlines
    muted: str           # secondary text, the x0 marker, equilibrium lines
    black: str           # the palette's black: outlines of markers, filled equilibria
    orange: str
    sky_blue: str
    green: str
    yellow: str
    blue: str
    vermillion: str
    purple: str
    brown: str           # an eighth colour for the step-size comparison
    orbit: str           # ink of the bifurcation diagram's density image
    band_low: str        # the 2-D landscape's bands, from low F ...
    band_high: str       # ... to high F
    # the widgets' palette (QPalette): window, text fields, buttons, text, selection
    window: str
    base: str
    alternate_base: str
    button: str
    text: str
    highlight: str


# Okabe-Ito (Okabe & Ito 2008), the palette recommended for colour-blind-safe figures.
_OKABE_ITO = dict(black="#000000", orange="#e69f00", sky_blue="#56b4e9", green="#009e73", yellow="#f0e442",
                  blue="#0072b2", vermillion="#d55e00", purple="#cc79a7")

# White with dark ink survives washed-out classroom projectors: the default.
LIGHT = Theme(name="light", dark=False, background="#ffffff", ink="#1a1a1a", muted="#6b6b6b",
              brown="#8c6d1f", orbit="#0b2a4a", band_low="#deebf7", band_high="#fdecce",
              window="#efefef", base="#ffffff", alternate_base="#f5f5f5", button="#efefef", text="#000000",
              highlight="#0072b2", **_OKABE_ITO)
# Presentation, light: full-black ink and darker secondary text, for the back row.
LIGHT_PRESENTATION = replace(LIGHT, ink="#000000", muted="#474747")
# Dark: light ink on a near-black plot; the palette's black becomes a light grey, its blue is
# lifted so thin lines still read, and the density image is drawn in light ink.
DARK = Theme(name="dark", dark=True, background="#161819", ink="#e6e6e6", muted="#a3a3a3",
             black="#f0f0f0", orange="#e69f00", sky_blue="#56b4e9", green="#009e73", yellow="#f0e442",
             blue="#3d8fd1", vermillion="#d55e00", purple="#cc79a7", brown="#c49a3c", orbit="#dde9f5",
             band_low="#1d2b39", band_high="#3a3120",
             window="#232528", base="#1b1d1f", alternate_base="#26282b", button="#2d3033", text="#eeeeee",
             highlight="#3d8fd1")
# Presentation, dark: brighter ink on a blacker plot (not #000000: that is the palette's black).
DARK_PRESENTATION = replace(DARK, background="#0b0c0d", ink="#fbfbfb", muted="#c4c4c4", text="#fbfbfb",
                            base="#111213")

THEMES = {("light", False): LIGHT, ("light", True): LIGHT_PRESENTATION,
          ("dark", False): DARK, ("dark", True): DARK_PRESENTATION}
THEME_NAMES = ("light", "dark")

# Colour roles: what a colour means, by theme field. The palette's names first (their role wins
# where a value has two), then the meanings used the same way on every canvas.
_ROLES = ("black", "orange", "sky_blue", "green", "yellow", "blue", "vermillion", "purple", "brown",
          "background", "ink", "muted", "orbit", "band_low", "band_high")
_NAMES = {
    "BLACK": "black", "ORANGE": "orange", "SKY_BLUE": "sky_blue", "GREEN": "green", "YELLOW": "yellow",
    "BLUE": "blue", "VERMILLION": "vermillion", "PURPLE": "purple", "BROWN": "brown",
    "INK": "ink",                  # text and axes
    "MUTED": "muted",              # secondary text, the x0 marker, equilibrium lines
    "BACKGROUND": "background",
    "CONTINUOUS": "blue",          # F(x) and the exact flow x(t): the smooth objects
    "FIELD": "green",              # f(x), the velocity field on the phase line
    "DISCRETE": "vermillion",      # Euler's iterates x_n: the gradient-ascent steps
    "CURRENT": "orange",           # the iterate the animation is at (always with a black outline)
    "BUNDLE_FLOW": "sky_blue",     # the bundle's exact solutions
    "BUNDLE_EULER": "purple",      # the bundle's Euler iterates
    "MODIFIED": "green",           # the modified flow Euler follows and F̃ (dashed; purple is the bundle's)
    "ERROR": "vermillion",         # messages: divergence, invalid input
    "ORBIT": "orbit",              # ink of the bifurcation diagram's density image
    "THRESHOLD_MONOTONE": "green",     # h = 1/|f'(x*)|
    "THRESHOLD_STABLE": "vermillion",  # h = 2/|f'(x*)|
}

# The step sizes compared on one time canvas: the scene's h keeps the iterates' colour, the others
# take the rest of the palette in an order that keeps neighbours apart (yellow is too pale on white).
_COMPARE = ("vermillion", "green", "purple", "black", "sky_blue", "orange", "brown", "muted")
# Methods on the error-against-h plot.
_METHODS = {"Euler": "vermillion", "Heun": "green", "RK4": "purple"}
# Regime colours for the h hint: calm, warning, failure.
_REGIMES = {"monotone convergence": "green", "oscillating convergence": "orange", "divergence": "vermillion",
            "bouncing around a kink": "orange"}


def _role_of_values() -> dict[str, str]:
    roles: dict[str, str] = {}
    for theme in THEMES.values():
        for role in _ROLES:
            roles.setdefault(getattr(theme, role), role)
    roles.setdefault("#ffffff", "background")     # white label boxes and dot outlines
    return roles


_ROLE_OF = _role_of_values()

PRESENTATION_SCALE = 1.5     # fonts, markers and line widths in presentation mode (at 1600 x 1000)
PRESENTATION_LINES = 1.2     # lines a little thicker again than the text grows
PRESENTATION_MIN_ALPHA = 0.6   # nothing fainter than this in presentation mode


@dataclass
class Style:
    """Every size used by the UI at `scale` 1 (points for text, pixels for lines and symbols), and
    the look: `set_look` sets scale, line_scale, min_alpha, presentation and theme."""

    scale: float = 1.0
    line_scale: float = 1.0      # extra thickness of pens (presentation mode)
    min_alpha: float = 0.0       # faint colours are raised to this opacity (presentation mode)
    presentation: bool = False
    theme: Theme = LIGHT
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
    # thin, and not scaled by presentation mode: 50 curves of 2 px take 80 ms to stroke, of 1 px 8 ms
    bundle_px: float = 1.0

    def pt(self, points: float) -> float:
        return points * self.scale

    def px(self, pixels: float) -> float:
        return pixels * self.scale

    def line(self, pixels: float) -> float:
        """A pen's width: scaled, and thicker again in presentation mode."""
        return pixels * self.scale * self.line_scale


STYLE = Style()


def set_look(theme: str = "light", presentation: bool = False, window_scale: float = 1.0) -> None:
    """Switch STYLE to a theme ("light" or "dark") and presentation mode (large text, thick lines,
    high contrast). `window_scale` scales presentation mode's sizes with the window (1 at 1600 x 1000).
    Widgets built afterwards read it; `presentation.apply_look` restyles the ones that exist."""
    key = (theme, bool(presentation))
    if key not in THEMES:
        raise ValueError(f"no theme named {theme!r}; choose one of: {', '.join(THEME_NAMES)}")
    STYLE.theme = THEMES[key]
    STYLE.presentation = bool(presentation)
    STYLE.scale = max(1.0, PRESENTATION_SCALE * window_scale) if presentation else 1.0
    STYLE.line_scale = PRESENTATION_LINES if presentation else 1.0
    STYLE.min_alpha = PRESENTATION_MIN_ALPHA if presentation else 0.0


def look() -> tuple[str, bool]:
    return STYLE.theme.name, STYLE.presentation


def __getattr__(name: str):
    """INK, BLACK, CONTINUOUS, COMPARE, ...: read through the current theme."""
    theme = STYLE.theme
    if name in _NAMES:
        return getattr(theme, _NAMES[name])
    if name == "COMPARE":
        return tuple(getattr(theme, r) for r in _COMPARE)
    if name == "METHOD_COLOURS":
        return {k: getattr(theme, r) for k, r in _METHODS.items()}
    if name == "REGIME_COLOURS":
        return {k: getattr(theme, r) for k, r in _REGIMES.items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _key(value) -> str:
    if isinstance(value, str) and len(value) == 7 and value[0] == "#":
        return value.lower()
    return QColor(value).name()


def themed(value) -> str | QColor:
    """`value` as the current theme draws it: a palette or theme colour of any theme becomes the
    current theme's colour of the same role; any other colour is returned unchanged."""
    if isinstance(value, QColor) or not isinstance(value, str):
        return value
    role = _ROLE_OF.get(_key(value))
    return getattr(STYLE.theme, role) if role is not None else value


def color(value, alpha: float = 1.0) -> QColor:
    """A QColor in the current theme; in presentation mode nothing is fainter than STYLE.min_alpha."""
    c = QColor(themed(value))
    c.setAlphaF(max(alpha, STYLE.min_alpha) if alpha < 1.0 else alpha)
    return c


def brush(value, alpha: float = 1.0) -> QBrush:
    return QBrush(color(value, alpha))


def pen(value, width: float, alpha: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine,
        scaled: bool = True) -> QPen:
    """A cosmetic pen (width in screen pixels, independent of zoom) with round caps; `scaled` False
    keeps the width as given whatever the look (many curves at once: see Style.bundle_px).

    Widths are rounded to whole pixels: Qt's raster engine strokes a 1.5 px antialiased path
    about five times slower than a 2 px one (measured: 50 bundle curves, 73 ms against 14 ms).
    """
    p = QPen(color(value, alpha))
    p.setWidth(max(1, round(STYLE.line(width) if scaled else width)))
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


def css_colour(value) -> str:
    return QColor(themed(value)).name()


def theme_colours(theme: Theme) -> dict[str, str]:
    """Every colour of a theme by field name (for tests and the widget palette)."""
    return {f.name: getattr(theme, f.name) for f in fields(theme) if isinstance(getattr(theme, f.name), str)}


class _ThemedIconEngine(QIconEngine):
    """Draws a monochrome icon (the transport bar's) in the theme's ink on a dark theme: the
    style's own media icons are dark grey, invisible on a dark window. Light themes draw it as is."""

    def __init__(self, icon: QIcon) -> None:
        super().__init__()
        self._icon = QIcon(icon)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pm = self._icon.pixmap(size, mode, state)
        if not STYLE.theme.dark or pm.isNull():
            return pm
        out = QPixmap(pm.size())
        out.setDevicePixelRatio(pm.devicePixelRatio())
        out.fill(Qt.GlobalColor.transparent)
        p = QPainter(out)
        p.drawPixmap(0, 0, pm)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        ink = STYLE.theme.muted if mode == QIcon.Mode.Disabled else STYLE.theme.ink
        p.fillRect(out.rect(), QColor(ink))
        p.end()
        return out

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return self._icon.actualSize(size, mode, state)

    def clone(self) -> QIconEngine:
        return _ThemedIconEngine(self._icon)


def themed_icon(icon: QIcon) -> QIcon:
    """`icon` drawn in the theme's ink on a dark theme (for monochrome icons)."""
    return icon if icon.isNull() else QIcon(_ThemedIconEngine(icon))
