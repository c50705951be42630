"""Accounts: creating users, hashing and checking passwords (Argon2id, a memory-hard hash), and sign-in sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..domain.roles import AUTHORITY_ROLES, CHAMPION, ROLES
from ..models import Organisation, User, UserSession
from .audit import record
from .transaction import unit_of_work

hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
# A session's last_seen_at is written when it is at least this old: a request is then one primary-key read, and a
# write only every few minutes per person; the idle timeout is accurate to this much.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


class EmailInUse(AccountError):
    """Another user already has this email address."""


class OwnAccount(AccountError):
    """An admin may not deactivate their own account (no one would be left to undo it)."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long.")
    return hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of a random password with the hasher's own parameters, checked when there is no real one to check."""
    return hasher.hash(secrets.token_urlsafe(32))


def password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is the user's; one Argon2 verification whatever the case (no user, no password set), so
    the time taken does not tell whether an account exists."""
    dummy = _dummy_hash()  # made on the process's first check, whatever the email, so that one is no slower either
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        matched = hasher.verify(stored or dummy, password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and stored is not None


def needs_rehash(user: User) -> bool:
    """The stored hash was made with weaker parameters than the hasher's: rehash it on a successful sign-in."""
    return bool(user.password_hash) and hasher.check_needs_rehash(user.password_hash)


def find_user(session: Session, email: str) -> User | None:
    return session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()


def create_user(session: Session, email: str, role: str, password: str, name: str | None = None,
                organisation_code: str | None = None) -> User:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    if find_user(session, email) is not None:
        raise EmailInUse(f"There is already a user {email}.")
    organisation = None
    if role in AUTHORITY_ROLES and not organisation_code:
        raise AccountError(f"An authority {role} needs an organisation (--org with its DfE code).")
    if organisation_code and role not in (*AUTHORITY_ROLES, CHAMPION):
        raise AccountError(f"A {role} does not belong to an organisation.")
    if organisation_code:  # a champion's is the authority they come from: they may not review it
        organisation = session.execute(
            select(Organisation).filter_by(code=organisation_code)).scalar_one_or_none()
        if organisation is None:
            raise AccountError(f"There is no organisation with code {organisation_code}.")
    user = User(email=email, name=name or email.split("@")[0], role=role, organisation=organisation,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str, now: datetime | None = None) -> None:
    """A new password ends every sign-in the person has, wherever it is (within the caller's unit of work)."""
    user.password_hash = hash_password(password)
    end_all_sessions(session, user, now)


def set_active(session: Session, user: User, active: bool, now: datetime | None = None) -> None:
    """Deactivate or reactivate; either way every existing sign-in ends (within the caller's unit of work)."""
    user.active = active
    end_all_sessions(session, user, now)


# ----------------------------------------------------------------------------------------------------------
# Sign-in sessions


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes for timezone-aware columns; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def start_session(session: Session, user: User, max_age: timedelta, now: datetime | None = None) -> UserSession:
    """A new sign-in for the user, with a fresh random id for the cookie (within the caller's unit of work).

    The user's ended sessions are swept away here, so the table holds about one row per live sign-in.
    """
    now = now or datetime.now(UTC)
    session.execute(delete(UserSession).where(
        UserSession.user_id == user.id, or_(UserSession.revoked_at.is_not(None), UserSession.expires_at <= now)))
    record = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now,
                         expires_at=now + max_age)
    session.add(record)
    session.flush()
    return record


def session_user(session: Session, session_id: str | None, user_id: str | None, idle_timeout: timedelta,
                 now: datetime | None = None) -> User | None:
    """The active user a live session belongs to, or None: revoked, expired, idle too long, or another user's.

    Marks the session as seen when that is older than LAST_SEEN_RESOLUTION (its own unit of work: a few minutes
    apart at most, so most requests write nothing).
    """
    if not session_id or not user_id or not user_id.isdigit():
        return None
    record = session.get(UserSession, session_id, options=[joinedload(UserSession.user)])
    if record is None or record.revoked_at is not None or record.user_id != int(user_id) or not record.user.active:
        return None
    now = now or datetime.now(UTC)
    last_seen = _aware(record.last_seen_at)
    if _aware(record.expires_at) <= now or now - last_seen >= idle_timeout:
        return None
    if now - last_seen >= LAST_SEEN_RESOLUTION:
        with unit_of_work(session):
            record.last_seen_at = now
    return record.user


