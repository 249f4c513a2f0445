"""The store's read queries, answered from a networkx graph.

Every answer is plain JSON-ready data with a stable order, so the embedded and Neo4j stores can be
compared answer for answer. Money is rounded to cents only at the output.
"""
from __future__ import annotations

from collections import defaultdict, deque

import networkx as nx

from ingest.clean import name_key

from .schema import TIER_RANK
from .store import Ambiguous, NotFound



def cents(value) -> float:
    return round(float(value or 0.0), 2)


class NxQueries:
    graph: nx.MultiDiGraph

    # -- small graph helpers --------------------------------------------------------------------
    def _nodes_of(self, label: str):
        return ((nid, data) for nid, data in self.graph.nodes(data=True) if data["label"] == label)

    def _out(self, nid: str, rel: str):
        return [target for _, target, key in self.graph.out_edges(nid, keys=True) if key.split("|", 1)[0] == rel]

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
        needle = text.casefold()
        return sorted(nid for nid, data in self._nodes_of("Vendor")
                      if any(needle in (name or "").casefold() for name in [data.get("name"), *data.get("aliases", [])]))

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
                "total_obligated": cents(sum(self.graph.nodes[a].get("obligated") or 0 for a in awards)),
                "award_count": len(awards)}

    def vendor_family(self, text: str) -> dict:
        matches = self._vendor_matches(text)
        if not matches:
            raise NotFound(f"no vendor name or alias contains {text!r}")
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
        members = self._family_members(tops)
        top = max(tops, key=lambda nid: (len(self._family_members([nid])), nid))
        by_member = {vid: self._vendor_awards(vid) for vid in members}
        award_ids = sorted({award for awards in by_member.values() for award in awards})
        rows = sorted((self._award_row(award) for award in award_ids), key=lambda r: (-r["obligated"], r["key"]))
        agencies: dict[str, dict] = {}
        for award in award_ids:
            aid = self._agency_at(self._award_agency(award, "AWARDED_BY"), "subtier")
            if aid is None:
                continue
            entry = agencies.setdefault(aid, {**self._agency_brief(aid), "total_obligated": 0.0, "award_count": 0})
            entry["total_obligated"] += self.graph.nodes[award].get("obligated") or 0.0
            entry["award_count"] += 1
        top_brief = self._vendor_brief(top, by_member[top])
        subsidiaries = [self._vendor_brief(vid, by_member[vid]) for vid in members if vid != top]
        received = self._subawards(members, incoming=True)
        return {
            **{field: top_brief[field] for field in ("id", "name", "uei", "duns", "aliases", "parent")},
            "matched": sorted(self._name(vid) for vid in matched),
            "subsidiaries": sorted(subsidiaries, key=lambda s: (-s["total_obligated"], s["name"] or "")),
            "total_obligated": cents(sum(r["obligated"] for r in rows)),
            "total_current_value": cents(sum(r["current_value"] or 0 for r in rows)),
            "total_potential_value": cents(sum(r["potential_value"] or 0 for r in rows)),
            "award_count": len(rows),
            "awards": rows,
            "agencies": sorted(({**a, "total_obligated": cents(a["total_obligated"])} for a in agencies.values()),
                               key=lambda a: (-a["total_obligated"], a["code"] or "")),
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
        return sorted(rows, key=lambda r: (r["action_date"] or "", r["prime_award"], r["number"] or ""))

    # -- agencies -------------------------------------------------------------------------------
    def _find_agency(self, text: str) -> str:
        wanted = text.strip()
        agencies = list(self._nodes_of("Agency"))
        for rule in (lambda d: d.get("code") == wanted.upper(),
                     lambda d: (d.get("abbreviation") or "").casefold() == wanted.casefold()):
            hits = [nid for nid, data in agencies if rule(data)]
            if hits:
                return min(hits, key=lambda nid: TIER_RANK.get(self.graph.nodes[nid].get("tier"), 9))
        needle = wanted.casefold()
        hits = [nid for nid, data in agencies
                if any(needle in (name or "").casefold() for name in [data.get("name"), *data.get("aliases", [])])]
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

    def _agency_awards(self, aid: str, rel: str) -> list[str]:
        return sorted({award for agency in self._agency_subtree(aid) for award in self._in(agency, rel)})

    def agency_profile(self, text: str, limit: int = 100) -> dict:
        aid = self._find_agency(text)
        data = self.graph.nodes[aid]
        awarded = self._agency_awards(aid, "AWARDED_BY")
        funded = self._agency_awards(aid, "FUNDED_BY")
        vendors: dict[str, dict] = {}
        for award in awarded:
            for vid in self._out(award, "AWARDED_TO"):
                entry = vendors.setdefault(vid, {"id": self.graph.nodes[vid]["key"], "name": self._name(vid),
                                                 "family": " / ".join(self._name(t) for t in self._tops(vid)),
                                                 "total_obligated": 0.0, "award_count": 0})
                entry["total_obligated"] += self.graph.nodes[award].get("obligated") or 0.0
                entry["award_count"] += 1
        money = {award: cents(self.graph.nodes[award].get("obligated")) for award in awarded}
        largest = sorted(awarded, key=lambda award: (-money[award], self.graph.nodes[award]["key"]))[:limit]
        parents = self._out(aid, "PART_OF")
        return {
            **self._agency_brief(aid), "abbreviation": data.get("abbreviation"),
            "aliases": sorted(set(data.get("aliases", []))),
            "parent": self._agency_brief(parents[0]) if parents else None,
            "children": sorted((self._agency_brief(c) for c in self._in(aid, "PART_OF")),
                               key=lambda c: (c["tier"], c["code"] or "")),
            "total_obligated": cents(sum(money.values())),
            "award_count": len(awarded),
            "funded_obligated": cents(sum(self.graph.nodes[a].get("obligated") or 0 for a in funded)),
            "funded_award_count": len(funded),
            "vendors": sorted(({**v, "total_obligated": cents(v["total_obligated"])} for v in vendors.values()),
                              key=lambda v: (-v["total_obligated"], v["id"])),
            "awards": [self._award_row(award) for award in largest],
        }

    # -- search, subgraph, paths ----------------------------------------------------------------
    def search(self, text: str, limit: int = 20) -> list[dict]:
        needle = text.casefold()
        hits = []
        for nid, data in self.graph.nodes(data=True):
            if data["label"] not in ("Vendor", "Agency"):
                continue
            names = [data.get("name"), data.get("code"), data.get("abbreviation"), *data.get("aliases", [])]
            if any(needle in (name or "").casefold() for name in names):
                hits.append({"kind": data["label"], "id": data["key"], "name": data.get("name"),
                             "tier": data.get("tier"), "code": data.get("code")})
        return sorted(hits, key=lambda h: (h["kind"], h["name"] or "", h["id"]))[:limit]

    def subgraph(self, agency: str | None = None, vendor: str | None = None, fy_from: int | None = None,
                 fy_to: int | None = None, min_amount: float = 0.0, award_types=None) -> dict:
        """Vendors and sub-agencies joined by aggregated award edges, with parent and PART_OF links."""
        if agency:
            awards = self._agency_awards(self._find_agency(agency), "AWARDED_BY")
        elif vendor:
            family = self.vendor_family(vendor)
            tops = self._tops(f"Vendor:{family['id']}")
            awards = sorted({a for vid in self._family_members(tops) for a in self._vendor_awards(vid)})
        else:
            awards = sorted(nid for nid, _ in self._nodes_of("Award"))
        if vendor and agency:
            family = self.vendor_family(vendor)
            members = set(self._family_members(self._tops(f"Vendor:{family['id']}")))
            awards = [a for a in awards if members.intersection(self._out(a, "AWARDED_TO"))]
        types = {t.casefold() for t in award_types} if award_types else None
        edges: dict[tuple, dict] = {}
        for award in awards:
            data = self.graph.nodes[award]
            if fy_from and (data.get("fy_last") or 0) < fy_from:
                continue
            if fy_to and (data.get("fy_first") or 9999) > fy_to:
                continue
            if types and (data.get("award_type") or "").casefold() not in types:
                continue
            aid = self._agency_at(self._award_agency(award, "AWARDED_BY"), "subtier")
            for vid in self._out(award, "AWARDED_TO"):
                if aid is None:
                    continue
                entry = edges.setdefault((vid, aid), {"obligated": 0.0, "awards": 0})
                entry["obligated"] += data.get("obligated") or 0.0
                entry["awards"] += 1
        edges = {pair: e for pair, e in edges.items() if e["obligated"] >= (min_amount or 0.0)}
        nodes: dict[str, dict] = {}
        links = []
        for (vid, aid), entry in sorted(edges.items()):
            links.append({"source": vid, "target": aid, "type": "AWARDS", "obligated": cents(entry["obligated"]),
                          "awards": entry["awards"]})
            for nid in (vid, aid):
                nodes.setdefault(nid, {"obligated": 0.0})["obligated"] += entry["obligated"]
        for vid in [n for n in list(nodes) if self.graph.nodes[n]["label"] == "Vendor"]:
            for ancestor in self._walk(vid, lambda nid: self._out(nid, "PARENT")):
                for parent in self._out(ancestor, "PARENT"):
                    nodes.setdefault(parent, {"obligated": 0.0})
                    nodes.setdefault(ancestor, {"obligated": 0.0})
                    links.append({"source": ancestor, "target": parent, "type": "PARENT"})
        for aid in [n for n in list(nodes) if self.graph.nodes[n]["label"] == "Agency"]:
            for parent in self._out(aid, "PART_OF"):
                nodes.setdefault(parent, {"obligated": 0.0})
                links.append({"source": aid, "target": parent, "type": "PART_OF"})
        node_rows = [{"id": nid, "kind": self.graph.nodes[nid]["label"], "name": self._name(nid),
                      "tier": self.graph.nodes[nid].get("tier"), "obligated": cents(entry["obligated"])}
                     for nid, entry in sorted(nodes.items())]
        unique_links = {(l["source"], l["target"], l["type"]): l for l in links}
        return {"nodes": node_rows, "edges": [unique_links[k] for k in sorted(unique_links)]}

    def _entity(self, text: str) -> str:
        """A vendor family's top or an agency, for path ends."""
        try:
            return self._find_agency(text)
        except NotFound:
            family = self.vendor_family(text)
            return f"Vendor:{family['id']}"

    def paths(self, a: str, b: str, max_hops: int = 6, limit: int = 5) -> list[list[dict]]:
        """Shortest chains of records linking two entities (each hop carries its provenance)."""
        start, end = self._entity(a), self._entity(b)
        view = nx.subgraph_view(self.graph, filter_node=lambda nid: self.graph.nodes[nid]["label"] != "Transaction")
        undirected = view.to_undirected(as_view=True)
        try:
            found = nx.all_shortest_paths(undirected, start, end)
            chains = []
            for path in found:
                if len(path) - 1 > max_hops:
                    break
                chains.append(path)
                if len(chains) >= limit:
                    break
        except nx.NetworkXNoPath:
            return []
        return [self._hops(path) for path in sorted(chains)]

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
        """What the dashboard's filters can offer: the award types present and the fiscal-year span."""
        types, years = set(), []
        for _, data in self._nodes_of("Award"):
            if data.get("award_type"):
                types.add(data["award_type"])
            years += [year for year in (data.get("fy_first"), data.get("fy_last")) if year is not None]
        return {"award_types": sorted(types), "fy_min": min(years, default=None), "fy_max": max(years, default=None)}

    def vendor_totals(self, ids) -> list[dict]:
        """Each vendor's own awards in the whole graph (not its family's), by vendor id; unknown ids left out."""
        rows = []
        for vendor_id in sorted(set(ids)):
            nid = f"Vendor:{vendor_id}"
            if nid not in self.graph or self.graph.nodes[nid]["label"] != "Vendor":
                continue
            awards = self._vendor_awards(nid)
            rows.append({"id": vendor_id, "name": self._name(nid),
                         "total_obligated": cents(sum(self.graph.nodes[a].get("obligated") or 0 for a in awards)),
                         "award_count": len(awards)})
        return rows
