"""API tokens: create (shown once, only a hash kept), authenticate a bearer token as its owner, revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import ApiToken, User
from .audit import record
from .transaction import unit_of_work

NAME_MAX = 120
# Recording every use would turn each read into a write; to the minute is enough to see which tokens are in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message says why."""


def digest(plaintext: str) -> str:
    """The stored form of a token. Tokens are 256 random bits, so a fast hash is enough (no guessing to slow)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str, by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for the user, in one unit of work; the plaintext is returned once and never stored.

    `by` is who made it (None on the command line), for the audit log: a token is a credential.
    """
    name = (name or "").strip()
    if not name:
        raise TokenError("A token needs a name saying what it is for.")
    if len(name) > NAME_MAX:
        raise TokenError(f"A token's name must be {NAME_MAX} characters or fewer.")
    if not user.active:
        raise TokenError(f"{user.email} is deactivated.")
    plaintext = secrets.token_urlsafe(32)
    with unit_of_work(session):
        token = ApiToken(user_id=user.id, name=name, token_hash=digest(plaintext))
        token.user = user
        session.add(token)
        session.flush()
        record(session, by, "api_token.created", subject=f"token {token.id}", new={"user": user.email, "name": name})
    return token, plaintext


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes for timezone-aware columns; they were stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def authenticate(session: Session, plaintext: str | None, now: datetime | None = None) -> User | None:
    """The active user a live token belongs to, or None.

    Notes when the token was used, as a unit of work of its own (committed here, or with the caller's unit when
    called inside one); a use within LAST_USED_RESOLUTION of the last one noted writes nothing.
    """
    if not plaintext:
        return None
    token = session.execute(
        select(ApiToken).where(ApiToken.token_hash == digest(plaintext)).options(joinedload(ApiToken.user))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = now or datetime.now(UTC)
    last = _aware(token.last_used_at)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        with unit_of_work(session):
            token.last_used_at = now
    return token.user


def revoke(session: Session, token: ApiToken, by: User | None = None, now: datetime | None = None) -> bool:
    """Revoke a token for good, in one unit of work; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    with unit_of_work(session):
        token.revoked_at = now or datetime.now(UTC)
        record(session, by, "api_token.revoked", subject=f"token {token.id}",
               old={"user": token.user.email, "name": token.name})
    return True


def all_tokens(session: Session) -> list[ApiToken]:
    """Every token with its owner, newest first (for the admin list)."""
    return list(session.execute(
        select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars())


def get_token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def token_holders(session: Session) -> list[User]:
    """The people a new token may act for: every active user, by email."""
    return list(session.execute(select(User).where(User.active.is_(True)).order_by(User.email)).scalars())
