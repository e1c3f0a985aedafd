"""The momentum tab: heavy-ball momentum is Newton's second law x'' + γ x' = −F'(x) taken in steps.

Type the potential F(x) (or pick the pendulum), set the start (x0, v0), lr and μ, and watch the
iterates (x_n, v_n) follow the exact motion in the phase plane, with the energy beside it:
constant for μ = 1 (γ = 0), falling for μ < 1. Δt = √lr and γ = (1 − μ)/Δt are shown as text.

Like the other views it only reports edits, as `changed(dict)` of MomentumScene fields (a click on
the plane is {"x0": x, "v0": v}) and `preset_chosen(name)`, and draws the MomentumResult it is
given; it owns an animation clock of its own, since its number of steps is its own.
"""
from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..model.momentum import LR_RANGE, MAX_ABS, MAX_STEPS, momentum_presets
from . import style
from .animation import AnimationClock
from .animation_bar import readout_parts, transport_bar
from .canvas import Canvas, finite_span, line_item, path_item, scatter_item, set_path
from .nesterov_canvas import NesterovCanvas
from .parameter_sliders import ParameterSliders
from .phase_plane_canvas import PhasePlaneCanvas
from .plain import MESSAGE_LIMIT, plain_label, shown
from .presets_box import presets_box
from .rate_map_canvas import RateMapCanvas, ThresholdLabel
from .slider_spin import SliderSpin, float_box
from .style import STYLE
from .wrap_layout import wrap_row

if TYPE_CHECKING:
    from ..model.momentum import MomentumResult, MomentumScene

TYPING_PAUSE_MS = 400


