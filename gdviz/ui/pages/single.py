"""A tab with one scene of its own, one job and one view: the momentum, edge of stability and SGD
noise tabs. The scene is None until the tab is first built, so start-up never imports its model;
subclasses say how to make the default scene and the view, and what to draw. An edit is not an
undo step unless the subclass records it (the momentum tab, whose scene is in sessions).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Page, side_column

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...compute.worker import ComputeError
    from ..animation import AnimationClock


class SingleScenePage(Page):
    """Subclasses set `self.job` in __init__ and define `default_scene()` and `make_view()`; the
    view has `set_scene`, `show_result`, `show_error` and a `changed(dict)` signal."""

    def __init__(self, host) -> None:
        super().__init__(host)
        self._scene: Any = None
        self.view: Any = None
        self._clock: AnimationClock | None = None

    def default_scene(self) -> Any:
        raise NotImplementedError

    def make_view(self) -> QWidget:
        raise NotImplementedError

    def make_clock(self, view: QWidget) -> AnimationClock:
        """The view's animation clock; by default one that nothing moves (the frame's transport
        needs one)."""
        from ..animation import AnimationClock
        return AnimationClock(view)

    def build(self) -> QWidget:
        if self._scene is None:
            self._scene = self.default_scene()
        view = self.view = self.make_view()
        self._clock = self.make_clock(view)
        view.set_scene(self._scene)
        view.changed.connect(lambda changes: self.edit(changes))
        controls = getattr(view, "controls", None)    # a view's settings, for the column beside the tabs
        self._side = side_column(controls, name=f"{self.title.split(':')[0]} settings") if controls is not None else None
        return view

    @property
    def clock(self) -> AnimationClock:
        self.widget()
        return self._clock

    @property
    def result(self) -> Any:
        return self.job.result

    # ----------------------------------------------------------------------------------- scene
    @property
    def scene(self) -> Any:
        """The tab's scene; None until the tab is first built (`current_scene` builds it)."""
        return self._scene

    def current_scene(self) -> Any:
        self.widget()
        return self._scene

    def set_scene(self, scene: Any, force: bool = True) -> None:
        if not force and not self.built:
            self._scene = scene
            return
        self._scene = scene if scene is not None else self.default_scene()
        self.widget()
        self.view.set_scene(self._scene)
        self.request(force=True)

    def edit(self, changes: dict, group: str | None = None) -> bool:
        """A user edit: shown and computed. False if it changed nothing (or was refused)."""
        scene = self.edited_scene(self.current_scene(), changes, self.view)
        if scene is None:
            return False
        self._scene = scene
        self.view.set_scene(scene)
        self.request()
        return True

    # -------------------------------------------------------------------------------- computing
    def request(self, force: bool = False) -> None:
        if self.closed or not (force or self.host.is_current(self)):
            return
        self.job.request(self.current_scene())

    def _draw(self, r: Any) -> None:
        self.view.show_result(r)

    def _show_error(self, err: ComputeError) -> None:
        self.view.show_error(err.message)
        self.failed.emit(err)

    def activate(self) -> None:
        self.view.set_scene(self.current_scene())
        self.request()
