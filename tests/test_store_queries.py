"""Store queries on every store (embedded and Neo4j) loaded from the four bulk ICE MN files.

Expected figures were added up by hand from the raw CSVs in ../shared/data/usaspending_bulk_ice_mn:
1369 prime summaries in mn_all (the 5 umn awards are copies of 5 of them) and 161 prime awards that only
appear in the subaward files (their obligated figure is the `prime_award_amount` the subaward file reports).
"""

from __future__ import annotations

import csv
import shutil

import pytest

from core.keys import name_key
from graph.questions.queries import Queries
from ingest import usaspending_csv
from ingest.load import load

from .conftest import STORE_KINDS, open_test_store

BULK = "usaspending_bulk_ice_mn"
FILES = (
    "mn_all__Contracts_PrimeAwardSummaries_2025-03-21_H19M57S23_1.csv",
    "umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv",
    "all_after_2020__Contracts_Subawards_2025-03-28_H03M23S17_1.csv",
    "mn_all__Contracts_Subawards_2025-03-21_H19M57S41_1.csv",
)

# CONT_AWD_70CDCR22FR0000048_7012_47QRAD20D1155_4732 is only in all_after_2020 subawards, on two rows that report
# different prime_award_amount: 19490310.38 (line 3) and 19472560.38 (line 36). Totals below exclude it.
SPLIT_AWARD = "CONT_AWD_70CDCR22FR0000048_7012_47QRAD20D1155_4732"
SPLIT_VALUES = (19490310.38, 19472560.38)
ICE_TOTAL_WITHOUT_SPLIT = 1372862753.14  # 351129069.99 (1369 summaries) + 1021733683.15 (160 subaward-only primes)


def load_bulk(store, paths, home) -> dict:
    def records():
        for path in paths:
            yield from usaspending_csv.read(path)

    return load(
        store,
        records(),
        command="usaspending-csv",
        inputs=[str(p) for p in paths],
        rejects_dir=home / "rejects",
        progress=False,
    )


@pytest.fixture(scope="module")
def bulk_paths(shared_data):
    return [shared_data / BULK / name for name in FILES]


@pytest.fixture(scope="module", params=STORE_KINDS)
def loaded(bulk_paths, tmp_path_factory, request):
    home = tmp_path_factory.mktemp("kg_bulk")
    store = open_test_store(request.param, home, request)
    summary = load_bulk(store, bulk_paths, home)
    yield home, store, summary
    store.close()


@pytest.fixture(scope="module")
def store(loaded):
    return loaded[1]


def split_obligated(profile: dict) -> float:
    rows = [row for row in profile["awards"] if row["key"] == SPLIT_AWARD]
    assert len(rows) == 1
    assert rows[0]["obligated"] in SPLIT_VALUES
    return rows[0]["obligated"]


# ----------------------------------------------------------------------------------------------- stats


def test_stats_shape_and_counts(store):
    stats = Queries(store).stats()
    assert set(stats) == {"nodes", "relationships"}
    nodes, rels = stats["nodes"], stats["relationships"]
    assert nodes["Award"] == 1530  # distinct award keys over the four files
    assert nodes["Vehicle"] == 150  # distinct (parent piid, parent agency) pairs
    assert nodes["Agency"] == 100  # toptier 070/999, subtiers 7012/7014/7055, 95 office codes
    assert nodes["Vendor"] >= 10  # at least the curated parent companies
    # no actions in these files: one fact per award, its summary's total (or the prime amount a subaward
    # file reports), not split by year
    assert nodes["Fact"] == rels["HAS_FACT"] == 1530
    assert rels["AWARDED_TO"] == rels["AWARDED_BY"] == 1530
    assert rels["FUNDED_BY"] == 1529  # one mn_all row has no funding agency codes at all
    assert rels["UNDER_VEHICLE"] == 1230
    assert rels["PART_OF"] == 98
    # 482 + 3 subaward rows; the 3M subaward (report A7B2A798-…, number 1352597) is in both files
    assert rels["SUBAWARD"] == 484
    assert all(isinstance(count, int) and count > 0 for count in [*nodes.values(), *rels.values()])


def test_load_summary(loaded):
    _, _, summary = loaded
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (1859, 1859, 0)
    assert summary["awards"] == 1530


# ---------------------------------------------------------------------------------------------- agencies


