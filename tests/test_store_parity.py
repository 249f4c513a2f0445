"""The Neo4j store gives the embedded store's answers, query for query, on the same real files.

Both derive their figures the same way (Neo4j loads through a working copy of the embedded store and
pushes the derived tables), so what this suite checks is that Neo4j holds every row pushed (the whole
graph read back from Neo4j equals the embedded one) and that every Cypher fetch answers as its SQL twin.

The files cover every record type and both agency and vendor hierarchies: the 2025 bulk prime award
summaries and subawards, Torn Apart's FY2018 transactions and the FY2025 spending_by_transaction
export (ICE and CBP), loaded into both stores through the same loader. They are read from the bundle in the
repository (data/sample/, every row of those ../shared/data files normalized, each record citing its file), so
the suite needs no ../shared.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from graph.questions.queries import Queries
from graph.questions.targets import targets
from graph.questions.ties import shared_office
from graph.store import STORES, Ambiguous, FactFilter, NotFound
from ingest import normalized_csv
from ingest.load import load

from .conftest import close_test_store, open_test_store

pytestmark = pytest.mark.neo4j


BUNDLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def bundled(*sources: str):
    """Reads a bundle file, keeping the records of the shared files named `sources` (all when none is named)."""

    def origin(record) -> str:  # a transaction cites its file on its award; a reject names it itself
        prov = getattr(record, "prov", None) or getattr(getattr(record, "award", None), "prov", None) or record
        return Path(getattr(prov, "source", "") or "").name

    def read(path: Path, header=None):
        return (record for record in normalized_csv.read(path) if not sources or origin(record) in sources)

    return read


def real_files(bundle: Path):
    return [
        (bundled(), [bundle / "ice_bulk_downloads_2025.csv.gz"], None),  # the four usaspending_bulk_ice_mn files
        (bundled("fy18.csv"), [bundle / "ice_transactions_fy2013_2018.csv.gz"], None),
        (
            bundled("CBP_ICE_FY2025_Contract_Obligations.csv"),
            [bundle / "ice_cbp_transactions_fy2021_2026.csv.gz"],
            None,
        ),
    ]


def load_files(store, shared: Path, rejects: Path) -> list[dict]:
    return [
        load(
            store,
            (record for path in paths for record in reader(path, header)),
            command="parity",
            inputs=[str(path) for path in paths],
            rejects_dir=rejects,
            progress=False,
        )
        for reader, paths, header in real_files(shared)
    ]


@pytest.fixture(scope="module")
def stores(request, tmp_path_factory):
    """Every store of graph.store.STORES (opened by tests/conftest.py STORE_FACTORIES), loaded alike."""
    home = tmp_path_factory.mktemp("parity")
    opened = {kind: open_test_store(kind, home / f"kg-{kind}", request) for kind in STORES}
    summaries = {kind: load_files(store, BUNDLE, home / "rejects") for kind, store in opened.items()}
    asked = {kind: Queries(store) for kind, store in opened.items()}
    yield {**opened, "summaries": summaries, "home": home, "asked": asked}
    for store in opened.values():
        close_test_store(store)


def same(stores, method: str, *args, **kwargs):
    """Every store's answer to one query (a fetch, or a question of `Queries`), asserted identical to the first's
    (embedded); returns that answer."""
    answers = {}
    for kind in STORES:
        asked = stores["asked"][kind] if hasattr(Queries, method) else stores[kind]
        try:
            answers[kind] = getattr(asked, method)(*args, **kwargs)
        except (NotFound, Ambiguous) as error:
            answers[kind] = {
                "error": type(error).__name__,
                "message": str(error),
                "candidates": getattr(error, "candidates", None),
            }
    first, *others = STORES
    for kind in others:
        assert json.dumps(answers[kind], sort_keys=True, indent=1) == json.dumps(
            answers[first], sort_keys=True, indent=1
        ), f"{kind}: {method}{args}{kwargs} differs"
    return answers[first]


def test_the_loads_agree_row_for_row(stores):
    first, *others = STORES
    for kind in others:
        for reference, summary in zip(stores["summaries"][first], stores["summaries"][kind], strict=True):
            for field in (
                "rows_read",
                "rows_loaded",
                "rows_rejected",
                "awards",
                "vendors",
                "agencies",
                "duplicate_rows",
            ):
                assert summary[field] == reference[field], (kind, field)
            assert summary["store"] == kind


def test_the_whole_graph_is_identical(stores):
    """Every node and edge with every property, each store's read back from that store (Neo4j's from Neo4j)."""

    def contents(graph):
        return (
            {nid: json.dumps(data, sort_keys=True) for nid, data in graph.nodes(data=True)},
            sorted((u, v, k, json.dumps(d, sort_keys=True)) for u, v, k, d in graph.edges(keys=True, data=True)),
        )

    first, *others = STORES
    reference = contents(stores[first].to_networkx())
    for kind in others:
        graph = contents(stores[kind].to_networkx())
        assert len(graph[0]) == len(reference[0]) and len(graph[1]) == len(reference[1]), kind
        assert [nid for nid in reference[0] if graph[0].get(nid) != reference[0][nid]] == [], kind
        assert graph[1] == reference[1], kind


def test_stats(stores):
    stats = same(stores, "stats")
    assert stats["nodes"]["Award"] > 2000 and stats["relationships"]["SUBAWARD"] > 100
    assert set(stats["nodes"]) == {"Agency", "Award", "Fact", "Vehicle", "Vendor"}


@pytest.mark.parametrize("text", ["palantir", "ice", "7012", "University of Minnesota", "zzz-no-such-name"])
def test_search(stores, text):
    same(stores, "search", text, limit=50)


def test_vendor_families_of_a_spread_of_vendors(stores):
    """Every 10th vendor name, the curated families and the biggest recipients."""
    store = stores["embedded"]
    names = sorted({row["name"] for row in Queries(store).entities() if row["kind"] == "Vendor" and row["name"]})
    picks = names[::10] + [
        "Palantir",
        "Amazon.com",
        "Clearview AI",
        "Thomson Reuters",
        "GEO GROUP",
        "Deloitte",
        "REGENTS OF THE UNIVERSITY OF MINNESOTA",
        "Inc",
        "no such vendor",
    ]
    outcomes = {"found": 0, "Ambiguous": 0, "NotFound": 0}
    for name in picks:
        answer = same(stores, "vendor_family", name)
        outcomes[answer.get("error", "found")] += 1
    assert outcomes["found"] > 20 and outcomes["Ambiguous"] >= 1 and outcomes["NotFound"] >= 1


def test_palantir_family_content(stores):
    family = same(stores, "vendor_family", "Palantir")
    assert family["name"] == "Palantir Technologies Inc."
    assert any(agency["code"] == "7012" for agency in family["agencies"])
    assert all(award["permalink"].startswith("https://www.usaspending.gov/award/") for award in family["awards"])


def test_agency_profiles_of_every_agency(stores):
    store = stores["embedded"]
    codes = sorted({row["code"] for row in Queries(store).entities() if row["kind"] == "Agency"})
    assert len(codes) > 50
    for code in codes:
        same(stores, "agency_profile", code, limit=25)
    ice = same(stores, "agency_profile", "ICE")
    assert ice["code"] == "7012" and ice["award_count"] > 1000 and ice["vendors"]
    same(stores, "agency_profile", "70CDCR")
    same(stores, "agency_profile", "Department")  # ambiguous or a department: both stores alike


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"agency": "ICE"},
        {"agency": "DHS"},
        {"vendor": "Palantir"},
        {"vendor": "GEO GROUP", "agency": "ICE"},
        {"fy_from": 2021},
        {"fy_to": 2018},
        {"agency": "DHS", "fy_from": 2019, "fy_to": 2021},
        {"min_amount": 1_000_000},
        {"award_types": ["DELIVERY ORDER", "purchase order"]},
        {"agency": "CBP", "award_types": ["DEFINITIVE CONTRACT"], "min_amount": 50_000, "fy_from": 2024},
    ],
    ids=lambda filters: ",".join(filters) or "none",
)
def test_subgraph_with_each_filter(stores, filters):
    network = same(stores, "subgraph", **filters)
    years = filters.get("fy_from") or filters.get("fy_to")
    if years:  # award totals not split by year are left out of a year filter, and counted
        assert network["left_out"]["awards"] > 0 or filters.get("agency") == "CBP"  # CBP: actions only here
    if filters.get("agency") in ("ICE", "DHS") and not years or not filters:
        assert network["nodes"] and any(edge["type"] == "AWARDS" for edge in network["edges"])


@pytest.mark.parametrize(
    "a, b, options",
    [
        ("Palantir", "ICE", {}),
        ("Amazon.com", "Palantir", {}),
        ("GEO GROUP", "CBP", {"limit": 20}),
        ("REGENTS OF THE UNIVERSITY OF MINNESOTA", "70CDCR", {}),
        ("ICE", "ICE", {}),
        ("Palantir", "CBP", {"max_hops": 1}),
    ],
)
def test_paths(stores, a, b, options):
    chains = same(stores, "paths", a, b, **options)
    if options.get("max_hops") == 1:
        assert chains == []


def test_dashboard_reads(stores):
    facets = same(stores, "facets")
    assert facets["award_types"] and facets["fy_min"] <= 2018 <= facets["fy_max"]
    ids = sorted({vendor["id"] for vendor in Queries(stores["embedded"]).agency_profile("ICE")["vendors"]})
    totals = same(stores, "vendor_totals", ids + ["no-such-vendor", ids[0]])
    assert len(totals) == len(ids) and all(row["award_count"] > 0 for row in totals)
    paid = {
        row["id"]
        for row in Queries(stores["embedded"]).vendor_totals(
            [r["id"] for r in Queries(stores["embedded"]).entities() if r["kind"] == "Vendor"]
        )
        if row["award_count"]
    }
    childless = [
        r["id"] for r in Queries(stores["embedded"]).entities() if r["kind"] == "Vendor" and r["id"] not in paid
    ][:5]
    assert childless and all(row["award_count"] == 0 for row in same(stores, "vendor_totals", childless))


def test_subawards_under_primes_and_agencies(stores):
    """Issue 11: subawards show under their prime awards and on the awarding agency's page, alike on both stores."""
    under_ice = same(stores, "agency_subawards", "ICE")
    assert under_ice and all(row["prime_award"] and row["sub_recipient"] for row in under_ice)
    primes = sorted({row["prime_award"] for row in under_ice})
    under = same(stores, "subawards_under", primes + ["no-such-award"])
    assert sorted(map(repr, under)) == sorted(map(repr, under_ice))
    same(stores, "agency_subawards", "CBP")


