"""Reading the reference data: frameworks with their versions, cycles, the organisation register, one assessment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from ..models import Answer, Assessment, Criterion, Cycle, Framework, FrameworkVersion, Organisation, User
from ..models.organisation import StatisticalNeighbour
from .assessments import NotAllowed, can_view

# Loaded with every cycle: its framework version and framework are what a cycle is read with.
_CYCLE_WITH_FRAMEWORK = joinedload(Cycle.framework_version).joinedload(FrameworkVersion.framework)
# Loaded with every organisation: its statistical neighbours, each with the neighbour's code and name.
_WITH_NEIGHBOURS = selectinload(Organisation.neighbours).joinedload(StatisticalNeighbour.neighbour)


@dataclass(frozen=True)
class VersionSummary:
    """One version of a framework as listed: its status, title, content hash and number of criteria."""

    version: str
    status: str
    title: dict[str, str]
    content_hash: str
    criteria: int
    supersedes: str | None  # the version this one replaces


@dataclass(frozen=True)
class FrameworkSummary:
    slug: str
    versions: list[VersionSummary]


def frameworks(session: Session) -> list[FrameworkSummary]:
    """Every framework by slug, each version in the order loaded: three queries whatever the number of versions."""
    counts = dict(session.execute(
        select(Criterion.framework_version_id, func.count(Criterion.id)).group_by(Criterion.framework_version_id)
    ).all())
    found = session.execute(select(Framework).order_by(Framework.slug).options(
        selectinload(Framework.versions).joinedload(FrameworkVersion.supersedes))).scalars()
    return [FrameworkSummary(framework.slug, [
        VersionSummary(v.version, v.status, v.title, v.content_hash, counts.get(v.id, 0),
                       v.supersedes.version if v.supersedes else None)
        for v in framework.versions]) for framework in found]


def cycles(session: Session) -> list[Cycle]:
    """Every cycle, newest first (by opening date, then slug), with its framework version and framework."""
    return list(session.execute(
        select(Cycle).order_by(Cycle.opens_on.desc(), Cycle.slug.desc()).options(_CYCLE_WITH_FRAMEWORK)).scalars())


def find_cycle(session: Session, slug: str) -> Cycle | None:
    """The cycle with this slug, with its framework version and framework; None if there is none."""
    return session.execute(
        select(Cycle).filter_by(slug=slug).options(_CYCLE_WITH_FRAMEWORK)).scalar_one_or_none()


def organisations(session: Session) -> list[Organisation]:
    """The whole register by name, neighbours loaded: two queries, not one per authority."""
    return list(session.execute(
        select(Organisation).order_by(Organisation.name).options(_WITH_NEIGHBOURS)).scalars())


@dataclass(frozen=True)
class OrganisationName:
    """An authority as a list or a choice names it: plain values, in one query (no neighbours, no ORM objects)."""

    id: int
    code: str
    name: str
    dfe_region: str | None
    org_type: str


def organisation_names(session: Session) -> list[OrganisationName]:
    """The whole register by name, for choices and filters."""
    return [OrganisationName(*row) for row in session.execute(
        select(Organisation.id, Organisation.code, Organisation.name, Organisation.dfe_region, Organisation.org_type)
        .order_by(Organisation.name))]


def find_organisation(session: Session, code: str) -> Organisation | None:
    """The authority with this DfE code, neighbours loaded; None if there is none."""
    return session.execute(
        select(Organisation).filter_by(code=code).options(_WITH_NEIGHBOURS)).scalar_one_or_none()


def viewable_assessment(session: Session, user: User, cycle: Cycle, code: str) -> Assessment:
    """The assessment of the authority `code` in `cycle`, with its answers, if `user` may see it.

    NotAllowed whether there is none or it may not be seen: who may not see it is not told that it exists.
    """
    assessment = session.execute(
        select(Assessment).join(Assessment.organisation)
        .where(Assessment.cycle_id == cycle.id, Organisation.code == code)
        .options(contains_eager(Assessment.organisation),
                 selectinload(Assessment.answers).joinedload(Answer.criterion))
    ).scalar_one_or_none()
    if assessment is None or not can_view(session, user, assessment):
        raise NotAllowed
    return assessment
