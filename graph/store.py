"""The store API every backend answers, and `open_store` to pick one.

Writes: `vendor_index()` (identities for the resolver), `upsert(batch)`, `derive_awards(keys)`,
`commit(run)` (make the load durable and log it), `rollback()` (drop what was not committed), `clear()`.
Reads (all return plain JSON-ready dicts/lists, sorted deterministically so that stores can be
compared): `stats()`, `search(text)`, `vendor_family(name)`, `agency_profile(name_or_code)`,
`subgraph(...)`, `paths(a, b)`, `runs()`, and `to_networkx()` (the whole graph, for exports).
`close()` releases connections.

Read methods the dashboard added (kept simple so that every store answers them identically):

- `facets() -> {"award_types": [str, ...], "fy_min": int | None, "fy_max": int | None}`: the distinct
  non-empty Award.award_type values, sorted; the smallest and largest of every Award's fy_first and
  fy_last (None when no award has one).
- `vendor_totals(ids) -> [{"id", "name", "total_obligated", "award_count"}, ...]`: for each Vendor id
  given (the `id` other answers return, e.g. "uei:ABC", duplicates ignored), the Awards AWARDED_TO that
  vendor node itself (not its family): `name` as other answers give it, the sum of their `obligated`
  (missing = 0) in whole cents, as every other total, and their count (a vendor with no award: 0.0 and
  0). Sorted by id; ids that are not a Vendor are left out.
  `NxQueries.vendor_totals` reads through the `_need_vendor_awards` hook, so a partial-graph store can
  reuse it in a read transaction; `NxQueries.facets` reads every award, so such a store answers it itself.
"""
from __future__ import annotations

from pathlib import Path


class NotFound(LookupError):
    """No entity matches: the message says what was looked for."""


class Ambiguous(LookupError):
    """Several entities match: `candidates` lists them so the user can be more specific."""

    def __init__(self, message: str, candidates: list[dict]):
        super().__init__(message)
        self.candidates = candidates


class StoreUnavailable(RuntimeError):
    """The store cannot be opened or reached: the message names it and what to do."""


def open_store(kind: str = "embedded", home: Path | None = None):
    if kind == "embedded":
        from .embedded import EmbeddedStore
        from .settings import kg_home

        return EmbeddedStore(home or kg_home())
    if kind == "neo4j":
        from .neo4j_store import Neo4jStore

        return Neo4jStore()
    raise StoreUnavailable(f"unknown store {kind!r}: use embedded or neo4j")
