"""SGD as a diffusion (issue 15 §3; Li, Tai and E, JMLR 2019): the cloud SGD's iterates settle into.

SGD with learning rate η and gradient noise of covariance Σ follows dX = −∇F dt + (ηΣ)^½ dW to first
order. On the 1-D quadratic F = a x²/2 whose every step sees the gradient a·x + ξ, ξ the mean of B
independent draws of variance σ², the iteration x ← (1 − ηa)x − ηξ is an AR(1) process with

    exact stationary variance   ησ² / (B·a·(2 − ηa))     (the discrete iteration)
    the SDE's                   ησ² / (2aB)               (its η → 0 limit)

The SDE's depends on η and B only through η/B, so (η, B) and (2η, 2B) spread the same to first
order: the linear-scaling rule. The exact values differ by the factor (2 − ηa)/(2 − 2ηa).

How it is measured: many independent chains side by side (numpy over chains), all from the
minimum, the first `burn_in` steps dropped until the variance has built up to within 0.1% of its
limit. The late iterates of one chain are correlated (x² has lag-k correlation ρ^{2k}, ρ = 1 − ηa),
so the standard error of the measured variance uses the effective number of samples
N·(1 − ρ²)/(1 + ρ²); independent chains make N large without a long burn-in per sample.

The noise ξ is Gaussian: the mean of B Gaussian draws of variance σ² is exactly N(0, σ²/B), so one
draw of that variance per step is the same process at 1/B of the cost.
"""
from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .euler import Cancelled

__all__ = [
    "BINS",
    "MAX_CHAINS",
    "MAX_LATE",
    "MAX_WORK",
    "NoiseResult",
    "NoiseRun",
    "NoiseScene",
    "burn_in",
    "describe_noise",
    "evaluate_noise",
    "exact_variance",
    "gaussian_pdf",
    "noise_csv",
    "noise_summary",
    "run_chains",
    "sde_variance",
    "variance_lines",
]

BURN_TOL = 1e-3          # the variance deficit ρ^{2n} left at the end of the burn-in
MAX_CHAINS = 10_000
MAX_LATE = 4_000_000     # late iterates kept per run (chains × steps): 32 MB of float64
MAX_WORK = 40_000_000    # steps simulated per run, burn-in included (chains × (burn + steps))
MAX_VALUE = 1e6          # |η|, a, σ: far from overflow in ησ²/a
MAX_BATCH = 1_000_000
BINS = 60                # histogram bins over ±4 standard deviations
CURVE_POINTS = 400
ENDLESS = 10 ** 308      # burn-in steps past counting (ηa below ~1e-300)
MIN_HA = 1e-300          # a smaller ηa is refused: its spread would take endlessly long to reach
BLOCK = 64               # steps per block of the vectorised recursion (a 64 × 64 matrix product)


# --------------------------------------------------------------------------- formulas

def exact_variance(lr: float, batch: int, curvature: float, noise: float) -> float:
    """The discrete iteration's stationary variance ησ²/(B·a·(2 − ηa)); needs 0 < ηa < 2."""
    return lr * noise * noise / (batch * curvature * (2.0 - lr * curvature))


def sde_variance(lr: float, batch: int, curvature: float, noise: float) -> float:
    """The SDE's stationary variance ησ²/(2aB): the exact one's η → 0 limit."""
    return lr * noise * noise / (2.0 * curvature * batch)


def burn_in(lr: float, curvature: float) -> int:
    """Steps from the minimum until the variance V(1 − ρ^{2n}) is within BURN_TOL of V, ρ = 1 − ηa."""
    ha = lr * curvature
    if ha == 1.0:
        return 1
    # log|1 − ηa| by log1p: for ηa below 1e-16, 1 − ηa rounds to 1 and log(1) = 0 divided by zero.
    log_rho = math.log1p(-ha) if ha < 1.0 else math.log1p(ha - 2.0)
    steps = math.log(BURN_TOL) / (2.0 * log_rho) if log_rho != 0.0 else math.inf
    # A subnormal ηa (2e-313) needs more steps than a float can count (the scene refuses it first).
    return max(1, math.ceil(steps)) if math.isfinite(steps) else ENDLESS


