"""Any spreadsheet through a declared column map (ingest/table_map.py): files of our own making, and the
example maps of data/maps/ on the real Flock portal scrape."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from core.local import Deployment, LocalAgency, LocalContract, SharingLink
from core.records import Reject
from ingest import flock_portals, table_map
from ingest.csvfile import SourceError

MAPS = Path(__file__).resolve().parents[1] / "data" / "maps"

USES = """relationship = "uses"
source = "bay-area-foia"
missing = ["n/a"]
[columns]
agency_id = "Agency ID"
agency_name = "Agency"
vendor_name = "Vendor"
technology = "Product"
status = "Status"
date = "As of"
count = "Units"
source_url = "Document"
[constants]
state = "California"
"""
ROWS = [
    ["Agency ID", "Agency", "Vendor", "Product", "Status", "As of", "Units", "Document"],
    [
        "17",
        "Oakland CA PD",
        "ShotSpotter",
        "gunshot detection",
        "Cancelled",
        "2021-06-01",
        "n/a",
        "https://oakland.example.org/agenda/4412.pdf",
    ],
    ["17", "Oakland Police Department", "Flock Safety", "license plate readers", "active", "3/15/2023", "1,200", ""],
    ["9", "Alameda County Sheriff's Office", "Clearview AI", "facial recognition", "ended", "2020-02-28", "", ""],
]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def a_map(tmp_path: Path, text: str, name: str = "map.toml") -> table_map.TableMap:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return table_map.load_map(path)


def read(path, the_map, sheet=None, encoding=None):
    return list(table_map.read(path, the_map, sheet, encoding))


def agencies_of(records) -> list[LocalAgency]:
    """The agencies the rows describe, each the first time its key is seen."""
    seen = {}
    for record in records:
        if getattr(record, "where", None) is not None:
            seen.setdefault(record.where.key, record.where)
    return list(seen.values())


def test_a_csv_of_our_own_makes_the_deployments_its_map_describes(tmp_path):
    records = read(write(tmp_path / "foia.csv", ROWS), a_map(tmp_path, USES))
    deployments = [r for r in records if isinstance(r, Deployment)]
    assert [(d.agency, d.vendor_name, d.technology, d.status, d.as_of, d.count) for d in deployments] == [
        ("local:bay-area-foia:17", "ShotSpotter", "gunshot detection", "cancelled", "2021-06-01", None),
        ("local:bay-area-foia:17", "Flock Safety", "license plate readers", "active", "2023-03-15", 1200),
        ("local:bay-area-foia:9", "Clearview AI", "facial recognition", "ended", "2020-02-28", None),
    ]
    assert deployments[0].source_url == "https://oakland.example.org/agenda/4412.pdf"
    assert [d.prov.record for d in deployments] == ["line 2", "line 3", "line 4"]
    agencies = agencies_of(records)  # two spellings of id 17: one agency
    assert [(a.key, a.name, a.state, a.jurisdiction) for a in agencies] == [
        ("local:bay-area-foia:17", "Oakland CA PD", "CA", "police department"),
        ("local:bay-area-foia:9", "Alameda County Sheriff's Office", "CA", "sheriff"),
    ]
    assert not [r for r in records if isinstance(r, Reject)]


def test_without_an_id_column_an_agency_is_its_name_and_state(tmp_path):
    text = USES.replace('agency_id = "Agency ID"\n', "")
    records = read(write(tmp_path / "foia.csv", ROWS), a_map(tmp_path, text))
    keys = [a.key for a in agencies_of(records)]
    assert keys == [
        "local:bay-area-foia:OAKLAND CA PD|CA",
        "local:bay-area-foia:OAKLAND POLICE DEPARTMENT|CA",
        "local:bay-area-foia:ALAMEDA COUNTY SHERIFFS OFFICE|CA",
    ]


def test_a_contract_keeps_its_amount_and_an_unreported_amount_stays_unreported(tmp_path):
    the_map = a_map(
        tmp_path,
        """relationship = "contract"
