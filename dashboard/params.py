"""Shareable URLs: every filter and selection of a page lives in `st.query_params`.

A page reads its defaults from the URL on load (`text`, `number`, `many`) and writes its current
values back after its widgets ran (`write`), dropping values equal to the default so URLs stay short.
The sidebar's navigation starts a page with an empty URL, so the vendor and the agency a user last looked at
are also kept in the session (`remember`) and fill a page's empty fields (`carried`).
"""
from __future__ import annotations

import streamlit as st


def text(name: str, default: str = "") -> str:
    return st.query_params.get(name, default)


def number(name: str, default, cast=int):
    try:
        return cast(st.query_params[name])
    except (KeyError, ValueError):
        return default


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
