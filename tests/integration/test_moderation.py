"""The whole review cycle through the services, on the small framework of tests/fixtures/mini-1.yaml, with the
self-assessed and moderated scores and their gaps worked out by hand (DESIGN §4 and §5).

The mini framework: domain a (weight 2) has standards A1 (weight 1: A1.1 weight 1, evidence from level 3; A1.2
weight 2, mandatory at level 2 or above; A1.3 yes/no, N/A allowed) and A2 (weight 3: A2.1; A2.2 asked once A2.1 is
2 or more); domain b (weight 1) has B1 (B1.1, N/A allowed). The scale is 0..4.

The authority answers A1.1 = 3 (with evidence), A1.2 = 2, A1.3 = N/A, A2.1 = 2, A2.2 = 4, B1.1 = 3. By hand:
  A1 = 100 x (1x3 + 2x2) / (1x4 + 2x4) = 700/12 = 58.33 -> 58.3      A2 = 100 x (2 + 4) / 8 = 75.0
  a = (58.33 x 1 + 75 x 3) / 4 = 70.83 -> 70.8                        b = B1 = 100 x 3/4 = 75.0
  overall = (70.83 x 2 + 75 x 1) / 3 = 72.22 -> 72.2
The review: agree A1.1 and A2.1; challenge A1.2 (proposing 1: the authority accepts); challenge A2.2 (proposing 2:
the authority keeps 4 with a reason, the champion moderates to 3); evidence requested on B1.1 (the authority adds
it, the champion keeps 3). Moderated answers A1.1 = 3, A1.2 = 1, A2.1 = 2, A2.2 = 3, B1.1 = 3:
  A1 = 100 x (3 + 2) / 12 = 41.67 -> 41.7 (gated: A1.2 is below its minimum)   A2 = 100 x 5/8 = 62.5
  a = (41.67 + 62.5 x 3) / 4 = 57.29 -> 57.3      b = 75.0      overall = (57.29 x 2 + 75) / 3 = 63.19 -> 63.2
Gaps, moderated minus self as shown: A1 -16.6, A2 -12.5, a -13.5, B1 0.0, b 0.0, overall -9.0.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from csptoolkit.domain import confidence, moderation, states
from csptoolkit.domain.scoring import score
from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, AssessmentScore, AuditEvent, Criterion, Cycle, FrameworkVersion
from csptoolkit.services import moderation as service
from csptoolkit.services import organisations, reviews, standards
from csptoolkit.services.accounts import create_user
from csptoolkit.services.assessments import NotEditable, editable, submit
from csptoolkit.services.scores import MODERATED, SELF, score_of
from csptoolkit.services.transaction import unit_of_work

ROOT = Path(__file__).resolve().parents[2]
SELF_ANSWERS = {"A1.1": 3, "A1.2": 2, "A1.3": "na", "A2.1": 2, "A2.2": 4, "B1.1": 3}
Entry = service.Entry


@pytest.fixture
def world(app: Flask):
    """A submitted mini assessment of Leeds (383), its editor, a programme admin and two champions."""
    with unit_of_work(db.session):
        standards.load(db.session, [ROOT / "tests" / "fixtures" / "mini-1.yaml"])
        organisations.import_register(db.session, ROOT / "csptoolkit" / "data")
        version = db.session.execute(select(FrameworkVersion)).scalars().first()
        today = datetime.now(UTC).date()
        cycle = Cycle(slug="mini", name="Mini cycle", framework_version=version, opens_on=today - timedelta(days=9),
                      closes_on=today + timedelta(days=9))
        db.session.add(cycle)
        admin = create_user(db.session, "admin@programme.example", "admin", "a long enough password")
        editor = create_user(db.session, "editor@leeds.example", "editor", "a long enough password",
                             organisation_code="383")
        champion = create_user(db.session, "champion@champions.example", "champion", "a long enough password",
                               name="Chris Champion")
        other = create_user(db.session, "other@champions.example", "champion", "a long enough password")
        db.session.flush()
        assessment = Assessment(cycle=cycle, organisation_id=editor.organisation_id, state=states.DRAFT)
        criteria = {c.key: c for c in db.session.execute(select(Criterion)).scalars()}
        for key, value in SELF_ANSWERS.items():
            assessment.answers.append(Answer(
                criterion=criteria[key], not_applicable=value == "na", level=None if value == "na" else value,
                evidence_note="The signed section 75 agreement." if key == "A1.1" else None))
        db.session.add(assessment)
    submit(db.session, editor, assessment)
    reviews.assign(db.session, admin, assessment, champion)
    db.session.expire_all()
    return {"assessment": assessment, "admin": admin, "editor": editor, "champion": champion, "other": other}


def _stored(assessment: Assessment, basis: str, confidence_slug: str = "") -> dict[str, Decimal | None]:
    rows = db.session.execute(select(AssessmentScore).filter_by(assessment_id=assessment.id, basis=basis,
                                                                confidence=confidence_slug)).scalars()
    return {("overall" if r.scope == "overall" else r.key): r.score for r in rows if r.scope != "comparable"}


def _review_everything(world) -> None:
    """The champion's findings on every rated criterion (the sample is among them)."""
    a, champion = world["assessment"], world["champion"]
    service.record_findings(db.session, champion, a, "A1", {
        "A1.1": Entry("agree"),
        "A1.2": Entry("challenge", 1, "The pooled budget board has not met since March: the arrangement is not "
                                      "yet established."),
    }, comment="Governance is thinner than the rating suggests.")
    service.record_findings(db.session, champion, a, "A2", {
        "A2.1": Entry("agree"),
        "A2.2": Entry("challenge", 2, "Contract monitoring covers two of the five providers."),
    })
    service.record_findings(db.session, champion, a, "B1", {
        "B1.1": Entry("evidence_requested", reason="The participation strategy and its review."),
    })


