"""Session files: every Scene field round-trips, saves are atomic, and hostile files are refused
with a SessionError (never another exception, never slowly)."""
from __future__ import annotations

import json
import os
import time
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gdviz.model import session as session_module
from gdviz.model.budget import MAX_BUNDLE_POINTS, MAX_ORBIT_POINTS, MAX_PATH_POINTS
from gdviz.model.expressions import parse
from gdviz.model.momentum import MomentumScene
from gdviz.model.ranges import MAX_MAGNITUDE, min_width, range_problem
from gdviz.model.scene import Scene
from gdviz.model.scene2d import Scene2D
from gdviz.model.session import (
    MAX_BYTES,
    VERSION,
    Session,
    SessionError,
    load_session,
    save_session,
    session_from_bytes,
    session_from_json,
    session_to_json,
)

FAST = 5.0   # seconds: no hostile file hangs the reader (a fraction of a second alone; generous here:
             # a loaded CI machine made 0.5 s flaky, and speed is for the benchmarks to measure)

# Every field differs from Scene's default, so a field the writer or reader forgot shows up.
EVERYTHING = Scene(
    text="a*x - b*x^3", kind="f", direction="descent", h=0.025, x0=-1.75, steps=123,
    x_range=(-2.5, 3.25), params=(("a", 1.5), ("b", -0.125)), bundle=True, bundle_starts=7,
    preset="cubic", compare_h=(0.9, 0.3, 0.01, 2.0), error_t=4.5, error_reference="modified", h_range=(0.2, 3.8),
    orbit_h_count=321, orbit_transient=77, orbit_kept=33, method="rk4", modified=True,
)
# The same for the 2-D and momentum tabs' scenes.
PLANE = Scene2D(
    text="a x^2 + 9y^2 - 12x", starts=((0.5, -1.25), (2.0, 0.0)), optimizers=("Adam", "GD", "Nesterov"),
    lr=0.0125, steps=321, momentum=0.8, beta1=0.85, beta2=0.99, alpha=0.9, eps=1e-6, weight_decay=0.02,
    dampening=0.1, lr_decay=0.01, centered=True, amsgrad=True, x_range=(-3.0, 4.0), y_range=(-2.0, 5.0),
    params=(("a", 6.5),), preset="bowl", field=True, basins=True, modified=True, data_seed=12, data_n=40, batch=8, cloud=True,
)
MOMENTUM = MomentumScene(
    text="k(1 - cos(x))", direction="ascent", params=(("k", 2.0),), x0=1.5, v0=-0.5, lr=0.04,
    momentum=0.75, steps=250, x_range=(-5.0, 5.0), v_range=(-2.5, 2.5), portrait=False, preset="pendulum", nesterov=True,
)
VIEW = {"tab": "lab", "zoom": [1.5, -2], "panels": {"cobweb": True, "note": "ü λ"}, "nothing": None}


@pytest.fixture(scope="module", autouse=True)
def _warm_parser():
    parse("x^2")   # import sympy once, outside the timed checks


def _valid_document() -> dict:
    return json.loads(session_to_json(Session(EVERYTHING, VIEW, PLANE, MOMENTUM)))


def _refused(text: str | bytes, *fragments: str) -> str:
    start = time.perf_counter()
    with pytest.raises(SessionError) as info:
        if isinstance(text, bytes):
            session_from_bytes(text, "session.gdviz")
        else:
            session_from_json(text, "session.gdviz")
    assert time.perf_counter() - start < FAST
    message = str(info.value)
    assert message.startswith("session.gdviz: ")
    assert "\n" not in message and len(message) < 300
    for fragment in fragments:
        assert fragment in message, message
    return message


# ------------------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("value", [EVERYTHING, PLANE, MOMENTUM], ids=["scene", "plane", "momentum"])
def test_every_field_differs_from_the_default_so_the_round_trip_means_something(value):
    default = type(value)()
    for f in fields(value):
        if f.name == "step_rule":    # a rule needs method "euler": its round trip is test_step_rules.py's
            continue
        assert getattr(value, f.name) != getattr(default, f.name), f.name


