"""The cost rules (gdviz.model.budget): every request that could take gigabytes is refused (or,
for a GIF, sampled more sparsely with a note) before anything runs, whatever the entry point."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdviz.app import main
from gdviz.model.budget import (
    MAX_BUNDLE_POINTS,
    MAX_GIF_FRAME_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_PATH_POINTS,
    gif_frame_cap,
    gif_note,
    image_problem,
)
from gdviz.model.scene import Scene
from gdviz.model.scene2d import OPTIMIZER_NAMES, Scene2D
from gdviz.model.session import SessionError, load_session


def test_a_bundle_of_200_starts_over_a_million_steps_is_refused_with_a_sentence():
    # The 200-byte session: 200 starts x 10^6 steps took 3.5 GB.
    with pytest.raises(ValueError, match=r"bundle of 200 starts over 1,000,000 steps .* fewer starts or fewer steps"):
        Scene(bundle=True, bundle_starts=200, steps=1_000_000)
    # The same numbers without the bundle are one path of a million steps: fine.
    assert Scene(bundle=False, bundle_starts=200, steps=1_000_000).steps == 1_000_000
    # Right at the budget: accepted.
    steps = MAX_BUNDLE_POINTS // 200 - 1
    assert Scene(bundle=True, bundle_starts=200, steps=steps).steps == steps
    with pytest.raises(ValueError):
        Scene(bundle=True, bundle_starts=200, steps=steps + 1)


def test_24_starts_by_11_optimizers_by_100000_steps_is_refused():
    with pytest.raises(ValueError, match=r"24 starts x 11 optimizers x 100,000 steps is 26,400,264 points"):
        Scene2D(starts=((0.0, 0.0),) * 24, optimizers=OPTIMIZER_NAMES, steps=100_000)
    steps = MAX_PATH_POINTS // (24 * 11) - 1
    assert Scene2D(starts=((0.0, 0.0),) * 24, optimizers=OPTIMIZER_NAMES, steps=steps).steps == steps


def test_the_bifurcation_diagram_is_bounded_by_the_scene_not_at_compute_time():
    with pytest.raises(ValueError, match=r"20,000 values of h x 100,000 kept iterations"):
        Scene(orbit_h_count=20_000, orbit_transient=0, orbit_kept=100_000)


@given(st.integers(1, 200), st.integers(1, 1_000_000))
def test_any_accepted_bundle_is_within_the_budget(starts, steps):
    try:
        Scene(bundle=True, bundle_starts=starts, steps=steps)
    except ValueError:
        assert starts * (steps + 1) > MAX_BUNDLE_POINTS
    else:
        assert starts * (steps + 1) <= MAX_BUNDLE_POINTS


def test_pictures_are_bounded_in_pixels_scale_included():
    assert image_problem((1600, 1000)) is None
    assert image_problem((1600, 1000), 4) is None              # 25.6 megapixels: the projector case
    assert image_problem((8000, 5000)) is None                 # exactly 40
    assert "1,024 megapixels" in image_problem((8000, 8000), 4)
    assert image_problem((8000, 8000)) is not None
    assert MAX_IMAGE_PIXELS == 40_000_000


def test_a_gif_keeps_as_many_frames_as_fit_in_memory():
    assert gif_frame_cap((800, 500), 600) == 600
    cap = gif_frame_cap((1600, 1000), 600)
    assert cap == MAX_GIF_FRAME_BYTES // 1_600_000 and cap * 1_600_000 <= MAX_GIF_FRAME_BYTES
    assert gif_frame_cap((8000, 8000), 10_000) == 7
    assert gif_frame_cap((8000, 8000), 2) == 2
    assert gif_note((800, 500), 31, 31) is None
    assert "312 frames instead of 600" in gif_note((1600, 1000), 600, 312)


def _run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr().err


def test_the_command_line_refuses_a_huge_picture_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "o.png"
    code, err = _run(["--preset", "logistic", "--export", str(out), "--size", "8000x8000", "--scale", "4"], capsys)
    assert code == 2 and not out.exists()
    assert err.count("\n") == 1 and "give a smaller --size or --scale" in err


def test_a_session_asking_for_gigabytes_is_refused_by_the_reader_and_the_command_line(tmp_path, capsys):
    path = tmp_path / "big.gdviz"
    scene = {"text": "x^2/2 - x^3/3", "kind": "F", "direction": "ascent", "h": 0.5, "x0": 0.1,
             "steps": 1_000_000, "x_range": [-0.5, 1.5], "bundle": True, "bundle_starts": 200}
    path.write_text(json.dumps({"format": "gdviz-session", "version": 2, "scene": scene, "view": {"tab": "flow"}}))
    with pytest.raises(SessionError, match="fewer starts or fewer steps"):
        load_session(path)
    out = tmp_path / "o.csv"
    code, err = _run([str(path), "--csv", str(out)], capsys)
    assert code == 2 and not out.exists() and "fewer starts or fewer steps" in err
