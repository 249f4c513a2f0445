"""The Neo4j store: the same model and answers as the embedded store, in a real Neo4j database.

Loads go through a working copy of the embedded store (`KG_HOME/neo4j-staging/<server>/`), which keeps
every record loaded into this database and derives the figures in SQL exactly as the embedded store does.
Inside that load's transaction the rows of the derived tables that changed since the last push are
written to Neo4j (`UNWIND $rows ...` batches, one managed write transaction each); only when every batch
is written does the working copy commit. A push that fails keeps the batches written before it and is
completed by the next load (MERGE and SET: nothing is duplicated). Reads are Cypher aggregations over
`Fact` nodes (`graph/stores/neo4j/cypher.py`), shaped by the shared `graph.questions.queries` code; nothing is copied into Python
but the rows an answer lists.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from graph.attribution import mention_groups
from graph.reports.export import build_graph
from graph.settings import kg_home, neo4j_connection, neo4j_retry_seconds
from graph.store import FactFilter, StoreUnavailable
from graph.stores.duckdb.local import (
    AGENCY_READ,
    CONTRACT_READ,
    DEPLOYMENT_READ,
    LOCAL_TABLES,
    MATCH_READ,
    SHARING_READ,
)
from graph.stores.duckdb.reads import TABLES
from graph.stores.duckdb.store import DuckStore
from graph.stores.neo4j import cypher, cypher_local
from graph.stores.rollups import ROLLUPS, answering

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)
ROWS_PER_STATEMENT = 5000


def _reason(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__  # the driver's message spans lines


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")


class Neo4jStore:
    kind = "neo4j"
    takes_records = True
    batch_rows = 20_000

    def __init__(
        self,
        home: Path | None = None,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ):
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

        settings = neo4j_connection()
        self.uri = uri or settings["uri"]
        self.database = database or settings["database"]
        try:
            # "no such property/label yet" notifications are expected on an empty database
            self.driver = GraphDatabase.driver(
                self.uri,
                auth=(user or settings["user"], password or settings["password"]),
                notifications_disabled_classifications=["UNRECOGNIZED"],
                max_transaction_retry_time=neo4j_retry_seconds(),
            )
            self.driver.verify_connectivity()
            with self._session() as session:
                for statement in cypher.CONSTRAINTS + cypher_local.CONSTRAINTS + cypher.INDEXES:
                    session.run(statement).consume()
                old = session.run(cypher.OLD_MODEL).single()
        except AuthError as error:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} refused the credentials ({error.message}); set NEO4J_USER / NEO4J_PASSWORD"
            ) from None
        except (ServiceUnavailable, OSError) as error:
            raise StoreUnavailable(
                f"cannot reach Neo4j at {self.uri} ({_reason(error)}); start the local server with "
                f"`make neo4j`, or set NEO4J_URI to a running one"
            ) from None
        except (Neo4jError, ValueError) as error:
            raise StoreUnavailable(f"Neo4j at {self.uri} (database {self.database!r}): {_reason(error)}") from None
        self._old = bool(old and old["old"])  # reported on every read and load until the database is cleared
        staging = Path(home or kg_home()) / "neo4j-staging" / _slug(f"{self.uri}-{self.database}")
        self.staging = DuckStore(staging)
        self.staging.before_swap = self._push

    def close(self) -> None:
        self.staging.close()
        self.driver.close()

    def _session(self, **options):
        return self.driver.session(database=self.database, **options)

    def _read(self, statement: str, _shape=None, **params) -> list[dict]:
        """The records as dicts (`record.data()`), or as `_shape(record)` makes them."""
        if self._old:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} (database {self.database!r}) holds a graph written by an "
                f"older version of this project (Transaction nodes); run `python -m graph clear "
                f"--yes --store neo4j` and load again"
            )
        from neo4j.exceptions import DriverError

        try:
            with self._session() as session:
                shape = _shape or (lambda record: record.data())
                return session.execute_read(lambda tx: [shape(record) for record in tx.run(statement, **params)])
        except DriverError as error:
            raise StoreUnavailable(
                f"lost Neo4j at {self.uri} ({_reason(error)}); check that the server is running and ask again"
            ) from None

    def _write(self, statement: str, **params) -> None:
        """One batch of a load. Every batch is an upsert (MERGE on the key) or a delete by key, so a load the
        server drops part-way is completed by running it again, with nothing duplicated."""
        from neo4j.exceptions import DriverError

        try:
            with self._session() as session:
                session.execute_write(lambda tx: tx.run(statement, **params).consume())
        except DriverError as error:
            raise StoreUnavailable(
                f"lost Neo4j at {self.uri} part-way through the load ({_reason(error)}); rerun "
                f"the same command to complete it: nothing is duplicated"
            ) from None

    def _meta(self, name: str):
        rows = self._read(cypher.GET_META, name=name)
        return rows[0]["value"] if rows else None

    # -- writes -------------------------------------------------------------------------------
    def begin(self, wait: bool = True) -> None:
        self.staging.begin(wait=wait)
        pushed = self.staging._writer.execute("SELECT value FROM meta WHERE name = 'pushed'").fetchone()
        loaded = self._meta("load")
        if pushed and loaded != pushed[0]:
            if loaded is None and not self._read(cypher.ANY_NODE)[0]["any"]:
                log.warning("Neo4j at %s is empty: pushing everything the working copy holds", self.uri)
                self._forget_pushed(self.staging._writer)
            else:
                self.staging.rollback()
                raise StoreUnavailable(
                    f"Neo4j at {self.uri} (database {self.database!r}) was not loaded from the working copy "
                    f"{self.staging.path} (another machine or KG_HOME loaded it, or it was changed): load from that "
                    f"KG_HOME, or run `python -m graph clear --yes --store neo4j` and load everything again"
                )
        elif not pushed and self._read(cypher.ANY_NODE)[0]["any"] and loaded is not None:
            self.staging.rollback()
            raise StoreUnavailable(
                f"Neo4j at {self.uri} holds data loaded from another working copy than "
                f"{self.staging.path}; load from that KG_HOME, or clear it and load again"
            )

    @staticmethod
    def _forget_pushed(con) -> None:
        for table in [table for table, _, _ in TABLES + LOCAL_TABLES] + [rollup.label for rollup in ROLLUPS]:
            con.execute(f"DROP TABLE IF EXISTS pushed_{table}")
        con.execute("DELETE FROM meta WHERE name = 'pushed'")

    def write(self, rows: list[tuple[dict, dict | None]]) -> None:
        self.staging.write(rows)

    def write_local(self, rows: list[dict]) -> None:
        self.staging.write_local(rows)

    def commit(self, run: dict | None = None) -> None:
        self.staging.commit(run)

    def rollback(self) -> None:
        self.staging.rollback()

    @property
    def strict(self) -> bool:  # --strict: the staging store derives the mentions (graph/stores/duckdb/store.py)
        return self.staging.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self.staging.strict = value

    def attribute(self, wait: bool = True, strict: bool = False) -> dict:
        self.begin(wait=wait)
        answer = self.staging.attribute(wait=wait, strict=strict)
        return answer

    def _push(self, con, run: dict | None) -> None:
        """Write to Neo4j the derived rows that changed since the last push (deletions first)."""
        started, counts = time.perf_counter(), {}
        pushed = [(table, keys, select, cypher.UPSERT[table], cypher.DELETE[table]) for table, keys, select in TABLES]
        pushed += [
            (
                rollup.label,
                ("key",),
                rollup.select,
                cypher.upsert_rollup(rollup.label),
                cypher.delete_rollup(rollup.label),
            )
            for rollup in ROLLUPS
        ]
        pushed += [
            (table, keys, select, cypher_local.UPSERT[table], cypher_local.DELETE[table])
            for table, keys, select in LOCAL_TABLES
        ]
        reshaped = set()  # fields added or dropped since the last push (core/facts.py): every row is written again
        for table, _, select, _, _ in pushed:
            con.execute(f"CREATE OR REPLACE TEMP TABLE current_{table} AS {select}")
            con.execute(f"CREATE TABLE IF NOT EXISTS pushed_{table} AS SELECT * FROM current_{table} LIMIT 0")
            if _columns(con, f"pushed_{table}") != _columns(con, f"current_{table}"):
                reshaped.add(table)
        for table, keys, _, _, delete in reversed(pushed):
            columns = ", ".join(keys)
            gone = con.execute(f"SELECT {columns} FROM pushed_{table} EXCEPT SELECT {columns} FROM current_{table}")
            counts[f"{table}_deleted"] = self._send(delete, gone)
        for table, _, _, upsert, _ in pushed:
            changed = con.execute(
                f"SELECT * FROM current_{table}"
                if table in reshaped
                else f"SELECT * FROM current_{table} EXCEPT SELECT * FROM pushed_{table}"
            )
            counts[f"{table}_written"] = self._send(upsert, changed)
        for table, _, _, _, _ in pushed:
            con.execute(f"CREATE OR REPLACE TABLE pushed_{table} AS SELECT * FROM current_{table}")
        if run is not None:
            seq = con.execute("SELECT max(id) FROM run").fetchone()[0]
            self._write(cypher.RUN_LOG, seq=seq, run=json.dumps(run, sort_keys=True))
        version = uuid.uuid4().hex
        self._write(cypher.SET_META, name="load", value=version)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('pushed', ?)", [version])
        log.info(
            "pushed to Neo4j in %.1fs: %s",
            time.perf_counter() - started,
            ", ".join(f"{k} {v}" for k, v in counts.items() if v),
        )

    def _send(self, statement: str, result) -> int:
        names = [column[0] for column in result.description]
        sent = 0
        while True:
            chunk = result.fetchmany(ROWS_PER_STATEMENT)
            if not chunk:
                return sent
            self._write(statement, rows=[dict(zip(names, row, strict=False)) for row in chunk])
            sent += len(chunk)

    def clear(self) -> None:
        with self._session() as session:
            session.run(cypher.CLEAR).consume()
        self._old = False
        self.staging.clear()

    def runs(self) -> list[dict]:
        return [json.loads(row["run"]) for row in self._read(cypher.RUNS)]

    def vendor_index(self) -> Iterator[tuple[str, str | None, str | None, list[str]]]:
        return self.staging.vendor_index()

    def version(self) -> str:
        return str(self._meta("load"))

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph as Neo4j holds it (for exports), in the shape the embedded store gives it."""
        return build_graph(
            {
                table: [record["row"] for record in self._read(statement)]
                for table, statement in cypher.WHOLE_GRAPH.items()
            }
        )

    # -- fetches ------------------------------------------------------------------------------
    def _filled(self, statement: str, columns, **params) -> list[dict]:
        """Rows of `properties(...)`, with the columns Neo4j leaves out (it keeps no null) filled with None."""
        return [{name: record["row"].get(name) for name in columns} for record in self._read(statement, **params)]

    def fetch_local_agencies(self, ids: list[str] | None = None) -> list[dict]:
        return self._filled(cypher_local.AGENCIES, AGENCY_READ, ids=None if ids is None else list(ids))

    def fetch_deployments(self, agencies: list[str] | None = None, families: list[str] | None = None) -> list[dict]:
        return self._filled(cypher_local.DEPLOYMENTS, DEPLOYMENT_READ, agencies=agencies, families=families)

    def fetch_local_contracts(self, agencies: list[str] | None = None, families: list[str] | None = None) -> list[dict]:
        return self._filled(cypher_local.CONTRACTS, CONTRACT_READ, agencies=agencies, families=families)

    def fetch_sharing(self, ids: list[str], side: str) -> list[dict]:
        # the list as the driver gives it: `record.data()` would walk every nested value again
        rows = self._read(cypher_local.SHARING[side], _shape=lambda record: record["rows"], ids=sorted(set(ids)))
        return [dict(zip(SHARING_READ, values, strict=False)) for values in rows[0]] if rows else []

    def fetch_sharing_counts(self) -> list[dict]:
        return self._read(cypher_local.SHARING_COUNTS)

    def fetch_local_links(self) -> list[dict]:
        return self._read(cypher_local.LINKS)

    def fetch_local_matches(self) -> list[dict]:
        return self._filled(cypher_local.MATCHES, MATCH_READ)

    def fetch_local_counts(self) -> dict:
        rows = self._read(cypher_local.COUNTS)
        return rows[0] if rows else {}

    def fetch_counts(self) -> dict:
        rows = self._read(cypher.COUNTS)
        return rows[0] if rows else {}

    def fetch_entities(self) -> list[dict]:
        return sorted(self._read(cypher.ENTITIES), key=lambda row: (row["kind"], row["id"]))

    def fetch_names(self, ids: list[str]) -> dict[str, str]:
        return {row["id"]: row["name"] for row in self._read(cypher.NAMES, ids=list(ids))} if ids else {}

    def fetch_families(self, ids: list[str]) -> dict[str, str]:
        return {row["id"]: row["family"] for row in self._read(cypher.FAMILIES, ids=list(ids))} if ids else {}

    def fetch_agency_briefs(self, ids: list[str]) -> dict[str, dict]:
        return {row["id"]: row for row in self._read(cypher.AGENCY_BRIEFS, ids=list(ids))} if ids else {}

    def fetch_awards(self, keys: list[str]) -> list[dict]:
        return self._read(cypher.AWARDS, keys=list(keys))

    def fetch_award_recipients(self, keys: list[str]) -> list[dict]:
        return self._read(cypher.AWARD_RECIPIENTS, keys=list(keys))

    def fetch_award_facts(self, keys: list[str]) -> list[dict]:
        return self._read(cypher.AWARD_FACTS, keys=list(keys))

    def fetch_vehicles(self, families: list[str]) -> list[dict]:
        return self._read(cypher.VEHICLES, families=list(families)) if families else []

    def fetch_members(self, family: str) -> list[dict]:
        return self._read(cypher.MEMBERS, family=family)

    def fetch_parents(self, ids: list[str]) -> list[dict]:
        return self._read(cypher.PARENTS, ids=list(ids))

    def fetch_family_timeline(self, ids: list[str]) -> list[dict]:
        rows = self._read(cypher.TIMELINES, ids=list(ids)) if ids else []
        return sorted(
            (
                {"vendor_id": row["id"], "valid_from": start or None, "valid_to": end or None, "family": family}
                for row in rows
                for start, end, family in (span.split("|", 2) for span in row["timeline"] or [])
            ),
            key=lambda r: (r["vendor_id"], r["valid_from"] or ""),
        )

    @staticmethod
    def _sums(rows: list[dict]) -> list[dict]:
        for row in rows:  # Cypher's sum of nothing reported is 0; the record says "not reported"
            if row["reported"] == 0:
                row["cents"] = None
        return rows

    use_rollups = True  # tests switch them off to check that they give what the facts give

    def _rollup(
        self, fetch: str, chosen: FactFilter, by: str | None = None, limit: int | None = None
    ) -> list[dict] | None:
        """The nodes of the rollup that answers the fetch (graph/stores/rollups.py), else None: the facts answer."""
        found = answering(fetch, chosen, by, limit) if self.use_rollups else None
        return None if found is None else self._read(cypher.ROLLUP_READS[found.rollup.label], **found.params())

    def fetch_fact_groups(self, chosen: FactFilter, by: str | None) -> list[dict]:
        rows = self._rollup("fetch_fact_groups", chosen, by)
        if rows is not None:
            return self._sums(rows)
        statement, params = cypher.fact_groups(chosen, by)
        return self._sums(self._read(statement, **params))

    def fetch_group_awards(self, chosen: FactFilter, groups: dict[str, list[str]]) -> dict[str, int]:
        if not any(groups.values()):
            return {}
        statement, params = cypher.group_awards(chosen)
        rows = self._read(
            statement,
            groups=[{"gid": gid, "members": sorted(members)} for gid, members in sorted(groups.items()) if members],
            **params,
        )
        return {row["gid"]: row["awards"] for row in rows}

    def fetch_year_totals(self, chosen: FactFilter) -> list[dict]:
        rows = self._rollup("fetch_year_totals", chosen)
        if rows is not None:
            return rows
        statement, params = cypher.year_totals(chosen)
        return self._sums(self._read(statement, **params))

    def fetch_values(self, family: str | None = None, awarding: tuple[str, str] | None = None) -> dict:
        if family is not None:
            rows = self._read(cypher.VALUES_OF_FAMILY, family=family)
        else:
            rows = self._read(cypher.VALUES_OF_AGENCY[awarding[0]], id=awarding[1])
        row = rows[0] if rows else {}
        for figure in ("current", "potential"):
            if not row.get(f"{figure}_awards"):
                row[f"{figure}_cents"] = None
        return row

    def fetch_ending_awards(self, awarding: tuple[str, str], start: str, until: str) -> list[str]:
        rows = self._read(cypher.ENDING_AWARDS[awarding[0]], id=awarding[1], start=start, until=until)
        return [row["key"] for row in rows]

    def fetch_dated_award_count(self, awarding: tuple[str, str]) -> int:
        return self._read(cypher.DATED_AWARD_COUNT[awarding[0]], id=awarding[1])[0]["dated"]

    def fetch_open_awards(self, awarding: tuple[str, str], day: str, within: FactFilter | None = None) -> list[str]:
        statement, params = cypher.open_awards(awarding[0], within)
        return [row["key"] for row in self._read(statement, id=awarding[1], day=day, **params)]

    def fetch_group_top_awards(self, chosen: FactFilter, groups: dict[str, list[str]], limit: int) -> dict[str, list]:
        if not any(groups.values()):
            return {}
        statement, params = cypher.group_top_awards(chosen)
        rows = self._read(
            statement,
            groups=[{"gid": gid, "members": sorted(members)} for gid, members in sorted(groups.items()) if members],
            limit=limit,
            **params,
        )
        return {row["gid"]: [dict(top) for top in row["top"]] for row in rows}

    def fetch_subawards(self, vendor_ids: list[str]) -> list[dict]:
        return self._read(cypher.SUBAWARDS, ids=list(vendor_ids))

    def fetch_subawards_under(self, award_keys: list[str]) -> list[dict]:
        return self._read(cypher.SUBAWARDS_UNDER, keys=list(award_keys))

    def fetch_agency_subawards(self, awarding: tuple[str, str]) -> list[dict]:
        return self._read(cypher.AGENCY_SUBAWARDS[awarding[0]], id=awarding[1])

    def fetch_agency_links(self, aid: str) -> tuple[list[str], list[dict]]:
        parents = [row["id"] for row in self._read(cypher.AGENCY_PARENTS, id=aid)]
        return parents, self._read(cypher.AGENCY_CHILDREN, id=aid)

    def fetch_largest_awards(self, chosen: FactFilter, limit: int) -> list[str]:
        top = self._rollup("fetch_largest_awards", chosen, limit=limit)
        if top is not None:
            return [row["award_key"] for row in top]
        statement, params = cypher.largest_awards(chosen)
        return [row["key"] for row in self._read(statement, limit=limit, **params)]

    def fetch_vendor_chain(self, ids: list[str]) -> list[dict]:
        found, wanted = {}, set(ids)
        while wanted:
            rows = self._read(cypher.VENDOR_STEP, ids=sorted(wanted))
            found.update({row["id"]: row for row in rows})
            wanted = {row["parent"] for row in rows if row["parent"]} - set(found)
        return [found[key] for key in sorted(found)]

    def fetch_agency_chain(self, ids: list[str]) -> list[dict]:
        return self._read(cypher.AGENCY_CHAIN, ids=list(ids)) if ids else []

    def fetch_links(self) -> list[tuple[str, str, str]]:
        return sorted((row["rel"], row["a"], row["b"]) for row in self._read(cypher.LINKS))

    def fetch_link_records(self, rel: str, a: str, b: str) -> list[dict]:
        if rel == "PARENT":
            return self._read(cypher.PARENT_RECORDS, a=a, b=b)
        if rel == "SUBAWARD":
            return self._read(cypher.SUBAWARD_RECORDS, a=a, b=b)
        return []

    def fetch_recipient_years(self, ids: list[str]) -> list[dict]:
        return self._read(cypher.RECIPIENT_YEARS, ids=list(ids))

    def fetch_changes(
        self, since: str | None, vendors: list[str] | None, agency: str | None, limit: int | None
    ) -> list[dict]:
        return self._read(
            cypher.CHANGES, since=since, vendors=vendors, agency=agency, limit=limit if limit is not None else 2**62
        )

    def fetch_mentions(
        self,
        makers: list[str] | None = None,
        awarding: tuple[str, str] | None = None,
        awarding_id: str | None = None,
        recipient: str | None = None,
    ) -> list[dict]:
        tier = f"awarding_{awarding[0]}" if awarding else "awarding_id"
        return self._read(
            cypher.MENTIONS[tier],
            makers=list(makers) if makers is not None else None,
            agency=awarding[1] if awarding else None,
            awarding_id=awarding_id,
            recipient=recipient,
        )

    def fetch_mention_groups(
        self, awarding: tuple[str, str] | None, categories: tuple[str, ...] | None, by: str
    ) -> list[dict]:
        tier = f"awarding_{awarding[0]}" if awarding else "awarding_id"
        rows = self._read(
            cypher.MENTION_GROUPS[(tier, by)],
            agency=awarding[1] if awarding else None,
            categories=list(categories) if categories is not None else None,
        )
        return mention_groups(rows, by)

    def fetch_known_keys(self, keys: list[str]) -> set[str]:
        return {row["key"] for row in self._read(cypher.KNOWN_KEYS, keys=list(keys))}

    def fetch_name_merges(self) -> list[dict]:
        return self._read(cypher.NAME_MERGES)

    def fetch_facets(self) -> dict:
        rows = self._read(cypher.FACETS_ROLLUP if self.use_rollups else cypher.FACETS)
        row = rows[0] if rows else {}
        return {
            "award_types": sorted(row.get("award_types") or []),
            "fy_min": row.get("fy_min"),
            "fy_max": row.get("fy_max"),
        }


def _columns(con, table: str) -> list[tuple[str, str]]:
    """(name, type) of a staging table's columns, in order."""
    return [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()]
