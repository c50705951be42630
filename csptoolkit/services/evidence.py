"""Evidence files: type checked from the content, size limited, stored under random names in instance/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy.orm import Session

from ..models import Answer, Assessment, EvidenceFile, User
from .assessments import NotAllowed, can_edit, can_view
from .audit import record

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


class EvidenceRejected(ValueError):
    """The file cannot be kept: `reason` is empty, too_large or wrong_type (the page words it)."""

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


def add(session: Session, user: User, assessment: Assessment, answer: Answer, filename: str, stream: BinaryIO,
        folder: Path, max_bytes: int) -> EvidenceFile:
    if not can_edit(user, assessment):
        raise NotAllowed
    data = stream.read(max_bytes + 1)
    if not data:
        raise EvidenceRejected("empty", filename)
    if len(data) > max_bytes:
        raise EvidenceRejected("too_large", filename)
    kind = detect(data[:8192])
    if kind is None:
        raise EvidenceRejected("wrong_type", filename)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = folder / stored_name
    with open(path, "xb") as handle:
        handle.write(data)
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
    (folder / evidence.stored_name).unlink(missing_ok=True)


def for_download(session: Session, user: User, evidence_id: int) -> tuple[EvidenceFile, Assessment]:
    evidence = session.get(EvidenceFile, evidence_id)
    if evidence is None:
        raise NotAllowed
    answer = session.get(Answer, evidence.answer_id)
    if answer is None or not can_view(session, user, answer.assessment):
        raise NotAllowed
    return evidence, answer.assessment
