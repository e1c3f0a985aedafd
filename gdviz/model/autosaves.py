"""The autosave folder without Qt: who owns each autosave, which are orphans, and the temporaries a
killed write left behind. (gdviz/ui/documents.py writes the autosaves and offers the orphans.)

Ownership rests on a lock, not on a process id. Each run (each window) takes a random id, holds
`autosave-<id>.lock` locked for as long as it lives and writes its work to `autosave-<id>.gdviz`.
The operating system drops the lock when the process ends, however it ends (a crash, kill -9, a
power cut), so "nobody holds the lock" means exactly "its writer is gone". Process ids cannot say
that: inside a PID namespace (a container, Flatpak) gdviz is PID 1 on every start, and two
namespaces sharing one data folder can hold the same PID at once.

The lock is flock (POSIX) or msvcrt.locking (Windows) on a file of its own, which dies with the
process whatever it was doing; Qt's QLockFile was not used because it decides staleness by the
PID written in the file, the very thing a PID namespace makes unreliable. On a file system without
locks, liveness falls back to the PID written in the autosave.

Autosaves written by gdviz before this (`autosave-<pid>.gdviz`, no lock) are orphans when that
process is not running, or when its PID is ours: this gdviz never writes such a name, so a file
with our PID is a former run's (the PID namespace case).
"""
from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .files import clean_stale_temporaries, process_alive

if TYPE_CHECKING:
    from .session import Session

SUFFIX = ".gdviz"
LOCK_SUFFIX = ".lock"
_RUN = re.compile(r"autosave-([0-9a-f]{32})")     # this gdviz: a random run id
_OLD = re.compile(r"autosave-([0-9]{1,10})")      # gdviz before it: the writer's process id


def new_run_id() -> str:
    """128 random bits: no two runs, on any machine sharing the folder, pick the same."""
    return os.urandom(16).hex()


def autosave_name(run_id: str) -> str:
    return f"autosave-{run_id}{SUFFIX}"


def lock_path(autosave: Path) -> Path:
    """The lock that says `autosave`'s writer is alive (for an old-style file: that a gdviz is
    offering it)."""
    return autosave.with_suffix(LOCK_SUFFIX)


# --------------------------------------------------------------------------------------- the lock
class LocksUnsupported(OSError):
    """The file system cannot lock files (some network mounts)."""


class FileLock:
    """An exclusive lock on a file, held until `release` or until the process ends (the OS drops
    it then, which is the point)."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, path: Path) -> FileLock | None:
        """The lock, or None while another process (or another FileLock here) holds it. Raises
        LocksUnsupported where locks do not work, OSError when the file cannot be made."""
        for _ in range(5):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                if not _lock(fd):
                    os.close(fd)
                    return None
                # A releaser may have deleted the file between our open and our lock: that lock is
                # on a file nobody else can find, so it proves nothing. Open the new one instead.
                if not _same_file(fd, path):
                    os.close(fd)
                    continue
            except BaseException:
                os.close(fd)
                raise
            return cls(fd, path)
        return None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self, delete: bool = True) -> None:
        """Let go (idempotent). `delete` removes the lock file first, while it is still held, so
        nobody locks a file that is about to vanish (see acquire)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if delete and sys.platform != "win32":
            _unlink(self.path)
        os.close(fd)
        if delete and sys.platform == "win32":      # an open file cannot be deleted there
            _unlink(self.path)

    def __del__(self) -> None:          # a forgotten lock must not keep a descriptor open
        if self._fd is not None:
            os.close(self._fd)


def _lock(fd: int) -> bool:
    """Lock `fd` without waiting: True if locked, False if someone else holds it."""
    if sys.platform == "win32":
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import errno
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            raise LocksUnsupported(error.errno, error.strerror) from None
        raise
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


# ---------------------------------------------------------------------------------- the writers
def is_autosave(path: Path) -> bool:
    return path.suffix == SUFFIX and bool(_RUN.fullmatch(path.stem) or _OLD.fullmatch(path.stem))


