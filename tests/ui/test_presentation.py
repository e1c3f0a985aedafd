"""Presentation mode and themes: larger text and thicker lines for a projector, light and dark,
applied to every widget that exists and to the tabs built later; the theme is remembered."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from gdviz.ui import style
from gdviz.ui.canvas import Canvas
from gdviz.ui.presentation import THEME_KEY, install_presentation, window_scale
from gdviz.ui.style import STYLE

RESULT_TIMEOUT = 20_000


@pytest.fixture
def look(window):
    """The window with presentation mode installed; the look is reset afterwards (STYLE is global)."""
    controller = install_presentation(window)
    yield controller
    controller.set_presentation(False)
    controller.set_theme("light")
    style.set_look("light", False)


def tick_pt(canvas: Canvas) -> float:
    return canvas.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF()


def curve_width(window) -> int:
    return window.flow.function_canvas.curve.opts["pen"].width()


def sizes(window) -> dict[str, float]:
    return {"tick": tick_pt(window.flow.function_canvas), "field": window.editor.field.font().pointSizeF(),
            "app": QApplication.font().pointSizeF(), "window": window.font().pointSizeF(),
            "curve": curve_width(window), "path": window.flow.time_canvas.done.opts["pen"].width(),
            "current": window.flow.time_canvas.current.opts["size"],
            "title": window.flow.function_canvas.getPlotItem().titleLabel.opts["size"]}


def background(canvas: Canvas) -> str:
    return canvas.backgroundBrush().color().name()


def test_install_is_idempotent_and_adds_f5_a_toolbar_button_and_themes(look, window):
    assert install_presentation(window) is look
    assert look.act_presentation.shortcut().toString() == "F5"
    assert look.act_presentation in window.toolbar.actions()
    assert look.act_presentation in window.board.menu("view").actions()
    assert look.theme_menu.menuAction() in window.board.menu("view").actions()
    assert [a.isChecked() for a in look.theme_actions.values()] == [True, False]
    assert look.theme_group.isExclusive()


def test_presentation_mode_changes_font_sizes_and_line_widths_and_back_exactly(qtbot, look, window):
    before = sizes(window)
    look.set_presentation(True)
    during = sizes(window)
    for key in ("tick", "field", "app", "window", "curve", "path", "current"):
        assert during[key] > before[key], key
    assert STYLE.scale > 1
    look.set_presentation(False)
    assert sizes(window) == before
    assert STYLE.scale == 1


def test_f5_toggles_presentation_mode(qtbot, look, window):
    window.activateWindow()
    window.setFocus()
    field_pt = window.editor.field.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert look.presentation and look.act_presentation.isChecked()
    assert window.editor.field.font().pointSizeF() > field_pt
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert not look.presentation
    assert window.editor.field.font().pointSizeF() == field_pt


def test_the_bundle_stays_thin_in_presentation_mode(look, window):
    look.set_presentation(True)
    assert window.flow.time_canvas.bundle_flow.opts["pen"].width() == 1


def test_presentation_mode_raises_faint_colours(look, window):
    faint = window.flow.function_canvas.future.opts["pen"].color().alphaF()
    look.set_presentation(True)
    assert window.flow.function_canvas.future.opts["pen"].color().alphaF() >= max(faint, style.PRESENTATION_MIN_ALPHA) - 1e-3


def test_dark_theme_changes_every_canvas_background_and_the_ink(qtbot, look, window):
    window.show_view("lab")
    window.pages["lab"].wait_drawn()
    canvases = window.findChildren(Canvas)
    assert len(canvases) >= 7
    light = {background(c) for c in canvases}
    assert light == {"#ffffff"}
    look.set_theme("dark")
    assert style.LIGHT.ink != style.INK and style.DARK.background == style.BACKGROUND
    for c in window.findChildren(Canvas):
        assert background(c) == style.DARK.background, type(c).__name__
        axis = c.getPlotItem().getAxis("left")
        assert axis.pen().color().name() == style.DARK.ink
        assert axis.textPen().color().name() == style.DARK.ink
    # the palette's black (outlines, filled equilibria) reads light on the dark plot
    assert window.flow.phase_canvas.eq_fill.opts["brush"].color().name() == style.DARK.black
    assert QApplication.palette().color(QApplication.palette().ColorRole.Window).lightness() < 80
    look.set_theme("light")
    assert {background(c) for c in window.findChildren(Canvas)} == {"#ffffff"}
    assert window.flow.phase_canvas.eq_fill.opts["brush"].color().name() == style.LIGHT.black


def test_a_colour_read_under_one_theme_draws_in_the_other(look):
    style.set_look("dark", False)
    ink_dark = style.INK
    style.set_look("light", False)
    assert style.color(ink_dark).name() == style.LIGHT.ink
    assert style.css_colour(style.DARK.black) == style.LIGHT.black


def test_theme_values_never_stand_for_two_opposite_roles():
    """themed() looks a colour up by value: a dark theme's ink must not be another theme's background."""
    for theme in style.THEMES.values():
        assert style._ROLE_OF[theme.background] == "background"
        assert style._ROLE_OF[theme.ink] in ("ink", "black")
        assert style._ROLE_OF[theme.muted] == "muted"


def test_tabs_built_after_the_switch_use_the_new_look(qtbot, look, window):
    assert window.pages["momentum"].view is None and window.pages["2d"].view is None
    look.set_theme("dark")
    look.set_presentation(True)
    window.show_view("momentum")
    assert window.pages["momentum"].wait_drawn()
    phase = window.pages["momentum"].widget().phase
    assert background(phase) == style.DARK_PRESENTATION.background
    assert tick_pt(phase) == pytest.approx(STYLE.pt(STYLE.tick_pt))
    assert tick_pt(phase) > STYLE.tick_pt
    assert phase.flow_done.opts["pen"].width() == round(STYLE.line(STYLE.curve_px))
    window.show_view("2d")
    assert window.pages["2d"].wait_drawn()
    assert background(window.pages["2d"].widget().contour) == style.DARK_PRESENTATION.background
    look.set_presentation(False)
    assert tick_pt(phase) == STYLE.tick_pt
    assert tick_pt(window.pages["2d"].widget().contour) == STYLE.tick_pt


def test_the_theme_is_remembered_and_presentation_mode_is_not(qtbot, look, window):
    look.set_theme("dark")
    look.set_presentation(True)
    assert QSettings("gdviz", "gdviz").value(THEME_KEY) == "dark"
    from gdviz.ui.main_window import MainWindow
    other = MainWindow()
    qtbot.addWidget(other)
    try:
        again = install_presentation(other)
        assert again.theme == "dark" and again.theme_actions["dark"].isChecked()
        assert not again.presentation and not again.act_presentation.isChecked()
    finally:
        other.shutdown()
        other.close()
    QSettings("gdviz", "gdviz").setValue(THEME_KEY, "no such theme")
    third = MainWindow()
    qtbot.addWidget(third)
    try:
        assert install_presentation(third).theme == "light"
    finally:
        third.shutdown()
        third.close()


def test_presentation_scale_follows_the_window_size():
    assert window_scale(1600, 1000) == 1.0
    assert window_scale(1280, 720) < 1.0
    assert window_scale(3840, 2160) >= 2.0
    style.set_look("light", True, window_scale(1280, 720))
    try:
        assert STYLE.scale > 1.0          # still larger than the normal look on a small projector
    finally:
        style.set_look("light", False)


def non_blank(path: str, size: tuple[int, int]) -> None:
    image = QImage(path)
    assert (image.width(), image.height()) == size
    a = np.frombuffer(image.convertToFormat(QImage.Format.Format_Grayscale8).constBits(), dtype=np.uint8)
    assert a.std() > 20         # text, curves and plots, not one flat colour


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_window_renders_in_presentation_mode_at_720p_and_4k(qtbot, look, window, tmp_path, theme):
    look.set_theme(theme)
    look.set_presentation(True)
    for size in ((1280, 720), (3840, 2160)):
        path = str(tmp_path / f"{theme}-{size[0]}.png")
        window.export_png(path, size)
        non_blank(path, size)
    # the 4K window drew larger text than the 720p one, and the look is back to the window's size
    assert STYLE.presentation and STYLE.scale == pytest.approx(
        style.PRESENTATION_SCALE * window_scale(window.width(), window.height()))
    # laid out for 4K, the window still shrinks to 1280 x 720 in one step (an export, un-maximizing)
    window.resize(3840, 2160)
    QApplication.processEvents()
    big = STYLE.scale
    window.resize(1280, 720)
    QApplication.processEvents()
    assert (window.width(), window.height()) == (1280, 720)
    assert STYLE.scale < big
    look.set_presentation(False)
    QApplication.processEvents()
    assert window.minimumWidth() > 640      # the layout sets the desktop look's minimum again


def test_the_window_survives_300_repaints_in_presentation_mode(look, window):
    look.set_theme("dark")
    look.set_presentation(True)
    for _ in range(300):
        window.repaint()
    assert window.isVisible()


def test_the_dark_transport_icons_are_light(look, window):
    def lightness() -> int:
        image = window.board.action("play").icon().pixmap(24, 24).toImage()
        values = [QColor(image.pixel(x, y)).lightness() for x in range(24) for y in range(24)
                  if QColor.fromRgba(image.pixel(x, y)).alpha() > 200]
        return max(values)
    dark_on_light = lightness()
    look.set_theme("dark")
    assert lightness() > 180 and lightness() > dark_on_light


@pytest.mark.parametrize("presenting", [False, True])
@pytest.mark.parametrize("kind", ["QCheckBox", "QRadioButton"])
def test_an_empty_tick_box_shows_in_the_dark_theme(qtbot, look, window, presenting, kind):
    """Fusion outlines a box a shade darker than the window: on the dark theme the 2-D tab's
    empty optimizer boxes vanished against the window (on a projector, which is on and which off
    could not be told)."""
    from PySide6 import QtWidgets
    look.set_theme("dark")
    look.set_presentation(presenting)
    box = getattr(QtWidgets, kind)("Momentum")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    image = box.grab().toImage()
    indicator = QApplication.style().subElementRect(
        QtWidgets.QStyle.SubElement.SE_CheckBoxIndicator if kind == "QCheckBox"
        else QtWidgets.QStyle.SubElement.SE_RadioButtonIndicator, _button_option(box), box)
    ratio = image.devicePixelRatio()
    window_colour = box.palette().window().color().lightness()
    contrast = max(abs(QColor(image.pixel(round(x * ratio), round(y * ratio))).lightness() - window_colour)
                   for x in range(indicator.left(), indicator.right() + 1)
                   for y in range(indicator.top(), indicator.bottom() + 1))
    assert contrast > 60


def _button_option(button):
    from PySide6.QtWidgets import QStyleOptionButton
    option = QStyleOptionButton()
    button.initStyleOption(option)
    return option


def _clipped_labels(root) -> list[str]:
    """Word-wrapped labels shown shorter than their text needs at their width."""
    from PySide6.QtWidgets import QLabel
    return [label.text()[:40] for label in root.findChildren(QLabel)
            if label.isVisible() and label.wordWrap() and label.text()
            and label.height() < label.heightForWidth(label.width())]


def test_an_export_started_before_the_result_arrives_renders_the_settled_layout(qtbot, look, tmp_path, monkeypatch):
    """Found in the README's screenshot: exported straight after the window opened, the first result
    arrived during the export's wait and the regime lines were drawn before the layout made room."""
    from gdviz.ui import exports
    from gdviz.ui.main_window import MainWindow
    fresh = MainWindow()
    qtbot.addWidget(fresh)
    fresh.resize(1280, 720)
    fresh.show()
    fresh.addons["presentation"].set_presentation(True)
    seen = []
    real = exports.render_image

    def render_and_look(widget, logical, scale):
        seen.append(_clipped_labels(fresh.flow.panel))
        return real(widget, logical, scale)

    monkeypatch.setattr(exports, "render_image", render_and_look)
    assert not fresh.flow.panel.regime.text()          # the first result is still on its way
    exports.export_png(fresh, tmp_path / "now.png", (1280, 720))
    fresh.addons["presentation"].set_presentation(False)
    assert seen == [[]]


