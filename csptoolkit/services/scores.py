"""Scores of stored assessments: answers read into the scoring rules, results kept for benchmarking."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..domain import scoring
from ..models import Assessment, AssessmentScore

SELF, MODERATED = "self", "moderated"
Basis = Literal["self", "moderated"]


def answers_of(assessment: Assessment, basis: Basis = SELF) -> dict[str, scoring.Answer]:
    """The assessment's answers as the scoring rules take them; moderated falls back to self where unmoderated."""
    answers: dict[str, scoring.Answer] = {}
    for answer in assessment.answers:
        key = answer.criterion.key
        if basis == MODERATED and (answer.moderated_level is not None or answer.moderated_not_applicable):
            answers[key] = scoring.NA if answer.moderated_not_applicable else answer.moderated_level
        elif answer.not_applicable:
            answers[key] = scoring.NA
        elif answer.level is not None:
            answers[key] = answer.level
    return answers


def is_moderated(assessment: Assessment) -> bool:
    return any(a.moderated_level is not None or a.moderated_not_applicable for a in assessment.answers)


def score_of(assessment: Assessment, basis: Basis = SELF) -> scoring.Result:
    return scoring.score(assessment.cycle.framework_version.rules(), answers_of(assessment, basis))


def refresh_scores(session: Session, assessment: Assessment) -> None:
    """Recompute and store the assessment's scores (self, and moderated when it has been moderated)."""
    session.execute(delete(AssessmentScore).where(AssessmentScore.assessment_id == assessment.id))
    session.add_all(score_rows(assessment))


def score_rows(assessment: Assessment) -> list[AssessmentScore]:
    bases: list[Basis] = [SELF, MODERATED] if is_moderated(assessment) else [SELF]
    rows = []
    for basis in bases:
        result = score_of(assessment, basis)
        parts = [("overall", "", result.overall)]
        parts += [("domain", key, s) for key, s in result.domains.items()]
        parts += [("standard", key, s) for key, s in result.standards.items()]
        for scope, key, score in parts:
            rows.append(AssessmentScore(
                assessment_id=assessment.id, basis=basis, scope=scope, key=key,
                score=None if score.exact is None else round(float(score.exact), 4),
                band=score.band.id if score.band else None, gated=score.gated))
    return rows