def test_agency_profile_by_code_and_abbreviation(store):
    by_code = Queries(store).agency_profile("7012", limit=100000)
    by_abbreviation = Queries(store).agency_profile("ICE", limit=100000)
    assert by_code["id"] == by_abbreviation["id"] == "subtier:7012"
    assert by_code["name"] == "U.S. Immigration and Customs Enforcement"
    assert by_code["tier"] == "subtier"
    assert by_code["parent"]["code"] == "070"
    assert by_code["award_count"] == 1530  # every award in these files is awarded by ICE
    assert by_code["total_obligated"] == pytest.approx(ICE_TOTAL_WITHOUT_SPLIT + split_obligated(by_code), abs=0.01)
    # funded by ICE: 714 summaries (250264104.94) + 161 subaward-only primes
    assert by_code["funded_award_count"] == 875
    assert by_code["funded_obligated"] == pytest.approx(1271997788.09 + split_obligated(by_code), abs=0.01)
    keys = [row["key"] for row in by_code["awards"]]
    assert len(keys) == len(set(keys)) == 1530
    assert by_abbreviation["total_obligated"] == by_code["total_obligated"]


def test_department_counts_each_award_once(store):
    ice = Queries(store).agency_profile("ICE", limit=100000)
    dhs = Queries(store).agency_profile("070", limit=100000)
    assert dhs["id"] == "toptier:070" and dhs["abbreviation"] == "DHS"
    assert {child["code"] for child in dhs["children"]} == {"7012", "7014", "7055"}
    assert dhs["total_obligated"] >= ice["total_obligated"]
    assert dhs["award_count"] == 1530  # office -> sub-agency -> department: not counted three times
    assert dhs["total_obligated"] == pytest.approx(ice["total_obligated"], abs=0.01)
    # funded by DHS (toptier 070): 1336 summaries + 161 subaward-only primes; 32 rows say toptier 999
    assert dhs["funded_award_count"] == 1497
    assert dhs["funded_obligated"] == pytest.approx(1337673588.85 + split_obligated(dhs), abs=0.01)
    assert Queries(store).agency_profile("DHS")["id"] == "toptier:070"


def test_funding_only_agency(store):
    ocpo = Queries(store).agency_profile("7055")
    # DHS Office of the Chief Procurement Officer funds 621 closed-out ICE awards (office 70QXXX), awards none
    assert ocpo["award_count"] == 0 and ocpo["total_obligated"] == 0.0
    assert ocpo["funded_award_count"] == 621
    assert ocpo["funded_obligated"] == pytest.approx(63538591.22, abs=0.01)


def test_office_profile(store):
    office = Queries(store).agency_profile("70CDCR", limit=100000)
    assert office["id"] == "office:70CDCR"
    assert office["name"] == "DETENTION COMPLIANCE AND REMOVALS"
    assert office["parent"]["code"] == "7012"
    assert office["award_count"] == 65  # 56 summaries + 9 subaward-only primes
    assert office["total_obligated"] == pytest.approx(151616222.51 + split_obligated(office), abs=0.01)
    # mn_all line 2: WEST PUBLISHING's 7391976 order is one of them
    west = [row for row in office["awards"] if row["key"] == "CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-"]
    assert len(west) == 1 and west[0]["obligated"] == 7391976.0
    assert west[0]["obligated_basis"] == "award summary"
    assert west[0]["vendor"]["name"] == "WEST PUBLISHING CORPORATION"
    assert west[0]["funding_agency"]["code"] == "70CRMD"


def test_agency_profile_unknown(store):
    from graph.store import NotFound

    with pytest.raises(NotFound):
        Queries(store).agency_profile("Bureau of Nothing")


def test_award_by_key_and_declared_fields(store):
    west = "CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-"  # mn_all line 2
    (row,) = Queries(store).awards([west])
    assert row["piid"] == "70CDCR18P00000017" and row["obligated"] == 7391976.0
    assert row["vendor"]["name"] == "WEST PUBLISHING CORPORATION"
    (stored,) = Queries(store).awards(
        [west],
        [
            "piid",
            "end_date",
            "start_date",
            "current_value",
            "award_type",
            "naics",
            "psc",
            "obligated_basis",
            "recipient",
            "tx_count",
        ],
    )
    assert stored == {
        "key": west,
        "piid": "70CDCR18P00000017",
        "end_date": "2021-05-31",
        "start_date": "2017-12-22",
        "current_value": 7391976.0,
        "award_type": "PURCHASE ORDER",
        "naics": "519190",
        "psc": "D317",
        "obligated_basis": "award summary",
        "recipient": row["vendor"]["id"],
        "tx_count": 0,
    }


def test_unknown_award_field_is_the_same_error_on_every_store(store):
    from core.facts import UnknownField
    from graph.store import NotFound

    west = "CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-"
    for keys in ([west], []):  # checked before anything is fetched
        with pytest.raises(UnknownField, match=r"^unknown award field 'obligation'; the fields are: key, piid, "):
            Queries(store).awards(keys, ["piid", "obligation"])
    with pytest.raises(NotFound, match="no award with key 'CONT_AWD_NOPE'"):
        Queries(store).awards([west, "CONT_AWD_NOPE"], ["piid"])


