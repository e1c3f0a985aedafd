"""Text from users and files is shown as text (issue 12, item 10): hostile strings pushed through
every way a user or a file reaches the window (File > Open of a refused session and of one that
loads, the equation editor, lesson files, the recent-files menu, declared actions) never render
as markup, never grow the window, and tooltips are escaped.

The oracle looks at what Qt would draw, not at our code: every label in the window is rendered the
way Qt renders it (rich text if its format is RichText, or AutoText and Qt.mightBeRichText says so)
and its document must hold no image, link or table, which gdviz's own markup never uses; the same
for tooltips, message boxes and the lesson's text browser. The window's size must not change.
"""
from __future__ import annotations

import html
import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QTextBrowser

from gdviz.model.lesson import Lesson, LessonStep
from gdviz.ui.actions import ActionSpec
from gdviz.ui.editor import caret_block
from gdviz.ui.lesson_panel import install_lesson

from .conftest import RESULT_TIMEOUT
from .test_lesson_panel import _forget_the_lesson

IMG = "<img width=3000 height=2000 src=x>"
HOSTILE = {
    "img": IMG,
    "bold": "<b>bold</b> text",
    "link": "<a href='https://example.com/'>click</a>",
    "table": "<table width=9000><tr><td>" + "wide " * 50 + "</td></tr></table>",
    "entities": "&lt;img src=x&gt; &amp; &nbsp;",
    "100 kB": IMG + "x" * 100_000,
    "rtl override": "\u202e<img src=x>fdp.exe\u202c",
    "nul": "<b>a\x00b</b>",
    "newlines": "<b>one</b>\n<img src=x>\n" * 50,
}
# What gdviz's own rich text never contains: found in a rendered document, it came from a user.
INJECTED = ("<img", "<a href", "<a name", "<table")
STATUS_MAX = 300            # characters of one status line
ZWSP = "\u200b"             # where a long word may wrap: invisible


def as_read(text: str) -> str:
    """What a reader sees of `text` shown as plain text: control characters and direction
    overrides as escapes ("\\x00", "\\u202e"), never acting on the text around them."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) == "Cc" or c in "\u202a\u202b\u202c\u202d\u202e"
                   "\u2066\u2067\u2068\u2069" else c for c in text)


def on_screen(label: QLabel) -> str:
    """A label's text as it reads: rich text rendered to plain, wrap points dropped."""
    text = label.text()
    if renders_rich(text, label.textFormat()):
        doc = QTextDocument()
        doc.setHtml(text)
        text = doc.toPlainText()
    return text.replace(ZWSP, "").replace("\xa0", " ")


@pytest.fixture(autouse=True)
def _no_lesson_left():
    _forget_the_lesson()
    yield
    _forget_the_lesson()


# --------------------------------------------------------------------------------------- oracle
def renders_rich(text: str, fmt: Qt.TextFormat) -> bool:
    return fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))


