"""Where the data files live: inside the installed package, beside it in a source checkout, or in
a PyInstaller bundle."""
from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    found = [_PACKAGE / "resources", _PACKAGE.parent / "resources"]
    # PyInstaller unpacks data files under sys._MEIPASS (the `_internal` folder of a onedir app);
    # packaging/gdviz.spec puts them at gdviz/resources there, which is usually _PACKAGE's
    # resources already, but a frozen module's __file__ is not guaranteed to be a real path.
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        found.insert(0, Path(bundle) / "gdviz" / "resources")
    return found


def resources_dir() -> Path:
    """`gdviz/resources` in an installed wheel or a frozen app (the builds copy it there), else
    `<repo>/resources`."""
    for candidate in _candidates():
        if (candidate / "presets").is_dir():
            return candidate
    raise FileNotFoundError("gdviz resources not found: reinstall gdviz")


# The PNG sizes tools/render_icons.py renders (resources/icons/png/gdviz-<N>.png).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_pngs() -> dict[int, Path]:
    """The app icon's PNGs that exist, by size (for the window icon and the desktop install)."""
    folder = resources_dir() / "icons" / "png"
    return {n: p for n in ICON_SIZES if (p := folder / f"gdviz-{n}.png").is_file()}
