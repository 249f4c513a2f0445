"""The local layer in the embedded store: the rows kept (`local_record`) and the tables derived from them.

Derived like the federal tables, from every row held at once, so file order and reruns change nothing:
- `local_agency`: one row per agency key with every spelling, its jurisdiction, place, the federal body it
  belongs to (data/federal_names.csv), and its latest policy as properties; plus those federal bodies;
- `local_link`: agency -PART_OF-> federal body -PART_OF-> body (data/federal_bodies.csv);
- `deployment`, `local_contract`, `sharing`: one row per key, citing the row it was taken from and
  counting the rows that reported it (`rows`: more than 1 is a duplicate, reported, never counted twice);
- `local_match`: the same normalized name and state in two sources, a low-confidence match for review;
  a pair a reviewer judged the same (data/judgements.csv, kind local) is one agency: the smallest id, the
  other kept among its aliases (`local_alias` maps it), and every row of either is that agency's.
A vendor name resolves as a name-only party among the federal records' parties (`PARTIES`), so a local
"Axon Enterprise" is the federal graph's vendor, and the curated families place "Flock Safety".
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import Counter, defaultdict

from core.curated import federal_body, load_federal_bodies, load_federal_names
from core.keys import name_key
from core.local import jurisdiction_of, state_of
from core.local_rows import LOCAL_FIELDS
from core.schema import LOCAL_TIER
from graph.stores.duckdb.merge import merge_new

log = logging.getLogger(__name__)

CREATE = f"""
CREATE TABLE IF NOT EXISTS local_record ({", ".join(f"{f.name} {f.type}" for f in LOCAL_FIELDS)}, run_id INTEGER);
CREATE TABLE IF NOT EXISTS local_record_new AS SELECT * FROM local_record LIMIT 0;
"""
MERGE_NEW = merge_new("local_record", ("kind", "key", "source", "record"))  # as the federal records are merged
CLEAR_NEW = "DELETE FROM local_record_new;"
VENDOR_PARTIES = "SELECT vendor_name, NULL, NULL, NULL FROM local_record WHERE vendor_name IS NOT NULL"

_VENDOR_JOIN = """LEFT JOIN party_vendor pv ON pv.name = r.vendor_name AND pv.uei = '' AND pv.duns = ''
                  LEFT JOIN vendor v ON v.id = pv.vendor_id"""
# A row's agency as derived (a judged-same agency's rows are the kept id's), and its key with that agency first
_AGENCY = "coalesce(al.canonical, r.agency)"
_ALIAS_JOIN = "LEFT JOIN local_alias al ON al.id = r.agency"
_KEY = f"{_AGENCY} || substr(r.key, length(r.agency) + 1)"
# A deployment is its latest record; when several records name it (a tracker's "cancelled" after a survey's
# "active"), `history` lists every one, oldest first, as JSON: neither is dropped from what a reader sees.
DERIVED = f"""
CREATE OR REPLACE TABLE deployment AS
WITH history AS (
    SELECT key, to_json(list({{'status': status, 'status_as_written': status_as_written, 'as_of': as_of, 'url': url,
                               'archive_url': archive_url, 'source': source, 'record': record}}
                             ORDER BY as_of NULLS FIRST, source, record))::VARCHAR AS history
    FROM (SELECT {_KEY} AS key, r.* EXCLUDE (key) FROM local_record r {_ALIAS_JOIN} WHERE r.kind = 'deployment')
    GROUP BY key HAVING count(*) > 1),
kept AS (SELECT {_KEY} AS key, {_AGENCY} AS agency, r.* EXCLUDE (key, agency)
         FROM local_record r {_ALIAS_JOIN} WHERE r.kind = 'deployment')
SELECT r.key, r.agency, pv.vendor_id AS vendor, v.family, r.vendor_name, r.technology, r.status,
       r.status_as_written, r.as_of, r.count, r.url, r.archive_url, r.notes, r.details, r.source, r.record,
       r.retrieved, count(*) OVER (PARTITION BY r.key) AS rows, h.history
FROM kept r {_VENDOR_JOIN} LEFT JOIN history h ON h.key = r.key
QUALIFY row_number() OVER (PARTITION BY r.key ORDER BY r.as_of DESC NULLS LAST, r.source, r.record) = 1;
CREATE OR REPLACE TABLE local_contract AS
WITH kept AS (SELECT {_KEY} AS key, {_AGENCY} AS agency, r.* EXCLUDE (key, agency)
              FROM local_record r {_ALIAS_JOIN} WHERE r.kind = 'contract')
