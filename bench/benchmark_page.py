"""Speed of the toolkit's pages under load, 16 connections at once, against a bare Flask page served alike."""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import itertools
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, csrf_token, environment, make_tokens, review_places, seeded_app, table

HOST = "127.0.0.1"  # loopback only: nothing here is ever reachable from outside the machine
BENCHMARK_URL = "/benchmarks?cycle=2011&group=statistical-neighbours&basis=best"
PASSWORD = "commissioning-demo"
VIEWER = "viewer@camden.example"
EDITOR = "editor@leeds.example"
WELSH_EDITOR = "editor@cardiff.example"
ADMIN = "admin@csptoolkit.example"
CHAMPION = "champion@csptoolkit.example"
TOKEN = "token:"  # a page asked for with this user's API token rather than a signed-in browser
# `--pages all`: every kind of page, each as the demo user who would open it ({assessment} is that user's
# assessment in the open cycle, found from their home page).
PAGES = {
    "sign-in page": (None, "/sign-in"),
    "task list (Leeds editor)": (EDITOR, "/"),
    "standard form (Leeds editor)": (EDITOR, "/assessments/{assessment}/standards/L1"),
    "check answers (Leeds editor)": (EDITOR, "/assessments/{assessment}/check"),
    "history (Leeds editor)": (EDITOR, "/assessments/{assessment}/history"),
    "read-only standard (Cardiff editor)": (WELSH_EDITOR, "/assessments/{assessment}/standards/L1"),
    "benchmark, neighbours (Camden viewer)": (VIEWER, BENCHMARK_URL),
    "benchmark, region (Camden viewer)": (VIEWER, "/benchmarks?cycle=2011&group=region&basis=best"),
    "benchmark, nation (Camden viewer)": (VIEWER, "/benchmarks?cycle=2011&group=nation&basis=best"),
    "benchmark, nation (Cardiff editor)": (WELSH_EDITOR, "/benchmarks?cycle=2011&group=nation&basis=best"),
    "trend (Camden viewer)": (VIEWER, "/benchmarks/trend?group=statistical-neighbours&basis=best"),
    "saved groups (Camden viewer)": (VIEWER, "/benchmarks/groups"),
    "national (admin)": (ADMIN, "/benchmarks/national?cycle=2011&basis=best"),
    "regions (admin)": (ADMIN, "/benchmarks/regions?cycle=2011&basis=best"),
    "assessments list (admin)": (ADMIN, "/admin/assessments?cycle=2011"),
    "peer reviews list (admin)": (ADMIN, "/admin/reviews?cycle=2011"),
    "champion home (champion)": (CHAMPION, "/"),
    "review overview (champion)": (CHAMPION, "/reviews/{review}"),
    "review a standard (champion)": (CHAMPION, "/reviews/{review}/standards/M2"),
    "authority's review page (admin)": (ADMIN, "/assessments/{review}/review"),
    "moderated overview, gaps (admin)": (ADMIN, "/assessments/{moderated}"),
    "review assignment page (admin)": (ADMIN, "/admin/reviews/{moderated}"),
    "calibration (admin)": (ADMIN, "/admin/calibration"),
    "batch exports (admin)": (ADMIN, "/admin/exports"),
    "learning matches (Cardiff editor)": (WELSH_EDITOR, "/assessments/{assessment}/plan/learning"),
    "sharing opt-ins (Leeds editor)": (EDITOR, "/sharing"),
    "benchmark, peer-validated only (Camden viewer)": (VIEWER, BENCHMARK_URL + "&confidence=peer-validated"),
    "what-if, a few targets (Leeds editor)": (EDITOR, "/assessments/{assessment}/plan/what-if?L1.1=3&L1.2=4&N2.1=3"
                                                      "&E1.1=3&L2.1=4"),
    "what-if JSON, a few targets (Leeds editor)": (EDITOR, "/assessments/{assessment}/plan/what-if.json?html=1"
                                                           "&L1.1=3&L1.2=4&N2.1=3&E1.1=3&L2.1=4"),
    "improvement plan (Leeds editor)": (EDITOR, "/assessments/{assessment}/plan"),
    "improvement plan (Cardiff editor)": (WELSH_EDITOR, "/assessments/{assessment}/plan"),
    "improvement plan XLSX (Leeds editor)": (EDITOR, "/assessments/{assessment}/plan.xlsx"),
    "API review (admin's token)": (TOKEN + ADMIN, "/api/v1/cycles/2011/assessments/{review_code}/review"),
    "API benchmark (Camden viewer's token)": (
        TOKEN + VIEWER, "/api/v1/cycles/2011/benchmarks?org=202&group=statistical-neighbours&basis=best"),
}
# The bench sends hundreds of API requests a second from one address: far over the per-address API limit, which
# would answer 429. The limiter still counts every request (its cost is measured); it just never refuses one.
INSTANCE_CONFIG = 'API_LIMIT_PER_ADDRESS = "1000000 per minute"\n'
GUNICORN = Path(sys.executable).with_name("gunicorn")
STARTUP_SECONDS = 60
REQUEST_TIMEOUT = 30
BUDGET_RATIO, BUDGET_P99 = 0.10, 0.100  # DESIGN §11: 0.10x the bare page's requests per second, p99 under 100 ms


