"""A slider and a spin box showing one number: the slider for dragging live, the box for typing.

The slider is linear or logarithmic over [lo, hi]; the spin box may go beyond the slider's
range (the slider then rests at its end). `valueChanged` fires only for the user's edits.

Fine work on a wide slider (h spans 1e-4 to 10 in ~130 px: 9% a pixel), issue 13 item 6:
- Shift held while dragging moves the value FINE times slower, from where it was when Shift
  went down (a common convention; the drag's pixels count in continuous log space, not ticks);
- a log slider's arrows step by about 0.1% (one unit of the box's last digit when that is
  more), its Page keys (and Shift+arrows) by about 5%: the keys' own ticks are 1.2% and 78%;
- a click on a mark (the ▲ under the groove) sets the value to the mark's value exactly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QCursor, QKeyEvent, QMouseEvent, QPainter, QPolygonF, QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QSlider, QSpinBox, QStyle, QStyleOptionSlider, QWidget

from . import style
from .keyboard import keyboard_focused
from .style import STYLE

TICKS = 1000
FINE = 20.0             # a Shift-drag moves the value this many times slower than a plain drag
FINE_STEP = 1.001       # a log slider's arrow keys: about 0.1% ...
COARSE_STEP = 1.05      # ... and its Page keys (and Shift+arrows): about 5%
LINEAR_DIGITS = 10      # a linear fine drag rounds to a tenth of a tick (x0: 0.0002 on [-1, 1])


@dataclass(frozen=True)
class _Drag:
    """A drag this slider moves itself (Shift-drag): pixels count from `x`, FINE times slower when fine."""
    x: float
    fine: bool


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


def int_box(lo: int, hi: int, tip: str) -> QSpinBox:
    """A whole-number box that commits on Enter or focus loss (not per keystroke), with thousands
    separators and `tip` as its tooltip."""
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setKeyboardTracking(False)
    box.setGroupSeparatorShown(True)
    box.setToolTip(tip)
    return box


class KeySlider(QSlider):
    """A slider that keeps its arrow/Home/End/Page keys when the keyboard gave it focus (Tab), and
    leaves them to the window's animation and lesson after a mouse drag (gdviz.ui.keyboard's rule);
    it can show marks: small coloured triangles under the groove at chosen ticks (h's thresholds)."""

    KEYS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home,
            Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
    # key -> (direction, coarse) for a slider with custom_steps
    STEPS: ClassVar[dict[Qt.Key, tuple[int, bool]]] = {Qt.Key.Key_Right: (1, False), Qt.Key.Key_Up: (1, False), Qt.Key.Key_Left: (-1, False),
                                                        Qt.Key.Key_Down: (-1, False), Qt.Key.Key_PageUp: (1, True),
                                                        Qt.Key.Key_PageDown: (-1, True)}

    drag_started = Signal()           # a Shift-drag (re)anchors here: the owner notes its value
    drag_moved = Signal(float)        # ... and moved by this fraction of the groove (FINE-scaled)
    mark_clicked = Signal(int)        # the index of the mark clicked
    stepped = Signal(int, bool)       # a step key with custom_steps: direction ±1, coarse?

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.marks: list[tuple[int, str]] = []    # (tick, colour)
        self.custom_steps = False     # the owner steps the value itself on arrows and Page keys
        self._drag: _Drag | None = None

    def event(self, ev) -> bool:
        if ev.type() == QEvent.Type.ShortcutOverride and ev.key() in self.KEYS and keyboard_focused(self):
            ev.accept()
            return True
        return super().event(ev)

    def set_marks(self, marks: list[tuple[int, str]]) -> None:
        if marks != self.marks:
            self.marks = marks
            self.update()

    # geometry ---------------------------------------------------------------------------------
    def _groove(self) -> tuple[float, float]:
        """(x of the minimum's handle centre, pixels from minimum to maximum)."""
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                             QStyle.SubControl.SC_SliderHandle, self)
        return groove.left() + handle.width() / 2, float(max(groove.width() - handle.width(), 1))

    def mark_size(self) -> float:
        return max(5.0, self.height() / 3.2)

    def mark_x(self, tick: int) -> float:
        left, span = self._groove()
        return left + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), tick, round(span))

    def mark_at(self, pos: QPointF) -> int | None:
        """The mark under `pos` (its triangle's box, a pixel wider), or None. Above the marks' band the
        press is the slider's own (the handle, the groove)."""
        size = self.mark_size()
        if pos.y() < self.height() - 1 - size - 1:
            return None
        near = [(abs(pos.x() - self.mark_x(tick)), i) for i, (tick, _) in enumerate(self.marks)]
        near = [(d, i) for d, i in near if d <= size * 0.8 + 1]
        return min(near)[1] if near else None

    # mouse: marks and the Shift-drag -----------------------------------------------------------
    def mousePressEvent(self, ev: QMouseEvent) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            mark = self.mark_at(ev.position())
            shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if mark is not None or shift:
                self.setFocus(Qt.FocusReason.MouseFocusReason)     # as a click on a slider does
                ev.accept()
                if mark is not None:
                    self.mark_clicked.emit(mark)
                else:
                    self._anchor(ev.position().x(), fine=True)
                return
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        x = ev.position().x()
        if self._shift_went_down(ev):
            self._anchor(x, fine=True)          # fine from here on
        if self._drag is None:
            super().mouseMoveEvent(ev)
            return
        _, span = self._groove()
        self.drag_moved.emit((x - self._drag.x) / span / (FINE if self._drag.fine else 1.0))
        ev.accept()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        if self._drag is None:
            super().mouseReleaseEvent(ev)
            return
        self._drag = None
        if self.isSliderDown():
            super().mouseReleaseEvent(ev)       # a plain drag Shift took over: let Qt finish it
        ev.accept()

    def _shift_went_down(self, ev: QMouseEvent) -> bool:
        """Shift held during a drag that is not fine yet (Qt's own drag, or ours at full speed)."""
        if not (ev.modifiers() & Qt.KeyboardModifier.ShiftModifier and ev.buttons() & Qt.MouseButton.LeftButton):
            return False
        return self.isSliderDown() if self._drag is None else not self._drag.fine

    def _anchor(self, x: float, fine: bool) -> None:
        self._drag = _Drag(x, fine)
        self.drag_started.emit()

    # keys: Shift during a drag, and the owner's steps -------------------------------------------
    def keyPressEvent(self, ev: QKeyEvent) -> None:
        key = Qt.Key(ev.key())
        if key == Qt.Key.Key_Shift and self._drag is not None:
            if not self._drag.fine:
                self._re_anchor(fine=True)
            return
        step = self.STEPS.get(key) if self.custom_steps else None
        mods = ev.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if step is not None and mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            direction, coarse = step
            self.stepped.emit(direction, coarse or mods == Qt.KeyboardModifier.ShiftModifier)
            ev.accept()
            return
        super().keyPressEvent(ev)

    def keyReleaseEvent(self, ev: QKeyEvent) -> None:
        if ev.key() == Qt.Key.Key_Shift and self._drag is not None and self._drag.fine:
            self._re_anchor(fine=False)         # Shift let go: full speed again, from here
            return
        super().keyReleaseEvent(ev)

    def _re_anchor(self, fine: bool) -> None:
        cursor = self.mapFromGlobal(QCursor.pos())
        self._anchor(float(cursor.x()), fine)

    def paintEvent(self, ev) -> None:
        super().paintEvent(ev)
        if not self.marks:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        size = self.mark_size()
        bottom = float(self.height() - 1)
        for tick, colour in self.marks:
            x = self.mark_x(tick)
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
        self._mark_values: list[float] = []      # the marks' exact values, in the slider's order
        self._drag_from = value                  # the value where the current Shift-drag anchored
        self.setValue(value)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.slider.custom_steps = log           # a log slider's ticks are too coarse for its keys
        self.slider.stepped.connect(self._step)
        self.slider.drag_started.connect(self._drag_anchor)
        self.slider.drag_moved.connect(self._dragged)
        self.slider.mark_clicked.connect(self._mark_clicked)
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
        """Coloured marks at these values (those outside the slider's range are left out); a click
        on one sets the value to it exactly."""
        shown = [(float(v), c) for v, c in marks if math.isfinite(v) and self._lo <= v <= self._hi]
        self._mark_values = [v for v, _ in shown]
        self.slider.set_marks([(self._to_tick(v), c) for v, c in shown])

    def mark_values(self) -> list[float]:
        return list(self._mark_values)

    def marks(self) -> list[tuple[int, str]]:
        return list(self.slider.marks)

    def setSliderRange(self, lo: float, hi: float) -> None:
        if (lo, hi) != (self._lo, self._hi) and hi > lo:
            self._lo, self._hi = lo, hi
            self.slider.blockSignals(True)
            self.slider.setValue(self._to_tick(self._value))
            self.slider.blockSignals(False)

    # fine work: keys, Shift-drag, marks --------------------------------------------------------
    def _fraction(self, v: float) -> float:
        """Where v sits along the slider, 0 at lo and 1 at hi (beyond them outside [0, 1])."""
        lo, hi = self._lo, self._hi
        if self._log:
            return (math.log10(max(v, 1e-300)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        return (v - lo) / (hi - lo) if hi > lo else 0.0

    def _at_fraction(self, frac: float) -> float:
        lo, hi = self._lo, self._hi
        if self._log:
            return 10 ** (math.log10(lo) + frac * (math.log10(hi) - math.log10(lo)))
        return lo + frac * (hi - lo)

    def _shown(self, v: float) -> float:
        """v rounded to what the box shows (its significant digits; a linear slider's tenth of a
        tick, so x0 lands on 0.1234 rather than 0.12340968), clamped to the box's range."""
        v = min(max(v, float(self.spin.minimum())), float(self.spin.maximum()))
        if self._integer:
            return float(int(round(v)))
        if self._log:
            return float(f"{v:.{self.spin._significant}g}")
        step = (self._hi - self._lo) / (TICKS * LINEAR_DIGITS)
        return round(v, max(0, -int(math.floor(math.log10(step))))) if step > 0 else v

    def _user_value(self, v: float) -> None:
        """The user moved the value to v by a key, a Shift-drag or a mark: show it, emit it."""
        if v == self._value:
            return
        self.setValue(v)
        self.valueChanged.emit(v)

    def _step(self, direction: int, coarse: bool) -> None:
        """An arrow (fine) or Page key (coarse) on a log slider: h·1.001 or h·1.05, rounded to the
        box's digits; one unit of its last digit when the rounding would undo the step."""
        v = self._value
        if self._integer:
            size = max(1.0, round(abs(v) * (COARSE_STEP - 1))) if coarse else 1.0
            self._user_value(self._shown(v + direction * size))
            return
        factor = (COARSE_STEP if coarse else FINE_STEP) ** direction
        new = self._shown(v * factor)
        if new == v and v > 0:
            unit = 10.0 ** (math.floor(math.log10(v)) - (self.spin._significant - 1))
            new = self._shown(v + direction * unit)
        self._user_value(new)

    def _drag_anchor(self) -> None:
        self._drag_from = self._value

    def _dragged(self, moved: float) -> None:
        """A Shift-drag moved `moved` of the groove from its anchor (already FINE times smaller)."""
        self._user_value(self._shown(self._at_fraction(self._fraction(self._drag_from) + moved)))

    def _mark_clicked(self, index: int) -> None:
        if 0 <= index < len(self._mark_values):
            self._user_value(self._mark_values[index])     # exactly the threshold, not its tick

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
