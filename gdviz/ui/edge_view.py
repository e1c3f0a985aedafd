"""The edge-of-stability tab: a small network trained full batch at a few learning rates side by
side (Cohen et al. 2021, Figure 1). The loss falls; the sharpness (the Hessian's top eigenvalue)
rises until it meets 2/η, drawn dashed in the run's colour, and hovers there. Below, each run's
fitted function over the data.

Like the other views it only reports edits, as `changed(dict)` of TrainScene fields, and draws
the TrainResult it is given.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from ..model.training import MODELS, OPTIMIZERS
from ..model.training.run import MAX_RATES, MAX_STEPS
from . import style
from .canvas import Canvas, line_item, path_item, scatter_item, set_path, styled
from .plain import MESSAGE_LIMIT, plain_label, shown
from .style import STYLE
from .sweep_progress import SweepProgress

if TYPE_CHECKING:
    from ..model.training import TrainResult, TrainScene

FIT_LEVEL = 1.5          # the fit's colour scale runs over [−1.5, 1.5] (targets are ±1)


def rate_colour(i: int) -> str:
    """The i-th learning rate's colour, the same on every plot of the tab."""
    palette = style.COMPARE
    return palette[i % len(palette)]


def format_rates(rates: tuple[float, ...]) -> str:
    return ", ".join(f"{r:g}" for r in rates)


def parse_rates(text: str) -> tuple[float, ...]:
    """"0.4, 0.25 0.1" as (0.4, 0.25, 0.1); ValueError in the user's words."""
    parts = [p for p in text.replace(";", ",").replace(",", " ").split() if p]
    if not parts:
        raise ValueError("type one to four learning rates, e.g. 0.4, 0.25, 0.1")
    if len(parts) > MAX_RATES:
        raise ValueError(f"at most {MAX_RATES} learning rates fit side by side")
    try:
        rates = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError("learning rates are numbers separated by commas, e.g. 0.4, 0.25, 0.1") from None
    if not all(math.isfinite(r) and 0 < r <= 100 for r in rates):
        raise ValueError("each learning rate must be a number above 0 and at most 100")
    return rates


class _RateCanvas(Canvas):
    """One curve per learning rate against the step n, and a legend naming the rates."""

    def __init__(self, title: str, y_label: str, parent=None) -> None:
        super().__init__(title, "step n", y_label, parent)
        self.curves: list[pg.PlotDataItem] = []
        self.legend = self.add_legend((-10, 10))
        self.result: TrainResult | None = None

    def _curve(self, i: int) -> pg.PlotDataItem:
        while len(self.curves) <= i:
            item = path_item(rate_colour(len(self.curves)), STYLE.path_px - 0.2, series=True)
            item.setZValue(10)
            self.addItem(item)
            self.curves.append(item)
        return self.curves[i]

    def _name_curves(self, r: TrainResult, thresholds: bool = False) -> None:
        self.legend.clear()
        for i, run in enumerate(r.runs):
            name = f"η = {run.rate:g}" + (f", 2/η = {run.threshold:.3g}" if thresholds else "")
            note = f" (diverged at step {run.diverged_at})" if run.diverged_at is not None else ""
            self.legend.addItem(self.curves[i], name + note)
        for i, item in enumerate(self.curves):
            item.setVisible(i < len(r.runs))


class TrainLossCanvas(_RateCanvas):
    def __init__(self, parent=None) -> None:
        super().__init__("Training loss", "loss (log scale)", parent)
        self.set_log_axes(False, True)

    def show_result(self, r: TrainResult, index: int | None = None) -> None:
        self.result = r
        for i, run in enumerate(r.runs):
            with np.errstate(divide="ignore", invalid="ignore"):
                loss = np.where(run.loss > 0, run.loss, np.nan)
            set_path(self._curve(i), np.arange(len(loss), dtype=float), loss)
        self._name_curves(r)
        self.set_ranges_once(r.scene, (0.0, float(r.scene.steps)), None)
        self.view.enableAutoRange(axis="y")


class SharpnessCanvas(_RateCanvas):
    """The sharpness of each run and its threshold 2/η as a dashed line of the same colour. The
    legend names the thresholds: a label on the line would sit on the curve that hovers there."""

    def __init__(self, parent=None) -> None:
        super().__init__("Sharpness and 2/η (dashed)", "top eigenvalue of the Hessian", parent)
        self.set_short_label("left", "λmax")
        self.thresholds: list[pg.InfiniteLine] = []

    def _threshold(self, i: int) -> pg.InfiniteLine:
        while len(self.thresholds) <= i:
            line = line_item(rate_colour(len(self.thresholds)), 2, dash=True, angle=0)
            line.setZValue(5)
            self.addItem(line, ignoreBounds=True)
            self.thresholds.append(line)
        return self.thresholds[i]

    def show_result(self, r: TrainResult, index: int | None = None) -> None:
        self.result = r
        tops = []
        for i, run in enumerate(r.runs):
            set_path(self._curve(i), run.sharp_steps.astype(float), run.sharpness)
            line = self._threshold(i)
            line.setValue(run.threshold)
            tops.append(run.threshold)
        for i, line in enumerate(self.thresholds):
            line.setVisible(i < len(r.runs))
        self._name_curves(r, thresholds=True)
        # Every threshold in view, and the sharpness up to 1.6 times the highest one (a blow-up
        # before a divergence would flatten the rest).
        values = np.concatenate([run.sharpness for run in r.runs])
        values = values[np.isfinite(values)]
        peak = min(float(values.max(initial=0.0)), 1.6 * max(tops))
        low = min(0.0, float(values.min(initial=0.0)))
        high = 1.08 * max(peak, max(tops))
        self.set_ranges_once(r.scene, (0.0, float(r.scene.steps)), (low, high))


