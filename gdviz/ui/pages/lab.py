"""The step-size lab tab: several h against the flow, the error against h, the cobweb of Euler's map
and the bifurcation diagram over h.

It shares the flow tab's Scene, parameter column, clock and transport bar (its edits are the flow
page's edits), and runs three jobs of its own on their own threads, so a long bifurcation sweep never
delays the flow: the lab (compare and error plots), the orbits (the diagram) and the route to chaos
(the Lyapunov exponent on the diagram's grid and the period doublings), the last two only when what
they depend on changed (dragging h moves their lines, it does not recompute them).

Zooming the diagram asks both for the new h-range at full resolution: the page keeps the zooms in a
ZoomHistory (Back, Full range) and computes the scene with its h-range replaced by the zoomed one.
A change of anything else the diagram depends on (the equation, x0, the range boxes) forgets them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...compute import jobs
from ..actions import ActionSpec
from ..zoom_history import ZoomHistory
from .base import Page, PageHost, PageJob

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...compute.worker import ComputeError
    from ...model.lab import ChaosResult, LabResult, OrbitResult
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
        self.chaos_job = self.add_job(jobs.evaluate_chaos, "gdviz-chaos", self._draw_chaos, self._chaos_failed,
                                      key=lambda scene: scene.orbit_key())
        self.zoom = ZoomHistory()
        self._zoom_base: tuple | None = None       # the orbit key the zooms belong to
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
        lab.h_zoomed.connect(self.zoom_to)
        lab.zoom_back_requested.connect(self.zoom_back)
        lab.zoom_reset_requested.connect(self.zoom_reset)
        lab.set_zoom_state(self.zoom.can_go_back, self.zoom.current is not None)
        self.orbit_job.on_progress(lab.sweep.set_busy, lab.sweep.set_fraction)
        if self.flow.result is not None:
            lab.show_flow(self.flow.result, self.clock.index)
        if self.lab_job.result is not None:
            lab.show_lab(self.lab_job.result, self.clock.index)
        if self.orbit_job.result is not None:
            lab.show_orbits(self.orbit_job.result)
        if self.chaos_job.result is not None:
            lab.show_chaos(self.chaos_job.result)
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

    @property
    def chaos_result(self) -> ChaosResult | None:
        return self.chaos_job.result

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
        orbits = self.orbit_scene()
        self.orbit_job.request(orbits)
        self.chaos_job.request(orbits)

    def orbit_scene(self) -> Scene:
        """The scene the diagram and the exponent are computed for: the flow's, over the zoomed
        h-range if there is one. Zooms belong to one diagram: a new one forgets them."""
        scene = self.flow.scene
        if scene.orbit_key() != self._zoom_base:
            self._zoom_base = scene.orbit_key()
            if self.zoom.reset():
                self._show_zoom_state()
        return scene if self.zoom.current is None else scene.with_(h_range=self.zoom.current)

    # ------------------------------------------------------------------------------------ zoom
    def zoom_to(self, lo: float, hi: float) -> None:
        """Compute the diagram and the exponent over [lo, hi] (the view was zoomed or panned)."""
        hi = float(hi)
        lo = max(float(lo), hi * 1e-6)          # zoomed out past h = 0: from just above it
        shown = self.zoom.current or self._computed_h_range()
        if shown is not None and max(abs(lo - shown[0]), abs(hi - shown[1])) <= 1e-6 * (hi - lo):
            return                              # a click, not a zoom: nothing new to compute
        try:                                    # the scene's own rule for an h-range (ranges.py)
            self.flow.scene.with_(h_range=(lo, hi))
        except ValueError as exc:
            self.host.show_status(f"The diagram cannot zoom there: {exc}", 5000, error=True)
            return
        self.zoom.push((lo, hi))
        self._zoom_changed()

    def zoom_back(self) -> None:
        """Back to the h-range shown before the last zoom."""
        if self.zoom.back():
            self._zoom_changed()

    def zoom_reset(self) -> None:
        """Back to the scene's own h-range."""
        if self.zoom.reset():
            self._zoom_changed()

    def _computed_h_range(self) -> tuple[float, float] | None:
        r = self.orbit_job.result
        return None if r is None else (float(r.diagram.h[0]), float(r.diagram.h[-1]))

    def _zoom_changed(self) -> None:
        self._show_zoom_state()
        self.request()

    def _show_zoom_state(self) -> None:
        if self.view is not None:
            self.view.set_zoom_state(self.zoom.can_go_back, self.zoom.current is not None)

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

    def _draw_chaos(self, chaos: ChaosResult) -> None:
        if self.view is not None:
            self.view.show_chaos(chaos)

    def _chaos_failed(self, err: ComputeError) -> None:
        self.chaos_job.requested = None
        if self.flow.error is None and self.view is not None:
            self.view.lyapunov_canvas.set_message(err.message)

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
        """Stop the running bifurcation sweep (and its exponent); the previous pictures stay."""
        exponent = self.chaos_job.cancel()
        if self.orbit_job.cancel() or exponent:
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
        # "doublings" is drawn on the diagram: it has no plot of its own to list here (canvas_alone
        # makes one, the diagram with the doublings listed in a corner).
        return {"compare": v.compare_canvas, "error": v.error_canvas, "cobweb": v.cobweb_canvas,
                "bifurcation": v.bifurcation_canvas, "lyapunov": v.lyapunov_canvas}

    def _parts(self) -> dict[str, str]:
        """The words for each lab plot whose result is on screen."""
        from ...model import describe
        flow, lab, orbits, chaos = self.flow.result, self.lab_job.result, self.orbit_job.result, self.chaos_job.result
        parts = {}
        if lab is not None:
            parts["compare"] = describe.describe_compare(lab)
            parts["error"] = describe.describe_error(lab)
        if flow is not None:
            parts["cobweb"] = describe.describe_cobweb(flow)
        if orbits is not None:
            parts["bifurcation"] = describe.describe_bifurcation(orbits)
        if chaos is not None:
            parts["lyapunov"] = describe.describe_chaos(chaos)
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
        from ..lyapunov_canvas import LyapunovCanvas
        kinds = {"compare": CompareCanvas, "error": ErrorCanvas, "cobweb": CobwebCanvas,
                 "bifurcation": BifurcationCanvas, "lyapunov": LyapunovCanvas, "doublings": BifurcationCanvas}
        if view not in kinds:
            return super().canvas_alone(view)
        canvas = kinds[view]()
        n = self.clock.index
        if view == "cobweb":
            canvas.show_result(self.flow.result, n)
        elif view in ("bifurcation", "doublings"):
            canvas.show_result(self.orbit_job.result)
            canvas.show_doublings(self.chaos_job.result, listed=view == "doublings")
            if view == "doublings":
                canvas.set_title("Period doublings of Euler's map over h")
        elif view == "lyapunov":
            canvas.show_result(self.chaos_job.result)
        else:
            canvas.show_result(self.lab_job.result, n)
        return canvas
