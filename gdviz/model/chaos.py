"""The route to chaos of Euler's map g(x) = x + h·f(x), measured.

Two numbers the bifurcation diagram only shows:

* the Lyapunov exponent λ(h) = lim (1/N) Σ ln|g'(x_n)|, g'(x) = 1 + h·f'(x): negative while the
  iterates settle on a fixed point or a cycle, zero at each period doubling, positive in chaos;
* the period-doubling points h₁ < h₂ < … where the stable cycle of period 2^(k−1) loses
  stability to one of period 2^k (its multiplier Π g'(x_i) passes −1), and the ratios of their
  gaps, which tend to Feigenbaum's δ ≈ 4.669 for any map with a quadratic maximum.

On the logistic f = x(1 − x) Euler's map is the logistic map with r = 1 + h: λ(1.5) = −ln 2,
λ(3) = ln 2, doublings at h = 2, 1 + √6, 2.544090, 2.564407 (the tests check these).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .euler import Cancelled
from .problem import FlowProblem

BOUND = 1e12                   # |x| past this: the orbit diverged (no exponent)
NEWTON_STEPS = 60
CHECK_EVERY = 50               # iterations between should_stop() checks
FEIGENBAUM_DELTA = 4.669201609102990


def lyapunov(problem: FlowProblem, h: np.ndarray | float, x0: float, transient: int = 1000,
             kept: int = 20_000, should_stop: Callable[[], bool] | None = None) -> np.ndarray:
    """λ(h) for every h (vectorised): the mean of ln|1 + h f'(x_n)| over `kept` iterates after
    `transient` ones from x0. NaN where the orbit diverged. Raises `Cancelled` when should_stop()
    (asked every CHECK_EVERY iterations) says the result is unwanted."""
    hs = np.atleast_1d(np.asarray(h, dtype=np.float64))
    x = np.full_like(hs, float(x0))
    total = np.zeros_like(hs)
    alive = np.ones(hs.shape, dtype=bool)
    slope, step = np.empty_like(hs), np.empty_like(hs)
    last = transient + kept - 1
    with np.errstate(all="ignore"):
        for n in range(transient + kept):
            if n >= transient:
                np.multiply(hs, problem.fprime_numeric(x), out=slope)
                slope += 1.0
                np.log(np.abs(slope, out=slope), out=slope)
                total += slope
            np.multiply(hs, problem.f_numeric(x), out=step)
            x += step
            # Non-finite values are absorbing, so a look every CHECK_EVERY iterations finds every
            # orbit that ran off (masked at the end) at a third of the cost of looking every time.
            if n % CHECK_EVERY == 0 or n == last:
                alive &= np.isfinite(x) & (np.abs(x) < BOUND)
                x[~alive] = 0.0
                if should_stop is not None and should_stop():
                    raise Cancelled
    out = total / kept
    out[~alive] = np.nan
    return out if np.ndim(h) else out[:1].reshape(())


@dataclass(frozen=True)
class Doubling:
    """The cycle of period `period` is born at `h` (the one of half its period loses stability)."""

    period: int
    h: float


def _cycle(g: Callable[[float], float], dg: Callable[[float], float], x: float, p: int) -> tuple[float, float] | None:
    """A point of a cycle of period dividing p near x (Newton on g^p(x) − x), and its multiplier."""
    for _ in range(NEWTON_STEPS):
        y, slope = x, 1.0
        for _ in range(p):
            slope *= dg(y)
            y = g(y)
        if not (math.isfinite(y) and math.isfinite(slope)) or slope == 1.0:
            return None
        step = (y - x) / (slope - 1.0)
        x -= step
        if abs(step) <= 1e-14 * max(1.0, abs(x)):
            break
    else:
        return None
    y, slope = x, 1.0
    for _ in range(p):
        slope *= dg(y)
        y = g(y)
    return (x, slope) if abs(y - x) <= 1e-9 * max(1.0, abs(x)) else None


def period_doublings(problem: FlowProblem, x_star: float, count: int = 4,
                     should_stop: Callable[[], bool] | None = None) -> list[Doubling]:
    """The first `count` period doublings of Euler's map from the fixed point x* (f(x*) = 0,
    f'(x*) < 0): h₁ = 2/|f'(x*)|, then each next one by following the new cycle in h until its
    multiplier passes −1 and bisecting there (to about 1e-12). Stops early where a cycle is lost.
    Raises `Cancelled` when should_stop() says the result is unwanted."""
    slope = float(problem.fprime_numeric(x_star))
    if not (math.isfinite(slope) and slope < 0):
        return []
    found = [Doubling(2, 2.0 / -slope)]
    point, period, gap = x_star, 1, 2.0 / -slope
    while len(found) < count:
        period *= 2
        h_birth = found[-1].h
        gap /= 4.0                                   # the next gap is about δ ≈ 4.7 times shorter
        located = _follow_to_doubling(problem, point, period, h_birth, gap, should_stop)
        if located is None:
            break
        point, h_next = located
        found.append(Doubling(2 * period, h_next))
    return found


def _follow_to_doubling(problem: FlowProblem, near: float, period: int, h_birth: float,
                        gap: float, should_stop: Callable[[], bool] | None = None) -> tuple[float, float] | None:
    """Follow the cycle of `period` born at h_birth out of the point `near` of the half-period
    cycle, until its multiplier passes −1: (a point of it, the h where it does)."""
    f, df = problem.f_scalar, (lambda x: float(problem.fprime_numeric(x)))

    def at(h: float, x: float) -> tuple[float, float] | None:
        return _cycle(lambda y: y + h * f(y), lambda y: 1.0 + h * df(y), x, period)

    step = gap / 40
    h = h_birth + step
    start = None
    for spread in (1e-2, 0.1, 0.3, 1.0, 3.0):             # the new branch opens like √(h − h_birth)
        for sign in (1.0, -1.0):
            guess = near + sign * spread * math.sqrt(step) * max(1.0, abs(near))
            found = at(h, guess)
            if found is not None and not _is_half_period(problem, h, found[0], period):
                start = found
                break
        if start is not None:
            break
    if start is None:
        return None
    x = start[0]
    lo = h
    for _ in range(2000):                             # walk in h until the multiplier passes −1
        if should_stop is not None and should_stop():
            raise Cancelled
        nxt = at(h + step, x)
        if nxt is None:
            return None
        if nxt[1] < -1.0:
            hi, x_hi = h + step, nxt[0]
            break
        h, x = h + step, nxt[0]
        lo = h
    else:
        return None
    for _ in range(60):                               # bisect on multiplier + 1
        mid = 0.5 * (lo + hi)
        got = at(mid, x)
        if got is None:
            break
        if got[1] < -1.0:
            hi, x_hi = mid, got[0]
        else:
            lo, x = mid, got[0]
        if hi - lo <= 1e-13 * hi:
            break
    return x_hi, 0.5 * (lo + hi)


def _is_half_period(problem: FlowProblem, h: float, x: float, period: int) -> bool:
    """Is x already a cycle of half the period (the old branch, not the new one)?"""
    y = x
    for _ in range(period // 2):
        y = y + h * problem.f_scalar(y)
    return abs(y - x) <= 1e-7 * max(1.0, abs(x))


def gap_ratios(doublings: list[Doubling]) -> list[float]:
    """(h_k − h_{k−1}) / (h_{k+1} − h_k): tends to Feigenbaum's δ."""
    hs = [d.h for d in doublings]
    return [(hs[k] - hs[k - 1]) / (hs[k + 1] - hs[k]) for k in range(1, len(hs) - 1)]
