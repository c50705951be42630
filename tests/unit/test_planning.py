"""The plan rules of DESIGN §7 (domain/planning.py): hand-worked examples on the mini framework and properties
over generated frameworks and answers."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csptoolkit.domain import planning, scoring
from csptoolkit.domain.planning import (
    CLOSED_DONE,
    CLOSED_NOT_APPLICABLE,
    CLOSED_REACHED,
    CLOSED_RETIRED,
    DONE,
    GAP,
    IN_PROGRESS,
    NOT_ASSESSED,
    NOT_STARTED,
    REACHED,
    Existing,
    OldAction,
)
from csptoolkit.domain.scoring import NA, parse_answers
from csptoolkit.domain.standards import Framework, load_text
from tests.unit.test_scoring import frameworks_and_answers

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(scope="module")
def mini() -> Framework:
    return load_text((FIXTURES / "mini-1.yaml").read_text(), "mini-1.yaml")


@pytest.fixture(scope="module")
def mini2() -> Framework:
    return load_text((FIXTURES / "mini-2.yaml").read_text(), "mini-2.yaml")


# --------------------------------------------------------------------------------------------------------
# Hand-worked: mini-1 (scale 0..4; domain a weight 2 with A1 weight 1 and A2 weight 3; domain b weight 1)
#
# Shares of the overall score, every criterion scored: domain a 2/3, b 1/3; A1 1/4 and A2 3/4 of a;
# A1.1 1/4, A1.2 2/4, A1.3 1/4 of A1.  A1.1: 1/4*1/4*2/3 = 1/24; A1.2: 1/12; A1.3: 1/24; A2.1, A2.2: 1/2*3/4*2/3
# = 1/4 each; B1.1: 1/3.  Priority score = 100 x share x gap / 4.


ANSWERS = {"A1.1": 1, "A1.2": 1, "A1.3": False, "A2.1": 3, "A2.2": 4, "B1.1": 2}


def test_hand_worked_gaps_and_priority(mini: Framework) -> None:
    found = planning.gaps(mini, parse_answers(mini, ANSWERS))
    # A1.2 is mandatory (minimum 2) at 1: a gate, first, aiming at its minimum. Then by points: B1.1 2->3 is
    # 100*1/3*1/4 = 25/3; A2.1 3->4 is 25/4; A1.3 no->yes is 100*1/24*4/4 = 25/6; A1.1 1->2 is 25/24.
    # A2.2 is at the top: no action.
    assert [g.criterion_id for g in found] == ["A1.2", "B1.1", "A2.1", "A1.3", "A1.1"]
    by_id = {g.criterion_id: g for g in found}
    assert by_id["A1.2"].gate and by_id["A1.2"].target_level == 2
    assert by_id["A1.2"].score == Fraction(25, 12)
    assert by_id["B1.1"].weight == Fraction(1, 3) and by_id["B1.1"].score == Fraction(25, 3)
    assert by_id["A2.1"].score == Fraction(25, 4)
    assert (by_id["A1.3"].target_level, by_id["A1.3"].gap, by_id["A1.3"].score) == (4, 4, Fraction(25, 6))
    assert by_id["A1.1"].weight == Fraction(1, 24) and by_id["A1.1"].score == Fraction(25, 24)
    assert not any(g.gate for g in found[1:])


def test_priority_score_is_the_overall_points_gained(mini: Framework) -> None:
    answers = parse_answers(mini, ANSWERS)
    before = scoring.score(mini, answers).overall.exact
    for gap in planning.gaps(mini, answers):
        after = scoring.score(mini, {**answers, gap.criterion_id: gap.target_level}).overall.exact
        assert after - before == gap.score, gap.criterion_id


def test_gate_default_target_is_its_minimum(mini: Framework) -> None:
    found = planning.gaps(mini, parse_answers(mini, {"A1.2": 0}))
    assert [(g.criterion_id, g.level_reached, g.target_level, g.gate) for g in found] == [("A1.2", 0, 2, True)]
    # Only A1.2 is scored: its share is the whole overall score; 2 levels of 4 are 50 points.
    assert found[0].score == 50


def test_ties_follow_the_order_in_the_file(mini: Framework) -> None:
    found = planning.gaps(mini, parse_answers(mini, {"A2.1": 2, "A2.2": 2}))
    assert [g.criterion_id for g in found] == ["A2.1", "A2.2"]
    assert found[0].score == found[1].score == Fraction(25, 2)  # each half of A2 (the only one scored): 100*1/2*1/4


def test_hidden_na_and_unanswered_get_no_action(mini: Framework) -> None:
    # A2.1 at 1 hides A2.2 (needs 2): its answer is ignored. B1.1 is N/A. A1.1 is unanswered.
    found = planning.gaps(mini, parse_answers(mini, {"A2.1": 1, "A2.2": 0, "B1.1": "na"}))
    assert [g.criterion_id for g in found] == ["A2.1"]
    states = planning.criterion_states(mini, parse_answers(mini, {"A2.1": 1, "A2.2": 0, "B1.1": "na"}))
    assert states["A2.2"] == NOT_ASSESSED and states["B1.1"] == planning.NOT_APPLICABLE
    assert states["A1.1"] == NOT_ASSESSED and states["A2.1"] == GAP


def test_targets_set_by_the_authority(mini: Framework) -> None:
    answers = parse_answers(mini, ANSWERS)
    found = planning.gaps(mini, answers, {"B1.1": 4, "A2.1": 3, "A1.1": 0, "A2.2": 4})
    by_id = {g.criterion_id: g for g in found}
    assert by_id["B1.1"].target_level == 4 and by_id["B1.1"].score == Fraction(50, 3)
    # At or below the level reached: no action.
    assert "A2.1" not in by_id and "A1.1" not in by_id and "A2.2" not in by_id


def test_action_text_is_the_files_for_the_level_reached() -> None:
    text = (FIXTURES.parent.parent / "standards" / "csp-commissioning-2010.1.yaml").read_text()
    framework = load_text(text, "csp-commissioning-2010.1.yaml")
    criterion = framework.criterion("L1.1")
    found = planning.gaps(framework, {"L1.1": 1})
    assert found[0].action_text == criterion.actions[1]
    assert found[0].action_text["en"].startswith("Draft the strategy with the PCT")


@pytest.mark.parametrize(("level", "ok"), [(0, True), (4, True), (2, True), (5, False), (-1, False)])
def test_check_target_on_a_level_scale(mini: Framework, level: int, ok: bool) -> None:
    if ok:
        assert planning.check_target(mini, "A1.1", level) == level
    else:
        with pytest.raises(planning.TargetError, match="A1.1"):
            planning.check_target(mini, "A1.1", level)


def test_check_target_on_yes_no_and_unknown(mini: Framework) -> None:
    assert planning.check_target(mini, "A1.3", 4) == 4
    with pytest.raises(planning.TargetError, match="yes/no"):
        planning.check_target(mini, "A1.3", 2)
    with pytest.raises(planning.TargetError, match="no such criterion"):
        planning.check_target(mini, "Z9", 1)
    with pytest.raises(planning.TargetError):
        planning.check_target(mini, "A1.1", True)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------------
# Regenerating


def _existing(action_id: int, criterion: str | None, touched: bool, status: str = NOT_STARTED,
              priority: int = 1, target: int | None = None) -> Existing:
    return Existing(action_id, criterion, planning.GENERATED if criterion else planning.OWN, status, target,
                    priority, touched)


def test_reconcile_keeps_the_authoritys_work(mini: Framework) -> None:
    first = parse_answers(mini, ANSWERS)
    # Actions as generated from the first answers, and the authority's own one (id 9).
    existing = [_existing(1, "A1.2", False, priority=1), _existing(2, "B1.1", True, IN_PROGRESS, 2, 3),
                _existing(3, "A2.1", False, priority=3), _existing(4, "A1.3", True, priority=4, target=4),
                _existing(5, "A1.1", False, priority=5), _existing(9, None, True, priority=6)]
    # New answers: B1.1 reaches its target (3), A2.1 reaches the top, A1.3 becomes yes, A1.1 rises 1 -> 2.
    second = {**first, "B1.1": 3, "A2.1": 4, "A1.3": 4, "A1.1": 2}
    found = planning.gaps(mini, second)
    states = planning.criterion_states(mini, second)
    changes = planning.reconcile(existing, found, states)
    assert set(changes.update) == {1, 5}  # A1.2 still gated, A1.1 now 2 -> 3
    assert changes.update[5].level_reached == 2 and changes.update[5].target_level == 3
    assert changes.remove == [3]  # untouched and its gap closed
    assert changes.complete == [2, 4]  # touched, and the answers reached their targets: done, kept
    assert changes.create == []
    assert changes.order == [("action", 1), ("action", 5), ("action", 2), ("action", 4), ("action", 9)]


def test_reconcile_makes_new_gaps_and_keeps_touched_actions_when_a_target_is_lowered(mini: Framework) -> None:
    answers = parse_answers(mini, ANSWERS)
    existing = [_existing(2, "B1.1", True, IN_PROGRESS, 1, 3), _existing(3, "A2.1", False, priority=2)]
    found = planning.gaps(mini, answers, {"B1.1": 2, "A2.1": 3})
    changes = planning.reconcile(existing, found, planning.criterion_states(mini, answers, {"B1.1": 2,
                                                                                            "A2.1": 3}))
    assert changes.remove == [3]
    assert changes.complete == [2]  # B1.1 is at its (lowered) target: it stays, marked done
    assert [c.criterion_id for c in changes.create] == ["A1.2", "A1.3", "A1.1"]
    assert changes.order[-1] == ("action", 2)


def test_reconcile_keeps_a_touched_action_whose_criterion_is_no_longer_asked(mini: Framework) -> None:
    answers = parse_answers(mini, {"A2.1": 1, "A2.2": 0})  # A2.2 hidden now
    changes = planning.reconcile([_existing(7, "A2.2", True, IN_PROGRESS, 1, 1), _existing(8, "B1.1", False)],
                                 planning.gaps(mini, answers), planning.criterion_states(mini, answers))
    assert changes.complete == [] and changes.remove == [8]
    assert ("action", 7) in changes.order


# --------------------------------------------------------------------------------------------------------
# Carrying forward: mini-1 -> mini-2 (A1.1 reworded, A1.2 split into A1.2a and A1.2b, A1.3 retired)


def _old(action_id: int, criterion: str | None, status: str = NOT_STARTED, **fields) -> OldAction:
    return OldAction(action_id, criterion, status, fields.pop("text", f"do {criterion}"),
                     fields.pop("text_edited", False), **fields)


def test_carry_through_reworded_split_and_retired(mini2: Framework) -> None:
    old = [_old(1, "A1.1", IN_PROGRESS, owner="Head of commissioning", due_on=date(2011, 3, 1), notes="Started"),
           _old(2, "A1.2", owner="JSNA lead", text="Our own words", text_edited=True),
           _old(3, "A1.3", owner="Retired"), _old(4, "A2.1", DONE), _old(5, None, text="Own work",
                                                                         text_edited=True, standard_key="A2")]
    answers = {"A1.1": 1, "A1.2a": 0, "A1.2b": 0, "A2.1": 2, "A2.2": 2, "B1.1": 2, "B1.2": 2}
    states = planning.criterion_states(mini2, answers)
    carried = planning.carry_forward(old, mini2.crosswalk, states, [s.id for s in mini2.standards])
    by_criterion = {c.criterion_id: c for c in carried}
    assert set(by_criterion) == {"A1.1", "A1.2a", "A1.2b", None}
    assert by_criterion["A1.1"].from_ids == (1,) and by_criterion["A1.1"].status == IN_PROGRESS
    assert by_criterion["A1.1"].owner == "Head of commissioning" and by_criterion["A1.1"].notes == "Started"
    assert by_criterion["A1.1"].due_on == date(2011, 3, 1) and by_criterion["A1.1"].text is None
    # Split: one old action gives one on each half, with the authority's words on both.
    assert by_criterion["A1.2a"].from_ids == by_criterion["A1.2b"].from_ids == (2,)
    assert by_criterion["A1.2a"].text == by_criterion["A1.2b"].text == "Our own words"
    assert by_criterion[None].standard_key == "A2" and by_criterion[None].text == "Own work"
    closed = planning.closed_between(old, mini2.crosswalk, states, {i for c in carried for i in c.from_ids})
    assert [(c.action_id, c.reason) for c in closed] == [(3, CLOSED_RETIRED), (4, CLOSED_DONE)]


def test_carry_merge_joins_owners_and_takes_the_earliest_due_date() -> None:
    crosswalk = {"P2.2": ("P2.2",), "P2.3": ("P2.2",)}
    old = [_old(1, "P2.2", owner="Contracts manager", due_on=date(2011, 6, 1), notes="Quality"),
           _old(2, "P2.3", IN_PROGRESS, owner="Finance lead", due_on=date(2011, 4, 1), notes="Volume")]
    carried = planning.carry_forward(old, crosswalk, {"P2.2": GAP}, [])
    assert len(carried) == 1
    merged = carried[0]
    assert merged.criterion_id == "P2.2" and merged.from_ids == (1, 2)
    assert merged.owner == "Contracts manager; Finance lead" and merged.due_on == date(2011, 4, 1)
    assert merged.status == IN_PROGRESS and merged.notes == "Quality\n\nVolume"


def test_what_reached_its_target_or_became_na_is_closed_not_carried() -> None:
    crosswalk = {"A": ("A",), "B": ("B",), "C": ("C1", "C2"), "D": ("D",)}
    old = [_old(1, "A"), _old(2, "B"), _old(3, "C"), _old(4, "D")]
    states = {"A": REACHED, "B": planning.NOT_APPLICABLE, "C1": REACHED, "C2": GAP, "D": NOT_ASSESSED}
    carried = planning.carry_forward(old, crosswalk, states)
    assert [(c.criterion_id, c.from_ids) for c in carried] == [("C2", (3,)), ("D", (4,))]
    closed = planning.closed_between(old, crosswalk, states, [3, 4])
    assert [(c.action_id, c.reason) for c in closed] == [(1, CLOSED_REACHED), (2, CLOSED_NOT_APPLICABLE)]


def test_same_version_carries_one_to_one() -> None:
    carried = planning.carry_forward([_old(1, "A"), _old(2, "B", DONE)], None, {"A": GAP, "B": GAP})
    assert [(c.criterion_id, c.from_ids) for c in carried] == [("A", (1,))]


def test_progress_counts() -> None:
    today = date(2011, 5, 1)
    counts = planning.progress([(DONE, date(2011, 1, 1)), (IN_PROGRESS, date(2011, 4, 30)),
                                (NOT_STARTED, None), (NOT_STARTED, date(2011, 5, 1)), (NOT_STARTED, date(2010, 1, 1))],
                               today)
    assert (counts.done, counts.in_progress, counts.not_started, counts.overdue, counts.total) == (1, 1, 3, 2, 5)


# --------------------------------------------------------------------------------------------------------
# Properties


@given(frameworks_and_answers(), st.data())
def test_a_target_at_or_below_the_level_reached_gives_no_action(case, data) -> None:
    framework, answers = case
    targets = {}
    for cid, value in answers.items():
        if value != NA and data.draw(st.booleans()):
            targets[cid] = data.draw(st.integers(0, value))
    found = {g.criterion_id for g in planning.gaps(framework, answers, targets)}
    assert not found & set(targets)


@given(frameworks_and_answers())
def test_actions_only_for_scored_criteria_below_target_in_priority_order(case) -> None:
    framework, answers = case
    found = planning.gaps(framework, answers)
    visible = scoring.visible_criteria(framework, answers)
    order = {c.id: i for i, c in enumerate(framework.criteria)}
    for gap in found:
        assert gap.criterion_id in visible and answers[gap.criterion_id] != NA
        assert gap.target_level > gap.level_reached and gap.score > 0
    keys = [(not g.gate, -g.score, order[g.criterion_id]) for g in found]
    assert keys == sorted(keys)
    # Every scored criterion below the top has an action (default targets), and none at the top.
    expected = {cid for cid in visible if answers.get(cid) not in (None, NA) and answers[cid] < framework.max_level}
    assert {g.criterion_id for g in found} == expected


@given(frameworks_and_answers())
def test_reaching_a_target_raises_the_overall_score_by_its_priority_score(case) -> None:
    framework, answers = case
    before = scoring.score(framework, answers).overall.exact
    for gap in planning.gaps(framework, answers):
        dependants = [c for c in framework.criteria if c.depends_on and c.depends_on.criterion == gap.criterion_id]
        if dependants:
            continue  # raising it can reveal other criteria: the score then moves by more than its own part
        after = scoring.score(framework, {**answers, gap.criterion_id: gap.target_level}).overall.exact
        assert after - before == gap.score


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D", "E", None]),
                          st.sampled_from([NOT_STARTED, IN_PROGRESS, DONE])), max_size=8),
       st.dictionaries(st.sampled_from(["A", "B", "C", "D", "E"]),
                       st.lists(st.sampled_from(["N1", "N2", "N3"]), max_size=3, unique=True).map(tuple)),
       st.dictionaries(st.sampled_from(["N1", "N2", "N3"]),
                       st.sampled_from([GAP, REACHED, NOT_ASSESSED, planning.NOT_APPLICABLE])))
def test_every_old_action_is_carried_or_closed_and_never_both(actions, crosswalk, states) -> None:
    old = [_old(i, cid, status) for i, (cid, status) in enumerate(actions, start=1)]
    carried = planning.carry_forward(old, crosswalk, states)
    carried_ids = {i for c in carried for i in c.from_ids}
    closed = planning.closed_between(old, crosswalk, states, carried_ids)
    closed_ids = {c.action_id for c in closed}
    assert carried_ids | closed_ids == {a.id for a in old}
    assert not carried_ids & closed_ids
    for item in carried:
        assert item.criterion_id is None or states.get(item.criterion_id) in (GAP, NOT_ASSESSED)
        assert all(old[i - 1].status != DONE for i in item.from_ids)
    assert len({c.criterion_id for c in carried if c.criterion_id}) == len([c for c in carried if c.criterion_id])
    for item in closed:
        if item.reason == CLOSED_RETIRED:
            assert not crosswalk.get(old[item.action_id - 1].criterion_id)


def test_an_untouched_action_moves_on_and_a_new_target_reopens_a_done_one(mini: Framework) -> None:
    answers = {**parse_answers(mini, ANSWERS), "B1.1": 3}
    found = planning.gaps(mini, answers)
    states = planning.criterion_states(mini, answers)
    # Untouched, aimed at 3, now at 3: it simply becomes the next step, 3 -> 4.
    changes = planning.reconcile([_existing(2, "B1.1", False, target=3)], found, states)
    assert changes.update[2].target_level == 4 and not changes.complete
    # Done and touched, and the authority now aims at 4: in progress again, with the new target.
    found = planning.gaps(mini, answers, {"B1.1": 4})
    changes = planning.reconcile([_existing(2, "B1.1", True, DONE, target=3)], found, states, {"B1.1": 4})
    assert changes.update[2].target_level == 4 and changes.reopen == [2]
    # Done and no new target: it stays done, and the next level waits.
    changes = planning.reconcile([_existing(2, "B1.1", True, DONE, target=3)], planning.gaps(mini, answers),
                                 states)
    assert 2 not in changes.update and not changes.complete and ("action", 2) in changes.order
