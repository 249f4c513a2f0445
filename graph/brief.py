"""A one-page brief on a vendor family, as plain data: what an organizer hands out, whatever the format.

`assemble` reads only the store's read API (`vendor_family`, `loaded_coverage`, `entities`, `runs`, and
`fetch_agency_chain` to name an office's sub-agency) and returns a dict that `graph.brief_render` turns into
Markdown, HTML or PDF. Money is Decimal: the store keeps whole cents and its answers give them as `cents / 100`
floats, whose repr is exactly the two-decimal figure (below 2**53 cents), so `Decimal(repr(x))` is the store's
figure to the cent, never a float rounding.

Keys: name, id, top_parent, ueis, duns, subsidiaries, total, award_count, fy_first, fy_last, not_split,
yearly, subawards, caveats, agencies, values, through_others, basis, leaves_out, coverage, awards, award_total,
renewals, renewal_total, sources, generated, store.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import PurePath

from core.keys import permalink

CENT = Decimal("0.01")
TOP_AWARDS = 8
RENEWALS = 5
LEAVES_OUT = ("Current and potential value (contract ceilings) are never added in; an amount not reported is "
              "not reported, not zero; sales of its products through other vendors are not counted here.")
NOT_IN_STORE = "State and local purchases are not in this store."
CAVEATS = ("Obligated is money committed; current and potential value are ceilings. A parent company comes from "
           "the records (as the vendor reported it, self-reported) or from the curated data/vendor_families.csv "
           "with its source. Subaward amounts are the primes' reports, part of their obligations.")
PARTIES = 3  # subcontractors or primes named


def dollars(value: float | None) -> Decimal | None:
    """The store's figure to the cent (see the module docstring); None stays None (not reported)."""
    return None if value is None else Decimal(repr(value)).quantize(CENT)


def assemble(store, name: str, today: date | None = None, now: datetime | None = None,
             family: dict | None = None, coverage: dict | None = None) -> dict:
    """The brief of the family `name` resolves to (NotFound / Ambiguous as `vendor_family` raises them).
    `today` decides which end dates are upcoming; `now` is the generation time (both default to now). `family`
    and `coverage`: the store's `vendor_family(name)` and `loaded_coverage()` when the caller has them already."""
    now = now or datetime.now(timezone.utc)
    today = today or now.date()
    family = family or store.vendor_family(name)
    abbreviations = _agency_labels(store, family["awards"])
    members = [family, *family["subsidiaries"]]
    years = [y["fiscal_year"] for y in family["yearly"]]
    awards = family["awards"]
    upcoming = sorted((a for a in awards if _end(a)[0] and _end(a)[0] >= today.isoformat()),
                      key=lambda a: (_end(a)[0], a["key"]))
    runs = store.runs()
    return {
        "name": family["name"], "id": family["id"], "top_parent": family["parent"] or family["name"],
        "ueis": sorted({m["uei"] for m in members if m.get("uei")}),
        "duns": sorted({m["duns"] for m in members if m.get("duns")}),
        "subsidiaries": [{"name": s["name"], "id": s["id"], "uei": s["uei"], "duns": s["duns"],
                          "obligated": dollars(s["total_obligated"]), "awards": s["award_count"]}
                         for s in family["subsidiaries"]],
        "total": dollars(family["total_obligated"]), "award_count": family["award_count"],
        "fy_first": min(years, default=None), "fy_last": max(years, default=None),
        "not_split": dollars(family["not_split_by_year"]["obligated"]),
        "yearly": [{"fiscal_year": y["fiscal_year"], "obligated": dollars(y["obligated"])} for y in family["yearly"]],
        "subawards": {"as_prime": _subawards(store.subawards_under([a["key"] for a in awards]), "sub_recipient"),
                      "as_sub": _subawards(family["subawards_received"], "prime_recipient")},
        "caveats": CAVEATS,
        "agencies": [{"name": a["name"], "abbreviation": abbreviations.get(a["id"]), "code": a["code"],
                      "obligated": dollars(a["total_obligated"]), "awards": a["award_count"]}
                     for a in family["agencies"]],
        "values": [{"label": label, "amount": dollars(family[f"total_{figure}"]),
                    "reporting": family[f"{figure}_awards"]}
                   for figure, label in (("current_value", "current value"), ("potential_value", "potential value"))],
        "through_others": {"label": family["through_others"]["label"],
                           "obligated": dollars(family["through_others"]["obligated"]),
                           "actions": family["through_others"]["actions"],
                           "resellers": len(family["through_others"]["resellers"])},
        "basis": family["obligated_basis"], "leaves_out": LEAVES_OUT,
        "coverage": _coverage(coverage or store.loaded_coverage(), abbreviations),
        "awards": [_award(a, abbreviations) for a in awards[:TOP_AWARDS]], "award_total": len(awards),
        "renewals": [_award(a, abbreviations) for a in upcoming[:RENEWALS]], "renewal_total": len(upcoming),
        "sources": [{"file": file, "awards": count} for file, count in
                    sorted(Counter(PurePath(a["source"]).name for a in awards if a["source"]).items())],
        "generated": now.isoformat(timespec="seconds"),
        "store": {"kind": store.kind, "version": store.version(), "loads": len(runs),
                  "loaded_at": runs[-1]["loaded_at"] if runs else None},
    }


