"""Benchmarks: peer groups from the register, stored scores read in one query, statistics from domain/benchmark.

What a reader may see of a group is decided by domain/benchmark.disclosure() alone; this module only supplies its
inputs (who reads, how the group came to be, the threshold) and never hands out a figure that did not go
through it. So results carry positions, not the members' scores they were computed from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Float, cast, select
from sqlalchemy.orm import Session, joinedload

from ..domain import benchmark as rules
from ..domain import standards as standards_rules
from ..domain.identifiers import parse_id
from ..domain.peer_groups import (  # noqa: F401 (GROUP_KINDS and CUSTOM_PREFIX: services.benchmarks names them)
    ALL,
    CUSTOM_PREFIX,
    DFE_REGION,
    GROUP_KINDS,
    NATION,
    REGION,
    SHARED_ATTRIBUTE,
    STATISTICAL_NEIGHBOURS,
    TYPE,
)
from ..domain.roles import ADMIN
from ..domain.scoring import OVERALL, score_key, score_keys
from ..domain.states import COUNTED_STATES
from ..models import (
    Assessment,
    AssessmentScore,
    Cycle,
    Organisation,
    PeerGroup,
    PeerGroupMember,
    StatisticalNeighbour,
    User,
)
from ..models.organisation import WALES
from .scores import FILTERED, scores_version
from .transaction import unit_of_work

BASES = ("best", "self", "moderated")
CONFIDENCES = ("", *(level.value for level in FILTERED))  # "" accepts every answer


class UnknownGroup(LookupError):
    """The peer group asked for does not exist, is not offered for the authority, or is not the user's to use."""


def audience_of(user: User | None) -> rules.Audience:
    """Programme admins read as programme staff; everyone else, and anything built with no user, as an authority."""
    return rules.Audience.PROGRAMME if user is not None and user.role == ADMIN else rules.Audience.AUTHORITY


def group_kinds(organisation: Organisation) -> tuple[str, ...]:
    """The fixed groups an authority is compared with, its default first.

    Welsh authorities have no DfE statistical neighbours, and their region and type are Wales itself, so they
    are compared with all of Wales and with every authority. The Inner/Outer London split is offered only
    where it differs from the region (London); elsewhere it is the region again.
    """
    if organisation.nation == WALES:
        return (NATION, ALL)
    kinds = [STATISTICAL_NEIGHBOURS] if organisation.neighbours else []
    kinds.append(REGION)
    if organisation.dfe_region and organisation.dfe_region != organisation.region_name:
        kinds.append(DFE_REGION)
    return (*kinds, TYPE, NATION, ALL)


def default_kind(organisation: Organisation) -> str:
    return group_kinds(organisation)[0]


def cycle_scores(session: Session, cycle: Cycle, basis: str, organisation_ids: Sequence[int] | None = None,
                 lowest: str = "") -> dict[int, dict[str, float | None]]:
    """Organisation id -> score key -> score, for assessments submitted or later, on the basis asked for
    (of some organisations only, when given). The result is shared: read it, never change it.

    `best` takes the moderated score where the assessment has one, else the self-assessed score. The cycle's
    scores are read from the database once per scores version (services/scores.scores_changed) and process.
    `lowest` is the lowest confidence accepted ("" for every answer, or a confidence's slug): the scores of only
    the answers at that confidence or above (an assessment with none of them has no score).
    """
    check_filters(basis, lowest)
    key = (*scores_version_of(session, cycle), basis, lowest)
    scores = _CYCLE_SCORES.get(key)
    if scores is None:
        if len(_CYCLE_SCORES) >= 24:  # a few cycles on three bases and confidences (about 1 MB each)
            _CYCLE_SCORES.clear()
        scores = _CYCLE_SCORES[key] = read_cycle_scores(session, cycle.id, basis, lowest)
    if organisation_ids is None:
        return scores
    return {i: scores[i] for i in organisation_ids if i in scores}


