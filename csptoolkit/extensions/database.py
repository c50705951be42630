"""The database: Flask-SQLAlchemy's `db`, bound in create_app; only services, models and commands use it."""

from __future__ import annotations

import sqlite3

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..models.base import Base

db = SQLAlchemy(model_class=Base)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ARG001 (SQLAlchemy's signature)
    """SQLite leaves foreign keys off unless asked, and WAL lets readers work while a writer saves."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


event.listen(Engine, "connect", _sqlite_pragmas)
