"""Optimizers: first steps by hand from the torch.optim pseudo-code, equivalences, divergence as data.

The quadratic is seed 003 in two variables: F(x, y) = 6x² + 9y² − 12x − 14y + 3, gradient
(12x − 12, 18y − 14), minimum at (1, 7/9), curvatures 12 and 18, so plain GD is stable exactly
for lr < 2/18. The `hand_*` functions below are written from the documented pseudo-code with
plain Python floats, one coordinate at a time; they never call the module under test.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.model.optimizers import (
    OPTIMIZERS,
    STOP_EVERY,
    Cancelled,
    OptimizerRun,
    heavy_ball_as_ode,
    resolve_hyper,
    run_optimizer,
)

X0 = (-0.9, 0.5)
MINIMUM = (1.0, 7 / 9)
F_MIN = -76 / 9
TOL = 1e-12


def grad_F(X: np.ndarray) -> np.ndarray:
    return np.stack([12 * X[:, 0] - 12, 18 * X[:, 1] - 14], axis=1)


def hess_F(X: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.array([[12.0, 0.0], [0.0, 18.0]]), (len(X), 2, 2))


def F(X: np.ndarray) -> np.ndarray:
    x, y = X[:, 0], X[:, 1]
    return 6 * x**2 + 9 * y**2 - 12 * x - 14 * y + 3


def grad_scalar(theta: list[float]) -> list[float]:
    x, y = theta
    return [12 * x - 12, 18 * y - 14]


# --------------------------------------------------------------------------- by hand

def hand_sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False,
             start=X0, steps=3):
    """torch.optim.SGD page; maximize negates the gradient first, as torch's code does."""
    theta, b, out = list(start), [0.0, 0.0], [tuple(start)]
    for t in range(1, steps + 1):
        grads = grad_scalar(theta)
        for i in range(2):
            g = -grads[i] if maximize else grads[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            if momentum != 0:
                if t > 1:
                    b[i] = momentum * b[i] + (1 - dampening) * g
                else:
                    b[i] = g
                if nesterov:
                    g = g + momentum * b[i]
                else:
                    g = b[i]
            theta[i] = theta[i] - lr * g
        out.append(tuple(theta))
    return out


def hand_adagrad(lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                 maximize=False, start=X0, steps=3):
    theta, state_sum, out = list(start), [initial_accumulator_value] * 2, [tuple(start)]
    for t in range(1, steps + 1):
        grads = grad_scalar(theta)
        lr_t = lr / (1 + (t - 1) * lr_decay)
        for i in range(2):
            g = -grads[i] if maximize else grads[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            state_sum[i] = state_sum[i] + g * g
            theta[i] = theta[i] - lr_t * g / (math.sqrt(state_sum[i]) + eps)
        out.append(tuple(theta))
    return out


def hand_rmsprop(lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                 maximize=False, start=X0, steps=3):
    theta, out = list(start), [tuple(start)]
    v, b, g_ave = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    for _t in range(1, steps + 1):
        grads = grad_scalar(theta)
        for i in range(2):
            g = -grads[i] if maximize else grads[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            v[i] = alpha * v[i] + (1 - alpha) * g * g
            v_tilde = v[i]
            if centered:
                g_ave[i] = g_ave[i] * alpha + (1 - alpha) * g
                v_tilde = v_tilde - g_ave[i] ** 2
            if momentum > 0:
                b[i] = momentum * b[i] + g / (math.sqrt(v_tilde) + eps)
                theta[i] = theta[i] - lr * b[i]
            else:
                theta[i] = theta[i] - lr * g / (math.sqrt(v_tilde) + eps)
        out.append(tuple(theta))
    return out


def hand_adam(lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False,
              maximize=False, decoupled=False, start=X0, steps=3):
    """torch.optim.Adam page, or AdamW's (decoupled=True); amsgrad as on the 2.x pages."""
    theta, out = list(start), [tuple(start)]
    m, v, v_max = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    for t in range(1, steps + 1):
        grads = grad_scalar(theta)
        for i in range(2):
            g = -grads[i] if maximize else grads[i]
            if decoupled:
                theta[i] = theta[i] - lr * weight_decay * theta[i]
            elif weight_decay != 0:
                g = g + weight_decay * theta[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            m_hat = m[i] / (1 - beta1**t)
            if amsgrad:
                v_max[i] = max(v_max[i], v[i])
                v_hat = v_max[i] / (1 - beta2**t)
            else:
                v_hat = v[i] / (1 - beta2**t)
            theta[i] = theta[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(tuple(theta))
    return out


HAND_CASES = [
    ("GD", {"lr": 0.05}, lambda: hand_sgd(0.05)),
    ("GD", {"lr": 0.05, "weight_decay": 0.3}, lambda: hand_sgd(0.05, weight_decay=0.3)),
    ("GD", {"lr": 0.01, "maximize": True}, lambda: hand_sgd(0.01, maximize=True)),
    ("Momentum", {"lr": 0.05, "momentum": 0.9}, lambda: hand_sgd(0.05, momentum=0.9)),
    ("Momentum", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.2},
     lambda: hand_sgd(0.05, momentum=0.9, dampening=0.5, weight_decay=0.2)),
    ("Momentum", {"lr": 0.02, "momentum": 0.7, "weight_decay": 0.2, "maximize": True},
     lambda: hand_sgd(0.02, momentum=0.7, weight_decay=0.2, maximize=True)),
    ("Nesterov", {"lr": 0.05, "momentum": 0.9}, lambda: hand_sgd(0.05, momentum=0.9, nesterov=True)),
    ("Nesterov", {"lr": 0.03, "momentum": 0.5, "weight_decay": 0.1},
     lambda: hand_sgd(0.03, momentum=0.5, weight_decay=0.1, nesterov=True)),
    ("Adagrad", {"lr": 0.5}, lambda: hand_adagrad(0.5)),
    ("Adagrad", {"lr": 0.5, "lr_decay": 0.3, "initial_accumulator_value": 2.0,
                 "weight_decay": 0.1, "eps": 1e-3},
     lambda: hand_adagrad(0.5, lr_decay=0.3, initial_accumulator_value=2.0, weight_decay=0.1,
                          eps=1e-3)),
    ("Adagrad", {"lr": 0.2, "maximize": True}, lambda: hand_adagrad(0.2, maximize=True)),
    ("RMSprop", {"lr": 0.01}, lambda: hand_rmsprop(0.01)),
    ("RMSprop", {"lr": 0.01, "momentum": 0.8}, lambda: hand_rmsprop(0.01, momentum=0.8)),
    ("RMSprop", {"lr": 0.01, "centered": True}, lambda: hand_rmsprop(0.01, centered=True)),
    ("RMSprop", {"lr": 0.02, "centered": True, "momentum": 0.5, "alpha": 0.9,
                 "weight_decay": 0.1, "eps": 1e-4},
     lambda: hand_rmsprop(0.02, centered=True, momentum=0.5, alpha=0.9, weight_decay=0.1,
                          eps=1e-4)),
    ("Adam", {"lr": 0.1}, lambda: hand_adam(0.1)),
    ("Adam", {"lr": 0.1, "weight_decay": 0.3}, lambda: hand_adam(0.1, weight_decay=0.3)),
    # beta2 = 0.1 makes v fall at t = 2 in x, so the AMSGrad maximum is actually used.
    ("Adam", {"lr": 0.5, "beta1": 0.5, "beta2": 0.1, "amsgrad": True},
     lambda: hand_adam(0.5, beta1=0.5, beta2=0.1, amsgrad=True)),
    ("Adam", {"lr": 0.1, "maximize": True}, lambda: hand_adam(0.1, maximize=True)),
    ("AdamW", {"lr": 0.1}, lambda: hand_adam(0.1, weight_decay=1e-2, decoupled=True)),
    ("AdamW", {"lr": 0.5, "weight_decay": 0.5, "amsgrad": True, "beta2": 0.1},
     lambda: hand_adam(0.5, weight_decay=0.5, amsgrad=True, beta2=0.1, decoupled=True)),
]


@pytest.mark.parametrize(("name", "hyper", "hand"), HAND_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(HAND_CASES)])
def test_first_three_steps_match_the_torch_pseudo_code(name, hyper, hand):
    run = run_optimizer(name, grad_F, np.array([X0]), 3, hyper)
    np.testing.assert_allclose(run.x[0], np.array(hand()), rtol=0, atol=TOL)


def test_gd_and_momentum_by_hand_in_literal_numbers():
    # GD, lr = 0.05 from (−0.9, 0.5): g = (−22.8, −5) -> (0.24, 0.75); g = (−9.12, −0.5)
    # -> (0.696, 0.775); g = (−3.648, −0.05) -> (0.8784, 0.7775).
    gd = run_optimizer("GD", grad_F, X0, 3, {"lr": 0.05})
    np.testing.assert_allclose(gd.x[0], [[-0.9, 0.5], [0.24, 0.75], [0.696, 0.775],
                                         [0.8784, 0.7775]], rtol=0, atol=TOL)
    # Momentum μ = 0.9: b₁ = g₁ -> (0.24, 0.75); b₂ = 0.9 b₁ + g₂ = (−29.64, −5.0) -> (1.722, 1.0);
    # g₃ = (8.664, 4.0), b₃ = (−18.012, −0.5) -> (2.6226, 1.025).
    mo = run_optimizer("Momentum", grad_F, X0, 3, {"lr": 0.05, "momentum": 0.9})
    np.testing.assert_allclose(mo.x[0], [[-0.9, 0.5], [0.24, 0.75], [1.722, 1.0],
                                         [2.6226, 1.025]], rtol=0, atol=TOL)
    # Adam's first step: m̂ = g, v̂ = g², so each coordinate moves by lr·g/(|g| + ε) ≈ lr.
    adam = run_optimizer("Adam", grad_F, X0, 1, {"lr": 0.1})
    np.testing.assert_allclose(adam.x[0, 1], [-0.8, 0.6], rtol=0, atol=1e-9)


def test_amsgrad_case_really_uses_the_maximum():
    with_max = hand_adam(0.5, beta1=0.5, beta2=0.1, amsgrad=True)
    without = hand_adam(0.5, beta1=0.5, beta2=0.1)
    assert with_max[1] == without[1] and with_max[2][0] != without[2][0]
    run = run_optimizer("Adam", grad_F, X0, 3, {"lr": 0.5, "beta1": 0.5, "beta2": 0.1})
    np.testing.assert_allclose(run.x[0], np.array(without), rtol=0, atol=TOL)


# --------------------------------------------------------------------------- GD on the quadratic

STARTS = np.array([[-0.9, 0.5], [3.0, -2.0], [0.0, 4.0]])


def test_gd_converges_from_three_starts():
    run = run_optimizer("GD", grad_F, STARTS, 400, {"lr": 0.05}, loss=F)
    assert isinstance(run, OptimizerRun)
    assert run.x.shape == (3, 401, 2) and run.loss.shape == (3, 401)
    assert (run.diverged_at == -1).all()
    np.testing.assert_allclose(run.x[:, -1], np.tile(MINIMUM, (3, 1)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.loss[:, -1], F_MIN, rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.loss, F(run.x.reshape(-1, 2)).reshape(3, 401), rtol=1e-15)
    assert (np.diff(run.loss, axis=1) <= 1e-12).all()   # lr < 1/18: the loss never goes up
    assert run.name == "GD" and run.hyper["lr"] == 0.05 and run.hyper["momentum"] == 0.0


def first_escape(y0: float, lr: float, bound: float, steps: int) -> int:
    """First n with |y_n| > bound for y ← y − lr (18y − 14), in the module's float order."""
    y = y0
    for n in range(1, steps + 1):
        y = y - lr * (18 * y - 14)
        if not abs(y) <= bound:
            return n
    return -1


def test_gd_diverges_just_above_two_over_curvature():
    lr = 2 / 18 + 5e-4                       # |1 − 18 lr| = 1.009: y oscillates outwards
    run = run_optimizer("GD", grad_F, STARTS, 5000, {"lr": lr}, loss=F)
    expected = [first_escape(y0, lr, 1e12, 5000) for y0 in STARTS[:, 1]]
    assert all(n > 0 for n in expected)
    np.testing.assert_array_equal(run.diverged_at, expected)
    for i, n in enumerate(run.diverged_at):
        assert np.isfinite(run.x[i, :n]).all() and np.isfinite(run.loss[i, :n]).all()
        assert np.isnan(run.x[i, n:]).all() and np.isnan(run.loss[i, n:]).all()
        assert np.abs(run.x[i, n - 1]).max() > 1e11          # it was on its way out
    below = run_optimizer("GD", grad_F, STARTS, 5000, {"lr": 2 / 18 - 5e-4})
    assert (below.diverged_at == -1).all()
    np.testing.assert_allclose(below.x[:, -1], np.tile(MINIMUM, (3, 1)), atol=1e-12)


def test_custom_bound_and_start_beyond_it():
    run = run_optimizer("GD", grad_F, [[0.0, 0.5], [0.0, 50.0]], 3, {"lr": 0.01}, bound=10.0)
    np.testing.assert_array_equal(run.diverged_at, [-1, 0])
    assert np.isnan(run.x[1]).all() and np.isfinite(run.x[0]).all()


# --------------------------------------------------------------------------- equivalences

def test_momentum_zero_is_gd_exactly():
    for extra in ({}, {"weight_decay": 0.2}, {"dampening": 0.7}):
        gd = run_optimizer("GD", grad_F, STARTS, 200, {"lr": 0.05, **{k: v for k, v in extra.items()
                                                                      if k != "dampening"}})
        mo = run_optimizer("Momentum", grad_F, STARTS, 200, {"lr": 0.05, "momentum": 0.0, **extra})
        np.testing.assert_array_equal(mo.x, gd.x)


def test_nesterov_differs_from_momentum_and_both_converge():
    hyper = {"lr": 0.02, "momentum": 0.9}
    mo = run_optimizer("Momentum", grad_F, STARTS, 1500, hyper)
    ne = run_optimizer("Nesterov", grad_F, STARTS, 1500, hyper)
    assert np.abs(mo.x[:, 2] - ne.x[:, 2]).max() > 1e-3
    for run in (mo, ne):
        np.testing.assert_allclose(run.x[:, -1], np.tile(MINIMUM, (3, 1)), atol=1e-10)
    # The look-ahead damps the overshoot: from x = −0.9 heavy ball flies to x ≈ 2.4, Nesterov
    # only to ≈ 1.8.
    assert (ne.x[0, :, 0] - 1).max() < 0.8 < 1.3 < (mo.x[0, :, 0] - 1).max()


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_adam_first_step_is_lr_whatever_the_gradient_scale(scale):
    lr = 0.01
    run = run_optimizer("Adam", lambda X: scale * grad_F(X), STARTS, 1, {"lr": lr})
    np.testing.assert_allclose(np.abs(run.x[:, 1] - run.x[:, 0]), lr, rtol=1e-4)
    gd = run_optimizer("GD", lambda X: scale * grad_F(X), STARTS, 1, {"lr": lr})
    step = np.abs(gd.x[:, 1] - gd.x[:, 0])
    np.testing.assert_allclose(step, lr * scale * np.abs(grad_F(STARTS)))   # GD's step scales


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_without_weight_decay_is_adam(amsgrad):
    hyper = {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "amsgrad": amsgrad}
    adam = run_optimizer("Adam", grad_F, STARTS, 300, hyper)
    adamw = run_optimizer("AdamW", grad_F, STARTS, 300, {**hyper, "weight_decay": 0.0})
    np.testing.assert_array_equal(adamw.x, adam.x)
    decayed = run_optimizer("AdamW", grad_F, STARTS, 300, {**hyper, "weight_decay": 0.1})
    coupled = run_optimizer("Adam", grad_F, STARTS, 300, {**hyper, "weight_decay": 0.1})
    assert np.abs(decayed.x - adam.x).max() > 1e-3 and np.abs(decayed.x - coupled.x).max() > 1e-3


MAXIMIZE_CASES = [
    ("GD", {"lr": 0.05, "weight_decay": 0.1}),
    ("Momentum", {"lr": 0.05, "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.1}),
    ("Nesterov", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.3, "lr_decay": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
]


@pytest.mark.parametrize(("name", "hyper"), MAXIMIZE_CASES, ids=[c[0] for c in MAXIMIZE_CASES])
def test_maximize_minus_F_is_minimize_F(name, hyper):
    down = run_optimizer(name, grad_F, STARTS, 100, hyper, loss=F)
    up = run_optimizer(name, lambda X: -grad_F(X), STARTS, 100, {**hyper, "maximize": True},
                       loss=lambda X: -F(X))
    np.testing.assert_array_equal(up.x, down.x)
    np.testing.assert_array_equal(up.loss, -down.loss)


def test_maximize_climbs():
    # −F is concave with its peak at the minimum of F; gradient ascent on −F finds it.
    run = run_optimizer("GD", lambda X: -grad_F(X), STARTS, 400, {"lr": 0.05, "maximize": True})
    np.testing.assert_allclose(run.x[:, -1], np.tile(MINIMUM, (3, 1)), atol=1e-12)


def test_grad_at_with_the_full_gradient_is_gd():
    seen: list[int] = []

    def full(X, n):
        seen.append(n)
        return grad_F(X)

    gd = run_optimizer("GD", grad_F, STARTS, 50, {"lr": 0.05})
    sgd = run_optimizer("GD", None, STARTS, 50, {"lr": 0.05}, grad_at=full)
    np.testing.assert_array_equal(sgd.x, gd.x)
    assert seen == list(range(50))
    # grad_at wins over grad when both are given.
    both = run_optimizer("GD", lambda X: 0 * X, STARTS, 50, {"lr": 0.05}, grad_at=full)
    np.testing.assert_array_equal(both.x, gd.x)


def test_minibatch_sgd_uses_the_step_index():
    # Least squares on 4 points, one point per step in turn: the iterates follow the batches.
    A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
    b = np.array([1.0, 2.0, 3.0, -1.0])

    def minibatch(X, n):
        a, y = A[n % 4], b[n % 4]
        return 2 * (X @ a - y)[:, None] * a[None, :]

    run = run_optimizer("GD", None, [[0.0, 0.0]], 4, {"lr": 0.1}, grad_at=minibatch)
    x = np.zeros(2)
    for n in range(4):                       # by hand, one sample per step
        a, y = A[n], b[n]
        x = x - 0.1 * 2 * (a @ x - y) * a
        np.testing.assert_allclose(run.x[0, n + 1], x, rtol=0, atol=TOL)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_starts_are_independent(name):
    # State is per start: a batch run equals each start run alone, bit for bit.
    hyper = {"lr": 0.05}
    batch = run_optimizer(name, grad_F, STARTS, 60, hyper, hessian=hess_F)
    for i, start in enumerate(STARTS):
        alone = run_optimizer(name, grad_F, start, 60, hyper, hessian=hess_F)
        assert alone.x.shape == (1, 61, 2)
        np.testing.assert_array_equal(batch.x[i], alone.x[0])


# --------------------------------------------------------------------------- API edges

def test_no_loss_gives_nan_and_caller_array_is_untouched():
    x0 = STARTS.copy()
    run = run_optimizer("Adam", grad_F, x0, 5)
    assert run.loss.shape == (3, 6) and np.isnan(run.loss).all()
    np.testing.assert_array_equal(x0, STARTS)
    assert run.diverged_at.dtype.kind == "i" and run.steps == 5
    assert not run.diverged.any()


def test_zero_steps():
    run = run_optimizer("RMSprop", grad_F, STARTS, 0, loss=F)
    np.testing.assert_array_equal(run.x[:, 0], STARTS)
    np.testing.assert_allclose(run.loss[:, 0], F(STARTS))


def test_cancelled():
    with pytest.raises(Cancelled):
        run_optimizer("GD", grad_F, STARTS, 10, should_stop=lambda: True)
    calls = []

    def stop_on_second_ask():
        calls.append(1)
        return len(calls) >= 2

    with pytest.raises(Cancelled):
        run_optimizer("Adam", grad_F, STARTS, 3 * STOP_EVERY, should_stop=stop_on_second_ask)
    assert len(calls) == 2
    run = run_optimizer("GD", grad_F, STARTS, 3 * STOP_EVERY, should_stop=lambda: False)
    assert run.x.shape == (3, 3 * STOP_EVERY + 1, 2)


BAD = [
    ("SGD", {}, "unknown optimizer"),
    ("GD", {"lr": -0.1}, "lr"),
    ("GD", {"momentum": 0.9}, "fixed"),
    ("GD", {"betas": (0.9, 0.99)}, "unknown hyperparameter"),
    ("GD", {"lr": float("nan")}, "finite"),
    ("GD", {"lr": float("inf")}, "finite"),
    ("GD", {"lr": "0.1"}, "number"),
    ("GD", {"lr": True}, "number"),
    ("GD", {"weight_decay": -1.0}, "weight_decay"),
    ("GD", {"maximize": 1}, "True or False"),
    ("Momentum", {"momentum": -0.5}, "momentum"),
    ("Momentum", {"nesterov": True}, "fixed"),
    ("Nesterov", {"momentum": 0.0}, "Nesterov momentum requires"),
    ("Nesterov", {"dampening": 0.1}, "Nesterov momentum requires"),
    ("Nesterov", {"nesterov": False}, "fixed"),
    ("Adagrad", {"lr_decay": -0.1}, "lr_decay"),
    ("Adagrad", {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
    ("Adagrad", {"eps": -1e-10}, "eps"),
    ("RMSprop", {"alpha": -0.5}, "alpha"),
    ("RMSprop", {"momentum": -0.1}, "momentum"),
    ("RMSprop", {"centered": "yes"}, "True or False"),
    ("Adam", {"beta1": 1.0}, "beta1"),
    ("Adam", {"beta2": -0.01}, "beta2"),
    ("Adam", {"eps": -1.0}, "eps"),
    ("Adam", {"amsgrad": None}, "True or False"),
    ("AdamW", {"beta2": 1.5}, "beta2"),
    ("AdamW", {"weight_decay": -0.01}, "weight_decay"),
]


@pytest.mark.parametrize(("name", "hyper", "message"), BAD,
                         ids=[f"{b[0]}-{'-'.join(b[1]) or 'name'}" for b in BAD])
def test_bad_hyperparameters_raise_value_error(name, hyper, message):
    with pytest.raises(ValueError, match=message):
        resolve_hyper(name, hyper)
    with pytest.raises(ValueError, match=message):
        run_optimizer(name, grad_F, STARTS, 3, hyper)


def test_error_messages_list_the_valid_names():
    with pytest.raises(ValueError) as info:
        run_optimizer("adam", grad_F, STARTS, 3)
    assert all(name in str(info.value) for name in OPTIMIZERS)
    with pytest.raises(ValueError) as info:
        resolve_hyper("Adam", {"betas": (0.9, 0.999)})
    assert "beta1" in str(info.value) and "amsgrad" in str(info.value)


def test_bad_arguments_raise_value_error():
    with pytest.raises(ValueError, match="steps"):
        run_optimizer("GD", grad_F, STARTS, -1)
    with pytest.raises(ValueError, match="steps"):
        run_optimizer("GD", grad_F, STARTS, 2.5)
    with pytest.raises(ValueError, match="x0"):
        run_optimizer("GD", grad_F, np.zeros((2, 2, 2)), 3)
    with pytest.raises(ValueError, match="x0"):
        run_optimizer("GD", grad_F, np.zeros((0, 2)), 3)
    with pytest.raises(ValueError, match="gradient returned shape"):
        run_optimizer("GD", lambda X: X[:, 0], STARTS, 3)
    with pytest.raises(ValueError, match="loss returned shape"):
        run_optimizer("GD", grad_F, STARTS, 3, loss=lambda X: 1.0)
    with pytest.raises(ValueError, match="grad"):
        run_optimizer("GD", None, STARTS, 3)


def test_registry_defaults_are_torchs_and_valid():
    assert set(OPTIMIZERS) == {"GD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam", "AdamW",
                               "Implicit Euler", "Heun", "RK4", "Newton"}     # and the flow's integrators
    assert OPTIMIZERS["Adam"].hyper == {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                        "weight_decay": 0.0, "amsgrad": False, "maximize": False}
    assert OPTIMIZERS["AdamW"].hyper["weight_decay"] == 1e-2
    assert OPTIMIZERS["Adagrad"].hyper == {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0,
                                           "initial_accumulator_value": 0.0, "eps": 1e-10,
                                           "maximize": False}
    assert OPTIMIZERS["RMSprop"].hyper == {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8,
                                           "weight_decay": 0.0, "momentum": 0.0,
                                           "centered": False, "maximize": False}
    for name, spec in OPTIMIZERS.items():
        assert spec.name == name and spec.formula and "\n" not in spec.formula[:1]
        resolved = resolve_hyper(name)
        assert set(resolved) == set(spec.names)
        with pytest.raises(TypeError):
            spec.hyper["lr"] = 1.0                         # the registry is read-only


# --------------------------------------------------------------------------- property test

NONNEG = {"SGD": ("lr", "momentum", "weight_decay"),
          "Adagrad": ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
          "RMSprop": ("lr", "eps", "momentum", "weight_decay", "alpha"),
          "Adam": ("lr", "eps", "weight_decay"), "AdamW": ("lr", "eps", "weight_decay"),
          "ImplicitEuler": ("lr",), "Heun": ("lr",), "RK4": ("lr",), "Newton": ("lr",)}


def is_valid(name: str, h: dict) -> bool:
    """torch's rules, restated independently of the module."""
    algorithm = OPTIMIZERS[name].algorithm
    if any(h[key] < 0 for key in NONNEG[algorithm]):
        return False
    if algorithm in ("Adam", "AdamW") and not (0 <= h["beta1"] < 1 and 0 <= h["beta2"] < 1):
        return False
    if h.get("nesterov") and (h["momentum"] <= 0 or h["dampening"] != 0):
        return False
    return True


number = st.one_of(st.floats(-0.5, 1.5, allow_nan=False), st.sampled_from([0.0, 1.0, 0.999999]))


@st.composite
def optimizer_calls(draw):
    name = draw(st.sampled_from(sorted(OPTIMIZERS)))
    spec = OPTIMIZERS[name]
    keys = draw(st.lists(st.sampled_from(sorted(spec.hyper)), unique=True))
    hyper = {key: draw(st.booleans() if isinstance(spec.hyper[key], bool) else number)
             for key in keys}
    k = draw(st.integers(1, 4))
    starts = draw(st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)),
                           min_size=k, max_size=k))
    curvature = draw(st.sampled_from([1.0, 1e-3, 1e3]))
    return name, hyper, np.array(starts), draw(st.integers(0, 40)), curvature


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(optimizer_calls())
def test_property_valid_runs_never_raise_invalid_raise_value_error(call):
    name, hyper, starts, steps, c = call
    full = {**OPTIMIZERS[name].hyper, **OPTIMIZERS[name].fixed, **hyper}
    grad = lambda X: c * grad_F(X)             # noqa: E731 - a convex quadratic, scaled
    loss = lambda X: c * F(X)                  # noqa: E731
    hessian = lambda X: c * hess_F(X)          # noqa: E731
    if not is_valid(name, full):
        with pytest.raises(ValueError):
            run_optimizer(name, grad, starts, steps, hyper, loss=loss, hessian=hessian)
        return
    run = run_optimizer(name, grad, starts, steps, hyper, loss=loss, hessian=hessian)
    k = len(starts)
    assert run.x.shape == (k, steps + 1, 2) and run.loss.shape == (k, steps + 1)
    assert run.diverged_at.shape == (k,)
    np.testing.assert_array_equal(run.x[:, 0], starts)
    for i, n in enumerate(run.diverged_at):
        end = steps + 1 if n < 0 else n
        assert 1 <= n <= steps or n == -1
        assert np.isfinite(run.x[i, :end]).all() and (np.abs(run.x[i, :end]) <= 1e12).all()
        assert np.isnan(run.x[i, end:]).all() and np.isnan(run.loss[i, end:]).all()


# --------------------------------------------------------------------------- physics view

def test_heavy_ball_as_ode_values():
    assert heavy_ball_as_ode(0.01, 0.9) == pytest.approx((0.1, 1.0), abs=1e-15)
    assert heavy_ball_as_ode(0.25, 0.0) == pytest.approx((0.5, 2.0), abs=1e-15)
    dt, gamma = heavy_ball_as_ode(0.04, 1.0)
    assert dt == pytest.approx(0.2) and gamma == 0.0                  # frictionless
    assert heavy_ball_as_ode(0.04, 1.2)[1] < 0                        # energy pumped in
    for lr, mu in ((0.0, 0.9), (-0.1, 0.9), (0.1, -0.1), (float("nan"), 0.5)):
        with pytest.raises(ValueError):
            heavy_ball_as_ode(lr, mu)


def test_momentum_is_semi_implicit_euler_of_the_damped_newton_equation():
    # F(x) = x⁴/4 − x²/2 + 0.3x; ODE x'' + γ x' = −F'(x), velocity u = x', u₀ = 0.
    def dF(x):
        return x**3 - x + 0.3

    lr, mu = 0.01, 0.85
    dt, gamma = heavy_ball_as_ode(lr, mu)
    x, u, xs = 1.7, 0.0, [1.7]
    for _ in range(200):
        u = u + dt * (-gamma * u - dF(x))
        x = x + dt * u
        xs.append(x)
    run = run_optimizer("Momentum", lambda X: dF(X), [1.7], 200, {"lr": lr, "momentum": mu})
    np.testing.assert_allclose(run.x[0, :, 0], xs, rtol=1e-12, atol=1e-12)


def test_momentum_converges_to_the_damped_oscillator_as_lr_shrinks():
    # F = ω² x²/2: x'' + γ x' + ω² x = 0, x(0) = 1, x'(0) = 0 has a closed form (underdamped).
    omega, gamma, T = 2.0, 0.5, 3.0
    wd = math.sqrt(omega**2 - gamma**2 / 4)
    exact = math.exp(-gamma * T / 2) * (math.cos(wd * T) + gamma / (2 * wd) * math.sin(wd * T))
    dts, errors = [0.02, 0.01, 0.005, 0.0025], []
    for dt in dts:
        lr, mu = dt**2, 1 - gamma * dt                     # the inverse of heavy_ball_as_ode
        assert heavy_ball_as_ode(lr, mu) == pytest.approx((dt, gamma), rel=1e-12)
        run = run_optimizer("Momentum", lambda X: omega**2 * X, [1.0], round(T / dt),
                            {"lr": lr, "momentum": mu})
        errors.append(abs(run.x[0, -1, 0] - exact))
    slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    assert errors[-1] < 5e-3 and 0.8 <= slope <= 1.2           # first order in Δt
