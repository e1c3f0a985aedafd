"""Lessons: the TOML format, its defensive reader, the markup, the secant model, and the built-in
lesson's claims checked against the model (every number a student reads is computed here)."""
# The lesson's text is typeset (−, ′, γ): the tests quote it exactly.
from __future__ import annotations

import json
import math
import re
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.model import evaluate
from gdviz.model.bifurcation import period_of
from gdviz.model.expressions import parse
from gdviz.model.lesson import (
    MAX_STEPS,
    MAX_TEXT,
    VIEWS,
    Lesson,
    LessonError,
    builtin_lesson_path,
    inline_html,
    lesson_from_bytes,
    lesson_from_text,
    load_builtin_lesson,
    load_lesson,
    text_to_html,
)
from gdviz.model.problem import Regime, Stability
from gdviz.model.scene import Scene
from gdviz.model.secant import DT_MIN, SecantSetup, secant_function, secant_slopes

MINIMAL = '''
title = "Two minima"
[[steps]]
title = "The start decides"
text = "Gradient descent only goes downhill from where it starts."
preset = "double-well"
try = "Drag x₀ across the hump."
'''


@pytest.fixture(scope="module", autouse=True)
def _warm_parser():
    parse("x^2")   # import sympy once, outside the timed checks


@pytest.fixture(scope="module")
def article() -> Lesson:
    return load_builtin_lesson()


def step_titled(lesson: Lesson, fragment: str):
    found = [s for s in lesson.steps if fragment.lower() in s.title.lower()]
    assert len(found) == 1, f"one step with {fragment!r} in its title, found {[s.title for s in found]}"
    return found[0]


def refused(text: str | bytes, *fragments: str) -> str:
    start = time.perf_counter()
    with pytest.raises(LessonError) as info:
        if isinstance(text, bytes):
            lesson_from_bytes(text, "mine.toml")
        else:
            lesson_from_text(text, "mine.toml")
    message = str(info.value)
    assert message.startswith("mine.toml: "), message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    assert "\n" not in message and len(message) < 600, message   # one sentence, not a dump
    assert time.perf_counter() - start < 2.0
    return message


def with_step(body: str, title: str = "S") -> str:
    return f'title = "L"\n[[steps]]\ntitle = "{title}"\ntext = "T."\n{body}\n'


# ---------------------------------------------------------------------------------------- format
def test_a_minimal_lesson_reads_with_defaults():
    lesson = lesson_from_text(MINIMAL, "two.toml")
    assert lesson.title == "Two minima" and lesson.author == "" and len(lesson.steps) == 1
    step = lesson.steps[0]
    assert step.view == "flow" and step.try_this == "Drag x₀ across the hump." and step.demo == ""
    assert step.scene is not None and step.scene.preset == "double-well" and step.scene.text == "x^4/4 - x^2/2 + x/10"
    assert step.plane is None and step.momentum is None and step.secant is None


def test_a_step_that_loads_nothing_is_allowed_and_shows_the_flow():
    step = lesson_from_text(with_step("")).steps[0]
    assert step.scene is step.plane is step.momentum is None and step.view == "flow"


def test_scene_fields_override_the_preset_and_a_new_equation_drops_the_presets_name():
    lesson = lesson_from_text(with_step('preset = "logistic"\n[steps.scene]\nh = 2\nsteps = 40\n'
                                        'compare_h = [1, 0.5]\nh_range = [0.5, 3.0]\nbundle = true'))
    s = lesson.steps[0].scene
    assert (s.preset, s.h, s.steps, s.compare_h, s.h_range, s.bundle) == ("logistic", 2.0, 40, (1.0, 0.5), (0.5, 3.0), True)
    s = lesson_from_text(with_step('preset = "logistic"\n[steps.scene]\ntext = "x - x^3"\nkind = "f"')).steps[0].scene
    assert (s.text, s.kind, s.preset) == ("x - x^3", "f", "")   # the logistic's explanation would be wrong now


def test_without_a_preset_the_scene_starts_from_the_defaults():
    s = lesson_from_text(with_step('[steps.scene]\ntext = "a*x - x^3"\nkind = "f"\nparams = { a = 1.5 }')).steps[0].scene
    assert s.params == (("a", 1.5),) and s.h == Scene().h and s.preset == ""


def test_the_view_follows_what_the_step_loads_unless_it_is_given():
    plane = lesson_from_text(with_step('plane_preset = "saddle"')).steps[0]
    assert plane.view == "2d" and plane.plane.preset == "saddle" and plane.scene is None
    mom = lesson_from_text(with_step('momentum_preset = "pendulum"\n[steps.momentum]\nv0 = 0.5')).steps[0]
    assert mom.view == "momentum" and mom.momentum.v0 == 0.5 and mom.momentum.preset == "pendulum"
    both = lesson_from_text(with_step('preset = "cubic"\nplane_preset = "saddle"')).steps[0]
    assert both.view == "flow"
    for view in VIEWS:
        assert lesson_from_text(with_step(f'view = "{view}"')).steps[0].view == view


