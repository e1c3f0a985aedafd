"""The gradient-flow problem: F, f = ±F', equilibria, their stability and Euler's step thresholds.

Sign conventions, used everywhere below: f = s·F' with s = +1 for ascent and -1 for descent, so
F' = s·f and F'' = s·f' whichever of F or f the user typed.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from types import MappingProxyType

import numpy as np
import sympy as sp

from .expressions import Expression, parse

DEFAULT_PARAMETER = 1.0     # value of a free parameter the caller did not bind
_FLOAT64 = np.dtype(np.float64)

# Equilibrium search on non-polynomial f: samples, and how roots are accepted.
ROOT_GRID = 4001            # dense samples across [a, b]; ~1 ms for a typical f
MAX_POLY_DEGREE = 24        # beyond, numpy roots of expanded coefficients get unreliable: sample
POLE_SHRINK = 1e-3          # a sign change is a root only if bisection shrinks |f| this much...
ROOT_TOL = 1e-8             # ...or ends below ROOT_TOL * scale(f)
SPLIT_TOL = 4e-15           # a minimum of |f| that crosses zero by more than this is two roots
TOUCH_TOL = 1e-12           # a local minimum of |f| below TOUCH_TOL * scale(f) is a touching root
SLOPE_TOL = 1e-9            # |f'(x*)| below SLOPE_TOL * scale(f) / (b - a) counts as f'(x*) = 0
DEDUPE_REL = 1e-9           # roots closer than this fraction of b - a are one root
JUMP_GROWTH = 10.0          # a sign change whose |f| bisection leaves bounded (not > 10x) is a jump
JUMP_PROBE = 1e-9           # f is read this fraction of b - a either side of a root...
JUMP_TOL = 1e-4             # ...and if |f| there exceeds JUMP_TOL * scale(f) on both sides, f jumps
THRESHOLD_REL = 1e-12       # h within this relative distance of 1/|f'| or 2/|f'| is on the threshold
KINK_REACH = 1e-6           # x is at a kink if one lies this close (relative to max(1, |x|))

# Numerical antiderivative (when sympy finds no closed form for ∫f).
INTEGRAL_DX = 1.0 / 256     # lattice spacing (a power of two: nodes are exact binary numbers)
INTEGRAL_MAX_CELLS = 1 << 15


class Kind(str, enum.Enum):
    OBJECTIVE = "F"  # the user typed F(x); f = ±F'
    FIELD = "f"      # the user typed f(x) of x' = f(x); F = ±∫f


class Direction(str, enum.Enum):
    ASCENT = "ascent"    # maximise F: f = F'
    DESCENT = "descent"  # minimise F: f = -F'

    @property
    def sign(self) -> int:
        return 1 if self is Direction.ASCENT else -1


class Stability(str, enum.Enum):
    STABLE = "stable"
    UNSTABLE = "unstable"
    SEMI_STABLE = "semi-stable"


class Critical(str, enum.Enum):
    MAXIMUM = "local maximum"
    MINIMUM = "local minimum"
    NEITHER = "neither"


class Regime(str, enum.Enum):
    """What Euler's discrete map does near a stable equilibrium for a given h."""
    MONOTONE = "monotone convergence"        # 0 < h <= 1/|f'(x*)|
    OSCILLATING = "oscillating convergence"  # 1/|f'(x*)| < h < 2/|f'(x*)|
    BOUNDARY = "boundary of stability"       # h = 2/|f'(x*)|: the linear test decides nothing
    DIVERGENT = "divergence"                 # h > 2/|f'(x*)|
    BOUNCING = "bouncing around a kink"     # f jumps at x* (F has a kink): no h settles
    NOT_ATTRACTING = "no equilibrium attracts"


