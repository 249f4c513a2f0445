"""Both command lines, run as a user runs them: `python -m ingest ...` / `python -m graph ...` in a subprocess,
with KG_HOME pointing at a temporary directory. Expected figures were read from the raw files named.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BULK = "usaspending_bulk_ice_mn"
UMN = "umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv"
TORN = "torn_apart_ice_fy2013_2018"
TX = "spending_by_transaction_ice_cbp_fy2021_2026"


def run(home: Path, *args: str, check_code: int | None = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_HOME": str(home)}
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check_code is not None:
        assert result.returncode == check_code, (args, result.returncode, result.stderr[-2000:])
    return result


def as_json(result: subprocess.CompletedProcess):
    return json.loads(result.stdout)


def snapshot(home: Path) -> dict:
    return {
        name: (home / name).read_bytes() if (home / name).exists() else None for name in ("graph.pickle", "runs.jsonl")
    }


@pytest.fixture(scope="module")
def umn_home(excerpts, tmp_path_factory):
    home = tmp_path_factory.mktemp("kg_cli_umn")
    result = run(home, "ingest", "usaspending-csv", str(excerpts / BULK / UMN), "--json", "--no-progress")
    return home, as_json(result)


@pytest.fixture(scope="module")
def palantir_home(shared_data, tmp_path_factory):
    """Torn Apart fy13-18 (header from fy13) and the six transaction exports, loaded through the CLI."""
    home = tmp_path_factory.mktemp("kg_cli_palantir")
    torn = [str(shared_data / TORN / f"fy{year}.csv") for year in range(13, 19)]
    first = as_json(
        run(
            home,
            "ingest",
            "usaspending-csv",
            *torn,
            "--header-from",
            str(shared_data / TORN / "fy13.csv"),
            "--json",
            "--no-progress",
        )
    )
    exports = [str(path) for path in sorted((shared_data / TX).glob("*.csv"))]
    second = as_json(run(home, "ingest", "transactions-csv", *exports, "--json", "--no-progress"))
    return home, first, second


# ------------------------------------------------------------------------------------------------ ingest


def test_ingest_json_summary(umn_home):
    _, summary = umn_home
    for key in ("rows_read", "rows_loaded", "rows_rejected", "rejects_file", "awards", "vendors", "agencies"):
        assert key in summary, key
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"]
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (5, 5, 0)
    assert summary["rejects_file"] is None
    assert summary["awards"] == 5
    # umn recipients/parents: UEIs KABJZBBJ4B54, CB47L9C9MDX1 (parent, lines 2-4), FVJMNPLMEEJ2 (line 6)
    assert summary["vendors"] == 3
    # 070, 7012, awarding office 70CDCR, funding offices 70C0TD (line 2) and 70CFSP (lines 3-6)
    assert summary["agencies"] == 5


def test_ingest_progress_stays_off_stdout(excerpts, tmp_path):
    result = run(tmp_path / "kg", "ingest", "usaspending-csv", str(excerpts / BULK / UMN), "--json")
    assert as_json(result)["rows_read"] == 5  # stdout is only the JSON, whatever the progress bar does


def test_ingest_plain_summary(excerpts, tmp_path):
    result = run(tmp_path / "kg", "ingest", "usaspending-csv", str(excerpts / BULK / UMN), "--no-progress")
    assert "rows_read: 5" in result.stdout.splitlines()


def test_ingest_rejects_via_cli(excerpts, tmp_path):
    """Synthetic damaged copy of the umn file: line 4 one column short, line 5 an unreadable amount."""
    with (excerpts / BULK / UMN).open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    rows[3] = rows[3][:-1]
    rows[4][rows[0].index("total_obligated_amount")] = "12,3a4"
    damaged = tmp_path / "damaged.csv"
    with damaged.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    home = tmp_path / "kg"
    summary = as_json(run(home, "ingest", "usaspending-csv", str(damaged), "--json", "--no-progress"))
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (5, 3, 2)
    rejects = Path(summary["rejects_file"])
    assert rejects.is_file() and home in rejects.parents
    with rejects.open(newline="") as handle:
        assert [row["record"] for row in csv.DictReader(handle)] == ["line 4", "line 5"]


def test_missing_file_is_one_line_and_store_unchanged(umn_home, excerpts, tmp_path):
    home, _ = umn_home
    before = snapshot(home)
    stats_before = as_json(run(home, "graph", "stats", "--json"))
    missing = tmp_path / "no_such_download.csv"
    # an existing file listed with a missing one: nothing at all is loaded
    result = run(
        home,
        "ingest",
        "usaspending-csv",
        str(excerpts / BULK / UMN),
        str(missing),
        "--json",
        "--no-progress",
        check_code=None,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no_such_download.csv" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert snapshot(home) == before
    assert as_json(run(home, "graph", "stats", "--json")) == stats_before


def test_header_less_file_error_and_header_from(shared_data, tmp_path):
    home = tmp_path / "kg"
    fy14 = str(shared_data / TORN / "fy14.csv")
    result = run(home, "ingest", "usaspending-csv", fy14, "--no-progress", check_code=None)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--header-from" in result.stderr and "fy14.csv" in result.stderr
    assert "Traceback" not in result.stderr
    summary = as_json(
        run(
            home,
            "ingest",
            "usaspending-csv",
            fy14,
            "--header-from",
            str(shared_data / TORN / "follow_the_money_data_dictionary.csv"),
            "--json",
            "--no-progress",
        )
    )
    assert (summary["rows_read"], summary["rows_rejected"]) == (193, 0)


def test_missing_header_from_file(excerpts, tmp_path):
    result = run(
        tmp_path / "kg",
        "ingest",
        "usaspending-csv",
        str(excerpts / TORN / "fy14.csv"),
        "--header-from",
        str(tmp_path / "nope.csv"),
        "--no-progress",
        check_code=None,
    )
    assert result.returncode == 1
    assert "nope.csv" in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------------------------------------------- graph


def test_graph_stats_json(umn_home):
    home, _ = umn_home
    stats = as_json(run(home, "graph", "stats", "--json"))
    assert stats["nodes"]["Award"] == 5
    assert stats["relationships"]["AWARDED_TO"] == 5
    assert stats["relationships"]["AWARDED_BY"] == 5


def test_graph_runs_and_agency(umn_home):
    home, _ = umn_home
    runs = as_json(run(home, "graph", "runs", "--json"))
    assert len(runs) == 1 and runs[0]["rows_read"] == 5
    office = as_json(run(home, "graph", "agency", "70CDCR", "--json"))
    # umn lines 2-6 obligated: 16000.00 + 9387.50 + 4745.00 + 11375.00 + 18867.00
    assert office["award_count"] == 5
    assert office["total_obligated"] == 60374.5
    plain = run(home, "graph", "agency", "ICE")
    assert "60,374.50" in plain.stdout


def test_graph_vendor_palantir_one_family(palantir_home):
    home, first, second = palantir_home
    assert (first["rows_read"], first["rows_rejected"]) == (5672, 0)  # 157+193+444+936+1739+2203
    assert (second["rows_read"], second["rows_rejected"], second["duplicate_rows"]) == (57476, 0, 126)
    family = as_json(run(home, "graph", "vendor", "Palantir", "--json"))
    assert family["name"] == "Palantir Technologies Inc."
    assert "PALANTIR USG, INC." in {sub["name"] for sub in family["subsidiaries"]}
    assert family["award_count"] == 12  # 6 Torn Apart + 8 export award ids, 2 in both
    assert "7012" in {agency["code"] for agency in family["agencies"]}


def test_graph_vendor_ambiguous_exits_2_with_candidates(umn_home):
    home, _ = umn_home
    # 'REGENTS' matches the university under two UEIs: parent OFFICE OF THE BOARD OF REGENTS (umn lines 2-4)
    # and REGENTS OF UNIVERSITY OF MINNESOTA (line 6)
    result = run(home, "graph", "vendor", "REGENTS", check_code=2)
    assert result.stdout == ""
    assert "OFFICE OF THE BOARD OF REGENTS" in result.stderr
    assert "REGENTS OF UNIVERSITY OF MINNESOTA" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) >= 3  # the message plus one line per candidate


def test_graph_not_found_exits_1(umn_home):
    home, _ = umn_home
    result = run(home, "graph", "vendor", "Nonexistent Vendor Name", check_code=1)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Nonexistent Vendor Name" in result.stderr


def test_graph_award_by_key(umn_home):
    home, _ = umn_home
    listed = as_json(run(home, "graph", "agency", "ICE", "--json"))["awards"][0]
    (shown,) = as_json(run(home, "graph", "award", listed["key"], "--json"))
    assert shown == listed
    (stored,) = as_json(run(home, "graph", "award", listed["key"], "--field", "piid", "--field", "end_date", "--json"))
    assert stored == {"key": listed["key"], "piid": listed["piid"], "end_date": listed["end_date"]}
    typo = run(home, "graph", "award", listed["key"], "--field", "obligation", check_code=1)
    assert typo.stdout == "" and len(typo.stderr.strip().splitlines()) == 1
    assert "unknown award field 'obligation'" in typo.stderr and "obligated" in typo.stderr
    missing = run(home, "graph", "award", "CONT_AWD_NOPE", check_code=1)
    assert "no award with key 'CONT_AWD_NOPE'" in missing.stderr


def test_api_award_types_mixing_groups_is_one_line_before_any_request(tmp_path):
    result = run(
        tmp_path / "kg",
        "ingest",
        "usaspending-api",
        "--award-types",
        "A,IDV_A",
        "--base-url",
        "http://127.0.0.1:9",
        check_code=1,
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--award-types A,IDV_A: award type codes A, IDV_A mix the groups contracts and idvs" in result.stderr
    assert not (tmp_path / "kg" / "store.duckdb").exists()


def test_graph_search_paths_subgraph(umn_home):
    home, _ = umn_home
    hits = as_json(run(home, "graph", "search", "minnesota", "--json"))
    assert {hit["name"] for hit in hits} >= {
        "REGENTS OF THE UNIVERSITY OF MINNESOTA",
        "REGENTS OF UNIVERSITY OF MINNESOTA",
    }
    network = as_json(run(home, "graph", "subgraph", "--agency", "ICE", "--json"))
    assert sum(edge["awards"] for edge in network["edges"] if edge["type"] == "AWARDS") == 5
    chains = as_json(run(home, "graph", "paths", "REGENTS OF UNIVERSITY OF MINNESOTA", "70CDCR", "--json"))
    assert chains and all(hop.get("source") for chain in chains for hop in chain)


def test_graph_clear(excerpts, tmp_path):
    home = tmp_path / "kg"
    run(home, "ingest", "usaspending-csv", str(excerpts / BULK / UMN), "--no-progress")
    refused = run(home, "graph", "clear", check_code=1)
    assert "--yes" in refused.stderr
    assert as_json(run(home, "graph", "stats", "--json"))["nodes"]["Award"] == 5
    run(home, "graph", "clear", "--yes")
    assert as_json(run(home, "graph", "stats", "--json")) == {"nodes": {}, "relationships": {}}
    assert as_json(run(home, "graph", "runs", "--json")) == []


# ------------------------------------------------------------------------------------------ help and docs


def subcommands(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return {choice.dest: choice.help for choice in actions[0]._choices_actions}


def cli_commands():
    from graph.cli import build_parser as graph_parser
    from ingest.cli import build_parser as ingest_parser

    return {"ingest": subcommands(ingest_parser()), "graph": subcommands(graph_parser())}


def test_every_subcommand_has_help():
    commands = cli_commands()
    assert set(commands["ingest"]) >= {
        "usaspending-csv",
        "transactions-csv",
        "normalized",
        "usaspending-api",
        "normalize",
    }
    assert set(commands["graph"]) >= {"stats", "vendor", "agency", "search", "paths", "subgraph", "runs", "clear"}
    for cli, helps in commands.items():
        for name, text in helps.items():
            assert text and text.strip(), f"python -m {cli} {name} has no help text"


@pytest.mark.parametrize("cli", ["ingest", "graph"])
def test_help_runs(cli, tmp_path):
    result = run(tmp_path / "kg", cli, "--help")
    for name in cli_commands()[cli]:
        assert name in result.stdout


def test_graph_vendor_by_id_uei_or_duns(umn_home):
    """Issue 11: two families of one name can be told apart by the ids the ambiguity lists."""
    home, _ = umn_home
    result = run(home, "graph", "vendor", "REGENTS", check_code=2)
    assert "vendor ids listed" in result.stderr and '"vendor_ids": ["uei:' in result.stderr
    by_name = as_json(run(home, "graph", "vendor", "REGENTS OF UNIVERSITY OF MINNESOTA", "--json"))
    vendor = next(m for m in [by_name, *by_name["subsidiaries"]] if m["uei"])
    for text in (vendor["id"], vendor["uei"], vendor["uei"].lower()):
        assert as_json(run(home, "graph", "vendor", text, "--json"))["id"] == by_name["id"]
