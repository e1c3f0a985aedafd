"""Convergence rates of GD, heavy ball and Nesterov near a minimum (issue 14, §3).

Near a minimum x* with curvature λ (the largest Hessian eigenvalue: the direction that limits the
learning rate), every method of torch's SGD family is, to first order, a linear map on its state.
On F = λx²/2 with g = λx and a = ηλ:

    GD          x ← x − ηg                                   z − (1 − a)
    Momentum    b ← μb + (1 − τ)g,  x ← x − ηb               z² − (1 + μ − a(1 − τ)) z + μ
    Nesterov    b ← μb + g,  x ← x − η(g + μb)               z² − (1 + μ)(1 − a) z + μ(1 − a)

(the characteristic polynomials of the iteration matrices below). The convergence rate is the
spectral radius ρ, the largest |root|: the error shrinks like ρⁿ. Jury's test (roots of
z² + βz + c inside the unit disc iff |c| < 1 and 1 ± β + c > 0) gives the learning rates that
converge in closed form:

    GD          0 < ηλ < 2
    Momentum    0 < ηλ(1 − τ) < 2(1 + μ)       and μ < 1 (else ρ ≥ μ ≥ 1: never)
    Nesterov    max(0, 1 − 1/μ) < ηλ < 2(1 + μ)/(1 + 2μ)   (the |c| < 1 bound never binds above)

torch's first momentum step (b₁ = g, undamped) is a transient that does not change ρ.

The flow's other integrators read as optimizers (issue 14 §2) keep one state, x: on F = λx²/2 a
step multiplies x by their stability function R(z) at z = −ηλ (gdviz.model.integrators), so
ρ = |R(−ηλ)| and they converge for η < L/λ, L their stability limit (Heun 2, RK4 2.785...,
implicit Euler: every η). Newton's step is x ← (1 − η)x whatever λ is: ρ = |1 − η|, η < 2.

Adagrad, RMSprop, Adam and AdamW have no such threshold: they divide the step by a running size
of the gradient itself, so near the minimum the update is about η·sign(g) (Adam, RMSprop) or a
step that keeps shrinking (Adagrad's growing sum) -- not a linear map of x, and what happens
depends on the start and on ε, not on ηλ alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .contours import isolines
from .integrators import stability_function, stability_limit
from .tables import number_text

__all__ = [
    "LINEAR_METHODS",
    "LrWindow",
    "RateMap",
    "RateSummary",
    "char_poly",
    "iteration_matrix",
    "lr_window",
    "rate_map",
    "rate_summary",
    "spectral_radius",
]

LINEAR_METHODS = ("GD", "Momentum", "Nesterov")
# The 2-D tab's integrators and their names in gdviz.model.integrators (one state: no (η, μ) map).
INTEGRATOR_METHODS = {"Implicit Euler": "implicit-euler", "Heun": "heun", "RK4": "rk4", "Newton": "newton"}
NO_THRESHOLD = ("their step is divided by a running size of the gradient, so near the minimum it is "
                "not a fixed multiple of the gradient and no single learning rate limit exists")
MAP_ETAS = 241            # rate-map columns (η) ...
MAP_MUS = 200             # ... and rows (μ)
LOG_RATE_FLOOR = -3.0     # log10 ρ is clipped here for the colour scale (ρ = 0.001: fast)


def _check(method: str) -> None:
    if method not in LINEAR_METHODS:
        raise ValueError(f"{method} has no linear rate: {NO_THRESHOLD}")


def char_poly(method: str, eta, mu, lam: float, dampening: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(T, D): the iteration's characteristic polynomial is z² − T z + D (GD: z − T, D = 0).
    eta and mu broadcast against each other."""
    _check(method)
    eta, mu = np.asarray(eta, dtype=float), np.asarray(mu, dtype=float)
    with np.errstate(over="ignore"):          # --lr 1e308: ηλ is inf, and so is the rate
        a = eta * float(lam)
    if method == "GD":
        return np.broadcast_arrays(1.0 - a, np.zeros_like(a))
    if method == "Momentum":
        return np.broadcast_arrays(1.0 + mu - a * (1.0 - dampening), mu)
    return np.broadcast_arrays((1.0 + mu) * (1.0 - a), mu * (1.0 - a))


