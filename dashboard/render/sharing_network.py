"""An agency's data-sharing ego-network (`store.sharing`) as an offline pyvis page, readable at any size.

Pittsboro IN PD's portal lists 3,861 agencies that can search its data: drawn one by one they are a smear.
Past `GROUP_ABOVE` on a side, agencies are grouped into one node per state (sized by how many), while federal
agencies are always drawn on their own. Searchers sit on the right (the centre's data flows to them), agencies
whose data the centre can search on the left, the next hop's searchers further right; positions are fixed.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from urllib.parse import quote

from pyvis.network import Network

from dashboard.render.pyvis_network import OPTIONS_FIXED, _template_env, offline

GROUP_ABOVE = 40
COLOURS = {"centre": "#d9534f", "agency": "#2b7bb9", "federal": "#8b1a1a", "state": "#f0a35e"}
LEGEND = (
    '<div id="legend" style="font:12px sans-serif;padding:4px 0">'
    + "".join(
        f'<span style="margin-right:12px"><span style="display:inline-block;width:11px;height:11px;'
        f'background:{colour};margin-right:4px"></span>{html.escape(text)}</span>'
        for colour, text in (
            (COLOURS["centre"], "this agency"),
            (COLOURS["agency"], "local agency"),
            (COLOURS["federal"], "federal agency"),
            (COLOURS["state"], "agencies of a state, grouped"),
        )
    )
    + "<span>right: can search its data · left: it can search theirs · arrows: the way data goes</span></div>"
)


def profile_url(agency_id: str) -> str:
    return f"/local?agency={quote(agency_id, safe='')}"


def _side(rows: list[dict], side: str, limit: int) -> list[dict]:
    """The nodes of one side: each agency, or (past `limit`) one node per state plus each federal agency."""
    federal = [r for r in rows if r["jurisdiction"] == "federal"]
    others = [r for r in rows if r["jurisdiction"] != "federal"]
    if len(rows) <= limit:
        return [
            {
                "id": r["id"],
                "label": r["name"],
                "kind": "federal" if r in federal else "agency",
                "count": 1,
                "title": f"{r['name']} ({r['state'] or 'state not given'})",
                "url": profile_url(r["id"]),
            }
            for r in rows
        ]
    by_state = defaultdict(list)
    for row in others:
        by_state[row["state"] or "?"].append(row["name"])
    nodes = [
        {
            "id": f"{side}:{state}",
            "label": f"{state}: {len(names):,}",
            "kind": "state",
            "count": len(names),
            "title": f"{len(names):,} agencies in {state if state != '?' else 'no state given'}: "
            + "; ".join(sorted(names)[:25])
            + (" …" if len(names) > 25 else ""),
        }
        for state, names in sorted(by_state.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return nodes + [
        {
            "id": r["id"],
            "label": r["name"],
            "kind": "federal",
            "count": 1,
            "title": r["name"],
            "url": profile_url(r["id"]),
        }
        for r in federal
    ]


def ego_graph(answer: dict, limit: int = GROUP_ABOVE) -> dict:
    """Nodes (id, label, kind, count, title, url, x, y) and edges (source, target, title) of the picture."""
    centre = answer["agency"]
    searchers = answer["searchable_by"]["direct"]
    owners = answer["can_search"]["agencies"]
    later = [level for level in answer["searchable_by"]["by_hop"] if level["hop"] > 1]
    nodes = [
        {
            "id": centre["id"],
            "label": centre["name"],
            "kind": "centre",
            "count": 1,
            "x": 0,
            "y": 0,
            "title": f"{centre['name']}: {reach(len(searchers))}; {searches(len(owners))}",
            "url": profile_url(centre["id"]),
        }
    ]
    edges = []
    rings = [("in", searchers, 1, centre["id"], True), ("out", owners, -1, centre["id"], False)]
    for side, rows, direction, anchor, outward in rings:
        placed = _side(rows, side, limit)
        federal = [node for node in placed if node["kind"] == "federal"]
        _arc([node for node in placed if node["kind"] != "federal"], direction, 420)
        _arc(federal, direction, 200)  # the federal agencies nearer, apart from the local ones
        for node in placed:
            if any(n["id"] == node["id"] for n in nodes):
                continue  # an agency on both sides is drawn once (on the right)
            nodes.append(node)
            count = f"{node['count']:,} agencies" if node["kind"] == "state" else node["label"]
            edges.append(
                {
                    "source": anchor if outward else node["id"],
                    "target": node["id"] if outward else anchor,
                    "title": f"{centre['name']} → {count}" if outward else f"{count} → {centre['name']}",
                    "width": 1 + 3 * math.log10(node["count"]),
                }
            )
    for level in later:
        placed = _side(level["agencies"], f"hop{level['hop']}", 0)
        _arc(placed, 1, 700 * level["hop"])
        for node in placed:
            node["title"] = f"hop {level['hop']}: " + node["title"]
            nodes.append(node)
    return {"nodes": nodes, "edges": edges}


def reach(count: int) -> str:
    """No access list of its own loaded is no figure: "not reported", never "0 agencies can search its data"."""
    return (
        f"{count:,} agencies can search its data"
        if count
        else "who can search its data: not reported (no access list of its own in the data)"
    )


def searches(count: int) -> str:
    return f"it can search {count:,} agencies' data" if count else "no loaded access list names it as a searcher"


def size(count: int) -> float:
    return 9 + 9 * math.log10(count)


def _arc(nodes: list[dict], direction: int, radius: float) -> None:
    """Spread nodes, top to bottom in their order, on a half circle right (direction 1) or left (-1) of the centre,
    each given room for its size and label: the half circle grows until they fit without overlapping."""
    if not nodes:
        return
    room = [2 * size(node["count"]) + 30 for node in nodes]
    radius = max(radius, sum(room) / math.pi)
    spent = 0.0
    for node, width in zip(nodes, room, strict=False):
        angle = math.pi * ((spent + width / 2) / sum(room) - 0.5)
        spent += width
        node["x"] = direction * radius * math.cos(angle)
        node["y"] = radius * math.sin(angle)


def build_html(answer: dict, height: int = 620, limit: int = GROUP_ABOVE) -> str:
    picture = ego_graph(answer, limit)
    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    net.templateEnv = _template_env(net.template_dir)
    for node in picture["nodes"]:
        extra = {"url": node["url"]} if node.get("url") else {}
        net.add_node(
            node["id"],
            label=node["label"],
            title=html.escape(node["title"]),
            x=node["x"],
            y=node["y"],
            color=COLOURS[node["kind"]],
            size=size(node["count"]),
            font={"size": 26 if node["kind"] == "centre" else 20, "strokeWidth": 4, "strokeColor": "#ffffff"},
            shape="square" if node["kind"] in ("centre", "federal") else "dot",
            **extra,
        )
    for edge in picture["edges"]:
        net.add_edge(
            edge["source"],
            edge["target"],
            title=html.escape(edge["title"]),
            width=edge["width"],
            color="#9bb7d4",
            arrows="to",
        )
    net.set_options(OPTIONS_FIXED)
    return offline(net.generate_html(), fixed=True, legend=LEGEND)
