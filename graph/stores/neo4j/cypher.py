"""Every Cypher statement the Neo4j store runs, in one place.

Values always travel as parameters ($rows, $ids, $value, ...). The only text composed here is made of
constant property names (`FACT_PROPERTY`); no user or record text ever becomes part of a statement.
"""

from __future__ import annotations

from core.facts import AWARD_READ_NAMES, VEHICLE_READ_NAMES
from core.schema import AGENCY_TIERS, LABELS
from graph.attribution import MENTION_GROUPINGS, MENTION_READ, NAME_MERGE_READ
from graph.store import GROUPINGS, TIER_COLUMNS, FactFilter, filter_terms
from graph.stores.duckdb.changes import COLUMNS as CHANGE_COLUMNS
from graph.stores.rollups import ROLLUPS, Rollup

CONSTRAINTS = [
    f"CREATE CONSTRAINT {label.lower()}_{key} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
    for label, key in (
        *((label.name, label.key) for label in LABELS.values()),
        ("LoadRun", "seq"),
        ("Meta", "name"),
        *((rollup.label, "key") for rollup in ROLLUPS),
    )
]
FACT_INDEXED = ("award_key", "recipient", "family", "awarding_id", "funding_id", *TIER_COLUMNS.values(), "category")
INDEXES = (
    [f"CREATE INDEX fact_{name} IF NOT EXISTS FOR (n:Fact) ON (n.{name})" for name in FACT_INDEXED]
    + [
        "CREATE INDEX award_recipient IF NOT EXISTS FOR (n:Award) ON (n.recipient)",
        "CREATE INDEX award_awarding_id IF NOT EXISTS FOR (n:Award) ON (n.awarding_id)",
        "CREATE INDEX vendor_family IF NOT EXISTS FOR (n:Vendor) ON (n.family)",
        "CREATE INDEX vehicle_family IF NOT EXISTS FOR (n:Vehicle) ON (n.family)",
    ]
    + [
        f"CREATE INDEX {rollup.label.lower()}_{name} IF NOT EXISTS FOR (n:{rollup.label}) ON (n.{name})"
        for rollup in ROLLUPS
        for name in rollup.index
    ]
)
# Labels of the graph model before facts (Transaction nodes and per-agency rollups): such a database is
# reported, never mixed with this one.
OLD_MODEL = "MATCH (n) WHERE n:Transaction OR n:AwardGroup OR n:AgencyTop RETURN count(n) > 0 AS old LIMIT 1"

