"""Contract vehicles (Issue 27 part 4): the bundled FPDS ATOM vehicles, read by `graph/questions/vehicles.py` on both stores.

Loaded: the bundled vehicles file (data/vehicles/fpds_contract_vehicles.csv.gz, in the default load) and Palantir's
actions from the bundled ICE/CBP transactions. The truth is the raw ATOM files, read here with ElementTree, not the
project's code. Vehicles are kept apart (record kind "vehicle", table `vehicle`): loading them changes no award,
fact, coverage cell or money figure, on either store.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graph.questions.queries import Queries
from graph.questions.vehicles import DHS, LABEL, beyond, family_vehicles
from graph.store import FactFilter
from ingest import normalized_csv
from ingest.load import load
from tests.conftest import STORE_KINDS, close_test_store, open_test_store
from tests.dashboard_support import VEHICLES as DEFAULT_LOAD_VEHICLES

ROOT = Path(__file__).resolve().parents[1]
VEHICLES = ROOT / "data" / "vehicles" / "fpds_contract_vehicles.csv.gz"
TRANSACTIONS = ROOT / "data" / "sample" / "ice_cbp_transactions_fy2021_2026.csv.gz"
ATOM, FPDS = "{http://www.w3.org/2005/Atom}", "{https://www.fpds.gov/FPDS}"
PALANTIR = "org:palantir-technologies-inc"


def raw_entries(shared: Path) -> list[dict]:
    """Every entry of the raw ATOM pages: PIID, signed date, obligation, ceiling, last date to order."""
    found = []
    for page in sorted((shared / "fpds_atom_contract_vehicles").glob("*/page-*.xml")):
        for entry in ET.parse(page).getroot().iter(f"{ATOM}entry"):
            document = entry.find(f"{ATOM}content")[0]

            def text(path: str) -> str | None:
                return document.findtext("/".join(FPDS + step for step in path.split("/")))

            found.append(
                {
                    "idv": document.tag == f"{FPDS}IDV",
                    "piid": text("contractID/IDVID/PIID") or text("awardID/awardContractID/PIID"),
                    "signed": (text("relevantContractDates/signedDate") or "")[:10],
                    "obligated": float(text("dollarValues/obligatedAmount") or 0),
                    "ceiling": float(text("totalDollarValues/totalBaseAndAllOptionsValue") or 0),
                    "last_to_order": (text("relevantContractDates/lastDateToOrder") or "")[:10] or None,
                }
            )
    return found


def palantir_actions():
    for record in normalized_csv.read(TRANSACTIONS):
        award = getattr(record, "award", None)
        if award is not None and re.search("PALANTIR", award.recipient.name or "", re.I):
            yield record


@pytest.fixture(scope="module")
def raw(shared_data) -> list[dict]:
    return raw_entries(shared_data)


def load_vehicles_and_palantir(store, home: Path) -> None:
    options = {"rejects_dir": home / "rejects", "progress": False}
    load(store, normalized_csv.read(VEHICLES), command="normalized", inputs=[str(VEHICLES)], **options)
    load(store, palantir_actions(), command="normalized", inputs=[str(TRANSACTIONS)], **options)


@pytest.fixture(scope="module")
def store(request, tmp_path_factory):
    home = tmp_path_factory.mktemp("vehicles")
    store = open_test_store("embedded", home / "kg", request)
    load_vehicles_and_palantir(store, home)
    yield store
    store.close()


def latest(raw: list[dict], piid: str) -> dict:
    return max((e for e in raw if e["piid"] == piid and e["idv"]), key=lambda e: e["signed"])


def test_the_bundle_holds_every_entry_as_a_vehicle(raw):
    rows = list(normalized_csv.read(VEHICLES))
    assert len(rows) == len(raw) == 593  # the shared README's count
    assert {type(row).__name__ for row in rows} == {"Vehicle"}  # no action, no award summary: kept apart
    assert DEFAULT_LOAD_VEHICLES == [VEHICLES]  # `make load` and the tests' bundle read it


def test_palantir_holds_the_army_agreement_and_the_gsa_schedule_at_their_raw_ceilings(store, raw):
    vehicles = {v["piid"]: v for v in family_vehicles(store, PALANTIR)}
    assert set(vehicles) == {"W519TC25D0039", "GS35F0086U"}
    army, gsa = vehicles["W519TC25D0039"], vehicles["GS35F0086U"]
    assert army["agency"]["name"] == "Department of the Army" and army["department"]["id"] == "toptier:097"
    assert gsa["department"]["name"] == "General Services Administration"
    for piid, vehicle in vehicles.items():
        truth = latest(raw, piid)
        assert vehicle["ceiling"] == truth["ceiling"]
        assert vehicle["last_date_to_order"] == truth["last_to_order"]
        assert vehicle["ceiling_as_of"] == truth["signed"]
        assert vehicle["label"] == LABEL and vehicle["beyond_dhs"]
        assert vehicle["source"].endswith(".xml") and vehicle["record"].startswith("entry ")
        assert vehicle["permalink"] == f"https://www.usaspending.gov/award/{vehicle['key']}/"
    assert army["ceiling"] == 10_000_000_000 and army["last_date_to_order"] == "2035-07-31"
    assert [v["agency"]["name"] for v in beyond(list(vehicles.values()))] == [
        "Department of the Army",
        "Federal Acquisition Service",
    ]


def test_every_vehicle_of_the_bundle_keeps_its_raw_ceiling(store, raw):
    families = {row["family"] for row in Queries(store).entities() if row["kind"] == "Vendor"}
    held = {v["piid"]: v for family in sorted(families) for v in family_vehicles(store, family)}
    assert set(held) == {e["piid"] for e in raw if e["idv"]} and len(held) == 20
    for piid, vehicle in held.items():
        assert vehicle["ceiling"] == latest(raw, piid)["ceiling"], piid
    dhs = {piid for piid, v in held.items() if not v["beyond_dhs"]}
    assert {"70B02C20D00000019", "70CDCR20D00000011", "HSSS0112D0002"} <= dhs
    assert all(held[piid]["department"]["id"] == f"toptier:{DHS}" for piid in dhs)


def test_no_ceiling_is_ever_inside_an_obligation_total(store, raw):
    actions = sum(record.obligation or 0 for record in palantir_actions())
    total = store.fetch_fact_groups(FactFilter(), None)[0]["cents"]
    vehicles_own = sum(e["obligated"] for e in raw)  # $183,000.00: one BPA call, every other entry $0
    assert vehicles_own == 183_000
    assert total == round(actions * 100)  # not even the vehicles' own obligations: they are no spending record
    palantir = store.fetch_fact_groups(FactFilter(family=PALANTIR), None)[0]["cents"]
    assert palantir == round(actions * 100)  # the $10B Army ceiling is nowhere in it
    army = store.fetch_fact_groups(FactFilter(awarding=("toptier", "toptier:097")), None)
    assert sum(g["cents"] or 0 for g in army) == 0


def test_vehicles_mark_no_fiscal_year_as_loaded(store):
    """Summaries are award totals, not split by year: the coverage grid holds only the Palantir actions' agencies."""
    cells = Queries(store).coverage()["cells"]
    held = {cell["agency"] for cell in cells}
    assert "subtier:2100" not in held and "subtier:4732" not in held
    years = store.fetch_fact_groups(FactFilter(split=True, awarding=("toptier", "toptier:097")), None)
    assert not years or not years[0]["facts"]


