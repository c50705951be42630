"""The task queue's worker: `huey_consumer csptoolkit.worker.huey -w 2 -k process` (the README's "Workers").

Importing this module builds the application once, from the same settings as the web server (instance/config.py,
CSPTOOLKIT_* variables), binds the queue to its store, and queues again the work of unfinished jobs that no queued
task will do: what the workers of a consumer that was killed were running. This happens in the consumer's main
process before it starts its workers, so nothing of this consumer can be running yet. The worker processes are
forked from it; each drops the database connections it inherited before its first task.
"""

from __future__ import annotations

import logging

from . import create_app, tasks
from .extensions import task_queue
from .extensions.database import db

log = logging.getLogger(__name__)

app = create_app()
tasks.bind_worker_app(app)
huey = task_queue


@huey.on_startup()
def _fresh_connections() -> None:
    """A forked worker must not share its parent's database connections."""
    with app.app_context():
        db.engine.dispose(close=False)


def _recover() -> None:
    try:
        count = tasks.requeue_lost_work()
    except Exception:  # a database not migrated yet, say: the consumer still starts, and the periodic check retries
        log.exception("could not look for lost export work")
        return
    if count:
        log.warning("queued again %d export tasks that a stopped worker had lost", count)
    with app.app_context():
        db.engine.dispose()


if not huey.immediate:
    _recover()
