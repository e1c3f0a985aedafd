"""`--modified` on the command line (issue 14 §1): the flow scene draws the modified flow and F̃ in
exports, a 2-D run draws F̃'s isolines, and it is refused in one sentence where it means nothing."""
from __future__ import annotations

import pytest

from gdviz.app import build_parser, main, scene2d_from_args, scene_from_args
from gdviz.model.session import Session, save_session
from gdviz.ui.function_canvas import modified_label
from gdviz.ui.time_canvas import MODIFIED_LABEL

from .test_cli_exports import run_gdviz


def test_modified_sets_the_scene_and_is_off_without_it():
    assert scene_from_args(build_parser().parse_args(["--preset", "logistic", "--modified"])).modified
    assert not scene_from_args(build_parser().parse_args(["--preset", "logistic"])).modified
    plane = scene2d_from_args(build_parser().parse_args(["--F", "x^2 + 3y^2", "--modified"]))
    assert plane.modified


@pytest.mark.parametrize("other", [["--method", "rk4"], ["--method", "implicit-euler"], ["--step-rule", "armijo"]])
def test_modified_with_another_method_or_rule_is_one_sentence(tmp_path, capsys, other):
    out = tmp_path / "t.csv"
    assert main(["--preset", "logistic", "--modified", *other, "--csv", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert not out.exists() and "\n" not in err
    assert "--modified" in err and "explicit Euler with a fixed h" in err


def test_modified_beside_a_session_file_is_refused(tmp_path, capsys):
    from gdviz.model.scene import Scene
    path = tmp_path / "s.gdviz"
    save_session(Session(Scene()), path)
    assert main([str(path), "--modified", "--csv", str(tmp_path / "t.csv")]) == 2
    assert "--modified is not for this run" in capsys.readouterr().err


def test_an_svg_export_draws_the_modified_flow_and_f_tilde(tmp_path):
    svg = tmp_path / "flow.svg"
    proc = run_gdviz(tmp_path, "--preset", "logistic", "--descent", "--modified", "--size", "800x500",
                     "--svg", str(svg))
    assert proc.returncode == 0, proc.stderr
    text = svg.read_text()
    assert MODIFIED_LABEL in text and modified_label("descent") in text
