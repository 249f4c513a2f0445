"""What the Network page draws: the top vendor families by obligated money, the rest grouped per agency.

`store.subgraph` answers with every vendor (thousands of unlabelled dots on the full data). Here each
vendor family (a vendor and its subsidiaries, joined by PARENT links) becomes one node on its head's id,
families are ranked by the obligated money on their award edges within the filters (ties by id), the
largest fill a budget of about `MAX_NODES` nodes, and the vendors left out are summed into one node per
agency: "N other vendors, $X". Every figure stays exact in the tooltips; subawards are a layer of their
own (amount = subaward amount) and never added to obligations. Pure functions: same answer, same picture.
"""

from __future__ import annotations

import math
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
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
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
            current = min(chain[chain.index(parent[current]) :])
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
        family = out.setdefault(
            head,
            {
                "id": head,
                "name": names.get(head) or head,
                "cents": 0,
                "awards": 0,
                "members": set(),
                "agencies": defaultdict(lambda: [0, 0, set()]),
            },
        )
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


def layer_scope(layer: dict | None, graph: dict, ego: str) -> dict | None:
    """The through-resellers layer of one entity: for a vendor family, the links of the makers and resellers in
    that family (its products sold by others, and others' products it sold); for an agency, what was resold to
    it or to the agencies it is part of or holds (maker -> reseller links summed over those agencies only)."""
    if not layer or not ego:
        return layer
    heads = family_heads(graph)
    names = {n["id"]: n.get("name") for n in layer.get("nodes", [])}
    if ego.startswith("Agency:"):
        near = {ego} | {
            e["target"] if e["source"] == ego else e["source"]
            for e in graph["edges"]
            if e["type"] == "PART_OF" and ego in (e["source"], e["target"])
        }
        resold = [e for e in layer["edges"] if e["type"] == "RESOLD_TO" and e["target"] in near]
        sold = sum_links(
            [
                {**e, "source": f"Vendor:{e['maker']}", "target": e["source"], "type": "THROUGH_RESELLER"}
                for e in resold
            ],
            names,
        )
    else:

        def ours(vendor: str) -> bool:
            return heads.get(vendor, vendor) == ego

        resold = [
            e
            for e in layer["edges"]
            if e["type"] == "RESOLD_TO" and (ours(f"Vendor:{e['maker']}") or ours(e["source"]))
        ]
        sold = [
            e for e in layer["edges"] if e["type"] == "THROUGH_RESELLER" and (ours(e["source"]) or ours(e["target"]))
        ]
    kept = {e["source"] for e in sold + resold} | {e["target"] for e in sold + resold}
    return {**layer, "nodes": [n for n in layer.get("nodes", []) if n["id"] in kept], "edges": sold + resold}


def top_view(
    graph: dict, more: int = 0, budget: int = MAX_NODES, scope: tuple[set, set] | None = None, pinned: str | None = None
) -> dict:
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
    chosen = order[: room + max(more, 0)]
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
        nodes.append(
            {
                **node,
                "obligated": agency_money.get(aid, 0) / 100,
                "label": short_label(node.get("name"), AGENCY_LABEL_CHARS),
            }
        )
    names = {n["id"]: n.get("name") for n in graph["nodes"]}
    for rank, head in enumerate(chosen, start=1):
        family = fams[head]
        members = sorted(family["members"])
        nodes.append(
            {
                "id": head,
                "kind": "Vendor",
                "family": True,
                "name": family["name"],
                "tier": None,
                "label": short_label(family["name"]),
                "obligated": family["cents"] / 100,
                "rank": rank,
                "awards": family["awards"],
                "members": len(members),
                "member_names": "; ".join(sorted(names.get(m) or m for m in members)),
            }
        )
        for agency, (money, awards, via) in sorted(family["agencies"].items()):
            edges.append(
                {
                    "source": head,
                    "target": agency,
                    "type": "AWARDS",
                    "obligated": money / 100,
                    "awards": awards,
                    "vendors": len(via),
                }
            )
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
        nodes.append(
            {
                "id": gid,
                "kind": "Group",
                "name": f"{len(vendors):,} other vendors of {agency_name}",
                "label": f"{len(vendors):,} other vendors, {short_money(money)}",
                "tier": None,
                "obligated": money,
                "agency": aid,
                "vendors": len(vendors),
                "families": len(heads),
                "awards": awards,
            }
        )
        edges.append(
            {
                "source": gid,
                "target": aid,
                "type": "AWARDS",
                "obligated": money,
                "awards": awards,
                "vendors": len(vendors),
            }
        )
    for edge in graph["edges"]:  # agencies' own hierarchy, where both ends are drawn
        if edge["type"] == "PART_OF" and edge["source"] in agencies and edge["target"] in agencies:
            edges.append(edge)
    return {
        "nodes": nodes,
        "edges": edges,
        "left_out": left_out,
        "families_total": len(order),
        "families_drawn": len(chosen),
    }


