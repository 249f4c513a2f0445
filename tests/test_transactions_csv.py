"""Search-result exports (`ingest.transactions_csv`): the six ICE/CBP fiscal-year files, loaded once.

Golden values were read from the raw CSVs in ../shared/data/spending_by_transaction_ice_cbp_fy2021_2026
with the csv module (file and line in each comment); sums were added up by hand over the DISTINCT rows.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from core.records import Reject, Transaction
from graph.questions.queries import Queries
from ingest import clean, transactions_csv
from ingest.csvfile import SourceError
from ingest.load import load

from .conftest import STORE_KINDS, open_test_store

DIR = "spending_by_transaction_ice_cbp_fy2021_2026"
FILES = {
    f"CBP_ICE_FY{year}_Contract_Obligations.csv": rows
    for year, rows in ((2021, 10398), (2022, 9339), (2023, 9366), (2024, 10226), (2025, 10878), (2026, 7269))
}

IT_TECH = "CONT_AWD_70B02C21F00001278_7014_70B04C19D00000037_7014"
COASTAL = "CONT_AWD_70B03C25F00000004_7014_70B03C21D00000044_7014"
ATT = "CONT_AWD_70CTD020FR0000295_7012_GS00Q17NSD3000_4732"
OPO_7001 = "CONT_AWD_70RDAD22FC0000123_7001_70B04C19A00000003_7014"
CLEARVIEW_ICE = "CONT_AWD_70CMSD21P00000127_7012_-NONE-_-NONE-"


@pytest.fixture(scope="module", params=STORE_KINDS)
def loaded(shared_data, tmp_path_factory, request):
    home = tmp_path_factory.mktemp("kg_transactions")
    paths = [shared_data / DIR / name for name in FILES]
    records = [record for path in paths for record in transactions_csv.read(path)]
    store = open_test_store(request.param, home, request)
    summary = load(
        store,
        iter(records),
        command="transactions-csv",
        inputs=[str(p) for p in paths],
        rejects_dir=home / "rejects",
        progress=False,
    )
    yield store, summary, records
    store.close()


def award_row(store, vendor: str, key: str) -> dict:
    family = Queries(store).vendor_family(vendor)
    rows = [row for row in family["awards"] if row["key"] == key]
    assert len(rows) == 1, f"{key} not among {vendor}'s awards"
    return rows[0]


def test_six_files_read_every_row(loaded):
    _, summary, records = loaded
    per_file = Counter(Path(r.award.prov.source).name for r in records)
    assert per_file == FILES  # README table row counts
    assert sum(FILES.values()) == 57476
    assert [r for r in records if isinstance(r, Reject)] == []
    assert all(isinstance(r, Transaction) for r in records)


def test_load_summary_counts_duplicates(loaded):
    store, summary, _ = loaded
    assert summary["rows_read"] == 57476
    assert summary["rows_loaded"] == 57476
    assert summary["rows_rejected"] == 0
    # 126 rows are exact repeats of another row in the same file (counted with the csv module)
    assert summary["duplicate_rows"] == 126
    stats = Queries(store).stats()
    assert stats["nodes"]["Fact"] == 57476 - 126  # one fact per distinct action (no summaries here)
    assert stats["relationships"]["HAS_FACT"] == 57476 - 126
    # distinct Generated Award IDs over the six files
    assert stats["nodes"]["Award"] == 23461
    assert summary["awards"] == 23461


def test_duplicate_row_does_not_double_the_award(loaded):
    store, _, _ = loaded
    # CBP_ICE_FY2021 lines 2832 (29412.12, mod 0), 4892 and 4905 (0.0, P00001, identical rows)
    row = award_row(store, "IT TECH DIRECT", IT_TECH)
    assert row["obligated"] == 29412.12
    assert row["tx_count"] == 2
    assert (row["first_action"], row["last_action"]) == ("2021-09-15", "2021-09-28")


def test_duplicate_nonzero_row_counted_once_and_deobligation_subtracts(loaded):
    store, _, _ = loaded
    # CBP_ICE_FY2025 lines 401 and 402 are the same mod-0 action (2972195.0) listed twice; distinct actions:
    # FY2025 401: 2972195.0, 403: 2972195.0 (P00003), 404: 2972195.0 (P00002), 759: 1118272.4 (P00004),
    # 4363: 0.0 (P00005); FY2026 4411: -695346.9 (P00006, de-obligation)
    # = 8916585.0 + 1118272.4 - 695346.9 = 9339510.5  (12311705.5 if the repeat were counted)
    row = award_row(store, "COASTAL CLINICAL", COASTAL)
    assert row["obligated"] == pytest.approx(9339510.5, abs=0.005)
    assert row["tx_count"] == 6
    assert "6" in row["obligated_basis"]
    assert (row["first_action"], row["last_action"]) == ("2024-10-31", "2026-02-18")
    assert (row["fy_first"], row["fy_last"]) == (2025, 2026)


def test_negative_only_award_keeps_its_deobligation(loaded):
    store, _, _ = loaded
    # CBP_ICE_FY2021 line 10397: the award's only row, Federal Action Obligation -4975000.0
    row = award_row(store, "AT&T ENTERPRISES", ATT)
    assert row["obligated"] == -4975000.0
    assert row["tx_count"] == 1
    assert row["fy_first"] == 2021  # action date 2020-12-02 is in FY2021


def test_vendor_is_a_low_confidence_name_match(loaded):
    store, _, _ = loaded
    row = award_row(store, "IT TECH DIRECT", IT_TECH)
    assert row["vendor"]["name"] == "IT TECH DIRECT LLC"
    assert (row["vendor"]["match"], row["vendor"]["confidence"]) == ("name", "low")


def test_agency_comes_from_generated_id_not_label(loaded):
    store, _, _ = loaded
    # Clearview AI (CBP_ICE_FY2021 line 5646): Generated Award ID segment 7012 -> ICE, under DHS 070
    row = award_row(store, "Clearview", CLEARVIEW_ICE)
    assert row["awarding_agency"]["code"] == "7012"
    ice = Queries(store).agency_profile("7012", limit=100000)
    assert ice["abbreviation"] == "ICE"
    assert ice["parent"]["code"] == "070"
    # CBP_ICE_FY2024 lines 6440, 7014, 9668, 9669, 9675, 9676 and FY2025 line 9799 say Agency 'ICE' but the
    # Generated Award ID's awarding segment is 7001: the award belongs to 7001, not ICE
    office = Queries(store).agency_profile("7001")
    assert [award["key"] for award in office["awards"]] == [OPO_7001]
    assert office["total_obligated"] == 2750000.0  # 2500000.0 + 250000.0 + five 0.0 actions
    assert OPO_7001 not in {award["key"] for award in ice["awards"]}


def test_agency_totals_from_distinct_rows(loaded):
    store, _, _ = loaded
    ice = Queries(store).agency_profile("ICE", limit=0)
    cbp = Queries(store).agency_profile("CBP", limit=0)
    # over the 57,350 distinct rows: 7012 -> 9872 awards, 22,751,900,573.60; 7014 -> 13588, 64,908,348,354.53
    assert ice["award_count"] == 9872
    assert ice["total_obligated"] == pytest.approx(22751900573.60, abs=0.5)
    assert cbp["award_count"] == 13588
    assert cbp["total_obligated"] == pytest.approx(64908348354.53, abs=0.5)
    dhs = Queries(store).agency_profile("070", limit=0)
    assert dhs["award_count"] >= ice["award_count"] + cbp["award_count"]
    assert dhs["total_obligated"] >= ice["total_obligated"] + cbp["total_obligated"] - 1


def raw_yearly(shared_data) -> dict[tuple[str, int], float]:
    """Obligations by (awarding sub-agency, fiscal year of the action date), by pandas from the raw rows
    (each distinct row once: an exact repeat is the same action listed twice)."""
    import pandas as pd

    frame = pd.concat([pd.read_csv(shared_data / DIR / name, dtype=str) for name in sorted(FILES)]).drop_duplicates()
    date = pd.to_datetime(frame["Action Date"])
    frame["fy"] = date.dt.year + (date.dt.month >= 10).astype(int)
    frame["agency"] = frame["Generated Award ID"].str.split("_").str[3]
    frame["cents"] = (frame["Federal Action Obligation"].astype(float) * 100).round().astype("int64")
    sums = frame.groupby(["agency", "fy"])["cents"].sum()
    return {(agency, int(fy)): cents / 100 for (agency, fy), cents in sums.items()}


def test_yearly_totals_equal_a_group_by_of_the_raw_rows(loaded, shared_data):
    store, _, _ = loaded
    raw = raw_yearly(shared_data)
    for code in ("7012", "7014"):
        profile = Queries(store).agency_profile(code, limit=0)
        assert {(code, y["fiscal_year"]): y["obligated"] for y in profile["yearly"]} == {
            key: value for key, value in raw.items() if key[0] == code
        }
        assert profile["not_split_by_year"]["obligated"] == 0.0  # every fact here is an action with its date
    ice = {y["fiscal_year"]: y["obligated"] for y in Queries(store).agency_profile("ICE", limit=0)["yearly"]}
    assert ice[2021] == 2531913298.35 and ice[2024] == 3207071693.16  # issue 8: not each award's whole total
    network = Queries(store).subgraph(agency="ICE", fy_from=2024, fy_to=2024)
    assert sum(e["obligated"] for e in network["edges"] if e["type"] == "AWARDS") == pytest.approx(
        3207071693.16, abs=0.01
    )


def test_transaction_keeps_provenance(loaded):
    _, _, records = loaded
    # CBP_ICE_FY2021 line 2 (first data row): RAPISCAN, 110367609.0, 2021-09-28, mod 0
    first = records[0]
    assert first.award.prov.source.endswith("CBP_ICE_FY2021_Contract_Obligations.csv")
    assert first.award.prov.record == "line 2"
    assert first.award.key == "CONT_AWD_70B03C21F00001132_7014_70B03C21D00000003_7014"
    assert first.award.piid == "70B03C21F00001132"
    assert first.award.parent_piid == "70B03C21D00000003" and first.award.parent_agency == "7014"
    assert first.award.awarding.subtier_code == "7014"
    assert first.obligation == 110367609.0
    assert first.action_date == "2021-09-28"
    assert first.modification == "0"
    assert first.award.recipient.name == "RAPISCAN SYSTEMS INC"
    assert first.award.recipient.uei is None and first.award.recipient.duns is None
    assert first.award.prov.permalink == (
        "https://www.usaspending.gov/award/CONT_AWD_70B03C21F00001132_7014_70B03C21D00000003_7014/"
    )


def test_split_award_key():
    assert clean.split_award_key("CONT_AWD_70CMSD25FR0000112_7012_47QTCH18D0068_4732") == (
        "70CMSD25FR0000112",
        "7012",
        "47QTCH18D0068",
        "4732",
    )
    assert clean.split_award_key(CLEARVIEW_ICE) == ("70CMSD21P00000127", "7012", None, None)


# ------------------------------------------------------------------------------------ damaged copies


def test_damaged_rows_rejected_with_reasons(excerpts, tmp_path):
    """Synthetic: the first 4 data rows of FY2026, one short a column, one with a bad id, one a bad date."""
    with (excerpts / DIR / "CBP_ICE_FY2026_Contract_Obligations.csv").open(newline="") as handle:
        rows = [row for _, row in zip(range(5), csv.reader(handle), strict=False)]
    rows[2] = rows[2][:-1]
    rows[3][9] = "NOT_AN_AWARD_ID"
    rows[4][4] = "2026-14-01"
    path = tmp_path / "damaged.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    records = list(transactions_csv.read(path))
    assert isinstance(records[0], Transaction)
    rejects = [r for r in records if isinstance(r, Reject)]
    assert [r.record for r in rejects] == ["line 3", "line 4", "line 5"]
    assert "9 columns" in rejects[0].reason
    assert "NOT_AN_AWARD_ID" in rejects[1].reason
    assert "2026-14-01" in rejects[2].reason


def test_bulk_download_is_not_a_search_export(excerpts):
    bulk = excerpts / "usaspending_bulk_ice_mn" / "umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv"
    with pytest.raises(SourceError) as error:
        list(transactions_csv.read(bulk))
    assert "umn__" in str(error.value)
