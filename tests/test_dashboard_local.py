"""The dashboard's Local page and the vendor profile's local customers, on the bundled data (which holds the Flock
portal scrape as normalized local records): AppTest for what each page shows, a real browser for the drawing."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from dashboard import sharing_network
from dashboard.profile_links import name_in
from tests.apptest_support import frame, iframe_html, run, texts
from tests.browser_support import CHROMIUM, guard_requests, launch, network_frame, node_ids, remote, running_app, wait_ready
from tests.dashboard_support import curated_env


def test_the_local_page_shows_the_portal_counts_and_a_map(home):
    app = run("local")
    shown = texts(app)
    for figure in ("5,153", "365", "37,099", "370"):
        assert figure in shown
    table = frame(app, "searchable by")
    assert len(table) == 365  # by default: the agencies with a deployment
    top = table.sort_values("searchable by", ascending=False).iloc[0]
    assert name_in(top["agency"]) == "Pittsboro IN PD" and top["searchable by"] == 3_861
    charts = [e for e in app.main if type(e).__name__ == "UnknownElement" and e.type == "vega_lite_chart"]
    assert charts, "the state map is drawn"


def test_the_table_filters_come_from_the_url(home):
    app = run("local", state="TN", using="False")
    table = frame(app, "searchable by")
    assert set(table["state"]) == {"TN"}
    assert "ATF Nashville TN" in {name_in(url) for url in table["agency"]}


def test_an_agency_profile_cites_its_portal_and_lines(home):
    app = run("local", agency="Pittsboro IN PD")
    deployments = frame(app, "technology")
    row = deployments.iloc[0]
    assert (row["vendor"], row["technology"], row["count"]) == ("Flock Group, Inc.", "automated license plate readers",
                                                               row["count"])
    assert row["source"] == "latest_usage04262023.csv" and row["line"].startswith("line ")
    assert row["page"] == "https://transparency.flocksafety.com/pittsboro-in-pd"
    shown = texts(app)
    assert "3,861" in shown and "FBI (hop 1)" in shown.replace("\\", "")
    assert "prohibited uses" in [e.label for e in app.expander]
    page = iframe_html(app)
    assert "new vis.Network" in page and not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)


def test_avon_shows_whose_data_it_can_search(home):
    app = run("local", agency="Avon IN PD")
    searched = next(d.value for d in app.dataframe if "as of" in d.value.columns and len(d.value) == 41)
    assert set(searched["source"]) == {"agency_access20240426.csv"}
    assert "0** agencies can search its data" in texts(app).replace("\\", "")


def test_an_unknown_agency_says_what_to_do(home):
    app = run("local", agency="Nowhere County SO")
    assert any("no local agency is named" in w.value for w in app.warning)


def test_the_vendor_profile_lists_local_customers(home):
    app = run("vendor", name="Flock")
    assert "Local customers" in [e.value for e in app.subheader]
    customers = frame(app, "jurisdiction")
    assert len(customers) == 365 and "Pittsboro IN PD" in {name_in(u) for u in customers["agency"]}


def test_the_largest_ego_network_stays_readable():
    """3,861 searchers: one node per state (plus the federal agencies), never one per agency."""
    searchers = [{"id": f"local:x:{i}", "name": f"Agency {i}", "state": ("IN", "OH", "IL")[i % 3],
                  "jurisdiction": "police department"} for i in range(3_861)]
    searchers.append({"id": "local:x:fbi", "name": "FBI", "state": None, "jurisdiction": "federal"})
    answer = {"agency": {"id": "local:x:c", "name": "Centre <b>PD</b>"},
              "searchable_by": {"direct": searchers, "by_hop": [{"hop": 1, "agencies": searchers}]},
              "can_search": {"agencies": searchers[:5]}}
    picture = sharing_network.ego_graph(answer)
    assert len(picture["nodes"]) <= 1 + 3 + 1 + 5
    assert {n["label"] for n in picture["nodes"] if n["kind"] == "state"} == {"IN: 1,287", "OH: 1,287", "IL: 1,287"}
    page = sharing_network.build_html(answer)
    assert "Centre &lt;b&gt;PD&lt;/b&gt;" in page or "Centre \\u003cb\\u003e" in page or "Centre <b>PD</b>" not in page


chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                              reason=f"{CHROMIUM} is missing: run `make browser`")


@chromium
def test_the_local_page_in_a_browser_draws_the_largest_ego_network(bundle_home, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with running_app(bundle_home, tmp_path / "streamlit.log", env=curated_env(bundle_home)) as url, \
            sync_api.sync_playwright() as playwright:
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
        x, y = frame.evaluate("""(id) => { const r = document.querySelector('canvas').getBoundingClientRect();
                                          const p = network.canvasToDOM(network.getPosition(id));
                                          return [r.left + p.x, r.top + p.y]; }""", "local:flock:860")
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
