"""The window's preferences in QSettings ("gdviz"/"gdviz"): its geometry, docks and toolbar, the
column's width, and the animation speed."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QSplitter

    from .animation import AnimationClock
    from .animation_bar import AnimationBar

SETTINGS_ORG = "gdviz"
SETTINGS_APP = "gdviz"
DEFAULT_SIZE = QSize(1500, 940)


def settings() -> QSettings:
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


def restore_window(window: QMainWindow, splitter: QSplitter, clock: AnimationClock,
                   bar: AnimationBar) -> None:
    s = settings()
    geometry = s.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    else:
        window.resize(DEFAULT_SIZE)
    state = s.value("window/state")
    if isinstance(state, QByteArray) and not state.isEmpty():
        window.restoreState(state)
    sizes = s.value("window/splitter")
    if isinstance(sizes, QByteArray) and not sizes.isEmpty():
        splitter.restoreState(sizes)
    try:
        speed = float(s.value("animation/speed", clock.speed))
    except (TypeError, ValueError):
        speed = clock.speed
    clock.set_speed(speed)
    bar.set_speed(speed)


def save_window(window: QMainWindow, splitter: QSplitter, clock: AnimationClock) -> None:
    s = settings()
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    s.setValue("window/splitter", splitter.saveState())
    s.setValue("animation/speed", clock.speed)
