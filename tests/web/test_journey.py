"""The assessment journey through the test client: save and resume, evidence, check answers, submit, history."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from csptoolkit.domain import scoring
from csptoolkit.domain.standards import comparable_criteria
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AuditEvent, Cycle, Organisation
from csptoolkit.services.scores import answers_of

from .conftest import EDITOR, VIEWER, WELSH_EDITOR, Browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\0" * 64


def leeds_2011() -> Assessment:
    leeds = db.session.execute(select(Organisation).filter_by(code="383")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    return db.session.execute(select(Assessment).filter_by(organisation_id=leeds.id, cycle_id=cycle.id)).scalar_one()


def standard_url(assessment: Assessment, key: str) -> str:
    return f"/assessments/{assessment.id}/standards/{key}"


def form_fields(browser: Browser, url: str) -> dict[str, str]:
    """Criterion id -> the answer field's name on the standard's page."""
    browser.get(url)
    fields = {}
    for match in re.finditer(r'id="criterion-([^"]+)".*?name="(c\d+)_answer"', browser.last, re.S):
        fields[match.group(1)] = match.group(2)
    return fields


def fill(assessment: Assessment, key: str, browser: Browser, values: dict[str, str], notes: dict | None = None,
         extra: dict | None = None):
    url = standard_url(assessment, key)
    names = form_fields(browser, url)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', browser.last).group(1)
    owner = re.search(r'name="owner" value="([^"]*)"', browser.last).group(1)
    data = {"revision": revision, "owner": owner, "save_continue": "Save and continue", **(extra or {})}
    for criterion_id, value in values.items():
        data[f"{names[criterion_id]}_answer"] = value
    for criterion_id, note in (notes or {}).items():
        data[f"{names[criterion_id]}_note"] = note
    return browser.post(url, data, content_type="multipart/form-data")


def test_home_shows_the_cycle_state_and_task_list(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    browser.get("/")
    text = browser.text()
    assert "Leeds" in text and "2011 self-assessment" in text and "Draft" in text
    assert "Completeness" in text and "In progress" in text and "Not started" in text
    framework = leeds_2011().cycle.framework_version.rules()
    for standard in framework.standards:
        assert f"/standards/{standard.id}" in browser.last


def test_saving_a_standard_stores_answers_and_moves_on(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    framework = assessment.cycle.framework_version.rules()
    first = framework.standards[0]
    values = {c.id: ("yes" if c.type == "yesno" else "2") for c in first.criteria if c.depends_on is None}
    response = fill(assessment, first.id, browser, values)
    assert response.status_code == 303
    assert response.location.endswith(standard_url(assessment, framework.standards[1].id))
    db.session.expire_all()
    stored = answers_of(leeds_2011())
    for criterion_id, value in values.items():
        assert stored[criterion_id] == (framework.max_level if value == "yes" else 2)


def test_save_and_come_back_later_returns_home(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[1]
    criterion = next(c for c in standard.criteria if c.type == "level" and c.depends_on is None)
    response = fill(assessment, standard.id, browser, {criterion.id: "1"},
                    extra={"save_later": "x"})
    assert response.status_code == 303 and response.location.endswith("/")


@pytest.mark.parametrize("bad", ["9", "-1", "abc", "na-please"])
def test_a_level_outside_the_scale_is_an_error_on_the_field(browser: Browser, bad: str) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    criterion = next(c for c in standard.criteria if c.type == "level" and not c.allow_na and c.depends_on is None)
    response = fill(assessment, standard.id, browser, {criterion.id: bad})
    assert response.status_code == 400
    assert "There is a problem" in browser.last and "Error:" in browser.last
    assert 'class="govuk-error-summary' in browser.last


def test_na_is_refused_where_not_allowed(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    criterion = next(c for c in standard.criteria if not c.allow_na and c.depends_on is None)
    response = fill(assessment, standard.id, browser, {criterion.id: "na"})
    assert response.status_code == 400


def test_an_unknown_criterion_field_changes_nothing(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    before = answers_of(assessment)
    standard = assessment.cycle.framework_version.rules().standards[0]
    response = fill(assessment, standard.id, browser, {}, extra={"c999_answer": "3", "Z9.9": "4"})
    assert response.status_code == 303
    db.session.expire_all()
    assert answers_of(leeds_2011()) == before


def test_a_follow_up_question_appears_once_its_condition_holds(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    framework = assessment.cycle.framework_version.rules()
    dependent = next(c for c in framework.criteria if c.depends_on)
    standard = next(s for s in framework.standards if dependent in s.criteria)
    target = framework.criterion(dependent.depends_on.criterion)
    low = "no" if target.type == "yesno" else "0"
    high = "yes" if target.type == "yesno" else str(framework.max_level)
    fill(assessment, standard.id, browser, {target.id: low})
    assert dependent.id not in form_fields(browser, standard_url(assessment, standard.id))
    response = fill(assessment, standard.id, browser, {target.id: high})
    assert response.status_code == 303 and response.location.endswith(standard_url(assessment, standard.id))
    browser.get(response.location)
    assert "A follow-up question has appeared" in browser.last
    assert dependent.id in form_fields(browser, standard_url(assessment, standard.id))


def upload(browser: Browser, assessment: Assessment, key: str, criterion_id: str, name: str, content: bytes):
    url = standard_url(assessment, key)
    names = form_fields(browser, url)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', browser.last).group(1)
    data = {"revision": revision, "upload": criterion_id,
            f"{names[criterion_id]}_files": (io.BytesIO(content), name)}
    return browser.post(url, data, content_type="multipart/form-data")


def test_evidence_upload_and_download(browser: Browser, other_browser: Browser, seeded_app) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    criterion = standard.criteria[0]
    response = upload(browser, assessment, standard.id, criterion.id, "minutes.pdf", PDF)
    assert response.status_code == 303, browser.text()
    browser.get(response.location)
    assert "minutes.pdf" in browser.last
    db.session.expire_all()
    stored = next(a for a in leeds_2011().answers if a.criterion.key == criterion.id).evidence_files[0]
    assert stored.content_type == "application/pdf" and stored.stored_name != "minutes.pdf"
    assert (Path(seeded_app.config["EVIDENCE_PATH"]) / stored.stored_name).read_bytes() == PDF
    download = browser.get(f"/evidence/{stored.id}")
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    download.close()
    # Another authority's user never gets it, nor learns that it exists.
    other_browser.sign_in(VIEWER)
    other_browser.get(f"/evidence/{stored.id}", status=404)


def test_a_disguised_file_is_refused(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    response = upload(browser, assessment, standard.id, standard.criteria[0].id, "report.pdf",
                      b"MZ\x90\x00 this is a Windows program, not a PDF" + b"\0" * 100)
    assert response.status_code == 400
    assert "must be a PDF, Word, Excel, PNG or JPEG file" in browser.last


def test_an_oversize_file_is_refused(browser: Browser, seeded_app) -> None:
    seeded_app.config["MAX_EVIDENCE_BYTES"] = 1024
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    response = upload(browser, assessment, standard.id, standard.criteria[0].id, "big.png", PNG + b"\0" * 2048)
    assert response.status_code == 400
    assert "must be smaller than" in browser.last


def test_a_png_is_accepted_whatever_its_name(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    response = upload(browser, assessment, standard.id, standard.criteria[0].id, "chart.jpeg", PNG)
    assert response.status_code == 303


def complete(browser: Browser, assessment: Assessment) -> None:
    """Answer every visible criterion, with an evidence note wherever one is needed."""
    framework = assessment.cycle.framework_version.rules()
    for standard in framework.standards:
        for _ in range(3):  # follow-up questions appear after their condition is saved
            names = form_fields(browser, standard_url(assessment, standard.id))
            values = {cid: ("yes" if framework.criterion(cid).type == "yesno" else str(framework.max_level))
                      for cid in names}
            notes = {cid: "Board minutes, March" for cid in names}
            fill(assessment, standard.id, browser, values, notes)
            if set(form_fields(browser, standard_url(assessment, standard.id))) == set(names):
                break


def test_check_answers_lists_what_blocks_submission(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    browser.get(f"/assessments/{assessment.id}/check")
    assert "You cannot submit yet" in browser.last and "Questions not answered" in browser.last
    assert "Submit assessment" not in browser.last
    response = browser.post(f"/assessments/{assessment.id}/submit", {"declaration": "y"},
                            token_from=f"/assessments/{assessment.id}/check")
    assert response.status_code == 400
    db.session.expire_all()
    assert leeds_2011().state == "draft"


def test_complete_check_submit_and_locked(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    complete(browser, assessment)
    browser.get(f"/assessments/{assessment.id}/check")
    assert "You cannot submit yet" not in browser.last, browser.text()[:3000]
    assert "Overall" in browser.last and "Exceeded" in browser.last
    # The declaration is required.
    response = browser.post(f"/assessments/{assessment.id}/submit", {},
                            token_from=f"/assessments/{assessment.id}/check")
    assert response.status_code == 400 and "Confirm the declaration to submit" in browser.last
    response = browser.post(f"/assessments/{assessment.id}/submit", {"declaration": "y"},
                            token_from=f"/assessments/{assessment.id}/check")
    assert response.status_code == 303 and response.location.endswith("/submitted")
    db.session.expire_all()
    submitted = leeds_2011()
    assert submitted.state == "submitted" and submitted.submitted_at is not None
    assert {(s.scope, s.key) for s in submitted.scores if s.basis == "self"} >= {("overall", "")}
    # Locked: the page is read-only and a save is refused without changing anything.
    framework = submitted.cycle.framework_version.rules()
    standard = framework.standards[0]
    browser.get(standard_url(submitted, standard.id))
    assert "can no longer be changed" in browser.last and 'type="radio"' not in browser.last
    before = answers_of(submitted)
    response = browser.post(standard_url(submitted, standard.id), {"c0_answer": "0", "save_continue": "x"},
                            token_from=f"/assessments/{submitted.id}/check")
    assert response.status_code == 303
    db.session.expire_all()
    assert answers_of(leeds_2011()) == before
    actions = [e.action for e in db.session.execute(select(AuditEvent).filter_by(assessment_id=submitted.id)).scalars()]
    assert "assessment.submitted" in actions and "answer.changed" in actions


def test_another_authoritys_assessment_is_not_found(browser: Browser) -> None:
    browser.sign_in(VIEWER)  # Camden
    assessment = leeds_2011()
    for url in (f"/assessments/{assessment.id}", standard_url(assessment, "L1"), f"/assessments/{assessment.id}/check",
                f"/assessments/{assessment.id}/history"):
        browser.get(url, status=404)
    response = browser.post(f"/assessments/{assessment.id}/submit", {"declaration": "y"}, token_from="/")
    assert response.status_code == 404


def test_a_viewer_cannot_edit_their_own_authoritys_assessment(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    camden = db.session.execute(select(Organisation).filter_by(code="202")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    assessment = db.session.execute(select(Assessment).filter_by(organisation_id=camden.id,
                                                                 cycle_id=cycle.id)).scalar_one()
    standard = assessment.cycle.framework_version.rules().standards[0]
    browser.get(standard_url(assessment, standard.id))
    assert 'type="radio"' not in browser.last
    before = answers_of(assessment)
    browser.post(standard_url(assessment, standard.id), {"c0_answer": "0"}, token_from="/")
    db.session.expire_all()
    assert answers_of(db.session.get(Assessment, assessment.id)) == before


def test_two_people_saving_the_same_standard(browser: Browser, other_browser: Browser) -> None:
    browser.sign_in(EDITOR)
    other_browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[2]
    criterion = next(c for c in standard.criteria if c.type == "level" and c.depends_on is None)
    url = standard_url(assessment, standard.id)
    names = form_fields(other_browser, url)  # the second person opens the page first
    stale_revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', other_browser.last).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', other_browser.last).group(1)
    fill(assessment, standard.id, browser, {criterion.id: "1"}, {criterion.id: "First person's note"})
    response = other_browser.post(url, {
        "csrf_token": token, "revision": stale_revision, "save_continue": "x",
        f"{names[criterion.id]}_answer": "3", f"{names[criterion.id]}_note": "Second person's note"},
        content_type="multipart/form-data")
    assert response.status_code == 409
    assert "Someone else changed this standard" in other_browser.last
    assert "Second person&#39;s note" in other_browser.last or "Second person's note" in other_browser.last
    db.session.expire_all()
    assert answers_of(leeds_2011())[criterion.id] == 1  # the first save stands
    # Saving again after seeing the conflict keeps the second person's answer.
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', other_browser.last).group(1)
    response = other_browser.post(url, {
        "csrf_token": token, "revision": revision, "overwrite": "yes", "save_continue": "x",
        f"{names[criterion.id]}_answer": "3", f"{names[criterion.id]}_note": "Second person's note"},
        content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    assert answers_of(leeds_2011())[criterion.id] == 3


def test_a_save_after_the_session_expired_is_kept_and_saved_after_signing_in(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[3]
    criterion = next(c for c in standard.criteria if c.type == "level" and c.depends_on is None)
    url = standard_url(assessment, standard.id)
    names = form_fields(browser, url)
    page = browser.last
    data = {"revision": re.search(r'name="revision" type="hidden" value="([^"]*)"', page).group(1),
            "owner": re.search(r'name="owner" value="([^"]*)"', page).group(1),
            "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page).group(1),
            f"{names[criterion.id]}_answer": "2", f"{names[criterion.id]}_note": "Kept through sign-in",
            "save_continue": "x"}
    db.session.execute(text("UPDATE user_sessions SET expires_at = CURRENT_TIMESTAMP"))  # the sign-in expired
    db.session.commit()  # while the person was typing (the browser keeps its cookie)
    response = browser.client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and "/sign-in" in response.location
    browser.get(response.location)
    assert "Sign in again and we will save your answers" in browser.last
    response = browser.post(response.location, {"email": EDITOR, "password": "commissioning-demo"})
    assert response.status_code == 302 and response.location.endswith(url)
    response = browser.get(url, status=None)
    assert response.status_code == 303, re.findall(r'govuk-error-message">(.*?)</p>', browser.last, re.S)
    db.session.expire_all()
    stored = next(a for a in leeds_2011().answers if a.criterion.key == criterion.id)
    assert (stored.level, stored.evidence_note) == (2, "Kept through sign-in")
    browser.get(response.location)
    assert "We saved the answers you were working on" in browser.last


def test_a_forged_save_is_neither_shown_nor_saved(browser: Browser, other_browser: Browser) -> None:
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[3]
    url = standard_url(assessment, standard.id)
    before = answers_of(assessment)
    # A post from elsewhere, with no session and no proof it came from the editor's page.
    response = browser.client.post(url, data={"c0_answer": "0", "owner": "forged"})
    assert response.status_code == 302
    browser.post(response.location, {"email": EDITOR, "password": "commissioning-demo"})
    browser.get(url)
    assert "Check them and save" not in browser.last and "session expired" not in browser.last
    db.session.expire_all()
    assert answers_of(leeds_2011()) == before


def test_history_shows_who_changed_what(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    standard = assessment.cycle.framework_version.rules().standards[0]
    criterion = next(c for c in standard.criteria if c.type == "level" and c.depends_on is None)
    fill(assessment, standard.id, browser, {criterion.id: "1"})
    fill(assessment, standard.id, browser, {criterion.id: "3"})
    browser.get(f"/assessments/{assessment.id}/history")
    text = browser.text()
    assert f"Answer changed {criterion.id}" in text
    assert "Answer: 1 – Emerging" in text and "Answer: 3 – Established" in text
    assert "Director of Children's Services, Leeds" in text or "Director of Children&#39;s Services, Leeds" in text


def test_start_from_last_cycles_answers(browser: Browser) -> None:
    # Cardiff's demo 2011 assessment (there for its benchmark) removed: it can start one afresh.
    cardiff = db.session.execute(select(Organisation).filter_by(code="681")).scalar_one()
    cycle_2011 = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    db.session.delete(db.session.execute(select(Assessment).filter_by(organisation_id=cardiff.id,
                                                                      cycle_id=cycle_2011.id)).scalar_one())
    db.session.commit()
    browser.sign_in(WELSH_EDITOR)
    browser.get("/")
    assert "Start assessment" in browser.last
    # Leeds: remove the 2011 draft, then start again from 2010's answers.
    leeds_draft = leeds_2011()
    db.session.delete(leeds_draft)
    db.session.commit()
    editor = Browser(browser.client.application.test_client())
    editor.sign_in(EDITOR)
    editor.get("/")
    assert "Start from last cycle&#39;s answers" in editor.last or "Start from last cycle's answers" in editor.last
    response = editor.post("/cycles/2011/start", {"carry_over": "yes"}, token_from="/")
    assert response.status_code == 302
    db.session.expire_all()
    started = leeds_2011()
    carried = [a for a in started.answers if a.carried_over]
    assert carried, "comparable answers are carried over"
    framework = started.cycle.framework_version.rules()
    comparable = comparable_criteria(framework)
    assert {a.criterion.key for a in carried} <= set(comparable)
    editor.get(f"/assessments/{started.id}/check")
    assert "carried over and not yet confirmed" in editor.last
    assert scoring.NA not in [a.level for a in carried]
