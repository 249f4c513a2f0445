"""Which vendor each reported party is, decided from every party the store holds at once.

A party is a (name, UEI, DUNS) triple as some record reported it. Parties sharing a UEI are one vendor;
then parties sharing a DUNS, unless their UEIs differ; then parties with the same normalized legal name,
unless a UEI or DUNS conflicts. Each step goes in sorted order, so the answer depends only on the set
of parties, never on the order files were loaded in or how they were batched. A vendor's id is its
smallest UEI (`uei:…`), else its smallest DUNS (`duns:…`), else its name key (`name:…`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from core.keys import name_key


@dataclass(frozen=True)
class Party:
    name: str | None
    uei: str | None
    duns: str | None


@dataclass
class Vendor:
    id: str
    uei: str | None
    duns: str | None
    names: list[str]  # every spelling reported, sorted


class _Clusters:
    def __init__(self, parties: list[Party]):
        self.up = list(range(len(parties)))
        self.ueis = [{p.uei} if p.uei else set() for p in parties]
        self.dunss = [{p.duns} if p.duns else set() for p in parties]

    def find(self, i: int) -> int:
        while self.up[i] != i:
            self.up[i] = self.up[self.up[i]]
            i = self.up[i]
        return i

    def compatible(self, a: int, b: int) -> bool:
        ua, ub, da, db = self.ueis[a], self.ueis[b], self.dunss[a], self.dunss[b]
        return not ((ua and ub and ua != ub) or (da and db and da.isdisjoint(db)))

    def union(self, a: int, b: int, check: bool) -> bool:
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        if check and not self.compatible(a, b):
            return False
        a, b = min(a, b), max(a, b)
        self.up[b] = a
        self.ueis[a] |= self.ueis[b]
        self.dunss[a] |= self.dunss[b]
        return True


def resolve(parties, apart=frozenset()) -> tuple[dict[Party, tuple[str, str]], dict[str, Vendor]]:
    """({party: (vendor id, how it matched: uei | duns | name)}, {vendor id: Vendor}). Parties in `apart` (a
    reviewer judged them not the same as the vendor their name joined) join nothing by name."""
    parties = sorted(set(parties), key=lambda p: (p.uei or "", p.duns or "", p.name or ""))
    clusters = _Clusters(parties)
    for attribute, check in (("uei", False), ("duns", True)):
        groups = defaultdict(list)
        for index, party in enumerate(parties):
            value = getattr(party, attribute)
            if value:
                groups[value].append(index)
        for value in sorted(groups):
            first, *rest = groups[value]
            for other in rest:
                clusters.union(first, other, check)
    by_identifier = [clusters.find(i) for i in range(len(parties))]  # before any join by name
    names = defaultdict(list)
    for index, party in enumerate(parties):
        key = name_key(party.name)
        if key and party not in apart:
            names[key].append(index)
    for key in sorted(names):
        members = names[key]
        # identified clusters first (by their own order), name-only parties join the first that fits
        for index in sorted(members, key=lambda i: (not (parties[i].uei or parties[i].duns), i)):
            for other in members:
                if clusters.find(other) != clusters.find(index):
                    clusters.union(other, index, True)
    members_of = defaultdict(list)
    for index in range(len(parties)):
        members_of[clusters.find(index)].append(index)
    matched, vendors = {}, {}
    for root, indexes in members_of.items():
        ueis, dunss = sorted(clusters.ueis[root]), sorted(clusters.dunss[root])
        if ueis:
            vendor_id = f"uei:{ueis[0]}"
        elif dunss:
            vendor_id = f"duns:{dunss[0]}"
        else:
            vendor_id = f"name:{min(name_key(parties[i].name) or '' for i in indexes)}"
            if any(parties[i] in apart for i in indexes):  # kept apart from the name's other bearers
                vendor_id += f"|{min(parties[i].name or '' for i in indexes)}"
        vendors[vendor_id] = Vendor(
            vendor_id,
            ueis[0] if ueis else None,
            dunss[0] if dunss else None,
            sorted({parties[i].name for i in indexes if parties[i].name}),
        )
        identified = {
            by_identifier[i]
            for i in indexes
            if (ueis and ueis[0] == parties[i].uei) or (not ueis and dunss and dunss[0] == parties[i].duns)
        }
        for index in indexes:
            party = parties[index]
            if by_identifier[index] in identified and party.uei:
                how = "uei"
            elif by_identifier[index] in identified and party.duns:
                how = "duns"
            else:
                how = "name"  # linked to the vendor through its name
            matched[party] = (vendor_id, how)
    return matched, vendors
