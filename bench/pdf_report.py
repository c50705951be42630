"""Speed of the PDF reports (services/report_files) against WeasyPrint alone on the same HTML, already built.

Four runs take turns in every round: the whole report (its service calls, the print HTML, the PDF), WeasyPrint
alone on that report's HTML, reports/pdf.render on the same HTML, and the HTML alone (the report with the PDF
left out). The ratio is the median of the rounds' own ratios (report / WeasyPrint in the same round), so a slow
spell of the machine that spans a round does not tip it; the lowest and highest round are printed beside it.
The HTML's share says how much of a report is ours and not WeasyPrint's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from common import seeded_app, table, timed_rounds
from sqlalchemy import select
from weasyprint import CSS, HTML

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, Organisation
from csptoolkit.reports import pdf
from csptoolkit.services import report_files
from csptoolkit.services.accounts import find_user

TARGET = 1.10  # DESIGN §11: a PDF's time at most 1.10x WeasyPrint's on the same HTML
VIEWER = "viewer@camden.example"


def captured(make) -> tuple[str, tuple[str, str, str]]:
    """The print HTML and page-number wording a report hands to reports/pdf (the PDF itself is not made)."""
    seen: dict = {}
    real = pdf.render

    def keep(html: str, page_numbers=("Page ", " of ", "")) -> bytes:
        seen["html"], seen["words"] = html, page_numbers
        return b""

    pdf.render = keep
    try:
        make()
    finally:
        pdf.render = real
    return seen["html"], seen["words"]


def weasyprint_alone(html: str, words: tuple[str, str, str]):
    """WeasyPrint on the HTML already built, as anyone would call it: the stylesheet read with the document, the
    same options (PDF/UA-1, the same fetcher)."""
    base = pdf.STATIC_FOLDER.as_uri() + "/"

    def run() -> bytes:
        fetcher = pdf.StaticOnlyFetcher()
        stylesheets = [CSS(filename=str(pdf.PRINT_CSS), base_url=base, url_fetcher=fetcher),
                       CSS(string=pdf.page_numbers_rule(*words), url_fetcher=fetcher)]
        return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(
            stylesheets=stylesheets, pdf_variant=pdf.PDF_VARIANT)

    return run


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds (after one warm-up round)")
    parser.add_argument("--memory", type=int, default=8, help="benchmark PDFs made one after another to watch RSS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = seeded_app(Path(folder))
        with app.app_context():
            viewer = find_user(db.session, VIEWER)
            assessment_id = db.session.execute(
                select(Assessment.id).join(Organisation, Organisation.id == Assessment.organisation_id)
                .join(Cycle, Cycle.id == Assessment.cycle_id)
                .where(Organisation.code == "202", Cycle.slug == "2011")).scalar_one()
            reports = {
                "plan PDF (Camden 2011)": lambda: report_files.plan_pdf(db.session, viewer, assessment_id),
                "benchmark PDF (Camden 2011, every group)": lambda: report_files.benchmark_pdf(
                    db.session, viewer, "2011", None),
            }
            rows = []
            for name, make in reports.items():
                html, words = captured(make)
                times = timed_rounds({"report": make, "weasyprint": weasyprint_alone(html, words),
                                      "render": lambda html=html, words=words: pdf.render(html, words),
                                      "html": lambda make=make: captured(make)}, args.repeats)
                ratios = [r / w for r, w in zip(times["report"], times["weasyprint"], strict=True)]
                ms = {key: statistics.median(values) * 1000 for key, values in times.items()}
                ratio = statistics.median(ratios)
                rows.append([name, f"{ms['weasyprint']:.0f}", f"{ms['render']:.0f}", f"{ms['html']:.0f}",
                             f"{ms['html'] / ms['weasyprint']:.1%}", f"{ms['report']:.0f}", f"{ratio:.2f}x",
                             f"{min(ratios):.2f}-{max(ratios):.2f}", "yes" if ratio <= TARGET else "NO"])
            print(table(["report", "WeasyPrint alone (ms)", "reports/pdf.render (ms)", "HTML (ms)", "HTML share",
                         "report_files (ms)", "ratio", f"{args.repeats} rounds", f"<= {TARGET}x"], rows))
            start = rss_mb()
            sizes = []
            codes = db.session.execute(select(Organisation.code).where(Organisation.nation == "england")
                                       .order_by(Organisation.code).limit(args.memory)).scalars().all()
            admin = find_user(db.session, "admin@csptoolkit.example")
            for code in codes:
                report_files.benchmark_pdf(db.session, admin, "2011", code)
                db.session.remove()
                sizes.append(rss_mb())
            print(f"\nRSS over {len(codes)} benchmark PDFs one after another: {start:.0f} MB before, "
                  + ", ".join(f"{s:.0f}" for s in sizes) + " MB after each")
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
