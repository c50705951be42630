"""Sign-in and API abuse (issue 7, item 5): enumeration by timing, lockout of real accounts only, parallel guesses
past the lock, anyone locking anyone out, no throttling by address, API tokens tried without limit.

Each test performs the attack and fails on the code before the fix. Timing is never measured (DESIGN §10): the
tests count the Argon2 verifications that make the time, whose cost is the same for every email.
"""

from __future__ import annotations

import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import argon2
import pytest
import requests
from flask import Flask
from limits import parse as parse_limit
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select
from werkzeug.serving import make_server

from csptoolkit import create_app
from csptoolkit.extensions import SQLiteStorage
from csptoolkit.extensions.database import db
from csptoolkit.models import User
from csptoolkit.services import tokens
from csptoolkit.services.demo import DEMO_PASSWORD

from ..conftest import Databases, IsolatedClient, _config
from .conftest import EDITOR, VIEWER, Browser, parse

UNKNOWN = "nobody@nowhere.example"
WRONG = "not-the-password-at-all"
GENERIC = "Enter a correct email address and password"
TOO_MANY = "You have tried to sign in too many times"


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Argon2 verification made, by the hash it checked against (thread-safe: list.append is atomic)."""
    made: list[str] = []
    original = argon2.PasswordHasher.verify

    def counting(self, hash, password):  # noqa: A002 (argon2's own argument name)
        made.append(hash if isinstance(hash, str) else hash.decode())
        return original(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return made


def from_address(app: Flask, address: str) -> Browser:
    browser = Browser(app.test_client())
    browser.client.environ_base["REMOTE_ADDR"] = address
    return browser


def attempt(browser: Browser, email: str, password: str = WRONG):
    return browser.post("/sign-in", {"email": email, "password": password})


def page_text(browser: Browser) -> str:
    return re.sub(r'nonce="[^"]+"', "", browser.last)


def user(email: str) -> User:
    return db.session.execute(select(User).filter_by(email=email)).scalar_one()


@pytest.fixture
def make_app(databases: Databases, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """An application on the demo data with some settings changed (the rate-limit store, for one)."""
    made: list[tuple[Flask, str]] = []

    def build(**settings) -> Flask:
        uri = databases.copy("seeded", tmp_path)
        app = create_app({**_config(uri, tmp_path), **settings})
        app.test_client_class = IsolatedClient
        made.append((app, uri))
        return app

    yield build
    for app, uri in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(uri)


# ----------------------------------------------------------------------------------------------------------
# The same work and the same answer whether or not the account exists


def test_every_failed_sign_in_checks_one_hash_of_the_same_cost(seeded_app: Flask, verifications: list[str]) -> None:
    inactive, no_password = user(VIEWER), user("champion@csptoolkit.example")
    inactive.active = False
    no_password.password_hash = None
    db.session.commit()
    real = argon2.extract_parameters(user(EDITOR).password_hash)
    browser = Browser(seeded_app.test_client())
    for email in (UNKNOWN, EDITOR, VIEWER, "champion@csptoolkit.example"):
        verifications.clear()
        response = attempt(browser, email)
        assert response.status_code == 200 and GENERIC in browser.last
        assert len(verifications) == 1, email  # the unknown email used to answer without checking anything
        assert argon2.extract_parameters(verifications[0]) == real


def test_unknown_and_real_accounts_are_throttled_alike(seeded_app: Flask) -> None:
    pages = {}
    for email in (EDITOR, UNKNOWN):
        browser = from_address(seeded_app, "198.51.100.20")
        for _ in range(5):  # SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT: 5 per minute
            assert attempt(browser, email).status_code == 200 and GENERIC in browser.last
        response = attempt(browser, email)
        assert response.status_code == 429, email  # the unknown email was never "locked" before
        assert TOO_MANY in browser.last and 1 <= int(response.headers["Retry-After"]) <= 60
        pages[email] = page_text(browser)
    assert pages[EDITOR] == pages[UNKNOWN]


# ----------------------------------------------------------------------------------------------------------
# Nobody can keep someone else out


def test_guessing_from_another_address_does_not_keep_the_person_out(seeded_app: Flask) -> None:
    attacker = from_address(seeded_app, "198.51.100.7")
    statuses = [attempt(attacker, EDITOR).status_code for _ in range(40)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    person = from_address(seeded_app, "203.0.113.9")  # a browser that never signed in before
    person.sign_in(EDITOR)  # the old lock refused the right password here


def test_guessing_from_many_addresses_cannot_keep_out_a_browser_the_person_has_used(seeded_app: Flask) -> None:
    seeded_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"] = "15 per hour"  # the real limit, made quicker to reach
    laptop = from_address(seeded_app, "203.0.113.9")
    laptop.sign_in(EDITOR)
    laptop.post("/sign-out", token_from="/")
    for n in range(4):  # a botnet: a few tries from each of several addresses
        attacker = from_address(seeded_app, f"198.51.100.{n + 1}")
        for _ in range(5):
            attempt(attacker, EDITOR)
    stranger = from_address(seeded_app, "192.0.2.50")
    assert attempt(stranger, EDITOR, DEMO_PASSWORD).status_code == 429  # new browsers wait (the price of the limit)
    assert TOO_MANY in stranger.last
    laptop.sign_in(EDITOR)  # the person's own browser is counted on its own


def test_a_successful_sign_in_starts_the_count_afresh(seeded_app: Flask) -> None:
    browser = from_address(seeded_app, "198.51.100.30")
    for _ in range(2):  # once as a new browser, then as one the account knows
        for _ in range(4):
            assert attempt(browser, EDITOR).status_code == 200
        browser.sign_in(EDITOR)  # the fifth try of the minute
        browser.post("/sign-out", token_from="/")
    for _ in range(4):
        assert attempt(browser, EDITOR).status_code == 200


def test_sign_in_is_throttled_per_address_whatever_the_email(seeded_app: Flask) -> None:
    seeded_app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "5 per minute"
    sprayer = from_address(seeded_app, "198.51.100.40")
    statuses = [attempt(sprayer, f"person{n}@nowhere.example").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert attempt(from_address(seeded_app, "198.51.100.41"), UNKNOWN).status_code == 200


def test_the_throttled_page_is_a_gov_uk_page_in_english_and_welsh(seeded_app: Flask) -> None:
    seeded_app.config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT"] = "1 per minute"
    for language, title in (("en", TOO_MANY), ("cy", "Rydych wedi ceisio mewngofnodi gormod o weithiau")):
        browser = from_address(seeded_app, "198.51.100.50")
        browser.get(f"/language/{language}", status=302)
        attempt(browser, f"{language}@nowhere.example")
        response = attempt(browser, f"{language}@nowhere.example")
        assert response.status_code == 429
        parse(browser.last)
        assert f'<h1 class="govuk-heading-l">{title}</h1>' in browser.last
        assert f'<html lang="{language}"' in browser.last


def test_a_failing_store_still_throttles(make_app: Callable[..., Flask]) -> None:
    with socket.socket() as probe:  # a port with nothing listening: every call to the store fails
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    with app.app_context():
        browser = from_address(app, "198.51.100.60")
        statuses = [attempt(browser, EDITOR).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


# ----------------------------------------------------------------------------------------------------------
# Parallel guesses: the limit is counted before the password is checked, atomically


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("store", ["memory", "sqlite", "redis"])
def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(
        make_app: Callable[..., Flask], tmp_path: Path, verifications: list[str], store: str) -> None:
    if store == "redis" and not _redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    uri = {"memory": "memory://", "sqlite": f"sqlite:///{tmp_path / 'limits.sqlite3'}",
           "redis": "redis://127.0.0.1:6379/0"}[store]
    app = make_app(RATELIMIT_STORAGE_URI=uri, RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
                   SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT="3 per minute")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        guessers = []
        for _ in range(20):
            session = requests.Session()
            page = session.get(f"{base}/sign-in", timeout=30).text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            guessers.append((session, token))
        verifications.clear()
        start = threading.Barrier(len(guessers))
        statuses: list[int] = []

        def guess(session: requests.Session, token: str) -> None:
            start.wait()
            response = session.post(f"{base}/sign-in", data={"email": EDITOR, "password": WRONG, "csrf_token": token},
                                    allow_redirects=False, timeout=60)
            statuses.append(response.status_code)

        threads = [threading.Thread(target=guess, args=guesser) for guesser in guessers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.shutdown()
    assert sorted(statuses) == [200] * 3 + [429] * 17
    assert len(verifications) == 3  # the old lock let about ten of twenty through to the password check


def _hits(path: str, tries: int) -> int:
    limiter = FixedWindowRateLimiter(SQLiteStorage(f"sqlite:///{path}"))
    item = parse_limit("30 per minute")
    return sum(limiter.hit(item, "one", "key") for _ in range(tries))


def test_the_embedded_store_counts_across_worker_processes(tmp_path: Path) -> None:
    """gunicorn's workers are processes: each keeping its own count would give an attacker the limit per worker."""
    path = str(tmp_path / "limits.sqlite3")
    with ProcessPoolExecutor(max_workers=3, mp_context=get_context("spawn")) as pool:
        allowed = sum(pool.map(_hits, [path] * 3, [20] * 3))
    assert allowed == 30


