"""Every Cypher statement the Neo4j store runs, in one place.

Values always travel as parameters ($rows, $ids, ...). The only text composed here is made of the
schema's own label, relationship and property names (constants in `core.schema`), at import time;
no user or record text ever becomes part of a statement.
"""
from __future__ import annotations

from core.schema import DERIVE_AWARD_INPUTS, DERIVE_TRANSACTION_INPUTS, LABELS, REL_TYPES

# -- schema: constraints first, then the indexes the reads filter on -----------------------------
CONSTRAINTS = [
    f"CREATE CONSTRAINT {label.name.lower()}_{label.key} IF NOT EXISTS "
    f"FOR (n:{label.name}) REQUIRE n.{label.key} IS UNIQUE"
    for label in LABELS.values()
] + ["CREATE CONSTRAINT load_run_seq IF NOT EXISTS FOR (n:LoadRun) REQUIRE n.seq IS UNIQUE"]

INDEXES = [
    "CREATE INDEX agency_code IF NOT EXISTS FOR (n:Agency) ON (n.code)",
    "CREATE INDEX award_fy_first IF NOT EXISTS FOR (n:Award) ON (n.fy_first)",
    "CREATE INDEX award_fy_last IF NOT EXISTS FOR (n:Award) ON (n.fy_last)",
    "CREATE INDEX award_recipient IF NOT EXISTS FOR (n:Award) ON (n.recipient)",
    "CREATE INDEX award_awarded_by IF NOT EXISTS FOR (n:Award) ON (n.awarded_by)",
    "CREATE INDEX award_funded_by IF NOT EXISTS FOR (n:Award) ON (n.funded_by)",
]


# -- writes: MERGE on the key, then each property by its merge policy (see core.schema) ----------
def _assignments(var: str, policies: dict[str, str]) -> str:
    """SET items applying the merge policies to an existing node or edge (graph/batch.merge_props).
    A "latest" property is taken when `take_<name>` (computed on the stored values beforehand) holds."""
    items = []
    for name, policy in policies.items():
        stored, incoming = f"{var}.{name}", f"row.props.{name}"
        if policy == "first":
            items.append(f"{stored} = coalesce({stored}, {incoming})")
        elif policy == "last":
            items.append(f"{stored} = coalesce({incoming}, {stored})")
        elif policy == "union":
            items.append(f"{stored} = CASE WHEN {incoming} IS NULL THEN {stored} ELSE coalesce({stored}, []) + "
                         f"[item IN {incoming} WHERE NOT item IN coalesce({stored}, [])] END")
        elif policy.startswith("latest:"):
            items.append(f"{stored} = CASE WHEN take_{name} THEN {incoming} ELSE {stored} END")
            if name != policy.split(":", 1)[1]:
                stamp = f"{name}_as_of"
                items.append(f"{var}.{stamp} = CASE WHEN take_{name} THEN row.props.{stamp} ELSE {var}.{stamp} END")
    return ",\n    ".join(items)


def _take_latest(var: str, policies: dict[str, str]) -> str:
    """`take_<name>` for each "latest" property, from the stored values before any is changed."""
    takes = []
    for name, policy in policies.items():
        if not policy.startswith("latest:"):
            continue
        stamp = name if name == policy.split(":", 1)[1] else f"{name}_as_of"
        takes.append(f"row.props.{name} IS NOT NULL AND ({var}.{name} IS NULL OR (row.props.{stamp} IS NOT NULL AND "
                     f"({var}.{stamp} IS NULL OR row.props.{stamp} >= {var}.{stamp}))) AS take_{name}")
    return ", ".join(takes)


def _node_upsert(label) -> str:
    # A new node takes the row as it is (what the policies would give it); an existing one merges.
    takes = _take_latest("old", label.properties)
    if not takes:
        return (f"UNWIND $rows AS row\n"
                f"MERGE (n:{label.name} {{{label.key}: row.key}})\n"
                f"ON CREATE SET n += row.props\n"
                f"ON MATCH SET {_assignments('n', label.properties)}")
    # Returns the keys it created: edges leaving a node created in this batch can be CREATEd (EDGE_CREATE).
    return (f"UNWIND $rows AS row\n"
            f"OPTIONAL MATCH (old:{label.name} {{{label.key}: row.key}})\n"
            f"WITH row, old IS NULL AS created, {takes}\n"
            f"MERGE (n:{label.name} {{{label.key}: row.key}})\n"
            f"ON CREATE SET n += row.props\n"
            f"ON MATCH SET {_assignments('n', label.properties)}\n"
            f"WITH row WHERE created\n"
            f"RETURN row.key AS key")


