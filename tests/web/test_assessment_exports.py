"""An assessment's answers and scores as XLSX (two sheets, numbers as numbers) and CSV: figures against hand-worked
values, who may download them, and the headers in Welsh."""

from __future__ import annotations

import csv
import io

import openpyxl
from flask import Flask
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, AssessmentScore, Criterion, Cycle, Organisation, ReviewAssignment
from csptoolkit.services.accounts import find_user

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR, Browser

LEEDS, CAMDEN = "383", "202"
# Leeds's 2011 draft, leadership answered as below (csp-commissioning 2011.1):
#   L1 (weight 2): L1.1 (weight 2, mandatory, minimum 2) = 1, L1.2 = L1.3 = L1.4 = 4:
#       (2x1 + 4 + 4 + 4) / (2x4 + 4 + 4 + 4) = 14/20 = 70.0, which is "Met", but L1.1 is below its minimum:
#       capped at the gate band, "Approaching".
#   L2: L2.1 yes (4), L2.2 = 2, L2.3 = 3, L2.4 no (0): 9/16 = 56.25, shown half-up as 56.3 (half-even: 56.2).
#   L3: 4, 2, 1: 7/12 = 58.33..., shown 58.3.
#   Leadership: (2 x 70 + 56.25 + 175/3) / 4 = 3055/48 = 63.6458..., shown 63.6, "Approaching" (and capped).
LEADERSHIP = {"L1.1": 1, "L1.2": 4, "L1.3": 4, "L1.4": 4, "L2.1": 4, "L2.2": 2, "L2.3": 3, "L2.4": 0,
              "L3.1": 4, "L3.2": 2, "L3.3": 1}


def assessment_of(code: str, slug: str = "2011") -> Assessment:
    return db.session.execute(select(Assessment).join(Cycle, Cycle.id == Assessment.cycle_id)
                              .join(Organisation, Organisation.id == Assessment.organisation_id)
                              .where(Organisation.code == code, Cycle.slug == slug)).scalar_one()


def answer_leadership() -> Assessment:
    assessment = assessment_of(LEEDS)
    criteria = {c.key: c for c in db.session.execute(select(Criterion).filter_by(
        framework_version_id=assessment.cycle.framework_version_id)).scalars()}
    existing = {a.criterion.key: a for a in assessment.answers}
    for key, level in LEADERSHIP.items():
        answer = existing.get(key)
        if answer is None:
            answer = Answer(criterion=criteria[key])
            assessment.answers.append(answer)
        answer.level, answer.not_applicable = level, False
        existing[key] = answer
    existing["L3.1"].evidence_note = '=HYPERLINK("http://example.com")'
    db.session.commit()
    return assessment


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data))


