"""Writing files so that a crash, a full disk or a kill never leaves half a file behind.

One primitive, two phases. `prepare(path)` checks the target and creates a locked temporary beside
it; the caller writes the temporary; `PendingFile.commit()` renames it over the target (or, for a
character device such as /dev/null or /dev/stdout, copies it there: a device is never replaced) and
`discard()` deletes it. `OutputBatch` prepares several and commits all of them or none, so a run
with several outputs never replaces one and then fails on the next. `replacing()` and
`atomic_write_*` are one-file batches.

What a careful editor does, and so does gdviz: a symlink is followed (its target is replaced, the
link stays a link), an existing file keeps its permission bits (a new one gets 0666 minus the
umask), a read-only file or anything that is not a regular file (a folder, a named pipe, a socket,
a block device) is refused with one sentence (`OutputError`).

Temporaries are named `.NAME.TAGPID.tmp[.suffix]`: TAG is 8 random hex digits, PID the writer's
pid in 8 hex digits (the ".NAME.<hex>.tmp" shape of older gdviz, which the autosave folder's
cleaner also reads), NAME cut short so the whole name stays under the file system's limit. A
temporary holds an flock while its writer lives; a killed writer's lock goes with it, so whoever
writes that target next removes the leftovers (`clean_stale_temporaries`).
"""
from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

try:
    import fcntl
except ImportError:          # not on Windows: temporaries are then cleaned by age alone
    fcntl = None  # type: ignore[assignment]

NAME_BYTES = 100             # of the target's name kept in a temporary's name (limit: 255 bytes)
UNKNOWN_AGE_S = 3600         # a temporary whose writer cannot be told is stale after an hour
YOUNG_S = 5.0                # a writer creates its temporary, then locks it: never race that
MESSAGE_NAME_CHARS = 60      # long names are clipped in messages

_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<tag>[0-9a-f]{8})(?P<pid>[0-9a-f]{8})\.tmp(?:\.[A-Za-z0-9]{1,8})?",
                        re.DOTALL)
# Temporaries of gdviz 0.x before this module locked them: only age tells they are stale.
_OLD_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{12}\.tmp(?:\.[A-Za-z0-9]{1,8})?", re.DOTALL)

_LIVE: dict[str, PendingFile] = {}     # this process's temporaries, by absolute path


