"""Improvement plans generated from an assessment's gaps, and their actions as the authority edits them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps

NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"


class ImprovementPlan(Timestamps, Base):
    __tablename__ = "improvement_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), unique=True)

    actions: Mapped[list[PlanAction]] = relationship(order_by="PlanAction.priority", cascade="all, delete-orphan")


class PlanAction(Timestamps, Base):
    __tablename__ = "plan_actions"
    __table_args__ = (UniqueConstraint("plan_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id", ondelete="SET NULL"))
    level_reached: Mapped[int] = mapped_column(Integer)
    target_level: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer)
    priority_score: Mapped[float] = mapped_column(Numeric(10, 4))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(120))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=NOT_STARTED)
    notes: Mapped[str | None] = mapped_column(Text)
