"""gdviz --describe: each view's picture in words on stdout, exit 0; bad input one sentence, exit 2."""
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.app import main
from gdviz.model.lab import evaluate_lab
from gdviz.model.results import evaluate
from gdviz.model.scene import Scene


def describe(capsys, *args):
    code = main(["--describe", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_flow_logistic_names_equilibria_stability_and_convergence(capsys):
    code, out, err = describe(capsys, "--f", "x(1-x)", "--h", "0.5", "--x0", "0.1", "--range", "-0.5,1.5")
    assert code == 0 and err == ""
    assert "x* = 0, unstable" in out and "x* = 1, stable" in out
    assert "The iterates converge" in out and "to x* = 1" in out
    assert "1/|f'(x*)| = 1.00" in out and "2/|f'(x*)| = 2.00" in out
    assert "Near x* = 1 (a local statement)" in out


def test_flow_large_h_says_what_the_model_says(capsys):
    scene = Scene(text="x(1-x)", kind="f", h=2.5, x0=0.1, x_range=(-0.5, 1.5))
    fate = evaluate(scene).outcome.fate.value            # cycle or diverge, as the model computes it
    code, out, _ = describe(capsys, "--f", "x(1-x)", "--h", "2.5", "--x0", "0.1", "--range", "-0.5,1.5")
    assert code == 0
    word = {"cycle": "oscillate", "diverge": "diverge"}[fate]
    assert f"The iterates {word}" in out
    assert "h > 2/|f'(x*)| = 2.00" in out
    assert "converge" not in out.split("The iterates", 1)[1].splitlines()[0]


def test_outcome_from_x0_not_only_local(capsys):
    """Issue 13 item 9's example: locally monotone, but these iterates diverge."""
    code, out, _ = describe(capsys, "--f", "x(1-x)", "--ascent", "--h", "0.9", "--x0", "2.5")
    assert code == 0
    assert "The iterates diverge" in out


def test_2d_default_scene_minimum(capsys):
    code, out, _ = describe(capsys, "--view", "2d")
    assert code == 0
    assert "6x² − 12x + 9y² − 14y + 3" in out
    assert "a minimum at (1, 0.7778)" in out                 # (1, 7/9)
    assert "F = −8.444" in out                               # 6 − 12 + 9·49/81 − 14·7/9 + 3 = −76/9
    assert out.count("GD from") == 3 and "converges to the minimum" in out


def test_2d_diverging_optimizer_is_said(capsys):
    code, out, _ = describe(capsys, "--F", "x^2 + y^2", "--x0", "1,1", "--lr", "1.5", "--steps", "100")
    assert code == 0
    assert "GD from (1, 1): diverges at step" in out


def test_momentum_rest_points_and_orbit(capsys):
    code, out, _ = describe(capsys, "--view", "momentum")
    assert code == 0
    assert "x″ + γx′ = −F′(x) = −sin(x)" in out
    assert "(0, 0), a stable centre" in out and "(3.142, 0), a saddle (unstable)" in out
    assert "keeps swinging about x* = 0" in out


@pytest.mark.parametrize("view, needle", [
    ("lab", "Bifurcation diagram"), ("compare", "Step sizes compared"), ("error", "fitted order"),
    ("cobweb", "|g'(x*)| = 0.5, it attracts"), ("bifurcation", "2/|f'(x*)| = 2.00")])
def test_lab_views(capsys, view, needle):
    code, out, _ = describe(capsys, "--view", view, "--orbit-h", "200")
    assert code == 0 and needle in out
    assert "Equation: F(x) = x²/2 − x³/3" in out


def test_error_view_orders_match_the_lab():
    lab = evaluate_lab(Scene())
    from gdviz.model.describe import describe_error
    text = describe_error(lab)
    for method, slope in lab.sweep.slopes.items():
        assert f"{method}: " in text and f"fitted order {slope:.2f}" in text


@pytest.mark.parametrize("args, needle", [
    (["--F", "x^"], "error in the equation"),
    (["--h", "-1"], "h"),
    (["--view", "2d", "--F", "x^2 + (y"], "error in the equation"),
    (["--export", "out.png"], "--describe"),
    (["--view", "nowhere"], "--view"),
])
def test_bad_input_exits_2_with_one_message(capsys, tmp_path, args, needle):
    try:
        code = main(["--describe", *args])
    except SystemExit as exc:                # argparse refuses an unknown --view itself
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err
    assert not (tmp_path / "out.png").exists()


def test_session_file_describes_its_tab(capsys, tmp_path):
    from gdviz.model.session import Session, save_session
    path = tmp_path / "s.gdviz"
    save_session(Session(Scene(text="x - x^3", kind="f", h=0.1, x0=0.5, x_range=(-2.0, 2.0))), str(path))
    code, out, _ = describe(capsys, str(path))
    assert code == 0 and "x* = 1, stable" in out and "x* = −1, stable" in out


def test_runs_without_qt():
    code = ("import sys; from gdviz.app import main; rc = main(['--describe', '--view', 'lab', '--orbit-h', '50']);"
            "main(['--describe', '--view', '2d']); main(['--describe', '--view', 'momentum']);"
            "assert 'PySide6' not in sys.modules, 'Qt was imported'; sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Cobweb" in proc.stdout and "critical points" in proc.stdout.lower()


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=40))
def test_any_equation_text_is_a_description_or_one_message(text):
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--describe", "--f", text])
        except SystemExit as exc:            # argparse: e.g. an equation that looks like an option
            code = exc.code
    assert code in (0, 2)
    if code == 0:
        assert "Equation:" in out.getvalue()
    else:
        assert out.getvalue() == "" and "Traceback" not in err.getvalue()
