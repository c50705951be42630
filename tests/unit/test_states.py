"""The one table of an assessment's state changes (DESIGN §5): every change allowed, and every other one refused."""

from __future__ import annotations

import itertools

import pytest

from csptoolkit.domain import roles, states
from csptoolkit.domain.states import IllegalTransition, allowed, transition

# DESIGN §5, written out by hand: (action, from, role) -> to. Anything not here must be refused.
ALLOWED = {
    ("submit", states.DRAFT, roles.EDITOR): states.SUBMITTED,
    ("submit", states.RETURNED, roles.EDITOR): states.SUBMITTED,
    ("assign", states.SUBMITTED, roles.ADMIN): states.IN_REVIEW,
    ("assign", states.IN_REVIEW, roles.ADMIN): states.IN_REVIEW,
    ("return", states.SUBMITTED, roles.ADMIN): states.RETURNED,
    ("return", states.IN_REVIEW, roles.ADMIN): states.RETURNED,
    ("resume", states.SUBMITTED, roles.ADMIN): states.IN_REVIEW,  # resubmitted with champions still assigned
    ("moderate", states.IN_REVIEW, roles.CHAMPION): states.MODERATED,
    ("publish", states.MODERATED, roles.ADMIN): states.PUBLISHED,
}
ACTIONS = ("submit", "assign", "return", "resume", "moderate", "publish")


@pytest.mark.parametrize(("action", "state", "role"), list(itertools.product(ACTIONS, states.STATES, roles.ROLES)))
def test_every_change_is_allowed_exactly_where_design_says(action: str, state: str, role: str) -> None:
    expected = ALLOWED.get((action, state, role))
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            transition(action, state, role)
        assert state in str(refused.value) and action in str(refused.value)  # the message says what and from where
    else:
        assert transition(action, state, role) == expected


def test_an_unknown_change_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="no such change"):
        transition("approve", states.SUBMITTED, roles.ADMIN)


def test_the_actions_offered_are_the_ones_allowed() -> None:
    assert allowed(states.DRAFT, roles.EDITOR) == ("submit",)
    assert allowed(states.SUBMITTED, roles.ADMIN) == ("assign", "return", "resume")
    assert allowed(states.SUBMITTED, roles.EDITOR) == ()
    assert allowed(states.PUBLISHED, roles.ADMIN) == ()


def test_only_draft_and_returned_are_editable_and_drafts_never_count() -> None:
    assert {s for s in states.STATES if states.editable(s)} == {states.DRAFT, states.RETURNED}
    assert not set(states.COUNTED_STATES) & {states.DRAFT, states.RETURNED}
