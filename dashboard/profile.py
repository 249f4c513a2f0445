"""Pieces both profile pages show: the three money figures kept apart, the yearly chart, the awards
with their permalinks and a citation to copy for each."""
from __future__ import annotations

from collections import defaultdict

import pandas as pd
import streamlit as st

from dashboard import exports, params
from dashboard.network import money

AWARD_TABLE = ("piid", "vendor", "awarding_agency", "obligated", "obligated_basis", "current_value",
               "potential_value", "first_action", "end_date", "description", "permalink", "source", "record")


def totals(obligated: float, current: float, potential: float, awards: int) -> None:
    columns = st.columns(4)
    columns[0].metric("Obligated (money committed)", money(obligated))
    columns[1].metric("Current value (base + exercised options)", money(current))
    columns[2].metric("Potential value (base + all options)", money(potential))
    columns[3].metric("Awards", f"{awards:,}")
    st.caption("Three different figures, never added together: obligated is money committed; current and "
               "potential values are ceilings, summed only over the awards that report them.")


def yearly(awards: list[dict]) -> None:
    by_year: dict[int, float] = defaultdict(float)
    for award in awards:
        if award.get("fy_first"):
            by_year[award["fy_first"]] += award.get("obligated") or 0.0
    yearly_chart(by_year)


def yearly_chart(by_year: dict[int, float]) -> None:
    if not by_year:
        return
    st.subheader("Obligated by fiscal year")
    st.caption("Each award's obligated total, counted in the fiscal year of its first action.")
    frame = pd.DataFrame({"fiscal year": [str(y) for y in sorted(by_year)],
                          "obligated ($)": [round(by_year[y], 2) for y in sorted(by_year)]})
    st.bar_chart(frame, x="fiscal year", y="obligated ($)")


def awards_section(title: str, awards: list[dict], key: str, of: int | None = None) -> None:
    """`of`: how many awards there are in all, when `awards` holds only the largest of them."""
    if of is not None and of > len(awards):
        st.subheader(f"Awards (the {len(awards):,} largest of {of:,})")
    else:
        st.subheader(f"Awards ({len(awards):,}, largest first)")
    if not awards:
        st.info("No awards.")
        return
    rows = [{c: exports.flat(a).get(c) for c in AWARD_TABLE} for a in awards]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={"permalink": st.column_config.LinkColumn("permalink"),
                                "obligated": st.column_config.NumberColumn("obligated", format="dollar")})
    columns = st.columns(2)
    columns[0].download_button("Awards (CSV)", exports.awards_csv(awards), f"{key}-awards.csv", "text/csv",
                               key=f"{key}-csv")
    columns[1].download_button("Citations (Markdown)", exports.citations_md(title, awards), f"{key}-citations.md",
                               "text/markdown", key=f"{key}-md")
    st.subheader("Copy a citation")
    labels = {a["key"]: f"{a.get('piid') or a['key']} — {money(a.get('obligated'))}" for a in awards}
    keys = list(labels)
    wanted = params.text("award")
    chosen = st.selectbox("Award", keys, index=keys.index(wanted) if wanted in labels else 0,
                          format_func=labels.get, key=f"{key}-cite")
    params.write({"award": chosen}, {"award": keys[0]})
    st.code(exports.citation(next(a for a in awards if a["key"] == chosen)), language=None, wrap_lines=True)
    with st.expander(f"Citations of the {min(len(awards), 20)} largest awards"):
        for award in awards[:20]:
            st.code(exports.citation(award), language=None, wrap_lines=True)
