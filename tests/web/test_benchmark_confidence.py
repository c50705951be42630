"""Issue 9: benchmarks filtered by the lowest confidence they accept ("Ratings counted").

Peer-validated ratings are made as a review makes them: a champion's "agree" finding on a criterion
(ReviewFinding rows), then the assessment's scores stored again (services.scores.refresh_scores). The figures are
checked against the stored AssessmentScore rows of that confidence, read with a plain query and worked out here
with numpy, never with domain/benchmark.py.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from html import escape, unescape

import numpy as np
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import delete, select

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AssessmentScore, Cycle, Organisation, ReviewFinding
from csptoolkit.services.accounts import find_user
from csptoolkit.services.scores import refresh_scores

from .conftest import ADMIN, CHAMPION, VIEWER, Browser

CAMDEN = "202"
COUNTED = ("submitted", "in_review", "moderated", "published")
PV = "peer-validated"
AUTHORITY = f"/benchmarks?org={CAMDEN}&cycle=2011&group=statistical-neighbours&basis=self"


def half_up(value: float) -> float:
    return float(Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def camden() -> Organisation:
    return db.session.execute(select(Organisation).filter_by(code=CAMDEN)).scalar_one()


def group_codes() -> list[str]:
    """Camden and its ten statistical neighbours."""
    return [CAMDEN, *(n.neighbour.code for n in camden().neighbours)]


def stored(codes: list[str], slug: str, confidence: str, basis: str = "self", unscored: bool = False
           ) -> dict[str, float]:
    """The stored overall scores of the authorities' counted assessments, by code (the unscored left out, unless
    asked for as None)."""
    rows = db.session.execute(
        select(Organisation.code, AssessmentScore.score)
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id)
        .where(Organisation.code.in_(codes), Cycle.slug == slug, Assessment.state.in_(COUNTED),
               AssessmentScore.basis == basis, AssessmentScore.confidence == confidence,
               AssessmentScore.scope == "overall")).all()
    if basis == "best":  # DESIGN §6: the moderated score where the assessment was moderated, else self-assessed
        moderated = stored(codes, slug, confidence, "moderated", unscored=True)
        own = {**stored(codes, slug, confidence, "self", unscored=True), **moderated}
        return {code: score for code, score in own.items() if score is not None or unscored}
    return {code: None if score is None else float(score) for code, score in rows if score is not None or unscored}


def assessment_of(code: str, slug: str = "2011") -> Assessment:
    return db.session.execute(
        select(Assessment).join(Cycle).join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Organisation.code == code, Cycle.slug == slug)).scalar_one()


def never_reviewed(codes: list[str], slug: str = "2011") -> None:
    """No finding on any rating of the authorities' assessments (the demo's reviews may have some): nothing of
    theirs is peer-validated, and their scores are stored again."""
    for code in codes:
        assessment = assessment_of(code, slug)
        db.session.execute(delete(ReviewFinding).where(ReviewFinding.assessment_id == assessment.id))
        refresh_scores(db.session, assessment)
    db.session.commit()
    assert not stored(codes, slug, PV)


def peer_validate(code: str, slug: str = "2011") -> None:
    """A champion agrees every other answered rating of the authority's assessment; its scores are stored again."""
    assessment = assessment_of(code, slug)
    champion = find_user(db.session, CHAMPION)
    answered = sorted((a for a in assessment.answers if a.level is not None), key=lambda a: a.key)
    for answer in answered[::2]:
        db.session.add(ReviewFinding(assessment_id=assessment.id, criterion_id=answer.criterion_id,
                                     champion_id=champion.id, outcome="agree"))
    db.session.flush()
    refresh_scores(db.session, assessment)
    db.session.commit()


def download(browser: Browser, url: str) -> tuple[list[list[str]], str]:
    """A CSV export's rows and its file name."""
    response = browser.client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv", (url, response.status_code)
    name = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"]).group(1)
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))), name


def overall_of(rows: list[list[str]]) -> dict[str, str]:
    return dict(zip(rows[0], rows[1], strict=True))


