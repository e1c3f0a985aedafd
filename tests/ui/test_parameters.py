"""Parameters everywhere: the 2-D and momentum tabs give every free parameter of their equation a
slider, as the flow tab does (an ordinary edit: computed, saved in sessions, undone), and a name
that differs from a variable only by case is accepted with a note under the field."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gdviz.model.session import load_session, save_session

from .conftest import RESULT_TIMEOUT

NOTE_X = "X is a parameter; did you mean x?"


def enter(qtbot, job, field, text):
    """Type `text` in a field and press Enter; wait for the job's newest result for that text."""
    field.setText(text)
    with qtbot.waitSignal(job.shown, timeout=RESULT_TIMEOUT, check_params_cb=lambda r: r.scene.text == text):
        field.returnPressed.emit()
    return job.result


def drag(qtbot, job, slider, value, name="a"):
    """Move a parameter slider as a drag would; wait for the result computed with that value."""
    with qtbot.waitSignal(job.shown, timeout=RESULT_TIMEOUT,
                          check_params_cb=lambda r: r.scene.param_dict.get(name) == value):
        slider.slider.setValue(slider._to_tick(value))
    return job.result


def undo_until(qtbot, window, job, predicate):
    window.undo()
    qtbot.waitUntil(lambda: job.result is not None and predicate(job.result.scene) and not job.pending,
                    timeout=RESULT_TIMEOUT)
    return job.result


@pytest.fixture
def plane(window, qtbot):
    page = window.pages["2d"]
    with qtbot.waitSignal(page.job.shown, timeout=RESULT_TIMEOUT):
        window.show_view("2d")
    return page


@pytest.fixture
def momentum(window, qtbot):
    page = window.pages["momentum"]
    with qtbot.waitSignal(page.job.shown, timeout=RESULT_TIMEOUT):
        window.show_view("momentum")
    return page


# ------------------------------------------------------------------------------------------- 2-D
def test_the_plane_gives_a_parameter_a_slider_that_changes_the_paths(window, plane, qtbot, tmp_path):
    view = plane.widget()
    assert view.params.isHidden()                        # the seed landscape has no parameter
    r = enter(qtbot, plane.job, window.editor.field, "x^2 + a*y^2")
    assert list(view.params.sliders) == ["a"] and view.params.isVisible()
    assert plane.scene.param_dict == {"a": 1.0} and r.parameters == ("a",)
    starts = r.scene.starts
    # F at the starts, as the loss curves begin: x² + a·y² with a = 1, then a = 3
    assert r.runs["GD"].loss[:, 0].tolist() == pytest.approx([x * x + y * y for x, y in starts])
    r = drag(qtbot, plane.job, view.params.sliders["a"], 3.0)
    assert plane.scene.param_dict == {"a": 3.0} and r.scene == plane.scene
    assert r.runs["GD"].loss[:, 0].tolist() == pytest.approx([x * x + 3 * y * y for x, y in starts])
    # GD on a·y² multiplies y by 1 − 2·lr·a each step: the path itself depends on a
    lr = r.scene.lr
    assert r.runs["GD"].x[1, 1, 1] == pytest.approx(starts[1][1] * (1 - 2 * lr * 3.0))
    path = tmp_path / "plane.gdviz"
    save_session(window.session(), path)
    assert load_session(path).plane.param_dict == {"a": 3.0}
    r = undo_until(qtbot, window, plane.job, lambda s: s.param_dict == {"a": 1.0})
    assert view.params.sliders["a"].value() == 1.0 and plane.scene.param_dict == {"a": 1.0}
    assert r.runs["GD"].x[1, 1, 1] == pytest.approx(starts[1][1] * (1 - 2 * lr * 1.0))


def test_a_parameter_removed_from_F_loses_its_slider(window, plane, qtbot):
    view = plane.widget()
    enter(qtbot, plane.job, window.editor.field, "x^2 + a*y^2 + b*x")
    assert list(view.params.sliders) == ["a", "b"]
    enter(qtbot, plane.job, window.editor.field, "x^2 + b*x")
    assert list(view.params.sliders) == ["b"] and plane.scene.param_dict == {"b": 1.0}
    enter(qtbot, plane.job, window.editor.field, "x^2 + y^2")
    assert view.params.sliders == {} and view.params.isHidden() and plane.scene.params == ()


def test_the_plane_editor_notes_a_capital_y(window, plane, qtbot):
    enter(qtbot, plane.job, window.editor.field, "x^2 + Y^2")
    assert window.editor.note_text == "Y is a parameter; did you mean y?"
    assert list(plane.widget().params.sliders) == ["Y"]      # accepted: Y may be intended
    enter(qtbot, plane.job, window.editor.field, "x^2 + y^2")
    assert window.editor.note_text == "" and window.editor.note.isHidden()


