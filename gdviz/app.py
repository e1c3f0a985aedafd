"""Command line and application start-up. With --export or --csv it works headlessly and exits.

Two kinds of run. 1-D: F(x) or f(x), one start, Euler steps (the flow and lab tabs). 2-D: F(x, y),
one or more starts, optimizers side by side (the 2-D tab), chosen when --F uses y, an --x0 is a
point X,Y, --view is 2d or --preset2d is given. Options of the other kind are refused, not ignored.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import sys
import typing
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import __version__
from .model.method_names import METHOD_NAMES, STEP_RULES
from .model.presets import DEFAULT_PRESET, preset, presets
from .model.ranges import range_problem
from .model.readers import clip, quote
from .model.scene import ERROR_REFERENCES, Scene, parse_step_sizes
from .model.scene2d import OPTIMIZER_NAMES, Scene2D
from .model.views import TWO_D_VIEWS, VIEWS, tab_of  # the window's views, without importing Qt (--help stays fast)
from .noise_cli import NEGATIVE_OK, add_noise_options, noise_outputs, noise_scene_from_args, refuse_noise_options

if TYPE_CHECKING:
    from .model.diffusion import NoiseScene
    from .model.files import OutputBatch
    from .model.momentum import MomentumScene
    from .model.session import Session
    from .model.training import TrainScene

EXIT_USAGE = 2
QUOTE_LIMIT = 80          # characters of the user's input quoted back in a message
CHOICES_LIMIT = 80        # characters of an option's choices listed in a refusal
MESSAGE_LIMIT = 200       # a refusal is one line, at most this long
VALUE_OPTIONS = {"--h", "--x0", "--range", "--F", "--f", "--steps", "--size", "--h-range", "--compare-h",
                 "--error-t", "--lr", "--momentum", "--beta1", "--beta2", "--alpha", "--eps", "--weight-decay",
                 "--y-range", "--sharpness-every", "--svg", "--gif", "--mp4", "--scale", "--fps", "--frames",
                 *NEGATIVE_OK}


class UsageError(Exception):
    """Bad command-line input: printed as one clear message, exit status 2, nothing written."""


DEFAULT_FPS, DEFAULT_FRAMES = 10, 600     # gdviz.ui.exports' defaults, spelled here without Qt


@dataclass(frozen=True)
class MediaExports:
    """--svg, --gif, --mp4 (and --scale for --export): written by the same offscreen window."""

    svg: str | None = None
    gif: str | None = None
    mp4: str | None = None
    scale: float | None = None
    fps: int = DEFAULT_FPS
    frames: int = DEFAULT_FRAMES

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p for p in (self.svg, self.gif, self.mp4) if p)


def media_from_args(args: argparse.Namespace) -> MediaExports:
    """The export options, checked: out-of-range numbers, options without the output they tune,
    and --mp4 without ffmpeg are UsageErrors (nothing is written)."""
    if args.scale is not None:
        if not args.export:
            raise UsageError("--scale sets the pixels of the --export PNG: give --export OUT.png too")
        if not (math.isfinite(args.scale) and 1 <= args.scale <= 4):
            raise UsageError(f"--scale must be between 1 and 4 (got {args.scale:g})")
    animated = args.gif or args.mp4
    for option, value, low, high in (("--fps", args.fps, 1, 60), ("--frames", args.frames, 2, 10_000)):
        if value is not None:
            if not animated:
                raise UsageError(f"{option} is for the animations: give --gif OUT.gif or --mp4 OUT.mp4 too")
            if not low <= value <= high:
                raise UsageError(f"{option} must be a whole number from {low} to {high} (got {value})")
    if args.mp4:
        from .ui.exports import ffmpeg_status
        ok, message = ffmpeg_status()
        if not ok:
            raise UsageError(message)
    return MediaExports(args.svg, args.gif, args.mp4, args.scale, args.fps or DEFAULT_FPS,
                        args.frames or DEFAULT_FRAMES)


def _check_image_cost(size: tuple[int, int], media: MediaExports, png: bool) -> None:
    """Refuse pictures too large to render within the memory budget (gdviz.model.budget)."""
    from .model.budget import image_problem
    if png or media.paths:
        scale = media.scale if png and media.scale is not None else 1.0
        problem = image_problem(size, scale, remedy=("give a smaller --size", "--scale"))
        if problem:
            raise UsageError(problem)


# What an option without its value needs, in the user's words (others say their metavar).
VALUE_HINTS = {"--F": "an equation, e.g. --F 'x^2/2 - x^3/3'", "--f": "an equation, e.g. --f 'x - x^2'"}


class _Parser(argparse.ArgumentParser):
    """argparse, refusing with one sentence in the user's words (no usage block; long input clipped)."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {self.sentence(message)} (gdviz --help lists the options)\n")

    def sentence(self, message: str) -> str:
        """argparse's "argument --F: expected one argument" as "--F needs an equation, e.g. ..."."""
        message = " ".join(message.split())
        found = re.fullmatch(r"argument (\S+?)(?:/\S+)?: (.*)", message)
        if found is None:
            return clip(message, MESSAGE_LIMIT)
        option, problem = found.groups()
        if problem == "expected one argument":
            action = self._option_string_actions.get(option)
            metavar = action.metavar if action is not None and isinstance(action.metavar, str) else "VALUE"
            return f"{option} needs {VALUE_HINTS.get(option, 'a value ' + metavar)}"
        invalid = re.fullmatch(r"invalid (\w+) value: '(.*)'", problem)
        if invalid is not None:
            kind = {"float": "a number", "int": "a whole number"}.get(invalid[1], "a value")
            return f"{option} needs {kind} (got {quote(invalid[2], QUOTE_LIMIT)})"
        choice = re.fullmatch(r"invalid choice: '(.*?)' \(choose from (.*)\)", problem)
        if choice is not None:
            names = choice[2].replace(chr(39), "")
            if len(names) > CHOICES_LIMIT:      # --view has 14 names: the first ones, the rest in --help
                names = names[:names.rfind(",", 0, CHOICES_LIMIT)] + ", …"
            return f"{option}: invalid choice {quote(choice[1], 40)}; choose from {names}"
        return clip(f"{option}: {problem}", MESSAGE_LIMIT)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="gdviz", allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="See why gradient descent works: gradient ascent on F is Euler's method on\n"
                    "x' = F'(x), descent the same on -F'. With no options, opens the window on\n"
                    "the article's logistic example.\n\n"
                    "A 2-D run (the 2-D tab: F(x, y), several starts, optimizers side by side) is\n"
                    "chosen when --F uses y, an --x0 is a point X,Y, --view is 2d or --preset2d\n"
                    "is given. With --export or --csv the run is headless: nothing is written\n"
                    "unless all the input is good (bad input: a message and exit status 2).",
        epilog="examples:\n"
               "  gdviz --preset parabola --csv table.csv\n"
               "  gdviz --F 'x^4/4 - x^2/2' --descent --h 0.3 --x0 0.2 --export out.png\n"
               "  gdviz --view bifurcation --h-range 1.5,3 --export orbits.png --csv orbits.csv\n"
               "  gdviz --view lyapunov --h-range 1.5,3 --orbit-h 500 --csv lyap.csv\n"
               "  gdviz --F '6x^2 + 9y^2 - 12x - 14y + 3' --x0 -0.9,-0.5 --x0 2.5,2 \\\n"
               "        --optimizer GD --optimizer Adam --lr 0.05 --steps 200 \\\n"
               "        --csv paths.csv --export paths.png\n"
               "  gdviz --train spirals --optimizer GD --lr 0.4 --steps 3000 --csv train.csv\n"
               "  gdviz --preset2d two-minima --optimizer Momentum --momentum 0.8")
    p.add_argument("--version", action="version", version=f"gdviz {__version__}")
    p.add_argument("session", nargs="?", metavar="FILE.gdviz",
                   help="open a saved session; with --export, --csv, --svg, --gif or --mp4, render it "
                        "(its own tab, or --view) and exit")
    p.add_argument("--list-presets", action="store_true", help="list the presets (1-D and 2-D) and exit")
    p.add_argument("--describe", action="store_true",
                   help="print the picture in words (the equation, equilibria or critical points and "
                        "their stability, what the iterates do from x0 and why) and exit; "
                        "--view chooses the tab or lab canvas")
    desk = p.add_mutually_exclusive_group()
    desk.add_argument("--install-desktop", action="store_true",
                      help="add gdviz to this user's desktop menu, with its icon, and make .gdviz "
                           "files open in it on double-click; then exit")
    desk.add_argument("--uninstall-desktop", action="store_true",
                      help="remove what --install-desktop added; then exit")
    p.add_argument("--preset", metavar="NAME", help=f"start from a preset (default: {DEFAULT_PRESET})")
    eq = p.add_mutually_exclusive_group()
    eq.add_argument("--F", metavar="EXPR", dest="F",
                    help="the objective F(x), e.g. 'x^2/2 - x^3/3', or F(x, y) for a 2-D run")
    eq.add_argument("--f", metavar="EXPR", dest="f", help="the velocity field f(x) of x' = f(x)")
    d = p.add_mutually_exclusive_group()
    d.add_argument("--ascent", action="store_const", const="ascent", dest="direction",
                   help="maximise F: x' = F'(x)")
    d.add_argument("--descent", action="store_const", const="descent", dest="direction",
                   help="minimise F: x' = -F'(x)")
    p.add_argument("--h", type=float, metavar="H", help="step size = learning rate")
    p.add_argument("--x0", action="append", metavar="X0|X,Y",
                   help="starting point; in 2-D a point X,Y, repeat --x0 for several starts")
    p.add_argument("--steps", type=int, metavar="N", help="number of Euler steps (2-D: optimizer steps)")
    p.add_argument("--method", choices=METHOD_NAMES, default=None,
                   help="how each step is taken: explicit Euler (gradient descent/ascent, the default), "
                        "implicit Euler (the proximal point method), Heun, RK4, or Newton (Euler on "
                        "x' = -f/f'; h = 1 is Newton's method)")
    p.add_argument("--step-rule", choices=STEP_RULES, default=None, dest="step_rule",
                   help="how explicit Euler chooses each step: a fixed h (default), backtracking from h "
                        "(armijo), exact line search (exact) or Barzilai-Borwein (bb); the --csv table "
                        "then has a last column h_n, the step taken from x_n")
    p.add_argument("--modified", action="store_const", const=True, default=None,
                   help="draw the modified flow x' = f - (h/2) f' f that explicit Euler's iterates follow, and "
                        "F~ = F -/+ (h/4) F'^2 (ascent/descent) beside F; in 2-D the isolines of "
                        "F + (lr/4)|grad F|^2")
    p.add_argument("--range", metavar="A,B", dest="x_range", help="plotted x-range, e.g. -0.5,1.5")
    p.add_argument("--export", metavar="OUT.png", help="render the window to a PNG and exit")
    p.add_argument("--size", metavar="WxH", default="1600x1000",
                   help="size of --export, --svg, --gif and --mp4 (default 1600x1000)")
    p.add_argument("--csv", metavar="OUT.csv",
                   help="write a table and exit: the iterates n, t_n, x_n, F(x_n), f(x_n); with --view "
                        "bifurcation the orbit points h, k, x; with --view error the errors against h; "
                        "with --view lyapunov the exponent h, lyapunov on the diagram's grid; with --view "
                        "doublings the period doublings period, h inside --h-range; "
                        "in 2-D the paths optimizer, start (from 0), n, x, y, F, a start's rows "
                        "stopping where it diverged; with --view rates the rate map eta, mu, rate")
    lab = p.add_argument_group("the step-size lab")
    lab.add_argument("--view", choices=VIEWS, default=None,
                     help="open on (or export) this view: the flow, lab or 2d tab, one lab canvas alone, "
                          "or the 2-D tab's sharpness plot alone (sharpness)")
    lab.add_argument("--compare-h", metavar="H1,H2,..", help="step sizes drawn with yours (default 1,0.5,0.1)")
    lab.add_argument("--error-t", type=float, metavar="T", help="time at which the error is measured (0: auto)")
    lab.add_argument("--reference", choices=ERROR_REFERENCES, default=None,
                     help="Euler's error against the exact flow (default) or its modified equation "
                          "x' = f - (h/2) f' f, which its iterates follow to second order")
    lab.add_argument("--h-range", metavar="A,B",
                     help="h-axis of the bifurcation diagram and the Lyapunov exponent (default: automatic)")
    lab.add_argument("--orbit-h", type=int, metavar="N",
                     help="values of h in the bifurcation diagram and the Lyapunov exponent (2000)")
    lab.add_argument("--transient", type=int, metavar="N", help="iterations discarded per h (500)")
    lab.add_argument("--kept", type=int, metavar="N", help="iterations plotted per h (200)")
    media = p.add_argument_group("exports for slides (headless, like --export; with --view or a 2-D run too)")
    media.add_argument("--scale", type=float, metavar="S",
                       help="--export PNG at S times the pixels of --size, drawn sharp (1 to 4; 2 for a projector)")
    media.add_argument("--svg", metavar="OUT.svg", help="the window (or the --view) as an SVG vector image")
    media.add_argument("--gif", metavar="OUT.gif", help="the animation of the view as an animated GIF")
    media.add_argument("--mp4", metavar="OUT.mp4",
                       help="the animation as an MP4 video (needs ffmpeg: pip install 'gdviz[video]')")
    media.add_argument("--fps", type=int, metavar="N", help="frames per second of --gif/--mp4 (1 to 60, default 10)")
    media.add_argument("--frames", type=int, metavar="N",
                       help=f"at most N frames in --gif/--mp4, sampled evenly (default {DEFAULT_FRAMES})")
    two = p.add_argument_group("2-D runs: F(x, y) and optimizers side by side")
    two.add_argument("--preset2d", metavar="NAME", help="start from a 2-D preset, e.g. two-minima")
    two.add_argument("--optimizer", action="append", metavar="NAME",
                     help=f"{', '.join(OPTIMIZER_NAMES)} (implicit-euler also spells Implicit Euler); "
                          "repeat to run several side by side (default GD)")
    two.add_argument("--lr", type=float, metavar="LR", help="learning rate (default 0.05)")
    two.add_argument("--momentum", type=float, metavar="M", help="momentum of Momentum and Nesterov (0.9)")
    two.add_argument("--beta1", type=float, metavar="B1", help="beta1 of Adam and AdamW (0.9)")
    two.add_argument("--beta2", type=float, metavar="B2", help="beta2 of Adam and AdamW (0.999)")
    two.add_argument("--alpha", type=float, metavar="A", help="smoothing constant of RMSprop (0.99)")
    two.add_argument("--eps", type=float, metavar="E",
                     help="epsilon of Adagrad, RMSprop, Adam and AdamW (1e-8)")
    two.add_argument("--weight-decay", type=float, metavar="L", dest="weight_decay",
                     help="decoupled weight decay of AdamW (0.01)")
    two.add_argument("--y-range", metavar="A,B", dest="y_range",
                     help="plotted y-range (--range is the x-range), e.g. -1,2.5")
    add_noise_options(p)
    edge = p.add_argument_group("training a small network (the edge-of-stability tab)")
    edge.add_argument("--train", metavar="MODEL",
                      help="train MODEL full batch with --optimizer (GD) at --lr for --steps; with --csv "
                           "write columns n, loss, sharpness; with --export a PNG of the tab")
    edge.add_argument("--list-models", action="store_true", help="list the models --train knows and exit")
    edge.add_argument("--sharpness-every", type=int, metavar="K", dest="sharpness_every",
                      help="steps between two sharpness estimates of --train (default 20)")
    return p