def _endpoints(rel) -> str:
    # the store MERGEs every endpoint node first (ENSURE_NODES), so plain lookups do here
    start, end = LABELS[rel.start], LABELS[rel.end]
    return (f"UNWIND $rows AS row\n"
            f"MATCH (a:{start.name} {{{start.key}: row.start}})\n"
            f"MATCH (b:{end.name} {{{end.key}: row.end}})\n")


def _edge_upsert(rel) -> str:
    if rel.single:
        # At most one edge of this type leaves `a`: the higher rank wins, a tie keeps the stored one.
        # Rows of one statement never share a start node (the store splits them into rounds).
        return (_endpoints(rel) +
                f"WITH a, b, row\n"
                f"OPTIONAL MATCH (a)-[same:{rel.name}]->(b)\n"
                f"OPTIONAL MATCH (a)-[rival:{rel.name}]->(other) WHERE other <> b\n"
                f"WITH a, b, row, same, rival,\n"
                f"     same IS NULL AND (rival IS NULL OR coalesce(rival.rank, 0) < coalesce(row.props.rank, 0)) AS wins\n"
                f"FOREACH (_ IN CASE WHEN same IS NOT NULL THEN [1] ELSE [] END |\n"
                f"  SET {_assignments('same', rel.properties)})\n"
                f"FOREACH (_ IN CASE WHEN wins AND rival IS NOT NULL THEN [1] ELSE [] END | DELETE rival)\n"
                f"FOREACH (_ IN CASE WHEN wins THEN [1] ELSE [] END |\n"
                f"  CREATE (a)-[r:{rel.name}]->(b) SET r = row.props)")
    match = f"(a)-[r:{rel.name} {{key: row.key}}]->(b)" if rel.keyed else f"(a)-[r:{rel.name}]->(b)"
    body = _assignments("r", rel.properties)
    return (_endpoints(rel) + f"MERGE {match}\nON CREATE SET r += row.props" +
            (f"\nON MATCH SET {body}" if body else ""))


def _edge_create(rel) -> str:
    """For edges whose start node this batch created: nothing to merge with, no rival to beat."""
    key = ", r.key = row.key" if rel.keyed else ""
    return _endpoints(rel) + f"CREATE (a)-[r:{rel.name}]->(b)\nSET r = row.props{key}"


NODE_UPSERT = {name: _node_upsert(label) for name, label in LABELS.items()}
EDGE_CREATE = {name: _edge_create(rel) for name, rel in REL_TYPES.items()}
# Edge endpoints that are not among the batch's nodes: created bare if missing (as the embedded store does).
ENSURE_NODES = {name: f"UNWIND $keys AS key MERGE (:{name} {{{label.key}: key}})" for name, label in LABELS.items()}
EDGE_UPSERT = {name: _edge_upsert(rel) for name, rel in REL_TYPES.items()}

DERIVE_READ = """
UNWIND $keys AS key
MATCH (w:Award {key: key})
WITH w, w.awarded_by AS before
OPTIONAL MATCH (w)-[:AWARDED_TO]->(v:Vendor)
OPTIONAL MATCH (w)-[:AWARDED_BY]->(a:Agency)
OPTIONAL MATCH (w)-[:FUNDED_BY]->(f:Agency)
OPTIONAL MATCH (w)-[:HAS_TRANSACTION]->(t:Transaction)
RETURN w.key AS key, w {%s} AS award, v.id AS recipient, a.id AS awarded_by, f.id AS funded_by, before,
       collect(t {%s}) AS transactions
""" % (", ".join(f".{name}" for name in DERIVE_AWARD_INPUTS), ", ".join(f".{name}" for name in DERIVE_TRANSACTION_INPUTS))
DERIVE_WRITE = """
UNWIND $rows AS row
MATCH (w:Award {key: row.key})
SET w += row.derived
"""

