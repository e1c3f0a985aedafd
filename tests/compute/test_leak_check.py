"""The leak check of tests/conftest.py, run on tests made to leak, in a pytest of their own."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LEAKY_TESTS = '''
from PySide6.QtWidgets import QMainWindow

from gdviz.compute import jobs
from gdviz.compute.worker import ComputeClient, running_clients

kept = []


def test_leaves_a_window_open(qtbot):
    window = QMainWindow()
    window.setObjectName("left-open")
    window.show()
    kept.append(window)


def test_leaves_a_client_running(qapp):
    kept.append(ComputeClient(job=jobs.evaluate_scene, name="gdviz-left-running"))


def test_the_check_shut_the_left_client_down_and_a_tidy_test_passes(qtbot):
    assert running_clients() == []
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    ComputeClient(window, job=jobs.evaluate_scene, name="gdviz-tidy").shutdown()


def test_known_to_leak(qtbot):
    kept.append(QMainWindow())
'''


def run_pytest(tmp_path: Path, mode: str) -> subprocess.CompletedProcess:
    conftest = (Path(__file__).parents[1] / "conftest.py").read_text()
    (tmp_path / "conftest.py").write_text(conftest + '\nKNOWN_LEAKS["test_known_to_leak"] = "made to leak"\n')
    (tmp_path / "test_leaky.py").write_text(LEAKY_TESTS)
    env = {**os.environ, "GDVIZ_LEAK_CHECK": mode, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rE",
                           "--rootdir", str(tmp_path), str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    return run_pytest(tmp_path_factory.mktemp("strict"), "strict")


def test_strict_fails_a_test_that_leaves_a_window_or_a_thread(strict):
    out = strict.stdout
    summary = out.strip().splitlines()[-1]
    assert "4 passed" in summary and "2 errors" in summary, out
    assert "ERROR test_leaky.py::test_leaves_a_window_open" in out
    assert "PySide6.QtWidgets.QMainWindow 'left-open' (visible)" in out
    assert "ERROR test_leaky.py::test_leaves_a_client_running" in out
    assert "compute thread 'gdviz-left-running'" in out and "never shut down" in out


def test_a_known_leak_only_warns(strict):
    assert "LeakWarning" in strict.stdout and "made to leak" in strict.stdout
    assert "ERROR test_leaky.py::test_known_to_leak" not in strict.stdout


def test_warn_mode_fails_nothing(tmp_path):
    run = run_pytest(tmp_path, "warn")
    summary = run.stdout.strip().splitlines()[-1]
    assert "4 passed" in summary and "error" not in summary, run.stdout
    assert run.stdout.count("LeakWarning") >= 3
