"""Flattened `/api/v2/search/spending_by_transaction/` results saved as CSV (search-result exports).

These carry no UEI/DUNS and no agency codes: the vendor is a name only (matched with low
confidence), and the agency comes from the codes inside `Generated Award ID`
(CONT_AWD_<piid>_<awarding subtier>_<parent piid>_<parent subtier>), never from the `Agency` label.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from core.keys import key_text
from core.records import AgencyRef, Award, Party, Provenance, Reject, Transaction

from . import clean
from .csvfile import Columns, SourceError, open_csv, width_problem

REQUIRED = ("Award ID", "Recipient Name", "Federal Action Obligation", "Action Date", "Generated Award ID")
KNOWN_COLUMNS = frozenset(
    REQUIRED + ("Agency", "Modification", "Transaction Description", "Product/Service Description", "NAICS Description")
)


def read(path: Path, header_from: Path | None = None, encoding: str | None = None) -> Iterator[Transaction | Reject]:
    opened = open_csv(path, KNOWN_COLUMNS, header_from, encoding)
    cols = Columns(opened.header)
    if not cols.has(*REQUIRED):
        missing = [name for name in REQUIRED if name not in cols.index]
        raise SourceError(
            f"{path}: unknown CSV layout for a spending_by_transaction export (missing "
            f"{', '.join(missing)}); for bulk downloads use `python -m ingest usaspending-csv`"
        )
    get = {name: cols.getter(name) for name in KNOWN_COLUMNS}
    source, retrieved, width = str(path), opened.retrieved, len(opened.header)
    text = clean.text
    for line, row in opened.rows:
        if (problem := width_problem(row, width)) is not None:
            yield Reject(source, f"line {line}", problem, row)
            continue
        try:
            key = (text(get["Generated Award ID"](row)) or "").upper()
            if not key:
                raise clean.BadValue("no Generated Award ID")
            piid, subtier, parent_piid, parent_agency = clean.split_award_key(key)
            name = text(get["Recipient Name"](row))
            if not name:
                raise clean.BadValue("no Recipient Name")
            action_date = clean.date(get["Action Date"](row))
            obligation = clean.amount(get["Federal Action Obligation"](row))
            modification = text(get["Modification"](row)) or "0"
            description = text(get["Transaction Description"](row))
        except clean.BadValue as error:
            yield Reject(source, f"line {line}", str(error), row)
            continue
        prov = Provenance(source, f"line {line}", retrieved, clean.permalink(key))
        award = Award(
            key=key,
            piid=text(get["Award ID"](row)) or piid,
            recipient=Party(name=name),
            awarding=AgencyRef(subtier_code=subtier),
            funding=AgencyRef(),
            prov=prov,
            parent_piid=parent_piid,
            parent_agency=parent_agency,
            psc_description=text(get["Product/Service Description"](row)),
            naics_description=text(get["NAICS Description"](row)),
            values_as_of=action_date,
        )
        # The export has no transaction number: an exact repeat of a row is the same action listed twice.
        tx_key = f"{key}|{modification}|{action_date}|{obligation}|{key_text(description)}"
        yield Transaction(
            key=tx_key,
            award=award,
            modification=modification,
            action_date=action_date,
            obligation=obligation,
            description=description,
        )
