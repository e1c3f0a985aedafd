"""The hostile session corpus of tests/test_hostile_inputs.py through the window's entry points,
File > Open and the autosave restore at start (issue 12): the window never crashes or grows, a
refused file changes nothing on screen and says why in one line, an accepted one is drawn."""
from __future__ import annotations

import pytest

from tests.test_hostile_inputs import SESSIONS
from tests.ui.conftest import RESULT_TIMEOUT


@pytest.mark.parametrize("name", list(SESSIONS))
def test_file_open_of_a_hostile_session(name, window, qtbot, tmp_path):
    path = tmp_path / "hostile.gdviz"
    path.write_text(SESSIONS[name], encoding="utf-8", errors="surrogateescape")
    size, before = window.size(), window.state()
    message = window.documents.open_path(path)
    if message is not None:                          # refused: nothing changed, one line said why
        assert window.state() == before
        assert "\n" not in message and len(message) <= 600
    qtbot.waitUntil(lambda: window.current_page.is_drawn, timeout=RESULT_TIMEOUT)
    assert window.size() == size
    # Then File > Export, which a session with a range no plot can show used to segfault.
    png = tmp_path / "after.png"
    from gdviz.ui.exports import export_png
    assert export_png(window, png, (400, 300)) == (400, 300) and png.stat().st_size > 0


@pytest.mark.parametrize("name", list(SESSIONS))
def test_a_hostile_autosave_is_offered_and_never_crashes_the_start(name, window, qtbot, tmp_path):
    folder = tmp_path / "autosave"
    folder.mkdir()
    orphan = folder / "autosave-99999999.gdviz"       # an older gdviz's name, its pid long gone
    orphan.write_text(SESSIONS[name], encoding="utf-8", errors="surrogateescape")
    offers = []

    def answer(offer) -> str:
        offers.append(offer)
        return "restore"
    docs = window.documents
    docs.enable_autosave(folder)
    docs.ask_restore = answer
    size = window.size()
    docs.offer_restore()
    assert len(offers) == 1                          # offered, whether it reads or not
    assert orphan.exists() or offers[0].orphan.session is not None   # never deleted unasked
    qtbot.waitUntil(lambda: window.current_page.is_drawn, timeout=RESULT_TIMEOUT)
    assert window.size() == size
