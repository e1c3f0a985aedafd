"""A character device for the tests of writing to one, without risking the machine's /dev/null.

As root, a regression that replaced its target instead of writing into it (issue 12 item 2) would
turn /dev/null into a regular file for every process on the machine: the tests write to a null
device of their own, made in their temporary folder. Without the right to make one (not root)
/dev/null is safe to use, since only root may replace it."""
from __future__ import annotations

import os
import stat

import pytest


def private_null_device(folder) -> str:
    """A character device that discards what is written (major 1, minor 3, as /dev/null)."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(os.fspath(folder), "null")
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        with open(path, "wb") as handle:          # a folder mounted nodev refuses device nodes
            handle.write(b"x")
        return path
    except OSError:
        if os.path.exists(path):
            os.unlink(path)
    if os.geteuid() == 0:
        pytest.skip("cannot make a private null device, and /dev/null must not be risked as root")
    return "/dev/null"
