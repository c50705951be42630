"""Assessment cycles: one framework version, open between two dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps
from .framework import FrameworkVersion


class Cycle(Timestamps, Base):
    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "2011"
    name: Mapped[str] = mapped_column(String(120))  # e.g. "2011 self-assessment"
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id"))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # Raised (in SQL, so it is atomic and the same for every app server) whenever a score of the cycle is stored
    # or an assessment starts or stops counting: cached reads of the cycle's scores are keyed by it.
    scores_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    framework_version: Mapped[FrameworkVersion] = relationship()

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on
