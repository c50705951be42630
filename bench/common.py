"""Shared by the bench scripts: a throwaway migrated, seeded SQLite database, API tokens, a median timer."""

from __future__ import annotations

import gc
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the toolkit importable even where it is not installed into the Python running this
    sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-secret-not-for-production"


def settings(tmp: Path) -> dict[str, str]:
    """Everything the app writes goes under tmp, so a run never touches instance/ or another run's files."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "SECRET_KEY": SECRET_KEY,
        "EVIDENCE_PATH": str(tmp / "evidence"),
        "EXPORTS_PATH": str(tmp / "exports"),
        "MAIL_PATH": str(tmp / "mail"),
        "TASK_QUEUE_URL": f"sqlite:///{tmp / 'tasks.sqlite3'}",
        "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp / 'ratelimits.sqlite3'}",
    }


def environment(tmp: Path) -> dict[str, str]:
    """The same settings as CSPTOOLKIT_* variables, for a server process that builds its own app."""
    config = settings(tmp)
    return {
        "CSPTOOLKIT_INSTANCE_PATH": str(tmp / "instance"),  # so instance/config.py of the checkout is not read
        "CSPTOOLKIT_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "CSPTOOLKIT_SECRET_KEY": config["SECRET_KEY"],
        "CSPTOOLKIT_EVIDENCE_PATH": config["EVIDENCE_PATH"],
        "CSPTOOLKIT_EXPORTS_PATH": config["EXPORTS_PATH"],
        "CSPTOOLKIT_MAIL_PATH": config["MAIL_PATH"],
        "CSPTOOLKIT_TASK_QUEUE_URL": config["TASK_QUEUE_URL"],
        "CSPTOOLKIT_RATELIMIT_STORAGE_URI": config["RATELIMIT_STORAGE_URI"],
    }


def seeded_app(tmp: Path) -> Flask:
    """An app on a new database in tmp, built by the migrations and holding the demo data (as `make seed`)."""
    from flask_migrate import upgrade

    from csptoolkit import create_app
    from csptoolkit.extensions.database import db
    from csptoolkit.services import demo

    app = create_app(settings(tmp))
    with app.app_context():
        upgrade()
        demo.seed(db.session, ROOT / "standards", ROOT / "csptoolkit" / "data")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # no connection left open while other processes use the file
    return app


def make_tokens(app: Flask, emails: set[str]) -> dict[str, str]:
    """An API token for each of these demo users, committed before the servers start; plaintext by email."""
    from csptoolkit.extensions.database import db
    from csptoolkit.services import tokens
    from csptoolkit.services.accounts import find_user

    made = {}
    with app.app_context():
        for email in sorted(emails):
            _, made[email] = tokens.create_token(db.session, find_user(db.session, email), "bench")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # no connection left open while the servers use the file
    return made


def review_places(app: Flask) -> dict[str, str]:
    """Where the review pages are measured: the first 2011 assessment in review with the demo champion (`review`,
    and its authority's code `review_code`) and the first moderated one (`moderated`)."""
    from sqlalchemy import select

    from csptoolkit.extensions.database import db
    from csptoolkit.models import Assessment, Cycle, Organisation, ReviewAssignment, User

    with app.app_context():
        champion = db.session.execute(select(User.id).filter_by(email="champion@csptoolkit.example")).scalar_one()

        def first(state: str) -> tuple[int, str]:
            return db.session.execute(
                select(Assessment.id, Organisation.code).join(Cycle, Cycle.id == Assessment.cycle_id)
                .join(Organisation, Organisation.id == Assessment.organisation_id)
                .join(ReviewAssignment, ReviewAssignment.assessment_id == Assessment.id)
                .where(Cycle.slug == "2011", Assessment.state == state, ReviewAssignment.champion_id == champion)
                .order_by(Assessment.id)).first()

        (review, code), (moderated, _) = first("in_review"), first("moderated")
        db.session.remove()
        db.engine.dispose()
    return {"review": str(review), "review_code": code, "moderated": str(moderated)}


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page, as a browser would send it back."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    if match is None:
        raise RuntimeError("no csrf_token on the page")
    return match.group(1)


def timed_rounds(runs: dict[str, Callable[[], object]], repeats: int, warmup: int = 1,
                 before: Callable[[], object] | None = None) -> dict[str, list[float]]:
    """Wall time of each of `runs` in each of `repeats` rounds after `warmup` untimed ones.

    The runs take turns within each round, so a burst of load from elsewhere on the machine falls on the
    baseline and the code under test alike and the ratios between them hold. `before` runs untimed before each
    call. The garbage collector stays on: the code under test allocates as much in production as here.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    for index in range(warmup + repeats):
        for name, run in runs.items():
            if before is not None:
                before()
            gc.collect()  # so one call does not pay for the previous call's garbage
            start = time.perf_counter()
            run()
            elapsed = time.perf_counter() - start
            if index >= warmup:
                times[name].append(elapsed)
    return times


def median_seconds(runs: dict[str, Callable[[], object]], repeats: int, warmup: int = 1,
                   before: Callable[[], object] | None = None) -> dict[str, float]:
    """The median of each run's times from timed_rounds."""
    times = timed_rounds(runs, repeats, warmup, before)
    return {name: statistics.median(values) for name, values in times.items()}


def table(header: list[str], rows: list[list[object]]) -> str:
    """A plain text table, right-aligned numbers, for a terminal or a README code block."""
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for number, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths,
                                                                                                   strict=True))))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