def test_at_720p_with_the_lesson_open_the_column_and_the_readout_fit(qtbot, look, window):
    """A teacher's projector: 1280 x 720, presentation mode, the lesson beside the plots. The readout
    under the plots once made the whole bar (and the window) too wide, clipping the column of
    parameters; it now wraps between its parts, and the lesson takes a share of a small screen."""
    from gdviz.ui.lesson_panel import install_lesson
    window.table_dock.hide()          # an earlier test may have left the iterates table open (remembered)
    window.resize(1280, 720)
    look.set_presentation(True)
    lesson = install_lesson(window)
    lesson.show()
    qtbot.waitUntil(lambda: lesson.dock.isVisible())
    lesson.panel.go(4)

    def fits() -> bool:
        QApplication.processEvents()
        inner = window.flow.left_scroll.widget()
        readout = window.flow.animation_bar.readout
        return (window.splitter.sizes()[0] >= inner.minimumSizeHint().width()
                and readout.width() >= readout.minimumSizeHint().width()
                and readout.height() >= readout.heightForWidth(readout.width())
                and not _clipped_labels(window.flow.panel))

    qtbot.waitUntil(fits, timeout=RESULT_TIMEOUT)
    assert lesson.dock.width() <= 0.3 * window.width()
    assert window.centralWidget().minimumSizeHint().width() <= window.centralWidget().width()
    lesson.toggle_action.setChecked(False)


