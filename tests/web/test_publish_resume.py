"""Publishing a moderated assessment and resuming a resubmitted one's review (page and command line), the scores
refresh command, and the self-assessed, moderated and gap figures an overview shows once moderated."""

from __future__ import annotations

import html

import html5lib
from flask import Flask
from sqlalchemy import delete, func, select

from csptoolkit.domain import moderation as rules
from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AssessmentScore, Cycle, Organisation, ReviewAssignment
from csptoolkit.services import moderation, reviews
from csptoolkit.services.assessments import submit
from csptoolkit.services.transaction import unit_of_work

from .conftest import ADMIN, CHAMPION, WELSH_EDITOR, Browser, csrf_token
from .test_response_pages import (
    CARDIFF,
    agree_with_the_rest,
    assessment_of,
    in_review,
    post,
    signed_in,
    token_of,
    user,
)


def in_state(state: str, slug: str = "2011") -> Assessment:
    """An English authority's assessment of the cycle in this state (the demo data has some of each)."""
    return db.session.execute(
        select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Cycle.slug == slug, Assessment.state == state, Organisation.nation == "england",
               Organisation.code != CARDIFF)
        .order_by(Organisation.code)).scalars().first()


def unassigned_submitted() -> Assessment:
    return db.session.execute(
        select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Cycle.slug == "2011", Assessment.state == states.SUBMITTED, Organisation.nation == "england",
               ~Assessment.id.in_(select(ReviewAssignment.assessment_id)))
        .order_by(Organisation.code)).scalars().first()


def press(browser: Browser, url: str, button: str):
    """Press the publish or resume button of the assignment page (its form has its own prefix)."""
    token = csrf_token(browser.client.get(url).get_data(as_text=True))
    return browser.client.post(url, data={f"{button}-csrf_token": token, f"{button}-{button}": "y"})


def returned_and_resubmitted() -> Assessment:
    """Cardiff's assessment assigned, returned to the authority and submitted again: submitted, with its champion."""
    assessment = in_review()
    reviews.return_to_authority(db.session, user(ADMIN), assessment, "The evidence for L1 is missing.")
    db.session.expire_all()
    submit(db.session, user(WELSH_EDITOR), assessment)
    db.session.expire_all()
    assert assessment.state == states.SUBMITTED
    return assessment


# ----------------------------------------------------------------------------------------------------------
# The assignment page


def test_only_a_moderated_assessment_is_published(browser: Browser) -> None:
    admin = signed_in(browser, ADMIN)
    reviewing = in_state(states.IN_REVIEW)
    url = f"/admin/reviews/{reviewing.id}"
    admin.get(url)
    assert "Publish the moderated assessment" not in admin.text()
    refused = press(admin, url, "publish")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "govuk-error-summary" in page
    assert "This assessment cannot be published now: it is In review. Only a moderated assessment is published." in page
    db.session.expire_all()
    assert reviewing.state == states.IN_REVIEW

    moderated = in_state(states.MODERATED)
    url = f"/admin/reviews/{moderated.id}"
    admin.get(url)
    assert "Publish the moderated assessment" in admin.text()
    assert "Self-assessed and moderated scores" in admin.text()  # the gap table, once moderated
    assert press(admin, url, "publish").status_code == 303
    db.session.expire_all()
    assert moderated.state == states.PUBLISHED
    admin.get(url)
    assert "was published" in admin.text() and "Publish the moderated assessment" not in admin.text()


def test_a_resubmitted_assessment_goes_back_into_review_with_its_champions(browser: Browser) -> None:
    admin = signed_in(browser, ADMIN)
    fresh = unassigned_submitted()
    refused = press(admin, f"/admin/reviews/{fresh.id}", "resume")
    assert refused.status_code == 400
    assert "No champion is assigned to this assessment yet: assign one." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert fresh.state == states.SUBMITTED

    assessment = returned_and_resubmitted()
    url = f"/admin/reviews/{assessment.id}"
    admin.get(url)
    assert "Resume the review" in admin.text() and "Commissioning Champion" in admin.text()
    assert press(admin, url, "resume").status_code == 303
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW
    admin.get(url)
    assert "was resumed" in admin.text() and "Resume the review" not in admin.text()
    again = press(admin, url, "resume")
    assert again.status_code == 400 and "The review cannot be resumed now: the assessment is In review." in \
        again.get_data(as_text=True)