def rows_of(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_workbook_holds_numbers_worked_out_by_hand(browser: Browser) -> None:
    assessment = answer_leadership()
    browser.sign_in(EDITOR)
    book = workbook(browser.client.get(f"/assessments/{assessment.id}/answers.xlsx"))
    assert book.sheetnames == ["Answers", "Scores"]
    scores = rows_of(book["Scores"])
    assert scores[0] == ["Scope", "Key", "Title", "Self-assessed score", "Band", "Capped by a minimum level",
                         "Moderated score", "Moderated band", "Gap"]
    by_key = {row[1]: row for row in scores[1:]}
    assert by_key["L1"][:6] == ["Standard", "L1", "Strategic leadership and the joint commissioning strategy", 70.0,
                                "Approaching", "Yes"]
    assert by_key["L2"][3:6] == [56.3, "Approaching", "No"]
    assert by_key["L3"][3:6] == [58.3, "Approaching", "No"]
    assert by_key["leadership"][:6] == ["Domain", "leadership", "Leadership and governance", 63.6, "Approaching",
                                        "Yes"]
    assert by_key["L1"][6:] == [None, None, None]  # a draft has no moderated scores
    assert scores[1][:2] == ["Overall", "overall"]
    cells = {row[0].value: row for row in book["Scores"].iter_rows(min_row=2) if row[1].value == "L2"}
    score_cell = next(iter(cells.values()))[3]
    assert score_cell.data_type == "n" and score_cell.number_format == "0.0"
    answers = rows_of(book["Answers"])
    assert answers[0] == ["Domain", "Standard", "Criterion", "Question", "Level", "Level name", "Not applicable",
                          "Moderated level", "Confidence", "Evidence note", "Evidence files"]
    by_id = {row[2]: row for row in answers[1:]}
    assert by_id["L1.1"][4:7] == [1, "Emerging", "No"]
    assert by_id["L2.1"][4:6] == [4, "Yes"] and by_id["L2.4"][4:6] == [0, "No"]
    assert by_id["L3.3"][:3] == ["Leadership and governance", "L3 Partnership working in commissioning", "L3.3"]
    level_cell = next(r for r in book["Answers"].iter_rows(min_row=2) if r[2].value == "L3.1")[4]
    assert level_cell.data_type == "n" and level_cell.value == 4
    # A note that looks like a formula is kept as text, never run.
    assert by_id["L3.1"][9] == "'=HYPERLINK(\"http://example.com\")"


def test_the_csvs_agree_with_the_workbook(browser: Browser) -> None:
    assessment = answer_leadership()
    browser.sign_in(EDITOR)
    book = workbook(browser.client.get(f"/assessments/{assessment.id}/answers.xlsx"))
    answers = csv_rows(browser.client.get(f"/assessments/{assessment.id}/answers.csv"))
    scores = csv_rows(browser.client.get(f"/assessments/{assessment.id}/scores.csv"))
    assert len(answers) == book["Answers"].max_row and len(scores) == book["Scores"].max_row
    by_key = {row[1]: row for row in scores[1:]}
    assert by_key["L2"][3] == "56.3" and by_key["leadership"][3] == "63.6" and by_key["L1"][5] == "Yes"
    by_id = {row[2]: row for row in answers[1:]}
    assert by_id["L2.2"][4] == "2" and by_id["L2.4"][5] == "No"


def test_a_moderated_assessment_has_moderated_scores_and_the_gap(browser: Browser) -> None:
    assessment = assessment_of(CAMDEN, "2010")
    assert assessment.state in ("moderated", "published")
    stored = {(s.basis, s.scope, s.key): float(s.score) for s in db.session.execute(
        select(AssessmentScore).filter_by(assessment_id=assessment.id, confidence="")).scalars()
        if s.score is not None}
    browser.sign_in(VIEWER)
    book = workbook(browser.client.get(f"/assessments/{assessment.id}/answers.xlsx"))
    overall = rows_of(book["Scores"])[1]
    own, moderated = (round(stored[(basis, "overall", "")] + 1e-9, 1) for basis in ("self", "moderated"))
    assert overall[3] == own and overall[6] == moderated
    assert overall[8] == round(moderated - own, 1)
    levels = [row[7] for row in rows_of(book["Answers"])[1:]]
    assert any(isinstance(level, int) for level in levels)


def test_who_may_download(seeded_app: Flask) -> None:
    camden = assessment_of(CAMDEN)
    champion = find_user(db.session, CHAMPION)
    assigned = db.session.execute(select(Assessment).join(ReviewAssignment).where(
        ReviewAssignment.champion_id == champion.id)).scalars().all()
    in_review = next(a for a in assigned if a.state == "in_review")
    finished = next(a for a in assigned if a.state in ("moderated", "published"))
    cases = [
        (VIEWER, camden, 200), (ADMIN, camden, 200), (EDITOR, camden, 404), (WELSH_EDITOR, camden, 404),
        (CHAMPION, camden, 404), (CHAMPION, in_review, 200), (CHAMPION, finished, 404),
    ]
    for email, assessment, status in cases:
        person = Browser(seeded_app.test_client())
        person.sign_in(email)
        for path in ("answers.xlsx", "answers.csv", "scores.csv"):
            response = person.client.get(f"/assessments/{assessment.id}/{path}")
            assert response.status_code == status, (email, assessment.state, path, response.status_code)
        overview = person.client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
        assert (f"/assessments/{assessment.id}/answers.xlsx" in overview) == (status == 200), (email, path)
    anonymous = seeded_app.test_client().get(f"/assessments/{camden.id}/answers.xlsx")
    assert anonymous.status_code == 302
    person = Browser(seeded_app.test_client())
    person.sign_in(ADMIN)
    assert person.client.get("/assessments/999999/answers.csv").status_code == 404


def test_welsh_headers(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/language/cy?next=/", status=302)
    camden = assessment_of(CAMDEN)
    answers = csv_rows(browser.client.get(f"/assessments/{camden.id}/answers.csv"))
    assert answers[0][:5] == ["Maes", "Safon", "Maen prawf", "Cwestiwn", "Lefel"]
    scores = csv_rows(browser.client.get(f"/assessments/{camden.id}/scores.csv"))
    assert scores[0][3] == "Sgôr wedi'i hunanasesu" and scores[1][0] != "Overall"
    book = workbook(browser.client.get(f"/assessments/{camden.id}/answers.xlsx"))
    assert book.sheetnames == ["Atebion", "Sgorau"]
