"""A crawl of the main pages of every demo role, in English and Welsh, at 1,280 and 375 px wide: axe-core finds
nothing at any impact level (minor included) and no page scrolls sideways.

One server and one browser for the module, one browser context per role (as a person's browser would be): the
whole crawl takes a few minutes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from csptoolkit.domain import states
from csptoolkit.extensions.database import db
from csptoolkit.models import (
    Assessment,
    Criterion,
    Cycle,
    ImprovementPlan,
    Organisation,
    PlanAction,
    ReviewAssignment,
    ReviewFinding,
    User,
)
from csptoolkit.services import calibration

from ..conftest import _app
from .test_browser_journey import ARGS, AXE, CHROMIUM, PASSWORD

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 375)
LANGUAGES = ("en", "cy")
EDITOR, VIEWER, WELSH_EDITOR = "editor@leeds.example", "viewer@camden.example", "editor@cardiff.example"
ADMIN, CHAMPION = "admin@csptoolkit.example", "champion@csptoolkit.example"


@pytest.fixture(scope="module")
def crawl_app(databases, tmp_path_factory):
    yield from _app(databases, "seeded", tmp_path_factory.mktemp("crawl"))


@pytest.fixture(scope="module")
def crawl_server(crawl_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, crawl_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make browser (or apt-get install chromium)"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()
    playwright.stop()


def _assessment(code: str, slug: str = "2011") -> Assessment:
    organisation = db.session.execute(select(Organisation).filter_by(code=code)).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug=slug)).scalar_one()
    return db.session.execute(select(Assessment).filter_by(organisation_id=organisation.id,
                                                           cycle_id=cycle.id)).scalar_one()


def pages_of(email: str) -> list[str]:
    """The main pages a person in this role uses."""
    benchmarks = ["/benchmarks", "/benchmarks?group=region", "/benchmarks/trend", "/benchmarks/groups"]
    if email in (EDITOR, VIEWER):
        own = _assessment("383" if email == EDITOR else "202")  # Leeds's 2011 is a draft, Camden's submitted
        standards = own.cycle.framework_version.rules().standards
        return ["/", f"/assessments/{own.id}", f"/assessments/{own.id}/standards/{standards[0].id}",
                f"/assessments/{own.id}/standards/{standards[3].id}", f"/assessments/{own.id}/check",
                f"/assessments/{own.id}/history", f"/assessments/{own.id}/review", *benchmarks,
                "/benchmarks?confidence=evidenced", *_plan_pages(own, editing=email == EDITOR)]
    if email == WELSH_EDITOR:
        return ["/", *benchmarks, *_plan_pages(_assessment("681"), editing=True)]
    in_review, in_review_standard = _reviewed(states.IN_REVIEW)
    moderated, moderated_standard = _reviewed(states.MODERATED)
    if email == CHAMPION:
        champion = db.session.execute(select(User).filter_by(email=CHAMPION)).scalar_one()
        assigned = db.session.execute(select(ReviewAssignment.assessment_id).filter_by(
            champion_id=champion.id).order_by(ReviewAssignment.id)).scalars().first()
        review = [f"/assessments/{assigned}", f"/assessments/{assigned}/check", f"/assessments/{assigned}/history",
                  f"/assessments/{assigned}/standards/L1"] if assigned else []
        return ["/", "/?cycle=2011&state=in_review&sort=progress", *review,
                f"/reviews/{in_review}", f"/reviews/{in_review}/standards/{in_review_standard}",
                f"/reviews/{moderated}", f"/reviews/{moderated}/standards/{moderated_standard}"]
    leeds, camden = _assessment("383"), _assessment("202")
    viewer = db.session.execute(select(User).filter_by(email=VIEWER)).scalar_one()
    admin = db.session.execute(select(User).filter_by(email=ADMIN)).scalar_one()
    calibration_pages = calibration.authorities(db.session, admin).pages
    return ["/admin/assessments", "/admin/assessments?state=submitted", f"/assessments/{leeds.id}",
            f"/assessments/{leeds.id}/check", f"/assessments/{leeds.id}/standards/L1", f"/assessments/{camden.id}",
            f"/assessments/{camden.id}/check", f"/assessments/{leeds.id}/history", "/admin/users", "/admin/users/new",
            f"/admin/users/{viewer.id}/password", "/admin/tokens", "/admin/tokens/new", "/benchmarks/national",
            "/benchmarks/regions", "/benchmarks?org=383", "/benchmarks/trend?org=383", "/benchmarks/groups",
            "/admin/reviews?cycle=2011", "/admin/reviews?cycle=2011&page=2", f"/admin/reviews/{_submitted().id}",
            "/admin/calibration", *(["/admin/calibration?page=2"] if calibration_pages > 1 else []),
            f"/reviews/{in_review}", f"/assessments/{in_review}/review", f"/admin/reviews/{moderated}",
            f"/assessments/{moderated}", "/benchmarks?org=383&confidence=peer-validated", "/admin/exports",
            f"/assessments/{camden.id}/plan", f"/assessments/{camden.id}/plan/what-if"]


def _plan_pages(assessment: Assessment, editing: bool) -> list[str]:
    """The improvement plan's pages: the plan, what-if, learning matches and sharing, and for an editor the
    targets, an action and a new action."""
    base = f"/assessments/{assessment.id}/plan"
    pages = [base, f"{base}/what-if", f"{base}/what-if?L1.1=4&L1.2=4", f"{base}/learning", "/sharing"]
    if editing:
        action = db.session.execute(select(PlanAction.id).join(ImprovementPlan).where(
            ImprovementPlan.assessment_id == assessment.id).order_by(PlanAction.priority)).scalars().first()
        pages += [f"{base}/targets", f"{base}/actions/new", *([f"{base}/actions/{action}"] if action else [])]
    return pages


def _reviewed(state: str) -> tuple[int, str]:
    """A 2011 assessment in this state that the demo champion reviews, with findings (for one in review, a
    challenge or request among them), and a standard that has one of them."""
    champion = db.session.execute(select(User).filter_by(email=CHAMPION)).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    outcomes = ("challenge", "evidence_requested") if state == states.IN_REVIEW else ("agree", "challenge")
    found = db.session.execute(
        select(Assessment.id, Criterion.key).join(ReviewAssignment, ReviewAssignment.assessment_id == Assessment.id)
        .join(ReviewFinding, ReviewFinding.assessment_id == Assessment.id)
        .join(Criterion, Criterion.id == ReviewFinding.criterion_id)
        .where(ReviewAssignment.champion_id == champion.id, Assessment.cycle_id == cycle.id,
               Assessment.state == state, ReviewFinding.outcome.in_(outcomes))
        .order_by(Assessment.id, ReviewFinding.id)).first()
    assert found is not None, f"the demo has no {state} review of the champion's with findings"
    assessment = db.session.get(Assessment, found.id)
    standard = next(s for s in assessment.cycle.framework_version.rules().standards
                    if any(c.id == found.key for c in s.criteria))
    return found.id, standard.id


def _submitted():
    """A submitted 2011 assessment: its peer-review page offers both assigning and returning."""
    from csptoolkit.models import Assessment, Cycle

    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    return db.session.execute(select(Assessment).filter_by(cycle_id=cycle.id, state="submitted")
                              .order_by(Assessment.id)).scalars().first()


def check_page(page, where: str) -> list[str]:
    """Every axe violation (any impact) and any sideways scrolling, at each width, as readable lines."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{where} @{width}px: axe {violation['id']} ({violation['impact']}) {targets}")
        scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > viewport:
            problems.append(f"{where} @{width}px: scrolls sideways ({scroll} px wide in a {viewport} px window)")
    return problems


