"""FPDS ATOM feed adapter (`ingest.fpds_atom`) on the two real feed pages in ../shared/reference/fpds.

Golden values were read by eye from the XML (entry number = position of the <entry> in the file,
1-based) and are written here as literals. Damaged and re-shaped feeds are copies written to tmp_path.
"""

from __future__ import annotations

import dataclasses
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from core.records import AgencyRef, Party, Reject, Transaction
from graph.questions.queries import Queries
from ingest import fpds_atom
from ingest.csvfile import SourceError
from ingest.load import load

DOD = "fpds_atom_public_v1.5.2_lastmod_2020-04-02_dod.xml"  # raw wire format
GSA = "fpds_atom_public_v1.5.2_gsa_pbs_4740_reserialized.xml"  # ns0:/ns1: prefixes, no CDATA
ATOM, FPDS = "http://www.w3.org/2005/Atom", "https://www.fpds.gov/FPDS"

AZ_SIGNS = "CONT_AWD_AZ000200206CP0302AZ0036GS07F0087K_4740_GS07F0087K_4730"  # GSA entries 8, 9, 10
BY_LIGHT = "CONT_AWD_0001_9700_W91RUS15D0015_9700"  # DoD entry 10


@pytest.fixture(scope="module")
def fpds_dir(shared_data) -> Path:
    return shared_data.parent / "reference" / "fpds"


def entries(records) -> dict[int, Transaction | Reject]:
    """Records by entry number ("entry 4 (PIID ... mod ...)" -> 4)."""
    out = {}
    for record in records:
        label = record.record if isinstance(record, Reject) else record.award.prov.record
        out[int(label.split()[1])] = record
    return out


@pytest.fixture(scope="module")
def dod(fpds_dir):
    return entries(fpds_atom.read(fpds_dir / DOD))


@pytest.fixture(scope="module")
def gsa(fpds_dir):
    return entries(fpds_atom.read(fpds_dir / GSA))


# ----------------------------------------------------------------------------------- the real files


@pytest.mark.parametrize("name", [DOD, GSA])
def test_each_real_file_yields_ten_transactions_without_rejects(fpds_dir, name):
    records = list(fpds_atom.read(fpds_dir / name, header_from=fpds_dir / "README.md"))  # header_from ignored
    assert len(records) == 10
    assert all(isinstance(record, Transaction) for record in records)
    assert len({record.key for record in records}) == 10  # one key per action
    for number, record in enumerate(records, 1):
        prov = record.award.prov
        assert prov.source == str(fpds_dir / name)
        assert prov.record.startswith(f"entry {number} (PIID {record.award.piid} mod ")
        assert prov.permalink == f"https://www.usaspending.gov/award/{record.award.key}/"
        assert prov.retrieved.endswith("+00:00")


def test_dod_entry_1_saras_navy_seaport_order(dod):
    # DoD entry 1: agencyID 9701 (sic) PIID 0001 mod 0 txn 0, referencedIDVID 9700/N0017811D6668
    tx = dod[1]
    assert tx.key == "9701_9700_0001_0_N0017811D6668_0"
    assert tx.award.key == "CONT_AWD_0001_9701_N0017811D6668_9700"
    assert (tx.award.piid, tx.modification, tx.award.parent_piid, tx.award.parent_agency) == (
        "0001",
        "0",
        "N0017811D6668",
        "9700",
    )
    assert tx.action_date == "2011-06-28" and tx.award.values_as_of == "2011-06-28"
    assert tx.obligation == 2501.00
    assert (tx.award.current_value, tx.award.potential_value) == (2501.00, 2501.00)
    assert tx.award.obligated is None  # the store adds up the loaded actions
    assert (tx.award.start_date, tx.award.end_date, tx.award.potential_end_date) == (
        "2011-06-28",
        "2011-07-14",
        "2011-07-14",
    )  # completion dates carry 15:49:42, dropped
    assert tx.award.base_date is None
    assert tx.award.awarding == AgencyRef(
        "097", "DEPT OF DEFENSE", "1700", "DEPT OF THE NAVY", "N00178", "NSWC DAHLGREN"
    )
    assert tx.award.funding == AgencyRef(
        "097", "DEPT OF DEFENSE", "1700", "DEPT OF THE NAVY", "N65540", "NSWC CARDEROCK DET PHILA"
    )
    assert tx.award.recipient == Party(
        name="SARAS AMERICA INC.",
        uei="J8CPXM4ELEB2",
        duns="044273592",
        cage=None,
        parent_name="SARAS AMERICA INC.",
        parent_uei="J8CPXM4ELEB2",
        parent_duns="044273592",
    )
    assert (tx.award.naics, tx.award.naics_description) == ("541330", "ENGINEERING SERVICES")
    assert (tx.award.psc, tx.award.psc_description) == ("AD25", "SERVICES (OPERATIONAL)")
    assert tx.award.award_type == "DELIVERY ORDER"
    assert tx.description == tx.award.description == "SEAPORT ENHANCED"  # mod 0: the award's own description


