"""An authority's assessment in a cycle: its answers (self-assessed and moderated), evidence and scores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.states import DRAFT, EDITABLE_STATES
from .base import Base, Timestamps, utcnow
from .cycle import Cycle
from .framework import Criterion
from .organisation import Organisation


class Assessment(Timestamps, Base):
    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("cycle_id", "organisation_id"),
        CheckConstraint("state IN ('draft','submitted','in_review','moderated','published','returned')",
                        name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cycle: Mapped[Cycle] = relationship()
    organisation: Mapped[Organisation] = relationship()
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", back_populates="assessment")
    scores: Mapped[list[AssessmentScore]] = relationship(cascade="all, delete-orphan")

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE_STATES


class Answer(Base):
    """One criterion's answer: the self-assessed level or N/A, evidence note, and the moderated level."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    level: Mapped[int | None] = mapped_column(Integer)  # yes/no stored as the top of the scale or 0
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)  # from last cycle, not yet confirmed
    moderated_level: Mapped[int | None] = mapped_column(Integer)
    moderated_not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    criterion: Mapped[Criterion] = relationship()
    evidence_files: Mapped[list[EvidenceFile]] = relationship(cascade="all, delete-orphan")

    @property
    def answered(self) -> bool:
        return self.not_applicable or self.level is not None

    @property
    def key(self) -> str:
        """The criterion's id in the standards file (what the scoring rules and pages call it)."""
        return self.criterion.key


class EvidenceFile(Base):
    """An uploaded evidence file, stored under a random name; its type checked from its content."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AssessmentScore(Base):
    """A score computed by the scoring rules and kept for benchmarking in SQL (never edited by hand).

    basis is `self` or `moderated`; scope is `overall`, `domain` or `standard` with key the domain or standard
    id ("" for overall). score is the exact score rounded to 4 decimals; null where not scored. confidence is ""
    for the score of every answer, or the lowest confidence accepted (`evidenced`, `peer-validated`: the score of
    only the answers at that confidence or above, domain/confidence.py).
    """

    __tablename__ = "assessment_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "basis", "confidence", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    basis: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[str] = mapped_column(String(16), default="", server_default="")
    scope: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(80))
    score: Mapped[float | None] = mapped_column(Numeric(8, 4))
    band: Mapped[str | None] = mapped_column(String(40))
    gated: Mapped[bool] = mapped_column(Boolean, default=False)
