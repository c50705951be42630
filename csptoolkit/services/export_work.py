"""The batch export's work, one transaction at a time, as the task queue's workers do it (csptoolkit/tasks.py).

The database is the truth about a job: its items are `pending` until their files are in the job's folder, then
`done` (or `failed`, with the reason). Each step is safe to run twice, so a task queued twice, or queued again after
a worker was killed, never makes a file twice over a finished one or undoes anything: an item is made only while it
is pending and marked done only if it still is; a job is zipped only while it runs and no item is pending.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..domain.roles import ADMIN
from ..models import Assessment, Cycle, ExportItem, ExportJob, ImprovementPlan, Organisation, User
from ..models.base import utcnow
from ..models.export import DONE, FAILED, PENDING, QUEUED, RUNNING
from .transaction import after_commit, after_rollback, unit_of_work

log = logging.getLogger(__name__)

MANIFEST = "README.txt"


@dataclass(frozen=True)
class Authority:
    """What an item's files are made from: plain values, read once."""

    code: str
    name: str
    cycle_slug: str
    locale: str
    plan_assessment_id: int | None  # the authority's assessment in the cycle, when it has an improvement plan


# The reports an item is made of: (file name, PDF bytes) for one authority. The shipped maker is `reports_of`;
# the tests may hand `make_item` another (a failing one, a slow one).
Maker = Callable[[Session, User, Authority], list[tuple[str, bytes]]]


def job_folder(exports: Path, job_id: int) -> Path:
    """Where a job's files wait until they are zipped."""
    return exports / f"job-{job_id}"


def zip_name(cycle_slug: str, locale: str, job_id: int) -> str:
    return f"benchmark-reports-{cycle_slug}-{locale}-{job_id}.zip"


def file_stem(kind: str, authority: Authority) -> str:
    return f"{kind}-{authority.cycle_slug}-{authority.code}.pdf"


def reports_of(session: Session, user: User, authority: Authority) -> list[tuple[str, bytes]]:
    """The authority's benchmark report, and its improvement plan where it has one (no plan is not a failure)."""
    from . import report_files

    files = [(file_stem("benchmark", authority), report_files.benchmark_pdf(
        session, user, authority.cycle_slug, authority.code, locale=authority.locale))]
    if authority.plan_assessment_id is not None:
        files.append((file_stem("plan", authority), report_files.plan_pdf(
            session, user, authority.plan_assessment_id, authority.locale)))
    return files


def begin(session: Session, job_id: int) -> list[int]:
    """Start a queued job (or carry on with a running one): the ids of its items still to make.

    A job whose requester is no longer an active programme admin fails at once: its reports would be made with
    that person's rights.
    """
    with unit_of_work(session):
        job = session.get(ExportJob, job_id)
        if job is None or job.state not in (QUEUED, RUNNING):
            return []
        requester = session.get(User, job.requested_by_id) if job.requested_by_id else None
        if requester is None or requester.role != ADMIN or not requester.active:
            job.state, job.finished_at = FAILED, utcnow()
            job.error = "The person who asked for this export is no longer a programme admin."
            return []
        if job.state == QUEUED:
            job.state, job.started_at = RUNNING, utcnow()
    return pending_items(session, job_id)


def pending_items(session: Session, job_id: int) -> list[int]:
    return list(session.execute(select(ExportItem.id).where(
        ExportItem.job_id == job_id, ExportItem.state == PENDING).order_by(ExportItem.id)).scalars())


def _authority(session: Session, job: ExportJob, item: ExportItem) -> Authority:
    organisation = session.get(Organisation, item.organisation_id)
    cycle = session.get(Cycle, job.cycle_id)
    planned = session.execute(
        select(Assessment.id).join(ImprovementPlan, ImprovementPlan.assessment_id == Assessment.id)
        .where(Assessment.cycle_id == job.cycle_id, Assessment.organisation_id == item.organisation_id)
    ).scalar_one_or_none()
    return Authority(organisation.code, organisation.name, cycle.slug, job.locale, planned)


