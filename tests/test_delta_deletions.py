"""An Award Data Archive delta file's deletions (issue 31, item 4), on every store.

The rows are real: 57 of Torn Apart's fy13 transactions and three actions of one award from fy13-18 (../shared/data), written as a modern
transaction file by adding the `contract_transaction_unique_key` column that 2018's vintage lacks, and a delta
file of three of them with the delta's `correction_delete_ind` column in front (C: corrected or new, D: deleted).
The key values are made up in USAspending's shape; every other cell is the real row's.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.records import Reject, Transaction
from graph.store import open_store
from ingest import usaspending_csv
from ingest.load import load

FY13 = "torn_apart_ice_fy2013_2018/fy13.csv"
ROWS = 60
FULL_TIME = 1_735_689_600  # 2025-01-01: when the full file was retrieved (its modification time)
DELTA_TIME = FULL_TIME + 5 * 86_400  # the delta file, five days later


def tx_key(index: int) -> str:
    return f"7012_-NONE-_FY13ROW{index:03d}_0_-NONE-_0"


@pytest.fixture(scope="module")
def real_rows(shared_data) -> tuple[list[str], list[list[str]]]:
    """fy13's first rows, and three actions of fy13's first award that the later years' files (fy14-18, with fy13's
    header) have three actions of (`picked` needs one)."""
    folder = shared_data / FY13.split("/")[0]
    with (folder / "fy13.csv").open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        first = list(reader)
    later = []
    for year in range(14, 19):
        with (folder / f"fy{year}.csv").open(newline="", encoding="utf-8-sig") as handle:
            later += list(csv.reader(handle))
    piid = header.index("award_id_piid")
    count = Counter(row[piid] for row in first + later)
    several = next(row[piid] for row in first if count[row[piid]] >= 3)
    of_it = [row for row in first + later if row[piid] == several][:3]
    return header, [row for row in first if row[piid] != several][: ROWS - 3] + of_it


def write(path: Path, header: list[str], rows: list[list[str]], when: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    os.utime(path, (when, when))
    return path


def full_file(folder: Path, real_rows, indexes=range(ROWS), name: str = "full.csv", when: int = FULL_TIME) -> Path:
    header, rows = real_rows
    return write(
        folder / name,
        ["contract_transaction_unique_key", *header],
        [[tx_key(i), *rows[i]] for i in indexes],
        when,
    )


@pytest.fixture(scope="module")
def award_of(real_rows, tmp_path_factory) -> dict[int, str]:
    """Each row's award key, as the adapter reads it."""
    path = full_file(tmp_path_factory.mktemp("awards"), real_rows)
    return {
        int(record.key.split("_")[2][len("FY13ROW") :]): record.award.key
        for record in usaspending_csv.read(path)
        if isinstance(record, Transaction)
    }


@pytest.fixture(scope="module")
def picked(award_of) -> dict[str, list[int]]:
    """Two actions of an award with more actions (it stays, smaller) and the only action of another (it goes)."""
    count = Counter(award_of.values())
    shared = next(i for i in sorted(award_of) if count[award_of[i]] >= 3)
    second = next(i for i in sorted(award_of) if award_of[i] == award_of[shared] and i != shared)
    alone = next(i for i in sorted(award_of) if count[award_of[i]] == 1)
    return {"shared": [shared, second], "alone": [alone]}


@pytest.fixture(scope="module")
def deleted(picked) -> list[int]:
    return sorted(picked["shared"] + picked["alone"])


def delta_file(folder: Path, real_rows, deleted: list[int], when: int = DELTA_TIME) -> Path:
    """The deletions, as the archive writes them (the keys filled, most cells blank), and one C row restating an
    action unchanged; a D row without its key is rejected."""
    header, rows = real_rows
    blank = [""] * len(header)
    award_column = header.index("award_id_piid")
    lines = [["D", tx_key(i), *blank] for i in deleted]
    lines.append(["C", tx_key(0), *rows[0]])
    keyless = list(blank)
    keyless[award_column] = rows[1][award_column]
    lines.append(["D", "", *keyless])
    return write(
        folder / "delta.csv", ["correction_delete_ind", "contract_transaction_unique_key", *header], lines, when
    )


def load_file(store, path: Path) -> dict:
    rows = usaspending_csv.read(path)
    return load(store, rows, command="usaspending-csv", inputs=[str(path)], rejects_dir=path.parent, progress=False)


def actions(store, award_of) -> dict[str, int | None]:
    """Every action the store holds of the real rows' awards: key -> cents."""
    keys = sorted(set(award_of.values()))
    return {row["key"]: row["cents"] for row in store.fetch_award_facts(keys) if row["kind"] == "action"}


def _rows_of(award_of: dict[int, str], award: str) -> set[str]:
    return {f"FY13ROW{i:03d}" for i, key in award_of.items() if key == award}


