"""Benchmark and measurement for issue 10: the makers behind resellers, on every real file in ../shared/data.

Prints, from one run:
- each maker's obligations attributed through other vendors, awarded by ICE and by CBP, by reseller
  (Amazon's first), next to what the maker's family received directly;
- the precision list: every attributed action of $1M or more, written to --listing (a CSV to read by eye);
- recall and precision on the hand-labelled descriptions (tests/product_labels.csv);
- the attribution's speed (`python -m graph attribute`'s step: texts screened by DuckDB, matched in Python,
  table `mention` built), in facts per second: on the real store, then on stores scaled up by re-keyed copies
  whose descriptions each carry a copy mark (" #i"), so that no copy's texts repeat another's and the
  distinct texts grow with the copies (the worst case: real descriptions repeat a lot).

    python bench/attribution_bench.py [--copies 1,5,25] [--listing bench-attribution-1m.csv]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from store_bench import real_records, rekey  # noqa: E402

from core.records import Transaction  # noqa: E402
from graph.questions.queries import Queries  # noqa: E402


def marked(records: list, copies: int):
    """`copies` re-keyed copies of the real records, copy i's descriptions ending in " #i" (copy 0: the real)."""
    for copy in range(copies):
        for record in records:
            record = rekey(record, copy)
            if copy and isinstance(record, Transaction) and record.description:
                record = dataclasses.replace(record, description=f"{record.description} #{copy}")
            yield record


def load_store(records, home: Path):
    from graph.store import open_store
    from ingest.load import load

    store = open_store("embedded", home=home)
    load(store, records, command="bench", inputs=["bench"], rejects_dir=home / "rejects", progress=False)
    return store


def money(value) -> str:
    return "not reported" if value is None else f"${value:,.0f}"


def by_agency(store) -> None:
    print("\n## Attributed through other vendors, by awarding agency and reseller (direct: the maker's own family)")
    for agency in ("ICE", "CBP"):
        profile = Queries(store).agency_profile(agency, limit=1)
        makers = sorted(
            profile["makers"], key=lambda m: (m["name"] != "Amazon.com, Inc.", -(m["through_others"]["obligated"] or 0))
        )
        print(f"\n### {profile['name']} ({profile['code']}): {len(makers)} makers")
        for maker in makers:
            through = maker["through_others"]
            print(
                f"- {maker['name']}: through others {money(through['obligated'])} in {through['actions']} actions; "
                f"sold directly {money(maker['sold_directly']['obligated'])}"
            )
            for reseller in through["resellers"][: 6 if maker["name"] == "Amazon.com, Inc." else 3]:
                print(f"    via {reseller['name']}: {money(reseller['obligated'])}, {reseller['actions']} actions")


def precision_listing(store, path: Path) -> None:
    rows = [row for row in store.fetch_mentions() if (row["cents"] or 0) >= 100_000_000]
    names = store.fetch_names(sorted({r["maker"] for r in rows} | {r["recipient"] for r in rows if r["recipient"]}))
    rows.sort(key=lambda r: (-r["cents"], r["fact_key"]))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "amount",
                "maker",
                "product",
                "rule",
                "confidence",
                "recipient",
                "matched",
                "found_in",
                "text",
                "action_date",
                "award_key",
                "permalink",
            ]
        )
        for r in rows:
            writer.writerow(
                [
                    r["cents"] / 100,
                    names.get(r["maker"]),
                    r["product"],
                    r["rule"],
                    r["confidence"],
                    names.get(r["recipient"]),
                    r["span"],
                    r["field"],
                    r["text"],
                    r["action_date"],
                    r["award_key"],
                    r["permalink"],
                ]
            )
    makers = defaultdict(int)
    for r in rows:
        makers[names.get(r["maker"])] += 1
    print(f"\n## Precision list: {len(rows)} attributed actions of $1M or more written to {path}")
    print("   by maker: " + ", ".join(f"{m} {n}" for m, n in sorted(makers.items(), key=lambda i: -i[1])))


def labels() -> None:
    from core.products import Matcher, load_rules

    matcher = Matcher(load_rules())
    names = {rule.maker: rule.maker_name for rule in matcher.rules}
    expected, psc = defaultdict(set), {}
    with (ROOT / "tests" / "product_labels.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            psc[row["description"]] = row["psc"] or None
            expected[row["description"]] |= {row["maker"].strip()} if row["maker"].strip() else set()
    found = {text: {names[m.rule.maker] for m in matcher.match((text,), psc[text])} for text in expected}
    positives = sum(len(v) for v in expected.values())
    hits = sum(len(found[t] & expected[t]) for t in expected)
    wrong = sum(len(found[t] - expected[t]) for t in expected)
    missed = [t for t in expected if expected[t] - found[t]]
    print(f"\n## Hand-labelled descriptions: {len(expected)} texts, {positives} maker mentions")
    print(f"   recall {hits}/{positives} = {hits / positives:.1%}; wrong attributions {wrong}")
    for text in missed:
        print(f"   missed: {text[:110]!r} -> {sorted(expected[text] - found[text])}")


def speed(records: list, copies: list[int], work: Path) -> None:
    print("\n## Attribution speed (`graph attribute`'s attribution step; the rest of the derivation not counted)")
    print("| copies | facts | distinct texts screened in | mentions | seconds | facts/s |")
    print("|---|---|---|---|---|---|")
    for count in copies:
        store = load_store(marked(records, count), work / f"x{count}")
        store.attribute()  # once warm: the figures are the second run's
        report = store.attribute()
        print(
            f"| {count} | {report['facts']:,} | {report['texts']:,} | {report['mentions']:,} | "
            f"{report['attribution_s']:.2f} | {report['facts_per_second']:,} |"
        )
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--copies", default="1,5,25", help="scaled stores for the speed figures")
    parser.add_argument("--listing", type=Path, default=Path("bench-attribution-1m.csv"))
    args = parser.parse_args()
    os.environ.setdefault("KG_JUDGEMENTS", str(Path(tempfile.gettempdir()) / "bench-no-judgements.csv"))
    records = real_records(args.shared)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = load_store(records, Path(tmp) / "real")
        print(
            f"# Real files: {len(records):,} records loaded in {time.perf_counter() - started:.1f}s; "
            f"{Queries(store).stats()['relationships'].get('MENTIONS_PRODUCT', 0):,} attributed actions"
        )
        by_agency(store)
        precision_listing(store, args.listing)
        store.close()
        labels()
        speed(records, [int(c) for c in args.copies.split(",")], Path(tmp))


if __name__ == "__main__":
    main()
