"""From normalized records to a store: batching, rejects, the run summary.

Every row read is either loaded or rejected (written to the rejects file with its line and reason), so
rows_read == rows_loaded + rows_rejected. A store keeps each record as its rows (`core.facts`) and
decides vendors, families and figures from everything it holds, so loading the same input again
changes no count and the order of files changes no answer.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from core.facts import record_rows, too_long
from core.local_rows import LOCAL_TYPES, local_row
from core.records import Deletion, Reject, Subaward, Transaction

log = logging.getLogger(__name__)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class RejectsFile:
    """Rejected rows with their source, line and reason, written only if there are any."""

    def __init__(self, path: Path):
        self.path, self.handle, self.writer = path, None, None

    def write(self, reject: Reject) -> None:
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w", newline="", encoding="utf-8")
            self.writer = csv.writer(self.handle)
            self.writer.writerow(["source", "record", "reason", "raw"])
        raw = reject.raw
        if isinstance(raw, list):
            raw = "|".join(raw)
        self.writer.writerow([reject.source, reject.record, reject.reason, raw if raw is not None else ""])

    def close(self) -> str | None:
        if self.handle:
            self.handle.close()
            return str(self.path)
        return None


class Loader:
    """Feeds records to a store in batches; `flush(durable=True)` makes what was fed so far durable."""

    def __init__(
        self,
        store,
        *,
        command: str,
        inputs: list[str],
        rejects_dir: Path,
        total: int | None = None,
        progress: bool = True,
        wait: bool = True,
        extra: dict | None = None,
    ):
        self.store, self.command, self.inputs = store, command, inputs
        self.extra = extra if extra is not None else {}  # more for the run log (what was asked, file by file)
        self.last_action_date: str | None = None
        self.started = time.perf_counter()
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%f")
        self.rejects = RejectsFile(rejects_dir / f"{stamp}-{command}.csv")
        self.rows: list = []
        self.local_rows: list[dict] = []  # local records (core/local.py): kept apart, no money of theirs is summed
        self.action_keys: set[str] = set()
        self.read = self.loaded = self.rejected = self.duplicate_rows = self.deletions = 0
        self.bar = tqdm(
            total=total,
            unit=" rows",
            file=sys.stderr,
            disable=not progress,
            mininterval=0.5,
            desc=command,
            dynamic_ncols=True,
        )
        store.begin(wait=wait)  # last: a failure (or Ctrl-C) in it drops what it began, and none can come after

    def feed(self, record) -> None:
        self.read += 1
        if isinstance(record, Reject):
            self.rejected += 1
            self.rejects.write(record)
        elif isinstance(record, LOCAL_TYPES):  # local rows take the federal rows' length limits (core.facts)
            if (why := too_long((row := local_row(record), None))) is not None:
                self.rejected += 1
                self.rejects.write(Reject(record.prov.source, record.prov.record, why, None))
            else:
                self.local_rows.append(row)
                self.loaded += 1
        elif (why := too_long(rows := record_rows(record))) is not None:
            self.rejected += 1
            prov = (
                record.award.prov if isinstance(record, Transaction) else record.prov
            )  # an action cites its award's row
            self.rejects.write(Reject(prov.source, prov.record, why, None))
        else:
            if isinstance(record, Transaction):
                if record.key in self.action_keys:
                    self.duplicate_rows += 1  # an action already read: kept once
                self.action_keys.add(record.key)
            elif isinstance(record, Deletion):
                self.deletions += 1  # loaded as a record: the latest-retrieved record of its action decides
            self.rows.append(rows)
            self.loaded += 1
            dated = _date_of(record)
            if dated and (self.last_action_date is None or dated > self.last_action_date):
                self.last_action_date = dated
        if self.read % self.store.batch_rows == 0:
            self.flush()

    def flush(self, durable: bool = False) -> None:
        self.store.write(self.rows)
        if self.local_rows:
            self.store.write_local(self.local_rows)
        self.rows, self.local_rows = [], []
        self.bar.update(self.read - self.bar.n)
        if durable:
            self.store.commit(None)

    def finish(self) -> dict:
        self.flush()
        self.bar.close()
        rejects_file = self.rejects.close()
        seconds = time.perf_counter() - self.started
        summary = {
            "command": self.command,
            "inputs": self.inputs,
            "store": self.store.kind,
            "loaded_at": now_iso(),
            "rows_read": self.read,
            "rows_loaded": self.loaded,
            "rows_rejected": self.rejected,
            "rejects_file": rejects_file,
            "duplicate_rows": self.duplicate_rows,
            **({"deletions": self.deletions} if self.deletions else {}),
            "seconds": round(seconds, 3),
            "rows_per_second": round(self.read / seconds) if seconds else None,
            "last_action_date": self.last_action_date,
            **self.extra,
        }
        if self.read != self.loaded + self.rejected:
            raise AssertionError(f"row accounting broke: {summary}")
        self.store.commit(summary)  # the store adds its counts of awards, vendors and agencies
        return summary

    def run(self, records: Iterable) -> dict:
        """Feed every record, then finish; on any failure drop what was not committed."""
        try:
            for record in records:
                self.feed(record)
            return self.finish()
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """A failed load: the store drops everything it was given since its last commit."""
        self.bar.close()
        self.rejects.close()
        self.store.rollback()


def _date_of(record) -> str | None:
    """The date a record reports: an action's date, a summary's last modification, a subaward's date."""
    if isinstance(record, Transaction):
        return record.action_date
    if isinstance(record, Subaward):
        return record.action_date
    return getattr(record, "values_as_of", None)


def load(store, records: Iterable, **options) -> dict:
    """Load records into the store; commit only if the whole input was read."""
    return Loader(store, **options).run(records)
