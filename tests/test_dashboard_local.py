"""The dashboard's Local page and the vendor profile's local customers, on the bundled data (which holds the Flock
portal scrape as normalized local records): AppTest for what each page shows, a real browser for the drawing."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from dashboard.render import sharing_network
from dashboard.render.profile_links import name_in
from tests.apptest_support import frame, iframe_html, run, texts
from tests.browser_support import (
    CHROMIUM,
    guard_requests,
    launch,
    network_frame,
    node_ids,
    remote,
    running_app,
    wait_ready,
)
from tests.dashboard_support import curated_env


def test_the_local_page_shows_the_portal_counts_and_a_map(home):
    app = run("local")
    shown = texts(app)
    for figure in ("5,153", "365", "37,099", "370"):
        assert figure in shown
    table = frame(app, "Can search its data")
    assert len(table) == 365  # by default: the agencies with a deployment
    reported = table[table["Can search its data"].str[0].str.isdigit()]
    top = reported.loc[reported["Can search its data"].str.replace(",", "").astype(int).idxmax()]
    assert name_in(top["Agency"]) == "Pittsboro IN PD" and top["Can search its data"] == "3,861"
    assert list(table.columns[:4]) == ["Agency", "State", "Vendors", "Cameras"]  # the key columns first
    # a portal whose access list is not loaded reports nobody: never "0"
    avon = table[table["Agency"].map(name_in) == "Avon IN PD"].iloc[0]
    assert avon["Can search its data"] == "not reported"
    assert not {"None", "nan", "$0.00"} & set(table.astype(str).to_numpy().ravel())
    assert "0" not in set(table["Can search its data"]) | set(table["It can search"])  # a portal's "0 cameras" stays
    charts = [e for e in app.main if type(e).__name__ == "UnknownElement" and e.type == "vega_lite_chart"]
    assert charts, "the state map is drawn"


def test_the_table_filters_come_from_the_url(home):
    app = run("local", state="TN", using="False")
    table = frame(app, "Can search its data")
    assert set(table["State"]) == {"TN"}
    assert "ATF Nashville TN" in {name_in(url) for url in table["Agency"]}


def test_an_agency_profile_cites_its_portal_and_lines(home):
    app = run("local", agency="Pittsboro IN PD")
    deployments = frame(app, "Technology")
    row = deployments.iloc[0]
    assert (row["Vendor"], row["Technology"], row["Count"]) == (
        "Flock Group, Inc.",
        "automated license plate readers",
        "7",
    )
    assert row["Source"].startswith("latest_usage04262023.csv, line ")
    assert row["Portal page"] == "https://transparency.flocksafety.com/pittsboro-in-pd"
    shown = texts(app)
    assert "3,861" in shown and "FBI (hop 1)" in shown.replace("\\", "")
    assert "prohibited uses" in [e.label for e in app.expander]
    page = iframe_html(app)
    assert "new vis.Network" in page and not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)


def test_avon_shows_whose_data_it_can_search(home):
    app = run("local", agency="Avon IN PD")
    searched = next(d.value for d in app.dataframe if "As of" in d.value.columns and len(d.value) == 41)
    assert {s.split(",")[0] for s in searched["Source"]} == {"agency_access20240426.csv"}
    shown = texts(app).replace("\\", "")
    assert "Who can search its data: not reported (no access list of its own in the data)" in shown
    assert "0** agencies" not in shown and "**41** agencies' data" in shown


def local_view(view: str):
    """The Local page opened with `?view=` (a name `run` keeps for the page itself)."""
    from streamlit.testing.v1 import AppTest

    from tests.apptest_support import APP

    app = AppTest.from_file(APP, default_timeout=180)
    app.query_params["view"] = view
    app.run()
    app.switch_page("views/local.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_the_federal_view_answers_who_shares_with_federal_agencies(home):
    app = local_view("federal")
    shown = texts(app).replace("\\", "")
    assert (
        "120 local agencies in 25 states share their data (automated license plate readers) with 4 federal "
        "agencies through Flock Safety"
    ) in shown
    bodies = frame(app, "Local agencies")
    assert dict(zip(bodies["Federal agency"].map(name_in), bodies["Local agencies"], strict=False)) == {
        "US Postal Inspection Service": 110,
        "FBI": 30,
        "ATF Nashville TN": 29,
        "ATF Louisville KY": 14,
    }
    listings = frame(app, "Local agency")
    assert len(listings) == 183 and listings["Local agency"].map(name_in).nunique() == 120
    assert set(bodies["Part of"]) >= {
        "Bureau of Alcohol, Tobacco, Firearms and Explosives → Department of Justice",
        "Federal Bureau of Investigation → Department of Justice",
    }
    nashville = listings[listings["Federal agency"] == "ATF Nashville TN → ATF → DOJ"].iloc[0]
    assert nashville["System"] == "Flock Safety" and re.fullmatch(
        r"agency_access20240426\.csv, line \d+", nashville["Source"]
    )
    assert not {"None", "nan"} & set(listings.drop(columns="Portal page").astype(str).to_numpy().ravel())


@pytest.mark.parametrize(
    "query, message",
    [
        ({"vendor": "Axon"}, "No local records name Axon yet"),
        ({"state": "ZZ"}, "No local records are in the state ZZ yet"),
        ({"kind": "space agency"}, "No local records give the jurisdiction space agency yet"),
    ],
)
def test_a_filter_that_matches_nothing_says_so_and_lists_nothing(home, query, message):
    app = run("local", **query)
    assert any(message in w.value.replace("\\", "") for w in app.warning)
    assert not any("Can search its data" in d.value.columns for d in app.dataframe)  # no Flock agency as if it matched
    assert "0 of 5,153 agencies" in texts(app)


def test_a_filter_hidden_by_the_default_box_says_why(home):
    app = run("local", kind="federal")
    assert "0 of 5,153 agencies" in texts(app)
    hint = " ".join(i.value for i in app.info)
    assert 'without "Only agencies with a deployment or contract": 4 agencies (untick it to list them)' in hint
    assert "/local?view=federal" in hint


def test_an_unknown_agency_says_what_to_do(home):
    app = run("local", agency="Nowhere County SO")
    assert any("no local agency is named" in w.value for w in app.warning)


def test_the_vendor_profile_lists_local_customers(home):
    app = run("vendor", name="Flock")
    assert "Local customers" in [e.value for e in app.subheader]
    customers = frame(app, "Jurisdiction")
    assert len(customers) == 365 and "Pittsboro IN PD" in {name_in(u) for u in customers["Agency"]}
    assert list(customers.columns[:3]) == ["Agency", "State", "Count"]
    assert not {"None", "nan"} & set(customers.drop(columns="Portal page").astype(str).to_numpy().ravel())


def test_the_largest_ego_network_stays_readable():
    """3,861 searchers: one node per state (plus the federal agencies), never one per agency."""
    searchers = [
        {
            "id": f"local:x:{i}",
            "name": f"Agency {i}",
            "state": ("IN", "OH", "IL")[i % 3],
            "jurisdiction": "police department",
        }
        for i in range(3_861)
    ]
    searchers.append({"id": "local:x:fbi", "name": "FBI", "state": None, "jurisdiction": "federal"})
    answer = {
        "agency": {"id": "local:x:c", "name": "Centre <b>PD</b>"},
        "searchable_by": {"direct": searchers, "by_hop": [{"hop": 1, "agencies": searchers}]},
        "can_search": {"agencies": searchers[:5]},
    }
    picture = sharing_network.ego_graph(answer)
    assert len(picture["nodes"]) <= 1 + 3 + 1 + 5
    assert {n["label"] for n in picture["nodes"] if n["kind"] == "state"} == {"IN: 1,287", "OH: 1,287", "IL: 1,287"}
    page = sharing_network.build_html(answer)
    assert "Centre &lt;b&gt;PD&lt;/b&gt;" in page or "Centre \\u003cb\\u003e" in page or "Centre <b>PD</b>" not in page


chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason=f"{CHROMIUM} is missing: run `make browser`"
)


@chromium
def test_the_local_page_in_a_browser_draws_the_largest_ego_network(bundle_home, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with (
        running_app(bundle_home, tmp_path / "streamlit.log", env=curated_env(bundle_home)) as url,
        sync_api.sync_playwright() as playwright,
    ):
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        urls = guard_requests(context)
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"{url}/local?agency=Pittsboro+IN+PD")
        ids = node_ids(network_frame(page))
        seconds = time.perf_counter() - started
        assert "local:flock:2065" in ids and "in:IN" in ids and "local:flock:860" in ids  # itself, Indiana, FBI
        assert len(ids) < 120
        wait_ready(page)
        page.screenshot(path=str(tmp_path / "local.png"), full_page=True)
        assert page.get_by_text("Pittsboro IN PD").count() >= 1
        # a click on the FBI's node opens its profile on the same page
        frame = network_frame(page)
        page.locator("iframe").first.scroll_into_view_if_needed()
        x, y = frame.evaluate(
            """(id) => { const r = document.querySelector('canvas').getBoundingClientRect();
                                          const p = network.canvasToDOM(network.getPosition(id));
                                          return [r.left + p.x, r.top + p.y]; }""",
            "local:flock:860",
        )
        box = page.locator("iframe").first.bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_url("**/local?agency=local%3Aflock%3A860", timeout=60_000)
        page.get_by_role("heading", name="FBI").first.wait_for(timeout=60_000)
        wait_ready(page)
        assert page.get_by_text("is: Federal Bureau of Investigation → part of Department of Justice").count() == 1
        assert remote(urls) == [], remote(urls)
        print(f"\nPittsboro IN PD's ego-network drawn {seconds:.2f}s after the page was asked for")
        context.close()
        browser.close()


def test_the_review_queue_lists_local_matches(home):
    app = run("review", kind="local")
    assert any(s.value.startswith("Local agencies named alike in two sources") for s in app.subheader)
