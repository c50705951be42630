"""What a review is, read as plain values (champions and samples, findings, comments, what is outstanding, the
confidence of each answer), who may open and change it, and the revisions that stop one person overwriting another.

services/moderation.py changes a review; pages, exports and the API read it through `review_of`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import confidence as confidence_rules
from ..domain import moderation as rules
from ..domain.roles import ADMIN, CHAMPION, EDITOR
from ..domain.states import IN_REVIEW
from ..models import Assessment, Criterion, ReviewAssignment, ReviewComment, ReviewFinding, User
from .assessments import NotAllowed, answer_views, has_evidence, with_cycle
from .kept import kept
from .scores import MODERATED, SELF, answers_of, finding_of, is_moderated
from .transaction import reads


class ReviewConflict(Exception):
    """Someone else changed these findings or responses after the page was shown: nothing was saved."""


def revision(findings: Iterable[rules.Finding], comment: str | None = None) -> str:
    """A short fingerprint of findings (and a standard's comment) as a page shows them: a page carries it, and a
    save is refused (ReviewConflict) when what is stored no longer matches, so no one overwrites another silently."""
    parts = sorted((f.criterion_id, f.outcome, f.proposed_level, f.reason, f.response, f.response_note,
                    f.moderated_level) for f in findings)
    return hashlib.sha256(repr((parts, comment or "")).encode()).hexdigest()[:16]


def standard_revision(review: Review, framework, standard_key: str) -> str:
    """The revision of one standard's findings and comment in a review as read."""
    ids = {c.id for c in framework.standard(standard_key).criteria}
    return revision([v.finding for cid, v in review.findings.items() if cid in ids], review.comments.get(standard_key))


def responses_revision(review: Review) -> str:
    """The revision of every finding of a review (what the authority's page answers)."""
    return revision(v.finding for v in review.findings.values())


# ----------------------------------------------------------------------------------------------------------
# Reading: the whole review of an assessment as plain values


@dataclass(frozen=True)
class ChampionView:
    id: int
    name: str
    email: str
    state: str  # the assignment's: assigned | in_progress | completed
    sample: tuple[str, ...]


@dataclass(frozen=True)
class FindingView:
    """A finding as pages, exports and the API show it: the rules' Finding and who did what when."""

    finding: rules.Finding
    champion: str | None
    responded_by: str | None
    responded_at: datetime | None
    updated_at: datetime | None

    def __getattr__(self, name: str):  # outcome, proposed_level, reason, response, ... of the finding
        return getattr(self.finding, name)


@dataclass(frozen=True)
class Review:
    assessment_id: int
    state: str
    champions: tuple[ChampionView, ...]
    sample: tuple[str, ...]  # every assigned champion's sample together, in framework order
    findings: dict[str, FindingView]
    comments: dict[str, str]  # by standard id
    outstanding: rules.Outstanding
    confidence: dict[str, confidence_rules.Confidence]  # of every answer, by criterion id
    answers: dict[str, object] = field(default_factory=dict)  # self-assessed, by criterion id
    moderated: dict[str, object] = field(default_factory=dict)  # after moderation (or as it stands so far)

    @property
    def mix(self) -> dict[confidence_rules.Confidence, int]:
        return confidence_rules.mix(self.confidence.values())

    @property
    def counts(self) -> dict[str, int]:
        """How many findings of each outcome: "agreed", "challenged", "requested" (what the pages show)."""
        by_outcome = {outcome: 0 for outcome in rules.OUTCOMES}
        for view in self.findings.values():
            by_outcome[view.outcome] += 1
        return {"agreed": by_outcome[rules.AGREE], "challenged": by_outcome[rules.CHALLENGE],
                "requested": by_outcome[rules.EVIDENCE_REQUESTED]}

    def rules_findings(self) -> dict[str, rules.Finding]:
        return {cid: view.finding for cid, view in self.findings.items()}

    def champion_ids(self) -> frozenset[int]:
        return frozenset(c.id for c in self.champions)


def review_of(session: Session, assessment: Assessment, rows=None) -> Review:
    """The assessment's review: champions and samples, findings, comments, what is outstanding and the confidence
    of each answer; four queries (and the answers' two when the page has not read them), once per change of the
    assessment (kept under its stamp: services/kept.py). The result is shared: read it, never change it."""
    return kept(session, assessment, "review", lambda: _review_of(session, assessment, rows))


def _review_of(session: Session, assessment: Assessment, rows) -> Review:
    framework = assessment.cycle.framework_version.rules()
    rows = answer_views(session, assessment) if rows is None else rows
    champions = tuple(
        ChampionView(user.id, user.name, user.email, assignment.state, tuple(assignment.sample or ()))
        for user, assignment in session.execute(
            select(User, ReviewAssignment).join(ReviewAssignment, ReviewAssignment.champion_id == User.id)
            .where(ReviewAssignment.assessment_id == assessment.id).order_by(User.name)))
    names: dict[int, str] = {}
    found = session.execute(
        select(ReviewFinding, Criterion.key).join(Criterion, Criterion.id == ReviewFinding.criterion_id)
        .where(ReviewFinding.assessment_id == assessment.id)).all()
    people = {i for f, _ in found for i in (f.champion_id, f.responded_by_id) if i}
    if people:
        names = dict(session.execute(select(User.id, User.name).where(User.id.in_(people))).all())
    findings = {key: FindingView(_as_rule(key, f), names.get(f.champion_id), names.get(f.responded_by_id),
                                 f.responded_at, f.updated_at) for f, key in found}
    comments = dict(session.execute(select(ReviewComment.standard_key, ReviewComment.text)
                                    .where(ReviewComment.assessment_id == assessment.id)).all())
    answers = answers_of(rows, SELF)
    plain = {cid: view.finding for cid, view in findings.items()}
    chosen = set().union(*(c.sample for c in champions)) if champions else set()
    sample = tuple(c.id for c in framework.criteria if c.id in chosen)
    moderated = answers_of(rows, MODERATED) if is_moderated(rows) else rules.moderated_answers(answers, plain)
    return Review(assessment.id, assessment.state, champions, sample, findings, comments,
                  rules.outstanding(framework, answers, sample, plain),
                  rules.confidences(answers, has_evidence(rows), rules.peer_validated(plain)), answers, moderated)


_as_rule = finding_of  # a stored finding as the rules take it


# ----------------------------------------------------------------------------------------------------------
# Who may open what


def assigned(session: Session, user: User, assessment: Assessment) -> ReviewAssignment | None:
    """The champion's assignment to the assessment (None for anyone else), read once per transaction: a page
    asks whether it may show the review, then whether it may offer the form."""
    if user.role != CHAMPION:
        return None
    cache = reads(session)
    key = ("assignment", user.id, assessment.id)
    if key not in cache:
        cache[key] = session.execute(select(ReviewAssignment).filter_by(
            assessment_id=assessment.id, champion_id=user.id)).scalar_one_or_none()
    return cache[key]


def reviewable(session: Session, user: User, assessment_id: int) -> Assessment:
    """An assessment whose review this user may read: its assigned champions, and programme admins. NotAllowed
    for anyone else, and for an assessment that does not exist (never a hint that it does)."""
    assessment = session.execute(select(Assessment).where(Assessment.id == assessment_id)
                                 .options(*with_cycle())).scalar_one_or_none()
    if assessment is None:
        raise NotAllowed
    if user.role == ADMIN and session.execute(select(ReviewAssignment.id).filter_by(
            assessment_id=assessment.id)).first() is not None:
        return assessment
    if assigned(session, user, assessment) is None:
        raise NotAllowed
    return assessment


def may_review(user: User, assessment: Assessment, assignment: ReviewAssignment | None) -> bool:
    """Whether the user may record findings now: an assigned champion, while the assessment is in review."""
    return assignment is not None and user.role == CHAMPION and assessment.state == IN_REVIEW


def may_respond(user: User, assessment: Assessment) -> bool:
    """Whether the user may answer the review: an editor of the authority, while the assessment is in review."""
    return user.role == EDITOR and user.organisation_id == assessment.organisation_id and \
        assessment.state == IN_REVIEW
