"""The improvement plan's pages in a real browser, in English and Welsh, at 1,280 and 375 px wide: axe-core finds
nothing and no page scrolls sideways (the plan's table of actions, its pages and filters, what closed between
cycles unfolded, the targets, an action as its editor and as a viewer change or read it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models.plan import ImprovementPlan, PlanAction

from .test_crawl import _assessment, chromium, crawl_app, crawl_as, crawl_server  # noqa: F401 (fixtures)

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
    problems = crawl_as(chromium, crawl_server, email, _plan_pages(email))
    assert problems == [], "\n".join(problems)
