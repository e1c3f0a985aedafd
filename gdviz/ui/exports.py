"""Exports for slides and handouts: the window, the tab on screen or one lab canvas as a PNG at any
scale or as an SVG, and the animation of the tab on screen as an animated GIF or an MP4.

Still images are rendered, not grabbed: at scale s the widgets paint into an image with device pixel
ratio s, so text and lines are drawn at the higher resolution (not an upscaled bitmap), with the
plots' pixmap caches off and pyqtgraph's export mode on (scatter symbols drawn as vectors).
Animations step the clock of the tab on screen (MainWindow.active_clock) through every iterate (at
most `max_frames`, sampled evenly) and render each frame: Pillow writes the GIF, the ffmpeg that
imageio-ffmpeg provides (imageio's ffmpeg plugin; the optional `video` extra) the MP4.

Every file goes to a temporary name beside its target and is renamed over it at the end, so a
cancelled or failed export leaves no half file and never clobbers the old one (gdviz.model.files;
a path that is already one of an OutputBatch's temporaries, as the command line passes, is written
in place and its batch commits it with the run's other outputs).

The helpers at the top (options, frame sampling, the writers, ffmpeg detection) work on plain values
and files, no Qt objects (nor does the SVG clean-up in portable_svg.py); the window's side
(rendering, dialog, actions) follows.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from PySide6.QtCore import (
    QAbstractAnimation,
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEvent,
    QIODevice,
    QPoint,
    QRect,
    QRectF,
    QSettings,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsView, QWidget

from ..model.budget import gif_frame_cap, gif_note, image_problem
from ..model.files import OutputError, replacing, shown, target_of
from ..model.views import CANVAS_VIEWS, tab_of
from .canvas import Canvas
from .portable_svg import CLIP_CLOSE, CLIP_OPEN, portable_svg
from .qt_messages import quiet_size_hint_warning
from .rendering import image_array, render_image, vector_rendering

if TYPE_CHECKING:
    from .frame import Frame

FORMATS = ("png", "svg", "gif", "mp4", "csv")
ANIMATIONS = ("gif", "mp4")
SUFFIXES = {"png": ".png", "svg": ".svg", "gif": ".gif", "mp4": ".mp4", "csv": ".csv"}
FORMAT_NAMES = {"png": "PNG image", "svg": "SVG vector image", "gif": "Animated GIF", "mp4": "MP4 video",
                "csv": "CSV table"}
# What to render: the whole window, the page of the tab on screen, or one step-size lab canvas
# alone (a fresh canvas at the chosen size, as MainWindow.export_png does for the command line).
TARGETS = ("window", "tab")
CANVAS_TARGETS = CANVAS_VIEWS
MAX_FRAMES = 600            # a 60 s GIF at 10 fps; more is a film, not a slide
DEFAULT_FPS = 10
FPS_RANGE = (1, 60)
SCALE_RANGE = (1.0, 4.0)
SIZE_RANGE = (200, 8000)    # as the command line's --size
CANVAS_ALONE_SIZE = (1200, 800)   # a canvas exported alone at no chosen size
VIDEO_HINT = "pip install 'gdviz[video]' (or: pip install imageio-ffmpeg)"


@dataclass(frozen=True)
class ExportOptions:
    """One export as the dialog, the saved settings and the command line describe it."""

    fmt: str = "png"
    what: str = "window"                  # "window", "tab", or one of CANVAS_TARGETS
    size: tuple[int, int] | None = None   # logical pixels; None: as on screen
    scale: float = 1.0                    # PNG: physical pixels per logical pixel (2 for a projector)
    fps: int = DEFAULT_FPS                # GIF and MP4
    max_frames: int = MAX_FRAMES          # GIF and MP4: longer animations are sampled evenly

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"no export format {self.fmt!r}; choose one of: {', '.join(FORMATS)}")
        if self.what not in TARGETS + CANVAS_TARGETS:
            raise ValueError(f"cannot export {self.what!r}; choose one of: {', '.join(TARGETS + CANVAS_TARGETS)}")
        if self.size is not None:
            w, h = self.size
            if not (SIZE_RANGE[0] <= w <= SIZE_RANGE[1] and SIZE_RANGE[0] <= h <= SIZE_RANGE[1]):
                raise ValueError(f"width and height must be between {SIZE_RANGE[0]} and {SIZE_RANGE[1]} pixels")
        if not (isinstance(self.scale, (int, float)) and SCALE_RANGE[0] <= self.scale <= SCALE_RANGE[1]):
            raise ValueError(f"the scale must be between {SCALE_RANGE[0]:g} and {SCALE_RANGE[1]:g} (got {self.scale})")
        if not (isinstance(self.fps, int) and FPS_RANGE[0] <= self.fps <= FPS_RANGE[1]):
            raise ValueError(f"frames per second must be a whole number from {FPS_RANGE[0]} to {FPS_RANGE[1]} "
                             f"(got {self.fps})")
        if not (isinstance(self.max_frames, int) and 2 <= self.max_frames <= 10_000):
            raise ValueError(f"the number of frames must be a whole number from 2 to 10000 (got {self.max_frames})")
        if self.size is not None and self.fmt != "csv":
            problem = image_problem(self.size, self.scale if self.fmt == "png" else 1.0)
            if problem:
                raise ValueError(problem)

    @property
    def animated(self) -> bool:
        return self.fmt in ANIMATIONS

    @property
    def suffix(self) -> str:
        return SUFFIXES[self.fmt]


# ------------------------------------------------------------------------------ pure helpers
def sample_indices(last: int, cap: int = MAX_FRAMES) -> list[int]:
    """Iterate indices 0..last, or `cap` of them evenly spaced, always with the first and the last."""
    last = max(0, int(last))
    if last + 1 <= cap:
        return list(range(last + 1))
    # floor(x + 0.5) rather than round(): banker's rounding could map two neighbours to one index.
    picks = np.floor(np.linspace(0, last, max(2, cap)) + 0.5).astype(int)
    return [int(i) for i in dict.fromkeys(picks.tolist())]


def gif_delay_ms(fps: int) -> int:
    """A GIF frame's delay: GIF counts hundredths of a second, and browsers play delays under 2/100 s
    at 1/10 s, so 50 fps is the fastest a GIF really plays."""
    return max(20, 10 * round(100 / max(1, fps)))


def even_size(size: tuple[int, int]) -> tuple[int, int]:
    """H.264 in yuv420p needs even width and height."""
    w, h = size
    return w + w % 2, h + h % 2


def ffmpeg_exe() -> str | None:
    """The ffmpeg binary: imageio-ffmpeg's (the `video` extra; it also honours IMAGEIO_FFMPEG_EXE
    and falls back to the system's), else an `ffmpeg` on PATH, else None."""
    try:
        import imageio_ffmpeg
    except ImportError:
        return shutil.which("ffmpeg")
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:   # imageio-ffmpeg raises RuntimeError when no binary fits this machine
        return shutil.which("ffmpeg")