def with_subawards(
    view: dict, graph: dict, rows: list[dict], names: dict[str, str], max_new: int = MAX_SUB_NODES
) -> dict:
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
        pair = pairs.setdefault(
            (prime, sub),
            {
                "source": prime,
                "target": sub,
                "type": "SUBAWARD",
                "subaward_amount": None,
                "subawards": 0,
                "not_reported": 0,
                "sub_vendor": row["sub_vendor"],
            },
        )
        pair["subawards"] += 1
        if row.get("amount") is None:
            pair["not_reported"] += 1
        else:
            pair["subaward_amount"] = (pair["subaward_amount"] or 0.0) + row["amount"]
    new: dict[str, float] = defaultdict(float)
    for (_prime, sub), pair in pairs.items():
        if sub.startswith(SUB_PREFIX):
            new[sub] += pair["subaward_amount"] or 0.0
    keep = set(sorted(new, key=lambda s: (-new[s], s))[:max_new])
    nodes, edges = list(view["nodes"]), list(view["edges"])
    for sub in sorted(keep):
        vid = sub[len(SUB_PREFIX) :]
        nodes.append(
            {
                "id": sub,
                "kind": "Vendor",
                "name": names.get(vid) or vid,
                "label": short_label(names.get(vid) or vid),
                "tier": None,
                "obligated": 0.0,
                "vendor_id": vid,
                "shown_for": "the subaward layer (a subcontractor; no obligated money of its own in this view)",
            }
        )
    left = [p for k, p in sorted(pairs.items()) if k[1].startswith(SUB_PREFIX) and k[1] not in keep]
    edges += [p for k, p in sorted(pairs.items()) if not (k[1].startswith(SUB_PREFIX) and k[1] not in keep)]
    return {
        **view,
        "nodes": nodes,
        "edges": edges,
        "subawards_left_out": {"links": len(left), "amount": sum(p["subaward_amount"] or 0.0 for p in left)},
    }


def profile_url(node: dict, codes: dict[str, str], named: set[str] | frozenset = frozenset()) -> str | None:
    """The page a click opens (relative to the app): a family's vendor profile, an agency's profile (by its
    code); a group opens its agency. A family whose name finds it and no other (`named`, see `unique_names`)
    opens by that name, so the profile's search box shows a name; any other by its head's id, which
    `vendor_family` resolves exactly."""
    from urllib.parse import urlencode

    if node["kind"] == "Vendor":
        if node["id"] in named and node.get("name"):
            return "vendor?" + urlencode({"name": node["name"]})
        vid = node.get("vendor_id") or node["id"].split(":", 1)[1]
        return "vendor?" + urlencode({"name": vid})
    agency = node["id"] if node["kind"] == "Agency" else node.get("agency")
    if agency:
        aid = agency.split(":", 1)[1]
        return "agency?" + urlencode({"name": codes.get(aid) or aid})
    return None