def check_filters(basis: str, lowest: str = "") -> None:
    """ValueError unless the basis and the lowest confidence accepted are ones benchmarks know."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}")
    if lowest not in CONFIDENCES:
        raise ValueError(f"the lowest confidence must be one of {', '.join(repr(c) for c in CONFIDENCES)}")


def widest(session: Session, cycle: Cycle, basis: str, lowest: str, organisation_ids: Sequence[int] | None = None
           ) -> dict[int, dict[str, float | None]] | None:
    """The best-available scores of every answer when `basis` or `lowest` may leave out members that have one
    (moderated only; only the answers at a confidence), so that the disclosure rule can count whom they leave
    out; None when nothing is narrowed (best available, every answer)."""
    if basis == "best" and not lowest:
        return None
    return cycle_scores(session, cycle, "best", organisation_ids)


def forget_kept() -> None:
    """Empty what this process keeps of stored scores (the next read goes to the database): for measuring."""
    _CYCLE_SCORES.clear()
    _NATIONAL_TABLES.clear()


def scores_version_of(session: Session, cycle: Cycle) -> tuple[str, int, int]:
    """What names the state of a cycle's stored scores (its database, the cycle and its scores version): anything
    built from them alone can be kept under it."""
    return (str(session.get_bind().url), cycle.id, scores_version(session, cycle.id))


_CYCLE_SCORES: dict[tuple[str, int, int, str, str], dict[int, dict[str, float | None]]] = {}  # by database too


def read_cycle_scores(session: Session, cycle_id: int, basis: str, lowest: str = ""
                      ) -> dict[int, dict[str, float | None]]:
    """The cycle's stored scores from the database (what cycle_scores keeps): one query."""
    wanted = ("self", "moderated") if basis == "best" else (basis,)
    rows = session.execute(
        select(Assessment.organisation_id, AssessmentScore.basis, AssessmentScore.scope, AssessmentScore.key,
               cast(AssessmentScore.score, Float))
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .where(Assessment.cycle_id == cycle_id, Assessment.state.in_(COUNTED_STATES),
               AssessmentScore.basis.in_(wanted), AssessmentScore.confidence == lowest)
    ).all()
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    # "self" rows first, so a moderated score replaces the self-assessed one under `best`.
    for organisation_id, _basis, scope, key, score in sorted(rows, key=lambda r: r[1] != "self"):
        scores[organisation_id][score_key(scope, key)] = score
    return dict(scores)


# ----------------------------------------------------------------------------------------------------------
# Peer groups


@dataclass
class Group:
    kind: str
    label: str
    members: list[int]  # organisation ids, the authority itself included
    access: rules.GroupAccess = rules.GroupAccess.FIXED


def _attribute_group(session: Session, organisation: Organisation, attribute: str) -> list[int]:
    value = getattr(organisation, attribute)
    column = getattr(Organisation, attribute)
    return list(session.execute(select(Organisation.id).where(column == value)).scalars())


def peer_group(session: Session, organisation: Organisation, kind: str, user: User | None = None) -> Group:
    """The authority's peer group of a kind (or a saved custom group, `group-<id>`); it always includes itself."""
    if kind in GROUP_KINDS and kind not in group_kinds(organisation):
        raise UnknownGroup(kind)
    if kind == STATISTICAL_NEIGHBOURS:
        members = [organisation.id, *(n.neighbour_id for n in organisation.neighbours)]
        return Group(kind, "statistical neighbours", members)
    if kind in SHARED_ATTRIBUTE:
        attribute = SHARED_ATTRIBUTE[kind]
        return Group(kind, getattr(organisation, attribute) or "", _attribute_group(session, organisation, attribute))
    if kind == ALL:
        return Group(kind, "all", list(session.execute(select(Organisation.id)).scalars()))
    group_id = parse_id(kind[len(CUSTOM_PREFIX):]) if kind.startswith(CUSTOM_PREFIX) else None
    if group_id is not None:
        group = session.get(PeerGroup, group_id)
        if group is not None and (user is None or can_use(user, group)):
            members = {m.organisation_id for m in group.members} | {organisation.id}
            access = rules.GroupAccess.SHARED if group.shared else rules.GroupAccess.PRIVATE
            return Group(kind, group.name, sorted(members), access)
    raise UnknownGroup(kind)


