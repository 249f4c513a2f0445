"""The store interface: what every store implements, and the registry the CLIs, dashboard and tests read.

A store keeps the records it is given (`begin`, `write`, `commit`, `rollback`, `clear`) and answers the
fetches below in its own language; `graph.queries.Queries` builds the whole read API (stats, search,
vendor_family, agency_profile, subgraph, paths, facets, vendor_totals) on them, and `graph.answers`
shapes every answer, so a new store is its fetches, its writes and one line in STORES.

Fetch rows are plain dicts; money is in whole cents (`cents`). Facts are filtered by `FactFilter`.
"""
from __future__ import annotations

import errno
import functools
import importlib
import os
from pathlib import Path
from typing import NamedTuple, Protocol


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
    """"No space left on device" and the like, from an OSError or from a DuckDB error's text; else None."""
    if isinstance(error, OSError) and error.errno in DISK_ERRORS:
        return os.strerror(error.errno)
    text = str(error)
    return next((os.strerror(code) for code in DISK_ERRORS if os.strerror(code) in text), None)


def guarded_write(method):
    """A store write that a full, read-only or forbidden directory stops: the load is dropped (the store stays
    as it was at its last commit) and one StoreUnavailable says where and what to do. Ctrl-C inside a DuckDB
    query drops the load too and comes out as the KeyboardInterrupt it was."""
    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        from .entry import interrupted

        try:
            return method(self, *args, **kwargs)
        except BaseException as error:  # an OSError, the store's own error wrapping one, or Ctrl-C
            if interrupted(error):
                self.rollback()
                raise KeyboardInterrupt from None
            what = disk_error(error) if isinstance(error, Exception) and not isinstance(error, StoreUnavailable) \
                else None
            if what is None:
                raise
            self.rollback()
            raise StoreUnavailable(f"cannot write the store in {self.home}: {what}; this run's rows not yet "
                                   f"committed were dropped and the store holds what it held at its last commit; "
                                   f"{disk_advice(what)}, then rerun") from None
    return wrapped


def disk_advice(what: str) -> str:
    full = what in (os.strerror(errno.ENOSPC), os.strerror(errno.EDQUOT))
    return ("free space there or set KG_HOME to a directory with room" if full else
            "make it writable or set KG_HOME to a writable directory")


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


def agency_only(chosen: FactFilter) -> tuple[str, str] | None:
    """(role, agency id) when a filter says only "awarded (or funded) by this agency": the questions the
    stores' rollups answer without reading the facts."""
    fields = {name: value for name, value in chosen._asdict().items() if value is not None}
    if len(fields) == 1 and set(fields) <= {"awarding", "funding"}:
        (role, (_, agency)), = fields.items()
        return role, agency
    return None


# How facts can be grouped: `fetch_fact_groups(filter, by)` returns one row per group with these keys,
# plus `cents`, `awards` (distinct awards), `facts` and `reported` (facts that report an amount).
GROUPINGS = {None: (), "recipient": ("recipient",), "award_key": ("award_key",),
             "awarding_subtier": ("awarding_subtier",), "recipient,awarding_subtier": ("recipient", "awarding_subtier"),
             "recipient,split,fiscal_year": ("recipient", "split", "fiscal_year"),
             "awarding_office": ("awarding_office",), "funding_office": ("funding_office",),
             "awarding_subtier,fiscal_year,source": ("awarding_subtier", "fiscal_year", "source"),
             "category": ("category",), "category,split,fiscal_year": ("category", "split", "fiscal_year"),
             "category,category_rule": ("category", "category_rule"),
             "recipient,category": ("recipient", "category"),
             # targets (graph/targets.py): each family's categories with their rules, its awards, mentions in a sector
             "recipient,category,category_rule": ("recipient", "category", "category_rule"),
             "recipient,award_key": ("recipient", "award_key"), "key": ("key",)}


