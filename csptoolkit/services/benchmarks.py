"""Benchmarks: peer groups from the register, stored scores read in one query, statistics from domain/benchmark."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Float, cast, select
from sqlalchemy.orm import Session

from ..domain import benchmark as rules
from ..domain import scoring
from ..domain import standards as standards_rules
from ..models import (
    Answer,
    Assessment,
    AssessmentScore,
    Criterion,
    Cycle,
    Organisation,
    PeerGroup,
    PeerGroupMember,
    StatisticalNeighbour,
    User,
)
from ..models.assessment import COUNTED_STATES
from ..models.user import ADMIN
from .scores import answer_on_basis

BASES = ("best", "self", "moderated")
GROUP_KINDS = ("statistical-neighbours", "region", "dfe-region", "type", "nation", "all")
CUSTOM_PREFIX = "group-"


class UnknownGroup(LookupError):
    """The peer group asked for does not exist or is not the user's to use."""


def score_keys(framework: standards_rules.Framework) -> list[str]:
    """Every score a benchmark covers, in the framework's order: overall, then each domain and its standards."""
    keys = ["overall"]
    for domain in framework.domains:
        keys.append(f"domain:{domain.id}")
        keys += [f"standard:{s.id}" for s in domain.standards]
    return keys


def cycle_scores(session: Session, cycle: Cycle, basis: str, organisation_ids: Sequence[int] | None = None
                 ) -> dict[int, dict[str, float | None]]:
    """Organisation id -> score key -> score, for assessments submitted or later, on the basis asked for
    (of some organisations only, when given).

    `best` takes the moderated score where the assessment has one, else the self-assessed score.
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}")
    wanted = ("self", "moderated") if basis == "best" else (basis,)
    query = (
        select(Assessment.organisation_id, AssessmentScore.basis, AssessmentScore.scope, AssessmentScore.key,
               cast(AssessmentScore.score, Float))
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .where(Assessment.cycle_id == cycle.id, Assessment.state.in_(COUNTED_STATES),
               AssessmentScore.basis.in_(wanted))
    )
    if organisation_ids is not None:
        query = query.where(Assessment.organisation_id.in_(list(organisation_ids)))
    rows = session.execute(query).all()
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    # "self" rows first, so a moderated score replaces the self-assessed one under `best`.
    for organisation_id, _basis, scope, key, score in sorted(rows, key=lambda r: r[1] != "self"):
        name = "overall" if scope == "overall" else f"{scope}:{key}"
        scores[organisation_id][name] = score
    return dict(scores)


# ----------------------------------------------------------------------------------------------------------
# Peer groups


@dataclass
class Group:
    kind: str
    label: str
    members: list[int]  # organisation ids, the authority itself included


def _attribute_group(session: Session, organisation: Organisation, attribute: str) -> list[int]:
    value = getattr(organisation, attribute)
    column = getattr(Organisation, attribute)
    return list(session.execute(select(Organisation.id).where(column == value)).scalars())


def peer_group(session: Session, organisation: Organisation, kind: str, user: User | None = None) -> Group:
    """The authority's peer group of a kind (or a saved custom group, `group-<id>`); it always includes itself."""
    if kind == "statistical-neighbours":
        members = [organisation.id, *(n.neighbour_id for n in organisation.neighbours)]
        return Group(kind, "statistical neighbours", members)
    if kind == "region":
        return Group(kind, organisation.region_name or "", _attribute_group(session, organisation, "region_name"))
    if kind == "dfe-region":
        return Group(kind, organisation.dfe_region or "", _attribute_group(session, organisation, "dfe_region"))
    if kind == "type":
        return Group(kind, organisation.org_type, _attribute_group(session, organisation, "org_type"))
    if kind == "nation":
        return Group(kind, organisation.nation, _attribute_group(session, organisation, "nation"))
    if kind == "all":
        return Group(kind, "all", list(session.execute(select(Organisation.id)).scalars()))
    if kind.startswith(CUSTOM_PREFIX) and kind[len(CUSTOM_PREFIX):].isdigit():
        group = session.get(PeerGroup, int(kind[len(CUSTOM_PREFIX):]))
        if group is not None and (user is None or can_use(user, group)):
            members = {m.organisation_id for m in group.members} | {organisation.id}
            return Group(kind, group.name, sorted(members))
    raise UnknownGroup(kind)


def all_groups(session: Session, kind: str) -> dict[int, list[int]]:
    """Every authority's group of one kind, in a few queries (for the national benchmark)."""
    organisations = session.execute(select(Organisation)).scalars().all()
    if kind == "statistical-neighbours":
        neighbours: dict[int, list[int]] = defaultdict(list)
        for organisation_id, neighbour_id in session.execute(
                select(StatisticalNeighbour.organisation_id, StatisticalNeighbour.neighbour_id)):
            neighbours[organisation_id].append(neighbour_id)
        return {o.id: [o.id, *neighbours.get(o.id, [])] for o in organisations}
    attribute = {"region": "region_name", "dfe-region": "dfe_region", "type": "org_type", "nation": "nation",
                 "all": None}.get(kind, "missing")
    if attribute == "missing":
        raise UnknownGroup(kind)
    by_value: dict[object, list[int]] = defaultdict(list)
    for o in organisations:
        by_value[getattr(o, attribute) if attribute else None].append(o.id)
    return {o.id: by_value[getattr(o, attribute) if attribute else None] for o in organisations}