VENDOR_INDEX = """
MATCH (v:Vendor)
RETURN v.id AS id, v.uei AS uei, v.duns AS duns, [v.name] + coalesce(v.aliases, []) AS names
ORDER BY id
"""

RUN_LOG = """
OPTIONAL MATCH (last:LoadRun)
WITH coalesce(max(last.seq), 0) + 1 AS seq
CREATE (:LoadRun {seq: seq, run: $run})
"""
RUNS = "MATCH (r:LoadRun) RETURN r.run AS run ORDER BY r.seq"

# Deletes in chunks, each its own transaction (auto-commit session only).
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

# -- reads -----------------------------------------------------------------------------------
NODE_COUNTS = {name: f"MATCH (n:{name}) RETURN count(n) AS count" for name in LABELS}
REL_COUNTS = {name: f"MATCH ()-[r:{name}]->() RETURN count(r) AS count" for name in REL_TYPES}

SEARCH = """
MATCH (n)
WHERE (n:Vendor OR n:Agency)
  AND any(name IN [n.name, n.code, n.abbreviation] + coalesce(n.aliases, []) WHERE toLower(name) CONTAINS $needle)
RETURN labels(n)[0] AS kind, n.id AS id, n.name AS name, n.tier AS tier, n.code AS code
"""

VENDOR_MATCHES = """
MATCH (v:Vendor)
WHERE any(name IN [v.name] + coalesce(v.aliases, []) WHERE toLower(name) CONTAINS $needle)
RETURN v.id AS id
"""

# Projections: the part of the graph a query reads, as node and edge rows.
AGENCIES = """
MATCH (a:Agency)
OPTIONAL MATCH (a)-[r:PART_OF]->(b:Agency)
RETURN properties(a) AS node, b.id AS parent, properties(r) AS rel
"""

FAMILIES = """
UNWIND $ids AS id
MATCH (v:Vendor {id: id})-[:PARENT*0..]-(m:Vendor)
WITH DISTINCT m
OPTIONAL MATCH (m)-[r:PARENT]->(p:Vendor)
RETURN properties(m) AS node, p.id AS parent, properties(r) AS rel
"""
# Family heads and vendor rows need names, the curated flag and the PARENT links above: the whole
# PARENT graph is small (hundreds of links), so it is read whole, and the vendors' own names by id.
PARENT_GRAPH = """
MATCH (a:Vendor)-[r:PARENT]->(b:Vendor)
RETURN a {.id, .name, .curated} AS node, b {.id, .name, .curated} AS parent, properties(r) AS rel
"""
VENDOR_NAMES = """
UNWIND $ids AS id
MATCH (v:Vendor {id: id})
RETURN v {.id, .name, .curated} AS node
"""
VENDOR_AWARD_KEYS = """
UNWIND $ids AS id
MATCH (:Vendor {id: id})<-[:AWARDED_TO]-(w:Award)
RETURN DISTINCT w.key AS key
"""
SUBAWARDS_RECEIVED = """
UNWIND $ids AS id
MATCH (v:Vendor {id: id})<-[r:SUBAWARD]-(w:Award)
OPTIONAL MATCH (w)-[prime:AWARDED_TO]->(p:Vendor)
RETURN v.id AS vendor, properties(r) AS rel, properties(w) AS award, properties(p) AS prime,
       properties(prime) AS prime_rel
"""
AWARDS = """
UNWIND $keys AS key
MATCH (w:Award {key: key})
OPTIONAL MATCH (w)-[r:AWARDED_TO|AWARDED_BY|FUNDED_BY]->(x)
RETURN properties(w) AS award, type(r) AS type, properties(r) AS rel, labels(x)[0] AS label,
       CASE WHEN x:Vendor THEN x {.id, .name, .curated} ELSE x {.id} END AS node
"""

_MONEY = "toInteger(round(coalesce(w.obligated, 0.0) * 100))"  # whole cents, half up (nx_queries.whole_cents)

