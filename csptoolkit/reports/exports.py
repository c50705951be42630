"""Spreadsheet exports (CSV and XLSX) of any table: a header row and rows of plain values.

Scores arrive as Decimals already rounded as people read them (one decimal place); in XLSX they are stored as
numbers with a one-decimal format, so that a spreadsheet sums them, and counts and ranks as whole numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

SCORE_FORMAT = "0.0"
SHEET_TITLE_MAX = 31  # Excel's limit
_NOT_IN_SHEET_TITLES = re.compile(r"[\[\]:*?/\\]")


def to_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else _safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8 (Welsh accents)


def _safe(value: object) -> object:
    """Text starting with =, +, - or @ is made inert so a spreadsheet never runs it as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters, shortened at a word boundary."""
    title = " ".join(_NOT_IN_SHEET_TITLES.sub(" ", title).split()) or "Sheet"
    if len(title) <= SHEET_TITLE_MAX:
        return title
    cut = title[:SHEET_TITLE_MAX + 1]
    boundary = max(cut.rfind(" "), cut.rfind("-"))
    return (cut[:boundary] if boundary > 0 else cut[:SHEET_TITLE_MAX]).rstrip(" -,")


def to_xlsx(header: Sequence[str], rows: Sequence[Sequence[object]], title: str) -> bytes:
    return to_xlsx_sheets([(title, header, rows)])


def to_xlsx_sheets(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """A workbook of several tables, one sheet each: (title, header, rows) in order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(sheet_title(title))
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(value) for value in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):  # a short row leaves cells empty
                if isinstance(value, (Decimal, float)):
                    cell.number_format = SCORE_FORMAT
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: object) -> object:
    # openpyxl would store a Decimal as a number too, but as a float it reads back the same in every client.
    return float(value) if isinstance(value, Decimal) else _safe(value)
