"""Framing: the plotted range a freshly typed equation gets, chosen so its interesting part is in view.

What is framed (1-D): every equilibrium of x' = f(x) (the critical points of F) found within
SEARCH_RADIUS of x0, the start x0, and Euler's iterates from it; then MARGIN of the width on each
side, and at least MIN_WIDTH in all. Equilibria are found exactly for polynomial f (every real root
within the search window), and by sampling otherwise, over windows growing by GROWTH from x0; a
non-polynomial f with many equilibria (sin x, tan x) keeps only the MAX_POINTS nearest x0, which
shows a few periods of a periodic function instead of ten thousand. Iterates that diverge are not
framed (the picture would be all infinity); neither are iterates that run off farther than REACH
times the width of what is framed, unless there is nothing else to frame (x' = 1).

The 2-D tab frames F(x, y) the same way: its critical points (minima, saddles, maxima) found over
growing squares around the starts, at most MAX_POINTS of them, and every start.

When the window frames, and what "a range the user set" is (the rule the pages follow):

* A new equation is framed: one typed in the editor (or F/f switched), the command line's
  --F/--f without --range, a session or lesson step that gives an equation without a range.
* A range the user set is kept: typed in the range boxes, or carried by a preset, a session, a
  lesson step or --range. It survives every other edit (h, x0, a parameter) until a new equation
  is typed. Zooming or panning with the mouse only moves the view: the range stays.
* Reset zoom (Ctrl+0) returns to the scene's range; while that range is a framed one (the user
  did not set it) it first frames again for the current parameters, x0 and h.

Plain numpy; deterministic (no random sampling) and fast: 1-D 7 to 30 ms per equation on this
machine's 2 cores (cold, with the parse: 15 to 95 ms), 2-D 15 to 70 ms. Only f is built (never
sympy's antiderivative), since the window frames on its own thread when an equation is committed.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from .euler import euler
from .expressions import parse
from .problem import Direction, FlowProblem, Kind
from .ranges import MAX_MAGNITUDE, min_width, range_problem

__all__ = ["MARGIN", "MAX_POINTS", "MIN_WIDTH", "SEARCH_RADIUS", "critical_xs", "frame_flow", "frame_plane",
           "frame_scene", "frame_scene2d", "framed", "framed2d"]

MARGIN = 0.15            # of the framed width, added on each side
MIN_WIDTH = 2.0          # a frame is at least this wide (x² from x0 = 0.1 shows -0.95 ... 1.05)
SEARCH_RADIUS = 1e4      # critical points farther than this from the start are not looked for
FIRST_RADIUS = 2.0       # the sampled search starts with x0 ± 2 ...
GROWTH = 4.0             # ... and widens 4 times a round up to SEARCH_RADIUS
MAX_POINTS = 7           # a non-polynomial f keeps its 7 equilibria nearest x0 (sin x: 3 periods)
FRAME_STEPS = 2000       # iterates followed at most (the picture is decided long before)
REACH = 4.0              # iterates beyond REACH x the framed width from it are leaving: not framed
SEEDS_2D = 12            # Newton seeds per axis in each 2-D square (the window's 24 cost 4x)
CHECK_SAMPLES = 201      # samples that must show some finite value of the typed function


def critical_xs(problem: FlowProblem, x0: float, radius: float = SEARCH_RADIUS) -> np.ndarray:
    """The equilibria of x' = f(x) that matter around x0, sorted: all of a polynomial's real roots
    within `radius`, else the MAX_POINTS nearest x0 that sampling finds within `radius`."""
    if problem.f_is_zero:
        return np.empty(0)
    if problem.f_polynomial is not None:
        return np.array(sorted(e.x for e in problem.equilibria(x0 - radius, x0 + radius)))
    found: list[float] = []
    r = FIRST_RADIUS
    while True:
        r = min(r, radius)
        found.extend(e.x for e in problem.equilibria(x0 - r, x0 + r) if not _plateau(problem, e.x))
        xs = _unique(found, 1e-9 * r)
        if len(xs) >= MAX_POINTS or r >= radius:
            break
        r *= GROWTH
    nearest = sorted(xs, key=lambda v: (abs(v - x0), v))[:MAX_POINTS]
    return np.array(sorted(nearest))


def frame_flow(problem: FlowProblem, x0: float, iterates: np.ndarray | None = None,
               diverged: bool = False, fallback: tuple[float, float] | None = None) -> tuple[float, float]:
    """The x-range showing the equilibria around x0, x0 and the iterates (see the module docstring).

    `iterates` are Euler's x_n from x0 (NaN after a divergence); `diverged` drops them. When F (or
    the typed f) has no value anywhere in the frame, `fallback` is returned if given."""
    x0 = float(x0)
    core = np.concatenate([critical_xs(problem, x0), [x0]])
    lo, hi = float(core.min()), float(core.max())
    if iterates is not None and not diverged:
        lo, hi = _with_iterates(lo, hi, np.asarray(iterates, dtype=float), alone=core.size == 1)
    frame = _pad(lo, hi)
    if fallback is not None and not _defined(problem, frame):
        return fallback
    return frame


def frame_scene(scene) -> tuple[float, float]:      # Scene (no import: scene.py stays sympy-free)
    """The framed x-range for a 1-D Scene: its equation, parameters, x0, h and (up to FRAME_STEPS)
    steps. Raises ExpressionError for bad text; returns the scene's range where the frame shows
    nothing of the function."""
    problem = _problem_of(scene)
    run = euler(problem.f_loop, np.array([scene.x0]), scene.h, min(scene.steps, FRAME_STEPS),
                f_scalar=problem.f_scalar)
    return frame_flow(problem, scene.x0, run.x[0], bool(run.diverged_at[0] >= 0), fallback=scene.x_range)


def frame_plane(landscape, starts: Sequence[tuple[float, float]],
                fallback: tuple[tuple[float, float], tuple[float, float]] | None = None
                ) -> tuple[tuple[float, float], tuple[float, float]]:
    """(x-range, y-range) showing F(x, y)'s critical points near the starts and every start."""
    P = np.asarray(starts, dtype=float).reshape(-1, 2)
    centre = 0.5 * P.min(axis=0) + 0.5 * P.max(axis=0)      # halves first: starts near ±1e308
    with np.errstate(all="ignore"):
        points = np.concatenate([_critical_2d(landscape, centre), P])
    xr = _pad(float(points[:, 0].min()), float(points[:, 0].max()))
    yr = _pad(float(points[:, 1].min()), float(points[:, 1].max()))
    if fallback is not None and not _defined_2d(landscape, xr, yr):
        return fallback
    return xr, yr


