"""The agency page's tables of vendors: families (with the members they sum), the top families of one fiscal year
with the change from the year before, and the primes' subawards. Names link to their profiles; amounts, dates and
permalinks are pinned so they stay in view."""

from __future__ import annotations

import streamlit as st

from core.wording import description, money
from dashboard import data, params
from dashboard.render import profile_links, tables
from dashboard.render.tables import Column
from dashboard.render.text import md, record_link
from dashboard.shaping.exports import where_from


def sector_of(answer: dict) -> tuple[str, ...] | None:
    """The category ids an answer was limited to (its `sector`), None for every purchase."""
    scope = answer.get("sector") or {}
    return tuple(scope["categories"]) if scope.get("leaves_out") else None


def categories_section(src: tuple, text: str, scope: dict | None = None) -> None:
    """The agency's money by category and fiscal year: every purchase, each category its own line ("unclassified"
    too), adding up to its total. `scope`: the profile's coverage grid, so a year not loaded says so."""
    answer = data.agency_categories(src, text)
    rows = answer["categories"]
    st.subheader("Money by category and fiscal year")
    tech = answer["technology"]
    st.caption(
        md(
            f"Every contract action has one category: a maker named in its description, else its product or "
            f"service code (PSC), else its NAICS code; else unclassified. The categories add up to "
            f"{money(answer['total_obligated'])}; the technology lens (surveillance, data, cloud) holds "
            f"{money(tech['obligated'], 'none of it')}"
            + (f" ({tech['share']:.1%})." if tech["share"] is not None and tech["obligated"] else ".")
        )
    )
    if not rows:
        st.caption("No contract action awarded by it in the graph.")
        return
    held = {y["fiscal_year"] for r in rows for y in r["yearly"]}
    status = {y["fiscal_year"]: y["status"] for y in (scope or {}).get("years") or []}
    years = sorted(held | {y for y, s in status.items() if held and min(held) <= y <= max(held)})
    table = [
        {
            "label": r["label"] + (" (technology lens)" if r["lens"] else ""),
            "obligated": r["obligated"],
            "not_split": r["not_split_by_year"],
            **{f"fy{y['fiscal_year']}": y["obligated"] for y in r["yearly"]},
        }
        for r in rows
    ]
    tables.show(
        table,
        [
            Column("label", "Category", pinned=True, width="medium"),
            Column("obligated", "Obligated", "money", True),
            *(
                Column(f"fy{y}", f"FY{y}", "money", missing="not loaded" if status.get(y) == "not_loaded" else "none")
                for y in years
            ),
            Column("not_split", "Not split by year", "money", missing="none"),
        ],
        key="agency-categories",
    )


def families_section(src: tuple, text: str, agency: dict) -> None:
    answer = data.agency_families(src, text, sector_of(agency))
    rows = answer["families"]
    st.subheader(f"Vendors, as families ({len(rows):,})")
    st.caption(
        md(
            f"Each vendor in the family it belongs to now; {answer['basis']}. Awards are counted once per "
            "family, even when its members shared one."
        )
    )
    if not rows:
        st.caption("None in the graph.")
        return
    tables.show(
        [
            {
                **f,
                "family": profile_links.vendor_url(f["id"], f["name"]),
                "member_count": len(f["members"]),
                "member_names": "; ".join(m["name"] for m in f["members"]),
            }
            for f in rows
        ],
        [
            Column("family", "Family", "profile", True, "medium"),
            Column("obligated", "Obligated", "money", True),
            Column("awards", "Awards", "count"),
            Column("member_count", "Members", "count"),
            Column("member_names", "Member names", width="large"),
        ],
        key="agency-families",
    )
    several = [f for f in rows if len(f["members"]) > 1]
    with st.expander(f"Members of the {len(several):,} families with more than one vendor"):
        tables.show(
            [
                {
                    **m,
                    "member": profile_links.vendor_url(m["id"], m["name"]),
                    "family": profile_links.vendor_url(f["id"], f["name"]),
                }
                for f in several
                for m in f["members"]
            ],
            [
                Column("member", "Member", "profile", True, "medium"),
                Column("obligated", "Obligated", "money", True),
                Column("family", "Family", "profile", width="medium"),
                Column("awards", "Awards", "count"),
            ],
            key="agency-members",
        )


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
    answer = data.top_vendors(src, text, int(year), limit, sector_of(agency))
    total = answer["total"]
    st.subheader(
        md(
            f"Top vendors of {agency.get('abbreviation') or agency['name']} in FY{year}, with the change "
            f"from FY{year - 1}"
        )
    )
    st.caption(
        md(
            f'{answer["basis"]}. Change = FY{year} minus FY{year - 1}; "new" when the family had no action '
            f"in FY{year - 1}. {answer['families_in_year']:,} families had actions in FY{year}"
            + (f", {money(total)} in all." if total is not None else ".")
        )
    )
    if not answer["rows"]:
        st.caption(f"No contract action dated in FY{year}.")
        return
    tables.show(
        [
            {
                **r,
                "family": profile_links.vendor_url(r["id"], r["name"]),
                "member_names": "; ".join(m["name"] for m in r["members"]),
            }
            for r in answer["rows"]
        ],
        [
            Column("rank", "Rank", "count", True, "small"),
            Column("family", "Family", "profile", True, "medium"),
            Column("obligated", f"FY{year}", "money", True),
            Column("previous", f"FY{year - 1}", "money", missing=f"none in FY{year - 1} (new)"),
            Column("change", "Change", "money", missing="new"),
            Column("awards", f"Awards in FY{year}", "count"),
            Column("member_names", "Members", width="large"),
        ],
        key="agency-top",
    )


def subawards_section(src: tuple, text: str, agency: dict) -> None:
    rows = data.agency_subawards(src, text)
    st.subheader(f"Primes and their subawards ({len(rows):,})")
    if not rows:
        st.caption("No subaward under this agency's prime awards in the store.")
        return
    reported = [r["amount"] for r in rows if r["amount"] is not None]
    st.caption(
        f"Subawards the primes reported under this agency's awards: {money(sum(reported))} over the "
        f"{len(reported):,} that report an amount ({len(rows) - len(reported):,} do not). Subaward money is "
        "part of the prime's obligation, never added to it."
    )
    tables.show(
        [
            {
                **r,
                "permalink": record_link(r["permalink"]),
                "description": description(r["description"], 140),
                "prime": profile_links.vendor_url(r["prime_recipient"], r["prime_recipient"]),
                "sub": profile_links.vendor_url(r["sub_recipient"], r["sub_recipient"]),
                "source": where_from(r),
            }
            for r in rows
        ],
        [
            Column("prime", "Prime vendor", "profile", True, "medium"),
            Column("sub", "Subcontractor", "profile", True, "medium"),
            Column("amount", "Subaward amount", "money", True),
            Column("action_date", "Date"),
            Column("prime_award", "Prime award"),
            Column("description", "What was bought", width="large"),
            Column("permalink", "USAspending page", "link"),
            Column("source", "Source file and line"),
        ],
        key="agency-subawards",
    )
