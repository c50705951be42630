"""Benchmark pages as people read them (issue 7): the chart's legend and labels, "quartile band", numbers in XLSX,
tables that scroll in their own region, Welsh authorities compared with Wales, and the pages in Welsh."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import html5lib
from openpyxl import load_workbook
from sqlalchemy import func, select

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AssessmentScore, Cycle, Organisation
from csptoolkit.services import demo

from .conftest import ADMIN, VIEWER, WELSH_EDITOR, Browser

ROOT = Path(__file__).resolve().parents[2]
COUNTED = ("submitted", "in_review", "moderated", "published")
PAGES = ("/benchmarks?group=region", "/benchmarks/trend")
ADMIN_PAGES = ("/benchmarks/national", "/benchmarks/regions", "/benchmarks?org=202", "/benchmarks/trend?org=202")


def chart(html: str, chart_id: str) -> str:
    return re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', html, re.S).group(0)


def legend(html: str, chart_id: str) -> list[str]:
    listed = re.search(rf'<ul class="govuk-list csp-legend" id="{chart_id}-legend">(.*?)</ul>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", listed, re.S)]


def test_the_chart_has_a_legend_of_the_marks_it_draws(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/benchmarks?cycle=2011&group=region&basis=best")
    # No dots and no range: authority users see no other authority's own score, not even the lowest.
    assert legend(browser.last, "domains") == [
        "Score of Camden", "Median of the group", "Middle half of the group: from the lower to the upper quartile"]
    admin = Browser(browser.client.application.test_client())
    admin.sign_in(ADMIN)
    admin.get("/benchmarks?org=202&cycle=2011&group=region&basis=best")
    assert legend(admin.last, "domains")[-2:] == ["Lowest to highest score in the group",
                                                   "Score of each authority in the group"]
    admin.get("/benchmarks/trend?org=202&group=region")
    assert legend(admin.last, "trend") == ["Camden", "Peer median"]


def test_domain_names_are_never_cut_short(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    for language in ("en", "cy"):
        browser.get(f"/language/{language}", status=None)
        browser.get("/benchmarks?cycle=2011")
        svg = chart(browser.last, "domains")
        labels = [" ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text))
                  for text in re.findall(r'<text x="232"[^>]*>(.*?)</text>', svg)]
        expected = {"en": "Engagement of children, young people and families",
                    "cy": "Ymgysylltu â phlant, pobl ifanc a theuluoedd"}[language]
        assert expected in labels and "…" not in svg, labels


def test_quartile_band_is_called_so_everywhere(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/benchmarks?cycle=2011&group=region")
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', browser.last)
    assert "Quartile band" in headers and "Band" not in headers
    assert "Quartile bands: A is the top quarter" in browser.text()
    export = browser.client.get("/benchmarks?cycle=2011&group=region&format=csv").get_data(as_text=True)
    assert export.lstrip("\ufeff").splitlines()[0].endswith(",Rank,Quartile band")
    browser.get("/language/cy", status=None)
    browser.get("/benchmarks?cycle=2011&group=region")
    assert "Band chwartel" in browser.last


def test_xlsx_holds_numbers_and_whole_words_in_the_sheet_name(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    # Bath and North East Somerset: "Bath and North East Somerset 2011" is 33 characters, over Excel's 31.
    response = browser.client.get("/benchmarks?org=800&cycle=2011&group=region&basis=self&format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.active
    assert sheet.title == "Bath and North East Somerset"
    header = [c.value for c in sheet[1]]
    overall = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert isinstance(overall["Score"].value, float) and overall["Score"].number_format == "0.0"
    assert isinstance(overall["Authorities with a score"].value, int)
    # The stored self-assessed overall score of Bath and North East Somerset, rounded half-up, as a number.
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    stored = db.session.execute(
        select(AssessmentScore.score).join(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Organisation.code == "800", Assessment.cycle_id == cycle.id, AssessmentScore.basis == "self",
               AssessmentScore.confidence == "",
               AssessmentScore.scope == "overall")).scalar_one()
    assert abs(overall["Score"].value - float(stored)) <= 0.05
    national = load_workbook(io.BytesIO(browser.client.get(
        "/benchmarks/national?cycle=2011&basis=self&format=xlsx").data)).active
    column = [c for c in next(national.iter_cols(min_col=5, max_col=5, min_row=2)) if c.value is not None]
    # Numbers a spreadsheet can sum (a whole score such as 87.0 reads back as 87), shown to one decimal place.
    assert column and all(isinstance(c.value, (int, float)) and c.number_format == "0.0" for c in column)
    assert national.title == "National 2011"


def test_every_table_scrolls_in_a_labelled_focusable_region(browser: Browser) -> None:
    """On a 375 px screen a wide table scrolls inside its own region, never the page: the region can be reached
    and scrolled from the keyboard and is named by the table's caption."""
    browser.sign_in(VIEWER)
    pages = [*PAGES]
    admin = Browser(browser.client.application.test_client())
    admin.sign_in(ADMIN)
    for who, url in [*((browser, u) for u in pages), *((admin, u) for u in ADMIN_PAGES)]:
        who.get(url)
        document = html5lib.parse(who.last, namespaceHTMLElements=False)
        main = document.find(".//main")
        tables = main.findall(".//table")
        assert tables, url
        wrapped = {id(t) for w in main.iter("div") if "csp-table-wrapper" in (w.get("class") or "")
                   for t in w.iter("table")}
        for table in tables:
            if table.find("caption") is not None and "Overall score of each authority" in (
                    table.find("caption").text or ""):
                continue  # two narrow columns: it fits any screen
            assert id(table) in wrapped, (url, table.find("caption").text)
        for wrapper in (w for w in main.iter("div") if "csp-table-wrapper" in (w.get("class") or "")):
            assert wrapper.get("role") == "region" and wrapper.get("tabindex") == "0", url
            if wrapper.get("aria-label"):  # named with its table's caption text (the GOV.UK macro wrote it)
                captions = [(t.find("caption").text or "").strip() for t in wrapper.iter("table")
                            if t.find("caption") is not None]
                assert wrapper.get("aria-label").strip() in captions, (url, wrapper.get("aria-label"), captions)
            else:
                caption = main.find(f".//caption[@id='{wrapper.get('aria-labelledby')}']")
                assert caption is not None and (caption.text or "").strip(), url
    admin.get("/benchmarks/national")
    assert 'class="govuk-width-container csp-width-container--wide"' in admin.last  # every column fits 1,280 px


