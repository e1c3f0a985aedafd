"""ComputeClient runs the job it is given (a function) on a thread of its own; newest wins; failures
become ComputeErrors. The jobs of gdviz.compute.jobs serve the model functions they are named for."""
from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import QThread

from gdviz.compute import gui_gc, jobs
from gdviz.compute.worker import (
    ComputeClient,
    ComputeError,
    clients_made,
    running_clients,
)

TIMEOUT = 10_000


@pytest.fixture
def make_client(qapp):
    made: list[ComputeClient] = []

    def make(job, **kwargs) -> ComputeClient:
        made.append(ComputeClient(job=job, **kwargs))
        return made[-1]

    yield make
    for client in made:
        client.shutdown()


def test_a_job_function_runs_on_the_clients_own_thread(qtbot, make_client):
    seen = {}

    def where(scene, should_stop):
        seen["thread"] = threading.current_thread()
        seen["qthread"] = QThread.currentThread().objectName()
        return scene * 2

    client = make_client(where, name="gdviz-test-where")
    with qtbot.waitSignal(client.result_ready, timeout=TIMEOUT) as blocker:
        client.request(21)
    assert blocker.args == [42]
    assert seen["thread"] is not threading.main_thread()
    assert seen["qthread"] == "gdviz-test-where"


def test_the_newest_request_wins_and_the_replaced_ones_never_run(qtbot, make_client):
    gate = threading.Event()
    started = threading.Event()
    ran: list[int] = []
    stopped: list[bool] = []

    def slow(scene, should_stop):
        ran.append(scene)
        if scene == 1:
            started.set()
            assert gate.wait(TIMEOUT / 1000)
            stopped.append(should_stop())        # requests 2 and 3 superseded it
        return scene

    client = make_client(slow, name="gdviz-test-newest")
    delivered: list[int] = []
    client.result_ready.connect(delivered.append)
    client.request(1)
    assert started.wait(TIMEOUT / 1000)
    client.request(2)                            # waits...
    client.request(3)                            # ...and is replaced while it waits
    gate.set()
    qtbot.waitUntil(lambda: delivered == [3], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not client.busy, timeout=TIMEOUT)
    assert ran == [1, 3] and stopped == [True] and delivered == [3]


@pytest.mark.parametrize("raised, message, column", [
    (ValueError("h must be positive"), "h must be positive", None),
    (RuntimeError("boom"), "could not compute this scene: boom", None),
])
def test_a_failing_job_becomes_a_compute_error(qtbot, make_client, raised, message, column):
    def fails(scene, should_stop):
        raise raised

    client = make_client(fails, name="gdviz-test-fails")
    with qtbot.waitSignal(client.failed, timeout=TIMEOUT) as blocker:
        rid = client.request("scene")
    error = blocker.args[0]
    assert error == ComputeError(rid, "scene", message, column)


def test_an_equation_error_keeps_its_column(qtbot, make_client):
    from gdviz.model.expressions import ExpressionError

    def fails(scene, should_stop):
        raise ExpressionError("unknown name 'y'", 5)

    client = make_client(fails, name="gdviz-test-column")
    with qtbot.waitSignal(client.failed, timeout=TIMEOUT) as blocker:
        client.request("x + y")
    assert (blocker.args[0].message, blocker.args[0].column) == ("unknown name 'y'", 5)


def test_a_cancelled_job_delivers_nothing(qtbot, make_client):
    from gdviz.model.euler import Cancelled

    def cancelled(scene, should_stop):
        raise Cancelled()

    client = make_client(cancelled, name="gdviz-test-cancelled")
    delivered = []
    client.result_ready.connect(delivered.append)
    client.failed.connect(delivered.append)
    with qtbot.waitSignal(client.busy_changed, timeout=TIMEOUT, check_params_cb=lambda busy: not busy):
        client.request("scene")
    assert delivered == []


def test_a_client_with_progress_reports_its_jobs_fractions(qtbot, make_client):
    def counts(scene, should_stop, progress):
        for i in range(1, 5):
            progress(i / 4)
        return scene

    client = make_client(counts, with_progress=True, name="gdviz-test-progress")
    fractions: list[float] = []
    client.progress.connect(fractions.append)
    with qtbot.waitSignal(client.result_ready, timeout=TIMEOUT):
        client.request("scene")
    assert fractions == [0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize("job, module, name, takes_progress", [
    (jobs.evaluate_scene, "gdviz.model.results", "evaluate", False),
    (jobs.evaluate_lab, "gdviz.model.lab", "evaluate_lab", False),
    (jobs.evaluate_orbits, "gdviz.model.lab", "evaluate_orbits", True),
    (jobs.evaluate_2d, "gdviz.model.results2d", "evaluate_2d", False),
    (jobs.evaluate_basins, "gdviz.model.results2d", "evaluate_basins", True),
    (jobs.evaluate_momentum, "gdviz.model.momentum", "evaluate_momentum", False),
])
def test_each_job_calls_the_model_function_it_is_named_for(monkeypatch, job, module, name, takes_progress):
    import importlib
    calls = []
    monkeypatch.setattr(importlib.import_module(module), name, lambda scene, **kw: calls.append((scene, kw)) or "r")

    def stop():
        return False

    def progress(fraction):
        pass

    kwargs = {"should_stop": stop, **({"progress": progress} if takes_progress else {})}
    assert job("scene", **kwargs) == "r"
    assert calls == [("scene", kwargs)]


def test_the_default_job_is_the_flows():
    import inspect
    assert inspect.signature(ComputeClient).parameters["job"].default is jobs.evaluate_scene


def test_importing_the_worker_and_its_jobs_loads_neither_the_model_nor_sympy():
    code = ("import sys, gdviz.compute.worker, gdviz.compute.jobs; "
            "print(sorted(m for m in sys.modules if m.startswith('gdviz.model') or m.split('.')[0] == 'sympy'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_registry_knows_which_clients_were_never_shut_down(qapp):
    made_before = clients_made()
    client = ComputeClient(job=jobs.evaluate_scene, name="gdviz-test-registry")
    try:
        assert client.serial == clients_made() == made_before + 1
        assert running_clients(made_before) == [client]
    finally:
        client.shutdown()
    assert running_clients(made_before) == []
    client.shutdown()                            # idempotent


def test_a_client_started_while_collection_is_not_pinned_says_so(qapp):
    with gui_gc.suspended(), pytest.warns(RuntimeWarning, match="gui_gc.install"):
        client = ComputeClient(job=jobs.evaluate_scene, name="gdviz-test-unpinned")
    client.shutdown()


DELETED_WITH_ITS_PARENT = """
import threading, time
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gdviz.compute import gui_gc
gui_gc.install(app)
from gdviz.compute.worker import ComputeClient, running_clients
started = threading.Event()

def endless(scene, should_stop):
    started.set()
    while not should_stop():
        time.sleep(0.001)

parent = QObject()
ComputeClient(parent, job=endless, name="gdviz-orphan").request(None)
assert started.wait(10) and len(running_clients()) == 1
parent.deleteLater()
QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
print("joined" if not running_clients() else "still running", flush=True)
"""


def test_a_client_deleted_with_its_parent_joins_its_thread_instead_of_aborting_the_process():
    # Before the fix Qt aborted: "QThread: Destroyed while thread 'gdviz-orphan' is still running".
    run = subprocess.run([sys.executable, "-c", DELETED_WITH_ITS_PARENT], capture_output=True, text=True,
                         timeout=60, check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert (run.returncode, run.stdout.strip()) == (0, "joined"), run.stderr