def test_the_whole_cycle_gives_the_moderated_scores_and_gaps_worked_by_hand(world) -> None:
    a, champion, editor, admin = world["assessment"], world["champion"], world["editor"], world["admin"]
    review = service.review_of(db.session, a)
    assert "A1.2" in review.sample  # the mandatory criterion rated at its minimum is always sampled
    assert len(review.sample) == 3 and "A1.3" not in review.sample  # max(3, 20% of 5); N/A is never sampled
    assert review.mix == {confidence.SELF_ASSESSED: 5, confidence.EVIDENCED: 1, confidence.PEER_VALIDATED: 0}

    _review_everything(world)
    review = service.review_of(db.session, a)
    assert review.outstanding.awaiting_response == ("A1.2", "A2.2", "B1.1")
    assert review.comments == {"A1": "Governance is thinner than the rating suggests."}
    with pytest.raises(service.ModerationRefused, match="3 await the authority's answer"):
        service.complete(db.session, champion, a)

    answered = service.respond(db.session, editor, a, {
        "A1.2": ("accept", ""),
        "A2.2": ("keep", "All five providers report quarterly; the minutes are attached to A1.1."),
        "B1.1": ("evidence_added", "Uploaded the participation strategy (2011) and its annual review."),
    })
    assert answered == 3
    review = service.review_of(db.session, a)
    assert review.findings["A1.2"].moderated_level == 1  # accepting takes the proposed level
    assert review.outstanding.awaiting_level == ("A2.2", "B1.1")
    assert review.findings["A2.2"].response_note.startswith("All five providers")

    service.record_findings(db.session, champion, a, "A2", {
        "A2.1": Entry("agree"), "A2.2": Entry("challenge", 2, "Contract monitoring covers two of the five "
                                                               "providers.", moderated_level=3)})
    service.record_findings(db.session, champion, a, "B1", {
        "B1.1": Entry("evidence_requested", reason="The participation strategy and its review.", moderated_level=3)})
    assert not service.review_of(db.session, a).outstanding
    service.complete(db.session, champion, a)
    db.session.expire_all()

    assert a.state == states.MODERATED
    assert {x.key: x.moderated_level for x in a.answers} == {
        "A1.1": 3, "A1.2": 1, "A1.3": None, "A2.1": 2, "A2.2": 3, "B1.1": 3}
    assert next(x for x in a.answers if x.key == "A1.3").moderated_not_applicable
    own, moderated = score_of(a, SELF), score_of(a, MODERATED)
    assert (own.overall.value, own.domains["a"].value, own.standards["A1"].value) == (
        Decimal("72.2"), Decimal("70.8"), Decimal("58.3"))
    assert (moderated.overall.value, moderated.domains["a"].value, moderated.standards["A1"].value,
            moderated.standards["A2"].value) == (Decimal("63.2"), Decimal("57.3"), Decimal("41.7"), Decimal("62.5"))
    assert moderated.standards["A1"].gated and not own.standards["A1"].gated
    framework = a.cycle.framework_version.rules()
    gaps = {g.key: g.gap for g in moderation.gaps(["overall", "domain:a", "domain:b", "standard:A1", "standard:A2",
                                                   "standard:B1"], own, moderated)}
    assert gaps == {"overall": Decimal("-9.0"), "domain:a": Decimal("-13.5"), "domain:b": Decimal("0.0"),
                    "standard:A1": Decimal("-16.6"), "standard:A2": Decimal("-12.5"), "standard:B1": Decimal("0.0")}
    # Stored for benchmarks: 189.5833/3 and 216.6667/3, to four places.
    assert _stored(a, MODERATED)["overall"] == Decimal("63.1944")
    assert _stored(a, SELF)["overall"] == Decimal("72.2222")
    # Every rated answer was agreed or moderated: peer-validated only scores the same as moderated.
    assert _stored(a, MODERATED, "peer-validated")["overall"] == Decimal("63.1944")
    # Under "peer-validated only" the self basis scores the self-assessed levels of the validated criteria.
    assert _stored(a, SELF, "peer-validated")["overall"] == Decimal("72.2222")
    assert service.review_of(db.session, a).mix == {
        confidence.SELF_ASSESSED: 1, confidence.EVIDENCED: 0, confidence.PEER_VALIDATED: 5}
    assert score(framework, {"A1.1": 3}).overall.value == Decimal("75.0")  # (the framework is the mini one)

    service.publish(db.session, admin, a)
    db.session.expire_all()
    assert a.state == states.PUBLISHED
    actions = [e.action for e in db.session.execute(select(AuditEvent).filter_by(assessment_id=a.id)
                                                     .order_by(AuditEvent.id)).scalars()]
    assert actions.count("review.finding") == 7 and actions.count("review.response") == 3
    assert actions[-3:] == ["review.finding", "review.completed", "assessment.published"]


