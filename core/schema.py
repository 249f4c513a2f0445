"""The graph schema, declared once: node labels, their keys and properties, relationship types.

Loaders, both stores, exports and the dashboard read this module instead of restating labels and
keys. Each property has a merge policy that says what an upsert does when the node already exists:

- "first": keep the stored value, set it only if missing (identity and descriptive fields)
- "last": overwrite with any non-null incoming value (derived figures recomputed by the store)
- "union": a list that gains the incoming values (aliases, source files)
- "latest:<clock>": the value reported as of the newest `<clock>` date (ties: the later row). Each such
  property keeps the date its value was reported at in `<property>_as_of` (policy "as_of", written with
  it), so a newer row that lacks the value cannot make an older one win, and the result does not depend
  on how rows were batched or in what order earlier loads arrived
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .keys import fiscal_year

PROVENANCE = ("source", "record", "retrieved", "permalink")


@dataclass(frozen=True)
class Label:
    name: str
    key: str
    properties: dict[str, str]  # property -> merge policy
    title: str  # property used as the display name


@dataclass(frozen=True)
class RelType:
    name: str
    start: str
    end: str
    properties: dict[str, str] = field(default_factory=dict)
    keyed: bool = False  # several edges of this type may join the same two nodes, told apart by `key`
    single: bool = False  # at most one per start node: the edge with the higher `rank` wins, ties keep the first


def _first(*names: str) -> dict[str, str]:
    return {name: "first" for name in names}


def _latest(clock: str, *names: str) -> dict[str, str]:
    policies = {}
    for name in names:
        policies[name] = f"latest:{clock}"
        policies[as_of(name)] = "as_of"
    return policies


def as_of(name: str) -> str:
    """The property holding the date a "latest" property's value was reported at."""
    return f"{name}_as_of"


VENDOR = Label("Vendor", "id", {
    **_first("name", "uei", "duns", "cage", "curated", "note", "source", "record", "retrieved"),
    "aliases": "union",
}, title="name")

AGENCY = Label("Agency", "id", {
    **_first("code", "tier", "name", "abbreviation", "source", "record", "retrieved"),
    "aliases": "union",
}, title="name")

AWARD = Label("Award", "key", {
    **_first("piid", "parent_piid", "parent_agency", "award_type", "description", "naics", "naics_description",
             "psc", "psc_description", "base_date", *PROVENANCE),
    # figures as reported, kept apart by where they came from
    "obligated_summary": "last", "current_value_summary": "last", "potential_value_summary": "last",
    **_latest("values_as_of", "start_date", "end_date", "potential_end_date", "current_value_tx", "potential_value_tx"),
    "values_as_of": "latest:values_as_of",
    "prime_amount_subaward_file": "last",
    "sources": "union",
    # derived by the store from the above and the award's transactions (see `derive_award`)
    "obligated": "last", "obligated_basis": "last", "current_value": "last", "potential_value": "last",
    "obligated_tx": "last", "tx_count": "last", "first_action": "last", "last_action": "last",
    "fy_first": "last", "fy_last": "last", "first_action_description": "last",
    # the ids at the end of the award's single-valued edges, kept on the award so that aggregations
    # over an agency's awards read properties instead of walking edges (set with the figures above)
    "recipient": "last", "awarded_by": "last", "funded_by": "last",
}, title="piid")

TRANSACTION = Label("Transaction", "key", {
    **_first("modification", "action_date", "fiscal_year", "obligation", "description", *PROVENANCE),
}, title="modification")

VEHICLE = Label("Vehicle", "key", _first("piid", "agency"), title="piid")

LABELS = {label.name: label for label in (VENDOR, AGENCY, AWARD, TRANSACTION, VEHICLE)}

