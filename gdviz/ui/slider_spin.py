"""A slider and a spin box showing one number: the slider for dragging live, the box for typing.

The slider is linear or logarithmic over [lo, hi]; the spin box may go beyond the slider's
range (the slider then rests at its end). `valueChanged` fires only for the user's edits.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QPainter, QPolygonF, QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QSlider, QSpinBox, QStyle, QStyleOptionSlider, QWidget

from . import style
from .keyboard import keyboard_focused
from .style import STYLE

TICKS = 1000


class FloatSpinBox(QDoubleSpinBox):
    """A spin box showing numbers compactly (0.5, 1e-04, 12.25) instead of fixed decimals."""

    def __init__(self, parent=None, significant: int = 5) -> None:
        super().__init__(parent)
        self._significant = significant
        self.setDecimals(12)
        self.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.setKeyboardTracking(False)   # typing "0.05" must not ask for h = 0 on the way
        self.setAccelerated(True)

    def apply_style(self) -> None:
        """A minimum width given at scale 1 (float_box) follows the text size."""
        base = self.property("gdviz_min_width")
        if base:
            self.setMinimumWidth(round(STYLE.px(float(base))))

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self._significant}g}"
        return text

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        t = text.strip().replace(",", ".")
        if t in ("", "-", "+", ".", "-.", "+."):
            return QValidator.State.Intermediate, text, pos
        try:
            v = float(t)
        except ValueError:
            if t.lower().endswith(("e", "e-", "e+")):
                return QValidator.State.Intermediate, text, pos
            return QValidator.State.Invalid, text, pos
        if not math.isfinite(v):
            return QValidator.State.Invalid, text, pos
        if self.minimum() <= v <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


def float_box(lo: float, hi: float, tip: str, min_width: int = 80) -> FloatSpinBox:
    """A FloatSpinBox over [lo, hi] with a tooltip: the tabs' rows of hyperparameters."""
    box = FloatSpinBox()
    box.setRange(lo, hi)
    box.setToolTip(tip)
    box.setProperty("gdviz_min_width", min_width)
    box.apply_style()
    return box


class KeySlider(QSlider):
    """A slider that keeps its arrow/Home/End/Page keys when the keyboard gave it focus (Tab), and
    leaves them to the window's animation and lesson after a mouse drag (gdviz.ui.keyboard's rule);
    it can show marks: small coloured triangles under the groove at chosen ticks (h's thresholds)."""

    KEYS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home,
            Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.marks: list[tuple[int, str]] = []    # (tick, colour)

    def event(self, ev) -> bool:
        if ev.type() == QEvent.Type.ShortcutOverride and ev.key() in self.KEYS and keyboard_focused(self):
            ev.accept()
            return True
        return super().event(ev)

    def set_marks(self, marks: list[tuple[int, str]]) -> None:
        if marks != self.marks:
            self.marks = marks
            self.update()

    def paintEvent(self, ev) -> None:
        super().paintEvent(ev)
        if not self.marks:
            return
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        size = max(5.0, self.height() / 3.2)
        bottom = float(self.height() - 1)
        for tick, colour in self.marks:
            x = groove.left() + handle.width() / 2 + QStyle.sliderPositionFromValue(
                self.minimum(), self.maximum(), tick, span)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(style.color(colour))
            p.drawPolygon(QPolygonF([QPointF(x, bottom - size), QPointF(x - size * 0.8, bottom),
                                     QPointF(x + size * 0.8, bottom)]))
        p.end()


class SliderSpin(QWidget):
    """One number edited by a slider (live while dragging) and a spin box."""

    valueChanged = Signal(float)

    def __init__(self, lo: float, hi: float, value: float, *, log: bool = False, integer: bool = False,
                 spin_min: float | None = None, spin_max: float | None = None,
                 tooltip: str = "", parent=None) -> None:
        super().__init__(parent)
        self._log = log
        self._integer = integer
        self._lo, self._hi = lo, hi
        self.slider = KeySlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, TICKS)
        self.slider.setPageStep(TICKS // 20)
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if integer:
            self.spin: QSpinBox | FloatSpinBox = QSpinBox()
            self.spin.setKeyboardTracking(False)
            self.spin.setGroupSeparatorShown(True)
            self.spin.setRange(int(spin_min if spin_min is not None else lo),
                               int(spin_max if spin_max is not None else hi))
        else:
            self.spin = FloatSpinBox()
            self.spin.setRange(spin_min if spin_min is not None else lo,
                               spin_max if spin_max is not None else hi)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        if tooltip:
            self.setToolTip(tooltip)
            self.slider.setToolTip(tooltip)
            self.spin.setToolTip(tooltip)
        self._value = value
        self.setValue(value)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.apply_style()

    def apply_style(self) -> None:
        """The box's width follows the text size (presentation mode)."""
        self.spin.setMinimumWidth(round(STYLE.px(96)))

    # mapping ---------------------------------------------------------------------------------
    def _to_tick(self, v: float) -> int:
        lo, hi = self._lo, self._hi
        if self._log:
            v = min(max(v, lo), hi)
            frac = (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        else:
            frac = (min(max(v, lo), hi) - lo) / (hi - lo) if hi > lo else 0.0
        return int(round(frac * TICKS))

    def _from_tick(self, tick: int) -> float:
        frac = tick / TICKS
        lo, hi = self._lo, self._hi
        if self._log:
            v = 10 ** (math.log10(lo) + frac * (math.log10(hi) - math.log10(lo)))
            v = float(f"{v:.3g}")          # 0.0501 reads better than 0.050118723
        else:
            v = lo + frac * (hi - lo)
            step = (hi - lo) / TICKS
            digits = max(0, -int(math.floor(math.log10(step)))) if step > 0 else 3
            v = round(v, digits)
        if self._integer:
            v = float(int(round(v)))
        return v

    # public ----------------------------------------------------------------------------------
    def value(self) -> float:
        return self._value

    def setValue(self, v: float) -> None:
        """Show `v` without emitting valueChanged."""
        self._value = v
        for w in (self.slider, self.spin):
            w.blockSignals(True)
        self.slider.setValue(self._to_tick(v))
        self.spin.setValue(int(v) if self._integer else v)
        for w in (self.slider, self.spin):
            w.blockSignals(False)

    def set_marks(self, marks: list[tuple[float, str]]) -> None:
        """Coloured marks at these values (those outside the slider's range are left out)."""
        self.slider.set_marks([(self._to_tick(v), c) for v, c in marks
                               if math.isfinite(v) and self._lo <= v <= self._hi])

    def marks(self) -> list[tuple[int, str]]:
        return list(self.slider.marks)

    def setSliderRange(self, lo: float, hi: float) -> None:
        if (lo, hi) != (self._lo, self._hi) and hi > lo:
            self._lo, self._hi = lo, hi
            self.slider.blockSignals(True)
            self.slider.setValue(self._to_tick(self._value))
            self.slider.blockSignals(False)

    def _from_slider(self, tick: int) -> None:
        v = self._from_tick(tick)
        self._value = v
        self.spin.blockSignals(True)
        self.spin.setValue(int(v) if self._integer else v)
        self.spin.blockSignals(False)
        self.valueChanged.emit(v)

    def _from_spin(self, v: float) -> None:
        self._value = float(v)
        self.slider.blockSignals(True)
        self.slider.setValue(self._to_tick(float(v)))
        self.slider.blockSignals(False)
        self.valueChanged.emit(float(v))
