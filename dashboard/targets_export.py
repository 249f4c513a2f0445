"""The targets table as CSV and XLSX, each row with its citations: the awards behind it with their permalinks (all
of them in the awards sheet/file, the largest in the row), and the file and line each award was loaded from.

Figures are written as numbers, never formatted; a value not reported stays empty (None is not zero). In the
workbook every text cell is a string cell, so a name starting with "=" is never a formula.
"""
from __future__ import annotations

import csv
import io

from dashboard import targets
from dashboard.exports import spreadsheet_cell, where_from

CITED_IN_ROW = 5  # the largest awards named in the row itself; the awards sheet lists every one
AWARD_LINE_COLUMNS = ("rank", "family", "family_id", "award_key", "piid", "recipient", "recipient_id",
                      "obligated", "obligated_basis", "current_value", "potential_value", "unexercised_options",
                      "end_date", "potential_end_date", "first_action", "last_action", "permalink", "source", "record")
CALENDAR_COLUMNS = ("date", "date_field", "family", "family_id", "award_key", "piid", "recipient", "end_date",
                    "potential_end_date", "current_value", "potential_value", "unexercised_options", "obligated",
                    "permalink", "source", "record")


def award_families(award: dict, families: dict[str, dict]) -> list[str]:
    """The families whose members received the award's actions (its latest recipient's when none is listed)."""
    ids = [r["id"] for r in award.get("recipients") or []] or [(award.get("vendor") or {}).get("id")]
    return sorted({(families.get(vid) or {"id": vid})["id"] for vid in ids if vid})


def awards_by_family(awards: list[dict], families: dict[str, dict]) -> dict[str, list[dict]]:
    """The agency's awards (largest first, as given) under each family that received them."""
    out: dict[str, list[dict]] = {}
    for award in awards:
        for fid in award_families(award, families):
            out.setdefault(fid, []).append(award)
    return out


def citation_text(awards: list[dict]) -> str:
    """The awards behind a row: the largest with their permalinks, the count of the rest, the files they came from."""
    if not awards:
        return "no award row in the store"
    named = "; ".join(f"{a.get('piid') or a['key']}: {a.get('permalink') or 'no permalink'} ({where_from(a)})"
                      for a in awards[:CITED_IN_ROW])
    rest = len(awards) - CITED_IN_ROW
    if rest <= 0:
        return f"{len(awards):,} award{'s' if len(awards) != 1 else ''}: {named}"
    files: dict[str, int] = {}
    for award in awards[CITED_IN_ROW:]:
        name = where_from(award).rsplit(", ", 1)[0]
        files[name] = files.get(name, 0) + 1
    sources = ", ".join(f"{name} ({count:,})" for name, count in sorted(files.items(), key=lambda f: (-f[1], f[0])))
    return (f"{len(awards):,} awards; the {CITED_IN_ROW} largest: {named}; the other {rest:,} are in the awards "
            f"sheet, from {sources}")


def ranking_rows(ranking: list[dict], measure: str, months: int, behind: dict[str, list[dict]]) -> list[dict]:
    """The ranking as flat rows (the columns the page shows, names as text), each with its citations."""
    return [{
        "rank": r["rank"], "family": r["name"], "family_id": r["id"], "score": r["score"],
        "why": r["why"], "members": "; ".join(f"{m['name']} (${m['money']:,.2f})" for m in r["members"]),
        "obligated from agency ($)": r["money"], "recent ($)": r["recent_money"], "earlier ($)": r["earlier_money"],
        "dependence (federal obligations, profile years)": r["dependence"],
        targets.STORE_SHARE: r["store_share"], "measured on": r["dependence_basis"],
        "federal total, profile years ($)": r["federal_total"], "family's total in this store ($)": r["graph_total"],
        "awards from agency": r["contracts"], f"ending within {months} months": r["renewals"],
        "unexercised options ($)": r["options"], "open awards reporting both values": r["options_awards"],
        **{f"{name} (0–1)": r[f"{name}_part"] for name in targets.COMPONENTS},
        "score component used for dependence": measure,
        "awards behind the row": len(behind.get(r["id"], [])), "citations": citation_text(behind.get(r["id"], [])),
    } for r in ranking]


def award_lines(ranking: list[dict], behind: dict[str, list[dict]]) -> list[dict]:
    """Every award behind every row, in rank order then largest first."""
    lines = []
    for r in ranking:
        for award in behind.get(r["id"], []):
            vendor = award.get("vendor") or {}
            lines.append({"rank": r["rank"], "family": r["name"], "family_id": r["id"], "award_key": award["key"],
                          "piid": award.get("piid"), "recipient": vendor.get("name"), "recipient_id": vendor.get("id"),
                          "unexercised_options": targets.unexercised(award),
                          **{c: award.get(c) for c in AWARD_LINE_COLUMNS if c in award}})
    return lines


def calendar_lines(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        award = row["award"]
        vendor = award.get("vendor") or {}
        out.append({"date": row["date"], "date_field": row["field"], "family": row["family"],
                    "family_id": row["family_id"], "award_key": award["key"], "piid": award.get("piid"),
                    "recipient": vendor.get("name"), "unexercised_options": row["options"],
                    **{c: award.get(c) for c in CALENDAR_COLUMNS if c in award}})
    return out


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
