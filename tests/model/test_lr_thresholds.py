"""Learning-rate thresholds of GD, heavy ball and Nesterov in torch's form (issue 14, §3),
checked against gdviz's torch-exact optimizers on F = λx²/2 just below and above each bound."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.optimizers import lr_threshold, run_optimizer


def _final(name: str, lam: float, lr: float, momentum: float) -> float:
    hyper = {"lr": lr} if name == "GD" else {"lr": lr, "momentum": momentum}
    run = run_optimizer(name, lambda X: lam * X, np.array([[1.0, 0.0]]), 3000, hyper)
    return float(np.abs(run.x[0, -1, 0])) if np.isfinite(run.x[0, -1, 0]) else math.inf


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["GD", "Momentum", "Nesterov"]), st.floats(0.1, 10.0), st.floats(0.01, 0.95))  # torch: Nesterov needs momentum > 0
def test_each_bound_separates_convergence_from_divergence(name, lam, momentum):
    limit = lr_threshold(name, lam, momentum)
    assert _final(name, lam, 0.97 * limit, momentum) < 1e-3
    assert _final(name, lam, 1.03 * limit, momentum) > 1.0


def test_the_known_forms():
    assert lr_threshold("GD", 4.0) == 0.5
    assert lr_threshold("Momentum", 1.0, 0.9) == pytest.approx(3.8)       # 2(1 + μ)
    assert lr_threshold("Nesterov", 1.0, 0.9) == pytest.approx(3.8 / 2.8)  # 2(1 + μ)/(1 + 2μ)
    assert math.isnan(lr_threshold("Adam", 1.0))
    assert lr_threshold("GD", 0.0) == math.inf                             # flat: no bound
    with pytest.raises(ValueError):
        lr_threshold("SGD-ish", 1.0)
