"""An assessment's peer review as the API reads it: who may read it, its findings, its two sets of scores.

The review itself (champions, sample, findings, comments, confidence) is services/moderation.review_of; this adds
the access rule of the API, what each reader is shown of the champions, and the self-assessed and moderated scores
with their gaps (moderated: the stored moderated answers once moderation is complete, else the answers as the
findings leave them so far).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..domain import moderation as rules
from ..domain import scoring
from ..domain.roles import ADMIN
from ..domain.standards import Framework
from ..domain.states import DRAFT
from ..models import Assessment, Cycle, User
from .assessments import answer_views
from .catalogue import viewable_assessment
from .moderation import Review, review_of
from .scores import score_answers

__all__ = ["AssessmentReview", "ChampionName", "FindingRow", "NotSubmitted", "assessment_review"]


class NotSubmitted(LookupError):
    """The assessment is a draft: it has never been submitted, so there is no review of it to read."""


@dataclass(frozen=True)
class ChampionName:
    name: str
    email: str | None  # programme admins only


@dataclass(frozen=True)
class FindingRow:
    """A criterion that is in a champion's evidence sample or has a finding (None: sampled, no finding yet)."""

    criterion_id: str
    sampled: bool
    finding: rules.Finding | None


@dataclass(frozen=True)
class AssessmentReview:
    assessment: Assessment
    framework: Framework
    review: Review
    champions: tuple[ChampionName, ...]
    findings: tuple[FindingRow, ...]  # in framework order
    comments: dict[str, str]  # by standard id, in framework order
    own: scoring.Result  # the self-assessed answers' scores
    moderated: scoring.Result  # the moderated answers' (as moderation stands until it is complete)

    def gaps(self) -> list[rules.Gap]:
        """Overall, each domain and each standard: self, moderated and the gap, as people read them."""
        return rules.gaps(scoring.score_keys(self.framework), self.own, self.moderated)


def assessment_review(session: Session, user: User, cycle: Cycle, code: str) -> AssessmentReview:
    """The review of authority `code`'s assessment in `cycle`, for `user`.

    NotAllowed when there is no such assessment or `user` may not read it (programme admins any, a champion those
    assigned to them, an authority's users their own: the rule of the assessment's scores); NotSubmitted for a
    draft, which has no review. A submitted assessment with no champion assigned yet has a review with no
    champions and no findings, whose moderated answers are the self-assessed ones.
    """
    assessment = viewable_assessment(session, user, cycle, code)
    if assessment.state == DRAFT:
        raise NotSubmitted(code)
    version = cycle.framework_version
    framework = version.rules()
    review = review_of(session, assessment, answer_views(session, assessment))
    champions = tuple(ChampionName(c.name, c.email if user.role == ADMIN else None) for c in review.champions)
    sampled = set(review.sample)
    findings = tuple(FindingRow(c.id, c.id in sampled,
                                review.findings[c.id].finding if c.id in review.findings else None)
                     for c in framework.criteria if c.id in sampled or c.id in review.findings)
    comments = {s.id: review.comments[s.id] for s in framework.standards if s.id in review.comments}
    own, moderated = score_answers(version, review.answers), score_answers(version, review.moderated)
    return AssessmentReview(assessment, framework, review, champions, findings, comments, own, moderated)
