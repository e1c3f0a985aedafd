"""Gradient-based optimizers exactly as `torch.optim` documents them, vectorised over starts.

Groundwork for the 2-D mode (issue 5): plain gradient descent, heavy-ball and Nesterov
momentum, Adagrad, RMSprop, Adam and AdamW run from k starts at once on an objective given by
its gradient. All optimizer state (momentum buffers, square averages, maxima) is per start and
per coordinate; the step count t is shared because every start begins at t = 0.

The update rules follow the pseudo-code on the PyTorch documentation pages
(pytorch.org/docs/stable/generated/torch.optim.<Name>.html: SGD, Adagrad, RMSprop, Adam,
AdamW), quoted in each `_step_*` docstring, where γ is the learning rate, λ the weight decay,
μ the momentum, τ the dampening. Where the page and torch's own code differ, the code wins:

* `maximize` negates the gradient *first* (torch: `grad = grad if not maximize else -grad`),
  before weight decay is added. The SGD page instead flips the sign of the final update,
  which agrees only when λ = 0. Negating first keeps "maximize F" identical to "minimize −F".
* AMSGrad keeps the running maximum of the raw second moment v_t and bias-corrects it with
  the current t (the 2.x pages and code); older pages took the maximum of bias-corrected v̂_t.
* Centered RMSprop takes √max(ṽ, 0): ṽ = v − (g_ave)² is a variance (≥ 0), and rounding alone
  can make it −0.0000…1, where torch would return NaN.

Beyond torch (issue 14, §2), the registry also holds the gradient flow's other integrators read
as optimizers, one learning rate η as their step h: implicit Euler (the proximal point method),
Heun, RK4, and Newton (Euler on the Newton flow x' = −[∇²F]⁻¹∇F; η = 1 is Newton's method). They
evaluate the gradient at points of their own (and the Hessian), so `run_optimizer` hands their
steppers the gradient and, for implicit Euler and Newton, the Hessian.

Divergence is data, as in `euler`: a start whose iterate leaves the finite world or exceeds
`bound` in some coordinate gets `diverged_at` = that step and NaN from there on. An implicit step
whose equation has no root Newton's iteration finds, or a Newton step at a singular Hessian, is
NaN too: that start stops there.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .euler import DEFAULT_BOUND, Cancelled

__all__ = [
    "OPTIMIZERS",
    "Cancelled",
    "OptimizerRun",
    "OptimizerSpec",
    "heavy_ball_as_ode",
    "resolve_hyper",
    "run_optimizer",
    "stepper",
]

Hyper = Mapping[str, "float | bool"]
GradFn = Callable[[np.ndarray], np.ndarray]
GradAtFn = Callable[[np.ndarray, int], np.ndarray]

STOP_EVERY = 1024   # should_stop is asked before steps 0, 1024, 2048, ... (a call costs a lock)

FLAGS = frozenset({"nesterov", "centered", "amsgrad", "maximize"})   # boolean hyperparameters


@dataclass(frozen=True)
class OptimizerSpec:
    """One entry of the menu: the torch algorithm it runs and the knobs the user may turn."""

    name: str
    hyper: Mapping[str, float | bool]        # editable hyperparameters -> defaults
    formula: str                             # the update rule in a few unicode lines, for display
    algorithm: str = "SGD"                   # torch.optim class whose update rule this is
    fixed: Mapping[str, float | bool] = field(default_factory=dict)  # set by the entry itself

    def __post_init__(self) -> None:
        # Read-only views: the registry is shared by every caller.
        object.__setattr__(self, "hyper", MappingProxyType(dict(self.hyper)))
        object.__setattr__(self, "fixed", MappingProxyType(dict(self.fixed)))

    @property
    def names(self) -> tuple[str, ...]:
        """Every hyperparameter name this entry accepts (the fixed ones only at their value)."""
        return tuple(self.hyper) + tuple(k for k in self.fixed if k not in self.hyper)


@dataclass(frozen=True, eq=False)
class OptimizerRun:
    """Iterates of k starts: `x[i, n]` is x_n of start i; NaN after that start diverged."""

    x: np.ndarray             # (k, steps + 1, d)
    loss: np.ndarray          # (k, steps + 1): loss(x_n) if a loss was given, else all NaN
    diverged_at: np.ndarray   # (k,) int: first n with x_n non-finite or |x_n| > bound; -1 if never
    name: str                 # registry key, e.g. "Adam"
    hyper: dict               # every hyperparameter actually used (defaults filled in)

    @property
    def steps(self) -> int:
        return self.x.shape[1] - 1

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0


# Defaults are torch's (SGD's lr is 1e-3 since torch 2.2; before it had none). The exception is
# momentum for the "Momentum" and "Nesterov" entries: torch's 0 would make the first plain GD and
# the second invalid, so they default to the customary 0.9.
_SGD_FORMULA = "x ← x − η ∇F(x)"
OPTIMIZERS: dict[str, OptimizerSpec] = {spec.name: spec for spec in (
    OptimizerSpec(
        "GD", {"lr": 1e-3, "weight_decay": 0.0, "maximize": False},
        _SGD_FORMULA,
        fixed={"momentum": 0.0, "dampening": 0.0, "nesterov": False}),
    OptimizerSpec(
        "Momentum",
        {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0, "maximize": False},
        "b ← μ b + (1 − τ) ∇F(x)    (b₁ = ∇F(x₀))\n"
        "x ← x − η b",
        fixed={"nesterov": False}),
    OptimizerSpec(
        "Nesterov",
        {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0, "maximize": False},
        "b ← μ b + ∇F(x)    (b₁ = ∇F(x₀))\n"
        "x ← x − η (∇F(x) + μ b)",
        fixed={"nesterov": True}),
    OptimizerSpec(
        "Adagrad",
        {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0,
         "eps": 1e-10, "maximize": False},
        "s ← s + g²    (s₀ = initial accumulator)\n"
        "x ← x − η/(1 + (t − 1)·lr_decay) · g / (√s + ε)",
        algorithm="Adagrad"),
    OptimizerSpec(
        "RMSprop",
        {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
         "centered": False, "maximize": False},
        "v ← α v + (1 − α) g²\n"
        "centered: ḡ ← α ḡ + (1 − α) g,  v ← v − ḡ²\n"
        "μ > 0: b ← μ b + g / (√v + ε),  x ← x − η b\n"
        "else:  x ← x − η g / (√v + ε)",
        algorithm="RMSprop"),
    OptimizerSpec(
        "Adam",
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
         "amsgrad": False, "maximize": False},
        "m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²\n"
        "m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)   (amsgrad: max of v so far)\n"
        "x ← x − η m̂ / (√v̂ + ε)",
        algorithm="Adam"),
    OptimizerSpec(
        "AdamW",
        {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2,
         "amsgrad": False, "maximize": False},
        "x ← x − η λ x    (decay outside the moments)\n"
        "m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²\n"
        "x ← x − η m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)",
        algorithm="AdamW"),
    # The gradient flow's other integrators (issue 14 §2), with GD their explicit Euler.
    OptimizerSpec(
        "Implicit Euler", {"lr": 1e-3, "maximize": False},
        "x ← y with y = x − η ∇F(y)   (the root reached from the GD step)\n"
        "= argmin_y F(y) + |y − x|²/(2η) for convex F: the proximal point",
        algorithm="ImplicitEuler"),
    OptimizerSpec(
        "Heun", {"lr": 1e-3, "maximize": False},
        "x̃ = x − η ∇F(x)\n"
        "x ← x − η/2 (∇F(x) + ∇F(x̃))",
        algorithm="Heun"),
    OptimizerSpec(
        "RK4", {"lr": 1e-3, "maximize": False},
        "k₁ = ∇F(x),  k₂ = ∇F(x − η/2 k₁),  k₃ = ∇F(x − η/2 k₂),  k₄ = ∇F(x − η k₃)\n"
        "x ← x − η/6 (k₁ + 2k₂ + 2k₃ + k₄)",
        algorithm="RK4"),
    OptimizerSpec(
        "Newton", {"lr": 1.0, "maximize": False},
        "x ← x − η [∇²F(x)]⁻¹ ∇F(x)    (η = 1: Newton's method)\n"
        "heads for the nearest critical point, saddles included",
        algorithm="Newton"),
)}
INTEGRATOR_ALGORITHMS = ("ImplicitEuler", "Heun", "RK4", "Newton")
IMPLICIT_ITERATIONS = 50      # Newton iterations an implicit step may take to solve its equation


# --------------------------------------------------------------------------- hyperparameters

def resolve_hyper(name: str, hyper: Hyper | None = None) -> dict:
    """Defaults of `name` overridden by `hyper`, validated as torch validates; ValueError if bad.

    The UI can call this on every edit to show the message without running anything.
    """
    spec = OPTIMIZERS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    given = dict(hyper or {})
    unknown = [key for key in given if key not in spec.hyper and key not in spec.fixed]
    if unknown:
        raise ValueError(f"{name}: unknown hyperparameter(s) {', '.join(map(repr, unknown))}; "
                         f"valid: {', '.join(spec.hyper)}")
    h: dict = {}
    for key, default in {**spec.hyper, **spec.fixed, **given}.items():
        h[key] = _flag(name, key, default) if key in FLAGS else _number(name, key, default)
    for key, value in spec.fixed.items():
        if h[key] != value:
            allow = [o.name for o in OPTIMIZERS.values()
                     if (o.algorithm == spec.algorithm and key in o.hyper) or o.fixed.get(key) == h[key]]
            raise ValueError(f"{name}: {key} is fixed to {value!r} here; {key}={h[key]!r} "
                             f"is allowed in: {', '.join(allow) or 'no optimizer'}")
    _validate(name, spec.algorithm, h)
    return h


def _flag(name: str, key: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: {key} must be True or False, got {value!r}")
    return bool(value)


def _number(name: str, key: str, value: object) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: {key} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):   # stricter than torch, which lets inf and some NaNs through
        raise ValueError(f"{name}: {key} must be finite, got {value!r}")
    return value


def _validate(name: str, algorithm: str, h: dict) -> None:
    """torch's constructor checks, one clear sentence each."""
    def at_least_zero(*keys: str) -> None:
        for key in keys:
            if not h[key] >= 0.0:
                raise ValueError(f"{name}: invalid {key} {h[key]!r}: must be >= 0")

    if algorithm == "SGD":
        at_least_zero("lr", "momentum", "weight_decay")
        if h["nesterov"] and (h["momentum"] <= 0 or h["dampening"] != 0):
            raise ValueError(f"{name}: Nesterov momentum requires momentum > 0 and dampening = 0 "
                             f"(got momentum={h['momentum']!r}, dampening={h['dampening']!r})")
    elif algorithm == "Adagrad":
        at_least_zero("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    elif algorithm == "RMSprop":
        at_least_zero("lr", "eps", "momentum", "weight_decay", "alpha")
    elif algorithm in INTEGRATOR_ALGORITHMS:
        at_least_zero("lr")
    elif algorithm in ("Adam", "AdamW"):
        at_least_zero("lr", "eps", "weight_decay")
        for key in ("beta1", "beta2"):
            if not 0.0 <= h[key] < 1.0:
                raise ValueError(f"{name}: invalid {key} {h[key]!r}: must be in [0, 1)")
    else:  # pragma: no cover - registry typo
        raise AssertionError(algorithm)


# --------------------------------------------------------------------------- update rules
# A stepper is built once per run, owns the per-start state, and maps (x_{t-1}, g_t, t) to x_t
# written into `out`. g_t arrives already negated under `maximize`.

Stepper = Callable[[np.ndarray, np.ndarray, int, np.ndarray], None]


def _step_sgd(h: dict, shape: tuple[int, int]) -> Stepper:
    r"""torch.optim.SGD:

        g_t ← ∇f(θ_{t-1});  if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        if μ ≠ 0:
            if t > 1: b_t ← μ b_{t-1} + (1 − τ) g_t   else: b_t ← g_t
            if nesterov: g_t ← g_t + μ b_t            else: g_t ← b_t
        θ_t ← θ_{t-1} − γ g_t
    """
    lr, mu, tau, wd, nesterov = h["lr"], h["momentum"], h["dampening"], h["weight_decay"], h["nesterov"]
    buf = np.zeros(shape)

    def step(x: np.ndarray, g: np.ndarray, t: int, out: np.ndarray) -> None:
        if wd != 0:
            g = g + wd * x
        if mu != 0:
            if t > 1:
                buf[...] = mu * buf + (1 - tau) * g
            else:
                buf[...] = g
            g = g + mu * buf if nesterov else buf
        np.subtract(x, lr * g, out=out)
    return step


def _step_adagrad(h: dict, shape: tuple[int, int]) -> Stepper:
    r"""torch.optim.Adagrad:

        initialize state_sum_0 ← τ (initial_accumulator_value)
        g_t ← ∇f(θ_{t-1});  γ̃ ← γ / (1 + (t − 1) η)   (η = lr_decay)
        if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        state_sum_t ← state_sum_{t-1} + g_t²
        θ_t ← θ_{t-1} − γ̃ g_t / (√state_sum_t + ε)
    """
    lr, lr_decay, wd, eps = h["lr"], h["lr_decay"], h["weight_decay"], h["eps"]
    state_sum = np.full(shape, h["initial_accumulator_value"])

    def step(x: np.ndarray, g: np.ndarray, t: int, out: np.ndarray) -> None:
        clr = lr / (1 + (t - 1) * lr_decay)
        if wd != 0:
            g = g + wd * x
        state_sum[...] += g * g
        np.subtract(x, clr * g / (np.sqrt(state_sum) + eps), out=out)
    return step


def _step_rmsprop(h: dict, shape: tuple[int, int]) -> Stepper:
    r"""torch.optim.RMSprop:

        initialize v_0 ← 0, b_0 ← 0, g^ave_0 ← 0
        g_t ← ∇f(θ_{t-1});  if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        v_t ← α v_{t-1} + (1 − α) g_t²;   ṽ_t ← v_t
        if centered: g^ave_t ← α g^ave_{t-1} + (1 − α) g_t;   ṽ_t ← ṽ_t − (g^ave_t)²
        if μ > 0: b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε);   θ_t ← θ_{t-1} − γ b_t
        else:     θ_t ← θ_{t-1} − γ g_t / (√ṽ_t + ε)
    """
    lr, alpha, eps, wd, mu, centered = (h["lr"], h["alpha"], h["eps"], h["weight_decay"],
                                        h["momentum"], h["centered"])
    square_avg = np.zeros(shape)
    grad_avg = np.zeros(shape)
    buf = np.zeros(shape)

    def step(x: np.ndarray, g: np.ndarray, t: int, out: np.ndarray) -> None:
        if wd != 0:
            g = g + wd * x
        square_avg[...] = alpha * square_avg + (1 - alpha) * g * g
        if centered:
            grad_avg[...] = alpha * grad_avg + (1 - alpha) * g
            # A variance, so >= 0; clip the rounding that would make sqrt return NaN.
            avg = np.sqrt(np.maximum(square_avg - grad_avg * grad_avg, 0.0)) + eps
        else:
            avg = np.sqrt(square_avg) + eps
        if mu > 0:
            buf[...] = mu * buf + g / avg
            np.subtract(x, lr * buf, out=out)
        else:
            np.subtract(x, lr * g / avg, out=out)
    return step


def _step_adam(h: dict, shape: tuple[int, int], decoupled: bool) -> Stepper:
    r"""torch.optim.Adam (decoupled=False) and torch.optim.AdamW (decoupled=True):

        initialize m_0 ← 0, v_0 ← 0, v_0^max ← 0
        g_t ← ∇f(θ_{t-1})          (−∇f under maximize)
        Adam:  if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
        AdamW: θ_t ← θ_{t-1} − γ λ θ_{t-1}
        m_t ← β₁ m_{t-1} + (1 − β₁) g_t
        v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
        m̂_t ← m_t / (1 − β₁ᵗ)
        if amsgrad: v_t^max ← max(v_{t-1}^max, v_t);   v̂_t ← v_t^max / (1 − β₂ᵗ)
        else:       v̂_t ← v_t / (1 − β₂ᵗ)
        θ_t ← θ_t − γ m̂_t / (√v̂_t + ε)
    """
    lr, b1, b2, eps, wd, amsgrad = (h["lr"], h["beta1"], h["beta2"], h["eps"], h["weight_decay"],
                                    h["amsgrad"])
    m = np.zeros(shape)
    v = np.zeros(shape)
    v_max = np.zeros(shape)

    def step(x: np.ndarray, g: np.ndarray, t: int, out: np.ndarray) -> None:
        if decoupled:
            x = x * (1 - lr * wd)      # exact copy of x when λ = 0, so AdamW(λ=0) == Adam
        elif wd != 0:
            g = g + wd * x
        m[...] = b1 * m + (1 - b1) * g
        v[...] = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        if amsgrad:
            np.maximum(v_max, v, out=v_max)
            v_hat = v_max / (1 - b2 ** t)
        else:
            v_hat = v / (1 - b2 ** t)
        np.subtract(x, lr * m_hat / (np.sqrt(v_hat) + eps), out=out)
    return step


# The integrators' steppers also see the field: gradient(X, t) is the (signed) gradient at any
# points X for update t, hessian(X) the (signed) Hessian (k, d, d).
FieldAt = Callable[[np.ndarray, int], np.ndarray]
HessianFn = Callable[[np.ndarray], np.ndarray]


def _step_heun(h: dict, gradient: FieldAt) -> Stepper:
    """Heun on x' = −∇F: an explicit Euler predictor, then the trapezoid of the two slopes."""
    lr = h["lr"]

    def step(x: np.ndarray, g: np.ndarray, t: int, out: np.ndarray) -> None:
        g2 = gradient(x - lr * g, t)
        np.subtract(x, (0.5 * lr) * (g + g2), out=out)
    return step


def _step_rk4(h: dict, gradient: FieldAt) -> Stepper:
    """Classical Runge-Kutta on x' = −∇F (the same stages as gdviz.model.methods on x' = f)."""
    lr = h["lr"]
    half = 0.5 * lr

    def step(x: np.ndarray, g: np.ndarray, t: int, out: np.ndarray) -> None:
        k2 = gradient(x - half * g, t)
        k3 = gradient(x - half * k2, t)
        k4 = gradient(x - lr * k3, t)
        np.subtract(x, (lr / 6.0) * (g + 2.0 * (k2 + k3) + k4), out=out)
    return step


def _solve(A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A⁻¹b for stacks A (k, d, d), b (k, d), and where that failed (singular or not finite): those
    rows come back NaN. One batched solve; a singular row would make numpy's raise for all."""
    if A.shape[1:] == (2, 2):
        return _solve_2x2(A, b)
    with np.errstate(all="ignore"):
        ok = np.isfinite(A).all(axis=(1, 2)) & np.isfinite(b).all(axis=1)
        cond = np.full(len(A), np.inf)
        if ok.any():
            cond[ok] = np.linalg.cond(A[ok])
        ok &= cond < 1e14
        out = np.full(b.shape, np.nan)
        if ok.any():
            out[ok] = np.linalg.solve(A[ok], b[ok][..., None])[..., 0]
    return out, ~ok


def _solve_2x2(A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """_solve by Cramer's rule: the 2-D tab's case, six times faster than a batched LAPACK call
    with its condition number. Singular: |det| within rounding of the products it is made of."""
    a, c, d, e = A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1]
    with np.errstate(all="ignore"):
        det = a * e - c * d
        failed = ~(np.abs(det) > 1e-14 * (np.abs(a * e) + np.abs(c * d))) | ~np.isfinite(det)
        out = np.empty(b.shape)
        out[:, 0] = (e * b[:, 0] - c * b[:, 1]) / det
        out[:, 1] = (a * b[:, 1] - d * b[:, 0]) / det
        out[failed] = np.nan
        failed |= ~np.isfinite(out).all(axis=1)
    return out, failed


def _step_newton(h: dict, hessian: HessianFn) -> Stepper:
    """Euler with step η on the Newton flow x' = −[∇²F]⁻¹∇F. The sign of F cancels (maximizing
    takes the same steps): Newton's method seeks a critical point, whatever kind it is."""
    lr = h["lr"]

    def step(x: np.ndarray, g: np.ndarray, t: int, out: np.ndarray) -> None:
        delta, _ = _solve(hessian(x), g)
        np.subtract(x, lr * delta, out=out)
    return step


def _step_implicit(h: dict, gradient: FieldAt, hessian: HessianFn) -> Stepper:
    """Implicit Euler on x' = −∇F: x_{t} is the root y of r(y) = y + η∇F(y) − x_{t−1}, found by
    Newton's iteration (Jacobian I + η∇²F(y)) from the explicit step, as the 1-D flow tab does
    (gdviz.model.integrators). For a convex F it is the unique minimiser of F(y) + |y − x|²/(2η),
    the proximal point; elsewhere the root nearest the explicit step when η is small. A start whose
    iteration finds no root gets NaN."""
    lr = h["lr"]

    def step(x: np.ndarray, g: np.ndarray, t: int, out: np.ndarray) -> None:
        y = x - lr * g
        out[...] = np.nan
        active = np.isfinite(x).all(axis=1)
        eye = np.eye(x.shape[1])
        for _ in range(IMPLICIT_ITERATIONS):
            idx = np.nonzero(active)[0]
            if idx.size == 0:
                return
            ya, xa = y[idx], x[idx]
            residual = ya + lr * gradient(ya, t) - xa
            delta, failed = _solve(eye + lr * hessian(ya), residual)
            ya = ya - np.where(failed[:, None], 0.0, delta)
            done = ~failed & (np.abs(delta) <= 1e-15 * np.maximum(1.0, np.abs(ya))).all(axis=1)
            y[idx] = ya
            out[idx[done]] = ya[done]
            active[idx[failed | done]] = False
        idx = np.nonzero(active)[0]     # out of iterations: keep a y that solves the equation
        ya = y[idx]
        residual = np.abs(ya + lr * gradient(ya, t) - x[idx])
        ok = (residual <= 1e-9 * np.maximum(1.0, np.abs(ya))).all(axis=1)
        out[idx[ok]] = ya[ok]
    return step


def _integrator_stepper(algorithm: str, h: dict, gradient: FieldAt | None,
                        hessian: HessianFn | None) -> Stepper:
    if gradient is None:
        raise ValueError(f"{algorithm} evaluates the gradient at points of its own: give the gradient")
    if algorithm == "Heun":
        return _step_heun(h, gradient)
    if algorithm == "RK4":
        return _step_rk4(h, gradient)
    if hessian is None:
        raise ValueError(f"{algorithm} needs the Hessian of F")
    if algorithm == "Newton":
        return _step_newton(h, hessian)
    return _step_implicit(h, gradient, hessian)


def stepper(algorithm: str, h: dict, shape: tuple[int, int], gradient: FieldAt | None = None,
            hessian: HessianFn | None = None) -> Stepper:
    """The update rule of `algorithm` with hyperparameters h for a batch of `shape`. The flow's
    integrators need `gradient` (Heun, RK4, implicit Euler) and `hessian` (implicit Euler, Newton),
    both signed as the g the step receives."""
    if algorithm in INTEGRATOR_ALGORITHMS:
        return _integrator_stepper(algorithm, h, gradient, hessian)
    if algorithm == "SGD":
        return _step_sgd(h, shape)
    if algorithm == "Adagrad":
        return _step_adagrad(h, shape)
    if algorithm == "RMSprop":
        return _step_rmsprop(h, shape)
    return _step_adam(h, shape, decoupled=algorithm == "AdamW")


# --------------------------------------------------------------------------- the run

def run_optimizer(name: str, grad: GradFn | None, x0: np.ndarray, steps: int,
                  hyper: Hyper | None = None, loss: Callable[[np.ndarray], np.ndarray] | None = None,
                  bound: float = DEFAULT_BOUND, should_stop: Callable[[], bool] | None = None,
                  grad_at: GradAtFn | None = None,
                  hessian: Callable[[np.ndarray], np.ndarray] | None = None) -> OptimizerRun:
    """Run `steps` updates of optimizer `name` (a key of OPTIMIZERS) from every start in `x0`.

    grad(X) -> G maps points (k, d) to gradients (k, d). grad_at(X, n) -> G, if given, is used
    instead and also receives the index n = 0, 1, ... of the iterate being updated, so that a
    stochastic gradient (a minibatch chosen by n) can be modelled; Heun and RK4 evaluate it at
    their stages too, with the same n. hessian(X) -> H (k, d, d) is needed by implicit Euler and
    Newton only. x0 is (k, d) or (d,) (k = 1).
    loss(P) -> (N,) is called once, after the run, with all iterates stacked: P is
    (k·(steps + 1), d); any pointwise objective works. Raises ValueError for bad arguments and
    Cancelled when `should_stop()` says so (asked every STOP_EVERY steps, from step 0).
    """
    h = resolve_hyper(name, hyper)
    algorithm = OPTIMIZERS[name].algorithm
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    steps = int(steps)
    gradient: GradAtFn
    if grad_at is not None:
        gradient = grad_at
    elif grad is not None:
        gradient = lambda X, n: grad(X)   # noqa: E731 - one signature inside the loop
    else:
        raise ValueError("give grad or grad_at")
    x0 = np.array(x0, dtype=np.float64)        # a copy: the caller's array is never touched
    if x0.ndim == 1:
        x0 = x0[None, :]
    if x0.ndim != 2 or x0.shape[0] == 0 or x0.shape[1] == 0:
        raise ValueError(f"x0 must have shape (k, d) or (d,) with k, d >= 1, got {x0.shape}")
    k, d = x0.shape
    sign = -1.0 if h["maximize"] else 1.0

    rows = np.empty((steps + 1, k, d))           # rows[n] = x_n of every start, contiguous
    rows[0] = x0
    diverged_at = np.full(k, -1, dtype=np.int64)
    _mark_divergence(rows, 0, bound, diverged_at)
    step = stepper(algorithm, h, (k, d), gradient=lambda X, t: sign * np.asarray(gradient(X, t - 1), dtype=np.float64),
                   hessian=None if hessian is None else lambda X: sign * np.asarray(hessian(X), dtype=np.float64))
    with np.errstate(all="ignore"):              # overflow on the way out is data, not an error
        for n in range(steps):
            if should_stop is not None and n % STOP_EVERY == 0 and should_stop():
                raise Cancelled
            g = np.asarray(gradient(rows[n], n), dtype=np.float64)
            if g.shape != (k, d):
                raise ValueError(f"the gradient returned shape {g.shape}, expected {(k, d)}")
            step(rows[n], g if sign > 0 else -g, n + 1, rows[n + 1])
            _mark_divergence(rows, n + 1, bound, diverged_at)
        values = np.full((k, steps + 1), np.nan)
        if loss is not None:
            flat = np.asarray(loss(rows.reshape(-1, d)), dtype=np.float64)
            if flat.shape != ((steps + 1) * k,):
                raise ValueError(f"the loss returned shape {flat.shape}, "
                                 f"expected {((steps + 1) * k,)}")
            values = flat.reshape(steps + 1, k).T.copy()
            values[np.isnan(rows).any(axis=2).T] = np.nan   # a diverged point has no loss
    return OptimizerRun(np.moveaxis(rows, 0, 1), values, diverged_at, name, h)


def _mark_divergence(rows: np.ndarray, n: int, bound: float, diverged_at: np.ndarray) -> None:
    """Row n: starts with a coordinate non-finite or beyond bound become NaN from here on.

    Checked every step (cheap next to a gradient call): a start made NaN at once also turns its
    optimizer state NaN, so it can never come back under the bound.
    """
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(rows[n]) <= bound).all(axis=1)     # NaN compares False: bad
    if bad.any():
        diverged_at[bad & (diverged_at < 0)] = n
        rows[n, bad] = np.nan


# --------------------------------------------------------------------------- physics view

def heavy_ball_as_ode(lr: float, momentum: float) -> tuple[float, float]:
    """(Δt, γ) such that heavy-ball momentum is a discretisation of x'' + γ x' = −F'(x).

    With v = −lr·b, torch's momentum (τ = 0) reads  v_{n+1} = μ v_n − lr ∇F(x_n),
    x_{n+1} = x_n + v_{n+1}  (v_0 = 0). Semi-implicit Euler with step Δt on x' = u,
    u' = −γ u − F'(x) gives  u_{n+1} = (1 − γΔt) u_n − Δt F'(x_n),  x_{n+1} = x_n + Δt u_{n+1};
    with v = Δt·u the two coincide when  lr = Δt²  and  μ = 1 − γΔt, i.e.

        Δt = √lr,   γ = (1 − μ) / Δt.

    Unit mass; μ = 0 is overdamped-to-the-limit plain GD (γΔt = 1), μ → 1 is frictionless,
    and μ > 1 (allowed by torch) gives γ < 0: friction that pumps energy in.
    """
    lr, momentum = float(lr), float(momentum)
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be > 0 for a time step, got {lr!r}")
    if not (math.isfinite(momentum) and momentum >= 0):
        raise ValueError(f"momentum must be >= 0, got {momentum!r}")
    dt = math.sqrt(lr)
    return dt, (1.0 - momentum) / dt


def lr_threshold(name: str, curvature: float, momentum: float = 0.0) -> float:
    """The largest learning rate η for which optimizer `name` (torch's update, no dampening)
    still converges on F = λx²/2 with λ = `curvature` (issue 14, §3): the upper end of
    `rates.lr_window`, derived there from the iteration's characteristic polynomial
      GD ηλ < 2,   Momentum ηλ < 2(1 + μ) (and μ < 1),   Nesterov ηλ < 2(1 + μ)/(1 + 2μ).
    inf for λ <= 0 (no bound from a flat or concave F), 0.0 when no η converges (heavy ball with
    μ >= 1: its roots' product is μ). The flow's integrators: their stability limit over λ (Heun
    2/λ, RK4 2.785/λ, implicit Euler inf), and Newton 2 whatever λ. The adaptive methods (Adagrad,
    RMSprop, Adam, AdamW) rescale the step by the gradient's own size, so no fixed η bound exists
    for them: NaN."""
    from .rates import INTEGRATOR_METHODS, LINEAR_METHODS, lr_window
    if name not in OPTIMIZERS:
        raise ValueError(f"no optimizer named {name!r}")
    if name == "Newton":
        return 2.0
    if name not in LINEAR_METHODS and name not in INTEGRATOR_METHODS:
        return math.nan
    if not (math.isfinite(curvature) and curvature > 0):
        return math.inf
    window = lr_window(name, float(curvature), float(momentum))
    return 0.0 if window.empty else window.high
