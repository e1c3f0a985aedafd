"""The hostile-input corpus (issue 12): equations, numbers, ranges, session files, lesson files and
output paths a user or a file can give, run through the command line with one oracle:

    exit 0 with the output written, or exit 2 with one short message on stderr and no file
    touched; never a traceback, a signal or a hang (each run under 10 s).

Runs that draw (--export, --svg, --gif) go through a subprocess, so a segfault or a hang fails
the test instead of killing the run; the rest run in-process through gdviz.app.main (fast).
Hypothesis generates command lines and session files beyond the corpus.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.app import main
from gdviz.model.lesson import lesson_from_text
from gdviz.model.session import SessionError, load_session

TIMEOUT_S = 10
MAX_MESSAGE = 600          # characters of stderr for a refusal: a sentence or two, never a dump

EQUATIONS = [
    ("--F", "x + sin(10^300)"), ("--f", "cos(2^64) - x"), ("--F", "x+asin(2)"), ("--F", "log(-1-x^2)"),
    ("--F", "exp(10^300)*x"), ("--F", "x^(10^10)"), ("--F", "2^2^2^2^2^2*x"), ("--F", "1/0*x"),
    ("--F", "__import__('os').system('echo hi')"), ("--F", "x." * 40), ("--F", "(" * 10_000 + "x" + ")" * 10_000),
    ("--F", "x" * 100_000), ("--F", "<img width=3000 height=2000 src=x>"), ("--F", "x\u202e^2"), ("--F", "x\x00"),
    ("--F", "sqrt(x)"), ("--F", "abs(x)^0.5"), ("--F", "x*0"), ("--f", "tan(x)"),
]
NUMBERS = [
    ["--h", "1e308"], ["--h", "1e-320"], ["--h", "nan"], ["--h", "-1"], ["--h", "inf"], ["--error-t", "1e308"],
    ["--x0", "1e308"], ["--x0", "-inf"], ["--steps", "1000000000"], ["--steps", "-3"], ["--range", "0,5e-324"],
    ["--range", "-1e308,1e308"], ["--range", "-9e307,9e307"], ["--range", "1,1"], ["--range", "2,1"],
    ["--range", "nan,1"], ["--range", "1e200,1.0000000001e200"], ["--range", "1e160,1e161"],
    ["--view", "lab", "--compare-h", "1e-308"], ["--view", "bifurcation", "--h-range", "1e-300,2e-300"],
    ["--view", "bifurcation", "--h-range", "0,1e308"], ["--view", "error", "--error-t", "1e300"],
    ["--F", "x^2+y^2", "--x0", "1,1", "--range", "-1e308,1e308"], ["--F", "x^2+y^2", "--x0", "1,1", "--lr", "1e308"],
    ["--F", "x^2+y^2+exp(10^300)", "--x0", "1,1"], ["--F", "x^2+y^2", "--x0", "1e308,1e308"],
    ["--F", "x^2+y^2", "--x0", "1,1", "--y-range", "0,5e-324"],
]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _main(argv: list[str]) -> int:
    """gdviz.app.main, with argparse's exit (a usage mistake) as its status."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _check_oracle(code: int, err: str, folder: Path, before: dict[str, bytes], outputs: list[Path]) -> None:
    assert "Traceback" not in err, err[-2000:]
    assert code in (0, 2), (code, err[-2000:])
    if code == 2:
        assert err.startswith("gdviz: ") and len(err) <= MAX_MESSAGE, err[:2000]
        assert _files(folder) == before, "a refused run changed the folder"
    else:
        for out in outputs:
            assert out.is_file() and out.stat().st_size > 0
    leftovers = [p.name for p in folder.iterdir() if ".tmp" in p.name]
    assert not leftovers, leftovers