def gaussian_pdf(x: np.ndarray, variance: float) -> np.ndarray:
    """The density of N(0, variance) at x."""
    return np.exp(-0.5 * x * x / variance) / math.sqrt(2.0 * math.pi * variance)


# --------------------------------------------------------------------------- the scene

@dataclass(frozen=True)
class NoiseScene:
    """The "SGD noise" tab: F = a x²/2, gradient noise σ²/B per step, `chains` chains of `steps` late steps."""

    lr: float = 0.1
    batch: int = 4
    curvature: float = 1.0
    noise: float = 1.0
    steps: int = 2000            # late iterates per chain (the burn-in is added to them)
    chains: int = 100
    seed: int = 1

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        """What is wrong with the numbers, each a sentence in the user's words (empty: they work)."""
        out: list[str] = []
        for name, value in (("the learning rate η", self.lr), ("the curvature a", self.curvature),
                            ("the noise σ", self.noise)):
            if not _is_real(value) or not (0 < value <= MAX_VALUE):
                out.append(f"{name} must be a number above 0 and at most {MAX_VALUE:g}")
        for name, value, hi in (("the batch size B", self.batch, MAX_BATCH), ("steps", self.steps, MAX_LATE),
                                ("the number of chains", self.chains, MAX_CHAINS)):
            if not _is_int(value) or not 1 <= value <= hi:
                out.append(f"{name} must be a whole number from 1 to {hi:,}")
        if not _is_int(self.seed) or self.seed < 0:
            out.append("the seed must be a whole number of 0 or more")
        if out:
            return out
        ha = self.lr * self.curvature
        if not ha >= MIN_HA:    # both positive, yet their product underflows (1e-182 each)
            out.append(f"η·a = {self.lr:.3g} × {self.curvature:.3g} is too small to reach a spread: raise η or a")
        elif not ha < 2:
            out.append(f"with η·a = {ha:.4g} the iterates diverge: SGD on this quadratic needs η below "
                       f"2/a = {2 / self.curvature:.4g}")
        elif self.chains * self.steps > MAX_LATE:
            out.append(f"chains × steps must be at most {MAX_LATE:,} (got {self.chains * self.steps:,})")
        elif self.chains * (burn_in(self.lr, self.curvature) + self.steps) > MAX_WORK:
            out.append(f"with η·a = {ha:.3g} the iterates need {burn_in(self.lr, self.curvature):,} steps to "
                       "settle, too many for this many chains: raise η or a, or use fewer chains")
        return out

    @property
    def scaled_stable(self) -> bool:
        """The scaling rule's second run, (2η, 2B), is stable: 2ηa < 2."""
        return 2.0 * self.lr * self.curvature < 2.0

    def with_(self, **changes: Any) -> NoiseScene:
        return replace(self, **changes)


def _is_real(value: object) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            and math.isfinite(float(value)))


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


# --------------------------------------------------------------------------- the run

