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

from graph.batch import Batch
from graph.embedded import EmbeddedStore
from graph.export import cypher_script, export
from graph.neo4j_store import Neo4jStore
from graph.store import StoreUnavailable

pytestmark = pytest.mark.neo4j
ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "ACME'}) DETACH DELETE n // \"<img src=x onerror=alert(1)>\" \\ `x` \n ; MATCH (m) RETURN m"


def as_sets(graph: nx.MultiDiGraph):
    nodes = {nid: json.dumps(data, sort_keys=True) for nid, data in graph.nodes(data=True)}
    edges = sorted((u, v, k, json.dumps(data, sort_keys=True)) for u, v, k, data in graph.edges(keys=True, data=True))
    return nodes, edges


def both(tmp_path, neo4j_store, *batches):
    """Apply the same batches to both stores (derive and commit after each); return both graphs."""
    embedded = EmbeddedStore(tmp_path / "kg")
    for store in (embedded, neo4j_store):
        for batch in batches:
            store.upsert(batch)
            store.derive_awards(sorted(batch.awards_touched))
            store.commit(None)
    return embedded.to_networkx(), neo4j_store.to_networkx()


def award_batch(vendor: str, agency: str, tier: str, rank: int, as_of: str, end_date: str, aliases=()):
    batch = Batch()
    batch.node("Vendor", vendor, {"name": vendor.split(":", 1)[1], "aliases": list(aliases)})
    batch.node("Agency", agency, {"code": agency.split(":", 1)[1], "tier": tier, "name": f"Agency {agency}"})
    batch.node("Award", "AWD1", {"piid": "P1", "values_as_of": as_of, "end_date": end_date,
                                 "obligated_summary": 10.5, "sources": [as_of]})
    batch.awards_touched.add("AWD1")
    batch.edge("AWARDED_TO", "AWD1", vendor, {"match": "uei", "confidence": "high", "rank": 3})
    batch.edge("AWARDED_BY", "AWD1", agency, {"rank": rank, "source": f"file-{as_of}"})
    return batch


def test_merge_policies_and_single_edges_match_the_embedded_store(tmp_path, neo4j_store):
    batches = [
        award_batch("uei:A", "subtier:7012", "subtier", 2, "2024-01-01", "2025-01-01", ["A1"]),
        award_batch("uei:A", "office:70CDCR", "office", 3, "2023-01-01", "2024-06-30", ["A2", "A1"]),  # older values
        award_batch("uei:A", "toptier:070", "toptier", 1, "2025-02-01", "2026-09-30"),  # lower rank: edge stays
    ]
    two_rivals = Batch()  # two candidate agencies for one award in one batch: the better one wins
    two_rivals.edge("FUNDED_BY", "AWD1", "subtier:7014", {"rank": 2})
    two_rivals.edge("FUNDED_BY", "AWD1", "office:70B03C", {"rank": 3})
    two_rivals.awards_touched.add("AWD1")
    embedded, neo4j = both(tmp_path, neo4j_store, *batches, two_rivals)
    assert as_sets(neo4j) == as_sets(embedded)
    award = neo4j.nodes["Award:AWD1"]
    assert award["end_date"] == "2026-09-30" and award["values_as_of"] == "2025-02-01"
    assert award["sources"] == ["2024-01-01", "2023-01-01", "2025-02-01"]
    assert award["awarded_by"] == "office:70CDCR" and award["funded_by"] == "office:70B03C"
    assert neo4j.nodes["Vendor:uei:A"]["aliases"] == ["A1", "A2"]


def test_hostile_text_is_stored_and_found_as_data(tmp_path, neo4j_store):
    batch = award_batch("name:" + HOSTILE, "subtier:7012", "subtier", 2, "2024-01-01", "2025-01-01", [HOSTILE[::-1]])
    embedded, neo4j = both(tmp_path, neo4j_store, batch)
    assert as_sets(neo4j) == as_sets(embedded)
    family = neo4j_store.vendor_family("DETACH DELETE n // \"<img")
    assert family["name"] == HOSTILE and family["award_count"] == 1
    assert neo4j_store.search("`x` \n ;")[0]["name"] == HOSTILE
    assert neo4j_store.stats()["nodes"] == {"Agency": 1, "Award": 1, "Vendor": 1}


def test_cypher_export_replays_into_an_identical_graph(tmp_path, neo4j_store):
    embedded, _ = both(tmp_path, neo4j_store, award_batch("name:" + HOSTILE, "subtier:7012", "subtier", 2,
                                                          "2024-01-01", "2025-01-01", ["x\\'y"]))
    lines = list(cypher_script(embedded))
    neo4j_store.clear()
    with neo4j_store._session() as session:
        for line in lines:
            session.run(line).consume()
    assert as_sets(neo4j_store.to_networkx()) == as_sets(embedded)


