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
from .model.scene import Scene, parse_step_sizes

EXIT_USAGE = 2
VALUE_OPTIONS = {"--h", "--x0", "--range", "--F", "--f", "--steps", "--size", "--h-range", "--compare-h",
                 "--error-t"}
# The window's views (gdviz.ui.main_window.VIEWS), spelled here so --help needs no Qt import.
VIEWS = ("flow", "lab", "2d", "compare", "error", "cobweb", "bifurcation")


class UsageError(Exception):
    """Bad command-line input: printed as one clear message, exit status 2, nothing written."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gdviz", allow_abbrev=False,
        description="See why gradient descent works: gradient ascent on F is Euler's method on "
                    "x' = F'(x), descent the same on -F'. With no options, opens the window on "
                    "the article's logistic example.",
        epilog="Examples:  gdviz --preset parabola --csv table.csv    "
               "gdviz --F 'x^4/4 - x^2/2' --descent --h 0.3 --x0 0.2 --export out.png    "
               "gdviz --view bifurcation --h-range 1.5,3 --export orbits.png --csv orbits.csv")
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
    p.add_argument("--csv", metavar="OUT.csv",
                   help="write a table and exit: the iterates n, t_n, x_n, F(x_n), f(x_n); with --view "
                        "bifurcation the orbit points h, k, x; with --view error the errors against h")
    lab = p.add_argument_group("the step-size lab")
    lab.add_argument("--view", choices=VIEWS, default=None,
                     help="open on (or export) this view: the flow or lab tab, or one lab canvas alone")
    lab.add_argument("--compare-h", metavar="H1,H2,..", help="step sizes drawn with yours (default 1,0.5,0.1)")
    lab.add_argument("--error-t", type=float, metavar="T", help="time at which the error is measured (0: auto)")
    lab.add_argument("--h-range", metavar="A,B", help="h-axis of the bifurcation diagram (default: automatic)")
    lab.add_argument("--orbit-h", type=int, metavar="N", help="values of h in the bifurcation diagram (2000)")
    lab.add_argument("--transient", type=int, metavar="N", help="iterations discarded per h (500)")
    lab.add_argument("--kept", type=int, metavar="N", help="iterations plotted per h (200)")
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


def _parse_range(text: str, option: str = "--range") -> tuple[float, float]:
    parts = text.replace(";", ",").split(",")
    try:
        a, b = (float(s) for s in parts)
    except ValueError:
        raise UsageError(f"{option} needs two numbers A,B (got {text!r})") from None
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise UsageError(f"{option} needs finite numbers with A < B (got {text!r})")
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
    if args.h_range is not None:
        changes["h_range"] = _parse_range(args.h_range, "--h-range")
    if args.compare_h is not None:
        try:
            changes["compare_h"] = parse_step_sizes(args.compare_h)
        except ValueError as exc:
            raise UsageError(f"--compare-h: {exc}") from None
    for option, field in (("error_t", "error_t"), ("orbit_h", "orbit_h_count"), ("transient", "orbit_transient"),
                          ("kept", "orbit_kept")):
        if getattr(args, option) is not None:
            changes[field] = getattr(args, option)
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


def run_headless(scene: Scene, export: str | None, size: tuple[int, int], csv_path: str | None,
                 view: str | None = None) -> int:
    from .model.expressions import ExpressionError
    from .model.results import evaluate
    from .model.tables import write_iterates_csv

    # Everything is computed (and so validated) before a single file is written.
    try:
        result = evaluate(scene)
        lab = orbits = None
        if view in ("lab", "compare", "error"):
            from .model.lab import evaluate_lab
            lab = evaluate_lab(scene)
        if view in ("lab", "bifurcation"):
            from .model.lab import evaluate_orbits
            orbits = evaluate_orbits(scene)
    except ExpressionError as exc:
        raise UsageError(equation_error_text(scene.text, exc.message, exc.column)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if csv_path and view == "error" and (lab is None or lab.sweep is None):
        raise UsageError(f"no error table to write: {lab.sweep_note if lab else 'no sweep'}")
    if csv_path:
        if view == "bifurcation":
            from .model.bifurcation import write_orbit_csv
            write_orbit_csv(orbits.diagram, csv_path)
        elif view == "error":
            from .model.lab import write_sweep_csv
            write_sweep_csv(lab.sweep, csv_path)
        else:
            write_iterates_csv(result, csv_path)
    if export:
        export_window_png(scene, export, size, view)
    for msg in result.messages:
        print(f"gdviz: {msg}", file=sys.stderr)
    return 0


def export_window_png(scene: Scene, path: str, size: tuple[int, int], view: str | None = None) -> None:
    """Render the same window the user would see (or one of its lab canvases), offscreen, once its
    results are drawn."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from .ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(scene)
    window.export_png(path, size, view)       # waits for the newest results itself
    window.close()
    app.processEvents()


def run_window(scene: Scene | None, view: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from .ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("gdviz")
    app.setOrganizationName("gdviz")
    window = MainWindow(scene)
    if view is not None:
        window.show_view(view)
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
            return run_headless(scene, args.export, size, args.csv, args.view)
    except UsageError as exc:
        print(f"gdviz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_window(scene, args.view)
