"""The lesson panel in the real window: every built-in step loads and is drawn, navigation by
buttons, keys and the step list, teachers' files (good and bad), the secant demo, install twice."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from gdviz.model.lesson import load_builtin_lesson
from gdviz.ui.lesson_panel import KEY_FILE, KEY_STEP, LessonController, LessonPanel, install_lesson

from .conftest import RESULT_TIMEOUT

STEP_TIMEOUT = 40_000     # the lab's bifurcation sweep and the 2-D basins on 2 shared cores


def _forget_the_lesson() -> None:
    s = QSettings("gdviz", "gdviz")
    s.remove("lesson")
    s.remove("window/state")      # a saved layout with the lesson dock open would reopen it
    s.sync()


@pytest.fixture(autouse=True)
def _fresh_lesson_settings():
    """Each test starts from the built-in lesson, closed, and leaves no lesson behind for the next
    test file's windows (pytest-qt closes the windows, saving their layout, before fixtures end)."""
    _forget_the_lesson()
    yield
    _forget_the_lesson()


@pytest.fixture
def lesson(qtbot, window) -> LessonController:
    controller = install_lesson(window)
    with qtbot.waitSignal(controller.panel.step_shown, timeout=RESULT_TIMEOUT):
        controller.show()
    return controller


def drawn(window, step) -> bool:
    """The window shows the step's view and has drawn every scene the step loads."""
    from gdviz.model.views import TAB_VIEWS, tab_of
    if window.tabs.currentIndex() != TAB_VIEWS.index(tab_of(step.view)):
        return False
    if step.view == "edge" and not (window.pages["edge"].is_drawn and window.pages["edge"].has_results()):
        return False
    if step.scene is not None:
        r = window.flow.result
        if r is None or r.scene.with_(params=()) != step.scene.with_(params=()):
            return False
        if step.view in ("lab", "compare", "error", "cobweb", "bifurcation"):
            lab, orbits = window.pages["lab"].lab_result, window.pages["lab"].orbit_result
            if lab is None or lab.scene != window.flow.scene or orbits is None or orbits.scene.orbit_key() != window.flow.scene.orbit_key():
                return False
    if step.plane is not None:
        r = window.pages["2d"].widget().result
        if r is None or r.scene != step.plane:
            return False
    if step.momentum is not None:
        r = window.pages["momentum"].widget().result
        if r is None or r.scene != step.momentum:
            return False
    return True


def test_opening_the_lesson_shows_and_applies_the_first_step(lesson, window, qtbot):
    panel = lesson.panel
    assert lesson.dock.isVisible() and lesson.toggle_action.isChecked()
    assert panel.lesson.title == load_builtin_lesson().title and panel.index == 0
    assert panel.counter.text() == f"STEP 1 OF {len(panel.lesson.steps)}"
    assert panel.step_title.text() == panel.lesson.steps[0].title
    assert "secant" in panel.text.toPlainText()
    qtbot.waitUntil(lambda: drawn(window, panel.step), timeout=RESULT_TIMEOUT)
    assert panel.demo is not None and panel.overlay.isVisible()       # the secant step's demo, over the plots
    assert not panel.back_button.isEnabled() and panel.next_button.isEnabled()


def test_every_built_in_step_loads_and_the_window_draws_it(lesson, window, qtbot):
    panel = lesson.panel
    for i, step in enumerate(panel.lesson.steps):
        with qtbot.waitSignal(panel.step_shown, timeout=RESULT_TIMEOUT):
            panel.go(i)
        qtbot.waitUntil(lambda: drawn(window, step), timeout=STEP_TIMEOUT)
        assert panel.step_title.text() == step.title and panel.index == i
        assert (panel.overlay is not None and panel.overlay.isVisible()) == (step.demo == "secant")
        if step.scene is not None:
            assert window.flow.error is None
    assert not panel.next_button.isEnabled()


def test_next_back_keys_and_the_step_list(lesson, window, qtbot):
    panel = lesson.panel
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert panel.index == 1 and panel.counter.text().startswith("STEP 2 OF")
    qtbot.waitUntil(lambda: drawn(window, panel.step), timeout=RESULT_TIMEOUT)
    assert window.flow.scene.bundle                                    # x' = x and its bundle
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert panel.index == 2
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert panel.index == 3
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert panel.index == 1
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert panel.index == 0 and not panel.back_button.isEnabled()
    panel.steps_combo.activated.emit(8)                          # a jump from the list
    assert panel.index == 8 and panel.steps_combo.currentIndex() == 8
    qtbot.waitUntil(lambda: drawn(window, panel.step), timeout=STEP_TIMEOUT)
    assert window.tabs.currentIndex() == 1 and window.flow.scene.h == 2.2
    qtbot.mouseClick(panel.restart_button, Qt.MouseButton.LeftButton)
    assert panel.index == 0
    assert QSettings("gdviz", "gdviz").value(KEY_STEP) in (0, "0")


