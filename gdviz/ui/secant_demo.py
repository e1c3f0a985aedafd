"""The derivative as speed: a graph x(t), the secant over [t₀, t₀ + Δt] and the tangent at t₀, with
sliders for t₀ and Δt (log scale down to 0.001) and a readout of the two slopes.

The maths (x(t), x'(t), the slopes) is `gdviz.model.secant`; this module only draws its numbers.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..model.secant import DT_MIN, SecantFunction, SecantSetup, SecantState, secant_function
from . import style
from .canvas import Canvas, finite_span, path_item
from .slider_spin import KeySlider
from .style import STYLE

DT_SLIDER_STEPS = 600          # positions of the log-scale Δt slider
T0_SLIDER_STEPS = 1000
SECANT = style.DISCRETE        # the secant is a forward difference, Euler's ingredient: the iterates' colour
TANGENT = style.INK


def _fmt(v: float) -> str:
    """A slope for the readout: enough digits to watch the secant's approach, minus signs typeset."""
    if not math.isfinite(v):
        return "undefined"
    return f"{v:.6g}".replace("-", "−")


class SecantCanvas(Canvas):
    """x(t) with the secant, the tangent, the two points and the Δt, Δx legs of the slope triangle."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", "t", "x(t)", parent)
        self.setMinimumSize(240, 180)
        self.curve = path_item(style.CONTINUOUS, STYLE.curve_px)
        self.tangent = path_item(TANGENT, 2.0, style_=Qt.PenStyle.DashLine)
        self.secant = path_item(SECANT, 2.6)
        self.legs = path_item(style.MUTED, 1.5, style_=Qt.PenStyle.DotLine)
        self.points = pg.ScatterPlotItem(size=STYLE.px(13), brush=pg.mkBrush(style.CURRENT),
                                         pen=pg.mkPen(style.BLACK, width=1.5))
        for item in (self.curve, self.legs, self.tangent, self.secant, self.points):
            self.addItem(item)
        self.dt_label = pg.TextItem("Δt", color=style.MUTED, anchor=(0.5, 0))
        self.dx_label = pg.TextItem("Δx", color=style.MUTED, anchor=(0, 0.5))
        for label in (self.dt_label, self.dx_label):
            self.addItem(label, ignoreBounds=True)
        # No legend: it would cover a small plot; the readout below names the lines in their colours.
        self._view_key: object = None
        self.apply_style()

    def apply_style(self) -> None:
        """Fonts and pens from STYLE again (presentation mode changes its scale, a theme the ink)."""
        super().apply_style()                     # background, axes, title
        self.curve.setPen(style.pen(style.CONTINUOUS, STYLE.curve_px))
        self.tangent.setPen(style.pen(TANGENT, 2.0, style=Qt.PenStyle.DashLine))
        self.secant.setPen(style.pen(SECANT, 2.6))
        self.legs.setPen(style.pen(style.MUTED, 1.5, style=Qt.PenStyle.DotLine))
        self.points.setSize(STYLE.px(13))
        self.points.setPen(pg.mkPen(style.BLACK, width=STYLE.px(1.5)))   # the theme's outline ink
        self.points.setBrush(pg.mkBrush(style.CURRENT))
        for label in (self.dt_label, self.dx_label):
            label.setFont(style.font(STYLE.annotation_pt))
            label.setColor(style.MUTED)

    def show_curve(self, f: SecantFunction, t_range: tuple[float, float]) -> None:
        t, x = f.curve(t_range)
        self.curve.setData(t, x, connect="finite")
        self.set_title(f"x(t) = {f.label}")
        key = (f.label, t_range)
        if key != self._view_key:
            self._view_key = key
            self.force_ranges(t_range, finite_span(x))

    def show_state(self, s: SecantState, t_range: tuple[float, float]) -> None:
        ends = np.array(t_range, dtype=float)
        self.tangent.setData(ends, s.tangent_at(ends))
        self.secant.setData(ends, s.secant_at(ends), connect="finite")
        self.points.setData([s.t0, s.t1], [s.x0, s.x1])
        self.legs.setData([s.t0, s.t1, s.t1], [s.x0, s.x0, s.x1], connect="finite")
        self.dt_label.setPos((s.t0 + s.t1) / 2, s.x0)
        self.dx_label.setPos(s.t1, (s.x0 + s.x1) / 2 if math.isfinite(s.x1) else s.x0)
        # the legs' labels only where the triangle is big enough to read them beside it
        visible = abs(s.dt) >= 0.08 * (t_range[1] - t_range[0])
        self.dt_label.setVisible(visible)
        self.dx_label.setVisible(visible)


class SecantDemo(QWidget):
    """The canvas with its two sliders and the readout. `state_changed(SecantState)` on every move."""

    state_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = SecantCanvas()
        self.t0_slider = KeySlider(Qt.Orientation.Horizontal)
        self.t0_slider.setRange(0, T0_SLIDER_STEPS)
        self.t0_slider.setToolTip("The moment t₀ whose speed we want (or click the plot)")
        self.dt_slider = KeySlider(Qt.Orientation.Horizontal)
        self.dt_slider.setRange(0, DT_SLIDER_STEPS)
        self.dt_slider.setToolTip("The interval Δt, on a log scale: to the left it shrinks towards 0.001")
        self.left = QCheckBox("Δt < 0")
        self.left.setToolTip("Take the interval to the left of t₀: [t₀ + Δt, t₀] with Δt negative")
        self.left.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # Space stays with the window's animation
        self.t0_label = QLabel()
        self.dt_label = QLabel()
        for label in (self.t0_label, self.dt_label):
            label.setMinimumWidth(90)
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        controls = QGridLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel("t₀"), 0, 0)
        controls.addWidget(self.t0_slider, 0, 1)
        controls.addWidget(self.t0_label, 0, 2)
        controls.addWidget(QLabel("Δt"), 1, 0)
        controls.addWidget(self.dt_slider, 1, 1)
        controls.addWidget(self.dt_label, 1, 2)
        controls.addWidget(self.left, 2, 1)
        controls.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(controls)
        layout.addWidget(self.readout)

        self._setup = SecantSetup()
        self._f: SecantFunction | None = None
        self._dt_max = 1.0
        # The values themselves: a slider tick is only where they are shown, so a lesson's t0 = 1
        # stays exactly 1 until the slider is moved.
        self._t0 = self._setup.t0
        self._dt = self._setup.dt
        self._state: SecantState | None = None
        self.t0_slider.valueChanged.connect(self._on_t0_slider)
        self.dt_slider.valueChanged.connect(self._on_dt_slider)
        self.left.toggled.connect(self._on_left)
        self.canvas.x_picked.connect(self.set_t0)
        self.apply_style()

    # ------------------------------------------------------------------------------------ API
    @property
    def state(self) -> SecantState | None:
        return self._state

    @property
    def setup(self) -> SecantSetup:
        return self._setup

    def set_setup(self, setup: SecantSetup) -> None:
        """Show x(t) of `setup` (parsed once here) from its t₀ and Δt. ExpressionError if x(t) is bad
        (a lesson's setup was parsed when the lesson was read, so it is not)."""
        f = secant_function(setup.x)
        self._setup, self._f = setup, f
        span = setup.t_range[1] - setup.t_range[0]
        self._dt_max = max(span / 2, abs(setup.dt), DT_MIN * 10)
        self.canvas.show_curve(f, setup.t_range)
        self._t0, self._dt = setup.t0, setup.dt
        self._sync_sliders()
        self._update()

    def set_t0(self, t0: float) -> None:
        a, b = self._setup.t_range
        self._t0 = min(max(float(t0), a), b)
        self._sync_sliders()
        self._update()

    def set_dt(self, dt: float) -> None:
        """Δt (its size clamped to the slider's range, its sign on the checkbox)."""
        magnitude = min(max(abs(float(dt)), DT_MIN), self._dt_max)
        self._dt = -magnitude if dt < 0 else magnitude
        self._sync_sliders()
        self._update()

    def t0(self) -> float:
        return self._t0

    def dt(self) -> float:
        return self._dt

    def apply_style(self) -> None:
        self.canvas.apply_style()
        for label in (self.t0_label, self.dt_label):
            label.setFont(style.font(STYLE.ui_pt))
        self.readout.setFont(style.font(STYLE.ui_pt + 1))
        if self._state is not None:
            self._update()

    # ------------------------------------------------------------------------------ internals
    def _t0_to_tick(self, t0: float) -> int:
        a, b = self._setup.t_range
        return int(round(min(max((t0 - a) / (b - a), 0.0), 1.0) * T0_SLIDER_STEPS))

    def _dt_to_tick(self, magnitude: float) -> int:
        lo, hi = math.log10(DT_MIN), math.log10(self._dt_max)
        u = (math.log10(max(magnitude, DT_MIN)) - lo) / (hi - lo)
        return int(round(min(max(u, 0.0), 1.0) * DT_SLIDER_STEPS))

    def _tick_to_t0(self, tick: int) -> float:
        a, b = self._setup.t_range
        return a + (b - a) * tick / T0_SLIDER_STEPS

    def _tick_to_dt(self, tick: int) -> float:
        lo, hi = math.log10(DT_MIN), math.log10(self._dt_max)
        return 10 ** (lo + (hi - lo) * tick / DT_SLIDER_STEPS)

    def _sync_sliders(self) -> None:
        for w in (self.t0_slider, self.dt_slider, self.left):
            w.blockSignals(True)
        self.t0_slider.setValue(self._t0_to_tick(self._t0))
        self.dt_slider.setValue(self._dt_to_tick(abs(self._dt)))
        self.left.setChecked(self._dt < 0)
        for w in (self.t0_slider, self.dt_slider, self.left):
            w.blockSignals(False)

    def _on_t0_slider(self, tick: int) -> None:
        self._t0 = self._tick_to_t0(tick)
        self._update()

    def _on_dt_slider(self, tick: int) -> None:
        magnitude = self._tick_to_dt(tick)
        self._dt = -magnitude if self.left.isChecked() else magnitude
        self._update()

    def _on_left(self, on: bool) -> None:
        self._dt = -abs(self._dt) if on else abs(self._dt)
        self._update()

    def _update(self, *_: object) -> None:
        if self._f is None:
            return
        s = self._f.state(self.t0(), self.dt())
        self._state = s
        self.canvas.show_state(s, self._setup.t_range)
        self.t0_label.setText(f"t₀ = {_fmt(s.t0)}")
        self.dt_label.setText(f"Δt = {_fmt(s.dt)}")
        colour = style.css_colour(SECANT)
        self.readout.setText(
            f'<span style="color:{colour}">secant</span> slope (x(t₀+Δt) − x(t₀))/Δt = '
            f'<span style="color:{colour}"><b>{_fmt(s.secant_slope)}</b></span>'
            f"<br>→ tangent (dashed) slope x′(t₀) = <b>{_fmt(s.tangent_slope)}</b>"
            f'<br><span style="color:{style.MUTED}">difference {_fmt(s.error)}: it shrinks in step with Δt</span>')
        self.state_changed.emit(s)


class SecantOverlay(QFrame):
    """The demo as a card over the page of a QTabWidget (the window's central plots), large enough
    to read from the back of a room. It hides itself when another tab is chosen or its close button
    is pressed; `visibility_changed(bool)` says so."""

    visibility_changed = Signal(bool)

    def __init__(self, tabs: QTabWidget, demo: SecantDemo) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self.demo = demo
        self.setObjectName("secant-overlay")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.title = QLabel("From secant to tangent")
        self.title.setToolTip("The derivative as a speed: the secant's slope (an average speed) tends to "
                              "the tangent's slope (the speed at t₀) as Δt → 0")
        self.close_button = QPushButton("✕  Back to the plots")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.setToolTip("Hide the demo (the lesson's step keeps it: show it again from the panel)")
        self.close_button.clicked.connect(self.hide)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.addLayout(header)
        layout.addWidget(demo, 1)
        tabs.installEventFilter(self)
        tabs.currentChanged.connect(lambda _: self.hide())    # the user went elsewhere: get out of the way
        self.apply_style()
        self.hide()

    def apply_style(self) -> None:
        self.setStyleSheet(f"QFrame#secant-overlay {{ background: {style.BACKGROUND}; "
                           f"border: 1px solid {style.MUTED}; }}")
        self.title.setFont(style.font(STYLE.title_pt, bold=True))
        self.demo.apply_style()

    def place(self) -> None:
        """Cover the tab widget's current page (its tab bar stays clickable)."""
        page = self.tabs.currentWidget()
        if page is None:
            return
        self.setGeometry(QRect(page.mapTo(self.tabs, QPoint(0, 0)), page.size()))
        self.raise_()

    def eventFilter(self, obj, ev) -> bool:
        if obj is self.tabs and ev.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest) and self.isVisible():
            self.place()
        return False

    def showEvent(self, ev) -> None:
        self.place()
        super().showEvent(ev)
        self.visibility_changed.emit(True)

    def hideEvent(self, ev) -> None:
        super().hideEvent(ev)
        self.visibility_changed.emit(False)