def ffmpeg_status() -> tuple[bool, str]:
    """Whether MP4 export is possible here and, if not, what to install. Never cached: a student
    who installs the extra (or ffmpeg) while gdviz runs gets MP4 on the next try."""
    exe = ffmpeg_exe()
    if exe is None:
        return False, f"MP4 export needs ffmpeg, which was not found. Install it with: {VIDEO_HINT}"
    return True, f"MP4 export uses ffmpeg ({exe})"


class FrameWriter(Protocol):
    def append(self, frame: np.ndarray) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


GIF_TWIN = 255     # a 256th palette entry, twin of the corner pixel's colour (see GifWriter)


def shared_palette(frames: list[np.ndarray]):
    """One palette of 255 colours (a Pillow "P" image) for a whole GIF, from a few of its frames."""
    from PIL import Image
    stacked = np.concatenate(frames, axis=0)
    quantised = Image.fromarray(stacked).quantize(GIF_TWIN, method=Image.Quantize.MEDIANCUT)
    colours = np.array((quantised.getpalette() or [0, 0, 0])[: 3 * GIF_TWIN], dtype=int).reshape(-1, 3)
    # Median cut averages each box of colours, so the white background came out (252, 252, 252):
    # the most common colours (backgrounds, ink, the palette's colours on large areas) are made
    # exact, and so is every entry nearer than them to the corner of their cell in Pillow's
    # colour lookup (cells of 4 levels a channel, matched by their corner), or white pixels would
    # still land on a near-white.
    packed = (stacked[..., 0].astype(np.uint32) << 16) | (stacked[..., 1].astype(np.uint32) << 8) | stacked[..., 2]
    values, counts = np.unique(packed.ravel(), return_counts=True)
    fixed = np.zeros(len(colours), bool)        # entries made exact: a rarer colour leaves them be
    for value in values[np.argsort(counts)[::-1][:16]]:
        exact = np.array([(value >> 16) & 255, (value >> 8) & 255, value & 255], dtype=int)
        nearest = int(np.argmin(((colours - exact) ** 2).sum(axis=1)))
        if fixed[nearest] or ((colours[nearest] - exact) ** 2).sum() > 3 * 12 ** 2:
            continue
        corner = (exact >> 2) << 2
        near = (((colours - corner) ** 2).sum(axis=1) <= ((exact - corner) ** 2).sum()) & ~fixed
        near[nearest] = True
        colours[near] = exact
        fixed |= near
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours.ravel().tolist())
    return palette


