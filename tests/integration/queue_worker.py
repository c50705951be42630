"""The toolkit's worker (csptoolkit.worker) for the queue tests: `huey_consumer tests.integration.queue_worker.huey`.

The reports are made by a quick stand-in unless TEST_REAL_REPORTS=1, so that a job of every authority runs in
seconds and a worker can be killed in the middle of it: each authority's "PDF" is its code, made after
TEST_REPORT_SECONDS, failing for the codes in TEST_FAILING, and logged (run label, code) to TEST_REPORT_LOG.
"""

from __future__ import annotations

import os
import time

from csptoolkit import worker
from csptoolkit.services import export_work

huey = worker.huey


def quick_reports(session, user, authority):
    time.sleep(float(os.environ.get("TEST_REPORT_SECONDS", "0.1")))
    if authority.code in os.environ.get("TEST_FAILING", "").split(","):
        raise LookupError(f"{authority.name} has no scores to report.")
    log = os.environ.get("TEST_REPORT_LOG")
    if log:
        with open(log, "a") as handle:
            handle.write(f"{os.environ.get('TEST_RUN_LABEL', '')} {authority.code}\n")
    return [(export_work.file_stem("benchmark", authority), f"%PDF-1.7 {authority.code}".encode())]


if os.environ.get("TEST_REAL_REPORTS") != "1":
    export_work.reports_of = quick_reports
