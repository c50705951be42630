"""The standards file model: reading, validating (with file and line), content hash and crosswalk."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from .text import as_text

LEVEL = "level"
YESNO = "yesno"
STATUSES = ("draft", "published", "retired")


# --------------------------------------------------------------------------------------------------------
# The model the rest of the toolkit uses (plain, immutable data)


@dataclass(frozen=True)
class Dependency:
    criterion: str
    min_level: int


@dataclass(frozen=True)
class ScaleLevel:
    value: int
    label: dict[str, str]
    descriptor: dict[str, str]


@dataclass(frozen=True)
class Band:
    id: str
    min: Decimal
    label: dict[str, str]


@dataclass(frozen=True)
class Criterion:
    id: str
    text: dict[str, str]
    type: str = LEVEL
    weight: Decimal = Decimal(1)
    guidance: dict[str, str] = field(default_factory=dict)
    mandatory: bool = False
    minimum_level: int | None = None
    allow_na: bool = False
    evidence_from: int | None = None
    depends_on: Dependency | None = None
    actions: dict[int, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Standard:
    id: str
    title: dict[str, str]
    criteria: tuple[Criterion, ...]
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class Domain:
    id: str
    title: dict[str, str]
    standards: tuple[Standard, ...]
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class Framework:
    """One version of a standards framework, as read from its file."""

    framework: str
    version: str
    status: str
    title: dict[str, str]
    scale: tuple[ScaleLevel, ...]
    bands: tuple[Band, ...]
    gate_band: str
    domains: tuple[Domain, ...]
    description: dict[str, str] = field(default_factory=dict)
    supersedes: str | None = None
    crosswalk: dict[str, tuple[str, ...]] = field(default_factory=dict)
    content_hash: str = ""

    @property
    def max_level(self) -> int:
        return max(level.value for level in self.scale)

    @property
    def standards(self) -> list[Standard]:
        return [s for d in self.domains for s in d.standards]

    @property
    def criteria(self) -> list[Criterion]:
        return [c for s in self.standards for c in s.criteria]

    def criterion(self, criterion_id: str) -> Criterion:
        return self._criteria_by_id[criterion_id]

    @property
    def _criteria_by_id(self) -> dict[str, Criterion]:
        cached = self.__dict__.get("_by_id")
        if cached is None:
            cached = {c.id: c for c in self.criteria}
            object.__setattr__(self, "_by_id", cached)
        return cached

    def band(self, band_id: str) -> Band:
        return next(b for b in self.bands if b.id == band_id)


# --------------------------------------------------------------------------------------------------------
# Problems, with where they are


@dataclass(frozen=True, order=True)
class Problem:
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
# The file's structure, checked by pydantic (unknown keys, missing fields, wrong types)

TextField = StrictStr | dict[Literal["en", "cy"], StrictStr]
Weight = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
Slug = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Dependency(_Strict):
    criterion: StrictStr
    min_level: StrictInt


class _Criterion(_Strict):
    id: Slug
    text: TextField
    guidance: TextField | None = None
    type: Literal["level", "yesno"]
    weight: Weight = Decimal(1)
    mandatory: StrictBool = False
    minimum_level: StrictInt | None = None
    allow_na: StrictBool = False
    evidence_from: StrictInt | None = None
    depends_on: _Dependency | None = None
    actions: dict[StrictInt, TextField] = {}


class _Standard(_Strict):
    id: Slug
    title: TextField
    weight: Weight = Decimal(1)
    criteria: list[_Criterion] = Field(min_length=1)


class _Domain(_Strict):
    id: Slug
    title: TextField
    weight: Weight = Decimal(1)
    standards: list[_Standard] = Field(min_length=1)


class _ScaleLevel(_Strict):
    value: StrictInt
    label: TextField
    descriptor: TextField | None = None


class _Band(_Strict):
    id: Slug
    min: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]
    label: TextField


class _File(_Strict):
    framework: Slug
    version: StrictStr
    status: Literal["draft", "published", "retired"]
    title: TextField
    description: TextField | None = None
    supersedes: StrictStr | None = None
    scale: list[_ScaleLevel] = Field(min_length=2)
    bands: list[_Band] = Field(min_length=1)
    gate_band: StrictStr
    domains: list[_Domain] = Field(min_length=1)
    crosswalk: dict[StrictStr, list[StrictStr]] | None = None


# --------------------------------------------------------------------------------------------------------
# Reading YAML with line numbers

Path_ = tuple[Any, ...]


class _Located:
    """The data of one YAML document and the line of every key and list item in it."""

    def __init__(self, data: Any, lines: dict[Path_, int]):
        self.data = data
        self.lines = lines

    def line(self, path: Iterable[Any]) -> int:
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _construct(node: yaml.Node, path: Path_, lines: dict[Path_, int], problems: list[tuple[Path_, str]]) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(  # reuse PyYAML's scalar resolution for the key
                ""
            ).construct_object(key_node, deep=True)
            key_path = (*path, key)
            if key in result:
                lines[key_path] = key_node.start_mark.line + 1
                problems.append((key_path, f"key '{key}' appears twice here"))
            lines[key_path] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, key_path, lines, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), lines, problems) for i, item in enumerate(node.value)]
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _read_yaml(text: str) -> tuple[_Located | None, list[tuple[int, str]]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return None, [(line, f"YAML syntax error: {error.problem or error.context}")]
    if node is None:
        return None, [(1, "the file is empty")]
    lines: dict[Path_, int] = {}
    problems: list[tuple[Path_, str]] = []
    data = _construct(node, (), lines, problems)
    located = _Located(data, lines)
    return located, [(located.line(p), m) for p, m in problems]


# --------------------------------------------------------------------------------------------------------
# Turning pydantic's errors into plain messages


def _where(data: Any, loc: Sequence[Any]) -> str:
    """Name the thing a path points into, in the file's words: 'criterion L1.2', 'band met'."""
    names = {"domains": "domain", "standards": "standard", "criteria": "criterion", "bands": "band",
             "scale": "scale level"}
    label = ""
    node = data
    for i, key in enumerate(loc):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            kind = names.get(loc[i - 1], "item") if i else "item"
            ident = node.get("id", node.get("value")) if isinstance(node, dict) else None
            label = f"{kind} {ident}" if ident is not None else f"{kind} {key + 1}"
        else:
            break
    return f" (in {label})" if label else ""


