"""The 2-D presets: named scenes in resources/presets2d/NN-name.json (data, never code)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ...paths import resources_dir
from ..expressions import ExpressionError
from ..optimizers import OPTIMIZERS, resolve_hyper
from ..preset_files import find_named, preset_header_readers, read_numbered
from ..ranges import check_range
from ..readers import ReadError, Readers, loads_json, quote, show
from .core import Landscape, Range

if TYPE_CHECKING:
    from ..scene2d import Scene2D

__all__ = ["MAX_STARTS", "MAX_STEPS", "Preset2D", "landscape_preset", "landscape_presets", "preset2d_from_dict",
           "preset2d_from_json"]

MAX_STARTS = 100
MAX_STEPS = 100_000


@dataclass(frozen=True)
class Preset2D:
    """A named 2-D scene from resources/presets2d/NN-name.json (data, never code).

    ValueError naming the field for numbers out of range or hyperparameters the optimizer does not
    take; the hyperparameters are kept as `resolve_hyper` validated them."""

    name: str
    title: str
    explanation: str
    equation: str
    starts: tuple[tuple[float, float], ...]
    lr: float
    steps: int
    x_range: Range
    y_range: Range
    optimizer: str = "GD"
    hyper: tuple[tuple[str, float | bool], ...] = ()     # other hyperparameters of the optimizer
    params: tuple[tuple[str, float], ...] = ()           # values of free parameters of F

    def __post_init__(self) -> None:
        if not 1 <= len(self.starts) <= MAX_STARTS:
            raise ValueError(f"starts must be a list of 1 to {MAX_STARTS} [x, y] pairs")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr!r}")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, got {self.steps!r}")
        for key in ("x_range", "y_range"):
            check_range(*getattr(self, key), key)      # the one rule of every plotted range
        hyper = dict(self.hyper)
        if "lr" in hyper:
            raise ValueError("hyper holds the hyperparameters other than lr (lr is its own field)")
        resolved = resolve_hyper(self.optimizer, {**hyper, "lr": self.lr})   # ValueError naming the key
        object.__setattr__(self, "hyper", tuple((k, resolved[k]) for k in sorted(hyper)))

    def landscape(self) -> Landscape:
        return Landscape.from_text(self.equation, dict(self.params))

    @property
    def hyper_dict(self) -> dict:
        return {**dict(self.hyper), "lr": self.lr}

    def scene2d(self) -> Scene2D:
        """The 2-D tab's scene for this preset (window and command line alike), carrying every
        hyperparameter of the preset that a Scene2D has a field for. ValueError if it cannot."""
        from ..scene2d import OPTIMIZER_NAMES, Scene2D
        fields: dict = dict(text=self.equation, starts=tuple((float(x), float(y)) for x, y in self.starts),
                            optimizers=(self.optimizer,) if self.optimizer in OPTIMIZER_NAMES else ("GD",),
                            lr=self.lr, steps=self.steps, x_range=tuple(self.x_range),
                            y_range=tuple(self.y_range), params=tuple(self.params), preset=self.name)
        scene_fields = Scene2D.__dataclass_fields__
        fields.update({k: v for k, v in self.hyper if k in scene_fields and k not in fields})
        return Scene2D(**fields)


_READ = Readers()
_REQUIRED = ("name", "title", "explanation", "equation", "starts", "lr", "steps", "x_range",
             "y_range", "optimizer")


def _hyper(value: object, where: str) -> tuple[tuple[str, float | bool], ...]:
    """{name: number or true/false}: the optimizer's other hyperparameters (Preset2D checks the names)."""
    if not isinstance(value, dict):
        raise ReadError(f"{show(where)} must be an object of hyperparameters other than lr, like "
                        f'{{"momentum": 0.9}} (found {_READ.found(value)})')
    return tuple((str(k), v if isinstance(v, bool) else _READ.number(v, f"{where}.{k}")) for k, v in value.items())


_PRESET_READERS = _READ.for_fields(Preset2D, {
    **preset_header_readers(_READ),
    "equation": _READ.equation,
    "starts": _READ.list_of(_READ.pair, "points [x, y]", min_items=1, max_items=MAX_STARTS),
    "optimizer": _READ.choice(OPTIMIZERS),
    "hyper": _hyper,
    "x_range": _READ.plot_range,
    "y_range": _READ.plot_range,
})


def preset2d_from_json(text: str, source: str = "<text>") -> Preset2D:
    """Parse and validate one preset's JSON text; ReadError (a ValueError) naming the problem otherwise."""
    try:
        data = loads_json(text)
    except ReadError as error:
        raise ReadError(f"{source}: {error}") from None
    return preset2d_from_dict(data, source)


def preset2d_from_dict(d: Any, source: str = "<preset>") -> Preset2D:
    """Validate a decoded preset; ReadError (a ValueError) with the file and field at fault otherwise."""
    try:
        values = _READ.read_fields(d, _PRESET_READERS, "the preset", required=_REQUIRED)
        preset = _READ.build("preset", Preset2D, values)
        try:
            preset.landscape()
        except ExpressionError as error:
            raise ReadError(f"the equation {quote(preset.equation)} does not parse: {error.message}") from None
    except ReadError as error:
        raise ReadError(f"{source}: {error}") from None
    return preset


@lru_cache(maxsize=1)
def landscape_presets() -> tuple[Preset2D, ...]:
    """All 2-D presets in menu order (the files are numbered); ReadError (a ValueError) for a bad file."""
    return read_numbered(resources_dir() / "presets2d", preset2d_from_dict, name_of=lambda p: p.name)


def landscape_preset(name: str) -> Preset2D:
    """The 2-D preset called `name`; KeyError with the valid names otherwise."""
    return find_named(landscape_presets(), name, "2-D preset")

