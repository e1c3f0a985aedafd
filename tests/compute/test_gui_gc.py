"""Garbage collection runs only in the GUI thread once the application installs the pin
(gdviz.compute.gui_gc.install, called where the QApplication is made; here by tests/conftest.py's
`qapp`).

Without the pin, a worker that allocates crosses CPython's threshold and collects on its own
thread, finalising Qt objects the GUI thread made: that deadlocked a CI run."""
from __future__ import annotations

import gc
import threading
import weakref

import pytest

from gdviz.compute import gui_gc
from gdviz.compute.gui_gc import GuiThreadCollector
from gdviz.compute.worker import ComputeClient


class _Node:
    """A reference cycle: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self


def make_cycles(scene, should_stop):
    """A worker job that leaves far more cyclic garbage than the gen-0 threshold."""
    for _ in range(20 * gc.get_threshold()[0]):
        _Node()
    last = _Node()
    return weakref.ref(last)


@pytest.fixture
def collections_by_thread():
    seen: list[int] = []

    def note(phase, info):
        if phase == "start":
            seen.append(threading.get_ident())

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)


def test_qt_tests_run_with_the_pin_the_app_installs(qapp):
    collector = gui_gc.installed()
    assert isinstance(collector, GuiThreadCollector) and collector.pinned
    assert gui_gc.is_pinned() and not gc.isenabled()


def test_a_worker_that_makes_garbage_never_collects_it_and_the_gui_thread_does(
        qtbot, collections_by_thread):
    client = ComputeClient(job=make_cycles, name="gdviz-gc-test")
    try:
        with qtbot.waitSignal(client.result_ready, timeout=20_000) as blocker:
            client.request(None)
        survivor = blocker.args[0]
        main = threading.main_thread().ident
        assert all(ident == main for ident in collections_by_thread), "a collection ran on a worker"
        # ...and the cycles do not leak: the GUI thread's timer collects them.
        qtbot.waitUntil(lambda: survivor() is None, timeout=5_000)
        assert collections_by_thread and set(collections_by_thread) == {main}
    finally:
        client.shutdown()


def test_making_clients_does_not_touch_collection(qapp, monkeypatch):
    switched = []
    monkeypatch.setattr(gc, "disable", lambda: switched.append("disable"))
    monkeypatch.setattr(gc, "enable", lambda: switched.append("enable"))
    client = ComputeClient(job=make_cycles, name="gdviz-gc-test-untouched")
    client.shutdown()
    assert switched == []


def test_install_is_once_per_application_and_pins_again_if_switched_off(qapp):
    collector = gui_gc.installed()
    assert gui_gc.install(qapp) is collector
    assert len(qapp.findChildren(GuiThreadCollector)) == 1
    gc.enable()                                       # e.g. a library switched it back on
    collector.collect()                               # the next tick switches it off again
    assert not gc.isenabled()


def test_at_exit_collection_goes_back_to_cpython(qapp):
    collector = gui_gc.installed()
    try:
        collector.release()                           # what aboutToQuit does
        assert gc.isenabled() and not gui_gc.is_pinned()
    finally:
        gui_gc.install(qapp)
    assert not gc.isenabled() and gui_gc.is_pinned()


def test_installing_from_a_worker_thread_is_refused(qapp):
    errors = []

    def worker():
        try:
            gui_gc.install(qapp)
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert errors and "GUI thread" in str(errors[0])


def test_a_suspension_hands_collection_to_cpython_until_it_ends(qapp):
    collector = gui_gc.installed()
    with gui_gc.suspended():
        with gui_gc.suspended():
            assert gc.isenabled() and not gui_gc.is_pinned()
        assert gc.isenabled()                         # the outer one still holds
        assert not collector._timer.isActive()
    assert not gc.isenabled() and gui_gc.is_pinned() and collector._timer.isActive()


# In one pytest process the model's tests run after Qt tests installed the pin (this module's tests
# above did). Without qapp they run no event loop, so the GUI thread's timer never fires there:
# tests/conftest.py suspends the pin for them and CPython collects, or garbage would pile up.
def test_a_test_without_qapp_after_qt_tests_gets_cpythons_own_collection(collections_by_thread):
    if gui_gc.installed() is None:
        pytest.skip("no Qt test ran before this one in this process")
    assert gc.isenabled() and not gui_gc.is_pinned()
    first = _Node()
    survivor = weakref.ref(first)
    del first
    make_cycles(None, None)
    assert collections_by_thread       # CPython collected on the way: no event loop, no explicit call
    assert survivor() is None


def test_without_a_qapplication_nothing_is_pinned_and_suspending_is_harmless(monkeypatch):
    monkeypatch.setattr(gui_gc, "installed", lambda: None)
    assert not gui_gc.is_pinned()
    enabled = gc.isenabled()
    with gui_gc.suspended():
        assert gc.isenabled() == enabled


@pytest.fixture
def pinned(qapp):
    return gui_gc.installed()


def test_the_oldest_generation_waits_for_cpythons_quarter_rule(pinned, monkeypatch):
    collector = pinned
    passes = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: passes.append(generation) or 0)
    over = tuple(t + 1 for t in gc.get_threshold())
    monkeypatch.setattr(gc, "get_count", lambda: over)   # every generation over its threshold
    monkeypatch.setattr(collector, "_long_lived_total", 1000)
    monkeypatch.setattr(collector, "_long_lived_pending", 100)    # < a quarter: not yet
    collector.collect()
    assert passes == [1]
    monkeypatch.setattr(collector, "_long_lived_pending", 251)    # > a quarter: the full pass
    collector.collect()
    assert passes == [1, 2]
    assert collector._long_lived_pending == 0


def test_nothing_is_collected_below_the_thresholds(pinned, monkeypatch):
    collector = pinned
    passes = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: passes.append(generation) or 0)
    monkeypatch.setattr(gc, "get_count", lambda: (0, 0, 0))
    collector.collect()
    assert passes == []


def test_freezing_the_survivors_takes_them_out_of_full_collections():
    from gdviz.compute.gui_gc import freeze_survivors
    try:
        frozen = freeze_survivors()
        assert frozen == gc.get_freeze_count() > 1000      # the interpreter, numpy, Qt, the tests
        assert len(gc.get_objects(2)) < frozen / 10         # what a full pass still walks
    finally:
        gc.unfreeze()                                       # the rest of the suite collects as usual


def test_the_first_tick_waits_for_the_event_loop(qapp, qtbot):
    """Installed before the window is built, the collector must not collect the whole start-up's
    allocations before the first paint: its ticking starts only once the event loop turns (the
    first paint came 50-60 ms later because of that collection)."""
    collector = GuiThreadCollector(qapp)
    collector.setObjectName("gdviz-test-collector")     # not the application's (installed() finds that)
    try:
        collector.pin()
        assert not collector._timer.isActive()           # nothing due while the window is built
        qtbot.waitUntil(collector._timer.isActive)        # the loop turned: ticking as before
        collector.suspend()
        collector.resume()
        assert collector._timer.isActive()               # later pins tick at once
    finally:
        collector._timer.stop()
        collector._first_turn.stop()
        collector.active = False
        qapp.aboutToQuit.disconnect(collector.release)
        collector.setParent(None)
        collector.deleteLater()
