"""Local agencies: who uses which vendor's surveillance technology, who can search whose data, and what their
policies forbid (issue 12). Every row is cited to its file and line, and to the agency's portal. With an agency
chosen (`?agency=`), its profile and sharing network come first, the map and the table of agencies after.
`?view=federal` answers one question in one view: which local agencies' data federal agencies can search (issue 26).
A filter that matches nothing says so, and a count no source reports reads "not reported", never 0."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pandas as pd
import streamlit as st

from core.keys import match_tier
from core.wording import NOT_REPORTED, count, money, text
from dashboard import data, params
from dashboard.render import outcomes, profile_links, sharing_network, state_grid, tables
from dashboard.render.text import md, web_link
from dashboard.view_filters import sector_picker
from graph.questions.local import federal_path, federal_sentence

LINK = {"Portal page": st.column_config.LinkColumn("Portal page", display_text="open", width="small")}
VIEWS = {"agencies": "Agencies", "federal": "Shared with federal agencies"}
NO_LIST = f"{NOT_REPORTED} (no access list of its own in the data)"
USING_LABEL = "Only agencies with a deployment or contract"


def agency_link(row: dict) -> str:
    return f"{sharing_network.profile_url(row['id'])}#{quote(row['name'], safe='')}"


def cited(row: dict) -> dict:
    return {"Source": f"{Path(row['source']).name}, {row['record']}", "Portal page": web_link(row.get("url"))}


def first_up(words: str) -> str:
    return words[:1].upper() + words[1:]


def figure(value, missing_text: str = NOT_REPORTED) -> str:
    """A count as a table cell: "3,861", or words for a count nobody reported."""
    return text(None if value is None else f"{value:,}", missing_text)


def searchable_by(row: dict) -> str:
    """How many agencies can search its data, as its own portal's access list says; no list is no figure."""
    return f"{row['searchable_by']:,}" if row["searchable_by"] else NOT_REPORTED


@st.cache_data(show_spinner=False)
def federal_sharing(src: tuple) -> dict:
    return data.ask().federal_sharing()


def _unknown(asked: list[str], known: list[str], what: str) -> list[str]:
    """The URL's values no local record has: each named in a warning, and kept chosen so nothing else lists."""
    missing = [value for value in asked if value not in known]
    for value in missing:
        st.warning(f"No local records {what} {md(value)} yet, so no agency is listed for it.", icon="⚠️")
    return missing


