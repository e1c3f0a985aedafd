"""The h-ranges the bifurcation diagram was zoomed to, so Back can return to each in turn.

Plain Python (no Qt): the lab page keeps one and asks for the diagram over `current`, or over the
scene's own h-range while `current` is None.
"""
from __future__ import annotations

from dataclasses import dataclass, field

Range = tuple[float, float]
MAX_DEPTH = 50          # Back steps kept; older zooms are forgotten


@dataclass
class ZoomHistory:
    """The zoomed h-range on screen (None: the scene's) and the ones before it, newest last."""

    current: Range | None = None
    previous: list[Range | None] = field(default_factory=list)

    @property
    def can_go_back(self) -> bool:
        return bool(self.previous)

    def push(self, h_range: Range) -> bool:
        """Zoom to h_range, remembering where we were; False if it is already on screen."""
        if h_range == self.current:
            return False
        self.previous.append(self.current)
        del self.previous[:-MAX_DEPTH]
        self.current = h_range
        return True

    def back(self) -> bool:
        """Return to the range before the current one; False if there is none."""
        if not self.previous:
            return False
        self.current = self.previous.pop()
        return True

    def reset(self) -> bool:
        """Forget every zoom: the scene's own range again. False if nothing was zoomed."""
        changed = self.current is not None or bool(self.previous)
        self.current = None
        self.previous.clear()
        return changed
