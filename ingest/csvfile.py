"""Opening a CSV the way procurement files need: by header name, with or without its header row.

Column sets change between download vintages (2018, 2023, 2025) and files lose their header row
when someone splits a spreadsheet, so adapters never index columns by position: they ask a `Columns`
for a field by its possible names, and a file without a header takes one from `--header-from`.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from dataclasses import dataclass
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

from . import clean

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class SourceError(Exception):
    """This file or server cannot be used at all: the message says which and what to do."""


class Unclosed(list):
    """The cells of a record whose quoted field never closed, so that it swallowed the lines after its own."""

    def __init__(self, cells: list[str], last_line: int):
        super().__init__(cells)
        self.last_line = last_line


CUT_OFF = "file ends inside this row"


class CutOff(list):
    """The cells of the file's last record when the file ends without a line break after it. Well-formed, it
    loads; if it leaves a quote open, or (`core.records.Reject`) any of its values fails its column's check,
    the file was cut inside it, and its one reject says so."""

    cut_off = True

    def __init__(self, cells: list[str], open_quote: bool):
        super().__init__(cells)
        self.open_quote = open_quote


def width_problem(row: list[str], width: int) -> str | None:
    """Why a row cannot be read by the header's columns, or None."""
    if isinstance(row, CutOff) and (row.open_quote or len(row) != width):
        return (
            f"{CUT_OFF}: the last line has no line break and "
            + ("leaves a quote open" if row.open_quote else f"makes {len(row)} columns, not {width}")
            + "; the file was probably cut off: fetch or copy it again"
        )
    if isinstance(row, Unclosed):
        return (
            f"a quote opened on this line is not closed on it: the field runs on to line {row.last_line} and the "
            f"row makes {len(row)} columns, not {width}; close the quote (the lines after this one were read on "
            f"their own)"
        )
    if len(row) != width:
        return f"row has {len(row)} columns, the header has {width}"
    return None


class _Lines:
    """A file's physical lines as the csv reader takes them, held until the record they make is read."""

    def __init__(self, lines):
        self.lines, self.held, self.last = lines, [], ""

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.held.append(line)
        self.last = line
        return line

    def take(self) -> list[str]:
        held, self.held = self.held, []
        return held


def _records(lines: _Lines, width: int, line: int):
    """(line, cells, physical lines) per record, numbered by its last line as csv's `line_num` is. A record of
    the wrong width that runs over several lines is a quote left open: it comes as `Unclosed` at the line where
    it began, and the lines it swallowed are read again on their own."""
    for row in csv.reader(lines):
        raw = lines.take()
        if len(raw) > 1 and len(row) != width:
            yield line, Unclosed(row, line + len(raw) - 1), raw[:1]
            yield from _records(_Lines(iter(raw[1:])), width, line + 1)
        else:
            yield line + len(raw) - 1, row, raw
        line += len(raw)


