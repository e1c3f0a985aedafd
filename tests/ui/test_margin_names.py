"""The phase plane's rest points are named above the plot at their x (issue 13, item 14): written
beside their points, on v = 0, the names always lay on orbits and separatrices. Here: the rows the
names take never overprint (a property of `name_rows`), and on a canvas the names stay out of the
plot, off the legend and title, over their points' x, and follow a pan or zoom."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, QRectF

from gdviz.model.momentum import evaluate_momentum, momentum_preset
from gdviz.ui.margin_names import GAP_PX, GUIDE_PX, name_rows

LEFT, RIGHT = 40.0, 640.0


@st.composite
def crowds(draw):
    n = draw(st.integers(0, 12))
    centres = draw(st.lists(st.floats(LEFT, RIGHT), min_size=n, max_size=n))
    full = draw(st.lists(st.floats(20, 260), min_size=n, max_size=n))
    short = [w * draw(st.floats(0.3, 1.0)) for w in full]
    first = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return centres, full, short, first, draw(st.integers(1, 3))


@settings(max_examples=300, deadline=None)
@given(crowds())
def test_names_never_overprint_and_guides_cross_no_name(crowd):
    centres, full, short, first, rows = crowd
    slots = name_rows(centres, full, short, first, LEFT, RIGHT, rows)
    assert len(slots) == len(centres)
    placed = [(i, s) for i, s in enumerate(slots) if s is not None]
    assert len({s.short for _, s in placed}) <= 1                   # all full names, or all short ones
    for i, s in placed:
        assert 0 <= s.row < rows
        assert s.width == (short[i] if s.short else full[i])
        if s.width <= RIGHT - LEFT:                                  # inside the plot's width...
            assert s.left >= LEFT - 1e-9 and s.left + s.width <= RIGHT + 1e-9
        assert s.left - 1e-9 <= centres[i] <= s.left + s.width + 1e-9 or s.width > RIGHT - LEFT  # ...over its x
    for a, (i, s) in enumerate(placed):
        for j, t in placed[a + 1:]:
            if s.row == t.row:                                       # apart by the gap in one row
                assert s.left + s.width + GAP_PX <= t.left + 1e-6 or t.left + t.width + GAP_PX <= s.left + 1e-6
            low, high, c = (s, t, centres[j]) if s.row < t.row else (t, s, centres[i])
            if low.row < high.row:                                  # a guide passes the rows below clear
                assert c + GUIDE_PX <= low.left - GAP_PX / 2 + 1e-6 or c - GUIDE_PX >= low.left + low.width + GAP_PX / 2 - 1e-6


def test_names_far_apart_are_full_in_one_row_and_crowded_ones_give_way():
    assert all(s is not None and s.row == 0 and not s.short
               for s in name_rows([100, 300, 500], [120] * 3, [50] * 3, [True, False, True], LEFT, RIGHT))
    # The pendulum on a narrow plot: full names need two rows, short ones fit in one.
    centres = [100 + k * 90 for k in range(5)]
    one = name_rows(centres, [130] * 5, [70] * 5, [True, False] * 2 + [True], LEFT, RIGHT, rows=1)
    assert all(s is not None and s.short and s.row == 0 for s in one)
    two = name_rows(centres, [130] * 5, [70] * 5, [True, False] * 2 + [True], LEFT, RIGHT, rows=2)
    assert all(s is not None and not s.short for s in two) and {s.row for s in two} == {0, 1}
    # No room even for short names: the stable points (first) keep theirs.
    tight = name_rows(centres, [130] * 5, [120] * 5, [True, False] * 2 + [True], LEFT, RIGHT, rows=1)
    assert [s is not None for s in tight] == [True, False, True, False, True]


@pytest.fixture(scope="module")
def pendulum():
    return evaluate_momentum(momentum_preset("pendulum").scene)


@pytest.fixture
def canvas(qtbot, pendulum):
    from gdviz.ui.phase_plane_canvas import PhasePlaneCanvas
    c = PhasePlaneCanvas()
    qtbot.addWidget(c)
    c.resize(1400, 700)
    c.show()
    qtbot.waitExposed(c)
    c.show_result(pendulum)
    return c


def shown_names(canvas) -> list[tuple[str, QRectF]]:
    return [(item.toPlainText(), item.sceneBoundingRect()) for item in canvas.names.items if item.isVisible()]


def point_x(canvas, x: float) -> float:
    return canvas.view.mapViewToScene(QPointF(x, 0.0)).x()


def check_layout(canvas) -> None:
    """Names above the plot, clear of each other, of the legend and of the title; each over its x."""
    area = canvas.view.sceneBoundingRect()
    names = shown_names(canvas)
    title = canvas.getPlotItem().titleLabel.sceneBoundingRect()
    legends = [lg.sceneBoundingRect() for lg in canvas._legends if lg.isVisible()]
    for k, (text, rect) in enumerate(names):
        assert rect.bottom() <= area.top() + 0.5, f"{text} reaches into the plot"
        for other in [r for _, r in names[k + 1:]] + legends + [title]:
            assert not rect.adjusted(1, 1, -1, -1).intersects(other), f"{text} overprints"
    xs = sorted(point_x(canvas, e.x) for e in canvas.result.equilibria if _in_view(canvas, e.x, e.v))
    guide = canvas.names.guides.path()
    ends = sorted({round(canvas.names.guides.mapToScene(guide.elementAt(i).x, 0).x(), 3)
                   for i in range(guide.elementCount())})
    assert len(ends) == len(names)
    for x in ends:         # a guide at a rest point's x, under a name that spans it
        assert any(abs(x - p) < 0.01 for p in xs)
        assert any(r.left() - 0.5 <= x <= r.right() + 0.5 for _, r in names)


def _in_view(canvas, x: float, v: float) -> bool:
    (a, b), (c, d) = canvas.view.viewRange()
    return a <= x <= b and c <= v <= d


def test_the_rest_points_are_named_above_the_plot(qtbot, canvas, pendulum):
    qtbot.waitUntil(lambda: len(shown_names(canvas)) == 5)
    assert [t for t, _ in shown_names(canvas)] == ["● stable centre", "○ saddle (unstable)", "● stable centre",
                                                    "○ saddle (unstable)", "● stable centre"]
    check_layout(canvas)
    assert "x*" in canvas.names.items[1].toolTip() and "3.142" in canvas.names.items[1].toolTip()


def test_names_follow_a_pan_and_leave_with_their_points(qtbot, canvas):
    qtbot.waitUntil(lambda: len(shown_names(canvas)) == 5)
    canvas.view.setRange(xRange=(-1.0, 4.0), yRange=(-2.0, 2.0), padding=0.0)
    qtbot.waitUntil(lambda: len(shown_names(canvas)) == 2)          # x* = 0 and π are left in view
    check_layout(canvas)
    before = canvas._above
    canvas.view.setRange(yRange=(1.0, 3.0), padding=0.0)           # v = 0 below the view: no point shown
    qtbot.waitUntil(lambda: not shown_names(canvas))
    qtbot.waitUntil(lambda: canvas._above < before)                 # and the plot gets the room back
    canvas.view.setRange(xRange=(-8.0, 8.0), yRange=(-3.0, 3.0), padding=0.0)
    qtbot.waitUntil(lambda: len(shown_names(canvas)) == 5)
    check_layout(canvas)


@pytest.mark.parametrize("size", [(520, 320), (700, 900), (380, 300)])
def test_crowded_names_shorten_or_stack_and_never_overprint(qtbot, canvas, size):
    canvas.resize(*size)
    qtbot.waitUntil(lambda: canvas.view.width() < size[0] - 40)
    qtbot.waitUntil(lambda: bool(shown_names(canvas)))
    check_layout(canvas)
    shown = {t for t, _ in shown_names(canvas)}
    assert shown & {"● stable centre", "● centre"}                  # the stable centres keep their names first


def test_names_take_the_look(qtbot, canvas):
    from gdviz.ui import style
    qtbot.waitUntil(lambda: len(shown_names(canvas)) == 5)
    small = shown_names(canvas)[0][1].height()
    try:
        style.set_look("dark", presentation=True)
        canvas.apply_style()
        item = canvas.names.items[0]
        assert item.color.name() == style.color(style.INK).name()
        qtbot.waitUntil(lambda: bool(shown_names(canvas)) and shown_names(canvas)[0][1].height() > small)
        check_layout(canvas)
    finally:
        style.set_look("light", presentation=False)
        canvas.apply_style()
    assert math.isclose(shown_names(canvas)[0][1].height(), small)