def test_file_exports_from_neo4j(tmp_path, neo4j_store):
    _, neo4j = both(tmp_path, neo4j_store, award_batch("name:" + HOSTILE, "subtier:7012", "subtier", 2,
                                                       "2024-01-01", "2025-01-01"))
    for fmt in ("graphml", "gexf"):
        out = tmp_path / f"graph.{fmt}"
        export(neo4j, fmt, out)
        read = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
        assert read.number_of_nodes() == 3 and read.number_of_edges() == 2
        labels = {data.get("label") for _, data in read.nodes(data=True)}
        assert HOSTILE.replace("\n", " ") in {label.replace("\n", " ") for label in labels if label}
    written = export(neo4j, "csv", tmp_path / "csv")["files"]
    assert {Path(path).name for path in written} == {"nodes_Agency.csv", "nodes_Award.csv", "nodes_Vendor.csv",
                                                    "relationships_AWARDED_TO.csv", "relationships_AWARDED_BY.csv"}
    header = (tmp_path / "csv" / "nodes_Award.csv").read_text().splitlines()[0]
    assert header.startswith("key:ID(Award),:LABEL,") and "obligated:double" in header and "sources:string[]" in header


def cli(*args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_cli_with_store_neo4j(tmp_path, neo4j_store, neo4j_server):
    env = {**os.environ, "NEO4J_URI": neo4j_server["uri"], "NEO4J_PASSWORD": neo4j_server["password"],
           "KG_HOME": str(tmp_path / "kg")}
    sample = sorted((ROOT / "data" / "sample").glob("*.csv"))
    loaded = cli("-m", "ingest", "normalized", *map(str, sample), "--store", "neo4j", "--json", "--no-progress", env=env)
    assert loaded.returncode == 0, loaded.stderr
    summary = json.loads(loaded.stdout)
    assert summary["store"] == "neo4j" and summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"]
    vendor = cli("-m", "graph", "vendor", "Palantir", "--store", "neo4j", "--json", env=env)
    assert vendor.returncode == 0 and json.loads(vendor.stdout)["name"] == "Palantir Technologies Inc."
    central = cli("-m", "graph", "centrality", "--agency", "DHS", "--store", "neo4j", "--json", env=env)
    assert central.returncode == 0 and json.loads(central.stdout)["vendors"]
    exported = cli("-m", "graph", "export", "--format", "graphml", str(tmp_path / "all.graphml"), "--store", "neo4j",
                   "--json", env=env)
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
    from graph import neo4j_local

    home, port = tmp_path / "neo4j", 7689
    started = neo4j_local.start(home, port, page_cache_mb=64, heap="512m", timeout=180)
    assert started["started"]
    try:
        store = Neo4jStore(uri=f"bolt://127.0.0.1:{port}", password=neo4j_server["password"])
        store.upsert(award_batch("uei:A", "subtier:7012", "subtier", 2, "2024-01-01", "2025-01-01"))
        store.close()
    finally:
        assert neo4j_local.stop(home)
    log = (home / "neo4j.log").read_text()
    assert "neo4j-local: stopped" in log
    neo4j_local.start(home, port, page_cache_mb=64, heap="512m", timeout=180)
    try:
        store = Neo4jStore(uri=f"bolt://127.0.0.1:{port}", password=neo4j_server["password"])
        assert store.stats()["nodes"] == {"Agency": 1, "Award": 1, "Vendor": 1}
        store.close()
    finally:
        neo4j_local.stop(home)


def test_questions_from_several_threads_at_once(tmp_path, neo4j_store):
    """The dashboard shares one store between sessions (threads): answers must not mix."""
    from concurrent.futures import ThreadPoolExecutor

    batches = [award_batch("uei:A", "subtier:7012", "subtier", 2, "2024-01-01", "2025-01-01")]
    other = Batch()
    other.node("Vendor", "uei:B", {"name": "B"})
    other.node("Agency", "subtier:7014", {"code": "7014", "tier": "subtier", "name": "Agency 7014"})
    other.node("Award", "AWD2", {"piid": "P2", "obligated_summary": 99.0})
    other.awards_touched.add("AWD2")
    other.edge("AWARDED_TO", "AWD2", "uei:B", {"match": "uei", "confidence": "high", "rank": 3})
    other.edge("AWARDED_BY", "AWD2", "subtier:7014", {"rank": 2})
    both(tmp_path, neo4j_store, *batches, other)
    expected = {name: neo4j_store.vendor_family(name) for name in ("A", "B")}
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda name: (name, neo4j_store.vendor_family(name)), ["A", "B"] * 20))
    assert all(answer == expected[name] for name, answer in answers)
