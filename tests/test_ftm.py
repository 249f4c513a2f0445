"""The FollowTheMoney export (graph/reports/ftm.py), validated by the `followthemoney` library itself.

The library (with sqlalchemy, mypy, pydantic and pyicu) lives in its own environment, .cache/ftm-venv, built once from
the exact pins in tests/ftm-requirements.txt by tests/ftm_env.py (about two minutes: pyicu compiles against ICU; the
build starts in the background when the session does) and rebuilt when they change; tests/ftm_validate.py runs in it. Without it the validation skips with a message, except under CI, where it fails.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from core.keys import permalink
from graph import cli
from graph.reports.ftm import SCHEMATA, entities, entity_id
from graph.store import STORES, open_store
from ingest import normalized_csv
from ingest.load import load
from tests import ftm_env
from tests.conftest import ROOT, close_test_store, open_test_store
from tests.dashboard_support import SAMPLE, hostile_file

VALIDATOR = ROOT / "tests" / "ftm_validate.py"


@pytest.fixture(scope="session")
def ftm_python() -> Path:
    """The interpreter of the FtM environment (tests/ftm_env.py; conftest.py started building it early)."""
    try:
        return ftm_env.build()
    except ftm_env.BuildFailed as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def store(home):
    opened = open_store("embedded", home=home)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def export_file(home, store, tmp_path_factory) -> Path:
    """The bundle exported through the command line (`python -m graph export --format ftm`)."""
    out = tmp_path_factory.mktemp("ftm") / "bundle.ftm.json"
    assert cli.main(["export", "--format", "ftm", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def report(ftm_python, export_file) -> dict:
    done = subprocess.run(
        [str(ftm_python), str(VALIDATOR), str(export_file)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def lines(export_file) -> list[dict]:
    return [json.loads(line) for line in export_file.read_text(encoding="utf-8").splitlines()]


def test_the_bundle_export_validates_with_followthemoney(report):
    assert report["error_count"] == 0, "\n".join(report["errors"])


def test_entities_per_schema_round_trip_the_store(report, store):
    """One entity per vendor, agency (federal and local), award, award with a recipient, parent link and action."""
    count = lambda sql: store._rows(sql)[0]["n"]  # noqa: E731 (the store's own tables, read directly)
    expected = {
        "Company": count("SELECT count(*) AS n FROM vendor"),
        "PublicBody": count("SELECT count(*) AS n FROM (SELECT id FROM agency UNION SELECT id FROM local_agency)"),
        "Contract": count("SELECT count(*) AS n FROM award"),
        "ContractAward": count("SELECT count(*) AS n FROM award WHERE recipient IS NOT NULL"),
        "Ownership": count("SELECT count(*) AS n FROM (SELECT DISTINCT child, parent, basis FROM vendor_parent)"),
        "Payment": count("SELECT count(*) AS n FROM fact WHERE kind = 'action'"),
    }
    assert report["counts"] == expected
    assert all(expected[schema] > 0 for schema in SCHEMATA)


def test_every_contract_names_its_award_s_source_url(report, store):
    awards = {entity_id("award", row["key"]): row["key"] for row in store._rows("SELECT key FROM award")}
    assert report["contracts"].keys() == awards.keys()
    assert {eid: urls for eid, urls in report["contracts"].items() if urls != [permalink(awards[eid])]} == {}


def test_provenance_on_every_entity(report, lines):
    """sourceUrl, publisher and retrievedAt wherever the store knows a record; the few without say so in numbers."""
    assert not {
        key: n for key, n in report["missing"].items() if key.split(".")[0] in ("Contract", "ContractAward", "Payment")
    }
    assert all(
        url.startswith(("https://", "http://")) for entity in lines for url in entity["properties"].get("sourceUrl", ())
    )
    companies = sum(entity["schema"] == "Company" for entity in lines)
    assert report["missing"].get("Company.sourceUrl", 0) < companies / 100
    bodies = sum(entity["schema"] == "PublicBody" for entity in lines)
    assert report["missing"].get("PublicBody.sourceUrl", 0) < bodies / 100


def test_what_no_record_names_cites_what_stands_under_it(lines, store):
    """A curated family cites the latest award of a member; a Flock agency known only from the agency list cites
    the scrape's public origin, published by The News & Observer."""
    by_name = {
        entity["properties"]["name"][0]: entity["properties"] for entity in lines if "name" in entity["properties"]
    }
    geo = by_name["The GEO Group, Inc."]
    member_awards = {
        permalink(row["key"])
        for row in store._rows(
            "SELECT a.key FROM award a JOIN vendor v ON v.id = a.recipient WHERE v.family = 'org:the-geo-group-inc'"
        )
    }
    assert geo["sourceUrl"][0] in member_awards and geo["publisher"] == ["USAspending.gov"]
    listed = "Rockingham NC PD"  # on the agency list, with no portal, camera or sharing link of its own
    assert store._rows("SELECT source FROM local_agency WHERE name = ?", [listed])[0]["source"].endswith(
        "flock_transparency_portals/agency20240426.csv"
    )
    assert by_name[listed]["sourceUrl"] == ["https://github.com/mcclatchy-southeast/private_eyes"]
    assert by_name[listed]["publisher"] == ["The News & Observer"]


