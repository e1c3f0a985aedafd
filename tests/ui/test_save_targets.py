"""File > Save and Save As onto targets a careful editor handles (issue 12, item 3 and 9): a symlink is
written through and stays a link, the file's mode is kept, a read-only file, a folder or a named
pipe is refused with a message in the window, and a disk that fills mid-save leaves the old file
whole with no temporary beside it."""
from __future__ import annotations

import errno
import os
import stat

import pytest

from gdviz.model.session import load_session


def _edit(window, h: float) -> None:
    window.flow.edit({"h": h}, "h")


def test_save_through_a_symlink_writes_its_target(window, tmp_path):
    real = tmp_path / "real" / "class.gdviz"
    real.parent.mkdir()
    link = tmp_path / "class.gdviz"
    link.symlink_to(real)
    _edit(window, 0.3)
    assert window.documents.save_to(link) is None
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_session(real).scene.h == pytest.approx(0.3)
    assert sorted(os.listdir(tmp_path)) == ["class.gdviz", "real"] and os.listdir(real.parent) == ["class.gdviz"]


def test_save_keeps_the_files_mode(window, tmp_path):
    path = tmp_path / "private.gdviz"
    window.documents.save_to(path)
    path.chmod(0o600)
    _edit(window, 0.4)
    assert window.documents.save_to(path) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and load_session(path).scene.h == pytest.approx(0.4)


def test_a_read_only_file_is_refused_with_a_message_in_the_window(window, tmp_path, monkeypatch):
    path = tmp_path / "handed-in.gdviz"
    window.documents.save_to(path)
    old = path.read_bytes()
    path.chmod(0o444)
    _edit(window, 0.45)
    shown = []
    # The message box, however it is built (the static warning(), or a box then exec()), never
    # blocks the test: its text is recorded instead.
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *args: shown.append(text))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    assert window.documents.save_dialog() is False                 # File > Save
    assert len(shown) == 1 and "handed-in.gdviz is read-only" in shown[0]
    assert path.read_bytes() == old and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert os.listdir(tmp_path) == ["handed-in.gdviz"]
    assert window.documents.dirty                                   # the work is still unsaved


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_folder_or_a_pipe_is_refused(window, tmp_path, kind):
    path = tmp_path / "odd.gdviz"
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    message = window.documents.save_to(path)                     # returns at once: never blocks
    assert message is not None and ("folder" in message if kind == "folder" else "named pipe" in message)
    assert "\n" not in message
    assert (path.is_dir() if kind == "folder" else stat.S_ISFIFO(os.stat(path).st_mode))
    assert os.listdir(tmp_path) == ["odd.gdviz"]


def test_a_disk_that_fills_mid_save_leaves_the_old_file(window, tmp_path, monkeypatch):
    path = tmp_path / "keep.gdviz"
    window.documents.save_to(path)
    old = path.read_bytes()
    _edit(window, 0.6)
    real_write = os.write

    def fills_up(fd, data):
        if len(data) > 64:
            real_write(fd, bytes(data)[:64])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)
    monkeypatch.setattr(os, "write", fills_up)
    message = window.documents.save_to(path)
    monkeypatch.undo()
    assert message is not None and "No space left" in message
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["keep.gdviz"]
    assert window.documents.dirty
