"""Each tab's picture in words, for a screen reader and for `gdviz --describe`.

Like PhET's scene descriptions: the equation, the equilibria or critical points with their
stability, what the iterates do from the start and why (the outcome, then the local regime as the
local statement it is), and the step-size thresholds. Plain text built from results the model
computed (no Qt): the window puts the same text in its pages' accessible descriptions.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .chaos import FEIGENBAUM_DELTA
from .outcome import fixed, num
from .problem import Critical, Equilibrium, Stability

if TYPE_CHECKING:
    from .lab import ChaosResult, LabResult, OrbitResult
    from .momentum import MomentumResult, MomentumScene
    from .results import SceneResult
    from .results2d import Result2D
    from .scene import Scene
    from .scene2d import Scene2D

MAX_LISTED = 12         # equilibria / critical points named one by one; the rest are counted


def _h_text(h: float) -> str:
    return f"{h:.2f}" if 0.01 <= h < 1000 and round(h, 2) == h else num(h, 4)


def _listed(items: list[str], what: str) -> str:
    """'a; b; c' with at most MAX_LISTED items, then how many more."""
    if len(items) <= MAX_LISTED:
        return "; ".join(items)
    return "; ".join(items[:MAX_LISTED]) + f"; and {len(items) - MAX_LISTED} more {what}"


def equilibrium_text(e: Equilibrium) -> str:
    """'x* = 1, stable (a local maximum of F), f'(x*) = −1'."""
    if e.interval is not None:
        lo, hi = e.interval
        return f"every x in [{num(lo, 4)}, {num(hi, 4)}], a whole interval of equilibria where f = 0"
    critical = "" if e.critical is Critical.NEITHER else f" (a {e.critical.value} of F)"
    if e.jump is not None:
        slope = f", a kink of F: f jumps from {num(e.jump[0])} to {num(e.jump[1])}"
    else:
        slope = f", f'(x*) = {num(e.slope)}"
    return f"x* = {num(e.x, 4)}, {e.stability.value}{critical}{slope}"


def threshold_text(e: Equilibrium | None, h: float) -> str:
    """The thresholds of the equilibrium the regime refers to, and where h sits among them."""
    if e is None or e.stability is Stability.UNSTABLE or e.interval is not None or e.jump is not None:
        return "Thresholds: none apply (no stable equilibrium with a slope f'(x*) attracts these iterates)."
    if not math.isfinite(e.h_stable):
        return (f"Thresholds at x* = {num(e.x, 4)}: none, f'(x*) = 0, so the linear test "
                "sets no limit on h.")
    return (f"Thresholds at x* = {num(e.x, 4)}: 1/|f'(x*)| = {fixed(e.h_monotone)} (steps up to it approach "
            f"monotonically) and 2/|f'(x*)| = {fixed(e.h_stable)} (the limit of stability); "
            f"your h = {_h_text(h)}.")


def describe_flow(r: SceneResult) -> str:
    """The flow tab: F and f, the equilibria, the iterates from x0 and the local regime."""
    s = r.scene
    a, b = s.x_range
    what = "ascent (maximising F)" if s.direction == "ascent" else "descent (minimising F)"
    lines = [f"Gradient {what} is Euler's method on the flow x' = f(x).",
             f"Equation: {r.summary}.",
             f"Plotted range: x from {num(a, 4)} to {num(b, 4)}."]
    if r.f_is_zero:
        lines.append("Equilibria: f ≡ 0, every point is an equilibrium.")
    elif r.equilibria:
        items = [equilibrium_text(e) for e in r.equilibria]
        lines.append(f"Equilibria (where f = 0), {len(items)} in range: {_listed(items, 'equilibria')}.")
    else:
        lines.append("Equilibria: none in the plotted range (f is never 0 there).")
    lines.append(f"Start x₀ = {num(s.x0, 4)}, step size h = {_h_text(s.h)}, {s.steps} steps.")
    if r.outcome_text:
        lines.append(r.outcome_text)
    if not r.f_is_zero:
        lines.append(r.local_text)
        lines.append(threshold_text(r.attractor, s.h))
    lines.extend(_sentence(m) for m in (*r.notes, *r.messages))
    return "\n".join(lines)


