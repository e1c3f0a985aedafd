"""The step-size laboratory: what the lab's views draw, computed from a Scene.

Three jobs, each run by its own worker so a long bifurcation sweep never delays the others:
`evaluate_lab` (several h against the exact flow, and the error against h for Euler, Heun and
RK4), `evaluate_orbits` (the bifurcation diagram over h) and `evaluate_chaos` (the Lyapunov
exponent on the diagram's grid of h, and the period doublings). The cobweb belongs to the flow's
own result (it animates with it): see `results.cobweb_path`.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .bifurcation import OrbitDiagram, orbit_diagram
from .chaos import Doubling, lyapunov, period_doublings
from .problem import Equilibrium, FlowProblem
from .reference import reference_solution
from .results import REFERENCE_POINTS, build_problem
from .scene import Scene
from .stepsize import ErrorSweep, StepRun, compare_step_sizes, error_sweep

ERROR_T_TIME_CONSTANTS = 3.0   # automatic T: three time constants 1/|f'(x*)| of the attractor
ERROR_T_FALLBACK = 2.0
# Iterates averaged for λ(h) after the scene's transient: the logistic's λ(3) = ln 2 comes out
# within 1e-3 from any start (measured), where the diagram's 200 kept points give ±0.05.
LYAPUNOV_KEPT = 2000
# Doublings followed from x*: periods up to 64 (0.3 s on the logistic); their gap ratios reach
# Feigenbaum's δ to 1e-3, and the next ones lie closer together than a diagram's pixel.
DOUBLINGS_FOUND = 6


def stability_of(problem: FlowProblem, scene: Scene) -> Equilibrium | None:
    """The equilibrium whose thresholds 1/|f'(x*)| and 2/|f'(x*)| the lab marks: where x0 is heading."""
    a, b = scene.x_range
    return problem.nearest_attractor(scene.x0, a, b)


class _Thresholds:
    """h = 1/|f'(x*)| and 2/|f'(x*)| of the result's attractor; NaN when nothing attracts."""

    attractor: Equilibrium | None

    @property
    def h_monotone(self) -> float:
        return self.attractor.h_monotone if self.attractor is not None else math.nan

    @property
    def h_stable(self) -> float:
        return self.attractor.h_stable if self.attractor is not None else math.nan


@dataclass(frozen=True, eq=False)
class LabResult(_Thresholds):
    """Several h against the exact flow, and the global error against h."""

    scene: Scene
    t_end: float                   # the span of the comparison (the flow's t_end)
    ref_t: np.ndarray
    ref_x: np.ndarray
    ref_exact: bool
    runs: tuple[StepRun, ...]      # the scene's h first, then the other step sizes to compare
    max_errors: tuple[float, ...]  # per run: the largest |x_n − x(t_n)| along it (NaN if it diverged)
    sweep: ErrorSweep | None       # None when the error cannot be measured (note says why)
    sweep_note: str
    attractor: Equilibrium | None
    seconds: float


