"""The 2-D scene: an objective F(x, y), starting points, and the optimizers run side by side on it.

Plain frozen data with no sympy and no Qt (the window imports it at start-up), like `Scene`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from .budget import paths_problem
from .ranges import range_problem

TORCH_NAMES = ("GD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam", "AdamW")
# The gradient flow's other integrators as optimizers (issue 14 §2); GD is its explicit Euler.
INTEGRATOR_NAMES = ("Implicit Euler", "Heun", "RK4", "Newton")
OPTIMIZER_NAMES = TORCH_NAMES + INTEGRATOR_NAMES
MAX_STARTS = 24
MAX_STEPS_2D = 100_000
MAX_DATA = 10_000


@dataclass(frozen=True)
class Scene2D:
    """What the 2-D tab shows: F(x, y), the starts, the optimizers, one learning rate and the view."""

    text: str = "6x^2 + 9y^2 - 12x - 14y + 3"
    starts: tuple[tuple[float, float], ...] = ((-0.9, -0.5), (2.5, 2.0), (-0.5, 2.0))
    optimizers: tuple[str, ...] = ("GD",)
    lr: float = 0.05
    steps: int = 60
    momentum: float = 0.9          # Momentum and Nesterov
    beta1: float = 0.9             # Adam, AdamW
    beta2: float = 0.999
    alpha: float = 0.99            # RMSprop's smoothing
    eps: float = 1e-8              # Adagrad, RMSprop, Adam, AdamW (torch's default except Adagrad's 1e-10)
    weight_decay: float = 0.01     # AdamW's decoupled decay (torch's default)
    dampening: float = 0.0         # Momentum (Nesterov needs 0)
    lr_decay: float = 0.0          # Adagrad
    centered: bool = False         # RMSprop
    amsgrad: bool = False          # Adam, AdamW
    x_range: tuple[float, float] = (-1.5, 3.0)
    y_range: tuple[float, float] = (-1.0, 2.5)
    params: tuple[tuple[str, float], ...] = ()
    preset: str = ""
    field: bool = False            # draw the arrows of −∇F
    basins: bool = False           # colour the plane by the minimum gradient descent reaches
    modified: bool = False         # draw the isolines of F̃ = F + (η/4)|∇F|², what GD really descends
    # SGD on data: when data_seed is set, F is the mean squared error of the line y = w·x + b over
    # a generated dataset, (x, y) of the plane stand for (w, b), and full-batch gradient descent
    # runs against minibatch SGD.
    data_seed: int | None = None
    data_n: int = 50
    batch: int = 5
    cloud: bool = False            # draw the cloud of late SGD iterates and its predicted ellipses (sgd_cloud)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        out = []
        if not (0 < len(self.starts) <= MAX_STARTS
                and all(len(p) == 2 and all(isinstance(v, (int, float)) and math.isfinite(v) for v in p)
                        for p in self.starts)):
            out.append(f"give 1 to {MAX_STARTS} starting points (x, y) of finite numbers")
        if not self.optimizers or any(o not in OPTIMIZER_NAMES for o in self.optimizers):
            out.append(f"choose optimizers among {', '.join(OPTIMIZER_NAMES)}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            out.append("the learning rate must be a positive number")
        if not (isinstance(self.steps, int) and 1 <= self.steps <= MAX_STEPS_2D):
            out.append(f"steps must be a whole number from 1 to {MAX_STEPS_2D:,}")
        elif 0 < len(self.starts) <= MAX_STARTS and self.optimizers and (
                cost := paths_problem(len(self.starts), len(self.optimizers), self.steps)):
            out.append(cost)
        if not (math.isfinite(self.momentum) and 0 <= self.momentum < 1):
            out.append("the momentum must be in [0, 1)")
        for name, b in (("beta1", self.beta1), ("beta2", self.beta2), ("alpha", self.alpha)):
            if not (math.isfinite(b) and 0 <= b < 1):
                out.append(f"{name} must be in [0, 1)")
        if not (math.isfinite(self.eps) and self.eps > 0):
            out.append("eps must be a positive number")
        if not (math.isfinite(self.weight_decay) and self.weight_decay >= 0):
            out.append("the weight decay must be a number >= 0")
        if not (math.isfinite(self.dampening) and 0 <= self.dampening <= 1):
            out.append("the dampening must be in [0, 1]")
        if not (math.isfinite(self.lr_decay) and self.lr_decay >= 0):
            out.append("Adagrad's lr decay must be a number >= 0")
        if not (isinstance(self.centered, bool) and isinstance(self.amsgrad, bool)):
            out.append("centered and amsgrad are true or false")
        if self.data_seed is not None:
            if not (isinstance(self.data_seed, int) and self.data_seed >= 0):
                out.append("the data seed must be a whole number >= 0")
            if not (isinstance(self.data_n, int) and 2 <= self.data_n <= MAX_DATA):
                out.append(f"the dataset needs 2 to {MAX_DATA:,} points")
            if not (isinstance(self.batch, int) and 1 <= self.batch <= self.data_n):
                out.append("the batch size must be from 1 to the number of points")
        for name, pair in (("x", self.x_range), ("y", self.y_range)):
            if not (isinstance(pair, tuple) and len(pair) == 2):
                out.append(f"the {name}-range needs two numbers A < B")
            elif problem := range_problem(*pair, f"the {name}-range"):
                out.append(problem)
        return out

    @property
    def param_dict(self) -> dict[str, float]:
        return dict(self.params)

    def hyper(self, optimizer: str) -> dict[str, float]:
        """The hyperparameters this scene sets for `optimizer` (the rest are torch's defaults)."""
        h: dict[str, float] = {"lr": self.lr}
        if optimizer in ("Momentum", "Nesterov"):
            h["momentum"] = self.momentum
        if optimizer == "Momentum":
            h["dampening"] = self.dampening
        if optimizer == "Adagrad":
            h["lr_decay"] = self.lr_decay
        if optimizer == "RMSprop":
            h["centered"] = self.centered
        if optimizer in ("Adam", "AdamW"):
            h["amsgrad"] = self.amsgrad
        if optimizer in ("Adam", "AdamW"):
            h["beta1"], h["beta2"] = self.beta1, self.beta2
        if optimizer == "RMSprop":
            h["alpha"] = self.alpha
        if optimizer in ("Adagrad", "RMSprop", "Adam", "AdamW"):
            h["eps"] = self.eps
        if optimizer == "AdamW":
            h["weight_decay"] = self.weight_decay
        return h

    def cloud_key(self) -> tuple:
        """What the cloud of late SGD iterates depends on: the data, the lr and the batch size."""
        return (self.data_seed, self.data_n, self.lr, self.batch)

    def basin_key(self) -> tuple:
        """What the basin map depends on: F, its parameters, the learning rate and the view."""
        return (self.text, self.params, self.lr, self.x_range, self.y_range)

    def with_(self, **changes: Any) -> Scene2D:
        if isinstance(changes.get("params"), dict):
            changes["params"] = tuple(sorted(changes["params"].items()))
        for key in ("starts", "optimizers"):
            if isinstance(changes.get(key), list):
                changes[key] = tuple(tuple(v) if isinstance(v, list) else v for v in changes[key])
        return replace(self, **changes)
