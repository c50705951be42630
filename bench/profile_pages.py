"""Where a page's time goes: SQL statements and in-process time of each page, and a profile of one, without gunicorn."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmark_page import PAGES, PASSWORD, TOKEN
from common import csrf_token, make_tokens, review_places, seeded_app, table
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event


def signed_in(app: Flask, email: str) -> tuple[FlaskClient, str]:
    """A test client signed in through the real form, and the first assessment its home page links to."""
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    response = client.post("/sign-in", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD},
                           follow_redirects=True)
    if response.request.path == "/sign-in":
        raise RuntimeError(f"sign-in as {email} failed")
    return client, (re.findall(r'/assessments/(\d+)', response.get_data(as_text=True)) or [""])[0]


def clients(app: Flask, tokens: dict[str, str], places: dict[str, str]
            ) -> dict[str, tuple[FlaskClient, str, dict[str, str]]]:
    """Each page's client, path and headers, signing each user in once."""
    users: dict[str, tuple[FlaskClient, str]] = {}
    found = {}
    for name, (who, path) in PAGES.items():
        headers: dict[str, str] = {}
        if who is None:
            client, assessment = app.test_client(), ""
        elif who.startswith(TOKEN):
            client, assessment = app.test_client(), ""
            headers = {"Authorization": f"Bearer {tokens[who[len(TOKEN):]]}"}
        else:
            users.setdefault(who, signed_in(app, who))
            client, assessment = users[who]
        found[name] = (client, path.format(assessment=assessment, **places), headers)
    return found


def measure(app: Flask, client: FlaskClient, path: str, headers: dict[str, str], repeats: int
            ) -> tuple[float, int, int, str]:
    """Median seconds of `repeats` GETs after one untimed; statements the last sent; body KB; the most repeated."""
    from csptoolkit.extensions.database import db

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    times = []
    size = 0
    for index in range(repeats + 1):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = time.perf_counter() - start  # the listener's own cost is a list append per statement
        event.remove(engine, "before_cursor_execute", record)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200")
        size = len(response.data)
        if index:
            times.append(elapsed)
    top, repeated = (Counter(" ".join(s.split())[:70] for s in statements).most_common(1) or [("", 0)])[0]
    return statistics.median(times), len(statements), size, f"{repeated} x {top}" if repeated > 1 else ""


def profile(client: FlaskClient, path: str, headers: dict[str, str], repeats: int, lines: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        client.get(path, headers=headers)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="csp-profile-") as name:
        app = seeded_app(Path(name))
        app.config["RATELIMIT_ENABLED"] = False  # in-process: the page's own work, not the throttle's
        tokens = make_tokens(app, {w[len(TOKEN):] for w, _ in PAGES.values() if w and w.startswith(TOKEN)})
        found = clients(app, tokens, review_places(app))
        if args.profile:
            matches = [n for n in found if args.profile.lower() in n.lower()]
            if not matches:
                raise RuntimeError(f"no page named like {args.profile!r}: {', '.join(found)}")
            client, path, headers = found[matches[0]]
            client.get(path, headers=headers)
            print(f"{matches[0]}: GET {path}, {args.repeats} requests\n")
            print(profile(client, path, headers, args.repeats, args.lines))
            return
        rows = []
        for page, (client, path, headers) in found.items():
            seconds, count, size, repeated = measure(app, client, path, headers, args.repeats)
            rows.append([page, f"{size / 1024:.1f}", f"{seconds * 1000:.1f}", count, repeated])
        print(f"In process (Flask test client, no server), median of {args.repeats} requests after one untimed:")
        print(table(["page", "KB", "ms", "queries", "most repeated statement"], rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=10, help="timed requests to each page")
    parser.add_argument("--profile", help="profile the page whose name contains this (e.g. 'national')")
    parser.add_argument("--lines", type=int, default=40, help="lines of the profile to print")
    args = parser.parse_args(argv)
    try:
        run(args)
    except RuntimeError as error:
        print(f"profile_pages: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
