"""The command line: same messages as the editor, exit 2 on bad input, nothing written then."""
import csv
import subprocess
import sys

import numpy as np
import pytest

from gdviz import __version__
from gdviz.app import main

SEED_003_TABLE = [-0.9, -0.216, 0.2217, 0.5019, 0.6812, 0.7959, 0.8694]


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "--export" in capsys.readouterr().out


def test_python_dash_m_runs_the_same_entry_point():
    out = subprocess.run([sys.executable, "-m", "gdviz", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout


def test_list_presets(capsys):
    assert main(["--list-presets"]) == 0
    out = capsys.readouterr().out
    for name in ("logistic", "exponential", "cubic", "parabola", "double-well", "cosine"):
        assert name in out


def read_csv(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array(rows[1:], dtype=float)


def test_csv_reproduces_the_seed_003_table(tmp_path):
    out = tmp_path / "table.csv"
    assert main(["--F", "6x^2 - 12x + 3", "--descent", "--h", "0.03", "--x0", "-0.9",
                 "--steps", "6", "--csv", str(out)]) == 0
    header, rows = read_csv(out)
    assert header == ["n", "t_n", "x_n", "F(x_n)", "f(x_n)"]
    np.testing.assert_allclose(rows[:, 2], SEED_003_TABLE, atol=1e-4)
    np.testing.assert_allclose(rows[:, 1], 0.03 * np.arange(7), atol=1e-12)
    np.testing.assert_allclose(rows[:, 3], 6 * rows[:, 2] ** 2 - 12 * rows[:, 2] + 3, atol=1e-9)
    np.testing.assert_allclose(rows[:, 4], 12 - 12 * rows[:, 2], atol=1e-9)


def test_preset_with_overrides_and_negative_values(tmp_path):
    out = tmp_path / "t.csv"
    assert main(["--preset", "parabola", "--steps", "3", "--x0", "-0.9", "--range", "-2,2",
                 "--csv", str(out)]) == 0
    _, rows = read_csv(out)
    assert len(rows) == 4


def test_divergence_is_reported_not_raised(tmp_path, capsys):
    out = tmp_path / "d.csv"
    assert main(["--f", "x(1-x)", "--h", "3.5", "--x0", "0.1", "--steps", "100", "--csv", str(out)]) == 0
    assert "diverged at step" in capsys.readouterr().err
    _, rows = read_csv(out)
    assert np.isnan(rows[-1, 2])


@pytest.mark.parametrize("args, message", [
    (["--F", "sinx"], "did you mean sin(x)"),
    (["--F", "(x+1"], "column"),
    (["--F", "__import__('os')"], "not"),
    (["--h", "-1"], "step size"),
    (["--range", "2,1"], "A < B"),
    (["--range", "a,b"], "two numbers"),
    (["--preset", "nope"], "logistic"),
    (["--steps", "0"], "steps"),
    (["--size", "10x10"], "between"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    out, png = tmp_path / "x.csv", tmp_path / "x.png"
    assert main(args + ["--csv", str(out), "--export", str(png)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not out.exists() and not png.exists()


def test_equation_error_shows_a_caret_under_the_column(capsys):
    assert main(["--F", "x + sinx", "--csv", "/dev/null"]) == 2
    err = capsys.readouterr().err.splitlines()
    caret_line = [ln for ln in err if ln.strip() == "^"][0]
    text_line = [ln for ln in err if "x + sinx" in ln][0]
    assert text_line.index("sinx") == caret_line.index("^")


def test_export_writes_a_png_that_is_not_blank(tmp_path):
    png = tmp_path / "out.png"
    out = subprocess.run([sys.executable, "-m", "gdviz", "--export", str(png), "--size", "1200x800"],
                         capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    from PySide6.QtGui import QImage
    img = QImage(str(png))
    assert (img.width(), img.height()) == (1200, 800)
    colours = {img.pixel(x, y) for x in range(0, 1200, 7) for y in range(0, 800, 7)}
    assert len(colours) > 20    # curves, dots and text, not a flat background


def test_bifurcation_view_exports_png_and_orbit_points(tmp_path):
    png, out = tmp_path / "bif.png", tmp_path / "orbits.csv"
    proc = subprocess.run([sys.executable, "-m", "gdviz", "--view", "bifurcation", "--h-range", "1.5,3",
                           "--orbit-h", "300", "--export", str(png), "--size", "800x500", "--csv", str(out)],
                          capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    from PySide6.QtGui import QImage
    img = QImage(str(png))
    assert (img.width(), img.height()) == (800, 500)
    header, rows = read_csv(out)
    assert header == ["h", "k", "x"]
    assert rows[:, 0].min() == pytest.approx(1.5) and rows[:, 0].max() == pytest.approx(3.0)
    settled = rows[np.abs(rows[:, 0] - 1.5) < 1e-12, 2]
    np.testing.assert_allclose(settled, 1.0, atol=1e-9)        # h = 1.5 < 2: the fixed point x* = 1


def test_error_view_writes_the_error_table(tmp_path):
    out = tmp_path / "err.csv"
    assert main(["--view", "error", "--error-t", "2", "--csv", str(out)]) == 0
    header, rows = read_csv(out)
    assert header == ["h", "error_Euler", "error_Heun", "error_RK4"]
    assert len(rows) == 30 and np.all(np.diff(rows[:, 0]) > 0)
    assert np.all(rows[:, 1] > rows[:, 3])                       # RK4 beats Euler at every h


def test_error_view_writes_the_table_across_a_kink_of_f(tmp_path):
    out = tmp_path / "e.csv"
    assert main(["--f", "1+abs(x)", "--x0", "-1", "--view", "error", "--csv", str(out)]) == 0
    header, rows = read_csv(out)
    assert header == ["h", "error_Euler", "error_Heun", "error_RK4"] and len(rows) == 30
    rk4 = rows[:, 3]
    assert np.all(np.isfinite(rk4)) and 1e-7 < rk4.min() < rk4.max() < 0.1   # 3.5e-6 to 1.2e-2


@pytest.mark.parametrize("args, message", [
    (["--view", "bifurcation", "--h-range", "3,1"], "A < B"),
    (["--view", "bifurcation", "--h-range", "0,1"], "0 < A < B"),
    (["--view", "compare", "--compare-h", "1,-2"], "positive"),
    (["--view", "bifurcation", "--orbit-h", "1"], "values of h"),
    (["--view", "error", "--error-t", "-1"], "error time"),
    (["--view", "nope"], "invalid choice"),
])
def test_bad_lab_options_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    out, png = tmp_path / "x.csv", tmp_path / "x.png"
    try:
        code = main(args + ["--csv", str(out), "--export", str(png)])
    except SystemExit as exc:          # argparse's own refusal (an unknown --view) exits 2 too
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and not png.exists()


@pytest.mark.parametrize("args", [["--view", "lab"], ["--preset2d", "two-minima"]])
def test_a_headless_export_prints_nothing_when_all_is_well(tmp_path, args):
    # Qt's offscreen platform warns about size hints when the hidden window is shown and resized;
    # nothing of that may reach a script's stderr.
    out = subprocess.run([sys.executable, "-m", "gdviz", *args, "--export", str(tmp_path / "o.png"),
                          "--size", "900x600"], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0 and out.stderr == "", out.stderr


def test_a_usage_mistake_is_one_line_not_the_whole_usage(capsys):
    """argparse printed its usage (hundreds of characters) before the point; issue 12 asks for
    one sentence."""
    with pytest.raises(SystemExit) as exc:
        main(["--steps", "0.0"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err == 'gdviz: --steps needs a whole number (got "0.0") (gdviz --help lists the options)\n'


# ------------------------------------------------------------------ --method (issue 14, §2)
def test_method_implicit_euler_h3_is_four_to_the_minus_n_and_euler_doubles(tmp_path):
    common = ["--F", "x^2/2", "--descent", "--h", "3", "--x0", "1", "--steps", "10"]
    out = tmp_path / "implicit.csv"
    assert main([*common, "--method", "implicit-euler", "--csv", str(out)]) == 0
    header, rows = read_csv(out)
    assert header == ["n", "t_n", "x_n", "F(x_n)", "f(x_n)"]
    assert np.array_equal(rows[:, 2], 4.0 ** -np.arange(11))     # x_{n+1} = x_n/(1 + 3)
    assert np.array_equal(rows[:, 1], 3.0 * np.arange(11))
    assert np.array_equal(rows[:, 4], -rows[:, 2])
    out = tmp_path / "explicit.csv"
    assert main([*common, "--method", "euler", "--csv", str(out)]) == 0
    assert np.array_equal(read_csv(out)[1][:, 2], (-2.0) ** np.arange(11))   # x_{n+1} = (1 − 3) x_n


def test_method_newton_doubles_the_digits(tmp_path):
    out = tmp_path / "newton.csv"
    assert main(["--F", "x^4/4 - x", "--descent", "--h", "1", "--x0", "2", "--steps", "8",
                 "--method", "newton", "--csv", str(out)]) == 0
    e = np.abs(read_csv(out)[1][:, 2] - 1.0)
    assert e[-1] < 1e-15
    close = [n for n in range(len(e) - 1) if 1e-7 < e[n] < 0.1]
    assert len(close) >= 2 and all(0.5 < e[n + 1] / e[n] ** 2 < 2.0 for n in close)   # C = 1


def test_the_default_method_writes_the_same_table_as_euler(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["--preset", "logistic", "--csv", str(a)]) == 0
    assert main(["--preset", "logistic", "--method", "euler", "--csv", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_an_unknown_method_is_one_sentence(tmp_path, capsys):
    out = tmp_path / "t.csv"
    with pytest.raises(SystemExit) as exc:
        main(["--method", "leapfrog", "--csv", str(out)])
    assert exc.value.code == 2 and not out.exists()
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--method" in err and "implicit-euler" in err and "leapfrog" in err


def test_method_is_refused_in_a_2d_run(tmp_path, capsys):
    assert main(["--F", "x^2 + y^2", "--method", "rk4", "--csv", str(tmp_path / "t.csv")]) == 2
    assert "--method is not for this run" in capsys.readouterr().err


def test_step_rule_adds_the_steps_as_a_last_column(tmp_path):
    out = tmp_path / "bb.csv"
    assert main(["--F", "3x^2/2", "--descent", "--h", "0.1", "--x0", "1", "--steps", "4",
                 "--step-rule", "bb", "--csv", str(out)]) == 0
    header, rows = read_csv(out)
    assert header == ["n", "t_n", "x_n", "F(x_n)", "f(x_n)", "h_n"]
    assert rows[0, 5] == 0.1 and rows[1, 5] == pytest.approx(1 / 3)        # BB on a = 3: h_1 = 1/a
    assert abs(rows[2, 2]) < 1e-14 and np.isnan(rows[-1, 5])
    np.testing.assert_allclose(rows[1:, 1], np.cumsum(rows[:-1, 5]))


def test_step_rule_with_another_method_is_refused(tmp_path, capsys):
    assert main(["--method", "rk4", "--step-rule", "exact", "--csv", str(tmp_path / "t.csv")]) == 2
    assert "explicit Euler" in capsys.readouterr().err
