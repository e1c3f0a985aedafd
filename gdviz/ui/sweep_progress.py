"""Progress and Cancel for a long job on a worker (the bifurcation sweep, the basin map).

Both appear only when the job is still running after PROGRESS_AFTER_MS, so a quick job never
flashes a bar; Cancel asks to stop, and the previous picture stays (the window's business).
"""
from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from .style import STYLE

PROGRESS_AFTER_MS = 150


class SweepProgress(QWidget):
    cancel_requested = Signal()

    def __init__(self, label: str, cancel_tip: str, parent=None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setFormat(f"{label} %p%")
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip(cancel_tip)
        self.cancel.clicked.connect(self.cancel_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar)
        row.addWidget(self.cancel)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(PROGRESS_AFTER_MS)
        self._later.timeout.connect(self.show)
        self.apply_style()
        self.hide()

    def apply_style(self) -> None:
        self.bar.setMaximumWidth(round(STYLE.px(160)))

    def set_busy(self, busy: bool) -> None:
        """Connect to the worker's busy_changed."""
        if busy:
            self.bar.setValue(0)
            self._later.start()
        else:
            self._later.stop()
            self.hide()

    def set_fraction(self, fraction: float) -> None:
        """Connect to the worker's progress."""
        self.bar.setValue(int(round(100 * max(0.0, min(1.0, fraction)))))
