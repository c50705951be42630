"""The batch export in headless Chromium, against gunicorn and a task queue worker in processes of their own: the
demo admin starts the export of every authority, watches the progress update in place (and, without JavaScript,
by the page's own refresh), the worker is killed and the web server restarted mid-way, the job resumes, and the
zip downloaded holds every authority's report."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from csptoolkit.extensions.database import db
from csptoolkit.models import ExportItem, Organisation

from ..workers import Queue, consumer, web_server
from .test_browser_journey import ARGS, CHROMIUM, PASSWORD
from .test_crawl import check_page

pytestmark = pytest.mark.e2e
ADMIN = "admin@csptoolkit.example"


@pytest.fixture
def queue(seeded_app: Flask, tmp_path: Path) -> Queue:
    (tmp_path / "instance").mkdir()
    name = f"csptoolkit-e2e-{uuid.uuid4().hex[:8]}"
    (tmp_path / "instance" / "config.py").write_text(f"TASK_QUEUE_NAME = {name!r}\n")
    return Queue(f"sqlite:///{tmp_path / 'queue.sqlite3'}", name, tmp_path)


@pytest.fixture
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make browser (or apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def done_count() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).where(ExportItem.state.in_(("done", "failed")))).scalar()


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def progress_number(page) -> int:
    return int(re.match(r"(\d+) of 175", page.locator("[data-progress-text]").inner_text()).group(1))


def test_the_admin_exports_every_authority_through_restarts(seeded_app: Flask, queue: Queue, chromium,
                                                              tmp_path: Path) -> None:
    port = free_port()
    codes = set(db.session.execute(select(Organisation.code)).scalars())
    web = web_server(seeded_app, queue, port, "first")
    base = web.__enter__()
    worker = consumer(seeded_app, queue, "first", TEST_REPORT_SECONDS="0.4", TEST_FAILING="202")
    first = worker.__enter__()
    try:
        context = chromium.new_context(accept_downloads=True)  # the pages' real Content-Security-Policy
        page = context.new_page()
        page.set_default_timeout(20000)
        sign_in(page, base)
        page.get_by_role("link", name="Batch exports").click()
        page.select_option("#cycle", "2011")
        page.get_by_label("English").check()
        page.get_by_role("button", name="Start the export").click()
        page.wait_for_url(re.compile(r"/admin/exports/\d+$"))
        job_url = page.url
        page.evaluate("window.stillTheSamePage = true")
        page.wait_for_function("() => /^([1-9]\\d*) of 175$/.test("
                               "document.querySelector('[data-progress-text]').textContent.trim())", timeout=60000)
        seen = progress_number(page)
        page.wait_for_function(f"() => parseInt(document.querySelector('[data-progress-text]').textContent) > {seen}",
                               timeout=60000)
        assert page.evaluate("window.stillTheSamePage === true")  # updated in place by progress.js, not reloaded
        assert page.locator("[data-progress-bar]").get_attribute("max") == "175"

        # Without JavaScript, the page refreshes itself (its <noscript> meta) and shows more done.
        plain = chromium.new_context(java_script_enabled=False)
        plain.add_cookies(context.cookies())
        quiet = plain.new_page()
        quiet.goto(job_url)
        before = progress_number(quiet)
        quiet.wait_for_event("load", timeout=15000)  # the <noscript> refresh after 5 seconds
        assert progress_number(quiet) > before
        plain.close()

        # Mid-way: the worker is killed (kill -9, with its processes) and the web server restarted.
        while done_count() < 40:
            time.sleep(0.2)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        worker.__exit__(None, None, None)
        stopped_at = done_count()
        assert stopped_at < 175
        web.__exit__(None, None, None)
        web = web_server(seeded_app, queue, port, "second")
        web.__enter__()
        worker = consumer(seeded_app, queue, "second", TEST_REPORT_SECONDS="0.05", TEST_FAILING="202")
        worker.__enter__()

        download = page.get_by_role("button", name=re.compile("Download the zip"))  # a GOV.UK button link
        download.wait_for(timeout=120000)  # the script saw the job finish and loaded the page again
        assert "175 of 175" in page.locator("[data-progress-text]").inner_text()
        assert "Camden (202)" in page.locator("table").inner_text()
        with page.expect_download() as started:
            download.click()
        saved = tmp_path / "export.zip"
        started.value.save_as(saved)
        with zipfile.ZipFile(saved) as archive:
            names = set(archive.namelist())
            assert names == {"README.txt"} | {f"benchmark-2011-{code}.pdf" for code in codes - {"202"}}
            assert "- Camden (202): Camden has no scores to report." in archive.read("README.txt").decode()
        context.close()

        checked = chromium.new_context(bypass_csp=True)  # only so that axe-core can be injected
        axe_page = checked.new_page()
        sign_in(axe_page, base)
        problems = []
        for url in ("/admin/exports", job_url.removeprefix(base)):
            axe_page.goto(f"{base}{url}")
            problems += check_page(axe_page, url)
        assert problems == []
        checked.close()
    finally:
        worker.__exit__(None, None, None)
        web.__exit__(None, None, None)
