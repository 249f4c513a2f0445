"""Local files in the shape reporters hold them (issue 30): a survey whose agency types are abbreviations, a
campaign tracker in JSON whose statuses are its own words, vendor names as people write them.

Every file here is written by the test (no row of it is real); the shapes follow the two files the issue
describes: a survey (agency, state, type PD/SO/UNC PD, vendor) and a tracker (entries[].location.city,
date.iso, status).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from core.keys import match_tier
from core.local import Deployment
from core.records import Reject
from graph.questions.queries import Queries
from graph.store import open_store
from ingest import table_map
from ingest.csvfile import SourceError
from ingest.load import load
from tests.test_local_layer import ingest

ROOT = Path(__file__).resolve().parents[1]

SURVEY = [
    ["agency", "state", "type", "vendor", "cameras"],
    ["Alamance County Sheriff's Office", "NC", "SO", "Flock", "12"],
    ["Burlington Police Department", "NC", "PD", "Flock Safety", "30"],
    ["UNC Chapel Hill Police", "NC", "UNC PD", "FLOCK SAFETY INC", "4"],
    ["Durham Police Department", "NC", "PD", "", "3"],
    ["Raleigh Police Department", "NC", "pd", "Flock", ""],
    ["Burlington Police Department", "NC", "PD", "Flock", "30"],
]
SURVEY_MAP = """relationship = "uses"
source = "nc-survey"
[columns]
agency_name = "agency"
state = "state"
agency_type = "type"
vendor_name = "vendor"
count = "cameras"
[constants]
technology = "automated license plate readers"
"""
SURVEY_VALUES = """[values.agency_type]
PD = "police department"
SO = "sheriff"
"UNC PD" = "campus"
"""
TRACKER = {
    "updated": "2025-09-01",
    "entries": [
        {
            "location": {"city": "Austin", "state": "TX"},
            "agency": "Austin Police Department",
            "vendor": "Flock Safety",
            "date": {"iso": "2023-06-13"},
            "status": "cancelled",
            "sources": [{"url": "https://example.org/austin-council"}],
        },
        {
            "location": {"city": "Evanston", "state": "IL"},
            "agency": "Evanston Police Department",
            "vendor": "Flock",
            "date": {"iso": "2025-08-26"},
            "status": "deactivated",
            "sources": [{"url": "https://example.org/evanston"}],
        },
        {
            "location": {"city": "Denver", "state": "Colorado"},
            "agency": "Denver Police Department",
            "vendor": "Flock Safety",
            "date": {"iso": "2025-05-01"},
            "status": "Rejected",
        },
    ],
}
TRACKER_MAP = """relationship = "uses"
source = "tracker"
records = "entries"
[columns]
agency_name = "agency"
city = "location.city"
state = "location.state"
vendor_name = "vendor"
date = "date.iso"
status = "status"
source_url = "sources.0.url"
[values.status]
deactivated = "ended"
"""


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_map(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_survey_with_pd_and_so_types_loads_every_row_that_names_a_vendor(tmp_path):
    data = write_csv(tmp_path / "survey.csv", SURVEY)
    the_map = table_map.load_map(write_map(tmp_path / "survey.toml", SURVEY_MAP + SURVEY_VALUES))
    records = list(table_map.read(data, the_map))
    loaded = [r for r in records if isinstance(r, Deployment)]
    assert [(r.agency_name, r.where.jurisdiction) for r in loaded] == [
        ("Alamance County Sheriff's Office", "sheriff"),
        ("Burlington Police Department", "police department"),
        ("UNC Chapel Hill Police", "campus"),
        ("Raleigh Police Department", "police department"),  # "pd": a value matches whatever its case
        ("Burlington Police Department", "police department"),
    ]
    (rejected,) = [r for r in records if isinstance(r, Reject)]
    assert rejected.record == "line 5" and "(vendor_name) is empty" in rejected.reason


def test_an_unmapped_value_rejects_its_row_naming_the_value_and_the_table_to_add_it_to(tmp_path):
    data = write_csv(tmp_path / "survey.csv", SURVEY)
    map_path = write_map(tmp_path / "survey.toml", SURVEY_MAP + '[values.agency_type]\nPD = "police department"\n')
    records = list(table_map.read(data, table_map.load_map(map_path)))
    reasons = {r.record: r.reason for r in records if isinstance(r, Reject)}
    assert sorted(reasons) == ["line 2", "line 4", "line 5"]
    assert "agency type 'SO' is not one of" in reasons["line 2"]
    assert f"map it under [values.agency_type] in {map_path}" in reasons["line 2"]
    assert "'UNC PD'" in reasons["line 4"]


def test_the_dry_run_lists_each_unmapped_value_of_the_whole_file_with_its_count(tmp_path):
    data = write_csv(tmp_path / "survey.csv", SURVEY)
    map_path = write_map(tmp_path / "survey.toml", SURVEY_MAP)
    done = ingest(tmp_path / "kg", "table", str(data), "--map", str(map_path), "--dry-run", "--rows", "1", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout[done.stdout.index("{\n") :])
    assert summary["rows_shown"] == 1
    # over every row, not the one shown; PD and pd are one value to map
    assert summary["unmapped"] == {
        "agency_type": {"column": "type", "table": "[values.agency_type]", "values": {"PD": 4, "SO": 1, "UNC PD": 1}}
    }
    assert '[values.agency_type]\n"PD" = ""    # 4 rows\n"SO" = ""    # 1 row' in done.stderr
    assert not (tmp_path / "kg").exists() or not list((tmp_path / "kg").glob("*.duckdb"))


@pytest.mark.parametrize(
    "values, message",
    [
        ('[values.vendor_name]\nFlock = "Flock Safety"\n', "[values.vendor_name]: 'vendor_name' has no vocabulary"),
        ('[values.agency_type]\nPD = "police"\n', "[values.agency_type] 'PD' = 'police': not one of police department"),
        ('[values.status]\ngone = "ended"\n', "[values.status] maps values of status, which the map reads from no"),
        ('[values.agency_type]\nPD = "city"\npd = "city"\n', "[values.agency_type] maps 'pd' twice"),
        ('[values.state]\n"N. Car." = "Carolina"\n', "[values.state] 'N. Car.' = 'Carolina': not one of AL"),
        ('values = "PD"\n', "values must be tables"),
    ],
)
def test_a_value_table_that_cannot_apply_stops_the_map_naming_the_map_and_the_key(tmp_path, values, message):
    map_path = write_map(tmp_path / "survey.toml", SURVEY_MAP.replace("[columns]", values + "[columns]", 1))
    if values.startswith("["):
        map_path = write_map(tmp_path / "survey.toml", SURVEY_MAP + values)
    with pytest.raises(SourceError) as stopped:
        table_map.load_map(map_path)
    assert str(stopped.value).startswith(f"{map_path}: ") and message in str(stopped.value)


def test_a_tracker_in_json_loads_every_entry_by_dotted_paths_with_its_status_mapped(tmp_path):
    data = tmp_path / "tracker.json"
    data.write_text(json.dumps(TRACKER), encoding="utf-8")
    records = list(table_map.read(data, table_map.load_map(write_map(tmp_path / "tracker.toml", TRACKER_MAP))))
    assert all(isinstance(r, Deployment) for r in records)
    assert [(r.prov.record, r.where.city, r.where.state, r.as_of, r.status, r.source_url) for r in records] == [
        ("entries[0]", "Austin", "TX", "2023-06-13", "cancelled", "https://example.org/austin-council"),
        ("entries[1]", "Evanston", "IL", "2025-08-26", "ended", "https://example.org/evanston"),
        ("entries[2]", "Denver", "CO", "2025-05-01", "rejected", None),  # no sources: not reported
    ]
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        summary = load(store, iter(records), command="table", inputs=[str(data)], rejects_dir=tmp_path, progress=False)
        assert summary["rows_read"] == summary["rows_loaded"] == 3 and summary["rows_rejected"] == 0
    finally:
        store.close()


def test_json_lines_label_rows_by_line_and_an_object_where_a_value_belongs_rejects_its_row(tmp_path):
    lines = [json.dumps(entry) for entry in TRACKER["entries"]]
    lines[1] = json.dumps({**TRACKER["entries"][1], "status": {"code": "deactivated"}})
    data = tmp_path / "tracker.jsonl"
    data.write_text("\n".join([lines[0], "", *lines[1:]]) + "\n", encoding="utf-8")
    the_map = write_map(tmp_path / "tracker.toml", TRACKER_MAP.replace('records = "entries"\n', ""))
    records = list(table_map.read(data, table_map.load_map(the_map)))
    assert [r.prov.record if isinstance(r, Deployment) else r.record for r in records] == [
        "line 1",
        "line 3",
        "line 4",
    ]
    assert isinstance(records[1], Reject)
    assert records[1].reason == "column 'status' (status): path 'status' holds an object, not a value"


@pytest.mark.parametrize(
    "name, text, records, message",
    [
        ("t.json", '{"entries": [', "entries", "not JSON (Expecting value at line 1 column 14)"),
        ("t.json", '{"entries": {"a": 1}}', "entries", "`records = 'entries'` is object, not a list of records"),
        ("t.json", '{"rows": []}', "entries", "`records = 'entries'` names no value in the file"),
        ("t.json", '{"entries": []}', None, "the file is object, not a list of records; set `records`"),
        ("t.json", '{"entries": [{"agency": "A", "vendor": "B"}, 7]}', "entries", "record entries[1] is not an object"),
        ("t.json", '{"entries": [{"agency": "A", "vendor": "B"}]}', "entries", "path 'location.city' matches no"),
        ("t.jsonl", '{"agency": "A"}\n{"agency": \n', None, "line 2 is not JSON"),
        ("t.jsonl", "", "entries", "a JSON Lines file has one record a line; remove `records`"),
    ],
)
def test_a_json_file_that_cannot_be_read_stops_naming_the_file_and_loads_nothing(
    tmp_path, name, text, records, message
):
    data = tmp_path / name
    data.write_text(text, encoding="utf-8")
    the_map = TRACKER_MAP.replace('records = "entries"\n', "" if records is None else f'records = "{records}"\n')
    map_path = write_map(tmp_path / "tracker.toml", the_map)
    with pytest.raises(SourceError) as stopped:
        list(table_map.read(data, table_map.load_map(map_path)))
    assert str(stopped.value).startswith(f"{data}: ") and message in str(stopped.value), str(stopped.value)
    done = ingest(tmp_path / "kg", "table", str(data), "--map", str(map_path), "--no-progress")
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 1 and len(errors) == 1 and str(data) in errors[0], done.stderr
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        assert store.fetch_deployments() == []  # nothing loaded from a file that stops
    finally:
        store.close()


@pytest.fixture(scope="module")
def survey_store(tmp_path_factory):
    """The survey and the tracker loaded into one embedded store, with two vendors whose names hold 'Vigilant'."""
    folder = tmp_path_factory.mktemp("survey")
    rows = [*SURVEY, ["Cary Police Department", "NC", "PD", "Vigilant Solutions", ""]]
    rows.append(["Apex Police Department", "NC", "PD", "EVIGILANT.COM, LLC", ""])
    data = write_csv(folder / "survey.csv", rows)
    survey_map = table_map.load_map(write_map(folder / "survey.toml", SURVEY_MAP + SURVEY_VALUES))
    tracker = folder / "tracker.json"
    tracker.write_text(json.dumps(TRACKER), encoding="utf-8")
    tracker_map = table_map.load_map(write_map(folder / "tracker.toml", TRACKER_MAP))
    store = open_store("embedded", home=folder / "kg")
    options = {"command": "table", "rejects_dir": folder / "rejects", "progress": False}
    load(store, table_map.read(data, survey_map), inputs=[str(data)], **options)
    load(store, table_map.read(tracker, tracker_map), inputs=[str(tracker)], **options)
    yield Queries(store)
    store.close()


def test_flock_and_flock_safety_are_one_family_counting_each_agency_once(survey_store):
    families = {row["name"]: row for row in survey_store.bridge()["families"]}
    assert not any("flock" in name.lower() and name != "Flock Group, Inc." for name in families), sorted(families)
    flock = families["Flock Group, Inc."]["local"]
    # Alamance, Burlington (two rows), UNC, Raleigh from the survey; Austin, Evanston, Denver from the tracker
    assert flock["agencies"] == 7 and flock["deployments"] == 8
    family, vendors = survey_store.resolve_family("Flock")
    assert (
        family == survey_store.resolve_family("Flock Safety")[0] == survey_store.resolve_family("FLOCK SAFETY INC")[0]
    )
    assert {v["name"] for v in vendors} >= {"Flock"}


def test_a_name_search_finds_whole_words_before_parts_of_words(survey_store):
    found = [row["name"] for row in survey_store.search("Vigilant")]
    assert found.index("Vigilant Solutions") < found.index("EVIGILANT.COM, LLC")
    family, _ = survey_store.resolve_family("Vigilant")
    assert family == survey_store.resolve_family("Vigilant Solutions")[0]
    assert family != survey_store.resolve_family("EVIGILANT")[0]


@pytest.mark.parametrize(
    "text, names, tier",
    [
        ("flock", ["Flock"], 0),
        ("The GEO Group", ["GEO GROUP INC THE"], 1),  # the same name key
        ("REGENTS OF UNIVERSITY OF MINNESOTA", ["REGENTS OF THE UNIVERSITY OF MINNESOTA"], 1),
        ("Vigilant", ["Vigilant Solutions"], 2),
        ("geo", ["The GEO Group, Inc."], 2),
        ("pal", ["Palantir"], 3),
        ("Vigilant", ["EVIGILANT.COM, LLC"], 4),
        ("ice", ["Police"], 4),
        ("Axon", ["Motorola"], None),
        ("   ", ["Anything"], None),
    ],
)
def test_match_tiers(text, names, tier):
    assert match_tier(text, names) == tier


def test_the_example_maps_read_the_shapes_they_describe(tmp_path):
    maps = ROOT / "data" / "maps"
    survey = list(table_map.read(write_csv(tmp_path / "survey.csv", SURVEY), table_map.load_map(maps / "survey.toml")))
    assert [type(r).__name__ for r in survey] == ["Deployment"] * 3 + ["Reject"] + ["Deployment"] * 2
    tracker = tmp_path / "tracker.json"
    tracker.write_text(json.dumps(TRACKER), encoding="utf-8")
    read = list(table_map.read(tracker, table_map.load_map(maps / "tracker.toml")))
    assert [r.status for r in read] == ["cancelled", "ended", "rejected"]


def test_a_vendor_name_that_joins_nothing_stays_its_own_and_is_listed_for_review(survey_store):
    listed = survey_store.review(kind="local")["local_vendors"]
    assert [(e["record"], e["names"], e["agencies"]) for e in listed] == [
        ("name:EVIGILANT COM", ["EVIGILANT.COM, LLC"], ["Apex Police Department"])
    ]  # Flock's names and Vigilant Solutions join curated families; nothing joins by a guess
    assert listed[0]["records"] == [{"source": listed[0]["records"][0]["source"], "record": "line 9"}]
