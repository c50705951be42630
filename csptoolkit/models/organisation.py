"""Organisations (local authorities), their DfE statistical neighbours and saved peer groups."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps

ENGLAND = "england"
WALES = "wales"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # DfE LA code, e.g. "202" (Camden)
    gss_code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    nation: Mapped[str] = mapped_column(String(10), index=True)
    org_type: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "London borough (inner)"
    type_code: Mapped[str | None] = mapped_column(String(8))  # LAIT type code: OLB, ILB, MD, UA, SC
    region_code: Mapped[str | None] = mapped_column(String(9))
    region_name: Mapped[str | None] = mapped_column(String(60), index=True)
    dfe_region: Mapped[str | None] = mapped_column(String(60), index=True)  # splits London inner/outer

    neighbours: Mapped[list[StatisticalNeighbour]] = relationship(
        foreign_keys="StatisticalNeighbour.organisation_id", order_by="StatisticalNeighbour.rank",
        cascade="all, delete-orphan", back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.code} {self.name}>"


class StatisticalNeighbour(Base):
    """One of an authority's 10 DfE statistical neighbours; the relation is not symmetric."""

    __tablename__ = "statistical_neighbours"
    __table_args__ = (UniqueConstraint("organisation_id", "rank"),
                      UniqueConstraint("organisation_id", "neighbour_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    neighbour_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    closeness: Mapped[str] = mapped_column(String(20))

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id], back_populates="neighbours")
    neighbour: Mapped[Organisation] = relationship(foreign_keys=[neighbour_id])


class PeerGroup(Timestamps, Base):
    """A custom peer group a user names and saves; programme admins may share one with everyone."""

    __tablename__ = "peer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)

    members: Mapped[list[PeerGroupMember]] = relationship(cascade="all, delete-orphan")


class PeerGroupMember(Base):
    __tablename__ = "peer_group_members"
    __table_args__ = (UniqueConstraint("peer_group_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_group_id: Mapped[int] = mapped_column(ForeignKey("peer_groups.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
