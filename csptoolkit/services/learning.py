"""Learning matches and the opt-ins behind them: who may read an assessment's matches, the stored scores and opt-ins
handed to domain/learning, and an authority's editors changing its opt-ins (audit-logged, one unit of work).

The authority's own scores are its stored ones (best available: moderated where moderated), so a draft or a
returned assessment has no matches: with answers it could still change it could move its own score and watch who
appears (domain/learning says why). Peers' scores go into the domain rule and never come out of this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..domain import learning as rules
from ..domain import standards as standards_rules
from ..domain.roles import ADMIN, AUTHORITY_ROLES, EDITOR
from ..domain.scoring import STANDARD, score_key
from ..domain.states import COUNTED_STATES
from ..models import Assessment, Cycle, FrameworkVersion, Organisation, SharingOptIn, StatisticalNeighbour, User
from ..models.organisation import WALES
from .assessments import NotAllowed
from .audit import record
from .benchmarks import cycle_scores
from .catalogue import cycles as all_cycles
from .transaction import unit_of_work

BASIS = "best"  # moderated where moderated, else self-assessed (DESIGN §6's default)


@dataclass(frozen=True)
class NamedMatch:
    """A peer named on a standard, as a page or an export shows it: its name and where it was found."""

    name: str
    tier: str  # domain.learning.TIERS
    nation: str  # the peer's nation (models.organisation.ENGLAND or WALES): what "the nation" means for it

    @property
    def in_wales(self) -> bool:
        return self.nation == WALES


@dataclass(frozen=True)
class WeakStandard:
    standard: standards_rules.Standard
    domain: standards_rules.Domain
    own_score: object  # Decimal, as shown
    matches: tuple[NamedMatch, ...]


@dataclass(frozen=True)
class Learning:
    assessment: Assessment
    framework: standards_rules.Framework
    counted: bool  # whether the assessment has stored scores (submitted or later): without them, no matches
    standards: list[WeakStandard]
    opted_in: frozenset[str]  # the authority's own opt-ins on this framework (standard ids or ALL_STANDARDS)
    earlier: int | None = None  # when not counted: the authority's latest assessment that has matches, if any


def may_read(user: User, organisation_id: int) -> bool:
    """Programme admins read any authority's matches; an authority's editors and viewers its own; no one else."""
    if user.role == ADMIN:
        return True
    return user.role in AUTHORITY_ROLES and user.organisation_id == organisation_id


def readable_assessment(session: Session, user: User, assessment_id: int) -> Assessment:
    """The assessment whose matches `user` may read; NotAllowed otherwise (and when there is none)."""
    assessment = session.execute(select(Assessment).where(Assessment.id == assessment_id).options(
        joinedload(Assessment.cycle).joinedload(Cycle.framework_version).joinedload(FrameworkVersion.framework),
        joinedload(Assessment.organisation))).scalar_one_or_none()
    if assessment is None or not may_read(user, assessment.organisation_id):
        raise NotAllowed
    return assessment


def opt_ins(session: Session, framework_id: int, organisation_ids: Iterable[int] | None = None
            ) -> dict[int, frozenset[str]]:
    """Organisation id -> the standards (or ALL_STANDARDS) it agreed to be named on, for one framework: one query."""
    query = select(SharingOptIn.organisation_id, SharingOptIn.standard_key).where(
        SharingOptIn.framework_id == framework_id)
    if organisation_ids is not None:
        query = query.where(SharingOptIn.organisation_id.in_(list(organisation_ids)))
    found: dict[int, set[str]] = defaultdict(set)
    for organisation_id, key in session.execute(query):
        found[organisation_id].add(key)
    return {k: frozenset(v) for k, v in found.items()}


def learning_for(session: Session, user: User, assessment_id: int) -> Learning:
    """The learning matches of an assessment for `user` (NotAllowed when they may not read them)."""
    assessment = readable_assessment(session, user, assessment_id)
    cycle = assessment.cycle
    framework = cycle.framework_version.rules()
    framework_id = cycle.framework_version.framework_id
    choices = opt_ins(session, framework_id)
    own_choices = choices.get(assessment.organisation_id, frozenset())
    if assessment.state not in COUNTED_STATES:
        earlier = session.execute(
            select(Assessment.id).join(Cycle, Cycle.id == Assessment.cycle_id)
            .where(Assessment.organisation_id == assessment.organisation_id, Assessment.id != assessment.id,
                   Assessment.state.in_(COUNTED_STATES))
            .order_by(Cycle.opens_on.desc())).scalars().first()
        return Learning(assessment, framework, False, [], own_choices, earlier)
    found = _matches(session, cycle, assessment.organisation, framework, choices)
    return Learning(assessment, framework, True, found, own_choices)


def _matches(session: Session, cycle: Cycle, organisation: Organisation, framework: standards_rules.Framework,
             choices: dict[int, frozenset[str]]) -> list[WeakStandard]:
    register = session.execute(select(Organisation.id, Organisation.name, Organisation.region_name,
                                      Organisation.nation)).all()
    neighbours = session.execute(select(StatisticalNeighbour.neighbour_id).where(
        StatisticalNeighbour.organisation_id == organisation.id)).scalars().all()
    tiers = [rules.Tier(rules.STATISTICAL_NEIGHBOURS, neighbours),
             rules.Tier(rules.REGION, [i for i, _n, region, _nation in register
                                       if region and region == organisation.region_name]),
             rules.Tier(rules.NATION, [i for i, _n, _r, nation in register if nation == organisation.nation])]
    ids = [s.id for s in framework.standards]
    keys = {s: score_key(STANDARD, s) for s in ids}
    stored = cycle_scores(session, cycle, BASIS)
    # Only the peers that could be named are handed on: those that opted in on something.
    scores = {member: {s: stored.get(member, {}).get(keys[s]) for s in ids} for member in choices}
    own = {s: stored.get(organisation.id, {}).get(keys[s]) for s in ids}
    names = {i: name for i, name, _r, _n in register}
    nations = {i: nation for i, _name, _r, nation in register}
    domains = {s.id: d for d in framework.domains for s in d.standards}
    return [WeakStandard(framework.standard(found.standard_id), domains[found.standard_id], found.own_score,
                         tuple(NamedMatch(names[m.organisation_id], m.tier, nations[m.organisation_id])
                               for m in found.matches))
            for found in rules.matches(organisation.id, own, ids, tiers, scores, choices, names)]


# ----------------------------------------------------------------------------------------------------------
# Opting in and out


@dataclass(frozen=True)
class SharingFramework:
    """A framework an authority can opt in on: its id and slug, and its newest version used by a cycle."""

    id: int
    slug: str
    rules: standards_rules.Framework


def sharing_frameworks(session: Session) -> list[SharingFramework]:
    """The frameworks of the cycles, the newest cycle's first, each with the version its newest cycle uses."""
    found: dict[int, SharingFramework] = {}
    for cycle in all_cycles(session):
        version: FrameworkVersion = cycle.framework_version
        if version.framework_id not in found:
            found[version.framework_id] = SharingFramework(version.framework_id, version.framework.slug,
                                                           version.rules())
    return list(found.values())


