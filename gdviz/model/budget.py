"""What one request may cost, checked before anything runs.

A 200-byte session can ask for 200 bundle starts of a million steps each, and a command line for
an 8000x8000 picture at four times the pixels: each fits every per-field limit, and each took
gigabytes. The rules below bound the product, so that every accepted input stays under about
1 GB of peak memory on a 2-core, 8 GB laptop (the figures are measured: see each constant).
Every entry point (the scene dataclasses, the command line, the export dialog) asks here, so the
command line, sessions, lessons and the window refuse the same requests with the same sentence.
"""
from __future__ import annotations

# 1-D: each Euler start stores its iterates, F and f along them, and the window draws them as one
# curve each. 200 starts x 100,000 steps (2e7 points) peaked at 390 MB in the model alone, and
# drawing them costs more again; 2e6 points (200 starts x 10,000 steps, or 13 x 150,000) keep the
# whole window near 250 MB. One start alone may use every step (1e6 steps: 133 MB).
MAX_BUNDLE_POINTS = 2_000_000

# 2-D: starts x optimizers x (steps + 1) points, each a row of the CSV (about 60 bytes). 24 starts
# x 7 optimizers x 10,000 steps (1.7e6 points) peaked at 537 MB while writing its 103 MB CSV.
MAX_PATH_POINTS = 1_000_000

# The bifurcation diagram keeps (values of h) x (kept iterations) float64 orbits: 80 MB at 1e7.
MAX_ORBIT_POINTS = 10_000_000

# Pictures: a PNG of W x H logical pixels at scale S has W*H*S^2 pixels. Measured peaks of a
# headless --export: 8000x5000 (40 MP) 775 MB, 8000x8000 (64 MP) 1,018 MB, 1600x1000 at
# scale 4 (25.6 MP) 287 MB.
MAX_IMAGE_PIXELS = 40_000_000

# A GIF holds every frame in memory (one byte a pixel, palette-mapped) until it is written.
MAX_GIF_FRAME_BYTES = 500_000_000


def _n(value: int) -> str:
    return f"{value:,}"


def bundle_problem(bundle: bool, starts: int, steps: int) -> str | None:
    """Why a 1-D bundle of `starts` solutions over `steps` Euler steps is too much, or None."""
    if not bundle:
        return None
    points = starts * (steps + 1)
    if points <= MAX_BUNDLE_POINTS:
        return None
    return (f"a bundle of {_n(starts)} starts over {_n(steps)} steps is {_n(points)} points, more than "
            f"the {_n(MAX_BUNDLE_POINTS)} gdviz can draw: use fewer starts or fewer steps")


def paths_problem(starts: int, optimizers: int, steps: int) -> str | None:
    """Why a 2-D run of `starts` x `optimizers` paths of `steps` steps is too much, or None."""
    points = starts * optimizers * (steps + 1)
    if points <= MAX_PATH_POINTS:
        return None
    return (f"{_n(starts)} starts x {_n(optimizers)} optimizers x {_n(steps)} steps is {_n(points)} points, "
            f"more than the {_n(MAX_PATH_POINTS)} gdviz can draw: use fewer starts, optimizers or steps")


def orbits_problem(values_of_h: int, kept: int) -> str | None:
    """Why a bifurcation diagram of `values_of_h` x `kept` points is too much, or None."""
    points = values_of_h * kept
    if points <= MAX_ORBIT_POINTS:
        return None
    return (f"the bifurcation diagram's {_n(values_of_h)} values of h x {_n(kept)} kept iterations is "
            f"{_n(points)} points, more than {_n(MAX_ORBIT_POINTS)}: use fewer values of h or kept iterations")


def image_problem(size: tuple[int, int], scale: float = 1.0,
                  remedy: tuple[str, str] = ("choose a smaller size", "scale")) -> str | None:
    """Why a picture of `size` logical pixels at `scale` is too large, or None. `remedy` is the
    advice in the caller's words: what to make smaller, and the name of the scale (the command
    line says "give a smaller --size" and "--scale")."""
    w, h = size
    pixels = w * h * scale * scale
    if pixels <= MAX_IMAGE_PIXELS:
        return None
    at = f" at scale {scale:g}" if scale != 1 else ""
    advice, scale_name = remedy
    return (f"a picture of {w}x{h} pixels{at} has {pixels / 1e6:,.0f} megapixels, more than the "
            f"{MAX_IMAGE_PIXELS // 1_000_000} gdviz can render: {advice}"
            + (f" or {scale_name}" if scale != 1 else ""))


def gif_frame_cap(size: tuple[int, int], frames: int) -> int:
    """At most `frames`, and no more than a GIF of `size` can hold in MAX_GIF_FRAME_BYTES (never
    fewer than 2: a first and a last frame)."""
    w, h = size
    return max(2, min(frames, MAX_GIF_FRAME_BYTES // max(1, w * h)))


def gif_note(size: tuple[int, int], wanted: int, kept: int) -> str | None:
    """The sentence that says a GIF was sampled more sparsely than asked, or None."""
    if kept >= wanted:
        return None
    w, h = size
    return (f"a GIF keeps every frame in memory, so at {w}x{h} it holds {_n(kept)} frames instead of "
            f"{_n(wanted)} (a smaller size keeps more; MP4 has no such limit)")
