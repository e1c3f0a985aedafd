"""The edge-of-stability tab's costs in gradient evaluations, both measured in the same run: one
sharpness estimate (10 warm-started Lanczos steps; target under 30 gradients), one Hessian-vector
product, and a whole training run against its gradient steps alone."""
from __future__ import annotations

from collections.abc import Iterator

from common import Line, benchmark, interleaved_medians, line


@benchmark("training sharpness")
def bench_training() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.training import TrainScene, dataset, evaluate_training, model
    from gdviz.model.training.network import hessian_at, loss_and_gradient
    from gdviz.model.training.sharpness import top_eigen

    spec = model("spirals")
    data = dataset("spirals")
    shape = spec.shape
    x, y = data.inputs, data.targets
    theta = shape.initial(spec.seed)
    for n in range(1000):                 # a point at the edge of stability (η = 0.25), not the start
        if n == 980:                      # the warm start a run has: the eigenvector of 20 steps before
            warm = top_eigen(hessian_at(shape, theta, x, y), np.ones(shape.size)).vector
        theta = theta - 0.25 * loss_and_gradient(shape, theta, x, y)[1]
    v = np.random.default_rng(0).standard_normal(shape.size)
    reps = 200

    def gradients() -> None:
        for _ in range(reps):
            loss_and_gradient(shape, theta, x, y)

    def estimates() -> None:              # the Hessian's forward pass is part of every estimate
        for _ in range(reps):
            top_eigen(hessian_at(shape, theta, x, y), warm)

    def products() -> None:
        product = hessian_at(shape, theta, x, y)
        for _ in range(reps):
            product(v)

    t_est, t_grad = interleaved_medians(estimates, gradients, 7)
    yield line("sharpness estimate in gradient evaluations (target < 30)", t_est / t_grad, "gradients", 1.0)
    yield line("one sharpness estimate (10 Lanczos steps, 129 weights)", t_est / reps * 1e6, "µs",
               t_grad / reps * 1e6)
    t_hvp, t_grad = interleaved_medians(products, gradients, 7)
    yield line("one Hessian-vector product", t_hvp / reps * 1e6, "µs", t_grad / reps * 1e6)

    scene = TrainScene(rates=(0.25,), steps=3000, every=20)

    def run() -> None:
        evaluate_training(scene)

    def steps_alone() -> None:            # the floor: the same 3000 gradient steps, nothing else
        th = shape.initial(spec.seed)
        for _ in range(scene.steps):
            th = th - 0.25 * loss_and_gradient(shape, th, x, y)[1]

    t_run, t_floor = interleaved_medians(run, steps_alone, 3)
    yield line("training run, 3000 steps, sharpness every 20", t_run * 1e3, "ms", t_floor * 1e3)
