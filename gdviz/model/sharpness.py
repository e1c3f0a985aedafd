"""Sharpness along a path: the largest eigenvalue λ_max(∇²F(x_n)) of F's Hessian at every iterate,
and the sharpness each optimizer can settle at (issue 15, §1).

Gradient descent near a minimum x* is the linear map e ← (I − η∇²F(x*)) e, stable only while every
eigenvalue of ∇²F(x*) is below 2/η. So GD cannot come to rest where F is sharper than 2/η: it is
thrown out again and lands, if anywhere, on a flatter minimum (the edge of stability). Momentum
and Nesterov have bounds of their own, from the characteristic polynomials of their linearised
iterations (see `sharpness_bound`); the adaptive methods rescale every step by the gradient's own
size, so they have no fixed bound.

No Qt here; numpy only (the Hessian comes from the landscape's symbolic derivatives, lambdified).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .integrators import stability_limit
from .rates import INTEGRATOR_METHODS

if TYPE_CHECKING:
    from .landscape import Landscape

__all__ = ["bound_label", "sharpness_along", "sharpness_bound", "top_eigenvalue"]


def top_eigenvalue(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The larger eigenvalue of the symmetric matrices [[a, b], [b, c]], elementwise:
    (a + c)/2 + √(((a − c)/2)² + b²). hypot, not a square root of squares, so large entries do
    not overflow; NaN wherever an entry is NaN."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        return 0.5 * (a + c) + np.hypot(0.5 * (a - c), b)


def sharpness_along(landscape: Landscape, x: np.ndarray) -> np.ndarray:
    """λ_max of F's Hessian at every point of `x` (..., 2) -> (...); NaN at NaN points (a path
    after it diverged) and where F's second derivatives are undefined."""
    H = landscape.hessian_numeric(x)
    out = top_eigenvalue(H[..., 0, 0], H[..., 0, 1], H[..., 1, 1])
    # A constant Hessian (a quadratic F) has a value even at NaN points: a diverged iterate has none.
    out[np.isnan(np.asarray(x, dtype=np.float64)).any(axis=-1)] = np.nan
    return out


def sharpness_bound(name: str, hyper: Mapping[str, float | bool]) -> float | None:
    """The largest sharpness λ_max(∇²F) at which optimizer `name` (torch's update) with the
    hyperparameters `hyper` can still settle at a minimum; None if it has no such fixed bound.

    On F = λx²/2 each method is a linear iteration whose characteristic polynomial's roots leave
    the unit disc through z = −1 first (0 ≤ μ < 1):
      GD        x ← x − ηλx                              1 − ηλ = −1:   λ < 2/η
      Momentum  b ← μb + (1 − τ)λx,  x ← x − ηb          z² − (1 + μ − ηλ(1 − τ))z + μ:
                                                           λ < 2(1 + μ)/(η(1 − τ))
      Nesterov  b ← μb + λx,  x ← x − η(λx + μb)         z² − (1 + μ)(1 − ηλ)z + μ(1 − ηλ):
                                                           at z = −1, 1 + (1 + 2μ)(1 − ηλ) = 0,
                                                           so λ < 2(1 + μ)/(η(1 + 2μ))
    Weight decay w adds wI to the Hessian the update sees, so the bound on F's own is w lower.
    Heun and RK4 multiply x by their stability function R(−ηλ): λ < L/η with L = 2 and 2.785...
    (gdviz.model.integrators). Implicit Euler settles at any sharpness, Newton's step does not
    depend on it, Adagrad, RMSprop, Adam and AdamW divide the step by the gradient's running
    size, and a maximizing run climbs rather than settles: None for them."""
    if bool(hyper.get("maximize", False)):
        return None
    lr = float(hyper["lr"])
    if name in ("Heun", "RK4"):
        return stability_limit(INTEGRATOR_METHODS[name]) / lr if lr > 0 else math.inf
    if name not in ("GD", "Momentum", "Nesterov"):
        return None
    mu = float(hyper.get("momentum", 0.0)) if name != "GD" else 0.0
    tau = float(hyper.get("dampening", 0.0)) if name == "Momentum" else 0.0
    if not lr > 0 or tau >= 1:       # no step, or τ = 1: the buffer forgets every new gradient
        return math.inf
    if name == "GD":
        bound = 2.0 / lr
    elif name == "Momentum":
        bound = 2.0 * (1.0 + mu) / (lr * (1.0 - tau))
    else:
        bound = 2.0 * (1.0 + mu) / (lr * (1.0 + 2.0 * mu))
    return bound - float(hyper.get("weight_decay", 0.0))


def bound_label(name: str, hyper: Mapping[str, float | bool] | None = None) -> str:
    """How the bound of `name` reads on a plot ("2/η" for GD); "" for an optimizer without one."""
    tau = float((hyper or {}).get("dampening", 0.0)) if name == "Momentum" else 0.0
    if name == "Momentum" and tau != 0:
        return "2(1 + μ)/(η(1 − τ))"
    return {"GD": "2/η", "Momentum": "2(1 + μ)/η", "Nesterov": "2(1 + μ)/(η(1 + 2μ))", "Heun": "2/η",
            "RK4": "2.785/η"}.get(name, "")
