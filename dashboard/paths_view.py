"""What the Paths page draws: the chains, each as a small graph of its own with the amount on every hop,
after folding the chains that cite the very same records (two offices of one agency reached through the same
awards read as one chain, "also through" the others). Pure functions: same chains, same picture."""
from __future__ import annotations

from core.wording import short_money
from dashboard.network_view import short_label
from dashboard.profile_links import agency_url, vendor_url

ROW = 150  # vertical distance between two chains in the drawing
STEP = 260  # horizontal distance between two hops
LINKS_WITHOUT_MONEY = ("PARENT", "PART_OF")  # a family's or an agency's own structure


def cited(hop: dict) -> tuple:
    """What a money hop rests on: its awards (largest first), else its one record, else its two ends."""
    awards = tuple(r["award"] for r in hop.get("records") or [])
    if awards:
        return awards
    if hop.get("source"):
        return hop.get("source"), hop.get("record")
    return hop["rel"], hop["from"]["id"], hop["to"]["id"]


def collapse(chains: list[list[dict]]) -> list[dict]:
    """Chains whose money hops cite the same records, in order, are one (they differ only in the family members
    or parent agencies they pass): the first kept, the others' middle entities listed as `also_through`."""
    kept: dict[tuple, dict] = {}
    for chain in chains:
        signature = tuple(cited(hop) for hop in chain if hop["rel"] not in LINKS_WITHOUT_MONEY) or tuple(
            cited(hop) for hop in chain)
        middle = " → ".join(h["to"]["name"] or h["to"]["id"] for h in chain[:-1])
        if signature in kept:
            kept[signature]["also_through"].append(middle)
        else:
            kept[signature] = {"hops": chain, "also_through": []}
    return list(kept.values())


def hop_label(hop: dict) -> str:
    """The amount on a hop, as short as a drawing needs (the exact figure is in the table below it)."""
    if hop["rel"] in ("AWARDED", "FUNDED"):
        verb = "awarded" if hop["rel"] == "AWARDED" else "funded"
        return f"{verb} {short_money(hop.get('obligated'))} in {hop.get('awards', 0):,} award(s)"
    if hop["rel"] == "SUBAWARD":
        return f"subaward {short_money(hop.get('amount'))}"
    if hop["rel"] == "THROUGH_OTHERS":
        return f"via resellers {short_money(hop.get('obligated'))} (attributed)"
    return "parent company" if hop["rel"] == "PARENT" else "part of"


def _url(end: dict) -> str | None:
    if end["kind"] == "Vendor":
        return vendor_url(end["id"], end["name"])
    return agency_url(end["id"].split(":", 1)[-1], end["name"])


def chains_graph(chains: list[dict]) -> tuple[dict, dict[str, tuple[float, float]]]:
    """One picture holding each chain on a row of its own (its entities drawn once per chain), for
    `network.build_html`, with fixed positions."""
    nodes, edges, where = [], [], {}
    for row, chain in enumerate(chains):
        hops = chain["hops"]
        ends = [hops[0]["from"]] + [hop["to"] for hop in hops]
        ids = [f"{row}|{end['kind']}:{end['id']}" for end in ends]
        for column, (nid, end) in enumerate(zip(ids, ends)):
            nodes.append({"id": nid, "kind": end["kind"], "name": end["name"] or end["id"],
                          "label": short_label(end["name"] or end["id"]), "url": _url(end), "obligated": None,
                          "tier": end["id"].split(":", 1)[0] if end["kind"] == "Agency" else None})
            where[nid] = (float(column * STEP), float(row * ROW))
        for hop, left, right in zip(hops, ids, ids[1:]):
            edges.append({"source": left, "target": right, "type": "CHAIN", "label": hop_label(hop)})
    return {"nodes": nodes, "edges": edges}, where
