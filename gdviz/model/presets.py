"""Presets: named scenes stored as JSON data files in resources/presets (data, never code)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..paths import resources_dir
from .scene import Scene


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    explanation: str
    scene: Scene


def _load(path: Path) -> Preset:
    d = json.loads(path.read_text(encoding="utf-8"))
    scene = Scene(
        text=str(d["equation"]), kind=str(d["kind"]), direction=str(d["direction"]),
        h=float(d["h"]), x0=float(d["x0"]), steps=int(d["steps"]),
        x_range=(float(d["range"][0]), float(d["range"][1])),
        params=tuple(sorted((str(k), float(v)) for k, v in d.get("params", {}).items())),
        preset=str(d["name"]),
    )
    return Preset(str(d["name"]), str(d["title"]), str(d["explanation"]), scene)


@lru_cache(maxsize=1)
def presets() -> tuple[Preset, ...]:
    """All presets in menu order (files are numbered)."""
    return tuple(_load(p) for p in sorted((resources_dir() / "presets").glob("*.json")))


def preset(name: str) -> Preset:
    """The preset called `name`; KeyError with the valid names otherwise."""
    for p in presets():
        if p.name == name:
            return p
    raise KeyError(f"no preset named {name!r}; choose one of: {', '.join(p.name for p in presets())}")


DEFAULT_PRESET = "logistic"
