"""Qt's own messages that gdviz keeps off the command line's stderr."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import qInstallMessageHandler


@contextmanager
def quiet_size_hint_warning() -> Iterator[None]:
    """Qt's offscreen platform warns "does not support propagateSizeHints()" when a window with a
    minimum size is shown; harmless, but it would land on the command line's stderr. Only that one
    message is dropped; everything else goes to the previous handler (or stderr)."""
    def handler(mode, context, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)
    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)
