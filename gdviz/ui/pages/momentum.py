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
from .base import Page, PageHost

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...model.momentum import MomentumResult, MomentumScene
    from ..animation import AnimationClock
    from ..momentum_view import MomentumView


class MomentumPage(Page):
    name = "momentum"
    title = "Momentum: Newton's second law"
    tooltip = ("Heavy-ball momentum is x'' + γx' = −F'(x) discretised: its iterates "
               "in the phase plane (x, v), and the pendulum")
    state_field = "momentum"

    def __init__(self, host: PageHost) -> None:
        super().__init__(host)
        self._scene: MomentumScene | None = None
        self.job = self.add_job(jobs.evaluate_momentum, "gdviz-momentum", self._draw, self._show_error)
        self.view: MomentumView | None = None

    def build(self) -> QWidget:
        from ...model.momentum import MomentumScene
        from ..momentum_view import MomentumView
        if self._scene is None:
            self._scene = MomentumScene()
        mv = self.view = MomentumView()
        mv.set_scene(self._scene)
        mv.changed.connect(lambda d: self.edit(d))
        mv.preset_chosen.connect(self.load_preset)
        return mv

    @property
    def clock(self) -> AnimationClock:
        self.widget()
        return self.view.clock

    @property
    def result(self) -> MomentumResult | None:
        return self.job.result

    def table_csv(self) -> str:
        """The heavy ball's iterates (n, t_n, x_n, v_n, E_n), as `gdviz --view momentum --csv`."""
        from ...model.momentum import momentum_csv
        return momentum_csv(self.result) if self.result is not None else ""

    def description(self) -> str:
        from ...model.describe import describe_momentum
        return describe_momentum(self.result) if self.result is not None else ""

    # ----------------------------------------------------------------------------------- scene
    @property
    def scene(self) -> MomentumScene | None:
        """The tab's scene; None until the tab is first built (`current_scene` builds it)."""
        return self._scene

    def current_scene(self) -> MomentumScene:
        self.widget()
        return self._scene

    def set_scene(self, scene: MomentumScene | None, force: bool = True) -> None:
        """Show `scene` and compute it (building the tab). A tab never built takes a scene (or None,
        the default) without being built when `force` is False."""
        if not force and not self.built:
            self._scene = scene
            return
        if scene is None:
            from ...model.momentum import MomentumScene
            scene = MomentumScene()
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
        self.host.record("momentum:" + (group or next(iter(changes))))

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
    def request(self, force: bool = False) -> None:
        if self.closed or not (force or self.host.is_current(self)):
            return
        self.job.request(self.current_scene())

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

    def _show_error(self, err) -> None:
        self.view.show_error(err.message)
        self.failed.emit(err)

    def activate(self) -> None:
        self.view.set_scene(self.current_scene())
        self.request()
