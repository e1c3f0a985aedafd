"""Presentation mode and themes: one switch (F5) for the back row of a classroom, and a light or a
dark theme (View > Theme, remembered in QSettings under "view/theme"). View > Blank screen (B or ".",
what a clicker's blank button sends) hides the window behind black until B, "." or Escape again.

Presentation mode sets STYLE's scale (fonts, markers, lines), thicker lines again and high contrast
(black ink, no faint colours); on a large window it grows with the window, so a 4K projector is not
read through a keyhole, and on a small one it grows less, so 1280 x 720 still fits. `apply_look`
restyles a window that exists: the application's font and palette, then `apply_style()` on every
widget that has one (canvases, views, panels, other modules' widgets alike). Widgets built later
(the tabs built on first use) read STYLE when they are built.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QMenu,
    QProxyStyle,
    QScrollArea,
    QScrollBar,
    QSlider,
    QSplitter,
    QStyle,
    QWidget,
)

from . import style
from .actions import ActionSpec
from .canvas import Canvas
from .pages.base import SIDE_COLUMN_PX
from .style import STYLE

if TYPE_CHECKING:
    from .frame import Frame

SETTINGS_ORG = "gdviz"
SETTINGS_APP = "gdviz"
THEME_KEY = "view/theme"
REFERENCE_SIZE = (1600, 1000)     # presentation mode's scale is PRESENTATION_SCALE at this window size
WINDOW_SCALE_RANGE = (0.85, 3.0)  # how far the window's size moves it (1280 x 720 .. 4K and beyond)
WINDOW_SCALE_STEP = 0.125         # in steps, so dragging a window's edge restyles rarely
PRESENTATION_MIN_SIZE = QSize(640, 480)


def window_scale(width: int, height: int) -> float:
    """How much larger than at REFERENCE_SIZE presentation mode draws in a window of this size."""
    f = min(width / REFERENCE_SIZE[0], height / REFERENCE_SIZE[1])
    f = math.floor(f / WINDOW_SCALE_STEP) * WINDOW_SCALE_STEP
    return max(WINDOW_SCALE_RANGE[0], min(WINDOW_SCALE_RANGE[1], f))


def theme_palette(theme: style.Theme) -> QPalette:
    """The widgets' colours for a dark theme (a light one keeps the style's own palette)."""
    p = QPalette()
    roles = QPalette.ColorRole
    window, base, text = QColor(theme.window), QColor(theme.base), QColor(theme.text)
    for role, colour in ((roles.Window, window), (roles.WindowText, text), (roles.Base, base),
                         (roles.AlternateBase, QColor(theme.alternate_base)), (roles.ToolTipBase, base),
                         (roles.ToolTipText, text), (roles.PlaceholderText, QColor(theme.muted)),
                         (roles.Text, text), (roles.Button, QColor(theme.button)), (roles.ButtonText, text),
                         (roles.BrightText, QColor(theme.vermillion)), (roles.Link, QColor(theme.sky_blue)),
                         (roles.Highlight, QColor(theme.highlight)), (roles.HighlightedText, QColor("#ffffff")),
                         (roles.Light, QColor(theme.button).lighter(150)), (roles.Midlight, QColor(theme.button).lighter(120)),
                         (roles.Mid, QColor(theme.button).darker(130)), (roles.Dark, QColor(theme.base).darker(150)),
                         (roles.Shadow, QColor("#000000"))):
        p.setColor(role, colour)
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor(theme.muted).darker(130))
    return p


class _Defaults:
    """The application's own font and palette, as they were before the first restyle."""
    font: QFont | None = None
    palette: QPalette | None = None


def _remember_defaults(app: QApplication) -> None:
    if _Defaults.font is None:
        _Defaults.font = QFont(app.font())
        _Defaults.palette = QPalette(app.palette())


def app_font() -> QFont:
    """The application's font for the current look: the desktop's family at the window's size (a
    widget with a style sheet takes the application's font, not its parent's, so the two agree)."""
    f = QFont(_Defaults.font) if _Defaults.font is not None else QFont()
    f.setPointSizeF(STYLE.pt(STYLE.ui_pt))
    return f


