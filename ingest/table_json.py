"""A JSON or JSON Lines file read as a table (issue 30): each record a row, each dotted path a column.

A campaign tracker or a scraper's output is JSON more often than a spreadsheet. The map names the list
(`records = "entries"`, a dotted path; none for a file that is the list) and each field's path in a record
(`location.city`, `sources.0.url`). Rows are labelled `entries[12]` (JSON) or `line 13` (JSON Lines), so a
reject names the record it came from.

The whole file is read before any row is given, so a file that is not JSON, a `records` that is not a list,
or a path that matches no record stops the file before anything is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from .csvfile import SourceError

SUFFIXES = (".json", ".jsonl", ".ndjson")
_ABSENT = object()


def is_json(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def _lines(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson")


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # JSON is UTF-8 (RFC 8259); a BOM is tolerated
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise SourceError(f"{path}: not UTF-8 at line {line} (JSON files are UTF-8; re-save it as UTF-8)") from None


def at(value, path: str):
    """The value at a dotted path (`location.city`, `sources.0.url`), or _ABSENT when a step is missing."""
    for step in path.split("."):
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return _ABSENT
    return value


def _records(path: Path, records: str | None) -> list[tuple[str, object]]:
    """(label, record) of every record in the file, its structure checked."""
    text = _text(path)
    if _lines(path):
        if records is not None:
            raise SourceError(f"{path}: a JSON Lines file has one record a line; remove `records` from the map")
        found = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    found.append((f"line {number}", json.loads(line)))
                except json.JSONDecodeError as error:
                    raise SourceError(
                        f"{path}: line {number} is not JSON ({error.msg} at column {error.colno}); "
                        "fix or remove the line"
                    ) from None
        return found
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}: not JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    listed = document if records is None else at(document, records)
    where = "the file" if records is None else f"`records = {records!r}`"
    if listed is _ABSENT:
        raise SourceError(f"{path}: {where} names no value in the file; give the path to the list of records")
    if not isinstance(listed, list):
        kind = type(listed).__name__.replace("dict", "object").replace("str", "text")
        hint = "set `records` in the map to the path of the list" if records is None else "check the path"
        raise SourceError(f"{path}: {where} is {kind}, not a list of records; {hint}")
    return [(f"{records or ''}[{index}]", record) for index, record in enumerate(listed)]


def _cell(value, path: str) -> str | None:
    """A scalar's text; an object or list where a value should be cannot be read as one field."""
    if value is _ABSENT or value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        raise ValueError(f"path {path!r} holds {'an object' if isinstance(value, dict) else 'a list'}, not a value")
    return str(value)


def rows(path: Path, records: str | None, paths: list[str]) -> tuple[list[str], Iterator[tuple[str, list]]]:
    """(header, labelled rows): the header is the map's paths; a cell is text, None (not there) or a ValueError
    (an object where a value should be: the row is rejected with it)."""
    found = _records(path, records)
    for label, record in found:
        if not isinstance(record, dict):
            raise SourceError(f"{path}: record {label} is not an object ({json.dumps(record)[:60]})")
    for dotted in paths:
        if found and all(at(record, dotted) is _ABSENT for _, record in found):
            raise SourceError(
                f"{path}: the map's path {dotted!r} matches no record; a record's keys are "
                f"{', '.join(sorted(found[0][1]))[:300]}"
            )

    def cells(record) -> list:
        row: list = []
        for dotted in paths:
            try:
                row.append(_cell(at(record, dotted), dotted))
            except ValueError as error:
                row.append(error)
        return row

    return list(paths), ((label, cells(record)) for label, record in found)
