"""The what-if page in headless Chromium: its script recalculates as a target is chosen, under the page's real
Content-Security-Policy, and the page passes axe-core on a phone's width and a desktop's."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from .test_browser_journey import ARGS, CHROMIUM, check_accessibility, live_server, sign_in_with_keyboard

pytestmark = pytest.mark.e2e
__all__ = ["live_server"]  # a fixture, used by name

EDITOR = "editor@leeds.example"


def _leeds_whatif(seeded_app: Flask) -> str:
    from sqlalchemy import select

    from csptoolkit.extensions.database import db
    from csptoolkit.models import Assessment, Cycle, Organisation

    with seeded_app.app_context():
        assessment_id = db.session.execute(
            select(Assessment.id).join(Cycle, Cycle.id == Assessment.cycle_id)
            .join(Organisation, Organisation.id == Assessment.organisation_id)
            .where(Cycle.slug == "2011", Organisation.code == "383")).scalar_one()
    return f"/assessments/{assessment_id}/plan/what-if"


def test_choosing_a_target_recalculates_in_place(seeded_app: Flask, live_server: str) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists()
    url = _leeds_whatif(seeded_app)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # The page's own policy (no bypass): the script must run from its static file with the page's nonce.
        page = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900}).new_page()
        page.set_default_timeout(15000)
        refused: list[str] = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        sign_in_with_keyboard(page, EDITOR)
        page.goto(url + "?L1.2=")  # no target at all (not the plan's own): the what-if starts as now
        overall = page.locator("#whatif-results table").first.locator("tbody tr").first
        before = overall.locator("td").nth(1).inner_text()
        assert overall.locator("td").nth(0).inner_text() == before  # no target yet: the what-if is now
        with page.expect_response(lambda r: "/plan/what-if.json" in r.url) as answered:
            page.select_option("select[name='L1.2']", "4")
        assert answered.value.ok
        page.wait_for_function("document.getElementById('whatif-announce').textContent.length > 0")
        announced = page.locator("#whatif-announce").inner_text()
        assert announced.startswith("With these targets the overall score would be")
        after = page.locator("#whatif-results table").first.locator("tbody tr").first.locator("td").nth(1)
        assert after.inner_text() != before and after.inner_text().split()[0] in announced
        assert refused == []
        browser.close()

    with sync_playwright() as playwright:  # axe-core needs injecting, so this context bypasses the policy
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width in (375, 1200):
            page = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900},
                                       bypass_csp=True).new_page()
            sign_in_with_keyboard(page, EDITOR)
            page.goto(url)
            check_accessibility(page, f"what-if at {width} px")
            # Nothing wider than the screen at a phone's width (the tables have three columns, selects are full width).
            if width == 375:
                wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
                    .slice(0, 8)""")
                assert wide == [], wide
        browser.close()