class GifWriter:
    """Frames to an animated GIF that loops forever, written by Pillow at `finish`.

    Every frame is mapped onto one palette (taken from the first and last frames): with a palette
    per frame (what imageio's Pillow plugin does) antialiased pixels change index from frame to
    frame, so no frame is stored as a small difference (a 31-frame window GIF: 3 MB instead of
    0.7 MB), and median-cut quantising each frame costs 35 ms a frame at 900x600, against 1-3 ms
    for mapping onto a fixed palette. Frames wait in memory at one byte a pixel, so a cancel costs
    nothing.

    One frame per iterate, even where nothing moves (a converged run): Pillow merges identical
    neighbours, so every other frame paints its top-left pixel with a 256th palette entry that
    has that pixel's colour. It looks the same and keeps the frame (a one-pixel update)."""

    def __init__(self, path: str, fps: int, palette) -> None:
        self._path = path
        self._delay = gif_delay_ms(fps)
        self._palette = palette
        self._frames: list = []
        self._corner: int | None = None

    def append(self, frame: np.ndarray) -> None:
        from PIL import Image
        image = Image.fromarray(frame).quantize(palette=self._palette, dither=Image.Dither.NONE)
        corner = image.getpixel((0, 0))
        if self._corner is None:
            self._corner = corner
        if len(self._frames) % 2 and corner == self._corner:
            image.putpixel((0, 0), GIF_TWIN)
        self._frames.append(image)

    def finish(self) -> None:
        colours = self._palette.getpalette()[: 3 * GIF_TWIN]
        colours += [0, 0, 0] * (GIF_TWIN - len(colours) // 3)
        corner = self._corner or 0
        colours += colours[3 * corner: 3 * corner + 3]
        for image in self._frames:
            image.putpalette(colours)
        # Pillow copies every frame it is given and keeps the copies until it writes: hand the
        # frames over one at a time, dropping ours, so they are in memory once, not twice.
        self._frames.reverse()
        first = self._frames.pop()

        def handed_over() -> Iterator:
            while self._frames:
                yield self._frames.pop()
        first.save(self._path, format="GIF", save_all=True, append_images=handed_over(), loop=0,
                   duration=self._delay, disposal=1, optimize=False)
        self._frames.clear()

    def abort(self) -> None:
        self._frames.clear()


class Mp4Writer:
    """Frames to an H.264 MP4 in yuv420p (what every player and slide program reads), piped as raw
    RGB to an ffmpeg process (ffmpeg_exe: imageio-ffmpeg's binary or the system's). CRF 10 is what
    imageio-ffmpeg's quality 8 meant, which gdviz used before it spoke to ffmpeg itself."""

    def __init__(self, path: str, fps: int, size: tuple[int, int]) -> None:
        exe = ffmpeg_exe()
        if exe is None:
            raise RuntimeError(ffmpeg_status()[1])
        w, h = size
        command = [exe, "-y", "-v", "error", "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{w}x{h}",
                   "-pix_fmt", "rgb24", "-r", str(fps), "-i", "-", "-an", "-vcodec", "libx264",
                   "-pix_fmt", "yuv420p", "-crf", "10", "-movflags", "+faststart", path]
        # stderr to a file, not a pipe: a chatty ffmpeg must never block on a full pipe.
        self._log = tempfile.TemporaryFile()   # noqa: SIM115 (closed by finish or abort)
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=self._log)

    def append(self, frame: np.ndarray) -> None:
        try:
            self._process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
        except BrokenPipeError:
            self._process.wait()
            raise OSError(f"ffmpeg stopped: {self._error()}") from None

    def finish(self) -> None:
        self._process.stdin.close()
        if self._process.wait() != 0:
            raise OSError(f"ffmpeg could not write the MP4: {self._error()}")
        self._log.close()

    def abort(self) -> None:
        self._process.kill()
        self._process.wait()
        if self._process.stdin and not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except BrokenPipeError:
                pass
        self._log.close()

    def _error(self) -> str:
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1][:200] if lines else f"exit status {self._process.returncode}"


