"""Peer-group statistics: n, mean, median, quartiles, min, max, rank, quartile band A-D, disclosure control.

DESIGN §6 is the rule book. Quartiles interpolate linearly between order statistics (numpy's default, R's
type 7). Rank 1 is the highest score and ties share the lowest rank number (1, 2, 2, 4). The band compares the
authority's score with the quartiles of the group including itself: A at or above the upper quartile, B at or
above the median, C at or above the lower quartile, else D. A group with fewer scored members than the
disclosure threshold shows only n and the authority's own score.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5
BANDS = ("A", "B", "C", "D")


def quantile(ordered: Sequence[float], p: float) -> float:
    """The p-quantile of values already sorted ascending, by linear interpolation (R type 7)."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * p
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


@dataclass(slots=True)  # not frozen: a national benchmark makes thousands, and frozen ones are slow to build
class Statistics:
    """A group's figures for one score; everything but n is None when the group is too small to show."""

    n: int
    mean: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    min: float | None = None
    max: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.mean is None


def statistics(values: Iterable[float | None], threshold: int = DEFAULT_THRESHOLD) -> Statistics:
    """Figures over the scored values (None is left out), suppressed under the disclosure threshold."""
    ordered = sorted(v for v in values if v is not None)
    return statistics_of_sorted(ordered, threshold)


def statistics_of_sorted(ordered: Sequence[float], threshold: int = DEFAULT_THRESHOLD) -> Statistics:
    n = len(ordered)
    if n == 0 or n < threshold:
        return Statistics(n)
    return Statistics(n=n, mean=math.fsum(ordered) / n, median=quantile(ordered, 0.5), q1=quantile(ordered, 0.25),
                      q3=quantile(ordered, 0.75), min=ordered[0], max=ordered[-1])


def rank(score: float, ordered: Sequence[float]) -> int:
    """1 + how many scored members are strictly higher: ties share the lowest rank number."""
    return len(ordered) - bisect_right(ordered, score) + 1


def band(score: float, stats: Statistics) -> str | None:
    if stats.suppressed:
        return None
    if score >= stats.q3:
        return "A"
    if score >= stats.median:
        return "B"
    if score >= stats.q1:
        return "C"
    return "D"


@dataclass(slots=True)
class Position:
    """Where one authority stands in one group for one score."""

    score: float | None
    stats: Statistics
    rank: int | None = None
    band: str | None = None

    @property
    def of(self) -> int:
        return self.stats.n


def position(own: float | None, ordered: Sequence[float], threshold: int = DEFAULT_THRESHOLD,
             stats: Statistics | None = None) -> Position:
    """The authority's position among the group's scored members (sorted ascending, the authority among them)."""
    stats = stats if stats is not None else statistics_of_sorted(ordered, threshold)
    if own is None or stats.suppressed:
        return Position(own, stats)
    return Position(own, stats, rank(own, ordered), band(own, stats))


Scores = Mapping[str, float | None]
"""One authority's scores by scope key: "overall", "domain:<id>", "standard:<id>"."""


def benchmark(own: Hashable, group: Iterable[Hashable], scores: Mapping[Hashable, Scores], keys: Sequence[str],
              threshold: int = DEFAULT_THRESHOLD) -> dict[str, Position]:
    """An authority's position on every score key, in a group that always includes the authority itself."""
    members = set(group) | {own}
    mine = scores.get(own, {})
    result = {}
    for key in keys:
        ordered = sorted(v for m in members if (v := scores.get(m, {}).get(key)) is not None)
        result[key] = position(mine.get(key), ordered, threshold)
    return result


def benchmark_all(groups: Mapping[Hashable, Iterable[Hashable]], scores: Mapping[Hashable, Scores],
                  keys: Sequence[str], threshold: int = DEFAULT_THRESHOLD) -> dict[Hashable, dict[str, Position]]:
    """Every authority's positions. Each member's scores are laid out once in key order, and a group object
    shared by many authorities (a region, the nation) is sorted once, so the cost grows linearly."""
    empty: tuple[float | None, ...] = (None,) * len(keys)
    rows = {m: tuple(s.get(k) for k in keys) for m, s in scores.items()}
    members_of: dict[int, frozenset] = {}
    columns_of: dict[frozenset, list[tuple[list[float], Statistics]]] = {}
    result: dict[Hashable, dict[str, Position]] = {}
    for own, group in groups.items():
        members = members_of.get(id(group))
        if members is None:
            members = members_of[id(group)] = frozenset(group)
        if own not in members:
            members = members | {own}
        columns = columns_of.get(members)
        if columns is None:
            member_rows = [rows.get(m, empty) for m in members]
            columns = []
            for index in range(len(keys)):
                ordered = sorted(v for row in member_rows if (v := row[index]) is not None)
                columns.append((ordered, statistics_of_sorted(ordered, threshold)))
            columns_of[members] = columns
        mine = rows.get(own, empty)
        result[own] = {key: position(mine[i], columns[i][0], threshold, columns[i][1]) for i, key in enumerate(keys)}
    return result


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st: English ordinals for "4th of 11"."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
