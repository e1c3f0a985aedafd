"""The orbit (bifurcation) diagram of Euler's map x ↦ x + h f(x) over the step size h.

For the logistic field f = x(1 − x) the Euler map is the logistic map in disguise: with
y = h x / (1 + h) it becomes y ↦ r y (1 − y), r = 1 + h. So the fixed point x* = 1 loses
stability at h = 2, period doubling follows, chaos sets in before h ≈ 2.57 and orbits escape
just beyond h = 3. A learning rate that is "too large" does not merely fail: it bifurcates.

All n_h step sizes run at once: one numpy vector, one Python loop over the steps, every step two
in-place ufuncs around the user's f. Divergence is data, as in `euler`: an h whose orbit left the
bounded, finite world is marked diverged and its orbit is NaN.
"""
from __future__ import annotations

import math
import numbers
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .euler import DEFAULT_BOUND, Cancelled
from .files import atomic_write_text

__all__ = [
    "Cancelled",
    "OrbitDiagram",
    "orbit_csv",
    "orbit_diagram",
    "period_of",
    "write_orbit_csv",
]

# Input limits: each keeps one diagram's memory and time bounded (the defaults need ~8 MB).
MAX_N_H = 20_000
MAX_STEPS = 100_000              # transient + kept
MAX_BINS = 4_000
MAX_ORBIT_POINTS = 10_000_000    # n_h * kept: 80 MB of float64 orbits
MAX_IMAGE_CELLS = 16_000_000     # n_h * bins: 64 MB of float32 density

CHECK_EVERY = 50                 # steps between divergence checks, should_stop() and progress()
DENSITY_CHUNK_CELLS = 1 << 17    # the image in blocks of columns, buffers sized for the cache
RANGE_SAMPLES = 1 << 13          # points the automatic x_range's percentiles are taken over
RANGE_PERCENTILES = (0.5, 99.5)  # the automatic x_range ignores the rarest 1% of points...
RANGE_REACH = 0.25               # ...beyond a quarter of their span (the attractor's own tips stay)
RANGE_PAD = 0.05                 # margin on each side, as a fraction of the width
RANGE_LIMIT = 1e300              # |x_range| beyond this is clamped (its width must be finite)


@dataclass(frozen=True, eq=False)
class OrbitDiagram:
    """Long-run iterates of x ↦ x + h f(x) for each h, and their histogram image."""

    h: np.ndarray                 # (n_h,) ascending step sizes
    orbits: np.ndarray            # (n_h, kept) float64: x_{transient + k}; NaN where h diverged
                                  # (a Fortran-ordered view: orbits[i] is strided)
    diverged: np.ndarray          # (n_h,) bool: |x_n| > bound or non-finite for some checked n
    x_range: tuple[float, float]  # the vertical extent of the density image
    density: np.ndarray           # (n_h, bins) float32 in [0, 1]: h along axis 0, x along axis 1
    x0: float
    transient: int                # iterates dropped before the kept ones
    seconds: float                # wall time of the computation

    @property
    def kept(self) -> int:
        return self.orbits.shape[1]

    @property
    def bins(self) -> int:
        return self.density.shape[1]


