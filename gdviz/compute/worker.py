"""Runs `evaluate(scene)` on a QThread. Newest request wins; stale results are never delivered.

At most one computation is in flight and at most one waits: a slider dragged end to end
sends hundreds of requests, and all but the latest are replaced while they wait, so the
GUI thread never blocks and the worker never falls behind.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..model.scene import Scene


@dataclass(frozen=True)
class ComputeError:
    """A failure to show the user: the message, the column in the equation (if any), the scene."""
    request_id: int
    scene: Scene
    message: str
    column: int | None = None


class _Evaluator(QObject):
    """Lives on the worker thread. Imports the model lazily so sympy loads off the GUI thread."""

    done = Signal(int, object)     # request id, SceneResult or ComputeError

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self._cancel = cancel
        self._latest = 0

    def note_latest(self, request_id: int) -> None:
        self._latest = request_id   # read from the worker thread: a plain int store is atomic

    @Slot(int, object)
    def run(self, request_id: int, scene: Scene) -> None:
        from ..model.euler import Cancelled
        from ..model.results import evaluate
        from ..model.expressions import ExpressionError

        def should_stop() -> bool:
            return self._cancel.is_set() or request_id < self._latest

        try:
            result: Any = evaluate(scene, should_stop=should_stop)
        except Cancelled:
            result = None
        except ExpressionError as exc:
            result = ComputeError(request_id, scene, exc.message, exc.column)
        except Exception as exc:  # noqa: BLE001 - any failure becomes a message, never a crash
            result = ComputeError(request_id, scene, f"could not compute this scene: {exc}")
        self.done.emit(request_id, result)


class ComputeClient(QObject):
    """GUI-side handle: `request(scene)`; listen to `result_ready` and `failed`."""

    result_ready = Signal(object)   # SceneResult for the newest request
    failed = Signal(object)         # ComputeError for the newest request
    busy_changed = Signal(bool)
    _submit = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("gdviz-compute")
        self._evaluator = _Evaluator(self._cancel)
        self._evaluator.moveToThread(self._thread)
        self._submit.connect(self._evaluator.run)
        self._evaluator.done.connect(self._on_done)
        self._thread.start()
        self._next_id = 0
        self._in_flight: int | None = None
        self._waiting: tuple[int, Scene] | None = None
        self.latest_scene: Scene | None = None

    @property
    def busy(self) -> bool:
        return self._in_flight is not None

    def request(self, scene: Scene) -> int:
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

    def _send(self, rid: int, scene: Scene) -> None:
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
        """Stop at once: cancel the running computation and join the thread."""
        if not self._thread.isRunning():
            return
        self._cancel.set()
        self._waiting = None
        self._thread.quit()
        self._thread.wait()
