"""Who may download an assessment's answers and scores, and what the spreadsheets are built from (plain values)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..domain import confidence as confidence_rules
from ..domain import scoring
from ..domain import standards as rules
from ..domain.roles import ADMIN, AUTHORITY_ROLES
from ..models import Assessment, User
from .assessments import NotAllowed, answer_views, viewable
from .review_state import assigned, may_review, review_of
from .scores import MODERATED, is_moderated, score_of


@dataclass(frozen=True)
class AssessmentExport:
    assessment: Assessment
    framework: rules.Framework
    rows: Sequence[object]  # assessments.AnswerView
    result: scoring.Result  # self-assessed
    moderated: scoring.Result | None  # once moderated (or being moderated)
    confidence: Mapping[str, confidence_rules.Confidence]


def may_download(session: Session, user: User, assessment: Assessment) -> bool:
    """The authority's own editors and viewers, programme admins, and a champion assigned to it while it is in
    review; nobody else."""
    if user.role == ADMIN:
        return True
    if user.role in AUTHORITY_ROLES:
        return user.organisation_id == assessment.organisation_id
    return may_review(user, assessment, assigned(session, user, assessment))


def downloadable(session: Session, user: User, assessment_id: int) -> AssessmentExport:
    """What the answers and scores spreadsheets of the assessment show; NotAllowed for anyone who may not have
    them (and when there is no such assessment)."""
    assessment = viewable(session, user, assessment_id)
    if not may_download(session, user, assessment):
        raise NotAllowed
    rows = answer_views(session, assessment)
    moderated = score_of(assessment, MODERATED, rows) if is_moderated(rows) else None
    confidence = review_of(session, assessment, rows).confidence
    return AssessmentExport(assessment, assessment.cycle.framework_version.rules(), rows,
                            score_of(assessment, rows=rows), moderated, confidence)
