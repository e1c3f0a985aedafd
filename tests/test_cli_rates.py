"""`gdviz --view rates` (issue 14 §3): the rate map over (η, μ) as CSV (eta, mu, rate) and PNG,
for a teacher's script; numbers checked against the model, the error contract kept."""
import csv
import math

import numpy as np
import pytest

from gdviz.app import main
from gdviz.model.rates import lr_window, spectral_radius

SEED = ["--F", "6x^2 + 9y^2 - 12x - 14y + 3", "--x0", "-0.9,-0.5"]


def test_the_csv_is_eta_mu_rate_for_the_chosen_optimizer(tmp_path, capsys):
    out = tmp_path / "rates.csv"
    assert main(SEED + ["--view", "rates", "--optimizer", "Nesterov", "--lr", "0.05", "--momentum", "0.8",
                        "--csv", str(out)]) == 0
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["eta", "mu", "rate"]
    a = np.array(rows[1:], dtype=float)
    assert len(a) > 1000 and (a[:, 0] > 0).all() and (a[:, 1] >= 0).all() and (a[:, 1] < 1).all()
    # F's Hessian is diag(12, 18): λ = 18, and every rate is Nesterov's ρ there
    assert a[:, 2] == pytest.approx(spectral_radius("Nesterov", a[:, 0], a[:, 1], 18.0))
    high = lr_window("Nesterov", 18.0, 0.8).high
    near = np.abs(a[:, 1] - 0.8) < 0.003
    assert (a[near & (a[:, 0] < 0.98 * high), 2] < 1).all() and (a[near & (a[:, 0] > 1.02 * high), 2] > 1).all()
    assert "λ = 18" in capsys.readouterr().err


def test_the_png_is_the_map_alone(tmp_path, qapp):
    png = tmp_path / "rates.png"
    assert main(SEED + ["--view", "rates", "--export", str(png), "--size", "700x450"]) == 0
    from PySide6.QtGui import QImage
    image = QImage(str(png))
    assert (image.width(), image.height()) == (700, 450)


def test_no_minimum_in_view_is_one_sentence_and_no_file(tmp_path, capsys):
    out = tmp_path / "rates.csv"
    assert main(["--F", "x^2 - y^2", "--x0", "0.5,0.5", "--view", "rates", "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no minimum" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_the_2d_view_still_writes_the_paths(tmp_path):
    out = tmp_path / "paths.csv"
    assert main(SEED + ["--view", "2d", "--steps", "3", "--csv", str(out)]) == 0
    assert out.read_text().splitlines()[0] == "optimizer,start,n,x,y,F,sharpness"
    assert math.isfinite(float(out.read_text().splitlines()[1].split(",")[3]))