def iterates_table_csv(window: Frame) -> str:
    """The table the CSV option writes: the tab's own (the 2-D tab's paths), else the flow's iterates."""
    text = window.current_page.table_csv()
    return text if text is not None else window.pages["flow"].table_csv()


# ---------------------------------------------------------------------------------- rendering
SETTLE_PASSES = 12     # event-loop passes at most: layouts, axes, then legends placed for the new size


def _settle(root: QWidget | None = None) -> None:
    """Layouts, then pyqtgraph's axes and corner texts, settle over a few passes (as export_png);
    then, under `root`, until every plot's legends and labels are placed for its final geometry
    (a resize places them again on an idle turn: captured before, a legend could cover data)."""
    for _ in range(3):
        QApplication.processEvents()
        QApplication.sendPostedEvents()
    if root is None:
        return
    _finish_animations(root)
    for _ in range(SETTLE_PASSES):
        if all(c.overlays_settled for c in root.findChildren(Canvas)):
            return
        QApplication.processEvents()
        QApplication.sendPostedEvents()


def _finish_animations(root: QWidget) -> None:
    """Every widget animation under `root` jumps to its end: the equation field's clear button
    fades in over 160 ms when the field fills, and an export taken during the fade caught it at
    a different opacity from run to run (the same 2-D export wrote different pictures)."""
    for animation in root.findChildren(QAbstractAnimation):
        if animation.state() == QAbstractAnimation.State.Running and animation.totalDuration() >= 0:
            animation.setCurrentTime(animation.totalDuration())


def _ready(window: Frame) -> None:
    """Wait until the tab on screen has drawn its newest results: never a half-drawn picture."""
    if not window.wait_drawn():
        what = window.current_page.title.split(":")[0].lower()
        raise RuntimeError(f"nothing to export: the {what} tab could not be computed")


@contextmanager
def prepared(window: Frame, what: str,
             size: tuple[int, int] | None) -> Iterator[tuple[QWidget, tuple[int, int]]]:
    """The widget to render, laid out at logical `size` (None: as it is), with its results drawn.
    A hidden window is shown offscreen for the while; a visible one gets its size and state back.
    Yields (widget, size)."""
    if what in CANVAS_TARGETS:
        window.show_view(what)          # the lab tab: its results are what the canvas shows
    _ready(window)
    # Showing a hidden window, resizing it and animating it make its wrapping rows re-propagate
    # size hints, which the offscreen platform warns about on stderr: quiet for the whole export.
    with quiet_size_hint_warning():
        if what in CANVAS_TARGETS:
            with _canvas_alone(window, what, size) as prepared_canvas:
                yield prepared_canvas
        else:
            with _window_at(window, what, size) as prepared_window:
                yield prepared_window


