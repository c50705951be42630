"""The confidence of a rating (DESIGN §5): the three levels, their order, the mix, the filter and the slugs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csptoolkit.domain.confidence import (
    EVIDENCED,
    LEVELS,
    PEER_VALIDATED,
    SELF_ASSESSED,
    SLUGS,
    Confidence,
    accepted,
    at_least,
    confidence,
    mix,
    parse_confidence,
)


@pytest.mark.parametrize(("has_evidence", "peer_validated", "expected"), [
    (False, False, SELF_ASSESSED),
    (True, False, EVIDENCED),
    (False, True, PEER_VALIDATED),  # a champion agreed it (or set it in moderation) without evidence
    (True, True, PEER_VALIDATED),
])
def test_the_three_levels(has_evidence: bool, peer_validated: bool, expected: Confidence) -> None:
    assert confidence(has_evidence, peer_validated) is expected


def test_ordering() -> None:
    assert SELF_ASSESSED < EVIDENCED < PEER_VALIDATED
    assert PEER_VALIDATED > EVIDENCED >= EVIDENCED > SELF_ASSESSED
    assert sorted([PEER_VALIDATED, SELF_ASSESSED, EVIDENCED]) == list(LEVELS)
    assert min(LEVELS) is SELF_ASSESSED and max(LEVELS) is PEER_VALIDATED
    with pytest.raises(TypeError):
        assert SELF_ASSESSED < 1  # type: ignore[operator]


def test_at_least() -> None:
    assert at_least(PEER_VALIDATED, PEER_VALIDATED)
    assert not at_least(EVIDENCED, PEER_VALIDATED)
    assert at_least(EVIDENCED, EVIDENCED) and at_least(EVIDENCED, SELF_ASSESSED)
    assert not at_least(SELF_ASSESSED, EVIDENCED)
    assert all(at_least(level, None) for level in LEVELS)  # no filter


def test_mix_counts_every_level() -> None:
    assert mix([]) == {SELF_ASSESSED: 0, EVIDENCED: 0, PEER_VALIDATED: 0}
    assert mix([EVIDENCED, PEER_VALIDATED, EVIDENCED]) == {SELF_ASSESSED: 0, EVIDENCED: 2, PEER_VALIDATED: 1}
    assert list(mix([PEER_VALIDATED])) == list(LEVELS)  # lowest first, whatever came in


@given(st.lists(st.sampled_from(list(Confidence))))
def test_mix_totals(levels: list[Confidence]) -> None:
    counts = mix(levels)
    assert set(counts) == set(Confidence) and sum(counts.values()) == len(levels)
    assert all(counts[level] == levels.count(level) for level in Confidence)


def test_accepted_keeps_only_answers_at_or_above_the_lowest() -> None:
    answers = {"a": 3, "b": 1, "c": "na", "d": 4}
    levels = {"a": PEER_VALIDATED, "b": EVIDENCED, "c": SELF_ASSESSED}  # d has none: self-assessed
    assert accepted(answers, levels, PEER_VALIDATED) == {"a": 3}
    assert accepted(answers, levels, EVIDENCED) == {"a": 3, "b": 1}
    assert accepted(answers, levels, SELF_ASSESSED) == answers
    assert accepted(answers, levels, None) == answers


@pytest.mark.parametrize(("slug", "expected"), [
    ("self-assessed", SELF_ASSESSED), ("evidenced", EVIDENCED), ("peer-validated", PEER_VALIDATED)])
def test_slugs(slug: str, expected: Confidence) -> None:
    assert parse_confidence(slug) is expected
    assert expected.value == slug
    assert slug in SLUGS


@pytest.mark.parametrize("slug", ["", "peer_validated", "Evidenced", "validated", " evidenced", "EVIDENCED"])
def test_a_bad_slug_is_refused(slug: str) -> None:
    with pytest.raises(ValueError, match="unknown confidence"):
        parse_confidence(slug)