def test_money_is_the_store_s_as_stored(lines, store):
    by_id = {entity["id"]: entity for entity in lines}
    for row in store._rows("SELECT key, obligated FROM award"):
        got = by_id[entity_id("award", row["key"])]["properties"].get("amount")
        assert got == (None if row["obligated"] is None else [repr(row["obligated"])]), row["key"]
    actions = store._rows("SELECT key, amount FROM fact WHERE kind = 'action'")
    assert all(by_id[entity_id("fact", row["key"])]["properties"]["amount"] == [repr(row["amount"])] for row in actions)


def test_the_hostile_record_stays_text(lines):
    from tests.dashboard_support import HOSTILE, HOSTILE_KEY

    contract = next(entity for entity in lines if entity["id"] == entity_id("award", HOSTILE_KEY))
    assert contract["properties"]["description"] == [HOSTILE]
    assert contract["properties"]["sourceUrl"] == [permalink(HOSTILE_KEY)]


@pytest.fixture(scope="module")
def small_records(tmp_path_factory) -> list:
    """100 real award summaries and 100 real actions of the bundle, and the hostile record: a load each store takes in seconds."""
    records = [
        record
        for name in ("bulk", "transactions_fy2021")
        for record in itertools.islice(normalized_csv.read(next(p for p in SAMPLE if name in p.name)), 100)
    ]
    return records + list(normalized_csv.read(hostile_file(tmp_path_factory.mktemp("hostile"))))


def small_load(kind: str, home: Path, request, records: list) -> list[dict]:
    """The FtM entities of `records` loaded into a fresh store of `kind`."""
    opened = open_test_store(kind, home, request)
    try:
        load(opened, iter(records), command="ftm", inputs=["sample"], rejects_dir=home / "rejects", progress=False)
        return list(entities(opened.to_networkx()))
    finally:
        close_test_store(opened)


def test_ids_and_order_do_not_depend_on_load_order(request, small_records, tmp_path):
    """The rows loaded in another order, and the graph built in another order, give the same entities line for line."""
    rng = random.Random(29)
    shuffled = small_records[:]
    rng.shuffle(shuffled)
    written = small_load("embedded", tmp_path / "a", request, small_records)
    assert small_load("embedded", tmp_path / "b", request, shuffled) == written
    graph = open_store("embedded", home=tmp_path / "a").to_networkx()
    rebuilt = nx.MultiDiGraph()
    nodes, edges = list(graph.nodes(data=True)), list(graph.edges(keys=True, data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    rebuilt.add_nodes_from(nodes)
    rebuilt.add_edges_from(edges)
    assert list(entities(rebuilt)) == written and {e["schema"] for e in written} == set(SCHEMATA)


@pytest.mark.neo4j
def test_every_store_writes_the_same_entities(request, small_records, tmp_path):
    """The same real rows loaded into each store of the registry: the same FtM entities."""
    first, *others = STORES
    written = small_load(first, tmp_path / first, request, small_records)
    assert written and all(small_load(kind, tmp_path / kind, request, small_records) == written for kind in others)