# every other store of the registry against the embedded one (its marks, e.g. neo4j, come with it)
OTHER_KINDS = [param for param in STORE_KINDS if param.values[0] != "embedded"]


@pytest.mark.parametrize("other_kind", OTHER_KINDS)
def test_every_store_gives_the_embedded_stores_vehicles(store, other_kind, tmp_path, raw, request):
    """The other store is loaded just before it is asked (a test server's database is shared)."""
    other = open_test_store(other_kind, tmp_path / "kg", request)
    try:
        load_vehicles_and_palantir(other, tmp_path)
        for family in (PALANTIR, "org:the-geo-group-inc", "org:motorola-solutions-inc"):
            embedded, asked = family_vehicles(store, family), family_vehicles(other, family)
            assert embedded == asked and embedded, family
        # the exports carry each vehicle's record on its Vehicle node, the same from both stores, linked to no money
        exported = {}
        for kind, each in (("embedded", store), (other_kind, other)):
            graph = each.to_networkx()
            exported[kind] = {nid: data for nid, data in graph.nodes(data=True) if data.get("records")}
            assert all(data["label"] == "Vehicle" for data in exported[kind].values())
            for nid in exported[kind]:  # only orders placed under it point at it; it points at nothing
                assert not graph.out_degree(nid)
                assert {d["type"] for _, _, d in graph.in_edges(nid, data=True)} <= {"UNDER_VEHICLE"}
        assert exported["embedded"] == exported[other_kind] and len(exported["embedded"]) >= 20
    finally:
        close_test_store(other)
    army = next(data for data in exported["embedded"].values() if data.get("piid") == "W519TC25D0039")
    assert army["potential_value"] == latest(raw, "W519TC25D0039")["ceiling"]


