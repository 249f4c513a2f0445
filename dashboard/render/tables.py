"""Tables a reporter reads: human headers, the key columns first and pinned, money as money, and a missing
value said in words ("not reported") instead of a grey None. Money, counts and scores stay numbers underneath,
so a click on a header sorts by amount; only what is shown is formatted (a pandas Styler). A number column's
empty cell holds +infinity underneath and shows its column's words: the grid draws a true empty cell as a grey
"None" and sorts it as 0, so the words would sit among the numbers; +infinity puts them after every number on
the first (ascending) click (the grid reverses the whole column on the second). Text columns holding ISO dates
("2026-03-31 (current end date)") already sort by date, their words ("none reported") after every date.

Every table sits in a container carrying its key (`dataframe`): Streamlit sends no key for a display-only
st.dataframe (it has no element id), so a test (AppTest `get_by_key`) or a browser (`.st-key-KEY`) finds a table by
that container's key, not by its place on the page."""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd
import streamlit as st

from core.wording import NOT_REPORTED, missing, money, short_money
from dashboard.render import profile_links

FORMATS = {"money": money, "short": short_money, "count": "{:,.0f}".format, "score": "{:.2f}".format}  # shown
NUMBERS = tuple(FORMATS)
LAST = math.inf  # a number column's empty cell underneath: sorted after every number, shown as the column's words


class Column(NamedTuple):
    field: str  # the row's key
    header: str  # what the reader sees
    kind: str = "text"  # text, money, short (money as $329.20M), count, score (0–1), link, profile (name to profile)
    pinned: bool = False
    width: str | int | None = None  # small, medium, large or pixels
    missing: str = NOT_REPORTED  # what an empty cell means in this column


def numeric(rows: list[dict], columns: list[Column]) -> set[str]:
    """The money, count and score columns: numbers underneath (formatted for display, sorted by value), gaps and
    all (an empty cell is LAST underneath and its column's words on screen)."""
    return {c.field for c in columns if c.kind in NUMBERS}


def frame(rows: list[dict], columns: list[Column]) -> pd.DataFrame:
    """The rows' fields under their headers, in the columns' order; a cell the row lacks holds its column's words
    for it ("not reported"), or LAST in a number column (shown as those words by `styled`)."""
    numbers = numeric(rows, columns)

    def cell(row: dict, c: Column):
        value = row.get(c.field)
        if c.field in numbers:
            return LAST if missing(value) else value
        if c.kind in ("link", "profile"):
            return value
        return c.missing if missing(value) else value

    return pd.DataFrame(
        [{c.header: cell(row, c) for c in columns} for row in rows], columns=[c.header for c in columns]
    )


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


def shown(value, c: Column) -> str:
    """What a number cell shows: money exact ("$1,234.56", "$0 net") or short, counts with separators, scores to
    two places; LAST as the column's words ("not reported", "not measured")."""
    return c.missing if value == LAST else FORMATS[c.kind](value)


def styled(table: pd.DataFrame, columns: list[Column], numbers: set[str]):
    """Display values of the numeric columns (`shown`); the values underneath are untouched, so a click on the
    header sorts by amount."""
    style = table.style
    for c in columns:
        if c.field in numbers:
            style = style.format(lambda value, c=c: shown(value, c), subset=[c.header])
    return style


def dataframe(key: str | None, data, into=None, **options) -> None:
    """st.dataframe(data, **options) in `into` (a column; where the page is drawing by default), inside a
    container keyed `key` (unique on its page, like any Streamlit key): for a table not drawn by `show`."""
    where = into or st
    (where.container(key=key) if key else where).dataframe(data, **options)


def show(rows: list[dict], columns: list[Column], key: str | None = None, height: int | None = None) -> None:
    table, numbers = frame(rows, columns), numeric(rows, columns)
    options = {"height": height} if height else {}
    dataframe(
        key,
        styled(table, columns, numbers),
        hide_index=True,
        width="stretch",
        column_config=config(columns, numbers),
        **options,
    )
