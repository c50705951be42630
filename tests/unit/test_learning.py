"""Learning matches (domain/learning.py): hand-worked cases and the property that no one is named who has not
opted in."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from csptoolkit.domain import learning
from csptoolkit.domain.learning import ALL_STANDARDS, NATION, REGION, STATISTICAL_NEIGHBOURS, Match, Tier

STANDARDS = ["L1", "L2", "N1", "N2", "M1"]
ME = 1
NAMES = {1: "Me", 2: "Bolton", 3: "Avon", 4: "Croydon", 5: "Derby", 6: "Exeter", 7: "Fife", 8: "Gwent"}


def tiers(neighbours=(2, 3), region=(2, 4, 5), nation=(2, 3, 4, 5, 6, 7, 8)) -> list[Tier]:
    return [Tier(STATISTICAL_NEIGHBOURS, [ME, *neighbours]), Tier(REGION, [ME, *region]),
            Tier(NATION, [ME, *nation])]


def test_the_weakest_standards_are_the_lowest_scored_ties_in_file_order() -> None:
    own = {"L1": 55.0, "L2": 40.04, "N1": None, "N2": 40.0, "M1": 62.5}
    # L2 40.04 shows as 40.0 and ties with N2 40.0: file order puts L2 first; N1 has no score and is left out.
    assert learning.weakest_standards(own, STANDARDS) == [
        ("L2", Decimal("40.0")), ("N2", Decimal("40.0")), ("L1", Decimal("55.0"))]
    assert learning.weakest_standards(own, STANDARDS, count=1) == [("L2", Decimal("40.0"))]


def test_a_standard_at_the_ceiling_or_above_gets_no_matches() -> None:
    # 89.96 shows as 90.0: at the ceiling, so a named peer would be placed within (90, 100].
    own = {"L1": 89.96, "L2": 89.94, "N1": 95.0, "N2": 100.0, "M1": None}
    assert learning.weakest_standards(own, STANDARDS) == [("L2", Decimal("89.9"))]


def test_hand_worked_matches() -> None:
    own = {"L1": 50.0, "L2": 70.0, "N1": 80.0, "N2": 60.0, "M1": 85.0}
    scores = {
        2: {"L1": 90.0, "L2": 60.0, "N2": 61.0},  # neighbour, opted in for all
        3: {"L1": 50.04, "L2": 71.0, "N2": 100.0},  # neighbour, opted in on L1 and N2; 50.04 shows as 50.0
        4: {"L1": 80.0, "N2": 99.0},  # region, opted in on L1 only
        5: {"L1": 95.0, "N2": 98.0},  # region, not opted in
        6: {"L1": 99.0, "N2": 97.0, "L2": 90.0},  # nation, opted in for all
        7: {"L1": 98.0},  # nation, opted in on L2 only (scores nothing there)
    }
    choices = {2: {ALL_STANDARDS}, 3: {"L1", "N2"}, 4: {"L1"}, 6: {ALL_STANDARDS}, 7: {"L2"}, ME: {ALL_STANDARDS}}
    found = learning.matches(ME, own, STANDARDS, tiers(), scores, choices, NAMES)
    # Weakest: L1 50.0, N2 60.0, L2 70.0.
    assert [(s.standard_id, s.own_score) for s in found] == [
        ("L1", Decimal("50.0")), ("N2", Decimal("60.0")), ("L2", Decimal("70.0"))]
    l1, n2, l2 = found
    # L1: neighbours higher and opted in: 2 (90) only (3's 50.0 is not higher than 50.0); region: 4 (80) (2 is
    # counted as a neighbour, 5 has not opted in); nation: 6 (99), 7 is not opted in on L1. Three named.
    assert l1.matches == (Match(2, STATISTICAL_NEIGHBOURS), Match(4, REGION), Match(6, NATION))
    # N2: neighbours 3 (100) and 2 (61), listed by name (Avon, Bolton), not by score; region 4 has not opted in
    # on N2; nation 6 (97) fills the third place.
    assert n2.matches == (Match(3, STATISTICAL_NEIGHBOURS), Match(2, STATISTICAL_NEIGHBOURS), Match(6, NATION))
    # L2: 3 (71) has not opted in on L2; 2 scores lower; 6 (90) in the nation.
    assert l2.matches == (Match(6, NATION),)


def test_the_cap_keeps_the_highest_of_a_tier_and_lists_them_by_name() -> None:
    own = {"L1": 10.0}
    scores = {m: {"L1": 20.0 + m} for m in range(2, 9)}
    choices = {m: {"L1"} for m in range(2, 9)}
    found = learning.matches(ME, own, ["L1"], [Tier(NATION, list(range(1, 9)))], scores, choices, NAMES)
    # The three highest are 8, 7 and 6 (28, 27, 26), listed Exeter (6), Fife (7), Gwent (8).
    assert found[0].matches == (Match(6, NATION), Match(7, NATION), Match(8, NATION))


def test_an_earlier_tier_comes_first_even_when_a_later_one_scores_higher() -> None:
    own = {"L1": 10.0}
    scores = {2: {"L1": 11.0}, 3: {"L1": 12.0}, 6: {"L1": 99.0}, 7: {"L1": 98.0}}
    choices = {2: {"L1"}, 3: {"L1"}, 6: {"L1"}, 7: {"L1"}}
    found = learning.matches(ME, own, ["L1"], tiers(region=()), scores, choices, NAMES)
    assert found[0].matches == (Match(3, STATISTICAL_NEIGHBOURS), Match(2, STATISTICAL_NEIGHBOURS),
                                Match(6, NATION))


def test_nobody_higher_and_opted_in_means_no_matches() -> None:
    own = {"L1": 40.0, "L2": 45.0}
    scores = {2: {"L1": 30.0, "L2": 90.0}, 3: {"L1": 90.0}}
    found = learning.matches(ME, own, STANDARDS, tiers(), scores, {2: {"L1"}}, NAMES)
    assert [(s.standard_id, s.matches) for s in found] == [("L1", ()), ("L2", ())]


def test_the_authority_is_never_its_own_match() -> None:
    own = {"L1": 40.0}
    found = learning.matches(ME, own, ["L1"], tiers(), {ME: {"L1": 99.0}}, {ME: {ALL_STANDARDS}}, NAMES)
    assert found[0].matches == ()


def test_opted_in() -> None:
    choices = {2: frozenset({"L1"}), 3: frozenset({ALL_STANDARDS})}
    assert learning.opted_in(choices, 2, "L1")
    assert not learning.opted_in(choices, 2, "L2")
    assert learning.opted_in(choices, 3, "M1")
    assert not learning.opted_in(choices, 4, "L1")


# ----------------------------------------------------------------------------------------------------------
# Properties

IDS = st.integers(min_value=1, max_value=12)
SCORE = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
SCORES = st.dictionaries(IDS, st.dictionaries(st.sampled_from(STANDARDS), SCORE))
CHOICES = st.dictionaries(IDS, st.sets(st.sampled_from([*STANDARDS, ALL_STANDARDS]), max_size=3))
TIERS = st.lists(st.tuples(st.sampled_from(learning.TIERS), st.lists(IDS, max_size=12)), max_size=4)


@given(authority=IDS, own=st.dictionaries(st.sampled_from(STANDARDS), SCORE), scores=SCORES, choices=CHOICES,
       tier_list=TIERS)
def test_no_one_who_has_not_opted_in_is_ever_named(authority, own, scores, choices, tier_list) -> None:
    found = learning.matches(authority, own, STANDARDS, [Tier(k, m) for k, m in tier_list], scores, choices, {})
    for standard in found:
        assert len(standard.matches) <= learning.PER_STANDARD
        named = [m.organisation_id for m in standard.matches]
        assert len(named) == len(set(named)) and authority not in named
        for match in standard.matches:
            keys = choices.get(match.organisation_id, set())
            assert standard.standard_id in keys or ALL_STANDARDS in keys
            # ... and scores strictly higher, as shown, than the authority
            shown = Decimal(str(scores[match.organisation_id][standard.standard_id])).quantize(Decimal("0.1"),
                                                                                              "ROUND_HALF_UP")
            assert shown > standard.own_score
        assert standard.own_score < learning.ROOM_CEILING


@given(authority=IDS, own=st.dictionaries(st.sampled_from(STANDARDS), SCORE), scores=SCORES, choices=CHOICES,
       tier_list=TIERS, outsider=IDS)
def test_withdrawing_an_opt_in_removes_that_authority_from_every_output(authority, own, scores, choices,
                                                                       tier_list, outsider) -> None:
    withdrawn = {k: v for k, v in choices.items() if k != outsider}
    found = learning.matches(authority, own, STANDARDS, [Tier(k, m) for k, m in tier_list], scores, withdrawn, {})
    assert all(m.organisation_id != outsider for s in found for m in s.matches)
