"""Any CSV or XLSX a reporter holds (a FOIA response, a city's purchase orders, a council agenda export), read
through a declared column map: `python -m ingest table FILE --map MAP.toml` (issue 12).

A map (TOML) says which relationship each row makes and where each field comes from:

    relationship = "uses"            # uses | contract | shares-with
    source = "oakland-po"            # names the agencies' id space: local:<source>:<id or name and state>
    missing = ["NA", "n/a"]          # cells that mean "not reported" (blank always does)
    [columns]                        # field = the file's column header
    agency_name = "Department"
    vendor_name = "Supplier"
    date = "PO Date"
    [constants]                      # field = one value for every row
    state = "CA"
    technology = "license plate readers"
    [values.agency_type]             # the file's value = the field's own (status, agency_type, state)
    PD = "police department"

A JSON or JSON Lines file is read the same way, its columns dotted paths and `records = "entries"` the path
to its list (ingest/table_json.py).

Each field is declared once, in `FIELDS`; a map naming another field, or a column the file lacks, stops with
one line naming the map or file. A row missing a required field, or with a value that is not a date or
number, is rejected with its line and column; every row is either a record or a reject.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.facts import too_long
from core.keys import name_key
from core.local import (
    DEPLOYMENT_STATUSES,
    JURISDICTIONS,
    US_STATES,
    Deployment,
    LocalAgency,
    LocalContract,
    SharingLink,
    jurisdiction_of,
    local_key,
    state_code,
    state_of,
)
from core.records import Provenance, Reject

from . import clean, table_json
from .csvfile import SourceError, check_unique, file_time, open_csv, width_problem

# field -> (kind of value, what it is); kinds: text, date, amount, count, status, jurisdiction, state
FIELDS = {
    "agency_id": ("text", "the source's id of the agency (spellings of one id are one agency)"),
    "agency_name": ("text", "the agency as the file spells it"),
    "agency_type": ("jurisdiction", f"one of {', '.join(JURISDICTIONS)} (else read from the name)"),
    "state": ("state", "two-letter code or the state's name (else read from the name)"),
    "county": ("text", "county"),
    "city": ("text", "city"),
    "vendor_name": ("text", "the vendor as the file spells it"),
    "technology": ("text", "technology or product"),
    "status": ("status", f"one of {', '.join(DEPLOYMENT_STATUSES)}"),
    "date": ("date", "as-of date (uses), start date (contract) or as-of date (shares-with)"),
    "end_date": ("date", "a contract's end date"),
    "amount": ("amount", "a contract's amount in dollars"),
    "count": ("count", "how many (e.g. cameras)"),
    "number": ("text", "a contract's or purchase order's number"),
    "source_url": ("url", "the source document's http(s) address"),
    "archive_url": ("url", "an archived copy of the source document (e.g. the Wayback Machine's), http(s)"),
    "notes": ("text", "free text kept with the record"),
    "second_agency_id": ("text", "shares-with: the id of the agency that can search the first one's data"),
    "second_agency_name": ("text", "shares-with: the agency that can search the first one's data"),
    "system": ("text", "shares-with: the system shared (e.g. Flock Safety)"),
}
# kind -> the values a field of that kind takes, which a map's [values.FIELD] table maps a file's values onto
VOCABULARIES = {"status": DEPLOYMENT_STATUSES, "jurisdiction": JURISDICTIONS, "state": tuple(US_STATES)}
RELATIONSHIPS = {  # relationship -> fields every row needs
    "uses": ("agency_name", "vendor_name"),
    "contract": ("agency_name", "vendor_name"),
    "shares-with": ("agency_name", "second_agency_name"),
}


@dataclass(frozen=True)
class TableMap:
    path: Path
    relationship: str
    source: str
    columns: dict[str, str]
    constants: dict[str, str]
    missing: frozenset[str] = frozenset()
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {file value, casefolded: own value}
    records: str | None = None  # JSON: the dotted path to the list of records


def load_map(path: Path) -> TableMap:
    """The map, checked against `FIELDS` and `RELATIONSHIPS` before any row is read."""
    if not path.is_file():
        raise SourceError(f"{path}: no such map file (see data/maps/ for examples)")
    from core.tables import text_of

    text = text_of(path)  # decoded strictly: a byte that is not UTF-8 names its line
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourceError(f"{path}: not a TOML map ({error})") from None
    unknown = sorted(set(raw) - {"relationship", "source", "missing", "records", "columns", "constants", "values"})
    if unknown:
        raise SourceError(
            f"{path}: unknown key {unknown[0]!r}; a map has relationship, source, missing, records, [columns], "
            "[constants] and [values.FIELD]"
        )
    records = raw.get("records")
    if records is not None and (not isinstance(records, str) or not records.strip()):
        raise SourceError(f'{path}: `records` must be the dotted path to a JSON file\'s list, e.g. records = "entries"')
    missing = raw.get("missing", [])
    if not isinstance(missing, list) or not all(isinstance(text, str) for text in missing):
        raise SourceError(f'{path}: `missing` must be a list of texts, e.g. missing = ["NA"]')
    relationship = raw.get("relationship")
    if relationship not in RELATIONSHIPS:
        raise SourceError(f"{path}: relationship {relationship!r} is not one of {', '.join(RELATIONSHIPS)}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip() or ":" in source:
        raise SourceError(
            f"{path}: `source` must name the file's id space (text without ':'), e.g. source = \"oakland-po\""
        )
    parts = {}
    for part in ("columns", "constants"):
        table = raw.get(part, {})
        if not isinstance(table, dict):
            raise SourceError(f"{path}: [{part}] must be a table of field = text")
        for name, value in table.items():
            if name not in FIELDS:
                raise SourceError(f"{path}: [{part}] names unknown field {name!r}; the fields are {', '.join(FIELDS)}")
            if not isinstance(value, str):
                raise SourceError(f"{path}: [{part}] {name} must be text, not {value!r}")
        parts[part] = dict(table)
    both = sorted(set(parts["columns"]) & set(parts["constants"]))
    if both:
        raise SourceError(f"{path}: field {both[0]!r} is both a column and a constant; keep one")
    for name in RELATIONSHIPS[relationship]:
        if name not in parts["columns"] and name not in parts["constants"]:
            raise SourceError(
                f"{path}: relationship {relationship!r} needs {name}: map it under [columns] "
                f"or give it under [constants]"
            )
    return TableMap(
        path,
        relationship,
        source.strip(),
        parts["columns"],
        parts["constants"],
        frozenset(text.strip() for text in missing),
        _value_maps(path, raw.get("values", {}), parts),
        records.strip() if records else None,
    )


def _value_maps(path: Path, raw, parts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """[values.FIELD] tables, each checked: a field with a vocabulary that the map reads, onto its vocabulary."""
    if not isinstance(raw, dict):
        raise SourceError(f'{path}: values must be tables, e.g. [values.status] deactivated = "ended"')
    maps = {}
    for name, table in raw.items():
        kind = FIELDS[name][0] if name in FIELDS else None
        if kind not in VOCABULARIES:
            mappable = ", ".join(n for n, (k, _) in FIELDS.items() if k in VOCABULARIES)
            raise SourceError(f"{path}: [values.{name}]: {name!r} has no vocabulary to map onto; only {mappable} do")
        if name not in parts["columns"] and name not in parts["constants"]:
            raise SourceError(f"{path}: [values.{name}] maps values of {name}, which the map reads from no column")
        if not isinstance(table, dict):
            raise SourceError(f'{path}: [values.{name}] must be a table of "file value" = "{name} value"')
        maps[name] = {}
        for given, own in table.items():
            if not isinstance(own, str) or _own(kind, own) is None:
                raise SourceError(
                    f"{path}: [values.{name}] {given!r} = {own!r}: not one of {', '.join(VOCABULARIES[kind])}"
                )
            folded = given.strip().casefold()
            if folded in maps[name]:
                raise SourceError(f"{path}: [values.{name}] maps {given!r} twice (values match whatever their case)")
            maps[name][folded] = own
    return maps


def _own(kind: str, value: str) -> str | None:
    """The vocabulary's own spelling of a value, or None: statuses and types in any case, states by code or name."""
    if kind == "state":
        return state_code(value)
    return value.lower() if value.lower() in VOCABULARIES[kind] else None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows(
    path: Path, sheet: str | None = None, encoding: str | None = None
) -> tuple[list[str], Iterator[tuple[str, list[str]]], str]:
    """(header, rows labelled by line, retrieved) of a CSV (in `encoding`, else the one detected) or of one
    sheet of an XLSX."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises several kinds for a damaged or mislabelled file
            raise SourceError(f"{path}: not a readable XLSX workbook ({error})") from None
        names = book.sheetnames
        if sheet is None and len(names) > 1:
            raise SourceError(
                f"{path}: the workbook has {len(names)} sheets ({', '.join(names)}); pick one with --sheet NAME"
            )
        if sheet is not None and sheet not in names:
            raise SourceError(f"{path}: no sheet {sheet!r}; the sheets are {', '.join(names)}")
        values = book[sheet or names[0]].iter_rows(values_only=True)
        first = next(values, None)
        if first is None:
            raise SourceError(f"{path}: the sheet is empty")
        header = [_cell_text(cell).strip() for cell in first]
        check_unique(path, header)
        numbered = (
            (f"line {line}", [_cell_text(cell) for cell in row])
            for line, row in enumerate(values, start=2)
            if any(cell is not None for cell in row)
        )
        return header, numbered, file_time(path)
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        raise SourceError(f"{path}: not a CSV, XLSX, JSON or JSON Lines file (by its name)")
    from .encoding import detect

    encoding = detect(path, encoding)  # strict: an undecodable byte stops the file at its line
    with path.open(newline="", encoding=encoding) as handle:
        first = next(csv.reader(handle), [])  # a mapped file's first row is its header
    opened = open_csv(path, frozenset(cell.strip() for cell in first), encoding=encoding)
    return opened.header, ((f"line {line}", row) for line, row in opened.rows), opened.retrieved


def encodings(path: Path, declared: str | None = None) -> dict[str, str]:
    """{file: the encoding it is read in} for the run summary (an XLSX workbook has none to report)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return {}
    from .encoding import UTF8, detect

    if table_json.is_json(path):
        return {str(path): UTF8}  # JSON is UTF-8 by its standard, a BOM tolerated

    return {str(path): detect(path, declared)}


