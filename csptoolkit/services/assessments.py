"""The assessment journey: start (with carry-over), who may see and edit, save a standard, submit, history."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from ..domain import scoring
from ..domain import standards as rules
from ..models import Answer, Assessment, AuditEvent, Criterion, Cycle, Organisation, ReviewAssignment, User
from ..models.assessment import DRAFT, EDITABLE_STATES, SUBMITTED
from ..models.user import ADMIN, CHAMPION, EDITOR
from .audit import record
from .scores import answers_of, refresh_scores


class NotAllowed(Exception):
    """The user may not do this to this assessment (shown as 403 or 404)."""


class NotEditable(Exception):
    """The assessment is not in a state its authority can edit."""


@dataclass
class Conflict(Exception):
    """Someone else saved the same standard after this page was shown; their answers are kept, and so are ours."""

    changed: list[str]
    revision: str


@dataclass
class Submission:
    """One criterion's answer as posted from a standard page."""

    answer: scoring.Answer | None
    evidence_note: str | None = None


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


def assessment_for(session: Session, organisation_id: int, cycle: Cycle) -> Assessment | None:
    return session.execute(
        select(Assessment).filter_by(organisation_id=organisation_id, cycle_id=cycle.id)).scalar_one_or_none()


def can_view(session: Session, user: User, assessment: Assessment) -> bool:
    if user.role == ADMIN:
        return True
    if user.role == CHAMPION:
        return session.execute(select(ReviewAssignment.id).filter_by(
            assessment_id=assessment.id, champion_id=user.id)).first() is not None
    return user.organisation_id == assessment.organisation_id


def assigned_to(session: Session, champion: User) -> list[Assessment]:
    """The assessments a champion has been assigned to review."""
    return list(session.execute(
        select(Assessment).join(ReviewAssignment).where(ReviewAssignment.champion_id == champion.id)
        .order_by(Assessment.id)).scalars())


def can_edit(user: User, assessment: Assessment) -> bool:
    return user.role == EDITOR and user.organisation_id == assessment.organisation_id and assessment.editable


def viewable(session: Session, user: User, assessment_id: int) -> Assessment:
    """The assessment, if the user may see it; otherwise NotAllowed (never a hint that it exists)."""
    assessment = session.get(Assessment, assessment_id)
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
# Saving a standard, with optimistic locking


def _answer_state(answer: Answer | None) -> dict[str, object]:
    if answer is None:
        return {"answer": None, "note": None, "files": []}
    return {"answer": scoring.NA if answer.not_applicable else answer.level, "note": answer.evidence_note or None,
            "carried": answer.carried_over, "files": sorted(f.id for f in answer.evidence_files)}


def answers_by_key(assessment: Assessment) -> dict[str, Answer]:
    return {a.criterion.key: a for a in assessment.answers}


def task_list(assessment: Assessment) -> list[dict]:
    """Domains with their standards' status: not started, in progress or completed."""
    framework = assessment.cycle.framework_version.rules()
    answers = answers_of(assessment)
    visible = scoring.visible_criteria(framework, answers)
    carried = {a.criterion.key for a in assessment.answers if a.carried_over}
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


def answer_row(session: Session, assessment: Assessment, criterion_id: str) -> Answer:
    """The assessment's answer row for a criterion, made empty when there is none yet (evidence comes first)."""
    existing = answers_by_key(assessment).get(criterion_id)
    if existing is not None:
        return existing
    criterion = session.execute(select(Criterion).filter_by(
        framework_version_id=assessment.cycle.framework_version_id, key=criterion_id)).scalar_one()
    answer = Answer(criterion=criterion)
    assessment.answers.append(answer)
    session.flush()
    return answer


def revision(assessment: Assessment, standard: rules.Standard) -> str:
    """A fingerprint of what a standard's page shows; a save made from another fingerprint is a conflict."""
    rows = answers_by_key(assessment)
    state = {c.id: _answer_state(rows.get(c.id)) for c in standard.criteria}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


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
    session.expire_all()  # what was read before the lock may be stale


