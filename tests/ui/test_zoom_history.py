"""The diagram's zoom history (plain Python): Back returns through every zoom in turn, newest
first, and Full range forgets them all."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gdviz.ui.zoom_history import MAX_DEPTH, ZoomHistory

ranges = st.tuples(st.floats(0.01, 2.0), st.floats(2.01, 5.0))


def test_back_walks_the_zooms_newest_first_then_the_scenes_range():
    z = ZoomHistory()
    assert not z.can_go_back and not z.back() and not z.reset()
    assert z.push((1.0, 2.0)) and z.push((1.5, 1.8))
    assert not z.push((1.5, 1.8))                       # already on screen: nothing to remember
    assert z.back() and z.current == (1.0, 2.0)
    assert z.back() and z.current is None               # the scene's own range
    assert not z.can_go_back and not z.back()


def test_full_range_forgets_every_zoom():
    z = ZoomHistory()
    z.push((1.0, 2.0))
    z.push((1.2, 1.4))
    assert z.reset() and z.current is None and not z.can_go_back


@given(st.lists(ranges, max_size=80))
def test_back_after_n_zooms_returns_to_each_one_before_in_turn(zooms):
    z = ZoomHistory()
    shown = [None]
    for r in zooms:
        if z.push(r):
            shown.append(r)
    assert z.current == shown[-1]
    seen = []
    while z.back():
        seen.append(z.current)
    kept = shown[:-1][::-1][:MAX_DEPTH]                 # the newest MAX_DEPTH, newest first
    assert seen == kept
