"""The "Presets…" drop-down of the 2-D and momentum tabs."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox

from .plain import one_line


def presets_box(presets: list[tuple[str, str]], activated: Callable[[int], None]) -> QComboBox:
    """A combo box titled "Presets…" listing (name, title) pairs, each item's data its name. It is
    as wide as its title, not as the longest preset, so a small window keeps its row on one line."""
    box = QComboBox()
    box.addItem("Presets…", "")
    for name, title in presets:
        box.addItem(one_line(title, 80), name)         # titles come from preset files
    box.activated.connect(activated)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(16)
    return box