# ----------------------------------------------------------------------------------------------------------
# The API


def _token(email: str) -> str:
    _, plaintext = tokens.create_token(db.session, user(email), "test")
    db.session.commit()
    return plaintext


def _api(client, token: str, address: str):
    return client.get("/api/v1/cycles", headers={"Authorization": f"Bearer {token}"},
                      environ_base={"REMOTE_ADDR": address})


def test_unknown_api_tokens_are_throttled_per_address(seeded_app: Flask) -> None:
    valid = _token(EDITOR)
    client = seeded_app.test_client()
    for n in range(10):  # API_FAILED_TOKEN_LIMIT_PER_ADDRESS: 10 per minute
        assert _api(client, f"guess-{n}", "198.51.100.70").status_code == 401
    for token in ("guess-10", valid):  # refused before the token is looked up, so a right guess is refused too
        response = _api(client, token, "198.51.100.70")
        assert response.status_code == 429 and response.mimetype == "application/json"
        assert response.get_json()["error"]["status"] == 429 and "Too many requests" in response.get_json()["error"][
            "message"]
        assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert _api(client, valid, "198.51.100.71").status_code == 200


def test_api_requests_are_limited_per_address(seeded_app: Flask) -> None:
    seeded_app.config["API_LIMIT_PER_ADDRESS"] = "5 per minute"
    valid = _token(VIEWER)
    client = seeded_app.test_client()
    statuses = [_api(client, valid, "198.51.100.80").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": "198.51.100.80"}).status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(make_app: Callable[..., Flask]) -> None:
    proxied = make_app(TRUSTED_PROXIES=1, SIGN_IN_LIMIT_PER_ADDRESS="2 per minute")
    with proxied.app_context():
        browser = from_address(proxied, "10.0.0.2")  # the load balancer
        for client, expected in (("203.0.113.1", [200, 200, 429]), ("203.0.113.2", [200])):
            browser.client.environ_base["HTTP_X_FORWARDED_FOR"] = client
            assert [attempt(browser, f"{n}@nowhere.example").status_code for n in range(len(expected))] == expected


def test_without_a_trusted_proxy_a_forwarded_for_header_changes_nothing(seeded_app: Flask) -> None:
    seeded_app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "2 per minute"
    browser = from_address(seeded_app, "198.51.100.90")
    statuses = []
    for n in range(3):  # an attacker making up a new address for each try
        browser.client.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        statuses.append(attempt(browser, f"{n}@nowhere.example").status_code)
    assert statuses == [200, 200, 429]
