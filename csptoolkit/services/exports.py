"""Batch exports (the benchmark report, and the plan where there is one, of every authority in a cycle as one zip):
starting one, its progress, the list, deleting one and the finished zip. Programme admins only.

The work itself is done by the task queue's workers (csptoolkit/tasks.py, services/export_work.py).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..domain.roles import ADMIN
from ..models import Assessment, Cycle, ExportItem, ExportJob, Organisation, User
from ..models.export import DONE, FAILED, PENDING, QUEUED, RUNNING
from .assessments import NotAllowed
from .audit import record
from .export_work import job_folder
from .transaction import after_commit, unit_of_work

__all__ = ["DONE", "FAILED", "KIND", "LOCALES", "QUEUED", "RUNNING", "CycleRef", "Failure", "JobProgress",
           "NotAllowed", "UnknownCycle", "delete_job", "job_progress", "jobs", "start_batch", "zip_path"]

KIND = "benchmarks"
LOCALES = ("en", "cy")


class UnknownCycle(LookupError):
    """No cycle has that slug."""


@dataclass(frozen=True)
class CycleRef:
    slug: str
    name: str


@dataclass(frozen=True)
class Failure:
    code: str
    name: str
    reason: str


@dataclass(frozen=True)
class JobProgress:
    """A job as its pages and the command line show it: plain values."""

    id: int
    cycle_slug: str
    cycle_name: str
    locale: str
    state: str
    total: int
    done: int
    failed: int
    failures: tuple[Failure, ...]
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    file_name: str | None
    size_bytes: int | None
    error: str | None

    @property
    def finished(self) -> int:
        """Items that are over, made or failed: the "n" of "n of N"."""
        return self.done + self.failed

    @property
    def cycle(self) -> CycleRef:
        return CycleRef(self.cycle_slug, self.cycle_name)

    @property
    def running(self) -> bool:
        return self.state in (QUEUED, RUNNING)


def _require_admin(user: User) -> None:
    if user.role != ADMIN:
        raise NotAllowed


def start_batch(session: Session, user: User, cycle_slug: str, locale: str = "en", queue: bool = True) -> int:
    """Queue the export of every authority with an assessment in the cycle; the new job's id.

    The job and one pending item per authority are committed first, then the job goes on the task queue: the
    database says what is to be done, whatever happens to the queue. queue=False: the caller does the work itself
    (`reports batch --here`).
    """
    from .. import tasks

    _require_admin(user)
    if locale not in LOCALES:
        raise ValueError(f"unknown language {locale!r}")
    with unit_of_work(session):
        cycle = session.execute(select(Cycle).filter_by(slug=cycle_slug)).scalar_one_or_none()
        if cycle is None:
            raise UnknownCycle(cycle_slug)
        organisations = session.execute(
            select(Assessment.organisation_id).join(Organisation, Organisation.id == Assessment.organisation_id)
            .where(Assessment.cycle_id == cycle.id).order_by(Organisation.name)).scalars().all()
        job = ExportJob(cycle_id=cycle.id, kind=KIND, locale=locale, requested_by_id=user.id, state=QUEUED,
                        total=len(organisations))
        job.items = [ExportItem(organisation_id=o, state=PENDING) for o in organisations]
        session.add(job)
        session.flush()
        record(session, user, "export.started", subject=f"export-job-{job.id}",
               new={"cycle": cycle.slug, "kind": KIND, "locale": locale, "authorities": len(organisations)})
        job_id = job.id
        if queue:
            after_commit(session, lambda: tasks.start_export(job_id))
    return job_id


def _progress(session: Session, rows) -> list[JobProgress]:
    jobs = [job for job, _, _, _ in rows]
    if not jobs:
        return []
    counts = {job_id: (int(done or 0), int(failed or 0)) for job_id, done, failed in session.execute(
        select(ExportItem.job_id, func.sum(case((ExportItem.state == DONE, 1), else_=0)),
               func.sum(case((ExportItem.state == FAILED, 1), else_=0)))
        .where(ExportItem.job_id.in_([j.id for j in jobs])).group_by(ExportItem.job_id))}
    return [JobProgress(
        id=job.id, cycle_slug=slug, cycle_name=name, locale=job.locale, state=job.state, total=job.total,
        done=counts.get(job.id, (0, 0))[0], failed=counts.get(job.id, (0, 0))[1], failures=(),
        requested_by=email, created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
        file_name=job.file_name, size_bytes=job.size_bytes, error=job.error) for job, slug, name, email in rows]


def _query():
    return (select(ExportJob, Cycle.slug, Cycle.name, User.email).join(Cycle, Cycle.id == ExportJob.cycle_id)
            .outerjoin(User, User.id == ExportJob.requested_by_id))


def jobs(session: Session, user: User) -> list[JobProgress]:
    """Every export, newest first, with its progress (three queries whatever the number of jobs)."""
    _require_admin(user)
    return _progress(session, session.execute(_query().order_by(ExportJob.id.desc())).all())


def job_progress(session: Session, user: User, job_id: int) -> JobProgress | None:
    """One job's progress, with the authorities that failed and why (None: no such job)."""
    _require_admin(user)
    row = session.execute(_query().where(ExportJob.id == job_id)).first()
    if row is None:
        return None
    progress = _progress(session, [row])[0]
    failures = tuple(Failure(code, name, reason or "") for code, name, reason in session.execute(
        select(Organisation.code, Organisation.name, ExportItem.reason)
        .join(Organisation, Organisation.id == ExportItem.organisation_id)
        .where(ExportItem.job_id == job_id, ExportItem.state == FAILED).order_by(Organisation.name)))
    return JobProgress(**{**progress.__dict__, "failures": failures})


def delete_job(session: Session, user: User, job_id: int, exports: Path) -> bool:
    """Delete a job, its zip and its files (once the deletion has committed); False when there is no such job.

    A running job's workers find it gone and stop: an item of a deleted job is not made.
    """
    _require_admin(user)
    with unit_of_work(session):
        job = session.get(ExportJob, job_id)
        if job is None:
            return False
        cycle = session.get(Cycle, job.cycle_id)
        record(session, user, "export.deleted", subject=f"export-job-{job.id}",
               old={"cycle": cycle.slug if cycle else None, "state": job.state, "file": job.file_name})
        paths = [exports / job.file_name] if job.file_name else []
        folder = job_folder(exports, job.id)
        session.delete(job)
        session.flush()

        def remove() -> None:
            for path in paths:
                path.unlink(missing_ok=True)
            shutil.rmtree(folder, ignore_errors=True)

        after_commit(session, remove)
    return True


def zip_path(session: Session, user: User, job_id: int, exports: Path) -> tuple[Path, str] | None:
    """The finished zip of a job and the name to download it as; None while it is not done (or is gone)."""
    _require_admin(user)
    job = session.get(ExportJob, job_id)
    if job is None or job.state != DONE or not job.file_name:
        return None
    path = exports / job.file_name
    return (path, job.file_name) if path.is_file() else None
