"""Issue 14 §4 on the command line: --view lyapunov writes λ(h) on the diagram's grid, --view
doublings the period doublings inside --h-range; the checks on the logistic f = x(1 − x), whose
Euler map is the logistic map with r = 1 + h."""
from __future__ import annotations

import csv
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.app import main

LOGISTIC = ["--f", "x(1-x)", "--x0", "0.3"]


def read_rows(path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def test_lyapunov_csv_has_the_exponents_of_the_logistic(tmp_path):
    out = tmp_path / "lyap.csv"
    assert main([*LOGISTIC, "--view", "lyapunov", "--h-range", "1.5,3", "--orbit-h", "2", "--csv", str(out)]) == 0
    header, rows = read_rows(out)
    assert header == ["h", "lyapunov"]
    assert [float(r[0]) for r in rows] == [1.5, 3.0]
    assert float(rows[0][1]) == pytest.approx(-math.log(2), abs=0.01)      # the fixed point, g' = −1/2
    assert float(rows[1][1]) == pytest.approx(math.log(2), abs=0.01)       # r = 4: fully chaotic


def test_lyapunov_csv_has_one_row_per_h_of_the_sweep_grid(tmp_path):
    out = tmp_path / "lyap.csv"
    assert main([*LOGISTIC, "--view", "lyapunov", "--h-range", "0.5,3.2", "--orbit-h", "28",
                 "--csv", str(out)]) == 0
    _, rows = read_rows(out)
    h = np.array([float(r[0]) for r in rows])
    np.testing.assert_array_equal(h, np.linspace(0.5, 3.2, 28))            # the diagram's own grid
    lam = np.array([float(r[1]) if r[1] else np.nan for r in rows])
    assert np.all(lam[h < 2] < 0)                                           # settles on x* = 1
    assert np.isnan(lam[h > 3]).all()                                       # r > 4: escapes, empty cells
    assert all(r[1] == "" for r, x in zip(rows, h) if x > 3)


def test_doublings_csv_lists_the_cascade_and_its_gap_ratios(tmp_path):
    out = tmp_path / "d.csv"
    assert main([*LOGISTIC, "--view", "doublings", "--h-range", "1.5,2.6", "--csv", str(out)]) == 0
    header, rows = read_rows(out)
    assert header == ["period", "h"]
    periods = [int(r[0]) for r in rows]
    hs = [float(r[1]) for r in rows]
    assert periods[:4] == [2, 4, 8, 16] and periods == sorted(periods)
    for h, expected in zip(hs, (2.0, 2.449490, 2.544090, 2.564407)):
        assert h == pytest.approx(expected, abs=1e-5)
    gaps = np.diff(hs)
    assert gaps[0] / gaps[1] == pytest.approx(4.75, abs=0.01)
    assert gaps[1] / gaps[2] == pytest.approx(4.66, abs=0.01)


def test_doublings_csv_keeps_only_those_inside_the_h_range(tmp_path, capsys):
    out = tmp_path / "d.csv"
    assert main([*LOGISTIC, "--view", "doublings", "--h-range", "2.5,2.566", "--csv", str(out)]) == 0
    _, rows = read_rows(out)
    assert [int(r[0]) for r in rows] == [8, 16]
    assert main([*LOGISTIC, "--view", "doublings", "--h-range", "0.1,1.5", "--csv", str(out)]) == 0
    _, rows = read_rows(out)
    assert rows == []
    assert "no period doubling" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--h-range", "3,1"], "A < B"),
    (["--h-range", "0,1"], "0 < A < B"),
    (["--h-range", "1,inf"], "finite"),
    (["--h-range", "two,three"], "two numbers"),
    (["--orbit-h", "1"], "values of h"),
])
@pytest.mark.parametrize("view", ["lyapunov", "doublings"])
def test_bad_ranges_are_one_sentence_and_write_nothing(tmp_path, capsys, view, args, message):
    out = tmp_path / "x.csv"
    assert main(["--view", view, *args, "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=20),
                 st.tuples(st.floats(allow_nan=True), st.floats(allow_nan=True)).map(lambda p: f"{p[0]!r},{p[1]!r}")))
def test_any_typed_h_range_gives_a_table_or_one_sentence(tmp_path_factory, text):
    out = tmp_path_factory.mktemp("lyap") / "l.csv"
    try:
        code = main(["--view", "lyapunov", "--h-range", text, "--orbit-h", "3", "--transient", "5",
                     "--csv", str(out)])
    except SystemExit as exc:              # argparse's own refusal (text that looks like an option)
        code = exc.code
    assert code in (0, 2)
    if code == 0:
        header, rows = read_rows(out)
        assert header == ["h", "lyapunov"] and len(rows) == 3
        a, b = (float(v) for v in text.replace(";", ",").split(","))
        assert float(rows[0][0]) == a and float(rows[-1][0]) == b
    else:
        assert not out.exists()


def test_the_lyapunov_view_exports_a_png(tmp_path):
    png = tmp_path / "lyap.png"
    proc = subprocess.run([sys.executable, "-m", "gdviz", "--view", "lyapunov", "--h-range", "1.5,3",
                           "--orbit-h", "300", "--export", str(png), "--size", "800x500"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    from PySide6.QtGui import QImage
    img = QImage(str(png))
    assert (img.width(), img.height()) == (800, 500)
    colours = {img.pixel(x, y) for x in range(0, 800, 5) for y in range(0, 500, 5)}
    assert len(colours) > 20                          # a curve, a zero line and text, not a blank plot
