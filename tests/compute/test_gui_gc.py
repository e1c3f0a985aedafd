"""Garbage collection runs only in the GUI thread once workers exist (gdviz.compute.gui_gc).

Without the pin, a worker that allocates crosses CPython's threshold and collects on its own
thread, finalising Qt objects the GUI thread made: that deadlocked a CI run."""
from __future__ import annotations

import gc
import sys
import threading
import types
import weakref

import pytest

from gdviz.compute.gui_gc import GuiThreadCollector, pin_gc_to_gui_thread, unpin_gc
from gdviz.compute.worker import ComputeClient
from gdviz.model.scene import Scene


class _Node:
    """A reference cycle: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self


def _make_cycles(scene, should_stop):
    """A worker job that leaves far more cyclic garbage than the gen-0 threshold."""
    for _ in range(20 * gc.get_threshold()[0]):
        _Node()
    last = _Node()
    return weakref.ref(last)


@pytest.fixture
def garbage_job(monkeypatch):
    module = types.ModuleType("gdviz.model._gc_test_job")
    module.make_cycles = _make_cycles
    monkeypatch.setitem(sys.modules, "gdviz.model._gc_test_job", module)
    return "_gc_test_job:make_cycles"


@pytest.fixture
def collections_by_thread():
    seen: list[int] = []

    def note(phase, info):
        if phase == "start":
            seen.append(threading.get_ident())

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)


def test_a_worker_that_makes_garbage_never_collects_it_and_the_gui_thread_does(
        qtbot, garbage_job, collections_by_thread):
    client = ComputeClient(job=garbage_job, name="gdviz-gc-test")
    try:
        assert not gc.isenabled()                      # CPython's automatic collection is off
        with qtbot.waitSignal(client.result_ready, timeout=20_000) as blocker:
            client.request(Scene())
        survivor = blocker.args[0]
        main = threading.main_thread().ident
        assert all(ident == main for ident in collections_by_thread), "a collection ran on a worker"
        # ...and the cycles do not leak: the GUI thread's timer collects them.
        qtbot.waitUntil(lambda: survivor() is None, timeout=5_000)
        assert collections_by_thread and set(collections_by_thread) == {main}
    finally:
        client.shutdown()


@pytest.fixture
def pinned(qapp):
    collector = pin_gc_to_gui_thread()
    yield collector
    unpin_gc()


def test_the_pin_lasts_while_any_holder_needs_it_and_comes_back_if_switched_off(qapp):
    before = _collector_holders(qapp)
    first = pin_gc_to_gui_thread()
    assert isinstance(first, GuiThreadCollector) and not gc.isenabled()
    gc.enable()                                       # e.g. a library or a test switched it on
    assert pin_gc_to_gui_thread() is first and not gc.isenabled()
    assert len(qapp.findChildren(GuiThreadCollector)) == 1
    unpin_gc()
    assert not gc.isenabled()                         # one holder is left
    unpin_gc()
    assert first.holders == before
    assert gc.isenabled() == (before == 0)


def test_when_the_last_worker_is_joined_cpython_collects_as_usual_again(qapp, garbage_job):
    holders = _collector_holders(qapp)
    clients = [ComputeClient(job=garbage_job, name=f"gdviz-gc-test-{i}") for i in range(2)]
    assert not gc.isenabled()
    clients[0].shutdown()
    assert not gc.isenabled()                        # the other one still runs
    clients[1].shutdown()
    clients[1].shutdown()                            # idempotent: lets go once
    assert _collector_holders(qapp) == holders
    assert gc.isenabled() == (holders == 0)


def _collector_holders(qapp) -> int:
    found = qapp.findChild(GuiThreadCollector, "gdviz-gui-gc")
    return found.holders if found is not None else 0


def test_pinning_from_a_worker_thread_is_refused_when_nothing_is_pinned_yet(qapp, monkeypatch):
    monkeypatch.setattr(qapp, "findChild", lambda *a: None)   # as if no collector existed yet
    errors = []

    def worker():
        try:
            pin_gc_to_gui_thread()
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert errors and "GUI thread" in str(errors[0])


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
