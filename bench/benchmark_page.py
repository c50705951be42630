"""Speed of the authority benchmark page under load, against a bare Flask page served the same way by gunicorn."""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, environment, seeded_app, table

HOST = "127.0.0.1"  # loopback only: nothing here is ever reachable from outside the machine
BENCHMARK_URL = "/benchmarks?cycle=2011&group=statistical-neighbours&basis=best"
PASSWORD = "commissioning-demo"
VIEWER = "viewer@camden.example"
# `--pages all`: every kind of page, each as the demo user who would open it ({assessment} is that user's
# assessment in the open cycle, found from their home page).
PAGES = {
    "sign-in page": (None, "/sign-in"),
    "task list (Leeds editor)": ("editor@leeds.example", "/"),
    "standard form (Leeds editor)": ("editor@leeds.example", "/assessments/{assessment}/standards/L1"),
    "check answers (Leeds editor)": ("editor@leeds.example", "/assessments/{assessment}/check"),
    "benchmark (Camden viewer)": (VIEWER, BENCHMARK_URL),
    "trend (Camden viewer)": (VIEWER, "/benchmarks/trend?group=statistical-neighbours&basis=best"),
    "benchmark (Cardiff editor)": ("editor@cardiff.example", "/benchmarks?cycle=2011&basis=best"),
    "national (admin)": ("admin@csptoolkit.example", "/benchmarks/national?cycle=2011&basis=best"),
    "regions (admin)": ("admin@csptoolkit.example", "/benchmarks/regions?cycle=2011&basis=best"),
}
GUNICORN = Path(sys.executable).with_name("gunicorn")
STARTUP_SECONDS = 60
REQUEST_TIMEOUT = 30


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
        command = [str(GUNICORN), "--workers", str(self.workers), "--bind", f"{HOST}:{self.port}",
                   "--pythonpath", str(ROOT / "bench"), "--access-logfile", "-", "--error-logfile", "-", self.app]
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


def sign_in(port: int, email: str | None) -> tuple[str, str]:
    """Sign in as a demo user the way a browser does; returns the Cookie header for later requests and the id of
    the first assessment their home page links to."""
    if email is None:
        return "", ""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://{HOST}:{port}"
    with opener.open(f"{base}/sign-in", timeout=REQUEST_TIMEOUT) as response:
        page = response.read().decode()
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if match is None:
        raise RuntimeError("no csrf_token on the sign-in page")
    form = urllib.parse.urlencode({"csrf_token": match.group(1), "email": email, "password": PASSWORD})
    with opener.open(f"{base}/sign-in", data=form.encode(), timeout=REQUEST_TIMEOUT) as response:
        if "/sign-in" in response.url:
            raise RuntimeError(f"sign-in as {email} failed")
        home = response.read().decode()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, (re.findall(r'/assessments/(\d+)', home) or [""])[0]


def fetch(port: int, path: str, cookie: str) -> tuple[int, float, int]:
    """One GET on a new connection (gunicorn's sync workers close each one): status, seconds, body bytes."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, time.perf_counter() - start, len(body)


@dataclass
class Load:
    """Latencies and wall time of one page's requests, summed over rounds."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    size: int = 0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def drive(pool: ThreadPoolExecutor, port: int, path: str, cookie: str, count: int, load: Load) -> None:
    """`count` requests, as many at once as the pool has threads; any answer but 200 stops the run."""
    start = time.perf_counter()
    results = list(pool.map(lambda _: fetch(port, path, cookie), range(count)))
    load.wall += time.perf_counter() - start
    failed = [status for status, _, _ in results if status != 200]
    if failed:
        raise RuntimeError(f"GET {path} answered {failed[0]} ({len(failed)} of {count} not 200)")
    load.latencies += [seconds for _, seconds, _ in results]
    load.size = results[-1][2]


def check(port: int, path: str, cookie: str) -> None:
    status, _, _ = fetch(port, path, cookie)
    if status == 404:
        raise RuntimeError(f"GET {path} answered 404: does the route exist yet? (try --url / meanwhile)")
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}, not 200 (a redirect means the sign-in did not hold)")


