"""Default configuration; instance/config.py and then CSPTOOLKIT_* environment variables override it."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("CSPTOOLKIT_INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()


class Defaults:
    """Settings for the embedded default: one machine, SQLite in instance/, development secret."""

    ENV = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_PATH / 'csptoolkit.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DATABASE_SCHEMA: str | None = None
    STANDARDS_PATH = str(PROJECT_ROOT / "standards")
    REFERENCE_DATA_PATH = str(PROJECT_ROOT / "csptoolkit" / "data")
    EVIDENCE_PATH = str(INSTANCE_PATH / "evidence")
    EXPORTS_PATH = str(INSTANCE_PATH / "exports")
    MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
    DISCLOSURE_THRESHOLD = 5
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/London"
    LANGUAGES = ("en", "cy")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    TASK_QUEUE_URL = f"sqlite:///{INSTANCE_PATH / 'tasks.sqlite3'}"


# Environment variables that override a setting, and the setting they set.
ENVIRONMENT = {
    "CSPTOOLKIT_ENV": "ENV",
    "CSPTOOLKIT_SECRET_KEY": "SECRET_KEY",
    "CSPTOOLKIT_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "CSPTOOLKIT_DATABASE_SCHEMA": "DATABASE_SCHEMA",
    "CSPTOOLKIT_STANDARDS_PATH": "STANDARDS_PATH",
    "CSPTOOLKIT_EVIDENCE_PATH": "EVIDENCE_PATH",
    "CSPTOOLKIT_EXPORTS_PATH": "EXPORTS_PATH",
    "CSPTOOLKIT_TASK_QUEUE_URL": "TASK_QUEUE_URL",
    "CSPTOOLKIT_DISCLOSURE_THRESHOLD": "DISCLOSURE_THRESHOLD",
    "CSPTOOLKIT_MAX_EVIDENCE_BYTES": "MAX_EVIDENCE_BYTES",
}
INTEGER_SETTINGS = {"DISCLOSURE_THRESHOLD", "MAX_EVIDENCE_BYTES"}


def from_environment(environ: dict[str, str] | os._Environ) -> dict[str, object]:
    """Settings named by CSPTOOLKIT_* variables (CSPTOOLKIT_DATABASE_URL wins over DATABASE_URL)."""
    settings: dict[str, object] = {}
    for variable in sorted(ENVIRONMENT, key=lambda v: v.startswith("CSPTOOLKIT_")):
        if environ.get(variable):
            name = ENVIRONMENT[variable]
            value: object = environ[variable]
            if name in INTEGER_SETTINGS:
                value = int(str(value))
            if name == "SQLALCHEMY_DATABASE_URI" and str(value).startswith("postgres://"):
                value = "postgresql://" + str(value)[len("postgres://"):]
            if name == "SQLALCHEMY_DATABASE_URI" and str(value).startswith("postgresql://"):
                value = "postgresql+psycopg://" + str(value)[len("postgresql://"):]
            settings[name] = value
    return settings