def _block_matrix(rho: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """T (n × n) with T[k, j] = ρ^(k − j) for j <= k, and the powers ρ^(k + 1): one block of
    x_{k+1} = ρ x_k + u_k is X = T @ U + ρ^(k+1) x_0, a matrix product over every chain at once."""
    k = np.arange(n)
    lag = k[:, None] - k[None, :]
    with np.errstate(all="ignore"):
        T = np.where(lag >= 0, rho ** np.maximum(lag, 0).astype(float), 0.0)
    return T, rho ** (k + 1).astype(float)


def run_chains(lr: float, batch: int, curvature: float, noise: float, chains: int, steps: int,
               rng: np.random.Generator, burn: int,
               should_stop: Callable[[], bool] | None = None) -> np.ndarray:
    """The late iterates (chains, steps) of x ← (1 − ηa)x − ηξ from x = 0, after `burn` steps dropped."""
    rho = 1.0 - lr * curvature
    scale = lr * noise / math.sqrt(batch)          # η·(σ/√B): the step's noise
    T, powers = _block_matrix(rho, BLOCK)
    total = burn + steps
    late = np.empty((chains, steps))
    x = np.zeros(chains)
    done = 0
    while done < total:
        if should_stop is not None and should_stop():
            raise Cancelled()
        n = min(BLOCK, total - done)
        u = rng.standard_normal((n, chains)) * -scale
        X = T[:n, :n] @ u + powers[:n, None] * x     # (n, chains): x after each step of the block
        x = X[-1]
        lo, hi = max(done + 1, burn + 1), done + n          # step numbers 1.. of this block kept
        if hi >= lo:
            late[:, lo - burn - 1:hi - burn] = X[lo - done - 1:hi - done].T
        done += n
    return late


@dataclass(frozen=True, eq=False)
class NoiseRun:
    """One SGD run's cloud: its late iterates, their variance and the predicted ones."""

    lr: float
    batch: int
    burn: int                    # steps dropped before the late iterates
    late: np.ndarray             # (chains, steps), read-only
    measured: float              # the sample variance of every late iterate
    std_error: float             # its standard error (effective samples of an AR(1))
    exact: float                 # ησ²/(B·a·(2 − ηa))
    sde: float                   # ησ²/(2aB)
    density: np.ndarray          # the histogram over NoiseResult.edges, as a density

    @property
    def relative_error(self) -> float:
        """(measured − exact)/exact."""
        return self.measured / self.exact - 1.0


@dataclass(frozen=True, eq=False)
class NoiseResult:
    scene: NoiseScene
    base: NoiseRun                       # (η, B)
    scaled: NoiseRun | None              # (2η, 2B), None when it diverges
    scaled_note: str                     # why there is no second run ("" when there is)
    edges: np.ndarray                    # histogram bin edges, shared by both runs
    grid: np.ndarray                     # x of the Gaussian curves
    exact_pdf: np.ndarray                # N(0, exact variance of (η, B))
    scaled_pdf: np.ndarray               # N(0, exact variance of (2η, 2B)); empty without that run
    sde_pdf: np.ndarray                  # N(0, ησ²/(2aB)): the same for both runs
    seconds: float

    @property
    def centres(self) -> np.ndarray:
        return 0.5 * (self.edges[:-1] + self.edges[1:])

    def outline(self, run: NoiseRun) -> tuple[np.ndarray, np.ndarray]:
        """The histogram of `run` as one staircase polyline (x, y) from 0 to 0, to draw and fill."""
        x = np.repeat(self.edges, 2)
        y = np.concatenate([[0.0], np.repeat(run.density, 2), [0.0]])
        return x, y

    @property
    def measured_ratio(self) -> float:
        """The scaling rule, measured: variance of (2η, 2B) / variance of (η, B) (NaN without it)."""
        if self.scaled is None or not self.base.measured > 0:
            return math.nan
        return self.scaled.measured / self.base.measured

    @property
    def exact_ratio(self) -> float:
        """(2 − ηa)/(2 − 2ηa): the exact variances' ratio; the SDE's is 1."""
        return self.scaled.exact / self.base.exact if self.scaled is not None else math.nan


def _measure(scene: NoiseScene, lr: float, batch: int, stream: int, edges: np.ndarray | None,
             should_stop: Callable[[], bool] | None) -> NoiseRun:
    a, s = scene.curvature, scene.noise
    burn = burn_in(lr, a)
    rng = np.random.default_rng([scene.seed, stream])
    late = run_chains(lr, batch, a, s, scene.chains, scene.steps, rng, burn, should_stop)
    late.flags.writeable = False
    n = late.size
    measured = float(np.var(late, ddof=1)) if n > 1 else 0.0
    rho2 = (1.0 - lr * a) ** 2
    effective = max(1.0, scene.chains * scene.steps * (1.0 - rho2) / (1.0 + rho2))
    dens = np.empty(0) if edges is None else _density(late, edges)
    return NoiseRun(lr, batch, burn, late, measured, measured * math.sqrt(2.0 / effective),
                    exact_variance(lr, batch, a, s), sde_variance(lr, batch, a, s), dens)


def _density(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin divided by (all values × bin width): values outside the bins still count in
    the total, so the bars' area is the share of the cloud inside them, as under the Gaussian."""
    counts, _ = np.histogram(values, edges)
    return counts / (values.size * np.diff(edges))


def evaluate_noise(scene: NoiseScene, should_stop: Callable[[], bool] | None = None) -> NoiseResult:
    """Both runs of the scaling rule, their histograms on shared bins and the three Gaussians."""
    start = time.perf_counter()
    lr, b, a, s = scene.lr, scene.batch, scene.curvature, scene.noise
    stable = scene.scaled_stable
    spread = max(exact_variance(lr, b, a, s), exact_variance(2 * lr, 2 * b, a, s) if stable else 0.0)
    half = 4.0 * math.sqrt(spread)
    edges = np.linspace(-half, half, BINS + 1)
    base = _measure(scene, lr, b, 0, edges, should_stop)
    scaled = _measure(scene, 2 * lr, 2 * b, 1, edges, should_stop) if stable else None
    note = "" if stable else (f"(2η, 2B) diverges: 2η·a = {2 * lr * a:.3g} is not below 2, so the scaling "
                              "rule has no second run to compare")
    grid = np.linspace(-half, half, CURVE_POINTS)
    return NoiseResult(scene=scene, base=base, scaled=scaled, scaled_note=note, edges=edges, grid=grid,
                       exact_pdf=gaussian_pdf(grid, base.exact),
                       scaled_pdf=gaussian_pdf(grid, scaled.exact) if scaled else np.empty(0),
                       sde_pdf=gaussian_pdf(grid, base.sde), seconds=time.perf_counter() - start)


# --------------------------------------------------------------------------- tables and words

def noise_csv(result: NoiseResult) -> str:
    """The late iterates of the (η, B) run: columns chain, n (the step, counted from the start), x."""
    late, first = result.base.late, result.base.burn + 1
    rows = (f"{c},{first + k},{v!r}" for c, row in enumerate(late.tolist()) for k, v in enumerate(row))
    return "chain,n,x\n" + "".join(r + "\n" for r in rows)


def noise_summary(result: NoiseResult) -> list[str]:
    """One line per run: η, B, the measured variance (± its standard error), the exact and the SDE's."""
    lines = []
    for run in (result.base, result.scaled):
        if run is None:
            continue
        lines.append(f"eta={run.lr:.6g} B={run.batch} burn_in={run.burn} late={run.late.size} "
                     f"measured={run.measured:.6g} std_error={run.std_error:.3g} exact={run.exact:.6g} "
                     f"sde={run.sde:.6g} measured/exact={run.measured / run.exact:.4f}")
    if result.scaled is not None:
        lines.append(f"scaling rule: variance of (2eta, 2B) / variance of (eta, B) = "
                     f"{result.scaled.measured / result.base.measured:.4f} measured, "
                     f"{result.scaled.exact / result.base.exact:.4f} exact, 1 by the SDE")
    else:
        lines.append(result.scaled_note)
    return lines


def variance_lines(result: NoiseResult) -> list[str]:
    """The measured and predicted variances in words, one line per run, then the scaling rule."""
    def line(run: NoiseRun, label: str) -> str:
        return (f"{label}: measured {run.measured:.4g} ± {run.std_error:.2g}  ·  exact {run.exact:.4g} "
                f"(measured {100 * run.relative_error:+.1f}%)  ·  SDE {run.sde:.4g}  ·  burn-in {run.burn} steps")
    s = result.scene
    lines = [line(result.base, f"(η, B) = ({s.lr:.4g}, {s.batch})")]
    if result.scaled is not None:
        lines.append(line(result.scaled, f"(2η, 2B) = ({2 * s.lr:.4g}, {2 * s.batch})"))
        lines.append(f"Scaling rule: the two spreads differ by a factor {result.measured_ratio:.3f} "
                     f"(exact {result.exact_ratio:.3f}; the SDE says 1).")
    else:
        lines.append(result.scaled_note[:1].upper() + result.scaled_note[1:] + ".")
    return lines


def describe_noise(result: NoiseResult) -> str:
    """The tab's picture in words (what a screen reader says for it)."""
    s = result.scene
    head = (f"SGD on F = a·x²/2 with a = {s.curvature:.4g}, gradient noise σ = {s.noise:.4g} averaged over "
            f"batches of {s.batch}, learning rate η = {s.lr:.4g}: {s.chains} chains of {s.steps} late steps. "
            "The histogram of late iterates is a Gaussian centred on the minimum.")
    return " ".join([head, *variance_lines(result)])
