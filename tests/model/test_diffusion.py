"""Issue 15 §3: SGD on a noisy quadratic settles into the variance the discrete iteration predicts."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.diffusion import (
    NoiseScene,
    burn_in,
    evaluate_noise,
    exact_variance,
    noise_csv,
    run_chains,
    sde_variance,
)


@pytest.mark.parametrize("lr, batch, a, sigma", [(0.1, 4, 1.0, 1.0), (0.5, 1, 2.0, 0.3), (1.5, 8, 1.0, 2.0)])
def test_measured_variance_is_within_5_percent_of_the_exact_discrete_value(lr, batch, a, sigma):
    r = evaluate_noise(NoiseScene(lr=lr / a, batch=batch, curvature=a, noise=sigma, steps=5000, chains=200, seed=7))
    exact = lr / a * sigma ** 2 / (batch * a * (2 - lr))
    assert r.base.exact == pytest.approx(exact, rel=1e-12)
    assert abs(r.base.measured / exact - 1) < 0.05
    assert r.base.std_error < 0.02 * exact            # the run is long enough for the check to mean something


def test_the_scaling_rule_runs_agree_within_10_percent():
    r = evaluate_noise(NoiseScene(lr=0.05, batch=2, curvature=1.0, noise=1.0, steps=5000, chains=200, seed=3))
    assert r.scaled is not None and r.scaled.lr == 0.1 and r.scaled.batch == 4
    assert abs(r.measured_ratio - 1) < 0.10
    assert r.base.sde == pytest.approx(r.scaled.sde)          # the SDE's spread depends on η/B only


def test_the_scaling_rule_breaks_where_the_exact_variances_say():
    """At ηa = 0.6 the exact ratio is (2 − 0.6)/(2 − 1.2) = 1.75: the measured ratio follows it, not the SDE."""
    r = evaluate_noise(NoiseScene(lr=0.6, batch=2, steps=5000, chains=200, seed=5))
    assert r.exact_ratio == pytest.approx(1.75)
    assert r.measured_ratio == pytest.approx(1.75, rel=0.05)


def test_sde_variance_is_the_eta_to_zero_limit_of_the_exact_one():
    ratios = [exact_variance(lr, 3, 2.0, 1.5) / sde_variance(lr, 3, 2.0, 1.5) for lr in (1e-1, 1e-2, 1e-3, 1e-4)]
    assert ratios == sorted(ratios, reverse=True)
    for lr, ratio in zip((1e-1, 1e-2, 1e-3, 1e-4), ratios):
        assert ratio - 1 == pytest.approx(lr * 2.0 / 2, rel=0.2)     # 2/(2 − ηa) − 1 ≈ ηa/2
    assert ratios[-1] == pytest.approx(1, abs=2e-4)


def test_block_recursion_equals_the_step_by_step_iteration():
    rng = np.random.default_rng(0)
    late = run_chains(0.3, 2, 1.5, 1.0, 3, 150, rng, burn=20)
    rng = np.random.default_rng(0)
    x, out = np.zeros(3), []
    for start in range(0, 170, 64):
        u = rng.standard_normal((min(64, 170 - start), 3)) * -(0.3 / math.sqrt(2))
        for row in u:
            x = (1 - 0.45) * x + row
            out.append(x.copy())
    np.testing.assert_allclose(late, np.array(out)[20:].T, rtol=1e-12, atol=1e-15)


def test_burn_in_lets_the_variance_build_up():
    for lr in (0.01, 0.5, 1.0, 1.9):
        n = burn_in(lr, 1.0)
        assert abs(1 - lr) ** (2 * n) <= 1e-3 or lr == 1.0


def test_a_tiny_curvature_is_a_sentence_not_a_division_by_zero():
    """1 − ηa rounds to 1 for ηa below 1e-16: the burn-in is then (near) endless, not 1/log(1)."""
    assert burn_in(1.0, 1e-130) > 10**100
    with pytest.raises(ValueError, match=r"need .* steps to settle"):
        NoiseScene(lr=1.0, curvature=1e-130)


def test_same_seed_same_run_other_seed_other_run():
    s = NoiseScene(steps=300, chains=20)
    a, b, c = evaluate_noise(s), evaluate_noise(s), evaluate_noise(s.with_(seed=2))
    assert np.array_equal(a.base.late, b.base.late)
    assert not np.array_equal(a.base.late, c.base.late)


def test_histogram_is_a_density_of_the_late_iterates():
    r = evaluate_noise(NoiseScene(steps=500, chains=50))
    counts, _ = np.histogram(r.base.late, r.edges)
    np.testing.assert_allclose(r.base.density * np.diff(r.edges) * r.base.late.size, counts)
    x, y = r.outline(r.base)
    assert x.size == y.size and y[0] == y[-1] == 0


def test_unstable_scaled_run_is_a_note_not_a_crash():
    r = evaluate_noise(NoiseScene(lr=1.2, steps=200, chains=10))
    assert r.scaled is None and "diverges" in r.scaled_note and r.scaled_pdf.size == 0


def test_csv_has_the_late_iterates_of_every_chain():
    r = evaluate_noise(NoiseScene(steps=30, chains=4))
    lines = noise_csv(r).splitlines()
    assert lines[0] == "chain,n,x" and len(lines) == 1 + 4 * 30
    chain, n, x = lines[1 + 30 + 5].split(",")
    assert (int(chain), int(n)) == (1, r.base.burn + 6) and float(x) == r.base.late[1, 5]


@settings(max_examples=60, deadline=None)
@given(lr=st.floats(allow_nan=True, allow_infinity=True), a=st.floats(allow_nan=True, allow_infinity=True),
       sigma=st.floats(allow_nan=True, allow_infinity=True), batch=st.integers(-5, 2_000_000),
       steps=st.integers(-5, 10_000_000), chains=st.integers(-5, 20_000))
def test_bad_numbers_give_a_sentence_not_a_crash_or_a_hang(lr, a, sigma, batch, steps, chains):
    try:
        scene = NoiseScene(lr=lr, batch=batch, curvature=a, noise=sigma, steps=steps, chains=chains)
    except ValueError as exc:
        message = str(exc)
        assert message and "Traceback" not in message and "\n" not in message
        return
    assert 0 < scene.lr * scene.curvature < 2
    assert scene.chains * scene.steps <= 4_000_000


@settings(max_examples=40, deadline=None)
@given(ha=st.floats(2.0, 1e6) | st.floats(-1e6, 0.0))
def test_eta_outside_the_stable_range_is_refused_with_a_sentence(ha):
    with pytest.raises(ValueError, match=r"diverge|above 0"):
        NoiseScene(lr=ha, curvature=1.0)


@pytest.mark.parametrize("lr, a", [(9.462027763673298e-182, 9.462027763673298e-182), (1.0, 2.2250738585e-313)])
def test_an_underflowing_or_subnormal_eta_times_a_is_a_sentence(lr, a):
    """Found by hypothesis after the merge: η·a underflowing to 0 divided by zero, and a subnormal
    η·a overflowed the burn-in's step count; both are now one sentence."""
    with pytest.raises(ValueError, match="too small"):
        NoiseScene(lr=lr, curvature=a)
