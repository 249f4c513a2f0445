"""The embedded store: one DuckDB file under KG_HOME holding every record read and the facts derived.

Zero setup, the default. A load takes an exclusive lock (a second load waits and says so, or with
`--no-wait` stops), copies the store file, writes into the copy in one transaction, derives every
figure in SQL, and renames the copy over the store: a load that fails or is killed (even `kill -9`)
leaves the store as it was. Readers open the file read-only, one short-lived cursor per question, and
reopen it when a load has replaced it, so a running dashboard never blocks a load and sees its data.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from core.categories import load as load_categories
from core.curated import AGENCY_FILE, curated_links, load_families
from core.judgements import judgements_file, party_record
from core.local_rows import LOCAL_FIELDS
from core.products import rules_file
from graph.attribution import derive_mentions, merge_apart, rules_and_judgements
from graph.categorize import derive_categories
from graph.family import Families, Reported
from graph.questions.vehicles import attach_holders
from graph.resolution import Party, resolve
from graph.store import StoreUnavailable, guarded_write
from graph.stores.duckdb import changes as duck_changes
from graph.stores.duckdb import local as duck_local
from graph.stores.duckdb import sql
from graph.stores.duckdb.reads import SqlFetches

log = logging.getLogger(__name__)
MEMORY_LIMIT = os.environ.get("KG_DUCKDB_MEMORY", "3GB")  # DuckDB spills to disk past it


class DuckStore(SqlFetches):
    kind = "embedded"
    takes_records = True
    batch_rows = 20_000
    strict = False  # --strict: a judgement naming a record the store lacks is an error (else warned, pending)
    attributed: dict = {}
    before_swap = None  # called with the load's connection (inside its transaction) and the run, before commit

    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = self.home / "store.duckdb"
        self._legacy = self.home / "graph.pickle"
        self._reader = None
        self._reader_id = None
        self._reader_lock = threading.Lock()
        self._writer = None
        self._lock_handle = None
        self._run_id = None
        self._changes = 0  # changes this run's commits logged so far
        self._upgrading = False  # a load may open a store of an earlier format it derives anew (`sql.DERIVES_FROM`)

    # -- reading ------------------------------------------------------------------------------
    def _identity(self):
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def version(self) -> str:
        """Changes whenever a load replaces the store: the dashboard keys its caches on it."""
        return repr(self._identity())

    def _cursor(self):
        identity = self._identity()
        if identity is None and self._legacy.exists():
            raise StoreUnavailable(
                f"{self._legacy} is a store in the old format (a pickled graph) that this version does not read; "
                f"run `python -m graph clear --yes` to remove it, then load your files again (`make load` for the "
                f"bundled sample)"
            )
        with self._reader_lock:
            if identity is None:
                return _EmptyCursor()
            if self._reader is None or self._reader_id != identity:
                # the old file's connection is dropped, not closed: a question another thread is asking goes on
                self._reader, self._reader_id = self._open_reader(), identity
            cursor = self._reader.cursor()
        cursor.execute("USE kg")  # each cursor is a connection of its own
        return cursor

    def _open_reader(self):
        try:
            # a private in-memory database attaching the file: DuckDB shares one instance per file path within a
            # process, which would keep serving a file a load has since replaced
            con = duckdb.connect()
            con.execute(f"ATTACH '{str(self.path).replace(chr(39), chr(39) * 2)}' AS kg (READ_ONLY)")
            con.execute("USE kg")
            found = con.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        except duckdb.Error as error:
            raise StoreUnavailable(
                f"cannot open the embedded store {self.path}: {str(error).splitlines()[0]}; "
                f"run `python -m graph clear --yes` and load again"
            ) from None
        if found is None or not self._readable(con, found[0]):
            con.close()
            version = found[0].partition("+")[0] if found else ""
            upgrade = (
                "load your files again to upgrade it (`make load` for the bundled sample), or "
                if version.isdigit() and int(version) in (sql.FORMAT_VERSION, *sql.DERIVES_FROM)
                else ""
            )
            raise StoreUnavailable(
                f"{self.path} was written in store format {found[0] if found else '?'}, this "
                f"version reads format {sql.FORMAT}; {upgrade}run `python -m graph clear --yes` "
                f"and load again (or use the version of this project that wrote it)"
            )
        return con

    def _readable(self, con, stamp: str) -> bool:
        """Whether a store of this format stamp is read as it is, or (in a load) upgraded by deriving it anew."""
        version = stamp.partition("+")[0]
        if stamp == sql.FORMAT:
            return True
        # other declared fields (core/facts.py) or an earlier format whose records this one derives: a load upgrades it
        return (
            self._upgrading
            and version.isdigit()
            and (int(version) == sql.FORMAT_VERSION or int(version) in sql.DERIVES_FROM)
        )

    def _rows(self, statement: str, params=()) -> list[dict]:
        cursor = self._cursor()
        try:
            result = cursor.execute(statement, list(params))
            names = [column[0] for column in result.description]
            return [dict(zip(names, row, strict=False)) for row in result.fetchall()]
        finally:
            cursor.close()

    def close(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        if self._writer is not None:
            self.rollback()

    # -- writing ------------------------------------------------------------------------------
    @property
    def _loading(self) -> Path:
        return self.path.with_name("store.duckdb.loading")

    @guarded_write
    def begin(self, wait: bool = True, fresh: bool = True) -> None:
        """Take the load lock and open a copy of the store to write into (`fresh`: a new run)."""
        if self._writer is not None:
            return
        self._lock(wait)
        try:  # refuse to build on an old, corrupt or foreign file (a format whose records this one derives is fine)
            self._upgrading = True
            self._cursor().close()
        except StoreUnavailable:
            self._unlock()
            raise
        finally:
            self._upgrading, self._reader = False, None  # readers check the format again
        self._drop_copy()  # one left by a load that was killed never reached the store
        if self.path.exists():
            shutil.copyfile(self.path, self._loading)
        con = self._writer = duckdb.connect(
            str(self._loading), config={"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False}
        )
        # held from here, so that a failure (or Ctrl-C) below is rolled back with the connection closed: an open
        # one left to the garbage collector would write the deleted copy back at exit
        con.execute(sql.CREATE)
        con.execute(duck_local.CREATE)
        self._add_declared_columns(con)
        con.execute(duck_changes.CREATE)
        if fresh:
            self._changes = 0
            con.execute(sql.CLEAR_NEW)  # rows of a run that stopped between its durable steps are merged already
            con.execute(duck_local.CLEAR_NEW)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", [sql.FORMAT])
        self._run_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM run").fetchone()[0]
        con.execute("BEGIN TRANSACTION")

    @staticmethod
    def _add_declared_columns(con) -> None:
        """A store of an earlier format gains the `record`, `subaward` and `local_record` columns declared since
        (core/facts.py, core/local_rows.py: names and types are constants, never user text); their old rows read
        NULL there until loaded again."""
        have = set(
            con.execute(
                "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND "
                "database_name = current_database() AND table_name IN ('record', 'record_new', "
                "'subaward', 'subaward_new', 'local_record', 'local_record_new')"
            ).fetchall()
        )
        declared = (("record", sql.RECORD_FIELDS), ("subaward", sql.SUBAWARD_FIELDS), ("local_record", LOCAL_FIELDS))
        for table, fields in declared:
            for kept in (table, f"{table}_new"):
                for field in fields:
                    if (kept, field.name) not in have:
                        con.execute(f"ALTER TABLE {kept} ADD COLUMN {field.name} {field.type}")

    @guarded_write
    def write(self, rows: list[tuple[dict, dict | None]]) -> None:
        """Append records' rows (from `core.facts.record_rows`) to the load's transaction."""
        if not rows:
            return
        from graph.stores.duckdb import arrow as duck_arrow  # writes only: reading needs no pyarrow

        self.begin()
        run = self._run_id
        records = [record for record, _ in rows]
        subawards = [sub for _, sub in rows if sub is not None]
        batch = duck_arrow.columns(records, duck_arrow.RECORD_SCHEMA, run)  # noqa: F841 (read by name below)
        self._writer.execute("INSERT INTO record_new BY NAME SELECT * FROM batch")  # by name: an upgraded store's
        if subawards:  # columns added since are last
            sub_batch = duck_arrow.columns(subawards, duck_arrow.SUBAWARD_SCHEMA, run)  # noqa: F841
            self._writer.execute("INSERT INTO subaward_new BY NAME SELECT * FROM sub_batch")

    @guarded_write
    def write_local(self, rows: list[dict]) -> None:
        """Append local records' rows (`core.local_rows.local_row`) to the load's transaction."""
        if not rows:
            return
        from graph.stores.duckdb import arrow as duck_arrow

        self.begin()
        batch = duck_arrow.columns(rows, duck_arrow.LOCAL_SCHEMA, self._run_id)  # noqa: F841 (read by name below)
        self._writer.execute("INSERT INTO local_record_new BY NAME SELECT * FROM batch")  # as record_new

    @guarded_write
    def commit(self, run: dict | None = None) -> None:
        """Merge the new rows, derive every figure, and swap the file in; `run` is logged with its counts."""
        self.begin()
        con, started = self._writer, time.perf_counter()
        con.execute(sql.MERGE_NEW)
        con.execute(duck_local.MERGE_NEW)
        duck_changes.before(con)
        snapshot = time.perf_counter()
        self.attributed = derive(con, strict=self.strict)
        compared = time.perf_counter()
        self._changes += duck_changes.record(con, self._run_id, _now())
        derived = time.perf_counter()
        changes_s = (snapshot - started) + (derived - compared)  # merge included: the rows it compares
        if run is not None:
            awards, vendors, agencies, vehicles = con.execute(sql.RUN_COUNTS).fetchone()
            local = con.execute(LOCAL_RUN_COUNTS).fetchone()
            if vehicles:
                run["vehicles"] = vehicles  # contract vehicles: apart from the awards (graph/questions/vehicles.py)
            if local[0]:
                run["local"] = dict(
                    zip(
                        ("rows", "agencies", "deployments", "contracts", "sharing_links", "policies"),
                        local,
                        strict=False,
                    )
                )
            run.update(
                awards=awards,
                vendors=vendors,
                agencies=agencies,
                changes=self._changes,
                mentions=self.attributed.get("mentions"),
                judgements_pending=self.attributed.get("judgements_pending"),
            )
            con.execute("INSERT INTO run VALUES (?, ?)", [self._run_id, json.dumps(run, sort_keys=True)])
            con.execute(sql.CLEAR_NEW)  # kept until the run ends, which counts what all its steps brought
            con.execute(duck_local.CLEAR_NEW)
        if self.before_swap is not None:
            self.before_swap(con, run)  # e.g. the Neo4j store pushes what changed; a failure drops the load
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        con.close()
        self._writer = None
        with self._loading.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(self._loading, self.path)
        self.last_commit = {
            "derive_s": round(derived - started, 2),
            "write_s": round(time.perf_counter() - derived, 2),
            "merge_and_change_log_s": round(changes_s, 2),
        }
        log.info("store derived in %.1fs, written in %.1fs", derived - started, time.perf_counter() - derived)
        if run is not None:
            self._unlock()
        else:
            self.begin(fresh=False)  # a durable step inside a load (an API page): go on in a fresh copy

    def attribute(self, wait: bool = True, strict: bool = False) -> dict:
        """Derive everything again with the current rules and judgements (no records are read): what
        `python -m graph attribute` runs after the rule table or the judgements changed."""
        self.begin(wait=wait)
        self.strict = strict
        try:
            self.commit(
                {
                    "command": "attribute",
                    "inputs": [str(rules_file()), str(judgements_file())],
                    "loaded_at": _now(),
                    "rows_read": 0,
                    "rows_loaded": 0,
                    "rows_rejected": 0,
                }
            )
        except BaseException:
            self.rollback()
            raise
        finally:
            self.strict = False
        return {**self.attributed, **self.last_commit}

    def rollback(self) -> None:
        """Drop the load: close and delete the copy; the store file was never touched."""
        if self._writer is not None:
            try:
                self._writer.close()
            except duckdb.Error:
                pass
            self._writer = None
        if self._lock_handle is not None:  # only the lock holder owns the copy
            self._drop_copy()
        self._unlock()

    def _drop_copy(self) -> None:
        """Delete the load's copy and the write-ahead log DuckDB keeps beside it."""
        for path in (self._loading, self._loading.with_name(self._loading.name + ".wal")):
            path.unlink(missing_ok=True)

    def _lock(self, wait: bool) -> None:
        """One load at a time: an exclusive lock on KG_HOME/load.lock, released when the load ends or dies."""
        if self._lock_handle is not None:
            return
        self.home.mkdir(parents=True, exist_ok=True)
        handle = (self.home / "load.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                handle.close()
                raise StoreUnavailable(
                    f"another load is writing to {self.path}; wait for it to finish "
                    f"(or run again without --no-wait to queue behind it)"
                ) from None
            print(f"another load is writing to {self.path}: waiting for it to finish…", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        self._lock_handle = handle

    def _unlock(self) -> None:
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def clear(self) -> None:
        """Delete the store (an old, corrupt or current one) under the load lock."""
        self.rollback()
        self._lock(wait=True)
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        for path in (self._loading, self.path, self._legacy, self.home / "runs.jsonl"):
            if path.exists():
                path.unlink()
        self._unlock()

    def runs(self) -> list[dict]:
        return [json.loads(row["summary"]) for row in self._rows("SELECT summary FROM run ORDER BY id")]

    def vendor_index(self) -> Iterator[tuple[str, str | None, str | None, list[str]]]:
        """The vendors the store holds (id, UEI, DUNS, names), in id order."""
        for row in self._rows("SELECT id, uei, duns, aliases FROM vendor ORDER BY id"):
            yield row["id"], row["uei"], row["duns"], list(row["aliases"] or [])


# what this run's local rows are about (the agencies they name, distinct keys of each kind), for the run summary
LOCAL_RUN_COUNTS = """SELECT count(*), (SELECT count(*) FROM (SELECT agency FROM local_record_new UNION
                                                              SELECT other FROM local_record_new WHERE other IS NOT NULL)),
                             count(DISTINCT key) FILTER (kind = 'deployment'), count(DISTINCT key) FILTER (kind = 'contract'),
                             count(DISTINCT key) FILTER (kind = 'sharing'), count(DISTINCT key) FILTER (kind = 'policy')
                      FROM local_record_new"""


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _EmptyCursor:
    """What a store with no file yet answers: no rows."""

    def execute(self, *_):
        return self

    description = ()

    def fetchall(self):
        return []

    def fetchone(self):
        return None

    def close(self):
        pass


def _step(con, name: str, statement: str) -> None:
    started = time.perf_counter()
    con.execute(statement)
    log.info("derive %s: %.2fs", name, time.perf_counter() - started)


def derive(con, strict: bool = False) -> dict:
    """Rebuild every derived table from the records kept (and the curated tables and judgements): the same
    inputs give the same tables. Returns what attribution found; `strict`: see `derive_mentions`."""
    from graph.stores.duckdb import arrow as duck_arrow

    started = time.perf_counter()
    rules, judgements = rules_and_judgements()  # checked before any work: a bad line stops the load
    classifier = load_categories()
    _step(con, "chosen", sql.CHOSEN)
    parties = {}
    for name, uei, duns, seen in con.execute(sql.PARTIES).fetchall():
        parties[Party(name, uei, duns)] = str(seen) if seen else ""
    matched, vendors = resolve(parties)
    apart = merge_apart(judgements)
    kept_apart = {
        party
        for party, (vendor_id, how) in matched.items()
        if how == "name" and (party_record(party.name, party.uei, party.duns), vendor_id) in apart
    }
    if kept_apart:
        matched, vendors = resolve(parties, kept_apart)
    duck_arrow.frame(
        con,
        "party_vendor",
        ["name", "uei", "duns", "vendor_id", "match"],
        [(p.name or "", p.uei or "", p.duns or "", vendor_id, how) for p, (vendor_id, how) in matched.items()],
    )
    # contract vehicles' holders join the vendors above and change none (graph/questions/vehicles.py)
    held, holder_vendors = attach_holders((Party(*row) for row in con.execute(sql.VEHICLE_PARTIES).fetchall()), matched)
    vendors = {**holder_vendors, **vendors}
    duck_arrow.frame(
        con,
        "vehicle_party",
        ["name", "uei", "duns", "vendor_id", "match"],
        [(p.name or "", p.uei or "", p.duns or "", vendor_id, how) for p, (vendor_id, how) in held.items()],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE curated_agency AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
        [str(AGENCY_FILE)],
    )
    _step(con, "resolved", sql.RESOLVED)
    _step(con, "subawards", sql.SUBAWARDS)
    # vendors: display name from the latest record naming it; curated parents from the curated table
    latest_name: dict[str, tuple[str, str]] = {}
    for party, (vendor_id, _) in matched.items():
        if party.name:
            candidate = (parties[party], party.name)
            best = latest_name.get(vendor_id)
            if best is None or candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1] < best[1]):
                latest_name[vendor_id] = candidate
    families = load_families()
    vendor_rows, curated, parent_rows = [], {}, []
    for family in families.values():
        vendor_rows.append(
            (family.id, family.name, None, None, [family.name], True, " ".join(family.alias_sources) or None)
        )
    for vendor_id, vendor in sorted(vendors.items()):
        name = latest_name.get(vendor_id, ("", vendor.names[0] if vendor.names else None))[1]
        vendor_rows.append((vendor_id, name, vendor.uei, vendor.duns, vendor.names, False, None))
        for spelling in vendor.names:
            alias_of, subsidiary_of = curated_links(families, spelling)
            links = [(alias_of, "same company, another registration", None)] if alias_of else []
            links += [(family_id, "subsidiary", source) for family_id, source in subsidiary_of]
            for parent, relation, note in links:
                if parent != vendor_id:
                    curated.setdefault(vendor_id, set()).add(parent)
                    parent_rows.append(
                        (
                            vendor_id,
                            parent,
                            "curated",
                            relation,
                            note,
                            None,
                            None,
                            "data/vendor_families.csv",
                            None,
                            None,
                        )
                    )
    log.info("derive vendors and curated links: %.2fs", time.perf_counter() - started)
    reported: dict[str, list[Reported]] = {}
    for child, parent, first, last, source, record, permalink in con.execute(sql.REPORTED_PARENTS).fetchall():
        first, last = (str(first) if first else None), (str(last) if last else None)
        reported.setdefault(child, []).append(Reported(parent, first, last))
        parent_rows.append(
            (child, parent, "record", "parent as the record reports it", None, first, last, source, record, permalink)
        )
    log.info("derive reported parents: %.2fs", time.perf_counter() - started)
    timeline = Families({child: sorted(parents) for child, parents in curated.items()}, reported)
    family_rows = []
    for vendor_id, *_ in vendor_rows:
        for start, end, family in timeline.timeline(vendor_id):
            family_rows.append((vendor_id, start, end, family))
    current = {
        vendor_id: (timeline.parent(vendor_id, None), timeline.family(vendor_id, None)) for vendor_id, *_ in vendor_rows
    }
    log.info("derive family timelines: %.2fs", time.perf_counter() - started)
    vendor_rows = sorted({row[0]: row for row in vendor_rows}.values())
    duck_arrow.frame(con, "vendor_new", ["id", "name", "uei", "duns", "aliases", "curated", "note"], vendor_rows)
    duck_arrow.frame(con, "vendor_current", ["id", "parent", "family"], [(v, p, f) for v, (p, f) in current.items()])
    con.execute("""CREATE OR REPLACE TABLE vendor AS
                   SELECT v.*, c.parent, c.family FROM vendor_new v JOIN vendor_current c USING (id)""")
    duck_arrow.frame(
        con,
        "vendor_parent_new",
        [
            "child",
            "parent",
            "basis",
            "relation",
            "note",
            "first_reported",
            "last_reported",
            "source",
            "record",
            "permalink",
        ],
        sorted(set(parent_rows), key=lambda row: tuple("" if v is None else str(v) for v in row)),
    )
    con.execute("""CREATE OR REPLACE TABLE vendor_parent AS SELECT child, parent, basis, relation, note,
                   first_reported::DATE AS first_reported, last_reported::DATE AS last_reported, source, record,
                   permalink FROM vendor_parent_new""")
    duck_arrow.frame(con, "vendor_family_new", ["vendor_id", "valid_from", "valid_to", "family"], family_rows)
    con.execute("""CREATE OR REPLACE TABLE vendor_family AS SELECT vendor_id, valid_from::DATE AS valid_from,
                   valid_to::DATE AS valid_to, family FROM vendor_family_new""")
    log.info("derive vendor tables: %.2fs", time.perf_counter() - started)
    _step(con, "recipient years", sql.RECIPIENT_YEARS)
    _step(con, "vehicles", sql.VEHICLE)  # contract vehicles: a table of their own, read by no money figure
    _step(con, "award", sql.AWARD)
    _step(con, "agency", sql.AGENCY)
    _step(con, "fact", sql.FACT)
    _step(con, "rollups", sql.ROLLUPS)
    attributed = derive_mentions(con, rules, judgements, strict=strict)
    attributed["categories"] = derive_categories(con, classifier, rules)
    _step(con, "agency categories", sql.AGENCY_CATEGORY)
    duck_arrow.frame(
        con,
        "judged_merge",
        ["party", "vendor", "verdict", "who", "judged_at", "why"],
        [(j.record, j.target, j.verdict, j.who, j.when, j.why) for j in judgements.values() if j.kind == "merge"],
    )
    _step(con, "name merges", sql.NAME_MERGES)
    duck_local.derive_local(con)
    return attributed
