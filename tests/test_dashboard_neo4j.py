"""The dashboard on the Neo4j store shows what it shows on the embedded store, page for page.

The bundled sample and contract vehicles (with the hostile record) are loaded into both stores with `python -m ingest
normalized`; each page is run by AppTest once per store and its text, tables and network compared, and the Targets
ranking itself (graph/questions/targets.py) is compared on the same two loads.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.apptest_support import run
from tests.dashboard_support import COVERAGE, ROOT, SAMPLE, VEHICLES, curated_env, hostile_file, load_sample

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def homes(tmp_path_factory, neo4j_server):
    from graph.stores.neo4j.store import Neo4jStore

    embedded = load_sample(tmp_path_factory.mktemp("kg"), hostile=True)
    neo4j_home = tmp_path_factory.mktemp("kg-neo4j")
    store = Neo4jStore(**neo4j_server)
    store.clear()
    env = {
        **os.environ,
        **curated_env(neo4j_home),
        "NEO4J_URI": neo4j_server["uri"],  # the same rules as embedded
        "NEO4J_PASSWORD": neo4j_server["password"],
    }
    files = [str(p) for p in SAMPLE + VEHICLES] + [str(hostile_file(neo4j_home))]  # as `load_sample` (make load)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "normalized",
            "--coverage",
            str(COVERAGE),
            *files,
            "--store",
            "neo4j",
            "--no-progress",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEO4J_URI", neo4j_server["uri"])
        patch.setenv("NEO4J_PASSWORD", neo4j_server["password"])
        yield {"embedded": embedded, "neo4j": neo4j_home}
    store.clear()
    store.close()


def page(kind: str, home, view: str, query: dict) -> dict:
    os.environ["KG_STORE"], os.environ["KG_HOME"] = kind, str(home)
    app = run(view, **query)
    texts = [
        str(e.value) for kind_ in ("title", "header", "subheader", "markdown", "code") for e in getattr(app, kind_)
    ]
    texts += [f"{m.label}={m.value}" for m in app.metric]
    frames = [e.proto.srcdoc for e in app.main if type(e).__name__ == "UnknownElement" and e.type == "iframe"]
    return {"texts": texts, "tables": [frame.value.to_csv() for frame in app.dataframe], "network": frames}


@pytest.mark.parametrize(
    "name, query",
    [
        ("network", {}),
        ("network", {"agency": "7012", "vendor": "Palantir", "fy_from": "2020"}),
        ("vendor", {"name": "Palantir"}),
        ("agency", {"name": "ICE"}),
        ("paths", {"a": "Palantir", "b": "ICE"}),
        ("targets", {"agency": "ICE", "today": "2025-01-01", "months": "24"}),
        ("review", {}),
        ("vendor", {"name": "Amazon"}),
        ("local", {}),
        ("local", {"agency": "Pittsboro IN PD", "hops": "2"}),
        ("local", {"agency": "ATF Nashville TN", "state": "TN", "using": "False"}),
        ("vendor", {"name": "Flock"}),
    ],
    ids=lambda value: value if isinstance(value, str) else ",".join(value),
)
def test_page_is_the_same_on_both_stores(homes, name, query):
    embedded = page("embedded", homes["embedded"], name, query)
    neo4j = page("neo4j", homes["neo4j"], name, query)
    assert neo4j == embedded
    assert embedded["texts"] and (embedded["tables"] or embedded["network"])


@pytest.mark.parametrize(
    "sectors, today",
    [(None, "2025-09-30"), (["all"], "2019-01-01"), (["detention"], "2025-09-30")],
    ids=["lens", "all-2019", "detention"],
)
def test_the_ranking_is_the_same_on_both_stores(homes, neo4j_server, sectors, today):
    """`graph.questions.targets` itself, every figure and citation beyond what the Targets page draws, over the
    bundle both stores hold here (loaded once for the pages above)."""
    from datetime import date

    from graph.questions.queries import Queries
    from graph.questions.targets import targets
    from graph.store import open_store

    day = date.fromisoformat(today)
    embedded = open_store("embedded", home=homes["embedded"])
    neo4j = open_store("neo4j", home=homes["neo4j"], **neo4j_server)
    try:
        answer = targets(Queries(embedded), "ICE", sectors=sectors, today=day)
        assert targets(Queries(neo4j), "ICE", sectors=sectors, today=day) == answer
        assert answer["families"]
    finally:
        neo4j.close()
        embedded.close()
