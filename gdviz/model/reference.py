"""The reference solution x(t) of x' = f(x), drawn under the Euler iterates.

Two paths, vectorised over a bundle of starts x0:

* exact: f a polynomial of degree <= 2 (after the parameters are substituted) has a closed form
  that we write out ourselves (sympy's dsolve is far too slow for a slider, and hangs on sin):
  x0 + r t; the exponential; and the three constant-coefficient Riccati cases -- two real roots
  (the logistic sigmoid family), a double root (1/(c - t), finite-time blow-up) and complex
  roots (tan, blow-up at its pole).
* numeric: spectral collocation on adaptive windows. On each window the solution is the
  polynomial through 33 Chebyshev-Lobatto nodes solving X = x_s + (H/2)·Q·f(X), Q integrating
  the interpolant of f(X) (Lobatto IIIA collocation, A-stable), found by a frozen-Jacobian
  Newton iteration (plain Picard where |H f'| is small). One iteration is one f call on all
  starts x all nodes, so the Python overhead per unit of time is a few dozen numpy calls, where
  an explicit Runge-Kutta method needs hundreds for the same 1e-10 accuracy; the polynomial
  also gives the output points inside a window. Windows adapt per start: the Chebyshev tail
  says whether x(t) is resolved, and the spread of f' over the window bounds the iterations.
  A start that runs outwards well beyond the other starts is finished with the time map
  t(x) = ∫dx/f instead, which reaches a blow-up in one step where windows would crawl.

Curves end (NaN afterwards) where |x| passes a large bound or where f stops being finite; a
finite-time blow-up is reported in `blowup_t` and in `note`. Never an exception, never a numpy
warning, and a bounded amount of work.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp
from numpy.polynomial import chebyshev as cheb

from .expressions import Expression
from .problem import FlowProblem

BOUND = 1e8                 # |x| beyond max(BOUND, 1e3·max|x0|) ends a curve
SUPERLINEAR = 1.0 + 1e-3    # local growth exponent x f'/f above this at the end means blow-up
# A blow-up this close after t_end (relative to max(1, t_end)) is at t_end: time is resolved to a
# few ulps only, and x' = x³ from 0.5 over [0, 2] ends at x ≈ 1.5e7 with 2e-15 left to infinity.
AT_END = 1e-12

# Chebyshev-Picard windows.
DEGREE = 32                 # nodes per window = DEGREE + 1
MAX_ITERATIONS = 60         # Picard iterations per window before it is rejected
CHECK_EVERY = 3             # iterations between convergence checks
GIVE_UP_AFTER = 12          # from here on, a correction that does not halve per check fails
LIPSCHITZ_H = 4.0           # windows are capped at LIPSCHITZ_H / (spread of f' on the window)
PRECONDITION_MIN = 0.05     # |h f'/2| below this: plain Picard iteration
PRECONDITION_STEP = 1.25    # tabulated preconditioners: |h f'/2| on a ladder of this ratio
CONVERGED = 1e-12           # correction below this (relative to max(1, |x|)): converged
RESOLVED = 1e-12            # Chebyshev tail of f(x(t)) times H/2 below this: resolved
MAX_F_CALLS = 3000          # work budget (~0.1-0.25 s): a stiff f gets a shorter curve, not a hang
H_MIN_REL = 1e-13           # windows shorter than this times max(1, t_end): cannot continue
ESCAPE_AT = 2.0             # beyond ESCAPE_AT·(1 + max|x0|), moving outwards: try the time map
ESCAPE_PANEL = 1.0          # Chebyshev panels of the time map span one e-fold of |x| ...
ESCAPE_LEVELS = 14          # ... and are halved at most this often where f wiggles
ESCAPE_MAX_PANELS = 512


# How a curve ended before t_end, other than by a blow-up (codes in an int8 array per start).
# SLID: the curve reached a stable jump of f (a kink of F, F = |x| at 0) in finite time and stays.
RAN, ESCAPED, UNDEFINED, CUT_SHORT, SLID = 0, 1, 2, 3, 4


@dataclass(frozen=True, eq=False)
class Reference:
    """Solutions x(t) from each start: `x[i]` belongs to x0[i]; NaN where the curve has ended."""

    t: np.ndarray           # (n_points,) from 0 to t_end
    x: np.ndarray           # (len(x0), n_points)
    blowup_t: np.ndarray    # (len(x0),) finite-time blow-up time, NaN if none on [0, t_end]
    exact: bool             # closed form (True) or numerical integration (False)
    formula: str | None     # closed form, e.g. "x(t) = 1/(c·exp(−t) + 1),  c = (1 − x₀)/x₀"
    note: str               # e.g. "x(t) blows up at t = 1", or ""


def reference_solution(problem: FlowProblem, x0: float | np.ndarray, t_end: float,
                       n_points: int = 400) -> Reference:
    """x(t) on n_points equally spaced times in [0, t_end] for every start in x0."""
    starts = np.atleast_1d(np.asarray(x0, dtype=np.float64)).ravel()
    t_end = float(t_end)
    if not math.isfinite(t_end) or t_end < 0:
        raise ValueError("t_end must be a finite number >= 0")
    n_points = max(int(n_points), 2)
    t = np.linspace(0.0, t_end, n_points)
    bound = max(BOUND, 1e3 * float(np.max(np.abs(starts[np.isfinite(starts)]), initial=0.0)))

    closed = _closed_form(problem)
    with np.errstate(all="ignore"):
        if closed is not None:
            x, blowup = closed.evaluate(starts, t)
            x, ended = _end_curves(x, bound)
            endings = np.where(ended & np.isnan(blowup), ESCAPED, RAN).astype(np.int8)
            return Reference(t, x, blowup, True, closed.formula, _note(blowup, endings, bound, exact=True))
        x, blowup, endings = _picard(problem, starts, t, bound)
        _blowup_at_end(problem, x, t_end, blowup, endings)
        x[blowup[:, None] <= t[None, :]] = np.nan           # no value at or after a blow-up
    return Reference(t, x, blowup, False, None, _note(blowup, endings, bound, exact=False))


# ------------------------------------------------------------------------------ closed forms
@dataclass(frozen=True)
class _ClosedForm:
    """x(t) for f = p x² + q x + r (floats), classified exactly; evaluate() is pure numpy."""

    case: str               # "constant", "linear", "two roots", "double root", "complex roots"
    p: float
    q: float
    r: float
    roots: tuple[float, ...]
    formula: str

    def evaluate(self, x0: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(x of shape (len(x0), len(t)), blow-up times): NaN from the blow-up on."""
        X0, T = x0[:, None], t[None, :]
        blowup = np.full(x0.shape, np.nan)
        p, q, r = self.p, self.q, self.r
        if self.case == "constant":
            x = X0 + r * T
        elif self.case == "linear":
            xs = -r / q
            x = np.where(xs == X0, xs, xs + (X0 - xs) * np.exp(q * T))
        elif self.case == "two roots":
            x, blowup = self._two_roots(x0, t)
        elif self.case == "double root":
            (root,) = self.roots
            d = x0 - root                                    # 1/(x - root) = 1/d - p t
            blowup = np.where(p * d > 0, 1.0 / (p * d), np.nan)
            x = root + d[:, None] / (1.0 - p * d[:, None] * T)
        else:                                                # p((x - alpha)² + beta²)
            alpha, beta = self.roots
            theta0 = np.arctan((x0 - alpha) / beta)
            edge = math.copysign(math.pi / 2, p)             # tan's pole that p moves towards
            blowup = (edge - theta0) / (p * beta)
            x = alpha + beta * np.tan(p * beta * T + theta0[:, None])
        blowup = np.where((blowup > 0) & (blowup <= t[-1]), blowup, np.nan)
        x = np.where(blowup[:, None] <= T, np.nan, x)        # comparisons with NaN are False
        return x, blowup

    def _two_roots(self, x0: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """f = p(x - r1)(x - r2), r1 < r2: (x - r2)/(x - r1) = (w/u)·e^{λt}, λ = p(r2 - r1)."""
        r1, r2 = self.roots
        lam = self.p * (r2 - r1)
        u, w = (x0 - r1)[:, None], (x0 - r2)[:, None]
        g = np.exp(-abs(lam) * t)[None, :]                   # written with e^{-|λ|t} <= 1: no overflow
        if lam > 0:
            x = (r2 * u * g - r1 * w) / (u * g - w)
            ratio = w / u                                    # the denominator vanishes at g = w/u
        else:
            x = (r2 * u - r1 * w * g) / (u - w * g)
            ratio = u / w
        ratio = ratio[:, 0]
        blowup = np.where((ratio > 0) & (ratio < 1), -np.log(ratio) / abs(lam), np.nan)
        return x, blowup


_closed_cache: weakref.WeakKeyDictionary[FlowProblem, _ClosedForm | None] = weakref.WeakKeyDictionary()


def _closed_form(problem: FlowProblem) -> _ClosedForm | None:
    """The closed form for f of degree <= 2, cached per problem (the sympy work is per equation)."""
    if problem not in _closed_cache:
        _closed_cache[problem] = _build_closed_form(problem)
    return _closed_cache[problem]


def _build_closed_form(problem: FlowProblem) -> _ClosedForm | None:
    poly = problem.f_polynomial
    if poly is None or poly.degree() > 2:
        return None
    p, q, r = ([sp.Integer(0)] * 3 + list(poly.all_coeffs()))[-3:]
    t, c, x0 = sp.Symbol("t"), sp.Symbol("c"), sp.Symbol("x₀")
    pf, qf, rf = float(p), float(q), float(r)
    if p == 0 and q == 0:
        return _ClosedForm("constant", 0.0, 0.0, rf, (), _formula(x0 + r * t))
    if p == 0:
        xs = -r / q
        return _ClosedForm("linear", 0.0, qf, rf, (float(xs),), _formula(xs + (x0 - xs) * sp.exp(q * t)))
    disc = sp.expand(q ** 2 - 4 * p * r)
    sign = _exact_sign(disc)
    if sign > 0:
        r1, r2 = sorted(((-q - sp.sqrt(disc)) / (2 * p), (-q + sp.sqrt(disc)) / (2 * p)), key=float)
        mu = sp.simplify(p * (r1 - r2))
        expr = r1 + (r2 - r1) / (1 + c * sp.exp(-mu * t))
        return _ClosedForm("two roots", pf, qf, rf, (float(r1), float(r2)),
                           _formula(expr, c, sp.simplify((r2 - x0) / (x0 - r1))))
    if sign == 0:
        root = sp.simplify(-q / (2 * p))
        return _ClosedForm("double root", pf, qf, rf, (float(root),),
                           _formula(root + 1 / (c - p * t), c, 1 / (x0 - root)))
    alpha, beta = sp.simplify(-q / (2 * p)), sp.simplify(sp.sqrt(-disc) / (2 * abs(p)))
    return _ClosedForm("complex roots", pf, qf, rf, (float(alpha), float(beta)),
                       _formula(alpha + beta * sp.tan(p * beta * t + c), c, sp.atan((x0 - alpha) / beta)))


def _exact_sign(value: sp.Expr) -> int:
    """Sign of a real constant, exactly when sympy can decide it (it matters for D = 0)."""
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    v = float(sp.N(value, 30))
    return 0 if v == 0 else (1 if v > 0 else -1)


def _formula(expr: sp.Expr, constant: sp.Symbol | None = None, value: sp.Expr | None = None) -> str:
    text = "x(t) = " + Expression.from_sympy(expr, ("t",)).unicode
    if constant is not None and value is not None:
        text += f",  {constant} = " + Expression.from_sympy(value, ("t",)).unicode
    return text


# ----------------------------------------------------------------------- Chebyshev-Picard
def _chebyshev_operators(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lobatto nodes on [-1, 1], the matrix integrating the interpolant of nodal values from -1
    to each node, and the map nodal values -> last two Chebyshev coefficients (the tail)."""
    tau = -np.cos(np.pi * np.arange(n + 1) / n)
    to_coef = np.linalg.inv(cheb.chebvander(tau, n))                     # values -> coefficients
    integrate = np.column_stack([cheb.chebint(np.eye(n + 1)[k], lbnd=-1) for k in range(n + 1)])
    at_nodes = cheb.chebvander(tau, n + 1) @ integrate @ to_coef         # (n + 1, n + 1)
    return tau, at_nodes, to_coef[-2:]


_TAU, _Q, _TAIL = _chebyshev_operators(DEGREE)
_QT = np.ascontiguousarray(_Q.T)
_TAILT = np.ascontiguousarray(_TAIL.T)
_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(5)
# Window lengths in output intervals: a short ladder, so windows share interpolation matrices.
_LADDER = np.unique(np.concatenate([[1, 2, 3], np.round(2.0 ** np.arange(2, 16, 0.5))])).astype(np.int64)


@lru_cache(maxsize=128)
def _interpolation_matrix(m: int) -> np.ndarray:
    """(m, nodes) barycentric weights for the points -1 + 2j/m, j = 1..m: the output times of a
    window that spans m output intervals. X_nodes @ matrix.T gives the values there."""
    weights = (-1.0) ** np.arange(DEGREE + 1)
    weights[[0, -1]] *= 0.5
    tau = -1.0 + 2.0 * np.arange(1, m + 1) / m
    diff = tau[:, None] - _TAU[None, :]
    on_node = np.abs(diff) < 1e-14
    w = weights / np.where(on_node, 1.0, diff)
    w = np.where(on_node.any(axis=1, keepdims=True), on_node.astype(np.float64), w)
    return w / w.sum(axis=1, keepdims=True)


def _picard(problem: FlowProblem, x0: np.ndarray, t: np.ndarray,
            bound: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integrate every start over [0, t[-1]]: x, blow-up times and ending codes (see RAN...).

    Windows end on output times whenever they are at least one output interval long, so the
    output points inside a window sit at fixed positions and one small matrix product per window
    length writes them all. Shorter windows (near a singularity) end at the next output time at
    the latest, so they never have an output point inside.
    """
    n, n_t, t_end = len(x0), len(t), float(t[-1])
    x = np.full((n, n_t), np.nan)
    x[:, 0] = x0
    blowup = np.full(n, np.nan)
    endings = np.zeros(n, dtype=np.int8)
    rows = np.nonzero(np.isfinite(x0))[0]          # the starts still being integrated
    if t_end == 0.0 or rows.size == 0:
        x[:] = x0[:, None]                           # every output time is t = 0
        return x, blowup, endings
    outside = ~np.isfinite(problem.f_numeric(x0[rows]))
    endings[rows[outside]] = UNDEFINED               # log(x) from x0 < 0: nothing to follow
    rows = rows[~outside]
    k = np.zeros(rows.size, dtype=np.int64)         # last output index at or before each start
    ts, xs = np.zeros(rows.size), x0[rows].copy()    # each start's window begins at (ts, xs)
    h = _initial_window(problem, xs, t_end)
    was_rejected = np.zeros(rows.size, dtype=bool)
    h_min = H_MIN_REL * max(1.0, t_end)
    # Try the time map once a start has run well beyond all starts, and again only after |x|
    # quadrupled since a failed try (f may change sign further out: a far equilibrium).
    next_try = np.full(rows.size, ESCAPE_AT * (1.0 + float(np.max(np.abs(x0[rows]), initial=0.0))))
    calls = 0
    while rows.size and calls < MAX_F_CALLS:
        wanted = h
        t1, k1, aligned = _window_ends(t, k, ts, h)
        h = t1 - ts                                  # windows cut short at an output time
        X, fX, converged, J, used = _iterate(problem, xs, h)
        calls += used
        absX = np.abs(X)
        scale = np.maximum(1.0, np.max(absX, axis=1))
        tail = 0.5 * h * np.max(np.abs(fX @ _TAILT), axis=1)
        ok = converged & np.all(np.isfinite(X), axis=1) & (tail <= RESOLVED * scale)
        _write_output(x, rows, k, k1, X, ok & aligned, ok & ~aligned & (k1 > k))

        beyond = absX > bound                        # a curve passing the bound ends there
        done = ok & beyond.any(axis=1)
        if done.any():
            first = np.argmax(beyond[done], axis=1)
            t_cross = ts[done] + 0.5 * h[done] * (1.0 + _TAU[first])
            _finish(rows[done], t_cross, X[done, first], problem, t_end, blowup, endings, ESCAPED)

        # Rejected windows shrink; a start whose window cannot shrink further has met a point
        # where f is not finite, or a blow-up too steep for any window (x' = e^x from ~30 on).
        h_next = _next_window(problem, h, ok, was_rejected, tail, scale, X, J)
        # A window cut short by the output grid says little about the next one: keep the wish.
        h_next = np.where(ok & (h < wanted), np.maximum(h_next, wanted), h_next)
        stuck = ~ok & (h_next < h_min)
        if stuck.any():
            at = np.nonzero(stuck)[0]
            rest = at[~_stay_at_kinks(problem, x, rows[at], k[at], xs[at], endings)]
            _finish(rows[rest], ts[rest], xs[rest], problem, t_end, blowup, endings, UNDEFINED)

        ts, xs, k = np.where(ok, t1, ts), np.where(ok, X[:, -1], xs), np.where(ok, k1, k)
        h, was_rejected = h_next, ~ok
        # Far out and moving outwards: finish by the time map (cheap, and exact at a blow-up).
        outwards = ok & ~done & (k < n_t - 1) & (np.abs(xs) >= next_try) & (xs * fX[:, -1] > 0)
        if outwards.any():
            finished = _escape(problem, x, t, rows[outwards], k[outwards], ts[outwards], xs[outwards],
                               bound, blowup, endings)
            tried = np.nonzero(outwards)[0]
            done[tried[finished]] = True
            next_try[tried[~finished]] = 4.0 * np.abs(xs[tried[~finished]])
        keep = ~done & ~stuck & (k < n_t - 1)
        rows, k, ts, xs, h, was_rejected, next_try = (
            a[keep] for a in (rows, k, ts, xs, h, was_rejected, next_try))
    if rows.size:                                    # over budget: a shorter curve, never a hang,
        slid = _stay_at_kinks(problem, x, rows, k, xs, endings)     # unless it is stuck at a kink
        endings[rows[~slid]] = CUT_SHORT
    x, _ = _end_curves(x, bound)
    return x, blowup, endings


def _window_ends(t: np.ndarray, k: np.ndarray, ts: np.ndarray,
                 h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each window ends: (time, last output index covered, aligned?).

    From an output time, a window at least one output interval long spans a ladder number of
    intervals (so windows share interpolation matrices); otherwise it ends at ts + h or at the
    next output time, whichever comes first.
    """
    last = len(t) - 1
    step = t[k + 1] - t[k]
    rung = np.maximum(np.searchsorted(_LADDER, h / step, side="right") - 1, 0)
    spans = np.minimum(_LADDER[rung], last - k)
    aligned = (ts == t[k]) & (h >= step)
    t1 = np.where(aligned, t[k + spans], np.minimum(ts + h, t[k + 1]))
    k1 = np.where(aligned, k + spans, np.where(t1 == t[k + 1], k + 1, k))
    return t1, k1, aligned


def _stay_at_kinks(problem: FlowProblem, x: np.ndarray, rows: np.ndarray, k: np.ndarray, xs: np.ndarray,
                   endings: np.ndarray) -> np.ndarray:
    """Curves stuck at a stable jump of f stay there from then on (in place); returns which did.

    Descent on F = |x| runs x' = -sign(x): x reaches 0 at t = |x0| and stays (both sides push
    back), a solution in Filippov's sense. The integrator, which needs f smooth, stops there.
    """
    slid = np.zeros(rows.size, dtype=bool)
    for i in range(rows.size):                 # a few rows at most: those stuck in this window
        kink = problem.kink_at(float(xs[i]))
        if kink is not None:
            x[rows[i], k[i] + 1:] = kink.x
            endings[rows[i]] = SLID
            slid[i] = True
    return slid


def _escape(problem: FlowProblem, x: np.ndarray, t: np.ndarray, rows: np.ndarray, k: np.ndarray,
            ts: np.ndarray, xs: np.ndarray, bound: float, blowup: np.ndarray,
            endings: np.ndarray) -> np.ndarray:
    """Finish curves that run outwards from (ts, xs) by the time map instead of by windows.

    Moving monotonically away, x(t) is the inverse of t(x) = ts + ∫ dξ/f(ξ); see _time_map.
    Returns the mask of rows finished; the others (f changes sign or is not finite further out,
    or the map cannot be resolved cheaply) go on with windows.
    """
    t_end = float(t[-1])
    finished = np.zeros(rows.size, dtype=bool)
    for i in range(rows.size):                # a few rows at most; each is vectorised inside
        m = _time_map(problem, xs[i], math.log(bound / abs(xs[i])), t_end - ts[i], 1e-12 * max(1.0, t_end))
        if m is None:
            continue
        S, T, G = m
        finished[i] = True
        ks = np.arange(k[i] + 1, len(t))
        target = t[ks] - ts[i]
        ks, target = ks[target <= T[-1]], target[target <= T[-1]]
        x[rows[i], ks] = xs[i] * np.exp(_invert_time_map(problem, xs[i], S, T, G, target))
        reach = ts[i] + T[-1]
        if reach > _by(t_end):
            continue                                # still finite at t_end: nothing ended
        # Beyond the bound dt/ds ~ g·e^{-(p-1)(s - s_max)} for x' ~ x^p: the time still left to
        # infinity is g/(p - 1), finite only for superlinear growth (or 0 if f overflowed).
        with np.errstate(divide="ignore", invalid="ignore"):
            decay = math.log(G[-2] / G[-1]) / (S[-1] - S[-2]) if G[-1] > 0 else math.inf
        left = 0.0 if G[-1] == 0 else G[-1] / decay
        if decay > SUPERLINEAR - 1.0 and reach + left <= _by(t_end):
            blowup[rows[i]] = min(reach + left, t_end)
        else:
            endings[rows[i]] = ESCAPED
    return finished


def _time_map(problem: FlowProblem, xs: float, s_max: float, horizon: float,
              tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Nodes s, t(s) - ts and dt/ds of the time map from xs outwards to |x| = xs·e^{s_max}.

    In s = ln(x/xs) the integrand dt/ds = |x|/|f(x)| is smooth and decays for every
    superlinear f. Chebyshev panels one e-fold wide are halved where their tail says the time
    is not accurate to `tol` (f = x² - sin x wiggles at every x, but less and less), level by
    level, one f call per level. None if f changes sign or is not finite on the way, or if the
    bound is far beyond the horizon (x' = e^{sin x} only drifts: windows do that well, and its
    time map wiggles at every scale).
    """
    sigma = math.copysign(1.0, xs)
    edges = np.linspace(0.0, s_max, max(1, math.ceil(s_max / ESCAPE_PANEL)) + 1)
    a, b = edges[:-1], edges[1:]
    done_a, done_b, done_g = [], [], []
    for _ in range(ESCAPE_LEVELS):
        half = 0.5 * (b - a)
        s = (a + half)[:, None] + half[:, None] * _TAU
        xn = xs * np.exp(s)
        g = np.abs(xn) / (sigma * problem.f_numeric(xn))          # dt/ds, >= 0 if outwards
        # g = 0 where f overflows to ±inf (x' = e^x): no time passes there, which is right.
        if not np.all(np.isfinite(g) & (g >= 0)):
            return None
        if a.size == edges.size - 1 and np.sum(half * (g @ _Q[-1])) > 2.0 * horizon:
            return None                             # (a rough total from the first level)
        good = half * np.max(np.abs(g @ _TAILT), axis=1) <= tol
        done_a.append(a[good]), done_b.append(b[good]), done_g.append(g[good])
        if good.all():
            break
        mid = 0.5 * (a + b)[~good]
        a, b = np.concatenate([a[~good], mid]), np.concatenate([mid, b[~good]])
        if a.size > ESCAPE_MAX_PANELS:
            return None
    else:
        return None
    a, b, g = np.concatenate(done_a), np.concatenate(done_b), np.concatenate(done_g)
    order = np.argsort(a)
    a, b, g = a[order], b[order], g[order]
    if g[0, 0] <= 0:
        return None                                 # not moving outwards after all
    half = 0.5 * (b - a)
    elapsed = half[:, None] * (g @ _QT)                              # from each panel's start
    starts = np.concatenate([[0.0], np.cumsum(elapsed[:-1, -1])])
    S = ((a + half)[:, None] + half[:, None] * _TAU).ravel()
    return S, (starts[:, None] + elapsed).ravel(), g.ravel()


def _invert_time_map(problem: FlowProblem, xs: float, S: np.ndarray, T: np.ndarray, G: np.ndarray,
                     target: np.ndarray) -> np.ndarray:
    """s with T(s) = target: cubic Hermite between nodes (error ~1e-8 relative), then one Newton
    step with T(s) - T_j by 5-point Gauss-Legendre, which squares that error away."""
    sigma = math.copysign(1.0, xs)
    j = np.clip(np.searchsorted(T, target, side="right") - 1, 0, len(T) - 2)
    s_k = _hermite_inverse(T, S, G, j, target)
    mid, half = 0.5 * (s_k + S[j]), 0.5 * (s_k - S[j])
    xg = xs * np.exp(mid[:, None] + half[:, None] * _GAUSS_X)
    t_k = T[j] + half * ((np.abs(xg) / (sigma * problem.f_numeric(xg))) @ _GAUSS_W)
    x_k = xs * np.exp(s_k)
    polished = s_k - (t_k - target) * (sigma * problem.f_numeric(x_k)) / np.abs(x_k)
    return np.where(np.isfinite(polished), polished, s_k)


def _hermite_inverse(T: np.ndarray, S: np.ndarray, G: np.ndarray, j: np.ndarray,
                     target: np.ndarray) -> np.ndarray:
    """s with T(s) = target, from the cubic Hermite interpolant of s(T) between nodes j and j+1
    (dS/dT = 1/G at both): fourth order in the node spacing, which is at most ~0.05 in s."""
    t0, t1 = T[j], T[j + 1]
    d = t1 - t0
    u = np.where(d > 0, (target - t0) / np.where(d > 0, d, 1.0), 0.0)
    h00, h10 = (1 + 2 * u) * (1 - u) ** 2, u * (1 - u) ** 2
    h01, h11 = u ** 2 * (3 - 2 * u), u ** 2 * (u - 1)
    return h00 * S[j] + h10 * d / G[j] + h01 * S[j + 1] + h11 * d / G[j + 1]


def _write_output(x: np.ndarray, rows: np.ndarray, k0: np.ndarray, k1: np.ndarray, X: np.ndarray,
                  aligned: np.ndarray, short: np.ndarray) -> None:
    """Output values of accepted windows: matrix products for aligned ones (grouped by span),
    the window's end value for short windows that reach an output time."""
    for m in np.unique(k1[aligned] - k0[aligned]):
        sel = np.nonzero(aligned & (k1 - k0 == m))[0]
        columns = k0[sel][:, None] + np.arange(1, m + 1)
        x[rows[sel][:, None], columns] = X[sel] @ _interpolation_matrix(int(m)).T
    x[rows[short], k1[short]] = X[short, -1]


def _initial_window(problem: FlowProblem, xs: np.ndarray, t_end: float) -> np.ndarray:
    """A window the Picard iteration handles in a few dozen steps: |f'|·h about LIPSCHITZ_H."""
    rate = np.abs(problem.fprime_numeric(xs)) + np.abs(problem.f_numeric(xs)) / (1.0 + np.abs(xs))
    h = LIPSCHITZ_H / np.where(np.isfinite(rate) & (rate > 0), rate, LIPSCHITZ_H / t_end)
    return np.minimum(h, t_end)


def _iterate(problem: FlowProblem, xs: np.ndarray,
             h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Solve the collocation equations X = xs + (h/2)·Q f(X) on every window at once.

    Simplified Newton: the residual is corrected through (I - (h/2)·J·Q)^-1, J = f'(xs) frozen
    per window. With J = 0 this is plain Picard iteration, which needs |f'|·h small; with J it
    converges in a few steps whenever f' varies little over the window -- in particular at a
    stiff stable equilibrium (|f'(x*)| large), where Picard would crawl with tiny windows.
    Returns the nodal values X, the f values that produced the last correction, which rows
    converged, J, and the number of f calls. Convergence is checked every CHECK_EVERY
    iterations; a row whose correction stopped shrinking is given up early.
    """
    f = problem.f_numeric
    half, base = (0.5 * h)[:, None], xs[:, None]
    J = problem.fprime_numeric(xs)
    J = np.where(np.isfinite(J), J, 0.0)
    precondition = np.stack([_preconditioner(key) for key in _quantise(0.5 * h * J)])
    X = base + half * (1.0 + _TAU) * f(xs)[:, None]               # first guess: one Euler step
    tol = CONVERGED * np.maximum(1.0, np.max(np.abs(X), axis=1))
    converged = np.zeros(xs.shape, dtype=bool)
    hopeless = np.zeros(xs.shape, dtype=bool)
    previous = np.full(xs.shape, np.inf)
    for k in range(1, MAX_ITERATIONS + 1):
        fX = f(X)
        correction = (precondition @ (base + half * (fX @ _QT) - X)[:, :, None])[:, :, 0]
        X = X + correction
        if k % CHECK_EVERY == 0:
            delta = np.max(np.abs(correction), axis=1)
            converged |= delta <= tol
            stalled = ~(delta < np.inf) | ((k >= GIVE_UP_AFTER) & (delta >= 0.5 * previous))
            hopeless |= ~converged & stalled
            previous = delta
            if np.all(converged | hopeless):
                return X, fX, converged & ~hopeless, J, k + 1
    return X, fX, converged & ~hopeless, J, MAX_ITERATIONS + 1


def _quantise(c: np.ndarray) -> list[int]:
    """Keys of the tabulated preconditioners nearest to (I - c·Q)^-1: 0 for |c| small (plain
    Picard), else ±(1 + the step of |c| on a ladder of ratio PRECONDITION_STEP)."""
    mag = np.abs(np.where(np.isfinite(c), c, 0.0))
    rung = np.round(np.log(np.maximum(mag / PRECONDITION_MIN, 1.0)) / math.log(PRECONDITION_STEP))
    return [int(k) for k in np.where(mag < PRECONDITION_MIN, 0, np.sign(c) * (1 + rung))]


@lru_cache(maxsize=1024)
def _preconditioner(key: int) -> np.ndarray:
    """(I - c·Q)^-1 for the c the key stands for. Inverting per window would cost ~0.4 ms for a
    bundle; a nearby c does as well (the iteration contracts by about the relative error in c)."""
    if key == 0:
        return np.eye(DEGREE + 1)
    c = math.copysign(PRECONDITION_MIN * PRECONDITION_STEP ** (abs(key) - 1), key)
    try:
        return np.linalg.inv(np.eye(DEGREE + 1) - c * _Q)
    except np.linalg.LinAlgError:                  # c hit 1/eigenvalue of Q: plain Picard
        return np.eye(DEGREE + 1)


def _next_window(problem: FlowProblem, h: np.ndarray, ok: np.ndarray, was_rejected: np.ndarray,
                 tail: np.ndarray, scale: np.ndarray, X: np.ndarray, J: np.ndarray) -> np.ndarray:
    """Next window per start: from the Chebyshev tail (resolution) and from how much f' varies
    on the window (the frozen-Jacobian iteration needs a few dozen steps when that variation
    times h is about LIPSCHITZ_H)."""
    ratio = RESOLVED * scale / np.maximum(tail, 1e-300)
    factor = np.clip(0.9 * ratio ** (1.0 / 12.0), 0.2, 3.0)
    factor = np.where(np.isfinite(factor), factor, 0.25)
    # No growth right after a rejection (the usual guard against accept/reject cycles).
    factor = np.where(ok, np.where(was_rejected, np.minimum(factor, 1.0), factor), np.minimum(factor, 0.5))
    h_next = h * factor
    if ok.any():
        spread = np.max(np.abs(problem.fprime_numeric(X[ok]) - J[ok, None]), axis=1)
        cap = np.where(np.isfinite(spread) & (spread > 0), LIPSCHITZ_H / spread, np.inf)
        h_next[ok] = np.minimum(h_next[ok], np.maximum(cap, 0.5 * h[ok]))
    return h_next


def _finish(rows: np.ndarray, t_last: np.ndarray, x_last: np.ndarray, problem: FlowProblem,
            t_end: float, blowup: np.ndarray, endings: np.ndarray, otherwise: int) -> None:
    """Record how curves ended at (t_last, x_last): a blow-up where x runs off superlinearly,
    else the `otherwise` code.

    For x' ~ x^p the time left from x to infinity is x / ((p - 1) f(x)), with p = x f'(x)/f(x)
    the local growth exponent; p <= 1 (exponential growth or slower) never gets there.
    """
    fx, fpx = problem.f_numeric(x_last), problem.fprime_numeric(x_last)
    p = x_last * fpx / fx
    runs_off = (x_last * fx > 0) & (p > SUPERLINEAR)
    when = t_last + np.where(runs_off, x_last / ((p - 1.0) * fx), np.nan)
    blew = runs_off & (when <= _by(t_end))
    blowup[rows[blew]] = np.minimum(when[blew], t_end)
    endings[rows[~blew]] = otherwise


def _by(t_end: float) -> float:
    """The latest time a blow-up still counts as happening by t_end (see AT_END)."""
    return t_end + AT_END * max(1.0, t_end)


def _blowup_at_end(problem: FlowProblem, x: np.ndarray, t_end: float, blowup: np.ndarray,
                   endings: np.ndarray) -> None:
    """Curves that reach t_end still finite but running off superlinearly with no time left
    (x' = x³ from 0.5 over [0, 2], x' = e^x from 0 over [0, 1]) blow up at t_end: in place."""
    if t_end <= 0:
        return
    rows = np.nonzero(np.isnan(blowup) & (endings == RAN) & np.isfinite(x[:, -1]))[0]
    if rows.size == 0:
        return
    _finish(rows, np.full(rows.size, t_end), x[rows, -1], problem, t_end, blowup, endings.copy(), RAN)


def _end_curves(x: np.ndarray, bound: float) -> tuple[np.ndarray, np.ndarray]:
    """NaN from the first time a curve passes the bound or stops being finite; which ended."""
    ended = np.logical_or.accumulate(~(np.abs(x) <= bound), axis=1)
    return np.where(ended, np.nan, x), ended[:, -1]


def _note(blowup: np.ndarray, endings: np.ndarray, bound: float, exact: bool) -> str:
    """One plain sentence per way curves ended, for the status bar."""
    n = len(blowup)
    parts = []
    blew = np.isfinite(blowup)
    if blew.any():
        first = float(np.min(blowup[blew]))
        when = f"at t = {first:.4g}" if exact else f"near t ≈ {first:.4g}"
        parts.append(f"x(t) blows up {when}" if n == 1 else
                     f"{int(blew.sum())} of {n} solutions blow up in finite time (the first {when})")
    messages = {
        ESCAPED: ("x(t) grows without bound (the curve ends where |x| passes {bound:.0e})",
                  "{k} of {n} solutions grow without bound"),
        UNDEFINED: ("x(t) reaches a point where f is not defined; the curve stops there",
                    "{k} of {n} solutions reach a point where f is not defined"),
        CUT_SHORT: ("x(t) changes too fast to follow here; the curve is cut short",
                    "{k} of {n} solutions change too fast to follow; their curves are cut short"),
        SLID: ("x(t) reaches the kink of F in finite time and stays there",
               "{k} of {n} solutions reach a kink of F in finite time and stay there"),
    }
    for code, (one, many) in messages.items():
        k = int(np.sum(endings == code))
        if k:
            parts.append((one if n == 1 else many).format(k=k, n=n, bound=bound))
    return "; ".join(parts)
