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
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..paths import resources_dir
from .files import open_regular
from .momentum import MomentumScene
from .readers import (
    MAX_EQUATION,
    MAX_NAME,
    MAX_NUMBER,
    MAX_PARAMS,
    ReadError,
    Readers,
    check_equation,
    clip,
    quote,
    size_text,
)
from .scene import Scene
from .scene2d import Scene2D
from .scene_readers import scene_field_readers
from .secant import SecantSetup
from .views import CANVAS_VIEWS, TAB_VIEWS, VIEWS

FORMAT_VERSION = 1
SUFFIX = ".toml"
MAX_BYTES = 256 * 1024          # a lesson of 60 long steps is ~60 KB; 4x that is not a lesson
MAX_STEPS = 60
MAX_TITLE = 120
MAX_AUTHOR = 200
MAX_DESCRIPTION = 2000
MAX_TEXT = 4000                 # one step: several screens of text when projected is already too long
MAX_TRY = 300
DEMOS = ("secant",)
__all__ = ["BUILTIN", "CANVAS_VIEWS", "DEMOS", "FORMAT_VERSION", "MAX_EQUATION", "MAX_NUMBER", "MAX_PARAMS",
           "MAX_STEPS", "MAX_TEXT", "SUFFIX", "TAB_VIEWS", "VIEWS", "Lesson", "LessonError", "LessonStep",
           "builtin_lesson_path", "inline_html", "lesson_from_bytes", "lesson_from_text", "load_builtin_lesson",
           "load_lesson", "text_to_html"]

BUILTIN = "article"             # resources/lessons/article.toml

# TOML calls {...} a table; numbers beyond MAX_NUMBER mean nothing in a lesson (the scenes agree).
_READ = Readers(mapping="table", params_example="{ a = 1.5 }")


class LessonError(ReadError):
    """A lesson that cannot be used, with one sentence for the teacher (where and what)."""


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
        for line in lines:
            if _BULLET.match(line):
                _flush_words(blocks, words)
                items.append(_BULLET.sub("", line, count=1).strip())
            elif items and line.startswith((" ", "\t")):   # an indented line continues the bullet
                items[-1] += " " + line.strip()
            else:
                _flush_items(blocks, items)
                words.append(line.strip())
        _flush_words(blocks, words)
        _flush_items(blocks, items)
    return "\n".join(blocks)


def _flush_words(blocks: list[str], words: list[str]) -> None:
    if words:
        blocks.append(f"<p>{inline_html(' '.join(words))}</p>")
        words.clear()


def _flush_items(blocks: list[str], items: list[str]) -> None:
    if items:
        blocks.append("<ul>" + "".join(f"<li>{inline_html(i)}</li>" for i in items) + "</ul>")
        items.clear()


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
        with open_regular(path) as handle:     # a named pipe or a device is refused unopened
            # The size first, so a 50 MB file is refused unread; then at most one byte past the cap
            # in case the size lied (a growing file, a device).
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                raise LessonError(f"{name}: the file is too large for a lesson ({size_text(size)}; "
                                  f"at most {size_text(MAX_BYTES)})")
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise LessonError(f"{name}: could not read the file ({error.strerror or error})") from None
    lesson = lesson_from_bytes(data, name)
    return Lesson(lesson.title, lesson.steps, lesson.author, lesson.description, os.fspath(path))


def lesson_from_bytes(data: bytes, source: str = "lesson") -> Lesson:
    if not isinstance(data, (bytes, bytearray)):
        raise LessonError(f"{source}: expected the file's bytes, not {type(data).__name__}")
    if len(data) > MAX_BYTES:
        raise LessonError(f"{source}: the file is too large for a lesson (larger than {size_text(MAX_BYTES)})")
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
        raise LessonError(f"{source}: the file is too large for a lesson (larger than {size_text(MAX_BYTES)})")
    if not text.strip():
        raise LessonError(f"{source}: the file is empty")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(f"{source}: this is not valid TOML ({error})") from None
    except (ValueError, RecursionError) as error:   # a 5000-digit integer, absurd nesting
        raise LessonError(f"{source}: this is not a usable TOML file ({clip(str(error), 80)})") from None
    try:
        return _read(document)
    except ReadError as problem:
        raise LessonError(f"{source}: {problem}") from None
    except RecursionError:
        raise LessonError(f"{source}: the file is nested too deeply to be a lesson") from None


_TOP_KEYS = ("title", "author", "description", "version", "steps")
_STEP_KEYS = ("title", "text", "view", "try", "preset", "scene", "plane_preset", "plane",
              "momentum_preset", "momentum", "demo", "secant")
# Every field of each scene, read by its type (readers.py); a step names a preset with its own
# key ("preset", "plane_preset", ...), so the scenes' "preset" field is not written in a lesson.
_SCENE_READERS = scene_field_readers(_READ, Scene, exclude=("preset",))
_PLANE_READERS = scene_field_readers(_READ, Scene2D, exclude=("preset",))
_MOMENTUM_READERS = scene_field_readers(_READ, MomentumScene, exclude=("preset",))
_SECANT_READERS = scene_field_readers(_READ, SecantSetup)