def test_readout_parts_wrap_between_parts_only_and_read_back_plainly():
    from gdviz.ui.animation_bar import Readout, readout_parts
    html = readout_parts("n = <b>3</b> / 30", '<span style="color:#d55e00">x = 1</span>')
    assert '<span style="color:#d55e00">' in html          # tags keep their spaces
    assert "n&nbsp;=&nbsp;<b>3</b>&nbsp;/\u2060&nbsp;30" in html and " &nbsp; " in html
    label = Readout()
    label.setText(html)
    assert label.plain() == "n = 3 / 30   x = 1"
    assert label.minimumSizeHint().width() < label.sizeHint().width()


def test_at_4k_the_handles_and_tick_boxes_grow_with_the_text_and_come_back(qtbot, look, window):
    from PySide6.QtWidgets import QStyle
    metrics = (QStyle.PixelMetric.PM_SliderLength, QStyle.PixelMetric.PM_SliderThickness,
               QStyle.PixelMetric.PM_IndicatorWidth)
    slider = window.flow.panel.h.slider

    def sizes():
        return [QApplication.style().pixelMetric(m, None, slider) for m in metrics]

    desktop, desktop_hint = sizes(), slider.sizeHint().height()
    window.resize(3840, 2160)
    look.set_presentation(True)
    QApplication.processEvents()
    big = sizes()
    assert all(b >= 2 * d for b, d in zip(big, desktop))          # ×3.2 text, ×2.1 controls
    assert slider.sizeHint().height() > desktop_hint              # the slider took the new metrics
    window.resize(1600, 1000)
    QApplication.processEvents()
    assert sizes() == desktop                                     # at 1080p the text alone grows
    look.set_presentation(False)
    QApplication.processEvents()
    assert sizes() == desktop and slider.sizeHint().height() == desktop_hint


