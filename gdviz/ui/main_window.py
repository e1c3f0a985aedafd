"""The main window: editor and panel edit a Scene; the worker turns it into a SceneResult; the three
linked canvases, the table and the status bar draw that result; the clock moves an index into it.

Nothing here does maths, and nothing imports sympy: the model is only imported by the worker.
"""
from __future__ import annotations

import html
import math
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from PySide6.QtCore import (QByteArray, QEvent, QEventLoop, QObject, QSettings, QSize, Qt, QTimer, Signal,
                            qInstallMessageHandler)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QGridLayout, QLabel, QMainWindow, QMessageBox, QScrollArea, QSplitter,
                               QStyle, QTabWidget, QVBoxLayout, QWidget)

from ..compute.worker import ComputeClient, ComputeError
from ..model.presets import DEFAULT_PRESET, presets
from ..model.scene import Scene
from ..model.scene2d import MAX_STARTS, Scene2D
from . import style
from .animation import AnimationClock
from .animation_bar import AnimationBar
from .canvas import LeftAxisGroup
from .editor import EquationEditor
from .function_canvas import FunctionCanvas
from .iterates_table import IteratesTable, iterates_csv
from .bifurcation_canvas import BifurcationCanvas
from .cobweb_canvas import CobwebCanvas
from .compare_canvas import CompareCanvas
from .error_canvas import ErrorCanvas
from .parameter_panel import PARAM_DEFAULT, ParameterPanel
from .phase_line import PhaseLineCanvas
from .scene_history import SceneHistory, WindowState
from .status_text import regime_sentence, scene_title, status_message
from .style import STYLE
from .time_canvas import TimeCanvas

if TYPE_CHECKING:
    from ..model.lab import LabResult, OrbitResult
    from ..model.momentum import MomentumScene
    from .lab_view import LabView
    from .landscape_view import LandscapeView
    from .momentum_view import MomentumView
    from ..model.results import SceneResult
    from ..model.session import Session

FLOW_TAB, LAB_TAB, PLANE_TAB, MOMENTUM_TAB = 0, 1, 2, 3
# Views the command line and File > Export can name: whole tabs, or one canvas of the lab.
TAB_VIEWS = {"flow": FLOW_TAB, "lab": LAB_TAB, "2d": PLANE_TAB, "momentum": MOMENTUM_TAB}
TAB_NAMES = {index: name for name, index in TAB_VIEWS.items()}
OWN_CLOCK_TABS = (PLANE_TAB, MOMENTUM_TAB)   # tabs with their own controls, clock and animation bar
CANVAS_VIEWS = ("compare", "error", "cobweb", "bifurcation")
VIEWS = tuple(TAB_VIEWS) + CANVAS_VIEWS

SETTINGS_ORG = "gdviz"
SETTINGS_APP = "gdviz"
DEFAULT_SIZE = QSize(1500, 940)
BUSY_AFTER_MS = 200          # show "computing…" only when a result is noticeably late
EXPORT_WAIT_MS = 60_000
FIRST_REQUEST_LATEST_MS = 400   # if the window has not painted by then, compute anyway

HINT = ("Click a plot to set x₀ (or drag the dashed x₀ line). Drag h and watch the iterates. "
        "Space plays the animation, ←/→ step, Home resets.")


@contextmanager
def quiet_size_hint_warning() -> Iterator[None]:
    """Qt's offscreen platform warns "does not support propagateSizeHints()" when a window with a
    minimum size is shown; harmless, but it would land on the command line's stderr. Only that one
    message is dropped; everything else goes to the previous handler (or stderr)."""
    def handler(mode, context, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)
    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def default_scene() -> Scene:
    """The scene a new window (or File > New) shows: the article's default preset."""
    preset = preset_by_name(DEFAULT_PRESET)
    return preset.scene if preset is not None else Scene()


def preset_by_name(name: str):
    for p in presets():
        if p.name == name:
            return p
    return None


