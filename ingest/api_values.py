"""JSON values of the USAspending API as record fields: the API sends numbers and nulls where the files
send text, and any field may be missing or of another type."""

from __future__ import annotations

import math

from . import clean


def get(data, *path):
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def first(row: dict, *keys):
    for key in keys:
        if row.get(key) is not None:
            return row[key]
    return None


def text(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return clean.text(str(value))


def money(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise clean.BadValue(f"amount {value!r} is not a finite number")
        return clean.plausible(number, str(value))
    return clean.amount(str(value))
