"""Issue 14 §3: the convergence-rate map over (η, μ) and the Nesterov ODE, each against a floor."""
from __future__ import annotations

from collections.abc import Iterator

from common import Line, benchmark, interleaved_medians, line


@benchmark("rate map")
def bench_rate_map() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.rates import MU_MAX_2D, rate_summary

    lam, lr, mu = 18.0, 0.05, 0.9
    summary = rate_summary(lam, "bench", (1.0, 0.78), ("GD", "Momentum", "Nesterov", "Adam"), lr, mu, MU_MAX_2D)
    etas, mus = summary.map.etas, summary.map.mus

    def ours() -> None:       # windows, rates, the map, its ρ = 1 curve and the threshold curves
        rate_summary(lam, "bench", (1.0, 0.78), ("GD", "Momentum", "Nesterov", "Adam"), lr, mu, MU_MAX_2D)

    def bare() -> None:       # the heavy ball's quadratic roots on the same grid, inlined: the floor
        E, M = np.meshgrid(etas, mus)
        T, D = 1.0 + M - E * lam, M
        root = np.sqrt((T * T - 4.0 * D).astype(complex))
        np.maximum(np.abs(T + root), np.abs(T - root)) / 2.0

    t_ours, t_bare = interleaved_medians(ours, bare, 25)
    yield line(f"rate map {len(mus)}x{len(etas)} with ρ = 1 curve and thresholds", t_ours * 1e3, "ms",
               t_bare * 1e3)


@benchmark("nesterov ode")
def bench_nesterov_ode() -> Iterator[Line]:
    import math

    import numpy as np

    from gdviz.model.momentum import MomentumScene, build_momentum_problem
    from gdviz.model.momentum import _accelerated as accelerated

    scene = MomentumScene(nesterov=True, steps=600, lr=0.01)
    problem = build_momentum_problem(scene)
    problem.f_loop(np.array([0.5]))            # warm: sympy and lambdify

    def ours() -> None:
        accelerated(problem, scene, 1.0)

    def bare() -> None:       # the same number of iterates and RK4 stages with sin inlined
        x, y = scene.x0, scene.x0
        for k in range(1, scene.steps + 1):
            xn = y - scene.lr * math.sin(y)
            y = xn + (k - 1) / (k + 2) * (xn - x)
            x = xn
        X, V, h = scene.x0, 0.0, 0.005
        for _ in range(scene.steps * 20):
            for _stage in range(4):
                V += -h * math.sin(X)
            X += h * V

    t_ours, t_bare = interleaved_medians(ours, bare, 7)
    yield line("Nesterov iterates + ODE on the pendulum, 600 steps", t_ours * 1e3, "ms", t_bare * 1e3)