def save_standard(session: Session, user: User, assessment: Assessment, standard_id: str,
                  submissions: Mapping[str, Submission], seen_revision: str, force: bool = False) -> list[str]:
    """Save the posted answers of one standard; return the criteria whose answers changed.

    Raises Conflict when the standard changed since the page was shown (unless `force`, which the caller uses
    only after the person has seen the other changes).
    """
    lock_for_change(session, assessment)
    if not can_edit(user, assessment):
        raise NotEditable if assessment.state not in EDITABLE_STATES else NotAllowed
    framework = assessment.cycle.framework_version.rules()
    standard = next(s for s in framework.standards if s.id == standard_id)
    current = revision(assessment, standard)
    if current != seen_revision and not force:
        raise Conflict(changed_since(session, assessment, standard), current)
    rows = answers_by_key(assessment)
    criteria = {c.key: c for c in session.execute(
        select(Criterion).where(Criterion.framework_version_id == assessment.cycle.framework_version_id,
                                Criterion.key.in_([c.id for c in standard.criteria]))).scalars()}
    changed = []
    for criterion in standard.criteria:
        if criterion.id not in submissions:
            continue
        posted = submissions[criterion.id]
        row = rows.get(criterion.id)
        before = _answer_state(row)
        if row is None:
            if posted.answer is None and not posted.evidence_note:
                continue
            row = Answer(criterion=criteria[criterion.id])
            assessment.answers.append(row)
        if posted.answer is not None:  # radios cannot be cleared: no choice posted means no change
            row.not_applicable = posted.answer == scoring.NA
            row.level = None if posted.answer == scoring.NA else int(posted.answer)
        row.evidence_note = (posted.evidence_note or "").strip() or None
        after = _answer_state(row)
        if row.carried_over and posted.answer is not None:
            row.carried_over = False  # saved on the page: confirmed by the authority
        if (before["answer"], before["note"]) != (after["answer"], after["note"]) or before.get("carried"):
            row.updated_by_id = user.id
            changed.append(criterion.id)
            record(session, user, "answer.changed", assessment, subject=criterion.id,
                   old={"answer": before["answer"], "evidence_note": before["note"]},
                   new={"answer": after["answer"], "evidence_note": after["note"]})
    session.flush()
    return changed


def changed_since(session: Session, assessment: Assessment, standard: rules.Standard) -> list[str]:
    """Criteria of the standard changed by someone recently (the page can list them)."""
    ids = {c.id for c in standard.criteria}
    events = session.execute(
        select(AuditEvent.subject).where(AuditEvent.assessment_id == assessment.id,
                                         AuditEvent.action.in_(("answer.changed", "evidence.added",
                                                                "evidence.removed")))
        .order_by(AuditEvent.id.desc()).limit(200)).scalars()
    seen: list[str] = []
    for subject in events:
        if subject in ids and subject not in seen:
            seen.append(subject)
    return seen


# ----------------------------------------------------------------------------------------------------------
# Checking and submitting


def has_evidence(assessment: Assessment) -> dict[str, bool]:
    return {a.criterion.key: bool(a.evidence_note or a.evidence_files) for a in assessment.answers}


def standard_of(framework: rules.Framework) -> dict[str, str]:
    return {c.id: s.id for s in framework.standards for c in s.criteria}


def blockers(assessment: Assessment) -> Blockers:
    framework = assessment.cycle.framework_version.rules()
    answers = answers_of(assessment)
    visible = scoring.visible_criteria(framework, answers)
    where = standard_of(framework)
    carried = {a.criterion.key for a in assessment.answers if a.carried_over}
    found = Blockers()
    for criterion in framework.criteria:
        if criterion.id in visible and criterion.id not in answers:
            found.unanswered.append((criterion.id, where[criterion.id]))
        elif criterion.id in visible and criterion.id in carried:
            found.unconfirmed.append((criterion.id, where[criterion.id]))
    for criterion_id in scoring.missing_evidence(framework, answers, visible, has_evidence(assessment)):
        found.missing_evidence.append((criterion_id, where[criterion_id]))
    return found


def submit(session: Session, user: User, assessment: Assessment) -> None:
    lock_for_change(session, assessment)  # no save can slip in between the check of blockers and the state change
    if not can_edit(user, assessment):
        raise NotEditable if assessment.state not in EDITABLE_STATES else NotAllowed
    if blockers(assessment):
        raise NotEditable
    old_state = assessment.state
    assessment.state = SUBMITTED
    assessment.submitted_at = datetime.now(UTC)
    assessment.submitted_by_id = user.id
    refresh_scores(session, assessment)
    record(session, user, "assessment.submitted", assessment, old={"state": old_state}, new={"state": SUBMITTED})
    session.flush()


def history(session: Session, assessment: Assessment) -> list[AuditEvent]:
    return list(session.execute(
        select(AuditEvent).where(AuditEvent.assessment_id == assessment.id).order_by(AuditEvent.id.desc())
    ).scalars())


# ----------------------------------------------------------------------------------------------------------
# Reading (no changes): who submitted, and every assessment of a cycle for programme staff


def submitter(session: Session, assessment: Assessment) -> User | None:
    """The person who submitted the assessment, if it has been submitted and they still exist."""
    if assessment.submitted_by_id is None:
        return None
    return session.get(User, assessment.submitted_by_id)


def cycles(session: Session) -> list[Cycle]:
    """Every cycle, newest first."""
    return list(session.execute(select(Cycle).order_by(Cycle.opens_on.desc())).scalars())


def cycle_assessments(session: Session, user: User, cycle: Cycle, state: str | None = None) -> list[Assessment]:
    """Every authority's assessment in a cycle, by authority name (programme admins only), optionally of one state.

    The organisation is loaded with the assessments: the list shows names without a query per row.
    """
    if user.role != ADMIN:
        raise NotAllowed
    query = (select(Assessment).join(Organisation, Assessment.organisation_id == Organisation.id)
             .where(Assessment.cycle_id == cycle.id).options(joinedload(Assessment.organisation))
             .order_by(Organisation.name))
    if state:
        query = query.where(Assessment.state == state)
    return list(session.execute(query).scalars())