class MainWindow(QMainWindow):
    """gdviz's window. The command line and tests use: `scene`, `set_scene`, `current_result`,
    `result_shown`, `export_png`."""

    result_shown = Signal(object)      # a SceneResult, after it is drawn on every canvas
    lab_shown = Signal(object)         # a LabResult, after the lab's compare and error plots drew it
    orbits_shown = Signal(object)      # an OrbitResult, after the bifurcation diagram drew it
    plane_shown = Signal(object)       # a Result2D, after the 2-D tab drew it
    basins_shown = Signal(object)      # a Basins map, after the 2-D tab drew it
    momentum_shown = Signal(object)    # a MomentumResult, after the momentum tab drew it
    error_shown = Signal(object)       # a ComputeError, after it is shown next to the field
    scene_changed = Signal(object)     # the new Scene, whenever an edit (or set_scene) changes it
    state_changed = Signal()           # after any edit, undo or redo of any tab's scene (sessions listen)

    def __init__(self, scene: Scene | None = None, client: ComputeClient | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if scene is None:
            scene = default_scene()
        self._scene = scene
        self._document = ("", False)          # the session file's name and its unsaved-changes mark
        self._current_result: SceneResult | None = None
        self._last_error: ComputeError | None = None
        self._to_end = True
        self._closed = False
        self.setFont(style.font(STYLE.ui_pt))

        self.client = client if client is not None else ComputeClient(self)
        self.client.result_ready.connect(self._on_result)
        self.client.failed.connect(self._on_failed)
        self.client.busy_changed.connect(self._on_busy)
        # The lab's jobs run on threads of their own: a long bifurcation sweep never delays the flow.
        self.lab_client = ComputeClient(self, job="lab:evaluate_lab", name="gdviz-lab")
        self.orbit_client = ComputeClient(self, job="lab:evaluate_orbits", with_progress=True,
                                          name="gdviz-orbits")
        self._lab_result: LabResult | None = None
        self._orbit_result: OrbitResult | None = None
        self._lab_requested: Scene | None = None
        self._orbit_requested: tuple | None = None
        self.landscape_client = ComputeClient(self, job="results2d:evaluate_2d", name="gdviz-2d")
        self._scene2d = Scene2D()
        self._scene2d_requested: Scene2D | None = None
        self.basins_client = ComputeClient(self, job="results2d:evaluate_basins", with_progress=True,
                                           name="gdviz-basins")
        self._basins_requested: tuple | None = None
        self._basins_result = None
        self._presets2d_loaded = False
        self._last_error_2d: ComputeError | None = None
        self.momentum_client = ComputeClient(self, job="momentum:evaluate_momentum", name="gdviz-momentum")
        self._momentum_scene: MomentumScene | None = None      # the default is made with the tab
        self._momentum_requested: MomentumScene | None = None
        # One undo history for the window: every tab's scene together, so Ctrl+Z undoes the last
        # edit wherever it was made.
        self._history = SceneHistory(self.state())
        self.clock = AnimationClock(self)
        self.clock.index_changed.connect(self._on_index)
        self.clock.playing_changed.connect(self._on_playing)

        self._build_widgets()
        self._build_actions()
        self._build_menus()
        from .documents import Documents
        self.documents = Documents(self)
        self._connect()
        self._restore_settings()
        # Each of these owns its actions, menus and toolbar buttons (and is idempotent).
        from .exports import install_exports
        from .lesson_panel import install_lesson
        from .presentation import install_presentation
        install_exports(self)
        install_lesson(self)          # after the settings: a lesson left open comes back at its step
        install_presentation(self)    # last: the theme it restores reaches every widget above
        self._show_scene(scene, sync_editor=True)
        # The first computation starts after the first paint: the worker's first job imports sympy,
        # and on a small machine that competes with drawing the window for the interpreter.
        self._first_request_pending = True
        QTimer.singleShot(0, self._first_request_if_hidden)
        QTimer.singleShot(FIRST_REQUEST_LATEST_MS, self._first_request_now)
        self.function_canvas.setFocus()

    # ---------------------------------------------------------------------------------------------
    # construction
    def _build_widgets(self) -> None:
        self.editor = EquationEditor()
        self.panel = ParameterPanel()
        self.function_canvas = FunctionCanvas()
        self.phase_canvas = PhaseLineCanvas()
        self.time_canvas = TimeCanvas()
        self.phase_canvas.setXLink(self.function_canvas)   # one x, two pictures of it
        self._axis_groups = (LeftAxisGroup(self.function_canvas, self.phase_canvas),
                             LeftAxisGroup(self.time_canvas))
        self.canvases = (self.function_canvas, self.phase_canvas, self.time_canvas)
        for c in self.canvases:
            c.setMinimumSize(220, 160)

        self.scene_note = QLabel()
        self.scene_note.setWordWrap(True)
        self.scene_note.setTextFormat(Qt.TextFormat.RichText)
        self.scene_note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.scene_note.setStyleSheet("QLabel { color: #333; }")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(self.panel)
        left_layout.addWidget(self.scene_note)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumWidth(260)
        self.left_scroll = scroll

        sp = QStyle.StandardPixmap
        icon = self.style().standardIcon
        self._play_icon, self._pause_icon = icon(sp.SP_MediaPlay), icon(sp.SP_MediaPause)
        self.act_reset = QAction(icon(sp.SP_MediaSkipBackward), "", self)
        self.act_back = QAction(icon(sp.SP_MediaSeekBackward), "", self)
        self.act_play = QAction(self._play_icon, "", self)
        self.act_forward = QAction(icon(sp.SP_MediaSeekForward), "", self)
        self.act_end = QAction(icon(sp.SP_MediaSkipForward), "", self)
        self.animation_bar = AnimationBar(self.clock, [self.act_reset, self.act_back, self.act_play,
                                                       self.act_forward, self.act_end])

        flow = QWidget()
        grid = QGridLayout(flow)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setSpacing(6)
        grid.addWidget(self.function_canvas, 0, 0)
        grid.addWidget(self.phase_canvas, 1, 0)
        grid.addWidget(self.time_canvas, 0, 1, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(flow, "Flow: F, phase line, x(t)")
        # The other tabs are built the first time they are shown (or exported): together they cost
        # about 0.4 s of start-up, which the first picture should not wait for.
        self._hosts = {}
        self._lab_view: LabView | None = None
        self._landscape_view: LandscapeView | None = None
        self._momentum_view: MomentumView | None = None
        for index, title in ((LAB_TAB, "Step size: compare h, error order, cobweb, bifurcation"),
                             (PLANE_TAB, "2-D: optimizers on F(x, y)"),
                             (MOMENTUM_TAB, "Momentum: Newton's second law")):
            host = QWidget()
            host_layout = QVBoxLayout(host)
            host_layout.setContentsMargins(0, 0, 0, 0)
            self._hosts[index] = host
            self.tabs.addTab(host, title)
        self.tabs.setTabToolTip(PLANE_TAB, "Gradient descent, momentum, Nesterov, Adagrad, RMSprop and Adam "
                                           "side by side on a landscape you type")
        self.tabs.setTabToolTip(MOMENTUM_TAB, "Heavy-ball momentum is x'' + γx' = −F'(x) discretised: its iterates "
                                              "in the phase plane (x, v), and the pendulum")
        self.tabs.setTabToolTip(LAB_TAB, "What the learning rate h does: several h at once, the error's order, "
                                         "Euler's map as a cobweb, and period doubling over h")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(2)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.animation_bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 1200])
        self.splitter.setChildrenCollapsible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.editor)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.table = IteratesTable()
        self.table_dock = QDockWidget("Iterates", self)
        self.table_dock.setObjectName("iterates-dock")
        self.table_dock.setWidget(self.table)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.table_dock)
        self.table_dock.hide()
        self.resizeDocks([self.table_dock], [430], Qt.Orientation.Horizontal)

        self.status_label = QLabel()
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(self.status_label, 1)
        self._status: tuple[str, bool] = ("", False)
        self._passing_error = False
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(lambda: self.show_status(""))
        self.busy_label = QLabel("computing…")
        self.busy_label.hide()
        self.statusBar().addPermanentWidget(self.busy_label)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self.busy_label.show)

    def _action(self, text: str, slot, shortcut=None, tip: str = "", checkable: bool = False,
                action: QAction | None = None) -> QAction:
        a = action if action is not None else QAction(self)
        a.setText(text)
        if shortcut is not None:
            a.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        a.setCheckable(checkable)
        (a.toggled if checkable else a.triggered).connect(slot)
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        A = self._action
        # The keys drive the clock of the tab on screen (the 2-D tab has a clock of its own).
        A("Back to x₀", lambda: self.active_clock().reset(), Qt.Key.Key_Home, "Back to x₀ (Home)",
          action=self.act_reset)
        A("Step back", lambda: self.active_clock().step(-1), Qt.Key.Key_Left, "Step back (←)",
          action=self.act_back)
        A("Play / pause", lambda: self.active_clock().toggle(), Qt.Key.Key_Space, "Play / pause (Space)",
          action=self.act_play)
        A("Step forward", lambda: self.active_clock().step(1), Qt.Key.Key_Right, "Step forward (→)",
          action=self.act_forward)
        A("Last iterate", lambda: self.active_clock().seek(self.active_clock().last), Qt.Key.Key_End,
          "To the last iterate (End)", action=self.act_end)
        # The export dialog and its controller are gdviz.ui.exports (installed below, as _exports).
        self.act_export_png = A("&Export…", lambda: self._exports.open_dialog(), "Ctrl+E")
        self.act_export_csv = A("Export iterates as &CSV…", self._export_csv_dialog, "Ctrl+Shift+E",
                                "Save n, tₙ, xₙ, F(xₙ), f(xₙ) as CSV")
        self.act_quit = A("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_undo = A("&Undo", self.undo, QKeySequence.StandardKey.Undo)
        self.act_redo = A("&Redo", self.redo, [QKeySequence(QKeySequence.StandardKey.Redo),
                                                QKeySequence("Ctrl+Shift+Z")])
        self.act_focus_equation = A("Edit the &equation", self._focus_equation, "Ctrl+L")
        self.act_table = self.table_dock.toggleViewAction()
        self.act_table.setText("Iterates &table")
        self.act_table.setShortcut(QKeySequence("Ctrl+T"))
        self.addAction(self.act_table)
        self.act_bundle = A("&Bundle of solutions", lambda on: self._edit("bundle", bundle=bool(on)), "Ctrl+B",
                            "Solutions and Euler iterates from a spread of starts", checkable=True)
        self.act_reset_zoom = A("Reset &zoom", self.reset_zoom, "Ctrl+0")
        self.act_fullscreen = A("&Full screen", self._toggle_fullscreen, QKeySequence.StandardKey.FullScreen)
        if QKeySequence("F11") not in self.act_fullscreen.shortcuts():
            self.act_fullscreen.setShortcuts(self.act_fullscreen.shortcuts() + [QKeySequence("F11")])
        self.act_flow_tab = A("&Flow: F, phase line, x(t)", lambda: self.show_view("flow"), "Alt+1")
        self.act_lab_tab = A("&Step-size lab", lambda: self.show_view("lab"), "Alt+2",
                             "Several h at once, the error's order, the cobweb and the bifurcation diagram")
        self.act_cancel_sweep = A("&Cancel the bifurcation sweep", self.cancel_sweep, None,
                                  "Stop the running sweep; the previous diagram stays")
        self.act_about = A("&About gdviz", self._about)
        self.preset_actions: dict[str, QAction] = {}
        for i, p in enumerate(presets()):
            a = A(p.title, lambda _=False, name=p.name: self.load_preset(name),
                  f"Ctrl+{i + 1}" if i < 9 else None, p.explanation)
            self.preset_actions[p.name] = a

    def _build_menus(self) -> None:
        bar = self.menuBar()
        # Kept as attributes: the export, presentation and lesson modules add their own actions.
        self.file_menu = file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_export_png, self.act_export_csv])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        self.edit_menu = edit = bar.addMenu("&Edit")
        edit.addActions([self.act_undo, self.act_redo])
        edit.addSeparator()
        edit.addAction(self.act_focus_equation)
        self.view_menu = view = bar.addMenu("&View")
        view.addActions([self.act_flow_tab, self.act_lab_tab])
        view.addSeparator()
        view.addActions([self.act_table, self.act_bundle, self.act_reset_zoom, self.act_cancel_sweep])
        view.addSeparator()
        view.addAction(self.act_fullscreen)
        anim = bar.addMenu("&Animation")
        anim.addActions([self.act_play, self.act_back, self.act_forward, self.act_reset, self.act_end])
        presets_menu = bar.addMenu("&Presets")
        presets_menu.setToolTipsVisible(True)
        presets_menu.addActions(list(self.preset_actions.values()))
        self.help_menu = help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_about)
        # One toolbar for what a teacher reaches for in front of a class (open, save, export,
        # presentation mode, the lesson); the modules that own those actions add them here.
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    def _connect(self) -> None:
        self.editor.text_committed.connect(self._on_editor_text)
        self.editor.kind_changed.connect(lambda k: self._edit("kind", kind=k, preset=""))
        self.editor.direction_changed.connect(lambda d: self._edit("direction", direction=d, preset=""))
        self.editor.field.installEventFilter(self)
        self.panel.changed.connect(lambda d: self._edit(next(iter(d)), sync_panel=False, **d))
        self.panel.range_invalid.connect(lambda m: self.show_status(m, 4000))
        for c in (self.function_canvas, self.phase_canvas):
            c.x_picked.connect(lambda x: self._edit("x0", x0=x))
            c.x0_dragged.connect(lambda x: self._edit("x0", x0=x))
        self.table.csv_requested.connect(self._export_csv_dialog)
        self.tabs.currentChanged.connect(self._on_tab)
        self.lab_client.result_ready.connect(self._on_lab)
        self.lab_client.failed.connect(self._on_lab_failed)
        self.orbit_client.result_ready.connect(self._on_orbits)
        self.orbit_client.failed.connect(self._on_orbits_failed)
        self.landscape_client.result_ready.connect(self._on_2d)
        self.landscape_client.failed.connect(self._on_2d_failed)
        self.basins_client.result_ready.connect(self._on_basins)
        self.basins_client.failed.connect(lambda err: None if self._closed else
                                          self.show_status(f"Basins: {err.message}", 8000, error=True))
        self.momentum_client.result_ready.connect(self._on_momentum)
        self.momentum_client.failed.connect(lambda err: None if self._closed or self._momentum_view is None
                                            else self._momentum_view.show_error(err.message))

    # ------------------------------------------------------------------ tabs built on first use
    def _host(self, index: int, view: QWidget) -> None:
        self._hosts[index].layout().addWidget(view)

    @property
    def lab_view(self) -> "LabView":
        if self._lab_view is None:
            from .lab_view import LabView
            lab = self._lab_view = LabView()
            self._host(LAB_TAB, lab)
            lab.set_scene(self._scene)
            lab.changed.connect(lambda d: self._edit(next(iter(d)), **d))
            lab.invalid.connect(lambda m: self.show_status(m, 5000, error=True))
            lab.h_picked.connect(lambda h: self._edit("h", h=float(f"{h:.4g}")) if h > 0 else None)
            lab.x_picked.connect(lambda x: self._edit("x0", x0=x))
            lab.cancel_requested.connect(self.cancel_sweep)
            self.orbit_client.busy_changed.connect(lab.sweep.set_busy)
            self.orbit_client.progress.connect(lab.sweep.set_fraction)
        return self._lab_view

    @property
    def landscape_view(self) -> "LandscapeView":
        if self._landscape_view is None:
            from .landscape_view import LandscapeView
            plane = self._landscape_view = LandscapeView([])
            self._host(PLANE_TAB, plane)
            plane.set_scene(self._scene2d)
            plane.changed.connect(self._edit_2d)
            plane.preset_chosen.connect(self.load_preset_2d)
            plane.contour.start_added.connect(self._add_start)
            plane.contour.start_moved.connect(self._move_start)
            plane.contour.start_removed.connect(self._remove_start)
            plane.clock.playing_changed.connect(self._on_playing)
            plane.cancel_requested.connect(self.cancel_basins)
            self.basins_client.busy_changed.connect(plane.sweep.set_busy)
            self.basins_client.progress.connect(plane.sweep.set_fraction)
        return self._landscape_view

    @property
    def momentum_view(self) -> "MomentumView":
        if self._momentum_view is None:
            from ..model.momentum import MomentumScene
            from .momentum_view import MomentumView
            if self._momentum_scene is None:
                self._momentum_scene = MomentumScene()
            mv = self._momentum_view = MomentumView()
            self._host(MOMENTUM_TAB, mv)
            mv.set_scene(self._momentum_scene)
            mv.changed.connect(self._edit_momentum)
            mv.preset_chosen.connect(self.load_momentum_preset)
            mv.clock.playing_changed.connect(self._on_playing)
        return self._momentum_view

    # ---------------------------------------------------------------------------------------------
    # the scene
    @property
    def scene(self) -> Scene:
        return self._scene

    @property
    def current_result(self) -> "SceneResult | None":
        return self._current_result

    @property
    def last_error(self) -> ComputeError | None:
        """The error shown next to the equation field (None when the current text is fine)."""
        return self._last_error

    def set_scene(self, scene: Scene) -> None:
        """Show `scene` everywhere and compute it (an undoable step)."""
        self._to_end = True
        self._apply(scene, sync_editor=True)
        self._record()

    def state(self) -> "WindowState":
        """Every tab's scene: what undo/redo restores and a session file saves."""
        return WindowState(self._scene, self._scene2d, self._momentum_scene)

    def _record(self, group: str | None = None) -> None:
        """The current state becomes an undo step (edits of one group in quick succession merge)."""
        self._history.push(self.state(), group)
        self.state_changed.emit()

    def session(self) -> "Session":
        """The window as a session file holds it: every tab's scene, the tab on screen and whether
        the iterates table is open. An equation that does not compute is saved as the last one
        that did, because the reader refuses equations that do not parse (see `unsaved_drafts`)."""
        from ..model.session import Session
        scene, plane, momentum = self.savable_state()
        view = {"tab": TAB_NAMES[self.tabs.currentIndex()], "table": self.table_dock.isVisible()}
        return Session(scene, view, plane, momentum)

    def savable_state(self) -> "WindowState":
        """The state as a save writes it (equations that do not compute replaced, see `session`)."""
        scene, plane, momentum = self.state()
        r = self._current_result
        if self._last_error is not None and r is not None and r.scene.text != scene.text:
            scene = scene.with_(text=r.scene.text, kind=r.scene.kind, params=r.scene.params)
        r2 = self._landscape_view.result if self._landscape_view is not None else None
        if self._last_error_2d is not None and r2 is not None and r2.scene.text != plane.text:
            plane = plane.with_(text=r2.scene.text, params=r2.scene.params)
        rm = self._momentum_view.result if self._momentum_view is not None else None
        if momentum is not None and rm is not None and rm.scene.text != momentum.text \
                and not self.momentum_client.busy:      # idle with an older result: the newest failed
            momentum = momentum.with_(text=rm.scene.text, params=rm.scene.params)
        return WindowState(scene, plane, momentum)

    def unsaved_drafts(self) -> list[str]:
        """Equations in the fields that a save replaces by the last one that computed."""
        return [new.text for new, old in zip(self.savable_state(), self.state())
                if new is not None and new.text != old.text]

    def apply_session(self, session: "Session") -> None:
        """Show a session on every tab and open its tab (one undo step). Hidden tabs that were
        never built stay unbuilt: they take their scene when first shown."""
        self.active_clock().pause()
        self._to_end = True
        self._apply(session.scene, sync_editor=True)
        self._show_scene2d(session.plane if session.plane is not None else Scene2D(), force=False)
        if self._momentum_view is not None:
            from ..model.momentum import MomentumScene
            self._show_momentum_scene(session.momentum if session.momentum is not None else MomentumScene())
        else:
            self._momentum_scene = session.momentum
        tab = session.view.get("tab", "flow")
        self.show_view(tab if tab in TAB_VIEWS else "flow")
        if isinstance(session.view.get("table"), bool):
            self.table_dock.setVisible(session.view["table"])
        self._record()

    def restore_state(self, state: "WindowState") -> None:
        """Show `state` on every tab (without a new undo step)."""
        if state.scene != self._scene:
            self._to_end = True
            self._apply(state.scene, sync_editor=True)
        if state.plane != self._scene2d:
            self._show_scene2d(state.plane, force=False)
        if state.momentum != self._momentum_scene:
            if state.momentum is None and self._momentum_view is None:
                self._momentum_scene = None
            else:
                from ..model.momentum import MomentumScene
                self._show_momentum_scene(state.momentum or MomentumScene())
        self.state_changed.emit()

    def load_preset(self, name: str) -> None:
        p = preset_by_name(name)
        if p is not None:
            self.set_scene(p.scene)

    def undo(self) -> None:
        state = self._history.undo()
        if state is not None:
            self.restore_state(state)

    def redo(self) -> None:
        state = self._history.redo()
        if state is not None:
            self.restore_state(state)

    def _edit(self, group: str, sync_panel: bool = True, **changes) -> None:
        """A user edit of some Scene fields: build the new Scene, record it, compute it."""
        if group == "x0" and "x0" in changes:
            changes["x0"] = float(f"{changes['x0']:.4g}")   # a click is not that precise
        try:
            scene = self._scene.with_(**changes)
        except (ValueError, TypeError) as exc:
            self.show_status(str(exc), 5000)
            return
        if scene == self._scene:
            return
        self._apply(scene, sync_editor=False, sync_panel=sync_panel)
        self._record(group)

    def _apply(self, scene: Scene, sync_editor: bool, sync_panel: bool = True) -> None:
        self._scene = scene
        self._show_scene(scene, sync_editor=sync_editor, sync_panel=sync_panel)
        self._request()
        self.scene_changed.emit(scene)

    def _request(self) -> None:
        self._first_request_pending = False
        if not self._closed:
            self.client.request(self._scene)
            self._request_lab()

    def _request_lab(self, force: bool = False) -> None:
        """The lab computes only while it is on screen (or being exported); the diagram only when
        what it depends on changed (dragging h moves its line, it does not recompute it)."""
        if self._closed or not (force or self.tabs.currentIndex() == LAB_TAB):
            return
        scene = self._scene
        if scene != self._lab_requested:
            self._lab_requested = scene
            self.lab_client.request(scene)
        if scene.orbit_key() != self._orbit_requested:
            self._orbit_requested = scene.orbit_key()
            self.orbit_client.request(scene)

    def active_clock(self) -> AnimationClock:
        index = self.tabs.currentIndex()
        if index == PLANE_TAB:
            return self.landscape_view.clock
        if index == MOMENTUM_TAB:
            return self.momentum_view.clock
        return self.clock

    # ------------------------------------------------------------------------- the momentum tab
    @property
    def momentum_scene(self) -> "MomentumScene":
        self.momentum_view                          # builds the tab and its default scene
        return self._momentum_scene

    def set_momentum_scene(self, scene: MomentumScene) -> None:
        """Show `scene` on the momentum tab and compute it (an undoable step)."""
        self._show_momentum_scene(scene)
        self._record()

    def _show_momentum_scene(self, scene: MomentumScene) -> None:
        self._momentum_scene = scene
        self.momentum_view.set_scene(scene)
        self._request_momentum(force=True)

    def load_momentum_preset(self, name: str) -> None:
        from ..model.momentum import momentum_preset
        self.set_momentum_scene(momentum_preset(name).scene)

    def _edited(self, scene, changes: dict, view):
        """A tab's edit applied to its scene: the new scene, or None when nothing changed. Numbers
        the scene refuses are reported in the status bar and the view shows the old scene again."""
        try:
            new = scene.with_(**changes)
        except (ValueError, TypeError) as exc:
            self.show_status(str(exc), 5000, error=True)
            view.set_scene(scene)
            return None
        if new == scene:
            return None
        view.set_scene(new)
        return new

    def _edit_momentum(self, changes: dict) -> None:
        scene = self._edited(self._momentum_scene, changes, self.momentum_view)
        if scene is not None:
            self._momentum_scene = scene
            self._request_momentum()
            self._record("momentum:" + next(iter(changes)))

    def _request_momentum(self, force: bool = False) -> None:
        if self._closed or not (force or self.tabs.currentIndex() == MOMENTUM_TAB):
            return
        self.momentum_view                          # builds the tab and its default scene
        if self._momentum_scene != self._momentum_requested:
            self._momentum_requested = self._momentum_scene
            self.momentum_client.request(self._momentum_scene)

    def _on_momentum(self, r) -> None:
        if not self._closed:
            self.momentum_view.show_result(r)
            self.momentum_shown.emit(r)

    def wait_for_momentum(self, timeout_ms: int = EXPORT_WAIT_MS) -> bool:
        self._request_momentum(force=True)
        self._wait_idle((self.momentum_client,), timeout_ms)
        return self.momentum_view.result is not None

    # ------------------------------------------------------------------------------ the 2-D tab
    @property
    def scene2d(self) -> Scene2D:
        return self._scene2d

    def set_scene2d(self, scene: Scene2D) -> None:
        """Show `scene` on the 2-D tab and compute it (an undoable step)."""
        self._show_scene2d(scene)
        self._record()

    def _show_scene2d(self, scene: Scene2D, force: bool = True) -> None:
        """`force`: build the tab and compute now, even if the tab is hidden."""
        self._scene2d = scene
        if force or self._landscape_view is not None:
            self.landscape_view.set_scene(scene)
        if self.tabs.currentIndex() == PLANE_TAB:
            self.editor.set_plane(scene.text, enabled=scene.data_seed is None)
        self._request_2d(force=force)

    def _request_2d(self, force: bool = False) -> None:
        if self._closed or not (force or self.tabs.currentIndex() == PLANE_TAB):
            return
        if self._scene2d != self._scene2d_requested:
            self._scene2d_requested = self._scene2d
            self.landscape_client.request(self._scene2d)
        key = self._scene2d.basin_key()
        if self._scene2d.basins and key != self._basins_requested:
            self._basins_requested = key
            self.basins_client.request(self._scene2d)

    def cancel_basins(self) -> None:
        if self.basins_client.busy:
            self.basins_client.cancel()
            self._basins_requested = None
            self.show_status("Basins cancelled; the picture stays", 5000)

    def _on_basins(self, basins) -> None:
        if not self._closed:
            self._basins_result = basins
            self.landscape_view.contour.show_basins(basins)
            self.basins_shown.emit(basins)

    def _edit_2d(self, changes: dict) -> None:
        scene = self._edited(self._scene2d, changes, self.landscape_view)
        if scene is not None:
            self._scene2d = scene
            if self.tabs.currentIndex() == PLANE_TAB and "text" not in changes:
                self.editor.set_plane(scene.text, enabled=scene.data_seed is None)
            self._request_2d()
            self._record("2d:" + next(iter(changes)))

    def _add_start(self, x: float, y: float) -> None:
        if len(self._scene2d.starts) >= MAX_STARTS:
            self.show_status(f"At most {MAX_STARTS} starting points", 4000)
            return
        self._edit_2d({"starts": self._scene2d.starts + ((x, y),)})

    def _move_start(self, i: int, x: float, y: float) -> None:
        starts = list(self._scene2d.starts)
        if 0 <= i < len(starts):
            starts[i] = (float(f"{x:.4g}"), float(f"{y:.4g}"))
            self._edit_2d({"starts": tuple(starts)})

    def _remove_start(self, i: int) -> None:
        starts = list(self._scene2d.starts)
        if len(starts) > 1 and 0 <= i < len(starts):
            del starts[i]
            self._edit_2d({"starts": tuple(starts)})
        elif len(starts) == 1:
            self.show_status("Keep at least one starting point", 4000)

    def load_preset_2d(self, name: str) -> None:
        from ..model.landscape import landscape_preset
        self.set_scene2d(landscape_preset(name).scene2d())

    def _load_presets_2d(self) -> None:
        if self._presets2d_loaded:
            return
        self._presets2d_loaded = True
        try:
            from ..model.landscape import landscape_presets
            for p in landscape_presets():
                self.landscape_view.presets.addItem(p.title, p.name)
        except ValueError as exc:
            self.show_status(f"2-D presets: {exc}", 6000, error=True)

    def _on_editor_text(self, text: str) -> None:
        """One equation editor for the window: F(x) on the 1-D tabs, F(x, y) on the 2-D tab."""
        if self.tabs.currentIndex() == PLANE_TAB:
            self._edit_2d({"text": text.strip(), "preset": ""})
        else:
            self._edit("text", text=text, preset="")

    def _sync_editor(self) -> None:
        """Show the equation, error and summary of the tab on screen in the shared editor."""
        if self.tabs.currentIndex() == PLANE_TAB:
            self.editor.set_plane(self._scene2d.text, enabled=self._scene2d.data_seed is None)
            err, r = self._last_error_2d, self.landscape_view.result
            summary = f"{r.label}   ⇒   {r.gradient_label}" if r is not None else ""
        else:
            self.editor.set_scene(self._scene)
            err, r = self._last_error, self._current_result
            summary = r.summary if r is not None else ""
        if err is not None:
            self.editor.show_error(err.message, err.column, err.scene.text)
        else:
            self.editor.clear_error()
        self.editor.show_summary(summary)

    def _on_2d(self, r) -> None:
        if self._closed:
            return
        self._last_error_2d = None
        self.landscape_view.show_result(r)
        if self.tabs.currentIndex() == PLANE_TAB:
            self._sync_editor()
        self.plane_shown.emit(r)

    def _on_2d_failed(self, err: ComputeError) -> None:
        if self._closed:
            return
        self._last_error_2d = err
        if self.tabs.currentIndex() == PLANE_TAB:
            self.editor.show_error(err.message, err.column, err.scene.text)
            self.show_status(f"Cannot use this landscape: {err.message}", 8000, error=True)

    def _on_tab(self, index: int) -> None:
        plane = index == PLANE_TAB
        own = index in OWN_CLOCK_TABS
        for w in (self.left_scroll, self.animation_bar):
            w.setVisible(not own)
        self.editor.setVisible(index != MOMENTUM_TAB)     # the momentum tab types its F(x) itself
        if self._current_result is not None or self._last_error is not None or plane:
            self._sync_editor()
        self.status_label.setText("" if own else self._status[0])
        if index == MOMENTUM_TAB:
            self.momentum_view.set_scene(self._momentum_scene)
            self._request_momentum()
        if plane:
            self._load_presets_2d()
            self.landscape_view.set_scene(self._scene2d)
            self._request_2d()
        if index == LAB_TAB:
            if self._current_result is not None:
                self.lab_view.show_flow(self._current_result, self.clock.index)
            if not self._first_request_pending:
                self._request_lab()

    def cancel_sweep(self) -> None:
        """Stop the running bifurcation sweep; the previous diagram stays."""
        if self.orbit_client.busy:
            self.orbit_client.cancel()
            self._orbit_requested = None          # the next change (or Compute) asks again
            self.show_status("Sweep cancelled; the previous diagram stays", 5000)

    def _first_request_if_hidden(self) -> None:
        if self._first_request_pending and not self.isVisible():
            self._request()                       # nothing will be painted: compute now (command line)

    def _first_request_now(self) -> None:
        if self._first_request_pending:
            self._request()

    def paintEvent(self, ev) -> None:
        super().paintEvent(ev)
        if self._first_request_pending:
            self._first_request_pending = False
            QTimer.singleShot(0, self._request)   # after this paint pass has reached the screen

    def _show_scene(self, scene: Scene, sync_editor: bool, sync_panel: bool = True) -> None:
        """Put the scene's values into the widgets (no signals); title and scene note."""
        if self.tabs.currentIndex() == PLANE_TAB:
            pass                                      # the editor shows F(x, y) there
        elif sync_editor:
            self.editor.set_scene(scene)
        else:
            self.editor.set_scene(scene, keep_text=True)
        if sync_panel:
            self.panel.set_scene(scene)
        else:
            self.panel.x0.setSliderRange(*scene.x_range)
        if self._lab_view is not None:
            self._lab_view.set_scene(scene)
        self.act_bundle.blockSignals(True)
        self.act_bundle.setChecked(scene.bundle)
        self.act_bundle.blockSignals(False)
        for c in (self.function_canvas, self.phase_canvas):
            c.set_x0(scene.x0)
        p = preset_by_name(scene.preset) if scene.preset else None
        self._update_title()
        if p is not None:
            self.scene_note.setText(f"<b>{html.escape(p.title, quote=False)}</b><br>{html.escape(p.explanation, quote=False)}<br><br>"
                                    f'<span style="color:{style.MUTED}">{HINT}</span>')
        else:
            self.scene_note.setText(f'<span style="color:{style.MUTED}">{HINT}</span>')

    # ---------------------------------------------------------------------------------------------
    # results
    def _on_result(self, r: "SceneResult") -> None:
        if self._closed:
            return
        names = tuple(r.parameters)
        values = self._scene.param_dict
        wanted = {n: values.get(n, PARAM_DEFAULT) for n in names}
        if wanted != values:
            # The worker found the equation's parameters: keep exactly those. A new one starts at
            # PARAM_DEFAULT, the value evaluate() already used for it, so this result stays valid.
            self._scene = self._scene.with_(params=wanted)
            self._history.replace(self.state())
        self._current_result = r
        self._last_error = None
        if self.tabs.currentIndex() != PLANE_TAB:     # on the 2-D tab the editor holds F(x, y)
            self.editor.clear_error()
            self.editor.show_summary(r.summary)
        self.panel.set_parameters(names, wanted)
        self.panel.set_regime(regime_sentence(r), style.REGIME_COLOURS.get(str(getattr(r.regime, "value", r.regime))))
        a = r.attractor
        self.panel.set_stability(a.x if a else math.nan, a.h_monotone if a else math.nan,
                                 a.h_stable if a else math.nan)
        self.clock.set_last(r.steps, to_end=self._to_end, emit=False)
        self._to_end = False
        n = self.clock.index
        for c in self.canvases:
            c.show_result(r, n)
        if self.tabs.currentIndex() == LAB_TAB:
            self.lab_view.show_flow(r, n)
        self.table.set_result(r)
        self._show_index_readout(n)
        self._status = (status_message(r), r.diverged_at >= 0)
        if not (self._status_timer.isActive() and not self._passing_error) and \
                self.tabs.currentIndex() not in OWN_CLOCK_TABS:
            self.show_status("")      # a passing note ("Saved …", "Sweep cancelled") keeps its time
        self.result_shown.emit(r)

    def _on_lab(self, lab: "LabResult") -> None:
        if self._closed:
            return
        self._lab_result = lab
        self.lab_view.show_lab(lab, self.clock.index)
        self.lab_shown.emit(lab)

    def _on_lab_failed(self, err: ComputeError) -> None:
        if not self._closed and self._last_error is None:    # a bad equation is reported by the flow
            self.lab_view.error_canvas.set_message(err.message)
            self.show_status(f"Step-size lab: {err.message}", 8000, error=True)

    def _on_orbits(self, orbits: "OrbitResult") -> None:
        if self._closed:
            return
        self._orbit_result = orbits
        self.lab_view.show_orbits(orbits)
        self.orbits_shown.emit(orbits)

    def _on_orbits_failed(self, err: ComputeError) -> None:
        if not self._closed:
            self._orbit_requested = None
            if self._last_error is None:
                self.lab_view.bifurcation_canvas.set_message(err.message)
                self.show_status(f"Bifurcation diagram: {err.message}", 8000, error=True)

    @property
    def lab_result(self) -> "LabResult | None":
        return self._lab_result

    @property
    def orbit_result(self) -> "OrbitResult | None":
        return self._orbit_result

    def _on_failed(self, err: ComputeError) -> None:
        if self._closed:
            return
        self._last_error = err
        if self.tabs.currentIndex() != PLANE_TAB:
            self.editor.show_error(err.message, err.column, err.scene.text)
            self.show_status(f"Cannot use this equation: {err.message}", 8000, error=True)
        self.error_shown.emit(err)

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_label.hide()

    def _on_index(self, n: int) -> None:
        if self._current_result is None:
            return
        for c in self.canvases:
            c.show_index(n)
        if self.tabs.currentIndex() == LAB_TAB:
            self.lab_view.show_index(n)
        self._show_index_readout(n)

    def _show_index_readout(self, n: int) -> None:
        r = self._current_result
        if r is None:
            return
        self.table.set_current(n)
        x = float(r.x[n]) if 0 <= n < len(r.x) else float("nan")
        t = float(r.t[n]) if 0 <= n < len(r.t) else float("nan")
        self.animation_bar.show_state(n, r.steps, t, x)

    def _on_playing(self, playing: bool) -> None:
        self.act_play.setIcon(self._pause_icon if playing else self._play_icon)
        self.act_play.setToolTip("Pause (Space)" if playing else "Play (Space)")

    def status_text(self) -> str:
        """What the status bar says about the current result (regime, divergence)."""
        return self._status[0]

    def show_status(self, text: str, timeout_ms: int = 0, error: bool = False) -> None:
        """A passing message for `timeout_ms`, then the result's line again; "" shows that line now.
        (QStatusBar.showMessage would paint over the permanent label instead of replacing it.)"""
        if text and timeout_ms:
            self._status_timer.start(timeout_ms)
            self._passing_error = error
        else:
            self._status_timer.stop()
            text, error = self._status
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {style.ERROR};" if error else "")

    def reset_zoom(self) -> None:
        for c in self.canvases:
            c.reset_zoom()
        if self._current_result is not None:
            for c in self.canvases:
                c.show_result(self._current_result, self.clock.index)

    # ---------------------------------------------------------------------------------------------
    # export
    def wait_for_result(self, timeout_ms: int = EXPORT_WAIT_MS) -> bool:
        """Run the event loop until the newest request is drawn (or failed). True if a result is shown."""
        if self._first_request_pending:
            self._request()                       # a window that is never shown computes now
        if self._current_result is not None and not self.client.busy and not self.editor.pending:
            return True
        loop = QEventLoop()
        done = lambda *_: loop.quit()   # noqa: E731
        self.result_shown.connect(done)
        self.error_shown.connect(done)
        QTimer.singleShot(timeout_ms, loop.quit)
        if self.client.busy or self._current_result is None:
            loop.exec()
        self.result_shown.disconnect(done)
        self.error_shown.disconnect(done)
        return self._current_result is not None

    def show_view(self, view: str) -> None:
        """Bring a view forward: "flow" or "lab" (the tabs), or one of the lab's canvases."""
        if view not in VIEWS:
            raise ValueError(f"no view named {view!r}; choose one of: {', '.join(VIEWS)}")
        self.tabs.setCurrentIndex(TAB_VIEWS.get(view, LAB_TAB))

    def wait_for_lab(self, timeout_ms: int = EXPORT_WAIT_MS) -> bool:
        """Compute the lab (even if its tab is hidden) and run the event loop until its results are
        drawn or failed. True if both the lab and the bifurcation diagram are shown."""
        if not self.wait_for_result(timeout_ms):
            return False
        self._request_lab(force=True)
        self._wait_idle((self.lab_client, self.orbit_client), timeout_ms)
        return self._lab_result is not None and self._orbit_result is not None

    @staticmethod
    def _wait_idle(clients: tuple[ComputeClient, ...], timeout_ms: int) -> None:
        """Run the event loop until none of `clients` is computing (their results are then drawn:
        a client delivers its result right after it reports idle), or until the timeout."""
        if not any(c.busy for c in clients):
            return
        loop = QEventLoop()

        def check(*_: object) -> None:
            if not any(c.busy for c in clients):
                loop.quit()
        for c in clients:
            c.busy_changed.connect(check)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        for c in clients:
            c.busy_changed.disconnect(check)

    def wait_for_2d(self, timeout_ms: int = EXPORT_WAIT_MS) -> bool:
        """Compute the 2-D tab's scene and run the event loop until it is drawn (or failed)."""
        self._request_2d(force=True)
        self._wait_idle((self.landscape_client,), timeout_ms)
        return self.landscape_view.result is not None

    def export_png(self, path: str, size: tuple[int, int] = (1600, 1000), view: str | None = None) -> None:
        """Render the window at `size` (pixels) into a PNG once the newest results are drawn,
        offscreen if the window is hidden (a visible one gets its size and state back). `view`
        picks a tab first, or names one lab canvas to render alone (for a slide). The export
        dialog's renderer (gdviz.ui.exports) does the work; it also makes 2x PNGs, SVGs and GIFs."""
        from .exports import export_png
        if view is not None:
            self.show_view(view)
        export_png(self, path, size, what=view if view in CANVAS_VIEWS else "window")

    def canvas_alone(self, view: str):
        """A fresh canvas of one lab view ("compare", "error", "cobweb", "bifurcation"), fed the
        window's current results: a slide of that plot alone, at any size."""
        kinds = {"compare": CompareCanvas, "error": ErrorCanvas, "cobweb": CobwebCanvas,
                 "bifurcation": BifurcationCanvas}
        canvas = kinds[view]()
        n = self.clock.index
        if view == "cobweb":
            canvas.show_result(self._current_result, n)
        elif view == "bifurcation":
            canvas.show_result(self._orbit_result)
        else:
            canvas.show_result(self._lab_result, n)
        return canvas

    def _export_csv_dialog(self) -> None:
        path = self.table.save_csv_dialog(self._current_result)
        if path:
            self.show_status(f"Saved {path}", 4000)

    def iterates_csv(self) -> str:
        return iterates_csv(self._current_result) if self._current_result is not None else ""

    # ---------------------------------------------------------------------------------------------
    # small behaviours
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if obj is self.editor.field and ev.type() == QEvent.Type.KeyPress and ev.key() == Qt.Key.Key_Escape:
            self.editor.commit()
            self.function_canvas.setFocus()   # so Space plays again
            return True
        return super().eventFilter(obj, ev)

    def _focus_equation(self) -> None:
        self.editor.field.setFocus()
        self.editor.field.selectAll()

    def _toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def _about(self) -> None:
        from .. import __version__
        QMessageBox.about(self, "About gdviz",
                          f"<h3>gdviz {__version__}</h3><p>Gradient ascent on F is Euler's method on the "
                          "gradient flow x' = F'(x); gradient descent is the same on x' = −F'(x).</p>"
                          "<p>Every view shows one face of that statement, at the same moment.</p>")

    # ---------------------------------------------------------------------------------------------
    # settings and closing
    def _settings(self) -> QSettings:
        return QSettings(SETTINGS_ORG, SETTINGS_APP)

    def _restore_settings(self) -> None:
        s = self._settings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(DEFAULT_SIZE)
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = s.value("window/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        try:
            speed = float(s.value("animation/speed", self.clock.speed))
        except (TypeError, ValueError):
            speed = self.clock.speed
        self.clock.set_speed(speed)
        self.animation_bar.set_speed(speed)

    def _save_settings(self) -> None:
        s = self._settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("animation/speed", self.clock.speed)

    def set_document(self, name: str, modified: bool) -> None:
        """The session file shown in the title ("" for none) and whether it has unsaved changes."""
        self._document = (name, modified)
        self._update_title()
        if not modified:
            self._history.seal()        # undo can always come back to what was saved

    def _update_title(self) -> None:
        scene = self._scene
        p = preset_by_name(scene.preset) if scene.preset else None
        name, modified = self._document
        # "[*]" is where Qt draws the unsaved-changes mark (an asterisk) when windowModified is set.
        self.setWindowTitle(f"{name}[*] — gdviz" if name else scene_title(scene, p.title if p else None) + "[*]")
        self.setWindowModified(modified)

    def closeEvent(self, ev) -> None:
        if not self._closed and self.documents.prompt_on_close and not self.documents.maybe_save():
            ev.ignore()                           # "Cancel": the window stays, with its work
            return
        self.shutdown()
        super().closeEvent(ev)

    def shutdown(self) -> None:
        """Stop the clock and the worker (cancelling a running computation); idempotent."""
        if self._closed:
            return
        self._closed = True
        self.clock.pause()
        self._busy_timer.stop()
        self.documents.close()
        if self.isVisible():
            self._save_settings()
        for view in (self._landscape_view, self._momentum_view):
            if view is not None:
                view.clock.pause()
        for client in (self.client, self.lab_client, self.orbit_client, self.landscape_client, self.basins_client,
                       self.momentum_client):
            client.shutdown()