def fitted_line(sweep: ErrorSweep, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The fitted power law err = C·h^slope over the h the fit used: two points (h, err) to draw.
    Empty when the method has no finite slope."""
    slope = sweep.slopes.get(method, math.nan)
    mask = sweep.fit_mask.get(method)
    if not math.isfinite(slope) or mask is None or not mask.any():
        return np.empty(0), np.empty(0)
    h = np.asarray(sweep.h)[mask]
    err = np.asarray(sweep.errors[method])[mask]
    c = float(np.mean(np.log(err) - slope * np.log(h)))     # the least-squares intercept for this slope
    ends = np.array([h.min(), h.max()])
    return ends, np.exp(c + slope * np.log(ends))


def compared_step_sizes(scene: Scene) -> tuple[float, ...]:
    """The scene's h, then the list to compare with, each once."""
    out: list[float] = [scene.h]
    for h in scene.compare_h:
        if not any(math.isclose(h, o, rel_tol=1e-12) for o in out):
            out.append(float(h))
    return tuple(out)


def error_time(scene: Scene, attractor: Equilibrium | None, blowup_t: float) -> float:
    """T for the error plot: the user's, else a few time constants of the attractor (so the error is
    measured while the solution still moves), never past the flow's span or a blow-up."""
    if scene.error_t > 0:
        return float(scene.error_t)
    t_end = scene.steps * scene.h
    if attractor is not None and attractor.slope != 0:
        t = ERROR_T_TIME_CONSTANTS / abs(attractor.slope)
    else:
        t = ERROR_T_FALLBACK
    t = min(t, t_end) if t_end > 0 else t
    if math.isfinite(blowup_t):
        t = min(t, 0.5 * blowup_t)
    return t


def _max_error(problem: FlowProblem, x0: float, run: StepRun) -> float:
    """The largest distance between the iterates and the solution at the same times t_n = n h.
    The reference is sampled at exactly those times (they are equally spaced from 0)."""
    if run.diverged_at >= 0 or len(run.t) < 2:
        return math.nan
    exact = reference_solution(problem, x0, float(run.t[-1]), len(run.t)).x[0]
    with np.errstate(all="ignore"):
        gap = np.abs(run.x - exact)
    return float(np.max(gap)) if np.isfinite(gap).all() else math.nan


def sweep_csv(sweep: ErrorSweep) -> str:
    """The error table: h, then the global error at T of each method (repr floats; empty = diverged)."""
    names = list(sweep.errors)
    lines = [",".join(["h"] + [f"error_{n}" for n in names])]
    for i, h in enumerate(np.asarray(sweep.h).tolist()):
        cells = [repr(float(h))]
        for n in names:
            e = float(sweep.errors[n][i])
            cells.append(repr(e) if math.isfinite(e) else "")
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def write_sweep_csv(sweep: ErrorSweep, path: str) -> None:
    from .files import atomic_write_text
    atomic_write_text(path, sweep_csv(sweep))


def evaluate_lab(scene: Scene, should_stop: Callable[[], bool] | None = None) -> LabResult:
    start = time.perf_counter()
    problem = build_problem(scene)
    attractor = stability_of(problem, scene)
    t_end = scene.steps * scene.h
    ref = reference_solution(problem, scene.x0, t_end, REFERENCE_POINTS)
    runs = compare_step_sizes(problem, scene.x0, compared_step_sizes(scene), t_end)
    max_errors = tuple(_max_error(problem, scene.x0, run) for run in runs)
    blowup = float(ref.blowup_t[0])
    T = error_time(scene, attractor, blowup)
    sweep, note = None, ""
    try:
        sweep = error_sweep(problem, scene.x0, T, should_stop=should_stop, reference=scene.error_reference)
    except ValueError as exc:
        note = str(exc)
    if sweep is not None and sweep.note:
        note = sweep.note
    return LabResult(scene=scene, t_end=t_end, ref_t=ref.t, ref_x=ref.x[0], ref_exact=ref.exact,
                     runs=runs, max_errors=max_errors, sweep=sweep, sweep_note=note, attractor=attractor,
                     seconds=time.perf_counter() - start)


@dataclass(frozen=True, eq=False)
class OrbitResult(_Thresholds):
    """The bifurcation diagram of Euler's map over h, with the thresholds to mark on it."""

    scene: Scene
    diagram: OrbitDiagram
    attractor: Equilibrium | None
    automatic_range: bool


FALLBACK_H_RANGE = (0.01, 4.0)


def auto_h_range(scene: Scene, attractor: Equilibrium | None) -> tuple[float, float]:
    """From half the monotone threshold to 1.5 times the stability threshold: the calm regime, the
    loss of stability at 2/|f'(x*)| and what follows (for the logistic, [0.5, 3]: chaos, then escape).
    Without a threshold to centre on, a broad span of learning rates. Never depends on scene.h, so
    dragging h moves a line on the diagram instead of recomputing it."""
    if attractor is not None and math.isfinite(attractor.h_stable):
        return (0.5 * attractor.h_monotone, 1.5 * attractor.h_stable)
    return FALLBACK_H_RANGE


def orbit_h_range(scene: Scene, attractor: Equilibrium | None) -> tuple[float, float]:
    """The h-axis of the diagram and of the Lyapunov exponent: the scene's, or the automatic one."""
    return scene.h_range if scene.h_range is not None else auto_h_range(scene, attractor)


def evaluate_orbits(scene: Scene, should_stop: Callable[[], bool] | None = None,
                    progress: Callable[[float], None] | None = None) -> OrbitResult:
    problem = build_problem(scene)
    attractor = stability_of(problem, scene)
    h_range = orbit_h_range(scene, attractor)
    diagram = orbit_diagram(problem.f_loop, scene.x0, h_range, n_h=scene.orbit_h_count,
                            transient=scene.orbit_transient, kept=scene.orbit_kept,
                            should_stop=should_stop, progress=progress)
    return OrbitResult(scene=scene, diagram=diagram, attractor=attractor,
                       automatic_range=scene.h_range is None)


@dataclass(frozen=True, eq=False)
class ChaosResult(_Thresholds):
    """The route to chaos over the diagram's h-axis: λ(h) on its grid, and the period doublings of
    Euler's map from the attractor x* (all that were found, in order of h)."""

    scene: Scene
    h: np.ndarray                   # the diagram's grid: the same n_h step sizes
    lyapunov: np.ndarray            # λ(h); NaN where the orbit diverged
    doublings: tuple[Doubling, ...]
    attractor: Equilibrium | None
    seconds: float

    @property
    def h_range(self) -> tuple[float, float]:
        return float(self.h[0]), float(self.h[-1])

    def shown_doublings(self) -> list[tuple[Doubling, float | None]]:
        """The doublings inside the h-axis, each with the gap ratio centred on it,
        (h_k − h_{k−1}) / (h_{k+1} − h_k), or None where a neighbour was not found."""
        hs = [d.h for d in self.doublings]
        lo, hi = self.h_range
        shown = []
        for k, d in enumerate(self.doublings):
            if not lo <= d.h <= hi:
                continue
            ratio = None
            if 0 < k < len(hs) - 1:
                ratio = (hs[k] - hs[k - 1]) / (hs[k + 1] - hs[k])
            shown.append((d, ratio))
        return shown


def evaluate_chaos(scene: Scene, should_stop: Callable[[], bool] | None = None) -> ChaosResult:
    """λ(h) from x0 on the diagram's grid (the scene's transient, then LYAPUNOV_KEPT iterates), and
    the first DOUBLINGS_FOUND period doublings from the equilibrium x0 heads to."""
    start = time.perf_counter()
    problem = build_problem(scene)
    attractor = stability_of(problem, scene)
    lo, hi = orbit_h_range(scene, attractor)
    h = np.linspace(lo, hi, scene.orbit_h_count)          # as orbit_diagram spreads them
    exponents = lyapunov(problem, h, scene.x0, transient=scene.orbit_transient, kept=LYAPUNOV_KEPT,
                         should_stop=should_stop)
    doublings: tuple[Doubling, ...] = ()
    if attractor is not None and math.isfinite(attractor.h_stable):
        doublings = _doublings(problem, scene, attractor.x, should_stop)
    return ChaosResult(scene=scene, h=h, lyapunov=exponents, doublings=doublings, attractor=attractor,
                       seconds=time.perf_counter() - start)


_DOUBLINGS_CACHE: dict[tuple, tuple[Doubling, ...]] = {}
DOUBLINGS_CACHED = 16


def _doublings(problem: FlowProblem, scene: Scene, x_star: float,
               should_stop: Callable[[], bool] | None) -> tuple[Doubling, ...]:
    """period_doublings from x*, remembered per equation: they do not depend on the h-axis, and
    following them (0.3 to 0.6 s) would otherwise be paid again by every zoom of the diagram."""
    key = (scene.text, scene.kind, scene.direction, scene.params, x_star)
    found = _DOUBLINGS_CACHE.get(key)
    if found is None:
        found = tuple(period_doublings(problem, x_star, DOUBLINGS_FOUND, should_stop=should_stop))
        if len(_DOUBLINGS_CACHE) >= DOUBLINGS_CACHED:
            _DOUBLINGS_CACHE.pop(next(iter(_DOUBLINGS_CACHE)))
        _DOUBLINGS_CACHE[key] = found
    return found


def lyapunov_csv(chaos: ChaosResult) -> str:
    """CSV text: header `h,lyapunov`, one row per h of the grid (an empty cell where it diverged,
    -inf where an iterate hit a point with g' = 0).
    Numbers are repr(float): the shortest text that parses back to the same double."""
    lines = ["h,lyapunov"]
    for h, lam in zip(chaos.h.tolist(), chaos.lyapunov.tolist()):
        lines.append(f"{h!r}," if math.isnan(lam) else f"{h!r},{lam!r}")   # −inf: superstable
    return "\n".join(lines) + "\n"


def doublings_csv(chaos: ChaosResult) -> str:
    """CSV text: header `period,h`, one row per period doubling inside the h-axis."""
    lines = ["period,h"] + [f"{d.period},{d.h!r}" for d, _ in chaos.shown_doublings()]
    return "\n".join(lines) + "\n"