def _sentence(text: str) -> str:
    text = text.strip()
    if text[:1].isascii():          # "μ = 1: …" keeps its Greek letter as it is
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def describe_compare(lab: LabResult) -> str:
    """The comparison of several h against the exact flow."""
    lines = [f"Step sizes compared with the exact flow over t from 0 to {num(lab.t_end, 4)}:"]
    for run, err in zip(lab.runs, lab.max_errors, strict=False):
        if run.diverged_at >= 0:
            lines.append(f"h = {_h_text(run.h)}: diverges at step {run.diverged_at}.")
        elif math.isfinite(err):
            lines.append(f"h = {_h_text(run.h)}: {len(run.x) - 1} steps, largest error {num(err)} "
                         "against the exact solution.")
        else:
            lines.append(f"h = {_h_text(run.h)}: {len(run.x) - 1} steps, error not measurable.")
    return "\n".join(lines)


def describe_error(lab: LabResult) -> str:
    """The global error against h, and the fitted orders."""
    sw = lab.sweep
    if sw is None:
        return f"Error against h: not measured: {lab.sweep_note}."
    lines = [f"Global error at t = {num(sw.t_end, 4)} against h from {num(float(sw.h[0]))} to "
             f"{num(float(sw.h[-1]))} (exact x(t) = {num(sw.x_exact, 6)}):"]
    for method, slope in sw.slopes.items():
        errors = sw.errors[method]
        finite = errors[np.isfinite(errors)]
        span = (f"errors from {num(float(finite.min()))} to {num(float(finite.max()))}" if finite.size
                else "every run blew up")
        order = f"fitted order {slope:.2f}" if math.isfinite(slope) else "no order fitted"
        lines.append(f"{method}: {span}, {order}.")
    if sw.note:
        lines.append(_sentence(sw.note))
    return "\n".join(lines)


def describe_cobweb(r: SceneResult) -> str:
    """Euler's map g(x) = x + h f(x) and its fixed points (the equilibria), with |g'(x*)|."""
    h = r.scene.h
    lines = [f"Cobweb of Euler's map g(x) = x + h·f(x) with h = {_h_text(h)}: its fixed points are the "
             "equilibria; one attracts the iterates when |g'(x*)| = |1 + h·f'(x*)| < 1."]
    items = []
    for e in r.equilibria:
        if e.interval is not None or e.jump is not None:
            items.append(equilibrium_text(e))
            continue
        g = abs(1 + h * e.slope)
        verdict = "attracts" if g < 1 else "repels" if g > 1 else "is on the boundary"
        items.append(f"x* = {num(e.x, 4)}: |g'(x*)| = {num(g)}, it {verdict}")
    if items:
        lines.append(f"Fixed points: {_listed(items, 'fixed points')}.")
    if r.outcome_text:
        lines.append(r.outcome_text)
    return "\n".join(lines)


def describe_bifurcation(orbits: OrbitResult) -> str:
    """What the long-run iterates do across the h-axis of the diagram."""
    d = orbits.diagram
    lo, hi = float(d.h[0]), float(d.h[-1])
    lines = [f"Bifurcation diagram: the long-run iterates from x₀ = {num(d.x0, 4)} for {len(d.h)} step sizes "
             f"h from {num(lo)} to {num(hi)} (after {d.transient} steps, {d.kept} kept)."]
    if orbits.attractor is not None and math.isfinite(orbits.h_stable):
        lines.append(f"Marked thresholds at x* = {num(orbits.attractor.x, 4)}: 1/|f'(x*)| = "
                     f"{fixed(orbits.h_monotone)}, 2/|f'(x*)| = {fixed(orbits.h_stable)}.")
    diverged = np.asarray(d.diverged, dtype=bool)
    if diverged.any():
        first = float(d.h[int(np.argmax(diverged))])
        lines.append(f"The iterates diverge from h ≈ {num(first)} ({int(diverged.sum())} of {len(d.h)} values of h).")
    else:
        lines.append("The iterates stay bounded for every h shown.")
    return "\n".join(lines)


def doubling_rows(chaos: ChaosResult) -> list[str]:
    """One short line per period doubling inside the h-axis: its period, h and gap ratio."""
    return [f"period {d.period} at h = {d.h:.6f}" + (f", gap ratio {r:.3f}" if r is not None else "")
            for d, r in chaos.shown_doublings()]