def test_dod_entry_10_by_light_modification(dod):
    # DoD entry 10: 9700 PIID 0001 mod 11 txn 0 under 9700/W91RUS15D0015, Army (2100) office W91RUS
    tx = dod[10]
    assert tx.key == "9700_9700_0001_11_W91RUS15D0015_0"
    assert tx.award.key == BY_LIGHT
    assert (tx.award.piid, tx.modification) == ("0001", "11")
    assert tx.action_date == "2020-01-03"
    assert tx.obligation == 323256.60
    # totals as of this action (dollarValues of the action itself are 0.00 / 0.00)
    assert (tx.award.current_value, tx.award.potential_value) == (11392366.76, 11392366.76)
    assert (tx.award.start_date, tx.award.end_date, tx.award.potential_end_date) == (
        "2018-03-04",
        "2020-07-05",
        "2020-07-05",
    )
    assert tx.award.awarding == AgencyRef(
        "097", "DEPT OF DEFENSE", "2100", "DEPT OF THE ARMY", "W91RUS", "ACC-ABERDEEN PROVING GROUNDS CONTR"
    )
    assert (tx.award.funding.subtier_code, tx.award.funding.office_code, tx.award.funding.office_name) == (
        "2100",
        "W5K9FE",
        "W6T3 SIG CNTR BENNING",
    )
    assert tx.award.recipient == Party(
        name="BY LIGHT, PROFESSIONAL IT SERVICES, INC.",
        uei="NKKQE6FG4C28",
        duns="132027694",
        cage="3G4R0",
        parent_name="BY LIGHT  PROFESSIONAL IT SERVICES  INC.",
        parent_uei="NKKQE6FG4C28",
        parent_duns="132027694",
    )
    assert (tx.award.naics, tx.award.naics_description) == ("517110", "WIRED TELECOMMUNICATIONS CARRIERS")
    assert (tx.award.psc, tx.award.psc_description) == ("D304", "IT AND TELECOM- TELECOMMUNICATIONS AND TRANSMISSION")
    assert tx.description == "INFORMATION TECHNOLOGY SUPPORT SERVICES FOR FORT BENNING"
    assert tx.award.description is None  # a modification describes itself, not the award


def test_dod_parents_differ_from_the_vendor_when_the_record_says_so(dod):
    # DoD entry 5: NTT DATA FEDERAL SERVICES (UEI WLDXH4S6J7G6, DUNS 066781865), ultimate parent MBF8BNJR3AN9 / 690626718
    party = dod[5].award.recipient
    assert (party.uei, party.duns, party.parent_uei, party.parent_duns, party.parent_name) == (
        "WLDXH4S6J7G6",
        "066781865",
        "MBF8BNJR3AN9",
        "690626718",
        "NTT DATA FEDERAL SERVICES  INC",
    )
    # DoD entry 7: DLA (97AS) order, cage 26993
    assert dod[7].award.awarding.subtier_code == "97AS"
    assert dod[7].award.recipient.cage == "26993"


