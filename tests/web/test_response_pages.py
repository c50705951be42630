"""The authority's review page: its editors answer challenges and requests for evidence; viewers and the programme
read them; champions and other authorities cannot open it."""

from __future__ import annotations

import re

from sqlalchemy import select

from csptoolkit.domain import moderation as rules
from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Criterion, Cycle, Organisation, ReviewFinding, User
from csptoolkit.services import moderation, reviews
from csptoolkit.services.accounts import create_user
from csptoolkit.services.transaction import unit_of_work

from .conftest import ADMIN, CHAMPION, EDITOR, WELSH_EDITOR, Browser, csrf_token, hidden_value

CARDIFF = "681"


def user(email: str) -> User:
    return db.session.execute(select(User).filter_by(email=email)).scalar_one()


def assessment_of(code: str, slug: str = "2011") -> Assessment:
    return db.session.execute(
        select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Cycle.slug == slug, Organisation.code == code)).scalar_one()


def in_review(code: str = CARDIFF) -> Assessment:
    """The authority's submitted 2011 assessment with the demo champion assigned (so in review)."""
    assessment = assessment_of(code)
    assert assessment.state == states.SUBMITTED
    reviews.assign(db.session, user(ADMIN), assessment, user(CHAMPION))
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW
    return assessment


def rated(assessment: Assessment, count: int) -> list[tuple[str, str, int]]:
    """(standard id, criterion id, level) of the first `count` criteria of the `level` type rated 1 or more, each
    in a different standard."""
    framework = assessment.cycle.framework_version.rules()
    levels = {a.criterion.key: a.level for a in assessment.answers if not a.not_applicable}
    found, used = [], set()
    for standard in framework.standards:
        for criterion in standard.criteria:
            level = levels.get(criterion.id)
            if criterion.type == "level" and level and standard.id not in used:
                found.append((standard.id, criterion.id, level))
                used.add(standard.id)
                break
        if len(found) == count:
            return found
    raise AssertionError("not enough rated criteria")


def challenge(assessment: Assessment, standard: str, criterion: str, proposed: int, reason: str = "The minutes "
              "show the board met only twice.", comment: str | None = None) -> None:
    moderation.record_findings(db.session, user(CHAMPION), assessment, standard,
                               {criterion: moderation.Entry(rules.CHALLENGE, proposed, reason)}, comment)


def request_evidence(assessment: Assessment, standard: str, criterion: str) -> None:
    moderation.record_findings(db.session, user(CHAMPION), assessment, standard, {
        criterion: moderation.Entry(rules.EVIDENCE_REQUESTED, reason="The sufficiency strategy, please.")})


def finding(assessment: Assessment, criterion: str) -> ReviewFinding:
    db.session.expire_all()
    return db.session.execute(
        select(ReviewFinding).join(Criterion, Criterion.id == ReviewFinding.criterion_id)
        .where(ReviewFinding.assessment_id == assessment.id, Criterion.key == criterion)).scalar_one()


def token_of(assessment: Assessment, criterion: str) -> str:
    """The page's field prefix for a criterion: its place in the version (c0, c1...)."""
    ids = [c.id for c in assessment.cycle.framework_version.rules().criteria]
    return f"c{ids.index(criterion)}"


def signed_in(browser: Browser, email: str) -> Browser:
    other = Browser(browser.client.application.test_client())
    other.sign_in(email)
    return other


def post(browser: Browser, url: str, data: dict):
    page = browser.client.get(url).get_data(as_text=True)
    return browser.client.post(url, data={"csrf_token": csrf_token(page), "revision": hidden_value(page, "revision"),
                                          **data})


