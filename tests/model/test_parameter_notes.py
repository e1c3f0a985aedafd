"""A parameter named like a variable but for its case (`X^2`) is accepted with a note, in the model:
the parsed expression and every tab's result carry "X is a parameter; did you mean x?"."""
from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from gdviz.model.expressions import parameter_notes, parse
from gdviz.model.momentum import MomentumScene, evaluate_momentum
from gdviz.model.results import evaluate
from gdviz.model.results2d import evaluate_2d
from gdviz.model.scene import Scene
from gdviz.model.scene2d import Scene2D


def test_a_capital_x_is_a_parameter_with_a_note():
    e = parse("X^2")
    assert e.parameters == ("X",)                       # still accepted: X may be intended
    assert e.notes == ("X is a parameter; did you mean x?",)


def test_on_the_plane_both_capitals_get_a_note():
    e = parse("X^2 + Y^2 + x*y", ("x", "y"))
    assert e.notes == ("X is a parameter; did you mean x?", "Y is a parameter; did you mean y?")
    assert parse("x^2 + Y^2", ("x", "y")).notes == ("Y is a parameter; did you mean y?",)


def test_no_note_for_ordinary_parameters_or_the_variables():
    assert parse("a*x^2 - x^4").notes == ()
    assert parse("x^2").notes == ()
    assert parse("x^2 + y^2", ("x", "y")).notes == ()
    assert parse("Y*x").notes == ()                    # y is not a variable of a 1-D equation
    assert parse("k*x - x^3 + b").notes == ()


def test_a_capital_e_is_not_eulers_number():
    assert parse("E^x").notes == ("E is a parameter; did you mean e?",)


@given(st.sampled_from(string.ascii_letters), st.sampled_from([("x",), ("x", "y")]))
def test_a_note_exactly_when_the_name_differs_from_a_meaningful_one_only_by_case(name, variables):
    if name in variables or name == "e":
        return                                          # a variable or the constant: no parameter
    e = parse(f"{name} + x", variables)
    meaningful = {*variables, "e"}
    expected = name.lower() in meaningful
    assert bool(e.notes) == expected
    assert e.notes == parameter_notes(e.parameters, variables)
    if expected:
        assert e.notes == (f"{name} is a parameter; did you mean {name.lower()}?",)


def test_every_tab_result_carries_the_note():
    assert evaluate(Scene(text="X^2")).notes == ("X is a parameter; did you mean x?",)
    assert evaluate(Scene(text="x*(1-X)", kind="f")).notes == ("X is a parameter; did you mean x?",)
    assert evaluate(Scene(text="a*x^2")).notes == ()
    assert evaluate_2d(Scene2D(text="x^2 + Y^2")).notes == ("Y is a parameter; did you mean y?",)
    assert evaluate_2d(Scene2D(text="x^2 + a*y^2")).notes == ()
    assert evaluate_momentum(MomentumScene(text="X^2/2", steps=20)).notes == ("X is a parameter; did you mean x?",)
    assert evaluate_momentum(MomentumScene(text="a*x^2/2", steps=20)).notes == ()
