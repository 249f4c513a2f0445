"""`python -m graph targets`: the campaign ranking on the bundled data (all ICE and CBP actions), with the curated
product rules and category table, on both stores.

Expected figures are computed apart from graph/questions/targets.py: by SQL over the store's own facts and mentions
(read-only), or from the recorded USAspending recipient profile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from graph import cli
from graph.questions.queries import Queries
from graph.questions.targets import DEFAULT_WEIGHTS, report, targets
from graph.store import open_store
from tests.dashboard_support import COVERAGE, ROOT, SAMPLE

TODAY = "2025-09-30"  # the last day of FY2025, the bundle's last whole fiscal year
CAMPAIGN = (
    "Palantir Technologies Inc.",
    "Amazon.com, Inc.",
    "RELX PLC",
    "Thomson Reuters Corporation",
    "Cellebrite DI Ltd.",
    "Clearview AI, Inc.",
)
LENS = {"surveillance", "data", "cloud"}


def curated(home) -> dict:
    """The bundle's own curated tables (product rules, families, categories), as `make load` uses them."""
    return {**os.environ, "KG_HOME": str(home), "KG_PRODUCT_RULES": str(ROOT / "data" / "product_makers.csv")}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    home = tmp_path_factory.mktemp("targets")
    subprocess.run(
        [sys.executable, "-m", "ingest", "normalized", "--coverage", str(COVERAGE), *map(str, SAMPLE), "--no-progress"],
        cwd=ROOT,
        env=curated(home),
        check=True,
        capture_output=True,
    )
    return home


@pytest.fixture(scope="module")
def embedded(bundle):
    store = open_store("embedded", home=bundle)
    yield store
    store.close()


def sql(home, query: str, params=()):
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        return con.execute(query, list(params)).fetchall()


