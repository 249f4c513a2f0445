"""Network: vendors, parent companies and agencies joined by their awards, filtered from the sidebar; optionally
the layer of makers' products sold through resellers (dashed, attributed from award descriptions)."""
from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from dashboard import data, exports, network, params
from dashboard.text import md
from dashboard.view_filters import Filters, sidebar

MAX_AWARD_NODES = 150
MAX_AWARD_ROWS = 1000  # listed on the page; the CSV and citations hold every award


@st.cache_data(show_spinner=False)
def page_html(src: tuple, filters: Filters, expand: str) -> tuple[str, dict]:
    """The drawn graph (with the expanded vendor's awards) and its HTML, cached by the filters."""
    graph = filters.subgraph(src)
    if expand:
        graph = with_awards(src, graph, filters, expand)
    if filters.through_others:
        graph = network.with_resellers(graph, graph.get("through_others"))
    return network.build_html(graph), graph


@st.cache_data(show_spinner=False)
def graph_files(src: tuple, filters: Filters, expand: str) -> tuple[bytes, bytes]:
    """GraphML and GEXF of the drawn graph, made once per view (seconds on the largest graphs)."""
    drawn = page_html(src, filters, expand)[1]
    return exports.graphml(drawn), exports.gexf(drawn)


def view_awards(src: tuple, filters: Filters) -> list[dict] | None:
    """The awards behind the view (None for the whole graph: pick an agency or vendor to list them)."""
    if filters.agency:
        awards = data.agency_profile(src, filters.agency)["awards"]
        if filters.vendor:
            family = data.vendor_family(src, filters.vendor)
            members = {family["id"], *(s["id"] for s in family["subsidiaries"])}
            awards = [a for a in awards if (a.get("vendor") or {}).get("id") in members]
    elif filters.vendor:
        awards = data.vendor_family(src, filters.vendor)["awards"]
    else:
        return None
    return [a for a in awards if filters.keeps(a)]


def with_awards(src: tuple, graph: dict, filters: Filters, vendor_node: str) -> dict:
    """Add the expanded vendor's awards (largest first) as nodes between it and its agencies."""
    name = next((n["name"] for n in graph["nodes"] if n["id"] == vendor_node), None)
    if name is None:
        return graph
    family = data.vendor_family(src, name)
    awards = view_awards(src, filters)
    if awards is None:
        awards = [a for a in family["awards"] if filters.keeps(a)]
    vendor_id = vendor_node.split(":", 1)[1]
    # a family's head stands for the whole family; any other vendor for its own awards
    ids = {vendor_id, *(s["id"] for s in family["subsidiaries"])} if family["id"] == vendor_id else {vendor_id}
    awards = [a for a in awards if (a.get("vendor") or {}).get("id") in ids][:MAX_AWARD_NODES]
    nodes, edges = list(graph["nodes"]), list(graph["edges"])
    present = {n["id"] for n in nodes}
    for award in awards:
        aid = f"Award:{award['key']}"
        nodes.append({"id": aid, "kind": "Award", "name": award.get("piid") or award["key"], "tier": None,
                      "obligated": award.get("obligated") or 0.0, "basis": award.get("obligated_basis"),
                      "permalink": award.get("permalink")})
        edges.append({"source": vendor_node, "target": aid, "type": "AWARD", "obligated": award.get("obligated"),
                      "awards": 1})
        agency = award.get("awarding_agency")
        if agency:
            target = f"Agency:{agency['id']}"
            if target not in present and agency.get("tier") == "office":
                parent = data.agency_profile(src, agency["code"], 0).get("parent")
                target = f"Agency:{parent['id']}" if parent else target
            if target in present:
                edges.append({"source": aid, "target": target, "type": "AWARD", "obligated": award.get("obligated"),
                              "awards": 1})
    return {"nodes": nodes, "edges": edges}


st.title("Network")
src = data.require_data()
filters = sidebar(src)
try:
    graph = filters.subgraph(src)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