def _convert(kind: str, value: str | None, column: str):
    if value is None:
        return None
    if kind == "date":
        return clean.date(value)
    if kind == "amount":
        return clean.amount(value)
    if kind == "count":
        digits = value.replace(",", "")
        if not digits.isdigit():
            raise clean.BadValue(f"{value!r} is not a count")
        return int(digits)
    if kind == "status":
        if value.lower() not in DEPLOYMENT_STATUSES:
            raise clean.BadValue(f"status {value!r} is not one of {', '.join(DEPLOYMENT_STATUSES)}")
        return value.lower()
    if kind == "jurisdiction":
        if value.lower() not in JURISDICTIONS:
            raise clean.BadValue(f"agency type {value!r} is not one of {', '.join(JURISDICTIONS)}")
        return value.lower()
    if kind == "state":
        if (code := state_code(value)) is None:
            raise clean.BadValue(f"state {value!r} is not a US state's code or name")
        return code
    if kind == "url":
        if not value.lower().startswith(("https://", "http://")):
            raise clean.BadValue(f"url {value!r} is not an http(s) address")
        return value
    return value


def read(path: Path, table_map: TableMap, sheet: str | None = None, encoding: str | None = None) -> Iterator:
    """Each row as one local record (its relationship, with the agency as the row describes it) or one reject."""
    header, numbered, retrieved = _table(path, table_map, sheet, encoding)
    index = {name: position for position, name in enumerate(header)}
    missing = [column for column in table_map.columns.values() if column not in index]
    if missing:
        raise SourceError(
            f"{path}: the map {table_map.path} names column {missing[0]!r}, which the file does not "
            f"have; its columns are {', '.join(repr(name) for name in header)}"
        )
    width, source = len(header), str(path)
    for label, row in numbered:
        if (problem := width_problem(row, width)) is not None:
            yield Reject(source, label, problem, row)
            continue
        prov = Provenance(source, label, retrieved)
        try:
            values = _values(table_map, index, row)
            yield _record(table_map, values, prov)
        except clean.BadValue as error:
            yield Reject(source, label, str(error), [cell if isinstance(cell, str) else "" for cell in row])


