"""The store contract, declared once in graph/store.py and graph/stores/rollups.py, holds for every registered store.

mypy checks the signatures (graph/stores/contract.py); these tests check what mypy cannot: that every store
of the registry is in that check and has a test factory, that no store answers a fetch the contract leaves
out, and that the filter and rollup declarations are whole and read on a real (empty) embedded store.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from graph.store import FACT_FILTERS, STORES, FactFilter, Reads, Writes, filter_terms, open_store
from graph.stores import contract as store_contract
from graph.stores.duckdb import reads as duck_reads
from graph.stores.neo4j import cypher
from graph.stores.rollups import ROLLUPS, answering

from .conftest import STORE_FACTORIES


def store_class(kind: str) -> type:
    module, name = STORES[kind].split(":")
    return getattr(importlib.import_module(module), name)


def members(protocol: type) -> set[str]:
    return {
        name
        for klass in protocol.__mro__
        if klass is not object
        for name in list(vars(klass)) + list(getattr(klass, "__annotations__", {}))
        if not name.startswith("_")
    }


def test_every_registered_store_has_a_test_factory_and_is_type_checked():
    assert sorted(STORE_FACTORIES) == sorted(STORES), "tests/conftest.py STORE_FACTORIES: one per graph.store.STORES"
    assert {kind: store_class(kind) for kind in STORES} == store_contract.CHECKED


@pytest.mark.parametrize("kind", sorted(STORES))
def test_a_store_answers_every_fetch_of_the_contract_and_no_other(kind):
    klass = store_class(kind)
    fetches = {name for name in dir(klass) if name.startswith("fetch_")}
    assert fetches == {name for name in members(Reads) if name.startswith("fetch_")}
    assert sorted(name for name in members(Reads) | members(Writes) if not hasattr(klass, name)) == []


def test_every_filter_field_is_declared_once_and_both_languages_read_every_term():
    assert sorted(declared.field for declared in FACT_FILTERS) == sorted(FactFilter._fields)
    every = FactFilter(
        recipient="v",
        recipients=("a", "b"),
        family="f",
        awarding=("office", "o"),
        funding=("toptier", "t"),
        awarding_id="ai",
        funding_id="fi",
        split=False,
        fy_from=2020,
        fy_to=2024,
        award_types=("contract",),
        categories=("c",),
    )
    terms = filter_terms(every)
    assert {term.op for term in terms} | {"true"} == set(duck_reads.SQL_TERMS) == set(cypher.CYPHER_TERMS)
    sql, params = duck_reads.fact_where(every)
    assert sql.count("?") == len(params) == len(FACT_FILTERS) - 1  # split takes no value
    assert "awarding_office = ?" in sql and "NOT split" in sql and "list_contains(?, lower(award_type))" in sql
    text, named = cypher.fact_where(every)
    assert set(named) == {declared.field for declared in FACT_FILTERS} - {"split"}
    assert "f.funding_toptier = $funding" in text and "toLower(f.award_type) IN $award_types" in text
    with pytest.raises(KeyError):  # a tier is looked up, never written into a statement
        filter_terms(FactFilter(awarding=("x = 1 OR y", "o")))


def test_the_rollups_answer_only_agency_questions_they_hold():
    ice = ("subtier", "subtier:7012")
    assert answering("fetch_year_totals", FactFilter(funding=ice)).rollup.label == "AgencyYear"
    assert answering("fetch_fact_groups", FactFilter(funding=ice), "recipient").rollup.label == "AgencyRecipient"
    assert answering("fetch_fact_groups", FactFilter(funding=ice), "recipient,awarding_subtier") is None
    assert answering("fetch_fact_groups", FactFilter(awarding=ice), "category,split,fiscal_year").params() == {
        "agency": "subtier:7012"
    }
    assert answering("fetch_largest_awards", FactFilter(awarding=ice), limit=10).params() == {
        "agency": "subtier:7012",
        "limit": 10,
    }
    assert answering("fetch_largest_awards", FactFilter(awarding=ice), limit=10**9) is None
    assert answering("fetch_year_totals", FactFilter(awarding=ice, fy_from=2020)) is None
    labels = [rollup.label for rollup in ROLLUPS]
    assert len(set(labels)) == len(labels) and set(labels) == set(cypher.ROLLUP_READS) | {
        rollup.label for rollup in ROLLUPS if not rollup.fetch
    }
    assert all(any(f"(n:{label})" in statement for statement in cypher.CONSTRAINTS) for label in labels)


def test_every_rollup_reads_on_a_real_embedded_store(tmp_path):
    store = open_store("embedded", home=tmp_path / "kg")
    store.begin()
    store.commit({"command": "contract"})  # an empty load derives every table
    try:
        for rollup in ROLLUPS:
            assert store._rows(f"{rollup.select} LIMIT 0") == []
            if rollup.fetch:
                values = list(
                    answering(rollup.fetch, FactFilter(awarding=("toptier", "toptier:070")), rollup.by, limit=5)
                    .params()
                    .values()
                )
                assert store._rows(duck_reads.rollup_sql(rollup), values) == []
                assert set(rollup.returns) <= {
                    column["column_name"]
                    for column in store._rows(
                        "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [rollup.table]
                    )
                }
        assert store.fetch_year_totals(FactFilter(awarding=("toptier", "toptier:070"))) == []
    finally:
        store.close()


def test_the_contract_methods_take_what_the_stores_take():
    """mypy compares the signatures; here, at least the parameter names of every write agree."""
    for kind in STORES:
        klass = store_class(kind)
        for name in ("write", "write_local", "commit", "attribute"):
            declared = list(inspect.signature(getattr(Writes, name)).parameters)
            assert list(inspect.signature(getattr(klass, name)).parameters)[: len(declared)] == declared, (kind, name)
