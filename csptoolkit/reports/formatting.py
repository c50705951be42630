"""Numbers as people read them on pages, exports and PDFs: one rounding (half-up, domain.scoring.shown_number)
and Babel's digits for the reader's language (en, cy)."""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import format_decimal, format_percent

from ..domain.scoring import shown_number


def score(value, language: str) -> str:
    """A score rounded half-up to one decimal: "62.3"; "-" when there is none. Pages, exports and the API agree."""
    return "-" if value is None else _score_text(value, language)


def percent(value, language: str) -> str:
    """A percentage (completeness: 6.25 reads "6.3%"), by the same half-up rule as scores."""
    return "-" if value is None else _percent_text(value, language)


# A national page shows about 1,500 scores, and Babel takes some 30 microseconds to format each; the same few
# thousand values recur on every page, so each is formatted once per process.
@lru_cache(maxsize=65536)
def _score_text(value, language: str) -> str:
    return format_decimal(shown_number(value), format="#,##0.0", locale=language)


@lru_cache(maxsize=4096)
def _percent_text(value, language: str) -> str:
    return format_percent(shown_number(value).scaleb(-2), format="#,##0.0%", locale=language)


def gap(value, language: str) -> str:
    """A difference of scores with its sign: "+2.5", "-10.0", "0.0"; "-" when there is none."""
    if value is None:
        return "-"
    text = _score_text(abs(value), language)
    return text if value == 0 else ("+" if value > 0 else "\u2212") + text
