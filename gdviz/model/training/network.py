"""A two-layer tanh network with a flat parameter vector: loss, exact gradient, exact
Hessian-vector products (Pearlmutter's R-operator), all in numpy.

    f(x) = W2 tanh(W1 x + b1) + b2,    L(θ) = (1/2n) Σ_i |f(x_i) − y_i|²

θ is one vector [W1, b1, W2, b2] so the optimizers and the eigenvalue solver see the network as
a point in R^p, the same picture as the 1-D and 2-D tabs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Vector = np.ndarray
HessianVector = Callable[[Vector], Vector]


@dataclass(frozen=True)
class Shape:
    """Inputs d, hidden units h, outputs k."""

    inputs: int
    hidden: int
    outputs: int = 1

    @property
    def size(self) -> int:
        d, h, k = self.inputs, self.hidden, self.outputs
        return h * d + h + k * h + k

    def unpack(self, theta: Vector) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """W1 (h×d), b1 (h), W2 (k×h), b2 (k): views into θ, no copy."""
        d, h, k = self.inputs, self.hidden, self.outputs
        i1, i2, i3 = h * d, h * d + h, h * d + h + k * h
        return theta[:i1].reshape(h, d), theta[i1:i2], theta[i2:i3].reshape(k, h), theta[i3:]

    def initial(self, seed: int) -> Vector:
        """LeCun-normal weights (variance 1/fan-in), zero biases: the usual start."""
        rng = np.random.default_rng(seed)
        d, h, k = self.inputs, self.hidden, self.outputs
        w1 = rng.standard_normal((h, d)) / np.sqrt(d)
        w2 = rng.standard_normal((k, h)) / np.sqrt(h)
        return pack(w1, np.zeros(h), w2, np.zeros(k))


def pack(*arrays: np.ndarray) -> Vector:
    return np.concatenate([np.ravel(a) for a in arrays])


def predict(shape: Shape, theta: Vector, x: np.ndarray) -> np.ndarray:
    """The network's outputs at the rows of x (n×d → n×k)."""
    w1, b1, w2, b2 = shape.unpack(theta)
    return np.tanh(x @ w1.T + b1) @ w2.T + b2


def loss(shape: Shape, theta: Vector, x: np.ndarray, y: np.ndarray) -> float:
    residual = predict(shape, theta, x) - y
    return float(0.5 * np.sum(residual * residual) / len(x))


def loss_and_gradient(shape: Shape, theta: Vector, x: np.ndarray, y: np.ndarray) -> tuple[float, Vector]:
    """L(θ) and ∇L(θ) by backpropagation (one forward and one backward pass)."""
    w1, b1, w2, b2 = shape.unpack(theta)
    a = np.tanh(x @ w1.T + b1)
    residual = a @ w2.T + b2 - y
    r = residual / len(x)
    delta = (r @ w2) * (1.0 - a * a)
    value = float(0.5 * np.sum(residual * residual) / len(x))
    return value, pack(delta.T @ x, delta.sum(0), r.T @ a, r.sum(0))


def hessian_at(shape: Shape, theta: Vector, x: np.ndarray, y: np.ndarray) -> HessianVector:
    """v ↦ ∇²L(θ) v, exact: the R-operator applied to backpropagation. The forward pass at θ is
    done once here, so each product costs about one gradient (the eigenvalue solver calls it
    ten times in a row at the same θ)."""
    w1, b1, w2, b2 = shape.unpack(theta)
    n = len(x)
    a = np.tanh(x @ w1.T + b1)
    slope = 1.0 - a * a                       # tanh' at the hidden layer
    r = (a @ w2.T + b2 - y) / n
    back = r @ w2                             # the residual sent back to the hidden layer

    def product(v: Vector) -> Vector:
        v1, c1, v2, c2 = shape.unpack(v)
        ra = slope * (x @ v1.T + c1)          # R{a}
        rr = (ra @ w2.T + a @ v2.T + c2) / n  # R{r}
        rdelta = (rr @ w2 + r @ v2) * slope - 2.0 * back * a * ra
        return pack(rdelta.T @ x, rdelta.sum(0), rr.T @ a + r.T @ ra, rr.sum(0))

    return product


def hessian_matrix(shape: Shape, theta: Vector, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The full p×p Hessian, one product per column: for tests and small checks only."""
    product = hessian_at(shape, theta, x, y)
    columns = np.array([product(e) for e in np.eye(shape.size)])
    return 0.5 * (columns + columns.T)
