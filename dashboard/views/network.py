"""Network: the top vendor families by obligated money within the sidebar's filters, every one labelled, the
rest of each agency's vendors grouped into one node ("N other vendors, $X"); or one entity's ego network.
Layers: makers' products sold through resellers, and subawards (dashed; never added to obligations).
A search centres the drawing on a node; a click on a node opens its profile."""

from __future__ import annotations

import time

import streamlit as st

from core.wording import money, short_money
from dashboard import data, params
from dashboard.render import profile, tables
from dashboard.render import pyvis_network as network
from dashboard.render.text import md
from dashboard.shaping import exports
from dashboard.shaping import network as network_view
from dashboard.view_filters import Filters, lens_switch, sidebar

MAX_AWARD_NODES = 150
PAGE_SIZE = 50  # awards listed per page under the graph
MORE_STEP = 25


def agency_codes(src: tuple) -> dict[str, str]:
    return {e["id"]: e["code"] for e in data.entities(src) if e["kind"] == "Agency"}


def in_years(filters: Filters, day: str | None) -> bool:
    """A subaward's fiscal year (from its action date) within the filter's years; undated ones only unfiltered."""
    if not (filters.fy_from or filters.fy_to):
        return True
    if not day:
        return False
    year = int(day[:4]) + (1 if int(day[5:7]) >= 10 else 0)
    return (not filters.fy_from or year >= filters.fy_from) and (not filters.fy_to or year <= filters.fy_to)


@st.cache_data(show_spinner=False)
def page_html(
    src: tuple, filters: Filters, ego: str, hops: int, more: int, expand: str, found: str = ""
) -> tuple[str, dict, dict]:
    """The drawing, its HTML and its GraphML and GEXF files, cached by the store version and every control
    (layout included): a rerun of the page builds none of them again. `found`: a family the search named that
    is not among the top ones, drawn as well."""
    graph = filters.subgraph(src)
    scope = network_view.ego_scope(graph, ego, hops) if ego else None
    view = network_view.top_view(graph, more=more, scope=scope, pinned=ego or found or None)
    if expand:
        view = with_awards(src, view, filters, expand)
    if filters.subawards:
        if filters.agency:
            found = data.find_agency(src, filters.agency)
            where = ((found["tier"], found["id"]),)
        else:
            where = tuple(
                tuple(n["id"].split(":", 1)[1].split(":", 1))
                for n in view["nodes"]
                if n["kind"] == "Agency" and n.get("tier") != "toptier"
            )
        rows = [r for r in data.subaward_rows(src, where) if in_years(filters, r.get("action_date"))]
        names = data.vendor_names(src, tuple(sorted({r["sub_vendor"] for r in rows})))
        view = network_view.with_subawards(view, graph, rows, names)
    if filters.through_others:
        layer = network_view.layer_scope(graph.get("through_others"), graph, ego)
        view = {**network.with_resellers(view, layer, network_view.family_heads(graph)), "reseller_layer": layer or {}}
    files = {"graphml": exports.graphml(view), "gexf": exports.gexf(view)}
    named = network_view.unique_names([n for n in view["nodes"] if n["kind"] == "Vendor"], vendor_entries(src))
    return network.view_html(view, agency_codes(src), named=named), view, files


@st.cache_data(show_spinner=False)
def vendor_entries(src: tuple) -> list[dict]:
    """Every vendor with its aliases and family: which drawn names find their family alone in the profile."""
    return [e for e in data.ask().entities() if e["kind"] == "Vendor"]


def picker_entries(agency_nodes: list[dict], families: dict, ranked: list[str], vendors: list[dict]) -> list[dict]:
    """The entity picker's entries (id, names, aliases) in their usual order: agencies, then families by money.
    An agency's abbreviation counts as a name; a family's members' names and aliases as its aliases."""
    aliases: dict[str, set] = {}
    for vendor in vendors:
        aliases.setdefault(f"Vendor:{vendor.get('family') or vendor['id']}", set()).update(
            n for n in [vendor.get("name"), *(vendor.get("aliases") or [])] if n
        )
    return [{"id": n["id"], "names": [n.get("name"), n.get("abbreviation")], "aliases": []} for n in agency_nodes] + [
        {"id": h, "names": [families[h]["name"]], "aliases": sorted(aliases.get(h, ()))} for h in ranked
    ]


