"""gdviz benchmarks: `python bench/run.py [NAME ...]` runs all, or those whose name contains NAME.

Prints one JSON object per line: {"metric", "value", "unit", "floor", "ratio"}. Each figure is
set against a floor measured in the same run (these machines are noisy; absolute times drift).
Benchmarks print figures; they assert nothing.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

Line = dict
BENCHMARKS: dict[str, Callable[[], Iterator[Line]]] = {}


def benchmark(name: str):
    def register(fn: Callable[[], Iterator[Line]]):
        BENCHMARKS[name] = fn
        return fn
    return register


def line(metric: str, value: float, unit: str, floor: float | None = None) -> Line:
    ratio = None if not floor else round(value / floor, 3)
    return {"metric": metric, "value": round(value, 3), "unit": unit,
            "floor": None if floor is None else round(floor, 3), "ratio": ratio}


def interleaved_medians(a: Callable[[], None], b: Callable[[], None], repeats: int) -> tuple[float, float]:
    """Median seconds of a and b, alternating runs so drift hits both alike."""
    ta, tb = [], []
    a(), b()   # warm-up
    for _ in range(repeats):
        t = time.perf_counter(); a(); ta.append(time.perf_counter() - t)
        t = time.perf_counter(); b(); tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


@benchmark("euler engine")
def bench_euler() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.euler import euler

    x0 = np.linspace(0.01, 1.5, 10_000)
    h, steps = 0.1, 1000

    def engine() -> None:
        euler(lambda x: x * (1 - x), x0, h, steps)

    def bare() -> None:   # the same arithmetic as a bare numpy loop: the floor
        out = np.empty((steps + 1, x0.size))
        out[0] = x0
        for n in range(steps):
            x = out[n]
            out[n + 1] = x + h * (x * (1 - x))

    te, tb = interleaved_medians(engine, bare, 9)
    yield line("euler engine overhead (logistic, 1e4 starts x 1e3 steps)", te * 1e3, "ms", tb * 1e3)

    from gdviz.model.expressions import parse
    f = parse("x(1-x)").numeric()
    te2, tb2 = interleaved_medians(lambda: euler(f, x0, h, steps), bare, 9)
    yield line("euler engine with the parsed equation x(1-x)", te2 * 1e3, "ms", tb2 * 1e3)


@benchmark("parse")
def bench_parse() -> Iterator[Line]:
    code = "import time; t=time.perf_counter(); import sympy; print(time.perf_counter()-t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(3)]
    numpy_code = "import time; t=time.perf_counter(); import numpy; print(time.perf_counter()-t)"
    floor = [float(subprocess.run([sys.executable, "-c", numpy_code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(3)]
    yield line("sympy import (reported separately)", statistics.median(runs) * 1e3, "ms",
               statistics.median(floor) * 1e3)

    import numpy as np
    import sympy as sp

    from gdviz.model.expressions import parse
    from gdviz.model.presets import presets

    x = np.linspace(-1, 1, 101)
    for p in presets():
        text = p.scene.text
        built = parse(text).expr          # the same sympy expression, built once: the floor

        def ours() -> None:
            e = parse(text)                # a fresh parse: nothing cached between runs
            e.numeric()(x, **{k: 1.0 for k in e.parameters})
            e.derivative("x").numeric()(x, **{k: 1.0 for k in e.parameters})

        def floor_fn() -> None:
            syms = sorted(built.free_symbols, key=lambda s: s.name)
            sp.lambdify(syms, built, "numpy")
            sp.lambdify(syms, sp.diff(built, sp.Symbol("x", real=True)), "numpy")

        t_ours, t_floor = interleaved_medians(ours, floor_fn, 7)
        yield line(f"parse + derivative + lambdify: {p.name}", t_ours * 1e3, "ms", t_floor * 1e3)


def main(argv: list[str]) -> int:
    wanted = [a.lower() for a in argv]
    chosen = [n for n in BENCHMARKS if not wanted or any(w in n for w in wanted)]
    if not chosen:
        print(f"no benchmark matches {argv}; names: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in chosen:
        for result in BENCHMARKS[name]():
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