def may_read_opt_ins(user: User) -> bool:
    """An authority's editors and viewers read its own opt-ins."""
    return user.role in AUTHORITY_ROLES and user.organisation_id is not None


def may_change_opt_ins(user: User) -> bool:
    return user.role == EDITOR and user.organisation_id is not None


def own_opt_ins(session: Session, user: User, framework: SharingFramework) -> frozenset[str]:
    if not may_read_opt_ins(user):
        raise NotAllowed
    return opt_ins(session, framework.id, [user.organisation_id]).get(user.organisation_id, frozenset())


def set_opt_in(session: Session, user: User, framework: SharingFramework, standard_key: str, on: bool) -> bool:
    """Opt the editor's own authority in (or out) on one standard, or on all (ALL_STANDARDS): one unit of work,
    in the audit log. True when it changed anything."""
    return bool(change_opt_ins(session, user, framework, {standard_key} if on else set(),
                               set() if on else {standard_key}))


def change_opt_ins(session: Session, user: User, framework: SharingFramework, turn_on: set[str],
                   turn_off: set[str]) -> int:
    """Opt the editor's own authority in on `turn_on` and out on `turn_off` (standard ids or ALL_STANDARDS), in
    one unit of work, each change in the audit log; what is already so is left alone (so two editors changing
    different standards at once both keep their changes). The number of changes made."""
    if not may_change_opt_ins(user):
        raise NotAllowed
    known = {rules.ALL_STANDARDS, *(s.id for s in framework.rules.standards)}
    if not (turn_on | turn_off) <= known or turn_on & turn_off:
        raise ValueError("unknown or contradictory standards")
    try:
        return _change(session, user, framework, turn_on, turn_off)
    except IntegrityError:  # a colleague opted in on the same standard at the same moment: it is so now
        return _change(session, user, framework, turn_on, turn_off)


def _change(session: Session, user: User, framework: SharingFramework, turn_on: set[str], turn_off: set[str]
            ) -> int:
    organisation_id = user.organisation_id
    changed = 0
    with unit_of_work(session):
        current = opt_ins(session, framework.id, [organisation_id]).get(organisation_id, frozenset())
        for key in sorted(turn_on - current):
            session.add(SharingOptIn(organisation_id=organisation_id, framework_id=framework.id, standard_key=key,
                                     created_by_id=user.id))
            record(session, user, "sharing.opted_in", subject=f"{framework.slug}:{key}", new={"named": True})
            changed += 1
        for key in sorted(turn_off & current):
            session.execute(delete(SharingOptIn).where(
                SharingOptIn.organisation_id == organisation_id, SharingOptIn.framework_id == framework.id,
                SharingOptIn.standard_key == key))
            record(session, user, "sharing.opted_out", subject=f"{framework.slug}:{key}", old={"named": True})
            changed += 1
    return changed
