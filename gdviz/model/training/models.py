"""The models the edge-of-stability tab and `gdviz --train` know: a data set and a network."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ...paths import resources_dir
from .data import Dataset, read_csv
from .network import Shape


@dataclass(frozen=True)
class Model:
    name: str
    summary: str          # one line for --list-models and the tab's tooltip
    data_file: str        # in resources/training/
    hidden: int
    seed: int = 0         # of the starting weights

    @property
    def shape(self) -> Shape:
        return Shape(inputs=dataset(self.name).inputs.shape[1], hidden=self.hidden)


MODELS: dict[str, Model] = {m.name: m for m in (
    Model("spirals", "two interleaved spirals (64 points), a tanh network with 32 hidden units (129 weights)",
          "spirals.csv", hidden=32),
)}
DEFAULT_MODEL = "spirals"


def model(name: str) -> Model:
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"there is no model called {name!r}; choose one of: {', '.join(MODELS)}") from None


@cache
def dataset(name: str) -> Dataset:
    """The model's data, read once from resources/training/."""
    return read_csv(resources_dir() / "training" / model(name).data_file)
