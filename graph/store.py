"""The store interface: what every store implements, and the registry the CLIs, dashboard and tests read.

A store keeps the records it is given (`Writes`: `begin`, `write`, `commit`, `rollback`, `clear`, ...) and
answers the fetches of `Reads` in its own language (graph/stores/contract.py has mypy check both stores);
`graph.questions.queries.Queries(store)` holds a store and builds the whole read API (stats, search, vendor_family,
agency_profile, subgraph, paths, facets, vendor_totals) on its fetches alone, and `graph.questions.answers` shapes
every answer, so a new store is its fetches, its writes, one line in STORES and one in graph/stores/contract.py.

Fetch rows are plain dicts; money is in whole cents (`cents`). Facts are filtered by `FactFilter`, each field
declared once in FACT_FILTERS; the rollups that answer some agency questions are declared in graph/stores/rollups.py.
"""

from __future__ import annotations

import errno
import functools
import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar, cast

from core.schema import AGENCY_TIERS

if TYPE_CHECKING:
    import networkx as nx


class NotFound(LookupError):
    """No entity matches: the message says what was looked for."""


class Ambiguous(LookupError):
    """Several entities match: `candidates` lists them so the user can be more specific."""

    def __init__(self, message: str, candidates: list[dict]):
        super().__init__(message)
        self.candidates = candidates


class StoreUnavailable(RuntimeError):
    """The store cannot be opened or reached: the message names it and what to do."""


DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


def disk_error(error: BaseException) -> str | None:
    """ "No space left on device" and the like, from an OSError or from a DuckDB error's text; else None."""
    if isinstance(error, OSError) and error.errno in DISK_ERRORS:
        return os.strerror(error.errno)
    text = str(error)
    return next((os.strerror(code) for code in DISK_ERRORS if os.strerror(code) in text), None)


Method = TypeVar("Method", bound=Callable[..., Any])


def guarded_write(method: Method) -> Method:
    """A store write that a full, read-only or forbidden directory stops: the load is dropped (the store stays
    as it was at its last commit) and one StoreUnavailable says where and what to do. Ctrl-C inside a DuckDB
    query drops the load too and comes out as the KeyboardInterrupt it was."""

    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        from graph.entry import interrupted

        try:
            return method(self, *args, **kwargs)
        except BaseException as error:  # an OSError, the store's own error wrapping one, or Ctrl-C
            if interrupted(error):
                self.rollback()
                raise KeyboardInterrupt from None
            what = (
                disk_error(error) if isinstance(error, Exception) and not isinstance(error, StoreUnavailable) else None
            )
            if what is None:
                raise
            self.rollback()
            raise StoreUnavailable(
                f"cannot write the store in {self.home}: {what}; this run's rows not yet "
                f"committed were dropped and the store holds what it held at its last commit; "
                f"{disk_advice(what)}, then rerun"
            ) from None

    return cast(Method, wrapped)


def disk_advice(what: str) -> str:
    full = what in (os.strerror(errno.ENOSPC), os.strerror(errno.EDQUOT))
    return (
        "free space there or set KG_HOME to a directory with room"
        if full
        else "make it writable or set KG_HOME to a writable directory"
    )


class FactFilter(NamedTuple):
    """Which facts a sum covers; every field left None does not filter."""

    recipient: str | None = None  # the vendor that received the action
    recipients: tuple[str, ...] | None = None
    family: str | None = None  # the family the recipient belonged to on the fact's date
    awarding: tuple[str, str] | None = None  # (tier, agency id): awarded by it or an agency below it
    funding: tuple[str, str] | None = None
    awarding_id: str | None = None  # the most specific awarding agency, exactly
    funding_id: str | None = None
    split: bool | None = None  # True: actions (in their fiscal year); False: award totals not split by year
    fy_from: int | None = None
    fy_to: int | None = None
    award_types: tuple[str, ...] | None = None  # lower-case award types
    categories: tuple[str, ...] | None = None  # category ids (core/categories.py): the technology lens or any sector


class FilterField(NamedTuple):
    """How one FactFilter field filters the facts: `column` is a fact column (Neo4j: a Fact property), for
    `tier` the role whose tier column the value's tier picks (`TIER_COLUMNS`). Names here are code constants;
    values always travel as parameters."""

    field: str
    kind: str  # equals | in | lower_in (lower-cased column in the list) | tier | bool | at_least | at_most
    column: str


