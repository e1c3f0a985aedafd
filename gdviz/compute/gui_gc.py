"""Python's cyclic garbage collector, pinned to the GUI thread.

CPython runs a collection in whichever thread happens to cross the allocation threshold. Our
worker threads allocate heavily (sympy, numpy temporaries), so left alone the collector mostly
runs *there*, and then it finalises garbage the GUI thread made: closed windows, plot items and
their Qt objects caught in reference cycles. Destroying Qt objects from the wrong thread is
undefined behaviour; here it deadlocked. A CI run hung for 90 minutes with the GUI thread waiting
for the GIL at a slot's first line and the worker holding it inside sympy, at an allocation,
with no Python frame moving.

The cure is the one pyqtgraph (`pyqtgraph.util.garbage_collector`), calibre and others use:
switch automatic collection off and collect from a timer in the GUI thread, generation by
generation, with the thresholds CPython itself would use. Reference counting still frees
almost everything at once; only cycles wait, for at most one tick.

Switch it on once, where the QApplication is made: `install(app)`, right after constructing it
(the window, the headless exports, a benchmark, the tests' `qapp`). It lasts until the
application quits. Code that never makes a QApplication (a notebook, the model's tests) never
installs it and CPython collects as usual; a stretch with no event loop and no worker inside an
application that has it (a model test after the GUI tests, in one pytest process) can hand
collection back to CPython for a while with `suspended()`. A ComputeClient never switches it on:
it warns if its thread starts while collection is not pinned.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QObject, QTimer

TICK_MS = 250   # a cycle of garbage lives at most this long; a gen-0 pass costs well under 1 ms
NAME = "gdviz-gui-gc"


class GuiThreadCollector(QObject):
    """Owns the timer that collects; lives on the application object, so it lasts as long as Qt."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName(NAME)
        self.active = False                   # installed and not released at exit
        self.suspensions = 0                  # open `suspended()` blocks
        self._thresholds = gc.get_threshold()
        self._long_lived_total: int | None = None    # measured when first needed (~12 ms)
        self._long_lived_pending = 0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.collect)
        # The first tick waits for the event loop to turn once: installed before the window is
        # built, a tick due by then would collect everything the start-up allocated (50-60 ms,
        # measured) before the window's first paint instead of just after it.
        self._first_turn = QTimer(self)
        self._first_turn.setSingleShot(True)
        self._first_turn.setInterval(0)
        self._first_turn.timeout.connect(self._loop_turned)
        self._loop_running = False
        # At exit the worker threads are joined: hand collection back to CPython for the shutdown.
        app.aboutToQuit.connect(self.release)

    @property
    def pinned(self) -> bool:
        """Collection runs only here, from the timer."""
        return self.active and not self.suspensions

    def pin(self) -> None:
        self.active = True
        if not self.suspensions:
            gc.disable()
            (self._timer if self._loop_running else self._first_turn).start()

    def _loop_turned(self) -> None:
        self._loop_running = True
        if self.pinned:
            self._timer.start()

    def suspend(self) -> None:
        self.suspensions += 1
        self._timer.stop()
        self._first_turn.stop()
        gc.enable()

    def resume(self) -> None:
        self.suspensions = max(0, self.suspensions - 1)
        if self.active and not self.suspensions:
            self.pin()

    def release(self) -> None:
        """For good (the application quits): CPython collects as usual again."""
        self.active = False
        self._timer.stop()
        self._first_turn.stop()
        gc.enable()

    def collect(self) -> None:
        """Collect what CPython would have collected by now: the oldest generation over its
        threshold, as `gc_collect_generations` in CPython's gcmodule.c decides it."""
        if gc.isenabled():         # something switched automatic collection back on: off again
            gc.disable()
        count = gc.get_count()
        for generation in (2, 1, 0):
            if count[generation] <= self._thresholds[generation]:
                continue
            if generation == 2 and not self._full_pass_due():
                continue
            self._collect(generation)
            return

    def _full_pass_due(self) -> bool:
        # CPython's own rule: a full pass (70-100 ms once sympy is loaded, measured here) only
        # once the objects promoted to the oldest generation since the last one exceed a quarter
        # of those that survived it. Without it an animation would stutter every half minute.
        if self._long_lived_total is None:
            self._long_lived_total = len(gc.get_objects(2))
        return self._long_lived_pending > self._long_lived_total // 4

    def _collect(self, generation: int) -> None:
        young = len(gc.get_objects(0)) + len(gc.get_objects(1)) if generation == 1 else 0
        unreachable = gc.collect(generation)
        if generation == 1:                     # the survivors move to the oldest generation
            self._long_lived_pending += max(0, young - unreachable)
        elif generation == 2:
            self._long_lived_total = len(gc.get_objects(2))
            self._long_lived_pending = 0


def installed() -> GuiThreadCollector | None:
    """The application's collector, if `install` was called for it."""
    app = QCoreApplication.instance()
    return None if app is None else app.findChild(GuiThreadCollector, NAME)


def install(app: QCoreApplication) -> GuiThreadCollector:
    """From now until `app` quits, cyclic garbage is collected only in the GUI thread, from a
    timer of its event loop. Call it once, from the GUI thread, right after making `app`;
    calling it again returns the same collector (and pins again if something unpinned it)."""
    if threading.get_ident() != threading.main_thread().ident:
        raise RuntimeError("gui_gc.install() must be called from the GUI thread")
    collector = app.findChild(GuiThreadCollector, NAME) or GuiThreadCollector(app)
    collector.pin()
    return collector


def is_pinned() -> bool:
    """True while no thread but the GUI thread can start a collection."""
    collector = installed()
    return collector is not None and collector.pinned


@contextmanager
def suspended() -> Iterator[None]:
    """CPython collects as usual inside the block (automatic collection on, the timer stopped).
    Only for code that runs no event loop and no worker thread: a model test in a process that
    installed the pin. Does nothing where the pin is not installed."""
    collector = installed()
    if collector is None or not collector.active:
        yield
        return
    collector.suspend()
    try:
        yield
    finally:
        collector.resume()


def freeze_survivors() -> int:
    """Collect once, then move every object alive to CPython's permanent generation (gc.freeze).

    Call it when the application is built and sympy is loaded: those ~140,000 objects live as long
    as the process, yet every full collection walked them, 70-100 ms here (measured), a visible
    hitch in an animation. Frozen, a full pass walks only what came later (~0 ms just after).
    Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
