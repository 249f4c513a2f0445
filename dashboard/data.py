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
from graph.questions.queries import Queries
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
    return kind, home, _opened(kind, home).store.version()


@st.cache_resource(show_spinner=False)
def _opened(kind: str, home: str) -> Queries:
    log.info("opening the %s store (KG_HOME=%s)", kind, home)
    return Queries(open_store(kind))


def ask() -> Queries:
    """The answer layer over the opened store (one per process: it keeps what it derived per data version)."""
    return _opened(store_kind(), os.environ.get("KG_HOME", ""))


def store():
    return ask().store


def reload() -> None:
    """Forget the opened store and every cached answer (after a new `make load`)."""
    st.cache_resource.clear()
    st.cache_data.clear()


@st.cache_data(show_spinner=False)
def stats(src: tuple) -> dict:
    return ask().stats()


@st.cache_data(show_spinner=False)
def facets(src: tuple) -> dict:
    return ask().facets()


@st.cache_data(show_spinner=False)
def entities(src: tuple) -> list[dict]:
    """Every vendor and agency (search with an empty text), for pickers."""
    return ask().search("", limit=10**9)


@st.cache_data(show_spinner=False)
def vendor_family(src: tuple, name: str, categories: tuple[str, ...] | None = None) -> dict:
    """`categories`: only those sectors' money (None: every purchase); the answer's `sector` says which."""
    return ask().vendor_family(name, categories=categories)


@st.cache_data(show_spinner=False)
def agency_profile(src: tuple, name: str, limit: int = 10**9, categories: tuple[str, ...] | None = None) -> dict:
    return ask().agency_profile(name, limit=limit, categories=categories)


@st.cache_data(show_spinner=False)
def agency_categories(src: tuple, name: str) -> dict:
    """The agency's money by category and fiscal year (every purchase; the categories add up to its total)."""
    return ask().agency_categories(name)


@st.cache_data(show_spinner=False)
def outcomes(src: tuple, vendor: str | None = None) -> dict:
    """Deployments cancelled, rejected or ended (of one vendor's family, or every one), newest first."""
    return ask().outcomes(vendor)


@st.cache_data(show_spinner=False)
def find_agency(src: tuple, name: str) -> dict:
    return ask().find_agency(name)


@st.cache_data(show_spinner=False)
def agency_renewals(src: tuple, name: str, start: str, until: str) -> list[dict]:
    return ask().agency_renewals(name, start, until)


@st.cache_data(show_spinner=False)
def agency_money(src: tuple, name: str, categories: tuple[str, ...] | None = None) -> list[dict]:
    return ask().agency_money(name, categories=categories)


@st.cache_data(show_spinner=False)
def subgraph(
    src: tuple,
    agency: str | None,
    vendor: str | None,
    fy_from: int | None,
    fy_to: int | None,
    min_amount: float,
    award_types: tuple[str, ...],
    through_others: bool = False,
    categories: tuple[str, ...] | None = None,
) -> dict:
    """`through_others`: with the layer of makers' products sold through resellers (answer["through_others"]);
    `categories`: only those sectors' facts (None: every purchase)."""
    return ask().subgraph(
        agency=agency,
        vendor=vendor,
        fy_from=fy_from,
        fy_to=fy_to,
        min_amount=min_amount,
        award_types=list(award_types) or None,
        through_others=through_others,
        categories=categories,
    )


@st.cache_data(show_spinner=False)
def view_awards(
    src: tuple,
    agency: str | None,
    vendor: str | None,
    fy_from: int | None,
    fy_to: int | None,
    award_types: tuple[str, ...],
    recipients: tuple[str, ...] | None,
    offset: int,
    limit: int,
    categories: tuple[str, ...] | None = None,
) -> dict:
    """One page of the awards behind a network view (the facts `subgraph` sums, under the same filters), largest
    obligated total first, ties by key; with how many there are. Only `limit` award rows are read."""
    from graph.store import FactFilter

    s = ask()
    found = s.find_agency(agency) if agency else None
    chosen = FactFilter(
        awarding=(found["tier"], found["id"]) if found else None,
        family=s.resolve_family(vendor)[0] if vendor else None,
        recipients=recipients,
        award_types=tuple(sorted({t.lower() for t in award_types})) if award_types else None,
        categories=categories,
    )
    if fy_from or fy_to:
        chosen = chosen._replace(split=True, fy_from=fy_from or None, fy_to=fy_to or None)
    total = s.store.fetch_fact_groups(chosen, None)
    keys = s.store.fetch_largest_awards(chosen, offset + limit)[offset:]
    return {"count": total[0]["awards"] if total else 0, "awards": s.award_rows(keys)}


