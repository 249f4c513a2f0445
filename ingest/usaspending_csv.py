"""USAspending bulk CSV downloads: contract prime award summaries, transactions and subawards.

The layout is told from the header (never from the file name), columns are read by name so the
2018, 2023 and 2025 vintages all load, and every cell goes through `clean` so spreadsheet damage
(M/D/YY or DD/MM/YYYY dates, DUNS without leading zeros, '7391976' amounts, NAN) is repaired or the
row is rejected with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path

from core.facts import AWARD_FIELDS
from core.keys import subaward_key
from core.records import AgencyRef, Award, Deletion, Party, Provenance, Reject, Subaward, Transaction

from . import clean
from .csvfile import Columns, SourceError, detect_dayfirst, open_csv, width_problem

log = logging.getLogger(__name__)

LAYOUTS = {
    "prime_awards": ("contract_award_unique_key", "total_obligated_amount"),
    "transactions": ("award_id_piid", "modification_number", "federal_action_obligation"),
    "subawards": ("prime_award_unique_key", "subaward_number"),
}
KNOWN_COLUMNS = frozenset(
    {name for names in LAYOUTS.values() for name in names}
    | {
        "recipient_name",
        "recipient_duns",
        "recipient_uei",
        "awarding_agency_code",
        "action_date",
        "award_id_piid",
        "subawardee_name",
        "prime_awardee_name",
    }
)
SAMPLE_ROWS = 2000
DELETE_FLAG = "correction_delete_ind"  # Award Data Archive delta files: C corrected or new, D deleted


def detect_layout(cols: Columns, path: Path) -> str:
    for layout, required in LAYOUTS.items():
        if cols.has(*required):
            return layout
    raise SourceError(
        f"{path}: unknown CSV layout (not a USAspending contract prime award summary, "
        f"transaction or subaward download: none of {sorted(LAYOUTS)} columns found); "
        f"for search-result exports use `python -m ingest transactions-csv`"
    )


def read(
    path: Path, header_from: Path | None = None, encoding: str | None = None
) -> Iterator[Award | Transaction | Subaward | Reject]:
    """Yield normalized records from one bulk CSV, one per data row (rejects included)."""
    opened = open_csv(path, KNOWN_COLUMNS, header_from, encoding)
    cols = Columns(opened.header)
    layout = detect_layout(cols, path)
    mapper = {"prime_awards": _prime_award_mapper, "transactions": _transaction_mapper, "subawards": _subaward_mapper}[
        layout
    ](cols)
    head = list(islice(opened.rows, SAMPLE_ROWS))
    dayfirst = detect_dayfirst(head, mapper.date_getters, False, path, len(opened.header))
    log.info(
        "%s: %s layout, %d columns%s, dates %s",
        path,
        layout,
        len(opened.header),
        " (header from --header-from)" if opened.header_given else "",
        "day-first" if dayfirst else "month-first",
    )
    source, retrieved, width = str(path), opened.retrieved, len(opened.header)
    deleted = cols.getter(DELETE_FLAG) if cols.has(DELETE_FLAG) else None
    for line, row in chain(head, opened.rows):
        if not row or (len(row) == 1 and not row[0].strip()):
            yield Reject(source, f"line {line}", "empty row", row)
            continue
        if (problem := width_problem(row, width)) is not None:
            yield Reject(source, f"line {line}", problem, row)
            continue
        prov = Provenance(source, f"line {line}", retrieved)
        if deleted is not None and deleted(row).strip().upper() == "D":
            yield _deletion(cols, layout, row, prov)
            continue
        try:
            yield mapper(row, prov, dayfirst)
        except (clean.BadValue, _BadRow) as error:
            yield Reject(source, f"line {line}", str(error), row)


class _BadRow(ValueError):
    pass


def _deletion(cols: Columns, layout: str, row: list[str], prov: Provenance) -> Deletion | Reject:
    """A delta file's row marked D: the action it names is withdrawn (a deletion row gives little but its keys)."""
    key = clean.text(cols.getter("contract_transaction_unique_key")(row)) if layout == "transactions" else None
    if not key:
        return Reject(
            prov.source,
            prov.record,
            "a delta file's deletion (correction_delete_ind D) without the contract_transaction_unique_key of the "
            "action it withdraws: nothing was removed; load the Award Data Archive's transaction delta file as "
            "downloaded",
            row,
        )
    award = clean.text(cols.getter("contract_award_unique_key")(row))
    return Deletion(key=key, award_key=award.upper() if award else None, prov=prov)


