"""Undo/redo over the window's immutable scenes. A drag of one slider is one undo step, not three
hundred."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ..model.momentum import MomentumScene
    from ..model.scene import Scene
    from ..model.scene2d import Scene2D


class WindowState(NamedTuple):
    """Every tab's scene at one moment: the flow and lab tabs' Scene, the 2-D tab's Scene2D and the
    momentum tab's MomentumScene (None until that tab is first built)."""

    scene: Scene
    plane: Scene2D
    momentum: MomentumScene | None

COALESCE_SECONDS = 0.8
LIMIT = 200


class SceneHistory:
    """A list of states (any immutable, comparable values) with a cursor; edits of the same kind
    in quick succession merge."""

    def __init__(self, scene: object, clock: Callable[[], float] = time.monotonic) -> None:
        self._scenes: list = [scene]
        self._pos = 0
        self._group: str | None = None
        self._stamp = 0.0
        self._clock = clock

    @property
    def current(self) -> object:
        return self._scenes[self._pos]

    def push(self, scene: object, group: str | None = None) -> None:
        if scene == self.current:
            return
        now = self._clock()
        del self._scenes[self._pos + 1:]
        merge = (group is not None and group == self._group and now - self._stamp < COALESCE_SECONDS
                 and self._pos > 0)
        if merge:
            self._scenes[self._pos] = scene
        else:
            self._scenes.append(scene)
            if len(self._scenes) > LIMIT:
                del self._scenes[0]
            self._pos = len(self._scenes) - 1
        self._group, self._stamp = group, now

    def seal(self) -> None:
        """The next edit starts a new step (e.g. after a save, so undo can return to what was saved)."""
        self._group = None

    def replace(self, scene: object) -> None:
        """Amend the current entry (e.g. parameters the worker discovered) without a new undo step."""
        self._scenes[self._pos] = scene

    def can_undo(self) -> bool:
        return self._pos > 0

    def can_redo(self) -> bool:
        return self._pos < len(self._scenes) - 1

    def undo(self) -> object:
        if not self.can_undo():
            return None
        self._pos -= 1
        self._group = None
        return self.current

    def redo(self) -> object:
        if not self.can_redo():
            return None
        self._pos += 1
        self._group = None
        return self.current
