"""csptoolkit: the commissioning self-assessment and standards toolkit for children's services."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from . import config as settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then instance/config.py, then CSPTOOLKIT_* variables, then `config`."""
    app = Flask(__name__, instance_path=str(settings.INSTANCE_PATH), instance_relative_config=True)
    app.config.from_object(settings.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment(os.environ))
    app.config.update(config or {})
    if not app.config.get("MAX_CONTENT_LENGTH"):  # a page posts several evidence files at most
        app.config["MAX_CONTENT_LENGTH"] = 6 * app.config["MAX_EVIDENCE_BYTES"] + 1024 * 1024
    _check_secret_key(app)
    _configure_database(app)

    from .extensions import babel, csrf, db, login_manager, migrate

    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import cli
    from .web import init_web, select_locale

    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    init_web(app)
    cli.register(app)
    return app


def _check_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV"] == "production":
        raise RuntimeError("CSPTOOLKIT_SECRET_KEY must be set in production (CSPTOOLKIT_ENV=production).")
    app.config["SECRET_KEY"] = "development-only-secret-key-not-for-production"


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