def _in_process(argv: list[str], tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.csv"
    before = _files(tmp_path)
    code = _main([*argv, "--csv", str(out)])
    _check_oracle(code, capsys.readouterr().err, tmp_path, before, [out])


def _subprocess(argv: list[str], folder: Path, outputs: list[Path]) -> subprocess.CompletedProcess:
    before = _files(folder)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    try:
        done = subprocess.run([sys.executable, "-m", "gdviz", *argv], capture_output=True, text=True,
                              timeout=TIMEOUT_S, env=env, cwd=folder)
    except subprocess.TimeoutExpired:
        pytest.fail(f"gdviz {' '.join(a[:60] for a in argv)} still ran after {TIMEOUT_S} s")
    assert done.returncode >= 0, f"killed by signal {-done.returncode}: {done.stderr[-2000:]}"
    _check_oracle(done.returncode, done.stderr, folder, before, outputs)
    return done


@pytest.mark.parametrize("option,text", EQUATIONS, ids=lambda v: repr(v)[:30])
def test_hostile_equations_on_the_command_line(option, text, tmp_path, capsys):
    _in_process([option, text], tmp_path, capsys)


@pytest.mark.parametrize("argv", NUMBERS, ids=lambda a: " ".join(a)[:40])
def test_hostile_numbers_and_ranges_on_the_command_line(argv, tmp_path, capsys):
    _in_process(argv, tmp_path, capsys)


# The drawing runs that crashed or hung (issue 12, item 6), each in its own process.
DRAWN = [
    ["--F", "x^2", "--range", "0,5e-324"],
    ["--range", "-1e308,1e308"],
    ["--F", "x^2+y^2", "--x0", "1,1", "--range", "-1e308,1e308"],
    ["--F", "x + sin(10^300)"],
    ["--F", "x+asin(2)"],
    ["--range", "1e149,1.00001e149"],
]


@pytest.mark.parametrize("argv", DRAWN, ids=lambda a: " ".join(a)[:40])
def test_hostile_ranges_never_crash_or_hang_a_drawing(argv, tmp_path):
    png = tmp_path / "o.png"
    _subprocess([*argv, "--export", str(png), "--size", "400x300"], tmp_path, [png])


def _session(scene: dict | None = None, **top) -> str:
    base = {"text": "x^2/2 - x^3/3", "kind": "F", "direction": "ascent", "h": 0.5, "x0": 0.1, "steps": 8,
            "x_range": [-0.5, 1.5]}
    return json.dumps({"format": "gdviz-session", "version": 2, "scene": {**base, **(scene or {})},
                       "view": {"tab": "flow"}, **top})


SESSIONS = {
    "tiny range": _session({"x_range": [0, 5e-324]}),
    "huge range": _session({"x_range": [-1e308, 1e308]}),
    "equal range": _session({"x_range": [1, 1]}),
    "h range": _session({"h_range": [0, 1e308]}),
    "2-D huge range": json.dumps({"format": "gdviz-session", "version": 2, "scene": json.loads(_session())["scene"],
                                  "plane": {"text": "x^2+y^2", "starts": [[1, 1]], "x_range": [-1e308, 1e308],
                                            "y_range": [-1, 1]}, "view": {"tab": "2d"}}),
    "markup": _session({"text": "<img width=3000 height=2000 src=x>"}),
    "sin(10^300)": _session({"text": "x + sin(10^300)"}),
    "huge bundle": _session({"bundle": True, "bundle_starts": 200, "steps": 1_000_000}),
    "deep json": "[" * 100_000 + "]" * 100_000,
    "not json": "\x00\xff garbage",
    "newer": _session(version=99),
}


@pytest.mark.parametrize("name", list(SESSIONS))
def test_hostile_session_files_through_the_reader_and_the_command_line(name, tmp_path):
    path = tmp_path / "s.gdviz"
    path.write_text(SESSIONS[name], encoding="utf-8", errors="surrogateescape")
    try:
        load_session(path)
    except SessionError as exc:
        assert len(str(exc)) <= MAX_MESSAGE
    png = tmp_path / "o.png"
    _subprocess([str(path), "--export", str(png), "--size", "400x300"], tmp_path, [png])


LESSON_STEP = '[[step]]\ntitle = "{title}"\ntext = "Look."\n[step.scene]\n{scene}\n'


@pytest.mark.parametrize("scene", [
    'x_range = [0, 5e-324]', 'x_range = [-1e308, 1e308]', 'x_range = [1, 1]', 'h = 1e308',
    'text = "x + sin(10^300)"', 'steps = 1000000\nbundle = true\nbundle_starts = 200',
])
def test_hostile_lessons_are_refused_or_safe(scene):
    text = 'title = "T"\n' + LESSON_STEP.format(title="<b>x</b>", scene=scene)
    try:
        lesson = lesson_from_text(text, "hostile.toml")
    except ValueError as exc:            # LessonError is a ValueError: one message, the step and the key
        assert len(str(exc)) <= MAX_MESSAGE
        return
    for step in lesson.steps:            # accepted: every scene it sets is one the window can draw
        assert step is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["--h", "--x0", "--steps", "--range", "--error-t", "--F", "--f", "--view"]),
                min_size=1, max_size=4),
       st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                          st.text(max_size=30), st.sampled_from(["lab", "error", "bifurcation", "flow", "2d"]),
                          st.tuples(st.floats(), st.floats()).map(lambda p: f"{p[0]!r},{p[1]!r}")),
                min_size=4, max_size=4))
def test_generated_command_lines_exit_0_or_2_with_a_sentence(tmp_path_factory, capsys, options, values):
    folder = tmp_path_factory.mktemp("cli")
    argv: list[str] = []
    for option, value in zip(options, values):
        argv += [option, value]
    _in_process(argv, folder, capsys)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["h", "x0", "steps", "x_range", "h_range", "error_t", "text", "bundle",
                                        "bundle_starts", "compare_h", "orbit_h_count", "orbit_kept"]),
                       st.one_of(st.floats(), st.integers(-10**20, 10**20), st.text(max_size=20), st.booleans(),
                                 st.lists(st.floats(), max_size=3), st.none())))
def test_generated_session_files_load_or_are_refused_with_a_message(tmp_path_factory, capsys, scene):
    folder = tmp_path_factory.mktemp("session")
    path = folder / "g.gdviz"
    path.write_text(_session(scene))
    before = _files(folder)
    try:
        load_session(path)
    except SessionError as exc:
        assert len(str(exc)) <= MAX_MESSAGE
    out = folder / "out.csv"
    code = _main([str(path), "--csv", str(out)])
    _check_oracle(code, capsys.readouterr().err, folder, {**before}, [out])
