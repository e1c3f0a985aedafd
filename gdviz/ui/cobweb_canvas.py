"""The cobweb of Euler's map g(x) = x + h·f(x): the graph of g, the diagonal, and the staircase of
the iterates (up to the diagonal, across to the graph), advancing with the animation.

Fixed points of g are where its graph crosses the diagonal: exactly the equilibria of the flow.
Whether the cobweb spirals in, steps in, or flies out is read off the slope g'(x*) = 1 + h f'(x*).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt

from . import style
from .canvas import Canvas, CornerText, path_item, scatter_item, set_if_changed, set_path
from .function_canvas import enum_value
from .style import STYLE

if TYPE_CHECKING:
    from ..model.results import SceneResult


def slope_sentence(multiplier: float) -> str:
    """What the slope g'(x*) = 1 + h f'(x*) of the map at its fixed point means."""
    if not math.isfinite(multiplier):
        return ""
    if abs(multiplier) < 1e-12:
        return "lands on x* at once"
    if 0 < multiplier < 1:
        return "steps straight in"
    if -1 < multiplier < 0:
        return "spirals in (oscillates)"
    if multiplier == 1:
        return "neutral: creeps"
    if multiplier == -1:
        return "neutral: a 2-cycle"
    return "x* repels"


class CobwebCanvas(Canvas):
    """g(x) = x + h f(x), the line y = x, fixed points, and the cobweb of the iterates."""

    def __init__(self, parent=None) -> None:
        super().__init__("Cobweb of g = x + h·f", "xₙ", "xₙ₊₁", parent)
        self.setToolTip("Euler's map g takes xₙ to xₙ₊₁: up to the graph, across to the diagonal, repeat.\n"
                        "Click (or drag) to set x₀.")
        self.diagonal = path_item(style.MUTED, 2, style_=Qt.PenStyle.DashLine)
        self.graph = path_item(style.CONTINUOUS, STYLE.curve_px)
        self.future = path_item(style.DISCRETE, STYLE.faint_px, alpha=0.3)
        self.done = path_item(style.DISCRETE, STYLE.path_px)
        self.fixed = scatter_item(STYLE.equilibrium_px * 0.8, style.BACKGROUND, (style.INK, 2))
        self.current = scatter_item(STYLE.current_px, style.CURRENT, (style.BLACK, 2.5))
        for z, item in enumerate((self.diagonal, self.graph, self.future, self.done, self.fixed, self.current)):
            item.setZValue(z)
            self.addItem(item, ignoreBounds=True)
        self.cache_static(self.diagonal, self.graph, self.future, self.fixed)
        self.info = CornerText(self.view, style.INK, "bottom-right")
        self._px = np.empty(0)
        self._py = np.empty(0)
        self.current_index = 0
        self.result: SceneResult | None = None

    def show_result(self, r: SceneResult, index: int | None = None) -> None:
        s = r.scene
        self.result = r
        a, b = s.x_range
        set_if_changed(self.diagonal, np.array([a, b]) + np.array([-1e3, 1e3]) * (b - a),
                       np.array([a, b]) + np.array([-1e3, 1e3]) * (b - a))
        set_if_changed(self.graph, np.asarray(r.grid_x), np.asarray(r.grid_g), connect="finite")
        self._px, self._py = r.cobweb()
        set_path(self.future, self._px, self._py)
        # A fixed point of g attracts when |g'(x*)| = |1 + h f'(x*)| < 1: filled, as on the phase
        # line, but for the map at this h (the flow's stable x* stops attracting past 2/|f'(x*)|).
        eqs = [e for e in r.equilibria if np.isfinite(e.x)]
        fixed = np.array([e.x for e in eqs], dtype=float)
        # At a jump of f (a kink of F) g jumps across the diagonal: the staircase bounces, never lands.
        attracting = [e.jump is None and (abs(1.0 + s.h * e.slope) < 1.0
                                          or (e.slope == 0 and enum_value(e.stability) == "stable"))
                      for e in eqs]
        brushes = [style.brush(style.INK if a else style.BACKGROUND) for a in attracting]
        set_if_changed(self.fixed, fixed, fixed, brush=brushes)
        e = r.attractor
        if e is not None and e.jump is not None:
            self.info.show_html(
                f'<span style="font-size:{STYLE.pt(STYLE.annotation_pt):.0f}pt">'
                f"g jumps at x*: the staircase<br>bounces, never lands</span>")
        elif e is not None and math.isfinite(e.slope):
            m = 1.0 + s.h * e.slope
            self.info.show_html(
                f'<span style="font-size:{STYLE.pt(STYLE.annotation_pt):.0f}pt">'
                f"h = {s.h:.4g}: g′(x*) = <b>{m:.3g}</b>,<br>{slope_sentence(m)}</span>")
        else:
            self.info.show_html("")
        self.set_message(f"Diverged at step {r.diverged_at}" if r.diverged_at >= 0 else "")
        key = (s.x_range, s.text, s.kind, s.direction, s.params)
        self.set_ranges_once(key, s.x_range, s.x_range)
        self.show_index(len(r.x) - 1 if index is None else index)

    def show_index(self, n: int) -> None:
        if len(self._px) == 0:
            return
        last = (len(self._px) - 1) // 2
        n = max(0, min(n, last))
        set_path(self.done, self._px[: 2 * n + 1], self._py[: 2 * n + 1])
        x = self._px[2 * n]
        if np.isfinite(x):
            self.current.setData([x], [x])
        else:
            self.current.setData([], [])
        self.current_index = n
