"""The champion's review pages: their list of reviews, a review's overview with completing moderation, and
reviewing a standard (findings, the evidence sample, errors with the input kept), who may open them, and Welsh."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from csptoolkit.domain import moderation as rules
from csptoolkit.domain import scoring, states
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, Organisation, ReviewAssignment, User
from csptoolkit.models.organisation import ENGLAND
from csptoolkit.services import moderation, reviews
from csptoolkit.services.accounts import create_user, find_user
from csptoolkit.services.scores import answers_of
from csptoolkit.services.transaction import unit_of_work

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, Browser

REASON = "The board minutes show the strategy agreed, not signed by every partner."
WANTED = "The signed section 75 agreement."
PASSWORD = "a long enough password"


def _unreviewed() -> Assessment:
    return db.session.execute(
        select(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id)
        .where(Cycle.slug == "2011", Assessment.state == states.SUBMITTED, Organisation.nation == ENGLAND,
               ~Assessment.id.in_(select(ReviewAssignment.assessment_id)))
        .order_by(Organisation.name)).scalars().first()


@dataclass
class Review:
    """A submitted assessment assigned to the demo champion, with a standard whose first three rated criteria are
    the whole evidence sample and whose fourth is rated but not sampled."""

    assessment: Assessment
    standard: str
    sampled: list[str]
    extra: str
    levels: dict[str, int]
    index: dict[str, int]  # a criterion's position in its standard: its form fields are c<index>_...
    editor: User

    @property
    def url(self) -> str:
        return f"/reviews/{self.assessment.id}"

    @property
    def standard_url(self) -> str:
        return f"{self.url}/standards/{self.standard}"

    def field(self, cid: str, name: str) -> str:
        return f"c{self.index[cid]}_{name}"


@pytest.fixture
def review(seeded_app: Flask) -> Review:
    assessment = _unreviewed()
    champion = find_user(db.session, CHAMPION)
    assignment = reviews.assign(db.session, find_user(db.session, ADMIN), assessment, champion)
    framework = assessment.cycle.framework_version.rules()
    answers = answers_of(assessment)
    visible = scoring.visible_criteria(framework, answers)
    for standard in framework.standards:
        rated = [c.id for c in standard.criteria if c.type == "level" and c.id in visible
                 and answers.get(c.id) not in (None, scoring.NA) and int(answers[c.id]) >= 1]
        if len(rated) >= 4:
            break
    else:
        raise AssertionError("no standard with four rated criteria")
    db.session.get(ReviewAssignment, assignment.id).sample = rated[:3]
    db.session.commit()
    with unit_of_work(db.session):
        editor = create_user(db.session, "editor@reviewed.example", "editor", PASSWORD,
                             name="Reviewed Editor", organisation_code=assessment.organisation.code)
    return Review(assessment, standard.id, rated[:3], rated[3], {cid: int(answers[cid]) for cid in rated},
                  {c.id: i for i, c in enumerate(standard.criteria)}, editor)


def _findings(review: Review) -> dict[str, rules.Finding]:
    db.session.expire_all()
    assessment = db.session.get(Assessment, review.assessment.id)
    return moderation.review_of(db.session, assessment).rules_findings()


def _entries(review: Review, **findings: dict[str, str]) -> dict[str, str]:
    return {review.field(cid, name): value for cid, fields in findings.items() for name, value in fields.items()}


def _three_findings(review: Review) -> dict[str, str]:
    """Agree with the first, challenge the second a level down with a reason, ask for evidence on the third."""
    first, second, third = review.sampled
    return {review.field(first, "outcome"): rules.AGREE,
            review.field(second, "outcome"): rules.CHALLENGE,
            review.field(second, "proposed"): str(review.levels[second] - 1), review.field(second, "reason"): REASON,
            review.field(third, "outcome"): rules.EVIDENCE_REQUESTED, review.field(third, "wanted"): WANTED,
            "comment": "A strong standard overall."}


def _text(browser: Browser) -> str:
    """The last page's text as people read it."""
    return html.unescape(browser.text())


def _signed_in(app: Flask, email: str) -> Browser:
    browser = Browser(app.test_client())
    if email.endswith(("@reviewed.example", "@champions.example")):  # made by these tests
        browser.sign_in(email, PASSWORD)
    else:
        browser.sign_in(email)
    return browser


def test_the_champions_home_lists_their_reviews_with_progress_and_pages_keep_the_filters(
        seeded_app: Flask, review: Review) -> None:
    browser = _signed_in(seeded_app, CHAMPION)
    total = len(db.session.execute(select(ReviewAssignment.id).filter_by(
        champion_id=find_user(db.session, CHAMPION).id)).all())
    assert total > 50
    browser.get("/")
    assert "Your peer reviews" in _text(browser) and f"{total} reviews" in _text(browser)
    assert len(re.findall(r'<tr class="govuk-table__row">', browser.last)) == 50 + 1
    assert "/?page=2" in browser.last
    name = review.assessment.organisation.name
    browser.get("/?cycle=2011&state=in_review&sort=progress")
    assert name in _text(browser) and "0 of 3 sampled criteria have a finding" in _text(browser)
    assert f'href="/reviews/{review.assessment.id}"' in browser.last
    browser.get("/?cycle=2010&page=2")
    assert "page=1" in browser.last and re.search(r'href="/\?cycle=2010&amp;page=1"', browser.last)
    browser.get("/?cycle=1999", status=404)


