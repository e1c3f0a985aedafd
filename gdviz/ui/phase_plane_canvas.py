"""The phase plane (x, v) of x'' + γ x' = −F'(x): the field's arrows, the rest points (filled:
stable, open: unstable), the separatrices and reference orbits, the exact damped Newton motion
(blue) and heavy-ball momentum's iterates (x_n, v_n) (vermillion) with the current one (orange).

A click on the plane picks a new start (x0, v0): `start_picked(x, v)`.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Signal

from ..model.momentum import FIELD_NV, FIELD_NX
from . import style
from .canvas import Canvas, curve_item, path_item, scatter_item, set_if_changed, set_path
from .margin_names import MarginName, MarginNames
from .style import STYLE

if TYPE_CHECKING:
    from ..model.momentum import MomentumResult

ARROW_LENGTH = 0.7      # of the smaller grid cell (in fractions of the plotted spans)
HEAD_LENGTH = 0.38      # of the arrow
HEAD_ANGLE = math.radians(26)


def field_segments(x: np.ndarray, v: np.ndarray, dx: np.ndarray, dv: np.ndarray,
                   spans: tuple[float, float], cells: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Arrows centred on (x, v) along the unit box-unit directions (dx, dv), as segment pairs
    (shaft, two head strokes) for connect="pairs". A shaft is parallel to (x', v') in data units
    whatever the zoom, so it is tangent to the trajectories; NaN directions give no arrow."""
    ok = np.isfinite(dx) & np.isfinite(dv)
    x, v, dx, dv = x[ok], v[ok], dx[ok], dv[ok]
    if x.size == 0:
        return np.empty(0), np.empty(0)
    sx, sv = spans
    length = ARROW_LENGTH / max(cells)
    # In box units: tail and tip, then the head strokes rotated ±HEAD_ANGLE back from the tip.
    tx, tv = -0.5 * length * dx, -0.5 * length * dv
    hx, hv = 0.5 * length * dx, 0.5 * length * dv
    strokes = [(tx, tv, hx, hv)]
    c, s = math.cos(HEAD_ANGLE), math.sin(HEAD_ANGLE)
    for sign in (1.0, -1.0):
        bx = -(c * dx - sign * s * dv) * HEAD_LENGTH * length
        bv = -(sign * s * dx + c * dv) * HEAD_LENGTH * length
        strokes.append((hx, hv, hx + bx, hv + bv))
    px = np.stack([np.stack([a, b], axis=1) for a, _, b, _ in strokes], axis=1).reshape(-1)
    pv = np.stack([np.stack([a, b], axis=1) for _, a, _, b in strokes], axis=1).reshape(-1)
    centre_x = np.repeat(x, 2 * len(strokes))
    centre_v = np.repeat(v, 2 * len(strokes))
    return centre_x + px * sx, centre_v + pv * sv


