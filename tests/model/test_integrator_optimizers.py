"""Issue 14 §2 on the 2-D tab: the gradient flow's other integrators as optimizers (implicit Euler =
the proximal point method, Heun, RK4, Newton), their learning-rate thresholds and sharpness bounds.

Checked against the issue's own numbers, against the 1-D integrators of the flow tab on a landscape
whose coordinates do not interact, and against a bisection on the iterates themselves."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.integrators import run_method, stability_limit
from gdviz.model.landscape import Landscape
from gdviz.model.landscape.basins import basin_map
from gdviz.model.landscape.descent import descend
from gdviz.model.optimizers import lr_threshold, resolve_hyper, run_optimizer
from gdviz.model.problem import Direction, FlowProblem, Kind
from gdviz.model.rates import lr_window, rate_summary, spectral_radius
from gdviz.model.scene2d import INTEGRATOR_NAMES, OPTIMIZER_NAMES, Scene2D
from gdviz.model.sharpness import sharpness_bound

BOWL = Landscape.from_text("(x^2 + y^2)/2")
# x⁴/4 − x + y²: the coordinates do not interact, so each follows the 1-D flow of its own F.
SEPARATE = Landscape.from_text("x^4/4 - x + y^2")


def test_implicit_euler_with_h_3_is_four_to_the_minus_n_where_gd_diverges():
    """The issue's check, in 2-D: on F = |x|²/2 with η = 3, x_n = 4⁻ⁿ x0 exactly; GD gives (−2)ⁿ."""
    start = np.array([[1.0, -0.5]])
    implicit = descend(BOWL, start, 12, "Implicit Euler", {"lr": 3.0})
    expected = start[0] * 4.0 ** -np.arange(13)[:, None]
    np.testing.assert_array_equal(implicit.x[0], expected)
    gd = descend(BOWL, start, 12, "GD", {"lr": 3.0})
    np.testing.assert_array_equal(gd.x[0, :, 0], (-2.0) ** np.arange(13))


def test_implicit_euler_is_the_proximal_point_on_a_convex_f():
    """Each step minimises F(y) + |y − x|²/(2η): at the step, ∇F(y) + (y − x)/η = 0, and no nearby
    y does better."""
    land = Landscape.from_text("exp(x) + x^2 + (x - y)^2 + y^4")
    run = descend(land, np.array([[1.5, -1.0], [-2.0, 2.0]]), 5, "Implicit Euler", {"lr": 0.7})
    rng = np.random.default_rng(3)
    for k in range(2):
        for n in range(5):
            x, y = run.x[k, n], run.x[k, n + 1]
            np.testing.assert_allclose(land.grad_numeric(y) + (y - x) / 0.7, 0.0, atol=1e-12)
            prox = lambda p: land.loss(p) + np.sum((p - x) ** 2, axis=-1) / 1.4   # noqa: E731
            near = y + 1e-3 * rng.standard_normal((50, 2))
            assert (prox(near) >= prox(y[None, :])[0]).all()


def test_newton_on_the_issues_example_doubles_its_digits():
    """F = x⁴/4 − x from x0 = 2 (here with + y² beside it): Newton converges quadratically to 1."""
    run = descend(SEPARATE, np.array([[2.0, 0.5]]), 6, "Newton", {"lr": 1.0})
    errors = np.abs(run.x[0, :, 0] - 1.0)
    assert run.x[0, 1, 1] == 0.0                    # the quadratic coordinate in one step
    ratios = errors[3:5] / errors[2:4] ** 2         # e_{n+1} ≈ C e_n², C = F'''/(2F'') = 1 at x* = 1
    np.testing.assert_allclose(ratios, 1.0, rtol=0.15)
    assert errors[5] < 1e-7 and errors[6] < 1e-14


def test_newton_heads_for_a_saddle_where_gd_leaves_it():
    """Newton seeks a critical point of any kind: on x² − y² it lands on the saddle in one step."""
    land = Landscape.from_text("x^2 - y^2")
    run = descend(land, np.array([[2.0, 0.5]]), 3, "Newton", {"lr": 1.0})
    np.testing.assert_array_equal(run.x[0, 1:], 0.0)
    gd = descend(land, np.array([[2.0, 0.5]]), 40, "GD", {"lr": 0.1})
    assert abs(gd.x[0, -1, 1]) > 100 * 0.5


@pytest.mark.parametrize("name, method", [("Heun", "heun"), ("RK4", "rk4"), ("Implicit Euler", "implicit-euler"),
                                          ("Newton", "newton")])
def test_each_coordinate_follows_the_flow_tabs_integrator(name, method):
    """On x⁴/4 − x + y², the x coordinate is the 1-D method on f = 1 − x³ (descent on x⁴/4 − x)."""
    run = descend(SEPARATE, np.array([[2.0, 0.5], [-0.3, 1.0]]), 30, name, {"lr": 0.05})
    problem = FlowProblem.from_text("x^4/4 - x", Kind.OBJECTIVE, Direction.DESCENT)
    for k, x0 in enumerate((2.0, -0.3)):
        np.testing.assert_allclose(run.x[k, :, 0], run_method(problem, method, x0, 0.05, 30), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["GD", "Heun", "RK4", "Newton"])
