"""Pieces both profile pages show: the three money figures kept apart, the yearly chart, the awards
with their permalinks and a citation to copy for each."""

from __future__ import annotations

import streamlit as st

from core.coverage import chart_years
from core.wording import description, money, short_money, year_runs
from dashboard import data, params
from dashboard.render import profile_links, tables, yearly_chart
from dashboard.render.tables import Column
from dashboard.render.text import record_link
from dashboard.shaping import exports

# the key columns first (the award, its vendor, its money, its agency, its dates, its page): pinned, they stay in
# view as the rest scroll
AWARD_TABLE = [
    Column("piid", "Award", pinned=True, width="small"),
    Column("vendor", "Vendor", "profile", True, "medium"),
    Column("obligated", "Obligated", "money", True, "small"),
    Column("awarding_agency", "Awarding agency", "profile", width="medium"),
    Column("first_action", "First action", width="small"),
    Column("end_date", "Ends", width="small"),
    Column("permalink", "USAspending page", "link", width="small"),
    Column("description", "What was bought", width="large"),
    Column("current_value", "Current value (ceiling)", "money"),
    Column("potential_value", "Potential value (ceiling)", "money"),
    Column("obligated_basis", "Obligated: what it sums"),
    Column("source", "Source file and line"),
    Column("key", "Award key"),
]


def award_rows(awards: list[dict]) -> list[dict]:
    """The awards as AWARD_TABLE reads them: names linked to their profiles, descriptions clean, the source cited."""
    return [
        {
            **flat,
            "description": description(flat.get("description"), 140),
            "source": exports.where_from(a),
            **entity_links(a),
        }
        for a in awards
        for flat in [exports.flat(a)]
    ]


def totals(answer: dict) -> None:
    """The three figures apart: obligated (a sum of facts), and the two ceilings, each summed over the
    awards that report it (or "not reported")."""
    columns = st.columns(4)
    # compact on the card ($8.3B), exact in its tooltip: a metric card cuts long figures off
    columns[0].metric(
        "Obligated (money committed)",
        short_money(answer["total_obligated"]),
        help=f"exactly {money(answer['total_obligated'])}",
    )
    for column, figure, label in (
        (columns[1], "current_value", "Current value (base + exercised options)"),
        (columns[2], "potential_value", "Potential value (base + all options)"),
    ):
        value, reporting = answer[f"total_{figure}"], answer[f"{figure}_awards"]
        column.metric(
            label,
            short_money(value) if value is not None else "not reported",
            help=(f"exactly {money(value)}, " if value is not None else "")
            + f"summed over the {reporting:,} awards that report it",
        )
    columns[3].metric("Awards", f"{answer['award_count']:,}")
    with st.expander("What these three figures are"):
        st.caption(
            f"Three different figures, never added together. Obligated is money committed: "
            f"{answer['obligated_basis']}. Current and potential values are ceilings, summed only over the "
            f"awards that report them ({answer['current_value_awards']:,} and "
            f"{answer['potential_value_awards']:,} of {answer['award_count']:,})."
        )
        scope = answer.get("sector") or {}
        if scope.get("leaves_out"):
            st.caption(
                f"Obligated and awards cover {scope['line']}. The two ceilings are award-level figures, not "
                f"split by category: they cover every purchase."
            )


def categories_section(family: dict) -> None:
    """The family's money by category (every purchase: the categories add up to its total), each category with the
    rules that placed its actions, in words and with their sources."""
    rows = family.get("categories") or []
    if not rows:
        return
    st.subheader("Categories of what it sold")
    st.caption(
        "Every contract action has one category: a maker named in its description, else its product or "
        "service code (PSC), else its NAICS code; else unclassified. Each rule below cites its source "
        "(data/technology_categories.csv)."
    )
    tables.show(
        [
            {
                "category": r["label"] + (" (technology lens)" if r["lens"] else ""),
                "obligated": r["obligated"],
                "facts": r["facts"],
                "reason": (
                    "; ".join(x["reason"] for x in r["reasons"][:3])
                    + (f"; and {len(r['reasons']) - 3:,} more rules" if len(r["reasons"]) > 3 else "")
                ),
            }
            for r in rows
        ],
        [
            Column("category", "Category", pinned=True, width="medium"),
            Column("obligated", "Obligated", "money", True),
            Column("facts", "Actions", "count"),
            Column("reason", "Why (rule and source)", width="large"),
        ],
        key="vendor-categories",
    )
    with st.expander("Every rule that placed its actions"):
        tables.show(
            [
                {"category": r["label"], "obligated": x["obligated"], "facts": x["facts"], "reason": x["reason"]}
                for r in rows
                for x in r["reasons"]
            ],
            [
                Column("category", "Category", pinned=True),
                Column("obligated", "Obligated", "money", True),
                Column("facts", "Actions", "count"),
                Column("reason", "Rule and its source", width="large"),
            ],
            key="vendor-category-rules",
        )


