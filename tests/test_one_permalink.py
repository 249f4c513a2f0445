"""Issue 28, items 4 and 10: one set of length limits for local rows too, and one permalink rule everywhere.

A real ICE prime-award file (and its subawards) whose `usaspending_permalink` is spoofed to another host is
loaded into a store; no `--json` answer and no export may repeat that host: the permalink is rebuilt from the
award key, on every store (one load per store). A real Flock portal row with a 10 MB agency name is one
reject naming the field, never a node id."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.facts import MAX_KEY_BYTES
from core.local import Deployment
from core.records import Reject
from graph import cli
from graph.questions.answers import cited
from ingest import table_map
from ingest.load import load
from tests.conftest import STORE_FACTORIES, STORE_KINDS, open_test_store, store_env
from tests.dashboard_support import ROOT, curated_env

SPOOF = "https://evil.example/phish"
BULK = "usaspending_bulk_ice_mn"
PRIMES = "mn_all__Contracts_PrimeAwardSummaries_2025-03-21_H19M57S23_1.csv"
SUBAWARDS = "mn_all__Contracts_Subawards_2025-03-21_H19M57S41_1.csv"


def spoofed(source: Path, out: Path, keep=lambda row: True) -> list[dict]:
    """The real file's rows (those `keep` takes) with every permalink column pointing at the spoofed host."""
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, [row for row in reader if keep(row)]
    for row in rows:
        row.update({c: SPOOF for c in columns if "permalink" in c})
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return rows


