"""Euler engine: known values from the seeds, order of convergence, divergence as data."""
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.euler import Cancelled, euler

SEED_003_TABLE = [-0.216, 0.2217, 0.5019, 0.6812, 0.7959, 0.8694]


def logistic(x):
    return x * (1 - x)


def test_seed_003_table_descent_on_parabola():
    # F(x) = 6x^2 - 12x + 3, descent: f = -F' = 12 - 12x, from -0.9 with learning rate 0.03.
    run = euler(lambda x: 12 - 12 * x, -0.9, 0.03, 6)
    assert run.x[0] == -0.9
    np.testing.assert_allclose(run.x[1:], SEED_003_TABLE, atol=1e-4)
    assert run.diverged_at == -1


def test_broadcast_over_starts_and_step_sizes():
    x0 = np.array([[0.1], [0.5]])
    h = np.array([0.1, 0.2, 0.4])
    run = euler(logistic, x0, h, 10)
    assert run.x.shape == (2, 3, 11)
    assert run.diverged_at.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            single = euler(logistic, x0[i, 0], h[j], 10)
            np.testing.assert_array_equal(run.x[i, j], single.x)
    np.testing.assert_allclose(run.t[1, 2], 0.4 * np.arange(11))


def test_scalar_start_gives_one_trajectory():
    run = euler(logistic, 0.1, 0.5, 3)
    assert run.x.shape == (4,)
    assert run.diverged_at.shape == ()
    assert run.x[1] == pytest.approx(0.1 + 0.5 * 0.1 * 0.9)


def exact_logistic(x0, t):
    c = (1 - x0) / x0
    return 1 / (1 + c * np.exp(-t))


def test_global_error_is_first_order():
    T, x0 = 2.0, 0.1
    hs = np.array([0.1, 0.05, 0.025, 0.0125, 0.00625])
    errors = []
    for h in hs:
        n = int(round(T / h))
        errors.append(abs(euler(logistic, x0, h, n).x[-1] - exact_logistic(x0, T)))
    slope = np.polyfit(np.log(hs), np.log(errors), 1)[0]
    assert 0.9 <= slope <= 1.1


def test_learning_rate_regimes_on_logistic():
    run = euler(logistic, 0.1, np.array([1.9, 2.2]), 2000)
    assert run.x[0, -1] == pytest.approx(1.0, abs=1e-9)               # converges (oscillating)
    tail = run.x[1, -4:]
    assert tail[0] == pytest.approx(tail[2], abs=1e-9)                 # a 2-cycle ...
    assert abs(tail[0] - tail[1]) > 0.1                                 # ... of two distinct points


@pytest.mark.parametrize("f, x0, h", [
    (np.exp, 1.0, 1.0),                          # overflow
    (lambda x: 1 / x, 0.0, 0.1),                 # 1/x through 0
    (lambda x: np.log(x) - 2, 0.5, 1.0),         # log of a negative number
    (lambda x: x * (1 - x), 0.1, 3.5),           # h far beyond 2/|f'(1)|
])
def test_divergence_is_data_not_a_warning(f, x0, h):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):               # the engine must silence its own faults
            run = euler(f, x0, h, 200)
    assert run.diverged_at > 0
    assert np.isnan(run.x[run.diverged_at:]).all()
    assert np.isfinite(run.x[:run.diverged_at]).all()


def test_divergence_beyond_bound_is_reported_at_the_first_bad_step():
    run = euler(lambda x: x, 1.0, 1.0, 100, bound=1000.0)   # x_n = 2^n
    assert run.diverged_at == 10                             # 2^10 = 1024 > 1000


def test_mixed_batch_marks_only_the_diverging_ones():
    run = euler(logistic, 0.1, np.array([0.5, 3.5, 1.0]), 300)
    assert list(run.diverged_at >= 0) == [False, True, False]
    assert np.isfinite(run.x[[0, 2]]).all()


def test_a_million_steps_fit_in_memory():
    run = euler(logistic, 0.1, 0.001, 1_000_000)
    assert run.x.nbytes <= 10_000_000
    assert run.x[-1] == pytest.approx(1.0, abs=1e-6)


def test_should_stop_cancels():
    # h = 2.55: the iterates cycle and never come to rest (a batch at rest finishes early)
    with pytest.raises(Cancelled):
        euler(logistic, 0.1, 2.55, 100_000, should_stop=lambda: True)


