"""Local agencies: who uses which vendor's surveillance technology, who can search whose data, and what their
policies forbid (issue 12). Every row is cited to its file and line, and to the agency's portal. With an agency
chosen (`?agency=`), its profile and sharing network come first, the map and the table of agencies after."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pandas as pd
import streamlit as st

from dashboard import data, params, profile_links, sharing_network, state_grid
from dashboard.text import md, web_link

LINK = {"page": st.column_config.LinkColumn("page")}


def agency_link(row: dict) -> str:
    return f"{sharing_network.profile_url(row['id'])}#{quote(row['name'], safe='')}"


def cited(row: dict) -> dict:
    return {"source": Path(row["source"]).name, "line": row["record"], "page": web_link(row.get("url"))}


def overview_section(overview: dict) -> dict:
    """The map and the table of agencies; returns the filters, for the URL."""
    st.subheader("By state")
    st.altair_chart(state_grid.chart(overview["states"]), width="stretch")
    st.caption(overview["basis"] + ". States are read from the agencies' names where the source gives no column.")
    st.subheader("Agencies")
    rows = overview["agencies"]
    states = sorted({r["state"] for r in rows if r["state"]})
    vendors = sorted({v for r in rows for v in r["vendors"]})
    kinds = sorted({r["jurisdiction"] for r in rows if r["jurisdiction"]})
    filters = st.columns([2, 2, 2, 3])
    chosen_states = filters[0].multiselect("State", states, [s for s in params.many("state") if s in states],
                                           key="l_state")
    wanted = params.text("vendor")
    chosen_vendor = filters[1].selectbox("Vendor", ["(any)", *vendors],
                                         index=vendors.index(wanted) + 1 if wanted in vendors else 0, key="l_vendor")
    chosen_kinds = filters[2].multiselect("Jurisdiction", kinds, [k for k in params.many("kind") if k in kinds],
                                          key="l_kind")
    needle = filters[3].text_input("Name contains", params.text("q"), key="l_q").strip()
    using = st.checkbox("Only agencies with a deployment or contract", params.flag("using", True), key="l_using")
    shown = [r for r in rows
             if (not chosen_states or r["state"] in chosen_states)
             and (chosen_vendor == "(any)" or chosen_vendor in r["vendors"])
             and (not chosen_kinds or r["jurisdiction"] in chosen_kinds)
             and (not needle or needle.lower() in r["name"].lower())
             and (not using or r["deployments"] or r["contracts"])]
    st.caption(f"{len(shown):,} of {len(rows):,} agencies")
    if shown:
        st.dataframe(pd.DataFrame([{
            "agency": agency_link(r), "state": r["state"], "jurisdiction": r["jurisdiction"],
            "vendors": "; ".join(r["vendors"]), "technologies": "; ".join(r["technologies"]), "cameras": r["cameras"],
            "searchable by": r["searchable_by"], "can search": r["can_search"], "policy": r["policy"]} for r in shown]),
            hide_index=True, width="stretch", height=360, column_config={"agency": profile_links.column("agency")})
    return {"state": chosen_states, "vendor": None if chosen_vendor == "(any)" else chosen_vendor,
            "kind": chosen_kinds, "q": needle, "using": using}


def profile_section(src: tuple, found: dict) -> None:
    agency = found["agency"]
    st.header(md(agency["name"]))
    chain = agency["federal_chain"]
    st.text("\n".join(line for line in (
        f"id {agency['id']} · {agency['tier']} · {agency['jurisdiction'] or 'jurisdiction not known'}"
        + (f" · {agency['state']}" if agency["state"] else ""),
        f"also spelled: {'; '.join(n for n in agency['aliases'] if n != agency['name'])}"
        if len(agency["aliases"]) > 1 else "",
        " → ".join([f"{agency['federal_relation']}: {chain[0]['name']}"] + [f"part of {b['name']}" for b in chain[1:]])
        if chain else "",
        f"listed in {Path(agency['source']).name}, {agency['record']}" if agency["source"] else "") if line))
    st.subheader("Deployments")
    if found["deployments"]:
        st.dataframe(pd.DataFrame([{"vendor": r["vendor_display"], "technology": r["technology"], "status": r["status"],
                                    "as of": r["as_of"], "count": r["count"], **cited(r)} for r in found["deployments"]]),
                     hide_index=True, width="stretch", column_config=LINK)
        st.caption("count: what the source reports (cameras for Flock portals); empty: not reported, not zero.")
    else:
        st.caption("None loaded.")
    if found["contracts"]:
        st.subheader("Local contracts")
        st.dataframe(pd.DataFrame([{"vendor": r["vendor_display"], "number": r["number"], "amount": r["amount"],
                                    "start": r["start_date"], "end": r["end_date"], **cited(r)}
                                   for r in found["contracts"]]), hide_index=True, width="stretch", column_config=LINK)
        st.caption("amount: as the agency's own document gives it; never added to federal obligations.")
    sharing_section(src, found)
    policy_section(found["policy"])


def sharing_section(src: tuple, found: dict) -> None:
    agency = found["agency"]
    st.subheader("Data sharing")
    hops = st.radio("Hops", (1, 2), index=params.number("hops", 1, low=1, high=2) - 1, horizontal=True, key="l_hops")
    params.write({"hops": hops}, {"hops": 1})
    answer, page = data.sharing_page(src, agency["id"], hops)
    reached = answer["searchable_by"]
    st.markdown(f"**{reached['direct_count']:,}** agencies can search its data"
                + (f" (**{reached['reach']:,}** within {hops} hops)" if hops > 1 else "")
                + f"; it can search **{answer['can_search']['count']:,}** agencies' data. Federal agencies among "
                  f"them: " + (", ".join(md(f"{a['name']} (hop {a['hop']})") for a in reached["federal"]) or "none"))
    st.iframe(page, height=680)
    st.caption(reached["basis"])
    both = st.columns(2)
    for column, title, listed in ((both[0], "Shares its data with", found["shares_with"]),
                                  (both[1], "Can search the data of", found["shared_by"])):
        column.markdown(f"**{title}** ({len(listed):,})")
        if listed:
            column.dataframe(pd.DataFrame([{"agency": agency_link(r), "state": r["state"],
                                            "jurisdiction": r["jurisdiction"], "as of": r["as_of"], **cited(r)}
                                           for r in listed]), hide_index=True, width="stretch", height=300,
                             column_config={"agency": profile_links.column("agency"), **LINK})


def policy_section(policy: dict | None) -> None:
    st.subheader("Policy")
    if not policy:
        st.caption("No policy loaded.")
        return
    retention = policy["retention_days"]
    st.text(f"updated {policy['updated'] or 'date not given'} · {policy['versions']} version(s) loaded · retention "
            f"{f'{retention} days' if retention is not None else 'not reported'} · {Path(policy['source']).name}, "
            f"{policy['record']}")
    if web_link(policy["url"]):
        st.link_button("Open the portal", web_link(policy["url"]))
    for section, text in policy["sections"].items():
        if text:
            with st.expander(section.replace("_", " ")):
                st.text(text)


st.title("Local agencies")
src = data.require_data()
overview = data.local_overview(src)
counts = overview["counts"]
if not counts.get("agencies"):
    st.info("No local data loaded. Load the Flock portals with `python -m ingest flock-portals DIR`, or any "
            "spreadsheet with `python -m ingest table FILE --map MAP.toml` (see the README).")
    st.stop()
columns = st.columns(4)
columns[0].metric("local agencies", f"{counts['agencies']:,}")
columns[1].metric("deployments", f"{counts['deployments']:,}",
                  help=f"{counts['deployments_with_count']:,} report a count (e.g. cameras); the others report none")
columns[2].metric("data-sharing links", f"{counts['sharing_links']:,}",
                  help=f"duplicate rows in the sources, counted once: {counts['sharing_duplicate_rows']:,}")
columns[3].metric("policies", f"{counts['policies']:,}", help=f"of {counts['agencies_with_policy']:,} agencies")
from_url = params.text("agency")
if st.session_state.get("l_agency_url") != from_url:  # a link to another agency (the ego-network's, in this tab)
    st.session_state["l_agency"] = st.session_state["l_agency_url"] = from_url
name = st.text_input("Agency (name as the source spells it, or its id)", key="l_agency").strip()
if not name:
    st.info("Pick an agency in the table, or type one: Pittsboro IN PD, Avon IN PD, ATF Nashville TN.")
else:
    try:
        profile_section(src, data.local_profile(src, name))
    except (data.NotFound, data.Ambiguous) as error:
        data.lookup_error(error)
    st.divider()
params.write({**overview_section(overview), "agency": name}, {"using": True})
