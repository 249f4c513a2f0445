"""The embedded store's file: one load at a time, readers never blocked, a killed load leaves no trace,
and a file it cannot read is one line that names it and the command that fixes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.questions.queries import Queries
from graph.store import StoreUnavailable, open_store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = sorted((ROOT / "data" / "sample").glob("*.csv.gz"))


def ingest(home: Path, *args: str, wait: bool = True, **options):
    env = {**os.environ, "KG_HOME": str(home)}
    command = [sys.executable, "-m", "ingest", *args]
    if wait:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options
    )


def graph_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m graph ARGS` on the store in `home`."""
    return subprocess.run(
        [sys.executable, "-m", "graph", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "KG_HOME": str(home)},
        timeout=300,
    )


@pytest.fixture
def sample_home(tmp_path) -> Path:
    done = ingest(tmp_path, "normalized", *map(str, SAMPLE), "--no-progress")
    assert done.returncode == 0, done.stderr
    return tmp_path


def test_a_second_load_waits_or_with_no_wait_stops(sample_home, shared_data):
    holder = open_store("embedded", home=sample_home)
    holder.begin()  # a load in progress: it holds the lock
    try:
        refused = ingest(sample_home, "normalized", *map(str, SAMPLE), "--no-progress", "--no-wait")
        assert refused.returncode == 1
        assert refused.stderr.count("\n") == 1 and "another load is writing" in refused.stderr
        waiting = ingest(sample_home, "normalized", *map(str, SAMPLE), "--no-progress", wait=False)
        time.sleep(3)
        assert waiting.poll() is None  # queued behind the first
    finally:
        holder.rollback()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "waiting for it to finish" in err
    runs = open_store("embedded", home=sample_home).runs()
    assert len(runs) == 2 and runs[1]["rows_read"] == runs[0]["rows_read"]  # neither lost a row


