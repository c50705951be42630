"""Calibration of moderation: how far moderation moved the self-assessed overall score, per champion and per authority.

The programme watches whether champions moderate alike and which authorities over- or under-rate themselves. A
review counts once its moderation is complete (the assessment is moderated or published). Its gap is the moderated
overall score minus the self-assessed one. The mean absolute gap is worked exactly (Fractions) from the stored
4-decimal scores and is rounded (half-up, one decimal) only where it is shown. The gap shown beside one assessment's
two scores is the difference of the two scores as shown, as on its review page (domain/moderation.Gap), so what
people read adds up. Nothing here reads a database: the service passes the stored scores in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .moderation import Gap
from .scoring import OVERALL, shown_number
from .states import MODERATED_STATES


@dataclass(frozen=True)
class OverallScores:
    """An assessment's stored overall scores, self-assessed and moderated (4 decimals; None where not scored)."""

    self_score: Decimal | None
    moderated_score: Decimal | None = None

    @property
    def exact_gap(self) -> Decimal | None:
        """Moderated minus self-assessed, exactly, from the stored scores; None unless both are scored."""
        if self.self_score is None or self.moderated_score is None:
            return None
        return self.moderated_score - self.self_score

    @property
    def shown_gap(self) -> Decimal | None:
        """The gap as read beside the two scores: the difference of the scores as shown (as on the review page)."""
        return Gap(OVERALL, shown_number(self.self_score), shown_number(self.moderated_score)).gap


def mean_absolute_gap(gaps: Iterable[Decimal | None]) -> Fraction | None:
    """The mean of the gaps' sizes, exactly; gaps that are None (a score not scored) are left out. None when no
    gap is known."""
    sizes = [abs(Fraction(gap)) for gap in gaps if gap is not None]
    if not sizes:
        return None
    return sum(sizes, Fraction(0)) / len(sizes)


# ----------------------------------------------------------------------------------------------------------
# Champions


@dataclass(frozen=True)
class Champion:
    id: int
    name: str


@dataclass(frozen=True)
class ChampionCalibration:
    """A champion's completed reviews: how many, and the mean absolute gap of their assessments' overall scores."""

    champion_id: int
    name: str
    reviews: int
    mean_absolute_gap: Fraction | None  # None with no reviews (or none whose scores are both scored)


def champion_calibration(champions: Iterable[Champion], reviews: Iterable[tuple[int, int]],
                         scores: Mapping[int, OverallScores]) -> list[ChampionCalibration]:
    """Every champion given, by name, with their completed reviews: `reviews` are (champion id, assessment id)
    pairs of assessments whose moderation is complete, `scores` those assessments' overall scores by id. A champion
    with no completed review has 0 reviews and no mean."""
    assessments: dict[int, set[int]] = {}
    for champion_id, assessment_id in reviews:
        assessments.setdefault(champion_id, set()).add(assessment_id)
    rows = []
    for champion in champions:
        mine = assessments.get(champion.id, set())
        gaps = [scores[a].exact_gap if a in scores else None for a in mine]
        rows.append(ChampionCalibration(champion.id, champion.name, len(mine), mean_absolute_gap(gaps)))
    return sorted(rows, key=lambda row: (row.name.casefold(), row.name, row.champion_id))


# ----------------------------------------------------------------------------------------------------------
# Authorities, across cycles


@dataclass(frozen=True)
class Authority:
    id: int
    code: str
    name: str
    region: str | None = None


@dataclass(frozen=True)
class CycleAssessment:
    """One submitted (or later) assessment of an authority in a cycle, with its stored overall scores."""

    authority: Authority
    cycle_id: int
    state: str
    scores: OverallScores


@dataclass(frozen=True)
class CycleCalibration:
    """One cycle of an authority: its overall scores and their gap. Moderated and gap are None until the cycle's
    moderation is complete (a moderated score counts only from then on)."""

    cycle_id: int
    state: str
    self_score: Decimal | None
    moderated_score: Decimal | None
    gap: Decimal | None  # as shown beside the two scores

    @property
    def moderated(self) -> bool:
        return self.state in MODERATED_STATES


@dataclass(frozen=True)
class AuthorityCalibration:
    authority: Authority
    cycles: tuple[CycleCalibration, ...]  # in the order given
    moderated_cycles: int
    mean_absolute_gap: Fraction | None  # across its moderated cycles, exactly


def authority_calibration(assessments: Sequence[CycleAssessment]) -> list[AuthorityCalibration]:
    """Every authority with at least one completed moderation, with each of its cycles (in the order given) and the
    mean absolute gap across the moderated ones; the largest mean first (authorities with no known gap last), then
    by name."""
    by_authority: dict[Authority, list[CycleAssessment]] = {}
    for row in assessments:
        by_authority.setdefault(row.authority, []).append(row)
    found = []
    for authority, rows in by_authority.items():
        done = [row for row in rows if row.state in MODERATED_STATES]
        if not done:
            continue
        cycles = tuple(CycleCalibration(
            row.cycle_id, row.state, row.scores.self_score,
            row.scores.moderated_score if row.state in MODERATED_STATES else None,
            row.scores.shown_gap if row.state in MODERATED_STATES else None) for row in rows)
        found.append(AuthorityCalibration(authority, cycles, len(done),
                                          mean_absolute_gap(row.scores.exact_gap for row in done)))
    return sorted(found, key=_largest_gap_first)


def _largest_gap_first(row: AuthorityCalibration) -> tuple:
    gap = row.mean_absolute_gap
    return (gap is None, -(gap or 0), row.authority.name.casefold(), row.authority.code)
