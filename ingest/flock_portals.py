"""Flock Safety transparency portals as scraped by The News & Observer ("Private Eyes", 2024): four CSVs.

- `agency*.csv` (id, name, notes): every agency the N&O gave an id, portal owners and agencies with access;
- `agency_access*.csv`: the external agency can search the source agency's Flock data;
- `latest_usage*.csv`: one portal's cameras, retention, hotlists and 30-day figures, as of its `updated`;
- `agency_policies.csv`: one portal's policy text, as of its `updated`.

The numeric ids join the files, so an agency is `local:flock:<id>` whatever spelling a row uses. Every portal
owner is a Flock Safety customer: its usage row is a deployment of Flock's license-plate readers.
Counts and retention are text on the portals ("30 days", "1,024", "NA"): "NA" is not reported, never zero.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from core.local import Deployment, LocalAgency, Policy, SharingLink, jurisdiction_of, local_key, state_of
from core.records import Provenance, Reject

from . import clean
from .csvfile import Columns, SourceError, open_csv, width_problem

SOURCE = "flock"
SYSTEM = "Flock Safety"
VENDOR = "Flock Safety"
TECHNOLOGY = "automated license plate readers"
PORTAL_HOST = "transparency.flocksafety.com"

# (role, file name pattern, the columns it must have), read in this order; of several files matching a pattern,
# the last by name is read (the scrape's newest, by the date in its name).
FILES = (
    ("agencies", "agency[0-9]*.csv", ("id", "name", "notes")),
    ("access", "agency_access*.csv", ("src_agency", "external_agency", "src_agency_id", "external_agency_id")),
    (
        "usage",
        "latest_usage*.csv",
        ("id", "agency", "updated", "url", "data_retention_in_days", "number_of_owned_cameras"),
    ),
    ("policies", "agency_policies*.csv", ("id", "agency", "updated", "url", "hash")),
)
USAGE_FIGURES = (
    "data_retention_in_days",
    "external_organizations_with_access",
    "hotlists_alerted_on",
    "vehicles_detected_in_the_last_30_days",
    "hotlist_hits_in_the_last_30_days",
    "searches_in_the_last_30_days",
    "public_search_audit",
)
# `external_organizations_with_access` is a count on some portals and the list of names on others: kept as text
# (the access file is where the links are).
COUNTED = {"vehicles_detected_in_the_last_30_days", "hotlist_hits_in_the_last_30_days", "searches_in_the_last_30_days"}
POLICY_SECTIONS = (
    "whats_detected",
    "whats_not_detected",
    "acceptable_use_policy",
    "prohibited_uses",
    "access_policy",
    "hotlist_policy",
)
NOT_REPORTED = frozenset({"NA", "Data Unavailable"})  # what the portals and the scrape print for no figure
_COUNT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")
_DAYS = re.compile(r"^(\d+) days?$")
_SCRAPED = re.compile(r"(20\d\d)(\d\d)(\d\d)\.csv$")


def files(directory: Path) -> dict[str, Path]:
    """The folder's four files by role; one line naming the folder and the missing file otherwise."""
    if not directory.is_dir():
        raise SourceError(f"{directory}: not a folder; pass the folder holding the portal CSVs")
    found = {}
    for role, pattern, _ in FILES:
        matches = sorted(directory.glob(pattern))
        if not matches:
            raise SourceError(f"{directory}: no {pattern} (the {role} file of the Flock portal scrape)")
        found[role] = matches[-1]
    return found


def _value(cell: str) -> str | None:
    value = clean.text(cell)
    return None if value is None or value in NOT_REPORTED else value


def count(cell: str) -> int | None:
    """'1,024' -> 1024, 'NA' and 'Data Unavailable' -> None (not reported); anything else is a bad value."""
    value = _value(cell)
    if value is None:
        return None
    if not _COUNT.match(value):
        raise clean.BadValue(f"{value!r} is not a count")
    return int(value.replace(",", ""))


def retention_days(cell: str) -> int | None:
    """'30 days' -> 30; 'NA' and the portals' '-Infinity days' (no figure shown) -> None."""
    value = _value(cell)
    if value is None or value == "-Infinity days":
        return None
    found = _DAYS.match(value)
    if not found:
        raise clean.BadValue(f"retention {value!r} is not a number of days")
    return int(found[1])


def timestamp(cell: str) -> str | None:
    value = _value(cell)
    if value is None:
        return None
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise clean.BadValue(f"{value!r} is not an ISO date and time") from None
    return value


