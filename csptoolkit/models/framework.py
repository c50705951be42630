"""Standards frameworks and their versions, with the domains, standards and criteria loaded from files."""

from __future__ import annotations

import functools

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import standards as rules
from .base import Base, Timestamps


class Framework(Timestamps, Base):
    __tablename__ = "frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)

    versions: Mapped[list[FrameworkVersion]] = relationship(back_populates="framework",
                                                            order_by="FrameworkVersion.id")


class FrameworkVersion(Timestamps, Base):
    """A loaded standards file; published versions are immutable (content_hash is checked on every load)."""

    __tablename__ = "framework_versions"
    __table_args__ = (UniqueConstraint("framework_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12))
    title: Mapped[dict] = mapped_column(JSON)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("framework_versions.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)  # the model as JSON, so scoring needs no joins

    framework: Mapped[Framework] = relationship(back_populates="versions")
    supersedes: Mapped[FrameworkVersion | None] = relationship(remote_side=[id])
    domains: Mapped[list[Domain]] = relationship(order_by="Domain.position", cascade="all, delete-orphan")
    criteria: Mapped[list[Criterion]] = relationship(order_by="Criterion.position", cascade="all, delete-orphan",
                                                     viewonly=True)

    def rules(self) -> rules.Framework:
        """The version as the domain model, parsed once per process (a published version never changes, and its
        content hash names its document)."""
        return parsed_rules(self.content_hash, self.document)

    @property
    def label(self) -> str:
        return f"{self.framework.slug} {self.version}"


class Domain(Base):
    __tablename__ = "domains"
    __table_args__ = (UniqueConstraint("framework_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[dict] = mapped_column(JSON)
    weight: Mapped[float] = mapped_column(Numeric(10, 4))
    position: Mapped[int] = mapped_column(Integer)

    standards: Mapped[list[Standard]] = relationship(order_by="Standard.position", cascade="all, delete-orphan",
                                                     back_populates="domain")


class Standard(Base):
    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("framework_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id", ondelete="CASCADE"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[dict] = mapped_column(JSON)
    weight: Mapped[float] = mapped_column(Numeric(10, 4))
    position: Mapped[int] = mapped_column(Integer)

    domain: Mapped[Domain] = relationship(back_populates="standards")
    criteria: Mapped[list[Criterion]] = relationship(order_by="Criterion.position", cascade="all, delete-orphan",
                                                     back_populates="standard")


class Criterion(Base):
    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("framework_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id", ondelete="CASCADE"))
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    text: Mapped[dict] = mapped_column(JSON)
    type: Mapped[str] = mapped_column(String(10))
    weight: Mapped[float] = mapped_column(Numeric(10, 4))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    minimum_level: Mapped[int | None] = mapped_column(Integer)
    allow_na: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_from: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)

    standard: Mapped[Standard] = relationship(back_populates="criteria")


class CrosswalkLink(Base):
    """An old criterion maps to a new one (a retired criterion has no link)."""

    __tablename__ = "crosswalk_links"
    __table_args__ = (UniqueConstraint("from_criterion_id", "to_criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id", ondelete="CASCADE"))
    from_criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    to_criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))


@functools.lru_cache(maxsize=64)
def parsed_rules(content_hash: str, document: str) -> rules.Framework:
    return rules.from_json(document)