def _path_part(loc: Sequence[Any]) -> tuple[list[Any], str]:
    """Split pydantic's loc into the path in the file and the field it names, dropping union tags."""
    path = [p for p in loc if not (isinstance(p, str) and ("[" in p or p in {"str", "int", "bool"}))]
    return path, str(path[-1]) if path else "file"


def _message(error: dict[str, Any], data: Any) -> tuple[list[Any], str]:
    path, name = _path_part(error["loc"])
    kind = error["type"]
    where = _where(data, path[:-1])
    if kind == "extra_forbidden":
        return path, f"unknown key '{name}'{where}"
    if kind == "missing":
        return path, f"missing required field '{name}'{where}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return path, f"'{name}' must be one of {expected}, not {error['input']!r}{where}"
    if kind == "string_pattern_mismatch":
        return path, f"'{name}' must be a slug of letters, digits, '.', '_' or '-', not {error['input']!r}{where}"
    if kind in {"string_type", "int_type", "bool_type", "dict_type", "list_type", "decimal_type",
                "model_type", "decimal_parsing", "int_parsing"}:
        wanted = {"string_type": "text", "int_type": "a whole number", "bool_type": "true or false",
                  "dict_type": "a mapping", "list_type": "a list", "model_type": "a mapping",
                  "decimal_type": "a number", "decimal_parsing": "a number", "int_parsing": "a whole number"}
        hint = ' (quote it, e.g. "2011.1")' if name in {"version", "supersedes"} else ""
        return path, f"'{name}' must be {wanted[kind]}, not {error['input']!r}{hint}{where}"
    if kind in {"greater_than", "greater_than_equal", "less_than_equal"}:
        return path, f"'{name}' {error['msg'].lower()}, not {error['input']!r}{where}"
    if kind == "too_short":
        return path, f"'{name}' must not be empty{where}"
    return path, f"'{name}': {error['msg']}{where}"


