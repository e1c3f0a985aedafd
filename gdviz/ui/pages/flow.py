"""The flow tab: F(x) with the iterates climbing it, the phase line of x' = f(x), and x_n over t = n·h
against the exact solution, all from one Scene and one SceneResult; the parameter column beside it,
the transport bar below it, and the iterates table in a dock.

Its Scene is also the step-size lab's (gdviz.ui.pages.lab reads it and this page's result).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ...compute import jobs
from ...model.presets import DEFAULT_PRESET, presets
from ...model.scene import Scene
from .. import style
from ..actions import ActionSpec
from ..animation import AnimationClock
from ..animation_bar import AnimationBar
from ..canvas import LeftAxisGroup
from ..function_canvas import FunctionCanvas
from ..iterates_table import IteratesTable, iterates_csv
from ..parameter_panel import ParameterPanel
from ..parameter_sliders import keep_found
from ..phase_line import PhaseLineCanvas
from ..plain import escaped, menu_text
from ..status_text import regime_sentence, scene_title, status_message
from ..time_canvas import TimeCanvas
from .base import Page, PageHost, side_column

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from ...compute.worker import ComputeError
    from ...model.results import SceneResult

HINT = ("Click a plot to set x₀ (or drag the dashed x₀ line). Drag h and watch the iterates. "
        "Space plays the animation, ←/→ step (they turn the lesson's pages while it is open), Home resets.")


def preset_by_name(name: str):
    return next((p for p in presets() if p.name == name), None)


def default_scene() -> Scene:
    """The scene a new window (or File > New) shows: the article's default preset."""
    preset = preset_by_name(DEFAULT_PRESET)
    return preset.scene if preset is not None else Scene()


# In presentation mode, below this height (a 1280x720 or 1024x768 projector) F(x) and the phase
# line sharing the column equally were each about 115 px tall: F(x) takes most of it instead.
COMPACT_BELOW_PX = 640
PHASE_LINE_SHARE = (3, 1)          # F(x) : phase line, in compact mode


class FlowPlots(QWidget):
    """The flow's three plots: F(x) above the phase line, x(t) beside them. On a small projector
    (presentation mode, under COMPACT_BELOW_PX tall) the phase line is made thin for F(x)."""

    def __init__(self, function_canvas: QWidget, phase_canvas: QWidget, time_canvas: QWidget) -> None:
        super().__init__()
        self.phase_canvas = phase_canvas
        self.compact = False
        grid = self.grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setSpacing(6)
        grid.addWidget(function_canvas, 0, 0)
        grid.addWidget(phase_canvas, 1, 0)
        grid.addWidget(time_canvas, 0, 1, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)

    def update_compact(self) -> None:
        compact = style.STYLE.presentation and 0 < self.height() < COMPACT_BELOW_PX
        if compact == self.compact:
            return
        self.compact = compact
        top, bottom = PHASE_LINE_SHARE if compact else (1, 1)
        self.grid.setRowStretch(0, top)
        self.grid.setRowStretch(1, bottom)
        # The phase line shares F(x)'s x-axis, just above it: its own axis gives its height back.
        plot = self.phase_canvas.getPlotItem()
        plot.showAxis("bottom", not compact)
        self.phase_canvas.setMinimumHeight(120 if compact else 160)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self.update_compact()

    def apply_style(self) -> None:
        self.update_compact()


