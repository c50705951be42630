"""Peer-group statistics and the disclosure rule (DESIGN §6): figures against numpy, the rule by hand, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csptoolkit.domain import benchmark as rules
from csptoolkit.domain.benchmark import Audience, Disclosure, GroupAccess, Policy

scores = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
AUTHORITY_FIXED = Policy(Audience.AUTHORITY, GroupAccess.FIXED)
AUTHORITY_PRIVATE = Policy(Audience.AUTHORITY, GroupAccess.PRIVATE)
PROGRAMME = Policy(Audience.PROGRAMME, GroupAccess.PRIVATE)
PEER_FIGURES = ("mean", "median", "q1", "q3", "min", "max")


@settings(max_examples=300)
@given(st.lists(scores, min_size=1, max_size=60))
def test_figures_agree_with_numpy(values: list[float]) -> None:
    stats = rules.statistics(values)
    assert stats.n == len(values)
    assert stats.mean == pytest.approx(np.mean(values), abs=1e-9)
    assert stats.median == pytest.approx(np.percentile(values, 50), abs=1e-9)
    assert stats.q1 == pytest.approx(np.percentile(values, 25), abs=1e-9)
    assert stats.q3 == pytest.approx(np.percentile(values, 75), abs=1e-9)
    assert (stats.min, stats.max) == (min(values), max(values))


def test_quartiles_by_hand() -> None:
    # R type 7 on 1..10: q1 = 3.25, median = 5.5, q3 = 7.75.
    stats = rules.statistics([float(v) for v in range(10, 0, -1)])
    assert (stats.q1, stats.median, stats.q3) == (3.25, 5.5, 7.75)


def test_ties_share_the_lowest_rank_number() -> None:
    ordered = sorted([90.0, 80.0, 80.0, 70.0, 60.0])
    assert [rules.rank(v, ordered) for v in (90.0, 80.0, 70.0, 60.0)] == [1, 2, 4, 5]


def test_quartile_bands() -> None:
    ordered = [float(v) for v in range(1, 11)]
    stats = rules.statistics(ordered)
    assert [rules.band(v, stats) for v in (10.0, 7.75, 7.0, 5.5, 4.0, 3.25, 3.0, 1.0)] == [
        "A", "A", "B", "B", "C", "C", "D", "D"]


# ----------------------------------------------------------------------------------------------------------
# The rule, case by case (threshold 5)


@pytest.mark.parametrize(("audience", "access", "scored", "own_scored", "expected"), [
    # Fixed and shared groups: anonymised statistics from 5 scored members (the authority counted), else n only.
    (Audience.AUTHORITY, GroupAccess.FIXED, 5, True, Disclosure.STATISTICS),
    (Audience.AUTHORITY, GroupAccess.FIXED, 5, False, Disclosure.STATISTICS),
    (Audience.AUTHORITY, GroupAccess.FIXED, 4, True, Disclosure.NONE),
    (Audience.AUTHORITY, GroupAccess.SHARED, 11, True, Disclosure.STATISTICS),
    (Audience.AUTHORITY, GroupAccess.SHARED, 4, True, Disclosure.NONE),
    # A group the authority built: its position only, with 5 scored members besides itself.
    (Audience.AUTHORITY, GroupAccess.PRIVATE, 6, True, Disclosure.POSITION),
    (Audience.AUTHORITY, GroupAccess.PRIVATE, 5, True, Disclosure.NONE),  # 4 besides itself
    (Audience.AUTHORITY, GroupAccess.PRIVATE, 150, True, Disclosure.POSITION),  # never statistics, however big
    (Audience.AUTHORITY, GroupAccess.PRIVATE, 6, False, Disclosure.NONE),  # nothing to place without its score
    (Audience.AUTHORITY, GroupAccess.PRIVATE, 2, True, Disclosure.NONE),  # {Camden, Greenwich}
    # Programme staff: everything, named, whatever the group and its size.
    (Audience.PROGRAMME, GroupAccess.PRIVATE, 2, True, Disclosure.NAMED),
    (Audience.PROGRAMME, GroupAccess.FIXED, 0, False, Disclosure.NAMED),
])
def test_the_rule_by_hand(audience, access, scored, own_scored, expected) -> None:
    assert rules.disclosure(Policy(audience, access, 5), scored, own_scored) is expected


@pytest.mark.parametrize(("audience", "access", "left_out", "expected"), [
    # Moderated only, while one or more scored members are not moderated: beside the best basis the means
    # would give the left-out members' scores, so the authority's position only.
    (Audience.AUTHORITY, GroupAccess.FIXED, 1, Disclosure.POSITION),
    (Audience.AUTHORITY, GroupAccess.SHARED, 30, Disclosure.POSITION),
    (Audience.AUTHORITY, GroupAccess.FIXED, 0, Disclosure.STATISTICS),
    (Audience.AUTHORITY, GroupAccess.PRIVATE, 2, Disclosure.POSITION),
    (Audience.PROGRAMME, GroupAccess.FIXED, 2, Disclosure.NAMED),
])
def test_a_basis_that_leaves_members_out(audience, access, left_out, expected) -> None:
    assert rules.disclosure(Policy(audience, access, 5), 9, True, left_out) is expected
    assert rules.disclosure(Policy(audience, access, 5), 3, True, left_out) in (Disclosure.NONE, Disclosure.NAMED)


def test_a_group_of_one_peer_shows_no_peer_value() -> None:
    """The attack of issue 7: Camden (64.2) saves a group of Greenwich (62.6) alone."""
    scores = {"camden": {"overall": 64.2}, "greenwich": {"overall": 62.6}}
    for access in GroupAccess:
        position = rules.benchmark("camden", ["greenwich"], scores, ["overall"], Policy(Audience.AUTHORITY, access))
        p = position["overall"]
        assert p.disclosure is Disclosure.NONE and p.score == 64.2 and p.of == 2
        assert all(getattr(p.stats, f) is None for f in PEER_FIGURES)
        assert (p.rank, p.band, p.members, p.values) == (None, None, None, [])


def test_two_private_groups_differing_by_one_member_give_no_mean() -> None:
    """By hand: {me, g, a..e} against {me, a..e}. With means shown, 7 x mean - 6 x mean would be g's score."""
    values = {"me": 50.0, "g": 62.6, "a": 40.0, "b": 45.0, "c": 55.0, "d": 70.0, "e": 80.0}
    scores = {k: {"overall": v} for k, v in values.items()}
    with_g = rules.benchmark("me", ["g", "a", "b", "c", "d", "e"], scores, ["overall"], AUTHORITY_PRIVATE)["overall"]
    without = rules.benchmark("me", ["a", "b", "c", "d", "e"], scores, ["overall"], AUTHORITY_PRIVATE)["overall"]
    for p in (with_g, without):
        assert p.disclosure is Disclosure.POSITION and p.members is None
        assert all(getattr(p.stats, f) is None for f in PEER_FIGURES)
    # Sorted with g: 40, 45, 50, 55, 62.6, 70, 80: 4 above me, so 5th of 7; q1 = 47.5, median = 55: band C.
    assert (with_g.rank, with_g.of, with_g.band) == (5, 7, "C")
    # Without g: 40, 45, 50, 55, 70, 80: 3 above me, so 4th of 6; q1 = 46.25, median = 52.5: band C.
    assert (without.rank, without.of, without.band) == (4, 6, "C")