def restyle(widget: QObject) -> None:
    """`apply_style()` on `widget` and every object inside it that has one (widgets, and controllers
    such as the exports' that restyle their dialogs). A canvas is restyled by Canvas.apply_style even
    where a subclass's own apply_style forgets to call it."""
    for obj in [widget, *widget.findChildren(QObject)]:
        if isinstance(obj, (QSlider, QAbstractButton, QScrollBar)):
            QApplication.sendEvent(obj, QEvent(QEvent.Type.StyleChange))   # new metrics (LegibleControls)
            obj.updateGeometry()
        if isinstance(obj, QComboBox):
            # A font change renews a combo box's size hint but not its minimum one (Qt keeps the
            # 4K look's, and the window could not shrink back): a style change renews both.
            QApplication.sendEvent(obj, QEvent(QEvent.Type.StyleChange))
            obj.updateGeometry()
        own = getattr(type(obj), "apply_style", None)
        if isinstance(obj, Canvas) and own is not Canvas.apply_style:
            Canvas.apply_style(obj)
        if callable(own):
            obj.apply_style()


def apply_look(window: QWidget | None = None) -> None:
    """Show STYLE's current look: the application's font and palette, pyqtgraph's defaults, and
    (given a window) every widget in it restyled."""
    _apply_app_look()
    if window is None:
        return
    window.setFont(style.font(STYLE.ui_pt))
    _repolish_style_sheets(window)
    _restyle_window(window)
    restyle(window)


class LegibleControls(QProxyStyle):
    """The platform's style, made legible in a classroom: the parts people grab or tick grow with
    presentation mode's text (at 4K the 16-pixel slider handle and 13-pixel check box are specks),
    and on a dark theme an empty check box or radio button is outlined. Metrics are read when
    widgets lay out and paint, so a restyle (StyleChange) is all a switch needs."""

    _SCALED = (QStyle.PixelMetric.PM_IndicatorWidth, QStyle.PixelMetric.PM_IndicatorHeight,
               QStyle.PixelMetric.PM_ExclusiveIndicatorWidth, QStyle.PixelMetric.PM_ExclusiveIndicatorHeight,
               QStyle.PixelMetric.PM_SliderThickness, QStyle.PixelMetric.PM_SliderLength,
               QStyle.PixelMetric.PM_SliderControlThickness, QStyle.PixelMetric.PM_ScrollBarExtent,
               QStyle.PixelMetric.PM_ScrollBarSliderMin)
    _BOX = QStyle.PrimitiveElement.PE_IndicatorCheckBox
    _RADIO = QStyle.PrimitiveElement.PE_IndicatorRadioButton

    def pixelMetric(self, metric, option=None, widget=None) -> int:
        value = super().pixelMetric(metric, option, widget)
        if STYLE.presentation and metric in self._SCALED:
            # grown only past 1080p, where presentation mode's text is already 1.5 times the desktop's
            return round(value * max(1.0, STYLE.scale / 1.5))
        return value

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if STYLE.theme.dark and element in (self._BOX, self._RADIO):
            # Fusion outlines a box a shade darker than the window: on a dark window an empty one
            # vanished (11 levels of lightness apart; the 2-D tab's optimizers on a projector).
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(STYLE.theme.muted), max(1.0, option.rect.width() / 13)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
            if element == self._RADIO:
                painter.drawEllipse(rect)
            else:
                painter.drawRoundedRect(rect, 1.5, 1.5)
            painter.restore()


def _install_legible_controls(app: QApplication) -> None:
    # Only once presentation mode or the dark theme is first switched on: a Python proxy answers
    # every metric query (some 2,000 before the first paint) and setting a style repolishes every
    # widget, 25-35 ms of start-up (measured) for a light desktop window that needs neither.
    if (STYLE.presentation or STYLE.theme.dark) and not isinstance(app.style(), LegibleControls):
        app.setStyle(LegibleControls(app.style().name()))


def apply_app_font() -> None:
    """The application's font for the current look, before the first widget is made: set after
    them, it reached every widget as a change (a relayout of each, and a repolish of pyqtgraph's
    hidden menus), about 10 ms of start-up."""
    app = QApplication.instance()
    if app is not None:
        _remember_defaults(app)
        app.setFont(app_font())


def _apply_app_look() -> None:
    app = QApplication.instance()
    if app is not None:
        _remember_defaults(app)
        _install_legible_controls(app)
        apply_app_font()
        app.setPalette(theme_palette(STYLE.theme) if STYLE.theme.dark else QPalette(_Defaults.palette))
    pg.setConfigOptions(background=style.BACKGROUND, foreground=style.INK)


