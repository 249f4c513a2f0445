"""Agency profile: an agency with its sub-agencies and offices, its vendors, the makers whose products reached
it directly and through other vendors, and its awards."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import agency_tables, attributed, coverage, data, params, profile, profile_links
from dashboard.text import md

AWARD_ROWS = 1000

st.title("Agency profile")
src = data.require_data()
name = st.text_input("Agency (code such as 7012, abbreviation such as ICE, or part of a name)",
                     params.carried("name", "agency"), key="a_name").strip()
params.write({"name": name}, {})
if not name:
    st.info("Type an agency: ICE, CBP, DHS, a code such as 7012 or an office code such as 70CDCR.")
    st.stop()
try:  # totals and the yearly chart cover every award; the table lists the largest (ICE has tens of thousands)
    agency = data.agency_profile(src, name, AWARD_ROWS)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
params.remember("agency", name)

awards = agency["awards"]
st.header(md(agency["name"]))
parent = agency.get("parent")
st.text("\n".join(line for line in (
    f"code {agency['code']} · {agency['tier']}" + (f" · {agency['abbreviation']}" if agency.get("abbreviation") else ""),
    f"part of: {parent['name']} ({parent['code']})" if parent else "", ) if line))
profile.totals(agency)
st.caption(f"Awards it or its sub-agencies and offices awarded. It also funded awards with "
           f"${agency['funded_obligated']:,.2f} obligated ({agency['funded_award_count']:,} awards). "
           + coverage.end_date_line(data.agency_end_dates(src, name, None)))
profile.yearly(agency)
st.subheader("Sub-agencies and offices")
if agency["children"]:
    st.dataframe(pd.DataFrame([{**child, "name": profile_links.agency_url(child["code"], child["name"])}
                               for child in agency["children"]]), hide_index=True, width="stretch",
                 column_config={"name": profile_links.column("name")})
else:
    st.caption("None in the graph.")
agency_tables.families_section(src, name, agency)
agency_tables.top_vendors_section(src, name, agency)
attributed.makers_section(agency)
agency_tables.subawards_section(src, name, agency)
profile.awards_section(f"Awards by {agency['name']}", awards, "agency", of=agency["award_count"])
