"""Calibration of moderation for programme admins: the stored overall scores of completed reviews, per champion and
per authority across cycles, read in a fixed number of queries and handed to domain/calibration.py."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Float, Select, and_, cast, or_, select
from sqlalchemy.orm import Session, aliased

from ..domain import calibration
from ..domain.roles import ADMIN, CHAMPION
from ..domain.scoring import OVERALL
from ..domain.states import COUNTED_STATES, MODERATED_STATES
from ..models import Assessment, AssessmentScore, Cycle, Organisation, ReviewAssignment, User
from .assessments import NotAllowed
from .scores import MODERATED, SELF

FOUR_PLACES = Decimal("0.0001")


def _only_admins(user: User) -> None:
    if user.role != ADMIN:
        raise NotAllowed


def _stored(value: float | None) -> Decimal | None:
    """A stored score as the exact 4-decimal number it was stored as (read as a float: SQLite keeps a REAL)."""
    return None if value is None else Decimal(repr(value)).quantize(FOUR_PLACES)


def _with_overall_scores(query):
    """The query (over Assessment) with the assessment's stored overall scores of every answer, self-assessed and
    moderated, as two more columns (None where there is none)."""
    own, moderated = aliased(AssessmentScore), aliased(AssessmentScore)

    def overall(alias, basis: str):
        return and_(alias.assessment_id == Assessment.id, alias.basis == basis, alias.confidence == "",
                    alias.scope == OVERALL, alias.key == "")

    return (query.add_columns(cast(own.score, Float).label("self_score"),
                              cast(moderated.score, Float).label("moderated_score"))
            .outerjoin(own, overall(own, SELF)).outerjoin(moderated, overall(moderated, MODERATED)))


_READ: dict[tuple, tuple] = {}


def _read_once(session: Session, what: tuple, query: Callable[[], Select]) -> tuple[tuple, tuple]:
    """The rows of the query `query()` builds (plain tuples), and what names them. They are read again only once
    some cycle's scores version has moved: every change they depend on (a moderation completed or published, a
    stored score, a submission or return, the register's import) raises it (services/scores.scores_changed), in
    SQL, so every app server sees the same. The query is not even built while they are kept."""
    versions = tuple(session.execute(select(Cycle.id, Cycle.scores_version).order_by(Cycle.id)).all())
    key = (str(session.get_bind().url), versions, what)
    if key not in _READ:
        if len(_READ) >= 32:
            _READ.clear()
        _READ[key] = tuple(tuple(row) for row in session.execute(query()))
    return key, _READ[key]


def champions(session: Session, admin: User, cycle: Cycle | None = None) -> list[calibration.ChampionCalibration]:
    """Every active champion (and anyone else with a completed review), by name, with their completed reviews of
    the cycle (of every cycle when None) and the mean absolute gap of those assessments' overall scores. Two
    queries, however many champions and reviews (and the completed reviews kept by scores version)."""
    _only_admins(admin)

    def query() -> Select:
        completed = _with_overall_scores(
            select(ReviewAssignment.champion_id, Assessment.id)
            .join(Assessment, Assessment.id == ReviewAssignment.assessment_id)
            .where(Assessment.state.in_(MODERATED_STATES)))
        return completed if cycle is None else completed.where(Assessment.cycle_id == cycle.id)

    _key, found = _read_once(session, ("champions", cycle.id if cycle else None), query)
    reviewers = {champion_id for champion_id, *_rest in found}
    people = tuple(tuple(row) for row in session.execute(select(User.id, User.name).where(or_(
        and_(User.role == CHAMPION, User.active.is_(True)), User.id.in_(reviewers)))))
    return list(_champions(found, people))


@functools.lru_cache(maxsize=64)
def _champions(found: tuple, people: tuple) -> tuple[calibration.ChampionCalibration, ...]:
    """The champions' figures from the rows read (plain values), worked out once per distinct set of rows."""
    reviews, scores = [], {}
    for champion_id, assessment_id, own, moderated in found:
        reviews.append((champion_id, assessment_id))
        scores[assessment_id] = calibration.OverallScores(_stored(own), _stored(moderated))
    return tuple(calibration.champion_calibration([calibration.Champion(i, name or "") for i, name in people],
                                                  reviews, scores))


@dataclass(frozen=True)
class AuthorityPage:
    rows: list[calibration.AuthorityCalibration]
    total: int
    page: int
    pages: int
    stamp: tuple = ()  # names everything the rows were made from: what is built from them may be kept under it


def authorities(session: Session, admin: User, *, region: str | None = None, page: int = 1,
                per_page: int = 50) -> AuthorityPage:
    """The authorities (of one DfE region, or all) with at least one completed moderation, largest mean absolute
    gap first, one page of them; each with its submitted (or later) assessments' overall scores, oldest cycle
    first. One query, whatever the page's size: the order needs every authority's figures."""
    _only_admins(admin)

    def query() -> Select:
        counted = _with_overall_scores(
            select(Organisation.id, Organisation.code, Organisation.name, Organisation.dfe_region,
                   Assessment.cycle_id, Assessment.state)
            .select_from(Assessment)
            .join(Organisation, Organisation.id == Assessment.organisation_id)
            .join(Cycle, Cycle.id == Assessment.cycle_id)
            .where(Assessment.state.in_(COUNTED_STATES)))
        if region:
            counted = counted.where(Organisation.dfe_region == region)
        return counted.order_by(Organisation.name, Organisation.id, Cycle.opens_on, Cycle.slug)

    key, found = _read_once(session, ("authorities", region), query)
    everyone = _authorities(found)
    pages = max(1, math.ceil(len(everyone) / per_page))
    page = min(max(1, page), pages)
    return AuthorityPage(everyone[(page - 1) * per_page:page * per_page], len(everyone), page, pages,
                         (key, page, per_page))


@functools.lru_cache(maxsize=64)
def _authorities(found: tuple) -> list[calibration.AuthorityCalibration]:
    """The authorities' figures from the rows read (plain values), worked out once per distinct set of rows."""
    known: dict[int, calibration.Authority] = {}
    rows = [calibration.CycleAssessment(
        known.setdefault(org_id, calibration.Authority(org_id, code, name, dfe_region)), cycle_id, state,
        calibration.OverallScores(_stored(own), _stored(moderated)))
        for org_id, code, name, dfe_region, cycle_id, state, own, moderated in found]
    return calibration.authority_calibration(rows)


def regions(session: Session, admin: User) -> list[str]:
    """The DfE regions of the register, by name (for the authorities' filter)."""
    _only_admins(admin)
    return list(session.execute(select(Organisation.dfe_region).where(Organisation.dfe_region.is_not(None))
                                .distinct().order_by(Organisation.dfe_region)).scalars())
