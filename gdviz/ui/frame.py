"""The window's public API, as the add-ons (documents, exports, lesson, presentation) see it.

Add-ons are typed against this Protocol, not against MainWindow, so they never import the window
(no import circle) and a reader sees in one place everything they may touch.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QDockWidget, QSplitter, QTabWidget, QToolBar, QWidget

    from ..model.session import Session
    from .actions import ActionBoard
    from .animation import AnimationClock
    from .pages.base import Page
    from .scene_history import WindowState

T = TypeVar("T")


class Frame(Protocol):
    """What a QMainWindow subclass offers besides Qt's own API (addDockWidget, style, size, ...)."""

    board: ActionBoard                 # declare actions here: menus, sections, toolbar
    pages: dict[str, Page]             # by view name (gdviz.model.views.TAB_VIEWS)
    addons: dict[str, Any]               # what add_addon installed, by name
    tabs: QTabWidget
    splitter: QSplitter                # the column beside the tabs | the tabs
    side_column: QWidget | None        # that column (the page on screen's side widget), if any
    toolbar: QToolBar
    table_dock: QDockWidget
    state_changed: SignalInstance

    @property
    def current_page(self) -> Page: ...
    def add_addon(self, name: str, addon: T) -> T: ...
    def show_view(self, view: str) -> None: ...
    def show_status(self, text: str, timeout_ms: int = 0, error: bool = False) -> None: ...
    def active_clock(self) -> AnimationClock: ...
    def wait_drawn(self, timeout_ms: int = ...) -> bool: ...
    def record(self, group: str | None = None) -> None: ...
    def set_scenes(self, scenes: dict[str, Any], view: str | None = None) -> None: ...
    def state(self) -> WindowState: ...
    def savable_state(self) -> WindowState: ...
    def unsaved_drafts(self) -> list[str]: ...
    def session(self) -> Session: ...
    def apply_session(self, session: Session) -> None: ...
    def set_document(self, name: str, modified: bool) -> None: ...