@pytest.mark.parametrize("presenting", [False, True])
def test_at_1024x768_the_scrubber_keeps_its_room(qtbot, look, window, presenting):
    """The readout beside it took the bar's width and left the scrubber a 16 px box at 1024 x 768;
    now the readout wraps between its parts first."""
    from gdviz.ui.animation_bar import SCRUBBER_MIN_PX
    window.resize(1024, 768)
    look.set_presentation(presenting)
    window.show_view("flow")
    assert window.wait_drawn()
    bar = window.flow.animation_bar

    def settled() -> bool:
        QApplication.processEvents()
        readout = bar.readout
        return readout.height() >= readout.heightForWidth(readout.width())

    qtbot.waitUntil(settled, timeout=RESULT_TIMEOUT)
    assert bar.scrubber.width() >= SCRUBBER_MIN_PX
    readout = bar.readout
    assert readout.width() >= readout.minimumSizeHint().width()
    assert bar.rect().contains(readout.geometry())                 # whole, not cut at the bar's edge
    # one line beside the scrubber, or one line of its own under it: never three squeezed lines
    assert readout.heightForWidth(readout.width()) <= 1.6 * readout.fontMetrics().height()
    assert bar.readout_below == presenting
    look.set_presentation(False)
    qtbot.waitUntil(lambda: not bar.readout_below)               # room again: back in the row


def test_an_animation_frame_resizes_no_canvas(qtbot, window):
    """Each frame's readout text relaid the bar at 44 px, then 37, and resized every canvas twice a
    frame (the animation fell from 70 to 15 fps): in the row the readout is one line, no wrapping."""
    from PySide6.QtCore import QEvent, QObject
    window.resize(1600, 1000)
    window.show_view("flow")
    assert window.wait_drawn()
    flow = window.pages["flow"]
    QApplication.processEvents()
    resized: list[str] = []

    class Watch(QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Resize:
                resized.append(type(obj).__name__)
            return False

    watch = Watch()
    canvases = list(flow.canvases().values())
    for c in canvases:
        c.installEventFilter(watch)
    try:
        for i in range(min(20, flow.clock.last + 1)):
            flow.clock.seek(i)
            QApplication.processEvents()
    finally:
        for c in canvases:
            c.removeEventFilter(watch)
    assert not flow.animation_bar.readout_below and not flow.animation_bar.readout.wordWrap()
    assert resized == []
