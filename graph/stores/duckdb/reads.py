"""The embedded store's fetches (`graph.store.Reads`) in SQL over the derived tables.

Sums are taken in whole cents. Column names come from constants (`FILTER_COLUMNS`, `GROUPINGS`), never
from user text; values are parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.facts import AWARD_READ_FIELDS, VEHICLE_FIELDS
from core.schema import AGENCY_TIERS
from graph.attribution import MENTION_GROUPINGS, MENTION_READ, NAME_MERGE_READ, mention_groups
from graph.questions.answers import CENTS
from graph.store import GROUPINGS, FactFilter, filter_terms
from graph.stores.duckdb.changes import COLUMNS as CHANGE_COLUMNS
from graph.stores.duckdb.local import LOCAL_TABLES, LocalSqlFetches
from graph.stores.rollups import Rollup, answering

LOCAL_GRAPH = tuple(table for table in LOCAL_TABLES if table[0] != "local_match")  # review data, not graph

if TYPE_CHECKING:
    import networkx as nx


def _column(field, table: str = "") -> str:
    """A declared field as read: dates as ISO strings, so both stores return the same values."""
    name = f"{table}{field.name}"
    return f"{name}::VARCHAR AS {field.name}" if field.type == "DATE" else name


AWARD_COLUMNS = ", ".join(_column(field, "a.") for field in AWARD_READ_FIELDS)
VEHICLE_COLUMNS = ", ".join(_column(field) for field in VEHICLE_FIELDS)
TIER_ID = {tier: f"{tier}_id" for tier in AGENCY_TIERS}  # column names, never user text
# a subaward as readers see it, with its prime award's recipient (the resolved subawards are the SUBAWARD links)
SUBAWARD_ROWS = """
    SELECT s.award_key AS prime_award, a.recipient AS prime_vendor, s.vendor AS sub_vendor, s.amount,
           s.number, s.action_date::VARCHAR AS action_date, s.description, s.source, s.record, s.permalink
    FROM subaward_fact s LEFT JOIN award a ON a.key = s.award_key
    """
PART_OF = "NOT (starts_with(child, 'office:') AND starts_with(parent, 'toptier:'))"  # the direct links only

# a vendor's families over time, kept on its node as "from|to|family" strings (empty: unbounded)
TIMELINE = (
    "SELECT list(coalesce(f.valid_from::VARCHAR, '') || '|' || coalesce(f.valid_to::VARCHAR, '') || '|' "
    "|| f.family ORDER BY f.valid_from NULLS FIRST) FROM vendor_family f"
)

# The model's tables as the stores share them: (table, key columns, SELECT over the derived tables), in the
# order a store writes them. Exports build the graph from these rows; the Neo4j store pushes them.
TABLES = (
    (
        "vendor",
        ("id",),
        f"SELECT v.id, v.name, v.uei, v.duns, v.aliases, v.curated, v.note, v.parent, v.family, "
        f"({TIMELINE} WHERE f.vendor_id = v.id) AS timeline FROM vendor v",
    ),
    (
        "agency",
        ("id",),
        """SELECT a.id, a.code, a.tier, a.name, a.abbreviation, a.aliases, t.toptier_id, t.subtier_id,
                           t.office_id FROM agency a JOIN agency_tiers t USING (id)""",
    ),
    ("agency_link", ("child", "parent"), f"SELECT child, parent FROM agency_link WHERE {PART_OF}"),
    (
        "vendor_parent",
        ("child", "parent", "basis"),
        """
        SELECT child, parent, basis, relation, note, first_reported::VARCHAR AS first_reported,
               last_reported::VARCHAR AS last_reported, source, record, permalink FROM vendor_parent""",
    ),
    (
        "award",
        ("key",),
        f"""
        SELECT {", ".join(_column(field) for field in AWARD_READ_FIELDS)}, vehicle, obligated_cents, current_cents,
               potential_cents FROM award""",
    ),
    (
        "fact",
        ("key",),
        """
        SELECT key, award_key, kind, split, action_date::VARCHAR AS action_date, fiscal_year, amount, cents, recipient,
               family, awarding_id, funding_id, awarding_toptier, awarding_subtier, awarding_office, funding_toptier,
               funding_subtier, funding_office, award_type, modification, source, record, permalink, category,
               category_rule FROM fact""",
    ),
    (
        "subaward",
        ("key",),
        """
        SELECT key, award_key, vendor, number, amount, action_date::VARCHAR AS action_date, description, match,
               source, record, permalink FROM subaward_fact WHERE vendor IS NOT NULL""",
    ),
    (
        "mention",
        ("fact_key", "maker"),
        "SELECT "
        + ", ".join("action_date::VARCHAR AS action_date" if name == "action_date" else name for name in MENTION_READ)
        + " FROM mention",
    ),
    # contract vehicles (graph/questions/vehicles.py): properties of their Vehicle nodes, linked to nothing (no money)
    ("vehicle", ("key",), f"SELECT {VEHICLE_COLUMNS} FROM vehicle"),
)
MENTION_TIERS = {tier: f"awarding_{tier}" for tier in AGENCY_TIERS}  # column names


# How each operator of a filter term (`graph.store.filter_terms`) reads in SQL: columns are declared constants
SQL_TERMS = {
    "equals": "{column} = ?",
    "in": "list_contains(?, {column})",
    "lower_in": "list_contains(?, lower({column}))",
    "at_least": "{column} >= ?",
    "at_most": "{column} <= ?",
    "true": "{column}",
    "false": "NOT {column}",
}


def fact_where(chosen: FactFilter) -> tuple[str, list]:
    """The WHERE over `fact` that `chosen` declares (`graph.store.FACT_FILTERS`), with its `?` parameters."""
    conditions, params = ["TRUE"], []
    for term in filter_terms(chosen):
        conditions.append(SQL_TERMS[term.op].format(column=term.column))
        if term.op not in ("true", "false"):
            params.append(term.value)
    return " AND ".join(conditions), params


def rollup_sql(rollup: Rollup) -> str:
    """The SQL reading a rollup's rows for one agency (`RollupRead.params` gives its values, in order)."""
    where = (["role = ?"] if rollup.keeps_role else []) + ["agency = ?"] + (["rank <= ?"] if rollup.ranked else [])
    order = f" ORDER BY {rollup.order}" if rollup.order else ""
    return f"SELECT {', '.join(rollup.returns)} FROM {rollup.table} WHERE {' AND '.join(where)}{order}"


