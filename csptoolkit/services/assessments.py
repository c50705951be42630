"""The assessment journey: start (with carry-over), who may see and edit, save a standard, submit, history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain import scoring
from ..domain import standards as rules
from ..domain.roles import ADMIN, CHAMPION, EDITOR
from ..domain.states import DRAFT, EDITABLE_STATES, transition
from ..models import (
    Answer,
    Assessment,
    AuditEvent,
    Criterion,
    Cycle,
    EvidenceFile,
    ReviewAssignment,
    User,
)
from .audit import record
from .kept import kept
from .scores import answers_of, refresh_scores, rows_of
from .transaction import unit_of_work


class NotAllowed(Exception):
    """The user may not do this to this assessment (shown as 403 or 404)."""


class NotEditable(Exception):
    """The assessment is not in a state its authority can edit."""


@dataclass
class Blockers:
    """What stops submission: unanswered criteria and missing evidence, each with the standard to fix it on."""

    unanswered: list[tuple[str, str]] = field(default_factory=list)
    unconfirmed: list[tuple[str, str]] = field(default_factory=list)  # carried over from last cycle
    missing_evidence: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.unanswered or self.unconfirmed or self.missing_evidence)


# ----------------------------------------------------------------------------------------------------------
# Finding and authorising


def open_cycle(session: Session, today: date | None = None) -> Cycle | None:
    today = today or datetime.now(UTC).date()
    return session.execute(
        select(Cycle).where(Cycle.opens_on <= today, Cycle.closes_on >= today).order_by(Cycle.opens_on.desc())
    ).scalars().first()


def with_cycle():
    """Load options for an assessment's pages: its cycle with the standards version, and its authority."""
    return (joinedload(Assessment.cycle).joinedload(Cycle.framework_version), joinedload(Assessment.organisation))


def with_answers():
    """Load options for an assessment's pages: its answers with their criteria and files, and its cycle's version,
    in four queries whatever the number of answers (a page never loads them one by one)."""
    answers = selectinload(Assessment.answers)
    return (answers.joinedload(Answer.criterion), answers.selectinload(Answer.evidence_files),
            joinedload(Assessment.cycle).joinedload(Cycle.framework_version), joinedload(Assessment.organisation))


def assessment_for(session: Session, organisation_id: int, cycle: Cycle) -> Assessment | None:
    return session.execute(
        select(Assessment).filter_by(organisation_id=organisation_id, cycle_id=cycle.id).options(*with_cycle())
    ).scalar_one_or_none()


def cycle_by_slug(session: Session, slug: str) -> Cycle | None:
    return session.execute(select(Cycle).filter_by(slug=slug)).scalar_one_or_none()


def can_view(session: Session, user: User, assessment: Assessment) -> bool:
    if user.role == ADMIN:
        return True
    if user.role == CHAMPION:
        return session.execute(select(ReviewAssignment.id).filter_by(
            assessment_id=assessment.id, champion_id=user.id)).first() is not None
    return user.organisation_id == assessment.organisation_id


def can_edit(user: User, assessment: Assessment) -> bool:
    return user.role == EDITOR and user.organisation_id == assessment.organisation_id and assessment.editable


def viewable(session: Session, user: User, assessment_id: int) -> Assessment:
    """The assessment, if the user may see it; otherwise NotAllowed (never a hint that it exists)."""
    assessment = session.execute(
        select(Assessment).where(Assessment.id == assessment_id).options(*with_cycle())).scalar_one_or_none()
    if assessment is None or not can_view(session, user, assessment):
        raise NotAllowed
    return assessment


def editable(session: Session, user: User, assessment_id: int) -> Assessment:
    assessment = viewable(session, user, assessment_id)
    if user.role != EDITOR or user.organisation_id != assessment.organisation_id:
        raise NotAllowed
    if assessment.state not in EDITABLE_STATES:
        raise NotEditable
    return assessment


# ----------------------------------------------------------------------------------------------------------
# Starting, with answers carried over through the crosswalk


def previous_assessment(session: Session, organisation_id: int, cycle: Cycle) -> Assessment | None:
    """The authority's assessment in the latest earlier cycle, if that cycle's answers can be carried over."""
    earlier = session.execute(
        select(Assessment).join(Cycle).where(Assessment.organisation_id == organisation_id,
                                             Cycle.opens_on < cycle.opens_on)
        .order_by(Cycle.opens_on.desc())).scalars().first()
    if earlier is None:
        return None
    version, old_version = cycle.framework_version, earlier.cycle.framework_version
    if old_version.id == version.id or version.supersedes_id == old_version.id:
        return earlier
    return None


