"""The animation clock: moves an index n through iterates that already exist. It never computes.

A precise ~60 Hz timer accumulates `speed` steps per second, so slow speeds move one step at a
time and fast ones skip frames' worth of steps; the canvases only redraw when n changes.
"""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal

FRAME_MS = 16
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0, 500.0, 2000.0, 10000.0)   # steps per second
DEFAULT_SPEED = 4.0


class AnimationClock(QObject):
    """Index n in 0..last; play/pause/step/reset; `index_changed(n)` whenever n moves."""

    index_changed = Signal(int)
    playing_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._index = 0
        self._last = 0
        self._speed = DEFAULT_SPEED
        self._carry = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self._elapsed = QElapsedTimer()

    @property
    def index(self) -> int:
        return self._index

    @property
    def last(self) -> int:
        return self._last

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, steps_per_second: float) -> None:
        self._speed = max(0.01, float(steps_per_second))

    def set_last(self, last: int, to_end: bool = False, emit: bool = True) -> None:
        """New iterates arrived: a clock resting at the end (or told `to_end`) goes to the new end;
        otherwise n is clamped. With emit=False the caller draws index itself."""
        at_end = to_end or (self._index >= self._last and not self.playing)
        if to_end:
            self.pause()
        self._last = max(0, int(last))
        n = self._last if at_end else min(self._index, self._last)
        if emit:
            self._set(n, force=True)
        else:
            self._index = n

    def seek(self, n: int) -> None:
        self._set(max(0, min(int(n), self._last)))

    def step(self, delta: int = 1) -> None:
        self.pause()
        self.seek(self._index + delta)

    def reset(self) -> None:
        self.pause()
        self.seek(0)

    def play(self) -> None:
        if self.playing:
            return
        restart = self._index >= self._last
        if restart:
            self._set(0)            # play at the end starts over
        self._carry = 0.0 if restart else 0.999   # otherwise move on the first frame: instant feedback
        self._elapsed.start()
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def _tick(self) -> None:
        dt = self._elapsed.restart() / 1000.0
        self._carry += self._speed * min(dt, 0.25)   # after a stall, do not leap ahead
        whole = int(self._carry)
        if whole:
            self._carry -= whole
            self._set(min(self._index + whole, self._last))
        if self._index >= self._last:
            self.pause()

    def _set(self, n: int, force: bool = False) -> None:
        if n != self._index or force:
            self._index = n
            self.index_changed.emit(n)
