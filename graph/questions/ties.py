"""The direct ties between two entities, before any chain: what a reporter asks first ("how much did ICE pay
this family, in which years, through which offices, to which registrations?"). Shaped here from the stores' fact
sums, so both stores give the same summary. And how a chain reads right: each hop a sentence in the relation's own
direction, no hop for a name that means its own family, and no "link" through an office both ends merely share."""

from __future__ import annotations

import itertools

from graph.questions.answers import cents_to_dollars

ROLES = {"awarding": "awarded by", "funding": "funded by"}
UNNAMED = "office not named in the records"


def offices(groups: list[dict], column: str, briefs: dict[str, dict]) -> list[dict]:
    """The offices behind a tie, largest obligated first; the actions whose records name no office come last, as
    one row (the FY2021+ transaction exports name only the sub-agency)."""
    rows = [
        {
            "id": g[column],
            "name": (briefs.get(g[column]) or {}).get("name") if g[column] else UNNAMED,
            "code": (briefs.get(g[column]) or {}).get("code"),
            "obligated": cents_to_dollars(g["cents"]),
            "awards": g["awards"],
            "actions": g["facts"],
        }
        for g in groups
    ]
    return sorted(rows, key=lambda r: (r["id"] is None, -(r["obligated"] or 0), r["id"] or ""))


def registrations(groups: list[dict], names: dict[str, str]) -> list[dict]:
    """The family members (registrations) a tie's money went to, largest first: what tells a chain's one
    registration-to-agency hop apart from the family's whole tie."""
    rows = [
        {
            "id": g["recipient"],
            "name": names.get(g["recipient"]) or g["recipient"],
            "obligated": cents_to_dollars(g["cents"]),
            "awards": g["awards"],
            "actions": g["facts"],
        }
        for g in groups
        if g["recipient"]
    ]
    return sorted(rows, key=lambda r: (-(r["obligated"] or 0), r["id"]))


def money_tie(
    role: str,
    total: dict,
    years: list[dict],
    awarding: list[dict],
    funding: list[dict],
    members: list[dict] | None = None,
) -> dict:
    """One direction of a vendor–agency tie: the contract actions the agency awarded (or funded) to the family."""
    split = sorted((y for y in years if y["g"] == 0 and y["split"]), key=lambda y: y["fiscal_year"])
    rest = [y for y in years if y["g"] == 0 and not y["split"]]
    return {
        "role": role,
        "relation": ROLES[role],
        "awards": total["awards"],
        "actions": total["facts"],
        "obligated": cents_to_dollars(total["cents"]),
        "reported": total["reported"],
        "fy_first": split[0]["fiscal_year"] if split else None,
        "fy_last": split[-1]["fiscal_year"] if split else None,
        "by_year": [
            {"fiscal_year": y["fiscal_year"], "obligated": cents_to_dollars(y["cents"]), "awards": y["awards"]}
            for y in split
        ],
        "not_split_by_year": cents_to_dollars(sum(y["cents"] or 0 for y in rest)) if rest else None,
        "awarding_offices": awarding,
        "funding_offices": funding,
        "registrations": members or [],
        "basis": "sum of the obligations of the contract actions between them (current and potential value are "
        "ceilings, not added in; an action without an amount counts as not reported, not as $0)",
    }


def overlap(group: dict | None) -> dict:
    """The actions an agency both awarded and funded to a family: when they are all of either block, the page
    says the two blocks once."""
    group = group or {"cents": None, "awards": 0, "facts": 0}
    return {"obligated": cents_to_dollars(group["cents"]), "awards": group["awards"], "actions": group["facts"]}


def subaward_tie(prime_family: str, rows: list[dict]) -> dict:
    """Subawards one family's prime awards made to the other's members."""
    dates = sorted(r["action_date"] for r in rows if r["action_date"])
    amounts = [r["amount"] for r in rows if r["amount"] is not None]
    return {
        "role": "subaward",
        "relation": "subawards under prime awards of",
        "prime_family": prime_family,
        "subawards": len(rows),
        "prime_awards": len({r["prime_award"] for r in rows}),
        "amount": round(sum(amounts), 2) if amounts else None,
        "reported": len(amounts),
        "first": dates[0] if dates else None,
        "last": dates[-1] if dates else None,
        "basis": "subaward amounts as the prime reported them: part of the prime's obligations, not added to them",
    }


# -- chains that read right ----------------------------------------------------------------------------------
MONEY = ("AWARDED", "FUNDED", "THROUGH_OTHERS")
SAME_COMPANY = "same company, another registration"