@contextmanager
def _canvas_alone(window: Frame, what: str, size: tuple[int, int] | None):
    page = window.pages[tab_of(what)]
    canvas = page.canvas_alone(what)
    # The canvas follows its page's clock, so an animation moves it.
    page.clock.index_changed.connect(canvas.show_index)
    w, h = size or CANVAS_ALONE_SIZE
    canvas.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    canvas.resize(w, h)
    canvas.show()
    _settle(canvas)
    try:
        yield canvas, (w, h)
    finally:
        page.clock.index_changed.disconnect(canvas.show_index)
        canvas.hide()
        canvas.deleteLater()


@contextmanager
def _window_at(window: Frame, what: str, size: tuple[int, int] | None):
    was_visible = window.isVisible()
    old_size, old_state = window.size(), window.windowState()
    if not was_visible:
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        window.show()
        _settle()
    target = window if what == "window" else window.tabs.currentWidget()
    try:
        if size is not None and (target.width(), target.height()) != tuple(size):
            if old_state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
                window.setWindowState(Qt.WindowState.WindowNoState)
            for _ in range(3):   # a tab page grows with the window, not always pixel for pixel
                dw, dh = size[0] - target.width(), size[1] - target.height()
                if (dw, dh) == (0, 0):
                    break
                window.resize(QSize(window.width() + dw, window.height() + dh))
                _settle()
        # Results that arrived during _ready have set texts whose layouts are still pending (the
        # regime line would be clipped), and presentation mode fits the left column on a timer.
        _settle(target)
        yield target, (tuple(size) if size is not None else (target.width(), target.height()))
    finally:
        if was_visible:
            if window.size() != old_size or window.windowState() != old_state:
                window.setWindowState(old_state)
                if not old_state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
                    window.resize(old_size)
        else:
            window.hide()
            window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, False)
            window.resize(old_size)


# ------------------------------------------------------------------------------------ exports
def export_png(window: Frame, path: str | os.PathLike[str], size: tuple[int, int] | None = None,
               scale: float = 1.0, what: str = "window") -> tuple[int, int]:
    """The window (or the tab on screen, or one lab canvas) at logical `size` as a PNG of
    (w·scale)×(h·scale) pixels, drawn at that resolution. Returns the image's pixel size."""
    options = ExportOptions("png", what, size, scale)     # validates
    with prepared(window, options.what, options.size) as (widget, logical), \
            vector_rendering(widget, options.scale):
        problem = image_problem(logical, options.scale)   # "as on screen" on a 4K screen at 3x
        if problem:
            raise ValueError(problem)
        image = render_image(widget, logical, options.scale)
    with replacing(path, ".png") as temporary:
        # Qt's image writers answer False, never raise: a full disk must not pass for a PNG.
        if not image.save(temporary, "PNG"):
            raise OutputError(f"cannot write {shown(target_of(path))}: the PNG image could not be written")
    return image.width(), image.height()


def _marker(colour: str) -> QColor:
    c = QColor(colour)
    c.setAlpha(1)     # drawn (not skipped as invisible), and removed from the SVG anyway
    return c


class _ClipSentinel(QGraphicsItem):
    """Opens (or closes) a clip marker where a ViewBox's children are painted: the plot clips its
    curves to its rectangle, which Qt's SVG output would otherwise lose."""

    def __init__(self, parent: QGraphicsItem, colour: str, z: float) -> None:
        super().__init__(parent)
        self._colour = _marker(colour)
        self.setZValue(z)

    def boundingRect(self) -> QRectF:
        return self.parentItem().boundingRect()

    def paint(self, painter: QPainter, option=None, widget=None) -> None:
        painter.fillRect(self.parentItem().boundingRect(), self._colour)