def reason_for(error: BaseException) -> str:
    """The failure in words an admin can act on: the service's own message where it gave one."""
    message = str(error).strip()
    if isinstance(error, (LookupError, PermissionError, ValueError)) and message:
        return message
    kind = type(error).__name__
    return f"The report could not be made ({kind}: {message})" if message else f"The report could not be made ({kind})"


def make_item(session: Session, item_id: int, exports: Path, maker: Maker | None = None) -> int | None:
    """Make one authority's files and mark its item done, or failed with the reason. Returns the job's id when no
    item of the job is pending any more (time to zip it), else None.

    The files are written under temporary names and moved into place once the item's row says done (committed);
    a failure in one authority is that item's outcome, never the job's.
    """
    item = session.get(ExportItem, item_id)
    if item is None:
        return None  # the job was deleted
    job = session.get(ExportJob, item.job_id)
    if item.state != PENDING or job.state != RUNNING:
        session.rollback()
        return job.id if job.state == RUNNING and not pending_items(session, job.id) else None
    requester = session.get(User, job.requested_by_id) if job.requested_by_id else None
    authority = _authority(session, job, item)
    try:
        if requester is None:
            raise PermissionError("The person who asked for this export no longer has an account.")
        files = (maker or reports_of)(session, requester, authority)
    except Exception as error:  # one authority's failure is recorded, and the rest carry on
        log.warning("export job %s: %s failed", job.id, authority.code, exc_info=True)
        session.rollback()
        with unit_of_work(session):
            session.execute(update(ExportItem).where(ExportItem.id == item_id, ExportItem.state == PENDING)
                            .values(state=FAILED, reason=reason_for(error), finished_at=utcnow()))
    else:
        session.rollback()  # end the reading transaction before writing
        _store(session, item_id, job_folder(exports, job.id), files)
    return job.id if not pending_items(session, job.id) else None


