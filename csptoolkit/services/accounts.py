"""Accounts: creating users, hashing and checking passwords (Argon2id, a memory-hard hash), and sign-in sessions."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import Organisation, User, UserSession
from ..models.user import AUTHORITY_ROLES, ROLES

hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
# A session's last_seen_at is written when it is at least this old: a request is then one primary-key read, and a
# write only every few minutes per person; the idle timeout is accurate to this much.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


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
        raise AccountError(f"There is already a user {email}.")
    organisation = None
    if role in AUTHORITY_ROLES:
        if not organisation_code:
            raise AccountError(f"An authority {role} needs an organisation (--org with its DfE code).")
        organisation = session.execute(
            select(Organisation).filter_by(code=organisation_code)).scalar_one_or_none()
        if organisation is None:
            raise AccountError(f"There is no organisation with code {organisation_code}.")
    elif organisation_code:
        raise AccountError(f"A {role} does not belong to an organisation.")
    user = User(email=email, name=name or email.split("@")[0], role=role, organisation=organisation,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str, now: datetime | None = None) -> None:
    """A new password ends every sign-in the person has, wherever it is (caller commits)."""
    user.password_hash = hash_password(password)
    end_all_sessions(session, user, now)


def set_active(session: Session, user: User, active: bool, now: datetime | None = None) -> None:
    """Deactivate or reactivate; either way every existing sign-in ends (caller commits)."""
    user.active = active
    end_all_sessions(session, user, now)


# ----------------------------------------------------------------------------------------------------------
# Sign-in sessions


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes for timezone-aware columns; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def start_session(session: Session, user: User, max_age: timedelta, now: datetime | None = None) -> UserSession:
    """A new sign-in for the user, with a fresh random id for the cookie (caller commits).

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

    Marks the session as seen when that is older than LAST_SEEN_RESOLUTION (and then the caller commits).
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
        record.last_seen_at = now
    return record.user


def end_session(session: Session, session_id: str | None, now: datetime | None = None) -> None:
    """Sign-out: the session's id stops working, even in a copy of the cookie (caller commits)."""
    if session_id:
        session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
                        .values(revoked_at=now or datetime.now(UTC)))


def end_all_sessions(session: Session, user: User, now: datetime | None = None) -> int:
    """End every live sign-in of the user; how many were ended (caller commits)."""
    result = session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                       UserSession.revoked_at.is_(None))
                             .values(revoked_at=now or datetime.now(UTC)))
    return result.rowcount or 0
