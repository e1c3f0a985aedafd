"""Canvas 3: Euler's iterates x_n against t = n·h over the flow's solution x(t).

Gradient ascent's iterates are Euler's approximation of the solution through x0: the dots
follow the curve, closer for smaller h. Equilibria are horizontal dashed lines; optionally
the article's bundle of solutions (exact curves and Euler iterates from a spread of starts).
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ..model.method_names import METHOD_SHORT, STEP_RULE_TITLES
from . import style
from .canvas import Canvas, line_item, path_item, relist_legend, scatter_item, set_if_changed, set_path
from .function_canvas import enum_value
from .style import STYLE

if TYPE_CHECKING:
    from ..model.results import SceneResult


MODIFIED_LABEL = "modified flow (what Euler follows)"
ROW_POINTS_UP_TO = 1000   # per bundle curve: more than the plot has pixels across
FLAT_TOLERANCE = 1e-9     # of the x-range: a bundle curve moving less per point is drawn flat


def peak_decimate(t: np.ndarray, rows: np.ndarray, limit: int = ROW_POINTS_UP_TO) -> tuple[np.ndarray, np.ndarray]:
    """Each row cut to about `limit` points, keeping every bin's min and max (so an oscillating
    Euler path keeps its envelope). 50 antialiased curves of 5,000 points took 0.3 s to stroke."""
    n = rows.shape[1]
    if n <= limit:
        return t, rows
    k = -(-2 * n // limit)                        # bin width: two points (min, max) per bin
    nbins = n // k
    body_t = t[: nbins * k].reshape(nbins, k)
    body = rows[:, : nbins * k].reshape(rows.shape[0], nbins, k)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN bins after divergence
        lo, hi = np.nanmin(body, axis=2), np.nanmax(body, axis=2)
    tt = np.repeat(body_t[:, [0, -1]], 1, axis=0).ravel()
    yy = np.stack([lo, hi], axis=2).reshape(rows.shape[0], -1)
    return np.append(tt, t[-1]), np.hstack([yy, rows[:, -1:]])


def drop_flat_runs(t: np.ndarray, y: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """The same polyline (connect='finite') with fewer points: inside a run where y moves by at
    most `tol` per point only the run's two ends stay, and of a run of NaN only the first.

    The bundle's curves spend most of their points resting at an equilibrium, and a diverged start
    leaves a NaN tail: of 45,500 points a third are left at h = 0.01, and the heavy scene's bundle
    paints in half the time. A run of m points may lean by m·tol at most; the canvas passes a
    billionth of the x-range, so no zoom short of a million times shows it."""
    with np.errstate(invalid="ignore"):
        moves = ~(np.abs(np.diff(y)) <= tol)       # a step to or from NaN moves
    keep = np.ones(len(y), dtype=bool)
    keep[1:-1] = moves[:-1] | moves[1:]
    nan = np.isnan(y)
    keep[1:] &= ~(nan[1:] & nan[:-1])
    return t[keep], y[keep]


def rows_with_gaps(t: np.ndarray, rows: np.ndarray, tol: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Many curves in one item: each row of `rows` against `t`, separated by NaN (connect='finite'),
    peak-decimated and with flat runs dropped (see drop_flat_runs)."""
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    k = rows.shape[0]
    if k == 0 or rows.shape[1] == 0:
        return np.empty(0), np.empty(0)
    t, rows = peak_decimate(np.asarray(t, dtype=float), rows)
    t = np.broadcast_to(t, rows.shape)
    gap = np.full((k, 1), np.nan)
    return drop_flat_runs(np.hstack([t, gap]).ravel(), np.hstack([rows, gap]).ravel(), tol)


def _iterates_label(s, h_steps) -> str:
    """The legend of the iterates: the method and its h, or the rule and the range of h_k it chose."""
    name = METHOD_SHORT.get(getattr(s, "method", "euler"), "Euler")
    h = np.asarray(h_steps, dtype=float)
    h = h[np.isfinite(h)]
    if getattr(s, "step_rule", "fixed") == "fixed" or not h.size:
        return f"{name} xₙ, h = {s.h:.4g}"
    rule = STEP_RULE_TITLES.get(s.step_rule, s.step_rule)
    return f"{name} xₙ, {rule}: hₖ from {h.min():.3g} to {h.max():.3g}"