# -- writes: the rows of the embedded store's derived tables that changed since the last push -----------
UPSERT = {
    "vendor": "UNWIND $rows AS row MERGE (n:Vendor {id: row.id}) SET n = row",
    "agency": "UNWIND $rows AS row MERGE (n:Agency {id: row.id}) SET n = row",
    "agency_link": """UNWIND $rows AS row MATCH (c:Agency {id: row.child}) MATCH (p:Agency {id: row.parent})
                      MERGE (c)-[:PART_OF]->(p)""",
    "vendor_parent": """UNWIND $rows AS row MATCH (c:Vendor {id: row.child}) MATCH (p:Vendor {id: row.parent})
                        MERGE (c)-[r:PARENT {basis: row.basis}]->(p) SET r = row""",
    "award": """
        UNWIND $rows AS row
        MERGE (a:Award {key: row.key}) SET a = row
        WITH a, row
        OPTIONAL MATCH (a)-[old:AWARDED_TO|AWARDED_BY|FUNDED_BY|UNDER_VEHICLE]->()
        DELETE old
        WITH DISTINCT a, row
        OPTIONAL MATCH (v:Vendor {id: row.recipient})
        OPTIONAL MATCH (g:Agency {id: row.awarding_id})
        OPTIONAL MATCH (f:Agency {id: row.funding_id})
        FOREACH (_ IN CASE WHEN v IS NULL THEN [] ELSE [1] END | CREATE (a)-[:AWARDED_TO {match: row.match}]->(v))
        FOREACH (_ IN CASE WHEN g IS NULL THEN [] ELSE [1] END | CREATE (a)-[:AWARDED_BY]->(g))
        FOREACH (_ IN CASE WHEN f IS NULL THEN [] ELSE [1] END | CREATE (a)-[:FUNDED_BY]->(f))
        FOREACH (_ IN CASE WHEN row.vehicle IS NULL THEN [] ELSE [1] END |
                 MERGE (x:Vehicle {key: row.vehicle}) CREATE (a)-[:UNDER_VEHICLE]->(x))""",
    "fact": """UNWIND $rows AS row MERGE (f:Fact {key: row.key}) SET f = row
               WITH f, row MATCH (a:Award {key: row.award_key}) MERGE (a)-[:HAS_FACT]->(f)""",
    "subaward": """
        UNWIND $rows AS row
        MATCH (a:Award {key: row.award_key}) MATCH (v:Vendor {id: row.vendor})
        OPTIONAL MATCH (a)-[old:SUBAWARD {key: row.key}]->()
        DELETE old
        WITH DISTINCT a, v, row CREATE (a)-[s:SUBAWARD]->(v) SET s = row""",
    "mention": """UNWIND $rows AS row MATCH (f:Fact {key: row.fact_key}) MATCH (v:Vendor {id: row.maker})
                  MERGE (f)-[m:MENTIONS_PRODUCT]->(v) SET m = row""",
    # a loaded vehicle's record on the Vehicle node awards may also point to (UNDER_VEHICLE); no link of its own
    "vehicle": "UNWIND $rows AS row MERGE (n:Vehicle {key: row.key}) SET n = row",
}
DELETE = {
    "vendor": "UNWIND $rows AS row MATCH (n:Vendor {id: row.id}) DETACH DELETE n",
    "agency": "UNWIND $rows AS row MATCH (n:Agency {id: row.id}) DETACH DELETE n",
    "agency_link": "UNWIND $rows AS row MATCH (:Agency {id: row.child})-[r:PART_OF]->(:Agency {id: row.parent}) DELETE r",
    "vendor_parent": """UNWIND $rows AS row MATCH (:Vendor {id: row.child})-[r:PARENT {basis: row.basis}]->
                        (:Vendor {id: row.parent}) DELETE r""",
    "award": "UNWIND $rows AS row MATCH (n:Award {key: row.key}) DETACH DELETE n",
    "fact": "UNWIND $rows AS row MATCH (n:Fact {key: row.key}) DETACH DELETE n",
    "subaward": "UNWIND $rows AS row MATCH ()-[s:SUBAWARD {key: row.key}]->() DELETE s",
    "mention": """UNWIND $rows AS row MATCH (:Fact {key: row.fact_key})-[m:MENTIONS_PRODUCT]->(:Vendor {id: row.maker})
                  DELETE m""",
    # the record goes; the node stays while an award is under it
    "vehicle": """UNWIND $rows AS row MATCH (n:Vehicle {key: row.key}) SET n = {key: row.key}
                  WITH n WHERE NOT EXISTS { ()-[:UNDER_VEHICLE]->(n) } DELETE n""",
}


def upsert_rollup(label: str) -> str:
    return f"UNWIND $rows AS row MERGE (n:{label} {{key: row.key}}) SET n = row"


def delete_rollup(label: str) -> str:
    return f"UNWIND $rows AS row MATCH (n:{label} {{key: row.key}}) DELETE n"


RUN_LOG = "MERGE (r:LoadRun {seq: $seq}) SET r.run = $run"
RUNS = "MATCH (r:LoadRun) RETURN r.run AS run ORDER BY r.seq"
SET_META = "MERGE (m:Meta {name: $name}) SET m.value = $value"
GET_META = "MATCH (m:Meta {name: $name}) RETURN m.value AS value"
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
ANY_NODE = "MATCH (n) RETURN count(n) > 0 AS any LIMIT 1"

