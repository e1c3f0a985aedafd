"""Sentences for the status bar and the panel: the regime Euler's map is in, and the window title.
Pure text formatting of numbers the model computed (no widgets); user text is clipped by plain.py's rules."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .plain import title_part

if TYPE_CHECKING:
    from ..model.results import SceneResult
    from ..model.scene import Scene


def num(v: float, digits: int = 3) -> str:
    """Compact number: 1, 0.5, 0.0833, 1.2e+04; ∞ for infinity."""
    if math.isinf(v):
        return "∞"
    if v == 0:
        return "0"
    text = f"{v:.{digits}g}"
    return text


def fixed(v: float) -> str:
    """Threshold: two decimals from 1 up (1.00, 2.50), three significant digits below (0.0833)."""
    if math.isinf(v):
        return "∞"
    return f"{v:.2f}" if 1 <= abs(v) < 1000 else num(v)


def regime_sentence(result: SceneResult) -> str:
    """E.g. 'h = 0.50: monotone convergence toward x* = 1 (h < 1/|f'(x*)| = 1.00)'."""
    h = result.scene.h
    hs = f"{h:.2f}" if 0.01 <= h < 1000 and round(h, 2) == h else num(h)
    eq = result.attractor
    regime = str(getattr(result.regime, "value", result.regime))
    if eq is None and getattr(result, "f_is_zero", False):     # what the phase line says too, not "nothing attracts x₀"
        return f"h = {hs}: f ≡ 0, every point is an equilibrium: the iterates stay at x₀"
    if eq is None:
        return f"h = {hs}: no stable equilibrium in the plotted range attracts x₀"
    xs = num(eq.x, 4)
    hm, hst = eq.h_monotone, eq.h_stable
    if regime == "bouncing around a kink":
        left, right = eq.jump
        return (f"h = {hs}: F has a kink at x* = {xs}, where f jumps from {num(left, 3)} to {num(right, 3)}: "
                f"a fixed step never settles, the iterates keep bouncing within {num(eq.bounce(h), 3)} of x* "
                f"(smaller h, smaller bounce)")
    if math.isinf(hst):
        return (f"h = {hs}: heading for x* = {xs}, where f'(x*) = 0: the linear test sets no limit on h")
    if regime == "monotone convergence":
        return f"h = {hs}: monotone convergence toward x* = {xs} (h < 1/|f'(x*)| = {fixed(hm)})"
    if regime == "oscillating convergence":
        return (f"h = {hs}: oscillating convergence toward x* = {xs} "
                f"(1/|f'(x*)| = {fixed(hm)} < h < 2/|f'(x*)| = {fixed(hst)})")
    if regime == "divergence":
        return f"h = {hs}: too large to converge to x* = {xs} (h > 2/|f'(x*)| = {fixed(hst)})"
    return f"h = {hs}: {regime}"


def status_message(result: SceneResult) -> str:
    """The status bar line: the notes on the equation, divergence and other messages, then the regime."""
    parts = [m for m in (*getattr(result, "notes", ()), *result.messages) if m]
    parts.append(regime_sentence(result))
    return "   ·   ".join(parts)


def scene_title(scene: Scene, preset_title: str | None) -> str:
    """The window title: the preset's title, or the equation (one line, clipped; see ui/plain.py)."""
    if preset_title:
        return f"gdviz — {title_part(preset_title)}"
    text = title_part(scene.text, 80)
    what = f"F(x) = {text}" if scene.kind == "F" else f"x' = {text}"
    return f"gdviz — {what}  ({'ascent' if scene.direction == 'ascent' else 'descent'})"