def all_groups(session: Session, kind: str) -> dict[int, list[int]]:
    """Every authority's group of one kind, in a few queries (for the national benchmark)."""
    organisations = session.execute(select(Organisation)).scalars().all()
    if kind == STATISTICAL_NEIGHBOURS:
        neighbours: dict[int, list[int]] = defaultdict(list)
        for organisation_id, neighbour_id in session.execute(
                select(StatisticalNeighbour.organisation_id, StatisticalNeighbour.neighbour_id)):
            neighbours[organisation_id].append(neighbour_id)
        return {o.id: [o.id, *neighbours.get(o.id, [])] for o in organisations}
    if kind not in SHARED_ATTRIBUTE and kind != ALL:
        raise UnknownGroup(kind)
    attribute = SHARED_ATTRIBUTE.get(kind)
    by_value: dict[object, list[int]] = defaultdict(list)
    for o in organisations:
        by_value[getattr(o, attribute) if attribute else None].append(o.id)
    return {o.id: by_value[getattr(o, attribute) if attribute else None] for o in organisations}


def can_use(user: User, group: PeerGroup) -> bool:
    return group.shared or group.owner_id == user.id or user.role == ADMIN


def saved_groups(session: Session, user: User) -> list[PeerGroup]:
    """Custom groups the user may use: their own and those shared with everyone."""
    query = select(PeerGroup).order_by(PeerGroup.name).options(joinedload(PeerGroup.members))  # one query
    if user.role != ADMIN:
        query = query.where((PeerGroup.owner_id == user.id) | PeerGroup.shared.is_(True))
    return list(session.execute(query).unique().scalars())


def delete_group(session: Session, user: User, group_id: int) -> PeerGroup:
    """Delete a saved group: its owner may, and so may programme admins."""
    group = session.get(PeerGroup, group_id)
    if group is None or not (group.owner_id == user.id or user.role == ADMIN):
        raise UnknownGroup(f"{CUSTOM_PREFIX}{group_id}")
    with unit_of_work(session):
        session.delete(group)
    return group


def save_group(session: Session, user: User, name: str, organisation_ids: Sequence[int], shared: bool) -> PeerGroup:
    """Save a custom group (one unit of work); only programme admins may share one with everyone."""
    with unit_of_work(session):
        group = PeerGroup(name=name.strip(), owner_id=user.id, shared=shared and user.role == ADMIN)
        group.members = [PeerGroupMember(organisation_id=i) for i in sorted(set(organisation_ids))]
        session.add(group)
    return group


# ----------------------------------------------------------------------------------------------------------
# Benchmarks


@dataclass
class AuthorityBenchmark:
    """One authority against one group: positions only, each cut down by the disclosure rule."""

    cycle: Cycle
    organisation: Organisation
    group: Group
    basis: str
    framework: standards_rules.Framework
    positions: dict[str, rules.Position]
    policy: rules.Policy
    authority_view: rules.Disclosure  # what the authority's own users may see of the group's overall score
    lowest: str = ""  # the lowest confidence accepted ("" for every answer): services.benchmarks.CONFIDENCES
    scored_on_every_answer: bool = True  # whether the authority has an overall score when every answer counts

    @property
    def unscored_at_confidence(self) -> bool:
        """The authority has a score from all its answers but none from the answers at the confidence asked."""
        return bool(self.lowest) and self.scored_on_every_answer and self.positions[OVERALL].score is None

    @property
    def threshold(self) -> int:
        return self.policy.threshold


