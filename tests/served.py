"""The toolkit served by gunicorn in worker processes, for tests of real concurrency against the test's database."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from csptoolkit.services.demo import DEMO_PASSWORD

GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(database_uri: str, tmp: Path, workers: int = 4, extra_env: dict[str, str] | None = None
           ) -> Iterator[str]:
    """Serve the app on a free port with several worker processes; yields the base URL."""
    port = _free_port()
    env = {**os.environ, "CSPTOOLKIT_DATABASE_URL": database_uri, "CSPTOOLKIT_SECRET_KEY": "served-test-secret",
           "CSPTOOLKIT_INSTANCE_PATH": str(tmp / "instance"), "CSPTOOLKIT_EVIDENCE_PATH": str(tmp / "evidence"),
           "CSPTOOLKIT_EXPORTS_PATH": str(tmp / "exports"),
           "CSPTOOLKIT_MAIL_PATH": str(tmp / "mail"), **(extra_env or {})}
    env.pop("CSPTOOLKIT_TEST_DATABASE_URL", None)
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 (closed below, after the server has stopped)
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
         "csptoolkit:create_app()"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/sign-in", timeout=10)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def csrf_token(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, "no CSRF token on the page"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def signed_in(base: str, email: str, password: str = DEMO_PASSWORD) -> requests.Session:
    """A browser-like session signed in through the real form."""
    browser = requests.Session()
    page = browser.get(f"{base}/sign-in", timeout=30)
    response = browser.post(f"{base}/sign-in", data={"email": email, "password": password,
                                                     "csrf_token": csrf_token(page.text)},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:2000]
    return browser


def hidden_fields(html: str) -> dict[str, str]:
    """Every hidden input of a page by name (CSRF token, revision, owner)."""
    fields = {}
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields
