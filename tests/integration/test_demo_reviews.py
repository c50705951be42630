"""The demo's reviews look like real ones: the demo champion has a review at every stage, returned assessments say
why, and every moderated assessment was moderated by the rules (DESIGN §5)."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import select

from csptoolkit.domain import moderation as rules
from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import (
    Answer,
    Assessment,
    AssessmentScore,
    AuditEvent,
    Criterion,
    Cycle,
    Organisation,
    ReviewAssignment,
    ReviewComment,
    ReviewFinding,
    StatisticalNeighbour,
    User,
)
from csptoolkit.services import moderation
from csptoolkit.services.scores import SELF, answers_of

CHAMPION, SECOND = "champion@csptoolkit.example", "champion2@csptoolkit.example"


def _user(email: str) -> User:
    return db.session.execute(select(User).filter_by(email=email)).scalar_one()


def _stage(assessment: Assessment, review: moderation.Review) -> str:
    """Where a review stands, as a newcomer would tell it from the review."""
    if assessment.state != states.IN_REVIEW:
        return assessment.state
    left = review.outstanding
    if not review.findings:
        return "not started"
    if left.no_finding or left.awaiting_response:
        return "awaiting the authority"
    return "awaiting a level" if left.awaiting_level else "ready to complete"


def _reviews_of(email: str, slug: str) -> dict[str, list[tuple[Assessment, moderation.Review]]]:
    by_stage: dict[str, list] = {}
    for assessment in db.session.execute(
            select(Assessment).join(ReviewAssignment, ReviewAssignment.assessment_id == Assessment.id)
            .join(Cycle, Cycle.id == Assessment.cycle_id)
            .where(ReviewAssignment.champion_id == _user(email).id, Cycle.slug == slug)).scalars():
        review = moderation.review_of(db.session, assessment)
        by_stage.setdefault(_stage(assessment, review), []).append((assessment, review))
    return by_stage


def test_the_demo_champion_has_reviews_at_every_stage(seeded_app: Flask) -> None:
    reviews = _reviews_of(CHAMPION, "2011")
    for wanted in ("not started", "awaiting the authority", "awaiting a level", states.MODERATED,
                   states.PUBLISHED):
        assert len(reviews.get(wanted, [])) >= 3, (wanted, {k: len(v) for k, v in reviews.items()})
    champion = _user(CHAMPION)
    for _, review in reviews["not started"]:
        (mine,) = [c for c in review.champions if c.id == champion.id]
        assert mine.state == "assigned" and mine.sample and not review.comments
    raised = Counter()
    for _, review in reviews["awaiting the authority"]:
        outcomes = {f.outcome for f in review.findings.values()}
        assert rules.AGREE in outcomes and rules.CHALLENGE in outcomes
        assert all(f.response is None for f in review.findings.values())  # nobody has answered yet
        assert review.outstanding.no_finding  # part of the way through the sample
        raised.update(review.findings[cid].outcome for cid in review.outstanding.awaiting_response)
    assert raised[rules.CHALLENGE] and raised[rules.EVIDENCE_REQUESTED]
    answered = Counter()
    for _, review in reviews["awaiting a level"]:
        assert not review.outstanding.no_finding and not review.outstanding.awaiting_response
        for cid in review.outstanding.awaiting_level:
            assert review.findings[cid].response in (rules.KEEP, rules.EVIDENCE_ADDED)
        answered.update(f.response for f in review.findings.values() if f.questioned)
    assert answered[rules.ACCEPT] and answered[rules.KEEP] and answered[rules.EVIDENCE_ADDED]


def test_the_closed_cycle_is_moderated_with_findings_too(seeded_app: Flask) -> None:
    reviews = _reviews_of(CHAMPION, "2010")
    assert len(reviews.get(states.MODERATED, [])) >= 3 and len(reviews.get(states.PUBLISHED, [])) >= 3
    assert set(reviews) <= {states.MODERATED, states.PUBLISHED}
    assert all(review.findings for group in reviews.values() for _, review in group)


def test_returned_assessments_say_why(seeded_app: Flask) -> None:
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    returned = db.session.execute(select(Assessment).filter_by(cycle_id=cycle.id, state=states.RETURNED)
                                  ).scalars().all()
    assert len(returned) >= 3
    admin = _user("admin@csptoolkit.example")
    for assessment in returned:
        (event,) = db.session.execute(select(AuditEvent).filter_by(assessment_id=assessment.id,
                                                                   action="assessment.returned")).scalars()
        assert event.user_id == admin.id and event.old_value == {"value": {"state": states.SUBMITTED}}
        assert event.new_value["value"]["state"] == states.RETURNED
        assert len(event.new_value["value"]["reason"]) > 40
        assert assessment.submitted_at is not None


def test_every_moderated_assessment_was_moderated_by_the_rules(seeded_app: Flask) -> None:
    moderated = db.session.execute(select(Assessment).where(Assessment.state.in_(states.MODERATED_STATES))
                                   ).scalars().all()
    assert len(moderated) > 100
    for assessment in moderated:
        review = moderation.review_of(db.session, assessment)
        assert review.findings and not review.outstanding, (assessment.id, review.outstanding)
        assert {c.state for c in review.champions} == {"completed"}
        assert review.comments  # on some standards
        findings = review.rules_findings()
        own = answers_of(assessment, SELF)
        expected = rules.moderated_answers(own, findings)
        for answer in assessment.answers:
            stored = rules.NA if answer.moderated_not_applicable else answer.moderated_level
            assert stored == expected.get(answer.key), (assessment.id, answer.key)
            # Said again without the rule: the champion's level where one was set, else the authority's own.
            finding = findings.get(answer.key)
            if finding is not None and finding.moderated_level is not None:
                assert stored == finding.moderated_level
            elif answer.key in own:
                assert stored == own[answer.key]
            else:
                assert stored is None


def test_moderation_moved_some_levels_and_validated_the_agreed_ones(seeded_app: Flask) -> None:
    changed = db.session.execute(select(Answer.id).where(
        Answer.moderated_level.is_not(None), Answer.level.is_not(None),
        Answer.moderated_level != Answer.level)).all()
    assert len(changed) > 100  # a challenge upheld moves a level, on some of the criteria of most assessments
    # Peer-validated scores exist for the reviewed assessments (agreed and moderated criteria), none for others.
    validated = set(db.session.execute(select(AssessmentScore.assessment_id).where(
        AssessmentScore.confidence == "peer-validated", AssessmentScore.scope == "overall",
        AssessmentScore.score.is_not(None))).scalars())
    reviewed = set(db.session.execute(select(ReviewFinding.assessment_id)).scalars())
    assert validated == reviewed


def test_every_finding_is_one_a_champion_could_record(seeded_app: Flask) -> None:
    rows = db.session.execute(
        select(ReviewFinding, Criterion.key, Answer.level, Answer.not_applicable)
        .join(Criterion, Criterion.id == ReviewFinding.criterion_id)
        .join(Answer, (Answer.assessment_id == ReviewFinding.assessment_id)
              & (Answer.criterion_id == ReviewFinding.criterion_id))).all()
    assert len(rows) > 1000
    seen = Counter()
    for finding, key, level, not_applicable in rows:
        assert level is not None and not not_applicable, key  # only a rated criterion gets a finding
        seen[finding.outcome] += 1
        if finding.outcome == rules.CHALLENGE:
            assert finding.proposed_level is not None and finding.proposed_level != level, key
            assert len(finding.reason or "") > 40
        if finding.outcome == rules.EVIDENCE_REQUESTED:
            assert finding.proposed_level is None and len(finding.reason or "") > 40
        if finding.outcome == rules.AGREE:
            assert finding.response is None and finding.moderated_level is None
        if finding.response in (rules.KEEP, rules.EVIDENCE_ADDED):
            assert len(finding.response_note or "") > 30
        if finding.response is not None:
            assert finding.responded_at is not None
        if finding.response == rules.ACCEPT:
            assert finding.moderated_level == finding.proposed_level
    assert seen[rules.AGREE] > seen[rules.CHALLENGE] > seen[rules.EVIDENCE_REQUESTED] > 0
    texts = {f.reason for f, *_ in rows if f.outcome != rules.AGREE}
    comments = set(db.session.execute(select(ReviewComment.text)).scalars())
    assert len(texts) >= 30 and len(comments) >= 10  # chosen from a few dozen texts, not one repeated


def test_a_second_champion_has_a_handful_of_reviews_away_from_her_own_authority(seeded_app: Flask) -> None:
    second = _user(SECOND)
    assert second.role == "champion" and second.organisation_id is not None
    reviewed = db.session.execute(
        select(Assessment.organisation_id, Assessment.state).join(ReviewAssignment)
        .where(ReviewAssignment.champion_id == second.id)).all()
    assert 5 <= len(reviewed) <= 30
    kinds = {state for _, state in reviewed}
    assert states.IN_REVIEW in kinds and kinds & set(states.MODERATED_STATES)
    near = set(db.session.execute(select(StatisticalNeighbour.organisation_id).where(
        StatisticalNeighbour.neighbour_id == second.organisation_id)).scalars())
    assert not {o for o, _ in reviewed} & (near | {second.organisation_id})
    champion = _user(CHAMPION)
    assert db.session.execute(select(ReviewFinding.id).where(ReviewFinding.champion_id == second.id)).first()
    assert not db.session.execute(  # each finding is by the champion assigned
        select(ReviewFinding.id).join(ReviewAssignment, ReviewAssignment.assessment_id == ReviewFinding.assessment_id)
        .where(ReviewFinding.champion_id != ReviewAssignment.champion_id)).first()
    assert champion.id != second.id


def test_the_authorities_the_tests_rely_on_keep_their_states(seeded_app: Flask) -> None:
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    found = dict(db.session.execute(select(Organisation.code, Assessment.state).join(
        Assessment, Assessment.organisation_id == Organisation.id).where(Assessment.cycle_id == cycle.id)).all())
    assert (found["383"], found["681"], found["202"]) == (states.DRAFT, states.SUBMITTED, states.SUBMITTED)