def test_2d_fields_are_type_checked_and_built():
    step = lesson_from_text(with_step('[steps.plane]\ntext = "x^2 + 3y^2"\nstarts = [[1, 1], [-1.5, 0.5]]\n'
                                      'optimizers = ["GD", "Adam"]\nlr = 0.1\nbasins = true')).steps[0]
    assert step.plane.starts == ((1.0, 1.0), (-1.5, 0.5)) and step.plane.optimizers == ("GD", "Adam")
    assert step.plane.basins is True and step.view == "2d"


def test_the_secant_demo_takes_its_settings():
    step = lesson_from_text(with_step('demo = "secant"\n[steps.secant]\nx = "t^3"\nt0 = 0.5\ndt = -0.5\n'
                                      't_range = [-1, 1]')).steps[0]
    assert step.demo == "secant" and step.secant == SecantSetup("t^3", 0.5, -0.5, (-1.0, 1.0))
    assert lesson_from_text(with_step('demo = "secant"')).steps[0].secant == SecantSetup()


def test_integral_floats_are_whole_numbers_and_integers_are_numbers():
    s = lesson_from_text(with_step('[steps.scene]\nsteps = 40.0\nh = 1\nx_range = [-1, 2]')).steps[0].scene
    assert s.steps == 40 and isinstance(s.h, float) and s.x_range == (-1.0, 2.0)


@pytest.mark.parametrize("text, fragments", [
    ("", ["empty"]),
    ("   \n# only a comment\n", ["no lesson"]),
    ("title = ", ["not valid TOML"]),
    ('title = "L"', ["no steps"]),
    ('steps = []\ntitle = "L"', ["no steps"]),
    ('[[steps]]\ntitle = "S"\ntext = "T"', ["no title"]),
    ('title = 3\n[[steps]]\ntitle = "S"\ntext = "T"', ["'title'", "text", "3"]),
    ('title = "L"\nsteps = "one"', ["'steps'", "[[steps]]"]),
    ('title = "L"\ntitel = "x"\n[[steps]]\ntitle = "S"\ntext = "T"', ["unknown key", '"titel"', "did you mean"]),
    ('title = "L"\nversion = 7\n[[steps]]\ntitle = "S"\ntext = "T"', ["newer gdviz", "7"]),
    ('title = "L"\nversion = 0\n[[steps]]\ntitle = "S"\ntext = "T"', ["version"]),
    ('title = "L"\n[[steps]]\ntext = "T"', ["step 1", "no title"]),
    ('title = "L"\n[[steps]]\ntitle = "Intro"\n', ['step 1 ("Intro")', "no text"]),
    ('title = "L"\n[[steps]]\ntitle = "Intro"\ntext = ""', ['step 1 ("Intro")', "'text' is empty"]),
    (with_step('tyr = "x"'), ["step 1", '"tyr"', 'did you mean "try"']),
    (with_step('view = "graph"'), ["step 1", "'view'", '"flow"', "graph"]),
    (with_step('view = 2'), ["'view'", "found 2"]),
    (with_step('preset = "logistics"'), ["step 1", "no preset named 'logistics'", "logistic"]),
    (with_step('plane_preset = "bowl"'), ["no 2-D preset named 'bowl'"]),
    (with_step('momentum_preset = "swing"'), ["no momentum preset named 'swing'"]),
    (with_step('demo = "tangent"'), ["'demo'", '"secant"']),
    (with_step('[steps.secant]\nx = "t"'), ["need demo"]),
    (with_step('scene = 3'), ["'scene' must be a table", "found 3"]),
    (with_step('[steps.scene]\nh = "0.5"'), ["'scene.h' must be a number", 'the text "0.5"']),
    (with_step('[steps.scene]\nh = true'), ["'scene.h' must be a number", "true"]),
    (with_step('[steps.scene]\nh = -1'), ["scene settings are not valid", "step size h must be a positive"]),
    (with_step('[steps.scene]\nh = inf'), ["'scene.h'", "finite"]),
    (with_step('[steps.scene]\nx0 = nan'), ["'scene.x0'", "finite"]),
    (with_step('[steps.scene]\nx0 = 1e400'), ["'scene.x0'", "finite"]),
    (with_step('[steps.scene]\nx0 = 1e300'), ["'scene.x0'", "at most"]),
    (with_step('[steps.scene]\nsteps = 99999999999999999999999999999999'), ["'scene.steps'", "too large"]),
    (with_step('[steps.scene]\nsteps = 2.5'), ["'scene.steps' must be a whole number", "2.5"]),
    (with_step('[steps.scene]\nsteps = 0'), ["steps must be a whole number from 1"]),
    (with_step('[steps.scene]\nx_range = [2, 1]'), ["'scene.x_range' needs A < B"]),
    (with_step('[steps.scene]\nx_range = [1]'), ["'scene.x_range' must be a list of two numbers"]),
    (with_step('[steps.scene]\nkind = "g"'), ["'scene.kind'", '"F"', '"f"']),
    (with_step('[steps.scene]\npreset = "logistic"'), ['unknown key "scene.preset"']),
    (with_step('[steps.scene]\ncompare_h = [1, 2, 3, 4, 5, 6, 7, 8, 9]'), ["compare_h", "at most 8"]),
    (with_step('[steps.scene]\nparams = { "a b" = 1 }'), ["parameter name"]),
    (with_step('[steps.scene]\nx0 = 1979-05-27'), ["'scene.x0' must be a number", "date"]),
    (with_step('[steps.scene]\ntext = "__import__(\'os\').system(\'ls\')"'), ["scene.text", "does not parse"]),
    (with_step('[steps.scene]\ntext = "x^2 +"'), ["scene.text", "does not parse"]),
    (with_step('[steps.scene]\ntext = "' + "x+" * 400 + 'x"'), ["'scene.text' is too long"]),
    (with_step('[steps.scene]\ntext = 5'), ["'scene.text' must be an equation"]),
    (with_step('[steps.plane]\ntext = "x^2 + z^2 + exp(exp(exp(x)))*q"\nstarts = "here"'), ["'plane.starts'"]),
    (with_step('[steps.plane]\noptimizers = ["SGD"]'), ["'plane.optimizers[0]'", '"GD"']),
    (with_step('[steps.plane]\nlr = -0.1'), ["plane settings are not valid", "learning rate"]),
    (with_step('[steps.plane]\ntext = "x^2 + y^"'), ["plane.text", "does not parse"]),
    (with_step('[steps.momentum]\nmomentum = 2'), ["momentum settings are not valid", "μ"]),
    (with_step('[steps.momentum]\nfriction = 2'), ['unknown key "momentum.friction"']),
    (with_step('demo = "secant"\n[steps.secant]\nx = "a*t"'), ["secant.x", "does not parse"]),
    (with_step('demo = "secant"\n[steps.secant]\ndt = 0'), ["secant settings are not valid", "Δt"]),
    (with_step('demo = "secant"\n[steps.secant]\nt0 = 9'), ["t0 must lie inside"]),
])
def test_a_bad_lesson_is_refused_with_one_sentence_naming_the_place(text, fragments):
    refused(text, *fragments)