def crawl(page, urls: list[str], who: str) -> list[str]:
    problems = []
    for language in LANGUAGES:
        page.goto(f"/language/{language}?next=/")
        for url in urls:
            response = page.goto(url)
            where = f"{who} {language} {url}"
            if response is None or response.status != 200:
                problems.append(f"{where}: status {response.status if response else None}")
                continue
            assert page.locator("html").get_attribute("lang") == language, where
            problems += check_page(page, where)
            if page.locator("details").count():  # what is behind a details element must be clean too
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                problems += check_page(page, where + " (details open)")
    return problems


def crawl_as(chromium, crawl_server: str, email: str, urls: list[str]) -> list[str]:
    """Sign in as `email` through the form, then crawl `urls`: every problem found, as readable lines."""
    # bypass_csp only so that axe-core can be injected; the pages run under their real policy otherwise.
    context = chromium.new_context(base_url=crawl_server, viewport={"width": WIDTHS[0], "height": 900},
                                   bypass_csp=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30000)
        page.goto("/sign-in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.press("#password", "Enter")
        assert "/sign-in" not in page.url, f"{email} could not sign in"
        return crawl(page, urls, email)
    finally:
        context.close()


@pytest.mark.parametrize("email", [EDITOR, VIEWER, WELSH_EDITOR, ADMIN, CHAMPION])
def test_every_main_page_of_every_role_is_clean_at_both_widths(chromium, crawl_server: str, email: str) -> None:
    problems = crawl_as(chromium, crawl_server, email, pages_of(email))
    assert problems == [], "\n".join(problems)


def test_pages_before_signing_in_are_clean_at_both_widths(chromium, crawl_server: str) -> None:
    context = chromium.new_context(base_url=crawl_server, bypass_csp=True)
    try:
        page = context.new_page()
        problems = []
        for language in LANGUAGES:
            page.goto(f"/language/{language}?next=/sign-in")
            problems += check_page(page, f"sign in ({language})")
            page.goto("/no-such-page")
            problems += check_page(page, f"page not found ({language})")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