def with_awards(src: tuple, view: dict, filters: Filters, family_node: str) -> dict:
    """Add the family's awards in the view (largest first) as nodes between it and its drawn agencies."""
    if family_node not in {n["id"] for n in view["nodes"] if n.get("family")}:
        return view
    head = family_node.split(":", 1)[1]
    page = data.view_awards(
        src,
        filters.agency,
        head,
        filters.fy_from,
        filters.fy_to,
        filters.award_types,
        None,
        0,
        MAX_AWARD_NODES,
        filters.categories,
    )
    nodes, edges = list(view["nodes"]), list(view["edges"])
    present = {n["id"] for n in nodes}
    for award in page["awards"]:
        aid = f"Award:{award['key']}"
        nodes.append(
            {
                "id": aid,
                "kind": "Award",
                "name": award.get("piid") or award["key"],
                "label": award.get("piid") or award["key"],
                "tier": None,
                "obligated": award.get("obligated") or 0.0,
                "basis": award.get("obligated_basis"),
                "permalink": award.get("permalink"),
            }
        )
        edges.append(
            {"source": family_node, "target": aid, "type": "AWARD", "obligated": award.get("obligated"), "awards": 1}
        )
        agency = award.get("awarding_agency")
        if agency:
            target = f"Agency:{agency['id']}"
            if target not in present and agency.get("tier") == "office":
                parent = data.agency_profile(src, agency["code"], 0).get("parent")
                target = f"Agency:{parent['id']}" if parent else target
            if target in present:
                edges.append(
                    {"source": aid, "target": target, "type": "AWARD", "obligated": award.get("obligated"), "awards": 1}
                )
    return {**view, "nodes": nodes, "edges": edges}


def node_choice(node: dict) -> str:
    kind = {"Agency": "agency", "Group": "group", "Award": "award"}.get(
        node["kind"], "vendor family" if node.get("family") else "vendor"
    )
    return f"{node.get('name') or node['id']} ({kind}, {short_money(node.get('obligated'))})"


st.title("Network")
answer = st.empty()  # the page's answer in one sentence, filled once the drawing is chosen
src = data.require_data()
filters = sidebar(src)
lens_switch(filters.categories)
try:
    graph = filters.subgraph(src)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()

families = network_view.families(graph)
ranked = network_view.ranked(families)
agency_nodes = sorted((n for n in graph["nodes"] if n["kind"] == "Agency"), key=lambda n: n["id"])
left, middle, right = st.columns([2, 3, 2])
modes = ["top", "ego"]
mode = left.radio(
    "Draw",
    modes,
    index=modes.index(params.text("mode", "top")) if params.text("mode") in modes else 0,
    format_func=lambda m: "top families" if m == "top" else "one entity and its neighbours",
    horizontal=True,
    key="n_mode",
)
ego, hops = "", 1
if mode == "ego":
    entities = [n["id"] for n in agency_nodes] + ranked
    labels = {n["id"]: f"{n.get('name') or n['id']} (agency)" for n in agency_nodes}
    labels.update(
        {h: f"{families[h]['name']} (vendor family, {short_money(families[h]['cents'] / 100)})" for h in ranked}
    )
    wanted = params.text("ego")
    if wanted and wanted not in entities:
        st.warning(
            md(
                f"The link's ego={wanted[:60]!r} names no vendor family or agency with awards in these filters; "
                "pick one below."
            ),
            icon="⚠️",
        )
    agency_by_id = {e["id"]: e for e in data.entities(src) if e["kind"] == "Agency"}
    typed = middle.text_input("Entity: type part of a name (vendor family or agency)", key="n_ego_q").strip()
    entries = picker_entries(
        [
            {**n, "abbreviation": (agency_by_id.get(n["id"].split(":", 1)[1]) or {}).get("abbreviation")}
            for n in agency_nodes
        ],
        families,
        ranked,
        vendor_entries(src),
    )
    choices = network_view.rank_entities(typed, entries)
    if typed and not choices:
        middle.caption(f"No vendor family or agency in these filters is named “{md(typed)}”.")
    ego = (
        middle.selectbox(
            "Entity (names that match first, then aliases)",
            choices,
            index=choices.index(wanted) if wanted in choices else (0 if typed and choices else None),
            format_func=lambda e: labels.get(e, e),
            placeholder="pick one",
            key=f"n_ego:{typed.casefold()}" if typed else "n_ego",  # new text: its best match
            filter_mode="contains",
        )
        or ""
    )
    hops = right.radio(
        "Hops", [1, 2], index=1 if params.number("hops", 1, int, 1, 2) == 2 else 0, horizontal=True, key="n_hops"
    )
else:
    more = middle.number_input(
        f"Show more vendor families (beyond the top ones; {len(ranked):,} in these filters)",
        min_value=0,
        max_value=max(len(ranked), 0),
        step=MORE_STEP,
        value=params.number("more", 0, int, 0, len(ranked)),
        key="n_more",
    )