def test_a_champion_records_findings_on_a_standard(seeded_app: Flask, review: Review) -> None:
    browser = _signed_in(seeded_app, CHAMPION)
    browser.get(review.standard_url)
    for cid in review.sampled:
        assert f'name="{review.field(cid, "outcome")}"' in browser.last
    assert _text(browser).count("In the evidence sample") >= 3
    response = browser.post(review.standard_url, _three_findings(review))
    assert response.status_code == 303 and response.location.endswith(review.url)
    first, second, third = review.sampled
    found = _findings(review)
    assert found[first].outcome == rules.AGREE
    assert (found[second].outcome, found[second].proposed_level, found[second].reason) == (
        rules.CHALLENGE, review.levels[second] - 1, REASON)
    assert (found[third].outcome, found[third].reason) == (rules.EVIDENCE_REQUESTED, WANTED)
    assert set(found) == set(review.sampled)
    browser.get(review.url)
    assert "were saved" in _text(browser)
    assert f"{second}: awaiting the authority's answer" in _text(browser)
    assert f"{third}: awaiting the authority's answer" in _text(browser)
    browser.get("/?state=in_review")
    assert "3 of 3 sampled criteria have a finding · 2 awaiting the authority" in _text(browser)
    browser.get(review.standard_url)  # the page shows the findings as recorded
    assert re.search(rf'value="{rules.CHALLENGE}" checked', browser.last)
    assert REASON in browser.last and WANTED in browser.last and "A strong standard overall." in browser.last


def test_a_bad_entry_is_refused_with_the_input_kept(seeded_app: Flask, review: Review) -> None:
    browser = _signed_in(seeded_app, CHAMPION)
    first, second, third = review.sampled
    entries = {review.field(first, "outcome"): rules.AGREE,
               review.field(second, "outcome"): rules.CHALLENGE,
               review.field(second, "proposed"): str(review.levels[second] - 1),  # no reason
               review.field(third, "outcome"): rules.CHALLENGE,
               review.field(third, "proposed"): str(review.levels[third]),  # the authority's own rating
               review.field(third, "reason"): REASON}
    response = browser.post(review.standard_url, entries)
    assert response.status_code == 400
    page = _text(browser)
    assert "There is a problem" in page
    assert f"Enter why you challenge the rating of {second}" in page
    assert f"Propose a level other than the authority's rating for {third}" in page
    assert 'href="#' + review.field(second, "reason") + '"' in browser.last  # the summary links to the field
    assert 'class="govuk-error-message"' in browser.last
    # What was entered is still there.
    assert REASON in browser.last
    assert re.search(rf'value="{rules.AGREE}" checked', browser.last)
    selected = re.search(rf'<select[^>]*name="{review.field(third, "proposed")}".*?</select>', browser.last, re.S)
    assert re.search(rf'value="{review.levels[third]}" selected', selected.group(0))
    assert _findings(review) == {}  # all or nothing


def test_a_criterion_is_added_to_the_evidence_sample(seeded_app: Flask, review: Review) -> None:
    browser = _signed_in(seeded_app, CHAMPION)
    browser.get(review.standard_url)
    assert f'name="{review.field(review.extra, "sample")}"' in browser.last
    assert not any(f'name="{review.field(cid, "sample")}"' in browser.last for cid in review.sampled)
    entries = {**_three_findings(review), review.field(review.extra, "sample"): "y",
               review.field(review.extra, "outcome"): rules.AGREE}
    assert browser.post(review.standard_url, entries).status_code == 303
    db.session.expire_all()
    sample = db.session.execute(select(ReviewAssignment.sample).filter_by(
        assessment_id=review.assessment.id)).scalar_one()
    assert review.extra in sample and set(review.sampled) < set(sample)
    assert _findings(review)[review.extra].outcome == rules.AGREE
    browser.get(review.standard_url)
    assert f'name="{review.field(review.extra, "sample")}"' not in browser.last  # now it is sampled


