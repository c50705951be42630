"""Trends: an authority's scores across cycles beside its group's median, as far as the disclosure rule allows;
across framework versions, also over the criteria the crosswalk maps one to one (DESIGN §6)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import benchmark as rules
from ..domain import scoring
from ..domain import standards as standards_rules
from ..models import Answer, Assessment, Criterion, Cycle, Organisation, User
from ..models.assessment import COUNTED_STATES
from .benchmarks import Group, authority_benchmark, peer_group, policy_for
from .scores import answer_on_basis


@dataclass
class ComparableTrend:
    """Scores recomputed over crosswalk-comparable criteria only, so cycles on different versions line up."""

    cycles: list[Cycle]
    criteria: int
    overall: list[float | None]
    peer_median: list[float | None]


@dataclass
class Trend:
    group: Group
    cycles: list[Cycle]
    overall: list[float | None]
    peer_median: list[float | None]  # None wherever the disclosure rule withholds the group's figures
    peer_n: list[int]
    domains: dict[str, list[float | None]]
    versions_differ: bool
    comparable: ComparableTrend | None = None


def trend(session: Session, organisation: Organisation, kind: str, basis: str, threshold: int,
          user: User | None = None) -> Trend:
    """The authority's scores in every cycle beside its group's median; across framework versions, also over
    the criteria the crosswalk maps one to one."""
    cycles = list(session.execute(select(Cycle).order_by(Cycle.opens_on)).scalars())
    group = peer_group(session, organisation, kind, user)
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
    result = Trend(group, cycles, overall, medians, counts, dict(domains), len(versions) > 1)
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
    group = peer_group(session, organisation, kind, user)
    policy = policy_for(group, threshold, user)
    members = set(group.members)
    series: list[Cycle] = [*previous, latest]
    overall, medians = [], []
    for cycle in series:
        crosswalk = None if cycle.framework_version_id == latest.framework_version_id else mapping
        # As for every benchmark, the rule is told whom a narrower basis leaves out.
        best = None if basis == "best" else _comparable_scores(session, cycle, members, "best", subset, crosswalk)
        position = rules.benchmark(organisation.id, members,
                                   _comparable_scores(session, cycle, members, basis, subset, crosswalk),
                                   ["overall"], policy, best)["overall"]
        overall.append(position.score)
        medians.append(position.stats.median)
    return ComparableTrend(series, len(subset.criteria), overall, medians)


def _comparable_scores(session: Session, cycle: Cycle, members: set[int], basis: str,
                       subset: standards_rules.Framework, crosswalk: dict[str, str] | None
                       ) -> dict[int, dict[str, float | None]]:
    """Members' overall scores over the comparable criteria only (answers carried through the crosswalk, new
    id -> old id, for a cycle on the earlier version)."""
    scores: dict[int, dict[str, float | None]] = {}
    for organisation_id, answers in _answers_by_organisation(session, cycle, members, basis).items():
        if crosswalk is not None:
            answers = {new: answers[old] for new, old in crosswalk.items() if old in answers}
        exact = scoring.score(subset, answers).overall.exact
        scores[organisation_id] = {"overall": None if exact is None else float(exact)}
    return scores


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
