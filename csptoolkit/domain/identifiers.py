"""Record ids as people and URLs send them: only 1 to 2**63 - 1 can name a row, anything else names nothing."""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1  # PostgreSQL's BIGINT and SQLite's INTEGER: a larger number overflows the driver
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also accepts "²", which int() refuses


def parse_id(text: str | None) -> int | None:
    """The id a string names, or None when it cannot name a stored row (empty, not digits, 0, too large)."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
