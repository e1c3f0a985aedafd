"""Plotted ranges: the one rule every entry point applies (scenes, command line, files, the window).

A range [A, B] must be finite, ordered, and one a plot can show:

* |A|, |B| <= MAX_MAGNITUDE = 1e150. Squares of coordinates (x^2 in F, the lengths the plotting
  library and the contour code compute) then stay below 1e300, inside float range; B - A cannot overflow
  (at ±9e307 it does, and the plotting library loops forever on "Cannot set range [-inf, inf]").
* B - A >= MIN_WIDTH_RELATIVE * max(|A|, |B|): a billionth of the magnitude still leaves 10^7
  distinct doubles across the range (their spacing is 2.2e-16 of the magnitude), so the 801
  samples of a curve and the ticks of an axis are distinct numbers. The plotting library itself
  widens any range below 3e-15 of its magnitude.
* B - A >= MIN_WIDTH_ABSOLUTE = 1e-12, for ranges around 0 where the relative rule asks for
  nothing: a 5e-324 wide range makes 1/(B - A) infinite and Qt crashes. At 1e-12 an 8000-pixel
  axis at scale 4 maps one unit to 3e16 pixels, and any square of that stays far inside float
  range. No scene a student builds needs a narrower window than a picometre.

Plain Python, no numpy: the scenes import this at start-up.
"""
from __future__ import annotations

import math
import numbers

MAX_MAGNITUDE = 1e150
MIN_WIDTH_RELATIVE = 1e-9
MIN_WIDTH_ABSOLUTE = 1e-12

__all__ = ["MAX_MAGNITUDE", "MIN_WIDTH_ABSOLUTE", "MIN_WIDTH_RELATIVE", "check_defined", "check_range",
           "min_width", "range_problem", "range_text"]


def min_width(a: float, b: float) -> float:
    """The narrowest width a range around a and b may have."""
    return max(MIN_WIDTH_RELATIVE * max(abs(a), abs(b)), MIN_WIDTH_ABSOLUTE)


def range_problem(a: object, b: object, what: str = "the x-range") -> str | None:
    """One sentence saying why [a, b] is not a range a plot can show ("{what} ..."), or None."""
    if not (_is_number(a) and _is_number(b)):
        return f"{what} needs two numbers A < B"
    a, b = float(a), float(b)      # type: ignore[arg-type]
    if not (math.isfinite(a) and math.isfinite(b)):
        return f"{what} needs two finite numbers A < B (got {_g(a)}, {_g(b)})"
    if not a < b:
        return f"{what} needs A < B (got {_g(a)}, {_g(b)})"
    if max(abs(a), abs(b)) > MAX_MAGNITUDE:
        return f"{what} must lie within ±{MAX_MAGNITUDE:g} (got {_g(a)}, {_g(b)})"
    if b - a < min_width(a, b):
        return f"{what} is too narrow to plot (B − A = {b - a:.3g}; at least {_g(min_width(a, b))} here)"
    return None


def check_range(a: object, b: object, what: str = "the x-range") -> tuple[float, float]:
    """(a, b) as floats if a plot can show that range, else ValueError with one sentence."""
    problem = range_problem(a, b, what)
    if problem is not None:
        raise ValueError(problem)
    return float(a), float(b)      # type: ignore[arg-type]


def range_text(a: float, b: float) -> str:
    """[a, b] for a message, numbers shortened."""
    return f"[{_g(a)}, {_g(b)}]"


def check_defined(values: object, name: str, where: str) -> None:
    """ValueError ("F is undefined everywhere on the range [1, 2]") unless some sample of `values`
    (an array of a function over the plotted range) is a finite number: a picture with no point
    in it is a question the student should hear about, not a blank plot."""
    import numpy as np
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0 or np.isfinite(values).any():
        return
    if np.isnan(values).all():
        raise ValueError(f"{name} is undefined everywhere on {where}")
    if np.isinf(values).all():
        raise ValueError(f"{name} is beyond floating point everywhere on {where}")
    raise ValueError(f"{name} is undefined or beyond floating point everywhere on {where}")


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        float(value)
    except (OverflowError, TypeError, ValueError):     # a 400-digit int
        return False
    return True


def _g(value: float) -> str:
    """A number for a message: 7 significant digits, or all the digits it needs when 7 would
    round it (1.000000001e150 is not 1e+150)."""
    short = f"{value:.7g}"
    return short if float(short) == value else repr(value)
