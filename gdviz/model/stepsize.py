"""The step-size laboratory: Euler runs for several h side by side, and the global error against h.

Two questions, two functions. `compare_step_sizes`: what do Euler's iterates for h = 1, 0.5,
0.1 look like next to x(t), and how far off is each at the end? `error_sweep`: how does the
global error |x_N − x(t_end)| shrink with h for Euler, Heun and RK4 -- the slopes 1, 2 and 4
on a log-log plot are the orders of the methods.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .euler import DEFAULT_BOUND, euler
from .methods import METHODS, final_values
from .problem import FlowProblem
from .reference import reference_solution
from .smoothness import kinks_on_path, places_text

# Sweep shape: N = t_end / h runs geometrically from N_min = t_end / h_max to SPAN · N_min.
# A factor 64 in h moves RK4's error by 64⁴ ≈ 2e7 (typically 1e-3 down to 1e-10, still above
# round-off) and leaves a factor 8 for the slope fit below h_max/8. The cost is SPAN·N_min steps
# of 7 f calls (a parsed f costs ~6 µs a call): ~20 ms for the logistic over t = 5 (N <= 320).
SPAN = 64
MIN_SPAN = 8            # a narrower range of h cannot show a slope; rather do more steps
NOTE_SPAN = 16          # a narrower range than this is worth a sentence
COMFORT_STEPS = 4096    # the longest sweep run we plan for (a few ms per method)...
MAX_SWEEP_STEPS = 20_000    # ...and the longest we accept when the problem needs it (~1 s)
FIT_RATE = 1.0 / 8.0    # the slope is fitted where h·L <= FIT_RATE ...
FIT_MARGIN = 8.0        # ... and h <= (where the error changes sign) / FIT_MARGIN (see _fit)
DRIFT = 0.1             # halves of the fit whose slopes differ more than this get a sentence
ORDER_DROP = 0.5        # a fitted slope this far below the method's order is a lost order
ROUNDOFF = 1e3          # errors below ROUNDOFF · eps · max(1, |x(t_end)|) are round-off
REFERENCE_POINTS = 257  # samples of x(t) for the stiffness along the path
MAX_COUNT = 2 ** 62     # steps_to_reach's ceiling: no run is ever this long


@dataclass(frozen=True, eq=False)
class StepRun:
    """One Euler run over [0, t_N], t_N = N h the first multiple of h at or after t_end."""
    h: float
    t: np.ndarray           # (N + 1,) t_n = n h
    x: np.ndarray           # (N + 1,) x_n, NaN after divergence
    error: float            # |x_N − x(t_N)|; NaN if the run diverged or x(t_N) is undefined
    diverged_at: int        # first bad step, -1 if none


@dataclass(frozen=True, eq=False)
class ErrorSweep:
    """Global error at t_end against h for several methods (every h is t_end / N exactly)."""
    t_end: float
    x_exact: float                  # x(t_end)
    h: np.ndarray                   # (k,) ascending
    errors: dict[str, np.ndarray]   # method -> (k,) |x_N − x(t_end)|, NaN where the run blew up
    slopes: dict[str, float]        # method -> fitted log-log slope (≈ order), NaN if unfit
    fit_mask: dict[str, np.ndarray]  # method -> (k,) bool, the points the fit used
    note: str                       # "" or why the sweep or a fit is limited


def steps_to_reach(t_end: float, h: float) -> int:
    """N = ceil(t_end / h), forgiving the rounding of t_end / h (0.3 / 0.1 = 2.9999999999999996).
    Beyond MAX_COUNT (t_end / h overflows for h = 1e-308) it is MAX_COUNT: more than anything runs."""
    ratio = t_end / h
    if not ratio < MAX_COUNT:
        return MAX_COUNT
    nearest = round(ratio)
    if abs(ratio - nearest) <= 1e-9 * max(1.0, ratio):
        return max(int(nearest), 1)
    return max(math.ceil(ratio), 1)


def _steps_text(n: int) -> str:
    """A number of steps for a message: exact while a person can read it (t = 1e308 asks for a
    309-digit count)."""
    return f"{n:,} steps" if n <= 10 ** 9 else "more than a billion steps"


def _check_start(x0: float, t_end: float) -> tuple[float, float]:
    x0, t_end = float(x0), float(t_end)
    if not math.isfinite(x0):
        raise ValueError("x0 must be a finite number")
    if not (math.isfinite(t_end) and t_end > 0):
        raise ValueError("the time span t_end must be a positive number")
    return x0, t_end


def compare_step_sizes(problem: FlowProblem, x0: float, hs: Iterable[float], t_end: float,
                       max_steps: int = 200_000) -> tuple[StepRun, ...]:
    """Euler from x0 with each h in hs over [0, t_end] (N = ceil(t_end/h) steps each).

    Every h is checked before anything runs, so a bad one costs nothing.
    """
    x0, t_end = _check_start(x0, t_end)
    hs = [float(h) for h in hs]
    counts = []
    for h in hs:
        if not (math.isfinite(h) and h > 0):
            raise ValueError(f"every step size h must be a positive number (got {h:g})")
        n = steps_to_reach(t_end, h)
        if n > max_steps:
            raise ValueError(f"h = {h:g} needs {_steps_text(n)} to reach t = {t_end:g}; "
                             f"at most {max_steps:,} are allowed")
        counts.append(n)
    references: dict[float, float] = {}   # runs ending at the same t_N share the reference
    runs = []
    for h, n in zip(hs, counts):
        run = euler(problem.f_loop, x0, h, n, f_scalar=problem.f_scalar)
        t_n = n * h
        if t_n not in references:
            references[t_n] = float(reference_solution(problem, x0, t_n, 2).x[0, -1])
        diverged_at = int(run.diverged_at)
        with np.errstate(all="ignore"):
            error = abs(float(run.x[-1]) - references[t_n]) if diverged_at < 0 else math.nan
        runs.append(StepRun(h=h, t=run.t, x=run.x, error=error, diverged_at=diverged_at))
    return tuple(runs)


def error_sweep(problem: FlowProblem, x0: float, t_end: float, count: int = 30,
                h_max: float | None = None, methods: Sequence[str] = ("Euler", "Heun", "RK4"),
                should_stop: Callable[[], bool] | None = None, reference: str = "exact") -> ErrorSweep:
    """Global error at t_end of each method for `count` step sizes h = t_end / N up to h_max.
    With reference "modified", Euler's error at each h is measured against the flow of its
    modified equation x' = f − (h/2) f' f for that h (gdviz.model.modified), which its iterates
    follow to second order: the slope is 2 instead of 1. The other methods keep the exact flow.

    Raises ValueError when x(t_end) does not exist (blow-up first) or the arguments are bad,
    gdviz.model.euler.Cancelled when should_stop() says so.
    """
    x0, t_end = _check_start(x0, t_end)
    count = int(count)
    if count < 3:
        raise ValueError("the sweep needs at least 3 step sizes")
    if reference not in ("exact", "modified"):
        raise ValueError(f"the error is measured against the exact or the modified flow, not {reference!r}")
    for name in methods:
        if name not in METHODS:
            raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}")
    ref = reference_solution(problem, x0, t_end, REFERENCE_POINTS)
    x_exact = float(ref.x[0, -1])
    if not math.isfinite(x_exact):
        why = f" ({ref.note})" if ref.note else ""
        raise ValueError(f"the exact solution x(t) from x0 = {x0:g} does not reach t = {t_end:g}{why}; "
                         "choose a shorter time span")
    notes = []
    rate = _rate(problem, x0, ref.x[0])
    # In a kink of F by t_end (F = |x| at 0) the iterates bounce around x(t_end) with an amplitude
    # up to h: the error is no power of h and no method keeps its order, so no slope is fitted.
    at_kink = problem.kink_at(x_exact) is not None
    # Crossing a kink of f on the way (x' = 1 + |x| through 0) costs the methods their order: the
    # error is still a power of h, just a lower one, so the slope is fitted over every error above
    # round-off (the asymptotic window and the sign-flip limit assume a smooth f's error expansion).
    crossed = () if at_kink else kinks_on_path(problem, np.append(ref.x[0], x0))
    if h_max is None:
        # At least four steps, and h·L <= 1: at the attractor that is half of Euler's stability
        # limit 2/|f'(x*)| (beyond 1/|f'(x*)| it oscillates); every method behaves.
        h_max = t_end / 4.0 if rate == 0 else min(t_end / 4.0, 1.0 / rate)
    elif not (math.isfinite(h_max) and h_max > 0):
        raise ValueError("h_max must be a positive number")
    n_min = steps_to_reach(t_end, float(h_max))
    n_max = max(min(SPAN * n_min, COMFORT_STEPS), MIN_SPAN * n_min, n_min + count - 1)
    if n_max > MAX_SWEEP_STEPS:
        raise ValueError(f"t = {t_end:g} is too long for this sweep: even its largest step "
                         f"h = {h_max:.3g} needs {_steps_text(n_min)}; choose a shorter time span")
    if n_max < NOTE_SPAN * n_min:
        notes.append(f"the step sizes span only a factor {n_max / n_min:.0f} (h·|f′| must stay "
                     f"small over a long time span)")
    n = _distinct_geometric(n_min, n_max, count)[::-1]          # descending N: ascending h
    h = t_end / n.astype(np.float64)

    errors, slopes, masks = {}, {}, {}
    floor = ROUNDOFF * np.finfo(np.float64).eps * max(1.0, abs(x_exact))
    for name in methods:
        with np.errstate(all="ignore"):
            xn = final_values(problem.f_loop, x0, t_end, n, name, should_stop=should_stop)
            target = _modified_targets(problem, x0, t_end, h) if name == "Euler" and reference == "modified" \
                else x_exact
            signed = xn - target
        signed[~(np.abs(xn) <= DEFAULT_BOUND)] = np.nan         # blew up (NaN compares False)
        err = np.abs(signed)
        errors[name] = err
        slope, masks[name], halves = _fit(h, signed, floor, FIT_RATE / rate if rate > 0 else math.inf,
                                          whole=bool(crossed))
        if at_kink:
            slopes[name], masks[name] = math.nan, np.zeros_like(masks[name])
            continue
        slopes[name] = slope
        if crossed and not math.isnan(slope):
            continue                                            # the kink's note says it all
        if math.isnan(slope):
            notes.append(_unfit_reason(name, err, floor))
        elif halves is not None and abs(halves[1] - halves[0]) > DRIFT:
            notes.append(f"{name}'s slope drifts from {halves[0]:.2f} to {halves[1]:.2f} across the "
                         "fitted step sizes: its error is not yet a clean power of h there")
    if at_kink:
        notes.append(f"by t = {t_end:g} x(t) sits in a kink of F, where the iterates bounce by up to h: "
                     "the error is no power of h there, and no method keeps its order")
    if crossed:
        notes.insert(0, _kink_note(crossed, slopes))
    return ErrorSweep(t_end=t_end, x_exact=x_exact, h=h, errors=errors, slopes=slopes,
                      fit_mask=masks, note="; ".join(notes))


def _modified_targets(problem: FlowProblem, x0: float, t_end: float, h: np.ndarray) -> np.ndarray:
    """x̃_h(t_end) for every h: the modified flow of each step size (NaN where it does not reach)."""
    from .modified import modified_problem
    return np.array([reference_solution(modified_problem(problem, float(step)), x0, t_end, 2).x[0, -1]
                     for step in h])


def _rate(problem: FlowProblem, x0: float, path: np.ndarray) -> float:
    """L = the largest |f'| the sweep has to respect: along the exact path over [0, t_end], and
    at the attractor the flow approaches (the path may stop short of it; Euler's stability
    limit there is 2/|f'(x*)|). 0 when f' vanishes everywhere that matters."""
    finite = path[np.isfinite(path)]
    lo, hi = min(x0, float(finite.min())), max(x0, float(finite.max()))
    # The attractor lies beyond where the path got to; pad by the span of the path (or 1).
    pad = max(hi - lo, 1.0)
    rate = 0.0
    attractor = problem.nearest_attractor(x0, lo - pad, hi + pad)
    if attractor is not None and math.isfinite(attractor.h_stable):
        rate = 2.0 / attractor.h_stable                        # |f'(x*)|
    with np.errstate(all="ignore"):
        slope = np.abs(problem.fprime_numeric(finite))
    slope = slope[np.isfinite(slope)]
    return max(rate, float(slope.max())) if slope.size else rate


def _distinct_geometric(lo: int, hi: int, count: int) -> np.ndarray:
    """`count` distinct integers from lo to hi (hi - lo >= count - 1), about geometric: rounding
    a geometric ladder repeats small values, so they are pushed apart from below and above."""
    n = np.round(np.geomspace(lo, hi, count)).astype(np.int64)
    for i in range(1, count):
        n[i] = max(n[i], n[i - 1] + 1)
    n[-1] = hi
    for i in range(count - 2, -1, -1):
        n[i] = min(n[i], n[i + 1] - 1)
    return n


def _kink_note(places: Sequence[float], slopes: dict[str, float]) -> str:
    """What a kink on the path does to the fitted orders, highest-order method first, as measured."""
    fitted = sorted(((METHODS[n].order, n, s) for n, s in slopes.items() if math.isfinite(s)), reverse=True)
    where = f"f is not smooth on the path (near {places_text(places)})"
    if not fitted:
        return where
    measured = ", ".join(f"{n} behaves like order {s:.2g} here" if i == 0 else f"{n} like order {s:.2g}"
                         for i, (_, n, s) in enumerate(fitted))
    dropped = any(s < order - ORDER_DROP for order, _, s in fitted)
    return f"{where}: the order drops ({measured})" if dropped else f"{where}, yet the orders hold ({measured})"


def _fit(h: np.ndarray, signed: np.ndarray, floor: float, h_fit: float,
         whole: bool = False) -> tuple[float, np.ndarray, tuple[float, float] | None]:
    """Least-squares slope of log|e| on log h over the points in the asymptotic regime.

    The global error is e = C h^p (1 + a h + ...): the power law holds where the correction a·h
    is small, and we ask |a h| <= 1/8 in two ways. A priori, a ~ L, the largest |f'| on the way,
    so h <= h_fit = FIT_RATE / L (with the default h_max = 1/L: the smaller-h part of the sweep,
    h <= h_max/8). From the data: where e changes sign, a·h = -1 (the correction cancels the
    leading term; RK4 on x' = -x³ does this), so only h <= h_flip / FIT_MARGIN counts. Below the
    round-off floor e is noise, not C h^p (RK4 gets there first): dropped. Fewer than 3 points
    left: no slope.

    Returns the slope, the mask and, from 6 points on, the slopes of the smaller-h and the
    larger-h half of the fit: a power law has one slope, so a drift between them says the fit
    is not asymptotic yet. That happens over long spans (many 1/L): for x' = −Lx Euler's error
    is x(t)·(exp(−L²t·h/2 + …) − 1), a power of h only once L²t·h is small.

    `whole`: every finite error above round-off counts (f has a kink on the path: the smooth
    expansion behind both limits does not hold, and the slope the errors show is the answer).
    """
    with np.errstate(all="ignore"):
        err = np.abs(signed)
        mask = np.isfinite(err) & (err > floor)
        if not whole:
            mask &= h <= h_fit * (1 + 1e-12)
        if mask.any() and not whole:
            first = int(np.argmax(mask))                        # smallest usable h (h ascends)
            flipped = np.nonzero(mask & (np.sign(signed) != np.sign(signed[first])))[0]
            if flipped.size:
                mask &= h <= h[flipped[0]] / FIT_MARGIN
    used = np.nonzero(mask)[0]
    if used.size < 3:
        return math.nan, mask, None
    log_h, log_e = np.log(h[used]), np.log(err[used])
    slope = float(np.polyfit(log_h, log_e, 1)[0])
    halves = None
    if used.size >= 6:
        mid = used.size // 2
        halves = (float(np.polyfit(log_h[:mid + 1], log_e[:mid + 1], 1)[0]),
                  float(np.polyfit(log_h[mid:], log_e[mid:], 1)[0]))
    return slope, mask, halves


def _unfit_reason(name: str, err: np.ndarray, floor: float) -> str:
    finite = np.isfinite(err)
    if not finite.any():
        return f"{name} blows up for every step size"
    if np.all(err[finite] <= floor):
        return f"{name}'s errors are all at round-off level (below {floor:.0e}): no slope to show"
    return f"{name} has too few errors above round-off (or before a blow-up) for a slope"