parents = {e["target"] for e in graph["edges"] if e["type"] == "PARENT"}  # a parent expands into its family's awards
vendors = sorted((n for n in graph["nodes"] if n["kind"] == "Vendor" and (n["obligated"] or n["id"] in parents)),
                 key=lambda n: (n["id"] not in parents, -n["obligated"], n["id"]))
choices = {n["id"]: n["name"] + (" (its family)" if n["id"] in parents else "") for n in vendors}
wanted = params.text("expand")
expand = st.selectbox("Expand a vendor to its awards", [""] + list(choices),
                      index=([""] + list(choices)).index(wanted) if wanted in choices else 0,
                      format_func=lambda nid: choices.get(nid, "none (awards aggregated into edges)"))
params.write({"expand": expand}, {})
started = time.perf_counter()
html_page, drawn = page_html(src, filters, expand)
data.log.info("network: %d nodes, %d edges, html %d kB in %.2fs", len(drawn["nodes"]), len(drawn["edges"]),
              len(html_page) // 1000, time.perf_counter() - started)
agencies = sum(1 for n in drawn["nodes"] if n["kind"] == "Agency")
edge_money = sum(e["obligated"] for e in graph["edges"] if e["type"] == "AWARDS")
st.caption(f"{len(drawn['nodes']):,} nodes ({agencies:,} agencies) and {len(drawn['edges']):,} links; "
           f"{network.money(edge_money)} obligated on the vendor–agency edges shown. "
           + ("Layout computed (too many nodes for live physics). " if len(drawn["nodes"]) > network.PHYSICS_LIMIT
              else "Drag nodes to rearrange. ")
           + "Hover a node or an edge for its figures.")
if filters.through_others:
    layer = graph.get("through_others") or {}
    resold = [e for e in layer.get("edges", []) if e["type"] == "RESOLD_TO"]
    if resold:
        total = network.money(sum(e["obligated"] or 0 for e in resold))
        st.caption(f"Through resellers ({md(layer.get('label'))}), dashed: {len(layer['edges']):,} links of "
                   f"{len({e['maker'] for e in resold}):,} maker(s) to {len({e['source'] for e in resold}):,} "
                   f"reseller(s) and on to the agencies, {md(total)} in all, not counted in the obligated figures "
                   f"above. {md(layer.get('basis') or '')}")
    else:
        st.caption("Through resellers: no maker's products were sold through other vendors in this view.")
if not graph["nodes"]:
    st.info("No award matches these filters.")
else:
    st.iframe(html_page, height=720)

st.subheader("Export this view")
awards = view_awards(src, filters)
columns = st.columns(4)
graphml, gexf = graph_files(src, filters, expand)
columns[0].download_button("Subgraph (GraphML)", graphml, "contract-graph.graphml", "application/graphml+xml")
columns[1].download_button("Subgraph (GEXF)", gexf, "contract-graph.gexf", "application/xml")
if awards is None:
    st.caption("Pick an agency or a vendor to list, export and cite the awards behind the view.")
else:
    shown = {n["id"].split(":", 1)[1] for n in graph["nodes"] if n["kind"] == "Vendor"}
    awards = [a for a in awards if (a.get("vendor") or {}).get("id") in shown]
    columns[2].download_button("Awards (CSV)", exports.awards_csv(awards), "awards.csv", "text/csv")
    columns[3].download_button("Citations (Markdown)", exports.citations_md("Awards in this view", awards),
                               "citations.md", "text/markdown")
    st.write(f"{len(awards):,} awards behind this view"
             + (f"; the first {MAX_AWARD_ROWS:,} are listed (the CSV and citations hold them all)."
                if len(awards) > MAX_AWARD_ROWS else "."))
    st.dataframe(pd.DataFrame([exports.flat(a) for a in awards[:MAX_AWARD_ROWS]]), hide_index=True, width="stretch",
                 column_config={"permalink": st.column_config.LinkColumn("permalink")})
