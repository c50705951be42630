"""Assigning champions to submitted assessments and returning them, through the services and the command line."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AuditEvent, Cycle, Organisation, ReviewAssignment, User
from csptoolkit.models.organisation import ENGLAND
from csptoolkit.services import benchmarks, reviews
from csptoolkit.services.accounts import create_user
from csptoolkit.services.assessments import can_edit, submit
from csptoolkit.services.transaction import unit_of_work


def _submitted_2011() -> Assessment:
    """An English authority's submitted 2011 assessment nobody reviews yet (the demo data has many)."""
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    return db.session.execute(
        select(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Assessment.cycle_id == cycle.id, Assessment.state == states.SUBMITTED, Organisation.nation == ENGLAND,
               ~Assessment.id.in_(select(ReviewAssignment.assessment_id)))
        .order_by(Organisation.code)).scalars().first()


def _admin() -> User:
    return db.session.execute(select(User).filter_by(email="admin@csptoolkit.example")).scalar_one()


def _champion(email: str, org_code: str | None = None) -> User:
    with unit_of_work(db.session):
        return create_user(db.session, email, "champion", "a long enough password", organisation_code=org_code)


def _events(assessment: Assessment, action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).filter_by(assessment_id=assessment.id, action=action)).scalars())


def test_assigning_a_champion_puts_the_assessment_in_review_and_logs_it(seeded_app: Flask) -> None:
    assessment = _submitted_2011()
    champion = db.session.execute(select(User).filter_by(email="champion@csptoolkit.example")).scalar_one()
    reviews.assign(db.session, _admin(), assessment, champion)
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW
    assert [c.email for c in reviews.champions_of(db.session, assessment)] == ["champion@csptoolkit.example"]
    assert _events(assessment, "review.assigned")[0].new_value == {
        "value": {"state": "in_review", "champion": "champion@csptoolkit.example"}}
    second = _champion("second@champions.example")
    reviews.assign(db.session, _admin(), assessment, second)  # a second champion, still in review
    with pytest.raises(reviews.ReviewRefused, match="already assigned"):
        reviews.assign(db.session, _admin(), assessment, second)


def test_a_champion_from_the_authority_itself_is_refused(seeded_app: Flask) -> None:
    assessment = _submitted_2011()
    own = _champion("own@champions.example", assessment.organisation.code)
    with pytest.raises(reviews.ReviewRefused, match="may not review their own authority"):
        reviews.assign(db.session, _admin(), assessment, own)
    db.session.expire_all()
    assert assessment.state == states.SUBMITTED and not _events(assessment, "review.assigned")


def test_a_champion_from_a_statistical_neighbour_needs_confirming(seeded_app: Flask) -> None:
    assessment = _submitted_2011()
    neighbour = assessment.organisation.neighbours[0].neighbour
    champion = _champion("neighbour@champions.example", neighbour.code)
    with pytest.raises(reviews.NeedsConfirming, match="statistical neighbours"):
        reviews.assign(db.session, _admin(), assessment, champion)
    db.session.expire_all()
    assert assessment.state == states.SUBMITTED
    reviews.assign(db.session, _admin(), assessment, champion, confirm_neighbour=True)
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW


def test_only_submitted_assessments_and_only_champions_can_be_assigned(seeded_app: Flask) -> None:
    leeds = db.session.execute(select(Organisation).filter_by(code="383")).scalar_one()
    draft = db.session.execute(select(Assessment).join(Cycle).where(
        Assessment.organisation_id == leeds.id, Cycle.slug == "2011")).scalar_one()
    assert draft.state == states.DRAFT
    champion = _champion("c@champions.example")
    with pytest.raises(reviews.ReviewRefused, match="it is draft"):
        reviews.assign(db.session, _admin(), draft, champion)
    viewer = db.session.execute(select(User).filter_by(email="viewer@camden.example")).scalar_one()
    with pytest.raises(reviews.ReviewRefused, match="not an active commissioning champion"):
        reviews.assign(db.session, _admin(), _submitted_2011(), viewer)
    with pytest.raises(reviews.ReviewRefused, match="not allowed for this role"):
        reviews.assign(db.session, viewer, _submitted_2011(), champion)