def test_the_evidence_sample_must_have_findings_and_unsampled_criteria_count_as_agreed(world) -> None:
    a, champion = world["assessment"], world["champion"]
    sample = service.review_of(db.session, a).sample
    framework = a.cycle.framework_version.rules()
    by_standard = {c.id: s.id for s in framework.standards for c in s.criteria}
    first, *rest = sample
    for cid in rest:
        service.record_findings(db.session, champion, a, by_standard[cid], {cid: Entry("agree")})
    with pytest.raises(service.ModerationRefused, match="1 sampled criteria have no finding"):
        service.complete(db.session, champion, a)
    assert service.review_of(db.session, a).outstanding.no_finding == (first,)
    service.record_findings(db.session, champion, a, by_standard[first], {first: Entry("agree")})
    service.complete(db.session, champion, a)
    db.session.expire_all()
    # Nothing challenged: the moderated answers are the self-assessed ones, and so are the scores.
    assert a.state == states.MODERATED
    assert score_of(a, MODERATED).overall.exact == score_of(a, SELF).overall.exact
    unsampled = [cid for cid in ("A1.1", "A1.2", "A2.1", "A2.2", "B1.1") if cid not in sample]
    assert unsampled and all(service.review_of(db.session, a).confidence[cid] != confidence.PEER_VALIDATED
                             for cid in unsampled)  # counted as agreed, but nobody looked: not peer-validated


def test_a_champion_can_add_criteria_to_the_sample_but_only_rated_ones(world) -> None:
    a, champion = world["assessment"], world["champion"]
    before = service.review_of(db.session, a).sample
    extra = next(cid for cid in ("A1.1", "A2.1", "A2.2", "B1.1") if cid not in before)
    after = service.add_to_sample(db.session, champion, a, [extra])
    assert set(after) == set(before) | {extra}
    with pytest.raises(ValueError, match="only a rated criterion"):
        service.add_to_sample(db.session, champion, a, ["A1.3"])  # N/A


