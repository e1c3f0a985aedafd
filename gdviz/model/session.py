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
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from .. import __version__
from .files import atomic_write_text, open_regular
from .momentum import MomentumScene
from .readers import MAX_PARAMS, ReadError, Readers, check_equation, is_encodable, loads_json, show, size_text
from .scene import Scene
from .scene2d import Scene2D
from .scene_readers import scene_field_readers
from .views import TAB_VIEWS

FORMAT = "gdviz-session"
VERSION = 2                       # the newest format version this gdviz writes and reads
SUFFIX = ".gdviz"
MAX_BYTES = 1 << 20               # 1 MiB: a session is a few hundred bytes; anything near this is not one
TABS = TAB_VIEWS                  # the window's tabs a session can reopen on
MAX_VIEW_DEPTH = 20               # nesting of a free-form view value (a view choice is shallow)
MAX_NOTES = 5                     # notes kept for the status bar; the rest are counted
_REQUIRED_SCENE = ("text", "kind", "direction")
_TOP_KEYS = ("format", "version", "scene", "plane", "momentum", "view", "saved_by")
__all__ = ["FORMAT", "MAX_BYTES", "MAX_PARAMS", "SUFFIX", "TABS", "VERSION", "Session", "SessionError",
           "load_session", "save_session", "session_from_bytes", "session_from_json", "session_to_json"]

# A session reopens whatever the window could hold, so any finite number is read (the JSON
# reader already refuses numbers beyond float range and whole numbers of more than 308 digits).
_READ = Readers(mapping="object", max_number=sys.float_info.max)


class SessionError(ReadError):
    """A session file that cannot be read, with one sentence for the user (file: what and where)."""


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
        with open_regular(path) as handle:     # a named pipe or a device is refused unopened
            # The size first: a 50 MB file is refused without reading it. Then read at most one
            # byte past the cap, in case the size lied (a growing file, a device).
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                raise SessionError(f"{name}: the file is too large for a session "
                                   f"({size_text(size)}; at most {size_text(MAX_BYTES)})")
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise SessionError(f"{name}: could not read the file ({error.strerror or error})") from None
    return session_from_bytes(data, name)


def session_from_bytes(data: bytes, source: str = "session") -> Session:
    """A session from a file's bytes (UTF-8, a byte-order mark allowed); SessionError otherwise."""
    if len(data) > MAX_BYTES:   # read up to one byte past the cap: its real size is not known
        raise SessionError(f"{source}: the file is too large for a session (larger than {size_text(MAX_BYTES)})")
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
    except ReadError as problem:
        raise SessionError(f"{source}: {problem}") from None
    except RecursionError:
        raise SessionError(f"{source}: the file is nested too deeply to be a session") from None


