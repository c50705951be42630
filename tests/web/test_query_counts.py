"""No page issues a query per row: each page's SQL count on the demo data is small and does not grow with its size.

DESIGN §11: a page's query count does not grow with the number of criteria, standards or authorities it shows.
Every statement the engine sends is counted (a `before_cursor_execute` listener), on the second of two identical
requests: the first fills what a worker keeps between requests (compiled templates, a framework's parsed rules),
which a server under load has long since done. Each page is asked for as the demo user who would open it, and
every request must answer 200, so that a redirect or a 404 cannot pass with a handful of queries.

Three checks: every page under a small ceiling; pairs of pages showing more and fewer rows send as many queries;
and a page sends as many queries after the data it shows has grown (more answers and evidence files, more
authorities, assignments, saved groups) as before.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import event, select

from csptoolkit.domain.states import SUBMITTED
from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, Cycle, Organisation, ReviewAssignment
from csptoolkit.models.plan import ImprovementPlan, PlanAction
from csptoolkit.services import benchmarks, tokens
from csptoolkit.services.accounts import create_user, find_user
from csptoolkit.services.scores import score_rows
from csptoolkit.services.transaction import unit_of_work

from ..conftest import Databases, _app
from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR, Browser

# A page needs a few queries whatever it shows: the signed-in user and their session, the cycle, the assessment or
# the scores. Well under this, a loop over rows cannot hide; the real check is the growth tests below.
CEILING = 15
LEEDS, CAMDEN, CARDIFF = "383", "202", "681"
SMALL, BIG = "L3", "M2"  # 3 and 5 criteria in csp-commissioning 2011.1, neither with a follow-up question
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# ----------------------------------------------------------------------------------------------------------
# Counting


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def summary(statements: list[str]) -> str:
    """The statements sent most often, most repeated first: where a per-row query shows."""
    return "\n".join(f"  {n} x {s}" for s, n in Counter(statements).most_common(6))


def difference(fewer: list[str], more: list[str]) -> str:
    """The statements the bigger page sent more often than the smaller, and how many more times."""
    extra = Counter(more) - Counter(fewer)
    return "\n".join(f"  +{n} x {s}" for s, n in extra.most_common(6)) or summary(more)


def queries(app: Flask, client: FlaskClient, url: str, headers: dict[str, str] | None = None) -> list[str]:
    """The statements the second GET of `url` sends (both must answer 200), shortened for a failure message."""
    for attempt in range(2):
        with counting(app) as statements:
            response = client.get(url, headers=headers or {})
        assert response.status_code == 200, (url, attempt, response.status_code, response.location)
    return [" ".join(s.split())[:160] for s in statements]


# ----------------------------------------------------------------------------------------------------------
# One app on the demo data for the pages that only read, a signed-in client for each demo user


@pytest.fixture(scope="module")
def demo(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from _app(databases, "seeded", tmp_path_factory.mktemp("query-counts"))


@pytest.fixture(scope="module")
def clients(demo: Flask) -> dict[str, FlaskClient]:
    signed_in = {}
    for email in (ADMIN, CHAMPION, EDITOR, VIEWER, WELSH_EDITOR):
        browser = Browser(demo.test_client())
        browser.sign_in(email)
        signed_in[email] = browser.client
    return signed_in


@pytest.fixture(scope="module")
def bearer(demo: Flask) -> str:
    """An API token of the Camden viewer (the API benchmarks are Camden's)."""
    _, plaintext = tokens.create_token(db.session, find_user(db.session, VIEWER), "query counts")
    db.session.commit()
    return plaintext


def assessment_id(slug: str, code: str) -> int:
    return db.session.execute(
        select(Assessment.id).join(Cycle, Assessment.cycle_id == Cycle.id)
        .join(Organisation, Assessment.organisation_id == Organisation.id)
        .where(Cycle.slug == slug, Organisation.code == code)).scalar_one()


def in_review() -> int:
    """The first in-review 2011 assessment assigned to the demo champion."""
    champion = find_user(db.session, CHAMPION)
    return db.session.execute(
        select(Assessment.id).join(ReviewAssignment, ReviewAssignment.assessment_id == Assessment.id)
        .join(Cycle, Assessment.cycle_id == Cycle.id)
        .where(ReviewAssignment.champion_id == champion.id, Cycle.slug == "2011", Assessment.state == "in_review")
        .order_by(Assessment.id)).scalars().first()


def page_url(template: str) -> str:
    review = in_review() if "{review}" in template else None
    leeds = assessment_id("2011", LEEDS)
    action = plan_action(leeds) if "{leeds_action}" in template else None
    return template.format(leeds=leeds, cardiff=assessment_id("2011", CARDIFF), review=review, leeds_action=action)


def plan_action(assessment: int) -> int:
    """The first action of the assessment's improvement plan (the demo gives Leeds one)."""
    return db.session.execute(select(PlanAction.id).join(ImprovementPlan).where(
        ImprovementPlan.assessment_id == assessment).order_by(PlanAction.priority)).scalars().first()


def benchmark(group: str, cycle: str = "2011") -> str:
    return f"/benchmarks?cycle={cycle}&group={group}&basis=best"


def api_benchmark(group: str) -> str:
    return f"/api/v1/cycles/2011/benchmarks?org={CAMDEN}&group={group}&basis=best"


NATIONAL = "/benchmarks/national?cycle={cycle}&basis=best"
# Targets on 20 criteria of csp-commissioning 2011.1 (level criteria; L2.1 and W2.1 are yes/no, at yes).
WHATIF_TARGETS = "&".join([*(f"{c}=3" for c in ("L1.1", "L1.2", "L1.3", "N1.1", "N1.2", "N2.1", "E1.1", "E1.2",
                                                 "R1.1", "R1.2", "M1.1", "M1.2", "P1.1", "O1.1", "O1.2", "W1.1",
                                                 "W1.2", "W3.1")), "L2.1=4", "W2.1=4"])
# page: (who opens it, its URL; "api" marks a bearer-token request)
PAGES = {
    "task list": (EDITOR, "/"),
    "overview (admin)": (ADMIN, "/assessments/{leeds}"),
    "standard form, small": (EDITOR, f"/assessments/{{leeds}}/standards/{SMALL}"),
    "standard form, big": (EDITOR, f"/assessments/{{leeds}}/standards/{BIG}"),
    "check answers": (EDITOR, "/assessments/{leeds}/check"),
    "history": (EDITOR, "/assessments/{leeds}/history"),
    "home, submitted (Cardiff)": (WELSH_EDITOR, "/"),
    "read-only standard, small (Cardiff)": (WELSH_EDITOR, f"/assessments/{{cardiff}}/standards/{SMALL}"),
    "read-only standard, big (Cardiff)": (WELSH_EDITOR, f"/assessments/{{cardiff}}/standards/{BIG}"),
    "check answers, submitted (Cardiff)": (WELSH_EDITOR, "/assessments/{cardiff}/check"),
    "benchmark, statistical neighbours (11)": (VIEWER, benchmark("statistical-neighbours")),
    "benchmark, region": (VIEWER, benchmark("region")),
    "benchmark, DfE region": (VIEWER, benchmark("dfe-region")),
    "benchmark, type": (VIEWER, benchmark("type")),
    "benchmark, nation": (VIEWER, benchmark("nation")),
    "benchmark, all": (VIEWER, benchmark("all")),
    "benchmark 2010, statistical neighbours": (VIEWER, benchmark("statistical-neighbours", "2010")),
    "benchmark, nation (Cardiff)": (WELSH_EDITOR, benchmark("nation")),
    "benchmark, all (Cardiff)": (WELSH_EDITOR, benchmark("all")),
    "benchmark, statistical neighbours (admin)": (ADMIN, benchmark("statistical-neighbours") + f"&org={CAMDEN}"),
    "trend, statistical neighbours": (VIEWER, "/benchmarks/trend?group=statistical-neighbours&basis=best"),
    "trend, all": (VIEWER, "/benchmarks/trend?group=all&basis=best"),
    "saved groups": (VIEWER, "/benchmarks/groups"),
    "national 2011": (ADMIN, NATIONAL.format(cycle="2011")),
    "national 2010": (ADMIN, NATIONAL.format(cycle="2010")),
    "national 2011, London": (ADMIN, NATIONAL.format(cycle="2011") + "&region=London"),
    "regions 2011": (ADMIN, "/benchmarks/regions?cycle=2011&basis=best"),
    "regions 2010": (ADMIN, "/benchmarks/regions?cycle=2010&basis=best"),
    "admin assessments 2011": (ADMIN, "/admin/assessments?cycle=2011"),
    "admin assessments 2011, drafts": (ADMIN, "/admin/assessments?cycle=2011&state=draft"),
    "admin assessments 2010": (ADMIN, "/admin/assessments?cycle=2010"),
    "champion home": (CHAMPION, "/"),
    "champion home, in review by progress": (CHAMPION, "/?cycle=2011&state=in_review&sort=progress"),
    "review overview": (CHAMPION, "/reviews/{review}"),
    "review overview (admin)": (ADMIN, "/reviews/{review}"),
    "review standard, small": (CHAMPION, f"/reviews/{{review}}/standards/{SMALL}"),
    "review standard, big": (CHAMPION, f"/reviews/{{review}}/standards/{BIG}"),
    "authority's review page (admin)": (ADMIN, "/assessments/{review}/review"),
    "overview in review (admin)": (ADMIN, "/assessments/{review}"),
    "peer reviews list": (ADMIN, "/admin/reviews?cycle=2011"),
    "peer review assignment page": (ADMIN, "/admin/reviews/{review}"),
    "calibration": (ADMIN, "/admin/calibration"),
    "learning matches (Cardiff)": (WELSH_EDITOR, "/assessments/{cardiff}/plan/learning"),
    "learning matches, draft (Leeds)": (EDITOR, "/assessments/{leeds}/plan/learning"),
    "sharing opt-ins (Leeds editor)": (EDITOR, "/sharing"),
    "answers CSV, half done (Leeds)": (EDITOR, "/assessments/{leeds}/answers.csv"),
    "answers CSV, submitted (Cardiff)": (WELSH_EDITOR, "/assessments/{cardiff}/answers.csv"),
    "answers and scores workbook (Cardiff)": (WELSH_EDITOR, "/assessments/{cardiff}/answers.xlsx"),
    "benchmark, statistical neighbours, peer-validated": (VIEWER, benchmark("statistical-neighbours")
                                                          + "&confidence=peer-validated"),
    "what-if": (EDITOR, "/assessments/{leeds}/plan/what-if"),
    "what-if, one target": (EDITOR, "/assessments/{leeds}/plan/what-if?L1.1=4"),
    "what-if, many targets": (EDITOR, "/assessments/{leeds}/plan/what-if?" + WHATIF_TARGETS),
    "what-if JSON, one target": (EDITOR, "/assessments/{leeds}/plan/what-if.json?html=1&L1.1=4"),
    "what-if JSON, many targets": (EDITOR, "/assessments/{leeds}/plan/what-if.json?html=1&" + WHATIF_TARGETS),
    "what-if (Cardiff)": (WELSH_EDITOR, "/assessments/{cardiff}/plan/what-if?" + WHATIF_TARGETS),
    "improvement plan, carried, half answered (Leeds)": (EDITOR, "/assessments/{leeds}/plan"),
    "improvement plan, carried, submitted (Cardiff)": (WELSH_EDITOR, "/assessments/{cardiff}/plan"),
    "improvement plan, page 2 (Leeds)": (EDITOR, "/assessments/{leeds}/plan?page=2"),
    "improvement plan, actions not done (Leeds)": (EDITOR, "/assessments/{leeds}/plan?show=open"),
    "improvement plan, targets (Leeds)": (EDITOR, "/assessments/{leeds}/plan/targets"),
    "improvement plan, an action (Leeds)": (EDITOR, "/assessments/{leeds}/plan/actions/{leeds_action}"),
    "improvement plan XLSX (Leeds)": (EDITOR, "/assessments/{leeds}/plan.xlsx"),
    "improvement plan CSV (Cardiff)": (WELSH_EDITOR, "/assessments/{cardiff}/plan.csv"),
    "API organisations": ("api", "/api/v1/organisations"),
    "API benchmark, statistical neighbours": ("api", api_benchmark("statistical-neighbours")),
    "API benchmark, all": ("api", api_benchmark("all")),
}

# Pages that show different numbers of things, and how many more queries the bigger may send: 0 unless a comment
# says why more is not a query per row.
PAIRS = [
    ("standard form, small", "standard form, big", 0),
    ("read-only standard, small (Cardiff)", "read-only standard, big (Cardiff)", 0),
    ("task list", "home, submitted (Cardiff)", 0),  # half the answers against all of them
    ("check answers", "check answers, submitted (Cardiff)", 0),
    # Statistical neighbours are read with the authority (the group choices need them); every other group's
    # members are one more query, `SELECT organisations.id ... WHERE <attribute>`, whatever the group's size.
    *[("benchmark, statistical neighbours (11)", f"benchmark, {kind}", 1)
      for kind in ("region", "DfE region", "type", "nation", "all")],
    ("benchmark, region", "benchmark, nation", 0),  # 33 against 153
    ("benchmark, DfE region", "benchmark, all", 0),
    ("benchmark, nation (Cardiff)", "benchmark, all (Cardiff)", 0),  # 22 against 175
    ("benchmark 2010, statistical neighbours", "benchmark, statistical neighbours (11)", 0),
    ("trend, statistical neighbours", "trend, all", 1),  # as the benchmark: one query for the members
    ("national 2011, London", "national 2011", 0),  # 33 authorities against 175
    ("national 2010", "national 2011", 0),
    ("regions 2010", "regions 2011", 0),
    ("admin assessments 2011, drafts", "admin assessments 2011", 0),
    ("admin assessments 2010", "admin assessments 2011", 0),
    ("API benchmark, statistical neighbours", "API benchmark, all", 1),  # as the benchmark page
    ("review standard, small", "review standard, big", 0),
    ("answers CSV, half done (Leeds)", "answers CSV, submitted (Cardiff)", 0),  # half the answers against all
    # Without targets in its address the page starts from the plan's own: one query for them, whatever their number.
    ("what-if", "what-if, many targets", 1),
    ("what-if, one target", "what-if, many targets", 0),
    ("what-if JSON, one target", "what-if JSON, many targets", 0),
    ("what-if, many targets", "what-if (Cardiff)", 1),  # all of Wales: one query for the members, as a benchmark
    ("benchmark, statistical neighbours (11)", "benchmark, statistical neighbours, peer-validated", 0),
    ("improvement plan, carried, half answered (Leeds)", "improvement plan, carried, submitted (Cardiff)", 0),
    ("improvement plan, page 2 (Leeds)", "improvement plan, actions not done (Leeds)", 0),
    ("improvement plan XLSX (Leeds)", "improvement plan CSV (Cardiff)", 0),
]


def measure(demo: Flask, clients: dict[str, FlaskClient], bearer: str, page: str) -> list[str]:
    who, template = PAGES[page]
    if who == "api":
        return queries(demo, demo.test_client(), page_url(template), {"Authorization": f"Bearer {bearer}"})
    return queries(demo, clients[who], page_url(template))


@pytest.mark.parametrize("page", PAGES)
def test_a_page_sends_few_queries(demo: Flask, clients, bearer, page: str) -> None:
    sent = measure(demo, clients, bearer, page)
    assert len(sent) <= CEILING, f"{page}: {len(sent)} queries (at most {CEILING})\n{summary(sent)}"


@pytest.mark.parametrize(("small", "big", "allowance"), PAIRS, ids=[f"{s} | {b}" for s, b, _ in PAIRS])
def test_the_count_does_not_grow_with_what_the_page_shows(demo: Flask, clients, bearer, small: str, big: str,
                                                          allowance: int) -> None:
    fewer = measure(demo, clients, bearer, small)
    more = measure(demo, clients, bearer, big)
    assert abs(len(more) - len(fewer)) <= allowance, (
        f"{small}: {len(fewer)} queries, {big}: {len(more)}\n{difference(fewer, more)}")


# ----------------------------------------------------------------------------------------------------------
# The same page before and after the data it shows grows (a fresh copy of the demo data for each)


def editor() -> tuple[Browser, int, list]:
    """The Leeds editor signed in, their 2011 draft, and its framework's standards."""
    browser = Browser(current_app.test_client())
    browser.sign_in(EDITOR)
    leeds = assessment_id("2011", LEEDS)
    return browser, leeds, db.session.get(Assessment, leeds).cycle.framework_version.rules().standards


def save(browser: Browser, leeds: int, standard) -> None:
    """Every question of the standard answered, with a note, through its form."""
    url = f"/assessments/{leeds}/standards/{standard.id}"
    data = hidden_fields(browser, url)
    for index, criterion in enumerate(standard.criteria):
        data[f"c{index}_answer"] = "yes" if criterion.type == "yesno" else "3"
        data[f"c{index}_note"] = "Minutes of the joint commissioning board."
    response = browser.post(url, {**data, "save_continue": "Save and continue"}, content_type="multipart/form-data")
    assert response.status_code == 303, (url, response.status_code, browser.text()[:500])


def upload(browser: Browser, leeds: int, standard, index: int) -> None:
    """An evidence file on the standard's `index`th question."""
    url = f"/assessments/{leeds}/standards/{standard.id}"
    data = {**hidden_fields(browser, url), "upload": standard.criteria[index].id,
            f"c{index}_files": (io.BytesIO(PDF), f"evidence-{index}.pdf")}
    response = browser.post(url, data, content_type="multipart/form-data")
    assert response.status_code == 303, (url, response.status_code, browser.text()[:500])


def evidence_files(leeds: int) -> int:
    db.session.expire_all()
    return sum(len(a.evidence_files) for a in db.session.get(Assessment, leeds).answers)


def answer_one(app: Flask) -> None:
    """Where the comparison starts: the demo's half-done draft, one standard saved, one evidence file (so that
    the history has events and the pages have a file, and what is fetched only for some is fetched before too)."""
    browser, leeds, standards = editor()
    save(browser, leeds, standards[0])
    upload(browser, leeds, next(s for s in standards if s.id == BIG), 0)
    assert evidence_files(leeds) == 1


def answer_everything(app: Flask) -> None:
    """Every question of the draft answered, with a note (one save a standard), and four more evidence files on
    the big standard: a second on its first question, and one on each of the next three."""
    browser, leeds, standards = editor()
    for standard in standards:
        save(browser, leeds, standard)
    big = next(s for s in standards if s.id == BIG)
    for index in (0, 1, 2, 3):
        upload(browser, leeds, big, index)
    assert evidence_files(leeds) == 5


def hidden_fields(browser: Browser, url: str) -> dict[str, str]:
    """The CSRF token, revision and owner token of a standard's form, read from the page as a browser would."""
    browser.get(url)
    return {name: value for name in ("csrf_token", "revision", "owner")
            if (value := hidden(browser.last, name)) is not None}


def hidden(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


def add_authorities(app: Flask, count: int = 25) -> None:
    """`count` more London authorities like Camden, each with a submitted 2011 assessment and its scores (the
    answers are Cardiff's, which is complete)."""
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    camden = db.session.execute(select(Organisation).filter_by(code=CAMDEN)).scalar_one()
    answers = db.session.get(Assessment, assessment_id("2011", CARDIFF)).answers
    for number in range(count):
        organisation = Organisation(
            code=f"T{number:03d}", gss_code=f"T{number:08d}", name=f"Test authority {number}", nation=camden.nation,
            org_type=camden.org_type, type_code=camden.type_code, region_code=camden.region_code,
            region_name=camden.region_name, dfe_region=camden.dfe_region)
        assessment = Assessment(cycle=cycle, organisation=organisation, state=SUBMITTED,
                                submitted_at=datetime.now(UTC))
        assessment.answers = [Answer(criterion=a.criterion, level=a.level, not_applicable=a.not_applicable)
                              for a in answers]
        db.session.add(assessment)
        db.session.flush()
        db.session.add_all(score_rows(assessment))
    db.session.commit()


def assign_more(app: Flask, count: int = 25) -> None:
    """`count` more assessments for the demo champion to review."""
    champion = find_user(db.session, CHAMPION)
    assigned = select(ReviewAssignment.assessment_id).where(ReviewAssignment.champion_id == champion.id)
    free = db.session.execute(select(Assessment.id).where(Assessment.id.not_in(assigned))
                              .order_by(Assessment.id).limit(count)).scalars().all()
    assert len(free) == count
    db.session.add_all(ReviewAssignment(assessment_id=i, champion_id=champion.id, state="assigned") for i in free)
    db.session.commit()


def find_everything(app: Flask) -> None:
    """A challenge (answered by the authority), an evidence request or an agreement on every rated criterion of
    the review, through the services, with a comment on every standard."""
    from csptoolkit.domain.scoring import NA
    from csptoolkit.services import moderation
    from csptoolkit.services.scores import answers_of

    assessment = db.session.get(Assessment, in_review())
    champion = find_user(db.session, CHAMPION)
    framework = assessment.cycle.framework_version.rules()
    answers = answers_of(assessment)
    challenged = {}
    for standard in framework.standards:
        entries = {}
        for index, criterion in enumerate(standard.criteria):
            level = answers.get(criterion.id)
            if level is None or level == NA:
                continue
            if index % 3 == 0:
                entries[criterion.id] = moderation.Entry("agree")
            elif index % 3 == 1:
                proposed = 0 if level else framework.max_level
                entries[criterion.id] = moderation.Entry("challenge", proposed, "The minutes do not show it.")
                challenged[criterion.id] = ("keep", "The board minutes of June show it.")
            else:
                entries[criterion.id] = moderation.Entry("evidence_requested", reason="The signed agreement.")
                challenged[criterion.id] = ("evidence_added", "Uploaded the signed agreement.")
        moderation.record_findings(db.session, champion, assessment, standard.id, entries, "A comment.")
    with unit_of_work(db.session):
        editor = create_user(db.session, "answers@review.example", "editor", "a long enough password",
                             organisation_code=assessment.organisation.code)
    moderation.respond(db.session, editor, assessment, challenged)


def save_groups(app: Flask, count: int = 6) -> None:
    """`count` saved peer groups for the Camden viewer, of 5 to 30 authorities each."""
    viewer = find_user(db.session, VIEWER)
    ids = db.session.execute(select(Organisation.id).order_by(Organisation.id)).scalars().all()
    for number in range(count):
        benchmarks.save_group(db.session, viewer, f"Group {number}", ids[: 5 + 5 * number], False)
    db.session.commit()


def add_own_actions(app: Flask, count: int = 25) -> None:
    """`count` more actions of the Leeds editor's own on its 2011 plan."""
    plan = db.session.execute(select(ImprovementPlan).where(
        ImprovementPlan.assessment_id == assessment_id("2011", LEEDS))).scalar_one()
    for number in range(count):
        plan.actions.append(PlanAction(origin="own", text=f"Own action {number}", text_edited=True,
                                       priority=900 + number, priority_score=0, status="in_progress",
                                       owner="Head of Commissioning"))
    db.session.commit()


def export_job(app: Flask, failed: int = 1) -> None:
    """A batch export of 2011 under way: `failed` of its authorities failed (with reasons), two done, the rest
    pending."""
    from csptoolkit.models import Cycle, ExportItem, ExportJob, Organisation, User

    admin = db.session.execute(select(User).filter_by(email=ADMIN)).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    ids = db.session.execute(select(Organisation.id).order_by(Organisation.id)).scalars().all()
    job = ExportJob(cycle_id=cycle.id, kind="benchmarks", locale="en", requested_by_id=admin.id, state="running",
                    total=len(ids))
    job.items = [ExportItem(organisation_id=o, state="failed" if n < failed else "done" if n < failed + 2
                            else "pending", reason="No scores." if n < failed else None) for n, o in enumerate(ids)]
    db.session.add(job)
    db.session.commit()


def more_failures(app: Flask) -> None:
    from csptoolkit.models import ExportItem

    pending = db.session.execute(select(ExportItem).filter_by(state="pending").limit(25)).scalars().all()
    for item in pending:
        item.state, item.reason = "failed", "No scores."
    db.session.commit()


def more_export_jobs(app: Flask) -> None:
    for _ in range(10):
        export_job(app, failed=3)


ANSWERS = (answer_one, answer_everything)
GROWTH = {
    "task list, every answer and files": (EDITOR, "/", ANSWERS),
    "standard form, every answer and files": (EDITOR, f"/assessments/{{leeds}}/standards/{BIG}", ANSWERS),
    "check answers, every answer and files": (EDITOR, "/assessments/{leeds}/check", ANSWERS),
    "history, 2 changes against 31": (EDITOR, "/assessments/{leeds}/history", ANSWERS),
    "national, 25 more authorities": (ADMIN, NATIONAL.format(cycle="2011"), (None, add_authorities)),
    "regions, 25 more authorities": (ADMIN, "/benchmarks/regions?cycle=2011&basis=best", (None, add_authorities)),
    "admin assessments, 25 more authorities": (ADMIN, "/admin/assessments?cycle=2011", (None, add_authorities)),
    "benchmark region, 25 more authorities": (VIEWER, benchmark("region"), (None, add_authorities)),
    "API organisations, 25 more authorities": ("api", "/api/v1/organisations", (None, add_authorities)),
    "API benchmark region, 25 more authorities": ("api", api_benchmark("region"), (None, add_authorities)),
    "champion home, 25 more assignments": (CHAMPION, "/", (None, assign_more)),
    "champion home by progress, 25 more assignments": (CHAMPION, "/?sort=progress", (None, assign_more)),
    "review standard, a finding on every criterion": (CHAMPION, f"/reviews/{{review}}/standards/{BIG}",
                                                      (None, find_everything)),
    "review overview, a finding on every criterion": (CHAMPION, "/reviews/{review}", (None, find_everything)),
    "authority's review page, a finding on every criterion": (ADMIN, "/assessments/{review}/review",
                                                              (None, find_everything)),
    "calibration, 25 more reviews": (ADMIN, "/admin/calibration", (None, assign_more)),
    "batch export, 25 more failures": (ADMIN, "/admin/exports/1", (export_job, more_failures)),
    "batch export JSON, 25 more failures": (ADMIN, "/admin/exports/1/progress.json", (export_job, more_failures)),
    "batch exports, 10 more": (ADMIN, "/admin/exports", (export_job, more_export_jobs)),
    "saved groups, 6 saved": (VIEWER, "/benchmarks/groups", (None, save_groups)),
    "benchmark, 6 saved groups offered": (VIEWER, benchmark("statistical-neighbours"), (None, save_groups)),
    "improvement plan, 25 more own actions": (EDITOR, "/assessments/{leeds}/plan", (None, add_own_actions)),
    "improvement plan XLSX, 25 more own actions": (EDITOR, "/assessments/{leeds}/plan.xlsx", (None, add_own_actions)),
}


@pytest.mark.parametrize("page", GROWTH)
def test_the_count_does_not_grow_with_the_data(seeded_app: Flask, page: str) -> None:
    who, template, (start, grow) = GROWTH[page]
    if start is not None:
        start(seeded_app)
    url = page_url(template)
    if who == "api":
        _, token = tokens.create_token(db.session, find_user(db.session, VIEWER), "query counts")
        db.session.commit()
        client, headers = seeded_app.test_client(), {"Authorization": f"Bearer {token}"}
    else:
        browser = Browser(seeded_app.test_client())
        browser.sign_in(who)
        client, headers = browser.client, {}
    before = queries(seeded_app, client, url, headers)
    grow(seeded_app)
    after = queries(seeded_app, client, url, headers)
    assert len(after) == len(before), (
        f"{page}: {len(before)} queries before, {len(after)} after\n{difference(before, after)}")
