"""Improvement plans generated from an assessment's gaps, their actions as the authority edits them, the targets it
sets, and the authorities' opt-in to be named as willing to share practice (DESIGN §7)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The rules name these once: an action's statuses, where an action came from (generated from a gap, written by the
# authority, carried from the last cycle's plan), and a sharing opt-in for every standard of the framework.
from ..domain.learning import ALL_STANDARDS  # noqa: F401
from ..domain.planning import CARRIED, DONE, GENERATED, IN_PROGRESS, NOT_STARTED, OWN  # noqa: F401
from .base import Base, Timestamps, utcnow


class ImprovementPlan(Timestamps, Base):
    __tablename__ = "improvement_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), unique=True)
    # Raised by every change of the plan: a save carries the revision it was shown, so two editors never silently
    # overwrite each other (the check and the write are one UPDATE ... WHERE revision = seen).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    basis: Mapped[str] = mapped_column(String(10), default="self", server_default="self")  # the answers it came from
    generated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The plan of the previous cycle that this one's open actions were carried from.
    carried_from_plan_id: Mapped[int | None] = mapped_column(ForeignKey("improvement_plans.id", ondelete="SET NULL"))

    actions: Mapped[list[PlanAction]] = relationship(order_by="PlanAction.priority", cascade="all, delete-orphan")
    targets: Mapped[list[PlanTarget]] = relationship(cascade="all, delete-orphan")


class PlanTarget(Base):
    """A target level the authority set for a criterion (without one, the target is the next level up)."""

    __tablename__ = "plan_targets"
    __table_args__ = (UniqueConstraint("plan_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    target_level: Mapped[int] = mapped_column(Integer)


class PlanAction(Timestamps, Base):
    __tablename__ = "plan_actions"
    __table_args__ = (UniqueConstraint("plan_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id", ondelete="CASCADE"), index=True)
    # None for an action the authority added that names no criterion.
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id"))
    standard_key: Mapped[str | None] = mapped_column(String(80))  # where an own action belongs, when it says
    origin: Mapped[str] = mapped_column(String(10), default=GENERATED, server_default=GENERATED)
    level_reached: Mapped[int | None] = mapped_column(Integer)
    target_level: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer)
    priority_score: Mapped[float] = mapped_column(Numeric(10, 4))
    text: Mapped[str] = mapped_column(Text)
    text_edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # kept on regenerating
    owner: Mapped[str | None] = mapped_column(String(120))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=NOT_STARTED)
    done_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    carried_from: Mapped[list[PlanActionOrigin]] = relationship(
        foreign_keys="PlanActionOrigin.action_id", cascade="all, delete-orphan")


class PlanActionOrigin(Base):
    """Which of last cycle's actions an action carries forward (several when criteria merged through the
    crosswalk; one old action gives several when its criterion split)."""

    __tablename__ = "plan_action_origins"

    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), primary_key=True)
    from_action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), primary_key=True,
                                                index=True)


class SharingOptIn(Base):
    """An authority agrees to be named, on a standard (or on every one: ALL_STANDARDS), as willing to share
    practice with authorities that score lower on it (learning matches). Without a row it is never named."""

    __tablename__ = "sharing_opt_ins"
    __table_args__ = (UniqueConstraint("organisation_id", "framework_id", "standard_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    standard_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
