"""What a newcomer trips over on the way from the first standard to submission (issue 7, items 9-14, 17, 19):
each test reads the page as the person sees it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, Organisation

from .conftest import ADMIN, EDITOR, VIEWER, WELSH_EDITOR, Browser
from .test_journey import complete, fill, form_fields, leeds_2011, standard_url

# Written out by hand (not from Babel): what people should read.
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
MONTHS_CY = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
             "Tachwedd", "Rhagfyr")
# The 2011.1 scale (standards/csp-commissioning-2011.1.yaml), as people should read each level.
LEVELS_EN = ("0 – Not in place", "1 – Emerging", "2 – Developing", "3 – Established", "4 – Embedded")


def criterion_block(html: str, criterion_id: str) -> str:
    """The part of a standard's page that asks one criterion."""
    start = html.index(f'id="criterion-{criterion_id}"')
    following = html.find('class="csp-criterion"', start + 1)
    return html[start:following if following > 0 else len(html)]


def label_of(block: str, suffix: str) -> str:
    return re.sub(r"\s+", " ", re.search(rf'for="c\d+_{suffix}">(.*?)</label>', block, re.S).group(1)).strip()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


# ----------------------------------------------------------------------------------------------------------
# 9. Which answers need evidence, said before check answers


def test_each_question_says_from_which_level_evidence_is_needed(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    browser.get(standard_url(assessment, "L2"))
    # L2.1 is yes/no with evidence_from 4 (= yes); L2.2 is a level with evidence_from 3 (the standards file).
    assert "Evidence needed if you answer yes" in text_of(criterion_block(browser.last, "L2.1"))
    level_block = criterion_block(browser.last, "L2.2")
    hint = re.search(r'<div id="(c\d+_answer-hint)" class="govuk-hint">(.*?)</div>', level_block, re.S)
    assert text_of(hint.group(2)).strip() == "Evidence needed if you choose 3 – Established or above"
    # The hint belongs to the question: a screen reader hears it with the legend.
    assert f'aria-describedby="{hint.group(1)}"' in level_block


def test_evidence_fields_stop_saying_optional_once_the_rating_needs_evidence(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    fill(assessment, "L3", browser, {"L3.1": "3", "L3.2": "1"})
    browser.get(standard_url(assessment, "L3"))
    needing, not_needing = criterion_block(browser.last, "L3.1"), criterion_block(browser.last, "L3.2")
    assert label_of(needing, "note") == "Evidence note"
    assert label_of(needing, "files") == "Upload evidence files"
    assert "Your answer needs evidence before you can submit" in needing
    assert label_of(not_needing, "note") == "Evidence note (optional)"
    assert label_of(not_needing, "files") == "Upload evidence files (optional)"


def test_a_rating_just_chosen_counts_when_the_page_comes_back_with_an_error(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    response = fill(assessment, "L3", browser, {"L3.2": "4", "L3.1": "9"})  # 9 is not on the scale
    assert response.status_code == 400
    assert label_of(criterion_block(browser.last, "L3.2"), "note") == "Evidence note"


def test_the_page_switches_the_wording_as_a_rating_is_picked_with_javascript(browser: Browser) -> None:
    """Without a save, evidence.js has what it needs: which values need evidence and both wordings."""
    browser.sign_in(EDITOR)
    browser.get(standard_url(leeds_2011(), "L3"))
    block = criterion_block(browser.last, "L3.1")
    assert 'data-evidence-values="3 4"' in block and 'data-note-needed="Evidence note"' in block
    assert "dist/evidence.js" in browser.last


def test_each_standard_says_how_far_through_the_assessment_it_is(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standards = assessment.cycle.framework_version.rules().standards
    browser.get(standard_url(assessment, standards[2].id))
    assert f"Standard 3 of {len(standards)}: Leadership and governance" in text_of(browser.last)


# ----------------------------------------------------------------------------------------------------------
# 10. The guidance panel is HTML, not text


def test_guidance_is_rendered_not_shown_as_markup(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    for language in ("en", "cy"):
        browser.get(f"/language/{language}?next=/", status=302)
        for standard in assessment.cycle.framework_version.rules().standards:
            browser.get(standard_url(assessment, standard.id))
            assert "&lt;div" not in browser.last and "&lt;/div" not in browser.last, (language, standard.id)
            # The guidance is English only: on Welsh pages it comes wrapped in lang="en".
            assert re.search(r'<div class="csp-guidance">(<div lang="en">)?<p class="govuk-body">', browser.last)


# ----------------------------------------------------------------------------------------------------------
# 11. From check answers to a standard and back


def test_a_blocker_link_leads_back_to_check_answers_after_saving(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    check = f"/assessments/{assessment.id}/check"
    browser.get(check)
    link = re.search(r'<h2 class="govuk-heading-m" id="unanswered">.*?href="([^"]+)"', browser.last, re.S).group(1)
    link = link.replace("&amp;", "&")
    path, _, anchor = link.partition("#")
    assert "return=check" in path and anchor.startswith("criterion-")
    criterion_id = anchor.removeprefix("criterion-")
    browser.get(path)
    assert '<input type="hidden" name="return" value="check">' in browser.last
    assert f'href="{check}"' in browser.last  # the back link goes back there too
    names = form_fields(browser, path)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', browser.last).group(1)
    framework = assessment.cycle.framework_version.rules()
    choice = "yes" if framework.criterion(criterion_id).type == "yesno" else "1"
    response = browser.post(path, {"revision": revision, "return": "check", "save_continue": "x",
                                   f"{names[criterion_id]}_answer": choice}, content_type="multipart/form-data")
    assert response.status_code == 303 and response.location.endswith(check)
    browser.get(check)
    assert "Your answers were saved" in browser.last


def test_a_change_link_leads_back_to_check_answers(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    browser.get(f"/assessments/{assessment.id}/check")
    change = re.search(r'<dd class="govuk-summary-list__actions">\s*<a class="govuk-link" href="([^"]+)"',
                       browser.last)
    assert "return=check" in change.group(1)
    # Without return=check, Save and continue still leads on to the next standard.
    framework = assessment.cycle.framework_version.rules()
    first = framework.standards[0]
    response = fill(assessment, first.id, browser, {})
    assert response.location.endswith(standard_url(assessment, framework.standards[1].id))


def test_uploading_from_a_blocker_link_keeps_the_way_back(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    url = standard_url(assessment, "L1") + "?return=check"
    browser.get(url)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', browser.last).group(1)
    response = browser.post(url, {"revision": revision, "upload": "L1.1", "return": "check"},
                            content_type="multipart/form-data")
    assert response.status_code == 303 and response.location.endswith("/standards/L1?return=check")


# ----------------------------------------------------------------------------------------------------------
# 12. A level is named with its number


def test_levels_carry_their_numbers_wherever_they_are_named(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    browser.get(standard_url(assessment, "L1"))
    labels = [re.sub(r"\s+", " ", m).strip() for m in re.findall(
        r'<label class="govuk-label govuk-radios__label" for="c0_answer[^"]*">(.*?)</label>', browser.last, re.S)]
    assert labels == list(LEVELS_EN)
    assert "mandatory: at least level 2 – Developing" in browser.last  # L1.1: mandatory, minimum_level 2
    fill(assessment, "L1", browser, {"L1.2": "2"})
    browser.get(f"/assessments/{assessment.id}/check")
    assert "2 – Developing" in browser.last
    viewer = Browser(browser.client.application.test_client())
    viewer.sign_in(VIEWER)
    camden = db.session.execute(select(Organisation).filter_by(code="202")).scalar_one()
    own = db.session.execute(select(Assessment).filter_by(organisation_id=camden.id)).scalars().first()
    viewer.get(standard_url(own, "L1"))  # the read-only page
    assert re.search(r"<p class=\"govuk-body\">[0-4] – \w", viewer.last), viewer.text()[:2000]


# ----------------------------------------------------------------------------------------------------------
# 13 and 14. After submission; and a check answers page that starts with what matters


def test_check_answers_puts_blockers_and_submit_before_the_answers(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    browser.get(f"/assessments/{assessment.id}/check")
    page = browser.last
    first_answers = page.index('<dl class="govuk-summary-list">', page.index("Answers by domain"))
    assert page.index("You cannot submit yet") < page.index("Submit your assessment") < first_answers
    # Every answer is inside its domain's details element: closed, the page is short.
    framework = assessment.cycle.framework_version.rules()
    assert page.count('<details class="govuk-details csp-domain-answers"') == len(framework.domains)
    answers_part = page[page.index('<details class="govuk-details csp-domain-answers"'):]
    assert answers_part.count("govuk-summary-list__row") >= len(framework.criteria) - 10
    complete(browser, assessment)
    browser.get(f"/assessments/{assessment.id}/check")
    assert browser.last.index('name="declaration"') < browser.last.index("Answers by domain")


def test_after_submission_home_shows_the_state_date_and_scores(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    complete(browser, assessment)
    response = browser.post(f"/assessments/{assessment.id}/submit", {"declaration": "y"},
                            token_from=f"/assessments/{assessment.id}/check")
    assert response.status_code == 303
    today = datetime.now(UTC).date()  # submitted just now (Europe/London: the same day but around midnight)
    browser.get("/")
    text = text_of(browser.last)
    assert "Check and submit" not in text and "and submit the assessment" not in text
    assert "Submitted" in text and f"{today.day} {MONTHS_EN[today.month - 1]} {today.year}" in text
    # complete() rates every criterion at the top of the scale: 100.0 and Exceeded, overall and in each domain.
    assert "Your scores" in text and "Overall 100.0 Exceeded" in text
    assert "Director of Children's Services, Leeds" in text  # who submitted
    browser.get(f"/assessments/{assessment.id}/check")
    assert "<title>Your submitted answers" in browser.last and "Check your answers" not in browser.last
    assert 'name="declaration"' not in browser.last


# ----------------------------------------------------------------------------------------------------------
# 17. Dates


def not_started(code: str) -> None:
    """The authority has no assessment in the open cycle (the demo may have seeded one)."""
    organisation = db.session.execute(select(Organisation).filter_by(code=code)).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    for assessment in db.session.execute(select(Assessment).filter_by(organisation_id=organisation.id,
                                                                      cycle_id=cycle.id)).scalars():
        db.session.delete(assessment)
    db.session.commit()


def test_dates_read_day_month_year_in_english_and_in_welsh(browser: Browser) -> None:
    not_started("681")  # Cardiff: its home page says until when the cycle is open
    browser.sign_in(WELSH_EDITOR)
    closes = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one().closes_on
    browser.get("/")
    assert f"is open until {closes.day} {MONTHS_EN[closes.month - 1]} {closes.year}." in text_of(browser.last)
    browser.get("/language/cy?next=/", status=302)
    browser.get("/")
    assert f"ar agor tan {closes.day} {MONTHS_CY[closes.month - 1]} {closes.year}." in text_of(browser.last)


def test_history_dates_and_field_names_read_as_words(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    fill(assessment, "L1", browser, {"L1.2": "3"}, {"L1.2": "Board minutes"})
    browser.get(f"/assessments/{assessment.id}/history")
    text = text_of(browser.last)
    assert "Answer: 3 – Established; Evidence note: Board minutes" in text
    assert re.search(rf"\b\d{{1,2}} ({'|'.join(MONTHS_EN)}) \d{{4}}, \d\d:\d\d\b", text)
    browser.get("/language/cy?next=/", status=302)
    browser.get(f"/assessments/{assessment.id}/history")
    text = text_of(browser.last)
    assert "Ateb: 3 – Wedi ymsefydlu; Nodyn tystiolaeth: Board minutes" in text
    assert re.search(rf"\b\d{{1,2}} ({'|'.join(MONTHS_CY)}) \d{{4}}, \d\d:\d\d\b", text)


def test_the_state_in_the_history_is_a_word_in_the_page_language(browser: Browser) -> None:
    not_started("681")
    browser.sign_in(WELSH_EDITOR)
    assert browser.post("/cycles/2011/start", {"carry_over": "no"}, token_from="/").status_code == 302
    cardiff = db.session.execute(select(Organisation).filter_by(code="681")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    started = db.session.execute(select(Assessment).filter_by(organisation_id=cardiff.id,
                                                              cycle_id=cycle.id)).scalar_one()
    browser.get(f"/assessments/{started.id}/history")
    assert "Status: Draft" in text_of(browser.last) and "state: draft" not in browser.last
    browser.get("/language/cy?next=/", status=302)
    browser.get(f"/assessments/{started.id}/history")
    text = text_of(browser.last)
    assert "Statws: Drafft" in text and "Asesiad wedi'i ddechrau" in text


# ----------------------------------------------------------------------------------------------------------
# 19. Programme admins find and read any authority's assessment


def test_an_admin_finds_and_reads_any_assessment(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    response = browser.get("/", status=302)
    assert response.location.endswith("/admin/assessments")
    browser.get("/admin/assessments")
    leeds = leeds_2011()
    link = f'href="/assessments/{leeds.id}"'
    assert link in browser.last and "Leeds" in browser.last and "2011 self-assessment" in browser.last
    count = db.session.execute(select(Assessment).join(Cycle).filter(Cycle.slug == "2011")).scalars().all()
    assert f"{len(count)} assessments" in browser.last
    browser.get(f"/assessments/{leeds.id}")
    assert "Leeds" in browser.last
    # Filtered by state: only drafts (Leeds is one), and Camden's submitted one is not listed.
    browser.get("/admin/assessments?cycle=2011&state=draft")
    camden = db.session.execute(select(Organisation).filter_by(code="202")).scalar_one()
    camden_2011 = next(a for a in count if a.organisation_id == camden.id)
    assert link in browser.last
    assert (f'href="/assessments/{camden_2011.id}"' in browser.last) == (camden_2011.state == "draft")
    browser.get("/admin/assessments?cycle=1999", status=404)


def test_the_admin_menu_has_one_benchmarks_item(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get("/admin/assessments")
    menu = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', browser.last, re.S).group(0)
    items = [text_of(m).strip() for m in re.findall(r"<a [^>]*>(.*?)</a>", menu, re.S)]
    hrefs = re.findall(r'href="([^"]+)"', menu)
    assert items == ["Assessments", "Benchmarks", "Peer reviews", "Calibration", "Batch exports", "Users"]
    assert len(set(hrefs)) == len(hrefs)


def test_only_admins_see_the_list_of_assessments(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/admin/assessments", status=403)


def test_the_list_of_assessments_makes_no_query_per_row(browser: Browser) -> None:
    from sqlalchemy import event

    browser.sign_in(ADMIN)

    def queries(url: str) -> tuple[int, int]:
        statements: list[str] = []

        def record(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            browser.get(url)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements), browser.last.count('href="/assessments/')

    few, shown_few = queries("/admin/assessments?cycle=2011&state=draft")
    every, shown_every = queries("/admin/assessments?cycle=2011")
    assert shown_every > shown_few > 0 and every == few
