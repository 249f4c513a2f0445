"""Both stores keep the store contract (`graph.store.Reads` and `Writes`): mypy checks these assignments.

`make check` runs mypy on this module (pyproject.toml [tool.mypy] files), so a fetch or write one store
lacks, or answers with another signature, fails the check instead of a question at run time. A store
added to `graph.store.STORES` adds its line here (tests/test_store_contract.py fails until it does).
"""

from __future__ import annotations

from graph.store import Reads, Store, Writes
from graph.stores.duckdb.store import DuckStore
from graph.stores.neo4j.store import Neo4jStore

CHECKED = {"embedded": DuckStore, "neo4j": Neo4jStore}  # every entry of graph.store.STORES


def embedded_reads(store: DuckStore) -> Reads:
    return store


def embedded_writes(store: DuckStore) -> Writes:
    return store


def embedded(store: DuckStore) -> Store:
    return store


def neo4j_reads(store: Neo4jStore) -> Reads:
    return store


def neo4j_writes(store: Neo4jStore) -> Writes:
    return store


def neo4j(store: Neo4jStore) -> Store:
    return store