def test_gsa_entry_3_cascade_gas_order_under_a_pbs_idv(gsa):
    # GSA entry 3: 4740 PIID 1B3L02518 mod PA03 txn 0, referencedIDVID 4740/GS00P95BSD0006; no NAICS, no DUNS
    tx = gsa[3]
    assert tx.key == "4740_4740_1B3L02518_PA03_GS00P95BSD0006_0"
    assert tx.award.key == "CONT_AWD_1B3L02518_4740_GS00P95BSD0006_4740"
    assert (tx.award.piid, tx.modification) == ("1B3L02518", "PA03")
    assert tx.action_date == "2010-08-19"
    assert tx.obligation == 0.0
    assert (tx.award.current_value, tx.award.potential_value) == (300000.00, 300000.00)
    assert (tx.award.start_date, tx.award.end_date, tx.award.potential_end_date) == (
        "2010-10-01",
        "2013-07-31",
        "2013-07-31",
    )
    assert tx.award.awarding == AgencyRef(
        "047", "GENERAL SERVICES ADMINISTRATION", "4740", "PUBLIC BUILDINGS SERVICE", "LT000", "GSA/PBS"
    )
    assert tx.award.funding == tx.award.awarding
    # no vendorHeader/vendorName in this file: the name is the UEI legal business name
    assert tx.award.recipient == Party(
        name="CASCADE NATURAL GAS CORP",
        uei="HG4WKX3N73K9",
        duns=None,
        cage=None,
        parent_name="MDU RESOURCES GROUP  INC.",
        parent_uei="QFAZN1K95QF8",
    )
    assert (tx.award.naics, tx.award.naics_description) == (None, None)
    assert (tx.award.psc, tx.award.psc_description) == ("S111", "GAS SERVICES")
    assert tx.award.award_type == "DELIVERY ORDER"
    assert tx.description == "WENATCHEE FEDERAL BUILDING&US POST OFFICE NATURAL GAS UTILITY SERVICES"


def test_gsa_entry_8_sign_order_under_a_fas_schedule(gsa):
    # GSA entry 8: 4740 PIID AZ000200206CP0302AZ0036GS07F0087K mod 0 txn 0, referencedIDVID 4730/GS07F0087K;
    # no fundingRequestingOfficeID, no descriptionOfContractRequirement
    tx = gsa[8]
    assert tx.key == "4740_4730_AZ000200206CP0302AZ0036GS07F0087K_0_GS07F0087K_0"
    assert tx.award.key == AZ_SIGNS
    assert (tx.award.piid, tx.modification, tx.award.parent_piid, tx.award.parent_agency) == (
        "AZ000200206CP0302AZ0036GS07F0087K",
        "0",
        "GS07F0087K",
        "4730",
    )
    assert tx.action_date == "2002-06-15"
    assert tx.obligation == 55768.89
    assert (tx.award.current_value, tx.award.potential_value) == (55768.89, 55768.89)
    assert (tx.award.start_date, tx.award.end_date, tx.award.potential_end_date) == (
        "2002-06-15",
        "2002-07-15",
        "2002-07-15",
    )
    assert tx.award.awarding == AgencyRef(
        "047",
        "GENERAL SERVICES ADMINISTRATION",
        "4740",
        "PUBLIC BUILDINGS SERVICE",
        "AZ000",
        "GSA/PBS/R03 NORTH SERVICE CENTER",
    )
    assert tx.award.funding == AgencyRef("047", "GENERAL SERVICES ADMINISTRATION", "4740", "PUBLIC BUILDINGS SERVICE")
    assert tx.award.recipient == Party(
        name="CREATIVE SIGN SERVICE, INC",
        uei="JJFVSN3MUNN5",
        parent_name="CREATIVE SIGN SERVICE  INC.",
        parent_uei="JJFVSN3MUNN5",
    )
    assert (tx.award.naics, tx.award.naics_description) == ("339950", "SIGN MANUFACTURING")
    assert (tx.award.psc, tx.award.psc_description) == ("9905", "SIGNS,AD DISPLAYS & IDENT PLATES")
    assert tx.description is None and tx.award.description is None
    # entries 9 and 10 are modifications PA01 / PA02 of the same order
    assert [gsa[n].award.key for n in (9, 10)] == [AZ_SIGNS, AZ_SIGNS]
    assert [(gsa[n].modification, gsa[n].action_date, gsa[n].obligation) for n in (9, 10)] == [
        ("PA01", "2002-07-15", 0.0),
        ("PA02", "2003-05-15", 0.0),
    ]


