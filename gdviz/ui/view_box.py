"""The plots' ViewBox: pyqtgraph's, with its right-click menu built the first time it is asked for.

pyqtgraph builds each view's context menu (about 40 widgets: axis ranges, mouse modes) when the
view is made, and Qt polishes all of them when the window is first shown. The flow tab alone has
three plots: building their menus on demand took about 10 ms off the start-up to the first
painted window, and the menu a right click brings is the same one.
"""
from __future__ import annotations

import pyqtgraph as pg


class ViewBox(pg.ViewBox):
    """A pg.ViewBox whose context menu (enabled, as by default) is made on first use."""

    def __init__(self, **kw) -> None:
        super().__init__(enableMenu=False, **kw)
        self.state["enableMenu"] = True      # enabled; _applyMenuEnabled makes it when first needed

    def _menu_now(self) -> None:
        if self.menu is None and self.menuEnabled():
            self._applyMenuEnabled()

    def getMenu(self, ev):                   # a right click on the view itself
        self._menu_now()
        return super().getMenu(ev)

    def getContextMenus(self, event):        # a right click on an item inside the view
        self._menu_now()
        return super().getContextMenus(event)
