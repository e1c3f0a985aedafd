"""evaluate(scene): the arrays the canvases draw, for every preset and for awkward equations."""
import numpy as np
import pytest

from gdviz.model import Scene, evaluate
from gdviz.model.presets import presets


@pytest.mark.parametrize("p", presets(), ids=lambda p: p.name)
def test_every_preset_evaluates(p):
    r = evaluate(p.scene)
    assert r.x[0] == p.scene.x0 and len(r.x) == p.scene.steps + 1
    assert np.isfinite(r.grid_f).all() and r.summary
    assert r.equilibria


def test_logistic_default_scene():
    r = evaluate(Scene())
    assert r.summary == "F(x) = x²/2 − x³/3  ⇒  x' = F'(x) = x − x²"
    xs = [e.x for e in r.equilibria]
    assert xs == pytest.approx([0.0, 1.0])
    assert r.attractor.x == pytest.approx(1.0) and r.regime == "monotone convergence"
    assert r.ref_exact and abs(r.ref_x[-1] - 1 / (1 + 9 * np.exp(-15))) < 1e-12


def test_descent_regimes_follow_the_thresholds():
    base = Scene(text="6x^2 - 12x + 3", direction="descent", x0=-0.9, steps=200, x_range=(-2.0, 3.0))
    assert evaluate(base.with_(h=0.05)).regime == "monotone convergence"    # < 1/12
    assert evaluate(base.with_(h=0.12)).regime == "oscillating convergence"  # 1/12 < h < 1/6
    r = evaluate(base.with_(h=0.2))                                          # > 1/6
    assert r.regime == "divergence" and r.diverged and "diverged at step" in r.messages[0]


@pytest.mark.parametrize("text", ["abs(x)", "sqrt(x)", "log(x)", "1/x", "exp(x)", "x", "0", "tan(x)"])
def test_awkward_equations_never_raise(text):
    r = evaluate(Scene(text=text, kind="f", x0=0.5, h=0.5, steps=50, x_range=(-2.0, 2.0)))
    assert len(r.x) == 51