def injected_markup(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> list[str]:
    """The image, link or table tags Qt would render for `text` shown in format `fmt`."""
    if not text or not renders_rich(text, fmt):
        return []
    doc = QTextDocument()
    doc.setHtml(text)
    rendered = doc.toHtml()
    return [tag for tag in INJECTED if tag in rendered]


def markup_in(root) -> list[tuple[str, str, list[str]]]:
    """Every label, text browser and tooltip under `root` that would render injected markup."""
    found = []
    for label in root.findChildren(QLabel):
        tags = injected_markup(label.text(), label.textFormat())
        tags += [f"tooltip {t}" for t in injected_markup(label.toolTip())]
        if tags:
            found.append((type(label).__name__, label.text()[:60], tags))
    for browser in root.findChildren(QTextBrowser):
        tags = [t for t in INJECTED if t in browser.document().toHtml()]
        if tags:
            found.append(("QTextBrowser", browser.toPlainText()[:60], tags))
    for action in root.actions():
        tags = injected_markup(action.toolTip())
        if tags:
            found.append(("QAction", action.text(), tags))
    return found


def assert_safe(window, size) -> None:
    QApplication.processEvents()                 # the layout requests that would resize the window
    window.repaint()
    assert window.size() == size, f"the window grew from {size} to {window.size()}"
    assert window.minimumSizeHint().height() <= size.height()
    assert window.minimumSizeHint().width() <= size.width()
    assert markup_in(window) == []
    assert window.status_label.textFormat() == Qt.TextFormat.PlainText
    assert "\n" not in window.status_label.text() and len(window.status_label.text()) <= STATUS_MAX


def session_json(text: str = "x^2", **extra) -> str:
    scene = {"text": text, "kind": "F", "direction": "ascent"}
    return json.dumps({"format": "gdviz-session", "version": 2, "scene": scene, **extra})


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes are captured instead of shown (their text, format and informative text); the
    static QMessageBox.warning always auto-detects its text's format."""
    shown_boxes: list[tuple[str, Qt.TextFormat, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown_boxes.append(
        (box.text(), box.textFormat(), box.informativeText())) or 0)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown_boxes.append(
        (text, Qt.TextFormat.AutoText, "")) or QMessageBox.StandardButton.Ok)
    return shown_boxes


# ---------------------------------------------------------------------------- sessions (File > Open)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_refused_session_is_reported_as_plain_text(window, qtbot, tmp_path, boxes, name):
    hostile = HOSTILE[name]
    path = tmp_path / "hostile.gdviz"
    path.write_text(session_json(hostile), encoding="utf-8")
    size = window.size()
    window.documents.open_dialog(str(path))              # File > Open: the status bar and a box
    assert window.status_label.text().startswith("hostile.gdviz: ")
    assert_safe(window, size)
    [(text, fmt, informative)] = boxes
    assert fmt == Qt.TextFormat.PlainText and text.startswith("hostile.gdviz: ")
    assert len(text) <= 1000 and injected_markup(informative) == []
    if name == "img":             # the markup is quoted as typed: the user sees what is wrong with the file
        assert IMG in window.status_label.text() and IMG in text


@pytest.mark.parametrize("name", ["img", "table", "link", "rtl override"])
def test_a_session_that_loads_with_hostile_keys_and_name_shows_them_as_text(window, qtbot, tmp_path, name):
    hostile = HOSTILE[name][:150]                     # a preset's name has at most 200 characters
    folder = tmp_path / hostile.replace("/", "_")[:100]
    folder.mkdir()
    path = folder / (hostile.replace("/", "_")[:100] + ".gdviz")
    path.write_text(json.dumps({"format": "gdviz-session", "version": 2,
                                "scene": {"text": "x^2", "kind": "F", "direction": "ascent", hostile: 1,
                                          "preset": hostile},
                                "view": {"tab": hostile}, hostile: 2}), encoding="utf-8")
    size = window.size()
    with qtbot.waitSignal(window.result_shown, timeout=RESULT_TIMEOUT):
        assert window.documents.open_path(path) is None
    window.documents.open_path(path)                     # again: the status says "Opened …"
    assert window.status_label.text().startswith("Opened ")
    assert_safe(window, size)
    assert as_read(path.name)[:40] in window.windowHandle().title()        # the title as Qt draws it
    # File > Open recent: the entry is the file's name as typed, its tooltip the escaped path
    menu = window.documents.recent_menu
    menu.aboutToShow.emit()
    entry = menu.actions()[0]
    text = entry.text().replace("&&", "&")                # "&" is a letter, not a keyboard shortcut
    assert len(text) <= 80 and as_read(path.name).startswith(text.rstrip("…"))
    assert injected_markup(entry.toolTip()) == []
    assert html.escape(str(path)[:40], quote=False) in entry.toolTip()


def test_a_file_name_with_the_title_placeholder_is_shown_as_typed(window, tmp_path):
    path = tmp_path / "a[*]b & c.gdviz"
    path.write_text(session_json(), encoding="utf-8")
    assert window.documents.open_path(path) is None
    for modified in (True, False):
        window.setWindowModified(modified)
        # Qt draws "[*]" as the unsaved-changes mark (or nothing); the file's own "[*]" stays text
        assert window.windowHandle().title().startswith("a[*]b & c.gdviz")


# ------------------------------------------------------------------------------- the equation editor
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_equation_editors_error_shows_the_equation_as_text(window, qtbot, name):
    hostile = HOSTILE[name]
    size = window.size()
    editor = window.editor
    with qtbot.waitSignal(window.flow.failed, timeout=RESULT_TIMEOUT):
        editor.field.setText(hostile)
        editor.commit()
    assert_safe(window, size)
    assert editor.error.isVisible() and editor.error.textFormat() == Qt.TextFormat.RichText
    assert injected_markup(editor.error.toolTip()) == []
    if name == "img":
        assert IMG in editor.error_text.replace("\xa0", " ")    # the markup shown as typed


def test_a_long_equation_echoes_only_a_line_around_the_caret():
    text = "x + " * 2000 + "<img src=x>"
    block = caret_block(text, len(text) - 10, "unexpected '<'")
    echo, caret, message = block.split("<br>")
    assert "&lt;img" in echo and "<img" not in block and echo.startswith("…")
    assert len(html.unescape(echo.replace("&nbsp;", " "))) <= 62
    column = html.unescape(echo.replace("&nbsp;", " ")).index("<") + 1
    assert caret == "&nbsp;" * (column - 1) + "^"


# ------------------------------------------------------------------------------------------ lessons
def lesson_toml(title: str, step_title: str, description: str, text: str = "Some text.", tries: str = "") -> str:
    def q(s: str) -> str:
        return json.dumps(s)             # a JSON string is a valid TOML basic string (\u escapes too)
    step = f"[[steps]]\ntitle = {q(step_title)}\ntext = {q(text)}\n" + (f"try = {q(tries)}\n" if tries else "")
    return f"title = {q(title)}\ndescription = {q(description)}\n{step}{step}"


@pytest.fixture
def panel(window, qtbot):
    controller = install_lesson(window)
    with qtbot.waitSignal(controller.panel.step_shown, timeout=RESULT_TIMEOUT):
        controller.show()
    return controller.panel


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_lesson_file_is_shown_as_text(window, panel, qtbot, tmp_path, boxes, name):
    hostile = HOSTILE[name]
    one = " ".join(hostile.split())[:120]          # a title is one line of at most 120 characters
    path = tmp_path / "hostile.toml"
    path.write_text(lesson_toml(one, one, hostile[:2000], hostile[:4000], one[:300]), encoding="utf-8")
    size = window.size()
    assert panel.open_file(str(path)), window.status_label.text()
    assert_safe(window, size)
    assert panel.step_title.textFormat() == Qt.TextFormat.PlainText
    assert on_screen(panel.step_title) == as_read(one)
    assert on_screen(panel.lesson_title) == as_read(one).replace("\xa0", " ")
    assert injected_markup(panel.lesson_title.toolTip()) == []
    assert panel.steps_combo.itemText(0) == as_read(f"1. {one}")
    assert boxes == []


@pytest.mark.parametrize("name", ["img", "100 kB", "table"])
def test_a_refused_lesson_is_reported_as_plain_text(window, panel, qtbot, tmp_path, boxes, name):
    path = tmp_path / "refused.toml"
    path.write_text(lesson_toml("Fine", HOSTILE[name] * 5, "d", "t", ""), encoding="utf-8")   # title too long
    size = window.size()
    assert not panel.open_file(str(path))
    assert_safe(window, size)
    [(text, fmt, _)] = boxes
    assert fmt == Qt.TextFormat.PlainText and text.startswith("refused.toml: ")


# ------------------------------------------------------------------------- declared actions, presets
def test_an_actions_tip_is_shown_as_typed(window):
    """Preset explanations come from files and become the Presets menu's tooltips."""
    action = window.board.add(ActionSpec("hostile-tip", "Hostile", lambda: None, "presets", "presets", tip=IMG))
    assert injected_markup(action.toolTip()) == []
    doc = QTextDocument()
    doc.setHtml(action.toolTip())
    assert doc.toPlainText() == IMG and action.statusTip() == IMG


def test_plain_tooltips_keep_plain_text_as_it_reads():
    from gdviz.ui.plain import plain_tooltip
    for text in ("Step size h", "a < b & c", "two\nlines", IMG, HOSTILE["entities"]):
        doc = QTextDocument()
        doc.setHtml(plain_tooltip(text))
        assert doc.toPlainText().replace(ZWSP, "").replace("\u2028", "\n") == text
    assert plain_tooltip("") == ""


# --------------------------------------------------------------------------------------- properties
MARKUP = st.lists(st.sampled_from(list("<>&;=/\"' #abx") + ["img", "<b>", "</b>", "<br>", "<table", "&lt;",
                                                              "&amp;", "src=x", "\u202e", "\x00", "\n", "é", "漢"]),
                  max_size=40).map("".join)      # at most 240 characters: no line is clipped


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=MARKUP.filter(str.strip))
def test_any_status_line_is_one_plain_line(window, text):
    size = window.size()
    window.show_status(text, 60_000, error=True)
    assert on_screen(window.status_label) == as_read(" ".join(text.split()))    # as typed, on one line
    assert_safe(window, size)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=MARKUP.map(lambda t: " ".join(t.split())).filter(bool), step=MARKUP.filter(str.strip),
       description=MARKUP)
