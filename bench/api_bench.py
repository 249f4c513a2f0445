"""Benchmark: an API search of N awards through a local server that answers like a distant one.

The server replays the recorded DoD-MIT search hit and the recorded DoD award detail, re-keyed to N awards,
and waits --latency-ms before each answer (the real API's answers take a few hundred ms). The search pages by
cursor; each award's detail is one request. For each --workers value: seconds, awards per second and the
speed-up over one worker, measured in one run. The records must come out identical in every run.

    python bench/api_bench.py [--awards 2000] [--latency-ms 20] [--workers 1,4,8]
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RESPONSES = ROOT.parent / "shared" / "data" / "usaspending_api_responses" / "layonez_bid_buster"


def serve(awards: int, latency: float):
    from pytest_httpserver import HTTPServer
    from werkzeug import Response

    hit = json.loads((RESPONSES / "01-award-search-dod-mit.json").read_text())["results"][0]
    detail = json.loads((RESPONSES / "03-award-detail-sample.json").read_text())
    hits = []
    for n in range(1, awards + 1):
        row = copy.deepcopy(hit)
        row.update(
            {
                "internal_id": n,
                "Award ID": f"SYN{n:06d}",
                "generated_internal_id": f"CONT_AWD_SYN{n:06d}_9700_-NONE-_-NONE-",
            }
        )
        hits.append(row)

    def search(request):
        body = request.get_json()
        after = (body.get("last_record_sort_value"), body.get("last_record_unique_id"))
        rows = [h for h in hits if after[1] is None or (h["Award ID"], h["internal_id"]) > after][: body["limit"] + 1]
        more, rows = len(rows) > body["limit"], rows[: body["limit"]]
        meta = {"page": body["page"], "hasNext": more}
        if more:
            meta.update(last_record_unique_id=rows[-1]["internal_id"], last_record_sort_value=rows[-1]["Award ID"])
        time.sleep(latency)
        return Response(json.dumps({"results": rows, "page_metadata": meta}), content_type="application/json")

    def answer(request):
        time.sleep(latency)
        generated = request.path.split("/")[-2]
        return Response(
            json.dumps({**detail, "generated_unique_award_id": generated, "subaward_count": 0}),
            content_type="application/json",
        )

    server = HTTPServer(threaded=True)
    server.expect_request("/api/v2/search/spending_by_award/", method="POST").respond_with_handler(search)
    server.expect_request(re.compile(r"^/api/v2/awards/[^/]+/$")).respond_with_handler(answer)
    server.start()
    return server


def main() -> None:
    import logging

    from ingest.http import HttpClient
    from ingest.usaspending_api import iter_records

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--workers", default="1,4,8")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = serve(args.awards, args.latency_ms / 1000)
    try:
        results, first = [], None
        for workers in (int(w) for w in args.workers.split(",")):
            client = HttpClient(server.url_for("/"))
            started = time.perf_counter()
            keys = [record.key for record in iter_records(client, with_subawards=False, workers=workers)]
            seconds = time.perf_counter() - started
            first = first or keys
            assert keys == first and len(keys) == args.awards, "the records differ between runs"
            results.append((workers, seconds))
    finally:
        server.stop()
    base = results[0][1]
    print(f"{args.awards:,} awards, {args.latency_ms:g} ms per answer:")
    for workers, seconds in results:
        print(
            f"  workers {workers:>2}: {seconds:7.1f} s  {args.awards / seconds:8.0f} awards/s  "
            f"{base / seconds:5.2f}x the first"
        )


if __name__ == "__main__":
    main()
