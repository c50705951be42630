"""The task queue (Huey): created once here, given its store by create_app from TASK_QUEUE_URL.

The embedded default keeps the queue in a SQLite file under instance/ (one machine, no server to run); with
`redis://...` every app server and every worker, on any machine, shares one queue. In immediate mode (the unit tests)
a task runs at once, in the process that queues it, and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

DEFAULT_NAME = "csptoolkit"


class UnknownTaskQueue(ValueError):
    """TASK_QUEUE_URL names a store the toolkit does not know."""


def storage_for(url: str, name: str):
    """The Huey store a TASK_QUEUE_URL names: `sqlite:///path` or `redis://host:port/db`."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(name, filename=str(path))
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(name, url=url)
    if url.startswith("memory://"):
        return MemoryStorage(name)
    raise UnknownTaskQueue(f"TASK_QUEUE_URL must start sqlite:///, redis:// or memory:// (not {url!r})")


class TaskQueue(Huey):
    """Huey whose store is chosen when the application is bound, so tasks can be declared at import time."""

    def __init__(self, name: str = DEFAULT_NAME) -> None:
        # Results are not kept: a job's progress and outcome are in the database (export_jobs, export_items).
        super().__init__(name, results=False, storage_class=MemoryStorage)
        self.bound_to: tuple[str, str, bool] | None = None

    def init_app(self, app: Flask) -> None:
        """Use the store the application's settings name (TASK_QUEUE_URL, TASK_QUEUE_NAME, TASK_QUEUE_IMMEDIATE).

        One queue object serves the process; binding it again to the same settings keeps its connection.
        """
        url = app.config["TASK_QUEUE_URL"]
        name = app.config.get("TASK_QUEUE_NAME") or DEFAULT_NAME
        immediate = bool(app.config.get("TASK_QUEUE_IMMEDIATE"))
        settings = (url, name, immediate)
        if settings != self.bound_to:
            old = self.storage
            self.name = name
            self._immediate = immediate
            self.storage = MemoryStorage(name) if immediate else storage_for(url, name)
            if old is not self.storage:
                old.close()
            self.bound_to = settings
        app.extensions["task_queue"] = self
