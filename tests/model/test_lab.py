"""The step-size lab's model: thresholds derived by hand, the lab's jobs, user text for the h list."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.bifurcation import period_of
from gdviz.model.lab import (
    auto_h_range,
    compared_step_sizes,
    error_time,
    evaluate_lab,
    evaluate_orbits,
    fitted_line,
    sweep_csv,
)
from gdviz.model.presets import preset
from gdviz.model.problem import Direction, FlowProblem, Kind, Regime
from gdviz.model.results import cobweb_path, evaluate
from gdviz.model.scene import MAX_COMPARE, Scene, parse_step_sizes

LOGISTIC = preset("logistic").scene


# ------------------------------------------------------------------ stability thresholds by hand
@pytest.mark.parametrize("text, kind, direction, params, x0, x_star, h1, h2", [
    # F = x²/2 − x³/3, ascent: f = x − x², f'(1) = −1
    ("x^2/2 - x^3/3", "F", "ascent", {}, 0.1, 1.0, 1.0, 2.0),
    # seed 003: F = 6x² − 12x + 3, descent: f = 12 − 12x, f' = −12
    ("6x^2 - 12x + 3", "F", "descent", {}, -0.9, 1.0, 1 / 12, 1 / 6),
    # F = cos x, ascent: f = −sin x, f'(0) = −1 (and x* = 0 attracts from 1)
    ("cos(x)", "F", "ascent", {}, 1.0, 0.0, 1.0, 2.0),
    # f = r x (1 − x/K) with r = 2, K = 3: f'(K) = −r
    ("r x (1 - x/K)", "f", "ascent", {"r": 2.0, "K": 3.0}, 0.5, 3.0, 0.5, 1.0),
    # F = x⁴/4 − x²/2, descent: f = x − x³, f'(±1) = 1 − 3 = −2
    ("x^4/4 - x^2/2", "F", "descent", {}, 0.3, 1.0, 0.5, 1.0),
])
def test_thresholds_and_regimes_match_hand_derivations(text, kind, direction, params, x0, x_star, h1, h2):
    problem = FlowProblem.from_text(text, Kind(kind), Direction(direction), params)
    e = problem.nearest_attractor(x0, -4, 4)
    assert e is not None and e.x == pytest.approx(x_star, abs=1e-9)
    assert e.h_monotone == pytest.approx(h1, rel=1e-9)
    assert e.h_stable == pytest.approx(h2, rel=1e-9)
    assert e.regime(0.5 * h1) is Regime.MONOTONE
    assert e.regime(h1) is Regime.MONOTONE                 # multiplier 0: lands in one step
    assert e.regime(0.5 * (h1 + h2)) is Regime.OSCILLATING
    assert e.regime(h2) is Regime.BOUNDARY                 # multiplier −1: higher orders decide
    assert e.regime(h2 * (1 + 4e-16)) is Regime.BOUNDARY   # rounding does not cross the threshold
    assert e.regime(h1 * (1 + 4e-16)) is Regime.MONOTONE
    assert e.regime(1.5 * h2) is Regime.DIVERGENT


def test_flat_equilibrium_has_no_threshold():
    problem = FlowProblem.from_text("-x^3", Kind.FIELD)
    e = problem.nearest_attractor(0.5, -2, 2)
    assert e is not None and math.isinf(e.h_monotone) and math.isinf(e.h_stable)


def test_set_h_to_one_over_slope_lands_a_quadratic_in_one_step():
    scene = Scene(text="6x^2 - 12x + 3", direction="descent", h=1 / 12, x0=-0.9, steps=3, x_range=(-1, 2))
    r = evaluate(scene)
    assert r.x[1] == pytest.approx(1.0, abs=1e-12)


# ------------------------------------------------------------------------------------ cobweb
def test_cobweb_path_alternates_graph_and_diagonal():
    px, py = cobweb_path(np.array([0.1, 0.2, 0.5]))
    assert list(zip(px, py)) == [(0.1, 0.1), (0.1, 0.2), (0.2, 0.2), (0.2, 0.5), (0.5, 0.5)]
    r = evaluate(LOGISTIC)
    px, py = r.cobweb()
    g = r.x[:-1] + LOGISTIC.h * r.x[:-1] * (1 - r.x[:-1])
    np.testing.assert_allclose(py[1::2], g, rtol=1e-12)     # vertical segments end on the graph of g
    np.testing.assert_allclose(r.grid_g, r.grid_x + 0.5 * r.grid_x * (1 - r.grid_x), atol=1e-12)


# ------------------------------------------------------------------------------------ the lab job
def test_lab_compares_the_scene_h_first_and_measures_order():
    lab = evaluate_lab(LOGISTIC)
    assert [run.h for run in lab.runs] == [0.5, 1.0, 0.1]
    assert lab.h_monotone == pytest.approx(1.0) and lab.h_stable == pytest.approx(2.0)
    # smaller h follows the flow more closely
    by_h = dict(zip([r.h for r in lab.runs], lab.max_errors))
    assert by_h[0.1] < by_h[0.5] < by_h[1.0]
    assert by_h[0.5] == pytest.approx(by_h[0.1] * 5, rel=0.35)     # first order: error ∝ h
    s = lab.sweep
    assert s is not None and s.t_end == pytest.approx(3.0)         # three time constants of x* = 1
    assert s.slopes["Euler"] == pytest.approx(1, abs=0.1)
    assert s.slopes["Heun"] == pytest.approx(2, abs=0.1)
    assert s.slopes["RK4"] == pytest.approx(4, abs=0.1)
    h, err = fitted_line(s, "Euler")
    assert len(h) == 2 and err[1] / err[0] == pytest.approx((h[1] / h[0]) ** s.slopes["Euler"])
    lines = sweep_csv(s).splitlines()
    assert lines[0] == "h,error_Euler,error_Heun,error_RK4" and len(lines) == len(s.h) + 1


def test_lab_keeps_each_h_once_and_respects_error_time():
    scene = LOGISTIC.with_(compare_h=(0.5, 0.25, 0.25), error_t=2.0)
    assert compared_step_sizes(scene) == (0.5, 0.25)
    assert error_time(scene, None, math.nan) == 2.0
    # a blow-up at t = 1 (x' = x² from 1) caps the automatic T before it
    assert error_time(Scene(text="x^2", kind="f", x0=1.0, h=0.1, steps=30), None, 1.0) == 0.5


def test_lab_reports_a_diverging_h_as_data():
    lab = evaluate_lab(LOGISTIC.with_(compare_h=(4.5,), steps=600))   # t = 300: 67 steps of h = 4.5
    run = lab.runs[1]
    assert run.diverged_at >= 0 and math.isnan(run.error) and math.isnan(lab.max_errors[1])


# ------------------------------------------------------------------------------- the bifurcation
def test_orbits_of_the_logistic_show_period_doubling_then_chaos():
    orbits = evaluate_orbits(LOGISTIC.with_(h_range=(1.5, 3.0), orbit_h_count=1501))
    d = orbits.diagram
    def column(h):
        return d.orbits[int(np.argmin(np.abs(d.h - h)))]
    assert period_of(column(1.9)) == 1 and column(1.9)[-1] == pytest.approx(1.0, abs=1e-9)
    assert period_of(column(2.2)) == 2
    # the 2-cycle of x -> x + h x (1 - x): roots of h²x² − h(h+2)x + (h+2) = 0
    h = float(d.h[int(np.argmin(np.abs(d.h - 2.2)))])
    expected = np.sort(np.roots([h * h, -h * (h + 2), h + 2]).real)
    np.testing.assert_allclose(np.sort(np.unique(np.round(column(2.2)[-2:], 9))), expected, atol=1e-7)
    assert period_of(column(2.5)) == 4
    chaotic = [h for h, row in zip(d.h, d.orbits) if period_of(row) is None and not np.isnan(row).any()]
    assert chaotic and min(chaotic) < 2.6                       # the cascade reaches chaos before 2.6
    assert all(period_of(row) == 1 for hh, row in zip(d.h, d.orbits) if hh < 1.9)


def test_automatic_h_range_brackets_the_threshold():
    orbits = evaluate_orbits(LOGISTIC.with_(orbit_h_count=200, orbit_transient=50, orbit_kept=20))
    assert orbits.automatic_range
    assert (orbits.diagram.h[0], orbits.diagram.h[-1]) == pytest.approx((0.5, 3.0))
    assert auto_h_range(LOGISTIC, None) == auto_h_range(LOGISTIC.with_(h=1.7), None)   # never depends on h


# ------------------------------------------------------------------------ user text and scene fields
def test_parse_step_sizes():
    assert parse_step_sizes("1, 0.5, 0.1") == (1.0, 0.5, 0.1)
    assert parse_step_sizes("2;0.25  1e-3") == (2.0, 0.25, 0.001)
    assert parse_step_sizes("") == ()
    for bad, message in [("0", "positive"), ("-1", "positive"), ("abc", "not a number"), ("nan", "positive"),
                         ("inf", "positive"), (",".join(["1"] * (MAX_COMPARE + 1)), "at most"),
                         ("__import__('os')", "not a number")]:
        with pytest.raises(ValueError, match=message):
            parse_step_sizes(bad)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parse_step_sizes_never_fails_otherwise(text):
    try:
        values = parse_step_sizes(text)
    except ValueError:
        return
    assert len(values) <= MAX_COMPARE and all(math.isfinite(v) and v > 0 for v in values)


@pytest.mark.parametrize("changes", [
    dict(compare_h=(0.0,)), dict(compare_h=(1.0,) * (MAX_COMPARE + 1)), dict(error_t=-1.0),
    dict(h_range=(2.0, 1.0)), dict(h_range=(0.0, 1.0)), dict(orbit_h_count=1), dict(orbit_kept=0),
    dict(orbit_transient=-1), dict(orbit_transient=99_000, orbit_kept=2000),
])
def test_scene_rejects_bad_lab_settings(changes):
    with pytest.raises(ValueError):
        LOGISTIC.with_(**changes)


def test_orbit_key_ignores_h():
    assert LOGISTIC.orbit_key() == LOGISTIC.with_(h=1.3, steps=99).orbit_key()
    assert LOGISTIC.orbit_key() != LOGISTIC.with_(x0=0.3).orbit_key()
