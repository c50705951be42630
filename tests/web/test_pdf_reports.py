"""Issue 10: the benchmark, region and nation PDFs, read back with pypdf and looked at as an image.

Figures are checked against the stored scores read straight from the table and rounded here (half-up, one
decimal), never against the code that made the PDF. The attack of an authority user on a small group is the
one the pages are held to (tests/web/test_disclosure.py), made on the PDF.
"""

from __future__ import annotations

import gc
import io
import logging
import re
import shutil
import statistics
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdf
import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Criterion, Cycle, ImprovementPlan, Organisation
from csptoolkit.reports import pdf
from csptoolkit.services import report_files
from csptoolkit.services.accounts import find_user

from .conftest import ADMIN, CHAMPION, VIEWER, Browser
from .test_disclosure import CAMDEN, DECIMAL, GREENWICH, save_group, shown, true_scores

NEIGHBOURS_OF_CAMDEN = ("Islington", "Hackney", "Lambeth")  # among its ten DfE statistical neighbours


def read(data: bytes) -> pypdf.PdfReader:
    assert data.startswith(b"%PDF-"), data[:20]
    return pypdf.PdfReader(io.BytesIO(data))


def pages_text(reader: pypdf.PdfReader) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def assert_accessible(reader: pypdf.PdfReader, language: str, title: str) -> None:
    """Tagged (PDF/UA), its language and title set and shown, every font embedded as a subset."""
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == language
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == title
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert title.split(",")[0] in xmp and "pdfuaid:part" in xmp
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+.+", name), name  # a subset: six letters and a plus
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name
        assert "Liberation" in name or "DejaVu" in name, name


def user(email: str):
    return find_user(db.session, email)


@pytest.fixture
def weasyprint_log(caplog: pytest.LogCaptureFixture):
    """What WeasyPrint logs: a missing font, a refused or failed fetch, a missing language or alt text would be here."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield caplog
    problems = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert problems == []


# ----------------------------------------------------------------------------------------------------------
# An authority's benchmark report


def test_a_viewer_downloads_the_benchmark_report_of_their_authority(seeded_app: Flask, browser: Browser,
                                                                      weasyprint_log) -> None:
    browser.sign_in(VIEWER)
    browser.get("/benchmarks?cycle=2011")
    assert "/benchmarks/report.pdf?" in browser.last  # the page links to it
    response = browser.get("/benchmarks/report.pdf?cycle=2011")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="benchmark-202-2011.pdf"'
    reader = read(response.data)
    assert_accessible(reader, "en-GB", "Benchmark report: Camden, 2011 self-assessment")
    texts = pages_text(reader)
    whole = " ".join(texts)
    camden = true_scores(CAMDEN, "2011")["best"]
    assert "How Camden compares" in texts[0]
    assert f"Overall {shown(camden['overall'])}" in whole  # the score as the page shows it
    groups = ["Camden compared with its statistical neighbours",
              "Camden compared with the authorities in its region, London",
              "Camden compared with the authorities in its part of London, Inner London",
              "Camden compared with authorities of the same type, London borough (inner)",
              "Camden compared with every authority in England",
              "Camden compared with every authority in England and Wales"]
    # Each group starts a page of its own, after the first page that lists them.
    starts = [next(i for i, text in enumerate(texts) if group in text) for group in groups]
    assert starts == sorted(starts) and starts[0] == 1 and len(set(starts)) == len(groups)
    assert len(reader.pages) >= 1 + len(groups)
    pages = len(reader.pages)
    assert f"Page 1 of {pages}" in texts[0] and f"Page {pages} of {pages}" in texts[-1]
    # An authority user sees no other authority named.
    for name in NEIGHBOURS_OF_CAMDEN:
        assert name not in whole
    assert "Other authorities are not named" in whole


def test_the_welsh_report_is_in_welsh(seeded_app: Flask, browser: Browser, weasyprint_log) -> None:
    browser.sign_in(VIEWER)
    browser.get("/language/cy?next=/", status=302)
    response = browser.get("/benchmarks/report.pdf?cycle=2011&group=statistical-neighbours")
    assert response.headers["Content-Disposition"] == 'attachment; filename="benchmark-202-2011-cy.pdf"'
    reader = read(response.data)
    assert_accessible(reader, "cy", "Adroddiad meincnodi: Camden, Hunanasesiad 2011")
    whole = " ".join(pages_text(reader))
    for welsh in ("Sut mae Camden yn cymharu", "Ble rydych chi ym mhob parth", "Sgorau o'u cymharu â'r grŵp",
                  "Tudalen 1 o"):
        assert welsh in whole, welsh
    for english in ("How Camden compares", "Where you sit in each domain", "Page 1 of"):
        assert english not in whole, english


def test_programme_admins_see_the_peers_named(seeded_app: Flask) -> None:
    data = report_files.benchmark_pdf(db.session, user(ADMIN), "2011", CAMDEN, kinds=["statistical-neighbours"])
    whole = " ".join(pages_text(read(data)))
    assert "Authorities in the group" in whole
    camden = db.session.execute(select(Organisation).filter_by(code=CAMDEN)).scalar_one()
    named = 0
    for neighbour in (n.neighbour for n in camden.neighbours):
        overall = true_scores(neighbour.code, "2011")["best"].get("overall")
        shown_as = shown(overall) if overall is not None else "No submitted assessment"
        assert f"{neighbour.name} {shown_as}" in whole, neighbour.name
        named += overall is not None
    assert named >= 5


def test_a_small_group_of_its_own_shows_no_peer_figure(seeded_app: Flask, browser: Browser) -> None:
    """The attack: Camden's viewer builds a group of Greenwich alone and downloads its PDF. Below the threshold
    the PDF holds Camden's own scores and nothing else: no figure of Greenwich, no statistic, no mark."""
    browser.sign_in(VIEWER)
    group = save_group(browser, "One other", [GREENWICH])
    response = browser.get(f"/benchmarks/report.pdf?cycle=2011&group={group}")
    whole = " ".join(pages_text(read(response.data)))
    camden = {shown(v) for v in true_scores(CAMDEN, "2011")["best"].values()}
    greenwich = {shown(v) for v in true_scores(GREENWICH, "2011")["best"].values()}
    figures = set(DECIMAL.findall(whole))
    assert figures and figures <= camden, sorted(figures - camden)[:5]
    assert not (greenwich - camden) & figures
    assert "Greenwich" not in whole and "Mean" not in whole and "Median" not in whole
    assert "A group you build shows where you stand only when at least 5 other authorities" in whole


