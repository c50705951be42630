"""Sign-ins kept on the server, and the save kept through an expired sign-in: the attacks of issue 7 (items 3, 4).

Each attack is performed as an attacker would, and the test fails on the code that let it through: a form-owner
token forged with the development key the code used to ship, a cross-site post that replaced the victim's session
and put the attacker's answers in front of them, and a cookie copied before sign-out that still worked.
"""

from __future__ import annotations

import re
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from itsdangerous import TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import event, select, update

from csptoolkit import config, create_app
from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, Organisation, User, UserSession

from ..conftest import Databases, _app
from .conftest import ADMIN, EDITOR, VIEWER, Browser

OLD_DEVELOPMENT_KEY = "development-only-secret-key-not-for-production"  # what the code shipped before
PLANTED = "Planted by someone else"


def leeds_2011() -> Assessment:
    leeds = db.session.execute(select(Organisation).filter_by(code="383")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    return db.session.execute(select(Assessment).filter_by(organisation_id=leeds.id, cycle_id=cycle.id)).scalar_one()


def user(email: str) -> User:
    return db.session.execute(select(User).filter_by(email=email)).scalar_one()


def a_standard(assessment: Assessment):
    standard = assessment.cycle.framework_version.rules().standards[3]
    criterion = next(c for c in standard.criteria if c.type == "level" and c.depends_on is None)
    return f"/assessments/{assessment.id}/standards/{standard.id}", criterion


def page_form(browser: Browser, url: str, criterion_id: str) -> tuple[str, dict[str, str]]:
    """The answer field's name prefix for the criterion, and the page's hidden fields (revision, owner, csrf)."""
    browser.get(url)
    prefix = re.search(rf'id="criterion-{re.escape(criterion_id)}".*?name="(c\d+)_answer"', browser.last, re.S)
    hidden = dict(re.findall(r'name="(revision|owner|csrf_token)" (?:type="hidden" )?value="([^"]*)"', browser.last))
    return prefix.group(1), hidden


def planted_answers(page: str, prefix: str) -> dict[str, str]:
    """A complete forged form for a standard: the first option of every answer, and a note on the criterion."""
    answers = {}
    for name, value in re.findall(r'<input[^>]*name="(c\d+_answer)"[^>]*value="([^"]*)"', page):
        answers.setdefault(name, value)
    return {**answers, f"{prefix}_answer": "0", f"{prefix}_note": PLANTED, "overwrite": "yes", "save_continue": "x"}


def stored(criterion_id: str) -> tuple[int | None, str | None]:
    db.session.expire_all()
    row = next((a for a in leeds_2011().answers if a.criterion.key == criterion_id), None)
    return (row.level, row.evidence_note) if row else (None, None)


def end_sign_ins(**values) -> None:
    """What time does to a sign-in: its row expires (or goes idle) while the browser keeps its cookie."""
    db.session.execute(update(UserSession).values(**values))
    db.session.commit()


def apply_set_cookies(browser: Browser, response) -> None:
    """A browser stores what a response sets, even the response to a cross-site post."""
    for header in response.headers.getlist("Set-Cookie"):
        name, _, value = header.split(";")[0].partition("=")
        browser.client.set_cookie(name, value)


# ----------------------------------------------------------------------------------------------------------
# Item 3: forged saves through the expired-session feature


@pytest.fixture
def keyless_app(databases: Databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app as `make run` starts it: no secret key configured (development), its own instance folder."""
    monkeypatch.delenv("CSPTOOLKIT_SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_PATH", tmp_path / "instance")
    yield from _app(databases, "seeded", tmp_path, without=("SECRET_KEY",))


def test_the_development_key_is_random_made_once_in_instance_and_kept(keyless_app: Flask, tmp_path: Path) -> None:
    key = keyless_app.config["SECRET_KEY"]
    assert key != OLD_DEVELOPMENT_KEY and len(key) >= 43
    path = tmp_path / "instance" / "secret_key"
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_STORAGE_URI": "memory://"})
    assert again.config["SECRET_KEY"] == key  # a restart, or another gunicorn worker, uses the same key


def test_a_save_forged_with_the_old_development_key_is_never_stored(keyless_app: Flask) -> None:
    assessment = leeds_2011()
    url, criterion = a_standard(assessment)
    before = stored(criterion.id)
    reader = Browser(keyless_app.test_client())  # field names are the same on every authority's page
    reader.sign_in(EDITOR)
    prefix, hidden = page_form(reader, url, criterion.id)
    editor_id = user(EDITOR).id
    # The revision is a fingerprint of the standard's answers (computable for an unanswered standard): the attacker
    # is given it, and everything else but the key.
    planted = {**planted_answers(reader.last, prefix), "revision": hidden["revision"]}
    for forged in (URLSafeSerializer(OLD_DEVELOPMENT_KEY, salt="standard-form-owner").dumps([editor_id, assessment.id]),
                   URLSafeTimedSerializer(OLD_DEVELOPMENT_KEY, salt="standard-form-owner").dumps(
                       [editor_id, assessment.id, "any-browser"])):
        victim = Browser(keyless_app.test_client())
        # The attacker's page makes the victim's browser post the forged form (it sends no cookie with it).
        victim.client.post(url, data={**planted, "owner": forged}, content_type="multipart/form-data")
        response = victim.sign_in(EDITOR)
        victim.get(response.location, status=None)
        victim.get(url, status=None)
        assert stored(criterion.id) == before
        assert PLANTED not in victim.last


def test_a_cross_site_post_neither_replaces_the_session_nor_puts_answers_in_front_of_the_person(
        seeded_app: Flask, browser: Browser) -> None:
    assessment = leeds_2011()
    url, criterion = a_standard(assessment)
    browser.sign_in(EDITOR)  # the victim, at work
    prefix, _ = page_form(browser, url, criterion.id)
    before = stored(criterion.id)
    # A cross-site post from the victim's browser carries none of its (SameSite=Lax) cookies.
    planted = planted_answers(browser.last, prefix)
    attacker = seeded_app.test_client()
    response = attacker.post(url, data=planted, content_type="multipart/form-data")
    assert response.status_code == 302 and "/sign-in" in response.location
    assert response.headers.getlist("Set-Cookie") == []  # nothing that could replace the victim's session
    apply_set_cookies(browser, response)
    browser.get("/")
    assert "Sign out" in browser.last  # still signed in
    browser.get(url)
    assert PLANTED not in browser.last and "session expired" not in browser.last
    # The same post reaching a browser whose sign-in had ended: still nothing kept, nothing shown.
    end_sign_ins(expires_at=datetime.now(UTC))
    response = browser.client.post(url, data=planted, content_type="multipart/form-data")
    assert response.status_code == 302 and "/sign-in" in response.location
    browser.sign_in(EDITOR)
    browser.get(url)
    assert PLANTED not in browser.last and "session expired" not in browser.last
    assert stored(criterion.id) == before


@pytest.mark.parametrize("how", ["expired", "idle", "signed out elsewhere"])
def test_a_save_after_the_sign_in_ended_is_kept_and_saved_once_the_person_is_back(browser: Browser, how: str) -> None:
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    url, criterion = a_standard(assessment)
    prefix, hidden = page_form(browser, url, criterion.id)
    data = {**hidden, f"{prefix}_answer": "2", f"{prefix}_note": "Kept through sign-in", "save_continue": "x"}
    if how == "expired":
        end_sign_ins(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    elif how == "idle":
        end_sign_ins(last_seen_at=datetime.now(UTC) - timedelta(hours=8, minutes=1))
    else:
        end_sign_ins(revoked_at=datetime.now(UTC))
    browser.get("/", status=302)  # no longer signed in
    response = browser.client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and "/sign-in" in response.location
    browser.get(response.location)
    assert "Sign in again and we will save your answers" in browser.last
    response = browser.post(response.location, {"email": EDITOR, "password": "commissioning-demo"})
    assert response.status_code == 302 and response.location.endswith(url)
    response = browser.get(url, status=303)
    assert stored(criterion.id) == (2, "Kept through sign-in")
    browser.get(response.location)
    assert "We saved the answers you were working on" in browser.last


def test_a_page_from_another_browser_is_not_kept(seeded_app: Flask, browser: Browser, other_browser: Browser) -> None:
    """The owner token is bound to the browser session it was issued to: another browser of the same person (or of
    someone who got hold of the page) cannot have it kept."""
    browser.sign_in(EDITOR)
    other_browser.sign_in(EDITOR)
    url, criterion = a_standard(leeds_2011())
    before = stored(criterion.id)
    prefix, hidden = page_form(browser, url, criterion.id)
    page_form(other_browser, url, criterion.id)
    end_sign_ins(expires_at=datetime.now(UTC))
    response = other_browser.client.post(url, data={**hidden, f"{prefix}_answer": "0", f"{prefix}_note": PLANTED,
                                                    "save_continue": "x"}, content_type="multipart/form-data")
    assert response.status_code == 302
    other_browser.sign_in(EDITOR)
    other_browser.get(url)
    assert PLANTED not in other_browser.last
    assert stored(criterion.id) == before


class _DayOldSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 24 * 3600 - 60


def test_an_owner_token_expires(seeded_app: Flask, browser: Browser) -> None:
    """A token that is right in every way but its age (a day and a minute) is not enough to keep a save."""
    browser.sign_in(EDITOR)
    assessment = leeds_2011()
    url, criterion = a_standard(assessment)
    before = stored(criterion.id)
    prefix, hidden = page_form(browser, url, criterion.id)
    with browser.client.session_transaction() as session:
        bound_to = session["browser"]
    old = URLSafeTimedSerializer(seeded_app.config["SECRET_KEY"], salt="standard-form-owner",
                                 signer=_DayOldSigner).dumps([user(EDITOR).id, assessment.id, bound_to])
    end_sign_ins(expires_at=datetime.now(UTC))
    browser.client.post(url, data={**hidden, "owner": old, f"{prefix}_answer": "0", f"{prefix}_note": PLANTED,
                                   "save_continue": "x"}, content_type="multipart/form-data")
    browser.sign_in(EDITOR)
    browser.get(url)
    assert PLANTED not in browser.last
    assert stored(criterion.id) == before


# ----------------------------------------------------------------------------------------------------------
# Item 4: sessions that can be ended


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(seeded_app: Flask, browser: Browser) -> None:
    browser.sign_in(EDITOR)
    overview = f"/assessments/{leeds_2011().id}"
    browser.get(overview)
    copied = browser.client.get_cookie("session").value
    browser.post("/sign-out", token_from="/")
    thief = seeded_app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get(overview)
    assert response.status_code == 302 and "/sign-in" in response.location
    assert "Sign out" not in thief.get("/sign-in").get_data(as_text=True)
    row = db.session.execute(select(UserSession).where(UserSession.user_id == user(EDITOR).id)).scalar_one()
    assert row.revoked_at is not None


def test_a_password_reset_and_a_deactivation_end_every_sign_in(seeded_app: Flask, browser: Browser) -> None:
    admin = Browser(seeded_app.test_client())
    admin.sign_in(ADMIN)
    viewer = user(VIEWER)
    password = "commissioning-demo"
    for change in ("password", "active"):
        laptop, phone = Browser(seeded_app.test_client()), Browser(seeded_app.test_client())
        laptop.sign_in(VIEWER, password)
        phone.sign_in(VIEWER, password)
        copied = laptop.client.get_cookie("session").value
        if change == "password":
            password = "a-new-password-1"
            response = admin.post(f"/admin/users/{viewer.id}/password", {"password": password, "confirm": password})
        else:
            response = admin.post(f"/admin/users/{viewer.id}/active", token_from="/admin/users")
        assert response.status_code == 303
        for device in (laptop, phone):
            device.get("/", status=302)
        thief = seeded_app.test_client()
        thief.set_cookie("session", copied)
        assert thief.get("/").status_code == 302
    live = db.session.execute(select(UserSession).where(UserSession.user_id == viewer.id,
                                                        UserSession.revoked_at.is_(None))).scalars().all()
    assert live == []


def test_a_sign_in_is_checked_with_one_read_and_written_only_every_few_minutes(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ARG001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            browser.get("/sign-in", status=302)  # a page that needs only the sign-in check
        assert len([s for s in statements if "user_sessions" in s]) == 3
        assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
        end_sign_ins(last_seen_at=datetime.now(UTC) - timedelta(minutes=6))
        statements.clear()
        browser.get("/sign-in", status=302)
        writes = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
        assert len(writes) == 1 and "user_sessions" in writes[0]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    db.session.expire_all()
    row = db.session.execute(select(UserSession)).scalar_one()
    seen = row.last_seen_at if row.last_seen_at.tzinfo else row.last_seen_at.replace(tzinfo=UTC)
    assert datetime.now(UTC) - seen < timedelta(minutes=1)


def test_a_sign_in_ends_a_day_after_it_began_however_busy(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    row = db.session.execute(select(UserSession)).scalar_one()
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    assert expires - created == timedelta(hours=24)
    browser.get("/")
    end_sign_ins(created_at=datetime.now(UTC) - timedelta(hours=24), expires_at=datetime.now(UTC),
                 last_seen_at=datetime.now(UTC))
    browser.get("/", status=302)
