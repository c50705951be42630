"""Background jobs on the task queue: the batch export, one task per authority so that every worker has work.

A job runs as: `start_export` (marks it running and queues one `make_export_item` per pending authority), the items
(any worker, in any order, each committing its own outcome), then `finish_export` once none is pending (the zip).
Every task only reads the job's state from the database and moves it on, so a task run twice does nothing twice,
and work a killed worker lost is found and queued again by `requeue_lost_work` (when a consumer starts, see
csptoolkit/worker.py, and every few minutes for jobs that have stopped moving).

Each task runs in an application context of its own (its own database session): in a worker process, of the
application csptoolkit/worker.py built; in immediate mode (tests), of the application that queued it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import crontab

from .extensions import task_queue as huey

log = logging.getLogger(__name__)

# A job whose items have all stopped finishing for this long has lost its tasks (a worker died under them).
QUIET_FOR = timedelta(minutes=10)
_worker_app: Flask | None = None


def bind_worker_app(app: Flask) -> None:
    """The application a worker process runs its tasks in (csptoolkit/worker.py)."""
    global _worker_app
    _worker_app = app


@contextmanager
def _context() -> Iterator[tuple]:
    """An application context of the task's own; yields (database session, exports folder)."""
    from . import services

    app = current_app._get_current_object() if has_app_context() else _worker_app
    if app is None:
        raise RuntimeError("No application to run the task in: start workers with csptoolkit.worker.huey")
    with app.app_context():
        yield services.session(), Path(app.config["EXPORTS_PATH"])


@huey.task()
def start_export(job_id: int) -> None:
    from .services import export_work

    with _context() as (session, _):
        items = export_work.begin(session, job_id)
    for item_id in items:
        make_export_item(job_id, item_id)
    if not items:
        finish_export(job_id)  # a job of no authorities (or every item already made): its zip holds the manifest


@huey.task()
def make_export_item(job_id: int, item_id: int) -> None:
    from .services import export_work

    with _context() as (session, exports):
        finished = export_work.make_item(session, item_id, exports)
    if finished is not None:
        finish_export(job_id)


@huey.task()
def finish_export(job_id: int) -> None:
    from .services import export_work

    with _context() as (session, exports):
        again = export_work.finish(session, job_id, exports)
    for item_id in again:
        make_export_item(job_id, item_id)


def queued_work() -> tuple[set[int], set[int]]:
    """The jobs (start or finish) and the items that tasks waiting in the queue will do."""
    jobs, items = set(), set()
    for task in huey.pending():
        if isinstance(task, (start_export.task_class, finish_export.task_class)):
            jobs.add(task.args[0])
        elif isinstance(task, make_export_item.task_class):
            items.add(task.args[1])
    return jobs, items


def requeue_lost_work(quiet_for: timedelta | None = None) -> int:
    """Queue again what unfinished jobs need and no queued task will do; how many tasks were queued.

    quiet_for=None when no worker can be running a task (a consumer starting, before its workers): everything
    pending and unqueued is lost. Otherwise only jobs that have made no progress for that long.
    """
    from .services import export_work

    jobs, items = queued_work()
    with _context() as (session, _):
        lost = export_work.lost_work(session, jobs, items, quiet_for)
    count = 0
    for work in lost:
        log.info("export job %s: queueing again %s", work.job_id, work)
        if work.start:
            start_export(work.job_id)
        for item_id in work.items:
            make_export_item(work.job_id, item_id)
        if work.finish:
            finish_export(work.job_id)
        count += int(work.start) + len(work.items) + int(work.finish)
    return count


@huey.periodic_task(crontab(minute="*/5"))
def check_for_lost_work() -> None:
    """A worker process that died (and was restarted by its consumer) lost the task it was running."""
    requeue_lost_work(QUIET_FOR)
