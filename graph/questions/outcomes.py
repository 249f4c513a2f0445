"""Campaign outcomes (issue 30): where a vendor's deployment was cancelled, rejected or ended, when, on what source.

An outcome is one local record whose status is one of the asked ones. A deployment named by several records (a
survey's "active", then a tracker's "cancelled") keeps every one: each outcome lists the agency's other records of
the same vendor family with their statuses and dates, and nothing is dropped because a later record disagrees.
"""

from __future__ import annotations

import json
from typing import Any

from core.local import DEPLOYMENT_STATUSES

CONTESTED = ("cancelled", "rejected", "ended")
BASIS = (
    "local records (deployments) whose status is {statuses}, each as its source reports it: the status in the "
    "source's own words and as mapped, its date, its source and archived copy when given; a deployment's other "
    "records are listed beside it, never dropped. Records without a date are left out when a date to start from "
    "is given. Local records carry no federal money."
)


def check_statuses(statuses: list[str]) -> tuple[str, ...]:
    """The statuses asked for, each one of DEPLOYMENT_STATUSES (a ValueError names the first that is not)."""
    wanted = tuple(dict.fromkeys(s.strip().lower() for s in statuses if s.strip()))
    for status in wanted:
        if status not in DEPLOYMENT_STATUSES:
            raise ValueError(f"status {status!r} is not one of {', '.join(DEPLOYMENT_STATUSES)}")
    return wanted or CONTESTED


def records_of(row: dict) -> list[dict[str, Any]]:
    """Every record of a deployment, oldest first: its `history` when several records name it, else the row."""
    if row.get("history"):
        return list(json.loads(row["history"]))
    keys = ("status", "status_as_written", "as_of", "url", "archive_url", "source", "record")
    return [{key: row.get(key) for key in keys}]


def outcome_rows(
    deployments: list[dict],
    agencies: dict[str, dict],
    names: dict[str, str],
    statuses: tuple[str, ...],
    state: str | None = None,
    since: str | None = None,
) -> list[dict[str, Any]]:
    """One row per record with an asked status, newest first, with the deployment's other records."""
    rows = []
    # an agency's records of one vendor family, across its deployments (a tracker names no technology where the
    # survey did): each outcome lists the others beside it
    of_vendor: dict[tuple, list[dict[str, Any]]] = {}
    for deployment in deployments:
        whose = (deployment["agency"], deployment["family"] or deployment["vendor"] or deployment["vendor_name"])
        of_vendor.setdefault(whose, []).extend(records_of(deployment))
    for deployment in deployments:
        agency = agencies.get(deployment["agency"], {})
        if state and agency.get("state") != state:
            continue
        whose = (deployment["agency"], deployment["family"] or deployment["vendor"] or deployment["vendor_name"])
        for record in records_of(deployment):
            if record["status"] not in statuses:
                continue
            if since and not (record["as_of"] and record["as_of"][:10] >= since):
                continue
            rows.append(
                {
                    "agency": {
                        "id": deployment["agency"],
                        "name": agency.get("name") or deployment["agency"],
                        "jurisdiction": agency.get("jurisdiction"),
                        "city": agency.get("city"),
                        "county": agency.get("county"),
                        "state": agency.get("state"),
                    },
                    "vendor": {
                        "family": deployment["family"] or deployment["vendor"],
                        "name": names.get(deployment["family"] or deployment["vendor"]) or deployment["vendor_name"],
                        "as_written": deployment["vendor_name"],
                    },
                    "technology": deployment["technology"],
                    "date": record["as_of"],
                    "status": record["status"],
                    "status_as_written": record.get("status_as_written") or record["status"],
                    "source_url": record["url"],
                    "archive_url": record.get("archive_url"),
                    "cited": {"source": record["source"], "record": record["record"]},
                    "other_records": [
                        {
                            "status": other["status"],
                            "status_as_written": other.get("status_as_written") or other["status"],
                            "date": other["as_of"],
                            "source_url": other["url"],
                            "cited": {"source": other["source"], "record": other["record"]},
                        }
                        for other in sorted(
                            of_vendor[whose], key=lambda o: (o["as_of"] or "", o["source"], o["record"])
                        )
                        if (other["source"], other["record"]) != (record["source"], record["record"])
                    ],
                }
            )
    rows.sort(key=lambda r: (r["agency"]["name"], r["agency"]["id"], r["cited"]["source"], r["cited"]["record"]))
    rows.sort(key=lambda r: r["date"] or "", reverse=True)  # newest first, undated last (the sort is stable)
    return rows


def by_state(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Outcomes per state code (agencies whose state is not known are not counted here)."""
    counts: dict[str, int] = {}
    for row in rows:
        if row["agency"]["state"]:
            counts[row["agency"]["state"]] = counts.get(row["agency"]["state"], 0) + 1
    return dict(sorted(counts.items()))
