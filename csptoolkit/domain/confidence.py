"""The confidence of a rating: self-assessed < evidenced < peer-validated, its mix and the lowest-accepted filter.

DESIGN §5: every answer is `self-assessed`, `evidenced` (evidence attached or noted, at any level) or
`peer-validated` (a champion agreed it or set it in moderation). Scores, benchmarks and exports can be filtered
by the lowest confidence they accept, and the mix of an assessment is shown beside its score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import TypeVar

V = TypeVar("V")


class Confidence(Enum):
    """How far a rating has been checked; ordered SELF_ASSESSED < EVIDENCED < PEER_VALIDATED. The value is its slug."""

    SELF_ASSESSED = "self-assessed"
    EVIDENCED = "evidenced"
    PEER_VALIDATED = "peer-validated"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Confidence):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Confidence):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Confidence):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Confidence):
            return NotImplemented
        return self.rank >= other.rank


SELF_ASSESSED = Confidence.SELF_ASSESSED
EVIDENCED = Confidence.EVIDENCED
PEER_VALIDATED = Confidence.PEER_VALIDATED
_ORDER = (SELF_ASSESSED, EVIDENCED, PEER_VALIDATED)
LEVELS: tuple[Confidence, ...] = _ORDER
"""Every confidence, lowest first."""
SLUGS: tuple[str, ...] = tuple(level.value for level in _ORDER)


def confidence(has_evidence: bool, peer_validated: bool) -> Confidence:
    """The confidence of one answer: peer-validated when a champion agreed it or set it in moderation, else
    evidenced when evidence is attached or noted (at any level), else self-assessed."""
    if peer_validated:
        return PEER_VALIDATED
    if has_evidence:
        return EVIDENCED
    return SELF_ASSESSED


def at_least(level: Confidence, lowest: Confidence | None) -> bool:
    """Whether a rating of this confidence passes a filter accepting `lowest` and above (None accepts all)."""
    return lowest is None or level >= lowest


def mix(levels: Iterable[Confidence]) -> dict[Confidence, int]:
    """How many ratings have each confidence: every level a key (0 when none), lowest first."""
    counts = dict.fromkeys(_ORDER, 0)
    for level in levels:
        counts[level] += 1
    return counts


def accepted(values: Mapping[str, V], levels: Mapping[str, Confidence], lowest: Confidence | None) -> dict[str, V]:
    """The entries (for example answers by criterion id) whose confidence passes the filter; an id with no level
    counts as self-assessed. Scoring what is left leaves the dropped answers out as if unanswered."""
    return {key: value for key, value in values.items() if at_least(levels.get(key, SELF_ASSESSED), lowest)}


def parse_confidence(slug: str) -> Confidence:
    """The confidence named by its slug ("self-assessed", "evidenced", "peer-validated"); ValueError otherwise."""
    for level in _ORDER:
        if slug == level.value:
            return level
    raise ValueError(f"unknown confidence {slug!r}: expected one of {', '.join(SLUGS)}")