def iteration_matrix(method: str, eta: float, mu: float, lam: float, dampening: float = 0.0) -> np.ndarray:
    """The linear map of the state on F = λx²/2: (x,) for GD, (x, b) for the momentum methods.
    Written out from the update rule, independently of `char_poly` (the tests compare them)."""
    _check(method)
    if method == "GD":
        return np.array([[1.0 - eta * lam]])
    if method == "Momentum":       # b' = μb + (1 − τ)λx;  x' = x − ηb'
        k = (1.0 - dampening) * lam
        return np.array([[1.0 - eta * k, -eta * mu], [k, mu]])
    # b' = μb + λx;  x' = x − η(λx + μb') = x − η(1 + μ)λx − ημ²b
    return np.array([[1.0 - eta * lam * (1.0 + mu), -eta * mu * mu], [lam, mu]])


def spectral_radius(method: str, eta, mu, lam: float, dampening: float = 0.0) -> np.ndarray:
    """ρ(η, μ; λ): the largest |root| of the characteristic polynomial, vectorised over eta, mu
    (an integrator: |R(−ηλ)|, its one root; μ plays no part)."""
    if method in INTEGRATOR_METHODS:
        eta, _ = np.broadcast_arrays(np.asarray(eta, dtype=float), np.asarray(mu, dtype=float))
        return _integrator_rate(method, eta, lam)
    T, D = char_poly(method, eta, mu, lam, dampening)
    if method == "GD":
        return np.abs(T)
    # A learning rate near the float limit (--lr 1e308) overflows T²: such a rate diverges, ρ = inf.
    with np.errstate(all="ignore"):
        root = np.sqrt((T * T - 4.0 * D).astype(complex))
        rho = np.maximum(np.abs((T + root) / 2.0), np.abs((T - root) / 2.0))
    return np.where(np.isnan(rho), np.inf, rho)


@dataclass(frozen=True)
class LrWindow:
    """The learning rates low < η < high that converge (low = high = 0: none do)."""

    low: float
    high: float

    @property
    def empty(self) -> bool:
        return not self.high > self.low

    def contains(self, eta: float) -> bool:
        return self.low < eta < self.high


def _integrator_rate(method: str, eta: np.ndarray, lam: float) -> np.ndarray:
    key = INTEGRATOR_METHODS[method]
    with np.errstate(all="ignore"):
        if key == "newton":
            return np.abs(1.0 - eta)
        return np.abs(stability_function(key)(-eta * float(lam)))


def lr_window(method: str, lam: float, mu: float = 0.0, dampening: float = 0.0) -> LrWindow:
    """The convergent η of `method` on F = λx²/2 (λ > 0), from Jury's test on its polynomial (an
    integrator: from its stability limit)."""
    if method in INTEGRATOR_METHODS:
        if not (math.isfinite(lam) and lam > 0):
            raise ValueError(f"the curvature λ must be a positive number, got {lam!r}")
        key = INTEGRATOR_METHODS[method]
        return LrWindow(0.0, 2.0 if key == "newton" else stability_limit(key) / lam)
    _check(method)
    if not (math.isfinite(lam) and lam > 0):
        raise ValueError(f"the curvature λ must be a positive number, got {lam!r}")
    none = LrWindow(0.0, 0.0)
    if method == "GD":
        return LrWindow(0.0, 2.0 / lam)
    if method == "Momentum":
        if mu >= 1.0 or dampening >= 1.0:      # |c| = μ ≥ 1, or the gradient never gets in
            return none
        return LrWindow(0.0, 2.0 * (1.0 + mu) / (lam * (1.0 - dampening)))
    low = max(0.0, 1.0 - 1.0 / mu) if mu > 0 else 0.0
    return LrWindow(low / lam, 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * lam))


@dataclass(frozen=True, eq=False)
class RateMap:
    """ρ over a grid: `log_rate[i, j]` = log10 ρ(etas[j], mus[i]), clipped below at LOG_RATE_FLOOR;
    the curve ρ = 1 as segment pairs (contour_x, contour_y)."""

    method: str
    lam: float
    etas: np.ndarray
    mus: np.ndarray
    rate: np.ndarray           # (len(mus), len(etas)) ρ
    log_rate: np.ndarray       # float32, for the colours
    contour_x: np.ndarray
    contour_y: np.ndarray

    def rows(self) -> list[tuple[float, float, float]]:
        """(eta, mu, rate) for every cell, η fastest: the CSV's rows."""
        E, M = np.meshgrid(self.etas, self.mus)
        return list(zip(E.ravel().tolist(), M.ravel().tolist(), self.rate.ravel().tolist()))


