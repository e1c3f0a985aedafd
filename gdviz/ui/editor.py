"""The equation editor: what the user types (F or f), ascent or descent, errors and the summary line.

Typing is debounced (a pause of DEBOUNCE_MS, or Enter) before the text is committed; the worker
parses it. An error is shown right under the field: the text echoed in a fixed-width font with a
caret under the offending column, and the message in words.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from . import style
from .plain import ELLIPSIS, LABEL_LIMIT, escaped, plain_label, plain_tooltip, same_width, shown
from .style import STYLE

if TYPE_CHECKING:
    from ..model.scene import Scene

DEBOUNCE_MS = 150
ECHO_WIDTH = 60          # characters of the equation echoed above the caret (a long one is cut around it)



def switch_css() -> str:
    """The chosen side of a switch must be obvious from the back of a room, not a subtle bevel."""
    t = STYLE.theme
    pad_v, pad_h = round(STYLE.px(4)), round(STYLE.px(12))
    border = max(1, round(STYLE.px(1)))
    return (f"QPushButton {{ padding: {pad_v}px {pad_h}px; border: {border}px solid {style.css_colour(t.muted)}; "
            f"background: {t.button}; color: {t.text}; }}"
            f"QPushButton:checked {{ background: {t.blue}; color: white; border-color: {t.blue}; }}")


FIELD_PREFIX = {"F": "F(x) =", "f": "x' = f(x) ="}
FIELD_PREFIX_2D = "F(x, y) ="
PLACEHOLDER_2D = "a landscape to minimise, e.g.  6x^2 + 9y^2 - 12x - 14y + 3   or   (x^2 - 1)^2 + y^2"
PLACEHOLDER = {"F": "an objective, e.g.  x^2/2 - x^3/3   or   a*x^2 - x^4",
               "f": "a velocity field, e.g.  x*(1 - x)   or   sin(x)"}


def caret_block(text: str, column: int | None, message: str) -> str:
    """Rich text: the text with a caret under `column` (1-based) and the message, for a mono label.
    The text is the user's: escaped, and only ECHO_WIDTH characters of it around the caret, so a
    long equation cannot make the label (and the window) wider than a line."""
    lines = []
    if column is not None and text:
        col = max(1, min(column, len(text) + 1))
        start = max(0, min(col - 1 - ECHO_WIDTH // 2, len(text) - ECHO_WIDTH))
        end = start + ECHO_WIDTH
        echo = (ELLIPSIS if start else "") + same_width(text[start:end]) + (ELLIPSIS if end < len(text) else "")
        lines.append(html.escape(echo, quote=False).replace(" ", "&nbsp;"))
        lines.append("&nbsp;" * (col - 1 - start + (1 if start else 0)) + "^")
    lines.append(escaped(message, LABEL_LIMIT))
    return "<br>".join(lines)


def segmented(labels: list[tuple[str, str, str]], parent: QWidget) -> tuple[QWidget, QButtonGroup, dict]:
    """Two or more exclusive checkable buttons side by side; returns (widget, group, {key: button})."""
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(0)
    group = QButtonGroup(box)
    group.setExclusive(True)
    buttons = {}
    for key, text, tip in labels:
        b = QPushButton(text)
        b.setCheckable(True)
        b.setToolTip(tip)
        b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        row.addWidget(b)
        group.addButton(b)
        buttons[key] = b
    return box, group, buttons


class EquationEditor(QWidget):
    """Equation field with the objective/field and ascent/descent switches; reports committed edits."""

    text_committed = Signal(str)
    kind_changed = Signal(str)
    direction_changed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        switches = QHBoxLayout()
        kind_box, self.kind_group, self.kind_buttons = segmented([
            ("F", "Objective F(x)", "Type the function to maximise or minimise; its gradient flow is x' = ±F'(x)"),
            ("f", "Velocity field x' = f(x)", "Type the right-hand side of x' = f(x); F is its antiderivative"),
        ], self)
        dir_box, self.dir_group, self.dir_buttons = segmented([
            ("ascent", "Ascent (maximise F)", "Gradient ascent: x_{n+1} = x_n + h·F'(x_n), i.e. f = F'"),
            ("descent", "Descent (minimise F)", "Gradient descent: x_{n+1} = x_n − h·F'(x_n), i.e. f = −F'"),
        ], self)
        switches.addWidget(kind_box)
        switches.addSpacing(16)
        switches.addWidget(dir_box)
        self._switches = (kind_box, dir_box)
        switches.addStretch(1)
        layout.addLayout(switches)

        field_row = QHBoxLayout()
        self.prefix = QLabel(FIELD_PREFIX["F"])
        self.field = QLineEdit()
        self.field.setClearButtonEnabled(True)
        self.field.setToolTip("Like a calculator: x^2, 2x, sin(x), exp(x), ln(x), sqrt(x), pi, e.\n"
                              "Other letters (a, b, k, …) become parameters with their own sliders.")
        self.field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        field_row.addWidget(self.prefix)
        field_row.addWidget(self.field, 1)
        layout.addLayout(field_row)

        self.error = QLabel("")
        self.error.setTextFormat(Qt.TextFormat.RichText)      # caret_block's markup; user text escaped
        self.error.setWordWrap(True)                          # a long message wraps, never widens the window
        self.error.setMinimumWidth(1)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        layout.addWidget(self.error)

        # Hints about an accepted equation ("X is a parameter; did you mean x?"): not errors, the
        # picture is drawn, but said right under the field where the student looks.
        self.note = plain_label(QLabel(""))
        self.note.setWordWrap(True)
        self.note.setMinimumWidth(1)
        self.note.setAccessibleName("Note about the equation")
        self.note.hide()
        layout.addWidget(self.note)

        self.summary = plain_label(QLabel(""))
        self.summary.setWordWrap(True)                        # a long equation's summary wraps,
        self.summary.setMinimumWidth(1)                       # an unbreakable one is cut: never wider
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setToolTip("What you typed and the gradient flow it defines")
        layout.addWidget(self.summary)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.commit)
        self.field.textEdited.connect(lambda _t: self._timer.start())
        self.field.returnPressed.connect(self.commit)
        self._committed = ""
        self.kind_group.buttonClicked.connect(self._kind_clicked)
        self.dir_group.buttonClicked.connect(self._dir_clicked)
        self._kind = "F"
        self._direction = "ascent"
        self.apply_style()

    def apply_style(self) -> None:
        """Fonts, switches and the error's colours from STYLE (presentation mode, themes)."""
        for b in (*self.kind_buttons.values(), *self.dir_buttons.values()):
            b.setStyleSheet(switch_css())
        self.prefix.setFont(style.mono_font(STYLE.equation_pt))
        self.field.setFont(style.mono_font(STYLE.equation_pt))
        self.error.setFont(style.mono_font(STYLE.ui_pt + 1))
        self.error.setStyleSheet(f"color: {style.css_colour(style.ERROR)};")
        self.note.setFont(style.font(STYLE.ui_pt + 1, bold=True))     # a hint, not an error: ink, bold
        self.note.setStyleSheet(f"color: {style.css_colour(style.INK)};")
        summary_font = style.font(STYLE.equation_pt)
        summary_font.setFamilies(["STIX Two Math", "Cambria Math", "DejaVu Serif", "Serif"])
        self.summary.setFont(summary_font)
        if self.field.styleSheet():
            self.field.setStyleSheet(self._error_field_css())

    @staticmethod
    def _error_field_css() -> str:
        width = max(2, round(STYLE.px(2)))
        return f"QLineEdit {{ border: {width}px solid {style.css_colour(style.ERROR)}; border-radius: 3px; }}"

    @property
    def text(self) -> str:
        return self.field.text()

    def commit(self) -> None:
        """Send the text now (Enter, or the debounce timer)."""
        self._timer.stop()
        text = self.field.text()
        if text != self._committed:
            self._committed = text
            self.text_committed.emit(text)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def set_scene(self, scene: Scene, keep_text: bool = False) -> None:
        """Show the scene's equation and switches without emitting anything; `keep_text` leaves what
        the user is typing alone (an edit elsewhere must not undo their keystrokes)."""
        if not keep_text:
            self._timer.stop()
            if self.field.text() != scene.text:
                self.field.setText(scene.text)
            self._committed = scene.text
        self._kind, self._direction = scene.kind, scene.direction
        self.kind_buttons[scene.kind].setChecked(True)
        self.dir_buttons[scene.direction].setChecked(True)
        self.prefix.setText(FIELD_PREFIX[scene.kind])
        self.field.setPlaceholderText(PLACEHOLDER[scene.kind])
        self.field.setEnabled(True)
        for w in self._switches:
            w.show()

    def set_plane(self, text: str, enabled: bool = True) -> None:
        """The same field for the 2-D tab: F(x, y), no objective/field or ascent/descent switches
        (optimizers minimise). Emits nothing; `enabled` False when the data define F (SGD mode)."""
        self._timer.stop()
        if self.field.text() != text:
            self.field.setText(text)
        self._committed = text
        self.prefix.setText(FIELD_PREFIX_2D)
        self.field.setPlaceholderText(PLACEHOLDER_2D)
        self.field.setEnabled(enabled)
        for w in self._switches:
            w.hide()

    def _kind_clicked(self, button) -> None:
        kind = next(k for k, b in self.kind_buttons.items() if b is button)
        if kind != self._kind:
            self._kind = kind
            self.prefix.setText(FIELD_PREFIX[kind])
            self.field.setPlaceholderText(PLACEHOLDER[kind])
            self.kind_changed.emit(kind)

    def _dir_clicked(self, button) -> None:
        direction = next(k for k, b in self.dir_buttons.items() if b is button)
        if direction != self._direction:
            self._direction = direction
            self.direction_changed.emit(direction)

    def show_error(self, message: str, column: int | None, text: str) -> None:
        self.show_notes(())             # the notes were about the last good equation, not this text
        self.error.setText(caret_block(text, column, message))
        self.error.setToolTip(plain_tooltip(message))
        self.error.show()
        self.field.setStyleSheet(self._error_field_css())

    def clear_error(self) -> None:
        if not self.error.isHidden() or self.field.styleSheet():
            self.error.hide()
            self.error.setText("")
            self.field.setStyleSheet("")

    @property
    def error_text(self) -> str:
        """The error as plain text (empty when none is shown)."""
        if self.error.isHidden():
            return ""
        from PySide6.QtGui import QTextDocument
        doc = QTextDocument()
        doc.setHtml(self.error.text())
        return doc.toPlainText()

    def show_summary(self, text: str) -> None:
        self.summary.setText(shown(text, LABEL_LIMIT, keep=""))

    def show_notes(self, notes: Sequence[str]) -> None:
        """The model's hints about the equation shown (`Expression.notes`), or none."""
        text = " ".join(notes)
        self.note.setText(shown(text, LABEL_LIMIT, keep=""))
        self.note.setToolTip(plain_tooltip(text) if text else "")
        self.note.setVisible(bool(text))

    @property
    def note_text(self) -> str:
        """The notes as shown (empty when none)."""
        return "" if self.note.isHidden() else self.note.text()