def end_session(session: Session, session_id: str | None, now: datetime | None = None) -> None:
    """Sign-out: the session's id stops working, even in a copy of the cookie (within the caller's unit of work)."""
    if session_id:
        session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
                        .values(revoked_at=now or datetime.now(UTC)))


def end_all_sessions(session: Session, user: User, now: datetime | None = None) -> int:
    """End every live sign-in of the user; how many were ended (within the caller's unit of work)."""
    result = session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                       UserSession.revoked_at.is_(None))
                             .values(revoked_at=now or datetime.now(UTC)))
    return result.rowcount or 0


# ----------------------------------------------------------------------------------------------------------
# Signing in and out, and the language a person reads in


@dataclass(frozen=True)
class SignedIn:
    """A sign-in that has started: whose it is, and the id of its row in user_sessions (for the cookie)."""

    user: User
    session_id: str


def sign_in(session: Session, email: str, password: str, max_age: timedelta, replaces: str | None = None,
            locale: str | None = None, now: datetime | None = None) -> SignedIn | None:
    """Start a sign-in when the email and password are an active user's; None otherwise, whichever was wrong.

    One password check whatever the email (a dummy hash without an account), so that neither the answer nor the
    time taken tells whether an account exists. On success, one unit of work: the hash is upgraded if it was made
    with weaker parameters, the sign-in this browser had before (`replaces`) ends, a new one starts, and a language
    chosen before signing in becomes the person's own if they had none.
    """
    user = find_user(session, email)
    if not password_matches(user, password) or user is None or not user.active:
        return None
    with unit_of_work(session):
        if needs_rehash(user):
            user.password_hash = hasher.hash(password)
        end_session(session, replaces, now)
        started = start_session(session, user, max_age, now)
        if locale and not user.locale:
            user.locale = locale
        signed_in = SignedIn(user, started.id)
    return signed_in


def sign_out(session: Session, session_id: str | None, now: datetime | None = None) -> None:
    """End this browser's sign-in, so that even a copy of its cookie is worth nothing."""
    with unit_of_work(session):
        end_session(session, session_id, now)


def set_language(session: Session, user: User, locale: str) -> None:
    """Remember the language the person chose, for every browser they sign in from."""
    with unit_of_work(session):
        user.locale = locale


# ----------------------------------------------------------------------------------------------------------
# User administration (the programme admin's pages; `by` is the admin, for the audit log)


def everyone(session: Session) -> list[User]:
    """Every user with their organisation, by role and then email."""
    return list(session.execute(
        select(User).options(joinedload(User.organisation)).order_by(User.role, User.email)).scalars())


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def organisations(session: Session) -> list[Organisation]:
    """The organisations an authority user may belong to, by name."""
    return list(session.execute(select(Organisation).order_by(Organisation.name)).scalars())


def add_user(session: Session, by: User, email: str, role: str, password: str, name: str | None = None,
             organisation_code: str | None = None) -> User:
    """Create a user and log it; raises EmailInUse (after rolling back) when the address is taken, also when two
    admins create the same person at once and the database's unique index is what notices."""
    try:
        with unit_of_work(session):
            user = create_user(session, email, role, password, name=name, organisation_code=organisation_code)
            record(session, by, "user.created", subject=user.email, new={"role": user.role})
    except IntegrityError as error:
        raise EmailInUse(f"There is already a user {email.strip().lower()}.") from error
    return user


def change_active(session: Session, by: User, user: User, now: datetime | None = None) -> bool:
    """Deactivate an active user or reactivate a deactivated one, signing them out everywhere either way; whether
    they are now active. Raises OwnAccount when `by` is the user (nothing is changed)."""
    if user.id == by.id:
        raise OwnAccount("You cannot deactivate your own account.")
    with unit_of_work(session):
        set_active(session, user, not user.active, now)
        active = user.active
        record(session, by, "user.reactivated" if active else "user.deactivated", subject=user.email)
    return active


def reset_password(session: Session, by: User, user: User, password: str, now: datetime | None = None) -> None:
    """Give the user a new password, which ends every sign-in they have, and log it."""
    with unit_of_work(session):
        set_password(session, user, password, now)
        record(session, by, "user.password_reset", subject=user.email)
