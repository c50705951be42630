"""The append-only audit log: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditEvent(Base):
    """One change; rows are never updated or deleted (database triggers refuse it)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))  # e.g. answer.changed, assessment.submitted
    subject: Mapped[str | None] = mapped_column(String(120))  # e.g. the criterion id
    old_value: Mapped[dict | None] = mapped_column(JSON)
    new_value: Mapped[dict | None] = mapped_column(JSON)
