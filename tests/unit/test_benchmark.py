"""Peer-group statistics (DESIGN §6): checked against numpy on random data, and their properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csptoolkit.domain import benchmark as rules

scores = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)


@settings(max_examples=300)
@given(st.lists(scores, min_size=5, max_size=60))
def test_figures_agree_with_numpy(values: list[float]) -> None:
    stats = rules.statistics(values)
    assert stats.n == len(values)
    assert stats.mean == pytest.approx(np.mean(values), abs=1e-9)
    assert stats.median == pytest.approx(np.percentile(values, 50), abs=1e-9)
    assert stats.q1 == pytest.approx(np.percentile(values, 25), abs=1e-9)
    assert stats.q3 == pytest.approx(np.percentile(values, 75), abs=1e-9)
    assert (stats.min, stats.max) == (min(values), max(values))


def test_quartiles_by_hand() -> None:
    # R type 7 on 1..10: q1 = 3.25, median = 5.5, q3 = 7.75.
    stats = rules.statistics([float(v) for v in range(10, 0, -1)])
    assert (stats.q1, stats.median, stats.q3) == (3.25, 5.5, 7.75)


def test_ties_share_the_lowest_rank_number() -> None:
    ordered = sorted([90.0, 80.0, 80.0, 70.0, 60.0])
    assert [rules.rank(v, ordered) for v in (90.0, 80.0, 70.0, 60.0)] == [1, 2, 4, 5]


def test_bands_by_quartile() -> None:
    ordered = [float(v) for v in range(1, 11)]
    stats = rules.statistics(ordered)
    assert [rules.band(v, stats) for v in (10.0, 7.75, 7.0, 5.5, 4.0, 3.25, 3.0, 1.0)] == [
        "A", "A", "B", "B", "C", "C", "D", "D"]


def test_small_groups_show_only_n_and_the_own_score() -> None:
    position = rules.position(55.0, [40.0, 55.0, 70.0, 80.0], threshold=5)
    assert position.stats.n == 4 and position.stats.suppressed
    assert (position.stats.mean, position.stats.median, position.rank, position.band) == (None, None, None, None)
    assert position.score == 55.0


def test_the_group_always_includes_the_authority_and_leaves_out_the_unscored() -> None:
    scores = {"me": {"overall": 50.0}, "a": {"overall": 60.0}, "b": {"overall": None}, "c": {"overall": 70.0},
              "d": {"overall": 40.0}, "e": {"overall": 65.0}, "f": {}}
    result = rules.benchmark("me", ["a", "b", "c", "d", "e", "f"], scores, ["overall"])
    position = result["overall"]
    assert position.of == 5 and position.rank == 4 and position.band == "C"  # 4th of 5: 70, 65, 60, 50, 40


def test_ordinals() -> None:
    assert [rules.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]


@settings(max_examples=200)
@given(st.lists(scores, min_size=1, max_size=40), st.integers(0, 39), st.integers(1, 8))
def test_properties_of_a_position(values: list[float], pick: int, threshold: int) -> None:
    own = values[pick % len(values)]
    ordered = sorted(values)
    position = rules.position(own, ordered, threshold)
    if len(values) < threshold:
        assert position.stats.suppressed and position.rank is None and position.band is None
        return
    stats = position.stats
    assert stats.min <= stats.q1 <= stats.median <= stats.q3 <= stats.max
    assert 1 <= position.rank <= len(values)
    assert position.rank == 1 + sum(1 for v in values if v > own)
    if own == max(values):
        assert position.rank == 1 and position.band == "A"
    if own < stats.q1:
        assert position.band == "D"


@settings(max_examples=100)
@given(st.dictionaries(st.integers(0, 30), st.one_of(st.none(), scores), min_size=1, max_size=31), st.data())
def test_benchmark_all_agrees_with_one_at_a_time(values: dict[int, float | None], data: st.DataObject) -> None:
    scores = {k: {"overall": v, "domain:x": None if v is None else 100 - v} for k, v in values.items()}
    members = list(values)
    groups = {own: data.draw(st.lists(st.sampled_from(members), max_size=12)) for own in members}
    everyone = rules.benchmark_all(groups, scores, ["overall", "domain:x"], threshold=3)
    for own, group in groups.items():
        assert everyone[own] == rules.benchmark(own, group, scores, ["overall", "domain:x"], threshold=3)
