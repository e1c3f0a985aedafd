"""The training data: small data sets shipped as CSV in resources/training/, made with a fixed seed
by tools/make_training_data.py from the generators below (so the file can always be remade)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEADER_PREFIX = "x"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs (n×d) and targets (n×1)."""

    inputs: np.ndarray
    targets: np.ndarray

    def __len__(self) -> int:
        return len(self.inputs)


def two_spirals(points: int = 64, turns: float = 2.0, noise: float = 0.02, seed: int = 0) -> Dataset:
    """Two interleaved spiral arms in the unit disc, labelled +1 and −1 (the classic hard
    classification task, fitted by least squares as Cohen et al. do)."""
    rng = np.random.default_rng(seed)
    half = points // 2
    angle = np.sqrt(rng.uniform(0.0, 1.0, half)) * turns * np.pi   # even density along the arm
    arm = np.column_stack([angle * np.cos(angle), angle * np.sin(angle)]) / (turns * np.pi)
    inputs = np.vstack([arm, -arm]) + noise * rng.standard_normal((2 * half, 2))
    targets = np.concatenate([np.ones(half), -np.ones(half)])[:, None]
    return Dataset(inputs, targets)


def to_csv(data: Dataset) -> str:
    names = [f"{HEADER_PREFIX}{i + 1}" for i in range(data.inputs.shape[1])] + ["y"]
    rows = (",".join(f"{v:.6f}" for v in row) for row in np.hstack([data.inputs, data.targets]))
    return "\n".join([",".join(names), *rows]) + "\n"


def read_csv(path: Path) -> Dataset:
    """A data set written by to_csv: inputs x1.., then the target y."""
    table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    table.setflags(write=False)     # the data set is cached and shared: nobody may change it
    return Dataset(table[:, :-1], table[:, -1:])
