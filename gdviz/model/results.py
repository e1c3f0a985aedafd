"""Scene -> SceneResult: every array the three canvases draw, computed in one place.

The window, the command line and the notebook all call `evaluate`; the worker thread only
runs it off the GUI thread. Raises ExpressionError for bad equation text.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .euler import euler
from .expressions import parameter_notes
from .integrators import cut_at_divergence, method_bound, method_bounds, method_regime, run_batch, stability_limit
from .modified import modified_flow, modified_objective_values
from .outcome import Outcome, iterate_outcome, local_sentence
from .problem import Direction, Equilibrium, FlowProblem, Kind
from .ranges import check_defined, range_text
from .reference import reference_solution
from .scene import Scene
from .step_rules import run_rule

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
    attractor: Equilibrium | None   # the equilibrium the local regime refers to (see `evaluate`)
    regime: str                     # local regime at the attractor, e.g. "monotone convergence"
    messages: tuple[str, ...]       # plain sentences for the status bar and canvas
    seconds: float                  # time spent in evaluate
    notes: tuple[str, ...] = ()     # hints about the equation the editor shows ("X is a parameter; …")
    outcome: Outcome | None = None  # what the iterates from x0 actually do (see outcome.py)
    # The chosen method's stability bound on h at each stable equilibrium in the range (the h
    # slider's marks; empty for explicit Euler, whose two thresholds the attractor carries).
    method_bounds: tuple[float, ...] = ()
    # The h_k a step-size rule chose (h_steps[k] took x_k to x_{k+1}; t_n is their running sum);
    # empty for a fixed h.
    h_steps: np.ndarray = field(default_factory=lambda: np.empty(0))
    # Issue 14 §1, empty unless scene.shows_modified: the modified flow x' = f − (h/2) f'f from x0
    # (at the reference's times) and F̃ = F − s·(h/4)·f² on the grid.
    modified_t: np.ndarray = field(default_factory=lambda: np.empty(0))
    modified_x: np.ndarray = field(default_factory=lambda: np.empty(0))
    grid_F_modified: np.ndarray = field(default_factory=lambda: np.empty(0))

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

    @property
    def outcome_text(self) -> str:
        """What the iterates from x0 do, e.g. 'The iterates diverge: |x| passes 1e+12 at step 7.'"""
        return self.outcome.sentence if self.outcome is not None else ""

    @property
    def local_text(self) -> str:
        """The linear test at the attractor, worded as the local statement it is."""
        return local_sentence(self.attractor, self.scene.h, self.scene.method)

    @property
    def attractor_bound(self) -> float:
        """The method's stability bound on h at the attractor (inf: every h contracts; NaN: no attractor)."""
        return method_bound(self.scene.method, self.attractor) if self.attractor is not None else math.nan

    @property
    def bound_formula(self) -> str:
        """Where that bound comes from, e.g. "2.785/|f'(x*)|" ("" for Newton's flow: the bound is 2)."""
        if self.scene.method == "newton":
            return ""
        return f"{stability_limit(self.scene.method):.4g}/|f'(x*)|"

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
    # One batched run for x0 and the bundle: the Python loop over steps is paid once.
    starts = np.concatenate([[scene.x0], bundle_x0])
    xs, t, diverged, h_steps = _iterates(problem, scene, starts, should_stop)
    x, bundle_x = xs[0], xs[1:]
    with np.errstate(all="ignore"):
        Fx, fx = problem.F_numeric(x), problem.f_numeric(x)
    diverged_at = int(diverged[0])

    t_end = scene.steps * scene.h if scene.step_rule == "fixed" else _last_finite(t)
    ref = reference_solution(problem, scene.x0, t_end, REFERENCE_POINTS)
    bundle_ref = (reference_solution(problem, bundle_x0, t_end, REFERENCE_POINTS).x if scene.bundle
                  else np.empty((0, REFERENCE_POINTS)))
    equilibria = tuple(problem.equilibria(a, b))
    modified_t, modified_x, grid_F_modified = _modified(problem, scene, t_end, grid_F, grid_f)

    outcome = iterate_outcome(x, diverged_at, equilibria, (a, b), scene.h, problem.f_numeric,
                              every_root=scene.method == "newton")
    # The local statement is about the equilibrium the iterates approach; when they approach
    # none, about the one the exact flow from x0 approaches.
    attractor = outcome.target if outcome.target is not None else problem.nearest_attractor(scene.x0, a, b)
    regime = method_regime(scene.method, attractor, scene.h).value if attractor else "no equilibrium attracts"
    bounds = method_bounds(scene.method, equilibria) if scene.method != "euler" else ()

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
        t=t, x=x, Fx=Fx, fx=fx, diverged_at=diverged_at,
        ref_t=ref.t, ref_x=ref.x[0], ref_exact=ref.exact, ref_note=ref.note,
        bundle_x0=bundle_x0, bundle_ref_x=bundle_ref, bundle_x=bundle_x,
        attractor=attractor, regime=regime, messages=tuple(messages),
        seconds=time.perf_counter() - start,
        notes=parameter_notes(problem.parameters, ("x",)), outcome=outcome, method_bounds=bounds,
        h_steps=h_steps, modified_t=modified_t, modified_x=modified_x, grid_F_modified=grid_F_modified,
    )


def _modified(problem: FlowProblem, scene: Scene, t_end: float, grid_F: np.ndarray, grid_f: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The modified flow from x0 and F̃ on the grid, when the scene shows them (empty otherwise)."""
    if not scene.shows_modified:
        return np.empty(0), np.empty(0), np.empty(0)
    flow = modified_flow(problem, scene.x0, scene.h, t_end, REFERENCE_POINTS)
    return flow.t, flow.x[0], modified_objective_values(grid_F, grid_f, scene.h, problem.sign)


def _iterates(problem: FlowProblem, scene: Scene, starts: np.ndarray, should_stop: Callable[[], bool] | None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The iterates from every start (rows), the times t_n, each row's first diverged step and the
    h_k a step-size rule chose. Explicit Euler with a fixed h keeps its own engine (divergence
    found on the way, a fast path for one long run)."""
    if scene.step_rule != "fixed":
        return _rule_iterates(problem, scene, starts, should_stop)
    if scene.method == "euler":
        run = euler(problem.f_loop_for(starts), starts, scene.h, scene.steps, should_stop=should_stop,
                    f_scalar=problem.f_scalar)
        return run.x, run.t[0], run.diverged_at, np.empty(0)
    xs, diverged = cut_at_divergence(run_batch(problem, scene.method, starts, scene.h, scene.steps, should_stop))
    return xs, scene.h * np.arange(scene.steps + 1), diverged, np.empty(0)


def _rule_iterates(problem: FlowProblem, scene: Scene, starts: np.ndarray, should_stop: Callable[[], bool] | None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The iterates from x0 with the scene's step-size rule, at their artificial times t_n = Σ h_k.
    Each start would have times of its own, so the bundle's iterates are left out (NaN rows)."""
    run = run_rule(problem, scene.step_rule, float(starts[0]), scene.h, scene.steps, should_stop)
    x, diverged = cut_at_divergence(run.x)
    h_steps, t = run.h.copy(), run.t.copy()
    if diverged[0] >= 0:
        h_steps[diverged[0] - 1:] = np.nan
        t[diverged[0]:] = np.nan
    rows = np.full((len(starts), scene.steps + 1), np.nan)
    rows[0] = x[0]
    return rows, t, diverged.repeat(len(starts)), h_steps


def _last_finite(t: np.ndarray) -> float:
    finite = t[np.isfinite(t)]
    return float(finite[-1]) if finite.size else 0.0
