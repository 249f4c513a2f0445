"""The store's read queries, answered from a networkx graph.

Every answer is plain JSON-ready data with a stable order, so the embedded and Neo4j stores can be
compared answer for answer. Sums are taken in whole cents (rounded half up, as Cypher's `round`
does), so they do not depend on the order rows arrive in and both stores add up to the same cent.

The Neo4j store answers with this same code: it overrides the aggregate primitives (`_award_pairs`,
`_agency_totals`, `_vendor_matches`) with Cypher and fills `self.graph` with just the part of the
graph a query needs through the `_need_*` hooks, which are no-ops here.
"""
from __future__ import annotations

import math
from collections import defaultdict, deque

import networkx as nx

from core.keys import name_key

from core.schema import TIER_RANK
from .store import Ambiguous, NotFound



MAX_HOPS = 10  # longest chain `paths` looks for (Cypher needs a literal bound)
MAX_CHAINS = 10_000  # shortest chains enumerated before sorting and cutting to `limit`


def cents(value) -> float:
    return round(float(value or 0.0), 2)


def whole_cents(value) -> int:
    """Cents rounded half up: Cypher's round(x * 100) gives the same integer."""
    return math.floor(float(value or 0.0) * 100 + 0.5)


def total(values) -> float:
    return sum(whole_cents(value) for value in values) / 100


