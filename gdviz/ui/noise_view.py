"""The "SGD noise" tab (issue 15 §3): set η, B, the curvature a, the noise σ and the run's length,
and see where SGD's late iterates settle on F = a x²/2, with the variances measured and predicted.

It reports edits as `changed(dict)` of NoiseScene fields and draws the NoiseResult it is given.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..model.diffusion import MAX_BATCH, MAX_CHAINS, MAX_LATE, MAX_VALUE
from .noise_canvas import NoiseCanvas
from .plain import plain_label
from .slider_spin import SliderSpin, int_box
from .wrap_layout import group, wrap_row

if TYPE_CHECKING:
    from ..model.diffusion import NoiseResult, NoiseScene

INTRO = ("SGD is a diffusion: each step's gradient a·x is blurred by noise of variance σ²/B, so the iterates "
         "do not stop at the minimum but settle into a cloud of variance ησ²/(B·a(2 − ηa)). The SDE "
         "dX = −aX dt + (ησ²/B)^½ dW predicts ησ²/(2aB): only η/B matters, so doubling both η and B "
         "(the orange run) keeps the spread.")


class NoiseView(QWidget):
    changed = Signal(dict)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lr = SliderSpin(1e-3, 1.99, 0.1, log=True, spin_min=1e-6, spin_max=MAX_VALUE,
                             tooltip="Learning rate η (stable while η·a < 2)")
        self.batch = SliderSpin(1, 1024, 4, log=True, integer=True, spin_max=MAX_BATCH,
                                tooltip="Batch size B: the gradient noise's variance is σ²/B")
        self.curvature = SliderSpin(0.01, 100.0, 1.0, log=True, spin_min=1e-6, spin_max=MAX_VALUE,
                                    tooltip="Curvature a of F = a·x²/2")
        self.noise = SliderSpin(0.01, 100.0, 1.0, log=True, spin_min=1e-6, spin_max=MAX_VALUE,
                                tooltip="Noise σ: the standard deviation of one sample's gradient noise")
        self.steps = int_box(1, MAX_LATE, "Late steps kept per chain, after the burn-in")
        self.chains = int_box(1, MAX_CHAINS, "Independent SGD chains run side by side")
        self.seed = int_box(0, 2**31 - 1, "Seed of the random numbers (the same seed gives the same run)")
        for name, w in (("lr", self.lr), ("batch", self.batch), ("curvature", self.curvature),
                        ("noise", self.noise), ("steps", self.steps), ("chains", self.chains), ("seed", self.seed)):
            cast = int if name in ("batch", "steps", "chains", "seed") else float
            w.valueChanged.connect(lambda v, n=name, c=cast: self.changed.emit({n: c(v)}))
        sliders = wrap_row(group("η", self.lr), group("B", self.batch), group("a", self.curvature),
                           group("σ", self.noise))
        run_row = wrap_row(group("steps", self.steps), group("chains", self.chains), group("seed", self.seed))
        self.intro = plain_label(QLabel(INTRO))
        self.intro.setWordWrap(True)
        self.canvas = NoiseCanvas()
        self.canvas.setAccessibleName("Histogram of late SGD iterates with the predicted Gaussians")
        self.canvas.setMinimumSize(260, 200)
        self.variances = plain_label(QLabel(""))
        self.variances.setWordWrap(True)
        self.variances.setAccessibleName("Measured and predicted variances")
        self.error = plain_label(QLabel(""))
        self.error.setWordWrap(True)
        self.error.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        for w in (self.intro, sliders, run_row, self.error):
            lay.addWidget(w)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(self.variances)
        self.result: NoiseResult | None = None

    def set_scene(self, scene: NoiseScene) -> None:
        for name in ("lr", "batch", "curvature", "noise", "steps", "chains", "seed"):
            w = getattr(self, name)
            w.blockSignals(True)
            w.setValue(getattr(scene, name))
            w.blockSignals(False)

    def show_result(self, r: NoiseResult) -> None:
        from ..model.diffusion import variance_lines
        self.result = r
        self.error.hide()
        self.canvas.show_result(r)
        self.variances.setText("\n".join(variance_lines(r)))

    def show_error(self, message: str) -> None:
        """The last good picture stays; the reason is said above it."""
        self.error.setText(message)
        self.error.show()
