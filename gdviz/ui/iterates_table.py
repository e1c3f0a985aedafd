"""The iterates as a table (n, t_n, x_n, F(x_n), f(x_n)): a lazy model over the result's arrays,
copy as tab-separated text, CSV export. 10^6 rows cost nothing until they are scrolled to."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..model.tables import COLUMNS, iterate_columns, iterates_csv, number_text
from . import style
from .style import STYLE

if TYPE_CHECKING:
    from ..model.results import SceneResult

DISPLAY_HEADERS = ("n", "tₙ", "xₙ", "F(xₙ)", "f(xₙ)", "hₙ")   # hₙ: with a step-size rule only


class IteratesModel(QAbstractTableModel):
    """Rows are computed from the arrays on demand by `data`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._cols: list[np.ndarray] = [np.empty(0)] * len(COLUMNS)
        self._rows = 0
        self.current = -1
        self.apply_style()

    def apply_style(self) -> None:
        self._highlight = QBrush(style.color(style.CURRENT, 0.35))
        if 0 <= self.current < self._rows:
            self.set_current(self.current)

    def set_result(self, result: SceneResult) -> None:
        self.beginResetModel()
        self._cols = iterate_columns(result)
        self._rows = len(self._cols[0])
        self.current = -1
        self.endResetModel()

    def set_current(self, n: int) -> None:
        old, self.current = self.current, n
        for row in (old, n):
            if 0 <= row < self._rows:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._cols) - 1),
                                      [Qt.ItemDataRole.BackgroundRole])

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._cols)

    def value(self, row: int, col: int) -> float:
        return float(self._cols[col][row])

    def text(self, row: int, col: int) -> str:
        return str(int(self._cols[0][row])) if col == 0 else number_text(self.value(row, col))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(int(self._cols[0][row]))
            v = self.value(row, col)
            return f"{v:.6g}" if math.isfinite(v) else "—"   # full precision: tooltip, copy, CSV
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and row == self.current:
            return self._highlight
        if role == Qt.ItemDataRole.ToolTipRole and col > 0:
            return self.text(row, col)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return DISPLAY_HEADERS[section]
        return None


class IteratesTable(QWidget):
    """The table with Copy and Export CSV buttons; Ctrl+C copies the selection as TSV."""

    csv_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = IteratesModel(self)
        self.view = QTableView()
        self.view.setAccessibleName("Iterates table: n, tₙ, xₙ, F(xₙ), f(xₙ)")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # lazy: no row measuring
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)   # never measures 10^6 rows
        header.setStretchLastSection(True)
        self._size_to_font()
        self.view.setAlternatingRowColors(True)
        copy = QAction("Copy", self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        self.view.addAction(copy)
        buttons = QHBoxLayout()
        copy_button = QPushButton("Copy")
        copy_button.setToolTip("Copy the selected cells (all rows if nothing is selected) as tab-separated text")
        copy_button.clicked.connect(self.copy_selection)
        csv_button = QPushButton("Export CSV…")
        csv_button.clicked.connect(self.csv_requested.emit)
        buttons.addWidget(copy_button)
        buttons.addWidget(csv_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def _size_to_font(self) -> None:
        """Rows and columns as tall and wide as the font needs (measured once, never per row)."""
        fm = self.view.fontMetrics()
        self.view.verticalHeader().setDefaultSectionSize(fm.height() + 6)
        self.view.horizontalHeader().setDefaultSectionSize(fm.horizontalAdvance("-1.23457e-05") + 12)
        for col in range(1, self.model.columnCount()):
            self.view.setColumnWidth(col, fm.horizontalAdvance("-1.23457e-05") + 12)
        self.view.setColumnWidth(0, fm.horizontalAdvance("0000000") + 12)
        self.setMinimumWidth(round(STYLE.px(260)))

    def apply_style(self) -> None:
        """Sizes from the (inherited) font again, and the current row's colour (presentation mode)."""
        self.model.apply_style()
        self._size_to_font()

    def set_result(self, result: SceneResult) -> None:
        self.model.set_result(result)

    def set_current(self, n: int) -> None:
        self.model.set_current(n)
        if self.isVisible() and 0 <= n < self.model.rowCount():
            self.view.scrollTo(self.model.index(n, 0), QAbstractItemView.ScrollHint.EnsureVisible)

    def selection_text(self) -> str:
        """The selected cells as TSV (rows in order, the selected columns' span); everything if none."""
        indexes = self.view.selectionModel().selectedIndexes()
        m = self.model
        if not indexes:
            rows, cols = range(m.rowCount()), range(m.columnCount())
            header = "\t".join(COLUMNS)
            return header + "\n" + "\n".join("\t".join(m.text(r, c) for c in cols) for r in rows) + "\n"
        by_row: dict[int, set[int]] = {}
        for ix in indexes:
            by_row.setdefault(ix.row(), set()).add(ix.column())
        cols = sorted(set().union(*by_row.values()))
        lines = ["\t".join(m.text(r, c) if c in by_row[r] else "" for c in cols) for r in sorted(by_row)]
        return "\n".join(lines) + "\n"

    def copy_selection(self) -> None:
        QGuiApplication.clipboard().setText(self.selection_text())

    def save_csv_dialog(self, result: SceneResult | None) -> str | None:
        if result is None:
            return None
        path, _ = QFileDialog.getSaveFileName(self, "Export iterates as CSV", "iterates.csv", "CSV (*.csv)")
        if path:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(iterates_csv(result))
            return path
        return None
