"""Assessment cycles: one framework version, open between two dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
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

    framework_version: Mapped[FrameworkVersion] = relationship()

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on