@pytest.mark.parametrize(
    "a, b",
    [
        ("Palantir", "ICE"),
        ("GEO Group", "Immigration and Customs Enforcement"),
        ("ICE", "Palantir"),
        ("Amazon", "Palantir"),
        ("West Publishing", "Thomson Reuters"),
        ("CoreCivic", "CBP"),
    ],
)
def test_direct_ties_agree(stores, a, b):
    ties = same(stores, "direct_ties", a, b)
    for tie in ties["ties"]:
        if tie["role"] != "subaward":  # the offices (with the unnamed ones) share out the tie's money
            assert round(sum(o["obligated"] for o in tie["awarding_offices"]), 2) == tie["obligated"]


def test_the_actions_behind_an_award_agree_and_add_up(stores):
    """Issue 11: a citation lists every record behind an award's total, alike on both stores."""
    awards = same(stores, "vendor_family", "Palantir")["awards"]
    keys = [award["key"] for award in awards] + ["no-such-award"]
    actions = same(stores, "award_actions", keys)
    assert actions["no-such-award"] == []
    for award in awards:
        cents = [row["cents"] for row in actions[award["key"]] if row["cents"] is not None]
        assert cents and sum(cents) == round(award["obligated"] * 100)


def test_end_dates_and_coverage_agree(stores):
    """Counts without listing the awards, and the awards still open on a day, alike on both stores."""
    everything = same(stores, "agency_end_dates", "ICE")
    counts = same(stores, "agency_end_dates", "ICE", None)
    assert counts["dated"] == [] and (counts["award_count"], counts["undated"]) == (
        everything["award_count"],
        everything["undated"],
    )
    still_open = same(stores, "agency_end_dates", "ICE", "2025-01-01")
    assert {a["key"] for a in still_open["dated"]} <= {a["key"] for a in everything["dated"]}
    assert all(max(a["end_date"] or "", a["potential_end_date"] or "") >= "2025-01-01" for a in still_open["dated"])
    coverage = same(stores, "loaded_coverage")
    assert 0 < coverage["dated_awards"] <= coverage["award_count"]