def test_completing_is_refused_while_anything_is_outstanding_and_done_once_settled(
        seeded_app: Flask, review: Review) -> None:
    browser = _signed_in(seeded_app, CHAMPION)
    first, second, third = review.sampled
    complete = f"{review.url}/complete"
    response = browser.post(complete, token_from=review.url)
    assert response.status_code == 400
    page = _text(browser)
    assert "Moderation cannot be completed yet" in page
    for cid in review.sampled:
        assert f"{cid}: in the evidence sample, no finding yet" in page
    assert f'href="{review.standard_url}#criterion-{first}"' in browser.last

    assert browser.post(review.standard_url, _three_findings(review)).status_code == 303
    assert browser.post(complete, token_from=review.url).status_code == 400
    assert f"{second}: awaiting the authority's answer" in _text(browser)

    # The authority answers: it accepts the challenge (settled at the proposed level) and adds the evidence asked
    # for (which then needs the champion's moderated level).
    assessment = db.session.get(Assessment, review.assessment.id)
    moderation.respond(db.session, review.editor, assessment, {
        second: (rules.ACCEPT, None), third: (rules.EVIDENCE_ADDED, "Uploaded the signed agreement.")})
    assert browser.post(complete, token_from=review.url).status_code == 400
    assert f"{third}: answered by the authority, needs your moderated level" in _text(browser)
    assert f"{second}:" not in _text(browser).split("Scores")[0]

    browser.get(review.standard_url)
    assert "Added evidence" in _text(browser) and "Uploaded the signed agreement." in _text(browser)
    assert f'name="{review.field(third, "moderated")}"' in browser.last
    settled = {**_three_findings(review), review.field(second, "moderated"): str(review.levels[second] - 1),
               review.field(third, "moderated"): str(review.levels[third])}
    assert browser.post(review.standard_url, settled).status_code == 303
    response = browser.post(complete, token_from=review.url)
    assert response.status_code == 303 and response.location.endswith(review.url)
    db.session.expire_all()
    assessment = db.session.get(Assessment, review.assessment.id)
    assert assessment.state == states.MODERATED
    moderated = {a.key: a.moderated_level for a in assessment.answers}
    assert moderated[second] == review.levels[second] - 1 and moderated[third] == review.levels[third]
    browser.get(review.url)
    assert "is complete" in _text(browser) and "Complete moderation" not in _text(browser)


def test_the_review_is_read_only_after_moderation_and_for_programme_admins(seeded_app: Flask,
                                                                            review: Review) -> None:
    browser = _signed_in(seeded_app, CHAMPION)
    first, second, third = review.sampled
    assert browser.post(review.standard_url, _three_findings(review)).status_code == 303
    admin = _signed_in(seeded_app, ADMIN)
    admin.get(review.standard_url)
    assert f'name="{review.field(first, "outcome")}"' not in admin.last and REASON in _text(admin)
    admin.get(review.url)
    assert "Complete moderation" not in _text(admin)
    assert admin.post(review.standard_url, _three_findings(review), token_from=review.url).status_code == 303

    assessment = db.session.get(Assessment, review.assessment.id)
    moderation.respond(db.session, review.editor, assessment, {
        second: (rules.ACCEPT, None), third: (rules.EVIDENCE_ADDED, "Uploaded the signed agreement.")})
    settled = {**_three_findings(review), review.field(third, "moderated"): str(review.levels[third]),
               review.field(second, "moderated"): str(review.levels[second] - 1)}
    assert browser.post(review.standard_url, settled).status_code == 303
    assert browser.post(f"{review.url}/complete", token_from=review.url).status_code == 303

    browser.get(review.standard_url)
    assert f'name="{review.field(first, "outcome")}"' not in browser.last
    text = _text(browser)
    assert "The assessment is Moderated" in text and "Challenge" in text and REASON in text
    assert "Moderated level" in text and "Accepted the proposed level" in text
    before = _findings(review)
    response = browser.post(review.standard_url, {**_three_findings(review), review.field(first, "outcome"): ""},
                            token_from=review.url)
    assert response.status_code == 303 and _findings(review) == before
    browser.get(review.standard_url)
    assert "findings are recorded and moderation completed only while it is in review" in _text(browser)


def test_no_one_else_opens_the_review_pages(seeded_app: Flask, review: Review) -> None:
    with unit_of_work(db.session):
        create_user(db.session, "other@champions.example", "champion", PASSWORD)
    urls = [review.url, review.standard_url]
    for email in ("other@champions.example", EDITOR, VIEWER, "editor@reviewed.example"):
        browser = _signed_in(seeded_app, email)
        for url in urls:
            browser.get(url, status=404)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.client.get("/").get_data(as_text=True))
        data = {"csrf_token": token.group(1) if token else ""}
        assert browser.client.post(review.standard_url, data=data).status_code == 404, email
        assert browser.client.post(f"{review.url}/complete", data=data).status_code == 404, email
    champion = _signed_in(seeded_app, CHAMPION)
    champion.get(f"{review.url}/standards/NOPE", status=404)
    champion.get("/reviews/987654321", status=404)
    anonymous = Browser(seeded_app.test_client())
    assert anonymous.client.get(review.url).status_code == 302
    assert _findings(review) == {}


def test_the_pages_come_in_welsh(seeded_app: Flask, review: Review) -> None:
    browser = _signed_in(seeded_app, CHAMPION)
    browser.get("/language/cy?next=/", status=302)
    browser.get("/")
    assert "Eich adolygiadau gan gymheiriaid" in _text(browser)
    browser.get(review.url)
    assert "Adolygiad o" in _text(browser) and "Cwblhau'r cymedroli" in _text(browser)
    browser.get(review.standard_url)
    assert "Eich canfyddiad ar" in _text(browser) and "Yn y sampl tystiolaeth" in _text(browser)
    response = browser.post(review.standard_url, {review.field(review.sampled[1], "outcome"): rules.CHALLENGE})
    assert response.status_code == 400 and "Mae problem" in _text(browser)
