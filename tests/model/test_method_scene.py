"""The flow scene's step method (issue 14, §2): the flow job runs it, sessions keep it, and the
regime sentence names its bound. Checks with values derived by hand."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.integrators import METHOD_NAMES, cut_at_divergence, run_batch, run_method
from gdviz.model.problem import FlowProblem
from gdviz.model.results import build_problem, evaluate
from gdviz.model.scene import Scene
from gdviz.model.session import Session, SessionError, session_from_json, session_to_json

# F = x²/2, descent: f = −x, f'(0) = −1.
QUADRATIC = Scene(text="x^2/2", kind="F", direction="descent", h=3.0, x0=1.0, steps=12, x_range=(-2.0, 2.0))
# F = x⁴/4 − x, descent: f = 1 − x³, the minimum x* = 1, f'(1) = −3.
QUARTIC = Scene(text="x^4/4 - x", kind="F", direction="descent", h=1.0, x0=2.0, steps=8, x_range=(-1.0, 3.0))


def test_the_default_method_is_explicit_euler_and_unchanged():
    assert Scene().method == "euler"
    r = evaluate(QUADRATIC)
    assert np.array_equal(r.x, (-2.0) ** np.arange(13))          # x_{n+1} = (1 − 3) x_n exactly
    assert r.method_bounds == ()


def test_implicit_euler_with_h_3_is_four_to_the_minus_n_exactly():
    # x_{n+1} = x_n − 3 x_{n+1}  ⇒  x_{n+1} = x_n / 4: powers of two, exact in floating point.
    r = evaluate(QUADRATIC.with_(method="implicit-euler"))
    assert np.array_equal(r.x, 4.0 ** -np.arange(13))
    assert np.array_equal(r.t, 3.0 * np.arange(13))
    assert r.diverged_at == -1


def test_newton_on_the_quartic_doubles_the_digits():
    # Newton's map x − (x³ − 1)/(3x²) has e_{n+1} ≈ e_n² · F'''(1)/(2F''(1)) = e_n² · 1.
    x = evaluate(QUARTIC.with_(method="newton")).x
    e = np.abs(x - 1.0)
    assert e[-1] == 0.0 or e[-1] < 1e-15
    close = [n for n in range(len(e) - 1) if 1e-7 < e[n] < 0.1]
    assert len(close) >= 2
    for n in close:
        assert 0.5 < e[n + 1] / e[n] ** 2 < 2.0


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_the_flow_job_plots_what_run_method_computes(method):
    scene = Scene(method=method, h=0.7)
    r = evaluate(scene)
    expected = run_method(build_problem(scene), method, scene.x0, scene.h, scene.steps)
    assert np.array_equal(r.x, expected, equal_nan=True)


def test_the_bundle_runs_the_method_too():
    scene = Scene(method="rk4", h=0.7, bundle=True, bundle_starts=5)
    r = evaluate(scene)
    problem = build_problem(scene)
    for x0, row in zip(r.bundle_x0, r.bundle_x):
        expected, _ = cut_at_divergence(run_method(problem, "rk4", x0, 0.7, scene.steps))
        assert np.array_equal(row, expected[0], equal_nan=True)
    assert np.isnan(r.bundle_x).any()                  # a start left of 0 runs off: cut as data


def test_a_method_that_blows_up_is_cut_like_euler():
    r = evaluate(QUADRATIC.with_(method="heun", steps=60))   # R(−3) = 2.5 per step
    assert r.diverged_at > 0 and np.all(np.isnan(r.x[r.diverged_at:]))
    assert abs(r.x[r.diverged_at - 1]) <= 1e12
    assert "diverge" in r.outcome_text


def test_the_batch_equals_one_run_per_start():
    problem = FlowProblem.from_text("x^4/4 - x^2/2", direction="descent")
    starts = np.array([-1.7, -0.3, 0.0, 0.4, 1.2])
    for method in ("implicit-euler", "newton"):
        rows = run_batch(problem, method, starts, 0.6, 25)
        for x0, row in zip(starts, rows):
            assert np.array_equal(row, run_method(problem, method, x0, 0.6, 25), equal_nan=True)


@pytest.mark.parametrize(("method", "bound", "words"), [
    ("heun", 2 / 3, "2/|f'(x*)| = 0.667"), ("rk4", 2.785293563405282 / 3, "2.785/|f'(x*)| = 0.928"),
    ("newton", 2.0, "h < 2"), ("implicit-euler", math.inf, "every h")])
def test_the_regime_names_the_method_and_its_bound(method, bound, words):
    r = evaluate(QUARTIC.with_(method=method, h=0.1))
    assert r.attractor is not None and r.attractor.x == pytest.approx(1.0)
    assert r.method_bounds == (() if math.isinf(bound) else (pytest.approx(bound),))
    assert words in r.local_text
    assert {"heun": "Heun", "rk4": "RK4", "newton": "Newton", "implicit-euler": "implicit Euler"}[method] in r.local_text


def test_above_the_bound_the_regime_is_divergence():
    r = evaluate(QUARTIC.with_(method="rk4", h=1.0, x0=1.01))
    assert r.regime == "divergence" and "above it" in r.local_text


def test_an_unknown_method_is_refused_in_words():
    with pytest.raises(ValueError, match="the method must be one of euler"):
        Scene(method="leapfrog")


def test_sessions_keep_the_method_and_old_files_read_as_euler():
    scene = QUARTIC.with_(method="implicit-euler")
    text = session_to_json(Session(scene))
    assert session_from_json(text).scene == scene
    document = json.loads(text)
    del document["scene"]["method"]                      # a file from before the field existed
    assert session_from_json(json.dumps(document)).scene == scene.with_(method="euler")


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.text(max_size=20), st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2)))
def test_a_session_with_a_bad_method_is_refused_with_one_sentence(value):
    document = json.loads(session_to_json(Session(QUARTIC)))
    document["scene"]["method"] = value
    if value in METHOD_NAMES:
        assert session_from_json(json.dumps(document)).scene.method == value
        return
    with pytest.raises(SessionError) as info:
        session_from_json(json.dumps(document), "s.gdviz")
    message = str(info.value)
    assert "method" in message and "\n" not in message