# ----------------------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """One gunicorn master with its workers, in its own process group; the log goes to a file for failures."""

    name: str
    app: str
    workers: int
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        # No access log: writing a line per request would cost the server time the bare page does not spend.
        command = [str(GUNICORN), "--workers", str(self.workers), "--bind", f"{HOST}:{self.port}",
                   "--pythonpath", str(ROOT / "bench"), "--error-logfile", "-", self.app]
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **self.env}, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited:\n{self.tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} server did not start in {STARTUP_SECONDS} s:\n{self.tail()}")

    def stop(self) -> None:
        """SIGTERM to this master only (it stops its own workers), then SIGKILL if it has not gone in 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


# ----------------------------------------------------------------------------------------------------------
# Client


def sign_in(port: int, email: str) -> tuple[dict[str, str], str]:
    """Sign in as a demo user the way a browser does; returns the headers for later requests and the id of the
    first assessment their home page links to."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://{HOST}:{port}"
    with opener.open(f"{base}/sign-in", timeout=REQUEST_TIMEOUT) as response:
        page = response.read().decode()
    form = urllib.parse.urlencode({"csrf_token": csrf_token(page), "email": email, "password": PASSWORD})
    with opener.open(f"{base}/sign-in", data=form.encode(), timeout=REQUEST_TIMEOUT) as response:
        if "/sign-in" in response.url:
            raise RuntimeError(f"sign-in as {email} failed")
        home = response.read().decode()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return {"Cookie": cookie}, (re.findall(r'/assessments/(\d+)', home) or [""])[0]


