"""Default configuration; instance/config.py and then CSPTOOLKIT_* environment variables override it."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("CSPTOOLKIT_INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()


class Defaults:
    """Settings for the embedded default: one machine, SQLite in instance/, a secret key made once in instance/."""

    ENV = "development"
    # Unset outside production: create_app makes a random one into instance/secret_key (never a key in the code).
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_PATH / 'csptoolkit.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DATABASE_SCHEMA: str | None = None
    STANDARDS_PATH = str(PROJECT_ROOT / "standards")
    REFERENCE_DATA_PATH = str(PROJECT_ROOT / "csptoolkit" / "data")
    EVIDENCE_PATH = str(INSTANCE_PATH / "evidence")
    EXPORTS_PATH = str(INSTANCE_PATH / "exports")
    MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # one file
    MAX_EVIDENCE_FILES_PER_ANSWER = 5
    MAX_EVIDENCE_FILES_PER_ASSESSMENT = 200
    MAX_EVIDENCE_BYTES_PER_ASSESSMENT = 500 * 1024 * 1024
    MAX_FORM_PARTS = 400  # a standard's page has a few dozen fields and a few files per question
    DISCLOSURE_THRESHOLD = 5
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/London"
    LANGUAGES = ("en", "cy")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # The browser's cookie (language, and what ties a page's form to this browser) outlives a sign-in, so that a
    # save posted after the sign-in ended can still be proved to come from this browser and kept until it is back.
    PERMANENT_SESSION_LIFETIME = 7 * 24 * 3600
    # A sign-in is a row in user_sessions, checked on every request: it ends after this long without a request,
    # this long after it began whatever happens, or when revoked (sign-out, password reset, deactivation).
    SIGN_IN_IDLE_TIMEOUT = 8 * 3600
    SIGN_IN_MAX_AGE = 24 * 3600
    TASK_QUEUE_URL = f"sqlite:///{INSTANCE_PATH / 'tasks.sqlite3'}"
    # Reverse proxies in front of the app whose X-Forwarded-For and -Proto are trusted (the client address is what
    # sign-in and the API are throttled by). 0: the connecting address is the client's.
    TRUSTED_PROXIES = 0
    # Throttling (Flask-Limiter, fixed windows). The store must be shared by every worker process: a SQLite file in
    # instance/ on one machine, Redis (redis://...) across machines; memory:// only for a single process.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = f"sqlite:///{INSTANCE_PATH / 'ratelimits.sqlite3'}"
    RATELIMIT_KEY_PREFIX = "csptoolkit"
    # Sign-in attempts are counted before the password is checked, whether or not the account exists; windows are
    # short, so whoever shares an address with someone guessing waits minutes, not hours.
    SIGN_IN_LIMIT_PER_ADDRESS = "30 per minute; 300 per hour"
    # Per account from one address, or from one browser that has signed in to that account before.
    SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT = "5 per minute"
    # Per account from all browsers that have never signed in to it: slows guessing from many addresses (at most
    # 120 tries an hour), and cannot keep out a browser the person has signed in with before.
    SIGN_IN_LIMIT_PER_ACCOUNT = "20 per 10 minutes"
    # Email to the people an action needs (services/mail.py): written as files under MAIL_PATH by default, so that a
    # newcomer can read them; "smtp" sends them through MAIL_SERVER.
    MAIL_BACKEND = "file"
    MAIL_PATH = str(INSTANCE_PATH / "mail")
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "csptoolkit@localhost"
    API_LIMIT_PER_ADDRESS = "300 per minute"
    API_FAILED_TOKEN_LIMIT_PER_ADDRESS = "10 per minute; 100 per day"


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
    "CSPTOOLKIT_MAX_EVIDENCE_FILES_PER_ANSWER": "MAX_EVIDENCE_FILES_PER_ANSWER",
    "CSPTOOLKIT_MAX_EVIDENCE_FILES_PER_ASSESSMENT": "MAX_EVIDENCE_FILES_PER_ASSESSMENT",
    "CSPTOOLKIT_MAX_EVIDENCE_BYTES_PER_ASSESSMENT": "MAX_EVIDENCE_BYTES_PER_ASSESSMENT",
    "CSPTOOLKIT_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "CSPTOOLKIT_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "CSPTOOLKIT_MAIL_BACKEND": "MAIL_BACKEND",
    "CSPTOOLKIT_MAIL_PATH": "MAIL_PATH",
    "CSPTOOLKIT_MAIL_SERVER": "MAIL_SERVER",
    "CSPTOOLKIT_MAIL_PORT": "MAIL_PORT",
    "CSPTOOLKIT_MAIL_USE_TLS": "MAIL_USE_TLS",
    "CSPTOOLKIT_MAIL_USERNAME": "MAIL_USERNAME",
    "CSPTOOLKIT_MAIL_PASSWORD": "MAIL_PASSWORD",
    "CSPTOOLKIT_MAIL_FROM": "MAIL_FROM",
}
INTEGER_SETTINGS = {"DISCLOSURE_THRESHOLD", "MAX_EVIDENCE_BYTES", "TRUSTED_PROXIES", "MAX_EVIDENCE_FILES_PER_ANSWER",
                    "MAX_EVIDENCE_FILES_PER_ASSESSMENT", "MAX_EVIDENCE_BYTES_PER_ASSESSMENT", "MAIL_PORT"}
BOOLEAN_SETTINGS = {"MAIL_USE_TLS"}


def from_environment(environ: dict[str, str] | os._Environ) -> dict[str, object]:
    """Settings named by CSPTOOLKIT_* variables (CSPTOOLKIT_DATABASE_URL wins over DATABASE_URL)."""
    settings: dict[str, object] = {}
    for variable in sorted(ENVIRONMENT, key=lambda v: v.startswith("CSPTOOLKIT_")):
        if environ.get(variable):
            name = ENVIRONMENT[variable]
            value: object = environ[variable]
            if name in INTEGER_SETTINGS:
                value = int(str(value))
            if name in BOOLEAN_SETTINGS:
                value = str(value).strip().lower() in ("1", "true", "yes", "on")
            if name == "SQLALCHEMY_DATABASE_URI" and str(value).startswith("postgres://"):
                value = "postgresql://" + str(value)[len("postgres://"):]
            if name == "SQLALCHEMY_DATABASE_URI" and str(value).startswith("postgresql://"):
                value = "postgresql+psycopg://" + str(value)[len("postgresql://"):]
            settings[name] = value
    return settings