def test_an_editor_accepts_a_challenge_and_the_proposed_level_becomes_the_moderated_one(browser: Browser) -> None:
    assessment = in_review()
    (standard, criterion, level), = rated(assessment, 1)
    challenge(assessment, standard, criterion, level - 1, comment="A strong standard, one rating is high.")
    editor = signed_in(browser, WELSH_EDITOR)
    url = f"/assessments/{assessment.id}/review"
    editor.get(url)
    text = editor.text()
    assert criterion in text and "The minutes show the board met only twice." in text
    assert "A strong standard, one rating is high." in text  # the champion's comment on the standard
    assert "Accept the proposed level" in text and f'name="{token_of(assessment, criterion)}_response"' in editor.last
    field = token_of(assessment, criterion)
    response = post(editor, url, {f"{field}_response": rules.ACCEPT})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    row = finding(assessment, criterion)
    assert (row.response, row.moderated_level) == (rules.ACCEPT, level - 1)
    editor.get(url)
    assert "1 answer was saved" in editor.text()
    assert "Accepted the proposed level" in editor.text() and "Moderated level" in editor.text()
    # Shown as the answer already given: the radio is checked.
    assert re.search(rf'<input[^>]*id="{field}_response"[^>]*value="accept"[^>]*checked', editor.last)


def test_keeping_a_rating_needs_a_reason_and_the_page_keeps_what_was_typed(browser: Browser) -> None:
    assessment = in_review()
    (s1, c1, l1), (s2, c2, _l2) = rated(assessment, 2)
    challenge(assessment, s1, c1, l1 - 1)
    request_evidence(assessment, s2, c2)
    editor = signed_in(browser, WELSH_EDITOR)
    url = f"/assessments/{assessment.id}/review"
    f1, f2 = token_of(assessment, c1), token_of(assessment, c2)
    # A keep without a reason, and evidence described: neither is saved (all or nothing), the text stays.
    response = post(editor, url, {f"{f1}_response": rules.KEEP, f"{f1}_keep": "  ",
                                  f"{f2}_response": rules.EVIDENCE_ADDED,
                                  f"{f2}_evidence": "The 2011 sufficiency strategy, on the N1 page."})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "Enter why your rating stands" in page
    assert f'href="#{f1}_keep"' in page  # the summary leads to the field
    assert "The 2011 sufficiency strategy, on the N1 page." in page
    assert finding(assessment, c1).response is None and finding(assessment, c2).response is None
    # With the reason given, both are saved.
    response = post(editor, url, {f"{f1}_response": rules.KEEP, f"{f1}_keep": "The board also met in workshops.",
                                  f"{f2}_response": rules.EVIDENCE_ADDED,
                                  f"{f2}_evidence": "The 2011 sufficiency strategy, on the N1 page."})
    assert response.status_code == 303
    kept, added = finding(assessment, c1), finding(assessment, c2)
    assert (kept.response, kept.response_note, kept.moderated_level) == (
        rules.KEEP, "The board also met in workshops.", None)
    assert (added.response, added.response_note) == (rules.EVIDENCE_ADDED,
                                                     "The 2011 sufficiency strategy, on the N1 page.")
    editor.get(url)
    assert "2 answers were saved" in editor.text() and "The board also met in workshops." in editor.last


def test_viewers_and_the_programme_read_only_and_nothing_changes(browser: Browser) -> None:
    assessment = in_review()
    (standard, criterion, level), = rated(assessment, 1)
    challenge(assessment, standard, criterion, level - 1)
    with unit_of_work(db.session):
        create_user(db.session, "viewer@cardiff.example", "viewer", "a long enough password",
                    organisation_code=CARDIFF)
    url = f"/assessments/{assessment.id}/review"
    field = token_of(assessment, criterion)
    viewer = Browser(browser.client.application.test_client())
    viewer.sign_in("viewer@cardiff.example", "a long enough password")
    viewer.get(url)
    assert "The minutes show the board met only twice." in viewer.text()
    assert f'name="{field}_response"' not in viewer.last and "Save your answers" not in viewer.last
    response = viewer.client.post(url, data={"csrf_token": csrf_token(viewer.last), f"{field}_response": "accept"})
    assert response.status_code in (403, 404)
    admin = signed_in(browser, ADMIN)
    admin.get(url)
    assert "The minutes show the board met only twice." in admin.text() and "Save your answers" not in admin.last
    assert admin.client.post(url, data={"csrf_token": csrf_token(admin.last),
                                        f"{field}_response": "accept"}).status_code in (403, 404)
    row = finding(assessment, criterion)
    assert (row.response, row.moderated_level) == (None, None)


