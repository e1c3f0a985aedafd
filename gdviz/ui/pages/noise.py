"""The "SGD noise" tab (issue 15 §3): SGD on a noisy 1-D quadratic as a diffusion, the histogram of its
late iterates against the exact and the SDE's Gaussians, and the linear-scaling rule (2η, 2B).

A tab of its own rather than a canvas on the flow or lab tab: its x is not a trajectory from x₀ and
its controls (B, σ, chains) mean nothing there. Its scene is not saved in sessions (it has no
WindowState field yet) and its edits are not undo steps; it is None until the tab is first built.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...compute import jobs
from .base import Page, PageHost

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...compute.worker import ComputeError
    from ...model.diffusion import NoiseResult, NoiseScene
    from ..animation import AnimationClock
    from ..noise_view import NoiseView


class NoisePage(Page):
    name = "noise"
    title = "SGD noise"
    tooltip = "SGD as a diffusion: where the late iterates settle, and the linear-scaling rule (η, B) ~ (2η, 2B)"

    def __init__(self, host: PageHost) -> None:
        super().__init__(host)
        self._scene: NoiseScene | None = None
        self.job = self.add_job(jobs.evaluate_noise, "gdviz-noise", self._draw, self._show_error)
        self.view: NoiseView | None = None
        self._clock: AnimationClock | None = None

    def build(self) -> QWidget:
        from ...model.diffusion import NoiseScene
        from ..animation import AnimationClock
        from ..noise_view import NoiseView
        if self._scene is None:
            self._scene = NoiseScene()
        view = self.view = NoiseView()
        self._clock = AnimationClock(view)      # nothing to animate: the transport keys find a clock at 0
        view.set_scene(self._scene)
        view.changed.connect(lambda d: self.edit(d))
        return view

    @property
    def clock(self) -> AnimationClock:
        self.widget()
        return self._clock

    @property
    def result(self) -> NoiseResult | None:
        return self.job.result

    def description(self) -> str:
        from ...model.diffusion import describe_noise
        return describe_noise(self.result) if self.result is not None else ""

    # ----------------------------------------------------------------------------------- scene
    @property
    def scene(self) -> NoiseScene | None:
        return self._scene

    def current_scene(self) -> NoiseScene:
        self.widget()
        return self._scene

    def set_scene(self, scene: NoiseScene | None, force: bool = True) -> None:
        if not force and not self.built:
            self._scene = scene
            return
        if scene is None:
            from ...model.diffusion import NoiseScene
            scene = NoiseScene()
        self._scene = scene
        self.widget()
        self.view.set_scene(scene)
        self.request(force=True)

    def edit(self, changes: dict, group: str | None = None) -> None:
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

    def _draw(self, r: NoiseResult) -> None:
        self.view.show_result(r)

    def _show_error(self, err: ComputeError) -> None:
        self.view.show_error(err.message)
        self.failed.emit(err)

    def activate(self) -> None:
        scene = self.current_scene()
        self.view.set_scene(scene)
        self.request()

    def canvases(self) -> dict[str, QWidget]:
        return {}

    def table_csv(self) -> str | None:
        if self.result is None:
            return None
        from ...model.diffusion import noise_csv
        return noise_csv(self.result)
