"""Task queue workers for the tests: `huey_consumer tests.integration.queue_worker.huey` against a test's database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
CONSUMER = Path(sys.executable).parent / "huey_consumer"


@dataclass
class Queue:
    url: str
    name: str
    tmp: Path


@contextmanager
def consumer(app: Flask, queue: Queue, label: str, **env: str) -> Iterator[subprocess.Popen]:
    """`huey_consumer -w 2 -k process` in a session of its own (so that kill -9 takes the workers with it)."""
    environment_ = {**environment(app, queue), "TEST_RUN_LABEL": label,
                    "TEST_REPORT_LOG": str(queue.tmp / "reports.log"), **env}
    log = open(queue.tmp / f"consumer-{label}.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen([str(CONSUMER), "tests.integration.queue_worker.huey", "-w", "2", "-k", "process"],
                               cwd=ROOT, env=environment_, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # a graceful stop: running tasks finish
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()




def environment(app: Flask, queue: Queue) -> dict[str, str]:
    """What a web server or worker process of the test's application is started with."""
    env = {**os.environ, "CSPTOOLKIT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "CSPTOOLKIT_SECRET_KEY": "queue-test-secret", "CSPTOOLKIT_INSTANCE_PATH": str(queue.tmp / "instance"),
           "CSPTOOLKIT_EXPORTS_PATH": app.config["EXPORTS_PATH"], "CSPTOOLKIT_TASK_QUEUE_URL": queue.url,
           "CSPTOOLKIT_MAIL_PATH": str(queue.tmp / "mail"), "CSPTOOLKIT_EVIDENCE_PATH": str(queue.tmp / "evidence"),
           "PYTHONPATH": str(ROOT)}
    env.pop("CSPTOOLKIT_TEST_DATABASE_URL", None)
    return env


@contextmanager
def web_server(app: Flask, queue: Queue, port: int, label: str) -> Iterator[str]:
    """gunicorn (2 workers) on a given port, so that it can be stopped and started again at the same address."""
    import requests

    log = open(queue.tmp / f"web-{label}.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind",
                                f"127.0.0.1:{port}", "csptoolkit:create_app()"], cwd=ROOT,
                               env=environment(app, queue), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/sign-in", timeout=5)
                break
            except requests.RequestException:
                if process.poll() is not None:
                    raise RuntimeError((queue.tmp / f"web-{label}.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
