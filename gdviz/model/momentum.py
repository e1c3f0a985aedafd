"""Momentum is physics: heavy-ball iterates and Newton's second law in the phase plane (x, v).

Heavy-ball momentum on F, b ← μ b + ∇F(x), x ← x − lr·b, is a discretisation of the motion of a
unit mass in the potential V = F with friction γ (seed 001: Newton's second law),

    x'' + γ x' = −F'(x),       Δt = √lr,  γ = (1 − μ)/Δt       (`optimizers.heavy_ball_as_ode`),

so its iterates are points (x_n, v_n) of that equation's phase plane, v_n = (x_n − x_{n−1})/Δt.
`evaluate_momentum` puts both in one picture: the heavy ball's points, the exact motion from the
same start (`physics.damped_newton_flow`) over the same time span, the plane's vector field
(x', v') = (v, −F'(x) − γ v), its rest points (x*, 0) classified by the Jacobian
[[0, 1], [−V''(x*), −γ]], the energy E = v²/2 + V(x) along both paths (constant for γ = 0,
falling for γ > 0), and reference orbits: the separatrices of the saddles and a few flows from
a grid of starts. The article's pendulum x'' = −(g/L) sin x is the preset F = 1 − cos x (g/L = 1).

Direction "ascent" climbs F instead (V = −F), exactly as the first-order flow does.

The scene is plain data importable without sympy (the window imports it at start-up);
`evaluate_momentum` imports the symbolic machinery when it first runs (on the worker thread).
"""
from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..paths import resources_dir
from .optimizers import heavy_ball_as_ode
from .preset_files import find_named, read_numbered, read_scene_preset
from .ranges import check_defined, range_problem, range_text
from .readers import Readers
from .scene_readers import scene_field_readers

if TYPE_CHECKING:
    from .accelerated import AcceleratedRun
    from .physics import PhaseKind, PhaseRun
    from .problem import FlowProblem
    from .rates import RateSummary

__all__ = [
    "DEFAULT_MOMENTUM_PRESET",
    "MomentumEquilibrium",
    "MomentumPreset",
    "MomentumResult",
    "MomentumScene",
    "build_momentum_problem",
    "classify_rest_point",
    "evaluate_momentum",
    "momentum_preset",
    "momentum_presets",
]

DIRECTIONS = ("ascent", "descent")
MAX_STEPS = 20_000
MAX_TIME = 400.0            # steps·Δt, the time both paths cover: bounds the RK4 work (~1 s)
LR_RANGE = (1e-10, 1e4)     # Δt from 1e-5 to 100
MAX_ABS = 1e6               # starts and plotted ranges
MIN_SPAN = 1e-6             # narrowest plotted range
MAX_TEXT = 500
MAX_PARAMS = 32

# The continuous motion is drawn at least this finely in time (output points, not RK4 steps).
FLOW_SAMPLE_DT = 0.05
MAX_FLOW_POINTS = 40_001
# RK4 step: ωh <= RK_OMEGA_H for ω = √max|V''| over the plotted range, and never above
# RK_MAX_STEP. Global error ~ t·ω(ωh)⁴/120 (see physics.DEFAULT_MAX_STEP): with ωh = 0.05 and
# t = 400 that is ~2e-6/ω relative; the energy of a conservative motion drifts far less.
RK_OMEGA_H = 0.05
RK_MAX_STEP = 0.02
# The vector field: arrows at the centres of a FIELD_NX × FIELD_NV grid over the plotted box.
FIELD_NX, FIELD_NV = 25, 17
# Reference orbits: flows from ORBIT_NX × ORBIT_NV grid starts, forward and backward in time.
ORBIT_NX, ORBIT_NV = 4, 3
PORTRAIT_DT = 0.05          # output spacing of reference orbits
PORTRAIT_MAX_STEP = 0.05
PORTRAIT_MAX_TIME = 60.0
SEPARATRIX_EPS = 1e-5       # distance from a saddle (relative to the box) where a branch starts
BOX_SLACK = 0.25            # reference orbits are cut where they leave the box widened by this