source = "oakland-po"
[columns]
agency_name = "Department"
vendor_name = "Supplier"
amount = "Amount"
number = "PO"
date = "Start"
end_date = "End"
""",
    )
    path = write(
        tmp_path / "po.csv",
        [
            ["Department", "Supplier", "Amount", "PO", "Start", "End"],
            ["Oakland CA PD", "Axon Enterprise", "$1,250,000.00", "PO-88", "2022-07-01", "2025-06-30"],
            ["Oakland CA PD", "Motorola Solutions", "", "PO-91", "", ""],
        ],
    )
    contracts = [r for r in read(path, the_map) if isinstance(r, LocalContract)]
    assert [(c.vendor_name, c.amount, c.number, c.start_date, c.end_date) for c in contracts] == [
        ("Axon Enterprise", 1250000.0, "PO-88", "2022-07-01", "2025-06-30"),
        ("Motorola Solutions", None, "PO-91", None, None),
    ]


@pytest.mark.parametrize(
    "line, column, value, reason",
    [
        (3, "As of", "next spring", "column 'As of' (date): date 'next spring' is not ISO"),
        (2, "Units", "many", "column 'Units' (count): 'many' is not a count"),
        (4, "Status", "pending", "column 'Status' (status): status 'pending' is not one of active"),
        (2, "Vendor", "", "column 'Vendor' (vendor_name) is empty; the relationship needs it"),
        (
            3,
            "Document",
            "javascript:alert(1)",
            "column 'Document' (source_url): url 'javascript:alert(1)' is not an http",
        ),
    ],
)
def test_a_bad_value_rejects_its_row_naming_line_and_column(tmp_path, line, column, value, reason):
    rows = [list(row) for row in ROWS]
    rows[line - 1][rows[0].index(column)] = value
    records = read(write(tmp_path / "foia.csv", rows), a_map(tmp_path, USES))
    rejects = [r for r in records if isinstance(r, Reject)]
    assert [r.record for r in rejects] == [f"line {line}"] and rejects[0].reason.startswith(reason)
    assert len(rejects) + len([r for r in records if isinstance(r, Deployment)]) == len(ROWS) - 1


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda text: text.replace('count = "Units"', 'cameras = "Units"'),
            "[columns] names unknown field 'cameras'; the fields are agency_id",
        ),
        (
            lambda text: text.replace('"uses"', '"buys"'),
            "relationship 'buys' is not one of uses, contract, shares-with",
        ),
        (lambda text: text.replace('vendor_name = "Vendor"\n', ""), "relationship 'uses' needs vendor_name"),
        (lambda text: text.replace('source = "bay-area-foia"\n', ""), "`source` must name the file's id space"),
        (lambda text: text + "colour = 'red'\n", "[constants] names unknown field 'colour'"),
        (lambda text: "relationship = \n", "not a TOML map"),
    ],
)
def test_a_bad_map_stops_before_any_row_naming_the_map(tmp_path, edit, message):
    with pytest.raises(SourceError) as caught:
        a_map(tmp_path, edit(USES))
    assert str(caught.value).startswith(str(tmp_path / "map.toml")) and message in str(caught.value)


def test_a_map_naming_a_column_the_file_lacks_names_both(tmp_path):
    rows = [["Agency ID", "Agency", "Supplier"], ["1", "Avon IN PD", "Flock Safety"]]
    with pytest.raises(
        SourceError,
        match=r"names column 'Vendor', which the file does not have; its columns are "
        r"'Agency ID', 'Agency', 'Supplier'",
    ):
        read(write(tmp_path / "other.csv", rows), a_map(tmp_path, USES))


def test_an_xlsx_of_several_sheets_needs_a_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["read me"])
    sheet = book.create_sheet("Deployments")
    for row in ROWS:
        sheet.append(row)
    sheet["F3"].value = __import__("datetime").datetime(2023, 3, 15)  # a date cell, as spreadsheets store them
    sheet["G3"].value = 1200
    path = tmp_path / "foia.xlsx"
    book.save(path)
    with pytest.raises(SourceError, match=r"has 2 sheets \(Notes, Deployments\); pick one with --sheet NAME"):
        read(path, a_map(tmp_path, USES))
    with pytest.raises(SourceError, match="no sheet 'Other'"):
        read(path, a_map(tmp_path, USES), "Other")
    from_xlsx = [
        (d.agency, d.as_of, d.count, d.prov.record)
        for d in read(path, a_map(tmp_path, USES), "Deployments")
        if isinstance(d, Deployment)
    ]
    from_csv = [
        (d.agency, d.as_of, d.count, d.prov.record)
        for d in read(write(tmp_path / "foia.csv", ROWS), a_map(tmp_path, USES))
        if isinstance(d, Deployment)
    ]
    assert from_xlsx == from_csv


def test_the_example_flock_maps_give_what_the_flock_adapter_gives(shared_data):
    folder = shared_data / "flock_transparency_portals"
    adapter = list(flock_portals.read(folder))
    usage = list(table_map.read(folder / "latest_usage04262023.csv", table_map.load_map(MAPS / "flock_usage.toml")))
    assert not [r for r in usage if isinstance(r, Reject)]
    mapped = sorted(
        (d.agency, d.count, d.as_of, d.source_url, d.vendor_name) for d in usage if isinstance(d, Deployment)
    )
    direct = sorted(
        (d.agency, d.count, d.as_of[:10], d.source_url, d.vendor_name) for d in adapter if isinstance(d, Deployment)
    )
    assert len(mapped) == 365 and mapped == direct
    access = table_map.read(folder / "agency_access20240426.csv", table_map.load_map(MAPS / "flock_access.toml"))
    links = sorted((link.owner, link.searcher, link.system) for link in access if isinstance(link, SharingLink))
    assert len(links) == 37099
    assert links == sorted(
        (link.owner, link.searcher, link.system) for link in adapter if isinstance(link, SharingLink)
    )


def test_a_cp1252_export_read_in_its_declared_encoding(tmp_path):
    path = tmp_path / "foia.csv"
    rows = [list(row) for row in ROWS]
    rows[3][1] = "Cañon City CO PD"
    with path.open("w", newline="", encoding="cp1252") as handle:
        csv.writer(handle).writerows(rows)
    names = [a.name for a in agencies_of(read(path, a_map(tmp_path, USES), encoding="cp1252"))]
    assert names == ["Oakland CA PD", "Cañon City CO PD"]
    with pytest.raises(SourceError, match=r"line 4 .* cannot be decoded as utf-8"):
        read(path, a_map(tmp_path, USES), encoding="utf-8")  # strict: the byte is named, nothing is read