def test_other_authorities_and_champions_cannot_open_it(browser: Browser) -> None:
    assessment = in_review()
    (standard, criterion, level), = rated(assessment, 1)
    challenge(assessment, standard, criterion, level - 1)
    url = f"/assessments/{assessment.id}/review"
    signed_in(browser, EDITOR).get(url, status=404)  # Leeds' editor
    champion = signed_in(browser, CHAMPION)
    champion.get(url, status=404)  # even the champion assigned: they review on their own pages
    assert champion.client.post(url, data={}).status_code in (400, 404)
    signed_in(browser, EDITOR).get("/assessments/999999/review", status=404)


def test_the_page_comes_in_welsh(browser: Browser) -> None:
    assessment = in_review()
    (standard, criterion, level), = rated(assessment, 1)
    challenge(assessment, standard, criterion, level - 1)
    editor = signed_in(browser, WELSH_EDITOR)
    editor.get("/language/cy?next=/", status=302)
    url = f"/assessments/{assessment.id}/review"
    editor.get(url)
    assert '<html lang="cy"' in editor.last
    assert "Heriau a cheisiadau o'r adolygiad gan gymheiriaid" in editor.text()
    assert "Derbyn y lefel a gynigiwyd" in editor.text() and "Accept the proposed level" not in editor.text()
    field = token_of(assessment, criterion)
    response = post(editor, url, {f"{field}_response": rules.KEEP, f"{field}_keep": ""})
    assert response.status_code == 400
    assert "Rhowch y rheswm pam mae eich sgôr yn sefyll" in response.get_data(as_text=True)


def test_after_moderation_the_moderated_level_is_shown_and_answers_are_closed(browser: Browser) -> None:
    assessment = in_review()
    (standard, criterion, level), = rated(assessment, 1)
    challenge(assessment, standard, criterion, level - 1)
    editor = signed_in(browser, WELSH_EDITOR)
    url = f"/assessments/{assessment.id}/review"
    field = token_of(assessment, criterion)
    assert post(editor, url, {f"{field}_response": rules.KEEP,
                              f"{field}_keep": "We stand by it."}).status_code == 303
    moderation.record_findings(db.session, user(CHAMPION), assessment, standard, {
        criterion: moderation.Entry(rules.CHALLENGE, level - 1, "The minutes show the board met only twice.",
                                    moderated_level=level)})
    agree_with_the_rest(assessment)
    moderation.complete(db.session, user(CHAMPION), assessment)
    db.session.expire_all()
    assert assessment.state == states.MODERATED
    editor.get(url)
    assert "Moderated level" in editor.text() and "Save your answers" not in editor.last
    response = editor.client.post(url, data={"csrf_token": csrf_token(editor.last), f"{field}_response": "accept"})
    assert response.status_code == 400 and "answers are given only while it is in review" in response.get_data(
        as_text=True)
    assert finding(assessment, criterion).response == rules.KEEP


def agree_with_the_rest(assessment: Assessment) -> None:
    """Agree every sampled criterion that has no finding yet, so that moderation can be completed."""
    framework = assessment.cycle.framework_version.rules()
    review = moderation.review_of(db.session, assessment)
    for standard in framework.standards:
        entries = {c.id: moderation.Entry(rules.AGREE) for c in standard.criteria
                   if c.id in review.outstanding.no_finding}
        if entries:
            moderation.record_findings(db.session, user(CHAMPION), assessment, standard.id, entries)


def test_the_editors_home_page_leads_to_the_review_while_it_is_in_review(browser: Browser) -> None:
    cardiff = assessment_of(CARDIFF)
    editor = signed_in(browser, WELSH_EDITOR)
    editor.get("/language/en?next=/", status=None)
    editor.get("/")
    assert f"/assessments/{cardiff.id}/review" not in editor.last  # submitted, nobody reviews it yet
    in_review()
    editor.get("/")
    assert f'href="/assessments/{cardiff.id}/review"' in editor.last
    assert "Answer the peer review" in editor.last and "challenges and requests for evidence" in editor.last