def test_every_tab_round_trips_through_a_file(tmp_path):
    path = tmp_path / "all.gdviz"
    original = Session(EVERYTHING, {"tab": "2d"}, PLANE, MOMENTUM)
    save_session(original, path)
    loaded = load_session(path)
    assert loaded == original and loaded.plane == PLANE and loaded.momentum == MOMENTUM
    assert loaded.view["tab"] == "2d" and loaded.notes == ()
    assert isinstance(loaded.plane.starts[0], tuple) and isinstance(loaded.plane.steps, int)
    save_session(loaded, tmp_path / "again.gdviz")
    assert (tmp_path / "again.gdviz").read_bytes() == path.read_bytes()


def test_every_plane_and_momentum_field_has_a_reader_and_is_written():
    document = _valid_document()
    assert set(session_module._PLANE_READERS) == {f.name for f in fields(Scene2D)}
    assert list(document["plane"]) == [f.name for f in fields(Scene2D)]
    assert set(session_module._MOMENTUM_READERS) == {f.name for f in fields(MomentumScene)}
    assert list(document["momentum"]) == [f.name for f in fields(MomentumScene)]


def test_a_version_1_file_still_opens(tmp_path):
    document = json.loads(session_to_json(Session(EVERYTHING, VIEW)))
    document["version"] = 1
    loaded = session_from_json(json.dumps(document))
    assert loaded == Session(EVERYTHING, VIEW) and loaded.plane is None and loaded.momentum is None
    assert loaded.notes == ()


def test_every_scene_field_and_the_view_round_trip_through_a_file(tmp_path):
    path = tmp_path / "session.gdviz"
    original = Session(EVERYTHING, VIEW)
    save_session(original, path)
    loaded = load_session(path)
    assert loaded == original
    assert loaded.scene == EVERYTHING
    assert dict(loaded.view) == VIEW
    assert loaded.notes == ()
    # and the text is stable: saving what was loaded writes the same bytes
    save_session(loaded, tmp_path / "again.gdviz")
    assert (tmp_path / "again.gdviz").read_bytes() == path.read_bytes()


def test_every_scene_field_has_a_reader_and_is_written():
    names = [f.name for f in fields(Scene)]
    assert set(session_module._SCENE_READERS) == set(names)
    assert list(_valid_document()["scene"]) == names


def test_the_file_is_indented_versioned_json_with_a_stable_key_order():
    text = session_to_json(Session(EVERYTHING, VIEW))
    assert text.endswith("}\n")
    document = json.loads(text)
    assert list(document) == ["format", "version", "scene", "view", "saved_by"]
    assert document["format"] == "gdviz-session" and document["version"] == VERSION == 2
    assert document["saved_by"].startswith("gdviz ")
    assert next(iter(document["view"])) == "tab"
    lines = text.splitlines()
    assert '  "format": "gdviz-session",' in lines and '  "version": 2,' in lines
    assert '    "x_range": [-2.5, 3.25],' in lines          # short lists stay on one line
    assert '    "h_range": [0.2, 3.8],' in lines
    assert '      "a": 1.5,' in lines                       # params: a name: number object
    assert "ü λ" in text                                    # readable, not \u escapes
    assert len(lines) > 25                                  # one setting per line: diffs are readable


def test_default_session_and_h_range_none(tmp_path):
    s = Session(Scene())
    assert dict(s.view) == {"tab": "flow"}
    save_session(s, tmp_path / "a.gdviz")
    assert json.loads((tmp_path / "a.gdviz").read_text())["scene"]["h_range"] is None
    assert load_session(tmp_path / "a.gdviz") == s
    assert hash(s) == hash(Session(Scene()))


