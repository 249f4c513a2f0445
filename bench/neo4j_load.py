"""Benchmark: batched vs naive loading into the local Neo4j, and query latency on both stores.

The real files in ../shared/data (USAspending bulk downloads, Torn Apart's FY13-18 transactions, the
spending_by_transaction exports: about 28,000 awards) are read once through the project's adapters,
then scaled up by re-keying: copy i of every award, transaction and subaward gets the suffix "~i" on
its key (copy 0 keeps the real keys), so each copy adds new awards with the same vendors, agencies,
amounts and provenance. Copies are added until at least --awards distinct awards exist.

- batched: the project's loader (`ingest.load`, UNWIND $rows ... MERGE in 5,000-row write
  transactions, then the derived award figures), from an empty database;
- naive: the same mapping, but every input row in its own write transaction with one single-row
  statement per node and relationship, on --naive-rows rows of a further copy (fresh keys);
- query latency: every store query, warm, --runs times, on Neo4j and on the embedded store holding
  the same data; the answers of both stores are compared too.

Needs the local server (`make neo4j`, or NEO4J_URI/...). It clears the Neo4j database it points at.

    python bench/neo4j_load.py --awards 100000 [--naive-rows 2000] [--runs 30]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import cypher  # noqa: E402
from graph.batch import Batch  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402
from graph.settings import neo4j_local_home  # noqa: E402
from ingest import transactions_csv, usaspending_csv  # noqa: E402
from ingest.load import Mapper, load  # noqa: E402
from ingest.records import Award, Reject, Subaward, Transaction  # noqa: E402
from ingest.resolve import Resolver  # noqa: E402

QUERIES = [
    ("stats", "stats", (), {}),
    ("search palantir", "search", ("palantir",), {}),
    ("vendor Palantir", "vendor_family", ("Palantir",), {}),
    ("vendor Amazon.com", "vendor_family", ("Amazon.com",), {}),
    ("vendor GEO Group", "vendor_family", ("GEO GROUP",), {}),
    ("agency ICE", "agency_profile", ("ICE",), {}),
    ("agency DHS", "agency_profile", ("DHS",), {}),
    ("subgraph agency ICE", "subgraph", (), {"agency": "ICE"}),
    ("subgraph vendor Palantir", "subgraph", (), {"vendor": "Palantir"}),
    ("subgraph DHS FY2019-2021 >= $1M", "subgraph", (), {"agency": "DHS", "fy_from": 2019, "fy_to": 2021,
                                                        "min_amount": 1_000_000}),
    ("subgraph delivery orders", "subgraph", (), {"award_types": ["DELIVERY ORDER"], "min_amount": 1_000_000}),
    ("paths Palantir-ICE", "paths", ("Palantir", "ICE"), {}),
    ("paths Amazon.com-CBP", "paths", ("Amazon.com", "CBP"), {}),
]


def real_records(shared: Path) -> list:
    torn = shared / "torn_apart_ice_fy2013_2018"
    sources = [(usaspending_csv.read, sorted((shared / "usaspending_bulk_ice_mn").glob("*.csv")), None),
               (usaspending_csv.read, sorted(torn.glob("fy1[3-8].csv")), torn / "fy13.csv"),
               (transactions_csv.read, sorted((shared / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv")),
                None)]
    return [record for reader, paths, header in sources for path in paths for record in reader(path, header)
            if not isinstance(record, Reject)]


def rekey(record, copy: int):
    """The record as copy `copy`: new keys for the award, its actions and subawards; same everything else."""
    if copy == 0:
        return record
    suffix = f"~{copy}"
    if isinstance(record, Award):
        return dataclasses.replace(record, key=record.key + suffix)
    if isinstance(record, Transaction):
        return dataclasses.replace(record, key=record.key + suffix, award=rekey(record.award, copy))
    if isinstance(record, Subaward):
        return dataclasses.replace(record, key=record.key + suffix, prime=rekey(record.prime, copy))
    raise TypeError(type(record))


def award_key(record) -> str:
    return record.key if isinstance(record, Award) else (record.award.key if isinstance(record, Transaction)
                                                         else record.prime.key)


def copies(records: list, count: int):
    for copy in range(count):
        for record in records:
            yield rekey(record, copy)


def naive_load(store: Neo4jStore, records: list) -> float:
    """One write transaction per input row; one single-row statement per node and relationship."""
    mapper = Mapper(Resolver(store.vendor_index()))
    started = time.perf_counter()
    for record in records:
        batch = Batch()
        mapper.add(batch, record)
        statements = [(cypher.NODE_UPSERT[label], [{"key": key, "props": props}])
                      for label, rows in batch.nodes.items() for key, props in rows.items()]
        statements += [(cypher.EDGE_UPSERT[rel], [{"start": s, "end": e, "key": k, "props": props}])
                       for rel, rows in batch.edges.items() for (s, e, k), props in rows.items()]

        def work(tx):
            for statement, rows in statements:
                tx.run(statement, rows=rows).consume()

        with store._session() as session:
            session.execute_write(work)
        store.derive_awards(sorted(batch.awards_touched))
    return time.perf_counter() - started


def latency(store, runs: int) -> dict:
    figures, answers = {}, {}
    for name, method, args, kwargs in QUERIES:
        call = getattr(store, method)
        answers[name] = call(*args, **kwargs)
        call(*args, **kwargs)  # warm
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            call(*args, **kwargs)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        figures[name] = {"p50_ms": round(statistics.median(times), 1),
                         "p95_ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 1)}
    return figures, answers


def java_rss_mb() -> float | None:
    try:
        pid = (neo4j_local_home() / "neo4j.pid").read_text().strip()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    records = real_records(args.shared)
    per_copy = len({award_key(record) for record in records})
    count = -(-args.awards // per_copy)
    log(f"{len(records):,} real rows, {per_copy:,} awards per copy, {count} copies")
    report = {"real_rows": len(records), "real_awards": per_copy, "copies": count,
              "rows": len(records) * count, "rekeying": "copy i appends ~i to award/transaction/subaward keys"}

    neo = Neo4jStore()
    neo.clear()
    with tempfile.TemporaryDirectory() as home:
        log("batched load into Neo4j ...")
        summary = load(neo, copies(records, count), command="bench-batched", inputs=["real files x copies"],
                       rejects_dir=Path(home) / "rejects", progress=True)
        report["batched"] = {"awards": summary["awards"], "rows": summary["rows_read"], "seconds": summary["seconds"]}
        report["batched_awards_per_s"] = round(summary["awards"] / summary["seconds"])

        sample = [rekey(record, count) for record in records[:args.naive_rows]]
        log(f"naive load of {len(sample):,} rows into Neo4j ...")
        seconds = naive_load(neo, sample)
        naive_awards = len({award_key(record) for record in sample})
        report["naive"] = {"awards": naive_awards, "rows": len(sample), "seconds": round(seconds, 3)}
        report["naive_awards_per_s"] = round(naive_awards / seconds, 1)
        report["ratio"] = round(report["batched_awards_per_s"] / report["naive_awards_per_s"], 1)

        log("embedded store with the same data ...")
        embedded = EmbeddedStore(Path(home) / "kg")
        loaded = load(embedded, copies(records, count), command="bench-embedded", inputs=["real files x copies"],
                      rejects_dir=Path(home) / "rejects", progress=True)
        load(embedded, sample, command="bench-embedded-naive-sample", inputs=["naive sample"],
             rejects_dir=Path(home) / "rejects", progress=False)
        report["embedded_load"] = {"awards": loaded["awards"], "seconds": loaded["seconds"],
                                   "awards_per_s": round(loaded["awards"] / loaded["seconds"])}
        report["stats"] = {"neo4j": neo.stats(), "embedded": embedded.stats()}

        log("query latency ...")
        neo_latency, neo_answers = latency(neo, args.runs)
        embedded_latency, embedded_answers = latency(embedded, args.runs)
        report["queries"] = {name: {"neo4j": neo_latency[name], "embedded": embedded_latency[name],
                                    "same_answer": json.dumps(neo_answers[name], sort_keys=True)
                                    == json.dumps(embedded_answers[name], sort_keys=True)}
                             for name, *_ in QUERIES}
        report["neo4j_max_p95_ms"] = max(figure["p95_ms"] for figure in neo_latency.values())
    report["neo4j_rss_mb"] = java_rss_mb()
    neo.close()
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
