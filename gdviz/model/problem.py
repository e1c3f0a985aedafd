"""The gradient-flow problem: F, f = ±F', equilibria, their stability and Euler's step thresholds."""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from .expressions import Expression, parse


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
    MONOTONE = "monotone convergence"        # 0 < h < 1/|f'(x*)|
    OSCILLATING = "oscillating convergence"  # 1/|f'(x*)| < h < 2/|f'(x*)|
    DIVERGENT = "divergence"                 # h > 2/|f'(x*)|
    NOT_ATTRACTING = "no equilibrium attracts"


@dataclass(frozen=True)
class Equilibrium:
    """A root x* of f with its classification; thresholds are inf when f'(x*) = 0."""
    x: float
    stability: Stability
    critical: Critical          # the matching critical point of F
    slope: float                # f'(x*)
    multiplicity_even: bool     # f touches zero without changing sign (double root etc.)

    @property
    def h_monotone(self) -> float:
        return math.inf if self.slope == 0 else 1.0 / abs(self.slope)

    @property
    def h_stable(self) -> float:
        return math.inf if self.slope == 0 else 2.0 / abs(self.slope)

    def regime(self, h: float) -> Regime:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class FlowProblem:
    """F and f = ±F' as Expressions, with numeric callables bound to parameter values."""
    F: Expression                 # objective (symbolic, or None-like numeric fallback: see F_numeric)
    f: Expression                 # right-hand side of x' = f(x)
    direction: Direction
    kind: Kind
    params: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, kind: Kind = Kind.OBJECTIVE, direction: Direction = Direction.ASCENT,
                  params: Mapping[str, float] | None = None) -> "FlowProblem":
        raise NotImplementedError

    def f_numeric(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def F_numeric(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def equilibria(self, a: float, b: float) -> list[Equilibrium]:
        raise NotImplementedError