def _number(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else "—"


NESTEROV_TAB = 2      # the side tab that shows Nesterov over its ODE (hidden until asked for)

def energy_span(flow: np.ndarray, iterates: np.ndarray, rest: float) -> tuple[float, float]:
    """The energy axis: the exact motion's energies and the rest level, and the iterates' as far as
    twice that span beyond it (a heavy ball running away must not flatten everything to a line)."""
    lo, hi = finite_span(flow, np.array([rest]), pad=0.0)
    reach = 2.0 * (hi - lo)
    with np.errstate(invalid="ignore"):
        near = iterates[(iterates >= lo - reach) & (iterates <= hi + reach)]
    return finite_span(flow, near, np.array([rest]), pad=0.08)


class EnergyCanvas(Canvas):
    """E = v²/2 + V(x) against the step n: the exact motion's at t = nΔt (blue), the iterates' (dots)."""

    def __init__(self, parent=None) -> None:
        # The formula on the axis, the verdict in the title: together in the title, they ended in
        # "…" in the narrow column beside the phase plane on a projector.
        super().__init__("Energy", "step n   (t = nΔt)", "E = v²/2 + V(x)", parent)
        self.flow = path_item(style.CONTINUOUS, STYLE.curve_px)
        self.future = path_item(style.DISCRETE, STYLE.faint_px, alpha=0.35)
        self.done = path_item(style.DISCRETE, STYLE.path_px - 0.2, dots=STYLE.dot_px * 0.7)
        self.current = scatter_item(STYLE.current_px * 0.8, style.CURRENT, (style.BLACK, 2))
        self.rest = line_item(style.MUTED, 2, dash=True, angle=0, label="rest at the bottom", position=0.97,
                              label_colour=style.INK, label_pt=STYLE.annotation_pt - 1, anchors=[(1, 1), (1, 1)])
        self.now = line_item(style.CURRENT, 2)
        for z, item in ((5, self.future), (10, self.flow), (20, self.done), (30, self.current),
                        (-10, self.rest), (40, self.now)):
            item.setZValue(z)
            self.addItem(item, ignoreBounds=True)
        self.cache_static(self.flow, self.future)
        self.legend = self.add_legend((-10, 10))
        self.legend.addItem(self.flow, "exact motion")
        self.legend.addItem(self.done, "heavy ball")
        self.result: MomentumResult | None = None
        self.current_index = 0

    def show_result(self, r: MomentumResult, index: int | None = None) -> None:
        self.result = r
        n_flow = r.flow.t / r.dt                 # the flow on the step axis: t = nΔt
        set_path(self.flow, n_flow, r.flow.energy)
        steps = np.arange(r.steps + 1, dtype=float)
        set_path(self.future, steps, r.energy)
        rest = r.rest_energy
        self.rest.setVisible(math.isfinite(rest))
        if math.isfinite(rest):
            self.rest.setValue(rest)
        if r.gamma == 0:
            self.set_title("Energy: γ = 0, conserved")
        else:
            self.set_title(f"Energy: γ = {r.gamma:.3g} > 0, it falls")
        self.set_ranges_once(r.scene, (0.0, float(r.steps)), energy_span(r.flow.energy, r.energy, rest))
        self.show_index(r.steps if index is None else index)

    def show_index(self, n: int) -> None:
        r = self.result
        if r is None:
            return
        n = max(0, min(int(n), r.steps))
        steps = np.arange(n + 1, dtype=float)
        set_path(self.done, steps, r.energy[: n + 1], dots=STYLE.dot_px)
        e = float(r.energy[n])
        self.current.setData(*(([float(n)], [e]) if math.isfinite(e) else ([], [])))
        self.now.setValue(n)
        self.current_index = n


class MomentumView(QWidget):
    changed = Signal(dict)          # MomentumScene fields, e.g. {"momentum": 0.9}
    preset_chosen = Signal(str)

    def __init__(self, presets: Sequence[tuple[str, str]] | None = None, parent=None) -> None:
        """`presets`: (name, title) pairs for the menu; None reads resources/momentum."""
        super().__init__(parent)
        try:
            loaded = momentum_presets()
        except ValueError:               # a broken preset file: the menu is empty, the tab works
            loaded = ()
        if presets is None:
            presets = [(p.name, p.title) for p in loaded]
        self._explanations = {p.name: p.explanation for p in loaded}
        self.clock = AnimationClock(self)

        self.equation = QLineEdit()
        self.equation.setToolTip("The potential F(x) the ball rolls in (descent); other letters are parameters")
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._commit_text)
        self.equation.textEdited.connect(lambda _: self._typing.start())
        self.equation.returnPressed.connect(self._commit_text)
        self.presets = presets_box(presets, self._preset)
        self.portrait = QCheckBox("separatrices and orbits")
        self.portrait.setToolTip("Draw the separatrices of the saddles and a few reference motions")
        self.portrait.toggled.connect(lambda on: self.changed.emit({"portrait": bool(on)}))
        self.nesterov = QCheckBox("Nesterov over its ODE")
        self.nesterov.setToolTip("Also Nesterov's method with momentum (k − 1)/(k + 2) and step s = lr, drawn "
                                 "over the solution of X″ + (3/t)X′ + F′(X) = 0 with t = k√s")
        self.nesterov.toggled.connect(lambda on: self.changed.emit({"nesterov": bool(on)}))

        self.x0 = float_box(-MAX_ABS, MAX_ABS, "Start position x₀ (or click the phase plane)", min_width=90)
        self.v0 = float_box(-MAX_ABS, MAX_ABS, "Start velocity v₀ (or click the phase plane)", min_width=90)
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setKeyboardTracking(False)
        self.steps.setGroupSeparatorShown(True)
        self.steps.setToolTip("Number of heavy-ball steps; the motion is followed for steps × Δt")
        self.lr = SliderSpin(1e-4, 1.0, 0.01, log=True, spin_min=LR_RANGE[0], spin_max=LR_RANGE[1],
                             tooltip="Learning rate lr: the time step is Δt = √lr")
        self.momentum = SliderSpin(0.0, 1.0, 0.9, tooltip="Momentum μ: friction γ = (1 − μ)/Δt; μ = 1 has none")
        self.x0.valueChanged.connect(lambda v: self.changed.emit({"x0": float(v)}))
        self.v0.valueChanged.connect(lambda v: self.changed.emit({"v0": float(v)}))
        self.steps.valueChanged.connect(lambda v: self.changed.emit({"steps": int(v)}))
        self.lr.valueChanged.connect(lambda v: self.changed.emit({"lr": float(v)}))
        self.momentum.valueChanged.connect(lambda v: self.changed.emit({"momentum": float(v)}))

        self.ode = QLabel("")
        self.ode.setTextFormat(Qt.TextFormat.RichText)
        self.ode.setToolTip("Heavy-ball momentum is semi-implicit Euler on x″ + γx′ = −F′(x) with "
                            "lr = Δt² and μ = 1 − γΔt")
        self.error = plain_label(QLabel(""))        # messages quote the equation: see plain.py
        self.error.setWordWrap(True)
        self.error.setMinimumWidth(1)
        self.error.hide()          # an empty row above the plots took 25 px of a 720p projector's height
        # Hints about an accepted F ("X is a parameter; did you mean x?"), right under the field.
        self.hint = plain_label(QLabel(""))
        self.hint.setWordWrap(True)
        self.hint.setMinimumWidth(1)
        self.hint.setAccessibleName("Note about the equation")
        self.hint.hide()
        self.params = ParameterSliders()       # one slider per free parameter of F, as on the flow tab
        self.params.changed.connect(self.changed)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)

        self.phase = PhasePlaneCanvas()
        self.energy_canvas = EnergyCanvas()
        self.phase.setAccessibleName("Phase plane: position x against velocity v")
        self.energy_canvas.setAccessibleName("Energy against time")
        for c in (self.phase, self.energy_canvas):
            c.setMinimumSize(220, 160)
        self.phase.start_picked.connect(lambda x, v: self.changed.emit({"x0": x, "v0": v}))
        # Beside the phase plane, one plot at a time: the energy, the (lr, μ) rate map at the bottom's
        # curvature, and Nesterov over its ODE when asked. Stacked below it, the rate map left the
        # phase plane 43 px at 1280x720 in presentation mode.
        self.rate_map = RateMapCanvas()
        self.rate_map.setAccessibleName("Convergence rate over learning rate and momentum")
        self.nesterov_canvas = NesterovCanvas()
        self.nesterov_canvas.setAccessibleName("Nesterov's iterates over the solution of its ODE")
        for c in (self.rate_map, self.nesterov_canvas):
            c.setMinimumSize(220, 140)
        self.side_tabs = QTabWidget()
        self.side_tabs.setAccessibleName("Plots beside the phase plane")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self.energy_canvas, "Energy")
        self.side_tabs.addTab(self.rate_map, "Rate map (η, μ)")
        self.side_tabs.addTab(self.nesterov_canvas, "Nesterov's ODE")
        self.side_tabs.setTabVisible(NESTEROV_TAB, False)
        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.addWidget(self.phase)
        plots.addWidget(self.side_tabs)
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 2)
        plots.setSizes([900, 500])
        self.thresholds = ThresholdLabel()

        self.bar = transport_bar(self.clock, self, "Back to the start")
        self.clock.index_changed.connect(self.show_index)

        # The controls, top to bottom: the page shows them in the window's column beside the tabs (as
        # the flow's parameters and the 2-D settings); in rows above the plots they left the phase
        # plane 165 px of a 1280x720 projector in presentation mode. A view alone has them on top.
        self.ode.setWordWrap(True)
        field = QHBoxLayout()
        field.addWidget(QLabel("F(x) ="))
        field.addWidget(self.equation, 1)
        rates = QFormLayout()
        rates.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)   # each slider the column's width
        rates.addRow("lr", self.lr)
        rates.addRow("momentum μ", self.momentum)
        self.controls = QWidget()
        cl = QVBoxLayout(self.controls)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(field)
        for w in (self.error, self.hint, self.presets, wrap_row(self.portrait, self.nesterov),
                  wrap_row("x₀", self.x0, "v₀", self.v0, "steps", self.steps), self.ode):
            cl.addWidget(w)
        cl.addLayout(rates)
        for w in (self.thresholds, self.params, self.note):
            cl.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addWidget(self.controls)
        lay.addWidget(plots, 1)
        lay.addWidget(self.bar)
        self.result: MomentumResult | None = None
        self.scene: MomentumScene | None = None
        self.apply_style()

    def apply_style(self) -> None:
        """Fonts and colours from STYLE; the note and readout drawn again (the canvases restyle
        themselves: presentation.restyle calls apply_style on every widget of a tree)."""
        self.equation.setFont(style.mono_font(STYLE.equation_pt - 2))
        self.ode.setFont(style.font(STYLE.ui_pt + 2))
        self.error.setStyleSheet(f"color: {style.css_colour(style.ERROR)};")
        self.hint.setFont(style.font(STYLE.ui_pt + 1, bold=True))     # a hint, not an error: ink, bold
        self.hint.setStyleSheet(f"color: {style.css_colour(style.INK)};")
        self.note.setStyleSheet(f"QLabel {{ color: {style.css_colour(style.INK)}; }}")
        self._show_note()
        if self.result is not None:
            self._readout(self.clock.index)

    # ------------------------------------------------------------------------------------ edits
    def _commit_text(self) -> None:
        self._typing.stop()
        self.changed.emit({"text": self.equation.text().strip(), "preset": ""})

    def _preset(self, i: int) -> None:
        name = self.presets.itemData(i)
        self.presets.setCurrentIndex(0)
        if name:
            self.preset_chosen.emit(name)

    # ------------------------------------------------------------------------------------ display
    def set_scene(self, scene: MomentumScene) -> None:
        """Show the scene's values in the controls (no signals)."""
        self.scene = scene
        widgets = [self.equation, self.x0, self.v0, self.steps, self.lr, self.momentum, self.portrait,
                   self.nesterov]
        for w in widgets:
            w.blockSignals(True)
        if not self.equation.hasFocus() or not self._typing.isActive():
            self.equation.setText(scene.text)
        self.x0.setValue(scene.x0)
        self.v0.setValue(scene.v0)
        self.steps.setValue(scene.steps)
        self.lr.setValue(scene.lr)
        self.momentum.setValue(scene.momentum)
        self.portrait.setChecked(scene.portrait)
        self.nesterov.setChecked(scene.nesterov)
        if scene.nesterov != self.side_tabs.isTabVisible(NESTEROV_TAB):
            self.side_tabs.setTabVisible(NESTEROV_TAB, scene.nesterov)
            self.side_tabs.setCurrentIndex(NESTEROV_TAB if scene.nesterov else 0)   # what was asked for
        for w in widgets:
            w.blockSignals(False)
        self.params.set_values(scene.param_dict)
        self._show_ode(scene.dt, scene.gamma)
        self._show_note()

    def _show_ode(self, dt: float, gamma: float) -> None:
        self.ode.setText(f"Δt = √lr = <b>{dt:.4g}</b> &nbsp;&nbsp; γ = (1 − μ)/Δt = <b>{gamma:.4g}</b>"
                         f"{' &nbsp;(no friction)' if gamma == 0 else ''}")

    def _show_note(self) -> None:
        parts = []
        if self.scene is not None and self.scene.preset in self._explanations:
            parts.append(html.escape(self._explanations[self.scene.preset]))
        if self.result is not None and self.result.scene == self.scene:
            parts.extend(f'<span style="color:{style.css_colour(style.ERROR)}">{html.escape(m)}</span>'
                         for m in self.result.messages)
        self.note.setText("<br>".join(parts))
        self.note.setVisible(bool(parts))

    def show_result(self, r: MomentumResult) -> None:
        first = self.result is None
        self.result = r
        self.error.setText("")
        self.error.hide()
        self.show_notes(r.notes)
        self.clock.set_last(r.steps, to_end=first or self.clock.index > r.steps, emit=False)
        n = self.clock.index
        self.phase.show_result(r, n)
        self.energy_canvas.show_result(r, n)
        self.rate_map.show_result(r)
        self.nesterov_canvas.show_result(r, n)
        self.nesterov_canvas.setVisible(r.accelerated is not None)
        self._show_thresholds(r)
        if self.scene is None:
            self.scene = r.scene
        self._show_ode(r.dt, r.gamma)
        self._show_note()
        self._readout(n)
        self.bar.fit_readout()          # its own readout: one line beside the scrubber, or under it

    def _show_thresholds(self, r: MomentumResult) -> None:
        """The heavy ball's η* (error colour) and plain GD's 2/λ (field colour) as marks on the lr
        slider, like the flow tab's marks on h, and as text under it."""
        self.thresholds.show_summary(r.rates)
        marks = []
        if r.rates is not None:
            for name, colour in (("Momentum", style.ERROR), ("GD", style.FIELD)):
                w = r.rates.windows.get(name)
                if w is not None and not w.empty:
                    marks.append((w.high, colour))
        self.lr.set_marks(marks)

    def show_error(self, message: str) -> None:
        self.error.setText(shown(message, MESSAGE_LIMIT, keep=""))
        self.error.setVisible(bool(message))
        self.show_notes(())             # the notes were about the last good F, not this text

    def show_notes(self, notes: Sequence[str]) -> None:
        """The model's hints about F (`Expression.notes`), or none."""
        text = " ".join(notes)
        self.hint.setText(shown(text, MESSAGE_LIMIT, keep=""))
        self.hint.setVisible(bool(text))

    def set_parameters(self, names: tuple[str, ...], values: dict[str, float]) -> None:
        """One slider per free parameter of F (see ParameterSliders)."""
        self.params.set_parameters(names, values)

    def show_index(self, n: int) -> None:
        if self.result is None:
            return
        self.phase.show_index(n)
        self.energy_canvas.show_index(n)
        self.nesterov_canvas.show_index(n)
        self._readout(n)

    def _readout(self, n: int) -> None:
        r = self.result
        if r is None:
            return
        n = max(0, min(n, r.steps))
        self.bar.scrubber.blockSignals(True)
        self.bar.scrubber.setRange(0, r.steps)
        self.bar.scrubber.setValue(n)
        self.bar.scrubber.blockSignals(False)
        x, v, e = float(r.x[n]), float(r.v[n]), float(r.energy[n])
        self.bar.readout.setText(readout_parts(
            f"n = <b>{n}</b> / {r.steps}", f"t = {r.t[n]:.4g}",
            f'<span style="color:{style.css_colour(style.DISCRETE)}">(xₙ, vₙ) = (<b>{_number(x)}</b>, <b>{_number(v)}</b>)'
            f"</span>", f"Eₙ = {_number(e)}"))
