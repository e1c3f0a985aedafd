"""The edge-of-stability tab: a small network trained full batch at a few learning rates, its loss,
its sharpness against 2/η, and its fit (issue 15 §2; Cohen et al., ICLR 2021).

Its scene is None until the tab is first built: the default TrainScene comes with the tab, so
start-up never imports the training model; the training itself runs on the worker.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...compute import jobs
from .base import PageHost
from .single import SingleScenePage

if TYPE_CHECKING:

    from ...model.training import TrainResult, TrainScene
    from ..edge_view import EdgeView


class EdgePage(SingleScenePage):
    name = "edge"
    title = "Edge of stability: training a network"
    tooltip = ("A small network trained by gradient descent: the sharpness rises until it meets 2/η, "
               "then hovers there while the loss keeps falling")

    def __init__(self, host: PageHost) -> None:
        super().__init__(host)
        self.job = self.add_job(jobs.evaluate_training, "gdviz-train", self._draw, self._show_error,
                                with_progress=True)

    def default_scene(self) -> TrainScene:
        from ...model.training import TrainScene
        return TrainScene()

    def make_view(self) -> EdgeView:
        from ..edge_view import EdgeView
        view = EdgeView()
        view.cancel_requested.connect(self.job.cancel)
        self.job.on_progress(view.progress.set_busy, view.progress.set_fraction)
        return view

    def _draw(self, r: TrainResult) -> None:
        super()._draw(r)
        diverged = [run for run in r.runs if run.diverged_at is not None]
        if diverged and self.host.is_current(self):
            run = diverged[0]
            self.host.show_status(f"At η = {run.rate:g} the training diverged at step {run.diverged_at}: "
                                  "the learning rate is too large for this model", 8000, error=True)

    # ----------------------------------------------------------------------------------- exports
    def table_csv(self) -> str:
        """The first learning rate's run: n, loss, sharpness (as `gdviz --train --csv` writes it)."""
        if self.result is None:
            return ""
        from ...model.training import csv_text
        return csv_text(self.result.runs[0])

    def description(self) -> str:
        if self.result is None:
            return ""
        from ...model.training import describe_training
        return describe_training(self.result)
