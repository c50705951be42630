"""Spreadsheet exports (issue 7, item 16): scores are numbers with one decimal place, sheet names whole words."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from csptoolkit.reports import exports


def test_sheet_titles_are_cut_at_a_word_and_keep_to_excels_rules() -> None:
    assert exports.sheet_title("Bath and North East Somerset 2011") == "Bath and North East Somerset"  # 33 -> 28
    assert exports.sheet_title("Camden 2011") == "Camden 2011"
    assert exports.sheet_title("Trend: Camden [best] a/b?") == "Trend Camden best a b"
    assert exports.sheet_title("x" * 40) == "x" * 31  # one word longer than a sheet name: cut, there is no choice
    assert exports.sheet_title("Benchmark-Kingston-upon-Hull-City-of-2011") == "Benchmark-Kingston-upon-Hull"
    assert exports.sheet_title("  ") == "Sheet"
    assert all(len(exports.sheet_title(t)) <= 31 for t in ("a " * 40, "Rhanbarthau " * 5))


def test_scores_are_numbers_with_one_decimal_place() -> None:
    rows = [["Overall", Decimal("64.2"), 11, Decimal("90.0"), None, "=HYPERLINK(\"x\")"],
            ["Leadership", Decimal("0.0"), 3, None, 4, "A"]]
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(["Area", "Score", "n", "Max", "Rank", "Note"], rows,
                                                     "Camden 2011"))).active
    score, n, top, rank, note = (sheet.cell(2, c) for c in range(2, 7))
    assert (score.value, score.number_format) == (64.2, "0.0")
    assert (top.value, top.number_format) == (90, "0.0")  # a whole score reads back as 90, shown as 90.0
    assert (n.value, n.number_format) == (11, "General") and rank.value is None
    assert note.value == "'=HYPERLINK(\"x\")"  # text that looks like a formula stays text
    assert sheet.cell(3, 2).value == 0 and sheet.cell(3, 5).value == 4
    assert sum(sheet.cell(r, 2).value for r in (2, 3)) == 64.2


def test_csv_writes_scores_as_shown() -> None:
    text = exports.to_csv(["Area", "Score"], [["Overall", Decimal("64.0")], ["-1", Decimal("-0.5")]]).decode("utf-8")
    assert text == "\ufeffArea,Score\r\nOverall,64.0\r\n'-1,-0.5\r\n"