def portal_url(cell: str) -> str | None:
    """The portal's own address, kept only when it is an https page of Flock's transparency site."""
    value = _value(cell)
    if value is None:
        return None
    if not value.startswith(f"https://{PORTAL_HOST}/"):
        raise clean.BadValue(f"url {value!r} is not a {PORTAL_HOST} portal")
    return value


def source_id(cell: str, column: str) -> str:
    value = _value(cell)
    if value is None or not value.isdigit():
        raise clean.BadValue(f"{column} {cell!r} is not a numeric agency id")
    return str(int(value))


def _rows(path: Path, required: tuple[str, ...]):
    opened = open_csv(path, frozenset(required))
    cols = Columns(opened.header)
    if not cols.has(*required):
        missing = [name for name in required if name not in cols.index]
        raise SourceError(f"{path}: not a Flock portal file of this kind (missing {', '.join(missing)})")
    return opened, cols


def read(directory: Path) -> Iterator[LocalAgency | Deployment | SharingLink | Policy | Reject]:
    """Every row of the four files as one record or one reject, agencies first."""
    paths = files(directory)
    readers = {"agencies": _agency, "access": _link, "usage": _deployment, "policies": _policy}
    for role, _, required in FILES:
        path = paths[role]
        opened, cols = _rows(path, required)
        get = {name: cols.getter(name) for name in cols.index}
        source, width, make = str(path), len(opened.header), readers[role]
        if role == "access":
            make = partial(_link, as_of=scraped_on(path))
        for line, row in opened.rows:
            if (problem := width_problem(row, width)) is not None:
                yield Reject(source, f"line {line}", problem, row)
                continue
            cell = {name: getter(row) for name, getter in get.items()}
            try:
                yield make(cell, Provenance(source, f"line {line}", opened.retrieved))
            except clean.BadValue as error:
                yield Reject(source, f"line {line}", str(error), row)


def _name(cell: dict, column: str) -> str:
    name = _value(cell[column])
    if name is None:
        raise clean.BadValue(f"no {column}")
    return name


def _agency(cell: dict, prov: Provenance) -> LocalAgency:
    name = _name(cell, "name")
    return LocalAgency(
        key=local_key(SOURCE, source_id(cell["id"], "id")),
        name=name,
        prov=prov,
        jurisdiction=jurisdiction_of(name),
        state=state_of(name),
        notes=_value(cell["notes"]),
    )


def scraped_on(path: Path) -> str | None:
    """The date a scrape file's name gives (agency_access20240426.csv: 2024-04-26), None when it gives none."""
    found = _SCRAPED.search(path.name)
    if not found:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3])).isoformat()
    except ValueError:
        return None


def _link(cell: dict, prov: Provenance, as_of: str | None = None) -> SharingLink:
    return SharingLink(
        owner=local_key(SOURCE, source_id(cell["src_agency_id"], "src_agency_id")),
        owner_name=_name(cell, "src_agency"),
        searcher=local_key(SOURCE, source_id(cell["external_agency_id"], "external_agency_id")),
        searcher_name=_name(cell, "external_agency"),
        system=SYSTEM,
        prov=prov,
        as_of=as_of,
    )


def _deployment(cell: dict, prov: Provenance) -> Deployment:
    figures = {}
    for name in USAGE_FIGURES:
        if name == "data_retention_in_days":
            figures[name] = retention_days(cell[name])
        elif name in COUNTED:
            figures[name] = count(cell.get(name, ""))
        else:
            figures[name] = _value(cell.get(name, ""))
    return Deployment(
        agency=local_key(SOURCE, source_id(cell["id"], "id")),
        agency_name=_name(cell, "agency"),
        vendor_name=VENDOR,
        technology=TECHNOLOGY,
        prov=prov,
        status="active",
        as_of=timestamp(cell["updated"]),
        count=count(cell["number_of_owned_cameras"]),
        source_url=portal_url(cell["url"]),
        figures=figures,
    )


def _policy(cell: dict, prov: Provenance) -> Policy:
    return Policy(
        agency=local_key(SOURCE, source_id(cell["id"], "id")),
        agency_name=_name(cell, "agency"),
        prov=prov,
        updated=timestamp(cell["updated"]),
        source_url=portal_url(cell["url"]),
        text_hash=_value(cell["hash"]),
        sections={name: _value(cell.get(name, "")) for name in POLICY_SECTIONS},
    )
