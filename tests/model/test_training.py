"""The edge-of-stability model: gradients and Hessian-vector products against finite differences,
the Lanczos sharpness against the full Hessian, the shipped data, and Cohen et al.'s check."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.training import TrainScene, csv_text, dataset, evaluate_training, model, summarize
from gdviz.model.training.data import read_csv, to_csv, two_spirals
from gdviz.model.training.network import Shape, hessian_at, hessian_matrix, loss, loss_and_gradient
from gdviz.model.training.sharpness import top_eigen
from gdviz.paths import resources_dir

# The two learning rates of the README's command lines, and their step count.
EDGE_RATES = (0.3, 0.25)
EDGE_STEPS = 5000

shapes = st.builds(Shape, st.integers(1, 3), st.integers(1, 8), st.integers(1, 2))


def problem(shape: Shape, points: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(shape.size)
    return theta, rng.standard_normal((points, shape.inputs)), rng.standard_normal((points, shape.outputs))


@settings(max_examples=60, deadline=None)
@given(shapes, st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_gradient_matches_central_differences(shape: Shape, points: int, seed: int) -> None:
    theta, x, y = problem(shape, points, seed)
    direction = np.random.default_rng(seed + 1).standard_normal(shape.size)
    eps = 1e-6
    numeric = (loss(shape, theta + eps * direction, x, y) - loss(shape, theta - eps * direction, x, y)) / (2 * eps)
    exact = loss_and_gradient(shape, theta, x, y)[1] @ direction
    assert exact == pytest.approx(numeric, rel=1e-5, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(shapes, st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_hessian_vector_product_matches_differences_of_the_gradient(shape: Shape, points: int, seed: int) -> None:
    theta, x, y = problem(shape, points, seed)
    direction = np.random.default_rng(seed + 1).standard_normal(shape.size)
    eps = 1e-6
    numeric = (loss_and_gradient(shape, theta + eps * direction, x, y)[1]
               - loss_and_gradient(shape, theta - eps * direction, x, y)[1]) / (2 * eps)
    exact = hessian_at(shape, theta, x, y)(direction)
    scale = max(1.0, float(np.abs(numeric).max()))
    assert np.abs(exact - numeric).max() <= 1e-5 * scale


@settings(max_examples=40, deadline=None)
@given(shapes, st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_hessian_products_are_symmetric(shape: Shape, points: int, seed: int) -> None:
    theta, x, y = problem(shape, points, seed)
    rng = np.random.default_rng(seed + 2)
    u, v = rng.standard_normal(shape.size), rng.standard_normal(shape.size)
    product = hessian_at(shape, theta, x, y)
    assert u @ product(v) == pytest.approx(v @ product(u), rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.integers(0, 2**32 - 1))
def test_lanczos_finds_the_largest_eigenvalue_of_a_symmetric_matrix(size: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((size, size)))
    values = rng.uniform(-3.0, 1.0, size)
    values[0] = 2.0                               # a clear top, with negatives of larger size around it
    matrix = (basis * values) @ basis.T
    eigen = top_eigen(lambda v: matrix @ v, rng.standard_normal(size), steps=min(size, 40))
    assert eigen.value == pytest.approx(2.0, rel=1e-6)
    assert abs(eigen.vector @ basis[:, 0]) == pytest.approx(1.0, rel=1e-5)


def test_sharpness_of_the_network_equals_the_full_hessians_top_eigenvalue() -> None:
    spec = model("spirals")
    data = dataset("spirals")
    shape = spec.shape
    theta = shape.initial(spec.seed)
    start = np.random.default_rng(1).standard_normal(shape.size)
    for _ in range(3):     # the start, and two points along a descent at a large step
        exact = np.linalg.eigvalsh(hessian_matrix(shape, theta, data.inputs, data.targets))[-1]
        eigen = top_eigen(hessian_at(shape, theta, data.inputs, data.targets), start)
        assert eigen.value == pytest.approx(exact, rel=1e-6)
        start = eigen.vector
        for _ in range(300):
            theta = theta - 0.4 * loss_and_gradient(shape, theta, data.inputs, data.targets)[1]


def test_the_shipped_spirals_are_the_generators_output(tmp_path) -> None:
    shipped = read_csv(resources_dir() / "training" / "spirals.csv")
    made = two_spirals(points=64, turns=2.0, noise=0.02, seed=0)
    assert shipped.inputs.shape == (64, 2) and shipped.targets.shape == (64, 1)
    np.testing.assert_allclose(shipped.inputs, made.inputs, atol=1e-6)
    np.testing.assert_array_equal(shipped.targets, made.targets)
    (tmp_path / "again.csv").write_text(to_csv(made))
    np.testing.assert_allclose(read_csv(tmp_path / "again.csv").inputs, shipped.inputs, atol=1e-12)


@pytest.fixture(scope="module")
def edge_runs():
    """The README's two learning rates and each one divided by four, all EDGE_STEPS steps."""
    rates = (*EDGE_RATES, *(r / 4 for r in EDGE_RATES))
    return evaluate_training(TrainScene(rates=rates, steps=EDGE_STEPS)).runs