def test_a_step_leaves_the_keyboard_to_the_animation(lesson, window, qtbot):
    panel = lesson.panel
    window.activateWindow()
    panel.demo.dt_slider.setFocus()                               # the teacher just dragged Δt
    qtbot.waitUntil(panel.demo.dt_slider.hasFocus)
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: drawn(window, panel.step), timeout=RESULT_TIMEOUT)
    focus = window.focusWidget()
    assert focus is not None and focus.isVisible() and not panel.isAncestorOf(focus)
    assert window.tabs.currentWidget().isAncestorOf(focus)       # a plot of the step's view
    qtbot.keyClick(focus, Qt.Key.Key_Space)
    assert window.flow.clock.playing
    qtbot.keyClick(focus, Qt.Key.Key_Space)
    assert not window.flow.clock.playing


def test_hidden_lesson_keys_do_nothing_and_closing_the_dock_unchecks_the_action(lesson, window, qtbot):
    panel = lesson.panel
    lesson.toggle_action.setChecked(False)
    assert not lesson.dock.isVisible() and not lesson.next_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert panel.index == 0
    lesson.toggle_action.trigger()
    qtbot.waitUntil(lesson.dock.isVisible)
    assert lesson.next_action.isEnabled()
    lesson.dock.close()                                           # the dock's own close button
    qtbot.waitUntil(lambda: not lesson.toggle_action.isChecked())
    assert not (panel.overlay and panel.overlay.isVisible())    # the demo goes with the lesson


def test_a_teachers_lesson_from_a_file_opens_at_step_one_and_is_remembered(lesson, window, qtbot, tmp_path):
    path = tmp_path / "monday.toml"
    path.write_text('title = "Monday"\nauthor = "Ms Teacher"\n'
                    '[[steps]]\ntitle = "Valleys"\ntext = "Gradient descent *only* goes downhill."\n'
                    'preset = "double-well"\ntry = "Drag x₀ across the hump."\n'
                    '[[steps]]\ntitle = "A saddle"\ntext = "Two dimensions."\nplane_preset = "saddle"\n',
                    encoding="utf-8")
    panel = lesson.panel
    assert panel.open_file(str(path), quiet=True)
    assert panel.lesson.title == "Monday" and panel.index == 0 and panel.steps_combo.count() == 2
    assert "<i>only</i>" in panel.text.toHtml() or "only" in panel.text.toPlainText()
    assert panel.try_label.isVisible() and "Drag x₀" in panel.try_label.text()
    qtbot.waitUntil(lambda: drawn(window, panel.step), timeout=RESULT_TIMEOUT)
    assert window.flow.scene.preset == "double-well"
    panel.next_step()
    qtbot.waitUntil(lambda: drawn(window, panel.step), timeout=STEP_TIMEOUT)
    assert window.tabs.currentIndex() == 2 and window.pages["2d"].scene.preset == "saddle"
    s = QSettings("gdviz", "gdviz")
    assert s.value(KEY_FILE) == str(path) and int(s.value(KEY_STEP)) == 1
    # a new panel (the next start of gdviz) comes back to it
    again = LessonPanel(window)
    qtbot.addWidget(again)
    again.load_remembered(apply=False)
    assert again.lesson.title == "Monday" and again.index == 1


def test_a_bad_file_keeps_the_current_lesson_and_says_why(lesson, window, qtbot, tmp_path, monkeypatch):
    panel = lesson.panel
    panel.go(3)
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    bad = tmp_path / "broken.toml"
    bad.write_text('title = "Broken"\n[[steps]]\ntitle = "Oops"\ntext = "x"\n[steps.scene]\nh = "fast"\n',
                   encoding="utf-8")
    assert not panel.open_file(str(bad))
    assert len(shown) == 1 and 'Step 1 ("Oops")' in shown[0] and "'scene.h'" in shown[0]
    assert panel.lesson.title == load_builtin_lesson().title and panel.index == 3
    assert "scene.h" in window.status_label.text()
    assert not panel.open_file(str(tmp_path / "missing.toml"), quiet=True)
    assert panel.lesson.title == load_builtin_lesson().title
    assert QSettings("gdviz", "gdviz").value(KEY_FILE) in ("", None)


def test_a_remembered_file_that_is_gone_falls_back_to_the_built_in_lesson(window, qtbot, tmp_path):
    s = QSettings("gdviz", "gdviz")
    s.setValue(KEY_FILE, str(tmp_path / "gone.toml"))
    s.setValue(KEY_STEP, 5)
    panel = LessonPanel(window)
    qtbot.addWidget(panel)
    panel.load_remembered()
    assert panel.lesson.title == load_builtin_lesson().title and panel.index == 0
    assert "gone.toml" in window.status_label.text()