def carried_answers(old: Assessment, new_cycle: Cycle) -> dict[str, Answer]:
    """Answers of comparable criteria (unchanged or reworded) keyed by the new criterion id."""
    new_version = new_cycle.framework_version
    old_rows = {a.criterion.key: a for a in old.answers}
    if old.cycle.framework_version_id == new_version.id:
        mapping = {key: key for key in old_rows}
    else:
        mapping = rules.comparable_criteria(new_version.rules())
    return {new_key: old_rows[old_key] for new_key, old_key in mapping.items()
            if old_key in old_rows and old_rows[old_key].answered}


def start(session: Session, user: User, cycle: Cycle, carry_over: bool) -> Assessment:
    """Start the authority's assessment in the cycle (one unit of work), with last cycle's answers if asked."""
    with unit_of_work(session):
        return _start(session, user, cycle, carry_over)


def _start(session: Session, user: User, cycle: Cycle, carry_over: bool) -> Assessment:
    if user.role != EDITOR or user.organisation_id is None:
        raise NotAllowed
    existing = assessment_for(session, user.organisation_id, cycle)
    if existing is not None:
        return existing
    assessment = Assessment(cycle=cycle, organisation_id=user.organisation_id, state=DRAFT)
    session.add(assessment)
    session.flush()
    carried = 0
    if carry_over:
        previous = previous_assessment(session, user.organisation_id, cycle)
        if previous is not None:
            criteria = {c.key: c for c in cycle.framework_version.criteria}
            framework = cycle.framework_version.rules()
            for key, old in carried_answers(previous, cycle).items():
                level = old.level
                if level is not None and level > framework.max_level:
                    continue
                if old.not_applicable and not framework.criterion(key).allow_na:
                    continue
                assessment.answers.append(Answer(
                    criterion=criteria[key], level=level, not_applicable=old.not_applicable,
                    evidence_note=old.evidence_note, carried_over=True, updated_by_id=user.id))
                carried += 1
    record(session, user, "assessment.started", assessment, new={"state": DRAFT, "carried_over": carried})
    session.flush()
    return assessment


# ----------------------------------------------------------------------------------------------------------
# Reading an assessment's answers, and its write lock


@dataclass(frozen=True)
class EvidenceView:
    id: int
    filename: str
    size: int


@dataclass(frozen=True)
class AnswerView:
    """One answer as the pages read it: plain values (reading a page's answers builds no ORM objects)."""

    id: int
    key: str
    level: int | None
    not_applicable: bool
    evidence_note: str | None
    carried_over: bool
    moderated_level: int | None
    moderated_not_applicable: bool
    evidence_files: tuple[EvidenceView, ...] = ()

    @property
    def answered(self) -> bool:
        return self.not_applicable or self.level is not None


def answer_views(session: Session, assessment: Assessment) -> tuple[AnswerView, ...]:
    """The assessment's answers with their evidence files, in two queries whatever their number (kept under the
    assessment's stamp: services/kept.py). The result is shared: read it, never change it."""
    return kept(session, assessment, "answers", lambda: _answer_views(session, assessment))


def _answer_views(session: Session, assessment: Assessment) -> tuple[AnswerView, ...]:
    rows = session.execute(
        select(Answer.id, Criterion.key, Answer.level, Answer.not_applicable, Answer.evidence_note,
               Answer.carried_over, Answer.moderated_level, Answer.moderated_not_applicable)
        .join(Criterion, Criterion.id == Answer.criterion_id).where(Answer.assessment_id == assessment.id)
        .order_by(Answer.id)).all()
    files: dict[int, list[EvidenceView]] = {}
    for answer_id, file_id, filename, size in session.execute(
            select(EvidenceFile.answer_id, EvidenceFile.id, EvidenceFile.filename, EvidenceFile.size)
            .join(Answer, Answer.id == EvidenceFile.answer_id).where(Answer.assessment_id == assessment.id)
            .order_by(EvidenceFile.id)):
        files.setdefault(answer_id, []).append(EvidenceView(file_id, filename, size))
    return tuple(AnswerView(*row, evidence_files=tuple(files.get(row[0], ()))) for row in rows)


def answers_by_key(source) -> dict:
    """An assessment's answer rows (ORM answers, or the views a page read) by criterion id."""
    return {a.key: a for a in rows_of(source)}


