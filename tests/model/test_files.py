"""gdviz.model.files: the two-phase write (prepare a locked temporary, commit or discard), batches
that commit all or nothing, what a careful editor does with symlinks, modes and read-only files,
targets that are not regular files, and the cleaning of temporaries that killed writers left."""
from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.model import files
from gdviz.model.files import (
    OutputBatch,
    OutputError,
    PendingFile,
    atomic_write_bytes,
    atomic_write_text,
    clean_stale_temporaries,
    open_regular,
    replacing,
)
from tests.devices import private_null_device


def names(folder) -> list[str]:
    return sorted(os.listdir(folder))


# ------------------------------------------------------------------------------ the primitive
def test_a_pending_file_commits_or_discards(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    pending = PendingFile(target, ".csv")
    assert pending.temporary.endswith(".csv") and os.path.dirname(pending.temporary) == str(tmp_path)
    pending.write(b"new")
    assert target.read_text() == "old"                       # nothing moves before commit
    pending.commit()
    assert target.read_text() == "new" and names(tmp_path) == ["out.csv"]
    other = PendingFile(target)
    other.write(b"never")
    other.discard()
    other.discard()                                           # twice is harmless
    assert target.read_text() == "new" and names(tmp_path) == ["out.csv"]


def test_a_batch_commits_all_or_none(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.png"
    a.write_text("old a")
    b.write_bytes(b"old b")
    with pytest.raises(RuntimeError), OutputBatch() as batch:
        pa = batch.add(a, ".csv")
        with open(pa, "w") as fh:
            fh.write("new a")
        batch.add(b, ".png")
        raise RuntimeError("the second writer failed")
    assert (a.read_text(), b.read_bytes()) == ("old a", b"old b")
    assert names(tmp_path) == ["a.csv", "b.png"]
    with OutputBatch() as batch:
        for path, data in ((a, b"new a"), (b, b"new b")):
            batch.prepare(path).write(data)
    assert (a.read_bytes(), b.read_bytes()) == (b"new a", b"new b")
    assert names(tmp_path) == ["a.csv", "b.png"]


def test_a_batch_refuses_one_file_for_two_outputs(tmp_path):
    with pytest.raises(OutputError, match="two outputs"), OutputBatch() as batch:
        batch.add(tmp_path / "x.png")
        batch.add(tmp_path / "." / "x.png")
    assert names(tmp_path) == []


def test_an_oserror_naming_a_temporary_names_the_target(tmp_path):
    with pytest.raises(OutputError) as caught, OutputBatch() as batch:
        temporary = batch.add(tmp_path / "pic.png", ".png")
        raise OSError(errno.ENOSPC, "No space left on device", temporary)
    assert str(caught.value).startswith(f"cannot write {tmp_path / 'pic.png'}"[:30])
    assert "pic.png" in str(caught.value) and ".tmp" not in str(caught.value)
    assert names(tmp_path) == []


def test_replacing_a_live_temporary_writes_it_in_place(tmp_path):
    """The command line hands the exports a batch's temporary: no temporary of a temporary."""
    with OutputBatch() as batch:
        temporary = batch.add(tmp_path / "x.svg", ".svg")
        with replacing(temporary, ".svg") as inner:
            assert inner == temporary
            with open(inner, "w") as fh:
                fh.write("<svg/>")
        assert names(tmp_path) == [os.path.basename(temporary)]
    assert (tmp_path / "x.svg").read_text() == "<svg/>" and names(tmp_path) == ["x.svg"]


# ----------------------------------------------------------------- symlinks, modes, read-only
def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "notes.gdviz"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.gdviz"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert names(real.parent) == ["notes.gdviz"] and names(tmp_path) == ["link.gdviz", "real"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "made.csv")
    atomic_write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "made.csv").read_text() == "x"


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_an_existing_file_keeps_its_mode(tmp_path, mode):
    path = tmp_path / "keep.gdviz"
    path.write_text("old")
    path.chmod(mode)
    atomic_write_text(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == mode and path.read_text() == "new"


def test_a_new_file_gets_0666_minus_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "new.csv", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o000])
def test_a_read_only_file_is_refused_not_overwritten(tmp_path, mode):
    path = tmp_path / "done.gdviz"
    path.write_text("old")
    path.chmod(mode)
    with pytest.raises(OutputError, match="is read-only"):
        atomic_write_text(path, "new")
    path.chmod(0o600)
    assert path.read_text() == "old" and names(tmp_path) == ["done.gdviz"]


