"""Entity resolution: vendor families over ALL the real files, checked against raw records and Torn Apart's
own curated `vendor_decorations.csv`, on every store; plus unit tests of the resolution (`graph.resolution`)
on identifiers taken from those files.

Award keys below were read from the raw rows named in each comment (for Torn Apart rows the key is
CONT_AWD_<award_id_piid>_<awarding_sub_agency_code>_<parent_award_id>_<parent_award_agency_id>, or
CONT_IDV_<piid>_<agency> for award_or_idv_flag IDV, as USAspending builds it).
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict

import pytest

from core.curated import curated_links, load_families
from graph.questions.queries import Queries
from graph.resolution import Party, resolve
from ingest import transactions_csv, usaspending_csv
from ingest.load import load

from .conftest import STORE_KINDS, open_test_store

BULK = "usaspending_bulk_ice_mn"
TORN = "torn_apart_ice_fy2013_2018"
TX = "spending_by_transaction_ice_cbp_fy2021_2026"


@pytest.fixture(scope="module", params=STORE_KINDS)
def store(shared_data, tmp_path_factory, request):
    """Bulk ICE MN, Torn Apart fy13-18 (header from fy13), transactions FY2021-2026: one store."""
    home = tmp_path_factory.mktemp("kg_all")
    store = open_test_store(request.param, home, request)
    bulk = sorted((shared_data / BULK).glob("*.csv"))
    torn = [shared_data / TORN / f"fy{year}.csv" for year in range(13, 19)]
    exports = sorted((shared_data / TX).glob("*.csv"))
    header = shared_data / TORN / "fy13.csv"
    runs = [
        ("usaspending-csv", bulk, lambda p: usaspending_csv.read(p)),
        ("usaspending-csv", torn, lambda p: usaspending_csv.read(p, header)),
        ("transactions-csv", exports, lambda p: transactions_csv.read(p)),
    ]
    for command, paths, reader in runs:
        summary = load(
            store,
            (r for p in paths for r in reader(p)),
            command=command,
            inputs=[str(p) for p in paths],
            rejects_dir=home / "rejects",
            progress=False,
        )
        assert summary["rows_rejected"] == 0
    yield store
    store.close()


def members(family: dict) -> set[str]:
    return {family["id"], *(sub["id"] for sub in family["subsidiaries"])}


def award_keys(family: dict) -> set[str]:
    return {row["key"] for row in family["awards"]}


def vendors_with_duns(store, duns: str) -> set[str]:
    return {vid for vid, _, known, _ in store.vendor_index() if known == duns}


# ---------------------------------------------------------------------------------- curated families


def test_palantir_is_one_family(store):
    family = Queries(store).vendor_family("Palantir")
    assert family["name"] == "Palantir Technologies Inc."
    assert "PALANTIR USG, INC." in {sub["name"] for sub in family["subsidiaries"]}
    assert award_keys(family) == {
        # torn_apart (DUNS 362130952 PALANTIR TECHNOLOGIES / 825284321 PALANTIR USG)
        "CONT_AWD_HSCETC13F00010_7012_GS35F0086U_4730",  # fy13.csv line 8 (PALANTIR TECHNOLOGIES INCORPORATED)
        "CONT_AWD_HSCETC13F00030_7012_GS35F0086U_4730",  # fy13.csv line 9; also CBP_ICE_FY2021 line 9126
        "CONT_AWD_HSCETE11F00125_7012_GS35F0086U_4730",  # fy13.csv line 10
        "CONT_IDV_HSCETC14C00002_7012",  # fy17.csv line 104, fy18.csv line 196: PALANTIR USG, INC. (IDV)
        "CONT_AWD_70CMSD18FR0000094_7012_GS35F0086U_4730",  # fy18.csv line 108
        "CONT_AWD_HSCETC15C00001_7012_-NONE-_-NONE-",  # fy18.csv line 282; also CBP_ICE_FY2021 line 9171
        # CBP_ICE_FY20xx 'PALANTIR TECHNOLOGIES INC.' (name only)
        "CONT_AWD_70CTD019C00000001_7012_-NONE-_-NONE-",  # FY2021 line 5188
        "CONT_AWD_70CTD019FR0000268_7012_GS35F0086U_4730",  # FY2021 line 5136
        "CONT_AWD_70CTD022FR0000070_7012_GS35F0086U_4730",  # FY2022 line 6430
        "CONT_AWD_70CTD022FR0000170_7012_GS35F0086U_4730",  # FY2022 line 6361
        "CONT_AWD_70CTD026FC0000012_7012_70RTAC26A00000001_7001",  # FY2026 line 4463
        "CONT_AWD_70CTD026FC0000018_7012_70RTAC26A00000001_7001",  # FY2026 line 4467
    }
    assert "7012" in {agency["code"] for agency in family["agencies"]}
    by_key = {row["key"]: row for row in family["awards"]}
    assert by_key["CONT_IDV_HSCETC14C00002_7012"]["vendor"]["name"] == "PALANTIR USG, INC."
    assert by_key["CONT_IDV_HSCETC14C00002_7012"]["vendor"]["confidence"] == "high"  # matched on DUNS
    # fy13 line 9 1218373.06 + fy14 line 12 1431264.65 + fy15 line 15 241794.41 + FY2021 line 9126 0.0
    assert by_key["CONT_AWD_HSCETC13F00030_7012_GS35F0086U_4730"]["obligated"] == pytest.approx(2891432.12, abs=0.005)


def test_amazon_family(store):
    family = Queries(store).vendor_family("Amazon")
    assert family["name"] == "Amazon.com, Inc."
    assert "AMAZON WEB SERVICES, INC." in {sub["name"] for sub in family["subsidiaries"]}
    keys = award_keys(family)
    assert "CONT_AWD_70BPCR22P62360281_7014_-NONE-_-NONE-" in keys  # CBP_ICE_FY2022 line 3680, AWS (CBP)
    assert "CONT_AWD_70CMSD18P00000067_7012_-NONE-_-NONE-" in keys  # torn_apart fy18.csv line 2165, AMAZON.COM LLC
    assert {agency["code"] for agency in family["agencies"]} == {"7012", "7014"}


def test_thomson_reuters_family(store):
    family = Queries(store).vendor_family("Thomson Reuters")
    assert family["name"] == "Thomson Reuters Corporation"
    names = {sub["name"] for sub in family["subsidiaries"]}
    assert {"WEST PUBLISHING CORPORATION", "THOMSON REUTERS SPECIAL SERVICES LLC"} <= names
    keys = award_keys(family)
    assert "CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-" in keys  # mn_all line 2, WEST PUBLISHING (LPR data)
    assert "CONT_AWD_HSCEMD17F00242_7012_GS02F026DA_4732" in keys  # torn_apart fy17.csv line 515, WEST (DUNS)
    assert "CONT_AWD_70CMSD21C00000002_7012_-NONE-_-NONE-" in keys  # CBP_ICE_FY2021 line 5251, TRSS (name only)
    assert "CONT_AWD_HSCEDM16P00082_7012_-NONE-_-NONE-" in keys  # torn_apart fy17.csv line 1423, TRSS (DUNS)
    assert Queries(store).vendor_family("West Publishing")["id"] == family["id"]


def test_relx_family(store):
    family = Queries(store).vendor_family("RELX")
    assert family["name"] == "RELX PLC"
    names = {sub["name"] for sub in family["subsidiaries"]}
    assert {"LEXISNEXIS SPECIAL SERVICES INC", "LEXISNEXIS RISK SOLUTIONS INC"} <= names
    keys = award_keys(family)
    assert "CONT_AWD_HSCEMD17F00241_7012_GS02F0048M_4730" in keys  # torn_apart fy17.csv line 1199, RELX INC.
    assert "CONT_AWD_HSCECR15P00009_7012_-NONE-_-NONE-" in keys  # torn_apart fy18.csv line 1364, REED ELSEVIER
    assert "CONT_AWD_70CMSD21C00000001_7012_-NONE-_-NONE-" in keys  # CBP_ICE_FY2021 line 5296, LEXISNEXIS RISK
    assert "CONT_AWD_70B04C18F00000031_7014_LC14C7121_0300" in keys  # CBP_ICE_FY2021 line 305, RELX INC. (CBP)
    assert Queries(store).vendor_family("LexisNexis")["id"] == family["id"]


def test_corecivic_family(store):
    family = Queries(store).vendor_family("CoreCivic")
    assert family["name"] == "CoreCivic, Inc."
    keys = award_keys(family)
    assert "CONT_AWD_HSCEDM16J00023_7012_HSCEDM09D00007_7012" in keys  # fy16.csv line 653, CORRECTIONS CORP. OF AMERICA
    assert "CONT_AWD_70CDCR21FR0000010_7012_70CDCR20D00000007_7012" in keys  # CBP_ICE_FY2021 line 5119, CORECIVIC
    assert Queries(store).vendor_family("Corrections Corporation of America")["id"] == family["id"]


def test_geo_group_family(store):
    family = Queries(store).vendor_family("GEO Group")
    assert family["name"] == "The GEO Group, Inc."
    names = {sub["name"] for sub in family["subsidiaries"]}
    assert {"B.I. INCORPORATED", "GEO CARE LLC", "GEO TRANSPORT, INC."} <= names
    keys = award_keys(family)
    assert "CONT_AWD_HSCEDM17J00026_7012_HSCEDM14D00004_7012" in keys  # fy18.csv line 315, B.I. (ISAP III)
    assert "CONT_AWD_HSCEDM16J00044_7012_HSCEDM15D00008_7012" in keys  # fy16.csv line 186, GEO CARE LLC
    assert "CONT_AWD_70CDCR21FR0000044_7012_70CDCR20D00000011_7012" in keys  # CBP_ICE_FY2021 line 5102, B.I. (name)
    assert "CONT_AWD_70B03C20P00000219_7014_-NONE-_-NONE-" in keys  # CBP_ICE_FY2021 line 1120, THE GEO GROUP (CBP)
    assert "CONT_AWD_70CDCR21C00000005_7012_-NONE-_-NONE-" in keys  # CBP_ICE_FY2021 line 5172, GEO TRANSPORT


def test_clearview_family_from_ice_and_cbp_name_only(store):
    family = Queries(store).vendor_family("Clearview")
    assert family["name"] == "Clearview AI, Inc."
    # every 'CLEARVIEW AI, INC.' row in CBP_ICE_FY2021..2026 (12 rows, 6 awards)
    assert award_keys(family) == {
        "CONT_AWD_70CMSD21P00000127_7012_-NONE-_-NONE-",  # FY2021 5646, FY2022 7050/7051/9308, FY2023 6608, FY2025 9888
        "CONT_AWD_70CMSD24P00000119_7012_-NONE-_-NONE-",  # FY2024 6621, FY2026 6683
        "CONT_AWD_70CMSD25P00000111_7012_-NONE-_-NONE-",  # FY2025 6721
        "CONT_AWD_70B03C25P00000321_7014_-NONE-_-NONE-",  # FY2025 3089 (CBP)
        "CONT_AWD_70B03C25P00000322_7014_-NONE-_-NONE-",  # FY2025 3539 (CBP)
        "CONT_AWD_70B03C26P00000181_7014_-NONE-_-NONE-",  # FY2026 2025 (CBP)
    }
    assert {(a["code"], a["award_count"]) for a in family["agencies"]} == {("7012", 3), ("7014", 3)}
    ice = next(a for a in family["agencies"] if a["code"] == "7012")
    # 500000+500000+500000+0+787500+0 + 1102500+0 + 3750000
    assert ice["total_obligated"] == 7140000.0
    assert family["total_obligated"] == 7200750.0  # + CBP 30000 + 15000 + 15750
    assert {(row["vendor"]["match"], row["vendor"]["confidence"]) for row in family["awards"]} == {("name", "low")}


def test_dotted_llc_spelling_joins_the_same_vendor(store):
    """torn_apart fy14.csv line 152 'CREATIVE CORRECTIONS, L.L.C.' (DUNS 143530926) and CBP_ICE_FY2021
    line 5201 'CREATIVE CORRECTIONS, LLC' (name only, same GSA schedule GS00F013AA) are one vendor."""
    family = Queries(store).vendor_family("Creative Corrections")
    keys = award_keys(family)
    assert "CONT_AWD_HSCECR14F00035_7012_GS00F013AA_4732" in keys
    assert "CONT_AWD_70CDCR21FR0000019_7012_GS00F013AA_4732" in keys


# ------------------------------------------------------------ Torn Apart's vendor_decorations.csv


def read_decorations(shared_data) -> list[tuple[int, str, str]]:
    """(line, 9-digit DUNS, cleanName); the file lost the DUNS leading zeros like the fy files."""
    with (shared_data / TORN / "vendor_decorations.csv").open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row["duns"].strip().zfill(9), row["cleanName"].strip()) for row in reader]


@pytest.mark.parametrize(
    "query, canonical, duns_lines",
    [
        # decorations lines 445 '69373090' and 1178 '1325463' share cleanName 'Motorola Solutions'
        ("Motorola", "Motorola Solutions, Inc.", {445: "069373090", 1178: "001325463"}),
        # lines 182 and 747: decorations keep PALANTIR USG apart; the curated table (10-K Exhibit 21) joins them
        ("Palantir", "Palantir Technologies Inc.", {182: "362130952", 747: "825284321"}),
        # lines 28 'Relx', 1086 'Relx PLC', 1091 'Relx Group PLC'
        ("RELX", "RELX PLC", {28: "877672683", 1086: "210244596", 1091: "230792756"}),
        # lines 17 The Geo Group, 378 B.i., 405 Geo Care, 105 Cornell Companies (parent DUNS 612706465 in the fy files)
        ("GEO Group", "The GEO Group, Inc.", {17: "612706465", 378: "094160959", 405: "079787440", 105: "797470549"}),
        # line 11: CORRECTIONS CORPORATION OF AMERICA -> cleanName CoreCivic
        ("CoreCivic", "CoreCivic, Inc.", {11: "159734151"}),
        # lines 76 West Publishing, 90 Thomson Reuters Special Services, 1094 'The Thomson Company' (West's parent DUNS)
        ("Thomson Reuters", "Thomson Reuters Corporation", {76: "148508286", 90: "827821757", 1094: "251100749"}),
        # lines 237 Amazon.Com (AMAZON.COM LLC) and 1126 Amazon.com (AMAZON.COM INC.)
        ("Amazon", "Amazon.com, Inc.", {237: "128990368", 1126: "884745530"}),
    ],
)
def test_decorated_duns_land_in_the_curated_family(store, shared_data, query, canonical, duns_lines):
    decorations = {line: duns for line, duns, _ in read_decorations(shared_data)}
    family = Queries(store).vendor_family(query)
    assert family["name"] == canonical
    for line, duns in duns_lines.items():
        assert decorations[line] == duns  # the literal above is what the file says
        found = vendors_with_duns(store, duns)
        assert found, f"no vendor with DUNS {duns} (decorations line {line})"
        assert found <= members(family), f"DUNS {duns} (decorations line {line}) outside {canonical}: {found}"


def _family_tops(store, day: str) -> dict[str, frozenset]:
    """Vendor id -> the family it belonged to on `day` (one at a time)."""
    ids = [row["id"] for row in Queries(store).entities() if row["kind"] == "Vendor"]
    return {vid: frozenset([family]) for vid, family in Queries(store).families_on(ids, day).items()}


def test_decorations_agreement_rate(store, shared_data):
    """Pairs of DUNS that Torn Apart gives the same cleanName should share a family in our store.

    Families are compared as they were on the day Torn Apart published its file (a vendor is in one family at a
    time: L3 Technologies reports L3Harris as its parent from 2021). Measured on the real files: 71 such pairs
    (cleanName trimmed) with both DUNS in the store, 66 agree (93.0%); the 5 apart (CSRA, Fleet Management,
    Shred-It USA, Peraton) report different parents in the records themselves. Our store also joins
    many pairs that decorations name differently (subsidiary vs parent), which is expected and only printed.
    """
    tops = _family_tops(store, "2018-09-10")  # the day Torn Apart published its decorations
    by_duns = defaultdict(set)
    for vid, _, duns, _ in store.vendor_index():
        if duns:
            by_duns[duns].add(vid)
    present = [(duns, clean) for _, duns, clean in read_decorations(shared_data) if duns in by_duns]
    assert len(present) == 1297  # every decorated DUNS was loaded from the fy files

    def family(duns):
        return frozenset().union(*(tops[vid] for vid in by_duns[duns]))

    same = agree = joined_other = 0
    apart = []
    for (d1, c1), (d2, c2) in itertools.combinations(present, 2):
        together = bool(family(d1) & family(d2))
        if c1 == c2:
            same += 1
            agree += together
            if not together:
                apart.append((c1, d1, d2))
        elif together:
            joined_other += 1
    rate = agree / same
    print(
        f"\ndecorations agreement: {agree}/{same} same-cleanName DUNS pairs share a family ({rate:.1%}); "
        f"{joined_other} pairs with different cleanNames are joined by reported/curated parents; apart: {apart}"
    )
    assert same == 71
    assert rate >= 0.9


# ------------------------------------------------------------------------------------ Resolver units


def match(parties: list[Party], party: Party) -> tuple[str, str]:
    """(vendor id, how it matched) of `party` when the store holds `parties`."""
    return resolve(parties)[0][party]


def test_uei_beats_name():
    # mn_all line 2: WEST PUBLISHING CORPORATION, UEI L997DB4PEJL8; its parent THOMSON REUTERS (MARKETS) ERQ7UKKC3791
    west = Party("WEST PUBLISHING CORPORATION", "L997DB4PEJL8", None)
    parent = Party("THOMSON REUTERS (MARKETS) LLC", "ERQ7UKKC3791", None)
    # a record carrying West's UEI under another name is West
    again = Party("THOMSON REUTERS (MARKETS) LLC", "L997DB4PEJL8", None)
    parties = [west, parent, again]
    assert match(parties, west) == ("uei:L997DB4PEJL8", "uei")
    assert match(parties, parent)[0] == "uei:ERQ7UKKC3791"
    assert match(parties, again) == ("uei:L997DB4PEJL8", "uei")


def test_duns_only_then_uei_and_duns_land_on_one_vendor():
    # torn_apart fy17.csv line 515: DUNS only (2018 download); mn_all line 177: UEI and DUNS; mn_all line 2: UEI only
    old = Party("WEST PUBLISHING CORPORATION", None, "148508286")
    both = Party("WEST PUBLISHING CORPORATION", "L997DB4PEJL8", "148508286")
    uei_only = Party("WEST PUBLISHING CORPORATION", "L997DB4PEJL8", None)
    for parties in itertools.permutations([old, both, uei_only]):  # any order: the same vendor, named by its UEI
        matched, vendors = resolve(parties)
        assert {matched[p][0] for p in parties} == {"uei:L997DB4PEJL8"}
        assert (matched[old][1], matched[both][1], matched[uei_only][1]) == ("duns", "uei", "uei")
        assert vendors["uei:L997DB4PEJL8"].duns == "148508286"


def test_different_ueis_with_the_same_name_key_stay_apart():
    # umn line 2 'REGENTS OF THE UNIVERSITY OF MINNESOTA' KABJZBBJ4B54; umn line 6 'REGENTS OF UNIVERSITY OF
    # MINNESOTA' FVJMNPLMEEJ2: the names normalize alike but the registrations differ
    first = Party("REGENTS OF THE UNIVERSITY OF MINNESOTA", "KABJZBBJ4B54", None)
    second = Party("REGENTS OF UNIVERSITY OF MINNESOTA", "FVJMNPLMEEJ2", None)
    assert match([first, second], first)[0] == "uei:KABJZBBJ4B54"
    assert match([first, second], second)[0] == "uei:FVJMNPLMEEJ2"


def test_different_duns_with_the_same_name_stay_apart():
    # torn_apart: parent 'RELX INC.' appears with DUNS 210244596 and with DUNS 230792756
    a, b = Party("RELX INC.", None, "210244596"), Party("RELX INC.", None, "230792756")
    assert match([a, b], a)[0] != match([a, b], b)[0]


def test_name_only_record_attaches_with_low_confidence():
    west = Party("WEST PUBLISHING CORPORATION", "L997DB4PEJL8", "148508286")
    # CBP_ICE_FY2021 line 6477: 'WEST PUBLISHING CORPORATION', no identifiers; and another punctuation of it
    name_only, punctuated = Party("WEST PUBLISHING CORPORATION", None, None), Party("West Publishing Corp.", None, None)
    new = Party("CLEARVIEW AI, INC.", None, None)
    parties = [west, name_only, punctuated, new]
    assert match(parties, name_only) == ("uei:L997DB4PEJL8", "name")
    assert match(parties, punctuated) == ("uei:L997DB4PEJL8", "name")
    assert match(parties, new) == ("name:CLEARVIEW AI", "name")  # an unknown name is a vendor of its own


def test_a_record_joined_to_a_vendor_by_its_name_says_so():
    """A DUNS-only record and a UEI-only record with the same legal name and no conflicting identifier are one
    vendor, known by its UEI: the DUNS record joined it through its name, so its match says "name"."""
    west = Party("WEST PUBLISHING CORPORATION", None, "148508286")
    other = Party("WEST PUBLISHING CORP", "ZZZZZZZZZZZZ", None)
    matched, _ = resolve([west, other])
    assert matched[west] == ("uei:ZZZZZZZZZZZZ", "name")
    assert matched[other] == ("uei:ZZZZZZZZZZZZ", "uei")


def test_curated_table_lookups():
    families = load_families()
    assert curated_links(families, "CORRECTIONS CORPORATION OF AMERICA") == ("org:corecivic-inc", [])
    alias, parents = curated_links(families, "PALANTIR USG, INC.")
    assert alias is None and [family for family, _ in parents] == ["org:palantir-technologies-inc"]
    alias, parents = curated_links(families, "LEXISNEXIS SPECIAL SERVICES INC")
    assert [family for family, _ in parents] == ["org:relx-plc"]
    assert curated_links(families, "KATHERINE J THOMSON") == (None, [])  # CBP_ICE_FY20xx: not Thomson Reuters
