"""Nesterov's method and its ODE X'' + (3/t)X' + F'(X) = 0 (Su, Boyd and Candès), checked on
F = λx²/2 where X(t) = 2x0·J1(√λ t)/(√λ t) (issue 14, §3)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.accelerated import BESSEL_J1_FIRST_ZERO, first_sign_change, nesterov_iterates, nesterov_ode


def _bessel_j1(z: np.ndarray) -> np.ndarray:
    """J1 by its power series (enough terms for z < 20), to check the ODE independently."""
    total = np.zeros_like(z)
    for m in range(40):
        total += (-1) ** m / (math.factorial(m) * math.factorial(m + 1)) * (z / 2) ** (2 * m + 1)
    return total


@pytest.mark.parametrize("lam", [0.5, 1.0, 4.0])
def test_the_ode_is_the_bessel_solution(lam):
    t, X = nesterov_ode(lambda x: lam * x, 1.0, 12.0 / math.sqrt(lam))
    z = np.sqrt(lam) * t[1:]
    assert np.max(np.abs(X[1:] - 2 * _bessel_j1(z) / z)) < 1e-7
    zero = t[first_sign_change(X)]
    assert zero == pytest.approx(BESSEL_J1_FIRST_ZERO / math.sqrt(lam), abs=t[1] - t[0])


@settings(max_examples=25, deadline=None)
@given(st.floats(0.2, 5.0), st.floats(1e-4, 1e-2))
def test_the_iterates_change_sign_within_a_step_of_the_odes_zero(lam, s):
    """The issue's check: the first sign change is within one step of k = 3.8317/√(sλ)."""
    k_expected = BESSEL_J1_FIRST_ZERO / math.sqrt(s * lam)
    xs = nesterov_iterates(lambda x: lam * x, 1.0, s, int(3 * k_expected) + 10)
    k = first_sign_change(xs)
    assert k is not None and abs(k - k_expected) <= 1.0 + 1e-9


def test_no_sign_change_is_none():
    assert first_sign_change(np.array([1.0, 0.5, 0.25])) is None