def _store(session: Session, item_id: int, folder: Path, files: list[tuple[str, bytes]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    partials = []
    for name, data in files:
        partial = folder / f".{name}.{os.getpid()}.partial"
        partial.write_bytes(data)
        partials.append((partial, folder / name))

    def discard() -> None:
        for partial, _ in partials:
            partial.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the job was deleted meanwhile: leave no empty folder behind
            folder.rmdir()

    def move_into_place() -> None:
        for partial, path in partials:
            os.replace(partial, path)

    with unit_of_work(session):
        marked = session.execute(
            update(ExportItem).where(ExportItem.id == item_id, ExportItem.state == PENDING)
            .values(state=DONE, files="\n".join(name for name, _ in files), reason=None, finished_at=utcnow()))
        if marked.rowcount:
            after_commit(session, move_into_place)
        else:  # made twice (queued again after a restart): the first one stands, with its files
            after_commit(session, discard)
        after_rollback(session, discard)


def _names(item: ExportItem) -> list[str]:
    return [name for name in (item.files or "").splitlines() if name]


def finish(session: Session, job_id: int, exports: Path) -> list[int]:
    """Zip a running job whose items are all made, with a manifest of what failed and why; mark it done.

    Returns the ids of items to make again: a done item whose file is not in the folder (a worker stopped between
    its commit and the move) goes back to pending rather than leave a hole in the zip.
    """
    job = session.get(ExportJob, job_id)
    if job is None or job.state != RUNNING or pending_items(session, job_id):
        session.rollback()
        return []
    folder = job_folder(exports, job_id)
    rows = session.execute(
        select(ExportItem, Organisation.code, Organisation.name).join(
            Organisation, Organisation.id == ExportItem.organisation_id)
        .where(ExportItem.job_id == job_id).order_by(Organisation.name)).all()
    lost = [item.id for item, _, _ in rows if item.state == DONE and not all(
        (folder / name).is_file() for name in _names(item))]
    if lost:
        with unit_of_work(session):
            session.execute(update(ExportItem).where(ExportItem.id.in_(lost))
                            .values(state=PENDING, files=None, finished_at=None))
        return lost
    cycle = session.get(Cycle, job.cycle_id)
    name = zip_name(cycle.slug, job.locale, job_id)
    path, partial = exports / name, exports / f".{name}.{os.getpid()}.partial"
    try:
        _write_zip(partial, folder, cycle.name, [(item, code, title) for item, code, title in rows])
    except OSError as error:
        partial.unlink(missing_ok=True)
        session.rollback()
        with unit_of_work(session):
            session.execute(update(ExportJob).where(ExportJob.id == job_id, ExportJob.state == RUNNING).values(
                state=FAILED, error=f"The zip could not be written: {error.strerror or error}",
                finished_at=utcnow()))
        return []
    size = partial.stat().st_size
    session.rollback()
    with unit_of_work(session):
        marked = session.execute(update(ExportJob).where(ExportJob.id == job_id, ExportJob.state == RUNNING)
                                 .values(state=DONE, file_name=name, size_bytes=size, finished_at=utcnow()))
        if marked.rowcount:
            after_commit(session, lambda: (os.replace(partial, path), shutil.rmtree(folder, ignore_errors=True)))
        else:  # zipped twice: the first zip stands
            after_commit(session, lambda: partial.unlink(missing_ok=True))
        after_rollback(session, lambda: partial.unlink(missing_ok=True))
    return []


def _write_zip(path: Path, folder: Path, cycle_name: str, rows: list[tuple[ExportItem, str, str]]) -> None:
    made = [(item, code, name) for item, code, name in rows if item.state == DONE]
    failed = [(item, code, name) for item, code, name in rows if item.state == FAILED]
    lines = [f"Benchmark reports: {cycle_name}", "",
             f"{len(made)} of {len(rows)} authorities' reports are in this zip "
             "(each authority's benchmark report, and its improvement plan where it has one)."]
    if failed:
        lines += ["", f"{len(failed)} could not be made:"]
        lines += [f"- {name} ({code}): {item.reason}" for item, code, name in failed]
    lines += ["", "Files:"] + [f"- {file} ({name}, {code})" for item, code, name in made for file in _names(item)]
    # PDFs are compressed already: stored as they are, the zip is made at the speed of the disk.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(MANIFEST, "\n".join(lines) + "\n")
        for item, _, _ in made:
            for file in _names(item):
                archive.write(folder / file, file)


@dataclass(frozen=True)
class LostWork:
    """A job's work that no queued task will do: items to queue again, or the zip to make."""

    job_id: int
    start: bool  # the job was never begun
    items: tuple[int, ...]
    finish: bool


def lost_work(session: Session, queued_jobs: Iterable[int], queued_items: Iterable[int],
              quiet_for: timedelta | None = None) -> list[LostWork]:
    """What unfinished jobs still need that is not in the queue.

    When a worker is killed, the task it was running is gone from the queue while its item is still pending: this
    finds it. `quiet_for`: only jobs with no item finished for that long (a periodic check, while other workers may
    be running tasks no queue lists); None when no worker can be running (a consumer starting).
    """
    queued_jobs, queued_items = set(queued_jobs), set(queued_items)
    jobs = session.execute(select(ExportJob.id, ExportJob.state, ExportJob.started_at, ExportJob.created_at).where(
        ExportJob.state.in_((QUEUED, RUNNING))).order_by(ExportJob.id)).all()
    found = []
    for job_id, state, started_at, created_at in jobs:
        if quiet_for is not None and _active_since(session, job_id, started_at or created_at) > utcnow() - quiet_for:
            continue
        if state == QUEUED:
            if job_id not in queued_jobs:
                found.append(LostWork(job_id, True, (), False))
            continue
        items = tuple(i for i in pending_items(session, job_id) if i not in queued_items)
        if items or not pending_items(session, job_id):
            found.append(LostWork(job_id, False, items, not items and job_id not in queued_jobs))
    session.rollback()
    return [work for work in found if work.start or work.items or work.finish]


def _active_since(session: Session, job_id: int, began: datetime) -> datetime:
    last = session.execute(select(func.max(ExportItem.finished_at)).where(ExportItem.job_id == job_id)).scalar()
    moment = max(filter(None, (last, began)), key=_aware)
    return _aware(moment)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive UTC datetimes; PostgreSQL aware ones."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
