"""The cloud of late SGD iterates over the "Fit a line" contour map (issue 15 §3, 2-D): the (w, b)
points SGD keeps visiting around the least-squares line, with the covariance ellipses (1σ, 2σ) the
linearised iteration predicts and, dashed, the exact 2σ one (gdviz.model.sgd_cloud computes them
all; this only draws them on the canvas it is given)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from . import style
from .canvas import Canvas, path_item, scatter_item, set_if_changed

if TYPE_CHECKING:
    from ..model.scene2d import Scene2D
    from ..model.sgd_cloud import Cloud


class CloudOverlay:
    """A scatter of late iterates and three ellipses on `canvas`, under the paths."""

    def __init__(self, canvas: Canvas) -> None:
        self.points = scatter_item(4, style.SKY_BLUE, brush_alpha=0.5)
        self.points.setToolTip("Late SGD iterates (w, b): batches drawn with replacement, many chains")
        self.inner = path_item(style.BLUE, 2.2)
        self.outer = path_item(style.BLUE, 2.2)
        self.exact = path_item(style.VERMILLION, 1.8, style_=Qt.PenStyle.DashLine)
        for item, tip in ((self.inner, "1σ ellipse of the predicted covariance (Lyapunov equation with C/B)"),
                          (self.outer, "2σ ellipse of the predicted covariance (Lyapunov equation with C/B)"),
                          (self.exact, "2σ ellipse of the exact covariance, with the batch's curvature noise")):
            item.setToolTip(tip)
        for z, item in ((-60, self.points), (-55, self.inner), (-55, self.outer), (-54, self.exact)):
            item.setZValue(z)
            canvas.addItem(item, ignoreBounds=True)
        self.cloud: Cloud | None = None
        self.set_visible(False)

    def show_cloud(self, cloud: Cloud) -> None:
        self.cloud = cloud
        set_if_changed(self.points, cloud.points[:, 0], cloud.points[:, 1])
        set_if_changed(self.inner, *cloud.ellipses[0])
        set_if_changed(self.outer, *cloud.ellipses[1])
        set_if_changed(self.exact, *cloud.exact_ellipse)

    def follow(self, scene: Scene2D) -> None:
        """Shown only while the scene asks for it and the cloud drawn is this scene's."""
        self.set_visible(bool(scene.cloud and scene.data_seed is not None and self.cloud is not None
                              and self.cloud.key == scene.cloud_key()))

    def set_visible(self, on: bool) -> None:
        for item in (self.points, self.inner, self.outer, self.exact):
            item.setVisible(on)
