"""The network view as a self-contained HTML page: pyvis builds it, then we make it work offline.

pyvis (0.3.2, unmaintained) inlines vis-network with `cdn_resources="in_line"` but still adds
Bootstrap from a CDN; we remove those tags (they only style a card around the canvas), add the bundled
vis-network CSS, and refuse to return a page that still points at another host. Labels are drawn on a
canvas (never parsed as HTML); tooltips are escaped. Above `PHYSICS_LIMIT` nodes the physics
simulation is off and positions come from `positions()`, a cheap deterministic layout.

The optional "through resellers" layer (`with_resellers`) adds maker -> reseller -> agency links, dashed, in
a colour of their own, labelled with the products and the attributed amount (never added to obligations).
"""

from __future__ import annotations

import html
import json
import math
import re
from functools import cache
from pathlib import Path

import pyvis
from pyvis.edge import Edge
from pyvis.network import Network

from core.wording import money, short_money
from dashboard.shaping.network import label_font, layout, node_size, positions, short_label, sum_links, with_urls

PHYSICS_LIMIT = 300
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

COLOURS = {  # kind -> (colour, legend text)
    "parent": ("#7b3fa0", "parent company"),
    "vendor": ("#2b7bb9", "vendor"),
    "toptier": ("#8b1a1a", "department (toptier agency)"),
    "subtier": ("#d9534f", "agency (sub-agency)"),
    "office": ("#f0a35e", "office"),
    "award": ("#8c8c8c", "award"),
    "group": ("#b8b8b8", "other vendors of an agency, grouped"),
}
SUBAWARD_COLOUR = "#c77c02"
SUBAWARD_TEXT = "subawards: prime vendor → subcontractor (subaward amounts, never added to obligations)"

RESELLER_EDGES = ("THROUGH_RESELLER", "RESOLD_TO")  # maker -> reseller, reseller -> sub-agency
RESELLER_COLOUR = "#12a38a"
RESELLER_TEXT = "through resellers: a maker's products sold by another vendor (attributed from award descriptions)"


def node_kind(node: dict, parents: set[str]) -> str:
    if node["kind"] == "Agency":
        return node.get("tier") or "subtier"
    if node["kind"] == "Award":
        return "award"
    if node["kind"] == "Group":
        return "group"
    return "parent" if node["id"] in parents else "vendor"


def with_resellers(graph: dict, layer: dict | None, heads: dict[str, str] | None = None) -> dict:
    """The subgraph plus the through-resellers layer (`subgraph(..., through_others=True)["through_others"]`):
    its vendors and agencies missing from the graph become nodes (no obligated money of their own here), its
    links become edges of type THROUGH_RESELLER / RESOLD_TO with the products as one string (for GraphML).
    `heads` (vendor node -> family head): a vendor whose family is drawn as one node joins that node."""
    if not layer or not layer.get("edges"):
        return graph
    nodes, present = list(graph["nodes"]), {n["id"] for n in graph["nodes"]}
    heads = heads or {}

    def drawn_as(node_id: str) -> str:
        head = heads.get(node_id, node_id)
        return head if head in present else node_id

    names = {n["id"]: n.get("name") for n in graph["nodes"]}
    for node in layer.get("nodes", []):
        names.setdefault(node["id"], node.get("name"))
        if drawn_as(node["id"]) not in present:
            nodes.append(
                {
                    "id": node["id"],
                    "kind": node["kind"],
                    "name": node.get("name"),
                    "tier": None,
                    "label": short_label(node.get("name") or node["id"]),
                    "obligated": 0.0,
                    "shown_for": "the through-resellers layer (no award edge in this view)",
                }
            )
            present.add(node["id"])
    moved = [
        {**edge, "source": drawn_as(edge["source"]), "target": drawn_as(edge["target"])} for edge in layer["edges"]
    ]
    edges = list(graph["edges"])
    for edge in sum_links(moved, names):
        if edge["source"] in present and edge["target"] in present:
            edges.append({**edge, "products": " / ".join(edge.get("products") or []), "basis": layer.get("label")})
    return {**graph, "nodes": nodes, "edges": edges}


