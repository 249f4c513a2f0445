"""The dashboard's only door to the graph: the store API, opened once and cached.

Pages call these functions, never the store object directly, so the dashboard works the same on the
embedded and the Neo4j store (`KG_STORE`), and repeated reruns hit Streamlit's caches, not the store.
"""
from __future__ import annotations

import logging
import os
import sys

import streamlit as st

from core.products import BadTable
from graph.store import Ambiguous, NotFound, StoreUnavailable, open_store

log = logging.getLogger("dashboard")
if not log.handlers:  # our own lines on stderr, without turning on every library's INFO logging
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)

__all__ = ["Ambiguous", "BadTable", "NotFound", "StoreUnavailable", "store_kind"]


def store_kind() -> str:
    return os.environ.get("KG_STORE", "embedded")


def source() -> tuple[str, str, str]:
    """Which store answers, and which version of its data (kind, KG_HOME, version): the first argument of every
    cached query, so caches never mix stores, and a load shows on the next rerun without a restart."""
    kind, home = store_kind(), os.environ.get("KG_HOME", "")
    return kind, home, _store(kind, home).version()


@st.cache_resource(show_spinner=False)
def _store(kind: str, home: str):
    log.info("opening the %s store (KG_HOME=%s)", kind, home)
    return open_store(kind)


def store():
    return _store(store_kind(), os.environ.get("KG_HOME", ""))


def reload() -> None:
    """Forget the opened store and every cached answer (after a new `make load`)."""
    st.cache_resource.clear()
    st.cache_data.clear()


@st.cache_data(show_spinner=False)
def stats(src: tuple) -> dict:
    return store().stats()


@st.cache_data(show_spinner=False)
def facets(src: tuple) -> dict:
    return store().facets()


@st.cache_data(show_spinner=False)
def entities(src: tuple) -> list[dict]:
    """Every vendor and agency (search with an empty text), for pickers."""
    return store().search("", limit=10**9)


@st.cache_data(show_spinner=False)
def vendor_family(src: tuple, name: str) -> dict:
    return store().vendor_family(name)


@st.cache_data(show_spinner=False)
def agency_profile(src: tuple, name: str, limit: int = 10**9) -> dict:
    return store().agency_profile(name, limit=limit)


@st.cache_data(show_spinner=False)
def find_agency(src: tuple, name: str) -> dict:
    return store().find_agency(name)


@st.cache_data(show_spinner=False)
def agency_renewals(src: tuple, name: str, start: str, until: str) -> list[dict]:
    return store().agency_renewals(name, start, until)


@st.cache_data(show_spinner=False)
def agency_money(src: tuple, name: str) -> list[dict]:
    return store().agency_money(name)


@st.cache_data(show_spinner=False)
def subgraph(src: tuple, agency: str | None, vendor: str | None, fy_from: int | None, fy_to: int | None,
             min_amount: float, award_types: tuple[str, ...], through_others: bool = False) -> dict:
    """`through_others`: with the layer of makers' products sold through resellers (answer["through_others"])."""
    return store().subgraph(agency=agency, vendor=vendor, fy_from=fy_from, fy_to=fy_to, min_amount=min_amount,
                            award_types=list(award_types) or None, through_others=through_others)


@st.cache_data(show_spinner=False)
def paths(src: tuple, a: str, b: str, max_hops: int, limit: int, through_others: bool = True) -> list:
    """`through_others`: a maker also reaches the agencies its products were sold to through other vendors."""
    return store().paths(a, b, max_hops=max_hops, limit=limit, through_others=through_others)


@st.cache_data(show_spinner=False)
def vendor_totals(src: tuple, ids: tuple[str, ...]) -> list[dict]:
    return store().vendor_totals(list(ids))


@st.cache_data(show_spinner=False)
def federal_totals(src: tuple, ids: tuple[str, ...]) -> dict:
    return store().federal_totals(list(ids))


@st.cache_data(show_spinner=False)
def changes(src: tuple, since: str | None, vendor: str | None, agency: str | None, limit: int | None) -> dict:
    return store().changes(since=since, vendor=vendor, agency=agency, limit=limit)


@st.cache_data(show_spinner=False)
def review(src: tuple, kind: str | None, pending: bool) -> dict:
    """The review queue: attributions (largest first) and name-only merges, each with its evidence."""
    return store().review(kind=kind, pending=pending)


def record_judgement(kind: str, record: str, target: str, verdict: str, who: str, why: str):
    """Never cached: check the store holds what is judged (NotFound if not), then append one line to the
    judgements file (BadTable on bad input). Returns (the Judgement, the file). Nothing in the store changes
    until the next `python -m graph attribute` or load."""
    from core.judgements import append_judgement, judgements_file

    store().check_judged(kind, record, target)
    judged = append_judgement({"kind": kind, "record": record, "target": target, "verdict": verdict, "who": who,
                               "why": why})
    log.info("judgement recorded: %s %s -> %s: %s by %s", kind, record, target, judged.verdict, judged.who)
    return judged, judgements_file()


def runs() -> list[dict]:
    return store().runs()


def require_data() -> tuple:
    """The store's cache key, once we know the store opens and holds something; else an actionable message."""
    kind = store_kind()
    try:
        src = source()
        counts = stats(src)
    except StoreUnavailable as error:
        st.error(f"The {kind} store cannot be opened: {error}")
        st.stop()
    if not counts["nodes"]:
        st.warning(f"The {kind} store is empty. Run `make load` (the bundled sample) or `python -m ingest …`, "
                   "then reload this page.")
        st.stop()
    return src


def lookup_error(error: LookupError) -> None:
    """Show a not-found or ambiguous answer as a message the user can act on."""
    st.warning(str(error))
    for candidate in getattr(error, "candidates", []):
        st.text(" · ".join(f"{k}: {v}" for k, v in candidate.items()))
