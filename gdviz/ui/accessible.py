"""Accessible names for the controls a keyboard reaches with Tab: what a screen reader says.

A control named where it is made (setAccessibleName) keeps its name. Any other is named from what a
sighted user reads beside it: its form row's label or the label just before it in its layout (a
slider and its spin box share their row's label), else the first sentence of its tooltip, else its
action's text; its tooltip becomes its description. `name_controls` is cheap and idempotent, so it
runs again when a page is drawn (parameter sliders come and go with the equation).
"""
from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QFormLayout,
    QLabel,
    QLayout,
    QTabBar,
    QToolButton,
    QWidget,
)

NAME_LIMIT = 80


def takes_tab(w: QWidget) -> bool:
    """Does `w` take focus from Tab? (A widget with a focus proxy passes it on; its proxy is named
    too. QWidget.focusProxy() is not asked: in PySide6 the answer keeps the widget alive.)"""
    return bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus)


def control_of(w: QWidget) -> QWidget:
    """The control a Tab stop belongs to: a spin box for its inner line edit, a plot for its viewport."""
    parent = w.parentWidget()
    if isinstance(parent, QAbstractSpinBox):
        return parent
    if isinstance(parent, QAbstractScrollArea) and parent.viewport() is w:
        return parent
    return w


def _clean(text: str) -> str:
    text = re.sub(r"<[^>]*>", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
    text = " ".join(text.split()).rstrip(":= ").strip()
    return text[:NAME_LIMIT]


def _first_sentence(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return _clean(re.split(r"(?<=[a-z)])\. |: ", line, maxsplit=1)[0])


def _holding_layout(layout: QLayout | None, w: QWidget) -> QLayout | None:
    """The layout (nested or not) that holds `w` directly."""
    if layout is None:
        return None
    if layout.indexOf(w) >= 0:
        return layout
    for i in range(layout.count()):
        inner = layout.itemAt(i).layout()
        found = _holding_layout(inner, w)
        if found is not None:
            return found
    return None


def row_label(w: QWidget) -> str:
    """The text of the label that names `w` in its layout: its form row's label, or a label just
    before it (a buddy label counts)."""
    parent = w.parentWidget()
    if parent is None:
        return ""
    for label in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if label.buddy() is w and label.text():
            return _clean(label.text())
    layout = _holding_layout(parent.layout(), w)
    if layout is None:
        return ""
    if isinstance(layout, QFormLayout):
        label = layout.labelForField(w)
        return _clean(label.text()) if isinstance(label, QLabel) else ""
    index = layout.indexOf(w)
    before = layout.itemAt(index - 1).widget() if index >= 1 else None
    return _clean(before.text()) if isinstance(before, QLabel) and not before.wordWrap() else ""


def names_itself(w: QWidget) -> bool:
    """A button with text (its text is its name) or a tab bar (each tab's text)."""
    return (isinstance(w, QAbstractButton) and bool(w.text().strip())) or isinstance(w, QTabBar)


def name_for(w: QWidget) -> str:
    """What to call control `w` when it was not named where it was made."""
    for candidate in (w, w.parentWidget()):     # a slider or spin box of a SliderSpin: its row's label
        if candidate is not None:
            text = row_label(candidate)
            if text:
                return text
    if isinstance(w, QToolButton) and w.defaultAction() is not None:
        text = _clean(w.defaultAction().text())
        if text:
            return text
    tip = w.toolTip() or (w.parentWidget().toolTip() if w.parentWidget() is not None else "")
    return _first_sentence(tip)


def name_controls(root: QWidget) -> None:
    """Name every Tab stop under `root` (and `root`) that has no accessible name yet."""
    for w in (root, *root.findChildren(QWidget)):
        if not takes_tab(w):
            continue
        control = control_of(w)
        if not control.accessibleName() and not names_itself(control):
            name = name_for(control)
            if name:
                control.setAccessibleName(name)
        tip = _clean(control.toolTip())
        if tip and not control.accessibleDescription() and tip != control.accessibleName():
            control.setAccessibleDescription(control.toolTip().strip())