class TimeCanvas(Canvas):
    """x_n vs t_n = n h, the solution x(t), equilibria and the optional bundle."""

    x_padding = 0.035   # room for the highlighted last iterate at the right edge

    def __init__(self, parent=None) -> None:
        super().__init__("Euler's iterates xₙ follow the flow x(t)", "t = n·h", "x", parent)
        # the bundle stays thin in every look (scaled=False): see Style.bundle_px
        self.bundle_flow = path_item(style.BUNDLE_FLOW, STYLE.bundle_px, alpha=0.9, scaled=False)
        self.bundle_euler = path_item(style.BUNDLE_EULER, STYLE.bundle_px, alpha=0.85,
                                      style_=Qt.PenStyle.DashLine, scaled=False)
        self.reference = path_item(style.CONTINUOUS, STYLE.curve_px)
        self.modified = path_item(style.MODIFIED, STYLE.curve_px, style_=Qt.PenStyle.DashLine)
        self.future = path_item(style.DISCRETE, STYLE.faint_px, alpha=0.3, dots=STYLE.dot_px * 0.8, series=True)
        self.done = path_item(style.DISCRETE, STYLE.path_px, dots=STYLE.dot_px, series=True)
        self.current = scatter_item(STYLE.current_px, style.CURRENT, (style.BLACK, 2.5))
        for z, item in enumerate((self.bundle_flow, self.bundle_euler, self.reference, self.modified,
                                  self.future, self.done)):
            item.setZValue(z + 2)
            self.addItem(item, ignoreBounds=True)
        self.current.setZValue(20)
        self.addItem(self.current, ignoreBounds=True)
        self.legend = self.add_legend((-10, -10))
        self.legend.addItem(self.done, "Euler xₙ")
        self.legend.addItem(self.reference, "solution x(t)")
        self.cache_static(self.bundle_flow, self.bundle_euler, self.reference, self.modified, self.future)
        self._eq_lines: list[pg.InfiniteLine] = []
        self._t = np.empty(0)
        self._x = np.empty(0)
        self.current_index = 0
        self.result: SceneResult | None = None

    def _legend_label(self, index: int, text: str) -> None:
        self.legend.items[index][1].setText(text)

    def show_result(self, r: SceneResult, index: int | None = None) -> None:
        s = r.scene
        self.result = r
        self._t, self._x = np.asarray(r.t), np.asarray(r.x)
        set_if_changed(self.reference, np.asarray(r.ref_t), np.asarray(r.ref_x), connect="finite")
        set_path(self.future, self._t, self._x, dots=1)
        self._legend_label(0, _iterates_label(s, getattr(r, "h_steps", ())))
        self._legend_label(1, "solution x(t)" + ("" if getattr(r, "ref_exact", True) else " (numerical)"))
        self._show_modified(r)
        if len(r.bundle_x0):
            tol = FLAT_TOLERANCE * (s.x_range[1] - s.x_range[0])
            set_if_changed(self.bundle_flow, *rows_with_gaps(r.ref_t, r.bundle_ref_x, tol), connect="finite")
            set_if_changed(self.bundle_euler, *rows_with_gaps(r.t, r.bundle_x, tol), connect="finite")
        else:
            set_if_changed(self.bundle_flow, np.empty(0), np.empty(0))
            set_if_changed(self.bundle_euler, np.empty(0), np.empty(0))
        self._show_equilibria(r)
        fixed_h = getattr(s, "step_rule", "fixed") == "fixed"
        self.set_message(f"Diverged at step {r.diverged_at} (t = {r.diverged_at * s.h:.4g})" if r.diverged_at >= 0
                         and fixed_h else f"Diverged at step {r.diverged_at}" if r.diverged_at >= 0 else "")
        # with a step-size rule the iterates sit at t_n = Σ h_k: the axis follows the last of them
        t_end = float(s.steps * s.h) if fixed_h else float(np.nanmax(self._t)) if np.isfinite(self._t).any() else 1.0
        self.set_ranges_once((s.x_range, t_end), (0.0, t_end), s.x_range)
        self.show_index(len(self._x) - 1 if index is None else index)

    def _show_modified(self, r: SceneResult) -> None:
        """The modified flow's curve, and its legend entry only while it is drawn."""
        t, x = np.asarray(getattr(r, "modified_t", ())), np.asarray(getattr(r, "modified_x", ()))
        set_if_changed(self.modified, t, x, connect="finite")
        shown = x.size > 0
        self.modified.setVisible(shown)
        listed = any(sample.item is self.modified for sample, _ in self.legend.items)
        if shown != listed:
            entries = [(sample.item, label.text) for sample, label in self.legend.items
                       if sample.item is not self.modified]
            relist_legend(self.legend, entries + ([(self.modified, MODIFIED_LABEL)] if shown else []))

    def _show_equilibria(self, r: SceneResult) -> None:
        eqs = [e for e in r.equilibria if np.isfinite(e.x)]
        while len(self._eq_lines) < len(eqs):
            line = line_item(style.MUTED, 1.8, dash=True, angle=0, label="", position=0.015,
                             label_colour=style.INK, label_pt=STYLE.annotation_pt - 1, fill=0.67,
                             anchors=[(0, 1), (0, 1)])
            line.setZValue(1)
            self.addItem(line, ignoreBounds=True)
            self._eq_lines.append(line)
        for i, line in enumerate(self._eq_lines):
            if i < len(eqs):
                e = eqs[i]
                line.show()    # first: a hidden line's label ignores setFormat
                line.setValue(e.x)
                line.label.setFormat(f"x* = {e.x:.4g} ({enum_value(e.stability)})")
            else:
                line.hide()

    def equilibrium_levels(self) -> list[float]:
        return [ln.value() for ln in self._eq_lines if ln.isVisible()]

    def show_index(self, n: int) -> None:
        if len(self._x) == 0:
            return
        n = max(0, min(n, len(self._x) - 1))
        set_path(self.done, self._t[: n + 1], self._x[: n + 1], dots=1)
        x = self._x[n]
        if np.isfinite(x):
            self.current.setData([self._t[n]], [x])
        else:
            self.current.setData([], [])
        self.current_index = n
