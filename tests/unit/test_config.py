"""Configuration: defaults, then instance/config.py, then CSPTOOLKIT_* variables; production needs a secret."""

from __future__ import annotations

import pytest

from csptoolkit import config, create_app


def test_environment_variables_override_the_defaults() -> None:
    settings = config.from_environment({
        "CSPTOOLKIT_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
        "CSPTOOLKIT_SECRET_KEY": "s3cret", "CSPTOOLKIT_DISCLOSURE_THRESHOLD": "7",
        "DATABASE_URL": "sqlite:///ignored.sqlite3",
    })
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert settings["SECRET_KEY"] == "s3cret" and settings["DISCLOSURE_THRESHOLD"] == 7


def test_database_url_is_used_when_ours_is_not_set() -> None:
    assert config.from_environment({"DATABASE_URL": "postgres://u@h/db"})["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u@h/db")


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSPTOOLKIT_SECRET_KEY", raising=False)
    monkeypatch.setenv("CSPTOOLKIT_ENV", "production")
    with pytest.raises(RuntimeError, match="CSPTOOLKIT_SECRET_KEY must be set in production"):
        create_app()
    monkeypatch.setenv("CSPTOOLKIT_SECRET_KEY", "a-real-secret")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["SECRET_KEY"] == "a-real-secret"


def test_the_default_database_is_sqlite_in_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("CSPTOOLKIT_DATABASE_URL", "DATABASE_URL", "CSPTOOLKIT_ENV"):
        monkeypatch.delenv(variable, raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{config.INSTANCE_PATH / 'csptoolkit.sqlite3'}"
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
