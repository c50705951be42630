"""What-if on an assessment's plan: its answers on the plan's basis and its peers' stored scores, into domain/whatif.

Who may use it is the plan's rule: the authority's editors and viewers, and programme admins; anyone else (a
champion, another authority) is NotAllowed, never told the assessment exists. Only the authority's editors may
make the targets the plan's own (through services/plans).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..domain import scoring, whatif
from ..domain import standards as standards_rules
from ..models import Assessment, Cycle, Organisation, User
from .assessments import NotAllowed, answer_views
from .benchmarks import cycle_scores, default_kind, peer_group, policy_for
from .plans import may_edit_plan, may_read_plan
from .scores import MODERATED, SELF, answers_of, is_moderated, score_answers

__all__ = ["NotAllowed", "PEER_BASIS", "TargetError", "WhatIfView", "may_edit", "may_read", "subject", "what_if"]

TargetError = whatif.TargetError
PEER_BASIS = "best"
"""The peers' stored scores: moderated where moderated, else self-assessed, which is the plan's own basis."""


may_read = may_read_plan  # the plan's readers and editors: one rule, services/plans
may_edit = may_edit_plan


def subject(session: Session, user: User, assessment_id: int) -> Assessment:
    """The assessment, with its cycle, version and authority (and the authority's neighbours), if `user` may read
    its plan; otherwise NotAllowed."""
    assessment = session.execute(
        select(Assessment).where(Assessment.id == assessment_id).options(
            joinedload(Assessment.cycle).joinedload(Cycle.framework_version),
            joinedload(Assessment.organisation).selectinload(Organisation.neighbours))
    ).scalar_one_or_none()
    if assessment is None or not may_read(user, assessment):
        raise NotAllowed
    return assessment


def as_stored(exact: Fraction) -> float:
    """A score in the form stored scores have (services/scores.score_rows stores round(float(exact), 4)), so that a
    what-if that changes nothing puts the authority exactly where the benchmark page does."""
    return round(float(exact), 4)


@dataclass
class WhatIfView:
    assessment: Assessment
    framework: standards_rules.Framework
    basis: str  # the answers the plan uses: "moderated" where moderated, else "self"
    answers: dict[str, scoring.Answer]  # the current answers on that basis
    result: whatif.WhatIf
    group_kind: str | None  # the group the standings are in (statistical neighbours in England), None if none
    group_size: int
    threshold: int
    editable: bool  # whether this user may make these the plan's targets


def what_if(session: Session, user: User, assessment: Assessment, targets: Mapping[str, Any],
            threshold: int) -> WhatIfView:
    """The what-if of `targets` (criterion id -> level; raw values are checked: TargetError) on an assessment the
    caller got from subject(): scores now and with the targets, and standings in the authority's default group.

    Queries: the answers (two, once per change of the assessment), the cycle's scores version (one per
    transaction) and, once per scores version and
    process, the cycle's stored scores; none per target, criterion or peer.
    """
    version = assessment.cycle.framework_version
    framework = version.rules()
    checked = whatif.check_targets(framework, targets)
    rows = answer_views(session, assessment)  # kept under the assessment's stamp (services/kept.py)
    basis = MODERATED if is_moderated(rows) else SELF
    answers = answers_of(rows, basis)
    organisation = assessment.organisation
    kind = default_kind(organisation)
    group = peer_group(session, organisation, kind, user)
    scores = cycle_scores(session, assessment.cycle, PEER_BASIS, group.members)
    result = whatif.what_if(
        framework, answers, checked, own=organisation.id, members=group.members, scores=scores,
        policy=policy_for(group, threshold, user), keys=scoring.score_keys(framework, standards=False),
        as_value=as_stored, scorer=lambda given: score_answers(version, dict(given)))
    return WhatIfView(assessment, framework, basis, answers, result, kind, len(group.members), threshold,
                      may_edit(user, assessment))
