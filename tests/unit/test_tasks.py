"""The batch export on the task queue in immediate mode: queued tasks run at once in this process, so a job runs
from start to zip inside the test; one authority failing is listed with its reason and the rest are made."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from csptoolkit import tasks
from csptoolkit.extensions import task_queue
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, AuditEvent, Cycle, ExportItem, ExportJob, Organisation, User
from csptoolkit.services import export_work, exports
from csptoolkit.services.assessments import NotAllowed
from csptoolkit.services.transaction import unit_of_work

ADMIN = "admin@csptoolkit.example"
CAMDEN = "202"


def fake_reports(failing: set[str] = frozenset(), calls: list | None = None):
    """A stand-in for the PDFs: each authority's own bytes, and a readable error for the failing ones."""

    def make(session, user, authority):
        if calls is not None:
            calls.append(authority.code)
        if authority.code in failing:
            raise LookupError(f"{authority.name} has no submitted assessment to benchmark.")
        return [(export_work.file_stem("benchmark", authority), f"%PDF-1.7 {authority.code} {user.email}".encode())]

    return make


def user(email: str) -> User:
    return db.session.execute(select(User).filter_by(email=email)).scalar_one()


def authorities_in(cycle_slug: str) -> dict[str, str]:
    return dict(db.session.execute(
        select(Organisation.code, Organisation.name).join(Assessment, Assessment.organisation_id == Organisation.id)
        .join(Cycle, Cycle.id == Assessment.cycle_id).where(Cycle.slug == cycle_slug)).all())


def test_the_queue_is_in_immediate_mode_in_tests(seeded_app: Flask) -> None:
    assert task_queue.immediate
    assert seeded_app.extensions["task_queue"] is task_queue


def test_a_batch_runs_end_to_end_and_a_failing_authority_is_listed(seeded_app: Flask, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(export_work, "reports_of", fake_reports({CAMDEN}, calls))
    authorities = authorities_in("2011")
    assert len(authorities) == 175  # the demo: 153 English and 22 Welsh authorities, each with a 2011 assessment

    job_id = exports.start_batch(db.session, user(ADMIN), "2011", "en")

    progress = exports.job_progress(db.session, user(ADMIN), job_id)
    assert (progress.state, progress.total, progress.done, progress.failed) == ("done", 175, 174, 1)
    assert progress.failures == (exports.Failure(CAMDEN, "Camden", "Camden has no submitted assessment to "
                                                 "benchmark."),)
    assert sorted(calls) == sorted(authorities)  # every authority once, Camden's failure stopping nothing
    exports_path = Path(seeded_app.config["EXPORTS_PATH"])
    path, name = exports.zip_path(db.session, user(ADMIN), job_id, exports_path)
    assert name == f"benchmark-reports-2011-en-{job_id}.zip" and path.stat().st_size == progress.size_bytes
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert names == {"README.txt"} | {f"benchmark-2011-{code}.pdf" for code in authorities if code != CAMDEN}
        assert archive.read("benchmark-2011-330.pdf") == f"%PDF-1.7 330 {ADMIN}".encode()
        manifest = archive.read("README.txt").decode()
    assert "174 of 175 authorities' reports are in this zip" in manifest
    assert "- Camden (202): Camden has no submitted assessment to benchmark." in manifest
    assert not export_work.job_folder(exports_path, job_id).exists()  # the parts went once the zip was made
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.subject == f"export-job-{job_id}"))
    assert list(actions.scalars()) == ["export.started"]


