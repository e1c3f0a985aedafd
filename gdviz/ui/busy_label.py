"""The status bar's "computing…": shown while the page on screen waits noticeably long for a result.

It follows the page on screen, not the flow tab: an export of another tab (or a student looking at
it) while the flow still computed in the background showed "computing…" in 7 of 8 exports of the
noise tab and not in the eighth, so the same export wrote two different pictures.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from .pages import Page
    from .pages.base import PageJob

BUSY_AFTER_MS = 200          # show "computing…" only when a result is noticeably late


class BusyLabel(QLabel):
    """ "computing…" while a job of the page on screen has a request whose result is late."""

    def __init__(self, current_page: Callable[[], Page | None], parent: QWidget | None = None) -> None:
        super().__init__("computing…", parent)
        self.hide()
        self._current_page = current_page
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BUSY_AFTER_MS)
        self._timer.timeout.connect(self._show_if_busy)

    def watch(self, jobs: Iterable[PageJob]) -> None:
        """Look again whenever one of `jobs` starts or stops computing."""
        for job in jobs:
            job.on_progress(lambda _busy: self.refresh(), lambda _fraction: None)

    def page_busy(self) -> bool:
        """A job the page on screen waits for (another page's too, as the lab waits for the flow's)
        is computing."""
        page = self._current_page()
        return page is not None and any(job.busy for job in page.pending_jobs())

    def refresh(self) -> None:
        """After a change of page or of a job's state: hide at once, or show after BUSY_AFTER_MS."""
        if not self.page_busy():
            self._timer.stop()
            self.hide()
        elif not self.isVisible() and not self._timer.isActive():
            self._timer.start()

    def _show_if_busy(self) -> None:
        self.setVisible(self.page_busy())

    def stop(self) -> None:
        self._timer.stop()
