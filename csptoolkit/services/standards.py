"""Loading standards files into the database: all or nothing, idempotent, published versions immutable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import standards as rules
from ..models import Criterion, CrosswalkLink, Domain, Framework, FrameworkVersion, Standard
from .scores import refresh_comparable
from .standards_files import load_files


@dataclass
class LoadReport:
    loaded: list[str]
    unchanged: list[str]


class LoadRefused(Exception):
    """A file cannot be loaded; the message says why and what to do."""


def load(session: Session, paths: Sequence[Path]) -> LoadReport:
    """Store every file's framework version, or none of them (the caller commits or rolls back)."""
    existing = {(v.framework.slug, v.version): v for v in session.execute(select(FrameworkVersion)).scalars()}
    frameworks = load_files(paths, known={k: v.rules() for k, v in existing.items()})
    # Older versions first, so a new version's supersedes and crosswalk find the rows they point at.
    frameworks.sort(key=lambda f: (f.framework, f.supersedes is not None, f.version))
    report = LoadReport([], [])
    for framework in frameworks:
        key = (framework.framework, framework.version)
        label = f"{framework.framework} {framework.version}"
        stored = existing.get(key)
        if stored is not None:
            if stored.content_hash == framework.content_hash:
                report.unchanged.append(label)
                continue
            if stored.status != "draft":
                raise LoadRefused(
                    f"{label} is already loaded as {stored.status} with different content "
                    f"(hash {stored.content_hash[:12]}, file {framework.content_hash[:12]}). A {stored.status} "
                    "version never changes: publish the change as a new version (a new file with a new "
                    f"'version' and 'supersedes: \"{framework.version}\"').")
            session.delete(stored)
            session.flush()
        existing[key] = _store(session, framework, existing)
        report.loaded.append(label)
    session.flush()
    return report


def _store(session: Session, framework: rules.Framework,
           existing: dict[tuple[str, str], FrameworkVersion]) -> FrameworkVersion:
    parent = session.execute(select(Framework).filter_by(slug=framework.framework)).scalar_one_or_none()
    if parent is None:
        parent = Framework(slug=framework.framework)
        session.add(parent)
    supersedes = existing.get((framework.framework, framework.supersedes)) if framework.supersedes else None
    version = FrameworkVersion(
        framework=parent, version=framework.version, status=framework.status, title=framework.title,
        supersedes=supersedes, content_hash=framework.content_hash, document=rules.to_json(framework))
    session.add(version)
    session.flush()
    criteria: dict[str, Criterion] = {}
    for d_position, domain in enumerate(framework.domains):
        domain_row = Domain(framework_version_id=version.id, key=domain.id, title=domain.title,
                            weight=domain.weight, position=d_position)
        version.domains.append(domain_row)
        for s_position, standard in enumerate(domain.standards):
            standard_row = Standard(framework_version_id=version.id, key=standard.id, title=standard.title,
                                    weight=standard.weight, position=s_position)
            domain_row.standards.append(standard_row)
            for c_position, criterion in enumerate(standard.criteria):
                row = Criterion(
                    framework_version_id=version.id, key=criterion.id, text=criterion.text, type=criterion.type,
                    weight=criterion.weight, mandatory=criterion.mandatory,
                    minimum_level=criterion.minimum_level, allow_na=criterion.allow_na,
                    evidence_from=criterion.evidence_from, position=c_position)
                standard_row.criteria.append(row)
                criteria[criterion.id] = row
    session.flush()
    if supersedes is not None:
        old = {c.key: c for c in session.execute(
            select(Criterion).filter_by(framework_version_id=supersedes.id)).scalars()}
        for old_id, new_ids in framework.crosswalk.items():
            for new_id in new_ids:
                session.add(CrosswalkLink(framework_version_id=version.id, from_criterion_id=old[old_id].id,
                                          to_criterion_id=criteria[new_id].id))
        session.flush()
        refresh_comparable(session, version)  # trends compare the older version's assessments with this one
    return version


def version_by_label(session: Session, framework: str, version: str) -> FrameworkVersion | None:
    return session.execute(
        select(FrameworkVersion).join(Framework).where(Framework.slug == framework,
                                                       FrameworkVersion.version == version)
    ).scalar_one_or_none()
