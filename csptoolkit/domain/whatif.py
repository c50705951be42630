"""What-if: the scores, bands, gates and position among peers that target levels would give (DESIGN §7).

Nothing here is a formula of its own. The hypothetical answers are a copy of the authority's answers with each
target put in its criterion's place, scored by domain/scoring; the position is domain/benchmark's rank and quartile
band over the authority's group with the authority's own score replaced, cut down by domain/benchmark's disclosure
rule. What comes out holds the authority's own rank, group size and band only: no peer's value, no statistic.
With the targets, an authority user gets the quartile band against the group's quartiles as they are now, and the
ranks the score could have as far as those quartiles and the authority's own place tell (`projected`): never a
rank worked out from the peers' values, since a rank of a score one can choose would find every one by trying.

Decisions, said on the page too:
- A target may be any level on the scale, below the current level as well as above: the authority is exploring,
  and "what if the champion moderated this down?" is a fair question. Yes/no criteria take no (0) or yes (max).
- A target on an N/A or unanswered criterion rates it: it then counts in the what-if's scores.
- A target follows the visibility rules like any answer: on a criterion that depends on another, it counts only
  while the what-if's answers show that criterion (its condition may itself be met by another target), and it is
  listed as not counted otherwise. Raising a criterion that others depend on can reveal them, and so can lower a
  score, exactly as in the assessment itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import benchmark, planning, scoring
from .standards import Framework

Scorer = Callable[[Mapping[str, scoring.Answer]], scoring.Result]


TargetError = planning.TargetError


def target_levels(framework: Framework, criterion_id: str) -> tuple[int, ...]:
    """The levels a criterion's target may take (the plan's own rule, domain/planning.check_target): the scale,
    or no (0) and yes (max) for a yes/no criterion. KeyError for a criterion the version does not have."""
    framework.criterion(criterion_id)
    levels = []
    for level in framework.scale:
        try:
            levels.append(planning.check_target(framework, criterion_id, level.value))
        except TargetError:
            continue
    return tuple(levels)


def check_targets(framework: Framework, raw: Mapping[str, Any]) -> dict[str, int]:
    """Targets as given (criterion id -> level, as a number or its text; None or "" for none), checked by the
    plan's rule; raises TargetError on the first that names no criterion or a level the criterion cannot take."""
    targets: dict[str, int] = {}
    for criterion_id, value in raw.items():
        if value is None or value == "":
            continue
        level: Any = value
        if isinstance(value, str):
            level = int(value) if value.isascii() and value.isdigit() else value
        targets[criterion_id] = planning.check_target(framework, criterion_id, level)
    return targets


def hypothetical_answers(answers: Mapping[str, scoring.Answer], targets: Mapping[str, int]
                         ) -> dict[str, scoring.Answer]:
    """A copy of the answers with each target in its criterion's place (the stored answers are never touched)."""
    return {**answers, **targets}


@dataclass(frozen=True)
class Standing:
    """The authority's own place in its group on one score: what the disclosure rule lets through, nothing else."""

    of: int  # the group's members with a score, the authority included
    rank: int | None = None  # None when the rule withholds it, the authority has no score, or only `ranks` is known
    band: str | None = None  # quartile band A-D, on the same terms
    ranks: tuple[int, int] | None = None  # a hypothetical score's best and worst possible rank, when not exact

    @property
    def shown(self) -> bool:
        return self.band is not None


def standing(position: benchmark.Position) -> Standing:
    """Only the authority's own rank and band out of a Position: never its statistics or members' values."""
    return Standing(position.of, position.rank, position.band)


@dataclass(frozen=True)
class WhatIf:
    targets: dict[str, int]
    answers: dict[str, scoring.Answer]  # the hypothetical answers
    current: scoring.Result
    result: scoring.Result
    not_counted: tuple[str, ...]  # targets on criteria the what-if's answers do not show (depends_on)
    now: dict[str, Standing]  # by score key; empty when there is no group to compare with
    then: dict[str, Standing]
    changed: tuple[str, ...] = ()  # targets that differ from the current answer
    ranges: bool = False  # the standings with the targets are the ranges the shown figures allow, not exact ranks


