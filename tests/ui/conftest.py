"""UI test fixtures: an isolated settings folder and a `window` that has drawn its first result.
The tests drive the real pipeline: editor/panel -> Scene -> worker thread -> evaluate -> canvases."""
from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# QSettings (window geometry) must not touch the developer's real configuration.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="gdviz-test-config-")
# Autosaves (and anything else under the user's data folder) stay out of the real home too.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="gdviz-test-data-")

import pytest

RESULT_TIMEOUT = 20_000


@pytest.fixture(autouse=True)
def fresh_settings():
    """Each test's windows start from no saved preferences: a window closed at 1280x720 by one test
    opened the next test's window at that size, where the lab shows one plot at a time."""
    from gdviz.ui.window_settings import settings
    settings().clear()
    yield
    settings().clear()


@pytest.fixture
def window(qtbot):
    """A shown main window that has drawn its first result. At the end qtbot shuts it down (its
    clients' threads joined, no save prompt whatever the test did), closes it and deletes it."""
    from gdviz.ui.main_window import MainWindow
    w = MainWindow()
    qtbot.addWidget(w, before_close_func=lambda w: w.shutdown())
    with qtbot.waitSignal(w.result_shown, timeout=RESULT_TIMEOUT):
        w.show()
    qtbot.waitExposed(w)
    w.repaint()          # the first paint (fonts, layouts) is done before a test starts timing anything
    return w
