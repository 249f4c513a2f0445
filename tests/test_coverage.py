"""What the loaded actions cover, per agency and fiscal year: gaps named as gaps, cut years as cut, on both stores
and in any load order; the bundle's declarations checked against the raw files they describe."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import coverage
from core.coverage import CoverageError, chart_years, parse_spec, read_declarations
from graph.questions.queries import Queries
from graph.store import open_store
from ingest import transactions_csv, usaspending_csv
from ingest.load import load
from tests.dashboard_support import COVERAGE, ROOT

EXPORTS = "spending_by_transaction_ice_cbp_fy2021_2026"
BUNDLE_LINE = (
    "FY2013–18 (partial: Torn Apart subset), FY2019–20 not loaded, FY2021–26 (as loaded; CBP FY2021 and "
    "ICE FY2022–23 truncated: de-obligations missing)"
)


@pytest.fixture(scope="module")
def bundle(bundle_home):
    """The session's bundle (loaded with data/sample/coverage.csv, as `make load` does), read only."""
    store = open_store("embedded", home=bundle_home)
    yield store
    store.close()


def statuses(answer: dict) -> dict:
    return {(c["abbreviation"], c["fiscal_year"]): c["status"] for c in answer["cells"]}


def test_the_bundle_names_its_gaps_and_cut_years(bundle):
    answer = Queries(bundle).coverage()
    assert answer["line"] == BUNDLE_LINE
    cells = statuses(answer)
    assert {k for k, v in cells.items() if v == "truncated"} == {("ICE", 2022), ("ICE", 2023), ("CBP", 2021)}
    assert all(cells[("ICE", y)] == "partial" for y in range(2013, 2019))
    assert all(cells[("CBP", y)] == "as_loaded" for y in range(2022, 2027))
    years = {y["fiscal_year"]: y for y in answer["years"]}
    assert [years[y]["status"] for y in (2019, 2020)] == ["not_loaded", "not_loaded"]
    assert years[2022]["truncated"] == ["ICE"] and years[2021]["truncated"] == ["CBP"]
    assert any("ICE FY2022–23" in note and "de-obligation" in note for note in answer["notes"])


def test_palantir_and_ice_charts_mark_fy2019_and_fy2020_not_loaded(bundle):
    from dashboard.render import yearly_chart

    palantir = Queries(bundle).vendor_family("Palantir")
    ice = Queries(bundle).agency_profile("ICE", limit=1)
    for answer, within in ((palantir, [a["id"] for a in palantir["agencies"]]), (ice, [ice["id"]])):
        rows = chart_years(answer["yearly"], Queries(bundle).coverage(within=within)["years"])
        marked = {r["fiscal_year"]: r["mark"] for r in rows}
        assert marked[2019] == marked[2020] == "not loaded"
        assert [r["fiscal_year"] for r in rows] == list(range(2013, 2027))  # the whole span, gaps included
        assert marked[2022] == marked[2023] == "truncated" and marked[2013] == "partial"
        drawn = yearly_chart.frame(rows, answer["not_split_by_year"])
        gaps = drawn[drawn["status"] == "not_loaded"]
        assert list(gaps["fiscal year"]) == ["FY2019", "FY2020"] and gaps["band"].gt(0).all()
        assert gaps["obligated"].isna().all()  # a gap is no bar of $0
        spec = json.dumps(yearly_chart.chart(rows, answer["not_split_by_year"]).to_dict())
        assert "not loaded" in spec and "FY2019" in spec


