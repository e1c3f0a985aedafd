"""What every page (one tab of the window) is, and the one path by which its results become pixels.

A page owns its scene, its compute jobs (each a client with its request memo, last result and last
error), its animation clock and its canvases. The window holds the frame (editor, menus, status bar,
undo, documents) and talks to a page only through the interface below:

    scene / set_scene(scene)     the page's scene; set_scene shows and computes it (no undo step)
    edit(changes, group)         a user edit of some fields: shown, computed, recorded for undo
    request(force)               compute what is out of date (force: even while hidden)
    is_drawn / wait_drawn()      every job settled and its result drawn (exports and tests wait here)
    canvases()                   the plots it can export alone, by view name
    activate() / deactivate()    the tab came on / went off screen
    restyle(), shutdown()        presentation mode changed; the window closes

A result reaches the screen on one path: a job's client delivers it -> the page's canvases draw it
-> the job is settled -> when none of the page's jobs is pending the page emits `drawn`. Nothing
waits for "computed".
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from ...compute.worker import ComputeClient, ComputeError

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from ..actions import ActionSpec
    from ..animation import AnimationClock
    from ..editor import EquationEditor

WAIT_MS = 60_000


class PageHost(Protocol):
    """What the window offers its pages: the shared equation editor, the status bar, undo, and the
    other pages (the step-size lab reads the flow's scene and result)."""

    editor: EquationEditor

    def show_status(self, text: str, timeout_ms: int = 0, error: bool = False) -> None: ...
    def record(self, group: str | None = None) -> None: ...
    def is_current(self, page: Page) -> bool: ...
    def page(self, name: str) -> Page: ...
    def started(self) -> bool: ...
    def place(self, page: Page) -> None: ...


class PageJob(QObject):
    """One compute client of a page, with its request memo, its last result and its last error.

    `key(scene)` says what the result depends on: a request whose key equals the last one's is not
    sent again (dragging h moves the bifurcation diagram's line, it does not recompute it). `draw`
    is called with each newest result; `on_failed` with each newest error. The client (and its
    thread) is made on the first request, so a tab never shown costs nothing.
    """

    shown = Signal(object)      # the result, after `draw` drew it
    failed = Signal(object)     # the ComputeError, after `on_failed` showed it

    def __init__(self, page: Page, job: Callable[..., Any], name: str,
                 draw: Callable[[Any], None], on_failed: Callable[[ComputeError], None] | None = None,
                 key: Callable[[Any], Any] = lambda scene: scene, with_progress: bool = False) -> None:
        super().__init__(page)
        self._page = page
        self._job = job
        self._name = name
        self._draw = draw
        self._on_failed = on_failed
        self._key = key
        self._with_progress = with_progress
        self.client: ComputeClient | None = None
        self.requested: Any = None       # the key of the newest request (None: none, or forgotten)
        self.pending = False             # a request whose result (or error) is not drawn yet
        self.result: Any = None
        self.error: ComputeError | None = None
        self._progress_hooks: list[tuple[Callable[[bool], None], Callable[[float], None]]] = []

    def on_progress(self, busy: Callable[[bool], None], fraction: Callable[[float], None]) -> None:
        """Show this job's busy state and progress (a sweep's bar) when its client exists."""
        self._progress_hooks.append((busy, fraction))
        if self.client is not None:
            self.client.busy_changed.connect(busy)
            self.client.progress.connect(fraction)

    def _ensure_client(self) -> ComputeClient:
        if self.client is None:
            c = self.client = ComputeClient(self, job=self._job, with_progress=self._with_progress,
                                            name=self._name)
            c.result_ready.connect(self._on_result)
            c.failed.connect(self._on_error)
            for busy, fraction in self._progress_hooks:
                c.busy_changed.connect(busy)
                c.progress.connect(fraction)
        return self.client

    def request(self, scene: Any) -> bool:
        """Ask for `scene` unless its key was the newest request; True if a request was sent."""
        key = self._key(scene)
        if key == self.requested:
            return False
        self.requested = key
        self.pending = True
        self._ensure_client().request(scene)
        return True

    @property
    def busy(self) -> bool:
        return self.client is not None and self.client.busy

    def cancel(self) -> bool:
        """Abandon the running request (the picture stays); True if one was running."""
        if not self.busy:
            return False
        self.client.cancel()
        self.requested = None        # the next change (or Compute) asks again
        self._settle()
        return True

    def _on_result(self, result: Any) -> None:
        if self._page.closed:
            return
        self.result, self.error = result, None
        self.pending = self.busy          # a newer request may already be running
        self._draw(result)
        self.shown.emit(result)
        self._settle()

    def _on_error(self, err: ComputeError) -> None:
        if self._page.closed:
            return
        self.error = err
        self.pending = self.busy
        if self._on_failed is not None:
            self._on_failed(err)
        self.failed.emit(err)
        self._settle()

    def _settle(self) -> None:
        if not self.busy:
            self.pending = False
        self._page.job_settled(self)

    def shutdown(self) -> None:
        if self.client is not None:
            self.client.shutdown()
        self.pending = False


class Page(QObject):
    """One tab. Subclasses set the class attributes, build their widget in `build`, and draw results
    in the `draw` callbacks of their jobs."""

    name: ClassVar[str] = ""                # the view name (gdviz.model.views.TAB_VIEWS)
    title: ClassVar[str] = ""               # the tab's text
    tooltip: ClassVar[str] = ""
    equation: ClassVar[str | None] = None   # "1d" or "2d": the shared editor types its F; None hides it
    state_field: ClassVar[str | None] = None   # its scene's field in WindowState (None: shares another's)

    drawn = Signal(object)       # the last result drawn, once every job of the page is settled
    failed = Signal(object)      # a ComputeError shown by the page

    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.closed = False
        self.jobs: list[PageJob] = []
        self._widget: QWidget | None = None
        self._side: QWidget | None = None      # the column beside the tabs, if build() made one

    # ----------------------------------------------------------------------------------- widget
    @property
    def built(self) -> bool:
        return self._widget is not None

    def widget(self) -> QWidget:
        """The tab's widget, built on first use (tabs never shown cost no start-up time)."""
        if self._widget is None:
            self._widget = self.build()
            self.host.place(self)          # in its tab at once, shown or not (no parentless page)
        return self._widget

    def build(self) -> QWidget:
        raise NotImplementedError

    def side_widget(self) -> QWidget | None:
        """A column the window shows beside the tabs while this page is current (None: no column)."""
        return self._side

    def bar_widget(self) -> QWidget | None:
        """A bar the window shows below the tabs while this page is current."""
        return None

    @property
    def clock(self) -> AnimationClock:
        raise NotImplementedError

    @property
    def status_line(self) -> tuple[str, bool]:
        """What the status bar says while this page is on screen (text, is it a warning)."""
        return ("", False)

    def actions(self) -> list[ActionSpec]:
        """The page's own actions, placed in the window's menus once."""
        return []

    def attach_actions(self, actions: dict[str, QAction]) -> None:
        """The QActions made from `actions()`, by id (a page keeps the ones it updates)."""

    # ----------------------------------------------------------------------------------- scene
    @property
    def scene(self) -> Any:
        raise NotImplementedError

    def set_scene(self, scene: Any, force: bool = True) -> None:
        """Show `scene` and compute it; `force` False lets a tab never built take it when shown."""
        raise NotImplementedError

    def edit(self, changes: dict, group: str | None = None) -> None:
        raise NotImplementedError

    def savable_scene(self) -> Any:
        """The scene as a save writes it: an equation that did not compute is replaced by the last
        one that did (the session reader refuses equations that do not parse)."""
        return self.scene

    def edited_scene(self, current: Any, changes: dict, view: QWidget | None) -> Any:
        """`current` with `changes`, or None when nothing changes. Numbers the scene refuses are
        reported in the status bar and `view` (if built) shows `current` again."""
        try:
            new = current.with_(**changes)
        except (ValueError, TypeError) as exc:
            self.host.show_status(str(exc), 5000, error=True)
            if view is not None:
                view.set_scene(current)
            return None
        return None if new == current else new

    def show_in_editor(self, error: ComputeError | None, summary: str, notes: tuple[str, ...] = ()) -> None:
        """The shared editor shows this page's error (with its caret) or its notes on the equation
        ("X is a parameter; did you mean x?"), and its summary."""
        editor = self.host.editor
        if error is not None:
            editor.show_error(error.message, error.column, error.scene.text)
        else:
            editor.clear_error()
            editor.show_notes(notes)
        editor.show_summary(summary)

    def commit_equation(self, text: str) -> None:
        """The shared editor committed `text` while this page is current."""

    def sync_editor(self) -> None:
        """Show this page's equation, error and summary in the shared editor (it is current)."""

    # -------------------------------------------------------------------------------- computing
    def add_job(self, job: Callable[..., Any], name: str, draw: Callable[[Any], None],
                on_failed: Callable[[ComputeError], None] | None = None,
                key: Callable[[Any], Any] = lambda scene: scene, with_progress: bool = False) -> PageJob:
        j = PageJob(self, job, name, draw, on_failed, key, with_progress)
        self.jobs.append(j)
        return j

    def request(self, force: bool = False) -> None:
        """Compute what is out of date: while the page is on screen, or always with `force`."""
        raise NotImplementedError

    def pending_jobs(self) -> list[PageJob]:
        """The jobs whose newest request is not drawn yet (pages that show another page's result
        add that page's)."""
        return [j for j in self.jobs if j.pending]

    @property
    def is_drawn(self) -> bool:
        return not self.pending_jobs()

    def job_settled(self, job: PageJob) -> None:
        """A job drew its result (or showed its error): say "drawn" when nothing is pending."""
        if self.is_drawn and not self.closed and job.error is None:
            self.drawn.emit(job.result)

    def has_results(self) -> bool:
        """Every job that was asked has a result on screen (and no error)."""
        return all(j.result is not None and j.error is None for j in self.jobs if j.requested is not None)

    def wait_drawn(self, timeout_ms: int = WAIT_MS) -> bool:
        """Compute (even while hidden) and run the event loop until every job's newest result is
        drawn, or failed, or `timeout_ms` passed. True if the page shows results for its scene."""
        self.request(force=True)
        if not self.is_drawn:
            loop = QEventLoop()

            def check(*_: object) -> None:
                if self.is_drawn:
                    loop.quit()
            # Every pending job settles through its result, its error or its client going idle.
            signals = [sig for j in self.pending_jobs() for sig in
                       (j.shown, j.failed, *((j.client.busy_changed,) if j.client is not None else ()))]
            for sig in signals:
                sig.connect(check)
            QTimer.singleShot(timeout_ms, loop.quit)
            loop.exec()
            for sig in signals:
                sig.disconnect(check)
        return self.is_drawn and self.has_results()

    # ----------------------------------------------------------------------------------- exports
    def table_csv(self) -> str | None:
        """The table File > Export writes as CSV on this tab (None: the page has none of its own)."""
        return None

    def canvases(self) -> dict[str, QWidget]:
        """The plots of this page that can be exported alone, by view name."""
        return {}

    def description(self) -> str:
        """The page's picture in words (gdviz.model.describe), "" before its first result: what a
        screen reader says for the page and View > Describe shows."""
        return ""

    def canvas_descriptions(self) -> dict[QWidget, str]:
        """Each plot of the page and the words for it (by default the page's description)."""
        from ..canvas import Canvas
        text = self.description()
        return {c: text for c in self.widget().findChildren(Canvas)} if text and self.built else {}

    def canvas_alone(self, view: str) -> QWidget:
        """A fresh canvas of `view`, fed this page's current results: a slide of that plot alone."""
        raise ValueError(f"the {self.name} tab has no plot named {view!r}")

    # ----------------------------------------------------------------------------------- the tab
    def show_canvas(self, view: str) -> None:
        """Bring forward the plot `view` of this tab where the tab holds it behind another (the
        frame calls it after switching to the tab; a tab names itself and changes nothing)."""

    def activate(self) -> None:
        """The tab came on screen: show its scene, sync the editor, compute what is out of date."""

    def deactivate(self) -> None:
        """The tab left the screen."""

    def restyle(self) -> None:
        """Presentation mode or the theme changed (widgets restyle themselves; pages add what they
        draw in fixed colours)."""

    def shutdown(self) -> None:
        """Stop the clock, disconnect, and join every job's thread; idempotent."""
        if self.closed:
            return
        self.closed = True
        if self.built:
            self.clock.pause()
        for j in self.jobs:
            j.shutdown()


SIDE_COLUMN_PX = 260     # the column's least width on the desktop (presentation mode scales it)


def side_column(*widgets: QWidget, name: str) -> QWidget:
    """The column a page shows beside the tabs (its controls, top to bottom): it scrolls rather than
    squeeze them, never sideways, and keeps the width its text needs."""
    inner = QWidget()
    layout = QVBoxLayout(inner)
    layout.setContentsMargins(0, 0, 6, 0)
    for w in widgets:
        layout.addWidget(w)
    layout.addStretch(1)
    scroll = QScrollArea()
    scroll.setAccessibleName(name)
    scroll.setWidget(inner)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setMinimumWidth(SIDE_COLUMN_PX)
    return scroll
