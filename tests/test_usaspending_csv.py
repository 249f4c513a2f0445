"""USAspending bulk CSV adapter (`ingest.usaspending_csv`) on the real downloads in ../shared/data.

Golden values were read from the raw files with the csv module and are written here as literals,
each with the file and line it came from. Damaged files are synthetic copies written to tmp_path.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.records import Award, Deletion, Reject, Subaward, Transaction
from graph.questions.queries import Queries
from ingest import usaspending_csv
from ingest.csvfile import SourceError
from ingest.load import load

BULK = "usaspending_bulk_ice_mn"
MN_ALL = "mn_all__Contracts_PrimeAwardSummaries_2025-03-21_H19M57S23_1.csv"
UMN = "umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv"
SUBS_ALL = "all_after_2020__Contracts_Subawards_2025-03-28_H03M23S17_1.csv"
SUBS_MN = "mn_all__Contracts_Subawards_2025-03-21_H19M57S41_1.csv"
TORN = "torn_apart_ice_fy2013_2018"


def read_all(path: Path, header_from: Path | None = None) -> list:
    return list(usaspending_csv.read(path, header_from))


def by_line(records) -> dict[int, object]:
    out = {}
    for record in records:
        if isinstance(record, Reject):
            line = record.record
        elif isinstance(record, Transaction):
            line = record.award.prov.record
        else:
            line = record.prov.record
        out[int(line.split()[1])] = record
    return out


@pytest.fixture(scope="module")
def mn_all(shared_data):
    return by_line(read_all(shared_data / BULK / MN_ALL))


@pytest.fixture(scope="module")
def umn(excerpts):
    return by_line(read_all(excerpts / BULK / UMN))


# ------------------------------------------------------------------------------- bulk files: row counts


@pytest.mark.parametrize(
    "name, rows, kind",
    [
        (MN_ALL, 1369, Award),  # README table: 1369 rows
        (UMN, 5, Award),
        (SUBS_ALL, 482, Subaward),  # 482 rows over 547 physical lines (multi-line descriptions)
        (SUBS_MN, 3, Subaward),
    ],
)
def test_every_bulk_file_reads_one_record_per_row_without_rejects(shared_data, name, rows, kind):
    records = read_all(shared_data / BULK / name)
    assert len(records) == rows
    assert [r for r in records if isinstance(r, Reject)] == []
    assert all(isinstance(r, kind) for r in records)


def test_bulk_files_load_with_full_row_accounting(shared_data, tmp_path, make_store):
    paths = [shared_data / BULK / name for name in (MN_ALL, UMN, SUBS_ALL, SUBS_MN)]
    store = make_store()

    def records():
        for path in paths:
            yield from usaspending_csv.read(path)

    summary = load(
        store,
        records(),
        command="usaspending-csv",
        inputs=[str(p) for p in paths],
        rejects_dir=tmp_path / "rejects",
        progress=False,
    )
    assert summary["rows_read"] == 1369 + 5 + 482 + 3
    assert summary["rows_loaded"] == summary["rows_read"]
    assert summary["rows_rejected"] == 0
    assert summary["rejects_file"] is None
    assert not (tmp_path / "rejects").exists() or not any((tmp_path / "rejects").iterdir())
    # 1369 prime summaries (the 5 umn awards are among them) + 161 prime awards seen only in subaward files
    assert summary["awards"] == 1369 + 161


# ---------------------------------------------------------------------------- golden prime award rows


def test_umn_pristine_award_golden(umn):
    award = umn[2]  # umn line 2
    assert award.key == "CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-"
    assert award.piid == "70CDCR20P00000053"
    assert (award.obligated, award.current_value, award.potential_value) == (16000.0, 16000.0, 16000.0)
    assert award.base_date == "2020-05-07"
    assert award.start_date == "2020-05-07"
    assert award.end_date == "2021-05-11"
    assert award.potential_end_date == "2021-05-11"  # raw '2021-05-11 00:00:00'
    assert award.values_as_of == "2022-04-02"  # last_modified_date
    assert award.recipient.name == "REGENTS OF THE UNIVERSITY OF MINNESOTA"
    assert award.recipient.uei == "KABJZBBJ4B54"
    assert award.recipient.duns is None
    assert award.recipient.parent_uei == "CB47L9C9MDX1"
    assert award.recipient.parent_name == "OFFICE OF THE BOARD OF REGENTS"
    assert award.recipient.cage == "0DH95"
    assert (award.awarding.toptier_code, award.awarding.subtier_code, award.awarding.office_code) == (
        "070",
        "7012",
        "70CDCR",
    )
    assert award.awarding.office_name == "DETENTION COMPLIANCE AND REMOVALS"
    assert (award.funding.toptier_code, award.funding.subtier_code, award.funding.office_code) == (
        "070",
        "7012",
        "70C0TD",
    )
    assert award.naics == "713990" and award.psc == "X1EA"
    assert award.award_type == "PURCHASE ORDER"
    assert award.prov.record == "line 2"
    assert award.prov.permalink == "https://www.usaspending.gov/award/CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-/"


def test_umn_last_row_golden(umn):
    award = umn[6]  # umn line 6: a second UEI registration of the university
    assert award.key == "CONT_AWD_70CDCR24P00000013_7012_-NONE-_-NONE-"
    assert award.obligated == 18867.0
    assert award.base_date == "2024-05-14"
    assert award.start_date == "2024-05-12"
    assert award.recipient.uei == "FVJMNPLMEEJ2"
    assert award.recipient.name == "REGENTS OF UNIVERSITY OF MINNESOTA"
    assert award.funding.office_code == "70CFSP"


def test_mn_all_spreadsheet_damaged_award_golden(mn_all):
    award = mn_all[2]  # mn_all line 2: WEST PUBLISHING, amounts '7391976', dates '12/22/17'
    assert award.key == "CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-"
    assert (award.obligated, award.current_value, award.potential_value) == (7391976.0, 7391976.0, 7391976.0)
    assert award.base_date == "2017-12-22"
    assert award.start_date == "2017-12-22"
    assert award.end_date == "2021-05-31"  # raw '5/31/21'
    assert award.potential_end_date == "2021-05-31"  # raw '5/31/21 0:00'
    assert award.values_as_of == "2023-05-10"  # raw last_modified_date '5/10/23'
    assert award.recipient.name == "WEST PUBLISHING CORPORATION"
    assert award.recipient.uei == "L997DB4PEJL8"
    assert award.recipient.duns is None
    assert award.recipient.parent_uei == "ERQ7UKKC3791"
    assert award.recipient.parent_name == "THOMSON REUTERS (MARKETS) LLC"
    assert award.recipient.cage == "89101"
    assert award.awarding.office_code == "70CDCR"
    assert (award.funding.subtier_code, award.funding.office_code) == ("7012", "70CRMD")
    assert award.naics == "519190" and award.psc == "D317"


def test_mn_all_closeout_award_golden(mn_all):
    award = mn_all[177]  # mn_all line 177: WEST PUBLISHING 2005 order under GSA schedule, funded by DHS OCPO
    assert award.key == "CONT_AWD_HSACD5J0057_7012_GS23F0387K_4730"
    assert award.obligated == 3000.0
    assert award.current_value is None and award.potential_value is None  # blank cells stay unreported
    assert award.base_date == "2005-01-21"
    assert award.end_date == "2005-09-30"
    assert award.values_as_of == "2017-08-01"  # '8/1/17'
    assert award.parent_piid == "GS23F0387K"
    assert award.parent_agency == "4730"
    assert award.recipient.uei == "L997DB4PEJL8"
    assert award.recipient.duns == "148508286"
    assert award.recipient.parent_uei == "ED9YLAED15Z3"
    assert award.recipient.parent_duns == "251100749"
    assert award.recipient.parent_name == "REUTERS NEWS & MEDIA INC"
    assert award.awarding.office_code == "70CMSD"
    assert (award.funding.toptier_code, award.funding.subtier_code, award.funding.office_code) == (
        "070",
        "7055",
        "70QXXX",
    )


def test_mn_all_cents_and_negative_totals(mn_all):
    assert mn_all[4].obligated == 985034.88  # line 4 '985034.88'
    assert mn_all[4].recipient.duns == "079331239"  # line 4: leading zero intact
    assert mn_all[4].recipient.parent_duns == "079728394"
    assert mn_all[23].obligated == -54495.0  # line 23 '-54495'
    assert mn_all[23].base_date == "2003-03-15"  # '3/15/03'


def test_umn_and_mn_all_agree_on_the_same_award(mn_all, umn):
    """The 5 umn awards are also in mn_all: the pristine and the spreadsheet-damaged copies read the same."""
    keys = {award.key: award for award in mn_all.values()}
    for award in umn.values():
        twin = keys[award.key]
        for field in (
            "obligated",
            "current_value",
            "potential_value",
            "base_date",
            "start_date",
            "end_date",
            "potential_end_date",
            "values_as_of",
        ):
            assert getattr(twin, field) == getattr(award, field), (award.key, field)


# ---------------------------------------------------------------------------------- Torn Apart (2018)


def test_torn_apart_fy13_has_its_header(shared_data):
    records = read_all(shared_data / TORN / "fy13.csv")
    assert len(records) == 157
    assert all(isinstance(r, Transaction) for r in records)


@pytest.mark.parametrize("name", ["fy14.csv", "fy15.csv", "fy16.csv", "fy17.csv", "fy18.csv"])
def test_torn_apart_without_header_needs_header_from(excerpts, name):
    with pytest.raises(SourceError) as error:
        read_all(excerpts / TORN / name)
    message = str(error.value)
    assert "--header-from" in message
    assert name in message


@pytest.mark.parametrize(
    "name, rows", [("fy14.csv", 193), ("fy15.csv", 444), ("fy16.csv", 936), ("fy17.csv", 1739), ("fy18.csv", 2203)]
)
@pytest.mark.parametrize("header", ["fy13.csv", "follow_the_money_data_dictionary.csv"])
def test_torn_apart_loads_with_header_from(shared_data, name, rows, header):
    records = read_all(shared_data / TORN / name, shared_data / TORN / header)
    assert len(records) == rows
    assert [r for r in records if isinstance(r, Reject)] == []
    assert all(r.award.awarding.toptier_code == "070" for r in records)  # raw '70' on every row
    assert all(r.award.awarding.subtier_code == "7012" for r in records)


def test_header_from_dictionary_equals_header_from_fy13(excerpts):
    fy14 = excerpts / TORN / "fy14.csv"
    from_csv = read_all(fy14, excerpts / TORN / "fy13.csv")
    from_dictionary = read_all(fy14, excerpts / TORN / "follow_the_money_data_dictionary.csv")
    assert [(t.key, t.obligation, t.action_date) for t in from_csv] == [
        (t.key, t.obligation, t.action_date) for t in from_dictionary
    ]


def test_header_from_is_ignored_for_a_file_with_its_own_header(shared_data):
    records = read_all(shared_data / TORN / "fy13.csv", shared_data / TORN / "follow_the_money_data_dictionary.csv")
    assert len(records) == 157  # the header row is not read as data


def test_header_from_of_another_width_is_a_clear_error(excerpts):
    with pytest.raises(SourceError) as error:
        read_all(excerpts / TORN / "fy14.csv", excerpts / BULK / UMN)  # 286 columns vs 259
    assert "259" in str(error.value) and "286" in str(error.value)


def test_header_from_missing_file_is_a_clear_error(shared_data, tmp_path):
    with pytest.raises(SourceError) as error:
        read_all(shared_data / TORN / "fy14.csv", tmp_path / "nope.csv")
    assert "nope.csv" in str(error.value)


@pytest.fixture(scope="module")
def fy14(shared_data):
    return by_line(read_all(shared_data / TORN / "fy14.csv", shared_data / TORN / "fy13.csv"))


@pytest.fixture(scope="module")
def fy18(shared_data):
    return by_line(read_all(shared_data / TORN / "fy18.csv", shared_data / TORN / "fy13.csv"))


def test_torn_apart_first_row_golden(fy14):
    tx = fy14[1]  # fy14.csv line 1 (no header): HSCEDM14F00011, ALUTIIQ DIVERSIFIED SERVICES
    assert tx.award.key == "CONT_AWD_HSCEDM14F00011_7012_GS21F0017Y_4732"
    assert tx.modification == "0"
    assert tx.obligation == 824680.0
    assert tx.action_date == "2014-03-27"  # '27/03/2014'
    assert tx.award.start_date == "2014-05-01"  # '01/05/14 00:00'
    assert tx.award.end_date == "2019-04-30"  # '30/04/19 00:00'
    assert tx.award.potential_end_date == "2019-10-31"  # '31/10/19 00:00'
    assert tx.award.current_value == 4224131.67
    assert tx.award.potential_value == 5568643.41
    assert tx.award.recipient.name == "ALUTIIQ DIVERSIFIED SERVICES, LLC"
    assert tx.award.recipient.duns == "784737723"
    assert tx.award.recipient.parent_duns == "052089695"  # raw '52089695': lost its leading zero
    assert tx.award.recipient.uei is None  # 2018 downloads carry no UEI
    assert (tx.award.awarding.toptier_code, tx.award.awarding.subtier_code, tx.award.awarding.office_code) == (
        "070",
        "7012",
        "ACL00",
    )
    assert tx.award.parent_piid == "GS21F0017Y" and tx.award.parent_agency == "4732"
    assert tx.award.prov.source.endswith("fy14.csv") and tx.award.prov.record == "line 1"


def test_torn_apart_duns_lost_zeros_are_padded(fy18):
    motorola = fy18[825]  # fy18.csv line 825: recipient_duns '69373090', recipient_parent_duns '1325463'
    assert motorola.award.recipient.name == "MOTOROLA INCORPORATED"
    assert motorola.award.recipient.duns == "069373090"
    assert motorola.award.recipient.parent_duns == "001325463"
    assert motorola.action_date == "2018-04-26"
    bi = fy18[312]  # fy18.csv line 312: B.I. INCORPORATED '94160959', parent GEO '612706465'
    assert bi.award.recipient.duns == "094160959"
    assert bi.award.recipient.parent_duns == "612706465"


def test_torn_apart_idv_and_deobligation(fy18):
    idv = fy18[196]  # fy18.csv line 196: PALANTIR USG, award_or_idv_flag IDV, no parent award
    assert idv.award.key == "CONT_IDV_HSCETC14C00002_7012"
    assert idv.obligation == 1344000.0
    assert idv.award.recipient.duns == "825284321"
    assert idv.award.recipient.parent_duns == "362130952"
    assert idv.award.funding.office_code == "70C0PS"
    deobligation = fy18[314]  # fy18.csv line 314: -84903.98 on an ISAP III order
    assert deobligation.obligation == -84903.98
    assert deobligation.award.key == "CONT_AWD_HSCEDM16J00039_7012_HSCEDM14D00004_7012"


def test_torn_apart_keys_match_usaspending_generated_ids(fy18, shared_data):
    """Keys built from 2018 columns equal the generated ids the live API reports for the same awards."""
    generated = set()
    for name in ("CBP_ICE_FY2021_Contract_Obligations.csv",):
        with (shared_data / "spending_by_transaction_ice_cbp_fy2021_2026" / name).open(newline="") as handle:
            generated.update(row["Generated Award ID"] for row in csv.DictReader(handle))
    # fy18.csv line 282 (HSCETC15C00001) and CBP_ICE_FY2021 line 9171; fy18 line 108 has its own key
    assert fy18[282].award.key == "CONT_AWD_HSCETC15C00001_7012_-NONE-_-NONE-"
    assert fy18[282].award.key in generated
    assert fy18[108].award.key == "CONT_AWD_70CMSD18FR0000094_7012_GS35F0086U_4730"


# ------------------------------------------------------------------------------------------ subawards


def test_subaward_golden(shared_data):
    records = by_line(read_all(shared_data / BULK / SUBS_MN))
    sub = records[3]  # mn_all subawards line 3: 3M COMPANY under ATLANTIC DIVING SUPPLY
    assert sub.prime.key == "CONT_AWD_70CMSW24FC0000026_7012_70CMSW21A00000003_7012"
    assert sub.prime.recipient.name == "ATLANTIC DIVING SUPPLY, INC."
    assert sub.prime.recipient.uei == "GJMSFBCNMSK3"
    assert sub.prime.base_date == "2024-02-02"
    assert sub.prime_amount == 246063.95
    assert sub.sub.name == "3M COMPANY"
    assert sub.sub.uei == "YLQMY5SGNE55"
    assert sub.sub.duns == "006173082"
    assert sub.number == "1352597"
    assert sub.amount == 67090.0
    assert sub.action_date == "2024-02-08"
    # the key both the bulk files and the API's subaward search can give (core.keys.subaward_key)
    assert sub.key == f"{sub.prime.key}|1352597|2024-02-08|67090.00"
    kl = records[4]  # line 4: KLDISCOVERY ONTRACK with parent LDISCOVERY
    assert kl.sub.parent_uei == "WCF4J9FPQE59"
    assert kl.sub.parent_name == "LDISCOVERY, LLC"


def test_subaward_prime_keeps_its_parent_idv_agency(shared_data):
    """The subaward file has prime_award_parent_piid but no parent agency column; the prime's unique key
    (CONT_AWD_<piid>_<agency>_<parent piid>_<parent agency>) names it, and the Vehicle node key
    (CONT_IDV_<parent piid>_<parent agency>) needs it, or the same IDV becomes two Vehicle nodes."""
    mn = by_line(read_all(shared_data / BULK / SUBS_MN))
    # mn_all subawards line 3: prime CONT_AWD_70CMSW24FC0000026_7012_70CMSW21A00000003_7012
    assert mn[3].prime.parent_piid == "70CMSW21A00000003"
    assert mn[3].prime.parent_agency == "7012"
    everything = by_line(read_all(shared_data / BULK / SUBS_ALL))
    # all_after_2020 subawards line 3: prime CONT_AWD_70CDCR22FR0000048_7012_47QRAD20D1155_4732 (a GSA FAS IDV)
    assert everything[3].prime.parent_piid == "47QRAD20D1155"
    assert everything[3].prime.parent_agency == "4732"


def _rename_header(source: Path, target: Path, old: str, new: str) -> None:
    with source.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    rows[0] = [name.replace(old, new) for name in rows[0]]
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.mark.parametrize("name", [SUBS_MN, SUBS_ALL])
def test_subaward_sam_report_columns_give_the_same_keys(shared_data, tmp_path, name):
    """Current usaspending-api names the FSRS report columns subaward_sam_report_*; both must read the same."""
    renamed = tmp_path / name
    _rename_header(shared_data / BULK / name, renamed, "subaward_fsrs_report_", "subaward_sam_report_")
    with renamed.open(newline="") as handle:
        header = next(csv.reader(handle))
    assert "subaward_sam_report_id" in header and "subaward_fsrs_report_id" not in header
    original = read_all(shared_data / BULK / name)
    again = read_all(renamed)
    assert [r.key for r in again] == [r.key for r in original]
    # rows alike in prime, number, date and amount (one per SAM/FSRS report) are kept apart by their order
    assert len({r.key for r in original}) == len(original)
    assert [(r.amount, r.action_date, r.sub.uei) for r in again] == [
        (r.amount, r.action_date, r.sub.uei) for r in original
    ]


# ------------------------------------------------------------------------------- damaged / bad inputs


def _write_damaged_umn(shared_data: Path, target: Path) -> None:
    """Synthetic: the real umn file with line 4 one column short, line 5 an unreadable amount,
    line 6 an impossible month; lines 2 and 3 untouched."""
    with (shared_data / BULK / UMN).open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[3] = rows[3][:-1]
    rows[4][header.index("total_obligated_amount")] = "12,3a4"
    rows[5][header.index("award_base_action_date")] = "2024-13-14"
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def test_damaged_rows_are_rejected_with_line_and_reason(shared_data, tmp_path):
    damaged = tmp_path / "damaged.csv"
    _write_damaged_umn(shared_data, damaged)
    records = by_line(read_all(damaged))
    assert sorted(records) == [2, 3, 4, 5, 6]
    assert isinstance(records[2], Award) and records[2].obligated == 16000.0
    assert isinstance(records[3], Award) and records[3].obligated == 9387.5
    assert isinstance(records[4], Reject) and records[4].record == "line 4"
    assert "285" in records[4].reason and "286" in records[4].reason
    assert isinstance(records[5], Reject) and "12,3a4" in records[5].reason
    assert isinstance(records[6], Reject) and "2024-13-14" in records[6].reason


def test_damaged_file_load_writes_rejects_file(shared_data, tmp_path, make_store):
    damaged = tmp_path / "damaged.csv"
    _write_damaged_umn(shared_data, damaged)
    store = make_store()
    summary = load(
        store,
        usaspending_csv.read(damaged),
        command="usaspending-csv",
        inputs=[str(damaged)],
        rejects_dir=tmp_path / "rejects",
        progress=False,
    )
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (5, 2, 3)
    assert summary["awards"] == 2
    with Path(summary["rejects_file"]).open(newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [row["record"] for row in rejects] == ["line 4", "line 5", "line 6"]
    assert all(row["source"] == str(damaged) for row in rejects)
    assert "12,3a4" in rejects[1]["reason"]
    # the raw row is kept for a human to fix (umn line 4 is 70CDCR22P00000014, line 5 70CDCR23P00000017)
    assert "70CDCR22P00000014" in rejects[0]["raw"]
    assert "70CDCR23P00000017" in rejects[1]["raw"]
    assert Queries(store).stats()["nodes"]["Award"] == 2


def test_unknown_layout_is_a_source_error(tmp_path):
    path = tmp_path / "other.csv"  # synthetic: a header naming two known columns, but no known layout
    path.write_text("recipient_name,award_id_piid,amount\nACME,X1,3\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        read_all(path)
    assert "unknown CSV layout" in str(error.value) and "other.csv" in str(error.value)


def test_headerless_unknown_file_is_a_source_error(tmp_path):
    path = tmp_path / "junk.csv"  # synthetic
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        read_all(path)
    assert "--header-from" in str(error.value)


def test_empty_file_is_a_source_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(SourceError) as error:
        read_all(path)
    assert "empty" in str(error.value) and "empty.csv" in str(error.value)


def test_missing_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError) as error:
        read_all(tmp_path / "missing.csv")
    assert "missing.csv" in str(error.value) and "no such file" in str(error.value)


def test_header_only_file_reads_nothing(shared_data, tmp_path):
    path = tmp_path / "header_only.csv"
    with (shared_data / BULK / UMN).open(newline="", encoding="utf-8-sig") as handle:
        path.write_text(handle.readline(), encoding="utf-8")
    assert read_all(path) == []


def test_a_delta_files_deletions_are_read_as_deletions_and_one_without_its_key_is_rejected(shared_data, tmp_path):
    # Real fy13 rows with the delta files' columns added: correction_delete_ind C (corrected or new) or D
    # (deleted), and the action's contract_transaction_unique_key (blank on the last row)
    with (shared_data / "torn_apart_ice_fy2013_2018/fy13.csv").open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for _, row in zip(range(4), csv.reader(handle), strict=False)]
    delta = tmp_path / "FY(All)_070_Contracts_Delta_20250106_1.csv"
    with delta.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ["correction_delete_ind", "contract_transaction_unique_key", *rows[0]],
                ["C", "7012_-NONE-_A_0_-NONE-_0", *rows[1]],
                ["D", "7012_-NONE-_B_P00001_-NONE-_0", *rows[2]],
                ["D", "", *rows[3]],
            ]
        )

    kept, deleted, keyless = list(usaspending_csv.read(delta))

    assert isinstance(kept, Transaction) and kept.key == "7012_-NONE-_A_0_-NONE-_0"
    assert isinstance(deleted, Deletion) and deleted.key == "7012_-NONE-_B_P00001_-NONE-_0"
    assert deleted.prov.record == "line 3" and deleted.prov.source == str(delta)
    assert isinstance(keyless, Reject) and keyless.record == "line 4"
    assert keyless.reason.startswith("a delta file's deletion (correction_delete_ind D) without the contract_")
