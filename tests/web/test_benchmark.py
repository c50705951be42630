"""Benchmark pages: figures checked against an independent calculation, anonymity, exports, groups, trend."""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from openpyxl import load_workbook
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AssessmentScore, Cycle, Organisation

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, Browser

COUNTED = ("submitted", "in_review", "moderated", "published")


def half_up(value: float) -> float:
    """One decimal place, half-up (an independent statement of the display rule)."""
    return float(Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def org(code: str) -> Organisation:
    return db.session.execute(select(Organisation).filter_by(code=code)).scalar_one()


def independent_overall(codes: list[str], cycle_slug: str, basis: str) -> dict[str, float]:
    """Overall scores straight from the table, chosen by basis without the service's code."""
    cycle = db.session.execute(select(Cycle).filter_by(slug=cycle_slug)).scalar_one()
    result = {}
    for code in codes:
        assessment = db.session.execute(select(Assessment).filter_by(
            cycle_id=cycle.id, organisation_id=org(code).id)).scalar_one_or_none()
        if assessment is None or assessment.state not in COUNTED:
            continue
        rows = {s.basis: s.score for s in assessment.scores if s.scope == "overall"}
        value = rows.get("moderated") if basis in ("moderated", "best") else rows.get("self")
        if value is None and basis == "best":
            value = rows.get("self")
        if value is not None:
            result[code] = float(value)
    return result


def csv_rows(browser: Browser, url: str) -> list[list[str]]:
    response = browser.client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_authority_figures_agree_with_an_independent_calculation(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    camden = org("202")
    group = ["202", *(n.neighbour.code for n in camden.neighbours)]
    for slug in ("2011", "2010"):
        best = independent_overall(group, slug, "best")
        for basis in ("best", "self", "moderated"):
            scores = independent_overall(group, slug, basis)
            rows = csv_rows(browser, f"/benchmarks?cycle={slug}&group=statistical-neighbours&basis={basis}&format=csv")
            overall = dict(zip(rows[0], rows[1], strict=True))
            values = np.array(list(scores.values()))
            own = scores.get("202")
            assert int(overall["Authorities with a score"]) == len(values)
            assert overall["Lowest"] == overall["Highest"] == ""  # one authority's own score each: never shown
            left_out = set(best) - set(scores)  # moderated only leaves out the authorities not moderated yet
            if len(values) >= 5 and not left_out:
                assert float(overall["Mean"]) == half_up(values.mean())
                assert float(overall["Median"]) == half_up(np.percentile(values, 50))
                assert float(overall["Lower quartile"]) == half_up(np.percentile(values, 25))
                assert float(overall["Upper quartile"]) == half_up(np.percentile(values, 75))
            else:
                assert overall["Mean"] == overall["Median"] == overall["Upper quartile"] == "", (slug, basis)
            if len(values) >= 5 and own is not None:
                assert int(overall["Rank"]) == 1 + sum(1 for v in values if v > own)
            else:
                assert overall["Rank"] == "" and overall["Quartile band"] == ""


def test_the_page_shows_rank_band_and_basis_and_hides_peer_names(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/benchmarks?cycle=2011&group=region&basis=best")
    text = browser.text()
    assert "How Camden compares" in text and "Best available" in text
    assert re.search(r"\d+(st|nd|rd|th) of \d+", text)
    band = r'class="govuk-tag csp-band govuk-tag--\w+">[ABCD]<span class="govuk-visually-hidden">'
    assert re.search(band, browser.last)
    # Peers are neither named nor listed one by one (issue 7): no lettered rows, no dots on the chart.
    assert "Authority A" not in text and "Other authorities are not named" in text
    for neighbour in org("202").neighbours:
        assert neighbour.neighbour.name not in text
    assert "<circle" not in browser.last[browser.last.index('id="domains-title"'):browser.last.index("</svg>")]
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="csp-chart"' in browser.last
    assert "<title id=\"domains-title\">" in browser.last and "<desc id=\"domains-desc\">" in browser.last


def test_an_authority_user_sees_only_their_own_authority(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/benchmarks?org=383")
    assert "How Camden compares" in browser.text() and "How Leeds compares" not in browser.text()


def test_admins_see_names_and_any_authority(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get("/benchmarks?org=202&group=statistical-neighbours")
    first = org("202").neighbours[0].neighbour.name
    assert first in browser.text()


def test_champions_do_not_see_benchmarks(browser: Browser) -> None:
    browser.sign_in(CHAMPION)
    browser.get("/benchmarks", status=403)
    browser.get("/benchmarks/national", status=403)


def test_drafts_never_count(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    rows = csv_rows(browser, "/benchmarks/national?cycle=2011&basis=self&format=csv")
    leeds = next(r for r in rows if r[0] == "383")
    assert leeds[4] == ""  # Leeds' 2011 assessment is a draft: no score in any benchmark
    drafts = db.session.execute(select(Assessment).join(Cycle).where(
        Cycle.slug == "2011", Assessment.state == "draft")).scalars().all()
    draft_codes = {a.organisation.code for a in drafts}
    assert all(r[4] == "" for r in rows[1:] if r[0] in draft_codes)


def test_small_groups_are_suppressed(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/benchmarks/groups")
    response = browser.post("/benchmarks/groups", {"name": "Two friends", "members": ["301", "302"]})
    assert response.status_code == 303
    browser.get(response.location)
    assert "A group you build shows where you stand only when at least 5 other authorities" in browser.text()
    assert re.search(r"n = [0-3]\b", browser.text())  # at most the three members, never a mean or a rank
    assert not re.search(r"\d+(st|nd|rd|th) of \d+", browser.text())
    assert "Authority A" not in browser.text() and "Authorities in the group" not in browser.text()


def test_custom_groups_are_private_unless_an_admin_shares_them(browser: Browser, other_browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.post("/benchmarks/groups", {"name": "Camden's own picks", "members": ["301", "302", "303"]})
    other_browser.sign_in(EDITOR)
    other_browser.get("/benchmarks/groups")
    assert "Camden&#39;s own picks" not in other_browser.last and "Camden's own picks" not in other_browser.last
    admin = Browser(browser.client.application.test_client())
    admin.sign_in(ADMIN)
    admin.post("/benchmarks/groups", {"name": "Core cities", "members": ["330", "383", "352"], "shared": "y"})
    other_browser.get("/benchmarks/groups")
    assert "Core cities" in other_browser.last
    response = browser.post("/benchmarks/groups", {"name": "", "members": []})
    assert response.status_code == 400 and "Enter a name for the group" in browser.last


def test_national_view_sorts_filters_and_exports(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get("/benchmarks/national?cycle=2011&basis=best&region=Inner+London&sort=overall&order=desc")
    names = re.findall(r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="[^"]+">([^<]+)</a>',
                       browser.last)
    inner = {o.name for o in db.session.execute(select(Organisation).filter_by(dfe_region="Inner London")).scalars()}
    assert names and set(names) == inner
    rows = csv_rows(browser, "/benchmarks/national?cycle=2011&basis=best&region=Inner+London&format=csv")
    scores = [float(r[4]) for r in rows[1:] if r[4]]
    assert scores == sorted(scores, reverse=True)
    xlsx = browser.client.get("/benchmarks/national?cycle=2011&basis=best&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 1 + 175 and sheet.cell(1, 2).value == "Authority"


def test_exports_match_the_table(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    rows = csv_rows(browser, "/benchmarks?cycle=2010&group=all&basis=self&format=csv")
    xlsx = browser.client.get("/benchmarks?cycle=2010&group=all&basis=self&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    # Scores are numbers shown to one decimal place (issue 7, item 16), counts and ranks whole numbers.
    values = [["" if c.value is None else f"{c.value:.1f}" if c.number_format == "0.0" else str(c.value) for c in row]
              for row in sheet.iter_rows()]
    assert values == rows
    assert all(isinstance(c.value, (int, float)) for row in sheet.iter_rows(min_row=2, min_col=2) for c in row[:9]
               if c.value is not None)
    assert rows[1][0] == "Overall" and len(rows) == 1 + 1 + 8 + 25  # overall, 8 domains, 25 standards


def test_trend_labels_comparable_criteria(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/benchmarks/trend")
    text = browser.text()
    assert "2010 self-assessment" in text and "2011 self-assessment" in text
    assert "different versions of the standards" in text
    assert "comparable criteria only" in text
    comparable = int(re.search(r"over the (\d+) criteria", text).group(1))
    assert 60 < comparable < 96


def test_moderated_basis_uses_only_moderated_assessments(seeded_app) -> None:
    from csptoolkit.services import benchmarks

    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    moderated = benchmarks.cycle_scores(db.session, cycle, "moderated")
    has_moderated = {a for (a,) in db.session.execute(
        select(Assessment.organisation_id).join(AssessmentScore).where(
            Assessment.cycle_id == cycle.id, AssessmentScore.basis == "moderated", AssessmentScore.confidence == "",
            Assessment.state.in_(COUNTED)).distinct())}
    assert set(moderated) == has_moderated
    best = benchmarks.cycle_scores(db.session, cycle, "best")
    selfs = benchmarks.cycle_scores(db.session, cycle, "self")
    assert set(best) == set(selfs)
    for organisation_id in has_moderated:
        assert best[organisation_id] == moderated[organisation_id]


def test_region_view_agrees_with_numpy(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get("/benchmarks/regions?cycle=2011&basis=self&score=domain:market")
    assert "Region view" in browser.text() and "Inner London" in browser.text()
    rows = csv_rows(browser, "/benchmarks/regions?cycle=2011&basis=self&score=domain:market&format=csv")
    north_east = next(r for r in rows if r[0] == "North East")
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    values = [float(s.score) for s in db.session.execute(
        select(AssessmentScore).join(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Assessment.cycle_id == cycle.id, Assessment.state.in_(COUNTED), AssessmentScore.basis == "self",
               AssessmentScore.confidence == "",
               AssessmentScore.key == "market", Organisation.dfe_region == "North East")).scalars()
        if s.score is not None]
    assert int(north_east[1]) == len(values)
    assert float(north_east[4]) == half_up(np.percentile(values, 50))


def test_trend_table_exports(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    rows = csv_rows(browser, "/benchmarks/trend?group=statistical-neighbours&basis=self&format=csv")
    assert [r[0] for r in rows[1:]] == ["2010 self-assessment", "2011 self-assessment"]
    assert [r[1] for r in rows[1:]] == ["2010.1", "2011.1"]


def test_only_the_owner_or_an_admin_deletes_a_group(browser: Browser, other_browser: Browser) -> None:
    from csptoolkit.models import PeerGroup

    browser.sign_in(VIEWER)
    browser.post("/benchmarks/groups", {"name": "Short-lived", "members": ["301", "302"]})
    group_id = db.session.execute(select(PeerGroup.id).filter_by(name="Short-lived")).scalar_one()
    other_browser.sign_in(EDITOR)
    response = other_browser.post(f"/benchmarks/groups/{group_id}/delete", {}, token_from="/benchmarks/groups")
    assert response.status_code == 404
    response = browser.post(f"/benchmarks/groups/{group_id}/delete", {}, token_from="/benchmarks/groups")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(PeerGroup, group_id) is None


def test_comparable_trend_equals_a_direct_calculation(browser: Browser) -> None:
    from csptoolkit.domain import scoring
    from csptoolkit.domain.standards import comparable_criteria, restrict
    from csptoolkit.services.scores import answers_of

    browser.sign_in(VIEWER)
    browser.get("/benchmarks/trend?group=statistical-neighbours&basis=self")
    table = browser.last[browser.last.index("Scores on comparable criteria only, by cycle"):]
    shown = re.findall(r'govuk-table__cell--numeric">([\d.]+)</td>', table)
    cycles = {c.slug: c for c in db.session.execute(select(Cycle)).scalars()}
    new = cycles["2011"].framework_version.rules()
    mapping = comparable_criteria(new)
    subset = restrict(new, frozenset(mapping))
    expected = []
    for slug in ("2010", "2011"):
        assessment = db.session.execute(select(Assessment).filter_by(
            cycle_id=cycles[slug].id, organisation_id=org("202").id)).scalar_one()
        answers = answers_of(assessment, "self")
        if slug == "2010":
            answers = {n: answers[o] for n, o in mapping.items() if o in answers}
        expected.append(str(scoring.score(subset, answers).overall.value))
    assert [shown[0], shown[2]] == expected


def test_the_members_table_under_suppression(seeded_app, browser: Browser) -> None:
    """Below the threshold an authority user gets the number of authorities and its own scores, and no members'
    table, lettered row or chart mark; programme admins get every member named with its stored score."""
    seeded_app.config["DISCLOSURE_THRESHOLD"] = 1000
    browser.sign_in(VIEWER)
    browser.get("/benchmarks?cycle=2011&group=statistical-neighbours&basis=self")
    text = browser.text()
    assert "Fewer than 1000 authorities in this group have a score" in text
    assert "Authorities in the group" not in text and not re.search(r"Authority [A-Z]\b", text)
    svg = browser.last[browser.last.index('id="domains-title"'):browser.last.index("</svg>")]
    assert "<circle" not in svg and "<rect" not in svg and 'stroke-width="3"' not in svg  # only Camden's diamonds
    camden = org("202")
    codes = ["202", *(n.neighbour.code for n in camden.neighbours)]
    scores = independent_overall(codes, "2011", "self")
    table = browser.last[re.search(r"<caption[^>]*>\s*Scores:", browser.last).start():]
    overall_row = re.search(r"Overall</th>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", overall_row, re.S)
    assert cells[0] == str(half_up(scores["202"])) and "n = " in cells[1]  # own score; no mean, median, quartiles

    admin = Browser(browser.client.application.test_client())
    admin.sign_in(ADMIN)
    admin.get("/benchmarks?org=202&cycle=2011&group=statistical-neighbours&basis=self")
    members = admin.last[admin.last.index("Overall score of each authority in the group"):]
    rows = re.findall(r"<td class=\"govuk-table__cell\">(?:<strong>)?([^<]+)(?:</strong>)?</td>\s*"
                      r"<td[^>]*>([^<]+)</td>", members)
    assert len(rows) == 11
    for name, shown in rows:
        code = next(c for c in codes if org(c).name == name)
        assert shown == (str(half_up(scores[code])) if code in scores else "No submitted assessment"), name
