"""The status bar's "computing…" speaks of the page on screen: the flow computing in the background
behind another tab showed it in 7 of 8 exports of the noise tab (and not in the eighth)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from gdviz.ui.busy_label import BUSY_AFTER_MS
from tests.ui.conftest import RESULT_TIMEOUT

LONG = 1_000_000     # flow steps: most of a second of computing, past BUSY_AFTER_MS


class Shows(QObject):
    """Counts the label's show events."""

    def __init__(self, label) -> None:
        super().__init__()
        self.count = 0
        label.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Show:
            self.count += 1
        return False


def test_computing_shows_while_the_flow_on_screen_is_late(qtbot, window):
    label = window.busy_label
    window.set_scenes({"flow": window.flow.scene.with_(steps=LONG)})
    assert not label.isVisible()                        # not before BUSY_AFTER_MS
    qtbot.waitUntil(label.isVisible, timeout=RESULT_TIMEOUT)
    assert window.flow.job.busy
    window.flow.wait_drawn(RESULT_TIMEOUT * 3)
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=RESULT_TIMEOUT)


def test_the_flow_computing_behind_another_tab_shows_nothing(qtbot, window):
    label = window.busy_label
    window.show_view("momentum")
    assert window.page("momentum").wait_drawn(RESULT_TIMEOUT)
    shows = Shows(label)
    window.set_scenes({"flow": window.flow.scene.with_(steps=LONG)})
    qtbot.waitUntil(lambda: window.flow.job.busy, timeout=RESULT_TIMEOUT)
    # the flow computes on for longer than BUSY_AFTER_MS behind the momentum tab...
    with qtbot.waitSignal(window.flow.drawn, timeout=RESULT_TIMEOUT * 3):
        window.flow.request(force=True)
    assert window.flow.result.scene.steps == LONG and BUSY_AFTER_MS < 1000
    assert shows.count == 0 and not label.isVisible()
    # ...and back on the flow tab, a late flow result shows it again
    window.show_view("flow")
    window.set_scenes({"flow": window.flow.scene.with_(steps=LONG - 1)})
    qtbot.waitUntil(label.isVisible, timeout=RESULT_TIMEOUT)
    window.show_view("momentum")                       # leaving the page hides it at once
    assert not label.isVisible()
