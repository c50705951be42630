"""Two editors saving one standard at once, against the app served by several gunicorn worker processes.

Twenty saves all carry the revision of the page as it was shown: exactly one may be told "saved", every other must
get the conflict page with its own input still on it, and no one may get an error (DESIGN §5). Runs on SQLite and,
with CSPTOOLKIT_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Answer, Assessment, Criterion, Cycle, Organisation
from csptoolkit.services import accounts
from csptoolkit.services.demo import DEMO_PASSWORD
from tests.served import hidden_fields, served, signed_in

SAVES = 20
SECOND_EDITOR = "deputy@leeds.example"


def _leeds_assessment(app: Flask) -> tuple[int, dict[str, list[str]]]:
    """Leeds's 2011 draft and, by standard key, the criterion keys that have stored answers."""
    organisation = db.session.execute(select(Organisation).filter_by(code="383")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    assessment = db.session.execute(
        select(Assessment).filter_by(organisation_id=organisation.id, cycle_id=cycle.id)).scalar_one()
    answered: dict[str, list[str]] = {}
    for key in db.session.execute(select(Criterion.key).join(Answer, Answer.criterion_id == Criterion.id)
                                  .where(Answer.assessment_id == assessment.id)).scalars():
        answered.setdefault(key.rsplit(".", 1)[0], []).append(key)
    return assessment.id, answered


def _stored(app: Flask, assessment_id: int, keys: list[str]) -> dict[str, int | None]:
    db.session.remove()
    rows = db.session.execute(
        select(Criterion.key, Answer.level).join(Answer, Answer.criterion_id == Criterion.id)
        .where(Answer.assessment_id == assessment_id, Criterion.key.in_(keys))).all()
    return dict(rows)


def _standard_with_answers(app: Flask, answered: dict[str, list[str]], wanted: bool) -> str:
    framework = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one().framework_version.rules()
    for standard in framework.standards:
        plain = all(c.depends_on is None and c.type == "level" for c in standard.criteria)
        if plain and bool(answered.get(standard.id)) == wanted:
            return standard.id
    raise AssertionError("the demo has no such standard")


@pytest.mark.parametrize("already_answered", [True, False], ids=["answered-standard", "empty-standard"])
def test_twenty_simultaneous_saves_from_two_editors_save_exactly_one(
        seeded_app: Flask, tmp_path: Path, already_answered: bool) -> None:
    accounts.create_user(db.session, SECOND_EDITOR, "editor", DEMO_PASSWORD, organisation_code="383")
    db.session.commit()
    assessment_id, answered = _leeds_assessment(seeded_app)
    key = _standard_with_answers(seeded_app, answered, already_answered)
    framework = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one().framework_version.rules()
    criteria = [c.id for c in next(s for s in framework.standards if s.id == key).criteria]
    before = _stored(seeded_app, assessment_id, criteria)
    url_path = f"/assessments/{assessment_id}/standards/{key}"

    with served(seeded_app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as base:
        editors = [signed_in(base, "editor@leeds.example"), signed_in(base, SECOND_EDITOR)]
        shown = [hidden_fields(e.get(base + url_path, timeout=30).text) for e in editors]
        assert shown[0]["revision"] == shown[1]["revision"]  # both opened the same version of the page
        # Save number i rates every criterion of the standard (i % 5) and writes its number in each note, so
        # what was stored says whose save it was.
        posts = []
        for i in range(SAVES):
            data = {**shown[i % 2], "save_continue": "Save and continue"}
            for index in range(len(criteria)):
                data[f"c{index}_answer"] = str(i % 5)
                data[f"c{index}_note"] = f"save {i}"
            posts.append((editors[i % 2], data))
        start = threading.Barrier(SAVES)

        def save(post):
            editor, data = post
            start.wait(timeout=60)
            return editor.post(base + url_path, data=data, allow_redirects=False, timeout=120)

        with ThreadPoolExecutor(SAVES) as pool:
            responses = list(pool.map(save, posts))

    statuses = [r.status_code for r in responses]
    assert sorted(set(statuses)) == [303, 409], statuses
    winners = [i for i, r in enumerate(responses) if r.status_code == 303]
    assert len(winners) == 1, statuses
    winner = winners[0]
    # What is stored is the one save that was told "saved", all of it.
    assert _stored(seeded_app, assessment_id, criteria) == {c: winner % 5 for c in criteria} != before
    notes = set(db.session.execute(
        select(Answer.evidence_note).join(Criterion, Criterion.id == Answer.criterion_id)
        .where(Answer.assessment_id == assessment_id, Criterion.key.in_(criteria))).scalars())
    assert notes == {f"save {winner}"}
    for i, response in enumerate(responses):
        if i == winner:
            continue
        page = response.text
        assert "someone else" in page.lower() or "changed" in page.lower(), page[:3000]
        # The person's own input is still on the page: their note and their choice, checked.
        assert f"save {i}" in page
        checked = re.findall(r'<input[^>]*name="c0_answer"[^>]*value="(\d)"[^>]*checked', page) + re.findall(
            r'<input[^>]*checked[^>]*name="c0_answer"[^>]*value="(\d)"', page)
        assert checked == [str(i % 5)], (i, checked)