SELECT r.key, r.agency, pv.vendor_id AS vendor, v.family, r.vendor_name, r.technology, r.number,
       r.as_of AS start_date, r.end_date, round(r.amount * 100)::BIGINT AS amount_cents, r.url, r.archive_url,
       r.notes, r.source, r.record, r.retrieved, count(*) OVER (PARTITION BY r.key) AS rows
FROM kept r {_VENDOR_JOIN}
QUALIFY row_number() OVER (PARTITION BY r.key ORDER BY r.source, r.record) = 1;
CREATE OR REPLACE TABLE sharing AS
WITH portal AS (SELECT agency, min(url) AS url FROM deployment WHERE url IS NOT NULL GROUP BY agency),
kept AS (  -- owner|searcher|system, each agency as derived
    SELECT {_AGENCY} || '|' || coalesce(ao.canonical, r.other) || '|'
               || substr(r.key, length(r.agency) + length(r.other) + 3) AS key,
           {_AGENCY} AS owner, coalesce(ao.canonical, r.other) AS searcher, r.system, r.as_of, r.url, r.source,
           r.record
    FROM local_record r {_ALIAS_JOIN} LEFT JOIN local_alias ao ON ao.id = r.other WHERE r.kind = 'sharing')
SELECT r.key, r.owner, r.searcher, r.system, max(r.as_of) OVER w AS as_of,
       coalesce(r.url, p.url) AS portal, r.source, r.record, count(*) OVER w AS rows
FROM kept r LEFT JOIN portal p ON p.agency = r.owner
WINDOW w AS (PARTITION BY r.key)
QUALIFY row_number() OVER (PARTITION BY r.key ORDER BY r.source, r.record) = 1;
CREATE OR REPLACE TABLE local_agency AS
WITH policy AS (
    SELECT {_AGENCY} AS agency, r.as_of, r.url, r.text_hash, r.details, r.source, r.record,
           count(DISTINCT {_KEY}) OVER (PARTITION BY {_AGENCY}) AS versions
    FROM local_record r {_ALIAS_JOIN} WHERE r.kind = 'policy'
    QUALIFY row_number() OVER (PARTITION BY {_AGENCY} ORDER BY r.as_of DESC NULLS LAST, r.source, r.record) = 1),
flock AS (  -- the figures a portal reports beside its policy: retention and the hotlists it alerts on
    SELECT agency, max(TRY_CAST(json_extract_string(details, '$.data_retention_in_days') AS INTEGER)) AS retention_days,
           max(json_extract_string(details, '$.hotlists_alerted_on')) AS hotlists
    FROM deployment WHERE details IS NOT NULL GROUP BY agency)
SELECT b.id, b.name, b.aliases, b.tier, b.jurisdiction, b.state, b.county, b.city, b.notes, b.code, b.federal_id,
       b.federal_body, b.federal_relation, b.federal_source, b.source, b.record,
       p.as_of AS policy_updated, p.url AS policy_url, p.text_hash AS policy_hash, p.details AS policy_sections,
       json_extract_string(p.details, '$.prohibited_uses') AS prohibited_uses, p.source AS policy_source,
       p.record AS policy_record, p.versions AS policy_versions, f.retention_days, f.hotlists
