"""The names of what gdviz can show: its tabs and the step-size lab's single canvases.

One Qt-free list, used by the command line, sessions, lessons, exports and the window, so a new
tab is named in one place.
"""
from __future__ import annotations

# The window's tabs, in order. A session reopens on one; a lesson step brings one forward.
TAB_VIEWS: tuple[str, ...] = ("flow", "lab", "2d", "momentum", "edge")
# One plot of the step-size lab, brought forward or exported alone (a slide).
CANVAS_VIEWS: tuple[str, ...] = ("compare", "error", "cobweb", "bifurcation")
VIEWS: tuple[str, ...] = TAB_VIEWS + CANVAS_VIEWS

# The tab that holds each single canvas.
CANVAS_TAB: dict[str, str] = {name: "lab" for name in CANVAS_VIEWS}


def tab_of(view: str) -> str:
    """The tab that shows `view` (a tab names itself)."""
    if view in TAB_VIEWS:
        return view
    if view in CANVAS_TAB:
        return CANVAS_TAB[view]
    raise ValueError(f"no view named {view!r}; choose one of: {', '.join(VIEWS)}")