def test_a_hop_carries_its_record(stores):
    chains = same(stores, "paths", "Palantir", "ICE")
    assert chains
    award_hops = [hop for chain in chains for hop in chain if hop["rel"] == "AWARDED"]
    assert award_hops and all(hop["source"] and hop["record"] and hop["permalink"] for hop in award_hops)
    assert all(all(r["source"] and r["record"] and r["permalink"] for r in hop["records"]) for hop in award_hops)


def test_loading_again_changes_no_count_on_neo4j(stores):
    before = Queries(stores["neo4j"]).stats()
    load_files(stores["neo4j"], BUNDLE, stores["home"] / "rejects-again")
    assert Queries(stores["neo4j"]).stats() == before
    same(stores, "vendor_family", "Palantir")
    same(stores, "agency_profile", "ICE")


def test_runs_are_logged_on_neo4j(stores):
    runs = stores["neo4j"].runs()
    assert [run["command"] for run in runs][:3] == ["parity"] * 3
    assert all(
        run["store"] == "neo4j" and run["rows_read"] == run["rows_loaded"] + run["rows_rejected"] for run in runs
    )


@pytest.mark.parametrize("agency", ["ICE", "DHS", "70CDCR", "7055"])
def test_neo4j_rollups_give_what_its_facts_give(stores, agency):
    neo4j = stores["neo4j"]

    def answers():
        ask = Queries(neo4j)
        return (
            ask.agency_profile(agency, limit=300),
            ask.subgraph(agency=agency),
            ask.facets(),
            targets(ask, agency, sectors=["all"], today=dt.date(2025, 9, 30)),  # by recipient and year, by rule
            ask.agency_money(agency),
        )

    with_rollups = answers()
    neo4j.use_rollups = False
    try:
        assert answers() == with_rollups
    finally:
        neo4j.use_rollups = True