@pytest.fixture(scope="module", params=STORE_KINDS)
def spoofed_home(shared_data, tmp_path_factory, request):
    """The spoofed files loaded by `python -m ingest` into each store; KG_STORE in the env names it."""
    home = tmp_path_factory.mktemp("spoofed")
    kind = request.param
    if STORE_FACTORIES[kind].shared_server:
        open_test_store(kind, home, request).close()  # the test server's database, emptied
    subs = spoofed(shared_data / BULK / SUBAWARDS, home / "subawards.csv")
    primes_of_subs = {row["prime_award_unique_key"] for row in subs}
    taken = []

    def keep(row):  # the subawards' primes and the first 60 others: every kind of answer, a fast load
        if row["contract_award_unique_key"] in primes_of_subs or len(taken) < 60:
            taken.append(row)
            return True
        return False

    primes = spoofed(shared_data / BULK / PRIMES, home / "primes.csv", keep)
    env = {**os.environ, **curated_env(home), **store_env(kind, request)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "usaspending-csv",
            "--store",
            kind,
            "--no-progress",
            str(home / "primes.csv"),
            str(home / "subawards.csv"),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return home, env, primes


def run(env: dict, monkeypatch, capsys, *argv: str) -> str:
    for name, value in env.items():
        if name.startswith(("KG_", "NEO4J_")):
            monkeypatch.setenv(name, value)
    code = cli.main(["--store", env["KG_STORE"], *argv])
    out = capsys.readouterr()
    assert code == 0, (argv, out.err)
    return out.out


def test_no_answer_or_export_repeats_a_spoofed_permalink(spoofed_home, monkeypatch, capsys, tmp_path):
    home, env, primes = spoofed_home
    award = primes[0]
    key, vendor = award["contract_award_unique_key"], award["recipient_uei"]
    answers = {
        argv: run(env, monkeypatch, capsys, *argv, "--json")
        for argv in (
            ("vendor", vendor),
            ("agency", "7012"),
            ("award", key),
            ("ties", vendor, "7012"),
            ("paths", vendor, "7012"),
            ("changes",),
            ("review",),
            ("search", award["recipient_name"]),
            ("subgraph", "--agency", "7012"),
        )
    }
    for argv, text in answers.items():
        assert "evil.example" not in text, argv
    shown = json.loads(answers[("award", key)])
    shown = shown[0] if isinstance(shown, list) else shown.get("awards", [shown])[0]
    assert shown["permalink"] == f"https://www.usaspending.gov/award/{key}/"  # rebuilt, not dropped
    agency = json.loads(answers[("agency", "7012")])
    assert agency["awards"] and all(
        a["permalink"] == f"https://www.usaspending.gov/award/{a['key']}/" for a in agency["awards"]
    )
    for fmt in cli.FORMATS:
        out = tmp_path / fmt
        run(env, monkeypatch, capsys, "export", "--format", fmt, str(out))
        files = [out] if out.is_file() else sorted(p for p in out.rglob("*") if p.is_file())
        assert files and all("evil.example" not in p.read_text(encoding="utf-8") for p in files), fmt
        assert any("https://www.usaspending.gov/award/" in p.read_text(encoding="utf-8") for p in files), fmt
    text = run(env, monkeypatch, capsys, "brief", vendor, "--format", "md")
    assert "evil.example" not in text


def test_the_dashboard_exports_rebuild_the_link(spoofed_home, monkeypatch, capsys):
    from dashboard.shaping.exports import awards_csv, citations_md

    home, env, primes = spoofed_home
    awards = json.loads(run(env, monkeypatch, capsys, "agency", "7012", "--json"))["awards"]
    spoofed_awards = [{**a, "permalink": SPOOF} for a in awards]  # as a store loaded before the rule holds them
    for made in (awards_csv(spoofed_awards), citations_md("ICE", spoofed_awards)):
        assert b"evil.example" not in made and b"https://www.usaspending.gov/award/" in made


@pytest.mark.parametrize(
    "given, permalink, source",
    [
        (SPOOF, "https://www.usaspending.gov/award/K/", None),
        ("http://www.usaspending.gov/award/OTHER/", "https://www.usaspending.gov/award/K/", None),
        ("https://www.usaspending.gov.evil.example/", "https://www.usaspending.gov/award/K/", None),
        (
            "https://www.usaspending.gov/award/OTHER/",
            "https://www.usaspending.gov/award/K/",
            "https://www.usaspending.gov/award/OTHER/",
        ),
        ("https://www.usaspending.gov/award/K/", "https://www.usaspending.gov/award/K/", None),
    ],
)
def test_the_rule_keeps_only_a_usaspending_https_link_as_source_permalink(given, permalink, source):
    key = "CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-"
    row = cited({"key": key, "permalink": given.replace("/K/", f"/{key}/")})
    assert row["permalink"] == permalink.replace("/K/", f"/{key}/") and row.get("source_permalink") == source
    assert cited({"basis": "reported", "permalink": SPOOF})["permalink"] is None  # no award key: no link


USES_BY_NAME = """relationship = "uses"
source = "flock-by-name"
missing = ["NA", "Data Unavailable"]
[columns]
agency_name = "agency"
date = "updated"
count = "number_of_owned_cameras"
source_url = "url"
[constants]
vendor_name = "Flock Safety"
"""


def test_a_10_mb_agency_name_is_one_reject_naming_the_field(excerpts, tmp_path):
    with (excerpts / "flock_transparency_portals" / "latest_usage04262023.csv").open(
        newline="", encoding="utf-8"
    ) as handle:
        rows = list(csv.reader(handle))[:4]
    rows[2][1] = "Sterling Heights MI PD " * 460_000  # about 10 MB
    path = tmp_path / "usage.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    (tmp_path / "map.toml").write_text(USES_BY_NAME, encoding="utf-8")
    read = list(table_map.read(path, table_map.load_map(tmp_path / "map.toml")))
    rejects = [r for r in read if isinstance(r, Reject)]
    assert len(read) == 3 and len(rejects) == 1 and rejects[0].record == "line 3"
    assert "column 'agency'" in rejects[0].reason and "over the limit of 4,000 bytes" in rejects[0].reason
    assert len(rejects[0].reason) < 300

    # the one row check both stores use (ingest/load.py): a local record of any adapter takes the same limits
    from graph.stores.duckdb.store import DuckStore

    records = [r for r in read if isinstance(r, Deployment)]
    records[1].agency_name = records[1].where.name = "Sterling Heights MI PD " * 460_000
    store = DuckStore(tmp_path / "kg")
    try:
        summary = load(
            store, records, command="test", inputs=[str(path)], rejects_dir=tmp_path / "rejects", progress=False
        )
        assert (summary["rows_loaded"], summary["rows_rejected"]) == (1, 1)
        with open(summary["rejects_file"], newline="", encoding="utf-8") as handle:
            (reject,) = list(csv.DictReader(handle))
        assert reject["reason"].startswith("agency_name is ") and len(reject["raw"]) == 0
    finally:
        store.close()
    assert max(len(line) for line in path.read_text(encoding="utf-8").splitlines()) > 10 * MAX_KEY_BYTES
