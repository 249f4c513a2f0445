"""Shareable URLs: every filter and selection of a page lives in `st.query_params`.

A page reads its defaults from the URL on load (`text`, `number`, `many`) and writes its current
values back after its widgets ran (`write`), dropping values equal to the default so URLs stay short.
The sidebar's navigation starts a page with an empty URL, so the vendor and the agency a user last looked at
are also kept in the session (`remember`) and fill a page's empty fields (`carried`).
"""

from __future__ import annotations

import math
from datetime import date

import streamlit as st


def text(name: str, default: str = "") -> str:
    return st.query_params.get(name, default)


def number(name: str, default, cast=int, low=None, high=None):
    """The URL's number, or `default` if absent; a value that is not a finite number or lies outside
    [low, high] is replaced (clamped) with a message on the page, so no URL can crash a widget."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        value = cast(raw)
        if not math.isfinite(value):
            raise ValueError
    except (ValueError, OverflowError):
        return _replaced(name, raw, default, "is not a finite number")
    if low is not None and value < low:
        return _replaced(name, raw, cast(low), f"is below {low}")
    if high is not None and value > high:
        return _replaced(name, raw, cast(high), f"is above {high}")
    return value


def day(name: str, default: date, low: date, high: date) -> date:
    """A YYYY-MM-DD date from the URL, kept between `low` and `high` like `number`."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return _replaced(name, raw, default, "is not a YYYY-MM-DD date")
    if not low <= value <= high:
        return _replaced(name, raw, min(max(value, low), high), f"is outside {low} to {high}")
    return value


def _replaced(name: str, raw: str, used, why: str):
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    st.warning(f"The link's {name}={shown!r} {why}; using {used}.", icon="⚠️")
    return used


def many(name: str) -> list[str]:
    return st.query_params.get_all(name)


def write(values: dict, defaults: dict) -> None:
    """Put each non-default value in the URL, remove the others."""
    for name, value in values.items():
        empty = value is None or value == "" or value == [] or value == defaults.get(name)
        if empty:
            if name in st.query_params:
                del st.query_params[name]
        elif isinstance(value, (list, tuple)):
            if st.query_params.get_all(name) != [str(v) for v in value]:
                st.query_params[name] = [str(v) for v in value]
        elif st.query_params.get(name) != str(value):
            st.query_params[name] = str(value)


def sectors(
    default: tuple[str, ...] = ("technology",), name: str = "sector"
) -> tuple[list[str], tuple[str, ...] | None]:
    """The URL's sector (repeatable or comma-separated, as `core.categories.sectors` reads `--sector`): the names
    and the category ids they stand for (None: all purchases). Absent means `default`; a name no category has is
    replaced by the default with a message, like a bad number."""
    from core.categories import sectors as category_ids

    names = [part.strip() for value in st.query_params.get_all(name) for part in value.split(",") if part.strip()]
    if not names:
        return list(default), category_ids(default)
    try:
        return names, category_ids(names)
    except ValueError as error:
        st.warning(f"The link's {name}: {error}; using {', '.join(default)}.", icon="⚠️")
        return list(default), category_ids(default)


def flag(name: str, default: bool) -> bool:
    """A checkbox's value in the URL (written as True/False by `write`)."""
    value = st.query_params.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def remember(kind: str, value: str) -> None:
    """The vendor or agency just shown (kind "vendor" or "agency"), for the next page the user opens."""
    st.session_state[f"current_{kind}"] = value


def carried(name: str, kind: str) -> str:
    """The URL's value of `name`, else the vendor or agency last shown in this session."""
    return text(name) or st.session_state.get(f"current_{kind}", "")