def _structure_problems(error: ValidationError, located: _Located) -> list[tuple[int, str]]:
    seen: dict[tuple[int, str], None] = {}
    for item in error.errors():
        path, message = _message(item, located.data)
        if any(isinstance(p, str) and p.startswith("dict[Literal") for p in item["loc"]) or (
                item["type"] == "string_type" and "str" in item["loc"]):
            # A text field is str | {en, cy}: pydantic reports both branches; one plain message is enough.
            name = str(path[-1]) if path else "text"
            if item["type"] in ("string_type", "dict_type"):
                hint = " (quote it: YAML reads yes, no, on and off as true or false)" if isinstance(
                    item["input"], bool) else ""
                message = (f"'{name}' must be text or a map of en/cy text, not {item['input']!r}{hint}"
                           f"{_where(located.data, path[:-1])}")
            elif item["type"] == "literal_error":
                message = f"'{item['input']}' is not a language this toolkit has (en, cy){_where(located.data, path)}"
                path = path[:-1] if path and path[-1] == "[key]" else path
        seen.setdefault((located.line(path), message), None)
    return list(seen)


# --------------------------------------------------------------------------------------------------------
# Rules the structure cannot express


def _check_rules(doc: _File, located: _Located, skip: Iterable[Path_] = ()) -> list[tuple[int, str]]:
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
    criteria: dict[str, tuple[_Criterion, Path_]] = {}
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


def _check_scale_and_bands(doc: _File, add: Any) -> int:
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


def _check_crosswalk(doc: _File, criteria: Mapping[str, Any], add: Any) -> None:
    if doc.crosswalk is not None and doc.supersedes is None:
        add(("crosswalk",), "a crosswalk needs 'supersedes': the version whose criteria it maps from")
    if doc.supersedes is not None and doc.supersedes == doc.version:
        add(("supersedes",), f"version {doc.version} cannot supersede itself")
    for old_id, new_ids in (doc.crosswalk or {}).items():
        for i, new_id in enumerate(new_ids):
            if new_id not in criteria:
                add(("crosswalk", old_id, i), f"crosswalk maps {old_id} to {new_id}, which is not a criterion "
                    f"of version {doc.version}")


def _duplicates(ids: list[str], paths: list[Path_], kind: str, add: Any) -> None:
    seen: set[str] = set()
    for ident, path in zip(ids, paths, strict=True):
        if ident in seen:
            add(path, f"duplicate {kind} id '{ident}'")
        seen.add(ident)


def _check_criterion(criterion: _Criterion, path: Path_, top: int, criteria: Mapping[str, Any], add: Any) -> None:
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


def _check_dependency_cycles(criteria: Mapping[str, tuple[_Criterion, Path_]], add: Any) -> None:
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


# --------------------------------------------------------------------------------------------------------
# Building the model