def frame_scene2d(scene) -> tuple[tuple[float, float], tuple[float, float]]:
    """The framed (x-range, y-range) for a Scene2D; raises ExpressionError for bad text."""
    from .results2d import build_landscape
    return frame_plane(build_landscape(scene), scene.starts, fallback=(scene.x_range, scene.y_range))


# Framing is a convenience: whatever goes wrong in it (text the parser refuses, a function that
# overflows), the scene keeps the range it had and the evaluation says what is wrong.
_KEEP = (ArithmeticError, ValueError, TypeError)


def framed(scene):
    """`scene` with its x-range framed (the same scene if framing fails or changes nothing)."""
    try:
        x_range = frame_scene(scene)
        return scene if x_range == scene.x_range else scene.with_(x_range=x_range)
    except _KEEP:
        return scene


def framed2d(scene, x: bool = True, y: bool = True):
    """`scene` (a Scene2D) with its x- and/or y-range framed (unchanged if framing fails)."""
    if scene.data_seed is not None or not (x or y):
        return scene
    try:
        xr, yr = frame_scene2d(scene)
        changes = {**({"x_range": xr} if x else {}), **({"y_range": yr} if y else {})}
        return scene.with_(**changes)
    except _KEEP:
        return scene


# ---------------------------------------------------------------------------------- helpers
def _problem_of(scene) -> FlowProblem:
    """The scene's problem without F when f was typed: sympy's antiderivative can take seconds, and
    framing runs on the window's thread while the worker builds the full problem."""
    kind, direction = Kind(scene.kind), Direction(scene.direction)
    expr = parse(scene.text, ("x",))
    if kind is Kind.OBJECTIVE:
        return FlowProblem.from_expression(expr, kind, direction, scene.param_dict)
    return FlowProblem(F=None, f=expr, direction=direction, kind=kind, params=scene.param_dict)


def _with_iterates(lo: float, hi: float, x: np.ndarray, alone: bool) -> tuple[float, float]:
    """Widen [lo, hi] to the iterates, up to the first one that runs off (all of them when x0 is
    alone: with no equilibrium to show, the motion is the picture)."""
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return lo, hi
    if not alone:
        width = max(hi - lo, MIN_WIDTH)
        far = (x < lo - REACH * width) | (x > hi + REACH * width) | ~np.isfinite(x)
        if far.any():
            finite = x[:int(np.argmax(far))]
    if finite.size == 0:
        return lo, hi
    return min(lo, float(finite.min())), max(hi, float(finite.max()))


