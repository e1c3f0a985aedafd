"""gdviz --view noise on the command line: the CSV of late iterates, the variances, clear refusals."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.app import main
from gdviz.model.diffusion import NoiseScene, evaluate_noise


def test_csv_columns_and_stdout_variances(tmp_path, capsys):
    out = tmp_path / "noise.csv"
    assert main(["--view", "noise", "--lr", "0.1", "--batch", "4", "--curvature", "1", "--noise", "1",
                 "--steps", "500", "--chains", "8", "--seed", "1", "--csv", str(out)]) == 0
    data = np.genfromtxt(out, delimiter=",", names=True)
    assert data.dtype.names == ("chain", "n", "x") and data.size == 8 * 500
    r = evaluate_noise(NoiseScene(lr=0.1, batch=4, steps=500, chains=8, seed=1))
    np.testing.assert_array_equal(data["x"], r.base.late.ravel())
    lines = capsys.readouterr().out.splitlines()
    assert f"measured={r.base.measured:.6g}" in lines[0] and "exact=0.0131579" in lines[0] and "sde=0.0125" in lines[0]
    assert lines[2].startswith("scaling rule:")


@pytest.mark.parametrize("argv, words", [
    (["--view", "noise", "--lr", "3"], "diverge"),
    (["--view", "noise", "--F", "x^2"], "--F is not for --view noise"),
    (["--batch", "4"], "--batch is for the SGD noise view"),
    (["--view", "noise", "--noise", "-1"], "the noise σ must be a number above 0"),
])
def test_bad_input_is_one_sentence_and_exit_2(tmp_path, capsys, argv, words):
    out = tmp_path / "x.csv"
    assert main([*argv, "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and not out.exists()


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(-10, 10) | st.sampled_from([0.0, 2.0, 1e9]), curvature=st.floats(-5, 5))
def test_any_lr_and_curvature_give_a_result_or_a_sentence(tmp_path_factory, lr, curvature):
    out = tmp_path_factory.mktemp("noise") / "n.csv"
    code = main(["--view", "noise", "--lr", repr(lr), "--curvature", repr(curvature), "--steps", "20",
                 "--chains", "2", "--csv", str(out)])
    if not (lr > 0 and 0 < lr * curvature < 2):
        assert code == 2                       # unstable or not positive: refused
    assert code in (0, 2) and out.exists() == (code == 0)   # stable: computed, or too slow to settle (a sentence)