def overview_section(overview: dict, contested: dict) -> dict:
    """The map, the campaign outcomes and the table of agencies; returns the filters, for the URL."""
    st.subheader("By state")
    st.altair_chart(state_grid.chart(overview["states"], contested["by_state"]), width="stretch")
    st.caption(
        first_up(overview["basis"])
        + ". States are read from the agencies' names where the source gives no column."
        + (" Purple dots: records saying a deployment was cancelled, rejected or ended." if contested["count"] else "")
    )
    st.subheader("Cancelled, rejected or ended")
    st.markdown(outcomes.sentence(contested))
    if contested["count"]:
        outcomes.table("local-outcomes", contested)
    else:
        st.caption(
            "A campaign tracker or a survey with a status column loads with `python -m ingest table FILE --map "
            "MAP.toml` (data/maps/tracker.toml is an example)."
        )
    st.subheader("Agencies")
    rows = overview["agencies"]
    states = sorted({r["state"] for r in rows if r["state"]})
    vendors = sorted({v for r in rows for v in r["vendors"]})
    kinds = sorted({r["jurisdiction"] for r in rows if r["jurisdiction"]})
    asked_states = [s.strip().upper() if len(s.strip()) == 2 else s.strip() for s in params.many("state")]
    asked_kinds = params.many("kind")
    wanted = params.text("vendor").strip()
    tiers = {v: match_tier(wanted, [v]) for v in vendors} if wanted else {}
    best = min((t for t in tiers.values() if t is not None), default=None)
    named = [v for v in vendors if best is not None and tiers[v] == best]  # whole words before parts of words
    state_options = states + _unknown(asked_states, states, "are in the state")
    kind_options = kinds + _unknown(asked_kinds, kinds, "give the jurisdiction")
    vendor_options = ["(any)", *vendors]
    if wanted and not named:
        st.warning(
            f"No local records name {md(wanted)} yet: no agency's deployment or contract in the data names "
            f"that vendor, so none is listed. Load records that do with `python -m ingest table FILE --map "
            f"MAP.toml`.",
            icon="⚠️",
        )
        vendor_options.append(wanted)
    chosen = wanted if wanted in vendor_options else (named[0] if len(named) == 1 else wanted if named else "(any)")
    if chosen not in vendor_options:
        vendor_options.append(chosen)  # part of several vendors' names: every one of them matches
    filters = st.columns([2, 2, 2, 3])
    chosen_states = filters[0].multiselect("State", state_options, list(dict.fromkeys(asked_states)), key="l_state")
    chosen_vendor = filters[1].selectbox("Vendor", vendor_options, index=vendor_options.index(chosen), key="l_vendor")
    chosen_kinds = filters[2].multiselect("Jurisdiction", kind_options, list(dict.fromkeys(asked_kinds)), key="l_kind")
    needle = filters[3].text_input("Name contains", params.text("q"), key="l_q").strip()
    using = st.checkbox(USING_LABEL, params.flag("using", True), key="l_using")
    tests = {
        "state": lambda r: not chosen_states or r["state"] in chosen_states,
        "vendor": lambda r: (
            chosen_vendor == "(any)"
            or any(v == chosen_vendor or (chosen_vendor == wanted and v in named) for v in r["vendors"])
        ),
        "jurisdiction": lambda r: not chosen_kinds or r["jurisdiction"] in chosen_kinds,
        "name": lambda r: not needle or needle.lower() in r["name"].lower(),
        "using": lambda r: not using or r["deployments"] or r["contracts"],
    }
    shown = [r for r in rows if all(test(r) for test in tests.values())]
    st.caption(f"{len(shown):,} of {len(rows):,} agencies")
    if shown:
        tables.dataframe(
            "local-agencies",
            pd.DataFrame(
                [
                    {
                        "Agency": agency_link(r),
                        "State": text(r["state"]),
                        "Vendors": "; ".join(r["vendors"]) or "none loaded",
                        "Cameras": figure(r["cameras"]),
                        "Can search its data": searchable_by(r),
                        "It can search": figure(r["can_search"] or None, "none listed"),
                        "Jurisdiction": text(r["jurisdiction"]),
                        "Technologies": "; ".join(r["technologies"]) or "none loaded",
                        "Policy loaded": r["policy"],
                    }
                    for r in shown
                ]
            ),
            hide_index=True,
            width="stretch",
            height=360,
            column_config={
                "Agency": profile_links.column("Agency", width="medium"),
                "Cameras": st.column_config.TextColumn("Cameras", help="the count its portal reports"),
                "Can search its data": st.column_config.TextColumn(
                    "Can search its data",
                    help="agencies its own portal's access list names; not reported when no list of its own is loaded",
                ),
                "It can search": st.column_config.TextColumn(
                    "It can search", help="agencies whose loaded access lists name it"
                ),
                "Policy loaded": st.column_config.CheckboxColumn("Policy loaded"),
            },
        )
        unlisted = sum(1 for r in shown if not r["searchable_by"])
        st.caption(
            f'Can search its data: the agencies its own portal\'s access list names; "not reported" '
            f"({unlisted:,} of these {len(shown):,}): no access list of its own is in the data, which is no "
            f'figure, not zero. It can search: the agencies whose loaded access lists name it ("none '
            f'listed": no loaded list does). Cameras: the count its portal reports.'
        )
    else:
        explain_empty(rows, tests, chosen_kinds)
    return {
        "state": chosen_states,
        "vendor": None if chosen_vendor == "(any)" else chosen_vendor,
        "kind": chosen_kinds,
        "q": needle,
        "using": using,
    }


LABELS = {
    "state": "the state filter",
    "vendor": "the vendor filter",
    "jurisdiction": "the jurisdiction filter",
    "name": "the name filter",
    "using": f'"{USING_LABEL}"',
}


def explain_empty(rows: list[dict], tests: dict, kinds: list[str]) -> None:
    """No agency passes every filter: say which filter hides them, and how many each one alone leaves out."""
    hints = []
    for name, label in LABELS.items():
        others = [test for other, test in tests.items() if other != name]
        freed = sum(1 for r in rows if all(test(r) for test in others))
        if freed:
            action = "untick it" if name == "using" else "clear it"
            hints.append(f"without {label}: {count(freed, 'agency', 'agencies')} ({action} to list them)")
    alone = [
        f"{label} alone matches {count(sum(1 for r in rows if tests[name](r)), 'agency', 'agencies')}"
        for name, label in LABELS.items()
        if not all(tests[name](r) for r in rows)
    ]
    st.info(
        "No agency matches every filter"
        + (": " + "; ".join(hints) + "." if hints else ". " + first_up("; ".join(alone)) + ".")
        + (
            " For the local agencies whose data federal agencies can search, see "
            "[Shared with federal agencies](/local?view=federal)."
            if "federal" in kinds
            else ""
        ),
        icon="ℹ️",
    )