class Client:
    """One connection, reused for as long as the server keeps it open.

    gunicorn's sync workers answer `Connection: close` and close every connection after one response, so against
    them each request opens a new connection (as wrk does then too); a server that keeps connections alive would
    have them reused. The connection's setup is part of the request's time.
    """

    def __init__(self, port: int):
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, float, int]:
        """Status (0 for a failure without one), seconds, body bytes."""
        start = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            self.connection.request("GET", path, headers=headers)
            response = self.connection.getresponse()
            body = response.read()
            if response.will_close:
                self.close()
            return response.status, time.perf_counter() - start, len(body)
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, time.perf_counter() - start, 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Load:
    """Latencies of one page's answered requests and the wall time of its bursts, summed over rounds."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    size: int = 0
    errors: dict[int, int] = field(default_factory=dict)  # status (0: no answer) -> how many

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def percentile(self, p: float) -> float:
        """Nearest rank: the p99 of 300 requests is the 297th fastest (the fourth slowest)."""
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, math.ceil(len(ordered) * p) - 1))] if ordered else 0.0

    def add(self, status: int, seconds: float, size: int) -> None:
        if status == 200:
            self.latencies.append(seconds)
            self.size = size
        else:
            self.errors[status] = self.errors.get(status, 0) + 1


def burst(port: int, path: str, headers: dict[str, str], count: int, connections: int, load: Load) -> None:
    """`count` requests over `connections` connections at once, a client thread for each, each taking the next
    request as soon as its last is answered (so all are busy until the last few)."""
    tickets = itertools.count()
    results: list[tuple[int, float, int]] = []
    lock = threading.Lock()

    def work() -> None:
        client, mine = Client(port), []
        while next(tickets) < count:  # itertools.count is atomic under the GIL
            mine.append(client.get(path, headers))
        client.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(min(connections, count))]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.wall += time.perf_counter() - start
    for result in results:
        load.add(*result)


# ----------------------------------------------------------------------------------------------------------
# Running


@dataclass
class Target:
    path: str
    headers: dict[str, str]
    problem: str = ""  # why the page was not measured


def pages(args: argparse.Namespace) -> dict[str, tuple[str | None, str]]:
    if args.pages == "all":
        return PAGES
    return {f"GET {args.url}": (VIEWER, args.url)}


def targets(app_port: int, tokens: dict[str, str], args: argparse.Namespace, places: dict[str, str]
            ) -> dict[str, Target]:
    """Each page's path and headers, signed in once per user; a page that does not answer 200 is not loaded."""
    signed_in: dict[str, tuple[dict[str, str], str]] = {}
    found = {}
    for name, (who, path) in pages(args).items():
        headers, assessment = {}, ""
        if who is not None and who.startswith(TOKEN):
            headers = {"Authorization": f"Bearer {tokens[who[len(TOKEN):]]}"}
        elif who is not None:
            if who not in signed_in:
                signed_in[who] = sign_in(app_port, who)
            headers, assessment = signed_in[who]
        target = Target(path.format(assessment=assessment, **places), headers)
        status, _, _ = Client(app_port).get(target.path, headers)
        if status == 404:
            target.problem = f"GET {target.path} answered 404: does the route exist yet? (try --url / meanwhile)"
        elif status != 200:
            target.problem = f"GET {target.path} answered {status or 'nothing'}, not 200 (a redirect means the " \
                             f"sign-in did not hold)"
        found[name] = target
    return found