def test_fixed_groups_show_statistics_but_no_members_value() -> None:
    values = {"me": 50.0, "a": 40.0, "b": 45.0, "c": 55.0, "d": 70.0}
    scores = {k: {"overall": v} for k, v in values.items()}
    p = rules.benchmark("me", list(values), scores, ["overall"], AUTHORITY_FIXED)["overall"]
    assert p.disclosure is Disclosure.STATISTICS and p.members is None and p.values == []
    # By hand: mean 260/5 = 52, median 50, q1 45, q3 55 (positions 1, 2, 3 of 0..4), 3rd of 5, band B. No
    # minimum or maximum: had one member alone been below "me", the minimum would have been its score.
    assert (p.stats.mean, p.stats.median, p.stats.q1, p.stats.q3, p.stats.min, p.stats.max) == (
        52.0, 50.0, 45.0, 55.0, None, None)
    assert (p.rank, p.band) == (3, "B")
    named = rules.benchmark("me", list(values), scores, ["overall"], PROGRAMME)["overall"]
    assert named.disclosure is Disclosure.NAMED and dict(named.members) == values
    assert (named.stats.min, named.stats.max) == (40.0, 70.0)


def test_moderated_only_figures_would_difference_against_the_best() -> None:
    """By hand: best 50 (me), 40, 45, 55, 70, 62.6 (g, not moderated); moderated only leaves g out. With both
    means shown, 6 x 53.77 - 5 x 52 = 62.6 would be g's score."""
    best = {k: {"overall": v} for k, v in {"me": 50.0, "a": 40.0, "b": 45.0, "c": 55.0, "d": 70.0,
                                          "g": 62.6}.items()}
    moderated = {k: v for k, v in best.items() if k != "g"}
    on_best = rules.benchmark("me", list(best), best, ["overall"], AUTHORITY_FIXED)["overall"]
    on_moderated = rules.benchmark("me", list(best), moderated, ["overall"], AUTHORITY_FIXED, best)["overall"]
    assert on_best.disclosure is Disclosure.STATISTICS and on_best.stats.mean == pytest.approx(322.6 / 6)
    assert on_moderated.disclosure is Disclosure.POSITION and on_moderated.stats.mean is None
    assert (on_moderated.rank, on_moderated.of, on_moderated.band) == (3, 5, "B")


