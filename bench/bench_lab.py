"""The step-size lab end to end: the bifurcation diagram computed and drawn, as the window does it."""
from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

from common import Line, benchmark, line


@benchmark("bifurcation compute+draw")
def bench_bifurcation_draw() -> Iterator[Line]:
    import numpy as np

    from gdviz.app import qt_application
    from gdviz.model.lab import evaluate_orbits
    from gdviz.model.presets import preset
    from gdviz.ui.bifurcation_canvas import BifurcationCanvas

    app = qt_application()      # as gdviz makes it (gdviz.compute.gui_gc)
    scene = preset("logistic").scene.with_(h_range=(1.5, 3.0), orbit_h_count=2000, orbit_transient=500,
                                           orbit_kept=200)
    canvas = BifurcationCanvas()
    canvas.resize(1400, 600)
    canvas.show()
    app.processEvents()
    h = np.linspace(1.5, 3.0, 2000)

    def bare() -> None:    # the floor: the same 700 steps as a bare numpy loop, keeping the last 200
        x = np.full(h.shape, 0.1)
        out = np.empty((200, h.size))
        for n in range(700):
            x = x + h * x * (1 - x)
            if n >= 500:
                out[n - 500] = x

    compute, draw, total, floor = [], [], [], []
    evaluate_orbits(scene)   # warm-up: parse, caches
    for _ in range(9):
        t0 = time.perf_counter()
        orbits = evaluate_orbits(scene)
        t1 = time.perf_counter()
        canvas.reset_zoom()
        canvas.show_result(orbits)
        canvas.viewport().repaint()   # synchronous: the image is on the widget when this returns
        t2 = time.perf_counter()
        compute.append(t1 - t0)
        draw.append(t2 - t1)
        total.append(t2 - t0)
        t = time.perf_counter()
        bare()
        floor.append(time.perf_counter() - t)
    f = statistics.median(floor) * 1e3
    yield line("bifurcation 2000 h x (500+200): compute through the scene", statistics.median(compute) * 1e3, "ms", f)
    yield line("bifurcation: draw (image, pooling, repaint)", statistics.median(draw) * 1e3, "ms", f)
    yield line("bifurcation: compute + draw (target <= 100 ms)", statistics.median(total) * 1e3, "ms", f)
    canvas.close()


@benchmark("lab job")
def bench_lab_job() -> Iterator[Line]:
    """Everything the lab's compare and error plots need for the default scene (one worker job)."""
    from gdviz.model.lab import evaluate_lab
    from gdviz.model.presets import preset
    from gdviz.model.results import evaluate

    scene = preset("logistic").scene
    evaluate_lab(scene)
    lab, flow = [], []
    for _ in range(9):
        t = time.perf_counter()
        evaluate_lab(scene)
        lab.append(time.perf_counter() - t)
        t = time.perf_counter()
        evaluate(scene)
        flow.append(time.perf_counter() - t)
    yield line("lab job (3 h compared + error sweep 30 h x 3 methods), floor: the flow's evaluate",
               statistics.median(lab) * 1e3, "ms", statistics.median(flow) * 1e3)


@benchmark("2d animation")
def bench_2d_animation() -> Iterator[Line]:
    """Six optimizers x three starts animated on the contour, loss and readout: frames per second,
    each frame painted (the event loop paints what the new index dirtied). Floor: one bare
    PlotWidget moving 18 markers over a static image of the same size."""
    import numpy as np
    import pyqtgraph as pg
    from run import _PaintCounter, _wait

    from gdviz.app import qt_application
    from gdviz.model.scene2d import Scene2D
    from gdviz.ui.main_window import MainWindow

    app = qt_application()      # as gdviz makes it (gdviz.compute.gui_gc)
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    _wait(window.result_shown)
    frames = 600
    scene = Scene2D(optimizers=("GD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam"), steps=frames,
                    lr=0.01)
    window.show_view("2d")
    window.set_scene2d(scene)
    _wait(window.plane_shown)
    view = window.landscape_view
    counter = _PaintCounter((view.contour, view.loss))
    app.processEvents()
    t = time.perf_counter()
    for i in range(frames + 1):
        view.clock.seek(i)
        while not counter.all_painted():
            app.processEvents()
    fps = frames / (time.perf_counter() - t)

    host = pg.PlotWidget()
    host.resize(900, 650)
    image = pg.ImageItem(np.random.default_rng(0).random((300, 300)))
    host.addItem(image)
    dots = host.plot(symbol="o", pen=None, symbolSize=14)
    host.show()
    app.processEvents()
    bare = _PaintCounter((host,))
    xs = np.random.default_rng(1).random((frames + 1, 18)) * 300
    t = time.perf_counter()
    for i in range(frames + 1):
        dots.setData(xs[i], xs[::-1][i])
        while not bare.all_painted():
            app.processEvents()
    floor_fps = frames / (time.perf_counter() - t)
    yield {"metric": "2-D animation fps, 6 optimizers x 3 starts (target >= 60)", "value": round(fps, 1),
           "unit": "frames/s", "floor": round(floor_fps, 1), "ratio": round(floor_fps / fps, 3)}
    window.close()
    host.close()