def _join_negative_values(argv: Sequence[str], options: Collection[str] = ()) -> list[str]:
    """Let `--range -2,2` and `--x0 -0.9` work: argparse would read '-2,2' as an option.

    An option of `options` is not a value: `--F --export out.png` is --F without its equation
    (joined, F would be "--export" and out.png a session file)."""
    out: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg in VALUE_OPTIONS:
            nxt = next(it, None)
            if nxt is None or nxt.split("=", 1)[0] in options:
                out.extend(a for a in (arg, nxt) if a is not None)
            else:
                out.append(f"{arg}={nxt}")
        else:
            out.append(arg)
    return out


def _parse_range(text: str, option: str = "--range", positive: bool = False) -> tuple[float, float]:
    """A,B as a range a plot can show: the one rule of every plotted range (model.ranges)."""
    parts = text.replace(";", ",").split(",")
    try:
        a, b = (float(s) for s in parts)
    except ValueError:
        raise UsageError(f"{option} needs two numbers A,B (got {quote(text, QUOTE_LIMIT)})") from None
    problem = range_problem(a, b, option)
    if problem is not None:
        raise UsageError(problem)
    if positive and not a > 0:
        raise UsageError(f"{option} needs two numbers 0 < A < B (got {a:g}, {b:g})")
    return a, b


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(s) for s in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size needs WIDTHxHEIGHT in pixels, e.g. 1600x1000 (got {quote(text, QUOTE_LIMIT)})") from None
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
    for name in ("direction", "h", "steps", "method", "step_rule", "modified"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.x0:
        if len(args.x0) > 1:
            raise UsageError(f"--x0 was given {len(args.x0)} times, but a 1-D run has one starting point "
                             "(several starts X,Y are for a 2-D F(x, y))")
        try:
            changes["x0"] = float(args.x0[0])
        except ValueError:
            raise UsageError(f"--x0 needs a number (got {quote(args.x0[0], QUOTE_LIMIT)})") from None
    if args.x_range is not None:
        changes["x_range"] = _parse_range(args.x_range)
    if args.h_range is not None:
        changes["h_range"] = _parse_range(args.h_range, "--h-range", positive=True)
    if args.compare_h is not None:
        try:
            changes["compare_h"] = parse_step_sizes(args.compare_h)
        except ValueError as exc:
            raise UsageError(f"--compare-h: {exc}") from None
    for option, field in (("error_t", "error_t"), ("reference", "error_reference"), ("orbit_h", "orbit_h_count"), ("transient", "orbit_transient"),
                          ("kept", "orbit_kept")):
        if getattr(args, option) is not None:
            changes[field] = getattr(args, option)
    try:
        scene = base.with_(**changes)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if scene.modified and not scene.shows_modified:
        raise UsageError("--modified draws the flow that explicit Euler with a fixed h follows: "
                         "leave out --method and --step-rule, or choose --method euler --step-rule fixed")
    if (args.F is not None or args.f is not None) and args.x_range is None:
        # a typed equation without --range: show what matters in it
        from .model.framing import framed
        scene = framed(scene)
    return scene


# ----------------------------------------------------------------------------------- 2-D runs

# Options of one kind of run that the other refuses (dest, spelling, hint).
ONE_D_ONLY = (("f", "--f", "a 2-D run minimises an objective F(x, y): give it with --F"),
              ("direction", "--ascent/--descent", "2-D runs minimise F"),
              ("h", "--h", "in 2-D the learning rate is --lr"),
              ("preset", "--preset", "a 2-D preset is --preset2d NAME"),
              ("method", "--method", "in 2-D the optimizers are chosen with --optimizer"),
              ("step_rule", "--step-rule", "in 2-D the learning rate is --lr"),
              ("compare_h", "--compare-h", ""), ("error_t", "--error-t", ""), ("reference", "--reference", ""), ("h_range", "--h-range", ""),
              ("orbit_h", "--orbit-h", ""), ("transient", "--transient", ""), ("kept", "--kept", ""))
# The scene-wide hyperparameters the command line sets: option dest = Scene2D field = torch's name.
HYPER_OPTIONS = ("momentum", "beta1", "beta2", "alpha", "eps", "weight_decay")
TWO_D_ONLY = (("optimizer", "--optimizer", ""), ("lr", "--lr", "in 1-D the step size (= learning rate) is --h"),
              *((k, "--" + k.replace("_", "-"), "") for k in HYPER_OPTIONS), ("y_range", "--y-range", ""))


def hyper_users(key: str) -> tuple[str, ...]:
    """The optimizers a scene-wide hyperparameter reaches (as Scene2D.hyper hands them out)."""
    return tuple(name for name in OPTIMIZER_NAMES if key in Scene2D().hyper(name))


def _uses_y(text: str) -> bool:
    """Does F's text use the variable y (so it is F(x, y))?"""
    from .model.expressions import ExpressionError, parse
    try:
        expr = parse(text, variables=("x", "y"))
    except ExpressionError:
        # Unparseable: look for a name y, so the message comes from the 2-D run (the same caret).
        return "y" in re.findall(r"[A-Za-z_]\w*", text)
    return any(s.name == "y" for s in expr.expr.free_symbols)


def two_d_reason(args: argparse.Namespace) -> str | None:
    """Why this command line is a 2-D run (for messages), or None for a 1-D run."""
    if args.preset2d is not None:
        return "--preset2d is given"
    if args.view in TWO_D_VIEWS:
        return f"--view is {args.view}"
    if any("," in v or ";" in v for v in args.x0 or ()):
        return "an --x0 is a point X,Y"
    if args.F is not None and _uses_y(args.F):
        return "F uses y"
    return None


def _refuse(args: argparse.Namespace, options: tuple, why: str) -> None:
    for dest, spelling, hint in options:
        if getattr(args, dest) is not None:
            if dest == "direction":
                spelling = f"--{args.direction}"
            raise UsageError(f"{spelling} is not for this run: {why}" + (f"; {hint}" if hint else ""))


def _parse_point(text: str) -> tuple[float, float]:
    parts = text.replace(";", ",").split(",")
    try:
        x, y = (float(v) for v in parts)
    except ValueError:
        raise UsageError(f"--x0 in a 2-D run needs a point X,Y, e.g. --x0 -0.9,-0.5 "
                         f"(got {quote(text, QUOTE_LIMIT)})") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise UsageError(f"--x0 needs finite numbers X,Y (got {quote(text, QUOTE_LIMIT)})")
    return x, y


def _optimizer_names(given: Sequence[str]) -> tuple[str, ...]:
    """Canonical names in the order given, case ignored, each once; "implicit-euler",
    "implicit_euler" and "implicit euler" are the same name (a space is awkward in a shell)."""
    def key(text: str) -> str:
        return re.sub(r"[\s_-]+", " ", text.strip().lower())
    by_key = {key(name): name for name in OPTIMIZER_NAMES}
    out: list[str] = []
    for text in given:
        name = by_key.get(key(text))
        if name is None:
            raise UsageError(f"--optimizer: no optimizer named {quote(text, QUOTE_LIMIT // 2)}; "
                             f"choose among {', '.join(OPTIMIZER_NAMES)}")
        if name not in out:
            out.append(name)
    return tuple(out)


def _preset2d_scene(name: str) -> Scene2D:
    """The 2-D preset as the window's 2-D tab loads it (MainWindow.load_preset_2d), with every
    hyperparameter of the preset that the scene can carry (momentum, beta1, beta2, eps, ...)."""
    from .model.landscape import landscape_preset
    try:
        p = landscape_preset(name)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    except ValueError as exc:                    # a broken preset file
        raise UsageError(str(exc)) from None
    try:
        return p.scene2d()
    except ValueError as exc:
        raise UsageError(f"2-D preset {quote(name, QUOTE_LIMIT)}: {exc}") from None


def scene2d_from_args(args: argparse.Namespace, reason: str = "it is a 2-D run") -> Scene2D:
    """The 2-D preset (or the 2-D tab's default scene), overridden by whatever the options set.
    Every number is validated here (Scene2D, then torch's checks per optimizer): UsageError."""
    _refuse(args, ONE_D_ONLY, f"this is a 2-D run ({reason})")
    if args.view not in (None, *TWO_D_VIEWS):
        raise UsageError(f"--view {args.view} shows a 1-D scene, but this is a 2-D run ({reason}); "
                         "it shows the 2-D tab (--view 2d)")
    base = _preset2d_scene(args.preset2d) if args.preset2d is not None else Scene2D()
    changes: dict = {}
    if args.F is not None:
        changes.update(text=args.F, params=(), preset="")
    if args.x0:
        changes["starts"] = tuple(_parse_point(v) for v in args.x0)
    if args.optimizer:
        changes["optimizers"] = _optimizer_names(args.optimizer)
    for name in ("lr", "steps", "modified", *HYPER_OPTIONS):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.x_range is not None:
        changes["x_range"] = _parse_range(args.x_range)
    if args.y_range is not None:
        changes["y_range"] = _parse_range(args.y_range, "--y-range")
    try:
        scene = base.with_(**changes)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.F is not None and (args.x_range is None or args.y_range is None):
        from .model.framing import framed2d
        scene = framed2d(scene, x=args.x_range is None, y=args.y_range is None)
    for key in HYPER_OPTIONS:
        users = hyper_users(key)
        if getattr(args, key) is not None and not set(users) & set(scene.optimizers):
            raise UsageError(f"--{key.replace('_', '-')} has no effect on {', '.join(scene.optimizers)}: "
                             f"it is a hyperparameter of {', '.join(users)} (choose one with --optimizer)")
    from .model.optimizers import resolve_hyper
    for name in scene.optimizers:
        try:
            resolve_hyper(name, scene.hyper(name))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    return scene


def divergence_messages(result2d) -> list[str]:
    """One sentence per start that diverged, per optimizer (stderr, like 1-D's messages)."""
    out = []
    for name, run in result2d.runs.items():
        for i, d in enumerate(run.diverged_at.tolist()):
            if d >= 0:
                x, y = result2d.scene.starts[i]
                out.append(f"{name} from start {i} ({x:g}, {y:g}) diverged at step {d}")
    return out


# ----------------------------------------------------------------------------------- training

# What --train reads; every other option is refused beside it (its spelling, for the message).
TRAIN_OPTIONS = {"train", "optimizer", "lr", "steps", "sharpness_every", "csv", "export", "size", "describe"}


def _set_options(args: argparse.Namespace) -> list[str]:
    """The options given on this command line (by dest), beyond the defaults."""
    defaults = vars(build_parser().parse_args([]))
    return [dest for dest, value in vars(args).items() if value != defaults.get(dest)]


def train_scene_from_args(args: argparse.Namespace):
    """The training run --train asks for (a TrainScene): one model, one optimizer, one rate."""
    from .model.training import DEFAULT_MODEL, OPTIMIZERS, TrainScene
    stray = [d for d in _set_options(args) if d not in TRAIN_OPTIONS and d != "list_models"
             and not (d == "view" and args.view == "edge")]
    if stray:
        spelling = "a session file" if stray[0] == "session" else "--" + stray[0].replace("_", "-")
        raise UsageError(f"{spelling} is not for a training run: --train takes --optimizer, --lr, --steps, "
                         "--sharpness-every, --csv, --export and --describe")
    names = {n.lower(): n for n in OPTIMIZERS}
    given = args.optimizer or ["GD"]
    if len(given) > 1:
        raise UsageError("--train trains with one optimizer at a time: give --optimizer once")
    optimizer = names.get(given[0].strip().lower())
    if optimizer is None:
        raise UsageError(f"--optimizer: a training run can use {', '.join(OPTIMIZERS)} "
                         f"(got {quote(given[0], QUOTE_LIMIT)})")
    changes: dict = {"model": args.train or DEFAULT_MODEL, "optimizer": optimizer}
    if args.lr is not None:
        changes["rates"] = (args.lr,)
    if args.steps is not None:
        changes["steps"] = args.steps
    if args.sharpness_every is not None:
        changes["every"] = args.sharpness_every
    try:
        return TrainScene(**changes)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def list_models() -> int:
    from .model.training import MODELS
    for m in MODELS.values():
        print(f"{m.name:10} {m.summary}")
    return 0


def run_headless_train(scene, export: str | None, size: tuple[int, int], csv_path: str | None) -> int:
    """The first learning rate's table (--csv) and the tab's picture (--export)."""
    from .model.training import csv_text, evaluate_training
    result = evaluate_training(scene)
    run = result.runs[0]
    with _all_or_nothing() as batch:
        if csv_path:
            _write_text(batch, csv_path, csv_text(run))
        if export:
            export_window_png(None, batch.add(export, ".png"), size, "edge", train=scene)
    if run.diverged_at is not None:
        print(f"gdviz: the training diverged at step {run.diverged_at}: the learning rate "
              f"{run.rate:g} is too large for this model", file=sys.stderr)
    return 0


# Options that set a scene, refused beside a session file (which sets every scene itself).
SCENE_OPTIONS = (("F", "--F", ""), *ONE_D_ONLY, ("x0", "--x0", ""), ("steps", "--steps", ""),
                 ("x_range", "--range", ""), ("preset2d", "--preset2d", ""), ("modified", "--modified", ""),
                 *TWO_D_ONLY)


def session_from_file(path: str) -> Session:
    from .model.session import SessionError, load_session
    try:
        return load_session(path)
    except SessionError as exc:
        raise UsageError(str(exc)) from None


def _check_folders(args: argparse.Namespace, media: MediaExports) -> None:
    """Every output can be written (a folder that exists, a regular file or none, not read-only,
    or a character device such as /dev/null), checked before anything is computed or written."""
    from .model.files import OutputError, check_target
    seen: dict[str, str] = {}
    for out in filter(None, (args.export, args.csv, *media.paths)):
        try:
            final, _, stream = check_target(out)
        except OutputError as error:
            raise UsageError(str(error)) from None
        if not stream and final in seen:
            also = "" if seen[final] == out else f" (as {seen[final]})"
            raise UsageError(f"{out} is given for two outputs{also}: give each its own file")
        seen[final] = out


@contextmanager
def _all_or_nothing() -> Iterator[OutputBatch]:
    """The outputs of one run: each is written to a temporary beside its target, and all are
    renamed into place only when every one was written. Any failure leaves every target as it was
    and is one sentence (exit 2)."""
    from .model.files import OutputBatch, OutputError, error_reason
    try:
        with OutputBatch() as batch:
            yield batch
    except OutputError as error:             # names the file the user gave
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"nothing was written: {error_reason(error)}") from None
    except (RuntimeError, ValueError) as error:   # "nothing to export", ffmpeg, an export's limits
        line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise UsageError(line if line.startswith("nothing") else f"nothing was written: {line}") from None


