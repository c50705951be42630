"""Scores of stored assessments: answers read into the scoring rules, results kept for benchmarking and trends."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..domain import confidence as confidence_rules
from ..domain import moderation, scoring
from ..domain.states import COUNTED_STATES
from ..models import Assessment, AssessmentScore, Criterion, Cycle, FrameworkVersion, ReviewFinding
from ..models.framework import parsed_rules
from .transaction import reads, unit_of_work

SELF, MODERATED = "self", "moderated"
Basis = Literal["self", "moderated"]


def moderated(moderated_level: int | None, moderated_not_applicable: bool) -> bool:
    """Whether an answer has a moderated rating: the one test of it (an assessment is moderated when any is)."""
    return moderated_level is not None or moderated_not_applicable


def answer_on_basis(level: int | None, not_applicable: bool, moderated_level: int | None,
                    moderated_not_applicable: bool, basis: Basis) -> scoring.Answer | None:
    """One stored answer as the scoring rules take it; moderated falls back to self where unmoderated."""
    if basis == MODERATED and moderated(moderated_level, moderated_not_applicable):
        return scoring.NA if moderated_not_applicable else moderated_level
    if not_applicable:
        return scoring.NA
    return level


def rows_of(source) -> Iterable:
    """An assessment's answer rows: its ORM answers, or the rows a page read (assessments.answer_views) as given."""
    return source.answers if isinstance(source, Assessment) else source


def answers_of(source, basis: Basis = SELF) -> dict[str, scoring.Answer]:
    """The answers of an assessment (or of its answer rows) by criterion id, as the scoring rules take them."""
    answers: dict[str, scoring.Answer] = {}
    for a in rows_of(source):
        value = answer_on_basis(a.level, a.not_applicable, a.moderated_level, a.moderated_not_applicable, basis)
        if value is not None:
            answers[a.key] = value
    return answers


def is_moderated(source) -> bool:
    """Whether any answer has a moderated level: the one test of it (pages, stored scores, the API)."""
    return any(moderated(a.moderated_level, a.moderated_not_applicable) for a in rows_of(source))


def score_of(assessment: Assessment, basis: Basis = SELF, rows: Iterable | None = None) -> scoring.Result:
    """The assessment's scores (from `rows` when a page has read them), computed once per distinct set of answers
    in a process: the rules are pure, and a page showing the same answers again gets the same result."""
    version = assessment.cycle.framework_version
    answers = answers_of(assessment if rows is None else rows, basis)
    return _scored(version.content_hash, version.document, frozenset(answers.items()))


def score_answers(version: FrameworkVersion, answers: dict[str, scoring.Answer]) -> scoring.Result:
    """The scores of any answers on a framework version (for example moderated ones not stored yet), computed once
    per distinct set of answers in a process, like score_of."""
    return _scored(version.content_hash, version.document, frozenset(answers.items()))


@functools.lru_cache(maxsize=1024)
def _scored(content_hash: str, document: str, answers: frozenset) -> scoring.Result:
    return scoring.score(parsed_rules(content_hash, document), dict(answers))


def refresh_scores(session: Session, assessment: Assessment) -> None:
    """Recompute and store the assessment's scores (self, and moderated when it has been moderated)."""
    session.execute(delete(AssessmentScore).where(AssessmentScore.assessment_id == assessment.id))
    session.add_all(score_rows(assessment, successors(session, assessment.cycle.framework_version),
                               validated_of(session, assessment)))
    scores_changed(session, assessment.cycle_id)


def finding_of(key: str, row: ReviewFinding) -> moderation.Finding:
    """A stored finding as the moderation rules take it."""
    return moderation.Finding(key, row.outcome, row.proposed_level, row.reason or "", row.response,
                              row.response_note or "", row.moderated_level)


def validated_of(session: Session, assessment: Assessment) -> frozenset[str]:
    """The criteria of the assessment whose ratings a champion agreed or moderated (peer-validated)."""
    found = session.execute(
        select(ReviewFinding, Criterion.key).join(Criterion, Criterion.id == ReviewFinding.criterion_id)
        .where(ReviewFinding.assessment_id == assessment.id)).all()
    return moderation.peer_validated({key: finding_of(key, row) for row, key in found})


FILTERED = (confidence_rules.EVIDENCED, confidence_rules.PEER_VALIDATED)
"""The lowest confidences accepted that scores are also stored for (every answer is stored as confidence "")."""


def scores_changed(session: Session, cycle_id: int) -> None:
    """Raise the cycle's scores version: every cached read of its scores is then read again.

    Call it in the transaction that stores a score of the cycle or changes which of its assessments count (a
    submission, a return, a moderation). Done in SQL, so it is atomic and every app server sees the same number.
    """
    session.execute(update(Cycle).where(Cycle.id == cycle_id).values(scores_version=Cycle.scores_version + 1)
                    .execution_options(synchronize_session=False))
    reads(session).pop(("scores_version", cycle_id), None)