def test_a_referenced_idv_gives_a_cont_awd_key_with_the_idv_piid_and_agency(dod, gsa):
    for tx in (*dod.values(), gsa[3], gsa[8]):
        piid, agency, parent_piid, parent_agency = tx.award.key.split("_")[2:]
        assert tx.award.key.startswith("CONT_AWD_")
        assert (piid, parent_piid, parent_agency) == (tx.award.piid, tx.award.parent_piid, tx.award.parent_agency)
    # without a referenced IDV both parent parts are -NONE- (GSA entry 1: definitive purchase order)
    assert gsa[1].award.key == "CONT_AWD_1B3G02670_4740_-NONE-_-NONE-"
    assert gsa[1].key == "4740_-NONE-_1B3G02670_PA09_-NONE-_0"


# ----------------------------------------------------------------------------- namespaces, IDV entries


def _comparable(records):
    """Records with the file-specific provenance (path, mtime) blanked, for comparing two copies."""
    out = []
    for record in records:
        prov = dataclasses.replace(record.award.prov, source="-", retrieved="-")
        out.append(dataclasses.replace(record, award=dataclasses.replace(record.award, prov=prov)))
    return out


@pytest.mark.parametrize("name", [DOD, GSA])
def test_both_serializations_read_the_same(fpds_dir, tmp_path, name):
    """Re-serialize each file with other prefixes: the raw file as ns0:/ns1:, the re-serialized one with
    a default Atom namespace and an 'fpds:' prefix. The records must not change."""
    tree = ET.parse(fpds_dir / name)
    if name == GSA:
        ET.register_namespace("", ATOM)
        ET.register_namespace("fpds", FPDS)
    try:
        copy = tmp_path / name
        tree.write(copy, encoding="utf-8", xml_declaration=True)
    finally:
        ET._namespace_map.pop(ATOM, None)
        ET._namespace_map.pop(FPDS, None)
    text = copy.read_text(encoding="utf-8")
    assert ("<ns0:feed" in text) if name == DOD else ("<feed xmlns=" in text and "<fpds:award" in text)
    original, rewritten = list(fpds_atom.read(fpds_dir / name)), list(fpds_atom.read(copy))
    assert len(rewritten) == 10
    assert _comparable(rewritten) == _comparable(original)


def test_idv_entries_get_cont_idv_keys(fpds_dir, tmp_path):
    """The same DoD entries reshaped as <IDV>/<contractID>/<IDVID> (no transactionNumber), as FPDS writes IDVs."""
    text = (fpds_dir / DOD).read_text(encoding="utf-8")
    text = (
        text.replace("<ns1:award ", "<ns1:IDV ")
        .replace("</ns1:award>", "</ns1:IDV>")
        .replace("ns1:awardID>", "ns1:contractID>")
        .replace("ns1:awardContractID>", "ns1:IDVID>")
        .replace("<ns1:transactionNumber>0</ns1:transactionNumber>", "")
    )
    path = tmp_path / "idv.xml"
    path.write_text(text, encoding="utf-8")
    records = entries(fpds_atom.read(path))
    assert len(records) == 10 and all(isinstance(r, Transaction) for r in records.values())
    assert records[1].award.key == "CONT_IDV_0001_9701"
    assert records[1].key == "9701_9700_0001_0_N0017811D6668_-NONE-"
    assert records[1].award.parent_piid == "N0017811D6668"
    assert records[10].award.key == "CONT_IDV_0001_9700"