# Up to this many keys are looked up in a table's index one by one (a list of parameters lets DuckDB use it);
# more are found in one scan of the table, which is then faster.
INDEXED_KEYS = 500


def _keys_in(keys: list[str]) -> str:
    """The right side of `key IN (…)`: placeholders only, never the keys' text."""
    return ", ".join("?" * len(keys)) if 0 < len(keys) <= INDEXED_KEYS else "SELECT unnest(?::VARCHAR[])"


def _keys_args(keys: list[str]) -> list:
    return list(keys) if 0 < len(keys) <= INDEXED_KEYS else [list(keys)]


class SqlFetches(LocalSqlFetches):
    """Mixed into the DuckDB store: `_rows(sql, params)` is its only door to the file."""

    def fetch_counts(self) -> dict:
        rows = self._rows(f"""
            SELECT (SELECT count(*) FROM vendor) AS "Vendor", (SELECT count(*) FROM agency) AS "Agency",
                   (SELECT count(*) FROM award) AS "Award", (SELECT count(*) FROM fact) AS "Fact",
                   (SELECT count(*) FROM (SELECT vehicle FROM award WHERE vehicle IS NOT NULL
                                          UNION SELECT key FROM vehicle)) AS "Vehicle",
                   (SELECT count(*) FROM (SELECT DISTINCT child, parent FROM vendor_parent)) AS "PARENT",
                   (SELECT count(*) FROM agency_link WHERE {PART_OF}) AS "PART_OF",
                   (SELECT count(recipient) FROM award) AS "AWARDED_TO",
                   (SELECT count(awarding_id) FROM award) AS "AWARDED_BY",
                   (SELECT count(funding_id) FROM award) AS "FUNDED_BY",
                   (SELECT count(*) FROM fact) AS "HAS_FACT", (SELECT count(vehicle) FROM award) AS "UNDER_VEHICLE",
                   (SELECT count(*) FROM subaward_fact WHERE vendor IS NOT NULL) AS "SUBAWARD",
                   (SELECT count(*) FROM mention) AS "MENTIONS_PRODUCT" """)
        return rows[0] if rows else {}

    def fetch_entities(self) -> list[dict]:
        return self._rows("""
            SELECT 'Agency' AS kind, id, name, aliases, code, tier, abbreviation, NULL AS family FROM agency
            UNION ALL
            SELECT 'Vendor', id, name, aliases, NULL, NULL, NULL, family FROM vendor ORDER BY kind, id""")

    def fetch_names(self, ids: list[str]) -> dict[str, str]:
        rows = (
            self._rows("SELECT id, name FROM vendor WHERE id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)])
            if ids
            else []
        )
        return {row["id"]: row["name"] for row in rows}

    def fetch_agency_briefs(self, ids: list[str]) -> dict[str, dict]:
        rows = (
            self._rows("SELECT id, name, code, tier FROM agency WHERE id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)])
            if ids
            else []
        )
        return {row["id"]: row for row in rows}

    def fetch_awards(self, keys: list[str]) -> list[dict]:
        keys = sorted(set(keys))
        return self._rows(f"SELECT {AWARD_COLUMNS} FROM award a WHERE a.key IN ({_keys_in(keys)})", _keys_args(keys))

    def fetch_award_recipients(self, keys: list[str]) -> list[dict]:
        keys = sorted(set(keys))
        return self._rows(
            f"""
            SELECT award_key, recipient, first, last FROM award_recipient
            WHERE award_key IN ({_keys_in(keys)}) ORDER BY award_key, recipient""",
            _keys_args(keys),
        )

    def fetch_award_facts(self, keys: list[str]) -> list[dict]:
        return self._rows(
            """
            SELECT award_key, key, kind, split, action_date::VARCHAR AS action_date, fiscal_year, cents, modification,
                   source, record FROM fact
            WHERE award_key IN (SELECT unnest(?::VARCHAR[])) ORDER BY award_key, action_date NULLS LAST, key""",
            [list(keys)],
        )

    def fetch_vehicles(self, families: list[str]) -> list[dict]:
        return (
            self._rows(
                f"SELECT {VEHICLE_COLUMNS} FROM vehicle WHERE list_contains(?, family) ORDER BY key", [list(families)]
            )
            if families
            else []
        )

    def fetch_members(self, family: str) -> list[dict]:
        return self._rows(
            """
            SELECT id, name, uei, duns, aliases, parent FROM vendor
            WHERE family = ? OR id IN (SELECT DISTINCT recipient FROM fact WHERE family = ?) ORDER BY id""",
            [family, family],
        )

    def fetch_parents(self, ids: list[str]) -> list[dict]:
        return self._rows(
            """
            SELECT child, parent, basis, relation, note, first_reported::VARCHAR AS first_reported,
                   last_reported::VARCHAR AS last_reported, source, record, permalink
            FROM vendor_parent WHERE child IN (SELECT unnest(?::VARCHAR[])) ORDER BY child, parent, basis""",
            [list(ids)],
        )

    def fetch_family_timeline(self, ids: list[str]) -> list[dict]:
        return (
            self._rows(
                """
            SELECT vendor_id, valid_from::VARCHAR AS valid_from, valid_to::VARCHAR AS valid_to, family
            FROM vendor_family WHERE vendor_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY vendor_id, valid_from NULLS FIRST""",
                [list(ids)],
            )
            if ids
            else []
        )

    def fetch_families(self, ids: list[str]) -> dict[str, str]:
        rows = (
            self._rows("SELECT id, family FROM vendor WHERE id IN (SELECT unnest(?::VARCHAR[]))", [list(ids)])
            if ids
            else []
        )
        return {row["id"]: row["family"] for row in rows}

    use_rollups = True  # tests switch them off to check that they give what the facts give

    def _rollup(
        self, fetch: str, chosen: FactFilter, by: str | None = None, limit: int | None = None
    ) -> list[dict] | None:
        """The rows of the rollup that answers the fetch (graph/stores/rollups.py), else None: the facts answer."""
        found = answering(fetch, chosen, by, limit) if self.use_rollups else None
        return None if found is None else self._rows(rollup_sql(found.rollup), list(found.params().values()))

    def fetch_fact_groups(self, chosen: FactFilter, by: str | None) -> list[dict]:
        rows = self._rollup("fetch_fact_groups", chosen, by)
        if rows is not None:
            return rows
        columns = GROUPINGS[by]
        where, params = fact_where(chosen)
        keys = "".join(f"{column}, " for column in columns)
        group = f"GROUP BY {', '.join(columns)}" if columns else ""
        return self._rows(
            f"""
            SELECT {keys}{CENTS} AS cents, count(DISTINCT award_no) AS awards, count(*) AS facts,
                   count(amount) AS reported
            FROM fact WHERE {where} {group} ORDER BY ALL""",
            params,
        )

    def fetch_group_awards(self, chosen: FactFilter, groups: dict[str, list[str]]) -> dict[str, int]:
        pairs = sorted((gid, member) for gid, members in groups.items() for member in members)
        if not pairs:
            return {}
        where, params = fact_where(chosen)
        rows = self._rows(
            f"""
            SELECT m.gid, count(DISTINCT f.award_no) AS awards
            FROM (SELECT unnest(?::VARCHAR[]) AS gid, unnest(?::VARCHAR[]) AS member) m
            JOIN (SELECT recipient, award_no FROM fact WHERE {where}) f ON f.recipient = m.member
            GROUP BY m.gid""",
            [[p[0] for p in pairs], [p[1] for p in pairs]] + params,
        )
        return {row["gid"]: row["awards"] for row in rows}

    def fetch_year_totals(self, chosen: FactFilter) -> list[dict]:
        rows = self._rollup("fetch_year_totals", chosen)
        if rows is not None:
            return rows
        where, params = fact_where(chosen)
        return self._rows(
            f"""
            SELECT split, fiscal_year, GROUPING(split, fiscal_year) AS g, {CENTS} AS cents,
                   count(amount) AS reported, count(*) AS facts, count(DISTINCT award_no) AS awards
            FROM fact WHERE {where} GROUP BY GROUPING SETS ((split, fiscal_year), ())""",
            params,
        )

    def fetch_values(self, family: str | None = None, awarding: tuple[str, str] | None = None) -> dict:
        if family is not None:
            where, params = "recipient IN (SELECT id FROM vendor WHERE family = ?)", [family]
        else:
            where, params = (
                f"awarding_id IN (SELECT id FROM agency_tiers WHERE {TIER_ID[awarding[0]]} = ?)",
                [awarding[1]],
            )
        rows = self._rows(
            f"""
            SELECT sum(current_cents) AS current_cents, count(current_cents) AS current_awards,
                   sum(potential_cents) AS potential_cents, count(potential_cents) AS potential_awards
            FROM award WHERE {where}""",
            params,
        )
        return rows[0] if rows else {}

    def fetch_ending_awards(self, awarding: tuple[str, str], start: str, until: str) -> list[str]:
        return [
            row["key"]
            for row in self._rows(
                f"""
            SELECT key FROM award
            WHERE awarding_id IN (SELECT id FROM agency_tiers WHERE {TIER_ID[awarding[0]]} = ?)
              AND coalesce(end_date, potential_end_date) BETWEEN ?::DATE AND ?::DATE
            ORDER BY coalesce(end_date, potential_end_date), key""",
                [awarding[1], start, until],
            )
        ]

    def fetch_dated_award_count(self, awarding: tuple[str, str]) -> int:
        return self._rows(
            f"""
            SELECT count(*) AS dated FROM award
            WHERE awarding_id IN (SELECT id FROM agency_tiers WHERE {TIER_ID[awarding[0]]} = ?)
              AND coalesce(end_date, potential_end_date) IS NOT NULL""",
            [awarding[1]],
        )[0]["dated"]

    def fetch_open_awards(self, awarding: tuple[str, str], day: str, within: FactFilter | None = None) -> list[str]:
        where, params = fact_where(within) if within is not None else ("", [])
        held = f"AND award_no IN (SELECT award_no FROM fact WHERE {where} AND recipient IS NOT NULL)" if where else ""
        return [
            row["key"]
            for row in self._rows(
                f"""
            SELECT key FROM award
            WHERE awarding_id IN (SELECT id FROM agency_tiers WHERE {TIER_ID[awarding[0]]} = ?)
              AND (end_date >= ?::DATE OR potential_end_date >= ?::DATE) {held}
            ORDER BY key""",
                [awarding[1], day, day] + params,
            )
        ]

    def fetch_group_top_awards(self, chosen: FactFilter, groups: dict[str, list[str]], limit: int) -> dict[str, list]:
        pairs = sorted((gid, member) for gid, members in groups.items() for member in members)
        if not pairs:
            return {}
        where, params = fact_where(chosen)
        rows = self._rows(
            f"""
            SELECT gid, award_key, cents FROM (
                SELECT m.gid, f.award_key, coalesce(sum(f.cents), 0) AS cents
                FROM (SELECT unnest(?::VARCHAR[]) AS gid, unnest(?::VARCHAR[]) AS member) m
                JOIN (SELECT recipient, award_key, cents FROM fact WHERE {where}) f ON f.recipient = m.member
                GROUP BY m.gid, f.award_key)
            QUALIFY row_number() OVER (PARTITION BY gid ORDER BY cents DESC, award_key) <= ?
            ORDER BY gid, cents DESC, award_key""",
            [[p[0] for p in pairs], [p[1] for p in pairs]] + params + [limit],
        )
        top: dict[str, list] = {}
        for row in rows:
            top.setdefault(row["gid"], []).append({"award_key": row["award_key"], "cents": row["cents"]})
        return top

    def fetch_subawards(self, vendor_ids: list[str]) -> list[dict]:
        return self._rows(SUBAWARD_ROWS + "WHERE list_contains(?, s.vendor)", [list(vendor_ids)])

    def fetch_subawards_under(self, award_keys: list[str]) -> list[dict]:
        return self._rows(
            SUBAWARD_ROWS + "WHERE s.vendor IS NOT NULL AND list_contains(?, s.award_key)", [list(award_keys)]
        )

    def fetch_agency_subawards(self, awarding: tuple[str, str]) -> list[dict]:
        return self._rows(
            SUBAWARD_ROWS
            + f"""WHERE s.vendor IS NOT NULL
            AND a.awarding_id IN (SELECT id FROM agency_tiers WHERE {TIER_ID[awarding[0]]} = ?)""",
            [awarding[1]],
        )

    def fetch_agency_links(self, aid: str) -> tuple[list[str], list[dict]]:
        parents = [
            row["parent"]
            for row in self._rows(
                f"SELECT parent FROM agency_link WHERE child = ? AND {PART_OF} ORDER BY parent", [aid]
            )
        ]
        children = self._rows(
            f"""
            SELECT a.id, a.name, a.code, a.tier FROM agency_link l JOIN agency a ON a.id = l.child
            WHERE l.parent = ? AND {PART_OF.replace("child", "l.child").replace("parent", "l.parent")}""",
            [aid],
        )
        return parents, children

    def fetch_largest_awards(self, chosen: FactFilter, limit: int) -> list[str]:
        top = self._rollup("fetch_largest_awards", chosen, limit=limit)
        if top is not None:
            return [row["award_key"] for row in top]
        where, params = fact_where(chosen)
        return [
            row["key"]
            for row in self._rows(
                f"""
            SELECT a.key FROM award a JOIN (SELECT DISTINCT award_no FROM fact WHERE {where}) f ON f.award_no = a.award_no
            ORDER BY coalesce(a.obligated_cents, 0) DESC, a.key LIMIT ?""",
                params + [limit],
            )
        ]

    def fetch_vendor_chain(self, ids: list[str]) -> list[dict]:
        if not ids:
            return []
        return self._rows(
            """
            WITH RECURSIVE up(id) AS (SELECT unnest(?::VARCHAR[])
                UNION SELECT v.parent FROM vendor v JOIN up ON v.id = up.id WHERE v.parent IS NOT NULL)
            SELECT v.id, v.name, v.parent FROM vendor v JOIN up USING (id) ORDER BY v.id""",
            [list(ids)],
        )

    def fetch_agency_chain(self, ids: list[str]) -> list[dict]:
        if not ids:
            return []
        return self._rows(
            f"""
            WITH RECURSIVE up(id) AS (SELECT unnest(?::VARCHAR[])
                UNION SELECT l.parent FROM agency_link l JOIN up ON l.child = up.id WHERE {PART_OF})
            SELECT a.id, a.name, a.tier,
                   (SELECT min(l.parent) FROM agency_link l WHERE l.child = a.id AND {PART_OF}) AS parent
            FROM agency a JOIN up USING (id) ORDER BY a.id""",
            [list(ids)],
        )

    def fetch_links(self) -> list[tuple[str, str, str]]:
        rows = self._rows(f"""
            SELECT DISTINCT 'AWARDED' AS rel, recipient AS a, awarding_id AS b FROM fact
                WHERE recipient IS NOT NULL AND awarding_id IS NOT NULL
            UNION ALL SELECT DISTINCT 'FUNDED', recipient, funding_id FROM fact
                WHERE recipient IS NOT NULL AND funding_id IS NOT NULL
            UNION ALL SELECT DISTINCT 'PARENT', child, parent FROM vendor_parent
            UNION ALL SELECT 'PART_OF', child, parent FROM agency_link WHERE {PART_OF}
            UNION ALL SELECT DISTINCT 'SUBAWARD', s.vendor, a.recipient FROM subaward_fact s JOIN award a
                ON a.key = s.award_key WHERE s.vendor IS NOT NULL AND a.recipient IS NOT NULL
            ORDER BY ALL""")
        return [(row["rel"], row["a"], row["b"]) for row in rows]

    def fetch_link_records(self, rel: str, a: str, b: str) -> list[dict]:
        if rel == "PARENT":
            return self._rows(
                """
                SELECT basis, relation, source, record, permalink, first_reported::VARCHAR AS first_reported,
                       last_reported::VARCHAR AS last_reported FROM vendor_parent
                WHERE (child = ? AND parent = ?) OR (child = ? AND parent = ?) ORDER BY basis, source, record""",
                [a, b, b, a],
            )
        if rel == "SUBAWARD":
            return self._rows(
                """
                SELECT s.amount, s.source, s.record, s.permalink, s.award_key FROM subaward_fact s
                JOIN award a ON a.key = s.award_key
                WHERE (s.vendor = ? AND a.recipient = ?) OR (s.vendor = ? AND a.recipient = ?)
                ORDER BY s.amount DESC NULLS LAST, s.key LIMIT 1""",
                [a, b, b, a],
            )
        return []  # PART_OF: built from codes, no record of its own

    def fetch_facets(self) -> dict:
        rows = self._rows("SELECT award_types, fy_min, fy_max FROM facets")
        row = rows[0] if rows else {}
        return {
            "award_types": list(row.get("award_types") or []),
            "fy_min": row.get("fy_min"),
            "fy_max": row.get("fy_max"),
        }

    def fetch_recipient_years(self, ids: list[str]) -> list[dict]:
        return self._rows(
            """SELECT vendor, fiscal_year, amount, recipient_id, transactions, source, record, retrieved,
                                    permalink FROM recipient_year WHERE list_contains(?, vendor)
                             ORDER BY vendor, fiscal_year""",
            [list(ids)],
        )

    def fetch_changes(
        self, since: str | None, vendors: list[str] | None, agency: str | None, limit: int | None
    ) -> list[dict]:
        if not self._rows("SELECT 1 AS found FROM duckdb_tables() WHERE table_name = 'change'"):
            return []  # a store written before the change log existed
        rows = self._rows(
            f"""
            SELECT {", ".join(CHANGE_COLUMNS)} FROM change
            WHERE (CASE WHEN ? IS NULL THEN run_id = (SELECT max(id) FROM run) ELSE loaded_at >= ? END)
              AND (? IS NULL OR list_contains(?, vendor) OR list_contains(?, family))
              AND (? IS NULL OR ? IN (agency, agency_toptier, agency_subtier))
            ORDER BY seq LIMIT ?""",
            [since, since, vendors, vendors, vendors, agency, agency, limit],
        )
        return rows

    def fetch_mentions(
        self,
        makers: list[str] | None = None,
        awarding: tuple[str, str] | None = None,
        awarding_id: str | None = None,
        recipient: str | None = None,
    ) -> list[dict]:
        tier = MENTION_TIERS[awarding[0]] if awarding else "awarding_id"
        columns = ", ".join(
            "action_date::VARCHAR AS action_date" if name == "action_date" else name for name in MENTION_READ
        )
        return self._rows(
            f"""
            SELECT {columns} FROM mention
            WHERE (?::VARCHAR[] IS NULL OR list_contains(?, maker)) AND (?::VARCHAR IS NULL OR {tier} = ?)
              AND (?::VARCHAR IS NULL OR awarding_id = ?) AND (?::VARCHAR IS NULL OR recipient = ?)
            ORDER BY maker, recipient NULLS LAST, award_key, fact_key""",
            [
                makers,
                makers,
                awarding[1] if awarding else None,
                awarding[1] if awarding else None,
                awarding_id,
                awarding_id,
                recipient,
                recipient,
            ],
        )

    def fetch_mention_groups(
        self, awarding: tuple[str, str] | None, categories: tuple[str, ...] | None, by: str
    ) -> list[dict]:
        columns = ", ".join(MENTION_GROUPINGS[by])
        tier = MENTION_TIERS[awarding[0]] if awarding else "awarding_id"
        return mention_groups(
            self._rows(
                f"""
            SELECT {columns}, sum(cents) AS cents, count(cents) AS reported, count(*) AS actions,
                   count(DISTINCT award_key) AS awards, list(DISTINCT product) AS products
            FROM mention
            WHERE (?::VARCHAR IS NULL OR {tier} = ?) AND (?::VARCHAR[] IS NULL OR list_contains(?, category))
            GROUP BY {columns}""",
                [awarding[1] if awarding else None, awarding[1] if awarding else None, categories, categories],
            ),
            by,
        )

    def fetch_known_keys(self, keys: list[str]) -> set[str]:
        return {
            row["key"]
            for row in self._rows(
                """
            SELECT key FROM fact WHERE key IN (SELECT unnest(?::VARCHAR[]))
            UNION SELECT key FROM award WHERE key IN (SELECT unnest(?::VARCHAR[]))""",
                [list(keys), list(keys)],
            )
        }

    def fetch_name_merges(self) -> list[dict]:
        return self._rows(f"SELECT {', '.join(NAME_MERGE_READ)} FROM name_merge ORDER BY party, vendor")

    # -- exports --------------------------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole store as a graph (vendors, agencies, awards, facts, vehicles), for exports."""
        from graph.reports.export import build_graph  # exports only: reading needs no networkx

        return build_graph({table: self._rows(f"{select} ORDER BY ALL") for table, _, select in TABLES + LOCAL_GRAPH})