class OutputError(OSError):
    """A file gdviz cannot or will not write; str() is one sentence for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# ------------------------------------------------------------------------------------ names
def shown(path: str | os.PathLike[str]) -> str:
    """A path as messages show it: long ones clipped in the middle."""
    text = os.fspath(path)
    if len(text) <= MESSAGE_NAME_CHARS:
        return text
    half = (MESSAGE_NAME_CHARS - 1) // 2
    return text[:half] + "…" + text[-half:]


def _short_name(name: str) -> str:
    """`name` cut to NAME_BYTES bytes at a character boundary (temporary names must stay short)."""
    raw = os.fsencode(name)
    if len(raw) <= NAME_BYTES:
        return name
    cut = raw[:NAME_BYTES]
    for drop in range(4):                 # no UTF-8 character split in two
        try:
            return (cut[: len(cut) - drop]).decode("utf-8")
        except UnicodeDecodeError:
            continue
    return os.fsdecode(cut)


def temporary_name(name: str, suffix: str = "") -> str:
    """A fresh temporary's file name for a target called `name` (a `suffix` such as ".png" is kept
    for writers that choose the format by it)."""
    if suffix and not _SUFFIX.fullmatch(suffix):
        suffix = ""
    return f".{_short_name(name)}.{os.urandom(4).hex()}{os.getpid() & 0xFFFFFFFF:08x}.tmp{suffix}"


def temporary_beside(path: str | os.PathLike[str], suffix: str = "") -> str:
    """A fresh temporary's path in `path`'s folder (the same file system: the rename is atomic)."""
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    return os.path.join(directory, temporary_name(name, suffix))


# ----------------------------------------------------------------------------- the target
def _is_own_stream(st: os.stat_result) -> bool:
    """Is this our own stdout or stderr (a pipe or socket reached as /dev/stdout)?"""
    for fd in (1, 2):
        try:
            own = os.fstat(fd)
        except OSError:
            continue
        if (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def _read_only(path: str, st: os.stat_result) -> bool:
    """Checked on the mode bits, not with os.access alone: root may write anything, but a file
    its owner made read-only is not to be replaced."""
    if st.st_uid == os.geteuid():
        return not st.st_mode & stat.S_IWUSR
    return not st.st_mode & 0o222 or not os.access(path, os.W_OK)


def _kind_refused(path: str, mode: int) -> str | None:
    what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a block device" if stat.S_ISBLK(mode)
            else "not a regular file")
    return f"cannot write {shown(path)}: it is {what}, not a file"


def error_reason(error: OSError) -> str:
    """Why a write failed, in a few plain words (never a multi-line tool report)."""
    if isinstance(error, OutputError):
        return error.message
    lines = (error.strerror or str(error)).strip().splitlines()
    text = lines[0].rstrip(".")[:120] if lines else "the system refused it"
    return {errno.ENOENT: "the folder does not exist", errno.ENOTDIR: "a part of the path is not a folder",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied",
            errno.EROFS: "the disk is read-only", errno.ENOSPC: "No space left on the disk",
            errno.EDQUOT: "the disk quota is used up", errno.ENAMETOOLONG: "the name is too long",
            errno.ELOOP: "too many symbolic links", errno.EISDIR: "it is a folder",
            errno.EPIPE: "the program reading it has stopped"}.get(error.errno or 0, text)


def _os_error_message(path: str, error: OSError) -> str:
    return f"cannot write {shown(path)}: {error_reason(error)}"


def output_error(path: str | os.PathLike[str], error: OSError) -> OutputError:
    """Any OSError met while writing `path`, as one sentence."""
    if isinstance(error, OutputError):
        return error
    return OutputError(_os_error_message(os.fspath(path), error))


def _name_max(directory: str) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def check_target(path: str | os.PathLike[str]) -> tuple[str, os.stat_result | None, bool]:
    """Can `path` be written? Returns (the file really written: symlinks followed, its stat or None
    when new, whether it is a stream written in place: a character device or our own stdout).
    Raises OutputError with one sentence otherwise. Writes nothing."""
    given = os.fspath(path)
    if not given:
        raise OutputError("no file name given")
    try:
        # The kernel follows the links (also /dev/stdout's, which realpath cannot: "pipe:[…]").
        st: os.stat_result | None = os.stat(given)
    except FileNotFoundError:
        st = None                       # a new file, or a link to one
    except OSError as error:
        raise output_error(given, error) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        pipe = stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode)
        if stat.S_ISCHR(st.st_mode) or (pipe and _is_own_stream(st)):
            return given, st, True
        raise OutputError(_kind_refused(given, st.st_mode))
    final = os.path.realpath(given)
    if st is not None:
        try:
            same = os.stat(final)
        except OSError:
            same = None
        if same is None or (same.st_dev, same.st_ino) != (st.st_dev, st.st_ino):
            raise OutputError(f"cannot write {shown(given)}: gdviz cannot tell which file it names")
        if _read_only(final, st):
            raise OutputError(f"{shown(given)} is read-only: make it writable or choose another name")
    directory, name = os.path.split(final)
    if not os.path.isdir(directory):
        raise OutputError(f"cannot write {shown(given)}: the folder does not exist")
    if len(os.fsencode(name)) > _name_max(directory):
        raise OutputError(f"cannot write {shown(given)}: the file name is too long "
                          f"(at most {_name_max(directory)} bytes)")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {shown(given)}: no permission to write in its folder")
    return final, st, False


# ------------------------------------------------------------------------- the primitive
class PendingFile:
    """A target and the locked temporary that will replace it (see the module's notes). Write the
    bytes with `write()` or let any writer fill `temporary` (it keeps the suffix, for image writers
    that choose the format by it); then `commit()` or `discard()`."""

    def __init__(self, path: str | os.PathLike[str], suffix: str = "") -> None:
        self.target = os.fspath(path)
        self.final, st, self.stream = check_target(path)
        folder = tempfile.gettempdir() if self.stream else os.path.dirname(self.final)
        if not self.stream:
            clean_stale_temporaries(folder, os.path.basename(self.final))
        self.temporary = os.path.join(folder, temporary_name(os.path.basename(self.final), suffix))
        existing = st is not None and not self.stream
        try:
            # A new file gets 0o666 minus the umask, as any new file; an old one keeps its bits.
            self._fd: int | None = os.open(self.temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                                           0o600 if existing else 0o666)
        except OSError as error:
            raise output_error(self.target, error) from None
        _try_lock(self._fd)       # held while this writer lives; without locks the cleaner goes by age
        _LIVE[self.temporary] = self
        if existing:
            assert st is not None
            try:
                os.fchmod(self._fd, stat.S_IMODE(st.st_mode))
                if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(self._fd, st.st_uid, st.st_gid)     # root saving a user's file
            except OSError:
                pass                      # a group we are not in: the file stays ours, and that is all

    def write(self, data: bytes) -> None:
        """The whole contents, replacing whatever the temporary holds."""
        if self._fd is None:
            raise ValueError("the pending file was already committed or discarded")
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def check(self) -> None:
        """Is the target still writable as it was (just before a batch commits)?"""
        final, _, stream = check_target(self.target)
        if (final, stream) != (self.final, self.stream):
            raise OutputError(f"cannot write {shown(self.target)}: it changed while gdviz was writing")

    def commit(self) -> None:
        """Put the new contents in place. Raises OutputError (the temporary is then discarded)."""
        if self._fd is None:
            raise ValueError("the pending file was already committed or discarded")
        try:
            if self.stream:
                self._copy_to_stream()
            else:
                os.fsync(self._fd)                 # the bytes reach the disk before the name does
                os.replace(self.temporary, self.final)
                _sync_folder(os.path.dirname(self.final))
        except OSError as error:
            self.discard()
            raise output_error(self.target, error) from None
        self._close()
        if self.stream:
            _unlink(self.temporary)

    def discard(self) -> None:
        """Delete the temporary; the target keeps its old contents. Safe to call twice."""
        if self._fd is not None:
            self._close()
            _unlink(self.temporary)

    def _close(self) -> None:
        fd, self._fd = self._fd, None
        _LIVE.pop(self.temporary, None)
        if fd is not None:
            os.close(fd)

    def _copy_to_stream(self) -> None:
        out = os.open(self.final, os.O_WRONLY | os.O_CLOEXEC)      # never O_CREAT, never O_TRUNC
        try:
            with open(self.temporary, "rb") as source:
                while chunk := source.read(1 << 16):
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(out, view):]
        finally:
            os.close(out)


def target_of(path: str | os.PathLike[str]) -> str:
    """The file the user named, when `path` is one of this process's live temporaries."""
    live = _LIVE.get(os.path.abspath(os.fspath(path)))
    return live.target if live is not None else os.fspath(path)


def prepare(path: str | os.PathLike[str], suffix: str = "") -> PendingFile:
    """Check `path` and create its temporary (OutputError if it cannot be written)."""
    return PendingFile(path, suffix)


class OutputBatch:
    """Several outputs committed together: all are renamed into place only when every one was
    written; any failure discards every temporary and touches no target.

        with OutputBatch() as batch:
            write_csv(batch.add("out.csv"))
            write_png(batch.add("out.png", ".png"))
    """

    def __init__(self) -> None:
        self._pending: list[PendingFile] = []

    def add(self, path: str | os.PathLike[str], suffix: str = "") -> str:
        """Prepare `path`; returns the temporary to write."""
        return self.prepare(path, suffix).temporary

    def prepare(self, path: str | os.PathLike[str], suffix: str = "") -> PendingFile:
        pending = PendingFile(path, suffix)
        if any(p.final == pending.final and not p.stream for p in self._pending):
            pending.discard()
            raise OutputError(f"{shown(path)} is given for two outputs: give each its own file")
        self._pending.append(pending)
        return pending

    def commit(self) -> None:
        try:
            for pending in self._pending:         # nothing moved yet: a changed target stops all
                pending.check()
            for pending in self._pending:
                pending.commit()
        finally:
            self.discard()

    def discard(self) -> None:
        for pending in self._pending:
            pending.discard()
        self._pending.clear()

    def __enter__(self) -> OutputBatch:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
            return
        target = self.target_of(value) if isinstance(value, OSError) else None
        self.discard()
        if target is not None:
            raise output_error(target, value) from None

    def target_of(self, error: OSError) -> str | None:
        """The target whose temporary an OSError names (so the message names what the user gave)."""
        if isinstance(error, OutputError):
            return None
        names = {os.fspath(n) for n in (error.filename, error.filename2) if n is not None}
        for pending in self._pending:
            if pending.temporary in names or os.path.abspath(pending.temporary) in {
                    os.path.abspath(n) for n in names}:
                return pending.target
        return None


@contextmanager
def replacing(path: str | os.PathLike[str], suffix: str = "") -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces `path` (atomically), on any failure
    or cancel (an exception, or GeneratorExit when a writing generator is closed) it is deleted
    and `path` keeps its old contents. A `path` that is itself a live temporary of this process
    (an OutputBatch's) is written in place: its batch commits or discards it."""
    live = _LIVE.get(os.path.abspath(os.fspath(path)))
    if live is not None:
        yield live.temporary
        return
    with OutputBatch() as batch:
        yield batch.add(path, suffix)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically: readers see the old file or the whole new one."""
    live = _LIVE.get(os.path.abspath(os.fspath(path)))
    if live is not None:
        live.write(data)
        return
    pending = PendingFile(path)
    try:
        pending.write(data)
    except BaseException as error:
        pending.discard()
        if isinstance(error, OSError):
            raise output_error(path, error) from None
        raise
    pending.commit()


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """`text` as UTF-8 (newlines as given), atomically (see atomic_write_bytes)."""
    atomic_write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------------- reading
def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file to read, refusing anything but a regular file before it is opened (a named pipe
    would block, a device may act on being opened) and again after (it may have been swapped)."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(st.st_mode)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(mode)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _not_regular(mode: int) -> OSError:
    what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "not a regular file")
    return OSError(errno.EINVAL, f"it is {what}, not a file")


# --------------------------------------------------------------------------------- cleaning
def clean_stale_temporaries(folder: str | os.PathLike[str], name: str | None = None) -> list[str]:
    """Delete the temporaries that killed writers left in `folder` (of target `name` only, if given).
    A temporary is stale when no process holds its lock (and it is not seconds old while its
    writer's pid runs); one whose lock cannot be tested, or of an older gdviz, after an hour.
    Never one a live writer uses. Returns the names deleted; errors are ignored."""
    folder = os.fspath(folder)
    wanted = None if name is None else _short_name(name)
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(".") or ".tmp" not in entry.name:
            continue
        new = _TEMPORARY.fullmatch(entry.name)
        old = None if new else _OLD_TEMPORARY.fullmatch(entry.name)
        match = new or old
        if match is None or (wanted is not None and match["name"] not in (wanted, name)):
            continue
        if os.path.join(folder, entry.name) in _LIVE:
            continue
        if _remove_if_stale(entry.path, int(new["pid"], 16) if new else None, now):
            removed.append(entry.name)
    return removed


def _remove_if_stale(path: str, pid: int | None, now: float) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return False
        age = now - st.st_mtime
        if pid is None:
            stale = age > UNKNOWN_AGE_S
        else:
            locked = _try_lock(fd)
            if locked is None:
                stale = age > UNKNOWN_AGE_S
            else:
                stale = locked and (age > YOUNG_S or not process_alive(pid))
        if stale:
            os.unlink(path)       # while holding its lock: no writer can take it meanwhile
        return stale
    except OSError:
        return False
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool | None:
    """True if we got the lock (no writer holds it), False if a writer does, None if unknown.

    flock only, never Windows' msvcrt.locking (which gdviz.model.autosaves uses for its lock
    files): those locks are mandatory, so the image writer that fills a temporary through a
    handle of its own would be refused the locked byte. There temporaries are cleaned by age."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError:
        return None


def process_alive(pid: int) -> bool:
    """Is process `pid` running (in our PID namespace)? A process we may not signal is alive:
    neither its temporaries nor its autosave are ours to take."""
    if not 0 < pid < 1 << 32:
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
    except (ProcessLookupError, OverflowError):       # (a number past any pid: a made-up name)
        return False
    except PermissionError:
        return True               # someone else's process: alive, and not ours to restore
    return True


def _sync_folder(directory: str) -> None:
    """The rename reaches the disk too (best effort: not every file system can)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
