"""A row of controls that wraps onto a second line when the window is too narrow for it.

A long row of labelled boxes (the bifurcation diagram's settings, the optimizers' hyperparameters)
in a plain QHBoxLayout makes its whole width the window's minimum: in presentation mode's large
text that is wider than a 1280 x 720 projector. In a WrapLayout the row takes the lines it needs.
Keep a label and its box together by putting them in one `group`.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLayoutItem, QSizePolicy, QWidget


class WrapLayout(QLayout):
    """Items left to right, wrapping to a new line where the width runs out (Qt's flow layout)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, line_spacing: int = 2) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._line_spacing = line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def heightForWidth(self, width: int) -> int:
        """The height the items take in `width` (WrapRow fixes its height to it: a layout that
        reports height-for-width to a QGridLayout unbalances the grid's rows)."""
        return self._lay_out(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._lay_out(rect, move=True)

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        visible = [i for i in self._items if not i.isEmpty()]
        width = sum(i.sizeHint().width() for i in visible) + self._spacing * max(0, len(visible) - 1)
        height = max((i.sizeHint().height() for i in visible), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        """As narrow as the widest single item."""
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _lay_out(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        items = [i for i in self._items if not i.isEmpty()]
        gaps = self._spacing * max(0, len(items) - 1)
        hints = [i.sizeHint().width() for i in items]
        mins = [min(i.minimumSize().width(), h) for i, h in zip(items, hints)]
        if sum(hints) + gaps > area.width() >= sum(mins) + gaps:
            # one line still fits if the items give up some of their preferred width, as in a row
            spare = area.width() - gaps - sum(mins)
            give = sum(hints) - sum(mins)
            widths = [lo + (hi - lo) * spare // max(give, 1) for lo, hi in zip(mins, hints)]
            one_line = True
        else:
            widths, one_line = hints, False
        x, y, line_height = area.x(), area.y(), 0
        for item, width in zip(items, widths):
            height = item.sizeHint().height()
            if not one_line and x > area.x() and x + width > area.right() + 1:
                x = area.x()
                y += line_height + self._line_spacing
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(min(width, area.width()), height)))
            x += width + self._spacing
            line_height = max(line_height, height)
        return y + line_height - rect.y() + m.bottom()


class WrapRow(QWidget):
    """A widget whose WrapLayout takes as many lines as its width needs; its height is fixed to
    that, so the layouts around it see a plain widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wrap = WrapLayout(self)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit_height()

    def event(self, ev) -> bool:
        if ev.type() == QEvent.Type.LayoutRequest:     # items changed size (fonts, shown, hidden)
            self._fit_height()
        return super().event(ev)

    def _fit_height(self) -> None:
        height = self.wrap.heightForWidth(max(self.width(), 1))
        if height != self.minimumHeight() or height != self.maximumHeight():
            self.setFixedHeight(max(height, 1))


def group(*parts: QWidget | str) -> QWidget:
    """Widgets (strings become labels) kept together on one line of a WrapLayout."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    for part in parts:
        row.addWidget(QLabel(part) if isinstance(part, str) else part)
    box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)   # may give up width
    return box


def wrap_row(*items: QWidget | str) -> WrapRow:
    """A WrapRow holding `items` (strings become labels)."""
    w = WrapRow()
    for item in items:
        w.wrap.addWidget(QLabel(item) if isinstance(item, str) else item)
    return w
