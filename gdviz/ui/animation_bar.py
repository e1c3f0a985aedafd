"""The transport bar under the canvases: reset, step back, play/pause, step forward, speed, a scrubber
and a readout of the current iterate. Buttons share the window's QActions (and their shortcuts)."""
from __future__ import annotations

import math
import re

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QTextDocument
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QVBoxLayout, QWidget

from . import style
from .animation import SPEEDS, AnimationClock
from .style import STYLE

SCRUBBER_MIN_PX = 110     # at scale 1: room to scrub through a few hundred steps


def speed_text(speed: float) -> str:
    return f"{speed:g} steps/s"


def readout_parts(*parts: str, between: str = " &nbsp; ") -> str:
    """Rich-text parts of a readout that may wrap between them but never inside one (the spaces
    in their text, not in their tags, become non-breaking)."""
    def unbreakable(part: str) -> str:
        # Qt breaks after a slash even between non-breaking spaces: a word joiner holds "12 / 30".
        return "".join(piece if piece.startswith("<") else piece.replace(" ", "&nbsp;").replace("/", "/\u2060")
                       for piece in re.split(r"(<[^>]*>)", part))
    return between.join(unbreakable(p) for p in parts)


class Readout(QLabel):
    """The iterate's readout: one line while there is room, wrapping between its parts (see
    readout_parts) when there is not. Kept on one line, its width would be the bar's minimum and so
    the window's: too wide for a 1280 x 720 projector in presentation mode with the lesson open.
    It asks for at least `steady` pixels so the scrubber does not twitch as digits come and go."""

    def __init__(self) -> None:
        super().__init__("")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.steady = 0
        self._widths: tuple[str, str, int, int] | None = None    # (text, font, one line, longest part)

    def _measure(self) -> tuple[int, int]:
        key = (self.text(), self.font().key())
        if self._widths is None or self._widths[:2] != key:
            doc = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(self.font())
            doc.setHtml(self.text())
            line = doc.idealWidth()
            doc.setTextWidth(1)                      # every break taken: the widest unbreakable part
            self._widths = (*key, int(line) + 2, int(doc.idealWidth()) + 2)
        return self._widths[2], self._widths[3]

    def plain(self) -> str:
        """What it reads, as plain text with ordinary spaces."""
        doc = QTextDocument()
        doc.setHtml(self.text())
        return doc.toPlainText().replace("\u00a0", " ").replace("\u2060", "")

    def sizeHint(self) -> QSize:
        line, _ = self._measure()
        return QSize(max(line, self.steady), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        _, part = self._measure()
        return QSize(part, self.fontMetrics().height())


class AnimationBar(QWidget):
    def __init__(self, clock: AnimationClock, actions: list[QAction], parent=None) -> None:
        super().__init__(parent)
        self.clock = clock
        # One row while it fits; on a narrow bar the readout takes a row of its own under the
        # scrubber (squeezed beside it, it wrapped into three lines and was cut at 1024 x 768).
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 2, 4, 2)
        outer.setSpacing(0)
        row = self.row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.lower = QHBoxLayout()
        self.lower.setContentsMargins(0, 0, 0, 0)
        self.lower.addStretch(1)
        outer.addLayout(row)
        outer.addLayout(self.lower)
        self.readout_below = False
        self.buttons: list[QToolButton] = []
        for action in actions:
            action.setIcon(style.themed_icon(action.icon()))    # light on a dark theme
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            button.setAutoRaise(True)
            row.addWidget(button)
            self.buttons.append(button)
        self.speed = QComboBox()
        self.speed.setAccessibleName("Animation speed")
        for s in SPEEDS:
            self.speed.addItem(speed_text(s), s)
        self.speed.setCurrentIndex(SPEEDS.index(clock.speed) if clock.speed in SPEEDS else 0)
        self.speed.setToolTip("Animation speed in Euler steps per second")
        self.speed.currentIndexChanged.connect(lambda i: clock.set_speed(self.speed.itemData(i)))
        row.addWidget(self.speed)
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("Scrub through the iterates")
        self.scrubber.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scrubber.valueChanged.connect(clock.seek)
        row.addWidget(self.scrubber, 1)
        self.readout = Readout()
        row.addWidget(self.readout)
        self._state: tuple[int, int, float, float] | None = None
        self._text = ""
        self.apply_style()

    def _one_row_width(self) -> int:
        """The width the bar needs to hold the readout on one line beside the scrubber."""
        row = self.row
        others = sum(row.itemAt(i).widget().sizeHint().width() for i in range(row.count())
                     if row.itemAt(i).widget() not in (self.scrubber, self.readout, None))
        spacing = row.spacing() * row.count()
        margins = self.layout().contentsMargins()
        return (others + self.scrubber.minimumWidth() + self.readout.sizeHint().width() + spacing
                + margins.left() + margins.right())

    def fit_readout(self) -> None:
        """The readout beside the scrubber if it fits there on one line, else under it. Called on a
        resize and by a view whose own readout a new result made longer (not on every frame:
        measuring the text is what it costs). The flow's short readout is not refitted on a result:
        the bar's height changing then, under the lab's plots, made the lab's export differ between
        runs (2 pictures in 8)."""
        below = self.width() < self._one_row_width()
        if below != self.readout_below:
            self.readout_below = below
            (self.row if below else self.lower).removeWidget(self.readout)
            (self.lower if below else self.row).addWidget(self.readout)
        # In the row it fits on one line by the test above: no height-for-width there, or every
        # frame's new text relaid the bar at 44 px, then 37, and resized every canvas twice (the
        # animation fell from 70 to 15 fps). Under the scrubber it may wrap between its parts.
        if self.readout.wordWrap() != below:
            self.readout.setWordWrap(below)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_readout()

    def apply_style(self) -> None:
        """Icon and text sizes from STYLE; the readout again in the theme's colours."""
        side = int(STYLE.px(26))
        for button in self.buttons:
            button.setIconSize(QSize(side, side))
        self.readout.setFont(style.font(STYLE.ui_pt + 2))
        self.readout.steady = int(STYLE.px(230))
        self.readout.updateGeometry()
        # The readout wraps before the scrubber shrinks: at 1024 x 768 it was squeezed to a 16 px box.
        self.scrubber.setMinimumWidth(int(STYLE.px(SCRUBBER_MIN_PX)))
        self.fit_readout()
        if self._state is not None and self.readout.text() == self._text:   # not a view's own readout
            self.show_state(*self._state)

    def set_speed(self, speed: float) -> None:
        i = self.speed.findData(speed)
        if i >= 0:
            self.speed.setCurrentIndex(i)

    def show_state(self, n: int, last: int, t: float, x: float) -> None:
        self._state = (n, last, t, x)
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, last)
        self.scrubber.setValue(n)
        self.scrubber.blockSignals(False)
        xs = f"{x:.6g}" if math.isfinite(x) else "diverged"
        self._text = readout_parts(
            f"n = <b>{n}</b> / {last}", f"t = {t:.4g}",
            f'<span style="color:{style.css_colour(style.DISCRETE)}">x<sub>n</sub> = <b>{xs}</b></span>')
        self.readout.setText(self._text)


def transport_bar(clock: AnimationClock, owner: QWidget, start_tip: str = "Back to the start") -> AnimationBar:
    """An AnimationBar with its own buttons, for a tab whose animation has a clock of its own (the
    window's keys reach that clock through MainWindow.active_clock)."""
    sp = QStyle.StandardPixmap
    icon = owner.style().standardIcon
    actions = []
    for pix, tip, slot in ((sp.SP_MediaSkipBackward, start_tip, clock.reset),
                           (sp.SP_MediaSeekBackward, "Step back", lambda: clock.step(-1)),
                           (sp.SP_MediaPlay, "Play / pause", clock.toggle),
                           (sp.SP_MediaSeekForward, "Step forward", lambda: clock.step(1)),
                           (sp.SP_MediaSkipForward, "Last step", lambda: clock.seek(clock.last))):
        action = QAction(icon(pix), "", owner)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        actions.append(action)
    return AnimationBar(clock, actions)