def test_a_returned_assessment_is_editable_again_stops_counting_and_is_resubmitted(seeded_app: Flask) -> None:
    assessment = _submitted_2011()
    cycle, organisation_id = assessment.cycle, assessment.organisation_id
    assert organisation_id in benchmarks.cycle_scores(db.session, cycle, "self")
    with pytest.raises(reviews.ReviewRefused, match="Say why"):
        reviews.return_to_authority(db.session, _admin(), assessment, "  ")
    reviews.return_to_authority(db.session, _admin(), assessment, "The evidence for P2 is missing.")
    db.session.expire_all()
    assert assessment.state == states.RETURNED
    assert _events(assessment, "assessment.returned")[0].new_value["value"]["reason"] == (
        "The evidence for P2 is missing.")
    assert organisation_id not in benchmarks.cycle_scores(db.session, cycle, "self")  # kept reads were renewed
    editor = _authority_editor(assessment)
    assert can_edit(editor, assessment)
    submit(db.session, editor, assessment)  # through the same journey's service
    db.session.expire_all()
    assert assessment.state == states.SUBMITTED
    assert organisation_id in benchmarks.cycle_scores(db.session, cycle, "self")


def _authority_editor(assessment: Assessment) -> User:
    with unit_of_work(db.session):
        return create_user(db.session, f"editor-{assessment.organisation.code}@example.org", "editor",
                           "a long enough password", organisation_code=assessment.organisation.code)


def test_the_command_line_assigns_and_refuses_with_the_reason(seeded_app: Flask) -> None:
    assessment = _submitted_2011()
    code = assessment.organisation.code
    runner = seeded_app.test_cli_runner()
    _champion("own@champions.example", code)
    refused = runner.invoke(args=["reviews", "assign", "--cycle", "2011", "--org", code,
                                  "--champion", "own@champions.example"])
    assert refused.exit_code == 1 and "may not review their own authority" in refused.output
    assigned = runner.invoke(args=["reviews", "assign", "--cycle", "2011", "--org", code,
                                   "--champion", "champion@csptoolkit.example"])
    assert assigned.exit_code == 0, assigned.output
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW
    missing = runner.invoke(args=["reviews", "assign", "--cycle", "2011", "--org", "999",
                                  "--champion", "champion@csptoolkit.example"])
    assert missing.exit_code == 1 and "no assessment of 999" in missing.output
    returned = runner.invoke(args=["reviews", "return", "--cycle", "2011", "--org", code, "--reason", "Incomplete"])
    assert returned.exit_code == 0, returned.output
    db.session.expire_all()
    assert assessment.state == states.RETURNED


def test_the_evidence_sample_is_drawn_when_assigned_and_can_be_drawn_again(seeded_app: Flask) -> None:
    from csptoolkit.domain import sampling
    from csptoolkit.services.scores import answers_of

    assessment = _submitted_2011()
    champion = db.session.execute(select(User).filter_by(email="champion@csptoolkit.example")).scalar_one()
    assignment = reviews.assign(db.session, _admin(), assessment, champion)
    db.session.expire_all()
    assignment = db.session.get(ReviewAssignment, assignment.id)
    assert assignment.seed == f"{assessment.id}:{assignment.id}"
    framework = assessment.cycle.framework_version.rules()
    answers = answers_of(assessment)
    rated = sampling.rated_criteria(framework, answers)
    assert assignment.sample == list(sampling.draw_sample(framework, answers, assignment.seed))  # reproducible
    assert set(sampling.mandatory_inclusions(framework, answers)) <= set(assignment.sample) <= set(rated)
    assert len(assignment.sample) >= sampling.sample_size(len(rated))


def test_the_demo_reviews_have_their_samples(seeded_app: Flask) -> None:
    kept = db.session.execute(select(ReviewAssignment)).scalars().all()
    assert kept and all(a.seed and a.sample for a in kept)


def _mail(app: Flask) -> list[str]:
    from pathlib import Path

    folder = Path(app.config["MAIL_PATH"])
    return sorted(p.read_bytes().decode("utf-8") for p in folder.glob("*.eml")) if folder.exists() else []


def test_the_champion_hears_of_an_assignment_in_their_language_and_nobody_of_a_refusal(seeded_app: Flask) -> None:
    assessment = _submitted_2011()
    own = _champion("own@champions.example", assessment.organisation.code)
    with pytest.raises(reviews.ReviewRefused):
        reviews.assign(db.session, _admin(), assessment, own)
    assert _mail(seeded_app) == []  # a refused (rolled back) assignment tells no one
    welsh = _champion("cymraeg@champions.example")
    welsh.locale = "cy"
    db.session.commit()
    reviews.assign(db.session, _admin(), assessment, welsh)
    (message,) = _mail(seeded_app)
    assert "To: cymraeg@champions.example" in message
    assert f"Subject: Gofynnwyd i chi adolygu {assessment.organisation.name}" in message


def test_the_authoritys_editors_hear_why_it_was_returned(seeded_app: Flask) -> None:
    assessment = _submitted_2011()
    editor = _authority_editor(assessment)
    reviews.return_to_authority(db.session, _admin(), assessment, "P2 has no evidence.")
    (message,) = _mail(seeded_app)
    assert f"To: {editor.email}" in message and "P2 has no evidence." in message
    assert "Subject: Your self-assessment has been returned to you" in message
