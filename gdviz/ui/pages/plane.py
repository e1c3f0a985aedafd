"""The 2-D tab: optimizers side by side on a landscape F(x, y) typed in the shared equation editor,
with its loss curves, update rules and (on request) the basins of attraction.

Two jobs: the paths (every change) and the basins map (only when what it depends on changed; a
long one can be cancelled and the old picture stays).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...compute import jobs
from ...model.scene2d import MAX_STARTS, Scene2D
from ..parameter_sliders import keep_found
from ..plain import one_line
from .base import Page, PageHost, side_column

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...compute.worker import ComputeError
    from ...model.results2d import Result2D
    from ..animation import AnimationClock
    from ..landscape_view import LandscapeView


class PlanePage(Page):
    name = "2d"
    title = "2-D: optimizers on F(x, y)"
    tooltip = "Gradient descent, momentum, Nesterov, Adagrad, RMSprop and Adam side by side on a landscape you type"
    equation = "2d"
    state_field = "plane"

    def __init__(self, host: PageHost) -> None:
        super().__init__(host)
        self._scene = Scene2D()
        self.job = self.add_job(jobs.evaluate_2d, "gdviz-2d", self._draw, self._show_error)
        self.basins_job = self.add_job(jobs.evaluate_basins, "gdviz-basins", self._draw_basins,
                                       lambda err: self.host.show_status(f"Basins: {err.message}", 8000, error=True),
                                       key=lambda scene: scene.basin_key(), with_progress=True)
        self.cloud_job = self.add_job(jobs.evaluate_cloud, "gdviz-cloud", self._draw_cloud,
                                      lambda err: self.host.show_status(f"SGD cloud: {err.message}", 8000, error=True),
                                      key=lambda scene: scene.cloud_key())
        self.view: LandscapeView | None = None
        self._presets_loaded = False

    # ----------------------------------------------------------------------------------- widget
    def build(self) -> QWidget:
        from ..landscape_view import LandscapeView
        plane = self.view = LandscapeView([])
        plane.set_scene(self._scene)
        plane.changed.connect(lambda d: self.edit(d))
        plane.preset_chosen.connect(self.load_preset)
        plane.contour.start_added.connect(self._add_start)
        plane.contour.start_moved.connect(self._move_start)
        plane.contour.start_removed.connect(self._remove_start)
        plane.cancel_requested.connect(self.cancel_basins)
        self.basins_job.on_progress(plane.sweep.set_busy, plane.sweep.set_fraction)
        self._side = side_column(plane.controls, name="Optimizers and settings")
        return plane

    @property
    def clock(self) -> AnimationClock:
        self.widget()
        return self.view.clock

    @property
    def result(self) -> Result2D | None:
        return self.job.result

    def description(self) -> str:
        from ...model.describe import describe_2d
        return describe_2d(self.result) if self.result is not None else ""

    # ----------------------------------------------------------------------------------- scene
    @property
    def scene(self) -> Scene2D:
        return self._scene

    def set_scene(self, scene: Scene2D, force: bool = True) -> None:
        """Show `scene` and compute it; `force` builds the tab and computes even while it is hidden
        (a lesson step, the command line). Without it a hidden tab takes the scene when shown."""
        self._scene = scene
        if force or self.built:
            self.widget()
            self.view.set_scene(scene)
        self._sync_field()
        self.request(force=force)

    def edit(self, changes: dict, group: str | None = None) -> None:
        """An edit of the tab's controls: numbers the scene refuses are reported and the controls
        show the old scene again."""
        scene = self.edited_scene(self._scene, changes, self.view)
        if scene is None:
            return
        self._scene = scene
        if self.view is not None:
            self.view.set_scene(scene)
        if "text" not in changes:
            self._sync_field()
        self.request()
        self.host.record("2d:" + (group or next(iter(changes))))

    def _sync_field(self) -> None:
        if self.host.is_current(self):
            self.host.editor.set_plane(self._scene.text, enabled=self._scene.data_seed is None)

    def load_preset(self, name: str) -> None:
        from ...model.landscape import landscape_preset
        self.set_scene(landscape_preset(name).scene2d())
        self.host.record()

    def savable_scene(self) -> Scene2D:
        scene, r = self._scene, self.job.result
        if self.job.error is not None and r is not None and r.scene.text != scene.text:
            scene = scene.with_(text=r.scene.text, params=r.scene.params)
        return scene

    def _add_start(self, x: float, y: float) -> None:
        if len(self._scene.starts) >= MAX_STARTS:
            self.host.show_status(f"At most {MAX_STARTS} starting points", 4000)
            return
        self.edit({"starts": self._scene.starts + ((x, y),)})

    def _move_start(self, i: int, x: float, y: float) -> None:
        starts = list(self._scene.starts)
        if 0 <= i < len(starts):
            starts[i] = (float(f"{x:.4g}"), float(f"{y:.4g}"))
            self.edit({"starts": tuple(starts)})

    def _remove_start(self, i: int) -> None:
        starts = list(self._scene.starts)
        if len(starts) > 1 and 0 <= i < len(starts):
            del starts[i]
            self.edit({"starts": tuple(starts)})
        elif len(starts) == 1:
            self.host.show_status("Keep at least one starting point", 4000)

    # -------------------------------------------------------------------------------- computing
    def request(self, force: bool = False) -> None:
        if self.closed or not (force or self.host.is_current(self)):
            return
        self.widget()
        self.job.request(self._scene)
        if self._scene.basins:
            self.basins_job.request(self._scene)
        if self._scene.cloud and self._scene.data_seed is not None:
            self.cloud_job.request(self._scene)

    def cancel_basins(self) -> None:
        if self.basins_job.cancel():
            self.host.show_status("Basins cancelled; the picture stays", 5000)

    def _draw(self, r: Result2D) -> None:
        self._keep_parameters(r)
        self.view.show_result(r)
        if self.host.is_current(self):
            self.sync_editor()

    def _keep_parameters(self, r: Result2D) -> None:
        """The scene keeps exactly the parameters the worker found in F, and a slider shows each.
        A new one starts at the value the landscape already used for it, so `r` stays valid and
        nothing is computed again (the jobs' memos follow); no undo step, like the flow's."""
        wanted = keep_found(tuple(r.parameters), self._scene.param_dict)
        if r.scene.text == self._scene.text and wanted != self._scene.param_dict:
            old, self._scene = self._scene, self._scene.with_(params=wanted)
            if self.job.requested == old:
                self.job.requested = self._scene
            if self.basins_job.requested == old.basin_key():
                self.basins_job.requested = self._scene.basin_key()
            self.host.replace_state()
        self.view.params.set_parameters(tuple(r.parameters), self._scene.param_dict)

    def _draw_cloud(self, cloud) -> None:
        self.view.cloud.show_cloud(cloud)
        self.view.cloud.follow(self._scene)

    def _draw_basins(self, basins) -> None:
        self.view.contour.show_basins(basins)

    def _show_error(self, err: ComputeError) -> None:
        if self.host.is_current(self):
            self.host.editor.show_error(err.message, err.column, err.scene.text)
            self.host.show_status(f"Cannot use this landscape: {err.message}", 8000, error=True)
        self.failed.emit(err)

    # ------------------------------------------------------------------------------ the editor
    def commit_equation(self, text: str) -> None:
        changes = {"text": text.strip(), "preset": ""}
        self.edit({**changes, **self._framed_ranges(changes["text"])}, "text")

    def _framed_ranges(self, text: str) -> dict:
        """A new F(x, y) is framed: its minima and saddles near the starts, and the starts, in view."""
        if text == self._scene.text or self._scene.data_seed is not None:
            return {}
        from ...model.framing import framed2d
        try:
            scene = framed2d(self._scene.with_(text=text))
        except ValueError:
            return {}
        return {"x_range": scene.x_range, "y_range": scene.y_range}

    def sync_editor(self) -> None:
        self.host.editor.set_plane(self._scene.text, enabled=self._scene.data_seed is None)
        r = self.job.result
        self.show_in_editor(self.job.error, f"{r.label}   ⇒   {r.gradient_label}" if r is not None else "",
                            r.notes if r is not None else ())

    # ------------------------------------------------------------------------------------ the tab
    def activate(self) -> None:
        self.widget()
        if not self._presets_loaded:
            self._presets_loaded = True
            try:
                from ...model.landscape import landscape_presets
                for p in landscape_presets():
                    self.view.presets.addItem(one_line(p.title, 80), p.name)   # from a preset file
            except ValueError as exc:
                self.host.show_status(f"2-D presets: {exc}", 6000, error=True)
        self.view.set_scene(self._scene)
        self.request()

    def show_canvas(self, view: str) -> None:
        self.widget()
        self.view.show_plot(view)

    def canvases(self) -> dict[str, QWidget]:
        self.widget()
        return {"rates": self.view.rate_map, "sharpness": self.view.sharpness}

    def canvas_alone(self, view: str) -> QWidget:
        """The rate map over (η, μ) (issue 14 §3) or the sharpness plot (issue 15 §1) alone, fed
        the current result."""
        if view == "rates":
            from ..rate_map_canvas import RateMapCanvas
            canvas = RateMapCanvas()
            canvas.show_result(self.job.result)
        elif view == "sharpness":
            from ..sharpness_canvas import SharpnessCanvas
            canvas = SharpnessCanvas()
            if self.result is not None:
                canvas.show_result(self.result, self.clock.index)
        else:
            return super().canvas_alone(view)
        return canvas

    def table_csv(self) -> str:
        """The paths as the CSV export writes them (one row per optimizer, start and step)."""
        if self.job.result is None:
            return ""
        from ...model.tables2d import trajectories_csv
        return trajectories_csv(self.job.result)