@pytest.mark.parametrize("index", range(len(EDGE_RATES)))
def test_sharpness_rises_to_two_over_eta_and_hovers_there(edge_runs, index: int) -> None:
    summary = summarize(edge_runs[index])
    assert summary.first_sharpness < 0.6                 # starts well below 2/η
    assert abs(summary.late_sharpness - 1.0) < 0.1       # median over the last third within 10% of 2/η
    assert summary.loss_drop < 0.1                       # the loss still fell tenfold
    run = edge_runs[index]                               # ...and not by luck at the last step:
    assert run.loss[-EDGE_STEPS // 20:].max() < 0.1 * run.loss[0]     # the whole last 5% is below
    # It hovers rather than settles: the loss goes up at some steps after the sharpness got there.
    assert np.any(np.diff(edge_runs[index].loss[EDGE_STEPS // 3:]) > 0)


@pytest.mark.parametrize("index", range(len(EDGE_RATES)))
def test_at_a_quarter_of_the_rate_the_sharpness_stays_below_its_threshold(edge_runs, index: int) -> None:
    slow = edge_runs[len(EDGE_RATES) + index]
    summary = summarize(slow)
    assert summary.peak_sharpness < 1.0
    # ...and it climbs past the larger rate's 2/η: the ceiling is set by the step, not the model.
    assert np.nanmax(slow.sharpness) > edge_runs[index].threshold


def test_csv_has_loss_every_step_and_sharpness_where_measured() -> None:
    run = evaluate_training(TrainScene(rates=(0.3,), steps=45, every=20)).runs[0]
    lines = csv_text(run).splitlines()
    assert lines[0] == "n,loss,sharpness" and len(lines) == 47
    rows = [line.split(",") for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(46))
    np.testing.assert_allclose([float(r[1]) for r in rows], run.loss, rtol=1e-9)
    measured = {int(r[0]): float(r[2]) for r in rows if r[2]}
    assert sorted(measured) == [0, 20, 40]
    np.testing.assert_allclose(list(measured.values()), run.sharpness, rtol=1e-9)


def test_a_diverging_rate_is_reported_as_data_without_warnings() -> None:
    run = evaluate_training(TrainScene(rates=(60.0,), steps=400)).runs[0]
    assert run.diverged_at is not None and run.diverged_at < 400
    assert np.isfinite(run.loss[:run.diverged_at]).all()
    assert csv_text(run).count("\n") == run.diverged_at + 1


@pytest.mark.parametrize(("changes", "words"), [
    ({"model": "mnist"}, "no model"), ({"optimizer": "Adam"}, "optimizer"), ({"rates": ()}, "learning rates"),
    ({"rates": (math.nan,)}, "learning rate"), ({"rates": (-1.0,)}, "learning rate"), ({"steps": 0}, "steps"),
    ({"every": 0}, "sharpness"),
])
def test_bad_scenes_are_refused_in_plain_words(changes: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        TrainScene(**changes)


def test_stopping_early_returns_promptly() -> None:
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 2

    run = evaluate_training(TrainScene(rates=(0.3,), steps=5000), should_stop=stop).runs[0]
    assert np.isnan(run.loss[-1]) and np.isfinite(run.loss[0])
