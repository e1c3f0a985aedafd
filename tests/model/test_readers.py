"""The shared readers of user files: any JSON-like junk is read or refused with a ReadError (never
another exception, never slowly), numbers beyond the size limit are refused by every reader that
reads numbers, and clipped text ends with the one ellipsis everywhere."""
from __future__ import annotations

import contextlib
import datetime
import json
import sys
import time
import typing
from dataclasses import dataclass, fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.model.landscape import Preset2D
from gdviz.model.lesson import LessonError, lesson_from_text
from gdviz.model.momentum import MomentumScene
from gdviz.model.readers import (
    ELLIPSIS,
    MAX_EQUATION,
    MAX_NUMBER,
    ReadError,
    Readers,
    clip,
    loads_json,
    quote,
    show,
)
from gdviz.model.scene import Scene
from gdviz.model.scene2d import Scene2D
from gdviz.model.scene_readers import scene_field_readers
from gdviz.model.secant import SecantSetup
from gdviz.model.session import Session, SessionError, session_from_json, session_to_json

FAST = 5.0   # seconds: no hang (generous: a loaded CI machine made 0.5 s flaky; speed is for benchmarks)
JSON = Readers()
TOML = Readers(mapping="table", params_example="{ a = 1.5 }")
SESSION = Readers(max_number=sys.float_info.max)
FORMATS = {"json": JSON, "toml": TOML, "session": SESSION}
SCENES = (Scene, Scene2D, MomentumScene, SecantSetup)


def _readers(r: Readers) -> dict[str, typing.Callable[[object, str], object]]:
    """Every reader a format has: the plain ones and every scene field's."""
    out = {
        "number": r.number, "whole": r.whole, "boolean": r.boolean, "name": r.name, "line": r.line,
        "paragraphs": lambda v, w: r.paragraphs(v, w, 100), "equation": r.equation,
        "choice": r.choice(("F", "f")), "choices": r.choice(("a", "b", "c")), "pair": r.pair,
        "optional pair": r.optional(r.pair), "numbers": r.list_of(r.number, "numbers", max_items=8),
        "points": r.list_of(r.pair, "points [x, y]", min_items=1, max_items=24), "params": r.params,
    }
    for cls in SCENES:
        out.update({f"{cls.__name__}.{k}": v for k, v in scene_field_readers(r, cls).items()})
    return out


READERS = {(fmt, name): reader for fmt, r in FORMATS.items() for name, reader in _readers(r).items()}

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-10 ** 400, 10 ** 400)
    | st.sampled_from([10 ** 1000, -10 ** 1000, 2 ** 63, 1e12 + 1, 1e300, -0.0])
    | st.floats() | st.text(st.characters(blacklist_categories=()), max_size=30)
    | st.sampled_from(["x" * 5000, "\ud800", "a\nb", "GD", "F", "lambda", ""])
    | st.dates() | st.datetimes(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=25,
)


def _read_or_refuse(read, value, where="scene.h"):
    start = time.perf_counter()
    try:
        read(value, where)
    except ReadError as error:
        message = str(error)
        assert message and "\n" not in message and len(message) < 400, message
        return message
    finally:
        assert time.perf_counter() - start < FAST
    return None


# ------------------------------------------------------------------------------------------- junk
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(READERS)), value=junk)
def test_any_junk_is_read_or_refused_with_a_read_error(key, value):
    _read_or_refuse(READERS[key], value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(sorted(FORMATS)), cls=st.sampled_from(SCENES),
       raw=junk | st.dictionaries(st.sampled_from(["text", "h", "steps", "starts", "params", "x", "t_range",
                                                   "lr", "direction", "colour"]), junk, max_size=4))
def test_any_junk_section_gives_a_scene_or_a_read_error(fmt, cls, raw):
    r = FORMATS[fmt]
    start = time.perf_counter()
    try:
        values = r.read_fields(raw, scene_field_readers(r, cls), "'scene'", prefix="scene.")
        scene = r.build("scene", cls, values)
    except ReadError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert isinstance(scene, cls)
    assert time.perf_counter() - start < FAST


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_any_text_is_json_or_a_read_error(text):
    with contextlib.suppress(ReadError):
        loads_json(text)


