"""The numbered preset folders under resources/ (presets, presets2d, momentum): one loader for all.

A preset is a JSON file NN-name.json (data, never code); the number gives the menu order. Each
kind of preset reads its files with its own reader; this module finds the files, reads them
strictly (readers.loads_json) and names the file at fault in every error.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .readers import MAX_NAME, FieldReader, ReadError, Readers, clip, loads_json

__all__ = ["MAX_PRESET_BYTES", "PRESET_HEADER", "PresetReader", "find_named", "preset_header_readers",
           "read_numbered", "read_scene_preset"]

T = TypeVar("T")
PresetReader = Callable[[object, str], T]   # (decoded JSON, file name) -> a preset; ValueError naming the file

MAX_PRESET_BYTES = 1 << 20          # a preset is a few hundred bytes
MAX_TITLE = MAX_NAME
MAX_EXPLANATION = 4000
PRESET_HEADER = ("name", "title", "explanation")
_NUMBERED = re.compile(r"(\d+)-.+\.json")


class _Named(Protocol):
    name: str


N = TypeVar("N", bound=_Named)


def read_numbered(folder: Path, read: Callable[[object, str], T],
                  name_of: Callable[[T], str] | None = None) -> tuple[T, ...]:
    """Every NN-name.json in `folder`, in the order of the numbers, decoded and read by
    `read(data, file name)`. ReadError naming the file for a file that cannot be read, is not
    strict JSON, is not numbered, or is refused by `read`; and, if `name_of` is given, for a
    preset whose name an earlier file already took."""
    out: list[T] = []
    seen: dict[str, str] = {}
    for path in _numbered(folder):
        try:
            data = path.read_bytes()
            if len(data) > MAX_PRESET_BYTES:
                raise ReadError(f"the file is too large for a preset ({len(data)} bytes)")
            item = read(loads_json(data.decode("utf-8-sig")), path.name)
        except ReadError as error:
            if str(error).startswith(f"{path.name}: "):   # the reader named the file already
                raise
            raise _named(path, error) from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise _named(path, error) from None
        if name_of is not None:
            name = name_of(item)
            if name in seen:
                raise ReadError(f"{path.name}: the preset name {name!r} is taken by {seen[name]}")
            seen[name] = path.name
        out.append(item)
    return tuple(out)


def _numbered(folder: Path) -> list[Path]:
    found: list[tuple[int, Path]] = []
    for path in folder.glob("*.json"):
        match = _NUMBERED.fullmatch(path.name)
        if match is None:
            raise ReadError(f"{path.name}: a preset file is named NN-name.json (a number first, for the "
                            f"menu order)")
        found.append((int(match.group(1)), path))
    return [path for _, path in sorted(found, key=lambda item: (item[0], item[1].name))]


def _named(path: Path, error: Exception) -> ReadError:
    if isinstance(error, UnicodeDecodeError):
        return ReadError(f"{path.name}: the file is not UTF-8 text (a bad byte at position {error.start})")
    if isinstance(error, OSError):
        return ReadError(f"{path.name}: could not read the file ({error.strerror or error})")
    return ReadError(f"{path.name}: {error}")


def find_named(items: Iterable[N], name: str, what: str = "preset") -> N:
    """The item called `name`; KeyError with the valid names otherwise."""
    items = tuple(items)
    for item in items:
        if item.name == name:
            return item
    raise KeyError(f"no {what} named {clip(name, 80)!r}; choose one of: {', '.join(i.name for i in items)}")


def preset_header_readers(readers: Readers) -> dict[str, FieldReader]:
    """Readers of what every preset file starts with: its name, its title and its explanation."""
    return {
        "name": lambda v, where: readers.line(v, where, MAX_NAME),
        "title": lambda v, where: readers.line(v, where, MAX_TITLE),
        "explanation": lambda v, where: readers.paragraphs(v, where, MAX_EXPLANATION),
    }


def read_scene_preset(data: object, source: str, readers: Readers, cls: type,
                      scene_readers: Mapping[str, FieldReader], *, renamed: Mapping[str, str] | None = None,
                      required: Iterable[str] = ()) -> tuple[str, str, str, Any]:
    """(name, title, explanation, scene) from a preset file that holds the header and the fields
    of a scene (`cls`), some under older names (`renamed`: file key -> field). ReadError
    ("source: ...") naming the file and the key at fault."""
    renamed = dict(renamed or {})
    back = {field: key for key, field in renamed.items()}
    file_readers = {**preset_header_readers(readers),
                    **{back.get(field, field): reader for field, reader in scene_readers.items()}}
    try:
        values = readers.read_fields(data, file_readers, "the preset", required=(*PRESET_HEADER, *required))
        name, title, explanation = (values.pop(key) for key in PRESET_HEADER)
        scene = readers.build("preset", cls, {renamed.get(k, k): v for k, v in values.items()} | {"preset": name})
    except ReadError as error:
        raise ReadError(f"{source}: {error}") from None
    return name, title, explanation, scene
