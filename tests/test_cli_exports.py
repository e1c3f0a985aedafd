"""The command line's exports for slides: --scale, --svg, --gif, --mp4, --fps, --frames. Happy paths
run gdviz in a subprocess (its own settings folder); bad input exits 2 and writes nothing."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PIL import Image

from gdviz.app import main


def run_gdviz(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "gdviz", *args], capture_output=True, text=True, env=env,
                          timeout=240)


def ffmpeg_available() -> bool:
    from gdviz.ui.exports import ffmpeg_status
    return ffmpeg_status()[0]


def test_png_at_scale_svg_and_gif_from_one_run(tmp_path):
    png, svg, gif = tmp_path / "f.png", tmp_path / "f.svg", tmp_path / "f.gif"
    proc = run_gdviz(tmp_path, "--preset", "logistic", "--steps", "6", "--size", "400x300", "--export", str(png),
                     "--scale", "2", "--svg", str(svg), "--gif", str(gif), "--fps", "5")
    assert proc.returncode == 0, proc.stderr
    assert "frame" not in proc.stderr            # progress only on a terminal
    assert Image.open(png).size == (800, 600)
    im = Image.open(gif)
    assert im.n_frames == 7 and im.size == (400, 300) and im.info["duration"] == 200
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and 'width="400"' in text


def test_gif_with_a_cap_and_a_lab_canvas_view(tmp_path):
    gif = tmp_path / "cobweb.gif"
    proc = run_gdviz(tmp_path, "--view", "cobweb", "--steps", "40", "--size", "300x300", "--gif", str(gif),
                     "--frames", "4")
    assert proc.returncode == 0, proc.stderr
    im = Image.open(gif)
    assert im.n_frames == 4 and im.size == (300, 300)


def test_gif_of_a_2d_run(tmp_path):
    gif = tmp_path / "paths.gif"
    proc = run_gdviz(tmp_path, "--F", "x^2 + 3y^2", "--x0", "1,1", "--optimizer", "GD", "--optimizer", "Adam",
                     "--lr", "0.1", "--steps", "5", "--size", "500x400", "--gif", str(gif))
    assert proc.returncode == 0, proc.stderr
    im = Image.open(gif)
    assert im.n_frames == 6 and im.size == (500, 400)


@pytest.mark.skipif(not ffmpeg_available(), reason="MP4 export needs imageio-ffmpeg (the 'video' extra)")
def test_mp4(tmp_path):
    import imageio_ffmpeg
    mp4 = tmp_path / "flow.mp4"
    proc = run_gdviz(tmp_path, "--steps", "5", "--size", "401x301", "--mp4", str(mp4), "--fps", "12")
    assert proc.returncode == 0, proc.stderr
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(mp4))
    assert frames == 6 and seconds == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize("args, message", [
    (["--scale", "0", "--export", "{d}/a.png"], "--scale must be between 1 and 4"),
    (["--scale", "5", "--export", "{d}/a.png"], "--scale must be between 1 and 4"),
    (["--scale", "2", "--svg", "{d}/a.svg"], "give --export"),
    (["--fps", "1000", "--gif", "{d}/a.gif"], "--fps must be a whole number from 1 to 60"),
    (["--fps", "0", "--gif", "{d}/a.gif"], "--fps must be"),
    (["--frames", "1", "--gif", "{d}/a.gif"], "--frames must be"),
    (["--fps", "10", "--export", "{d}/a.png"], "--fps is for the animations"),
    (["--gif", "{d}/missing/a.gif"], "the folder does not exist"),
    (["--F", "x^2 + (", "--gif", "{d}/a.gif", "--svg", "{d}/a.svg"], "error in the equation"),
])
def test_bad_values_exit_2_writing_nothing(tmp_path, capsys, args, message):
    args = [a.replace("{d}", str(tmp_path)) for a in args]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_mp4_without_ffmpeg_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)      # as if the 'video' extra were missing
    out = tmp_path / "talk.mp4"
    assert main(["--steps", "3", "--mp4", str(out), "--export", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err
    assert "MP4 export needs ffmpeg" in err and "pip install 'gdviz[video]'" in err
    assert not list(tmp_path.iterdir())


def test_help_lists_the_export_options(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for option in ("--svg", "--gif", "--mp4", "--scale", "--fps", "--frames"):
        assert option in out