def test_the_second_bad_step_is_named_by_number_and_title():
    text = MINIMAL + '\n[[steps]]\ntitle = "Too big"\ntext = "x"\n[steps.scene]\nh = 0\n'
    refused(text, 'step 2 ("Too big")', "step size h")


def test_caps_on_steps_text_and_size():
    many = 'title = "L"\n' + '[[steps]]\ntitle = "S"\ntext = "T"\n' * (MAX_STEPS + 1)
    refused(many, f"{MAX_STEPS + 1} steps", f"at most {MAX_STEPS}")
    refused(with_step("").replace('text = "T."', f'text = "{"w " * MAX_TEXT}"'), "'text' is too long")
    refused(with_step('try = "' + "x" * 400 + '"'), "'try' is too long")
    huge = "# " + "x" * (10 * 1024 * 1024) + "\n" + MINIMAL      # 10 MB: refused before TOML sees it
    refused(huge, "too large")
    refused(huge.encode(), "too large")


def test_bytes_must_be_utf8_and_a_byte_order_mark_is_fine():
    assert lesson_from_bytes(b"\xef\xbb\xbf" + MINIMAL.encode()).title == "Two minima"
    refused(b"title = \"\xff\"", "not UTF-8")


def test_load_lesson_reads_a_file_and_names_it_in_errors(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    lesson = load_lesson(path)
    assert lesson.source == str(path) and lesson.steps[0].scene.preset == "double-well"
    path.write_text(MINIMAL.replace("double-well", "triple-well"), encoding="utf-8")
    with pytest.raises(LessonError, match=r"^mine\.toml: Step 1 \(\"The start decides\"\): no preset named"):
        load_lesson(path)
    with pytest.raises(LessonError, match=r"^nope\.toml: could not read the file"):
        load_lesson(tmp_path / "nope.toml")
    with pytest.raises(LessonError, match="could not read"):
        load_lesson(tmp_path)                      # a folder


def test_a_file_over_the_cap_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.toml"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)               # sparse: 50 MB of size, nothing written
    start = time.perf_counter()
    with pytest.raises(LessonError, match=r"^big\.toml: the file is too large for a lesson"):
        load_lesson(path)
    assert time.perf_counter() - start < 5.0     # no hang (generous: a loaded machine)


def test_the_format_is_documented_in_the_built_in_lessons_header():
    header = builtin_lesson_path().read_text(encoding="utf-8").split("\ntitle = ")[0]
    for key in ("title", "text", "try", "view", "preset", "[steps.scene]", "plane_preset", "[steps.plane]",
                "momentum_preset", "[steps.momentum]", 'demo = "secant"', "[steps.secant]", "*emphasis*",
                "**bold**", "`code`"):
        assert key in header, key
    # ...and the minimal example in it is itself a lesson that reads
    example = "\n".join(line[4:] for line in header.split("A minimal lesson:")[1].splitlines() if line.startswith("#   "))
    assert lesson_from_text(example).steps[0].scene.preset == "double-well"


# ---------------------------------------------------------------------------------------- markup
def test_markup_is_tiny_and_everything_else_is_escaped():
    assert inline_html("**bold** and *soft* and `x^2 <b>`") == \
        "<b>bold</b> and <i>soft</i> and <code>x^2 &lt;b&gt;</code>"
    assert inline_html("x_{n+1} = x_{n} + h·f(x_{n}), e^{t}") == \
        "x<sub>n+1</sub> = x<sub>n</sub> + h·f(x<sub>n</sub>), e<sup>t</sup>"
    # the equilibrium's star is not emphasis, even twice in a line
    assert inline_html("x* = 0 and x* = 1 are *equilibria*") == "x* = 0 and x* = 1 are <i>equilibria</i>"
    assert inline_html("2*3*4 and a * b") == "2*3*4 and a * b"
    assert inline_html('<img src=x onerror="alert(1)"> & <a href="http://x">') == \
        '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;a href=&quot;http://x&quot;&gt;'
    assert inline_html("`**not bold**`") == "<code>**not bold**</code>"


def test_paragraphs_and_bullets():
    out = text_to_html("One\nline.\n\nTwo:\n- a\n- b *c*\n  continued\nafter")
    assert out == ("<p>One line.</p>\n<p>Two:</p>\n<ul><li>a</li><li>b <i>c</i> continued</li></ul>\n"
                   "<p>after</p>")


ALLOWED_TAG = re.compile(r"</?(p|ul|li|b|i|code|sub|sup)>")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300) | st.text(alphabet="*`_^{}<>&\"'-\n x", max_size=80))
def test_any_text_becomes_html_with_only_the_allowed_tags(text):
    out = text_to_html(text)
    assert "<" not in ALLOWED_TAG.sub("", out)


