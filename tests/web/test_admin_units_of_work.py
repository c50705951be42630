"""The admin's user and token pages: each change is one unit of work committed by its service, and a refused one
leaves nothing behind."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from csptoolkit.domain import roles
from csptoolkit.extensions.database import db
from csptoolkit.models import ApiToken, AuditEvent, User
from csptoolkit.services import accounts, tokens

from .conftest import ADMIN, EDITOR, VIEWER, Browser

NEW_USER = {"name": "Ann Delegate", "email": "ann@leeds.example", "role": roles.EDITOR, "organisation": "383",
            "password": "a-long-enough-password"}


def user(email: str) -> User:
    return db.session.execute(select(User).filter_by(email=email)).scalar_one()


def events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).filter_by(action=action)).scalars())


def test_the_users_page_names_every_role(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    browser.get("/admin/users")
    for label in ("Programme admin", "Commissioning champion", "Authority editor", "Authority viewer"):
        assert label in browser.text()


def test_a_new_user_and_its_audit_event_are_committed_together(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    assert browser.post("/admin/users/new", NEW_USER).status_code == 303
    [event] = events("user.created")
    assert event.subject == NEW_USER["email"] and event.user_id == user(ADMIN).id


def test_a_taken_email_is_a_form_error_and_changes_nothing(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    assert browser.post("/admin/users/new", NEW_USER).status_code == 303
    response = browser.post("/admin/users/new", {**NEW_USER, "email": "Ann@Leeds.example", "name": "Another"},
                            token_from="/admin/users/new")
    assert response.status_code == 400
    assert "There is already a user with this email address" in browser.last
    assert db.session.execute(select(func.count()).select_from(User).where(
        func.lower(User.email) == NEW_USER["email"])).scalar_one() == 1
    assert len(events("user.created")) == 1


def test_two_admins_creating_the_same_person_at_once_get_a_clear_error(seeded_app: Flask,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The check before the insert can miss a person created a moment ago; the unique index does not."""
    admin = user(ADMIN)
    accounts.add_user(db.session, admin, NEW_USER["email"], roles.EDITOR, NEW_USER["password"],
                      organisation_code="383")
    monkeypatch.setattr(accounts, "find_user", lambda session, email: None)
    with pytest.raises(accounts.EmailInUse):
        accounts.add_user(db.session, admin, NEW_USER["email"], roles.EDITOR, NEW_USER["password"],
                          organisation_code="383")
    assert len(events("user.created")) == 1  # rolled back, and the session is usable again


def test_an_admin_cannot_deactivate_themselves(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    admin_id = user(ADMIN).id
    response = browser.post(f"/admin/users/{admin_id}/active", token_from="/admin/users")
    assert response.status_code == 303
    browser.get("/admin/users")
    assert "You cannot deactivate your own account." in browser.last
    db.session.expire_all()
    assert user(ADMIN).active and not events("user.deactivated")


def test_deactivating_and_reactivating_are_logged(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    viewer_id = user(VIEWER).id
    for _ in range(2):
        assert browser.post(f"/admin/users/{viewer_id}/active", token_from="/admin/users").status_code == 303
    assert len(events("user.deactivated")) == 1 and len(events("user.reactivated")) == 1
    db.session.expire_all()
    assert user(VIEWER).active


def test_a_token_made_and_revoked_on_the_pages_is_committed_with_its_audit_events(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    viewer_id = user(VIEWER).id
    response = browser.post("/admin/tokens/new", {"user": str(viewer_id), "name": "reporting"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = db.session.execute(select(ApiToken).filter_by(name="reporting")).scalar_one()
    assert token.user_id == viewer_id and len(events("api_token.created")) == 1
    url = f"/admin/tokens/{token.id}/revoke"
    for _ in range(2):  # revoking twice logs it once
        assert browser.post(url, token_from="/admin/tokens").status_code == 303
    assert len(events("api_token.revoked")) == 1
    db.session.expire_all()
    assert token.revoked_at is not None and tokens.get_token(db.session, token.id) is token


def test_a_token_cannot_be_made_for_a_deactivated_person(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    viewer = user(VIEWER)
    viewer.active = False
    db.session.commit()
    response = browser.post("/admin/tokens/new", {"user": str(viewer.id), "name": "reporting"})
    assert response.status_code == 400  # not one of the people offered
    assert not events("api_token.created")


def test_a_token_named_with_spaces_alone_is_refused_with_a_message(browser: Browser) -> None:
    browser.sign_in(ADMIN)
    response = browser.post("/admin/tokens/new", {"user": str(user(VIEWER).id), "name": "   "})
    assert response.status_code == 400 and "Enter what the token is for" in response.text  # not a 500
    assert not events("api_token.created")


def test_the_language_chosen_is_kept_for_the_person(browser: Browser) -> None:
    browser.sign_in(EDITOR)
    browser.get("/language/cy?next=/", status=302)
    db.session.expire_all()
    assert user(EDITOR).locale == "cy"
