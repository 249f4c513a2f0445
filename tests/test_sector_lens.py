"""The technology lens everywhere (issue 27, parts 2 and 5): `--sector` on the CLI, the sector of every answer, an
agency's money by category adding up to its total ("unclassified" its own line) on both stores, parity of the
sector filters and categories, the brief's technology share, and the dashboard's sector filter in the URL.

Both stores hold the same real files as tests/test_store_parity.py, loaded once for the module.
"""

from __future__ import annotations

import json

import pytest

from core.categories import CATEGORIES, LENS, sectors
from graph.questions.queries import Queries
from graph.questions.sectors import scope
from graph.reports.export import in_sector
from graph.store import STORES
from tests.conftest import STORE_KINDS
from tests.test_store_parity import same
from tests.test_store_parity import stores as parity_stores

AGENCIES = ("ICE", "CBP")


# the parity suite's two stores, loaded with the same real files (one load per store for this module)
stores = parity_stores


@pytest.fixture(scope="module")
def lens_family(stores) -> str:
    """The family with the most technology money from ICE in these files (found, not assumed)."""
    answer = Queries(stores["embedded"]).agency_families("ICE", categories=LENS)
    assert answer["families"], "the files hold technology purchases by ICE"
    return answer["families"][0]["id"]


@pytest.mark.neo4j  # the module's stores are the parity suite's, one of each kind
@pytest.mark.parametrize("kind", STORE_KINDS)
@pytest.mark.parametrize("agency", AGENCIES)
def test_sector_totals_add_up_to_the_agency_total(stores, kind, agency):
    store = stores[kind]
    whole = Queries(store).agency_profile(agency, limit=1)
    split = Queries(store).agency_categories(agency)
    rows = split["categories"]
    ids = [r["category"] for r in rows]
    assert len(ids) == len(set(ids)) and set(ids) <= {c.id for c in CATEGORIES}
    assert ids == [c.id for c in CATEGORIES if c.id in ids]  # in the categories' own order
    cents = sum(round(r["obligated"] * 100) for r in rows if r["obligated"] is not None)
    assert cents == round(whole["total_obligated"] * 100) == round(split["total_obligated"] * 100)
    assert whole["categories"] == rows  # the profile carries the same split
    for row in rows:  # each line: its years and its unsplit rest add up to it
        parts = sum(round(y["obligated"] * 100) for y in row["yearly"]) + round((row["not_split_by_year"] or 0) * 100)
        assert parts == round((row["obligated"] or 0) * 100), row["category"]
    # "unclassified" is a line of its own whenever facts fall there, never folded into "everything else"
    unplaced = store.fetch_fact_groups(store_filter(store, agency, ("unclassified",)), None)
    if unplaced and unplaced[0]["facts"]:
        assert "unclassified" in ids
    # each sector alone is that line; the lens is the sum of its three
    for row in rows:
        alone = Queries(store).agency_profile(agency, limit=1, categories=(row["category"],))
        assert round(alone["total_obligated"] * 100) == round((row["obligated"] or 0) * 100)
        assert alone["sector"]["categories"] == [row["category"]]
    lens = Queries(store).agency_profile(agency, limit=5, categories=LENS)
    expected = sum(round(r["obligated"] * 100) for r in rows if r["category"] in LENS and r["obligated"] is not None)
    assert round(lens["total_obligated"] * 100) == expected
    assert round((split["technology"]["obligated"] or 0) * 100) == expected
    assert lens["sector"]["sector"] == "technology" and "detention" in lens["sector"]["leaves_out"]
    assert "detention and custody" in lens["sector"]["line"]


def store_filter(store, agency: str, categories):
    from graph.store import FactFilter

    found = Queries(store).find_agency(agency)
    return FactFilter(awarding=(found["tier"], found["id"]), categories=categories)


@pytest.mark.neo4j
def test_the_sector_filters_and_categories_agree_on_both_stores(stores, lens_family):
    for agency in AGENCIES:
        same(stores, "agency_categories", agency)
        same(stores, "agency_profile", agency, limit=20, categories=LENS)
        same(stores, "agency_families", agency, categories=LENS)
        same(stores, "agency_money", agency, categories=("data", "surveillance"))
        same(stores, "subgraph", agency=agency, categories=LENS)
        same(stores, "subgraph", agency=agency, fy_from=2018, fy_to=2025, categories=("it",))
    same(stores, "vendor_family", lens_family, categories=LENS)
    same(stores, "vendor_categories", lens_family)
    same(stores, "family_technology", lens_family)
    same(stores, "direct_ties", lens_family, "ICE", categories=LENS)
    same(stores, "top_vendors", "ICE", 2025, 10, LENS)


