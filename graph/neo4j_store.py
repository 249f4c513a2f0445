"""The Neo4j store: the same API and answers as the embedded store, in a real Neo4j database.

Writes are batched `UNWIND $rows ... MERGE` statements (graph/cypher.py), one managed write
transaction per batch, so each batch is durable when `upsert` returns: a failed load keeps the batches
written before the failure, and loading the same input again completes it without duplicating.
Reads run in one read transaction per question. The big aggregations (an agency's totals, the
vendor-agency pairs of the network) run in Cypher; the shaping of answers is the shared code in
`NxQueries`, fed through its `_need_*` hooks with just the part of the graph a question needs.
"""
from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import wraps

import networkx as nx

from . import cypher
from .batch import Batch
from .nx_queries import MAX_CHAINS, NxQueries
from core.schema import LABELS, REL_TYPES, derive_award
from .settings import neo4j_connection
from .store import StoreUnavailable

log = logging.getLogger(__name__)
ROWS_PER_STATEMENT = 5000
WRITERS = 2  # concurrent write transactions: the machine this was tuned on has 2 cores
TOP_AWARDS = 200  # largest awards kept per agency: agency profiles listing up to this many read no award scan
ROLLUP_VERSION = 2  # bump when the rollups' shape changes: stores rebuild older ones when they open


def _chunks(rows: list, size: int = ROWS_PER_STATEMENT):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _partition(rows: list[dict], spec, parts: int) -> list[list[dict]]:
    """Relationship rows in `parts` groups that share no node, so that they can be written side by
    side without two transactions ever waiting for each other's locks (whole connected groups of
    rows go to the emptiest part)."""
    parent: dict[tuple, tuple] = {}

    def find(node):
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for row in rows:
        a, b = find((spec.start, row["start"])), find((spec.end, row["end"]))
        if a != b:
            parent[a] = b
    components: dict[tuple, list[dict]] = {}
    for row in rows:
        components.setdefault(find((spec.start, row["start"])), []).append(row)
    buckets: list[list[dict]] = [[] for _ in range(parts)]
    for component in sorted(components.values(), key=len, reverse=True):
        min(buckets, key=len).extend(component)
    return [bucket for bucket in buckets if bucket]


def _read(method):
    """Answer inside one read transaction, from a fresh partial graph."""
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        def work(tx):
            self._tx, self.graph, self._loaded = tx, nx.MultiDiGraph(), set()
            try:
                return method(self, *args, **kwargs)
            finally:
                self._tx = None

        with self._session() as session:
            return session.execute_read(work)
    return wrapper


