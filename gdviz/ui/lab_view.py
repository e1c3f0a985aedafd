"""The step-size laboratory tab: several h against the flow, the error against h, the cobweb of Euler's
map, and the bifurcation diagram over h with the Lyapunov exponent under it, each with the few
controls that belong to it.

Like the parameter panel, it only reports edits as `changed(dict)` of Scene fields; picking an h in
the diagram is `h_picked`, a click on the cobweb is `x_picked` (x0). Zooming the diagram (or the
exponent, whose h-axis is linked to it) is reported once the view has settled as
`h_zoomed(lo, hi)`; Back and Full range as `zoom_back_requested` and `zoom_reset_requested`. It
draws what it is given.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStyle,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..model.ranges import range_problem
from ..model.scene import MAX_ORBIT_H, MAX_ORBIT_STEPS, parse_step_sizes
from . import style
from .bifurcation_canvas import BifurcationCanvas
from .canvas import Canvas, LeftAxisGroup
from .cobweb_canvas import CobwebCanvas
from .compare_canvas import CompareCanvas
from .elided_label import ElidedLabel
from .error_canvas import ErrorCanvas
from .lyapunov_canvas import LyapunovCanvas
from .plain import one_line, plain_label, plain_tooltip
from .slider_spin import FloatSpinBox, int_box
from .style import STYLE
from .sweep_progress import SweepProgress
from .wrap_layout import group, wrap_row

if TYPE_CHECKING:
    from ..model.lab import ChaosResult, LabResult, OrbitResult
    from ..model.results import SceneResult
    from ..model.scene import Scene



PLOTS = ("compare", "error", "cobweb", "bifurcation")
PLOT_NAMES = ("Compare h", "Error against h", "Cobweb", "Bifurcation")
# In presentation mode, below this height (a 1280x720 or 1024x768 projector) four plots are each
# too short to read: the tab shows one at a time, chosen with tabs above it.
COMPACT_BELOW_PX = 640        # presentation mode's large text needs this much for the grid...
DESK_COMPACT_BELOW_PX = 520   # ...the desktop's less: at 1280x720 (465 px) four plots were specks
# A wheel turn or a drag moves the view many times a second: the diagram is recomputed for the new
# h-range once the view has been still this long.
ZOOM_SETTLE_MS = 350


def step_sizes_text(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in values)


def _cell(header: QWidget, canvas: QWidget, expand: QToolButton) -> QWidget:
    """A plot with its controls above it and, at the right of them, the button that shows it alone."""
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    top = QHBoxLayout()
    top.setContentsMargins(0, 0, 0, 0)
    top.addWidget(header, 1)
    top.addWidget(expand, 0, Qt.AlignmentFlag.AlignTop)
    lay.addLayout(top)
    lay.addWidget(canvas, 1)
    return w


def _row(*widgets: QWidget | str, stretch_last: bool = False) -> QWidget:
    w = QWidget()
    lay = QHBoxLayout(w)
    lay.setContentsMargins(2, 0, 2, 0)
    for i, item in enumerate(widgets):
        last = i == len(widgets) - 1
        lay.addWidget(QLabel(item) if isinstance(item, str) else item, 1 if stretch_last and last else 0)
    if not stretch_last:
        lay.addStretch(1)
    return w


class LabView(QWidget):
    changed = Signal(dict)          # Scene fields, e.g. {"compare_h": (1.0, 0.5)}
    h_picked = Signal(float)
    x_picked = Signal(float)
    cancel_requested = Signal()
    invalid = Signal(str)           # a message for the status bar
    h_zoomed = Signal(float, float)     # the diagram's h-axis was zoomed or panned to (lo, hi)
    zoom_back_requested = Signal()
    zoom_reset_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.compare_canvas = CompareCanvas()
        self.error_canvas = ErrorCanvas()
        self.cobweb_canvas = CobwebCanvas()
        self.bifurcation_canvas = BifurcationCanvas()
        self.lyapunov_canvas = LyapunovCanvas()
        self.compare_canvas.setAccessibleName("Several step sizes against the exact solution")
        self.error_canvas.setAccessibleName("Global error against h")
        self.cobweb_canvas.setAccessibleName("Cobweb of Euler's map")
        self.bifurcation_canvas.setAccessibleName("Bifurcation diagram over h")
        self.lyapunov_canvas.setAccessibleName("Lyapunov exponent over h")
        self.canvases = (self.compare_canvas, self.error_canvas, self.cobweb_canvas, self.bifurcation_canvas,
                         self.lyapunov_canvas)
        for c in self.canvases:
            c.setMinimumSize(220, 160)
        self.lyapunov_canvas.setMinimumHeight(130)
        # One h above the other: the exponent shares the diagram's h-axis and left-axis width.
        # The exponent's axis below says "step size h" for both: the diagram's height goes to data.
        self.bifurcation_canvas.getPlotItem().setLabel("bottom", "")
        self.bifurcation_canvas.set_short_label("left", "xₙ")
        self._axes = LeftAxisGroup(self.bifurcation_canvas, self.lyapunov_canvas, share_x=True)
        # One line that ends in "…" where the column is narrow, never widening the grid (a word-wrapped
        # label there asked for its one-word-per-line height and squashed the top row; a second line
        # left the plots' legends no room). Compact, so the gap ratios fit at the window's first size.
        self.doublings_label = ElidedLabel()
        self.doublings_label.setAccessibleName("Period doublings in this range of h")

        self.compare_edit = QLineEdit()
        self.compare_edit.setPlaceholderText("e.g. 1, 0.5, 0.1")
        self.compare_edit.setToolTip("Step sizes drawn with yours, separated by commas (up to 7 more)")
        self.compare_edit.editingFinished.connect(self._compare_edited)

        self.error_t = FloatSpinBox()
        self.error_t.setRange(0.0, 1e6)
        self.error_t.setSpecialValueText("auto")
        self.error_t.setToolTip("The time T at which the error is measured (auto: a few time constants "
                                "of the equilibrium, within the plotted time)")
        self.error_t.valueChanged.connect(lambda v: self.changed.emit({"error_t": float(v)}))
        self.error_reference = QComboBox()
        self.error_reference.addItem("the flow x' = f", "exact")
        self.error_reference.addItem("Euler's modified flow", "modified")
        self.error_reference.setToolTip("Euler's iterates follow x' = f − (h/2)·f'·f to second order (the "
                                        "modified equation): against it Euler's error shrinks like h², "
                                        "against the flow x' = f like h")
        self.error_reference.currentIndexChanged.connect(
            lambda _: self.changed.emit({"error_reference": self.error_reference.currentData()}))

        self.h_lo, self.h_hi = FloatSpinBox(), FloatSpinBox()
        for box in (self.h_lo, self.h_hi):
            box.setRange(1e-9, 1e6)
            box.setToolTip("The range of h of the diagram")
            box.valueChanged.connect(self._range_edited)
        self.h_lo.setAccessibleName("Bifurcation diagram: smallest h")
        self.h_hi.setAccessibleName("Bifurcation diagram: largest h")
        self.h_auto = QCheckBox("auto")
        self.h_auto.setAccessibleName("Automatic range of h")
        self.h_auto.setToolTip("From half of 1/|f'(x*)| to 1.5 × 2/|f'(x*)| of the equilibrium x₀ heads to")
        self.h_auto.toggled.connect(self._auto_toggled)
        self.orbit_count = self._int_box(2, MAX_ORBIT_H, "Number of h values (columns of the image)")
        self.orbit_transient = self._int_box(0, MAX_ORBIT_STEPS - 1, "Iterations discarded before plotting")
        self.orbit_kept = self._int_box(1, MAX_ORBIT_STEPS, "Iterations plotted for each h")
        self.orbit_count.valueChanged.connect(lambda v: self.changed.emit({"orbit_h_count": int(v)}))
        self.orbit_transient.valueChanged.connect(lambda v: self.changed.emit({"orbit_transient": int(v)}))
        self.orbit_kept.valueChanged.connect(lambda v: self.changed.emit({"orbit_kept": int(v)}))
        self.zoom_back = QToolButton()
        self.zoom_back.setText("Back")
        self.zoom_back.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.zoom_back.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.zoom_back.setToolTip("Back to the range of h shown before the last zoom (Backspace on the diagram)")
        self.zoom_back.clicked.connect(self.zoom_back_requested)
        self.zoom_reset = QToolButton()
        self.zoom_reset.setText("Full range")
        self.zoom_reset.setToolTip("Back to the diagram's own range of h")
        self.zoom_reset.clicked.connect(self.zoom_reset_requested)
        self.set_zoom_state(False, False)
        self._zoom_timer = QTimer(self)
        self._zoom_timer.setSingleShot(True)
        self._zoom_timer.setInterval(ZOOM_SETTLE_MS)
        self._zoom_timer.timeout.connect(self._zoom_settled)
        for canvas in (self.bifurcation_canvas, self.lyapunov_canvas):
            canvas.view.sigRangeChangedManually.connect(self._range_moved)
            back = QShortcut(QKeySequence(Qt.Key.Key_Backspace), canvas)
            back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            back.activated.connect(self.zoom_back_requested)
        self.sweep = SweepProgress("computing", "Stop this sweep; the previous diagram stays")
        self.sweep.cancel_requested.connect(self.cancel_requested)
        self.cancel = self.sweep.cancel

        # Each plot can be shown alone, filling the tab: four plots are too small to read from the
        # back of a classroom on a 1280×720 projector.
        self.focused: str | None = None
        self.expand_buttons: dict[str, QToolButton] = {}
        for name in PLOTS:
            b = QToolButton()
            b.setAccessibleName(f"Show the {name} plot alone")
            b.setCheckable(True)
            b.setAutoRaise(True)
            b.toggled.connect(lambda on, name=name: self.show_alone(name if on else None))
            self.expand_buttons[name] = b
        self._set_expand_looks()

        # Two rows of two: compare and error share the top row equally; the cobweb (square-ish) and
        # the wide bifurcation diagram share the bottom one, one to three.
        top, bottom = QHBoxLayout(), QHBoxLayout()
        b = self.expand_buttons
        self.cells: dict[str, QWidget] = {}
        self.cells["compare"] = _cell(_row("Compare h:", self.compare_edit, stretch_last=True), self.compare_canvas,
                                      b["compare"])
        top.addWidget(self.cells["compare"], 1)
        self.sweep_note = plain_label(QLabel(""))
        self.sweep_note.setMinimumWidth(10)       # a long note is clipped, never widens the grid
        self.cells["error"] = _cell(_row("Error at T =", self.error_t, "against", self.error_reference,
                                         self.sweep_note, stretch_last=True),
                                    self.error_canvas, b["error"])
        top.addWidget(self.cells["error"], 1)
        # Ends in "…" in a narrow column (it was cut mid-word: "|g′| < 1 attrac"), never widens the grid.
        cobweb_note = self.cobweb_note = ElidedLabel("g′(x*) = 1 + h·f′(x*): |g′| < 1 attracts")
        self.cells["cobweb"] = _cell(_row(cobweb_note, stretch_last=True), self.cobweb_canvas, b["cobweb"])
        bottom.addWidget(self.cells["cobweb"], 1)
        # Wraps onto a second line where the column is too narrow (large text in presentation mode).
        bif_header = wrap_row(group("Bifurcation over h from", self.h_lo), group("to", self.h_hi), self.h_auto,
                              group("·", self.orbit_count, "h values"), group("· transient", self.orbit_transient),
                              group("· kept", self.orbit_kept), group(self.zoom_back, self.zoom_reset), self.sweep)
        stack = QWidget()
        column = QVBoxLayout(stack)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.bifurcation_canvas, 4)
        column.addWidget(self.lyapunov_canvas, 3)
        column.addWidget(self.doublings_label, 0)
        self.cells["bifurcation"] = _cell(bif_header, stack, b["bifurcation"])
        bottom.addWidget(self.cells["bifurcation"], 3)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(6)
        self.compact = False           # one plot at a time, picked with `picker` (a small projector)
        self.picker = QTabBar()
        for name in PLOT_NAMES:
            self.picker.addTab(name)
        self.picker.setAccessibleName("Plot shown")
        self.picker.setToolTip("Which plot fills the tab (presentation mode on a small screen)")
        self.picker.currentChanged.connect(self._picked)
        self.picker.hide()
        rows.addWidget(self.picker)
        self._rows: list[tuple[QWidget, tuple[str, ...]]] = []
        for row, plots in ((top, ("compare", "error")), (bottom, ("cobweb", "bifurcation"))):
            row.setSpacing(6)
            row.setContentsMargins(0, 0, 0, 0)
            holder = QWidget()             # a widget, so a row whose plots are hidden gives up its height
            holder.setLayout(row)
            rows.addWidget(holder, 1)
            self._rows.append((holder, plots))

        self.cobweb_canvas.x_picked.connect(self.x_picked)
        self.bifurcation_canvas.x_picked.connect(self.h_picked)
        self.bifurcation_canvas.h_dragged.connect(self.h_picked)
        self._scene: Scene | None = None
        self.apply_style()

    def show_alone(self, name: str | None) -> None:
        """Show one plot ("compare", "error", "cobweb" or "bifurcation") filling the tab, or all four
        (None). Its button, pressed again, brings the others back."""
        if name is not None and name not in PLOTS:
            raise ValueError(f"no plot named {name!r}; choose one of {', '.join(PLOTS)}")
        if name is None and self.compact:       # in compact mode one plot always fills the tab
            name = PLOTS[self.picker.currentIndex()]
        self.focused = name
        if name is not None and self.picker.currentIndex() != PLOTS.index(name):
            self.picker.blockSignals(True)
            self.picker.setCurrentIndex(PLOTS.index(name))
            self.picker.blockSignals(False)
        for plot, cell in self.cells.items():
            cell.setVisible(name is None or plot == name)
        for holder, plots in self._rows:
            holder.setVisible(name is None or name in plots)
        self._set_expand_looks()

    def _picked(self, index: int) -> None:
        if self.compact and 0 <= index < len(PLOTS):
            self.show_alone(PLOTS[index])

    def update_compact(self) -> None:
        """One plot at a time when the tab is too short for four (a small screen or projector)."""
        limit = COMPACT_BELOW_PX if STYLE.presentation else DESK_COMPACT_BELOW_PX
        compact = 0 < self.height() < limit
        if compact == self.compact:
            return
        self.compact = compact
        self.picker.setVisible(compact)
        for button in self.expand_buttons.values():
            button.setVisible(not compact)          # the tabs choose the plot instead
        if compact:
            self._alone_before = self.focused
            self.show_alone(self.focused or PLOTS[self.picker.currentIndex()])
        else:
            self.show_alone(getattr(self, "_alone_before", None))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self.update_compact()

    def _set_expand_looks(self) -> None:
        icon = self.style().standardIcon
        for plot, button in self.expand_buttons.items():
            alone = plot == self.focused
            button.blockSignals(True)
            button.setChecked(alone)
            button.blockSignals(False)
            button.setIcon(icon(QStyle.StandardPixmap.SP_TitleBarNormalButton if alone
                                else QStyle.StandardPixmap.SP_TitleBarMaxButton))
            button.setToolTip("Show all four plots again" if alone else
                              "Show this plot alone, filling the tab (for a projector)")

    def apply_style(self) -> None:
        """The tab's own colours from the theme (its canvases restyle themselves: see
        presentation.restyle, which calls apply_style on every widget of a tree)."""
        self.sweep_note.setStyleSheet(f"color: {style.css_colour(style.MUTED)};")
        self.update_compact()
        error = f"color: {style.css_colour(style.ERROR)};"
        for box in (self.compare_edit, self.h_lo, self.h_hi):
            if box.styleSheet():
                box.setStyleSheet(error)

    @staticmethod
    def _int_box(lo: int, hi: int, tip: str) -> QSpinBox:
        box = int_box(lo, hi, tip)
        box.setAccessibleName(tip)
        return box

    # --------------------------------------------------------------------------------- the scene
    def set_scene(self, scene: Scene) -> None:
        """Show the scene's lab settings without emitting `changed`."""
        self._scene = scene
        widgets = (self.compare_edit, self.error_t, self.error_reference, self.h_lo, self.h_hi, self.h_auto,
                   self.orbit_count, self.orbit_transient, self.orbit_kept)
        for w in widgets:
            w.blockSignals(True)
        if not self.compare_edit.hasFocus():
            self.compare_edit.setText(step_sizes_text(scene.compare_h))
            self.compare_edit.setStyleSheet("")
        self.error_t.setValue(scene.error_t)
        self.error_reference.setCurrentIndex(max(0, self.error_reference.findData(scene.error_reference)))
        self.h_auto.setChecked(scene.h_range is None)
        if scene.h_range is not None:
            self.h_lo.setValue(scene.h_range[0])
            self.h_hi.setValue(scene.h_range[1])
        self.h_lo.setEnabled(scene.h_range is not None)
        self.h_hi.setEnabled(scene.h_range is not None)
        self.orbit_count.setValue(scene.orbit_h_count)
        self.orbit_transient.setValue(scene.orbit_transient)
        self.orbit_kept.setValue(scene.orbit_kept)
        for w in widgets:
            w.blockSignals(False)
        self.bifurcation_canvas.set_h(scene.h)
        self.lyapunov_canvas.set_h(scene.h)

    def _compare_edited(self) -> None:
        try:
            values = parse_step_sizes(self.compare_edit.text())
        except ValueError as exc:
            self.compare_edit.setStyleSheet(f"color: {style.css_colour(style.ERROR)};")
            self.invalid.emit(str(exc))
            return
        self.compare_edit.setStyleSheet("")
        self.changed.emit({"compare_h": values})

    def _range_edited(self, *_: object) -> None:
        lo, hi = self.h_lo.value(), self.h_hi.value()
        problem = range_problem(lo, hi, "the h-range") if lo > 0 else "the h-range needs two numbers 0 < A < B"
        if problem is None:
            for box in (self.h_lo, self.h_hi):
                box.setStyleSheet("")
            self.changed.emit({"h_range": (lo, hi)})
        else:
            for box in (self.h_lo, self.h_hi):
                box.setStyleSheet(f"color: {style.css_colour(style.ERROR)};")
            self.invalid.emit(problem)

    def _auto_toggled(self, on: bool) -> None:
        self.h_lo.setEnabled(not on)
        self.h_hi.setEnabled(not on)
        if on:
            self.changed.emit({"h_range": None})
        else:
            self._range_edited()

    # ------------------------------------------------------------------------------- results
    def show_flow(self, r: SceneResult, n: int) -> None:
        self.cobweb_canvas.show_result(r, n)
        self.bifurcation_canvas.set_h(r.scene.h)
        self.lyapunov_canvas.set_h(r.scene.h)

    def show_lab(self, lab: LabResult, n: int) -> None:
        self.compare_canvas.show_result(lab, n)
        self.error_canvas.show_result(lab, n)
        note = lab.sweep_note if lab.sweep is not None else ""
        self.sweep_note.setText(one_line(note))
        self.sweep_note.setToolTip(plain_tooltip(note))

    def show_orbits(self, orbits: OrbitResult) -> None:
        self.bifurcation_canvas.show_result(orbits)
        if orbits.automatic_range:
            lo, hi = float(orbits.diagram.h[0]), float(orbits.diagram.h[-1])
            for box, v in ((self.h_lo, lo), (self.h_hi, hi)):
                box.blockSignals(True)
                box.setValue(v)
                box.blockSignals(False)

    def show_chaos(self, chaos: ChaosResult) -> None:
        """The Lyapunov exponent under the diagram, and the doublings marked on both and listed."""
        from ..model.describe import doubling_rows, doublings_heading, doublings_line
        self.lyapunov_canvas.show_result(chaos)
        self.bifurcation_canvas.show_doublings(chaos)
        rows = doubling_rows(chaos)
        text = doublings_line(chaos)
        self.doublings_label.setText(text)
        self.doublings_label.setToolTip(plain_tooltip("\n".join((doublings_heading(), *rows)) if rows else text))

    def set_zoom_state(self, can_go_back: bool, zoomed: bool) -> None:
        self.zoom_back.setEnabled(can_go_back)
        self.zoom_reset.setEnabled(zoomed)

    def _range_moved(self, *_: object) -> None:
        self._zoom_timer.start()

    def _zoom_settled(self) -> None:
        """The h-range on screen, without the margin the canvas adds around a diagram's range."""
        lo, hi = self.bifurcation_canvas.view.viewRange()[0]
        pad = Canvas.x_padding
        margin = pad * (hi - lo) / (1 + 2 * pad)
        self.h_zoomed.emit(float(lo + margin), float(hi - margin))

    def show_index(self, n: int) -> None:
        self.cobweb_canvas.show_index(n)
        self.compare_canvas.show_index(n)

