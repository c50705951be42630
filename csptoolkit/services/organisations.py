"""Importing the organisation register: English authorities with statistical neighbours, Welsh authorities."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Cycle, Organisation, StatisticalNeighbour
from ..models.organisation import ENGLAND, WALES
from .scores import scores_changed

ENGLAND_FILE = "england_upper_tier_las_2025.csv"
NEIGHBOURS_FILE = "dfe_statistical_neighbours_may2025_long.csv"
WALES_FILE = "wales_local_authorities_2025.csv"
CLOSENESS = ("Extremely close", "Very close", "Close", "Somewhat close", "Not close")
WELSH_TYPE = "Welsh unitary authority"


class ImportProblem(Exception):
    """A bad row: names the file and line; nothing has been imported."""


@dataclass
class ImportReport:
    england: int = 0
    wales: int = 0
    neighbour_links: int = 0
    added: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportProblem(f"{path.name}:1: missing column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            empty = [c for c in required if not (row.get(c) or "").strip()]
            if empty:
                raise ImportProblem(f"{path.name}:{line}: empty {', '.join(empty)}")
            yield line, {k: (v or "").strip() for k, v in row.items() if k}


def import_register(session: Session, folder: Path) -> ImportReport:
    """Create or update every organisation and replace the statistical neighbours (caller commits)."""
    report = ImportReport()
    existing = {o.code: o for o in session.execute(select(Organisation)).scalars()}
    seen: dict[str, str] = {}

    def upsert(code: str, values: dict[str, str | None], where: str) -> None:
        if code in seen:
            raise ImportProblem(f"{where}: authority code {code} appears again (first at {seen[code]})")
        seen[code] = where
        organisation = existing.get(code)
        if organisation is None:
            organisation = Organisation(code=code)
            session.add(organisation)
            existing[code] = organisation
            report.added += 1
        elif any(getattr(organisation, k) != v for k, v in values.items()):
            report.updated += 1
        for name, value in values.items():
            setattr(organisation, name, value)

    england = folder / ENGLAND_FILE
    for line, row in _rows(england, ("dfe_la_code", "la_name", "gss_code", "la_type", "region_name", "dfe_region")):
        code = _code(row["dfe_la_code"], f"{england.name}:{line}")
        upsert(code, {"name": row["la_name"], "gss_code": row["gss_code"], "nation": ENGLAND,
                      "org_type": row["la_type"], "type_code": row.get("lait_type_code") or None,
                      "region_code": row.get("region_code") or None, "region_name": row["region_name"],
                      "dfe_region": row["dfe_region"]}, f"{england.name}:{line}")
        report.england += 1
    wales = folder / WALES_FILE
    for line, row in _rows(wales, ("gss_code", "la_name", "dfe_gias_la_code")):
        code = _code(row["dfe_gias_la_code"], f"{wales.name}:{line}")
        upsert(code, {"name": row["la_name"], "gss_code": row["gss_code"], "nation": WALES,
                      "org_type": WELSH_TYPE, "type_code": "WUA", "region_code": None, "region_name": "Wales",
                      "dfe_region": "Wales"}, f"{wales.name}:{line}")
        report.wales += 1
    session.flush()
    report.neighbour_links = _import_neighbours(session, folder / NEIGHBOURS_FILE, existing)
    if report.added or report.updated:  # names, regions and groups are part of what a benchmark shows
        for cycle_id in session.execute(select(Cycle.id)).scalars():
            scores_changed(session, cycle_id)
    return report


def _code(value: str, where: str) -> str:
    if not value.isdigit() or len(value) != 3:
        raise ImportProblem(f"{where}: authority code {value!r} is not a 3-digit DfE code")
    return value


def _import_neighbours(session: Session, path: Path, organisations: dict[str, Organisation]) -> int:
    links: dict[str, list[tuple[int, str, str, str]]] = {}
    for line, row in _rows(path, ("la_code", "rank", "sn_la_code", "closeness")):
        where = f"{path.name}:{line}"
        code, neighbour = _code(row["la_code"], where), _code(row["sn_la_code"], where)
        for value in (code, neighbour):
            if value not in organisations or organisations[value].nation != ENGLAND:
                raise ImportProblem(f"{where}: {value} is not an English authority in the register")
        if code == neighbour:
            raise ImportProblem(f"{where}: {code} cannot be its own statistical neighbour")
        if not row["rank"].isdigit() or not 1 <= int(row["rank"]) <= 10:
            raise ImportProblem(f"{where}: rank {row['rank']!r} is not 1 to 10")
        if row["closeness"] not in CLOSENESS:
            raise ImportProblem(f"{where}: closeness {row['closeness']!r} is not one of {', '.join(CLOSENESS)}")
        links.setdefault(code, []).append((int(row["rank"]), neighbour, row["closeness"], where))
    count = 0
    for code, rows in links.items():
        ranks = sorted(r[0] for r in rows)
        if ranks != list(range(1, len(rows) + 1)) or len({r[1] for r in rows}) != len(rows):
            raise ImportProblem(f"{path.name}: {code} must have distinct neighbours ranked 1..{len(rows)}, "
                                f"found ranks {ranks} (last at {rows[-1][3]})")
        organisation = organisations[code]
        wanted = {(rank, organisations[n].id, closeness) for rank, n, closeness, _ in rows}
        current = {(n.rank, n.neighbour_id, n.closeness) for n in organisation.neighbours}
        if wanted != current:
            organisation.neighbours.clear()
            session.flush()
            for rank, neighbour, closeness, _ in sorted(rows):
                organisation.neighbours.append(StatisticalNeighbour(
                    neighbour_id=organisations[neighbour].id, rank=rank, closeness=closeness))
        count += len(rows)
    return count
