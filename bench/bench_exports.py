"""Exports for slides: frames per second of the GIF (and MP4) export of the flow tab's animation at
800x500, against a floor of bare grab() calls of the same widget, clock stepped the same way."""
from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from common import Line, benchmark

SIZE = (800, 500)
STEPS = 60
RUNS = 5


@benchmark("gif export")
def bench_gif_export() -> Iterator[Line]:
    from gdviz.app import qt_application
    from gdviz.model.presets import preset
    from gdviz.ui.exports import ExportOptions, export_animation, ffmpeg_status, prepared
    from gdviz.ui.main_window import MainWindow

    app = qt_application()      # as gdviz makes it (gdviz.compute.gui_gc)
    window = MainWindow(preset("logistic").scene.with_(steps=STEPS))
    window.wait_for_result(30_000)
    frames = STEPS + 1
    folder = Path(tempfile.mkdtemp(prefix="gdviz-bench-"))

    def export_fps(fmt: str) -> float:
        t = time.perf_counter()
        export_animation(window, folder / f"a.{fmt}", ExportOptions(fmt, "tab", SIZE))
        return frames / (time.perf_counter() - t)

    def grab_fps() -> float:   # the floor: the same widget at the same size, grabbed frame by frame
        with prepared(window, "tab", SIZE) as (widget, _):
            clock = window.active_clock()
            t = time.perf_counter()
            for n in range(frames):
                clock.seek(n)
                widget.grab()
            elapsed = time.perf_counter() - t
        return frames / elapsed

    export_fps("gif"), grab_fps()          # warm-up: fonts, caches, Pillow
    ours, floor = [], []
    for _ in range(RUNS):
        ours.append(export_fps("gif"))
        floor.append(grab_fps())
    gif, bare = statistics.median(ours), statistics.median(floor)
    size_kb = (folder / "a.gif").stat().st_size / 1024
    # value is frames per second; ratio > 1 means slower than the floor (it compares frame times)
    yield {"metric": f"GIF export fps (flow tab {SIZE[0]}x{SIZE[1]}, {frames} frames, {size_kb:.0f} kB)",
           "value": round(gif, 1), "unit": "frames/s", "floor": round(bare, 1), "ratio": round(bare / gif, 3)}
    if ffmpeg_status()[0]:
        mp4 = statistics.median([export_fps("mp4") for _ in range(3)])
        yield {"metric": f"MP4 export fps (flow tab {SIZE[0]}x{SIZE[1]}, {frames} frames)",
               "value": round(mp4, 1), "unit": "frames/s", "floor": round(bare, 1), "ratio": round(bare / mp4, 3)}
    window.close()
    app.processEvents()
