"""Vendor profile: a family (top parent and subsidiaries), its agencies, awards and subawards, and what its
products brought in through other vendors (kept apart from its own obligations)."""
from __future__ import annotations

import functools

import re

import pandas as pd
import streamlit as st

from dashboard import attributed, data, family_tree, local_customers, params, profile, profile_links
from dashboard.text import record_link, md

st.title("Vendor profile")
src = data.require_data()
name = st.text_input("Vendor (part of a name or alias)", params.carried("name", "vendor"), key="v_name").strip()
params.write({"name": name}, {})
if not name:
    st.info("Type part of a vendor's name, e.g. Palantir, Clearview AI or Amazon.com.")
    st.stop()
try:
    family = data.vendor_family(src, name)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
params.remember("vendor", name)

st.header(md(family["name"]))
st.text("\n".join(line for line in (
    f"id: {family['id']}", f"UEI: {family['uei']}" if family.get("uei") else "",
    f"DUNS: {family['duns']}" if family.get("duns") else "",
    f"parent: {family['parent']}" if family.get("parent") else "top of its family (no parent recorded)",
    f"aliases: {'; '.join(family['aliases'])}" if family["aliases"] else "",
    f"matched “{name}”: {'; '.join(family['matched'])}") if line))
st.download_button("Download one-page brief (PDF)", functools.partial(data.brief_pdf, src, family["id"]),  # on click
                   f"{re.sub(r'[^a-z0-9]+', '-', family['id'].lower()).strip('-')}-brief.pdf", "application/pdf",
                   key="brief_pdf", help="money by agency, top awards, upcoming end dates and sources, on one page")
profile.totals(family)
attributed.sold_through_section(family)
profile.yearly(family)
st.subheader("Family tree")
st.text("\n".join(family_tree.tree_lines(family)))
links = family_tree.link_rows(family)
if links:
    st.caption("Each link with its source: a record's parent as reported (file, line, the dates it was reported, the "
               "award's page) or the curated table data/vendor_families.csv with its note.")
    st.dataframe(pd.DataFrame(links), hide_index=True, width="stretch",
                 column_config={"permalink": st.column_config.LinkColumn("permalink")})
st.subheader("Subsidiaries and registrations")
if family["subsidiaries"]:
    st.dataframe(pd.DataFrame([{"name": s["name"], "parent": s["parent"], "id": s["id"], "UEI": s["uei"],
                                "DUNS": s["duns"], "obligated": s["total_obligated"], "awards": s["award_count"]}
                               for s in family["subsidiaries"]]), hide_index=True, width="stretch")
else:
    st.caption("None recorded.")
st.subheader("Agencies it received awards from")
st.dataframe(pd.DataFrame([{"agency": profile_links.agency_url(a["code"], a["name"]), "code": a["code"], "tier": a["tier"],
                            "obligated": a["total_obligated"], "awards": a["award_count"]} for a in family["agencies"]]),
             hide_index=True, width="stretch", column_config={"agency": profile_links.column("agency")})
profile.awards_section(f"Awards to {family['name']}", family["awards"], "vendor")
local_customers.section(src, family)
if family["subawards_received"]:
    st.subheader(f"Subawards received ({len(family['subawards_received']):,})")
    st.dataframe(pd.DataFrame([{**row, "permalink": record_link(row["permalink"])} for row in family["subawards_received"]]),
                 hide_index=True, width="stretch",
                 column_config={"permalink": st.column_config.LinkColumn("permalink")})