@st.cache_data(show_spinner=False)
def subaward_rows(src: tuple, agencies: tuple[tuple[str, str], ...]) -> list[dict]:
    """Subawards made under the prime awards of these agencies ((tier, id) each), as fetched: with the prime's
    and the subcontractor's vendor ids (the network's subaward layer)."""
    return [row for where in agencies for row in store().fetch_agency_subawards(where)]


@st.cache_data(show_spinner=False)
def vendor_names(src: tuple, ids: tuple[str, ...]) -> dict:
    return store().fetch_names(list(ids))


@st.cache_data(show_spinner=False)
def paths(src: tuple, a: str, b: str, max_hops: int, limit: int, through_others: bool = True) -> list:
    """`through_others`: a maker also reaches the agencies its products were sold to through other vendors."""
    return ask().paths(a, b, max_hops=max_hops, limit=limit, through_others=through_others)


@st.cache_data(show_spinner=False)
def direct_ties(src: tuple, a: str, b: str, categories: tuple[str, ...] | None = None) -> dict:
    return ask().direct_ties(a, b, categories=categories)


@st.cache_data(show_spinner=False)
def award_actions(src: tuple, keys: tuple[str, ...]) -> dict[str, list[dict]]:
    """The records behind each award's obligated total (for its citation)."""
    return ask().award_actions(list(keys))


@st.cache_data(show_spinner=False)
def vendor_totals(src: tuple, ids: tuple[str, ...]) -> list[dict]:
    return ask().vendor_totals(list(ids))


@st.cache_data(show_spinner=False)
def federal_totals(src: tuple, ids: tuple[str, ...]) -> dict:
    return ask().federal_totals(list(ids))


@st.cache_data(show_spinner=False)
def families(src: tuple, ids: tuple[str, ...]) -> dict:
    """Each vendor's family now ({id: {id, name}})."""
    return ask().families(list(ids))


@st.cache_data(show_spinner=False)
def agency_families(src: tuple, name: str, categories: tuple[str, ...] | None = None) -> dict:
    return ask().agency_families(name, categories=categories)


@st.cache_data(show_spinner=False)
def top_vendors(src: tuple, name: str, fiscal_year: int, limit: int, categories: tuple[str, ...] | None = None) -> dict:
    return ask().top_vendors(name, fiscal_year, limit, categories)


@st.cache_data(show_spinner=False)
def agency_end_dates(src: tuple, name: str, rows_from: str | None = "0001-01-01") -> dict:
    return ask().agency_end_dates(name, rows_from)


@st.cache_data(show_spinner=False)
def target_ranking(
    src: tuple, name: str, categories: tuple[str, ...] | None, today: str, weights: tuple, months: int, recent: int
) -> dict:
    """The campaign ranking (graph/questions/targets.py, shared with `graph targets`) for these settings, computed once
    whatever the number of sessions asking for it. `categories` None: every purchase."""
    from datetime import date

    from graph.questions.targets import targets

    return targets(
        ask(),
        name,
        list(categories) if categories else ["all"],
        months,
        date.fromisoformat(today),
        dict(weights),
        recent,
    )


@st.cache_data(show_spinner=False)
def target_calendar(src: tuple, name: str, categories: tuple[str, ...] | None, today: str, months: int) -> list[dict]:
    """The renewal calendar of the ranking: the agency's awards with an action in the sector whose next decision
    falls in the window (`graph.questions.targets.calendar_rows`), soonest first."""
    from datetime import date

    from graph.questions.targets import calendar_rows
    from graph.store import FactFilter

    dated = agency_end_dates(src, name, today)["dated"]
    if categories:
        agency = find_agency(src, name)
        chosen = FactFilter(awarding=(agency["tier"], agency["id"]), categories=tuple(categories))
        keys = {g["award_key"] for g in store().fetch_fact_groups(chosen, "award_key")}
        dated = [a for a in dated if a["key"] in keys]
    ids = tuple(sorted({a["vendor"]["id"] for a in dated if a.get("vendor")}))
    return calendar_rows(dated, families(src, ids), date.fromisoformat(today), months)