def cli_json(bundle, capsys, *args) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in curated(bundle).items():
            patch.setenv(name, value)
        assert cli.main(["targets", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def lens(bundle):
    """`graph targets ICE --json --today 2025-09-30` (the technology lens by default)."""
    out = subprocess.run(
        [sys.executable, "-m", "graph", "targets", "ICE", "--today", TODAY, "--json"],
        cwd=ROOT,
        env=curated(bundle),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def test_the_lens_ranks_the_campaigns_targets_with_their_categories_and_reasons(lens, bundle):
    assert lens["sector"]["categories"] == ["surveillance", "data", "cloud"]
    top = {row["name"]: row for row in lens["families"][:20]}
    assert set(CAMPAIGN) <= set(top), [r["name"] for r in lens["families"][:25]]
    for name in CAMPAIGN:
        row = top[name]
        shown = [(c["label"], c["obligated"], [r["reason"] for r in c["reasons"]]) for c in row["categories"]]
        print(f"{row['rank']:>2}. {name}: {shown}; through resellers {row['through_resellers']}")
        assert {c["id"] for c in row["categories"]} <= LENS
        assert all(r["reason"] and r["reason"] != r["rule"] for c in row["categories"] for r in c["reasons"])
        assert row["why"].startswith(f"{name} ranks ")
        assert all(c["permalink"].startswith("https://www.usaspending.gov/award/") for c in row["citations"])
        own = sql(
            bundle,
            """SELECT coalesce(sum(f.cents), 0) FROM fact f JOIN vendor v ON v.id = f.recipient
                             WHERE f.awarding_subtier = 'subtier:7012' AND f.category IN ('surveillance', 'data', 'cloud')
                               AND coalesce(v.family, v.id) = ?""",
            [row["id"]],
        )[0][0]
        assert row["obligated"] == pytest.approx(own / 100)
        assert sum(c["obligated"] for c in row["categories"]) == pytest.approx(own / 100)
    palantir = top["Palantir Technologies Inc."]
    assert palantir["categories"][0]["id"] == "data" and "Palantir" in palantir["categories"][0]["reasons"][0]["reason"]


def test_amazon_ranks_on_aws_sold_through_four_points_never_summed_into_its_obligations(lens, bundle):
    amazon = next(row for row in lens["families"] if row["name"] == "Amazon.com, Inc.")
    expected = sql(
        bundle,
        """SELECT sum(m.cents) FROM mention m JOIN fact f ON f.key = m.fact_key
                              WHERE m.maker = 'org:amazon-com-inc' AND m.awarding_subtier = 'subtier:7012'
                                AND f.category IN ('surveillance', 'data', 'cloud')""",
    )[0][0]
    assert amazon["through_resellers"] == pytest.approx(expected / 100) and expected > 0
    assert amazon["obligated"] == 0 and amazon["exposure"] == amazon["through_resellers"]
    assert amazon["exposure_basis"] == "through resellers"
    assert amazon["resellers"][0]["name"] == "FOUR POINTS TECHNOLOGY, L.L.C."
    assert "not in that sum" in amazon["why"]
    four_points = next(row for row in lens["families"] if row["name"] == "FOUR POINTS TECHNOLOGY, L.L.C.")
    assert four_points["categories"][0]["id"] == "cloud"  # the reseller keeps its own obligations


def test_sales_through_resellers_cite_the_resellers_awards(lens, bundle):
    """Amazon has no award of its own: its "through resellers" figure cites Four Points' awards behind it."""
    from dashboard.shaping import targets as page

    amazon = next(row for row in lens["families"] if row["name"] == "Amazon.com, Inc.")
    assert amazon["citations"] == [] and amazon["reseller_citations"]
    largest = sql(
        bundle,
        """SELECT m.award_key, m.recipient, sum(m.cents) AS cents FROM mention m
                             JOIN fact f ON f.key = m.fact_key
                             WHERE m.maker = 'org:amazon-com-inc' AND m.awarding_subtier = 'subtier:7012'
                               AND f.category IN ('surveillance', 'data', 'cloud')
                             GROUP BY ALL ORDER BY cents DESC, m.award_key LIMIT 3""",
    )
    assert [
        (c["award_key"], c["reseller"]["id"], round(c["obligated"] * 100)) for c in amazon["reseller_citations"]
    ] == [(key, recipient, cents) for key, recipient, cents in largest]
    assert amazon["reseller_citations"][0]["reseller"]["name"] == "FOUR POINTS TECHNOLOGY, L.L.C."
    assert all(
        c["permalink"] == f"https://www.usaspending.gov/award/{c['award_key']}/" for c in amazon["reseller_citations"]
    )
    for row in lens["families"]:  # every figure links to its citations
        assert bool(row["reseller_citations"]) == (row["through_resellers"] is not None), row["name"]
        assert bool(row["citations"]) == bool(row["members"]), row["name"]
    cited = page.citations_text(amazon)
    assert cited.startswith("via FOUR POINTS TECHNOLOGY, L.L.C. $28.04M: https://www.usaspending.gov/award/")
    assert "](https://www.usaspending.gov/award/" + largest[0][0] in page.why_line(amazon)


def test_detention_is_absent_from_the_lens_and_present_under_all_purchases(lens, bundle, capsys):
    names = {row["name"] for row in lens["families"]}
    assert not {"The GEO Group, Inc.", "CoreCivic, Inc."} & names
    every = cli_json(bundle, capsys, "ICE", "--sector", "all", "--today", TODAY)
    assert every["sector"] == {"categories": None, "name": "all purchases"}
    ranked = {row["name"]: row for row in every["families"]}
    for name in ("The GEO Group, Inc.", "CoreCivic, Inc."):
        assert ranked[name]["rank"] <= 20
        assert "detention" in {c["id"] for c in ranked[name]["categories"]}
    total = sql(bundle, "SELECT sum(cents) FROM fact WHERE awarding_subtier = 'subtier:7012' AND recipient IS NOT NULL")
    assert sum(row["obligated"] for row in every["families"]) == pytest.approx(total[0][0] / 100)


def test_without_profiles_dependence_drops_out_and_the_weights_renormalize(lens):
    assert all(row["dependence"] is None and row["parts"]["dependence"] is None for row in lens["families"])
    assert all(row["dependence_basis"].startswith("not measured") for row in lens["families"])
    row = lens["families"][0]
    used = {k: w for k, w in DEFAULT_WEIGHTS.items() if k != "dependence"}
    assert row["score"] == pytest.approx(
        sum(w * row["parts"][k] for k, w in used.items()) / sum(used.values()), abs=1e-3
    )
    assert row["weighted"]["dependence"] is None
    lacking = {r["name"] for r in lens["lacking_profile"]}
    assert "Palantir Technologies Inc." in lacking
    assert (
        lens["fetch_profiles"].startswith("python -m ingest usaspending-recipients --vendor 'Thomson Reuters")
        or "--vendor 'Palantir Technologies Inc.'" in lens["fetch_profiles"]
    )


def test_with_profiles_dependence_enters_the_score(httpserver, api_responses, tmp_path, monkeypatch):
    """The REAL recorded NASA award and actions, and the REAL recorded recipient profile (FY2025)."""
    from tests.test_usaspending_recipients import load_with_profiles

    monkeypatch.setenv("KG_HOME", str(tmp_path / "kg"))
    load_with_profiles(httpserver, api_responses, tmp_path)
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        answer = targets(Queries(store), "8000", sectors=["all"], today=date(2025, 9, 1))
    finally:
        store.close()
    (row,) = answer["families"]
    fy2025 = 1600000.0 + 1200000.0 + 282046.29  # the three recorded FY2025 actions
    assert row["dependence"] == pytest.approx(round(fy2025 / 267039000.14, 4))
    assert row["parts"]["dependence"] == pytest.approx(fy2025 / 267039000.14, abs=1e-4)
    assert row["federal_total"] == 267039000.14
    total = sum(DEFAULT_WEIGHTS.values())
    assert row["weighted"]["dependence"] == pytest.approx(
        DEFAULT_WEIGHTS["dependence"] * row["parts"]["dependence"] / total, abs=1e-4
    )
    assert row["score"] == pytest.approx(sum(DEFAULT_WEIGHTS[k] * v for k, v in row["parts"].items()) / total, abs=1e-3)
    assert answer["lacking_profile"] == [] and "of its federal obligations from" in row["why"]


def test_renewal_pressure_is_graded_by_how_soon_with_the_next_decision_cited(embedded, bundle):
    answer = targets(Queries(embedded), "ICE", sectors=["all"], today=date(2019, 1, 1), months=12)
    pressed = [row for row in answer["families"] if row["next_decision"]]
    assert pressed
    for row in pressed[:10]:
        decision = row["next_decision"]
        end, potential_end, current = sql(
            bundle,
            """SELECT end_date::VARCHAR, potential_end_date::VARCHAR,
                                                            current_cents FROM award WHERE key = ?""",
            [decision["award_key"]],
        )[0]
        assert decision["date"] in (end, potential_end) and "2019-01-01" <= decision["date"] <= "2020-01-01"
        assert (
            decision["permalink"].endswith(decision["award_key"] + "/")
            or decision["award_key"] in decision["permalink"]
        )
        assert 0 <= row["renewal_pressure"]
        if current is not None and row["renewal_awards"] == 1:  # one award: its current value times how soon
            days = (date.fromisoformat(decision["date"]) - date(2019, 1, 1)).days
            assert row["renewal_pressure"] == pytest.approx(current / 100 * (1 - days / 365), abs=0.02)
    assert len({round(row["parts"]["renewals"], 3) for row in pressed}) > 2  # graded, not 0 or 1


def test_text_report_says_what_is_not_measured_and_how_to_fetch_it(bundle, capsys):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in curated(bundle).items():
            patch.setenv(name, value)
        assert cli.main(["targets", "ICE", "--today", TODAY]) == 0
        out = capsys.readouterr().out
        assert "dependence not measured" in out and "python -m ingest usaspending-recipients --vendor" in out
        assert cli.main(["targets", "ICE", "--sector", "nonsense"]) == 1
        assert "unknown sector 'nonsense'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def vehicles_store(request, tmp_path_factory):
    """The bundled FPDS ATOM vehicles and Palantir's ICE actions (tests/test_vehicles.py's load)."""
    from tests.conftest import open_test_store
    from tests.test_vehicles import load_vehicles_and_palantir

    home = tmp_path_factory.mktemp("targets-vehicles")
    store = open_test_store("embedded", home / "kg", request)
    load_vehicles_and_palantir(store, home)
    yield store
    store.close()


def test_vehicles_sit_beside_the_money_never_in_it(vehicles_store):
    from graph.questions.vehicles import LABEL, family_vehicles
    from graph.store import FactFilter

    answer = targets(Queries(vehicles_store), "ICE", sectors=["all"], today=date(2025, 9, 30))
    (palantir,) = answer["families"]
    held = family_vehicles(vehicles_store, palantir["id"])
    figure = palantir["vehicles"]
    assert figure["count"] == len(held) == 2 and figure["label"] == LABEL
    assert figure["agencies"] == ["Department of the Army", "Federal Acquisition Service"]
    assert [(v["piid"], v["ceiling"], v["last_date_to_order"], v["permalink"]) for v in figure["rows"]] == [
        (v["piid"], v["ceiling"], v["last_date_to_order"], v["permalink"]) for v in held
    ]
    assert figure["rows"][0]["ceiling"] == 10_000_000_000
    ice = Queries(vehicles_store).find_agency("ICE")
    own = vehicles_store.fetch_fact_groups(FactFilter(awarding=(ice["tier"], ice["id"])), None)[0]["cents"]
    assert palantir["obligated"] == own / 100 < 10_000_000_000  # no ceiling in the money
    assert set(palantir["parts"]) == set(DEFAULT_WEIGHTS) and "vehicles" in answer["bases"]
    used = {k: w for k, w in DEFAULT_WEIGHTS.items() if palantir["parts"][k] is not None}
    assert palantir["score"] == pytest.approx(
        sum(w * palantir["parts"][k] for k, w in used.items()) / sum(used.values()), abs=1e-3
    )
    from dashboard.shaping import targets as page
    from dashboard.shaping import targets_export

    (row,) = page.table_rows(answer, links=False)
    assert row["vehicles"] == (
        "2: Department of the Army (open ceiling $10.00B), Federal Acquisition Service (open ceiling $395.00k)"
    )
    assert "vehicle W519TC25D0039: https://www.usaspending.gov/award/CONT_IDV_W519TC25D0039" in row["citations"]
    rows, headers = targets_export.ranking_rows(answer)
    assert rows[0]["vehicles (open ceiling, not spending)"] == row["vehicles"]
    assert "2 contract vehicles: Department of the Army W519TC25D0039 (open ceiling $10.00B" in report(answer)


def test_a_family_without_vehicles_says_none_held(lens):
    from dashboard.shaping import targets as page

    rows = {r["id"]: r for r in page.table_rows(lens, links=False)}
    amazon = next(row for row in lens["families"] if row["name"] == "Amazon.com, Inc.")
    assert amazon["vehicles"]["count"] == 0 and rows[amazon["id"]]["vehicles"] == "none held"


@pytest.mark.neo4j
def test_vehicles_in_targets_are_the_same_on_both_stores(vehicles_store, neo4j_store, tmp_path):
    from tests.test_vehicles import load_vehicles_and_palantir

    load_vehicles_and_palantir(neo4j_store, tmp_path)
    day = date(2025, 9, 30)
    embedded = targets(Queries(vehicles_store), "ICE", sectors=["all"], today=day)
    assert targets(Queries(neo4j_store), "ICE", sectors=["all"], today=day) == embedded
    assert embedded["families"][0]["vehicles"]["count"] == 2
