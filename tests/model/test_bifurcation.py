"""Orbit diagram over h: the logistic's period doublings where the algebra puts them.

Euler on x' = x(1 - x) is g(x) = x + h x (1 - x), the logistic map with r = 1 + h
(y = h x / (1 + h)).
Its 2-cycle, derived by hand: g(g(x)) = x is a quartic whose roots include the fixed points 0 and
1; dividing them out leaves h² x² - h (h + 2) x + (h + 2) = 0, so

    x± = (h + 2 ± sqrt((h + 2)(h - 2))) / (2 h),   real for h > 2,

with x+ + x- = (h + 2) / h and x+ x- = (h + 2) / h². (At h = 2 both are 1: the cycle is born
from the fixed point.) The 4-cycle is born at r = 1 + sqrt(6), i.e. h = sqrt(6).
"""
from __future__ import annotations

import csv
import io
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.model.bifurcation import (
    Cancelled,
    OrbitDiagram,
    _auto_x_range,
    orbit_csv,
    orbit_diagram,
    period_of,
    write_orbit_csv,
)


def logistic(x):
    return x * (1 - x)


def g(x, h):
    return x + h * x * (1 - x)


def orbit_at(h: float, f=logistic, x0: float = 0.1, transient: int = 2000, kept: int = 256):
    """The kept orbit for one h (orbit_diagram needs two distinct h: the second is 1e-9 above)."""
    d = orbit_diagram(f, x0, (h, h + 1e-9), n_h=2, transient=transient, kept=kept, bins=50)
    return d.orbits[0], bool(d.diverged[0])


def two_cycle(h: float) -> tuple[float, float]:
    root = math.sqrt((h + 2) * (h - 2))
    return (h + 2 - root) / (2 * h), (h + 2 + root) / (2 * h)


def lyapunov(orbit: np.ndarray, h: float) -> float:
    """Mean log |g'(x)| along the orbit: > 0 is chaos, whatever period_of says."""
    return float(np.mean(np.log(np.abs(1 + h * (1 - 2 * orbit)))))


# ----------------------------------------------------------------------------- the logistic
def test_closed_form_two_cycle_is_a_two_cycle():
    # The derivation above, checked with independent arithmetic: g swaps x- and x+.
    for h in (2.1, 2.2, 2.4):
        lo, hi = two_cycle(h)
        assert g(lo, h) == pytest.approx(hi, abs=1e-14)
        assert g(hi, h) == pytest.approx(lo, abs=1e-14)
        assert lo + hi == pytest.approx((h + 2) / h) and lo * hi == pytest.approx((h + 2) / h**2)


@pytest.mark.parametrize("x0", [0.1, 0.5])
def test_below_two_the_fixed_point_one_attracts(x0):
    orbit, diverged = orbit_at(1.9, x0=x0)
    assert not diverged
    assert period_of(orbit) == 1
    np.testing.assert_allclose(orbit, 1.0, atol=1e-12)


@pytest.mark.parametrize("x0", [0.1, 0.5])
def test_at_2_2_the_two_cycle_matches_the_closed_form(x0):
    orbit, diverged = orbit_at(2.2, x0=x0)
    assert not diverged
    assert period_of(orbit) == 2
    lo, hi = two_cycle(2.2)                     # 0.746246..., 1.162844...
    even, odd = sorted([orbit[0], orbit[1]])
    assert even == pytest.approx(lo, abs=1e-12) and odd == pytest.approx(hi, abs=1e-12)
    np.testing.assert_allclose(np.sort(orbit[-2:]), [lo, hi], atol=1e-12)
    assert orbit[0] != pytest.approx(orbit[1], abs=0.1)     # two clearly distinct values


def test_at_2_5_the_orbit_has_period_four():
    orbit, diverged = orbit_at(2.5)
    assert not diverged
    assert period_of(orbit) == 4
    four = orbit[:4]
    assert len(np.unique(np.round(four, 9))) == 4
    np.testing.assert_allclose(g(g(g(g(four, 2.5), 2.5), 2.5), 2.5), four, atol=1e-12)
    assert lyapunov(orbit, 2.5) < 0


