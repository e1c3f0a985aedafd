"""The guided lesson: a dock that walks through a lesson step by step, each step loading its scene
into the window and showing a short explanation, with Back/Next, a step list, and the secant demo
on the step that asks for it.

`install_lesson(window)` adds the dock (hidden until asked for), View > Lesson (Ctrl+Shift+L), a
toolbar button, File > Open lesson…, and Page Up/Down (or ←/→, or Alt+←/→) for Back/Next while the
lesson is open: gdviz.ui.keyboard sends Page Up/Down and ←/→ here from any control but a text field. The lesson is read when the dock is first shown, so start-up never pays for it.

Lessons are data (`gdviz.model.lesson`); steps go into the window through its public API only
(set_scene, set_scene2d, set_momentum_scene, show_view), so they are ordinary undoable edits.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from . import style
from .actions import ActionSpec
from .plain import escaped, one_line, plain_label, plain_tooltip, shown, warn, wrappable
from .style import STYLE

# gdviz.model.lesson (tomllib, the scene validators) is imported when a lesson is first read, not
# at start-up: the panel is hidden until asked for.
if TYPE_CHECKING:
    from ..model.lesson import Lesson, LessonStep
    from .frame import Frame
    from .secant_demo import SecantDemo, SecantOverlay

SETTINGS_ORG = "gdviz"
SETTINGS_APP = "gdviz"
KEY_FILE = "lesson/file"         # "" = the built-in lesson
KEY_STEP = "lesson/step"         # 0-based index of the step last shown
TEXT_PT = 13.0                   # the step's text, at STYLE.scale 1: larger than the UI, it is read from afar
TITLE_PT = 16.0
DOCK_WIDTH = 400
DOCK_SHARE = 0.22        # of the window's width, when that is less than DOCK_WIDTH
TOGGLE_SHORTCUT = "Ctrl+Shift+L"
NEXT_KEYS = ("PgDown", "Alt+Right")     # presentation clickers send Page Down / Page Up
BACK_KEYS = ("PgUp", "Alt+Left")


def _settings() -> QSettings:
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


def apply_step(window: Frame, step: LessonStep) -> None:
    """Load the step's scenes into the window (only those that differ: no needless recomputation)
    and bring its view forward: one undo step."""
    window.set_scenes({"flow": step.scene, "2d": step.plane, "momentum": step.momentum}, step.view)


class LessonPanel(QWidget):
    """Shows one step of a lesson at a time and applies it to `window` (if given).

    Signals: `step_shown(index)` after a step is shown (and applied), `lesson_loaded(Lesson)`.
    """

    step_shown = Signal(int)
    lesson_loaded = Signal(object)

    def __init__(self, window: Frame | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self._lesson: Lesson | None = None
        self._index = 0
        self._demo: SecantDemo | None = None

        # The lesson's texts are a teacher's: plain text, or escaped inside the panel's own markup
        # (gdviz.model.lesson's text_to_html escapes the step texts; see plain.py).
        self.lesson_title = QLabel()
        self.lesson_title.setTextFormat(Qt.TextFormat.RichText)
        self.lesson_title.setWordWrap(True)
        icon = self.style().standardIcon
        # Icons only: the row keeps its width for the lesson's title in a narrow dock.
        self.open_button = QToolButton()
        self.open_button.setIcon(icon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.open_button.setToolTip("Open a lesson… (a .toml file written by you or a colleague)")
        self.restart_button = QToolButton()
        self.restart_button.setIcon(icon(QStyle.StandardPixmap.SP_MediaSkipBackward))
        self.restart_button.setToolTip("Restart the lesson from step 1")
        for b in (self.open_button, self.restart_button):
            b.setAutoRaise(True)
        self.steps_combo = QComboBox()
        self.steps_combo.setToolTip("Jump to a step")
        self.steps_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.steps_combo.setMinimumContentsLength(10)
        self.counter = QLabel()
        self.step_title = plain_label(QLabel())
        self.step_title.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setFrameShape(QFrame.Shape.NoFrame)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text.viewport().setAutoFillBackground(False)
        self.demo_host = QWidget()
        self.demo_host.setLayout(QVBoxLayout())
        self.demo_host.layout().setContentsMargins(0, 0, 0, 0)
        self.demo_host.hide()
        self._overlay: SecantOverlay | None = None    # the demo's card over the window's plots
        self.demo_button = QPushButton("Show the secant demo")
        self.demo_button.setCheckable(True)
        self.demo_button.setToolTip("Show or hide the secant demo over the plots")
        self.demo_button.toggled.connect(self.set_demo_visible)
        self.demo_button.hide()
        self.try_label = QLabel()
        self.try_label.setWordWrap(True)
        self.try_label.setTextFormat(Qt.TextFormat.RichText)
        self.reload_button = QToolButton()
        self.reload_button.setIcon(icon(QStyle.StandardPixmap.SP_BrowserReload))
        self.reload_button.setAutoRaise(True)
        self.reload_button.setToolTip("Reset this step: load its scene again (Undo brings your changes back)")
        self.back_button = QPushButton("◀  Back")
        self.back_button.setToolTip("Previous step (Page Up or ←)")
        self.next_button = QPushButton("Next  ▶")
        self.next_button.setToolTip("Next step (Page Down or →)")
        # Nothing in the panel keeps the keyboard: Space must keep playing the animation, and the
        # arrows stepping it, after a click on Next or on the step list.
        for w in (self.open_button, self.restart_button, self.steps_combo, self.text, self.reload_button,
                  self.back_button, self.next_button, self.demo_button):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        # Laid out for a narrow dock (the lab and 2-D tabs leave it ~250 px): one control per row.
        top = QHBoxLayout()
        top.addWidget(self.lesson_title, 1)
        top.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.restart_button, 0, Qt.AlignmentFlag.AlignTop)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        heading = QHBoxLayout()
        heading.addWidget(self.counter, 1)
        heading.addWidget(self.reload_button)
        # Everything but Back/Next scrolls: on a 720-pixel projector the secant step is taller
        # than the dock, and squeezed widgets would paint over each other.
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.steps_combo)
        layout.addSpacing(4)
        layout.addLayout(heading)
        layout.addWidget(self.step_title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.demo_host, 0)
        layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.try_label)
        self._layout = layout
        self.scroll = QScrollArea()
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll, 1)
        nav.setContentsMargins(8, 4, 8, 8)
        outer.addLayout(nav)

        self.open_button.clicked.connect(self.open_dialog)
        self.restart_button.clicked.connect(self.restart)
        self.steps_combo.activated.connect(self.go)
        self.reload_button.clicked.connect(self.apply_current)
        self.back_button.clicked.connect(self.previous_step)
        self.next_button.clicked.connect(self.next_step)
        # Narrow enough that the 2-D tab still fits beside it on a 1600-pixel screen.
        self.setMinimumWidth(250)
        self.apply_style()

    # --------------------------------------------------------------------------------- state
    @property
    def lesson(self) -> Lesson | None:
        return self._lesson

    @property
    def index(self) -> int:
        return self._index

    @property
    def step(self) -> LessonStep | None:
        return self._lesson.steps[self._index] if self._lesson is not None else None

    @property
    def demo(self) -> SecantDemo | None:
        """The secant demo (built the first time a step asks for it)."""
        return self._demo

    @property
    def overlay(self) -> SecantOverlay | None:
        """The demo's card over the window's plots (None until a step first shows the demo)."""
        return self._overlay

    # ---------------------------------------------------------------------------- navigation
    def set_lesson(self, lesson: Lesson, index: int = 0, apply: bool = True) -> None:
        """Show `lesson` from step `index` (clamped); `apply` loads that step into the window."""
        self._lesson = lesson
        self.lesson_title.setText(f"<b>{escaped(lesson.title)}</b>")
        tip = lesson.description + (f"\n\n{lesson.author}" if lesson.author else "")
        self.lesson_title.setToolTip(plain_tooltip(tip.strip()))
        self.steps_combo.blockSignals(True)
        self.steps_combo.clear()
        for i, step in enumerate(lesson.steps):
            self.steps_combo.addItem(one_line(f"{i + 1}. {step.title}"))
        self.steps_combo.blockSignals(False)
        _settings().setValue(KEY_FILE, lesson.source)
        self.lesson_loaded.emit(lesson)
        self.go(index, apply=apply)

    def go(self, index: int, apply: bool = True) -> None:
        """Show step `index` (clamped); `apply` also loads it into the window."""
        if self._lesson is None:
            return
        self._index = max(0, min(int(index), len(self._lesson.steps) - 1))
        self._show(apply)

    def next_step(self) -> None:
        if self._lesson is not None and self._index + 1 < len(self._lesson.steps):
            self.go(self._index + 1)

    def previous_step(self) -> None:
        if self._index > 0:
            self.go(self._index - 1)

    def restart(self) -> None:
        self.go(0)

    def apply_current(self) -> None:
        """Load the current step into the window again (Reset step)."""
        if self._lesson is not None:
            self._show(apply=True)

    def _show(self, apply: bool) -> None:
        # Where the keyboard is now, before hiding the demo moves it along the focus chain.
        stranded = self._keyboard_is_mine()
        # The window first: its tab change would hide a demo shown before it.
        if apply and self.window_ is not None:
            apply_step(self.window_, self._lesson.steps[self._index])
        self._show_step()
        if apply and (stranded or self._keyboard_is_mine()):
            self._return_focus()
        self.step_shown.emit(self._index)

    def set_demo_visible(self, on: bool) -> None:
        """Show or hide the secant demo (shown only on a step that has one)."""
        step = self.step
        on = bool(on) and step is not None and step.demo == "secant"
        if on:
            self._ensure_demo()
        if self._overlay is not None:
            self._overlay.setVisible(on)
        else:
            self.demo_host.setVisible(on)
        self._sync_demo_button(on)

    # ---------------------------------------------------------------------------------- files
    def load_remembered(self, apply: bool = False) -> None:
        """The lesson and step shown last time (the built-in lesson if that file is gone or broken)."""
        from ..model.lesson import LessonError, load_builtin_lesson, load_lesson
        s = _settings()
        path = str(s.value(KEY_FILE, "") or "")
        try:
            index = int(s.value(KEY_STEP, 0))
        except (TypeError, ValueError):
            index = 0
        lesson = None
        if path:
            try:
                lesson = load_lesson(path)
            except LessonError as error:
                self._status(f"Could not reopen the lesson: {error}. Showing the built-in lesson.", error=True)
                index = 0
        if lesson is None:
            lesson = load_builtin_lesson()
        self.set_lesson(lesson, index, apply=apply)

    def open_file(self, path: str, quiet: bool = False) -> bool:
        """Open a teacher's lesson from step 1. A bad file is reported (a message box unless `quiet`)
        and the current lesson stays. True if it opened."""
        from ..model.lesson import LessonError, load_lesson
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            if not quiet:
                warn(self, "Cannot open this lesson", f"{error}\n\nThe current lesson stays open.")
            self._status(str(error), error=True)
            return False
        self.set_lesson(lesson, 0)
        self._status(f"Opened the lesson “{lesson.title}” ({len(lesson.steps)} steps)")
        return True

    def open_dialog(self) -> None:
        from ..model.lesson import builtin_lesson_path
        start = os.path.dirname(self._lesson.source) if self._lesson and self._lesson.source else \
            str(builtin_lesson_path().parent)
        path, _ = QFileDialog.getOpenFileName(self, "Open a lesson", start, "Lessons (*.toml);;All files (*)")
        if path:
            self.open_file(path)

    # ---------------------------------------------------------------------------------- style
    def apply_style(self) -> None:
        """Fonts from STYLE again (presentation mode scales them); the demo follows."""
        self.setFont(style.font(STYLE.ui_pt))
        self.lesson_title.setFont(style.font(STYLE.ui_pt + 1))
        self.step_title.setFont(style.font(TITLE_PT, bold=True))
        self.text.setFont(style.font(TEXT_PT))
        self.text.document().setDefaultStyleSheet(
            f"p {{ margin-top: 0; margin-bottom: {STYLE.pt(7):.0f}px; }}"
            f"ul {{ margin-top: 0; margin-bottom: {STYLE.pt(7):.0f}px; margin-left: 0; }}"
            f"li {{ margin-bottom: {STYLE.pt(2):.0f}px; }}"
            f"code {{ font-family: monospace; color: {style.BLUE}; }}")
        self.try_label.setFont(style.font(STYLE.ui_pt + 1))
        self.try_label.setStyleSheet(
            # A translucent orange tint reads on the light and the dark theme alike.
            f"QLabel {{ background: rgba(230, 159, 0, 0.14); border-left: {max(3, round(STYLE.px(4)))}px solid {style.ORANGE};"
            f" padding: {STYLE.px(6):.0f}px; color: {style.INK}; }}")
        self.counter.setFont(style.font(STYLE.ui_pt - 0.5, bold=True))
        self.counter.setStyleSheet(f"color: {style.MUTED};")
        for b in (self.back_button, self.next_button):
            b.setFont(style.font(STYLE.ui_pt + 1, bold=b is self.next_button))
            b.setMinimumHeight(round(STYLE.px(34)))
        if self._overlay is not None:
            self._overlay.apply_style()
        elif self._demo is not None:
            self._demo.apply_style()
        if self._lesson is not None:
            self._show_step(fresh=False)

    # ------------------------------------------------------------------------------ internals
    def _show_step(self, fresh: bool = True) -> None:
        """Show the current step's texts; `fresh` (a step just chosen) also resets the secant demo."""
        lesson, i = self._lesson, self._index
        step = lesson.steps[i]
        self.steps_combo.setCurrentIndex(i)
        self.counter.setText(f"STEP {i + 1} OF {len(lesson.steps)}")
        self.step_title.setText(wrappable(shown(step.title)))
        intro = ""
        if i == 0 and lesson.description:
            # The lesson's description once, before its first step, set apart from the step's text.
            from ..model.lesson import text_to_html
            intro = f'<div style="color:{style.MUTED}"><i>{text_to_html(lesson.description)}</i></div>'
        self.text.setHtml(intro + step.html)
        if step.try_this:
            self.try_label.setText(f"<b>Try this:</b> {step.try_html}")
            self.try_label.show()
        else:
            self.try_label.hide()
        self.back_button.setEnabled(i > 0)
        self.next_button.setEnabled(i + 1 < len(lesson.steps))
        self.reload_button.setEnabled(any(s is not None for s in (step.scene, step.plane, step.momentum)))
        self.demo_button.setVisible(step.demo == "secant")
        if step.demo == "secant" and step.secant is not None:
            demo = self._ensure_demo()
            if fresh or demo.state is None:
                demo.set_setup(step.secant)
            if fresh:
                self.set_demo_visible(True)
        else:
            self.set_demo_visible(False)
        _settings().setValue(KEY_STEP, i)

    def _ensure_demo(self) -> SecantDemo:
        """The demo, built on first use: over the window's plots (big enough to project), or in the
        panel when there is no window."""
        if self._demo is None:
            from .secant_demo import SecantDemo, SecantOverlay
            self._demo = SecantDemo()
            if self.window_ is not None:
                self._overlay = SecantOverlay(self.window_.tabs, self._demo)
                self._overlay.visibility_changed.connect(self._on_overlay_visible)
            else:
                self._demo.setMinimumHeight(240)
                self.demo_host.layout().addWidget(self._demo)
                self._layout.setStretchFactor(self.demo_host, 1)
        return self._demo

    def _on_overlay_visible(self, on: bool) -> None:
        self._sync_demo_button(on)

    def _sync_demo_button(self, on: bool) -> None:
        self.demo_button.blockSignals(True)
        self.demo_button.setChecked(on)
        self.demo_button.setText("Hide the secant demo" if on else "Show the secant demo")
        self.demo_button.blockSignals(False)

    def _keyboard_is_mine(self) -> bool:
        """Is the keyboard in the panel or the demo (or nowhere)? Then a step gives it to the plots."""
        focus = QApplication.focusWidget()
        if focus is None or not focus.isVisible():
            return True
        return self.isAncestorOf(focus) or focus is self or \
            (self._overlay is not None and (self._overlay.isAncestorOf(focus) or focus is self._overlay))

    def _return_focus(self) -> None:
        """Give the keyboard to a plot of the view on screen, where Space plays and ←/→ step."""
        window = self.window_
        if window is None:
            return
        from pyqtgraph import GraphicsView
        page = window.tabs.currentWidget()
        target = next((c for c in page.findChildren(GraphicsView) if c.isVisible()), None) if page else None
        (target or window).setFocus(Qt.FocusReason.OtherFocusReason)

    def _status(self, text: str, error: bool = False) -> None:
        if self.window_ is not None:
            self.window_.show_status(text, 8000, error=error)