def can_use(user: User, group: PeerGroup) -> bool:
    return group.shared or group.owner_id == user.id or user.role == ADMIN


def saved_groups(session: Session, user: User) -> list[PeerGroup]:
    """Custom groups the user may use: their own and those shared with everyone."""
    query = select(PeerGroup).order_by(PeerGroup.name)
    if user.role != ADMIN:
        query = query.where((PeerGroup.owner_id == user.id) | PeerGroup.shared.is_(True))
    return list(session.execute(query).scalars())


def delete_group(session: Session, user: User, group_id: int) -> PeerGroup:
    """Delete a saved group: its owner may, and so may programme admins."""
    group = session.get(PeerGroup, group_id)
    if group is None or not (group.owner_id == user.id or user.role == ADMIN):
        raise UnknownGroup(f"{CUSTOM_PREFIX}{group_id}")
    session.delete(group)
    session.flush()
    return group


def save_group(session: Session, user: User, name: str, organisation_ids: Sequence[int], shared: bool) -> PeerGroup:
    group = PeerGroup(name=name.strip(), owner_id=user.id, shared=shared and user.role == ADMIN)
    group.members = [PeerGroupMember(organisation_id=i) for i in sorted(set(organisation_ids))]
    session.add(group)
    session.flush()
    return group


# ----------------------------------------------------------------------------------------------------------
# Benchmarks


@dataclass
class AuthorityBenchmark:
    cycle: Cycle
    organisation: Organisation
    group: Group
    basis: str
    framework: standards_rules.Framework
    positions: dict[str, rules.Position]
    member_scores: dict[int, float | None] = field(default_factory=dict)  # overall score by member
    threshold: int = rules.DEFAULT_THRESHOLD
    scores: dict[int, dict[str, float | None]] = field(default_factory=dict)  # every member's scores by key


def authority_benchmark(session: Session, cycle: Cycle, organisation: Organisation, kind: str, basis: str,
                        threshold: int, user: User | None = None) -> AuthorityBenchmark:
    framework = cycle.framework_version.rules()
    group = peer_group(session, organisation, kind, user)
    scores = cycle_scores(session, cycle, basis, group.members)
    positions = rules.benchmark(organisation.id, group.members, scores, score_keys(framework), threshold)
    members = {m: scores.get(m, {}).get("overall") for m in group.members}
    return AuthorityBenchmark(cycle, organisation, group, basis, framework, positions, members, threshold, scores)


def national_benchmark(session: Session, cycle: Cycle, kind: str, basis: str, threshold: int
                       ) -> dict[int, dict[str, rules.Position]]:
    """Every authority's position on every score in its group of one kind: one query for scores, one for groups."""
    framework = cycle.framework_version.rules()
    scores = cycle_scores(session, cycle, basis)
    return rules.benchmark_all(all_groups(session, kind), scores, score_keys(framework), threshold)


# ----------------------------------------------------------------------------------------------------------
# Trends across cycles


@dataclass
class ComparableTrend:
    """Scores recomputed over crosswalk-comparable criteria only, so cycles on different versions line up."""

    cycles: list[Cycle]
    criteria: int
    overall: list[float | None]
    peer_median: list[float | None]


@dataclass
class Trend:
    cycles: list[Cycle]
    overall: list[float | None]
    peer_median: list[float | None]
    peer_n: list[int]
    domains: dict[str, list[float | None]]
    versions_differ: bool
    comparable: ComparableTrend | None = None


def trend(session: Session, organisation: Organisation, kind: str, basis: str, threshold: int,
          user: User | None = None) -> Trend:
    """The authority's scores in every cycle beside its group's median; across framework versions, also over
    the criteria the crosswalk maps one to one."""
    cycles = list(session.execute(select(Cycle).order_by(Cycle.opens_on)).scalars())
    overall, medians, counts, domains = [], [], [], defaultdict(list)
    for cycle in cycles:
        result = authority_benchmark(session, cycle, organisation, kind, basis, threshold, user)
        position = result.positions["overall"]
        overall.append(position.score)
        medians.append(position.stats.median)
        counts.append(position.stats.n)
        for domain in result.framework.domains:
            domains[domain.id].append(result.positions[f"domain:{domain.id}"].score)
    versions = {c.framework_version_id for c in cycles}
    result = Trend(cycles, overall, medians, counts, dict(domains), len(versions) > 1)
    if len(versions) > 1 and cycles:
        result.comparable = _comparable_trend(session, organisation, cycles, kind, basis, threshold, user)
    return result