def claim(autosave: Path) -> FileLock | None:
    """Take an autosave whose writer is gone, so that no other gdviz offers it meanwhile: the lock
    (release it when done), or None while its writer, or another gdviz offering it, is alive."""
    old = _OLD.fullmatch(autosave.stem)
    if old is not None:
        pid = int(old.group(1))
        if pid != os.getpid() and process_alive(pid):
            return None
    try:
        return FileLock.acquire(lock_path(autosave))
    except LocksUnsupported:
        return _unlocked_claim(autosave)
    except OSError:
        return None               # a lock we cannot even create (a read-only folder): leave it be


def _unlocked_claim(autosave: Path) -> FileLock | None:
    """Without locks: the writer is gone when the PID recorded in the file is not running."""
    from .session import SessionError, load_session
    try:
        meta = load_session(autosave).view.get("autosave")
    except SessionError:
        meta = None
    pid = meta.get("pid") if isinstance(meta, dict) else None
    if isinstance(pid, int) and process_alive(pid):
        return None
    return _NoLock(lock_path(autosave))


class _NoLock(FileLock):
    """A claim where the file system has no locks: nothing to hold."""

    def __init__(self, path: Path) -> None:
        super().__init__(-1, path)

    def release(self, delete: bool = True) -> None:
        self._fd = None

    def __del__(self) -> None:
        pass


# ------------------------------------------------------------------------------------- orphans
@dataclass(frozen=True)
class Orphan:
    """An autosave left by a gdviz that did not exit cleanly. `session` is None when this gdviz
    cannot read it (written by a newer gdviz, damaged): `problem` then says why, in one sentence."""

    path: Path
    session: Session | None
    document: Path | None         # the .gdviz file that work belonged to (None: never saved)
    modified: float               # when it was written (seconds since the epoch)
    problem: str | None = None


def find_orphans(directory: Path) -> list[Orphan]:
    """The autosaves in `directory` whose writer is gone, newest first, readable or not. Nothing is
    deleted or kept locked: `claim` one before acting on it."""
    found = []
    for path in _regular_files(directory):
        if not is_autosave(path):
            continue
        lock = claim(path)
        if lock is None:
            continue
        try:
            orphan = read_orphan(path)
        finally:
            lock.release(delete=False)
        if orphan is not None:
            found.append(orphan)
    return sorted(found, key=lambda o: o.modified, reverse=True)


def read_orphan(path: Path) -> Orphan | None:
    """What `path` holds (None if it is gone). A file that does not read is an Orphan with a
    problem, never an error: it may be someone's work that a newer gdviz can open."""
    from .session import SessionError, load_session
    try:
        modified = path.stat().st_mtime
    except OSError:
        return None
    try:
        session = load_session(path)
    except SessionError as error:
        problem = str(error).removeprefix(f"{path.name}: ")
        return Orphan(path, None, None, modified, problem)
    meta = session.view.get("autosave")
    document = meta.get("document") if isinstance(meta, dict) else None
    return Orphan(path, session, Path(document) if isinstance(document, str) else None, modified)


# ------------------------------------------------------------------------- leftovers of kills
def clean_folder(directory: Path) -> list[Path]:
    """Delete what killed runs left in the autosave folder and nobody will use: hidden temporaries
    of a write whose writer is gone (model/files.py tells by the temporary's own lock), and lock
    files of runs that ended with nothing unsaved. Autosaves themselves are never touched here.
    Returns what was deleted."""
    deleted = [directory / name for name in clean_stale_temporaries(directory)]
    files = _regular_files(directory)          # again: testing a writer may have made its lock file
    names = {p.name for p in files}
    for path in files:
        if path.suffix == LOCK_SUFFIX and path.with_suffix(SUFFIX).name not in names \
                and is_autosave(path.with_suffix(SUFFIX)) and _drop_idle_lock(path):
            deleted.append(path)
    return deleted


def _drop_idle_lock(path: Path) -> bool:
    """Delete a lock file nobody holds (its run ended without an autosave)."""
    try:
        lock = FileLock.acquire(path)
    except OSError:
        return False
    if lock is None:
        return False
    if path.with_suffix(SUFFIX).exists():     # an orphan appeared since the listing: keep its lock
        lock.release(delete=False)
        return False
    lock.release(delete=True)
    return True


def _regular_files(directory: Path) -> list[Path]:
    """The regular files in `directory` (not links, FIFOs or devices: reading a FIFO blocks)."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    found = []
    for entry in entries:
        try:
            if stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                found.append(Path(entry.path))
        except OSError:
            continue
    return sorted(found)