def test_the_brief_lists_the_vehicles_apart_from_the_money(store):
    from graph.reports import brief, brief_render

    said = brief.assemble(Queries(store), "Palantir")
    assert [v["piid"] for v in said["vehicles"]["rows"]] == ["W519TC25D0039", "GS35F0086U"]
    text = brief_render.markdown(said)
    line = next(line for line in text.splitlines() if line.startswith("Contract vehicles held"))
    assert "W519TC25D0039\\_\\_542a447437b0/page-0000-start-0.xml" in line  # escaped for Markdown
    plain = line.replace("\\", "")
    assert "vehicle-level data, not spending" in plain and "never added to the obligations" in plain
    assert "Department of the Army (Department of Defense) W519TC25D0039, open ceiling $10" in plain
    assert "last date to order 2035-07-31" in plain
    assert (
        said["total"] == Queries(store).vendor_family("Palantir")["total_obligated"]
    )  # no ceiling in the headline total


def test_the_vendor_section_answers_beyond_dhs_in_words_and_escapes_names(store):
    from dashboard.render import vehicles as vehicles_view

    held = family_vehicles(store, PALANTIR)
    line = vehicles_view.beyond_dhs_line("Palantir *Technologies*", held)
    assert line.startswith(
        "Beyond DHS, Palantir \\*Technologies\\* holds contract vehicles with: Department of the Army"
    )
    plain = line.replace("\\", "")
    assert "Federal Acquisition Service (General Services Administration; GS35F0086U, open ceiling $395" in plain
    assert "vehicle-level data, not spending" in plain and "none of it is in the obligations" in plain
    rows = [vehicles_view.row(v) for v in held]
    assert (
        rows[0]["source"]
        == "FPDS ATOM W519TC25D0039__542a447437b0/page-0000-start-0.xml, entry 2 (PIID W519TC25D0039 mod P00001)"
    )
    assert all(r["permalink"].startswith("https://www.usaspending.gov/award/CONT_IDV_") for r in rows)
    assert vehicles_view.beyond_dhs_line("x", [v for v in held if not v["beyond_dhs"]]) is None


# -- vehicles in the default load: a place of their own, on both stores --------------------------------------------
def figures(store, vendors: set[str]) -> dict:
    """Every figure a vehicle must not touch: counts of awards and facts, money, values, coverage, network links. A
    holder the spending does not name is a vendor of its own, with its curated family (a PARENT link of its own), so
    only the links of the vendors held before (`vendors`) are compared."""
    nodes = Queries(store).stats()["nodes"]
    return {
        "nodes": {k: v for k, v in nodes.items() if k not in ("Vehicle", "Vendor")},
        "total": store.fetch_fact_groups(FactFilter(), None),
        "by_award": store.fetch_fact_groups(FactFilter(), "award_key"),
        "years": sorted(
            store.fetch_year_totals(FactFilter()),
            key=lambda r: (r["g"], r["split"] is None, r["split"], r["fiscal_year"] or 0),
        ),
        "army": store.fetch_fact_groups(FactFilter(awarding=("toptier", "toptier:097")), None),
        "values": store.fetch_values(family=PALANTIR),
        "dhs": store.fetch_values(awarding=("toptier", "toptier:070")),
        "army_values": store.fetch_values(awarding=("toptier", "toptier:097")),
        "coverage": Queries(store).coverage()["cells"],
        "links": [link for link in store.fetch_links() if link[0] != "PARENT" or link[1] in vendors],
        "agencies": sorted(e["id"] for e in Queries(store).entities() if e["kind"] == "Agency"),
    }


