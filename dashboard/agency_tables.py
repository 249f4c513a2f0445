"""The agency page's tables of vendors: families (with the members they sum), the top families of one fiscal year
with the change from the year before, and the primes' subawards. Names link to their profiles; amounts, dates and
permalinks are pinned so they stay in view."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, params, profile_links
from dashboard.exports import where_from
from dashboard.text import record_link, md

DOLLARS = {"format": "dollar"}


def families_section(src: tuple, text: str, agency: dict) -> None:
    answer = data.agency_families(src, text)
    rows = answer["families"]
    st.subheader(f"Vendors, as families ({len(rows):,})")
    st.caption(md(f"Each vendor in the family it belongs to now; {answer['basis']}. Awards are counted once per "
                  "family, even when its members shared one."))
    if not rows:
        st.caption("None in the graph.")
        return
    st.dataframe(pd.DataFrame([{
        "obligated ($)": f["obligated"], "family": profile_links.vendor_url(f["id"], f["name"]),
        "members": len(f["members"]), "awards": f["awards"],
        "member names": "; ".join(m["name"] for m in f["members"])} for f in rows]),
        hide_index=True, width="stretch", column_config={
            "obligated ($)": st.column_config.NumberColumn("obligated ($)", pinned=True, **DOLLARS),
            "family": profile_links.column("family", pinned=True)})
    several = [f for f in rows if len(f["members"]) > 1]
    with st.expander(f"Members of the {len(several):,} families with more than one vendor"):
        st.dataframe(pd.DataFrame([{
            "obligated ($)": m["obligated"], "member": profile_links.vendor_url(m["id"], m["name"]),
            "family": profile_links.vendor_url(f["id"], f["name"]), "awards": m["awards"]}
            for f in several for m in f["members"]]), hide_index=True, width="stretch", column_config={
            "obligated ($)": st.column_config.NumberColumn("obligated ($)", pinned=True, **DOLLARS),
            "member": profile_links.column("member", pinned=True), "family": profile_links.column("family")})


def top_vendors_section(src: tuple, text: str, agency: dict, limit: int = 25) -> None:
    """Top families of the agency in a fiscal year (the store's latest by default), with the change from the year
    before."""
    facets = data.facets(src)
    if not facets.get("fy_max"):
        st.caption("No dated contract action in the store: no fiscal year to rank.")
        return
    years = list(range(facets["fy_max"], facets["fy_min"] - 1, -1))
    wanted = params.number("fy", facets["fy_max"])
    year = st.selectbox("Fiscal year", years, index=years.index(wanted) if wanted in years else 0, key="a_fy")
    params.write({"fy": year}, {"fy": facets["fy_max"]})
    answer = data.top_vendors(src, text, int(year), limit)
    total = answer["total"]
    st.subheader(md(f"Top vendors of {agency.get('abbreviation') or agency['name']} in FY{year}, with the change "
                    f"from FY{year - 1}"))
    st.caption(md(f"{answer['basis']}. Change = FY{year} minus FY{year - 1}; \"new\" when the family had no action "
                  f"in FY{year - 1}. {answer['families_in_year']:,} families had actions in FY{year}"
                  + (f", ${total:,.2f} in all." if total is not None else ".")))
    if not answer["rows"]:
        st.caption(f"No contract action dated in FY{year}.")
        return
    st.dataframe(pd.DataFrame([{
        "rank": r["rank"], f"FY{year} ($)": r["obligated"], "family": profile_links.vendor_url(r["id"], r["name"]),
        f"FY{year - 1} ($)": r["previous"], "change ($)": r["change"], "new": "new" if r["new"] else "",
        f"awards in FY{year}": r["awards"], "members": "; ".join(m["name"] for m in r["members"])}
        for r in answer["rows"]]), hide_index=True, width="stretch", column_config={
        "rank": st.column_config.NumberColumn("rank", pinned=True),
        f"FY{year} ($)": st.column_config.NumberColumn(f"FY{year} ($)", pinned=True, **DOLLARS),
        "family": profile_links.column("family", pinned=True),
        f"FY{year - 1} ($)": st.column_config.NumberColumn(f"FY{year - 1} ($)", **DOLLARS),
        "change ($)": st.column_config.NumberColumn("change ($)", **DOLLARS)})


def subawards_section(src: tuple, text: str, agency: dict) -> None:
    rows = data.agency_subawards(src, text)
    st.subheader(f"Primes and their subawards ({len(rows):,})")
    if not rows:
        st.caption("No subaward under this agency's prime awards in the store.")
        return
    reported = [r["amount"] for r in rows if r["amount"] is not None]
    st.caption(f"Subawards the primes reported under this agency's awards: ${sum(reported):,.2f} over the "
               f"{len(reported):,} that report an amount ({len(rows) - len(reported):,} do not). Subaward money is "
               "part of the prime's obligation, never added to it.")
    st.dataframe(pd.DataFrame([{
        "amount ($)": r["amount"], "action date": r["action_date"], "permalink": record_link(r["permalink"]),
        "prime": profile_links.vendor_url(r["prime_recipient"], r["prime_recipient"]),
        "subcontractor": profile_links.vendor_url(r["sub_recipient"], r["sub_recipient"]),
        "prime award": r["prime_award"], "description": r["description"], "source": where_from(r)} for r in rows]),
        hide_index=True, width="stretch", column_config={
        "amount ($)": st.column_config.NumberColumn("amount ($)", pinned=True, **DOLLARS),
        "action date": st.column_config.TextColumn("action date", pinned=True),
        "permalink": st.column_config.LinkColumn("permalink", pinned=True),
        "prime": profile_links.column("prime"), "subcontractor": profile_links.column("subcontractor")})