def doublings_line(chaos: ChaosResult) -> str:
    """The doublings inside the h-axis on one compact line, the gap ratios first: what the list is
    for (the diagram marks each h already), and what survives when a narrow column cuts the end."""
    shown = chaos.shown_doublings()
    if not shown:
        return "No period doubling in this range of h"
    periods = ", ".join(str(d.period) for d, _ in shown)
    where = f"period {periods} at h = " + ", ".join(f"{d.h:.6f}" for d, _ in shown)
    ratios = [f"{r:.3f}" for _, r in shown if r is not None]
    if not ratios:
        return where[0].upper() + where[1:]
    return f"Gap ratios {', '.join(ratios)} → Feigenbaum's δ ≈ {FEIGENBAUM_DELTA:.3f} · {where}"


def doublings_heading() -> str:
    return f"Period doublings (gap ratios → Feigenbaum's δ ≈ {FEIGENBAUM_DELTA:.3f})"


def describe_chaos(chaos: ChaosResult) -> str:
    """The Lyapunov exponent over the diagram's h-axis, and the period doublings inside it."""
    lo, hi = chaos.h_range
    lam = np.asarray(chaos.lyapunov, dtype=np.float64)
    finite = np.isfinite(lam)
    lines = [f"Lyapunov exponent λ(h) of Euler's map for {len(chaos.h)} step sizes h from {num(lo)} to {num(hi)}: "
             "negative where the iterates settle, zero at each period doubling, positive in chaos."]
    if finite.any():
        chaotic = int(np.count_nonzero(lam[finite] > 0))
        lines.append(f"λ ranges from {num(float(lam[finite].min()), 4)} to {num(float(lam[finite].max()), 4)}; "
                     f"{chaotic} of {len(lam)} values of h are chaotic (λ > 0).")
    shown = chaos.shown_doublings()
    if shown:
        items = [f"period {d.period} at h = {num(d.h, 7)}" + (f" (gap ratio {num(r, 4)})" if r else "")
                 for d, r in shown]
        tail = (f"; the gap ratios tend to Feigenbaum's δ ≈ {num(FEIGENBAUM_DELTA, 4)}"
                if any(r is not None for _, r in shown) else "")
        lines.append(f"Period doublings: {_listed(items, 'doublings')}{tail}.")
    else:
        lines.append("No period doubling found in this range of h.")
    return "\n".join(lines)


def describe_lab(r: SceneResult, lab: LabResult, orbits: OrbitResult) -> str:
    return "\n\n".join((describe_flow(r), describe_compare(lab), describe_error(lab), describe_cobweb(r),
                        describe_bifurcation(orbits)))


def describe_2d(r: Result2D) -> str:
    """The 2-D tab: F(x, y), its critical points, and each optimizer's path from each start."""
    s = r.scene
    lines = [f"Equation: {r.label}; {r.gradient_label}.",
             f"Plotted region: x from {num(s.x_range[0], 4)} to {num(s.x_range[1], 4)}, "
             f"y from {num(s.y_range[0], 4)} to {num(s.y_range[1], 4)}."]
    if r.critical:
        items = [f"a {c.kind} at ({num(c.x, 4)}, {num(c.y, 4)}) with F = {num(c.F, 4)}" for c in r.critical]
        lines.append(f"Critical points (∇F = 0), {len(items)} found: {_listed(items, 'critical points')}.")
    else:
        lines.append("Critical points: none found in the plotted region.")
    lines.append(f"{len(s.starts)} start{'s' if len(s.starts) != 1 else ''}, {s.steps} steps, "
                 f"learning rate {num(s.lr, 4)}.")
    for name, run in r.runs.items():
        for i, (x0, y0) in enumerate(s.starts):
            lines.append(f"{name} from ({num(x0, 4)}, {num(y0, 4)}): {_path_text(r, run, i)}")
    lines.extend(_sentence(n) for n in r.notes)
    return "\n".join(lines)


