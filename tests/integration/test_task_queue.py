"""The task queue for real: `huey_consumer` worker processes against the SQLite store and against Redis, the
batch export run through them, and a worker killed (kill -9) mid-way and started again: the job resumes, and what
was done before the kill is not done again."""

from __future__ import annotations

import os
import signal
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from csptoolkit.extensions import task_queue
from csptoolkit.extensions.database import db
from csptoolkit.models import ExportItem, ExportJob, Organisation, User
from csptoolkit.services import exports

from ..workers import Queue, consumer

REDIS_URL = os.environ.get("CSPTOOLKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
ADMIN = "admin@csptoolkit.example"


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, seeded_app: Flask, tmp_path: Path) -> Iterator[Queue]:
    """This test's application bound to a real store (its own name in it), as the workers will be."""
    name = f"csptoolkit-test-{uuid.uuid4().hex[:10]}"
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}" if request.param == "sqlite" else REDIS_URL
    seeded_app.config.update(TASK_QUEUE_URL=url, TASK_QUEUE_NAME=name, TASK_QUEUE_IMMEDIATE=False)
    task_queue.init_app(seeded_app)
    (tmp_path / "instance").mkdir()
    # The workers read the queue's name from instance/config.py, as an installation sets any setting.
    (tmp_path / "instance" / "config.py").write_text(f"TASK_QUEUE_NAME = {name!r}\n")
    yield Queue(url, name, tmp_path)
    task_queue.storage.flush_all()  # this name's queue, schedule and locks
    seeded_app.config.update(TASK_QUEUE_IMMEDIATE=True)
    task_queue.init_app(seeded_app)


def counts(job_id: int) -> dict[str, int]:
    db.session.rollback()  # see what the workers have committed since
    return dict(db.session.execute(select(ExportItem.state, func.count()).where(ExportItem.job_id == job_id)
                                   .group_by(ExportItem.state)).all())


def wait_until(test, timeout: float, logs: Path) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            raise AssertionError("timed out; the workers said:\n" + "\n".join(
                p.read_text()[-3000:] for p in sorted(logs.glob("consumer-*.log"))))
        time.sleep(0.2)


def job_state(job_id: int) -> str:
    db.session.rollback()
    return db.session.get(ExportJob, job_id).state


def admin() -> User:
    return db.session.execute(select(User).filter_by(email=ADMIN)).scalar_one()


def rendered(queue: Queue) -> list[tuple[str, str]]:
    path = queue.tmp / "reports.log"
    return [tuple(line.split()) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_command_queues_the_batch_and_a_worker_makes_it(seeded_app: Flask, queue: Queue) -> None:
    out = queue.tmp / "batch.zip"
    codes = set(db.session.execute(select(Organisation.code)).scalars())
    with consumer(seeded_app, queue, "only", TEST_FAILING="202"):
        result = seeded_app.test_cli_runner().invoke(
            args=["reports", "batch", "--cycle", "2011", "--out", str(out), "--wait", "60"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Export job ") and lines[0].endswith(" queued.")
    assert "175 of 175" in lines
    assert "Not made: Camden (202): Camden has no scores to report." in result.output  # stderr, mixed in
    assert lines[-1] == f"Wrote {out}: 174 of 175 authorities, 1 not made (see README.txt in the zip)."
    with zipfile.ZipFile(out) as archive:
        assert set(archive.namelist()) == {"README.txt"} | {f"benchmark-2011-{c}.pdf" for c in codes - {"202"}}
        assert archive.read("benchmark-2011-383.pdf") == b"%PDF-1.7 383"
    made = sorted(code for _, code in rendered(queue))
    assert made == sorted(codes - {"202"})  # each authority once, by one of the two workers


def test_a_killed_worker_is_replaced_and_the_job_resumes(seeded_app: Flask, queue: Queue) -> None:
    job_id = exports.start_batch(db.session, admin(), "2011", "en")  # on the real queue: waits for a worker
    assert job_state(job_id) == "queued"
    with consumer(seeded_app, queue, "first", TEST_REPORT_SECONDS="0.15") as first:
        wait_until(lambda: counts(job_id).get("done", 0) >= 20, 120, queue.tmp)
        os.killpg(first.pid, signal.SIGKILL)  # the machine went down: workers and all, mid-task
        first.wait()
    before = counts(job_id)
    assert before.get("pending", 0) > 0 and 20 <= before["done"] < 175, before
    assert job_state(job_id) == "running"
    done_before = dict(db.session.execute(select(ExportItem.organisation_id, ExportItem.finished_at).where(
        ExportItem.job_id == job_id, ExportItem.state == "done")).all())
    codes_done = set(db.session.execute(select(Organisation.code).where(
        Organisation.id.in_(done_before))).scalars())

    with consumer(seeded_app, queue, "second", TEST_REPORT_SECONDS="0.05"):
        wait_until(lambda: job_state(job_id) == "done", 180, queue.tmp)

    assert counts(job_id) == {"done": 175}
    done_after = dict(db.session.execute(select(ExportItem.organisation_id, ExportItem.finished_at).where(
        ExportItem.job_id == job_id, ExportItem.organisation_id.in_(done_before))).all())
    assert done_after == done_before  # made once, before the kill: not made again
    second = {code for label, code in rendered(queue) if label == "second"}
    assert second and not second & codes_done
    # The tasks the killed workers were running were lost from the queue: the new consumer found them.
    assert "export tasks that a stopped worker had lost" in (queue.tmp / "consumer-second.log").read_text()
    path, _ = exports.zip_path(db.session, admin(), job_id, Path(seeded_app.config["EXPORTS_PATH"]))
    with zipfile.ZipFile(path) as archive:
        assert len(archive.namelist()) == 176


def test_the_command_says_when_no_worker_picks_the_job_up(seeded_app: Flask, queue: Queue) -> None:
    result = seeded_app.test_cli_runner().invoke(
        args=["reports", "batch", "--cycle", "2011", "--out", str(queue.tmp / "x.zip"), "--wait", "1"])
    assert result.exit_code == 2
    assert "No worker has picked up export job" in result.output
    assert "huey_consumer csptoolkit.worker.huey -w 2 -k process" in result.output
    assert db.session.execute(select(ExportJob.state)).scalar_one() == "queued"  # it runs once a worker starts
    assert task_queue.pending_count() == 1
