"""Fixtures: an application per test on its own database, built by the migrations (SQLite or PostgreSQL).

The schema (and, for `seeded_app`, the demo data) is built once per run into a template; each test gets a fresh
copy: a copied file on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL. Set CSPTOOLKIT_TEST_DATABASE_URL
to a PostgreSQL URL (for example postgresql://postgres@127.0.0.1:5432/test) to run on PostgreSQL; every run
makes its own databases, named after a random run id, and drops them at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, request, request_tearing_down
from flask.globals import _cv_app
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from csptoolkit import create_app
from csptoolkit.extensions.database import db
from csptoolkit.services.transaction import has_uncommitted_changes

ROOT = Path(__file__).resolve().parent.parent

# Exact-fraction scoring of a generated framework can take a second on a loaded CI machine: the properties hold or
# fail whatever the time, so hypothesis's per-example deadline would only make the suite flaky.
settings.register_profile("csptoolkit", deadline=None)
settings.load_profile("csptoolkit")

POSTGRES_URL = os.environ.get("CSPTOOLKIT_TEST_DATABASE_URL", "")


def _config(uri: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": uri,
        "SECRET_KEY": "test-secret",
        "EVIDENCE_PATH": str(tmp / "evidence"),
        "EXPORTS_PATH": str(tmp / "exports"),
        "MAIL_PATH": str(tmp / "mail"),
        "TASK_QUEUE_URL": f"sqlite:///{tmp / 'tasks.sqlite3'}",
        "TASK_QUEUE_IMMEDIATE": True,  # a task runs at once, in the test's process (tests/integration runs workers)
        "RATELIMIT_STORAGE_URI": "memory://",  # counts start afresh with each test's application
    }


def _build(uri: str, tmp: Path, seed: bool) -> None:
    from flask_migrate import upgrade

    app = create_app(_config(uri, tmp))
    with app.app_context():
        upgrade()
        if seed:
            from csptoolkit.services import demo

            demo.seed(db.session, ROOT / "standards", ROOT / "csptoolkit" / "data")
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Databases:
    """Templates built on first use, and a fresh copy of one for each test."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.run = uuid.uuid4().hex[:8]
        self.templates: dict[str, str] = {}
        self.copies: list[str] = []
        if POSTGRES_URL:
            url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
            self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
            self.base_url = url

    def _pg_url(self, name: str) -> str:
        return self.base_url.set(database=name).render_as_string(hide_password=False)

    def template(self, kind: str) -> str:
        if kind not in self.templates:
            if POSTGRES_URL:
                name = f"csp_{self.run}_{kind}"
                with self.admin.connect() as connection:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
                self.templates[kind] = name
                _build(self._pg_url(name), self.tmp, seed=kind == "seeded")
            else:
                path = self.tmp / f"template-{kind}.sqlite3"
                _build(f"sqlite:///{path}", self.tmp, seed=kind == "seeded")
                self.templates[kind] = str(path)
        return self.templates[kind]

    def copy(self, kind: str, tmp: Path) -> str:
        template = self.template(kind)
        if POSTGRES_URL:
            name = f"csp_{self.run}_{len(self.copies)}"
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            self.copies.append(name)
            return self._pg_url(name)
        path = tmp / "test.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"

    def drop(self, uri: str) -> None:
        if POSTGRES_URL:
            name = make_url(uri).database
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        if POSTGRES_URL:
            with self.admin.connect() as connection:
                for name in [*self.copies, *self.templates.values()]:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    manager = Databases(tmp_path_factory.mktemp("databases"))
    yield manager
    manager.close()


class IsolatedClient(FlaskClient):
    """Each request gets its own application context, as in production, although the test holds one open.

    Flask reuses an app context that is already pushed, which would share `g` (the signed-in user, the CSRF
    token) and the database session between requests and the test.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


def _settled(sender: Flask, exc: BaseException | None = None, **extra) -> None:
    """Every request leaves its database session settled: what it changed is committed by a service's unit of
    work (services/transaction.py), never left for the end of the request to throw away."""
    if exc is None and has_uncommitted_changes(db.session):
        raise AssertionError(f"{request.method} {request.path} left changes no unit of work committed")


def _app(databases: Databases, kind: str, tmp_path: Path, without: tuple[str, ...] = ()) -> Iterator[Flask]:
    """An application on a fresh copy of a template database (`without`: settings left unset)."""
    uri = databases.copy(kind, tmp_path)
    app = create_app({k: v for k, v in _config(uri, tmp_path).items() if k not in without})
    request_tearing_down.connect(_settled, app)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    databases.drop(uri)


@pytest.fixture
def app(databases: Databases, tmp_path: Path) -> Iterator[Flask]:
    """An application on an empty, migrated database."""
    yield from _app(databases, "empty", tmp_path)


@pytest.fixture
def seeded_app(databases: Databases, tmp_path: Path) -> Iterator[Flask]:
    """An application on a database holding the demo data (standards, register, cycles, users, assessments)."""
    yield from _app(databases, "seeded", tmp_path)


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def client(app: Flask):
    return app.test_client()
