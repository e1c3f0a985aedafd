"""Render the README's screenshots (docs/*.png) as the app draws them, so they stay current.

    QT_QPA_PLATFORM=offscreen python tools/render_screenshots.py            # all of them
    QT_QPA_PLATFORM=offscreen python tools/render_screenshots.py lesson     # some of them

Each recipe drives the real window (and its own export path) the way a user would get there.
"""
from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Fresh preferences (theme, lesson left open, geometry): the pictures must not depend on whoever
# runs this, nor change their settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="gdviz-screens-config-")
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="gdviz-screens-data-")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from gdviz.app import main, qt_application  # noqa: E402

DOCS = ROOT / "docs"
DESKTOP = (1600, 1000)
PROJECTOR = (1280, 720)


def _window():
    from gdviz.ui.main_window import MainWindow
    window = MainWindow()
    window.resize(*DESKTOP)
    return window


def _let_it_settle(ms: int = 500) -> None:
    """A user looks after the window has settled: timers that fit the layout have run."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def flow() -> None:
    main(["--export", str(DOCS / "screenshot.png"), "--size", "1600x1000"])


def lab() -> None:
    main(["--view", "lab", "--export", str(DOCS / "lab.png"), "--size", "1600x1000"])


def two_d() -> None:
    main(["--preset2d", "two-minima", "--optimizer", "gd", "--optimizer", "momentum", "--optimizer", "adam",
          "--export", str(DOCS / "2d.png"), "--size", "1600x1000"])


def lesson() -> None:
    from gdviz.ui.exports import export_png
    window = _window()
    window.show()
    window.addons["lesson"].toggle_action.setChecked(True)
    window.addons["lesson"].panel.go(4)                     # "Euler's method: one step at a time"
    _let_it_settle()
    export_png(window, DOCS / "lesson.png", DESKTOP)
    window.addons["lesson"].toggle_action.setChecked(False)
    window.close()


def presentation_dark() -> None:
    from gdviz.ui.exports import export_png
    window = _window()
    window.resize(*PROJECTOR)
    window.show()
    window.addons["presentation"].set_theme("dark")
    window.addons["presentation"].set_presentation(True)
    _let_it_settle()
    export_png(window, DOCS / "presentation-dark.png", PROJECTOR)
    window.addons["presentation"].set_presentation(False)   # the look is remembered: the next recipe's is plain
    window.addons["presentation"].set_theme("light")
    window.close()


def edge() -> None:
    main(["--train", "spirals", "--steps", "3000", "--export", str(DOCS / "edge.png"), "--size", "1600x1000"])


def modified() -> None:
    main(["--h", "0.7", "--steps", "16", "--modified",
          "--export", str(DOCS / "modified.png"), "--size", "1600x1000"])


def noise() -> None:
    main(["--view", "noise", "--lr", "0.1", "--batch", "4", "--export", str(DOCS / "noise.png"), "--size", "1600x1000"])


def integrators() -> None:
    """The flow's integrators as optimizers at η just under GD's 2/λ: GD zig-zags, implicit Euler and
    RK4 glide in, Newton goes straight to the minimum."""
    main(["--F", "6x^2 + 9y^2 - 12x - 14y + 3", "--x0", "-0.9,-0.5", "--x0", "2.5,2", "--lr", "0.105",
          "--steps", "40", "--optimizer", "gd", "--optimizer", "implicit-euler", "--optimizer", "heun",
          "--optimizer", "rk4", "--optimizer", "newton",
          "--export", str(DOCS / "integrators.png"), "--size", "1600x1000"])


RECIPES: dict[str, Callable[[], None]] = {
    "screenshot": flow, "lab": lab, "2d": two_d, "lesson": lesson, "presentation-dark": presentation_dark,
    "edge": edge, "modified": modified, "noise": noise, "integrators": integrators,
}


if __name__ == "__main__":
    wanted = sys.argv[1:] or list(RECIPES)
    unknown = [w for w in wanted if w not in RECIPES]
    if unknown:
        sys.exit(f"unknown screenshot(s) {', '.join(unknown)}; choose from {', '.join(RECIPES)}")
    app = qt_application()      # as gdviz makes it (gdviz.compute.gui_gc)
    for name in wanted:
        RECIPES[name]()
        print(f"wrote docs/{name}.png")