def _path_text(r: Result2D, run, i: int) -> str:
    at = int(run.diverged_at[i])
    if at >= 0:
        return f"diverges at step {at}."
    x, y = (float(v) for v in run.x[i, -1])
    F = float(run.loss[i, -1])
    step = run.x[i, -1] - run.x[i, -2] if run.x.shape[1] >= 2 else np.zeros(2)
    span = max(r.scene.x_range[1] - r.scene.x_range[0], r.scene.y_range[1] - r.scene.y_range[0])
    near = _nearest_critical(r, x, y, 1e-3 * span)
    if near is not None:
        how = f"converges to the {near.kind} at ({num(near.x, 4)}, {num(near.y, 4)})"
    elif float(np.hypot(*step)) <= 1e-6 * span:
        how = "has stopped moving"
    else:
        how = "is still moving"
    value = f", F = {num(F, 4)}" if math.isfinite(F) else ""
    return f"ends at ({num(x, 4)}, {num(y, 4)}){value}: it {how}."


def _nearest_critical(r: Result2D, x: float, y: float, tol: float):
    best = min(r.critical, key=lambda c: math.hypot(c.x - x, c.y - y), default=None)
    return best if best is not None and math.hypot(best.x - x, best.y - y) <= tol else None


def describe_momentum(r: MomentumResult) -> str:
    """The momentum tab: the equation, the rest points and what the heavy ball's orbit does."""
    s = r.scene
    lines = [f"Heavy-ball momentum is a damped Newton flow: {r.equation}, potential F(x) = {r.F_label}, "
             f"friction γ = {num(r.gamma, 4)}, time step Δt = √lr = {num(r.dt, 4)} (lr = {num(s.lr, 4)}, "
             f"μ = {num(s.momentum, 4)})."]
    if r.equilibria:
        items = [f"({num(e.x, 4)}, 0), a {e.label}" for e in r.equilibria]
        lines.append(f"Rest points (x*, v = 0), {len(items)} in range: {_listed(items, 'rest points')}.")
    else:
        lines.append("Rest points: none in the plotted range.")
    lines.append(f"Start (x₀, v₀) = ({num(s.x0, 4)}, {num(s.v0, 4)}), {s.steps} steps.")
    lines.append(_orbit_text(r))
    lines.extend(_sentence(m) for m in (*r.notes, *r.messages))
    return "\n".join(lines)


def _orbit_text(r: MomentumResult) -> str:
    if r.diverged_at >= 0:
        return f"The heavy ball runs away at step {r.diverged_at}."
    x, v, E = float(r.x[-1]), float(r.v[-1]), r.energy
    span = r.scene.x_range[1] - r.scene.x_range[0]
    near = min(r.equilibria, key=lambda e: abs(e.x - x), default=None)
    energy = f"its energy goes from {num(float(E[0]), 4)} to {num(float(E[-1]), 4)}"
    end = f"The heavy ball ends at x = {num(x, 4)}, v = {num(v, 4)} after {r.steps} steps; {energy}"
    if near is not None and near.stable and abs(x - near.x) <= 1e-2 * span and abs(v) <= 1e-2 * span:
        return f"{end}: it settles at the rest point x* = {num(near.x, 4)}."
    if near is not None and near.stable and r.gamma == 0:
        return f"{end}: without friction it keeps swinging about x* = {num(near.x, 4)}."
    return f"{end}: it is still moving."


# ----------------------------------------------------------------------------------- whole views
def describe_view(scene: Scene, view: str | None = None) -> str:
    """The picture of a 1-D view in words: flow (default), lab, or one lab canvas. Computes the
    results the window would draw (raises ExpressionError / ValueError like `evaluate`)."""
    from .lab import evaluate_chaos, evaluate_lab, evaluate_orbits
    from .results import evaluate
    view = view or "flow"
    r = evaluate(scene)
    if view == "flow":
        return describe_flow(r)
    if view == "lab":
        return describe_lab(r, evaluate_lab(scene), evaluate_orbits(scene))
    part = {"compare": lambda: describe_compare(evaluate_lab(scene)),
            "error": lambda: describe_error(evaluate_lab(scene)),
            "cobweb": lambda: describe_cobweb(r),
            "bifurcation": lambda: describe_bifurcation(evaluate_orbits(scene)),
            "lyapunov": lambda: describe_chaos(evaluate_chaos(scene)),
            "doublings": lambda: describe_chaos(evaluate_chaos(scene))}[view]()
    return describe_flow(r) + "\n\n" + part


def describe_plane(scene: Scene2D) -> str:
    from .results2d import evaluate_2d
    return describe_2d(evaluate_2d(scene))


def describe_momentum_scene(scene: MomentumScene) -> str:
    from .momentum import evaluate_momentum
    return describe_momentum(evaluate_momentum(scene))
