"""The curated tables in data/: canonical parent companies (vendor_families.csv) and agency codes.

Each row cites its source; both stores and the resolver read them through here. People edit these files by
hand: each is decoded strictly (a bad byte names its file and line) and its patterns are compiled by RE2, the
linear-time engine (`core/tables.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .keys import name_key
from .tables import BadTable
from .tables import pattern as compiled
from .tables import rows as table_rows

DATA = Path(__file__).resolve().parents[1] / "data"
FAMILIES_FILE = DATA / "vendor_families.csv"
AGENCY_FILE = DATA / "agency_codes.csv"
WATCHLIST_FILE = DATA / "watchlist.csv"
FEDERAL_BODIES_FILE = DATA / "federal_bodies.csv"  # federal agencies local data names, with their hierarchy
FEDERAL_NAMES_FILE = DATA / "federal_names.csv"  # local spellings (FBI, ATF Nashville TN) -> those bodies


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Family:
    """One canonical parent company from the curated table."""

    id: str
    name: str
    aliases: list[Any] = field(default_factory=list)  # RE2 patterns
    subsidiaries: list[tuple[Any, ...]] = field(default_factory=list)  # (pattern, source)
    alias_sources: list[str] = field(default_factory=list)
    key: str = ""  # the canonical name, normalized: a record naming the company so is the company itself


def load_families(path: Path = FAMILIES_FILE) -> dict[str, Family]:
    families: dict[str, Family] = {}
    for line, row in enumerate(table_rows(path), start=2):
        canonical = row["canonical"].strip()
        family = families.setdefault(
            canonical, Family(id=f"org:{slug(canonical)}", name=canonical, key=name_key(canonical) or "")
        )
        pattern = compiled(row["pattern"], f"{path} line {line}: column 'pattern'", ignore_case=False)
        if row["relation"] == "alias":
            family.aliases.append(pattern)
            family.alias_sources.append(row["source"])
        elif row["relation"] == "subsidiary":
            family.subsidiaries.append((pattern, row["source"]))
        else:
            raise BadTable(f"{path} line {line}: relation must be alias or subsidiary")
    return families


def load_agencies(path: Path = AGENCY_FILE) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in table_rows(path)}


def load_watchlist(path: Path = WATCHLIST_FILE) -> list[dict[str, Any]]:
    """The vendors and agencies the Sources page follows (kind, name, why); edit the file to change it."""
    entries = []
    for line, row in enumerate(table_rows(path), start=2):
        kind, name = (row.get("kind") or "").strip().lower(), (row.get("name") or "").strip()
        if kind not in ("vendor", "agency") or not name:
            raise ValueError(f"{path} line {line}: give kind (vendor or agency) and a name; found {dict(row)}")
        entries.append({"kind": kind, "name": name, "why": (row.get("why") or "").strip()})
    return entries


def curated_links(families: dict[str, Family], name: str | None) -> tuple[str | None, list[tuple[str, str]]]:
    """(family id this name is an alias of, [(parent family id, source)] it is a subsidiary of). A name whose
    key is the family's own canonical name is an alias too: records name a parent so (DELOITTE LLP). The
    caller asks for every spelling of a resolved vendor, so its UEI and DUNS (one vendor) join with it."""
    key = name_key(name)
    if not key:
        return None, []
    alias_of, parents = None, []
    for family in families.values():
        if alias_of is None and (key == family.key or any(pattern.search(key) for pattern in family.aliases)):
            alias_of = family.id
        for pattern, source in family.subsidiaries:
            if pattern.search(key):
                parents.append((family.id, source))
    return alias_of, parents


def load_federal_bodies(path: Path = FEDERAL_BODIES_FILE) -> dict[str, dict[str, Any]]:
    """{id: row}: each body's parent is another body of the file, its `federal_id` the award hierarchy's id."""
    rows = {row["id"]: row for row in table_rows(path)}
    for line, row in enumerate(rows.values(), start=2):
        if row["parent"] and row["parent"] not in rows:
            raise ValueError(f"{path} line {line}: parent {row['parent']!r} is not a body of the file")
        if not row["source"].strip():
            raise ValueError(f"{path} line {line}: give the source of this row")
    return rows


def load_federal_names(path: Path = FEDERAL_NAMES_FILE, bodies: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """[(pattern, body id, relation: is | office of, source)], matched against local names in file order."""
    bodies = load_federal_bodies() if bodies is None else bodies
    names = []
    for line, row in enumerate(table_rows(path), start=2):
        pattern = compiled(row["pattern"], f"{path} line {line}: column 'pattern'", ignore_case=False)
        if row["body"] not in bodies or row["relation"] not in ("is", "office of"):
            raise ValueError(
                f"{path} line {line}: body must be an id of {FEDERAL_BODIES_FILE.name} and relation "
                f"'is' or 'office of'; found {row['body']!r}, {row['relation']!r}"
            )
        names.append((pattern, row["body"], row["relation"], row["source"]))
    return names


def federal_body(names: list[tuple[Any, ...]], name: str) -> tuple[str, str, str] | None:
    """(body id, relation, source) of the first pattern a local agency's name matches, else None."""
    for pattern, body, relation, source in names:
        if pattern.search(name.strip()):
            return body, relation, source
    return None
