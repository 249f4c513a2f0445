"""What the Network page draws: the top vendor families by obligated money, the rest grouped per agency.

`store.subgraph` answers with every vendor (thousands of unlabelled dots on the full data). Here each
vendor family (a vendor and its subsidiaries, joined by PARENT links) becomes one node on its head's id,
families are ranked by the obligated money on their award edges within the filters (ties by id), the
largest fill a budget of about `MAX_NODES` nodes, and the vendors left out are summed into one node per
agency: "N other vendors, $X". Every figure stays exact in the tooltips; subawards are a layer of their
own (amount = subaward amount) and never added to obligations. Pure functions: same answer, same picture.
"""
from __future__ import annotations

from collections import defaultdict

from core.wording import short_money

MAX_NODES = 150
LABEL_CHARS = 30
AGENCY_LABEL_CHARS = 48
GROUP_PREFIX = "Group:"  # "Group:<agency node id>": the vendors of one agency left out of the drawing
SUB_PREFIX = "Sub:"  # a subcontractor drawn only for the subaward layer
MAX_SUB_NODES = 30  # subcontractors added for the subaward layer (largest subaward sums first)


def short_label(name: str | None, limit: int = LABEL_CHARS) -> str:
    """The name, cut at a word where possible, with an ellipsis when long (the full name is in the tooltip)."""
    text = " ".join((name or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(",.;:-– ") + "…"


def family_heads(graph: dict) -> dict[str, str]:
    """Each vendor node's family head: the top of its PARENT chain (the chain is part of the subgraph); where
    the chain loops, the least id in the loop, as the store's family does."""
    parent = {e["source"]: e["target"] for e in graph["edges"] if e["type"] == "PARENT"}
    heads: dict[str, str] = {}
    for node in graph["nodes"]:
        if node["kind"] != "Vendor":
            continue
        chain, current = [node["id"]], node["id"]
        while current in parent and parent[current] not in chain:
            current = parent[current]
            chain.append(current)
        if current in parent:  # the chain loops back (two registrations naming each other): the loop's least id
            current = min(chain[chain.index(parent[current]):])
        heads[node["id"]] = current
    return heads


def families(graph: dict) -> dict[str, dict]:
    """Per family head: its name, members with money in the view, and per agency the award edges' sums
    ([cents, awards counted per vendor, vendor ids])."""
    heads = family_heads(graph)
    names = {n["id"]: n.get("name") for n in graph["nodes"]}
    out: dict[str, dict] = {}
    for edge in graph["edges"]:
        if edge["type"] != "AWARDS":
            continue
        head = heads.get(edge["source"], edge["source"])
        family = out.setdefault(head, {"id": head, "name": names.get(head) or head, "cents": 0, "awards": 0,
                                       "members": set(), "agencies": defaultdict(lambda: [0, 0, set()])})
        cents = round((edge["obligated"] or 0.0) * 100)  # summed in whole cents, as the store sums them
        family["cents"] += cents
        family["awards"] += edge.get("awards") or 0
        family["members"].add(edge["source"])
        pair = family["agencies"][edge["target"]]
        pair[0] += cents
        pair[1] += edge.get("awards") or 0
        pair[2].add(edge["source"])
    return out


def ranked(fams: dict[str, dict]) -> list[str]:
    """Family heads, most obligated money first; ties by id."""
    return sorted(fams, key=lambda head: (-fams[head]["cents"], head))


def ego_scope(graph: dict, centre: str, hops: int) -> tuple[set[str], set[str]]:
    """The families and agencies within `hops` (1 or 2) of a family head or an agency node, on the
    family–agency graph (PART_OF links between agencies count as a hop)."""
    fams = families(graph)
    by_agency: dict[str, set[str]] = defaultdict(set)
    for head, family in fams.items():
        for agency in family["agencies"]:
            by_agency[agency].add(head)
    part_of: dict[str, set[str]] = defaultdict(set)
    for edge in graph["edges"]:
        if edge["type"] == "PART_OF":
            part_of[edge["source"]].add(edge["target"])
            part_of[edge["target"]].add(edge["source"])

    def neighbours(node: str) -> set[str]:
        if node in fams:
            return set(fams[node]["agencies"])
        return by_agency.get(node, set()) | part_of.get(node, set())

    reached, frontier = {centre}, {centre}
    for _ in range(max(1, min(hops, 2))):
        frontier = {n for node in frontier for n in neighbours(node)} - reached
        reached |= frontier
    return {n for n in reached if n in fams}, {n for n in reached if n.startswith("Agency:")}


def top_view(graph: dict, more: int = 0, budget: int = MAX_NODES, scope: tuple[set, set] | None = None,
             pinned: str | None = None) -> dict:
    """The drawing: agencies, the top families (one node each, on the head's id), one "other vendors" node per
    agency for the rest. `more` draws that many families beyond the budget; `scope` (families, agencies) keeps
    only those (the ego network); `pinned` is always drawn. Returns {nodes, edges, left_out} where
    left_out lists each group's vendors, families and sum."""
    fams = families(graph)
    agencies = {n["id"]: n for n in graph["nodes"] if n["kind"] == "Agency"}
    if scope is not None:
        keep_fams, keep_agencies = scope
        fams = {h: f for h, f in fams.items() if h in keep_fams}
        for family in fams.values():
            family["agencies"] = {a: p for a, p in family["agencies"].items() if a in keep_agencies}
            family["cents"] = sum(p[0] for p in family["agencies"].values())
            family["awards"] = sum(p[1] for p in family["agencies"].values())
            family["members"] = set().union(*(p[2] for p in family["agencies"].values()))
        fams = {h: f for h, f in fams.items() if f["agencies"]}
        agencies = {a: n for a, n in agencies.items() if a in keep_agencies}
    order = ranked(fams)
    paying = {a for f in fams.values() for a in f["agencies"]}
    room = max(budget - len(agencies) - len(paying), 1)  # every paying agency may need a group node
    if len(order) <= room + len(paying):  # no group is needed when all fit
        room = len(order)
    chosen = order[:room + max(more, 0)]
    if pinned in fams and pinned not in chosen:
        chosen = [*chosen[:-1], pinned] if len(chosen) >= room else [*chosen, pinned]
    drawn = set(chosen)
    nodes, edges = [], []
    agency_money: dict[str, int] = defaultdict(int)
    for family in fams.values():
        for agency, pair in family["agencies"].items():
            agency_money[agency] += pair[0]
    for aid in sorted(agencies):
        node = agencies[aid]
        nodes.append({**node, "obligated": agency_money.get(aid, 0) / 100,
                      "label": short_label(node.get("name"), AGENCY_LABEL_CHARS)})
    names = {n["id"]: n.get("name") for n in graph["nodes"]}
    for rank, head in enumerate(chosen, start=1):
        family = fams[head]
        members = sorted(family["members"])
        nodes.append({"id": head, "kind": "Vendor", "family": True, "name": family["name"], "tier": None,
                      "label": short_label(family["name"]), "obligated": family["cents"] / 100, "rank": rank,
                      "awards": family["awards"], "members": len(members),
                      "member_names": "; ".join(sorted(names.get(m) or m for m in members))})
        for agency, (money, awards, via) in sorted(family["agencies"].items()):
            edges.append({"source": head, "target": agency, "type": "AWARDS", "obligated": money / 100, "awards": awards,
                          "vendors": len(via)})
    left_out = {}
    for aid in sorted(agencies):
        vendors, heads, cents, awards = set(), set(), 0, 0
        for head, family in fams.items():
            if head in drawn or aid not in family["agencies"]:
                continue
            pair = family["agencies"][aid]
            vendors |= pair[2]
            heads.add(head)
            cents += pair[0]
            awards += pair[1]
        if not vendors:
            continue
        money = cents / 100
        gid = GROUP_PREFIX + aid
        agency_name = agencies[aid].get("name") or aid
        left_out[aid] = {"vendors": sorted(vendors), "families": len(heads), "obligated": money, "awards": awards}
        nodes.append({"id": gid, "kind": "Group", "name": f"{len(vendors):,} other vendors of {agency_name}",
                      "label": f"{len(vendors):,} other vendors, {short_money(money)}", "tier": None,
                      "obligated": money, "agency": aid, "vendors": len(vendors), "families": len(heads),
                      "awards": awards})
        edges.append({"source": gid, "target": aid, "type": "AWARDS", "obligated": money, "awards": awards,
                      "vendors": len(vendors)})
    for edge in graph["edges"]:  # agencies' own hierarchy, where both ends are drawn
        if edge["type"] == "PART_OF" and edge["source"] in agencies and edge["target"] in agencies:
            edges.append(edge)
    return {"nodes": nodes, "edges": edges, "left_out": left_out, "families_total": len(order),
            "families_drawn": len(chosen)}


def with_subawards(view: dict, graph: dict, rows: list[dict], names: dict[str, str],
                   max_new: int = MAX_SUB_NODES) -> dict:
    """Add prime -> subcontractor edges (type SUBAWARD, dashed): raw subaward rows (prime_vendor, sub_vendor,
    amount) whose prime is drawn (its family node or its agency's group). A subcontractor not drawn becomes a
    node of its own (the `max_new` largest; the rest counted in `subawards_left_out`). Amounts are subaward
    amounts, kept in `subaward_amount`, never in `obligated`; an unreported amount is counted, not zero."""
    heads = family_heads(graph)
    drawn = {n["id"] for n in view["nodes"]}
    group_of: dict[str, str] = {}
    for aid, left in view.get("left_out", {}).items():
        for vid in left["vendors"]:
            group_of.setdefault(vid, GROUP_PREFIX + aid)

    def place(vendor: str | None) -> str | None:
        if not vendor:
            return None
        node = f"Vendor:{vendor}"
        head = heads.get(node, node)
        if head in drawn:
            return head
        return group_of.get(node)

    pairs: dict[tuple[str, str], dict] = {}
    for row in sorted(rows, key=lambda r: (r["prime_award"], r.get("number") or "", r.get("record") or "")):
        prime = place(row.get("prime_vendor"))
        if prime is None:
            continue
        sub = place(row["sub_vendor"]) or f"{SUB_PREFIX}{row['sub_vendor']}"
        pair = pairs.setdefault((prime, sub), {"source": prime, "target": sub, "type": "SUBAWARD",
                                               "subaward_amount": None, "subawards": 0, "not_reported": 0,
                                               "sub_vendor": row["sub_vendor"]})
        pair["subawards"] += 1
        if row.get("amount") is None:
            pair["not_reported"] += 1
        else:
            pair["subaward_amount"] = (pair["subaward_amount"] or 0.0) + row["amount"]
    new: dict[str, float] = defaultdict(float)
    for (prime, sub), pair in pairs.items():
        if sub.startswith(SUB_PREFIX):
            new[sub] += pair["subaward_amount"] or 0.0
    keep = set(sorted(new, key=lambda s: (-new[s], s))[:max_new])
    nodes, edges = list(view["nodes"]), list(view["edges"])
    for sub in sorted(keep):
        vid = sub[len(SUB_PREFIX):]
        nodes.append({"id": sub, "kind": "Vendor", "name": names.get(vid) or vid, "label": short_label(names.get(vid) or vid),
                      "tier": None, "obligated": 0.0, "vendor_id": vid,
                      "shown_for": "the subaward layer (a subcontractor; no obligated money of its own in this view)"})
    left = [p for k, p in sorted(pairs.items()) if k[1].startswith(SUB_PREFIX) and k[1] not in keep]
    edges += [p for k, p in sorted(pairs.items()) if not (k[1].startswith(SUB_PREFIX) and k[1] not in keep)]
    return {**view, "nodes": nodes, "edges": edges,
            "subawards_left_out": {"links": len(left), "amount": sum(p["subaward_amount"] or 0.0 for p in left)}}


def profile_url(node: dict, codes: dict[str, str]) -> str | None:
    """The page a click opens (relative to the app): a family's vendor profile (by the head's id, which
    `vendor_family` resolves exactly), an agency's profile (by its code); a group opens its agency."""
    from urllib.parse import urlencode

    if node["kind"] == "Vendor":
        vid = node.get("vendor_id") or node["id"].split(":", 1)[1]
        return "vendor?" + urlencode({"name": vid})
    agency = node["id"] if node["kind"] == "Agency" else node.get("agency")
    if agency:
        aid = agency.split(":", 1)[1]
        return "agency?" + urlencode({"name": codes.get(aid) or aid})
    return None


def layout(view: dict) -> dict[str, tuple[float, float]]:
    """Positions for the drawing: the ring-and-spiral start (`network.positions`), relaxed by a seeded spring
    layout so labels spread out. Deterministic (fixed seed, nodes and edges in a fixed order)."""
    import networkx as nx

    from dashboard.network import positions

    start = positions(view)
    if len(view["nodes"]) < 2:
        return {nid: (0.0, 0.0) for nid in start} or {n["id"]: (0.0, 0.0) for n in view["nodes"]}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(n["id"] for n in view["nodes"]))
    for edge in sorted(view["edges"], key=lambda e: (e["source"], e["target"], e["type"])):
        if edge["source"] in graph and edge["target"] in graph and edge["source"] != edge["target"]:
            graph.add_edge(edge["source"], edge["target"])
    span = max(max(abs(x), abs(y)) for x, y in start.values()) or 1.0
    initial = {nid: (x / span, y / span) for nid, (x, y) in start.items()}
    placed = nx.spring_layout(graph, pos=initial, k=2.2 / len(graph) ** 0.5, iterations=120, seed=7)
    scale = 60.0 * len(graph) ** 0.5  # about 1,500 px across at 150 nodes: labels readable once fitted
    return {nid: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for nid, (x, y) in sorted(placed.items())}


def with_urls(view: dict, codes: dict[str, str]) -> dict:
    """Each node with the profile its click opens."""
    return {**view, "nodes": [{**n, "url": profile_url(n, codes)} for n in view["nodes"]]}


def view_html(view: dict, codes: dict[str, str], height: int = 700) -> str:
    from dashboard.network import build_html

    return build_html(with_urls(view, codes), height=height, where=layout(view))


def default_view_html(store) -> str:
    """The Network page's default drawing (no filter) built straight from a store: what
    bench/dashboard_render.py times (subgraph + grouping + layout + HTML)."""
    graph = store.subgraph()
    codes = {row["id"]: row["code"] for row in store.search("", limit=10**9) if row["kind"] == "Agency"}
    return view_html(top_view(graph), codes)