def _party(
    cols: Columns,
    name: tuple,
    uei: tuple,
    duns: tuple,
    parent_name: tuple,
    parent_uei: tuple,
    parent_duns: tuple,
    cage: tuple = (),
):
    """Party reader; the same recipient repeats on many rows, so cleaned parties are cached by raw cells."""
    raw_of = cols.tuple_getter(name, uei, duns, cage or ("-",), parent_name, parent_uei, parent_duns)
    cache: dict[tuple, Party] = {}
    text, uei_of, duns_of = clean.text, clean.uei, clean.duns

    def party(row) -> Party:
        raw = raw_of(row)
        found = cache.get(raw)
        if found is None:
            r_name, r_uei, r_duns, r_cage, r_pname, r_puei, r_pduns = raw
            found = cache[raw] = Party(
                name=text(r_name),
                uei=uei_of(r_uei),
                duns=duns_of(r_duns),
                cage=clean.code(r_cage),
                parent_name=text(r_pname),
                parent_uei=uei_of(r_puei),
                parent_duns=duns_of(r_pduns),
            )
        return found

    return party


def _agency(cols: Columns, prefix: str):
    """AgencyRef from '<prefix>agency_code', '<prefix>sub_agency_code', '<prefix>office_code' and names."""
    raw_of = cols.tuple_getter(
        *(
            (prefix + suffix,)
            for suffix in (
                "agency_code",
                "agency_name",
                "sub_agency_code",
                "sub_agency_name",
                "office_code",
                "office_name",
            )
        )
    )
    cache: dict[tuple, AgencyRef] = {}
    text = clean.text

    def agency(row) -> AgencyRef:
        raw = raw_of(row)
        found = cache.get(raw)
        if found is None:
            top, top_name, sub, sub_name, office, office_name = raw
            found = cache[raw] = AgencyRef(
                clean.toptier_code(top),
                text(top_name),
                clean.subtier_code(sub),
                text(sub_name),
                clean.code(office),
                text(office_name),
            )
        return found

    return agency


class _Mapper:
    """A row -> record function plus the date columns used to tell DD/MM from M/D."""

    def __init__(self, function, date_getters):
        self.function, self.date_getters = function, date_getters

    def __call__(self, row, prov, dayfirst):
        return self.function(row, prov, dayfirst)


# What `_build_award` reads: every declared award field (core/facts.py AWARD_FIELDS) and the cells beside them.
_READ = frozenset(field.name for field in AWARD_FIELDS) | {"idv_flag", "idv_type", "permalink"}


def _getters(cols: Columns, columns: dict[str, tuple[str, ...]]) -> dict:
    """A getter for every name `_build_award` reads, from the columns a layout maps it to (the first present).

    The one place an unmapped field is decided: a name a layout does not map reads as empty, so None once cleaned
    (a subaward file has no PSC or values; a field declared since needs no entry in a layout that lacks it). A
    mapped name that is not read is a typo, and an error here; reading an undeclared name stays a KeyError."""
    unknown = sorted(set(columns) - _READ)
    if unknown:
        raise ValueError(f"ingest/usaspending_csv.py maps {unknown[0]!r}, which is not a declared award field")
    return {name: cols.getter(*columns.get(name, ())) for name in _READ}


def _award_fields(cols: Columns, date_columns: dict):
    """Getters shared by prime award and transaction layouts (same column names in both)."""
    return _getters(
        cols,
        {
            "piid": ("award_id_piid",),
            "parent_piid": ("parent_award_id_piid", "parent_award_id"),
            "parent_agency": ("parent_award_agency_id",),
            "idv_flag": ("award_or_idv_flag",),
            "award_type": ("award_type",),
            "idv_type": ("idv_type",),
            "naics": ("naics_code",),
            "naics_description": ("naics_description",),
            "psc": ("product_or_service_code",),
            "psc_description": ("product_or_service_code_description",),
            "current_value": ("current_total_value_of_award",),
            "potential_value": ("potential_total_value_of_award",),
            "permalink": ("usaspending_permalink",),
            **date_columns,
        },
    )