def test_a_summary_has_no_rank() -> None:
    p = rules.summary({"a": 10.0, "b": None, "c": 30.0, "d": 20.0, "e": 40.0, "f": 50.0}, AUTHORITY_FIXED)
    assert (p.of, p.stats.median, p.rank, p.band, p.score) == (5, 30.0, None, None, None)


def test_ordinals() -> None:
    assert [rules.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]


# ----------------------------------------------------------------------------------------------------------
# Properties


policies = st.builds(Policy, st.sampled_from(Audience), st.sampled_from(GroupAccess), st.integers(1, 8))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(1, 40), st.one_of(st.none(), scores), max_size=30), st.one_of(st.none(), scores),
       policies)
def test_what_each_disclosure_lets_through(peers: dict[int, float | None], own: float | None, policy: Policy) -> None:
    """Whatever the scores and the group, a position holds exactly what its disclosure allows."""
    scores = {0: {"overall": own}, **{k: {"overall": v} for k, v in peers.items()}}
    p = rules.benchmark(0, list(peers), scores, ["overall"], policy)["overall"]
    scored = [v for v in [own, *peers.values()] if v is not None]
    assert p.disclosure is rules.disclosure(policy, len(scored), own is not None)
    assert p.score == own and p.of == len(scored)
    if policy.audience is Audience.AUTHORITY:
        # An authority user never sees a peer's own value: no member, no minimum or maximum.
        assert p.members is None and p.values == [] and p.stats.min is None and p.stats.max is None
    if policy.access is GroupAccess.PRIVATE and policy.audience is Audience.AUTHORITY:
        assert all(getattr(p.stats, f) is None for f in PEER_FIGURES)
        others = len(scored) - (own is not None)
        assert (p.rank is not None) == (own is not None and others >= policy.threshold)
    if not p.disclosure.shows_statistics:
        assert all(getattr(p.stats, f) is None for f in PEER_FIGURES)
    if p.disclosure is Disclosure.NONE:
        assert p.rank is None and p.band is None
    if p.rank is not None:
        assert p.rank == 1 + sum(1 for v in scored if v > own)
        full = rules.statistics(scored)
        assert p.band == rules.band(own, full)  # the band is over the whole group, even when it is not shown
        if p.disclosure.shows_statistics:
            assert full.min <= full.q1 <= full.median <= full.q3 <= full.max
            assert (p.stats.mean, p.stats.median) == (full.mean, full.median)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(1, 40), scores, min_size=1, max_size=30), scores, st.data(), policies)
def test_a_narrower_basis_never_gives_figures_to_difference(best_peers: dict[int, float], own: float,
                                                             data: st.DataObject, policy: Policy) -> None:
    """Whatever members a basis leaves out, an authority user sees its mean, median or quartiles only when it
    leaves out none of the members scored on the best basis."""
    dropped = data.draw(st.sets(st.sampled_from(sorted(best_peers))))
    best = {0: {"overall": own}, **{k: {"overall": v} for k, v in best_peers.items()}}
    narrower = {k: v for k, v in best.items() if k not in dropped}
    p = rules.benchmark(0, list(best_peers), narrower, ["overall"], policy, best)["overall"]
    assert p.of == len(narrower)
    if policy.audience is Audience.AUTHORITY and dropped:
        assert not p.disclosure.shows_statistics and p.stats.mean is None and p.stats.median is None
    if not dropped:
        assert p == rules.benchmark(0, list(best_peers), best, ["overall"], policy)["overall"]


shown_scores = st.integers(0, 1000).map(lambda tenths: tenths / 10)  # scores as people read them


@settings(max_examples=300, deadline=None)
@given(st.lists(shown_scores, min_size=5, max_size=25), shown_scores, st.floats(min_value=0.01, max_value=1.0),
       st.integers(1, 8))
def test_a_private_group_tells_nothing_of_how_far_a_peer_is(peers: list[float], own: float, stretch: float,
                                                            threshold: int) -> None:
    """What a private group shows (n, rank, quartile band, and the own score) is the same whatever the peers'
    distances from the authority, as long as their order is kept: moving every peer towards the authority's
    score by any factor changes nothing shown. So no combination of such groups pins a peer's score to a
    point: each only says whether peers are above or below the authority."""
    policy = Policy(Audience.AUTHORITY, GroupAccess.PRIVATE, threshold)
    moved = [own + stretch * (v - own) for v in peers]
    shown = []
    for values in (peers, moved):
        scores = {"me": {"overall": own}, **{i: {"overall": v} for i, v in enumerate(values)}}
        p = rules.benchmark("me", list(range(len(values))), scores, ["overall"], policy)["overall"]
        shown.append((p.disclosure, p.score, p.of, p.rank, p.band, p.members,
                      tuple(getattr(p.stats, f) for f in PEER_FIGURES)))
    assert shown[0][:3] == shown[1][:3] and shown[0][5:] == shown[1][5:]
    assert shown[0][3] == shown[1][3]  # rank: who is above the authority is unchanged
    assert shown[0][4] == shown[1][4] or _on_a_quartile(own, peers)


