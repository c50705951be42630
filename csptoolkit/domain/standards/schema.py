"""The structure of a standards file, checked by pydantic, its errors in plain words, and building the model."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from ..text import as_text
from .located import KeyPath, Located
from .model import Band, Criterion, Dependency, Domain, Framework, ScaleLevel, Standard
from .serialisation import content_hash

# --------------------------------------------------------------------------------------------------------
# The file's structure (unknown keys, missing fields, wrong types)

TextField = StrictStr | dict[Literal["en", "cy"], StrictStr]
Weight = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
Slug = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Dependency(_Strict):
    criterion: StrictStr
    min_level: StrictInt


class CriterionSchema(_Strict):
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
    criteria: list[CriterionSchema] = Field(min_length=1)


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


class FileSchema(_Strict):
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


def structure_problems(error: ValidationError, located: Located) -> list[tuple[int, str]]:
    """(line, message) for each of pydantic's errors, one message per problem."""
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
# Setting structural problems aside, so the rest of the file can still be checked

# Fields of a domain, standard or criterion that may be set aside, so the rest of a file with a structural
# problem can still be checked by the rules; what replaces them is never itself reported on.
_NEUTRAL = {"title": "-", "text": "-", "guidance": None, "type": "level", "weight": 1, "mandatory": False,
            "allow_na": False, "minimum_level": None, "evidence_from": None, "depends_on": None, "actions": {}}
_ITEMS = ("domains", "standards", "criteria")


def salvage(data: dict, error: ValidationError) -> tuple[FileSchema, list[KeyPath]] | None:
    """The file with its structural problems set aside (unknown keys dropped, bad fields of a domain, standard
    or criterion made neutral), and the items touched; None when a problem is outside those items."""
    cleaned = copy.deepcopy(data)
    touched: list[KeyPath] = []
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
        return FileSchema.model_validate(cleaned), touched
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


# --------------------------------------------------------------------------------------------------------
# Building the model


def build(doc: FileSchema, raw: Any) -> Framework:
    """The model of a valid file; its content hash is of the data as read (`raw`), not of the model."""
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
