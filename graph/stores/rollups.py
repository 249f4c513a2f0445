"""The rollups, declared once: derived tables the agency questions read instead of every fact of a department.

Each is a DuckDB table (graph/stores/duckdb/sql.py derives it) that the Neo4j store pushes as nodes of its label, one
per row, told apart by the `key` the declared SQL gives. Those that answer a fetch by themselves say which
(fetch, `by` grouping, the roles of `agency_only`); both stores' dispatch (`answering`), their reads
(graph/stores/duckdb/reads.py `rollup_sql`, graph/stores/neo4j/cypher.py `ROLLUP_READS`), Neo4j's constraints and indexes and the
push all come from this table. Rollups are derived data: stats and exports leave them out.
"""

from __future__ import annotations

from typing import NamedTuple

from graph.store import GROUPINGS, FactFilter, agency_only
from graph.stores.duckdb.sql import TOP_AWARDS

SUMS = ("cents", "awards", "facts", "reported")  # what a group's row sums (see GROUPINGS)
ROLES = ("awarding", "funding")


class Rollup(NamedTuple):
    label: str  # the Neo4j label, and the push's name for the table
    table: str  # the DuckDB table
    key: str  # SQL over the table giving each row's unique `key`
    index: tuple[str, ...] = ()  # properties Neo4j indexes: what the reads look nodes up by
    fetch: str | None = None  # the fetch it answers for a filter that is `agency_only` (else the facts answer)
    by: str | None = None  # the grouping of fetch_fact_groups it answers
    roles: tuple[str, ...] = ()  # the agency roles it holds rows for (two: each row has its `role`)
    columns: tuple[str, ...] = ()  # what it returns, when not a grouping's keys and SUMS
    order: str | None = None  # ALL (SQL only: its rows in order) or the column both stores order by
    ranked: bool = False  # rows have a `rank`: it answers a `limit` up to TOP_AWARDS

    @property
    def select(self) -> str:
        """Its rows as the Neo4j store pushes them, `key` first."""
        return f"SELECT {self.key} AS key, * FROM {self.table}"

    @property
    def returns(self) -> tuple[str, ...]:
        return tuple(GROUPINGS[self.by]) + SUMS if self.by else self.columns

    @property
    def keeps_role(self) -> bool:
        return len(self.roles) > 1


ROLLUPS = (
    Rollup(
        "AgencyYear",
        "agency_year",
        "concat_ws('|', role, agency, coalesce(split::VARCHAR, '-'), coalesce(fiscal_year::VARCHAR, '-'), g)",
        ("agency",),
        "fetch_year_totals",
        roles=ROLES,
        columns=("split", "fiscal_year", "g") + SUMS,
    ),
    Rollup(
        "AgencyRecipient",
        "agency_recipient",
        "concat_ws('|', role, agency, coalesce(recipient, '-'))",
        ("agency",),
        "fetch_fact_groups",
        "recipient",
        ROLES,
        order="ALL",
    ),
    Rollup(
        "AgencyRecipientYear",
        "agency_recipient_year",
        "concat_ws('|', role, agency, coalesce(recipient, '-'), coalesce(split::VARCHAR, '-'), "
        "coalesce(fiscal_year::VARCHAR, '-'))",
        ("agency",),
        "fetch_fact_groups",
        "recipient,split,fiscal_year",
        ROLES,
        order="ALL",
    ),
    Rollup(
        "AgencyRecipientRule",
        "agency_recipient_rule",
        "concat_ws('|', agency, coalesce(recipient, '-'), coalesce(category, '-'), coalesce(category_rule, '-'))",
        ("agency",),
        "fetch_fact_groups",
        "recipient,category,category_rule",
        ("awarding",),
        order="ALL",
    ),
    Rollup(
        "AgencyPair",
        "agency_pair",
        "concat_ws('|', agency, coalesce(recipient, '-'), coalesce(awarding_subtier, '-'))",
        ("agency",),
        "fetch_fact_groups",
        "recipient,awarding_subtier",
        ("awarding",),
        order="ALL",
    ),
    Rollup(
        "TopAward",
        "agency_top",
        "concat_ws('|', agency, rank)",
        ("agency",),
        "fetch_largest_awards",
        roles=("awarding",),
        columns=("award_key",),
        order="rank",
        ranked=True,
    ),
    Rollup(
        "AgencyCategory",
        "agency_category",
        "concat_ws('|', agency, category, coalesce(split::VARCHAR, '-'), coalesce(fiscal_year::VARCHAR, '-'))",
        ("agency",),
        "fetch_fact_groups",
        "category,split,fiscal_year",
        ("awarding",),
        order="ALL",
    ),
    # read whole or by their own columns, never instead of the facts
    Rollup("Facets", "facets", "'facets'"),
    Rollup("Change", "change", "CAST(seq AS VARCHAR)", ("agency",)),  # a log: rows are only added
    Rollup("RecipientYear", "recipient_year", "concat_ws('|', vendor, fiscal_year)", ("vendor",)),
    Rollup("NameMerge", "name_merge", "party || '#' || vendor"),
)


class RollupRead(NamedTuple):
    """A rollup answering one fetch: its rows for the role and agency (and the ranks up to `limit`)."""

    rollup: Rollup
    role: str
    agency: str
    limit: int | None

    def params(self) -> dict:
        """The values the read takes, by name, in the order the SQL's `?` take them."""
        found = {"role": self.role} if self.rollup.keeps_role else {}
        found["agency"] = self.agency
        if self.rollup.ranked:
            found["limit"] = self.limit
        return found


def answering(fetch: str, chosen: FactFilter, by: str | None = None, limit: int | None = None) -> RollupRead | None:
    """The rollup that answers this fetch for a filter saying only "awarded (or funded) by this agency"."""
    only = agency_only(chosen)
    if only is None:
        return None
    role, agency = only
    for rollup in ROLLUPS:
        if (
            rollup.fetch == fetch
            and rollup.by == by
            and role in rollup.roles
            and (not rollup.ranked or (limit is not None and limit <= TOP_AWARDS))
        ):
            return RollupRead(rollup, role, agency, limit)
    return None