def rate_map(method: str, lam: float, etas: np.ndarray, mus: np.ndarray, dampening: float = 0.0) -> RateMap:
    """ρ on the grid etas × mus (etas > 0) in one vectorised pass, with its ρ = 1 curve."""
    etas, mus = np.asarray(etas, dtype=float), np.asarray(mus, dtype=float)
    rate = spectral_radius(method, etas[None, :], mus[:, None], lam, dampening)
    with np.errstate(divide="ignore"):
        log_rate = np.maximum(np.log10(rate), LOG_RATE_FLOOR).astype(np.float32)
    cx, cy = isolines(etas, mus, rate, np.array([1.0]))
    return RateMap(method, float(lam), etas, mus, rate, log_rate, cx, cy)


def map_axes(lam: float, lr: float, mu_max: float) -> tuple[np.ndarray, np.ndarray]:
    """The grid: η from 0 past every threshold (heavy ball's 2(1 + μ)/λ at μ_max) and past the
    current lr, μ from 0 to mu_max. η = 0 is left out: there ρ = 1 exactly (nothing moves), and
    the ρ = 1 curve would run up the axis."""
    eta_max = max(1.1 * 2.0 * (1.0 + mu_max) / lam, 1.2 * lr)
    return np.linspace(eta_max / MAP_ETAS, eta_max, MAP_ETAS), np.linspace(0.0, mu_max, MAP_MUS)


@dataclass(frozen=True, eq=False)
class RateSummary:
    """What the tabs show about rates: λ and where it was taken, each method's window, the rate at
    the current (η, μ), and the map for one method with the current point on it."""

    lam: float
    where: str                                # "the minimum (1, 0.78) that start 0 approaches"
    point: tuple[float, ...]                  # that minimum
    lr: float
    mu: float
    windows: dict[str, LrWindow | None]       # per method shown; None: no threshold (adaptive)
    rates: dict[str, float]                   # ρ at the current (lr, μ) per linear method
    map: RateMap
    curves: dict[str, tuple[np.ndarray, np.ndarray]]   # method -> (η*(μ), μ) along the map's μ

    def threshold_text(self, method: str) -> str:
        """"η* = 0.317" (or a window, or why there is none) for the lr control."""
        w = self.windows.get(method)
        if w is None:
            return "no threshold"
        if w.empty:
            return "never converges"
        if math.isinf(w.high):
            return "every η converges"
        return f"η* = {w.high:.4g}" if w.low == 0 else f"{w.low:.4g} < η < {w.high:.4g}"


def threshold_curve(method: str, lam: float, mus: np.ndarray, dampening: float = 0.0) -> np.ndarray:
    """η*(μ) along `mus`, the upper ends of `lr_window` vectorised (NaN where no η converges)."""
    _check(method)
    mus = np.asarray(mus, dtype=float)
    if method == "GD":
        return np.full(mus.shape, 2.0 / lam)
    if method == "Momentum":
        ok = (mus < 1.0) & (dampening < 1.0)
        return np.where(ok, 2.0 * (1.0 + mus) / (lam * max(1.0 - dampening, 1e-300)), np.nan)
    return 2.0 * (1.0 + mus) / ((1.0 + 2.0 * mus) * lam)


