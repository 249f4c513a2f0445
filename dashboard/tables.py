"""Tables a reporter reads: human headers, the key columns first and pinned, money as money, and a missing
value said in words ("not reported") instead of a grey None. Money stays a number underneath, so a click on
its header still sorts by amount; only what is shown is formatted (a pandas Styler)."""
from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import streamlit as st

from core.wording import NOT_REPORTED, missing, money, short_money
from dashboard import profile_links


FORMATS = {"money": money, "short": short_money, "count": "{:,.0f}", "score": "{:.2f}"}  # what a number column shows
NUMBERS = tuple(FORMATS)


class Column(NamedTuple):
    field: str  # the row's key
    header: str  # what the reader sees
    kind: str = "text"  # text, money, short (money as $329.20M), count, score (0–1), link, profile (name to profile)
    pinned: bool = False
    width: str | int | None = None  # small, medium, large or pixels
    missing: str = NOT_REPORTED  # what an empty cell means in this column


def numeric(rows: list[dict], columns: list[Column]) -> set[str]:
    """The money and count columns every row reports: those stay numbers (formatted for display, sorted by value).
    A grid draws an empty number as a grey "None", so a column with a gap is shown as words instead."""
    return {c.field for c in columns if c.kind in NUMBERS and not any(missing(r.get(c.field)) for r in rows)}


def frame(rows: list[dict], columns: list[Column]) -> pd.DataFrame:
    """The rows' fields under their headers, in the columns' order; a cell the row lacks holds its column's words
    for it ("not reported"), and money in a column with such a gap is written out ("$1,234.56")."""
    numbers = numeric(rows, columns)

    def cell(row: dict, c: Column):
        value = row.get(c.field)
        if c.field in numbers or c.kind in ("link", "profile"):
            return value
        if missing(value):
            return c.missing
        return money(value) if c.kind == "money" else short_money(value) if c.kind == "short" else \
            f"{value:,}" if c.kind == "count" else f"{value:.2f}" if c.kind == "score" else value

    return pd.DataFrame([{c.header: cell(row, c) for c in columns} for row in rows], columns=[c.header for c in columns])


def config(columns: list[Column], numbers: set[str]) -> dict:
    found = {}
    for c in columns:
        options = {"pinned": c.pinned or None, "width": c.width}
        options = {k: v for k, v in options.items() if v is not None}
        if c.kind == "profile":
            found[c.header] = profile_links.column(c.header, **options)
        elif c.kind == "link":
            found[c.header] = st.column_config.LinkColumn(c.header, display_text="open record", **options)
        elif c.field in numbers:
            found[c.header] = st.column_config.NumberColumn(c.header, **options)
        else:
            found[c.header] = st.column_config.TextColumn(c.header, **options)
    return found


def styled(table: pd.DataFrame, columns: list[Column], numbers: set[str]):
    """Display values of the numeric columns: money exact ("$1,234.56", "$0 net"), counts with separators; the
    values underneath are untouched, so a click on the header sorts by amount."""
    style = table.style
    for c in columns:
        if c.field in numbers:
            style = style.format(FORMATS[c.kind], subset=[c.header])
    return style


def show(rows: list[dict], columns: list[Column], key: str | None = None, height: int | None = None) -> None:
    table, numbers = frame(rows, columns), numeric(rows, columns)
    options = {"height": height} if height else {}
    st.dataframe(styled(table, columns, numbers), hide_index=True, width="stretch",
                 column_config=config(columns, numbers), key=key, **options)
