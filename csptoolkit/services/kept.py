"""What a process keeps of an assessment's reads (its answers, its review) under the assessment's stamp.

Every change to an assessment's answers, evidence, findings, comments or assignments moves
`assessments.updated_at` in the same transaction: the services take the assessment's write lock first
(services/assessments.lock_for_change), and the flush listener below moves it for any other write made through
the ORM. So (database, assessment id, updated_at, state) names what those reads return, and anything built from
them alone can be kept under it, in every app server alike. Nothing is kept from inside a unit of work or from a
session holding uncommitted changes: those reads may see what is not committed yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ..models import Answer, Assessment, EvidenceFile, ReviewAssignment, ReviewComment, ReviewFinding
from .transaction import writing

T = TypeVar("T")
_KEPT: dict[tuple, object] = {}
_LIMIT = 512  # assessments' answers and reviews (a few tens of KB each)
_PARTS = (Answer, ReviewFinding, ReviewComment, ReviewAssignment)  # rows that name their assessment


def kept(session: Session, assessment: Assessment, name: str, build: Callable[[], T]) -> T:
    """`build()`, kept under the assessment's stamp and `name`; built afresh while the session is writing."""
    if writing(session):
        return build()
    key = (str(session.get_bind().url), assessment.id, assessment.updated_at, assessment.state, name)
    try:
        return _KEPT[key]  # type: ignore[return-value]
    except KeyError:
        pass
    if len(_KEPT) >= _LIMIT:
        _KEPT.clear()
    value = _KEPT[key] = build()
    return value


def forget_kept() -> None:
    """Empty what this process keeps (for measuring the first request after a change)."""
    _KEPT.clear()


@event.listens_for(Session, "before_flush")
def _touch_changed_assessments(session: Session, flush_context, instances) -> None:
    """A change to an assessment's parts moves the assessment's stamp, however it was made."""
    ids: set[int] = set()
    answer_ids: set[int] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, _PARTS) and row.assessment_id is not None:
            ids.add(row.assessment_id)
        elif isinstance(row, _PARTS):
            parent = getattr(row, "assessment", None)
            if parent is not None and parent.id is not None:
                ids.add(parent.id)
        elif isinstance(row, EvidenceFile) and row.answer_id is not None:
            answer_ids.add(row.answer_id)
    if answer_ids:
        ids.update(session.execute(select(Answer.assessment_id).where(Answer.id.in_(answer_ids))).scalars())
    if ids:
        session.execute(update(Assessment).where(Assessment.id.in_(ids)).values(updated_at=datetime.now(UTC))
                        .execution_options(synchronize_session=False))
