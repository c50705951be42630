"""The programme's calibration page (issue 9): champions' completed reviews and authorities' gaps across cycles,
against figures worked by hand from stored overall scores set for the test; who may see it; Welsh; query counts."""

from __future__ import annotations

import html

import pytest
from flask import Flask
from sqlalchemy import select

from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AssessmentScore, Cycle, Organisation, ReviewAssignment, User
from csptoolkit.services.accounts import create_user
from csptoolkit.services.demo import DEMO_PASSWORD
from csptoolkit.services.scores import scores_changed

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, Browser, parse
from .test_query_counts import counting, summary

URL = "/admin/calibration"
MINUS = "\u2212"


# ----------------------------------------------------------------------------------------------------------
# Setting up known figures


def cycle(slug: str) -> Cycle:
    return db.session.execute(select(Cycle).filter_by(slug=slug)).scalar_one()


def moderated_assessments(slug: str, count: int, skip: int = 0) -> list[Assessment]:
    """English assessments of the cycle whose moderation is complete, by authority code."""
    return list(db.session.execute(
        select(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Assessment.cycle_id == cycle(slug).id, Assessment.state.in_(states.MODERATED_STATES),
               Organisation.nation == "england")
        .order_by(Organisation.code).offset(skip).limit(count)).scalars())


def set_overall(assessment: Assessment, own: float, moderated: float | None) -> None:
    """Store the assessment's overall scores of every answer (self-assessed, and moderated unless None)."""
    for basis, value in (("self", own), ("moderated", moderated)):
        if value is None:
            continue
        row = db.session.execute(select(AssessmentScore).filter_by(
            assessment_id=assessment.id, basis=basis, confidence="", scope="overall", key="")).scalar_one()
        row.score = value
    scores_changed(db.session, assessment.cycle_id)  # as every writer of a stored score must
    db.session.commit()


def champion(name: str, email: str) -> User:
    user = create_user(db.session, email, "champion", DEMO_PASSWORD, name=name)
    db.session.commit()
    return user


def assign(user: User, *assessments: Assessment) -> None:
    db.session.add_all(ReviewAssignment(assessment_id=a.id, champion_id=user.id, state="completed")
                       for a in assessments)
    db.session.commit()


# ----------------------------------------------------------------------------------------------------------
# Reading the page


def tables(html: str) -> dict[str, list[list[str]]]:
    """Every table of the page by its caption: its rows (the head's included) as the cells' text."""
    document = parse(html)
    found = {}
    for table in document.iter("table"):
        caption = table.find("caption")
        rows = [[" ".join(" ".join(cell.itertext()).split()) for cell in row if cell.tag in ("th", "td")]
                for row in table.iter("tr")]
        found[" ".join("".join(caption.itertext()).split()) if caption is not None else ""] = rows
    return found


def champion_rows(html: str) -> dict[str, list[str]]:
    (rows,) = [rows for caption, rows in tables(html).items() if caption.startswith("Completed reviews in")]
    assert rows[0] == ["Champion", "Completed reviews", "Mean absolute gap"]
    return {row[0]: row[1:] for row in rows[1:]}


def authority_captions(html: str) -> list[str]:
    return [caption for caption in tables(html) if not caption.startswith(("Completed reviews", "Adolygiadau"))]


# ----------------------------------------------------------------------------------------------------------
# The figures


@pytest.fixture
def reviews(seeded_app: Flask) -> dict:
    """Two new champions. Ann Ashby has three completed reviews in 2010 and one in 2011, and one 2011 review still
    in review (not counted); Zac Zephyr has none.

    2010: self 62.0 -> moderated 59.5 (gap -2.5), 40.0 -> 41.0 (+1.0), 75.25 -> 74.75 (-0.5); 2011: 50.0 -> 52.25
    (+2.25). All cycles: (2.5 + 1.0 + 0.5 + 2.25) / 4 = 6.25 / 4 = 1.5625, shown 1.6. 2011 alone: 2.25, shown 2.3
    (half-up: half-even would read 2.2). 2010 alone: 4.0 / 3 = 1.33..., shown 1.3.
    """
    first = moderated_assessments("2010", 3)
    later = moderated_assessments("2011", 1)
    in_review = db.session.execute(select(Assessment).where(
        Assessment.cycle_id == cycle("2011").id, Assessment.state == states.IN_REVIEW)).scalars().first()
    for a, own, moderated in zip([*first, *later], (62.0, 40.0, 75.25, 50.0), (59.5, 41.0, 74.75, 52.25),
                                 strict=True):
        set_overall(a, own, moderated)
    ann = champion("Ann Ashby", "ann@champions.example")
    assign(ann, *first, *later, in_review)
    zac = champion("Zac Zephyr", "zac@champions.example")
    return {"ann": ann, "zac": zac, "first": first, "later": later}


