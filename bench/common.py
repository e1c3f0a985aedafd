"""What every benchmark module shares: the registry, the JSON line and interleaved timing.

A benchmark module is `bench/bench_<topic>.py`; it registers functions with `@benchmark("name")`
and `bench/run.py` imports every such module.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator

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
