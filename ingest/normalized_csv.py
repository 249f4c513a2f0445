"""Normalized records as one flat CSV: what `python -m ingest normalize` writes and the bundled data is.

A normalized file keeps each record's original provenance (source file, line, retrieval time,
USAspending permalink), so figures loaded from it still cite the public record, not the bundle.
A name ending in `.gz` is gzip-compressed (written with a fixed timestamp, so a rebuild gives the same bytes).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core import facts
from core.records import AgencyRef, Award, Party, Provenance, Reject, Subaward, Transaction, Vehicle

from . import clean
from .csvfile import SourceError, check_unique

VALUES = ("obligated", "current_value", "potential_value", "values_as_of")  # the figures, with their as-of date
AWARD_FIELDS = tuple(field.name for field in facts.AWARD_FIELDS if field.name not in VALUES) + VALUES
PARTY_FIELDS = ("name", "uei", "duns", "cage", "parent_name", "parent_uei", "parent_duns")
AGENCY_FIELDS = ("toptier_code", "toptier_name", "subtier_code", "subtier_name", "office_code", "office_name")
MONEY = {"obligated", "current_value", "potential_value", "obligation", "sub_amount", "prime_amount"}
COLUMNS = (
    ("kind", "key", "award_key")
    + AWARD_FIELDS
    + tuple(f"recipient_{f}" for f in PARTY_FIELDS)
    + tuple(f"awarding_{f}" for f in AGENCY_FIELDS)
    + tuple(f"funding_{f}" for f in AGENCY_FIELDS)
    + ("modification", "action_date", "obligation", "tx_description")
    + tuple(f"sub_{f}" for f in PARTY_FIELDS)
    + ("sub_number", "sub_amount", "sub_action_date", "sub_description", "prime_amount")
    + ("source", "record", "retrieved", "permalink")
)


def _award_row(award: Award) -> dict:
    row = {"award_key": award.key, **{f: getattr(award, f) for f in AWARD_FIELDS}}
    row.update({f"recipient_{f}": getattr(award.recipient, f) for f in PARTY_FIELDS})
    row.update({f"awarding_{f}": getattr(award.awarding, f) for f in AGENCY_FIELDS})
    row.update({f"funding_{f}": getattr(award.funding, f) for f in AGENCY_FIELDS})
    row.update(
        source=award.prov.source,
        record=award.prov.record,
        retrieved=award.prov.retrieved,
        permalink=award.prov.permalink,
    )
    return row


def to_row(record) -> dict:
    if isinstance(record, Transaction):
        row = _award_row(record.award)
        row.update(
            kind="transaction",
            key=record.key,
            modification=record.modification,
            action_date=record.action_date,
            obligation=record.obligation,
            tx_description=record.description,
        )
    elif isinstance(record, Subaward):
        row = _award_row(record.prime)
        row.update({f"sub_{f}": getattr(record.sub, f) for f in PARTY_FIELDS})
        row.update(
            kind="subaward",
            key=record.key,
            sub_number=record.number,
            sub_amount=record.amount,
            sub_action_date=record.action_date,
            sub_description=record.description,
            prime_amount=record.prime_amount,
            source=record.prov.source,
            record=record.prov.record,
            retrieved=record.prov.retrieved,
            permalink=record.prov.permalink,
        )
    elif isinstance(record, Award):  # a Vehicle (an Award kept apart from the awards) is written as kind "vehicle"
        row = _award_row(record)
        row.update(kind="vehicle" if isinstance(record, Vehicle) else "award", key=record.key)
    else:
        raise TypeError(f"cannot write {type(record).__name__}")
    return row


@contextmanager
def _open(path: Path, mode: str):
    """The file as text, through gzip when its name ends in .gz."""
    if path.suffix != ".gz":
        with path.open(mode, newline="", encoding="utf-8") as handle:
            yield handle
        return
    with (
        path.open(mode + "b") as raw,
        gzip.GzipFile(filename="", mode=mode + "b", fileobj=raw, mtime=0) as unzipped,
        io.TextIOWrapper(unzipped, newline="", encoding="utf-8") as handle,
    ):
        yield handle


def write(records: Iterable, path: Path) -> int:
    return write_rows((to_row(record) for record in records), COLUMNS, path)


def write_rows(rows: Iterable[dict], columns, path: Path) -> int:
    """Rows (None written as blank) under a header of `columns`; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with _open(path, "w") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
            count += 1
    return count


