"""The dashboard in a real browser (Playwright + Debian's chromium), against the app started here.

Checks what only a browser shows: the pyvis network is drawn with the expected nodes, a filter change
redraws it, a profile opens from a shared URL, a hostile name stays text, a reviewer's judgement typed
into /review lands in the judgements file and takes effect on `python -m graph attribute`, and no request
leaves localhost (everything is recorded; anything remote is aborted and fails the test).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from graph.questions.queries import Queries
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
from tests.dashboard_support import (
    FOUR_POINTS_AWARD,
    HOSTILE,
    HOSTILE_UEI,
    ROOT,
    curated_env,
    load_sample,
    load_transactions,
)

if not Path(CHROMIUM).exists():
    message = f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    home = load_sample(folder / "kg", hostile=True)
    with running_app(home, folder / "streamlit.log", env=curated_env(home)) as url:
        yield url


@pytest.fixture(scope="module")
def resold_app(tmp_path_factory, shared_data):
    """The app on the ICE/CBP transaction export, with its own rules and judgements files; yields (URL, home)."""
    folder = tmp_path_factory.mktemp("browser-resold")
    home = load_transactions(folder / "kg")
    with running_app(home, folder / "streamlit.log", env=curated_env(home)) as url:
        yield url, home


@pytest.fixture(scope="module")
def browser_context(app_url):
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        urls = guard_requests(context)
        dialogs: list[str] = []
        context.on("page", lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
        yield context, urls, dialogs
        context.close()
        browser.close()


def test_network_filter_profile_and_no_remote_request(app_url, browser_context, tmp_path):
    context, urls, dialogs = browser_context
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{app_url}/?sector=all")  # every purchase (the landing opens on the technology lens)
    ids = node_ids(network_frame(page))
    network_seconds = time.perf_counter() - started
    for expected in (
        "Vendor:org:palantir-technologies-inc",
        "Vendor:org:the-geo-group-inc",
        "Agency:subtier:7012",
        "Group:Agency:subtier:7012",
    ):  # the top families, and ICE's other vendors grouped
        assert expected in ids
    assert len(ids) <= 150
    wait_ready(page)
    page.screenshot(path=str(tmp_path / "network.png"), full_page=True)
    assert (tmp_path / "network.png").stat().st_size > 10_000

    # a filter change redraws the network and lands in the URL
    vendor = page.get_by_label("Vendor (part of a name; its whole family is drawn)")
    vendor.fill("Clearview")
    vendor.press("Enter")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            ids = node_ids(network_frame(page))
        except Exception:
            ids = []
        if ids and not any("palantir" in i for i in ids):
            break
        page.wait_for_timeout(200)
    assert any("clearview" in i.lower() for i in ids) and not any("palantir" in i for i in ids)
    assert "vendor=Clearview" in page.url
    page.screenshot(path=str(tmp_path / "network-clearview.png"))

    # a profile opens from a shared URL
    profile = context.new_page()
    started = time.perf_counter()
    profile.goto(f"{app_url}/vendor?name=Palantir")
    profile.get_by_text("$329.20M").first.wait_for(timeout=60_000)
    profile_seconds = time.perf_counter() - started
    wait_ready(profile)
    assert profile.get_by_role("heading", name="Palantir Technologies Inc.").count() >= 1
    assert profile.get_by_text("Obligated (money committed)").count() == 1
    profile.screenshot(path=str(tmp_path / "vendor-palantir.png"), full_page=True)
    print(
        f"\nfirst render on the bundled sample: network {network_seconds:.2f}s, vendor profile {profile_seconds:.2f}s"
    )

    assert remote(urls) == [], remote(urls)
    assert any(u.startswith(app_url) for u in urls)


PALANTIR = "Vendor:org:palantir-technologies-inc"


READS = [  # what a reporter must read on each page of the bundle, in words
    ("/vendor?name=Palantir", ["FY2013–FY2026 (FY2019–20 not loaded)", "FY2019–20: not loaded", "truncated"]),
    ("/agency?name=ICE", ["FY2019–20 not loaded", "ICE FY2022–23 truncated: de-obligations missing"]),
    ("/vendor?name=Flock", ["Flock Group, Inc.: no federal awards in the loaded data", "That is not $0"]),
    ("/vendor?name=Venntel", ["$0 net in the loaded actions", "fall in years not loaded"]),
    ("/local?view=federal", ["local agencies in", "share their data", "with 4 federal agencies"]),
    ("/sources", ["What each agency-year holds", "FY2019–20 not loaded"]),
]
STRAY = re.compile(r"(?<![\w.])(None|nan|NaN)(?!\w)|\$0\.00(?!\d)")


def test_pages_say_gaps_and_nothings_in_words(app_url, browser_context, tmp_path):
    """The yearly charts span the gaps (drawn, and said under them), $0 and nothing are words, and no page shows
    None, nan or $0.00 in its text (grid cells are canvas: the AppTest page scan reads those)."""
    context, _, _ = browser_context
    page = context.new_page()
    for path, expected in READS:
        page.goto(f"{app_url}{path}")
        page.get_by_text(expected[0], exact=False).first.wait_for(timeout=60_000)
        wait_ready(page)
        shown = page.inner_text("[data-testid='stMain']")
        for phrase in expected:
            assert phrase in shown, (path, phrase)
        assert not STRAY.search(shown), (path, STRAY.search(shown).group(0))
        if path.startswith(("/vendor?name=Palantir", "/agency")):
            assert page.locator("[data-testid='stVegaLiteChart']").count() >= 1  # the yearly chart is drawn
        assert page.get_by_text("Deploy", exact=True).count() == 0  # no developer chrome
        page.screenshot(path=str(tmp_path / f"{path.strip('/').split('?')[0]}.png"), full_page=True)
    page.close()


def test_network_labels_are_drawn(app_url, browser_context):
    context, urls, _ = browser_context
    page = context.new_page()
    page.goto(f"{app_url}/?sector=all")  # every purchase, where GEO and CoreCivic are drawn too
    frame = network_frame(page)
    drawn = frame.evaluate("""() => network.body.data.nodes.get().map(n => [n.id, n.label,
                                       (n.font && n.font.size) || 0])""")
    assert drawn and all(label and size > 0 for _, label, size in drawn)
    labels = {nid: label for nid, label, _ in drawn}
    assert labels[PALANTIR] == "Palantir Technologies Inc."  # the names, labelled in the default view
    assert labels["Vendor:org:the-geo-group-inc"] == "The GEO Group, Inc."
    assert labels["Vendor:org:corecivic-inc"] == "CoreCivic, Inc."
    threshold = frame.evaluate(
        "() => network.body.nodes[Object.keys(network.body.nodes)[0]].options.scaling.label.drawThreshold"
    )
    assert threshold <= 1  # labels stay drawn when the whole drawing is fitted
    assert remote(urls) == [], remote(urls)


def test_network_search_focuses_the_node(app_url, browser_context, tmp_path):
    context, urls, _ = browser_context
    page = context.new_page()
    page.goto(f"{app_url}/")
    network_frame(page)
    wait_ready(page)
    search = page.get_by_label("Find a node in the drawing (part of a name)")
    search.fill("Palantir")
    search.press("Enter")
    deadline, state = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        try:
            state = network_frame(page, 10).evaluate(
                "() => [window.focusedOn || null, network.getSelectedNodes(), network.getViewPosition(),"
                " network.getPosition(window.focusedOn || '" + PALANTIR + "'), network.getScale()]"
            )
        except Exception:
            state = None
        if state and state[0] == PALANTIR:
            break
        page.wait_for_timeout(200)
    assert state and state[0] == PALANTIR and state[1] == [PALANTIR]
    view, where, scale = state[2], state[3], state[4]
    assert abs(view["x"] - where["x"]) < 1 and abs(view["y"] - where["y"]) < 1 and scale > 1
    assert "focus=Vendor%3Aorg%3Apalantir-technologies-inc" in page.url or "focus=Vendor:org:palantir" in page.url
    page.screenshot(path=str(tmp_path / "network-focus.png"))
    assert remote(urls) == [], remote(urls)


def test_network_click_opens_the_vendor_profile(app_url, browser_context):
    context, urls, _ = browser_context
    page = context.new_page()
    page.goto(f"{app_url}/?focus={quote(PALANTIR)}")
    frame = network_frame(page)
    wait_ready(page)
    frame.wait_for_function("() => window.focusedOn === '" + PALANTIR + "'")
    x, y = frame.evaluate(
        """(id) => { const r = document.querySelector('canvas').getBoundingClientRect();
                                      const p = network.canvasToDOM(network.getPosition(id));
                                      return [r.left + p.x, r.top + p.y]; }""",
        PALANTIR,
    )
    box = page.locator("iframe").first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(
        lambda url: "/vendor?" in url and parse_qs(urlsplit(url).query).get("name") == ["Palantir Technologies Inc."],
        timeout=60_000,
    )  # a name in the profile's box, not an id
    page.get_by_role("heading", name="Palantir Technologies Inc.").first.wait_for(timeout=60_000)
    wait_ready(page)
    assert page.get_by_text("$329.20M").count() >= 1
    assert remote(urls) == [], remote(urls)


def test_hostile_name_renders_as_text(app_url, browser_context, tmp_path):
    context, urls, dialogs = browser_context
    page = context.new_page()
    page.goto(f"{app_url}/vendor?name={quote('<img src=x')}")
    page.get_by_text("$12.35k").first.wait_for(timeout=60_000)
    wait_ready(page)
    assert page.get_by_role("heading", name=HOSTILE).count() >= 1  # the name, shown as its characters
    assert page.locator('img[src="x"]').count() == 0

    network = context.new_page()
    network.goto(f"{app_url}/?vendor={quote('<img src=x')}")
    frame = network_frame(network)
    assert f"Vendor:uei:{HOSTILE_UEI}" in node_ids(frame)
    assert frame.evaluate(f"() => nodes.get('Vendor:uei:{HOSTILE_UEI}').label") == HOSTILE  # canvas text
    assert frame.locator('img[src="x"]').count() == 0
    network.wait_for_timeout(500)
    assert dialogs == []
    assert remote(urls) == [], remote(urls)
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)


def test_review_judgement_is_recorded_and_applied_by_attribute(resold_app, browser_context, tmp_path):
    from graph.store import open_store

    url, home = resold_app
    env = curated_env(home)
    context, urls, dialogs = browser_context
    page = context.new_page()
    page.goto(f"{url}/review")
    page.get_by_role("heading", name="Record a judgement").wait_for(timeout=90_000)
    wait_ready(page)
    item = page.get_by_role("combobox", name="Item")
    item.click()
    page.keyboard.type("70B04C24F00000413")  # the award: CBP's largest AWS order through Four Points
    page.get_by_role("option", name=FOUR_POINTS_AWARD).click()
    wait_ready(page)
    assert "Amazon.com, Inc. (Amazon Web Services) via FOUR POINTS TECHNOLOGY, L.L.C." in item.input_value()
    assert FOUR_POINTS_AWARD in item.input_value()
    assert page.get_by_text("INCREASE AMAZON WEB SERVICES OPTIONAL UNITS").count() >= 1  # the evidence shown
    page.get_by_text("wrong (not the maker's product)").click()
    page.get_by_label("Who (your name or handle)").fill("browser test")
    page.get_by_label("Why (the evidence you read)").fill("checking the review page end to end")
    page.get_by_role("button", name="Record judgement").click()
    page.get_by_text("Recorded in").wait_for(timeout=60_000)
    assert page.get_by_text("python -m graph attribute").count() >= 1
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)

    with open(env["KG_JUDGEMENTS"], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["record"], row["target"], row["verdict"], row["who"]) == (
        "attribution",
        FOUR_POINTS_AWARD,
        "Amazon.com, Inc.",
        "wrong",
        "browser test",
    )
    assert row["why"] == "checking the review page end to end" and row["when"][:2] == "20"

    before = Queries(open_store("embedded", home=home)).vendor_family("Amazon")["through_others"]
    assert FOUR_POINTS_AWARD in {r["award_key"] for s in before["resellers"] for r in s["records"]}
    subprocess.run(
        [sys.executable, "-m", "graph", "attribute"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    after = Queries(open_store("embedded", home=home)).vendor_family("Amazon")["through_others"]
    assert FOUR_POINTS_AWARD not in {r["award_key"] for s in after["resellers"] for r in s["records"]}
    assert after["obligated"] == pytest.approx(before["obligated"] - 205047324.62)

    profile = context.new_page()  # the running dashboard sees the new store version without a restart
    profile.goto(f"{url}/vendor?name=Amazon")
    from dashboard.render.pyvis_network import short_money

    profile.get_by_text(short_money(after["obligated"])).first.wait_for(timeout=60_000)  # the card, compact
    assert dialogs == []
    assert remote(urls) == [], remote(urls)


def test_profile_downloads_hold_the_family_awards(app_url, browser_context):
    import csv

    from dashboard.shaping.exports import AWARD_COLUMNS

    context, urls, _ = browser_context
    page = context.new_page()
    page.goto(f"{app_url}/vendor?name=Palantir")
    page.get_by_text("$329.20M").first.wait_for(timeout=60_000)
    wait_ready(page)
    with page.expect_download(timeout=60_000) as csv_download:
        page.get_by_role("button", name="Awards (CSV)").click()
    assert csv_download.value.suggested_filename.endswith("-awards.csv")
    with open(csv_download.value.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(AWARD_COLUMNS)
    assert len(rows) == 12  # the family's 12 awards (see tests/test_dashboard_units.py)
    with page.expect_download(timeout=60_000) as md_download:
        page.get_by_role("button", name="Citations (Markdown)").click()
    assert "usaspending.gov/award/" in Path(md_download.value.path()).read_text(encoding="utf-8")
    # the one-page brief: a PDF whose text holds the family's obligated total as the page shows it
    import pypdfium2

    # the brief is assembled and drawn when the button is pressed: allow for a machine busy with other tests
    with page.expect_download(timeout=150_000) as pdf_download:
        page.get_by_role("button", name="Download one-page brief (PDF)").click()
    assert pdf_download.value.suggested_filename.endswith("-brief.pdf")
    document = pypdfium2.PdfDocument(pdf_download.value.path())
    try:
        assert len(document) == 1
        text = " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()
    assert "Palantir Technologies Inc." in text and "$329,201,440.48" in text
    assert remote(urls) == [], remote(urls)