def _repolish_style_sheets(widget: QWidget) -> None:
    """A widget with a style sheet computes its font when the sheet is set, from the application's
    font; setting the sheet again makes it take the new one."""
    for w in [widget, *widget.findChildren(QWidget)]:
        sheet = w.styleSheet()
        if sheet:
            w.setStyleSheet("")
            w.setStyleSheet(sheet)


def _restyle_window(window: Frame) -> None:
    """What the frame shows in fixed sizes: the toolbar's icons and the column beside the tabs."""
    side = round(STYLE.px(22))
    window.toolbar.setIconSize(QSize(side, side))
    if window.side_column is not None:
        window.side_column.setMinimumWidth(round(STYLE.px(SIDE_COLUMN_PX)))
        _fit_left_panel_soon(window)


FIT_TIMER = "gdviz-fit-column"


def _fit_left_panel_soon(window: Frame) -> None:
    """Fit the parameter column once the layouts have taken their new sizes (a restyle or a resize
    sees the old ones)."""
    scroll = window.side_column
    if not isinstance(scroll, QScrollArea):
        return
    # A timer owned by the column, not QTimer.singleShot(0, scroll, callable): PySide6 6.11 keeps
    # that callable (and the window it holds) for ever when the column is deleted before it fires.
    timer = scroll.findChild(QTimer, FIT_TIMER)
    if timer is None:
        timer = QTimer(scroll)
        timer.setObjectName(FIT_TIMER)
        timer.setSingleShot(True)
        timer.setInterval(0)
        timer.timeout.connect(lambda: _fit_left_panel(window, scroll))
    timer.start()


def _fit_left_panel(window: Frame, scroll: QScrollArea) -> None:
    """In presentation mode the parameter column is as wide as its widgets need at this font size
    (they would be clipped: the column never scrolls sideways), at most 40 % of the window; it
    follows the text as the window grows or shrinks unless the teacher dragged it. Back on the
    desktop it returns to the width it had."""
    scroll.setMinimumWidth(round(STYLE.px(SIDE_COLUMN_PX)))
    splitter = window.splitter
    inner = scroll.widget()
    if inner is None or splitter.count() < 2 or not splitter.widget(0).isAncestorOf(scroll):
        return
    sizes = splitter.sizes()
    total = sum(sizes)
    if total <= 0:
        return
    fit = _COLUMN_FITS.get(splitter)
    if fit is None:
        fit = _COLUMN_FITS[splitter] = _ColumnFit()
        splitter.splitterMoved.connect(lambda *_: setattr(fit, "dragged", True))
    if STYLE.presentation:
        layout = inner.layout()
        if layout is not None:        # the new font's sizes (not adjustSize: it laid the wrapping
            layout.invalidate()       # rows of the 2-D column out at one row's height, overprinted)
            layout.activate()
        need = inner.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4
        want = min(max(need, scroll.minimumWidth()), int(0.4 * total))
        if fit.desktop is None:
            fit.desktop = sizes[0]
            fit.dragged = False
        if sizes[0] < want or not fit.dragged:
            splitter.setSizes([want, total - want])
    elif fit.desktop is not None:
        desktop, fit.desktop = fit.desktop, None
        if not fit.dragged:
            splitter.setSizes([desktop, total - desktop])


@dataclass
class _ColumnFit:
    """The column's width on the desktop (restored after presentation mode) and whether the teacher
    dragged the splitter (then presentation mode only widens what would be clipped)."""

    desktop: int | None = None
    dragged: bool = False


_COLUMN_FITS: weakref.WeakKeyDictionary[QSplitter, _ColumnFit] = weakref.WeakKeyDictionary()


class BlankScreen(QWidget):
    """A black cover over the whole window, so a class looks at the teacher; a click takes it away."""

    def __init__(self, window: QWidget, on_click) -> None:
        super().__init__(window)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#000000"))
        self.setPalette(palette)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._on_click = on_click
        self.hide()

    def cover(self, on: bool) -> None:
        if on:
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
        self.setVisible(on)

    def mousePressEvent(self, ev) -> None:
        self._on_click()