def read(
    path: Path, header_from: Path | None = None, encoding: str | None = None
) -> Iterator[Award | Transaction | Subaward | Reject]:
    """Our own files are UTF-8 (`encoding` is ignored); a byte that is not stops the file at its line. A file of
    local records (`ingest/normalized_local.py`) is read as such."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    from . import normalized_local

    with _open(path, "r") as handle:
        try:
            header = next(csv.reader(handle), [])
        except UnicodeDecodeError:
            header = []  # reported below, with its line
    if normalized_local.is_local(header):  # local records (deployments, sharing links, policies)
        yield from normalized_local.read(path)
        return
    with _open(path, "r") as handle:
        reader = csv.DictReader(handle)
        try:
            yield from _rows(path, reader)
        except UnicodeDecodeError as error:
            raise SourceError(
                f"{path}: after line {reader.line_num} the file holds {error.object[error.start : error.end]!r}, "
                f"which is not UTF-8; normalized files are written as UTF-8 by `python -m ingest "
                f"normalize`, so write it again (what was read of this file is not committed)"
            ) from None


def _rows(path: Path, reader: csv.DictReader):
    check_unique(path, reader.fieldnames or [])
    missing = [c for c in ("kind", "key", "award_key", "source", "record") if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(
            f"{path}: not a normalized records file (missing {', '.join(missing)}); "
            f"write one with `python -m ingest normalize`"
        )
    for row in reader:
        line = f"line {reader.line_num}"
        try:
            yield _from_row({k: clean.text(v) if v else None for k, v in row.items()})
        except (clean.BadValue, KeyError, ValueError) as error:
            yield Reject(str(path), line, f"bad normalized row: {error}", row)


def _from_row(row: dict):
    def money(name):
        return clean.amount(row.get(name))

    prov = Provenance(row["source"], row["record"], row.get("retrieved") or "", row.get("permalink"))
    kind = row["kind"]
    award = (Vehicle if kind == "vehicle" else Award)(
        key=row["award_key"],
        recipient=Party(**{f: row.get(f"recipient_{f}") for f in PARTY_FIELDS}),
        awarding=AgencyRef(**{f: row.get(f"awarding_{f}") for f in AGENCY_FIELDS}),
        funding=AgencyRef(**{f: row.get(f"funding_{f}") for f in AGENCY_FIELDS}),
        prov=prov,
        **{f: (money(f) if f in MONEY else row.get(f)) for f in AWARD_FIELDS},
    )
    if kind in ("award", "vehicle"):
        return award
    if kind == "transaction":
        return Transaction(
            key=row["key"],
            award=award,
            modification=row.get("modification"),
            action_date=row.get("action_date"),
            obligation=money("obligation"),
            description=row.get("tx_description"),
        )
    if kind == "subaward":
        award.prov = Provenance(prov.source, prov.record, prov.retrieved)
        return Subaward(
            key=row["key"],
            prime=award,
            sub=Party(**{f: row.get(f"sub_{f}") for f in PARTY_FIELDS}),
            prov=prov,
            number=row.get("sub_number"),
            amount=money("sub_amount"),
            action_date=row.get("sub_action_date"),
            description=row.get("sub_description"),
            prime_amount=money("prime_amount"),
        )
    raise ValueError(f"kind {kind!r} is not award, vehicle, transaction or subaward")
