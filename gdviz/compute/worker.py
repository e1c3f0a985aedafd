"""Runs a job (a function of `gdviz.compute.jobs`) on a QThread. Newest request wins; stale results
are never delivered.

At most one computation is in flight and at most one waits: a slider dragged end to end
sends hundreds of requests, and all but the latest are replaced while they wait, so the
GUI thread never blocks and the worker never falls behind.

Each client owns one thread and one job, so the window can run the flow, the step-size lab and a
long bifurcation sweep side by side, each with its own newest-wins queue. A job is called as
`job(scene, should_stop=...)`, plus `progress=` (a callback taking a fraction in [0, 1]) for
clients made `with_progress=True`. The jobs import the model themselves, on the worker thread.

Garbage collection must not run on these threads (see gui_gc): whoever makes the QApplication
calls `gui_gc.install(app)` once; a client only warns if that was forgotten.
"""
from __future__ import annotations

import threading
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Union

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from . import gui_gc, jobs

if TYPE_CHECKING:   # only for hints: the model is imported on the worker thread (sympy is slow to load)
    from ..model.momentum import MomentumScene
    from ..model.scene import Scene
    from ..model.scene2d import Scene2D

# What a job takes: the flow and lab scene, the 2-D plane, or the momentum scene.
AnyScene = Union["Scene", "Scene2D", "MomentumScene"]
Job = Callable[..., Any]


@dataclass(frozen=True)
class ComputeError:
    """A failure to show the user: the message, the column in the equation (if any), the scene."""
    request_id: int
    scene: AnyScene
    message: str
    column: int | None = None


class _Evaluator(QObject):
    """Lives on the worker thread, where the job (and so the model and sympy) is first imported."""

    done = Signal(int, object)     # request id, the job's result or a ComputeError
    progressed = Signal(int, float)

    def __init__(self, cancel: threading.Event, job: Job, with_progress: bool) -> None:
        super().__init__()
        self._cancel = cancel
        self._latest = 0
        self._job = job
        self._with_progress = with_progress

    def note_latest(self, request_id: int) -> None:
        self._latest = request_id   # read from the worker thread: a plain int store is atomic

    @Slot(int, object)
    def run(self, request_id: int, scene: AnyScene) -> None:
        from ..model.euler import Cancelled
        from ..model.expressions import ExpressionError

        def should_stop() -> bool:
            return self._cancel.is_set() or request_id < self._latest

        kwargs: dict[str, Any] = {"should_stop": should_stop}
        if self._with_progress:
            kwargs["progress"] = lambda fraction: self.progressed.emit(request_id, float(fraction))
        try:
            result: Any = self._job(scene, **kwargs)
        except Cancelled:
            result = None
        except ExpressionError as exc:
            result = ComputeError(request_id, scene, exc.message, exc.column)
        except ValueError as exc:   # the model's way of saying "these numbers cannot work"
            result = ComputeError(request_id, scene, str(exc))
        except Exception as exc:
            result = ComputeError(request_id, scene, f"could not compute this scene: {exc}")
        self.done.emit(request_id, result)


# Every client made, weakly: the tests' leak check asks which threads were never shut down.
_clients: weakref.WeakSet[ComputeClient] = weakref.WeakSet()
_made = 0    # clients made so far in this process; a client's serial is its place in that count


def clients_made() -> int:
    """How many clients this process has made so far (the newest one's serial)."""
    return _made


def running_clients(made_after: int = 0) -> list[ComputeClient]:
    """The clients made after serial `made_after` whose thread still runs: never shut down."""
    return sorted((c for c in list(_clients) if c.serial > made_after and _runs(c)), key=lambda c: c.serial)


def _runs(client: ComputeClient) -> bool:
    try:
        return client.running
    except RuntimeError:       # its thread's Qt object is gone: nothing runs
        return False


