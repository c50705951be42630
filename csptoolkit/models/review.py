"""Peer review: champions assigned to an assessment, the review's findings per criterion, comments per standard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, utcnow


class ReviewAssignment(Timestamps, Base):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("assessment_id", "champion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    champion_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default="assigned")  # assigned | in_progress | completed
    # The evidence sample (criterion ids) drawn from the submitted answers when the assignment was made, and the
    # seed it was drawn with (domain/sampling.py): the same seed and answers always give the same sample. Criteria
    # the champion adds join it.
    seed: Mapped[str | None] = mapped_column(String(80))
    sample: Mapped[list[str] | None] = mapped_column(JSON)


class ReviewFinding(Base):
    """The review's finding on one criterion of an assessment (one per criterion, whichever assigned champion
    recorded it), the authority's response to a challenge or request, and the moderated level the champion set."""

    __tablename__ = "review_findings"
    __table_args__ = (UniqueConstraint("assessment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    champion_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))  # domain/moderation.OUTCOMES
    proposed_level: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)  # why a challenge; what evidence is wanted
    response: Mapped[str | None] = mapped_column(String(20))  # domain/moderation.RESPONSES
    response_note: Mapped[str | None] = mapped_column(Text)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    moderated_level: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ReviewComment(Base):
    """The review's comment on one standard of an assessment."""

    __tablename__ = "review_comments"
    __table_args__ = (UniqueConstraint("assessment_id", "standard_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    standard_key: Mapped[str] = mapped_column(String(80))
    champion_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
