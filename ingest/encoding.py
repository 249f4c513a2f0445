"""Which text encoding a file is in, decided once for the whole file before any row is read.

Decoding with errors replaced turns `MÜLLER` and `MÖLLER` into one `M�LLER` and merges two vendors, so a
file is checked to decode strictly from its first byte to its last: as UTF-8 when it is, otherwise as the
`--encoding` given or the one `charset-normalizer` detects. A byte that still cannot be decoded stops the
file at its line, before anything of it is loaded.
"""
from __future__ import annotations

import codecs
from pathlib import Path

from .csvfile import SourceError

UTF8 = "utf-8-sig"  # a BOM, when present, is not part of the first column's name
_CHUNK = 1 << 20
_SAMPLE = 4 << 20  # bytes charset-normalizer looks at: the file's start and the text around its first non-UTF-8 byte


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
                raise Undecodable(bad, chunk[error.start:error.end]) from None
            if not chunk:
                return
            offset += len(chunk)


def _line_at(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def _stop(path: Path, encoding: str, bad: Undecodable, how: str) -> SourceError:
    return SourceError(f"{path}: line {_line_at(path, bad.offset)} (byte {bad.offset}) holds {bad.data!r}, which cannot "
                       f"be decoded as {encoding} ({how}); re-save the file as UTF-8 or pass the right --encoding "
                       f"(nothing was loaded from this file)")


def _sample(path: Path, offset: int) -> bytes:
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE // 2)
        handle.seek(max(offset - _SAMPLE // 4, len(head)))
        return head + handle.read(_SAMPLE // 2)


def detect(path: Path, declared: str | None = None) -> str:
    """The encoding to read `path` with: the declared one, else UTF-8 if every byte decodes, else the detected one."""
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            raise SourceError(f"--encoding {declared}: not an encoding Python knows (try utf-8, cp1252 or latin-1)") from None
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
    from charset_normalizer import from_bytes

    best = from_bytes(_sample(path, first_bad.offset)).best()
    if best is None or codecs.lookup(best.encoding).name == "utf-8":
        raise _stop(path, "UTF-8", first_bad, "and no other encoding could be detected")
    # A short sample fits several code pages equally; a US spreadsheet saved "as CSV" is Windows-1252.
    fits = [codecs.lookup(name).name for name in best.could_be_from_charset]
    encoding = "cp1252" if "cp1252" in fits else codecs.lookup(best.encoding).name
    try:
        _check(path, encoding)
    except Undecodable as bad:
        raise _stop(path, encoding, bad, "the encoding detected from the file's start") from None
    return encoding
