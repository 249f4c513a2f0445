"""The contract vehicles a family holds (GSA schedules, IDIQs, BPAs): agency, ceiling, last date to order, source.

A vehicle is an IDV (award key `CONT_IDV_…`). Its ceiling (base and all options) is how much *could* be ordered
under it, not money paid: the money is in the orders placed under it, which are separate awards. So these
answers sit apart from every obligation figure, as an "open ceiling", and no ceiling is ever added to one.
The bundled vehicles come from FPDS ATOM (`data/vehicles/fpds_contract_vehicles.csv.gz`, in the default load, read
by `ingest/fpds_atom.py` `read_summaries` as record kind "vehicle"). The stores keep them in a place of their own
(table `vehicle`, properties of Vehicle nodes) that no award count, fact, coverage cell, money total, rollup or
network link reads, so they can also say which agencies *outside* the loaded spending (the Army, GSA, the Marshals)
hold a vehicle with the family without those agencies entering the graph.

Read over the store's own interface (`fetch_vehicles`), so both stores give the same answer.
"""

from __future__ import annotations

from pathlib import PurePath

PREFIX = "CONT_IDV_"
LABEL = "vehicle-level data, not spending"
BASIS = (
    "ceiling = base and all options (FPDS totalBaseAndAllOptionsValue) of the vehicle's latest record: "
    "what could be ordered, not money obligated; never added to an obligation total"
)
DHS = "070"


def family_vehicles(store, family_id: str) -> list[dict]:
    """The vehicles whose holder was in the family on the date of the vehicle's latest record, largest ceiling first.

    Each: key, piid, award_type, description, agency {id, name, tier} (the awarding office's sub-tier agency, else
    the most specific one known), department {id, name, tier} (the toptier above it), beyond_dhs (its
    department is known and is not DHS), ceiling (None = not reported), ceiling_as_of, last_date_to_order
    (None = not reported), obligated_on_vehicle (the IDV's own obligations, almost always $0: the orders' money
    is elsewhere), recipient {id, name}, source, record, retrieved, permalink, label.
    """
    return families_vehicles(store, [family_id])[family_id]


def families_vehicles(store, family_ids: list[str]) -> dict[str, list[dict]]:
    """`family_vehicles` of each family, in one read of the store."""
    held: dict[str, list[dict]] = {fid: [] for fid in family_ids}
    for row in store.fetch_vehicles(sorted(set(family_ids))) if family_ids else []:
        if str(row["key"] or "").startswith(PREFIX) and row.get("family") in held:
            held[row["family"]].append(_vehicle(row))
    return {fid: sorted(rows, key=lambda v: (-(v["ceiling"] or 0), v["key"])) for fid, rows in held.items()}


def attach_holders(holders, matched: dict) -> tuple[dict, dict]:
    """Which vendor each vehicle holder (a `graph.resolution.Party`) is, given the spending's parties as resolved
    (`matched`: {party: (vendor id, how)}): ({holder: (vendor id, uei | duns | name)}, {new vendor id: Vendor}).

    A vehicle names its holder but is no spending record, so it never changes a vendor. The holders are resolved
    among themselves first (`resolve`: one UEI is one holder, whatever names its records use); each such holder then
    joins the vendor holding one of its UEIs, else one of its DUNS, else one of its names (the smallest such vendor
    id), where no UEI or DUNS conflicts, as `resolve` would join them; a holder that joins none is a vendor of its
    own (holding only vehicles)."""
    from core.keys import name_key
    from graph.resolution import resolve

    own, own_vendors = resolve(holders)
    if not own:
        return {}, {}
    by = {"uei": {}, "duns": {}, "name": {}}
    ids: dict[str, tuple[set, set]] = {}
    for party, (vendor_id, _) in matched.items():
        ueis, dunss = ids.setdefault(vendor_id, (set(), set()))
        for kind, value in (("uei", party.uei), ("duns", party.duns), ("name", name_key(party.name))):
            if value:
                by[kind].setdefault(value, set()).add(vendor_id)
        ueis.update([party.uei] if party.uei else [])
        dunss.update([party.duns] if party.duns else [])
    members: dict[str, list] = {}
    for holder, (holder_id, _) in own.items():
        members.setdefault(holder_id, []).append(holder)
    found, vendors = {}, {}
    for holder_id, parties in sorted(members.items()):
        values = {
            "uei": {p.uei for p in parties if p.uei},
            "duns": {p.duns for p in parties if p.duns},
            "name": {name_key(p.name) for p in parties if name_key(p.name)},
        }

        def fits(vendor_id: str) -> bool:
            ueis, dunss = ids[vendor_id]
            return not (
                (values["uei"] and ueis and values["uei"].isdisjoint(ueis))
                or (values["duns"] and dunss and values["duns"].isdisjoint(dunss))
            )

        target = next(
            (
                min(found_ids)
                for kind in ("uei", "duns", "name")
                if (found_ids := {v for value in values[kind] for v in by[kind].get(value, ()) if fits(v)})
            ),
            None,
        )
        if target is None:
            vendors[holder_id] = own_vendors[holder_id]
            found.update({p: own[p] for p in parties})
            continue
        for p in parties:
            how = "uei" if p.uei in ids[target][0] else "duns" if p.duns in ids[target][1] else "name"
            found[p] = (target, how)
    return found, vendors


def _brief(agency_id: str | None, name: str | None, tier: str | None) -> dict | None:
    return None if agency_id is None else {"id": agency_id, "name": name, "tier": tier}


def _date(value) -> str | None:
    return None if value is None else str(value)[:10]


def _vehicle(row: dict) -> dict:
    department = _brief(row.get("department_id"), row.get("department_name"), "toptier")
    recipient = row.get("recipient")
    ceiling = row.get("potential_value")
    return {
        "key": row["key"],
        "piid": row.get("piid"),
        "award_type": row.get("award_type"),
        "description": row.get("description"),
        "agency": _brief(row.get("agency_id"), row.get("agency_name"), row.get("agency_tier")),
        "department": department,
        "beyond_dhs": department is not None and _code(department) != DHS,
        "ceiling": None if ceiling is None else round(ceiling, 2),
        "ceiling_as_of": _date(row.get("as_of")),
        "last_date_to_order": _date(row.get("potential_end_date")),
        "obligated_on_vehicle": None if row.get("obligated") is None else round(row["obligated"], 2),
        "recipient": None if not recipient else {"id": recipient, "name": row.get("recipient_name")},
        "source": row.get("source"),
        "record": row.get("record"),
        "retrieved": row.get("retrieved"),
        "permalink": row.get("permalink"),
        "label": LABEL,
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
        parts.append(
            f"{text(agency)}{f' ({department})' if department and department != agency else ''} "
            f"{v['piid']}, open ceiling {short_money(v['ceiling'])}, last date to order "
            f"{text(v['last_date_to_order'])} ({where(v)})"
        )
    more = f"; and {len(vehicles) - limit:,} more" if len(vehicles) > limit else ""
    return (
        f"Contract vehicles held ({LABEL}; a ceiling is what could be ordered, never added to the obligations "
        f"above): {'; '.join(parts)}{more}."
    )
