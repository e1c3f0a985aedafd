"""The command line frames a typed equation without --range (issue 13, item 5); presets and
--range keep theirs. Checked on the scene and the result, not on pixels."""
from __future__ import annotations

import pytest

from gdviz.app import build_parser, main, scene2d_from_args, scene_from_args
from gdviz.model.presets import preset
from gdviz.model.problem import FlowProblem
from gdviz.model.results import evaluate


def scene_of(*argv: str):
    return scene_from_args(build_parser().parse_args(list(argv)))


def inside(x: float, r: tuple[float, float]) -> bool:
    return r[0] < x < r[1]


README = ("--F", "x^4/4 - x^2/2 + x/10", "--descent", "--h", "0.3", "--x0", "0.2")


def test_the_readme_example_frames_both_wells_and_the_result_uses_the_frame(tmp_path):
    scene = scene_of(*README)
    critical = [e.x for e in FlowProblem.from_text(scene.text, "F", "descent").equilibria(-10, 10)]
    assert len(critical) == 3                  # two wells and the maximum between them
    assert all(inside(x, scene.x_range) for x in critical), (critical, scene.x_range)
    result = evaluate(scene)                   # what --export draws
    assert (result.grid_x[0], result.grid_x[-1]) == scene.x_range
    assert main([*README, "--csv", str(tmp_path / "t.csv")]) == 0


@pytest.mark.parametrize("argv", [("--f", "x - 5",), ("--F", "(x-5)^2", "--descent")])
def test_a_typed_equation_is_framed(argv):
    r = scene_of(*argv).x_range
    assert inside(5.0, r) and inside(scene_of(*argv).x0, r), r


def test_range_and_presets_keep_their_range():
    assert scene_of(*README, "--range=-3,3").x_range == (-3.0, 3.0)
    assert scene_of("--preset", "logistic").x_range == preset("logistic").scene.x_range
    assert scene_of("--preset", "logistic", "--h", "1.5").x_range == preset("logistic").scene.x_range


def test_a_2d_equation_is_framed_and_a_given_range_kept():
    args = build_parser().parse_args(["--F", "(x-3)^2 + (y+4)^2", "--x0", "0,0", "--x0=-1,1"])
    s = scene2d_from_args(args)
    assert inside(3.0, s.x_range) and inside(-4.0, s.y_range) and inside(1.0, s.y_range)
    args = build_parser().parse_args(["--F", "(x-3)^2 + (y+4)^2", "--x0", "0,0", "--range=-1,1"])
    s = scene2d_from_args(args)
    assert s.x_range == (-1.0, 1.0) and inside(-4.0, s.y_range)
