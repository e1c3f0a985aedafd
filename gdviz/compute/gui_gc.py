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

Every ComputeClient holds the pin from before its thread starts until it has joined it
(`pin_gc_to_gui_thread` / `unpin_gc`), so whatever runs workers (the window, a headless export, a
benchmark, a test) is covered, and once the last worker is gone CPython collects as usual again:
code that never runs an event loop (a notebook, the model's tests) must not pile up garbage.
"""
from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QCoreApplication, QObject, QTimer

TICK_MS = 250   # a cycle of garbage lives at most this long; a gen-0 pass costs well under 1 ms


class GuiThreadCollector(QObject):
    """Owns the timer that collects; lives on the application object, so it lasts as long as Qt."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("gdviz-gui-gc")
        self.holders = 0                      # live clients whose threads need the pin
        self._thresholds = gc.get_threshold()
        self._long_lived_total: int | None = None    # measured when first needed (~12 ms)
        self._long_lived_pending = 0
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.collect)
        # At exit the worker threads are joined: hand collection back to CPython for the shutdown.
        app.aboutToQuit.connect(self.release)

    def collect(self) -> None:
        """Collect what CPython would have collected by now: the oldest generation over its
        threshold, as `gc_collect_generations` in CPython's gcmodule.c decides it."""
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

    def hold(self) -> None:
        self.holders += 1
        if gc.isenabled() or not self._timer.isActive():
            gc.disable()
            self._timer.start()

    def let_go(self) -> None:
        self.holders = max(0, self.holders - 1)
        if self.holders == 0:
            self.release()

    def release(self) -> None:
        self._timer.stop()
        gc.enable()


def _collector() -> GuiThreadCollector | None:
    app = QCoreApplication.instance()
    if app is None:
        return None
    found = app.findChild(GuiThreadCollector, "gdviz-gui-gc")
    if found is None:
        if threading.get_ident() != threading.main_thread().ident:
            raise RuntimeError("pin_gc_to_gui_thread() must be called from the GUI thread")
        found = GuiThreadCollector(app)
    return found


def pin_gc_to_gui_thread() -> GuiThreadCollector | None:
    """Collection happens only in the GUI thread until the matching `unpin_gc()`; call both from
    that thread. Also re-pins if something switched automatic collection back on.

    Returns the collector, or None when there is no Qt application to own the timer (then nothing
    changes: with no event loop there is no GUI thread to protect)."""
    collector = _collector()
    if collector is not None:
        collector.hold()
    return collector


def unpin_gc() -> None:
    """One holder fewer; the last one hands collection back to CPython."""
    collector = _collector()
    if collector is not None:
        collector.let_go()


def freeze_survivors() -> int:
    """Collect once, then move every object alive to CPython's permanent generation (gc.freeze).

    Call it when the application is built and sympy is loaded: those ~140,000 objects live as long
    as the process, yet every full collection walked them, 70-100 ms here (measured), a visible
    hitch in an animation. Frozen, a full pass walks only what came later (~0 ms just after).
    Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