@pytest.mark.neo4j
def test_a_filtered_answer_holds_only_its_sector(stores, lens_family):
    store = stores["embedded"]
    graph = Queries(store).subgraph(agency="ICE", categories=LENS)
    whole = Queries(store).subgraph(agency="ICE")
    assert graph["sector"]["sector"] == "technology" and whole["sector"]["sector"] == "all"
    money = sum(e["obligated"] for e in graph["edges"] if e["type"] == "AWARDS")
    assert 0 < money < sum(e["obligated"] for e in whole["edges"] if e["type"] == "AWARDS")
    family = Queries(store).vendor_family(lens_family, categories=LENS)
    assert family["sector"]["not_filtered"]  # ceilings and resold sales are said to cover every purchase
    lens = [c for c in family["categories"] if c["category"] in LENS]
    assert round(family["total_obligated"] * 100) == sum(round((c["obligated"] or 0) * 100) for c in lens)
    for category in family["categories"]:  # every category with its reasons, each reason in words with a source
        assert category["reasons"] and all(r["reason"] for r in category["reasons"])
        assert sum(r["facts"] for r in category["reasons"]) == category["facts"]


@pytest.mark.neo4j
def test_the_brief_says_how_much_is_technology(stores, lens_family):
    from graph.reports.brief import assemble
    from graph.reports.brief_render import markdown, pdf

    store = stores["embedded"]
    brief = assemble(Queries(store), lens_family)
    ice = next(row for row in brief["technology"] if row["agency"] == "ICE")
    expected = Queries(store).family_technology(lens_family)
    share = next(s for s in expected if s["agency"]["code"] == "7012")
    assert float(ice["technology"]) == share["obligated"] and float(ice["total"]) == share["total"]
    assert {c["label"] for c in ice["by_category"]} <= {
        "surveillance and biometrics",
        "data and analytics",
        "cloud and hosting",
    }
    text = markdown(brief)
    assert "Technology \\(surveillance and biometrics, data and analytics, cloud and hosting\\):" in text
    assert "from ICE" in text and "$0" not in text.split("Technology")[1].split("\n")[0]
    limited = assemble(Queries(store), lens_family, categories=("detention",))
    assert limited["sector"]["categories"] == ["detention"]
    assert "Figures cover detention and custody only" in markdown(limited)
    assert pdf(limited).startswith(b"%PDF")


def test_sector_names_parse_like_the_cli():
    assert sectors(["technology"]) == LENS
    assert sectors(["all"]) is None and sectors([]) is None
    assert sectors(["cloud", "Data and analytics"]) == ("data", "cloud")
    with pytest.raises(ValueError, match="technology, all, or one of surveillance"):
        sectors(["drones"])
    assert scope(None)["leaves_out"] == [] and scope(LENS)["sector"] == "technology"


