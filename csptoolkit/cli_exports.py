"""`flask --app csptoolkit reports batch`: the batch export from the command line, queued for the workers."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click
from flask import current_app

from .extensions.database import db

WORKER_COMMAND = "huey_consumer csptoolkit.worker.huey -w 2 -k process"


def _progress(job_id: int):
    from .cli import _programme_admin
    from .services import exports

    db.session.rollback()  # a fresh read each time: the workers commit from other processes
    return exports.job_progress(db.session, _programme_admin(), job_id)


def _run_here(job_id: int) -> None:
    """Do the job in this process, one authority after another (no worker needed)."""
    from .services import export_work

    exports_path = Path(current_app.config["EXPORTS_PATH"])
    items = export_work.begin(db.session, job_id)
    for item_id in items:
        export_work.make_item(db.session, item_id, exports_path)
        progress = _progress(job_id)
        click.echo(f"{progress.finished} of {progress.total}")
    for item_id in export_work.finish(db.session, job_id, exports_path):  # only if a file went missing meanwhile
        export_work.make_item(db.session, item_id, exports_path)
    export_work.finish(db.session, job_id, exports_path)


@click.command("batch")
@click.option("--cycle", "cycle_slug", required=True, help="The cycle, e.g. 2011.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the zip.")
@click.option("--lang", "locale", type=click.Choice(["en", "cy"]), default="en", show_default=True,
              help="The language of the reports.")
@click.option("--wait", "wait", type=int, default=60, show_default=True,
              help="Seconds to wait for a worker to pick the job up before giving up (the job stays queued).")
@click.option("--here", is_flag=True, help="Make the reports in this process instead of on the workers "
                                           "(one after another: slower, but needs no worker).")
def batch_command(cycle_slug: str, out: str, locale: str, wait: int, here: bool) -> None:
    """Export every authority's benchmark report (and plan) in a cycle as one zip, printing progress.

    The job is queued for the task queue's workers and this command waits for it. Exit 1 if the job failed;
    authorities that could not be made are listed on stderr (and in the zip's README.txt). Exit 2 if no worker
    picked the job up within --wait seconds: start one, and the job runs then (its zip is also on the
    Batch exports page).
    """
    from .cli import _programme_admin, refusals
    from .services import exports

    with refusals(exports.UnknownCycle, exports.NotAllowed):
        job_id = exports.start_batch(db.session, _programme_admin(), cycle_slug, locale, queue=not here)
    click.echo(f"Export job {job_id} " + ("started." if here else "queued."))
    if here:
        _run_here(job_id)
    progress = _wait_for(job_id, wait)
    for failure in progress.failures:
        click.echo(f"Not made: {failure.name} ({failure.code}): {failure.reason}", err=True)
    if progress.state == exports.FAILED:
        click.echo(f"The export failed: {progress.error}", err=True)
        sys.exit(1)
    path, _ = exports.zip_path(db.session, _programme_admin(), job_id, Path(current_app.config["EXPORTS_PATH"]))
    shutil.copyfile(path, out)
    click.echo(f"Wrote {out}: {progress.done} of {progress.total} authorities"
               + (f", {progress.failed} not made (see README.txt in the zip)." if progress.failed else "."))


def _wait_for(job_id: int, wait: int):
    from .services import exports

    started = time.monotonic()
    shown = None
    while True:
        progress = _progress(job_id)
        if progress is None:
            click.echo("The job was deleted.", err=True)
            sys.exit(1)
        if progress.state in (exports.DONE, exports.FAILED):
            if shown != progress.finished:
                click.echo(f"{progress.finished} of {progress.total}")
            return progress
        if progress.state == exports.QUEUED and time.monotonic() - started > wait:
            click.echo(f"No worker has picked up export job {job_id} in {wait} seconds. Start one with "
                       f"`{WORKER_COMMAND}` (make run starts one beside the web server), with the same "
                       "CSPTOOLKIT_TASK_QUEUE_URL; the job stays queued and runs then. Or run this command "
                       "again with --here.", err=True)
            sys.exit(2)
        if progress.state == exports.RUNNING and shown != progress.finished:
            click.echo(f"{progress.finished} of {progress.total}")
            shown = progress.finished
        time.sleep(1)