def orbit_diagram(f: Callable[[np.ndarray], np.ndarray], x0: float,
                  h_range: Sequence[float], n_h: int = 2000, transient: int = 500,
                  kept: int = 200, bins: int = 600, x_range: Sequence[float] | None = None,
                  bound: float = DEFAULT_BOUND, should_stop: Callable[[], bool] | None = None,
                  progress: Callable[[float], None] | None = None) -> OrbitDiagram:
    """Iterate x_{n+1} = x_n + h f(x_n) from x0 for n_h step sizes spread evenly over h_range.

    h_range = (lo, hi) needs finite 0 <= lo < hi. h = 0 is allowed: Euler's map is then the
    identity and its column is the single point x0, the honest limit of tiny learning rates
    (which have not moved far either after transient + kept steps). Negative h would run the
    flow backwards, which is another question: rejected.

    Keeps x_n for transient <= n < transient + kept. Every CHECK_EVERY steps: marks h with
    |x| > bound (or NaN, inf) as diverged, raises `Cancelled` if should_stop() says so, and
    reports progress(fraction), fractions increasing in (0, 1], the last call exactly 1.0.
    Bad input raises ValueError saying which argument and why.
    """
    started = time.perf_counter()
    if not callable(f):
        raise ValueError("f must be a callable taking and returning a numpy array")
    x0 = _finite_float("x0", x0)
    lo, hi = _pair("h_range", h_range)
    if lo < 0:
        raise ValueError(f"h_range must start at 0 or above (got {lo!r}): a negative step size "
                         "runs the flow backwards")
    n_h = _count("n_h", n_h, 2, MAX_N_H)
    transient = _count("transient", transient, 0, MAX_STEPS)
    kept = _count("kept", kept, 1, MAX_STEPS)
    bins = _count("bins", bins, 1, MAX_BINS)
    if transient + kept > MAX_STEPS:
        raise ValueError(f"transient + kept must be at most {MAX_STEPS} (got {transient + kept})")
    if n_h * kept > MAX_ORBIT_POINTS:
        raise ValueError(f"n_h * kept must be at most {MAX_ORBIT_POINTS} (got {n_h * kept})")
    if n_h * bins > MAX_IMAGE_CELLS:
        raise ValueError(f"n_h * bins must be at most {MAX_IMAGE_CELLS} (got {n_h * bins})")
    if x_range is not None:
        x_range = _pair("x_range", x_range)
        width = x_range[1] - x_range[0]
        if not (math.isfinite(width) and math.isfinite(bins / width)):
            raise ValueError(f"x_range {x_range} is too narrow or too wide to divide into "
                             f"{bins} bins")
    if isinstance(bound, bool) or not isinstance(bound, numbers.Real) or not bound > 0:
        raise ValueError(f"bound must be a positive number or inf (got {bound!r})")
    h = np.linspace(lo, hi, n_h)
    if not np.all(h[1:] > h[:-1]):
        raise ValueError(f"h_range {(lo, hi)} is too narrow to hold {n_h} distinct step sizes")

    rows, ok = _iterate(f, x0, h, transient, kept, float(bound), should_stop, progress)
    if should_stop is not None and should_stop():
        raise Cancelled
    diverged = ~ok
    if not ok.all():
        rows[:, diverged] = np.nan
    # Only bounded orbits enter the range and the image (a diverged column stays blank).
    finite = rows if ok.all() else rows[:, ok]
    if x_range is None:
        x_range = _auto_x_range(finite, x0)
    if ok.all():
        density = _density(rows, x_range, bins)
    else:
        density = np.zeros((n_h, bins), dtype=np.float32)
        if finite.size:
            density[ok] = _density(finite, x_range, bins)
    if progress is not None:
        progress(1.0)
    # orbits is a transposed view: step-major rows made each stored iterate one contiguous
    # write; a row-major copy would add ~0.3 ms and 3 MB that no caller needs.
    return OrbitDiagram(h=h, orbits=rows.T, diverged=diverged, x_range=x_range, density=density,
                        x0=x0, transient=transient, seconds=time.perf_counter() - started)


def _iterate(f: Callable[[np.ndarray], np.ndarray], x0: float, h: np.ndarray, transient: int,
             kept: int, bound: float, should_stop: Callable[[], bool] | None,
             progress: Callable[[float], None] | None) -> tuple[np.ndarray, np.ndarray]:
    """rows[k] = x_{transient + k} for all h, shape (kept, n_h); ok = never seen diverging."""
    n_h = h.size
    steps = transient + kept - 1                 # x_1 ... x_{transient + kept - 1}
    rows = np.empty((kept, n_h), dtype=np.float64)
    work = np.full(n_h, x0)                      # the transient overwrites one vector in place
    if transient == 0:
        rows[0] = x0
    x = work if transient else rows[0]
    step = np.empty(n_h)
    # Divergence bookkeeping, nearly free: non-finite values are absorbing (inf + anything is
    # inf or NaN), so NaN/inf just propagate and a look every CHECK_EVERY steps plus one at the
    # end finds them; |x| > bound is only sampled at those checks, as in `euler`.
    ok = np.ones(n_h, dtype=bool)
    magnitude = np.empty(n_h)
    within = np.empty(n_h, dtype=bool)
    multiply, add = np.multiply, np.add
    with np.errstate(all="ignore"):
        for n in range(1, steps + 1):
            k = n - transient
            target = work if k < 0 else rows[k]
            multiply(h, f(x), out=step)
            add(x, step, out=target)
            x = target
            if n % CHECK_EVERY == 0:
                np.less_equal(np.abs(x, out=magnitude), bound, out=within)   # NaN: False
                np.logical_and(ok, within, out=ok)
                if should_stop is not None and should_stop():
                    raise Cancelled
                if progress is not None and n < steps:
                    progress(n / steps)
        np.less_equal(np.abs(x, out=magnitude), bound, out=within)
        np.logical_and(ok, within, out=ok)
    return rows, ok


