"""Presets: named scenes stored as JSON data files in resources/presets (data, never code)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..paths import resources_dir
from .preset_files import find_named, read_numbered, read_scene_preset
from .readers import Readers
from .scene import Scene
from .scene_readers import scene_field_readers

__all__ = ["DEFAULT_PRESET", "Preset", "preset", "preset_from_dict", "presets"]


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    explanation: str
    scene: Scene


_READ = Readers()
# Any field of Scene may be set; two keep the names the preset files had before sessions existed.
_RENAMED = {"equation": "text", "range": "x_range"}
_REQUIRED = ("equation", "kind", "direction", "h", "x0", "steps", "range")
_SCENE_READERS = scene_field_readers(_READ, Scene, exclude=("preset",))


def preset_from_dict(data: object, source: str = "<preset>") -> Preset:
    """A preset from a decoded resources/presets/NN-name.json; ReadError naming `source` otherwise.
    The equation is not parsed here: presets are listed at start-up, before sympy is imported."""
    return Preset(*read_scene_preset(data, source, _READ, Scene, _SCENE_READERS, renamed=_RENAMED,
                                     required=_REQUIRED))


@lru_cache(maxsize=1)
def presets() -> tuple[Preset, ...]:
    """All presets in menu order (files are numbered); ReadError (a ValueError) for a bad file."""
    return read_numbered(resources_dir() / "presets", preset_from_dict, name_of=lambda p: p.name)


def preset(name: str) -> Preset:
    """The preset called `name`; KeyError with the valid names otherwise."""
    return find_named(presets(), name)


DEFAULT_PRESET = "logistic"