class NxQueries:
    graph: nx.MultiDiGraph

    # -- hooks: a store that holds only part of the graph in `self.graph` loads more here ----------
    def _need_agencies(self) -> None:
        """Every agency and PART_OF link."""

    def _need_families(self, vids) -> None:
        """The vendors' PARENT links, up and down, transitively."""

    def _need_ancestors(self, vids) -> None:
        """The vendors' PARENT links upwards, transitively."""

    def _need_vendor_awards(self, vids) -> None:
        """The awards of the vendors (see `_need_awards`) and the subawards they received."""

    def _need_awards(self, award_ids) -> None:
        """The awards with their recipient and agencies."""

    def _need_links(self, path) -> None:
        """Every edge between consecutive nodes of a path."""

    # -- small graph helpers --------------------------------------------------------------------
    def _nodes_of(self, label: str):
        return ((nid, data) for nid, data in self.graph.nodes(data=True) if data["label"] == label)

    def _out(self, nid: str, rel: str):
        # sorted: where several edges leave a node (two parents), the first must not depend on load order
        return sorted(target for _, target, key in self.graph.out_edges(nid, keys=True) if key.split("|", 1)[0] == rel)

    def _in(self, nid: str, rel: str):
        return [source for source, _, key in self.graph.in_edges(nid, keys=True) if key.split("|", 1)[0] == rel]

    def _name(self, nid: str) -> str | None:
        data = self.graph.nodes[nid]
        return data.get("name") or data.get("piid") or data["key"]

    def _walk(self, start, step) -> list[str]:
        seen, queue = {start}, deque([start])
        while queue:
            for following in step(queue.popleft()):
                if following not in seen:
                    seen.add(following)
                    queue.append(following)
        return sorted(seen)

    # -- vendors --------------------------------------------------------------------------------
    def _vendor_matches(self, text: str) -> list[str]:
        needle = text.lower()
        return sorted(nid for nid, data in self._nodes_of("Vendor")
                      if any(needle in (name or "").lower() for name in [data.get("name"), *data.get("aliases", [])]))

    def _tops(self, vid: str) -> tuple[str, ...]:
        """The family heads above a vendor: the highest curated parent companies if any, else the
        ancestors with no parent (records may report parents in a loop: its smallest id then stands)."""
        ancestors = self._walk(vid, lambda nid: self._out(nid, "PARENT"))
        curated = [nid for nid in ancestors if self.graph.nodes[nid].get("curated")]
        if curated:
            above = {nid: set(self._walk(nid, lambda n: self._out(n, "PARENT"))) - {nid} for nid in curated}
            tops = [nid for nid in curated if not above[nid].intersection(curated)]
            return tuple(sorted(tops or curated))
        tops = [nid for nid in ancestors if not self._out(nid, "PARENT")]
        return tuple(sorted(tops or [min(ancestors)]))

    def _family_members(self, tops) -> list[str]:
        members = set()
        for top in tops:
            members.update(self._walk(top, lambda nid: self._in(nid, "PARENT")))
        return sorted(members)

    def _vendor_awards(self, vid: str) -> list[str]:
        return self._in(vid, "AWARDED_TO")

    def _award_agency(self, award: str, rel: str) -> str | None:
        targets = self._out(award, rel)
        return targets[0] if targets else None

    def _agency_at(self, aid: str | None, tier: str) -> str | None:
        """The agency at `tier` above (or equal to) `aid`: office -> its sub-agency, and so on."""
        while aid is not None:
            data = self.graph.nodes[aid]
            if TIER_RANK.get(data.get("tier"), 9) <= TIER_RANK[tier]:
                return aid
            parents = self._out(aid, "PART_OF")
            aid = parents[0] if parents else None
        return None

    def _agency_brief(self, aid: str | None) -> dict | None:
        if aid is None:
            return None
        data = self.graph.nodes[aid]
        return {"id": data["key"], "name": data.get("name"), "code": data.get("code"), "tier": data.get("tier")}

    def _award_row(self, award: str) -> dict:
        data = self.graph.nodes[award]
        vendors = self._out(award, "AWARDED_TO")
        row = {field: data.get(field) for field in (
            "key", "piid", "parent_piid", "award_type", "description", "naics", "naics_description", "psc",
            "psc_description", "start_date", "end_date", "potential_end_date", "first_action", "last_action",
            "fy_first", "fy_last", "obligated_basis", "tx_count", "permalink", "source", "record", "retrieved")}
        row["description"] = data.get("description") or data.get("first_action_description")
        row.update({figure: cents(data.get(figure)) if data.get(figure) is not None else None
                    for figure in ("obligated", "current_value", "potential_value")})
        if vendors:
            edge = self.graph.get_edge_data(award, vendors[0], "AWARDED_TO")
            row["vendor"] = {"id": self.graph.nodes[vendors[0]]["key"], "name": self._name(vendors[0]),
                             "match": edge.get("match"), "confidence": edge.get("confidence")}
        else:
            row["vendor"] = None
        row["awarding_agency"] = self._agency_brief(self._award_agency(award, "AWARDED_BY"))
        row["funding_agency"] = self._agency_brief(self._award_agency(award, "FUNDED_BY"))
        return row

    def _vendor_brief(self, vid: str, awards: list[str]) -> dict:
        data = self.graph.nodes[vid]
        parents = self._out(vid, "PARENT")
        return {"id": data["key"], "name": data.get("name"), "uei": data.get("uei"), "duns": data.get("duns"),
                "aliases": sorted(set(data.get("aliases", []))),
                "parent": self._name(parents[0]) if parents else None,
                "parents": sorted(self._name(parent) for parent in parents),
                "total_obligated": total(self.graph.nodes[a].get("obligated") for a in awards),
                "award_count": len(awards)}

    def _resolve_family(self, text: str) -> tuple[tuple[str, ...], list[str]]:
        """The family heads of the vendors whose name or alias contains `text`, and those vendors."""
        matches = self._vendor_matches(text)
        if not matches:
            raise NotFound(f"no vendor name or alias contains {text!r}")
        self._need_families(matches)
        families = defaultdict(list)
        for vid in matches:
            families[self._tops(vid)].append(vid)
        if len(families) > 1:
            wanted = name_key(text)
            exact = [tops for tops, vids in families.items()
                     if any(wanted in {name_key(n) for n in [self.graph.nodes[v].get("name"),
                                                              *self.graph.nodes[v].get("aliases", [])]}
                            for v in vids)]
            if len(exact) != 1:
                candidates = sorted(({"family": " / ".join(self._name(top) for top in tops),
                                      "matches": sorted(self._name(v) for v in vids)}
                                     for tops, vids in families.items()), key=lambda c: c["family"])
                raise Ambiguous(f"{text!r} matches {len(families)} vendor families; be more specific", candidates)
            families = {exact[0]: families[exact[0]]}
        (tops, matched), = families.items()
        return tops, matched

    def vendor_family(self, text: str) -> dict:
        tops, matched = self._resolve_family(text)
        members = self._family_members(tops)
        self._need_vendor_awards(members)
        top = self._family_top(tops)
        by_member = {vid: self._vendor_awards(vid) for vid in members}
        award_ids = sorted({award for awards in by_member.values() for award in awards})
        rows = sorted((self._award_row(award) for award in award_ids),
                      key=lambda r: (-whole_cents(r["obligated"]), r["key"]))
        agencies: dict[str, dict] = {}
        for award in award_ids:
            aid = self._agency_at(self._award_agency(award, "AWARDED_BY"), "subtier")
            if aid is None:
                continue
            entry = agencies.setdefault(aid, {**self._agency_brief(aid), "total_obligated": 0, "award_count": 0})
            entry["total_obligated"] += whole_cents(self.graph.nodes[award].get("obligated"))
            entry["award_count"] += 1
        top_brief = self._vendor_brief(top, by_member[top])
        subsidiaries = [self._vendor_brief(vid, by_member[vid]) for vid in members if vid != top]
        received = self._subawards(members, incoming=True)
        return {
            **{field: top_brief[field] for field in ("id", "name", "uei", "duns", "aliases", "parent")},
            "matched": sorted(self._name(vid) for vid in matched),
            "subsidiaries": sorted(subsidiaries, key=lambda s: (-s["total_obligated"], s["name"] or "")),
            "total_obligated": total(r["obligated"] for r in rows),
            "total_current_value": total(r["current_value"] for r in rows),
            "total_potential_value": total(r["potential_value"] for r in rows),
            "award_count": len(rows),
            "awards": rows,
            "agencies": sorted(({**a, "total_obligated": a["total_obligated"] / 100} for a in agencies.values()),
                               key=lambda a: (-a["total_obligated"], a["code"] or "", a["id"])),
            "subawards_received": received,
        }

    def _subawards(self, vendors, incoming: bool) -> list[dict]:
        rows = []
        for vid in vendors:
            for award, _, key, data in self.graph.in_edges(vid, keys=True, data=True):
                if not key.startswith("SUBAWARD|"):
                    continue
                prime_vendor = self._out(award, "AWARDED_TO")
                rows.append({"prime_award": self.graph.nodes[award]["key"],
                             "prime_recipient": self._name(prime_vendor[0]) if prime_vendor else None,
                             "sub_recipient": self._name(vid), "amount": cents(data.get("amount")),
                             **{f: data.get(f) for f in ("number", "action_date", "description", "source",
                                                         "record", "permalink")}})
        return sorted(rows, key=lambda r: (r["action_date"] or "", r["prime_award"], r["number"] or "",
                                           r["source"] or "", r["record"] or ""))

    # -- agencies -------------------------------------------------------------------------------
    def _find_agency(self, text: str) -> str:
        self._need_agencies()
        wanted = text.strip()
        agencies = list(self._nodes_of("Agency"))
        for rule in (lambda d: d.get("code") == wanted.upper(),
                     lambda d: (d.get("abbreviation") or "").lower() == wanted.lower()):
            hits = [nid for nid, data in agencies if rule(data)]
            if hits:
                return min(hits, key=lambda nid: TIER_RANK.get(self.graph.nodes[nid].get("tier"), 9))
        needle = wanted.lower()
        hits = [nid for nid, data in agencies
                if any(needle in (name or "").lower() for name in [data.get("name"), *data.get("aliases", [])])]
        if not hits:
            raise NotFound(f"no agency code, abbreviation or name matches {text!r}")
        best = min(TIER_RANK.get(self.graph.nodes[nid].get("tier"), 9) for nid in hits)
        top_hits = sorted(nid for nid in hits if TIER_RANK.get(self.graph.nodes[nid].get("tier"), 9) == best)
        if len(top_hits) > 1:
            raise Ambiguous(f"{text!r} matches {len(top_hits)} agencies; give a code",
                            [self._agency_brief(nid) for nid in top_hits])
        return top_hits[0]

    def _agency_subtree(self, aid: str) -> list[str]:
        return self._walk(aid, lambda nid: self._in(nid, "PART_OF"))

    def _agency_totals(self, agencies: list[str], limit: int) -> dict:
        """Aggregates over the awards the agencies awarded or funded (each award once): counts and
        whole cents, current and potential values, per-vendor and per-fiscal-year (of the first action)
        sums, and the `limit` largest awarded awards."""
        def awards_of(rel):
            return sorted({award for agency in agencies for award in self._in(agency, rel)})

        awarded, funded = awards_of("AWARDED_BY"), awards_of("FUNDED_BY")
        money = {award: whole_cents(self.graph.nodes[award].get("obligated")) for award in awarded}
        vendors: dict[str, list[int]] = {}
        years: dict[int, list[int]] = {}
        for award in awarded:
            for vid in self._out(award, "AWARDED_TO"):
                entry = vendors.setdefault(vid, [0, 0])
                entry[0] += money[award]
                entry[1] += 1
            year = self.graph.nodes[award].get("fy_first")
            if year is not None:
                entry = years.setdefault(year, [0, 0])
                entry[0] += money[award]
                entry[1] += 1
        return {
            "awarded": (len(awarded), sum(money.values())),
            "values": tuple(sum(whole_cents(self.graph.nodes[a].get(figure)) for a in awarded)
                            for figure in ("current_value", "potential_value")),
            "years": [(year, cents_sum, count) for year, (cents_sum, count) in years.items()],
            "funded": (len(funded), sum(whole_cents(self.graph.nodes[a].get("obligated")) for a in funded)),
            "vendors": [(vid, cents_sum, count) for vid, (cents_sum, count) in vendors.items()],
            "largest": sorted(awarded, key=lambda a: (-money[a], self.graph.nodes[a]["key"]))[:limit],
        }

    def agency_profile(self, text: str, limit: int = 100) -> dict:
        aid = self._find_agency(text)
        data = self.graph.nodes[aid]
        totals = self._agency_totals(self._agency_subtree(aid), limit)
        self._need_ancestors([vid for vid, _, _ in totals["vendors"]])
        self._need_awards(totals["largest"])
        vendors = [{"id": self.graph.nodes[vid]["key"], "name": self._name(vid),
                    "family": " / ".join(self._name(t) for t in self._tops(vid)),
                    "total_obligated": cents_sum / 100, "award_count": count}
                   for vid, cents_sum, count in totals["vendors"]]
        parents = self._out(aid, "PART_OF")
        (award_count, awarded_cents), (funded_count, funded_cents) = totals["awarded"], totals["funded"]
        return {
            **self._agency_brief(aid), "abbreviation": data.get("abbreviation"),
            "aliases": sorted(set(data.get("aliases", []))),
            "parent": self._agency_brief(parents[0]) if parents else None,
            "children": sorted((self._agency_brief(c) for c in self._in(aid, "PART_OF")),
                               key=lambda c: (c["tier"], c["code"] or "", c["id"])),
            "total_obligated": awarded_cents / 100,
            "total_current_value": totals["values"][0] / 100,
            "total_potential_value": totals["values"][1] / 100,
            "award_count": award_count,
            "yearly": [{"fiscal_year": year, "obligated": cents_sum / 100, "awards": count}
                       for year, cents_sum, count in sorted(totals["years"])],
            "funded_obligated": funded_cents / 100,
            "funded_award_count": funded_count,
            "vendors": sorted(vendors, key=lambda v: (-v["total_obligated"], v["id"])),
            "awards": [self._award_row(award) for award in totals["largest"]],
        }

    # -- search, subgraph, paths ----------------------------------------------------------------
    def search(self, text: str, limit: int = 20) -> list[dict]:
        needle = text.lower()
        hits = []
        for nid, data in self.graph.nodes(data=True):
            if data["label"] not in ("Vendor", "Agency"):
                continue
            names = [data.get("name"), data.get("code"), data.get("abbreviation"), *data.get("aliases", [])]
            if any(needle in (name or "").lower() for name in names):
                hits.append({"kind": data["label"], "id": data["key"], "name": data.get("name"),
                             "tier": data.get("tier"), "code": data.get("code")})
        return sorted(hits, key=lambda h: (h["kind"], h["name"] or "", h["id"]))[:limit]

    def _award_pairs(self, agencies, members, fy_from, fy_to, types) -> list[tuple[str, str, int, int]]:
        """(recipient, awarding agency as recorded, whole cents, award count) over the awards that pass
        the filters: awarded by one of `agencies` / to one of `members` (None: any)."""
        if agencies is not None:
            awards = sorted({award for agency in agencies for award in self._in(agency, "AWARDED_BY")})
        elif members is not None:
            awards = sorted({award for vid in members for award in self._vendor_awards(vid)})
        else:
            awards = sorted(nid for nid, _ in self._nodes_of("Award"))
        wanted = set(members) if members is not None else None
        pairs: dict[tuple, list[int]] = {}
        for award in awards:
            data = self.graph.nodes[award]
            if fy_from is not None and (data.get("fy_last") or 0) < fy_from:
                continue
            if fy_to is not None and (data.get("fy_first") or 9999) > fy_to:
                continue
            if types is not None and (data.get("award_type") or "").lower() not in types:
                continue
            recorded = self._award_agency(award, "AWARDED_BY")
            for vid in self._out(award, "AWARDED_TO"):
                if recorded is None or (wanted is not None and vid not in wanted):
                    continue
                entry = pairs.setdefault((vid, recorded), [0, 0])
                entry[0] += whole_cents(data.get("obligated"))
                entry[1] += 1
        return [(vid, agency, money, count) for (vid, agency), (money, count) in pairs.items()]

    def subgraph(self, agency: str | None = None, vendor: str | None = None, fy_from: int | None = None,
                 fy_to: int | None = None, min_amount: float = 0.0, award_types=None) -> dict:
        """Vendors and sub-agencies joined by aggregated award edges, with parent and PART_OF links."""
        agencies = self._agency_subtree(self._find_agency(agency)) if agency else None
        members = self._family_members(self._resolve_family(vendor)[0]) if vendor else None
        self._need_agencies()
        types = sorted({t.lower() for t in award_types}) if award_types else None
        edges: dict[tuple, list[int]] = {}
        for vid, recorded, money, count in self._award_pairs(agencies, members, fy_from or None, fy_to or None, types):
            aid = self._agency_at(recorded, "subtier")
            if aid is None:
                continue
            entry = edges.setdefault((vid, aid), [0, 0])
            entry[0] += money
            entry[1] += count
        floor = whole_cents(min_amount)
        edges = {pair: entry for pair, entry in edges.items() if entry[0] >= floor}
        self._need_ancestors(sorted({vid for vid, _ in edges}))
        nodes: dict[str, int] = {}
        links = []
        for (vid, aid), (money, count) in sorted(edges.items()):
            links.append({"source": vid, "target": aid, "type": "AWARDS", "obligated": money / 100, "awards": count})
            for nid in (vid, aid):
                nodes[nid] = nodes.get(nid, 0) + money
        for vid in [n for n in list(nodes) if self.graph.nodes[n]["label"] == "Vendor"]:
            for ancestor in self._walk(vid, lambda nid: self._out(nid, "PARENT")):
                for parent in self._out(ancestor, "PARENT"):
                    nodes.setdefault(parent, 0)
                    nodes.setdefault(ancestor, 0)
                    links.append({"source": ancestor, "target": parent, "type": "PARENT"})
        for aid in [n for n in list(nodes) if self.graph.nodes[n]["label"] == "Agency"]:
            for parent in self._out(aid, "PART_OF"):
                nodes.setdefault(parent, 0)
                links.append({"source": aid, "target": parent, "type": "PART_OF"})
        node_rows = [{"id": nid, "kind": self.graph.nodes[nid]["label"], "name": self._name(nid),
                      "tier": self.graph.nodes[nid].get("tier"), "obligated": money / 100}
                     for nid, money in sorted(nodes.items())]
        unique_links = {(l["source"], l["target"], l["type"]): l for l in links}
        return {"nodes": node_rows, "edges": [unique_links[k] for k in sorted(unique_links)]}

    def _family_top(self, tops) -> str:
        """The head a family is named after: the one with the most members."""
        return max(tops, key=lambda nid: (len(self._family_members([nid])), nid))

    def _entity(self, text: str) -> str:
        """A vendor family's top or an agency, for path ends."""
        try:
            return self._find_agency(text)
        except NotFound:
            return self._family_top(self._resolve_family(text)[0])

    def _shortest_chains(self, start: str, end: str, max_hops: int) -> list[list[str]]:
        """Every shortest chain of node ids (up to MAX_CHAINS), ignoring direction, not via transactions."""
        view = nx.subgraph_view(self.graph, filter_node=lambda nid: self.graph.nodes[nid]["label"] != "Transaction")
        chains = []
        try:
            for path in nx.all_shortest_paths(view.to_undirected(as_view=True), start, end):
                if len(path) - 1 > max_hops or len(chains) >= MAX_CHAINS:
                    break
                chains.append(path)
        except nx.NetworkXNoPath:
            return []
        return chains

    def paths(self, a: str, b: str, max_hops: int = 6, limit: int = 5) -> list[list[dict]]:
        """Shortest chains of records linking two entities (each hop carries its provenance)."""
        if not 1 <= max_hops <= MAX_HOPS:
            raise ValueError(f"max_hops must be between 1 and {MAX_HOPS}")
        start, end = self._entity(a), self._entity(b)
        chains = sorted(self._shortest_chains(start, end, max_hops))[:limit]
        for chain in chains:
            self._need_links(chain)
        return [self._hops(chain) for chain in chains]

    def _hops(self, path: list[str]) -> list[dict]:
        """Hops in path order; `reverse` says the record's edge points from `to` back to `from`."""
        hops = []
        for left, right in zip(path, path[1:]):
            forward = self.graph.get_edge_data(left, right) or {}
            edges = forward or self.graph.get_edge_data(right, left) or {}
            _, data = sorted(edges.items())[0]
            hops.append({"from": self._hop_node(left), "rel": data["type"], "to": self._hop_node(right),
                         "reverse": not forward,
                         **{f: data.get(f) for f in ("source", "record", "permalink", "amount", "match")
                            if data.get(f) is not None}})
        return hops

    def _hop_node(self, nid: str) -> dict:
        data = self.graph.nodes[nid]
        return {"kind": data["label"], "id": data["key"], "name": self._name(nid)}

    # -- dashboard helpers ----------------------------------------------------------------------
    def facets(self) -> dict:
        """What the dashboard's filters can offer: the award types present and the fiscal-year span.

        Reads every award: a store holding a partial graph must answer this one itself."""
        types, years = set(), []
        for _, data in self._nodes_of("Award"):
            if data.get("award_type"):
                types.add(data["award_type"])
            years += [year for year in (data.get("fy_first"), data.get("fy_last")) if year is not None]
        return {"award_types": sorted(types), "fy_min": min(years, default=None), "fy_max": max(years, default=None)}

    def vendor_totals(self, ids) -> list[dict]:
        """Each vendor's own awards in the whole graph (not its family's), by vendor id; unknown ids left out."""
        wanted = [f"Vendor:{vendor_id}" for vendor_id in sorted(set(ids))]
        self._need_vendor_awards(wanted)
        rows = []
        for nid in wanted:
            if nid not in self.graph or self.graph.nodes[nid].get("label") != "Vendor":
                continue
            awards = self._vendor_awards(nid)
            rows.append({"id": self.graph.nodes[nid]["key"], "name": self._name(nid),
                         "total_obligated": total(self.graph.nodes[a].get("obligated") for a in awards),
                         "award_count": len(awards)})
        return rows
