"""Session files (.gdviz): every tab's scene plus the view, as human-readable, versioned JSON.

    {
      "format": "gdviz-session",
      "version": 2,
      "scene": {"text": "x^2/2 - x^3/3", "kind": "F", ..., "x_range": [-0.5, 1.5], ...},
      "plane": {"text": "6x^2 + 9y^2 - 12x - 14y + 3", "starts": [[-0.9, -0.5]], ...},
      "momentum": {"text": "1 - cos(x)", "x0": 2.0, ...},
      "view": {"tab": "flow", ...},
      "saved_by": "gdviz 0.1.0"
    }

"scene" is the flow and step-size tabs' Scene, "plane" the 2-D tab's Scene2D and "momentum" the
momentum tab's MomentumScene; the last two are optional (version 1 files have neither).

A session file is user data from anywhere (a mail attachment, a forum post), so reading it is
defensive: every failure is a SessionError with one sentence that says what is wrong and where,
the size is capped before anything is read, and the equation is checked by the expression parser
(which never evaluates text). Nothing in a file is ever eval'd or exec'd.

Leniency, decided once:
  * top level: "format", "version" and "scene" are required; "saved_by" is informational; other
    keys are ignored with a note (Session.notes), so a later gdviz can add sections.
  * "scene": the equation ("text", "kind", "direction") is required, since a default would show
    a different problem; every other field may be missing and takes Scene's default, so files
    from before a field existed stay readable. Known fields are type-checked strictly (no "0.5"
    for 0.5, no true for 1, lists of the right length, finite numbers only); a whole number may be
    written 30 or 30.0. Unknown scene keys are ignored with a note.
  * "plane" and "momentum": the same rules (their equation "text" is required, the rest defaults).
  * "view": free-form. A bad or unknown "tab" falls back to "flow" with a note; other keys are
    kept as they are (they are plain JSON by construction), so re-saving never drops them.
  * JSON itself: NaN/Infinity literals, numbers beyond float range (1e400), whole numbers of
    more than 308 digits and a key repeated within one object are refused.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from .. import __version__
from .files import atomic_write_text
from .momentum import MomentumScene
from .scene import DIRECTIONS, KINDS, MAX_COMPARE, Scene
from .scene2d import MAX_STARTS, OPTIMIZER_NAMES, Scene2D

FORMAT = "gdviz-session"
VERSION = 2                       # the newest format version this gdviz writes and reads
SUFFIX = ".gdviz"
MAX_BYTES = 1 << 20               # 1 MiB: a session is a few hundred bytes; anything near this is not one
TABS = ("flow", "lab", "2d", "momentum")   # the window's tabs a session can reopen on
MAX_VIEW_DEPTH = 20               # nesting of a free-form view value (a view choice is shallow)
MAX_PARAMS = 64                   # more sliders than any equation of 500 characters could use
MAX_preset_name = 200
MAX_NOTES = 5                     # notes kept for the status bar; the rest are counted
_MAX_INT_DIGITS = 308             # 10^308 still converts to a float; beyond it, nothing is meaningful
_REQUIRED_SCENE = ("text", "kind", "direction")
_TOP_KEYS = ("format", "version", "scene", "plane", "momentum", "view", "saved_by")


class SessionError(ValueError):
    """A session file that cannot be read, with one sentence for the user (file: what and where)."""


class _Bad(Exception):
    """A problem found while reading; load/session_from_json prefix the source and re-raise."""


def _default_view() -> Mapping[str, object]:
    return MappingProxyType({"tab": "flow"})


@dataclass(frozen=True)
class Session:
    """What a .gdviz file holds: the Scene, the 2-D and momentum scenes (None: the tab's default)
    and the view choices (which tab, ...).

    `view` is free-form plain JSON (None, bool, int, finite float, str, lists, objects) with a
    "tab" from TABS; it is copied into a read-only mapping. `notes` says what reading the file
    ignored or replaced (for the status bar); it is not saved and not compared.
    """

    scene: Scene
    view: Mapping[str, object] = field(default_factory=_default_view, hash=False)
    plane: Scene2D | None = None
    momentum: MomentumScene | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.scene, Scene):
            raise TypeError(f"a Session needs a Scene, not {type(self.scene).__name__}")
        if self.plane is not None and not isinstance(self.plane, Scene2D):
            raise TypeError(f"plane must be a Scene2D, not {type(self.plane).__name__}")
        if self.momentum is not None and not isinstance(self.momentum, MomentumScene):
            raise TypeError(f"momentum must be a MomentumScene, not {type(self.momentum).__name__}")
        if not isinstance(self.view, Mapping):
            raise TypeError(f"the view must be a mapping, not {type(self.view).__name__}")
        view: dict[str, object] = {"tab": self.view.get("tab", "flow")}
        if view["tab"] not in TABS:
            raise ValueError(f"the view's tab must be one of {TABS}, not {view['tab']!r}")
        for key, value in self.view.items():
            if not isinstance(key, str):
                raise ValueError(f"view keys must be text, not {key!r}")
            if key != "tab":
                problem = _plain_problem(value, 0)
                if problem:
                    raise ValueError(f"the view's {key!r} {problem}")
                view[key] = _copy_plain(value)
        object.__setattr__(self, "view", MappingProxyType(view))
        object.__setattr__(self, "notes", tuple(self.notes))


# ------------------------------------------------------------------------------------------- writing
def session_to_json(session: Session) -> str:
    """The file's text: indented, keys in a fixed order (Scene's field order), short lists on one line."""
    view = {"tab": session.view["tab"]}
    view.update({k: _sorted_keys(v) for k, v in sorted(session.view.items()) if k != "tab"})
    document: dict[str, object] = {"format": FORMAT, "version": VERSION, "scene": _encode(session.scene)}
    if session.plane is not None:
        document["plane"] = _encode(session.plane)
    if session.momentum is not None:
        document["momentum"] = _encode(session.momentum)
    document.update(view=view, saved_by=f"gdviz {__version__}")
    return _pretty(document, "") + "\n"


def _encode(scene: Scene | Scene2D | MomentumScene) -> dict[str, object]:
    return {f.name: _encode_field(f.name, getattr(scene, f.name)) for f in fields(scene)}


def save_session(session: Session, path: str | os.PathLike[str]) -> None:
    """Write the session atomically: a crash or full disk leaves the old file (OSError propagates)."""
    atomic_write_text(path, session_to_json(session))


def _encode_field(name: str, value: object) -> object:
    if name == "params":
        return {k: v for k, v in value}              # names are sorted in the Scene already
    if isinstance(value, tuple):
        return [list(v) if isinstance(v, tuple) else v for v in value]
    return value


def _sorted_keys(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: _sorted_keys(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_sorted_keys(v) for v in value]
    return value


def _pretty(value: object, indent: str) -> str:
    """json.dumps(indent=2), except that lists of plain values stay on one line ([-0.5, 1.5])."""
    inner = indent + "  "
    if isinstance(value, Mapping) and value:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (list, Mapping)) for v in value):
        return "[\n" + ",\n".join(inner + _pretty(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


# ------------------------------------------------------------------------------------------- reading
def load_session(path: str | os.PathLike[str]) -> Session:
    """Read a .gdviz file; any failure (missing, too big, not a session, bad value) is a SessionError."""
    name = os.path.basename(os.fspath(path)) or os.fspath(path)
    try:
        with open(path, "rb") as handle:
            # The size first: a 50 MB file is refused without reading it. Then read at most one
            # byte past the cap, in case the size lied (a growing file, a device).
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                raise SessionError(f"{name}: the file is too large for a session "
                                   f"({_megabytes(size)}; at most {_megabytes(MAX_BYTES)})")
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise SessionError(f"{name}: could not read the file ({error.strerror or error})") from None
    return session_from_bytes(data, name)


def session_from_bytes(data: bytes, source: str = "session") -> Session:
    """A session from a file's bytes (UTF-8, a byte-order mark allowed); SessionError otherwise."""
    if len(data) > MAX_BYTES:
        raise SessionError(f"{source}: the file is too large for a session "
                           f"({_megabytes(len(data))}; at most {_megabytes(MAX_BYTES)})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SessionError(f"{source}: the file is not UTF-8 text (a bad byte at position {error.start}); "
                           f"is it really a gdviz session?") from None
    return session_from_json(text, source)


