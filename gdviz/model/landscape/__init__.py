"""The 2-D landscape F(x, y) (issue 5): gradient and Hessian, contours, critical points, basins.

Gradient descent on F is Euler's method on the gradient flow p' = −∇F(p). In two dimensions the
picture has more to show than in one: contour lines, the arrows of −∇F, the critical points
(minima, maxima, saddles) classified by the Hessian's eigenvalues, and the basin map that
colours every start by the minimum gradient descent takes it to.

The modules: core (Landscape), contours (ContourGrid, gradient_field), critical (critical points),
descent (descend), basins (basin_map), kernel (the allocation-free numpy compiler the basin map's
GD loop uses), presets (Preset2D and resources/presets2d). Every name is re-exported here.
"""

from __future__ import annotations

from ..euler import Cancelled
from ..expressions import ExpressionError
from .basins import (
    BASIN_MARGIN,
    BASIN_TOL,
    CHECK_EVERY,
    DIVERGED,
    PROGRESS_EVERY,
    UNDECIDED,
    BasinMap,
    basin_map,
    freeze_diverged,
)
from .contours import LEVEL_PERCENTILES, LEVELS, ContourGrid, contour_grid, gradient_field
from .core import DEFAULT_PARAMETER, MAX_GRID, VARIABLES, Landscape, Range, check_count, check_range
from .critical import SEEDS, CriticalPoint, Kind, critical_points, is_local_extremum
from .descent import descend
from .kernel import MAX_KERNEL_NODES, Kernel, Unsupported
from .presets import (
    MAX_STARTS,
    MAX_STEPS,
    Preset2D,
    landscape_preset,
    landscape_presets,
    preset2d_from_dict,
    preset2d_from_json,
)

# The kernel's names before the package had modules (tests import them).
_Kernel = Kernel
_Unsupported = Unsupported

__all__ = [
    "BASIN_MARGIN", "BASIN_TOL", "CHECK_EVERY", "DEFAULT_PARAMETER", "DIVERGED", "LEVELS", "LEVEL_PERCENTILES",
    "MAX_GRID", "MAX_KERNEL_NODES", "MAX_STARTS", "MAX_STEPS", "PROGRESS_EVERY", "SEEDS", "UNDECIDED",
    "VARIABLES", "BasinMap", "Cancelled", "ContourGrid", "CriticalPoint", "ExpressionError", "Kernel", "Kind",
    "Landscape", "Preset2D", "Range", "Unsupported", "basin_map", "check_count", "check_range", "contour_grid",
    "critical_points", "descend", "freeze_diverged", "gradient_field", "is_local_extremum", "landscape_preset",
    "landscape_presets", "preset2d_from_dict", "preset2d_from_json",
]
