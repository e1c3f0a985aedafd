"""The numbers of a scene: h (log slider), x0, steps, the x-range, the bundle switch, and one slider
per free parameter of the equation (created when the equation gains one, removed when it is gone).

The panel only reports edits as `changed(dict)` of Scene fields; the window builds the Scene.
"""
from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..model.method_names import METHOD_NAMES, METHOD_SHORT, METHOD_TITLES, STEP_RULE_TITLES, STEP_RULES
from ..model.ranges import MAX_MAGNITUDE, range_problem
from ..model.scene import MAX_STEPS
from . import style
from .parameter_sliders import ParameterSliders
from .plain import one_line, plain_label
from .slider_spin import FloatSpinBox, SliderSpin
from .style import STYLE

if TYPE_CHECKING:
    from ..model.scene import Scene

H_MIN, H_MAX = 1e-4, 10.0
MODIFIED_TIP = ("Draw the modified flow x' = f − (h/2)f'f, which Euler's iterates follow much more closely "
                "than the exact flow, and F̃ beside F: the objective the steps really climb or descend")
MODIFIED_OFF_TIP = ("The modified flow describes explicit Euler (gradient descent or ascent) with a fixed h: "
                    "choose that method and a fixed step size to draw it")
BUNDLE_TIP = ("Draw the exact solutions and Euler's iterates from a spread of starts, as in the article's "
              "figure")
BUNDLE_RULE_TIP = ("With a step-size rule each start would take steps of its own lengths, at times of its "
                   "own: the bundle shows the exact solutions only. Choose a fixed h for its iterates.")
STEPS_SLIDER_MAX = 10_000


def bundle_text(scene: Scene) -> str:
    """The bundle switch's text: how many starts, and that a step-size rule leaves their iterates out."""
    only = "" if scene.bundle_has_iterates else ", exact only"
    return f"Bundle of solutions ({scene.bundle_starts} starts{only})"


