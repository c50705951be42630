"""csptoolkit: the commissioning self-assessment and standards toolkit for children's services."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as settings
from .web.templating import Toolkit


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then instance/config.py, then CSPTOOLKIT_* variables, then `config`."""
    app = Toolkit(__name__, instance_path=str(settings.INSTANCE_PATH), instance_relative_config=True)
    app.config.from_object(settings.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment(os.environ))
    app.config.update(config or {})
    if not app.config.get("MAX_CONTENT_LENGTH"):  # a page posts several evidence files at most
        app.config["MAX_CONTENT_LENGTH"] = 6 * app.config["MAX_EVIDENCE_BYTES"] + 1024 * 1024
    os.makedirs(app.instance_path, exist_ok=True)
    _check_secret_key(app)
    _configure_database(app)
    if app.config["TRUSTED_PROXIES"]:
        proxies = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    from .extensions import babel, csrf, limiter, login_manager, migrate, task_queue
    from .extensions.database import db

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    task_queue.init_app(app)

    from . import cli
    from .web import init_web, select_locale
    from .web.auth import SessionCookies

    app.session_interface = SessionCookies()

    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    init_web(app)
    cli.register(app)
    return app


def _check_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV"] == "production":
        raise RuntimeError("CSPTOOLKIT_SECRET_KEY must be set in production (CSPTOOLKIT_ENV=production).")
    app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path) / "secret_key")


def instance_secret_key(path: Path) -> str:
    """The key in `path`, made there (random, mode 0600) the first time.

    A key in the code would let anyone forge sessions and signed form fields of every install that kept it. Kept
    in a file so that sessions survive a restart and gunicorn's workers agree. Race-safe: the key is written whole
    to a file of its own and then linked into place, which fails if another process got there first (and that
    process's key is used), so no process ever reads a half-written key.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs is the key
            os.link(candidate, path)
    finally:
        candidate.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key: delete it to have a new one made.")
    return key


def _configure_database(app: Flask) -> None:
    """On PostgreSQL, a named schema keeps test runs (or tenants) apart; every connection uses it."""
    schema = app.config.get("DATABASE_SCHEMA")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if schema and uri.startswith("postgresql"):
        connect_args = dict(options.get("connect_args", {}))
        connect_args["options"] = f"-csearch_path={schema}"
        options["connect_args"] = connect_args
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
