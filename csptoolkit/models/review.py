"""Peer review: champions assigned to an assessment, and their finding on each criterion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, utcnow

AGREE, CHALLENGE, EVIDENCE_REQUESTED = "agree", "challenge", "evidence_requested"


class ReviewAssignment(Timestamps, Base):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("assessment_id", "champion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    champion_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default="assigned")  # assigned | in_progress | completed
    # The evidence sample (criterion ids) drawn from the submitted answers when the assignment was made, and the
    # seed it was drawn with (domain/sampling.py): the same seed and answers always give the same sample.
    seed: Mapped[str | None] = mapped_column(String(80))
    sample: Mapped[list[str] | None] = mapped_column(JSON)

    findings: Mapped[list[ReviewFinding]] = relationship(cascade="all, delete-orphan")


class ReviewFinding(Base):
    """A champion's finding on one criterion, and the authority's response to a challenge."""

    __tablename__ = "review_findings"
    __table_args__ = (UniqueConstraint("assignment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("review_assignments.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # agree | challenge | evidence_requested
    proposed_level: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    authority_response: Mapped[str | None] = mapped_column(Text)
    moderated_level: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
