"""Writing files so that a crash, a full disk or a kill never leaves half a file behind."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def temporary_beside(path: str | os.PathLike[str], suffix: str = "") -> str:
    """A fresh hidden name in `path`'s folder (the same file system, so the final rename is
    atomic), ending ".tmp" plus `suffix` (image writers choose the format by the suffix)."""
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    return os.path.join(directory, f".{name}.{os.urandom(6).hex()}.tmp{suffix}")


@contextmanager
def replacing(path: str | os.PathLike[str], suffix: str = "") -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces `path` (atomically), on any failure
    or cancel (an exception, or GeneratorExit when a writing generator is closed) it is deleted
    and `path` keeps its old contents."""
    temporary = temporary_beside(path, suffix)
    try:
        yield temporary
        os.replace(temporary, os.fspath(path))
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically: readers see the old file or the whole new one. The
    temporary file is created with mode 0o666, so the umask applies as for any new file."""
    with replacing(path) as temporary:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """`text` as UTF-8 (newlines as given), atomically (see atomic_write_bytes)."""
    atomic_write_bytes(path, text.encode("utf-8"))
