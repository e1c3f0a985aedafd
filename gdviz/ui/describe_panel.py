"""The picture in words, in the window: what a screen reader says for each tab and its plots, and
View > Describe the picture… (plain text with a Copy button).

The words are gdviz.model.describe's, the same as `gdviz --describe`. Each page's widget and plots
get them as their accessible description every time the page says `drawn`, so an edit, an undo or
a new preset is described as soon as it is drawn (a screen reader reads the focused plot's
description; Orca and NVDA announce it on focus).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from .accessible import name_controls
from .actions import ActionSpec

if TYPE_CHECKING:
    from .frame import Frame
    from .pages import Page


class DescribeDialog(QDialog):
    """The current tab's description as plain, selectable text (user equations are never markup)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("The picture in words")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Description of the picture")
        self.text.setMinimumSize(560, 320)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleDescription("Copy the description to the clipboard")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def show_text(self, text: str) -> None:
        self.text.setPlainText(text or "Nothing is drawn yet.")

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())


class Describer(QObject):
    """Keeps every page's accessible description current; owns the Describe dialog."""

    def __init__(self, window: Frame) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: DescribeDialog | None = None
        for page in window.pages.values():
            page.drawn.connect(lambda _result, p=page: self.describe(p))
        window.board.add(ActionSpec("describe", "&Describe the picture…", self.show_dialog, "view", "display",
                                    ("Ctrl+Shift+D",), "The current tab's picture in words: the equation, "
                                    "its equilibria and what the iterates do (also gdviz --describe)"))
        window.tabs.currentChanged.connect(self._tab_changed)
        name_controls(window)

    def _tab_changed(self, _index: int) -> None:
        name_controls(self.window)            # a tab built on first show names its controls
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.show_text(self.text())

    def describe(self, page: Page) -> None:
        """Put the page's words on its widget and plots (and in the dialog if it shows this page)."""
        if not page.built or page.closed:
            return
        for part in (page.widget(), page.side_widget(), page.bar_widget()):
            if part is not None:
                name_controls(part)           # parameter sliders come and go with the equation
        text = page.description()
        page.widget().setAccessibleDescription(text)
        for canvas, words in page.canvas_descriptions().items():
            canvas.setAccessibleDescription(words)
        if self.dialog is not None and self.dialog.isVisible() and self.window.current_page is page:
            self.dialog.show_text(text)

    def text(self) -> str:
        page = self.window.current_page
        return page.description() if page is not None else ""

    def show_dialog(self) -> DescribeDialog:
        if self.dialog is None:
            self.dialog = DescribeDialog(self.window)
        self.dialog.show_text(self.text())
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog


def install_describe(window: Frame) -> Describer:
    """The descriptions and View > Describe for `window` (kept as `window.addons["describe"]`)."""
    existing = window.addons.get("describe")
    return existing if existing is not None else window.add_addon("describe", Describer(window))