def yearly(answer: dict, coverage: dict) -> None:
    """Obligated by the fiscal year of each action over the store's whole span (`coverage`: the grid scoped to
    the profile's agencies): years not loaded are labelled gaps, partial and truncated years are marked; award
    totals not split by year shown apart."""
    rest = answer["not_split_by_year"]
    if not any(y["obligated"] for y in answer["yearly"]) and not rest["obligated"]:
        return  # nothing to draw: the headline says what the loaded actions hold ($0 net, or none)
    st.subheader("Obligated by fiscal year")
    rows = chart_years(answer["yearly"], coverage.get("years") or [])
    st.altair_chart(yearly_chart.chart(rows, rest), width="stretch")
    gaps = [r["fiscal_year"] for r in rows if r["status"] == "not_loaded"]
    st.caption(
        "Each contract action in the fiscal year (October–September) of its own date. "
        + (
            f"{year_runs(gaps)}: not loaded (no action of those years is in this store; a gap, not a drop)."
            if gaps
            else ""
        )
    )
    if rest["obligated"]:
        st.caption(
            f"{rest['label']}: {money(rest['obligated'])} over {rest['awards']:,} awards (award summaries "
            f"whose actions were not loaded, or obligations not in the loaded actions), a separate bar, "
            f"never in a year's."
        )


def entity_links(award: dict) -> dict:
    """The award's links: its permalink only when http(s), its vendor and agency to their profiles (the name
    shown, the id or code asked)."""
    vendor, agency = award.get("vendor") or {}, award.get("awarding_agency") or {}
    return {
        "permalink": record_link(award.get("permalink")),
        "vendor": profile_links.vendor_url(vendor.get("id"), vendor.get("name")),
        "awarding_agency": profile_links.agency_url(agency.get("code"), agency.get("name")),
    }


def awards_section(title: str, awards: list[dict], key: str, of: int | None = None) -> None:
    """`of`: how many awards there are in all, when `awards` holds only the largest of them."""
    if of is not None and of > len(awards):
        st.subheader(f"Awards (the {len(awards):,} largest of {of:,})")
    else:
        st.subheader(f"Awards ({len(awards):,}, largest first)")
    if not awards:
        st.info("No awards.")
        return
    tables.show(award_rows(awards), AWARD_TABLE, key=f"{key}-awards")
    columns = st.columns(2)
    columns[0].download_button(
        "Awards (CSV)", exports.awards_csv(awards), f"{key}-awards.csv", "text/csv", key=f"{key}-csv"
    )
    columns[1].download_button(
        "Citations (Markdown)",
        exports.citations_md(title, awards),
        f"{key}-citations.md",
        "text/markdown",
        key=f"{key}-md",
    )
    st.subheader("Copy a citation")
    labels = {a["key"]: f"{a.get('piid') or a['key']} — {money(a.get('obligated'))}" for a in awards}
    keys = list(labels)
    wanted = params.text("award")
    chosen = st.selectbox(
        "Award", keys, index=keys.index(wanted) if wanted in labels else 0, format_func=labels.get, key=f"{key}-cite"
    )
    params.write({"award": chosen}, {"award": keys[0]})
    actions = data.award_actions(data.source(), (chosen,))[chosen]
    st.code(exports.citation(next(a for a in awards if a["key"] == chosen), actions), language=None, wrap_lines=True)
    if actions:
        st.caption(f"The {len(actions):,} record(s) behind its obligated total, each with its file and line")
        tables.show(
            [{**r, "record": exports.where_from(r)} for r in actions],
            [
                Column("action_date", "Date"),
                Column("obligated", "Obligated", "money"),
                Column("fiscal_year", "Fiscal year"),
                Column("modification", "Modification"),
                Column("kind", "Kind"),
                Column("record", "Source file and line"),
            ],
            key=f"{key}-actions",
        )
    with st.expander(f"Citations of the {min(len(awards), 20)} largest awards"):
        for award in awards[:20]:
            st.code(exports.citation(award), language=None, wrap_lines=True)
