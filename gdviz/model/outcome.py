"""What Euler's iterates from x0 actually do, and what Euler's map does near an equilibrium.

Two statements that must not be confused. The *outcome* is read off the iterates themselves:
they converge to x* (monotonically or oscillating), settle into a cycle, diverge, leave the
plotted range, or are still moving when the steps run out. The *local regime* is the linear test
at one equilibrium (the multiplier 1 + h f'(x*)): it says what steps that start close to x* do,
nothing about iterates that start far away (x' = x(1 − x) with h = 0.9 from x0 = 2.5 diverges
although h < 1/|f'(1)|). The sentences here are what the panel, the status bar and --describe say.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .euler import DEFAULT_BOUND
from .integrators import method_bound, method_regime, stability_limit
from .method_names import METHOD_SHORT
from .problem import Equilibrium, Regime, Stability

MAX_PERIOD = 32          # cycles up to this period are named
REACHED = 1e-9           # |x_N − x*| below this times max(1, range width): x* is reached
CYCLE_TOL = 1e-7         # a cycle repeats to within this times max(1, range width)
CLOSE = 1e-2             # contracting and within this fraction of max(1, width) of x*: converging


class Fate(str, enum.Enum):
    REST = "rest"              # x0 is an equilibrium: the iterates never move
    CONVERGE = "converge"      # they approach x* and are close to it (or on it)
    CYCLE = "cycle"            # they repeat with a period >= 2
    DIVERGE = "diverge"        # |x| passed the bound, or f was not defined at an iterate
    LEAVE = "leave"            # they end outside the plotted range without diverging yet
    MOVING = "moving"          # still on their way (towards x* if `target`), or wandering


@dataclass(frozen=True)
class Outcome:
    """What the iterates x_0..x_N did; `target` is the equilibrium they approach, if any."""
    fate: Fate
    steps: int                          # N
    last: float                         # x_N (the last finite iterate if they diverged)
    step: int = -1                      # DIVERGE: first bad step; LEAVE: first step outside for good
    target: Equilibrium | None = None
    oscillating: bool = False           # approaching x* from alternating sides
    distance: float = math.nan          # |x_N − x*| for CONVERGE and MOVING toward a target
    reached_at: int = -1                # CONVERGE: first step within REACHED of x*, -1 if not yet
    cycle: tuple[float, ...] = ()       # CYCLE: one period of values
    undefined: bool = False             # DIVERGE: f had no value at an iterate (sqrt of a negative)

    @property
    def sentence(self) -> str:
        return outcome_sentence(self)


def iterate_outcome(x: np.ndarray, diverged_at: int, equilibria: Sequence[Equilibrium],
                    x_range: tuple[float, float], h: float,
                    f: Callable[[np.ndarray], np.ndarray] | None = None, every_root: bool = False) -> Outcome:
    """Classify the iterates x (NaN after `diverged_at`) of Euler's map with step h. With
    `every_root` any equilibrium can be approached (Newton's flow attracts to every simple root)."""
    x = np.asarray(x, dtype=np.float64)
    n = len(x) - 1
    a, b = x_range
    width = max(1.0, abs(b - a))
    if diverged_at >= 0:
        return _diverged(x, diverged_at, h, f)
    last = float(x[-1])
    reached = REACHED * width
    if np.all(np.abs(x - x[0]) <= reached):
        target = _nearest(equilibria, last)
        if target is not None and abs(target.x - last) <= reached:
            return Outcome(Fate.REST, n, last, target=target, distance=abs(last - target.x), reached_at=0)
    stopped = _stopped_in_interval(x, equilibria)
    if stopped is not None:
        return stopped
    approach = _approach(x, equilibria, reached, CLOSE * width, every_root)
    # A shrinking distance to x* comes first: a tiny slow spiral is no cycle.
    if approach is not None and (approach.fate is Fate.CONVERGE or a <= last <= b):
        return approach
    cycle = _cycle(x, CYCLE_TOL * width)
    if cycle:
        return Outcome(Fate.CYCLE, n, last, cycle=cycle)
    if not a <= last <= b:
        inside = np.nonzero((x >= a) & (x <= b))[0]
        first_out = int(inside[-1]) + 1 if inside.size else 0
        return Outcome(Fate.LEAVE, n, last, step=first_out)
    return Outcome(Fate.MOVING, n, last)


def _diverged(x: np.ndarray, at: int, h: float, f: Callable[[np.ndarray], np.ndarray] | None) -> Outcome:
    previous = float(x[at - 1]) if at >= 1 else float(x[0])
    undefined = False
    if f is not None and at >= 1:
        with np.errstate(all="ignore"):
            undefined = not np.isfinite(np.asarray(f(np.array([previous])), dtype=np.float64).ravel()[0])
    return Outcome(Fate.DIVERGE, len(x) - 1, previous, step=at, undefined=undefined)


def _stopped_in_interval(x: np.ndarray, equilibria: Sequence[Equilibrium]) -> Outcome | None:
    """The iterates stopped dead inside an interval of equilibria (f = 0 there)."""
    last = float(x[-1])
    for e in equilibria:
        if e.interval is not None and e.interval[0] <= last <= e.interval[1] and len(x) >= 2 and x[-2] == last:
            moving = np.nonzero(x != last)[0]
            first = int(moving[-1]) + 1 if moving.size else 0
            return Outcome(Fate.CONVERGE, len(x) - 1, last, target=e, distance=0.0, reached_at=first)
    return None


def _nearest(equilibria: Sequence[Equilibrium], x: float) -> Equilibrium | None:
    return min(equilibria, key=lambda e: abs(e.x - x), default=None)


def _approach(x: np.ndarray, equilibria: Sequence[Equilibrium], reached: float,
              close: float, every_root: bool = False) -> Outcome | None:
    """Converging (or on the way) to the nearest equilibrium that attracts from some side:
    the distance to it shrinks over the last steps, from one side or from alternating sides."""
    n, last = len(x) - 1, float(x[-1])
    target = _nearest([e for e in equilibria if every_root or e.stability is not Stability.UNSTABLE], last)
    if target is None or n < 1:
        return None
    d = x - target.x
    dist = np.abs(d)
    within = dist <= reached
    if within[-1]:
        # The first step from which the iterates stay within reach of x*.
        outside = np.nonzero(~within)[0]
        first = int(outside[-1]) + 1 if outside.size else 0
        return Outcome(Fate.CONVERGE, n, last, target=target, oscillating=_alternates(d[:first]),
                       distance=float(dist[-1]), reached_at=first)
    k = min(n, 4)
    tail = dist[-k - 1:]
    # Shrinking every step (monotone) or every other step (oscillating: |d| may grow for one step).
    shrinking = bool(np.all(tail[2:] < tail[:-2])) if k >= 2 else bool(tail[-1] < tail[0])
    if not shrinking:
        return None
    signs = np.sign(d[-k - 1:])
    oscillating = _alternates(d[-k - 1:])
    if not oscillating and not np.all(signs == signs[-1]):
        return None
    fate = Fate.CONVERGE if dist[-1] <= close else Fate.MOVING
    return Outcome(fate, n, last, target=target, oscillating=oscillating, distance=float(dist[-1]))


def _alternates(d: np.ndarray) -> bool:
    """The (non-zero) offsets from x* change sign at every step, over the last few steps."""
    s = np.sign(d[d != 0])[-5:]
    return bool(s.size >= 2 and np.all(s[1:] != s[:-1]))


def _cycle(x: np.ndarray, tol: float) -> tuple[float, ...]:
    """One period of a cycle (period 2..MAX_PERIOD) the last iterates repeat twice, else ()."""
    n = len(x) - 1
    for p in range(2, MAX_PERIOD + 1):
        if 2 * p > n:
            break
        last, before = x[-p:], x[-2 * p:-p]
        if np.all(np.abs(last - before) <= tol):
            if np.max(last) - np.min(last) <= tol:
                return ()                                    # a fixed point, not a cycle
            if any(np.all(np.abs(x[-q:] - x[-2 * q:-q]) <= tol) for q in range(1, p) if p % q == 0):
                continue
            return tuple(float(v) for v in last)
    return ()


# ----------------------------------------------------------------------------------- sentences
def num(v: float, digits: int = 3) -> str:
    """Compact number: 1, 0.5, 0.0833, 1.2e+04; ∞ for infinity."""
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    return f"{v:.{digits}g}".replace("-", "−")


def fixed(v: float) -> str:
    """A threshold: two decimals from 1 up (1.00, 2.50), three significant digits below (0.0833)."""
    if math.isinf(v):
        return "∞"
    return f"{v:.2f}" if 1 <= abs(v) < 1000 else num(v)


def _power(v: float) -> str:
    """10¹² for 1e12 (a power of ten), else the compact number."""
    k = round(math.log10(v))
    if v != 10.0 ** k:
        return num(v)
    return "10" + str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def outcome_sentence(o: Outcome) -> str:
    """One sentence about the iterates from x0, e.g. 'The iterates diverge: |x| passes 10¹² at step 7.'"""
    if o.fate is Fate.DIVERGE:
        if o.undefined:
            return (f"The iterates stop: step {o.step - 1} lands at x = {num(o.last, 4)}, "
                    "where f is not defined.")
        return (f"The iterates diverge: |x| passes {_power(DEFAULT_BOUND)} at step {o.step} "
                f"(toward {'+' if o.last > 0 else '−'}∞).")
    if o.fate is Fate.REST:
        return f"x₀ = {num(o.last, 4)} is an equilibrium: the iterates stay there."
    if o.fate is Fate.CYCLE:
        values = [num(v, 4) for v in sorted(o.cycle)] if len(o.cycle) <= 4 else \
            [num(min(o.cycle), 4), num(max(o.cycle), 4)]
        listed = ", ".join(values[:-1]) + " and " + values[-1]
        where = "through" if len(o.cycle) <= 4 else "between"
        return f"The iterates oscillate in a cycle of period {len(o.cycle)} {where} {listed}."
    if o.fate is Fate.LEAVE:
        return (f"The iterates leave the plotted range at step {o.step} and are at x = {num(o.last, 4)} "
                f"after {o.steps} steps.")
    xs = num(o.target.x, 4) if o.target is not None else ""
    if o.target is not None and o.target.interval is not None and o.fate is Fate.CONVERGE:
        lo, hi = o.target.interval
        return (f"The iterates stop at x = {num(o.last, 4)} (step {o.reached_at}), inside a whole interval "
                f"of equilibria [{num(lo, 4)}, {num(hi, 4)}].")
    how = ", oscillating around it" if o.oscillating else " monotonically"
    if o.fate is Fate.CONVERGE:
        if o.reached_at >= 0:
            how = how if o.reached_at > 1 or o.oscillating else ""
            return f"The iterates converge{how} to x* = {xs} (there by step {o.reached_at})."
        return f"The iterates converge{how} to x* = {xs} ({num(o.distance)} away after {o.steps} steps)."
    if o.target is not None:
        way = "oscillate around" if o.oscillating else "move monotonically toward"
        return (f"The iterates are still moving after {o.steps} steps: they {way} x* = {xs} "
                f"and are {num(o.distance)} away from it.")
    return f"The iterates are still moving after {o.steps} steps (x = {num(o.last, 4)}), without settling."


def local_sentence(eq: Equilibrium | None, h: float, method: str = "euler") -> str:
    """The linear test at x*, worded as the local statement it is (what steps close to x* do);
    for a method other than explicit Euler, its own stability bound (method_sentence)."""
    if method != "euler" and eq is not None and eq.interval is None and eq.jump is None \
            and (eq.stability is not Stability.UNSTABLE or method == "newton"):
        return method_sentence(eq, h, method)
    if eq is None:
        return "Locally: no stable equilibrium in the plotted range attracts the flow from x₀."
    xs = num(eq.x, 4)
    near = f"Near x* = {xs} (a local statement)"
    if eq.interval is not None:
        lo, hi = eq.interval
        return (f"Every x in [{num(lo, 4)}, {num(hi, 4)}] is an equilibrium (a whole interval of them, "
                "where f = 0): a step that lands there stays.")
    regime = eq.regime(h)
    if regime is Regime.NOT_ATTRACTING:
        return f"{near}: x* is unstable, steps close to it move away."
    if regime is Regime.BOUNCING:
        left, right = eq.jump
        return (f"{near}: F has a kink there, f jumps from {num(left)} to {num(right)}, so a fixed step "
                f"never settles; steps keep bouncing within {num(eq.bounce(h))} of x* (smaller h, smaller bounce).")
    if math.isinf(eq.h_stable):
        side = " from one side" if eq.stability is Stability.SEMI_STABLE else ""
        return (f"{near}: f'(x*) is 0 or does not exist, so the linear test sets no limit on h; steps that start "
                f"close enough creep in{side}, slowly.")
    hm, hs = fixed(eq.h_monotone), fixed(eq.h_stable)
    if regime is Regime.MONOTONE:
        return f"{near}: h ≤ 1/|f'(x*)| = {hm}, so steps close to x* approach it monotonically."
    if regime is Regime.OSCILLATING:
        return (f"{near}: 1/|f'(x*)| = {hm} < h < 2/|f'(x*)| = {hs}, so steps close to x* overshoot it "
                "and approach it oscillating.")
    if regime is Regime.BOUNDARY:
        return (f"{near}: h is at the boundary 2/|f'(x*)| = {hs}, where the linear test decides nothing: "
                "steps close to x* flip sides and converge very slowly, if at all.")
    return (f"{near}: h > 2/|f'(x*)| = {hs}, so steps close to x* are pushed away from it: "
            "it does not attract Euler's iterates.")


def bound_text(method: str, eq: Equilibrium) -> str:
    """The method's bound as the regime text and the slider name it: "2.785/|f'(x*)| = 2.79",
    "2" for Newton, "" when every h contracts."""
    bound = method_bound(method, eq)
    if method == "newton":
        return "2"
    if math.isinf(bound):
        return ""
    return f"{stability_limit(method):.4g}/|f'(x*)| = {fixed(bound)}"


def method_sentence(eq: Equilibrium, h: float, method: str) -> str:
    """The linear test of a method other than explicit Euler at a stable x*, naming its bound, e.g.
    "Near x* = 1 (a local statement): RK4 contracts while h < 2.785/|f'(x*)| = 2.79; h is below it,
    so steps close to x* approach it monotonically." """
    name = METHOD_SHORT[method]
    near = f"Near x* = {num(eq.x, 4)} (a local statement)"
    bound = bound_text(method, eq)
    if not bound:
        why = " (its R(z) = 1/(1 − z) lies in (0, 1) for every z = h f'(x*) < 0)" if method == "implicit-euler" \
            else " (f'(x*) is 0, so the linear test sets no limit on h)"
        return f"{near}: {name} contracts for every h{why}, so steps close to x* approach it monotonically."
    limit = f"{name} contracts while h < {bound}"
    if method == "newton":
        limit += " (Newton's flow x' = −f/f' has slope −1 at every simple root)"
    regime = method_regime(method, eq, h)
    if regime is Regime.BOUNDARY:
        return f"{near}: {limit}; h is on that bound, where the linear test decides nothing."
    if regime is Regime.DIVERGENT:
        return f"{near}: {limit}; h is above it, so steps close to x* are pushed away from it."
    how = "approach it monotonically" if regime is Regime.MONOTONE else "overshoot it and approach it oscillating"
    if method == "newton" and h == 1:
        how += " (h = 1 is Newton's method: the digits double every step)"
    return f"{near}: {limit}; h is below it, so steps close to x* {how}."
