"""The autosave folder without Qt: the lock that says a writer is alive, the scan for orphans
(which reads any file it is given and deletes nothing), and the clean-up of killed writes."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gdviz.model import autosaves
from gdviz.model.autosaves import FileLock, clean_folder, find_orphans, new_run_id

HOLD = """
import sys, time
from pathlib import Path
from gdviz.model.autosaves import FileLock
lock = FileLock.acquire(Path(sys.argv[1]))
print("held" if lock else "busy", flush=True)
sys.stdin.readline()
"""
ROOT = Path(__file__).resolve().parents[2]


def test_a_lock_is_exclusive_and_released_by_its_owner(tmp_path):
    path = tmp_path / "a.lock"
    first = FileLock.acquire(path)
    assert first is not None and FileLock.acquire(path) is None     # even within one process
    first.release()
    assert not path.exists()                                        # released and deleted
    second = FileLock.acquire(path)
    assert second is not None
    second.release(delete=False)
    assert path.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_the_system_drops_a_killed_processs_lock(tmp_path):
    path = tmp_path / "run.lock"
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert child.stdout.readline().strip() == "held"
        assert FileLock.acquire(path) is None
    finally:
        child.kill()
        child.wait(10)
    lock = FileLock.acquire(path)                       # nobody cleaned up, yet it is free
    assert lock is not None
    lock.release()


def test_a_lock_on_a_file_deleted_meanwhile_is_not_taken_for_the_lock(tmp_path, monkeypatch):
    # Between our open and our lock, the former holder deletes the file (releasing) and a third
    # process makes a new one: the lock we got is on a file nobody else finds; take the new one.
    path = tmp_path / "race.lock"
    real_lock = autosaves._lock
    calls = []

    def releaser_in_between(fd: int) -> bool:
        if not calls:
            path.unlink()
            path.write_text("")
        calls.append(fd)
        return real_lock(fd)
    monkeypatch.setattr(autosaves, "_lock", releaser_in_between)
    lock = FileLock.acquire(path)
    assert lock is not None and len(calls) == 2
    assert FileLock.acquire(path) is None                # the lock found at `path` is the one held
    lock.release()


def test_run_ids_are_this_gdviz_s_shape_and_differ():
    ids = {new_run_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(autosaves.is_autosave(Path(autosaves.autosave_name(i))) for i in ids)


names = st.one_of(
    st.builds(lambda h: f"autosave-{h}.gdviz", st.text("0123456789abcdef", min_size=1, max_size=40)),
    st.builds(lambda h: f".autosave-{h}.gdviz.{os.urandom(6).hex()}.tmp", st.text("0123456789abcdef", max_size=40)),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1, max_size=40)
    .filter(lambda n: n not in (".", "..")),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(names, st.binary(max_size=300), max_size=6))
@example(files={"autosave-3000000000.gdviz": b""})          # past any pid: os.kill overflowed
def test_any_folder_is_scanned_without_an_error_and_nothing_is_lost(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("autosave")
    for name, data in files.items():
        try:
            (folder / name).write_bytes(data)
        except OSError:                                  # a name this file system refuses
            continue
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    orphans = find_orphans(folder)
    assert all(o.session is not None or o.problem for o in orphans)
    assert {o.path.name for o in orphans} <= set(before)
    clean_folder(folder)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix != ".lock"}
    for name, data in before.items():
        if not (name.startswith(".") and ".tmp" in name):
            assert after.get(name) == data, name         # only temporaries may go


def test_temporaries_go_by_their_writer_or_their_age(tmp_path):
    """The folder's cleaning is model/files.py's: a temporary goes when its writer is gone (its
    lock is free), or, for one of an older gdviz without a lock, after an hour."""
    from gdviz.model.files import PendingFile
    old = tmp_path / f".autosave-{new_run_id()}.gdviz.0123456789ab.tmp"      # an older gdviz's
    old.write_text("")
    os.utime(old, (time.time() - 2 * 3600,) * 2)
    young = tmp_path / f".autosave-{new_run_id()}.gdviz.0123456789ac.tmp"
    young.write_text("")
    live = PendingFile(tmp_path / f"autosave-{new_run_id()}.gdviz")       # a write in progress
    try:
        assert [p for p in clean_folder(tmp_path) if ".tmp" in p.name] == [old]
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([young.name, Path(live.temporary).name])
    finally:
        live.discard()
