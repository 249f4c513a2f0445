"""Local agencies and what they do with surveillance vendors: the records local sources yield (issue 12).

Federal records are contract actions with money; local sources (transparency portals, a city's purchase
orders, a FOIA spreadsheet) mostly report deployments, data-sharing links and policies, without money.
They are kept as their own records so that nothing of theirs can be summed into an obligated total.

A local agency's key is `local:<source>:<the source's own id>`: it can never equal a federal agency code
(those are digits and letters without a colon), and two spellings of one agency in one source are one key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .records import Provenance

JURISDICTIONS = ("police department", "sheriff", "city", "county", "state agency", "campus", "task force", "federal")
DEPLOYMENT_STATUSES = ("active", "ended", "cancelled", "rejected")

US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "PR": "Puerto Rico",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
_STATE_NAMES = {name.lower(): code for code, name in US_STATES.items()}
_WORDS = re.compile(r"[A-Za-z]+")
_ALSO_WORDS = {"CO", "SD"}  # county, sheriff's department

# First match wins: a university's police is a campus, a county's sheriff a sheriff, "MS Office of Homeland
# Security" a state agency (only the named federal bodies are federal).
_KINDS = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            "federal",
            r"^(FBI|ATF|DEA|USPIS|HSI)\b|\bUS Postal Inspection|\bUS Marshals?\b|\bSecret Service\b|"
            r"\bBorder Patrol\b|\bHomeland Security Investigations\b|\bFederal Bureau\b",
        ),
        ("task force", r"\btask force\b|\bHIDTA\b"),
        ("campus", r"\buniversity\b|\bcollege\b|\bcampus\b|\bschools?\b|\bISD\b"),
        ("sheriff", r"\bsheriff|(?-i:\bS[OD]\b)"),  # SO, SD: sheriff's office, department (see jurisdiction_of)
        (
            "state agency",
            r"\bstate (patrol|police)\b|\bhighway patrol\b|\bbureau of investigation\b|"
            r"\battorney general\b|\bdepartment of\b|\bdept\.? of\b|\boffice of homeland security\b|"
            r"\blaw enforcement agency\b",
        ),
        ("police department", r"\bPD\b|\bpolice\b|\bpublic safety\b|\bDPS\b"),
        ("county", r"\bcounty\b"),
        ("city", r"\b(city|town|village) of\b|\btownship\b|\bTWP\b"),
    )
)


def jurisdiction_of(name: str) -> str | None:
    """The jurisdiction type a name spells (`JURISDICTIONS`), None when it spells none (a vendor's demo
    account, a dispatch centre): read from the name, so a guess the review can correct, never a fact."""
    if state_of(name) == "SD":  # "Sioux Falls SD PD": there SD is South Dakota, not a sheriff's department
        name = re.sub(r"\bSD\b", " ", name)
    for kind, pattern in _KINDS:
        if pattern.search(name):
            return kind
    return None


def state_of(name: str) -> str | None:
    """The US state a local name ends with ("Avon IN PD", "WakeMed Campus PD (NC)", "Alabama Law Enforcement
    Agency"): the last two-letter capital state code in it, where "CO" and "SD" (also "county" and "sheriff's
    department") give way to any other code, else a state's name spelled out; None when it names none."""
    words = _WORDS.findall(name)
    codes: list[str] = [word for word in words if word in US_STATES]
    if len(set(codes)) > 1:
        codes = [code for code in codes if code not in _ALSO_WORDS] or codes
    if codes:
        return codes[-1]
    text = " ".join(words).lower()
    for state, code in _STATE_NAMES.items():
        if re.search(rf"\b{state}\b", text):
            return code
    return None


def state_code(text: str) -> str | None:
    """'MN', 'mn' or 'Minnesota' -> 'MN'; None for anything else."""
    return text.upper() if text.upper() in US_STATES else _STATE_NAMES.get(text.strip().lower())


def local_key(source: str, source_id: str) -> str:
    return f"local:{source}:{source_id}"


@dataclass(slots=True)
class LocalAgency:
    """An agency of tier `local` as one source lists it: the source's id is its identity there."""

    key: str  # local_key(source, id)
    name: str  # as the source spells it
    prov: Provenance
    jurisdiction: str | None = None  # one of JURISDICTIONS, read from the name
    state: str | None = None  # two-letter code
    county: str | None = None
    city: str | None = None
    notes: str | None = None


@dataclass(slots=True)
class Deployment:
    """Agency -USES-> vendor: the agency runs the vendor's technology, as of a date, per a source."""

    agency: str  # LocalAgency key
    agency_name: str  # the spelling on this row
    vendor_name: str
    technology: str | None
    prov: Provenance
    status: str | None = None  # one of DEPLOYMENT_STATUSES, None when the source does not say
    as_of: str | None = None  # ISO date or timestamp the source reports the figures at
    count: int | None = None  # e.g. cameras; None: not reported (not zero)
    source_url: str | None = None
    notes: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)  # the source's other reported figures, by its names
    where: LocalAgency | None = None  # the agency as this row describes it (type, place), when it does
    status_as_written: str | None = None  # the source's own word for the status ("deactivated"), before any map
    archive_url: str | None = None  # an archived copy of the source page, when the source gives one


@dataclass(slots=True)
class LocalContract:
    """Local agency -CONTRACTS_WITH-> vendor: a purchase order or contract as a city's or agency's own document
    reports it. Its amount is what the document says, not a federal obligation: never summed with those."""

    agency: str
    agency_name: str
    vendor_name: str
    prov: Provenance
    number: str | None = None
    amount: float | None = None  # None: the document gives none (not zero)
    start_date: str | None = None
    end_date: str | None = None
    technology: str | None = None
    source_url: str | None = None
    notes: str | None = None
    where: LocalAgency | None = None
    archive_url: str | None = None


@dataclass(slots=True)
class SharingLink:
    """Agency -SHARES_DATA_WITH-> agency: `searcher` can search `owner`'s data in `system`."""

    owner: str  # LocalAgency key of the agency whose data is searched
    owner_name: str
    searcher: str
    searcher_name: str
    system: str | None
    prov: Provenance
    as_of: str | None = None
    portal: str | None = None  # the owner's portal URL, when the source gives it
    where: LocalAgency | None = None  # the owner as this row describes it


@dataclass(slots=True)
class Policy:
    """An agency's published policy text, with its date: retention, permitted and prohibited uses, hotlists."""

    agency: str
    agency_name: str
    prov: Provenance
    updated: str | None = None
    source_url: str | None = None
    text_hash: str | None = None
    sections: dict[str, Any] = field(default_factory=dict)  # section name (the source's) -> text


LocalRecord = LocalAgency | Deployment | LocalContract | SharingLink | Policy