def test_session_refuses_views_it_could_not_save():
    with pytest.raises(ValueError, match="tab"):
        Session(Scene(), {"tab": "nowhere"})
    with pytest.raises(ValueError, match="finite"):
        Session(Scene(), {"zoom": float("nan")})
    with pytest.raises(ValueError):
        Session(Scene(), {"when": object()})
    with pytest.raises(TypeError):
        Session("x^2")  # type: ignore[arg-type]


def test_the_view_is_a_read_only_copy():
    source = {"tab": "lab", "zoom": [1, 2]}
    s = Session(Scene(), source)
    source["zoom"].append(3)
    assert s.view["zoom"] == [1, 2]
    with pytest.raises(TypeError):
        s.view["tab"] = "flow"  # type: ignore[index]


# ------------------------------------------------------------------------------------ atomic save
def test_an_interrupted_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "session.gdviz"
    save_session(Session(Scene()), path)
    old = path.read_bytes()
    real_replace = os.replace

    def power_cut(source, target):
        assert os.path.getsize(source) > 100   # the new text was written in full, then...
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError, match="power cut"):
        save_session(Session(EVERYTHING, VIEW), path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["session.gdviz"]

    monkeypatch.setattr(os, "replace", real_replace)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        save_session(Session(EVERYTHING, VIEW), path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["session.gdviz"]
    assert load_session(path) == Session(Scene())


# -------------------------------------------------------------------------------------- leniency
def test_missing_optional_fields_take_the_scene_defaults():
    older = {"format": "gdviz-session", "version": 1,
             "scene": {"text": "x^2", "kind": "F", "direction": "descent", "h": 0.1}}
    s = session_from_json(json.dumps(older))
    # ... except the range: a file without one gets its equation framed (issue 13, item 5)
    assert s.scene == Scene(text="x^2", direction="descent", h=0.1, x_range=s.scene.x_range)
    assert s.scene.x_range == (-0.95, 1.05)       # x* = 0 and x0 = 0.1, at least 2 wide
    assert dict(s.view) == {"tab": "flow"} and s.notes == ()


def test_unknown_keys_are_ignored_with_a_note_and_view_extras_kept():
    document = _valid_document()
    document["scene"]["colour"] = "red"
    document["history"] = []
    document["view"]["future_panel"] = {"open": True}
    s = session_from_json(json.dumps(document))
    assert s.scene == EVERYTHING
    assert any("'colour'" in n for n in s.notes) and any("'history'" in n for n in s.notes)
    assert s.view["future_panel"] == {"open": True}
    assert '"future_panel"' in session_to_json(s)   # re-saving keeps what this gdviz does not use


def test_many_unknown_keys_give_a_short_list_of_notes():
    document = _valid_document()
    document["scene"].update({f"k{i}": i for i in range(1000)})
    notes = session_from_json(json.dumps(document)).notes
    assert len(notes) == session_module.MAX_NOTES and "more" in notes[-1]


@pytest.mark.parametrize("view", [{"tab": "landscape"}, {"tab": 3}, {"tab": ["lab"]}, [], "lab", None])
def test_an_unusable_view_opens_the_flow_tab_with_a_note(view):
    document = _valid_document()
    document["view"] = view
    s = session_from_json(json.dumps(document))
    assert s.view["tab"] == "flow" and s.scene == EVERYTHING and s.notes


def test_view_values_too_deep_are_dropped_with_a_note():
    document = _valid_document()
    document["view"]["deep"] = json.loads("[" * 50 + "]" * 50)
    s = session_from_json(json.dumps(document))
    assert "deep" not in s.view and any("deep" in n for n in s.notes)


def test_a_byte_order_mark_and_whole_floats_are_accepted():
    document = _valid_document()
    document["scene"]["steps"] = 123.0
    s = session_from_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode())
    assert s.scene == EVERYTHING and isinstance(s.scene.steps, int)


# ---------------------------------------------------------------------------------- hostile files
def _with(path: tuple, value: object) -> str:
    document = _valid_document()
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(document)


_DELETE = object()
_VALID = session_to_json(Session(EVERYTHING, VIEW))

CORPUS = {
    "empty": ("", "empty"),
    "blank": ("  \n\t ", "empty"),
    "not JSON": ("hello", "not valid JSON", "line 1"),
    "truncated": (_VALID[: len(_VALID) // 2], "not valid JSON", "line"),
    "trailing garbage": (_VALID + "x", "not valid JSON"),
    "an array": ("[1, 2, 3]", "not a gdviz session", "a list of 3 items"),
    "null": ("null", "not a gdviz session", "null"),
    "a number": ("3", "not a gdviz session"),
    "a string": ('"gdviz-session"', "not a gdviz session"),
    "no format, hostile text": ('{"scene": {"text": "__import__(\'os\')"}}', "not a gdviz session", "format"),
    "wrong format": (_with(("format",), "excel"), "not a gdviz session", '"excel"'),
    "format a list": (_with(("format",), ["gdviz-session"]), "not a gdviz session"),
    "future version": (_with(("version",), 3), "made by a newer gdviz", "(version 3)",
                       "this one reads up to version 2"),
    "plane not an object": (_with(("plane",), [1, 2]), "'plane' must be an object"),
    "plane without text": (_with(("plane", "text"), _DELETE), "'plane' has no", "'text'"),
    "plane hostile equation": (_with(("plane", "text"), "__import__('os').system('ls')"),
                               "the 2-D landscape", "does not parse"),
    "plane no starts": (_with(("plane", "starts"), []), "'plane.starts' must be a list of points"),
    "plane 1000 starts": (_with(("plane", "starts"), [[0, 0]] * 1000), "at most 24 points"),
    "plane start as text": (_with(("plane", "starts"), [["1", 2]]), "'plane.starts[0][0]' must be a number"),
    "plane unknown optimizer": (_with(("plane", "optimizers"), ["GD", "LBFGS"]),
                                "'plane.optimizers[1]' must be"),
    "plane huge steps": (_with(("plane", "steps"), 10 ** 300), "the plane settings are not valid", "steps"),
    "plane negative lr": (_with(("plane", "lr"), -1), "the plane settings are not valid", "learning rate"),
    "plane big batch": (_with(("plane", "batch"), 500), "the plane settings are not valid", "batch"),
    "plane seed as text": (_with(("plane", "data_seed"), "7"), "'plane.data_seed' must be a whole number"),
    "momentum hostile equation": (_with(("momentum", "text"), "().__class__.__bases__"),
                                  "the momentum tab's potential", "does not parse"),
    "momentum lr too big": (_with(("momentum", "lr"), 1e300), "the momentum settings are not valid", "learning rate"),
    "momentum range reversed": (_with(("momentum", "v_range"), [3, -3]), "'momentum.v_range' needs A < B"),
    "momentum direction": (_with(("momentum", "direction"), "up"), "'momentum.direction' must be"),
    "momentum portrait 1": (_with(("momentum", "portrait"), 1), "'momentum.portrait' must be true or false"),
    "version zero": (_with(("version",), 0), "'version'", "found 0"),
    "version as text": (_with(("version",), "1"), "'version' must be a whole number", 'the text "1"'),
    "version true": (_with(("version",), True), "'version' must be a whole number", "found true"),
    "version 1.5": (_with(("version",), 1.5), "'version' must be a whole number", "1.5"),
    "no version": (_with(("version",), _DELETE), "no \"version\""),
    "no scene": (_with(("scene",), _DELETE), "no \"scene\""),
    "scene a list": (_with(("scene",), [1]), "'scene' must be an object", "a list of 1 item"),
    "scene null": (_with(("scene",), None), "'scene' must be an object", "null"),
    "no text": (_with(("scene", "text"), _DELETE), "no 'text'"),
    "no kind": (_with(("scene", "kind"), _DELETE), "no 'kind'"),
    "hostile text": (_with(("scene", "text"), "__import__('os').system('x')"), "does not parse",
                     "__import__"),
    "dunder text": (_with(("scene", "text"), "x.__class__"), "does not parse"),
    "lambda text": (_with(("scene", "text"), "(lambda: 1)()"), "does not parse"),
    "text too long": (_with(("scene", "text"), "x+" * 300 + "x"), "too long"),
    "text far too long": (_with(("scene", "text"), "x" * 20_000), "'text' is too long"),
    "text with a line break": (_with(("scene", "text"), "x^2\nimport os"), "does not parse", "line break"),
    "text a number": (_with(("scene", "text"), 2), "'text' must be an equation", "found 2"),
    "empty text": (_with(("scene", "text"), ""), "does not parse"),
    "h as text": (_with(("scene", "h"), "0.5"), "'h' must be a number", 'the text "0.5"'),
    "h negative": (_with(("scene", "h"), -1), "the step size h must be a positive number"),
    "h zero": (_with(("scene", "h"), 0), "h must be a positive number"),
    "h true": (_with(("scene", "h"), True), "'h' must be a number", "found true"),
    "h null": (_with(("scene", "h"), None), "'h' must be a number", "null"),
    "x0 a list": (_with(("scene", "x0"), [1]), "'x0' must be a number", "a list of 1 item"),
    "steps as text": (_with(("scene", "steps"), "30"), "'steps' must be a whole number"),
    "steps true": (_with(("scene", "steps"), True), "'steps' must be a whole number", "found true"),
    "steps fractional": (_with(("scene", "steps"), 30.5), "'steps' must be a whole number", "30.5"),
    "steps huge": (_with(("scene", "steps"), 10**30), "steps must be a whole number from 1"),
    "steps zero": (_with(("scene", "steps"), 0), "steps"),
    "kind unknown": (_with(("scene", "kind"), "g"), "'kind' must be \"F\" or \"f\"", '"g"'),
    "direction unknown": (_with(("scene", "direction"), "sideways"), "'direction'", "sideways"),
    "x_range short": (_with(("scene", "x_range"), [1]), "'x_range' must be a list of two numbers"),
    "x_range long": (_with(("scene", "x_range"), [1, 2, 3]), "'x_range' must be a list of two numbers"),
    "x_range object": (_with(("scene", "x_range"), {"a": 1}), "'x_range'", "an object"),
    "x_range text inside": (_with(("scene", "x_range"), [0, "1"]), "'x_range[1]' must be a number"),
    "x_range reversed": (_with(("scene", "x_range"), [1, 0]), "'x_range' needs A < B"),
    "h_range from zero": (_with(("scene", "h_range"), [0, 1]), "h-range"),
    "h_range text": (_with(("scene", "h_range"), "auto"), "'h_range'"),
    "params a list": (_with(("scene", "params"), [["a", 1]]), "'params' must be an object"),
    "params value text": (_with(("scene", "params"), {"a": "1"}), "'params.a' must be a number"),
    "params value null": (_with(("scene", "params"), {"a": None}), "must be a number", "null"),
    "params bad name": (_with(("scene", "params"), {"__class__": 1}), "parameter name", "__class__"),
    "params empty name": (_with(("scene", "params"), {"": 1}), "parameter name"),
    "params too many": (_with(("scene", "params"), {chr(97 + i) * (1 + j): 1 for i in range(26) for j in range(3)}),
                        "too many parameters"),
    "bundle as text": (_with(("scene", "bundle"), "yes"), "'bundle' must be true or false"),
    "bundle as 1": (_with(("scene", "bundle"), 1), "'bundle' must be true or false", "found 1"),
    "compare_h too many": (_with(("scene", "compare_h"), [0.1] * 9), "at most 8 step sizes"),
    "compare_h negative": (_with(("scene", "compare_h"), [0.1, -1]), "step sizes to compare"),
    "compare_h number": (_with(("scene", "compare_h"), 0.5), "'compare_h' must be a list"),
    "error_t negative": (_with(("scene", "error_t"), -1), "error time T"),
    "orbit_h_count huge": (_with(("scene", "orbit_h_count"), 10**9), "bifurcation diagram"),
    "orbit_kept text": (_with(("scene", "orbit_kept"), "200"), "'orbit_kept' must be a whole number"),
    "preset a number": (_with(("scene", "preset"), 7), "'preset' must be text"),
    "preset lone surrogate": (_with(("scene", "preset"), "\ud800"), "'preset'", "not valid Unicode"),
    "NaN": (_VALID.replace('"h": 0.025', '"h": NaN'), "NaN", "not a number JSON allows"),
    "Infinity": (_VALID.replace('"x0": -1.75', '"x0": Infinity'), "Infinity"),
    "-Infinity": (_VALID.replace('"x0": -1.75', '"x0": -Infinity'), "-Infinity"),
    "NaN in the view": (_VALID.replace('"nothing": null', '"nothing": NaN'), "NaN"),
    "1e400": (_VALID.replace('"h": 0.025', '"h": 1e400'), "1e400", "too large"),
    "-1e400 in the view": (_VALID.replace('"nothing": null', '"nothing": -1e400'), "too large"),
    "5000 digits": (_VALID.replace('"steps": 123', '"steps": ' + "9" * 5000), "5000 digits", "too large"),
    "400 digits": (_VALID.replace('"x0": -1.75', '"x0": -' + "9" * 400), "400 digits"),
    "a long float": (_VALID.replace('"x0": -1.75', '"x0": 0.' + "1" * 5000), "5002 characters"),
    "duplicate key": (_VALID.replace('"h": 0.025', '"h": 0.025, "h": -3'), "'h' appears twice"),
    "deep array": ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
    "deep object": ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    "deep in the view": (_VALID.replace('"nothing": null', '"nothing": ' + "[" * 100_000 + "]" * 100_000),
                         "nested too deeply"),
    "too large as text": (" " * (MAX_BYTES + 1), "too large"),
    "invalid UTF-8": (b'{"format": "gdviz-session", "\xff\xfe": 1}', "not UTF-8", "position 29"),
    "UTF-16": ("{}".encode("utf-16"), "not UTF-8"),
    "binary": (bytes(range(256)), "not UTF-8"),
    "PNG": (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not UTF-8"),
    "zip": (b"PK\x03\x04" + b"\0" * 100, "not valid JSON"),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_files_give_a_session_error_with_a_sentence(name):
    text, *fragments = CORPUS[name]
    _refused(text, *fragments)


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_files_on_disk_too(name, tmp_path):
    text, *_ = CORPUS[name]
    path = tmp_path / "session.gdviz"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    start = time.perf_counter()
    with pytest.raises(SessionError, match=r"^session\.gdviz: "):
        load_session(path)
    assert time.perf_counter() - start < FAST


def test_a_50_megabyte_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "session.gdviz"
    with open(path, "wb") as f:
        f.truncate(50 * 2**20)   # sparse: instant to make
    reads = []
    real_read = session_module.session_from_bytes
    monkeypatch.setattr(session_module, "session_from_bytes", lambda *a: reads.append(a) or real_read(*a))
    start = time.perf_counter()
    with pytest.raises(SessionError, match=r"^session\.gdviz: the file is too large .*\(50 MB; at most 1 MB\)$"):
        load_session(path)
    assert time.perf_counter() - start < FAST
    assert reads == []


def test_a_file_at_the_cap_is_read_and_one_byte_over_is_not(tmp_path):
    document = _valid_document()
    text = json.dumps(document)
    text += " " * (MAX_BYTES - len(text.encode()))
    (tmp_path / "at.gdviz").write_text(text, encoding="utf-8")
    assert load_session(tmp_path / "at.gdviz").scene == EVERYTHING
    (tmp_path / "over.gdviz").write_text(text + " ", encoding="utf-8")
    # the size is said as it is, never rounded down onto the limit ("1.0 MB; at most 1.0 MB")
    with pytest.raises(SessionError, match=r"too large for a session \(1,025 KB; at most 1 MB\)"):
        load_session(tmp_path / "over.gdviz")


def test_unreadable_paths_are_session_errors(tmp_path):
    with pytest.raises(SessionError, match=r"^nope\.gdviz: could not read the file"):
        load_session(tmp_path / "nope.gdviz")
    with pytest.raises(SessionError, match="could not read"):
        load_session(tmp_path)


def test_a_session_error_is_a_value_error():
    assert issubclass(SessionError, ValueError)


# ------------------------------------------------------------------------------------ hypothesis
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)

_SCENE_NAMES = [f.name for f in fields(Scene)]
places = st.one_of(
    st.sampled_from(["format", "version", "scene", "plane", "momentum", "view", "saved_by", "extra"]
                    ).map(lambda k: (k,)),
    st.sampled_from([f.name for f in fields(Scene2D)] + ["extra"]).map(lambda k: ("plane", k)),
    st.sampled_from([f.name for f in fields(MomentumScene)] + ["extra"]).map(lambda k: ("momentum", k)),
    st.sampled_from([0, 1]).map(lambda i: ("plane", "starts", i)),
    st.sampled_from([*_SCENE_NAMES, "extra"]).map(lambda k: ("scene", k)),
    st.sampled_from(["tab", "zoom", "extra"]).map(lambda k: ("view", k)),
    st.sampled_from(["a", "b", "lambda", "x", "__class__"]).map(lambda k: ("scene", "params", k)),
    st.sampled_from([0, 1]).map(lambda i: ("scene", "x_range", i)),
    st.sampled_from([0, 3]).map(lambda i: ("scene", "compare_h", i)),
)


def _outcome(call) -> Session | None:
    start = time.perf_counter()
    try:
        result = call()
    except SessionError as error:
        assert str(error).startswith("session.gdviz: ")
        result = None
    else:
        assert isinstance(result, Session)
        session_to_json(result)   # whatever was read can be saved again
    assert time.perf_counter() - start < FAST
    return result


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=places, value=json_values)
def test_any_json_value_anywhere_gives_a_session_or_a_session_error(place, value):
    document = _valid_document()
    target = document
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    text = json.dumps(document)   # may hold NaN / Infinity: json.dumps writes them
    session = _outcome(lambda: session_from_json(text, "session.gdviz"))
    if session is not None:
        assert session_from_json(session_to_json(session)) == session


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="x^()*+-/.0123456789e sincoexplgtah", max_size=60))
def test_any_equation_text_gives_a_session_or_a_session_error(text):
    document = _valid_document()
    document["scene"]["text"] = text
    _outcome(lambda: session_from_json(json.dumps(document), "session.gdviz"))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000) | st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_give_a_session_or_a_session_error(data):
    _outcome(lambda: session_from_bytes(data, "session.gdviz"))


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(0, len(_VALID.encode())), junk=st.binary(max_size=8))
def test_a_cut_or_corrupted_file_gives_a_session_or_a_session_error(cut, junk):
    data = _VALID.encode()
    _outcome(lambda: session_from_bytes(data[:cut] + junk + data[cut + len(junk):], "session.gdviz"))


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)
positive = st.floats(min_value=1e-300, max_value=1e300)