def _auto_x_range(points: np.ndarray, x0: float) -> tuple[float, float]:
    """The attractor's extent, robust to a few wild points, padded and never zero-width.

    The rarest 0.5% of points at each end are set aside (percentiles of a strided sample of 8192
    points: 0.1 ms, where exact percentiles of 400k points take ~8 ms); the true extremes still
    count unless they lie more than RANGE_REACH of the central span beyond it. So the tips of a
    chaotic band stay in view, while an orbit caught mid-escape (|x| ~ 1e9, not yet past the
    bound) cannot squash the whole picture into one row of pixels.
    """
    if points.size == 0:
        return (x0 - 1.0, x0 + 1.0)       # everything diverged: frame the start
    flat = points.reshape(-1)
    low, high = float(flat.min()), float(flat.max())
    if flat.size > RANGE_SAMPLES:
        stride = -(-flat.size // RANGE_SAMPLES)
        while math.gcd(stride, points.shape[-1]) != 1:   # visit every column, not every k-th
            stride += 1
        flat = flat[::stride]
    with np.errstate(all="ignore"):          # values near float max (bound=inf) may overflow
        p_lo, p_hi = (float(v) for v in np.percentile(flat, RANGE_PERCENTILES))
    span = p_hi - p_lo
    low = max(low, p_lo - RANGE_REACH * span)
    high = min(high, p_hi + RANGE_REACH * span)
    # Orbits bounded only by bound=inf may reach float max: keep the width itself finite.
    low, high = max(low, -RANGE_LIMIT), min(high, RANGE_LIMIT)
    size = max(abs(low), abs(high), 1.0)
    if high - low > 1e-9 * size:
        pad = RANGE_PAD * (high - low)
    else:                                   # one point (a fixed point): centre it in a window
        low = high = 0.5 * (low + high)
        pad = RANGE_PAD * size
    lo, hi = low - pad, high + pad
    return (float(lo), float(hi))


def _density(points: np.ndarray, x_range: tuple[float, float], bins: int) -> np.ndarray:
    """Per-column histograms of finite points (kept, columns) -> float32 (columns, bins) in [0, 1].

    Bin indices are computed directly (a float32 offset, then one multiply cast straight to
    integers) and counted with one np.bincount over (column, bin) pairs: ~10x faster than
    np.histogram2d. Each column has bins + 2 slots, the outer two catching the points below and
    above x_range (dropped, so a clipped orbit does not paint the image's edge); bins are
    half-open, [lo, hi). Blocks of DENSITY_CHUNK_CELLS reuse cache-sized buffers: one pass over
    the full 2000 x 600 image with fresh arrays spent more time in page faults than arithmetic.

    Mapping: v = sqrt(count / column max). Per-column normalisation makes a fixed point (every
    kept point in one bin) and each point of a 2-cycle full ink, v = 1, so stable branches read
    as solid curves whatever their count. The square root keeps a chaotic band visible: its
    points spread over hundreds of bins with counts of 1 to 5, and a bin visited once shows at
    1/sqrt(5) = 0.45 instead of 0.2. log(1 + count) / log(1 + max) looks the same in that range
    (0.39 for 1 of 5) and gives rare points a higher floor, but float32 log1p has no SIMD loop in
    numpy: it cost 4 ms of a 6 ms image where sqrt costs 0.5.
    """
    kept, columns = points.shape
    lo, hi = x_range
    scale = bins / (hi - lo)
    origin = lo - 1.0 / scale              # (x - origin) * scale = slot 1 + bin number
    slots = bins + 2
    out = np.empty((columns, bins), dtype=np.float32)
    chunk = max(1, min(columns, DENSITY_CHUNK_CELLS // slots))
    shifted = np.empty((kept, chunk), dtype=np.float32)   # float32: 1e-4 of a bin at worst
    index = np.empty((kept, chunk), dtype=np.intp)
    offsets = np.arange(chunk, dtype=np.intp) * slots
    with np.errstate(all="ignore"):        # far outliers overflow float32: inf, then clipped
        for start in range(0, columns, chunk):
            block = points[:, start:start + chunk]
            width = block.shape[1]
            u, i = shifted[:, :width], index[:, :width]
            np.subtract(block, origin, out=u)
            # Truncation toward 0 of [0, 1) -> 0: below the range; of huge/inf -> clipped away.
            np.multiply(u, np.float32(scale), out=i, casting="unsafe")
            np.clip(i, 0, bins + 1, out=i)
            i += offsets[:width]
            counts = np.bincount(i.reshape(-1), minlength=width * slots)
            counts = counts.reshape(width, slots)[:, 1:bins + 1]
            values = out[start:start + width]
            np.sqrt(counts, out=values, dtype=np.float32)
            peak = values.max(axis=1)
            peak[peak == 0] = 1.0          # a column wholly outside x_range stays blank
            values /= peak[:, None]        # x / x is exactly 1: the maximum is 1.0
    return out


def period_of(orbit: np.ndarray | Sequence[float], rel_tol: float = 1e-6,
              max_period: int = 64) -> int | None:
    """The smallest p such that the orbit repeats with period p to within rel_tol, or None.

    1 is a fixed point, 2 a 2-cycle... None for chaos, divergence (any non-finite value), or no
    period up to max_period that repeats at least once within the orbit (p <= len / 2).

    "Repeats" is strict: every x_n within the tail's last whole periods lies within
    tol = rel_tol * max(max|x|, 1) of every x_{n + m p}, for all m, not only for m = 1. A slow
    oscillating approach to a fixed point (multiplier near -1, at a period doubling) moves
    x_{n+2} - x_n by a little each period; comparing across the whole tail adds those moves up,
    so at h = 2 for the logistic an orbit still 0.005 from 1 after 20000 steps is None, not
    period 2. Near a bifurcation give orbits a long transient all the same. The tolerance never
    falls below rel_tol itself, so an orbit settling on 0 counts as a fixed point.
    """
    x = np.asarray(orbit, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"orbit must be one-dimensional (got shape {x.shape})")
    if not (math.isfinite(rel_tol) and rel_tol >= 0):
        raise ValueError(f"rel_tol must be a finite number >= 0 (got {rel_tol!r})")
    max_period = _count("max_period", max_period, 1, None)
    n = x.size
    if n < 2 or not np.all(np.isfinite(x)):
        return None
    tol = rel_tol * max(float(np.max(np.abs(x))), 1.0)
    last = float(x[-1])
    for p in range(1, min(max_period, n // 2) + 1):
        if abs(last - float(x[-1 - p])) > tol:       # cheap rejection: chaos fails here at once
            continue
        whole = (n // p) * p
        cycles = x[n - whole:].reshape(-1, p)         # one row per period, the tail's end aligned
        if float(np.max(cycles.max(axis=0) - cycles.min(axis=0))) <= tol:
            return p
    return None


def orbit_csv(diagram: OrbitDiagram) -> str:
    """CSV text: header `h,k,x`, one row per finite kept point x_n, n = transient + k.

    Numbers are repr(float): the shortest text that parses back to the same double. Diverged
    step sizes have no rows.
    """
    lines = ["h,k,x"]
    for i in np.flatnonzero(~diagram.diverged):
        row = diagram.orbits[i]
        h = repr(float(diagram.h[i]))
        ks = np.flatnonzero(np.isfinite(row)).tolist()
        lines.extend([f"{h},{k},{x!r}" for k, x in zip(ks, row[ks].tolist())])
    return "\n".join(lines) + "\n"


def write_orbit_csv(diagram: OrbitDiagram, path: str | os.PathLike[str]) -> None:
    """Write orbit_csv(diagram) to path atomically: readers see the old file or the whole new one."""
    atomic_write_text(path, orbit_csv(diagram))


# ----------------------------------------------------------------------------- validation
def _finite_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number (got {value!r})")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite (got {value!r})")
    return result


def _pair(name: str, value: object) -> tuple[float, float]:
    try:
        lo, hi = value                       # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (lo, hi) of finite numbers "
                         f"(got {value!r})") from None
    lo, hi = _finite_float(f"{name}[0]", lo), _finite_float(f"{name}[1]", hi)
    if not lo < hi:
        raise ValueError(f"{name} must have lo < hi (got {(lo, hi)})")
    return lo, hi


def _count(name: str, value: object, lo: int, hi: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer (got {value!r})")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        bounds = f"at least {lo}" if hi is None else f"between {lo} and {hi}"
        raise ValueError(f"{name} must be {bounds} (got {value})")
    return value
