"""Momentum is physics: the momentum tab's scene, its evaluation and its presets.

Hand-derived facts used below: for the pendulum F = 1 − cos x (descent, V = F) the rest points
are x* = kπ with V''(x*) = cos x* = ±1, so the Jacobian [[0, 1], [−V'', −γ]] makes the bottoms a
centre (γ = 0), a focus (0 < γ < 2) or a node (γ >= 2), and the tops saddles with eigenvalues
(−γ ± √(γ² + 4))/2. The separatrices through the tops carry the tops' energy E = V(π) = 2.
Heavy-ball momentum with lr, μ is this motion with Δt = √lr, γ = (1 − μ)/Δt.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.euler import Cancelled
from gdviz.model.expressions import ExpressionError
from gdviz.model.momentum import (
    DEFAULT_MOMENTUM_PRESET,
    FIELD_NV,
    FIELD_NX,
    MAX_STEPS,
    MAX_TIME,
    MomentumScene,
    build_momentum_problem,
    classify_rest_point,
    evaluate_momentum,
    momentum_preset,
    momentum_preset_from_dict,
    momentum_presets,
)
from gdviz.model.optimizers import heavy_ball_as_ode, run_optimizer
from gdviz.model.physics import PhaseKind, pendulum_energy, pendulum_equilibria


@pytest.fixture(scope="module")
def pendulum():
    return evaluate_momentum(momentum_preset("pendulum").scene)


@pytest.fixture(scope="module")
def damped():
    return evaluate_momentum(momentum_preset("damped pendulum").scene)


# --------------------------------------------------------------------------- presets

def test_presets_load_in_order_and_the_default_is_the_pendulum():
    names = [p.name for p in momentum_presets()]
    assert names == ["pendulum", "damped pendulum", "logistic bowl"]
    assert DEFAULT_MOMENTUM_PRESET in names
    for p in momentum_presets():
        assert p.scene.preset == p.name and p.title and p.explanation
        assert p.scene.direction == "descent"
    assert MomentumScene().text == momentum_preset("pendulum").scene.text == "1 - cos(x)"
    with pytest.raises(KeyError, match="pendulum"):
        momentum_preset("no such preset")


def test_a_bad_preset_names_its_file_and_field():
    good = {"name": "p", "title": "t", "explanation": "e", "equation": "x^2", "x0": 1, "v0": 0,
            "lr": 0.01, "momentum": 0.9, "steps": 10, "x_range": [-1, 1], "v_range": [-1, 1]}
    assert momentum_preset_from_dict(good, "f.json").scene.x0 == 1.0
    with pytest.raises(ValueError, match=r"f\.json: the preset has no 'lr'"):
        momentum_preset_from_dict({k: v for k, v in good.items() if k != "lr"}, "f.json")
    with pytest.raises(ValueError, match='unknown key "colour"'):
        momentum_preset_from_dict({**good, "colour": 1}, "f.json")
    with pytest.raises(ValueError, match=r"f\.json: .*momentum"):
        momentum_preset_from_dict({**good, "momentum": 2}, "f.json")
    with pytest.raises(ValueError, match="must be an object"):
        momentum_preset_from_dict([], "f.json")


# --------------------------------------------------------------------------- rest points

def test_pendulum_bottom_is_a_stable_centre_and_tops_are_saddles(pendulum):
    assert pendulum.gamma == 0.0 and pendulum.dt == pytest.approx(0.1)
    eqs = {round(e.x / math.pi): e for e in pendulum.equilibria}
    assert sorted(eqs) == [-2, -1, 0, 1, 2]                   # x_range (−7.2, 7.2)
    bottom = eqs[0]
    assert (bottom.x, bottom.v) == (0.0, 0.0)
    assert bottom.kind is PhaseKind.CENTRE and bottom.stable and bottom.label == "stable centre"
    assert bottom.eigenvalues == (1j, -1j) and bottom.curvature == pytest.approx(1.0)
    assert bottom.potential == pytest.approx(0.0, abs=1e-15)
    for k in (-1, 1):
        top = eqs[k]
        assert top.x == pytest.approx(k * math.pi, abs=1e-12) and top.v == 0.0
        assert top.kind is PhaseKind.SADDLE and not top.stable
        assert top.label == "saddle (unstable)"
        assert top.eigenvalues == (pytest.approx(1.0), pytest.approx(-1.0))
        assert top.potential == pytest.approx(2.0)
    # The same kinds as physics' own pendulum.
    ref = pendulum_equilibria(1.0, 0.0, pendulum.scene.x_range)
    assert [e.kind for e in ref] == [e.kind for e in pendulum.equilibria]
    assert pendulum.rest_energy == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("momentum, kind", [(0.97, PhaseKind.FOCUS), (0.7, PhaseKind.NODE),
                                            (0.0, PhaseKind.NODE), (1.0, PhaseKind.CENTRE)])
def test_friction_turns_the_bottom_into_a_focus_then_a_node(momentum, kind):
    scene = momentum_preset("damped pendulum").scene.with_(momentum=momentum, steps=50)
    r = evaluate_momentum(scene)
    _, gamma = heavy_ball_as_ode(0.01, momentum)
    assert r.gamma == gamma                                    # γ = (1 − μ)/0.1: 0.3, 3, 10, 0
    ref = pendulum_equilibria(1.0, gamma, scene.x_range)
    assert [e.kind for e in r.equilibria] == [e.kind for e in ref]
    for mine, theirs in zip(r.equilibria, ref, strict=True):
        assert mine.x == pytest.approx(theirs.x, abs=1e-12)
        np.testing.assert_allclose(mine.eigenvalues, theirs.eigenvalues, rtol=1e-12, atol=1e-12)
    assert {e.kind for e in r.equilibria} == {kind, PhaseKind.SADDLE}


def test_classify_rest_point_table():
    assert classify_rest_point(4.0, 0.0) == (PhaseKind.CENTRE, (2j, -2j))
    assert classify_rest_point(4.0, 1.0)[0] is PhaseKind.FOCUS
    assert classify_rest_point(4.0, 4.0) == (PhaseKind.NODE, (-2 + 0j, -2 + 0j))   # critical damping
    assert classify_rest_point(4.0, 5.0) == (PhaseKind.NODE, (-1 + 0j, -4 + 0j))
    assert classify_rest_point(4.0, -1.0)[0] is PhaseKind.UNSTABLE_FOCUS
    assert classify_rest_point(4.0, -5.0)[0] is PhaseKind.UNSTABLE_NODE
    assert classify_rest_point(-2.0, 1.0) == (PhaseKind.SADDLE, (1 + 0j, -2 + 0j))
    # V'' = 0: the shape of V decides.
    assert classify_rest_point(0.0, 0.0, "minimum")[0] is PhaseKind.CENTRE
    assert classify_rest_point(0.0, 1.0, "minimum") == (PhaseKind.NODE, (0j, -1 + 0j))
    assert classify_rest_point(0.0, 1.0, "maximum")[0] is PhaseKind.SADDLE
    assert classify_rest_point(0.0, 1.0, "neither")[0] is PhaseKind.SADDLE


@pytest.mark.parametrize("text, kind", [("x^4", PhaseKind.CENTRE), ("-x^4", PhaseKind.SADDLE),
                                        ("x^3", PhaseKind.SADDLE)])
def test_degenerate_rest_points_are_classified_by_the_shape_of_the_potential(text, kind):
    r = evaluate_momentum(MomentumScene(text=text, x0=0.5, momentum=1.0, steps=20,
                                        x_range=(-1.0, 1.0), v_range=(-1.0, 1.0)))
    (e,) = r.equilibria
    assert e.x == 0.0 and e.degenerate and e.curvature == 0.0 and e.kind is kind
    assert e.label.endswith("degenerate")


# --------------------------------------------------------------------------- heavy ball and flow

@pytest.mark.parametrize("name", ["pendulum", "damped pendulum", "logistic bowl"])
def test_heavy_ball_iterates_are_torch_momentum_on_the_same_F(name):
    scene = momentum_preset(name).scene.with_(v0=0.0)
    r = evaluate_momentum(scene)
    problem = build_momentum_problem(scene)
    opt = run_optimizer("Momentum", lambda X: -problem.f_numeric(X), [[scene.x0]], scene.steps,
                        {"lr": scene.lr, "momentum": scene.momentum})
    np.testing.assert_array_equal(r.x, opt.x[0, :, 0])
    np.testing.assert_allclose(r.t, r.dt * np.arange(scene.steps + 1), rtol=1e-15)
    np.testing.assert_allclose(r.v[1:], np.diff(r.x) / r.dt, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.energy, r.v**2 / 2 + problem.F_numeric(r.x), rtol=1e-14, atol=1e-14)


def test_the_flow_starts_where_the_ball_does_and_covers_the_same_time(damped):
    r = damped
    s = r.scene
    assert (r.flow.x[0], r.flow.v[0]) == (s.x0, s.v0) == (r.x[0], r.v[0])
    assert r.flow.t[-1] == pytest.approx(s.steps * r.dt) and r.flow.gamma == r.gamma
    fx, _, fe = r.flow_at_steps()
    assert fx.shape == r.x.shape == fe.shape
    np.testing.assert_allclose(r.flow.t[::r.flow_every], r.t, rtol=1e-12, atol=1e-12)
    # First order in Δt = 0.1: close, not equal; both settle in the valley at 2π.
    assert np.max(np.abs(fx - r.x)) < 0.5
    assert r.x[-1] == pytest.approx(2 * math.pi, abs=0.01)
    assert r.flow.x[-1] == pytest.approx(2 * math.pi, abs=0.01)


def test_energy_of_the_flow_is_conserved_without_friction(pendulum):
    e = pendulum.flow.energy
    assert np.all(np.isfinite(e))
    assert np.max(np.abs(e - e[0])) <= 1e-6 * abs(e[0])
    np.testing.assert_allclose(e[0], pendulum_energy(2.0, 0.0))
    # The heavy ball's energy wobbles about it (O(Δt)) without drifting away.
    hb = pendulum.energy
    assert np.max(np.abs(hb - e[0])) < 0.1 * e[0]
    assert abs(hb[-100:].mean() - e[0]) < 0.05 * e[0]


@pytest.mark.parametrize("momentum", [0.99, 0.97, 0.8])
def test_energy_of_the_flow_falls_with_friction(momentum):
    r = evaluate_momentum(momentum_preset("damped pendulum").scene.with_(momentum=momentum))
    e = r.flow.energy
    assert r.gamma > 0 and np.all(np.isfinite(e))
    # dE/dt = −γ v² <= 0: never up (beyond rounding), strictly down overall.
    assert np.all(np.diff(e) <= 1e-12 * e[0])
    assert e[-1] < 0.5 * e[0]


def test_ascent_on_minus_F_is_the_same_motion(pendulum):
    scene = pendulum.scene.with_(text="cos(x) - 1", direction="ascent")
    r = evaluate_momentum(scene)
    np.testing.assert_array_equal(r.x, pendulum.x)
    np.testing.assert_allclose(r.flow.x, pendulum.flow.x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.energy, pendulum.energy, rtol=0, atol=1e-12)
    assert [e.kind for e in r.equilibria] == [e.kind for e in pendulum.equilibria]
    assert r.equation.startswith("x″ + γx′ = F′(x)")


# --------------------------------------------------------------------------- the portrait

def test_the_field_is_tangent_to_the_motion_and_unit_length_in_box_units(damped):
    r = damped
    (a, b), (c, d) = r.scene.x_range, r.scene.v_range
    assert r.field_x.shape == (FIELD_NX * FIELD_NV,)
    assert a < r.field_x.min() and r.field_x.max() < b and c < r.field_v.min() and r.field_v.max() < d
    np.testing.assert_allclose(np.hypot(r.field_dx, r.field_dv), 1.0, rtol=1e-12)
    xdot, vdot = r.field_v, -np.sin(r.field_x) - r.gamma * r.field_v
    # (dx·Sx, dv·Sv) is parallel to (x', v') and points the same way.
    px, pv = r.field_dx * (b - a), r.field_dv * (d - c)
    np.testing.assert_allclose(px * vdot - pv * xdot, 0.0, atol=1e-12 * np.max(r.field_speed) * (b - a + d - c))
    assert np.all(px * xdot + pv * vdot > 0)
    np.testing.assert_allclose(r.field_speed, np.hypot(xdot, vdot), rtol=1e-12)


def test_pendulum_separatrices_carry_the_energy_of_the_top(pendulum):
    x, v = pendulum.separatrix_x, pendulum.separatrix_v
    ok = np.isfinite(x)
    assert ok.sum() > 100 and np.array_equal(ok, np.isfinite(v))
    np.testing.assert_allclose(pendulum_energy(x[ok], v[ok]), 2.0, atol=1e-6)
    # The saddles ±π in x_range (±3π are outside), four branches each, one finite run apiece.
    runs = np.count_nonzero(ok[1:] & ~ok[:-1]) + int(ok[0])
    assert runs == 2 * 4
    # Reference orbits keep their own energy levels: finite, inside the widened box.
    ox, ov = pendulum.orbits_x, pendulum.orbits_v
    assert np.isfinite(ox).sum() > 100
    (a, b), (c, d) = pendulum.scene.x_range, pendulum.scene.v_range
    fin = np.isfinite(ox)
    assert ox[fin].min() >= a - 0.25 * (b - a) and ov[fin].max() <= d + 0.25 * (d - c)


def test_the_portrait_can_be_switched_off(pendulum):
    r = evaluate_momentum(pendulum.scene.with_(portrait=False))
    assert r.orbits_x.size == r.separatrix_x.size == 0
    np.testing.assert_array_equal(r.x, pendulum.x)


# --------------------------------------------------------------------------- messages, errors

def test_too_large_a_learning_rate_is_reported_and_diverges():
    scene = MomentumScene(text="x^2/2", x0=1.0, lr=4.5, momentum=0.9, steps=150,
                          x_range=(-2.0, 2.0), v_range=(-2.0, 2.0))
    r = evaluate_momentum(scene)
    assert r.diverged_at > 0 and np.isnan(r.x[-1])
    text = " ".join(r.messages)
    assert "ran away at step" in text and "cannot settle at x* = 0" in text
    # The flow itself is fine: a damped oscillator (γ = 0.1/√4.5) settles, e^(−γt/2) ≈ 5e-4.
    assert r.flow_diverged_at == -1 and abs(r.flow.x[-1]) < 1e-3


def test_frictionless_note():
    assert any("no friction" in m for m in evaluate_momentum(MomentumScene(steps=10)).messages)


def test_bad_text_and_cancel():
    with pytest.raises(ExpressionError):
        evaluate_momentum(MomentumScene(text="1 - cos(x"))
    with pytest.raises(Cancelled):
        evaluate_momentum(MomentumScene(), should_stop=lambda: True)


@pytest.mark.parametrize("changes, message", [
    ({"lr": 0.0}, "learning rate"),
    ({"lr": math.nan}, "learning rate"),
    ({"momentum": 1.5}, "momentum μ must be between 0 and 1"),
    ({"momentum": -0.1}, "momentum"),
    ({"steps": 0}, "steps must be a whole number"),
    ({"steps": 2.0}, "steps must be a whole number"),
    ({"steps": True}, "steps"),
    ({"steps": MAX_STEPS + 1}, "steps"),
    ({"steps": 10_000, "lr": 1.0}, "more time than the"),
    ({"x0": math.inf}, "x₀ must be a number"),
    ({"v0": "1"}, "v₀ must be a number"),
    ({"x_range": (1.0, -1.0)}, "x-range needs A < B"),
    ({"x_range": (0.0, 5e-324)}, "x-range is too narrow to plot"),
    ({"v_range": (0.0,)}, "v-range"),
    ({"text": "  "}, "type a potential"),
    ({"text": None}, "type a potential"),
    ({"direction": "up"}, "direction"),
    ({"params": (("a", math.nan),)}, "params"),
    ({"portrait": "yes"}, "portrait"),
])
def test_validation_messages(changes, message):
    with pytest.raises(ValueError, match=message):
        MomentumScene().with_(**changes)


def test_values_are_normalised_and_several_problems_are_listed():
    s = MomentumScene(x0=1, v0=np.float32(0.5), x_range=[-2, 2], params={"k": 2})
    assert type(s.x0) is float and s.v0 == 0.5 and s.x_range == (-2.0, 2.0)
    assert s.params == (("k", 2.0),) and s.param_dict == {"k": 2.0}
    assert hash(s) == hash(MomentumScene(x0=1.0, v0=0.5, x_range=(-2.0, 2.0), params=(("k", 2),)))
    with pytest.raises(ValueError, match=r"learning rate.*; .*momentum"):
        MomentumScene(lr=-1, momentum=3)
    with pytest.raises(ValueError, match="unknown scene field"):
        MomentumScene().with_(h=0.1)
    assert MomentumScene(lr=0.04, momentum=0.9).gamma == pytest.approx(0.5)
    assert MomentumScene(lr=0.04, steps=100).t_end == pytest.approx(20.0)
    assert MomentumScene(lr=1.0, steps=int(MAX_TIME)).t_end == MAX_TIME


ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.tuples(st.floats(), st.floats()), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=2),
    st.tuples(st.tuples(st.text(max_size=3), st.floats())),
)
FIELDS = ("text", "direction", "params", "x0", "v0", "lr", "momentum", "steps", "x_range",
          "v_range", "portrait", "preset")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), ANYTHING, max_size=5))
def test_any_values_give_a_scene_or_a_value_error(changes):
    try:
        scene = MomentumScene(**changes)
    except ValueError as error:
        assert str(error)
        return
    assert isinstance(scene.x0, float) and isinstance(scene.steps, int)
    assert scene.x_range[0] < scene.x_range[1] and 0 <= scene.momentum <= 1
    assert scene.steps * scene.dt <= MAX_TIME * (1 + 1e-12)
    hash(scene)


def test_the_momentum_csv_reads_back_to_the_run_exactly():
    from gdviz.model.momentum import MOMENTUM_COLUMNS, momentum_csv
    r = evaluate_momentum(MomentumScene(text="x^2/2", x0=1.0, v0=0.5, lr=0.04, momentum=0.8, steps=50))
    rows = [line.split(",") for line in momentum_csv(r).splitlines()]
    assert tuple(rows[0]) == MOMENTUM_COLUMNS and len(rows) == 52
    table = np.array(rows[1:], dtype=float)
    np.testing.assert_array_equal(table[:, 0], np.arange(51))
    for col, values in zip(table[:, 1:].T, (r.run.t, r.run.x, r.run.v, r.run.energy)):
        np.testing.assert_array_equal(col, values)
    np.testing.assert_allclose(table[:, 4], table[:, 3] ** 2 / 2 + table[:, 2] ** 2 / 2, rtol=1e-12)
