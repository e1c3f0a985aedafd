"""Writing files so that a crash, a full disk or a kill never leaves half a file behind."""
from __future__ import annotations

import os
import secrets


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically: readers see the old file or the whole new one.

    The text goes to a temporary file beside the target (same file system, so os.replace is an
    atomic rename), created with mode 0o666 so the umask applies as for any new file.
    """
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
