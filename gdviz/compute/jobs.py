"""The jobs a ComputeClient runs: one small function per job, named for what it computes.

A client is given one of these (`ComputeClient(self, job=jobs.evaluate_lab)`), so a reader can go
from the request to the code that serves it. Each imports its model function in its body: the
first call happens on the worker thread, so the model and sympy (about 0.45 s to import) load
there, never while the window starts. Importing this module imports nothing from the model.

A job is called as `job(scene, should_stop=...)`, plus `progress=` (a callback taking a fraction
in [0, 1]) when its client was made `with_progress=True`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.diffusion import NoiseResult, NoiseScene
    from ..model.lab import ChaosResult, LabResult, OrbitResult
    from ..model.momentum import MomentumResult, MomentumScene
    from ..model.results import SceneResult
    from ..model.results2d import Basins, Result2D
    from ..model.scene import Scene
    from ..model.scene2d import Scene2D
    from ..model.sgd_cloud import Cloud
    from ..model.training import TrainResult, TrainScene

StopCheck = Callable[[], bool]
Progress = Callable[[float], None]


def evaluate_scene(scene: Scene, should_stop: StopCheck | None = None) -> SceneResult:
    """The flow tab: F, f, the iterates, the reference solution, the equilibria."""
    from ..model.results import evaluate
    return evaluate(scene, should_stop=should_stop)


def evaluate_lab(scene: Scene, should_stop: StopCheck | None = None) -> LabResult:
    """The step-size lab: the compared step sizes, the cobweb and the error sweep."""
    from ..model.lab import evaluate_lab as evaluate
    return evaluate(scene, should_stop=should_stop)


def evaluate_orbits(scene: Scene, should_stop: StopCheck | None = None,
                    progress: Progress | None = None) -> OrbitResult:
    """The lab's bifurcation diagram: long, so it reports progress."""
    from ..model.lab import evaluate_orbits as evaluate
    return evaluate(scene, should_stop=should_stop, progress=progress)


def evaluate_chaos(scene: Scene, should_stop: StopCheck | None = None) -> ChaosResult:
    """The lab's Lyapunov exponent over the diagram's h-axis, and the period doublings."""
    from ..model.lab import evaluate_chaos as evaluate
    return evaluate(scene, should_stop=should_stop)


def evaluate_2d(scene: Scene2D, should_stop: StopCheck | None = None) -> Result2D:
    """The 2-D plane: contours, the optimisers' paths, the rest points."""
    from ..model.results2d import evaluate_2d as evaluate
    return evaluate(scene, should_stop=should_stop)


def evaluate_basins(scene: Scene2D, should_stop: StopCheck | None = None,
                    progress: Progress | None = None) -> Basins:
    """The 2-D plane's basins of attraction: long, so it reports progress."""
    from ..model.results2d import evaluate_basins as evaluate
    return evaluate(scene, should_stop=should_stop, progress=progress)


def evaluate_momentum(scene: MomentumScene, should_stop: StopCheck | None = None) -> MomentumResult:
    """The momentum tab: the heavy ball, the exact motion, the field and the rest points."""
    from ..model.momentum import evaluate_momentum as evaluate
    return evaluate(scene, should_stop=should_stop)


def evaluate_noise(scene: NoiseScene, should_stop: StopCheck | None = None) -> NoiseResult:
    """The SGD noise tab: the late iterates of (η, B) and (2η, 2B) on a noisy quadratic."""
    from ..model.diffusion import evaluate_noise as evaluate
    return evaluate(scene, should_stop=should_stop)


def evaluate_cloud(scene: Scene2D, should_stop: StopCheck | None = None) -> Cloud:
    """The 2-D tab's "Fit a line": the cloud of late SGD iterates and its predicted covariance."""
    from ..model.sgd_cloud import cloud_of_scene
    return cloud_of_scene(scene, should_stop=should_stop)
def evaluate_training(scene: TrainScene, should_stop: StopCheck | None = None,
                      progress: Progress | None = None) -> TrainResult:
    """The edge-of-stability tab: a network trained at each learning rate, with its sharpness."""
    from ..model.training import evaluate_training as evaluate
    return evaluate(scene, should_stop=should_stop, progress=progress)