def test_findings_are_checked_and_a_bad_page_records_nothing(world) -> None:
    a, champion = world["assessment"], world["champion"]
    with pytest.raises(service.FindingsRefused) as refused:
        service.record_findings(db.session, champion, a, "A1", {
            "A1.1": Entry("agree"),
            "A1.2": Entry("challenge", 2, "Same as the rating"),  # the rating is 2
        })
    assert [(e.criterion_id, e.code) for e in refused.value.errors] == [("A1.2", "same_level")]
    with pytest.raises(service.FindingsRefused) as refused:
        service.record_findings(db.session, champion, a, "A1", {
            "A1.2": Entry("challenge", 1, "  "), "A1.3": Entry("agree")})
    assert [(e.criterion_id, e.code) for e in refused.value.errors] == [("A1.2", "required"), ("A1.3", "not_rated")]
    with pytest.raises(service.FindingsRefused) as refused:
        service.record_findings(db.session, champion, a, "B1", {"B1.1": Entry("challenge", 7, "Too high")})
    assert refused.value.errors[0].code == "out_of_scale"
    assert service.review_of(db.session, a).findings == {}  # the agree beside the bad challenge was not kept
    with pytest.raises(service.FindingsRefused) as refused:  # a moderated level before the authority answers
        service.record_findings(db.session, champion, a, "B1", {"B1.1": Entry("evidence_requested", None, "Minutes",
                                                                              moderated_level=2)})
    assert refused.value.errors[0].code == "not_answered"


def test_only_an_assigned_champion_reviews_and_only_the_authority_responds(world) -> None:
    a, champion, other, editor, admin = (world[k] for k in ("assessment", "champion", "other", "editor", "admin"))
    for who in (other, editor, admin):
        with pytest.raises(service.ModerationRefused):
            service.record_findings(db.session, who, a, "A1", {"A1.1": Entry("agree")})
        with pytest.raises(service.ModerationRefused):
            service.complete(db.session, who, a)
    service.record_findings(db.session, champion, a, "A1", {"A1.2": Entry("challenge", 1, "Not established yet")})
    for who in (champion, other, admin):
        with pytest.raises(service.ModerationRefused):
            service.respond(db.session, who, a, {"A1.2": ("accept", "")})
    with pytest.raises(service.FindingsRefused) as refused:
        service.respond(db.session, editor, a, {"A1.2": ("keep", "")})
    assert refused.value.errors[0].code == "required"
    with pytest.raises(service.FindingsRefused) as refused:
        service.respond(db.session, editor, a, {"A1.1": ("accept", "")})  # no finding there
    assert refused.value.errors[0].code == "not_questioned"
    with pytest.raises(service.NotAllowed):
        service.reviewable(db.session, other, a.id)
    assert service.reviewable(db.session, champion, a.id).id == a.id
    # Once answered, a finding cannot be taken away by the champion (the answer would be lost).
    service.respond(db.session, editor, a, {"A1.2": ("keep", "The board met in June and September.")})
    with pytest.raises(service.FindingsRefused) as refused:
        service.record_findings(db.session, champion, a, "A1", {"A1.2": Entry(None)})
    assert refused.value.errors[0].code == "answered"


def test_every_illegal_change_is_refused_and_nothing_is_editable_that_the_state_forbids(world) -> None:
    a, champion, editor, admin = world["assessment"], world["champion"], world["editor"], world["admin"]
    with pytest.raises(NotEditable):
        editable(db.session, editor, a.id)  # in review: the authority cannot change its answers
    with pytest.raises(service.ModerationRefused, match="cannot publish an assessment that is in_review"):
        service.publish(db.session, admin, a)
    with pytest.raises(service.ModerationRefused, match="cannot resume"):
        service.resume(db.session, admin, a)
    for cid in service.review_of(db.session, a).sample:
        standard = cid.split(".")[0]
        service.record_findings(db.session, champion, a, standard, {cid: Entry("agree")})
    service.complete(db.session, champion, a)
    with pytest.raises(service.ModerationRefused, match="cannot moderate an assessment that is moderated"):
        service.complete(db.session, champion, a)
    with pytest.raises(service.ModerationRefused, match="findings are recorded only while it is in review"):
        service.record_findings(db.session, champion, a, "A1", {"A1.1": Entry("agree")})
    with pytest.raises(service.ModerationRefused):
        service.respond(db.session, editor, a, {"A1.1": ("keep", "reason")})
    with pytest.raises(reviews.ReviewRefused, match="cannot be returned"):
        reviews.return_to_authority(db.session, admin, a, "Too late")
    with pytest.raises(service.ModerationRefused, match="not allowed for this role"):
        service.publish(db.session, champion, a)
    with pytest.raises(NotEditable):
        editable(db.session, editor, a.id)
    service.publish(db.session, admin, a)
    with pytest.raises(service.ModerationRefused, match="cannot publish an assessment that is published"):
        service.publish(db.session, admin, a)


