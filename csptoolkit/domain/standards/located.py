"""Reading a standards file's YAML text into plain data, with the line of every key and list item in it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

# Where a value is in a document: the keys and list indexes leading to it from the top.
KeyPath = tuple[Any, ...]


class Located:
    """The data of one YAML document and the line of every key and list item in it."""

    def __init__(self, data: Any, lines: dict[KeyPath, int]):
        self.data = data
        self.lines = lines

    def line(self, path: Iterable[Any]) -> int:
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _construct(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int],
               problems: list[tuple[KeyPath, str]]) -> Any:
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


def _yaml_problem(error: yaml.MarkedYAMLError) -> tuple[int, str]:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    return line, f"YAML syntax error: {error.problem or error.context}"


def read_yaml(text: str) -> tuple[Located | None, list[tuple[int, str]]]:
    """The document in `text` with its lines, and (line, message) for each problem found reading it."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        return None, [_yaml_problem(error)]
    if node is None:
        return None, [(1, "the file is empty")]
    lines: dict[KeyPath, int] = {}
    problems: list[tuple[KeyPath, str]] = []
    try:
        data = _construct(node, (), lines, problems)
    except yaml.MarkedYAMLError as error:  # a tag safe loading refuses (!!python/object, ...): a problem, not a crash
        return None, [_yaml_problem(error)]
    located = Located(data, lines)
    return located, [(located.line(p), m) for p, m in problems]
