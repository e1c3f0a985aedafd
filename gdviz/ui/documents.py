"""The window's document: the .gdviz file it shows and whether it has unsaved changes, New / Open /
Save / Save As / Open Recent, the question before unsaved work is dropped, and the autosave that
survives a crash or a kill.

Autosave: while the window has unsaved changes, its session is written (atomically, a moment
after each edit) to `autosave-<pid>.gdviz` in the user's data folder; a clean exit deletes it.
A file whose process is gone is an orphan: the next start offers to restore it. The file's view
carries {"autosave": {"pid", "document"}} so a restore knows which file the work belonged to.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QStyle

from .actions import ActionSpec
from .scene_history import WindowState

if TYPE_CHECKING:
    from ..model.session import Session
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


def process_alive(pid: int) -> bool:
    """Is process `pid` running? (Its autosave is then not an orphan.)"""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)   # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259                                           # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True               # someone else's process: alive, and not ours to restore
    return True


@dataclass(frozen=True)
class Orphan:
    """An autosave left by a gdviz that did not exit cleanly."""

    path: Path
    session: Session
    document: Path | None         # the .gdviz file that work belonged to (None: never saved)
    modified: float               # when it was written (seconds since the epoch)


def orphaned_autosaves(directory: Path | None = None) -> list[Orphan]:
    """The autosaves whose gdviz is gone, newest first. Unreadable ones are deleted: an autosave
    is ours, so one that does not read is a half-written leftover, not anybody's work."""
    from ..model.session import SessionError, load_session
    directory = directory or autosave_dir()
    found = []
    for path in directory.glob("autosave-*" + SUFFIX):
        try:
            pid = int(path.stem.split("-", 1)[1])
        except ValueError:
            continue
        if pid == os.getpid() or process_alive(pid):
            continue
        try:
            session = load_session(path)
            modified = path.stat().st_mtime
        except (SessionError, OSError):
            path.unlink(missing_ok=True)
            continue
        meta = session.view.get("autosave")
        document = meta.get("document") if isinstance(meta, dict) else None
        found.append(Orphan(path, session, Path(document) if isinstance(document, str) else None, modified))
    return sorted(found, key=lambda o: o.modified, reverse=True)


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
        self._autosave_path: Path | None = None
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
            a = self.recent_menu.addAction(Path(path).name, lambda p=path: self.open_dialog(p))
            a.setToolTip(path)
            a.setStatusTip(path)
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
        if self._autosave_path is not None:
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
        if self._autosave_path is not None:
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
        orphan.path.unlink(missing_ok=True)
        if self._autosave_path is not None:
            self.autosave_now()
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
        box = QMessageBox(QMessageBox.Icon.Warning, "gdviz", f"Save the changes to {name}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window)
        box.setInformativeText("Your changes are lost if you do not save them.")
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
            QMessageBox.warning(self.window, "gdviz: cannot open the session", error)

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
            QMessageBox.warning(self.window, "gdviz: not saved", error)
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
        directory = directory or autosave_dir()
        directory.mkdir(parents=True, exist_ok=True)
        self._autosave_path = directory / f"autosave-{os.getpid()}{SUFFIX}"
        if self._dirty:
            self.autosave_now()

    @property
    def autosave_path(self) -> Path | None:
        return self._autosave_path

    def autosave_now(self) -> None:
        """Write (or, with nothing unsaved, delete) this window's autosave. Never raises: a full
        disk must not interrupt the lesson; the status bar says so."""
        self._autosave_timer.stop()
        path = self._autosave_path
        if path is None:
            return
        try:
            if not self._dirty:
                path.unlink(missing_ok=True)
                return
            from ..model.files import atomic_write_text
            from ..model.session import Session, session_to_json
            s = self.window.session()
            view = dict(s.view)
            view["autosave"] = {"pid": os.getpid(), "document": str(self.path) if self.path else None}
            atomic_write_text(path, session_to_json(Session(s.scene, view, s.plane, s.momentum)))
        except OSError as error:
            self.window.show_status(f"Autosave failed: {error.strerror or error}", 8000, error=True)

    def offer_restore(self) -> bool:
        """At start-up: offer the newest orphaned autosave. True if it was restored."""
        orphans = orphaned_autosaves(self._autosave_path.parent if self._autosave_path else None)
        if not orphans:
            return False
        newest = orphans[0]
        from datetime import datetime
        when = datetime.fromtimestamp(newest.modified).strftime("%A %H:%M")
        what = f"“{newest.document.name}”" if newest.document else "an unsaved session"
        box = QMessageBox(QMessageBox.Icon.Question, "gdviz: restore your work?",
                          f"gdviz closed unexpectedly and had not saved {what} (last change {when}).",
                          QMessageBox.StandardButton.NoButton, self.window)
        box.setInformativeText("Restore it now? If you discard it, it is gone.")
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.exec()
        if box.clickedButton() is restore:
            self.restore(newest)
            return True
        for orphan in orphans:
            orphan.path.unlink(missing_ok=True)
        return False

    def close(self) -> None:
        """A clean exit: nothing is left to restore."""
        self._autosave_timer.stop()
        if self._autosave_path is not None:
            self._autosave_path.unlink(missing_ok=True)