# --------------------------------------------------------------------------- the scene

@dataclass(frozen=True)
class MomentumScene:
    """What the momentum tab shows: the potential F (descended), the start (x0, v0), heavy-ball
    momentum's lr and μ, the number of steps, and the plotted box x_range × v_range.

    Numbers are stored as floats (ints as ints) and `params` as a sorted tuple of (name, value),
    whatever was passed; anything out of range raises ValueError with every problem listed.
    """

    text: str = "1 - cos(x)"        # F(x): the pendulum's potential (g/L)(1 − cos x) with g/L = 1
    direction: str = "descent"
    params: tuple[tuple[str, float], ...] = ()
    x0: float = 2.0
    v0: float = 0.0
    lr: float = 0.01                # Δt = √lr = 0.1
    momentum: float = 1.0           # γ = (1 − μ)/Δt = 0: no friction
    steps: int = 600                # t = 60: about seven swings
    x_range: tuple[float, float] = (-7.2, 7.2)
    v_range: tuple[float, float] = (-3.2, 3.2)
    portrait: bool = True           # draw separatrices and reference orbits
    preset: str = ""
    nesterov: bool = False          # also Nesterov's (k − 1)/(k + 2) iterates over their ODE (issue 14 §3)

    def __post_init__(self) -> None:
        values, problems = _clean(self)
        if problems:
            raise ValueError("; ".join(problems))
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def param_dict(self) -> dict[str, float]:
        return dict(self.params)

    @property
    def dt(self) -> float:
        return heavy_ball_as_ode(self.lr, self.momentum)[0]

    @property
    def gamma(self) -> float:
        return heavy_ball_as_ode(self.lr, self.momentum)[1]

    @property
    def t_end(self) -> float:
        return self.steps * self.dt

    def with_(self, **changes: Any) -> MomentumScene:
        """A copy with some fields changed (ValueError if the result is invalid)."""
        unknown = [k for k in changes if k not in _FIELD_NAMES]
        if unknown:
            raise ValueError(f"unknown scene field(s): {', '.join(map(str, unknown))}")
        return replace(self, **changes)


_FIELD_NAMES = frozenset(f.name for f in fields(MomentumScene))


