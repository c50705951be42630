"""Every route, for every role: who may see what (DESIGN §9). A new route without an expectation fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, current_app
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import (
    Assessment,
    Cycle,
    EvidenceFile,
    Organisation,
    PeerGroup,
    PeerGroupMember,
    ReviewAssignment,
    User,
)
from csptoolkit.models.plan import ImprovementPlan, PlanAction

from .conftest import ADMIN, CHAMPION, EDITOR, VIEWER, Browser, csrf_token

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, ADMIN, CHAMPION, EDITOR, VIEWER)

# For each GET route: the status each role gets for its own authority's assessment ("own") and for another's
# ("other"). Leeds (the editor's) 2011 assessment is "own" for the editor; Camden's (the viewer's) for the viewer.
# The champion is assigned to neither; the admin sees everything.
SIGN_IN = 302
EXPECTED: dict[str, dict[str, int]] = {
    "assess.home": {ANONYMOUS: SIGN_IN, ADMIN: 302, CHAMPION: 200, EDITOR: 200, VIEWER: 200},
    "assess.overview": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "assess.standard": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "assess.check": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "assess.submitted": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "assess.history": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "assess.download": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "admin.users": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "admin.assessments": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "admin.new_user": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "admin.reset_password": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "admin.api_tokens": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "admin.new_token": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "review.reviews_list": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    # Asked of a submitted assessment (a draft is not reviewable: 404 for everyone would prove nothing).
    "review.assign": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403, "other": 403},
    # Asked of an in-review assessment assigned to the demo champion: only they and the programme open it.
    "champion.review": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 200, EDITOR: 404, VIEWER: 404, "other": 404},
    "champion.standard": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 200, EDITOR: 404, VIEWER: 404, "other": 404},
    # The authority's answers to its review: its own people and the programme; champions review elsewhere.
    "responses.review": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "calibration.overview": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    # Batch exports: programme admins only, and nobody else is told they exist; asked of a finished export's zip.
    "exports.jobs": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 404, VIEWER: 404},
    "exports.job": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 404, VIEWER: 404},
    "exports.job_json": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 404, VIEWER: 404},
    "exports.download": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 404, VIEWER: 404},
    "exports.delete": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 404, VIEWER: 404},
    # Learning matches: the authority's own people and the programme (a draft's page says it has none yet);
    # the opt-ins page is the authority's (its editors change them, its viewers read them).
    "learning.show": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "learning.sharing": {ANONYMOUS: SIGN_IN, ADMIN: 404, CHAMPION: 404, EDITOR: 200, VIEWER: 200},
    # What-if on the plan: the plan's readers (the authority's editors and viewers, programme admins).
    "whatif.show": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "whatif.data": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    # An assessment's answers and scores as spreadsheets: as the overview, and its champions only while in review.
    "downloads.workbook": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "downloads.answers_csv": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200,
                              "other": 404},
    "downloads.scores_csv": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200,
                             "other": 404},
    "benchmark.authority": {ANONYMOUS: SIGN_IN, ADMIN: 302, CHAMPION: 403, EDITOR: 200, VIEWER: 200},
    "benchmark.trend": {ANONYMOUS: SIGN_IN, ADMIN: 302, CHAMPION: 403, EDITOR: 200, VIEWER: 200},
    "benchmark.national": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "benchmark.regions": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "benchmark.groups": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 200, VIEWER: 200},
    # PDFs: the benchmark report as its page (an admin names an authority, else goes to the national view); the
    # region report needs a region named (none here: 404), the nation's is the national view's.
    "reports.benchmark_pdf": {ANONYMOUS: SIGN_IN, ADMIN: 302, CHAMPION: 403, EDITOR: 200, VIEWER: 200},
    "reports.region_pdf": {ANONYMOUS: SIGN_IN, ADMIN: 404, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "reports.nation_pdf": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 403, EDITOR: 403, VIEWER: 403},
    "reports.plan_pdf": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "auth.sign_in": {ANONYMOUS: 200, ADMIN: 302, CHAMPION: 302, EDITOR: 302, VIEWER: 302},
    "auth.language": {ANONYMOUS: 302, ADMIN: 302, CHAMPION: 302, EDITOR: 302, VIEWER: 302},
    # The API takes bearer tokens only: a session cookie gets 401 whoever it belongs to (tests/web/test_api.py
    # walks the API's own rules with tokens). Its OpenAPI document is public.
    "api.openapi": {ANONYMOUS: 200, ADMIN: 200, CHAMPION: 200, EDITOR: 200, VIEWER: 200},
    "api.frameworks": {ANONYMOUS: 401, ADMIN: 401, CHAMPION: 401, EDITOR: 401, VIEWER: 401},
    "api.cycles": {ANONYMOUS: 401, ADMIN: 401, CHAMPION: 401, EDITOR: 401, VIEWER: 401},
    "api.organisations": {ANONYMOUS: 401, ADMIN: 401, CHAMPION: 401, EDITOR: 401, VIEWER: 401},
    "api.organisation": {ANONYMOUS: 401, ADMIN: 401, CHAMPION: 401, EDITOR: 401, VIEWER: 401},
    "api.scores": {ANONYMOUS: 401, ADMIN: 401, CHAMPION: 401, EDITOR: 401, VIEWER: 401},
    "api.assessment_review": {ANONYMOUS: 401, ADMIN: 401, CHAMPION: 401, EDITOR: 401, VIEWER: 401},
    "api.benchmark": {ANONYMOUS: 401, ADMIN: 401, CHAMPION: 401, EDITOR: 401, VIEWER: 401},
    # The improvement plan: the authority's editors and viewers and the programme read it; only editors change it.
    "plan.show": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "plan.targets": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "plan.action": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "plan.new_action": {ANONYMOUS: SIGN_IN, ADMIN: 403, CHAMPION: 404, EDITOR: 200, VIEWER: 403, "other": 404},
    "plan.download_xlsx": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
    "plan.download_csv": {ANONYMOUS: SIGN_IN, ADMIN: 200, CHAMPION: 404, EDITOR: 200, VIEWER: 200, "other": 404},
}
POST_ONLY = {"benchmark.delete_group", "assess.start", "assess.submit", "auth.sign_out", "admin.toggle_active",
             "admin.revoke_token", "champion.complete", "plan.generate", "plan.delete_action"}


def own_assessment(email: str) -> Assessment:
    user = db.session.execute(select(User).filter_by(email=email)).scalar_one_or_none()
    code = user.organisation.code if user and user.organisation else "383"
    organisation = db.session.execute(select(Organisation).filter_by(code=code)).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    return db.session.execute(select(Assessment).filter_by(organisation_id=organisation.id,
                                                           cycle_id=cycle.id)).scalar_one()


def evidence_of(assessment: Assessment) -> EvidenceFile:
    """A real evidence file on the assessment (made on first use), so that a 404 means "not yours"."""
    answer = assessment.answers[0]
    if not answer.evidence_files:
        answer.evidence_files.append(EvidenceFile(filename="minutes.pdf", stored_name=f"roles-{assessment.id}",
                                                  content_type="application/pdf", size=9))
        db.session.commit()
        folder = Path(current_app.config["EVIDENCE_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"roles-{assessment.id}").write_bytes(b"%PDF-1.4\n")
    return answer.evidence_files[0]


def submitted_assessment() -> Assessment:
    """A submitted 2011 assessment (the peer-review pages are about those)."""
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    return db.session.execute(select(Assessment).filter_by(cycle_id=cycle.id, state="submitted")
                              .order_by(Assessment.id)).scalars().first()


def champions_review() -> Assessment:
    """An in-review 2011 assessment assigned to the demo champion."""
    champion = db.session.execute(select(User).filter_by(email=CHAMPION)).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    return db.session.execute(
        select(Assessment).join(ReviewAssignment, ReviewAssignment.assessment_id == Assessment.id)
        .where(ReviewAssignment.champion_id == champion.id, Assessment.cycle_id == cycle.id,
               Assessment.state == "in_review").order_by(Assessment.id)).scalars().first()


def editors_group() -> PeerGroup:
    """A custom group saved by the Leeds editor: nobody else may delete it."""
    editor = db.session.execute(select(User).filter_by(email=EDITOR)).scalar_one()
    group = db.session.execute(select(PeerGroup).filter_by(owner_id=editor.id)).scalars().first()
    if group is None:
        group = PeerGroup(name="Core cities", owner_id=editor.id, members=[
            PeerGroupMember(organisation_id=o) for o in db.session.execute(
                select(Organisation.id).where(Organisation.code.in_(["330", "352", "331"]))).scalars()])
        db.session.add(group)
        db.session.commit()
    return group


def finished_export() -> int:
    """A finished batch export with its zip on disk (made on first use), so that a 404 means "not yours"."""
    from csptoolkit.models import ExportJob

    job = db.session.execute(select(ExportJob).filter_by(state="done")).scalars().first()
    if job is None:
        admin = db.session.execute(select(User).filter_by(email=ADMIN)).scalar_one()
        cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
        job = ExportJob(cycle_id=cycle.id, kind="benchmarks", locale="en", requested_by_id=admin.id, state="done",
                        total=0, file_name="roles-export.zip", size_bytes=22)
        db.session.add(job)
        db.session.commit()
        folder = Path(current_app.config["EXPORTS_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "roles-export.zip").write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    return job.id


def url_for_rule(rule, assessment: Assessment) -> str:
    values = {"assessment_id": assessment.id, "key": assessment.cycle.framework_version.rules().standards[0].id,
              "user_id": 1, "slug": "2011", "code": "cy", "token_id": 1}
    if "evidence_id" in rule.arguments:
        values["evidence_id"] = evidence_of(assessment).id
    if "group_id" in rule.arguments:
        values["group_id"] = editors_group().id
    if rule.endpoint.startswith("review."):
        values["assessment_id"] = submitted_assessment().id
    if rule.endpoint.startswith("champion."):
        values["assessment_id"] = champions_review().id
    if "job_id" in rule.arguments:
        values["job_id"] = finished_export()
    if "action_id" in rule.arguments:  # an action of the assessment's own plan (the demo gives each one)
        values["action_id"] = db.session.execute(select(PlanAction.id).join(ImprovementPlan).where(
            ImprovementPlan.assessment_id == values["assessment_id"]).order_by(PlanAction.id)).scalars().first()
    return rule.build({name: values[name] for name in rule.arguments})[1]


def test_every_route_has_an_expectation(seeded_app: Flask) -> None:
    endpoints = {r.endpoint for r in seeded_app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints - POST_ONLY == set(EXPECTED), "add the new route to EXPECTED (or POST_ONLY)"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(seeded_app: Flask, role: str) -> None:
    browser = Browser(seeded_app.test_client())
    if role != ANONYMOUS:
        browser.sign_in(role)
    mine = own_assessment(role if role in (EDITOR, VIEWER) else EDITOR)
    theirs = own_assessment(VIEWER if role == EDITOR else EDITOR)
    for rule in seeded_app.url_map.iter_rules():
        if rule.endpoint not in EXPECTED or "GET" not in rule.methods:
            continue
        expected = EXPECTED[rule.endpoint]
        response = browser.client.get(url_for_rule(rule, mine))
        response.close()  # a download's file stays open until its response is closed
        assert response.status_code == expected[role], (rule.endpoint, role, "own", response.status_code)
        if role in (EDITOR, VIEWER) and rule.arguments & {"assessment_id", "evidence_id"}:
            response = browser.client.get(url_for_rule(rule, theirs))
            response.close()
            assert response.status_code == expected["other"], (rule.endpoint, role, "other")


@pytest.mark.parametrize("endpoint", sorted(POST_ONLY))
def test_post_only_routes_refuse_other_roles(seeded_app: Flask, endpoint: str) -> None:
    rule = next(r for r in seeded_app.url_map.iter_rules() if r.endpoint == endpoint)
    assessment = own_assessment(EDITOR)
    for role in (ANONYMOUS, CHAMPION, VIEWER):
        browser = Browser(seeded_app.test_client())
        if role != ANONYMOUS:
            browser.sign_in(role)
        browser.get("/", status=None)
        token = browser.last
        data = {}
        if "csrf_token" in token:
            data["csrf_token"] = csrf_token(token)
        response = browser.client.post(url_for_rule(rule, assessment), data=data)
        if endpoint == "auth.sign_out" and role != ANONYMOUS:
            continue  # anyone signed in may sign themselves out
        assert response.status_code in (302, 400, 403, 404), (endpoint, role, response.status_code)
        if role != ANONYMOUS:
            assert response.status_code != 302 or endpoint == "auth.sign_out", (endpoint, role)
    db.session.expire_all()
    assert own_assessment(EDITOR).state == "draft"
    if endpoint == "benchmark.delete_group":  # the group was real: its owner can delete it, no one else could
        group_id = editors_group().id
        owner = Browser(seeded_app.test_client())
        owner.sign_in(EDITOR)
        response = owner.post(url_for_rule(rule, assessment), token_from="/benchmarks/groups")
        assert response.status_code in (302, 303)
        db.session.expire_all()
        assert db.session.get(PeerGroup, group_id) is None


def test_a_champion_sees_only_assigned_assessments(seeded_app: Flask) -> None:
    champion = db.session.execute(select(User).filter_by(email=CHAMPION)).scalar_one()
    assigned = db.session.execute(select(ReviewAssignment).filter_by(champion_id=champion.id)).scalars().first()
    browser = Browser(seeded_app.test_client())
    browser.sign_in(CHAMPION)
    browser.get(f"/assessments/{assigned.assessment_id}")
    browser.get(f"/assessments/{own_assessment(EDITOR).id}", status=404)
