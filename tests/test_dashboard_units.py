"""The dashboard's pure parts and the two store reads it added, on the bundled sample."""

from __future__ import annotations

import re
from datetime import date

import networkx as nx
import pytest

from core.wording import short_money
from dashboard.render import pyvis_network as network
from dashboard.render.text import md
from dashboard.shaping import exports
from graph.questions.queries import Queries
from graph.store import open_store
from tests.dashboard_support import load_sample


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return open_store("embedded", home=load_sample(tmp_path_factory.mktemp("kg")))


def test_facets(store):
    facets = Queries(store).facets()
    # the fiscal years of the actions (Torn Apart's FY2013 onwards); award summaries are not split by year
    assert facets["fy_min"] == 2013 and facets["fy_max"] == 2026
    assert facets["award_types"] == sorted(facets["award_types"])
    assert {"DELIVERY ORDER", "PURCHASE ORDER", "BPA CALL"} <= set(facets["award_types"])


def test_vendor_totals(store):
    rows = Queries(store).vendor_totals(
        ["duns:825284321", "duns:362130952", "org:palantir-technologies-inc", "duns:825284321", "nope"]
    )
    assert rows == [
        {
            "id": "duns:362130952",
            "name": "PALANTIR TECHNOLOGIES INC.",
            "total_obligated": 327147786.64,
            "award_count": 11,
        },
        {"id": "duns:825284321", "name": "PALANTIR USG, INC.", "total_obligated": 2053653.84, "award_count": 1},
        {
            "id": "org:palantir-technologies-inc",
            "name": "Palantir Technologies Inc.",
            "total_obligated": 0.0,
            "award_count": 0,
        },  # the curated head of the family received nothing itself
    ]  # together the family's 329,201,440.48 in 12 awards
    assert Queries(store).vendor_totals(["subtier:7012"]) == []


def test_network_page_is_offline_and_escapes_tooltips(store):
    graph = Queries(store).subgraph(agency="ICE")
    page = network.build_html(graph)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert "sourceMappingURL" not in page and "new vis.Network" in page
    hostile = {
        "nodes": [
            {"id": "Vendor:x", "kind": "Vendor", "name": "<script>alert(1)</script>", "obligated": 5.0},
            {"id": "Agency:y", "kind": "Agency", "tier": "subtier", "name": "A&B", "obligated": 5.0},
        ],
        "edges": [{"source": "Vendor:x", "target": "Agency:y", "type": "AWARDS", "obligated": 5.0, "awards": 1}],
    }
    page = network.build_html(hostile)
    assert "<script>alert(1)</script>" not in page and "</script>alert" not in page
    # an edge's tooltip names both its ends (escaped like every name)
    assert (
        "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt; \\u2192 A\\u0026amp;B: $5.00 obligated in "
        "1 award(s)"
    ) in page  # HTML-escaped, then JSON-escaped into the page


def test_big_graphs_get_computed_positions_without_physics():
    nodes = [{"id": f"Agency:{a}", "kind": "Agency", "tier": "subtier", "name": a, "obligated": 1.0} for a in "AB"]
    nodes += [{"id": f"Vendor:{i}", "kind": "Vendor", "name": f"v{i}", "obligated": float(i)} for i in range(400)]
    edges = [
        {
            "source": f"Vendor:{i}",
            "target": f"Agency:{'AB'[i % 2]}",
            "type": "AWARDS",
            "obligated": float(i),
            "awards": 1,
        }
        for i in range(400)
    ]
    graph = {"nodes": nodes, "edges": edges}
    where = network.positions(graph)
    assert set(where) == {n["id"] for n in nodes} and network.positions(graph) == where
    assert len(set(where.values())) == len(where)  # nobody on top of anybody
    page = network.build_html(graph)
    assert '"enabled": false' in page and '"x": ' in page


def test_targets_renewal_calendar_and_its_pressure():
    """graph/questions/targets.py's pure parts (the page ranks nothing itself): decisions placed by the earliest end date in the
    window, pressing 1 today and falling linearly to 0 at the window's end."""
    from graph.questions import targets

    awards = [
        {
            "key": "a1",
            "vendor": {"id": "v1", "name": "One"},
            "end_date": "2025-07-15",
            "current_value": 100.0,
            "potential_value": 150.0,
        },
        {"key": "a2", "vendor": {"id": "v1", "name": "One"}, "end_date": "2020-01-01"},
        {"key": "a3", "vendor": {"id": "v2", "name": "Two"}, "end_date": None, "potential_end_date": "2025-12-31"},
    ]
    rows = targets.calendar_rows(awards, {"v1": {"id": "f1", "name": "Family"}}, date(2025, 1, 15), 12)
    assert [(r["award"]["key"], r["family_id"], r["field"]) for r in rows] == [
        ("a1", "f1", "current end date (end_date)"),
        ("a3", "v2", "potential end date (potential_end_date)"),
    ]
    assert rows[0]["options"] == 50.0 and rows[1]["options"] is None and rows[1]["pressure"] is None
    assert rows[0]["pressure"] == pytest.approx(100.0 * rows[0]["weight"]) and 0 < rows[0]["weight"] < 1
    assert targets.soon("2025-01-15", date(2025, 1, 15), date(2026, 1, 15)) == 1.0
    assert targets.scaled(1.0, 100.0) == pytest.approx(0.1) and targets.scaled(5.0, 0.0) == 0.0
    assert targets.fiscal_year(date(2025, 10, 1)) == 2026 and targets.add_months(date(2025, 1, 31), 1) == date(
        2025, 2, 28
    )