@pytest.mark.parametrize(
    "agency, start, until",
    [("ICE", "2024-01-01", "2025-12-31"), ("70CDCR", "2019-06-01", "2022-06-01"), ("DHS", "2025-03-01", "2025-03-01")],
)
def test_renewals_read_from_the_store_equal_the_calendar_of_every_award(store, agency, start, until):
    from dashboard.shaping.targets import period_end

    every = Queries(store).agency_profile(agency, limit=100000)["awards"]
    assert len(every) == Queries(store).agency_profile(agency, limit=0)["award_count"]
    expected = sorted(
        (a for a in every if period_end(a) and start <= period_end(a) <= until), key=lambda a: (period_end(a), a["key"])
    )
    due = Queries(store).agency_renewals(agency, start, until)
    assert due == expected
    if agency == "ICE":
        assert len(due) > 10


# ------------------------------------------------------------------------------------------------ search


def test_search_west(store):
    hits = Queries(store).search("west")
    # the only names containing 'west' in these files: recipient WEST PUBLISHING CORPORATION and
    # awarding office CA000 'FPS WEST CONSOLIDATED CONTRACT GROUP' (mn_all line 1137)
    assert {(hit["kind"], hit["name"]) for hit in hits} == {
        ("Vendor", "WEST PUBLISHING CORPORATION"),
        ("Agency", "FPS WEST CONSOLIDATED CONTRACT GROUP"),
    }
    vendor = next(hit for hit in hits if hit["kind"] == "Vendor")
    assert vendor["id"] == "uei:L997DB4PEJL8"
    agency = next(hit for hit in hits if hit["kind"] == "Agency")
    assert (agency["code"], agency["tier"]) == ("CA000", "office")
    assert Queries(store).search("WEST") == hits  # case-insensitive


# ---------------------------------------------------------------------------------------------- subgraph


def awards_in(subgraph: dict) -> int:
    return sum(edge["awards"] for edge in subgraph["edges"] if edge["type"] == "AWARDS")


def everything_total(subgraph: dict) -> float:
    return sum(edge["obligated"] for edge in subgraph["edges"] if edge["type"] == "AWARDS")


def test_subgraph_filters_really_filter(store):
    everything = Queries(store).subgraph(agency="ICE")
    assert awards_in(everything) == 1530
    # summaries only: no award total can be put in a fiscal year, so a year filter leaves every one out, and says so
    years = Queries(store).subgraph(agency="ICE", fy_from=2020, fy_to=2022)
    assert awards_in(years) == 0 and years["edges"] == []
    assert years["left_out"]["awards"] == 1530
    assert years["left_out"]["not_split_by_year"] == pytest.approx(everything_total(everything), abs=0.01)
    big = Queries(store).subgraph(agency="ICE", min_amount=1_000_000)
    awards_edges = [e for e in big["edges"] if e["type"] == "AWARDS"]
    assert awards_edges and all(edge["obligated"] >= 1_000_000 for edge in awards_edges)
    expected = [e for e in everything["edges"] if e["type"] == "AWARDS" and e["obligated"] >= 1_000_000]
    assert len(awards_edges) == len(expected) < len([e for e in everything["edges"] if e["type"] == "AWARDS"])
    ids = {node["id"] for node in big["nodes"]}
    assert all(edge["source"] in ids and edge["target"] in ids for edge in big["edges"])


# ------------------------------------------------------------------------------------------------- paths


def _raw_row(path: str, record: str) -> dict:
    line = int(record.split()[1])
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if reader.line_num == line:
                return row
    raise AssertionError(f"{path} has no {record}")


def test_paths_west_publishing_to_ice(store):
    chains = Queries(store).paths("West Publishing", "ICE")
    assert chains
    for chain in chains:
        assert chain[-1]["to"]["id"] == "subtier:7012" or chain[-1]["from"]["id"] == "subtier:7012"
        money_hops = [hop for hop in chain if hop["rel"] in ("AWARDED", "FUNDED")]
        assert money_hops, chain
        for hop in money_hops:  # every record a hop lists says what the hop says
            vendor = hop["from"] if hop["from"]["kind"] == "Vendor" else hop["to"]
            assert hop["records"] and hop["awards"] >= len(hop["records"])
            for cited in hop["records"]:
                row = _raw_row(cited["source"], cited["record"])
                key = row.get("contract_award_unique_key") or row.get("prime_award_unique_key")
                assert key.upper() == cited["award"]
                assert name_key(row.get("recipient_name") or row.get("prime_awardee_name")) == name_key(vendor["name"])
        for hop in chain:
            if hop["rel"] == "PARENT":
                assert hop["source"] == "data/vendor_families.csv" or hop["record"].startswith("line ")