def _read(text: str) -> Session:
    if not isinstance(text, str):
        raise ReadError(f"expected the file's text, not {type(text).__name__}")
    if len(text) > MAX_BYTES:
        raise ReadError(f"the file is too large for a session (larger than {size_text(MAX_BYTES)})")
    if not text.strip():
        raise ReadError("the file is empty")
    document = loads_json(text)
    if not isinstance(document, dict):
        raise ReadError(f"this is not a gdviz session (the file holds {_READ.found(document)}, not an object)")
    if document.get("format") != FORMAT:
        if "format" not in document:
            raise ReadError(f'this is not a gdviz session (it has no "format": "{FORMAT}")')
        raise ReadError(f'this is not a gdviz session ("format" is {_READ.found(document["format"])}, '
                        f'not "{FORMAT}")')
    if "version" not in document:
        raise ReadError('the session has no "version"')
    version = _READ.whole(document["version"], "version")
    if version > VERSION:
        raise ReadError(f"made by a newer gdviz (version {version}); this one reads up to version {VERSION}")
    if version < 1:
        raise ReadError(f"'version' must be 1 or more (found {version})")
    document = _upgrade(document, version)

    notes: list[str] = []
    for key in document:
        if key not in _TOP_KEYS:
            notes.append(f"ignored the unknown key {show(key)}")
    if "scene" not in document:
        raise ReadError('the session has no "scene"')
    scene = _read_scene(document["scene"], notes)
    plane = momentum = None
    if document.get("plane") is not None:
        plane = _read_section(document["plane"], "plane", Scene2D, _PLANE_READERS, notes)
        check_equation(plane.text, ("x", "y"), "the 2-D landscape")
        plane = _frame_missing_2d(plane, document["plane"])
    if document.get("momentum") is not None:
        momentum = _read_section(document["momentum"], "momentum", MomentumScene, _MOMENTUM_READERS, notes)
        check_equation(momentum.text, ("x",), "the momentum tab's potential")
    view = _read_view(document.get("view", {}), notes)
    if len(notes) > MAX_NOTES:
        notes[MAX_NOTES - 1:] = [f"and {len(notes) - MAX_NOTES + 1} more like these"]
    return Session(scene, view, plane, momentum, tuple(notes))


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
# Every field of each scene, read by its type (readers.py); the equation is required, since a
# default would show a different problem, and so are the 1-D scene's kind and direction.
_SCENE_READERS = scene_field_readers(_READ, Scene)
_PLANE_READERS = scene_field_readers(_READ, Scene2D)
_MOMENTUM_READERS = scene_field_readers(_READ, MomentumScene)


def _read_scene(raw: object, notes: list[str]) -> Scene:
    if isinstance(raw, dict) and any(name not in raw for name in _REQUIRED_SCENE):
        missing = next(name for name in _REQUIRED_SCENE if name not in raw)
        raise ReadError(f"the scene has no {show(missing)} (the equation needs text, kind and direction)")
    scene = _read_section(raw, "scene", Scene, _SCENE_READERS, notes)
    check_equation(scene.text, ("x",), "the equation")
    if isinstance(raw, dict) and "x_range" not in raw:     # a file without a range: frame its equation
        from .framing import framed
        scene = framed(scene)
    return scene


def _frame_missing_2d(plane: Scene2D, raw: object) -> Scene2D:
    """The 2-D scene with the ranges the file does not give framed around its critical points."""
    if not isinstance(raw, dict) or ("x_range" in raw and "y_range" in raw):
        return plane
    from .framing import framed2d
    return framed2d(plane, x="x_range" not in raw, y="y_range" not in raw)


def _read_section(raw: object, section: str, cls: type, readers: Mapping[str, Callable[[object, str], object]],
                  notes: list[str]) -> Any:
    """One scene section: every known key type-checked by its reader, unknown keys noted, then the
    scene's own checks."""
    values = _READ.read_fields(
        raw, readers, show(section), prefix="" if section == "scene" else f"{section}.", required=("text",),
        on_unknown=lambda key: notes.append(f"ignored the unknown {section} setting {show(key)}"))
    return _READ.build(section, cls, values)


# -------------------------------------------------------------------------------------- the view
def _read_view(raw: object, notes: list[str]) -> dict[str, object]:
    if not isinstance(raw, dict):
        notes.append(f'ignored "view" ({_READ.found(raw)}, not an object)')
        return {"tab": "flow"}
    view = dict(raw)
    tab = view.get("tab", "flow")
    if tab not in TABS:   # compared as a value: a list or object here is simply not a tab
        notes.append(f"opened the flow tab: this gdviz has no tab {show(tab)}")
        view["tab"] = "flow"
    for key in list(view):
        if key == "tab":
            continue
        problem = _plain_problem(view[key], 0)
        if problem:
            notes.append(f"ignored the view's {show(key)}: it {problem}")
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
        return "" if is_encodable(value) else "holds text that is not valid Unicode"
    if isinstance(value, (list, tuple)):
        return next((p for p in (_plain_problem(v, depth + 1) for v in value) if p), "")
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str) or not is_encodable(k):
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