def _table(path: Path, table_map: TableMap, sheet: str | None, encoding: str | None):
    """(header, labelled rows, retrieved) of a spreadsheet, or of a JSON file read at the map's paths."""
    if table_json.is_json(path):
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
        header, labelled = table_json.rows(path, table_map.records, list(dict.fromkeys(table_map.columns.values())))
        return header, labelled, file_time(path)
    if table_map.records is not None:
        raise SourceError(f"{table_map.path}: `records` is for JSON files, and {path} is not one; remove it")
    return rows(path, sheet, encoding)


def unmapped(path: Path, table_map: TableMap, sheet: str | None = None, encoding: str | None = None) -> dict:
    """{field: {"column", "table", "values": {value: rows}}}: every value of a column with a vocabulary that is
    neither the field's own nor mapped in [values.FIELD], counted over the whole file (what --dry-run lists, so
    that a map is written in one pass)."""
    header, numbered, _ = _table(path, table_map, sheet, encoding)
    index = {name: position for position, name in enumerate(header)}
    checked = {
        name: column
        for name, column in table_map.columns.items()
        if FIELDS[name][0] in VOCABULARIES and column in index
    }
    counts: dict[str, dict[str, int]] = {name: {} for name in checked}
    spelled: dict[tuple[str, str], str] = {}  # a value matches whatever its case: counted once, as first spelled
    for _, row in numbered:
        for name, column in checked.items():
            position = index[column]
            cell = row[position] if position < len(row) and isinstance(row[position], str) else None
            value = clean.text(cell)
            if value is None or value in table_map.missing or _own(FIELDS[name][0], value) is not None:
                continue
            if value.casefold() in table_map.values.get(name, {}):
                continue
            value = spelled.setdefault((name, value.casefold()), value)
            counts[name][value] = counts[name].get(value, 0) + 1
    return {
        name: {
            "column": checked[name],
            "table": f"[values.{name}]",
            "values": dict(sorted(found.items(), key=lambda item: (-item[1], item[0]))),
        }
        for name, found in counts.items()
        if found
    }