def test_entries_that_are_not_award_or_idv_are_rejected(fpds_dir, tmp_path):
    text = (fpds_dir / GSA).read_text(encoding="utf-8")
    first_award = text.index("<ns1:award ")
    end = text.index("</ns1:award>", first_award)
    text = (
        text[:first_award]
        + "<ns1:OtherTransactionAward "
        + text[first_award + len("<ns1:award ") : end]
        + "</ns1:OtherTransactionAward>"
        + text[end + len("</ns1:award>") :]
    )
    path = tmp_path / "ota.xml"
    path.write_text(text, encoding="utf-8")
    records = entries(fpds_atom.read(path))
    assert isinstance(records[1], Reject) and "OtherTransactionAward" in records[1].reason
    assert sum(isinstance(r, Transaction) for r in records.values()) == 9


# ----------------------------------------------------------------------------------- damaged files


def test_a_bad_amount_rejects_that_entry_and_the_rest_load(fpds_dir, tmp_path):
    text = (fpds_dir / DOD).read_text(encoding="utf-8")
    parts = text.split("<entry>")  # parts[4] is entry 4 (ARANEA SOLUTIONS)
    good = "<ns1:obligatedAmount>2501.00</ns1:obligatedAmount>"
    assert parts[4].count(good) == 1
    parts[4] = parts[4].replace(good, "<ns1:obligatedAmount>25O1.OO</ns1:obligatedAmount>")
    path = tmp_path / "damaged.xml"
    path.write_text("<entry>".join(parts), encoding="utf-8")
    records = list(fpds_atom.read(path))
    rejects = [r for r in records if isinstance(r, Reject)]
    assert len(rejects) == 1
    reject = rejects[0]
    assert (reject.source, reject.record) == (str(path), "entry 4")
    assert "25O1.OO" in reject.reason and "not a number" in reject.reason
    assert "ARANEA SOLUTIONS" in reject.raw
    kept = [r for r in records if isinstance(r, Transaction)]
    assert len(kept) == 9
    assert [int(r.award.prov.record.split()[1]) for r in kept] == [1, 2, 3, 5, 6, 7, 8, 9, 10]


def test_an_entry_without_piid_is_rejected(fpds_dir, tmp_path):
    text = (
        (fpds_dir / GSA)
        .read_text(encoding="utf-8")
        .replace("<ns1:PIID>1B3H02196</ns1:PIID>", "<ns1:PIID> </ns1:PIID>", 1)
    )
    path = tmp_path / "no_piid.xml"
    path.write_text(text, encoding="utf-8")
    records = entries(fpds_atom.read(path))
    assert isinstance(records[2], Reject) and records[2].reason == "no PIID" and records[2].record == "entry 2"
    assert sum(isinstance(r, Transaction) for r in records.values()) == 9


def test_a_file_that_is_not_xml_is_a_source_error(tmp_path):
    path = tmp_path / "awards.csv"
    path.write_text("award_id_piid,federal_action_obligation\n0001,2501.00\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"awards\.csv: not XML .*FEEDS/ATOM"):
        list(fpds_atom.read(path))
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match=r"empty\.xml: not XML"):
        list(fpds_atom.read(empty))


def test_xml_that_is_not_an_atom_feed_is_a_source_error(tmp_path):
    path = tmp_path / "rss.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><item/></channel></rss>', encoding="utf-8")
    with pytest.raises(SourceError, match=r"rss\.xml: XML but not an Atom feed \(its root is <rss>"):
        list(fpds_atom.read(path))
    # an FPDS award document on its own (no Atom <feed> around it) is not a feed page either
    award = tmp_path / "award.xml"
    award.write_text(f'<ns1:award xmlns:ns1="{FPDS}"/>', encoding="utf-8")
    with pytest.raises(SourceError, match="not an Atom feed"):
        list(fpds_atom.read(award))


