"""Checking standards text into framework versions: one file's text on its own, or a set of texts together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from .checks import Problem, StandardsError, check_rules
from .located import Located, read_yaml
from .model import Framework
from .schema import FileSchema, build, salvage, structure_problems


@dataclass
class CheckedFile:
    """One file as checked: the framework when it is valid on its own, and where its keys are."""

    name: str
    framework: Framework | None
    problems: list[Problem]
    located: Located | None = None


def parse_text(text: str, name: str = "<standards>") -> CheckedFile:
    """Check one file's text on its own (everything but supersedes and the crosswalk's old ids)."""
    located, yaml_problems = read_yaml(text)
    problems = [Problem(name, line, message) for line, message in yaml_problems]
    if located is None:
        return CheckedFile(name, None, problems)
    if not isinstance(located.data, dict):
        return CheckedFile(name, None, [Problem(name, 1, "a standards file must be a mapping of keys to values")])
    try:
        doc = FileSchema.model_validate(located.data)
    except ValidationError as error:
        problems += [Problem(name, line, message) for line, message in structure_problems(error, located)]
        salvaged = salvage(located.data, error)
        if salvaged is not None:  # the rest of the file can still be checked: report its problems too
            doc, skip = salvaged
            problems += [Problem(name, line, message) for line, message in check_rules(doc, located, skip)]
        return CheckedFile(name, None, sorted(set(problems)), located)
    problems += [Problem(name, line, message) for line, message in check_rules(doc, located)]
    framework = None if problems else build(doc, located.data)
    return CheckedFile(name, framework, problems, located)


def load_text(text: str, name: str = "<standards>") -> Framework:
    """Read one self-contained file's text (its supersedes is not resolved); raise on any problem."""
    checked = parse_text(text, name)
    if checked.framework is None:
        raise StandardsError(checked.problems)
    return checked.framework


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


def check_texts(texts: Sequence[tuple[str, str]], known: Mapping[tuple[str, str], Framework] | None = None
                ) -> tuple[list[Framework], list[Problem]]:
    """Check a set of files' texts, given as (name, text), together; supersedes may name a file in the set or
    a version already known."""
    checked = [parse_text(text, name) for name, text in texts]
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
