"""The 2-D tab: type F(x, y), pick optimizers and a learning rate, and watch them side by side from
the same starts, with the loss of each on a log scale and the update rules they follow.

It reports edits as `changed(dict)` of Scene2D fields and draws the Result2D it is given; it owns
an animation clock of its own, since its number of steps is its own.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..model.scene2d import INTEGRATOR_NAMES, MAX_STEPS_2D, OPTIMIZER_NAMES, TORCH_NAMES
from . import style
from .animation import AnimationClock
from .animation_bar import readout_parts, transport_bar
from .canvas import LeftAxisGroup
from .cloud_overlay import CloudOverlay
from .contour_canvas import ContourCanvas, colour_of
from .data_canvas import DataCanvas
from .loss_canvas import LossCanvas
from .modified_overlay import ModifiedIsolines
from .parameter_sliders import ParameterSliders
from .presets_box import presets_box
from .rate_map_canvas import RateMapCanvas, ThresholdLabel
from .sharpness_canvas import SharpnessCanvas
from .slider_spin import float_box
from .style import STYLE
from .sweep_progress import SweepProgress
from .wrap_layout import group, wrap_row

if TYPE_CHECKING:
    from ..model.results2d import Result2D
    from ..model.scene2d import Scene2D

DATA_W_RANGE = (-1.0, 5.0)
DATA_B_RANGE = (-4.0, 2.0)


def plain_hats(text: str) -> str:
    """m̂ -> m*: Qt's text layout puts combining accents on the wrong glyph with the fonts we get
    (the hat of m̂ landed on the line's first letter), so the bias-corrected moments get a star."""
    return text.replace("\u0302", "*")


# The tabs beside the map, in order; `show_plot` brings one forward by the name of its view.
SIDE_TABS = ("loss", "data", "rates", "rules")
# What each check box runs: torch.optim's update rules, then the gradient flow's other integrators
# read as optimizers with the learning rate as their step (issue 14 §2; drawn dashed).
OPTIMIZER_TIPS = {
    "GD": "Gradient descent: torch.optim.SGD, explicit Euler on the gradient flow",
    "Momentum": "Heavy ball: torch.optim.SGD with momentum μ",
    "Nesterov": "torch.optim.SGD with momentum μ and nesterov=True",
    "Adagrad": "torch.optim.Adagrad", "RMSprop": "torch.optim.RMSprop", "Adam": "torch.optim.Adam",
    "AdamW": "torch.optim.AdamW (decoupled weight decay λ)",
    "Implicit Euler": "Implicit Euler = the proximal point method: each step solves y = x − η∇F(y); "
                      "it converges for every η on a convex F",
    "Heun": "Heun's method on the gradient flow: two gradients a step, second order; diverges past η = 2/λ",
    "RK4": "Classical Runge–Kutta on the gradient flow: four gradients a step, fourth order; "
           "diverges past η = 2.785/λ",
    "Newton": "Euler on the Newton flow x' = −[∇²F]⁻¹∇F: η = 1 is Newton's method; it seeks any critical "
              "point, saddles and maxima included",
}
SIDE_TAB_OF_VIEW = {"sharpness": "loss", "rates": "rates"}


class Stacked(QWidget):
    """Plots one above the other while each gets `min_height` pixels, else side by side: on a
    720p projector the loss and sharpness plots stacked had 30 px each."""

    def __init__(self, *widgets: QWidget, min_height: int = 180) -> None:
        super().__init__()
        self.min_height = min_height
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            self.box.addWidget(w, 1)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        count = max(1, self.box.count())
        tall = self.height() >= count * STYLE.px(self.min_height) or self.width() < count * STYLE.px(self.min_height)
        direction = QBoxLayout.Direction.TopToBottom if tall else QBoxLayout.Direction.LeftToRight
        if self.box.direction() != direction:
            self.box.setDirection(direction)


class LandscapeView(QWidget):
    changed = Signal(dict)
    preset_chosen = Signal(str)
    cancel_requested = Signal()

    def __init__(self, presets: list[tuple[str, str]], parent=None) -> None:
        super().__init__(parent)
        self.clock = AnimationClock(self)
        self.presets = presets_box(presets, self._preset)

        self.checks: dict[str, QCheckBox] = {}
        for name in OPTIMIZER_NAMES:
            box = QCheckBox(name)
            box.toggled.connect(self._optimizers_edited)
            box.setToolTip(OPTIMIZER_TIPS[name])
            self.checks[name] = box
        # The rows of controls wrap where the window is too narrow (large text in presentation mode).
        opt_row = wrap_row("Optimizers:", *(self.checks[n] for n in TORCH_NAMES),
                           "Integrators:", *(self.checks[n] for n in INTEGRATOR_NAMES))
        self.lr = float_box(1e-6, 1e3, "Learning rate (lr) of every optimizer")
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_STEPS_2D)
        self.steps.setKeyboardTracking(False)
        self.steps.setToolTip("Number of steps")
        self.momentum = float_box(0.0, 0.999, "Momentum μ (Momentum, Nesterov)")
        self.beta1 = float_box(0.0, 0.999, "β₁ (Adam, AdamW)")
        self.beta2 = float_box(0.0, 0.99999, "β₂ (Adam, AdamW)")
        self.alpha = float_box(0.0, 0.99999, "α: RMSprop's smoothing of g²")
        self.eps = float_box(1e-12, 1.0, "ε (Adagrad, RMSprop, Adam, AdamW)")
        self.weight_decay = float_box(0.0, 10.0, "λ: AdamW's decoupled weight decay, θ ← θ − ηλθ")
        self.dampening = float_box(0.0, 1.0, "τ: Momentum's dampening, b ← μb + (1 − τ)g")
        self.lr_decay = float_box(0.0, 1e3, "Adagrad's learning-rate decay: η / (1 + (t − 1)·decay)")
        self.centered = QCheckBox("centered")
        self.centered.setToolTip("RMSprop centered: divide by the estimated variance of g, not its mean square")
        self.amsgrad = QCheckBox("amsgrad")
        self.amsgrad.setToolTip("Adam/AdamW with AMSGrad: the largest v so far")
        self.dampening.valueChanged.connect(lambda v: self.changed.emit({"dampening": float(v)}))
        self.lr_decay.valueChanged.connect(lambda v: self.changed.emit({"lr_decay": float(v)}))
        self.centered.toggled.connect(lambda on: self.changed.emit({"centered": bool(on)}))
        self.amsgrad.toggled.connect(lambda on: self.changed.emit({"amsgrad": bool(on)}))
        self.alpha.valueChanged.connect(lambda v: self.changed.emit({"alpha": float(v)}))
        self.eps.valueChanged.connect(lambda v: self.changed.emit({"eps": float(v)}))
        self.weight_decay.valueChanged.connect(lambda v: self.changed.emit({"weight_decay": float(v)}))
        self.lr.valueChanged.connect(lambda v: self.changed.emit({"lr": float(v)}))
        self.steps.valueChanged.connect(lambda v: self.changed.emit({"steps": int(v)}))
        self.momentum.valueChanged.connect(lambda v: self.changed.emit({"momentum": float(v)}))
        self.beta1.valueChanged.connect(lambda v: self.changed.emit({"beta1": float(v)}))
        self.beta2.valueChanged.connect(lambda v: self.changed.emit({"beta2": float(v)}))
        # One box per Scene2D field; a box shows only while a ticked optimizer uses it (set_scene):
        # eleven boxes took two rows of a 720p projector with GD alone ticked.
        self.hyper_boxes: dict[str, QWidget] = {
            key: group(label, w) if label else w for key, label, w in (
                ("lr", "lr", self.lr), ("steps", "steps", self.steps), ("momentum", "μ", self.momentum),
                ("dampening", "τ", self.dampening), ("beta1", "β₁", self.beta1), ("beta2", "β₂", self.beta2),
                ("alpha", "α", self.alpha), ("eps", "ε", self.eps), ("weight_decay", "λ", self.weight_decay),
                ("lr_decay", "decay", self.lr_decay), ("centered", "", self.centered),
                ("amsgrad", "", self.amsgrad))}
        hyper_row = wrap_row(*self.hyper_boxes.values())
        self.field = QCheckBox("−∇F arrows")
        self.field.setToolTip("The direction gradient descent takes at every point")
        self.field.toggled.connect(lambda on: self.changed.emit({"field": bool(on)}))
        self.basins = QCheckBox("Basins")
        self.basins.setToolTip("Colour every point by the minimum gradient descent with this lr reaches from it "
                               "(grey: it diverges or stalls)")
        self.basins.toggled.connect(lambda on: self.changed.emit({"basins": bool(on)}))
        self.sweep = SweepProgress("basins", "Stop computing the basins; the picture stays")
        self.sweep.cancel_requested.connect(self.cancel_requested)
        self.modified = QCheckBox("Modified landscape F̃")
        self.modified.setToolTip("Isolines of F̃ = F + (η/4)|∇F|², what gradient descent with this lr really descends")
        self.modified.toggled.connect(lambda on: self.changed.emit({"modified": bool(on)}))
        self.data_mode = QCheckBox("Fit a line to data (SGD)")
        self.data_mode.setToolTip("The landscape becomes the mean squared error of y = w·x + b over noisy points: "
                                  "full-batch gradient descent against minibatch SGD")
        self.data_mode.toggled.connect(self._data_toggled)
        self.batch = QSpinBox()
        self.batch.setRange(1, 10_000)
        self.batch.setKeyboardTracking(False)
        self.batch.setToolTip("Minibatch size of SGD (the data are reshuffled every epoch)")
        self.batch.valueChanged.connect(lambda v: self.changed.emit({"batch": int(v)}))
        self.new_data = QPushButton("New data")
        self.new_data.setToolTip("Draw a new noisy dataset (the next seed)")
        self.new_data.clicked.connect(lambda: self.changed.emit({"data_seed": (self._data_seed or 0) + 1}))
        self._data_seed: int | None = None
        self.batch_label = QLabel("batch")
        self.cloud_box = QCheckBox("SGD cloud")
        self.cloud_box.setToolTip("Where a long SGD run settles: its late (w, b) iterates, with the predicted "
                                  "covariance ellipses (1σ, 2σ) around the least-squares line")
        self.cloud_box.toggled.connect(lambda on: self.changed.emit({"cloud": bool(on)}))
        view_row = wrap_row("Show:", self.field, self.basins, self.modified, self.data_mode, self.batch_label, self.batch,
                            self.cloud_box, self.new_data, self.sweep, self.presets)

        # Issue 14 §3: each optimizer's η* beside the lr box, and the (η, μ) rate map (rate_map_canvas).
        self.thresholds = ThresholdLabel()
        self.rate_map = RateMapCanvas()
        self.rate_map.setAccessibleName("Convergence rate over learning rate and momentum")

        self.params = ParameterSliders()       # one slider per free parameter of F, as on the flow tab
        self.params.changed.connect(self.changed)

        self.contour = ContourCanvas()
        self.loss = LossCanvas()
        self.contour.setAccessibleName("Contours of F(x, y) with the optimizers' paths")
        self.loss.setAccessibleName("Loss against step")
        # Sharpness under the loss, sharing n (issue 15 §1); F̃'s isolines over the map (issue 14 §1).
        self.sharpness = SharpnessCanvas()
        self.sharpness.setAccessibleName("Sharpness against step, with each optimizer's bound")
        self._axes = LeftAxisGroup(self.loss, self.sharpness, share_x=True)
        self.modified_lines = ModifiedIsolines(self.contour)
        self.cloud = CloudOverlay(self.contour)     # issue 15 §3: SGD's stationary cloud (cloud_overlay)
        self.formulas = QLabel("")
        self.formulas.setTextFormat(Qt.TextFormat.RichText)
        self.formulas.setWordWrap(True)
        self.formulas.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.data_canvas = DataCanvas()
        self.data_canvas.setAccessibleName("The data and the fitted line")
        # The update rules scroll rather than squeeze a plot in a small window.
        rules = QScrollArea()
        rules.setAccessibleName("Update rules of the optimizers")
        rules.setWidget(self.formulas)
        rules.setWidgetResizable(True)
        rules.setFrameShape(QScrollArea.Shape.NoFrame)
        rules.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # One question at a time beside the map: stacked, the loss, sharpness, rate map and rules
        # left each plot 60 px at 1280x720. Loss and sharpness stay together: one explains the other.
        self.side_tabs = QTabWidget()
        self.side_tabs.setAccessibleName("Plots beside the map")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(Stacked(self.loss, self.sharpness), "Loss && sharpness")
        self.side_tabs.addTab(self.data_canvas, "Data && fit")
        self.side_tabs.addTab(self.rate_map, "Rate map (η, μ)")
        self.side_tabs.addTab(rules, "Update rules")
        self.side_tabs.setTabVisible(SIDE_TABS.index("data"), False)
        rl.addWidget(self.side_tabs, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.contour)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.bar = transport_bar(self.clock, self, "Back to the starts")
        self.clock.index_changed.connect(self.show_index)

        # F(x, y) is typed in the window's own equation editor, which switches to two variables here.
        # The controls, top to bottom: the page shows them in the window's column beside the tabs (as
        # the flow's parameters); in rows above the map they left it 135 px of a 1280x720 projector
        # in presentation mode. A view alone has them on top.
        self.controls = QWidget()
        cl = QVBoxLayout(self.controls)
        cl.setContentsMargins(0, 0, 0, 0)
        for w in (opt_row, hyper_row, self.thresholds, self.params, view_row):
            cl.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addWidget(self.controls)
        lay.addWidget(split, 1)
        lay.addWidget(self.bar)
        self.result: Result2D | None = None
        self.apply_style()

    def show_plot(self, view: str) -> None:
        """Bring forward the side tab that holds `view` ("sharpness", "rates"), if it has one."""
        tab = SIDE_TAB_OF_VIEW.get(view)
        if tab is not None:
            self.side_tabs.setCurrentIndex(SIDE_TABS.index(tab))

    def apply_style(self) -> None:
        """The optimizers' colours and the rules' font from STYLE; the texts drawn again (the canvases
        restyle themselves: presentation.restyle calls apply_style on every widget of a tree)."""
        for name, box in self.checks.items():
            box.setStyleSheet(f"QCheckBox {{ color: {colour_of(name)}; font-weight: 600; }}")
        self.formulas.setFont(style.font(STYLE.ui_pt + 1))
        if self.result is not None:
            self._show_formulas(self.result)
            self._readout(self.clock.index)

    def _preset(self, i: int) -> None:
        name = self.presets.itemData(i)
        self.presets.setCurrentIndex(0)
        if name:
            self.preset_chosen.emit(name)

    def _data_toggled(self, on: bool) -> None:
        if on:   # a view of (w, b) around the line the data come from (w = 2, b = −1), one start
            self.changed.emit({"data_seed": 0, "x_range": DATA_W_RANGE, "y_range": DATA_B_RANGE,
                               "starts": ((-0.5, 1.5),), "lr": 0.1, "steps": 100, "basins": False})
        else:
            self.changed.emit({"data_seed": None})

    def _optimizers_edited(self, *_: object) -> None:
        chosen = tuple(n for n in OPTIMIZER_NAMES if self.checks[n].isChecked())
        if chosen:
            self.changed.emit({"optimizers": chosen})

    def set_scene(self, scene: Scene2D) -> None:
        widgets = [self.lr, self.steps, self.momentum, self.beta1, self.beta2, self.alpha, self.eps,
                   self.weight_decay, self.dampening, self.lr_decay, self.centered, self.amsgrad, self.field,
                   self.basins, self.modified, self.data_mode, self.batch, self.cloud_box, *self.checks.values()]
        for w in widgets:
            w.blockSignals(True)
        self.lr.setValue(scene.lr)
        self.steps.setValue(scene.steps)
        self.momentum.setValue(scene.momentum)
        self.beta1.setValue(scene.beta1)
        self.beta2.setValue(scene.beta2)
        self.alpha.setValue(scene.alpha)
        self.eps.setValue(scene.eps)
        self.weight_decay.setValue(scene.weight_decay)
        self.dampening.setValue(scene.dampening)
        self.lr_decay.setValue(scene.lr_decay)
        self.centered.setChecked(scene.centered)
        self.amsgrad.setChecked(scene.amsgrad)
        for name, box in self.checks.items():
            box.setChecked(name in scene.optimizers)
        self.field.setChecked(scene.field)
        self.basins.setChecked(scene.basins)
        self.modified.setChecked(scene.modified)
        data = scene.data_seed is not None
        self._data_seed = scene.data_seed
        self.data_mode.setChecked(data)
        self.batch.setRange(1, scene.data_n)
        self.batch.setValue(scene.batch)
        self.cloud_box.setChecked(scene.cloud)
        for w in (self.batch, self.batch_label, self.cloud_box, self.new_data):
            w.setVisible(data)
        data_tab = SIDE_TABS.index("data")
        if data != self.side_tabs.isTabVisible(data_tab):
            self.side_tabs.setTabVisible(data_tab, data)
            self.side_tabs.setCurrentIndex(data_tab if data else 0)   # the fit is what data mode is for
        for w in (self.momentum, *self.checks.values()):
            w.setEnabled(not data)       # the data define F, and the comparison is GD against SGD
        # lr, steps and μ always (μ is also the rate map's axis); the rest while an optimizer uses it.
        used = {"lr", "steps", "momentum"}
        if not data:
            used.update(*(scene.hyper(name) for name in scene.optimizers))
        for key, box in self.hyper_boxes.items():
            box.setVisible(key in used)
        for w in widgets:
            w.blockSignals(False)
        self.params.set_values(scene.param_dict)

    def show_result(self, r: Result2D) -> None:
        self.result = r
        # a clock resting at the end follows the new end (set_last); one past it jumps there too
        self.clock.set_last(r.steps, to_end=self.clock.index > r.steps, emit=False)
        n = self.clock.index
        self.contour.show_result(r, n)
        self.loss.show_result(r, n)
        self.sharpness.show_result(r, n)
        self.modified_lines.show_result(r)
        self.cloud.follow(r.scene)
        self.data_canvas.show_result(r, n)
        self.rate_map.show_result(r)
        self.thresholds.show_summary(r.rates)
        self._show_formulas(r)
        self.bar.show_state(n, r.steps, float(n), float("nan"))
        self._readout(n)
        self.bar.fit_readout()          # its own readout: one line beside the scrubber, or under it

    def _show_formulas(self, r: Result2D) -> None:
        # One table row per rule line: a <br> right before a combining accent (m̂) made Qt's rich
        # text put the hat on the wrong glyph; spaces are kept (white-space: pre).
        rules = "".join(
            f'<p><b style="color:{colour_of(name)}">{html.escape(name)}</b></p>'
            + "".join(f'<div style="white-space:pre">{html.escape(plain_hats(line))}</div>'
                      for line in formula.split("\n"))
            for name, formula in r.formulas.items())
        self.formulas.setText(f"<p>{html.escape(r.gradient_label)}</p>{rules}")

    def show_index(self, n: int) -> None:
        if self.result is None:
            return
        self.contour.show_index(n)
        self.loss.show_index(n)
        self.sharpness.show_index(n)
        self.data_canvas.show_index(n)
        self._readout(n)

    def _readout(self, n: int) -> None:
        r = self.result
        if r is None:
            return
        parts = []
        for name, run in r.runs.items():
            values = run.loss[:, min(n, run.loss.shape[1] - 1)]
            best = min((v for v in values.tolist() if v == v), default=float("nan"))
            parts.append(f'<span style="color:{colour_of(name)}">{html.escape(name)}</span> {best:.4g}')
        self.bar.scrubber.blockSignals(True)
        self.bar.scrubber.setRange(0, r.steps)
        self.bar.scrubber.setValue(n)
        self.bar.scrubber.blockSignals(False)
        self.bar.readout.setText(readout_parts(f"n = <b>{n}</b> / {r.steps}", "best F:") + " "
                                 + readout_parts(*parts, between=" · "))