# -- reads --------------------------------------------------------------------------------------
COUNTS = """
CALL () { MATCH (n:Vendor) RETURN count(n) AS Vendor }
CALL () { MATCH (n:Agency) WHERE NOT n:Local RETURN count(n) AS Agency }
CALL () { MATCH (n:Award) RETURN count(n) AS Award }
CALL () { MATCH (n:Fact) RETURN count(n) AS Fact }
CALL () { MATCH (n:Vehicle) RETURN count(n) AS Vehicle }
CALL () { MATCH ()-[r:PARENT]->() WITH DISTINCT startNode(r) AS a, endNode(r) AS b RETURN count(*) AS PARENT }
CALL () { MATCH (c)-[r:PART_OF]->() WHERE NOT c:Local RETURN count(r) AS PART_OF }
CALL () { MATCH ()-[r:AWARDED_TO]->() RETURN count(r) AS AWARDED_TO }
CALL () { MATCH ()-[r:AWARDED_BY]->() RETURN count(r) AS AWARDED_BY }
CALL () { MATCH ()-[r:FUNDED_BY]->() RETURN count(r) AS FUNDED_BY }
CALL () { MATCH ()-[r:HAS_FACT]->() RETURN count(r) AS HAS_FACT }
CALL () { MATCH ()-[r:UNDER_VEHICLE]->() RETURN count(r) AS UNDER_VEHICLE }
CALL () { MATCH ()-[r:SUBAWARD]->() RETURN count(r) AS SUBAWARD }
CALL () { MATCH ()-[r:MENTIONS_PRODUCT]->() RETURN count(r) AS MENTIONS_PRODUCT }
RETURN Vendor, Agency, Award, Fact, Vehicle, PARENT, PART_OF, AWARDED_TO, AWARDED_BY, FUNDED_BY, HAS_FACT,
       UNDER_VEHICLE, SUBAWARD, MENTIONS_PRODUCT"""
ENTITIES = """
MATCH (a:Agency) WHERE NOT a:Local RETURN 'Agency' AS kind, a.id AS id, a.name AS name, a.aliases AS aliases, a.code AS code,
       a.tier AS tier, a.abbreviation AS abbreviation, null AS family
UNION ALL
MATCH (v:Vendor) RETURN 'Vendor' AS kind, v.id AS id, v.name AS name, v.aliases AS aliases, null AS code,
       null AS tier, null AS abbreviation, v.family AS family"""
NAMES = "MATCH (v:Vendor) WHERE v.id IN $ids RETURN v.id AS id, v.name AS name"
FAMILIES = "MATCH (v:Vendor) WHERE v.id IN $ids RETURN v.id AS id, v.family AS family"
AGENCY_BRIEFS = "MATCH (a:Agency) WHERE a.id IN $ids RETURN a.id AS id, a.name AS name, a.code AS code, a.tier AS tier"
AWARDS = f"MATCH (a:Award) WHERE a.key IN $keys RETURN {', '.join(f'a.{f} AS {f}' for f in AWARD_READ_NAMES)}"
AWARD_RECIPIENTS = """
MATCH (f:Fact) WHERE f.award_key IN $keys AND f.kind = 'action' AND f.recipient IS NOT NULL
RETURN f.award_key AS award_key, f.recipient AS recipient, min(f.action_date) AS first, max(f.action_date) AS last
ORDER BY award_key, recipient"""
AWARD_FACTS = """
MATCH (f:Fact) WHERE f.award_key IN $keys
RETURN f.award_key AS award_key, f.key AS key, f.kind AS kind, f.split AS split,
       CASE WHEN f.action_date IS NULL THEN null ELSE toString(f.action_date) END AS action_date,
       f.fiscal_year AS fiscal_year, f.cents AS cents, f.modification AS modification, f.source AS source,
       f.record AS record
ORDER BY award_key, action_date IS NULL, action_date, key"""
VEHICLES = f"""MATCH (n:Vehicle) WHERE n.family IN $families
               RETURN {", ".join(f"n.{name} AS {name}" for name in VEHICLE_READ_NAMES)} ORDER BY key"""