def _values(result: scoring.Result, keys: Sequence[str], as_value: Callable[[Fraction], float]
            ) -> dict[str, float | None]:
    exact = {scoring.OVERALL: result.overall.exact}
    exact |= {scoring.score_key(scoring.DOMAIN, k): s.exact for k, s in result.domains.items()}
    exact |= {scoring.score_key(scoring.STANDARD, k): s.exact for k, s in result.standards.items()}
    return {key: None if exact.get(key) is None else as_value(exact[key]) for key in keys}


def _positions(own: Hashable, members: Iterable[Hashable], scores: Mapping[Hashable, benchmark.Scores],
               mine: dict[str, float | None], keys: Sequence[str], policy: benchmark.Policy
               ) -> dict[str, benchmark.Position]:
    # The group's stored scores with the authority's own replaced (a draft has none stored: it is added).
    return benchmark.benchmark(own, members, {**scores, own: mine}, keys, policy)


def projected(now: benchmark.Position, value: float | None) -> Standing:
    """Where a hypothetical score would stand, for an authority user: its quartile band against the quartiles the
    group shows now (the benchmark page's), and the ranks it could have as far as those quartiles and the
    authority's own score and rank tell (domain/benchmark.rank_bounds): exact where they pin it down.

    A rank worked out from the peers' values with a score the reader chooses is a probe: it moves exactly where
    the score passes a peer's, so trying targets would find every peer's own value (and the minimum and maximum),
    which the disclosure rule never shows (domain/benchmark.disclosure). Measured against figures already shown,
    a hypothetical score tells nothing new; where the quartiles are withheld, so are the band and the ranks.
    """
    if value is None or not now.disclosure.shows_statistics:
        return Standing(now.of)
    best, worst = benchmark.rank_bounds(now, value)
    band = benchmark.band(value, now.stats)
    if best == worst:
        return Standing(now.of, best, band)
    return Standing(now.of, None, band, (best, worst))


def what_if(framework: Framework, answers: Mapping[str, scoring.Answer], targets: Mapping[str, int],
            own: Hashable | None = None, members: Iterable[Hashable] = (),
            scores: Mapping[Hashable, benchmark.Scores] | None = None, policy: benchmark.Policy | None = None,
            keys: Sequence[str] = (scoring.OVERALL,), as_value: Callable[[Fraction], float] = float,
            scorer: Scorer | None = None) -> WhatIf:
    """The scores the answers give now and with the targets, and the authority's standing in its group on each
    of `keys` now and with them.

    `targets` are already checked (check_targets). `members` is the group (the authority `own` among them or not),
    `scores` the members' stored scores by key (the authority's own, if stored, is replaced), `as_value` turns an
    exact score into the form the stored ones have, so that a what-if with no change stands exactly where the
    benchmark page puts the authority. `scorer` scores a set of answers (a cached domain/scoring.score); without a
    group (`policy` None) there are no standings.
    """
    score = scorer or (lambda given: scoring.score(framework, given))
    hypothetical = hypothetical_answers(answers, targets)
    current, result = score(dict(answers)), score(hypothetical)
    not_counted = tuple(cid for cid in targets if cid not in result.visible)
    now: dict[str, Standing] = {}
    then: dict[str, Standing] = {}
    if policy is not None and own is not None:
        group = list(members)
        positions = _positions(own, group, scores or {}, _values(current, keys, as_value), keys, policy)
        now = {key: standing(p) for key, p in positions.items()}
        mine = _values(result, keys, as_value)
        ranges = policy.audience is not benchmark.Audience.PROGRAMME  # programme staff see every value named
        if ranges:
            then = {key: projected(p, mine.get(key)) for key, p in positions.items()}
        else:
            then = {key: standing(p) for key, p in
                    _positions(own, group, scores or {}, mine, keys, policy).items()}
    else:
        ranges = False
    changed = tuple(cid for cid, level in targets.items() if answers.get(cid) != level)
    return WhatIf(dict(targets), hypothetical, current, result, not_counted, now, then, changed, ranges)