def task_list(assessment: Assessment, rows=None) -> list[dict]:
    """Domains with their standards' status: not started, in progress or completed."""
    framework = assessment.cycle.framework_version.rules()
    rows = assessment.answers if rows is None else rows
    answers = answers_of(rows)
    visible = scoring.visible_criteria(framework, answers)
    carried = {a.key for a in rows if a.carried_over}
    result = []
    for domain in framework.domains:
        items = []
        for standard in domain.standards:
            asked = [c.id for c in standard.criteria if c.id in visible]
            answered = [cid for cid in asked if cid in answers and cid not in carried]
            if len(answered) == len(asked) and asked:
                status = "completed"
            elif answered or any(cid in carried for cid in asked):
                status = "in_progress"
            else:
                status = "not_started"
            items.append({"standard": standard, "status": status, "asked": len(asked), "answered": len(answered)})
        result.append({"domain": domain, "standards": items})
    return result


def lock_for_change(session: Session, assessment: Assessment) -> None:
    """Hold the assessment's write lock until the transaction ends, then read it afresh.

    The check of what the page showed and the write must be one atomic step, or two people saving at once both
    pass the check and one loses their work. Touching the assessment row is the transaction's first write: on
    PostgreSQL it takes the row's lock; on SQLite (which begins a write transaction at its first write) it takes
    the database's write lock. A second saver waits here until the first commits, and then reads the first's
    answers, so its revision no longer matches. Call it before reading anything the decision depends on.
    """
    session.execute(update(Assessment).where(Assessment.id == assessment.id).values(updated_at=datetime.now(UTC))
                    .execution_options(synchronize_session=False))
    session.expire_all()  # what was read before the lock may be stale: read it again, answers and all at once
    session.execute(select(Assessment).where(Assessment.id == assessment.id).options(*with_answers())
                    .execution_options(populate_existing=True)).scalar_one()


# ----------------------------------------------------------------------------------------------------------
# Checking and submitting


def has_evidence(source) -> dict[str, bool]:
    return {a.key: bool(a.evidence_note or a.evidence_files) for a in rows_of(source)}


def standard_of(framework: rules.Framework) -> dict[str, str]:
    return {c.id: s.id for s in framework.standards for c in s.criteria}


def blockers(assessment: Assessment, rows=None) -> Blockers:
    """What stops submission (from the page's answer rows when given, else the assessment's own)."""
    framework = assessment.cycle.framework_version.rules()
    rows = assessment.answers if rows is None else rows
    answers = answers_of(rows)
    visible = scoring.visible_criteria(framework, answers)
    where = standard_of(framework)
    carried = {a.key for a in rows if a.carried_over}
    found = Blockers()
    for criterion in framework.criteria:
        if criterion.id in visible and criterion.id not in answers:
            found.unanswered.append((criterion.id, where[criterion.id]))
        elif criterion.id in visible and criterion.id in carried:
            found.unconfirmed.append((criterion.id, where[criterion.id]))
    for criterion_id in scoring.missing_evidence(framework, answers, visible, has_evidence(rows)):
        found.missing_evidence.append((criterion_id, where[criterion_id]))
    return found


def submit(session: Session, user: User, assessment: Assessment) -> None:
    """Submit the assessment (one unit of work): it becomes read-only and its scores are stored."""
    with unit_of_work(session):
        lock_for_change(session, assessment)  # no save can slip in between the check of blockers and the change
        if not can_edit(user, assessment):
            raise NotEditable if assessment.state not in EDITABLE_STATES else NotAllowed
        if blockers(assessment):
            raise NotEditable
        old_state = assessment.state
        assessment.state = transition("submit", old_state, user.role)
        assessment.submitted_at = datetime.now(UTC)
        assessment.submitted_by_id = user.id
        refresh_scores(session, assessment)
        record(session, user, "assessment.submitted", assessment, old={"state": old_state},
               new={"state": assessment.state})


def history(session: Session, assessment: Assessment) -> tuple[list[AuditEvent], dict[int, User]]:
    """The assessment's audit events, newest first, and the people who made them (by id)."""
    events = list(session.execute(
        select(AuditEvent).where(AuditEvent.assessment_id == assessment.id).order_by(AuditEvent.id.desc())
    ).scalars())
    ids = {e.user_id for e in events if e.user_id}
    people = {u.id: u for u in session.execute(select(User).where(User.id.in_(ids))).scalars()} if ids else {}
    return events, people


# ----------------------------------------------------------------------------------------------------------
# Reading (no changes): who submitted, and every assessment of a cycle for programme staff


def submitter(session: Session, assessment: Assessment) -> User | None:
    """The person who submitted the assessment, if it has been submitted and they still exist."""
    if assessment.submitted_by_id is None:
        return None
    return session.get(User, assessment.submitted_by_id)