def policy_for(group: Group, threshold: int, user: User | None) -> rules.Policy:
    return rules.Policy(audience_of(user), group.access, threshold)


def authority_benchmark(session: Session, cycle: Cycle, organisation: Organisation, kind: str, basis: str,
                        threshold: int, user: User | None = None, group: Group | None = None, lowest: str = ""
                        ) -> AuthorityBenchmark:
    """The benchmark `user` may read (without a user: what the authority's own users may read); `group` is the
    authority's group of that kind when the caller has it already (a trend reads it once for every cycle).

    `lowest` is the lowest confidence accepted ("" for every answer): each member's scores of only its answers at
    that confidence or above, and a member with none is not counted. Whom that leaves out of the group, beside its
    best-available scores of every answer, is told to the disclosure rule as for a narrower basis."""
    check_filters(basis, lowest)
    framework = cycle.framework_version.rules()
    group = group or peer_group(session, organisation, kind, user)
    policy = policy_for(group, threshold, user)
    scores = cycle_scores(session, cycle, basis, group.members, lowest)
    best = widest(session, cycle, basis, lowest, group.members)
    positions = rules.benchmark(organisation.id, group.members, scores, score_keys(framework), policy, best)
    authority_view = positions[OVERALL].disclosure
    if policy.audience is not rules.Audience.AUTHORITY:  # told to programme admins beside what they see
        authority = rules.Policy(rules.Audience.AUTHORITY, group.access, threshold)
        authority_view = rules.benchmark(organisation.id, group.members, scores, [OVERALL], authority,
                                         best)[OVERALL].disclosure
    scored = True
    if lowest:  # (kept in the process, as every read of the cycle's scores)
        own = cycle_scores(session, cycle, basis, [organisation.id]).get(organisation.id, {})
        scored = own.get(OVERALL) is not None
    return AuthorityBenchmark(cycle, organisation, group, basis, framework, positions, policy, authority_view,
                              lowest, scored)


def national_benchmark(session: Session, cycle: Cycle, kind: str, basis: str, threshold: int,
                       audience: rules.Audience = rules.Audience.AUTHORITY, lowest: str = ""
                       ) -> dict[int, dict[str, rules.Position]]:
    """Every authority's position on every score in its group of one kind, as each authority may read it (or as
    programme staff may), of only the answers at the lowest confidence accepted when given: one query for
    scores, one for groups."""
    framework = cycle.framework_version.rules()
    scores = cycle_scores(session, cycle, basis, lowest=lowest)
    best = widest(session, cycle, basis, lowest)
    policy = rules.Policy(audience, rules.GroupAccess.FIXED, threshold)
    return rules.benchmark_all(all_groups(session, kind), scores, score_keys(framework), policy, best)


# ----------------------------------------------------------------------------------------------------------
# The national and region views, and who may see which peer's name


class NotPermitted(PermissionError):
    """The reader may not see what was asked for (the named national table is for programme staff)."""


@dataclass
class NationalRow:
    organisation: NationalOrganisation
    scores: list[float | None]  # by key, in the order asked for


@dataclass(frozen=True)
class NationalOrganisation:
    """An authority as the national view lists it: plain values, so that a computed table can be kept."""

    id: int
    code: str
    name: str
    dfe_region: str | None
    org_type: str


def _programme_policy(user: User, threshold: int) -> rules.Policy:
    """The policy of the national and region views, which name every authority: refused unless the rule lets
    this reader see members by name."""
    policy = rules.Policy(audience_of(user), rules.GroupAccess.FIXED, threshold)
    if not rules.disclosure(policy, 0, False).shows_members:
        raise NotPermitted("the national and region views name every authority")
    return policy


