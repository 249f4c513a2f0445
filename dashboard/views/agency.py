"""Agency profile: an agency with its sub-agencies and offices, its vendors, the makers whose products reached
it directly and through other vendors, and its awards."""

from __future__ import annotations

import streamlit as st

from core.wording import money
from dashboard import data, params
from dashboard.render import agency_tables, attributed, coverage, profile, profile_links, tables
from dashboard.render.tables import Column
from dashboard.render.text import md
from dashboard.shaping import headline
from dashboard.view_filters import lens_switch, sector_picker

AWARD_ROWS = 1000

st.title("Agency profile")
src = data.require_data()
categories = sector_picker(("all",), "The profile")
name = st.text_input(
    "Agency (code such as 7012, abbreviation such as ICE, or part of a name)",
    params.carried("name", "agency"),
    key="a_name",
).strip()
params.write({"name": name}, {})
if not name:
    st.info("Type an agency: ICE, CBP, DHS, a code such as 7012 or an office code such as 70CDCR.")
    st.stop()
try:  # totals and the yearly chart cover every award; the table lists the largest (ICE has tens of thousands)
    agency = data.agency_profile(src, name, AWARD_ROWS, categories)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
params.remember("agency", name)

awards = agency["awards"]
parent = agency.get("parent")
# an office's actions sit in its sub-agency's cells of the grid: scope by the agency and what it is part of
scope = data.coverage_within(src, [agency["id"]] + ([parent["id"]] if parent and agency["tier"] == "office" else []))
st.header(md(agency["name"]))
st.markdown(f"**{md(headline.agency(agency, scope))}**")
lens_switch(categories)
profile.totals(agency)
profile.yearly(agency, scope)
if scope["notes"]:
    st.warning(" ".join(f"{note}." for note in scope["notes"]))
with st.expander("What this covers"):
    st.text(
        "\n".join(
            line
            for line in (
                f"code {agency['code']} · {agency['tier']}"
                + (f" · {agency['abbreviation']}" if agency.get("abbreviation") else ""),
                f"part of: {parent['name']} ({parent['code']})" if parent else "",
            )
            if line
        )
    )
    st.caption(
        f"Awards it or its sub-agencies and offices awarded. It also funded awards with "
        f"{money(agency['funded_obligated'])} obligated ({agency['funded_award_count']:,} awards). "
        + coverage.end_date_line(data.agency_end_dates(src, name, None))
        + f" Years held: {scope['line']}."
    )
st.subheader("Sub-agencies and offices")
if agency["children"]:
    tables.show(
        [{**child, "name": profile_links.agency_url(child["code"], child["name"])} for child in agency["children"]],
        [Column("name", "Name", "profile", True, "large"), Column("code", "Code"), Column("tier", "Tier")],
        key="agency-children",
    )
else:
    st.caption("None in the graph.")
agency_tables.categories_section(src, name, scope)
agency_tables.families_section(src, name, agency)
agency_tables.top_vendors_section(src, name, agency)
attributed.makers_section(agency)
agency_tables.subawards_section(src, name, agency)
profile.awards_section(f"Awards by {agency['name']}", awards, "agency", of=agency["award_count"])