_EDGE_PROVENANCE = _first(*PROVENANCE)
REL_TYPES = {rel.name: rel for rel in (
    RelType("PARENT", "Vendor", "Vendor", {**_first("basis", "relation", "note"), **_EDGE_PROVENANCE}),
    RelType("PART_OF", "Agency", "Agency", _EDGE_PROVENANCE),
    RelType("AWARDED_TO", "Award", "Vendor", {**_first("match", "confidence", "rank"), **_EDGE_PROVENANCE},
            single=True),
    RelType("AWARDED_BY", "Award", "Agency", {**_first("rank"), **_EDGE_PROVENANCE}, single=True),
    RelType("FUNDED_BY", "Award", "Agency", {**_first("rank"), **_EDGE_PROVENANCE}, single=True),
    RelType("HAS_TRANSACTION", "Award", "Transaction", {}),
    RelType("UNDER_VEHICLE", "Award", "Vehicle", _EDGE_PROVENANCE),
    RelType("SUBAWARD", "Award", "Vendor", {
        **_first("number", "amount", "action_date", "fiscal_year", "description", "match", "confidence"),
        **_EDGE_PROVENANCE}, keyed=True),
)}

AGENCY_TIERS = ("toptier", "subtier", "office")
# Rank of a single-valued edge: an award's agency is its most specific one (office over sub-agency),
# its recipient the one matched by UEI/DUNS over one matched by name.
TIER_RANK = {"toptier": 1, "subtier": 2, "office": 3}
CONFIDENCE_RANK = {"high": 3, "low": 1}


def agency_id(tier: str, code: str) -> str:
    return f"{tier}:{code}"


# What `derive_award` reads: a store may fetch just these.
DERIVE_AWARD_INPUTS = ("obligated_summary", "prime_amount_subaward_file", "current_value_summary",
                       "current_value_tx", "potential_value_summary", "potential_value_tx", "base_date")
DERIVE_TRANSACTION_INPUTS = ("obligation", "action_date", "modification", "description")


def derive_award(props: dict, transactions: list[dict]) -> dict:
    """Award figures a reader sees, from the reported ones, with the basis of each stated.

    Obligated: the award summary's total if a summary was loaded, else the sum of the transactions
    loaded (each action once; de-obligations subtract), else the prime amount a subaward file reported.
    Readers show `description`, else `first_action_description` (search exports carry only actions').
    """

    tx_obligations = [tx["obligation"] for tx in transactions if tx.get("obligation") is not None]
    tx_dates = [tx.get("action_date") for tx in transactions]
    derived: dict = {"tx_count": len(transactions)}
    described = sorted((tx.get("action_date") or "", tx.get("modification") or "", tx["description"])
                       for tx in transactions if tx.get("description"))
    derived["first_action_description"] = described[0][2] if described else None
    total_tx = round(sum(tx_obligations), 2) if tx_obligations else None
    derived["obligated_tx"] = total_tx
    if props.get("obligated_summary") is not None:
        derived["obligated"], derived["obligated_basis"] = props["obligated_summary"], "award summary"
    elif tx_obligations:
        derived["obligated"] = total_tx
        derived["obligated_basis"] = f"sum of {len(tx_obligations)} transaction(s) loaded"
    elif props.get("prime_amount_subaward_file") is not None:
        derived["obligated"] = props["prime_amount_subaward_file"]
        derived["obligated_basis"] = "prime award amount in a subaward file"
    else:
        derived["obligated"], derived["obligated_basis"] = 0.0, "not reported"
    for figure in ("current_value", "potential_value"):
        summary, from_tx = props.get(f"{figure}_summary"), props.get(f"{figure}_tx")
        derived[figure] = summary if summary is not None else from_tx
    dates = sorted(date for date in tx_dates if date)
    base = props.get("base_date")
    first = min([date for date in (base, dates[0] if dates else None) if date], default=None)
    last = max([date for date in (dates[-1] if dates else None, base) if date], default=None)
    derived["first_action"], derived["last_action"] = first, last
    derived["fy_first"], derived["fy_last"] = fiscal_year(first), fiscal_year(last)
    return derived
