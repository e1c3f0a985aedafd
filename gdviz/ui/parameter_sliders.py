"""One slider per free parameter of a typed equation (`a` in `a*x^2/2`), shared by every tab that
types an equation: created when the equation gains a parameter, removed when it is gone.

The box only reports edits, as `changed({"params": {name: value, ...}})` (every parameter's value,
so the page can pass it straight to its scene's `with_`); the page keeps exactly the parameters
its worker found (`keep_found`) and shows them with `set_parameters`.
"""
from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel

from . import style
from .plain import one_line, plain_label, plain_tooltip
from .slider_spin import SliderSpin
from .style import STYLE

PARAM_MIN, PARAM_MAX = -5.0, 5.0
PARAM_DEFAULT = 1.0          # the value the model gives a parameter nobody set (FlowProblem, Landscape)
TITLE = "Parameters of the equation"


def keep_found(found: tuple[str, ...], values: Mapping[str, float]) -> dict[str, float]:
    """The values of exactly the parameters the worker found in the equation: a new one starts at
    PARAM_DEFAULT (the value the model already used for it, so the result stays valid), a vanished
    one is dropped."""
    return {name: float(values.get(name, PARAM_DEFAULT)) for name in found}


class ParameterSliders(QGroupBox):
    """A titled box of slider + spin rows, one per parameter; hidden while there are none."""

    changed = Signal(dict)          # {"params": {name: value}}: a user edit

    def __init__(self, title: str = TITLE, parent=None) -> None:
        super().__init__(title, parent)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.sliders: dict[str, SliderSpin] = {}
        self.setAccessibleName(title)
        self.hide()

    def set_parameters(self, names: tuple[str, ...], values: Mapping[str, float]) -> None:
        """One slider per name, showing `values` (PARAM_DEFAULT if missing) without emitting;
        existing sliders keep their place, vanished ones go."""
        for name in list(self.sliders):
            if name not in names:
                self.form.removeRow(self.sliders.pop(name))
        for name in names:
            value = float(values.get(name, PARAM_DEFAULT))
            if name in self.sliders:
                self.sliders[name].setValue(value)
                continue
            slider = SliderSpin(PARAM_MIN, PARAM_MAX, value, spin_min=-1e6, spin_max=1e6,
                                tooltip=plain_tooltip(f"Free parameter {name} of the equation"))
            slider.setAccessibleName(f"parameter {name}")
            slider.slider.setAccessibleName(f"parameter {name}")
            slider.spin.setAccessibleName(f"parameter {name}")
            slider.valueChanged.connect(lambda v, n=name: self._edited(n, v))
            self.form.addRow(self._label(name), slider)
            self.sliders[name] = slider
        self.setVisible(bool(names))

    def set_values(self, values: Mapping[str, float]) -> None:
        """Show these values on the sliders that exist (no signal): an undo, a loaded scene."""
        for name, slider in self.sliders.items():
            if name in values:
                slider.setValue(values[name])

    def values(self) -> dict[str, float]:
        return {name: s.value() for name, s in self.sliders.items()}

    def apply_style(self) -> None:
        """The names' font follows the text size (presentation mode)."""
        for label in self.findChildren(QLabel, "param-label"):
            label.setFont(style.font(STYLE.ui_pt + 1))

    @staticmethod
    def _label(name: str) -> QLabel:
        label = plain_label(QLabel(), one_line(name, 40))     # the name is the user's text
        label.setObjectName("param-label")
        label.setFont(style.font(STYLE.ui_pt + 1))
        return label

    def _edited(self, name: str, value: float) -> None:
        values = self.values()
        values[name] = value
        self.changed.emit({"params": values})
