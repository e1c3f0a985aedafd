"""File > Export…: what to export (format, the window or the tab on screen, size, scale, frames per
second), then the file. MP4 is offered only when ffmpeg is there; otherwise the dialog says what to
install. The choices come back next time (QSettings keys export/..., see exports.load_options)."""
from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QIcon, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QProgressDialog,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..model.budget import gif_note
from . import style
from .actions import ActionSpec
from .exports import (
    ANIMATION_SHORTCUT,
    ANIMATIONS,
    DEFAULT_FPS,
    FORMAT_NAMES,
    FORMATS,
    FPS_RANGE,
    MAX_FRAMES,
    PROGRESS_EVENTS_MS,
    SETTINGS_PREFIX,
    ExportOptions,
    animation_plan,
    export,
    export_animation,
    ffmpeg_status,
    gif_delay_ms,
    load_options,
    save_options,
)
from .plain import one_line, plain_label, plain_tooltip, warn
from .style import STYLE

if TYPE_CHECKING:
    from .frame import Frame

SIZE_PRESETS: tuple[tuple[str, tuple[int, int] | None], ...] = (
    ("As on screen", None),
    ("1280 × 720 (HD slide)", (1280, 720)),
    ("1920 × 1080 (Full HD slide)", (1920, 1080)),
)
SCALES = (1.0, 2.0, 3.0)
CANVAS_NAMES = {"compare": "Step size: several h against the flow", "error": "Step size: error against h",
                "cobweb": "Step size: the cobweb of Euler's map", "bifurcation": "Step size: the bifurcation diagram",
                "sharpness": "2-D: sharpness along the paths",
                "lyapunov": "Step size: the Lyapunov exponent", "doublings": "Step size: the period doublings"}
# A GIF keeps every frame in memory (one byte a pixel) until it is written: past this, say so.
GIF_MEMORY_NOTE_BYTES = 400_000_000