def federal_section(src: tuple) -> None:
    """Which local agencies' data federal agencies can search: the answer first, then every listing, cited."""
    answer = federal_sharing(src)
    st.markdown(f"**{md(federal_sentence(answer))}**")
    if not answer["links"]:
        st.info("Load the Flock portals (`python -m ingest flock-portals DIR`) or a shares-with table to answer it.")
        return
    bodies = answer["federal_agencies"]
    tables.dataframe(
        "local-federal-agencies",
        pd.DataFrame(
            [
                {
                    "Federal agency": agency_link(b),
                    "Part of": " → ".join(body["name"] for body in b["federal_chain"]) or "no federal body matched",
                    "Local agencies": b["agencies"],
                    "States": b["states"],
                }
                for b in bodies
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Federal agency": profile_links.column("Federal agency", width="medium"),
            "Part of": st.column_config.TextColumn("Federal body, and the one above it"),
            "Local agencies": st.column_config.NumberColumn(
                "Local agencies", format="%d", width="small", help="local agencies whose portals list it"
            ),
            "States": st.column_config.NumberColumn("States", format="%d", width="small"),
        },
    )
    st.subheader("Every listing")
    tables.dataframe(
        "local-federal-listings",
        pd.DataFrame(
            [
                {
                    "Local agency": agency_link(r["agency"]),
                    "State": text(r["agency"]["state"]),
                    "Federal agency": federal_path(
                        r["federal"]["name"], r["federal_relation"], r["federal_chain"], short=True
                    ),
                    "Source": cited(r)["Source"],
                    "System": text(r["system"]),
                    "As of": text(r["as_of"]),
                    "Portal page": cited(r)["Portal page"],
                }
                for r in answer["links"]
            ]
        ),
        hide_index=True,
        width="stretch",
        height=520,
        column_config={
            "Local agency": profile_links.column("Local agency", width="medium"),
            "Federal agency": st.column_config.TextColumn("Federal agency (part of)", width="medium"),
            "Portal page": st.column_config.LinkColumn("Portal page", display_text="open", width="small"),
        },
    )
    st.caption(
        first_up(answer["basis"]) + ". A listing is what the portal published on its date, not a record of searches."
    )


def profile_section(src: tuple, found: dict) -> None:
    agency = found["agency"]
    st.header(md(agency["name"]))
    chain = agency["federal_chain"]
    st.text(
        "\n".join(
            line
            for line in (
                f"id {agency['id']} · {agency['tier']} · {agency['jurisdiction'] or 'jurisdiction not known'}"
                + (f" · {agency['state']}" if agency["state"] else ""),
                f"also spelled: {'; '.join(n for n in agency['aliases'] if n != agency['name'])}"
                if len(agency["aliases"]) > 1
                else "",
                " → ".join(
                    [f"{agency['federal_relation']}: {chain[0]['name']}"] + [f"part of {b['name']}" for b in chain[1:]]
                )
                if chain
                else "",
                f"listed in {Path(agency['source']).name}, {agency['record']}" if agency["source"] else "",
            )
            if line
        )
    )
    st.subheader("Deployments")
    if found["deployments"]:
        tables.dataframe(
            "local-deployments",
            pd.DataFrame(
                [
                    {
                        "Vendor": r["vendor_display"],
                        "Technology": text(r["technology"]),
                        "Count": figure(r["count"]),
                        "Status": text(r["status"]),
                        "As of": text(r["as_of"]),
                        **cited(r),
                    }
                    for r in found["deployments"]
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config=LINK,
        )
        st.caption('Count: what the source reports (cameras for Flock portals); "not reported" is no figure, not zero.')
    else:
        st.caption("None loaded.")
    if found["contracts"]:
        st.subheader("Local contracts")
        tables.dataframe(
            "local-contracts",
            pd.DataFrame(
                [
                    {
                        "Vendor": r["vendor_display"],
                        "Amount": money(r["amount"]),
                        "Number": text(r["number"]),
                        "Start": text(r["start_date"]),
                        "End": text(r["end_date"]),
                        **cited(r),
                    }
                    for r in found["contracts"]
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config=LINK,
        )
        st.caption("Amount: as the agency's own document gives it; never added to federal obligations.")
    sharing_section(src, found)
    policy_section(found["policy"])


def sharing_sentence(answer: dict, hops: int) -> str:
    """Who can search its data (its own access list, or "not reported" when none is loaded), whose it can search,
    and the federal agencies among the first."""
    reached = answer["searchable_by"]
    if reached["direct_count"]:
        searched = f"**{reached['direct_count']:,}** agencies can search its data" + (
            f" (**{reached['reach']:,}** within {hops} hops)" if hops > 1 else ""
        )
    else:
        searched = "Who can search its data: " + NO_LIST
    owners = answer["can_search"]["count"]
    return (
        searched
        + (
            f"; it can search **{owners:,}** agencies' data"
            if owners
            else "; no loaded access list names it as able to search another agency's data"
        )
        + ". Federal agencies among those that can search its data: "
        + (
            ", ".join(md(f"{a['name']} (hop {a['hop']})") for a in reached["federal"])
            or ("none listed" if reached["direct_count"] else NOT_REPORTED)
        )
        + "."
    )


def sharing_section(src: tuple, found: dict) -> None:
    agency = found["agency"]
    st.subheader("Data sharing")
    hops = st.radio("Hops", (1, 2), index=params.number("hops", 1, low=1, high=2) - 1, horizontal=True, key="l_hops")
    params.write({"hops": hops}, {"hops": 1})
    answer, page = data.sharing_page(src, agency["id"], hops)
    reached = answer["searchable_by"]
    st.markdown(sharing_sentence(answer, hops))
    st.iframe(page, height=680)
    st.caption(reached["basis"])
    both = st.columns(2)
    for column, title, listed, key in (
        (both[0], "Shares its data with", found["shares_with"], "local-shares-with"),
        (both[1], "Can search the data of", found["shared_by"], "local-shared-by"),
    ):
        column.markdown(f"**{title}** ({len(listed):,})")
        if listed:
            tables.dataframe(
                key,
                pd.DataFrame(
                    [
                        {
                            "Agency": agency_link(r),
                            "State": text(r["state"]),
                            "Jurisdiction": text(r["jurisdiction"]),
                            "As of": text(r["as_of"]),
                            **cited(r),
                        }
                        for r in listed
                    ]
                ),
                into=column,
                hide_index=True,
                width="stretch",
                height=300,
                column_config={"Agency": profile_links.column("Agency"), **LINK},
            )


def policy_section(policy: dict | None) -> None:
    st.subheader("Policy")
    if not policy:
        st.caption("No policy loaded.")
        return
    retention = policy["retention_days"]
    st.text(
        f"updated {policy['updated'] or 'date not given'} · {policy['versions']} version(s) loaded · retention "
        f"{f'{retention} days' if retention is not None else 'not reported'} · {Path(policy['source']).name}, "
        f"{policy['record']}"
    )
    if web_link(policy["url"]):
        st.link_button("Open the portal", web_link(policy["url"]))
    for section, written in policy["sections"].items():
        if written:
            with st.expander(section.replace("_", " ")):
                st.text(written)


st.title("Local agencies")
src = data.require_data()
sector_picker(("all",), "")
overview = data.local_overview(src)
counts = overview["counts"]
if not counts.get("agencies"):
    st.info(
        "No local data loaded. Load the Flock portals with `python -m ingest flock-portals DIR`, or any "
        "spreadsheet with `python -m ingest table FILE --map MAP.toml` (see docs/map-format.md)."
    )
    st.stop()
columns = st.columns(4)
columns[0].metric("local agencies", f"{counts['agencies']:,}")
columns[1].metric(
    "deployments",
    f"{counts['deployments']:,}",
    help=f"{counts['deployments_with_count']:,} report a count (e.g. cameras); the others report none",
)
columns[2].metric(
    "data-sharing links",
    f"{counts['sharing_links']:,}",
    help=f"duplicate rows in the sources, counted once: {counts['sharing_duplicate_rows']:,}",
)
columns[3].metric("policies", f"{counts['policies']:,}", help=f"of {counts['agencies_with_policy']:,} agencies")
asked = params.text("view", "agencies")
if asked not in VIEWS:
    st.warning(f"The link's view={md(asked[:40])} is not a view of this page; showing {VIEWS['agencies']}.", icon="⚠️")
view = st.radio(
    "View",
    list(VIEWS),
    format_func=VIEWS.get,
    horizontal=True,
    label_visibility="collapsed",
    index=list(VIEWS).index(asked) if asked in VIEWS else 0,
    key="l_view",
)
params.write({"view": view}, {"view": "agencies"})
if view == "federal":
    federal_section(src)
    st.stop()
from_url = params.text("agency")
if st.session_state.get("l_agency_url") != from_url:  # a link to another agency (the ego-network's, in this tab)
    st.session_state["l_agency"] = st.session_state["l_agency_url"] = from_url
name = st.text_input("Agency (name as the source spells it, or its id)", key="l_agency").strip()
if not name:
    st.info(
        "Pick an agency in the table, or type one: Pittsboro IN PD, Avon IN PD, ATF Nashville TN. Which local "
        "agencies' data federal agencies can search: [Shared with federal agencies](/local?view=federal)."
    )
else:
    try:
        profile_section(src, data.local_profile(src, name))
    except (data.NotFound, data.Ambiguous) as error:
        data.lookup_error(error)
    st.divider()
params.write({**overview_section(overview, data.outcomes(src)), "agency": name}, {"using": True})
