"""A commissioning champion's peer reviews as a list: each with how far it has got, filtered, sorted and paged, read
in four queries however many reviews there are."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..domain import moderation as rules
from ..domain.states import IN_REVIEW, MODERATED_STATES, RETURNED, SUBMITTED
from ..models import Answer, Assessment, Criterion, Cycle, Organisation, ReviewAssignment, ReviewFinding, User

SORTS = ("name", "status", "progress")
# Sorted by status, what waits for the champion comes first and what is finished last.
STATUS_ORDER = (IN_REVIEW, RETURNED, SUBMITTED, *MODERATED_STATES)


@dataclass(frozen=True)
class ReviewRow:
    """One review as the champion's list shows it: plain values, and what is left of it.

    `sampled` counts the criteria of the evidence sample (every assigned champion's together) that are still rated;
    `found` those of them with a finding; `awaiting_response` the challenges and requests the authority has not
    answered; `awaiting_level` those answered that have no moderated level yet (as domain/moderation.outstanding
    counts them)."""

    id: int
    state: str
    authority: str
    cycle_id: int
    cycle_name: str
    cycle_slug: str
    cycle_opens_on: date
    sampled: int
    found: int
    awaiting_response: int
    awaiting_level: int

    @property
    def completed(self) -> bool:
        """Moderation is over: what the counts say no longer waits for anyone."""
        return self.state in MODERATED_STATES

    @property
    def progress(self) -> Fraction:
        """How far the review has got, 0 to 1: the share of sampled criteria with a finding, less while a
        challenge or request is open; 1 once moderation is completed."""
        if self.completed:
            return Fraction(1)
        steps = self.sampled + self.awaiting_response + self.awaiting_level
        return Fraction(1) if steps == 0 else Fraction(self.found, steps)


@dataclass(frozen=True)
class ReviewListPage:
    rows: tuple[ReviewRow, ...]
    total: int
    page: int
    pages: int


class _Listed(NamedTuple):
    """A review as the first query reads it, before its progress is counted."""

    id: int
    state: str
    authority: str
    cycle_id: int
    cycle_name: str
    cycle_slug: str
    cycle_opens_on: date


def _by_name(row: _Listed | ReviewRow):
    return (row.authority.casefold(), -row.cycle_opens_on.toordinal(), row.id)


def _by_status(row: _Listed | ReviewRow):
    return (STATUS_ORDER.index(row.state) if row.state in STATUS_ORDER else len(STATUS_ORDER), *_by_name(row))


def _by_progress(row: ReviewRow):
    return (row.progress, *_by_name(row))  # least far first: what needs doing


def champion_reviews(session: Session, champion: User, *, cycle_id: int | None = None, state: str | None = None,
                     sort: str = "name", page: int = 1, per_page: int = 50) -> ReviewListPage:
    """The reviews the champion is assigned to, optionally of one cycle and one state, sorted by authority name,
    status or progress (least far first); one page of them. Four queries whatever their number: the reviews, then
    the samples of every assignment of them, their findings, and their answers that are not rated (of the page's
    reviews only, unless sorted by progress, which needs every review's)."""
    chosen = (select(Assessment.id).join(ReviewAssignment, ReviewAssignment.assessment_id == Assessment.id)
              .where(ReviewAssignment.champion_id == champion.id))
    if cycle_id is not None:
        chosen = chosen.where(Assessment.cycle_id == cycle_id)
    if state:
        chosen = chosen.where(Assessment.state == state)
    listed = [_Listed(*row) for row in session.execute(
        select(Assessment.id, Assessment.state, Organisation.name, Cycle.id, Cycle.name, Cycle.slug, Cycle.opens_on)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id).where(Assessment.id.in_(chosen)))]
    total = len(listed)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    shown = slice((page - 1) * per_page, page * per_page)
    # A completed review's progress is whole and shown as such: only the open ones' counts are read.
    if sort == "progress":
        rows = sorted(_with_progress(session, listed, chosen.where(Assessment.state.not_in(MODERATED_STATES))),
                      key=_by_progress)[shown]
    else:
        listed.sort(key=_by_status if sort == "status" else _by_name)
        on_page = listed[shown]
        rows = _with_progress(session, on_page, [row.id for row in on_page if row.state not in MODERATED_STATES])
    return ReviewListPage(tuple(rows), total, page, pages)


def _with_progress(session: Session, listed: list[_Listed], scope) -> list[ReviewRow]:
    """The reviews with their progress, in the order given: `scope` selects (or lists) their assessments' ids."""
    samples: dict[int, set[str]] = {}
    for assessment_id, sample in session.execute(
            select(ReviewAssignment.assessment_id, ReviewAssignment.sample)
            .where(ReviewAssignment.assessment_id.in_(scope))):
        samples.setdefault(assessment_id, set()).update(sample or ())
    findings: dict[int, dict[str, rules.Finding]] = {}
    for assessment_id, key, outcome, proposed, response, level in session.execute(
            select(ReviewFinding.assessment_id, Criterion.key, ReviewFinding.outcome, ReviewFinding.proposed_level,
                   ReviewFinding.response, ReviewFinding.moderated_level)
            .join(Criterion, Criterion.id == ReviewFinding.criterion_id)
            .where(ReviewFinding.assessment_id.in_(scope))):
        findings.setdefault(assessment_id, {})[key] = rules.Finding(key, outcome, proposed, "", response, "", level)
    # Only the answers that are not rated (N/A, or no level): a few, where the rated ones are thousands. A sample
    # only ever holds criteria that had a rated answer, and answers are never deleted, so a sampled criterion is
    # rated unless its answer is one of these.
    unrated: dict[int, set[str]] = {}
    for assessment_id, key in session.execute(
            select(Answer.assessment_id, Criterion.key).join(Criterion, Criterion.id == Answer.criterion_id)
            .where(Answer.assessment_id.in_(scope),
                   or_(Answer.not_applicable.is_(True), Answer.level.is_(None)))):
        unrated.setdefault(assessment_id, set()).add(key)
    return [_row(row, samples.get(row.id, set()) - unrated.get(row.id, set()), findings.get(row.id, {}))
            for row in listed]


def _row(listed: _Listed, sampled: set[str], findings: dict[str, rules.Finding]) -> ReviewRow:
    return ReviewRow(
        *listed, len(sampled), sum(1 for cid in sampled if cid in findings),
        sum(1 for f in findings.values() if f.awaiting_response),
        sum(1 for f in findings.values() if not f.awaiting_response and not f.settled))
