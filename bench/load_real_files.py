"""Benchmark: normalize and load every real file in ../shared/data into one embedded store.

Prints JSON: per source (every CSV in ../shared/data but the API responses, plus the FPDS feed
samples in ../shared/reference/fpds), rows, the normalize rate (parse + clean into records, the adapters alone)
and the load rate (normalize + resolve + upsert + derive), and the whole load's time. Best of
--repeat runs for the normalize figures; the load runs once into a fresh store.

    python bench/load_real_files.py [--shared ../shared/data] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from graph.questions.queries import Queries  # noqa: E402
from graph.store import open_store  # noqa: E402
from ingest import fpds_atom, transactions_csv, usaspending_csv  # noqa: E402
from ingest.load import load  # noqa: E402


def sources(shared: Path) -> list[tuple[str, object, list[Path], Path | None]]:
    torn = shared / "torn_apart_ice_fy2013_2018"
    return [
        (
            "usaspending bulk (2025 prime awards + subawards)",
            usaspending_csv.read,
            sorted((shared / "usaspending_bulk_ice_mn").glob("*.csv")),
            None,
        ),
        (
            "usaspending transactions 2018 (Torn Apart fy13-fy18)",
            usaspending_csv.read,
            sorted(torn.glob("fy1[3-8].csv")),
            torn / "fy13.csv",
        ),
        (
            "spending_by_transaction exports FY2021-2026",
            transactions_csv.read,
            sorted((shared / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv")),
            None,
        ),
        (
            "FPDS ATOM feed samples (reference/fpds, XML)",
            fpds_atom.read,
            sorted((shared.parent / "reference" / "fpds").glob("*.xml")),
            None,
        ),
    ]


def records(reader, paths, header_from):
    for path in paths:
        yield from reader(path, header_from)


def normalize_rate(reader, paths, header_from, repeat: int) -> tuple[int, float]:
    best = float("inf")
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = sum(1 for _ in records(reader, paths, header_from))
        best = min(best, time.perf_counter() - started)
    return rows, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    report = {"sources": []}
    csv_rows = csv_normalize = 0.0
    with tempfile.TemporaryDirectory() as home:
        store = open_store("embedded", home=Path(home))
        started = time.perf_counter()
        for name, reader, paths, header_from in sources(args.shared):
            rows, seconds = normalize_rate(reader, paths, header_from, args.repeat)
            summary = load(
                store,
                records(reader, paths, header_from),
                command="bench",
                inputs=[str(p) for p in paths],
                rejects_dir=Path(home) / "rejects",
                progress=False,
            )
            if paths and paths[0].suffix == ".csv":
                csv_rows += rows
                csv_normalize += seconds
            report["sources"].append(
                {
                    "source": name,
                    "files": len(paths),
                    "rows": rows,
                    "rejected": summary["rows_rejected"],
                    "normalize_seconds": round(seconds, 3),
                    "normalize_rows_per_s": round(rows / seconds),
                    "load_seconds": summary["seconds"],
                    "load_rows_per_s": summary["rows_per_second"],
                }
            )
        total = time.perf_counter() - started
        report["total"] = {
            "csv_rows": int(csv_rows),
            "csv_normalize_rows_per_s": round(csv_rows / csv_normalize),
            "load_all_seconds_including_normalize_runs": round(total, 3),
            "store": Queries(store).stats(),
            "store_file_mb": round((Path(home) / "store.duckdb").stat().st_size / 1e6, 1),
        }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
