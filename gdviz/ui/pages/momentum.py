"""The momentum tab: heavy-ball momentum as Newton's second law x'' + γx' = −F'(x) discretised, its
iterates in the phase plane (x, v) beside the exact motion, and the energy. It types its F(x) in a
field of its own (the shared editor is hidden here).

Its scene is None until the tab is first built: the default MomentumScene comes with the tab, so
start-up never imports the momentum model.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...compute import jobs
from ..parameter_sliders import keep_found
from .base import PageHost
from .single import SingleScenePage

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...model.momentum import MomentumResult, MomentumScene
    from ..animation import AnimationClock
    from ..momentum_view import MomentumView


class MomentumPage(SingleScenePage):
    name = "momentum"
    title = "Momentum: Newton's second law"
    tooltip = ("Heavy-ball momentum is x'' + γx' = −F'(x) discretised: its iterates "
               "in the phase plane (x, v), and the pendulum")
    state_field = "momentum"

    def __init__(self, host: PageHost) -> None:
        super().__init__(host)
        self.job = self.add_job(jobs.evaluate_momentum, "gdviz-momentum", self._draw, self._show_error)

    def default_scene(self) -> MomentumScene:
        from ...model.momentum import MomentumScene
        return MomentumScene()

    def make_view(self) -> QWidget:
        from ..momentum_view import MomentumView
        view = MomentumView()
        view.preset_chosen.connect(self.load_preset)
        return view

    def make_clock(self, view: MomentumView) -> AnimationClock:
        return view.clock             # the heavy ball's iterates animate

    def table_csv(self) -> str:
        """The heavy ball's iterates (n, t_n, x_n, v_n, E_n), as `gdviz --view momentum --csv`."""
        from ...model.momentum import momentum_csv
        return momentum_csv(self.result) if self.result is not None else ""

    def description(self) -> str:
        from ...model.describe import describe_momentum
        return describe_momentum(self.result) if self.result is not None else ""

    # ----------------------------------------------------------------------------------- scene
    def edit(self, changes: dict, group: str | None = None) -> bool:
        """A user edit, and an undo step (the momentum scene is in sessions)."""
        if not super().edit(changes, group):
            return False
        self.host.record("momentum:" + (group or next(iter(changes))))
        return True

    def load_preset(self, name: str) -> None:
        from ...model.momentum import momentum_preset
        self.set_scene(momentum_preset(name).scene)
        self.host.record()

    def savable_scene(self) -> MomentumScene | None:
        scene, r = self._scene, self.job.result
        if scene is not None and r is not None and r.scene.text != scene.text \
                and self.job.error is not None and not self.job.busy:
            scene = scene.with_(text=r.scene.text, params=r.scene.params)
        return scene

    # -------------------------------------------------------------------------------- computing
    def _draw(self, r: MomentumResult) -> None:
        self._keep_parameters(r)
        self.view.show_result(r)

    def _keep_parameters(self, r: MomentumResult) -> None:
        """The scene keeps exactly the parameters the worker found in F, and a slider shows each.
        A new one starts at the value the model already used for it, so `r` stays valid and nothing
        is computed again; no undo step, like the flow's."""
        scene = self._scene
        wanted = keep_found(tuple(r.parameters), scene.param_dict) if scene is not None else {}
        if scene is not None and r.scene.text == scene.text and wanted != scene.param_dict:
            self._scene = scene.with_(params=wanted)
            if self.job.requested == scene:
                self.job.requested = self._scene
            self.host.replace_state()
        self.view.set_parameters(tuple(r.parameters), self._scene.param_dict if self._scene else wanted)

