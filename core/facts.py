"""Records as rows of facts: what a store keeps of each record it reads, declared once.

Every money figure is a sum over contract actions, so a store keeps one row per record as the source
reported it, with the party (recipient and its reported parent) and agency codes raw: which vendor or
family a row belongs to, and which value of an award is its latest, are decided from all rows together
(`graph/resolution.py`, the store's derivation), never from the order the rows arrived in.

Row kinds: "action" (one contract action), "summary" (a prime award summary row: the award's lifetime
figures as of its last modification), "subaward_prime" (a prime award as a subaward file names it,
with the prime amount that file reported) and "vehicle" (a contract vehicle as of one of its records: kept in a
table of its own, `vehicle`, never among the awards, facts or money) and "deletion" (an action the source
withdrew: the latest-retrieved record of an action key decides whether it counts, `graph/stores/duckdb/sql.py` CHOSEN).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from .keys import award_key, fiscal_year, permalink
from .records import Award, Deletion, RecipientYear, Subaward, Transaction, Vehicle


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # SQL type
    doc: str


# The award's own attributes as one record reports them: the award takes each from its latest record.
AWARD_FIELDS = (
    Field("piid", "VARCHAR", "procurement instrument id"),
    Field("parent_piid", "VARCHAR", "PIID of the parent IDV (contract vehicle)"),
    Field("parent_agency", "VARCHAR", "sub-agency code of the agency that issued the parent IDV"),
    Field("award_type", "VARCHAR", "contract, delivery order, purchase order, BPA call, …"),
    Field("description", "VARCHAR", "the award's description (the first action's, for exports without one)"),
    Field("naics", "VARCHAR", "NAICS code"),
    Field("naics_description", "VARCHAR", "NAICS description"),
    Field("psc", "VARCHAR", "product or service code"),
    Field("psc_description", "VARCHAR", "product or service description"),
    Field("base_date", "DATE", "date of the base award"),
    Field("start_date", "DATE", "period of performance start"),
    Field("end_date", "DATE", "period of performance, current end"),
    Field("potential_end_date", "DATE", "period of performance, potential end (all options)"),
    Field("current_value", "DOUBLE", "current total value: base + exercised options (a ceiling, not money paid)"),
    Field("potential_value", "DOUBLE", "potential total value: base + all options (a ceiling)"),
)
# What all of an award's records add up to, derived by the store (table `award`, Award nodes).
AWARD_DERIVED_FIELDS = (
    Field("first_action", "DATE", "date of its first action, or of the base award if earlier"),
    Field("last_action", "DATE", "date of its last action"),
    Field(
        "obligated",
        "DOUBLE",
        "lifetime obligated: the summary's, else the sum of the actions loaded; NULL = not reported",
    ),
    Field("obligated_basis", "VARCHAR", "what `obligated` is: award summary, sum of N action(s) loaded, …"),
    Field("obligated_actions", "DOUBLE", "sum of the actions loaded"),
    Field("has_summary", "BOOLEAN", "a prime award summary row was loaded"),
    Field("tx_count", "BIGINT", "contract actions loaded"),
    Field("recipient", "VARCHAR", "vendor id of the recipient on its latest record"),
    Field("match", "VARCHAR", "how that recipient was resolved: uei, duns or name"),
    Field("awarding_id", "VARCHAR", "agency id of the awarding office (else sub-agency, agency)"),
    Field("funding_id", "VARCHAR", "agency id of the funding office (else sub-agency, agency)"),
)
PARTY_FIELDS = tuple(
    Field(f"{role}_{part}", "VARCHAR", f"{role} {part} as reported")
    for role in ("recipient", "parent")
    for part in ("name", "uei", "duns")
)
AGENCY_FIELDS = tuple(
    Field(f"{role}_{tier}{suffix}", "VARCHAR", f"{role} {tier} {suffix or 'code'}")
    for role in ("awarding", "funding")
    for tier in ("toptier", "subtier", "office")
    for suffix in ("", "_name")
)
PROVENANCE_FIELDS = (
    Field("source", "VARCHAR", "file path or URL the record came from"),
    Field("record", "VARCHAR", "line number or record id in that source"),
    Field("retrieved", "VARCHAR", "when the source was read or fetched"),
    Field("permalink", "VARCHAR", "USAspending award page"),
)
# One row per record read (table `record`).
RECORD_FIELDS = (
    Field(
        "kind",
        "VARCHAR",
        "action | summary | subaward_prime | vehicle | recipient_year (a recipient profile's year) | deletion "
        "(an action the source withdrew)",
    ),
    Field("key", "VARCHAR", "action key (award key + modification + transaction number), or the award key"),
    Field("award_key", "VARCHAR", "USAspending generated award id"),
    Field("modification", "VARCHAR", "modification number of an action"),
    Field("action_date", "DATE", "the action's date; a summary's: its last modification"),
    Field("fiscal_year", "INTEGER", "federal fiscal year (October–September) of action_date"),
    Field(
        "amount",
        "DOUBLE",
        "obligation of an action, total obligated of a summary, prime amount of a subaward file; NULL = not reported",
    ),
    Field("action_description", "VARCHAR", "the action's own description"),
    *PARTY_FIELDS,
    Field("recipient_cage", "VARCHAR", "CAGE code"),
    *AGENCY_FIELDS,
    *AWARD_FIELDS,
    Field("vehicle", "VARCHAR", "generated id of the parent IDV"),
    *PROVENANCE_FIELDS,
)
# An award as every store returns it: its key, its own fields as of its latest record, what its records add
# up to, and where its latest record came from. Reads name these and no other property.
AWARD_READ_FIELDS = (
    Field("key", "VARCHAR", "USAspending generated award id"),
    *AWARD_FIELDS,
    *AWARD_DERIVED_FIELDS,
    *PROVENANCE_FIELDS,
)
AWARD_READ_NAMES = tuple(field.name for field in AWARD_READ_FIELDS)


class UnknownField(ValueError):
    """A read named a property the model does not declare (the same error from every store)."""


def award_fields(names: Iterable[str]) -> tuple[str, ...]:
    """The names, checked against the declaration, so a store never silently answers null for a typo."""
    chosen = tuple(names)
    unknown = [name for name in chosen if name not in AWARD_READ_NAMES]
    if unknown:
        raise UnknownField(f"unknown award field {unknown[0]!r}; the fields are: {', '.join(AWARD_READ_NAMES)}")
    return chosen


# A contract vehicle as every store returns it (table `vehicle`, the properties of its Vehicle node): its latest
# record's attributes, its holder and its agency. Its ceiling is never added to a money figure (graph/questions/vehicles.py).
VEHICLE_FIELDS = (
    Field("key", "VARCHAR", "the IDV's generated award id (CONT_IDV_…)"),
    Field("piid", "VARCHAR", "procurement instrument id"),
    Field("award_type", "VARCHAR", "IDIQ, GSA schedule, BPA, …"),
    Field("description", "VARCHAR", "the vehicle's description (the latest record that gives one)"),
    Field("naics", "VARCHAR", "NAICS code"),
    Field("psc", "VARCHAR", "product or service code"),
    Field("start_date", "DATE", "effective date"),
    Field("potential_end_date", "DATE", "last date to order"),
    Field("current_value", "DOUBLE", "base and exercised options"),
    Field("potential_value", "DOUBLE", "the ceiling: base and all options (what could be ordered, not money paid)"),
    Field("obligated", "DOUBLE", "the IDV's own total obligated on its latest record (the orders' money is elsewhere)"),
    Field("as_of", "DATE", "date of its latest record"),
    Field("records", "BIGINT", "records read of it"),
    Field("recipient", "VARCHAR", "vendor id of the holder on its latest record"),
    Field("recipient_name", "VARCHAR", "that vendor's name"),
    Field("match", "VARCHAR", "how the holder was resolved: uei, duns or name"),
    Field("family", "VARCHAR", "the holder's family on the date of its latest record"),
    Field("awarding_id", "VARCHAR", "agency id of the awarding office (else sub-agency, agency)"),
    Field("agency_id", "VARCHAR", "the awarding sub-tier agency (else the most specific one known)"),
    Field("agency_name", "VARCHAR", "its name (the curated one, else as reported)"),
    Field("agency_tier", "VARCHAR", "its tier"),
    Field("department_id", "VARCHAR", "the toptier agency above it"),
    Field("department_name", "VARCHAR", "its name"),
    *PROVENANCE_FIELDS,
)
VEHICLE_READ_NAMES = tuple(field.name for field in VEHICLE_FIELDS)

SUBAWARD_FIELDS = (
    Field("key", "VARCHAR", "prime award key | subaward number | date | amount (core.keys.subaward_key)"),
    Field("award_key", "VARCHAR", "the prime award"),
    Field("sub_name", "VARCHAR", "sub-recipient name"),
    Field("sub_uei", "VARCHAR", "sub-recipient UEI"),
    Field("sub_duns", "VARCHAR", "sub-recipient DUNS"),
    Field("sub_parent_name", "VARCHAR", "sub-recipient's parent"),
    Field("sub_parent_uei", "VARCHAR", ""),
    Field("sub_parent_duns", "VARCHAR", ""),
    Field("number", "VARCHAR", "subaward number"),
    Field("amount", "DOUBLE", "subaward amount"),
    Field("action_date", "DATE", "subaward date"),
    Field("fiscal_year", "INTEGER", "fiscal year of the subaward date"),
    Field("description", "VARCHAR", "subaward description"),
    *PROVENANCE_FIELDS,
)
RECORD_COLUMNS = tuple(field.name for field in RECORD_FIELDS)
SUBAWARD_COLUMNS = tuple(field.name for field in SUBAWARD_FIELDS)


AWARD_NAMES = tuple(field.name for field in AWARD_FIELDS)
_undeclared = [name for name in AWARD_NAMES if name not in Award.__dataclass_fields__]
if _undeclared:  # a declared field needs its attribute on the record adapters yield (core/records.py)
    raise TypeError(
        f"award field {_undeclared[0]!r} is declared in AWARD_FIELDS but core.records.Award has no "
        f"attribute of that name"
    )
_award_values = attrgetter(*AWARD_NAMES)  # every declared field's value in one call, in declaration order


def _award_row(kind: str, key: str, award: Award, date: str | None, amount: float | None) -> dict[str, Any]:
    """One row of table `record`, its award fields taken from the declaration: this runs for every row of every
    load, so the rest is one dict literal and the declared fields one `attrgetter` call."""
    prov, recipient, awarding, funding = award.prov, award.recipient, award.awarding, award.funding
    row = {
        "kind": kind,
        "key": key,
        "award_key": award.key,
        "modification": None,
        "action_date": date,
        "fiscal_year": fiscal_year(date),
        "amount": amount,
        "action_description": None,
        "recipient_name": recipient.name,
        "recipient_uei": recipient.uei,
        "recipient_duns": recipient.duns,
        "parent_name": recipient.parent_name,
        "parent_uei": recipient.parent_uei,
        "parent_duns": recipient.parent_duns,
        "recipient_cage": recipient.cage,
        "awarding_toptier": awarding.toptier_code,
        "awarding_toptier_name": awarding.toptier_name,
        "awarding_subtier": awarding.subtier_code,
        "awarding_subtier_name": awarding.subtier_name,
        "awarding_office": awarding.office_code,
        "awarding_office_name": awarding.office_name,
        "funding_toptier": funding.toptier_code,
        "funding_toptier_name": funding.toptier_name,
        "funding_subtier": funding.subtier_code,
        "funding_subtier_name": funding.subtier_name,
        "funding_office": funding.office_code,
        "funding_office_name": funding.office_name,
    }
    row.update(zip(AWARD_NAMES, _award_values(award), strict=False))
    row["vehicle"] = (
        award_key(award.parent_piid, award.parent_agency, None, None, is_idv=True) if award.parent_piid else None
    )
    row["source"], row["record"], row["retrieved"] = prov.source, prov.record, prov.retrieved
    row["permalink"] = prov.permalink or permalink(award.key)
    return row


def record_rows(record: object) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(row of table `record`, row of table `subaward` or None) for one normalized record."""
    if isinstance(record, Transaction):
        row = _award_row("action", record.key, record.award, record.action_date, record.obligation)
        row["modification"], row["action_description"] = record.modification, record.description
        return row, None
    if isinstance(record, Subaward):
        prime = _award_row("subaward_prime", record.prime.key, record.prime, None, record.prime_amount)
        sub = {
            "key": record.key,
            "award_key": record.prime.key,
            "sub_name": record.sub.name,
            "sub_uei": record.sub.uei,
            "sub_duns": record.sub.duns,
            "sub_parent_name": record.sub.parent_name,
            "sub_parent_uei": record.sub.parent_uei,
            "sub_parent_duns": record.sub.parent_duns,
            "number": record.number,
            "amount": record.amount,
            "action_date": record.action_date,
            "fiscal_year": fiscal_year(record.action_date),
            "description": record.description,
            "source": record.prov.source,
            "record": record.prov.record,
            "retrieved": record.prov.retrieved,
            "permalink": record.prov.permalink or permalink(record.prime.key),
        }
        return prime, sub
    if isinstance(record, Vehicle):  # before Award, which it extends: a vehicle is never an award's summary
        return _award_row("vehicle", record.key, record, record.values_as_of, record.obligated), None
    if isinstance(record, Award):
        return _award_row("summary", record.key, record, record.values_as_of, record.obligated), None
    if isinstance(record, Deletion):
        row = dict.fromkeys(RECORD_COLUMNS)
        row.update(
            kind="deletion",
            key=record.key,
            award_key=record.award_key,
            source=record.prov.source,
            record=record.prov.record,
            retrieved=record.prov.retrieved,
        )
        return row, None
    if isinstance(record, RecipientYear):
        row = dict.fromkeys(RECORD_COLUMNS)
        row.update(
            kind="recipient_year",
            key=f"{record.recipient_id}|{record.fiscal_year}",
            fiscal_year=record.fiscal_year,
            amount=record.total,
            recipient_name=record.party.name,
            recipient_uei=record.party.uei,
            recipient_duns=record.party.duns,
            action_description=None if record.transactions is None else f"{record.transactions} transactions",
            source=record.prov.source,
            record=record.prov.record,
            retrieved=record.prov.retrieved,
            permalink=record.prov.permalink,
        )
        return row, None
    raise TypeError(f"not a record: {record!r}")