class ExportDialog(QDialog):
    """The export choices; `options()` is what was chosen (an ExportOptions)."""

    def __init__(self, window: Frame, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.window = window
        self.setWindowTitle("Export")
        self.setMinimumWidth(460)
        self.format = QComboBox()
        for fmt in FORMATS:
            self.format.addItem(FORMAT_NAMES[fmt] + ("  (iterates)" if fmt == "csv" else ""), fmt)
        self.what = QComboBox()
        self.size = QComboBox()
        self.scale = QComboBox()
        for s in SCALES:
            self.scale.addItem(f"{s:g}×" + ("  (projector, retina)" if s == 2 else ""), s)
        self.scale.setToolTip("The picture is drawn at this many pixels per screen pixel: text and lines stay sharp")
        self.fps = QSpinBox()
        self.fps.setRange(*FPS_RANGE)
        self.fps.setValue(DEFAULT_FPS)
        self.fps.setSuffix(" frames/s")
        self.fps.setToolTip("Iterates shown per second. A GIF plays at most 50 frames/s.")
        self.frames = QSpinBox()
        self.frames.setRange(2, 10_000)
        self.frames.setValue(MAX_FRAMES)
        self.frames.setToolTip("Longer animations are sampled evenly (the first and last iterate always shown)")
        self.summary = plain_label(QLabel())
        self.summary.setWordWrap(True)
        self.video_note = plain_label(QLabel())
        self.video_note.setWordWrap(True)
        self.video_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self.form.addRow("&Format:", self.format)
        self.form.addRow("&What:", self.what)
        self.form.addRow("&Size:", self.size)
        self.form.addRow("S&cale:", self.scale)
        self.form.addRow("&Speed:", self.fps)
        self.form.addRow("At most:", self.frames)
        self.frames.setSuffix(" frames")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.summary)
        layout.addWidget(self.video_note)
        layout.addWidget(buttons)
        for combo in (self.format, self.what, self.size, self.scale):
            combo.currentIndexChanged.connect(self._update)
        for spin in (self.fps, self.frames):
            spin.valueChanged.connect(self._update)
        self.apply_style()
        self.refresh()

    # ------------------------------------------------------------------------------------ state
    def refresh(self) -> None:
        """Re-read what can be exported now: the tab on screen, the window's size, ffmpeg."""
        w = self.window
        keep_what = self.what.currentData()
        self.what.blockSignals(True)
        self.what.clear()
        self.what.addItem("The whole window", "window")
        self.what.addItem(f"The tab on screen: {w.tabs.tabText(w.tabs.currentIndex()).split(':')[0]}", "tab")
        for name in w.current_page.canvases():
            self.what.addItem(CANVAS_NAMES[name] + " (alone)", name)
        index = self.what.findData(keep_what)
        self.what.setCurrentIndex(max(0, index))
        self.what.blockSignals(False)
        keep_size = self.size.currentData()
        self.size.blockSignals(True)
        self.size.clear()
        for label, size in SIZE_PRESETS:     # item data "WxH" ("" as on screen): combos match strings
            self.size.addItem(label if size is not None else f"{label} ({w.width()} × {w.height()})",
                              _size_key(size))
        index = self.size.findData(keep_size)
        self.size.setCurrentIndex(max(0, index))
        self.size.blockSignals(False)
        ok, message = ffmpeg_status()
        model = self.format.model()
        item = model.item(FORMATS.index("mp4")) if isinstance(model, QStandardItemModel) else None
        if item is not None:
            item.setToolTip("" if ok else plain_tooltip(message))
        self.mp4_available = ok
        # MP4 stays choosable, so a user can find it: chosen without ffmpeg, the note says what
        # to install and Export waits. Other formats never hear about ffmpeg.
        self.video_note.setText("" if ok else message)
        self._update()
        self.adjustSize()         # the note about ffmpeg may have appeared or gone

    def set_options(self, options: ExportOptions) -> None:
        self.refresh()
        self.format.setCurrentIndex(FORMATS.index(options.fmt))
        self.what.setCurrentIndex(max(0, self.what.findData(options.what)))
        self.size.setCurrentIndex(max(0, self.size.findData(_size_key(options.size))))
        scale_index = self.scale.findData(float(options.scale))
        self.scale.setCurrentIndex(max(0, scale_index))
        self.fps.setValue(options.fps)
        self.frames.setValue(options.max_frames)
        self._update()

    def options(self) -> ExportOptions:
        return ExportOptions(fmt=self.format.currentData(), what=self.what.currentData() or "window",
                             size=_size_value(self.size.currentData()), scale=float(self.scale.currentData() or 1.0),
                             fps=self.fps.value(), max_frames=self.frames.value())

    def _update(self) -> None:
        fmt = self.format.currentData()
        animated = fmt in ANIMATIONS
        for widget, on in ((self.what, fmt != "csv"), (self.size, fmt != "csv"), (self.scale, fmt == "png"),
                           (self.fps, animated), (self.frames, animated)):
            widget.setEnabled(on)
            label = self.form.labelForField(widget)
            if label is not None:
                label.setEnabled(on)
        self.summary.setText(self._summary())
        missing = fmt == "mp4" and not self.mp4_available
        self.video_note.setVisible(missing)
        self.export_button.setEnabled(not missing)

    def _summary(self) -> str:
        options = self.options()
        size = options.size or (self.window.width(), self.window.height())
        if options.fmt == "png":
            return (f"A {round(size[0] * options.scale)} × {round(size[1] * options.scale)} pixel image "
                    "of what is on screen.")
        if options.fmt == "svg":
            return "A vector image: the plots stay sharp at any size (the controls around them are a picture)."
        if options.fmt == "csv":
            return "The iterates as a table (on the 2-D tab: every optimizer's path)."
        plan = animation_plan(self.window, options)
        text = f"{plan.frames} frames, {plan.seconds:.1f} s at {options.fps} frames/s"
        if plan.sampled:
            text += f" (every iterate would be {plan.indices[-1] + 1} frames: sampled evenly)"
        text += "."
        if fmt_is_fast_gif(options):
            text += " A GIF plays at most 50 frames/s."
        if options.fmt == "gif":
            wanted = animation_plan(self.window, replace(options, fmt="mp4")).frames
            note = gif_note(size, wanted, plan.frames)
            if note:
                text += f" {note[0].upper()}{note[1:]}."
            elif plan.frames * size[0] * size[1] > GIF_MEMORY_NOTE_BYTES:
                text += " A GIF this long and large is big and slow to write: MP4 suits it better."
        return text

    def apply_style(self) -> None:
        """Fonts from STYLE (presentation mode calls this when the scale changes)."""
        self.setFont(style.font(STYLE.ui_pt))
        self.video_note.setStyleSheet(f"color: {style.ERROR};")
        self.summary.setStyleSheet(f"color: {style.MUTED};")


def _size_key(size: tuple[int, int] | None) -> str:
    return "" if size is None else f"{size[0]}x{size[1]}"


def _size_value(key: str | None) -> tuple[int, int] | None:
    if not key:
        return None
    w, h = key.split("x")
    return int(w), int(h)


def fmt_is_fast_gif(options: ExportOptions) -> bool:
    return options.fmt == "gif" and gif_delay_ms(options.fps) > 1000 / options.fps + 1


