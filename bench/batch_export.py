"""The batch export's speed and memory: N benchmark PDFs (default 153, every English authority) made by the task
queue's worker (huey_consumer, 2 processes) against the same reports made one after another in one process.

DESIGN §11: 1.7x or better on 2 cores; worker memory flat across the batch (no growth from one report to the next
beyond noise). Prints both times, the ratio, and each worker process's resident memory after its first reports and
at the end, with the growth per report over the rest of the batch.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, environment, seeded_app, table
from sqlalchemy import select

from csptoolkit import tasks
from csptoolkit.extensions import task_queue
from csptoolkit.extensions.database import db
from csptoolkit.models import Cycle, ExportItem, ExportJob, Organisation, User
from csptoolkit.models.organisation import ENGLAND
from csptoolkit.services import export_work
from csptoolkit.services.transaction import unit_of_work

TARGET = 1.7
WARM = 20  # reports per worker process after which its memory should stay flat (fonts and caches warmed up)


def new_job(count: int) -> int:
    """A job of the first `count` English authorities (by name) in 2011, queued."""
    admin = db.session.execute(select(User).filter_by(email="admin@csptoolkit.example")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    ids = db.session.execute(select(Organisation.id).filter_by(nation=ENGLAND).order_by(Organisation.name)
                             .limit(count)).scalars().all()
    with unit_of_work(db.session):
        job = ExportJob(cycle_id=cycle.id, kind="benchmarks", locale="en", requested_by_id=admin.id,
                        state="queued", total=len(ids))
        job.items = [ExportItem(organisation_id=i) for i in ids]
        db.session.add(job)
    return job.id


def state(job_id: int) -> tuple[str, int]:
    db.session.rollback()
    job = db.session.get(ExportJob, job_id)
    made = db.session.execute(select(ExportItem.id).where(ExportItem.job_id == job_id,
                                                          ExportItem.state != "pending")).all()
    return job.state, len(made)


def in_one_process(app, count: int) -> float:
    exports = Path(app.config["EXPORTS_PATH"])
    job_id = new_job(count)
    started = time.perf_counter()
    for item_id in export_work.begin(db.session, job_id):
        export_work.make_item(db.session, item_id, exports)
    export_work.finish(db.session, job_id, exports)
    elapsed = time.perf_counter() - started
    assert state(job_id) == ("done", count), state(job_id)
    return elapsed


def on_the_worker(app, tmp: Path, count: int, workers: int) -> tuple[float, Path]:
    memory = tmp / "memory.log"
    env = {**os.environ, **environment(tmp), "BENCH_MEMORY_LOG": str(memory),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)])}
    log = open(tmp / "consumer.log", "wb")  # noqa: SIM115 (closed below)
    consumer = subprocess.Popen([str(Path(sys.executable).parent / "huey_consumer"), "batch_worker.huey", "-w",
                                 str(workers), "-k", "process"], cwd=ROOT / "bench", env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        time.sleep(3)  # the consumer and its workers are up before the clock starts
        job_id = new_job(count)
        started = time.perf_counter()
        tasks.start_export(job_id)
        while state(job_id)[0] not in ("done", "failed"):
            if consumer.poll() is not None:
                raise RuntimeError((tmp / "consumer.log").read_text()[-3000:])
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        assert state(job_id) == ("done", count), state(job_id)
    finally:
        consumer.terminate()
        consumer.wait(timeout=120)
        log.close()
    return elapsed, memory


def series(path: Path) -> dict[str, list[int]]:
    """Each worker process's resident memory (KB) after each of its reports, in order."""
    by_process: dict[str, list[int]] = {}
    for line in path.read_text().splitlines():
        pid, kb = line.split()
        by_process.setdefault(pid, []).append(int(kb))
    return by_process


def memory_rows(path: Path) -> list[list[str]]:
    by_process = series(path)
    rows = []
    for n, values in enumerate(by_process.values(), 1):
        rest = values[min(WARM, len(values)) - 1:]
        # The least-squares slope, not last minus first: one report's resident memory moves a few MB either way.
        growth = statistics.linear_regression(range(len(rest)), rest).slope if len(rest) > 1 else 0.0
        rows.append([f"worker process {n}", str(len(values)), f"{values[0] / 1024:.1f}",
                     f"{values[min(WARM, len(values)) - 1] / 1024:.1f}", f"{values[-1] / 1024:.1f}",
                     f"{max(values) / 1024:.1f}", f"{growth:+.1f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=153, help="how many authorities' reports (default 153)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        app = seeded_app(tmp)
        with app.app_context():
            task_queue.init_app(app)  # the bench's own SQLite queue, which its consumer reads
            serial = in_one_process(app, options.count)
            parallel, memory = on_the_worker(app, tmp, options.count, options.workers)
            ratio = serial / parallel
            print(f"{options.count} benchmark PDFs (first by name of the English authorities, 2011, English)")
            print(table(["made", "seconds", "per report (s)", "x one process"], [
                ["one after another in one process (baseline)", f"{serial:.1f}", f"{serial / options.count:.2f}",
                 "1.00"],
                [f"on the worker, {options.workers} processes", f"{parallel:.1f}",
                 f"{parallel / options.count:.2f}", f"{ratio:.2f}"]]))
            print(f"target {TARGET}x or better: {'met' if ratio >= TARGET else 'NOT met'}")
            print()
            print(table(["worker memory (MB, resident)", "reports", "after 1st", f"after {WARM}th", "at the end",
                         "peak", f"KB per report after the {WARM}th (slope)"], memory_rows(memory)))
            for n, values in enumerate(series(memory).values(), 1):  # the shape: a plateau, or a climb
                print(f"worker process {n}, MB after each report: " + " ".join(str(v // 1024) for v in values))


if __name__ == "__main__":
    main()