# ------------------------------------------------------------------ targets that are not files
def test_a_folder_a_fifo_and_a_socket_are_refused(tmp_path):
    import socket
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        for path, what in ((tmp_path, "a folder"), (fifo, "a named pipe"), (sock_path, "a socket")):
            with pytest.raises(OutputError, match=what):
                atomic_write_bytes(path, b"x")            # must not block on the pipe either
            assert not stat.S_ISREG(os.stat(path).st_mode)
    finally:
        sock.close()
    assert names(tmp_path) == ["pipe", "sock"]


def test_a_character_device_is_written_in_place_never_replaced(tmp_path):
    null = private_null_device(tmp_path / "dev")
    before = os.stat(null)
    atomic_write_text(null, "into the void")
    with replacing(null, ".png") as temporary:
        assert os.path.dirname(temporary) != str(tmp_path / "dev")
        with open(temporary, "wb") as fh:
            fh.write(b"png")
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert names(tmp_path / "dev") == ["null"]


def test_our_own_stdout_pipe_is_written_in_place(tmp_path):
    """`gdviz --csv /dev/stdout | head` writes into the pipe (a FIFO, but ours). The test names
    /proc/self/fd/1, where /dev/stdout leads: a regression replacing the name could then not
    replace the machine's /dev/stdout (as root it would)."""
    code = "from gdviz.model.files import atomic_write_text; atomic_write_text('/proc/self/fd/1', 'a,b\\n1,2\\n')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "a,b\n1,2\n"


def test_bad_folders_and_names_give_one_sentence(tmp_path):
    (tmp_path / "file").write_text("")
    cases = [(tmp_path / "missing" / "x.csv", "the folder does not exist"),
             (tmp_path / "file" / "x.csv", "not a folder"),
             (tmp_path / ("y" * 300), "too long"),
             ("", "no file name")]
    for path, fragment in cases:
        with pytest.raises(OutputError) as caught:
            atomic_write_text(path, "x")
        assert fragment in str(caught.value) and "\n" not in str(caught.value)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(OutputError, match="symbolic links"):
        atomic_write_text(loop, "x")


def test_a_241_character_name_is_written_with_a_short_temporary(tmp_path):
    path = tmp_path / ("n" * 237 + ".csv")
    seen = []
    real_open = os.open

    def spy(name, *args, **kwargs):
        seen.append(os.path.basename(os.fspath(name)))
        return real_open(name, *args, **kwargs)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(os, "open", spy)
        atomic_write_text(path, "x")
    assert path.read_text() == "x" and names(tmp_path) == [path.name]
    assert max(len(os.fsencode(n)) for n in seen) <= 255


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"),
                    min_size=1, max_size=120).filter(lambda n: n not in (".", "..")
                                                     and len(n.encode()) <= 255))
def test_any_name_gets_a_temporary_that_fits_and_is_recognised(tmp_path, name):
    temporary = files.temporary_name(name, ".png")
    assert len(os.fsencode(temporary)) <= 255
    assert files._TEMPORARY.fullmatch(temporary)
    assert files._TEMPORARY.fullmatch(temporary)["name"] == files._short_name(name)
    assert int(files._TEMPORARY.fullmatch(temporary)["pid"], 16) == os.getpid()
    assert not files._OLD_TEMPORARY.fullmatch(temporary)
    folder = tmp_path / "h"
    folder.mkdir(exist_ok=True)
    atomic_write_text(folder / name, "x")
    assert (folder / name).read_text() == "x" and names(folder) == [name]
    (folder / name).unlink()


