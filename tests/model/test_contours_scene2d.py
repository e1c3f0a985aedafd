"""Isolines by marching squares, the 2-D scene's validation, and the 2-D tab's evaluation."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.contours import isolines
from gdviz.model.scene2d import MAX_STARTS, OPTIMIZER_NAMES, Scene2D


def test_isoline_of_a_paraboloid_is_the_circle():
    x = y = np.linspace(-2, 2, 201)
    Z = x[None, :] ** 2 + y[:, None] ** 2
    px, py = isolines(x, y, Z, [1.0])
    assert len(px) % 2 == 0 and len(px) > 100
    np.testing.assert_allclose(np.hypot(px, py), 1.0, atol=1e-3)      # linear interpolation error
    length = np.hypot(px[1::2] - px[::2], py[1::2] - py[::2]).sum()
    assert length == pytest.approx(2 * np.pi, rel=1e-3)


def test_saddle_level_gives_the_two_diagonals():
    x = y = np.linspace(-1, 1, 51)
    Z = x[None, :] ** 2 - y[:, None] ** 2
    px, py = isolines(x, y, Z, [0.0])
    np.testing.assert_allclose(np.abs(px), np.abs(py), atol=1e-12)


def test_rows_are_y_and_columns_are_x():
    x, y = np.linspace(0, 1, 11), np.linspace(10, 20, 21)
    Z = np.broadcast_to(y[:, None], (21, 11))          # F = y: the level 15 is the line y = 15
    px, py = isolines(x, y, Z, [15.5])
    np.testing.assert_allclose(py, 15.5)
    assert px.min() == pytest.approx(0.0) and px.max() == pytest.approx(1.0)


def test_cells_with_undefined_values_are_skipped():
    x = y = np.linspace(-1, 1, 41)
    Z = x[None, :] ** 2 + y[:, None] ** 2
    Z[:, :20] = np.nan
    px, _ = isolines(x, y, Z, [0.5])
    assert np.isfinite(px).all() and px.min() >= x[20] - 1e-12


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30), st.integers(2, 30), st.integers(0, 10_000))
def test_isolines_stay_on_their_level(nx, ny, seed):
    rng = np.random.default_rng(seed)
    x, y = np.sort(rng.uniform(-1, 1, nx)), np.sort(rng.uniform(-1, 1, ny))
    x, y = np.unique(x), np.unique(y)
    if len(x) < 2 or len(y) < 2:
        return
    Z = rng.normal(size=(len(y), len(x)))
    level = float(rng.normal())
    px, py = isolines(x, y, Z, [level])
    assert len(px) == len(py) and len(px) % 2 == 0
    # every point lies on a cell edge of the grid and inside the grid
    assert np.all((px >= x[0] - 1e-12) & (px <= x[-1] + 1e-12))
    assert np.all((py >= y[0] - 1e-12) & (py <= y[-1] + 1e-12))


@pytest.mark.parametrize("changes", [
    dict(starts=()), dict(starts=((0.0, float("nan")),)), dict(starts=((0.0, 0.0),) * (MAX_STARTS + 1)),
    dict(optimizers=()), dict(optimizers=("SGD9",)), dict(lr=0.0), dict(lr=float("inf")), dict(steps=0),
    dict(momentum=1.0), dict(beta2=1.0), dict(alpha=-0.1), dict(eps=0.0), dict(weight_decay=-1.0), dict(x_range=(1.0, 1.0)), dict(y_range=(0.0, float("nan"))),
])
def test_scene2d_rejects_bad_values(changes):
    with pytest.raises(ValueError):
        Scene2D().with_(**changes)


def test_scene2d_hyperparameters_per_optimizer():
    s = Scene2D(lr=0.01, momentum=0.5, beta1=0.8, beta2=0.99)
    assert s.hyper("GD") == {"lr": 0.01}
    assert s.hyper("Nesterov") == {"lr": 0.01, "momentum": 0.5}
    assert s.hyper("Adam") == {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "amsgrad": False}
    assert s.hyper("AdamW")["weight_decay"] == 0.01 and s.hyper("RMSprop")["alpha"] == 0.99
    assert s.with_(starts=[[1, 2]]).starts == ((1, 2),)


def test_evaluate_2d_on_the_seed_quadratic():
    from gdviz.model.results2d import evaluate_2d
    r = evaluate_2d(Scene2D(optimizers=OPTIMIZER_NAMES, steps=200, lr=0.05))
    assert [c.kind for c in r.critical] == ["minimum"]
    assert (r.critical[0].x, r.critical[0].y) == pytest.approx((1.0, 7 / 9))
    gd = r.runs["GD"]
    np.testing.assert_allclose(gd.x[:, -1], [[1.0, 7 / 9]] * 3, atol=1e-9)   # lr = 0.05 < 2/18
    assert set(r.runs) == set(OPTIMIZER_NAMES) and all(run.x.shape == (3, 201, 2) for run in r.runs.values())
    assert len(r.lines_x) > 0 and len(r.lines_x) % 2 == 0
    assert "12x − 12" in r.gradient_label
    diverging = evaluate_2d(Scene2D(lr=2 / 18 + 1e-2, steps=400))   # multiplier 1 − 18·lr < −1
    assert (diverging.runs["GD"].diverged_at >= 0).all()


def test_every_optimizer_option_reaches_its_run():
    from gdviz.model.results2d import evaluate_2d
    # β₂ = 0.9 lets v shrink as the gradients do, so AMSGrad's running maximum differs from v
    base = Scene2D(optimizers=("Momentum", "Adagrad", "RMSprop", "Adam"), steps=60, lr=0.05, beta2=0.9)
    r0 = evaluate_2d(base)
    for field, value, name in (("dampening", 0.5, "Momentum"), ("lr_decay", 0.5, "Adagrad"),
                               ("centered", True, "RMSprop"), ("amsgrad", True, "Adam")):
        r1 = evaluate_2d(base.with_(**{field: value}))
        assert not np.array_equal(r0.runs[name].x, r1.runs[name].x), field
        others = [n for n in base.optimizers if n != name]
        assert all(np.array_equal(r0.runs[n].x, r1.runs[n].x) for n in others), field
