"""The contract vehicles a family holds (GSA schedules, IDIQs, BPAs): agency, ceiling, last date to order, source.

A vehicle is an IDV (award key `CONT_IDV_…`). Its ceiling (base and all options) is how much *could* be ordered
under it, not money paid: the money is in the orders placed under it, which are separate awards. So these
answers sit apart from every obligation figure, as an "open ceiling", and no ceiling is ever added to one.
The bundled vehicles come from FPDS ATOM (`data/vehicles/fpds_contract_vehicles.csv.gz`, loaded as award
summaries by `ingest/fpds_atom.py` `read_summaries`), so they also say which agencies *outside* the loaded
spending (the Army, GSA, the Marshals) hold a vehicle with the family.

Read over the store's own interface (`fetch_fact_groups`, `award_rows`, `fetch_agency_chain`), so both stores
give the same answer.
"""
from __future__ import annotations

from pathlib import PurePath

from .store import FactFilter

PREFIX = "CONT_IDV_"
LABEL = "vehicle-level data, not spending"
BASIS = ("ceiling = base and all options (FPDS totalBaseAndAllOptionsValue) of the vehicle's latest record: "
         "what could be ordered, not money obligated; never added to an obligation total")
DHS = "070"


def family_vehicles(store, family_id: str) -> list[dict]:
    """The vehicles whose records belong to the family, largest ceiling first.

    Each: key, piid, award_type, description, agency {id, name, tier} (the awarding office's sub-tier agency, else
    the most specific one known), department {id, name, tier} (the toptier above it), beyond_dhs (its
    department is known and is not DHS), ceiling (None = not reported), ceiling_as_of, last_date_to_order
    (None = not reported), obligated_on_vehicle (the IDV's own obligations, almost always $0: the orders' money
    is elsewhere), recipient {id, name}, source, record, retrieved, permalink, label.
    """
    groups = store.fetch_fact_groups(FactFilter(family=family_id), "award_key")
    keys = sorted({g["award_key"] for g in groups if str(g["award_key"] or "").startswith(PREFIX)})
    if not keys:
        return []
    rows = store.fetch_awards(keys)
    agency_ids = sorted({row["awarding_id"] for row in rows if row.get("awarding_id")})
    chain = {row["id"]: row for row in store.fetch_agency_chain(agency_ids)}
    names = store.fetch_names(sorted({row["recipient"] for row in rows if row.get("recipient")}))
    as_of: dict[str, str] = {}  # the date of the vehicle's latest record (its summary's, else its last action's)
    for fact in store.fetch_award_facts(keys):
        date = _date(fact.get("action_date"))
        if date and date > as_of.get(fact["award_key"], ""):
            as_of[fact["award_key"]] = date
    answer = [_vehicle(row, chain, names, as_of.get(row["key"])) for row in rows]
    return sorted(answer, key=lambda v: (-(v["ceiling"] or 0), v["key"]))


def _up(agency_id: str | None, chain: dict) -> list[dict]:
    """The agency and those above it, most specific first."""
    found, current = [], chain.get(agency_id)
    while current is not None and current["id"] not in {row["id"] for row in found}:
        found.append(current)
        current = chain.get(current.get("parent"))
    return found


def _brief(row: dict | None) -> dict | None:
    return None if row is None else {"id": row["id"], "name": row.get("name"), "tier": row.get("tier")}


def _date(value) -> str | None:
    return None if value is None else str(value)[:10]


def _vehicle(row: dict, chain: dict, names: dict, as_of: str | None) -> dict:
    up = _up(row.get("awarding_id"), chain)
    agency = next((a for a in up if a.get("tier") == "subtier"), up[0] if up else None)
    department = next((a for a in up if a.get("tier") == "toptier"), None)
    recipient = row.get("recipient")
    ceiling = row.get("potential_value")
    return {
        "key": row["key"], "piid": row.get("piid"), "award_type": row.get("award_type"),
        "description": row.get("description"),
        "agency": _brief(agency), "department": _brief(department),
        "beyond_dhs": department is not None and _code(department) != DHS,
        "ceiling": None if ceiling is None else round(ceiling, 2), "ceiling_as_of": as_of,
        "last_date_to_order": _date(row.get("potential_end_date")),
        "obligated_on_vehicle": None if row.get("obligated") is None else round(row["obligated"], 2),
        "recipient": None if not recipient else {"id": recipient, "name": names.get(recipient)},
        "source": row.get("source"), "record": row.get("record"), "retrieved": row.get("retrieved"),
        "permalink": row.get("permalink"), "label": LABEL,
    }


def _code(agency: dict | None) -> str | None:
    """An agency id's code part (ids read `toptier:070`, `subtier:2100`, `office:W519TC`)."""
    if agency is None:
        return None
    _, _, code = str(agency.get("id") or "").partition(":")
    return code or None


def where(vehicle: dict) -> str:
    """The record's file and entry: an FPDS ATOM page with its folder (each vehicle's pages share names)."""
    source = PurePath(vehicle.get("source") or "unknown source")
    record = vehicle.get("record") or "record not stated"
    if source.suffix.lower() == ".xml":
        return f"FPDS ATOM {source.parent.name}/{source.name}, {record}"
    return f"{source.name}, {record}"


def beyond(vehicles: list[dict], department: str = DHS) -> list[dict]:
    """The vehicles held at agencies outside a department (DHS by default): "which agencies beyond DHS"."""
    return [v for v in vehicles if v["department"] is not None and _code(v["department"]) != department]


def sentence(vehicles: list[dict], limit: int = 6) -> str:
    """The vehicles in one plain sentence (the brief's): agency, PIID, open ceiling, last date to order, source."""
    if not vehicles:
        return ""
    from core.wording import short_money, text

    parts = []
    for v in vehicles[:limit]:
        agency = (v["agency"] or {}).get("name")
        department = (v["department"] or {}).get("name")
        parts.append(f"{text(agency)}{f' ({department})' if department and department != agency else ''} "
                     f"{v['piid']}, open ceiling {short_money(v['ceiling'])}, last date to order "
                     f"{text(v['last_date_to_order'])} ({where(v)})")
    more = f"; and {len(vehicles) - limit:,} more" if len(vehicles) > limit else ""
    return (f"Contract vehicles held ({LABEL}; a ceiling is what could be ordered, never added to the obligations "
            f"above): {'; '.join(parts)}{more}.")