FROM local_agency_base b LEFT JOIN policy p ON p.agency = b.id LEFT JOIN flock f ON f.agency = b.id;
"""
AGENCY_COLUMNS = [
    "id",
    "name",
    "aliases",
    "tier",
    "jurisdiction",
    "state",
    "county",
    "city",
    "notes",
    "code",
    "federal_id",
    "federal_body",
    "federal_relation",
    "federal_source",
    "source",
    "record",
]


def derive_local(con) -> None:
    """Rebuild the local tables (after the federal vendor tables: vendors resolve against them)."""
    from graph.stores.duckdb import arrow as duck_arrow

    started = time.perf_counter()
    names: dict[str, Counter] = defaultdict(Counter)
    listed: dict[str, tuple] = {}
    for kind, agency, name, other, other_name, jurisdiction, state, county, city, notes, source, record in con.execute(
        """SELECT kind, agency, agency_name, other, other_name, jurisdiction, state, county, city, notes, source,
                      record FROM local_record ORDER BY source, record, kind, key"""
    ).fetchall():
        names[agency][name] += 1
        if other is not None:
            names[other][other_name] += 1
        # an agency's own row (a list of agencies) describes it first, else the first row saying what it is
        described = kind == "agency" or any((jurisdiction, state, county, city))
        if described and (agency not in listed or (kind == "agency" and not listed[agency][0])):
            listed[agency] = (kind == "agency", (name, jurisdiction, state, county, city, notes, source, record))
    merged = judged_same(names)
    for agency, kept in sorted(merged.items()):  # its spellings are the kept agency's; its row describes it if
        names[kept].update(names.pop(agency))  # the kept one's own rows do not
        if agency in listed and (kept not in listed or (listed[agency][0] and not listed[kept][0])):
            listed[kept] = listed[agency]
    duck_arrow.frame(con, "local_alias", ["id", "canonical"], sorted(merged.items()))
    also = defaultdict(list)
    for agency, kept in merged.items():
        also[kept].append(agency)
    bodies, patterns = load_federal_bodies(), load_federal_names()
    rows, links, used = [], set(), set()
    for agency in sorted(names):
        spelled = names[agency]
        own, described = listed.get(agency, (False, None))
        name, jurisdiction, state, county, city, notes, source, record = described or (
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        if not own:  # named by a list of agencies, or else spelled most often (ties: the first by sort)
            name = min(spelled, key=lambda n: (-spelled[n], n))
        body = federal_body(patterns, name)
        if body is not None:
            links.add((agency, body[0]))
            used.add(body[0])
            jurisdiction = "federal"
        rows.append(
            (
                agency,
                name,
                sorted(spelled) + sorted(also[agency]),  # a judged-same agency's id finds it too
                LOCAL_TIER,
                jurisdiction or jurisdiction_of(name),
                state or state_of(name),
                county,
                city,
                notes,
                None,
                None,
                *(body or (None, None, None)),
                source,
                record,
            )
        )
    while used:  # the bodies matched and those above them
        body = bodies[used.pop()]
        if body["parent"]:
            links.add((body["id"], body["parent"]))
            used.add(body["parent"])
        if body["id"] not in {row[0] for row in rows}:
            rows.append(
                (
                    body["id"],
                    body["name"],
                    sorted({body["name"], body["abbreviation"]}),
                    body["tier"],
                    "federal",
                    None,
                    None,
                    None,
                    None,
                    body["federal_id"].split(":")[-1] or None,
                    body["federal_id"] or None,
                    None,
                    None,
                    body["source"],
                    "data/federal_bodies.csv",
                    f"id {body['id']}",
                )
            )
    duck_arrow.frame(con, "local_agency_base", AGENCY_COLUMNS, sorted(rows, key=lambda row: row[0]))
    duck_arrow.frame(con, "local_link_new", ["child", "parent"], sorted(links))
    con.execute("CREATE OR REPLACE TABLE local_link AS SELECT * FROM local_link_new")
    con.execute(DERIVED)
    duck_arrow.frame(con, "local_match_new", ["key", "a", "b", "name_key", "state", "a_name", "b_name"], _matches(rows))
    con.execute("CREATE OR REPLACE TABLE local_match AS SELECT * FROM local_match_new")
    log.info("derive local layer: %.2fs", time.perf_counter() - started)


def judged_same(agencies) -> dict[str, str]:
    """{agency id: the id it is kept under} for local agencies a reviewer judged the same (data/judgements.csv,
    kind local, verdict same; the last word on a pair counts): each group is kept under its smallest id."""
    from core.judgements import load_judgements

    present = set(agencies)
    up: dict[str, str] = {}

    def root(agency: str) -> str:
        while up.get(agency, agency) != agency:
            agency = up[agency]
        return agency

    for judgement in load_judgements().values():
        if (
            judgement.kind == "local"
            and judgement.verdict == "same"
            and {judgement.record, judgement.target} <= present
        ):
            a, b = sorted((root(judgement.record), root(judgement.target)))
            if a != b:
                up[b] = a
    return {agency: root(agency) for agency in sorted(up)}


def _matches(rows: list[tuple]) -> list[tuple]:
    """Pairs of agencies of different sources with the same normalized name and state (a state both know)."""
    groups = defaultdict(list)
    for agency, name, _, tier, _, state, *_ in rows:
        if tier == LOCAL_TIER and state:
            groups[(name_key(name), state)].append((agency, name))
    pairs = []
    for (key, state), members in sorted(groups.items()):
        for (a, a_name), (b, b_name) in itertools.combinations(sorted(members), 2):
            if a.split(":")[1] != b.split(":")[1]:  # one source's ids are already one agency each
                pairs.append((f"{a}|{b}", a, b, key, state, a_name, b_name))
    return pairs


# The columns each local table is read with, in both stores (Neo4j keeps no null property: a store fills them).
AGENCY_READ = (
    *AGENCY_COLUMNS,
    "policy_updated",
    "policy_url",
    "policy_hash",
    "policy_sections",
    "prohibited_uses",
    "policy_source",
    "policy_record",
    "policy_versions",
    "retention_days",
    "hotlists",
)
DEPLOYMENT_READ = (
    "key",
    "agency",
    "vendor",
    "family",
    "vendor_name",
    "technology",
    "status",
    "status_as_written",
    "as_of",
    "count",
    "url",
    "archive_url",
    "notes",
    "details",
    "source",
    "record",
    "retrieved",
    "rows",
    "history",
)
CONTRACT_READ = (
    "key",
    "agency",
    "vendor",
    "family",
    "vendor_name",
    "technology",
    "number",
    "start_date",
    "end_date",
    "amount_cents",
    "url",
    "archive_url",
    "notes",
    "source",
    "record",
    "retrieved",
    "rows",
)
SHARING_READ = ("key", "owner", "searcher", "system", "as_of", "portal", "source", "record", "rows")
MATCH_READ = ("key", "a", "b", "name_key", "state", "a_name", "b_name")
SIDES = {"owner": "owner", "searcher": "searcher"}  # column names, never user text


class LocalSqlFetches:
    """The local layer's fetches (`graph.store.Reads`), mixed into the embedded store."""

    def fetch_local_agencies(self, ids: list[str] | None = None) -> list[dict]:
        where, params = ("WHERE list_contains(?, id)", [list(ids)]) if ids is not None else ("", [])
        return self._rows(f"SELECT {', '.join(AGENCY_READ)} FROM local_agency {where} ORDER BY id", params)

    def _by_agency(self, table: str, columns, agencies, families) -> list[dict]:
        conditions, params = ["TRUE"], []
        if agencies is not None:
            conditions.append("list_contains(?, agency)")
            params.append(list(agencies))
        if families is not None:
            conditions.append("list_contains(?, family)")
            params.append(list(families))
        return self._rows(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {' AND '.join(conditions)} ORDER BY agency, key", params
        )

    def fetch_deployments(self, agencies: list[str] | None = None, families: list[str] | None = None) -> list[dict]:
        return self._by_agency("deployment", DEPLOYMENT_READ, agencies, families)

    def fetch_local_contracts(self, agencies: list[str] | None = None, families: list[str] | None = None) -> list[dict]:
        return self._by_agency("local_contract", CONTRACT_READ, agencies, families)

    def fetch_sharing(self, ids: list[str], side: str) -> list[dict]:
        return self._rows(
            f"SELECT {', '.join(SHARING_READ)} FROM sharing WHERE list_contains(?, {SIDES[side]}) ORDER BY key",
            [list(ids)],
        )

    def fetch_sharing_counts(self) -> list[dict]:
        return self._rows("""
            SELECT id AS agency, count(DISTINCT o.key) AS searchable_by, count(DISTINCT s.key) AS can_search
            FROM local_agency a LEFT JOIN sharing o ON o.owner = a.id LEFT JOIN sharing s ON s.searcher = a.id
            GROUP BY id HAVING count(o.key) + count(s.key) > 0 ORDER BY id""")

    def fetch_local_links(self) -> list[dict]:
        return self._rows("SELECT child, parent FROM local_link ORDER BY child, parent")

    def fetch_local_matches(self) -> list[dict]:
        return self._rows(f"SELECT {', '.join(MATCH_READ)} FROM local_match ORDER BY key")

    def fetch_local_counts(self) -> dict:
        rows = self._rows("""
            SELECT (SELECT count(*) FROM local_agency WHERE tier = 'local') AS agencies,
                   (SELECT count(*) FROM local_agency WHERE tier <> 'local') AS federal_bodies,
                   (SELECT count(*) FROM deployment) AS deployments,
                   (SELECT count(count) FROM deployment) AS deployments_with_count,
                   (SELECT count(*) FROM local_contract) AS contracts,
                   (SELECT count(*) FROM sharing) AS sharing_links,
                   (SELECT coalesce(sum(rows - 1), 0) FROM sharing) AS sharing_duplicate_rows,
                   (SELECT count(policy_versions) FROM local_agency) AS agencies_with_policy,
                   (SELECT coalesce(sum(policy_versions), 0) FROM local_agency) AS policies""")
        return rows[0] if rows else {}


# The local tables as the Neo4j store pushes them: (table, key columns, SELECT), after the federal TABLES
# (vendors first). Key columns name what a deletion needs to find the relationship from its start node.
LOCAL_TABLES = (
    ("local_agency", ("id",), f"SELECT {', '.join(AGENCY_READ)} FROM local_agency"),
    ("local_link", ("child", "parent"), "SELECT child, parent FROM local_link"),
    ("deployment", ("key", "agency"), f"SELECT {', '.join(DEPLOYMENT_READ)} FROM deployment"),
    ("local_contract", ("key", "agency"), f"SELECT {', '.join(CONTRACT_READ)} FROM local_contract"),
    ("sharing", ("key", "owner"), f"SELECT {', '.join(SHARING_READ)} FROM sharing"),
    ("local_match", ("key",), f"SELECT {', '.join(MATCH_READ)} FROM local_match"),
)
