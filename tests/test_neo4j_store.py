"""The Neo4j store on its own terms: write semantics equal to the embedded store's, hostile text kept
as data, exports, clear, the CLI with --store neo4j, the local server's clean stop, actionable errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from core.curated import load_families
from core.records import AgencyRef, Award, Party, Provenance, Transaction
from graph.questions.queries import Queries
from graph.reports.export import cypher_script, export
from graph.store import StoreUnavailable, open_store
from graph.stores.neo4j.store import Neo4jStore
from ingest.load import load

pytestmark = pytest.mark.neo4j
ROOT = Path(__file__).resolve().parents[1]
HOSTILE = 'ACME\'}) DETACH DELETE n // "<img src=x onerror=alert(1)>" \\ `x` \n ; MATCH (m) RETURN m'


def as_sets(graph: nx.MultiDiGraph):
    nodes = {nid: json.dumps(data, sort_keys=True) for nid, data in graph.nodes(data=True)}
    edges = sorted((u, v, k, json.dumps(data, sort_keys=True)) for u, v, k, data in graph.edges(keys=True, data=True))
    return nodes, edges


def action(
    vendor: str,
    key: str = "AWD1",
    amount: float = 10.5,
    date: str = "2024-01-15",
    subtier: str = "7012",
    modification: str = "0",
) -> Transaction:
    award = Award(
        key=key,
        piid=f"P-{key}",
        recipient=Party(vendor),
        awarding=AgencyRef(subtier_code=subtier),
        funding=AgencyRef(),
        prov=Provenance("test.csv", f"line {len(key) + len(modification)}", "2026-01-01"),
    )
    return Transaction(f"{key}|{modification}", award, modification, date, amount)


def both(tmp_path, neo4j_store, *records):
    """Load the same records into both stores; return both graphs (Neo4j's read back from Neo4j)."""
    embedded = open_store("embedded", home=tmp_path / "kg")
    for store in (embedded, neo4j_store):
        load(store, list(records), command="test", inputs=["test"], rejects_dir=tmp_path / "rejects", progress=False)
    return embedded.to_networkx(), neo4j_store.to_networkx()


def test_hostile_text_is_stored_and_found_as_data(tmp_path, neo4j_store):
    embedded, neo4j = both(tmp_path, neo4j_store, action(HOSTILE))
    assert as_sets(neo4j) == as_sets(embedded)
    family = Queries(neo4j_store).vendor_family('DETACH DELETE n // "<img')
    assert family["name"] == HOSTILE and family["award_count"] == 1 and family["total_obligated"] == 10.5
    assert Queries(neo4j_store).search("`x` \n ;")[0]["name"] == HOSTILE
    # ICE and DHS above it; the vendor and the curated parent companies
    assert Queries(neo4j_store).stats()["nodes"] == {
        "Agency": 2,
        "Award": 1,
        "Fact": 1,
        "Vendor": 1 + len(load_families()),
    }


def test_cypher_export_replays_into_an_identical_graph(tmp_path, neo4j_store):
    embedded, _ = both(tmp_path, neo4j_store, action(HOSTILE), action("x\\'y", key="AWD2", subtier="7014"))
    lines = list(cypher_script(embedded))
    neo4j_store.clear()
    with neo4j_store._session() as session:
        for line in lines:
            session.run(line).consume()
    assert as_sets(neo4j_store.to_networkx()) == as_sets(embedded)


def test_file_exports_from_neo4j(tmp_path, neo4j_store):
    _, neo4j = both(tmp_path, neo4j_store, action(HOSTILE))
    for fmt in ("graphml", "gexf"):
        out = tmp_path / f"graph.{fmt}"
        export(neo4j, fmt, out)
        read = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
        # vendor (and the curated parent companies), award, fact, ICE and DHS; AWARDED_TO, AWARDED_BY, HAS_FACT,
        # PART_OF
        assert read.number_of_nodes() == 5 + len(load_families()) and read.number_of_edges() == 4
        labels = {data.get("label") for _, data in read.nodes(data=True)}
        assert HOSTILE.replace("\n", " ") in {label.replace("\n", " ") for label in labels if label}
    written = export(neo4j, "csv", tmp_path / "csv")["files"]
    assert {Path(path).name for path in written} == {
        "nodes_Agency.csv",
        "nodes_Award.csv",
        "nodes_Fact.csv",
        "nodes_Vendor.csv",
        "relationships_AWARDED_TO.csv",
        "relationships_AWARDED_BY.csv",
        "relationships_HAS_FACT.csv",
        "relationships_PART_OF.csv",
    }
    header = (tmp_path / "csv" / "nodes_Award.csv").read_text().splitlines()[0]
    assert header.startswith("key:ID(Award),:LABEL,") and "obligated:double" in header and "tx_count:long" in header
    fact = (tmp_path / "csv" / "nodes_Fact.csv").read_text().splitlines()[0]
    assert "fiscal_year:long" in fact and "cents:long" in fact


def test_an_interrupted_push_is_completed_by_the_next_load(tmp_path, neo4j_store, monkeypatch):
    """A push that fails half-way keeps the batches written, the working copy keeps nothing of the load,
    and loading the same input again leaves Neo4j exactly as the embedded store."""
    from graph.stores.neo4j import store as module

    records = [action(f"VENDOR {i}", key=f"AWD{i}", amount=i) for i in range(30)]
    monkeypatch.setattr(module, "ROWS_PER_STATEMENT", 7)
    facts_sent, real_write = [], neo4j_store._write

    def failing_write(statement, **params):
        if statement == module.cypher.UPSERT["fact"]:
            facts_sent.append(len(params["rows"]))
            if len(facts_sent) == 3:
                raise RuntimeError("connection dropped mid-push")
        return real_write(statement, **params)

    monkeypatch.setattr(neo4j_store, "_write", failing_write)
    with pytest.raises(RuntimeError, match="mid-push"):
        load(neo4j_store, records, command="test", inputs=["t"], rejects_dir=tmp_path / "r", progress=False)
    assert Queries(neo4j_store).stats()["nodes"]["Fact"] == 14  # the two batches of facts written before the failure
    assert Queries(neo4j_store.staging).stats()["nodes"] == {}  # the working copy kept nothing
    monkeypatch.setattr(neo4j_store, "_write", real_write)
    embedded, neo4j = both(tmp_path, neo4j_store, *records)
    assert as_sets(neo4j) == as_sets(embedded)
    assert Queries(neo4j_store).vendor_family("VENDOR 29")["total_obligated"] == 29.0


def test_neo4j_loaded_from_another_working_copy_is_refused(tmp_path, neo4j_store, neo4j_server):
    load(neo4j_store, [action("A")], command="test", inputs=["t"], rejects_dir=tmp_path / "r", progress=False)
    other = Neo4jStore(home=tmp_path / "elsewhere", **neo4j_server)
    try:
        with pytest.raises(StoreUnavailable, match="another working copy"):
            load(
                other,
                [action("B", key="AWD2")],
                command="test",
                inputs=["t"],
                rejects_dir=tmp_path / "r",
                progress=False,
            )
    finally:
        other.close()
    assert Queries(neo4j_store).stats()["nodes"]["Award"] == 1


def cli(*args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_cli_with_store_neo4j(tmp_path, neo4j_store, neo4j_server):
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_server["uri"],
        "NEO4J_PASSWORD": neo4j_server["password"],
        "KG_HOME": str(tmp_path / "kg"),
    }
    # one bundled file (5,672 ICE actions, Palantir's among them): the command line's path to Neo4j, not its speed
    sample = ROOT / "data" / "sample" / "ice_transactions_fy2013_2018.csv.gz"
    loaded = cli("-m", "ingest", "normalized", str(sample), "--store", "neo4j", "--json", "--no-progress", env=env)
    assert loaded.returncode == 0, loaded.stderr
    summary = json.loads(loaded.stdout)
    assert summary["store"] == "neo4j" and summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"]
    vendor = cli("-m", "graph", "vendor", "Palantir", "--store", "neo4j", "--json", env=env)
    assert vendor.returncode == 0 and json.loads(vendor.stdout)["name"] == "Palantir Technologies Inc."
    central = cli("-m", "graph", "centrality", "--agency", "DHS", "--store", "neo4j", "--json", env=env)
    assert central.returncode == 0 and json.loads(central.stdout)["vendors"]
    exported = cli(
        "-m",
        "graph",
        "export",
        "--format",
        "graphml",
        str(tmp_path / "all.graphml"),
        "--store",
        "neo4j",
        "--json",
        env=env,
    )
    assert exported.returncode == 0 and json.loads(exported.stdout)["nodes"] > 1000
    assert cli("-m", "graph", "clear", "--store", "neo4j", env=env).returncode == 1  # no --yes
    assert cli("-m", "graph", "clear", "--yes", "--store", "neo4j", env=env).returncode == 0
    assert json.loads(cli("-m", "graph", "stats", "--store", "neo4j", "--json", env=env).stdout)["nodes"] == {}


def test_unreachable_server_and_bad_password_are_one_clear_line(tmp_path, neo4j_server):
    with pytest.raises(StoreUnavailable, match=r"cannot reach Neo4j at bolt://127.0.0.1:1 .*make neo4j"):
        Neo4jStore(uri="bolt://127.0.0.1:1", password="whatever")
    with pytest.raises(StoreUnavailable, match="refused the credentials.*NEO4J_PASSWORD"):
        Neo4jStore(uri=neo4j_server["uri"], password="not-the-password")
    env = {**os.environ, "NEO4J_URI": "bolt://127.0.0.1:1", "KG_HOME": str(tmp_path)}
    done = cli("-m", "graph", "stats", "--store", "neo4j", env=env)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "cannot reach Neo4j" in done.stderr


def test_local_server_stops_cleanly_and_keeps_its_data(tmp_path, neo4j_server):
    """A second local server on its own port and home: SIGTERM closes the database cleanly."""
    from graph.stores.neo4j import server as neo4j_local

    home, port = tmp_path / "neo4j", 7689
    started = neo4j_local.start(home, port, page_cache_mb=64, heap="512m", timeout=180)
    assert started["started"]
    try:
        store = Neo4jStore(home=tmp_path / "kg", uri=f"bolt://127.0.0.1:{port}", password=neo4j_server["password"])
        load(store, [action("A")], command="test", inputs=["t"], rejects_dir=tmp_path / "r", progress=False)
        store.close()
    finally:
        assert neo4j_local.stop(home)
    log = (home / "neo4j.log").read_text()
    assert "neo4j-local: stopped" in log
    neo4j_local.start(home, port, page_cache_mb=64, heap="512m", timeout=180)
    try:
        store = Neo4jStore(home=tmp_path / "kg", uri=f"bolt://127.0.0.1:{port}", password=neo4j_server["password"])
        assert Queries(store).stats()["nodes"] == {
            "Agency": 2,
            "Award": 1,
            "Fact": 1,
            "Vendor": 1 + len(load_families()),
        }
        store.close()
    finally:
        neo4j_local.stop(home)


def test_questions_from_several_threads_at_once(tmp_path, neo4j_store):
    """The dashboard shares one store between sessions (threads): answers must not mix."""
    from concurrent.futures import ThreadPoolExecutor

    both(tmp_path, neo4j_store, action("A"), action("B", key="AWD2", amount=99.0, subtier="7014"))
    expected = {name: Queries(neo4j_store).vendor_family(name) for name in ("A", "B")}
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda name: (name, Queries(neo4j_store).vendor_family(name)), ["A", "B"] * 20))
    assert all(answer == expected[name] for name, answer in answers)


def test_a_field_declared_since_the_last_push_rewrites_every_row(tmp_path, neo4j_store):
    """A store pushed before a field was declared (its pushed copy lacks the column) takes the next load: each row
    is written again, with the new field, and Neo4j holds what the embedded store holds."""
    import duckdb

    embedded, _ = both(tmp_path, neo4j_store, action("A"))
    neo4j_store.staging.close()  # no reader left on the staging file
    con = duckdb.connect(str(neo4j_store.staging.path))
    con.execute("ALTER TABLE pushed_award DROP COLUMN description")  # as pushed before `description` existed
    con.close()
    embedded, neo4j = both(tmp_path, neo4j_store, action("B", key="AWD2", amount=3.0))
    assert as_sets(neo4j) == as_sets(embedded)