# Every FactFilter field, once: the SQL (graph/stores/duckdb/reads.py) and Cypher (graph/stores/neo4j/cypher.py) WHEREs compile from it.
FACT_FILTERS = (
    FilterField("recipient", "equals", "recipient"),
    FilterField("family", "equals", "family"),
    FilterField("awarding_id", "equals", "awarding_id"),
    FilterField("funding_id", "equals", "funding_id"),
    FilterField("recipients", "in", "recipient"),
    FilterField("awarding", "tier", "awarding"),
    FilterField("funding", "tier", "funding"),
    FilterField("split", "bool", "split"),
    FilterField("fy_from", "at_least", "fiscal_year"),
    FilterField("fy_to", "at_most", "fiscal_year"),
    FilterField("award_types", "lower_in", "award_type"),
    FilterField("categories", "in", "category"),
)
TIER_COLUMNS = {(role, tier): f"{role}_{tier}" for role in ("awarding", "funding") for tier in AGENCY_TIERS}


class FilterTerm(NamedTuple):
    """One condition a filter sets: `op` is equals, in, lower_in, at_least, at_most, true or false (no value)."""

    op: str
    column: str
    name: str  # the parameter's name (Cypher), the FactFilter field
    value: Any


def filter_terms(chosen: FactFilter) -> list[FilterTerm]:
    """The conditions `chosen` sets, in FACT_FILTERS order, for a store's compiler to write in its language."""
    terms = []
    for declared in FACT_FILTERS:
        value = getattr(chosen, declared.field)
        if value is None:
            continue
        if declared.kind == "tier":  # (tier, agency id): an unknown tier is a KeyError, never a column name
            terms.append(FilterTerm("equals", TIER_COLUMNS[(declared.column, value[0])], declared.field, value[1]))
        elif declared.kind == "bool":
            terms.append(FilterTerm("true" if value else "false", declared.column, declared.field, None))
        elif declared.kind in ("in", "lower_in"):
            terms.append(FilterTerm(declared.kind, declared.column, declared.field, list(value)))
        else:
            terms.append(FilterTerm(declared.kind, declared.column, declared.field, value))
    return terms


def agency_only(chosen: FactFilter) -> tuple[str, str] | None:
    """(role, agency id) when a filter says only "awarded (or funded) by this agency": the questions the
    stores' rollups answer without reading the facts."""
    fields = {name: value for name, value in chosen._asdict().items() if value is not None}
    if len(fields) == 1 and set(fields) <= {"awarding", "funding"}:
        ((role, (_, agency)),) = fields.items()
        return role, agency
    return None


# How facts can be grouped: `fetch_fact_groups(filter, by)` returns one row per group with these keys,
# plus `cents`, `awards` (distinct awards), `facts` and `reported` (facts that report an amount).
GROUPINGS = {
    None: (),
    "recipient": ("recipient",),
    "award_key": ("award_key",),
    "awarding_subtier": ("awarding_subtier",),
    "recipient,awarding_subtier": ("recipient", "awarding_subtier"),
    "recipient,split,fiscal_year": ("recipient", "split", "fiscal_year"),
    "awarding_office": ("awarding_office",),
    "funding_office": ("funding_office",),
    "awarding_subtier,fiscal_year,source": ("awarding_subtier", "fiscal_year", "source"),
    "category": ("category",),
    "category,split,fiscal_year": ("category", "split", "fiscal_year"),
    "category,category_rule": ("category", "category_rule"),
    "recipient,category": ("recipient", "category"),
    # targets (graph/questions/targets.py): each family's categories with their rules, its awards, mentions in a sector
    "recipient,category,category_rule": ("recipient", "category", "category_rule"),
    "recipient,award_key": ("recipient", "award_key"),
    "key": ("key",),
}