# ---------------------------------------------------------------- issue 10: makers behind resellers, both stores


def test_the_same_actions_are_attributed(stores):
    assert same(stores, "fetch_mentions") and same(stores, "fetch_name_merges")


@pytest.mark.parametrize(
    "maker",
    [
        "Amazon",
        "Microsoft Corporation",
        "Babel Street",
        "Motorola Solutions",
        "Oracle",
        "Magnet Forensics",
        "Clearview AI",
    ],
)
def test_maker_profiles_agree(stores, maker):
    family = same(stores, "vendor_family", maker)
    assert set(family["through_others"]) >= {"label", "basis", "obligated", "resellers", "agencies"}


def test_paths_and_network_through_resellers_agree(stores):
    chains = same(stores, "paths", "Amazon", "ICE")
    assert any(hop.get("through_others") for chain in chains for hop in chain)
    same(stores, "paths", "Amazon", "ICE", through_others=False)
    for filters in ({"agency": "ICE"}, {"agency": "CBP", "fy_from": 2025}, {"vendor": "Amazon"}, {"min_amount": 1e6}):
        layer = same(stores, "subgraph", through_others=True, **filters)["through_others"]
        assert layer["edges"] or filters.get("vendor")


def test_the_review_queue_agrees_and_judgements_apply_on_both(stores, tmp_path, monkeypatch):
    from core.judgements import append_judgement

    queue = same(stores, "review")
    assert queue["attributions"] and queue["merges"]
    wrong, merge = queue["attributions"][0], queue["merges"][0]
    monkeypatch.setenv("KG_JUDGEMENTS", str(tmp_path / "judgements.csv"))
    append_judgement(
        {
            "kind": "attribution",
            "record": wrong["record"],
            "target": wrong["maker"]["name"],
            "verdict": "wrong",
            "who": "parity",
            "why": "both stores must drop it",
        }
    )
    append_judgement(
        {
            "kind": "merge",
            "record": merge["record"],
            "target": merge["vendor"]["id"],
            "verdict": "not_same",
            "who": "parity",
            "why": "both stores must split it",
        }
    )
    try:
        for kind in STORES:
            stores[kind].attribute()
        after = same(stores, "review")
        assert (wrong["record"], wrong["maker"]["id"]) not in {
            (e["record"], e["maker"]["id"]) for e in after["attributions"]
        }
        assert (merge["record"], merge["vendor"]["id"]) not in {
            (e["record"], e["vendor"]["id"]) for e in after["merges"]
        }
        test_the_whole_graph_is_identical(stores)
    finally:
        (tmp_path / "judgements.csv").unlink()
        for kind in STORES:
            stores[kind].attribute()
    assert same(stores, "review") == queue