def _fit_lut() -> np.ndarray:
    """Blue for −1, the background for 0, vermillion for +1: the classes' colours."""
    stops = [style.color(style.BLUE), style.color(style.BACKGROUND), style.color(style.VERMILLION)]
    cmap = pg.ColorMap(np.array([0.0, 0.5, 1.0]), stops)
    return cmap.getLookupTable(0.0, 1.0, 256)


class FitCanvas(Canvas):
    """The trained network's output over the plane (its sign is the predicted class) and the data."""

    def __init__(self, parent=None) -> None:
        super().__init__("Fit", "x₁", "x₂", parent)
        self.image = styled(pg.ImageItem(axisOrder="row-major"), lambda im: im.setLookupTable(_fit_lut()))
        self.image.setZValue(-50)
        self.addItem(self.image)
        self.plus = scatter_item(STYLE.dot_px, style.VERMILLION, (style.BLACK, 1))
        self.minus = scatter_item(STYLE.dot_px, style.BLUE, (style.BLACK, 1))
        for item in (self.plus, self.minus):
            item.setZValue(10)
            self.addItem(item)
        # Not aspect-locked: with the locked aspect a window of some sizes repainted this plot
        # forever (range and layout chasing each other); the row of fits is about square anyway.
        self.result: TrainResult | None = None
        self.current_index = 0           # which run's fit (Canvas.redraw passes it back)

    def show_result(self, r: TrainResult, index: int | None = None) -> None:
        index = 0 if index is None else index
        self.result, self.current_index = r, index
        run = r.runs[index]
        self.image.setImage(np.clip(np.nan_to_num(run.fit, nan=0.0), -FIT_LEVEL, FIT_LEVEL),
                            levels=(-FIT_LEVEL, FIT_LEVEL), autoLevels=False)
        gx, gy = r.grid_x, r.grid_y
        dx, dy = gx[1] - gx[0], gy[1] - gy[0]
        self.image.setRect(QRectF(gx[0] - dx / 2, gy[0] - dy / 2, dx * len(gx), dy * len(gy)))
        up = r.targets > 0
        self.plus.setData(r.inputs[up, 0], r.inputs[up, 1])
        self.minus.setData(r.inputs[~up, 0], r.inputs[~up, 1])
        wrong = int(np.sum(np.sign(_fit_at_data(r, index)) != np.sign(r.targets)))
        # Short enough for a quarter of a projector's row ("Fit at η = 0.4: 1 of 64 points on the
        # wrong side" ended in "points…" there); the tooltip says it whole.
        self.set_title(f"η = {run.rate:g}: {wrong} of {len(r.targets)} points wrong")
        self.setToolTip(f"The network trained at η = {run.rate:g}: its output over the plane (its sign is "
                        f"the class it predicts) and the data; {wrong} of {len(r.targets)} points lie on "
                        "the wrong side of its boundary")
        self.set_ranges_once((r.scene.model,), (gx[0], gx[-1]), (gy[0], gy[-1]))


def _fit_at_data(r: TrainResult, index: int) -> np.ndarray:
    """The fit picture's value at the pixel nearest each data point (what the picture shows there)."""
    gx, gy = r.grid_x, r.grid_y
    col = np.clip(np.rint((r.inputs[:, 0] - gx[0]) / (gx[1] - gx[0])).astype(int), 0, len(gx) - 1)
    row = np.clip(np.rint((r.inputs[:, 1] - gy[0]) / (gy[1] - gy[0])).astype(int), 0, len(gy) - 1)
    return r.runs[index].fit[row, col]