more = int(more) if mode == "top" else 0
expand_wanted = params.text("expand")
started = time.perf_counter()
html_page, drawn, files = page_html(src, filters, ego, int(hops), more, "")
drawn_families = {n["id"]: n for n in drawn["nodes"] if n.get("family")}
expand = (
    right.selectbox(
        "Expand a family to its awards",
        [""] + list(drawn_families),
        index=([""] + list(drawn_families)).index(expand_wanted) if expand_wanted in drawn_families else 0,
        format_func=lambda nid: drawn_families[nid]["name"] if nid else "none (awards aggregated)",
        key="n_expand",
    )
    if mode == "top"
    else ""
)
if expand:
    html_page, drawn, files = page_html(src, filters, ego, int(hops), more, expand)
data.log.info(
    "network: %d nodes, %d edges, html %d kB in %.2fs",
    len(drawn["nodes"]),
    len(drawn["edges"]),
    len(html_page) // 1000,
    time.perf_counter() - started,
)

# search: a drawn node, centred and selected in the drawing
needle = st.text_input("Find a node in the drawing (part of a name)", params.text("find"), key="n_find").strip()
matches = [n for n in drawn["nodes"] if needle and needle.casefold() in (n.get("name") or n["id"]).casefold()]
hidden = [
    h
    for h in ranked
    if needle and not matches and mode == "top" and needle.casefold() in (families[h]["name"] or h).casefold()
]
if hidden:  # a family in the filters but not among the top ones: draw it too, then centre on it
    html_page, drawn, files = page_html(src, filters, ego, int(hops), more, expand, hidden[0])
    matches = [n for n in drawn["nodes"] if n["id"] == hidden[0]]
    st.caption(
        md(
            f"{families[hidden[0]]['name']} is not among the top families by money: drawn as well"
            + (f" ({len(hidden) - 1:,} other families match; type more of the name)" if len(hidden) > 1 else "")
            + "."
        )
    )
matches.sort(key=lambda n: (-(n.get("obligated") or 0), n["id"]))
wanted_focus = params.text("focus")
focus_ids = [n["id"] for n in matches] or ([wanted_focus] if wanted_focus in {n["id"] for n in drawn["nodes"]} else [])
by_id = {n["id"]: n for n in drawn["nodes"]}
focus = (
    st.selectbox(
        f"{len(matches):,} matching node(s) drawn: centre on",
        focus_ids,
        index=focus_ids.index(wanted_focus) if wanted_focus in focus_ids else (0 if focus_ids else None),
        format_func=lambda nid: node_choice(by_id[nid]),
        key="n_focus",
        placeholder="type a name above",
    )
    if focus_ids
    else None
)
if needle and not matches:
    st.caption(
        f"No drawn node's name contains “{md(needle)}”: widen the filters, show more families, or open the "
        "vendor profile."
    )
params.write(
    {
        "mode": mode,
        "ego": ego,
        "hops": hops if mode == "ego" else None,
        "more": more,
        "expand": expand,
        "find": needle,
        "focus": focus,
    },
    {"mode": "top", "more": 0, "hops": 1},
)

if expand_wanted and expand_wanted not in drawn_families:
    st.warning(
        md(f"The link's expand={expand_wanted[:60]!r} is not a vendor family drawn here; no family expanded."), icon="⚠️"
    )
if wanted_focus and wanted_focus not in by_id:
    st.warning(md(f"The link's focus={wanted_focus[:60]!r} is not a node of this drawing; nothing centred."), icon="⚠️")

years = (
    f" in FY{filters.fy_from}–FY{filters.fy_to}"
    if filters.fy_from and filters.fy_to
    else f" from FY{filters.fy_from} on"
    if filters.fy_from
    else f" up to FY{filters.fy_to}"
    if filters.fy_to
    else ""
)
agency_in_view = data.find_agency(src, filters.agency) if filters.agency else None
sentence = network_view.headline(graph, ego if mode == "ego" else "", agency_in_view)
if sentence:
    answer.markdown(f"**{md(sentence[:-1])}**{md(years)}.")
if not graph["nodes"] or not drawn["nodes"]:
    st.info(
        f"No award matches these filters{years}: widen the years, the agency or the vendor."
        if not (mode == "ego" and not ego)
        else "Pick an entity to draw its neighbours."
    )
else:
    st.iframe(network.with_focus(html_page, focus), height=760)