MEMBERS = """
CALL () { MATCH (v:Vendor {family: $family}) RETURN v
          UNION MATCH (f:Fact {family: $family}) WITH DISTINCT f.recipient AS id MATCH (v:Vendor {id: id}) RETURN v }
RETURN v.id AS id, v.name AS name, v.uei AS uei, v.duns AS duns, v.aliases AS aliases, v.parent AS parent
ORDER BY id"""
PARENTS = """
MATCH (c:Vendor)-[r:PARENT]->(p:Vendor) WHERE c.id IN $ids
RETURN c.id AS child, p.id AS parent, r.basis AS basis, r.relation AS relation, r.note AS note,
       r.first_reported AS first_reported, r.last_reported AS last_reported, r.source AS source,
       r.record AS record, r.permalink AS permalink ORDER BY child, parent, basis"""
TIMELINES = "MATCH (v:Vendor) WHERE v.id IN $ids RETURN v.id AS id, v.timeline AS timeline"
VALUES_OF_FAMILY = """
MATCH (v:Vendor {family: $family}) MATCH (a:Award {recipient: v.id})
RETURN sum(a.current_cents) AS current_cents, count(a.current_cents) AS current_awards,
       sum(a.potential_cents) AS potential_cents, count(a.potential_cents) AS potential_awards"""
VALUES_OF_AGENCY = {
    tier: f"""
MATCH (g:Agency {{{tier}_id: $id}}) MATCH (a:Award {{awarding_id: g.id}})
RETURN sum(a.current_cents) AS current_cents, count(a.current_cents) AS current_awards,
       sum(a.potential_cents) AS potential_cents, count(a.potential_cents) AS potential_awards"""
    for tier in AGENCY_TIERS
}
ENDING_AWARDS = {
    tier: f"""
MATCH (g:Agency {{{tier}_id: $id}}) MATCH (a:Award {{awarding_id: g.id}})
WITH a, coalesce(a.end_date, a.potential_end_date) AS ends WHERE ends >= $start AND ends <= $until
RETURN a.key AS key ORDER BY ends, key"""
    for tier in AGENCY_TIERS
}
DATED_AWARD_COUNT = {
    tier: f"""
MATCH (g:Agency {{{tier}_id: $id}}) MATCH (a:Award {{awarding_id: g.id}})
WHERE coalesce(a.end_date, a.potential_end_date) IS NOT NULL
RETURN count(a) AS dated"""
    for tier in AGENCY_TIERS
}


def open_awards(tier: str, within: FactFilter | None) -> tuple[str, dict]:
    """The agency's awards open on $day; with `within`, those with a fact (with a recipient) it holds."""
    where, params = fact_where(within or FactFilter())
    fact = (
        ""
        if within is None
        else f" AND EXISTS {{ MATCH (a)-[:HAS_FACT]->(f:Fact) WHERE {where} AND f.recipient IS NOT NULL }}"
    )
    return (
        f"""MATCH (g:Agency {{{tier}_id: $id}}) MATCH (a:Award {{awarding_id: g.id}})
                WHERE (a.end_date >= $day OR a.potential_end_date >= $day){fact}
                RETURN a.key AS key ORDER BY key"""
    ), params


SUBAWARD_ROWS = """
RETURN a.key AS prime_award, a.recipient AS prime_vendor, v.id AS sub_vendor, s.amount AS amount, s.number AS number,
       s.action_date AS action_date, s.description AS description, s.source AS source, s.record AS record,
       s.permalink AS permalink"""
SUBAWARDS = "MATCH (a:Award)-[s:SUBAWARD]->(v:Vendor) WHERE v.id IN $ids" + SUBAWARD_ROWS
SUBAWARDS_UNDER = "MATCH (a:Award)-[s:SUBAWARD]->(v:Vendor) WHERE a.key IN $keys" + SUBAWARD_ROWS
AGENCY_SUBAWARDS = {
    tier: f"""
MATCH (g:Agency {{{tier}_id: $id}}) MATCH (a:Award {{awarding_id: g.id}})-[s:SUBAWARD]->(v:Vendor)"""
    + SUBAWARD_ROWS
    for tier in AGENCY_TIERS
}
AGENCY_PARENTS = "MATCH (:Agency {id: $id})-[:PART_OF]->(p:Agency) RETURN p.id AS id ORDER BY id"
AGENCY_CHILDREN = """MATCH (c:Agency)-[:PART_OF]->(:Agency {id: $id})
                     RETURN c.id AS id, c.name AS name, c.code AS code, c.tier AS tier"""