# Rollups: the store keeps, per awarding agency (as recorded), its awards grouped by recipient, fiscal
# years and award type (AwardGroup: whole cents and count), the same by recipient only (AwardPair: what
# unfiltered totals and networks read) and its largest awards (AgencyTop). They are rebuilt from the
# awards for every agency a load touched, in one write transaction, so an agency's totals and the
# network read a few thousand groups instead of walking tens of thousands of awards.
ROLLUP_LABELS = ("AwardGroup", "AwardPair", "AgencyTop")
ROLLUP_INDEXES = [f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
                  for label in ROLLUP_LABELS for prop in ("awarded_by", "recipient") if (label, prop) != ("AgencyTop", "recipient")]
ROLLUP_DELETE = """
MATCH (n) WHERE (n:AwardGroup OR n:AwardPair OR n:AgencyTop) AND n.awarded_by IN $agencies
DELETE n
"""
ROLLUP_GROUPS = f"""
MATCH (w:Award) WHERE w.awarded_by IN $agencies
WITH w.awarded_by AS awarded_by, w.recipient AS recipient, w.fy_first AS fy_first, w.fy_last AS fy_last,
     w.award_type AS award_type, sum({_MONEY}) AS money, count(w) AS awards,
     sum(toInteger(round(coalesce(w.current_value, 0.0) * 100))) AS current_value,
     sum(toInteger(round(coalesce(w.potential_value, 0.0) * 100))) AS potential_value
CREATE (g:AwardGroup)
SET g = {{awarded_by: awarded_by, recipient: recipient, fy_first: fy_first, fy_last: fy_last,
         award_type: award_type, money: money, awards: awards, current_value: current_value,
         potential_value: potential_value, version: $version}}
"""
ROLLUP_PAIRS = """
MATCH (g:AwardGroup) WHERE g.awarded_by IN $agencies
WITH g.awarded_by AS awarded_by, g.recipient AS recipient, sum(g.money) AS money, sum(g.awards) AS awards
CREATE (p:AwardPair)
SET p = {awarded_by: awarded_by, recipient: recipient, money: money, awards: awards}
"""
ROLLUP_TOPS = f"""
MATCH (w:Award) WHERE w.awarded_by IN $agencies
WITH w.awarded_by AS awarded_by, w.key AS key, {_MONEY} AS money
ORDER BY money DESC, key
WITH awarded_by, collect(key)[0..$top] AS keys, collect(money)[0..$top] AS money
CREATE (:AgencyTop {{awarded_by: awarded_by, keys: keys, money: money}})
"""
ROLLUP_BUILD = [ROLLUP_DELETE, ROLLUP_GROUPS, ROLLUP_PAIRS, ROLLUP_TOPS]
# Rollups written by another version of this code (or none at all, beside awards): rebuild them.
ROLLUP_STALE = """
OPTIONAL MATCH (g:AwardGroup) WHERE coalesce(g.version, 0) <> $version
WITH count(g) AS stale
OPTIONAL MATCH (fresh:AwardGroup)
WITH stale, count(fresh) AS groups
OPTIONAL MATCH (w:Award) WHERE w.awarded_by IS NOT NULL
WITH stale, groups, w LIMIT 1
RETURN stale > 0 OR (groups = 0 AND w IS NOT NULL) AS rebuild
"""
ROLLUP_AGENCIES = "MATCH (w:Award) WHERE w.awarded_by IS NOT NULL RETURN DISTINCT w.awarded_by AS agency"

# The vendors come with what their rows need (names, the curated flag), saving a second round trip.
AGENCY_VENDOR_SUMS = """
MATCH (g:AwardPair) WHERE g.awarded_by IN $agencies
WITH g.recipient AS vendor, sum(g.money) AS money, sum(g.awards) AS awards
OPTIONAL MATCH (v:Vendor {id: vendor})
RETURN vendor, money, awards, v {.id, .name, .curated} AS node
"""
AGENCY_YEARS = """
MATCH (g:AwardGroup) WHERE g.awarded_by IN $agencies
RETURN g.fy_first AS year, sum(g.money) AS money, sum(g.awards) AS awards,
       sum(g.current_value) AS current_value, sum(g.potential_value) AS potential_value
"""
AGENCY_TOPS = """
MATCH (t:AgencyTop) WHERE t.awarded_by IN $agencies
RETURN t.keys AS keys, t.money AS money
"""
AGENCY_LARGEST = f"""
MATCH (w:Award) WHERE w.awarded_by IN $agencies
RETURN w.key AS key
ORDER BY {_MONEY} DESC, w.key
LIMIT $limit
"""
AGENCY_FUNDED = f"""
MATCH (w:Award) WHERE w.funded_by IN $agencies
RETURN count(w) AS awards, sum({_MONEY}) AS money
"""