def session_from_json(text: str, source: str = "session") -> Session:
    """A session from a file's text; SessionError ("source: what is wrong and where") otherwise."""
    try:
        return _read(text)
    except _Bad as problem:
        raise SessionError(f"{source}: {problem}") from None
    except RecursionError:
        raise SessionError(f"{source}: the file is nested too deeply to be a session") from None


def _read(text: str) -> Session:
    if not isinstance(text, str):
        raise _Bad(f"expected the file's text, not {type(text).__name__}")
    if len(text) > MAX_BYTES:
        raise _Bad(f"the file is too large for a session (at most {_megabytes(MAX_BYTES)})")
    if not text.strip():
        raise _Bad("the file is empty")
    document = _loads(text)
    if not isinstance(document, dict):
        raise _Bad(f"this is not a gdviz session (the file holds {_found(document)}, not an object)")
    if document.get("format") != FORMAT:
        if "format" not in document:
            raise _Bad(f'this is not a gdviz session (it has no "format": "{FORMAT}")')
        raise _Bad(f'this is not a gdviz session ("format" is {_found(document["format"])}, not "{FORMAT}")')
    if "version" not in document:
        raise _Bad('the session has no "version"')
    version = _whole(document["version"], "version")
    if version > VERSION:
        raise _Bad(f"made by a newer gdviz (version {version}); this one reads up to version {VERSION}")
    if version < 1:
        raise _Bad(f"'version' must be 1 or more (found {version})")
    document = _upgrade(document, version)

    notes: list[str] = []
    for key in document:
        if key not in _TOP_KEYS:
            notes.append(f"ignored the unknown key {_show(key)}")
    if "scene" not in document:
        raise _Bad('the session has no "scene"')
    scene = _read_scene(document["scene"], notes)
    plane = momentum = None
    if document.get("plane") is not None:
        plane = _read_fields(document["plane"], "plane", Scene2D, _PLANE_READERS, ("text",), notes)
        _check_text(plane.text, ("x", "y"), "the 2-D landscape")
    if document.get("momentum") is not None:
        momentum = _read_fields(document["momentum"], "momentum", MomentumScene, _MOMENTUM_READERS,
                                ("text",), notes)
        _check_text(momentum.text, ("x",), "the momentum tab's potential")
    view = _read_view(document.get("view", {}), notes)
    if len(notes) > MAX_NOTES:
        notes[MAX_NOTES - 1:] = [f"and {len(notes) - MAX_NOTES + 1} more like these"]
    return Session(scene, view, plane, momentum, tuple(notes))