def test_champions_with_their_completed_reviews_and_mean_absolute_gap(browser: Browser, reviews: dict) -> None:
    browser.sign_in(ADMIN)
    browser.get(URL)
    rows = champion_rows(browser.last)
    assert rows["Ann Ashby"] == ["4", "1.6"]
    assert rows["Zac Zephyr"] == ["0", "-"]
    names = list(rows)
    assert names == sorted(names, key=str.casefold) and "Commissioning Champion" in names  # by name
    assert "Completed reviews in all cycles, by champion's name" in tables(browser.last)
    # The navigation's item for the page is the current one.
    assert '<a class="govuk-service-navigation__link" href="/admin/calibration" aria-current="true">' in browser.last

    browser.get(f"{URL}?cycle=2011")
    assert champion_rows(browser.last)["Ann Ashby"] == ["1", "2.3"]
    browser.get(f"{URL}?cycle=2010")
    assert champion_rows(browser.last)["Ann Ashby"] == ["3", "1.3"]
    assert champion_rows(browser.last)["Zac Zephyr"] == ["0", "-"]
    browser.get(f"{URL}?cycle=1999", status=404)


def test_an_authority_across_cycles_largest_mean_absolute_gap_first(browser: Browser, reviews: dict) -> None:
    """One authority moderated in both cycles: 2010 self 62.35 (reads 62.4) -> 60.04 (60.0), gap as read -2.4
    (exactly -2.31); 2011 48.0 -> 97.9, gap +49.9. Mean of the exact gaps (2.31 + 49.9) / 2 = 26.105, shown 26.1
    (the mean of the gaps as read, (2.4 + 49.9) / 2 = 26.15, would read 26.2).
    Nothing else has a gap near that, so it comes first of all; its region's filter finds it too (an authority
    none of Ann Ashby's reviews is of, so that her figures stay as worked out)."""
    hers = {a.organisation_id for a in [*reviews["first"], *reviews["later"]]}
    both = db.session.execute(
        select(Organisation).join(Assessment, Assessment.organisation_id == Organisation.id)
        .where(Assessment.cycle_id == cycle("2011").id, Assessment.state.in_(states.MODERATED_STATES),
               Organisation.id.in_(select(Assessment.organisation_id).where(
                   Assessment.cycle_id == cycle("2010").id, Assessment.state.in_(states.MODERATED_STATES))),
               Organisation.id.not_in(hers))
        .order_by(Organisation.code)).scalars().first()
    assessments = {a.cycle.slug: a for a in db.session.execute(
        select(Assessment).filter_by(organisation_id=both.id)).scalars()}
    set_overall(assessments["2010"], 62.35, 60.04)
    set_overall(assessments["2011"], 48.0, 97.9)
    caption = f"{both.name} ({both.code}), {both.dfe_region}"
    expected = [["Cycle", "Self-assessed", "Moderated", "Gap"],
                ["2010 self-assessment " + states_label(assessments["2010"].state), "62.4", "60.0", f"{MINUS}2.4"],
                ["2011 self-assessment " + states_label(assessments["2011"].state), "48.0", "97.9", "+49.9"],
                ["Mean absolute gap across 2 moderated cycles", "26.1"]]

    browser.sign_in(ADMIN)
    browser.get(URL)
    assert "Authorities, largest mean absolute gap first" in browser.text()
    captions = authority_captions(browser.last)
    assert captions[0] == caption and len(captions) == 50  # 50 a page
    assert tables(browser.last)[caption] == expected
    assert 'class="govuk-pagination' in browser.last and "page=2" in browser.last
    browser.get(f"{URL}?page=2")
    assert caption not in authority_captions(browser.last)
    browser.get(f"{URL}?region={both.dfe_region}&cycle=2011")
    assert tables(browser.last)[caption] == expected
    assert all(c.endswith(f", {both.dfe_region}") for c in authority_captions(browser.last))
    assert champion_rows(browser.last)["Ann Ashby"] == ["1", "2.3"]  # the champions' cycle is kept
    browser.get(f"{URL}?region=Atlantis", status=404)