class PhasePlaneCanvas(Canvas):
    """x horizontally, v = x' vertically; `show_index(n)` animates the iterates and the flow."""

    start_picked = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__("Phase plane (x, v)", "position x", "velocity v = x′", parent)
        self.set_short_label("left", "v = x′")     # the names' row above leaves a 720p projector's plot short
        self.field = curve_item(style.FIELD, 1, alpha=0.55, connect="pairs")
        self.field.setZValue(-50)
        self.field._gdviz_backdrop = True     # fills the plane: legends and labels may lie over it
        self.orbits = curve_item(style.BUNDLE_FLOW, STYLE.bundle_px, alpha=0.8, scaled=False, connect="finite")
        self.orbits.setZValue(-40)
        self.separatrices = curve_item(style.MUTED, 2, alpha=0.9, connect="finite")
        self.separatrices.setZValue(-30)
        self.flow_future = path_item(style.CONTINUOUS, STYLE.faint_px, alpha=0.3)
        self.flow_done = path_item(style.CONTINUOUS, STYLE.curve_px)
        self.flow_now = scatter_item(STYLE.dot_px + 3, style.CONTINUOUS, (style.BACKGROUND, 2))
        self.future = path_item(style.DISCRETE, STYLE.faint_px, alpha=0.35)
        self.done = path_item(style.DISCRETE, STYLE.path_px, dots=STYLE.dot_px)
        self.current = scatter_item(STYLE.current_px, style.CURRENT, (style.BLACK, 2.5))
        self.equilibria = scatter_item(STYLE.equilibrium_px, style.INK, (style.INK, 2.5), symbol="o")
        for z, item in ((0, self.flow_future), (5, self.future), (10, self.flow_done), (20, self.done),
                        (30, self.equilibria), (40, self.flow_now), (50, self.current)):
            item.setZValue(z)
        for item in (self.field, self.orbits, self.separatrices, self.flow_future, self.flow_done,
                     self.future, self.done, self.equilibria, self.flow_now, self.current):
            self.addItem(item, ignoreBounds=True)
        self.cache_static(self.field, self.orbits, self.separatrices, self.flow_future, self.future,
                          self.equilibria)
        # The rest points' names go above the plot at their x: beside their points, on v = 0, they
        # always lay on the orbits and separatrices that cross there (issue 13, item 14).
        self.names = MarginNames(self.getPlotItem())
        self.legend = self.add_legend((-10, 10))
        self.legend.addItem(self.flow_done, "exact motion (damped Newton)")
        self.legend.addItem(self.done, "heavy ball (xₙ, vₙ)")
        self.legend.addItem(self.separatrices, "separatrix")
        self.result: MomentumResult | None = None
        self.current_index = 0

    # ------------------------------------------------------------------------------------ drawing
    def show_result(self, r: MomentumResult, index: int | None = None) -> None:
        self.result = r
        s = r.scene
        (a, b), (c, d) = s.x_range, s.v_range
        fx, fv = field_segments(r.field_x, r.field_v, r.field_dx, r.field_dv, (b - a, d - c),
                                (FIELD_NX, FIELD_NV))
        set_if_changed(self.field, fx, fv, connect="pairs")
        set_if_changed(self.orbits, r.orbits_x, r.orbits_v, connect="finite")
        set_if_changed(self.separatrices, r.separatrix_x, r.separatrix_v, connect="finite")
        set_path(self.flow_future, r.flow.x, r.flow.v)
        set_path(self.future, r.x, r.v)
        eqs = r.equilibria
        self.equilibria.setData([e.x for e in eqs], [e.v for e in eqs],
                                brush=[style.brush(style.INK if e.stable else style.BACKGROUND) for e in eqs],
                                data=[e.label for e in eqs])
        self.equilibria.setToolTip("Rest points (x*, 0): ● stable, ○ unstable")
        self._labels(eqs)
        self.set_title(f"Phase plane (x, v): {r.equation}, γ = {r.gamma:.3g}")
        msgs = []
        if r.diverged_at >= 0:
            msgs.append(f"heavy ball ran away at step {r.diverged_at}")
        if r.flow_diverged_at >= 0:
            msgs.append("the exact motion ran away")
        self.set_message("; ".join(msgs))
        self.set_ranges_once((s.x_range, s.v_range), s.x_range, s.v_range)
        self.show_index(r.steps if index is None else index)

    def _labels(self, eqs) -> None:
        """Each rest point's name, "● stable centre" or "○ saddle (unstable)" (the dot's style),
        short "● centre" where names crowd; laid out with the legends (see band_above)."""
        self.names.set_names([
            MarginName(e.x, e.v, f"{'●' if e.stable else '○'} {e.label}",
                       f"{'●' if e.stable else '○'} {e.kind.value.split()[-1]}", first=e.stable,
                       tip=f"Rest point (x*, v) = ({e.x:.4g}, 0): {e.label}")
            for e in eqs])

    def band_above(self, area: QRectF | None) -> float:
        return self.names.lay_out(area)

    def show_index(self, n: int) -> None:
        r = self.result
        if r is None:
            return
        n = max(0, min(int(n), r.steps))
        set_path(self.done, r.x[: n + 1], r.v[: n + 1], dots=STYLE.dot_px)
        k = n * r.flow_every
        set_path(self.flow_done, r.flow.x[: k + 1], r.flow.v[: k + 1])
        xn, vn = float(r.x[n]), float(r.v[n])
        if math.isfinite(xn) and math.isfinite(vn):
            self.current.setData([xn], [vn])
        else:
            self.current.setData([], [])
        fx, fv = float(r.flow.x[k]), float(r.flow.v[k])
        self.flow_now.setData(*(([fx], [fv]) if math.isfinite(fx) and math.isfinite(fv) else ([], [])))
        self.current_index = n

    # ------------------------------------------------------------------------------------ input
    def _on_click(self, ev) -> None:
        """A left click picks the start (x0, v0), to four significant digits."""
        p = self.clicked_point(ev)
        if p is None:
            return
        x, v = p.x(), p.y()
        if math.isfinite(x) and math.isfinite(v):
            self.start_picked.emit(float(f"{x:.4g}"), float(f"{v:.4g}"))