def reseller_tooltip(edge: dict) -> str:
    how = (
        f"{edge.get('maker_name') or edge.get('maker')}'s products sold through this vendor"
        if edge["type"] == "THROUGH_RESELLER"
        else "resold to this agency"
    )
    unreported = f", {edge['actions_not_reported']} without an amount" if edge.get("actions_not_reported") else ""
    lines = [
        edge.get("label") or "",
        how,
        f"products: {edge.get('products') or 'not named'}",
        f"{money(edge.get('obligated')) if edge.get('obligated') is not None else 'amount not reported'} "
        f"attributed from award descriptions in {edge.get('actions', 0)} action(s), {edge.get('awards', 0)} "
        f"award(s){unreported}",
        "not part of the maker's own obligations",
    ]
    return html.escape("\n".join(line for line in lines if line))


def tooltip(node: dict, kind: str) -> str:
    """Plain text (vis-network shows a string tooltip as text); escaped all the same."""
    lines = [node.get("name") or node["id"], COLOURS[kind][1]]
    if node["kind"] == "Award":
        lines += [
            f"obligated {money(node.get('obligated'))} ({node.get('basis') or 'basis not stated'})",
            node.get("permalink") or "",
        ]
    elif node["kind"] == "Group":
        lines += [
            f"{node['vendors']:,} vendors in {node['families']:,} families, left out of the drawing",
            f"obligated {money(node.get('obligated'))} on their edges to this agency "
            f"({node['awards']:,} awards counted per vendor)",
            "show more families with the control above",
        ]
    elif node.get("family"):
        lines[1] = f"vendor family #{node['rank']} ({node['members']:,} vendor(s) with awards in this view)"
        lines.append(
            f"obligated {money(node.get('obligated'))} on the edges shown "
            f"({node['awards']:,} awards counted per vendor)"
        )
        listed = node.get("member_names") or ""
        lines.append("members: " + (listed if len(listed) <= 400 else listed[:400].rsplit("; ", 1)[0] + "; …"))
    else:
        lines.append(f"obligated {money(node.get('obligated'))} on the edges shown")
    if node.get("shown_for"):
        lines.append(f"drawn for {node['shown_for']}")
    return html.escape("\n".join(line for line in lines if line))


@cache
def _template_env(folder: str):
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(folder))