@contextmanager
def _clip_sentinels(views: list[QGraphicsView]) -> Iterator[None]:
    """Clip markers around the children of every item that clips its children (pyqtgraph's
    ViewBox) in `views`, for the length of one SVG rendering."""
    sentinels: list[_ClipSentinel] = []
    for view in views:
        for item in view.scene().items():
            if item.flags() & QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape and item.isVisible():
                sentinels.append(_ClipSentinel(item, CLIP_OPEN, -1e12))
                sentinels.append(_ClipSentinel(item, CLIP_CLOSE, 1e12))
    try:
        yield
    finally:
        for sentinel in sentinels:
            scene = sentinel.scene()
            if scene is not None:
                scene.removeItem(sentinel)


def _svg_views(widget: QWidget) -> list[tuple[QGraphicsView, QRect, QPoint]]:
    """The plots that show inside `widget`: (view, its visible rectangle, its offset), in `widget`'s
    coordinates (a plot in a scroll area may show only in part)."""
    if isinstance(widget, QGraphicsView):
        return [(widget, widget.rect(), QPoint(0, 0))]
    out = []
    for view in widget.findChildren(QGraphicsView):
        if not view.isVisibleTo(widget):
            continue
        # What the parents let show (visibleRegion is empty for a window shown offscreen).
        offset = view.mapTo(widget, QPoint(0, 0))
        visible = QRect(offset, view.size()).intersected(widget.rect())
        parent = view.parentWidget()
        while parent is not None and parent is not widget:
            visible = visible.intersected(QRect(parent.mapTo(widget, QPoint(0, 0)), parent.size()))
            parent = parent.parentWidget()
        if not visible.isEmpty():
            out.append((view, visible, offset))
    return out


def export_svg(window: Frame, path: str | os.PathLike[str], size: tuple[int, int] | None = None,
               what: str = "window", title: str = "gdviz") -> tuple[int, int]:
    """The window, the tab on screen or one lab canvas as an SVG of logical `size`. Every plot is
    vectors (curves, dots, axes and text stay sharp at any zoom); around the plots, the window's
    controls are a 2x picture, since they paint outside themselves and rely on clipping that Qt's
    SVG output does not keep. Returns the logical size."""
    options = ExportOptions("svg", what, size)
    with prepared(window, options.what, options.size) as (widget, logical):
        w, h = widget.width(), widget.height()
        from PySide6.QtSvg import QSvgGenerator  # only here: the window starts without it
        # SVG Tiny 1.2, Qt's default: no clip paths (see CLIP_OPEN).
        generator = QSvgGenerator(QSvgGenerator.SvgVersion.SvgTiny12)
        generator.setSize(QSize(w, h))
        generator.setViewBox(QRect(0, 0, w, h))
        generator.setTitle(title)
        generator.setDescription("Exported from gdviz")
        # Text sized in points becomes pixels at the generator's resolution (72 dpi by default):
        # the screen's makes the SVG's text the size it has on screen.
        generator.setResolution(widget.logicalDpiY())
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator.setOutputDevice(buffer)
        views = _svg_views(widget)
        backdrop = None
        if not isinstance(widget, QGraphicsView):
            with vector_rendering(widget):
                backdrop = render_image(widget, (w, h), 2.0)
        with vector_rendering(widget), _clip_sentinels([v for v, _, _ in views]):
            painter = QPainter(generator)
            try:
                if backdrop is not None:
                    painter.drawImage(QRect(0, 0, w, h), backdrop)
                for view, visible, offset in views:
                    painter.fillRect(visible, _marker(CLIP_OPEN))
                    QWidget.render(view, painter, offset)
                    painter.fillRect(QRect(0, 0, 1, 1), _marker(CLIP_CLOSE))
            finally:
                painter.end()
        buffer.close()
    # If the widget could not take the size (minimum sizes), the viewBox is scaled to it.
    text = portable_svg(bytes(data.data()).decode("utf-8"), logical)
    with replacing(path, ".svg") as temporary:
        Path(temporary).write_text(text, encoding="utf-8")
    return tuple(logical)


