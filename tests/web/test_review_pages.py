"""The programme's peer-review pages: every submitted assessment, assigning champions, returning to the authority."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, Organisation, ReviewAssignment, User
from csptoolkit.services.accounts import create_user
from csptoolkit.services.transaction import unit_of_work

from .conftest import ADMIN, Browser, csrf_token


def _cycle() -> Cycle:
    return db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()


def _unreviewed() -> Assessment:
    return db.session.execute(
        select(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Assessment.cycle_id == _cycle().id, Assessment.state == states.SUBMITTED,
               Organisation.nation == "england",
               ~Assessment.id.in_(select(ReviewAssignment.assessment_id)))
        .order_by(Organisation.name)).scalars().first()


def _post(browser: Browser, url: str, data: dict, prefix: str):
    token = csrf_token(browser.client.get(url).get_data(as_text=True))
    return browser.client.post(url, data={f"{prefix}-csrf_token": token, **data})


def test_the_list_shows_every_submitted_assessment_a_page_at_a_time(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    reviewable = db.session.execute(select(func.count(Assessment.id)).where(
        Assessment.cycle_id == _cycle().id, Assessment.state.in_(
            (states.SUBMITTED, states.IN_REVIEW, states.MODERATED, states.PUBLISHED, states.RETURNED)))).scalar_one()
    assert reviewable > 50  # the demo data needs more than one page
    browser.get("/admin/reviews?cycle=2011")
    assert f"{reviewable} assessments" in browser.text()
    assert len(re.findall(r'<tr class="govuk-table__row">', browser.last)) == 50 + 1  # the head's row, and 50
    assert 'class="govuk-pagination' in browser.last and "page=2" in browser.last
    browser.get("/admin/reviews?cycle=2011&page=2")
    assert len(re.findall(r'<tr class="govuk-table__row">', browser.last)) == min(50, reviewable - 50) + 1
    leeds = db.session.execute(select(Organisation).filter_by(code="383")).scalar_one()
    assert leeds.name not in browser.text()  # a draft is not in the list
    browser.get("/admin/reviews?cycle=2011&state=in_review")
    in_review = db.session.execute(select(func.count(Assessment.id)).where(
        Assessment.cycle_id == _cycle().id, Assessment.state == states.IN_REVIEW)).scalar_one()
    assert f"{in_review} assessment" in browser.text()


def test_assigning_on_the_page_puts_it_in_review_and_filters_find_it(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    assessment = _unreviewed()
    url = f"/admin/reviews/{assessment.id}"
    browser.get(url)
    champion = db.session.execute(select(User).filter_by(email="champion@csptoolkit.example")).scalar_one()
    response = _post(browser, url, {"assign-champion": str(champion.id)}, "assign")
    assert response.status_code == 303
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW
    browser.get(url)
    assert "was assigned to review" in browser.text() and champion.name in browser.text()
    assert re.search(r"Evidence sample: \d+ criteri(on|a) \(", browser.text())  # drawn when assigned
    browser.get(f"/admin/reviews?cycle=2011&champion={champion.id}&state=in_review&region="
                f"{assessment.organisation.dfe_region}")
    assert assessment.organisation.name in browser.text()


def test_a_champion_from_the_authority_is_refused_and_a_neighbour_needs_the_box_ticked(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    assessment = _unreviewed()
    with unit_of_work(db.session):
        own = create_user(db.session, "own@champions.example", "champion", "a long enough password",
                          name="Own Champion", organisation_code=assessment.organisation.code)
        near = create_user(db.session, "near@champions.example", "champion", "a long enough password",
                           name="Near Champion", organisation_code=assessment.organisation.neighbours[0].neighbour.code)
    url = f"/admin/reviews/{assessment.id}"
    response = _post(browser, url, {"assign-champion": str(own.id)}, "assign")
    assert response.status_code == 400
    assert "a champion may not review their own authority" in response.get_data(as_text=True)
    response = _post(browser, url, {"assign-champion": str(near.id)}, "assign")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "statistical neighbours" in page and "assign-confirm_neighbour" in page
    db.session.expire_all()
    assert assessment.state == states.SUBMITTED  # nothing assigned until confirmed
    response = _post(browser, url, {"assign-champion": str(near.id), "assign-confirm_neighbour": "y"}, "assign")
    assert response.status_code == 303
    db.session.expire_all()
    assert assessment.state == states.IN_REVIEW


def test_returning_needs_a_reason_and_makes_it_editable_again(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    assessment = _unreviewed()
    url = f"/admin/reviews/{assessment.id}"
    response = _post(browser, url, {"return-kind": "return", "return-reason": ""}, "return")
    assert response.status_code == 400 and "Enter why the assessment is returned" in response.get_data(as_text=True)
    response = _post(browser, url, {"return-kind": "return", "return-reason": "P2 has no evidence."}, "return")
    assert response.status_code == 303
    db.session.expire_all()
    assert assessment.state == states.RETURNED


def test_the_pages_come_in_welsh(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get("/language/cy?next=/", status=302)
    browser.get("/admin/reviews?cycle=2011")
    assert "Adolygiadau gan gymheiriaid" in browser.text()
    browser.get(f"/admin/reviews/{_unreviewed().id}")
    assert "Neilltuo hyrwyddwr" in browser.text()


def test_assigning_the_same_champion_twice_says_so_and_an_unknown_cycle_is_not_found(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    assessment = _unreviewed()
    url = f"/admin/reviews/{assessment.id}"
    champion = db.session.execute(select(User).filter_by(email="champion@csptoolkit.example")).scalar_one()
    assert _post(browser, url, {"assign-champion": str(champion.id)}, "assign").status_code == 303
    again = _post(browser, url, {"assign-champion": str(champion.id)}, "assign")
    assert again.status_code == 400 and "is already assigned to this assessment" in again.get_data(as_text=True)
    browser.get("/admin/reviews?cycle=1999", status=404)


def test_no_one_but_programme_admins_opens_the_review_pages(browser: Browser) -> None:
    assessment = _unreviewed()
    for email in ("viewer@camden.example", "editor@leeds.example", "champion@csptoolkit.example"):
        other = Browser(browser.client.application.test_client())
        other.sign_in(email)
        other.get("/admin/reviews?cycle=2011", status=403)
        other.get(f"/admin/reviews/{assessment.id}", status=403)
