"""The names of what gdviz can show: its tabs and the step-size lab's single canvases.

One Qt-free list, used by the command line, sessions, lessons, exports and the window, so a new
tab is named in one place.
"""
from __future__ import annotations

# The window's tabs, in order. A session reopens on one; a lesson step brings one forward.
TAB_VIEWS: tuple[str, ...] = ("flow", "lab", "2d", "momentum", "edge", "noise")
# One plot of a tab, brought forward or exported alone (a slide): the step-size lab's four, its
# Lyapunov exponent under the diagram ("lyapunov") and the diagram with its doublings marked
# ("doublings"); the 2-D tab's convergence-rate map over (η, μ) (issue 14 §3; its CSV is eta, mu,
# rate) and its sharpness along the paths (issue 15 §1).
CANVAS_VIEWS: tuple[str, ...] = ("compare", "error", "cobweb", "bifurcation", "lyapunov", "doublings",
                                 "rates", "sharpness")
VIEWS: tuple[str, ...] = TAB_VIEWS + CANVAS_VIEWS

# The tab that holds each single canvas.
CANVAS_TAB: dict[str, str] = {"compare": "lab", "error": "lab", "cobweb": "lab", "bifurcation": "lab",
                              "lyapunov": "lab", "doublings": "lab", "rates": "2d", "sharpness": "2d"}
# The views a 2-D run shows (the command line chooses a 2-D run for them).
TWO_D_VIEWS: tuple[str, ...] = ("2d", "rates", "sharpness")


def tab_of(view: str) -> str:
    """The tab that shows `view` (a tab names itself)."""
    if view in TAB_VIEWS:
        return view
    if view in CANVAS_TAB:
        return CANVAS_TAB[view]
    raise ValueError(f"no view named {view!r}; choose one of: {', '.join(VIEWS)}")