# ---------------------------------------------------------------------------------------- fuzz
def _outcome(read):
    try:
        return read()
    except LessonError as error:
        assert str(error).startswith("mine.toml: ") and "\n" not in str(error)
        return None


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000) | st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_give_a_lesson_or_a_lesson_error(data):
    _outcome(lambda: lesson_from_bytes(data, "mine.toml"))


TOML_SOUP = st.text(alphabet='[]{}=".,#\n 0123456789abcdehilnprstuvwxyzA-_+*^()\'', max_size=300)


@settings(max_examples=300, deadline=None)
@given(text=TOML_SOUP)
def test_any_toml_like_text_gives_a_lesson_or_a_lesson_error(text):
    _outcome(lambda: lesson_from_text(text, "mine.toml"))


def _toml(value) -> str:
    """A TOML literal for a generated value (JSON strings are TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"


toml_values = st.recursive(
    st.none().map(lambda _: "") | st.booleans() | st.integers(-10**30, 10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)
PLACES = [("", "title"), ("", "view"), ("", "try"), ("", "preset"), ("", "plane_preset"), ("", "momentum_preset"),
          ("", "demo"), ("scene", "text"), ("scene", "h"), ("scene", "x0"), ("scene", "steps"), ("scene", "x_range"),
          ("scene", "bundle"), ("scene", "compare_h"), ("scene", "params"), ("scene", "kind"),
          ("plane", "starts"), ("plane", "optimizers"), ("plane", "lr"), ("plane", "text"),
          ("momentum", "lr"), ("momentum", "x_range"), ("momentum", "steps")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), value=toml_values)
def test_any_value_anywhere_gives_a_lesson_or_a_lesson_error(place, value):
    table, key = place
    body = f"{key} = {_toml(value)}" if not table else f"[steps.{table}]\n{key} = {_toml(value)}"
    lesson = _outcome(lambda: lesson_from_text(with_step(body), "mine.toml"))
    if lesson is not None:
        assert len(lesson.steps) == 1


# ---------------------------------------------------------------------------------------- secant
@pytest.mark.parametrize("text, t0, second", [("exp(t)", 1.0, math.e), ("t^3", 0.5, 3.0), ("sin(t)", 0.3, -math.sin(0.3)),
                                              ("exp(t)", -0.7, math.exp(-0.7))])
def test_the_secant_slope_tends_to_the_tangent_slope_with_error_of_order_dt(text, t0, second):
    f = secant_function(text)
    dts = np.array([0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001])
    err = secant_slopes(f, t0, dts) - f.speed(np.array([t0]))[0]
    # Taylor: secant − tangent = x''(t0)·Δt/2 + O(Δt²)
    np.testing.assert_allclose(err / dts, second / 2, rtol=0.2)
    assert np.all(np.abs(np.diff(np.abs(err))) > 0) and np.all(np.diff(np.abs(err)) < 0)   # shrinks with Δt
    slope, _ = np.polyfit(np.log(dts), np.log(np.abs(err)), 1)
    assert 0.9 < slope < 1.1
    # from the left too: Δt < 0 gives the same limit from the other side
    left = secant_slopes(f, t0, -dts) - f.speed(np.array([t0]))[0]
    np.testing.assert_allclose(left / -dts, second / 2, rtol=0.2)


def test_the_secant_state_is_the_average_speed():
    f = secant_function("exp(t)")
    s = f.state(1.0, 1.0)
    assert s.x0 == pytest.approx(math.e) and s.x1 == pytest.approx(math.e ** 2)
    assert s.secant_slope == pytest.approx(math.e ** 2 - math.e) and s.tangent_slope == pytest.approx(math.e)
    assert s.t1 == 2.0 and s.error == pytest.approx(s.secant_slope - math.e)
    np.testing.assert_allclose(s.secant_at(np.array([1.0, 2.0])), [s.x0, s.x1])
    assert f.state(1.0, DT_MIN).error == pytest.approx(math.e * DT_MIN / 2, rel=0.01)
    with pytest.raises(ValueError):
        f.state(1.0, 0.0)
    t, x = f.curve((-1.0, 2.5))
    assert t[0] == -1.0 and t[-1] == 2.5 and np.allclose(x, np.exp(t))


def test_a_position_undefined_somewhere_gives_nan_not_a_warning(recwarn):
    f = secant_function("sqrt(t)")
    t, x = f.curve((-1.0, 1.0))
    assert np.isnan(x[t < 0]).all() and np.isfinite(x[t > 0]).all()
    assert math.isnan(f.state(-0.5, 0.1).secant_slope)
    assert not recwarn.list


# ---------------------------------------------------------------------------------------- the built-in lesson
def test_the_built_in_lesson_walks_through_the_article_in_order(article):
    titles = [s.title.lower() for s in article.steps]
    order = ["derivative", "bundle", "logistic", "stable", "euler", "shrinking", "gradient ascent",
             "descent", "learning rate", "modified equation", "implicit euler", "corner", "two dimensions",
             "momentum", "whole story", "edge of stability"]
    positions = [next(i for i, t in enumerate(titles) if key in t) for key in order]
    assert positions == sorted(positions) and len(article.steps) == len(order)
    assert article.steps[0].demo == "secant"
    assert {s.view for s in article.steps} == {"flow", "lab", "2d", "momentum", "edge"}
    assert article.steps[-1].view == "edge"            # issue 15: the lesson ends at the edge of stability
    assert article.source == "" and article.title and article.description


def test_every_step_is_short_and_every_step_loads_something(article):
    for step in article.steps:
        sentences = len(re.findall(r"[.!?:](\s|$)", step.text))
        assert 2 <= sentences <= 8, (step.title, sentences)
        assert len(step.text) < 900, step.title
        assert step.try_this, step.title
        # the edge-of-stability tab has no scene a lesson sets: its step brings the tab forward
        assert (step.scene, step.plane, step.momentum) != (None, None, None) or step.view == "edge", step.title
        assert "<" not in ALLOWED_TAG.sub("", step.html)


def test_claims_the_secant_step(article):
    step = article.steps[0]
    f = secant_function(step.secant.x)
    assert f.state(step.secant.t0, 1e-3).tangent_slope == pytest.approx(math.exp(step.secant.t0))
    assert "x′(t₀) = x(t₀)" in step.text         # e^t is its own derivative
    # the window shows the same curve: x' = x from x0 = 1 is e^t
    r = evaluate(step.scene)
    assert step.scene.x0 == 1.0 and r.ref_x[-1] == pytest.approx(math.exp(r.ref_t[-1]), rel=1e-6)


def test_claims_the_bundle_step(article):
    step = step_titled(article, "bundle")
    r = evaluate(step.scene)
    assert step.scene.bundle and r.bundle_x.shape[0] > 5
    assert [(e.x, e.stability) for e in r.equilibria] == [(0.0, Stability.UNSTABLE)]
    assert "x* = 0" in step.text


def test_claims_the_logistic_step(article):
    step = step_titled(article, "logistic equation")
    r = evaluate(step.scene)
    assert [(round(e.x, 9), e.stability) for e in r.equilibria] == [(0.0, Stability.UNSTABLE), (1.0, Stability.STABLE)]
    assert "x* = 0 and x* = 1" in step.text
    assert r.x[-1] == pytest.approx(1.0, abs=1e-3) and np.all(np.diff(r.x) > 0)   # rises towards 1


def test_claims_stable_versus_unstable(article):
    step = step_titled(article, "stable versus unstable")
    r = evaluate(step.scene)
    got = [(round(e.x, 9), e.stability, round(e.slope, 9)) for e in r.equilibria]
    assert got == [(-1.0, Stability.STABLE, -2.0), (0.0, Stability.UNSTABLE, 1.0), (1.0, Stability.STABLE, -2.0)]
    assert "f′ = −2" in step.text and "f′ = 1" in step.text
    # a hair on either side of 0 goes to either side
    for x0, end in ((0.05, 1.0), (-0.05, -1.0)):
        assert evaluate(step.scene.with_(x0=x0, h=0.05, steps=400)).x[-1] == pytest.approx(end, abs=1e-3)


def test_claims_eulers_big_step(article):
    step = step_titled(article, "euler's method: one step")
    r = evaluate(step.scene)
    assert step.scene.h == 1.8 and "h = 1.8" in step.text
    assert r.x[1] < 1 and r.x[2] < 1 and r.x[3] > 1            # past the capacity on the third step
    signs = np.sign(r.x[3:] - 1)
    assert np.all(signs[1:] == -signs[:-1])                   # then zig-zag around it
    assert str(r.regime) in ("oscillating convergence", "Regime.OSCILLATING") or "oscillat" in str(r.regime).lower()


def test_claims_shrinking_h(article):
    from gdviz.model.lab import evaluate_lab
    step = step_titled(article, "shrinking")
    lab = evaluate_lab(step.scene)
    slopes = lab.sweep.slopes
    assert slopes["Euler"] == pytest.approx(1, abs=0.15)
    assert slopes["Heun"] == pytest.approx(2, abs=0.3) and slopes["RK4"] == pytest.approx(4, abs=0.5)
    errors = {run.h: e for run, e in zip(lab.runs, lab.max_errors, strict=True)}
    assert 1.5 < errors[1.0] / errors[0.5] < 2.5 and errors[0.1] < errors[0.5] < errors[1.0] < errors[1.8]


def test_claims_gradient_ascent_on_the_articles_f(article):
    step = step_titled(article, "gradient ascent is")
    r = evaluate(step.scene)
    assert step.scene.text == "x^2/2 - x^3/3" and step.scene.direction == "ascent"
    F = parse(step.scene.text)
    assert F.derivative().scalar()(1.0) == 0 and F.derivative().derivative().scalar()(1.0) == -1
    top = next(e for e in r.equilibria if e.x == pytest.approx(1.0))
    assert top.stability is Stability.STABLE
    f = evaluate(Scene(text="x(1-x)", kind="f", h=step.scene.h, x0=step.scene.x0, steps=step.scene.steps))
    np.testing.assert_allclose(r.x, f.x, rtol=1e-12)         # the same iterates as the logistic equation


def test_claims_descent_on_minus_f(article):
    step = step_titled(article, "descent on")
    down = evaluate(step.scene)
    up = evaluate(Scene(text="x^2/2 - x^3/3", direction="ascent", h=step.scene.h, x0=step.scene.x0,
                        steps=step.scene.steps))
    np.testing.assert_allclose(down.x, up.x, rtol=1e-12)
    assert [(round(e.x, 9), e.stability) for e in down.equilibria] == [(0.0, Stability.UNSTABLE), (1.0, Stability.STABLE)]
    flipped = evaluate(step.scene.with_(direction="ascent"))    # the "try" line
    assert [(round(e.x, 9), e.stability) for e in flipped.equilibria] == [(0.0, Stability.STABLE), (1.0, Stability.UNSTABLE)]


def _orbit(h: float, x0: float = 0.1, n: int = 20_000, kept: int = 1000) -> np.ndarray | None:
    """The Euler map of the logistic, g(x) = x + h·x(1 − x), iterated; None if it escapes."""
    x = x0
    tail = []
    for k in range(n):
        x = x + h * x * (1 - x)
        if not abs(x) < 1e6:
            return None
        if k >= n - kept:
            tail.append(x)
    return np.array(tail)


def test_claims_the_corner_step(article):
    step = step_titled(article, "corner")
    r = evaluate(step.scene)
    assert r.x[:7] == pytest.approx([1.0, 0.7, 0.4, 0.1, -0.2, 0.1, -0.2])
    assert "0.7, 0.4,\n0.1, −0.2, 0.1, −0.2" in step.text.replace("\r", "")
    assert np.all(np.abs(r.x[3:]) <= step.scene.h + 1e-12)             # never farther than h
    a = r.attractor
    assert a.x == pytest.approx(0.0, abs=1e-12) and a.jump == pytest.approx((1.0, -1.0))
    assert all(a.regime(h) is Regime.BOUNCING for h in (0.3, 0.15, 0.075))
    # the exact flow arrives at t = |x0| = 1 and stays
    assert r.ref_x[r.ref_t <= 1] == pytest.approx(1 - r.ref_t[r.ref_t <= 1], abs=1e-9)
    assert r.ref_x[r.ref_t >= 1] == pytest.approx(0.0, abs=1e-9)
    assert "t = |x₀|" in step.text and "h = 0.3 from x₀ = 1" in step.text


def test_claims_the_learning_rate_thresholds(article):
    step = step_titled(article, "learning rate")
    assert step.view == "lab" and step.scene.preset == "logistic"
    r = evaluate(step.scene)
    a = r.attractor
    assert a is not None and a.x == pytest.approx(1.0) and a.slope == pytest.approx(-1.0)
    assert a.h_monotone == pytest.approx(1.0) and a.h_stable == pytest.approx(2.0)
    assert "1/|f′(x*)| = 1" in step.text and "2/|f′(x*)| = 2" in step.text
    # the bifurcation diagram's story: 2-cycle to √6 ≈ 2.45, then 4, ..., chaos from ≈ 2.57, escape past 3
    assert "2.45" in step.text and "2.57" in step.text and "h = 3" in step.text
    assert math.sqrt(6) == pytest.approx(2.45, abs=0.005)
    assert period_of(_orbit(0.9)) == 1 and period_of(_orbit(1.5)) == 1
    assert period_of(_orbit(2.2)) == 2 and period_of(_orbit(2.44)) == 2
    assert period_of(_orbit(2.46)) == 4 and period_of(_orbit(2.5)) == 4
    assert period_of(_orbit(2.6)) is None and _orbit(2.6) is not None          # chaos, bounded
    assert _orbit(2.99) is not None and _orbit(3.05) is None
    assert step.scene.h == 2.2 and period_of(_orbit(step.scene.h)) == 2      # what the step shows


def test_claims_the_modified_equation(article):
    from gdviz.model.modified import modified_problem
    from gdviz.model.reference import reference_solution
    from gdviz.model.results import build_problem
    step = step_titled(article, "modified equation")
    s = step.scene
    assert s.modified and s.shows_modified and s.preset == "logistic" and (s.h, s.x0) == (0.5, 0.1)
    r = evaluate(s)
    assert r.modified_x.size and r.grid_F_modified.size          # the dashed curves are drawn

    def gaps(h: float) -> tuple[float, float, float]:
        """Euler's largest distance to the exact and to the modified flow at t_n, and theirs."""
        scene = s.with_(h=h, steps=round(15 / h))
        problem = build_problem(scene)
        t_end, n = scene.steps * h, scene.steps + 1
        exact = reference_solution(problem, s.x0, t_end, n).x[0]
        modified = reference_solution(modified_problem(problem, h), s.x0, t_end, n).x[0]
        x = evaluate(scene).x
        return np.max(np.abs(x - exact)), np.max(np.abs(x - modified)), np.max(np.abs(modified - exact))

    to_exact, to_modified, _ = gaps(0.5)
    assert 5.5 < to_exact / to_modified < 7.0 and "about six\ntimes closer" in step.text
    # F̃ for ascent is F − (h/4)F′² (descent F + ...); it equals F at the equilibria x* = 0, 1
    x = r.grid_x
    np.testing.assert_allclose(r.grid_F_modified, r.grid_F - s.h / 4 * (x - x ** 2) ** 2, atol=1e-12)
    assert "F̃ = F − (h/4)·F′² for ascent" in step.text and "F̃ = F + (h/4)·F′²" in step.text
    # the try line: F̃ peels away from F as h grows, and so does the modified flow from the exact one
    drift = [gaps(h)[2] for h in (0.1, 0.5, 1.0)]
    assert drift[0] < drift[1] < drift[2]
    # past h = 1 the iterates zig-zag, which no solution of a 1-D flow does
    zigzag = evaluate(s.with_(h=1.5))
    assert np.any(np.diff(np.sign(np.diff(zigzag.x))) != 0) and np.all(np.diff(zigzag.modified_x) >= -1e-12)
    assert "Past h = 1 the iterates zig-zag" in step.text.replace("\n", " ")


