"""The readers of the scenes' fields, shared by session files, lessons and presets.

Each field is read by its type (`Readers.for_fields`); this module adds what the types cannot say:
the equation, the fields that are a choice, and how many items a list may hold.
"""
from __future__ import annotations

from collections.abc import Iterable

from .method_names import METHOD_NAMES, STEP_RULES
from .readers import FieldReader, Readers
from .scene import DIRECTIONS, ERROR_REFERENCES, KINDS, MAX_COMPARE
from .scene2d import MAX_STARTS, OPTIMIZER_NAMES


def scene_field_readers(readers: Readers, cls: type, exclude: Iterable[str] = ()) -> dict[str, FieldReader]:
    """A reader for every field of Scene, Scene2D, MomentumScene or SecantSetup (but `exclude`)."""
    special: dict[str, FieldReader] = {
        "text": readers.equation,                      # every scene's equation
        "x": readers.equation,                         # the secant demo's position x(t)
        "kind": readers.choice(KINDS),
        "direction": readers.choice(DIRECTIONS),       # the same two words for MomentumScene
        "error_reference": readers.choice(ERROR_REFERENCES),
        "method": readers.choice(METHOD_NAMES),
        "step_rule": readers.choice(STEP_RULES),
        "compare_h": readers.list_of(readers.number, "step sizes", max_items=MAX_COMPARE),
        "starts": readers.list_of(readers.pair, "points [x, y]", min_items=1, max_items=MAX_STARTS),
        "optimizers": readers.list_of(readers.choice(OPTIMIZER_NAMES),
                                      f"optimizer names among {', '.join(OPTIMIZER_NAMES)}",
                                      min_items=1, max_items=len(OPTIMIZER_NAMES)),
    }
    names = set(getattr(cls, "__dataclass_fields__", ()))
    # every plotted range (x_range, y_range, v_range, t_range, h_range) by the one rule of ranges
    for name in names:
        if name.endswith("_range"):
            special[name] = readers.optional(readers.plot_range) if name == "h_range" else readers.plot_range
    return readers.for_fields(cls, {k: v for k, v in special.items() if k in names}, exclude)
