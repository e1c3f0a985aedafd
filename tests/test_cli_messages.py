"""The command line's refusals (issue 12, items 6, 7, 8 and 12): exit 2 with one sentence in the
user's words (option names, short numbers, long input clipped), nothing written, never a traceback,
a signal or a hang."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import subprocess
import sys
import uuid
import warnings
from pathlib import Path

import mpmath
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gdviz.app import main

SECONDS = 10            # every refusal, even in a fresh process, comes well within this
MESSAGE_LIMIT = 200


def run_main(args: list[str]) -> tuple[int, str]:
    """main(args) in this process: its exit status (argparse's too) and what it wrote to stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("error")             # a numpy warning on stderr is a failure too
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code
    return code, err.getvalue()


def one_sentence(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gdviz: ") and len(lines[0]) <= MESSAGE_LIMIT, lines[0]
    assert "Traceback" not in err
    return lines[0]


def run_gdviz(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gdviz", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


# ------------------------------------------------------------------------------- item 6: ranges
CRASHING_RANGES = {   # each segfaulted or hung (printing "Cannot set range [-inf, inf]") before
    "subnormal width": (["--F", "x^2", "--range", "0,5e-324"], "too narrow"),
    "2-D near float max": (["--F", "x^2+y^2", "--x0", "1,1", "--range", "-1e308,1e308"], "within ±1e+150"),
    "B - A overflows": (["--range", "-1e308,1e308"], "within ±1e+150"),
    "9e307": (["--range", "-9e307,9e307"], "within ±1e+150"),
    "y-range": (["--F", "x^2+y^2", "--x0", "1,1", "--y-range", "1,1.0000000000000002"], "too narrow"),
    "h-range": (["--view", "bifurcation", "--h-range", "1e-300,2e-300"], "too narrow"),
}


@pytest.mark.parametrize("args, words", CRASHING_RANGES.values(), ids=CRASHING_RANGES.keys())
def test_a_range_no_plot_can_show_is_refused_before_anything_runs(tmp_path, args, words):
    out = run_gdviz([*args, "--export", "o.png", "--size", "400x300", "--csv", "o.csv"], tmp_path)
    assert out.returncode == 2, out.stderr
    message = one_sentence(out.stderr)
    assert words in message and message.startswith("gdviz: --")         # the option, by its name
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------ item 7: session files, exported
BAD_SESSION_RANGES = {
    "scene x_range subnormal": ("scene", "x_range", [0, 5e-324]),
    "scene x_range huge": ("scene", "x_range", [-1e308, 1e308]),
    "scene h_range tiny": ("scene", "h_range", [1e-300, 2e-300]),
    "plane x_range huge": ("plane", "x_range", [-1e308, 1e308]),
    "plane y_range subnormal": ("plane", "y_range", [0, 5e-324]),
    "momentum v_range one ulp": ("momentum", "v_range", [1, 1.0000000000000002]),
}


@pytest.mark.parametrize("section, key, pair", BAD_SESSION_RANGES.values(), ids=BAD_SESSION_RANGES.keys())
def test_a_session_with_a_bad_range_is_refused_by_the_export(tmp_path, section, key, pair):
    document = {"format": "gdviz-session", "version": 2,
                "scene": {"text": "x^2", "kind": "F", "direction": "ascent"},
                "view": {"tab": {"scene": "flow", "plane": "2d", "momentum": "momentum"}[section]}}
    if section != "scene":
        document[section] = {"text": "x^2 + y^2" if section == "plane" else "1 - cos(x)"}
    document[section][key] = pair
    (tmp_path / "bad.gdviz").write_text(json.dumps(document))
    out = run_gdviz(["bad.gdviz", "--export", "o.png", "--size", "400x300"], tmp_path)
    assert out.returncode == 2, out.stderr
    place = key if section == "scene" else f"{section}.{key}"
    assert one_sentence(out.stderr).startswith(f"gdviz: bad.gdviz: '{place}' ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.gdviz"]


# ------------------------------------------------------------- item 8: constants beyond floating point
def read_table(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_an_equation_with_a_huge_constant_inside_a_function_is_computed(tmp_path):
    out = tmp_path / "o.csv"
    code, err = run_main(["--F", "x + sin(10^300)", "--steps", "3", "--csv", str(out)])
    assert code == 0, err
    with mpmath.workdps(400):
        shift = float(mpmath.sin(mpmath.mpf(10) ** 300))
    for row in read_table(out):
        assert float(row["F(x_n)"]) == pytest.approx(float(row["x_n"]) + shift, rel=1e-12, abs=1e-12)
    code, err = run_main(["--f", "cos(2^64) - x", "--steps", "3", "--csv", str(tmp_path / "f.csv")])
    assert code == 0, err
    for row in read_table(tmp_path / "f.csv"):
        assert float(row["f(x_n)"]) == pytest.approx(math.cos(2.0 ** 64) - float(row["x_n"]), abs=1e-12)


@pytest.mark.parametrize("args, words", [
    (["--F", "x^2+y^2+exp(10^300)", "--x0", "1,1"], "exp(10³⁰⁰) is beyond floating point"),
    (["--F", "x + exp(10^300)"], "exp(10³⁰⁰) is beyond floating point"),
    (["--F", "x+asin(2)"], "asin(2) has no real value"),
])
def test_an_equation_without_a_float_value_is_an_equation_error(tmp_path, args, words):
    out = tmp_path / "o.csv"
    code, err = run_main([*args, "--csv", str(out)])
    assert code == 2 and err.startswith(f"gdviz: error in the equation: {words}"), err
    assert "Traceback" not in err and not out.exists()


@pytest.mark.parametrize("args, words", [
    (["--F", "asin(x + 5)"], "F is undefined everywhere on the range [-0.5, 1.5]"),
    (["--f", "sqrt(-1 - x^2)", "--range", "1,2"], "f is undefined everywhere on the range [1, 2]"),
    (["--F", "sqrt(-1 - x^2 - y^2)", "--x0", "1,1"], "F is undefined everywhere on the plotted region"),
    (["--view", "lab", "--compare-h", "1e-308"], "h = 1e-308 needs more than a billion steps"),
    (["--h", "1e308"], "the step size h = 1e+308 times 30 steps is more time than gdviz can follow"),
    (["--view", "error", "--error-t", "1e308"], "t = 1e+308 is too long for this sweep"),
])
def test_numbers_that_cannot_be_computed_get_one_sentence(tmp_path, args, words):
    out = tmp_path / "o.csv"
    code, err = run_main([*args, "--csv", str(out)])
    assert code == 2
    message = one_sentence(err)
    assert words in message and "t_end" not in message
    assert not out.exists()


# ----------------------------------------------------------------------------------- item 12: words
def test_an_option_without_its_value_says_so(tmp_path):
    # argparse used to take "--export" as the equation and out.png as a session file
    out = run_gdviz(["--F", "--export", "out.png"], tmp_path)
    assert out.returncode == 2
    assert one_sentence(out.stderr) == ("gdviz: --F needs an equation, e.g. --F 'x^2/2 - x^3/3' "
                                        "(gdviz --help lists the options)")
    assert not list(tmp_path.iterdir())
    code, err = run_main(["--range", "--csv", str(tmp_path / "o.csv")])
    assert code == 2 and one_sentence(err).startswith("gdviz: --range needs a value A,B")


def test_a_huge_equation_is_not_echoed_whole(tmp_path):
    code, err = run_main(["--F", "x+" * 50_000 + "x", "--csv", str(tmp_path / "o.csv")])
    assert code == 2
    assert "too long (100001 characters; at most 500)" in err and len(err) < 400


@pytest.mark.parametrize("option", ["--x0", "--h", "--range", "--size", "--optimizer", "--preset", "--view"])
def test_long_input_is_clipped_in_every_refusal(tmp_path, option):
    args = [option, "9" * 5000 + "z", "--csv", str(tmp_path / "o.csv")]
    if option == "--optimizer":
        args += ["--x0", "1,1"]
    code, err = run_main(args)
    assert code == 2
    message = one_sentence(err)
    assert "…" in message and "9" * 100 not in message


def test_a_caret_stays_under_its_column_in_a_clipped_equation(capsys):
    text = "x + " * 100 + "(("
    assert main(["--F", text, "--csv", "/dev/null"]) == 2
    err = capsys.readouterr().err.splitlines()
    shown, caret = err[1], err[2]
    assert len(shown) <= 90 and shown.startswith("  …")
    assert shown[caret.index("^")] == "(" and caret.index("^") == len(shown) - 1   # the last '('


# --------------------------------------------------------------------------------- the oracle
floats = st.floats() | st.sampled_from([5e-324, -5e-324, 1e308, -1e308, 1.7976931348623157e308, 0.0, 1e150,
                                        1e-12, 9e307])
number_text = floats.map(repr) | st.sampled_from(["nan", "inf", "-inf", "1e400", "0x10", "1_0", " 1 "])
plausible = st.floats(min_value=-1e160, max_value=1e160, allow_nan=False)
ordered = st.lists(plausible, min_size=2, max_size=2, unique=True).map(sorted)
pair_text = (st.tuples(number_text, number_text).map(",".join) | st.text(max_size=30)
             | ordered.map(lambda p: f"{p[0]!r},{p[1]!r}"))
values = {"--range": pair_text,
          "--h": number_text | st.text(max_size=20) | st.floats(1e-12, 10).map(repr),
          "--x0": number_text | pair_text | plausible.map(repr)}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choices=st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3, unique=True), data=st.data())
def test_any_range_step_or_start_gives_a_table_or_one_sentence(tmp_path_factory, choices, data):
    folder = tmp_path_factory.mktemp("oracle")
    out = folder / f"{uuid.uuid4().hex}.csv"
    args: list[str] = []
    for option in choices:
        args += [option, data.draw(values[option], label=option)]
    code, err = run_main([*args, "--steps", "20", "--csv", str(out)])
    event(f"exit {code}")
    assert "Traceback" not in err
    if code == 0:
        assert out.is_file() and out.stat().st_size > 0
    else:
        assert code == 2, err
        one_sentence(err)
        assert not out.exists()
