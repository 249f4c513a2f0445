"""How the user-edited tables in data/ are read: strictly decoded, and their patterns compiled by RE2.

People edit these files by hand (rules, judgements, families, maps), so a mistake in one must stop with one
line naming the file and line, never a traceback or a hang. Patterns are compiled by RE2, the engine DuckDB
uses: matching takes time linear in the text whatever the pattern (no backtracking), and a pattern that
Python and DuckDB read the same way screens and matches alike.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import re2

# what RE2 reports for the Perl features it refuses (they need backtracking), as the error names them
_FEATURES = {
    "(?=": "a lookahead (?=…)",
    "(?!": "a negative lookahead (?!…)",
    "(?<=": "a lookbehind (?<=…)",
    "(?<!": "a negative lookbehind (?<!…)",
    "(?<": "a lookbehind (?<…)",
    "(?>": "an atomic group (?>…)",
    "(?P": "a named backreference (?P=…)",
    "++": "a possessive quantifier ++",
    "*+": "a possessive quantifier *+",
    "?+": "a possessive quantifier ?+",
}


class BadTable(ValueError):
    """A curated table (rules, judgements, families, maps) that cannot be applied: the message names the file
    and line."""


def _options(ignore_case: bool) -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the error is ours to report, on one line
    options.case_sensitive = not ignore_case
    return options


def _feature(reason: str) -> str | None:
    operator = reason.rsplit(": ", 1)[-1]
    if reason.startswith(("invalid perl operator", "bad repetition operator")) and operator in _FEATURES:
        return _FEATURES[operator]
    if reason.startswith("invalid escape sequence: \\") and operator[1:].isdigit():
        return f"a backreference {operator}"
    return None


def pattern(text: str, where: str, ignore_case: bool = True) -> Any:
    """`text` compiled by RE2; BadTable names `where` (file, line and column) and the feature RE2 cannot read."""
    try:
        return re2.compile(text, _options(ignore_case))
    except re2.error as error:
        reason = (
            error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else str(error)
        )
        feature = _feature(reason)
        what = (
            f"uses {feature}, which the linear-time engine (RE2, as in DuckDB) cannot read: {text!r}; "
            f"write it without it"
            if feature
            else f"is not a valid regular expression ({reason}): {text!r}"
        )
        raise BadTable(f"{where} {what} (nothing was applied)") from None


def text_of(path: Path) -> str:
    """The file's text, decoded strictly as UTF-8: a byte that is not stops with its file, line and column."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise BadTable(f"cannot read {path}: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise BadTable(
            f"{path} line {line}: byte 0x{data[start]:02x} (column {column}) is not UTF-8; save the "
            f"file as UTF-8 (nothing was applied)"
        ) from None


def rows(path: Path) -> csv.DictReader[str]:
    """A DictReader over the strictly decoded file (line numbers as `csv` counts them)."""
    return csv.DictReader(io.StringIO(text_of(path), newline=""))
