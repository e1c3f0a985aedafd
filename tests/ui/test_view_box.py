"""The plots' right-click menu is pyqtgraph's, made on the first right click (not at start-up)."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMenu

from gdviz.ui.time_canvas import TimeCanvas

from .test_canvases import shown


def test_the_view_menu_is_made_by_the_first_right_click(qtbot):
    canvas = shown(qtbot, TimeCanvas)
    view = canvas.getPlotItem().vb
    assert view.menu is None and view.menuEnabled()        # nothing built at start-up
    centre = view.mapToScene(view.boundingRect().center())
    at = canvas.mapFromScene(centre)
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.RightButton, pos=QPoint(at.x(), at.y()))
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert menu is view.menu
    texts = [a.text() for a in menu.actions()]
    assert "View All" in texts and "Plot Options" in texts  # pyqtgraph's, with the plot's own entries
    menu.close()
