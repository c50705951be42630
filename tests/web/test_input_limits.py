"""Hostile sizes: numbers too large for any row id, and more evidence than an assessment may hold."""

from __future__ import annotations

import html
import io
import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from csptoolkit.domain.identifiers import MAX_ID, parse_id
from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, EvidenceFile

from .conftest import ADMIN, EDITOR, VIEWER, Browser
from .test_journey import PDF, form_fields, leeds_2011, standard_url

HUGE = "9" * 25


@pytest.mark.parametrize("text, expected", [
    ("1", 1), ("42", 42), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), (HUGE, None), ("0", None), ("", None),
    (None, None), ("-3", None), ("²", None), ("١٢", None), ("12a", None), (" 12", None)])
def test_an_id_is_a_plain_number_a_row_can_have(text, expected) -> None:
    assert parse_id(text) == expected


@pytest.mark.parametrize("role", [ADMIN, EDITOR, VIEWER])
def test_every_route_answers_a_huge_id_with_not_found(seeded_app: Flask, role: str) -> None:
    browser = Browser(seeded_app.test_client())
    browser.sign_in(role)
    routes = [r for r in seeded_app.url_map.iter_rules() if any(
        type(c).__name__ == "RowIdConverter" for c in r._converters.values())]
    assert {"assess.overview", "admin.reset_password", "benchmark.delete_group"} <= {r.endpoint for r in routes}
    for rule in routes:
        path = re.sub(r"<int:[^>]+>", HUGE, rule.rule)
        path = path.replace("<key>", "L1").replace("<slug>", "2011").replace("<code>", "202")
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = browser.client.open(path, method=method)
            assert response.status_code in (400, 403, 404), (rule.endpoint, method, response.status_code)


def test_a_huge_peer_group_id_is_not_found(seeded_app: Flask) -> None:
    browser = Browser(seeded_app.test_client())
    browser.sign_in(VIEWER)
    for path in ("/benchmarks", "/benchmarks/trend"):
        response = browser.client.get(f"{path}?cycle=2011&group=group-{HUGE}")
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        assert response.status_code != 200 or "error" in response.get_data(as_text=True).lower()


def _post_standard(browser: Browser, key: str, extra: dict):
    assessment = leeds_2011()
    url = standard_url(assessment, key)
    form_fields(browser, url)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', browser.last).group(1)
    return browser.post(url, {"revision": revision, **extra}, content_type="multipart/form-data")


def test_removing_evidence_with_a_huge_or_foreign_id_changes_nothing(seeded_app: Flask) -> None:
    browser = Browser(seeded_app.test_client())
    browser.sign_in(EDITOR)
    key = leeds_2011().cycle.framework_version.rules().standards[0].id
    before = db.session.execute(select(func.count(EvidenceFile.id))).scalar_one()
    for value in (HUGE, "²", "-1", "0"):
        response = _post_standard(browser, key, {"remove_evidence": value})
        assert response.status_code in (303, 400), (value, response.status_code)
    assert db.session.execute(select(func.count(EvidenceFile.id))).scalar_one() == before


def _files_on(criterion_id: str) -> int:
    db.session.expire_all()
    return db.session.execute(
        select(func.count(EvidenceFile.id)).join(Answer, Answer.id == EvidenceFile.answer_id)
        .where(Answer.assessment_id == leeds_2011().id, Answer.criterion.has(key=criterion_id))).scalar_one()


def test_a_question_takes_at_most_five_files_and_says_so(seeded_app: Flask) -> None:
    browser = Browser(seeded_app.test_client())
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    criterion = standard.criteria[0]
    names = form_fields(browser, standard_url(assessment, standard.id))
    files = [(io.BytesIO(PDF), f"minutes-{i}.pdf") for i in range(7)]
    response = _post_standard(browser, standard.id, {"upload": criterion.id, f"{names[criterion.id]}_files": files})
    assert response.status_code == 400
    assert _files_on(criterion.id) == 5  # the first five were kept
    page = browser.text()
    assert "minutes-5.pdf was not added: each question can have up to 5 files" in page
    assert "minutes-4.pdf" in page  # the files kept are listed on the page
    assert 'class="govuk-error-summary"' in browser.last  # a GOV.UK error summary links to the field
    assert page.startswith("Error:") or "<title>Error:" in browser.last


def test_an_assessment_holds_a_limited_number_and_size_of_files(seeded_app: Flask) -> None:
    seeded_app.config["MAX_EVIDENCE_FILES_PER_ASSESSMENT"] = 3
    browser = Browser(seeded_app.test_client())
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    names = form_fields(browser, standard_url(assessment, standard.id))
    first, second = standard.criteria[0].id, standard.criteria[1].id
    files = {f"{names[first]}_files": [(io.BytesIO(PDF), f"a-{i}.pdf") for i in range(2)],
             f"{names[second]}_files": [(io.BytesIO(PDF), f"b-{i}.pdf") for i in range(2)]}
    response = _post_standard(browser, standard.id, {"upload": first, **files})
    assert response.status_code == 400
    assert _files_on(first) + _files_on(second) == 3
    assert "b-1.pdf was not added: an assessment can have up to 3 files" in browser.text()

    seeded_app.config["MAX_EVIDENCE_FILES_PER_ASSESSMENT"] = 200
    seeded_app.config["MAX_EVIDENCE_BYTES_PER_ASSESSMENT"] = 1024 * 1024
    report = PDF + b"\0" * 400_000  # one file a request: the test client spools larger bodies to a file it leaks
    for name, status in (("c.pdf", 303), ("d.pdf", 303), ("e.pdf", 400)):
        response = _post_standard(browser, standard.id, {"upload": second, f"{names[second]}_files": [
            (io.BytesIO(report), name)]})
        assert response.status_code == status, name
    assert "e.pdf was not added: an assessment's files can add up to 1 MB at most" in html.unescape(browser.text())
    assert _files_on(first) + _files_on(second) == 5