def _real(value: object) -> float | None:
    """value as a finite float, or None (bools, text, NaN, huge ints are not numbers here)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return None
    try:
        v = float(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _pair(value: object) -> tuple[float, float] | None:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    a, b = _real(value[0]), _real(value[1])
    return None if a is None or b is None else (a, b)


def _clean(s: MomentumScene) -> tuple[dict[str, Any], list[str]]:
    """Normalised field values and the messages for whatever is wrong."""
    out: dict[str, Any] = {}
    bad: list[str] = []
    if not isinstance(s.text, str) or not s.text.strip():
        bad.append("type a potential F(x), e.g. 1 - cos(x)")
    elif len(s.text) > MAX_TEXT:
        bad.append(f"the equation is longer than {MAX_TEXT} characters")
    if not isinstance(s.direction, str) or s.direction not in DIRECTIONS:
        bad.append("direction must be 'descent' or 'ascent'")
    params = _params(s.params)
    if params is None:
        bad.append(f"params must be up to {MAX_PARAMS} pairs (name, finite number)")
    else:
        out["params"] = params
    for name, label in (("x0", "x₀"), ("v0", "v₀")):
        v = _real(getattr(s, name))
        if v is None or abs(v) > MAX_ABS:
            bad.append(f"{label} must be a number between −{MAX_ABS:g} and {MAX_ABS:g}")
        else:
            out[name] = v
    lr = _real(s.lr)
    if lr is None or not LR_RANGE[0] <= lr <= LR_RANGE[1]:
        bad.append(f"the learning rate lr must be a number from {LR_RANGE[0]:g} to {LR_RANGE[1]:g}")
    else:
        out["lr"] = lr
    mu = _real(s.momentum)
    if mu is None or not 0.0 <= mu <= 1.0:
        bad.append("the momentum μ must be between 0 and 1 (1: no friction)")
    else:
        out["momentum"] = mu
    steps = s.steps
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, numbers.Integral) \
            or not 1 <= steps <= MAX_STEPS:
        bad.append(f"steps must be a whole number from 1 to {MAX_STEPS:,}")
    else:
        out["steps"] = int(steps)
    if "lr" in out and "steps" in out and out["steps"] * math.sqrt(out["lr"]) > MAX_TIME:
        bad.append(f"steps × Δt = {out['steps']} × √lr = {out['steps'] * math.sqrt(out['lr']):.4g} "
                   f"is more time than the {MAX_TIME:g} the motion is followed for: "
                   f"take fewer steps or a smaller lr")
    for name, axis in (("x_range", "x"), ("v_range", "v")):
        r = _pair(getattr(s, name))
        # the shared rule of every plotted range first, then the tab's own narrower box
        problem = range_problem(*r, f"the {axis}-range") if r is not None else None
        if problem is not None:
            bad.append(problem)
        elif r is None or not (r[1] - r[0] >= MIN_SPAN and max(abs(r[0]), abs(r[1])) <= MAX_ABS):
            bad.append(f"the {axis}-range needs two numbers A < B (within ±{MAX_ABS:g}, "
                       f"at least {MIN_SPAN:g} apart)")
        else:
            out[name] = r
    for name in ("portrait", "nesterov"):
        if not isinstance(getattr(s, name), (bool, np.bool_)):
            bad.append(f"{name} must be True or False")
        else:
            out[name] = bool(getattr(s, name))
    if not isinstance(s.preset, str):
        bad.append("preset must be a name (text)")
    return out, bad


def _params(value: object) -> tuple[tuple[str, float], ...] | None:
    items = value.items() if isinstance(value, dict) else value
    if not isinstance(items, (tuple, list, type({}.items()))):
        return None
    items = list(items)
    if len(items) > MAX_PARAMS:
        return None
    out = {}
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            return None
        name, v = item[0], _real(item[1])
        if not isinstance(name, str) or not name.isidentifier() or v is None:
            return None
        out[name] = v
    return tuple(sorted(out.items()))


# --------------------------------------------------------------------------- rest points

@dataclass(frozen=True)
class MomentumEquilibrium:
    """A rest point (x*, 0) of x'' + γ x' = −V'(x), classified like `physics.pendulum_equilibria`."""

    x: float
    v: float
    kind: PhaseKind
    eigenvalues: tuple[complex, complex]   # of [[0, 1], [−V''(x*), −γ]], larger real part first
    curvature: float                       # V''(x*) (0 at a multiple root of F')
    degenerate: bool                       # V''(x*) = 0: the kind comes from the shape of V
    potential: float                       # V(x*): the energy of resting there

    @property
    def stable(self) -> bool:
        return self.kind.stable

    @property
    def label(self) -> str:
        """"stable centre", "saddle (unstable)", "unstable focus", … for the canvas."""
        text = self.kind.value + (" (unstable)" if self.kind.value == "saddle" else "")
        return text + (", degenerate" if self.degenerate else "")


def classify_rest_point(curvature: float, gamma: float,
                        shape: str = "") -> tuple[PhaseKind, tuple[complex, complex]]:
    """Kind and eigenvalues of the rest point where V''(x*) = curvature, friction γ.

    The Jacobian [[0, 1], [−c, −γ]] has trace −γ, determinant c, eigenvalues
    (−γ ± √(γ² − 4c))/2: c < 0 a saddle; c > 0 a centre (γ = 0), focus (0 < γ < 2√c) or node
    (γ >= 2√c), unstable for γ < 0 -- the same rules as the pendulum's in `physics`.
    c = 0 is not decided by the linearisation (eigenvalues 0 and −γ); `shape` ("minimum",
    "maximum" or other, of V) decides: a minimum of V is stable (a centre without friction, else
    a node: energy falls and it creeps in), anything else is unstable, reported as a saddle.
    """
    from .physics import PhaseKind
    c, g = float(curvature), float(gamma)
    if c < 0:
        s = math.sqrt(g * g - 4.0 * c)
        return PhaseKind.SADDLE, (complex((-g + s) / 2, 0.0), complex((-g - s) / 2, 0.0))
    if c == 0:
        eig = (complex(0.0, 0.0), complex(-g + 0.0, 0.0))
        eig = eig if g >= 0 else (eig[1], eig[0])
        if shape != "minimum":
            return PhaseKind.SADDLE, eig
        kind = PhaseKind.CENTRE if g == 0 else PhaseKind.NODE if g > 0 else PhaseKind.UNSTABLE_NODE
        return kind, eig
    if abs(g) >= 2.0 * math.sqrt(c):
        s = math.sqrt(max(g * g - 4.0 * c, 0.0))
        kind = PhaseKind.NODE if g > 0 else PhaseKind.UNSTABLE_NODE
        return kind, (complex((-g + s) / 2, 0.0), complex((-g - s) / 2, 0.0))
    omega = math.sqrt(max(4.0 * c - g * g, 0.0)) / 2
    kind = PhaseKind.CENTRE if g == 0 else PhaseKind.FOCUS if g > 0 else PhaseKind.UNSTABLE_FOCUS
    re = -g / 2 + 0.0
    return kind, (complex(re, omega), complex(re, -omega))


def _rest_points(problem: FlowProblem, x_range: tuple[float, float],
                 gamma: float) -> tuple[MomentumEquilibrium, ...]:
    """(x*, 0) for every root x* of f = −V' in x_range, classified with V'' = −f'(x*)."""
    from .problem import Stability
    out = []
    tiny = 1e-12 * (x_range[1] - x_range[0])
    with np.errstate(all="ignore"):
        for e in problem.equilibria(*x_range):
            x = 0.0 if abs(e.x) <= tiny else e.x          # sin's root found at 1e-27 is 0
            c = -e.slope + 0.0
            # f stable (f > 0 left of x*, < 0 right) means V' = −f goes − to +: a minimum of V.
            shape = ("minimum" if e.stability is Stability.STABLE else
                     "maximum" if e.stability is Stability.UNSTABLE else "neither")
            kind, eig = classify_rest_point(c, gamma, shape)
            pot = float(-problem.sign * np.asarray(problem.F_numeric(np.array([x])))[0])
            out.append(MomentumEquilibrium(x, 0.0, kind, eig, c, c == 0, pot))
    return tuple(out)


# --------------------------------------------------------------------------- the result

@dataclass(frozen=True, eq=False)
class MomentumResult:
    """Everything the momentum tab draws for one MomentumScene."""

    scene: MomentumScene
    F_label: str                     # "1 − cos(x)"
    force_label: str                 # the force −V'(x) = f(x): "−sin(x)"
    equation: str                    # "x″ + γx′ = −F′(x) = −sin(x)"
    parameters: tuple[str, ...]
    dt: float                        # Δt = √lr
    gamma: float                     # γ = (1 − μ)/Δt
    run: PhaseRun                  # heavy ball: t_n = nΔt, (x_n, v_n), E_n
    flow: PhaseRun                 # the damped Newton flow from (x0, v0) over [0, steps·Δt]
    flow_every: int                  # flow sample n·flow_every is at t = nΔt
    field_x: np.ndarray              # (FIELD_NV·FIELD_NX,) arrow centres
    field_v: np.ndarray
    field_dx: np.ndarray             # unit direction of (x', v') in box units (fractions of
    field_dv: np.ndarray             # the x- and v-spans); NaN where the field is 0 or undefined
    field_speed: np.ndarray          # |(x', v')| in data units
    equilibria: tuple[MomentumEquilibrium, ...]
    orbits_x: np.ndarray             # reference flows from grid starts, NaN-separated
    orbits_v: np.ndarray
    separatrix_x: np.ndarray         # saddle branches (stable and unstable manifolds), NaN-separated
    separatrix_v: np.ndarray
    messages: tuple[str, ...]
    seconds: float
    notes: tuple[str, ...] = ()      # hints about F shown under its field ("X is a parameter; …")
    rates: RateSummary | None = None            # thresholds and the (lr, μ) rate map at the bottom
    accelerated: AcceleratedRun | None = None   # Nesterov over X'' + (3/t)X' + F'(X) = 0, if asked

    @property
    def steps(self) -> int:
        return self.scene.steps

    @property
    def t(self) -> np.ndarray:
        return self.run.t

    @property
    def x(self) -> np.ndarray:
        return self.run.x

    @property
    def v(self) -> np.ndarray:
        return self.run.v

    @property
    def energy(self) -> np.ndarray:
        return self.run.energy

    @property
    def diverged_at(self) -> int:
        return int(self.run.diverged_at)

    @property
    def flow_diverged_at(self) -> int:
        """Output index of the flow where it blew up, -1 if never."""
        return int(self.flow.diverged_at)

    def flow_at_steps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, v, E) of the flow at t = nΔt, n = 0..steps (compare with the iterates)."""
        k = self.flow_every
        return self.flow.x[::k], self.flow.v[::k], self.flow.energy[::k]

    @property
    def rest_energy(self) -> float:
        """V at the lowest stable rest point in range (the energy a settled ball has), else NaN."""
        values = [e.potential for e in self.equilibria if e.stable and math.isfinite(e.potential)]
        return min(values) if values else math.nan