_GROUP_FILTERS = """
  g.recipient IS NOT NULL
  AND ($fy_from IS NULL OR coalesce(g.fy_last, 0) >= $fy_from)
  AND ($fy_to IS NULL OR coalesce(g.fy_first, 9999) <= $fy_to)
  AND ($types IS NULL OR toLower(coalesce(g.award_type, '')) IN $types)
"""
_PAIRS = """
WITH g.recipient AS vendor, g.awarded_by AS agency, sum(g.money) AS money, sum(g.awards) AS awards
OPTIONAL MATCH (v:Vendor {id: vendor})
RETURN vendor, agency, money, awards, v {.id, .name, .curated} AS node
"""


def _pairs(label: str) -> dict[str, str]:
    """The network's aggregated edges from one rollup (AwardPair unfiltered, AwardGroup with filters)."""
    filters = _GROUP_FILTERS if label == "AwardGroup" else "g.recipient IS NOT NULL"
    return {
        "agency": f"MATCH (g:{label}) WHERE g.awarded_by IN $agencies "
                  f"AND ($members IS NULL OR g.recipient IN $members) AND {filters}{_PAIRS}",
        "vendor": f"MATCH (g:{label}) WHERE g.recipient IN $members AND {filters}{_PAIRS}",
        "all": f"MATCH (g:{label}) WHERE {filters}{_PAIRS}",
    }


PAIRS = {"filtered": _pairs("AwardGroup"), "unfiltered": _pairs("AwardPair")}

FACET_TYPES = "MATCH (w:Award) WHERE w.award_type <> '' RETURN DISTINCT w.award_type AS type"
FACET_YEARS = """
MATCH (w:Award)
RETURN min(w.fy_first) AS first_min, max(w.fy_first) AS first_max, min(w.fy_last) AS last_min, max(w.fy_last) AS last_max
"""
VENDOR_TOTALS = f"""
UNWIND $ids AS id
MATCH (v:Vendor {{id: id}})
OPTIONAL MATCH (w:Award {{recipient: id}})
RETURN v.id AS id, CASE WHEN coalesce(v.name, '') = '' THEN v.id ELSE v.name END AS name,
       sum({_MONEY}) AS money, count(w) AS awards
ORDER BY id
"""

# Shortest chains ignoring direction, never through a transaction. Cypher needs a literal bound:
# MAX_HOPS (graph.nx_queries) is 10; the caller's own limit is applied to the length found.
_PATH_TYPES = "|".join(name for name in REL_TYPES if name != "HAS_TRANSACTION")
SHORTEST_CHAINS = f"""
MATCH (s:Vendor|Agency {{id: $start}}) WHERE $start_label IN labels(s)
MATCH (t:Vendor|Agency {{id: $end}}) WHERE $end_label IN labels(t)
MATCH p = allShortestPaths((s)-[:{_PATH_TYPES}*..10]-(t))
WITH p WHERE length(p) <= $max_hops
RETURN [n IN nodes(p) | [labels(n)[0], coalesce(n.id, n.key), elementId(n)]] AS chain
LIMIT $cap
"""
LINKS = """
UNWIND $pairs AS pair
MATCH (a) WHERE elementId(a) = pair[0]
MATCH (b) WHERE elementId(b) = pair[1]
WITH a, b
MATCH (a)-[r]-(b)
RETURN labels(startNode(r))[0] AS start_label, properties(startNode(r)) AS start,
       labels(endNode(r))[0] AS end_label, properties(endNode(r)) AS end, type(r) AS type, properties(r) AS rel
"""

EVERYTHING_NODES = f"""
MATCH (n) WHERE {" OR ".join(f"n:{label}" for label in LABELS)}
RETURN labels(n)[0] AS label, properties(n) AS node
"""
EVERYTHING_EDGES = """
MATCH (a)-[r]->(b)
RETURN labels(a)[0] AS start_label, coalesce(a.id, a.key) AS start, labels(b)[0] AS end_label,
       coalesce(b.id, b.key) AS end, type(r) AS type, properties(r) AS rel
"""