def _loads(text: str) -> object:
    try:
        return json.loads(text, parse_constant=_no_constant, parse_int=_int_literal,
                          parse_float=_float_literal, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        raise _Bad(f"the file is not valid JSON ({error.msg} at line {error.lineno}, "
                   f"column {error.colno})") from None
    except ValueError as error:  # e.g. int() past its digit limit, should a literal slip past _int_literal
        raise _Bad(f"the file is not valid JSON ({error})") from None


# ------------------------------------------------------------------------------------ migrations
# _MIGRATIONS[n] turns a version-n document (the whole top-level dict) into a version-(n + 1) one.
# To change the format: bump VERSION, write the writer for the new shape, and add the step from
# the previous version here, e.g. `_MIGRATIONS[1] = _v1_to_v2` renaming a field or splitting the
# view; readers of old files then go through every step in turn and only ever see the newest
# shape. Adding an optional scene field does not need a new version: missing fields default.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    # Version 2 added the optional "plane" and "momentum" sections and the "2d" and "momentum"
    # tabs: a version-1 document is already a valid version-2 one.
    1: lambda document: {**document, "version": 2},
}


def _upgrade(document: dict[str, Any], version: int) -> dict[str, Any]:
    while version < VERSION:
        document = _MIGRATIONS[version](document)
        version += 1
    return document


# ------------------------------------------------------------------------------------- the scene
def _read_scene(raw: object, notes: list[str]) -> Scene:
    if isinstance(raw, dict) and any(name not in raw for name in _REQUIRED_SCENE):
        missing = next(name for name in _REQUIRED_SCENE if name not in raw)
        raise _Bad(f"the scene has no {_show(missing)} (the equation needs text, kind and direction)")
    scene = _read_fields(raw, "scene", Scene, _SCENE_READERS, _REQUIRED_SCENE, notes)
    _check_text(scene.text, ("x",), "the equation")
    return scene


def _read_fields(raw: object, section: str, cls: type, readers: Mapping[str, Callable[[object, str], object]],
                 required: tuple[str, ...], notes: list[str]):
    """One scene section: every known key type-checked by its reader, then the scene's own checks."""
    if not isinstance(raw, dict):
        raise _Bad(f'"{section}" must be an object (found {_found(raw)})')
    missing = [name for name in required if name not in raw]
    if missing:
        raise _Bad(f'"{section}" has no {_show(missing[0])}')
    values: dict[str, object] = {}
    prefix = "" if section == "scene" else f"{section}."
    for key, value in raw.items():
        reader = readers.get(key)
        if reader is None:
            notes.append(f"ignored the unknown {section} setting {_show(key)}")
        else:
            values[key] = reader(value, prefix + key)
    try:
        return cls(**values)
    except (ValueError, TypeError) as error:
        raise _Bad(f"the {section} is not valid: {error}") from None


