"""`python -m ingest usaspending-api` end to end: a local server replays real recorded answers, the CLI
loads them into a store, and an interrupted run resumes without losing or repeating a page.

Page 1 is the recorded DoD count answer (one award, MIT Lincoln Lab), page 2 the recorded NASA search
answer; served copies only have `page_metadata` rewritten (see tests/test_usaspending_api.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from werkzeug import Request, Response

from graph.questions.queries import Queries
from graph.store import open_store
from tests.test_usaspending_agencies import ReferenceApi
from tests.test_usaspending_api import DOD_ID, NASA_ID, FakeApi, as_page, load

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    home: Path, base_url: str, commit_every: str = "0", timeout: float = 120, workers: int = 1
) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_HOME": str(home)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "usaspending-api",
            "--base-url",
            base_url,
            "--awarding-agency",
            "Department of Defense",
            "--no-subawards",
            "--no-progress",
            "--json",
            "--commit-every",
            commit_every,
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def serve(httpserver, api_responses) -> FakeApi:
    count = load(api_responses, "layonez_bid_buster/02-award-count-dod-mit.json")
    nasa = load(api_responses, "planetary_usaspending_orm/awards_search_results_contracts.json")
    ReferenceApi(httpserver, load(api_responses, "planetary_usaspending_orm/agency_autocomplete.json"))
    return FakeApi(
        httpserver,
        {1: as_page(count, 1, True), 2: as_page(nasa, 2, False)},
        {
            DOD_ID: load(api_responses, "layonez_bid_buster/03-award-detail-sample.json"),
            NASA_ID: load(api_responses, "planetary_usaspending_orm/awards_contract.json"),
        },
    )


def test_cli_loads_api_records_with_counts_that_add_up(httpserver, api_responses, tmp_path):
    api = serve(httpserver, api_responses)
    result = run_cli(tmp_path, httpserver.url_for("/"))

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    # 1 DoD hit + 5 NASA hits (the recording lists 80GSFC18C0008 twice); 3 NASA ids have no recorded detail -> 404.
    assert summary["rows_read"] == 6
    assert summary["rows_rejected"] == 3
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"]
    assert summary["awards"] == 2
    assert api.search_pages == [1, 2]
    store = open_store("embedded", home=tmp_path)
    dod, nasa = Queries(store).award_rows([DOD_ID, NASA_ID])
    assert dod["obligated"] == 1594101040.69  # total_obligation in 03-award-detail-sample.json
    assert dod["obligated_basis"] == "award summary"
    assert dod["source"].endswith(f"/api/v2/awards/{DOD_ID}/")
    assert nasa["obligated"] == 172213419.67  # total_obligation in awards_contract.json
    vendor = Queries(store).vendor_family("UNIVERSITY OF IOWA")
    assert NASA_ID in {award["key"] for award in vendor["awards"]}
    assert not (tmp_path / "usaspending-api.checkpoint.json").exists()


def test_interrupted_api_load_resumes_at_the_next_page_and_keeps_what_it_committed(httpserver, api_responses, tmp_path):
    api = serve(httpserver, api_responses)
    pages = dict(api.pages)
    failing = {"on": True}

    def search(request: Request) -> Response:
        body = request.get_json()
        api.search_bodies.append(body)
        if body["page"] == 2 and failing["on"]:
            return Response(
                json.dumps({"detail": "synthetic refusal to interrupt the run"}),
                status=400,
                content_type="application/json",
            )
        return Response(json.dumps(pages[body["page"]]), content_type="application/json")

    httpserver.clear()
    ReferenceApi(httpserver, load(api_responses, "planetary_usaspending_orm/agency_autocomplete.json"))
    httpserver.expect_request("/api/v2/search/spending_by_award/", method="POST").respond_with_handler(search)
    httpserver.expect_request(re.compile(r"^/api/v2/awards/[^/]+/$")).respond_with_handler(api.detail)

    first = run_cli(tmp_path, httpserver.url_for("/"))
    assert first.returncode == 1
    assert "spending_by_award" in first.stderr and "Traceback" not in first.stderr
    # Page 1 was committed before the checkpoint moved past it.
    assert [row["key"] for row in Queries(open_store("embedded", home=tmp_path)).award_rows([DOD_ID])] == [DOD_ID]
    assert json.loads((tmp_path / "usaspending-api.checkpoint.json").read_text())["page"] == 1

    failing["on"] = False
    api.search_bodies.clear()
    second = run_cli(tmp_path, httpserver.url_for("/"))
    assert second.returncode == 0, second.stderr
    assert [body["page"] for body in api.search_bodies] == [2]  # resumed: page 1 not fetched again
    store = open_store("embedded", home=tmp_path)
    assert [row["key"] for row in Queries(store).award_rows([DOD_ID, NASA_ID])] == [DOD_ID, NASA_ID]
    assert Queries(store).stats()["nodes"]["Award"] == 2
    assert not (tmp_path / "usaspending-api.checkpoint.json").exists()


def test_a_search_of_25000_replayed_awards_loads_all_25000(httpserver, api_responses, tmp_path):
    """Past the API's 10,000-hit count: the search pages by cursor (tests/test_usaspending_api.py CursorApi, which
    refuses page numbers past the window as the source does) and every award's detail is a copy of the recorded
    DoD detail re-keyed to it (synthetic, labelled): 25,000 awards in, 25,000 in the store."""
    import copy

    from tests.test_usaspending_api import CursorApi

    recorded = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    api = CursorApi(httpserver, recorded, total=25_000, counted=10_000, window=10_000)

    def rekeyed(request: Request) -> Response:
        generated = request.path.split("/")[-2]
        answer = copy.deepcopy(detail)
        answer.update(generated_unique_award_id=generated, piid=generated.split("_")[2], subaward_count=0)
        return Response(json.dumps(answer), content_type="application/json")

    httpserver.clear_all_handlers()  # CursorApi answers details 404; here each has one
    ReferenceApi(httpserver, load(api_responses, "planetary_usaspending_orm/agency_autocomplete.json"))
    httpserver.expect_request("/api/v2/search/spending_by_award/", method="POST").respond_with_handler(api.search)
    httpserver.expect_request(re.compile(r"^/api/v2/awards/[^/]+/$")).respond_with_handler(rekeyed)

    # details side by side, as a long real load runs (--workers); records still come out in the search's order
    result = run_cli(tmp_path, httpserver.url_for("/"), commit_every="60", timeout=600, workers=4)

    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["rows_read"] == summary["rows_loaded"] == 25_000 and summary["rows_rejected"] == 0
    assert summary["awards"] == 25_000
    assert len(api.bodies) == 250 and all("last_record_unique_id" in body for body in api.bodies[1:])
    assert Queries(open_store("embedded", home=tmp_path)).stats()["nodes"]["Award"] == 25_000
