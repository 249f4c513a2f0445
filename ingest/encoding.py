"""Which text encoding a file is in, decided once for the whole file before any row is read.

Decoding with errors replaced turns `MÜLLER` and `MÖLLER` into one `M�LLER` and merges two vendors, and a
guessed code page turns `PEÑA` into `PEîA` with no reject, so a file is decoded strictly from its first byte
to its last, in one of two encodings only: UTF-8, else Windows-1252 (the code page US agencies' spreadsheets
are saved in). Any other code page is named with `--encoding`. A byte the encoding cannot decode stops the
file, naming its line and column, before anything of it is loaded.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from .csvfile import SourceError

UTF8 = "utf-8-sig"  # a BOM, when present, is not part of the first column's name
WINDOWS = "cp1252"  # the only code page tried without --encoding
_CHUNK = 1 << 20


class Undecodable(Exception):
    def __init__(self, offset: int, data: bytes):
        super().__init__(offset)
        self.offset, self.data = offset, data


def _check(path: Path, encoding: str) -> None:
    """Decode the whole file strictly, raising `Undecodable` at the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                bad = offset + max(error.start, 0)
                raise Undecodable(bad, chunk[error.start : error.end]) from None
            if not chunk:
                return
            offset += len(chunk)


def _where(path: Path, offset: int) -> str:
    """'line L (column C, byte offset N)' of a byte, the column counted in bytes from the line's start."""
    with path.open("rb") as handle:
        before = handle.read(offset)
    line, column = before.count(b"\n") + 1, offset - before.rfind(b"\n")
    return f"line {line} (column {column}, byte offset {offset})"


def _stop(path: Path, encoding: str, bad: Undecodable, how: str) -> SourceError:
    return SourceError(
        f"{path}: {_where(path, bad.offset)} holds {bad.data!r}, which cannot be decoded as {encoding} "
        f"({how}); re-save the file as UTF-8 or pass the right --encoding (nothing was loaded from "
        f"this file)"
    )


def detect(path: Path, declared: str | None = None) -> str:
    """The encoding to read `path` with: the declared one, else UTF-8 if every byte decodes, else Windows-1252."""
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            raise SourceError(
                f"--encoding {declared}: not an encoding Python knows (try utf-8, cp1252 or latin-1)"
            ) from None
        try:
            _check(path, declared)
        except Undecodable as bad:
            raise _stop(path, declared, bad, "as declared by --encoding") from None
        return declared
    try:
        _check(path, UTF8)
        return UTF8
    except Undecodable as bad:
        first_bad = bad
    try:
        _check(path, WINDOWS)
        return WINDOWS
    except Undecodable as bad:
        also = (
            ""
            if bad.offset == first_bad.offset
            else f"; as Windows-1252, {_where(path, bad.offset)} holds {bad.data!r}"
        )
        raise SourceError(
            f"{path}: {_where(path, first_bad.offset)} holds byte {first_bad.data[:1]!r}, which decodes "
            f"neither as UTF-8 nor as Windows-1252{also}; if the file is in another code page, pass it "
            f"with --encoding NAME (e.g. --encoding cp437), or re-save the file as UTF-8 (nothing was "
            f"loaded from this file)"
        ) from None