def test_the_fixed_groups_figures_are_anonymised_for_an_authority(seeded_app: Flask) -> None:
    """Statistical neighbours for Camden's viewer: the group's mean as computed here from the stored scores, and no
    neighbour's own score or name."""
    data = report_files.benchmark_pdf(db.session, user(VIEWER), "2011", None, kinds=["statistical-neighbours"])
    whole = " ".join(pages_text(read(data)))
    camden = db.session.execute(select(Organisation).filter_by(code=CAMDEN)).scalar_one()
    codes = [n.neighbour.code for n in camden.neighbours]
    scores = [s["overall"] for s in (true_scores(c, "2011")["best"] for c in [CAMDEN, *codes]) if "overall" in s]
    own = shown(true_scores(CAMDEN, "2011")["best"]["overall"])
    assert f"Overall {own} {shown(statistics.mean(scores))}" in whole
    assert len(scores) >= 5  # enough for the figures to be shown
    for neighbour in camden.neighbours:
        assert neighbour.neighbour.name not in whole
    assert "Authorities in the group" not in whole
    assert "Fewer than 5 authorities" not in whole  # the figures are shown, and nothing says otherwise


def test_the_report_page_one_looks_like_a_page(seeded_app: Flask, tmp_path: Path) -> None:
    """Rendered to an image with pdftoppm: A4 portrait, and not blank."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (Debian's poppler-utils) is needed: make browser installs it")
    data = report_files.benchmark_pdf(db.session, user(VIEWER), "2011", None, kinds=["region"])
    source = tmp_path / "report.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(source), str(tmp_path / "page")],
                   check=True)
    for number in (1, 2):
        image = Image.open(next(tmp_path.glob(f"page-{number}.png"))).convert("L")
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.01, image.size
        histogram = image.histogram()
        ink = sum(histogram[:128]) / (width * height)
        assert 0.002 < ink < 0.5, ink  # some dark text and lines on a white page


# ----------------------------------------------------------------------------------------------------------
# Region and nation: programme staff only


def test_the_region_report_names_its_authorities_with_their_figures(seeded_app: Flask, weasyprint_log) -> None:
    data = report_files.region_pdf(db.session, user(ADMIN), "2011", "inner london")
    reader = read(data)
    assert_accessible(reader, "en-GB", "Benchmark report: Inner London, 2011 self-assessment")
    whole = " ".join(pages_text(reader))
    members = db.session.execute(select(Organisation).filter_by(dfe_region="Inner London")).scalars().all()
    scored = {o.name: true_scores(o.code, "2011")["best"].get("overall") for o in members}
    values = [v for v in scored.values() if v is not None]
    assert f"Overall {len(values)} {shown(statistics.mean(values))}" in whole
    for name, overall in scored.items():
        assert name in whole
        if overall is not None:
            assert re.search(rf"{re.escape(name)} Inner London .*? {re.escape(shown(overall))}", whole), name
    assert "Outer London" in whole  # the regions side by side


def test_the_nation_report_has_every_authority(seeded_app: Flask) -> None:
    data = report_files.nation_pdf(db.session, user(ADMIN), "2011", locale="cy")
    reader = read(data)
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    whole = " ".join(pages_text(reader))
    names = db.session.execute(select(Organisation.name)).scalars().all()
    assert len(names) == 175 and all(name in whole for name in names)
    assert "Adroddiad meincnodi cenedlaethol" in whole and "Dosbarthiad" in whole


@pytest.mark.parametrize("email", [VIEWER, CHAMPION])
def test_only_programme_staff_have_the_region_and_nation_reports(seeded_app: Flask, email: str) -> None:
    with pytest.raises(report_files.NotPermitted):
        report_files.nation_pdf(db.session, user(email), "2011")
    with pytest.raises(report_files.NotPermitted):
        report_files.region_pdf(db.session, user(email), "2011", "Inner London")


def test_unknown_cycles_authorities_groups_and_regions_are_refused(seeded_app: Flask) -> None:
    admin = user(ADMIN)
    with pytest.raises(report_files.UnknownCycle):
        report_files.benchmark_pdf(db.session, admin, "1999", CAMDEN)
    with pytest.raises(report_files.UnknownGroup):
        report_files.benchmark_pdf(db.session, admin, "2011", CAMDEN, kinds=["group-999999"])
    with pytest.raises(report_files.UnknownRegion):
        report_files.region_pdf(db.session, admin, "2011", "Narnia")
    browser = Browser(seeded_app.test_client())
    browser.sign_in(ADMIN)
    browser.get("/benchmarks/report.pdf?cycle=2011&org=999", status=404)
    browser.get("/benchmarks/report.pdf?cycle=1999&org=202", status=404)
    browser.get("/benchmarks/report.pdf?cycle=2011&org=202&basis=nonsense", status=400)
    browser.get("/benchmarks/regions/report.pdf?cycle=2011&region=Narnia", status=404)
    browser.get("/benchmarks/national/report.pdf?cycle=1999", status=404)


def test_an_authority_user_cannot_download_another_authoritys_report(seeded_app: Flask, browser: Browser) -> None:
    browser.sign_in(VIEWER)
    response = browser.get("/benchmarks/report.pdf?cycle=2011&org=383&group=region")  # Leeds asked for
    assert "Camden" in " ".join(pages_text(read(response.data)))  # `org` is a programme admin's choice only
    browser.get("/benchmarks/national/report.pdf?cycle=2011", status=403)
    browser.get("/benchmarks/regions/report.pdf?cycle=2011&region=Inner+London", status=403)


# ----------------------------------------------------------------------------------------------------------
# The URL fetcher


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.com/x.css",
                                 "ftp://example.com/x"])
def test_the_fetcher_refuses_anything_but_static_files(url: str) -> None:
    with pytest.raises(pdf.RefusedURL):
        pdf.StaticOnlyFetcher().fetch(url)
    html = f'<html lang="en-GB"><head><title>t</title></head><body><img src="{url}" alt="x"></body></html>'
    with pytest.raises(FatalURLFetchingError):
        pdf.render(html)


def test_the_fetcher_reads_the_static_folder_only(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    (tmp_path / "secret.txt").write_text("secret")
    fetcher = pdf.StaticOnlyFetcher(static)
    assert fetcher.fetch((static / "logo.svg").as_uri()).read().startswith(b"<svg")
    for outside in ((static / ".." / "secret.txt").as_uri(), f"{static.as_uri()}/../secret.txt",
                    (tmp_path / "secret.txt").as_uri(), "file://otherhost/etc/passwd"):
        with pytest.raises(pdf.RefusedURL):
            fetcher.fetch(outside)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


# ----------------------------------------------------------------------------------------------------------
# The garbage collector during a render (reports/pdf: paused while WeasyPrint works, given back as it was)

TINY = '<html lang="en-GB"><head><title>t</title></head><body><p>A page.</p></body></html>'


def watched(seen: list, started=None, after=None):
    """WeasyPrint's HTML, noting whether the collector runs while write_pdf works (and optionally waiting)."""

    class Watched(HTML):
        def write_pdf(self, *args, **kwargs):
            if started is not None:
                started.wait(timeout=30)
            seen.append(gc.isenabled())
            made = super().write_pdf(*args, **kwargs)
            if after is not None:
                after()
            return made

    return Watched


