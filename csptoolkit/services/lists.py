"""Lists of assessments (a cycle's for programme staff, a champion's assignments): plain rows in one query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.roles import ADMIN
from ..models import Assessment, Cycle, Organisation, ReviewAssignment, User
from .assessments import NotAllowed


@dataclass(frozen=True)
class Named:
    """What a list shows of an authority or a cycle: its name (and slug)."""

    id: int
    name: str
    slug: str = ""


@dataclass(frozen=True)
class ListedAssessment:
    """An assessment as a list shows it: plain values, read in one query with its authority's and cycle's names."""

    id: int
    state: str
    submitted_at: datetime | None
    organisation: Named
    cycle: Named

    @property
    def cycle_id(self) -> int:
        return self.cycle.id


def _listed(query) -> list[ListedAssessment]:
    return [ListedAssessment(row.id, row.state, row.submitted_at, Named(row.organisation_id, row.organisation_name),
                             Named(row.cycle_id, row.cycle_name, row.cycle_slug))
            for row in query]


def _list_query():
    return (select(Assessment.id, Assessment.state, Assessment.submitted_at, Assessment.organisation_id,
                   Organisation.name.label("organisation_name"), Assessment.cycle_id,
                   Cycle.name.label("cycle_name"), Cycle.slug.label("cycle_slug"))
            .join(Organisation, Organisation.id == Assessment.organisation_id)
            .join(Cycle, Cycle.id == Assessment.cycle_id))


def assigned_to(session: Session, champion: User) -> list[ListedAssessment]:
    """The assessments a champion has been assigned to review."""
    return _listed(session.execute(
        _list_query().join(ReviewAssignment, ReviewAssignment.assessment_id == Assessment.id)
        .where(ReviewAssignment.champion_id == champion.id).order_by(Assessment.id)))


def cycle_assessments(session: Session, user: User, cycle: Cycle, state: str | None = None
                      ) -> list[ListedAssessment]:
    """Every authority's assessment in a cycle, by authority name (programme admins only), optionally of one state:
    one query, plain rows."""
    if user.role != ADMIN:
        raise NotAllowed
    query = _list_query().where(Assessment.cycle_id == cycle.id).order_by(Organisation.name)
    if state:
        query = query.where(Assessment.state == state)
    return _listed(session.execute(query))
