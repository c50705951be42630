"""Problems in standards files, with where they are, and the rules a file's structure cannot express."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .located import KeyPath, Located
from .schema import CriterionSchema, FileSchema


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at a line; sorts by file, then line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class StandardsError(Exception):
    """A standards file (or set of files) is not valid; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --------------------------------------------------------------------------------------------------------
# Rules the structure cannot express


def check_rules(doc: FileSchema, located: Located, skip: Iterable[KeyPath] = ()) -> list[tuple[int, str]]:
    """Problems the structure cannot express; none is reported inside the items named by `skip`."""
    problems: list[tuple[int, str]] = []
    skipped = tuple(skip)

    def add(path: Iterable[Any], message: str) -> None:
        path = tuple(path)
        # Inside a touched item only its id can still be trusted (a duplicate id is still worth reporting).
        if not any(path[: len(prefix)] == prefix and path[len(prefix): len(prefix) + 1] != ("id",)
                   for prefix in skipped):
            problems.append((located.line(path), message))

    top = _check_scale_and_bands(doc, add)

    domain_paths = [("domains", i, "id") for i in range(len(doc.domains))]
    _duplicates([d.id for d in doc.domains], domain_paths, "domain", add)
    standard_ids, standard_paths, criterion_ids, criterion_paths = [], [], [], []
    criteria: dict[str, tuple[CriterionSchema, KeyPath]] = {}
    for di, domain in enumerate(doc.domains):
        for si, standard in enumerate(domain.standards):
            standard_ids.append(standard.id)
            standard_paths.append(("domains", di, "standards", si, "id"))
            for ci, criterion in enumerate(standard.criteria):
                path = ("domains", di, "standards", si, "criteria", ci)
                criterion_ids.append(criterion.id)
                criterion_paths.append((*path, "id"))
                criteria.setdefault(criterion.id, (criterion, path))
    _duplicates(standard_ids, standard_paths, "standard", add)
    _duplicates(criterion_ids, criterion_paths, "criterion", add)

    for criterion, path in criteria.values():
        _check_criterion(criterion, path, top, criteria, add)
    _check_dependency_cycles(criteria, add)

    _check_crosswalk(doc, criteria, add)
    return problems


def _check_scale_and_bands(doc: FileSchema, add: Any) -> int:
    values = [level.value for level in doc.scale]
    if values != list(range(len(values))):
        add(("scale",), f"scale values must run 0, 1, 2, ... in order, not {values}")

    band_ids = [b.id for b in doc.bands]
    if doc.bands[0].min != 0:
        add(("bands", 0, "min"), f"the first band must start at 0, not {doc.bands[0].min}")
    for i in range(1, len(doc.bands)):
        if doc.bands[i].min <= doc.bands[i - 1].min:
            add(("bands", i, "min"), f"band thresholds must be ascending: band {doc.bands[i].id} starts at "
                f"{doc.bands[i].min}, not above band {doc.bands[i - 1].id} at {doc.bands[i - 1].min}")
    _duplicates(band_ids, [("bands", i, "id") for i in range(len(band_ids))], "band", add)
    if doc.gate_band not in band_ids:
        add(("gate_band",), f"gate_band '{doc.gate_band}' is not one of the bands ({', '.join(band_ids)})")

    return max(values)


def _check_crosswalk(doc: FileSchema, criteria: Mapping[str, Any], add: Any) -> None:
    if doc.crosswalk is not None and doc.supersedes is None:
        add(("crosswalk",), "a crosswalk needs 'supersedes': the version whose criteria it maps from")
    if doc.supersedes is not None and doc.supersedes == doc.version:
        add(("supersedes",), f"version {doc.version} cannot supersede itself")
    for old_id, new_ids in (doc.crosswalk or {}).items():
        for i, new_id in enumerate(new_ids):
            if new_id not in criteria:
                add(("crosswalk", old_id, i), f"crosswalk maps {old_id} to {new_id}, which is not a criterion "
                    f"of version {doc.version}")


def _duplicates(ids: list[str], paths: list[KeyPath], kind: str, add: Any) -> None:
    seen: set[str] = set()
    for ident, path in zip(ids, paths, strict=True):
        if ident in seen:
            add(path, f"duplicate {kind} id '{ident}'")
        seen.add(ident)


def _check_criterion(criterion: CriterionSchema, path: KeyPath, top: int, criteria: Mapping[str, Any],
                     add: Any) -> None:
    where = f" (in criterion {criterion.id})"
    if criterion.mandatory and criterion.minimum_level is None:
        add((*path, "mandatory"), f"a mandatory criterion needs a minimum_level{where}")
    if criterion.minimum_level is not None and not criterion.mandatory:
        add((*path, "minimum_level"), f"minimum_level is only used with mandatory: true{where}")
    for name in ("minimum_level", "evidence_from"):
        value = getattr(criterion, name)
        if value is not None and not 0 <= value <= top:
            add((*path, name), f"{name} {value} is outside the scale 0..{top}{where}")
    for level in criterion.actions:
        if not 0 <= level <= top:
            add((*path, "actions", level), f"an action for level {level}, which is outside the scale 0..{top}"
                f"{where}")
    dependency = criterion.depends_on
    if dependency is not None:
        if dependency.criterion == criterion.id:
            add((*path, "depends_on"), f"criterion {criterion.id} depends on itself")
        elif dependency.criterion not in criteria:
            add((*path, "depends_on", "criterion"), f"depends_on names criterion '{dependency.criterion}', "
                f"which does not exist{where}")
        if not 0 <= dependency.min_level <= top:
            add((*path, "depends_on", "min_level"), f"depends_on min_level {dependency.min_level} is outside "
                f"the scale 0..{top}{where}")


def _check_dependency_cycles(criteria: Mapping[str, tuple[CriterionSchema, KeyPath]], add: Any) -> None:
    reported: set[frozenset[str]] = set()
    for start, (criterion, path) in criteria.items():
        chain = [start]
        current = criterion
        while current.depends_on is not None and current.depends_on.criterion in criteria:
            target = current.depends_on.criterion
            if target == start and len(chain) > 1:
                cycle = frozenset(chain)
                if cycle not in reported:
                    reported.add(cycle)
                    add((*path, "depends_on"), "depends_on forms a cycle: " + " -> ".join([*chain, start]))
                break
            if target in chain:
                break
            chain.append(target)
            current = criteria[target][0]

