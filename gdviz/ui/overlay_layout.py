"""Where a plot's legends, notes and labels go so they never cover its data (issue 13, item 14).

Run once per result (and when the plot area is resized), never per animation frame: the plotted
points are mapped to scene pixels in one vectorised step, then each legend or note takes the corner
(or edge middle) of the plot area that covers the fewest points and no box placed before it, and
each text label the nearby position (along its line, or around its point) that covers the fewest
points and no other label. Everything is in scene coordinates, the ones Qt paints in."""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

EDGE_SLACK_PX = 4     # how far past the plot area a label may reach without penalty
OVERLAP = 1e6        # a candidate overlapping a box placed before it scores worse than any data
# Legend and note positions, as (item anchor = parent anchor) fractions; the four corners first.
CORNERS = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0))
EDGES = ((0.5, 0.0), (0.5, 1.0), (0.0, 0.5), (1.0, 0.5))
# Around a point: the label's anchor, centred above it or below it, else touching it at a corner
# (a short plot at 1280x720 had data both above and below the flow tab's "local max"). Never
# straight beside it: there a name reads as the name of the neighbour on that side (the
# pendulum's centres and saddles are close on a small plot).
AROUND = ((0.5, 1.2), (0.5, -0.2), (0.0, 1.1), (1.0, 1.1), (0.0, -0.1), (1.0, -0.1))
ALONG = (0.96, 0.85, 0.72, 0.6, 0.48, 0.36, 0.24, 0.12, 0.04)   # positions along a line


BACKDROP_ATTR = "_gdviz_backdrop"   # on an item: drawn behind the data, like the grid (a direction field)
IMAGE_DATA_ATTR = "_gdviz_image_is_data"   # on an ImageItem: every pixel of it is data (a rate map)
IMAGE_DATA_STEP_PX = 6                     # ...counted as points this far apart


def image_is_data(item: pg.ImageItem) -> pg.ImageItem:
    """Mark `item` as data a legend or label must not cover (a map, unlike a backdrop)."""
    setattr(item, IMAGE_DATA_ATTR, True)
    return item


def _image_points(item: pg.ImageItem, area: QRectF) -> np.ndarray:
    rect = item.sceneBoundingRect() & area
    if rect.isEmpty():
        return np.empty((0, 2))
    xs = np.arange(rect.left() + IMAGE_DATA_STEP_PX / 2, rect.right(), IMAGE_DATA_STEP_PX)
    ys = np.arange(rect.top() + IMAGE_DATA_STEP_PX / 2, rect.bottom(), IMAGE_DATA_STEP_PX)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


MANY_POINTS = 20_000     # past this, points are counted once per pixel (see _one_per_pixel)
SEGMENT_STEP_PX = 2.0    # a segment longer than this counts as points this far apart along it


def is_backdrop(item) -> bool:
    """A backdrop (a direction field filling the plane) is no data a legend or label must clear."""
    return bool(getattr(item, BACKDROP_ATTR, False))


def data_points(view: pg.ViewBox) -> np.ndarray:
    """The finite points of the view's curves and scatters inside the plot area, (n, 2) in scene
    pixels. Images, infinite lines and backdrops are not data points."""
    area = view.sceneBoundingRect()
    chunks = []
    for item in view.childGroup.childItems():
        if isinstance(item, pg.ImageItem) and getattr(item, IMAGE_DATA_ATTR, False) and item.isVisible() \
                and item.image is not None:
            chunks.append(_image_points(item, area))
            continue
        parts = (item.curve, item.scatter) if isinstance(item, pg.PlotDataItem) else (item,)
        for part in parts:
            if (not isinstance(part, (pg.PlotCurveItem, pg.ScatterPlotItem)) or not part.isVisible()
                    or is_backdrop(item)):
                continue
            x, y = part.getData()
            if x is None or len(x) == 0:
                continue
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            t = part.sceneTransform()
            with np.errstate(all="ignore"):
                sx = t.m11() * x + t.m21() * y + t.dx()
                sy = t.m12() * x + t.m22() * y + t.dy()
            ok = (np.isfinite(sx) & np.isfinite(sy) & (sx >= area.left()) & (sx <= area.right())
                  & (sy >= area.top()) & (sy <= area.bottom()))
            chunks.append(np.column_stack([sx[ok], sy[ok]]))
            if isinstance(part, pg.PlotCurveItem) and isinstance(part.opts["connect"], str) \
                    and part.opts["connect"] in ("all", "finite"):
                chunks.append(_along_segments(sx, sy, ok))
    points = np.concatenate(chunks) if chunks else np.empty((0, 2))
    return _one_per_pixel(points, area) if len(points) > MANY_POINTS else points