@dataclass(frozen=True)
class Equilibrium:
    """A root x* of f with its classification; thresholds are inf when f'(x*) = 0."""
    x: float
    stability: Stability
    critical: Critical          # the matching critical point of F
    slope: float                # f'(x*); exactly 0.0 at multiple roots
    multiplicity_even: bool     # f touches zero without changing sign (double root etc.)
    # Where f jumps across 0 (F = |x| has a kink, f = -sign(x)): f's values just left and right
    # of x*. Then there is no f'(x*) (slope is 0.0 and no threshold applies): the flow reaches x*
    # in finite time and stays, but Euler's fixed step overshoots it for every h.
    jump: tuple[float, float] | None = None
    # f = 0 on a whole interval (descent on F = |x| − x: every x >= 0): its ends; x is the end
    # the flow arrives at. Each point of it is an equilibrium.
    interval: tuple[float, float] | None = None

    def bounce(self, h: float) -> float:
        """How far from x* Euler's iterates keep bouncing at a jump: up to h·max|f(x*±)|."""
        return h * max(abs(v) for v in self.jump) if self.jump else 0.0

    @property
    def h_monotone(self) -> float:
        return math.inf if self.slope == 0 else 1.0 / abs(self.slope)

    @property
    def h_stable(self) -> float:
        return math.inf if self.slope == 0 else 2.0 / abs(self.slope)

    def regime(self, h: float) -> Regime:
        """Local behaviour of Euler's map x -> x + h f(x) near x*, from its multiplier 1 + h f'(x*).

        Boundaries, compared with a relative tolerance THRESHOLD_REL (0.5000000000000001 is 0.5):
        h = 1/|f'| (multiplier 0: a linear f lands on x* in one step) is MONOTONE; h = 2/|f'|
        (multiplier -1) is BOUNDARY: the higher-order terms decide (a linear f has a neutral 2-cycle,
        the logistic at h = 2 still converges, as 1/sqrt(n)). A stable
        equilibrium with f'(x*) = 0 (x' = -x³) has multiplier 1 for every h: iterates started
        close enough creep in monotonically (sublinearly), so it is MONOTONE for all h, although
        starts farther than about sqrt(2/h) away still overshoot -- that is a global question.
        A semi-stable x* (slope 0) attracts from one side only; from that side it is MONOTONE.
        Where f jumps across 0 (a kink of F) the step is never small enough: BOUNCING for all h.
        """
        if not h > 0:
            raise ValueError("the step size h must be positive")
        if self.stability is Stability.UNSTABLE:
            return Regime.NOT_ATTRACTING
        if self.jump is not None and self.stability is Stability.STABLE:
            return Regime.BOUNCING
        if h <= self.h_monotone or _on_threshold(h, self.h_monotone):
            return Regime.MONOTONE
        if _on_threshold(h, self.h_stable):
            return Regime.BOUNDARY
        if h < self.h_stable:
            return Regime.OSCILLATING
        return Regime.DIVERGENT


def _on_threshold(h: float, threshold: float) -> bool:
    return math.isfinite(threshold) and abs(h - threshold) <= THRESHOLD_REL * threshold


def critical_of(stability: Stability, slope: float, sign: int) -> Critical:
    """The critical point of F at x*: second-derivative test F'' = s·f', else the first-derivative one.

    When f'(x*) = 0 the sign pattern of F' = s·f on both sides decides; that pattern is what
    `stability` records (stable means f > 0 on the left and f < 0 on the right).
    """
    if slope != 0:
        return Critical.MAXIMUM if sign * slope < 0 else Critical.MINIMUM
    if stability is Stability.SEMI_STABLE:
        return Critical.NEITHER
    if (stability is Stability.STABLE) == (sign > 0):
        return Critical.MAXIMUM
    return Critical.MINIMUM


def _stability(left: float, right: float) -> Stability:
    """Classify from the signs of f just left and right of x*."""
    if left > 0 > right:
        return Stability.STABLE
    if left < 0 < right:
        return Stability.UNSTABLE
    return Stability.SEMI_STABLE


