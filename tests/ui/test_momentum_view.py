"""The momentum tab's view on its own: it draws a MomentumResult (phase plane and energy), animates
the current iterate, and reports edits as `changed(dict)` and presets as `preset_chosen(name)`.
Results are computed in the test with `evaluate_momentum`; no window or worker is involved."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gdviz.model.momentum import evaluate_momentum, momentum_preset, momentum_presets


@pytest.fixture(scope="module")
def pendulum_result():
    return evaluate_momentum(momentum_preset("pendulum").scene)


@pytest.fixture(scope="module")
def damped_result():
    return evaluate_momentum(momentum_preset("damped pendulum").scene)


@pytest.fixture
def view(qtbot):
    from gdviz.ui.momentum_view import MomentumView
    v = MomentumView()
    qtbot.addWidget(v)
    v.resize(1400, 900)
    v.show()
    qtbot.waitExposed(v)
    return v


@pytest.fixture
def shown(view, pendulum_result):
    view.set_scene(pendulum_result.scene)
    view.show_result(pendulum_result)
    return view


def test_the_view_draws_the_phase_plane_and_the_energy(shown, pendulum_result):
    r = pendulum_result
    phase = shown.phase
    fx, fv = phase.field.getData()
    assert len(fx) > 0 and len(fx) % 2 == 0 and np.isfinite(fx).all()      # pairs of points
    assert np.isfinite(phase.separatrices.getData()[0]).sum() > 100
    assert np.isfinite(phase.orbits.getData()[0]).sum() > 100
    labels = phase.equilibria.data["data"].tolist()
    assert labels == ["stable centre", "saddle (unstable)", "stable centre", "saddle (unstable)",
                      "stable centre"]
    # named above the plot, with the dot's style (see test_margin_names.py)
    texts = [item.toPlainText() for item in phase.names.items if item.isVisible()]
    assert texts == [("● " if e.stable else "○ ") + e.label for e in r.equilibria]
    # Filled for stable, open (white) for unstable.
    brushes = [b.color().name() for b in phase.equilibria.data["brush"]]
    assert brushes == ["#1a1a1a", "#ffffff", "#1a1a1a", "#ffffff", "#1a1a1a"]
    # The whole runs, drawn to the end (a new result starts at its last step).
    assert shown.clock.index == shown.clock.last == r.steps
    x, v = phase.done.getData()
    np.testing.assert_array_equal(x, r.x)
    np.testing.assert_array_equal(v, r.v)
    fx, fv = phase.flow_done.getData()
    assert fx[-1] == r.flow.x[-1] and len(fx) == len(r.flow.x)
    ex, ey = shown.energy_canvas.done.getData()
    np.testing.assert_array_equal(ey, r.energy)
    assert ex[-1] == r.steps
    flow_n, flow_e = shown.energy_canvas.flow.getData()
    assert flow_n[-1] == pytest.approx(r.steps) and np.ptp(flow_e) < 1e-6
    assert "γ = 0" in shown.energy_canvas.plotItem.titleLabel.text
    assert "−sin(x)" in phase.plotItem.titleLabel.text
    assert "Δt = √lr = <b>0.1</b>" in shown.ode.text() and "<b>0</b>" in shown.ode.text()
    assert "no friction" in shown.note.text() and "pendulum" in shown.note.text()
    assert f"/ {r.steps}" in shown.bar.readout.plain()


def test_show_index_moves_the_current_iterate(shown, pendulum_result):
    r = pendulum_result
    for n in (0, 37, r.steps):
        shown.clock.seek(n)
        cx, cv = shown.phase.current.getData()
        assert (cx[0], cv[0]) == (r.x[n], r.v[n])
        x, _ = shown.phase.done.getData()
        assert len(x) == n + 1
        fx, fv = shown.phase.flow_now.getData()
        assert (fx[0], fv[0]) == (r.flow.x[n * r.flow_every], r.flow.v[n * r.flow_every])
        assert shown.energy_canvas.now.value() == n
        assert f"n = {n} / " in shown.bar.readout.plain()
    shown.phase.show_index(5)                                # the canvas on its own
    cx, cv = shown.phase.current.getData()
    assert (cx[0], cv[0]) == (r.x[5], r.v[5]) and shown.phase.current_index == 5


def test_a_new_result_keeps_the_animation_step(shown, damped_result, qtbot):
    shown.clock.seek(20)
    shown.set_scene(damped_result.scene)
    shown.show_result(damped_result)
    assert shown.clock.index == 20
    cx, cv = shown.phase.current.getData()
    assert (cx[0], cv[0]) == (damped_result.x[20], damped_result.v[20])
    assert [e.label for e in damped_result.equilibria].count("stable focus") == 2
    assert "falls" in shown.energy_canvas.plotItem.titleLabel.text


def test_choosing_a_preset_emits_its_name(view, qtbot):
    names = [p.name for p in momentum_presets()]
    i = view.presets.findData("damped pendulum")
    assert i > 0 and view.presets.count() == len(names) + 1
    with qtbot.waitSignal(view.preset_chosen) as blocker:
        view.presets.activated.emit(i)
    assert blocker.args == ["damped pendulum"]
    assert view.presets.currentIndex() == 0                  # the menu resets to "Presets…"


@pytest.mark.parametrize("field, edit, expected", [
    ("momentum", lambda v: v.momentum.spin.setValue(0.5), {"momentum": 0.5}),
    ("lr", lambda v: v.lr.spin.setValue(0.04), {"lr": 0.04}),
    ("x0", lambda v: v.x0.setValue(-1.25), {"x0": -1.25}),
    ("v0", lambda v: v.v0.setValue(0.75), {"v0": 0.75}),
    ("steps", lambda v: v.steps.setValue(123), {"steps": 123}),
    ("portrait", lambda v: v.portrait.setChecked(False), {"portrait": False}),
])
def test_an_edit_emits_changed_with_the_field(shown, qtbot, field, edit, expected):
    with qtbot.waitSignal(shown.changed) as blocker:
        edit(shown)
    assert blocker.args == [expected]


def test_typing_an_equation_emits_the_text(shown, qtbot):
    shown.equation.setText("x^2/2")
    with qtbot.waitSignal(shown.changed) as blocker:
        shown.equation.returnPressed.emit()
    assert blocker.args == [{"text": "x^2/2", "preset": ""}]


def test_a_click_on_the_plane_picks_the_start(shown, qtbot):
    canvas = shown.phase
    pos = canvas.mapFromScene(canvas.view.mapViewToScene(QPointF(1.5, -0.75)))
    with qtbot.waitSignal(shown.changed) as blocker:
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    change = blocker.args[0]
    assert set(change) == {"x0", "v0"}
    assert change["x0"] == pytest.approx(1.5, abs=0.05) and change["v0"] == pytest.approx(-0.75, abs=0.05)


def test_set_scene_fills_the_controls_without_emitting(view, qtbot, damped_result):
    scene = damped_result.scene
    with qtbot.assertNotEmitted(view.changed):
        view.set_scene(scene)
    assert view.equation.text() == scene.text
    assert (view.x0.value(), view.v0.value(), view.steps.value()) == (scene.x0, scene.v0, scene.steps)
    assert view.momentum.value() == scene.momentum and view.lr.value() == scene.lr
    assert "γ = (1 − μ)/Δt = <b>0.3</b>" in view.ode.text()


def test_an_error_is_shown_and_the_picture_stays(qtbot, shown, pendulum_result):
    plots = shown.phase.height()
    assert not shown.error.isVisible()          # no empty row above the plots (a 720p projector's height)
    shown.show_error("unexpected end of the expression")
    assert shown.error.text() == "unexpected end of the expression" and shown.error.isVisible()
    assert shown.result is pendulum_result and len(shown.phase.done.getData()[0]) == pendulum_result.steps + 1
    shown.show_result(pendulum_result)
    assert shown.error.text() == "" and not shown.error.isVisible()
    qtbot.waitUntil(lambda: shown.phase.height() == plots)      # the room comes back to the plots


def test_a_diverging_run_says_so_on_the_canvas(view):
    from gdviz.model.momentum import MomentumScene
    r = evaluate_momentum(MomentumScene(text="x^2/2", x0=1.0, lr=4.5, momentum=0.9, steps=100,
                                        x_range=(-2.0, 2.0), v_range=(-2.0, 2.0)))
    view.set_scene(r.scene)
    view.show_result(r)
    assert view.phase.message.isVisible() and "ran away" in view.phase.message.toPlainText()
    cx, _ = view.phase.current.getData()
    assert len(cx) == 0 and not math.isfinite(r.x[-1])        # no current marker at NaN
    assert "cannot settle" in view.note.text()


def test_the_energy_axis_is_not_flattened_by_a_runaway_ball():
    from gdviz.ui.momentum_view import energy_span
    flow = np.linspace(1.0, 0.5, 50)
    iterates = np.concatenate([np.linspace(1.0, 0.6, 10), [5.0, 1e24, np.nan]])
    lo, hi = energy_span(flow, iterates, 0.0)
    assert lo < 0.0 and 1.0 < hi < 6.0


def test_the_worker_job_runs_evaluate_momentum(view, qtbot):
    from gdviz.compute import jobs
    from gdviz.compute.worker import ComputeClient
    from gdviz.model.momentum import MomentumScene
    client = ComputeClient(view, job=jobs.evaluate_momentum, name="gdviz-momentum")
    try:
        scene = momentum_preset("logistic bowl").scene
        with qtbot.waitSignal(client.result_ready, timeout=20_000) as blocker:
            client.request(scene)
        r = blocker.args[0]
        assert r.scene == scene
        view.set_scene(scene)
        view.show_result(r)
        assert [e.label for e in r.equilibria] == ["saddle (unstable)", "stable focus"]
        with qtbot.waitSignal(client.failed, timeout=20_000) as blocker:
            client.request(MomentumScene(text="x^2 + (x"))
        assert blocker.args[0].message
    finally:
        client.shutdown()
