"""Equations that parse but whose constant parts are no floating-point number (issue 12, item 8):
computed right where they have a value, refused with a sentence where they have none, never a
traceback from numpy, and never a hang."""
from __future__ import annotations

import math
import time

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.model.expressions import ExpressionError, parse
from gdviz.model.landscape.kernel import Kernel, Unsupported
from gdviz.model.momentum import MomentumScene, evaluate_momentum
from gdviz.model.results import evaluate
from gdviz.model.results2d import evaluate_2d
from gdviz.model.scene import Scene
from gdviz.model.scene2d import Scene2D

X = np.linspace(-1.0, 2.0, 7)


def exact(compute) -> float:
    """A constant computed by mpmath with 400 digits, then rounded: the independent answer."""
    with mpmath.workdps(400):
        return float(compute(mpmath))


SIN_1E300 = exact(lambda m: m.sin(m.mpf(10) ** 300))


@pytest.mark.parametrize("text, expected", [
    ("x + sin(10^300)", X + SIN_1E300),
    ("cos(2^64) - x", math.cos(2.0 ** 64) - X),            # 2^64 is a float exactly: math agrees
    ("x + ln(10^300)", X + 300 * math.log(10)),
    ("x * exp(2)", X * math.exp(2)),
    ("x + sin(exp(exp(5)))", X + exact(lambda m: m.sin(m.exp(m.exp(5))))),
])
def test_constants_beyond_numpys_integers_are_computed(text, expected):
    f = parse(text)
    values = f.numeric()(X)
    assert values.dtype == np.float64
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-12)
    assert f.scalar()(0.5) == pytest.approx(float(f.numeric()(np.array([0.5]))[0]), rel=1e-12)


@pytest.mark.parametrize("text, words", [
    ("x + exp(10^300)", "exp(10³⁰⁰) is beyond floating point"),
    ("x^2 + y^2 + exp(10^300)", "exp(10³⁰⁰) is beyond floating point"),
    ("x + sinh(1000)", "sinh(1000) is beyond floating point"),
    ("x + asin(2)", "asin(2) has no real value"),
    ("x + acosh(1/2)", "has no finite real value"),    # sympy finds i·π/3 itself
    ("x + exp(exp(exp(100)))", "exp(exp(100)) is beyond floating point"),    # stops at the first
])
def test_constants_without_a_float_value_are_refused_with_a_sentence(text, words):
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        parse(text, ("x", "y"))
    assert words in caught.value.message
    assert "\n" not in caught.value.message and len(caught.value.message) < 100
    assert time.perf_counter() - start < 2.0


def test_a_parameter_tower_does_not_hang_the_basin_kernel():
    # sympy's evalf of exp(exp(exp(a))) at a = 100 ran for ever; the kernel computes in floats
    grid = np.zeros((2, 2))
    start = time.perf_counter()
    with pytest.raises(Unsupported):
        Kernel(parse("x^2 + y^2 + exp(exp(exp(a)))", ("x", "y")), {"a": 100.0}, grid, grid)
    assert time.perf_counter() - start < 2.0
    kernel = Kernel(parse("x^2 + y^2 + sin(10^300) a", ("x", "y")), {"a": 2.0}, grid + 1, grid)
    np.testing.assert_allclose(kernel(), 1 + 2 * SIN_1E300)


@settings(max_examples=60, deadline=None)
@given(function=st.sampled_from(["sin", "cos", "tan", "exp", "atan", "sinh", "cosh", "tanh", "asin", "acos",
                                 "ln", "sqrt", "asinh", "acosh", "atanh"]),
       power=st.integers(-300, 300), mantissa=st.integers(1, 9))
def test_a_function_of_any_constant_is_a_float_or_a_sentence(function, power, mantissa):
    text = f"x + {function}({mantissa}*10^({power}))"
    try:
        f = parse(text)
    except ExpressionError as error:
        assert "\n" not in error.message
        return
    values = f.numeric()(X)
    assert values.dtype == np.float64 and np.isfinite(values).all()


# ------------------------------------------------------------------ nothing to draw on the range
def test_the_flow_says_when_f_is_undefined_everywhere_on_the_range():
    with pytest.raises(ValueError, match=r"^F is undefined everywhere on the range \[-0\.5, 1\.5\]$"):
        evaluate(Scene(text="asin(x + 5)"))
    with pytest.raises(ValueError, match=r"^f is undefined everywhere"):
        evaluate(Scene(text="sqrt(-1 - x^2)", kind="f"))
    with pytest.raises(ValueError, match="beyond floating point everywhere on the range"):
        evaluate(Scene(text="exp(1000 x)", x_range=(1.0, 2.0)))
    assert evaluate(Scene(text="ln(x)", x_range=(-1.0, 1.0))).grid_F.size     # defined on half: drawn


def test_the_plane_and_the_momentum_tab_say_it_too():
    with pytest.raises(ValueError, match="F is undefined everywhere on the plotted region"):
        evaluate_2d(Scene2D(text="sqrt(-1 - x^2 - y^2)"))
    with pytest.raises(ValueError, match="F is undefined everywhere on the x-range"):
        evaluate_momentum(MomentumScene(text="sqrt(-1 - x^2)"))