def _pad(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] with MARGIN each side, at least MIN_WIDTH wide, and a range a plot can show
    (within ±MAX_MAGNITUDE: a start at 1e308 cannot be framed, its side of the limit is)."""
    lo, hi = (min(max(v, -MAX_MAGNITUDE), MAX_MAGNITUDE) for v in (lo, hi))
    pad = MARGIN * (hi - lo)
    a, b = lo - pad, hi + pad
    width = max(b - a, MIN_WIDTH, 2.0 * min_width(a, b))
    if b - a < width:
        mid = 0.5 * a + 0.5 * b
        a, b = mid - width / 2, mid + width / 2
    if a < -MAX_MAGNITUDE:
        a, b = -MAX_MAGNITUDE, -MAX_MAGNITUDE + width
    if b > MAX_MAGNITUDE:
        a, b = MAX_MAGNITUDE - width, MAX_MAGNITUDE
    return _nice(a, b)


def _nice(a: float, b: float) -> tuple[float, float]:
    """Ends rounded outwards to 3 significant digits of the width: the range boxes read 'x-range
    -1.73 ... 1.73', not -1.7320508075688772."""
    unit = 10.0 ** (math.floor(math.log10(b - a)) - 2)
    na, nb = math.floor(a / unit) * unit, math.ceil(b / unit) * unit
    na, nb = float(f"{na:.12g}"), float(f"{nb:.12g}")
    slack = 1e-9 * (b - a)          # the 12-digit rounding may move an end inwards by a hair
    if na <= a + slack and nb >= b - slack and range_problem(na, nb) is None:
        return na, nb
    return a, b


def _plateau(problem: FlowProblem, x: float) -> bool:
    """f is exactly 0 a tenth of max(1, |x|) away on both sides: x is the middle of a run of zeros
    (e^x underflowing far left, or a whole interval of equilibria), not a point worth framing."""
    d = 0.1 * max(1.0, abs(x))
    with np.errstate(all="ignore"):
        return bool(np.all(problem.f_numeric(np.array([x - d, x + d])) == 0.0))


def _unique(values: Iterable[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _defined(problem: FlowProblem, frame: tuple[float, float]) -> bool:
    xs = np.linspace(*frame, CHECK_SAMPLES)
    with np.errstate(all="ignore"):
        values = problem.F_numeric(xs) if problem.kind is Kind.OBJECTIVE else problem.f_numeric(xs)
    return bool(np.isfinite(values).any())


def _critical_2d(landscape, centre: np.ndarray) -> np.ndarray:
    """Critical points of F around `centre` (k, 2): over squares growing by GROWTH up to
    SEARCH_RADIUS, stopping at MAX_POINTS; the MAX_POINTS nearest the centre."""
    from .landscape import critical_points
    found: list[tuple[float, float]] = []
    r = FIRST_RADIUS
    while True:
        r = min(r, SEARCH_RADIUS)
        box = ((centre[0] - r, centre[0] + r), (centre[1] - r, centre[1] + r))
        try:
            found.extend(c.point for c in critical_points(landscape, *box, seeds=SEEDS_2D))
        except ValueError:          # a box a plot cannot show (beyond ±1e150): stop widening
            break
        points = _unique_2d(found, 1e-6 * r)
        if len(points) >= MAX_POINTS or r >= SEARCH_RADIUS:
            break
        r *= GROWTH
    points = _unique_2d(found, 1e-6 * r)
    points.sort(key=lambda p: (math.hypot(p[0] - centre[0], p[1] - centre[1]), p))
    return np.array(points[:MAX_POINTS], dtype=float).reshape(-1, 2)


def _unique_2d(points: Iterable[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for p in sorted(points):
        if not any(math.hypot(p[0] - q[0], p[1] - q[1]) <= tol for q in out):
            out.append(p)
    return out


def _defined_2d(landscape, xr: tuple[float, float], yr: tuple[float, float]) -> bool:
    X, Y = np.meshgrid(np.linspace(*xr, 41), np.linspace(*yr, 41))
    with np.errstate(all="ignore"):
        return bool(np.isfinite(landscape.F_numeric(X, Y)).any())