@st.cache_data(show_spinner=False)
def loaded_coverage(src: tuple) -> dict:
    return ask().loaded_coverage()


@st.cache_data(show_spinner=False)
def coverage(src: tuple) -> dict:
    """The agency x year grid (`core.coverage`): read once per load, scoped per page with `coverage_within`."""
    return ask().coverage()


def coverage_within(src: tuple, agencies: list[str]) -> dict:
    """The grid at or below these agencies (an office's page passes its sub-agency too), over the store's span."""
    from core.coverage import scope

    return scope(coverage(src), set(agencies))


@st.cache_data(show_spinner=False)
def agency_subawards(src: tuple, name: str) -> list[dict]:
    """Subawards made under the agency's prime awards."""
    return ask().agency_subawards(name)


@st.cache_data(show_spinner=False)
def changes(src: tuple, since: str | None, vendor: str | None, agency: str | None, limit: int | None) -> dict:
    return ask().changes(since=since, vendor=vendor, agency=agency, limit=limit)


@st.cache_data(show_spinner=False)
def review(src: tuple, kind: str | None, pending: bool) -> dict:
    """The review queue: attributions (largest first) and name-only merges, each with its evidence."""
    return ask().review(kind=kind, pending=pending)


def record_judgement(kind: str, record: str, target: str, verdict: str, who: str, why: str):
    """Never cached: check the store holds what is judged (NotFound if not), then append one line to the
    judgements file (BadTable on bad input). Returns (the Judgement, the file). Nothing in the store changes
    until the next `python -m graph attribute` or load."""
    from core.judgements import append_judgement, judgements_file

    ask().check_judged(kind, record, target)
    judged = append_judgement(
        {"kind": kind, "record": record, "target": target, "verdict": verdict, "who": who, "why": why}
    )
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
        st.warning(
            f"The {kind} store is empty. Run `make load` (the bundled sample) or `python -m ingest …`, "
            "then reload this page."
        )
        st.stop()
    return src


def lookup_error(error: LookupError) -> None:
    """Show a not-found or ambiguous answer as a message the user can act on."""
    st.warning(str(error))
    for candidate in getattr(error, "candidates", []):
        st.text(" · ".join(f"{k}: {v}" for k, v in candidate.items()))


@st.cache_data(show_spinner=False)
def brief_pdf(src: tuple, name: str, categories: tuple[str, ...] | None = None) -> bytes:
    """The vendor family's one-page brief (graph/reports/brief.py) as PDF bytes, built once per store version and sector."""
    from graph.reports.brief import assemble
    from graph.reports.brief_render import pdf

    return pdf(
        assemble(
            ask(),
            name,
            family=vendor_family(src, name, categories),
            coverage=loaded_coverage(src),
            categories=categories,
        )
    )


# -- the local layer (graph/questions/local.py) ------------------------------------------------------------
@st.cache_data(show_spinner=False)
def local_overview(src: tuple) -> dict:
    return ask().local_overview()


@st.cache_data(show_spinner=False)
def local_profile(src: tuple, agency: str) -> dict:
    return ask().local_profile(agency)


@st.cache_data(show_spinner=False)
def sharing(src: tuple, agency: str, hops: int) -> dict:
    return ask().sharing(agency, hops=hops)


@st.cache_data(show_spinner=False)
def local_customers(src: tuple, family: str) -> list[dict]:
    return ask().local_customers(family)


@st.cache_data(show_spinner=False)
def bridge(src: tuple) -> dict:
    return ask().bridge()


@st.cache_data(show_spinner=False)
def sharing_page(src: tuple, agency: str, hops: int) -> tuple[dict, str]:
    """The agency's sharing answer and its ego-network page, drawn once per store version."""
    from dashboard.render.sharing_network import build_html

    answer = sharing(src, agency, hops)
    return answer, build_html(answer)