# ------------------------------------------------------------------------------ disk full
def test_a_disk_that_fills_midway_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("old")
    real_write = os.write
    calls = []

    def fills_up(fd, data):
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, bytes(data)[:4096])             # a short write, then the disk is full
    monkeypatch.setattr(os, "write", fills_up)
    with pytest.raises(OutputError) as caught:
        atomic_write_bytes(path, b"n" * 100_000)
    monkeypatch.undo()
    assert "No space left" in str(caught.value) and "big.csv" in str(caught.value)
    assert path.read_text() == "old" and names(tmp_path) == ["big.csv"]


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "keep.csv"
    path.write_text("old")

    def power_cut(source, target):
        raise OSError(errno.EIO, os.strerror(errno.EIO))
    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OutputError):
        atomic_write_text(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old" and names(tmp_path) == ["keep.csv"]


# ------------------------------------------------------------------------------ reading
def test_only_regular_files_are_opened_for_reading(tmp_path):
    fifo = tmp_path / "pipe.gdviz"
    os.mkfifo(fifo)
    for path, what in ((fifo, "named pipe"), (tmp_path, "folder"), ("/dev/zero", "device")):
        with pytest.raises(OSError) as caught:
            open_regular(path)                               # returns at once: never blocks
        assert what in caught.value.strerror
    (tmp_path / "ok.txt").write_bytes(b"data")
    with open_regular(tmp_path / "ok.txt") as fh:
        assert fh.read() == b"data"


# ------------------------------------------------------------------- stale temporaries
HOLDER = """
import sys, time
from gdviz.model.files import PendingFile
p = PendingFile(sys.argv[1], ".png")
p.write(b"half")
print(p.temporary, flush=True)
time.sleep(120)
"""


def start_holder(target):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], stdout=subprocess.PIPE, text=True)
    temporary = proc.stdout.readline().strip()
    assert temporary, "the writer did not start"
    return proc, temporary


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "pic.png"
    proc, temporary = start_holder(target)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert os.path.exists(temporary)
    atomic_write_bytes(target, b"whole")
    assert names(tmp_path) == ["pic.png"]


def test_a_live_writers_temporary_is_never_removed(tmp_path):
    target = tmp_path / "pic.png"
    proc, temporary = start_holder(target)
    try:
        old = time.time() - 2 * files.UNKNOWN_AGE_S
        os.utime(temporary, (old, old))                     # old, but its writer holds the lock
        atomic_write_bytes(target, b"mine")
        assert clean_stale_temporaries(tmp_path) == []
        assert os.path.exists(temporary) and target.read_bytes() == b"mine"
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert clean_stale_temporaries(tmp_path) == [os.path.basename(temporary)]


def test_our_own_live_temporary_is_not_removed(tmp_path):
    pending = PendingFile(tmp_path / "a.csv")
    try:
        assert clean_stale_temporaries(tmp_path) == [] and os.path.exists(pending.temporary)
    finally:
        pending.discard()


def test_only_that_names_temporaries_and_old_style_ones_only_when_old(tmp_path):
    gone = f"{2 ** 22 + 7:08x}"                                            # a pid no process has
    other = tmp_path / f".other.csv.0123abcd{gone}.tmp"
    mine = tmp_path / f".a.csv.89abcdef{gone}.tmp.csv"
    old_style_fresh = tmp_path / ".a.csv.0123456789ab.tmp"
    old_style_old = tmp_path / ".a.csv.ba9876543210.tmp.png"
    unrelated = tmp_path / ".a.csv.notes"
    for p in (other, mine, old_style_fresh, old_style_old, unrelated):
        p.write_text("x")
    old = time.time() - 2 * files.UNKNOWN_AGE_S
    os.utime(old_style_old, (old, old))
    assert sorted(clean_stale_temporaries(tmp_path, "a.csv")) == sorted([mine.name, old_style_old.name])
    assert sorted(clean_stale_temporaries(tmp_path)) == [other.name]
    assert names(tmp_path) == sorted([old_style_fresh.name, unrelated.name])
