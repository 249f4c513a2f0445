"""Benchmark: batched vs naive loading into the local Neo4j, and query latency on both stores.

The real files in ../shared/data (USAspending bulk downloads, Torn Apart's FY13-18 transactions, the
spending_by_transaction exports: about 28,000 awards) are read once through the project's adapters,
then scaled up by re-keying: copy i of every award, transaction and subaward gets the suffix "~i" on
its key (copy 0 keeps the real keys), so each copy adds new awards with the same vendors, agencies,
amounts and provenance. Copies are added until at least --awards distinct awards exist.

- batched: the project's loader (`ingest.load`: UNWIND $rows ... MERGE in 5,000-row write
  transactions, then the derived award figures), into an empty database, on award rows: one row per
  award (its recipient, agencies and contract vehicle, with their nodes and relationships), taken
  from the real rows (an award summary, else the award of its first action);
- naive: the same mapping, but every row in its own write transaction with one single-row
  statement per node and relationship, on --naive-rows award rows of a further copy (fresh keys);
- full rows: the database is cleared and every real row (award summaries, every action with its
  Transaction node, subawards) is loaded, copies included, as a real load would; the embedded store
  loads the same rows;
- query latency: every store query, warm, --runs times, on both stores holding the full rows; the
  answers of the two stores are compared too.

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
from core.records import Award, Reject, Subaward, Transaction  # noqa: E402
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


def award_rows(records: list) -> list:
    awards: dict[str, Award] = {}
    for record in records:
        award = record if isinstance(record, Award) else record.award if isinstance(record, Transaction) else None
        if award is not None and (award.key not in awards or isinstance(record, Award)):
            awards[award.key] = award
    return list(awards.values())


def copies(records: list, count: int):
    for copy in range(count):
        for record in records:
            yield rekey(record, copy)


def naive_load(store: Neo4jStore, records: list) -> float:
    """One write transaction per input row; one single-row statement per node and relationship; the
    award's derived figures after each row, the agencies' rollups once at the end (as batched does)."""
    mapper = Mapper(Resolver(store.vendor_index()))
    touched: set[str] = set()
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
        touched |= store.derive_figures(sorted(batch.awards_touched))
    store.refresh_rollups(sorted(touched))
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
    per_copy = len(award_rows(records))
    count = -(-args.awards // per_copy)
    log(f"{len(records):,} real rows, {per_copy:,} awards per copy, {count} copies")
    report = {"real_rows": len(records), "real_awards": per_copy, "copies": count,
              "rows": len(records) * count, "rekeying": "copy i appends ~i to award/transaction/subaward keys"}

    awards = award_rows(records)
    neo = Neo4jStore()
    neo.clear()
    with tempfile.TemporaryDirectory() as home:
        rejects = Path(home) / "rejects"
        log(f"batched load of {len(awards) * count:,} award rows into Neo4j ...")
        summary = load(neo, copies(awards, count), command="bench-batched", inputs=["award rows x copies"],
                       rejects_dir=rejects, progress=True)
        report["batched"] = {"awards": summary["awards"], "rows": summary["rows_read"], "seconds": summary["seconds"]}
        report["batched_awards_per_s"] = round(summary["awards"] / summary["seconds"])

        sample = [rekey(award, count) for award in awards[:args.naive_rows]]
        log(f"naive load of {len(sample):,} award rows into Neo4j ...")
        seconds = naive_load(neo, sample)
        report["naive"] = {"awards": len(sample), "rows": len(sample), "seconds": round(seconds, 3)}
        report["naive_awards_per_s"] = round(len(sample) / seconds, 1)
        report["ratio"] = round(report["batched_awards_per_s"] / report["naive_awards_per_s"], 1)

        neo.clear()
        log(f"full rows: {len(records) * count:,} rows into Neo4j ...")
        full = load(neo, copies(records, count), command="bench-full", inputs=["real rows x copies"],
                    rejects_dir=rejects, progress=True)
        log("full rows into the embedded store ...")
        embedded = EmbeddedStore(Path(home) / "kg")
        loaded = load(embedded, copies(records, count), command="bench-embedded", inputs=["real rows x copies"],
                      rejects_dir=rejects, progress=True)
        report["full_rows"] = {
            "rows": full["rows_read"], "awards": full["awards"],
            "neo4j": {"seconds": full["seconds"], "awards_per_s": round(full["awards"] / full["seconds"]),
                      "rows_per_s": full["rows_per_second"]},
            "embedded": {"seconds": loaded["seconds"], "awards_per_s": round(loaded["awards"] / loaded["seconds"]),
                         "rows_per_s": loaded["rows_per_second"]},
            "stats_equal": neo.stats() == embedded.stats(), "stats": neo.stats()}

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