def export_csv(window: Frame, path: str | os.PathLike[str]) -> None:
    """The iterates table of the tab on screen (the 2-D tab: every path), written atomically."""
    from ..model.files import atomic_write_text
    text = iterates_table_csv(window)
    if not text:
        raise RuntimeError("nothing to export: there are no iterates yet")
    atomic_write_text(path, text)


@dataclass(frozen=True)
class AnimationPlan:
    """What an animation export will write, for the dialog's summary and the progress bar."""

    indices: tuple[int, ...]
    fps: int

    @property
    def frames(self) -> int:
        return len(self.indices)

    @property
    def seconds(self) -> float:
        return self.frames / self.fps

    @property
    def sampled(self) -> bool:
        return bool(self.indices) and self.frames < self.indices[-1] + 1


def frame_cap(options: ExportOptions, size: tuple[int, int]) -> int:
    """The most frames an animation of `size` pixels may have: a GIF holds them all in memory."""
    return gif_frame_cap(size, options.max_frames) if options.fmt == "gif" else options.max_frames


def animation_plan(window: Frame, options: ExportOptions) -> AnimationPlan:
    size = options.size or (CANVAS_ALONE_SIZE if options.what in CANVAS_TARGETS else (window.width(), window.height()))
    return AnimationPlan(tuple(sample_indices(window.active_clock().last, frame_cap(options, size))), options.fps)


def animation_steps(window: Frame, path: str | os.PathLike[str],
                    options: ExportOptions) -> Iterator[tuple[int, int]]:
    """Write the animation of the tab on screen, yielding (frames done, frames in all) after every
    frame. Closing the generator early cancels: the temporary file is deleted, nothing is written.
    Either way the clock gets its index and its playing state back."""
    if not options.animated:
        raise ValueError(f"{options.fmt} is not an animation format")
    if options.fmt == "mp4":
        ok, message = ffmpeg_status()
        if not ok:
            raise RuntimeError(message)
    with prepared(window, options.what, options.size) as (widget, logical):
        clock = window.active_clock()
        index, playing = clock.index, clock.playing
        clock.pause()
        size = even_size(logical) if options.fmt == "mp4" else tuple(logical)
        indices = sample_indices(clock.last, frame_cap(options, size))
        # Rendering a frame paints the plots where the on-screen window has not caught up yet, so
        # their next repaint would not erase the old positions: the screen gets whole repaints.
        views = window.findChildren(QGraphicsView)
        try:
            def frame(n: int) -> np.ndarray:
                clock.seek(n)
                # Labels re-lay out through posted layout requests; the other posted events would
                # repaint the window itself on every frame (half the time of an export).
                QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
                image = image_array(render_image(widget, size))
                for view in views:
                    view.viewport().update()
                return image

            with replacing(path, options.suffix) as temporary:
                writer: FrameWriter
                if options.fmt == "gif":
                    palette = shared_palette([frame(indices[0]), frame(indices[-1])])
                    writer = GifWriter(temporary, options.fps, palette)
                else:
                    writer = Mp4Writer(temporary, options.fps, size)
                try:
                    for done, n in enumerate(indices, 1):
                        writer.append(frame(n))
                        yield done, len(indices)
                except BaseException:
                    writer.abort()
                    raise
                writer.finish()
        finally:
            clock.seek(index)
            if playing:
                clock.play()