def _values(table_map: TableMap, index: dict[str, int], row: list[str]) -> dict:
    values = {}
    for name, (kind, _) in FIELDS.items():
        if name in table_map.columns:
            column = table_map.columns[name]
            cell = row[index[column]]
            if isinstance(cell, ValueError):  # JSON: an object or list where a value should be
                raise clean.BadValue(f"column {column!r} ({name}): {cell}")
            raw = clean.text(cell)
            raw = None if raw in table_map.missing else raw
        else:
            column, raw = "(constant)", clean.text(table_map.constants.get(name))
        if name == "status":
            values["status_as_written"] = raw  # kept as the source wrote it: outcomes show both words
        if raw is not None and name in table_map.values:
            raw = table_map.values[name].get(raw.casefold(), raw)
        if raw is not None and (why := too_long(({name: raw}, None))) is not None:  # before any name is read
            raise clean.BadValue(f"column {column!r}: {why}")
        try:
            values[name] = _convert(kind, raw, column)
        except clean.BadValue as error:
            hint = f"; map it under [values.{name}] in {table_map.path}" if kind in VOCABULARIES else ""
            raise clean.BadValue(f"column {column!r} ({name}): {error}{hint}") from None
    for name in RELATIONSHIPS[table_map.relationship]:
        if values[name] is None:
            where = table_map.columns.get(name, "(constant)")
            raise clean.BadValue(f"column {where!r} ({name}) is empty; the relationship needs it")
    return values


def _agency(table_map: TableMap, values: dict, prov: Provenance, prefix: str = "") -> LocalAgency:
    name = values[f"{prefix}agency_name"]
    given = values[f"{prefix}agency_id"]
    state = values["state"] if not prefix else None
    state = state or state_of(name)
    ident = given or f"{name_key(name)}|{state or '-'}"
    jurisdiction = (values["agency_type"] if not prefix else None) or jurisdiction_of(name)
    return LocalAgency(
        key=local_key(table_map.source, ident),
        name=name,
        prov=prov,
        jurisdiction=jurisdiction,
        state=state,
        county=None if prefix else values["county"],
        city=None if prefix else values["city"],
    )


def _record(table_map: TableMap, values: dict, prov: Provenance):
    agency = _agency(table_map, values, prov)
    if table_map.relationship == "uses":
        return Deployment(
            agency=agency.key,
            agency_name=agency.name,
            vendor_name=values["vendor_name"],
            technology=values["technology"],
            prov=prov,
            status=values["status"],
            as_of=values["date"],
            count=values["count"],
            source_url=values["source_url"],
            notes=values["notes"],
            where=agency,
            status_as_written=values["status_as_written"],
            archive_url=values["archive_url"],
        )
    if table_map.relationship == "contract":
        return LocalContract(
            agency=agency.key,
            agency_name=agency.name,
            vendor_name=values["vendor_name"],
            prov=prov,
            number=values["number"],
            amount=values["amount"],
            start_date=values["date"],
            end_date=values["end_date"],
            technology=values["technology"],
            source_url=values["source_url"],
            notes=values["notes"],
            where=agency,
            archive_url=values["archive_url"],
        )
    second = _agency(table_map, values, prov, prefix="second_")
    return SharingLink(
        owner=agency.key,
        owner_name=agency.name,
        searcher=second.key,
        searcher_name=second.name,
        system=values["system"],
        prov=prov,
        as_of=values["date"],
        portal=values["source_url"],
        where=agency,
    )