def national_table(session: Session, user: User, cycle: Cycle, basis: str, keys: Sequence[str],
                   region: str | None = None, org_type: str | None = None, sort: str = OVERALL,
                   descending: bool = True, threshold: int = rules.DEFAULT_THRESHOLD, lowest: str = ""
                   ) -> tuple[list[NationalRow], list[rules.Position]]:
    """Every authority (of a DfE region and a type, when given) with its scores (of only the answers at the lowest
    confidence accepted, when given), sorted by a key or by name, and the figures over the authorities listed
    for each key."""
    policy = _programme_policy(user, threshold)  # who may read it is decided before anything kept is handed out
    check_filters(basis, lowest)
    key = (*scores_version_of(session, cycle), basis, lowest, tuple(keys), region, org_type, sort, descending,
           policy)
    kept = _NATIONAL_TABLES.get(key)
    if kept is None:
        if len(_NATIONAL_TABLES) >= 256:
            _NATIONAL_TABLES.clear()
        kept = _NATIONAL_TABLES[key] = _national_table(session, cycle, basis, lowest, keys, region, org_type, sort,
                                                       descending, policy)
    return kept


# Kept by the cycle's scores version (which the register's import raises too): the same filters give the same table.
_NATIONAL_TABLES: dict[tuple, tuple[list[NationalRow], list[rules.Position]]] = {}


def _national_table(session: Session, cycle: Cycle, basis: str, lowest: str, keys: Sequence[str], region: str | None,
                    org_type: str | None, sort: str, descending: bool, policy: rules.Policy
                    ) -> tuple[list[NationalRow], list[rules.Position]]:
    query = select(Organisation.id, Organisation.code, Organisation.name, Organisation.dfe_region,
                   Organisation.org_type).order_by(Organisation.name)
    if region:
        query = query.where(Organisation.dfe_region == region)
    if org_type:
        query = query.where(Organisation.org_type == org_type)
    scores = cycle_scores(session, cycle, basis, lowest=lowest)
    rows = [NationalRow(NationalOrganisation(*o), [scores.get(o[0], {}).get(k) for k in keys])
            for o in session.execute(query)]
    if sort == "name":
        rows.sort(key=lambda r: r.organisation.name, reverse=descending)
    elif sort in keys:
        index = keys.index(sort)
        sign = -1 if descending else 1
        rows.sort(key=lambda r: (r.scores[index] is None, sign * (r.scores[index] or 0)))  # unscored last
    summary = [rules.summary({r.organisation.id: r.scores[i] for r in rows}, policy) for i in range(len(keys))]
    return rows, summary


def region_summaries(session: Session, user: User, cycle: Cycle, basis: str, key: str, threshold: int,
                     lowest: str = "") -> list[tuple[str, rules.Position]]:
    """Each DfE region's figures on one key (of only the answers at the lowest confidence accepted, when given),
    by region name."""
    policy = _programme_policy(user, threshold)
    scores = cycle_scores(session, cycle, basis, lowest=lowest)
    by_region: dict[str, dict[int, float | None]] = {}
    for organisation in session.execute(select(Organisation)).scalars():
        by_region.setdefault(organisation.dfe_region or "", {})[organisation.id] = (
            scores.get(organisation.id, {}).get(key))
    return [(region, rules.summary(values, policy)) for region, values in sorted(by_region.items())]


@dataclass
class Peer:
    name: str
    own: bool
    score: float | None


def peers(session: Session, result: AuthorityBenchmark) -> list[Peer]:
    """The group's members by overall score, highest first, named: only where the disclosure rule lets the
    reader see members (programme staff); for anyone else there is no member to list."""
    members = result.positions[OVERALL].members
    if not members:
        return []
    names = {o.id: o.name for o in session.execute(
        select(Organisation).where(Organisation.id.in_(list(members)))).scalars()}
    ordered = sorted(members.items(), key=lambda item: (item[1] is None, -(item[1] or 0), names[item[0]]))
    return [Peer(names[m], m == result.organisation.id, score) for m, score in ordered]
