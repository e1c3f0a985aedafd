"""ActionBoard: actions declared in a batch are placed once, as declared one by one would be."""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QToolBar

from gdviz.ui.actions import ActionBoard, ActionSpec

SPECS = [
    ActionSpec("open", "Open", lambda: None, "file", "session", toolbar="session"),
    ActionSpec("quit", "Quit", lambda: None, "file", "quit"),
    ActionSpec("export", "Export", lambda: None, "file", "export", toolbar="export", order=2),
    ActionSpec("export-first", "Export first", lambda: None, "file", "export", toolbar="export", order=1),
    ActionSpec("present", "Present", lambda: None, "view", "presentation", toolbar="presentation"),
]


def _board(qtbot) -> tuple[QMainWindow, ActionBoard, QToolBar]:
    window = QMainWindow()
    qtbot.addWidget(window)
    toolbar = window.addToolBar("Main")
    return window, ActionBoard(window, toolbar), toolbar


def _layout(board: ActionBoard, toolbar: QToolBar) -> tuple[list[str], list[str], list[str]]:
    def names(actions) -> list[str]:
        return ["---" if a.isSeparator() else a.objectName() for a in actions]
    return names(board.menu("file").actions()), names(board.menu("view").actions()), names(toolbar.actions())


def test_a_batch_places_the_actions_as_one_by_one_and_builds_the_toolbar_once(qtbot):
    _, one_by_one, bar1 = _board(qtbot)
    for spec in SPECS:
        one_by_one.add(spec)
    _, batched, bar2 = _board(qtbot)
    clears = []
    bar2.clear = lambda: (clears.append(1), QToolBar.clear(bar2))
    with batched.batch():
        with batched.batch():                       # nested: only the outer block lays out
            for spec in SPECS[:2]:
                batched.add(spec)
        assert batched.menu("file").actions() == [] and bar2.actions() == []
        for spec in SPECS[2:]:
            batched.add(spec)
        assert "export" in batched                  # the actions exist at once, only unplaced
    assert _layout(batched, bar2) == _layout(one_by_one, bar1)
    assert _layout(one_by_one, bar1)[0] == ["open", "---", "export-first", "export", "---", "quit"]
    assert len(clears) == 1
    batched.add(ActionSpec("late", "Late", lambda: None, "view", "window"))   # after it: placed at once
    assert batched.menu("view").actions()[-1].objectName() == "late"