# Neo4j cannot index a property value of more than about 8 KB, and keys, ids, codes and names are indexed (or
# matched), so each store takes the same rule from here: longer cells reject their row, never a whole load.
MAX_KEY_BYTES = 4000  # keys, ids, codes and names (the real files' longest key is 840 bytes)
MAX_TEXT_BYTES = 32000  # descriptions (the real files' longest is 1,238 bytes)


UNLIMITED = frozenset({"details"})  # a local row's JSON of the source's other figures: never indexed (real: 79 KB)
DERIVED = ("key", "agency", "other")  # made from other fields: a too-long row names the field it was read from


def too_long(rows: tuple[dict[str, Any], dict[str, Any] | None]) -> str | None:
    """Why a record's rows (federal, or a local row of `core.local_rows`) are too long for the stores, or None."""
    found = []
    for row in rows:
        for name, value in (row or {}).items():
            if isinstance(value, str) and len(value) > MAX_KEY_BYTES // 4 and name not in UNLIMITED:
                text = "description" in name or name == "notes"
                size, limit = len(value.encode("utf-8")), MAX_TEXT_BYTES if text else MAX_KEY_BYTES
                if size > limit:
                    found.append((name in DERIVED, name, size, limit, text))
    if not found:
        return None
    _, name, size, limit, text = min(found, key=lambda f: f[0])  # the first field read, else the first made
    return (
        f"{name} is {size:,} bytes long, over the limit of {limit:,} bytes for one "
        f"{'description' if text else 'key, id, code or name'} (core/facts.py)"
    )


def award_fields_markdown() -> str:
    """The award fields table of docs/data-model.md, made from the declaration (tests/test_docs.py checks the page)."""
    lines = ["| field | type | what it is |", "|---|---|---|"]
    lines += [f"| `{field.name}` | {field.type.lower()} | {field.doc} |" for field in AWARD_FIELDS]
    return "\n".join(lines)