def test_vehicles_change_no_award_fact_money_coverage_or_link_and_a_rerun_adds_nothing(make_store, tmp_path, raw):
    store = make_store()
    options = {"rejects_dir": tmp_path / "rejects", "progress": False}
    load(store, palantir_actions(), command="normalized", inputs=[str(TRANSACTIONS)], **options)
    vendors = {e["id"] for e in Queries(store).entities() if e["kind"] == "Vendor"}
    before = figures(store, vendors)
    assert family_vehicles(store, PALANTIR) == []
    first = load(store, normalized_csv.read(VEHICLES), command="normalized", inputs=[str(VEHICLES)], **options)
    assert (first["vehicles"], first["awards"], first["agencies"]) == (20, 0, 0)
    assert figures(store, vendors) == before
    nodes = Queries(store).stats()["nodes"]
    assert nodes["Vehicle"] >= 20 and nodes["Vendor"] > len(vendors)  # the holders the Palantir actions do not name
    held = family_vehicles(store, PALANTIR)
    assert [(v["piid"], v["agency"]["name"], v["ceiling"]) for v in held] == [
        ("W519TC25D0039", "Department of the Army", latest(raw, "W519TC25D0039")["ceiling"]),
        ("GS35F0086U", "Federal Acquisition Service", latest(raw, "GS35F0086U")["ceiling"]),
    ]
    again = load(store, normalized_csv.read(VEHICLES), command="normalized", inputs=[str(VEHICLES)], **options)
    assert again["changes"] == 0 and Queries(store).stats()["nodes"] == nodes and figures(store, vendors) == before
    assert family_vehicles(store, PALANTIR) == held


def test_the_default_load_shows_palantirs_vehicles_beside_unchanged_money(home):
    """The bundle as `make load` loads it (tests/dashboard_support.py `load_sample`): vehicles in, no figure moved."""
    from graph.store import open_store

    bundle = open_store("embedded", home=home)
    try:
        assert any(str(VEHICLES) in run["inputs"] or VEHICLES.name in " ".join(run["inputs"]) for run in bundle.runs())
        held = {v["piid"]: v for v in family_vehicles(bundle, PALANTIR)}
        assert set(held) == {"W519TC25D0039", "GS35F0086U"}
        assert {v["department"]["name"] for v in beyond(list(held.values()))} == {
            "Department of Defense",
            "General Services Administration",
        }
        palantir = Queries(bundle).vendor_family("Palantir")
        assert not {"2100", "097", "4732", "047"} & {a["code"] for a in palantir["agencies"]}  # no vehicle's agency
        assert not {"subtier:2100", "toptier:097"} & {e["id"] for e in Queries(bundle).entities()}  # nor in the graph
    finally:
        bundle.close()


def test_the_bundled_file_is_what_our_ingest_makes_of_the_raw_pages(shared_data, tmp_path):
    """`make sample`'s last line (data/sample/make_sample.sh), run again: the same rows (`retrieved` is the shared
    files' time on this machine, `source` compared from the shared folder on)."""
    import csv
    import gzip
    import subprocess
    import sys

    out = tmp_path / "vehicles.csv.gz"
    pages = sorted((shared_data / "fpds_atom_contract_vehicles").glob("*/page-*.xml"))
    subprocess.run(
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
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    def rows(path: Path) -> list[dict]:
        with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
            return [
                {**row, "retrieved": "", "source": row["source"].split("fpds_atom_contract_vehicles/")[1]}
                for row in csv.DictReader(handle)
            ]

    assert rows(VEHICLES) == rows(out)
