"""The same headless export, run again, writes the same bytes: what is drawn is what was computed,
never a picture caught between two results (issue 11: the README's lab example lost its Euler
curves in 4 of 9 runs, when the lab's result arrived before the flow's and the shared clock moved
without telling the compared runs)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

RUNS = 8


def export(tmp_path, i: int, args: tuple[str, ...]) -> str:
    out = tmp_path / f"run{i}.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / f"config{i}"),
           "XDG_DATA_HOME": str(tmp_path / f"data{i}")}
    proc = subprocess.run([sys.executable, "-m", "gdviz", *args, "--export", str(out)], capture_output=True,
                          text=True, env=env, timeout=240)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return hashlib.sha256(out.read_bytes()).hexdigest()


@pytest.mark.parametrize("args", [
    ("--view", "lab", "--compare-h", "1,0.5,0.1"),              # the README's example
    ("--size", "900x600"),                                      # the flow: 2 pictures in 8 runs once
    # the flow computing behind the tab showed "computing…" in 7 of 8 runs (busy_label)
    ("--view", "noise"),
    # the equation field's clear button was caught mid-fade (exports._finish_animations)
    ("--view", "2d"),
], ids=["lab", "flow", "noise", "2d"])
def test_the_same_export_gives_the_same_bytes(tmp_path, args):
    with ThreadPoolExecutor(max_workers=2) as pool:          # two at a time: the machine has two cores
        digests = list(pool.map(lambda i: export(tmp_path, i, args), range(RUNS)))
    assert len(set(digests)) == 1, f"{len(set(digests))} different pictures in {RUNS} runs"
