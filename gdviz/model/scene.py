"""The Scene: everything the user has set, the single source of truth the window edits.

Plain frozen data with no sympy and no Qt, so the window can import it at start-up cheaply.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from .budget import bundle_problem, orbits_problem
from .method_names import METHOD_NAMES, STEP_RULES
from .ranges import range_problem

KINDS = ("F", "f")                   # F: the user typed the objective F(x); f: the field of x' = f(x)
DIRECTIONS = ("ascent", "descent")   # ascent maximises F (f = F'); descent minimises it (f = -F')

ERROR_REFERENCES = ("exact", "modified")   # the flow x' = f, or the modified x' = f − (h/2) f'f
MAX_STEPS = 1_000_000
MAX_BUNDLE = 200
MAX_COMPARE = 8                      # step sizes compared at once (beyond that the legend is a wall)
MAX_ORBIT_H = 20_000                 # h values in the bifurcation diagram
MAX_ORBIT_STEPS = 100_000            # transient + kept iterations per h


@dataclass(frozen=True)
class Scene:
    """What to show: the equation, the direction, Euler's h, x0, steps and the plotted range."""

    text: str = "x^2/2 - x^3/3"
    kind: str = "F"
    direction: str = "ascent"
    h: float = 0.5
    x0: float = 0.1
    steps: int = 30
    x_range: tuple[float, float] = (-0.5, 1.5)
    params: tuple[tuple[str, float], ...] = ()   # free parameters of the equation, sorted by name
    bundle: bool = False                         # draw the article's bundle of solutions too
    bundle_starts: int = 13                      # how many starts the bundle spreads over the range
    preset: str = ""                             # name of the preset it came from, if any
    # The step-size laboratory.
    compare_h: tuple[float, ...] = (1.0, 0.5, 0.1)   # step sizes drawn against the exact flow
    error_t: float = 0.0                         # time T of the error-against-h plot; 0 = automatic
    error_reference: str = "exact"               # Euler's error against the exact or the modified flow
    h_range: tuple[float, float] | None = None   # h-axis of the bifurcation diagram; None = automatic
    orbit_h_count: int = 2000                    # h values in the bifurcation diagram
    orbit_transient: int = 500                   # iterations discarded before plotting
    orbit_kept: int = 200                        # iterations plotted per h
    method: str = "euler"                        # the integrator taking the steps (METHOD_NAMES)
    step_rule: str = "fixed"                     # how explicit Euler's step sizes h_k are chosen (STEP_RULES)
    # Issue 14 §1: draw the modified flow x' = f − (h/2) f'f that Euler's iterates follow, and F̃
    # beside F. Kept as asked while another method or rule is chosen (see `shows_modified`).
    modified: bool = False

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        """Messages for out-of-range numbers (the equation text is checked by the parser)."""
        out = []
        if self.kind not in KINDS:
            out.append(f"kind must be one of {KINDS}")
        if self.direction not in DIRECTIONS:
            out.append("direction must be 'ascent' or 'descent'")
        if not (math.isfinite(self.h) and self.h > 0):
            out.append("the step size h must be a positive number")
        elif isinstance(self.steps, int) and not math.isfinite(self.h * self.steps):
            # the time followed, steps × h, must be a number: the exact solution runs that long
            out.append(f"the step size h = {self.h:g} times {self.steps:,} steps is more time than "
                       f"gdviz can follow: take a smaller h or fewer steps")
        if not math.isfinite(self.x0):
            out.append("x0 must be a finite number")
        if not (isinstance(self.steps, int) and 1 <= self.steps <= MAX_STEPS):
            out.append(f"steps must be a whole number from 1 to {MAX_STEPS:,}")
        if not (isinstance(self.bundle_starts, int) and 1 <= self.bundle_starts <= MAX_BUNDLE):
            out.append(f"the bundle needs 1 to {MAX_BUNDLE} starts")
        elif isinstance(self.steps, int) and (cost := bundle_problem(self.bundle, self.bundle_starts, self.steps)):
            out.append(cost)
        out.extend(_range_problems(self.x_range, "the x-range"))
        if self.method not in METHOD_NAMES:
            out.append(f"the method must be one of {', '.join(METHOD_NAMES)}")
        if self.step_rule not in STEP_RULES:
            out.append(f"the step-size rule must be one of {', '.join(STEP_RULES)}")
        elif self.step_rule != "fixed" and self.method != "euler":
            out.append("a step-size rule other than a fixed h chooses the steps of explicit Euler "
                       "(gradient descent or ascent): choose that method or a fixed h")
        out.extend(self._lab_problems())
        return out

    def _lab_problems(self) -> list[str]:
        out = []
        if not (isinstance(self.compare_h, tuple) and len(self.compare_h) <= MAX_COMPARE
                and all(isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in self.compare_h)):
            out.append(f"the step sizes to compare must be up to {MAX_COMPARE} positive numbers")
        if self.error_reference not in ERROR_REFERENCES:
            out.append(f"the error is measured against one of {', '.join(ERROR_REFERENCES)}")
        if not (isinstance(self.error_t, (int, float)) and math.isfinite(self.error_t) and self.error_t >= 0):
            out.append("the error time T must be a positive number (or 0 for automatic)")
        if self.h_range is not None:
            problems = _range_problems(self.h_range, "the h-range")
            if not problems and not self.h_range[0] > 0:
                problems = ["the h-range needs two numbers 0 < A < B"]
            out.extend(problems)
        if not (isinstance(self.orbit_h_count, int) and 2 <= self.orbit_h_count <= MAX_ORBIT_H):
            out.append(f"the bifurcation diagram needs 2 to {MAX_ORBIT_H:,} values of h")
        if not (isinstance(self.orbit_transient, int) and isinstance(self.orbit_kept, int)
                and self.orbit_transient >= 0 and self.orbit_kept >= 1
                and self.orbit_transient + self.orbit_kept <= MAX_ORBIT_STEPS):
            out.append(f"the bifurcation diagram needs a transient >= 0 and >= 1 kept iterations, "
                       f"together at most {MAX_ORBIT_STEPS:,}")
        elif isinstance(self.orbit_h_count, int) and (cost := orbits_problem(self.orbit_h_count, self.orbit_kept)):
            out.append(cost)
        return out

    @property
    def modified_applies(self) -> bool:
        """Backward error analysis gives the modified equation for explicit Euler with one fixed h
        only; for another method or a step-size rule the toggle waits, disabled."""
        return self.method == "euler" and self.step_rule == "fixed"

    @property
    def bundle_has_iterates(self) -> bool:
        """With a step-size rule each start would take steps of its own lengths, at times of its own:
        the bundle then has its exact solutions only (see results._rule_iterates)."""
        return self.step_rule == "fixed"

    @property
    def shows_modified(self) -> bool:
        """Is the modified flow drawn (asked for, and it applies)?"""
        return self.modified and self.modified_applies

    @property
    def param_dict(self) -> dict[str, float]:
        return dict(self.params)

    def orbit_key(self) -> tuple:
        """What the bifurcation diagram depends on: not h (a line on it), not steps or the bundle."""
        return (self.text, self.kind, self.direction, self.params, self.x0, self.x_range, self.h_range,
                self.orbit_h_count, self.orbit_transient, self.orbit_kept)

    def with_(self, **changes: Any) -> Scene:
        """A copy with some fields changed (params may be given as a dict)."""
        if isinstance(changes.get("params"), dict):
            changes["params"] = tuple(sorted(changes["params"].items()))
        if isinstance(changes.get("compare_h"), list):
            changes["compare_h"] = tuple(changes["compare_h"])
        return replace(self, **changes)


def _range_problems(pair: object, what: str) -> list[str]:
    if not (isinstance(pair, tuple) and len(pair) == 2):
        return [f"{what} needs two numbers A < B"]
    problem = range_problem(*pair, what)
    return [problem] if problem else []


def parse_step_sizes(text: str) -> tuple[float, ...]:
    """"1, 0.5, 0.1" -> (1.0, 0.5, 0.1): the step sizes to compare, typed by the user.

    Commas, semicolons or spaces separate them; each must be a positive finite number. Raises
    ValueError with a sentence for the status bar. Plain float() parsing: the text is never evaluated.
    """
    if len(text) > 400:
        raise ValueError("that list of step sizes is too long")
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if len(parts) > MAX_COMPARE:
        raise ValueError(f"compare at most {MAX_COMPARE} step sizes at once")
    out: list[float] = []
    for p in parts:
        try:
            v = float(p.strip())
        except ValueError:
            raise ValueError(f"{p.strip()!r} is not a number") from None
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"a step size must be a positive number, not {p.strip()}")
        out.append(v)
    return tuple(out)