def test_the_collector_is_paused_while_weasyprint_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(pdf, "HTML", watched(seen))
    assert gc.isenabled()
    assert len(read(pdf.render(TINY)).pages) == 1
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_comes_back_after_a_refused_render(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(pdf, "HTML", watched(seen))
    with pytest.raises(FatalURLFetchingError):
        pdf.render(TINY.replace("<p>", '<img src="file:///etc/passwd" alt="x"><p>'))
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    try:
        pdf.render(TINY)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_threads_rendering_at_once_share_one_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first render to end must not turn the collector back on under one still running."""
    seen: list[bool] = []
    both_started = threading.Barrier(2)
    first_done = threading.Event()
    while_second_runs: list[bool] = []

    def after() -> None:
        if threading.current_thread().name == "second":
            assert first_done.wait(timeout=30)
            while_second_runs.append(gc.isenabled())

    monkeypatch.setattr(pdf, "HTML", watched(seen, both_started, after))

    def first() -> bytes:
        try:
            return pdf.render(TINY)
        finally:
            first_done.set()

    def second() -> bytes:
        threading.current_thread().name = "second"
        return pdf.render(TINY)

    with ThreadPoolExecutor(max_workers=2) as pool:
        made = [pool.submit(first), pool.submit(second)]
        assert all(len(read(m.result(timeout=60)).pages) == 1 for m in made)
    assert seen == [False, False]
    assert while_second_runs == [False]
    assert gc.isenabled()


# ----------------------------------------------------------------------------------------------------------
# The command line


def test_the_reports_commands(seeded_app: Flask, tmp_path: Path) -> None:
    runner = seeded_app.test_cli_runner()
    out = tmp_path / "camden.pdf"
    result = runner.invoke(args=["reports", "benchmark", "--cycle", "2011", "--org", CAMDEN, "--group", "type",
                                 "--out", str(out), "--lang", "cy"])
    assert result.exit_code == 0, result.output
    reader = read(out.read_bytes())
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    whole = " ".join(pages_text(reader))
    assert "Sut mae Camden yn cymharu" in whole and "Islington" in whole  # as programme staff: peers named
    region = tmp_path / "region.pdf"
    result = runner.invoke(args=["reports", "region", "--cycle", "2011", "--region", "North East", "--out",
                                 str(region)])
    assert result.exit_code == 0, result.output
    assert "Benchmark report: North East" in " ".join(pages_text(read(region.read_bytes())))


def test_the_reports_plan_command(seeded_app: Flask, tmp_path: Path) -> None:
    assessment = _camden_2011()
    plan = db.session.execute(select(ImprovementPlan).filter_by(assessment_id=assessment.id)).scalar_one()
    first = min(plan.actions, key=lambda a: a.priority)
    out = tmp_path / "plan.pdf"
    result = seeded_app.test_cli_runner().invoke(
        args=["reports", "plan", "--cycle", "2011", "--org", CAMDEN, "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = read(out.read_bytes())
    whole = " ".join(pages_text(reader))
    assert "Camden" in whole and reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert " ".join(first.text.split()[:6]) in " ".join(whole.split())  # the first action, as the plan has it

    without = db.session.execute(
        select(Organisation.code).join(Assessment, Assessment.organisation_id == Organisation.id)
        .join(Cycle, Cycle.id == Assessment.cycle_id).where(Cycle.slug == "2011", ~Assessment.id.in_(
            select(ImprovementPlan.assessment_id))).order_by(Organisation.code)).scalars().first()
    result = seeded_app.test_cli_runner().invoke(
        args=["reports", "plan", "--cycle", "2011", "--org", without, "--out", str(tmp_path / "none.pdf")])
    assert result.exit_code == 1 and "has no improvement plan" in result.output, result.output
    assert not (tmp_path / "none.pdf").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["plan", "--cycle", "2011", "--org", "999"], "there is no assessment of 999 in cycle 2011"),
    (["benchmark", "--cycle", "1999", "--org", CAMDEN], "there is no cycle 1999"),
    (["benchmark", "--cycle", "2011", "--org", "999"], "there is no authority with the DfE code 999"),
    (["benchmark", "--cycle", "2011", "--org", CAMDEN, "--group", "friends"], "has no peer group friends"),
    (["region", "--cycle", "2011", "--region", "Narnia"], "there is no region Narnia"),
    (["nation", "--cycle", "1999"], "there is no cycle 1999"),
])
def test_the_reports_commands_refuse_unknown_names(seeded_app: Flask, tmp_path: Path, args: list[str],
                                                   message: str) -> None:
    out = tmp_path / "x.pdf"
    result = seeded_app.test_cli_runner().invoke(args=["reports", *args, "--out", str(out)])
    assert result.exit_code == 1 and message in result.output, result.output
    assert not out.exists()


# ----------------------------------------------------------------------------------------------------------
# The improvement plan


def _camden_2011() -> Assessment:
    return db.session.execute(
        select(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id).where(Organisation.code == CAMDEN, Cycle.slug == "2011")
    ).scalar_one()


def test_the_plan_pdf_reads_back_as_the_plan_page(seeded_app: Flask, browser: Browser, weasyprint_log) -> None:
    assessment = _camden_2011()
    plan = db.session.execute(select(ImprovementPlan).filter_by(assessment_id=assessment.id)).scalar_one()
    actions = sorted(plan.actions, key=lambda a: a.priority)
    assert actions, "the demo plan of Camden has actions"
    browser.sign_in(VIEWER)
    page = browser.get(f"/assessments/{assessment.id}/plan").get_data(as_text=True)
    overall = re.search(r'Overall</th>\s*<td class="govuk-table__cell govuk-table__cell--numeric">([\d.]+)</td>',
                        page)
    assert overall, "the plan page shows the overall score"
    response = browser.get(f"/assessments/{assessment.id}/plan.pdf")
    assert response.headers["Content-Disposition"] == 'attachment; filename="plan-202-2011.pdf"'
    reader = read(response.data)
    assert_accessible(reader, "en-GB", "Improvement plan: Camden, 2011 self-assessment")
    texts = pages_text(reader)
    whole = " ".join(texts)
    assert "Camden: 2011 self-assessment" in texts[0] and "Improvement plan" in texts[0]
    assert f"Overall: {overall.group(1)}" in whole
    assert "Camden compared with its statistical neighbours" in whole  # the position, with the group's figures
    assert "Fewer than 5 authorities" not in whole
    # Every action, by priority: each criterion's id in the order of the plan's priorities.
    action_pages = " ".join(texts[next(i for i, t in enumerate(texts) if "Actions by priority" in t):])
    keys = [db.session.get(Criterion, a.criterion_id).key for a in actions if a.criterion_id]
    found = [action_pages.find(f" {key} ") for key in keys]
    assert -1 not in found and found == sorted(found), list(zip(keys, found, strict=True))[:5]
    # The appendix: an evidence note, as the authority wrote it.
    note = next(a.evidence_note for a in assessment.answers if a.evidence_note)
    assert re.sub(r"\s+", " ", note)[:40] in whole
    assert len(reader.pages) == int(re.search(r"Page 1 of (\d+)", texts[0]).group(1))


def test_the_welsh_plan_pdf_prints_markup_in_notes_as_text(seeded_app: Flask) -> None:
    """An evidence note is the authority's own text: markup in it is printed as typed, never fetched or drawn."""
    assessment = _camden_2011()
    answer = assessment.answers[0]
    answer.evidence_note = 'Minutes <img src="file:///etc/passwd" alt="x"> <b>bold</b>'
    db.session.commit()
    data = report_files.plan_pdf(db.session, user(VIEWER), assessment.id, "cy")
    reader = read(data)
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    whole = " ".join(pages_text(reader))
    assert "Atodiad: atebion a nodiadau tystiolaeth" in whole and "Crynodeb" in whole and "Tudalen 1 o" in whole
    assert 'Minutes <img src="file:///etc/passwd" alt="x"> <b>bold</b>' in whole


def test_the_plan_pdf_is_for_those_who_may_read_the_plan(seeded_app: Flask, browser: Browser) -> None:
    leeds = db.session.execute(
        select(Assessment).join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(Organisation.code == "383")).scalars().first()
    browser.sign_in(VIEWER)
    browser.get(f"/assessments/{leeds.id}/plan.pdf", status=404)
    with pytest.raises(report_files.NotAllowed):
        report_files.plan_pdf(db.session, user(CHAMPION), leeds.id)


def test_print_styles_ask_for_no_opentype_features() -> None:
    """WeasyPrint 70 keeps a Pango attribute list for every piece of text with OpenType features and never frees
    it (about 0.5 MB a report: bench/batch_export.py showed a worker climbing through the batch). The print
    stylesheet and templates must ask for none."""
    folder = Path(pdf.__file__).parent / "templates" / "print"
    for path in [pdf.PRINT_CSS, *sorted(folder.rglob("*.html"))]:
        found = re.findall(r"font-(?:variant[a-z-]*|feature-settings|kerning)\s*:", path.read_text())
        assert not found, (path.name, found)
