"""Write the training data sets into resources/training/ (fixed seeds: the files never change).

    python tools/make_training_data.py
"""
from __future__ import annotations

from pathlib import Path

from gdviz.model.training.data import to_csv, two_spirals

FOLDER = Path(__file__).resolve().parent.parent / "resources" / "training"
DATASETS = {"spirals.csv": lambda: two_spirals(points=64, turns=2.0, noise=0.02, seed=0)}


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, make in DATASETS.items():
        (FOLDER / name).write_text(to_csv(make()))
        print(FOLDER / name)


if __name__ == "__main__":
    main()
