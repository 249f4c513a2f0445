"""Every federal agency answers to its usual abbreviation (issue 28, item 9), on both stores.

data/agency_codes.csv carries USAspending's own agency list (authoritative_agency_list.csv in the
usaspending-api repository). The rows below are a real prime-award row of the bulk ICE MN download with its
awarding/funding agency columns set to the codes and names that list gives; two Coast Guard offices whose names
hold "USCG" (office names made up for the test) reproduce "'USCG' matches 2 agencies".
"""

from __future__ import annotations

import csv

import pytest

from core.curated import AGENCY_FILE, load_agencies
from graph.questions.queries import Queries
from ingest import usaspending_csv
from ingest.load import load

from .conftest import STORE_KINDS, open_test_store

REAL = "usaspending_bulk_ice_mn/umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv"

# (toptier code, toptier name, subtier code, subtier name, office code, office name), names as the list spells them
AGENCIES = [
    ("070", "Department of Homeland Security", "7008", "U.S. Coast Guard", "70Z0G1", "USCG CG-912 CONTRACTING"),
    ("070", "Department of Homeland Security", "7008", "U.S. Coast Guard", "70Z023", "USCG SILC CONTRACTING"),
    ("070", "Department of Homeland Security", "7009", "U.S. Secret Service", "70US09", "SECRET SERVICE"),
    ("070", "Department of Homeland Security", "7013", "Transportation Security Administration", "70T0FR", "TSA"),
    ("070", "Department of Homeland Security", "7022", "Federal Emergency Management Agency", "70FA20", "FEMA"),
    (
        "070",
        "Department of Homeland Security",
        "7003",
        "U.S. Citizenship and Immigration Services",
        "70SBUR",
        "USCIS CONTRACTING OFFICE",
    ),
    ("015", "Department of Justice", "1549", "Federal Bureau of Investigation", "15F067", "FBI-JEH"),
    ("015", "Department of Justice", "1524", "Drug Enforcement Administration", "15DDHQ", "DEA HEADQUARTERS"),
    ("015", "Department of Justice", "1544", "U.S. Marshals Service", "15M102", "USMS HEADQUARTERS"),
    ("097", "Department of Defense", "2100", "Department of the Army", "W91QUZ", "W6QK ACC-APG"),
]

# what each abbreviation must name; USMS and ARMY have no abbreviation in USAspending's list (it gives none for
# 1544 and "USA" for 2100): "ARMY" reaches the Army by its name; USMS is sourced to an FPDS record (below).
EXPECTED = {
    "USCG": "subtier:7008",
    "USSS": "subtier:7009",
    "TSA": "subtier:7013",
    "FEMA": "subtier:7022",
    "USCIS": "subtier:7003",
    "FBI": "subtier:1549",
    "DEA": "subtier:1524",
    "DOD": "toptier:097",
    "ARMY": "subtier:2100",
    "DHS": "toptier:070",
    "DOJ": "toptier:015",
    "uscg": "subtier:7008",
    "Marshals": "subtier:1544",
    "USMS": "subtier:1544",
}


@pytest.fixture(scope="module")
def rows_file(excerpts, tmp_path_factory):
    with open(excerpts / REAL, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, real = reader.fieldnames, next(reader)
    path = tmp_path_factory.mktemp("agencies") / "agencies__Contracts_PrimeAwardSummaries_1.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        for number, (top, top_name, sub, sub_name, office, office_name) in enumerate(AGENCIES):
            piid = f"{office}25P{number:08d}"
            key = f"CONT_AWD_{piid}_{sub}_-NONE-_-NONE-"
            row = {
                **real,
                "contract_award_unique_key": key,
                "award_id_piid": piid,
                "usaspending_permalink": f"https://www.usaspending.gov/award/{key}/",
            }
            for role in ("awarding", "funding"):
                row.update(
                    {
                        f"{role}_agency_code": top,
                        f"{role}_agency_name": top_name,
                        f"{role}_sub_agency_code": sub,
                        f"{role}_sub_agency_name": sub_name,
                        f"{role}_office_code": office,
                        f"{role}_office_name": office_name,
                    }
                )
            writer.writerow(row)
    return path


@pytest.fixture(scope="module", params=STORE_KINDS)
def store(rows_file, tmp_path_factory, request):
    home = tmp_path_factory.mktemp("kg_agencies")
    store = open_test_store(request.param, home, request)
    load(
        store,
        usaspending_csv.read(rows_file),
        command="usaspending-csv",
        inputs=[str(rows_file)],
        rejects_dir=home / "rejects",
        progress=False,
    )
    yield store
    store.close()


@pytest.mark.parametrize("text", sorted(EXPECTED))
def test_abbreviation_names_one_agency(store, text):
    assert Queries(store).find_agency(text)["id"] == EXPECTED[text]


def test_the_store_holds_the_listed_abbreviations(store):
    agencies = {e["id"]: e for e in Queries(store).entities() if e["kind"] == "Agency"}
    assert agencies["subtier:7008"]["abbreviation"] == "USCG"
    assert agencies["subtier:7008"]["name"] == "U.S. Coast Guard"
    assert agencies["subtier:2100"]["abbreviation"] == "USA"
    assert agencies["subtier:1544"]["abbreviation"] == "USMS"  # sourced to FPDS, see below
    assert agencies["office:70Z0G1"]["abbreviation"] is None


def test_the_table_is_sourced_and_keeps_the_curated_rows():
    with open(AGENCY_FILE, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({(r["tier"], r["code"]) for r in rows}) == len(rows)
    assert all(r["source"].strip() for r in rows)
    listed = [r for r in rows if "authoritative_agency_list.csv line " in r["source"]]
    assert len(listed) > 800 and all(
        "usaspending-api@6ae1d70466b2be56545bc077b80c87a6244b88f1" in r["source"] for r in listed
    )
    codes = load_agencies()
    assert codes["7012"]["abbreviation"] == "ICE" and codes["7014"]["abbreviation"] == "CBP"
    assert codes["7001"]["abbreviation"] == "DHS OPO" and codes["4732"]["abbreviation"] == "FAS"
    assert codes["097"]["name"] == "Department of Defense" and codes["7003"]["abbreviation"] == "USCIS"


def test_usms_is_sourced_to_the_fpds_record_that_uses_it(excerpts):
    """USAspending's list gives 1544 no abbreviation; the row added for it cites an FPDS record in which
    USMS names the Marshals Service: the record (kept in ../shared) says what the row says."""
    row = load_agencies()["1544"]
    assert (row["name"], row["abbreviation"], row["parent_code"]) == ("U.S. Marshals Service", "USMS", "015")
    assert "15M40018DA3500001__6a98ff03a477/page-0000-start-0.xml" in row["source"]
    record = (
        excerpts / "fpds_atom_contract_vehicles" / "15M40018DA3500001__6a98ff03a477" / "page-0000-start-0.xml"
    ).read_text(encoding="utf-8")
    assert '<ns1:agencyID name="U.S. MARSHALS SERVICE">1544</ns1:agencyID>' in record
    assert '<ns1:contractingOfficeID name="U.S. DEPT OF JUSTICE, USMS" country="USA">15M400<' in record