@st.composite
def plot_ranges(draw, positive: bool = False) -> tuple[float, float]:
    """Any range the one rule of plotted ranges accepts (gdviz.model.ranges)."""
    lo = draw(st.floats(min_value=1e-300 if positive else -MAX_MAGNITUDE, max_value=MAX_MAGNITUDE / 2))
    width = draw(st.floats(min_value=0, max_value=MAX_MAGNITUDE))
    hi = min(lo + max(width, 2 * min_width(lo, 2 * abs(lo))), MAX_MAGNITUDE)
    assume(range_problem(lo, hi) is None)
    return lo, hi


@st.composite
def scenes(draw) -> Scene:
    lo, hi = draw(plot_ranges())
    h_lo, h_hi = draw(plot_ranges(positive=True))
    transient = draw(st.integers(0, 50_000))
    # Within the cost budget (gdviz.model.budget): the bundle's and the diagram's points.
    bundle, bundle_starts = draw(st.booleans()), draw(st.integers(1, 200))
    steps_cap = MAX_BUNDLE_POINTS // bundle_starts - 1 if bundle else 1_000_000
    orbit_h_count = draw(st.integers(2, 20_000))
    kept_cap = min(100_000 - transient, MAX_ORBIT_POINTS // orbit_h_count)
    return Scene(
        text=draw(st.sampled_from(["x^2", "a*x - b*x^3", "sin(lambda x)", "e^(-x^2)", "x^2/2 - x^3/3"])),
        kind=draw(st.sampled_from(["F", "f"])), direction=draw(st.sampled_from(["ascent", "descent"])),
        h=draw(positive), x0=draw(finite), steps=draw(st.integers(1, steps_cap)), x_range=(lo, hi),
        params=tuple(sorted(draw(st.dictionaries(st.sampled_from(["a", "b", "lambda", "mu"]), finite)).items())),
        bundle=bundle, bundle_starts=bundle_starts,
        preset=draw(st.text(max_size=30).filter(lambda t: t == t.encode("utf-8", "replace").decode())),
        compare_h=tuple(draw(st.lists(positive, max_size=8))), error_t=draw(finite.map(abs)), error_reference=draw(st.sampled_from(["exact", "modified"])),
        h_range=draw(st.none() | st.just((h_lo, h_hi))), orbit_h_count=orbit_h_count,
        orbit_transient=transient, orbit_kept=draw(st.integers(1, kept_cap)),
    )


@settings(max_examples=200, deadline=None)
@given(scene=scenes(), tab=st.sampled_from(["flow", "lab", "2d", "momentum"]))
def test_any_valid_scene_round_trips_exactly(scene, tab):
    session = Session(scene, {"tab": tab})
    assert session_from_json(session_to_json(session)) == session


@st.composite
def planes(draw) -> Scene2D:
    lo, hi = draw(plot_ranges())
    n = draw(st.integers(2, 10_000))
    unit = st.floats(0, 0.999)
    starts = tuple(draw(st.lists(st.tuples(finite, finite), min_size=1, max_size=24)))
    optimizers = tuple(draw(st.lists(st.sampled_from(["GD", "Momentum", "Nesterov", "Adagrad", "RMSprop",
                                                      "Adam", "AdamW"]), min_size=1, max_size=7)))
    steps_cap = min(100_000, MAX_PATH_POINTS // (len(starts) * len(optimizers)) - 1)   # the cost budget
    return Scene2D(
        text=draw(st.sampled_from(["x^2 + y^2", "a x y", "sin(x) cos(y)", "(1 - x)^2 + 100(y - x^2)^2"])),
        starts=starts, optimizers=optimizers,
        lr=draw(positive), steps=draw(st.integers(1, steps_cap)), momentum=draw(unit), beta1=draw(unit),
        beta2=draw(unit), alpha=draw(unit), eps=draw(positive), weight_decay=draw(finite.map(abs)),
        dampening=draw(st.floats(0, 1)), lr_decay=draw(finite.map(abs)), centered=draw(st.booleans()),
        amsgrad=draw(st.booleans()), x_range=(lo, hi), y_range=(lo, hi),
        params=tuple(sorted(draw(st.dictionaries(st.sampled_from(["a", "b"]), finite)).items())),
        field=draw(st.booleans()), basins=draw(st.booleans()), modified=draw(st.booleans()),
        data_seed=draw(st.none() | st.integers(0, 2 ** 63)), data_n=n, batch=draw(st.integers(1, n)),
    )


@settings(max_examples=150, deadline=None)
@given(plane=planes())
def test_any_valid_plane_round_trips_exactly(plane):
    session = Session(Scene(), {"tab": "2d"}, plane, MomentumScene())
    assert session_from_json(session_to_json(session)) == session