def test_agency_money_adds_up_to_the_agency_total(store):
    rows = Queries(store).agency_money("ICE")
    profile = Queries(store).agency_profile("ICE", limit=0)
    assert sum(r["obligated"] or 0 for r in rows) == pytest.approx(profile["total_obligated"], abs=0.01)
    assert {r["recipient"] for r in rows} == {v["id"] for v in profile["vendors"]}


def test_exports(store):
    family = Queries(store).vendor_family("Clearview AI")
    text = exports.awards_csv(family["awards"]).decode()
    assert text.splitlines()[0].startswith("vendor,vendor_id,awarding_agency,piid")
    assert len(text.splitlines()) == 1 + family["award_count"]
    graph = Queries(store).subgraph(vendor="Clearview AI")
    assert b"Clearview AI, Inc." in exports.graphml(graph) and b"Clearview AI, Inc." in exports.gexf(graph)
    parsed = nx.parse_graphml(exports.graphml(graph).decode())
    assert parsed.number_of_nodes() == len(graph["nodes"]) and parsed.number_of_edges() == len(graph["edges"])
    markdown = exports.citations_md("Clearview AI", family["awards"]).decode()
    assert markdown.count("\n- ") == family["award_count"] and "https://www.usaspending.gov/award/" in markdown


def test_markdown_text_is_literal():
    assert md("<b>*x*</b> [a](javascript:1)") == r"&lt;b&gt;\*x\*&lt;/b&gt; \[a\]\(javascript\:1\)"


def test_resellers_layer_is_dashed_labelled_escaped_and_exportable():
    from dashboard.render.text import record_link

    hostile = "<script>alert(1)</script>"
    graph = {
        "nodes": [
            {"id": "Vendor:r", "kind": "Vendor", "name": "Reseller & Co", "obligated": 10.0},
            {"id": "Agency:a", "kind": "Agency", "tier": "subtier", "name": "Agency", "obligated": 10.0},
        ],
        "edges": [{"source": "Vendor:r", "target": "Agency:a", "type": "AWARDS", "obligated": 10.0, "awards": 1}],
    }
    layer = {
        "label": "attributed from award descriptions",
        "basis": "…",
        "nodes": [
            {"id": "Vendor:m", "kind": "Vendor", "name": hostile},
            {"id": "Vendor:r", "kind": "Vendor", "name": "Reseller & Co"},
            {"id": "Agency:a", "kind": "Agency", "name": "Agency"},
        ],
        "edges": [
            {
                "source": "Vendor:m",
                "target": "Vendor:r",
                "type": "THROUGH_RESELLER",
                "maker": "m",
                "maker_name": hostile,
                "products": [hostile],
                "obligated": 2_500_000.0,
                "actions": 3,
                "actions_not_reported": 0,
                "awards": 1,
                "label": f"{hostile} via Reseller & Co",
            },
            {
                "source": "Vendor:r",
                "target": "Agency:a",
                "type": "RESOLD_TO",
                "maker": "m",
                "maker_name": hostile,
                "products": [hostile],
                "obligated": None,
                "actions": 1,
                "actions_not_reported": 1,
                "awards": 1,
                "label": hostile,
            },
        ],
    }
    drawn = network.with_resellers(graph, layer)
    assert [n["id"] for n in drawn["nodes"]] == ["Vendor:r", "Agency:a", "Vendor:m"]
    assert drawn["nodes"][2]["obligated"] == 0.0 and len(drawn["edges"]) == 3
    assert network.with_resellers(graph, None) is graph and network.with_resellers(graph, {"edges": []}) is graph
    page = network.build_html(drawn)
    assert hostile not in page and "</script>alert" not in page  # labels in JSON as \u003c…, tooltips escaped
    assert page.count(f'"color": "{network.RESELLER_COLOUR}", "dashes": true') == 2  # beside the award edge, kept
    assert '"label": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e $2.50M"' in page
    assert "amount not reported" in page and 'id="legend-resellers"' in page
    assert 'id="legend-resellers"' not in network.build_html(graph)
    parsed = nx.parse_graphml(exports.graphml(drawn).decode())
    assert parsed.number_of_edges() == 3 and exports.gexf(drawn)
    assert [short_money(v) for v in (None, 950.0, 51_639_536.51, 2.1e9, -8885.17)] == [
        "not reported",
        "$950",
        "$51.64M",
        "$2.10B",
        "-$8.89k",
    ]
    assert [
        record_link(u)
        for u in (
            "https://www.usaspending.gov/award/A/",
            "https://sam.gov/entity/X",
            "https://evil.example/phish",
            "http://www.usaspending.gov/award/A/",
            "https://www.usaspending.gov.evil.example/a",
            "javascript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            None,
            "/a",
        )
    ] == ["https://www.usaspending.gov/award/A/", "https://sam.gov/entity/X"] + [None] * 8


def test_award_rows_link_only_http_permalinks_and_name_their_profiles():
    from dashboard.render.profile import entity_links
    from dashboard.render.profile_links import name_in

    award = {
        "permalink": "javascript:alert(1)",
        "vendor": {"id": "uei:X", "name": "<b>[x](y)</b>"},
        "awarding_agency": {"code": "7012", "name": "ICE"},
    }
    links = entity_links(award)
    assert links["permalink"] is None  # a javascript: value is never a link
    assert links["vendor"].startswith("/vendor?name=uei%3AX#") and name_in(links["vendor"]) == "<b>[x](y)</b>"
    assert links["awarding_agency"].startswith("/agency?name=7012#")
    assert entity_links({**award, "permalink": "https://www.usaspending.gov/award/A/"})["permalink"].startswith(
        "https://"
    )