def test_a_truncated_or_missing_file_is_a_source_error(fpds_dir, tmp_path):
    data = (fpds_dir / DOD).read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"truncated\.xml: the XML breaks off after \d entries"):
        list(fpds_atom.read(path))
    with pytest.raises(SourceError, match="no such file"):
        list(fpds_atom.read(tmp_path / "missing.xml"))


# ----------------------------------------------------------------------------------------- loading


def test_both_files_load_into_every_store(fpds_dir, tmp_path, make_store):
    paths = [fpds_dir / DOD, fpds_dir / GSA]
    store = make_store()

    def records():
        for path in paths:
            yield from fpds_atom.read(path)

    summary = load(
        store, records(), command="fpds-atom", inputs=[str(p) for p in paths], rejects_dir=tmp_path, progress=False
    )
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (20, 20, 0)
    assert summary["rejects_file"] is None and summary["duplicate_rows"] == 0
    # DoD: ten orders numbered 0001 under ten different IDVs; GSA: 7 awards + 1 order with 3 actions
    assert summary["awards"] == 18
    stats = Queries(store).stats()
    assert stats["nodes"]["Fact"] == 20  # one per action
    assert stats["nodes"]["Award"] == 18
    assert stats["nodes"]["Vehicle"] == 12  # 10 DoD IDVs + GS00P95BSD0006 + GS07F0087K
    assert stats["relationships"]["HAS_FACT"] == 20
    assert stats["relationships"]["AWARDED_TO"] == 18
    assert stats["relationships"]["AWARDED_BY"] == 18
    assert stats["relationships"]["UNDER_VEHICLE"] == 12  # 10 DoD + GSA entry 3 + the AZ order

    graph = store.to_networkx()
    # GSA entries 8-10: obligations 55768.89 + 0.00 + 0.00; the feed's totalObligatedAmount is 55768.89
    signs = graph.nodes[f"Award:{AZ_SIGNS}"]
    assert signs["obligated"] == 55768.89 and signs["obligated_basis"] == "sum of 3 action(s) loaded"
    assert signs["tx_count"] == 3
    assert (signs["first_action"], signs["last_action"]) == ("2002-06-15", "2003-05-15")
    assert signs["current_value"] == 55768.89  # as of the latest action (2003-05-15)
    # DoD entry 10 is the only action of its order loaded: obligated is that action, not the feed's total
    by_light = graph.nodes[f"Award:{BY_LIGHT}"]
    assert by_light["obligated"] == 323256.60 and by_light["current_value"] == 11392366.76
    # agencies: the office is the award's agency, sub-tier PART_OF the toptier mapped from departmentID
    awarded_by = [v for _, v, k in graph.out_edges(f"Award:{BY_LIGHT}", keys=True) if k == "AWARDED_BY"]
    assert awarded_by == ["Agency:office:W91RUS"]
    assert graph.has_edge("Agency:subtier:2100", "Agency:toptier:097", "PART_OF")
    assert graph.has_edge("Agency:subtier:4740", "Agency:toptier:047", "PART_OF")
    assert graph.nodes["Agency:toptier:047"]["name"] == "General Services Administration"  # curated name

    # loading the same pages again changes no count
    again = load(
        store, records(), command="fpds-atom", inputs=[str(p) for p in paths], rejects_dir=tmp_path, progress=False
    )
    assert again["rows_loaded"] == 20
    assert Queries(store).stats() == stats


def test_department_toptier_mapping():
    assert fpds_atom.department_toptier("9700") == "097"
    assert fpds_atom.department_toptier("4700") == "047"
    assert fpds_atom.department_toptier("7000") == "070"
    assert fpds_atom.department_toptier("1600") is None  # Labor: USAspending files it under FREC 1601
    assert fpds_atom.department_toptier("9568") is None  # not a CGAC-shaped department code
    assert fpds_atom.department_toptier(None) is None


