"""Benchmark: time to first render of dashboard pages, in headless chromium, against a store home.

Starts the app (as the browser test does), then for each page measures from navigation until the
network canvas was drawn (network pages) or the profile's total is on screen. The first visit of a
page includes computing its answer; `again` is a second visit in a new tab (Streamlit's caches warm). Before
those, on the fresh server, every page is reached in one tab from the page before (`in_tab`, caches cold): the
page's own render, without the frontend's start-up that a new tab pays each time.

The one-page brief (graph/reports/brief.py, PDF) is timed in-process on the same store first: what the vendor page's
button and `python -m graph brief` compute.

    python bench/dashboard_render.py [--home KG_HOME] [--target S]   # default: the bundled data in a temporary
                                                        # home, target 2 s (the issue: 3 s on the 1.5M-action
                                                        # store that `store_bench.py --keep` leaves)
    python bench/dashboard_render.py --store neo4j      # whatever the NEO4J_* server holds (e.g. after
                                                        # bench/neo4j_load.py: 112,000 awards)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from playwright.sync_api import sync_playwright  # noqa: E402

from graph.questions.queries import Queries  # noqa: E402
from tests.browser_support import guard_requests, launch, network_frame, node_ids, remote, running_app, wait_ready  # noqa: E402
from tests.dashboard_support import load_sample  # noqa: E402

PAGES = [  # (name, path, what says it rendered)
    ("network, whole graph", "/", None),
    ("network, ICE (7012)", "/?agency=7012", None),
    ("vendor profile, Palantir", "/vendor?name=Palantir", "Obligated (money committed)"),
    ("agency profile, ICE", "/agency?name=ICE", "Obligated (money committed)"),
    ("paths, Palantir to ICE", "/paths?a=Palantir&b=ICE", "Chain 1"),
    ("paths, GEO Group to CoreCivic", "/paths?a=GEO%20Group&b=CoreCivic", "Chain 1"),
    ("vendor profile, GEO Group", "/vendor?name=GEO%20Group", "Obligated (money committed)"),
    ("targets, ICE", "/targets?agency=ICE", "Renewal calendar"),
    ("sources", "/sources", "What the store holds"),
]
BRIEFS = ("GEO Group", "Palantir")
# In one tab, page after page as the sidebar moves between them (the browser keeps Streamlit's frontend): each
# visit ends when a text only that page shows is on screen and the script has finished. Consecutive pages differ.
FIND = "Find a node in the drawing (part of a name)"
BRIEF = "Download one-page brief (PDF)"
IN_TAB = [
    ("network, whole graph", "/", FIND),
    ("vendor profile, Palantir", "/vendor?name=Palantir", BRIEF),
    ("agency profile, ICE", "/agency?name=ICE", "Sub-agencies and offices"),
    ("paths, Palantir to ICE", "/paths?a=Palantir&b=ICE", "Direct ties"),
    ("network, ICE (7012)", "/?agency=7012", FIND),
    ("targets, ICE", "/targets?agency=ICE", "Renewal calendar"),
    ("vendor profile, GEO Group", "/vendor?name=GEO%20Group", BRIEF),
    ("paths, GEO Group to CoreCivic", "/paths?a=GEO%20Group&b=CoreCivic", "Direct ties"),
]
NAVIGATE = "(url) => { history.pushState({}, '', url); window.dispatchEvent(new PopStateEvent('popstate')); }"


def visit(context, url: str, marker: str | None) -> dict:
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    result = {}
    if marker is None:
        frame = network_frame(page, timeout=600)
        result["seconds"] = round(time.perf_counter() - started, 2)
        result["nodes"] = len(node_ids(frame))
    else:
        page.get_by_text(marker).first.wait_for(timeout=600_000)
        result["seconds"] = round(time.perf_counter() - started, 2)
    wait_ready(page, timeout=600)
    result["until_idle_seconds"] = round(time.perf_counter() - started, 2)
    page.close()
    return result


def in_tab(context, base: str) -> list[dict]:
    """Each page of IN_TAB reached from the one before in the same tab (Streamlit reruns on the URL change, as
    for its own navigation): the page's own render, without loading the frontend again."""
    page = context.new_page()
    page.goto(base + "/sources")
    page.get_by_text("What the store holds").first.wait_for(timeout=600_000)
    wait_ready(page, timeout=600)
    out = []
    for name, path, marker in IN_TAB:
        started = time.perf_counter()
        page.evaluate(NAVIGATE, path)
        page.get_by_text(marker).first.wait_for(timeout=600_000)
        if marker == FIND:
            network_frame(page, timeout=600)
        wait_ready(page, timeout=600)
        out.append({"page": name, "seconds": round(time.perf_counter() - started, 2)})
    page.close()
    return out


def time_briefs(kind: str, home: Path) -> list[dict]:
    """Assemble and render each brief as PDF in this process, on a store opened for it alone."""
    from graph.reports.brief import assemble
    from graph.reports.brief_render import pdf
    from graph.store import open_store

    store = open_store(kind, home=home)
    try:
        out = []
        for name in BRIEFS:
            started = time.perf_counter()
            size = len(pdf(assemble(Queries(store), name)))
            out.append({"brief": name, "seconds": round(time.perf_counter() - started, 2), "bytes": size})
        return out
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a loaded KG_HOME (default: load the bundled sample)")
    parser.add_argument("--store", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--target", type=float, default=2.0, help="seconds a first render may take")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.store == "neo4j":
            home = args.home or Path(scratch) / "kg"
        else:
            home = args.home or load_sample(Path(scratch) / "kg")
        report = {"store": args.store, "home": str(home), "pages": [], "briefs": time_briefs(args.store, home)}
        for entry in report["briefs"]:
            print(
                f"brief PDF, {entry['brief']:<18} {entry['seconds']:>6} s "
                f"({'met' if entry['seconds'] <= args.target else 'missed'}: <= {args.target} s)",
                file=sys.stderr,
            )
        with running_app(home, Path(scratch) / "streamlit.log", args.store) as base, sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            urls = guard_requests(context)
            report["in_tab"] = in_tab(context, base)  # first, while the caches are cold
            for name, path, marker in PAGES:
                first = visit(context, base + path, marker)
                again = visit(context, base + path, marker)
                report["pages"].append({"page": name, "first": first, "again": again})
                print(json.dumps(report["pages"][-1]), file=sys.stderr)
            report["remote_requests"] = remote(urls)
            for entry in report["pages"]:
                seconds = entry["first"]["seconds"]
                print(
                    f"{entry['page']:<32} first render {seconds:>6} s ({'met' if seconds <= args.target else 'missed'}: "
                    f"<= {args.target} s)  again {entry['again']['seconds']} s",
                    file=sys.stderr,
                )
            for entry in report["in_tab"]:
                print(
                    f"{entry['page']:<32} in one tab    {entry['seconds']:>6} s "
                    f"({'met' if entry['seconds'] <= args.target else 'missed'}: <= {args.target} s)",
                    file=sys.stderr,
                )
            browser.close()
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