def build_html(graph: dict, height: int = 650, where: dict | None = None) -> str:
    """The page for one subgraph answer (nodes/edges as `store.subgraph` returns them, plus award nodes), or
    for the top view of `dashboard.shaping.network` (nodes with `label` and `url`, group nodes, subaward edges).
    `where`: positions computed beforehand (physics off, the same picture every time)."""
    net = Network(height=f"{height}px", width="100%", directed=False, cdn_resources="in_line")
    net.templateEnv = _template_env(net.template_dir)  # compiled once, not once per drawing (0.15 s each)
    big = len(graph["nodes"]) > PHYSICS_LIMIT
    fixed = big or where is not None
    parents = {e["target"] for e in graph["edges"] if e["type"] == "PARENT"}
    top_money = max([n.get("obligated") or 0 for n in graph["nodes"]] + [1])
    top_edge = max([e.get("obligated") or 0 for e in graph["edges"] if e["type"] in ("AWARDS", "AWARD")] + [1])
    top_resold = max([e.get("obligated") or 0 for e in graph["edges"] if e["type"] in RESELLER_EDGES] + [1])
    top_sub = max([e.get("subaward_amount") or 0 for e in graph["edges"] if e["type"] == "SUBAWARD"] + [1])
    ids = {node["id"] for node in graph["nodes"]}
    layer = subawards = False
    if where is None and big:
        where = positions(graph)
    for node in graph["nodes"]:
        kind = node_kind(node, parents)
        extra = {"x": where[node["id"]][0], "y": where[node["id"]][1]} if fixed else {}
        if node.get("url"):
            extra["url"] = node["url"]
        if node.get("label") is not None:
            extra["font"] = {"size": label_font(node), "strokeWidth": 3, "strokeColor": "#ffffff"}
        net.add_node(
            node["id"],
            label=node.get("label") or node.get("name") or node["id"],
            title=tooltip(node, kind),
            color=COLOURS[kind][0],
            size=node_size(node.get("obligated"), top_money),
            shape="square" if node["kind"] == "Agency" else ("diamond" if kind == "group" else "dot"),
            **extra,
        )
    names = {node["id"]: node.get("name") or node["id"] for node in graph["nodes"]}  # edge tooltips name both ends
    for edge in graph["edges"]:
        ends = f"{names.get(edge['source'], edge['source'])} → {names.get(edge['target'], edge['target'])}"
        if edge["type"] in ("AWARDS", "AWARD"):
            share = math.sqrt(max(edge.get("obligated") or 0, 0) / top_edge)
            counted = " (counted per vendor)" if edge.get("vendors", 1) > 1 else ""
            label = f"{ends}: {money(edge.get('obligated'))} obligated in {edge.get('awards', 1):,} award(s){counted}"
            net.add_edge(
                edge["source"], edge["target"], width=1 + 11 * share, title=html.escape(label), color="#9bb7d4"
            )
        elif edge["type"] == "SUBAWARD":
            if edge["source"] not in ids or edge["target"] not in ids:
                continue
            subawards = True
            amount = edge.get("subaward_amount")
            unreported = f", {edge['not_reported']} without an amount" if edge.get("not_reported") else ""
            label = (
                f"{ends}: subawards {money(amount) if amount is not None else 'amount not reported'} in "
                f"{edge['subawards']:,} subaward(s){unreported}; subaward amounts, not part of the obligations"
            )
            net.edges.append(
                Edge(
                    edge["source"],
                    edge["target"],
                    True,
                    width=1 + 4 * math.sqrt(max(amount or 0, 0) / top_sub),
                    dashes=[6, 4],
                    color=SUBAWARD_COLOUR,
                    title=html.escape(label),
                    label=f"subaward {short_money(amount)}",
                    font={"size": 10, "color": SUBAWARD_COLOUR, "strokeWidth": 3, "align": "middle"},
                    smooth={"enabled": True, "type": "curvedCCW", "roundness": 0.15},
                ).options
            )
        elif edge["type"] in RESELLER_EDGES:
            if edge["source"] not in ids or edge["target"] not in ids:
                continue
            layer = True
            share = math.sqrt(max(edge.get("obligated") or 0, 0) / top_resold)
            # appended, not add_edge: pyvis drops a second edge between two nodes of an undirected network, and a
            # reseller's resold link runs beside its own award link; curved, so the two stay apart
            net.edges.append(
                Edge(
                    edge["source"],
                    edge["target"],
                    False,
                    width=1 + 5 * share,
                    dashes=True,
                    color=RESELLER_COLOUR,
                    arrows="to",
                    title=reseller_tooltip(edge),
                    label=f"{edge.get('products') or ''} {short_money(edge.get('obligated'))}".strip(),
                    font={"size": 10, "color": RESELLER_COLOUR, "strokeWidth": 3, "align": "middle"},
                    smooth={"enabled": True, "type": "curvedCW", "roundness": 0.2},
                ).options
            )
        elif edge["type"] == "CHAIN":  # a hop of a Paths chain, its amount written on it
            net.edges.append(
                Edge(
                    edge["source"],
                    edge["target"],
                    True,
                    width=2,
                    color="#6f8fb0",
                    arrows="to",
                    title=html.escape(f"{ends}: {edge['label']}"),
                    label=edge["label"],
                    font={"size": 11, "strokeWidth": 3, "align": "top"},
                ).options
            )
        else:
            net.add_edge(
                edge["source"],
                edge["target"],
                width=1,
                dashes=True,
                color="#bbbbbb",
                title=html.escape(f"{ends}: " + ("parent company" if edge["type"] == "PARENT" else "part of")),
            )
    net.set_options(OPTIONS_FIXED if where is not None and not big else (OPTIONS_BIG if big else OPTIONS_SMALL))
    legend = LEGEND_DIV_RESELLERS if layer else LEGEND_DIV
    if subawards:
        legend = legend.replace("</div>", f"{SUBAWARD_LEGEND}</div>", 1)
    return offline(net.generate_html(), fixed=fixed, legend=legend)


def with_focus(page: str, focus: str | None) -> str:
    """Select and centre on node `focus` once drawn (the id is a JSON string, `<` escaped: it cannot end the
    script). Kept out of the cached page so that a search redraws nothing."""
    if not focus:
        return page
    value = json.dumps(focus).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return page.replace("</body>", FOCUS_SCRIPT.replace("FOCUS_ID", value) + "\n</body>", 1)


FOCUS_SCRIPT = """<script>(function () {
  var id = FOCUS_ID;
  if (nodes.get(id) === null) { return; }
  function go() { network.selectNodes([id]); network.focus(id, {scale: 1.6, animation: false}); window.focusedOn = id; }
  go();
  network.once("afterDrawing", go);
})();</script>"""

# A click on a node opens its profile in the app's own window. The iframe is sandboxed without top
# navigation, but it shares the app's origin: the link is made and followed in the parent document.
CLICK_SCRIPT = """<script>network.on("click", function (params) {
  if (!params.nodes.length) { return; }
  var node = nodes.get(params.nodes[0]);
  if (!node || !node.url) { return; }
  var top = window.parent, link = top.document.createElement("a");
  link.href = new URL(node.url, top.location.href).href;
  window.openedProfile = link.href;
  top.document.body.appendChild(link);
  link.click();
});</script>"""


