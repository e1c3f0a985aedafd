"""SGD on data: the MSE landscape of y = w x + b, its gradient, least squares, minibatch schedules.

The hand formulas (∂/∂w = 2/n Σ (w x + b − y) x, ∂/∂b = 2/n Σ (w x + b − y), the loss as a
plain mean of squares) are written with Python floats below and never call the module's maths.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.model.euler import Cancelled
from gdviz.model.optimizers import run_optimizer
from gdviz.model.regression import (
    MAX_ABS,
    MAX_POINTS,
    Dataset,
    batches_per_epoch,
    fit,
    least_squares,
    make_dataset,
    minibatch_schedule,
    mse,
    mse_grad,
    mse_hessian,
    sgd_grad_at,
)

STARTS = np.array([[0.0, 0.0], [4.0, 3.0], [-3.0, -2.5]])


@pytest.fixture(scope="module")
def data() -> Dataset:
    return make_dataset()          # n = 50, y = 2x − 1 + 0.5 ε, x in (−2, 2), seed 0


def hand_loss(ds: Dataset, w: float, b: float) -> float:
    return sum((w * x + b - y) ** 2 for x, y in zip(ds.x.tolist(), ds.y.tolist())) / ds.n


def hand_grad(ds: Dataset, w: float, b: float, idx=None) -> tuple[float, float]:
    idx = range(ds.n) if idx is None else [int(i) for i in idx]
    gw = gb = 0.0
    for i in idx:
        r = w * float(ds.x[i]) + b - float(ds.y[i])
        gw += r * float(ds.x[i])
        gb += r
    return 2 * gw / len(idx), 2 * gb / len(idx)


# --------------------------------------------------------------------------- data

def test_make_dataset_is_reproducible_and_new_data_is_the_next_seed(data):
    again = make_dataset()
    np.testing.assert_array_equal(again.x, data.x)
    np.testing.assert_array_equal(again.y, data.y)
    other = data.next()
    assert other.seed == 1 and other.n == data.n and other.true_w == 2.0 and other.noise == 0.5
    assert not np.array_equal(other.x, data.x)
    np.testing.assert_array_equal(other.y, make_dataset(seed=1).y)
    np.testing.assert_array_equal(data.with_seed(0).y, data.y)
    assert data.x.shape == data.y.shape == (50,)
    assert np.all((data.x >= -2) & (data.x <= 2))
    with pytest.raises(ValueError):
        data.x[0] = 1.0                                   # read-only: shared across threads


def test_noise_rescales_the_same_draws():
    clean = make_dataset(n=30, w=-1.5, b=0.25, noise=0.0, seed=7)
    np.testing.assert_array_equal(clean.y, -1.5 * clean.x + 0.25)
    noisy = make_dataset(n=30, w=-1.5, b=0.25, noise=2.0, seed=7)
    np.testing.assert_array_equal(noisy.x, clean.x)
    assert least_squares(clean) == pytest.approx((-1.5, 0.25), abs=1e-12)
    assert mse(clean, -1.5, 0.25) == pytest.approx(0.0, abs=1e-24)


@pytest.mark.parametrize("kwargs", [
    {"n": 1}, {"n": 0}, {"n": MAX_POINTS + 1}, {"n": 2.5}, {"n": True}, {"noise": -0.1},
    {"noise": math.nan}, {"w": math.inf}, {"b": 2 * MAX_ABS}, {"x_range": (1.0, 1.0)},
    {"x_range": (2.0, -2.0)}, {"x_range": (0.0, math.inf)}, {"x_range": 3.0},
    {"x_range": (1, 2, 3)}, {"seed": -1}, {"seed": 1.5}, {"w": "2"},
])
def test_make_dataset_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        make_dataset(**kwargs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(-2, 400),
       noise=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 10)),
       lo=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-10, 10)),
       width=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 20)),
       w=st.floats(-1e7, 1e7), seed=st.integers(-5, 2**40))
def test_make_dataset_gives_a_dataset_or_value_error(n, noise, lo, width, w, seed):
    hi = lo + width if math.isfinite(lo) and math.isfinite(width) else width
    try:
        ds = make_dataset(n=n, w=w, b=0.5, noise=noise, x_range=(lo, hi), seed=seed)
    except ValueError:
        return
    assert 2 <= ds.n <= MAX_POINTS and ds.x.shape == ds.y.shape == (n,)
    assert np.all(np.isfinite(ds.x)) and np.all(np.isfinite(ds.y))
    assert np.all((ds.x >= lo) & (ds.x <= hi)) and np.ptp(ds.x) > 0
    w_star, b_star = least_squares(ds)
    assert math.isfinite(w_star) and math.isfinite(b_star)
    assert np.all(np.isfinite(mse_grad(ds, STARTS)))
    # The landscape is a quadratic with its bottom at least squares: never below it.
    grid = mse(ds, w_star + np.linspace(-1, 1, 5)[:, None], b_star + np.linspace(-1, 1, 5))
    assert np.all(grid >= mse(ds, w_star, b_star))


# --------------------------------------------------------------------------- the loss

def test_mse_matches_the_plain_mean_and_broadcasts_over_a_grid(data):
    W, B = np.meshgrid(np.linspace(-3, 5, 7), np.linspace(-4, 2, 5))
    got = mse(data, W, B)
    assert got.shape == (5, 7)
    want = np.array([[hand_loss(data, w, b) for w, b in zip(rw, rb)] for rw, rb in zip(W, B)])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert mse(data, W[:, :1], B[0]).shape == (5, 7)


def test_least_squares_matches_polyfit_and_is_the_bottom(data):
    w, b = least_squares(data)
    np.testing.assert_allclose((w, b), np.polyfit(data.x, data.y, 1), rtol=1e-12)
    assert np.array_equal(mse_grad(data, np.array([[w, b]])), [[0.0, 0.0]])
    assert mse(data, w, b) == pytest.approx(hand_loss(data, w, b), rel=1e-12)
    ring = np.linspace(0, 2 * np.pi, 16)
    assert np.all(mse(data, w + 1e-3 * np.cos(ring), b + 1e-3 * np.sin(ring)) > mse(data, w, b))


def test_gradient_matches_the_hand_formula_full_and_minibatch(data):
    idx = np.array([3, 17, 17, 40, 8])                   # a repeated index counts twice
    got_full, got_batch = mse_grad(data, STARTS), mse_grad(data, STARTS, idx)
    for row, (w, b) in enumerate(STARTS):
        np.testing.assert_allclose(got_full[row], hand_grad(data, w, b), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got_batch[row], hand_grad(data, w, b, idx), rtol=1e-12,
                                   atol=1e-12)
    # Every sample, in any order, is the full gradient (up to the order of the sum).
    np.testing.assert_allclose(mse_grad(data, STARTS, np.arange(data.n)[::-1]), got_full,
                               rtol=1e-12, atol=1e-12)
    assert mse_grad(data, np.array([1.0, 2.0])).shape == (2,)
    with pytest.raises(ValueError):
        mse_grad(data, np.zeros((3, 3)))
    with pytest.raises(ValueError):
        mse_grad(data, STARTS, np.array([], dtype=int))


def test_gradient_matches_finite_differences(data):
    eps = 1e-6
    for w, b in STARTS:
        fd = [(hand_loss(data, w + eps, b) - hand_loss(data, w - eps, b)) / (2 * eps),
              (hand_loss(data, w, b + eps) - hand_loss(data, w, b - eps)) / (2 * eps)]
        np.testing.assert_allclose(mse_grad(data, np.array([w, b])), fd, rtol=1e-7, atol=1e-7)


def test_hessian_is_the_second_difference_and_bounds_the_stable_lr(data):
    H = mse_hessian(data)
    e = 1e-3
    for i in range(2):
        d = np.zeros(2)
        d[i] = e
        col = (mse_grad(data, STARTS[1] + d) - mse_grad(data, STARTS[1] - d)) / (2 * e)
        np.testing.assert_allclose(H[:, i], col, rtol=1e-9)
    limit = 2 / np.linalg.eigvalsh(H).max()
    assert not fit(data, STARTS, 300, hyper={"lr": 0.98 * limit}).diverged.any()
    assert fit(data, STARTS[1:2], 3000, hyper={"lr": 1.02 * limit}).diverged.all()


# --------------------------------------------------------------------------- full batch

def test_full_batch_gd_converges_to_least_squares(data):
    run = fit(data, STARTS, 400, hyper={"lr": 0.3})
    assert run.x.shape == (3, 401, 2) and run.name == "GD"
    np.testing.assert_allclose(run.x[:, -1], np.tile(least_squares(data), (3, 1)),
                               rtol=0, atol=1e-12)
    assert np.all(np.diff(run.loss, axis=1) <= 1e-15)    # GD on a convex quadratic: downhill
    assert run.loss[:, -1] == pytest.approx(mse(data, *least_squares(data)), rel=1e-12)


@pytest.mark.parametrize("optimizer, hyper", [
    ("GD", {"lr": 0.2}), ("Momentum", {"lr": 0.05, "momentum": 0.8}), ("Adam", {"lr": 0.1}),
])
def test_sgd_with_the_whole_dataset_as_batch_is_full_batch_gd(data, optimizer, hyper):
    full = run_optimizer(optimizer, lambda P: mse_grad(data, P), STARTS, 120, hyper)
    sgd = run_optimizer(optimizer, None, STARTS, 120, hyper,
                        grad_at=sgd_grad_at(data, data.n, 120, seed=3))
    np.testing.assert_array_equal(sgd.x, full.x)
    a = fit(data, STARTS, 120, optimizer, hyper, batch_size=data.n, seed=5)
    b = fit(data, STARTS, 120, optimizer, hyper, batch_size=None)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.x, full.x)


# --------------------------------------------------------------------------- minibatches

def test_each_epoch_visits_every_sample_exactly_once():
    n, bs, epochs = 53, 5, 4
    per = batches_per_epoch(n, bs)
    assert per == 11
    sched = minibatch_schedule(n, bs, epochs * per, seed=2)
    assert len(sched) == epochs * per and sched.epochs == epochs
    orders = []
    for e in range(epochs):
        batches = [sched[e * per + j] for j in range(per)]
        assert [len(x) for x in batches] == [5] * 10 + [3]     # the last batch is short
        assert all(np.all(np.diff(x) > 0) for x in batches)     # sorted inside a batch
        epoch = np.concatenate(batches)
        np.testing.assert_array_equal(np.sort(epoch), np.arange(n))
        assert sched.epoch_of(e * per) == e
        orders.append(epoch)
    assert not all(np.array_equal(orders[0], o) for o in orders[1:])   # reshuffled
    assert [len(x) for x in sched] == [len(sched[s]) for s in range(len(sched))]
    np.testing.assert_array_equal(sched[-1], sched[len(sched) - 1])
    with pytest.raises(IndexError):
        sched[len(sched)]


def test_drop_last_skips_the_short_batch():
    sched = minibatch_schedule(10, 3, 9, seed=0, drop_last=True)
    assert sched.per_epoch == 3 and sched.epochs == 3
    for e in range(3):
        epoch = np.concatenate([sched[3 * e + j] for j in range(3)])
        assert len(epoch) == 9 and len(np.unique(epoch)) == 9


@settings(max_examples=120, deadline=None)
@given(n=st.integers(1, 60), data=st.data(), epochs=st.integers(1, 4),
       seed=st.integers(0, 2**32), drop_last=st.booleans())
def test_every_epoch_is_a_permutation_for_every_batch_size(n, data, epochs, seed, drop_last):
    bs = data.draw(st.integers(1, n))
    per = batches_per_epoch(n, bs, drop_last)
    sched = minibatch_schedule(n, bs, epochs * per, seed, drop_last)
    for e in range(epochs):
        batches = [sched[e * per + j] for j in range(per)]
        assert all(len(x) == bs for x in batches[:-1]) and 1 <= len(batches[-1]) <= bs
        epoch = np.concatenate(batches)
        if drop_last:
            assert len(epoch) == per * bs and len(np.unique(epoch)) == len(epoch)
        else:
            np.testing.assert_array_equal(np.sort(epoch), np.arange(n))


@pytest.mark.parametrize("args", [(10, 0, 5), (10, 11, 5), (10, True, 5), (10, 2, -1),
                                  (0, 1, 1), (10, 2, 5, -3)])
def test_schedule_rejects_bad_arguments(args):
    with pytest.raises(ValueError):
        minibatch_schedule(*args)


def test_same_seed_same_path_other_seed_other_path(data):
    hyper = {"lr": 0.05}
    a = fit(data, STARTS, 200, hyper=hyper, batch_size=7, seed=11)
    b = fit(make_dataset(), STARTS, 200, hyper=hyper, batch_size=7, seed=11)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, fit(data, STARTS, 200, hyper=hyper, batch_size=7, seed=12).x)
    assert not np.array_equal(a.x, fit(data.next(), STARTS, 200, hyper=hyper, batch_size=7,
                                       seed=11).x)
    # One schedule for every start: each start's path is the path it takes alone.
    alone = fit(data, STARTS[1:2], 200, hyper=hyper, batch_size=7, seed=11)
    np.testing.assert_array_equal(alone.x[0], a.x[1])


def test_minibatch_sgd_with_a_small_lr_ends_near_least_squares(data):
    w, b = least_squares(data)
    steps = 60 * batches_per_epoch(data.n, 5)
    run = fit(data, STARTS, steps, hyper={"lr": 0.01}, batch_size=5, seed=0)
    assert not run.diverged.any()
    # SGD noise at lr 0.01 keeps it within a few hundredths; the data noise is 0.5.
    assert np.max(np.abs(run.x[:, -1] - (w, b))) < 0.05
    tail = run.x[:, -10 * batches_per_epoch(data.n, 5):].mean(axis=1)   # last ten epochs
    assert np.max(np.abs(tail - (w, b))) < 0.02
    assert np.all(run.loss[:, -1] < mse(data, w, b) + 0.01)
    # ... while it does not sit exactly on it, as full-batch GD does.
    assert np.max(np.abs(run.x[:, -1] - (w, b))) > 1e-6


def test_fit_passes_arguments_and_cancels(data):
    with pytest.raises(ValueError):
        fit(data, STARTS, 10, batch_size=data.n + 1)
    with pytest.raises(ValueError):
        fit(data, STARTS, 10, "Adamax")
    with pytest.raises(Cancelled):
        fit(data, STARTS, 10, batch_size=4, should_stop=lambda: True)
    run = fit(data, STARTS[0], 5, "RMSprop", {"lr": 0.01}, batch_size=10)
    assert run.x.shape == (1, 6, 2) and run.hyper["lr"] == 0.01
    blown = fit(data, STARTS, 50, hyper={"lr": 5.0}, bound=1e6)
    assert blown.diverged.all() and np.isnan(blown.loss[:, -1]).all()