def _write_text(batch: OutputBatch, path: str, text: str) -> None:
    batch.prepare(path).write(text.encode("utf-8"))


def _media_into(batch: OutputBatch, media: MediaExports | None) -> MediaExports | None:
    """The same exports, aimed at the batch's temporaries (each keeps its suffix: the writers
    choose the format by it)."""
    if media is None:
        return None
    svg, gif, mp4 = (batch.add(p, s) if p else None for p, s in ((media.svg, ".svg"), (media.gif, ".gif"),
                                                               (media.mp4, ".mp4")))
    return MediaExports(svg, gif, mp4, media.scale, media.fps, media.frames)


def run_headless_2d(scene: Scene2D, export: str | None, size: tuple[int, int], csv_path: str | None,
                    media: MediaExports | None = None, session: Session | None = None,
                    view: str = "2d") -> int:
    """A 2-D run: the paths CSV, or with view "rates" the rate map's (eta, mu, rate), and the
    window (or the rate map alone) as images."""
    from .model.expressions import ExpressionError
    from .model.results2d import evaluate_2d
    from .model.tables2d import trajectories_csv

    # Computed (and so validated) before a single file is written, as in 1-D.
    try:
        result = evaluate_2d(scene)
    except ExpressionError as exc:
        raise UsageError(equation_error_text(scene.text, exc.message, exc.column)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if view == "rates" and result.rates is None:
        raise UsageError("no rate map to draw: no minimum of F is in the plotted region "
                         "(widen it with --range and --y-range)")
    with _all_or_nothing() as batch:
        if csv_path:
            if view == "rates":
                from .model.rates import rates_csv
                _write_text(batch, csv_path, rates_csv(result.rates))
            else:
                _write_text(batch, csv_path, trajectories_csv(result))
        if export or (media is not None and media.paths):
            export_window_png(None, batch.add(export, ".png") if export else None, size, view, scene2d=scene,
                              media=_media_into(batch, media), session=session)
    for msg in divergence_messages(result):
        print(f"gdviz: {msg}", file=sys.stderr)
    if view == "rates":
        r = result.rates
        print(f"gdviz: rates of {r.map.method} at curvature λ = {r.lam:.6g}, the largest Hessian eigenvalue at "
              f"{r.where}", file=sys.stderr)
    return 0


def run_headless_noise(scene: NoiseScene, export: str | None, size: tuple[int, int], csv_path: str | None,
                       media: MediaExports | None = None) -> int:
    """--view noise with outputs: the late iterates as CSV (chain, n, x), the window as images, and
    the measured, exact and SDE variances on stdout (gdviz.noise_cli)."""
    from .model.diffusion import noise_csv
    result, lines = noise_outputs(scene, UsageError)
    with _all_or_nothing() as batch:
        if csv_path:
            _write_text(batch, csv_path, noise_csv(result))
        if export or (media is not None and media.paths):
            export_window_png(None, batch.add(export, ".png") if export else None, size, "noise",
                              media=_media_into(batch, media), noise=scene)
    print("\n".join(lines))
    return 0


def equation_error_text(text: str, message: str, column: int | None) -> str:
    """The editor's message, with a caret under the column, for the terminal. A long equation is
    shown as QUOTE_LIMIT characters around the column, each cut marked "…"."""
    shown, caret = _window_of(text, column, QUOTE_LIMIT)
    lines = [f"error in the equation: {message}", f"  {shown}"]
    if caret is not None:
        lines.append("  " + " " * caret + "^")
    return "\n".join(lines)


def _window_of(text: str, column: int | None, width: int) -> tuple[str, int | None]:
    """At most `width` characters of one line of `text` around `column` (1-based), and the 0-based
    place of that column in them (None without a column)."""
    text = "".join(c if c.isprintable() else " " for c in text)
    index = column - 1 if column is not None and 1 <= column <= len(text) + 1 else None
    if len(text) <= width:
        return text, index
    start = 0 if index is None else min(max(index - width // 2, 0), len(text) - width + 2)
    end = start + width - 2
    shown = ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
    return shown, None if index is None else index - start + (1 if start > 0 else 0)


def run_headless(scene: Scene, export: str | None, size: tuple[int, int], csv_path: str | None,
                 view: str | None = None, media: MediaExports | None = None,
                 session: Session | None = None) -> int:
    from .model.expressions import ExpressionError
    from .model.results import evaluate
    from .model.tables import iterates_csv

    # Everything is computed (and so validated) before a single file is written.
    try:
        result = evaluate(scene)
        lab = orbits = chaos = heavy_ball = None
        if view in ("lab", "compare", "error"):
            from .model.lab import evaluate_lab
            lab = evaluate_lab(scene)
        if view in ("lab", "bifurcation"):
            from .model.lab import evaluate_orbits
            orbits = evaluate_orbits(scene)
        if csv_path and view in ("lyapunov", "doublings"):
            from .model.lab import evaluate_chaos
            chaos = evaluate_chaos(scene)
        if csv_path and view == "momentum":     # the momentum tab's own table, not the flow's
            from .model.momentum import MomentumScene, evaluate_momentum
            heavy_ball = evaluate_momentum((session.momentum if session else None) or MomentumScene())
    except ExpressionError as exc:
        raise UsageError(equation_error_text(scene.text, exc.message, exc.column)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if csv_path and view == "error" and (lab is None or lab.sweep is None):
        raise UsageError(f"no error table to write: {lab.sweep_note if lab else 'no sweep'}")
    with _all_or_nothing() as batch:
        if csv_path:
            if view == "bifurcation":
                from .model.bifurcation import orbit_csv
                _write_text(batch, csv_path, orbit_csv(orbits.diagram))
            elif view == "error":
                from .model.lab import sweep_csv
                _write_text(batch, csv_path, sweep_csv(lab.sweep))
            elif view in ("lyapunov", "doublings"):
                from .model.lab import doublings_csv, lyapunov_csv
                _write_text(batch, csv_path, (lyapunov_csv if view == "lyapunov" else doublings_csv)(chaos))
            elif view == "momentum":
                from .model.momentum import momentum_csv
                _write_text(batch, csv_path, momentum_csv(heavy_ball))
            else:
                _write_text(batch, csv_path, iterates_csv(result))
        if export or (media is not None and media.paths):
            export_window_png(scene, batch.add(export, ".png") if export else None, size, view,
                              media=_media_into(batch, media), session=session)
    for msg in (*result.notes, *result.messages):     # "X is a parameter; did you mean x?" too
        print(f"gdviz: {msg}", file=sys.stderr)
    if chaos is not None and view == "doublings" and not chaos.shown_doublings():
        print("gdviz: no period doubling lies in this range of h", file=sys.stderr)
    return 0


def run_describe(scene: Scene | None, view: str | None, scene2d: Scene2D | None = None,
                 momentum: MomentumScene | None = None, train: TrainScene | None = None) -> int:
    """--describe: the view's picture in words on stdout (no Qt). Bad input is a UsageError."""
    from .model import describe
    from .model.expressions import ExpressionError
    if view is not None and tab_of(view) == "2d":     # the sharpness plot is told with its tab
        view = "2d"
    try:
        if view == "2d":
            scene2d = scene2d or Scene2D()
            text = describe.describe_plane(scene2d)
        elif view == "edge":
            from .model.training import TrainScene, describe_training, evaluate_training
            text = describe_training(evaluate_training(train or TrainScene()))
        elif view == "momentum":
            from .model.momentum import MomentumScene
            text = describe.describe_momentum_scene(momentum or MomentumScene())
        else:
            text = describe.describe_view(scene or Scene(), view)
    except ExpressionError as exc:
        source = scene2d.text if view == "2d" and scene2d else momentum.text if view == "momentum" and momentum \
            else scene.text if scene else ""
        raise UsageError(equation_error_text(source, exc.message, exc.column)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(text)
    return 0


def export_window_png(scene: Scene | None, path: str | None, size: tuple[int, int], view: str | None = None,
                      scene2d: Scene2D | None = None, media: MediaExports | None = None,
                      session: Session | None = None, noise: NoiseScene | None = None,
                      train: TrainScene | None = None) -> None:
    """Render the same window the user would see (or one of its lab canvases), offscreen, once its
    results are drawn. `scene2d`, if given, is the 2-D tab's scene (export it with view "2d").
    `media`: the SVG, GIF and MP4 (and the PNG's scale) from the same window. `session`, if given,
    sets every tab instead of `scene` and `scene2d`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .ui.main_window import MainWindow

    app = qt_application()
    window = MainWindow(scene)
    try:
        if session is not None:
            window.apply_session(session)
        elif scene2d is not None:
            window.pages["2d"].set_scene(scene2d)
        if noise is not None:
            window.pages["noise"].set_scene(noise)
        if train is not None:
            window.pages["edge"].set_scene(train)
        if path and (media is None or media.scale is None):
            window.export_png(path, size, view)       # waits for the newest results itself
        if media is not None:
            from .ui.exports import export_media
            export_media(window, size, view, png=path, svg=media.svg, gif=media.gif, mp4=media.mp4,
                         scale=media.scale, fps=media.fps, frames=media.frames)
    finally:
        _close_window(window, app)


def _close_window(window, app) -> None:
    """Also when an export failed: a window left open at exit destroys its compute threads while
    they run, which Qt answers with abort() (the SIGABRT of issue 12)."""
    window.close()                      # joins the workers
    window.deleteLater()                # and frees the window now, not when the process ends
    from PySide6.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


def qt_application():
    """The QApplication (made once), with cyclic garbage collection pinned to its thread from the
    start: the workers allocate most, and a collection on a worker finalises Qt objects of the GUI
    thread (gdviz.compute.gui_gc)."""
    from PySide6.QtWidgets import QApplication

    from .compute import gui_gc
    app = QApplication.instance() or QApplication(sys.argv[:1])
    gui_gc.install(app)
    return app


def run_desktop_command(uninstall: bool) -> int:
    """--install-desktop / --uninstall-desktop: no Qt, so it works where no window can open."""
    from .desktop import install_desktop, uninstall_desktop
    try:
        report = uninstall_desktop() if uninstall else install_desktop()
    except OSError as exc:
        print(f"gdviz: could not {'uninstall' if uninstall else 'install'} the desktop launcher: {exc}",
              file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


def set_app_identity(app) -> None:
    """The window icon, and the desktop file name that ties windows to the launcher (the app id
    on Wayland; on X11 the WM_CLASS class is the application name, also "gdviz")."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from .paths import icon_pngs
    icon = QIcon()
    for size, path in icon_pngs().items():
        icon.addFile(str(path), QSize(size, size))
    app.setWindowIcon(icon)
    app.setDesktopFileName("gdviz")


def run_window(scene: Scene | None, view: str | None = None, scene2d: Scene2D | None = None,
               session_path: str | None = None, noise: NoiseScene | None = None,
               train: TrainScene | None = None) -> int:
    from PySide6.QtCore import QTimer

    from .ui.main_window import MainWindow

    app = qt_application()
    app.setApplicationName("gdviz")
    app.setOrganizationName("gdviz")
    set_app_identity(app)
    window = MainWindow(scene)
    if scene2d is not None:
        window.pages["2d"].set_scene(scene2d)
    if noise is not None:
        window.pages["noise"].set_scene(noise)
    if train is not None:
        window.pages["edge"].set_scene(train)
    if view is not None:
        window.show_view(view)
    # An interactive window keeps the user's work: autosave, and a question before unsaved work
    # is dropped. (Headless runs and tests build windows without either.)
    window.documents.enable_autosave()
    window.documents.prompt_on_close = True
    window.show()

    def after_first_paint() -> None:
        window.documents.offer_restore()          # work a crash or a kill left behind
        if session_path is not None:
            window.documents.open_dialog(session_path)   # a bad file: a message box, the window stays
    QTimer.singleShot(0, after_first_paint)

    def after_first_result(*_) -> None:
        window.result_shown.disconnect(after_first_result)
        from .compute.gui_gc import freeze_survivors
        QTimer.singleShot(0, freeze_survivors)    # the app and sympy are loaded: full GC passes skip them
    window.result_shown.connect(after_first_result)
    return app.exec()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(_join_negative_values(argv, parser._option_string_actions))
    if args.install_desktop or args.uninstall_desktop:
        return run_desktop_command(args.uninstall_desktop)
    try:
        if args.list_presets:
            for p in presets():
                print(f"{p.name:14} {p.title}")
            from .model.landscape import landscape_presets
            try:
                found = landscape_presets()
            except ValueError as exc:
                raise UsageError(f"2-D presets: {exc}") from None
            print("\n2-D presets (--preset2d NAME):")
            for p2 in found:
                print(f"{p2.name:14} {p2.title}")
            return 0
        if args.list_models:
            return list_models()
        size = _parse_size(args.size)
        if args.train is None and args.view != "edge" and args.sharpness_every is not None:
            raise UsageError("--sharpness-every is for a training run: give --train MODEL too")
        if args.train is not None or (args.view == "edge" and args.session is None):
            train = train_scene_from_args(args)
            if args.describe:
                if args.csv or args.export:
                    raise UsageError("--describe prints the picture in words and writes no file: "
                                     "run it without --export and --csv")
                return run_describe(None, "edge", train=train)
            if not (args.csv or args.export):
                return run_window(None, "edge", train=train)
            _check_folders(args, MediaExports())
            return run_headless_train(train, args.export, size, args.csv)
        media = media_from_args(args)
        _check_image_cost(size, media, bool(args.export))
        headless = bool(args.export or args.csv or media.paths)
        if args.describe and headless:
            raise UsageError("--describe prints the picture in words and writes no file: "
                             "run it without --export, --csv, --svg, --gif and --mp4")
        if args.session is not None:
            _refuse(args, SCENE_OPTIONS, "a session file sets every tab's scene itself")
            if args.describe:
                session = session_from_file(args.session)
                return run_describe(session.scene, args.view or str(session.view["tab"]), session.plane,
                                    session.momentum)
            if not headless:
                return run_window(None, args.view, session_path=args.session)
            session = session_from_file(args.session)
            view = args.view or str(session.view["tab"])
            _check_folders(args, media)
            if view in TWO_D_VIEWS:
                return run_headless_2d(session.plane or Scene2D(), args.export, size, args.csv, media, session,
                                       view)
            return run_headless(session.scene, args.export, size, args.csv, view, media, session)
        if args.view == "noise":
            noise = noise_scene_from_args(args, SCENE_OPTIONS, UsageError)
            if args.describe:
                from .model.diffusion import describe_noise
                print(describe_noise(noise_outputs(noise, UsageError)[0]))
                return 0
            if headless:
                _check_folders(args, media)
                return run_headless_noise(noise, args.export, size, args.csv, media)
            return run_window(None, "noise", noise=noise)
        refuse_noise_options(args, UsageError)
        reason = two_d_reason(args)
        scene: Scene | None = None
        scene2d: Scene2D | None = None
        if reason is not None:
            scene2d = scene2d_from_args(args, reason)
        else:
            _refuse(args, TWO_D_ONLY, "it is for 2-D runs, which an F that uses y, --x0 X,Y, "
                                      "--view 2d or --preset2d chooses")
            scene = scene_from_args(args)
        if args.describe:
            return run_describe(scene, "2d" if scene2d is not None else args.view, scene2d)
        if headless:
            _check_folders(args, media)
            if scene2d is not None:
                return run_headless_2d(scene2d, args.export, size, args.csv, media,
                                       view=args.view if args.view in TWO_D_VIEWS else "2d")
            return run_headless(scene, args.export, size, args.csv, args.view, media)
    except UsageError as exc:
        print(f"gdviz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if scene2d is not None:
        return run_window(None, args.view if args.view in TWO_D_VIEWS else "2d", scene2d)
    return run_window(scene, args.view)