def _check_text(text: str, variables: tuple[str, ...], what: str) -> None:
    # Imported here: the parser brings in sympy, which the window loads lazily.
    from .expressions import ExpressionError, parse
    try:
        parse(text, variables)
    except ExpressionError as error:
        raise _Bad(f"{what} {_quote(text)} does not parse: {error.message}") from None


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"{_show(where)} must be a number (found {_found(value)})")
    number = float(value)   # ints are capped at 308 digits, so this cannot overflow
    if not math.isfinite(number):
        raise _Bad(f"{_show(where)} must be a finite number (found {_found(value)})")
    return number


def _whole(value: object, where: str) -> int:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)   # 30.0 is 30 (JSON does not tell them apart; some tools write 30.0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"{_show(where)} must be a whole number (found {_found(value)})")
    return value


def _text(value: object, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _Bad(f"{_show(where)} must be text (found {_found(value)})")
    if len(value) > limit:
        raise _Bad(f"{_show(where)} is too long ({len(value)} characters; at most {limit})")
    _encodable(value, where)
    return value


def _choice(options: tuple[str, ...]) -> Callable[[object, str], str]:
    def read(value: object, where: str) -> str:
        if not isinstance(value, str) or value not in options:
            listed = " or ".join(json.dumps(o) for o in options)
            raise _Bad(f"{_show(where)} must be {listed} (found {_found(value)})")
        return value
    return read


def _pair(value: object, where: str) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2):
        raise _Bad(f"{_show(where)} must be a list of two numbers [A, B] (found {_found(value)})")
    return (_number(value[0], f"{where}[0]"), _number(value[1], f"{where}[1]"))


def _optional_pair(value: object, where: str) -> tuple[float, float] | None:
    return None if value is None else _pair(value, where)


def _step_sizes(value: object, where: str) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise _Bad(f"{_show(where)} must be a list of numbers (found {_found(value)})")
    if len(value) > MAX_COMPARE:
        raise _Bad(f"{_show(where)} may hold at most {MAX_COMPARE} step sizes (found {len(value)})")
    return tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(value))


def _params(value: object, where: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise _Bad(f"{_show(where)} must be an object of name: number (found {_found(value)})")
    if len(value) > MAX_PARAMS:
        raise _Bad(f"{_show(where)} has too many parameters ({len(value)}; at most {MAX_PARAMS})")
    out = []
    for name, number in value.items():
        # The parser's parameter names: one Latin letter or a Greek letter's name, ASCII letters.
        if not (name.isascii() and name.isalpha() and len(name) <= 16):
            raise _Bad(f"{_show(where)} has a parameter name {_quote(name)}; names are letters, like a or lambda")
        out.append((name, _number(number, f"{where}.{name}")))
    return tuple(sorted(out))


def _boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"{_show(where)} must be true or false (found {_found(value)})")
    return value


def _equation_text(value: object, where: str) -> str:
    return _text(value, where, limit=10_000)   # the parser has the real (smaller) limit


def _preset_name(value: object, where: str) -> str:
    return _text(value, where, limit=MAX_preset_name)


_SCENE_READERS: dict[str, Callable[[object, str], object]] = {
    "text": _equation_text,
    "kind": _choice(KINDS),
    "direction": _choice(DIRECTIONS),
    "h": _number,
    "x0": _number,
    "steps": _whole,
    "x_range": _pair,
    "params": _params,
    "bundle": _boolean,
    "bundle_starts": _whole,
    "preset": _preset_name,
    "compare_h": _step_sizes,
    "error_t": _number,
    "h_range": _optional_pair,
    "orbit_h_count": _whole,
    "orbit_transient": _whole,
    "orbit_kept": _whole,
}


def _points(value: object, where: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list) or not value:
        raise _Bad(f"{_show(where)} must be a list of points [x, y] (found {_found(value)})")
    if len(value) > MAX_STARTS:
        raise _Bad(f"{_show(where)} may hold at most {MAX_STARTS} points (found {len(value)})")
    return tuple(_pair(v, f"{where}[{i}]") for i, v in enumerate(value))