# -------------------------------------------------------------------------------------- momentum
def test_momentum_gives_a_parameter_a_slider_that_changes_the_motion(window, momentum, qtbot, tmp_path):
    view = momentum.widget()
    assert view.params.isHidden()                        # the pendulum has no parameter
    r = enter(qtbot, momentum.job, view.equation, "a*x^2/2")
    assert list(view.params.sliders) == ["a"] and view.params.isVisible()
    assert momentum.scene.param_dict == {"a": 1.0} and r.parameters == ("a",)
    x0, v0 = r.scene.x0, r.scene.v0
    # the energy at the start is v0²/2 + a·x0²/2
    assert r.energy[0] == pytest.approx(v0 ** 2 / 2 + x0 ** 2 / 2)
    r = drag(qtbot, momentum.job, view.params.sliders["a"], 4.0)
    assert momentum.scene.param_dict == {"a": 4.0} and r.scene == momentum.scene
    assert r.energy[0] == pytest.approx(v0 ** 2 / 2 + 4.0 * x0 ** 2 / 2)
    path = tmp_path / "momentum.gdviz"
    save_session(window.session(), path)
    assert load_session(path).momentum.param_dict == {"a": 4.0}
    r = undo_until(qtbot, window, momentum.job, lambda s: s.param_dict == {"a": 1.0})
    assert view.params.sliders["a"].value() == 1.0
    assert r.energy[0] == pytest.approx(v0 ** 2 / 2 + x0 ** 2 / 2)
    enter(qtbot, momentum.job, view.equation, "x^2/2")
    assert view.params.sliders == {} and view.params.isHidden() and momentum.scene.params == ()


def test_momentum_notes_a_capital_x_under_its_field(momentum, qtbot):
    view = momentum.widget()
    enter(qtbot, momentum.job, view.equation, "X^2/2 + x^4")
    assert view.hint.isVisibleTo(view) and view.hint.text() == NOTE_X
    enter(qtbot, momentum.job, view.equation, "x^2/2")
    assert view.hint.isHidden()


# ------------------------------------------------------------------------------------------ flow
def type_flow(qtbot, window, text):
    field = window.editor.field
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)
    qtbot.waitUntil(lambda: window.flow.result is not None and window.flow.result.scene.text == text,
                    timeout=RESULT_TIMEOUT)


def test_the_flow_editor_notes_a_capital_x_and_the_status_says_it_first(window, qtbot):
    editor = window.editor
    type_flow(qtbot, window, "X^2")
    assert editor.note_text == NOTE_X and editor.note.isVisible()
    assert not editor.error_text                         # accepted, not refused
    assert list(window.flow.panel.param_sliders) == ["X"]
    assert window.status_text().startswith(NOTE_X)
    type_flow(qtbot, window, "x^2")
    assert editor.note_text == "" and editor.note.isHidden() and not window.status_text().startswith(NOTE_X)


@pytest.mark.parametrize("text", ["X^2", "3"])
def test_with_f_zero_the_status_and_the_panel_agree_with_the_phase_line(window, qtbot, text):
    type_flow(qtbot, window, text)
    assert window.flow.result.f_is_zero
    # one story: the phase line's "every point is an equilibrium", not "nothing attracts x₀"
    for line in (window.status_text(), window.flow.panel.regime.text()):
        assert "every point is an equilibrium" in line and "no stable equilibrium" not in line


# ------------------------------------------------------------------------------------- the widget
def test_the_sliders_box_reports_only_user_edits(qtbot):
    from gdviz.ui.parameter_sliders import ParameterSliders, keep_found
    box = ParameterSliders()
    qtbot.addWidget(box)
    edits = []
    box.changed.connect(edits.append)
    box.set_parameters(("a", "k"), {"k": -2.0})
    assert list(box.sliders) == ["a", "k"] and box.values() == {"a": 1.0, "k": -2.0}
    box.set_values({"a": 0.5, "z": 9.0})                 # shown, not reported; unknown names ignored
    assert box.values() == {"a": 0.5, "k": -2.0} and edits == []
    box.sliders["k"].spin.setValue(3.0)                  # as typed in the box
    assert edits == [{"params": {"a": 0.5, "k": 3.0}}]
    box.set_parameters(("k",), box.values())
    assert list(box.sliders) == ["k"] and box.values() == {"k": 3.0}
    assert keep_found(("b", "k"), {"k": 3.0, "gone": 2.0}) == {"b": 1.0, "k": 3.0}
