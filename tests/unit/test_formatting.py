"""Numbers read the same on pages, exports and the API: one half-up rounding (domain.scoring.shown_number)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from csptoolkit.reports import formatting


def test_completeness_rounds_half_up_like_the_api() -> None:
    assert formatting.percent(6.25, "en") == "6.3%"  # Babel alone rounds half to even: 6.2%
    assert formatting.percent(Fraction(1, 16) * 100, "cy") == "6.3%"
    assert formatting.percent(100, "en") == "100.0%"


def test_scores_round_half_up_whatever_their_type() -> None:
    assert formatting.score(62.25, "en") == "62.3"
    assert formatting.score(Decimal("62.25"), "en") == "62.3"
    assert formatting.score(Fraction(249, 4), "cy") == "62.3"
    assert formatting.score(62.24999, "en") == "62.2"
    assert formatting.score(None, "en") == "-"