class FlowPage(Page):
    name = "flow"
    title = "Flow: F, phase line, x(t)"
    tooltip = "F(x) with the iterates, the phase line of x' = f(x), and x(t) against the exact solution"
    equation = "1d"
    state_field = "scene"

    scene_shown = Signal(object)     # the Scene, after every edit, undo or load put it in the widgets

    def __init__(self, host: PageHost, scene: Scene | None = None,
                 transport: list[QAction] | None = None) -> None:
        super().__init__(host)
        self._scene = scene if scene is not None else default_scene()
        self._clock = AnimationClock(self)
        self._clock.index_changed.connect(self._on_index)
        self._to_end = True
        self._status_line: tuple[str, bool] = ("", False)   # what the status bar says of the result
        self._range_framed = False      # is the scene's x-range framed (not set by the user)? See framing.py
        self.job = self.add_job(jobs.evaluate_scene, "gdviz-compute", self._draw, self._show_error)
        self._transport = transport or []
        self.act_bundle: QAction | None = None
        self._build_widgets()
        self._show_scene(self._scene, sync_editor=False)

    # ----------------------------------------------------------------------------------- widgets
    def _build_widgets(self) -> None:
        # Built with the window (not on first show like the other tabs): it is the first picture.
        self.panel = ParameterPanel()
        self.function_canvas = FunctionCanvas()
        self.phase_canvas = PhaseLineCanvas()
        self.time_canvas = TimeCanvas()
        self.function_canvas.setAccessibleName("Plot of F(x) with the iterates")
        self.phase_canvas.setAccessibleName("Phase line: f(x) and the equilibria")
        self.time_canvas.setAccessibleName("Plot of x(t): exact solution and Euler's iterates")
        # One x, two pictures of it: F(x) above the phase line.
        self._axis_groups = (LeftAxisGroup(self.function_canvas, self.phase_canvas, share_x=True),
                             LeftAxisGroup(self.time_canvas))
        self.plots = (self.function_canvas, self.phase_canvas, self.time_canvas)
        for c in self.plots:
            c.setMinimumSize(220, 160)

        self.scene_note = QLabel()
        self.scene_note.setWordWrap(True)
        self.scene_note.setTextFormat(Qt.TextFormat.RichText)
        self.scene_note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.restyle()

        self.left_scroll = side_column(self.panel, self.scene_note, name="Parameters")
        self.animation_bar = AnimationBar(self._clock, self._transport)
        self.table = IteratesTable()

        self.panel.changed.connect(lambda d: self.edit(d, next(iter(d)), sync_panel=False))
        self.panel.range_invalid.connect(lambda m: self.host.show_status(m, 4000))
        for c in (self.function_canvas, self.phase_canvas):
            c.x_picked.connect(lambda x: self.edit({"x0": x}, "x0"))
            c.x0_dragged.connect(lambda x: self.edit({"x0": x}, "x0"))
        self.table.csv_requested.connect(self.export_csv_dialog)

    def build(self) -> QWidget:
        self.plots_widget = FlowPlots(self.function_canvas, self.phase_canvas, self.time_canvas)
        return self.plots_widget

    def side_widget(self) -> QWidget:
        return self.left_scroll

    def bar_widget(self) -> QWidget:
        return self.animation_bar

    @property
    def clock(self) -> AnimationClock:
        return self._clock

    def actions(self) -> list[ActionSpec]:
        """The flow's own actions: the bundle, the iterates CSV, reset zoom and the presets."""
        specs = [
            ActionSpec("bundle", "&Bundle of solutions", lambda on: self.edit({"bundle": bool(on)}, "bundle"),
                       "view", "display", ("Ctrl+B",), "Solutions and Euler iterates from a spread of starts",
                       checkable=True, checked=self._scene.bundle),
            ActionSpec("reset-zoom", "Reset &zoom", self.reset_zoom, "view", "display", ("Ctrl+0",)),
            ActionSpec("export-csv", "Export iterates as &CSV…", self.export_csv_dialog, "file", "export",
                       ("Ctrl+Shift+E",), "Save n, tₙ, xₙ, F(xₙ), f(xₙ) as CSV", order=2),
        ]
        for i, p in enumerate(presets()):
            specs.append(ActionSpec(f"preset:{p.name}", menu_text(p.title), lambda name=p.name: self.load_preset(name),
                                    "presets", "presets", (f"Ctrl+{i + 1}",) if i < 9 else (), p.explanation))
        return specs

    def attach_actions(self, actions: dict[str, QAction]) -> None:
        self.act_bundle = actions.get("bundle")

    # ------------------------------------------------------------------------------------ scene
    @property
    def status_line(self) -> tuple[str, bool]:
        return self._status_line

    @property
    def scene(self) -> Scene:
        return self._scene

    @property
    def result(self) -> SceneResult | None:
        return self.job.result

    def description(self) -> str:
        from ...model.describe import describe_flow
        return describe_flow(self.result) if self.result is not None else ""

    @property
    def error(self) -> ComputeError | None:
        """The error shown next to the equation field (None when the current text is fine)."""
        return self.job.error

    def set_scene(self, scene: Scene, force: bool = True) -> None:
        """Show `scene` everywhere (the equation too) and compute it (the flow is always built)."""
        self._to_end = True
        self._range_framed = False      # a preset, session, lesson or undo brings its own range
        self._apply(scene, sync_editor=True)

    def edit(self, changes: dict, group: str | None = None, sync_panel: bool = True) -> None:
        """A user edit of some Scene fields: build the new Scene, show it, compute it, record it."""
        if "x0" in changes and group == "x0":
            changes = {**changes, "x0": float(f"{changes['x0']:.4g}")}   # a click is not that precise
        try:
            scene = self._scene.with_(**changes)
        except (ValueError, TypeError) as exc:
            self.host.show_status(str(exc), 5000)
            return
        if scene == self._scene:
            return
        scene = self._frame_new_equation(scene, group)
        self._apply(scene, sync_editor=False, sync_panel=sync_panel)
        self.host.record(group)

    def _frame_new_equation(self, scene: Scene, group: str | None) -> Scene:
        """A new equation typed (or F and f switched) gets a framed x-range; a range typed in the
        boxes is the user's, kept until the next new equation (gdviz.model.framing says why)."""
        if group == "x_range":
            self._range_framed = False
        elif group in ("text", "kind") and (scene.text, scene.kind) != (self._scene.text, self._scene.kind):
            # (imports sympy, which the worker loaded long before)
            from ...model.framing import framed
            scene = framed(scene)
            self._range_framed = True
        return scene

    def load_preset(self, name: str) -> None:
        p = preset_by_name(name)
        if p is not None:
            self.set_scene(p.scene)
            self.host.record()

    def _apply(self, scene: Scene, sync_editor: bool, sync_panel: bool = True) -> None:
        self._scene = scene
        self._show_scene(scene, sync_editor=sync_editor, sync_panel=sync_panel)
        self.request()
        self.scene_shown.emit(scene)

    def _show_scene(self, scene: Scene, sync_editor: bool, sync_panel: bool = True) -> None:
        """Put the scene's values into the widgets (no signals); the scene note."""
        editor = self.host.editor
        if editor is not None and self.host.is_current_equation("1d"):
            editor.set_scene(scene, keep_text=not sync_editor)
        if sync_panel:
            self.panel.set_scene(scene)
        else:
            self.panel.x0.setSliderRange(*scene.x_range)
            self.panel.show_method(scene)
        if self.act_bundle is not None:
            self.act_bundle.blockSignals(True)
            self.act_bundle.setChecked(scene.bundle)
            self.act_bundle.blockSignals(False)
        for c in (self.function_canvas, self.phase_canvas):
            c.set_x0(scene.x0)
        p = preset_by_name(scene.preset) if scene.preset else None
        if p is not None:
            self.scene_note.setText(f"<b>{escaped(p.title)}</b><br>"
                                    f"{escaped(p.explanation, 4000)}<br><br>"
                                    f'<span style="color:{style.MUTED}">{HINT}</span>')
        else:
            self.scene_note.setText(f'<span style="color:{style.MUTED}">{HINT}</span>')

    def title_text(self) -> str:
        p = preset_by_name(self._scene.preset) if self._scene.preset else None
        return scene_title(self._scene, p.title if p else None)

    def savable_scene(self) -> Scene:
        scene, r = self._scene, self.job.result
        if self.job.error is not None and r is not None and r.scene.text != scene.text:
            scene = scene.with_(text=r.scene.text, kind=r.scene.kind, params=r.scene.params)
        return scene

    # -------------------------------------------------------------------------------- computing
    def request(self, force: bool = False) -> None:
        """The flow computes as soon as the window has painted once (the lab needs it too)."""
        if self.closed or not (force or self.host.started()):
            return
        self.job.request(self._scene)

    def _draw(self, r: SceneResult) -> None:
        names = tuple(r.parameters)
        wanted = keep_found(names, self._scene.param_dict)
        if wanted != self._scene.param_dict:
            # The worker found the equation's parameters: keep exactly those (see keep_found).
            self._scene = self._scene.with_(params=wanted)
            self.job.requested = self._scene
            self.host.replace_state()
        if self.host.is_current_equation("1d"):
            self.show_in_editor(None, r.summary, r.notes)
        self.panel.set_parameters(names, wanted)
        self.panel.set_regime(regime_sentence(r),
                              style.REGIME_COLOURS.get(str(getattr(r.regime, "value", r.regime))))
        a = r.attractor
        if r.scene.method == "euler":
            self.panel.set_stability(a.x if a else math.nan, a.h_monotone if a else math.nan,
                                     a.h_stable if a else math.nan)
        else:
            self.panel.set_method_bounds(r.scene.method, a.x if a else math.nan, r.bound_formula,
                                         r.attractor_bound, r.method_bounds)
        self._clock.set_last(r.steps, to_end=self._to_end, emit=False)
        self._to_end = False
        n = self._clock.index
        for c in self.plots:
            c.show_result(r, n)
        self.table.set_result(r)
        self._show_index_readout(n)
        self._status_line = (status_message(r), r.diverged_at >= 0)
        self.host.result_status(self)

    def _show_error(self, err: ComputeError) -> None:
        if self.host.is_current_equation("1d"):
            self.host.editor.show_error(err.message, err.column, err.scene.text)
            self.host.show_status(f"Cannot use this equation: {err.message}", 8000, error=True)
        self.failed.emit(err)

    def _on_index(self, n: int) -> None:
        if self.job.result is None:
            return
        for c in self.plots:
            c.show_index(n)
        self._show_index_readout(n)

    def _show_index_readout(self, n: int) -> None:
        r = self.job.result
        if r is None:
            return
        self.table.set_current(n)
        x = float(r.x[n]) if 0 <= n < len(r.x) else float("nan")
        t = float(r.t[n]) if 0 <= n < len(r.t) else float("nan")
        self.animation_bar.show_state(n, r.steps, t, x)

    def reset_zoom(self) -> None:
        """Back to the scene's range: framed again for the current parameters, x0 and h unless the
        user set the range."""
        if self._range_framed:
            from ...model.framing import framed
            scene = framed(self._scene)
            if scene != self._scene:
                self.edit({"x_range": scene.x_range}, "frame")
        for c in self.plots:
            c.reset_zoom()
        if self.job.result is not None:
            for c in self.plots:
                c.show_result(self.job.result, self._clock.index)

    # ------------------------------------------------------------------------------ the editor
    def commit_equation(self, text: str) -> None:
        self.edit({"text": text, "preset": ""}, "text")

    def sync_editor(self) -> None:
        self.host.editor.set_scene(self._scene)
        r = self.job.result
        self.show_in_editor(self.job.error, r.summary if r is not None else "", r.notes if r is not None else ())

    # ------------------------------------------------------------------------------------ exports
    def table_csv(self) -> str:
        return iterates_csv(self.job.result) if self.job.result is not None else ""

    def export_csv_dialog(self) -> None:
        path = self.table.save_csv_dialog(self.job.result)
        if path:
            self.host.show_status(f"Saved {path}", 4000)

    def restyle(self) -> None:
        self.scene_note.setStyleSheet(f"QLabel {{ color: {style.css_colour(style.INK)}; }}")
