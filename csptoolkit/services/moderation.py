"""Reviewing and moderating an assessment: findings, the authority's responses, completing and publishing.

The rules are in domain/moderation.py and the state changes in domain/states.py; this module reads and writes
them in units of work, decides who may do what to which assessment, writes the audit log and tells people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import moderation as rules
from ..domain import sampling
from ..domain.roles import EDITOR
from ..domain.states import IllegalTransition, transition
from ..models import Assessment, Criterion, ReviewAssignment, ReviewComment, ReviewFinding, User
from . import mail
from .assessments import NotAllowed, answer_views, lock_for_change
from .audit import record
from .review_state import (
    ChampionView,
    FindingView,
    Review,
    ReviewConflict,
    assigned,
    may_respond,
    may_review,
    responses_revision,
    review_of,
    reviewable,
    revision,
    standard_revision,
)
from .scores import SELF, answers_of, finding_of, refresh_scores, scores_changed
from .transaction import unit_of_work

# Reading a review is services/review_state.py; what the pages use of it is named here too, beside the changes.
__all__ = ["COMMENT_MAX", "ChampionView", "Entry", "FindingView", "FindingsRefused", "ModerationRefused",
           "NotAllowed", "Review", "ReviewConflict", "add_to_sample", "assigned", "complete", "may_respond",
           "may_review", "publish", "record_findings", "respond", "responses_revision", "resume", "review_of",
           "reviewable", "revision", "standard_revision"]
_as_rule = finding_of  # a stored finding as the rules take it

COMMENT_MAX = 4000


class ModerationRefused(Exception):
    """The change asked for cannot be made now; `reason` names the rule for a page to word (state, not_assigned,
    outstanding, not_resumable), the message says it in English for the command line and the log."""

    def __init__(self, message: str, reason: str = "state") -> None:
        super().__init__(message)
        self.reason = reason


class FindingsRefused(Exception):
    """Some entries of a page could not be recorded, so none was: `errors` are the rules' FindingErrors."""

    def __init__(self, errors: list[rules.FindingError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


# ----------------------------------------------------------------------------------------------------------
# The champion's findings


@dataclass(frozen=True)
class Entry:
    """What a champion entered for one criterion on a standard's review page: no outcome clears the finding."""

    outcome: str | None
    proposed_level: int | None = None
    reason: str | None = None
    moderated_level: int | None = None


def record_findings(session: Session, champion: User, assessment: Assessment, standard_key: str,
                    entries: Mapping[str, Entry], comment: str | None = None, *,
                    seen_revision: str | None = None) -> int:
    """Record a champion's findings on one standard's criteria (and the standard's comment): all or nothing.

    FindingsRefused lists every entry the rules refuse; ModerationRefused when the champion is not assigned or
    the assessment is not in review; ReviewConflict when `seen_revision` (standard_revision of the page as shown)
    no longer matches what is stored. A comment of None leaves the standard's comment as it is. Returns how many
    findings changed. The authority's editors are told of new
    challenges and requests once it has committed.
    """
    with unit_of_work(session):
        lock_for_change(session, assessment)
        assignment = assigned(session, champion, assessment)
        _check_may_review(champion, assessment, assignment)
        framework = assessment.cycle.framework_version.rules()
        try:
            standard = framework.standard(standard_key)
        except KeyError:
            raise ModerationRefused(f"{standard_key}: no such standard in this version", "unknown") from None
        answers = answers_of(assessment, SELF)
        ids = _criterion_ids(session, assessment)
        existing = {key: row for row, key in session.execute(
            select(ReviewFinding, Criterion.key).join(Criterion, Criterion.id == ReviewFinding.criterion_id)
            .where(ReviewFinding.assessment_id == assessment.id,
                   Criterion.key.in_([c.id for c in standard.criteria])))}
        if seen_revision is not None:
            _check_revision(session, assessment, standard_key, existing, seen_revision)
        changes, errors = _changes(framework, standard, answers, existing, entries)
        comment = None if comment is None else comment.strip()
        if comment is not None and len(comment) > COMMENT_MAX:
            errors.append(rules.FindingError(standard_key, "comment", "too_long",
                                             f"the comment is longer than {COMMENT_MAX} characters"))
        if errors:
            raise FindingsRefused(errors)
        raised = 0
        for cid, after in changes:
            row = existing.get(cid)
            before = _as_rule(cid, row) if row is not None else None
            if after is None:
                session.delete(row)
            else:
                if row is None:
                    row = ReviewFinding(assessment_id=assessment.id, criterion_id=ids[cid])
                    session.add(row)
                _write(row, after, champion)
                if after.questioned and (before is None or (before.outcome, before.proposed_level) !=
                                         (after.outcome, after.proposed_level)):
                    raised += 1
            record(session, champion, "review.finding", assessment, subject=cid,
                   old=_audited(before), new=_audited(after))
        if comment is not None:
            _save_comment(session, champion, assessment, standard_key, comment)
        if assignment.state == "assigned":
            assignment.state = "in_progress"
        if raised:
            mail.send_after_commit(session, [mail.challenges_raised(e, assessment, raised)
                                             for e in _editors(session, assessment)])
    return len(changes)


def _check_revision(session: Session, assessment: Assessment, standard_key: str,
                    existing: dict[str, ReviewFinding], seen_revision: str) -> None:
    stored = session.execute(select(ReviewComment.text).filter_by(
        assessment_id=assessment.id, standard_key=standard_key)).scalar_one_or_none()
    if revision([_as_rule(k, r) for k, r in existing.items()], stored) != seen_revision:
        raise ReviewConflict


def _changes(framework, standard, answers, existing: dict[str, ReviewFinding], entries: Mapping[str, Entry]):
    """The findings the entries change (criterion id, finding or None to clear it), and the rules' refusals."""
    errors: list[rules.FindingError] = []
    changes: list[tuple[str, rules.Finding | None]] = []
    for criterion in standard.criteria:
        entry = entries.get(criterion.id)
        if entry is None:
            continue
        row = existing.get(criterion.id)
        before = _as_rule(criterion.id, row) if row is not None else None
        try:
            after = _checked(framework, criterion.id, answers.get(criterion.id), entry, before)
        except rules.FindingError as error:
            errors.append(error)
            continue
        if after != before:
            changes.append((criterion.id, after))
    return changes, errors


def _checked(framework, cid: str, answer, entry: Entry, before: rules.Finding | None) -> rules.Finding | None:
    if not entry.outcome:
        if before is not None and before.response is not None:
            raise rules.FindingError(cid, "outcome", "answered",
                                     "the authority has answered this finding: it cannot be removed")
        return None
    after = rules.check_finding(framework, cid, answer, entry.outcome, entry.proposed_level, entry.reason, before)
    if after.questioned and after.response is not None and entry.moderated_level != after.moderated_level:
        after = rules.moderate(framework, after, entry.moderated_level)
    elif after.questioned and after.response is None and entry.moderated_level is not None:
        raise rules.FindingError(cid, "moderated_level", "not_answered", "the authority has not answered yet")
    return after


def _write(row: ReviewFinding, finding: rules.Finding, champion: User) -> None:
    row.champion_id = champion.id
    row.outcome, row.proposed_level, row.reason = finding.outcome, finding.proposed_level, finding.reason or None
    if finding.response is None:
        row.responded_by_id = row.responded_at = None
    row.response, row.response_note = finding.response, finding.response_note or None
    row.moderated_level = finding.moderated_level


def _audited(finding: rules.Finding | None) -> dict | None:
    if finding is None:
        return None
    return {k: v for k, v in (("outcome", finding.outcome), ("proposed_level", finding.proposed_level),
                              ("reason", finding.reason or None), ("response", finding.response),
                              ("response_note", finding.response_note or None),
                              ("moderated_level", finding.moderated_level)) if v is not None}


def _save_comment(session: Session, champion: User, assessment: Assessment, standard_key: str, text: str) -> None:
    row = session.execute(select(ReviewComment).filter_by(assessment_id=assessment.id,
                                                          standard_key=standard_key)).scalar_one_or_none()
    old = row.text if row is not None else None
    if (old or "") == text:
        return
    if not text:
        session.delete(row)
    elif row is None:
        session.add(ReviewComment(assessment_id=assessment.id, standard_key=standard_key, champion_id=champion.id,
                                  text=text))
    else:
        row.text, row.champion_id = text, champion.id
    record(session, champion, "review.comment", assessment, subject=standard_key, old=old, new=text or None)


def add_to_sample(session: Session, champion: User, assessment: Assessment,
                  criterion_ids: list[str]) -> tuple[str, ...]:
    """Add criteria to the champion's evidence sample; ValueError names one that is not rated."""
    with unit_of_work(session):
        lock_for_change(session, assessment)
        assignment = assigned(session, champion, assessment)
        _check_may_review(champion, assessment, assignment)
        framework = assessment.cycle.framework_version.rules()
        before = tuple(assignment.sample or ())
        after = sampling.with_added(before, criterion_ids, framework, answers_of(assessment, SELF))
        if after != before:
            assignment.sample = list(after)
            record(session, champion, "review.sampled", assessment, subject=", ".join(sorted(set(after) - set(before))),
                   old=list(before), new=list(after))
    return after


def _check_may_review(user: User, assessment: Assessment, assignment: ReviewAssignment | None) -> None:
    if assignment is None:
        raise ModerationRefused("Only a champion assigned to this assessment reviews it.", "not_assigned")
    if not may_review(user, assessment, assignment):
        raise ModerationRefused(f"The assessment is {assessment.state.replace('_', ' ')}: findings are recorded "
                                "only while it is in review.", "state")


def _criterion_ids(session: Session, assessment: Assessment) -> dict[str, int]:
    return dict(session.execute(select(Criterion.key, Criterion.id).where(
        Criterion.framework_version_id == assessment.cycle.framework_version_id)).all())


def _editors(session: Session, assessment: Assessment) -> list[User]:
    return list(session.execute(select(User).where(User.role == EDITOR, User.active.is_(True),
                                                   User.organisation_id == assessment.organisation_id)).scalars())


# ----------------------------------------------------------------------------------------------------------
# The authority's responses


def respond(session: Session, editor: User, assessment: Assessment,
            responses: Mapping[str, tuple[str | None, str | None]], *, seen_revision: str | None = None) -> int:
    """Record the authority's answers to challenges and requests, criterion id -> (response, note): all or
    nothing (FindingsRefused lists what the rules refuse). An empty response leaves that finding as it is.
    Returns how many were answered; the assigned champions are told once it has committed. ReviewConflict when
    `seen_revision` (responses_revision of the page as shown) no longer matches what is stored."""
    with unit_of_work(session):
        lock_for_change(session, assessment)
        if not may_respond(editor, assessment):
            raise ModerationRefused(
                "Only the authority's editors answer the review, while the assessment is in review.",
                "state" if editor.role == EDITOR and editor.organisation_id == assessment.organisation_id
                else "not_allowed")
        rows = {key: row for row, key in session.execute(
            select(ReviewFinding, Criterion.key).join(Criterion, Criterion.id == ReviewFinding.criterion_id)
            .where(ReviewFinding.assessment_id == assessment.id))}
        if seen_revision is not None and revision(_as_rule(k, r) for k, r in rows.items()) != seen_revision:
            raise ReviewConflict
        errors: list[rules.FindingError] = []
        changes = []
        for cid, (response, note) in responses.items():
            if not response:
                continue
            row = rows.get(cid)
            if row is None:
                errors.append(rules.FindingError(cid, "response", "not_questioned", "there is no finding to answer"))
                continue
            before = _as_rule(cid, row)
            try:
                after = rules.respond(before, response, note)
            except rules.FindingError as error:
                errors.append(error)
                continue
            if (after.response, after.response_note) != (before.response, before.response_note):
                changes.append((cid, row, before, after))
        if errors:
            raise FindingsRefused(errors)
        now = datetime.now(UTC)
        for cid, row, before, after in changes:
            row.response, row.response_note = after.response, after.response_note or None
            # Accepting takes the proposed level; turning away from accepting (or a first answer) leaves the level
            # for the champion to set; a changed note on a kept rating keeps the level the champion set.
            if after.response == rules.ACCEPT or before.response in (None, rules.ACCEPT):
                row.moderated_level = after.moderated_level
            row.responded_by_id, row.responded_at = editor.id, now
            record(session, editor, "review.response", assessment, subject=cid,
                   old=_audited(before), new=_audited(after))
        if changes:
            champions = session.execute(select(User).join(ReviewAssignment, ReviewAssignment.champion_id == User.id)
                                        .where(ReviewAssignment.assessment_id == assessment.id)).scalars()
            mail.send_after_commit(session, [mail.responses_given(c, assessment, len(changes)) for c in champions])
    return len(changes)


# ----------------------------------------------------------------------------------------------------------
# Completing, publishing, resuming


def complete(session: Session, champion: User, assessment: Assessment) -> None:
    """Complete moderation: every sampled criterion has a finding and every challenge and request is settled.
    The moderated answers are stored with the assessment and scored; the authority's editors are told."""
    with unit_of_work(session):
        lock_for_change(session, assessment)
        new_state = _transition("moderate", assessment, champion)  # the table's word on the state, first
        assignment = assigned(session, champion, assessment)
        _check_may_review(champion, assessment, assignment)
        review = review_of(session, assessment, answer_views(session, assessment))
        if review.outstanding:
            left = review.outstanding
            raise ModerationRefused(
                f"Moderation cannot be completed yet: {len(left.no_finding)} sampled criteria have no finding, "
                f"{len(left.awaiting_response)} await the authority's answer and {len(left.awaiting_level)} a "
                "moderated level.", "outstanding")
        moderated = rules.moderated_answers(review.answers, review.rules_findings())
        for answer in assessment.answers:
            value = moderated.get(answer.key)
            answer.moderated_not_applicable = value == "na"
            answer.moderated_level = None if value in (None, "na") else int(value)
        for row in session.execute(select(ReviewAssignment).filter_by(assessment_id=assessment.id)).scalars():
            row.state = "completed"
        old_state, assessment.state = assessment.state, new_state
        session.flush()
        refresh_scores(session, assessment)
        record(session, champion, "review.completed", assessment, old={"state": old_state},
               new={"state": new_state})
        mail.send_after_commit(session, [mail.moderation_complete(e, assessment)
                                         for e in _editors(session, assessment)])


def publish(session: Session, admin: User, assessment: Assessment) -> None:
    """Publish a moderated assessment (programme admins)."""
    with unit_of_work(session):
        lock_for_change(session, assessment)
        new_state = _transition("publish", assessment, admin)
        old_state, assessment.state = assessment.state, new_state
        scores_changed(session, assessment.cycle_id)
        record(session, admin, "assessment.published", assessment, old={"state": old_state},
               new={"state": new_state})


def resume(session: Session, admin: User, assessment: Assessment) -> None:
    """Put a resubmitted assessment back in review with the champions already assigned to it."""
    with unit_of_work(session):
        lock_for_change(session, assessment)
        new_state = _transition("resume", assessment, admin)
        if session.execute(select(ReviewAssignment.id).filter_by(assessment_id=assessment.id)).first() is None:
            raise ModerationRefused("No champion is assigned to this assessment yet: assign one.", "not_resumable")
        old_state, assessment.state = assessment.state, new_state
        scores_changed(session, assessment.cycle_id)
        record(session, admin, "review.resumed", assessment, old={"state": old_state}, new={"state": new_state})


def _transition(action: str, assessment: Assessment, user: User) -> str:
    try:
        return transition(action, assessment.state, user.role)
    except IllegalTransition as refused:
        raise ModerationRefused(str(refused), "state") from refused