def test_a_welsh_authority_is_compared_with_all_of_wales(browser: Browser) -> None:
    browser.sign_in(WELSH_EDITOR)
    browser.get("/benchmarks?cycle=2011")
    text = browser.text()
    assert "How Cardiff compares" in text
    assert "Compared with All of Wales (22 authorities including Cardiff)" in text
    options = re.findall(r'<option[^>]*value="([^"]+)"', browser.last[browser.last.index('name="group"'):].split(
        "</select>")[0])
    assert options == ["nation", "all"]  # no statistical neighbours, no London split, no region or type of one
    assert re.search(r"Overall</th>\s*<td[^>]*>[\d.]+</td>(\s*<td[^>]*>[\d.]+</td>){4}\s*<td[^>]*>\d+(st|nd|rd|th) "
                     r"of 2\d</td>", browser.last), "Cardiff has a score, the group's figures and a rank"
    # A link made for an English authority falls back to all of Wales rather than a group of one.
    browser.get("/benchmarks?cycle=2011&group=statistical-neighbours")
    assert "All of Wales (22 authorities" in browser.text() and "n = 1" not in browser.text()
    browser.get("/benchmarks/trend")
    assert "All of Wales" in browser.text()


def test_the_demo_seeds_wales_once(seeded_app) -> None:
    for slug in ("2010", "2011"):
        welsh = db.session.execute(
            select(func.count(Assessment.id)).join(Cycle)
            .join(Organisation, Organisation.id == Assessment.organisation_id)
            .where(Cycle.slug == slug, Organisation.nation == "wales")).scalar_one()
        assert welsh == 22
    report = demo.seed(db.session, ROOT / "standards", ROOT / "csptoolkit" / "data")
    assert report.assessments_created == 0 and report.users_created == 0
    # England's data is what it was before Wales was seeded: Greenwich's 2011 score is still issue 7's 62.6.
    greenwich = db.session.execute(
        select(AssessmentScore.score).join(Assessment).join(Cycle).join(
            Organisation, Organisation.id == Assessment.organisation_id)
        .where(Organisation.code == "203", Cycle.slug == "2011", AssessmentScore.basis == "self",
               AssessmentScore.confidence == "",
               AssessmentScore.scope == "overall")).scalar_one()
    assert round(float(greenwich), 1) == 62.6


def test_benchmark_pages_in_welsh(browser: Browser) -> None:
    browser.sign_in(VIEWER)
    browser.get("/language/cy", status=None)
    browser.get("/benchmarks?cycle=2011")
    text = unescape(browser.text())
    assert "Sgorau parth: Camden o'i gymharu â'i gymdogion ystadegol" in unescape(browser.last)
    assert "Sgorau: Camden o'i gymharu â'i gymdogion ystadegol" in text
    options = browser.last[browser.last.index('name="group"'):].split("</select>")[0]
    for wanted in ("Rhanbarth: Llundain", "Rhan o Lundain: Llundain Fewnol",
                   "Math o awdurdod: Bwrdeistref yn Llundain Fewnol", "Lloegr gyfan",
                   "Pob awdurdod yng Nghymru a Lloegr"):
        assert wanted in options, wanted
    browser.get("/benchmarks?cycle=2011&group=dfe-region")
    assert "Camden o'i gymharu â'r awdurdodau yn ei ran o Lundain, Llundain Fewnol" in unescape(browser.text())
    welsh = Browser(browser.client.application.test_client())
    welsh.sign_in(WELSH_EDITOR)
    welsh.get("/language/cy", status=None)
    welsh.get("/benchmarks?cycle=2011")
    assert "Cardiff o'i gymharu â phob awdurdod yng Nghymru" in unescape(welsh.text())
    admin = Browser(browser.client.application.test_client())
    admin.sign_in(ADMIN)
    admin.get("/language/cy", status=None)
    for url in ("/benchmarks/regions", "/benchmarks/national"):
        admin.get(url)
        assert "Llundain Fewnol" in admin.last and "Canol Llundain" not in admin.last, url
    assert "Gogledd-ddwyrain Lloegr" in admin.last and "De-orllewin Lloegr" in admin.last