def test_the_secant_demos_sliders_change_the_readout(lesson, qtbot):
    demo = lesson.panel.demo
    assert demo is not None and demo.state.t0 == 1.0 and demo.state.dt == 1.0
    before = demo.readout.text()
    assert "4.67077" in before and "2.71828" in before             # (e² − e)/1 and e
    with qtbot.waitSignal(demo.state_changed, timeout=2000) as blocker:
        demo.dt_slider.setValue(0)                                 # Δt = 0.001
    state = blocker.args[0]
    assert state.dt == pytest.approx(1e-3)
    assert abs(state.error) < 2e-3 and demo.readout.text() != before and "2.71964" in demo.readout.text()
    demo.left.setChecked(True)
    assert demo.state.dt == pytest.approx(-1e-3) and demo.state.error < 0
    demo.t0_slider.setValue(0)                                     # t₀ at the left end of the range
    assert demo.state.t0 == pytest.approx(-1.0) and "t₀ = −1" in demo.t0_label.text()
    # Reset step brings the step's own t₀ and Δt back
    qtbot.mouseClick(lesson.panel.reload_button, Qt.MouseButton.LeftButton)
    assert (demo.state.t0, demo.state.dt) == (1.0, 1.0)


def test_the_demo_can_be_hidden_and_shown_again_and_a_tab_change_hides_it(lesson, window, qtbot):
    panel = lesson.panel
    overlay = panel.overlay
    assert overlay.isVisible() and panel.demo_button.isChecked()
    qtbot.mouseClick(overlay.close_button, Qt.MouseButton.LeftButton)
    assert not overlay.isVisible() and not panel.demo_button.isChecked()
    assert panel.demo_button.text() == "Show the secant demo"
    qtbot.mouseClick(panel.demo_button, Qt.MouseButton.LeftButton)
    assert overlay.isVisible()
    page = window.tabs.currentWidget()
    assert overlay.geometry().size() == page.size()                # it covers the plots, not the tab bar
    window.show_view("lab")
    assert not overlay.isVisible()
    panel.next_step()
    assert not panel.demo_button.isVisible()


def test_install_twice_is_idempotent(window):
    first = install_lesson(window)
    menu_count = len(window.board.menu("view").actions())
    toolbar_count = len(window.toolbar.actions())
    second = install_lesson(window)
    assert second is first and window.addons["lesson"] is first
    assert len(window.board.menu("view").actions()) == menu_count and len(window.toolbar.actions()) == toolbar_count
    assert first.toggle_action in window.board.menu("view").actions() and first.toggle_action in window.toolbar.actions()
    assert first.open_action in window.board.menu("file").actions()
    assert first.toggle_action.shortcut().toString() == "Ctrl+Shift+L"
    assert not first.dock.isVisible() and first.panel.lesson is None    # nothing read until it is opened


def test_apply_style_follows_the_style_scale(lesson):
    from gdviz.ui.style import STYLE
    panel = lesson.panel
    base = panel.text.font().pointSizeF()
    old = STYLE.scale
    try:
        STYLE.scale = 1.5
        panel.apply_style()
        assert panel.text.font().pointSizeF() == pytest.approx(base * 1.5)
        assert panel.demo.canvas.points.opts["size"] == pytest.approx(13 * 1.5)
    finally:
        STYLE.scale = old
        panel.apply_style()
    assert panel.demo.state.t0 == 1.0                              # restyling does not reset the demo


def test_a_lesson_left_open_comes_back_at_its_step_without_changing_the_scene(qtbot):
    from gdviz.ui.main_window import MainWindow
    first = MainWindow()
    qtbot.addWidget(first)
    with qtbot.waitSignal(first.result_shown, timeout=RESULT_TIMEOUT):
        first.show()
    controller = install_lesson(first)
    controller.show()
    controller.panel.go(4, apply=False)
    first.close()                                   # saves the layout with the lesson open
    second = MainWindow()
    qtbot.addWidget(second)
    again = install_lesson(second)
    with qtbot.waitSignal(second.result_shown, timeout=RESULT_TIMEOUT):
        second.show()
    qtbot.waitUntil(lambda: again.panel.lesson is not None)
    assert again.dock.isVisible() and again.toggle_action.isChecked() and again.next_action.isEnabled()
    # its text comes back; the window keeps the scene it opened with (here the default preset)
    assert again.panel.index == 4 and second.flow.scene.preset == "logistic"
    assert second.flow.scene != again.panel.step.scene
    second.close()