def test_any_lesson_title_is_shown_as_typed(window, panel, title, step, description):
    size = window.size()
    step_title = " ".join(step.split())
    lesson = Lesson(title, (LessonStep(step_title, "text"), LessonStep("two", "text")), description=description)
    panel.set_lesson(lesson, 0, apply=False)
    assert panel.step_title.textFormat() == Qt.TextFormat.PlainText
    assert on_screen(panel.step_title) == as_read(step_title)
    assert on_screen(panel.lesson_title) == as_read(title)
    assert injected_markup(panel.lesson_title.toolTip()) == []
    assert_safe(window, size)


# ------------------------------------------------------------------------------- the helper itself
@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=600) | MARKUP, limit=st.integers(1, 400))
def test_what_a_sink_shows_is_bounded_and_inert(text, limit):
    from gdviz.ui.plain import menu_text, one_line, shown, title_part
    for out in (shown(text, limit), one_line(text, limit)):
        assert len(out) <= limit
        assert not any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in out)
        assert not set(out) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "\n" not in one_line(text, limit) and "\t" not in one_line(text, limit)
    if len(text) <= limit and text.isprintable():
        assert shown(text, limit) == text                   # plain sentences come out unchanged
    assert "&" not in menu_text(text).replace("&&", "")
    assert "[*]" not in title_part(text).replace("[*][*]", "")


def test_long_words_get_invisible_places_to_wrap():
    from gdviz.ui.plain import wrappable
    path = "/home/student/" + "a" * 100 + "/session.gdviz"
    wrapped = wrappable(path)
    assert wrapped.replace(ZWSP, "") == path
    assert max(len(part) for part in wrapped.split(ZWSP)) <= 40
    assert wrappable("short words stay as they are") == "short words stay as they are"
