"""Normalized records: what every source adapter yields, whatever its format.

Adapters only parse and clean; they never decide vendor identity or touch a store.
Turning records into graph nodes and edges happens in `ingest.load` (with `ingest.resolve`).
Money is kept as separate labelled figures, never merged into one "amount": None means the
source did not report that figure, which is not the same as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# USAspending names its bulk files with the time it generated them: …_2025-03-21_H19M57S23_1.csv
_GENERATED = re.compile(r"_(\d{4}-\d{2}-\d{2})_H(\d{2})M(\d{2})S(\d{2})(?:_\d+)?\.[^/\\]*$")


@dataclass(slots=True)
class Provenance:
    """Where a record came from, so every figure can be traced to its public record."""

    source: str  # file path or URL
    record: str  # "line 123" for files, the record id/page for APIs
    retrieved: str  # ISO timestamp: file modification time or fetch time
    permalink: str | None = None  # https://www.usaspending.gov/award/<generated id>/


def source_generated(source: str | None) -> str | None:
    """When the source says it was made (a bulk file's name), as ISO date and time; None when it does not say.
    Kept apart from `retrieved`, which is when this project read or fetched the file."""
    found = _GENERATED.search(source or "")
    return f"{found[1]}T{found[2]}:{found[3]}:{found[4]}" if found else None


@dataclass(slots=True)
class Party:
    """A recipient as the record reports it (identifiers already cleaned)."""

    name: str | None
    uei: str | None = None
    duns: str | None = None
    cage: str | None = None
    parent_name: str | None = None
    parent_uei: str | None = None
    parent_duns: str | None = None


@dataclass(slots=True)
class AgencyRef:
    """Awarding or funding agency at the three tiers; codes are the identity, names are labels."""

    toptier_code: str | None = None
    toptier_name: str | None = None
    subtier_code: str | None = None
    subtier_name: str | None = None
    office_code: str | None = None
    office_name: str | None = None


@dataclass(slots=True)
class Award:
    """A prime award (contract, order or IDV). Money figures are None unless the source reports them."""

    key: str  # USAspending generated_unique_award_id, e.g. CONT_AWD_<piid>_<agency>_<parent piid>_<parent agency>
    piid: str | None
    recipient: Party
    awarding: AgencyRef
    funding: AgencyRef
    prov: Provenance
    parent_piid: str | None = None
    parent_agency: str | None = None  # subtier code of the agency that issued the parent IDV
    award_type: str | None = None
    description: str | None = None
    naics: str | None = None
    naics_description: str | None = None
    psc: str | None = None
    psc_description: str | None = None
    base_date: str | None = None  # ISO dates
    start_date: str | None = None
    end_date: str | None = None  # period of performance, current end
    potential_end_date: str | None = None
    obligated: float | None = None  # total obligated (award summary)
    current_value: float | None = None  # current total value (base + exercised options)
    potential_value: float | None = None  # potential total value (base + all options)
    values_as_of: str | None = None  # action date the current/potential values were reported at


@dataclass(slots=True)
class Vehicle(Award):
    """A contract vehicle (an IDV: schedule, IDIQ, BPA) as one of its records reports it: its ceiling
    (`potential_value`) and last date to order (`potential_end_date`). Kept apart from the awards (record kind
    "vehicle", table `vehicle`): a ceiling is what could be ordered, so no award count, fact, coverage cell or money
    total ever includes it."""


@dataclass(slots=True)
class Transaction:
    """One contract action (a modification). Carries its award's descriptive fields, not its totals."""

    key: str  # unique per action: award key + modification + transaction number (or row content)
    award: Award
    modification: str | None
    action_date: str | None
    obligation: float | None  # federal_action_obligation; negative = de-obligation, kept
    description: str | None = None


@dataclass(slots=True)
class Deletion:
    """An action the source withdrew (an Award Data Archive delta row marked D): it removes that action unless a
    record of it retrieved later brings it back. Kept as a record, so any file order gives the same store."""

    key: str  # the action's key (contract_transaction_unique_key)
    award_key: str | None  # its award, when the row gives it
    prov: Provenance


@dataclass(slots=True)
class Subaward:
    """A subcontract reported against a prime award."""

    key: str  # prime key | subaward number | date | amount, |2… for repeats (core.keys.subaward_key)
    prime: Award  # prime award with its prime recipient (no money)
    sub: Party
    prov: Provenance
    number: str | None = None
    amount: float | None = None
    action_date: str | None = None
    description: str | None = None
    prime_amount: float | None = None  # prime award amount as the subaward file reported it


@dataclass(slots=True)
class RecipientYear:
    """A recipient's USAspending profile for one fiscal year: its obligations from every agency, all award
    types (`total_transaction_amount` of `/api/v2/recipient/<id>/?year=`), the denominator of how much a vendor
    depends on one agency. Not a contract action: it adds to no money figure of the graph."""

    recipient_id: str  # USAspending recipient hash with its level suffix (-C child, -P parent, -R neither)
    party: Party
    fiscal_year: int
    total: float | None
    transactions: int | None
    prov: Provenance


@dataclass(slots=True)
class Reject:
    """A row that could not be used: it goes to the rejects file with its line and reason."""

    source: str
    record: str
    reason: str
    raw: list[str] | dict[str, Any] | str | None = field(default=None)

    def __post_init__(self) -> None:
        # a file's last line without its line break (ingest/csvfile.py CutOff) that fails a check was cut inside
        if getattr(self.raw, "cut_off", False) and not self.reason.startswith("file ends inside this row"):
            self.reason = f"file ends inside this row: the last line has no line break and {self.reason}"


Record = Award | Vehicle | Transaction | Subaward | Reject
