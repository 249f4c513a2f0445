"""Cleaning of the values public procurement files carry after a spreadsheet has been at them.

Each function takes the raw text of one cell and returns the cleaned value or None; a value that is
present but cannot be read raises `BadValue`, so the row goes to the rejects file with the reason.
Hot paths are cached: the same dates and codes repeat on thousands of rows.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from functools import lru_cache

from core.keys import BadValue, award_key, fiscal_year, name_key, permalink, split_award_key  # noqa: F401 (re-exported for adapters)

MISSING = frozenset({"", "NAN", "NaN", "nan", "NULL", "null", "None", "N/A", "#N/A", "-"})

# No single contract action, award value or subaward comes near a trillion dollars (the largest
# DHS award in the real files is under $10 billion), so a larger cell is a damaged or hostile file.
AMOUNT_BOUND = 10**12


# Control characters (NUL and the rest of C0 but tab, newline and carriage return, DEL) mean nothing in a name or
# description and make XML exports unreadable, so they are dropped before anything reaches a store.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def text(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.isprintable():
        value = value.translate(_CONTROLS)
    value = value.strip()
    return None if value in MISSING else value


def amount(value: str | None) -> float | None:
    """Dollars: '1234', '1,234.50', '$-12.00', '(12.00)' accepted; NAN and blank are None."""
    if value is None:
        return None
    value = value.strip()
    if value in MISSING:
        return None
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if math.isnan(number):  # 'Nan', 'nan ' and friends: a spreadsheet's empty cell
            return None
        if math.isinf(number):
            raise BadValue(f"amount {value!r} is not a finite number")
        return plausible(number, value)
    cleaned = value.replace(",", "").replace("$", "").strip()
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    try:
        number = float(cleaned)
    except ValueError:
        raise BadValue(f"amount {value!r} is not a number") from None
    if not math.isfinite(number):
        raise BadValue(f"amount {value!r} is not a finite number")
    return plausible(-number if negative else number, value)


def plausible(number: float, value: str) -> float:
    """The number, if within AMOUNT_BOUND (see `amount`)."""
    if abs(number) > AMOUNT_BOUND:
        raise BadValue(
            f"amount {value!r} exceeds the bound of $1,000,000,000,000 for one record (ingest/clean.py "
            f"AMOUNT_BOUND); check the file"
        )
    return number


_DIGITS = re.compile(r"^\d+$")


@lru_cache(maxsize=65536)
def duns(value: str | None) -> str | None:
    """DUNS is 9 digits; spreadsheets drop leading zeros (7 or 8 digits come back padded)."""
    value = text(value)
    if value is None:
        return None
    if value.endswith(".0"):
        value = value[:-2]
    value = value.replace("-", "")
    if not _DIGITS.match(value) or len(value) > 9:
        raise BadValue(f"DUNS {value!r} is not up to 9 digits")
    if set(value) == {"0"}:
        return None
    return value.zfill(9)


@lru_cache(maxsize=65536)
def uei(value: str | None) -> str | None:
    """SAM Unique Entity ID: 12 alphanumerics, upper case."""
    value = text(value)
    if value is None:
        return None
    value = value.upper()
    if len(value) != 12 or not value.isalnum():
        raise BadValue(f"UEI {value!r} is not 12 letters/digits")
    return value


@lru_cache(maxsize=4096)
def toptier_code(value: str | None) -> str | None:
    """CGAC toptier codes are 3 digits ('070'); spreadsheets turn them into '70'."""
    value = text(value)
    if value is None:
        return None
    if value.endswith(".0"):
        value = value[:-2]
    return value.zfill(3) if value.isdigit() else value.upper()


@lru_cache(maxsize=4096)
def subtier_code(value: str | None) -> str | None:
    value = text(value)
    if value is None:
        return None
    if value.endswith(".0"):
        value = value[:-2]
    return value.zfill(4) if value.isdigit() else value.upper()


@lru_cache(maxsize=65536)
def code(value: str | None) -> str | None:
    """Office, NAICS and PSC codes: trimmed, upper case."""
    value = text(value)
    if value is None:
        return None
    if value.endswith(".0") and value[:-2].isdigit():
        value = value[:-2]
    return value.upper()


_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")


def _year(text_year: str) -> int:
    year = int(text_year)
    if len(text_year) == 2:
        year += 2000 if year < 70 else 1900
    return year


@lru_cache(maxsize=131072)
def date(value: str | None, dayfirst: bool = False) -> str | None:
    """ISO 'YYYY-MM-DD' from ISO, 'M/D/YY' (dayfirst False) or 'DD/MM/YYYY' (dayfirst True)."""
    value = text(value)
    if value is None:
        return None
    match = _ISO.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _SLASHED.match(value)
        if not match:
            raise BadValue(f"date {value!r} is not ISO, M/D/YY or DD/MM/YYYY")
        first, second, year_text = match.groups()
        day, month = (int(first), int(second)) if dayfirst else (int(second), int(first))
        year = _year(year_text)
    if not 1900 <= year <= 2100:
        raise BadValue(f"date {value!r} is out of range")
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        raise BadValue(f"date {value!r} is not a calendar date (read as day-first={dayfirst})") from None


def guess_dayfirst(values) -> bool | None:
    """Look at slashed dates: a first part over 12 means day-first, a second over 12 month-first.

    Returns None when every date seen is ambiguous (both parts <= 12) or there are none.
    """
    dayfirst = monthfirst = False
    for value in values:
        match = _SLASHED.match(value.strip()) if value else None
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        dayfirst |= first > 12
        monthfirst |= second > 12
    if dayfirst and monthfirst:
        raise BadValue("dates in this file are both day-first and month-first")
    if dayfirst:
        return True
    if monthfirst:
        return False
    return None
