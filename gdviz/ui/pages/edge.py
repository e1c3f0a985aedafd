"""The edge-of-stability tab: a small network trained full batch at a few learning rates, its loss,
its sharpness against 2/η, and its fit (issue 15 §2; Cohen et al., ICLR 2021).

Its scene is None until the tab is first built: the default TrainScene comes with the tab, so
start-up never imports the training model; the training itself runs on the worker.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...compute import jobs
from .base import Page, PageHost

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...compute.worker import ComputeError
    from ...model.training import TrainResult, TrainScene
    from ..animation import AnimationClock
    from ..edge_view import EdgeView


class EdgePage(Page):
    name = "edge"
    title = "Edge of stability: training a network"
    tooltip = ("A small network trained by gradient descent: the sharpness rises until it meets 2/η, "
               "then hovers there while the loss keeps falling")

    def __init__(self, host: PageHost) -> None:
        super().__init__(host)
        self._scene: TrainScene | None = None
        self.job = self.add_job(jobs.evaluate_training, "gdviz-train", self._draw, self._show_error,
                                with_progress=True)
        self.view: EdgeView | None = None
        self._clock: AnimationClock | None = None

    def build(self) -> QWidget:
        from ...model.training import TrainScene
        from ..animation import AnimationClock
        from ..edge_view import EdgeView
        if self._scene is None:
            self._scene = TrainScene()
        self._clock = AnimationClock(self)       # nothing moves here; the frame's transport needs one
        v = self.view = EdgeView()
        v.set_scene(self._scene)
        v.changed.connect(lambda changes: self.edit(changes))
        v.cancel_requested.connect(self.job.cancel)
        self.job.on_progress(v.progress.set_busy, v.progress.set_fraction)
        return v

    @property
    def clock(self) -> AnimationClock:
        self.widget()
        return self._clock

    @property
    def result(self) -> TrainResult | None:
        return self.job.result

    # ----------------------------------------------------------------------------------- scene
    @property
    def scene(self) -> TrainScene | None:
        """The tab's scene; None until the tab is first built (`current_scene` builds it)."""
        return self._scene

    def current_scene(self) -> TrainScene:
        self.widget()
        return self._scene

    def set_scene(self, scene: TrainScene | None, force: bool = True) -> None:
        if not force and not self.built:
            self._scene = scene
            return
        if scene is None:
            from ...model.training import TrainScene
            scene = TrainScene()
        self._scene = scene
        self.widget()
        self.view.set_scene(scene)
        self.request(force=True)

    def edit(self, changes: dict, group: str | None = None) -> None:
        """A user edit. The tab's scene is not part of sessions or undo (it has no equation to lose)."""
        scene = self.edited_scene(self.current_scene(), changes, self.view)
        if scene is None:
            return
        self._scene = scene
        self.view.set_scene(scene)
        self.request()

    # -------------------------------------------------------------------------------- computing
    def request(self, force: bool = False) -> None:
        if self.closed or not (force or self.host.is_current(self)):
            return
        self.job.request(self.current_scene())

    def _draw(self, r: TrainResult) -> None:
        self.view.show_result(r)
        diverged = [run for run in r.runs if run.diverged_at is not None]
        if diverged and self.host.is_current(self):
            run = diverged[0]
            self.host.show_status(f"At η = {run.rate:g} the training diverged at step {run.diverged_at}: "
                                  "the learning rate is too large for this model", 8000, error=True)

    def _show_error(self, err: ComputeError) -> None:
        self.view.show_error(err.message)

    def activate(self) -> None:
        self.view.set_scene(self.current_scene())
        self.request()

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
