"""F with a kink (F = |x|): f jumps across 0 at x*, so there is no f'(x*) and no step-size threshold.

Hand-derived: descent on |x| is x' = -sign(x). The flow from x0 reaches 0 at t = |x0| and stays.
Euler's map x -> x - h·sign(x) from x0 = 1 with h = 0.3 visits 0.7, 0.4, 0.1, then -0.2, 0.1,
-0.2, ...: a 2-cycle within h of x* for ever, whatever h (unless a step lands exactly on 0)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.problem import Critical, Direction, FlowProblem, Kind, Regime, Stability
from gdviz.model.results import evaluate
from gdviz.model.scene import Scene


def problem(text: str, direction: str = "descent", kind: str = "F") -> FlowProblem:
    return FlowProblem.from_text(text, Kind(kind), Direction(direction))


# (-0.5, 1.5) puts a sample exactly on 0; (-1.1, 2.3) and (-1/3, e) do not: both searches must name it.
@pytest.mark.parametrize("span", [(-0.5, 1.5), (-1.1, 2.3), (-1 / 3, np.e)])
def test_descent_on_abs_has_one_stable_kink_that_no_step_size_settles(span):
    (eq,) = problem("abs(x)").equilibria(*span)
    assert abs(eq.x) < 1e-12
    assert eq.stability is Stability.STABLE and eq.critical is Critical.MINIMUM
    assert eq.jump == pytest.approx((1.0, -1.0), abs=1e-6)
    for h in (0.001, 0.3, 1.9, 5.0):
        assert eq.regime(h) is Regime.BOUNCING
    assert eq.bounce(0.3) == pytest.approx(0.3, rel=1e-6)
    assert eq.h_stable == float("inf")           # no threshold is drawn on the h slider


def test_a_shifted_kink_on_a_curved_F_and_its_one_sided_speeds():
    (eq,) = problem("abs(x - 0.3) + x^2").equilibria(-1, 2)
    # f = -(sign(x - 0.3) + 2x): just left of 0.3 it is 1 - 0.6, just right -1 - 0.6
    assert eq.x == pytest.approx(0.3, abs=1e-12)
    assert eq.jump == pytest.approx((0.4, -1.6), abs=1e-6)
    assert eq.bounce(0.5) == pytest.approx(0.8, rel=1e-6)


def test_ascent_on_abs_makes_the_kink_repel():
    (eq,) = problem("abs(x)", "ascent").equilibria(-1, 2)
    assert eq.stability is Stability.UNSTABLE and eq.jump is not None
    assert eq.regime(0.3) is Regime.NOT_ATTRACTING


@pytest.mark.parametrize("text, span", [("1/x", (-1, 2.1)), ("tan(x)", (0.5, 2.5)), ("-1/(x-0.3)^3", (-1, 2))])
def test_poles_are_still_not_equilibria(text, span):
    assert problem(text, "ascent", "f").equilibria(*span) == []


@pytest.mark.parametrize("text", ["x^2/2", "1 - cos(x)", "tanh(100*x)^2"])
def test_smooth_minima_are_not_kinks(text):
    (eq,) = [e for e in problem(text).equilibria(-1, 2) if abs(e.x) < 1e-6]
    assert eq.jump is None


def test_euler_bounces_in_the_hand_derived_two_cycle_and_the_flow_stays_at_the_kink():
    scene = Scene(text="abs(x)", kind="F", direction="descent", h=0.3, x0=1.0, steps=20, x_range=(-0.5, 1.5))
    r = evaluate(scene)
    assert r.x[:4] == pytest.approx([1.0, 0.7, 0.4, 0.1])
    assert r.x[4:] == pytest.approx([-0.2, 0.1] * 8 + [-0.2])
    assert np.all(np.abs(r.x[3:]) <= r.attractor.bounce(scene.h) + 1e-12)
    assert r.regime == Regime.BOUNCING.value
    # The exact flow x(t) = 1 - t reaches 0 at t = 1 and stays: it does not stop at the kink.
    t, x = r.ref_t, r.ref_x
    assert np.all(np.isfinite(x))
    assert x[t <= 1.0] == pytest.approx(1.0 - t[t <= 1.0], abs=1e-9)
    assert x[t >= 1.0] == pytest.approx(0.0, abs=1e-9)
    note = " ".join(r.messages)
    assert "kink" in note and "not defined" not in note


@settings(max_examples=60, deadline=None)
@given(a=st.floats(0.2, 5.0), b_share=st.floats(-0.9, 0.9), c=st.floats(-3.0, 3.0),
       left=st.floats(0.1, 4.0), right=st.floats(0.1, 4.0))
def test_any_v_shaped_valley_is_one_stable_kink_with_its_one_sided_speeds(a, b_share, c, left, right):
    """F = a|x - c| + b x with |b| < a: f = -F' is a - b just left of c and -a - b just right of it,
    wherever c falls among the samples."""
    a, b, c = round(a, 6), round(b_share * a, 6), round(c, 6)     # as a user types them
    p = problem(f"{a!r}*abs(x - ({c!r})) + ({b!r})*x")
    eqs = p.equilibria(c - left, c + right)
    assert len(eqs) == 1
    (eq,) = eqs
    assert eq.x == pytest.approx(c, abs=1e-9 * (left + right))
    assert eq.stability is Stability.STABLE and eq.regime(0.1) is Regime.BOUNCING
    assert eq.jump == pytest.approx((a - b, -a - b), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("points", [2, 7, 257, 400])
def test_the_flow_stays_at_the_kink_however_coarsely_it_is_sampled(points):
    """The step-size lab asks for x(t_N) alone (2 points); the error sweep for 257."""
    from gdviz.model.reference import reference_solution
    ref = reference_solution(problem("abs(x)"), np.array([1.0, -0.5, 2.0]), 6.0, points)
    assert ref.x[:, -1] == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)
    assert "kink" in ref.note


def test_the_lab_compares_step_sizes_at_a_kink_without_calling_them_diverged():
    from gdviz.model.lab import evaluate_lab
    scene = Scene(text="abs(x)", kind="F", direction="descent", h=0.3, x0=1.0, steps=20, x_range=(-0.5, 1.5),
                  compare_h=(1.0, 0.5, 0.1))
    lab = evaluate_lab(scene)
    errors = {run.h: run.error for run in lab.runs}
    # t = 6: h = 1 and 0.5 land on 0 exactly and stay; h = 0.3 ends at -0.2 (see the 2-cycle above)
    assert errors[0.3] == pytest.approx(0.2) and errors[1.0] < 1e-12 and errors[0.5] < 1e-12
    assert all(run.diverged_at < 0 for run in lab.runs)
    assert lab.sweep is not None and "does not reach" not in lab.sweep_note


def test_the_error_sweep_fits_no_order_in_a_kink_and_says_why():
    from gdviz.model.stepsize import error_sweep
    sweep = error_sweep(problem("abs(x)"), 1.0, 2.0)       # x(2) = 0, the kink
    assert all(np.isnan(slope) for slope in sweep.slopes.values())
    assert "kink" in sweep.note and "round-off" not in sweep.note
    assert np.nanmax(sweep.errors["Euler"]) <= np.max(sweep.h) + 1e-12   # the bounce: up to h
    before = error_sweep(problem("abs(x)"), 1.0, 0.5)      # x(0.5) = 0.5: not in the kink yet
    assert "kink" not in before.note


# ------------------------------------------------------------- a kink of f crossed on the way
# x' = 1 + |x| from -1: x = 1 - 2e^-t until x = 0 at t = ln 2, then x = e^t / 2 - 1. f' jumps at 0,
# so RK4's one step straddling 0 makes an O(h²) error: it measures order about 2, not 4.
def test_the_error_sweep_measures_the_order_a_kink_on_the_path_leaves():
    from gdviz.model.stepsize import error_sweep
    sweep = error_sweep(problem("1 + abs(x)", kind="f"), -1.0, 2.0)
    assert sweep.x_exact == pytest.approx(np.exp(2.0) / 2 - 1, rel=1e-12)
    assert 1.5 <= sweep.slopes["RK4"] <= 2.5
    # Heun's and Euler's orders are whatever their errors show: checked against a direct fit.
    floor = 1e3 * np.finfo(np.float64).eps * sweep.x_exact
    for name, err in sweep.errors.items():
        used = np.isfinite(err) & (err > floor)
        assert used.sum() >= 20 and np.array_equal(sweep.fit_mask[name], used)
        direct = np.polyfit(np.log(sweep.h[used]), np.log(err[used]), 1)[0]
        assert sweep.slopes[name] == pytest.approx(direct, abs=1e-12)
        assert f"{name} " in sweep.note and f"order {sweep.slopes[name]:.2g}" in sweep.note
    assert sweep.note.startswith("f is not smooth on the path (near x ≈ 0): the order drops")
    assert "RK4 behaves like order 2" in sweep.note and "round-off" not in sweep.note


def test_the_lab_reports_the_lost_order_for_the_kinked_field():
    from gdviz.model.lab import evaluate_lab
    lab = evaluate_lab(Scene(text="1+abs(x)", kind="f", x0=-1.0))
    assert lab.sweep is not None and 1.5 <= lab.sweep.slopes["RK4"] <= 2.5
    assert "not smooth on the path (near x ≈ 0)" in lab.sweep_note


def test_a_kink_the_path_never_crosses_changes_nothing():
    from gdviz.model.stepsize import error_sweep
    sweep = error_sweep(problem("1 + abs(x)", kind="f"), 0.5, 1.0)     # x grows from 0.5: never at 0
    assert sweep.slopes["RK4"] == pytest.approx(4.0, abs=0.3) and "smooth" not in sweep.note


@pytest.mark.parametrize("text, kind, path, expected", [
    ("1 + abs(x)", "f", (-1.0, 3.0), [0.0]),
    ("abs(x - 0.3) + x^2", "F", (-1.0, 2.0), [0.3]),        # f = -2x - sign(x - 3/10)
    ("1 + abs(x^2 - a)", "f", (-2.0, 2.0), [-1.0, 1.0]),     # a = 1 by default
    ("abs(x) + 2x", "F", (1.0, -2.0), [0.0]),                # f jumps without changing sign
    ("abs(x)", "F", (1.0, 0.0), []),                         # reached at the end, not crossed
    ("x - x^2", "f", (0.1, 0.9), []),
])
def test_kinks_on_path_reads_them_from_the_formula(text, kind, path, expected):
    from gdviz.model.smoothness import kinks_on_path
    found = kinks_on_path(problem(text, kind=kind), np.linspace(*path, 50))
    assert found == pytest.approx(expected, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(c=st.floats(-3.0, 3.0), lo=st.floats(-5.0, 5.0), width=st.floats(1e-3, 10.0))
def test_a_shifted_abs_is_found_exactly_where_the_path_crosses_it(c, lo, width):
    from gdviz.model.smoothness import kinks_on_path
    hi = lo + width
    field = FlowProblem.from_text("1 + abs(x - a)", Kind.FIELD, Direction.ASCENT, {"a": c})
    found = kinks_on_path(field, np.array([lo, hi]))
    if lo < c < hi and min(c - lo, hi - c) > 1e-9 * max(1.0, width):
        assert found == pytest.approx([c], abs=1e-12 * max(1.0, abs(c)) + 1e-9 * max(1.0, width))
    elif not lo <= c <= hi:
        assert found == ()