@pytest.mark.parametrize("h", [2.58, 2.7])
def test_beyond_the_accumulation_point_the_orbit_is_chaotic(h):
    orbit, diverged = orbit_at(h, kept=4000)
    assert not diverged and np.all(np.isfinite(orbit))
    assert period_of(orbit) is None
    assert lyapunov(orbit, h) > 0.05            # independent evidence: nearby orbits separate
    assert np.ptp(orbit) > 0.3                  # a band, not a few points


def test_beyond_three_the_orbit_escapes():
    d = orbit_diagram(logistic, 0.1, (3.2, 3.3), n_h=2)
    assert d.diverged.all()
    assert np.isnan(d.orbits).all()
    assert not d.density.any()                  # diverged columns stay blank
    assert period_of(d.orbits[0]) is None


def test_period_doubling_at_h_two_within_one_grid_step():
    # Near a bifurcation orbits converge slowly (multiplier near ±1): a long transient.
    d = orbit_diagram(logistic, 0.1, (1.8, 2.2), n_h=101, transient=20_000, kept=200)
    step = d.h[1] - d.h[0]
    periods = [period_of(o) for o in d.orbits]
    first_two = d.h[periods.index(2)]
    assert abs(first_two - 2.0) <= step + 1e-12
    assert all(p == 1 for h, p in zip(d.h, periods) if h < 2.0 - step / 2)
    assert all(p == 2 for h, p in zip(d.h, periods) if h > 2.0 + step / 2)


def test_second_doubling_at_h_sqrt_six_within_one_grid_step():
    d = orbit_diagram(logistic, 0.1, (2.4, 2.5), n_h=101, transient=20_000, kept=256)
    step = d.h[1] - d.h[0]
    periods = [period_of(o) for o in d.orbits]
    assert abs(d.h[periods.index(4)] - math.sqrt(6)) <= step
    assert 4 not in periods[:periods.index(4)] and 8 not in periods


# ----------------------------------------------------------------------------- linear f = -a x
A = 1.5   # x_{n+1} = (1 - h a) x_n: stable for h < 2/a = 4/3, divergent beyond


@pytest.mark.parametrize("factor, stable", [(0.99, True), (1.01, False)])
def test_linear_threshold_two_over_a(factor, stable):
    h = factor * 2 / A
    orbit, diverged = orbit_at(h, f=lambda x: -A * x, x0=1.0, transient=20_000)
    assert diverged is not stable
    if stable:
        assert period_of(orbit) == 1
        assert np.max(np.abs(orbit)) < 1e-12
    else:
        assert np.isnan(orbit).all()


def test_linear_sweep_marks_divergence_beyond_two_over_a():
    d = orbit_diagram(lambda x: -A * x, 1.0, (0.05, 2.0), n_h=200)
    threshold = 2 / A
    below = d.h < 0.95 * threshold
    above = d.h > 1.05 * threshold              # |1 - h a|^700 > 1e12 there
    assert not d.diverged[below].any()
    assert d.diverged[above].all()
    assert all(period_of(o) == 1 for o in d.orbits[below])
    assert np.max(np.abs(d.orbits[below])) < 1e-12
    # Just above 2/a the orbit may grow too slowly to pass the bound in 700 steps: then it is
    # not flagged, but it grew all the same.
    slow = (d.h > threshold) & ~d.diverged
    assert slow.any() and (np.abs(d.orbits[slow, -1]) > 1.0).all()


# ----------------------------------------------------------------------------- density, range
@pytest.fixture(scope="module")
def diagram() -> OrbitDiagram:
    return orbit_diagram(logistic, 0.1, (1.5, 3.0), n_h=400, bins=300)


def test_shapes_and_types(diagram):
    assert diagram.h.shape == (400,) and diagram.h[0] == 1.5 and diagram.h[-1] == 3.0
    assert np.all(np.diff(diagram.h) > 0)
    assert diagram.orbits.shape == (400, 200) and diagram.orbits.dtype == np.float64
    assert diagram.diverged.shape == (400,) and diagram.diverged.dtype == bool
    assert diagram.density.shape == (400, 300) and diagram.density.dtype == np.float32
    assert diagram.transient == 500 and diagram.kept == 200 and diagram.bins == 300
    assert diagram.x0 == 0.1 and diagram.seconds > 0