VENDOR_STEP = "MATCH (v:Vendor) WHERE v.id IN $ids RETURN v.id AS id, v.name AS name, v.parent AS parent"
AGENCY_CHAIN = """
MATCH (a:Agency) WHERE a.id IN $ids MATCH (a)-[:PART_OF*0..]->(b:Agency) WITH DISTINCT b
OPTIONAL MATCH (b)-[:PART_OF]->(p:Agency)
RETURN b.id AS id, b.name AS name, b.tier AS tier, min(p.id) AS parent ORDER BY id"""
LINKS = """
CALL () { MATCH (f:Fact) WHERE f.recipient IS NOT NULL AND f.awarding_id IS NOT NULL
          RETURN DISTINCT 'AWARDED' AS rel, f.recipient AS a, f.awarding_id AS b
          UNION MATCH (f:Fact) WHERE f.recipient IS NOT NULL AND f.funding_id IS NOT NULL
          RETURN DISTINCT 'FUNDED' AS rel, f.recipient AS a, f.funding_id AS b
          UNION MATCH (c:Vendor)-[:PARENT]->(p:Vendor) RETURN DISTINCT 'PARENT' AS rel, c.id AS a, p.id AS b
          UNION MATCH (c:Agency)-[:PART_OF]->(p:Agency) WHERE NOT c:Local RETURN 'PART_OF' AS rel, c.id AS a, p.id AS b
          UNION MATCH (a:Award)-[:SUBAWARD]->(v:Vendor) WHERE a.recipient IS NOT NULL
          RETURN DISTINCT 'SUBAWARD' AS rel, v.id AS a, a.recipient AS b }
RETURN rel, a, b"""
PARENT_RECORDS = """
MATCH (c:Vendor)-[r:PARENT]->(p:Vendor) WHERE (c.id = $a AND p.id = $b) OR (c.id = $b AND p.id = $a)
RETURN r.basis AS basis, r.relation AS relation, r.source AS source, r.record AS record, r.permalink AS permalink,
       r.first_reported AS first_reported, r.last_reported AS last_reported ORDER BY basis, source, record"""
SUBAWARD_RECORDS = """
MATCH (a:Award)-[s:SUBAWARD]->(v:Vendor) WHERE (v.id = $a AND a.recipient = $b) OR (v.id = $b AND a.recipient = $a)
RETURN s.amount AS amount, s.source AS source, s.record AS record, s.permalink AS permalink, a.key AS award_key
ORDER BY s.amount IS NULL, s.amount DESC, s.key LIMIT 1"""


def rollup_read(rollup: Rollup) -> str:
    """The Cypher reading a rollup's nodes for one agency ($role, $limit as `RollupRead.params` gives them)."""
    where = [
        condition
        for condition, kept in (("n.role = $role", rollup.keeps_role), ("n.rank <= $limit", rollup.ranked))
        if kept
    ]
    order = f" ORDER BY n.{rollup.order}" if rollup.order and rollup.order != "ALL" else ""
    return (
        f"MATCH (n:{rollup.label} {{agency: $agency}}){' WHERE ' + ' AND '.join(where) if where else ''} "
        f"RETURN {', '.join(f'n.{name} AS {name}' for name in rollup.returns)}{order}"
    )


ROLLUP_READS = {rollup.label: rollup_read(rollup) for rollup in ROLLUPS if rollup.fetch}
FACETS = """
CALL () { MATCH (a:Award) WHERE a.award_type IS NOT NULL AND a.award_type <> ''
          RETURN collect(DISTINCT a.award_type) AS award_types }
CALL () { MATCH (f:Fact) WHERE f.split RETURN min(f.fiscal_year) AS fy_min, max(f.fiscal_year) AS fy_max }
RETURN award_types, fy_min, fy_max"""
RECIPIENT_YEARS = """
MATCH (n:RecipientYear) WHERE n.vendor IN $ids
RETURN n.vendor AS vendor, n.fiscal_year AS fiscal_year, n.amount AS amount, n.recipient_id AS recipient_id,
       n.transactions AS transactions, n.source AS source, n.record AS record, n.retrieved AS retrieved,
       n.permalink AS permalink ORDER BY vendor, fiscal_year"""