def narrow_combo() -> QComboBox:
    """A combo box that does not widen the column to its longest item: at 1024x768 in presentation
    mode "Explicit Euler (gradient ascent)" pushed the column's texts past its right edge. The
    closed box shows what fits; the open list shows every item whole."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


def described_combo(items: list[str], name: str, description: str, tooltip: str) -> QComboBox:
    """A narrow combo box of `items` with what a screen reader says (name, description) and a tooltip."""
    combo = narrow_combo()
    combo.addItems(items)
    combo.setAccessibleName(name)
    combo.setAccessibleDescription(description)
    combo.setToolTip(tooltip)
    return combo

class ParameterPanel(QWidget):
    """Spin boxes and sliders for h, x0, steps, x-range, bundle and the equation's parameters."""

    changed = Signal(dict)          # Scene fields, e.g. {"h": 0.3} or {"params": {"a": 2.0}}
    range_invalid = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        self.euler_box = euler = QGroupBox("Euler's method = gradient ascent")
        form = QFormLayout(euler)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.method = self._method_combo()          # made first: the first Tab stop of the box
        self.step_rule = self._rule_combo()
        self.h = SliderSpin(H_MIN, H_MAX, 0.5, log=True, spin_min=1e-6, spin_max=1e3,
                            tooltip="Step size h = the learning rate (logarithmic slider, 10⁻⁴ to 10).\n"
                                    "Shift+drag: 20 times finer. Tab to it, then ← → for 0.1%, Page Up/Down for 5%.\n"
                                    "Click a ▲ under it to set h to that threshold exactly.")
        self.x0 = SliderSpin(-1.0, 1.0, 0.1, spin_min=-1e9, spin_max=1e9,
                             tooltip="The start x₀ (or click on a plot, or drag the dashed x₀ line)")
        self.steps = SliderSpin(1, STEPS_SLIDER_MAX, 30, log=True, integer=True, spin_min=1, spin_max=MAX_STEPS,
                                tooltip=f"Number of Euler steps (up to {MAX_STEPS:,} in the box)")
        form.addRow(self._label("method"), self.method)
        form.addRow(self._label("step size"), self.step_rule)
        form.addRow(self._label("step h"), self.h)
        form.addRow(self._label("start x₀"), self.x0)
        form.addRow(self._label("steps"), self.steps)
        self.regime = QLabel("")
        self.regime.setWordWrap(True)
        self.regime.setTextFormat(Qt.TextFormat.RichText)
        self.regime.setToolTip("What Euler's map does near the equilibrium x0 is heading to:\n"
                               "monotone for h < 1/|f'(x*)|, oscillating up to 2/|f'(x*)|, divergent beyond.")
        self.thresholds = QLabel("")
        self.thresholds.setTextFormat(Qt.TextFormat.RichText)
        self.thresholds.setToolTip("Euler's map x ↦ x + h f(x) has slope 1 + h f'(x*) at the equilibrium:\n"
                                   "0 at h = 1/|f'(x*)| (one step lands on x* for a linear f),\n"
                                   "−1 at h = 2/|f'(x*)| (beyond it the iterates are pushed away).")
        self.fastest = QPushButton("Set h = 1/|f'(x*)|")
        self.fastest.setToolTip("The fastest monotone convergence: for a quadratic F, one step lands on x*")
        self.fastest.clicked.connect(self._set_fastest)
        self.fastest.hide()
        # The three below in a box of their own: QFormLayout mis-measures a word-wrapped row, and the
        # thresholds' last line slid under the button.
        details = QWidget()
        column = QVBoxLayout(details)
        column.setContentsMargins(0, 0, 0, 0)
        for w in (self.regime, self.thresholds, self.fastest):
            column.addWidget(w)
        form.addRow(details)
        self._h_fastest = math.nan
        outer.addWidget(euler)

        view = QGroupBox("Plotted range")
        row = QHBoxLayout(view)
        self.x_min = FloatSpinBox()
        self.x_max = FloatSpinBox()
        for box in (self.x_min, self.x_max):
            box.setRange(-MAX_MAGNITUDE, MAX_MAGNITUDE)     # whatever a scene may hold
            box.setToolTip("The x-range of the plots (A < B)")
        self.x_min.setAccessibleName("Plotted range: smallest x")
        self.x_max.setAccessibleName("Plotted range: largest x")
        row.addWidget(QLabel("x from"))
        row.addWidget(self.x_min, 1)
        row.addWidget(QLabel("to"))
        row.addWidget(self.x_max, 1)
        outer.addWidget(view)

        self.bundle = QCheckBox("Bundle of solutions")
        self.bundle.setToolTip(BUNDLE_TIP)
        outer.addWidget(self.bundle)
        self.modified = QCheckBox("Modified flow")       # issue 14 §1: what Euler really follows
        self.modified.setAccessibleName("Modified flow")
        self.modified.setAccessibleDescription(MODIFIED_TIP)
        outer.addWidget(self.modified)

        self.params_box = ParameterSliders()         # the same box the 2-D and momentum tabs show
        self.params_box.changed.connect(self.changed)
        outer.addWidget(self.params_box)
        self._regime: tuple[str, str | None] = ("", None)
        self._stability: tuple[float, float, float] | None = None
        self.apply_style()

        self.h.valueChanged.connect(lambda v: self.changed.emit({"h": v}))
        self.x0.valueChanged.connect(lambda v: self.changed.emit({"x0": v}))
        self.steps.valueChanged.connect(lambda v: self.changed.emit({"steps": int(v)}))
        self.x_min.valueChanged.connect(self._range_edited)
        self.x_max.valueChanged.connect(self._range_edited)
        self.bundle.toggled.connect(lambda on: self.changed.emit({"bundle": bool(on)}))
        self.modified.toggled.connect(lambda on: self.changed.emit({"modified": bool(on)}))
        self.method.currentIndexChanged.connect(
            lambda i: self.changed.emit({"method": METHOD_NAMES[i]}) if i >= 0 else None)
        self.step_rule.currentIndexChanged.connect(
            lambda i: self.changed.emit({"step_rule": STEP_RULES[i]}) if i >= 0 else None)

    @staticmethod
    def _rule_combo() -> QComboBox:
        return described_combo(
            [STEP_RULE_TITLES[name] for name in STEP_RULES], "Step-size rule",
            "How explicit Euler chooses each step size: fixed h, backtracking, exact line search or "
            "Barzilai-Borwein",
            "How each step size h_k is chosen (explicit Euler only): a fixed h;\n"
            "backtracking from h, halving until F improves enough (Armijo);\n"
            "the best step along the gradient (exact line search); or Barzilai–Borwein.\n"
            "The iterates are drawn at t_n = h_0 + … + h_n−1, the table lists each h_n.")

    @staticmethod
    def _method_combo() -> QComboBox:
        return described_combo(
            [METHOD_TITLES[name] for name in METHOD_NAMES], "Step method",
            "How each step is taken: explicit Euler is gradient descent or ascent; "
            "implicit Euler, Heun, RK4 and Newton are other integrators of the flow",
            "How each step x_n → x_n+1 is taken. Explicit Euler is gradient ascent/descent;\n"
            "implicit Euler solves x_n+1 = x_n + h f(x_n+1) (the proximal point method);\n"
            "Heun and RK4 are higher-order Runge-Kutta methods; Newton is Euler on x' = −f/f'\n"
            "(h = 1 is Newton's method). The ▲ under h marks the method's stability bound.")

    @staticmethod
    def _label(text: str) -> QLabel:
        label = plain_label(QLabel(), one_line(text, 40))     # a parameter's name is the user's
        label.setObjectName("row-label")          # apply_style finds it again
        label.setFont(style.font(STYLE.ui_pt + 1))
        return label

    def apply_style(self) -> None:
        """Fonts and colours from STYLE: the row labels, the regime line and the thresholds."""
        for label in self.findChildren(QLabel, "row-label"):
            label.setFont(style.font(STYLE.ui_pt + 1))

        self.set_regime(*self._regime)
        if self._stability is not None:
            self.set_stability(*self._stability)
        for box in (self.x_min, self.x_max):
            if box.styleSheet():
                box.setStyleSheet(f"color: {style.css_colour(style.ERROR)};")

    def set_scene(self, scene: Scene) -> None:
        """Show the scene's numbers without emitting `changed`."""
        a, b = scene.x_range
        self.show_method(scene)
        self.method.blockSignals(True)
        self.method.setItemText(0, METHOD_TITLES["euler"].replace("descent", scene.direction))
        self.method.setCurrentIndex(METHOD_NAMES.index(scene.method))
        self.method.blockSignals(False)
        self.step_rule.blockSignals(True)
        self.step_rule.setCurrentIndex(STEP_RULES.index(scene.step_rule))
        self.step_rule.blockSignals(False)
        self.h.setValue(scene.h)
        self.x0.setSliderRange(a, b)
        self.x0.setValue(scene.x0)
        self.steps.setValue(scene.steps)
        for box, v in ((self.x_min, a), (self.x_max, b)):
            box.blockSignals(True)
            box.setValue(v)
            box.blockSignals(False)
            box.setStyleSheet("")
        self.bundle.blockSignals(True)
        self.bundle.setChecked(scene.bundle)
        self.bundle.blockSignals(False)
        self.modified.blockSignals(True)
        self.modified.setChecked(scene.modified)
        self.modified.blockSignals(False)
        self.params_box.set_values(scene.param_dict)

    def show_method(self, scene: Scene) -> None:
        """The box's title names the method and the direction, and the switches say what applies to
        this method and step size (also after a combo's own edit)."""
        self.euler_box.setTitle(f"Euler's method = gradient {scene.direction}" if scene.method == "euler"
                                else f"{METHOD_SHORT[scene.method]} on the gradient {scene.direction} flow")
        self.step_rule.setEnabled(scene.method == "euler")      # the rules choose gradient steps
        self.modified.setEnabled(scene.modified_applies)
        self.modified.setToolTip(MODIFIED_TIP if scene.modified_applies else MODIFIED_OFF_TIP)
        self.bundle.setText(bundle_text(scene))
        self.bundle.setToolTip(BUNDLE_TIP if scene.bundle_has_iterates else BUNDLE_RULE_TIP)

    @property
    def param_sliders(self) -> dict[str, SliderSpin]:
        return self.params_box.sliders

    def set_parameters(self, names: tuple[str, ...], values: dict[str, float]) -> None:
        """One slider per free parameter; existing sliders keep their place, vanished ones go."""
        self.params_box.set_parameters(names, values)

    def parameter_values(self) -> dict[str, float]:
        return self.params_box.values()

    def _range_edited(self, *_: object) -> None:
        a, b = self.x_min.value(), self.x_max.value()
        problem = range_problem(a, b, "the x-range")     # the scenes' own rule, said here first
        if problem is None:
            for box in (self.x_min, self.x_max):
                box.setStyleSheet("")
            self.x0.setSliderRange(a, b)
            self.changed.emit({"x_range": (a, b)})
        else:
            for box in (self.x_min, self.x_max):
                box.setStyleSheet(f"color: {style.ERROR};")
            self.range_invalid.emit(problem)

    def set_regime(self, text: str, colour: str | None) -> None:
        self._regime = (text, colour)
        if not text:
            self.regime.setText("")
            return
        c = style.css_colour(colour or style.INK)
        lines = html.escape(text).replace("\n", "<br>")     # the outcome, then the local regime
        self.regime.setText(f'<span style="color:{c}">■</span> {lines}')

    def set_stability(self, x_star: float, h_monotone: float, h_stable: float) -> None:
        """The thresholds of the equilibrium x0 is heading to, as text and as marks on the h slider;
        NaN (no attracting equilibrium) or inf (f'(x*) = 0: no threshold) hide them."""
        self._stability = (x_star, h_monotone, h_stable)
        finite = math.isfinite(h_monotone) and math.isfinite(h_stable)
        self._h_fastest = h_monotone if finite else math.nan
        self.fastest.setVisible(finite)
        if not finite:
            self.thresholds.setText("")
            self.h.set_marks([])
            return
        self.fastest.setText(f"Set h = 1/|f'(x*)| = {h_monotone:.4g}")
        self.thresholds.setMinimumHeight(0)
        self.thresholds.clear()          # a QLabel keeps its size hint while its text is unchanged
        self.thresholds.setText(
            f"Thresholds at x* = {x_star:.4g}:<br>"
            f'<span style="color:{style.FIELD}">▲</span> 1/|f′(x*)| = <b>{h_monotone:.4g}</b>: monotone<br>'
            f'<span style="color:{style.ERROR}">▲</span> 2/|f′(x*)| = <b>{h_stable:.4g}</b>: diverges')
        self.h.set_marks([(h_monotone, style.FIELD), (h_stable, style.ERROR)])
        self.thresholds.setMinimumHeight(self.thresholds.sizeHint().height())   # three lines, never clipped

    def set_method_bounds(self, method: str, x_star: float, formula: str, bound: float,
                          bounds: tuple[float, ...]) -> None:
        """A method other than explicit Euler: its stability bound at x* (`formula` such as
        "2.785/|f'(x*)|", "" for Newton's plain number; `bound` inf when every h contracts) as text,
        and every stable equilibrium's bound as a mark on the h slider. Newton's method (h = 1) gets
        the button."""
        self._stability = None
        self._h_fastest = 1.0 if method == "newton" else math.nan
        self.fastest.setVisible(method == "newton")
        self.fastest.setText("Set h = 1: Newton's method")
        self.thresholds.setMinimumHeight(0)
        self.thresholds.clear()
        name = html.escape(METHOD_SHORT[method])
        if not math.isfinite(x_star):
            self.thresholds.setText("")
        elif math.isinf(bound):
            self.thresholds.setText(f"{name} contracts toward x* = {x_star:.4g} for every h: no bound to mark.")
        else:
            words = f"{html.escape(formula.replace(chr(39), '′'))} = " if formula else ""
            self.thresholds.setText(f"Stability bound of {name} at x* = {x_star:.4g}:<br>"
                                    f'<span style="color:{style.ERROR}">▲</span> h &lt; {words}<b>{bound:.4g}</b>')
        self.h.set_marks([(b, style.ERROR) for b in bounds])
        self.thresholds.setMinimumHeight(self.thresholds.sizeHint().height())

    def _set_fastest(self) -> None:
        if math.isfinite(self._h_fastest):
            self.h.setValue(self._h_fastest)
            self.changed.emit({"h": float(self._h_fastest)})