OPTIONS_SMALL = """{"physics": {"enabled": true, "solver": "forceAtlas2Based",
  "stabilization": {"enabled": true, "iterations": 300, "fit": true}},
  "nodes": {"font": {"size": 12}}, "edges": {"smooth": false},
  "interaction": {"hover": true, "tooltipDelay": 120}}"""
OPTIONS_FIXED = """{"physics": {"enabled": false}, "layout": {"improvedLayout": false},
  "nodes": {"scaling": {"label": {"enabled": false, "drawThreshold": 1}}}, "edges": {"smooth": false},
  "interaction": {"hover": true, "tooltipDelay": 120, "navigationButtons": false}}"""
OPTIONS_BIG = """{"physics": {"enabled": false}, "layout": {"improvedLayout": false},
  "nodes": {"font": {"size": 10}}, "edges": {"smooth": false},
  "interaction": {"hover": false, "hideEdgesOnDrag": true, "tooltipDelay": 200}}"""

LEGEND = "".join(
    f'<span style="margin-right:12px"><span style="display:inline-block;width:11px;height:11px;'
    f'background:{colour};margin-right:4px"></span>{html.escape(text)}</span>'
    for colour, text in COLOURS.values()
)
LEGEND_DIV = (
    f'<div id="legend" style="font:12px sans-serif;padding:4px 0">{LEGEND} '
    "<span>size: money · edge width: obligated · dashed: parent / part of</span></div>"
)
RESELLER_LEGEND = (
    f'<span id="legend-resellers" style="margin-right:12px"><span style="display:inline-block;'
    f'width:22px;border-top:2px dashed {RESELLER_COLOUR};margin-right:4px;vertical-align:middle"></span>'
    f"{html.escape(RESELLER_TEXT)}</span>"
)
SUBAWARD_LEGEND = (
    f'<span id="legend-subawards" style="margin-left:12px"><span style="display:inline-block;'
    f'width:22px;border-top:2px dashed {SUBAWARD_COLOUR};margin-right:4px;vertical-align:middle"></span>'
    f"{html.escape(SUBAWARD_TEXT)}</span>"
)
LEGEND_DIV_RESELLERS = LEGEND_DIV.replace(f"{LEGEND} ", f"{LEGEND}{RESELLER_LEGEND} ", 1)

# Lets a browser test (and bench/dashboard_render.py) tell when the canvas was first drawn: after the
# first "afterDrawing" (physics: once stabilized) or, with fixed positions (whose first drawing may come
# before this script runs), two animation frames after the network was built.
DRAWN_MARK = (
    "<script>function markDrawn() { if (!window.drawnAt) { window.drawnAt = Date.now(); } }\n"
    'network.on("afterDrawing", markDrawn);\n%s</script>'
)
FIXED_DRAWN = "requestAnimationFrame(function () { requestAnimationFrame(markDrawn); });"

_CDN = re.compile(r"<(link|script)\b[^>]*\b(?:href|src)\s*=\s*[\"']https?://[^>]*>(\s*</script>)?", re.I | re.S)
_REMOTE = re.compile(r"\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def offline(page: str, fixed: bool = False, legend: str = LEGEND_DIV) -> str:
    """Drop pyvis's CDN tags and source-map hint, add vis-network's CSS and our legend; fail if anything remote is left."""
    page = _CDN.sub("", page)
    page = page.replace("//# sourceMappingURL=vis-network.min.js.map", "")
    page = re.sub(r"<center>\s*<h1></h1>\s*</center>", "", page)
    css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    page = page.replace("</head>", f"<style>{css}\nbody{{margin:0}}</style>\n</head>", 1)
    page = page.replace("<body>", f"<body>\n{legend}", 1)
    page = page.replace("</body>", DRAWN_MARK % (FIXED_DRAWN if fixed else "") + "\n" + CLICK_SCRIPT + "\n</body>", 1)
    if _REMOTE.search(page):
        raise ValueError("network page still references a remote resource")
    return page


def view_html(view: dict, codes: dict[str, str], height: int = 700, named: set[str] | frozenset = frozenset()) -> str:
    """The Network page's drawing of a view: each node linked to its profile, at the layout's positions."""
    return build_html(with_urls(view, codes, named), height=height, where=layout(view))
