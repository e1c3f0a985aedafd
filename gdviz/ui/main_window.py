"""The window's frame: the shared equation editor, the tabs (one page each, see gdviz.ui.pages), the
column beside them and the bar below them that the page on screen brings, menus and toolbar from
declared actions, the status bar, settings, one undo history for every tab, and the document.

It holds no per-tab logic: it talks to pages through the Page interface (pages/base.py), and the
add-ons (documents, exports, lesson, presentation) join through its public API:
`board` (an ActionBoard of declared actions), `pages`, `current_page`, `show_view`, `show_status`, `record`, `state`,
`session`/`apply_session`, `tabs`, `splitter`, `side_column`, `wait_drawn` and `export_png`.
Nothing here imports sympy: the model is only imported by the workers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..model.views import CANVAS_VIEWS, TAB_VIEWS, tab_of
from . import style
from .actions import ActionBoard, ActionSpec, transport_specs
from .animation import AnimationClock
from .busy_label import BusyLabel
from .editor import EquationEditor
from .pages import PAGES, FlowPage, Page
from .plain import STATUS_LIMIT, one_line, plain_label, title_part
from .scene_history import SceneHistory, WindowState
from .style import STYLE
from .window_settings import restore_window, save_window

if TYPE_CHECKING:
    from ..model.scene import Scene
    from ..model.session import Session

EXPORT_WAIT_MS = 60_000
FIRST_REQUEST_LATEST_MS = 400   # if the window has not painted by then, compute anyway


class MainWindow(QMainWindow):
    """gdviz's window. `result_shown` is the flow page's `drawn` (the first picture's signal)."""

    state_changed = Signal()           # after any edit, undo or redo of any tab's scene (sessions listen)

    def __init__(self, scene: Scene | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = ("", False)          # the session file's name and its unsaved-changes mark
        self._closed = False
        self._started = False                 # the first computation waits for the first paint
        self._restoring = False
        from .presentation import apply_app_font
        apply_app_font()
        self.setFont(style.font(STYLE.ui_pt))
        self.editor = EquationEditor()
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.board = ActionBoard(self, self.toolbar)
        # Menus and toolbar are laid out once, when the window has declared all its actions.
        with self.board.batch():
            self.tabs = QTabWidget()                 # empty until the pages are built (no current page)
            self.tabs.setDocumentMode(True)
            self._transport = self._declare_frame_actions()

            self.pages: dict[str, Page] = {}
            self._hosts: dict[str, QWidget] = {}     # the tabs' empty holders, until their page is built
            self.addons: dict[str, Any] = {}
            for page_type in PAGES:
                page = (page_type(self, scene, list(self._transport.values())) if page_type is FlowPage
                        else page_type(self))
                page.setParent(self)
                self.pages[page.name] = page
            self.flow: FlowPage = self.pages["flow"]      # type: ignore[assignment]
            self.result_shown = self.flow.drawn
            self._history = SceneHistory(self.state())
            self._build_frame()
            for page in self.pages.values():
                page.attach_actions(self.board.add_all(page.actions()))
            for i, page in enumerate(self.pages.values()):
                self.board.add(ActionSpec(f"tab:{page.name}", f"&{i + 1} {page.title.split(':')[0]}",
                                            lambda n=page.name: self.show_view(n), "view", "tabs",
                                            (f"Alt+{i + 1}",), page.tooltip))
            self._connect()
            self._restore_settings()
            from .describe_panel import install_describe
            from .documents import Documents
            from .export_dialog import install_exports
            from .keyboard import install_keys
            from .lesson_panel import install_lesson
            from .presentation import install_presentation
            self.documents = Documents(self)
            install_exports(self)
            install_describe(self)        # the picture in words: accessible descriptions, View > Describe
            install_lesson(self)          # after the settings: a lesson left open comes back at its step
            install_presentation(self)    # last: the theme it restores reaches every widget above
            install_keys(self)            # the window's keys from any control but a text field
        self._on_tab(self.tabs.currentIndex())
        # The first computation starts after the first paint: the worker's first job imports sympy,
        # and on a small machine that competes with drawing the window for the interpreter.
        QTimer.singleShot(0, self._start_if_hidden)
        QTimer.singleShot(FIRST_REQUEST_LATEST_MS, self._start)
        self.flow.function_canvas.setFocus()

    # ---------------------------------------------------------------------------------- the frame
    def _declare_frame_actions(self) -> dict[str, Any]:
        A = self.board.add
        transport = {spec.id: A(spec) for spec in transport_specs(self.active_clock, self.style().standardIcon)}
        A(ActionSpec("quit", "&Quit", self.close, "file", "quit", (QKeySequence.StandardKey.Quit,)))
        A(ActionSpec("undo", "&Undo", self.undo, "edit", "undo", (QKeySequence.StandardKey.Undo,)))
        # Both redo keys on every platform: a platform's Redo binding is only one of them (Linux's is
        # Ctrl+Shift+Z), and each key is bound once (twice, Qt would call it ambiguous and do nothing).
        A(ActionSpec("redo", "&Redo", self.redo, "edit", "undo",
                     ("Ctrl+Shift+Z", "Ctrl+Y", QKeySequence.StandardKey.Redo)))
        A(ActionSpec("equation", "Edit the &equation", self._focus_equation, "edit", "equation", ("Ctrl+L",)))
        A(ActionSpec("fullscreen", "&Full screen", self._toggle_fullscreen, "view", "window",
                     (QKeySequence.StandardKey.FullScreen, "F11")))
        A(ActionSpec("about", "&About gdviz", self._about, "help", "about"))
        return transport

    def _build_frame(self) -> None:
        # Every built page's column lives in one stack beside the tabs (never parentless); the page
        # on screen's is current, and the stack hides for a page without one.
        self._sides = QStackedWidget()
        # Tabs other than the first are built the first time they are shown (or exported):
        # together they cost about 0.4 s of start-up, which the first picture should not wait for.
        for i, page in enumerate(self.pages.values()):
            if i == 0:
                self.tabs.addTab(page.widget(), page.title)
            else:
                host = QWidget()
                QVBoxLayout(host).setContentsMargins(0, 0, 0, 0)
                self._hosts[page.name] = host
                self.tabs.addTab(host, page.title)
            self.tabs.setTabToolTip(i, page.tooltip)
        right = QWidget()
        self._right_layout = QVBoxLayout(right)
        self._right_layout.setContentsMargins(0, 0, 0, 0)
        self._right_layout.setSpacing(2)
        self._right_layout.addWidget(self.tabs, 1)
        self._bars: list[QWidget] = []
        self._clocks: list[AnimationClock] = []
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self._sides)
        self.side_column: QWidget | None = None
        for page in self.pages.values():
            self._place_side(page.side_widget() if page.built else None)
            self._place_bar(page.bar_widget() if page.built else None)
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

        self.table_dock = QDockWidget("Iterates", self)
        self.table_dock.setObjectName("iterates-dock")
        self.table_dock.setWidget(self.flow.table)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.table_dock)
        self.table_dock.hide()
        self.resizeDocks([self.table_dock], [430], Qt.Orientation.Horizontal)
        act_table = self.table_dock.toggleViewAction()
        act_table.setText("Iterates &table")
        act_table.setShortcut(QKeySequence("Ctrl+T"))
        self.board.place(act_table, "table", "view", "panels")

        # Status lines quote equations, file names and lessons: plain text, one line, and never a
        # reason for the window to grow (the label takes the width it is given; the rest is cut).
        self.status_label = plain_label(QLabel())
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(self.status_label, 1)
        self._passing_error = False
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(lambda: self.show_status(""))
        self.busy_label = BusyLabel(lambda: self.current_page, self)
        self.statusBar().addPermanentWidget(self.busy_label)

    def _stack_side(self, side: QWidget | None) -> None:
        if side is not None and self._sides.indexOf(side) < 0:
            self._sides.addWidget(side)

    def _place_side(self, side: QWidget | None) -> None:
        """The column beside the tabs (the flow's parameters, the 2-D controls), hidden for pages without."""
        if side is not None:
            self._stack_side(side)
            self._sides.setCurrentWidget(side)
            self.side_column = side
        self._sides.setVisible(side is not None)

    def _place_bar(self, bar: QWidget | None) -> None:
        if bar is not None and bar not in self._bars:
            self._bars.append(bar)
            self._right_layout.addWidget(bar)
        for b in self._bars:
            b.setVisible(b is bar)

    def _connect(self) -> None:
        self.editor.text_committed.connect(lambda text: self.current_page.commit_equation(text))
        self.editor.kind_changed.connect(lambda k: self.current_page.edit({"kind": k, "preset": ""}, "kind"))
        self.editor.direction_changed.connect(
            lambda d: self.current_page.edit({"direction": d, "preset": ""}, "direction"))
        self.editor.field.installEventFilter(self)
        self.tabs.currentChanged.connect(self._on_tab)
        self.busy_label.watch(job for page in self.pages.values() for job in page.jobs)

    # --------------------------------------------------------------------- what pages ask for
    def add_addon(self, name: str, addon):
        """Keep an add-on (exports, lesson, presentation) under `name`; returns it."""
        self.addons[name] = addon
        return addon

    def page(self, name: str) -> Page:
        return self.pages[name]

    @property
    def current_page(self) -> Page | None:
        """The page on screen (None while the window is being built: no tab yet)."""
        index = self.tabs.currentIndex()
        return list(self.pages.values())[index] if index >= 0 else None

    def is_current(self, page: Page) -> bool:
        return not self._closed and self.current_page is page

    def is_current_equation(self, kind: str) -> bool:
        """Does the shared editor show an equation of this kind ("1d", "2d") now?"""
        page = self.current_page
        return page is not None and page.equation == kind

    def place(self, page: Page) -> None:
        """A page built its widget: put it in its tab (the first tab's is placed as the frame is built)."""
        self._stack_side(page.side_widget())   # first: the keyboard reaches its column before its plots
        host = self._hosts.get(page.name)
        if host is not None:
            host.layout().addWidget(page.widget())

    def started(self) -> bool:
        return self._started and not self._closed

    def record(self, group: str | None = None) -> None:
        """The current state becomes an undo step (edits of one group in quick succession merge)."""
        self._history.push(self.state(), group)
        self._update_title()
        self.state_changed.emit()

    def replace_state(self) -> None:
        """A page completed its scene from a result (the equation's parameters): no new undo step."""
        self._history.replace(self.state())

    def result_status(self, page: Page) -> None:
        """A page drew a result: its status line shows unless a passing note is still up."""
        if self.is_current(page) and not (self._status_timer.isActive() and not self._passing_error):
            self.show_status("")

    def active_clock(self) -> AnimationClock:
        return self.current_page.clock

    # ------------------------------------------------------------------------------ the tabs
    def show_view(self, view: str) -> None:
        """Bring a view forward: a tab (gdviz.model.views.TAB_VIEWS) or one plot of a tab."""
        self.tabs.setCurrentIndex(TAB_VIEWS.index(tab_of(view)))
        self.page(tab_of(view)).show_canvas(view)

    def _on_tab(self, index: int) -> None:
        page = self.current_page
        page.widget()                           # built on first show (placed by `place`)
        self._place_side(page.side_widget())
        self._place_bar(page.bar_widget())
        self.editor.setVisible(page.equation is not None)
        if page.equation is not None:
            page.sync_editor()
        clock = page.clock
        if clock not in self._clocks:
            self._clocks.append(clock)
            clock.playing_changed.connect(lambda _playing, c=clock: self._on_playing(c))
        self._on_playing(clock)
        self.status_label.setText(one_line(page.status_line[0], STATUS_LIMIT))
        self.busy_label.refresh()
        if self._started:
            page.activate()
        self._update_title()

    def _on_playing(self, clock: AnimationClock) -> None:
        if clock is not self.current_page.clock:
            return
        playing = clock.playing
        sp = QStyle.StandardPixmap
        icon = self.style().standardIcon(sp.SP_MediaPause if playing else sp.SP_MediaPlay)
        play = self.board.action("play")
        play.setIcon(style.themed_icon(icon))
        play.setToolTip("Pause (Space)" if playing else "Play (Space)")

    # ---------------------------------------------------------------------- state and undo
    def state(self) -> WindowState:
        """Every tab's scene: what undo/redo restores and a session file saves."""
        return WindowState(**{p.state_field: p.scene for p in self.pages.values() if p.state_field})

    def savable_state(self) -> WindowState:
        """The state as a save writes it (equations that do not compute replaced by the last that did)."""
        return WindowState(**{p.state_field: p.savable_scene() for p in self.pages.values() if p.state_field})

    def unsaved_drafts(self) -> list[str]:
        """Equations in the fields that a save replaces by the last one that computed."""
        return [new.text for new, old in zip(self.savable_state(), self.state())
                if new is not None and new.text != old.text]

    def _pages_by_field(self) -> dict[str, Page]:
        return {p.state_field: p for p in self.pages.values() if p.state_field}

    def set_scenes(self, scenes: dict[str, Any], view: str | None = None) -> None:
        """Show these scenes (by page name) on their tabs, then `view`: one undo step."""
        for name, scene in scenes.items():
            if scene is not None and self.pages[name].scene != scene:
                self.pages[name].set_scene(scene)
        if view is not None:
            self.show_view(view)
        self.record()

    def session(self) -> Session:
        """The window as a session file holds it: every tab's scene (as `savable_state`), the tab on
        screen and whether the iterates table is open."""
        from ..model.session import Session
        scene, plane, momentum = self.savable_state()
        return Session(scene, {"tab": self.current_page.name, "table": self.table_dock.isVisible()}, plane, momentum)

    def apply_session(self, session: Session) -> None:
        """Show a session on every tab and open its tab (one undo step). Hidden tabs that were
        never built stay unbuilt: they take their scene when first shown."""
        from ..model.scene2d import Scene2D
        self.active_clock().pause()
        by_field = self._pages_by_field()
        by_field["scene"].set_scene(session.scene)
        by_field["plane"].set_scene(session.plane if session.plane is not None else Scene2D(), force=False)
        by_field["momentum"].set_scene(session.momentum, force=False)
        tab = session.view.get("tab", "flow")
        self.show_view(tab if tab in TAB_VIEWS else "flow")
        if isinstance(session.view.get("table"), bool):
            self.table_dock.setVisible(session.view["table"])
        self.record()

    def restore_state(self, state: WindowState) -> None:
        """Show `state` on every tab (without a new undo step)."""
        for field, page in self._pages_by_field().items():
            scene = getattr(state, field)
            if scene != page.scene:
                page.set_scene(scene, force=False)
        self._update_title()
        self.state_changed.emit()

    def undo(self) -> None:
        state = self._history.undo()
        if state is not None:
            self.restore_state(state)

    def redo(self) -> None:
        state = self._history.redo()
        if state is not None:
            self.restore_state(state)

    # ------------------------------------------------------------------------------ status bar
    def show_status(self, text: str, timeout_ms: int = 0, error: bool = False) -> None:
        """A passing message for `timeout_ms`, then the page's line again; "" shows that line now.
        (QStatusBar.showMessage would paint over the permanent label instead of replacing it.)"""
        if text and timeout_ms:
            self._status_timer.start(timeout_ms)
            self._passing_error = error
        else:
            self._status_timer.stop()
            page = self.current_page
            text, error = page.status_line if page is not None else ("", False)
        self.status_label.setText(one_line(text, STATUS_LIMIT))
        self.status_label.setStyleSheet(f"color: {style.ERROR};" if error else "")

    def status_text(self) -> str:
        """What the status bar says about the flow's result (regime, divergence)."""
        return self.flow.status_line[0]

    # ---------------------------------------------------------------------------------- exports
    def wait_drawn(self, timeout_ms: int = EXPORT_WAIT_MS) -> bool:
        """Run the event loop until the page on screen has drawn its newest results (or failed).
        A typed equation still waiting for its pause is committed first. True if results are shown."""
        self._start()
        if self.editor.pending:
            self.editor.commit()
        return self.current_page.wait_drawn(timeout_ms)

    def export_png(self, path: str, size: tuple[int, int] = (1600, 1000), view: str | None = None) -> None:
        """Render the window at `size` (pixels) into a PNG once the page on screen has drawn, offscreen
        if the window is hidden. `view` picks a tab first, or names one lab canvas to render alone."""
        from .exports import export_png
        if view is not None:
            self.show_view(view)
        export_png(self, path, size, what=view if view in CANVAS_VIEWS else "window")

    # ------------------------------------------------------------------------- small behaviours
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if obj is self.editor.field and ev.type() == QEvent.Type.KeyPress and ev.key() == Qt.Key.Key_Escape:
            self.editor.commit()
            self.flow.function_canvas.setFocus()   # so Space plays again
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

    def apply_style(self) -> None:
        """Presentation mode or the theme changed: the pages redraw what they show in fixed colours."""
        for page in self.pages.values():
            page.restyle()

    # ------------------------------------------------------------------- first paint, closing
    def _start_if_hidden(self) -> None:
        if not self.isVisible():
            self._start()                       # nothing will be painted: compute now (command line)

    def _start(self) -> None:
        if not self._started and not self._closed:
            self._started = True
            self.flow.request()                 # the lab needs it too, whichever tab is on screen
            self.current_page.activate()

    def paintEvent(self, ev) -> None:
        super().paintEvent(ev)
        if not self._started:
            QTimer.singleShot(0, self._start)   # after this paint pass has reached the screen

    def _restore_settings(self) -> None:
        restore_window(self, self.splitter, self.flow.clock, self.flow.animation_bar)

    def _save_settings(self) -> None:
        save_window(self, self.splitter, self.flow.clock)

    def set_document(self, name: str, modified: bool) -> None:
        """The session file shown in the title ("" for none) and whether it has unsaved changes."""
        self._document = (name, modified)
        self._update_title()
        if not modified:
            self._history.seal()        # undo can always come back to what was saved

    def _update_title(self) -> None:
        name, modified = self._document
        # "[*]" is where Qt draws the unsaved-changes mark (an asterisk) when windowModified is set.
        self.setWindowTitle(f"{title_part(name)}[*] — gdviz" if name else self.flow.title_text() + "[*]")
        self.setWindowModified(modified)

    def closeEvent(self, ev) -> None:
        if not self._closed and self.documents.prompt_on_close and not self.documents.maybe_save():
            ev.ignore()                           # "Cancel": the window stays, with its work
            return
        self.shutdown()
        super().closeEvent(ev)

    def shutdown(self) -> None:
        """Stop every page (clocks paused, computations cancelled, threads joined); idempotent."""
        if self._closed:
            return
        self._closed = True
        self.busy_label.stop()
        keys = self.addons.get("keys")
        if keys is not None:
            keys.uninstall()
        self.documents.close()
        if self.isVisible():
            self._save_settings()
        for page in self.pages.values():
            page.shutdown()