def test_the_cli_carries_the_same_coverage(bundle):
    env = {**os.environ, "KG_HOME": str(bundle.home)}
    out = subprocess.run(
        [sys.executable, "-m", "graph", "agency", "ICE", "--json", "--limit", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(out.stdout)["coverage"]
    assert answer["line"].startswith("FY2013–18 (partial: Torn Apart subset), FY2019–20 not loaded")
    assert {(y["fiscal_year"], y["status"]) for y in answer["years"]} >= {(2019, "not_loaded"), (2022, "truncated")}
    text = subprocess.run(
        [sys.executable, "-m", "graph", "vendor", "Flock"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "no federal awards in the loaded data" in text and "$0" not in text


def test_the_bundle_declarations_hold_on_the_raw_files(shared_data):
    """Each truncated agency-year has exactly the rows the declaration says, ends at $0.00 and has no negative row,
    while every other agency-year of the exports ends in its de-obligations."""
    declared = {
        (d["source"].split("/")[-1], d["agency"]): d for d in read_declarations(COVERAGE) if d["status"] == "truncated"
    }
    assert len(declared) == 3
    for path in sorted((shared_data / EXPORTS).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for agency in ("ICE", "CBP"):
            amounts = [float(r["Federal Action Obligation"] or 0) for r in rows if r["Agency"] == agency]
            assert amounts == sorted(amounts, reverse=True)  # paged largest first: a cut file loses its tail
            note = declared.get((path.name, agency))
            if note:
                assert f"exactly {len(amounts):,} {agency} rows" in note["note"]
                assert min(amounts) == 0.0 and amounts[-1] == 0.0
            else:
                assert min(amounts) < 0, f"{path.name} {agency} holds no de-obligation but is not declared truncated"


def test_undeclared_files_read_as_partial_and_covers_makes_them_complete(shared_data, tmp_path):
    fy22 = shared_data / EXPORTS / "CBP_ICE_FY2022_Contract_Obligations.csv"
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        load(store, transactions_csv.read(fy22), command="t", inputs=[str(fy22)], rejects_dir=tmp_path, progress=False)
        assert set(statuses(Queries(store).coverage()).values()) == {"partial"}
        assert {c["note"] for c in Queries(store).coverage()["cells"]} == {coverage.UNDECLARED}
        load(
            store,
            transactions_csv.read(fy22),
            command="t",
            inputs=[str(fy22)],
            rejects_dir=tmp_path,
            progress=False,
            extra={"covers": [parse_spec("CBP:2022")]},
        )
        cells = statuses(Queries(store).coverage())
        assert cells[("CBP", 2022)] == "complete" and cells[("ICE", 2022)] == "partial"
    finally:
        store.close()


def test_a_download_the_project_made_covers_its_own_filter():
    run = {
        "command": "usaspending-download",
        "request": {"awarding_agency": "ICE", "fy": "2019-2020,2024", "award_types": "contracts"},
    }
    assert [(d["agency"], d["fy_from"], d["fy_to"], d["status"]) for d in coverage.implied(run)] == [
        ("ICE", 2019, 2020, "complete"),
        ("ICE", 2024, 2024, "complete"),
    ]
    search = {
        "command": "usaspending-api",
        "request": {"awarding_agency": "7012", "start": "2020-10-01", "end": "2023-05-01", "award_types": "A,B,C,D"},
    }
    assert [(d["fy_from"], d["fy_to"]) for d in coverage.implied(search)] == [(2021, 2022)]
    assert coverage.implied({**search, "request": {**search["request"], "recipient": "Palantir"}}) == []
    assert coverage.implied({**search, "request": {**search["request"], "award_types": "A"}}) == []


def test_bad_declarations_are_one_line_naming_file_and_line(tmp_path):
    path = tmp_path / "coverage.csv"
    path.write_text(",".join(coverage.COLUMNS) + "\nx.csv,ICE,2021,2022,whole,\n", encoding="utf-8")
    with pytest.raises(CoverageError, match=r"coverage\.csv, line 2: status 'whole' is not one of"):
        read_declarations(path)
    path.write_bytes(b"source,agency,fy_from,fy_to,status,note\nx.csv,ICE,2021,2022,partial,caf\xe9\n")
    with pytest.raises(CoverageError, match=r"line 2: byte 0xe9 is not UTF-8"):
        read_declarations(path)
    with pytest.raises(CoverageError, match="AGENCY:FY"):
        parse_spec("ICE 2021")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "normalized",
            "--covers",
            "ICE:2026-2021",
            str(sorted((ROOT / "data" / "sample").glob("*.csv.gz"))[0]),
        ],
        cwd=ROOT,
        env={**os.environ, "KG_HOME": str(tmp_path / "kg")},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "2026-2021" in out.stderr


def test_load_order_changes_no_status(shared_data, tmp_path):
    torn = shared_data / "torn_apart_ice_fy2013_2018"
    fy21 = shared_data / EXPORTS / "CBP_ICE_FY2021_Contract_Obligations.csv"
    declared = read_declarations(COVERAGE)
    loads = [(usaspending_csv.read, torn / "fy18.csv", torn / "fy13.csv"), (transactions_csv.read, fy21, None)]
    answers = []
    for order in (loads, loads[::-1]):
        store = open_store("embedded", home=tmp_path / f"kg{len(answers)}")
        for reader, path, header in order:
            records = reader(path, header) if header else reader(path)
            load(
                store,
                records,
                command="o",
                inputs=[str(path)],
                rejects_dir=tmp_path,
                progress=False,
                extra={"covers": declared},
            )
        answers.append(Queries(store).coverage())
        store.close()
    assert answers[0] == answers[1]
    assert statuses(answers[0]) == {("ICE", 2018): "partial", ("ICE", 2021): "as_loaded", ("CBP", 2021): "truncated"}


@pytest.mark.neo4j
def test_both_stores_give_the_same_grid(shared_data, neo4j_store, tmp_path):
    fy21 = shared_data / EXPORTS / "CBP_ICE_FY2021_Contract_Obligations.csv"
    embedded = open_store("embedded", home=tmp_path / "kg-embedded")
    try:
        for store in (embedded, neo4j_store):
            load(
                store,
                transactions_csv.read(fy21),
                command="p",
                inputs=[str(fy21)],
                rejects_dir=tmp_path,
                progress=False,
                extra={"covers": read_declarations(COVERAGE)},
            )
        answers = [
            json.dumps(Queries(store).coverage(within=within), sort_keys=True)
            for within in (None, ["subtier:7014"])
            for store in (embedded, neo4j_store)
        ]
        assert answers[0] == answers[1] and answers[2] == answers[3]
        assert statuses(Queries(neo4j_store).coverage()) == {("ICE", 2021): "as_loaded", ("CBP", 2021): "truncated"}
    finally:
        embedded.close()


def test_every_status_word_is_a_word(bundle):
    for cell in Queries(bundle).coverage()["cells"]:
        assert cell["label"] and "None" not in cell["label"] and Path(cell["sources"][0]).suffix == ".csv"
