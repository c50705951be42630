"""Peer review: programme admins assign commissioning champions to submitted assessments, or return them.

Every change of state asks the one transition table (domain/states.py); every action is in the audit log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import sampling, states
from ..domain.roles import ADMIN, CHAMPION, EDITOR
from ..domain.states import IllegalTransition, transition
from ..models import Assessment, Cycle, Organisation, ReviewAssignment, StatisticalNeighbour, User
from . import mail
from .assessments import lock_for_change
from .audit import record
from .scores import SELF, answers_of, scores_changed
from .transaction import unit_of_work


class ReviewRefused(Exception):
    """The assignment or return asked for cannot be made; the message says why (for the command line), and `reason`
    names the rule (for a page to word in its reader's language): state, not_champion, own_authority,
    already_assigned, neighbour, no_reason or not_allowed."""

    def __init__(self, message: str, reason: str = "not_allowed") -> None:
        super().__init__(message)
        self.reason = reason


class NeedsConfirming(ReviewRefused):
    """The champion comes from one of the authority's statistical neighbours: allowed, once confirmed."""


def _state_change(action: str, assessment: Assessment, user: User) -> str:
    try:
        return transition(action, assessment.state, user.role)
    except IllegalTransition as refused:
        raise ReviewRefused(f"The assessment cannot be {'assigned' if action == 'assign' else 'returned'}: "
                            f"it is {assessment.state.replace('_', ' ')} ({refused.reason}).", "state") from refused


def is_neighbour(session: Session, assessment: Assessment, champion: User) -> bool:
    """Whether the champion's own authority is one of the assessed authority's DfE statistical neighbours."""
    if champion.organisation_id is None:
        return False
    return session.execute(select(StatisticalNeighbour.id).where(
        StatisticalNeighbour.organisation_id == assessment.organisation_id,
        StatisticalNeighbour.neighbour_id == champion.organisation_id)).first() is not None


def assign(session: Session, admin: User, assessment: Assessment, champion: User,
           confirm_neighbour: bool = False) -> ReviewAssignment:
    """Assign a champion to review a submitted (or already in review) assessment, which is then in review.

    Refused: someone who is not an active champion, a champion from the authority itself, one already assigned.
    A champion from a statistical neighbour of the authority raises NeedsConfirming unless `confirm_neighbour`.
    """
    with unit_of_work(session):
        lock_for_change(session, assessment)
        new_state = _state_change("assign", assessment, admin)
        if champion.role != CHAMPION or not champion.active:
            raise ReviewRefused(f"{champion.email} is not an active commissioning champion.", "not_champion")
        if champion.organisation_id is not None and champion.organisation_id == assessment.organisation_id:
            raise ReviewRefused(f"{champion.email} is from {assessment.organisation.name} itself: a champion may not "
                                "review their own authority.", "own_authority")
        if session.execute(select(ReviewAssignment.id).filter_by(
                assessment_id=assessment.id, champion_id=champion.id)).first() is not None:
            raise ReviewRefused(f"{champion.email} is already assigned to this assessment.", "already_assigned")
        if is_neighbour(session, assessment, champion) and not confirm_neighbour:
            raise NeedsConfirming(f"{champion.email} is from {champion.organisation.name}, one of "
                                  f"{assessment.organisation.name}'s statistical neighbours. Confirm to assign them.",
                                  "neighbour")
        assignment = ReviewAssignment(assessment_id=assessment.id, champion_id=champion.id, assigned_by_id=admin.id)
        session.add(assignment)
        session.flush()
        draw_sample(assignment, assessment)
        old_state, assessment.state = assessment.state, new_state
        record(session, admin, "review.assigned", assessment, subject=champion.email,
               old={"state": old_state}, new={"state": new_state, "champion": champion.email})
        mail.send_after_commit(session, [mail.review_assigned(champion, assessment)])
    return assignment


def draw_sample(assignment: ReviewAssignment, assessment: Assessment) -> list[str]:
    """Draw and keep the assignment's evidence sample from the answers as submitted (seeded by the assessment and
    the assignment, so it never moves while the review goes on and can always be drawn again to check it)."""
    assignment.seed = f"{assessment.id}:{assignment.id}"
    framework = assessment.cycle.framework_version.rules()
    assignment.sample = list(sampling.draw_sample(framework, answers_of(assessment, SELF), assignment.seed))
    return assignment.sample


def return_to_authority(session: Session, admin: User, assessment: Assessment, reason: str) -> None:
    """Return a submitted or in-review assessment to its authority with a reason: editable again, it is then
    resubmitted through the same journey. It stops counting in benchmarks until then."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewRefused("Say why the assessment is returned: the authority reads the reason.", "no_reason")
    with unit_of_work(session):
        lock_for_change(session, assessment)
        new_state = _state_change("return", assessment, admin)
        old_state, assessment.state = assessment.state, new_state
        scores_changed(session, assessment.cycle_id)  # a returned assessment no longer counts
        record(session, admin, "assessment.returned", assessment, old={"state": old_state},
               new={"state": new_state, "reason": reason})
        editors = session.execute(select(User).where(User.role == EDITOR, User.active.is_(True),
                                                     User.organisation_id == assessment.organisation_id)).scalars()
        mail.send_after_commit(session, [mail.assessment_returned(e, assessment, reason) for e in editors])


def assignments_of(session: Session, assessment: Assessment) -> list[tuple[User, ReviewAssignment]]:
    """The champions assigned to the assessment with their assignments (and so their evidence samples), by name."""
    return [tuple(row) for row in session.execute(
        select(User, ReviewAssignment).join(ReviewAssignment, ReviewAssignment.champion_id == User.id)
        .where(ReviewAssignment.assessment_id == assessment.id).order_by(User.name))]


def champions_of(session: Session, assessment: Assessment) -> list[User]:
    """The champions assigned to the assessment, by name."""
    return list(session.execute(
        select(User).join(ReviewAssignment, ReviewAssignment.champion_id == User.id)
        .where(ReviewAssignment.assessment_id == assessment.id).order_by(User.name)).scalars())


# ----------------------------------------------------------------------------------------------------------
# Reading, for the programme's review pages


REVIEWABLE_STATES = (states.SUBMITTED, states.IN_REVIEW, states.MODERATED, states.PUBLISHED, states.RETURNED)
RETURNABLE_STATES = tuple(s for s in REVIEWABLE_STATES if "return" in states.allowed(s, ADMIN))


@dataclass(frozen=True)
class ListedReview:
    """A submitted assessment as the programme's review list shows it: plain values."""

    id: int
    state: str
    code: str
    name: str
    dfe_region: str | None
    champions: tuple[str, ...]  # names, as assigned


@dataclass(frozen=True)
class ReviewPage:
    rows: list[ListedReview]
    total: int
    page: int
    pages: int


def review_list(session: Session, admin: User, cycle: Cycle, *, state: str | None = None, region: str | None = None,
                champion_id: int | None = None, page: int = 1, per_page: int = 50) -> ReviewPage:
    """Every assessment of the cycle that has been submitted (and what became of it), by authority name, optionally
    of one state, DfE region or champion; one page of them, in two queries whatever the page's size."""
    if admin.role != ADMIN:
        raise ReviewRefused("Only programme admins assign reviews.")
    query = (select(Assessment.id, Assessment.state, Organisation.code, Organisation.name, Organisation.dfe_region)
             .join(Organisation, Organisation.id == Assessment.organisation_id)
             .where(Assessment.cycle_id == cycle.id, Assessment.state.in_(REVIEWABLE_STATES)))
    if state in REVIEWABLE_STATES:
        query = query.where(Assessment.state == state)
    if region:
        query = query.where(Organisation.dfe_region == region)
    if champion_id is not None:
        query = query.where(Assessment.id.in_(
            select(ReviewAssignment.assessment_id).where(ReviewAssignment.champion_id == champion_id)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    found = session.execute(query.order_by(Organisation.name).limit(per_page).offset((page - 1) * per_page)).all()
    names: dict[int, list[str]] = {}
    for assessment_id, name in session.execute(
            select(ReviewAssignment.assessment_id, User.name).join(User, User.id == ReviewAssignment.champion_id)
            .where(ReviewAssignment.assessment_id.in_([row.id for row in found])).order_by(User.name)):
        names.setdefault(assessment_id, []).append(name)
    rows = [ListedReview(row.id, row.state, row.code, row.name, row.dfe_region, tuple(names.get(row.id, ())))
            for row in found]
    return ReviewPage(rows, total, page, pages)


def active_champions(session: Session) -> list[User]:
    """Everyone who can be assigned a review, by name."""
    return list(session.execute(select(User).where(User.role == CHAMPION, User.active.is_(True))
                                .order_by(User.name)).scalars())


def for_assignment(session: Session, admin: User, assessment_id: int) -> Assessment:
    """An assessment for the programme's assignment page (submitted or later); ReviewRefused for anyone else."""
    if admin.role != ADMIN:
        raise ReviewRefused("Only programme admins assign reviews.")
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.state not in REVIEWABLE_STATES:
        raise ReviewRefused("There is no submitted assessment here.")
    return assessment
