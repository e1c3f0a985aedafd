"""Where the data files live: inside the installed package, or beside it in a source checkout."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """`gdviz/resources` in an installed wheel (the build copies it there), else `<repo>/resources`."""
    for candidate in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        if (candidate / "presets").is_dir():
            return candidate
    raise FileNotFoundError("gdviz resources not found: reinstall gdviz")