def unique_names(nodes: list[dict], vendors: list[dict]) -> set[str]:
    """The drawn family nodes whose name, typed in the vendor profile, finds that family alone: every vendor
    whose name or an alias contains it (any case; the store's search rule) belongs to the family. `vendors`:
    the store's entities (id, name, aliases, family). One pass over a joined text, not one per name."""
    from bisect import bisect_right

    texts, owners, starts, at = [], [], [], 0
    for vendor in vendors:
        if vendor.get("kind", "Vendor") != "Vendor":
            continue
        for name in sorted({n for n in [vendor.get("name"), *(vendor.get("aliases") or [])] if n}):
            texts.append(name.lower())
            owners.append(vendor.get("family") or vendor["id"])
            starts.append(at)
            at += len(name) + 1
    blob = "\x00".join(texts)
    out = set()
    for node in nodes:
        name = (node.get("name") or "").strip()
        if node["kind"] != "Vendor" or not name or ":" in name.split()[0] or name.isdigit():
            continue
        needle, found, i = name.lower(), set(), blob.find(name.lower())
        while i >= 0 and len(found) < 2:
            found.add(owners[bisect_right(starts, i) - 1])
            i = blob.find(needle, i + 1)
        if found == {node["id"].split(":", 1)[1]}:
            out.add(node["id"])
    return out


def rank_entities(needle: str, entries: list[dict]) -> list[str]:
    """The picker's choices for what was typed: entries (id, name, aliases) in their usual order; those whose
    name holds the text as a whole word first, then those whose name starts with it, then any name containing
    it, then those found only by an alias. Without text, every entry in its usual order."""
    import re

    text = " ".join(needle.split()).casefold()
    if not text:
        return [e["id"] for e in entries]
    word = re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")
    tiers: list[list[str]] = [[], [], [], []]
    for entry in entries:
        names = [(n or "").casefold() for n in entry.get("names") or [entry.get("name")]]
        if any(word.search(n) for n in names):
            tiers[0].append(entry["id"])
        elif any(n.startswith(text) for n in names):
            tiers[1].append(entry["id"])
        elif any(text in n for n in names):
            tiers[2].append(entry["id"])
        elif any(text in (a or "").casefold() for a in entry.get("aliases") or []):
            tiers[3].append(entry["id"])
    return [eid for tier in tiers for eid in tier]


def awards_text(count: int) -> str:
    return f"{count:,} award{'' if count == 1 else 's'}"


def headline(graph: dict, ego: str = "", agency: dict | None = None) -> str | None:
    """The page's answer in one sentence (plain text; the page escapes it): who got the most from the agency in
    view (the entity drawn, or the agency filter), what one vendor family got and from whom, or, with no
    agency in view, which family got the most in these filters. None when no award is in view."""
    fams = families(graph)
    if not fams:
        return None
    names = {n["id"]: n.get("name") or n["id"] for n in graph["nodes"]}
    if ego and not ego.startswith("Agency:"):
        family = fams.get(ego)
        if family is None:
            return None
        top_agency, pair = max(family["agencies"].items(), key=lambda item: (item[1][0], item[0]))
        where = (
            f"from {len(family['agencies']):,} agencies, the most from {names.get(top_agency)} "
            f"({short_money(pair[0] / 100)})"
            if len(family["agencies"]) > 1
            else f"from {names.get(top_agency)}"
        )
        return f"{family['name']} got {short_money(family['cents'] / 100)} in {awards_text(family['awards'])} {where}."
    target = ego or (f"Agency:{agency['id']}" if agency and f"Agency:{agency['id']}" in names else None)
    if target:
        paid = {h: f["agencies"][target] for h, f in fams.items() if target in f["agencies"]}
        if not paid:
            return None
        whole = sum(p[0] for p in paid.values())
        top = min(paid, key=lambda h: (-paid[h][0], h))
        share = f"{paid[top][0] / whole:.0%} of " if whole > 0 else ""
        return (
            f"{fams[top]['name']} got the most from {names.get(target)}: {short_money(paid[top][0] / 100)} in "
            f"{awards_text(paid[top][1])}, {share}the {short_money(whole / 100)} it obligated to {len(paid):,} "
            f"vendor families in this view."
        )
    order = ranked(fams)
    top = fams[order[0]]
    whole = sum(f["cents"] for f in fams.values())
    paying = {a for f in fams.values() for a in f["agencies"]}
    scope = f"from {agency.get('name') or agency['id']}" if agency else f"from the {len(paying):,} agencies in view"
    agencies = sorted(top["agencies"].items(), key=lambda item: (-item[1][0], item[0]))
    most = (
        f", most of it from {names.get(agencies[0][0])}"
        if len(agencies) > 1
        else f", all from {names.get(agencies[0][0])}"
    )
    return (
        f"{top['name']} got the most {scope}: {short_money(top['cents'] / 100)} in {awards_text(top['awards'])}"
        f"{most}; {len(fams):,} vendor families got {short_money(whole / 100)} in all."
    )


