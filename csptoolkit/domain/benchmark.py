"""Peer-group statistics and the one rule that decides which of them a reader may see (DESIGN §6).

Quartiles interpolate linearly between order statistics (numpy's default, R's type 7). Rank 1 is the highest
score and ties share the lowest rank number (1, 2, 2, 4). The quartile band compares the authority's score with
the quartiles of the group including itself: A at or above the upper quartile, B at or above the median, C at or
above the lower quartile, else D.

What may be shown is decided by `disclosure()`, and nothing else: `position()` (and so `benchmark()`,
`benchmark_all()` and `summary()`) builds every figure through it, so a page, an export, a trend or an API answer
can only ever hold what the rule let through. The figures it withholds are never put in the result at all.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

DEFAULT_THRESHOLD = 5
BANDS = ("A", "B", "C", "D")


class Audience(Enum):
    """Who reads the figures."""

    PROGRAMME = "programme"  # programme admins: every authority named, every figure
    AUTHORITY = "authority"  # authority users (and anything made for them): their own authority named, no peer


class GroupAccess(Enum):
    """How a peer group came to be, which decides how much of it an authority user may see."""

    FIXED = "fixed"  # statistical neighbours, region, authority type, nation, all: the register decides them
    SHARED = "shared"  # a group programme staff built and shared with everyone
    PRIVATE = "private"  # a group a user built for themselves: its members were chosen by the reader


class Disclosure(Enum):
    """What a reader may see of one score in one group, from most to least."""

    NAMED = "named"  # every statistic, and every member's value with its name (programme staff only)
    STATISTICS = "statistics"  # n, mean, median, quartiles, rank and quartile band; no member's value
    POSITION = "position"  # n, the authority's own score, its rank among the scored members and quartile band
    NONE = "none"  # n and the authority's own score

    @property
    def shows_statistics(self) -> bool:
        """Mean, median and quartiles."""
        return self in (Disclosure.NAMED, Disclosure.STATISTICS)

    @property
    def shows_range(self) -> bool:
        """The minimum and maximum: each is one member's own value."""
        return self is Disclosure.NAMED

    @property
    def shows_position(self) -> bool:
        return self is not Disclosure.NONE

    @property
    def shows_members(self) -> bool:
        """Individual members' values: chart dots and the rows of the members' table."""
        return self is Disclosure.NAMED


# The members as plain names for the hot paths below: an enum member's lookup on its class is slow in Python
# 3.11, and a national benchmark decides thousands of positions.
_NAMED, _STATISTICS, _POSITION, _NONE = Disclosure.NAMED, Disclosure.STATISTICS, Disclosure.POSITION, Disclosure.NONE
_PROGRAMME, _PRIVATE = Audience.PROGRAMME, GroupAccess.PRIVATE


@dataclass(frozen=True, slots=True)
class Policy:
    """The inputs of the rule that do not depend on the scores: who reads, what kind of group, the threshold."""

    audience: Audience
    access: GroupAccess
    threshold: int = DEFAULT_THRESHOLD


def disclosure(policy: Policy, scored: int, own_scored: bool, left_out: int = 0) -> Disclosure:
    """THE disclosure rule: how much of a group's figures on one score a reader may see.

    `scored` counts the group's members with a score on it, the authority itself included; `left_out` counts
    the members with a best-available score that the basis asked for leaves out (moderated only, while some
    are not moderated yet).

    - Programme admins see everything, named: they can read every authority's scores anyway.
    - A fixed group, or one programme staff shared, shows its mean, median and quartiles (anonymised) once at
      least `threshold` members have a score; below that, only n and the authority's own score.
    - A group an authority user built for itself shows only the authority's own position (rank and quartile
      band), and only with at least `threshold` scored members besides the authority: its members were picked
      by the reader, so two such groups differing by one authority would give that authority's score from any
      mean, quartile, minimum or maximum, and a group of one would give it outright.

    What no authority user sees, in any group, because it gives away one named authority's score:
    - a peer's own value (no chart dot, no lettered row): values laid side by side in two overlapping fixed
      groups (statistical neighbours and the London split, say) single out the members in only one of them;
    - the minimum and maximum: a rank in the user's own groups tells who is above and who below the authority,
      so when one member alone is below it (or above), the minimum (or maximum) is that member's score;
    - a group's figures on a basis that leaves members out: beside the same group on the best basis,
      n x mean minus n x mean is the sum of the left-out members' scores, and the user's own groups tell who
      they are (n counts only the members scored on the basis asked for). Rank and quartile band only, then.
    """
    if policy.audience is _PROGRAMME:
        return _NAMED
    if policy.access is _PRIVATE:
        besides_self = scored - 1 if own_scored else scored
        return _POSITION if own_scored and besides_self >= policy.threshold else _NONE
    if scored < max(policy.threshold, 1):
        return _NONE
    return _POSITION if left_out else _STATISTICS


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
    """A group's figures for one score; everything but n is None when there is nothing (allowed) to show."""

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


