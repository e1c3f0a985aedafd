"""The step-size lab tab: several h against the flow, the error against h, the cobweb of Euler's map
and the bifurcation diagram over h.

It shares the flow tab's Scene, parameter column, clock and transport bar (its edits are the flow
page's edits), and runs two jobs of its own on their own threads, so a long bifurcation sweep never
delays the flow: the lab (compare and error plots) and the orbits (the diagram), the latter only
when what it depends on changed (dragging h moves its line, it does not recompute it).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...compute import jobs
from ..actions import ActionSpec
from .base import Page, PageHost, PageJob

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...compute.worker import ComputeError
    from ...model.lab import LabResult, OrbitResult
    from ...model.scene import Scene
    from ..animation import AnimationClock
    from ..lab_view import LabView
    from .flow import FlowPage


class LabPage(Page):
    name = "lab"
    title = "Step size: compare h, error order, cobweb, bifurcation"
    tooltip = ("What the learning rate h does: several h at once, the error's order, "
               "Euler's map as a cobweb, and period doubling over h")
    equation = "1d"

    def __init__(self, host: PageHost) -> None:
        super().__init__(host)
        self.flow: FlowPage = host.page("flow")     # type: ignore[assignment]
        self.lab_job = self.add_job(jobs.evaluate_lab, "gdviz-lab", self._draw_lab, self._lab_failed)
        self.orbit_job = self.add_job(jobs.evaluate_orbits, "gdviz-orbits", self._draw_orbits,
                                      self._orbits_failed, key=lambda scene: scene.orbit_key(),
                                      with_progress=True)
        self.view: LabView | None = None
        self.flow.scene_shown.connect(self._flow_scene)
        self.flow.job.shown.connect(self._flow_result)
        self.flow.clock.index_changed.connect(self._on_index)

    # ----------------------------------------------------------------------------------- widget
    def build(self) -> QWidget:
        from ..lab_view import LabView
        lab = self.view = LabView()
        lab.set_scene(self.flow.scene)
        lab.changed.connect(lambda d: self.flow.edit(d, next(iter(d))))
        lab.invalid.connect(lambda m: self.host.show_status(m, 5000, error=True))
        lab.h_picked.connect(lambda h: self.flow.edit({"h": float(f"{h:.4g}")}, "h") if h > 0 else None)
        lab.x_picked.connect(lambda x: self.flow.edit({"x0": x}, "x0"))
        lab.cancel_requested.connect(self.cancel_sweep)
        self.orbit_job.on_progress(lab.sweep.set_busy, lab.sweep.set_fraction)
        if self.flow.result is not None:
            lab.show_flow(self.flow.result, self.clock.index)
        if self.lab_job.result is not None:
            lab.show_lab(self.lab_job.result, self.clock.index)
        if self.orbit_job.result is not None:
            lab.show_orbits(self.orbit_job.result)
        return lab

    def side_widget(self) -> QWidget:
        return self.flow.side_widget()

    def bar_widget(self) -> QWidget:
        return self.flow.bar_widget()

    @property
    def clock(self) -> AnimationClock:
        return self.flow.clock

    def actions(self) -> list[ActionSpec]:
        return [ActionSpec("cancel-sweep", "&Cancel the bifurcation sweep", self.cancel_sweep, "view", "display",
                           tip="Stop the running sweep; the previous diagram stays")]

    # ----------------------------------------------------------------------------------- scene
    @property
    def scene(self) -> Scene:
        return self.flow.scene

    def set_scene(self, scene: Scene, force: bool = True) -> None:
        self.flow.set_scene(scene)

    def edit(self, changes: dict, group: str | None = None) -> None:
        self.flow.edit(changes, group)

    def commit_equation(self, text: str) -> None:
        self.flow.commit_equation(text)

    def sync_editor(self) -> None:
        self.flow.sync_editor()

    @property
    def status_line(self) -> tuple[str, bool]:
        return self.flow.status_line

    @property
    def lab_result(self) -> LabResult | None:
        return self.lab_job.result

    @property
    def orbit_result(self) -> OrbitResult | None:
        return self.orbit_job.result

    def _flow_scene(self, scene: Scene) -> None:
        if self.view is not None:
            self.view.set_scene(scene)
        self.request()

    def _flow_result(self, r) -> None:
        if self.view is not None:          # hidden too: the tab never shows an older cobweb
            n = self.clock.index
            self.view.show_flow(r, n)
            # The flow's result moves the shared clock (to the last iterate) without a signal: the
            # compared runs drawn before it arrived must follow. Without this the lab's export
            # showed no Euler curves when the lab's result came first (issue 11).
            self.view.show_index(n)
        self.job_settled(self.flow.job)

    def _on_index(self, n: int) -> None:
        if self.view is not None and self.host.is_current(self) and self.flow.result is not None:
            self.view.show_index(n)

    # -------------------------------------------------------------------------------- computing
    def request(self, force: bool = False) -> None:
        """The lab computes only while it is on screen (or being exported)."""
        if self.closed or not (force or (self.host.is_current(self) and self.host.started())):
            return
        self.flow.request(force=True)
        scene = self.flow.scene
        self.lab_job.request(scene)
        self.orbit_job.request(scene)

    def pending_jobs(self) -> list[PageJob]:
        return [j for j in (self.flow.job, *self.jobs) if j.pending]

    def has_results(self) -> bool:
        return self.flow.has_results() and super().has_results()

    def wait_drawn(self, timeout_ms: int = 60_000) -> bool:
        self.widget()                   # the canvases must exist to be drawn on
        return super().wait_drawn(timeout_ms)

    def _draw_lab(self, lab: LabResult) -> None:
        if self.view is not None:
            self.view.show_lab(lab, self.clock.index)

    def _draw_orbits(self, orbits: OrbitResult) -> None:
        if self.view is not None:
            self.view.show_orbits(orbits)

    def _lab_failed(self, err: ComputeError) -> None:
        if self.flow.error is None and self.view is not None:    # a bad equation is reported by the flow
            self.view.error_canvas.set_message(err.message)
            self.host.show_status(f"Step-size lab: {err.message}", 8000, error=True)

    def _orbits_failed(self, err: ComputeError) -> None:
        self.orbit_job.requested = None
        if self.flow.error is None and self.view is not None:
            self.view.bifurcation_canvas.set_message(err.message)
            self.host.show_status(f"Bifurcation diagram: {err.message}", 8000, error=True)

    def cancel_sweep(self) -> None:
        """Stop the running bifurcation sweep; the previous diagram stays."""
        if self.orbit_job.cancel():
            self.host.show_status("Sweep cancelled; the previous diagram stays", 5000)

    # ------------------------------------------------------------------------------------ the tab
    def activate(self) -> None:
        self.widget()
        if self.flow.result is not None:
            self.view.show_flow(self.flow.result, self.clock.index)
            self.view.show_index(self.clock.index)
        self.request()

    # ------------------------------------------------------------------------------------ exports
    def canvases(self) -> dict[str, QWidget]:
        self.widget()
        v = self.view
        return {"compare": v.compare_canvas, "error": v.error_canvas, "cobweb": v.cobweb_canvas,
                "bifurcation": v.bifurcation_canvas}

    def _parts(self) -> dict[str, str]:
        """The words for each lab plot whose result is on screen."""
        from ...model import describe
        flow, lab, orbits = self.flow.result, self.lab_job.result, self.orbit_job.result
        parts = {}
        if lab is not None:
            parts["compare"] = describe.describe_compare(lab)
            parts["error"] = describe.describe_error(lab)
        if flow is not None:
            parts["cobweb"] = describe.describe_cobweb(flow)
        if orbits is not None:
            parts["bifurcation"] = describe.describe_bifurcation(orbits)
        return parts

    def description(self) -> str:
        from ...model.describe import describe_flow
        if self.flow.result is None:
            return ""
        return "\n\n".join((describe_flow(self.flow.result), *self._parts().values()))

    def canvas_descriptions(self) -> dict[QWidget, str]:
        canvases = self.canvases()
        return {canvases[name]: text for name, text in self._parts().items()}

    def canvas_alone(self, view: str) -> QWidget:
        from ..bifurcation_canvas import BifurcationCanvas
        from ..cobweb_canvas import CobwebCanvas
        from ..compare_canvas import CompareCanvas
        from ..error_canvas import ErrorCanvas
        kinds = {"compare": CompareCanvas, "error": ErrorCanvas, "cobweb": CobwebCanvas,
                 "bifurcation": BifurcationCanvas}
        if view not in kinds:
            return super().canvas_alone(view)
        canvas = kinds[view]()
        n = self.clock.index
        if view == "cobweb":
            canvas.show_result(self.flow.result, n)
        elif view == "bifurcation":
            canvas.show_result(self.orbit_job.result)
        else:
            canvas.show_result(self.lab_job.result, n)
        return canvas
