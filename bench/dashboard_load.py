"""Benchmark: the dashboard under N concurrent sessions, on the bundled data.

Each session is a client of Streamlit's own websocket protocol (`/_stcore/stream`, the protobuf messages the
browser's frontend exchanges), so the client costs next to nothing and the figures are the server's: a
browser per session would need more than this machine's two cores to draw the network. A session opens the
app and goes through PAGES in order, as a reader would through the sidebar; a page's time runs from asking for
it (a `rerun_script` with its URL path and query) to the server's `script_finished`. An error is a page that
raised (an exception element), did not finish successfully, lost its connection or took longer than
--timeout. The server's resident memory is sampled every 0.1 s.

    python bench/dashboard_load.py [--sessions 1 5 20] [--home KG_HOME] [--timeout 60] [--target 10]

Figures per level on stderr; the whole report as JSON on stdout. Target (issue 13): 20 sessions with no
errors and p95 <= 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import psutil  # noqa: E402
import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from tests.browser_support import running_app  # noqa: E402
from tests.dashboard_support import load_sample  # noqa: E402

PAGES = [  # (name, URL path, query string): what a reader opens, in order
    ("network, whole graph", "", ""),
    ("vendor profile, Palantir", "vendor", "name=Palantir"),
    ("agency profile, ICE", "agency", "name=ICE"),
    ("paths, Palantir to ICE", "paths", "a=Palantir&b=ICE"),
    ("network, ICE (7012)", "", "agency=7012"),
    ("targets, ICE", "targets", "agency=ICE"),
    ("vendor profile, GEO Group", "vendor", "name=GEO%20Group"),
]
FINISHED = {0, 3}  # ForwardMsg.script_finished: FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY


def rerun(page: str, query: str) -> bytes:
    message = BackMsg()
    state = message.rerun_script
    state.query_string, state.page_name = query, page
    return message.SerializeToString()


async def open_page(socket, page: str, query: str, timeout: float) -> dict:
    """Ask for one page on this session's socket and read the server's messages until its script finished."""
    started = time.perf_counter()
    await socket.send(rerun(page, query))
    errors: list[str] = []
    elements = 0
    try:
        async with asyncio.timeout(timeout):
            while True:
                message = ForwardMsg()
                message.ParseFromString(await socket.recv())
                kind = message.WhichOneof("type")
                if kind == "page_not_found":
                    errors.append(f"page {page!r} not found")
                elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    elements += 1
                    if message.delta.new_element.WhichOneof("type") == "exception":
                        exception = message.delta.new_element.exception
                        errors.append(f"{exception.type}: {exception.message}"[:300])
                elif kind == "script_finished":
                    if message.script_finished == 2:  # FINISHED_EARLY_FOR_RERUN: the page's own rerun goes on
                        continue
                    if message.script_finished not in FINISHED:
                        errors.append(f"script finished with status {message.script_finished}")
                    break
    except TimeoutError:
        errors.append(f"no answer within {timeout:g} s")
    except websockets.ConnectionClosed as closed:
        errors.append(f"connection closed ({closed})")
    if not elements and not errors:
        errors.append("the page drew nothing")
    return {"seconds": time.perf_counter() - started, "elements": elements, "errors": errors}


async def session(url: str, timeout: float) -> list[dict]:
    out = []
    try:
        async with websockets.connect(url, max_size=None, open_timeout=timeout) as socket:
            for name, page, query in PAGES:
                visit = await open_page(socket, page, query, timeout)
                out.append({"page": name, **visit})
                if any("connection closed" in e for e in visit["errors"]):
                    break
    except (OSError, websockets.WebSocketException, TimeoutError) as error:
        out.append({"page": "connect", "seconds": timeout, "errors": [f"cannot connect: {error}"]})
    return out


async def level(url: str, sessions: int, timeout: float, pid: int) -> dict:
    server = psutil.Process(pid)
    peak = [server.memory_info().rss]
    stop = asyncio.Event()

    async def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], server.memory_info().rss)
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    started = time.perf_counter()
    results = await asyncio.gather(*(session(url, timeout) for _ in range(sessions)))
    wall = time.perf_counter() - started
    stop.set()
    await sampler
    visits = [visit for result in results for visit in result]
    times = sorted(visit["seconds"] for visit in visits)
    by_page = {
        name: round(statistics.median(v["seconds"] for v in visits if v["page"] == name), 2)
        for name, _, _ in PAGES
        if any(v["page"] == name for v in visits)
    }
    errors = [f"{visit['page']}: {error}" for visit in visits for error in visit["errors"]]
    return {
        "sessions": sessions,
        "pages": len(visits),
        "expected_pages": sessions * len(PAGES),
        "p50_s": round(statistics.median(times), 2),
        "p95_s": round(percentile(times, 95), 2),
        "max_s": round(times[-1], 2),
        "p50_by_page_s": by_page,
        "elements_by_page": {v["page"]: v.get("elements") for v in visits},
        "wall_s": round(wall, 2),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "server_peak_rss_mb": round(peak[0] / 2**20),
        "server_rss_after_mb": round(server.memory_info().rss / 2**20),
    }


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--home", type=Path, help="a loaded KG_HOME (default: load the bundled sample)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a page may take before it is an error")
    parser.add_argument("--target", type=float, default=10.0, help="p95 seconds at the largest level")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = args.home or load_sample(Path(scratch) / "kg")
        with running_app(home, Path(scratch) / "streamlit.log") as base:
            url = base.replace("http://", "ws://") + "/_stcore/stream"
            report = {"home": str(home), "pages_per_session": [name for name, _, _ in PAGES], "levels": []}
            for count in args.sessions:
                figures = asyncio.run(level(url, count, args.timeout, base.pid))
                report["levels"].append(figures)
                met = figures["errors"] == 0 and figures["p95_s"] <= args.target
                print(
                    f"{count:>3} sessions: {figures['pages']:>4} pages, p50 {figures['p50_s']:>6} s, p95 "
                    f"{figures['p95_s']:>6} s, max {figures['max_s']:>6} s, {figures['errors']} errors, server "
                    f"peak {figures['server_peak_rss_mb']} MB ({'met' if met else 'missed'}: no errors, p95 <= "
                    f"{args.target:g} s)",
                    file=sys.stderr,
                )
                for sample in figures["error_samples"]:
                    print(f"      {sample}", file=sys.stderr)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
