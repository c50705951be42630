"""What-if (DESIGN §7): targets on a copy of the answers, scored and placed among peers by the same rules as
everywhere else. Hand-worked examples on tests/fixtures/mini-1.yaml, and properties over generated frameworks."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csptoolkit.domain import benchmark, whatif
from csptoolkit.domain.scoring import NA, OVERALL, parse_answers, score
from csptoolkit.domain.standards import Framework, load_text

from .test_scoring import _all_scores, frameworks_and_answers

FIXTURES = Path(__file__).parent.parent / "fixtures"
AUTHORITY = benchmark.Policy(benchmark.Audience.AUTHORITY, benchmark.GroupAccess.FIXED, 5)


@pytest.fixture(scope="module")
def mini() -> Framework:
    return load_text((FIXTURES / "mini-1.yaml").read_text(), "mini-1.yaml")


@pytest.fixture
def answers(mini: Framework) -> dict:
    # A1.1 = 3, A1.2 = 1 (mandatory, minimum 2: gates A1), A1.3 = yes (4), A2.1 = 2, A2.2 = 4 (asked: A2.1 >= 2),
    # B1.1 = N/A.
    return parse_answers(mini, {"A1.1": 3, "A1.2": 1, "A1.3": True, "A2.1": 2, "A2.2": 4, "B1.1": "na"})


def test_targets_score_a_copy_of_the_answers(mini: Framework, answers: dict) -> None:
    kept = dict(answers)
    found = whatif.what_if(mini, answers, {"A1.2": 2, "B1.1": 4})
    assert answers == kept  # the authority's answers are not touched
    # Now: A1 = (1x3 + 2x1 + 1x4) / (4 x 4) = 9/16 = 56.25 -> 56.3, gated by A1.2; A2 = (2 + 4) / 8 = 75;
    # domain a = (56.25x1 + 75x3) / 4 = 70.3125 -> 70.3, gated; B is N/A only, not scored; overall = a = 70.3,
    # capped at "approaching".
    assert found.current.overall.value == Decimal("70.3") and found.current.overall.band.id == "approaching"
    assert found.current.standards["B1"].exact is None
    # With A1.2 at 2 and B1.1 at 4: A1 = (3 + 2x2 + 4) / 16 = 11/16 = 68.75 -> 68.8, "met", no gate any more;
    # a = (68.75 + 75x3) / 4 = 73.4375 -> 73.4; B1 = 4/4 = 100, b = 100;
    # overall = (73.4375x2 + 100x1) / 3 = 246.875 / 3 = 82.2916... -> 82.3, "met" (no gate).
    result = found.result
    assert result.standards["A1"].exact == Fraction(275, 4) and result.standards["A1"].value == Decimal("68.8")
    assert result.standards["A1"].band.id == "met" and not result.standards["A1"].gated
    assert result.domains["a"].exact == Fraction(29375, 400) and result.domains["a"].value == Decimal("73.4")
    assert result.standards["B1"].value == Decimal("100.0") and result.standards["B1"].band.id == "exceeded"
    assert result.overall.exact == Fraction(24687500, 300000) and result.overall.value == Decimal("82.3")
    assert result.overall.band.id == "met" and not result.overall.gated
    assert found.changed == ("A1.2", "B1.1") and found.not_counted == ()


def test_a_target_may_lower_a_rating(mini: Framework, answers: dict) -> None:
    # A2.1 down to 1 hides A2.2 (it needs A2.1 >= 2): A2 = 1/4 = 25 -> "not met"; the target on A2.2 no longer
    # counts. a = (56.25 + 25x3) / 4 = 32.8125 -> 32.8; overall = a = 32.8, "not met" (below the gate's cap anyway).
    found = whatif.what_if(mini, answers, {"A2.1": 1, "A2.2": 4})
    assert found.result.standards["A2"].exact == Fraction(25) and found.result.standards["A2"].band.id == "not-met"
    assert found.result.overall.exact == Fraction(328125, 10000) and found.result.overall.value == Decimal("32.8")
    assert found.result.overall.band.id == "not-met" and found.result.overall.gated
    assert found.not_counted == ("A2.2",)


def test_a_target_can_show_a_follow_on_question(mini: Framework) -> None:
    answers = parse_answers(mini, {"A1.1": 4, "A1.2": 4, "A1.3": True, "A2.1": 1})
    # A2.2 alone is not asked (A2.1 = 1): it does not count, and A2 stays 1/4 = 25.
    alone = whatif.what_if(mini, answers, {"A2.2": 4})
    assert alone.not_counted == ("A2.2",) and alone.result.standards["A2"].exact == Fraction(25)
    # With A2.1 raised to 2 it is asked: A2 = (2 + 4) / 8 = 75.
    both = whatif.what_if(mini, answers, {"A2.1": 2, "A2.2": 4})
    assert both.not_counted == () and both.result.standards["A2"].exact == Fraction(75)


def test_targets_are_checked_by_the_plan_rule(mini: Framework) -> None:
    assert whatif.check_targets(mini, {"A1.1": "3", "A1.3": "0", "A2.1": "", "B1.1": None}) == {"A1.1": 3, "A1.3": 0}
    assert whatif.target_levels(mini, "A1.3") == (0, 4)  # yes/no: no or yes
    assert whatif.target_levels(mini, "A1.1") == (0, 1, 2, 3, 4)
    for bad in ({"A1.1": "5"}, {"A1.1": "-1"}, {"A1.1": "two"}, {"A1.3": "2"}, {"Z9.9": "1"}, {"A1.1": "²"}):
        with pytest.raises(whatif.TargetError) as raised:
            whatif.check_targets(mini, bad)
        assert raised.value.criterion_id == next(iter(bad))


def test_standing_among_peers_now_and_with_the_targets(mini: Framework, answers: dict) -> None:
    peers = {"p1": {OVERALL: 90.0}, "p2": {OVERALL: 80.0}, "p3": {OVERALL: 72.0}, "p4": {OVERALL: 60.0},
             "p5": {OVERALL: 50.0}, "own": {OVERALL: 12.0}}  # the authority's stored score is replaced
    found = whatif.what_if(mini, answers, {"A1.2": 2, "B1.1": 4}, own="own", members=list(peers), scores=peers,
                           policy=AUTHORITY)
    # Now 70.3125 among 50, 60, 72, 80, 90: three above, so 4th of 6. Quartiles of the six (R type 7: position
    # (n - 1)p): q1 at 1.25 = 60 + 0.25 x 10.3125 = 62.578; median at 2.5 = (70.3125 + 72) / 2 = 71.156;
    # 70.3125 is at or above q1, below the median: band C.
    assert found.now[OVERALL] == whatif.Standing(6, 4, "C")
    # With the targets 82.2916...: an authority user gets no rank worked out from the peers (a probe), only what
    # the figures shown now tell. The band against them: q3 of 50, 60, 70.3125, 72, 80, 90 at 3.75 = 72 + 0.75 x 8
    # = 78; 82.29 is at or above it: band A. The ranks: q3's position 3.75 means the values at 0..3 are at or
    # below 78, so at most 6 - 4 = 2 are above it (the authority's own 70.3125 is not one of them), and so at
    # most 2 peers above 82.29; nothing shown lies above 82.29 to say more: 1st to 3rd. (Really 2nd: only 90.)
    assert found.then[OVERALL] == whatif.Standing(6, None, "A", (1, 3))
    # A smaller step, A1.2 to 2 alone: overall = a = (68.75 + 225) / 4 = 73.4375: at or above the median now
    # (71.156), below q3 now (78): band B. At most 3 peers above (3 are above the authority's 70.3125 now), and at
    # least 2: q3 = 78 > 73.4375, and the values at positions 4 and 5 are at or above 78. 3rd to 4th (really 3rd).
    step = whatif.what_if(mini, answers, {"A1.2": 2}, own="own", members=list(peers), scores=peers, policy=AUTHORITY)
    assert step.then[OVERALL] == whatif.Standing(6, None, "B", (3, 4))
    # Programme staff, who see every member's value named anyway, get the rank with the targets: 82.29 has only 90
    # above it, 2nd of 6; quartiles of 50, 60, 72, 80, 82.29, 90: q3 = 80 + 0.75 x 2.2917 = 81.72: band A.
    programme = benchmark.Policy(benchmark.Audience.PROGRAMME, benchmark.GroupAccess.FIXED, 5)
    named = whatif.what_if(mini, answers, {"A1.2": 2, "B1.1": 4}, own="own", members=list(peers), scores=peers,
                           policy=programme)
    assert named.then[OVERALL] == whatif.Standing(6, 2, "A")


def test_trying_targets_never_finds_a_peers_score(mini: Framework, answers: dict) -> None:
    """The probe: an authority tries targets on either side of a peer's score. Its rank would move as it passes
    the peer (72 here: 4th of 7 below it, 3rd above); what it is shown must not."""
    peers = {"p1": {OVERALL: 90.0}, "p2": {OVERALL: 80.0}, "p3": {OVERALL: 72.0}, "p4": {OVERALL: 60.0},
             "p5": {OVERALL: 50.0}, "p6": {OVERALL: 40.0}}
    now = whatif.what_if(mini, answers, {}, own="own", members=list(peers), scores=peers, policy=AUTHORITY)
    below = whatif.what_if(mini, answers, {"A1.1": 4}, own="own", members=list(peers), scores=peers,
                           policy=AUTHORITY)
    above = whatif.what_if(mini, answers, {"A1.2": 2}, own="own", members=list(peers), scores=peers,
                           policy=AUTHORITY)
    assert below.result.overall.exact < 72 < above.result.overall.exact  # 71.875 and 73.4375
    # Quartiles shown now, of 40, 50, 60, 70.3125, 72, 80, 90: median 70.3125 (position 3), q3 at 4.5 = 76.
    assert now.now[OVERALL] == now.then[OVERALL] == whatif.Standing(7, 4, "B")  # its own place, as on the benchmark
    # Both probes are above the authority's own score (at most 3 peers above) and below q3 (at least the values
    # at positions 5 and 6 above): band B, 3rd to 4th, nothing to tell them apart.
    assert below.then[OVERALL] == above.then[OVERALL] == whatif.Standing(7, None, "B", (3, 4))


def test_a_small_group_gives_no_rank_or_band(mini: Framework, answers: dict) -> None:
    # Three peers and the authority: 4 scored, below the threshold of 5. Whatever the targets, no rank or band.
    peers = {"p1": {OVERALL: 90.0}, "p2": {OVERALL: 80.0}, "p3": {OVERALL: 72.0}}
    for targets in ({}, {"A1.2": 2}, {"A1.1": 0, "A1.2": 0, "A1.3": 0, "A2.1": 0}, {"A1.1": 4, "A1.2": 4}):
        found = whatif.what_if(mini, answers, targets, own="own", members=[*peers, "own"], scores=peers,
                               policy=AUTHORITY)
        assert found.now[OVERALL] == found.then[OVERALL] == whatif.Standing(4)
        assert not found.then[OVERALL].shown


def test_a_standing_holds_only_the_authoritys_own_place(mini: Framework, answers: dict) -> None:
    # Even for programme staff, whose positions carry every member's value, what comes out is rank, n and band.
    peers = {f"p{i}": {OVERALL: float(10 * i)} for i in range(1, 8)}
    programme = benchmark.Policy(benchmark.Audience.PROGRAMME, benchmark.GroupAccess.FIXED, 5)
    found = whatif.what_if(mini, answers, {}, own="own", members=list(peers), scores=peers, policy=programme)
    assert [f.name for f in dataclasses.fields(whatif.Standing)] == ["of", "rank", "band", "ranks"]
    assert found.now[OVERALL] == whatif.Standing(8, 1, "A")  # 70.3125 is above 10..70


@settings(max_examples=150, deadline=None)
@given(frameworks_and_answers(), st.data())
def test_targets_equal_to_the_answers_change_nothing(case: tuple[Framework, dict], data: st.DataObject) -> None:
    framework, answers = case
    levels = {cid: value for cid, value in answers.items() if value != NA}
    chosen = data.draw(st.sets(st.sampled_from(sorted(levels))) if levels else st.just(set()))
    targets = {cid: levels[cid] for cid in chosen}
    peers = {f"p{i}": {OVERALL: data.draw(st.floats(0, 100))} for i in range(data.draw(st.integers(0, 10)))}
    found = whatif.what_if(framework, answers, targets, own="own", members=list(peers), scores=peers,
                           policy=AUTHORITY)
    assert _all_scores(found.result) == _all_scores(found.current) == _all_scores(score(framework, answers))
    assert found.result.overall.band == found.current.overall.band
    # The same place in the same group as now: the authority's own score is where the figures shown pin its rank.
    assert found.then == found.now and found.changed == ()


@settings(max_examples=150, deadline=None)
@given(frameworks_and_answers(), st.data())
def test_raising_a_target_never_lowers_the_overall_score_unless_it_reveals_dependants(
        case: tuple[Framework, dict], data: st.DataObject) -> None:
    framework, answers = case
    top = framework.max_level
    raisable = [c.id for c in framework.criteria if isinstance(answers.get(c.id), int) and answers[c.id] < top]
    if not raisable:
        return
    criterion_id = data.draw(st.sampled_from(raisable))
    higher = [level for level in whatif.target_levels(framework, criterion_id) if level > answers[criterion_id]]
    found = whatif.what_if(framework, answers, {criterion_id: data.draw(st.sampled_from(higher))})
    before, after = found.current.overall.exact, found.result.overall.exact
    if found.result.visible == found.current.visible and criterion_id in found.current.visible:
        assert after is not None and before is not None and after >= before
    else:  # it revealed (or, hidden itself, could not count): only then may the overall score fall
        assert found.result.visible != found.current.visible or after == before
