"""Calibration statistics (domain/calibration.py) against figures worked by hand, and as the pages word them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from csptoolkit.domain.calibration import (
    Authority,
    Champion,
    CycleAssessment,
    OverallScores,
    authority_calibration,
    champion_calibration,
    mean_absolute_gap,
)
from csptoolkit.reports import formatting


def d(text: str) -> Decimal:
    return Decimal(text)


def shown(value) -> str:
    return formatting.score(value, "en")


# ----------------------------------------------------------------------------------------------------------
# The mean absolute gap


def test_mean_absolute_gap_of_three_reviews() -> None:
    """Gaps -2.5, +1.0, -0.5: sizes 2.5 + 1.0 + 0.5 = 4.0, over 3 = 4/3 = 1.333... shown 1.3."""
    mean = mean_absolute_gap([d("-2.5"), d("1.0"), d("-0.5")])
    assert mean == Fraction(4, 3)
    assert shown(mean) == "1.3"


def test_a_mean_exactly_at_a_half_is_rounded_up() -> None:
    """Gaps -1.0 and +1.5: (1.0 + 1.5) / 2 = 1.25 exactly, shown 1.3 (half-even would give 1.2). One gap of
    -2.2500: 2.25, shown 2.3 (half-even 2.2). Gaps -0.0500 and +0.1000: 0.075, shown 0.1."""
    assert mean_absolute_gap([d("-1.0"), d("1.5")]) == Fraction(5, 4)
    assert shown(mean_absolute_gap([d("-1.0"), d("1.5")])) == "1.3"
    assert shown(mean_absolute_gap([d("-2.2500")])) == "2.3"
    assert shown(mean_absolute_gap([d("-0.0500"), d("0.1000")])) == "0.1"


def test_the_mean_is_exact_from_the_stored_four_decimal_scores() -> None:
    """Self 70.3333 moderated 67.0000 (gap -3.3333) and self 50.0000 moderated 50.1667 (gap +0.1667): sizes sum
    to 3.5000 exactly, mean 1.75, shown 1.8. In floats the gaps' sizes add up to 3.4999999999999..., whose mean
    would read 1.7."""
    reviews = [OverallScores(d("70.3333"), d("67.0000")), OverallScores(d("50.0000"), d("50.1667"))]
    assert [r.exact_gap for r in reviews] == [d("-3.3333"), d("0.1667")]
    mean = mean_absolute_gap(r.exact_gap for r in reviews)
    assert mean == Fraction(7, 4)
    assert shown(mean) == "1.8"


def test_no_gaps_have_no_mean_and_unscored_gaps_are_left_out() -> None:
    assert mean_absolute_gap([]) is None
    assert mean_absolute_gap([None, None]) is None
    assert mean_absolute_gap([None, d("-3.0"), d("1.0")]) == 2
    assert OverallScores(d("50.0"), None).exact_gap is None
    assert OverallScores(None, d("50.0")).exact_gap is None
    assert shown(None) == "-"


def test_the_gap_beside_two_scores_is_the_difference_of_what_is_shown() -> None:
    """Self 62.3500 reads 62.4 and moderated 60.0400 reads 60.0: the gap shown is -2.4 (what the reader can check,
    as on the review page), although the exact gap is -2.31."""
    scores = OverallScores(d("62.3500"), d("60.0400"))
    assert scores.exact_gap == d("-2.3100")
    assert scores.shown_gap == d("-2.4")
    assert formatting.gap(scores.shown_gap, "en") == "\u22122.4"


# ----------------------------------------------------------------------------------------------------------
# Champions


def test_champions_by_name_with_their_completed_reviews() -> None:
    """Bryn reviewed assessments 1, 2 and 3 (gaps -2.5, +1.0, -0.5: mean 4/3, shown 1.3); Alys reviewed 3 with
    Bryn (gap -0.5) and 4, whose moderated score is not scored (counted as a review, left out of the mean: 0.5);
    Cai has no completed review (0 and no mean)."""
    scores = {1: OverallScores(d("60.0000"), d("57.5000")), 2: OverallScores(d("40.0000"), d("41.0000")),
              3: OverallScores(d("75.2500"), d("74.7500")), 4: OverallScores(d("55.0000"), None)}
    rows = champion_calibration(
        [Champion(7, "Cai Jones"), Champion(5, "bryn Evans"), Champion(6, "Alys Price")],
        [(5, 1), (5, 2), (5, 3), (6, 3), (6, 4)], scores)
    assert [(r.name, r.reviews, r.mean_absolute_gap) for r in rows] == [
        ("Alys Price", 2, Fraction(1, 2)), ("bryn Evans", 3, Fraction(4, 3)), ("Cai Jones", 0, None)]
    assert [shown(r.mean_absolute_gap) for r in rows] == ["0.5", "1.3", "-"]


def test_a_review_is_counted_once_per_assessment() -> None:
    scores = {1: OverallScores(d("60.0"), d("58.0"))}
    (row,) = champion_calibration([Champion(1, "Alys")], [(1, 1), (1, 1)], scores)
    assert (row.reviews, row.mean_absolute_gap) == (1, 2)


# ----------------------------------------------------------------------------------------------------------
# Authorities across cycles


CAMDEN = Authority(1, "202", "Camden", "Inner London")
LEEDS = Authority(2, "383", "Leeds", "Yorkshire and The Humber")
BARNET = Authority(3, "302", "Barnet", "Outer London")
YORK = Authority(4, "816", "York", "Yorkshire and The Humber")


def test_each_cycle_of_an_authority_and_the_mean_across_its_moderated_cycles() -> None:
    """Camden: 2010 published, 62.0 -> 59.5 (gap -2.5); 2011 moderated, 48.0 -> 49.0 (+1.0); 2012 in review, 70.0
    self-assessed only (its moderated score is not final: not shown, not counted). Mean (2.5 + 1.0) / 2 = 1.75,
    shown 1.8."""
    (row,) = authority_calibration([
        CycleAssessment(CAMDEN, 10, "published", OverallScores(d("62.0000"), d("59.5000"))),
        CycleAssessment(CAMDEN, 11, "moderated", OverallScores(d("48.0000"), d("49.0000"))),
        CycleAssessment(CAMDEN, 12, "in_review", OverallScores(d("70.0000"), d("65.0000")))])
    assert row.authority == CAMDEN and row.moderated_cycles == 2
    assert [(c.cycle_id, c.self_score, c.moderated_score, c.gap) for c in row.cycles] == [
        (10, d("62.0000"), d("59.5000"), d("-2.5")), (11, d("48.0000"), d("49.0000"), d("1.0")),
        (12, d("70.0000"), None, None)]
    assert row.mean_absolute_gap == Fraction(7, 4) and shown(row.mean_absolute_gap) == "1.8"


def test_authorities_largest_mean_first_then_by_name_and_only_with_a_completed_moderation() -> None:
    """Leeds mean 3.0, Barnet and Camden 1.0 each (by name: Barnet first), York never moderated (left out)."""
    rows = authority_calibration([
        CycleAssessment(CAMDEN, 10, "published", OverallScores(d("50.0"), d("49.0"))),
        CycleAssessment(LEEDS, 10, "moderated", OverallScores(d("50.0"), d("53.0"))),
        CycleAssessment(BARNET, 10, "published", OverallScores(d("50.0"), d("51.0"))),
        CycleAssessment(YORK, 10, "submitted", OverallScores(d("50.0"), None))])
    assert [(r.authority.name, r.mean_absolute_gap) for r in rows] == [("Leeds", 3), ("Barnet", 1), ("Camden", 1)]
