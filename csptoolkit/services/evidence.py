"""Evidence files: type checked from the content, size limited, stored under random names in instance/."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Answer, Assessment, EvidenceFile, User
from .assessments import NotAllowed, can_edit, can_view
from .audit import record
from .transaction import after_commit, after_rollback

# What the content must be, by what people call it; the file's own name and declared type are not trusted.
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "png": "image/png",
    "jpg": "image/jpeg",
}


@dataclass(frozen=True)
class Quota:
    """How much evidence an assessment may hold, so that one authority cannot fill the shared disk."""

    max_bytes: int  # one file
    files_per_answer: int
    files_per_assessment: int
    bytes_per_assessment: int


class EvidenceRejected(ValueError):
    """The file cannot be kept: `reason` is empty, too_large, wrong_type, answer_full, assessment_full or
    assessment_too_large (the page words it)."""

    def __init__(self, reason: str, filename: str):
        self.reason = reason
        self.filename = filename
        super().__init__(f"{filename}: {reason}")


def detect(head: bytes) -> str | None:
    """The allowed kind this content really is, or None."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    if kind.extension in ALLOWED:
        return kind.extension
    return None


def held(session: Session, assessment: Assessment) -> tuple[int, int]:
    """How many evidence files the assessment holds, and their bytes (those added in this transaction too)."""
    count, size = session.execute(
        select(func.count(EvidenceFile.id), func.coalesce(func.sum(EvidenceFile.size), 0))
        .join(Answer, Answer.id == EvidenceFile.answer_id).where(Answer.assessment_id == assessment.id)).one()
    return int(count), int(size)


def add(session: Session, user: User, assessment: Assessment, answer: Answer, filename: str, stream: BinaryIO,
        folder: Path, quota: Quota) -> EvidenceFile:
    if not can_edit(user, assessment):
        raise NotAllowed
    if len(answer.evidence_files) >= quota.files_per_answer:
        raise EvidenceRejected("answer_full", filename)
    count, size = held(session, assessment)
    if count >= quota.files_per_assessment:
        raise EvidenceRejected("assessment_full", filename)
    data = stream.read(quota.max_bytes + 1)
    if not data:
        raise EvidenceRejected("empty", filename)
    if len(data) > quota.max_bytes:
        raise EvidenceRejected("too_large", filename)
    if size + len(data) > quota.bytes_per_assessment:
        raise EvidenceRejected("assessment_too_large", filename)
    kind = detect(data[:8192])
    if kind is None:
        raise EvidenceRejected("wrong_type", filename)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path, partial = folder / stored_name, folder / f"{stored_name}.partial"
    with open(partial, "xb") as handle:  # under a name nothing refers to, until the row that names it commits
        handle.write(data)
    after_commit(session, lambda: os.replace(partial, path))
    after_rollback(session, lambda: partial.unlink(missing_ok=True))
    safe_name = os.path.basename(filename.replace("\\", "/"))[:200] or f"evidence.{kind}"
    evidence = EvidenceFile(filename=safe_name, stored_name=stored_name, content_type=ALLOWED[kind],
                            size=len(data), uploaded_by_id=user.id)
    answer.evidence_files.append(evidence)
    record(session, user, "evidence.added", assessment, subject=answer.criterion.key, new={"file": safe_name})
    session.flush()
    return evidence


def remove(session: Session, user: User, assessment: Assessment, evidence: EvidenceFile, folder: Path) -> None:
    if not can_edit(user, assessment):
        raise NotAllowed
    answer = session.get(Answer, evidence.answer_id)
    record(session, user, "evidence.removed", assessment, subject=answer.criterion.key if answer else None,
           old={"file": evidence.filename})
    session.delete(evidence)
    session.flush()
    path = folder / evidence.stored_name
    after_commit(session, lambda: path.unlink(missing_ok=True))  # a rollback keeps the row, so it keeps the file


def remove_from(session: Session, user: User, assessment: Assessment, evidence_id: int, folder: Path) -> bool:
    """Remove one of this assessment's evidence files; False (and nothing done) when it is not one of them."""
    evidence = session.get(EvidenceFile, evidence_id)
    if evidence is None or evidence.answer_id not in {a.id for a in assessment.answers}:
        return False
    remove(session, user, assessment, evidence, folder)
    return True


def for_download(session: Session, user: User, evidence_id: int) -> tuple[EvidenceFile, Assessment]:
    evidence = session.get(EvidenceFile, evidence_id)
    if evidence is None:
        raise NotAllowed
    answer = session.get(Answer, evidence.answer_id)
    if answer is None or not can_view(session, user, answer.assessment):
        raise NotAllowed
    return evidence, answer.assessment
