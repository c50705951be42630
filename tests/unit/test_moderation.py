"""The moderation rules (domain/moderation.py): findings, responses, moderated levels, what is outstanding, the
moderated answers and the gaps, on the small framework of tests/fixtures/mini-1.yaml (scale 0..4)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csptoolkit.domain import confidence, moderation
from csptoolkit.domain.moderation import Finding, FindingError, check_finding, moderate, outstanding, respond
from csptoolkit.domain.scoring import NA, score
from csptoolkit.domain.standards import load_text

MINI = load_text((Path(__file__).resolve().parents[1] / "fixtures" / "mini-1.yaml").read_text(), "mini-1.yaml")
ANSWERS = {"A1.1": 3, "A1.2": 2, "A1.3": NA, "A2.1": 2, "A2.2": 4, "B1.1": 3}


def test_a_challenge_needs_another_level_on_the_scale_and_a_reason() -> None:
    assert check_finding(MINI, "A1.2", 2, "challenge", 1, " Board not met ") == Finding(
        "A1.2", "challenge", 1, "Board not met")
    for level, reason, code in ((None, "why", "required"), (2, "why", "same_level"), (5, "why", "out_of_scale"),
                                (1, "  ", "required")):
        with pytest.raises(FindingError) as refused:
            check_finding(MINI, "A1.2", 2, "challenge", level, reason)
        assert refused.value.code == code
    with pytest.raises(FindingError) as refused:  # yes/no: only 0 or the top of the scale
        check_finding(MINI, "A1.3", 4, "challenge", 2, "why")
    assert refused.value.code == "out_of_scale"
    assert check_finding(MINI, "A1.3", 4, "challenge", 0, "no sign of it").proposed_level == 0


def test_only_rated_criteria_get_findings_and_requests_say_what_is_wanted() -> None:
    for answer in (None, NA):
        with pytest.raises(FindingError, match="only a rated criterion") as refused:
            check_finding(MINI, "A1.3", answer, "agree")
        assert refused.value.code == "not_rated"
    with pytest.raises(FindingError) as refused:
        check_finding(MINI, "B1.1", 3, "evidence_requested", None, "")
    assert (refused.value.field, refused.value.code) == ("reason", "required")
    with pytest.raises(FindingError):
        check_finding(MINI, "Z9", 3, "agree")
    with pytest.raises(FindingError):
        check_finding(MINI, "B1.1", 3, "approve")
    assert check_finding(MINI, "B1.1", 3, "evidence_requested", 2, "Minutes").proposed_level is None


def test_a_response_stays_with_an_unchanged_question_and_a_changed_one_is_asked_afresh() -> None:
    asked = check_finding(MINI, "A1.2", 2, "challenge", 1, "Board not met")
    answered = respond(asked, "keep", "It met in June")
    again = check_finding(MINI, "A1.2", 2, "challenge", 1, "Board not met since March", previous=answered)
    assert (again.response, again.response_note) == ("keep", "It met in June")
    changed = check_finding(MINI, "A1.2", 2, "challenge", 0, "Board not met", previous=answered)
    assert changed.response is None and changed.awaiting_response


def test_responses_accept_keep_and_add_evidence() -> None:
    challenge = check_finding(MINI, "A1.2", 2, "challenge", 1, "Board not met")
    accepted = respond(challenge, "accept")
    assert accepted.moderated_level == 1 and accepted.settled  # the proposed level, unless the champion says else
    kept = respond(challenge, "keep", "It met in June")
    assert kept.moderated_level is None and not kept.settled and not kept.awaiting_response
    request = check_finding(MINI, "B1.1", 3, "evidence_requested", reason="The participation strategy")
    with pytest.raises(FindingError) as refused:
        respond(request, "accept")
    assert refused.value.code == "not_challenge"
    for response in ("keep", "evidence_added"):
        with pytest.raises(FindingError) as refused:
            respond(request, response, " ")
        assert (refused.value.field, refused.value.code) == ("response_note", "required")
    with pytest.raises(FindingError) as refused:
        respond(Finding("A1.1", "agree"), "keep", "why")
    assert refused.value.code == "not_questioned"


def test_a_moderated_level_is_set_only_after_the_answer_and_only_on_the_scale() -> None:
    request = check_finding(MINI, "B1.1", 3, "evidence_requested", reason="The participation strategy")
    with pytest.raises(FindingError) as refused:
        moderate(MINI, request, 2)
    assert refused.value.code == "not_answered"
    answered = respond(request, "evidence_added", "Uploaded it")
    assert moderate(MINI, answered, 2).settled
    with pytest.raises(FindingError):
        moderate(MINI, answered, 9)
    with pytest.raises(FindingError):
        moderate(MINI, Finding("B1.1", "agree"), 2)


def test_what_is_outstanding_in_framework_order() -> None:
    findings = {
        "B1.1": Finding("B1.1", "evidence_requested", reason="x"),
        "A2.2": respond(Finding("A2.2", "challenge", 2, "y"), "keep", "z"),
        "A1.1": Finding("A1.1", "agree"),
    }
    left = outstanding(MINI, ANSWERS, ["A2.1", "A1.1", "A1.3", "A1.2"], findings)
    assert left.no_finding == ("A1.2", "A2.1")  # A1.3 is N/A: no finding needed even though it was sampled
    assert left.awaiting_response == ("B1.1",)
    assert left.awaiting_level == ("A2.2",)
    assert bool(left)
    assert not outstanding(MINI, ANSWERS, ["A1.1"], {"A1.1": Finding("A1.1", "agree")})


def test_the_moderated_answers_and_the_gaps_by_hand() -> None:
    findings = {"A1.2": respond(Finding("A1.2", "challenge", 1, "x"), "accept"),
                "A2.2": moderate(MINI, respond(Finding("A2.2", "challenge", 2, "y"), "keep", "z"), 3),
                "B1.1": Finding("B1.1", "agree")}
    moderated = moderation.moderated_answers(ANSWERS, findings)
    assert moderated == {"A1.1": 3, "A1.2": 1, "A1.3": NA, "A2.1": 2, "A2.2": 3, "B1.1": 3}
    # See tests/integration/test_moderation.py for the figures: overall 72.2 -> 63.2, A1 58.3 -> 41.7.
    gaps = {g.key: g.gap for g in moderation.gaps(["overall", "standard:A1", "standard:B1", "domain:zz"],
                                                  score(MINI, ANSWERS), score(MINI, moderated))}
    assert gaps == {"overall": Decimal("-9.0"), "standard:A1": Decimal("-16.6"), "standard:B1": Decimal("0.0"),
                    "domain:zz": None}
    assert moderation.peer_validated(findings) == {"A1.2", "A2.2", "B1.1"}
    levels = moderation.confidences(ANSWERS, {"A1.1": True, "B1.1": True}, moderation.peer_validated(findings))
    assert levels["A1.1"] == confidence.EVIDENCED and levels["B1.1"] == confidence.PEER_VALIDATED
    assert levels["A2.1"] == confidence.SELF_ASSESSED


def test_a_kept_rating_without_a_moderated_level_is_not_peer_validated() -> None:
    kept = respond(Finding("A2.2", "challenge", 2, "y"), "keep", "z")
    assert moderation.peer_validated({"A2.2": kept}) == frozenset()
    assert moderation.moderated_answers(ANSWERS, {"A2.2": kept})["A2.2"] == 4


levels = st.integers(min_value=0, max_value=4)


@given(st.dictionaries(st.sampled_from(["A1.1", "A1.2", "A2.1", "A2.2", "B1.1"]),
                       st.tuples(st.sampled_from(["agree", "challenge", "evidence_requested"]), levels, levels,
                                 st.booleans())))
def test_agreed_and_unsampled_criteria_keep_their_level_and_only_moderated_ones_change(chosen) -> None:
    findings = {}
    for cid, (outcome, proposed, final, answered) in chosen.items():
        rating = ANSWERS[cid]
        if outcome == "challenge" and proposed == rating:
            proposed = (proposed + 1) % 5
        try:
            finding = check_finding(MINI, cid, rating, outcome, proposed, "reason")
        except FindingError:
            continue
        if outcome != "agree" and answered:
            finding = moderate(MINI, respond(finding, "keep", "note"), final)
        findings[cid] = finding
    moderated = moderation.moderated_answers(ANSWERS, findings)
    for cid, value in ANSWERS.items():
        finding = findings.get(cid)
        if finding is not None and finding.moderated_level is not None:
            assert moderated[cid] == finding.moderated_level
        else:
            assert moderated[cid] == value
    left = outstanding(MINI, ANSWERS, list(findings), findings)
    assert not left.no_finding
    assert set(left.awaiting_response) | set(left.awaiting_level) == {
        cid for cid, f in findings.items() if not f.settled}
