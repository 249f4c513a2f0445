"""The Cypher of the local layer (graph/stores/duckdb/local.py): its pushes and its reads, values as parameters only.

Local agencies and the federal bodies they name are `Agency` nodes with the second label `Local`, so the
federal reads (which leave `Local` out) answer as before, and a local agency is one MATCH away from them.
"""

from __future__ import annotations

from core.schema import LOCAL_LABEL
from graph.stores.duckdb.local import SHARING_READ

LOCAL = LOCAL_LABEL  # core/schema.py
UPSERT = {
    "local_agency": "UNWIND $rows AS row MERGE (n:Agency {id: row.id}) SET n = row, n:Local",
    "local_link": """UNWIND $rows AS row MATCH (c:Agency {id: row.child}) MATCH (p:Agency {id: row.parent})
                     MERGE (c)-[:PART_OF]->(p)""",
    "deployment": """UNWIND $rows AS row MATCH (a:Agency {id: row.agency}) MATCH (v:Vendor {id: row.vendor})
                     MERGE (a)-[r:USES {key: row.key}]->(v) SET r = row""",
    "local_contract": """UNWIND $rows AS row MATCH (a:Agency {id: row.agency}) MATCH (v:Vendor {id: row.vendor})
                         MERGE (a)-[r:CONTRACTS_WITH {key: row.key}]->(v) SET r = row""",
    "sharing": """UNWIND $rows AS row MATCH (o:Agency {id: row.owner}) MATCH (s:Agency {id: row.searcher})
                  MERGE (o)-[r:SHARES_DATA_WITH {key: row.key}]->(s) SET r = row""",
    "local_match": "UNWIND $rows AS row MERGE (m:LocalMatch {key: row.key}) SET m = row",
}
DELETE = {
    "local_agency": "UNWIND $rows AS row MATCH (n:Agency:Local {id: row.id}) DETACH DELETE n",
    "local_link": """UNWIND $rows AS row MATCH (:Agency {id: row.child})-[r:PART_OF]->(:Agency {id: row.parent})
                     DELETE r""",
    "deployment": "UNWIND $rows AS row MATCH (:Agency {id: row.agency})-[r:USES {key: row.key}]->() DELETE r",
    "local_contract": """UNWIND $rows AS row MATCH (:Agency {id: row.agency})-[r:CONTRACTS_WITH {key: row.key}]->()
                         DELETE r""",
    "sharing": "UNWIND $rows AS row MATCH (:Agency {id: row.owner})-[r:SHARES_DATA_WITH {key: row.key}]->() DELETE r",
    "local_match": "UNWIND $rows AS row MATCH (m:LocalMatch {key: row.key}) DELETE m",
}
CONSTRAINTS = ["CREATE CONSTRAINT localmatch_key IF NOT EXISTS FOR (n:LocalMatch) REQUIRE n.key IS UNIQUE"]

AGENCIES = "MATCH (a:Local) WHERE $ids IS NULL OR a.id IN $ids RETURN properties(a) AS row ORDER BY a.id"
_BY_AGENCY = """MATCH (:Local)-[r:{rel}]->(:Vendor)
WHERE ($agencies IS NULL OR r.agency IN $agencies) AND ($families IS NULL OR r.family IN $families)
RETURN properties(r) AS row ORDER BY r.agency, r.key"""
DEPLOYMENTS = _BY_AGENCY.replace("{rel}", "USES")
CONTRACTS = _BY_AGENCY.replace("{rel}", "CONTRACTS_WITH")
# one record holding every link as a list of SHARING_READ's values: thousands of links come back in a third of the
# time that one record per link takes the driver
_LINK = "[" + ", ".join(f"r.{name}" for name in SHARING_READ) + "]"
SHARING = {
    "owner": f"""UNWIND $ids AS id MATCH (:Agency {{id: id}})-[r:SHARES_DATA_WITH]->()
                 WITH r ORDER BY r.key RETURN collect({_LINK}) AS rows""",
    "searcher": f"""UNWIND $ids AS id MATCH ()-[r:SHARES_DATA_WITH]->(:Agency {{id: id}})
                    WITH r ORDER BY r.key RETURN collect({_LINK}) AS rows""",
}
SHARING_COUNTS = """
MATCH (a:Local)
WITH a, COUNT { (a)-[:SHARES_DATA_WITH]->() } AS searchable_by, COUNT { ()-[:SHARES_DATA_WITH]->(a) } AS can_search
WHERE searchable_by + can_search > 0
RETURN a.id AS agency, searchable_by, can_search ORDER BY agency"""
LINKS = "MATCH (c:Local)-[:PART_OF]->(p:Local) RETURN c.id AS child, p.id AS parent ORDER BY child, parent"
MATCHES = "MATCH (m:LocalMatch) RETURN properties(m) AS row ORDER BY m.key"
COUNTS = """
CALL () { MATCH (a:Local) RETURN count(CASE WHEN a.tier = 'local' THEN 1 END) AS agencies,
                                 count(CASE WHEN a.tier <> 'local' THEN 1 END) AS federal_bodies,
                                 count(a.policy_versions) AS agencies_with_policy,
                                 coalesce(sum(a.policy_versions), 0) AS policies }
CALL () { MATCH (:Local)-[r:USES]->() RETURN count(r) AS deployments, count(r.count) AS deployments_with_count }
CALL () { MATCH (:Local)-[r:CONTRACTS_WITH]->() RETURN count(r) AS contracts }
CALL () { MATCH (:Local)-[r:SHARES_DATA_WITH]->() RETURN count(r) AS sharing_links,
                                                         coalesce(sum(r.rows - 1), 0) AS sharing_duplicate_rows }
RETURN agencies, federal_bodies, deployments, deployments_with_count, contracts, sharing_links,
       sharing_duplicate_rows, agencies_with_policy, policies"""