# Arial's advance widths in 1/1000 em (Liberation Sans, which draws the labels where Arial is missing, has the
# same metrics): a label's width on the canvas, measured before it is drawn.
_WIDTHS = {
    **dict.fromkeys("ijl|'", 222),
    **dict.fromkeys(" ftI!,./:;[]\\", 278),
    **dict.fromkeys("r()-`{}", 333),
    **dict.fromkeys('"', 355),
    **dict.fromkeys("Jcksvxyz*^", 500),
    **dict.fromkeys("L", 556),
    **dict.fromkeys("abdeghnopqu0123456789$#_?", 556),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("Mm", 833),
    **dict.fromkeys("%", 889),
    **dict.fromkeys("W", 944),
    **dict.fromkeys("@…—", 1000),
}
STROKE = 3  # the white outline drawn around each label (font strokeWidth)
GAP = 6.0  # free space kept between any two nodes' boxes (shape and label), in canvas pixels
ROOM = 1.6  # before placing, a drawing is spread to at least this many times the area of its boxes,
ASPECT = 1.5  # this much wider than tall (the frame is wide, and so are the labels)


def text_width(text: str, size: float) -> float:
    """The width of `text` in Arial at `size` px (an unknown character counts as a wide one)."""
    return sum(_WIDTHS.get(ch, 722) for ch in text) * size / 1000


def node_boxes(view: dict) -> dict[str, tuple[float, float, float, float]]:
    """Per node, the box its shape and label cover, relative to its position: (left, top, right, bottom).
    vis-network draws a dot, square or diamond of radius `size`, and the label centred 3 px below it."""
    top_money = max([n.get("obligated") or 0 for n in view["nodes"]] + [1])
    boxes = {}
    for node in view["nodes"]:
        radius = node_size(node.get("obligated"), top_money)
        font = label_font(node)
        text = node.get("label") or node.get("name") or node["id"]
        half = max(text_width(text, font) / 2 + STROKE, radius)
        boxes[node["id"]] = (-half, -radius, half, radius + 3 + font * 1.25 + STROKE)
    return boxes


def overlaps(where: dict[str, tuple[float, float]], boxes: dict, gap: float = 0.0) -> list[tuple[str, str]]:
    """Pairs of nodes whose boxes (grown by `gap` / 2 on every side) overlap at these positions."""
    import numpy as np

    ids = sorted(where)
    if len(ids) < 2:
        return []
    xy = np.array([where[i] for i in ids], dtype=float)
    box = np.array([boxes[i] for i in ids], dtype=float)
    left, top = xy[:, 0] + box[:, 0] - gap / 2, xy[:, 1] + box[:, 1] - gap / 2
    right, bottom = xy[:, 0] + box[:, 2] + gap / 2, xy[:, 1] + box[:, 3] + gap / 2
    hit = (np.minimum(right[:, None], right[None, :]) - np.maximum(left[:, None], left[None, :]) > 0) & (
        np.minimum(bottom[:, None], bottom[None, :]) - np.maximum(top[:, None], top[None, :]) > 0
    )
    first, second = np.nonzero(np.triu(hit, 1))
    return [(ids[a], ids[b]) for a, b in zip(first.tolist(), second.tolist(), strict=False)]