class Presentation(QObject):
    """The actions and state of presentation mode and the theme, for one window."""

    look_changed = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        theme = str(QSettings(SETTINGS_ORG, SETTINGS_APP).value(THEME_KEY, "light"))
        self.theme = theme if theme in style.THEME_NAMES else "light"
        self.presentation = False       # off at every start: a projector is a choice of the moment
        self._window_scale = 1.0

        self.theme_menu = QMenu("&Theme", window)
        self.theme_group = QActionGroup(self)
        self.theme_group.setExclusive(True)
        self.theme_actions: dict[str, QAction] = {}
        for name, text in (("light", "&Light"), ("dark", "&Dark")):
            a = QAction(text, self.theme_group)
            a.setCheckable(True)
            a.setChecked(name == self.theme)
            a.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_menu.addAction(a)
            self.theme_actions[name] = a
        self.act_presentation = window.board.add(ActionSpec(
            "presentation", "&Presentation mode", self.set_presentation, "view", "presentation", ("F5",),
            "Large text, thick lines and high contrast for the back of a classroom (F5)", checkable=True,
            toolbar="presentation"))
        window.board.add(ActionSpec("theme", "&Theme", lambda: None, "view", "presentation",
                                    submenu=self.theme_menu))
        self.blank = BlankScreen(window, lambda: self.act_blank.setChecked(False))
        # B and "." reach it from any control but a text field (gdviz.ui.keyboard routes them).
        self.act_blank = window.board.add(ActionSpec(
            "blank", "&Blank screen", self.blank.cover, "view", "presentation", ("B", "."),
            "Hide the window behind black (B or . again, Escape or a click brings it back)", checkable=True))
        window.installEventFilter(self)
        # The column beside the plots is refitted when its splitter changes width without the window
        # doing so: the lesson dock opening or closing beside it on a 720-pixel projector.
        self._splitter = window.splitter
        self._splitter.installEventFilter(self)
        if self.theme != "light":
            self.apply()
        else:   # the widgets are built in this look already; the application's font joins them
            _apply_app_look()
            _repolish_style_sheets(window)

    # ------------------------------------------------------------------------------------ state
    def set_presentation(self, on: bool) -> None:
        on = bool(on)
        if self.act_presentation.isChecked() != on:
            self.act_presentation.setChecked(on)      # toggled -> here again, with the same value
            return
        if on != self.presentation:
            self.presentation = on
            self._window_scale = self._scale_for_window()
            self.apply()

    def set_theme(self, name: str) -> None:
        if name not in style.THEME_NAMES:
            raise ValueError(f"no theme named {name!r}; choose one of: {', '.join(style.THEME_NAMES)}")
        self.theme_actions[name].setChecked(True)
        QSettings(SETTINGS_ORG, SETTINGS_APP).setValue(THEME_KEY, name)
        if name != self.theme:
            self.theme = name
            self.apply()

    def _scale_for_window(self) -> float:
        return window_scale(self.window.width(), self.window.height()) if self.presentation else 1.0

    def apply(self) -> None:
        style.set_look(self.theme, self.presentation, self._window_scale)
        # In presentation mode the window's minimum is not its layout's: laid out for a 4K screen, the
        # layout would keep the window from shrinking to 1280 x 720 (un-maximizing, an export), and
        # the text only shrinks once the window has. Back on the desktop, the layout decides again.
        if self.presentation:
            self.window.setMinimumSize(PRESENTATION_MIN_SIZE)
        else:
            self.window.setMinimumSize(0, 0)
        apply_look(self.window)
        self.look_changed.emit()

    # ------------------------------------------------------------------------- window size
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        # Synchronously, so an export that resizes the window and grabs it shows the right look.
        if obj is self.window and ev.type() == QEvent.Type.Resize and self.blank.isVisible():
            self.blank.setGeometry(self.window.rect())
        if obj is self.window and ev.type() == QEvent.Type.Resize and self.presentation:
            scale = self._scale_for_window()
            if scale != self._window_scale:
                self._window_scale = scale
                self.apply()
        elif obj is self._splitter and ev.type() == QEvent.Type.Resize and self.presentation:
            _fit_left_panel_soon(self.window)
        return False


def install_presentation(window: Frame) -> Presentation:
    """Presentation mode (F5, View menu, toolbar) and View > Theme for `window` (kept as
    `window.addons["presentation"]`)."""
    existing = window.addons.get("presentation")
    return existing if existing is not None else window.add_addon("presentation", Presentation(window))
