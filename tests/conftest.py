"""Shared test setup: Qt runs headless everywhere (CI has no display), garbage collection is pinned
to the GUI thread as the app pins it, and every test that ran Qt is checked for leaks.

The leak check (after napari's `make_napari_viewer(strict_qt=True)` and its dangling-QThread
fixture): once a test and its fixtures are torn down and Qt's deferred deletions delivered, a test
fails if a top-level window it made is still alive, or a compute client it made
(`gdviz.compute.worker`, threads named "gdviz-...") was never shut down. Such a window keeps
its canvases, timers and clients for the rest of the run; such a thread runs on into later tests
(the check shuts it down once reported).

The switch: GDVIZ_LEAK_CHECK=strict (the default: a leak fails the test), =warn (a LeakWarning
in the summary), =off. KNOWN_LEAKS lists the leaks made by gdviz code being rewritten; in strict
mode they only warn until their entry is deleted.
"""
from __future__ import annotations

import gc
import os
import sys
import warnings
from dataclasses import dataclass

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

LEAK_CHECK = os.environ.get("GDVIZ_LEAK_CHECK", "strict")
if LEAK_CHECK not in ("strict", "warn", "off"):
    raise pytest.UsageError(f"GDVIZ_LEAK_CHECK={LEAK_CHECK!r}: use strict, warn or off")

# Test name (as in the node id, without parameters) -> what it leaks and whose code makes it.
# Tolerated (a warning) in strict mode only while listed: delete an entry when its leak is fixed.
KNOWN_LEAKS: dict[str, str] = {}


class LeakWarning(UserWarning):
    """A test left a window or a compute thread behind (GDVIZ_LEAK_CHECK=warn, or a known leak)."""


@pytest.fixture(scope="session")
def qapp(qapp):
    """pytest-qt's application, with collection pinned to its thread as gdviz.app pins the app's."""
    from gdviz.compute import gui_gc
    gui_gc.install(qapp)
    return qapp


@pytest.fixture(autouse=True)
def _cpython_collects_in_tests_without_qt(request):
    """A test that does not use the `qapp` fixture runs no event loop, so the GUI thread's collection
    timer never fires there: hand collection back to CPython for it (the model's tests after the
    GUI tests in one process). If such a test starts a compute thread all the same, the client
    warns that collection is not pinned, and the warning fails the test: give it `qapp`."""
    if "qapp" in request.fixturenames or "gdviz.compute.gui_gc" not in sys.modules:
        yield
        return
    from gdviz.compute import gui_gc
    with gui_gc.suspended():
        yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


@dataclass(frozen=True)
class _Before:
    windows: frozenset[int]     # C++ addresses of the top-level widgets alive at the start
    clients_made: int


def _qt_loaded() -> bool:
    return "PySide6.QtWidgets" in sys.modules


def _top_level_windows() -> dict[int, object]:
    from PySide6.QtWidgets import QApplication
    from shiboken6 import Shiboken
    if QApplication.instance() is None:
        return {}
    return {Shiboken.getCppPointer(w)[0]: w for w in QApplication.topLevelWidgets()}


def _deliver_deferred_deletions() -> None:
    from PySide6.QtCore import QCoreApplication, QEvent
    if QCoreApplication.instance() is None:
        return
    for _ in range(3):      # a deletion can post another (a window's children, their timers)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


def _describe(widget) -> str:
    title = widget.windowTitle()
    name = widget.objectName()
    text = (f"{type(widget).__module__}.{type(widget).__qualname__}"
            + (f" {name!r}" if name else "") + (f" titled {title!r}" if title else "")
            + (" (visible)" if widget.isVisible() else " (hidden)"))
    if type(widget).__module__.startswith("PySide6"):     # a plain container: say what it holds
        from PySide6.QtWidgets import QWidget
        inside = sorted({type(c).__qualname__ for c in widget.findChildren(QWidget)
                         if not type(c).__module__.startswith("PySide6")})
        if inside:
            text += " holding " + ", ".join(inside[:4]) + (", ..." if len(inside) > 4 else "")
    return text


