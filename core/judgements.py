"""Reviewers' judgements: data with provenance (who, when, why), kept in a versioned file, never code.

`data/judgements.csv` (or KG_JUDGEMENTS) holds one line per judgement, appended by `python -m graph review`
and the dashboard's /review page. They override the product rules and name matching on the next load or
`python -m graph attribute`: a rejected attribution never comes back, a confirmed one stays even when no rule
finds it, and a party judged "not the same" as a vendor no longer joins it by name. A later line about the
same thing replaces an earlier one, so the file is the history and its last word counts.
"""

from __future__ import annotations

import csv
import fcntl
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .curated import DATA, Family, load_families
from .tables import BadTable
from .tables import rows as table_rows

JUDGEMENTS_FILE = DATA / "judgements.csv"
COLUMNS = ("kind", "record", "target", "verdict", "who", "when", "why")
VERDICTS = {"attribution": ("correct", "wrong"), "merge": ("same", "not_same"), "local": ("same", "not_same")}
_WHEN = re.compile(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?")


@dataclass(frozen=True)
class Judgement:
    kind: str  # attribution | merge | local
    record: str  # attribution: an action key or an award key; merge: the party as "name|uei|duns"; local: an agency id
    target: str  # attribution: the maker's family id (org:…); merge: the vendor id it was joined to; local: the other
    verdict: str
    who: str
    when: str
    why: str
    line: int

    @property
    def subject(self) -> tuple[str, str, str]:
        return self.kind, self.record, self.target


def judgements_file() -> Path:
    return Path(os.environ.get("KG_JUDGEMENTS") or JUDGEMENTS_FILE)


def party_record(name: str | None, uei: str | None, duns: str | None) -> str:
    """How a merge judgement names a reported party (the triple the resolver reads)."""
    return f"{name or ''}|{uei or ''}|{duns or ''}"


def check(row: dict[str, Any], families: dict[str, Family], where: str) -> Judgement:
    """One judgement, validated; `where` names its file and line in every message."""
    values = {column: " ".join(str(row.get(column) or "").split()) for column in COLUMNS}
    kind = values["kind"].lower()
    if kind not in VERDICTS:
        raise BadTable(f"{where}: kind must be attribution, merge or local, not {values['kind']!r}")
    verdict = values["verdict"].lower().replace(" ", "_").replace("-", "_")
    if verdict not in VERDICTS[kind]:
        raise BadTable(
            f"{where}: a {kind} judgement's verdict is {' or '.join(VERDICTS[kind])}, not {values['verdict']!r}"
        )
    if not values["record"]:
        raise BadTable(f"{where}: name the record judged (an action or award key, or a party)")
    if kind == "merge" and values["record"].count("|") != 2:
        raise BadTable(f"{where}: a merge judgement names the party as name|uei|duns, not {values['record']!r}")
    target = values["target"]
    if kind == "local":  # two local agencies, in id order: one pair is one subject, whichever way it was named
        if not (values["record"].startswith("local:") and target.startswith("local:")) or values["record"] == target:
            raise BadTable(
                f"{where}: a local judgement names two local agency ids (local:…), the record and the target"
            )
        values["record"], target = sorted((values["record"], target))
    elif kind == "attribution":
        by_name = {family.name: family.id for family in families.values()}
        ids = {family.id for family in families.values()}
        found = by_name.get(target, target if target in ids else None)
        if found is None:
            raise BadTable(
                f"{where}: unknown maker {values['target']!r}; use a canonical name of data/vendor_families.csv"
            )
        target = found
    elif not target:
        raise BadTable(f"{where}: name the vendor id the party was joined to")
    if not values["who"]:
        raise BadTable(f"{where}: say who made the judgement")
    if not _WHEN.fullmatch(values["when"]):
        raise BadTable(f"{where}: when must be an ISO date or time, not {values['when']!r}")
    if not values["why"]:
        raise BadTable(f"{where}: say why (the evidence the reviewer read)")
    return Judgement(
        kind,
        values["record"],
        target,
        verdict,
        values["who"],
        values["when"],
        values["why"],
        int(where.rsplit(" ", 1)[-1]) if where.rsplit(" ", 1)[-1].isdigit() else 0,
    )


def load_judgements(
    path: Path | None = None, families: dict[str, Family] | None = None
) -> dict[tuple[Any, ...], Judgement]:
    """{(kind, record, target): the last judgement about it}, the whole file checked first."""
    path = Path(path or judgements_file())
    families = load_families() if families is None else families
    if not path.exists():
        return {}
    latest: dict[tuple[Any, ...], Judgement] = {}
    reader = table_rows(path)  # decoded strictly: a byte that is not UTF-8 names its line
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise BadTable(f"{path} line 1: missing column(s) {', '.join(missing)}; the columns are {','.join(COLUMNS)}")
    for line, row in enumerate(reader, start=2):
        judgement = check(row, families, f"{path} line {line}")
        latest[judgement.subject] = judgement
    return latest


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def append_judgement(
    row: dict[str, Any], path: Path | None = None, families: dict[str, Family] | None = None
) -> Judgement:
    """Check one judgement and append it to the file (created with its header), under a lock so the CLI and
    the dashboard can write at once."""
    path = Path(path or judgements_file())
    families = load_families() if families is None else families
    row = {**row, "when": row.get("when") or now()}
    judgement = check(row, families, f"{path} (new line)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", newline="", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            empty = not handle.read(1)
            writer = csv.writer(handle, lineterminator="\n")
            if empty:
                writer.writerow(COLUMNS)
            names = {family.id: family.name for family in families.values()}
            writer.writerow(
                [
                    judgement.kind,
                    judgement.record,
                    names.get(judgement.target, judgement.target),
                    judgement.verdict,
                    judgement.who,
                    judgement.when,
                    judgement.why,
                ]
            )
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return judgement
