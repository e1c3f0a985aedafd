"""The plots' right-click menu: pyqtgraph's view entries, made on the first right click (not at
start-up), without the entries that redraw or save a picture gdviz did not compute, and with
"Copy picture", which copies the plot as an export draws it."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMenu

from gdviz.ui.canvas import COPY_SCALE
from gdviz.ui.time_canvas import TimeCanvas

from .test_canvases import _flow, differing, picture, shown


def right_click_menu(qtbot, canvas) -> QMenu:
    view = canvas.getPlotItem().vb
    centre = view.mapToScene(view.boundingRect().center())
    at = canvas.mapFromScene(centre)
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.RightButton, pos=QPoint(at.x(), at.y()))
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    return QApplication.activePopupWidget()


def test_the_view_menu_is_made_by_the_first_right_click(qtbot):
    canvas = shown(qtbot, TimeCanvas)
    view = canvas.getPlotItem().vb
    assert view.menu is None and view.menuEnabled()        # nothing built at start-up
    menu = right_click_menu(qtbot, canvas)
    assert menu is view.menu
    texts = [a.text() for a in menu.actions()]
    assert "View All" in texts and "Mouse Mode" in texts   # pyqtgraph's view entries
    # Its transforms (FFT, log, derivative, averaging) and its own export are not offered.
    assert "Plot Options" not in texts and "Export..." not in texts
    assert texts[-1] == "Copy picture"
    menu.close()


def test_copy_picture_puts_the_plot_on_the_clipboard_sharp(qtbot):
    canvas = shown(qtbot, TimeCanvas)
    canvas.show_result(_flow())
    on_screen = picture(canvas)
    menu = right_click_menu(qtbot, canvas)
    copy = next(a for a in menu.actions() if a.text() == "Copy picture")
    menu.close()
    QApplication.clipboard().clear()
    copy.trigger()
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == (round(canvas.width() * COPY_SCALE),
                                               round(canvas.height() * COPY_SCALE))
    # The same picture as on screen, at twice the pixels: shrunk back it differs only where
    # antialiasing and the wider text render fall.
    small = image.scaled(canvas.width(), canvas.height(), Qt.AspectRatioMode.IgnoreAspectRatio,
                         Qt.TransformationMode.SmoothTransformation).convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(small.constBits(), np.uint8).reshape(small.height(), small.bytesPerLine())
    shrunk = rows[:, : 3 * small.width()].reshape(small.height(), small.width(), 3)
    assert differing(shrunk, on_screen) < 0.02
    assert len(np.unique(shrunk.reshape(-1, 3), axis=0)) > 50   # a picture, not a blank


def test_the_plot_with_the_focus_is_copied_with_its_keys(qtbot):
    from PySide6.QtGui import QKeySequence

    from gdviz.ui.canvas import COPY_KEYS
    canvas = shown(qtbot, TimeCanvas)
    canvas.show_result(_flow())
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus)
    QApplication.clipboard().clear()
    keys = QKeySequence(COPY_KEYS)[0]
    qtbot.keyClick(canvas, keys.key(), keys.keyboardModifiers())
    qtbot.waitUntil(lambda: not QApplication.clipboard().image().isNull())
    assert QApplication.clipboard().image().width() == round(canvas.width() * COPY_SCALE)