def scores_version(session: Session, cycle_id: int) -> int:
    """The cycle's scores version, read once per transaction."""
    cache = reads(session)
    key = ("scores_version", cycle_id)
    if key not in cache:
        cache[key] = session.execute(select(Cycle.scores_version).where(Cycle.id == cycle_id)).scalar_one()
    return cache[key]


def successors(session: Session, version: FrameworkVersion) -> list[FrameworkVersion]:
    """The versions that supersede this one (trends compare an assessment on it with their criteria)."""
    return list(session.execute(select(FrameworkVersion).where(FrameworkVersion.supersedes_id == version.id)
                                .order_by(FrameworkVersion.id)).scalars())


def _parts(result: scoring.Result) -> list:
    parts = [(scoring.OVERALL, "", result.overall.exact, result.overall)]
    parts += [(scoring.DOMAIN, key, s.exact, s) for key, s in result.domains.items()]
    parts += [(scoring.STANDARD, key, s.exact, s) for key, s in result.standards.items()]
    return parts


def score_rows(assessment: Assessment, later: Sequence[FrameworkVersion] = (),
               validated: frozenset[str] = frozenset()) -> list[AssessmentScore]:
    """The rows of every stored score: overall, domains and standards, and the comparable overall score against
    this version's own crosswalk and against each later version's (so trends never re-score answers); and the
    overall, domain and standard scores of only the answers at each lowest confidence accepted (`validated` are
    the criteria a champion agreed or moderated)."""
    version = assessment.cycle.framework_version
    bases: list[Basis] = [SELF, MODERATED] if is_moderated(assessment) else [SELF]
    evidence = {a.key: bool(a.evidence_note or a.evidence_files) for a in assessment.answers}
    rows = []
    for basis in bases:
        result = score_of(assessment, basis)
        parts = _parts(result)
        answers = answers_of(assessment, basis)
        levels = moderation.confidences(answers, evidence, validated)
        for lowest in FILTERED:
            kept = confidence_rules.accepted(answers, levels, lowest)
            filtered = _scored(version.content_hash, version.document, frozenset(kept.items()))
            for scope, key, exact, score in _parts(filtered):
                rows.append(AssessmentScore(
                    assessment_id=assessment.id, basis=basis, confidence=lowest.value, scope=scope, key=key,
                    score=None if exact is None else round(float(exact), 4),
                    band=score.band.id if score.band else None, gated=score.gated))
        comparable = [(v, False) for v in [version] if v.supersedes_id is not None]
        comparable += [(v, True) for v in later]
        for newer, older_ids in comparable:
            exact = scoring.comparable_overall(newer.rules(), answers, older_ids)
            parts.append((scoring.COMPARABLE, str(newer.id), exact, None))
        for scope, key, exact, score in parts:
            rows.append(AssessmentScore(
                assessment_id=assessment.id, basis=basis, scope=scope, key=key,
                score=None if exact is None else round(float(exact), 4),
                band=score.band.id if score is not None and score.band else None,
                gated=bool(score is not None and score.gated)))
    return rows


def refresh_comparable(session: Session, version: FrameworkVersion) -> int:
    """Store comparable scores against a newly loaded version for every counted assessment of the version it
    supersedes (their other scores are unchanged); returns how many assessments were scored."""
    if version.supersedes_id is None:
        return 0
    from .assessments import with_answers  # (assessments imports this module)

    older = session.execute(select(Assessment).join(Cycle).where(
        Cycle.framework_version_id == version.supersedes_id, Assessment.state.in_(COUNTED_STATES))
        .options(*with_answers())).scalars().all()
    for cycle_id in {a.cycle_id for a in older}:
        scores_changed(session, cycle_id)
    for assessment in older:
        session.execute(delete(AssessmentScore).where(
            AssessmentScore.assessment_id == assessment.id, AssessmentScore.scope == scoring.COMPARABLE,
            AssessmentScore.key == str(version.id)))
        bases: list[Basis] = [SELF, MODERATED] if is_moderated(assessment) else [SELF]
        for basis in bases:
            exact = scoring.comparable_overall(version.rules(), answers_of(assessment, basis), older_ids=True)
            session.add(AssessmentScore(assessment_id=assessment.id, basis=basis, scope=scoring.COMPARABLE,
                                        key=str(version.id), score=None if exact is None else round(float(exact), 4)))
    return len(older)


def refresh_cycle(session: Session, cycle: Cycle) -> int:
    """Store again the scores of every counted assessment of the cycle (submitted, in review, moderated or
    published), in one unit of work: after a change to what is stored, such as migration 006's scores of only the
    answers at each confidence. A returned assessment is left as it is: it is scored again when resubmitted.
    Returns how many assessments were scored."""
    from .assessments import with_answers  # (assessments imports this module)

    with unit_of_work(session):
        found = session.execute(select(Assessment).where(
            Assessment.cycle_id == cycle.id, Assessment.state.in_(COUNTED_STATES))
            .order_by(Assessment.id).options(*with_answers())).scalars().all()
        for assessment in found:
            refresh_scores(session, assessment)
    return len(found)
