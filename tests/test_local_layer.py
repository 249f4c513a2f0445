"""The local layer in both stores (issue 12): the real Flock portal scrape, a federal file, and a spreadsheet
of our own loaded through a map; the counts the issue names, sharing, policies, the bridge, reruns and order.

The own spreadsheet (`OWN_ROWS`) is made up for the test: it is never shipped as data.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.questions.queries import Queries
from graph.store import STORES, NotFound, open_store
from ingest import flock_portals, table_map, usaspending_csv
from ingest.load import load
from tests.conftest import STORE_KINDS, open_test_store

ROOT = Path(__file__).resolve().parents[1]
OWN_MAP = """relationship = "uses"
source = "own-test"
[columns]
agency_name = "Agency"
state = "State"
vendor_name = "Vendor"
technology = "Product"
status = "Status"
date = "As of"
count = "Units"
source_url = "Link"
"""
OWN_ROWS = [
    ["Agency", "State", "Vendor", "Product", "Status", "As of", "Units", "Link"],
    [
        "Sterling Heights MI PD",
        "MI",
        "Thomson Reuters",
        "CLEAR investigations database",
        "active",
        "2024-01-15",
        "",
        "",
    ],
    [
        "Springfield Police Department",
        "IL",
        "Vigilant Solutions",
        "license plate recognition",
        "ended",
        "2022-06-30",
        "12",
        "https://example.org/springfield/council/2022-06-30.pdf",
    ],
    ["Springfield Police Department", "IL", "Axon Enterprise", "body cameras", "active", "2023-03-01", "210", ""],
]
FEDERAL = "usaspending_bulk_ice_mn/mn_all__Contracts_PrimeAwardSummaries_2025-03-21_H19M57S23_1.csv"


def own_files(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    data, the_map = folder / "own.csv", folder / "own.toml"
    if data.exists():  # written once: its time is the rows' `retrieved`
        return data, the_map
    with data.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(OWN_ROWS)
    the_map.write_text(OWN_MAP, encoding="utf-8")
    return data, the_map


def load_everything(store, shared: Path, folder: Path) -> list[dict]:
    data, the_map = own_files(folder)
    options = {"rejects_dir": folder / "rejects", "progress": False}
    return [
        load(store, usaspending_csv.read(shared / FEDERAL), command="usaspending-csv", inputs=[FEDERAL], **options),
        load(
            store,
            flock_portals.read(shared / "flock_transparency_portals"),
            command="flock-portals",
            inputs=["flock"],
            **options,
        ),
        load(store, table_map.read(data, table_map.load_map(the_map)), command="table", inputs=[str(data)], **options),
    ]


@pytest.fixture(scope="module", params=STORE_KINDS)
def loaded(request, shared_data, tmp_path_factory):
    home = tmp_path_factory.mktemp(f"local-{request.param}")
    store = open_test_store(request.param, home / "kg", request)
    summaries = load_everything(store, shared_data, home)
    yield {"store": store, "asked": Queries(store), "summaries": summaries, "home": home, "kind": request.param}
    store.close()


def test_the_flock_folder_gives_the_counts_the_portals_report(loaded):
    flock = loaded["summaries"][1]
    assert flock["rows_read"] == flock["rows_loaded"] + flock["rows_rejected"] == 42_986
    assert flock["local"]["sharing_links"] == 37_099 and flock["local"]["deployments"] == 365
    counts = loaded["asked"].stats()["local"]
    assert counts["sharing_links"] == 37_099 and counts["sharing_duplicate_rows"] == 0
    assert counts["deployments"] == 365 + 3 and counts["deployments_with_count"] == 343 + 2
    assert counts["policies"] == 370 and counts["agencies_with_policy"] == 368  # Rossford OH PD: 3 versions
    assert counts["federal_bodies"] == 5  # FBI, ATF, USPIS and the departments above them


def test_avon_lists_the_agencies_whose_data_it_can_search(loaded):
    answer = loaded["asked"].sharing("Avon IN PD")
    assert answer["agency"]["id"] == "local:flock:119"
    assert answer["searchable_by"]["direct_count"] == 0  # its own portal lists no one
    assert answer["can_search"]["count"] == 41
    first = answer["can_search"]["agencies"][0]
    assert first["source"].endswith("agency_access20240426.csv") and first["record"].startswith("line ")
    assert first["as_of"] == "2024-04-26"


def test_the_largest_portal_and_the_federal_agencies_among_its_searchers(loaded):
    answer = loaded["asked"].sharing("2065", hops=2)
    reached = answer["searchable_by"]
    assert answer["agency"]["name"] == "Pittsboro IN PD" and reached["direct_count"] == 3_861
    hop2 = {a["id"] for a in reached["by_hop"][1]["agencies"]}
    assert not hop2 & {a["id"] for a in reached["by_hop"][0]["agencies"]} and answer["agency"]["id"] not in hop2
    federal = {a["name"]: a for a in reached["federal"]}
    assert {"FBI", "ATF Nashville TN", "US Postal Inspection Service"} <= set(federal)
    chain = federal["ATF Nashville TN"]["federal_chain"]
    assert [b["name"] for b in chain] == [
        "Bureau of Alcohol, Tobacco, Firearms and Explosives",
        "Department of Justice",
    ]
    assert chain[-1]["federal_id"] == "toptier:015"
    assert direct_portal(reached) == "https://transparency.flocksafety.com/pittsboro-in-pd"


def direct_portal(reached: dict) -> str:
    return {a["url"] for a in reached["direct"]}.pop()


def test_every_local_agency_a_federal_agency_can_search_in_one_answer(loaded):
    from graph.questions.local import federal_path, federal_sentence

    answer = loaded["asked"].federal_sharing()
    assert (answer["agencies"], answer["states"], len(answer["federal_agencies"])) == (120, 25, 4)
    assert federal_sentence(answer) == (
        "120 local agencies in 25 states share their data (automated license plate "
        "readers) with 4 federal agencies through Flock Safety."
    )
    bodies = {b["name"]: b for b in answer["federal_agencies"]}
    assert {name: b["agencies"] for name, b in bodies.items()} == {
        "US Postal Inspection Service": 110,
        "FBI": 30,
        "ATF Nashville TN": 29,
        "ATF Louisville KY": 14,
    }
    assert sum(b["agencies"] for b in bodies.values()) == len(answer["links"]) == 183
    nashville = bodies["ATF Nashville TN"]
    assert federal_path(nashville["name"], nashville["federal_relation"], nashville["federal_chain"]) == (
        "ATF Nashville TN → Bureau of Alcohol, Tobacco, Firearms and Explosives → Department of Justice"
    )
    assert (
        federal_path(nashville["name"], nashville["federal_relation"], nashville["federal_chain"], short=True)
        == "ATF Nashville TN → ATF → DOJ"
    )
    fbi = bodies["FBI"]
    assert federal_path(fbi["name"], fbi["federal_relation"], fbi["federal_chain"], short=True) == "FBI → DOJ"
    assert federal_path(fbi["name"], fbi["federal_relation"], fbi["federal_chain"]) == (
        "FBI (Federal Bureau of Investigation) → Department of Justice"
    )
    usps = bodies["US Postal Inspection Service"]  # a name that is the body it names adds no hop
    assert federal_path(usps["name"], usps["federal_relation"], usps["federal_chain"]) == (
        "US Postal Inspection Service → U.S. Postal Service"
    )
    assert federal_path(usps["name"], usps["federal_relation"], usps["federal_chain"], short=True) == "USPIS → USPS"
    # each listing is a row of the access file: Pittsboro's portal lists the FBI
    pittsboro = [r for r in answer["links"] if r["agency"]["name"] == "Pittsboro IN PD"]
    assert "FBI" in {r["federal"]["name"] for r in pittsboro}
    assert all(
        r["source"].endswith("agency_access20240426.csv")
        and r["record"].startswith("line ")
        and r["system"] == "Flock Safety"
        for r in answer["links"]
    )
    assert all(r["agency"]["jurisdiction"] != "federal" for r in answer["links"])


def test_no_access_list_of_its_own_is_not_reported_never_zero(loaded):
    rows = {r["name"]: r for r in loaded["asked"].local_overview()["agencies"]}
    assert rows["Avon IN PD"]["searchable_by"] is None  # its portal's access list is not in the access file
    assert rows["Pittsboro IN PD"]["searchable_by"] == 3_861
    assert not any(r["searchable_by"] == 0 for r in rows.values())
    assert rows["Springfield Police Department"]["searchable_by"] is None  # no portal at all


def test_a_state_office_of_homeland_security_stays_a_state_agency(loaded):
    agency = loaded["asked"].find_local_agency("MS Office of Homeland Security")
    assert agency["jurisdiction"] == "state agency" and agency["federal_body"] is None


def test_policies_forbidding_immigration_enforcement_and_who_can_search_them(loaded):
    answer = loaded["asked"].policies("immigration")
    assert answer["count"] > 300
    top = answer["agencies"][0]
    assert (top["name"], top["searchable_by"], top["other_states"]) == ("Pittsboro IN PD", 3_861, 43)
    assert "immigration" in top["excerpt"].lower() and top["source"].endswith("agency_policies.csv")
    assert all(
        "immigration" in (loaded["asked"].find_local_agency(a["id"])["prohibited_uses"] or "").lower()
        for a in answer["agencies"]
    )


def test_the_bridge_lists_flock_and_a_family_selling_to_ice(loaded):
    families = {row["name"]: row for row in loaded["asked"].bridge()["families"]}
    flock = families["Flock Group, Inc."]
    assert flock["local"]["deployments"] == 365 and not flock["in_federal_data"]
    assert "FBI" in flock["local"]["federal_agencies_searching_its_customers_data"]
    reuters = families["Thomson Reuters Corporation"]
    assert reuters["in_federal_data"] and reuters["federal"]["awards"] >= 1
    assert reuters["federal"]["agencies"] == ["U.S. Immigration and Customs Enforcement"]
    assert reuters["local"]["agencies"] == 1 and reuters["local"]["technologies"] == ["CLEAR investigations database"]
    motorola = families["Motorola Solutions, Inc."]  # Vigilant Solutions, through the curated subsidiary row
    assert motorola["local"]["deployments"] == 1


def test_our_own_spreadsheet_makes_the_deployments_its_map_describes(loaded):
    profile = loaded["asked"].local_profile("Springfield Police Department")
    rows = {(r["vendor_display"], r["technology"], r["status"], r["as_of"], r["count"]) for r in profile["deployments"]}
    assert rows == {
        ("Motorola Solutions, Inc.", "license plate recognition", "ended", "2022-06-30", 12),
        ("Axon Enterprise, Inc.", "body cameras", "active", "2023-03-01", 210),
    }
    assert profile["agency"]["jurisdiction"] == "police department" and profile["agency"]["state"] == "IL"
    customers = loaded["asked"].local_customers("org:axon-enterprise-inc")
    assert [c["name"] for c in customers] == ["Springfield Police Department"]


def test_one_name_and_state_in_two_sources_goes_to_review(loaded):
    matches = loaded["asked"].local_review()
    assert [(m["a"], m["b"]) for m in matches] == [("local:flock:2421", "local:own-test:STERLING HEIGHTS MI PD|MI")]
    (queued,) = loaded["asked"].review(kind="local")["local_matches"]
    assert [a["name"] for a in queued["agencies"]] == ["Sterling Heights MI PD"] * 2 and queued["state"] == "MI"
    assert {a["source"].rsplit("/", 1)[-1] for a in queued["agencies"]} == {"agency20240426.csv", "own.csv"}


def test_a_rerun_changes_no_count(loaded, shared_data):
    store = loaded["store"]
    before = (Queries(store).stats(), Queries(store).sharing("Avon IN PD"), Queries(store).bridge())
    again = load_everything(store, shared_data, loaded["home"])
    assert (Queries(store).stats(), Queries(store).sharing("Avon IN PD"), Queries(store).bridge()) == before
    assert again[1]["rows_loaded"] == 42_986


def test_an_unknown_agency_says_how_to_load_one(loaded):
    with pytest.raises(NotFound, match="ingest flock-portals"):
        loaded["asked"].sharing("No Such PD")


ORDER_ROWS = [  # a made-up table touching every kind of row a map makes: agencies of two sources, a shared name
    ["uses", "Avon IN PD", "IN", "Flock Safety", "license plate readers", "active", "2024-04-26", "31", "", ""],
    [
        "uses",
        "Springfield Police Department",
        "IL",
        "Axon Enterprise",
        "body cameras",
        "active",
        "2023-03-01",
        "210",
        "",
        "",
    ],
    [
        "uses",
        "Springfield Police Department",
        "IL",
        "Vigilant Solutions",
        "license plate recognition",
        "ended",
        "2022-06-30",
        "",
        "",
        "",
    ],
    ["shares-with", "Avon IN PD", "IN", "", "", "", "2024-04-26", "", "Brownsburg IN PD", "Flock Safety"],
    ["shares-with", "Brownsburg IN PD", "IN", "", "", "", "2024-04-26", "", "Avon IN PD", "Flock Safety"],
    ["shares-with", "Avon IN PD", "IN", "", "", "", "2024-04-26", "", "Brownsburg IN PD", "Flock Safety"],  # again
]


def order_files(folder: Path, rows: list[list[str]]) -> list[tuple[Path, Path]]:
    """The rows as one CSV per relationship, each with its map."""
    header = ["kind", "Agency", "State", "Vendor", "Product", "Status", "As of", "Units", "Second", "System"]
    maps = {
        "uses": OWN_MAP.replace('source_url = "Link"\n', ""),
        "shares-with": 'relationship = "shares-with"\nsource = "own-test"\n[columns]\nagency_name = "Agency"\n'
        'state = "State"\ndate = "As of"\nsecond_agency_name = "Second"\nsystem = "System"\n',
    }
    out = []
    folder.mkdir(parents=True, exist_ok=True)
    for kind, text in maps.items():
        data, the_map = folder / f"{kind}.csv", folder / f"{kind}.toml"
        with data.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *(row for row in rows if row[0] == kind)])
        the_map.write_text(text, encoding="utf-8")
        out.append((data, the_map))
    return out


def local_answers(store) -> str:
    overview = Queries(store).local_overview()
    return json.dumps(
        {
            "agencies": overview["agencies"],
            "states": overview["states"],
            "counts": overview["counts"],
            "sharing": Queries(store).sharing("Avon IN PD", hops=2),
            "review": Queries(store).local_review(),
            "bridge": [{k: v for k, v in f.items() if k != "local"} for f in Queries(store).bridge()["families"]],
        },
        sort_keys=True,
        default=str,
    )


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(ORDER_ROWS))), batch=st.integers(1, 7), files_reversed=st.booleans())
def test_the_file_order_and_batch_size_change_no_answer(tmp_path, order, batch, files_reversed):
    """The same rows in any order, any batch size and either file first give the same answers (the citations
    name the line each row is on, so they are left out of the comparison by loading the same files)."""
    import tempfile

    with tempfile.TemporaryDirectory(dir=tmp_path) as scratch:
        folder = Path(scratch)
        answers = []
        for name, rows, flip, size in (
            ("a", ORDER_ROWS, False, 20_000),
            ("b", [ORDER_ROWS[i] for i in order], files_reversed, batch),
        ):
            files = order_files(folder / name / "files", rows)
            store = open_store("embedded", home=folder / name / "kg")
            store.batch_rows = size
            for data, the_map in reversed(files) if flip else files:
                load(
                    store,
                    table_map.read(data, table_map.load_map(the_map)),
                    command="table",
                    inputs=[str(data)],
                    rejects_dir=folder / "rejects",
                    progress=False,
                )
            answers.append(re.sub(r'"(source|record|retrieved)": "[^"]*"', "", local_answers(store)))
            store.close()
        assert answers[0] == answers[1]


def test_the_cli_answers_sharing_bridge_and_policies(loaded, tmp_path):
    if loaded["kind"] != "embedded":
        pytest.skip("the CLI is one process per store; the embedded one is enough here")
    env = {"KG_HOME": str(loaded["home"] / "kg"), "PATH": "/usr/bin:/bin"}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "graph", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    sharing = run("sharing", "Avon IN PD", "--json")
    assert sharing.returncode == 0, sharing.stderr
    assert json.loads(sharing.stdout)["can_search"]["count"] == 41
    bridge = json.loads(run("bridge", "--json").stdout)
    assert {"Flock Group, Inc.", "Thomson Reuters Corporation"} <= {f["name"] for f in bridge["families"]}
    policies = json.loads(run("policies", "--prohibits", "immigration", "--json").stdout)
    assert policies["count"] > 300
    missing = run("sharing", "Nowhere PD")
    assert missing.returncode == 1 and "no local agency is named" in missing.stderr
    federal = run("sharing", "--federal", "--json")
    assert federal.returncode == 0, federal.stderr
    assert (json.loads(federal.stdout)["agencies"], len(json.loads(federal.stdout)["federal_agencies"])) == (120, 4)
    said = run("sharing", "--federal").stdout.splitlines()
    assert said[0].startswith("120 local agencies in 25 states share their data")
    assert any(
        "ATF Nashville TN → Bureau of Alcohol" in line and "agency_access20240426.csv line " in line for line in said
    )
    neither = run("sharing")
    assert neither.returncode == 1 and "--federal" in neither.stderr


@pytest.fixture(scope="module")
def both(request, shared_data, tmp_path_factory):
    home = tmp_path_factory.mktemp("local-parity")
    stores = {kind: open_test_store(kind, home / kind, request) for kind in STORES}
    for _kind, store in stores.items():
        load_everything(store, shared_data, home / "files")  # the same paths: the citations agree
    yield stores
    for store in stores.values():
        store.close()


def asking(store, method: str):
    """Fetches are the store's, questions the answer layer's."""
    return store if method.startswith("fetch_") else Queries(store)


@pytest.mark.neo4j
@pytest.mark.parametrize(
    "question",
    [
        ("stats",),
        ("sharing", "2065", 2),
        ("sharing", "local:flock:119", 1),
        ("policies", "immigration"),
        ("bridge",),
        ("local_overview",),
        ("local_profile", "ATF Nashville TN"),
        ("local_profile", "Springfield Police Department"),
        ("local_profile", "Pittsboro IN PD"),
        ("local_customers", "org:flock-group-inc"),
        ("local_review",),
        ("review",),
        ("fetch_local_agencies",),
        ("fetch_deployments",),
        ("federal_sharing",),
        ("outcomes",),
        ("outcomes", "Flock", "IN", ("active", "ended"), "2023-01-01"),
    ],
    ids=lambda q: "-".join(map(str, q)),
)
def test_both_stores_give_the_same_local_answers(both, question):
    method, *args = question
    answers = [
        json.dumps(getattr(asking(both[kind], method), method)(*args), sort_keys=True, default=str) for kind in STORES
    ]
    assert all(answer == answers[0] for answer in answers[1:])


def ingest(home: Path, *args):
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"KG_HOME": str(home), "PATH": "/usr/bin:/bin"},
    )


def test_the_loaders_from_the_command_line(shared_data, tmp_path):
    home = tmp_path / "kg"
    flock = ingest(home, "flock-portals", str(shared_data / "flock_transparency_portals"), "--json", "--no-progress")
    assert flock.returncode == 0, flock.stderr
    summary = json.loads(flock.stdout)
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"]
    assert summary["local"]["sharing_links"] == 37_099 and summary["local"]["policies"] == 370
    data, the_map = own_files(tmp_path / "own")
    dry = ingest(home, "table", str(data), "--map", str(the_map), "--dry-run", "--rows", "2")
    assert dry.returncode == 0, dry.stderr
    shown = [json.loads(line) for line in dry.stdout.splitlines() if line.startswith("{")]
    assert [next(iter(s)) for s in shown] == ["Deployment", "Deployment"]
    assert shown[0]["Deployment"]["vendor_name"] == "Thomson Reuters" and shown[0]["from"] == "line 2"
    assert shown[0]["Deployment"]["where"]["state"] == "MI"
    assert "dry_run: True" in dry.stdout
    loaded = ingest(home, "table", str(data), "--map", str(the_map), "--json", "--no-progress")
    assert json.loads(loaded.stdout)["local"]["deployments"] == 3
    again = ingest(home, "table", str(data), "--map", str(the_map), "--json", "--no-progress")
    assert json.loads(again.stdout)["rows_loaded"] == 3  # one record a row
    store = open_store("embedded", home=home)
    try:
        assert Queries(store).stats()["local"]["deployments"] == 365 + 3  # the rerun added nothing
    finally:
        store.close()


@pytest.mark.parametrize(
    "args, message",
    [
        (["flock-portals", "{tmp}/nowhere"], "not a folder; pass the folder holding the portal CSVs"),
        (["flock-portals", "{tmp}"], "no agency[0-9]*.csv"),
        (["table", "{tmp}/own/own.csv", "--map", "{tmp}/bad.toml"], "unknown field 'vendor'"),
        (["table", "{tmp}/own/own.csv", "--map", "{tmp}/own/own.toml", "--sheet", "x"], None),
    ],
)
def test_bad_input_from_the_command_line_is_one_line_naming_it(tmp_path, args, message):
    own_files(tmp_path / "own")
    (tmp_path / "bad.toml").write_text(
        'relationship = "uses"\nsource = "x"\n[columns]\nvendor = "Vendor"\n', encoding="utf-8"
    )
    done = ingest(tmp_path / "kg", *[a.format(tmp=tmp_path) for a in args])
    if message is None:  # --sheet on a CSV is ignored: the rows load
        assert done.returncode == 0, done.stderr
        return
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], done.stderr


@pytest.mark.neo4j
def test_both_stores_export_the_same_local_graph(both, tmp_path):
    """The whole graph for exports, the local layer in it, read back from each store; the Cypher script and the
    neo4j-admin files give its agencies the label Local."""
    from graph.reports.export import export

    graphs = {kind: both[kind].to_networkx() for kind in both}
    contents = {
        kind: (
            {n: json.dumps(d, sort_keys=True) for n, d in g.nodes(data=True)},
            sorted(json.dumps([u, v, k, d], sort_keys=True) for u, v, k, d in g.edges(keys=True, data=True)),
        )
        for kind, g in graphs.items()
    }
    first, *others = STORES
    assert all(contents[kind] == contents[first] for kind in others)
    graph = graphs[first]
    types = {d["type"] for *_, d in graph.edges(data=True)}
    assert {"USES", "SHARES_DATA_WITH", "PART_OF"} <= types
    assert sum(1 for *_, d in graph.edges(data=True) if d["type"] == "SHARES_DATA_WITH") == 37_099
    script = tmp_path / "graph.stores.neo4j.cypher"
    export(graph, "cypher", script)
    assert "SET n += row.props, n:Local;" in script.read_text(encoding="utf-8")
    files = export(graph, "csv", tmp_path / "csv")["files"]
    agencies = next(Path(f) for f in files if f.endswith("nodes_Agency.csv")).read_text(encoding="utf-8")
    assert "local:flock:2065,Agency;Local," in agencies
