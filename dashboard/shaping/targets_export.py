"""The Targets table as CSV and XLSX: the page's own columns (dashboard/shaping/targets.py `columns`), under the page's
headers, so a reader finds in the file what the page showed; the workbook adds the renewal calendar and the settings.

Figures are written as numbers, never formatted; an empty cell says its column's words ("not measured", "none"),
never None. In the workbook every text cell is a string cell, so a name starting with "=" is never a formula.
"""

from __future__ import annotations

import csv
import io

from core.wording import missing
from dashboard.shaping import targets
from dashboard.shaping.exports import spreadsheet_cell

CALENDAR_COLUMNS = (
    "date",
    "date_field",
    "family",
    "family_id",
    "award_key",
    "piid",
    "recipient",
    "end_date",
    "potential_end_date",
    "current_value",
    "potential_value",
    "unexercised_options",
    "stake",
    "weight",
    "pressure",
    "permalink",
    "source",
    "record",
)


def ranking_rows(answer: dict) -> tuple[list[dict], list[str]]:
    """(rows, headers): the page's table for the files, family names as text and links as their URLs."""
    columns = targets.columns(answer["months"])
    rows = [
        {c.header: (c.missing if missing(row.get(c.field)) else row[c.field]) for c in columns}
        for row in targets.table_rows(answer, links=False)
    ]
    return rows, [c.header for c in columns]


def calendar_lines(rows: list[dict]) -> list[dict]:
    """`graph.questions.targets.calendar_rows` flat: each award whose next decision falls in the window."""
    out = []
    for row in rows:
        award = row["award"]
        vendor = award.get("vendor") or {}
        out.append(
            {
                "date": row["date"],
                "date_field": row["field"],
                "family": row["family"],
                "family_id": row["family_id"],
                "award_key": award["key"],
                "piid": award.get("piid"),
                "recipient": vendor.get("name"),
                "unexercised_options": row["options"],
                "stake": row["stake"],
                "weight": row["weight"],
                "pressure": row["pressure"],
                **{c: award.get(c) for c in CALENDAR_COLUMNS if c in award},
            }
        )
    return out


def about_rows(answer: dict) -> list[dict]:
    """The settings and the basis of every figure, so the file can be read without the page."""
    items = [
        ("agency", answer["agency"]["name"]),
        ("sector", answer["sector"]["name"]),
        ("today", answer["today"]),
        ("renewal window ends", answer["window_end"]),
        ("recent fiscal years", "{}–{}".format(*answer["recent_years"])),
        ("score", answer["score_basis"]),
        *((f"component: {k}", v) for k, v in answer["components"].items()),
        *((f"weight: {k}", v) for k, v in answer["weights"].items()),
        *((f"basis: {k}", v) for k, v in answer["bases"].items()),
        ("awards without an end date", f"{answer['awards_undated']:,} of {answer['awards_counted']:,}"),
        ("families without a recipient profile", len(answer["lacking_profile"])),
        ("command fetching their profiles", answer["fetch_profiles"]),
    ]
    return [{"item": k, "value": v} for k, v in items]


def to_csv(rows: list[dict], columns=None) -> bytes:
    out = io.StringIO()
    fields = list(columns or (rows[0].keys() if rows else []))
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else spreadsheet_cell(row.get(k))) for k in fields})
    return out.getvalue().encode("utf-8")


def _cell(sheet, value):
    """A plain value, except text a spreadsheet would take for a formula (neutralized as in the CSV, and stored as
    text) or openpyxl would refuse (control characters)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = spreadsheet_cell(value)
    if isinstance(value, str) and (value.startswith("'") or ILLEGAL_CHARACTERS_RE.search(value)):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"  # text stays text: "=…" is not a formula
        return cell
    return value


def to_xlsx(sheets: dict[str, tuple[list[dict], tuple | None]]) -> bytes:
    """One sheet per entry: {title: (rows, columns or None for the rows' own keys)}."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, (rows, columns) in sheets.items():
        sheet = book.create_sheet(title[:31])
        fields = list(columns or (rows[0].keys() if rows else []))
        sheet.append([_cell(sheet, f) for f in fields])
        for row in rows:
            sheet.append([_cell(sheet, row.get(f)) for f in fields])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