def test_claims_implicit_euler(article):
    from gdviz.model.method_names import METHOD_TITLES
    step = step_titled(article, "implicit euler")
    s = step.scene
    assert (s.text, s.kind, s.direction, s.method, s.h, s.x0) == ("x^2/2", "F", "descent", "implicit-euler", 3.0, 1.0)
    assert f"“{METHOD_TITLES['implicit-euler']}”" in step.text
    assert f"“{METHOD_TITLES['euler']}”" in step.try_this               # the combo's text for descent
    r = evaluate(s)
    assert np.array_equal(r.x, 4.0 ** -np.arange(s.steps + 1))          # x_n = 4^(−n)
    assert "x_{n} = 4^{−n}" in step.text and "h = 3" in step.text
    assert r.attractor_bound == np.inf                                   # every h > 0 contracts
    explicit = evaluate(s.with_(method="euler"))
    assert np.array_equal(explicit.x, (-2.0) ** np.arange(s.steps + 1))   # 1, −2, 4, −8, ...
    assert "1 − h = −2" in step.text and "1, −2, 4, −8" in step.try_this


def test_claims_two_dimensions(article):
    from gdviz.model.landscape import Landscape, critical_points
    step = step_titled(article, "two dimensions")
    plane = step.plane
    points = critical_points(Landscape.from_text(plane.text, plane.param_dict), plane.x_range, plane.y_range)
    kinds = {str(getattr(p.kind, "value", p.kind)): p for p in points}
    minima = sorted(p.x for p in points if "min" in str(getattr(p.kind, "value", p.kind)))
    saddles = [p.x for p in points if "saddle" in str(getattr(p.kind, "value", p.kind))]
    assert minima == pytest.approx([-1.04, 0.96], abs=0.005), kinds
    assert saddles == pytest.approx([0.075], abs=0.0005)
    assert "x ≈ −1.04" in step.text and "x ≈ 0.96" in step.text and "x ≈ 0.075" in step.text
    assert plane.optimizers == ("GD",) and plane.basins