class Reads(Protocol):
    """Every fetch both stores answer (graph/stores/contract.py has mypy check that they do)."""

    kind: str
    use_rollups: bool  # False: every sum from the facts (tests check the rollups give the same)

    def version(self) -> str:
        """Changes whenever the store's data changes (cache key)."""

    def fetch_counts(self) -> dict:
        """Counts by label and relationship type (see `Queries.stats`)."""

    def fetch_entities(self) -> list[dict]:
        """Every vendor (kind, id, name, aliases, family) and agency (kind, id, name, aliases, code, tier,
        abbreviation)."""

    def fetch_names(self, ids: list[str]) -> dict[str, str]:
        """Vendor names by id."""

    def fetch_agency_briefs(self, ids: list[str]) -> dict[str, dict]:
        """{id: {id, name, code, tier}}."""

    def fetch_awards(self, keys: list[str]) -> list[dict]:
        """Award rows (see `answers.award_row`)."""

    def fetch_award_recipients(self, keys: list[str]) -> list[dict]:
        """(award_key, recipient, first, last): who received each award's actions, and when."""

    def fetch_award_facts(self, keys: list[str]) -> list[dict]:
        """(award_key, key, kind, split, action_date, fiscal_year, cents, modification, source, record): every fact
        of the awards, by award, date and key; the actions (and the unsplit rest) behind each award's total."""

    def fetch_vehicles(self, families: list[str]) -> list[dict]:
        """Contract vehicles (`core.facts.VEHICLE_FIELDS`) whose holder was in one of the families on the date of the
        vehicle's latest record, by key: apart from every award and money figure (graph/questions/vehicles.py)."""

    def fetch_members(self, family: str) -> list[dict]:
        """The vendors in the family now or on the date of any of its facts."""

    def fetch_parents(self, ids: list[str]) -> list[dict]:
        """Every parent link reported for the vendors."""

    def fetch_families(self, ids: list[str]) -> dict[str, str]:
        """Each vendor's family now."""

    def fetch_family_timeline(self, ids: list[str]) -> list[dict]:
        """(vendor_id, valid_from, valid_to, family): which family each vendor was in when (None: unbounded)."""

    def fetch_fact_groups(self, chosen: FactFilter, by: str | None) -> list[dict]:
        """See GROUPINGS."""

    def fetch_group_awards(self, chosen: FactFilter, groups: dict[str, list[str]]) -> dict[str, int]:
        """Each group's distinct awards among the facts `chosen` keeps whose recipient is one of the group's
        vendors: one query for every family of a table, so members sharing an award count it once."""

    def fetch_year_totals(self, chosen: FactFilter) -> list[dict]:
        """Rows (split, fiscal_year, g, cents, awards, facts, reported) grouped by GROUPING SETS
        ((split, fiscal_year), ()); g = 3 marks the grand total."""

    def fetch_values(self, family: str | None = None, awarding: tuple[str, str] | None = None) -> dict:
        """Current and potential value (cents, and how many awards report each) over the awards whose
        latest recipient is in the family, or whose latest awarding agency is at or below the agency."""

    def fetch_subawards(self, vendor_ids: list[str]) -> list[dict]:
        """Subawards the vendors received."""

    def fetch_subawards_under(self, award_keys: list[str]) -> list[dict]:
        """Subawards made under the prime awards."""

    def fetch_agency_subawards(self, awarding: tuple[str, str]) -> list[dict]:
        """Subawards made under the prime awards the agency (tier, id) awarded."""

    def fetch_agency_links(self, aid: str) -> tuple[list[str], list[dict]]:
        """(parent ids, child briefs)."""

    def fetch_largest_awards(self, chosen: FactFilter, limit: int) -> list[str]:
        """Keys of the awards with facts passing the filter, largest obligated first."""

    def fetch_ending_awards(self, awarding: tuple[str, str], start: str, until: str) -> list[str]:
        """Keys of the awards at or below the agency whose current (else potential) end date lies between the
        ISO dates, by that date then key."""

    def fetch_dated_award_count(self, awarding: tuple[str, str]) -> int:
        """How many awards awarded at or below the agency report an end date (current or potential)."""

    def fetch_open_awards(self, awarding: tuple[str, str], day: str, within: FactFilter | None = None) -> list[str]:
        """Keys of the awards at or below the agency whose current or potential end date is on or after the ISO
        day (their options may still be exercised), by key; with `within`, only those with a fact (with a
        recipient) that the filter holds."""

    def fetch_group_top_awards(self, chosen: FactFilter, groups: dict[str, list[str]], limit: int) -> dict[str, list]:
        """Per group (id: member vendor ids), its `limit` largest awards by the money of its members' facts in the
        filter: [{award_key, cents}], largest first, then by key."""

    def fetch_vendor_chain(self, ids: list[str]) -> list[dict]:
        """The vendors and their parents up to the top."""

    def fetch_agency_chain(self, ids: list[str]) -> list[dict]:
        """The agencies and the agencies above them."""

    def fetch_links(self) -> list[tuple[str, str, str]]:
        """(AWARDED | FUNDED | PARENT | PART_OF | SUBAWARD, a, b)."""

    def fetch_link_records(self, rel: str, a: str, b: str) -> list[dict]:
        """The records behind a link."""

    def fetch_facets(self) -> dict:
        """Award types present and the fiscal-year span of the actions."""

    def fetch_recipient_years(self, ids: list[str]) -> list[dict]:
        """The vendors' USAspending recipient profiles by fiscal year (every agency, every award type)."""

    def fetch_changes(
        self, since: str | None, vendors: list[str] | None, agency: str | None, limit: int | None
    ) -> list[dict]:
        """The change log (`graph/stores/duckdb/changes.py`): loaded since `since` (ISO date or time), else by the
        latest run; of those vendors (ids or families) and that agency (at any tier); in order."""

    def fetch_mentions(
        self,
        makers: list[str] | None = None,
        awarding: tuple[str, str] | None = None,
        awarding_id: str | None = None,
        recipient: str | None = None,
    ) -> list[dict]:
        """Attributed actions (`graph.attribution.MENTION_READ` columns) of those makers (family ids), awarded
        at or below that (tier, agency id), or by exactly `awarding_id`, recorded under `recipient`; in order of
        maker, recipient, award and action."""

    def fetch_mention_groups(
        self, awarding: tuple[str, str] | None, categories: tuple[str, ...] | None, by: str
    ) -> list[dict]:
        """Mentions at or below that (tier, agency id), of actions in those categories, grouped
        (`graph.attribution.MENTION_GROUPINGS`): each group's cents, reported, actions, awards and products."""

    def fetch_name_merges(self) -> list[dict]:
        """Parties joined to a vendor by name only (`graph.attribution.NAME_MERGE_READ` columns)."""

    def fetch_known_keys(self, keys: list[str]) -> set[str]:
        """Those of `keys` that are action or award keys."""

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph (vendors, agencies, awards, facts, vehicles, the local layer), for exports."""

    # the local layer (core/local.py, graph/stores/duckdb/local.py)
    def fetch_local_agencies(self, ids: list[str] | None = None) -> list[dict]:
        """Local agencies and the federal bodies they name (`duck_local.AGENCY_READ`), all or those ids."""

    def fetch_deployments(self, agencies: list[str] | None = None, families: list[str] | None = None) -> list[dict]:
        """Deployments (`DEPLOYMENT_READ`) of those agencies and vendor families, by agency and key."""

    def fetch_local_contracts(self, agencies: list[str] | None = None, families: list[str] | None = None) -> list[dict]:
        """Local contracts (`CONTRACT_READ`) of those agencies and vendor families, by agency and key."""

    def fetch_sharing(self, ids: list[str], side: str) -> list[dict]:
        """Sharing links (`SHARING_READ`) whose `side` (owner | searcher) is one of the agencies, by key."""

    def fetch_sharing_counts(self) -> list[dict]:
        """(agency, searchable_by, can_search) of agencies that share."""

    def fetch_local_links(self) -> list[dict]:
        """(child, parent) between local agencies."""

    def fetch_local_matches(self) -> list[dict]:
        """Name matches awaiting review (`MATCH_READ`), by key."""

    def fetch_local_counts(self) -> dict:
        """What the local layer holds, counted."""


Fetches = Reads  # its earlier name


class Writes(Protocol):
    """How a store keeps the records it is given: one load is `begin`, `write`/`write_local` batches, then
    `commit` (or `rollback`); graph/stores/contract.py has mypy check both stores."""

    takes_records: bool
    batch_rows: int  # records per `write`
    strict: bool  # a judgement naming a record the store lacks is an error (else warned, pending)

    def begin(self, wait: bool = True) -> None:
        """Take the load lock (`wait`: queue behind another load)."""

    def write(self, rows: list[tuple[dict, dict | None]]) -> None:
        """Records' rows (`core.facts.record_rows`: record, subaward or None) into the load."""

    def write_local(self, rows: list[dict]) -> None:
        """Local records' rows (`core.local_rows.local_row`)."""

    def commit(self, run: dict | None = None) -> None:
        """Derive every figure and make the load visible; `run` (logged with its counts) ends the load."""

    def rollback(self) -> None:
        """Drop the load: the store holds what it held at its last commit."""

    def clear(self) -> None:
        """Delete everything the store holds."""

    def attribute(self, wait: bool = True, strict: bool = False) -> dict:
        """Derive everything again with the current rules and judgements; what it attributed, and timings."""

    def runs(self) -> list[dict]:
        """The loads' run summaries, oldest first."""

    def vendor_index(self) -> Iterator[tuple[str, str | None, str | None, list[str]]]:
        """(id, UEI, DUNS, names) of every vendor held, in id order (resolution of new records)."""

    def close(self) -> None:
        """Release the store's files and connections."""


class Store(Reads, Writes, Protocol):
    """A whole store: what `open_store` gives."""


STORES = {"embedded": "graph.stores.duckdb.store:DuckStore", "neo4j": "graph.stores.neo4j.store:Neo4jStore"}


def open_store(kind: str = "embedded", home: Path | None = None, **options):
    """The store named `kind` (one of STORES): embedded under `home` (KG_HOME), Neo4j from NEO4J_*."""
    if kind not in STORES:
        raise StoreUnavailable(f"unknown store {kind!r}: use one of {', '.join(sorted(STORES))}")
    from graph.settings import kg_home

    module, name = STORES[kind].split(":")
    return getattr(importlib.import_module(module), name)(home=home or kg_home(), **options)
