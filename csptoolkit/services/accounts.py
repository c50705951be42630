"""Accounts: creating users, hashing and checking passwords (Argon2id, a memory-hard hash)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Organisation, User
from ..models.user import AUTHORITY_ROLES, ROLES

hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long.")
    return hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
                password_hash=hash_password(password), session_token=secrets.token_hex(16))
    session.add(user)
    session.flush()
    return user