def validate_all_but_one() -> tuple[list[str], list[str], str]:
    """Every scored member of Camden's statistical neighbours peer-validated but one (not Camden): the scored,
    the validated, and the one left."""
    never_reviewed(group_codes())
    scored = sorted(stored(group_codes(), "2011", ""))
    assert CAMDEN in scored and len(scored) >= 7, "the demo data still scores most of Camden's neighbours"
    left = next(code for code in reversed(scored) if code != CAMDEN)
    validated = [code for code in scored if code != left]
    for code in validated:
        peer_validate(code)
    assert sorted(stored(group_codes(), "2011", PV)) == validated  # `left` has no peer-validated rating
    return scored, validated, left


# ----------------------------------------------------------------------------------------------------------


def test_peer_validated_only_leaves_out_the_unvalidated_and_its_figures_are_the_stored_ones(
        seeded_app: Flask, browser: Browser) -> None:
    scored, validated, left = validate_all_but_one()
    truth = stored(group_codes(), "2011", PV)
    browser.sign_in(ADMIN)

    every, name = download(browser, AUTHORITY + "&format=csv")
    assert int(overall_of(every)["Authorities with a score"]) == len(scored)
    assert "Ratings counted" not in every[0]  # every rating: the export as it always was
    assert name == "benchmark-202-2011-statistical-neighbours-self.csv"

    rows, name = download(browser, AUTHORITY + f"&confidence={PV}&format=csv")
    assert name == "benchmark-202-2011-statistical-neighbours-self-peer-validated.csv"
    overall = overall_of(rows)
    values = np.array(sorted(truth.values()))
    assert int(overall["Authorities with a score"]) == len(validated) == len(scored) - 1
    assert float(overall["Score"]) == half_up(truth[CAMDEN])
    assert float(overall["Score"]) != half_up(stored([CAMDEN], "2011", "")[CAMDEN])  # not every rating's score
    assert float(overall["Mean"]) == half_up(values.mean())
    assert float(overall["Median"]) == half_up(np.percentile(values, 50))
    assert float(overall["Lower quartile"]) == half_up(np.percentile(values, 25))
    assert float(overall["Upper quartile"]) == half_up(np.percentile(values, 75))
    assert float(overall["Lowest"]) == half_up(values.min()) and float(overall["Highest"]) == half_up(values.max())
    assert int(overall["Rank"]) == 1 + sum(1 for v in values if v > truth[CAMDEN])
    assert rows[0][-1] == "Ratings counted" and all(row[-1] == "Peer-validated only" for row in rows[1:])

    response = browser.client.get(AUTHORITY + f"&confidence={PV}&format=xlsx")
    assert 'self-peer-validated.xlsx"' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    last = sheet.max_column
    assert sheet.cell(1, last).value == "Ratings counted" and sheet.cell(2, last).value == "Peer-validated only"
    assert sheet.cell(2, 2).value == half_up(truth[CAMDEN])  # a number, as every score in XLSX

    # The programme admin's list of members says which one is not scored at this confidence.
    browser.get(AUTHORITY + f"&confidence={PV}")
    left_name = db.session.execute(select(Organisation.name).filter_by(code=left)).scalar_one()
    members = browser.last[browser.last.index("Overall score of each authority in the group"):]
    assert re.search(re.escape(escape(left_name)) + r"</td>\s*<td[^>]*>Not scored at this confidence", members)
    assert "Ratings counted" in browser.text() and "Peer-validated only. Only ratings that a champion" in browser.text()
    assert "counting only peer-validated ratings" in browser.text()  # the table's caption and the chart's title


@pytest.mark.parametrize("basis", ["best", "self"])
def test_an_authority_user_reads_a_filtered_group_only_as_the_disclosure_rule_allows(
        seeded_app: Flask, browser: Browser, basis: str) -> None:
    """Leaving out a member that has a score on every rating is like a narrower basis: beside the unfiltered
    group, n x mean minus n x mean would give something of that member, so only rank and band are shown."""
    scored, validated, left = validate_all_but_one()
    browser.sign_in(VIEWER)
    url = f"/benchmarks?cycle=2011&group=statistical-neighbours&basis={basis}"
    truth = stored(group_codes(), "2011", PV, basis)
    overall = overall_of(download(browser, url + f"&confidence={PV}&format=csv")[0])
    assert int(overall["Authorities with a score"]) == len(validated)
    assert overall["Mean"] == overall["Median"] == overall["Lower quartile"] == overall["Lowest"] == ""
    assert int(overall["Rank"]) == 1 + sum(1 for v in truth.values() if v > truth[CAMDEN])
    assert overall["Quartile band"] in ("A", "B", "C", "D")
    browser.get(url + f"&confidence={PV}")
    assert "Only some ratings are counted here, and not every authority in the group" in browser.text()

    peer_validate(left)  # now no member with a score is left out: the group's figures show
    truth = stored(group_codes(), "2011", PV, basis)
    values = np.array(sorted(truth.values()))
    assert len(values) == len(scored)
    overall = overall_of(download(browser, url + f"&confidence={PV}&format=csv")[0])
    assert float(overall["Mean"]) == half_up(values.mean())
    assert float(overall["Median"]) == half_up(np.percentile(values, 50))
    assert overall["Lowest"] == overall["Highest"] == ""  # as on every authority user's benchmark


