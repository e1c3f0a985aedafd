"""Command line and application start-up. With --export or --csv it works headlessly and exits."""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .model.presets import DEFAULT_PRESET, preset, presets
from .model.scene import Scene

EXIT_USAGE = 2
VALUE_OPTIONS = {"--h", "--x0", "--range", "--F", "--f", "--steps", "--size"}


class UsageError(Exception):
    """Bad command-line input: printed as one clear message, exit status 2, nothing written."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gdviz", allow_abbrev=False,
        description="See why gradient descent works: gradient ascent on F is Euler's method on "
                    "x' = F'(x), descent the same on -F'. With no options, opens the window on "
                    "the article's logistic example.",
        epilog="Examples:  gdviz --preset parabola --csv table.csv    "
               "gdviz --F 'x^4/4 - x^2/2' --descent --h 0.3 --x0 0.2 --export out.png")
    p.add_argument("--version", action="version", version=f"gdviz {__version__}")
    p.add_argument("--list-presets", action="store_true", help="list the presets and exit")
    p.add_argument("--preset", metavar="NAME", help=f"start from a preset (default: {DEFAULT_PRESET})")
    eq = p.add_mutually_exclusive_group()
    eq.add_argument("--F", metavar="EXPR", dest="F", help="the objective F(x), e.g. 'x^2/2 - x^3/3'")
    eq.add_argument("--f", metavar="EXPR", dest="f", help="the velocity field f(x) of x' = f(x)")
    d = p.add_mutually_exclusive_group()
    d.add_argument("--ascent", action="store_const", const="ascent", dest="direction",
                   help="maximise F: x' = F'(x)")
    d.add_argument("--descent", action="store_const", const="descent", dest="direction",
                   help="minimise F: x' = -F'(x)")
    p.add_argument("--h", type=float, metavar="H", help="step size = learning rate")
    p.add_argument("--x0", type=float, metavar="X0", help="starting point")
    p.add_argument("--steps", type=int, metavar="N", help="number of Euler steps")
    p.add_argument("--range", metavar="A,B", dest="x_range", help="plotted x-range, e.g. -0.5,1.5")
    p.add_argument("--export", metavar="OUT.png", help="render the window to a PNG and exit")
    p.add_argument("--size", metavar="WxH", default="1600x1000", help="PNG size (default 1600x1000)")
    p.add_argument("--csv", metavar="OUT.csv", help="write the iterates n, t_n, x_n, F(x_n), f(x_n) and exit")
    return p


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """Let `--range -2,2` and `--x0 -0.9` work: argparse would read '-2,2' as an option."""
    out: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg in VALUE_OPTIONS:
            nxt = next(it, None)
            out.append(arg if nxt is None else f"{arg}={nxt}")
        else:
            out.append(arg)
    return out


def _parse_range(text: str) -> tuple[float, float]:
    parts = text.replace(";", ",").split(",")
    try:
        a, b = (float(s) for s in parts)
    except ValueError:
        raise UsageError(f"--range needs two numbers A,B (got {text!r})") from None
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise UsageError(f"--range needs finite numbers with A < B (got {text!r})")
    return a, b


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(s) for s in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size needs WIDTHxHEIGHT in pixels, e.g. 1600x1000 (got {text!r})") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise UsageError("--size: width and height must be between 200 and 8000 pixels")
    return w, h


def scene_from_args(args: argparse.Namespace) -> Scene:
    """The preset (or the default), overridden by whatever the options set."""
    try:
        base = preset(args.preset or DEFAULT_PRESET).scene
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    changes: dict = {}
    if args.F is not None:
        changes.update(text=args.F, kind="F", params=(), preset="")
    if args.f is not None:
        changes.update(text=args.f, kind="f", params=(), preset="")
    for name in ("direction", "h", "x0", "steps"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.x_range is not None:
        changes["x_range"] = _parse_range(args.x_range)
    try:
        return base.with_(**changes)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def equation_error_text(text: str, message: str, column: int | None) -> str:
    """The editor's message, with a caret under the column, for the terminal."""
    lines = [f"error in the equation: {message}", f"  {text}"]
    if column is not None and 1 <= column <= len(text) + 1:
        lines.append("  " + " " * (column - 1) + "^")
    return "\n".join(lines)


def run_headless(scene: Scene, export: str | None, size: tuple[int, int], csv_path: str | None) -> int:
    from .model.results import evaluate
    from .model.expressions import ExpressionError
    from .model.tables import write_iterates_csv

    try:
        result = evaluate(scene)   # validates everything before a single file is written
    except ExpressionError as exc:
        raise UsageError(equation_error_text(scene.text, exc.message, exc.column)) from None
    if csv_path:
        write_iterates_csv(result, csv_path)
    if export:
        export_window_png(scene, export, size)
    for msg in result.messages:
        print(f"gdviz: {msg}", file=sys.stderr)
    return 0


def export_window_png(scene: Scene, path: str, size: tuple[int, int]) -> None:
    """Render the same window the user would see, offscreen, once its result is drawn."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from .ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(scene)
    window.export_png(path, size)             # waits for the newest result itself
    window.close()
    app.processEvents()


def run_window(scene: Scene | None) -> int:
    from PySide6.QtWidgets import QApplication

    from .ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("gdviz")
    app.setOrganizationName("gdviz")
    window = MainWindow(scene)
    window.show()
    return app.exec()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(_join_negative_values(argv))
    try:
        if args.list_presets:
            for p in presets():
                print(f"{p.name:14} {p.title}")
            return 0
        size = _parse_size(args.size)
        scene = scene_from_args(args)
        if args.export or args.csv:
            for out in filter(None, (args.export, args.csv)):
                if not Path(out).resolve().parent.is_dir():
                    raise UsageError(f"cannot write {out}: the folder does not exist")
            return run_headless(scene, args.export, size, args.csv)
    except UsageError as exc:
        print(f"gdviz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_window(scene)