class Fetches(Protocol):
    kind: str

    def version(self) -> str: """Changes whenever the store's data changes (cache key)."""
    def fetch_counts(self) -> dict: """Counts by label and relationship type (see `Queries.stats`)."""
    def fetch_entities(self) -> list[dict]:
        """Every vendor (kind, id, name, aliases, family) and agency (kind, id, name, aliases, code, tier,
        abbreviation)."""
    def fetch_names(self, ids: list[str]) -> dict[str, str]: """Vendor names by id."""
    def fetch_agency_briefs(self, ids: list[str]) -> dict[str, dict]: """{id: {id, name, code, tier}}."""
    def fetch_awards(self, keys: list[str]) -> list[dict]: """Award rows (see `answers.award_row`)."""
    def fetch_award_recipients(self, keys: list[str]) -> list[dict]:
        """(award_key, recipient, first, last): who received each award's actions, and when."""
    def fetch_award_facts(self, keys: list[str]) -> list[dict]:
        """(award_key, key, kind, split, action_date, fiscal_year, cents, modification, source, record): every fact
        of the awards, by award, date and key; the actions (and the unsplit rest) behind each award's total."""
    def fetch_vehicles(self, families: list[str]) -> list[dict]:
        """Contract vehicles (`core.facts.VEHICLE_FIELDS`) whose holder was in one of the families on the date of the
        vehicle's latest record, by key: apart from every award and money figure (graph/vehicles.py)."""
    def fetch_members(self, family: str) -> list[dict]:
        """The vendors in the family now or on the date of any of its facts."""
    def fetch_parents(self, ids: list[str]) -> list[dict]: """Every parent link reported for the vendors."""
    def fetch_families(self, ids: list[str]) -> dict[str, str]: """Each vendor's family now."""
    def fetch_family_timeline(self, ids: list[str]) -> list[dict]:
        """(vendor_id, valid_from, valid_to, family): which family each vendor was in when (None: unbounded)."""
    def fetch_fact_groups(self, chosen: FactFilter, by: str | None) -> list[dict]: """See GROUPINGS."""
    def fetch_group_awards(self, chosen: FactFilter, groups: dict[str, list[str]]) -> dict[str, int]:
        """Each group's distinct awards among the facts `chosen` keeps whose recipient is one of the group's
        vendors: one query for every family of a table, so members sharing an award count it once."""
    def fetch_year_totals(self, chosen: FactFilter) -> list[dict]:
        """Rows (split, fiscal_year, g, cents, awards, facts, reported) grouped by GROUPING SETS
        ((split, fiscal_year), ()); g = 3 marks the grand total."""
    def fetch_values(self, family: str | None = None, awarding: tuple[str, str] | None = None) -> dict:
        """Current and potential value (cents, and how many awards report each) over the awards whose
        latest recipient is in the family, or whose latest awarding agency is at or below the agency."""
    def fetch_subawards(self, vendor_ids: list[str]) -> list[dict]: """Subawards the vendors received."""
    def fetch_subawards_under(self, award_keys: list[str]) -> list[dict]: """Subawards made under the prime awards."""
    def fetch_agency_subawards(self, awarding: tuple[str, str]) -> list[dict]:
        """Subawards made under the prime awards the agency (tier, id) awarded."""
    def fetch_agency_links(self, aid: str) -> tuple[list[str], list[dict]]: """(parent ids, child briefs)."""
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
    def fetch_vendor_chain(self, ids: list[str]) -> list[dict]: """The vendors and their parents up to the top."""
    def fetch_agency_chain(self, ids: list[str]) -> list[dict]: """The agencies and the agencies above them."""
    def fetch_links(self) -> list[tuple[str, str, str]]: """(AWARDED | FUNDED | PARENT | PART_OF | SUBAWARD, a, b)."""
    def fetch_link_records(self, rel: str, a: str, b: str) -> list[dict]: """The records behind a link."""
    def fetch_facets(self) -> dict: """Award types present and the fiscal-year span of the actions."""
    def fetch_recipient_years(self, ids: list[str]) -> list[dict]:
        """The vendors' USAspending recipient profiles by fiscal year (every agency, every award type)."""
    def fetch_changes(self, since: str | None, vendors: list[str] | None, agency: str | None,
                      limit: int | None) -> list[dict]:
        """The change log (`graph/duck_changes.py`): loaded since `since` (ISO date or time), else by the
        latest run; of those vendors (ids or families) and that agency (at any tier); in order."""
    def fetch_mentions(self, makers: list[str] | None = None, awarding: tuple[str, str] | None = None,
                       awarding_id: str | None = None, recipient: str | None = None) -> list[dict]:
        """Attributed actions (`graph.attribution.MENTION_READ` columns) of those makers (family ids), awarded
        at or below that (tier, agency id), or by exactly `awarding_id`, recorded under `recipient`; in order of
        maker, recipient, award and action."""
    def fetch_mention_groups(self, awarding: tuple[str, str] | None, categories: tuple[str, ...] | None,
                             by: str) -> list[dict]:
        """Mentions at or below that (tier, agency id), of actions in those categories, grouped
        (`graph.attribution.MENTION_GROUPINGS`): each group's cents, reported, actions, awards and products."""
    def fetch_name_merges(self) -> list[dict]:
        """Parties joined to a vendor by name only (`graph.attribution.NAME_MERGE_READ` columns)."""
    def fetch_known_keys(self, keys: list[str]) -> set[str]: """Those of `keys` that are action or award keys."""


STORES = {"embedded": "graph.duck_store:DuckStore", "neo4j": "graph.neo4j_store:Neo4jStore"}


def open_store(kind: str = "embedded", home: Path | None = None, **options):
    """The store named `kind` (one of STORES): embedded under `home` (KG_HOME), Neo4j from NEO4J_*."""
    if kind not in STORES:
        raise StoreUnavailable(f"unknown store {kind!r}: use one of {', '.join(sorted(STORES))}")
    from .settings import kg_home

    module, name = STORES[kind].split(":")
    return getattr(importlib.import_module(module), name)(home=home or kg_home(), **options)
