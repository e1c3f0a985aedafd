"""The Scene: everything the user has set, the single source of truth the window edits.

Plain frozen data with no sympy and no Qt, so the window can import it at start-up cheaply.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

KINDS = ("F", "f")                   # F: the user typed the objective F(x); f: the field of x' = f(x)
DIRECTIONS = ("ascent", "descent")   # ascent maximises F (f = F'); descent minimises it (f = -F')

MAX_STEPS = 1_000_000
MAX_BUNDLE = 200


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
            out.append(f"direction must be 'ascent' or 'descent'")
        if not (math.isfinite(self.h) and self.h > 0):
            out.append("the step size h must be a positive number")
        if not math.isfinite(self.x0):
            out.append("x0 must be a finite number")
        if not (isinstance(self.steps, int) and 1 <= self.steps <= MAX_STEPS):
            out.append(f"steps must be a whole number from 1 to {MAX_STEPS:,}")
        if not (isinstance(self.bundle_starts, int) and 1 <= self.bundle_starts <= MAX_BUNDLE):
            out.append(f"the bundle needs 1 to {MAX_BUNDLE} starts")
        a, b = self.x_range
        if not (math.isfinite(a) and math.isfinite(b) and a < b):
            out.append("the x-range needs two finite numbers A < B")
        return out

    @property
    def param_dict(self) -> dict[str, float]:
        return dict(self.params)

    def with_(self, **changes: Any) -> "Scene":
        """A copy with some fields changed (params may be given as a dict)."""
        if isinstance(changes.get("params"), dict):
            changes["params"] = tuple(sorted(changes["params"].items()))
        return replace(self, **changes)
