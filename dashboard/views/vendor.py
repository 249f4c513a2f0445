"""Vendor profile: a family (top parent and subsidiaries), its agencies, awards and subawards, and what its
products brought in through other vendors (kept apart from its own obligations)."""

from __future__ import annotations

import functools
import re

import streamlit as st

from core.wording import NO_FEDERAL_AWARDS, description
from dashboard import data, params
from dashboard.render import attributed, local_customers, outcomes, profile, profile_links, tables
from dashboard.render import vehicles as vehicles_view
from dashboard.render.tables import Column
from dashboard.render.text import md, record_link
from dashboard.shaping import family_tree, headline
from dashboard.shaping.exports import where_from
from dashboard.view_filters import lens_switch, sector_picker

ZERO_AWARDS = 200  # a $0 family with at most this many awards has its actions read to tell "$0 net" apart

st.title("Vendor profile")
src = data.require_data()
categories = sector_picker(("all",), "The profile")
name = st.text_input("Vendor (part of a name or alias)", params.carried("name", "vendor"), key="v_name").strip()
params.write({"name": name}, {})
if not name:
    st.info("Type part of a vendor's name, e.g. Palantir, Clearview AI or Amazon.com.")
    st.stop()
try:
    family = data.vendor_family(src, name, categories)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
params.remember("vendor", name)

agency_ids = [a["id"] for a in family["agencies"]]
scope = data.coverage_within(src, agency_ids)
zero = family["award_count"] and family["total_obligated"] == 0 and family["award_count"] <= ZERO_AWARDS
actions = data.award_actions(src, tuple(a["key"] for a in family["awards"])) if zero else None
st.header(md(family["name"]))
st.markdown(f"**{md(headline.vendor(family, scope, actions))}**")
lens_switch(categories)
identity = "\n".join(
    line
    for line in (
        f"id: {family['id']}",
        f"UEI: {family['uei']}" if family.get("uei") else "",
        f"DUNS: {family['duns']}" if family.get("duns") else "",
        f"parent: {family['parent']}" if family.get("parent") else "top of its family (no parent recorded)",
        f"aliases: {'; '.join(family['aliases'])}" if family["aliases"] else "",
        f"matched “{name}”: {'; '.join(family['matched'])}",
    )
    if line
)
st.download_button(
    "Download one-page brief (PDF)",
    functools.partial(data.brief_pdf, src, family["id"], categories),
    f"{re.sub(r'[^a-z0-9]+', '-', family['id'].lower()).strip('-')}-brief.pdf",
    "application/pdf",
    key="brief_pdf",
    help="money by agency, top awards, upcoming end dates and sources, on one page",
)
if family["award_count"]:
    profile.totals(family)
else:
    st.info(
        f"{NO_FEDERAL_AWARDS[0].upper()}{NO_FEDERAL_AWARDS[1:]}: no contract action, award summary or subaward "
        f"in this store names {family['name']} or its family as the recipient. That is not $0: this store holds "
        f"federal contract actions of {data.coverage(src)['line']}."
        if not categories
        else f"No contract action of {family['sector']['line'].split(' only;')[0]} names {family['name']} or its "
        f"family as the recipient in this store; its categories are below (switch to all purchases to see "
        f"its awards)."
    )
attributed.sold_through_section(family)
if family["award_count"]:
    profile.yearly(family, scope)
if scope["notes"] and family["award_count"]:
    st.warning(" ".join(f"{note}." for note in scope["notes"]))
profile.categories_section(family)
with st.expander("Identifiers and how the name was matched"):
    st.text(identity)
st.subheader("Family tree")
st.text("\n".join(family_tree.tree_lines(family)))
links = family_tree.link_rows(family)
if links:
    st.caption(
        "Each link with its source: a record's parent as reported (file, line, the dates it was reported, the "
        "award's page) or the curated table data/vendor_families.csv with its note."
    )
    tables.show(
        links,
        [
            Column("vendor", "Vendor", pinned=True, width="medium"),
            Column("relation", "Link"),
            Column("parent", "Parent", width="medium"),
            Column("basis", "Basis"),
            Column("reported", "Reported"),
            Column("source", "Source file and line"),
            Column("permalink", "USAspending page", "link"),
            Column("note", "Note"),
        ],
        key="vendor-links",
    )
st.subheader("Subsidiaries and registrations")
if family["subsidiaries"]:
    tables.show(
        [{**s, "total_obligated": s["total_obligated"] if s["award_count"] else None} for s in family["subsidiaries"]],
        [
            Column("name", "Name", pinned=True, width="large"),
            Column("total_obligated", "Obligated", "money", missing="no federal awards"),
            Column("award_count", "Awards", "count"),
            Column("parent", "Parent"),
            Column("uei", "UEI"),
            Column("duns", "DUNS"),
            Column("id", "Id"),
        ],
        key="vendor-subsidiaries",
    )
else:
    st.caption("None recorded.")
if family["agencies"]:
    st.subheader("Agencies it received awards from")
    tables.show(
        [{**a, "agency": profile_links.agency_url(a["code"], a["name"])} for a in family["agencies"]],
        [
            Column("agency", "Agency", "profile", True, "large"),
            Column("total_obligated", "Obligated", "money"),
            Column("award_count", "Awards", "count"),
            Column("code", "Code"),
            Column("tier", "Tier"),
        ],
        key="vendor-agencies",
    )
if family["award_count"]:
    profile.awards_section(f"Awards to {family['name']}", family["awards"], "vendor")
vehicles_view.section(src, family)  # contract vehicles: open ceilings, apart from the money
local_customers.section(src, family)
st.subheader("Contested")
contested = data.outcomes(src, family["id"])
st.markdown(outcomes.sentence(contested, f" of {family['name']}"))
if contested["count"]:
    outcomes.table("vendor-outcomes", contested, with_vendor=False)
if family["subawards_received"]:
    st.subheader(f"Subawards received ({len(family['subawards_received']):,})")
    tables.show(
        [
            {
                **row,
                "permalink": record_link(row["permalink"]),
                "description": description(row["description"], 140),
                "source": where_from(row),
            }
            for row in family["subawards_received"]
        ],
        [
            Column("prime_recipient", "Prime vendor", pinned=True, width="medium"),
            Column("amount", "Subaward amount", "money", True),
            Column("action_date", "Date"),
            Column("prime_award", "Prime award"),
            Column("description", "What was bought", width="large"),
            Column("permalink", "USAspending page", "link"),
            Column("source", "Source file and line"),
        ],
        key="vendor-subawards",
    )
