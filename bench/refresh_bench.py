"""Benchmark: the weekly refresh on a store at real size, and what the change feed costs it.

A store is built from the real files in ../shared/data scaled to N actions (as bench/store_bench.py builds
it), then three small loads follow, each timed, in this order:
1. the real pristine umn prime award file (5 awards), fetched again: its awards are already held;
2. the same file with two rows revised (a new obligated total, a new end date): the feed must list exactly 2;
3. the same revised file once more: nothing changes, the feed lists 0.
For each: seconds, the commit's phases (derive, merge and change log, write) and the changes logged. The
ratio printed is the change log's share of the commit, the figure that says what the feed costs.

    python bench/refresh_bench.py [--sizes 28000,280000,1500000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from bench.store_bench import real_records, scaled  # noqa: E402
from graph.questions.queries import Queries  # noqa: E402

UMN = "usaspending_bulk_ice_mn/umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv"


def revise(path: Path) -> None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    table[2][header.index("total_obligated_amount")] = "12345.67"
    table[4][header.index("period_of_performance_current_end_date")] = "2031-01-31"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    later = path.stat().st_mtime + 3600
    os.utime(path, (later, later))


def timed_load(store, path: Path, home: Path) -> dict:
    from ingest import usaspending_csv
    from ingest.load import load

    started = time.perf_counter()
    summary = load(
        store,
        usaspending_csv.read(path),
        command="bench-refresh",
        inputs=[str(path)],
        rejects_dir=home / "rejects",
        progress=False,
    )
    phases = getattr(store, "last_commit", {})
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "changes": summary["changes"],
        **phases,
        "change_log_share": round(phases["merge_and_change_log_s"] / phases["derive_s"], 3)
        if phases.get("derive_s")
        else None,
    }


def one_size(actions: int, shared: Path, work: Path) -> dict:
    from graph.store import open_store
    from ingest.load import load

    home = work / f"kg-{actions}"
    store = open_store("embedded", home=home)
    started = time.perf_counter()
    built = load(
        store,
        scaled(real_records(shared), actions),
        command="bench",
        inputs=["bench"],
        rejects_dir=home / "rejects",
        progress=False,
    )
    build_s = time.perf_counter() - started
    copy = work / "umn.csv"
    shutil.copyfile(shared / UMN, copy)
    again = timed_load(store, copy, home)
    revise(copy)
    revised = timed_load(store, copy, home)
    listed = Queries(store).changes()
    same = timed_load(store, copy, home)
    store.close()
    assert revised["changes"] == 2 == listed["count"], listed["counts"]
    assert same["changes"] == 0
    return {
        "actions": built["rows_read"],
        "awards": built["awards"],
        "build_s": round(build_s, 1),
        "first_load_changes": built["changes"],
        "file_again": again,
        "file_revised": revised,
        "revised_again": same,
        "revised_listed": listed["counts"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sizes", default="28000,280000,1500000")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"building a store of {size:,} actions…", file=sys.stderr)
            report.append(one_size(size, args.shared, Path(tmp)))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for row in report:
        print(
            f"{row['actions']:>9,} actions, {row['awards']:,} awards (built in {row['build_s']} s; its first load "
            f"logged {row['first_load_changes']:,} changes)"
        )
        for name in ("file_again", "file_revised", "revised_again"):
            step = row[name]
            print(
                f"{'':>11}{name:<14} {step['seconds']:>6} s  derive {step['derive_s']} s, of it merge + change log "
                f"{step['merge_and_change_log_s']} s ({step['change_log_share']:.1%}), write {step['write_s']} s; "
                f"{step['changes']} change(s)"
            )
        print(f"{'':>11}listed after the revision: {row['revised_listed']}")


if __name__ == "__main__":
    main()
