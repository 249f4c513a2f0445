"""Entity resolution: which vendor node a recipient as reported belongs to, and with what confidence.

Identity goes by UEI, then DUNS (zero-padded), then normalized legal name; a name match never
joins two vendors whose UEIs or DUNS differ. Name-only matches are marked low confidence on the
edge that used them. The curated table `data/vendor_families.csv` seeds the canonical parent
companies: an `alias` row says a spelling is the same company, a `subsidiary` row adds a PARENT edge.
Vendor ids are opaque and stable: the identifier a vendor was first seen with. A record whose UEI/DUNS
is new but whose name matches a vendor without conflicting identifiers joins that vendor (and lends it
its identifiers): the join was made by name, so that record's edge says match "name", confidence low.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .clean import name_key

DATA = Path(__file__).resolve().parents[1] / "data"
FAMILIES_FILE = DATA / "vendor_families.csv"
AGENCY_FILE = DATA / "agency_codes.csv"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Family:
    """One canonical parent company from the curated table."""

    id: str
    name: str
    aliases: list[re.Pattern] = field(default_factory=list)
    subsidiaries: list[tuple[re.Pattern, str]] = field(default_factory=list)  # (pattern, source)
    alias_sources: list[str] = field(default_factory=list)


def load_families(path: Path = FAMILIES_FILE) -> dict[str, Family]:
    families: dict[str, Family] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            canonical = row["canonical"].strip()
            family = families.setdefault(canonical, Family(id=f"org:{slug(canonical)}", name=canonical))
            try:
                pattern = re.compile(row["pattern"])
            except re.error as error:
                raise ValueError(f"{path} line {line}: bad pattern {row['pattern']!r}: {error}") from None
            if row["relation"] == "alias":
                family.aliases.append(pattern)
                family.alias_sources.append(row["source"])
            elif row["relation"] == "subsidiary":
                family.subsidiaries.append((pattern, row["source"]))
            else:
                raise ValueError(f"{path} line {line}: relation must be alias or subsidiary")
    return families


def load_agencies(path: Path = AGENCY_FILE) -> dict[str, dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


@dataclass
class Match:
    id: str
    match: str  # uei | duns | name | curated alias | new
    confidence: str  # high | low
    created: bool


@dataclass
class _Known:
    uei: str | None
    duns: str | None


class Resolver:
    """Resolves parties against the vendors a store already holds plus those seen in this run."""

    def __init__(self, index_rows=(), families: dict[str, Family] | None = None):
        self.families = load_families() if families is None else families
        self.known: dict[str, _Known] = {}
        self.by_uei: dict[str, str] = {}
        self.by_duns: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        self._curated_cache: dict[str, tuple] = {}
        for family in self.families.values():
            self._remember(family.id, None, None, family.name)
        for vendor_id, uei, duns, names in index_rows:
            self._remember(vendor_id, uei, duns, *names)

    def _remember(self, vendor_id: str, uei: str | None, duns: str | None, *names: str | None) -> None:
        known = self.known.setdefault(vendor_id, _Known(None, None))
        if uei and not known.uei:
            known.uei = uei
            self.by_uei.setdefault(uei, vendor_id)
        if duns and not known.duns:
            known.duns = duns
            self.by_duns.setdefault(duns, vendor_id)
        for name in names:
            key = name_key(name)
            if key:
                ids = self.by_name.setdefault(key, [])
                if vendor_id not in ids:
                    ids.append(vendor_id)

    def _compatible(self, vendor_id: str, uei: str | None, duns: str | None) -> bool:
        known = self.known[vendor_id]
        return not ((uei and known.uei and uei != known.uei) or (duns and known.duns and duns != known.duns))

    def curated(self, name: str | None) -> tuple[str | None, list[tuple[str, str]]]:
        """(family id this name is an alias of, [(parent family id, source)] it is a subsidiary of)."""
        key = name_key(name)
        if not key:
            return None, []
        if key not in self._curated_cache:
            alias_of, parents = None, []
            for family in self.families.values():
                if alias_of is None and any(pattern.search(key) for pattern in family.aliases):
                    alias_of = family.id
                for pattern, source in family.subsidiaries:
                    if pattern.search(key):
                        parents.append((family.id, source))
            self._curated_cache[key] = (alias_of, parents)
        return self._curated_cache[key]

    def resolve(self, name: str | None, uei: str | None = None, duns: str | None = None) -> Match | None:
        if not (name or uei or duns):
            return None
        found = self.by_uei.get(uei) if uei else None
        how = "uei"
        if found is None and duns:
            candidate = self.by_duns.get(duns)
            if candidate and self._compatible(candidate, uei, duns):
                found, how = candidate, "duns"
        if found is None:
            key = name_key(name)
            for candidate in self.by_name.get(key, ()) if key else ():
                if self._compatible(candidate, uei, duns):
                    found, how = candidate, "name"
                    break
        if found is None:
            alias_of, _ = self.curated(name)
            if alias_of and self._compatible(alias_of, uei, duns):
                found, how = alias_of, "curated alias"
        created = found is None
        if created:
            if uei:
                found, how = f"uei:{uei}", "uei"
            elif duns:
                found, how = f"duns:{duns}", "duns"
            else:
                found, how = f"name:{name_key(name)}", "name"
        self._remember(found, uei, duns, name)
        return Match(found, how, "high" if how in ("uei", "duns") else "low", created)
