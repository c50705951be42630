"""Configuration: defaults, then instance/config.py, then CSPTOOLKIT_* variables; production needs a secret."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest

from csptoolkit import config, create_app, instance_secret_key


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


def test_without_a_configured_key_one_is_made_once_in_instance(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSPTOOLKIT_SECRET_KEY", raising=False)
    monkeypatch.delenv("CSPTOOLKIT_ENV", raising=False)
    monkeypatch.setattr(config, "INSTANCE_PATH", tmp_path / "instance")
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"]
    path = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 43 and first != "development-only-secret-key-not-for-production"
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] == first  # kept
    other = tmp_path / "elsewhere" / "instance"
    monkeypatch.setattr(config, "INSTANCE_PATH", other)
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] != first  # random per install


def test_processes_starting_together_agree_on_one_key(tmp_path) -> None:
    """gunicorn starts its workers at once: each must end up with the same key, and none with half of one."""
    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(max_workers=4, mp_context=get_context("spawn")) as pool:
        keys = set(pool.map(instance_secret_key, [path] * 8))
    assert keys == {path.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no candidate left behind


def test_a_key_file_without_a_usable_key_is_refused(tmp_path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("short\n")
    with pytest.raises(RuntimeError, match="no usable secret key"):
        instance_secret_key(path)


def test_rate_limit_store_and_proxies_come_from_the_environment() -> None:
    settings = config.from_environment({"CSPTOOLKIT_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2",
                                        "CSPTOOLKIT_TRUSTED_PROXIES": "1"})
    assert settings == {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2", "TRUSTED_PROXIES": 1}
    # The embedded default is a file every gunicorn worker shares, not each worker's memory.
    default = config.Defaults.RATELIMIT_STORAGE_URI
    assert default == f"sqlite:///{config.INSTANCE_PATH / 'ratelimits.sqlite3'}"