def states_label(state: str) -> str:
    return {"moderated": "Moderated", "published": "Published"}[state]


def test_a_cycle_not_yet_moderated_shows_its_self_assessed_score_only(browser: Browser) -> None:
    """An authority published in 2010 (60.0 -> 57.0) and only submitted or in review in 2011 (71.0): 2011 reads
    71.0, -, -, and the mean is that of 2010 alone: 3.0."""
    found = db.session.execute(
        select(Organisation, Assessment).join(Assessment, Assessment.organisation_id == Organisation.id)
        .where(Assessment.cycle_id == cycle("2011").id,
               Assessment.state.in_((states.SUBMITTED, states.IN_REVIEW)),
               Organisation.id.in_(select(Assessment.organisation_id).where(
                   Assessment.cycle_id == cycle("2010").id, Assessment.state.in_(states.MODERATED_STATES))))
        .order_by(Organisation.code)).first()
    organisation, later = found
    earlier = db.session.execute(select(Assessment).filter_by(organisation_id=organisation.id,
                                                              cycle_id=cycle("2010").id)).scalar_one()
    set_overall(earlier, 60.0, 57.0)
    set_overall(later, 71.0, None)
    browser.sign_in(ADMIN)
    browser.get(f"{URL}?region={organisation.dfe_region}")
    rows = tables(browser.last)[f"{organisation.name} ({organisation.code}), {organisation.dfe_region}"]
    assert rows[2][1:] == ["71.0", "-", "-"] and rows[2][0].startswith("2011 self-assessment ")
    assert rows[3] == ["Mean absolute gap across 1 moderated cycle", "3.0"]


@pytest.mark.parametrize("email", [CHAMPION, EDITOR, VIEWER])
def test_only_programme_admins_may_see_it(browser: Browser, email: str) -> None:
    browser.sign_in(email)
    browser.get(URL, status=403)
    browser.get(f"{URL}?cycle=2011&region=London", status=403)
    assert "/admin/calibration" not in browser.client.get("/").get_data(as_text=True)


def test_signed_out_is_sent_to_sign_in(browser: Browser) -> None:
    response = browser.get(URL, status=302)
    assert "/sign-in" in response.location


def test_the_welsh_page_is_welsh(browser: Browser, reviews: dict) -> None:
    browser.sign_in(ADMIN)
    browser.get("/language/cy?next=/admin/calibration", status=302)
    browser.get(f"{URL}?cycle=2011")
    assert '<html lang="cy"' in browser.last
    text = html.unescape(browser.text())
    for welsh in ("Graddnodi", "Bwlch absoliwt cymedrig", "Adolygiadau wedi'u cwblhau", "Hyrwyddwr",
                  "Awdurdodau, y bwlch absoliwt cymedrig mwyaf yn gyntaf", "Wedi'i hunanasesu", "Bwlch"):
        assert welsh in text, welsh
    for english in ("Calibration", "Mean absolute gap", "Completed reviews", "largest", "Self-assessed"):
        assert english not in text, english
    (rows,) = [rows for caption, rows in tables(browser.last).items() if caption.startswith("Adolygiadau")]
    assert ["Ann Ashby", "1", "2.3"] in rows


def page_queries(app: Flask, browser: Browser, url: str) -> list[str]:
    """The statements the second of two GETs of the page sends."""
    for _attempt in range(2):
        with counting(app) as statements:
            browser.get(url)
    return statements


def test_the_query_count_does_not_grow_with_the_reviews(seeded_app: Flask, browser: Browser) -> None:
    browser.sign_in(ADMIN)
    before = {url: page_queries(seeded_app, browser, url) for url in (URL, f"{URL}?cycle=2010")}
    ann = champion("Ann Ashby", "ann@champions.example")
    assign(ann, *moderated_assessments("2010", 30), *moderated_assessments("2011", 10))
    for number in range(5):
        assign(champion(f"Champion {number}", f"c{number}@champions.example"),
               *moderated_assessments("2010", 10, skip=10 * number))
    for url, statements in before.items():
        after = page_queries(seeded_app, browser, url)
        assert len(after) == len(statements), summary(after)
        assert len(after) <= 10, summary(after)