def test_the_pages_word_refusals_in_welsh(browser: Browser) -> None:
    admin = signed_in(browser, ADMIN)
    admin.get("/language/cy?next=/", status=302)
    refused = press(admin, f"/admin/reviews/{in_state(states.IN_REVIEW).id}", "publish")
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400 and "Ni ellir cyhoeddi'r asesiad hwn nawr" in page
    admin.get(f"/admin/reviews/{in_state(states.MODERATED).id}")
    assert "Cyhoeddi'r asesiad wedi'i gymedroli" in admin.text()


# ----------------------------------------------------------------------------------------------------------
# The command line


def test_the_commands_publish_and_resume_and_refuse_with_the_reason(seeded_app: Flask) -> None:
    runner = seeded_app.test_cli_runner()
    reviewing = in_state(states.IN_REVIEW)
    code = reviewing.organisation.code
    refused = runner.invoke(args=["reviews", "publish", "--cycle", "2011", "--org", code])
    assert refused.exit_code == 1 and "Refused:" in refused.output and "in_review" in refused.output
    moderated = in_state(states.MODERATED)
    published = runner.invoke(args=["reviews", "publish", "--cycle", "2011", "--org", moderated.organisation.code])
    assert published.exit_code == 0, published.output
    assert f"Published {moderated.organisation.code} 2011." in published.output
    db.session.expire_all()
    assert moderated.state == states.PUBLISHED
    missing = runner.invoke(args=["reviews", "publish", "--cycle", "2011", "--org", "999"])
    assert missing.exit_code == 1 and "no assessment of 999" in missing.output

    fresh = unassigned_submitted()
    refused = runner.invoke(args=["reviews", "resume", "--cycle", "2011", "--org", fresh.organisation.code])
    assert refused.exit_code == 1 and "No champion is assigned" in refused.output
    assessment = returned_and_resubmitted()
    resumed = runner.invoke(args=["reviews", "resume", "--cycle", "2011", "--org", CARDIFF])
    assert resumed.exit_code == 0, resumed.output
    assert "Resumed the review of 681 2011" in resumed.output
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW
    again = runner.invoke(args=["reviews", "resume", "--cycle", "2011", "--org", CARDIFF])
    assert again.exit_code == 1 and "Refused:" in again.output


def _confidence_rows(slug: str) -> set[tuple]:
    """The stored scores of only the answers at each confidence, of the cycle's counted assessments (the demo data
    stores scores for its drafts too, which the command leaves alone)."""
    return set(db.session.execute(
        select(AssessmentScore.assessment_id, AssessmentScore.basis, AssessmentScore.confidence,
               AssessmentScore.scope, AssessmentScore.key, AssessmentScore.score)
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id).join(Cycle, Cycle.id == Assessment.cycle_id)
        .where(Cycle.slug == slug, AssessmentScore.confidence != "",
               Assessment.state.in_(states.COUNTED_STATES))).all())


def test_scores_refresh_rebuilds_the_scores_of_only_the_answers_at_each_confidence(seeded_app: Flask) -> None:
    runner = seeded_app.test_cli_runner()
    before = _confidence_rows("2011")
    assert before
    counted = db.session.execute(select(func.count(Assessment.id)).join(Cycle, Cycle.id == Assessment.cycle_id)
                                 .where(Cycle.slug == "2011", Assessment.state.in_(states.COUNTED_STATES))
                                 ).scalar_one()
    cycle_id = db.session.execute(select(Cycle.id).filter_by(slug="2011")).scalar_one()
    with unit_of_work(db.session):  # as a database from before migration 006 had them: no such rows
        db.session.execute(delete(AssessmentScore).where(
            AssessmentScore.confidence != "",
            AssessmentScore.assessment_id.in_(select(Assessment.id).filter_by(cycle_id=cycle_id))))
    assert not _confidence_rows("2011")
    result = runner.invoke(args=["scores", "refresh", "--cycle", "2011"])
    assert result.exit_code == 0, result.output
    assert f"2011: stored the scores of {counted} assessment(s) again." in result.output
    db.session.expire_all()
    assert _confidence_rows("2011") == before
    every = runner.invoke(args=["scores", "refresh"])
    assert every.exit_code == 0 and "in 2 cycle(s)" in every.output and "2010: stored" in every.output
    unknown = runner.invoke(args=["scores", "refresh", "--cycle", "1999"])
    assert unknown.exit_code == 1 and "no cycle 1999" in unknown.output