# ----------------------------------------------------------------------------- idempotency, persistence


def test_reloading_the_same_files_changes_nothing(bulk_paths, tmp_path, make_store):
    home = tmp_path / "kg"
    store = make_store(home)
    first = load_bulk(store, bulk_paths, home)
    stats = Queries(store).stats()
    ice = Queries(store).agency_profile("ICE", limit=0)
    west = Queries(store).vendor_family("West Publishing")
    second = load_bulk(store, bulk_paths, home)
    assert Queries(store).stats() == stats
    again = Queries(store).agency_profile("ICE", limit=0)
    assert (again["total_obligated"], again["award_count"], again["funded_obligated"]) == (
        ice["total_obligated"],
        ice["award_count"],
        ice["funded_obligated"],
    )
    west_again = Queries(store).vendor_family("West Publishing")
    assert (west_again["total_obligated"], west_again["award_count"]) == (west["total_obligated"], west["award_count"])
    assert (second["rows_read"], second["awards"]) == (first["rows_read"], first["awards"])
    assert len(store.runs()) == 2
    reopened = make_store(home)
    assert Queries(reopened).stats() == stats


def test_new_store_object_sees_the_committed_store(loaded, request):
    home, store, _ = loaded
    reopened = open_test_store(store.kind, home, request, fresh=False)
    assert Queries(reopened).stats() == Queries(store).stats()
    assert (
        Queries(reopened).agency_profile("70CDCR", limit=0)["total_obligated"]
        == Queries(store).agency_profile("70CDCR", limit=0)["total_obligated"]
    )
    runs = reopened.runs()
    assert len(runs) == 1
    assert runs[0]["rows_read"] == 1859 and runs[0]["command"] == "usaspending-csv"
    reopened.close()


def test_load_that_fails_midway_leaves_the_committed_store_unchanged(shared_data, bulk_paths, tmp_path, make_store):
    home = tmp_path / "kg"
    store = make_store(home)
    load_bulk(store, bulk_paths[1:2], home)  # the 5 umn awards
    before = Queries(make_store(home)).stats()
    file = getattr(store, "staging", store).path
    store_bytes = file.read_bytes()
    torn = shared_data / "torn_apart_ice_fy2013_2018"

    def records_then_failure():
        count = 0
        for name in ("fy18.csv", "fy17.csv", "fy16.csv", "fy15.csv"):  # 5322 rows: past one 5000-row batch
            for record in usaspending_csv.read(torn / name, torn / "fy13.csv"):
                yield record
                count += 1
        assert count > 5000
        raise RuntimeError("source broke mid-way")

    with pytest.raises(RuntimeError, match="mid-way"):
        load(
            store,
            records_then_failure(),
            command="usaspending-csv",
            inputs=["torn"],
            rejects_dir=home / "rejects",
            progress=False,
        )
    assert file.read_bytes() == store_bytes
    reopened = make_store(home)
    assert Queries(reopened).stats() == before
    assert before["nodes"]["Award"] == 5
    assert len(reopened.runs()) == 1


def test_failed_load_does_not_leak_into_the_next_commit(shared_data, bulk_paths, tmp_path, make_store):
    """After a load fails, the same store object is used again (a Python session, a resumed API load): the
    next successful load must not commit the half-read rows of the failed one."""
    home = tmp_path / "kg"
    store = make_store(home)
    load_bulk(store, bulk_paths[1:2], home)  # the 5 umn awards
    before = Queries(store).stats()
    torn = shared_data / "torn_apart_ice_fy2013_2018"

    def records_then_failure():
        for name in ("fy18.csv", "fy17.csv", "fy16.csv", "fy15.csv"):  # 5322 rows: past one 5000-row batch
            yield from usaspending_csv.read(torn / name, torn / "fy13.csv")
        raise RuntimeError("source broke mid-way")

    with pytest.raises(RuntimeError):
        load(
            store,
            records_then_failure(),
            command="usaspending-csv",
            inputs=["torn"],
            rejects_dir=home / "rejects",
            progress=False,
        )
    load_bulk(store, bulk_paths[1:2], home)  # the same 5 awards again: changes nothing
    assert Queries(make_store(home)).stats() == before
    assert Queries(store).stats() == before


def test_clear_empties_the_store(bulk_paths, tmp_path, make_store):
    home = tmp_path / "kg"
    shutil.rmtree(home, ignore_errors=True)
    store = make_store(home)
    load_bulk(store, bulk_paths[1:2], home)
    assert Queries(store).stats()["nodes"]["Award"] == 5
    store.clear()
    assert Queries(store).stats() == {"nodes": {}, "relationships": {}}
    assert Queries(make_store(home)).stats() == {"nodes": {}, "relationships": {}}
    assert store.runs() == []