def test_density_is_normalised_per_column(diagram):
    d = diagram.density
    assert np.all(np.isfinite(d)) and d.min() >= 0 and d.max() <= 1
    # Every column with points in view peaks at exactly 1: a fixed point is as dark as a band.
    assert np.all(d.max(axis=1)[~diagram.diverged] == 1.0)


def test_density_matches_a_per_column_histogram(diagram):
    lo, hi = diagram.x_range
    bins = diagram.bins
    expected = np.zeros_like(diagram.density)
    for i, orbit in enumerate(diagram.orbits):
        counts = np.histogram(orbit, bins=bins, range=(lo, hi))[0]
        expected[i] = np.sqrt(counts / counts.max())
    # Bin edges are computed differently (float32 offsets): a point within ~1e-4 of a bin of an
    # edge may land next door. Everything else agrees.
    differs = np.abs(diagram.density - expected) > 1e-6
    assert differs.sum() <= 0.002 * np.count_nonzero(expected)


def test_fixed_point_and_two_cycle_columns(diagram):
    lo, hi = diagram.x_range
    width = (hi - lo) / diagram.bins
    fixed = diagram.density[np.searchsorted(diagram.h, 1.8)]          # fixed point x* = 1
    assert np.count_nonzero(fixed) == 1 and fixed[int((1.0 - lo) / width)] == 1.0
    i = np.searchsorted(diagram.h, 2.2)
    cycle = diagram.density[i]
    assert np.count_nonzero(cycle) == 2 and np.all(cycle[cycle > 0] == 1.0)
    for x in two_cycle(float(diagram.h[i])):
        assert cycle[int((x - lo) / width)] == 1.0


def test_chaotic_band_stays_visible(diagram):
    band = diagram.density[np.searchsorted(diagram.h, 2.9)]
    assert np.count_nonzero(band) > 50
    # sqrt mapping: a bin visited once is at least 1/sqrt(kept) of the column's peak
    assert band[band > 0].min() >= 1 / math.sqrt(diagram.kept) - 1e-7


def test_automatic_x_range_contains_the_attractor(diagram):
    lo, hi = diagram.x_range
    points = diagram.orbits[~diagram.diverged]
    assert lo < points.min() and points.max() < hi
    span = points.max() - points.min()                      # about 4/3 at h = 3 (r = 4)
    assert hi - lo <= 1.25 * span


def test_automatic_x_range_ignores_a_rare_wild_point():
    rng = np.random.default_rng(0)
    points = rng.uniform(0.0, 1.0, size=(200, 400))
    points[17, 3] = 1e9                          # an orbit caught mid-escape, below the bound
    lo, hi = _auto_x_range(points, 0.1)
    assert lo < points.min() and 1.0 < hi < 2.0


def test_automatic_x_range_is_never_zero_width():
    # f = -x: every column settles on 0 (and underflows to it).
    d = orbit_diagram(lambda x: -x, 1.0, (0.5, 1.5), n_h=50)
    lo, hi = d.x_range
    assert lo < 0 < hi and hi - lo > 0.01
    assert np.all(np.count_nonzero(d.density, axis=1) == 1)


def test_explicit_x_range_drops_points_outside(diagram):
    d = orbit_diagram(logistic, 0.1, (1.5, 3.0), n_h=400, bins=300, x_range=(2.0, 3.0))
    assert d.x_range == (2.0, 3.0)
    assert not d.density.any()                   # the attractor lies below 4/3: nothing in view
    np.testing.assert_array_equal(d.orbits, diagram.orbits)


def test_all_diverged_gives_a_blank_image_and_a_range_around_x0():
    d = orbit_diagram(logistic, 0.3, (3.5, 4.0), n_h=10)
    assert d.diverged.all() and not d.density.any()
    assert d.x_range[0] < 0.3 < d.x_range[1]


def test_h_zero_is_the_identity():
    d = orbit_diagram(logistic, 0.3, (0.0, 0.1), n_h=5)
    assert np.all(d.orbits[0] == 0.3)