def content_hash(data: Any) -> str:
    """A hash of a file's meaning (not its layout or comments): the canonical JSON of its data."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _build(doc: _File, raw: Any) -> Framework:
    domains = tuple(
        Domain(
            id=d.id, title=as_text(d.title), weight=d.weight,
            standards=tuple(
                Standard(
                    id=s.id, title=as_text(s.title), weight=s.weight,
                    criteria=tuple(
                        Criterion(
                            id=c.id, text=as_text(c.text), guidance=as_text(c.guidance), type=c.type,
                            weight=c.weight, mandatory=c.mandatory, minimum_level=c.minimum_level,
                            allow_na=c.allow_na, evidence_from=c.evidence_from,
                            depends_on=Dependency(c.depends_on.criterion, c.depends_on.min_level)
                            if c.depends_on else None,
                            actions={level: as_text(text) for level, text in sorted(c.actions.items())},
                        )
                        for c in s.criteria
                    ),
                )
                for s in d.standards
            ),
        )
        for d in doc.domains
    )
    return Framework(
        framework=doc.framework, version=doc.version, status=doc.status, title=as_text(doc.title),
        description=as_text(doc.description), supersedes=doc.supersedes,
        scale=tuple(ScaleLevel(s.value, as_text(s.label), as_text(s.descriptor)) for s in doc.scale),
        bands=tuple(Band(b.id, b.min, as_text(b.label)) for b in doc.bands), gate_band=doc.gate_band,
        domains=domains, crosswalk={k: tuple(v) for k, v in (doc.crosswalk or {}).items()},
        content_hash=content_hash(raw),
    )


@dataclass
class CheckedFile:
    """One file as checked: the framework when it is valid on its own, and where its keys are."""

    name: str
    framework: Framework | None
    problems: list[Problem]
    located: _Located | None = None


def parse_text(text: str, name: str = "<standards>") -> CheckedFile:
    """Check one file's text on its own (everything but supersedes and the crosswalk's old ids)."""
    located, yaml_problems = _read_yaml(text)
    problems = [Problem(name, line, message) for line, message in yaml_problems]
    if located is None:
        return CheckedFile(name, None, problems)
    if not isinstance(located.data, dict):
        return CheckedFile(name, None, [Problem(name, 1, "a standards file must be a mapping of keys to values")])
    try:
        doc = _File.model_validate(located.data)
    except ValidationError as error:
        problems += [Problem(name, line, message) for line, message in _structure_problems(error, located)]
        salvaged = _salvage(located.data, error)
        if salvaged is not None:  # the rest of the file can still be checked: report its problems too
            doc, skip = salvaged
            problems += [Problem(name, line, message) for line, message in _check_rules(doc, located, skip)]
        return CheckedFile(name, None, sorted(set(problems)), located)
    problems += [Problem(name, line, message) for line, message in _check_rules(doc, located)]
    framework = None if problems else _build(doc, located.data)
    return CheckedFile(name, framework, problems, located)


# Fields of a domain, standard or criterion that may be set aside, so the rest of a file with a structural
# problem can still be checked by the rules; what replaces them is never itself reported on.
_NEUTRAL = {"title": "-", "text": "-", "guidance": None, "type": "level", "weight": 1, "mandatory": False,
            "allow_na": False, "minimum_level": None, "evidence_from": None, "depends_on": None, "actions": {}}
_ITEMS = ("domains", "standards", "criteria")


def _salvage(data: dict, error: ValidationError) -> tuple[_File, list[Path_]] | None:
    """The file with its structural problems set aside (unknown keys dropped, bad fields of a domain, standard
    or criterion made neutral), and the items touched; None when a problem is outside those items."""
    cleaned = copy.deepcopy(data)
    touched: list[Path_] = []
    for item in error.errors():
        path, _name = _path_part(item["loc"])
        if item["type"] == "extra_forbidden":
            parent = _follow(cleaned, path[:-1])
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
            continue
        # The innermost domain, standard or criterion the problem is in, and the field of it.
        cut = max((i for i in range(1, len(path)) if path[i - 1] in _ITEMS and isinstance(path[i], int)), default=None)
        if cut is None or cut + 1 >= len(path):
            return None
        field_name = path[cut + 1]
        allowed = _NEUTRAL if path[cut - 1] == "criteria" else ("title", "weight")
        if field_name not in allowed:
            return None
        holder = _follow(cleaned, path[: cut + 1])
        if not isinstance(holder, dict):
            return None
        holder[field_name] = _NEUTRAL[field_name]
        touched.append(tuple(path[: cut + 1]))
    try:
        return _File.model_validate(cleaned), touched
    except ValidationError:
        return None


def _follow(data: Any, path: Sequence[Any]) -> Any:
    for key in path:
        inside = (isinstance(data, dict) and key in data) or (
            isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data))
        if not inside:
            return None
        data = data[key]
    return data


def check_supersession(checked: CheckedFile, known: Mapping[tuple[str, str], Framework]) -> list[Problem]:
    """Check supersedes and the crosswalk's old ids against the versions known (files or database)."""
    framework = checked.framework
    if framework is None or framework.supersedes is None:
        return []
    located = checked.located
    assert located is not None
    previous = known.get((framework.framework, framework.supersedes))
    if previous is None:
        return [Problem(checked.name, located.line(("supersedes",)),
                        f"supersedes names version {framework.supersedes} of {framework.framework}, "
                        "which is not among the standards checked or loaded")]
    old_ids = {c.id for c in previous.criteria}
    return [
        Problem(checked.name, located.line(("crosswalk", old_id)),
                f"crosswalk maps from {old_id}, which is not a criterion of version {previous.version}")
        for old_id in framework.crosswalk
        if old_id not in old_ids
    ]


def check_files(paths: Sequence[Path], known: Mapping[tuple[str, str], Framework] | None = None
                ) -> tuple[list[Framework], list[Problem]]:
    """Check a set of files together; supersedes may name a file in the set or a version already known."""
    checked = [parse_text(_read(path), str(path)) for path in paths]
    problems = [p for c in checked for p in c.problems]
    versions: dict[tuple[str, str], Framework] = dict(known or {})
    seen: dict[tuple[str, str], str] = {}
    for item in checked:
        if item.framework is None:
            continue
        key = (item.framework.framework, item.framework.version)
        if key in seen:
            problems.append(Problem(item.name, 1, f"{key[0]} version {key[1]} is also defined in {seen[key]}"))
        seen[key] = item.name
        versions[key] = item.framework
    for item in checked:
        problems += check_supersession(item, versions)
    frameworks = [c.framework for c in checked if c.framework is not None]
    return frameworks, sorted(problems)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"# unreadable: {error}\n!!unreadable"