def _leaked_windows(before: frozenset[int]) -> list[str]:
    if set(_top_level_windows()) <= before:    # (keeps no widget: a reference would keep it alive)
        return []
    gc.collect()                        # garbage in a cycle is not a leak: collect it, then look again
    _deliver_deferred_deletions()
    new = {ptr: w for ptr, w in _top_level_windows().items() if ptr not in before}
    leaked: dict[str, int] = {}
    for w in new.values():
        if type(w).__name__ == "QTipLabel":       # Qt's shared tooltip: it hides and deletes itself
            continue
        parent = w.parentWidget()
        window = parent.window() if parent is not None else None
        if window is not None and _ptr(window) in new:
            continue                              # a menu or dialog of a window reported already
        text = _describe(w)
        if window is not None:
            text += f", child of a window alive before: {_describe(window)}"
        elif not type(w).__module__.startswith("gdviz"):
            text += _kept_by(w)         # e.g. pyqtgraph's parentless plot menus: whose plot is it?
        leaked[text] = leaked.get(text, 0) + 1
    return sorted(f"{n} x {text}" if n > 1 else text for text, n in leaked.items())


def _kept_by(obj, budget: int = 3000) -> str:
    """The nearest gdviz widget that (through Python references) keeps `obj` alive, if any."""
    import types
    from collections import deque

    from PySide6.QtWidgets import QWidget
    seen = {id(obj)}
    queue = deque([obj])
    bookkeeping = {id(seen), id(queue)}
    while queue and budget > 0:
        budget -= 1
        for referrer in gc.get_referrers(queue.popleft()):
            if id(referrer) in seen or id(referrer) in bookkeeping or isinstance(referrer, types.FrameType):
                continue
            seen.add(id(referrer))
            if type(referrer).__module__.startswith("gdviz.") and isinstance(referrer, QWidget):
                return f", held by a {type(referrer).__module__}.{type(referrer).__qualname__}"
            queue.append(referrer)
    return ""


def _ptr(widget) -> int:
    from shiboken6 import Shiboken
    return Shiboken.getCppPointer(widget)[0]


def _stop_running_clients(made_after: int) -> list[str]:
    """The compute clients the test made and never shut down, shut down now (later tests must not
    inherit their threads)."""
    if "gdviz.compute.worker" not in sys.modules:
        return []
    from gdviz.compute.worker import running_clients
    running = running_clients(made_after)
    for client in running:
        client.shutdown()
    return [f"compute thread {c.name!r} (client #{c.serial}) still running: never shut down" for c in running]


@pytest.fixture(autouse=True)
def _no_leaked_windows_or_threads(request):
    if LEAK_CHECK == "off":
        yield
        return
    clients = sys.modules.get("gdviz.compute.worker")
    before = _Before(frozenset(_top_level_windows()) if _qt_loaded() else frozenset(),
                     clients.clients_made() if clients is not None else 0)
    yield
    if not _qt_loaded():
        return
    _deliver_deferred_deletions()
    threads = _stop_running_clients(before.clients_made)
    if request.node.stash.get(_CALL_FAILED, False):
        return            # a failed test's traceback holds its windows: its leaks are not news
    # pytest drops the fixtures' values only after the whole teardown; until then they would keep
    # a closed window's Python side (its canvases, pyqtgraph's parentless menus) alive. Every
    # fixture the test used is torn down by now, except session ones and this module's.
    funcargs = getattr(request.node, "funcargs", None)
    if funcargs:
        funcargs.clear()
    leaks = threads + _leaked_windows(before.windows)
    if not leaks:
        return
    name = request.node.originalname
    text = f"{request.node.nodeid} leaked:\n  " + "\n  ".join(leaks)
    if LEAK_CHECK == "strict" and name not in KNOWN_LEAKS:
        pytest.fail(text + "\n(a window: close it and deleteLater(), or qtbot.addWidget(it); a compute "
                    "client: shutdown(). GDVIZ_LEAK_CHECK=warn reports without failing.)", pytrace=False)
    if name in KNOWN_LEAKS:
        text += f"\n(known: {KNOWN_LEAKS[name]})"
    warnings.warn(LeakWarning(text), stacklevel=1)