def test_read_rate_on_the_real_files(fpds_dir, capsys):
    paths, rounds = [fpds_dir / DOD, fpds_dir / GSA], 20
    started = time.perf_counter()
    count = sum(1 for _ in range(rounds) for path in paths for _ in fpds_atom.read(path))
    seconds = time.perf_counter() - started
    assert count == 20 * rounds
    with capsys.disabled():
        print(f"\nfpds_atom.read: {count} entries in {seconds:.3f}s = {count / seconds:,.0f} entries/s")


# ----------------------------------------------------------------------------- contract vehicles (Issue 27 part 4)
ARMY_EA = "W519TC25D0039__542a447437b0/page-0000-start-0.xml"  # Palantir USG's Army enterprise agreement, 2 entries


def test_an_idv_entry_reads_its_last_date_to_order_as_its_end(excerpts):
    """Entry 1 of the Army agreement (read by eye): IDVID 9700/W519TC25D0039 mod 0, signed 2025-07-31, lastDateToOrder
    2035-07-31, baseAndAllOptionsValue 10000000000.00, obligatedAmount 0.00, Army office W519TC."""
    tx = entries(fpds_atom.read(excerpts / "fpds_atom_contract_vehicles" / ARMY_EA))[1]
    assert tx.award.key == "CONT_IDV_W519TC25D0039_9700" and tx.obligation == 0.0
    assert (tx.award.end_date, tx.award.potential_end_date) == (None, "2035-07-31")
    assert tx.award.potential_value == 10_000_000_000 and tx.award.current_value is None


def test_vehicle_entries_read_as_vehicles_never_as_actions_or_awards(excerpts):
    """`read_summaries`: each entry is the vehicle as of that action (its totals), so no $0 modification is an action
    dated in a fiscal year and no vehicle is an award; the store keeps the latest (entry 2, mod P00001, 2026-02-27)."""
    from core.facts import record_rows

    awards = list(fpds_atom.read_summaries(excerpts / "fpds_atom_contract_vehicles" / ARMY_EA))
    assert [type(a).__name__ for a in awards] == ["Vehicle", "Vehicle"]
    assert {record_rows(a)[0]["kind"] for a in awards} == {"vehicle"}  # the store's own kind, apart from awards
    first, latest = awards
    assert (first.values_as_of, latest.values_as_of) == ("2025-07-31", "2026-02-27")
    assert latest.prov.record == "entry 2 (PIID W519TC25D0039 mod P00001)"
    assert (latest.obligated, latest.potential_value, latest.potential_end_date) == (0.0, 10_000_000_000, "2035-07-31")
    assert latest.awarding.subtier_code == "2100" and latest.awarding.toptier_code == "097"
    assert latest.recipient.parent_name == "PALANTIR TECHNOLOGIES INC."
    assert first.description.startswith("CONSOLIDATED ENTERPRISE AGREEMENT") and latest.description is None


def test_the_cli_normalizes_vehicles_as_vehicles(shared_data, tmp_path):
    import csv
    import gzip
    import subprocess
    import sys

    out = tmp_path / "vehicles.csv.gz"
    folder = shared_data / "fpds_atom_contract_vehicles"
    pages = sorted(folder.glob("GS35F0086U__*/page-*.xml"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "normalize",
            "--source",
            "fpds-atom-vehicles",
            "--out",
            str(out),
            *map(str, pages),
        ],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(gzip.open(out, "rt", newline="", encoding="utf-8")))
    assert len(rows) == 132 and {row["kind"] for row in rows} == {"vehicle"}  # the GSA schedule's 132 entries
    assert {row["potential_value"] for row in rows} == {"395000.0"}  # totalBaseAndAllOptionsValue, every entry
