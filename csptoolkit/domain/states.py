"""The states of an assessment and the one table of the changes allowed between them (DESIGN §5).

Every change of state anywhere in the toolkit asks `transition()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .roles import ADMIN, CHAMPION, EDITOR

DRAFT, SUBMITTED, IN_REVIEW, MODERATED, PUBLISHED, RETURNED = (
    "draft", "submitted", "in_review", "moderated", "published", "returned")
STATES = (DRAFT, SUBMITTED, IN_REVIEW, MODERATED, PUBLISHED, RETURNED)
EDITABLE_STATES = (DRAFT, RETURNED)  # only these can the authority change
COUNTED_STATES = (SUBMITTED, IN_REVIEW, MODERATED, PUBLISHED)  # benchmarks never count drafts or returns
MODERATED_STATES = (MODERATED, PUBLISHED)  # moderated scores are final from here on


@dataclass(frozen=True)
class Transition:
    action: str  # the audit log's name for it, and how callers ask for it
    source: tuple[str, ...]
    target: str
    roles: tuple[str, ...]  # who may make it


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", (DRAFT, RETURNED), SUBMITTED, (EDITOR,)),
    Transition("assign", (SUBMITTED, IN_REVIEW), IN_REVIEW, (ADMIN,)),
    Transition("return", (SUBMITTED, IN_REVIEW), RETURNED, (ADMIN,)),
    # A returned assessment resubmitted with its champions still assigned: their review goes on.
    Transition("resume", (SUBMITTED,), IN_REVIEW, (ADMIN,)),
    Transition("moderate", (IN_REVIEW,), MODERATED, (CHAMPION,)),
    Transition("publish", (MODERATED,), PUBLISHED, (ADMIN,)),
)
_BY_ACTION = {t.action: t for t in TRANSITIONS}


class IllegalTransition(Exception):
    """The change asked for is not allowed from this state, or not for this role; the message says which."""

    def __init__(self, action: str, state: str, role: str | None, reason: str) -> None:
        super().__init__(f"cannot {action} an assessment that is {state}: {reason}")
        self.action, self.state, self.role, self.reason = action, state, role, reason


def transition(action: str, state: str, role: str | None) -> str:
    """The state after `action` from `state` by someone of `role`; IllegalTransition when not allowed."""
    rule = _BY_ACTION.get(action)
    if rule is None:
        raise IllegalTransition(action, state, role, "no such change")
    if state not in rule.source:
        raise IllegalTransition(action, state, role, "not allowed from this state")
    if role not in rule.roles:
        raise IllegalTransition(action, state, role, "not allowed for this role")
    return rule.target


def allowed(state: str, role: str | None) -> tuple[str, ...]:
    """The actions someone of `role` may take on an assessment in `state`."""
    return tuple(t.action for t in TRANSITIONS if state in t.source and role in t.roles)


def editable(state: str) -> bool:
    return state in EDITABLE_STATES