def _along_segments(sx: np.ndarray, sy: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Points every SEGMENT_STEP_PX along each segment longer than that with both ends inside the
    plot area: a curve's long straight stretch is data too, though it is drawn from its two ends
    only (the bundle's flat tails at an equilibrium, see time_canvas.drop_flat_runs)."""
    dx, dy = np.diff(sx), np.diff(sy)
    with np.errstate(all="ignore"):
        # |dx| + |dy| bounds the length from above: only the few long segments get a square root
        long = np.flatnonzero(inside[:-1] & inside[1:] & (np.abs(dx) + np.abs(dy) > SEGMENT_STEP_PX))
    extra = np.floor(np.hypot(dx[long], dy[long]) / SEGMENT_STEP_PX).astype(np.int64)
    total = int(extra.sum())
    if total == 0:
        return np.empty((0, 2))
    seg = np.repeat(long, extra)
    first = np.repeat(np.cumsum(extra) - extra, extra)
    frac = (np.arange(total) - first + 1) / (np.repeat(extra, extra) + 1)
    return np.column_stack([sx[seg] + frac * dx[seg], sy[seg] + frac * dy[seg]])


def _one_per_pixel(points: np.ndarray, area: QRectF) -> np.ndarray:
    """The centres of the pixels `points` fall in, once each: a bundle of 50 curves of 5,000 points
    covers far fewer pixels than it has points, and every placement candidate scans them all
    (this kept the heavy scene's repaint from growing by a third). The points lie in `area`."""
    width = int(area.width()) + 1
    # truncation is floor here: no point lies left of or above the area
    cell = (points[:, 1] - area.top()).astype(np.int64) * width + (points[:, 0] - area.left()).astype(np.int64)
    grid = np.zeros((int(area.height()) + 1) * width, dtype=bool)
    grid[np.clip(cell, 0, grid.size - 1)] = True
    ys, xs = np.divmod(np.flatnonzero(grid), width)
    return np.column_stack([xs + area.left() + 0.5, ys + area.top() + 0.5])


def covered(rect: QRectF, points: np.ndarray) -> int:
    """How many points lie strictly inside `rect` (a point on its very edge is not covered)."""
    r = rect.adjusted(1, 1, -1, -1)
    return int(np.count_nonzero((points[:, 0] > r.left()) & (points[:, 0] < r.right())
                                & (points[:, 1] > r.top()) & (points[:, 1] < r.bottom())))


def score(rect: QRectF, points: np.ndarray, taken: Iterable[QRectF], area: QRectF) -> float:
    """Data points covered, plus a large penalty per box overlapped and for leaving the plot."""
    shrunk = rect.adjusted(1, 1, -1, -1)
    s = covered(rect, points) + OVERLAP * sum(shrunk.intersects(t) for t in taken)
    # A few pixels past the plot's edge are still on the canvas (the axes' margin): at 1024x768 a
    # label 1.5 px past it was sent onto the iterates instead.
    if not area.adjusted(-EDGE_SLACK_PX, -EDGE_SLACK_PX, EDGE_SLACK_PX, EDGE_SLACK_PX).contains(rect):
        s += OVERLAP / 2 * (1 - _inside_fraction(rect, area))
    return s


def _inside_fraction(rect: QRectF, area: QRectF) -> float:
    inter = rect & area
    full = rect.width() * rect.height()
    return inter.width() * inter.height() / full if full > 0 else 1.0


def box_rect(area: QRectF, width: float, height: float, anchor: tuple[float, float], margin: float) -> QRectF:
    """The rectangle of a width x height box anchored at `anchor` (fractions) of `area`, inset."""
    ax, ay = anchor
    left = area.left() + ax * (area.width() - width) + (margin if ax == 0 else -margin if ax == 1 else 0)
    top = area.top() + ay * (area.height() - height) + (margin if ay == 0 else -margin if ay == 1 else 0)
    return QRectF(left, top, width, height)


def best(candidates: Iterable, rect_of: Callable[[object], QRectF], points: np.ndarray,
         taken: list[QRectF], area: QRectF) -> tuple[object, QRectF, float]:
    """The candidate whose rectangle scores least (the first of equals: candidates come in order
    of preference)."""
    chosen, chosen_rect, chosen_score = None, QRectF(), float("inf")
    for c in candidates:
        rect = rect_of(c)
        s = score(rect, points, taken, area)
        if s < chosen_score:
            chosen, chosen_rect, chosen_score = c, rect, s
            if s == 0:
                break
    return chosen, chosen_rect, chosen_score


def offset_for(anchor: tuple[float, float], margin: float) -> tuple[float, float]:
    """GraphicsWidgetAnchor's offset that insets a box anchored at `anchor` by `margin`."""
    return tuple(margin if a == 0 else -margin if a == 1 else 0.0 for a in anchor)   # type: ignore[return-value]


def place_legend(legend: pg.LegendItem, area: QRectF, points: np.ndarray, taken: list[QRectF],
                 margin: float, first: tuple[float, float]) -> float:
    """Anchor the legend where it covers the fewest points; its rectangle joins `taken`. Returns the
    score (0: nothing covered)."""
    size = legend.boundingRect()
    order = [first] + [c for c in CORNERS + EDGES if c != first]
    anchor, rect, s = best(order, lambda a: box_rect(area, size.width(), size.height(), a, margin),
                           points, taken, area)
    legend.anchor(itemPos=anchor, parentPos=anchor, offset=offset_for(anchor, margin))
    taken.append(rect)
    return s


def measured(label: pg.TextItem) -> QRectF:
    """The label's rectangle as it will be painted. A TextItem undoes the view's scaling only when
    painted: before its first paint its rectangle is in data units (a fresh canvas measured
    labels wrongly and placed them unlike a canvas that had painted them once)."""
    label.updateTransform(force=True)
    return label.sceneBoundingRect()


def place_line_label(label: pg.InfLineLabel, points: np.ndarray, taken: list[QRectF], area: QRectF) -> None:
    """Slide a line's label along the line (and to its other side) to a free place."""
    # Always from where the canvas first put it: a second result is placed as on a fresh canvas.
    if not hasattr(label, "_gdviz_home"):
        label._gdviz_home = (label.orthoPos, [tuple(a) for a in label.anchors])
    home = label._gdviz_home
    sides = [home[1]]
    mirrored = [(1 - a[0], a[1]) if label.line.angle % 180 == 90 else (a[0], 1 - a[1]) for a in home[1]]
    if mirrored != home[1]:
        sides.append(mirrored)
    candidates = [(home[0], home[1])] + [(p, side) for side in sides for p in ALONG]

    def rect_of(c) -> QRectF:
        label.anchors = list(c[1])
        label.orthoPos = c[0]
        label.updatePosition()
        return measured(label)
    chosen, rect, _ = best(candidates, rect_of, points, taken, area)
    rect_of(chosen)
    taken.append(rect)


def place_point_label(label: pg.TextItem, points: np.ndarray, taken: list[QRectF], area: QRectF) -> None:
    """Turn a point's label around its point to a free place."""
    if not hasattr(label, "_gdviz_home"):
        label._gdviz_home = (float(label.anchor[0]), float(label.anchor[1]))
    home = label._gdviz_home
    candidates = [home] + [a for a in AROUND if a != home]

    def rect_of(a) -> QRectF:
        label.setAnchor(a)
        return measured(label)
    chosen, rect, _ = best(candidates, rect_of, points, taken, area)
    rect_of(chosen)
    taken.append(rect)

