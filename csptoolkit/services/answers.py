"""Saving a standard's page: answers with optimistic locking, evidence files added and removed, one unit of work."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import scoring
from ..domain import standards as rules
from ..domain.states import EDITABLE_STATES
from ..models import Answer, Assessment, AuditEvent, Criterion, User
from . import evidence
from .assessments import NotAllowed, NotEditable, answers_by_key, can_edit, lock_for_change
from .audit import record
from .scores import answers_of
from .transaction import unit_of_work


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


# ----------------------------------------------------------------------------------------------------------
# Saving a standard, with optimistic locking


def _answer_state(answer: Answer | None) -> dict[str, object]:
    if answer is None:
        return {"answer": None, "note": None, "files": []}
    return {"answer": scoring.NA if answer.not_applicable else answer.level, "note": answer.evidence_note or None,
            "carried": answer.carried_over, "files": sorted(f.id for f in answer.evidence_files)}


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


def revision(source, standard: rules.Standard) -> str:
    """A fingerprint of what a standard's page shows (from an assessment, or the answer rows a page read); a save
    made from another fingerprint is a conflict."""
    rows = answers_by_key(source)
    state = {c.id: _answer_state(rows.get(c.id)) for c in standard.criteria}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


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



@dataclass
class Upload:
    """An evidence file posted for one criterion of the page."""

    criterion_id: str
    filename: str
    stream: BinaryIO


@dataclass
class Saved:
    """What a save did: the criteria whose answers changed, and the files refused (with the reason for each)."""

    changed: list[str] = field(default_factory=list)
    refused: list[tuple[str, evidence.EvidenceRejected]] = field(default_factory=list)  # criterion id, why
    revealed: list[str] = field(default_factory=list)  # follow-up criteria of the standard that now show


def save_page(session: Session, user: User, assessment: Assessment, standard_id: str,
              submissions: Mapping[str, Submission], seen_revision: str, *, force: bool = False,
              uploads: Sequence[Upload] = (), remove_evidence: int | None = None, folder: Path,
              quota: evidence.Quota) -> Saved:
    """Save one standard's page as one unit of work: its answers, then its new files, then a removed file.

    Raises Conflict (nothing saved) when the standard changed since the page was shown, and NotEditable when the
    assessment can no longer be changed. A refused file does not stop the rest: the answers and the other files
    are saved, and Saved.refused says which files were not. Files reach their place only once this commits.
    """
    with unit_of_work(session):
        saved = Saved(save_standard(session, user, assessment, standard_id, submissions, seen_revision, force))
        rows = answers_by_key(assessment)
        for upload in uploads:
            answer = rows.get(upload.criterion_id) or answer_row(session, assessment, upload.criterion_id)
            rows[upload.criterion_id] = answer
            try:
                evidence.add(session, user, assessment, answer, upload.filename, upload.stream, folder, quota)
            except evidence.EvidenceRejected as refused:
                saved.refused.append((upload.criterion_id, refused))
        if remove_evidence is not None:
            evidence.remove_from(session, user, assessment, remove_evidence, folder)
        standard = next(s for s in assessment.cycle.framework_version.rules().standards if s.id == standard_id)
        saved.revealed = newly_visible(assessment, standard, set(submissions))
    return saved


def newly_visible(assessment: Assessment, standard: rules.Standard, shown: set[str]) -> list[str]:
    """Criteria of the standard that the saved answers have revealed (follow-up questions not yet on the page)."""
    visible = scoring.visible_criteria(assessment.cycle.framework_version.rules(), answers_of(assessment))
    return [c.id for c in standard.criteria if c.id in visible and c.id not in shown]
