"""Peer review from end to end in headless Chromium: a champion records findings, the authority's editor answers a
challenge, the champion sets the moderated level, completes moderation, and the programme publishes; every new
page is checked with axe-core at every impact level, in English and Welsh, at 1,280 and 375 px wide."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select

from csptoolkit.domain import scoring, states
from csptoolkit.domain import standards as standards_rules
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, Organisation, ReviewAssignment
from csptoolkit.models.organisation import ENGLAND
from csptoolkit.services import reviews
from csptoolkit.services.accounts import create_user, find_user
from csptoolkit.services.scores import answers_of
from csptoolkit.services.transaction import unit_of_work

from .test_browser_journey import ARGS, CHROMIUM, PASSWORD, live_server  # noqa: F401 (a fixture)
from .test_crawl import ADMIN, CHAMPION, WIDTHS, check_page

pytestmark = pytest.mark.e2e

EDITOR_EMAIL, EDITOR_PASSWORD = "editor@journey.example", "a long enough password for the journey"
CHALLENGE_REASON = "The strategy was agreed by the board but the partners have not signed it."
KEEP_REASON = "Every partner signed the strategy in March: the minutes are attached to the standard."


@dataclass(frozen=True)
class Setup:
    """The assessment under review, the standard the champion opens first, the criterion agreed and the one
    challenged there (with the authority's level and the level proposed)."""

    assessment_id: int
    authority: str
    standard: str
    agreed: str
    challenged: str
    rating: int
    proposed: int


@pytest.fixture
def chromium(live_server: str) -> Iterator:  # noqa: F811 (the fixture imported above)
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make browser (or apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _signed_in(browser, base_url: str, email: str, password: str = PASSWORD):
    """A page in a browser context of its own (as each person has their own browser), signed in."""
    # bypass_csp only so that axe-core can be injected; the pages run under their real policy otherwise.
    context = browser.new_context(base_url=base_url, viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/sign-in" not in page.url, f"{email} could not sign in"
    return page


def _set_up() -> Setup:
    """In the test's database: a submitted 2011 English assessment nobody reviews yet, an editor for its
    authority, and the demo champion assigned to it (the evidence sample drawn as any assignment draws it)."""
    assessment = db.session.execute(
        select(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id)
        .where(Cycle.slug == "2011", Assessment.state == states.SUBMITTED, Organisation.nation == ENGLAND,
               ~Assessment.id.in_(select(ReviewAssignment.assessment_id)))
        .order_by(Organisation.name)).scalars().first()
    assert assessment is not None
    with unit_of_work(db.session):
        create_user(db.session, EDITOR_EMAIL, "editor", EDITOR_PASSWORD, name="Journey Editor",
                    organisation_code=assessment.organisation.code)
    assignment = reviews.assign(db.session, find_user(db.session, ADMIN), assessment,
                                find_user(db.session, CHAMPION))
    sample = set(assignment.sample)
    framework = assessment.cycle.framework_version.rules()
    answers = answers_of(assessment)
    visible = scoring.visible_criteria(framework, answers)

    def rated(c: standards_rules.Criterion) -> bool:
        return c.id in visible and answers.get(c.id) not in (None, scoring.NA)

    # A standard with a sampled criterion to agree and another rated one (sampled if there is one) to challenge.
    choice = None
    for standard in framework.standards:
        sampled = [c for c in standard.criteria if rated(c) and c.id in sample]
        levels = [c for c in standard.criteria if rated(c) and c.type == standards_rules.LEVEL]
        for agreed in sampled:
            others = sorted((c for c in levels if c.id != agreed.id), key=lambda c: c.id not in sample)
            if others:
                candidate = (standard, agreed, others[0])
                if others[0].id in sample:
                    choice = candidate
                    break
                choice = choice or candidate
        if choice and choice[2].id in sample:
            break
    assert choice is not None, "no standard with a sampled criterion and another rated one"
    standard, agreed, challenged = choice
    rating = int(answers[challenged.id])
    proposed = rating - 1 if rating >= 1 else rating + 1
    db.session.remove()  # the server's threads read what was committed
    return Setup(assessment.id, assessment.organisation.name, standard.id, agreed.id, challenged.id, rating,
                 proposed)


def _audit(page, where: str, problems: list[str]) -> None:
    """axe-core at every impact level and sideways scrolling, at both widths, in English and then in Welsh (with
    what is behind any details element too); the page is left in English at 1,280 px."""
    parts = urlsplit(page.url)
    here = parts.path + (f"?{parts.query}" if parts.query else "")
    for language in ("en", "cy"):
        if language != "en":
            page.goto(f"/language/{language}?next={quote(here, safe='')}")
        assert page.locator("html").get_attribute("lang") == language, f"{where} ({language})"
        problems += check_page(page, f"{where} ({language})")
        if page.locator("details").count():
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            problems += check_page(page, f"{where} ({language}, details open)")
    page.goto(f"/language/en?next={quote(here, safe='')}")
    assert page.locator("html").get_attribute("lang") == "en"
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _criterion(page, cid: str):
    return page.locator(f"[id='criterion-{cid}']")


def _number(text: str) -> Decimal:
    """A score or gap as the table shows it ("62.3", "+2.5", "−10.0")."""
    return Decimal(text.strip().replace("\u2212", "-").replace("+", "").replace(",", ""))


def _left(page) -> list[tuple[str, str]]:
    """What the review overview lists as left before moderation can be completed: (text, href)."""
    heading = page.get_by_role("heading", name="What is left before moderation can be completed")
    items = heading.locator("xpath=following-sibling::ul[1]/li/a")
    return [(items.nth(i).inner_text().strip(), items.nth(i).get_attribute("href")) for i in range(items.count())]


def _save_findings(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save findings").click()
    assert page.locator(".govuk-error-summary").count() == 0, page.locator("main").inner_text()[:2000]
    assert re.search(r"/reviews/\d+$", urlsplit(page.url).path), page.url
    assert page.get_by_text("were saved").count() >= 1


def test_a_peer_review_from_the_first_finding_to_publication(chromium, live_server: str) -> None:  # noqa: F811
    setup = _set_up()
    review_url, standard_url = f"/reviews/{setup.assessment_id}", \
        f"/reviews/{setup.assessment_id}/standards/{setup.standard}"
    problems: list[str] = []

    # The champion finds the review in their list, filtered to the cycle's reviews in progress.
    champion = _signed_in(chromium, live_server, CHAMPION)
    assert champion.get_by_role("heading", name="Your peer reviews").is_visible()
    champion.get_by_label("Cycle").select_option("2011")
    champion.get_by_label("Status").select_option(states.IN_REVIEW)
    champion.get_by_label("Sort by").select_option("name")
    with champion.expect_navigation():
        champion.get_by_role("button", name="Show").click()
    assert "state=in_review" in champion.url and "cycle=2011" in champion.url
    _audit(champion, "champion home, filtered", problems)
    with champion.expect_navigation():
        champion.get_by_role("link", name=setup.authority, exact=True).click()
    assert urlsplit(champion.url).path == review_url
    assert champion.get_by_role("heading", name=f"Review of {setup.authority}").is_visible()
    _audit(champion, "review overview", problems)

    # A standard with a sampled criterion: agree with one rating, challenge another with a level and a reason.
    with champion.expect_navigation():
        champion.locator(f"a[href$='/standards/{setup.standard}']").first.click()
    assert urlsplit(champion.url).path == standard_url
    assert _criterion(champion, setup.agreed).locator(".govuk-tag", has_text="In the evidence sample").count() == 1
    _audit(champion, "review standard (form)", problems)
    _criterion(champion, setup.agreed).get_by_role("radio", name="Agree", exact=True).check()
    challenged = _criterion(champion, setup.challenged)
    challenged.get_by_role("radio", name="Challenge", exact=True).check()
    challenged.get_by_label(f"Level you propose for {setup.challenged}").select_option(str(setup.proposed))
    challenged.get_by_label(f"Why you challenge the rating of {setup.challenged}").fill(CHALLENGE_REASON)
    _save_findings(champion)
    left = dict(_left(champion))
    assert f"{setup.challenged}: awaiting the authority's answer" in left
    assert not any(text.startswith(f"{setup.agreed}:") for text in left)

    # The authority's editor reads the challenge from the assessment's overview and keeps their rating.
    editor = _signed_in(chromium, live_server, EDITOR_EMAIL, EDITOR_PASSWORD)
    editor.goto(f"/assessments/{setup.assessment_id}")
    peer_review = editor.get_by_role("heading", name="Peer review")
    assert peer_review.is_visible()
    assert editor.get_by_text("1 challenge or request for evidence").is_visible()
    _audit(editor, "assessment overview in review (editor)", problems)
    with editor.expect_navigation():
        editor.get_by_role("link", name="Answer the challenges and requests for evidence").click()
    assert urlsplit(editor.url).path == f"/assessments/{setup.assessment_id}/review"
    assert editor.get_by_text(CHALLENGE_REASON).is_visible()
    _audit(editor, "the authority's review page (form)", problems)
    answer = editor.get_by_role("group", name=f"How do you answer the finding on {setup.challenged}?")
    answer.get_by_role("radio", name="Keep our rating").check()
    token = answer.get_by_role("radio").first.get_attribute("name").removesuffix("_response")
    note = editor.get_by_label("Why does your rating stand?")
    assert note.count() == 1 and note.get_attribute("id") == f"{token}_keep"  # the note of this finding's answer
    note.fill(KEEP_REASON)
    with editor.expect_navigation():
        editor.get_by_role("button", name="Save your answers").click()
    assert editor.locator(".govuk-error-summary").count() == 0, editor.locator("main").inner_text()[:2000]
    assert editor.get_by_text("1 answer was saved").is_visible()
    assert editor.get_by_text(KEEP_REASON).count() >= 1
    _audit(editor, "the authority's review page (answered)", problems)
    editor.context.close()

    # The champion comes back, reads the answer and sets the moderated level: the level they proposed.
    champion.reload()
    left = dict(_left(champion))
    needs_level = f"{setup.challenged}: answered by the authority, needs your moderated level"
    assert needs_level in left
    with champion.expect_navigation():
        champion.get_by_role("link", name=needs_level).click()
    assert urlsplit(champion.url).path == standard_url
    challenged = _criterion(champion, setup.challenged)
    assert challenged.get_by_text(KEEP_REASON).is_visible()
    _audit(champion, "review standard (form, answered)", problems)
    challenged.get_by_label(f"Moderated level of {setup.challenged}").select_option(str(setup.proposed))
    _save_findings(champion)

    # Agree with every other sampled criterion, standard by standard, as the overview lists them.
    for _ in range(40):
        missing = [(text.split(":")[0], href) for text, href in _left(champion)
                   if text.endswith("in the evidence sample, no finding yet")]
        if not missing:
            break
        page_of = missing[0][1].split("#")[0]
        champion.goto(page_of)
        for cid, href in missing:
            if href.split("#")[0] == page_of:
                _criterion(champion, cid).get_by_role("radio", name="Agree", exact=True).check()
        _save_findings(champion)
    assert _left(champion) == []
    assert champion.get_by_text("Nothing: every sampled criterion has a finding").is_visible()
    with champion.expect_navigation():
        champion.get_by_role("button", name="Complete moderation").click()
    assert champion.get_by_text(f"Moderation of {setup.authority} is complete").is_visible()
    assert champion.get_by_role("button", name="Complete moderation").count() == 0
    _audit(champion, "review overview (moderated)", problems)
    champion.goto(standard_url)
    assert champion.locator("input[type=radio]").count() == 0 and champion.locator("select").count() == 0
    assert _criterion(champion, setup.challenged).get_by_text(CHALLENGE_REASON).is_visible()
    _audit(champion, "review standard (read-only)", problems)

    # The assessment shows the moderated scores beside the self-assessed, with the gap.
    champion.goto(f"/assessments/{setup.assessment_id}")
    section = champion.locator("dl.govuk-summary-list").filter(has=champion.get_by_text("Awaiting the authority"))
    assert section.locator(".govuk-tag").inner_text().strip() == "Moderated"
    table = champion.locator("table").filter(
        has=champion.get_by_text("Self-assessed and moderated scores, out of 100, and the gap between them"))
    assert table.count() == 1
    heads = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert heads == ["Area", "Self-assessed", "Moderated", "Gap"]
    rows = {row.locator("th").inner_text().strip(): [c.strip() for c in row.locator("td").all_inner_texts()]
            for row in table.locator("tbody tr").all()}
    own, moderated, gap = (_number(text) for text in rows["Overall"])
    # Each figure is rounded on its own (half up, to 0.1), so the shown gap is within 0.1 of the shown difference.
    assert abs(gap - (moderated - own)) <= Decimal("0.1"), rows["Overall"]
    lowered = setup.proposed < setup.rating
    assert (gap < 0) if lowered else (gap > 0), rows["Overall"]
    standard_row = next(cells for name, cells in rows.items() if name.startswith(f"{setup.standard} "))
    own, moderated, gap = (_number(text) for text in standard_row)
    assert abs(gap - (moderated - own)) <= Decimal("0.1") and ((gap < 0) if lowered else (gap > 0)), standard_row
    _audit(champion, "assessment overview (moderated, gap table)", problems)
    champion.context.close()

    # The programme publishes it, and reads the calibration.
    admin = _signed_in(chromium, live_server, ADMIN)
    admin.goto(f"/admin/reviews/{setup.assessment_id}")
    assert admin.get_by_role("heading", name="Publish the moderated assessment").is_visible()
    _audit(admin, "assignment page with Publish", problems)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Publish the moderated assessment").click()
    assert admin.get_by_text(f"The moderated assessment of {setup.authority} was published").is_visible()
    with admin.expect_navigation():
        admin.get_by_role("link", name="Calibration").first.click()
    assert urlsplit(admin.url).path == "/admin/calibration"
    assert admin.get_by_role("heading", name="Calibration", exact=True).is_visible()
    _audit(admin, "calibration", problems)
    admin.context.close()

    db.session.expire_all()
    assert db.session.get(Assessment, setup.assessment_id).state == states.PUBLISHED
    assert problems == [], "\n".join(problems)