def _offsets(step: float, reach: float):
    """Grid offsets within `reach`, nearest first (ties by angle): where to look for a free spot."""
    import numpy as np

    count = int(reach // step)
    grid = np.arange(-count, count + 1) * step
    xs, ys = np.meshgrid(grid, grid)
    xs, ys = xs.ravel(), ys.ravel()
    keep = xs**2 + ys**2 <= reach**2
    xs, ys = xs[keep], ys[keep]
    order = np.lexsort((np.arctan2(ys, xs), xs**2 + ys**2))
    return xs[order], ys[order]


def separate(
    where: dict[str, tuple[float, float]], boxes: dict, gap: float = GAP, first: list[str] | None = None
) -> dict[str, tuple[float, float]]:
    """Place nodes one by one (`first` gives the order: the important ones keep their spot), each at its
    position if its box (shape and label) overlaps no box placed before, else at the nearest free spot
    on a grid around it, searched ever further out. So no two boxes overlap, and nodes move as little as
    that allows. Deterministic."""
    import numpy as np

    ids = [i for i in (first or []) if i in where] + sorted(set(where) - set(first or []))
    xy = np.array([where[i] for i in ids], dtype=float)
    area = sum((boxes[i][2] - boxes[i][0] + gap) * (boxes[i][3] - boxes[i][1] + gap) for i in ids)
    if len(ids) > 1:  # too crowded (or squashed flat) for the boxes: spread the drawing first, then few searches
        centre = xy.mean(axis=0)
        wide, tall = (ROOM * area * ASPECT) ** 0.5, (ROOM * area / ASPECT) ** 0.5
        grow_x = max(1.0, wide / max(float(np.ptp(xy[:, 0])), 1.0))
        grow_y = max(1.0, tall / max(float(np.ptp(xy[:, 1])), 1.0))
        where = {
            i: (centre[0] + (where[i][0] - centre[0]) * grow_x, centre[1] + (where[i][1] - centre[1]) * grow_y)
            for i in ids
        }
    near, far = _offsets(8.0, 480.0), _offsets(40.0, 6000.0)
    placed = np.empty((0, 4))
    out: dict[str, tuple[float, float]] = {}
    for nid in ids:
        x, y = where[nid]
        left, top, right, bottom = boxes[nid]
        left, top, right, bottom = left - gap / 2, top - gap / 2, right + gap / 2, bottom + gap / 2
        spot = None
        for xs, ys in (near, far):
            for begin, end in zip(
                [0, 128, 1024, 4096, 12288], [128, 1024, 4096, 12288, len(xs)], strict=False
            ):  # near ones first
                cx, cy = x + xs[begin:end], y + ys[begin:end]
                if not len(cx):
                    continue
                if not len(placed):
                    spot = (cx[0], cy[0])
                    break
                there = placed[
                    (placed[:, 2] > cx.min() + left)
                    & (placed[:, 0] < cx.max() + right)
                    & (placed[:, 3] > cy.min() + top)
                    & (placed[:, 1] < cy.max() + bottom)
                ]
                clash = (
                    (
                        np.minimum(cx[:, None] + right, there[None, :, 2])
                        - np.maximum(cx[:, None] + left, there[None, :, 0])
                        > 0
                    )
                    & (
                        np.minimum(cy[:, None] + bottom, there[None, :, 3])
                        - np.maximum(cy[:, None] + top, there[None, :, 1])
                        > 0
                    )
                ).any(axis=1)
                free = np.flatnonzero(~clash)
                if len(free):
                    spot = (cx[free[0]], cy[free[0]])
                    break
            if spot is not None:
                break
        if spot is None:  # not even 6,000 px away (never with drawings this size): below everything placed
            spot = (x, float(placed[:, 3].max()) - top)
        out[nid] = (round(float(spot[0]), 1), round(float(spot[1]), 1))
        placed = np.vstack([placed, [spot[0] + left, spot[1] + top, spot[0] + right, spot[1] + bottom]])
    return out


def layout(view: dict) -> dict[str, tuple[float, float]]:
    """Positions for the drawing: the ring-and-spiral start (`positions`, below), relaxed by a seeded spring
    layout, then nodes moved apart until no shape or label covers another (`separate`). Deterministic
    (fixed seed, nodes and edges in a fixed order)."""
    import networkx as nx

    start = positions(view)
    boxes = node_boxes(view)
    sizes = {n["id"]: (1e18 if n["kind"] == "Agency" else 0.0) + (n.get("obligated") or 0.0) for n in view["nodes"]}
    if len(view["nodes"]) < 2:
        return {n["id"]: (0.0, 0.0) for n in view["nodes"]}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(n["id"] for n in view["nodes"]))
    for edge in sorted(view["edges"], key=lambda e: (e["source"], e["target"], e["type"])):
        if edge["source"] in graph and edge["target"] in graph and edge["source"] != edge["target"]:
            graph.add_edge(edge["source"], edge["target"])
    span = max(max(abs(x), abs(y)) for x, y in start.values()) or 1.0
    initial = {nid: (x / span, y / span) for nid, (x, y) in start.items()}
    placed = nx.spring_layout(graph, pos=initial, k=2.2 / len(graph) ** 0.5, iterations=120, seed=7)
    # `separate` then makes room for the labels (about 2,000 px across at 150 nodes); a small drawing keeps
    # room for the labels written on its edges
    scale = max(40.0 * len(graph) ** 0.5, 300.0)
    wide = 1.5  # labels are wide and the frame is wider than tall: spread more across than down
    first = sorted(placed, key=lambda nid: (-sizes.get(nid, 0.0), nid))  # the largest nodes keep their spots
    return separate(
        {nid: (float(x) * scale * wide, float(y) * scale) for nid, (x, y) in sorted(placed.items())}, boxes, first=first
    )