# ------------------------------------------------------------------------------------ the window
class LessonController:
    """What install_lesson puts on the window: the dock, its panel and actions."""

    def __init__(self, window: Frame) -> None:
        self.window = window
        self.panel = LessonPanel(window)
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("lesson-dock")
        self.dock.setWidget(self.panel)
        self.dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        # A lesson left open last time comes back where it was (its text; the window keeps the
        # scene it opened with). restoreDockWidget must come before addDockWidget to find its place.
        if not window.restoreDockWidget(self.dock):
            window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
            self.dock.hide()
        self._opened = False          # the step is applied the first time the user opens the lesson

        icon = window.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView)
        tip = f"The guided lesson: the article step by step ({TOGGLE_SHORTCUT})"
        self.toggle_action = window.board.add(ActionSpec(
            "lesson", "&Lesson", self._toggle, "view", "lesson", (TOGGLE_SHORTCUT,), tip, checkable=True,
            toolbar="lesson", icon=icon))
        self.open_action = window.board.add(ActionSpec(
            "open-lesson", "Open &lesson…", self._open_from_menu, "file", "lesson",
            tip="Open a lesson file (.toml) in the lesson panel"))
        # Only while the lesson is on screen.
        self.next_action = window.board.add(ActionSpec("lesson-next", "Next lesson step", self.panel.next_step,
                                                       shortcuts=NEXT_KEYS, enabled=False))
        self.back_action = window.board.add(ActionSpec("lesson-back", "Previous lesson step",
                                                       self.panel.previous_step, shortcuts=BACK_KEYS, enabled=False))

        self.dock.visibilityChanged.connect(self._on_visibility)
        self._on_visibility(self.dock.isVisible())

    def show(self) -> None:
        """Open the lesson (as View > Lesson does)."""
        self.toggle_action.setChecked(True)

    def _toggle(self, on: bool) -> None:
        if on:
            self.dock.show()
            self.dock.raise_()
            if not self._opened:
                # a hidden dock cannot be sized: give it a readable width the first time it opens,
                # less on a small screen (1280 px: the plots keep two thirds of the width)
                width = max(self.panel.minimumWidth(), min(DOCK_WIDTH, int(DOCK_SHARE * self.window.width())))
                self.window.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)
            if self.panel.lesson is None:
                self.panel.load_remembered(apply=False)
            if not self._opened:
                self._opened = True
                self.panel.apply_current()
        else:
            self.dock.hide()

    def _on_visibility(self, visible: bool) -> None:
        # The dock's own close button, or a restored layout, must keep the action and keys in step.
        shown = self.dock.isVisible()
        if shown and self.panel.lesson is None:
            self.panel.load_remembered(apply=False)
        self.toggle_action.blockSignals(True)
        self.toggle_action.setChecked(shown)
        self.toggle_action.blockSignals(False)
        for a in (self.next_action, self.back_action):
            a.setEnabled(shown)
        if not shown:
            self.panel.set_demo_visible(False)      # the demo belongs to the lesson: it goes with it

    def _open_from_menu(self) -> None:
        self.show()
        self.panel.open_dialog()


def install_lesson(window: Frame) -> LessonController:
    """Add the lesson dock, its View/File menu actions, toolbar button and keys to `window` (kept as
    `window.addons["lesson"]`)."""
    existing = window.addons.get("lesson")
    return existing if existing is not None else window.add_addon("lesson", LessonController(window))