def export_animation(window: Frame, path: str | os.PathLike[str], options: ExportOptions,
                     progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> bool:
    """Drive `animation_steps`: report progress after every frame and stop as soon as `cancelled()`
    says so. True if the file was written, False if cancelled (nothing written, old file intact)."""
    steps = animation_steps(window, path, options)
    try:
        for done, total in steps:
            if progress is not None:
                progress(done, total)
            if cancelled is not None and cancelled():
                return False
        return True
    finally:
        steps.close()


def export(window: Frame, path: str | os.PathLike[str], options: ExportOptions,
           progress: Callable[[int, int], None] | None = None,
           cancelled: Callable[[], bool] | None = None) -> bool:
    """Any export by its options. True if written, False if an animation was cancelled."""
    if options.fmt == "png":
        export_png(window, path, options.size, options.scale, options.what)
    elif options.fmt == "svg":
        export_svg(window, path, options.size, options.what)
    elif options.fmt == "csv":
        export_csv(window, path)
    else:
        return export_animation(window, path, options, progress, cancelled)
    return True


def terminal_progress(stream=None) -> Callable[[int, int], None] | None:
    """Progress for the command line: a line rewritten on stderr, only when stderr is a terminal
    (a script's logs get no carriage-return noise)."""
    stream = stream if stream is not None else sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None

    def report(done: int, total: int) -> None:
        stream.write(f"\rgdviz: frame {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return report


def export_media(window: Frame, size: tuple[int, int], view: str | None = None, *, png: str | None = None,
                 svg: str | None = None, gif: str | None = None, mp4: str | None = None, scale: float | None = None,
                 fps: int = DEFAULT_FPS, frames: int = MAX_FRAMES) -> None:
    """The command line's --export (with --scale), --svg, --gif and --mp4 from one window: `view` (a
    tab, or a lab canvas alone) at `size`. Animations report progress on a terminal's stderr."""
    if view is not None:
        window.show_view(view)
    what = view if view in CANVAS_TARGETS else "window"
    if png and scale is not None:
        export_png(window, png, size, scale, what)
    if svg:
        export_svg(window, svg, size, what)
    for fmt, out in (("gif", gif), ("mp4", mp4)):
        if out:
            options = ExportOptions(fmt, what, size, fps=fps, max_frames=frames)
            export_animation(window, out, options, progress=terminal_progress())
            last = window.active_clock().last
            note = gif_note(size, len(sample_indices(last, frames)), len(sample_indices(last, frame_cap(options, size))))
            if fmt == "gif" and note:
                print(f"gdviz: {note}", file=sys.stderr)


# ---------------------------------------------------------------------------------- the window
SETTINGS_PREFIX = "export/"
PROGRESS_EVENTS_MS = 100
ANIMATION_SHORTCUT = "Ctrl+Shift+G"


def load_options(settings: QSettings | None = None) -> ExportOptions:
    """The last choices (QSettings "gdviz"/"gdviz", keys export/...); anything unreadable falls back."""
    s = settings if settings is not None else QSettings("gdviz", "gdviz")
    base = ExportOptions()
    values: dict = {}
    fmt = str(s.value(SETTINGS_PREFIX + "format", base.fmt))
    values["fmt"] = fmt if fmt in FORMATS else base.fmt
    what = str(s.value(SETTINGS_PREFIX + "what", base.what))
    values["what"] = what if what in TARGETS + CANVAS_TARGETS else base.what
    size = str(s.value(SETTINGS_PREFIX + "size", ""))
    m = re.fullmatch(r"(\d+)x(\d+)", size)
    values["size"] = (int(m.group(1)), int(m.group(2))) if m else None
    for key, field, kind in (("scale", "scale", float), ("fps", "fps", int), ("frames", "max_frames", int)):
        try:
            values[field] = kind(s.value(SETTINGS_PREFIX + key, getattr(base, field)))
        except (TypeError, ValueError):
            pass
    try:
        return ExportOptions(**values)
    except ValueError:
        return replace(base, fmt=values["fmt"], what=values["what"])


def save_options(options: ExportOptions, settings: QSettings | None = None) -> None:
    s = settings if settings is not None else QSettings("gdviz", "gdviz")
    s.setValue(SETTINGS_PREFIX + "format", options.fmt)
    s.setValue(SETTINGS_PREFIX + "what", options.what)
    s.setValue(SETTINGS_PREFIX + "size", "" if options.size is None else f"{options.size[0]}x{options.size[1]}")
    s.setValue(SETTINGS_PREFIX + "scale", float(options.scale))
    s.setValue(SETTINGS_PREFIX + "fps", int(options.fps))
    s.setValue(SETTINGS_PREFIX + "frames", int(options.max_frames))
