"""gdviz's maths, free of Qt and usable from a notebook.

    >>> from gdviz.model import Scene, evaluate
    >>> r = evaluate(Scene(text="6x^2 - 12x + 3", direction="descent", h=0.03, x0=-0.9, steps=6))
    >>> print(*(f"{v:.6f}" for v in r.x[1:]))
    -0.216000 0.221760 0.501926 0.681233 0.795989 0.869433

(The article's table truncates these to four places: 0.2217, 0.7959. The examples in docstrings
run as tests: tests/test_docstrings.py.)

Names are loaded on first use, so `import gdviz.model` stays cheap and sympy is imported only
when an expression is first parsed.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Scene": "scene",
    "Preset": "presets", "presets": "presets", "preset": "presets",
    "EulerRun": "euler", "euler": "euler",
    "Expression": "expressions", "ExpressionError": "expressions", "parse": "expressions",
    "FlowProblem": "problem", "Kind": "problem", "Direction": "problem", "Stability": "problem",
    "Critical": "problem", "Regime": "problem", "Equilibrium": "problem",
    "Reference": "reference", "reference_solution": "reference",
    "SceneResult": "results", "evaluate": "results",
    # the step-size lab
    "LabResult": "lab", "evaluate_lab": "lab", "OrbitResult": "lab", "evaluate_orbits": "lab",
    "METHODS": "methods", "integrate": "methods",
    "StepRun": "stepsize", "compare_step_sizes": "stepsize", "ErrorSweep": "stepsize", "error_sweep": "stepsize",
    "OrbitDiagram": "bifurcation", "orbit_diagram": "bifurcation", "period_of": "bifurcation",
    # two dimensions, optimizers, data and physics
    "Scene2D": "scene2d", "Result2D": "results2d", "evaluate_2d": "results2d",
    "Landscape": "landscape", "basin_map": "landscape", "critical_points": "landscape",
    "OPTIMIZERS": "optimizers", "run_optimizer": "optimizers", "OptimizerRun": "optimizers",
    "Dataset": "regression", "make_dataset": "regression", "fit": "regression",
    "MomentumScene": "momentum", "evaluate_momentum": "momentum",
    "check_range": "ranges",
    "Session": "session", "load_session": "session", "save_session": "session",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