def _ends_in_quote(raw: list[str]) -> bool:
    """Whether these lines end inside a quoted field (csv's strict mode says so at the end of the data)."""
    try:
        for _ in csv.reader(raw, strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _marked(records, lines: _Lines):
    """(line, cells) per record; the last one is a `CutOff` when the file ends without a line break."""
    held = None
    for record in records:
        if held is not None:
            yield held[0], held[1]
        held = record
    if held is None:
        return
    line, row, raw = held
    if not lines.last.endswith(("\n", "\r")) and not isinstance(row, Unclosed):
        row = CutOff(row, _ends_in_quote(raw))
    yield line, row


@dataclass
class Opened:
    path: Path
    header: list[str]
    rows: object  # iterator of (line_number, row)
    header_given: bool  # True when the header came from --header-from
    retrieved: str


def file_time(path: Path) -> str:
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
    return stamp.replace(microsecond=0).isoformat()


def read_header_file(path: Path) -> list[str]:
    """A header from another CSV's first row, or from a two-column dictionary ('A,award_id_piid')."""
    from .encoding import detect

    if not path.is_file():
        raise SourceError(f"--header-from {path}: no such file")
    with path.open(newline="", encoding=detect(path)) as handle:
        rows = list(islice(csv.reader(handle), 400))
    if not rows:
        raise SourceError(f"--header-from {path}: the file is empty")
    is_dictionary = all(
        len(row) == 2 and row[0].isalpha() and row[0].isupper() and len(row[0]) <= 3 for row in rows if row
    )
    return [row[1].strip() for row in rows if row] if is_dictionary else [name.strip() for name in rows[0]]


def check_unique(path: Path, header: list[str]) -> None:
    """Two columns of one name would leave one of them unread (the last one wins): stop the file instead."""
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name and name in seen:
            raise SourceError(
                f"{path}: the header names column {name!r} twice, at positions {seen[name]} and "
                f"{position}; rename or remove one and load again (nothing was loaded from this file)"
            )
        seen.setdefault(name, position)


def open_csv(
    path: Path, known_columns: frozenset[str], header_from: Path | None = None, encoding: str | None = None
) -> Opened:
    """Open a CSV and tell whether its first row is a header (it names known columns) or data.

    `encoding` is one `encoding.detect` chose for this file; without it the file is checked here."""
    from .encoding import detect

    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if not path.is_file():
        raise SourceError(f"{path}: not a file")
    handle = path.open(newline="", encoding=encoding or detect(path))
    lines = _Lines(handle)
    first = next(csv.reader(lines), None)
    if first is None:
        handle.close()
        raise SourceError(f"{path}: the file is empty")
    numbered = _marked(_records(lines, len(first), len(lines.take()) + 1), lines)
    first_is_header = sum(1 for cell in first if cell.strip() in known_columns) >= 2
    if header_from is not None:
        header = read_header_file(header_from)
        if first_is_header:
            header = [cell.strip() for cell in first]
            rows, given = numbered, False
        else:
            rows, given = chain([(1, first)], numbered), True
        if len(first) != len(header):
            handle.close()
            raise SourceError(
                f"{path}: rows have {len(first)} columns but the header from {header_from} "
                f"has {len(header)}; pick the header file of the same download vintage"
            )
    elif first_is_header:
        header, rows, given = [cell.strip() for cell in first], numbered, False
    else:
        handle.close()
        raise SourceError(
            f"{path}: the first row is not a header (it names no known column); if the file "
            f"lost its header row, pass --header-from FILE with a file of the same layout "
            f"(e.g. fy13.csv or the data dictionary)"
        )
    try:
        check_unique(path, header)
    except SourceError:
        handle.close()
        raise
    return Opened(path=path, header=header, rows=rows, header_given=given, retrieved=file_time(path))


class Columns:
    """Field access by name: `cols.get(row, "recipient_uei")`, missing columns read as ''."""

    def __init__(self, header: list[str]):
        self.index = {name: position for position, name in enumerate(header)}

    def has(self, *names: str) -> bool:
        return all(name in self.index for name in names)

    def first(self, *names: str) -> int | None:
        """Position of the first of these names present in the file (vintages rename columns)."""
        for name in names:
            if name in self.index:
                return self.index[name]
        return None

    def getter(self, *names: str):
        """A fast cell reader; rows are checked against the header's width before it is used."""
        position = self.first(*names)
        if position is None:
            return lambda row: ""
        return itemgetter(position)

    def tuple_getter(self, *fields: tuple[str, ...]):
        """Read several fields at once as a tuple ('' for a field this vintage lacks)."""
        positions = [self.first(*names) for names in fields]
        if all(position is not None for position in positions):
            if len(positions) == 1:
                position = positions[0]
                return lambda row: (row[position],)
            return itemgetter(*positions)
        return lambda row: tuple("" if position is None else row[position] for position in positions)


def detect_dayfirst(rows: list, date_getters, default: bool, path: Path, width: int) -> bool:
    """Decide once per file whether slashed dates are DD/MM or M/D, from the dates themselves."""
    sample = (getter(row) for _, row in rows if len(row) == width for getter in date_getters)
    try:
        guess = clean.guess_dayfirst(sample)
    except clean.BadValue as error:
        raise SourceError(f"{path}: {error}; fix the dates or split the file") from None
    return default if guess is None else guess