def with_urls(view: dict, codes: dict[str, str], named: set[str] | frozenset = frozenset()) -> dict:
    """Each node with the profile its click opens."""
    return {**view, "nodes": [{**n, "url": profile_url(n, codes, named)} for n in view["nodes"]]}


# -- geometry and link sums the drawing (dashboard/render/pyvis_network.py) shares with the layout ----------------
def node_size(obligated: float | None, top_money: float) -> float:
    """A node's radius on the canvas: area grows with its money (the layout leaves room for the same size)."""
    return 8 + 42 * math.sqrt(max(obligated or 0, 0) / (top_money or 1))


def label_font(node: dict) -> int:
    """The label's font size in canvas pixels (agencies a little larger; the options' default otherwise)."""
    if node.get("label") is not None:
        return 14 if node["kind"] == "Agency" else 12
    return 14


def positions(graph: dict) -> dict[str, tuple[float, float]]:
    """Agencies spread on a ring, each vendor on a sunflower spiral around the agency paying it most.

    Linear in the graph's size (a spring layout of 5,000 nodes takes most of a minute), and
    deterministic, so the same filters always draw the same picture.
    """
    anchor: dict[str, tuple[float, str]] = {}
    for edge in graph["edges"]:
        if edge["type"] == "AWARDS":
            best = anchor.get(edge["source"])
            if best is None or (edge["obligated"], edge["target"]) > best:
                anchor[edge["source"]] = (edge["obligated"], edge["target"])
    for edge in graph["edges"]:  # parent companies sit with the first subsidiary placed
        if edge["type"] == "PARENT" and edge["target"] not in anchor and edge["source"] in anchor:
            anchor[edge["target"]] = (0.0, anchor[edge["source"]][1])
    money_of = {node["id"]: node.get("obligated") or 0 for node in graph["nodes"]}
    agencies = [n["id"] for n in graph["nodes"] if n["kind"] == "Agency"]
    clusters: dict[str, list[str]] = {aid: [] for aid in agencies}
    loose = []
    for node in graph["nodes"]:
        if node["kind"] != "Agency":
            target = anchor.get(node["id"], (0, None))[1]
            (clusters[target] if target in clusters else loose).append(node["id"])
    spacing = 40.0
    radius = {aid: spacing * math.sqrt(len(members) + 1) + 60 for aid, members in clusters.items()}
    ring = [aid for aid in agencies if clusters[aid]]
    centre = [aid for aid in agencies if not clusters[aid]]  # departments and agencies with no vendor here
    total = sum(2 * radius[aid] for aid in ring)
    ring_radius = total / (2 * math.pi) if len(ring) > 1 else 0.0
    placed: dict[str, tuple[float, float]] = {}
    angle = 0.0
    for aid in sorted(ring, key=lambda a: (-money_of[a], a)):
        share = 2 * radius[aid] / total * 2 * math.pi if total else 0
        centre_angle = angle + share / 2
        angle += share
        cx, cy = ring_radius * math.cos(centre_angle), ring_radius * math.sin(centre_angle)
        placed[aid] = (cx, cy)
        members = sorted(clusters[aid], key=lambda n: (-money_of[n], n))
        for i, nid in enumerate(members, start=1):  # golden-angle spiral: dense, no overlaps
            r, theta = spacing * math.sqrt(i), i * 2.399963229728653
            placed[nid] = (cx + r * math.cos(theta), cy + r * math.sin(theta))
    inner = max(ring_radius - max(radius.values(), default=0) - 100, 0) / 2
    for i, aid in enumerate(sorted(centre)):
        theta = 2 * math.pi * i / max(len(centre), 1)
        placed[aid] = (inner * math.cos(theta), inner * math.sin(theta))
    outer = ring_radius + max(radius.values(), default=0) + 200
    for i, nid in enumerate(sorted(loose)):
        theta = 2 * math.pi * i / max(len(loose), 1)
        placed[nid] = (outer * math.cos(theta), outer * math.sin(theta))
    return {nid: (round(x, 1), round(y, 1)) for nid, (x, y) in placed.items()}


def sum_links(edges: list[dict], names: dict[str, str]) -> list[dict]:
    """Layer links that now join the same two drawn nodes for one maker, summed into one (amounts, actions and
    awards add up: an award has one awarding agency and one recipient, so no award is counted twice)."""
    merged: dict[tuple, dict] = {}
    for edge in edges:
        key = (edge["source"], edge["target"], edge["type"], edge.get("maker"))
        seen = merged.get(key)
        if seen is None:
            merged[key] = {**edge, "products": list(edge.get("products") or [])}
            continue
        if edge.get("obligated") is not None:
            seen["obligated"] = (seen.get("obligated") or 0.0) + edge["obligated"]
        for field in ("actions", "actions_not_reported", "awards"):
            seen[field] = (seen.get(field) or 0) + (edge.get(field) or 0)
        seen["products"] = sorted(set(seen["products"]) | set(edge.get("products") or []))
    for edge in merged.values():
        products = " / ".join(edge["products"])
        maker = edge.get("maker_name") or edge.get("maker")
        edge["label"] = (
            f"{products} via {names.get(edge['target']) or edge['target']}"
            if edge["type"] == "THROUGH_RESELLER"
            else f"{products} ({maker})"
        )
    return list(merged.values())
