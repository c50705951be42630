"""Use cases: each combines models and domain rules in one transaction (services/transaction.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def session() -> Session:
    """The request's database session, for views and commands to hand to the services they call.

    Views never import the models or SQLAlchemy (an import-linter contract): the session is all they hold of the
    database, and they only pass it on.
    """
    from ..extensions.database import db

    return db.session