def real_routes(graph, start: str, end: str, through_others: bool = True):
    """Shortest chains (node lists) that are links between the two, not coincidences: a vendor's family and
    subaward links, at most one money hop, then only up the agency tree (money to an office of ICE is money from
    ICE; money from DHS is not money from ICE). A chain through an office that paid two vendors, or up to a
    department and down to another of its agencies, is a shared office, never a link. Yields nothing if none."""
    import networkx as nx

    kinds = {nid: graph.nodes[nid]["kind"] for nid in (start, end) if nid in graph}
    if len(kinds) < 2 or start == end:
        return
    flip = kinds[start] == "Agency" and kinds[end] == "Vendor"
    if flip:  # agency to vendor: the vendor-to-agency chain, read backwards
        start, end = end, start
    states = nx.DiGraph()
    for u, v, edge in graph.edges(data=True):
        rel = edge["rel"]
        if rel == "THROUGH_OTHERS" and not through_others:
            continue
        if rel in ("PARENT", "SUBAWARD"):
            states.add_edge((u, "V"), (v, "V"))
            states.add_edge((v, "V"), (u, "V"))
        elif rel in MONEY:
            vendor, agency = (u, v) if graph.nodes[u]["kind"] == "Vendor" else (v, u)
            states.add_edge((vendor, "V"), (agency, "A"))
        elif rel == "PART_OF" and edge.get("child") in (u, v):
            child = u if edge["child"] == u else v
            states.add_edge((child, "A"), (v if child == u else u, "A"))
    targets = [(start, "V" if kinds[start] == "Vendor" else "A"), (end, "V" if kinds[end] == "Vendor" else "A")]
    tries = [targets] if kinds[start] == "Vendor" else [targets, targets[::-1]]  # two agencies: one within the other
    for source, target in tries:
        routes = nx.all_shortest_paths(states, source, target)  # lazy: the caller stops at its cap
        try:
            first = next(routes)
        except (nx.NetworkXNoPath, nx.NodeNotFound, StopIteration):
            continue
        backwards = flip or (source, target) != (targets[0], targets[1])
        for path in itertools.chain([first], routes):
            nodes = [nid for nid, _ in path]
            yield nodes[::-1] if backwards else nodes
        return


def shared_office(chain: list[dict]) -> str | None:
    """The agency a chain only passes through (one that dealt with two vendors of the chain, or a department two
    of its agencies are part of): such a chain is a coincidence of offices, not a link. None for a real link."""
    for before, after in zip(chain, chain[1:], strict=False):
        middle = before["to"]
        if middle["kind"] != "Agency":
            continue
        if before["from"]["kind"] == "Vendor" and after["to"]["kind"] == "Vendor":
            return middle["name"] or middle["id"]
        if (
            before["rel"] == after["rel"] == "PART_OF"
            and before.get("child") == before["from"]["id"]
            and after.get("child") == after["to"]["id"]
        ):
            return middle["name"] or middle["id"]
    return None


def _name(end: dict) -> str:
    return end["name"] or end["id"]


def sentence(hop: dict) -> str:
    """A hop as a sentence that says the relation in its own direction ("B.I. INCORPORATED is a subsidiary of The
    GEO Group, Inc."), whichever way the chain happens to walk it. Money goes through `core.wording`."""
    from core.wording import count, short_money

    ends = {hop["from"]["id"]: hop["from"], hop["to"]["id"]: hop["to"]}
    rel = hop["rel"]
    if rel in ("PARENT", "PART_OF", "SUBAWARD") and hop.get("child") in ends:
        child = ends[hop["child"]]
        other = hop["to"] if child is hop["from"] else hop["from"]
    else:
        child, other = hop["from"], hop["to"]
    if rel == "PARENT":
        relation = hop.get("relation") or ""
        if relation == SAME_COMPANY:
            return f"{_name(child)} is another registration of {_name(other)}"
        if relation == "subsidiary":
            return f"{_name(child)} is a subsidiary of {_name(other)}"
        if hop.get("child") in ends:
            return f"{_name(child)} names {_name(other)} as its parent company in its records"
        return f"{_name(hop['from'])} and {_name(hop['to'])} are in one company family"
    if rel == "PART_OF":
        return f"{_name(child)} is part of {_name(other)}"
    if rel == "SUBAWARD":
        amount = short_money(hop.get("amount"))
        return f"{_name(child)} received subawards under prime awards of {_name(other)} (largest {amount})"
    vendor, agency = (hop["from"], hop["to"]) if hop["from"]["kind"] == "Vendor" else (hop["to"], hop["from"])
    if rel == "THROUGH_OTHERS":
        return (
            f"{_name(agency)} bought {_name(vendor)}'s products through other vendors: "
            f"{short_money(hop.get('obligated'))} (attributed from award descriptions)"
        )
    verb = "awarded" if rel == "AWARDED" else "funded"
    amount = f"{short_money(hop.get('obligated'))} in {count(hop.get('awards'), 'award')}"
    also = " (and bought its products through other vendors)" if hop.get("through_others") else ""
    return f"{_name(agency)} {verb} {_name(vendor)} {amount}{also}"


def tautology(hop: dict, end: dict) -> bool:
    """A family link that only says the name typed is the company it names: the family's head and one of its own
    registrations (same company, or the very same name)."""
    from core.keys import name_key

    if hop["rel"] != "PARENT" or end["kind"] != "Vendor" or end["id"] not in (hop["from"]["id"], hop["to"]["id"]):
        return False
    return hop.get("relation") == SAME_COMPANY or name_key(_name(hop["from"])) == name_key(_name(hop["to"]))


def trimmed(chain: list[dict]) -> tuple[list[dict], list[str]]:
    """The chain without the hops a name adds by resolving to its own family (at either end), and the sentences
    those hops would have said (shown once, as what the name means)."""
    from pathlib import PurePath

    def cite(hop: dict) -> str:
        return sentence(hop) + (f" (source: {PurePath(hop['source']).name})" if hop.get("source") else "")

    hops, meant = list(chain), []
    while len(hops) > 1 and tautology(hops[0], hops[0]["from"]):
        meant.append(cite(hops.pop(0)))
    while len(hops) > 1 and tautology(hops[-1], hops[-1]["to"]):
        meant.append(cite(hops.pop()))
    return hops, meant
