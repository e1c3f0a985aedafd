"""The command line of the "SGD noise" view (issue 15 §3): `gdviz --view noise --lr 0.1 --batch 4
--curvature 1 --noise 1 --steps 100000 --chains 10 --seed 1 --csv noise.csv --export noise.png`.

--csv writes the late iterates of the (η, B) run, columns chain, n, x (chains × steps rows); the
measured, exact and SDE variances of both runs of the scaling rule go to stdout, one line each.
Without an output file the window opens on the tab. No Qt is imported here.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model.diffusion import NoiseScene

# Options of this view: dest -> NoiseScene field (--lr and --steps are shared with the 2-D run).
NOISE_FIELDS = {"lr": "lr", "batch": "batch", "curvature": "curvature", "noise": "noise", "steps": "steps",
                "chains": "chains", "seed": "seed"}
NOISE_ONLY = (("batch", "--batch", ""), ("curvature", "--curvature", ""), ("noise", "--noise", ""),
              ("chains", "--chains", ""), ("seed", "--seed", ""))
NEGATIVE_OK = ("--curvature", "--noise", "--seed", "--chains", "--batch")   # "-1" is a value, refused by the scene


def add_noise_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("SGD noise (--view noise): SGD on F = a·x²/2 as a diffusion")
    g.add_argument("--batch", type=int, metavar="B", help="batch size: gradient noise of variance σ²/B (4)")
    g.add_argument("--curvature", type=float, metavar="A", help="curvature a of F = a·x²/2 (1)")
    g.add_argument("--noise", type=float, metavar="SIGMA", help="noise σ of one sample's gradient (1)")
    g.add_argument("--chains", type=int, metavar="N", help="independent SGD chains (100); --steps is each one's "
                                                           "late steps (2000), kept after the burn-in")
    g.add_argument("--seed", type=int, metavar="N", help="seed of the random numbers (1)")


def noise_scene_from_args(args: argparse.Namespace, refused: tuple, usage_error: type[Exception]) -> NoiseScene:
    """The tab's default scene with whatever the options set; other runs' options are refused."""
    from .model.diffusion import NoiseScene
    for dest, spelling, _hint in refused:
        if dest in NOISE_FIELDS:
            continue
        if getattr(args, dest, None) not in (None, False, []):
            raise usage_error(f"{spelling} is not for --view noise, which runs SGD on F = a·x²/2: "
                              "set it with --lr, --batch, --curvature, --noise, --steps, --chains and --seed")
    changes = {field: getattr(args, dest) for dest, field in NOISE_FIELDS.items() if getattr(args, dest) is not None}
    try:
        return NoiseScene(**changes)
    except ValueError as exc:
        raise usage_error(str(exc)) from None


def refuse_noise_options(args: argparse.Namespace, usage_error: type[Exception]) -> None:
    """--batch, --curvature, ... without --view noise: a sentence, not ignored."""
    for dest, spelling, _ in NOISE_ONLY:
        if getattr(args, dest) is not None:
            raise usage_error(f"{spelling} is for the SGD noise view: give --view noise too")


def noise_outputs(scene: NoiseScene, usage_error: type[Exception]):
    """The result (computed before any file is written) and its lines for stdout."""
    from .model.diffusion import evaluate_noise, noise_summary
    try:
        result = evaluate_noise(scene)
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    return result, noise_summary(result)