class EdgeView(QWidget):
    changed = Signal(dict)          # TrainScene fields, e.g. {"rates": (0.4, 0.25)}
    cancel_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = QComboBox()
        for m in MODELS.values():
            self.model.addItem(m.name, m.name)
            self.model.setItemData(self.model.count() - 1, m.summary, Qt.ItemDataRole.ToolTipRole)
        self.model.setAccessibleName("Model")
        self.model.setToolTip("The data set and network trained full batch")
        self.model.activated.connect(lambda i: self.changed.emit({"model": self.model.itemData(i)}))
        self.optimizer = QComboBox()
        for name, summary in OPTIMIZERS.items():
            self.optimizer.addItem(name, name)
            self.optimizer.setItemData(self.optimizer.count() - 1, summary, Qt.ItemDataRole.ToolTipRole)
        self.optimizer.setAccessibleName("Optimizer")
        self.optimizer.setToolTip("Full-batch gradient descent: stable on a quadratic only while "
                                  "the curvature stays below 2/η")
        self.optimizer.activated.connect(lambda i: self.changed.emit({"optimizer": self.optimizer.itemData(i)}))
        self.rates = QLineEdit()
        self.rates.setAccessibleName("Learning rates")
        self.rates.setToolTip("One to four learning rates η, separated by commas; each is trained "
                              "from the same start and drawn in its own colour")
        self.rates.editingFinished.connect(self._commit_rates)
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setSingleStep(500)
        self.steps.setKeyboardTracking(False)
        self.steps.setGroupSeparatorShown(True)
        self.steps.setAccessibleName("Steps")
        self.steps.setToolTip("Gradient-descent steps of every run (a few thousand take about a second)")
        self.steps.valueChanged.connect(lambda v: self.changed.emit({"steps": int(v)}))
        self.every = QSpinBox()
        self.every.setRange(1, MAX_STEPS)
        self.every.setKeyboardTracking(False)
        self.every.setAccessibleName("Sharpness every")
        self.every.setToolTip("Steps between two sharpness estimates (each costs about 18 gradients)")
        self.every.valueChanged.connect(lambda v: self.changed.emit({"every": int(v)}))
        self.error = plain_label(QLabel(""))
        self.error.setAccessibleName("Problem with the learning rates")
        self.error.setWordWrap(True)
        self.error.hide()
        self.progress = SweepProgress("Training", "Stop training; the last picture stays")
        self.progress.cancel_requested.connect(self.cancel_requested)

        self.loss_canvas = TrainLossCanvas()
        self.sharpness_canvas = SharpnessCanvas()
        self.loss_canvas.setAccessibleName("Training loss against the step")
        self.sharpness_canvas.setAccessibleName("Sharpness against the step, with 2/η dashed")
        self.fit_canvases = [FitCanvas() for _ in range(MAX_RATES)]
        for i, c in enumerate(self.fit_canvases):
            c.setAccessibleName(f"Fit of the network trained at learning rate {i + 1}")
            policy = c.sizePolicy()
            policy.setRetainSizeWhenHidden(True)    # one run's fit keeps a quarter of the row, not all
            c.setSizePolicy(policy)
            c.hide()
        for c in (self.loss_canvas, self.sharpness_canvas, *self.fit_canvases):
            c.setMinimumSize(200, 150)
            c.setFocusPolicy(Qt.FocusPolicy.TabFocus)

        controls = QHBoxLayout()
        for label, widget in (("model", self.model), ("optimizer", self.optimizer), ("learning rates η", self.rates),
                              ("steps", self.steps), ("sharpness every", self.every)):
            text = QLabel(label)
            text.setBuddy(widget)
            controls.addWidget(text)
            controls.addWidget(widget, 2 if widget is self.rates else 0)
        controls.addWidget(self.progress)
        curves = QGridLayout()
        curves.addWidget(self.loss_canvas, 0, 0)
        curves.addWidget(self.sharpness_canvas, 0, 1)
        fits = QHBoxLayout()
        for c in self.fit_canvases:
            fits.addWidget(c)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addLayout(controls)
        lay.addWidget(self.error)
        lay.addLayout(curves, 3)
        lay.addLayout(fits, 2)
        self.result: TrainResult | None = None
        self.apply_style()

    def apply_style(self) -> None:
        self.error.setStyleSheet(f"color: {style.css_colour(style.ERROR)};")

    def canvases(self) -> list[Canvas]:
        return [self.loss_canvas, self.sharpness_canvas, *self.fit_canvases]

    # ------------------------------------------------------------------------------------ edits
    def _commit_rates(self) -> None:
        try:
            rates = parse_rates(self.rates.text())
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        self.changed.emit({"rates": rates})

    def show_error(self, text: str) -> None:
        """A message next to the field it is about ("" hides it); the last picture stays."""
        self.error.setText(shown(text, MESSAGE_LIMIT))
        self.error.setVisible(bool(text))

    # ------------------------------------------------------------------------------------ display
    def set_scene(self, scene: TrainScene) -> None:
        """Show the scene's values in the controls (no signals)."""
        for w in (self.model, self.optimizer, self.rates, self.steps, self.every):
            w.blockSignals(True)
        try:
            self.model.setCurrentIndex(max(0, self.model.findData(scene.model)))
            self.optimizer.setCurrentIndex(max(0, self.optimizer.findData(scene.optimizer)))
            if not self.error.isVisible():      # a refused text stays beside its message
                self.rates.setText(format_rates(scene.rates))
            self.steps.setValue(scene.steps)
            self.every.setValue(scene.every)
        finally:
            for w in (self.model, self.optimizer, self.rates, self.steps, self.every):
                w.blockSignals(False)

    def show_result(self, r: TrainResult) -> None:
        self.result = r
        self.loss_canvas.show_result(r)
        self.sharpness_canvas.show_result(r)
        for i, c in enumerate(self.fit_canvases):
            c.setVisible(i < len(r.runs))
            if i < len(r.runs):
                c.show_result(r, i)
