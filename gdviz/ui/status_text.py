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
    """Two lines: what the iterates from x0 do, then the local regime at x* (model/outcome.py), e.g.
    'h = 0.90: the iterates diverge: |x| passes 10¹² at step 7 (toward −∞).' and
    'Near x* = 1 (a local statement): h ≤ 1/|f'(x*)| = 1.00, so steps close to x* approach it monotonically.'"""
    h = result.scene.h
    hs = f"{h:.2f}" if 0.01 <= h < 1000 and round(h, 2) == h else num(h)
    if result.attractor is None and getattr(result, "f_is_zero", False):   # as the phase line says
        return f"h = {hs}: f ≡ 0, every point is an equilibrium: the iterates stay at x₀"
    outcome = result.outcome_text
    outcome = "the" + outcome[3:] if outcome.startswith("The ") else outcome
    return f"h = {hs}: {outcome}\n{result.local_text}"


def status_message(result: SceneResult) -> str:
    """The status bar line: the notes on the equation, divergence and other messages, then the
    outcome and the local regime."""
    parts = [m for m in (*getattr(result, "notes", ()), *result.messages) if m]
    parts.append(regime_sentence(result).replace("\n", " "))
    return "   ·   ".join(parts)


def scene_title(scene: Scene, preset_title: str | None) -> str:
    """The window title: the preset's title, or the equation (one line, clipped; see ui/plain.py)."""
    if preset_title:
        return f"gdviz — {title_part(preset_title)}"
    text = title_part(scene.text, 80)
    what = f"F(x) = {text}" if scene.kind == "F" else f"x' = {text}"
    return f"gdviz — {what}  ({'ascent' if scene.direction == 'ascent' else 'descent'})"