def test_no_warning_reaches_stderr():
    code = ("import numpy as np; from gdviz.model.euler import euler;"
            "euler(np.exp, 1.0, 1.0, 100); euler(lambda x: np.log(x), -1.0, 1.0, 10);"
            "euler(lambda x: 1/x, 0.0, 1.0, 10)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stderr == ""


@pytest.mark.parametrize("text, x0, h", [
    ("x(1-x)", 0.1, 0.5), ("x(1-x)", 0.1, 3.5), ("exp(x)", 1.0, 1.0), ("log(x)", 0.5, 1.0),
    ("1/x", 0.0, 0.1), ("-sin(x) + abs(x)/3", 2.0, 0.7), ("sqrt(x)", 1.0, 1.0),
])
def test_scalar_fast_path_matches_the_vectorised_engine(text, x0, h):
    from gdviz.model.expressions import parse
    e = parse(text)
    vector = euler(e.numeric(), x0, h, 400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scalar = euler(e.numeric(), x0, h, 400, f_scalar=e.scalar())
    assert scalar.diverged_at == vector.diverged_at
    np.testing.assert_allclose(scalar.x, vector.x, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_scalar_fast_path_cancels():
    with pytest.raises(Cancelled):
        euler(logistic, 0.1, 0.01, 200_000, should_stop=lambda: True, f_scalar=lambda x: x * (1 - x))


def _written_out(f, x0: np.ndarray, h: float, steps: int, bound: float = 1e12) -> tuple[np.ndarray, np.ndarray]:
    """x_{n+1} = x_n + h f(x_n) one row at a time, NaN from the first step past the bound."""
    rows = [np.asarray(x0, dtype=float)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            rows.append(rows[-1] + h * f(rows[-1]))
    x = np.stack(rows, axis=-1)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(x) <= bound)
    first = np.where(bad.any(axis=-1), bad.argmax(axis=-1), -1)
    x[(first[:, None] >= 0) & (np.arange(steps + 1) >= first[:, None])] = np.nan
    return x, first


@settings(max_examples=60, deadline=None)
@given(steps=st.integers(0, 200), h=st.floats(0.001, 3.5),
       starts=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=7))
def test_batch_is_the_recursion_written_out_bit_for_bit(steps, h, starts):
    # The engine walks the rows in blocks between divergence checks (euler.CHECK_EVERY): every
    # step count, around a block's edges too, gives exactly the plain recursion's numbers.
    x0 = np.array(starts)
    run = euler(logistic, x0, h, steps)
    expected, first = _written_out(logistic, x0, h, steps)
    assert run.x.tobytes() == expected.tobytes()
    assert run.diverged_at.tolist() == first.tolist()


def test_starts_diverging_in_different_blocks_each_get_their_first_bad_step():
    # The engine checks for divergence every CHECK_EVERY rows and then searches only up to the
    # check that flagged the last one: starts diverging in blocks far apart, and one that never
    # does, must still match the recursion written out.
    x0 = np.array([-3.0, -0.05, -0.01, -0.001, 0.5])
    run = euler(logistic, x0, 0.05, 2000)
    expected, first = _written_out(logistic, x0, 0.05, 2000)
    assert first.tolist() == [12, 70, 102, 149, -1]   # four different blocks of 32
    assert run.diverged_at.tolist() == first.tolist()
    assert run.x.tobytes() == expected.tobytes()


def test_a_long_batch_asks_whether_to_stop():
    asked = []

    def should_stop() -> bool:
        asked.append(True)
        return len(asked) >= 2

    with pytest.raises(Cancelled):
        euler(logistic, np.linspace(0.1, 0.9, 5), 2.55, 100_000, should_stop=should_stop)
    assert len(asked) == 2


@pytest.mark.parametrize("h, steps", [(1.0, 5000), (0.5, 4001), (0.02, 5000), (1.0, 33)])
def test_a_batch_at_rest_is_filled_and_is_the_recursion_written_out(h, steps):
    # Trajectories that reach an equilibrium bit for bit (or NaN) stay there: the engine stops
    # stepping once every one has, and the rows it fills are what the recursion would give.
    import gdviz.model.euler as engine
    x0 = np.array([-0.3, 0.0, 0.2, 0.9, 1.0, 1.4])
    walked: list[int] = []
    step_rows = engine._euler_rows

    def counting(f, h_, rows):
        walked.append(len(rows) - 1)
        step_rows(f, h_, rows)

    engine._euler_rows = counting
    try:
        run = euler(logistic, x0, h, steps)
    finally:
        engine._euler_rows = step_rows
    expected, first = _written_out(logistic, x0, h, steps)
    assert run.x.tobytes() == expected.tobytes()
    assert run.diverged_at.tolist() == first.tolist()
    if steps > 1000:
        assert sum(walked) < steps                  # it did stop early