def statistics(values: Iterable[float | None]) -> Statistics:
    """Every figure over the scored values (None is left out). Pure arithmetic: what may be shown of them is
    for `disclosure()` to say, so outputs call `position()` or `summary()`, never this."""
    return statistics_of_sorted(sorted(v for v in values if v is not None))


def statistics_of_sorted(ordered: Sequence[float], with_range: bool = True) -> Statistics:
    """Every figure of values sorted ascending (without min and max when a caller knows they cannot be shown)."""
    n = len(ordered)
    if n == 0:
        return Statistics(0)
    return Statistics(n, math.fsum(ordered) / n, quantile(ordered, 0.5), quantile(ordered, 0.25),
                      quantile(ordered, 0.75), ordered[0] if with_range else None, ordered[-1] if with_range else None)


def rank(score: float, ordered: Sequence[float]) -> int:
    """1 + how many scored members are strictly higher: ties share the lowest rank number."""
    return len(ordered) - bisect_right(ordered, score) + 1


def rank_bounds(now: Position, score: float) -> tuple[int, int]:
    """The best and worst rank `score` could have in the group if it replaced the authority's own, as far as what
    `now` shows tells: the quartiles (`now` must show statistics), the authority's own score and its rank.

    Only those figures are used, never a member's value, so the bounds move only where `score` passes a quartile
    or the authority's own score, all of them shown already: trying scores finds nothing more. A quartile at order
    position h (R type 7) lies between the values at floor(h) and ceil(h), so at most n - 1 - floor(h) values are
    above it and at least n - ceil(h) are at or above it; the authority's own value, which `score` replaces, is
    taken out of those counts.
    """
    stats, own = now.stats, now.score
    n = stats.n
    peers = n - (own is not None)
    at_most, at_least = peers, 0  # how many of the other members score strictly higher than `score`
    for quartile, p in ((stats.q1, 0.25), (stats.median, 0.5), (stats.q3, 0.75)):
        if quartile is None:
            raise ValueError("rank_bounds needs a position that shows the quartiles")
        at = (n - 1) * p
        low = math.floor(at)
        high = low if at == low else low + 1
        if quartile <= score:
            at_most = min(at_most, n - 1 - low - (own is not None and own > quartile))
        else:
            at_least = max(at_least, n - high - (own is not None and own >= quartile))
    if own is not None and now.rank is not None:  # now.rank - 1 members are above the authority's own score
        if own <= score:
            at_most = min(at_most, now.rank - 1)
        if own >= score:
            at_least = max(at_least, now.rank - 1)
    return 1 + at_least, 1 + at_most


def band(score: float, stats: Statistics) -> str | None:
    """The quartile band A-D of a score against a group's quartiles."""
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
    """Where one authority stands in one group for one score, holding only what `disclosure` allows."""

    score: float | None  # the authority's own score (None for a summary of a whole group)
    stats: Statistics  # n always; the rest only as far as `disclosure` shows them
    disclosure: Disclosure
    rank: int | None = None
    band: str | None = None
    members: Mapping[Hashable, float | None] | None = None  # each member's value, only when shows_members

    @property
    def of(self) -> int:
        return self.stats.n

    @property
    def values(self) -> list[float]:
        """The members' scored values (chart dots); empty unless the disclosure names members."""
        return [v for v in (self.members or {}).values() if v is not None]


def _shown(full: Statistics, decision: Disclosure) -> Statistics:
    """The figures of `full` that `decision` lets through (as the properties of Disclosure say)."""
    if decision is _NAMED:
        return full
    if decision is _STATISTICS:
        if full.min is None and full.max is None:
            return full  # nothing to take out
        return Statistics(full.n, full.mean, full.median, full.q1, full.q3)
    return Statistics(full.n)


