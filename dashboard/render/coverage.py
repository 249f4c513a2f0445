"""What the store's figures cover, said next to them: a reader must not take a total of ICE and CBP contract
actions for a company's whole government business, nor a missing end date for a contract that never ends."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.render.text import md

SHOWN = 4  # agencies named before "and N more"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "no award"


def store_line(coverage: dict, years: dict | None = None) -> str:
    """The agencies held, the fiscal years in runs with their gaps and cut years named (`years`: the grid of
    `store.coverage()`), what is not held, and how many awards report an end date."""
    agencies = coverage["agencies"]
    short = {cell["agency"]: cell.get("abbreviation") for cell in (years or {}).get("cells", [])}
    named = ", ".join(short.get(a["id"]) or a["name"] or a["id"] for a in agencies[:SHOWN])
    if len(agencies) > SHOWN:
        named += f" and {len(agencies) - SHOWN} more"
    span = (years or {}).get("line") or (
        f"FY{coverage['fy_min']}–FY{coverage['fy_max']}" if coverage.get("fy_min") else "no dated action"
    )
    return md(
        f"Coverage: federal contract actions awarded by {named or 'no agency'}: {span}. Not in this store: "
        f"other agencies' awards, grants, and state and local purchases. "
        f"{share(coverage.get('dated_awards', 0), coverage.get('award_count', 0))} of its "
        f"{coverage.get('award_count', 0):,} awards report an end date."
    )


def end_date_line(end_dates: dict) -> str:
    """How many of an agency's awards can be placed on a renewal calendar."""
    whole = end_dates["award_count"]
    return (
        f"{share(whole - end_dates['undated'], whole)} of these {whole:,} awards report an end date "
        f"(current or potential); {end_dates['undated']:,} report none."
    )


def sidebar() -> None:
    """The store's coverage under the navigation, on every page (nothing when the store is empty or closed)."""
    try:
        src = data.source()
        if data.stats(src)["nodes"]:
            st.sidebar.caption(store_line(data.loaded_coverage(src), data.coverage(src)))
    except data.StoreUnavailable:
        pass  # the page itself says so, with what to do
