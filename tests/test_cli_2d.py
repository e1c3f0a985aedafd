"""The command line's 2-D runs (issue 5): F(x, y), several starts, optimizers side by side, the
paths as CSV and the 2-D tab as PNG; the same error contract as 1-D (exit 2, nothing written)."""
import csv
import os
import subprocess
import sys

import numpy as np
import pytest

from gdviz.app import main
from gdviz.model.tables2d import COLUMNS

SEED_F = "6x^2 + 9y^2 - 12x - 14y + 3"
SEED_STARTS = [(-0.9, -0.5), (2.5, 2.0), (-0.5, 2.0)]
SEED_ARGS = ["--F", SEED_F, "--x0", "-0.9,-0.5", "--x0", "2.5,2", "--x0", "-0.5,2"]


def F(x, y):
    return 6 * x ** 2 + 9 * y ** 2 - 12 * x - 14 * y + 3


def read_csv(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def columns(rows):
    """optimizer names, and start, n, x, y, F as a float array."""
    return [r[0] for r in rows], np.array([r[1:] for r in rows], dtype=float)


def test_seed_003_three_starts_reach_the_minimum(tmp_path):
    out = tmp_path / "paths.csv"
    assert main(SEED_ARGS + ["--lr", "0.05", "--steps", "200", "--csv", str(out)]) == 0
    header, rows = read_csv(out)
    assert header == ["optimizer", "start", "n", "x", "y", "F", "sharpness"] == list(COLUMNS)
    names, a = columns(rows)
    assert len(rows) == 3 * 201 and set(names) == {"GD"}
    for i, (x0, y0) in enumerate(SEED_STARTS):
        mine = a[a[:, 0] == i]
        np.testing.assert_array_equal(mine[:, 1], np.arange(201))
        assert tuple(mine[0, 2:4]) == (x0, y0)
        np.testing.assert_allclose(mine[-1, 2:4], [1.0, 7 / 9], atol=1e-6)
    np.testing.assert_allclose(a[:, 4], F(a[:, 2], a[:, 3]), rtol=1e-12, atol=1e-9)


def test_sharpness_column_is_the_hessians_top_eigenvalue(tmp_path):
    """Issue 15 §1: on (1 − xy)²/2 the column equals λ_max of [[y², 2xy − 1], [2xy − 1, x²]] (x² + y²
    on the minima xy = 1) on every row, to 1e-9; GD with 2/η = 5 ends where it is at most 5."""
    out = tmp_path / "eos.csv"
    assert main(["--F", "(1 - x*y)^2/2", "--x0", "0.3,2.5", "--x0", "1.5,0.2", "--optimizer", "GD",
                 "--optimizer", "Momentum", "--momentum", "0.5", "--lr", "0.4", "--steps", "400",
                 "--range", "-1,3", "--y-range", "-1,3", "--csv", str(out)]) == 0
    header, rows = read_csv(out)
    assert header[-1] == "sharpness" and header[:-1] == ["optimizer", "start", "n", "x", "y", "F"]
    names, a = columns(rows)
    x, y, sharp = a[:, 2], a[:, 3], a[:, 5]
    b, c, d = y * y, 2 * x * y - 1, x * x
    expected = (b + d) / 2 + np.sqrt(((b - d) / 2) ** 2 + c * c)
    assert len(rows) > 400 and np.isfinite(sharp).all()
    np.testing.assert_allclose(sharp, expected, rtol=0, atol=1e-9)
    gd_end = a[(np.array(names) == "GD") & (a[:, 1] == 400)]
    assert np.all(np.abs(1 - gd_end[:, 2] * gd_end[:, 3]) < 1e-9)          # on the minima ...
    np.testing.assert_allclose(gd_end[:, 5], gd_end[:, 2] ** 2 + gd_end[:, 3] ** 2, rtol=1e-9)
    assert np.all(gd_end[:, 5] <= 2 / 0.4 + 1e-6)                         # ... no sharper than 2/η


def test_first_gd_step_by_hand(tmp_path):
    out = tmp_path / "p.csv"
    assert main(SEED_ARGS + ["--lr", "0.05", "--steps", "1", "--csv", str(out)]) == 0
    _, a = columns(read_csv(out)[1])
    for i, (x, y) in enumerate(SEED_STARTS):
        step1 = a[(a[:, 0] == i) & (a[:, 1] == 1)][0]
        expected = (x - 0.05 * (12 * x - 12), y - 0.05 * (18 * y - 14))
        np.testing.assert_allclose(step1[2:4], expected, rtol=0, atol=1e-15)


def test_two_optimizers_side_by_side(tmp_path):
    out = tmp_path / "p.csv"
    assert main(SEED_ARGS + ["--optimizer", "GD", "--optimizer", "adam", "--beta1", "0.8", "--eps", "1e-6",
                             "--lr", "0.05", "--steps", "40", "--csv", str(out)]) == 0
    names, a = columns(read_csv(out)[1])
    assert names[:3 * 41] == ["GD"] * (3 * 41) and names[3 * 41:] == ["Adam"] * (3 * 41)
    gd, adam = a[: 3 * 41], a[3 * 41:]
    np.testing.assert_array_equal(gd[:, :2], adam[:, :2])          # same starts and steps
    np.testing.assert_array_equal(gd[gd[:, 1] == 0, 2:4], adam[adam[:, 1] == 0, 2:4])
    assert not np.allclose(gd[:, 2:4], adam[:, 2:4])               # different paths from there
    # Adam's first step moves each coordinate by lr·g/(|g| + eps): about lr, whatever the gradient.
    x, y = SEED_STARTS[0]
    g = np.array([12 * x - 12, 18 * y - 14])
    first = adam[(adam[:, 0] == 0) & (adam[:, 1] == 1)][0, 2:4]
    np.testing.assert_allclose(first, [x, y] - 0.05 * g / (np.abs(g) + 1e-6), atol=1e-12)


def test_momentum_reaches_the_run(tmp_path):
    out = tmp_path / "p.csv"
    assert main(SEED_ARGS + ["--optimizer", "Momentum", "--momentum", "0.5", "--lr", "0.05", "--steps", "2",
                             "--csv", str(out)]) == 0
    _, a = columns(read_csv(out)[1])
    x, y = SEED_STARTS[0]
    g0 = np.array([12 * x - 12, 18 * y - 14])
    p1 = np.array([x, y]) - 0.05 * g0                                # b₁ = g₀
    g1 = np.array([12 * p1[0] - 12, 18 * p1[1] - 14])
    p2 = p1 - 0.05 * (0.5 * g0 + g1)                                 # b₂ = μ b₁ + g₁
    np.testing.assert_allclose(a[(a[:, 0] == 0) & (a[:, 1] == 2)][0, 2:4], p2, atol=1e-14)


def test_weight_decay_reaches_adamw(tmp_path):
    """AdamW with λ = 0 is Adam, step for step; the default λ = 0.01 is not."""
    paths = {}
    for name, extra in (("adam", []), ("w0", ["--weight-decay", "0"]), ("w", [])):
        out = tmp_path / f"{name}.csv"
        opt = "Adam" if name == "adam" else "AdamW"
        assert main(SEED_ARGS + ["--optimizer", opt, *extra, "--steps", "20", "--csv", str(out)]) == 0
        paths[name] = columns(read_csv(out)[1])[1]
    np.testing.assert_array_equal(paths["adam"], paths["w0"])
    assert not np.array_equal(paths["adam"], paths["w"])


def test_divergence_is_reported_and_the_rows_stop(tmp_path, capsys):
    out = tmp_path / "d.csv"
    assert main(SEED_ARGS + ["--lr", "0.12", "--steps", "200", "--csv", str(out)]) == 0   # 0.12 > 2/18
    err = capsys.readouterr().err
    assert err.count("diverged at step") == 3
    _, a = columns(read_csv(out)[1])
    assert np.all(np.isfinite(a))                                  # no empty or NaN cells
    for i in range(3):
        mine = a[a[:, 0] == i]
        stopped = int(mine[-1, 1]) + 1                             # the first step not written
        assert stopped < 200 and f"start {i} " in err and f"diverged at step {stopped}" in err
        np.testing.assert_array_equal(mine[:, 1], np.arange(stopped))


def test_y_in_F_alone_makes_a_2d_run_with_the_default_starts(tmp_path):
    out = tmp_path / "p.csv"
    assert main(["--F", "x^2 + y^2", "--steps", "5", "--lr", "0.1", "--csv", str(out)]) == 0
    _, a = columns(read_csv(out)[1])
    assert len(a) == 3 * 6                                          # the 2-D tab's three default starts
    np.testing.assert_allclose(a[:, 4], a[:, 2] ** 2 + a[:, 3] ** 2)


def test_preset2d_and_view_2d(tmp_path):
    out = tmp_path / "p.csv"
    assert main(["--preset2d", "two-minima", "--steps", "300", "--csv", str(out)]) == 0
    _, a = columns(read_csv(out)[1])
    ends = a[a[:, 1] == 300][:, 2]
    assert len(ends) == 4
    assert ends[0] < 0 < ends[1]                     # x = 0 and x = 0.15 end in different valleys
    out2 = tmp_path / "q.csv"
    assert main(["--view", "2d", "--steps", "3", "--csv", str(out2)]) == 0   # the 2-D tab's default scene
    _, b = columns(read_csv(out2)[1])
    np.testing.assert_allclose(b[:, 4], F(b[:, 2], b[:, 3]))


def test_export_writes_the_2d_tab_as_a_png_that_is_not_blank(tmp_path, qapp):
    png, out = tmp_path / "plane.png", tmp_path / "p.csv"
    proc = subprocess.run([sys.executable, "-m", "gdviz", *SEED_ARGS, "--optimizer", "GD", "--optimizer", "Adam",
                           "--steps", "60", "--export", str(png), "--size", "900x600", "--csv", str(out)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    from PySide6.QtGui import QImage
    img = QImage(str(png))
    assert (img.width(), img.height()) == (900, 600)
    colours = {img.pixel(x, y) for x in range(0, 900, 7) for y in range(0, 600, 7)}
    assert len(colours) > 20
    assert len(read_csv(out)[1]) == 2 * 3 * 61


@pytest.mark.parametrize("args, message", [
    (SEED_ARGS + ["--x0", "1,2,3"], "X,Y"),
    (SEED_ARGS + ["--x0", "a,b"], "X,Y"),
    (["--F", SEED_F, "--x0", "1"], "X,Y"),
    (SEED_ARGS + ["--x0", "nan,1"], "finite"),
    (SEED_ARGS + ["--optimizer", "Nope"], "Adam"),
    (SEED_ARGS + ["--lr", "-1"], "learning rate"),
    (SEED_ARGS + ["--optimizer", "Momentum", "--momentum", "1.5"], "momentum"),
    (SEED_ARGS + ["--optimizer", "Adam", "--beta2", "1"], "beta2"),
    (SEED_ARGS + ["--optimizer", "Adam", "--eps", "-1"], "eps"),
    (SEED_ARGS + ["--momentum", "0.5"], "Momentum, Nesterov"),   # GD has no momentum: not silently ignored
    (SEED_ARGS + ["--optimizer", "RMSprop", "--alpha", "1"], "alpha"),
    (SEED_ARGS + ["--optimizer", "Adam", "--weight-decay", "0.1"], "AdamW"),
    (SEED_ARGS + ["--steps", "0"], "steps"),
    (SEED_ARGS + ["--y-range", "2,1"], "A < B"),
    (["--F", "x^2 + (y", "--x0", "1,2"], "column"),
    (["--F", "x^2 + (y"], "never closed"),
    (["--F", "x^2", "--x0", "1", "--x0", "2"], "one starting point"),
    (["--F", "x^2", "--lr", "0.1"], "--h"),                      # a 1-D run refuses 2-D options
    (SEED_ARGS + ["--h", "0.1"], "--lr"),                        # and a 2-D run 1-D ones
    (["--f", "x", "--x0", "1,2"], "--F"),
    (SEED_ARGS + ["--view", "bifurcation"], "2-D tab"),
    (["--preset2d", "nope"], "two-minima"),
    (SEED_ARGS + ["--size", "10x10"], "between"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    out, png = tmp_path / "x.csv", tmp_path / "x.png"
    assert main(args + ["--csv", str(out), "--export", str(png)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists() and not png.exists()
    assert list(tmp_path.iterdir()) == []


def test_equation_error_shows_a_caret_under_the_column(capsys):
    assert main(["--F", "x^2 + (y", "--x0", "1,2", "--csv", "/dev/null"]) == 2
    err = capsys.readouterr().err.splitlines()
    caret_line = [ln for ln in err if ln.strip() == "^"][0]
    text_line = [ln for ln in err if "x^2 + (y" in ln][0]
    assert text_line.index("(") == caret_line.index("^")


def test_help_shows_a_2d_example(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("--optimizer", "--preset2d", "--y-range", "--x0 -0.9,-0.5", "--eps", "--alpha", "--weight-decay"):
        assert word in out


def test_list_presets_names_the_2d_presets(capsys):
    assert main(["--list-presets"]) == 0
    out = capsys.readouterr().out
    assert "logistic" in out and "two-minima" in out


def test_without_outputs_the_window_opens_on_the_2d_tab(monkeypatch):
    import gdviz.app as app
    seen = {}
    monkeypatch.setattr(app, "run_window", lambda scene, view=None, scene2d=None: seen.update(
        scene=scene, view=view, scene2d=scene2d) or 0)
    assert main(SEED_ARGS + ["--optimizer", "Nesterov", "--lr", "0.02"]) == 0
    assert seen["view"] == "2d" and seen["scene"] is None
    s = seen["scene2d"]
    assert s.text == SEED_F and s.starts == tuple(SEED_STARTS) and s.optimizers == ("Nesterov",) and s.lr == 0.02


def test_view_sharpness_exports_the_plot_alone(tmp_path, qapp):
    """--view sharpness is a 2-D run that exports the 2-D tab's sharpness plot alone (issue 15 §1)."""
    from PySide6.QtGui import QImage
    png = tmp_path / "sharp.png"
    assert main(["--F", "(1 - x*y)^2/2", "--x0", "0.3,2.5", "--lr", "0.4", "--steps", "100",
                 "--view", "sharpness", "--export", str(png), "--size", "700x450"]) == 0
    image = QImage(str(png))
    assert (image.width(), image.height()) == (700, 450)
    colours = {image.pixel(x, y) for x in range(0, 700, 7) for y in range(0, 450, 7)}
    assert len(colours) > 20                     # drawn, not a blank page


def test_view_sharpness_describes_the_2d_tab(capsys):
    """--view sharpness alone is a 2-D run: --describe tells the 2-D tab, whose plot it is."""
    assert main(["--view", "sharpness", "--describe"]) == 0
    assert "F(x, y)" in capsys.readouterr().out


def test_the_flows_integrators_run_from_the_command_line(tmp_path):
    """Issue 14 §2: --optimizer implicit-euler / heun / rk4 / newton (any case, - _ or a space)."""
    out = tmp_path / "paths.csv"
    args = ["--F", "(x^2 + y^2)/2", "--x0", "1,-0.5", "--lr", "3", "--steps", "6", "--csv", str(out)]
    assert main(args + ["--optimizer", "GD", "--optimizer", "IMPLICIT_euler", "--optimizer", "newton"]) == 0
    names, a = columns(read_csv(out)[1])
    assert names == ["GD"] * 7 + ["Implicit Euler"] * 7 + ["Newton"] * 7
    n, x = a[:, 1], a[:, 2]
    implicit = np.array(names) == "Implicit Euler"
    np.testing.assert_array_equal(x[implicit], 4.0 ** -n[implicit])        # the 4^-n at h = 3
    gd = (np.array(names) == "GD") & (n <= 4)
    np.testing.assert_array_equal(x[gd], (-2.0) ** n[gd])                  # GD diverges as (−2)^n
    newton = np.array(names) == "Newton"                                   # η = 3: x ← (1 − 3)x
    np.testing.assert_array_equal(x[newton][:4], (-2.0) ** n[newton][:4])