def _optimizers(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(value) > len(OPTIMIZER_NAMES):
        raise _Bad(f"{_show(where)} must be a list of optimizer names (found {_found(value)})")
    read = _choice(OPTIMIZER_NAMES)
    return tuple(read(v, f"{where}[{i}]") for i, v in enumerate(value))


def _optional_whole(value: object, where: str) -> int | None:
    return None if value is None else _whole(value, where)


_PLANE_READERS: dict[str, Callable[[object, str], object]] = {
    "text": _equation_text, "starts": _points, "optimizers": _optimizers,
    **{name: _number for name in ("lr", "momentum", "beta1", "beta2", "alpha", "eps", "weight_decay",
                                  "dampening", "lr_decay")},
    "steps": _whole, "centered": _boolean, "amsgrad": _boolean, "x_range": _pair, "y_range": _pair,
    "params": _params, "preset": _preset_name, "field": _boolean, "basins": _boolean,
    "data_seed": _optional_whole, "data_n": _whole, "batch": _whole,
}
_MOMENTUM_READERS: dict[str, Callable[[object, str], object]] = {
    "text": _equation_text, "direction": _choice(DIRECTIONS), "params": _params,
    "x0": _number, "v0": _number, "lr": _number, "momentum": _number, "steps": _whole,
    "x_range": _pair, "v_range": _pair, "portrait": _boolean, "preset": _preset_name,
}


# -------------------------------------------------------------------------------------- the view
def _read_view(raw: object, notes: list[str]) -> dict[str, object]:
    if not isinstance(raw, dict):
        notes.append(f'ignored "view" ({_found(raw)}, not an object)')
        return {"tab": "flow"}
    view = dict(raw)
    tab = view.get("tab", "flow")
    if tab not in TABS:   # compared as a value: a list or object here is simply not a tab
        notes.append(f"opened the flow tab: this gdviz has no tab {_show(tab)}")
        view["tab"] = "flow"
    for key in list(view):
        if key == "tab":
            continue
        problem = _plain_problem(view[key], 0)
        if problem:
            notes.append(f"ignored the view's {_show(key)}: it {problem}")
            del view[key]
    return view


def _plain_problem(value: object, depth: int) -> str:
    """Why `value` is not plain, finite, shallow JSON that can be written back ('' if it is)."""
    if depth > MAX_VIEW_DEPTH:
        return f"is nested more than {MAX_VIEW_DEPTH} levels deep"
    if value is None or isinstance(value, (bool, int)):
        return ""
    if isinstance(value, float):
        return "" if math.isfinite(value) else "is not a finite number"
    if isinstance(value, str):
        return "" if _is_encodable(value) else "holds text that is not valid Unicode"
    if isinstance(value, (list, tuple)):
        return next((p for p in (_plain_problem(v, depth + 1) for v in value) if p), "")
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str) or not _is_encodable(k):
                return "has a key that is not text"
            problem = _plain_problem(v, depth + 1)
            if problem:
                return problem
        return ""
    return f"is a {type(value).__name__}, not a JSON value"


def _copy_plain(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return [_copy_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _copy_plain(v) for k, v in value.items()}
    return value


# ----------------------------------------------------------------------------------- JSON hooks
def _no_constant(name: str) -> float:
    raise _Bad(f"the file contains {name}, which is not a number JSON allows")


def _int_literal(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        raise _Bad(f"the file contains a whole number of {digits} digits, too large for gdviz")
    return int(literal)


def _float_literal(literal: str) -> float:
    if len(literal) > 400:   # no float needs more; also keeps float() from chewing on megabytes
        raise _Bad(f"the file contains a number written with {len(literal)} characters, too long for gdviz")
    value = float(literal)
    if not math.isfinite(value):
        raise _Bad(f"the file contains the number {_clip(literal)}, too large for gdviz")
    return value


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:   # which one would the user mean? refuse rather than guess
            raise _Bad(f"the key {_show(key)} appears twice in one object")
        out[key] = value
    return out


# ------------------------------------------------------------------------------------- messages
def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")   # lone surrogates ("\ud800" in JSON) decode but cannot be saved again
    except UnicodeEncodeError:
        return False
    return True


def _encodable(text: str, where: str) -> None:
    if not _is_encodable(text):
        raise _Bad(f"{_show(where)} holds text that is not valid Unicode (a lone surrogate escape)")


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _show(value: object) -> str:
    """A key or short text for a message: quoted, clipped, control characters escaped."""
    return "'" + _clip(repr(value)[1:-1] if isinstance(value, str) else repr(value)) + "'"


def _quote(text: str) -> str:
    """User text in a message: in double quotes as JSON writes it, clipped."""
    return _clip(json.dumps(text, ensure_ascii=False), 60)


def _found(value: object) -> str:
    """A JSON value as the user wrote it, briefly: null, true, -1, the text "0.5", a list of 3 items."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _clip(repr(value))
    if isinstance(value, str):
        return f"the text {_clip(json.dumps(value))}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"