def _agency_labels(store, awards: list[dict]) -> dict[str, str | None]:
    """Agency id -> its abbreviation (ICE, CBP); an office reads as the sub-agency above it, so every award
    names the agency a reader knows."""
    labels = {e["id"]: e.get("abbreviation") for e in store.entities() if e["kind"] == "Agency"}
    offices = sorted({a["awarding_agency"]["id"] for a in awards
                      if a["awarding_agency"] and a["awarding_agency"]["tier"] == "office"})
    parents = {row["id"]: row["parent"] for row in store.fetch_agency_chain(offices)} if offices else {}
    for office in offices:
        labels[office] = labels.get(office) or labels.get(parents.get(office))
    return labels


def _end(award: dict) -> tuple[str | None, str]:
    """The end of performance a renewal calendar reads: the current end date, else the potential one."""
    if award["end_date"]:
        return award["end_date"], "current"
    return award["potential_end_date"], "potential"


def _award(award: dict, abbreviations: dict) -> dict:
    agency = award["awarding_agency"] or {}
    end, which = _end(award)
    return {"key": award["key"], "piid": award["piid"], "agency": abbreviations.get(agency.get("id"))
            or agency.get("name"), "description": award["description"],
            "obligated": dollars(award.get("family_obligated", award["obligated"])),
            "start": award["start_date"] or award["first_action"], "end": end, "end_kind": which if end else None,
            "permalink": permalink(award["key"]), "source": PurePath(award["source"]).name if award["source"] else None,
            "record": award["record"]}


def _subawards(rows: list[dict], party: str) -> dict:
    """Subawards in one direction: how many, their reported amount, and the other parties, largest first."""
    by_party: dict[str, Decimal] = {}
    for row in rows:
        name = row[party] or "name not reported"
        by_party[name] = by_party.get(name, Decimal(0)) + (dollars(row["amount"]) or Decimal(0))
    reported = [dollars(row["amount"]) for row in rows if row["amount"] is not None]
    ranked = sorted(by_party, key=lambda name: (-by_party[name], name))
    return {"count": len(rows), "amount": sum(reported, Decimal(0)) if reported else None,
            "not_reported": len(rows) - len(reported), "parties": ranked[:PARTIES],
            "others": max(len(ranked) - PARTIES, 0)}


def _coverage(loaded: dict, abbreviations: dict) -> dict:
    return {"agencies": [abbreviations.get(a["id"]) or a["name"] or a["id"] for a in loaded["agencies"]],
            "fy_min": loaded["fy_min"], "fy_max": loaded["fy_max"], "note": NOT_IN_STORE,
            "award_count": loaded.get("award_count", 0), "dated_awards": loaded.get("dated_awards", 0)}