def _on_a_quartile(own: float, peers: list[float]) -> bool:
    """Whether the authority's score is one of the group's quartiles, where a float's last bit can tip the band
    either way once the peers are moved (on the 0.1 grid, a quartile is otherwise at least 0.025 away)."""
    stats = rules.statistics([own, *peers])
    return any(abs(own - q) < 1e-9 for q in (stats.q1, stats.median, stats.q3))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.integers(0, 30), st.one_of(st.none(), scores), min_size=1, max_size=31), st.data(),
       st.sampled_from(Audience))
def test_benchmark_all_agrees_with_one_at_a_time(values: dict[int, float | None], data: st.DataObject,
                                                 audience: Audience) -> None:
    scores = {k: {"overall": v, "domain:x": None if v is None else 100 - v} for k, v in values.items()}
    members = list(values)
    groups = {own: data.draw(st.lists(st.sampled_from(members), max_size=12)) for own in members}
    policy = Policy(audience, GroupAccess.FIXED, 3)
    everyone = rules.benchmark_all(groups, scores, ["overall", "domain:x"], policy)
    for own, group in groups.items():
        assert everyone[own] == rules.benchmark(own, group, scores, ["overall", "domain:x"], policy)


tenths = st.integers(0, 1000).map(lambda t: t / 10)  # stored scores have one decimal: ties are common
some_scores = st.one_of(scores, tenths)


def _place(own: float | None, peers: list[float]) -> rules.Position:
    return rules.position(own, sorted([*peers] + ([] if own is None else [own])), AUTHORITY_FIXED)


def test_rank_bounds_by_hand() -> None:
    # Own 70 among 40, 50, 60, 72, 80, 90 (n = 7, 4th): q1 at position 1.5 = 55, median at 3 = 70, q3 at 4.5 = 76.
    now = _place(70.0, [40.0, 50.0, 60.0, 72.0, 80.0, 90.0])
    assert (now.rank, now.stats.q1, now.stats.median, now.stats.q3) == (4, 55.0, 70.0, 76.0)
    assert rules.rank_bounds(now, 70.0) == (4, 4)  # its own score: its own rank
    # 74: above its own score (at most the 3 above it now), below q3 (the values at positions 5 and 6 are >= 76).
    assert rules.rank_bounds(now, 74.0) == (3, 4)
    # 95: at or above q3, so at most 7 - 1 - 4 = 2 values above it; nothing shown is higher.
    assert rules.rank_bounds(now, 95.0) == (1, 3)
    # 58: below its own score (at least the 3 above it), at or above q1 (at most 7 - 1 - 1 = 5 above q1, 4 of them
    # peers), below the median 70, which is its own score: the values at 3..6 are >= 70, the authority's among them.
    assert rules.rank_bounds(now, 58.0) == (4, 5)
    # 10: below q1 = 55 (the values at 2..6, 5 of them, are >= 55, the authority's one of them: 4 peers at least).
    assert rules.rank_bounds(now, 10.0) == (5, 7)


@settings(max_examples=500, deadline=None)
@given(st.lists(some_scores, min_size=5, max_size=30), st.one_of(st.none(), some_scores), some_scores)
def test_rank_bounds_hold_the_rank_the_peers_would_give(peers: list[float], own: float | None,
                                                         score: float) -> None:
    now = _place(own, peers)
    best, worst = rules.rank_bounds(now, score)
    assert 1 <= best <= 1 + sum(1 for v in peers if v > score) <= worst <= len(peers) + 1
    if own is not None and score == own:
        assert best == worst == now.rank


@settings(max_examples=500, deadline=None)
@given(st.lists(some_scores, min_size=5, max_size=30), st.one_of(st.none(), some_scores),
       st.lists(some_scores, min_size=2, max_size=2).map(sorted))
def test_rank_bounds_move_only_at_figures_already_shown(peers: list[float], own: float | None,
                                                        tried: list[float]) -> None:
    """The probe: between two scores tried, with no quartile and not the authority's own score between them, the
    bounds are the same whatever peers lie between: trying scores finds no peer's value."""
    now = _place(own, peers)
    low, high = tried
    shown = [now.stats.q1, now.stats.median, now.stats.q3] + ([] if own is None else [own])
    if any(low < p <= high for p in shown) or (own is not None and own in (low, high)):
        return
    assert rules.rank_bounds(now, low) == rules.rank_bounds(now, high)