@pytest.mark.parametrize("agency", ["ICE", "DHS", "70CDCR"])
def test_family_award_counts_agree_and_count_a_shared_award_once(stores, agency):
    """The families' distinct awards come from one batched query; it gives, on both stores, what one query per
    family gives."""
    embedded = stores["embedded"]
    profile = Queries(embedded).find_agency(agency)
    chosen = FactFilter(awarding=(profile["tier"], profile["id"]))
    families = same(stores, "agency_families", agency)["families"]
    groups = {row["id"]: sorted(m["id"] for m in row["members"]) for row in families if len(row["members"]) > 1}
    assert groups, "the files hold families of several vendors at the agency"
    groups["no-such-family"] = ["no-such-vendor"]
    counts = same(stores, "fetch_group_awards", chosen, groups)
    one_by_one = {
        fid: embedded.fetch_fact_groups(chosen._replace(recipients=tuple(members)), None)
        for fid, members in groups.items()
    }
    assert counts == {fid: rows[0]["awards"] for fid, rows in one_by_one.items() if rows and rows[0]["awards"]}
    assert same(stores, "fetch_group_awards", chosen, {}) == {}
    assert all(row["awards"] <= sum(m["awards"] for m in row["members"]) for row in families)
    same(stores, "top_vendors", agency, 2025)


def test_real_links_and_tie_parts_agree_on_both_stores(stores):
    """The real-link search, each hop's direction and a tie's registrations and shared actions: the same on every
    store (the wording of these answers is tests/test_paths_wording.py's)."""
    for a, b in (
        ("Palantir", "ICE"),
        ("GEO GROUP", "ICE"),
        ("ICE", "GEO GROUP"),
        ("Palantir", "CBP"),
        ("70CDCR", "ICE"),
        ("DHS", "ICE"),
    ):
        real = same(stores, "paths", a, b, shared_offices=False)
        assert all(shared_office(chain) is None for chain in real)
    ties = same(stores, "direct_ties", "GEO GROUP", "ICE")
    awarded = ties["ties"][0]
    assert round(sum(r["obligated"] for r in awarded["registrations"]), 2) == awarded["obligated"]
