"""Flask extensions: created here, bound to the application in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ARG001 (SQLAlchemy's signature)
    """SQLite leaves foreign keys off unless asked, and WAL lets readers work while a writer saves."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


event.listen(Engine, "connect", _sqlite_pragmas)
