"""The improvement plan's pages in a real browser, in English and Welsh, at 1,280 and 375 px wide: axe-core finds
nothing and no page scrolls sideways (the plan's table of actions, its pages and filters, what closed between
cycles unfolded, the targets, an action as its editor and as a viewer change or read it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models.plan import ImprovementPlan, PlanAction

from .test_browser_journey import PASSWORD
from .test_crawl import _assessment, chromium, crawl, crawl_app, crawl_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

EDITOR, VIEWER = "editor@leeds.example", "viewer@camden.example"


def _first_action(assessment_id: int) -> int:
    return db.session.execute(select(PlanAction.id).join(ImprovementPlan).where(
        ImprovementPlan.assessment_id == assessment_id).order_by(PlanAction.priority)).scalars().first()


def _plan_pages(email: str) -> list[str]:
    own = _assessment("383" if email == EDITOR else "202").id
    plan = f"/assessments/{own}/plan"
    return [plan, f"{plan}?page=2", f"{plan}?show=open", f"{plan}/targets", f"{plan}/actions/{_first_action(own)}",
            *([f"{plan}/actions/new"] if email == EDITOR else [])]


@pytest.mark.parametrize("email", [EDITOR, VIEWER])
def test_the_plan_pages_are_clean_at_both_widths(chromium, crawl_server: str, email: str) -> None:  # noqa: F811
    urls = _plan_pages(email)
    context = chromium.new_context(base_url=crawl_server, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30000)
        page.goto("/sign-in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.press("#password", "Enter")
        assert "/sign-in" not in page.url, f"{email} could not sign in"
        problems = crawl(page, urls, email)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