agencies = sum(1 for n in drawn["nodes"] if n["kind"] == "Agency")
groups = [n for n in drawn["nodes"] if n["kind"] == "Group"]
edge_money = sum(e["obligated"] for e in graph["edges"] if e["type"] == "AWARDS")
grouped = len(set().union(*(set(v["vendors"]) for v in drawn.get("left_out", {}).values())))
with st.expander("What the drawing counts, and what it leaves out"):
    st.caption(
        f"{drawn.get('families_drawn', 0):,} of {drawn.get('families_total', 0):,} vendor families drawn "
        f"(largest obligated first), {agencies:,} agencies"
        + (
            f", and {len(groups):,} group node(s) holding the other {grouped:,} vendors "
            f"({money(sum(g['obligated'] for g in groups))} obligated on their edges)"
            if groups
            else ""
        )
        + f"; {money(edge_money)} obligated on every vendor–agency edge in these filters. "
        "Hover a node or an edge for its exact figures; click a node to open its profile."
    )
    if graph.get("left_out"):
        lo = graph["left_out"]
        st.caption(
            f"Left out by the fiscal-year filter: {money(lo['not_split_by_year'])} in {lo['awards']:,} "
            f"award totals not split by year ({lo['why']})."
        )
    if filters.through_others:
        layer = drawn.get("reseller_layer") or {}
        resold = [e for e in layer.get("edges", []) if e["type"] == "RESOLD_TO"]
        whose = " of this entity" if mode == "ego" and ego else ""
        if resold:
            total = money(sum(e["obligated"] or 0 for e in resold))
            st.caption(
                f"Through resellers{whose} ({md(layer.get('label'))}), dashed: {len(layer['edges']):,} links of "
                f"{len({e['maker'] for e in resold}):,} maker(s) to {len({e['source'] for e in resold}):,} "
                f"reseller(s) and on to the agencies, {md(total)} in all, not counted in the obligated figures "
                f"above. {md(layer.get('basis') or '')}"
            )
        else:
            st.caption(f"Through resellers{whose}: no maker's products were sold through other vendors in this view.")
    if filters.subawards:
        subs = [e for e in drawn["edges"] if e["type"] == "SUBAWARD"]
        rest = drawn.get("subawards_left_out") or {}
        st.caption(
            f"Subawards, dashed orange: {len(subs):,} prime → subcontractor link(s), "
            f"{money(sum(e['subaward_amount'] or 0 for e in subs))} in subaward amounts (made under the "
            f"primes' awards; not added to the obligated figures; the award-type filter does not apply to them)"
            + (
                f"; {rest['links']:,} more link(s) to smaller subcontractors not drawn ({money(rest['amount'])})."
                if rest.get("links")
                else "."
            )
        )

st.subheader("Awards behind this view")
if mode == "ego" and ego:
    kind_agency = ego.startswith("Agency:")
    codes = agency_codes(src)
    award_agency = codes.get(ego.split(":", 1)[1]) if kind_agency else filters.agency
    award_vendor = filters.vendor if kind_agency else ego.split(":", 1)[1]
else:
    award_agency, award_vendor = filters.agency, filters.vendor
shown = None
if filters.min_amount > 0:  # the vendors with an edge at or above the minimum
    shown = tuple(sorted({e["source"].split(":", 1)[1] for e in graph["edges"] if e["type"] == "AWARDS"}))
count = data.view_awards(
    src,
    award_agency,
    award_vendor,
    filters.fy_from,
    filters.fy_to,
    filters.award_types,
    shown,
    0,
    0,
    filters.categories,
)["count"]
pages = max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
number = st.number_input(
    f"Page (of {pages:,}; {PAGE_SIZE} awards a page, {count:,} awards, largest obligated total first)",
    min_value=1,
    max_value=pages,
    value=params.number("page", 1, int, 1, pages),
    key="n_page",
)
params.write({"page": number}, {"page": 1})
listed = data.view_awards(
    src,
    award_agency,
    award_vendor,
    filters.fy_from,
    filters.fy_to,
    filters.award_types,
    shown,
    (number - 1) * PAGE_SIZE,
    PAGE_SIZE,
    filters.categories,
)["awards"]
if listed:
    tables.show(profile.award_rows(listed), profile.AWARD_TABLE, key="network-awards")
else:
    st.caption("No award on this page.")

st.subheader("Export this view")
columns = st.columns(4)
columns[0].download_button("Drawing (GraphML)", files["graphml"], "contract-graph.graphml", "application/graphml+xml")
columns[1].download_button("Drawing (GEXF)", files["gexf"], "contract-graph.gexf", "application/xml")
if columns[2].button(
    "Prepare complete exports",
    help="Every award behind the view as CSV and citations, and the "
    "whole subgraph (every vendor) as GraphML: read on request.",
):
    st.session_state["n_export"] = True
if st.session_state.get("n_export"):
    everything = data.view_awards(
        src,
        award_agency,
        award_vendor,
        filters.fy_from,
        filters.fy_to,
        filters.award_types,
        shown,
        0,
        max(count, 1),
        filters.categories,
    )["awards"]
    columns = st.columns(3)
    columns[0].download_button("Awards (CSV)", exports.awards_csv(everything), "awards.csv", "text/csv")
    columns[1].download_button(
        "Citations (Markdown)", exports.citations_md("Awards in this view", everything), "citations.md", "text/markdown"
    )
    columns[2].download_button(
        "Subgraph, every vendor (GraphML)",
        exports.graphml(graph),
        "contract-subgraph.graphml",
        "application/graphml+xml",
    )
