"""The change feed, on every store: what a load added or changed, worked out from the figures it derived.

Loads the REAL pristine umn prime award summaries (../shared/data/usaspending_bulk_ice_mn/) and a copy of
them in which two rows were revised in place, as a file fetched again from USAspending would be.
"""

from __future__ import annotations

import csv
import os
import shutil

import pytest

from graph import cli as graph_cli
from graph.questions.queries import Queries
from ingest import usaspending_csv
from ingest.load import load

UMN = "usaspending_bulk_ice_mn/umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv"


def load_file(store, path, tmp_path) -> dict:
    return load(
        store,
        usaspending_csv.read(path),
        command="usaspending-csv",
        inputs=[str(path)],
        rejects_dir=tmp_path / "rejects",
        progress=False,
    )


def revise(path, lines: dict[int, dict[str, str]]) -> None:
    """Rewrite cells of some lines in place (line 1 is the header), keeping the file's other bytes."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    for line, cells in lines.items():
        for name, value in cells.items():
            table[line - 1][table[0].index(name)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    stamp = path.stat().st_mtime + 3600  # fetched again later
    os.utime(path, (stamp, stamp))


@pytest.fixture
def umn_copy(excerpts, tmp_path):
    path = tmp_path / "umn.csv"
    shutil.copyfile(excerpts / UMN, path)
    return path


def test_a_file_revised_in_place_lists_exactly_its_revised_rows(make_store, umn_copy, tmp_path):
    store = make_store()
    first = load_file(store, umn_copy, tmp_path)
    assert (
        first["changes"]
        == first["awards"]
        + Queries(store).changes()["counts"]["new_vendor"]
        + Queries(store).changes()["counts"]["new_vendor_agency"]
    )
    assert Queries(store).changes()["counts"]["new_award"] == 5

    again = load_file(store, umn_copy, tmp_path)
    assert again["changes"] == 0 and Queries(store).changes()["count"] == 0  # the same file again: nothing changed

    revise(
        umn_copy,
        {3: {"total_obligated_amount": "12345.67"}, 5: {"period_of_performance_current_end_date": "2031-01-31"}},
    )
    revised = load_file(store, umn_copy, tmp_path)
    answer = Queries(store).changes()

    assert revised["awards"] == first["awards"] and revised["rows_loaded"] == first["rows_loaded"]
    listed = sorted((c["change"], c["field"], c["after"], c["record"]) for c in answer["changes"])
    assert listed == [
        ("changed_amount", "obligated", "12345.67", "line 3"),
        ("changed_end_date", "end_date", "2031-01-31", "line 5"),
    ]
    assert all(
        c["source"] == str(umn_copy)
        and c["permalink"].startswith("https://www.usaspending.gov/award/CONT_AWD_")
        and c["vendor"]["name"] == "REGENTS OF THE UNIVERSITY OF MINNESOTA"
        for c in answer["changes"]
    )
    assert answer["counts"] == {"changed_amount": 1, "changed_end_date": 1}


def test_changes_since_a_date_and_for_a_vendor_or_an_agency(make_store, umn_copy, tmp_path):
    store = make_store()
    load_file(store, umn_copy, tmp_path)
    revise(umn_copy, {2: {"total_obligated_amount": "1.00"}})
    load_file(store, umn_copy, tmp_path)

    everything = Queries(store).changes(since="2000-01-01")
    assert everything["count"] == len({c["seq"] for c in everything["changes"]})
    assert [c["seq"] for c in everything["changes"]] == sorted(c["seq"] for c in everything["changes"])
    assert {c["run_id"] for c in everything["changes"]} == {1, 2}
    assert Queries(store).changes(since="2999-01-01")["count"] == 0
    # the university's family is the registration and the parent it reports; the fifth award went to another
    # registration ("REGENTS OF UNIVERSITY OF MINNESOTA") that reports no parent: a family of its own
    family = {"REGENTS OF THE UNIVERSITY OF MINNESOTA", "OFFICE OF THE BOARD OF REGENTS"}
    theirs = Queries(store).changes(since="2000-01-01", vendor="Regents of the University of Minnesota")
    assert {c["vendor"]["name"] for c in theirs["changes"]} == family
    assert theirs["count"] == sum(1 for c in everything["changes"] if (c["vendor"] or {}).get("name") in family) > 0
    ice = Queries(store).changes(since="2000-01-01", agency="ICE")
    assert ice["agency"]["code"] == "7012" and ice["count"] == everything["count"] - sum(
        1 for c in everything["changes"] if c["change"] == "new_vendor" and c["agency"] is None
    )
    assert Queries(store).changes(since="2000-01-01", agency="ICE", limit=2)["count"] == 2


def test_graph_changes_command_prints_json(umn_copy, tmp_path, monkeypatch, capsys):
    from graph.store import open_store

    monkeypatch.setenv("KG_HOME", str(tmp_path / "kg"))
    store = open_store("embedded")
    try:
        load_file(store, umn_copy, tmp_path)
    finally:
        store.close()
    assert (
        graph_cli.main(
            ["changes", "--since", "2000-01-01", "--vendor", "REGENTS OF THE UNIVERSITY OF MINNESOTA", "--json"]
        )
        == 0
    )
    import json

    answer = json.loads(capsys.readouterr().out)
    assert answer["counts"]["new_award"] == 4 and answer["scope"] == "changes loaded since this date"
    with pytest.raises(SystemExit) as refused:
        graph_cli.main(["changes", "--since", "last week"])
    assert refused.value.code == 2 and "'last week' is not an ISO date" in capsys.readouterr().err
