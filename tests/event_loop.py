"""Running test code from inside the event loop, where the app's edits run.

A compute client hands a request to its worker one event-loop turn later when a loop is running
(and at once when none is): tests of that hand-over make their requests from a turn of the loop."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

T = TypeVar("T")


def in_a_turn(fn: Callable[[], T]) -> T:
    """Run `fn` as a slot of a running event loop and return its value; then deliver the events it
    posted (a hand-over it scheduled runs, or finds nothing left to hand over)."""
    out: list[T] = []
    loop = QEventLoop()

    def turn() -> None:
        try:
            out.append(fn())
        finally:
            loop.quit()
    QTimer.singleShot(0, turn)
    loop.exec()
    QCoreApplication.sendPostedEvents()
    return out[0]