@pytest.mark.neo4j
def test_cli_sector_flag_on_each_command(stores, monkeypatch, capsys, tmp_path):
    from graph.cli import main

    home = stores["embedded"].home
    monkeypatch.setenv("KG_HOME", str(home))
    stores["embedded"].close()  # the CLI opens the store itself
    try:
        for argv in (
            ["agency", "ICE"],
            ["vendor", "Palantir"],
            ["ties", "Palantir", "ICE"],
            ["subgraph", "--agency", "ICE"],
            ["centrality", "--agency", "ICE", "--limit", "3"],
        ):
            assert main([*argv, "--sector", "technology", "--json"]) == 0, argv
            answer = json.loads(capsys.readouterr().out)
            assert answer["sector"]["sector"] == "technology" and answer["sector"]["categories"] == list(LENS), argv
            assert main([*argv, "--sector", "technology"]) == 0
            assert "leaves out IT services and software" in capsys.readouterr().out, argv
        assert main(["agency", "ICE", "--sector", "data", "--sector", "cloud", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["sector"]["categories"] == ["data", "cloud"]
        assert main(["agency", "ICE", "--sector", "drones"]) == 1
        assert "unknown sector 'drones'" in capsys.readouterr().err
        assert main(["brief", "Palantir", "--sector", "technology"]) == 0
        assert "Figures cover the technology lens" in capsys.readouterr().out
        out = tmp_path / "lens.graphml"
        assert main(["export", "--format", "graphml", str(out), "--sector", "technology", "--json"]) == 0
        written = json.loads(capsys.readouterr().out)
        assert written["sector"]["sector"] == "technology" and out.stat().st_size > 0
    finally:
        from graph.store import open_store

        stores["embedded"] = open_store("embedded", home=home)


@pytest.mark.neo4j
def test_export_in_sector_keeps_only_its_facts(stores):
    graph = stores["embedded"].to_networkx()
    kept = in_sector(graph, ("surveillance",))
    facts = [d for _, d in kept.nodes(data=True) if d["label"] == "Fact"]
    assert facts and all(d["category"] == "surveillance" for d in facts)
    awards = [n for n, d in kept.nodes(data=True) if d["label"] == "Award"]
    assert awards and all(any(kept.nodes[v]["label"] == "Fact" for v in kept.successors(n)) for n in awards)
    assert kept.number_of_nodes() < graph.number_of_nodes()


def test_dashboard_landing_opens_on_the_lens_with_a_switch(home):
    from tests.apptest_support import iframe_html, run, texts

    app = run("network")
    shown = texts(app)
    assert "Showing the technology lens" in shown
    assert '"label": "The GEO Group, Inc."' not in iframe_html(app)  # detention is out of the lens
    assert '"label": "Palantir Technologies Inc."' in iframe_html(app)
    app.button(key="lens_off").click().run()
    assert app.query_params["sector"] == "all"
    assert '"label": "The GEO Group, Inc."' in iframe_html(app)
    app = run("network", sector="data,cloud")
    assert app.sidebar.radio(key="f_sector").value == "chosen"
    assert "data and analytics, cloud and hosting only" in texts(app)


def on(page: str, sector: str, **query):
    """The page opened with `?sector=` (AppTest starts on the Network page, whose own default would drop it)."""
    from tests.apptest_support import run

    app = run(page, **query)
    app.query_params["sector"] = sector
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_dashboard_profiles_show_categories_and_keep_the_sector_in_the_url(home):
    from tests.apptest_support import frame, run, texts

    app = run("agency", name="ICE")
    table = frame(app, "Category")
    assert len(table) >= 3 and table["Category"].str.contains("technology lens").any()
    assert "The categories add up to" in texts(app)
    app = on("agency", "technology", name="ICE")
    assert "in the technology lens" in texts(app) and app.query_params["sector"] == "technology"
    app = on("vendor", "technology", name="Palantir")
    reasons = frame(app, "Why (rule and source)")
    assert reasons["Why (rule and source)"].str.len().min() > 10
    assert "Obligated and awards cover the technology lens" in texts(app)
    app = on("vendor", "bogus", name="Palantir")
    assert any("unknown sector" in w.value for w in app.warning)


@pytest.mark.neo4j
def test_sales_through_others_follow_the_sector_on_both_stores(stores):
    """An agency's makers sold through others add up the mentions of actions in the sector, grouped in the store,
    the same on both stores."""
    from graph.attribution import MENTION_GROUPINGS

    embedded = stores["embedded"]
    for agency in AGENCIES:
        found = Queries(embedded).find_agency(agency)
        where = (found["tier"], found["id"])
        for categories in (None, LENS, ("it",)):
            for by in MENTION_GROUPINGS:
                groups = embedded.fetch_mention_groups(where, categories, by)
                assert all(stores[kind].fetch_mention_groups(where, categories, by) == groups for kind in STORES), (
                    agency,
                    categories,
                    by,
                )
        rows = embedded.fetch_mentions(awarding=where)
        assert rows and all(r["category"] for r in rows)  # each mention carries its action's category
        for categories in (None, LENS):
            kept = [r for r in rows if categories is None or r["category"] in categories]
            profile = Queries(embedded).agency_profile(agency, limit=1, categories=categories)
            makers = {m["id"]: m["through_others"] for m in profile["makers"]}
            assert set(makers) == {r["maker"] for r in kept}
            for maker, through in makers.items():
                mine = [r for r in kept if r["maker"] == maker]
                assert through["actions"] == len(mine)
                assert through["awards"] == len({r["award_key"] for r in mine})
                assert round((through["obligated"] or 0) * 100) == sum(r["cents"] or 0 for r in mine)
            assert ("sales through other vendors" in profile["sector"].get("not_filtered", [])) is False
        lens_only = {m["id"] for m in Queries(embedded).agency_profile(agency, limit=1, categories=LENS)["makers"]}
        assert lens_only <= {m["id"] for m in Queries(embedded).agency_profile(agency, limit=1)["makers"]}
    # a maker's profile in a sector: its sales through others are those of actions in the sector
    mentions = embedded.fetch_mentions()
    maker = max(sorted({r["maker"] for r in mentions}), key=lambda m: sum(r["maker"] == m for r in mentions))
    for categories in (None, LENS, ("it",)):
        through = Queries(embedded).vendor_family(maker, categories=categories)["through_others"]
        kept = [r for r in mentions if r["maker"] == maker and (categories is None or r["category"] in categories)]
        assert through["actions"] == len(kept)
        assert round((through["obligated"] or 0) * 100) == sum(r["cents"] or 0 for r in kept)
    same(stores, "vendor_family", maker, categories=LENS)