def _comparable_trend(session: Session, organisation: Organisation, cycles: list[Cycle], kind: str, basis: str,
                      threshold: int, user: User | None) -> ComparableTrend | None:
    latest = cycles[-1]
    previous = [c for c in cycles[:-1] if c.framework_version_id in (
        latest.framework_version.supersedes_id, latest.framework_version_id)]
    if not previous:
        return None
    framework = latest.framework_version.rules()
    mapping = standards_rules.comparable_criteria(framework)  # new id -> old id
    subset = standards_rules.restrict(framework, frozenset(mapping))
    members = set(peer_group(session, organisation, kind, user).members)
    series: list[Cycle] = [*previous, latest]
    overall, medians = [], []
    for cycle in series:
        same_version = cycle.framework_version_id == latest.framework_version_id
        scores: dict[int, float | None] = {}
        for organisation_id, answers in _answers_by_organisation(session, cycle, members, basis).items():
            if not same_version:
                answers = {new: answers[old] for new, old in mapping.items() if old in answers}
            exact = scoring.score(subset, answers).overall.exact
            scores[organisation_id] = None if exact is None else float(exact)
        stats = rules.statistics(scores.values(), threshold)
        overall.append(scores.get(organisation.id))
        medians.append(stats.median)
    return ComparableTrend(series, len(subset.criteria), overall, medians)


def _answers_by_organisation(session: Session, cycle: Cycle, organisation_ids: set[int], basis: str
                             ) -> dict[int, dict[str, scoring.Answer]]:
    """Counted assessments' answers as plain rows (no ORM objects: a group may be the whole country)."""
    rows = session.execute(
        select(Assessment.organisation_id, Criterion.key, Answer.level, Answer.not_applicable, Answer.moderated_level,
               Answer.moderated_not_applicable)
        .join(Answer, Answer.assessment_id == Assessment.id).join(Criterion, Criterion.id == Answer.criterion_id)
        .where(Assessment.cycle_id == cycle.id, Assessment.organisation_id.in_(list(organisation_ids)),
               Assessment.state.in_(COUNTED_STATES))).all()
    moderated = {row[0] for row in rows if row[4] is not None or row[5]}
    answers: dict[int, dict[str, scoring.Answer]] = defaultdict(dict)
    for organisation_id, key, level, not_applicable, moderated_level, moderated_na in rows:
        if basis == "moderated" and organisation_id not in moderated:
            continue  # moderated only: an unmoderated assessment has no score on this basis
        value = answer_on_basis(level, not_applicable, moderated_level, moderated_na,
                                "self" if basis == "self" else "moderated")
        if value is not None:
            answers[organisation_id][key] = value
    return answers


# ----------------------------------------------------------------------------------------------------------
# The national and region views, and who may see which peer's name


@dataclass
class NationalRow:
    organisation: Organisation
    scores: list[float | None]  # by key, in the order asked for


def national_table(session: Session, cycle: Cycle, basis: str, keys: Sequence[str], region: str | None = None,
                   org_type: str | None = None, sort: str = "overall", descending: bool = True) -> list[NationalRow]:
    """Every authority (of a DfE region and a type, when given) with its scores, sorted by a key or by name."""
    query = select(Organisation).order_by(Organisation.name)
    if region:
        query = query.where(Organisation.dfe_region == region)
    if org_type:
        query = query.where(Organisation.org_type == org_type)
    scores = cycle_scores(session, cycle, basis)
    rows = [NationalRow(o, [scores.get(o.id, {}).get(k) for k in keys]) for o in session.execute(query).scalars()]
    if sort == "name":
        rows.sort(key=lambda r: r.organisation.name, reverse=descending)
    elif sort in keys:
        index = keys.index(sort)
        sign = -1 if descending else 1
        rows.sort(key=lambda r: (r.scores[index] is None, sign * (r.scores[index] or 0)))  # unscored last
    return rows


def region_scores(session: Session, cycle: Cycle, basis: str, key: str) -> dict[str, list[float]]:
    """Each DfE region's scored authorities' scores on one key."""
    scores = cycle_scores(session, cycle, basis)
    by_region: dict[str, list[float]] = {}
    for organisation in session.execute(select(Organisation)).scalars():
        values = by_region.setdefault(organisation.dfe_region or "", [])
        value = scores.get(organisation.id, {}).get(key)
        if value is not None:
            values.append(value)
    return dict(sorted(by_region.items()))


@dataclass
class Peer:
    name: str | None  # None: not to be named to this user (the page shows "Authority A", "Authority B"...)
    own: bool
    score: float | None


def peers(session: Session, result: AuthorityBenchmark, user: User) -> list[Peer]:
    """The group's members by overall score, highest first: named for programme admins; for authority users
    only their own authority is named (DESIGN §6)."""
    names = {o.id: o.name for o in session.execute(
        select(Organisation).where(Organisation.id.in_(result.member_scores))).scalars()}
    ordered = sorted(result.member_scores.items(), key=lambda item: (item[1] is None, -(item[1] or 0)))
    return [Peer(names[m] if (m == result.organisation.id or user.role == ADMIN) else None,
                 m == result.organisation.id, score) for m, score in ordered]