def _build_award(g, row, key, recipient, awarding, funding, prov, dayfirst, description) -> Award:
    date, amount, text, code = clean.date, clean.amount, clean.text, clean.code
    prov.permalink = text(g["permalink"](row)) or clean.permalink(key)
    return Award(
        key=key,
        piid=text(g["piid"](row)),
        recipient=recipient,
        awarding=awarding,
        funding=funding,
        prov=prov,
        parent_piid=text(g["parent_piid"](row)),
        parent_agency=clean.subtier_code(g["parent_agency"](row)),
        award_type=text(g["award_type"](row)) or text(g["idv_type"](row)),
        description=description,
        naics=code(g["naics"](row)),
        naics_description=text(g["naics_description"](row)),
        psc=code(g["psc"](row)),
        psc_description=text(g["psc_description"](row)),
        base_date=date(g["base_date"](row), dayfirst),
        start_date=date(g["start_date"](row), dayfirst),
        end_date=date(g["end_date"](row), dayfirst),
        potential_end_date=date(g["potential_end_date"](row), dayfirst),
        current_value=amount(g["current_value"](row)),
        potential_value=amount(g["potential_value"](row)),
    )


_POP_DATES = {
    "start_date": ("period_of_performance_start_date",),
    "end_date": ("period_of_performance_current_end_date",),
    "potential_end_date": ("period_of_performance_potential_end_date",),
}


def _recipient(cols: Columns):
    return _party(
        cols,
        ("recipient_name", "recipient_name_raw"),
        ("recipient_uei",),
        ("recipient_duns",),
        ("recipient_parent_name", "recipient_parent_name_raw"),
        ("recipient_parent_uei",),
        ("recipient_parent_duns",),
        ("cage_code",),
    )


def _prime_award_mapper(cols: Columns) -> _Mapper:
    g = _award_fields(cols, {"base_date": ("award_base_action_date",), **_POP_DATES})
    key_of, obligated = cols.getter("contract_award_unique_key"), cols.getter("total_obligated_amount")
    description = cols.getter("prime_award_base_transaction_description", "award_description")
    latest = cols.getter("last_modified_date")
    recipient, awarding, funding = _recipient(cols), _agency(cols, "awarding_"), _agency(cols, "funding_")

    def map_row(row, prov, dayfirst) -> Award:
        key = clean.text(key_of(row))
        if not key:
            raise _BadRow("no contract_award_unique_key")
        award = _build_award(
            g,
            row,
            key.upper(),
            recipient(row),
            awarding(row),
            funding(row),
            prov,
            dayfirst,
            clean.text(description(row)),
        )
        award.obligated = clean.amount(obligated(row))
        award.values_as_of = clean.date(latest(row), dayfirst)
        return award

    return _Mapper(map_row, [g["base_date"], g["start_date"], g["end_date"]])


def _transaction_mapper(cols: Columns) -> _Mapper:
    g = _award_fields(cols, {"base_date": ("action_date",), **_POP_DATES})
    tx_key_of, award_key_of = cols.getter("contract_transaction_unique_key"), cols.getter("contract_award_unique_key")
    mod_of, number_of = cols.getter("modification_number"), cols.getter("transaction_number")
    sub_agency = cols.getter("awarding_sub_agency_code")
    obligation = cols.getter("federal_action_obligation")
    description = cols.getter("transaction_description", "award_description")
    award_description = cols.getter("prime_award_base_transaction_description", "award_description")
    recipient, awarding, funding = _recipient(cols), _agency(cols, "awarding_"), _agency(cols, "funding_")
    text = clean.text

    def map_row(row, prov, dayfirst) -> Transaction:
        piid = text(g["piid"](row))
        if not piid:
            raise _BadRow("no award_id_piid")
        key = text(award_key_of(row))
        is_idv = (text(g["idv_flag"](row)) or "").upper() == "IDV"
        if not key:
            key = clean.award_key(
                piid,
                clean.subtier_code(sub_agency(row)),
                text(g["parent_piid"](row)),
                clean.subtier_code(g["parent_agency"](row)),
                is_idv,
            )
        key = key.upper()
        award = _build_award(
            g, row, key, recipient(row), awarding(row), funding(row), prov, dayfirst, text(award_description(row))
        )
        # On a transaction row the "base date" column is this action's date, not the award's base date.
        action_date, award.base_date = award.base_date, None
        award.values_as_of = action_date
        modification = text(mod_of(row)) or "0"
        tx_key = text(tx_key_of(row)) or f"{key}|{modification}|{text(number_of(row)) or '0'}"
        return Transaction(
            key=tx_key,
            award=award,
            modification=modification,
            action_date=action_date,
            obligation=clean.amount(obligation(row)),
            description=text(description(row)),
        )

    return _Mapper(map_row, [g["base_date"], g["start_date"], g["end_date"]])


