"""Trends: an authority's scores across cycles beside its group's median, as far as the disclosure rule allows;
across framework versions, also over the criteria the crosswalk maps one to one (DESIGN §6)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..domain import benchmark as rules
from ..domain import scoring
from ..domain import standards as standards_rules
from ..models import Cycle, Organisation, User
from . import catalogue
from .benchmarks import Group, authority_benchmark, check_filters, cycle_scores, peer_group, policy_for, widest


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
    lowest: str = ""  # the lowest confidence accepted ("" for every answer)

    @property
    def comparable_withheld(self) -> bool:
        """The cycles used different versions, but the comparable scores are of every answer only (they are stored
        when an assessment is scored, not for each confidence), so a trend filtered by confidence has none."""
        return self.versions_differ and bool(self.lowest)


def trend(session: Session, organisation: Organisation, kind: str, basis: str, threshold: int,
          user: User | None = None, lowest: str = "", cycles: Sequence[Cycle] | None = None) -> Trend:
    """The authority's scores in every cycle beside its group's median (of only the answers at the lowest
    confidence accepted, when given); across framework versions, also over the criteria the crosswalk maps one
    to one (of every answer only: see Trend.comparable_withheld).

    `cycles` is every cycle as catalogue.cycles reads them (with their framework versions), for a caller that
    has them already; they are read when not given."""
    check_filters(basis, lowest)
    cycles = sorted(catalogue.cycles(session) if cycles is None else cycles, key=lambda c: (c.opens_on, c.slug))
    group = peer_group(session, organisation, kind, user)
    overall, medians, counts, domains = [], [], [], defaultdict(list)
    for cycle in cycles:
        result = authority_benchmark(session, cycle, organisation, kind, basis, threshold, user, group, lowest)
        position = result.positions[scoring.OVERALL]
        overall.append(position.score)
        medians.append(position.stats.median)
        counts.append(position.stats.n)
        for domain in result.framework.domains:
            domains[domain.id].append(result.positions[scoring.score_key(scoring.DOMAIN, domain.id)].score)
    versions = {c.framework_version_id for c in cycles}
    result = Trend(group, cycles, overall, medians, counts, dict(domains), len(versions) > 1, lowest=lowest)
    if len(versions) > 1 and cycles and not lowest:
        result.comparable = _comparable_trend(session, organisation, cycles, group, basis, threshold, user)
    return result


def _comparable_trend(session: Session, organisation: Organisation, cycles: list[Cycle], group: Group, basis: str,
                      threshold: int, user: User | None) -> ComparableTrend | None:
    """The overall score over the criteria the latest version's crosswalk maps one to one, in the latest cycle
    and the cycles on the version it supersedes: read from the scores stored when each assessment was scored
    (services/scores.score_rows), never recomputed here."""
    latest = cycles[-1]
    previous = [c for c in cycles[:-1] if c.framework_version_id in (
        latest.framework_version.supersedes_id, latest.framework_version_id)]
    if not previous:
        return None
    key = scoring.score_key(scoring.COMPARABLE, str(latest.framework_version_id))
    policy = policy_for(group, threshold, user)
    series: list[Cycle] = [*previous, latest]
    overall, medians = [], []
    for cycle in series:
        scores = cycle_scores(session, cycle, basis, group.members)
        # As for every benchmark, the rule is told whom a narrower basis leaves out.
        best = widest(session, cycle, basis, "", group.members)
        position = rules.benchmark(organisation.id, group.members, scores, [key], policy, best)[key]
        overall.append(position.score)
        medians.append(position.stats.median)
    return ComparableTrend(series, comparable_count(latest.framework_version.rules()), overall, medians)


def comparable_count(framework: standards_rules.Framework) -> int:
    """How many criteria the comparable scores are over (those the crosswalk maps one to one, and can score)."""
    count = _COMPARABLE_COUNTS.get(framework.content_hash)
    if count is None:
        mapping = standards_rules.comparable_criteria(framework)
        count = _COMPARABLE_COUNTS[framework.content_hash] = len(
            standards_rules.restrict(framework, frozenset(mapping)).criteria)
    return count


_COMPARABLE_COUNTS: dict[str, int] = {}  # by content hash: a version's criteria never change
