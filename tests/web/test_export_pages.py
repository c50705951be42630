"""The batch export pages: a programme admin starts an export, watches it (the page refreshes itself without
JavaScript, and its script reads the JSON progress), downloads the zip and deletes it; nobody else finds them."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Cycle, ExportItem, ExportJob, Organisation, User
from csptoolkit.services import export_work
from csptoolkit.services.transaction import unit_of_work

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, Browser, csrf_token


def fake_reports(session, user, authority):
    if authority.code == "202":
        raise LookupError("Camden has no submitted assessment to benchmark.")
    return [(export_work.file_stem("benchmark", authority), f"%PDF-1.7 {authority.code}".encode())]


def running_job(codes: list[str], done: int = 0) -> int:
    """A job under way: the first `done` of its authorities made, the rest pending."""
    admin = db.session.execute(select(User).filter_by(email=ADMIN)).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    ids = [db.session.execute(select(Organisation.id).filter_by(code=c)).scalar_one() for c in codes]
    with unit_of_work(db.session):
        job = ExportJob(cycle_id=cycle.id, kind="benchmarks", locale="cy", requested_by_id=admin.id, state="running",
                        total=len(codes), started_at=export_work.utcnow() - timedelta(minutes=1))
        job.items = [ExportItem(organisation_id=o, state="done" if n < done else "pending",
                                files="x.pdf" if n < done else None) for n, o in enumerate(ids)]
        db.session.add(job)
    return job.id


def test_an_admin_starts_an_export_watches_it_and_downloads_the_zip(seeded_app: Flask, browser: Browser,
                                                                    monkeypatch) -> None:
    monkeypatch.setattr(export_work, "reports_of", fake_reports)
    browser.sign_in(ADMIN)
    browser.get("/admin/exports")
    assert "There are no exports yet." in browser.text()
    assert 'href="/admin/exports"' in browser.last  # in the admin's navigation

    response = browser.post("/admin/exports", {"cycle": "2011", "locale": "en"})
    assert response.status_code == 303
    job_page = response.location
    job_id = int(re.search(r"/admin/exports/(\d+)$", job_page).group(1))

    # Immediate mode: the whole job ran inside the request, once its row had committed.
    browser.get(job_page)
    text = browser.text()
    assert "Authorities done: 175 of 175" in text
    assert "1 authority's reports could not be made" in text
    assert "Camden (202) Camden has no submitted assessment to benchmark." in text
    assert 'http-equiv="refresh"' not in browser.last and "dist/progress.js" not in browser.last  # finished
    download = re.search(r'href="(/admin/exports/\d+/download)"', browser.last).group(1)
    response = browser.get(download)
    assert response.mimetype == "application/zip"
    assert f"benchmark-reports-2011-en-{job_id}.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert len(archive.namelist()) == 1 + 174
        assert archive.read("benchmark-2011-383.pdf") == b"%PDF-1.7 383"
    response.close()

    browser.get("/admin/exports")
    assert "Finished" in browser.text() and "175 of 175, 1 not made" in browser.text()

    browser.get(f"/admin/exports/{job_id}/delete")
    response = browser.post(f"/admin/exports/{job_id}/delete", {})
    assert response.status_code == 303
    browser.get(response.location)
    assert "The export was deleted." in browser.text()
    assert not list(Path(seeded_app.config["EXPORTS_PATH"]).glob("*.zip"))
    browser.get(job_page, status=404)
    browser.get(download, status=404)


def test_a_running_export_updates_itself_with_and_without_javascript(seeded_app: Flask, browser: Browser) -> None:
    job_id = running_job(["202", "383", "330"], done=1)
    browser.sign_in(ADMIN)
    browser.get(f"/admin/exports/{job_id}")
    assert "Authorities done: 1 of 3" in browser.text()
    assert "In progress" in browser.text() and "Welsh" in browser.text()
    # Without JavaScript a refresh (which the page's Content-Security-Policy does not govern); with it, the script.
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in browser.last
    assert re.search(r'<script type="module" src="/static/dist/progress.js" nonce="[^"]+">', browser.last)
    assert 'aria-live="polite"' in browser.last
    assert '<progress class="govuk-!-width-full govuk-!-margin-bottom-4" max="3" value="1"' in browser.last
    assert "Download the zip" not in browser.text()
    browser.get(f"/admin/exports/{job_id}/download", status=404)  # not made yet

    data = browser.get(f"/admin/exports/{job_id}/progress.json").get_json()
    assert data == {"state": "running", "finished": 1, "total": 3, "done": 1, "failed": 0, "text": "1 of 3",
                    "state_label": "In progress", "running": True}
    with unit_of_work(db.session):
        db.session.execute(ExportItem.__table__.update().where(ExportItem.job_id == job_id).values(state="failed",
                                                                                                 reason="No."))
    data = browser.get(f"/admin/exports/{job_id}/progress.json").get_json()
    assert (data["finished"], data["failed"], data["text"]) == (3, 3, "3 of 3")


def test_the_start_form_needs_a_cycle_it_knows(seeded_app: Flask, browser: Browser) -> None:
    browser.sign_in(ADMIN)
    response = browser.post("/admin/exports", {"cycle": "1999", "locale": "en"}, token_from="/admin/exports")
    assert response.status_code == 400
    assert "Error:" in browser.last and "Not a valid choice" in browser.last
    assert db.session.execute(select(ExportJob)).first() is None


@pytest.mark.parametrize("email", [CHAMPION, EDITOR, VIEWER])
def test_nobody_else_finds_the_exports(seeded_app: Flask, email: str) -> None:
    job_id = running_job(["202"])
    browser = Browser(seeded_app.test_client())
    browser.sign_in(email)
    for url in ("/admin/exports", f"/admin/exports/{job_id}", f"/admin/exports/{job_id}/progress.json",
                f"/admin/exports/{job_id}/download", f"/admin/exports/{job_id}/delete"):
        browser.get(url, status=404)
    browser.get("/", status=None)
    assert "Batch exports" not in browser.last
    token = csrf_token(browser.last)  # a real token of theirs: the refusal is the page's, not CSRF's
    response = browser.client.post(f"/admin/exports/{job_id}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    response = browser.client.post("/admin/exports", data={"cycle": "2011", "locale": "en", "csrf_token": token})
    assert response.status_code == 404
    assert db.session.execute(select(ExportJob).filter_by(id=job_id)).scalar_one()
    assert len(db.session.execute(select(ExportJob)).all()) == 1


def test_pages_in_welsh(seeded_app: Flask, browser: Browser) -> None:
    job_id = running_job(["202", "383"], done=1)
    browser.sign_in(ADMIN)
    browser.get("/language/cy?next=/admin/exports", status=302)
    browser.get("/admin/exports")
    assert "Allforion swp" in browser.text()
    browser.get(f"/admin/exports/{job_id}")
    assert "1 o 2" in browser.text()
