"""Actions declared as data, and the menus and toolbar they are placed in.

The window, its pages and the add-ons (exports, lesson, presentation) each declare their actions as
`ActionSpec`s: the text, the callback, the keys, and where they go (a menu, a section of it, the
toolbar). `ActionBoard.add` makes the QAction and puts it in its place; sections keep their declared
order whoever adds first, so no one looks for another's action to insert beside it (napari declares
its actions the same way, spyder its menu sections).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

from .plain import STATUS_LIMIT, one_line, plain_tooltip

# Each menu's sections, top to bottom; a separator falls between non-empty sections.
MENUS: dict[str, tuple[str, tuple[str, ...]]] = {
    "file": ("&File", ("session", "recent", "export", "lesson", "quit")),
    "edit": ("&Edit", ("undo", "equation")),
    "view": ("&View", ("tabs", "panels", "display", "lesson", "presentation", "window")),
    "animation": ("&Animation", ("transport",)),
    "presets": ("&Presets", ("presets",)),
    "help": ("&Help", ("about",)),
}
# The toolbar's sections, left to right: what a teacher reaches for in front of a class.
TOOLBAR_SECTIONS = ("session", "export", "presentation", "lesson")


@dataclass(frozen=True)
class ActionSpec:
    """One action and its place. `menu` is a key of MENUS (None: keys only); `section` one of that
    menu's sections; `toolbar` a section of TOOLBAR_SECTIONS (None: not on the toolbar).
    A checkable action's callback receives the new state. `tip` is plain text (a preset's explanation
    comes from a file): it is shown as typed, never as markup."""

    id: str
    text: str
    callback: Callable[..., object]
    menu: str | None = None
    section: str = ""
    shortcuts: tuple[str | QKeySequence | QKeySequence.StandardKey, ...] = ()
    tip: str = ""
    checkable: bool = False
    checked: bool = False
    toolbar: str | None = None
    icon: QIcon | None = None
    icon_text: str = ""
    enabled: bool = True
    order: int = 0                     # within its section, lower first (then in the order added)
    submenu: QMenu | None = field(default=None, compare=False)   # a menu placed instead of an action


class ActionBoard:
    """The window's menus and toolbar, filled from ActionSpecs. `action(id)` finds one again."""

    def __init__(self, window: QMainWindow, toolbar: QToolBar) -> None:
        self._window = window
        self._toolbar = toolbar
        self._menus: dict[str, QMenu] = {}
        self._placed: dict[str, dict[str, list[QAction]]] = {}
        self._bar_placed: dict[str, list[QAction]] = {s: [] for s in TOOLBAR_SECTIONS}
        self._actions: dict[str, QAction] = {}
        self._submenus: dict[str, QMenu] = {}
        self._order: dict[str, int] = {}
        self._keys: dict[str, str] = {}           # key sequence (portable text) -> action id
        self._batching = False
        self._dirty_menus: set[str] = set()
        self._dirty_bar = False
        bar = window.menuBar()
        for key, (title, sections) in MENUS.items():
            menu = bar.addMenu(title)
            menu.setToolTipsVisible(True)
            self._menus[key] = menu
            self._placed[key] = {s: [] for s in sections}

    def menu(self, key: str) -> QMenu:
        return self._menus[key]

    def action(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def __contains__(self, action_id: str) -> bool:
        return action_id in self._actions

    def add(self, spec: ActionSpec) -> QAction:
        """Make the action (on the window, so its keys work everywhere in it) and place it."""
        if spec.id in self._actions:
            raise ValueError(f"an action {spec.id!r} is declared twice")
        a = QAction(self._window)
        a.setObjectName(spec.id)
        self._order[spec.id] = spec.order
        a.setText(spec.text)
        if spec.icon is not None:
            a.setIcon(spec.icon)
        if spec.icon_text:
            a.setIconText(spec.icon_text)
        if spec.shortcuts:
            a.setShortcuts(self._claim_keys(spec))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if spec.tip:
            a.setToolTip(plain_tooltip(spec.tip))
            a.setStatusTip(one_line(spec.tip, STATUS_LIMIT))
        a.setCheckable(spec.checkable)
        if spec.checkable:
            a.setChecked(spec.checked)
            a.toggled.connect(spec.callback)
        else:
            a.triggered.connect(lambda _=False, cb=spec.callback: cb())
        a.setEnabled(spec.enabled)
        if spec.submenu is not None:
            self._submenus[spec.id] = spec.submenu
        self._window.addAction(a)
        self._actions[spec.id] = a
        if spec.menu is not None:
            sections = self._placed[spec.menu]
            if spec.section not in sections:
                raise ValueError(f"menu {spec.menu!r} has no section {spec.section!r}")
            sections[spec.section].append(a)
            sections[spec.section].sort(key=lambda act: self._order.get(act.objectName(), 0))
            self._lay_out_menu(spec.menu)
        if spec.toolbar is not None:
            self._bar_placed[spec.toolbar].append(a)
            self._lay_out_toolbar()
        return a

    def _claim_keys(self, spec: ActionSpec) -> list[QKeySequence]:
        """The spec's key sequences, each once (a standard key's bindings often repeat a declared
        one: Redo is Ctrl+Shift+Z on Linux). Qt ignores a key bound twice in a window ("Ambiguous
        shortcut overload"), so a key another action holds is a mistake, said at once."""
        keys: dict[str, QKeySequence] = {}
        for k in spec.shortcuts:
            for seq in (QKeySequence.keyBindings(k) if isinstance(k, QKeySequence.StandardKey)
                        else [QKeySequence(k)]):
                text = seq.toString(QKeySequence.SequenceFormat.PortableText)
                if seq.isEmpty() or text in keys:
                    continue
                holder = self._keys.get(text)
                if holder is not None and holder != spec.id:
                    raise ValueError(f"the key {text} is declared for both {holder!r} and {spec.id!r}")
                keys[text] = seq
                self._keys[text] = spec.id
        return list(keys.values())

    def key_owners(self) -> dict[str, str]:
        """Every declared key sequence (portable text) and the id of the action it triggers."""
        return dict(self._keys)

    def place(self, action: QAction, action_id: str, menu: str, section: str) -> QAction:
        """Place an action Qt made (a dock's toggle) in a menu section, findable by `action_id`."""
        for seq in action.shortcuts():
            self._keys[seq.toString(QKeySequence.SequenceFormat.PortableText)] = action_id
        action.setObjectName(action_id)
        self._window.addAction(action)
        self._actions[action_id] = action
        self._placed[menu][section].append(action)
        self._lay_out_menu(menu)
        return action

    def add_all(self, specs: list[ActionSpec]) -> dict[str, QAction]:
        return {s.id: self.add(s) for s in specs}

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Lay out the menus and the toolbar once, when the block ends, not after every action
        added in it: the window declares some 40 actions while it is built, and each toolbar
        layout makes its buttons again (about 5 ms of start-up)."""
        outer = not self._batching
        self._batching = True
        try:
            yield
        finally:
            if outer:
                self._batching = False
                for key in [k for k in self._menus if k in self._dirty_menus]:
                    self._lay_out_menu(key)
                if self._dirty_bar:
                    self._lay_out_toolbar()
                self._dirty_menus.clear()
                self._dirty_bar = False

    def _lay_out_menu(self, key: str) -> None:
        if self._batching:
            self._dirty_menus.add(key)
            return
        menu = self._menus[key]
        # Not QMenu.clear(): it deletes actions it thinks it owns (a dock's toggle action among them).
        for old in menu.actions():
            menu.removeAction(old)
            if old.isSeparator():
                old.deleteLater()
        first = True
        for actions in self._placed[key].values():
            if not actions:
                continue
            if not first:
                menu.addSeparator()
            first = False
            for a in actions:
                sub = self._submenus.get(a.objectName())
                if sub is not None:
                    menu.addMenu(sub)
                else:
                    menu.addAction(a)

    def _lay_out_toolbar(self) -> None:
        if self._batching:
            self._dirty_bar = True
            return
        self._toolbar.clear()
        for actions in self._bar_placed.values():
            self._toolbar.addActions(actions)


def transport_specs(clock: Callable[[], object], icon: Callable[[QStyle.StandardPixmap], QIcon]) -> list[ActionSpec]:
    """The animation's transport (reset, back, play, forward, end) for whichever clock `clock()`
    returns: the tab on screen's. One set of actions for every tab's bar and the Animation menu."""
    sp = QStyle.StandardPixmap
    return [
        ActionSpec("reset", "Back to x₀", lambda: clock().reset(), "animation", "transport",
                   (Qt.Key.Key_Home,), "Back to x₀ (Home)", icon=icon(sp.SP_MediaSkipBackward)),
        ActionSpec("back", "Step back", lambda: clock().step(-1), "animation", "transport",
                   (Qt.Key.Key_Left,), "Step back (←)", icon=icon(sp.SP_MediaSeekBackward)),
        ActionSpec("play", "Play / pause", lambda: clock().toggle(), "animation", "transport",
                   (Qt.Key.Key_Space,), "Play / pause (Space)", icon=icon(sp.SP_MediaPlay)),
        ActionSpec("forward", "Step forward", lambda: clock().step(1), "animation", "transport",
                   (Qt.Key.Key_Right,), "Step forward (→)", icon=icon(sp.SP_MediaSeekForward)),
        ActionSpec("end", "Last iterate", lambda: clock().seek(clock().last), "animation", "transport",
                   (Qt.Key.Key_End,), "To the last iterate (End)", icon=icon(sp.SP_MediaSkipForward)),
    ]
