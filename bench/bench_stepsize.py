"""Step-size laboratory: the error sweep (30 h x Euler, Heun, RK4) on the logistic preset."""
from __future__ import annotations

from collections.abc import Iterator

from common import Line, benchmark, interleaved_medians, line


@benchmark("error sweep")
def bench_error_sweep() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.methods import final_values
    from gdviz.model.presets import preset
    from gdviz.model.results import build_problem
    from gdviz.model.stepsize import error_sweep

    scene = preset("logistic").scene
    problem = build_problem(scene)
    x0, t_end = scene.x0, 5.0
    sweep = error_sweep(problem, x0, t_end)          # warm: sympy work, closed form, equilibria
    n = np.round(t_end / sweep.h).astype(np.int64)
    h = t_end / n.astype(np.float64)
    steps = int(n.max())

    def ours() -> None:
        error_sweep(problem, x0, t_end)

    def loops() -> None:   # the three method loops alone, through the parsed f
        for name in ("Euler", "Heun", "RK4"):
            final_values(problem.f_loop, x0, t_end, n, name)

    def bare() -> None:    # max(N) steps of each method over all 30 columns, logistic inlined
        x = np.full(h.shape, x0)
        for _ in range(steps):
            x = x + h * (x * (1 - x))
        x = np.full(h.shape, x0)
        for _ in range(steps):
            k1 = x * (1 - x)
            y = x + h * k1
            x = x + 0.5 * h * (k1 + y * (1 - y))
        x = np.full(h.shape, x0)
        for _ in range(steps):
            k1 = x * (1 - x)
            y = x + 0.5 * h * k1
            k2 = y * (1 - y)
            y = x + 0.5 * h * k2
            k3 = y * (1 - y)
            y = x + h * k3
            x = x + h / 6 * (k1 + 2 * (k2 + k3) + y * (1 - y))

    label = f"{len(h)} h x 3 methods, max N = {steps}"
    t_ours, t_bare = interleaved_medians(ours, bare, 15)
    yield line(f"error sweep on the logistic ({label}; target <= 50 ms)", t_ours * 1e3, "ms",
               t_bare * 1e3)
    t_loops, t_bare2 = interleaved_medians(loops, bare, 15)
    yield line(f"error sweep: the method loops alone ({label})", t_loops * 1e3, "ms", t_bare2 * 1e3)
