"""The window's document: the .gdviz file it shows and whether it has unsaved changes, New / Open /
Save / Save As / Open Recent, the question before unsaved work is dropped, and the autosave that
survives a crash or a kill.

Autosave: while the window has unsaved changes, its session is written (atomically, a moment
after each edit) to `autosave-<run id>.gdviz` in the user's data folder, the id random for each
window; a clean exit deletes it. The window holds `autosave-<run id>.lock` locked while it lives
and the system drops that lock when the process dies, so an autosave whose lock nobody holds is
an orphan (gdviz/model/autosaves.py; process ids are not trusted: in a container every run is
PID 1). The file's view carries {"autosave": {"pid", "document"}} so a restore knows which file
the work belonged to.

At start-up every orphan is offered, newest first, one box each: Restore (into this window),
Keep for later, or Discard. Only what the user saw and chose to discard is deleted. A window
shows one session, so once one orphan is restored the others can only be kept or discarded; a
kept one stays where it is and is offered again at the next start (by then the restored work is
saved or is itself this run's autosave). An orphan this gdviz cannot read (written by a newer
gdviz, damaged) is offered too, with the reason, to keep for a newer gdviz or to discard; it is
never deleted unasked. The same start deletes the hidden temporaries of autosaves whose writer
was killed mid-write.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QStyle

from ..model.autosaves import FileLock, Orphan
from ..model.autosaves import process_alive as process_alive  # (its home before the move)
from .actions import ActionSpec
from .plain import STATUS_LIMIT, menu_text, message_box, one_line, plain_tooltip, warn
from .scene_history import WindowState

if TYPE_CHECKING:
    from .frame import Frame

SUFFIX = ".gdviz"
FILE_FILTER = "gdviz sessions (*.gdviz);;All files (*)"
AUTOSAVE_DELAY_MS = 1500        # after the last edit: a drag of h writes once, not a hundred times
MAX_RECENT = 10
RECENT_KEY = "files/recent"
LAST_DIR_KEY = "files/last_dir"


def autosave_dir() -> Path:
    """Where autosaves live: <user data>/gdviz/autosave (~/.local/share on Linux, XDG_DATA_HOME
    honoured, so tests and several users stay apart)."""
    base = os.environ.get("XDG_DATA_HOME") or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "gdviz" / "autosave"


def orphaned_autosaves(directory: Path | None = None) -> list[Orphan]:
    """The autosaves whose gdviz is gone, newest first, readable or not (an unreadable one has a
    `problem` and no session). Nothing is deleted."""
    from ..model.autosaves import find_orphans
    return find_orphans(directory or autosave_dir())


@dataclass(frozen=True)
class Offer:
    """One restore box: an orphan, its place among those offered, and whether the window can
    still take it (it shows one session: once one is restored, the others can only be kept)."""

    orphan: Orphan
    number: int
    count: int
    can_restore: bool


def _same(a: WindowState, b: WindowState | None) -> bool:
    """Equal as far as "unsaved changes" go: a momentum tab never opened counts as its default
    (imported only then, so the first edit after start-up does not pay for it)."""
    if b is None or a.scene != b.scene or a.plane != b.plane:
        return False
    if (a.momentum is None) == (b.momentum is None):
        return a.momentum == b.momentum
    from ..model.momentum import MomentumScene
    return (a.momentum or MomentumScene()) == (b.momentum or MomentumScene())


class Documents(QObject):
    """File handling for one MainWindow. Dialog-free methods (`open_path`, `save_to`, `new`,
    `restore`) return an error message or None, so the command line and tests drive them; the
    actions wrap them in dialogs."""

    dirty_changed = Signal(bool)

    def __init__(self, window: Frame) -> None:
        super().__init__(window)
        self.window = window
        self.path: Path | None = None
        self._baseline: WindowState | None = window.state()     # the state last saved or opened
        self._dirty = False
        self.prompt_on_close = False            # the app sets it; tests and headless runs do not ask
        # Replaced in tests: "save", "discard" or "cancel" for the unsaved-changes question.
        self.ask_save: Callable[[], str] = self._ask_save
        # Replaced in tests: "restore", "keep" or "discard" for one orphaned autosave.
        self.ask_restore: Callable[[Offer], str] = self._ask_restore
        self._autosave_path: Path | None = None          # this window's autosave (kept after close)
        self._autosave_on = False
        self._autosave_lock: FileLock | None = None      # held while this window lives: "alive"
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._build_actions()
        window.state_changed.connect(self._on_state)
        self._update_title()

    # ------------------------------------------------------------------------------- actions
    def _build_actions(self) -> None:
        w = self.window
        sp = QStyle.StandardPixmap
        icon = w.style().standardIcon
        A = w.board.add
        Std = QKeySequence.StandardKey
        self.act_new = A(ActionSpec("new", "&New session", self.new_dialog, "file", "session", (Std.New,),
                                    "Start again from the default scene on every tab", icon=icon(sp.SP_FileIcon)))
        self.act_open = A(ActionSpec("open", "&Open…", self.open_dialog, "file", "session", (Std.Open,),
                                     "Open a saved session (.gdviz)", toolbar="session",
                                     icon=icon(sp.SP_DialogOpenButton)))
        self.recent_menu = QMenu("Open &recent", w)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        A(ActionSpec("recent", "Open &recent", lambda: None, "file", "session", submenu=self.recent_menu))
        self.act_save = A(ActionSpec("save", "&Save", self.save_dialog, "file", "session", (Std.Save,),
                                     "Save the session: every tab's equation and settings (.gdviz)",
                                     toolbar="session", icon=icon(sp.SP_DialogSaveButton)))
        self.act_save_as = A(ActionSpec("save-as", "Save &as…", lambda: self.save_dialog(choose=True), "file",
                                        "session", (Std.SaveAs, "Ctrl+Shift+S"), "Save the session under a new name"))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for path in recent:
            a = self.recent_menu.addAction(menu_text(Path(path).name), lambda p=path: self.open_dialog(p))
            a.setToolTip(plain_tooltip(path))
            a.setStatusTip(one_line(path, STATUS_LIMIT))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", self.clear_recent)

    # ----------------------------------------------------------------------- state and title
    @property
    def dirty(self) -> bool:
        return self._dirty

    def _on_state(self) -> None:
        self._set_dirty(not _same(self.window.state(), self._baseline))
        if self._autosave_on:
            self._autosave_timer.start()

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self._update_title()
            self.dirty_changed.emit(dirty)

    def _mark_clean(self, state: WindowState) -> None:
        self._baseline = state
        self._set_dirty(not _same(self.window.state(), self._baseline))
        self._update_title()
        if self._autosave_on:
            self.autosave_now()

    def _update_title(self) -> None:
        name = self.path.name if self.path is not None else ""
        self.window.set_document(name, self._dirty)

    # --------------------------------------------------------------------- open, save, new
    def open_path(self, path: str | os.PathLike[str]) -> str | None:
        """Open a session file. A file that cannot be read changes nothing on screen: the
        message (also shown in the status bar) is returned."""
        from ..model.session import SessionError, load_session
        try:
            session = load_session(path)
        except SessionError as error:
            self.window.show_status(str(error), 12_000, error=True)
            return str(error)
        self.window.apply_session(session)
        self.path = Path(path).resolve()
        self._mark_clean(self.window.state())
        self._remember(self.path)
        note = f"Opened {self.path.name}"
        if session.notes:
            note += " (" + "; ".join(session.notes) + ")"
        self.window.show_status(note, 8000)
        return None

    def save_to(self, path: str | os.PathLike[str]) -> str | None:
        """Save the session (atomically: a failure leaves any old file whole). Returns a message
        when it could not be saved."""
        from ..model.files import OutputError, atomic_write_text, error_reason
        from ..model.session import SessionError, session_from_json, session_to_json
        path = Path(path)
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        session = self.window.session()
        text = session_to_json(session)
        try:
            session_from_json(text)         # never write a file this gdviz could not open again
        except SessionError as error:
            message = f"Not saved: {error}"
            self.window.show_status(message, 12_000, error=True)
            return message
        try:
            # Through a symlink to its target, keeping the file's mode; a read-only file, a folder
            # or a device is refused (OutputError says so in one sentence).
            atomic_write_text(path, text)
        except OutputError as error:
            message = f"Not saved: {error}"
            self.window.show_status(message, 12_000, error=True)
            return message
        except OSError as error:
            message = f"Could not save {path.name}: {error_reason(error)}"
            self.window.show_status(message, 12_000, error=True)
            return message
        self.path = path.resolve()
        self._mark_clean(self.window.savable_state())
        self._remember(self.path)
        drafts = self.window.unsaved_drafts()
        if drafts:
            self.window.show_status(f"Saved {path.name} with the last equation that worked; "
                                    f"{drafts[0]!r} has an error and was not saved", 12_000, error=True)
        else:
            self.window.show_status(f"Saved {path.name}", 5000)
        return None

    def new(self) -> None:
        """Every tab back to its default scene, no file (an undoable step)."""
        from ..model.session import Session
        from .pages.flow import default_scene
        self.window.apply_session(Session(default_scene()))
        self.path = None
        self._mark_clean(self.window.state())

    def restore(self, orphan: Orphan) -> None:
        """Show an orphaned autosave: the work comes back unsaved, tied to its file if it had one."""
        if orphan.session is None:
            raise ValueError(f"{orphan.path} cannot be read: {orphan.problem}")
        self.window.apply_session(orphan.session)
        document = orphan.document if orphan.document is not None and orphan.document.is_file() else None
        self.path = document
        baseline = None
        if document is not None:
            from ..model.session import SessionError, load_session
            try:
                saved = load_session(document)
                from ..model.scene2d import Scene2D
                baseline = WindowState(saved.scene, saved.plane or Scene2D(), saved.momentum)
            except SessionError:
                pass
        self._baseline = baseline
        self._set_dirty(True)
        self._update_title()
        # Our own autosave first: the orphan goes only once the work is safe again (a full disk
        # keeps it, to be offered again next time).
        if not self._autosave_on or self.autosave_now():
            orphan.path.unlink(missing_ok=True)
        self.window.show_status("Restored the work gdviz had not saved", 8000)

    # ------------------------------------------------------------------------------ dialogs
    def _start_dir(self) -> str:
        if self.path is not None:
            return str(self.path.parent)
        last = QSettings("gdviz", "gdviz").value(LAST_DIR_KEY, "")
        return last if isinstance(last, str) and Path(last).is_dir() else str(Path.home())

    def maybe_save(self) -> bool:
        """Before unsaved work is replaced: True to go on (saved or discarded), False to stop."""
        if not self._dirty:
            return True
        answer = self.ask_save()
        if answer == "save":
            return self.save_dialog()
        return answer == "discard"

    def _ask_save(self) -> str:
        name = self.path.name if self.path is not None else "this session"
        box = message_box(self.window, "gdviz", f"Save the changes to {name}?", QMessageBox.Icon.Warning,
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, "Your changes are lost if you do not save them.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(answer), "cancel")

    def open_dialog(self, path: str | None = None) -> None:
        if not self.maybe_save():
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open a session", self._start_dir(), FILE_FILTER)
            if not path:
                return
        if not Path(path).is_file():
            self._forget(path)
        error = self.open_path(path)
        if error is not None:
            warn(self.window, "gdviz: cannot open the session", error)

    def save_dialog(self, choose: bool = False) -> bool:
        path = self.path
        if choose or path is None:
            suggested = str(Path(self._start_dir()) / (path.name if path else "session" + SUFFIX))
            chosen, _ = QFileDialog.getSaveFileName(self.window, "Save the session", suggested, FILE_FILTER)
            if not chosen:
                return False
            path = Path(chosen)
        error = self.save_to(path)
        if error is not None:
            warn(self.window, "gdviz: not saved", error)
        return error is None

    def new_dialog(self) -> None:
        if self.maybe_save():
            self.new()

    # ------------------------------------------------------------------------- recent files
    def recent_files(self) -> list[str]:
        value = QSettings("gdviz", "gdviz").value(RECENT_KEY, [])
        if isinstance(value, str):                 # QSettings gives a lone entry as a string
            value = [value]
        return [v for v in value if isinstance(v, str)][:MAX_RECENT] if isinstance(value, list) else []

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        settings = QSettings("gdviz", "gdviz")
        settings.setValue(RECENT_KEY, recent[:MAX_RECENT])
        settings.setValue(LAST_DIR_KEY, str(path.parent))

    def _forget(self, path: str) -> None:
        QSettings("gdviz", "gdviz").setValue(RECENT_KEY, [p for p in self.recent_files() if p != str(path)])

    def clear_recent(self) -> None:
        QSettings("gdviz", "gdviz").setValue(RECENT_KEY, [])

    # ------------------------------------------------------------------------------ autosave
    def enable_autosave(self, directory: Path | None = None) -> None:
        """Autosave this window's unsaved work from now on (the app turns it on; tests may)."""
        from ..model.autosaves import autosave_name, new_run_id
        directory = directory or autosave_dir()
        self._stop_autosave()
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.window.show_status(f"Autosave is off: {error.strerror or error}", 8000, error=True)
            return
        self._autosave_path = directory / autosave_name(new_run_id())
        self._autosave_on = True
        if self._dirty:
            self.autosave_now()

    def _hold_lock(self) -> None:
        """Take this run's lock before its first autosave (so a file is never on disk unowned)
        and keep it until the window closes. Raises OSError if it cannot be made."""
        from ..model.autosaves import LocksUnsupported, lock_path
        if self._autosave_lock is not None or self._autosave_path is None:
            return
        try:
            self._autosave_lock = FileLock.acquire(lock_path(self._autosave_path))
        except LocksUnsupported:
            return            # no locks there: others fall back to the process id in the file
        if self._autosave_lock is None:           # held by someone else: 128 random bits collided
            raise OSError("another gdviz holds this autosave")

    @property
    def autosave_path(self) -> Path | None:
        return self._autosave_path

    def autosave_now(self) -> bool:
        """Write (or, with nothing unsaved, delete) this window's autosave; True when it is up to
        date. Never raises: a full disk must not interrupt the lesson; the status bar says so."""
        self._autosave_timer.stop()
        path = self._autosave_path
        if path is None or not self._autosave_on:
            return False
        try:
            if not self._dirty:
                path.unlink(missing_ok=True)
                return True
            from ..model.files import atomic_write_text
            from ..model.session import Session, session_to_json
            self._hold_lock()
            s = self.window.session()
            view = dict(s.view)
            view["autosave"] = {"pid": os.getpid(), "document": str(self.path) if self.path else None}
            atomic_write_text(path, session_to_json(Session(s.scene, view, s.plane, s.momentum)))
        except OSError as error:
            self.window.show_status(f"Autosave failed: {error.strerror or error}", 8000, error=True)
            return False
        return True

    def offer_restore(self) -> bool:
        """At start-up: offer every orphaned autosave in turn, newest first (see the module's
        docstring). True if one was restored into this window."""
        from ..model.autosaves import claim, clean_folder
        directory = self._autosave_path.parent if self._autosave_path else autosave_dir()
        clean_folder(directory)                   # temporaries and locks killed runs left behind
        orphans = orphaned_autosaves(directory)
        restored = False
        for number, orphan in enumerate(orphans, 1):
            lock = claim(orphan.path)             # no other gdviz starting now offers it too
            if lock is None or not orphan.path.is_file():
                continue                          # taken meanwhile: its new owner decides
            try:
                answer = self.ask_restore(Offer(orphan, number, len(orphans), not restored))
                if answer == "restore" and orphan.session is not None and not restored:
                    self.restore(orphan)
                    restored = True
                elif answer == "discard":
                    orphan.path.unlink(missing_ok=True)
            finally:
                lock.release()
        return restored

    def _ask_restore(self, offer: Offer) -> str:
        from datetime import datetime
        orphan = offer.orphan
        when = datetime.fromtimestamp(orphan.modified).strftime("%A %d %B %H:%M")
        what = f"“{one_line(orphan.document.name, 80)}”" if orphan.document else "an unsaved session"
        later = "Keep it for later and gdviz offers it again when it next starts; discard it and it is gone."
        if orphan.session is None:
            text = (f"gdviz closed unexpectedly and left work it had not saved (last change {when}), "
                    "but this version of gdviz cannot open it.")
            info = (f"{_sentence(orphan.problem or 'it does not read as a session')} Keep it to restore "
                    f"it with a newer gdviz (the file is {orphan.path}); discard it and it is gone.")
        elif offer.can_restore:
            text = f"gdviz closed unexpectedly and had not saved {what} (last change {when})."
            info = "Restore it now? " + later
        else:
            text = f"gdviz had also not saved {what} (last change {when})."
            info = "This window shows the work you restored. " + later
        title = "gdviz: restore your work?" + (f" ({offer.number} of {offer.count})" if offer.count > 1 else "")
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)          # names come from a file: never markup
        box.setInformativeText(info)
        buttons = {}
        if orphan.session is not None and offer.can_restore:
            buttons[box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)] = "restore"
        keep = box.addButton("Keep for later", QMessageBox.ButtonRole.RejectRole)
        buttons[keep] = "keep"
        buttons[box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)] = "discard"
        box.setDefaultButton(next(iter(buttons)))
        box.setEscapeButton(keep)                 # closing the box must not delete anything
        box.exec()
        answer = buttons.get(box.clickedButton(), "keep")
        box.deleteLater()
        return answer

    def _stop_autosave(self) -> None:
        self._autosave_timer.stop()
        if self._autosave_on and self._autosave_path is not None:
            try:
                self._autosave_path.unlink(missing_ok=True)
            except OSError:
                pass                              # (a folder gone read-only: it is offered next time)
        self._autosave_on = False
        if self._autosave_lock is not None:
            self._autosave_lock.release()         # after the autosave: it is never unowned on disk
            self._autosave_lock = None

    def close(self) -> None:
        """A clean exit: nothing is left to restore."""
        self._stop_autosave()


def _sentence(text: str, limit: int = 200) -> str:
    """`text` as one sentence: capital first, a full stop last, clipped to `limit` characters."""
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