@dataclass(frozen=True, eq=False)
class FlowProblem:
    """F and f = ±F' as Expressions, with numeric callables bound to parameter values.

    `F` is None when the user typed f and sympy found no antiderivative; `F_numeric` then
    integrates f numerically (F is only defined up to a constant anyway).
    Instances are immutable and cache their lambdified callables and root analysis.
    """
    F: Expression | None          # objective, or None: F is computed numerically (see F_numeric)
    f: Expression                 # right-hand side of x' = f(x)
    direction: Direction
    kind: Kind
    params: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Bind every free parameter (missing ones default to 1.0) and drop unknown names, so the
        # numeric callables can always be called with exactly the names they expect.
        given = dict(self.params)
        bound = {name: float(given.get(name, DEFAULT_PARAMETER)) for name in self.parameters}
        object.__setattr__(self, "params", MappingProxyType(bound))

    # ----------------------------------------------------------------------------- construction
    @classmethod
    def from_text(cls, text: str, kind: Kind = Kind.OBJECTIVE, direction: Direction = Direction.ASCENT,
                  params: Mapping[str, float] | None = None) -> FlowProblem:
        """Parse user text (raises ExpressionError) and derive the other function.

        Cached: the window rebuilds the problem for every h or x0 change, and the sympy work
        (parse, derivative, antiderivative, root analysis) should happen once per equation.
        """
        key = tuple(sorted((str(k), float(v)) for k, v in (params or {}).items()))
        return _from_text_cached(text, Kind(kind), Direction(direction), key)

    @classmethod
    def from_expression(cls, expr: Expression, kind: Kind = Kind.OBJECTIVE,
                        direction: Direction = Direction.ASCENT,
                        params: Mapping[str, float] | None = None) -> FlowProblem:
        """Build from an Expression: F typed -> f = s·F'; f typed -> F = s·∫f (or None)."""
        kind, direction = Kind(kind), Direction(direction)
        F, f = _derive(expr, kind, direction)
        return cls(F=F, f=f, direction=direction, kind=kind, params=dict(params or {}))

    # ------------------------------------------------------------------------------ descriptions
    @cached_property
    def parameters(self) -> tuple[str, ...]:
        """Free parameters of F and f (the UI gives each a slider), sorted."""
        names = set(self.f.parameters)
        if self.F is not None:
            names.update(self.F.parameters)
        return tuple(sorted(names))

    @property
    def sign(self) -> int:
        return self.direction.sign

    @property
    def F_is_symbolic(self) -> bool:
        return self.F is not None

    @property
    def F_label(self) -> str:
        return self.F.unicode if self.F is not None else "no closed form (integrated numerically)"

    @property
    def f_label(self) -> str:
        return self.f.unicode

    @cached_property
    def fprime(self) -> Expression:
        """f' as an Expression (F'' = s·f')."""
        return self.f.derivative("x")

    # ------------------------------------------------------------------------- numeric callables
    @cached_property
    def _f_call(self) -> Callable[[np.ndarray], np.ndarray]:
        return _bind(self.f, self.params)

    @cached_property
    def _fprime_call(self) -> Callable[[np.ndarray], np.ndarray]:
        return _bind(self.fprime, self.params)

    @cached_property
    def _F_call(self) -> Callable[[np.ndarray], np.ndarray]:
        if self.F is None:
            return self._F_by_quadrature
        return _bind(self.F, self.params)

    def f_numeric(self, x: np.ndarray | float) -> np.ndarray:
        return self._f_call(np.asarray(x, dtype=np.float64))

    @cached_property
    def _f_raw(self) -> tuple[Callable[..., np.ndarray], tuple[float, ...]]:
        """The bare lambdified f and its parameters' values, in its argument order."""
        return self.f.raw_numeric, tuple(float(self.params[name]) for name in self.f.parameters)

    @cached_property
    def f_loop(self) -> Callable[[np.ndarray], np.ndarray]:
        """f for hot loops (Euler, the bifurcation sweep): the caller passes a float64 array and has
        np.errstate(all="ignore") in force. It skips f_numeric's checks and errstate (about 5 µs a
        call, more than a bare numpy step) and falls back to f_numeric whenever the bare function
        returns anything but a float64 array of x's shape (a constant, a complex value)."""
        raw, args = self._f_raw
        safe = self._f_call

        def f(x: np.ndarray) -> np.ndarray:
            r = raw(x, *args)
            # `is`: half the cost of ==; any other float64 descriptor only takes the safe path
            if type(r) is np.ndarray and r.dtype is _FLOAT64 and r.shape == x.shape:
                return r
            return safe(x)
        return f

    def f_loop_for(self, like: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """f_loop without its per-call check, for a loop whose every argument is a float64 array of
        `like`'s shape (the Euler engine's rows). The type of a numpy result follows from the
        types and shapes of the inputs, not their values, so one checked call decides for all;
        when it fails, f_loop. Saves about a third of the engine's time per step (5,000 steps of
        51 starts: 11.3 -> 9.6 ms)."""
        raw, args = self._f_raw
        with np.errstate(all="ignore"):
            r = raw(np.array(like, dtype=np.float64), *args)
        if not (type(r) is np.ndarray and r.dtype is _FLOAT64 and r.shape == np.shape(like)):
            return self.f_loop
        return (lambda x: raw(x, *args)) if args else raw

    @cached_property
    def f_scalar(self) -> Callable[[float], float]:
        """f on one Python float (math module): the Euler engine's fast path for one trajectory."""
        fn = self.f.scalar()
        kwargs = {name: self.params[name] for name in self.f.parameters}
        return lambda x: fn(x, **kwargs)

    def fprime_numeric(self, x: np.ndarray | float) -> np.ndarray:
        return self._fprime_call(np.asarray(x, dtype=np.float64))

    def F_numeric(self, x: np.ndarray | float) -> np.ndarray:
        return self._F_call(np.asarray(x, dtype=np.float64))

    # --------------------------------------------------------------------- exact (sympy) views
    @cached_property
    def x_symbol(self) -> sp.Symbol:
        for s in self.f.expr.free_symbols:
            if s.name == "x":
                return s
        return sp.Symbol("x")

    @cached_property
    def f_bound_expr(self) -> sp.Expr:
        """f with the parameter values substituted exactly and decimals made rational.

        Rational values (0.3 -> 3/10, via the shortest repr) keep (x - a)² a perfect square,
        so a double root stays double instead of splitting into two close roots.
        """
        expr = self.f.expr
        subs = {s: _exact(self.params[s.name]) for s in expr.free_symbols if s.name in self.params}
        expr = expr.xreplace(subs)
        floats = {fl: _exact(float(fl)) for fl in expr.atoms(sp.Float)}
        return expr.xreplace(floats) if floats else expr

    @cached_property
    def f_polynomial(self) -> sp.Poly | None:
        """f as an exact polynomial in x (parameters substituted), or None if it is not one."""
        expr, x = self.f_bound_expr, self.x_symbol
        try:
            if not expr.is_polynomial(x):
                return None
            poly = sp.Poly(expr, x)
        except (sp.PolynomialError, sp.GeneratorsNeeded, TypeError, ValueError):
            return None
        if poly.degree() > MAX_POLY_DEGREE or not all(c.is_number and c.is_real is not False
                                                      for c in poly.all_coeffs()):
            return None
        return poly

    @cached_property
    def f_is_zero(self) -> bool:
        """f ≡ 0: every point is an equilibrium (equilibria() then returns [])."""
        poly = self.f_polynomial
        if poly is not None:
            return poly.is_zero
        expr = self.f_bound_expr
        if expr.is_zero:
            return True
        # sympy does not see sin²+cos²-1 = 0 by itself; simplify only if the numbers agree.
        probe = self.f_numeric(np.linspace(-7.3, 7.9, 61))
        if np.all(np.isfinite(probe)) and np.max(np.abs(probe)) < 1e-13:
            return bool(sp.simplify(expr) == 0)
        return False

    @cached_property
    def _poly_roots(self) -> tuple[tuple[float, int], ...]:
        """All real roots of the polynomial f with exact multiplicities, sorted."""
        poly = self.f_polynomial
        assert poly is not None
        roots: list[tuple[float, int]] = []
        for factor, mult in poly.sqf_list()[1]:   # square-free factors: simple roots only
            coeffs = np.array([float(c) for c in factor.all_coeffs()], dtype=np.float64)
            if len(coeffs) < 2:
                continue
            z = np.roots(coeffs)
            n_real = _count_real_roots(factor)
            real = z[np.argsort(np.abs(z.imag))[:n_real]].real if n_real is not None \
                else z[np.abs(z.imag) <= 1e-9 * np.maximum(1.0, np.abs(z))].real
            if mult == 1:
                real = self._newton_polish(real)
            roots.extend((float(r), int(mult)) for r in real)
        return tuple(sorted(roots))

    def _newton_polish(self, roots: np.ndarray) -> np.ndarray:
        """A few Newton steps on f as the user wrote it: eigenvalues of an expanded companion
        matrix lose digits ((x+1)^24 - 1 has coefficients up to 3e6), the user's form does not."""
        with np.errstate(all="ignore"):
            for _ in range(4):
                value = self.f_numeric(roots)
                step = value / self.fprime_numeric(roots)
                better = np.isfinite(step) & (np.abs(self.f_numeric(roots - step)) <= np.abs(value))
                roots = np.where(better, roots - step, roots)
        return roots

    # ------------------------------------------------------------------------------ equilibria
    def equilibria(self, a: float, b: float) -> list[Equilibrium]:
        """Every root of f in [a, b], sorted, classified; [] when f ≡ 0 (see f_is_zero)."""
        a, b = float(min(a, b)), float(max(a, b))
        key = (a, b)
        cache = self._equilibria_cache
        if key not in cache:
            if len(cache) > 32:
                cache.clear()
            if self.f_is_zero or not (math.isfinite(a) and math.isfinite(b)) or a == b:
                cache[key] = ()
            elif self.f_polynomial is not None:
                cache[key] = tuple(self._polynomial_equilibria(a, b))
            else:
                cache[key] = tuple(self._sampled_equilibria(a, b))
        return list(cache[key])

    @cached_property
    def _equilibria_cache(self) -> dict[tuple[float, float], tuple[Equilibrium, ...]]:
        return {}

    def kink_at(self, x: float) -> Equilibrium | None:
        """The attracting kink of F (a stable jump of f) at x, within KINK_REACH, else None: where
        the exact flow, having arrived, stays, and Euler's iterates bounce."""
        reach = KINK_REACH * max(1.0, abs(x))
        kinks = [e for e in self.equilibria(x - reach, x + reach)
                 if e.jump is not None and e.stability is Stability.STABLE]
        return min(kinks, key=lambda e: abs(e.x - x), default=None)

    def nearest_attractor(self, x: float, a: float, b: float) -> Equilibrium | None:
        """The equilibrium the flow from x approaches, or None if it runs off (or sits still).

        The flow is monotone on the line: it moves toward the next equilibrium in the direction
        of f(x). That neighbour attracts x if it is stable, or semi-stable and approached from
        its attracting side (x' = 3x² from x0 < 0 creeps up to 0) -- it cannot be unstable.
        """
        eqs = self.equilibria(a, b)
        scale = 1e-9 * (b - a)
        for e in eqs:
            if abs(e.x - x) <= scale:
                return e if e.stability is Stability.STABLE else None
        with np.errstate(all="ignore"):
            fx = float(self.f_numeric(np.array([x]))[0])
        if not np.isfinite(fx) or fx == 0:
            return None
        ahead = [e for e in eqs if (e.x > x if fx > 0 else e.x < x)]
        if not ahead:
            return None
        return min(ahead, key=lambda e: abs(e.x - x))

    def regime(self, h: float, x0: float, a: float, b: float) -> Regime:
        attractor = self.nearest_attractor(x0, a, b)
        return attractor.regime(h) if attractor is not None else Regime.NOT_ATTRACTING

    def _polynomial_equilibria(self, a: float, b: float) -> list[Equilibrium]:
        """Exact multiplicities: f = g·(x - r)^m with g(r) = f^(m)(r)/m! != 0 fixes both sides."""
        slack = DEDUPE_REL * (b - a)              # a root at an end may round to just outside
        roots = [(r, m) for r, m in self._poly_roots if a - slack <= r <= b + slack]
        if not roots:
            return []
        coeffs = np.array([float(c) for c in self.f_polynomial.all_coeffs()], dtype=np.float64)
        xs = np.array([r for r, _ in roots])
        ms = np.array([m for _, m in roots])
        g = np.array([np.polyval(np.polyder(coeffs, m), r) for r, m in roots])   # one per root
        right = np.sign(g)
        left = right * np.where(ms % 2 == 0, 1.0, -1.0)
        slopes = np.where(ms == 1, self.fprime_numeric(xs), 0.0)
        return [self._equilibrium(x, l, r, s, even=bool(m % 2 == 0))
                for x, l, r, s, m in zip(xs, left, right, slopes, ms)]

    def _sampled_equilibria(self, a: float, b: float) -> list[Equilibrium]:
        """Sign changes (refined by bisection, poles rejected) plus touching roots of |f|."""
        dx = (b - a) / (ROOT_GRID - 1)
        # Two extra samples each side so roots exactly at a or b are bracketed too.
        xs = a + dx * np.arange(-2, ROOT_GRID + 2)
        with np.errstate(all="ignore"):
            fs = self.f_numeric(xs)
        finite = np.isfinite(fs)
        if not finite.any():
            return []
        scale = _robust_scale(fs[finite])
        found: list[tuple[float, float, float, bool]] = []   # (x, left sign, right sign, even)
        found += _zero_samples(xs, fs)
        found += self._domain_edge_roots(xs, fs, scale)
        found += self._sign_change_roots(xs, fs, scale)
        found += self._touching_roots(xs, fs, scale)
        found = [r for r in found if a <= r[0] <= b]
        intervals = self._zero_intervals(xs, fs, a, b)
        found = [r for r in found if not any(lo <= r[0] <= hi for lo, hi, _, _ in intervals)]
        found.sort(key=lambda r: r[0])
        found = _dedupe(found, DEDUPE_REL * (b - a))
        whole = [self._interval_equilibrium(*iv) for iv in intervals]
        if not found:
            return whole
        roots = np.array([r[0] for r in found])
        with np.errstate(all="ignore"):
            slopes = self.fprime_numeric(roots)
        floor = SLOPE_TOL * scale / (b - a)
        probe = JUMP_PROBE * (b - a)
        with np.errstate(all="ignore"):
            sides = np.stack([self.f_numeric(roots - probe), self.f_numeric(roots + probe)], axis=1)
        jumps = np.all(np.isfinite(sides) & (np.abs(sides) > JUMP_TOL * scale), axis=1)
        out = []
        for (x, left, right, even), slope, jump, side in zip(found, slopes, jumps, sides):
            if jump and not even:
                # f'(x*) does not exist; whatever the formula's derivative says (0 for sign) is moot.
                out.append(self._equilibrium(x, left, right, 0.0, even, jump=(float(side[0]), float(side[1]))))
                continue
            stab = _stability(left, right)
            # f'(x*) must agree with the sign pattern; anything else is rounding at a multiple root.
            consistent = (stab is Stability.STABLE and slope < 0) or \
                         (stab is Stability.UNSTABLE and slope > 0)
            # An infinite f'(x*) (√x at the end of its domain) gives no linear test either.
            s = float(slope) if (not even and consistent and floor < abs(slope) < math.inf) else 0.0
            out.append(self._equilibrium(x, left, right, s, even))
        return sorted(out + whole, key=lambda e: e.x)

    def _zero_intervals(self, xs: np.ndarray, fs: np.ndarray, a: float,
                        b: float) -> list[tuple[float, float, float, float]]:
        """Runs of samples where f is exactly 0 and sympy agrees at two points inside (x^60 only
        underflows there): (lo, hi, sign of f left of it, right of it; 0 where the range ends)."""
        zero = np.concatenate([[False], fs == 0.0, [False]])
        edges = np.diff(zero.astype(np.int8))
        starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1
        out = []
        for i, j in zip(starts, ends):
            if j - i < 3:
                continue
            inner = (xs[i + 1], xs[j - 1])
            exact = [self.f_bound_expr.subs(self.x_symbol, _exact(float(v))) for v in inner]
            try:
                if not all(sp.N(e, 30) == 0 for e in exact):     # sympy Floats do not underflow
                    continue
            except (TypeError, ValueError):
                continue
            left = _neighbour_sign(fs[i - 1::-1]) if i > 0 else 0.0
            right = _neighbour_sign(fs[j + 1:]) if j + 1 < len(fs) else 0.0
            lo = self._zero_edge(xs[i - 1], xs[i]) if i > 0 else xs[i]
            hi = self._zero_edge(xs[j + 1], xs[j]) if j + 1 < len(xs) else xs[j]
            out.append((max(float(lo), a), min(float(hi), b), left, right))
        return out

    def _zero_edge(self, nonzero: float, zero: float) -> float:
        """Where f stops being exactly 0 between two samples (bisection on f == 0)."""
        span = abs(nonzero - zero)
        with np.errstate(all="ignore"):
            for _ in range(200):
                mid = 0.5 * (nonzero + zero)
                if mid in (nonzero, zero):
                    break
                if self.f_numeric(np.array([mid]))[0] == 0.0:
                    zero = mid
                else:
                    nonzero = mid
        # The edge of an open interval at 0 (sign(x) - 1 vanishes for x > 0) ends at 0.
        return 0.0 if abs(zero) < 1e-12 * span else float(zero)

    def _interval_equilibrium(self, lo: float, hi: float, left: float, right: float) -> Equilibrium:
        """One Equilibrium for a whole interval of them, at the end the flow arrives at."""
        left, right = (left or -right or 1.0), (right or -left)
        x = hi if (right < 0 and left <= 0) else lo
        stab = _stability(left, right)
        return Equilibrium(x=x, stability=stab, critical=critical_of(stab, 0.0, self.sign), slope=0.0,
                           multiplicity_even=False, interval=(lo, hi))

    def _sign_change_roots(self, xs: np.ndarray, fs: np.ndarray,
                           scale: float) -> list[tuple[float, float, float, bool]]:
        i = np.nonzero(np.sign(fs[:-1]) * np.sign(fs[1:]) < 0)[0]   # NaN and 0 give no bracket
        if i.size == 0:
            return []
        lo, hi = xs[i].copy(), xs[i + 1].copy()
        flo, fhi = fs[i].copy(), fs[i + 1].copy()
        start = np.minimum(np.abs(flo), np.abs(fhi))
        lo, hi, flo, fhi = _bisect(self.f_numeric, lo, hi, flo, fhi)
        end = np.minimum(np.abs(flo), np.abs(fhi))
        # A pole (1/x, tan) also changes sign, but there |f| grows as the bracket shrinks. A jump
        # (sign(x)) keeps |f| bounded: it is kept, and named a jump by the caller's probe.
        ok = (end <= POLE_SHRINK * start) | (end <= ROOT_TOL * scale) | (end <= JUMP_GROWTH * start)
        pick_lo = np.abs(flo) <= np.abs(fhi)
        root = np.where(pick_lo, lo, hi)
        left = np.sign(fs[i])
        return [(float(r), float(l), -float(l), False) for r, l in zip(root[ok], left[ok])]

    def _domain_edge_roots(self, xs: np.ndarray, fs: np.ndarray,
                           scale: float) -> list[tuple[float, float, float, bool]]:
        """Ends of f's domain where f tends to 0 (x' = ±√x at 0): equilibria the flow leaves or
        reaches from the one side it has; located by bisecting on finiteness."""
        fin = np.isfinite(fs)
        i = np.nonzero(fin[:-1] != fin[1:])[0]
        out = []
        for k in i:                                   # a few domain edges at most
            inside, outside = (xs[k], xs[k + 1]) if fin[k] else (xs[k + 1], xs[k])
            side = float(np.sign(fs[k] if fin[k] else fs[k + 1]))
            with np.errstate(all="ignore"):
                for _ in range(1100):                 # down to adjacent floats, even near 0
                    mid = 0.5 * (inside + outside)
                    if mid in (inside, outside):
                        break
                    if np.isfinite(self.f_numeric(np.array([mid]))[0]):
                        inside = mid
                    else:
                        outside = mid
                value = float(self.f_numeric(np.array([inside]))[0])
            if side == 0.0 or not abs(value) <= ROOT_TOL * scale:
                continue
            # The known side is where f is finite; the other is mirrored as a sign change.
            left, right = (side, -side) if fin[k] else (-side, side)
            out.append((float(inside) + 0.0, left, right, False))
        return out

    def _touching_roots(self, xs: np.ndarray, fs: np.ndarray,
                        scale: float) -> list[tuple[float, float, float, bool]]:
        """Local minima of |f| between samples of one sign, refined where f' changes sign."""
        g = np.abs(fs)
        s = np.sign(fs)
        mid = slice(1, -1)
        cand = (s[:-2] == s[mid]) & (s[mid] == s[2:]) & (s[mid] != 0) & \
               (g[mid] <= g[:-2]) & (g[mid] < g[2:]) & (g[mid] <= 1e-2 * scale)
        i = np.nonzero(cand)[0] + 1
        if i.size == 0:
            return []
        lo, hi = xs[i - 1].copy(), xs[i + 1].copy()
        with np.errstate(all="ignore"):
            dlo, dhi = self.fprime_numeric(lo), self.fprime_numeric(hi)
        bracket = np.sign(dlo) * np.sign(dhi) < 0
        x = xs[i].copy()
        if bracket.any():
            blo, bhi, dl, dh = _bisect(self.fprime_numeric, lo[bracket], hi[bracket],
                                       dlo[bracket], dhi[bracket])
            x[bracket] = np.where(np.abs(dl) <= np.abs(dh), blo, bhi)
        with np.errstate(all="ignore"):
            fx = self.f_numeric(x)
        out = []
        # f dips across zero between two samples (sin²x − 1e-14 near 0 and π: two simple roots
        # 2e-7 apart): bracket each side of the extremum. Rounding noise (e^x − 1 − x near 0)
        # stays below SPLIT_TOL·scale and leaves a touching root.
        dips = np.isfinite(fx) & (np.sign(fx) == -s[i]) & (np.abs(fx) > SPLIT_TOL * scale)
        for j in np.nonzero(dips)[0]:
            ends = np.array([lo[j], x[j]]), np.array([x[j], hi[j]])
            for (a, b), sa in zip(ends, (s[i][j], -s[i][j])):
                r_lo, r_hi, f_lo, f_hi = _bisect(self.f_numeric, np.array([a]), np.array([b]),
                                                 np.array([sa]), np.array([-sa]))
                root = float(r_lo[0] if abs(f_lo[0]) <= abs(f_hi[0]) else r_hi[0])
                out.append((root, float(sa), -float(sa), False))
        ok = (np.abs(fx) <= TOUCH_TOL * scale) & ~dips
        return out + [(float(r), float(v), float(v), True) for r, v in zip(x[ok], s[i][ok])]

    def _equilibrium(self, x: float, left: float, right: float, slope: float,
                     even: bool, jump: tuple[float, float] | None = None) -> Equilibrium:
        stab = _stability(left, right)
        return Equilibrium(x=float(x), stability=stab, critical=critical_of(stab, slope, self.sign),
                           slope=float(slope), multiplicity_even=even, jump=jump)

    # --------------------------------------------------------------- numerical antiderivative
    @cached_property
    def _integral_anchor(self) -> float:
        """Where the numerical F is 0: the first of 0, ±1, ±2, ... at which f is finite."""
        candidates = np.array([0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 10.0, -10.0])
        with np.errstate(all="ignore"):
            ok = np.isfinite(self.f_numeric(candidates))
        return float(candidates[np.argmax(ok)]) if ok.any() else math.nan

    def _F_by_quadrature(self, x: np.ndarray) -> np.ndarray:
        """s·∫_anchor^x f by composite Simpson on a fixed lattice anchored at the anchor.

        The lattice does not depend on which points are asked for (unless the span forces a
        coarser spacing), so F(x) is the same number whichever array x arrives in. Beyond a point
        where f is not finite the integral is undefined: NaN propagates outwards from the anchor.
        """
        out = np.full(x.shape, np.nan)
        anchor = self._integral_anchor
        ok = np.isfinite(x)
        if not ok.any() or math.isnan(anchor):
            return out
        xv = x[ok]
        lo, hi = min(float(xv.min()), anchor), max(float(xv.max()), anchor)
        dx = INTEGRAL_DX
        while (hi - lo) / dx > INTEGRAL_MAX_CELLS:
            dx *= 2.0
        j0, j1 = math.floor((lo - anchor) / dx), math.ceil((hi - anchor) / dx)
        nodes = anchor + dx * np.arange(j0, j1 + 1)
        with np.errstate(all="ignore"):
            fn = self.f_numeric(nodes)
            fm = self.f_numeric(nodes[:-1] + dx / 2)
            cells = dx / 6.0 * (fn[:-1] + 4.0 * fm + fn[1:])
            # Sum outwards from the anchor (node -j0) on both sides: the same cells in the same
            # order whatever the lattice's extent, and NaN spreads only away from the anchor.
            right = np.cumsum(cells[-j0:])
            left = -np.cumsum(cells[:-j0][::-1])[::-1]
            cum = np.concatenate([left, [0.0], right])
            k = np.clip(np.floor((xv - nodes[0]) / dx).astype(np.int64), 0, len(nodes) - 2)
            base = nodes[k]
            part = (xv - base) / 6.0 * (fn[k] + 4.0 * self.f_numeric((base + xv) / 2) + self.f_numeric(xv))
            out[ok] = self.sign * (cum[k] + part)
        return out


# ---------------------------------------------------------------------------------- helpers
@lru_cache(maxsize=64)
def _symbolic(text: str, kind: Kind, direction: Direction) -> tuple[Expression | None, Expression]:
    """Parse and derive once per equation: moving a parameter slider must not redo the sympy work."""
    return _derive(parse(text, ("x",)), kind, direction)


@lru_cache(maxsize=256)
def _from_text_cached(text: str, kind: Kind, direction: Direction,
                      params: tuple[tuple[str, float], ...]) -> FlowProblem:
    F, f = _symbolic(text, kind, direction)
    return FlowProblem(F=F, f=f, direction=direction, kind=kind, params=dict(params))


def _derive(expr: Expression, kind: Kind, direction: Direction) -> tuple[Expression | None, Expression]:
    """(F, f) from what the user typed: f = s·F', or F = s·∫f (None if sympy finds no ∫f)."""
    s = direction.sign
    if kind is Kind.OBJECTIVE:
        dF = expr.derivative("x")
        return expr, (dF if s > 0 else Expression.from_sympy(-dF.expr, expr.variables))
    anti = expr.antiderivative("x")
    if anti is not None and s < 0:
        anti = Expression.from_sympy(-anti.expr, expr.variables)
    return anti, expr


def _bind(expr: Expression, params: Mapping[str, float]) -> Callable[[np.ndarray], np.ndarray]:
    fn = expr.numeric()
    kwargs = {name: params[name] for name in expr.parameters}
    return lambda x: fn(x, **kwargs)


def _exact(value: float) -> sp.Expr:
    """A float as the rational its shortest repr spells (0.3 -> 3/10); inf/nan stay floats."""
    return sp.Rational(repr(value)) if math.isfinite(value) else sp.Float(value)


def _count_real_roots(factor: sp.Poly) -> int | None:
    """Exact number of real roots (Sturm) when sympy can do it over the factor's domain."""
    try:
        return int(factor.count_roots())
    except Exception:
        return None


def _robust_scale(values: np.ndarray) -> float:
    """A size of f immune to poles: the median of |f| (else the max, else 1)."""
    mags = np.abs(values)
    scale = float(np.median(mags))
    if scale == 0.0:
        scale = float(mags.max())
    return scale if scale > 0.0 else 1.0


def _zero_samples(xs: np.ndarray, fs: np.ndarray) -> list[tuple[float, float, float, bool]]:
    """Samples where f is exactly 0, with the signs of the nearest non-zero finite neighbours.

    A run of zero samples (x^60 or e^(-1/x²) underflow near 0) is one root, at its middle.
    """
    zero = np.concatenate([[False], fs[1:-1] == 0.0, [False]])
    edges = np.diff(zero.astype(np.int8))
    starts, ends = np.nonzero(edges == 1)[0] + 1, np.nonzero(edges == -1)[0]   # inclusive runs
    out = []
    for i, j in zip(starts, ends):   # exact zeros on the grid are rare: a few runs at most
        left = _neighbour_sign(fs[i - 1::-1])
        right = _neighbour_sign(fs[j + 1:])
        # One side outside the domain (sqrt at 0): the flow on the other side decides, as if f
        # changed sign there. x' = √x leaves 0 (unstable); x' = −√x arrives at 0 (stable).
        if left == 0.0:
            left = -right
        if right == 0.0:
            right = -left
        out.append((float(0.5 * (xs[i] + xs[j])), left, right, left == right and left != 0.0))
    return out


def _neighbour_sign(seq: np.ndarray) -> float:
    nz = np.nonzero(np.isfinite(seq) & (seq != 0.0))[0]
    if nz.size == 0:
        return 0.0
    first = nz[0]
    if first > 0 and not np.all(seq[:first] == 0.0):
        return 0.0            # NaN before any non-zero value: the side is outside the domain
    return float(np.sign(seq[first]))


def _bisect(fn: Callable[[np.ndarray], np.ndarray], lo: np.ndarray, hi: np.ndarray,
            flo: np.ndarray, fhi: np.ndarray,
            iterations: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised bisection of brackets with sign(flo) != sign(fhi), down to adjacent floats."""
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        live = (mid > lo) & (mid < hi)
        if not live.any():
            break
        with np.errstate(all="ignore"):
            fm = fn(mid)
        go_left = (np.sign(fm) == np.sign(flo)) & live   # the root is in [mid, hi]
        go_right = ~go_left & live
        lo = np.where(go_left, mid, lo)
        flo = np.where(go_left, fm, flo)
        hi = np.where(go_right, mid, hi)
        fhi = np.where(go_right, fm, fhi)
    return lo, hi, flo, fhi


def _dedupe(found: list[tuple[float, float, float, bool]],
            tol: float) -> list[tuple[float, float, float, bool]]:
    out: list[tuple[float, float, float, bool]] = []
    for r in found:
        if out and r[0] - out[-1][0] <= tol:
            continue
        out.append(r)
    return out