CHANGES = f"""
OPTIONAL MATCH (r:LoadRun) WITH max(r.seq) AS latest
MATCH (c:Change)
WHERE CASE WHEN $since IS NULL THEN c.run_id = latest ELSE c.loaded_at >= $since END
  AND ($vendors IS NULL OR c.vendor IN $vendors OR c.family IN $vendors)
  AND ($agency IS NULL OR $agency IN [c.agency, c.agency_toptier, c.agency_subtier])
RETURN {", ".join(f"c.{name} AS {name}" for name in CHANGE_COLUMNS)} ORDER BY c.seq LIMIT $limit"""
MENTIONS = {
    tier: f"""
MATCH (:Fact)-[m:MENTIONS_PRODUCT]->(:Vendor)
WHERE ($makers IS NULL OR m.maker IN $makers) AND ($agency IS NULL OR m.{tier} = $agency)
  AND ($awarding_id IS NULL OR m.awarding_id = $awarding_id) AND ($recipient IS NULL OR m.recipient = $recipient)
RETURN {", ".join(f"m.{name} AS {name}" for name in MENTION_READ)}
ORDER BY maker, recipient IS NULL, recipient, award_key, fact_key"""
    for tier in (*(f"awarding_{tier}" for tier in AGENCY_TIERS), "awarding_id")
}
# (tier, grouping) -> statement; the tiers and groupings are this module's and attribution's names, never user text
MENTION_GROUPS = {
    (tier, by): f"""
MATCH (:Fact)-[m:MENTIONS_PRODUCT]->(:Vendor)
WHERE ($agency IS NULL OR m.{tier} = $agency) AND ($categories IS NULL OR m.category IN $categories)
WITH {", ".join(f"m.{name} AS {name}" for name in columns)}, m
RETURN {", ".join(columns)}, sum(m.cents) AS cents, count(m.cents) AS reported, count(*) AS actions,
       count(DISTINCT m.award_key) AS awards, collect(DISTINCT m.product) AS products"""
    for tier in (*(f"awarding_{tier}" for tier in AGENCY_TIERS), "awarding_id")
    for by, columns in MENTION_GROUPINGS.items()
}
KNOWN_KEYS = """MATCH (f:Fact) WHERE f.key IN $keys RETURN f.key AS key
                UNION MATCH (a:Award) WHERE a.key IN $keys RETURN a.key AS key"""
NAME_MERGES = f"""MATCH (n:NameMerge) RETURN {", ".join(f"n.{name} AS {name}" for name in NAME_MERGE_READ)}
                  ORDER BY party, vendor"""
FACETS_ROLLUP = (
    "MATCH (n:Facets {key: 'facets'}) RETURN n.award_types AS award_types, n.fy_min AS fy_min, n.fy_max AS fy_max"
)
# How each operator of a filter term (`graph.store.filter_terms`) reads in Cypher over `f` (a Fact): properties are
# declared constants, values the $parameter named after the filter's field
CYPHER_TERMS = {
    "equals": "f.{column} = ${name}",
    "in": "f.{column} IN ${name}",
    "lower_in": "toLower(f.{column}) IN ${name}",
    "at_least": "f.{column} >= ${name}",
    "at_most": "f.{column} <= ${name}",
    "true": "f.{column}",
    "false": "NOT f.{column}",
}


def fact_where(chosen: FactFilter) -> tuple[str, dict]:
    """The WHERE over `f` (a Fact) that `chosen` declares (`graph.store.FACT_FILTERS`), with its parameters."""
    conditions, params = ["true"], {}
    for term in filter_terms(chosen):
        conditions.append(CYPHER_TERMS[term.op].format(column=term.column, name=term.name))
        if term.op not in ("true", "false"):
            params[term.name] = term.value
    return " AND ".join(conditions), params


