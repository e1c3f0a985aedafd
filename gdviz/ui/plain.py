"""Text from users and files is shown as text: the one place that says how.

Qt guesses whether a string is HTML (Qt::mightBeRichText) wherever a text format is "auto": a
QLabel by default, a QMessageBox, a QProgressDialog's label and every tooltip. A session whose
equation is `<img width=3000 height=2000 src=x>`, a lesson whose step title is a `<table>` or a
file named `<a href=…>.gdviz` would then be drawn as markup: an image that grows the window to
2,500 pixels, a link, a table wider than the screen. So every string that comes from a user or a
file (equations, parameter names, file names and paths, session and lesson texts, preset titles
and explanations, and the error messages that quote any of them) reaches a widget through here:

    plain_label(label)     a QLabel that shows its text as typed (PlainText), never as markup
    shown(text)            what a sink shows: control and bidi-override characters escaped
                           ("\\x00", "\\u202e"), long text clipped with "…"
    one_line(text)         shown on one line (status bar, window title, menu entries)
    escaped(text)          shown, then HTML-escaped: user text inside gdviz's own safe markup
    plain_tooltip(text)    a tooltip showing `text` as typed (tooltips are always auto-detected)
    menu_text(text)        a menu entry: "&" is a letter, not a keyboard mnemonic
    title_part(text)       part of a window title: "[*]" is text, not the unsaved-changes mark
    message_box(...)       a QMessageBox whose text is plain; `warn` shows one
    wrappable(text)        invisible places to wrap inside very long words (paths, hostile titles)
    same_width(text)       an echo under which a caret keeps its column (the editor's error)

Clipping is a second guard: a 100 kB equation must not make a label, the status bar or a box
wider or taller than the window, nor cost a layout pass over 100 kB of glyphs. gdviz's own
strings may go through these functions too; they are plain sentences and come out unchanged.
"""
from __future__ import annotations

import html
import re
import unicodedata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

ELLIPSIS = "…"
LABEL_LIMIT = 200          # a title, a name, a label's line
STATUS_LIMIT = 300         # the status bar: one sentence, sometimes a long one
MESSAGE_LIMIT = 1000       # a message box or a tooltip: a few sentences
LONG_WORD = 40             # a run without spaces longer than this gets places where it may wrap
ZERO_WIDTH_SPACE = "\u200b"

# Explicit direction controls: an override (U+202E) makes everything after it read backwards
# ("fdp.gdviz" shown as "zivdg.pdf"). Implicit bidi (Arabic, Hebrew text) needs none of them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LONG_WORD = re.compile(rf"\S{{{LONG_WORD + 1},}}")


def _visible(c: str, keep: str) -> str:
    if c in keep:
        return c
    if c in _BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Cs"):
        return repr(c)[1:-1] if unicodedata.category(c) != "Cs" else f"\\u{ord(c):04x}"
    return c


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the cut marked by one "…"."""
    return text if len(text) <= limit else text[:max(limit - 1, 0)] + ELLIPSIS


def shown(text: object, limit: int = LABEL_LIMIT, keep: str = "\n\t") -> str:
    """`text` as a sink shows it: characters in `keep` as they are, other control characters,
    lone surrogates and direction overrides escaped, clipped to `limit` characters."""
    text = text if isinstance(text, str) else str(text)
    head = text[:limit + 1]                 # escaping only lengthens: never walk 100 kB
    if not head.isprintable():
        head = "".join(_visible(c, keep) for c in head)
    return clip(head, limit)


def one_line(text: object, limit: int = LABEL_LIMIT) -> str:
    """`shown` on one line: runs of white space (newlines, tabs) become one space."""
    text = text if isinstance(text, str) else str(text)
    return shown(" ".join(text[:limit * 2 + 2].split()), limit, keep="")


def same_width(text: str) -> str:
    """`text` with every control character, lone surrogate and direction override replaced by one
    "\ufffd": what a fixed-width echo shows, so a caret under it stays under the same column."""
    return text if text.isprintable() else "".join("\ufffd" if _visible(c, "") != c else c for c in text)


def wrappable(text: str, every: int = LONG_WORD) -> str:
    """Places to wrap inside runs of more than `every` non-spaces (a path, a hostile title), so a
    word-wrapped label or a message box never needs more width than a line of `every` glyphs.
    The places are zero-width spaces: nothing changes on screen where the text fits."""
    def split(m: re.Match[str]) -> str:
        word = m.group(0)
        return ZERO_WIDTH_SPACE.join(word[i:i + every] for i in range(0, len(word), every))
    return _LONG_WORD.sub(split, text)


def escaped(text: object, limit: int = LABEL_LIMIT, keep: str = "\n\t") -> str:
    """`shown` and HTML-escaped, for a string placed inside gdviz's own rich text (as an element's
    content: gdviz never puts user text in an attribute, so quotes stay as typed)."""
    return html.escape(shown(text, limit, keep), quote=False)


def plain_tooltip(text: object, limit: int = MESSAGE_LIMIT) -> str:
    """A tooltip that shows `text` as typed: Qt reads every tooltip as rich text when it looks like
    HTML, so the text is escaped and given a marker that makes it rich text always (white space and
    line breaks kept, long lines wrapped). "" stays "" (no tooltip)."""
    text = text if isinstance(text, str) else str(text)
    if not text:
        return ""
    return f"<p style='white-space:pre-wrap'>{escaped(wrappable(text[:limit + 1]), limit)}</p>"


def menu_text(text: object, limit: int = 80) -> str:
    """A menu entry's or an action's text: one line, clipped, "&" shown as "&" (not a mnemonic)."""
    return one_line(text, limit).replace("&", "&&")


def title_part(text: object, limit: int = 120) -> str:
    """User text inside a window title: one line, clipped; "[*]" written so Qt shows it as typed
    rather than as the place of the unsaved-changes mark."""
    return one_line(text, limit).replace("[*]", "[*][*]")


def plain_label(label: QLabel, text: str | None = None, limit: int = LABEL_LIMIT) -> QLabel:
    """Make `label` show plain text only (and set `text`, clipped, if given); returns it."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    if text is not None:
        label.setText(shown(text, limit))
    return label


def message_box(parent: QWidget | None, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
                buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
                informative: str = "") -> QMessageBox:
    """A message box whose text (and informative text) is shown as typed, clipped, wrappable."""
    box = QMessageBox(icon, one_line(title, 120), wrappable(shown(text, MESSAGE_LIMIT)), buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if informative:
        box.setInformativeText(wrappable(shown(informative, MESSAGE_LIMIT)))   # the box's format too
    return box


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """QMessageBox.warning, with `text` shown as plain text."""
    message_box(parent, title, text).exec()
