"""Scores of stored assessments: answers read into the scoring rules, results kept for benchmarking."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..domain import scoring
from ..models import Assessment, AssessmentScore

SELF, MODERATED = "self", "moderated"
Basis = Literal["self", "moderated"]


def answer_on_basis(level: int | None, not_applicable: bool, moderated_level: int | None,
                    moderated_not_applicable: bool, basis: Basis) -> scoring.Answer | None:
    """One stored answer as the scoring rules take it; moderated falls back to self where unmoderated."""
    if basis == MODERATED and (moderated_level is not None or moderated_not_applicable):
        return scoring.NA if moderated_not_applicable else moderated_level
    if not_applicable:
        return scoring.NA
    return level


def answers_of(assessment: Assessment, basis: Basis = SELF) -> dict[str, scoring.Answer]:
    """The assessment's answers by criterion id, as the scoring rules take them."""
    answers: dict[str, scoring.Answer] = {}
    for a in assessment.answers:
        value = answer_on_basis(a.level, a.not_applicable, a.moderated_level, a.moderated_not_applicable, basis)
        if value is not None:
            answers[a.criterion.key] = value
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
