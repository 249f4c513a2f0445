"""Campaign outcomes as a table (the Local page and the vendor profile's "Contested"): where a deployment was
cancelled, rejected or ended, when, in the source's words and as mapped, each cited, beside its other records."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pandas as pd
import streamlit as st

from core.wording import NOT_REPORTED, count, text, words_or
from dashboard.render import profile_links, sharing_network, tables
from dashboard.render.text import md, web_link


def sentence(answer: dict, whose: str = "") -> str:
    """The answer in one sentence (Markdown-escaped)."""
    statuses = words_or(answer["filters"]["statuses"])
    if not answer["count"]:
        return md(f"No loaded local record says a deployment{whose} was {statuses}.")
    states = len(answer["by_state"])
    return md(
        f"{count(answer['count'], 'record')} at {count(answer['agencies'], 'local agency', 'local agencies')} in "
        f"{count(states, 'state')} say a deployment{whose} was {statuses}; the newest first."
    )


def _others(row: dict) -> str:
    return "; ".join(
        f"{other['status'] or 'status ' + NOT_REPORTED} {other['date'] or 'date ' + NOT_REPORTED} "
        f"({Path(other['cited']['source']).name} "
        f"{other['cited']['record']})"
        for other in row["other_records"]
    )


def table(key: str, answer: dict, with_vendor: bool = True) -> None:
    """Every outcome of the answer, one row each; links only to http(s) sources (web_link)."""
    rows = []
    for row in answer["outcomes"]:
        agency = row["agency"]
        cells = {
            "Date": text(row["date"]),
            "Agency": f"{sharing_network.profile_url(agency['id'])}#{quote(agency['name'], safe='')}",
            "Place": ", ".join(p for p in (agency["city"], agency["state"]) if p) or NOT_REPORTED,
            "Status": row["status"],
            "Source's words": row["status_as_written"],
            "Vendor": row["vendor"]["name"],
            "Source page": web_link(row["source_url"]),
            "Archive page": web_link(row["archive_url"]),
            "Record": f"{Path(row['cited']['source']).name} {row['cited']['record']}",
            "Other records": _others(row) or "none",
        }
        if not with_vendor:
            del cells["Vendor"]
        rows.append(cells)
    tables.dataframe(
        key,
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        height=min(36 * len(rows) + 40, 360),
        column_config={
            "Agency": profile_links.column("Agency", width="medium"),
            "Source's words": st.column_config.TextColumn(
                "Source's words", help="the status as the source wrote it, before the map's [values.status]"
            ),
            "Source page": st.column_config.LinkColumn(
                "Source page", display_text="open", width="small", help="blank: the record gives no http(s) source"
            ),
            "Archive page": st.column_config.LinkColumn(
                "Archive page", display_text="open", width="small", help="blank: the record gives no archived copy"
            ),
            "Other records": st.column_config.TextColumn(
                "Other records", help="the same deployment's other records, with their statuses and dates"
            ),
        },
    )
    st.caption(md(answer["basis"][:1].upper() + answer["basis"][1:]))
