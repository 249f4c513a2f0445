"""`refresh`: every USAspending download and API search in the store's run log, asked again from the last
action date it loaded up to today.

A request is what was asked without its dates; the latest date any of its runs loaded is where the next
one starts (that day included: an action added later that same day is picked up, and what is already
held is not added twice). `python -m graph changes` then lists what the refresh brought.
"""

from __future__ import annotations

import json
import logging
from datetime import date

from core.keys import fiscal_year
from graph.store import open_store

log = logging.getLogger(__name__)

REFRESHED = ("usaspending-download", "usaspending-api")
DATES = {"usaspending-download": ("fy",), "usaspending-api": ("start", "end")}


def plans(runs: list[dict], today: date | None = None) -> list[list[str]]:
    """The command lines that bring each recorded request up to date, in the order first asked."""
    today = today or date.today()
    found: dict[str, dict] = {}
    for run in runs:
        command, request = run.get("command"), run.get("request")
        if command not in REFRESHED or not isinstance(request, dict):
            continue
        asked = {k: v for k, v in request.items() if k not in DATES[command]}
        key = json.dumps([command, asked], sort_keys=True)
        plan = found.setdefault(key, {"command": command, "request": request, "last": None})
        last = run.get("last_action_date")
        if last and (plan["last"] is None or last > plan["last"]):
            plan["last"] = last
    return [_argv(plan["command"], plan["request"], plan["last"], today) for plan in found.values()]


def _argv(command: str, request: dict, last: str | None, today: date) -> list[str]:
    argv = [command]
    for name in ("awarding_agency", "funding_agency", "recipient", "award_types", "base_url", "page_size"):
        if request.get(name) not in (None, ""):
            argv += [f"--{name.replace('_', '-')}", str(request[name])]
    for name in ("subawards", "archive", "delta", "no_subawards"):
        if request.get(name):
            argv.append(f"--{name.replace('_', '-')}")
    for origin in request.get("files_host") or []:
        argv += ["--files-host", origin]
    if command == "usaspending-download":
        first = fiscal_year(last) if last else None
        argv += ["--fy", f"{first}-{fiscal_year(today.isoformat())}" if first else str(request["fy"])]
    else:
        start = last or request.get("start")
        if start:
            argv += ["--start", start]
    return argv


def run_refresh(args, parser, run_load) -> dict:
    store = open_store(args.store)
    try:
        runs = store.runs()
    finally:
        store.close()
    todo = plans(runs)
    if not todo:
        log.warning("the run log holds no usaspending-download or usaspending-api load: nothing to refresh")
    done = []
    shared = ["--store", args.store] + ["--no-wait"] * args.no_wait + ["--no-progress"] * args.no_progress
    for number, argv in enumerate(todo, 1):
        log.warning("refresh %d/%d: python -m ingest %s", number, len(todo), " ".join(argv))
        summary = run_load(parser.parse_args(argv + shared))
        done.append(
            {
                "argv": argv,
                **{k: summary.get(k) for k in ("rows_read", "rows_loaded", "rows_rejected", "last_action_date")},
            }
        )
    return {"command": "refresh", "refreshed": len(done), "runs": done}
