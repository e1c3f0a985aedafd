"""The modified landscape over the contour map (issue 14 §1, 2-D): the isolines of
F̃ = F + (η/4)|∇F|², the function whose gradient flow gradient descent with learning rate η follows
to second order, drawn at F's own levels so each pairs with one of F's isolines. They are computed
with the paths (Result2D.modified_x/y); this only draws them on the canvas it is given."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import style
from .canvas import Canvas, curve_item, set_if_changed

if TYPE_CHECKING:
    from ..model.results2d import Result2D


class ModifiedIsolines:
    """One segment item on `canvas`, above F's isolines and below the paths."""

    def __init__(self, canvas: Canvas) -> None:
        self.item = curve_item(style.PURPLE, 1.6, alpha=0.9, connect="pairs")
        self.item.setZValue(-75)
        self.item.setToolTip("Isolines of the modified landscape F̃ = F + (η/4)|∇F|² at F's levels: "
                             "gradient descent follows the flow of F̃, which prefers flatter minima")
        canvas.addItem(self.item, ignoreBounds=True)
        canvas.cache_static(self.item)

    def show_result(self, r: Result2D) -> None:
        set_if_changed(self.item, r.modified_x, r.modified_y)
        self.item.setVisible(r.scene.modified)