# --------------------------------------------------------------------------------- the size limit
def _too_big_for(tp, x):
    """A value of the field type `tp` that holds the number x somewhere, as a file would write it."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is float:
        return x
    if tp is int:
        return int(x) + (1 if x > 0 else -1)   # int(1e12 + 0.5) would be within the limit
    if origin in (typing.Union, __import__("types").UnionType):
        return _too_big_for(next(a for a in args if a is not type(None)), x)
    if args == (float, float):
        return [0.0, x]
    if args[0] == tuple[str, float]:
        return {"a": 1.0, "b": x}
    return [_too_big_for(args[0], 1.0), _too_big_for(args[0], x)]


NUMERIC_FIELDS = [(cls, f.name, typing.get_type_hints(cls)[f.name]) for cls in SCENES for f in fields(cls)
                  if typing.get_type_hints(cls)[f.name] not in (str, bool, tuple[str, ...])]


@settings(max_examples=300, deadline=None)
@given(fmt=st.sampled_from(["json", "toml"]), field=st.sampled_from(NUMERIC_FIELDS),
       size=st.floats(min_value=MAX_NUMBER, max_value=1e300, exclude_min=True) | st.integers(10 ** 12 + 1, 10 ** 400),
       sign=st.sampled_from([1, -1]), whole=st.booleans())
def test_numbers_beyond_the_limit_are_refused_by_every_field(fmt, field, size, sign, whole):
    cls, name, tp = field
    r = FORMATS[fmt]
    x = sign * (int(size) + 1 if whole and isinstance(size, float) else size)
    message = _read_or_refuse(scene_field_readers(r, cls)[name], _too_big_for(tp, x), f"scene.{name}")
    assert message is not None and "too large" in message, (name, message)


@given(size=st.floats(min_value=MAX_NUMBER, max_value=1e300, exclude_min=True) | st.integers(10 ** 12 + 1, 10 ** 400))
def test_every_number_reader_refuses_beyond_the_limit(size):
    for read, value in ((JSON.number, size), (JSON.whole, int(size) + 1), (JSON.pair, [size, 0]),
                        (JSON.optional(JSON.number), -size), (JSON.params, {"a": size}),
                        (JSON.list_of(JSON.pair, "points"), [[0, 0], [0, -size]])):
        assert "too large" in _read_or_refuse(read, value)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_integers_too_long_to_print_are_refused(fmt):
    for key, read in READERS.items():
        if key[0] == fmt:
            for value in (10 ** 5000, [-10 ** 5000], {"a": 10 ** 5000}):
                _read_or_refuse(read, value)


def test_the_limit_is_inclusive_and_a_session_reads_any_finite_number():
    assert JSON.number(1e12, "h") == 1e12 and JSON.whole(-10 ** 12, "steps") == -10 ** 12
    assert SESSION.number(1e308, "h") == 1e308 and SESSION.whole(2 ** 63, "data_seed") == 2 ** 63
    assert "too large" in _read_or_refuse(SESSION.whole, 10 ** 309)
    with pytest.raises(ValueError):
        Readers(max_number=float("inf"))


def test_a_lesson_refuses_a_number_beyond_the_limit_in_any_section():
    step = 'title = "L"\n[[steps]]\ntitle = "S"\ntext = "T."\n'
    for body in ("[steps.scene]\nx0 = 2e12", "[steps.plane]\nstarts = [[0, 1e13]]", "[steps.momentum]\nv0 = -1e15",
                 "[steps.scene]\nparams = { a = 1e20 }", 'demo = "secant"\n[steps.secant]\nt_range = [0, 1e14]',
                 "[steps.plane]\ndata_seed = 10000000000000"):
        with pytest.raises(LessonError, match="too large"):
            lesson_from_text(step + body, "mine.toml")


# ------------------------------------------------------------------------------------------- clip
@given(text=st.text(max_size=300), limit=st.integers(1, 120))
def test_clip_marks_a_cut_with_one_ellipsis(text, limit):
    out = clip(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith(ELLIPSIS) and out[:-1] == text[:limit - 1]


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(sorted(READERS)), length=st.integers(61, 3000))
def test_long_values_are_clipped_with_the_one_ellipsis_in_every_message(key, length):
    for value in ("y" * length, ["y" * length], {"y" * length: 1}, -float("1" + "0" * 200)):
        message = _read_or_refuse(READERS[key], value, "p" * 100)
        if message is not None:
            assert "..." not in message and "y" * 61 not in message, message


def test_session_and_lesson_messages_clip_the_same_way():
    long = "k" * 300
    document = json.loads(session_to_json(Session(Scene())))
    document["scene"]["h"] = long
    with pytest.raises(SessionError) as session_error:
        session_from_json(json.dumps(document), "s.gdviz")
    with pytest.raises(LessonError) as lesson_error:
        lesson_from_text(f'title = "L"\n[[steps]]\ntitle = "S"\ntext = "T."\n[steps.scene]\nh = "{long}"', "l.toml")
    for error in (session_error, lesson_error):
        message = str(error.value)
        assert f'the text "{"k" * 39}{ELLIPSIS}"' in message and "..." not in message, message


def test_show_and_quote():
    assert show("scene.h") == "'scene.h'" and show("a\nb") == "'a\\nb'" and len(show("x" * 100)) == 42
    assert quote("x^2") == '"x^2"' and quote("a\tb") == '"a\\tb"' and quote("x" * 100, 10) == '"' + "x" * 9 + '…"'


# ---------------------------------------------------------------------------------- the messages
@pytest.mark.parametrize("read, value, fragments", [
    (JSON.number, "0.5", ["'w' must be a number", 'the text "0.5"']),
    (JSON.number, True, ["must be a number", "found true"]),
    (JSON.number, float("nan"), ["must be a finite number", "nan"]),
    (JSON.whole, 2.5, ["must be a whole number", "2.5"]),
    (JSON.whole, 10 ** 100, ["too large", "a number of over 60 digits"]),
    (JSON.boolean, 1, ["must be true or false", "found 1"]),
    (JSON.choice(("F", "f")), "g", ["must be \"F\" or \"f\"", '"g"']),
    (JSON.choice(("a", "b", "c")), None, ['must be one of "a", "b", "c"', "null"]),
    (JSON.pair, [1], ["must be a list of two numbers [A, B]", "a list of 1 item"]),
    (JSON.list_of(JSON.number, "step sizes", max_items=8), [1] * 9, ["may hold at most 8 step sizes", "9"]),
    (JSON.list_of(JSON.pair, "points", min_items=1), [], ["must be a list of points, at least 1", "an empty list"]),
    (JSON.params, [], ["must be an object of name: number", '{"a": 1.5}']),
    (TOML.params, {}, []),
    (TOML.params, 3, ["must be a table of name: number", "{ a = 1.5 }"]),
    (JSON.params, {"a b": 1}, ["parameter name", '"a b"']),
    (JSON.params, {chr(97 + i) * (j + 1): 1 for i in range(26) for j in range(3)}, ["too many parameters"]),
    (JSON.equation, 5, ["must be an equation in quotes"]),
    (JSON.equation, "x" * (MAX_EQUATION + 1), ["is too long", f"at most {MAX_EQUATION}"]),
    (JSON.name, "\ud800", ["not valid Unicode"]),
    (JSON.line, "  \n ", ["'w' is empty"]),
    (TOML.number, datetime.date(1979, 5, 27), ["must be a number", "a date"]),
])
def test_messages_say_what_and_where(read, value, fragments):
    message = _read_or_refuse(read, value, "w")
    if not fragments:
        assert message is None
        return
    for fragment in fragments:
        assert fragment in message, message


def test_the_equation_limit_is_the_parsers():
    from gdviz.model.expressions import MAX_LENGTH
    assert MAX_EQUATION == MAX_LENGTH


# ------------------------------------------------------------------------------------- by types
def test_every_field_of_every_scene_and_preset_has_a_reader():
    for cls in SCENES:
        assert set(scene_field_readers(JSON, cls)) == {f.name for f in fields(cls)}
    assert set(JSON.for_fields(Preset2D, {"hyper": JSON.boolean})) == {f.name for f in fields(Preset2D)}


def test_readers_follow_the_field_types():
    @dataclass(frozen=True)
    class Example:
        a: float = 0.0
        b: int = 0
        c: bool = False
        d: str = ""
        e: tuple[float, float] = (0.0, 1.0)
        f: tuple[float, ...] = ()
        g: tuple[tuple[float, float], ...] = ()
        h: tuple[tuple[str, float], ...] = ()
        i: int | None = None

    read = JSON.for_fields(Example)
    raw = {"a": 1, "b": 2.0, "c": True, "d": "x", "e": [1, 2], "f": [3], "g": [[4, 5]], "h": {"z": 1, "y": 2},
           "i": None}
    values = JSON.read_fields(raw, read, "the example")
    assert Example(**values) == Example(1.0, 2, True, "x", (1.0, 2.0), (3.0,), ((4.0, 5.0),), (("y", 2.0), ("z", 1.0)))
    assert isinstance(values["a"], float) and isinstance(values["b"], int)
    with pytest.raises(TypeError):
        JSON.for_type(dict[str, int])
    with pytest.raises(TypeError, match="no field"):
        JSON.for_fields(Example, {"nope": JSON.number})


def test_unknown_keys_are_refused_with_a_hint_or_passed_on():
    readers = scene_field_readers(TOML, Scene)
    with pytest.raises(ReadError, match=r"^'scene' has an unknown key \"scene.steq\" \(did you mean \"scene.steps\"\?\)$"):
        TOML.read_fields({"steq": 3}, readers, "'scene'", prefix="scene.")
    with pytest.raises(ReadError, match="the keys are: text, kind"):
        TOML.read_fields({"colour": 3}, readers, "'scene'")
    seen: list[str] = []
    assert JSON.read_fields({"colour": 3, "h": 1}, readers, "'scene'", on_unknown=seen.append) == {"h": 1.0}
    assert seen == ["colour"]
    with pytest.raises(ReadError, match=r"^the preset has no 'text'$"):
        JSON.read_fields({}, readers, "the preset", required=("text",))
    with pytest.raises(ReadError, match=r"^'scene' must be a table of settings \(found a list of 1 item\)$"):
        TOML.read_fields([1], readers, "'scene'", hint=" of settings")


def test_build_runs_the_scenes_own_checks():
    assert JSON.build("scene", Scene, {"h": 0.25}) == Scene(h=0.25)
    assert JSON.build("scene", Scene, {"h": 0.25}, base=Scene(x0=2.0)) == Scene(h=0.25, x0=2.0)
    with pytest.raises(ReadError, match=r"^the scene settings are not valid: the step size h must be a positive"):
        JSON.build("scene", Scene, {"h": -1.0})


# ------------------------------------------------------------------------------------------ JSON
@pytest.mark.parametrize("text, fragment", [
    ("{", "not valid JSON"), ("NaN", "NaN"), ("[1e400]", "1e400"), ("9" * 400, "400 digits"),
    ('{"a": 1, "a": 2}', "'a' appears twice"), ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("0." + "1" * 500, "502 characters"),
])
def test_json_is_read_strictly(text, fragment):
    with pytest.raises(ReadError, match=None) as info:
        loads_json(text)
    assert fragment in str(info.value)


def test_the_momentum_tab_has_the_same_two_directions():
    from gdviz.model import momentum, scene
    assert momentum.DIRECTIONS == scene.DIRECTIONS   # scene_field_readers reads both with one choice
