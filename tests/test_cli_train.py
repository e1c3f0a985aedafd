"""`gdviz --train`: the CSV is the model's run (n, loss, sharpness), bad input is one sentence and
writes nothing, --list-models names every model."""
from __future__ import annotations

import csv

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.app import main
from gdviz.model.training import MODELS, TrainScene, evaluate_training


def run(args: list[str]) -> int:
    """main's exit status, also when argparse itself refuses (it exits with status 2)."""
    try:
        return main(args)
    except SystemExit as stop:
        return int(stop.code)


def read_rows(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def test_csv_holds_the_models_loss_every_step_and_sharpness_every_k(tmp_path):
    out = tmp_path / "train.csv"
    assert main(["--train", "spirals", "--optimizer", "GD", "--lr", "0.3", "--steps", "120",
                 "--sharpness-every", "50", "--csv", str(out)]) == 0
    rows = read_rows(out)
    assert rows[0] == ["n", "loss", "sharpness"] and len(rows) == 122
    run = evaluate_training(TrainScene(rates=(0.3,), steps=120, every=50)).runs[0]
    np.testing.assert_allclose([float(r[1]) for r in rows[1:]], run.loss, rtol=1e-9)
    sharp = {int(r[0]): float(r[2]) for r in rows[1:] if r[2] != ""}
    assert list(sharp) == [0, 50, 100]
    np.testing.assert_allclose(list(sharp.values()), run.sharpness, rtol=1e-9)


def test_list_models(capsys):
    assert main(["--list-models"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == list(MODELS)
    assert all(len(line.split()) > 3 for line in out)      # a name and one line saying what it is


@pytest.mark.parametrize(("args", "message"), [
    (["--train", "mnist"], "no model called"),
    (["--train", "spirals", "--optimizer", "Adam"], "can use GD"),
    (["--train", "spirals", "--optimizer", "GD", "--optimizer", "GD"], "one optimizer"),
    (["--train", "spirals", "--lr", "0"], "learning rate"),
    (["--train", "spirals", "--lr", "abc"], "--lr needs a number"),
    (["--train", "spirals", "--steps", "0"], "steps"),
    (["--train", "spirals", "--steps", "10", "--sharpness-every", "20"], "sharpness"),
    (["--train", "spirals", "--h", "0.1"], "--h is not for a training run"),
    (["--train", "spirals", "--F", "x^2"], "--F is not for a training run"),
    (["--train", "spirals", "--view", "lab"], "--view is not for a training run"),
    (["--sharpness-every", "5"], "give --train"),
])
def test_bad_training_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "x.csv"
    assert run([*args, "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_any_model_name_or_rate_text_is_refused_in_one_line_or_trained(tmp_path, capsys, text):
    out = tmp_path / "y.csv"
    for args in (["--train", text, "--steps", "3"], ["--train", "spirals", "--lr", text, "--steps", "3"]):
        capsys.readouterr()
        code = run([*args, "--csv", str(out)])
        err = capsys.readouterr().err
        if code == 0:
            assert out.exists() and read_rows(out)[0] == ["n", "loss", "sharpness"]
            out.unlink()
        else:
            assert code == 2 and len(err.strip().splitlines()) == 1 and not out.exists()


def test_a_diverging_rate_writes_the_rows_before_and_says_so(tmp_path, capsys):
    out = tmp_path / "train.csv"
    assert main(["--train", "spirals", "--lr", "60", "--steps", "300", "--csv", str(out)]) == 0
    rows = read_rows(out)
    assert 2 <= len(rows) < 302
    assert all(np.isfinite(float(r[1])) for r in rows[1:])
    assert "diverged at step" in capsys.readouterr().err


def test_describe_says_where_the_sharpness_went_for_each_rate(capsys):
    assert main(["--train", "spirals", "--lr", "0.3", "--steps", "200", "--describe"]) == 0
    out = capsys.readouterr().out
    assert "learning rate 0.3" in out and "2/η = 6.67" in out
    assert main(["--view", "edge", "--steps", "60", "--describe"]) == 0     # the tab's three rates
    assert capsys.readouterr().out.count("At learning rate") == 3


def test_view_edge_is_a_training_run_of_the_default_model(tmp_path):
    out = tmp_path / "edge.csv"
    assert main(["--view", "edge", "--steps", "30", "--csv", str(out)]) == 0
    rows = read_rows(out)
    assert rows[0] == ["n", "loss", "sharpness"] and len(rows) == 32
    assert run(["--view", "edge", "--h", "0.1", "--csv", str(tmp_path / "no.csv")]) == 2
    assert not (tmp_path / "no.csv").exists()