def test_running_a_step_again_changes_nothing(seeded_app: Flask, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(export_work, "reports_of", fake_reports(calls=calls))
    job_id = exports.start_batch(db.session, user(ADMIN), "2010", "cy")
    exports_path = Path(seeded_app.config["EXPORTS_PATH"])
    before = {i.id: i.finished_at for i in db.session.execute(select(ExportItem).filter_by(job_id=job_id)).scalars()}
    job = db.session.get(ExportJob, job_id)
    finished, size = job.finished_at, job.size_bytes
    made = len(calls)

    tasks.start_export(job_id)  # queued twice, or again after a restart: the job is done, nothing is redone
    for item_id in before:
        tasks.make_export_item(job_id, item_id)
    tasks.finish_export(job_id)

    db.session.expire_all()
    assert len(calls) == made == 175
    after = {i.id: i.finished_at for i in db.session.execute(select(ExportItem).filter_by(job_id=job_id)).scalars()}
    assert after == before
    assert (db.session.get(ExportJob, job_id).finished_at, db.session.get(ExportJob, job_id).size_bytes) == (
        finished, size)
    assert exports.zip_path(db.session, user(ADMIN), job_id, exports_path)[1].endswith(f"-2010-cy-{job_id}.zip")


def _running_job(codes: list[str]) -> int:
    """A job begun but not finished, as a killed worker leaves it: every item pending."""
    admin = user(ADMIN)
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    organisations = db.session.execute(select(Organisation.id).where(Organisation.code.in_(codes))).scalars().all()
    with unit_of_work(db.session):
        job = ExportJob(cycle_id=cycle.id, kind="benchmarks", locale="en", requested_by_id=admin.id,
                        state="running", total=len(codes), started_at=export_work.utcnow() - timedelta(hours=1))
        job.items = [ExportItem(organisation_id=o) for o in organisations]
        db.session.add(job)
    return job.id


def test_lost_work_is_found_and_done_once(seeded_app: Flask, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(export_work, "reports_of", fake_reports(calls=calls))
    job_id = _running_job(["202", "383", "330"])
    items = export_work.pending_items(db.session, job_id)
    exports_path = Path(seeded_app.config["EXPORTS_PATH"])
    export_work.make_item(db.session, items[0], exports_path)  # one was made before the worker died
    assert len(calls) == 1

    lost = export_work.lost_work(db.session, queued_jobs=set(), queued_items={items[2]})
    assert lost == [export_work.LostWork(job_id, False, (items[1],), False)]  # the queued one is not queued again
    # A job that made progress a moment ago is not taken for lost by the periodic check.
    assert export_work.lost_work(db.session, set(), set(), quiet_for=timedelta(minutes=10)) == []
    assert export_work.lost_work(db.session, set(), set(), quiet_for=timedelta(0))[0].items == tuple(items[1:])

    assert tasks.requeue_lost_work() == 2  # immediate mode: queued and run at once
    db.session.expire_all()
    assert sorted(calls) == ["202", "330", "383"]  # each made once
    assert db.session.get(ExportJob, job_id).state == "done"
    assert tasks.requeue_lost_work() == 0


def test_a_done_item_whose_file_went_missing_is_made_again(seeded_app: Flask, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(export_work, "reports_of", fake_reports(calls=calls))
    job_id = _running_job(["202", "383"])
    exports_path = Path(seeded_app.config["EXPORTS_PATH"])
    first, second = export_work.pending_items(db.session, job_id)
    export_work.make_item(db.session, first, exports_path)
    (export_work.job_folder(exports_path, job_id) / "benchmark-2011-202.pdf").unlink()  # stopped before the move
    assert export_work.make_item(db.session, second, exports_path) == job_id  # the last pending one

    assert export_work.finish(db.session, job_id, exports_path) == [first]
    assert db.session.get(ExportItem, first).state == "pending"
    tasks.make_export_item(job_id, first)
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).state == "done"
    with zipfile.ZipFile(exports_path / db.session.get(ExportJob, job_id).file_name) as archive:
        assert {"benchmark-2011-202.pdf", "benchmark-2011-383.pdf"} <= set(archive.namelist())


def test_only_programme_admins_start_batches(seeded_app: Flask) -> None:
    for email in ("champion@csptoolkit.example", "editor@leeds.example", "viewer@camden.example"):
        with pytest.raises(NotAllowed):
            exports.start_batch(db.session, user(email), "2011")
        with pytest.raises(NotAllowed):
            exports.jobs(db.session, user(email))
    with pytest.raises(exports.UnknownCycle):
        exports.start_batch(db.session, user(ADMIN), "1999")
    assert db.session.execute(select(func.count(ExportJob.id))).scalar() == 0


def test_a_job_whose_requester_is_no_longer_an_admin_fails(seeded_app: Flask, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(export_work, "reports_of", fake_reports(calls=calls))
    job_id = _running_job(["202"])
    with unit_of_work(db.session):
        user(ADMIN).active = False
    tasks.start_export(job_id)
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    assert (job.state, calls) == ("failed", [])
    assert "no longer a programme admin" in job.error


def test_deleting_a_job_removes_its_zip_after_the_commit(seeded_app: Flask, monkeypatch) -> None:
    monkeypatch.setattr(export_work, "reports_of", fake_reports())
    job_id = _running_job(["202", "383"])
    tasks.start_export(job_id)
    exports_path = Path(seeded_app.config["EXPORTS_PATH"])
    path, _ = exports.zip_path(db.session, user(ADMIN), job_id, exports_path)
    assert path.is_file()
    assert exports.delete_job(db.session, user(ADMIN), job_id, exports_path)
    assert not path.exists() and db.session.get(ExportJob, job_id) is None
    assert db.session.execute(select(func.count(ExportItem.id)).filter_by(job_id=job_id)).scalar() == 0
    assert not exports.delete_job(db.session, user(ADMIN), job_id, exports_path)
    deleted = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export.deleted")).scalar_one()
    assert deleted.subject == f"export-job-{job_id}"


def test_each_authority_gets_its_benchmark_and_its_plan_where_it_has_one(seeded_app: Flask, monkeypatch) -> None:
    """The shipped maker calls report_files: benchmark_pdf for every authority, plan_pdf only where a plan exists."""
    from csptoolkit.models import ImprovementPlan
    from csptoolkit.services import report_files

    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    planned = dict(db.session.execute(
        select(Organisation.code, Assessment.id).join(Assessment, Assessment.organisation_id == Organisation.id)
        .join(ImprovementPlan, ImprovementPlan.assessment_id == Assessment.id)
        .where(Assessment.cycle_id == cycle.id)).all())
    unplanned = db.session.execute(
        select(Organisation.code).join(Assessment, Assessment.organisation_id == Organisation.id)
        .where(Assessment.cycle_id == cycle.id, Assessment.id.not_in(planned.values() or [0]))
        .order_by(Organisation.code)).scalars().first()
    with_plan = sorted(planned)[0] if planned else None
    if with_plan is None:  # the demo may make no plans: give one authority a plan of its own
        with_plan = "383"
        leeds = db.session.execute(select(Assessment.id).join(Organisation).where(
            Organisation.code == with_plan, Assessment.cycle_id == cycle.id)).scalar_one()
        with unit_of_work(db.session):
            db.session.add(ImprovementPlan(assessment_id=leeds))
        planned[with_plan] = leeds
    asked: list[tuple] = []
    def benchmark_pdf(session, user, cycle_slug, code, kinds=None, locale="en"):
        asked.append(("benchmark", cycle_slug, code, locale))
        return b"%PDF b " + code.encode()

    def plan_pdf(session, user, assessment_id, locale="en"):
        asked.append(("plan", assessment_id, locale))
        return b"%PDF p"

    monkeypatch.setattr(report_files, "benchmark_pdf", benchmark_pdf)
    monkeypatch.setattr(report_files, "plan_pdf", plan_pdf)
    job_id = _running_job([with_plan, unplanned])
    with unit_of_work(db.session):
        db.session.get(ExportJob, job_id).locale = "cy"
    tasks.start_export(job_id)

    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).state == "done"
    assert sorted(asked, key=str) == sorted([("benchmark", "2011", with_plan, "cy"),
                                             ("benchmark", "2011", unplanned, "cy"),
                                             ("plan", planned[with_plan], "cy")], key=str)
    path = Path(seeded_app.config["EXPORTS_PATH"]) / db.session.get(ExportJob, job_id).file_name
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) == {"README.txt", f"benchmark-2011-{with_plan}.pdf",
                                           f"plan-2011-{with_plan}.pdf", f"benchmark-2011-{unplanned}.pdf"}