def position(own: float | None, ordered: Sequence[float], policy: Policy,
             members: Mapping[Hashable, float | None] | None = None, stats: Statistics | None = None,
             left_out: int = 0) -> Position:
    """The authority's position among the group's scored values (sorted ascending, the authority's among them),
    cut down to what the rule allows. `members` (member -> value) is kept only where members may be shown;
    `stats` lets a caller that places many authorities in one group compute the group's figures once."""
    decision = disclosure(policy, len(ordered), own is not None, left_out)
    if decision is _NONE:
        return Position(own, Statistics(len(ordered)), decision)
    full = stats if stats is not None else statistics_of_sorted(ordered)
    shown = _shown(full, decision)
    named = members if decision is _NAMED else None  # shows_members
    if own is None:
        return Position(own, shown, decision, members=named)
    return Position(own, shown, decision, rank(own, ordered), band(own, full), named)


def summary(values: Mapping[Hashable, float | None], policy: Policy) -> Position:
    """A whole group's figures on one score, with no authority of its own (the national and region views)."""
    return position(None, sorted(v for v in values.values() if v is not None), policy, values)


Scores = Mapping[str, float | None]
"""One authority's scores by scope key: "overall", "domain:<id>", "standard:<id>"."""


def benchmark(own: Hashable, group: Iterable[Hashable], scores: Mapping[Hashable, Scores], keys: Sequence[str],
              policy: Policy, best: Mapping[Hashable, Scores] | None = None) -> dict[str, Position]:
    """An authority's position on every score key, in a group that always includes the authority itself.

    `best` gives the members' best-available scores when `scores` are on a basis that may leave some out
    (moderated only), so that the rule can tell how many it leaves out."""
    members = set(group) | {own}
    mine = scores.get(own, {})
    result = {}
    for key in keys:
        values = {m: scores.get(m, {}).get(key) for m in members}
        ordered = sorted(v for v in values.values() if v is not None)
        left_out = 0 if best is None else sum(
            1 for m in members if values[m] is None and best.get(m, {}).get(key) is not None)
        result[key] = position(mine.get(key), ordered, policy, values, left_out=left_out)
    return result


def benchmark_all(groups: Mapping[Hashable, Iterable[Hashable]], scores: Mapping[Hashable, Scores],
                  keys: Sequence[str], policy: Policy, best: Mapping[Hashable, Scores] | None = None
                  ) -> dict[Hashable, dict[str, Position]]:
    """Every authority's positions (`best` as for benchmark()). Each member's scores are laid out once in key
    order, and a group object shared by many authorities (a region, the nation) is sorted once, so the cost
    grows linearly."""
    empty: tuple[float | None, ...] = (None,) * len(keys)
    rows = {m: tuple(s.get(k) for k in keys) for m, s in scores.items()}
    best_rows = None if best is None else {m: tuple(s.get(k) for k in keys) for m, s in best.items()}
    # Whether to lay out members' values and the range at all (only programme staff see them, whatever the
    # group): a saving only, since position() takes them out again wherever the rule does not show them.
    names = disclosure(policy, 0, False).shows_members
    members_of: dict[int, frozenset] = {}
    columns_of: dict[frozenset, list[tuple[list[float], Statistics, dict | None, int]]] = {}
    result: dict[Hashable, dict[str, Position]] = {}
    for own, group in groups.items():
        members = members_of.get(id(group))
        if members is None:
            members = members_of[id(group)] = frozenset(group)
        if own not in members:
            members = members | {own}
        columns = columns_of.get(members)
        if columns is None:
            member_rows = [(m, rows.get(m, empty)) for m in members]
            columns = []
            for index in range(len(keys)):
                ordered = sorted(v for _m, row in member_rows if (v := row[index]) is not None)
                named = {m: row[index] for m, row in member_rows} if names else None
                left_out = 0 if best_rows is None else sum(
                    1 for m, row in member_rows if row[index] is None and best_rows.get(m, empty)[index] is not None)
                columns.append((ordered, statistics_of_sorted(ordered, names), named, left_out))
            columns_of[members] = columns
        mine = rows.get(own, empty)
        result[own] = {key: position(mine[i], columns[i][0], policy, columns[i][2], columns[i][1], columns[i][3])
                       for i, key in enumerate(keys)}
    return result


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st: English ordinals for "4th of 11"."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