def test_claims_momentum_is_physics(article):
    from gdviz.model.momentum import evaluate_momentum
    step = step_titled(article, "momentum is physics")
    m = step.momentum
    assert (m.lr, m.momentum) == (0.04, 0.9) and "lr = 0.04 and μ = 0.9" in step.text
    assert m.dt == pytest.approx(0.2) and m.gamma == pytest.approx(0.5)
    assert "Δt = 0.2 and γ = (1 − μ)/Δt = 0.5" in step.text
    r = evaluate_momentum(m)
    kinds = {round(e.x, 6): e.kind.value for e in r.equilibria}
    assert kinds == {0.0: "saddle", 1.0: "stable focus"} or (kinds[0.0] == "saddle" and "focus" in kinds[1.0]), kinds
    assert parse(m.text).expr.equals(-parse("x^2/2 - x^3/3").expr)   # minus the logistic example's F
    # the ball overshoots the bottom and comes back: x_n crosses 1 more than once
    crossings = np.count_nonzero(np.diff(np.sign(r.run.x - 1.0)) != 0)
    assert crossings >= 2


def test_the_built_in_lesson_reads_quickly(article):
    start = time.perf_counter()
    load_builtin_lesson()
    assert time.perf_counter() - start < 2.0


def test_the_readmes_example_lesson_reads():
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The guided lesson"):]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    lesson = lesson_from_text(example)
    assert [s.view for s in lesson.steps] == ["flow", "2d"] and lesson.steps[0].scene.preset == "double-well"


def test_claims_the_edge_of_stability(article):
    """Every number of the last step, measured on the tab's default training (6000 steps)."""
    from gdviz.model.training import TrainScene, evaluate_training
    step = step_titled(article, "edge of stability")
    scene = TrainScene()
    assert scene.rates == (0.4, 0.25, 0.1) and "η = 0.4, 0.25\nand 0.1" in step.text
    runs = {run.rate: run for run in evaluate_training(scene).runs}
    for rate, run in runs.items():
        assert run.diverged_at is None
        assert f"{run.sharpness[0]:.2f}" == "2.58"                      # "start at a sharpness of 2.58"
        assert run.loss[-1] < run.loss[0] / 10                           # "below a tenth of its start"
        last = run.sharpness[len(run.sharpness) * 2 // 3:]
        ratio = float(np.median(last)) / run.threshold
        if rate in (0.4, 0.25):
            assert ratio == pytest.approx(1.0, abs=0.05)                 # "its median is 2/η"
        else:
            assert 0.4 < float(np.max(run.sharpness)) / run.threshold < 0.6  # "near half its 2/η"
    assert "(5, 8 and 20)" in step.text
