"""Where a key goes: the window's keys work from anywhere in the window except while the user types.

The rule, in the order it is applied (issue 13; a presentation clicker sends Page Down/Up, → / ← and
B or "."):

1. Text entry (a line edit, a spin box's text, the equation editor, an editable text box) keeps
   every key: Space types a space there, ← moves the cursor. Enter in a number box commits the
   number and gives the keyboard back to the window, so Space plays again.
2. While the lesson is open, Page Down/Up move it whatever else has the keyboard.
3. A control the user reached with Tab (or Shift+Tab, or its Alt+letter) keeps its own keys: a
   slider its arrows, Home and End, a button or check box Space, a combo box or a list its arrows.
   A control clicked with the mouse does not hold the keyboard: dragging x₀ and pressing Space plays
   the animation, Page Down turns the lesson's page, and neither moves the slider. (Sliders keep
   taking focus on a click, so a click on one still takes the keyboard away from a text field.)
4. Everywhere else the window's keys do what its menus say: Space play/pause, ← / → step (they
   turn the lesson's page instead while the lesson is open, as a clicker's do), Home / End first and
   last iterate, B or "." blank the screen. Keys with Ctrl or Alt are ordinary shortcuts.
5. Escape, or a click on empty space (not on a control), gives the keyboard back to the window
   (Escape in a number box first puts back the number it had: it cancels the typing).

`install_keys(window)` puts a `KeyRouter` on the application: it sees each key before the widget
with the keyboard does (Qt sends ShortcutOverride to that widget first, and a slider or a list would
claim its arrows), decides by the rule, and triggers the window's declared action itself.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QGraphicsView,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QScrollBar,
    QSplitterHandle,
    QTabBar,
    QTextEdit,
    QWidget,
)

if TYPE_CHECKING:
    from .frame import Frame

K = Qt.Key
# Each key the window owns -> the actions it may trigger, the first one enabled wins.
ROUTES: dict[Qt.Key, tuple[str, ...]] = {
    K.Key_Space: ("play",),
    K.Key_Left: ("lesson-back", "back"),
    K.Key_Right: ("lesson-next", "forward"),
    K.Key_Home: ("reset",),
    K.Key_End: ("end",),
    K.Key_PageUp: ("lesson-back",),
    K.Key_PageDown: ("lesson-next",),
    K.Key_B: ("blank",),
    K.Key_Period: ("blank",),
}
PAGE_KEYS = {K.Key_PageUp, K.Key_PageDown}
REPEATING = {K.Key_Left, K.Key_Right}        # held down, they keep stepping; the others act once
ARROWS = {K.Key_Left, K.Key_Right, K.Key_Up, K.Key_Down}
# The keys a control reached by keyboard keeps (rule 3); Page keys go to an open lesson first.
KEPT_BY: tuple[tuple[type, frozenset[Qt.Key]], ...] = (
    (QAbstractSlider, frozenset({*ARROWS, K.Key_Home, K.Key_End, K.Key_PageUp, K.Key_PageDown})),
    (QAbstractButton, frozenset({K.Key_Space})),
    (QComboBox, frozenset({*ARROWS, K.Key_Home, K.Key_End, K.Key_PageUp, K.Key_PageDown, K.Key_Space})),
    (QTabBar, frozenset({K.Key_Left, K.Key_Right, K.Key_Home, K.Key_End})),
    (QAbstractItemView, frozenset({*ARROWS, K.Key_Home, K.Key_End, K.Key_PageUp, K.Key_PageDown, K.Key_Space})),
)
KEYBOARD_REASONS = (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                    Qt.FocusReason.ShortcutFocusReason)
# Focus coming back after another window or a menu: the widget is still held as it was.
RETURNING_REASONS = (Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason)
KEYBOARD_FOCUS = "gdviz_keyboard_focus"     # widget property: did the keyboard (Tab) give it focus?
# What a click may land on without being "empty space".
CONTROLS = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit, QTabBar, QMenuBar,
            QAbstractItemView, QGraphicsView, QScrollBar, QTextEdit, QPlainTextEdit, QSplitterHandle)


def is_text_entry(widget: QWidget | None) -> bool:
    """Does `widget` take typed text (a line edit, a spin box, an editable combo or text box)?"""
    if widget is None:
        return False
    if isinstance(widget, (QLineEdit, QAbstractSpinBox)):
        return not (isinstance(widget, QLineEdit) and widget.isReadOnly())
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return isinstance(widget, QComboBox) and widget.isEditable()


def keyboard_focused(widget: QWidget | None) -> bool:
    """Was `widget` given the keyboard by the keyboard (Tab, Shift+Tab, its Alt+letter)?"""
    return widget is not None and bool(widget.property(KEYBOARD_FOCUS))


def keeps(widget: QWidget | None, key: Qt.Key) -> bool:
    """Does the control with the keyboard keep this key (rule 3)?"""
    if not keyboard_focused(widget):
        return False
    return any(isinstance(widget, kind) and key in kept for kind, kept in KEPT_BY)


def spin_box_of(widget: QWidget | None) -> QAbstractSpinBox | None:
    """The spin box `widget` is (or is the text field of)."""
    if isinstance(widget, QAbstractSpinBox):
        return widget
    parent = widget.parentWidget() if isinstance(widget, QLineEdit) else None
    return parent if isinstance(parent, QAbstractSpinBox) else None


def coarse_step(slider: QAbstractSlider, key: Qt.Key) -> None:
    """One page step of `slider`: up for → and ↑, down for ← and ↓."""
    up = key in (K.Key_Right, K.Key_Up)
    slider.triggerAction(QAbstractSlider.SliderAction.SliderPageStepAdd if up
                         else QAbstractSlider.SliderAction.SliderPageStepSub)


_WATCHED = frozenset({QEvent.Type.FocusIn, QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress,
                      QEvent.Type.MouseButtonPress})


class KeyRouter(QObject):
    """An application event filter applying the module's rule to one window's widgets."""

    def __init__(self, window: Frame) -> None:
        super().__init__(window)
        self.window = window

    # ------------------------------------------------------------------------------ decisions
    def owns(self, widget: QObject) -> bool:
        """Is `widget` in this window (or one of its floating docks), not in a dialog or a popup?"""
        if not isinstance(widget, QWidget):
            return False
        top = widget.window()
        return top is self.window or (isinstance(top, QDockWidget) and top.parentWidget() is self.window)

    def holder(self, obj: QWidget) -> QWidget:
        """The widget whose keys these are: the focus widget (a key travels up to its parents when
        it is not used, and each step comes here again), or the receiver when nothing here has focus."""
        focus = QApplication.focusWidget()
        return focus if focus is not None and self.owns(focus) else obj

    def action_for(self, key: Qt.Key, holder: QWidget) -> QAction | None:
        """The enabled action this key triggers from `holder`, or None (the widget keeps the key)."""
        if is_text_entry(holder):
            return None
        if keeps(holder, key) and not (key in PAGE_KEYS and self._enabled("lesson-next")):
            return None
        for action_id in ROUTES.get(key, ()):
            if self._enabled(action_id):
                return self.window.board.action(action_id)
        return None

    def _enabled(self, action_id: str) -> bool:
        board = self.window.board
        return action_id in board and board.action(action_id).isEnabled()

    # ---------------------------------------------------------------------------------- events
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        kind = ev.type()
        if kind not in _WATCHED:       # every event of the application passes here: leave at once
            return False
        if kind == QEvent.Type.FocusIn and isinstance(obj, QWidget) and isinstance(ev, QFocusEvent) \
                and ev.reason() not in RETURNING_REASONS:
            obj.setProperty(KEYBOARD_FOCUS, ev.reason() in KEYBOARD_REASONS)
        elif kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and self.owns(obj):
            return self._key(obj, ev, kind == QEvent.Type.KeyPress)
        elif kind == QEvent.Type.MouseButtonPress and self.owns(obj) and not isinstance(obj, CONTROLS):
            self._clicked_empty_space(obj)
        return False

    def _key(self, obj: QWidget, ev: QKeyEvent, press: bool) -> bool:
        mods = ev.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = Qt.Key(ev.key())
        holder = self.holder(obj)
        # Shift+arrow: the coarse step, as Page Up/Down (Qt's is a fine one); a log slider that steps
        # itself (custom_steps, gdviz.ui.slider_spin) takes its own.
        if mods == Qt.KeyboardModifier.ShiftModifier and key in ARROWS and isinstance(holder, QAbstractSlider) \
                and not getattr(holder, "custom_steps", False):
            ev.accept()
            if press:
                coarse_step(holder, key)
            return True
        if mods != Qt.KeyboardModifier.NoModifier:
            return False
        if key in (K.Key_Return, K.Key_Enter):
            return press and self._commit_number(holder)
        if key == K.Key_Escape:
            return press and self._escape(holder)
        if key not in ROUTES:
            return False
        action = self.action_for(key, holder)
        if action is None:
            if press or not (is_text_entry(holder) or keeps(holder, key)):
                return False             # the widget's (or no one's: Page keys without a lesson)
            ev.accept()                  # the widget keeps it: no window shortcut takes it first
            return True
        ev.accept()
        if press and (not ev.isAutoRepeat() or key in REPEATING):
            action.trigger()
        return True

    def _commit_number(self, holder: QWidget) -> bool:
        """Enter in a number box: the number is taken and the keyboard returns to the window."""
        spin = spin_box_of(holder)
        if spin is None:
            return False
        spin.interpretText()
        self.release_focus()
        return True

    def _escape(self, holder: QWidget) -> bool:
        blank = self.window.board.action("blank") if "blank" in self.window.board else None
        if blank is not None and blank.isChecked():
            blank.setChecked(False)
            return True
        editor = getattr(self.window, "editor", None)
        if editor is not None and holder is editor.field:
            return False                 # the editor commits its text first (MainWindow.eventFilter)
        spin = spin_box_of(holder)
        if spin is not None:
            spin.setValue(spin.value())  # Escape cancels what was typed: the box shows its number again
        if holder is self.home():
            return False
        self.release_focus()
        return True

    def _clicked_empty_space(self, obj: QWidget) -> None:
        focus = QApplication.focusWidget()
        # Qt has already given the keyboard to what was clicked, if it takes it on a click.
        if focus is not None and self.owns(focus) and focus is not self.home() and focus is not obj \
                and not focus.isAncestorOf(obj):
            self.release_focus()

    # ------------------------------------------------------------------------------ the window
    def home(self) -> QWidget:
        """Where the keyboard rests when no control holds it: the window's central widget."""
        return self.window.centralWidget() or self.window

    def release_focus(self) -> None:
        """Give the keyboard back to the window, where every key of the rule's step 4 works."""
        self.home().setFocus(Qt.FocusReason.OtherFocusReason)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def install_keys(window: Frame) -> KeyRouter:
    """Route the window's keys by the module's rule (kept as `window.addons["keys"]`)."""
    existing = window.addons.get("keys")
    if existing is not None:
        return existing
    router = window.add_addon("keys", KeyRouter(window))
    QApplication.instance().installEventFilter(router)
    return router
