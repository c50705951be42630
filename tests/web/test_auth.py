"""Signing in and out, lockout, session safety, CSRF, the admin's user pages, and the CLI for users."""

from __future__ import annotations

import re

from sqlalchemy import select

from csptoolkit import create_app
from csptoolkit.extensions.database import db
from csptoolkit.models import User

from .conftest import ADMIN, EDITOR, VIEWER, Browser


def test_sign_in_and_out(browser: Browser) -> None:
    browser.get("/", status=302)
    response = browser.sign_in(EDITOR)
    assert response.location == "/"
    browser.get("/")
    assert "Sign out" in browser.last
    response = browser.post("/sign-out", token_from="/")
    assert response.status_code == 302
    browser.get("/", status=302)


def test_sign_out_needs_a_post_with_a_csrf_token(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    assert browser.client.get("/sign-out").status_code == 405
    assert browser.client.post("/sign-out", data={}).status_code == 400
    browser.get("/")


def test_a_wrong_password_gets_one_generic_message(browser: Browser) -> None:
    for email in (EDITOR, "nobody@nowhere.example"):
        response = browser.post("/sign-in", {"email": email, "password": "not-the-password"})
        assert response.status_code == 200
        assert "Enter a correct email address and password" in browser.last


def test_repeated_failures_are_throttled_for_a_while(browser: Browser) -> None:
    """Throttling in detail (per address, per account, in parallel, alike for unknown emails): test_sign_in_abuse."""
    for _ in range(5):  # SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT: 5 per minute
        browser.post("/sign-in", {"email": EDITOR, "password": "wrong-password-here"})
    response = browser.post("/sign-in", {"email": EDITOR, "password": "commissioning-demo"})
    assert response.status_code == 429 and "You have tried to sign in too many times" in browser.last
    assert "Wait 1 minute, then try again." in browser.last


def test_session_cookie_is_httponly_and_samesite_and_renewed_on_sign_in(browser: Browser) -> None:
    browser.get("/sign-in")
    before = browser.client.get_cookie("session").value
    response = browser.sign_in(EDITOR)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert browser.client.get_cookie("session").value != before
    device = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("csptoolkit_device="))
    assert "HttpOnly" in device and "SameSite=Strict" in device and "Path=/sign-in" in device


def test_forms_refuse_a_missing_csrf_token(browser: Browser) -> None:
    response = browser.client.post("/sign-in", data={"email": EDITOR, "password": "commissioning-demo"})
    assert response.status_code == 400


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(browser: Browser, other_browser: Browser) -> None:
    other_browser.sign_in(VIEWER)
    browser.sign_in(ADMIN)
    viewer = db.session.execute(select(User).filter_by(email=VIEWER)).scalar_one()
    response = browser.post(f"/admin/users/{viewer.id}/active", token_from="/admin/users")
    assert response.status_code == 303
    other_browser.get("/", status=302)  # the old session no longer works
    response = other_browser.post("/sign-in", {"email": VIEWER, "password": "commissioning-demo"})
    assert response.status_code == 200 and "Enter a correct email address and password" in other_browser.last


def test_admin_creates_a_user_who_can_sign_in(browser: Browser, other_browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get("/admin/users/new")
    response = browser.post("/admin/users/new", {"name": "Ann Delegate", "email": "ann@leeds.example",
                                                 "role": "editor", "organisation": "", "password": "x"})
    assert response.status_code == 400
    assert "Select the authority this person works for" in browser.last
    assert "Password must be 12 characters or more" in browser.last
    response = browser.post("/admin/users/new", {"name": "Ann Delegate", "email": "ann@leeds.example",
                                                 "role": "editor", "organisation": "383",
                                                 "password": "a-long-enough-password"})
    assert response.status_code == 303
    other_browser.sign_in("ann@leeds.example", "a-long-enough-password")
    other_browser.get("/")
    assert "Leeds" in other_browser.last


def test_admin_resets_a_password(browser: Browser, other_browser: Browser) -> None:
    browser.sign_in(ADMIN)
    viewer = db.session.execute(select(User).filter_by(email=VIEWER)).scalar_one()
    url = f"/admin/users/{viewer.id}/password"
    response = browser.post(url, {"password": "a-new-password-1", "confirm": "different-one"})
    assert response.status_code == 400 and "The passwords do not match" in browser.last
    response = browser.post(url, {"password": "a-new-password-1", "confirm": "a-new-password-1"})
    assert response.status_code == 303
    other_browser.sign_in(VIEWER, "a-new-password-1")


def test_only_admins_reach_the_admin_pages(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    browser.get("/admin/users", status=403)
    browser.get("/admin/users/new", status=403)


def test_the_language_switcher_is_remembered_for_the_user(browser: Browser, other_browser: Browser) -> None:
    browser.sign_in(EDITOR)
    browser.get("/language/cy?next=/", status=302)
    browser.get("/")
    assert 'lang="cy"' in browser.last and "Allgofnodi" in browser.last
    other_browser.sign_in(EDITOR)  # a new browser: the user's choice follows them
    other_browser.get("/")
    assert 'lang="cy"' in other_browser.last


def test_next_never_leaves_the_site(browser: Browser) -> None:
    response = browser.get("/language/cy?next=https://evil.example/", status=302)
    assert response.location == "/"


def test_users_create_command(seeded_app) -> None:
    runner = seeded_app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "new@leeds.example", "--role", "viewer", "--org", "383",
                                 "--password", "a-long-password-here"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "x@leeds.example", "--role", "viewer",
                                 "--password", "a-long-password-here"])
    assert result.exit_code == 1 and "needs an organisation" in result.output
    result = runner.invoke(args=["users", "create", "new@leeds.example", "--role", "viewer", "--org", "383",
                                 "--password", "a-long-password-here"])
    assert result.exit_code == 1 and "already a user" in result.output
    user = db.session.execute(select(User).filter_by(email="new@leeds.example")).scalar_one()
    assert user.password_hash.startswith("$argon2id$")


def test_security_headers_and_a_script_nonce(browser: Browser) -> None:
    response = browser.get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    scripts = re.findall(r"<script([^>]*)>", browser.last)
    assert scripts and all(f'nonce="{nonce}"' in attributes for attributes in scripts)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert browser.client.get("/sign-in").headers["Content-Security-Policy"] != policy  # a new nonce each time
    assert "Strict-Transport-Security" not in response.headers  # development may be served over plain HTTP


def test_production_tells_browsers_to_use_https_only(seeded_app) -> None:
    production = create_app({"ENV": "production", "SECRET_KEY": "a-production-secret-of-some-length",
                             "SQLALCHEMY_DATABASE_URI": seeded_app.config["SQLALCHEMY_DATABASE_URI"],
                             "RATELIMIT_STORAGE_URI": "memory://", "TESTING": True})
    for path in ("/sign-in", "/api/v1/openapi.json", "/no-such-page"):
        response = production.test_client().get(path, base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