def load_files(paths: Sequence[Path], known: Mapping[tuple[str, str], Framework] | None = None) -> list[Framework]:
    """Read and check files; raise StandardsError with every problem unless all are valid."""
    frameworks, problems = check_files(paths, known)
    if problems:
        raise StandardsError(problems)
    return frameworks


def load_text(text: str, name: str = "<standards>") -> Framework:
    """Read one self-contained file's text (its supersedes is not resolved); raise on any problem."""
    checked = parse_text(text, name)
    if checked.framework is None:
        raise StandardsError(checked.problems)
    return checked.framework


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the *.yaml files of folders named, in a stable order."""
    result: list[Path] = []
    for path in paths:
        result += sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
    return result


# --------------------------------------------------------------------------------------------------------
# The crosswalk


def comparable_criteria(new: Framework) -> dict[str, str]:
    """New criterion id -> old criterion id, for criteria that map one to one (unchanged or reworded)."""
    targets: dict[str, list[str]] = {}
    for old_id, new_ids in new.crosswalk.items():
        for new_id in new_ids:
            targets.setdefault(new_id, []).append(old_id)
    return {
        new_id: old_ids[0]
        for new_id, old_ids in targets.items()
        if len(old_ids) == 1 and len(new.crosswalk[old_ids[0]]) == 1
    }


def restrict(framework: Framework, criterion_ids: set[str] | frozenset[str]) -> Framework:
    """The framework cut down to some criteria (for scores over crosswalk-comparable criteria only).

    A criterion whose depends_on target is left out goes too: its visibility could not be decided.
    """
    kept = {c.id for c in framework.criteria if c.id in criterion_ids
            and (c.depends_on is None or c.depends_on.criterion in criterion_ids)}
    domains = []
    for domain in framework.domains:
        standards = []
        for standard in domain.standards:
            criteria = tuple(c for c in standard.criteria if c.id in kept)
            if criteria:
                standards.append(replace(standard, criteria=criteria))
        if standards:
            domains.append(replace(domain, standards=tuple(standards)))
    return replace(framework, domains=tuple(domains), crosswalk={})


def to_json(framework: Framework) -> str:
    """A stable JSON form of the model, for storing beside the loaded rows."""
    def convert(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, tuple | list):
            return [convert(v) for v in value]
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if hasattr(value, "__dataclass_fields__"):
            return {name: convert(getattr(value, name)) for name in value.__dataclass_fields__}
        return value
    return json.dumps(convert(framework), ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> Framework:
    """Rebuild the model stored by to_json."""
    data = json.loads(text)

    def criterion(c: dict[str, Any]) -> Criterion:
        dep = c["depends_on"]
        return Criterion(
            id=c["id"], text=c["text"], type=c["type"], weight=Decimal(c["weight"]), guidance=c["guidance"],
            mandatory=c["mandatory"], minimum_level=c["minimum_level"], allow_na=c["allow_na"],
            evidence_from=c["evidence_from"],
            depends_on=Dependency(dep["criterion"], dep["min_level"]) if dep else None,
            actions={int(k): v for k, v in c["actions"].items()},
        )

    return Framework(
        framework=data["framework"], version=data["version"], status=data["status"], title=data["title"],
        description=data["description"], supersedes=data["supersedes"],
        scale=tuple(ScaleLevel(s["value"], s["label"], s["descriptor"]) for s in data["scale"]),
        bands=tuple(Band(b["id"], Decimal(b["min"]), b["label"]) for b in data["bands"]),
        gate_band=data["gate_band"],
        domains=tuple(
            Domain(d["id"], d["title"], tuple(
                Standard(s["id"], s["title"], tuple(criterion(c) for c in s["criteria"]), Decimal(s["weight"]))
                for s in d["standards"]), Decimal(d["weight"]))
            for d in data["domains"]
        ),
        crosswalk={k: tuple(v) for k, v in data["crosswalk"].items()},
        content_hash=data["content_hash"],
    )
