"""Guided lessons: a sequence of steps, each a short text plus what the window should show.

A lesson is a TOML file (resources/lessons/article.toml is the built-in one; its header documents
the format for teachers). Reading one is defensive, like session files, because a lesson may come
from anyone: the size is capped before parsing, every key is known or refused, every value is
type-checked, every scene is built (so its own range checks run), every equation goes through the
expression parser (never eval), and preset names must exist. Any failure is a LessonError with one
sentence naming the step and the field.

The step texts use a tiny, safe markup (`text_to_html`): paragraphs separated by blank lines,
"- " bullets, *emphasis*, **bold**, `code`, x_{n+1} and e^{t} for sub- and superscripts; every
other character is HTML-escaped, so a lesson cannot inject markup, links or images.

No Qt here; the panel (gdviz/ui/lesson_panel.py) shows a Lesson and applies its steps.
"""
from __future__ import annotations

import html
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..paths import resources_dir
from .momentum import MomentumScene
from .scene import DIRECTIONS, KINDS, MAX_COMPARE, Scene
from .scene2d import MAX_STARTS, OPTIMIZER_NAMES, Scene2D
from .secant import SecantSetup

FORMAT_VERSION = 1
SUFFIX = ".toml"
MAX_BYTES = 256 * 1024          # a lesson of 60 long steps is ~60 KB; 4x that is not a lesson
MAX_STEPS = 60
MAX_TITLE = 120
MAX_AUTHOR = 200
MAX_DESCRIPTION = 2000
MAX_TEXT = 4000                 # one step: several screens of text when projected is already too long
MAX_TRY = 300
MAX_EQUATION = 500              # the parser's own limit
MAX_PARAMS = 32
MAX_NUMBER = 1e12               # beyond this no lesson number is meaningful (and the scenes agree)
TAB_VIEWS = ("flow", "lab", "2d", "momentum")
CANVAS_VIEWS = ("compare", "error", "cobweb", "bifurcation")   # one canvas of the lab brought forward
VIEWS = TAB_VIEWS + CANVAS_VIEWS
DEMOS = ("secant",)

BUILTIN = "article"             # resources/lessons/article.toml


class LessonError(ValueError):
    """A lesson that cannot be used, with one sentence for the teacher (where and what)."""


class _Bad(Exception):
    """A problem found while reading a value; re-raised as LessonError with the step prefixed."""


# ------------------------------------------------------------------------------------------ values
@dataclass(frozen=True)
class LessonStep:
    """One step: its title and text (in the lesson markup), the view to show, what to load."""

    title: str
    text: str
    view: str = "flow"
    try_this: str = ""                       # one suggestion line ("Drag h past 1 and watch ...")
    scene: Scene | None = None               # the flow and step-size tabs
    plane: Scene2D | None = None             # the 2-D tab
    momentum: MomentumScene | None = None    # the momentum tab
    demo: str = ""                           # "" or "secant"
    secant: SecantSetup | None = None        # the secant demo's start (set when demo == "secant")

    @property
    def html(self) -> str:
        return text_to_html(self.text)

    @property
    def try_html(self) -> str:
        return inline_html(self.try_this)


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[LessonStep, ...]
    author: str = ""
    description: str = ""
    source: str = ""                         # the file it came from ("" for text)

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a lesson needs at least one step")


# ------------------------------------------------------------------------------------------ markup
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# *emphasis* only at word boundaries, so the equilibrium "x* = 1" (a star after a letter) stays a star.
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_SUB = re.compile(r"_\{([^{}]{1,40})\}")
_SUP = re.compile(r"\^\{([^{}]{1,40})\}")
_BULLET = re.compile(r"^\s*[-•]\s+")


def inline_html(text: str) -> str:
    """One line of lesson markup as HTML: `code`, **bold**, *emphasis*, _{sub}, ^{sup}; the rest escaped."""
    out: list[str] = []
    last = 0
    for m in _CODE.finditer(text):
        out.append(_inline_plain(text[last:m.start()]))
        out.append(f"<code>{html.escape(m.group(1))}</code>")
        last = m.end()
    out.append(_inline_plain(text[last:]))
    return "".join(out)


def _inline_plain(text: str) -> str:
    s = html.escape(text)              # before the markup: the tags added below are the only tags
    s = _BOLD.sub(r"<b>\1</b>", s)
    s = _EMPHASIS.sub(r"<i>\1</i>", s)
    s = _SUB.sub(r"<sub>\1</sub>", s)
    return _SUP.sub(r"<sup>\1</sup>", s)


