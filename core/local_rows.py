"""Local records as the rows a store keeps (table `local_record`), declared once.

One row per record read, raw as its source spelled it: which vendor or family a deployment's vendor name is,
and which federal body an agency name means, is decided by the store from every row it holds, like the
federal records' parties (`core/facts.py`). A row's `key` says what it is about, so a rerun, or the same
link in another copy of a file, is one link in the graph; (kind, key, source, record) is one row kept.
"""

from __future__ import annotations

import json
from typing import Any

from .facts import Field
from .local import Deployment, LocalAgency, LocalContract, Policy, SharingLink

LOCAL_KINDS = ("agency", "deployment", "contract", "sharing", "policy")
LOCAL_FIELDS = (
    Field("kind", "VARCHAR", "agency | deployment | contract | sharing | policy"),
    Field(
        "key",
        "VARCHAR",
        "what the row is about: the agency; agency|vendor|technology; agency|vendor|number|"
        "date; owner|searcher|system; agency|date of a policy version",
    ),
    Field("agency", "VARCHAR", "local agency key (local:<source>:<id>); a sharing link's owner of the data"),
    Field("agency_name", "VARCHAR", "the agency as this row spells it"),
    Field("other", "VARCHAR", "a sharing link's searcher (the agency that can search the owner's data)"),
    Field("other_name", "VARCHAR", "the searcher as this row spells it"),
    Field("vendor_name", "VARCHAR", "the vendor as this row spells it"),
    Field("technology", "VARCHAR", "technology or product"),
    Field("status", "VARCHAR", "a deployment's status: active | ended | cancelled | rejected"),
    Field("status_as_written", "VARCHAR", "a deployment's status in the source's own words, before a map's values"),
    Field("as_of", "VARCHAR", "as-of date (deployment, link), start date (contract), policy date"),
    Field("end_date", "VARCHAR", "a contract's end date"),
    Field("count", "BIGINT", "how many (e.g. cameras); NULL = not reported"),
    Field("amount", "DOUBLE", "a local contract's amount as its document gives it; NULL = not reported"),
    Field("number", "VARCHAR", "a contract's or purchase order's number"),
    Field("system", "VARCHAR", "a sharing link's system (e.g. Flock Safety)"),
    Field("url", "VARCHAR", "the source page: portal, document (http(s) only)"),
    Field("archive_url", "VARCHAR", "an archived copy of the source page, when the source gives one (http(s) only)"),
    Field("notes", "VARCHAR", "the source's notes"),
    Field("jurisdiction", "VARCHAR", "an agency's jurisdiction type (core.local.JURISDICTIONS)"),
    Field("state", "VARCHAR", "two-letter state code"),
    Field("county", "VARCHAR", "county"),
    Field("city", "VARCHAR", "city"),
    Field("details", "VARCHAR", "JSON: a deployment's other figures, a policy's sections, by the source's names"),
    Field("text_hash", "VARCHAR", "the source's hash of a policy's text"),
    Field("source", "VARCHAR", "file the row came from"),
    Field("record", "VARCHAR", "its line"),
    Field("retrieved", "VARCHAR", "when the file was read"),
)
LOCAL_COLUMNS = tuple(field.name for field in LOCAL_FIELDS)
LOCAL_TYPES = (LocalAgency, Deployment, LocalContract, SharingLink, Policy)


def _key(*parts: object) -> str:
    return "|".join("" if part is None else str(part) for part in parts)


def local_row(record: Any) -> dict[str, Any]:
    """The record's row: every declared column, None where the record has no value."""
    row = dict.fromkeys(LOCAL_COLUMNS)
    row.update(source=record.prov.source, record=record.prov.record, retrieved=record.prov.retrieved)
    if isinstance(record, LocalAgency):
        row.update(
            kind="agency",
            key=record.key,
            agency=record.key,
            agency_name=record.name,
            jurisdiction=record.jurisdiction,
            state=record.state,
            county=record.county,
            city=record.city,
            notes=record.notes,
        )
    elif isinstance(record, Deployment):
        row.update(
            kind="deployment",
            key=_key(record.agency, record.vendor_name.lower(), record.technology),
            agency=record.agency,
            agency_name=record.agency_name,
            vendor_name=record.vendor_name,
            technology=record.technology,
            status=record.status,
            status_as_written=record.status_as_written,
            as_of=record.as_of,
            count=record.count,
            url=record.source_url,
            archive_url=record.archive_url,
            notes=record.notes,
            details=json.dumps(record.figures, sort_keys=True) if record.figures else None,
        )
    elif isinstance(record, LocalContract):
        row.update(
            kind="contract",
            key=_key(record.agency, record.vendor_name.lower(), record.number, record.start_date),
            agency=record.agency,
            agency_name=record.agency_name,
            vendor_name=record.vendor_name,
            technology=record.technology,
            as_of=record.start_date,
            end_date=record.end_date,
            amount=record.amount,
            number=record.number,
            url=record.source_url,
            archive_url=record.archive_url,
            notes=record.notes,
        )
    elif isinstance(record, SharingLink):
        row.update(
            kind="sharing",
            key=_key(record.owner, record.searcher, record.system),
            agency=record.owner,
            agency_name=record.owner_name,
            other=record.searcher,
            other_name=record.searcher_name,
            system=record.system,
            as_of=record.as_of,
            url=record.portal,
        )
    elif isinstance(record, Policy):
        row.update(
            kind="policy",
            key=_key(record.agency, record.updated),
            agency=record.agency,
            agency_name=record.agency_name,
            as_of=record.updated,
            url=record.source_url,
            text_hash=record.text_hash,
            details=json.dumps(record.sections, sort_keys=True),
        )
    else:
        raise TypeError(f"not a local record: {type(record).__name__}")
    where = getattr(record, "where", None)
    if where is not None:  # a spreadsheet's row says what the agency is and where: kept with the row
        row.update(jurisdiction=where.jurisdiction, state=where.state, county=where.county, city=where.city)
    return row