def fact_groups(chosen: FactFilter, by: str | None) -> tuple[str, dict]:
    where, params = fact_where(chosen)
    keys = "".join(f"f.{column} AS {column}, " for column in GROUPINGS[by])
    return (
        f"MATCH (f:Fact) WHERE {where} RETURN {keys}sum(f.cents) AS cents, count(DISTINCT f.award_key) AS awards, "
        f"count(*) AS facts, count(f.amount) AS reported"
    ), params


def group_awards(chosen: FactFilter) -> tuple[str, dict]:
    where, params = fact_where(chosen)
    return (
        f"""UNWIND $groups AS g MATCH (f:Fact) WHERE f.recipient IN g.members AND {where}
                RETURN g.gid AS gid, count(DISTINCT f.award_key) AS awards"""
    ), params


def group_top_awards(chosen: FactFilter) -> tuple[str, dict]:
    where, params = fact_where(chosen)
    return (
        f"""UNWIND $groups AS g MATCH (f:Fact) WHERE f.recipient IN g.members AND {where}
                WITH g.gid AS gid, f.award_key AS award_key, coalesce(sum(f.cents), 0) AS cents
                ORDER BY gid, cents DESC, award_key
                WITH gid, collect({{award_key: award_key, cents: cents}})[..$limit] AS top
                RETURN gid, top ORDER BY gid"""
    ), params


def year_totals(chosen: FactFilter) -> tuple[str, dict]:
    where, params = fact_where(chosen)
    return (
        f"""MATCH (f:Fact) WHERE {where}
                CALL (f) {{ RETURN f.split AS split, f.fiscal_year AS fiscal_year, 0 AS g
                            UNION ALL RETURN null AS split, null AS fiscal_year, 3 AS g }}
                RETURN split, fiscal_year, g, sum(f.cents) AS cents, count(f.amount) AS reported, count(*) AS facts,
                       count(DISTINCT f.award_key) AS awards"""
    ), params


def largest_awards(chosen: FactFilter) -> tuple[str, dict]:
    where, params = fact_where(chosen)
    return (
        f"""MATCH (f:Fact) WHERE {where} WITH DISTINCT f.award_key AS key MATCH (a:Award {{key: key}})
                RETURN key ORDER BY coalesce(a.obligated_cents, 0) DESC, key LIMIT $limit"""
    ), params


# The whole graph, table by table, as rows of the shape `graph.stores.duckdb.reads.TABLES` gives (for exports).
WHOLE_GRAPH = {
    "vendor": "MATCH (n:Vendor) RETURN properties(n) AS row",
    "agency": "MATCH (n:Agency) WHERE NOT n:Local RETURN properties(n) AS row",
    "agency_link": "MATCH (c:Agency)-[:PART_OF]->(p:Agency) WHERE NOT c:Local RETURN {child: c.id, parent: p.id} AS row",
    "vendor_parent": "MATCH (:Vendor)-[r:PARENT]->(:Vendor) RETURN properties(r) AS row",
    "award": "MATCH (n:Award) RETURN properties(n) AS row",
    "fact": "MATCH (n:Fact) RETURN properties(n) AS row",
    "subaward": "MATCH (:Award)-[s:SUBAWARD]->(:Vendor) RETURN properties(s) AS row",
    "mention": "MATCH (:Fact)-[m:MENTIONS_PRODUCT]->(:Vendor) RETURN properties(m) AS row",
    # a loaded vehicle's record (a node that only orders point at has none)
    "vehicle": "MATCH (n:Vehicle) WHERE n.records IS NOT NULL RETURN properties(n) AS row",
    "local_agency": "MATCH (n:Local) RETURN properties(n) AS row",
    "local_link": "MATCH (c:Local)-[:PART_OF]->(p:Local) RETURN {child: c.id, parent: p.id} AS row",
    "deployment": "MATCH (:Local)-[r:USES]->(:Vendor) RETURN properties(r) AS row",
    "local_contract": "MATCH (:Local)-[r:CONTRACTS_WITH]->(:Vendor) RETURN properties(r) AS row",
    "sharing": "MATCH (:Local)-[r:SHARES_DATA_WITH]->(:Local) RETURN properties(r) AS row",
}