class _PerThread:
    """An attribute each thread sees its own value of: a store object is shared by the dashboard's
    sessions (threads), and each question builds its own partial graph inside its own transaction."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, store, owner=None):
        if store is None:
            return self
        return getattr(store._local, self.name, None)

    def __set__(self, store, value):
        setattr(store._local, self.name, value)


class Neo4jStore(NxQueries):
    kind = "neo4j"
    batch_rows = 50_000  # input rows per upsert: fewer repeats of an award whose actions are far apart
    graph, _tx, _loaded, _element_ids = _PerThread(), _PerThread(), _PerThread(), _PerThread()

    def __init__(self, uri: str | None = None, user: str | None = None, password: str | None = None,
                 database: str | None = None):
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

        settings = neo4j_connection()
        self.uri = uri or settings["uri"]
        self.database = database or settings["database"]
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="neo4j-writer")
        try:
            # "no such property/type yet" notifications are expected on an empty or partly loaded graph
            self.driver = GraphDatabase.driver(self.uri, auth=(user or settings["user"], password or settings["password"]),
                                               notifications_disabled_classifications=["UNRECOGNIZED"])
            self.driver.verify_connectivity()
            self._setup_schema()
        except AuthError as error:
            raise StoreUnavailable(f"Neo4j at {self.uri} refused the credentials ({error.message}); "
                                   f"set NEO4J_USER / NEO4J_PASSWORD") from None
        except (ServiceUnavailable, OSError) as error:
            reason = " ".join(str(error).split())  # the driver's message spans lines
            raise StoreUnavailable(f"cannot reach Neo4j at {self.uri} ({reason}); start the local server with "
                                   f"`make neo4j`, or set NEO4J_URI to a running one") from None
        except (Neo4jError, ValueError) as error:
            reason = " ".join(str(error).split())
            raise StoreUnavailable(f"Neo4j at {self.uri} (database {self.database!r}): {reason}") from None

    def close(self) -> None:
        self._pool.shutdown()
        self.driver.close()

    def _session(self, **options):
        return self.driver.session(database=self.database, **options)

    def _setup_schema(self) -> None:
        with self._session() as session:
            for statement in cypher.CONSTRAINTS + cypher.INDEXES + cypher.ROLLUP_INDEXES:
                session.run(statement).consume()
            rebuild = session.run(cypher.ROLLUP_STALE, version=ROLLUP_VERSION).single()["rebuild"]
            agencies = [r["agency"] for r in session.run(cypher.ROLLUP_AGENCIES)] if rebuild else []
        if agencies:
            log.warning("rebuilding the rollups of %d agencies (written by another version)", len(agencies))
            self.refresh_rollups(sorted(agencies))

    def _write(self, statement: str, **params) -> list:
        def work(tx):
            return [record[0] for record in tx.run(statement, **params)]

        with self._session() as session:
            return session.execute_write(work)

    def _write_chunks(self, statement: str, rows: list, param: str = "rows", parallel: bool = True) -> list:
        """Node chunks touch disjoint nodes, so WRITERS transactions run side by side (relationship
        rows are first split by `_partition`). Returns what the statements returned (the keys a node
        upsert created)."""
        work = lambda chunk: self._write(statement, **{param: chunk})  # noqa: E731
        chunks = list(_chunks(rows))
        results = self._parallel(work, chunks) if parallel else [work(chunk) for chunk in chunks]
        return [value for result in results for value in result]

    def _parallel(self, work, chunks: list) -> list:
        if len(chunks) <= 1:
            return [work(chunk) for chunk in chunks]
        return [future.result() for future in [self._pool.submit(work, chunk) for chunk in chunks]]

    # -- writes ------------------------------------------------------------------------------
    def vendor_index(self):
        with self._session() as session:
            records = session.execute_read(lambda tx: list(tx.run(cypher.VENDOR_INDEX)))
        for record in records:
            yield record["id"], record["uei"], record["duns"], record["names"]

    def upsert(self, batch: Batch) -> None:
        created: dict[str, set] = {}
        for label, rows in batch.nodes.items():
            unknown = {name for props in rows.values() for name in props} - set(LABELS[label].properties)
            if unknown:
                raise ValueError(f"{label} properties missing from core/schema.py: {sorted(unknown)}")
            payload = [{"key": key, "props": props} for key, props in rows.items()]
            created[label] = set(self._write_chunks(cypher.NODE_UPSERT[label], payload))
        missing: dict[str, set] = {}
        for rel, rows in batch.edges.items():
            spec = REL_TYPES[rel]
            for start, end, _ in rows:
                for label, key in ((spec.start, start), (spec.end, end)):
                    if key not in batch.nodes.get(label, ()):
                        missing.setdefault(label, set()).add(key)
        for label, keys in missing.items():
            self._write_chunks(cypher.ENSURE_NODES[label], sorted(keys), param="keys")
        for rel, rows in batch.edges.items():
            spec = REL_TYPES[rel]
            payload = [{"start": start, "end": end, "key": key, "props": props}
                       for (start, end, key), props in rows.items()]
            rounds = self._rounds(payload) if spec.single else [payload]
            fresh = created.get(spec.start, set())
            for index, round_rows in enumerate(rounds):
                # the first edge of a type from a node this batch created: a plain CREATE does
                new = [row for row in round_rows if index == 0 and row["start"] in fresh]
                rest = [row for row in round_rows if not (index == 0 and row["start"] in fresh)] if new else round_rows
                for statement, rows_ in ((cypher.EDGE_CREATE[rel], new), (cypher.EDGE_UPSERT[rel], rest)):
                    if rows_:
                        self._parallel(lambda part, statement=statement: self._write_chunks(statement, part, parallel=False),
                                       _partition(rows_, spec, WRITERS))

    @staticmethod
    def _rounds(rows: list[dict]) -> list[list[dict]]:
        """Split rows so that no statement holds two rows from one start node: Cypher reads every
        row's rival before writing any, and a single-valued edge must see the previous row's winner."""
        rounds: list[list[dict]] = []
        seen: dict[str, int] = {}
        for row in rows:
            index = seen.get(row["start"], 0)
            seen[row["start"]] = index + 1
            if index == len(rounds):
                rounds.append([])
            rounds[index].append(row)
        return rounds

    def derive_awards(self, keys) -> None:
        """Derived figures of the awards, then the rollups of every agency they were or are awarded by."""
        touched = self.derive_figures(keys)
        if touched:
            self.refresh_rollups(sorted(touched))

    def derive_figures(self, keys) -> set[str]:
        """The awards' derived figures; returns the agencies whose rollups they change."""
        touched: set[str] = set()

        def derive(chunk):
            with self._session() as session:
                records = session.execute_read(lambda tx: list(tx.run(cypher.DERIVE_READ, keys=chunk)))
            rows = [{"key": record["key"],
                     "derived": {**derive_award(record["award"], record["transactions"]),
                                 **{link: record[link] for link in ("recipient", "awarded_by", "funded_by")}}}
                    for record in records]
            self._write(cypher.DERIVE_WRITE, rows=rows)
            touched.update(agency for record in records for agency in (record["before"], record["awarded_by"]) if agency)

        self._parallel(derive, list(_chunks(list(keys))))
        return touched

    def refresh_rollups(self, agencies: list[str]) -> None:
        """Rebuild the agencies' rollups from their awards, in Cypher, in one write transaction."""
        def work(tx):
            for statement in cypher.ROLLUP_BUILD:
                tx.run(statement, agencies=agencies, top=TOP_AWARDS, version=ROLLUP_VERSION).consume()

        with self._session() as session:
            session.execute_write(work)

    def commit(self, run: dict | None = None) -> None:
        """Batches are durable as they are written; a finished load is logged as a LoadRun node."""
        if run is not None:
            with self._session() as session:
                session.execute_write(lambda tx: tx.run(cypher.RUN_LOG, run=json.dumps(run, sort_keys=True)).consume())

    def rollback(self) -> None:
        log.warning("Neo4j keeps the batches written before the failure (each batch is its own "
                    "transaction); load the same input again to complete it: nothing is duplicated")

    def clear(self) -> None:
        with self._session() as session:
            session.run(cypher.CLEAR).consume()

    def runs(self) -> list[dict]:
        with self._session() as session:
            records = session.execute_read(lambda tx: list(tx.run(cypher.RUNS)))
        return [json.loads(record["run"]) for record in records]

    # -- reads answered in Cypher alone ---------------------------------------------------------
    def stats(self) -> dict:
        def work(tx):
            nodes = {name: tx.run(query).single()["count"] for name, query in cypher.NODE_COUNTS.items()}
            rels = {name: tx.run(query).single()["count"] for name, query in cypher.REL_COUNTS.items()}
            return nodes, rels

        with self._session() as session:
            nodes, rels = session.execute_read(work)
        return {"nodes": {k: v for k, v in sorted(nodes.items()) if v},
                "relationships": {k: v for k, v in sorted(rels.items()) if v}}

    def search(self, text: str, limit: int = 20) -> list[dict]:
        with self._session() as session:
            records = session.execute_read(lambda tx: list(tx.run(cypher.SEARCH, needle=text.lower())))
        hits = [dict(record) for record in records]
        return sorted(hits, key=lambda h: (h["kind"], h["name"] or "", h["id"]))[:limit]

    def facets(self) -> dict:
        def work(tx):
            return [r["type"] for r in tx.run(cypher.FACET_TYPES)], tx.run(cypher.FACET_YEARS).single()

        with self._session() as session:
            types, years = session.execute_read(work)
        bounds = [year for year in years.values() if year is not None]
        return {"award_types": sorted(types), "fy_min": min(bounds, default=None), "fy_max": max(bounds, default=None)}

    def vendor_totals(self, ids) -> list[dict]:
        with self._session() as session:
            records = session.execute_read(lambda tx: list(tx.run(cypher.VENDOR_TOTALS, ids=sorted(set(ids)))))
        return [{"id": r["id"], "name": r["name"], "total_obligated": r["money"] / 100, "award_count": r["awards"]}
                for r in records]

    # -- reads shaped by the shared code --------------------------------------------------------
    vendor_family = _read(NxQueries.vendor_family)
    agency_profile = _read(NxQueries.agency_profile)
    subgraph = _read(NxQueries.subgraph)
    paths = _read(NxQueries.paths)

    def _rows(self, statement: str, **params) -> list:
        return list(self._tx.run(statement, **params))

    def _node(self, label: str, props: dict | None) -> str:
        """Add (or complete) a node of the partial graph, with the embedded store's id and attributes."""
        props = dict(props or {})
        key = props.pop(LABELS[label].key)
        nid = f"{label}:{key}"
        if nid in self.graph:
            self.graph.nodes[nid].update(props)
        else:
            self.graph.add_node(nid, label=label, key=key, **props)
        return nid

    def _edge(self, rel: str, start: str, end: str, props: dict | None) -> None:
        props = dict(props or {})
        edge_key = f"{rel}|{props.pop('key')}" if REL_TYPES[rel].keyed else rel
        for nid, label in ((start, REL_TYPES[rel].start), (end, REL_TYPES[rel].end)):
            if nid not in self.graph:
                self.graph.add_node(nid, label=label, key=nid.split(":", 1)[1])
        if not self.graph.has_edge(start, end, edge_key):
            self.graph.add_edge(start, end, key=edge_key, type=rel, **props)

    def _hierarchy(self, records, label: str, rel: str) -> None:
        for record in records:
            nid = self._node(label, record["node"])
            if record["parent"] is not None:
                self._edge(rel, nid, f"{label}:{record['parent']}", record["rel"])

    @staticmethod
    def _keys(nids) -> list[str]:
        return sorted({nid.split(":", 1)[1] for nid in nids})

    def _need_agencies(self) -> None:
        if "agencies" not in self._loaded:
            self._hierarchy(self._rows(cypher.AGENCIES), "Agency", "PART_OF")
            self._loaded.add("agencies")

    def _need_families(self, vids) -> None:
        self._hierarchy(self._rows(cypher.FAMILIES, ids=self._keys(vids)), "Vendor", "PARENT")

    def _need_ancestors(self, vids) -> None:
        if "parents" not in self._loaded:
            for record in self._rows(cypher.PARENT_GRAPH):
                self._edge("PARENT", self._node("Vendor", record["node"]), self._node("Vendor", record["parent"]),
                           record["rel"])
            self._loaded.add("parents")
        missing = [nid for nid in vids if nid not in self.graph]
        for record in self._rows(cypher.VENDOR_NAMES, ids=self._keys(missing)) if missing else ():
            self._node("Vendor", record["node"])

    def _need_vendor_awards(self, vids) -> None:
        keys = [record["key"] for record in self._rows(cypher.VENDOR_AWARD_KEYS, ids=self._keys(vids))]
        self._need_awards([f"Award:{key}" for key in keys])
        for record in self._rows(cypher.SUBAWARDS_RECEIVED, ids=self._keys(vids)):
            award = self._node("Award", record["award"])
            self._edge("SUBAWARD", award, f"Vendor:{record['vendor']}", record["rel"])
            if record["prime"] is not None:
                self._edge("AWARDED_TO", award, self._node("Vendor", record["prime"]), record["prime_rel"])

    def _need_awards(self, award_ids) -> None:
        self._need_agencies()
        for record in self._rows(cypher.AWARDS, keys=self._keys(award_ids)):
            award = self._node("Award", record["award"])
            if record["type"] is not None:
                self._edge(record["type"], award, self._node(record["label"], record["node"]), record["rel"])

    def _need_links(self, path) -> None:
        pairs = [[self._element_ids[left], self._element_ids[right]] for left, right in zip(path, path[1:])]
        for record in self._rows(cypher.LINKS, pairs=pairs):
            start = self._node(record["start_label"], record["start"])
            end = self._node(record["end_label"], record["end"])
            self._edge(record["type"], start, end, record["rel"])

    # -- aggregate primitives in Cypher -----------------------------------------------------------
    def _vendor_matches(self, text: str) -> list[str]:
        return sorted(f"Vendor:{record['id']}" for record in self._rows(cypher.VENDOR_MATCHES, needle=text.lower()))

    def _agency_totals(self, agencies: list[str], limit: int) -> dict:
        ids = self._keys(agencies)
        sums = self._rows(cypher.AGENCY_VENDOR_SUMS, agencies=ids)
        for r in sums:
            if r["node"] is not None:
                self._node("Vendor", r["node"])
        funded = self._rows(cypher.AGENCY_FUNDED, agencies=ids)[0]
        if limit <= TOP_AWARDS:  # the largest of the union are among each agency's largest
            ranked = sorted((-money, key) for r in self._rows(cypher.AGENCY_TOPS, agencies=ids)
                            for key, money in zip(r["keys"], r["money"]))
            largest = [key for _, key in ranked[:limit]]
        else:
            largest = [r["key"] for r in self._rows(cypher.AGENCY_LARGEST, agencies=ids, limit=limit)]
        years = self._rows(cypher.AGENCY_YEARS, agencies=ids)
        return {
            "awarded": (sum(r["awards"] for r in sums), sum(r["money"] for r in sums)),
            "values": (sum(r["current_value"] for r in years), sum(r["potential_value"] for r in years)),
            "years": [(r["year"], r["money"], r["awards"]) for r in years if r["year"] is not None],
            "funded": (funded["awards"], funded["money"] or 0),
            "vendors": [(f"Vendor:{r['vendor']}", r["money"], r["awards"]) for r in sums if r["vendor"] is not None],
            "largest": [f"Award:{key}" for key in largest],
        }

    def _award_pairs(self, agencies, members, fy_from, fy_to, types) -> list[tuple[str, str, int, int]]:
        filtered = fy_from is not None or fy_to is not None or types is not None
        params = {"members": self._keys(members) if members is not None else None}
        if filtered:
            params.update(fy_from=fy_from, fy_to=fy_to, types=types)
        statements = cypher.PAIRS["filtered" if filtered else "unfiltered"]
        if agencies is not None:
            records = self._rows(statements["agency"], agencies=self._keys(agencies), **params)
        elif members is not None:
            records = self._rows(statements["vendor"], **params)
        else:
            records = self._rows(statements["all"], **params)
        for r in records:
            if r["node"] is not None:
                self._node("Vendor", r["node"])
        return [(f"Vendor:{r['vendor']}", f"Agency:{r['agency']}", r["money"], r["awards"]) for r in records]

    def _shortest_chains(self, start: str, end: str, max_hops: int) -> list[list[str]]:
        if start == end:
            return [[start]]
        (start_label, start_key), (end_label, end_key) = start.split(":", 1), end.split(":", 1)
        records = self._rows(cypher.SHORTEST_CHAINS, start=start_key, start_label=start_label, end=end_key,
                             end_label=end_label, max_hops=max_hops, cap=4 * MAX_CHAINS)
        self._element_ids = {}
        chains = set()
        for record in records:
            chain = []
            for label, key, element_id in record["chain"]:
                nid = f"{label}:{key}"
                self._element_ids[nid] = element_id
                chain.append(nid)
            chains.add(tuple(chain))
        return [list(chain) for chain in sorted(chains)[:MAX_CHAINS]]

    # -- everything, for exports ----------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph in the embedded store's shape (node ids "Label:key", edge keys by type)."""
        def work(tx):
            self._tx, self.graph = tx, nx.MultiDiGraph()
            for record in tx.run(cypher.EVERYTHING_NODES):
                self._node(record["label"], record["node"])
            for record in tx.run(cypher.EVERYTHING_EDGES):
                self._edge(record["type"], f"{record['start_label']}:{record['start']}",
                           f"{record['end_label']}:{record['end']}", record["rel"])
            return self.graph

        with self._session() as session:
            return session.execute_read(work)