def test_an_authority_without_validated_ratings_is_not_scored_at_this_confidence(
        seeded_app: Flask, browser: Browser) -> None:
    never_reviewed(group_codes())
    others = [code for code in sorted(stored(group_codes(), "2011", "")) if code != CAMDEN][:3]
    for code in others:
        peer_validate(code)
    browser.sign_in(VIEWER)
    url = "/benchmarks?cycle=2011&group=statistical-neighbours&basis=self"
    browser.get(url)  # the unfiltered table first: a table kept under too short a key would be shown again
    first = re.search(r'scope="row" class="govuk-table__header">Overall</th>\s*<td[^>]*>([^<]+)</td>', browser.last)
    assert float(first.group(1)) == half_up(stored([CAMDEN], "2011", "")[CAMDEN])
    browser.get(url + f"&confidence={PV}")
    assert "Camden is not scored at this confidence" in browser.text()
    cell = re.search(r'scope="row" class="govuk-table__header">Overall</th>\s*<td[^>]*>([^<]+)</td>', browser.last)
    assert cell.group(1) == "Not scored at this confidence"
    overall = overall_of(download(browser, url + f"&confidence={PV}&format=csv")[0])
    assert overall["Score"] == "" and int(overall["Authorities with a score"]) == len(others)
    # Evidenced or peer-validated: Camden's evidenced ratings count, so it is scored again.
    browser.get(url + "&confidence=evidenced")
    assert "not scored at this confidence" not in browser.text()
    evidenced = stored([CAMDEN], "2011", "evidenced")[CAMDEN]
    cell = re.search(r'scope="row" class="govuk-table__header">Overall</th>\s*<td[^>]*>([^<]+)</td>', browser.last)
    assert float(cell.group(1)) == half_up(evidenced)


def _camden_on_national(page: str) -> str:
    row = re.search(r">Camden</a></th>\s*<td[^>]*>([^<]+)</td>", page)
    assert row, "Camden's row is on the national page"
    return row.group(1)


