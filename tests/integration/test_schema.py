"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from csptoolkit.extensions import migrate
from csptoolkit.extensions.database import db

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_and_models_agree(app) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_head_file_names_the_single_head(app) -> None:
    config = migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert heads == [(ROOT / "migrations" / "HEAD").read_text().strip()]


def test_audit_log_is_append_only(app) -> None:
    db.session.execute(text("INSERT INTO audit_log (at, action) VALUES (CURRENT_TIMESTAMP, 'test.event')"))
    db.session.commit()
    for statement in ("UPDATE audit_log SET action = 'changed'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.execute(text("SELECT action FROM audit_log")).scalars().all() == ["test.event"]


def test_migrating_down_and_up_keeps_every_row(seeded_app) -> None:
    """SQLite rebuilds a table to change it: the rows that refer to it must survive (foreign keys are off)."""
    from flask_migrate import downgrade, upgrade

    tables = ("assessments", "answers", "assessment_scores", "review_assignments", "organisations")

    def counts(where: str = "WHERE confidence = ''") -> dict[str, int]:
        # The scores of only the answers at a lowest confidence (006) are dropped going down: derived, and the
        # older schema has nowhere to keep them. Every other row must survive.
        return {t: db.session.execute(text(f"SELECT count(*) FROM {t} {where if t == 'assessment_scores' else ''}"))
                .scalar_one() for t in tables}

    before = counts()
    assert before["answers"] > 20000
    db.session.remove()
    downgrade(revision="001")
    assert counts(where="") == before
    db.session.remove()
    upgrade()
    assert counts() == before
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == (ROOT / "migrations" / "HEAD").read_text().strip()