def text_to_html(text: str) -> str:
    """A step's text as HTML: blank lines separate paragraphs, lines starting "- " are bullets,
    other line breaks inside a paragraph are spaces (as in Markdown)."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip()):
        lines = [ln for ln in paragraph.split("\n") if ln.strip()]
        words: list[str] = []
        items: list[str] = []

        def flush_words() -> None:
            if words:
                blocks.append(f"<p>{inline_html(' '.join(words))}</p>")
                words.clear()

        def flush_items() -> None:
            if items:
                blocks.append("<ul>" + "".join(f"<li>{inline_html(i)}</li>" for i in items) + "</ul>")
                items.clear()

        for line in lines:
            if _BULLET.match(line):
                flush_words()
                items.append(_BULLET.sub("", line, count=1).strip())
            elif items and line.startswith((" ", "\t")):   # an indented line continues the bullet
                items[-1] += " " + line.strip()
            else:
                flush_items()
                words.append(line.strip())
        flush_words()
        flush_items()
    return "\n".join(blocks)


# ------------------------------------------------------------------------------------------ reading
def builtin_lesson_path(name: str = BUILTIN) -> Path:
    return resources_dir() / "lessons" / f"{name}{SUFFIX}"


def load_builtin_lesson(name: str = BUILTIN) -> Lesson:
    lesson = load_lesson(builtin_lesson_path(name))
    return Lesson(lesson.title, lesson.steps, lesson.author, lesson.description, source="")


def load_lesson(path: str | os.PathLike[str]) -> Lesson:
    """Read a lesson file; any failure (missing, too big, not TOML, a bad step) is a LessonError."""
    name = os.path.basename(os.fspath(path)) or os.fspath(path)
    try:
        with open(path, "rb") as handle:
            # The size first, so a 50 MB file is refused unread; then at most one byte past the cap
            # in case the size lied (a growing file, a device).
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                raise LessonError(f"{name}: the file is too large for a lesson ({size // 1024} KB; "
                                  f"at most {MAX_BYTES // 1024} KB)")
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise LessonError(f"{name}: could not read the file ({error.strerror or error})") from None
    lesson = lesson_from_bytes(data, name)
    return Lesson(lesson.title, lesson.steps, lesson.author, lesson.description, os.fspath(path))


def lesson_from_bytes(data: bytes, source: str = "lesson") -> Lesson:
    if not isinstance(data, (bytes, bytearray)):
        raise LessonError(f"{source}: expected the file's bytes, not {type(data).__name__}")
    if len(data) > MAX_BYTES:
        raise LessonError(f"{source}: the file is too large for a lesson (at most {MAX_BYTES // 1024} KB)")
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LessonError(f"{source}: the file is not UTF-8 text (a bad byte at position {error.start})") from None
    return lesson_from_text(text, source)


def lesson_from_text(text: str, source: str = "lesson") -> Lesson:
    """A lesson from TOML text; LessonError ("source: where: what is wrong") otherwise."""
    if not isinstance(text, str):
        raise LessonError(f"{source}: expected the lesson's text, not {type(text).__name__}")
    if len(text) > MAX_BYTES:
        raise LessonError(f"{source}: the file is too large for a lesson (at most {MAX_BYTES // 1024} KB)")
    if not text.strip():
        raise LessonError(f"{source}: the file is empty")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(f"{source}: this is not valid TOML ({error})") from None
    except (ValueError, RecursionError) as error:   # a 5000-digit integer, absurd nesting
        raise LessonError(f"{source}: this is not a usable TOML file ({_clip(str(error), 80)})") from None
    try:
        return _read(document)
    except _Bad as problem:
        raise LessonError(f"{source}: {problem}") from None
    except RecursionError:
        raise LessonError(f"{source}: the file is nested too deeply to be a lesson") from None


_TOP_KEYS = ("title", "author", "description", "version", "steps")
_STEP_KEYS = ("title", "text", "view", "try", "preset", "scene", "plane_preset", "plane",
              "momentum_preset", "momentum", "demo", "secant")


def _read(document: dict[str, Any]) -> Lesson:
    if not document:
        raise _Bad("the file holds no lesson (no title, no steps: only comments?)")
    _known_keys(document, _TOP_KEYS, "the lesson")
    if "version" in document:
        version = _whole(document["version"], "version")
        if version > FORMAT_VERSION:
            raise _Bad(f"the lesson is written for a newer gdviz (format version {version}; "
                       f"this one reads version {FORMAT_VERSION})")
        if version < 1:
            raise _Bad(f"'version' must be {FORMAT_VERSION}")
    if "title" not in document:
        raise _Bad('the lesson has no title (write title = "..." at the top of the file)')
    title = _line(document["title"], "title", MAX_TITLE)
    author = _line(document.get("author", ""), "author", MAX_AUTHOR, required=False)
    description = _paragraphs(document.get("description", ""), "description", MAX_DESCRIPTION, required=False)
    raw_steps = document.get("steps")
    if raw_steps is None:
        raise _Bad("the lesson has no steps (each step starts with a line [[steps]])")
    if not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
        raise _Bad(f"'steps' must be a list of tables, each starting with [[steps]] (found {_found(raw_steps)})")
    if not raw_steps:
        raise _Bad("the lesson has no steps (each step starts with a line [[steps]])")
    if len(raw_steps) > MAX_STEPS:
        raise _Bad(f"the lesson has {len(raw_steps)} steps; at most {MAX_STEPS}")
    steps = tuple(_read_step(raw, i) for i, raw in enumerate(raw_steps))
    return Lesson(title, steps, author, description)


def _read_step(raw: dict[str, Any], index: int) -> LessonStep:
    where = f"step {index + 1}"
    if isinstance(raw.get("title"), str) and raw["title"].strip():
        where += f" ({_quote(raw['title'].strip(), 40)})"
    try:
        return _step(raw)
    except _Bad as problem:
        raise _Bad(f"{where[:1].upper()}{where[1:]}: {problem}") from None


def _step(raw: dict[str, Any]) -> LessonStep:
    _known_keys(raw, _STEP_KEYS, "the step")
    if "title" not in raw:
        raise _Bad('the step has no title (title = "...")')
    title = _line(raw["title"], "title", MAX_TITLE)
    if "text" not in raw:
        raise _Bad('the step has no text (text = """...""")')
    text = _paragraphs(raw["text"], "text", MAX_TEXT)
    try_this = _line(raw.get("try", ""), "try", MAX_TRY, required=False)

    demo = ""
    if "demo" in raw:
        demo = _choice(DEMOS)(raw["demo"], "demo")
    secant = None
    if "secant" in raw and demo != "secant":
        raise _Bad("'secant' settings need demo = \"secant\"")
    if demo == "secant":
        secant = _build("secant", SecantSetup, _table(raw.get("secant", {}), "secant", _SECANT_READERS),
                        base=SecantSetup())
        _check_equation(secant.x, ("t",), "secant.x", allow_parameters=False)

    scene = _scene_section(raw, "preset", "scene", _preset_scene, Scene(), _SCENE_READERS)
    if scene is not None:
        _check_equation(scene.text, ("x",), "scene.text")
    plane = _scene_section(raw, "plane_preset", "plane", _plane_preset_scene, Scene2D(), _PLANE_READERS)
    if plane is not None:
        _check_equation(plane.text, ("x", "y"), "plane.text")
    momentum = _scene_section(raw, "momentum_preset", "momentum", _momentum_preset_scene, MomentumScene(),
                              _MOMENTUM_READERS)
    if momentum is not None:
        _check_equation(momentum.text, ("x",), "momentum.text")

    if "view" in raw:
        view = _choice(VIEWS)(raw["view"], "view")
    elif plane is not None and scene is None:
        view = "2d"
    elif momentum is not None and scene is None:
        view = "momentum"
    else:
        view = "flow"
    return LessonStep(title, text, view, try_this, scene, plane, momentum, demo, secant)


def _scene_section(raw: dict[str, Any], preset_key: str, fields_key: str, from_preset: Callable[[str], Any],
                   default: Any, readers: Mapping[str, Callable[[object, str], object]]) -> Any:
    """A preset and/or field overrides -> the scene, or None when the step names neither."""
    if preset_key not in raw and fields_key not in raw:
        return None
    base = default
    if preset_key in raw:
        name = _line(raw[preset_key], preset_key, 200)
        try:
            base = from_preset(name)
        except KeyError as error:
            raise _Bad(f"{error.args[0] if error.args else error}") from None
        except ValueError as error:   # a broken preset file is gdviz's fault, still say which
            raise _Bad(f"the preset {_quote(name)} could not be loaded ({error})") from None
    changes = _table(raw.get(fields_key, {}), fields_key, readers)
    # A changed equation makes the preset's explanation (shown beside the plots) wrong: drop its name.
    if "preset" in {f.name for f in fields(base)} and ({"text", "params", "kind", "direction"} & set(changes)):
        changes["preset"] = ""
    return _build(fields_key, type(base), changes, base=base)


def _preset_scene(name: str) -> Scene:
    from .presets import preset
    return preset(name).scene


def _plane_preset_scene(name: str) -> Scene2D:
    from .landscape import landscape_preset
    return landscape_preset(name).scene2d()


def _momentum_preset_scene(name: str) -> MomentumScene:
    from .momentum import momentum_preset
    return momentum_preset(name).scene


def _build(section: str, cls: type, changes: dict[str, Any], base: Any) -> Any:
    try:
        return base.with_(**changes) if hasattr(base, "with_") else cls(**{
            **{f.name: getattr(base, f.name) for f in fields(base)}, **changes})
    except (ValueError, TypeError) as error:
        raise _Bad(f"the {section} settings are not valid: {_clip(str(error), 300)}") from None


def _table(value: object, section: str, readers: Mapping[str, Callable[[object, str], object]]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"'{section}' must be a table of settings ([steps.{section}]) (found {_found(value)})")
    _known_keys(value, tuple(readers), f"'{section}'", prefix=f"{section}.")
    return {key: readers[key](v, f"{section}.{key}") for key, v in value.items()}


def _known_keys(table: dict[str, Any], known: tuple[str, ...], what: str, prefix: str = "") -> None:
    for key in table:
        if key not in known:
            hint = _closest(key, known)
            raise _Bad(f"{what} has an unknown key {_quote(prefix + key, 40)}"
                       + (f" (did you mean {_quote(prefix + hint)}?)" if hint else
                          f"; the keys are: {', '.join(known)}"))


def _closest(key: str, known: tuple[str, ...]) -> str:
    import difflib
    found = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return found[0] if found else ""


def _check_equation(text: str, variables: tuple[str, ...], where: str, allow_parameters: bool = True) -> None:
    from .expressions import ExpressionError, parse   # sympy: only when a lesson is read
    try:
        parse(text, variables, allow_parameters=allow_parameters)
    except ExpressionError as error:
        raise _Bad(f"{where} {_quote(text)} does not parse: {error.message}") from None


# ------------------------------------------------------------------------------------------ readers
def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"'{where}' must be a number (found {_found(value)})")
    try:
        number = float(value)
    except OverflowError:
        raise _Bad(f"'{where}' is too large a number") from None
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise _Bad(f"'{where}' must be a finite number of size at most {MAX_NUMBER:g} (found {_found(value)})")
    return number


def _whole(value: object, where: str) -> int:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) <= MAX_NUMBER:
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"'{where}' must be a whole number (found {_found(value)})")
    if abs(value) > MAX_NUMBER:
        raise _Bad(f"'{where}' is too large (found {_found(value)})")
    return value


def _boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"'{where}' must be true or false (found {_found(value)})")
    return value


def _line(value: object, where: str, limit: int, required: bool = True) -> str:
    """One line of text: runs of white space (newlines too) become one space."""
    return _text(value, where, limit, required, lambda v: " ".join(v.split()))


def _paragraphs(value: object, where: str, limit: int, required: bool = True) -> str:
    """Text whose line breaks matter (blank lines separate paragraphs); only the ends are trimmed."""
    return _text(value, where, limit, required, str.strip)


def _text(value: object, where: str, limit: int, required: bool, tidy: Callable[[str], str]) -> str:
    if not isinstance(value, str):
        raise _Bad(f"'{where}' must be text in quotes (found {_found(value)})")
    text = tidy(value)
    if required and not text:
        raise _Bad(f"'{where}' is empty")
    if len(text) > limit:
        raise _Bad(f"'{where}' is too long ({len(text)} characters; at most {limit})")
    _encodable(text, where)
    return text


def _equation(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _Bad(f"'{where}' must be an equation in quotes, like \"x^2/2 - x^3/3\" (found {_found(value)})")
    if len(value) > MAX_EQUATION:
        raise _Bad(f"'{where}' is too long ({len(value)} characters; at most {MAX_EQUATION})")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[object, str], str]:
    def read(value: object, where: str) -> str:
        if not isinstance(value, str) or value not in options:
            raise _Bad(f"'{where}' must be one of {', '.join(repr(o) for o in options)} (found {_found(value)})")
        return value
    return read


def _pair(value: object, where: str) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2):
        raise _Bad(f"'{where}' must be two numbers [A, B] (found {_found(value)})")
    return (_number(value[0], f"{where}[0]"), _number(value[1], f"{where}[1]"))


def _step_sizes(value: object, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or not value or len(value) > MAX_COMPARE:
        raise _Bad(f"'{where}' must be a list of 1 to {MAX_COMPARE} step sizes (found {_found(value)})")
    return tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(value))


def _params(value: object, where: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise _Bad(f"'{where}' must be a table of name = number, like {{ a = 1.5 }} (found {_found(value)})")
    if len(value) > MAX_PARAMS:
        raise _Bad(f"'{where}' has too many parameters ({len(value)}; at most {MAX_PARAMS})")
    out = []
    for name, number in value.items():
        if not (name.isascii() and name.isalpha() and len(name) <= 16):
            raise _Bad(f"'{where}' has the parameter name {_quote(name, 20)}; names are letters, like a or lambda")
        out.append((name, _number(number, f"{where}.{name}")))
    return tuple(sorted(out))


def _points(value: object, where: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list) or not value or len(value) > MAX_STARTS:
        raise _Bad(f"'{where}' must be a list of 1 to {MAX_STARTS} points [x, y] (found {_found(value)})")
    return tuple(_pair(v, f"{where}[{i}]") for i, v in enumerate(value))


def _optimizers(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(value) > len(OPTIMIZER_NAMES):
        raise _Bad(f"'{where}' must be a list of optimizer names among {', '.join(OPTIMIZER_NAMES)} "
                   f"(found {_found(value)})")
    read = _choice(OPTIMIZER_NAMES)
    return tuple(read(v, f"{where}[{i}]") for i, v in enumerate(value))


_SCENE_READERS: dict[str, Callable[[object, str], object]] = {
    "text": _equation, "kind": _choice(KINDS), "direction": _choice(DIRECTIONS), "h": _number,
    "x0": _number, "steps": _whole, "x_range": _pair, "params": _params, "bundle": _boolean,
    "bundle_starts": _whole, "compare_h": _step_sizes, "error_t": _number, "h_range": _pair,
    "orbit_h_count": _whole, "orbit_transient": _whole, "orbit_kept": _whole,
}
_PLANE_READERS: dict[str, Callable[[object, str], object]] = {
    "text": _equation, "starts": _points, "optimizers": _optimizers,
    **{name: _number for name in ("lr", "momentum", "beta1", "beta2", "alpha", "eps", "weight_decay",
                                  "dampening", "lr_decay")},
    "steps": _whole, "centered": _boolean, "amsgrad": _boolean, "x_range": _pair, "y_range": _pair,
    "params": _params, "field": _boolean, "basins": _boolean,
    "data_seed": _whole, "data_n": _whole, "batch": _whole,
}
_MOMENTUM_READERS: dict[str, Callable[[object, str], object]] = {
    "text": _equation, "direction": _choice(DIRECTIONS), "params": _params, "x0": _number, "v0": _number,
    "lr": _number, "momentum": _number, "steps": _whole, "x_range": _pair, "v_range": _pair,
    "portrait": _boolean,
}
_SECANT_READERS: dict[str, Callable[[object, str], object]] = {
    "x": _equation, "t0": _number, "dt": _number, "t_range": _pair,
}


# ------------------------------------------------------------------------------------------ messages
def _encodable(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Bad(f"'{where}' holds text that is not valid Unicode") from None


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _quote(text: str, limit: int = 60) -> str:
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in _clip(text, limit))
    return f'"{shown}"'


def _found(value: object) -> str:
    """A TOML value as the teacher wrote it, briefly: true, -1, the text "0.5", a list of 3 items."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        digits = len(str(abs(value))) if abs(value) < 10 ** 60 else 61
        return str(value) if digits <= 20 else f"a number of {digits if digits <= 60 else 'over 60'} digits"
    if isinstance(value, float):
        return _clip(repr(value), 30)
    if isinstance(value, str):
        return f"the text {_quote(value, 40)}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}" if value else "an empty list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"   # TOML dates and times