def test_a_deletion_removes_its_action_logs_it_and_a_rerun_changes_nothing(
    make_store, tmp_path, real_rows, award_of, picked, deleted
):
    store = make_store()
    load_file(store, full_file(tmp_path, real_rows))
    before = actions(store, award_of)
    assert {tx_key(i) for i in deleted} <= set(before)

    delta = delta_file(tmp_path, real_rows, deleted)
    summary = load_file(store, delta)

    assert summary["deletions"] == 3 and summary["rows_rejected"] == 1
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"] == 5
    after = actions(store, award_of)
    assert after == {key: cents for key, cents in before.items() if key not in {tx_key(i) for i in deleted}}
    assert store.fetch_awards([award_of[picked["alone"][0]]]) == []  # its only action withdrawn: no award
    smaller = award_of[picked["shared"][0]]
    (kept,) = store.fetch_awards([smaller])
    assert kept["tx_count"] == Counter(award_of.values())[smaller] - 2
    remaining = [cents for key, cents in after.items() if key.split("_")[2] in _rows_of(award_of, smaller)]
    assert round(kept["obligated"] * 100) == sum(c for c in remaining if c is not None)

    changes = store.fetch_changes(None, None, None, None)
    removed = sorted(
        (c["action_key"], c["before"], c["source"], c["record"]) for c in changes if c["change"] == "removed_action"
    )
    lines = {tx_key(i): f"line {n}" for n, i in enumerate(deleted, start=2)}
    assert removed == sorted(
        (tx_key(i), f"{before[tx_key(i)] / 100:.2f}", str(delta), lines[tx_key(i)]) for i in deleted
    )
    assert not [c for c in changes if c["change"] in ("new_award", "new_modification")]
    assert all(
        c["permalink"] and c["permalink"].startswith("https://") for c in changes if c["change"] == "removed_action"
    )

    rerun = load_file(store, delta)
    assert rerun["deletions"] == 3
    assert actions(store, award_of) == after
    assert store.fetch_changes(None, None, None, None) == []  # the latest run changed nothing


def test_any_file_order_gives_the_same_store_and_a_later_full_file_brings_an_action_back(
    make_store, tmp_path, real_rows, award_of, deleted
):
    full, delta = full_file(tmp_path, real_rows), delta_file(tmp_path, real_rows, deleted)
    in_order = make_store(tmp_path / "in-order")
    for path in (full, delta):
        load_file(in_order, path)
    reversed_ = make_store(tmp_path / "reversed") if in_order.kind == "embedded" else in_order
    if reversed_ is in_order:  # one test server: the same store cleared
        expected = actions(in_order, award_of)
        in_order.clear()
    for path in (delta, full):
        load_file(reversed_, path)
    if reversed_ is not in_order:
        expected = actions(in_order, award_of)
    assert actions(reversed_, award_of) == expected
    assert not {tx_key(i) for i in deleted} & set(expected)

    later = full_file(tmp_path, real_rows, deleted, name="fetched-again.csv", when=DELTA_TIME + 86_400)
    load_file(reversed_, later)
    assert {tx_key(i) for i in deleted} <= set(actions(reversed_, award_of))
    assert {c["action_key"] for c in reversed_.fetch_changes(None, None, None, None)} >= {tx_key(i) for i in deleted}


@pytest.fixture(scope="module")
def one_load_each(tmp_path_factory, real_rows, award_of, deleted) -> dict[str, int | None]:
    """The actions of the whole file, then the delta, loaded into an embedded store."""
    folder = tmp_path_factory.mktemp("reference")
    store = open_store("embedded", home=folder / "kg")
    try:
        load_file(store, full_file(folder, real_rows))
        load_file(store, delta_file(folder, real_rows, deleted))
        return actions(store, award_of)
    finally:
        store.close()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_split_and_order_of_the_files_gives_one_answer(
    tmp_path_factory, real_rows, award_of, deleted, one_load_each, data
):
    """Random splits of the full file into loads, the delta among them in a random place: one store (embedded)."""
    folder = tmp_path_factory.mktemp("split")
    parts = data.draw(st.integers(min_value=1, max_value=3))
    owner = data.draw(st.lists(st.integers(0, parts - 1), min_size=ROWS, max_size=ROWS))
    files = [
        full_file(folder, real_rows, [i for i in range(ROWS) if owner[i] == part], name=f"part{part}.csv")
        for part in sorted(set(owner))
    ]
    files.append(delta_file(folder, real_rows, deleted))
    store = open_store("embedded", home=folder / "kg")
    try:
        for path in data.draw(st.permutations(files)):
            load_file(store, path)
        assert actions(store, award_of) == one_load_each
    finally:
        store.close()


def test_a_deletion_row_without_its_key_names_file_and_line(tmp_path, real_rows, deleted):
    rejects = [r for r in usaspending_csv.read(delta_file(tmp_path, real_rows, deleted)) if isinstance(r, Reject)]
    assert [(r.source, r.record) for r in rejects] == [(str(tmp_path / "delta.csv"), "line 6")]
    assert "nothing was removed" in rejects[0].reason