def rate_summary(lam: float, where: str, point: tuple[float, ...], methods: tuple[str, ...], lr: float,
                 mu: float, mu_max: float, dampening: float = 0.0) -> RateSummary:
    """Windows and rates of `methods` at curvature λ, and the map of the first momentum method
    among them (heavy ball if there is none: GD is its row μ = 0)."""
    windows: dict[str, LrWindow | None] = {}
    rates: dict[str, float] = {}
    for m in methods:
        if m in INTEGRATOR_METHODS:
            windows[m] = lr_window(m, lam)
            rates[m] = float(spectral_radius(m, lr, 0.0, lam))
        elif m in LINEAR_METHODS:
            damp = dampening if m == "Momentum" else 0.0
            windows[m] = lr_window(m, lam, mu, damp)
            rates[m] = float(spectral_radius(m, lr, mu, lam, damp))
        else:
            windows[m] = None
    shown = next((m for m in methods if m in ("Momentum", "Nesterov")), "Momentum")
    etas, mus = map_axes(lam, lr, mu_max)
    damp = dampening if shown == "Momentum" else 0.0
    curves = {m: (threshold_curve(m, lam, mus, dampening), mus) for m in ("Momentum", "Nesterov")}
    # The map's own method at the current point, selected or not (it read "ρ now = nan" with GD alone).
    rates.setdefault(shown, float(spectral_radius(shown, lr, mu, lam, damp)))
    return RateSummary(lam, where, point, lr, mu, windows, rates, rate_map(shown, lam, etas, mus, damp), curves)


def nearest(points: list[tuple[float, ...]], target: np.ndarray) -> int | None:
    """Index of the point nearest `target` (None if there are none or target is not finite)."""
    if not points or not np.all(np.isfinite(target)):
        return None
    d = [float(np.sum((np.asarray(p) - target) ** 2)) for p in points]
    return int(np.argmin(d))


MU_MAX_2D = 0.999        # the 2-D tab's momentum box stops here (Scene2D: μ < 1)
MU_MAX_MOMENTUM = 1.0    # the momentum tab allows μ = 1 (no friction)


def summary_2d(scene, critical, runs) -> RateSummary | None:
    """Rates on the 2-D tab: λ is the largest Hessian eigenvalue at the minimum that start 0 of the
    first optimizer ends nearest to (the one the current run approaches), or, if it diverged, the
    minimum nearest start 0. None when no minimum is in view. `scene` is a Scene2D, `critical`
    its critical points, `runs` its OptimizerRuns by name."""
    minima = [c for c in critical if c.kind == "minimum" and max(c.eigenvalues) > 0]
    if not minima or not runs:
        return None
    points = [c.point for c in minima]
    path = next(iter(runs.values())).x[0]
    i, how = nearest(points, path[-1]), "that start 0 approaches"
    if i is None:
        i, how = nearest(points, path[0]), "nearest start 0"
    if i is None:              # start 0 itself is beyond floating point (x0 = 0,1e12 overflowed F)
        return None
    c = minima[i]
    methods = scene.optimizers if scene.data_seed is None else ("GD",)
    where = f"the minimum ({c.x:.4g}, {c.y:.4g}) {how}"
    return rate_summary(float(max(c.eigenvalues)), where, c.point, methods, scene.lr, scene.momentum,
                        MU_MAX_2D, scene.dampening)


def summary_momentum(equilibria, x_end: float, x0: float, lr: float, mu: float) -> RateSummary | None:
    """Rates on the momentum tab. Its heavy ball is torch's Momentum exactly (b ← μb + ∇F,
    x ← x − lr·b), so lr is η and μ is μ; the friction γ = (1 − μ)/√lr is the same point seen as
    physics: ρ < 1 inside the map is the discrete ball settling, whatever γ says about the flow.
    λ = V''(x*) at the stable rest point the ball ends nearest (if it ran away: the one nearest
    x0). None without a stable rest point of positive curvature in range."""
    bottoms = [e for e in equilibria if e.stable and e.curvature > 0]
    if not bottoms:
        return None
    points = [(e.x,) for e in bottoms]
    i, how = nearest(points, np.array([x_end])), "that the heavy ball approaches"
    if i is None:
        i, how = nearest(points, np.array([x0])), "nearest x₀"
    e = bottoms[i]
    return rate_summary(float(e.curvature), f"the bottom x* = {e.x:.4g} {how}", (e.x,), ("Momentum", "GD"),
                        lr, mu, MU_MAX_MOMENTUM)


def rates_csv(summary: RateSummary) -> str:
    """The map as CSV with a header line: eta, mu, rate (ρ of the map's method at the summary's λ),
    η fastest, each number as the shortest text that reads back to the same float."""
    lines = ["eta,mu,rate"]
    lines += [f"{number_text(e)},{number_text(u)},{number_text(r)}" for e, u, r in summary.map.rows()]
    return "\n".join(lines) + "\n"
