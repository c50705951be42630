"""The real journey in headless Chromium (Debian's, driven by Playwright), with axe-core on every kind of page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, Organisation

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "csptoolkit" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "commissioning-demo"


@pytest.fixture
def live_server(seeded_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, seeded_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(live_server: str):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make browser (or apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # bypass_csp only so that axe-core can be injected; the pages run under their real policy otherwise.
        context = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def check_accessibility(page, name: str) -> None:
    """axe-core on the page as it stands: no serious or critical violation."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {bad}"


def sign_in_with_keyboard(page, email: str) -> None:
    page.goto("/sign-in")
    page.keyboard.press("Tab")  # the skip link first
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/sign-in" not in url)


def answer_page(page) -> None:
    """Answer every question on a standard's page that has no answer yet, as a person would."""
    for fieldset in page.locator("div.csp-criterion").all():
        radios = fieldset.locator("input[type=radio]")
        if fieldset.locator("input[type=radio]:checked").count():
            continue
        values = [radios.nth(i).get_attribute("value") for i in range(radios.count())]
        choice = "yes" if "yes" in values else "2"
        fieldset.locator(f"input[type=radio][value='{choice}']").check()
        if choice == "yes":
            fieldset.locator("textarea").fill("Signed agreement and board minutes")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()


def answer_with_keyboard_alone(page) -> None:
    """Tab through a standard's page as a keyboard user would: Space picks the first level of each question,
    every yes/no gets a note, and Enter on "Save and continue" saves."""
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '',
                    text: (e.innerText || '').trim(), checked: !!document.querySelector(
                        'input[type=radio][name="' + (e.name || '-') + '"]:checked')}; }""")
        if focused["type"] == "radio" and not focused["checked"]:
            page.keyboard.press("Space")
        elif focused["tag"] == "TEXTAREA" and not page.evaluate("() => document.activeElement.value"):
            page.keyboard.type("Minutes of the children's trust board")
        elif focused["tag"] == "BUTTON" and focused["text"] == "Save and continue":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError("the Save and continue button was never reached with the Tab key")


def test_an_editor_completes_checks_and_submits_an_assessment(page) -> None:
    page.goto("/sign-in")
    check_accessibility(page, "sign in")
    sign_in_with_keyboard(page, "editor@leeds.example")
    check_accessibility(page, "home")
    page.get_by_role("link", name="Check your answers").click()
    page.wait_for_url("**/check")
    check_accessibility(page, "check answers (blocked)")
    page.goto("/")
    page.locator("a[href*='/standards/']").first.click()
    page.wait_for_url("**/standards/**")
    check_accessibility(page, "standard page")
    first = page.url
    answer_with_keyboard_alone(page)
    assert page.url != first and "/standards/" in page.url  # saved, and on to the next standard
    # Every standard in turn: "Save and continue" leads on, and back to the same page when a follow-up appears.
    for _ in range(80):
        if "/check" in page.url:
            break
        answer_page(page)
    assert "/check" in page.url
    check_accessibility(page, "check answers (ready)")
    assert page.get_by_text("You cannot submit yet").count() == 0, page.locator("main").inner_text()[:2000]
    page.get_by_label("I confirm that these answers").check()
    page.get_by_role("button", name="Submit assessment").click()
    page.wait_for_url("**/submitted")
    assert page.get_by_role("heading", name="Assessment submitted").is_visible()
    check_accessibility(page, "submitted")
    # Locked: the standard's page is read-only now.
    page.goto("/")
    page.locator("a[href*='/standards/']").first.click()
    page.wait_for_url("**/standards/**")
    assert page.locator("input[type=radio]").count() == 0
    assert page.get_by_text("can no longer be changed").count() >= 1
    page.goto("/")
    page.get_by_role("link", name="See the history of changes").click()
    page.wait_for_url("**/history")
    check_accessibility(page, "history")
    leeds = db.session.execute(select(Organisation).filter_by(code="383")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    db.session.expire_all()
    assessment = db.session.execute(select(Assessment).filter_by(organisation_id=leeds.id,
                                                                 cycle_id=cycle.id)).scalar_one()
    assert assessment.state == "submitted"


def test_benchmark_pages_are_accessible(page) -> None:
    sign_in_with_keyboard(page, "viewer@camden.example")
    page.get_by_role("link", name="Benchmarks").first.click()
    page.wait_for_url("**/benchmarks")
    assert page.get_by_role("heading", name="How Camden compares").is_visible()
    chart = page.locator("svg.csp-chart").first
    assert chart.get_attribute("role") == "img" and chart.locator("title").count() == 1
    check_accessibility(page, "authority benchmark")
    page.select_option("#group", "region")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "group=region" in page.url
    check_accessibility(page, "authority benchmark by region")
    page.get_by_role("link", name="See the trend across cycles").click()
    page.wait_for_url("**/trend**")
    check_accessibility(page, "trend")
    page.goto("/benchmarks/groups")
    check_accessibility(page, "peer groups")


def test_welsh_and_admin_pages_are_accessible(page) -> None:
    sign_in_with_keyboard(page, "admin@csptoolkit.example")
    page.goto("/benchmarks/national")
    check_accessibility(page, "national view")
    page.goto("/benchmarks/regions")
    check_accessibility(page, "region view")
    page.goto("/admin/users")
    check_accessibility(page, "users")
    page.goto("/admin/users/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Create user").click()
    check_accessibility(page, "create user with errors")
    assert page.locator(".govuk-error-summary").is_visible()
    page.goto("/language/cy?next=/admin/users")
    assert page.locator("html").get_attribute("lang") == "cy"
    check_accessibility(page, "users in Welsh")


def test_pages_run_their_scripts_under_the_real_content_security_policy(live_server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(base_url=live_server).new_page()
        refused: list[str] = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto("/sign-in")
        page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
        assert page.evaluate("document.body.classList.contains('js-enabled')")
        browser.close()
    assert refused == []


def test_enter_on_a_question_saves_and_never_removes_evidence(page) -> None:
    sign_in_with_keyboard(page, "editor@leeds.example")
    page.locator("a[href*='/standards/']").nth(1).click()
    page.wait_for_url("**/standards/**")
    url = page.url
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    with page.expect_navigation():
        page.get_by_role("button", name="Save and upload").first.click()
    assert page.url == url and page.get_by_role("link", name="minutes.pdf").count() == 1
    page.locator("input[type=radio]").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url != url  # saved and moved on, as Save and continue does
    page.goto(url)
    assert page.get_by_role("link", name="minutes.pdf").count() == 1  # the evidence is still there


def test_picking_a_rating_that_needs_evidence_changes_the_evidence_fields_at_once(page) -> None:
    sign_in_with_keyboard(page, "editor@leeds.example")
    page.locator("a[href*='/standards/L3']").first.click()
    page.wait_for_url("**/standards/L3")
    question = page.locator("[id='criterion-L3.1']")  # evidence from level 3 (the standards file)
    note, files = question.locator("label[for$='_note']"), question.locator("label[for$='_files']")
    assert note.inner_text().strip() == "Evidence note (optional)"
    assert question.get_by_text("Evidence needed if you choose 3 – Established or above").is_visible()
    question.get_by_label("3 – Established").check()
    assert note.inner_text().strip() == "Evidence note" and files.inner_text().strip() == "Upload evidence files"
    question.get_by_label("1 – Emerging").check()
    assert note.inner_text().strip() == "Evidence note (optional)"
