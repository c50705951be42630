"""The scoring rules of DESIGN §4: hand-worked examples and properties over generated frameworks."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csptoolkit.domain import scoring
from csptoolkit.domain.scoring import NA, AnswerError, parse_answers, score, shown
from csptoolkit.domain.standards import (
    Band,
    Criterion,
    Dependency,
    Domain,
    Framework,
    ScaleLevel,
    Standard,
    load_text,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(scope="module")
def mini() -> Framework:
    return load_text((FIXTURES / "mini-1.yaml").read_text(), "mini-1.yaml")


def test_hand_worked_example(mini: Framework) -> None:
    answers = parse_answers(mini, {"A1.1": 3, "A1.2": 1, "A1.3": True, "A2.1": 2, "A2.2": 4, "B1.1": "na"})
    result = score(mini, answers).to_json(mini)
    # A1 = (1x3 + 2x1 + 1x4) / (4 x (1+2+1)) = 9/16 = 56.25, shown half-up as 56.3; gated by A1.2 (1 < 2).
    assert result["standards"]["A1"] == {"score": 56.3, "band": "approaching", "gated": True, "gates": ["A1.2"]}
    # A2 = (2 + 4) / 8 = 75.0: A2.2 is asked because A2.1 = 2 >= 2.
    assert result["standards"]["A2"] == {"score": 75.0, "band": "met", "gated": False, "gates": []}
    # B1 is N/A only: not scored, and domain B with it.
    assert result["standards"]["B1"]["score"] is None and result["standards"]["B1"]["band"] is None
    assert result["domains"] == {"a": {"score": 70.3}, "b": {"score": None}}  # (56.25x1 + 75x3) / 4 = 70.3125
    # Overall is domain A alone: 70.3 would be "met", but a gated standard caps it at the gate band.
    assert result["overall"] == {"score": 70.3, "band": "approaching", "gated": True}
    assert result["completeness"] == 100.0


def test_hidden_criterion_is_ignored_even_when_answered(mini: Framework) -> None:
    answers = parse_answers(mini, {"A1.1": 4, "A1.2": 4, "A1.3": True, "A2.1": 1, "A2.2": 4})
    result = score(mini, answers)
    assert "A2.2" not in result.visible
    assert result.standards["A2"].value == Decimal("25.0")  # 1/4, A2.2 left out
    assert result.standards["A2"].band.id == "not-met"
    assert result.standards["A1"].value == Decimal("100.0") and result.standards["A1"].band.id == "exceeded"
    # A2.2 is hidden, so 5 criteria are asked; B1.1 is unanswered, so 4 are answered.
    assert (result.asked, result.answered) == (5, 5 - 1)
    assert shown(result.completeness) == Decimal("80.0")


def test_unanswered_criteria_are_left_out_of_scores(mini: Framework) -> None:
    result = score(mini, parse_answers(mini, {"A1.1": 2}))
    assert result.standards["A1"].exact == Fraction(50)
    assert result.standards["A2"].exact is None
    assert result.overall.exact == Fraction(50)
    assert shown(result.completeness) == Decimal("20.0")  # 1 of 5 asked (A2.2 hidden)


def test_band_uses_the_score_as_shown() -> None:
    # 64.96 is shown as 65.0, so the band must be "met" (min 65), in agreement with what people read.
    framework = _framework([[("c1", 1)]], top=4)
    assert scoring.band_for(framework, Fraction(6496, 100), gated=False).id == "met"
    assert scoring.band_for(framework, Fraction(6494, 100), gated=False).id == "approaching"


def test_rounding_is_half_up() -> None:
    assert shown(Fraction(225, 4)) == Decimal("56.3")
    assert shown(Fraction(1, 20)) == Decimal("0.1")
    assert shown(Fraction(2, 3) * 100) == Decimal("66.7")
    assert shown(None) is None


def test_gate_applies_only_to_visible_answered_criteria(mini: Framework) -> None:
    assert not score(mini, parse_answers(mini, {"A1.1": 4})).standards["A1"].gated
    assert score(mini, parse_answers(mini, {"A1.2": 0})).standards["A1"].gates == ("A1.2",)
    assert not score(mini, parse_answers(mini, {"A1.2": 2})).standards["A1"].gated


def test_explanation_names_every_criterion(mini: Framework) -> None:
    result = score(mini, parse_answers(mini, {"A1.1": 3, "A1.2": 1, "A2.1": 0, "A2.2": 3}))
    lines = {line.criterion_id: line for line in result.standards["A1"].parts}
    assert lines["A1.1"].status == "scored" and lines["A1.1"].value == 3 and lines["A1.1"].weight == 1
    assert lines["A1.2"].gates and lines["A1.3"].status == "unanswered"
    assert {line.criterion_id: line.status for line in result.standards["A2"].parts} == {
        "A2.1": "scored", "A2.2": "hidden"}
    assert result.domains["a"].parts == (("A1", result.standards["A1"].exact, 1),
                                         ("A2", result.standards["A2"].exact, 3))


@pytest.mark.parametrize(("raw", "message"), [
    ({"Z9": 1}, "Z9: no such criterion"),
    ({"A1.1": 5}, "A1.1: level 5 is outside the scale 0..4"),
    ({"A1.1": -1}, "A1.1: level -1 is outside"),
    ({"A1.1": "na"}, "A1.1: N/A is not allowed"),
    ({"A1.1": True}, "A1.1: expects a whole-number level"),
    ({"A1.1": 2.5}, "A1.1: expects a whole-number level"),
    ({"A1.3": 4}, "A1.3: expects true or false"),
    ([1, 2], "answers: must be an object"),
])
def test_bad_answers_name_the_criterion(mini: Framework, raw: object, message: str) -> None:
    with pytest.raises(AnswerError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_answers(mini, raw)


def test_yes_no_scores_as_zero_or_top(mini: Framework) -> None:
    assert parse_answers(mini, {"A1.3": True, "B1.1": "na"}) == {"A1.3": 4, "B1.1": NA}
    assert parse_answers(mini, {"A1.3": False}) == {"A1.3": 0}


# --------------------------------------------------------------------------------------------------------
# Properties over generated frameworks and answers


def _framework(shape: list[list[tuple[str, int]]], top: int = 4, extra: dict | None = None) -> Framework:
    extra = extra or {}
    standards = []
    for s_index, criteria in enumerate(shape):
        standards.append(Standard(
            id=f"S{s_index}", title={"en": "s"},
            criteria=tuple(Criterion(id=cid, text={"en": cid}, weight=Decimal(weight), **extra.get(cid, {}))
                           for cid, weight in criteria)))
    return Framework(
        framework="gen", version="1", status="published", title={"en": "gen"},
        scale=tuple(ScaleLevel(v, {"en": str(v)}, {}) for v in range(top + 1)),
        bands=(Band("not-met", Decimal(0), {}), Band("approaching", Decimal(40), {}), Band("met", Decimal(65), {}),
               Band("exceeded", Decimal(85), {})),
        gate_band="approaching",
        domains=(Domain("d0", {"en": "d"}, tuple(standards[: len(standards) // 2 + 1]), Decimal(2)),
                 Domain("d1", {"en": "d"}, tuple(standards[len(standards) // 2 + 1:]), Decimal(1))),
    )


@st.composite
def frameworks_and_answers(draw: st.DrawFn) -> tuple[Framework, dict[str, scoring.Answer]]:
    top = draw(st.integers(1, 6))
    n_standards = draw(st.integers(1, 5))
    shape: list[list[tuple[str, int]]] = []
    extra: dict[str, dict] = {}
    ids: list[str] = []
    for s in range(n_standards):
        criteria = []
        for c in range(draw(st.integers(1, 5))):
            cid = f"C{s}.{c}"
            criteria.append((cid, draw(st.integers(1, 3))))
            options: dict = {"type": draw(st.sampled_from(["level", "yesno"])),
                             "allow_na": draw(st.booleans())}
            if draw(st.booleans()):
                options.update(mandatory=True, minimum_level=draw(st.integers(0, top)))
            if ids and draw(st.integers(0, 3)) == 0:  # depend only on earlier criteria: never a cycle
                options["depends_on"] = Dependency(draw(st.sampled_from(ids)), draw(st.integers(0, top)))
            extra[cid] = options
            ids.append(cid)
        shape.append(criteria)
    framework = _framework(shape, top, extra)
    answers: dict[str, scoring.Answer] = {}
    for criterion in framework.criteria:
        choice = draw(st.integers(0, 4))
        if choice == 0:
            continue
        if choice == 1 and criterion.allow_na:
            answers[criterion.id] = NA
        elif criterion.type == "yesno":
            answers[criterion.id] = draw(st.sampled_from([0, top]))
        else:
            answers[criterion.id] = draw(st.integers(0, top))
    return framework, answers


def _all_scores(result: scoring.Result) -> list[Fraction | None]:
    return [result.overall.exact, *(s.exact for s in result.domains.values()),
            *(s.exact for s in result.standards.values())]


@settings(max_examples=300)
@given(frameworks_and_answers())
def test_every_score_is_between_0_and_100(case: tuple[Framework, dict]) -> None:
    framework, answers = case
    result = score(framework, answers)
    for value in _all_scores(result):
        assert value is None or 0 <= value <= 100
    assert 0 <= result.completeness <= 100


@settings(max_examples=300)
@given(frameworks_and_answers(), st.data())
def test_raising_an_answer_nobody_depends_on_never_lowers_a_score(case: tuple[Framework, dict],
                                                                   data: st.DataObject) -> None:
    framework, answers = case
    depended_on = {c.depends_on.criterion for c in framework.criteria if c.depends_on}
    candidates = [cid for cid, v in answers.items()
                  if v != NA and v < framework.max_level and cid not in depended_on
                  and framework.criterion(cid).type == "level"]
    if not candidates:
        return
    cid = data.draw(st.sampled_from(candidates))
    raised = dict(answers, **{cid: data.draw(st.integers(answers[cid] + 1, framework.max_level))})
    before, after = score(framework, answers), score(framework, raised)
    for old, new in zip(_all_scores(before), _all_scores(after), strict=True):
        assert (old is None) == (new is None)
        assert old is None or new >= old


@settings(max_examples=200)
@given(frameworks_and_answers(), st.randoms())
def test_reordering_criteria_standards_and_domains_changes_nothing(case: tuple[Framework, dict], rnd) -> None:
    framework, answers = case

    def shuffled(items: tuple) -> tuple:
        items = list(items)
        rnd.shuffle(items)
        return tuple(items)

    reordered = dataclasses.replace(framework, domains=shuffled(tuple(
        dataclasses.replace(d, standards=shuffled(tuple(
            dataclasses.replace(s, criteria=shuffled(s.criteria)) for s in d.standards)))
        for d in framework.domains)))
    def normalised(result: dict) -> dict:  # gates are listed in file order, so compare them as sets
        for standard in result["standards"].values():
            standard["gates"] = sorted(standard["gates"])
        return result

    assert normalised(score(reordered, answers).to_json(reordered)) == normalised(
        score(framework, answers).to_json(framework))
    assert score(reordered, answers).overall.exact == score(framework, answers).overall.exact


@settings(max_examples=200)
@given(frameworks_and_answers())
def test_a_standard_of_all_top_answers_scores_100(case: tuple[Framework, dict]) -> None:
    framework, _ = case
    answers = {c.id: framework.max_level for c in framework.criteria}
    result = score(framework, answers)
    for standard in framework.standards:
        assert result.standards[standard.id].exact == 100
    assert result.overall.exact == 100
    assert result.completeness == 100


def test_stored_scores_are_shown_half_up_like_exact_ones() -> None:
    assert scoring.shown_number(56.25) == Decimal("56.3")  # Python's round() and Babel would give 56.2
    assert scoring.shown_number(Decimal("0.05")) == Decimal("0.1")
    assert scoring.shown_number(None) is None