# ------------------------------------------------------------------------------ the window's side
class ExportController(QObject):
    """The window's exports: File > Export… (Ctrl+E, also on the toolbar) opens the dialog, File >
    Export animation… (Ctrl+Shift+G) opens it on the animation formats. Long exports run under a
    modal progress dialog with Cancel."""

    frame_written = Signal(int, int)     # (done, total) during an animation export
    finished = Signal(str, bool)         # (path, written): False when cancelled or failed

    def __init__(self, window: Frame) -> None:
        super().__init__(window)
        self.window = window
        self.progress_dialog: QProgressDialog | None = None
        self.dialog = None
        self._cancel = False
        icon = QIcon.fromTheme("document-export", window.style().standardIcon(
            QStyle.StandardPixmap.SP_DialogSaveButton))
        self.act_export = window.board.add(ActionSpec(
            "export", "&Export…", self.open_dialog, "file", "export", ("Ctrl+E",),
            "Save the window, a tab or the animation as PNG, SVG, GIF, MP4 or CSV (Ctrl+E)",
            toolbar="export", icon=icon, icon_text="Export"))
        self.act_export_animation = window.board.add(ActionSpec(
            "export-animation", "Export &animation…", lambda: self.open_dialog(animation=True), "file", "export",
            (ANIMATION_SHORTCUT,), "Save the animation of the tab on screen as an animated GIF or an MP4 video",
            order=1))

    # ----------------------------------------------------------------------------- the dialog
    def open_dialog(self, animation: bool = False) -> None:
        """Ask what to export, then where; then export (with progress for animations)."""
        if self.dialog is None:
            self.dialog = ExportDialog(self.window)
        options = load_options()
        if animation and not options.animated:
            options = replace(options, fmt="gif")
        self.dialog.set_options(options)
        if self.dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        options = self.dialog.options()
        save_options(options)
        path = self.ask_path(options)
        if path:
            self.run(path, options)

    def ask_path(self, options: ExportOptions) -> str | None:
        s = QSettings("gdviz", "gdviz")
        folder = str(s.value(SETTINGS_PREFIX + "folder", "") or "")
        if not folder or not os.path.isdir(folder):
            folder = os.getcwd()
        name = "iterates" if options.fmt == "csv" else "gdviz"
        suffix = options.suffix
        path, _ = QFileDialog.getSaveFileName(self.window, f"Export {FORMAT_NAMES[options.fmt]}",
                                              os.path.join(folder, name + suffix),
                                              f"{FORMAT_NAMES[options.fmt]} (*{suffix})")
        if not path:
            return None
        if not path.lower().endswith(suffix):
            path += suffix
        s.setValue(SETTINGS_PREFIX + "folder", os.path.dirname(os.path.abspath(path)))
        return path

    # -------------------------------------------------------------------------------- running
    def run(self, path: str, options: ExportOptions) -> bool:
        """Export to `path`; True if written. Messages go to the status bar (and a box on failure)."""
        w = self.window
        written = False
        try:
            if options.animated:
                written = self._run_animation(path, options)
            else:
                QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                try:
                    export(w, path, options)
                finally:
                    QApplication.restoreOverrideCursor()
                written = True
        except Exception as exc:   # a full disk, a folder we may not write to, ffmpeg failing
            w.show_status(f"Export failed: {exc}", 8000, error=True)
            warn(w, "Export failed", f"Could not export {os.path.basename(path)}:\n{exc}")
            self.finished.emit(path, False)
            return False
        if written:
            w.show_status(f"Saved {path}", 5000)
        else:
            w.show_status(f"Export cancelled: {os.path.basename(path)} was not written", 5000)
        self.finished.emit(path, written)
        return written

    def _run_animation(self, path: str, options: ExportOptions) -> bool:
        plan = animation_plan(self.window, options)
        dialog = QProgressDialog("", "Cancel", 0, plan.frames, self.window)
        dialog.setLabel(plain_label(QLabel()))           # the file's name is the user's: see plain.py
        dialog.setLabelText(f"Rendering {plan.frames} frames of {one_line(os.path.basename(path), 80)}…")
        dialog.setWindowTitle("Exporting the animation")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)       # a short GIF finishes before a dialog would flash up
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setFont(style.font(STYLE.ui_pt))
        self.progress_dialog = dialog
        self._cancel = False
        dialog.canceled.connect(self.cancel)

        clock = QElapsedTimer()
        clock.start()

        def progress(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)
            if done == total:
                dialog.setLabelText(f"Writing {one_line(os.path.basename(path), 80)}…")
            self.frame_written.emit(done, total)
            # Between frames the bar is drawn and Cancel can be clicked, ten times a second (each
            # pass also repaints the window). Until the (modal) dialog shows, keys and clicks
            # wait: Space must not start the clock mid-export.
            if clock.elapsed() >= PROGRESS_EVENTS_MS or done == total:
                clock.restart()
                QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents if dialog.isVisible()
                                           else QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

        try:
            # The Cancel button emits canceled; Esc and QProgressDialog.cancel() set wasCanceled.
            return export_animation(self.window, path, options, progress,
                                    lambda: self._cancel or dialog.wasCanceled())
        finally:
            dialog.canceled.disconnect(self.cancel)
            dialog.close()
            dialog.deleteLater()
            self.progress_dialog = None

    def cancel(self) -> None:
        """Stop the running animation export after the current frame (nothing is written)."""
        self._cancel = True

    def apply_style(self) -> None:
        """Presentation mode changed STYLE: the dialogs take its fonts."""
        if self.dialog is not None:
            self.dialog.apply_style()
        if self.progress_dialog is not None:
            self.progress_dialog.setFont(style.font(STYLE.ui_pt))


def install_exports(window: Frame) -> ExportController:
    """Give `window` its export dialog, actions and toolbar button (kept as `window.exports`)."""
    existing = window.addons.get("exports")
    return existing if existing is not None else window.add_addon("exports", ExportController(window))
