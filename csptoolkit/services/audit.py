"""The append-only audit log: one function writes every event (the database refuses changes to old ones)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Assessment, AuditEvent, User


def record(session: Session, user: User | None, action: str, assessment: Assessment | None = None,
           subject: str | None = None, old: object = None, new: object = None) -> None:
    """Write one event to the append-only audit log."""
    session.add(AuditEvent(
        user_id=user.id if user else None, action=action, subject=subject,
        assessment_id=assessment.id if assessment else None,
        organisation_id=assessment.organisation_id if assessment else (user.organisation_id if user else None),
        old_value=None if old is None else {"value": old}, new_value=None if new is None else {"value": new}))
