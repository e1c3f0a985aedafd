"""Scene -> SceneResult: every array the three canvases draw, computed in one place.

The window, the command line and the notebook all call `evaluate`; the worker thread only
runs it off the GUI thread. Raises ExpressionError for bad equation text.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .euler import euler
from .expressions import parameter_notes
from .problem import Direction, Equilibrium, FlowProblem, Kind
from .ranges import check_defined, range_text
from .reference import reference_solution
from .scene import Scene

GRID_POINTS = 801      # samples of F and f across the plotted range
REFERENCE_POINTS = 600


@dataclass(frozen=True, eq=False)
class SceneResult:
    """What the canvases draw for one Scene; arrays are read-only by convention."""

    scene: Scene
    summary: str                    # e.g. "F(x) = x²/2 − x³/3  ⇒  x' = F'(x) = x − x²"
    F_label: str                    # unicode right-hand sides for legends
    f_label: str
    parameters: tuple[str, ...]     # free parameters found in the equation (slider names)
    grid_x: np.ndarray              # (GRID_POINTS,)
    grid_F: np.ndarray
    grid_f: np.ndarray
    equilibria: tuple[Equilibrium, ...]
    f_is_zero: bool
    t: np.ndarray                   # (steps + 1,) t_n = n h
    x: np.ndarray                   # x_n, NaN after divergence
    Fx: np.ndarray                  # F(x_n)
    fx: np.ndarray                  # f(x_n)
    diverged_at: int                # first bad step, -1 if none
    ref_t: np.ndarray               # reference solution x(t) from x0
    ref_x: np.ndarray
    ref_exact: bool
    ref_note: str
    bundle_x0: np.ndarray           # (k,) empty unless scene.bundle
    bundle_ref_x: np.ndarray        # (k, REFERENCE_POINTS)
    bundle_x: np.ndarray            # (k, steps + 1) Euler iterates from each bundle start
    attractor: Equilibrium | None   # the stable equilibrium the regime refers to
    regime: str                     # e.g. "monotone convergence"
    messages: tuple[str, ...]       # plain sentences for the status bar and canvas
    seconds: float                  # time spent in evaluate
    notes: tuple[str, ...] = ()     # hints about the equation the editor shows ("X is a parameter; …")

    @property
    def steps(self) -> int:
        return len(self.x) - 1

    @property
    def diverged(self) -> bool:
        return self.diverged_at >= 0

    @property
    def grid_g(self) -> np.ndarray:
        """Euler's map g(x) = x + h f(x) on the grid: the update rule as a function."""
        return self.grid_x + self.scene.h * self.grid_f

    def cobweb(self) -> tuple[np.ndarray, np.ndarray]:
        """The cobweb of the iterates on g (see `cobweb_path`)."""
        return cobweb_path(self.x)


def cobweb_path(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cobweb of iterates x_0, x_1, ... of a map g: (x0, x0), (x0, x1), (x1, x1), (x1, x2), ...

    Vertex 2n is (x_n, x_n) on the diagonal; the path up to iterate n is the first 2n + 1 vertices.
    Vertical segments go from the diagonal to the graph of g, horizontal ones back to the diagonal.
    """
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return np.empty(0), np.empty(0)
    px = np.repeat(x, 2)[:-1]            # x0 x0 x1 x1 x2 ...
    py = np.repeat(x, 2)[1:]             # x0 x1 x1 x2 x2 ...
    return px, py


def build_problem(scene: Scene) -> FlowProblem:
    return FlowProblem.from_text(scene.text, Kind(scene.kind), Direction(scene.direction),
                                 scene.param_dict)


def summary_line(problem: FlowProblem) -> str:
    """The typeset statement under the editor: what the user typed and what follows from it."""
    sign = "" if problem.direction is Direction.ASCENT else "−"
    F, f = problem.F_label, problem.f_label
    if problem.kind is Kind.OBJECTIVE:
        return f"F(x) = {F}  ⇒  x' = {sign}F'(x) = {f}"
    return f"x' = f(x) = {f}  ⇒  F(x) = {sign}∫f dx = {F}"


def evaluate(scene: Scene, should_stop: Callable[[], bool] | None = None) -> SceneResult:
    """Compute everything for `scene`; `should_stop` lets a worker abandon stale work (raises Cancelled)."""
    start = time.perf_counter()
    problem = build_problem(scene)
    a, b = scene.x_range
    grid_x = np.linspace(a, b, GRID_POINTS)
    with np.errstate(all="ignore"):
        grid_F = problem.F_numeric(grid_x)
        grid_f = problem.f_numeric(grid_x)
    # what the user typed must have a value somewhere in the picture (asin(x + 5), sqrt(-1 - x^2))
    check_defined(grid_F if scene.kind == "F" else grid_f, scene.kind, f"the range {range_text(a, b)}")

    bundle_x0 = np.linspace(a, b, scene.bundle_starts + 2)[1:-1] if scene.bundle else np.empty(0)
    # One batched Euler run for x0 and the bundle: the Python loop over steps is paid once.
    starts = np.concatenate([[scene.x0], bundle_x0])
    run = euler(problem.f_loop, starts, scene.h, scene.steps, should_stop=should_stop,
                f_scalar=problem.f_scalar)
    x, bundle_x = run.x[0], run.x[1:]
    with np.errstate(all="ignore"):
        Fx, fx = problem.F_numeric(x), problem.f_numeric(x)
    diverged_at = int(run.diverged_at[0])

    t_end = scene.steps * scene.h
    ref = reference_solution(problem, scene.x0, t_end, REFERENCE_POINTS)
    bundle_ref = (reference_solution(problem, bundle_x0, t_end, REFERENCE_POINTS).x if scene.bundle
                  else np.empty((0, REFERENCE_POINTS)))
    equilibria = tuple(problem.equilibria(a, b))

    attractor = problem.nearest_attractor(scene.x0, a, b)
    regime = attractor.regime(scene.h).value if attractor else "no equilibrium attracts"

    messages = []
    if diverged_at >= 0:
        messages.append(f"diverged at step {diverged_at}")
    if ref.note:
        messages.append(ref.note)

    return SceneResult(
        scene=scene, summary=summary_line(problem), F_label=problem.F_label, f_label=problem.f_label,
        parameters=problem.parameters,
        grid_x=grid_x, grid_F=grid_F, grid_f=grid_f,
        equilibria=equilibria, f_is_zero=problem.f_is_zero,
        t=run.t[0], x=x, Fx=Fx, fx=fx, diverged_at=diverged_at,
        ref_t=ref.t, ref_x=ref.x[0], ref_exact=ref.exact, ref_note=ref.note,
        bundle_x0=bundle_x0, bundle_ref_x=bundle_ref, bundle_x=bundle_x,
        attractor=attractor, regime=regime, messages=tuple(messages),
        seconds=time.perf_counter() - start, notes=parameter_notes(problem.parameters, ("x",)),
    )
