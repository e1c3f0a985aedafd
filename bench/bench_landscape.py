"""The 2-D landscape (issue 5): the basin map and the contour grid against bare numpy floors."""
from __future__ import annotations

from collections.abc import Iterator

from common import Line, benchmark, interleaved_medians, line

SEED = "6x^2 + 9y^2 - 12x - 14y + 3"    # seed 003's F(x, y)


@benchmark("basin map")
def bench_basin_map() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.landscape import Landscape, basin_map

    n, steps, lr = 400, 500, 0.05
    x_range, y_range = (-1.5, 3.5), (-1.5, 3.0)
    landscape = Landscape.from_text(SEED)

    def ours() -> None:
        basin_map(landscape, x_range, y_range, n=n, steps=steps, lr=lr)

    def bare() -> None:   # the floor: the same GD arithmetic written inline, no labels
        X, Y = (a.ravel().copy() for a in np.meshgrid(np.linspace(*x_range, n), np.linspace(*y_range, n)))
        for _ in range(steps):
            X = X - lr * (12 * X - 12)
            Y = Y - lr * (18 * Y - 14)

    t_ours, t_bare = interleaved_medians(ours, bare, 7)
    yield line("basin map 400 x 400 starts x 500 GD steps (target <= 1.2x)", t_ours * 1e3, "ms",
               t_bare * 1e3)

    two = Landscape.from_text("(x^2 - 1)^2 + 0.3x + y^2")

    def bare_two() -> None:   # its gradient (4x(x² − 1) + 0.3, 2y) inline
        X, Y = (a.ravel().copy() for a in np.meshgrid(np.linspace(-2.0, 2.0, n), np.linspace(-1.5, 1.5, n)))
        for _ in range(steps):
            X = X - lr * (4 * X * (X**2 - 1) + 0.3)
            Y = Y - lr * (2 * Y)

    t_two, t_bare = interleaved_medians(
        lambda: basin_map(two, (-2.0, 2.0), (-1.5, 1.5), n=n, steps=steps, lr=lr), bare_two, 7)
    yield line("basin map, two minima (quartic), 400 x 400 x 500 GD steps", t_two * 1e3, "ms",
               t_bare * 1e3)


@benchmark("contour")
def bench_contour() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.expressions import parse
    from gdviz.model.landscape import Landscape, contour_grid, gradient_field

    n = 300
    x_range, y_range = (-1.5, 3.5), (-1.5, 3.0)
    parse(SEED, ("x", "y"))   # sympy's one-off warm-up is not the grid's cost

    def fresh() -> None:      # a fresh parse: parse, derivatives, lambdify, grid, levels, arrows
        landscape = Landscape.from_expression(parse(SEED, ("x", "y")))
        contour_grid(landscape, x_range, y_range, n)
        gradient_field(landscape, x_range, y_range, 20)

    warm = Landscape.from_text(SEED)

    def grid_only() -> None:  # what a range change costs once the landscape exists
        contour_grid(warm, x_range, y_range, n)
        gradient_field(warm, x_range, y_range, 20)

    def bare() -> None:       # the floor: np.meshgrid and the arithmetic inline
        X, Y = np.meshgrid(np.linspace(*x_range, n), np.linspace(*y_range, n))
        6 * X**2 + 9 * Y**2 - 12 * X - 14 * Y + 3

    t_fresh, t_bare = interleaved_medians(fresh, bare, 15)
    yield line("contour 300 x 300 + 20 x 20 arrows after a fresh parse (target <= 50 ms)",
               t_fresh * 1e3, "ms", t_bare * 1e3)
    t_grid, t_bare = interleaved_medians(grid_only, bare, 31)
    yield line("contour 300 x 300 + 20 x 20 arrows, landscape already built", t_grid * 1e3, "ms",
               t_bare * 1e3)


@benchmark("2d integrators")
def bench_integrators() -> Iterator[Line]:
    """The flow's integrators as optimizers (issue 14 §2) on the two-minima quartic, 24 starts x
    2,000 steps through descend (paths and F kept, as the 2-D tab runs them), each against its own
    arithmetic written inline for this F (gradient and Hessian by hand, 2x2 solves in closed form)."""
    import numpy as np

    from gdviz.model.landscape import Landscape
    from gdviz.model.landscape.descent import descend

    land = Landscape.from_text("(x^2 - 1)^2 + 0.3x + y^2")
    rng = np.random.default_rng(0)
    starts = np.column_stack([rng.uniform(-2, 2, 24), rng.uniform(-1.5, 1.5, 24)])
    steps, lr = 2000, 0.05

    def g(P: np.ndarray) -> np.ndarray:
        x, y = P[:, 0], P[:, 1]
        return np.column_stack([4 * x * (x * x - 1) + 0.3, 2 * y])

    def keep(step) -> None:          # a path of every start kept, as descend keeps them
        rows = np.empty((steps + 1, *starts.shape))
        rows[0] = starts
        for n in range(steps):
            rows[n + 1] = step(rows[n])

    def heun(P):
        k1 = g(P)
        return P - 0.5 * lr * (k1 + g(P - lr * k1))

    def rk4(P):
        k1 = g(P)
        k2 = g(P - 0.5 * lr * k1)
        k3 = g(P - 0.5 * lr * k2)
        return P - lr / 6 * (k1 + 2 * (k2 + k3) + g(P - lr * k3))

    def newton(P):     # the Hessian is diagonal here: (12x² − 4, 2)
        G = g(P)
        return P - lr * G / np.column_stack([12 * P[:, 0] ** 2 - 4, np.full(len(P), 2.0)])

    def implicit(P):   # Newton's iteration on y + η∇F(y) = x, a fixed 4 iterations (it needs 2-4 here)
        Y = P - lr * g(P)
        for _ in range(4):
            R = Y + lr * g(Y) - P
            Y = Y - R / np.column_stack([1 + lr * (12 * Y[:, 0] ** 2 - 4), np.full(len(P), 1 + 2 * lr)])
        return Y

    for name, floor in (("Heun", heun), ("RK4", rk4), ("Newton", newton), ("Implicit Euler", implicit)):
        ours, bare = interleaved_medians(lambda name=name: descend(land, starts, steps, name, {"lr": lr}),
                                         lambda floor=floor: keep(floor), 5)
        yield line(f"{name}, 24 starts x 2,000 steps", ours * 1e3, "ms", bare * 1e3)