# ----------------------------------------------------------------------------------------------------------
# Running


def pages(args: argparse.Namespace) -> dict[str, tuple[str | None, str]]:
    if args.pages == "all":
        return PAGES
    return {f"GET {args.url}": (VIEWER, args.url)}


def measure(app_port: int, bare_port: int, args: argparse.Namespace) -> dict[str, Load]:
    targets = {}
    for name, (email, path) in pages(args).items():
        cookie, assessment = sign_in(app_port, email)
        targets[name] = (cookie, path.format(assessment=assessment))
        check(app_port, targets[name][1], cookie)
    check(bare_port, "/", "")
    loads = {"bare": Load(), **{name: Load() for name in targets}}
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        # Warm-up: imports, template compilation, SQLite page cache, in every worker.
        drive(pool, bare_port, "/", "", args.warmup, Load())
        for cookie, path in targets.values():
            drive(pool, app_port, path, cookie, args.warmup, Load())
        # The pages take turns with the bare page in rounds, so load from elsewhere on the machine falls on all.
        per_round = -(-args.requests // args.rounds)
        for _ in range(args.rounds):
            for name, (cookie, path) in targets.items():
                drive(pool, bare_port, "/", "", per_round // len(targets) + 1, loads["bare"])
                drive(pool, app_port, path, cookie, per_round, loads[name])
    return loads


def report(loads: dict[str, Load], args: argparse.Namespace) -> None:
    bare = loads["bare"]
    rows = [["bare Flask page, 5 KB template (baseline)", f"{bare.size / 1024:.1f}", len(bare.latencies),
             f"{bare.per_second:,.1f}", f"{statistics.median(bare.latencies) * 1000:,.1f}",
             f"{bare.percentile(0.95) * 1000:,.1f}", f"{bare.percentile(0.99) * 1000:,.1f}", "1.000"]]
    for name, load in loads.items():
        if name == "bare":
            continue
        rows.append([name, f"{load.size / 1024:.1f}", len(load.latencies), f"{load.per_second:,.1f}",
                     f"{statistics.median(load.latencies) * 1000:,.1f}", f"{load.percentile(0.95) * 1000:,.1f}",
                     f"{load.percentile(0.99) * 1000:,.1f}", f"{load.per_second / bare.per_second:.3f}"])
    print(f"gunicorn, {args.workers} sync workers each; client: {args.concurrency} threads, a new connection per "
          f"request; {args.rounds} alternating rounds after {args.warmup} warm-up requests each.")
    print(table(["page", "KB", "requests", "requests/s", "median ms", "p95 ms", "p99 ms", "x bare"], rows))


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="csp-bench-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        seeded_app(tmp)
        print(f"Seeded a throwaway database in {time.perf_counter() - started:.1f} s.")
        env = environment(tmp)
        servers = [Server("toolkit", "csptoolkit:create_app()", args.workers, env, tmp / "toolkit.log"),
                   Server("bare", "bare_page:app", args.workers, {}, tmp / "bare.log")]
        try:
            for server in servers:
                server.start()
            for server in servers:
                server.wait_until_ready()
            loads = measure(servers[0].port, servers[1].port, args)
        except Exception:
            for server in servers:
                print(f"--- {server.name} server log (last lines) ---\n{server.tail()}", file=sys.stderr)
            raise
        finally:
            for server in servers:
                server.stop()
    report(loads, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=BENCHMARK_URL, help="the toolkit page to load (signed in as the viewer)")
    parser.add_argument("--pages", choices=("one", "all"), default="one",
                        help="all: every kind of page, each as the demo user who opens it (--url is then ignored)")
    parser.add_argument("--requests", type=int, default=300, help="timed requests to each server")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds the requests are split into")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests to each server first")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    args = parser.parse_args(argv)
    try:
        run(args)
    except RuntimeError as error:
        print(f"benchmark_page: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