def test_transient_zero_keeps_x0():
    d = orbit_diagram(logistic, 0.3, (1.0, 2.0), n_h=3, transient=0, kept=3)
    np.testing.assert_array_equal(d.orbits[:, 0], 0.3)
    np.testing.assert_allclose(d.orbits[:, 1], g(0.3, d.h))


# ----------------------------------------------------------------------------- cancel, progress
def test_cancellation_is_prompt():
    calls = {"f": 0, "stop": 0}

    def counted(x):
        calls["f"] += 1
        return logistic(x)

    def should_stop():
        calls["stop"] += 1
        return calls["stop"] > 1                  # True from the second check on

    with pytest.raises(Cancelled):
        orbit_diagram(counted, 0.1, (1.5, 3.0), n_h=100, transient=5000, kept=200,
                      should_stop=should_stop)
    assert calls["stop"] == 2
    assert calls["f"] <= 110


def test_should_stop_is_polled_throughout():
    calls = []
    orbit_diagram(logistic, 0.1, (1.5, 3.0), n_h=10, should_stop=lambda: calls.append(1) or False)
    assert len(calls) >= 699 // 50


def test_progress_increases_to_one():
    seen: list[float] = []
    orbit_diagram(logistic, 0.1, (1.5, 3.0), n_h=10, transient=500, kept=200, progress=seen.append)
    assert len(seen) >= 10
    assert all(0 < v <= 1 for v in seen)
    assert all(a < b for a, b in zip(seen, seen[1:]))
    assert seen[-1] == 1.0


# ----------------------------------------------------------------------------- period_of
def test_period_of_synthetic_sequences():
    assert period_of(np.full(20, 0.7)) == 1
    assert period_of(np.tile([0.2, 0.9], 10)) == 2
    assert period_of(np.tile([0.1, 0.5, 0.8], 10)) == 3
    assert period_of(np.tile([1, 2, 3, 4, 5], 10), max_period=4) is None
    assert period_of(np.tile([1, 2, 3, 4, 5], 10), max_period=5) == 5
    assert period_of(np.random.default_rng(1).uniform(size=200)) is None
    assert period_of([1.0, np.nan, 1.0, 1.0]) is None
    assert period_of([1.0]) is None
    assert period_of(0.3 * 0.5 ** np.arange(500, 700)) == 1      # settling on 0
    assert period_of(np.tile([0.2, 0.9], 3)[:5]) == 2             # repeats at least once


def test_period_of_rejects_a_slow_drift():
    # x_{n+2} - x_n tiny, but the even points creep: not a converged 2-cycle.
    n = np.arange(200)
    creeping = 1 + (-1.0) ** n * (0.01 + 1e-7 * n)
    assert period_of(creeping) is None


def test_period_of_validates():
    with pytest.raises(ValueError):
        period_of(np.zeros((3, 3)))
    with pytest.raises(ValueError):
        period_of(np.zeros(5), rel_tol=-1)
    with pytest.raises(ValueError):
        period_of(np.zeros(5), max_period=0)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs", [
    dict(h_range=(-0.1, 1.0)), dict(h_range=(1.0, 1.0)), dict(h_range=(2.0, 1.0)),
    dict(h_range=(0.0, math.inf)), dict(h_range=(math.nan, 1.0)), dict(h_range=(1.0,)),
    dict(h_range="ab"), dict(h_range=None), dict(h_range=(1.0, 1.0 + 1e-16)),
    dict(n_h=1), dict(n_h=20_001), dict(n_h=2.5), dict(n_h=True),
    dict(bins=0), dict(bins=4001), dict(kept=0), dict(transient=-1),
    dict(transient=99_000, kept=2_000), dict(n_h=20_000, kept=1_000), dict(n_h=20_000, bins=4_000),
    dict(x_range=(1.0, 0.0)), dict(x_range=(0.0, math.nan)), dict(x_range=(-1e308, 1e308)),
    dict(x_range=(0.0, 5e-324)), dict(x0=math.inf), dict(x0="0.1"),
    dict(bound=0.0), dict(bound=math.nan), dict(bound=-1.0),
])
def test_bad_input_raises_value_error(kwargs):
    args = dict(f=logistic, x0=0.1, h_range=(1.5, 3.0), n_h=10, transient=5, kept=5) | kwargs
    with pytest.raises(ValueError):
        orbit_diagram(**args)


floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1.0, max_value=5.0),
    st.sampled_from([0.0, 1e-300, 5e-324, 1.0, 1.0 + 2.2e-16, 3.0, 1e308]),
)
# Half sensible, half anything: enough valid input reaches the shape checks below.
pairs = st.one_of(
    st.tuples(floats, floats),
    st.builds(lambda lo, width: (lo, lo + width), st.floats(0.0, 4.0), st.floats(1e-9, 3.0)),
)
counts = st.one_of(st.integers(1, 300), st.integers(-3, 700),
                   st.sampled_from([0, 1, 2, 4000, 4001, 20_000, 20_001]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h_range=pairs, n_h=counts, bins=counts, kept=st.integers(-1, 12),
       x_range=st.one_of(st.none(), pairs))
def test_any_input_gives_a_well_formed_diagram_or_value_error(h_range, n_h, bins, kept, x_range):
    lo, hi = h_range
    try:
        d = orbit_diagram(logistic, 0.1, (lo, hi), n_h=n_h, transient=10, kept=kept, bins=bins,
                          x_range=x_range)
    except ValueError:
        return
    assert d.h.shape == (n_h,) and d.h[0] == lo and d.h[-1] == hi and np.all(np.diff(d.h) > 0)
    assert d.orbits.shape == (n_h, kept) and d.diverged.shape == (n_h,)
    assert d.density.shape == (n_h, bins) and d.density.dtype == np.float32
    assert not np.isnan(d.density).any() and d.density.min() >= 0 and d.density.max() <= 1
    assert np.isnan(d.orbits[d.diverged]).all()
    assert np.isfinite(d.orbits[~d.diverged]).all()
    x_lo, x_hi = d.x_range
    assert math.isfinite(x_lo) and math.isfinite(x_hi) and x_lo < x_hi


# ----------------------------------------------------------------------------- CSV
def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@settings(max_examples=40, deadline=None)
@given(lo=st.floats(0.0, 3.4), width=st.floats(1e-3, 1.0), n_h=st.integers(2, 12),
       kept=st.integers(1, 9), transient=st.integers(0, 60))
def test_csv_round_trips_exactly(lo, width, n_h, kept, transient):
    d = orbit_diagram(logistic, 0.1, (lo, lo + width), n_h=n_h, transient=transient, kept=kept)
    rows = parse_csv(orbit_csv(d))
    assert rows[0] == ["h", "k", "x"]
    body = rows[1:]
    assert len(body) == np.isfinite(d.orbits).sum() == kept * int((~d.diverged).sum())
    index = {float(h): i for i, h in enumerate(d.h)}
    for h_text, k_text, x_text in body:
        i, k = index[float(h_text)], int(k_text)
        assert not d.diverged[i]
        assert float(x_text) == d.orbits[i, k]          # exact: repr round-trips


def test_csv_omits_diverged_step_sizes():
    d = orbit_diagram(logistic, 0.1, (2.5, 3.5), n_h=11, kept=4)
    assert d.diverged.any() and not d.diverged.all()
    hs = {float(r[0]) for r in parse_csv(orbit_csv(d))[1:]}
    assert hs == {float(h) for h in d.h[~d.diverged]}


def test_write_orbit_csv_is_atomic_and_tidy(tmp_path):
    d = orbit_diagram(logistic, 0.1, (1.5, 2.5), n_h=5, kept=3)
    target = tmp_path / "orbits.csv"
    target.write_text("old contents")
    write_orbit_csv(d, target)
    assert target.read_text(encoding="utf-8") == orbit_csv(d)
    assert sorted(os.listdir(tmp_path)) == ["orbits.csv"]        # no temporary left behind
    with pytest.raises(OSError):
        write_orbit_csv(d, tmp_path / "missing" / "orbits.csv")
    assert sorted(os.listdir(tmp_path)) == ["orbits.csv"]