class ComputeClient(QObject):
    """GUI-side handle: `request(scene)`; listen to `result_ready` and `failed` (and `progress`).

    `job` is a function of `gdviz.compute.jobs` (any `job(scene, should_stop=...)` will do);
    `name` names the thread ("gdviz-..."), which is what a debugger and the leak check show."""

    result_ready = Signal(object)   # the job's result for the newest request
    failed = Signal(object)         # ComputeError for the newest request
    busy_changed = Signal(bool)
    progress = Signal(float)        # fraction done of the newest request (jobs with progress only)
    _submit = Signal(int, object)

    def __init__(self, parent: QObject | None = None, job: Job = jobs.evaluate_scene,
                 with_progress: bool = False, name: str = "gdviz-compute") -> None:
        super().__init__(parent)
        global _made
        if QCoreApplication.instance() is not None and not gui_gc.is_pinned():
            warnings.warn(f"{name}: a compute thread starts while garbage collection may run on it; "
                          "call gdviz.compute.gui_gc.install(app) where the QApplication is made",
                          RuntimeWarning, stacklevel=2)
        _made += 1
        self.serial = _made
        self.name = name
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._evaluator = _Evaluator(self._cancel, job, with_progress)
        self._evaluator.moveToThread(self._thread)
        self._submit.connect(self._evaluator.run)
        self._evaluator.done.connect(self._on_done)
        self._evaluator.progressed.connect(self._on_progress)
        self._thread.start()
        # Deleted with its parent (a closed page) without shutdown(): join the thread all the same,
        # or Qt aborts the process when the running QThread is destroyed. The slot holds no `self`.
        self.destroyed.connect(partial(_join, self._thread, self._cancel))
        _clients.add(self)
        self._next_id = 0
        self._in_flight: int | None = None
        self._waiting: tuple[int, AnyScene] | None = None
        self.latest_scene: AnyScene | None = None

    def __repr__(self) -> str:
        return f"<ComputeClient {self.name!r} #{self.serial}{' running' if self.running else ''}>"

    @property
    def busy(self) -> bool:
        return self._in_flight is not None

    @property
    def running(self) -> bool:
        """The thread runs: the client was not shut down."""
        return self._thread.isRunning()

    def request(self, scene: AnyScene) -> int:
        """Ask for `scene`; returns its id. Supersedes every earlier request."""
        self._next_id += 1
        rid = self._next_id
        self.latest_scene = scene
        self._evaluator.note_latest(rid)
        if self._in_flight is None:
            self._send(rid, scene)
        else:
            self._waiting = (rid, scene)
        return rid

    def cancel(self) -> None:
        """Abandon the running and the waiting request: nothing more is delivered for them."""
        self._next_id += 1
        self._evaluator.note_latest(self._next_id)
        self._waiting = None

    @Slot(int, float)
    def _on_progress(self, rid: int, fraction: float) -> None:
        if rid == self._next_id:
            self.progress.emit(fraction)

    def _send(self, rid: int, scene: AnyScene) -> None:
        was_busy = self.busy
        self._in_flight = rid
        self._submit.emit(rid, scene)
        if not was_busy:
            self.busy_changed.emit(True)

    @Slot(int, object)
    def _on_done(self, rid: int, result: Any) -> None:
        self._in_flight = None
        if self._waiting is not None:
            wid, wscene = self._waiting
            self._waiting = None
            self._send(wid, wscene)
        else:
            self.busy_changed.emit(False)
        if rid != self._next_id or result is None:
            return                                  # stale or cancelled: never drawn
        if isinstance(result, ComputeError):
            self.failed.emit(result)
        else:
            self.result_ready.emit(result)

    def shutdown(self) -> None:
        """Stop at once: cancel the running computation and join the thread; idempotent."""
        self._waiting = None
        _join(self._thread, self._cancel)


def _join(thread: QThread, cancel: threading.Event) -> None:
    from shiboken6 import Shiboken
    if not Shiboken.isValid(thread):        # already joined and deleted (shutdown, then the parent went)
        return
    if thread.isRunning():
        cancel.set()
        thread.quit()
        thread.wait()
