"""The orbit (bifurcation) diagram over h: compute time against a bare numpy loop.

Target (issue 4): compute within 1.5x the bare loop, compute + draw <= 100 ms. Drawing is
measured by the UI's own benchmark; these are the compute figures: the whole orbit_diagram, the
iteration alone (the bare loop's own work) with the parsed f and with a plain numpy f (the
difference is the parsed f's per-call wrapper), and the density image alone.
"""
from __future__ import annotations

from collections.abc import Iterator

from common import Line, benchmark, interleaved_medians, line

N_H, H_RANGE, TRANSIENT, KEPT, BINS, X0 = 2000, (1.5, 3.0), 500, 200, 600, 0.1


def _bare_loop(h, x0: float, transient: int, kept: int):
    """The floor: the same iterates x_0 ... x_{transient + kept - 1}, the last `kept` stored."""
    import numpy as np

    def run() -> None:
        out = np.empty((kept, h.size))
        x = np.full(h.size, x0)
        with np.errstate(all="ignore"):      # h > 3 escapes to -inf, as in the real thing
            for n in range(1, transient + kept):
                x = x + h * x * (1 - x)
                if n >= transient:
                    out[n - transient] = x
    return run


@benchmark("bifurcation compute")
def bench_bifurcation() -> Iterator[Line]:
    import numpy as np

    from gdviz.model.bifurcation import _density, _iterate, orbit_diagram
    from gdviz.model.problem import FlowProblem

    f = FlowProblem.from_text("x^2/2 - x^3/3").f_loop             # what the app iterates; ascent: f = F' = x - x^2
    h = np.linspace(*H_RANGE, N_H)
    bare = _bare_loop(h, X0, TRANSIENT, KEPT)
    label = f"{N_H} h x ({TRANSIENT} transient + {KEPT} kept)"

    def compute() -> None:      # everything: iterate, divergence, automatic x_range, density image
        orbit_diagram(f, X0, H_RANGE, n_h=N_H, transient=TRANSIENT, kept=KEPT, bins=BINS)

    t_ours, t_bare = interleaved_medians(compute, bare, 21)
    yield line(f"bifurcation compute, parsed f (logistic, {label})", t_ours * 1e3, "ms", t_bare * 1e3)

    def iterate() -> None:      # the iteration alone: the same work as the bare loop
        _iterate(f, X0, h, TRANSIENT, KEPT, 1e12, None, None)

    t_iter, t_bare = interleaved_medians(iterate, bare, 21)
    yield line(f"bifurcation iteration alone, parsed f ({label})", t_iter * 1e3, "ms", t_bare * 1e3)

    # With a plain numpy f: the engine's own cost, without the parsed f's per-call wrapper
    # (argument checks and an np.errstate: ~8 us a call where the bare loop's whole step is ~5).
    def plain(x):
        return x - x * x

    def iterate_plain() -> None:
        _iterate(plain, X0, h, TRANSIENT, KEPT, 1e12, None, None)

    t_plain, t_bare = interleaved_medians(iterate_plain, bare, 21)
    yield line(f"bifurcation iteration alone, plain numpy f ({label})", t_plain * 1e3, "ms",
               t_bare * 1e3)

    # The density image alone, against np.histogram2d of the same points: the obvious way.
    d = orbit_diagram(f, X0, H_RANGE, n_h=N_H, transient=TRANSIENT, kept=KEPT, bins=BINS)
    rows = np.ascontiguousarray(d.orbits.T)
    h_of_point = np.broadcast_to(d.h, rows.shape).ravel()

    def density() -> None:
        _density(rows, d.x_range, BINS)

    def histogram2d() -> None:
        np.histogram2d(h_of_point, rows.ravel(), bins=(N_H, BINS),
                       range=((d.h[0], d.h[-1]), d.x_range))

    t_density, t_hist = interleaved_medians(density, histogram2d, 11)
    yield line(f"bifurcation density image alone ({N_H} x {BINS} from {N_H * KEPT} points; "
               "floor: np.histogram2d)", t_density * 1e3, "ms", t_hist * 1e3)


def _bare_lyapunov(h, x0: float, transient: int, kept: int):
    """The floor: the same λ(h) of the logistic as a bare numpy loop, its derivative written out."""
    import numpy as np

    def run() -> None:
        x = np.full(h.size, x0)
        total = np.zeros(h.size)
        with np.errstate(all="ignore"):
            for n in range(transient + kept):
                if n >= transient:
                    total += np.log(np.abs(1.0 + h * (1.0 - 2.0 * x)))
                x = x + h * x * (1 - x)
    return run


@benchmark("lyapunov sweep")
def bench_lyapunov() -> Iterator[Line]:
    """λ(h) on the diagram's grid (issue 14 §4) against the bare loop; then the whole chaos job
    (λ plus the period doublings followed from x*) against the same floor."""
    import numpy as np

    from gdviz.model.chaos import lyapunov
    from gdviz.model.lab import _DOUBLINGS_CACHE, LYAPUNOV_KEPT, evaluate_chaos
    from gdviz.model.problem import FlowProblem
    from gdviz.model.scene import Scene

    problem = FlowProblem.from_text("x^2/2 - x^3/3")
    h = np.linspace(*H_RANGE, N_H)
    bare = _bare_lyapunov(h, X0, TRANSIENT, LYAPUNOV_KEPT)
    label = f"{N_H} h x ({TRANSIENT} transient + {LYAPUNOV_KEPT} averaged)"

    def sweep() -> None:
        lyapunov(problem, h, X0, transient=TRANSIENT, kept=LYAPUNOV_KEPT)

    t_ours, t_bare = interleaved_medians(sweep, bare, 7)
    yield line(f"lyapunov sweep, parsed f (logistic, {label})", t_ours * 1e3, "ms", t_bare * 1e3)

    scene = Scene(x0=X0, h_range=H_RANGE, orbit_h_count=N_H, orbit_transient=TRANSIENT)

    def job() -> None:
        _DOUBLINGS_CACHE.clear()        # the first look at an equation: no remembered doublings
        evaluate_chaos(scene)

    t_job, t_bare = interleaved_medians(job, bare, 5)
    yield line(f"chaos job: lyapunov + 6 period doublings ({label}; floor: the bare lyapunov loop)",
               t_job * 1e3, "ms", t_bare * 1e3)

    def zoomed() -> None:           # a zoom of the same diagram: the doublings are remembered
        evaluate_chaos(scene.with_(h_range=(2.4, 2.6)))

    t_zoom, t_bare = interleaved_medians(zoomed, bare, 5)
    yield line(f"chaos job on a zoom, doublings remembered ({label}; floor: the bare lyapunov loop)",
               t_zoom * 1e3, "ms", t_bare * 1e3)
