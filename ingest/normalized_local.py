"""Normalized local records as one flat CSV (the columns of `core.local_rows.LOCAL_FIELDS`): how the bundled
Flock portal data is kept in data/sample, written by `python -m ingest normalize --source flock-portals`.

Each row keeps its record's original provenance (the portal scrape's file and line), so what is loaded from the
bundle still cites the public record. `python -m ingest normalized` reads these files as it reads the federal
ones: the header tells them apart.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from core.local import Deployment, LocalAgency, LocalContract, Policy, SharingLink
from core.local_rows import LOCAL_COLUMNS, local_row
from core.records import Provenance, Reject

from . import clean
from .csvfile import SourceError, check_unique
from .normalized_csv import _open, write_rows

REQUIRED = ("kind", "key", "agency", "agency_name", "source", "record")


def is_local(header: list[str]) -> bool:
    return "agency_name" in header and "award_key" not in header


def write(records: Iterable, path: Path) -> int:
    return write_rows((local_row(record) for record in records), LOCAL_COLUMNS, path)


def read(path: Path) -> Iterator:
    with _open(path, "r") as handle:
        reader = csv.DictReader(handle)
        check_unique(path, reader.fieldnames or [])
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(
                f"{path}: not a normalized local records file (missing {', '.join(missing)}); write "
                f"one with `python -m ingest normalize --source flock-portals`"
            )
        try:
            for row in reader:
                try:
                    yield from_row({k: clean.text(v) if v else None for k, v in row.items()})
                except (clean.BadValue, KeyError, ValueError) as error:
                    yield Reject(str(path), f"line {reader.line_num}", f"bad normalized local row: {error}", row)
        except UnicodeDecodeError:
            raise SourceError(
                f"{path}: after line {reader.line_num} the file is not UTF-8; write it again with "
                f"`python -m ingest normalize`"
            ) from None


def _number(value: str | None, kind):
    return None if value is None else kind(value)


def from_row(row: dict):
    prov = Provenance(row["source"], row["record"], row.get("retrieved") or "")
    kind, agency, name = row["kind"], row["agency"], row["agency_name"]
    place = {f: row.get(f) for f in ("jurisdiction", "state", "county", "city")}
    where = LocalAgency(key=agency, name=name, prov=prov, **place) if any(place.values()) else None
    details = json.loads(row["details"]) if row.get("details") else {}
    if kind == "agency":
        return LocalAgency(key=agency, name=name, prov=prov, notes=row.get("notes"), **place)
    if kind == "deployment":
        return Deployment(
            agency=agency,
            agency_name=name,
            vendor_name=row["vendor_name"],
            technology=row.get("technology"),
            prov=prov,
            status=row.get("status"),
            as_of=row.get("as_of"),
            count=_number(row.get("count"), int),
            source_url=row.get("url"),
            notes=row.get("notes"),
            figures=details,
            where=where,
            status_as_written=row.get("status_as_written"),
            archive_url=row.get("archive_url"),
        )
    if kind == "contract":
        return LocalContract(
            agency=agency,
            agency_name=name,
            vendor_name=row["vendor_name"],
            prov=prov,
            number=row.get("number"),
            amount=_number(row.get("amount"), float),
            start_date=row.get("as_of"),
            end_date=row.get("end_date"),
            technology=row.get("technology"),
            source_url=row.get("url"),
            notes=row.get("notes"),
            where=where,
            archive_url=row.get("archive_url"),
        )
    if kind == "sharing":
        return SharingLink(
            owner=agency,
            owner_name=name,
            searcher=row["other"],
            searcher_name=row["other_name"],
            system=row.get("system"),
            prov=prov,
            as_of=row.get("as_of"),
            portal=row.get("url"),
            where=where,
        )
    if kind == "policy":
        return Policy(
            agency=agency,
            agency_name=name,
            prov=prov,
            updated=row.get("as_of"),
            source_url=row.get("url"),
            text_hash=row.get("text_hash"),
            sections=details,
        )
    raise ValueError(f"kind {kind!r} is not agency, deployment, contract, sharing or policy")
