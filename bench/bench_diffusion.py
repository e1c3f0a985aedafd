"""Issue 15 §3: SGD as a diffusion, the noisy quadratic's chains and the Fit-a-line cloud, each against
a bare numpy floor measured in the same run."""
from __future__ import annotations

from collections.abc import Iterator

from common import Line, benchmark, interleaved_medians, line


@benchmark("sgd noise")
def bench_sgd_noise() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.diffusion import NoiseScene, evaluate_noise

    scene = NoiseScene(lr=0.1, batch=4, curvature=1.0, noise=1.0, steps=2000, chains=100, seed=1)
    total = scene.steps + 40           # about the two runs' burn-in

    def ours() -> None:       # both runs, burn-in, histograms, Gaussians
        evaluate_noise(scene)

    def bare() -> None:       # the same two AR(1) recursions as a plain numpy loop over steps, and var
        rng = np.random.default_rng(1)
        for lr, b in ((0.1, 4), (0.2, 8)):
            x = np.zeros(scene.chains)
            out = np.empty((total, scene.chains))
            noise = rng.standard_normal((total, scene.chains)) * (lr / np.sqrt(b))
            for n in range(total):
                x = (1.0 - lr) * x - noise[n]
                out[n] = x
            out.var()

    t_ours, t_bare = interleaved_medians(ours, bare, 9)
    yield line("SGD noise tab: (η, B) and (2η, 2B), 100 chains x 2000 late steps", t_ours * 1e3, "ms",
               t_bare * 1e3)


@benchmark("sgd cloud")
def bench_sgd_cloud() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.regression import make_dataset
    from gdviz.model.sgd_cloud import sgd_cloud

    ds = make_dataset(50, seed=0)
    cloud = sgd_cloud(ds, 0.1, 5, seed=0)
    steps, chains = cloud.burn + cloud.late, cloud.chains

    def ours() -> None:       # the chains, covariances, Lyapunov and exact solves, ellipses
        sgd_cloud(ds, 0.1, 5, seed=0)

    def bare() -> None:       # the same minibatch steps, with replacement, as a bare numpy loop
        rng = np.random.default_rng(0)
        w, b = np.zeros(chains), np.zeros(chains)
        for _ in range(steps):
            i = rng.integers(0, ds.n, (chains, 5))
            r = w[:, None] * ds.x[i] + b[:, None] - ds.y[i]
            w, b = w - 0.2 * (r * ds.x[i]).mean(1), b - 0.2 * r.mean(1)

    t_ours, t_bare = interleaved_medians(ours, bare, 7)
    yield line(f"Fit-a-line SGD cloud, {chains} chains x {steps} steps, batch 5", t_ours * 1e3, "ms",
               t_bare * 1e3)
