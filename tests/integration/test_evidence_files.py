"""Evidence files follow the transaction that refers to them: written into place and deleted only after it commits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from csptoolkit.extensions.database import db
from csptoolkit.models import Assessment, Cycle, EvidenceFile, Organisation, User
from csptoolkit.services import answers, evidence
from csptoolkit.services.transaction import has_uncommitted_changes, unit_of_work

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QUOTA = evidence.Quota(1024 * 1024, 5, 200, 10 * 1024 * 1024)


class Boom(Exception):
    pass


@pytest.fixture
def leeds(seeded_app: Flask) -> tuple[User, Assessment, Path]:
    leeds = db.session.execute(select(Organisation).filter_by(code="383")).scalar_one()
    cycle = db.session.execute(select(Cycle).filter_by(slug="2011")).scalar_one()
    assessment = db.session.execute(
        select(Assessment).filter_by(organisation_id=leeds.id, cycle_id=cycle.id)).scalar_one()
    editor = db.session.execute(select(User).filter_by(email="editor@leeds.example")).scalar_one()
    return editor, assessment, Path(seeded_app.config["EVIDENCE_PATH"])


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _add(editor: User, assessment: Assessment, folder: Path) -> EvidenceFile:
    answer = answers.answer_row(db.session, assessment, assessment.answers[0].criterion.key)
    return evidence.add(db.session, editor, assessment, answer, "plan.pdf", io.BytesIO(PDF), folder, QUOTA)


def test_a_file_added_in_a_transaction_that_rolls_back_leaves_nothing_on_disk(leeds) -> None:
    editor, assessment, folder = leeds
    with pytest.raises(Boom), unit_of_work(db.session):
        _add(editor, assessment, folder)
        assert not (folder / "x").exists()
        raise Boom
    assert _files(folder) == []
    assert db.session.execute(select(EvidenceFile)).first() is None


def test_a_file_added_reaches_its_place_only_when_the_row_commits(leeds) -> None:
    editor, assessment, folder = leeds
    with unit_of_work(db.session):
        stored = _add(editor, assessment, folder)
        name = stored.stored_name
        assert not (folder / name).exists()  # nothing refers to it yet outside this transaction
    assert _files(folder) == [name]
    assert (folder / name).read_bytes() == PDF


def test_a_removed_file_is_deleted_only_when_the_removal_commits(leeds) -> None:
    editor, assessment, folder = leeds
    with unit_of_work(db.session):
        stored = _add(editor, assessment, folder)
    name, evidence_id = stored.stored_name, stored.id

    with pytest.raises(Boom), unit_of_work(db.session):
        assert evidence.remove_from(db.session, editor, assessment, evidence_id, folder)
        raise Boom
    assert _files(folder) == [name]  # the row is back, and so is its file
    assert db.session.get(EvidenceFile, evidence_id) is not None

    with unit_of_work(db.session):
        assert evidence.remove_from(db.session, editor, assessment, evidence_id, folder)
    assert _files(folder) == []
    assert not has_uncommitted_changes(db.session)


def test_another_assessments_file_cannot_be_removed(leeds, seeded_app: Flask) -> None:
    editor, assessment, folder = leeds
    with unit_of_work(db.session):
        stored = _add(editor, assessment, folder)
    other = db.session.execute(select(Assessment).where(Assessment.id != assessment.id)).scalars().first()
    assert not evidence.remove_from(db.session, editor, other, stored.id, folder)
    assert _files(folder) == [stored.stored_name]


def test_a_save_refused_by_a_conflict_writes_no_file(leeds) -> None:
    editor, assessment, folder = leeds
    standard = assessment.cycle.framework_version.rules().standards[0]
    upload = answers.Upload(standard.criteria[0].id, "plan.pdf", io.BytesIO(PDF))
    with pytest.raises(answers.Conflict):
        answers.save_page(db.session, editor, assessment, standard.id, {}, "not-the-revision-shown",
                          uploads=[upload], folder=folder, quota=QUOTA)
    assert _files(folder) == []
    assert db.session.execute(select(EvidenceFile)).first() is None