def test_a_killed_load_leaves_the_store_as_it_was(sample_home, shared_data):
    before = (sample_home / "store.duckdb").read_bytes()
    stats = Queries(open_store("embedded", home=sample_home)).stats()
    exports = sorted((shared_data / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv"))
    loading = ingest(sample_home, "transactions-csv", *map(str, exports), wait=False, start_new_session=True)
    deadline = time.time() + 60
    while not (sample_home / "store.duckdb.loading").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # into the middle of the load
    os.killpg(loading.pid, signal.SIGKILL)
    loading.wait(timeout=30)
    assert loading.returncode == -signal.SIGKILL
    assert (sample_home / "store.duckdb").read_bytes() == before
    assert Queries(open_store("embedded", home=sample_home)).stats() == stats
    again = ingest(sample_home, "transactions-csv", *map(str, exports[:1]), "--no-progress", "--no-wait")
    assert again.returncode == 0, again.stderr  # the lock died with the process; the leftover copy is replaced


@pytest.fixture
def bulk_home(tmp_path) -> Path:
    """Only the bundle's bulk-download file: the FY2021+ exports are new to it (the whole bundle holds them)."""
    bulk = [path for path in SAMPLE if path.name.startswith("ice_bulk_downloads")]
    done = ingest(tmp_path, "normalized", *map(str, bulk), "--no-progress")
    assert done.returncode == 0, done.stderr
    return tmp_path


def test_a_reader_keeps_reading_during_a_load_and_sees_it_after(bulk_home, shared_data):
    reader = open_store("embedded", home=bulk_home)
    before = Queries(reader).stats()
    version = reader.version()
    exports = sorted((shared_data / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv"))
    loading = ingest(bulk_home, "transactions-csv", *map(str, exports), "--no-progress", wait=False)
    answered = 0
    while loading.poll() is None:
        assert Queries(reader).agency_profile("ICE", limit=5)["award_count"] > 0  # never blocked, never broken
        answered += 1
    assert loading.returncode == 0, loading.stderr.read()
    assert answered > 0
    assert reader.version() != version
    assert Queries(reader).stats()["nodes"]["Fact"] > before["nodes"]["Fact"]  # the same object sees the new data


def test_an_old_pickled_store_names_the_command_that_fixes_it(tmp_path):
    (tmp_path / "graph.pickle").write_bytes(b"\x80\x05old")
    with pytest.raises(StoreUnavailable, match=r"graph\.pickle.*old format.*python -m graph clear --yes"):
        Queries(open_store("embedded", home=tmp_path)).stats()
    cleared = subprocess.run(
        [sys.executable, "-m", "graph", "clear", "--yes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "KG_HOME": str(tmp_path)},
    )
    assert cleared.returncode == 0, cleared.stderr
    assert not (tmp_path / "graph.pickle").exists()
    assert Queries(open_store("embedded", home=tmp_path)).stats() == {"nodes": {}, "relationships": {}}


def test_a_corrupt_store_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "store.duckdb").write_bytes(b"this is not a database" * 100)
    done = graph_cli(tmp_path, "stats")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert str(tmp_path / "store.duckdb") in done.stderr and "python -m graph clear --yes" in done.stderr
    cleared = subprocess.run(
        [sys.executable, "-m", "graph", "clear", "--yes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "KG_HOME": str(tmp_path)},
    )
    assert cleared.returncode == 0 and not (tmp_path / "store.duckdb").exists()


def test_a_store_of_the_previous_format_is_read_again_after_a_load(sample_home):
    """A store an earlier version wrote (format in `graph.stores.duckdb.sql.DERIVES_FROM`): reading it names the command, and
    a load (`make load` after an update) derives every table anew in this format, answering as a fresh load does."""
    import duckdb

    from graph.stores.duckdb import sql as duck_sql

    before = open_store("embedded", home=sample_home)
    fresh, counts = Queries(before).agency_profile("ICE", limit=5), Queries(before).stats()
    before.close()
    path = sample_home / "store.duckdb"
    with duckdb.connect(str(path)) as con:  # as the previous version left it: its format, no table it lacked
        con.execute("UPDATE meta SET value = ? WHERE name = 'format'", [str(duck_sql.DERIVES_FROM[-1])])
        con.execute("DROP TABLE vehicle")
    done = graph_cli(sample_home, "stats")
    assert done.returncode == 1 and "python -m graph clear --yes" in done.stderr and "format" in done.stderr
    again = ingest(sample_home, "normalized", str(SAMPLE[0]), "--no-progress")
    assert again.returncode == 0, again.stderr
    store = open_store("embedded", home=sample_home)
    assert Queries(store).agency_profile("ICE", limit=5) == fresh
    assert Queries(store).stats() == counts  # every table derived again, the vehicles' included


def test_a_store_written_before_a_field_was_declared_asks_for_a_load_which_adds_it(sample_home):
    """A field added to core/facts.py changes the store's format stamp with no hand bump: a store written before it
    (simulated: its `record` lacks the last award field, its stamp names the fields it had) asks for a load, and
    the load adds the column and answers as a fresh load does."""
    import duckdb

    from core.facts import AWARD_DERIVED_FIELDS, AWARD_FIELDS, RECORD_FIELDS, SUBAWARD_FIELDS, VEHICLE_FIELDS
    from graph.stores.duckdb import sql as duck_sql

    newest, path = AWARD_FIELDS[-1].name, sample_home / "store.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        found = con.execute(f"SELECT key FROM award WHERE {newest} IS NOT NULL ORDER BY key LIMIT 5").fetchall()
    keys = [key for (key,) in found]
    before = open_store("embedded", home=sample_home)
    fresh, counts, awards = (
        Queries(before).agency_profile("ICE", limit=5),
        Queries(before).stats(),
        before.fetch_awards(keys),
    )
    before.close()
    assert len(awards) == 5 and all(award[newest] is not None for award in awards)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()[0] == duck_sql.FORMAT
    older = duck_sql.fields_hash(
        [f for f in RECORD_FIELDS if f.name != newest], SUBAWARD_FIELDS, AWARD_DERIVED_FIELDS, VEHICLE_FIELDS
    )
    with duckdb.connect(str(path)) as con:  # as a version without the field left it
        for table in ("record", "record_new"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN {newest}")
        con.execute("UPDATE meta SET value = ? WHERE name = 'format'", [f"{duck_sql.FORMAT_VERSION}+{older}"])
    done = graph_cli(sample_home, "stats")
    assert done.returncode == 1 and "python -m graph clear --yes" in done.stderr and "format" in done.stderr
    again = ingest(sample_home, "normalized", *map(str, SAMPLE), "--no-progress")
    assert again.returncode == 0, again.stderr
    store = open_store("embedded", home=sample_home)
    assert Queries(store).agency_profile("ICE", limit=5) == fresh and Queries(store).stats() == counts
    read = {award["key"]: award[newest] for award in store.fetch_awards(keys)}
    assert read == {award["key"]: award[newest] for award in awards}  # the field read back from the rows loaded again
