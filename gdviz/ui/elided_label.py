"""A one-line label that ends in "…" where its column is too narrow, its whole text in the tooltip.

A plain QLabel with a small minimum width is clipped mid-letter ("|g′| < 1 attrac"): the reader
cannot tell that anything is missing. This one draws as much as fits and says so with the ellipsis.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy

from .plain import plain_tooltip


class ElidedLabel(QLabel):
    """Plain text on one line; never widens its layout (minimum width `min_width`)."""

    def __init__(self, text: str = "", min_width: int = 10) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(min_width)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(plain_tooltip(text) if text else "")

    @property
    def elided(self) -> bool:
        """Whether the text shown is cut (what the ellipsis says on screen)."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self.text()) + 4, super().sizeHint().height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        painter.drawText(self.contentsRect(), int(self.alignment()) | int(Qt.AlignmentFlag.AlignVCenter),
                         self.shown_text())