def measure(app_port: int, bare_port: int, tokens: dict[str, str], args: argparse.Namespace, places: dict[str, str]
            ) -> tuple[dict[str, Load], dict[str, Target]]:
    found = targets(app_port, tokens, args, places)
    live = {name: t for name, t in found.items() if not t.problem}
    loads = {"bare": Load(), **{name: Load() for name in found}}
    for name, target in found.items():
        if target.problem:
            loads[name].errors[-1] = 1  # not loaded at all
    # Warm-up: imports, template compilation, SQLite page cache, in every worker.
    burst(bare_port, "/", {}, args.warmup, args.connections, Load())
    for target in live.values():
        burst(app_port, target.path, target.headers, args.warmup, args.connections, Load())
    # Each page's burst follows one of the bare page's of the same size, round after round, so that load from
    # elsewhere on the machine, and the ramp-up and drain of a burst, fall on both alike.
    per_round = -(-args.requests // args.rounds)
    for _ in range(args.rounds):
        for name, target in live.items():
            burst(bare_port, "/", {}, per_round, args.connections, loads["bare"])
            burst(app_port, target.path, target.headers, per_round, args.connections, loads[name])
    return loads, found


def verdict(load: Load, bare: Load) -> str:
    """Against DESIGN §11: at least 0.10x the bare page's requests per second, and p99 under 100 ms."""
    if not load.latencies:
        return "-"
    misses = []
    if load.per_second < BUDGET_RATIO * bare.per_second:
        misses.append(f"<{BUDGET_RATIO:.2f}x")
    if load.percentile(0.99) >= BUDGET_P99:
        misses.append(f"p99>={BUDGET_P99 * 1000:.0f}ms")
    return ", ".join(misses) or "ok"


def row(name: str, load: Load, bare: Load, budget: str) -> list[object]:
    if not load.latencies:
        return [name, "-", 0, "-", "-", "-", "-", load.error_count, budget]
    return [name, f"{load.size / 1024:.1f}", len(load.latencies), f"{load.per_second:,.1f}",
            f"{statistics.median(load.latencies) * 1000:,.1f}", f"{load.percentile(0.99) * 1000:,.1f}",
            f"{load.per_second / bare.per_second:.3f}", load.error_count, budget]


def report(loads: dict[str, Load], found: dict[str, Target], args: argparse.Namespace) -> int:
    """Print the table; the number of pages with errors (each non-200 answer, or a page that could not be loaded)."""
    bare = loads["bare"]
    rows = [row("bare Flask page, 5 KB template (baseline)", bare, bare, "")]
    rows += [row(name, load, bare, verdict(load, bare)) for name, load in loads.items() if name != "bare"]
    print(f"gunicorn, {args.workers} sync workers each; {args.connections} connections at once, a client thread "
          f"each (sync workers close every connection: a new one per request); {args.rounds} rounds, each page's "
          f"burst after a bare page's of the same size; {args.warmup} warm-up requests each first.")
    print(table(["page", "KB", "requests", "req/s", "p50 ms", "p99 ms", "ratio", "errors", "DESIGN §11"], rows))
    failed = 0
    for name, load in loads.items():
        if load.errors:
            failed += 1
            problem = found[name].problem if name in found else ""
            statuses = ", ".join(f"{n} x {status or 'no answer'}" for status, n in load.errors.items() if status >= 0)
            print(f"errors on {name}: {problem or statuses}", file=sys.stderr)
    return failed


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="csp-bench-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        app = seeded_app(tmp)
        tokens = make_tokens(app, {who[len(TOKEN):] for who, _ in pages(args).values()
                                   if who is not None and who.startswith(TOKEN)})
        places = review_places(app)
        print(f"Seeded a throwaway database in {time.perf_counter() - started:.1f} s.")
        env = environment(tmp)
        instance = Path(env["CSPTOOLKIT_INSTANCE_PATH"])
        instance.mkdir(parents=True, exist_ok=True)
        (instance / "config.py").write_text(INSTANCE_CONFIG)
        servers = [Server("toolkit", "csptoolkit:create_app()", args.workers, env, tmp / "toolkit.log"),
                   Server("bare", "bare_page:app", args.workers, {}, tmp / "bare.log")]
        try:
            for server in servers:
                server.start()
            for server in servers:
                server.wait_until_ready()
            loads, found = measure(servers[0].port, servers[1].port, tokens, args, places)
            failed = report(loads, found, args)
            if failed:
                print(f"--- toolkit server log (last lines) ---\n{servers[0].tail()}", file=sys.stderr)
        except Exception:
            for server in servers:
                print(f"--- {server.name} server log (last lines) ---\n{server.tail()}", file=sys.stderr)
            raise
        finally:
            for server in servers:
                server.stop()
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=BENCHMARK_URL, help="the toolkit page to load (signed in as the viewer)")
    parser.add_argument("--pages", choices=("one", "all"), default="one",
                        help="all: every kind of page, each as the demo user who opens it (--url is then ignored)")
    parser.add_argument("--requests", type=int, default=240, help="timed requests to each page")
    parser.add_argument("--rounds", type=int, default=3, help="rounds the requests are split into")
    parser.add_argument("--warmup", type=int, default=32, help="untimed requests to each page first")
    parser.add_argument("--connections", "--concurrency", type=int, default=16,
                        help="connections at once, a client thread each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    args = parser.parse_args(argv)
    try:
        failed = run(args)
    except RuntimeError as error:
        print(f"benchmark_page: {error}", file=sys.stderr)
        return 1
    if failed:
        print(f"benchmark_page: {failed} page(s) had errors", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
