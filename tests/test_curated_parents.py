"""Issue 28 item 7: a reported parent that names a curated family joins that family, on every store.

The FY2017-18 Torn Apart rows report DELOITTE LLP (DUNS 014127109) as the parent of Deloitte Consulting and
Deloitte & Touche. DELOITTE LLP is the curated family "Deloitte LLP" (data/vendor_families.csv) under its
own name, so `graph vendor Deloitte` must answer that one family, not two. Systems Research and
Applications reports SRA International in 2017 and General Dynamics from June 2018: its money stays with
the family of each date.
"""

from __future__ import annotations

import csv

import pytest

from graph.questions.queries import Queries
from ingest import usaspending_csv
from ingest.load import load

from .conftest import STORE_KINDS, open_test_store

TORN = "torn_apart_ice_fy2013_2018"
DELOITTE_LLP = "duns:014127109"  # the parent the records report
SRA = "duns:097779698"  # SYSTEMS RESEARCH AND APPLICATIONS CORPORATION
SRA_INTERNATIONAL, GENERAL_DYNAMICS = "duns:080011988", "duns:001381284"


def torn_rows(shared_data, out):
    """The fy15-18 rows whose parent is DELOITTE LLP or whose recipient is SRA, under fy13's header (the
    later files have none), copied value for value."""
    with open(shared_data / TORN / "fy13.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    at = {name: index for index, name in enumerate(header)}
    kept = []
    for year in range(15, 19):
        with open(shared_data / TORN / f"fy{year}.csv", encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) == len(header) and (
                    row[at["recipient_parent_duns"]] == "14127109" or row[at["recipient_duns"]] == "97779698"
                ):
                    kept.append(row)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(kept)
    return len(kept)


@pytest.fixture(scope="module", params=STORE_KINDS)
def store(shared_data, tmp_path_factory, request):
    home = tmp_path_factory.mktemp("kg_curated_parents")
    path = home / "torn_deloitte_sra.csv"
    assert torn_rows(shared_data, path) > 40
    store = open_test_store(request.param, home / "kg", request)
    summary = load(
        store,
        usaspending_csv.read(path),
        command="usaspending-csv",
        inputs=[str(path)],
        rejects_dir=home / "rejects",
        progress=False,
    )
    assert summary["rows_rejected"] == 0
    yield store
    store.close()


def test_a_reported_parent_named_as_a_curated_family_joins_it(store):
    family = Queries(store).vendor_family("Deloitte")  # was: "'Deloitte' matches 2 vendor families"
    assert (family["id"], family["name"]) == ("org:deloitte-llp", "Deloitte LLP")
    members = {sub["id"]: sub for sub in family["subsidiaries"]}
    assert DELOITTE_LLP in members and members[DELOITTE_LLP]["name"] == "DELOITTE LLP"
    relations = {(p["basis"], p["relation"]) for p in members[DELOITTE_LLP]["parents_reported"]}
    assert relations == {("curated", "same company, another registration")}
    assert Queries(store).vendor_family("DELOITTE LLP")["id"] == "org:deloitte-llp"
    assert Queries(store).vendor_family("014127109")["id"] == "org:deloitte-llp"  # its DUNS: the same family
    assert [row["family"] for row in store.fetch_family_timeline([DELOITTE_LLP])] == ["org:deloitte-llp"]
    # the consulting and audit firms still join through the curated subsidiary rule, their money counted once
    assert {"DELOITTE CONSULTING LLP", "DELOITTE & TOUCHE LLP"} <= {sub["name"] for sub in members.values()}
    assert family["total_obligated"] == pytest.approx(sum(s["total_obligated"] for s in members.values()), abs=0.005)


def test_two_reported_parents_at_two_dates_keep_two_families(store):
    timeline = store.fetch_family_timeline([SRA])
    assert [
        (str(r["valid_from"]) if r["valid_from"] else None, str(r["valid_to"]) if r["valid_to"] else None, r["family"])
        for r in timeline
    ] == [
        (None, "2018-06-26", SRA_INTERNATIONAL),  # fy17.csv line 1440 .. fy18.csv line 1913: SRA INTERNATIONAL
        ("2018-06-26", None, GENERAL_DYNAMICS),  # fy18.csv line 1774 on: GENERAL DYNAMICS CORPORATION
    ]
    assert Queries(store).families_on([SRA], "2017-09-19") == {SRA: SRA_INTERNATIONAL}
    assert Queries(store).families_on([SRA], "2018-06-29") == {SRA: GENERAL_DYNAMICS}