# ----------------------------------------------------------------------------------------------------------
# The overview once moderated: self-assessed, moderated and gap figures worked out by hand


def table(html: str, caption: str) -> dict[str, list[str]]:
    """The rows of the table with this caption, by their first cell's text: the other cells' texts."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    for element in document.iter("table"):
        found = element.find("caption")
        if found is not None and "".join(found.itertext()).strip() == caption:
            rows = {}
            for row in element.iter("tr"):
                cells = [" ".join("".join(c.itertext()).split()) for c in row if c.tag in ("th", "td")]
                rows[cells[0]] = cells[1:]
            return rows
    raise AssertionError(f"no table {caption!r}")


GAPS = "Self-assessed and moderated scores, out of 100, and the gap between them"


def test_the_overview_shows_self_moderated_and_gap_scores(browser: Browser) -> None:
    """Every answer at the top of the scale, then one challenge accepted, worked out by DESIGN §4:

    Self-assessed: every standard scores 100 (all at max), so every domain and the overall score 100.0.
    Moderated: L3.1 goes from 4 to 2. L3 has three level criteria of weight 1, so
      L3 = 100 x (2 + 4 + 4) / (3 x 4) = 83.333... -> 83.3, gap -16.7.
    Leadership = weighted mean of L1 (weight 2, 100), L2 (weight 1, 100), L3 (weight 1, 83.333...)
      = (200 + 100 + 83.333...) / 4 = 95.833... -> 95.8, gap -4.2.
    Overall = weighted mean of leadership (weight 2) and the seven other domains (weight 1, each 100)
      = (2 x 95.833... + 700) / 9 = 891.666... / 9 = 99.074... -> 99.1, gap -0.9.
    Every other standard and domain: 100.0 both, gap 0.0.
    """
    assessment = assessment_of(CARDIFF)
    framework = assessment.cycle.framework_version.rules()
    with unit_of_work(db.session):
        for answer in assessment.answers:
            answer.not_applicable, answer.level = False, framework.max_level
    assessment = in_review()
    moderation.record_findings(db.session, user(CHAMPION), assessment, "L3", {
        "L3.1": moderation.Entry(rules.CHALLENGE, 2, "Only two of the five plans were reviewed.")})
    editor = signed_in(browser, WELSH_EDITOR)
    response = post(editor, f"/assessments/{assessment.id}/review",
                    {f"{token_of(assessment, 'L3.1')}_response": rules.ACCEPT})
    assert response.status_code == 303
    agree_with_the_rest(assessment)
    moderation.complete(db.session, user(CHAMPION), assessment)
    db.session.expire_all()
    assert assessment.state == states.MODERATED
    review = moderation.review_of(db.session, assessment)

    editor.get(f"/assessments/{assessment.id}")
    gaps = table(editor.last, GAPS)
    minus = "\u2212"
    assert gaps["Overall"] == ["100.0", "99.1", f"{minus}0.9"]
    assert gaps["Leadership and governance"] == ["100.0", "95.8", f"{minus}4.2"]
    l3 = next(cells for name, cells in gaps.items() if name.startswith("L3 "))
    assert l3 == ["100.0", "83.3", f"{minus}16.7"]
    l1 = next(cells for name, cells in gaps.items() if name.startswith("L1 "))
    assert l1 == ["100.0", "100.0", "0.0"]
    assert gaps["Needs assessment (JSNA)"] == ["100.0", "100.0", "0.0"]
    assert len(gaps) == 1 + 1 + 8 + len(framework.standards)  # the head, overall, domains and standards
    # The confidence mix beside the score: every criterion with a finding is now peer-validated.
    mix = table_free_summary(editor.last)
    assert mix["Peer-validated"] == str(len(review.findings))
    assert "Peer review" in editor.text() and "Commissioning Champion" in editor.text()

    admin = signed_in(browser, ADMIN)
    admin.get(f"/admin/reviews/{assessment.id}")
    assert table(admin.last, GAPS)["Overall"] == ["100.0", "99.1", f"{minus}0.9"]


def table_free_summary(html: str) -> dict[str, str]:
    """The confidence mix (a summary list) as label -> count."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    for element in document.iter("dl"):
        if "csp-confidence-mix" in (element.get("class") or ""):
            return {" ".join("".join(row.find("dt").itertext()).split()):
                    " ".join("".join(row.find("dd").itertext()).split()) for row in element.iter("div")}
    raise AssertionError("no confidence mix")