def test_the_marked_threshold_matches_a_bisection_on_the_iterates(name):
    """Issue 14 §2's check, in 2-D: the learning rate where the iterates stop converging, found by
    bisection on runs, is each method's lr_threshold to 1e-3. F = 3x² + y²/2 has λ_max = 6."""
    land = Landscape.from_text("3x^2 + y^2/2")
    lam = 6.0

    def converges(lr: float) -> bool:
        run = descend(land, np.array([[0.7, 0.4]]), 4000, name, {"lr": lr})
        return bool(np.all(np.isfinite(run.x[0, -1])) and np.abs(run.x[0, -1]).max() < 1e-3)

    expected = lr_threshold(name, lam)
    lo, hi = 0.5 * expected, 1.5 * expected
    assert converges(lo) and not converges(hi)
    while hi - lo > 1e-5 * expected:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if converges(mid) else (lo, mid)
    assert abs(lo - expected) <= 1e-3 * expected


def test_thresholds_and_rates_of_the_integrators():
    assert lr_threshold("Heun", 4.0) == pytest.approx(0.5)
    assert lr_threshold("RK4", 1.0) == pytest.approx(2.785293563, abs=1e-8)
    assert lr_threshold("Implicit Euler", 4.0) == math.inf
    assert lr_threshold("Newton", 4.0) == lr_threshold("Newton", 400.0) == 2.0
    assert lr_window("RK4", 2.0).high == pytest.approx(stability_limit("rk4") / 2.0)
    # ρ is |R(−ηλ)|: Heun at ηλ = 1 is 1 − 1 + 1/2; implicit Euler 1/(1 + ηλ); Newton |1 − η|.
    assert float(spectral_radius("Heun", 0.25, 0.0, 4.0)) == pytest.approx(0.5)
    assert float(spectral_radius("Implicit Euler", 3.0, 0.0, 1.0)) == pytest.approx(0.25)
    assert float(spectral_radius("Newton", 0.5, 0.0, 99.0)) == pytest.approx(0.5)
    s = rate_summary(4.0, "the minimum", (0.0, 0.0), ("GD", "Implicit Euler", "Heun", "Adam"), 0.6, 0.9, 0.999)
    assert s.threshold_text("Implicit Euler") == "every η converges"
    assert s.threshold_text("Heun") == "η* = 0.5"
    assert s.windows["Adam"] is None
    assert s.rates["Implicit Euler"] == pytest.approx(1 / 3.4)


def test_sharpness_bounds_of_the_integrators():
    assert sharpness_bound("Heun", {"lr": 0.1}) == pytest.approx(20.0)
    assert sharpness_bound("RK4", {"lr": 0.1}) == pytest.approx(27.85293563, abs=1e-6)
    assert sharpness_bound("Implicit Euler", {"lr": 0.1}) is None
    assert sharpness_bound("Newton", {"lr": 0.1}) is None


def test_a_singular_hessian_stops_newton_and_the_run_says_where():
    """F = x⁴ + y² has ∇²F singular on x = 0: a Newton step from there is undefined, the start stops."""
    land = Landscape.from_text("x^4 + y^2")
    run = descend(land, np.array([[0.0, 1.0], [1.0, 1.0]]), 5, "Newton", {"lr": 1.0})
    assert run.diverged_at.tolist() == [1, -1]
    assert np.isnan(run.x[0, 1:]).all() and np.isfinite(run.x[1]).all()


def test_the_integrators_need_the_field_they_evaluate():
    with pytest.raises(ValueError, match="Hessian"):
        run_optimizer("Newton", BOWL.grad_numeric, np.array([1.0, 1.0]), 3, {"lr": 1.0})
    with pytest.raises(ValueError, match="lr"):
        resolve_hyper("Heun", {"lr": -1.0})


def test_maximizing_climbs_with_every_integrator():
    hill = Landscape.from_text("-(x^2 + y^2)/2")
    for name in ("Heun", "RK4", "Implicit Euler", "Newton"):
        run = run_optimizer(name, hill.grad_numeric, np.array([1.0, 0.5]), 200, {"lr": 0.3, "maximize": True},
                            hessian=hill.hessian_numeric)
        assert np.abs(run.x[0, -1]).max() < 1e-6, name


def test_the_basin_map_runs_the_integrators_too():
    """basin_map runs any registered optimizer: Newton from every grid point of a bowl lands on its
    minimum in one step, even with a learning rate GD diverges with."""
    land = Landscape.from_text("x^2 + y^2")
    newton = basin_map(land, (-1, 1), (-1, 1), n=8, steps=3, optimizer="Newton", lr=1.0)
    assert (newton.label == 0).all()
    gd = basin_map(land, (-1, 1), (-1, 1), n=8, steps=3, optimizer="GD", lr=1.0)
    assert not (gd.label == 0).any()


def test_the_2d_scene_offers_the_integrators():
    assert OPTIMIZER_NAMES[-4:] == INTEGRATOR_NAMES
    scene = Scene2D(optimizers=("GD", "Newton", "Implicit Euler"))
    assert scene.hyper("Newton") == {"lr": scene.lr}


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(1e-3, 5.0), x=st.floats(-3, 3), y=st.floats(-3, 3))
def test_implicit_euler_always_contracts_on_a_convex_quadratic(lr, x, y):
    """A-stability: on a convex quadratic every implicit step shrinks the distance to the minimum."""
    land = Landscape.from_text("2x^2 + x*y + y^2")
    run = descend(land, np.array([[x, y]]), 5, "Implicit Euler", {"lr": lr})
    norms = np.linalg.norm(run.x[0], axis=1)
    assert np.isfinite(run.x).all()
    assert (norms[1:] <= norms[:-1] + 1e-12).all()


def test_a_session_keeps_the_integrators(tmp_path):
    from gdviz.model.scene import Scene
    from gdviz.model.session import Session, load_session, save_session
    plane = Scene2D(optimizers=("Newton", "GD", "Implicit Euler", "RK4", "Heun"), lr=0.7)
    path = tmp_path / "s.gdviz"
    save_session(Session(Scene(), plane=plane), path)
    assert load_session(path).plane == plane
