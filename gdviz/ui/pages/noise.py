"""The "SGD noise" tab (issue 15 §3): SGD on a noisy 1-D quadratic as a diffusion, the histogram of its
late iterates against the exact and the SDE's Gaussians, and the linear-scaling rule (2η, 2B).

A tab of its own rather than a canvas on the flow or lab tab: its x is not a trajectory from x₀ and
its controls (B, σ, chains) mean nothing there. Its scene is not saved in sessions (it has no
WindowState field yet) and its edits are not undo steps; it is None until the tab is first built.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...compute import jobs
from .base import PageHost
from .single import SingleScenePage

if TYPE_CHECKING:

    from ...model.diffusion import NoiseScene
    from ..noise_view import NoiseView


class NoisePage(SingleScenePage):
    name = "noise"
    title = "SGD noise"
    tooltip = "SGD as a diffusion: where the late iterates settle, and the linear-scaling rule (η, B) ~ (2η, 2B)"

    def __init__(self, host: PageHost) -> None:
        super().__init__(host)
        self.job = self.add_job(jobs.evaluate_noise, "gdviz-noise", self._draw, self._show_error)

    def default_scene(self) -> NoiseScene:
        from ...model.diffusion import NoiseScene
        return NoiseScene()

    def make_view(self) -> NoiseView:
        from ..noise_view import NoiseView
        return NoiseView()

    def description(self) -> str:
        from ...model.diffusion import describe_noise
        return describe_noise(self.result) if self.result is not None else ""

    def table_csv(self) -> str | None:
        if self.result is None:
            return None
        from ...model.diffusion import noise_csv
        return noise_csv(self.result)