def test_national_regions_and_trend_count_only_the_ratings_chosen_and_say_so(
        seeded_app: Flask, browser: Browser) -> None:
    never_reviewed(group_codes())
    validated = [CAMDEN, *[code for code in sorted(stored(group_codes(), "2011", "")) if code != CAMDEN][:2]]
    for code in validated:
        peer_validate(code)
    everyone = list(db.session.execute(select(Organisation.code)).scalars())
    nationally = stored(everyone, "2011", PV)  # the demo's own reviews validate others too
    assert set(validated) <= set(nationally) and len(nationally) < len(stored(everyone, "2011", ""))
    browser.sign_in(ADMIN)
    national = "/benchmarks/national?cycle=2011&basis=self&sort=name&order=asc"
    browser.get(national)  # kept first on every rating
    assert float(_camden_on_national(browser.last)) == half_up(stored([CAMDEN], "2011", "")[CAMDEN])
    browser.get(national + f"&confidence={PV}")
    assert float(_camden_on_national(browser.last)) == half_up(stored([CAMDEN], "2011", PV)[CAMDEN])
    assert "Ratings counted: Peer-validated only." in browser.text()
    assert 'option value="peer-validated" selected' in browser.last
    assert f"confidence={PV}" in browser.last[browser.last.index("Download this table (CSV)") - 300:]

    rows, name = download(browser, f"/benchmarks/national?cycle=2011&basis=self&confidence={PV}&format=csv")
    assert name == "national-2011-self-peer-validated.csv"
    assert rows[0][-1] == "Ratings counted" and {row[-1] for row in rows[1:]} == {"Peer-validated only"}
    assert sorted(row[0] for row in rows[1:] if row[4]) == sorted(nationally)
    assert download(browser, "/benchmarks/national?cycle=2011&basis=self&format=csv")[1] == "national-2011-self.csv"

    rows, name = download(browser, f"/benchmarks/regions?cycle=2011&basis=self&confidence={PV}&format=csv")
    assert name == "regions-2011-self-peer-validated.csv"
    assert sum(int(row[1]) for row in rows[1:]) == len(nationally)
    assert {row[-1] for row in rows[1:]} == {"Peer-validated only"}
    browser.get(f"/benchmarks/regions?cycle=2011&basis=self&confidence={PV}")
    assert "Ratings counted: Peer-validated only." in browser.text()

    viewer = Browser(seeded_app.test_client())
    viewer.sign_in(VIEWER)
    trend = f"/benchmarks/trend?group=statistical-neighbours&basis=self&confidence={PV}"
    rows, name = download(viewer, trend + "&format=csv")
    assert name == "trend-202-statistical-neighbours-self-peer-validated.csv"
    by_cycle = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert float(by_cycle["2011 self-assessment"]["Overall score"]) == half_up(stored([CAMDEN], "2011", PV)[CAMDEN])
    in_2010 = stored([CAMDEN], "2010", PV).get(CAMDEN)
    assert by_cycle["2010 self-assessment"]["Overall score"] == ("" if in_2010 is None else str(half_up(in_2010)))
    assert int(by_cycle["2011 self-assessment"]["Authorities with a score"]) == len(validated)
    assert by_cycle["2011 self-assessment"]["Ratings counted"] == "Peer-validated only"
    viewer.get(trend)
    assert "it is shown only when Any rating is chosen" in viewer.text()
    assert "Scores on comparable criteria only" not in viewer.last


def test_a_ratings_counted_value_the_filter_does_not_offer_is_a_clear_400(seeded_app: Flask,
                                                                         browser: Browser) -> None:
    browser.sign_in(VIEWER)
    for url in ("/benchmarks?confidence=self-assessed", "/benchmarks/trend?confidence=bogus"):
        browser.get(url, status=400)
        assert "Choose the ratings counted from the list" in browser.text()
    browser.get("/benchmarks?basis=worst", status=400)  # the basis the same way
    assert "Choose the scores used from the list" in browser.text()
    admin = Browser(seeded_app.test_client())
    admin.sign_in(ADMIN)
    for url in ("/benchmarks/national?confidence=all", "/benchmarks/regions?confidence=Peer-validated",
                f"/benchmarks?org={CAMDEN}&confidence=x&format=csv"):
        admin.get(url, status=400)
        assert "Choose the ratings counted from the list" in admin.text()
    admin.get("/benchmarks/national?basis=worst", status=400)


def test_the_select_is_in_welsh_on_the_welsh_page(seeded_app: Flask, browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/benchmarks?cycle=2011&group=statistical-neighbours", status=200)
    select_html = re.search(r'<select[^>]*name="confidence".*?</select>', browser.last, re.S).group(0)
    assert re.search(r'<option value="" selected>Any rating</option>', select_html)
    assert re.search(r'for="confidence">\s*Ratings counted\s*</label>', browser.last)
    browser.get("/language/cy", status=None)
    browser.get("/benchmarks?cycle=2011&group=statistical-neighbours&confidence=peer-validated")
    select_html = re.search(r'<select[^>]*name="confidence".*?</select>', browser.last, re.S).group(0)
    assert re.search(r'for="confidence">\s*Graddau a gyfrifir\s*</label>', browser.last)
    options = [unescape(o) for o in re.findall(r"<option[^>]*>([^<]+)</option>", select_html)]
    assert options == ["Unrhyw radd", "Gyda thystiolaeth neu wedi'u dilysu gan gymheiriaid",
                       "Wedi'u dilysu gan gymheiriaid yn unig"]
    assert re.search(r'<option value="peer-validated" selected>', select_html)
    assert "Ratings counted" not in browser.text() and "Peer-validated only" not in browser.text()
