"""Learning matches (DESIGN §7): for an authority's weakest standards, the peers that score higher on each and have
agreed to be named as willing to share practice on it.

Who may be named is decided here and nowhere else: only a peer that opted in (for that standard, or for every
standard) and scores strictly higher, as people read scores (rounded half-up to one decimal), than the authority.
A match carries the peer and where it comes from (a statistical neighbour, the region, the nation), never a score,
band or rank (DESIGN §6: no authority user may learn a named authority's score, exactly or within a point). So:

- within a tier the matches are put in the order of the names given, not by score: the order of three named peers
  above the authority would tell it which one a benchmark's upper quartile is the score of;
- a standard the authority scores ROOM_CEILING or more on has no matches: "scores higher than 98.5" would place a
  named peer within a point or two of its score (and such a standard is no weakness).

The authority's own scores must be ones it cannot change at will (stored scores of a submitted assessment, never a
draft's): with answers it could change, it would move its own score and watch who appears, and so find a named
peer's score by bisection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .peer_groups import NATION, REGION, STATISTICAL_NEIGHBOURS
from .scoring import shown_number

ALL_STANDARDS = "*"  # an opt-in for every standard of the framework (what models.plan stores)
WEAKEST = 3  # how many of the authority's lowest-scoring standards get matches
PER_STANDARD = 3  # at most this many peers named on each
ROOM_CEILING = Decimal("90.0")  # from this score up a standard gets no matches (see above)

TIERS = (STATISTICAL_NEIGHBOURS, REGION, NATION)  # where peers are looked for, nearest first

Score = float | Decimal | None


@dataclass(frozen=True)
class Tier:
    """One place to look for peers: its kind (TIERS) and its members (organisation ids, in any order)."""

    kind: str
    members: Sequence[int]


@dataclass(frozen=True)
class Match:
    """A peer named on a standard: who, and which tier it was found in. Deliberately no score."""

    organisation_id: int
    tier: str


@dataclass(frozen=True)
class StandardMatches:
    standard_id: str
    own_score: Decimal  # the authority's own score, as shown (its own, so it may see it)
    matches: tuple[Match, ...]


def opted_in(choices: Mapping[int, frozenset[str] | set[str]], organisation_id: int, standard_id: str) -> bool:
    """Whether an authority agreed to be named on a standard: for that standard, or for every standard."""
    keys = choices.get(organisation_id, ())
    return standard_id in keys or ALL_STANDARDS in keys


def weakest_standards(own: Mapping[str, Score], standard_ids: Sequence[str], count: int = WEAKEST
                      ) -> list[tuple[str, Decimal]]:
    """The authority's `count` lowest-scoring standards, lowest first (ties in file order), with their scores as
    shown: only standards it has a score on, and only below ROOM_CEILING."""
    scored = [(shown_number(own.get(s)), index, s) for index, s in enumerate(standard_ids)
              if own.get(s) is not None]
    low = sorted((score, index, s) for score, index, s in scored if score < ROOM_CEILING)
    return [(s, score) for score, _index, s in low[:count]]


def matches(authority_id: int, own: Mapping[str, Score], standard_ids: Sequence[str], tiers: Sequence[Tier],
            scores: Mapping[int, Mapping[str, Score]], choices: Mapping[int, frozenset[str] | set[str]],
            names: Mapping[int, str], weakest: int = WEAKEST, per_standard: int = PER_STANDARD
            ) -> list[StandardMatches]:
    """For each of the authority's weakest standards (`own`: its standard scores by standard id), the peers to name.

    `tiers` are searched in the order given (statistical neighbours, region, nation); a peer in several is counted
    in the first only, and the authority itself never. Within a tier the candidates are those that opted in on the
    standard (`choices`: organisation id -> standard ids or ALL_STANDARDS) and score strictly higher than the
    authority on it (`scores`: organisation id -> standard id -> score), highest first; the first `per_standard`
    over all tiers are named. They are then listed tier by tier, by `names` within a tier (not by score).
    """
    seen: set[int] = {authority_id}
    ordered: list[tuple[str, list[int]]] = []
    for tier in tiers:
        fresh = sorted(set(tier.members) - seen)
        seen.update(fresh)
        ordered.append((tier.kind, fresh))
    result = []
    for standard_id, own_score in weakest_standards(own, standard_ids, weakest):
        chosen: list[Match] = []
        for kind, members in ordered:
            higher = []
            for member in members:
                score = shown_number(scores.get(member, {}).get(standard_id))
                if score is not None and score > own_score and opted_in(choices, member, standard_id):
                    higher.append((score, member))
            higher.sort(key=lambda item: (-item[0], item[1]))
            room = per_standard - len(chosen)
            picked = [member for _score, member in higher[:room]]
            chosen += [Match(m, kind) for m in sorted(picked, key=lambda m: (names.get(m, ""), m))]
            if len(chosen) >= per_standard:
                break
        result.append(StandardMatches(standard_id, own_score, tuple(chosen)))
    return result
