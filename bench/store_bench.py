"""Benchmark: the stores at real size. Load rate, peak memory, open time and query latency.

The real files in ../shared/data (bulk downloads, Torn Apart's FY13-18 transactions, the FY2021-2026
exports: about 65,000 records, 62,000 actions and 28,000 awards) are read once through the project's
adapters, then scaled up by re-keying: copy i of every award, action and subaward gets the suffix "~i"
on its key (copy 0 keeps the real keys), so each copy adds new awards with the same vendors, agencies,
amounts and provenance. Copies are added until at least N actions exist, for each N of --sizes.

For each size, in a fresh process each (so peak memory is the load's own):
- load: every record into an empty embedded store, end to end (loader, DuckDB inserts, derivation,
  commit); rows/s and the process's peak RSS;
- open: a new store object answering its first question (`stats`), in a fresh process;
- queries: every store question, warm, --runs times: p50 and p95 in ms;
- with --neo4j (sizes up to --neo4j-max): the same rows into the local Neo4j (`make neo4j`; its database
  is cleared) and the same questions, p50/p95.
With --baseline REV, the pickled networkx store of commit REV (the store before this one) loads the real
rows and answers the same questions, and the ratios to DuckDB are printed.

    python bench/store_bench.py [--sizes 28000,280000,1500000] [--runs 20] [--neo4j] [--baseline 4b232fa]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from core.categories import LENS  # noqa: E402
from core.records import Award, Reject, Subaward, Transaction  # noqa: E402
from graph.questions.queries import Queries  # noqa: E402

QUERIES = [
    ("stats", "stats", (), {}),
    ("search palantir", "search", ("palantir",), {}),
    ("vendor Palantir", "vendor_family", ("Palantir",), {}),
    ("vendor Amazon.com", "vendor_family", ("Amazon.com",), {}),
    ("vendor GEO Group", "vendor_family", ("GEO GROUP",), {}),
    ("agency ICE", "agency_profile", ("ICE",), {"limit": 100}),
    ("agency DHS", "agency_profile", ("DHS",), {"limit": 100}),
    ("subgraph agency ICE", "subgraph", (), {"agency": "ICE"}),
    ("subgraph vendor Palantir", "subgraph", (), {"vendor": "Palantir"}),
    (
        "subgraph DHS FY2019-2021 >= $1M",
        "subgraph",
        (),
        {"agency": "DHS", "fy_from": 2019, "fy_to": 2021, "min_amount": 1_000_000},
    ),
    ("subgraph delivery orders", "subgraph", (), {"award_types": ["DELIVERY ORDER"], "min_amount": 1_000_000}),
    ("paths Palantir-ICE", "paths", ("Palantir", "ICE"), {}),
    ("paths Amazon.com-CBP", "paths", ("Amazon.com", "CBP"), {}),
    ("facets", "facets", (), {}),
    # issue 27: the technology lens (the campaign views' default), both stores
    ("agency ICE, technology lens", "agency_profile", ("ICE",), {"limit": 100, "categories": LENS}),
    ("vendor Palantir, technology lens", "vendor_family", ("Palantir",), {"categories": LENS}),
    ("targets ICE, technology lens", "targets", ("ICE",), {"today": date(2025, 9, 30)}),
    ("targets ICE, all purchases", "targets", ("ICE",), {"sectors": ["all"], "today": date(2025, 9, 30)}),
]

LENS_QUERIES = {name for name, *_ in QUERIES[-4:]}  # the previous store had no categories: no baseline for them


def ask(queries: Queries, method: str, args: tuple, kwargs: dict):
    """One question, as the dashboard and the CLI ask it: a method of `Queries` over the store, or `targets`
    (graph/questions/targets.py)."""
    if method == "targets":
        from graph.questions.targets import targets

        return targets(queries, *args, **kwargs)
    return getattr(queries, method)(*args, **kwargs)


def real_records(shared: Path) -> list:
    from ingest import transactions_csv, usaspending_csv

    torn = shared / "torn_apart_ice_fy2013_2018"
    sources = [
        (usaspending_csv.read, sorted((shared / "usaspending_bulk_ice_mn").glob("*.csv")), None),
        (usaspending_csv.read, sorted(torn.glob("fy1[3-8].csv")), torn / "fy13.csv"),
        (transactions_csv.read, sorted((shared / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv")), None),
    ]
    return [
        record
        for reader, paths, header in sources
        for path in paths
        for record in reader(path, header)
        if not isinstance(record, Reject)
    ]


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


def scaled(records: list, actions: int):
    per_copy = sum(isinstance(r, Transaction) for r in records)
    for copy in range(max(1, math.ceil(actions / per_copy))):
        for record in records:
            yield rekey(record, copy)


def open_bench_store(kind: str, home: Path):
    from graph.store import open_store

    return open_store(kind, home=home)


def child_load(kind: str, home: Path, actions: int, shared: Path) -> dict:
    """In this (fresh) process: load the scaled rows; report rows/s and peak memory."""
    from core.facts import record_rows
    from ingest.load import load

    records = real_records(shared)
    store = open_bench_store(kind, home)
    if kind == "neo4j":
        store.clear()
    started = time.perf_counter()
    generated = sum(1 for _ in scaled(records, actions))  # making the re-keyed copies is not part of a load
    generate = time.perf_counter() - started
    started = time.perf_counter()
    for record in scaled(records, actions):  # the loader's Python work per record: its rows, declared in core
        record_rows(record)
    build = time.perf_counter() - started - generate
    started = time.perf_counter()
    summary = load(
        store, scaled(records, actions), command="bench", inputs=["bench"], rejects_dir=home / "rejects", progress=False
    )
    seconds = time.perf_counter() - started - generate
    assert generated == summary["rows_read"]
    stats = Queries(store).stats()
    store.close()
    return {
        "rows": summary["rows_read"],
        "seconds": round(seconds, 1),
        "rows_per_s": round(summary["rows_read"] / seconds),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
        "facts": stats["nodes"].get("Fact"),
        "awards": stats["nodes"].get("Award"),
        "vendors": stats["nodes"].get("Vendor"),
        "store_mb": round(sum(p.stat().st_size for p in home.rglob("*.duckdb")) / 1e6, 1),
        "phases_s": {"python_rows": round(build, 1), **getattr(store, "last_commit", {})},
    }


def child_open(kind: str, home: Path) -> dict:
    started = time.perf_counter()
    import duckdb  # noqa: F401 (timed apart: the part of opening no code of ours can shorten)

    imported = time.perf_counter()
    store = open_bench_store(kind, home)
    Queries(store).stats()
    done = time.perf_counter()
    return {
        "open_and_first_answer_s": round(done - started, 3),
        "import_duckdb_s": round(imported - started, 3),
        "after_import_s": round(done - imported, 3),
    }


def child_queries(kind: str, home: Path, runs: int) -> dict:
    store = open_bench_store(kind, home)
    queries = Queries(store)
    out = {}
    for name, method, args, kwargs in QUERIES:
        started = time.perf_counter()
        ask(queries, method, args, kwargs)
        cold = time.perf_counter() - started
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            ask(queries, method, args, kwargs)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[name] = {
            "cold_ms": round(cold * 1000, 1),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)], 1),
        }
    store.close()
    return out


def in_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


BASELINE_SCRIPT = """
import json, sys, time, statistics
from pathlib import Path
from graph.embedded import EmbeddedStore
from ingest import transactions_csv, usaspending_csv
from ingest.load import load
shared, home = Path({shared!r}), Path({home!r})
torn = shared / "torn_apart_ice_fy2013_2018"
sources = [(usaspending_csv.read, sorted((shared / "usaspending_bulk_ice_mn").glob("*.csv")), None),
           (usaspending_csv.read, sorted(torn.glob("fy1[3-8].csv")), torn / "fy13.csv"),
           (transactions_csv.read, sorted((shared / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv")), None)]
records = [r for reader, paths, header in sources for p in paths for r in reader(p, header)]
store = EmbeddedStore(home)
started = time.perf_counter()
load(store, iter(records), command="bench", inputs=["bench"], rejects_dir=home / "rejects", progress=False)
load_s = time.perf_counter() - started
started = time.perf_counter(); store = EmbeddedStore(home); Queries(store).stats(); open_s = time.perf_counter() - started
out = {{"load_rows_per_s": round(len(records) / load_s), "open_and_first_answer_s": round(open_s, 3)}}
for name, method, args, kwargs in {queries!r}:
    times = []
    for _ in range({runs}):
        t = time.perf_counter(); getattr(store, method)(*args, **kwargs); times.append((time.perf_counter() - t) * 1000)
    out[name] = round(statistics.median(times), 1)
print(json.dumps(out))
"""


def baseline(rev: str, shared: Path, runs: int) -> dict:
    """The pickled networkx store of commit `rev`, on the real rows, in a worktree of that commit."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True, capture_output=True
        )
        try:
            script = BASELINE_SCRIPT.format(
                root=str(tree),
                shared=str(shared),
                home=str(Path(tmp) / "kg"),
                queries=[q for q in QUERIES if q[1] != "facets" and q[0] not in LENS_QUERIES],
                runs=max(3, runs // 4),
            )
            done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tree)
            if done.returncode != 0:
                raise SystemExit(f"baseline failed:\n{done.stderr[-3000:]}")
            return json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sizes", default="28000,280000,1500000", help="actions to reach, comma-separated")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--neo4j", action="store_true", help="also the local Neo4j (its database is cleared)")
    parser.add_argument("--neo4j-max", type=int, default=1_500_000, help="largest size loaded into Neo4j")
    parser.add_argument("--baseline", metavar="REV", help="compare with the pickled store of this commit")
    parser.add_argument("--keep", type=Path, help="keep the largest embedded store here (for dashboard_render.py)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        task, kind, home, *rest = args.child
        home = Path(home)
        result = {
            "load": lambda: child_load(kind, home, int(rest[0]), args.shared),
            "open": lambda: child_open(kind, home),
            "queries": lambda: child_queries(kind, home, int(rest[0])),
        }[task]()
        print(json.dumps(result))
        return
    report = {"sizes": {}}
    sizes = [int(size) for size in args.sizes.split(",")]
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(args.keep) if args.keep and size == sizes[-1] else Path(tmp) / "kg"
            if home.exists() and args.keep:
                subprocess.run(["rm", "-rf", str(home)], check=True)
            entry = {"embedded": {"load": in_child("load", "embedded", str(home), str(size))}}
            print(f"{size:,} actions: embedded load {entry['embedded']['load']}", file=sys.stderr, flush=True)
            entry["embedded"]["open"] = in_child("open", "embedded", str(home))
            entry["embedded"]["queries"] = in_child("queries", "embedded", str(home), str(args.runs))
            if args.neo4j and size <= args.neo4j_max:
                neo4j_home = Path(tmp) / "kg-neo4j"
                entry["neo4j"] = {"load": in_child("load", "neo4j", str(neo4j_home), str(size))}
                print(f"{size:,} actions: neo4j load {entry['neo4j']['load']}", file=sys.stderr, flush=True)
                entry["neo4j"]["queries"] = in_child("queries", "neo4j", str(neo4j_home), str(args.runs))
            report["sizes"][size] = entry
    if args.baseline:
        old = baseline(args.baseline, args.shared, args.runs)
        small = report["sizes"][sizes[0]]["embedded"]
        report["baseline"] = {
            "rev": args.baseline,
            "pickled": old,
            "ratio_pickled_over_duckdb": {
                "open": round(old["open_and_first_answer_s"] / small["open"]["open_and_first_answer_s"], 1),
                **{
                    name: round(old[name] / max(small["queries"][name]["p50_ms"], 0.1), 1)
                    for name in old
                    if name in small["queries"]
                },
            },
        }
    print(json.dumps(report, indent=2))
    print_table(report)


# issue 31's targets: every embedded question's p95 at 1.5M actions, and at ten times DHS (15M) with the load and
# its peak memory; Neo4j's p95 and load rate
LOAD_RATE = 100_000  # rows/s, first load end to end
P95_MS = {1_500_000: 100, 15_000_000: 150}  # the size up to which each target holds
NEO4J_P95_MS, NEO4J_RATE = 150, 20_000
PEAK_GB_15M, LOAD_S_15M = 8, 600


def p95_target(size: int) -> int:
    return next((ms for top, ms in sorted(P95_MS.items()) if size <= top), max(P95_MS.values()))


def print_table(report: dict) -> None:
    """The figures against issue 31's targets, on stderr: each met, or the gap and the cause the figures show."""
    lines = []
    for size, entry in report["sizes"].items():
        size, embedded = int(size), entry["embedded"]
        load, opened = embedded["load"], embedded["open"]
        target = p95_target(size)
        worst = max(embedded["queries"].items(), key=lambda item: item[1]["p95_ms"])
        lines.append(
            f"{size:>10,} actions  load {load['rows_per_s']:>7,} rows/s (target >= {LOAD_RATE:,}), "
            f"{load['seconds']} s, peak {load['peak_rss_gb']} GB, file {load['store_mb']} MB; "
            f"open {opened['open_and_first_answer_s']} s; worst p95 {worst[1]['p95_ms']} ms ({worst[0]}; "
            f"target <= {target})"
        )
        if size >= 15_000_000:
            lines.append(
                f"{'':>12}ten times DHS: load {'met' if load['seconds'] <= LOAD_S_15M else 'over'} "
                f"(<= {LOAD_S_15M} s), peak memory {'met' if load['peak_rss_gb'] <= PEAK_GB_15M else 'over'} "
                f"(<= {PEAK_GB_15M} GB)"
            )
        phases = load.get("phases_s", {})
        if load["rows_per_s"] < LOAD_RATE and phases:
            lines.append(
                f"{'':>12}load gap: of {load['seconds']} s, {phases.get('python_rows')} s build each record's "
                f"row in Python, {phases.get('derive_s')} s derive every table from all records (of it "
                f"{phases.get('merge_and_change_log_s')} s merge the new rows and log what changed), "
                f"{phases.get('write_s')} s write the file; the rest is inserts"
            )
        over = sorted(
            ((name, figures["p95_ms"]) for name, figures in embedded["queries"].items() if figures["p95_ms"] > target),
            key=lambda item: -item[1],
        )
        lines.append(
            f"{'':>12}over {target} ms p95: " + ", ".join(f"{name} {ms:g}" for name, ms in over)
            if over
            else f"{'':>12}every question within {target} ms p95: met"
        )
        if "neo4j" in entry:
            queries, rate = entry["neo4j"]["queries"], entry["neo4j"]["load"]["rows_per_s"]
            worst = max(queries.items(), key=lambda item: item[1]["p95_ms"])
            lines.append(
                f"{'':>10}  neo4j load {rate:>7,} rows/s (target >= {NEO4J_RATE:,})  "
                f"worst p95 {worst[1]['p95_ms']} ms ({worst[0]}; target <= {NEO4J_P95_MS})"
            )
            slow = sorted(
                ((name, f["p95_ms"]) for name, f in queries.items() if f["p95_ms"] > NEO4J_P95_MS), key=lambda i: -i[1]
            )
            if slow:
                lines.append(f"{'':>12}neo4j over {NEO4J_P95_MS} ms p95: " + ", ".join(f"{n} {ms:g}" for n, ms in slow))
    print("\n".join(lines), file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
