"""Reading standards files from disk and checking them with the domain's rules (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..domain import standards as rules


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the *.yaml files of folders named, in a stable order."""
    result: list[Path] = []
    for path in paths:
        result += sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
    return result


def check_files(paths: Sequence[Path], known: Mapping[tuple[str, str], rules.Framework] | None = None
                ) -> tuple[list[rules.Framework], list[rules.Problem]]:
    """Check a set of files together; supersedes may name a file in the set or a version already known."""
    texts: list[tuple[str, str]] = []
    unreadable: list[rules.Problem] = []
    for path in paths:
        try:
            texts.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            unreadable.append(rules.Problem(str(path), 1, f"cannot read the file: {error}"))
    frameworks, problems = rules.check_texts(texts, known)
    return frameworks, sorted(unreadable + problems)


def load_files(paths: Sequence[Path], known: Mapping[tuple[str, str], rules.Framework] | None = None
               ) -> list[rules.Framework]:
    """Read and check files; raise StandardsError with every problem unless all are valid."""
    frameworks, problems = check_files(paths, known)
    if problems:
        raise rules.StandardsError(problems)
    return frameworks