def test_a_returned_review_is_edited_resubmitted_and_resumed_with_its_findings(world) -> None:
    a, champion, editor, admin = world["assessment"], world["champion"], world["editor"], world["admin"]
    service.record_findings(db.session, champion, a, "A1", {"A1.2": Entry("challenge", 1, "Not established yet")})
    reviews.return_to_authority(db.session, admin, a, "Please attach the pooled budget agreement.")
    db.session.expire_all()
    assert a.state == states.RETURNED and editable(db.session, editor, a.id) is not None
    with pytest.raises(service.ModerationRefused):
        service.record_findings(db.session, champion, a, "A1", {"A1.1": Entry("agree")})
    with unit_of_work(db.session):
        next(x for x in a.answers if x.key == "A1.1").evidence_note = "The section 75 agreement, signed in 2011."
    submit(db.session, editor, a)
    db.session.expire_all()
    assert a.state == states.SUBMITTED
    service.resume(db.session, admin, a)
    db.session.expire_all()
    assert a.state == states.IN_REVIEW
    assert service.review_of(db.session, a).findings["A1.2"].proposed_level == 1  # the review goes on


def test_mail_tells_the_authority_of_challenges_and_the_champion_of_answers(world, app: Flask) -> None:
    a, champion, editor = world["assessment"], world["champion"], world["editor"]
    folder = Path(app.config["MAIL_PATH"])
    before = set(folder.glob("*.eml")) if folder.exists() else set()
    service.record_findings(db.session, champion, a, "A1", {"A1.2": Entry("challenge", 1, "Not established yet")})
    service.respond(db.session, editor, a, {"A1.2": ("accept", "")})
    new = sorted(set(folder.glob("*.eml")) - before)
    texts = [p.read_text() for p in new]
    assert len(texts) == 2
    assert "To: editor@leeds.example" in texts[0] and "Your peer review needs your answer" in texts[0]
    assert "To: champion@champions.example" in texts[1] and "has answered your review" in texts[1]


def test_a_save_made_on_a_page_someone_else_has_since_changed_is_refused(world) -> None:
    a, champion, editor = world["assessment"], world["champion"], world["editor"]
    framework = a.cycle.framework_version.rules()
    shown = service.standard_revision(service.review_of(db.session, a), framework, "A1")
    service.record_findings(db.session, champion, a, "A1", {"A1.1": Entry("agree")}, seen_revision=shown)
    with pytest.raises(service.ReviewConflict):  # the same page as first shown, saved again by someone else
        service.record_findings(db.session, world["champion"], a, "A1",
                                {"A1.2": Entry("challenge", 1, "Not established")}, seen_revision=shown)
    assert set(service.review_of(db.session, a).findings) == {"A1.1"}
    fresh = service.standard_revision(service.review_of(db.session, a), framework, "A1")
    service.record_findings(db.session, champion, a, "A1", {"A1.2": Entry("challenge", 1, "Not established")},
                            comment="Thin", seen_revision=fresh)
    with pytest.raises(service.ReviewConflict):  # the comment is part of what the page showed
        service.record_findings(db.session, champion, a, "A1", {}, comment="Other", seen_revision=fresh)
    shown = service.responses_revision(service.review_of(db.session, a))
    service.respond(db.session, editor, a, {"A1.2": ("keep", "It met in June")}, seen_revision=shown)
    with pytest.raises(service.ReviewConflict):
        service.respond(db.session, editor, a, {"A1.2": ("accept", "")}, seen_revision=shown)
    assert service.review_of(db.session, a).findings["A1.2"].response == "keep"


def test_turning_an_accepted_challenge_into_a_kept_rating_waits_for_the_champion_again(world) -> None:
    a, champion, editor = world["assessment"], world["champion"], world["editor"]
    service.record_findings(db.session, champion, a, "A1", {"A1.2": Entry("challenge", 1, "Not established")})
    service.respond(db.session, editor, a, {"A1.2": ("accept", "")})
    assert service.review_of(db.session, a).findings["A1.2"].moderated_level == 1
    service.respond(db.session, editor, a, {"A1.2": ("keep", "On reflection the board did meet in June.")})
    review = service.review_of(db.session, a)
    assert review.findings["A1.2"].moderated_level is None and review.outstanding.awaiting_level == ("A1.2",)