def build_momentum_problem(scene: MomentumScene) -> FlowProblem:
    """The FlowProblem of F: f = s·F' is the force −V'(x) (raises ExpressionError for bad text)."""
    from .problem import Direction, FlowProblem, Kind
    return FlowProblem.from_text(scene.text, Kind.OBJECTIVE, Direction(scene.direction),
                                 scene.param_dict)


def evaluate_momentum(scene: MomentumScene,
                      should_stop: Callable[[], bool] | None = None) -> MomentumResult:
    """The heavy ball, the exact motion, the field, the rest points and reference orbits of `scene`.

    Raises ExpressionError for bad text, ValueError for numbers that cannot work, Cancelled when
    `should_stop()` says so.
    """
    from .expressions import parameter_notes
    from .physics import damped_newton_flow, heavy_ball_phase
    from .rates import summary_momentum
    start = time.perf_counter()
    problem = build_momentum_problem(scene)
    a, b = scene.x_range
    with np.errstate(all="ignore"):   # the potential must have a value somewhere in the picture
        check_defined(problem.F_numeric(np.linspace(a, b, 801)), "F", f"the x-range {range_text(a, b)}")
    dt, gamma = heavy_ball_as_ode(scene.lr, scene.momentum)
    run = heavy_ball_phase(problem, scene.x0, scene.v0, scene.lr, scene.momentum, scene.steps,
                           should_stop=should_stop)

    omega = _stiffness(problem, scene)
    t_end = scene.steps * dt
    every = max(1, min(math.ceil(dt / FLOW_SAMPLE_DT * (1 - 1e-12)),
                       (MAX_FLOW_POINTS - 1) // scene.steps))
    n_points = scene.steps * every + 1
    flow = damped_newton_flow(problem, scene.x0, scene.v0, gamma, t_end, n_points,
                              max_step=_rk_step(omega, RK_MAX_STEP, t_end, n_points),
                              should_stop=should_stop)

    equilibria = _rest_points(problem, scene.x_range, gamma)
    fx, fv, fdx, fdv, speed = _field(problem, scene, gamma)
    if scene.portrait:
        (ox, ov), (sx, sv) = _portrait(problem, scene, gamma, omega, equilibria, should_stop)
    else:
        ox = ov = sx = sv = np.empty(0)

    sign = "−" if problem.sign < 0 else ""
    result = MomentumResult(
        scene=scene, F_label=problem.F_label, force_label=problem.f_label,
        equation=f"x″ + γx′ = {sign}F′(x) = {problem.f_label}", parameters=problem.parameters,
        dt=dt, gamma=gamma, run=run, flow=flow, flow_every=every,
        field_x=fx, field_v=fv, field_dx=fdx, field_dv=fdv, field_speed=speed,
        equilibria=equilibria, orbits_x=ox, orbits_v=ov, separatrix_x=sx, separatrix_v=sv,
        messages=(), seconds=0.0, notes=parameter_notes(problem.parameters, ("x",)),
        rates=summary_momentum(equilibria, _last_finite(run.x), scene.x0, scene.lr, scene.momentum),
        accelerated=_accelerated(problem, scene, omega) if scene.nesterov else None)
    object.__setattr__(result, "messages", _messages(result))
    object.__setattr__(result, "seconds", time.perf_counter() - start)
    return result


def _last_finite(x: np.ndarray) -> float:
    """The heavy ball's last position, NaN if it ran away (then λ is taken nearest x₀)."""
    return float(x[-1]) if np.isfinite(x[-1]) else math.nan


def _accelerated(problem: FlowProblem, scene: MomentumScene, omega: float) -> AcceleratedRun:
    """Nesterov with s = lr, so t_k = k√s is the heavy ball's t_n = nΔt: both on one time axis.
    V' = −f in both directions (descent: f = −F'; ascent: V = −F, f = F'). f_loop, 4x cheaper a
    call than f_numeric, is safe here: accelerated_run holds np.errstate(all="ignore")."""
    from .accelerated import accelerated_run
    f = problem.f_loop

    def grad(x: float) -> float:
        return -float(f(np.array([x]))[0])
    return accelerated_run(grad, scene.x0, scene.lr, scene.steps, omega)


def _stiffness(problem: FlowProblem, scene: MomentumScene) -> float:
    """ω = √max|V''| over the plotted x-range and the start (1 if nothing finite is found)."""
    a, b = scene.x_range
    xs = np.append(np.linspace(a, b, 801), scene.x0)
    with np.errstate(all="ignore"):
        curv = np.abs(np.asarray(problem.fprime_numeric(xs), dtype=float))
    curv = np.broadcast_to(curv, xs.shape)
    curv = curv[np.isfinite(curv)]
    top = float(curv.max()) if curv.size else 0.0
    return math.sqrt(top) if top > 0 else 1.0


def _rk_step(omega: float, ceiling: float, t_end: float, n_points: int) -> float:
    """max_step for damped_newton_flow: ωh <= RK_OMEGA_H, within the RK4 work budget."""
    from .physics import MAX_RK_STEPS
    h = min(ceiling, RK_OMEGA_H / omega)
    # ceil() per output interval adds up to n_points − 1 steps: keep 20 % of the budget for it.
    return max(h, t_end / (0.8 * MAX_RK_STEPS - n_points))


def _field(problem: FlowProblem, scene: MomentumScene, gamma: float):
    """(x', v') = (v, f(x) − γ v) at cell centres; directions normalised in box units."""
    (a, b), (c, d) = scene.x_range, scene.v_range
    sx, sv = b - a, d - c
    xs = a + (np.arange(FIELD_NX) + 0.5) * sx / FIELD_NX
    vs = c + (np.arange(FIELD_NV) + 0.5) * sv / FIELD_NV
    X, V = np.meshgrid(xs, vs)
    X, V = X.ravel(), V.ravel()
    with np.errstate(all="ignore"):
        force = np.broadcast_to(np.asarray(problem.f_numeric(X), dtype=float), X.shape)
        u, w = V, force - gamma * V
        ux, uv = u / sx, w / sv
        norm = np.hypot(ux, uv)
        ok = np.isfinite(norm) & (norm > 0)
        dx = np.where(ok, ux / np.where(ok, norm, 1.0), np.nan)
        dv = np.where(ok, uv / np.where(ok, norm, 1.0), np.nan)
        speed = np.where(np.isfinite(w), np.hypot(u, w), np.nan)
    return X, V, dx, dv, speed


def _portrait(problem, scene, gamma, omega, equilibria, should_stop):
    """Reference orbits through grid starts and the four branches of every saddle, as polylines."""
    from .physics import damped_newton_flow
    (a, b), (c, d) = scene.x_range, scene.v_range
    sx, sv = b - a, d - c
    gx = a + (np.arange(ORBIT_NX) + 0.5) * sx / ORBIT_NX
    gv = c + (np.arange(ORBIT_NV) + 0.5) * sv / ORBIT_NV
    GX, GV = (g.ravel() for g in np.meshgrid(gx, gv))
    bottoms = [e.curvature for e in equilibria if e.stable and e.curvature > 0]
    t_orbit = float(np.clip(2 * math.pi / math.sqrt(max(bottoms)), 2.0, 30.0)) if bottoms else 10.0

    saddles = [e for e in equilibria if e.kind.value == "saddle" and not e.degenerate]
    eps = SEPARATRIX_EPS
    ux, uv, stx, stv = [], [], [], []          # unstable branch starts, stable branch starts
    rates = []
    for e in saddles:
        (lu, ls) = (e.eigenvalues[0].real, e.eigenvalues[1].real)   # λ₊ > 0 > λ₋
        rates += [lu, -ls]
        for lam, xs_, vs_ in ((lu, ux, uv), (ls, stx, stv)):
            # Eigenvector (1, λ) in (x, v), scaled to a step of eps in box units.
            scale = eps / math.hypot(1.0 / sx, lam / sv)
            for sgn in (1.0, -1.0):
                xs_.append(e.x + sgn * scale)
                vs_.append(sgn * scale * lam)
    t_sep = t_orbit + (math.log(1.0 / eps) / min(rates) if rates else 0.0)
    t_all = float(min(max(t_orbit, t_sep), PORTRAIT_MAX_TIME))
    n = max(2, math.ceil(t_all / PORTRAIT_DT) + 1)
    k_orbit = min(n, math.ceil(t_orbit / t_all * (n - 1)) + 1)
    h = _rk_step(omega, PORTRAIT_MAX_STEP, t_all, n)

    fwd_x = np.concatenate([GX, ux]) if ux else GX
    fwd_v = np.concatenate([GV, uv]) if uv else GV
    bwd_x = np.concatenate([GX, stx]) if stx else GX
    bwd_v = np.concatenate([GV, stv]) if stv else GV
    # Backward in time is forward with friction −γ and velocity −v (x'' = −V' + γ x' in −t).
    fwd = damped_newton_flow(problem, fwd_x, fwd_v, gamma, t_all, n, max_step=h,
                             should_stop=should_stop)
    bwd = damped_newton_flow(problem, bwd_x, -bwd_v, -gamma, t_all, n, max_step=h,
                             should_stop=should_stop)
    box = (a - BOX_SLACK * sx, b + BOX_SLACK * sx, c - BOX_SLACK * sv, d + BOX_SLACK * sv)
    fx, fv = _cut(fwd.x, fwd.v, box)
    bx, bv = _cut(bwd.x, -bwd.v, box)
    k = len(GX)
    # Each grid orbit as one curve: its past reversed, then its future.
    orbit_x = np.concatenate([bx[:k, :k_orbit][:, ::-1], fx[:k, 1:k_orbit]], axis=1)
    orbit_v = np.concatenate([bv[:k, :k_orbit][:, ::-1], fv[:k, 1:k_orbit]], axis=1)
    sep_x = np.concatenate([fx[k:], bx[k:]], axis=0)
    sep_v = np.concatenate([fv[k:], bv[k:]], axis=0)
    return _joined(orbit_x, orbit_v), _joined(sep_x, sep_v)


def _cut(x: np.ndarray, v: np.ndarray, box: tuple[float, float, float, float]):
    """NaN from the first sample outside box on (rows are trajectories)."""
    x, v = np.array(x, dtype=float, ndmin=2), np.array(v, dtype=float, ndmin=2)
    with np.errstate(invalid="ignore"):
        inside = (x >= box[0]) & (x <= box[1]) & (v >= box[2]) & (v <= box[3])
    gone = np.cumsum(~inside, axis=1) > 0
    x[gone] = np.nan
    v[gone] = np.nan
    return x, v


def _joined(x: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows as one polyline with a NaN between them (empty for no rows)."""
    if x.size == 0:
        return np.empty(0), np.empty(0)
    gap = np.full((x.shape[0], 1), np.nan)
    return (np.concatenate([x, gap], axis=1).ravel(), np.concatenate([v, gap], axis=1).ravel())


def _messages(r: MomentumResult) -> tuple[str, ...]:
    s = r.scene
    out = []
    if r.diverged_at >= 0:
        out.append(f"The heavy ball ran away at step {r.diverged_at} (|x| beyond the bound or overflow).")
    if r.flow_diverged_at >= 0:
        out.append(f"The exact motion ran away at t ≈ {r.flow.t[r.flow_diverged_at]:.4g}.")
    if r.gamma == 0:
        out.append("μ = 1: no friction (γ = 0). The flow keeps its energy; the heavy ball's only "
                   "wobbles about it.")
    for e in r.equilibria:
        if e.stable and e.curvature > 0 and s.momentum < 1:
            if s.lr * e.curvature >= 2 * (1 + s.momentum):
                out.append(f"lr·V″(x*) = {s.lr * e.curvature:.4g} ≥ 2(1 + μ) = {2 * (1 + s.momentum):.4g}: "
                           f"the heavy ball cannot settle at x* = {e.x:.4g}, although the flow does.")
    return tuple(out)


# --------------------------------------------------------------------------- presets

@dataclass(frozen=True)
class MomentumPreset:
    name: str
    title: str
    explanation: str
    scene: MomentumScene


_READ = Readers()
# Every field of MomentumScene may be set ("equation" is its text); these must be.
_PRESET_REQUIRED = ("equation", "x0", "v0", "lr", "momentum", "steps", "x_range", "v_range")
_PRESET_READERS = scene_field_readers(_READ, MomentumScene, exclude=("preset",))


def momentum_preset_from_dict(d: Any, source: str = "<preset>") -> MomentumPreset:
    """Validate a decoded preset (resources/momentum/NN-name.json); ReadError (a ValueError)
    naming the file and the key at fault."""
    return MomentumPreset(*read_scene_preset(
        d, source, _READ, MomentumScene, _PRESET_READERS, renamed={"equation": "text"}, required=_PRESET_REQUIRED))


@lru_cache(maxsize=1)
def momentum_presets() -> tuple[MomentumPreset, ...]:
    """All momentum presets in menu order (the files are numbered); ReadError for a bad file."""
    return read_numbered(resources_dir() / "momentum", momentum_preset_from_dict, name_of=lambda p: p.name)


def momentum_preset(name: str) -> MomentumPreset:
    """The preset called `name`; KeyError with the valid names otherwise."""
    return find_named(momentum_presets(), name, "momentum preset")


DEFAULT_MOMENTUM_PRESET = "pendulum"


MOMENTUM_COLUMNS = ("n", "t_n", "x_n", "v_n", "E_n")


def momentum_csv(result: MomentumResult) -> str:
    """The heavy ball's iterates as File > Export and `gdviz --view momentum --csv` write them: the
    step n, its time t_n = n·Δt (Δt = √lr), the position x_n and velocity v_n (the phase plane's
    axes) and the energy E_n = v_n²/2 + F(x_n) (nan where F is unknown), each number as the
    shortest text that reads back to the same float."""
    from .tables import number_text
    run = result.run
    lines = [",".join(MOMENTUM_COLUMNS)]
    for n, (t, x, v, e) in enumerate(zip(run.t.tolist(), run.x.tolist(), run.v.tolist(), run.energy.tolist())):
        lines.append(f"{n},{number_text(t)},{number_text(x)},{number_text(v)},{number_text(e)}")
    return "\n".join(lines) + "\n"