def _read(document: dict[str, Any]) -> Lesson:
    if not document:
        raise ReadError("the file holds no lesson (no title, no steps: only comments?)")
    _READ.check_keys(document, _TOP_KEYS, "the lesson")
    if "version" in document:
        version = _READ.whole(document["version"], "version")
        if version > FORMAT_VERSION:
            raise ReadError(f"the lesson is written for a newer gdviz (format version {version}; "
                            f"this one reads version {FORMAT_VERSION})")
        if version < 1:
            raise ReadError(f"'version' must be {FORMAT_VERSION}")
    if "title" not in document:
        raise ReadError('the lesson has no title (write title = "..." at the top of the file)')
    title = _READ.line(document["title"], "title", MAX_TITLE)
    author = _READ.line(document.get("author", ""), "author", MAX_AUTHOR, required=False)
    description = _READ.paragraphs(document.get("description", ""), "description", MAX_DESCRIPTION, required=False)
    raw_steps = document.get("steps")
    if raw_steps is None:
        raise ReadError("the lesson has no steps (each step starts with a line [[steps]])")
    if not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
        raise ReadError(f"'steps' must be a list of tables, each starting with [[steps]] "
                        f"(found {_READ.found(raw_steps)})")
    if not raw_steps:
        raise ReadError("the lesson has no steps (each step starts with a line [[steps]])")
    if len(raw_steps) > MAX_STEPS:
        raise ReadError(f"the lesson has {len(raw_steps)} steps; at most {MAX_STEPS}")
    steps = tuple(_read_step(raw, i) for i, raw in enumerate(raw_steps))
    return Lesson(title, steps, author, description)


def _read_step(raw: dict[str, Any], index: int) -> LessonStep:
    where = f"step {index + 1}"
    if isinstance(raw.get("title"), str) and raw["title"].strip():
        where += f" ({quote(raw['title'].strip(), 40)})"
    try:
        return _step(raw)
    except ReadError as problem:
        raise ReadError(f"{where[:1].upper()}{where[1:]}: {problem}") from None


def _step(raw: dict[str, Any]) -> LessonStep:
    _READ.check_keys(raw, _STEP_KEYS, "the step")
    if "title" not in raw:
        raise ReadError('the step has no title (title = "...")')
    title = _READ.line(raw["title"], "title", MAX_TITLE)
    if "text" not in raw:
        raise ReadError('the step has no text (text = """...""")')
    text = _READ.paragraphs(raw["text"], "text", MAX_TEXT)
    try_this = _READ.line(raw.get("try", ""), "try", MAX_TRY, required=False)

    demo = ""
    if "demo" in raw:
        demo = _READ.choice(DEMOS)(raw["demo"], "demo")
    secant = None
    if "secant" in raw and demo != "secant":
        raise ReadError("'secant' settings need demo = \"secant\"")
    if demo == "secant":
        secant = _READ.build("secant", SecantSetup, _table(raw.get("secant", {}), "secant", _SECANT_READERS),
                             base=SecantSetup())
        check_equation(secant.x, ("t",), "secant.x", allow_parameters=False)

    scene = _scene_section(raw, "preset", "scene", _preset_scene, Scene(), _SCENE_READERS)
    if scene is not None:
        check_equation(scene.text, ("x",), "scene.text")
    plane = _scene_section(raw, "plane_preset", "plane", _plane_preset_scene, Scene2D(), _PLANE_READERS)
    if plane is not None:
        check_equation(plane.text, ("x", "y"), "plane.text")
    momentum = _scene_section(raw, "momentum_preset", "momentum", _momentum_preset_scene, MomentumScene(),
                              _MOMENTUM_READERS)
    if momentum is not None:
        check_equation(momentum.text, ("x",), "momentum.text")

    if "view" in raw:
        view = _READ.choice(VIEWS)(raw["view"], "view")
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
        name = _READ.line(raw[preset_key], preset_key, MAX_NAME)
        try:
            base = from_preset(name)
        except KeyError as error:
            raise ReadError(f"{error.args[0] if error.args else error}") from None
        except ValueError as error:   # a broken preset file is gdviz's fault, still say which
            raise ReadError(f"the preset {quote(name)} could not be loaded ({error})") from None
    changes = _table(raw.get(fields_key, {}), fields_key, readers)
    # A changed equation makes the preset's explanation (shown beside the plots) wrong: drop its name.
    if "preset" in {f.name for f in fields(base)} and ({"text", "params", "kind", "direction"} & set(changes)):
        changes["preset"] = ""
    return _frame_new_equation(_READ.build(fields_key, type(base), changes, base=base), changes)


def _frame_new_equation(scene: Any, changes: Mapping[str, Any]) -> Any:
    """A step that gives an equation (text) but no range gets its equation framed; a preset alone,
    or a step with its own range, keeps the range it has."""
    if "text" not in changes:
        return scene
    from .framing import framed, framed2d
    if isinstance(scene, Scene) and "x_range" not in changes:
        return framed(scene)
    if isinstance(scene, Scene2D) and not ("x_range" in changes and "y_range" in changes):
        return framed2d(scene, x="x_range" not in changes, y="y_range" not in changes)
    return scene


def _preset_scene(name: str) -> Scene:
    from .presets import preset
    return preset(name).scene


def _plane_preset_scene(name: str) -> Scene2D:
    from .landscape import landscape_preset
    return landscape_preset(name).scene2d()


def _momentum_preset_scene(name: str) -> MomentumScene:
    from .momentum import momentum_preset
    return momentum_preset(name).scene


def _table(value: object, section: str, readers: Mapping[str, Callable[[object, str], object]]) -> dict[str, Any]:
    return _READ.read_fields(value, readers, f"'{section}'", prefix=f"{section}.",
                             hint=f" of settings ([steps.{section}])")
