"""Pieces both profile pages show: the three money figures kept apart, the yearly chart, the awards
with their permalinks and a citation to copy for each."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, exports, params, profile_links
from core.wording import money, short_money
from dashboard.text import record_link

# the key columns first and pinned (the award, its money, its dates, its page): they stay in view as the rest scroll
AWARD_TABLE = ("piid", "obligated", "first_action", "end_date", "permalink", "vendor", "awarding_agency",
               "description", "obligated_basis", "current_value", "potential_value", "source", "record")


def totals(answer: dict) -> None:
    """The three figures apart: obligated (a sum of facts), and the two ceilings, each summed over the
    awards that report it (or "not reported")."""
    columns = st.columns(4)
    # compact on the card ($8.3B), exact in its tooltip: a metric card cuts long figures off
    columns[0].metric("Obligated (money committed)", short_money(answer["total_obligated"]),
                      help=f"exactly {money(answer['total_obligated'])}")
    for column, figure, label in ((columns[1], "current_value", "Current value (base + exercised options)"),
                                  (columns[2], "potential_value", "Potential value (base + all options)")):
        value, reporting = answer[f"total_{figure}"], answer[f"{figure}_awards"]
        column.metric(label, short_money(value) if value is not None else "not reported",
                      help=(f"exactly {money(value)}, " if value is not None else "") +
                           f"summed over the {reporting:,} awards that report it")
    columns[3].metric("Awards", f"{answer['award_count']:,}")
    st.caption(f"Three different figures, never added together. Obligated is money committed: "
               f"{answer['obligated_basis']}. Current and potential values are ceilings, summed only over the "
               f"awards that report them ({answer['current_value_awards']:,} and "
               f"{answer['potential_value_awards']:,} of {answer['award_count']:,}).")


def yearly(answer: dict) -> None:
    """Obligated by the fiscal year of each action; award totals not split by year shown apart."""
    rest = answer["not_split_by_year"]
    if not answer["yearly"] and not rest["obligated"]:
        return
    st.subheader("Obligated by fiscal year")
    st.caption("Each contract action in the fiscal year (October–September) of its own date. Award totals that "
               "no loaded action splits by year are a separate series, never mixed into the bars.")
    rows = [{"fiscal year": str(y["fiscal_year"]), "series": "contract actions", "obligated ($)": round(y["obligated"], 2)}
            for y in answer["yearly"]]
    if rest["obligated"]:
        rows.append({"fiscal year": "not split by year", "series": rest["label"],
                     "obligated ($)": round(rest["obligated"], 2)})
    st.bar_chart(pd.DataFrame(rows), x="fiscal year", y="obligated ($)", color="series")
    if rest["obligated"]:
        st.caption(f"{rest['label']}: {money(rest['obligated'])} over {rest['awards']:,} awards (award summaries "
                   f"whose actions were not loaded, or obligations not in the loaded actions).")


def entity_links(award: dict) -> dict:
    """The award's links: its permalink only when http(s), its vendor and agency to their profiles (the name
    shown, the id or code asked)."""
    vendor, agency = award.get("vendor") or {}, award.get("awarding_agency") or {}
    return {"permalink": record_link(award.get("permalink")),
            "vendor": profile_links.vendor_url(vendor.get("id"), vendor.get("name")),
            "awarding_agency": profile_links.agency_url(agency.get("code"), agency.get("name"))}


def awards_section(title: str, awards: list[dict], key: str, of: int | None = None) -> None:
    """`of`: how many awards there are in all, when `awards` holds only the largest of them."""
    if of is not None and of > len(awards):
        st.subheader(f"Awards (the {len(awards):,} largest of {of:,})")
    else:
        st.subheader(f"Awards ({len(awards):,}, largest first)")
    if not awards:
        st.info("No awards.")
        return
    rows = [{**{c: flat.get(c) for c in AWARD_TABLE}, **entity_links(a)} for a in awards for flat in [exports.flat(a)]]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={"piid": st.column_config.TextColumn("piid", pinned=True),
                                "permalink": st.column_config.LinkColumn("permalink", pinned=True),
                                "obligated": st.column_config.NumberColumn("obligated", format="dollar", pinned=True),
                                "first_action": st.column_config.TextColumn("first action", pinned=True),
                                "end_date": st.column_config.TextColumn("end date", pinned=True),
                                "vendor": profile_links.column("vendor"),
                                "awarding_agency": profile_links.column("awarding agency")})
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
    actions = data.award_actions(data.source(), (chosen,))[chosen]
    st.code(exports.citation(next(a for a in awards if a["key"] == chosen), actions), language=None, wrap_lines=True)
    if actions:
        st.caption(f"The {len(actions):,} record(s) behind its obligated total, each with its file and line")
        st.dataframe(pd.DataFrame([{"date": r["action_date"], "fiscal year": r["fiscal_year"], "obligated": r["obligated"],
                                    "modification": r["modification"], "kind": r["kind"], "record": exports.where_from(r)}
                                   for r in actions]), hide_index=True, width="stretch",
                     column_config={"obligated": st.column_config.NumberColumn("obligated", format="dollar")})
    with st.expander(f"Citations of the {min(len(awards), 20)} largest awards"):
        for award in awards[:20]:
            st.code(exports.citation(award), language=None, wrap_lines=True)
