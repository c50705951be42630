"""Background exports (the benchmark report of every authority in a cycle as one zip) and their items, so that a
job's progress is in the database and a restarted worker carries on where it stopped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"  # a job's states
PENDING = "pending"  # an item not yet made (items are PENDING, DONE or FAILED)


class ExportJob(Base):
    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "benchmarks": every authority's benchmark report (and plan)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(200))  # the finished zip, under the exports folder
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[ExportItem]] = relationship(cascade="all, delete-orphan", order_by="ExportItem.id")


class ExportItem(Base):
    __tablename__ = "export_items"
    __table_args__ = (UniqueConstraint("job_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("export_jobs.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    reason: Mapped[str | None] = mapped_column(Text)  # why it failed, in words an admin can act on
    files: Mapped[str | None] = mapped_column(Text)  # the names in the zip of what was made, one per line
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