def _subaward_mapper(cols: Columns) -> _Mapper:
    p = "prime_award_"
    g = _getters(
        cols,
        {  # no parent agency, type, PSC, values or permalink in a subaward file: they read as None
            "piid": (p + "piid",),
            "parent_piid": (p + "parent_piid",),
            "naics": (p + "naics_code",),
            "naics_description": (p + "naics_description",),
            "base_date": (p + "base_action_date",),
            "start_date": (p + "period_of_performance_start_date",),
            "end_date": (p + "period_of_performance_current_end_date",),
            "potential_end_date": (p + "period_of_performance_potential_end_date",),
        },
    )
    key_of, prime_amount = cols.getter(p + "unique_key"), cols.getter(p + "amount")
    prime_description = cols.getter(p + "base_transaction_description")
    number, amount, action_date = (
        cols.getter("subaward_number"),
        cols.getter("subaward_amount"),
        cols.getter("subaward_action_date"),
    )
    description = cols.getter("subaward_description")
    prime_party = _party(
        cols,
        ("prime_awardee_name",),
        ("prime_awardee_uei",),
        ("prime_awardee_duns",),
        ("prime_awardee_parent_name",),
        ("prime_awardee_parent_uei",),
        ("prime_awardee_parent_duns",),
    )
    sub_party = _party(
        cols,
        ("subawardee_name",),
        ("subawardee_uei",),
        ("subawardee_duns",),
        ("subawardee_parent_name",),
        ("subawardee_parent_uei",),
        ("subawardee_parent_duns",),
    )
    awarding, funding = _agency(cols, p + "awarding_"), _agency(cols, p + "funding_")
    text = clean.text

    seen: dict[str, int] = {}  # rows of this file with the same subaward key so far

    def map_row(row, prov, dayfirst) -> Subaward:
        prime_key = text(key_of(row))
        if not prime_key:
            raise _BadRow("no prime_award_unique_key")
        prime_key = prime_key.upper()
        try:  # the file has no parent-IDV agency column; the prime key carries it
            parent_agency = clean.split_award_key(prime_key)[3]
        except clean.BadValue:
            parent_agency = None
        sub_prov = Provenance(prov.source, prov.record, prov.retrieved, clean.permalink(prime_key))
        prime = _build_award(
            g,
            row,
            prime_key,
            prime_party(row),
            awarding(row),
            funding(row),
            Provenance(prov.source, prov.record, prov.retrieved),
            dayfirst,
            text(prime_description(row)),
        )
        prime.parent_agency = parent_agency
        sub_number = text(number(row))
        sub = sub_party(row)
        if not sub.name and not sub.uei:
            raise _BadRow("subaward has neither subawardee_name nor subawardee_uei")
        money, dated = clean.amount(amount(row)), clean.date(action_date(row), dayfirst)
        return Subaward(
            key=subaward_key(prime_key, sub_number, dated, money, seen),
            prime=prime,
            sub=sub,
            prov=sub_prov,
            number=sub_number,
            amount=money,
            action_date=dated,
            description=text(description(row)),
            prime_amount=clean.amount(prime_amount(row)),
        )

    return _Mapper(map_row, [g["base_date"], g["start_date"], action_date])
