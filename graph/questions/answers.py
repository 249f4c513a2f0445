"""The shape of every answer, written once: pure functions from fetched rows to JSON-ready dicts.

A store fetches rows (SQL or Cypher) and these functions turn them into the answers the CLI and the
dashboard read, so both stores say the same thing in the same words. Money arrives in whole cents.
Totals say what they sum: `obligated_basis` names the facts; current and potential value come with the
number of awards that report them, and are None (not reported) when none does.
"""

from __future__ import annotations

import re
from typing import cast
from urllib.parse import urlsplit

from core.facts import AWARD_READ_NAMES
from core.keys import permalink as rebuilt_permalink
from graph.questions.shapes import (
    AgencyBrief,
    AgencyProfile,
    AwardRow,
    Change,
    Changes,
    FamilyAgency,
    HopRecords,
    MoneyTotals,
    Subaward,
    Subgraph,
    SubgraphEdge,
    SubgraphNode,
    Values,
    VendorFamily,
    YearMoney,
)

CENTS = "sum(cents)"  # facts carry their amount in whole cents: no order of rows can change a sum
TIER_COLUMNS = {
    role: {tier: f"{role}_{tier}" for tier in ("toptier", "subtier", "office")} for role in ("awarding", "funding")
}
NOT_SPLIT = "award total, not split by year"
TOTAL_BASIS = (
    "sum of the contract actions loaded, plus award totals not split by year where only an award "
    "summary (or a subaward file's prime amount) reports them"
)


# One permalink rule for every answer, export and brief (issue 28): the link given is the award's page rebuilt from
# its key; a record's own URL is never given as the permalink (a spoofed file could send readers anywhere), and is
# kept as `source_permalink` only when it is https on www.usaspending.gov and differs from the rebuilt one.
AWARD_KEY = re.compile(r"^(CONT|ASST)_(AWD|IDV|NON|AGG)_[^|]*$")
KEY_FIELDS = ("award_key", "prime_award", "award", "key")  # where a row names the award its permalink is of


def trusted_link(url) -> str | None:
    """The URL when it is https on www.usaspending.gov, else None."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme == "https" and parts.hostname == "www.usaspending.gov" else None


def cited(row: dict) -> dict:
    """The row with its `permalink` rebuilt from its award key (or, with no award key, the record's link only when
    trusted), and the record's own trusted link, when it differs, as `source_permalink`."""
    if "permalink" not in row:
        return row
    given = row["permalink"]
    key = next((row[f] for f in KEY_FIELDS if isinstance(row.get(f), str) and AWARD_KEY.match(row[f])), None)
    trusted = trusted_link(given)
    link = rebuilt_permalink(key) if key else trusted
    out = {**row, "permalink": link}
    out.pop("source_permalink", None)
    if trusted and trusted != link:
        out["source_permalink"] = trusted
    return out


def cite(answer):
    """`cited` applied to every row of an answer, however deep (the CLI's output, exports)."""
    if isinstance(answer, dict):
        return cited({k: cite(v) for k, v in answer.items()})
    if isinstance(answer, list) or type(answer) is tuple:
        return type(answer)(cite(v) for v in answer)
    return answer


def cents_to_dollars(cents) -> float | None:
    return None if cents is None else int(cents) / 100


def money_totals(rows: list[dict]) -> MoneyTotals:
    """From rows grouped by GROUPING SETS ((split, fiscal_year), ()) with `g` = GROUPING(split, fiscal_year):
    the total, the actions by fiscal year, and what cannot be put in a year (award totals not split by
    year, and actions without a date)."""
    total: dict = {"cents": None, "awards": 0, "facts": 0, "reported": 0}
    years: list[YearMoney]
    years, rest_cents, rest_awards = [], None, 0
    for row in rows:
        if row["g"] == 3:
            total = row
        elif row["split"] and row["fiscal_year"] is not None:
            years.append(
                {
                    "fiscal_year": row["fiscal_year"],
                    "obligated": cents_to_dollars(row["cents"]) or 0.0,
                    "awards": row["awards"],
                }
            )
        elif row["cents"] is not None:
            rest_cents = (rest_cents or 0) + row["cents"]
            rest_awards += row["awards"]
    return {
        "total_obligated": cents_to_dollars(total["cents"]) or 0.0,
        "award_count": total["awards"],
        "facts": total["facts"],
        "facts_not_reported": total["facts"] - total["reported"],
        "yearly": sorted(years, key=lambda y: y["fiscal_year"]),
        "not_split_by_year": {
            "obligated": cents_to_dollars(rest_cents) or 0.0,
            "awards": rest_awards,
            "label": NOT_SPLIT,
        },
    }


def values(row: dict) -> Values:
    def figure(name):
        count = row.get(f"{name}_awards") or 0
        return (cents_to_dollars(row.get(f"{name}_cents")) if count else None), count

    current, current_awards = figure("current")
    potential, potential_awards = figure("potential")
    return {
        "total_current_value": current,
        "current_value_awards": current_awards,
        "total_potential_value": potential,
        "potential_value_awards": potential_awards,
    }


# award fields that an award row shows shaped (figures rounded, ids as briefs), not as stored
SHAPED = (
    "obligated",
    "current_value",
    "potential_value",
    "obligated_actions",
    "has_summary",
    "recipient",
    "match",
    "awarding_id",
    "funding_id",
)


def award_row(row: dict, names: dict, agencies: dict, recipients: list[dict]) -> AwardRow:
    """An award as readers see it: its latest attributes, its figures apart, who received its actions."""
    out = cast(AwardRow, {name: row[name] for name in AWARD_READ_NAMES if name not in SHAPED})  # the rest below
    out["fy_first"], out["fy_last"] = _fy(row["first_action"]), _fy(row["last_action"])
    for figure in ("obligated", "current_value", "potential_value"):
        out[figure] = round(row[figure], 2) if row[figure] is not None else None
    if row["has_summary"] and row["obligated_actions"] is not None:
        out["obligated_in_actions"] = round(row["obligated_actions"], 2)
        out["not_in_loaded_actions"] = round(row["obligated"] - row["obligated_actions"], 2)
    vendor = row["recipient"]
    out["vendor"] = (
        {
            "id": vendor,
            "name": names.get(vendor),
            "match": row["match"],
            "confidence": "high" if row["match"] in ("uei", "duns") else "low",
        }
        if vendor
        else None
    )
    out["awarding_agency"] = agencies.get(row["awarding_id"])
    out["funding_agency"] = agencies.get(row["funding_id"])
    ordered = sorted(recipients, key=lambda r: (r["first"] or "", r["recipient"]))
    out["recipients"] = [
        {"id": r["recipient"], "name": names.get(r["recipient"]), "first_action": r["first"], "last_action": r["last"]}
        for r in ordered
    ]
    out["recipient_change"] = None
    if len(ordered) > 1:
        steps = [
            f"from {names.get(a['recipient']) or a['recipient']} to {names.get(b['recipient']) or b['recipient']} "
            f"on {b['first']}"
            for a, b in zip(ordered, ordered[1:], strict=False)
        ]
        out["recipient_change"] = "recipient changed " + "; then ".join(steps)
    return out


def _fy(date: str | None) -> int | None:
    if not date:
        return None
    year, month = int(date[:4]), int(date[5:7])
    return year + 1 if month >= 10 else year


def family(
    family_id: str,
    matched: list[dict],
    members: list[dict],
    own: dict,
    parents: dict,
    names: dict,
    awards: list[AwardRow],
    agencies: list[dict],
    briefs: dict,
    totals: MoneyTotals,
    values_: Values,
    subawards_received: list[Subaward],
) -> VendorFamily:
    def brief(member):
        reported = parents.get(member["id"], [])
        money = own.get(member["id"], {})
        return {
            "id": member["id"],
            "name": member["name"],
            "uei": member["uei"],
            "duns": member["duns"],
            "aliases": sorted(set(member["aliases"] or [])),
            "parent": names.get(member["parent"]) if member["parent"] else None,
            "parents": sorted({names.get(p["parent"]) or p["parent"] for p in reported}),
            "parents_reported": [
                {
                    "parent": names.get(p["parent"]) or p["parent"],
                    "parent_id": p["parent"],
                    **{
                        k: p[k]
                        for k in (
                            "basis",
                            "relation",
                            "first_reported",
                            "last_reported",
                            "source",
                            "record",
                            "permalink",
                            "note",
                        )
                    },
                }
                for p in reported
            ],
            "total_obligated": cents_to_dollars(money.get("cents")) or 0.0,
            "award_count": money.get("awards", 0),
        }

    head = next(m for m in members if m["id"] == family_id)
    top = brief(head)
    subsidiaries = [brief(m) for m in members if m["id"] != family_id]
    return {
        "id": top["id"],
        "name": top["name"],
        "uei": top["uei"],
        "duns": top["duns"],
        "aliases": top["aliases"],
        "parent": top["parent"],
        "parents_reported": top["parents_reported"],
        "matched": sorted(m["name"] or m["id"] for m in matched),
        "subsidiaries": sorted(subsidiaries, key=lambda s: (-s["total_obligated"], s["name"] or "", s["id"])),
        "total_obligated": totals["total_obligated"],
        "obligated_basis": TOTAL_BASIS,
        "yearly": totals["yearly"],
        "not_split_by_year": totals["not_split_by_year"],
        "total_current_value": values_["total_current_value"],
        "current_value_awards": values_["current_value_awards"],
        "total_potential_value": values_["total_potential_value"],
        "potential_value_awards": values_["potential_value_awards"],
        "award_count": totals["award_count"],
        "awards": awards,
        "agencies": cast(  # each a brief (AgencyBrief) with the family's money
            "list[FamilyAgency]",
            sorted(
                (
                    {
                        **briefs.get(
                            a["awarding_subtier"],
                            {"id": a["awarding_subtier"], "name": None, "code": None, "tier": None},
                        ),
                        "total_obligated": cents_to_dollars(a["cents"]) or 0.0,
                        "award_count": a["awards"],
                    }
                    for a in agencies
                ),
                key=lambda a: (-a["total_obligated"], a["code"] or "", a["id"]),
            ),
        ),
        "subawards_received": subawards_received,
    }


def subawards(rows: list[dict], names: dict) -> list[Subaward]:
    out: list[Subaward] = [
        {
            "prime_award": r["prime_award"],
            "prime_recipient": names.get(r["prime_vendor"]),
            "sub_recipient": names.get(r["sub_vendor"]),
            "amount": round(r["amount"], 2) if r["amount"] is not None else None,
            "number": r["number"],
            "action_date": r["action_date"],
            "description": r["description"],
            "source": r["source"],
            "record": r["record"],
            "permalink": r["permalink"],
        }
        for r in rows
    ]
    return sorted(
        out,
        key=lambda r: (
            r["action_date"] or "",
            r["prime_award"],
            r["number"] or "",
            r["source"] or "",
            r["record"] or "",
        ),
    )


def agency(
    found: dict,
    detail: dict,
    parent: AgencyBrief | None,
    children: list[AgencyBrief],
    totals: MoneyTotals,
    funded: MoneyTotals,
    values_: Values,
    vendors: list[dict],
    awards: list[AwardRow],
) -> AgencyProfile:
    return {
        "id": found["id"],
        "name": found["name"],
        "code": found["code"],
        "tier": found["tier"],
        "abbreviation": detail["abbreviation"],
        "aliases": sorted(set(detail["aliases"] or [])),
        "parent": parent,
        "children": children,
        "total_obligated": totals["total_obligated"],
        "obligated_basis": TOTAL_BASIS,
        "award_count": totals["award_count"],
        "total_current_value": values_["total_current_value"],
        "current_value_awards": values_["current_value_awards"],
        "total_potential_value": values_["total_potential_value"],
        "potential_value_awards": values_["potential_value_awards"],
        "yearly": totals["yearly"],
        "not_split_by_year": totals["not_split_by_year"],
        "funded_obligated": funded["total_obligated"],
        "funded_award_count": funded["award_count"],
        "vendors": sorted(
            (
                {
                    "id": v["id"],
                    "name": v["name"],
                    "family": v["family"] or v["name"],
                    "total_obligated": cents_to_dollars(v["cents"]) or 0.0,
                    "award_count": v["award_count"],
                }
                for v in vendors
            ),
            key=lambda v: (-v["total_obligated"], v["id"]),
        ),
        "awards": awards,
    }


def subgraph(edges: list[dict], chain: list[dict], agencies: list[dict], left_out: dict | None) -> Subgraph:
    nodes: dict[str, int] = {}  # id -> cents
    links: list[SubgraphEdge] = []
    for edge in sorted(edges, key=lambda e: (e["recipient"], e["awarding_subtier"])):
        source, target = f"Vendor:{edge['recipient']}", f"Agency:{edge['awarding_subtier']}"
        links.append(
            {
                "source": source,
                "target": target,
                "type": "AWARDS",
                "obligated": cents_to_dollars(edge["cents"]) or 0.0,
                "awards": edge["awards"],
            }
        )
        for nid in (source, target):
            nodes[nid] = nodes.get(nid, 0) + (edge["cents"] or 0)
    meta = {}
    for vendor in chain:
        nid = f"Vendor:{vendor['id']}"
        meta[nid] = ("Vendor", vendor["name"], None)
        nodes.setdefault(nid, 0)
        if vendor["parent"]:
            links.append({"source": nid, "target": f"Vendor:{vendor['parent']}", "type": "PARENT"})
    for agency_row in agencies:
        nid = f"Agency:{agency_row['id']}"
        meta[nid] = ("Agency", agency_row["name"], agency_row["tier"])
        nodes.setdefault(nid, 0)
        if agency_row["parent"]:
            links.append({"source": nid, "target": f"Agency:{agency_row['parent']}", "type": "PART_OF"})
    rows: list[SubgraphNode] = [
        {
            "id": nid,
            "kind": meta.get(nid, (nid.split(":")[0], None, None))[0],
            "name": meta.get(nid, (None, nid, None))[1],
            "tier": meta.get(nid, (None, None, None))[2],
            "obligated": money / 100,
        }
        for nid, money in sorted(nodes.items())
    ]
    unique = {(link["source"], link["target"], link["type"]): link for link in links}
    answer: Subgraph = {"nodes": rows, "edges": [unique[k] for k in sorted(unique)]}
    if left_out is not None:
        answer["left_out"] = {
            "not_split_by_year": cents_to_dollars(left_out["cents"]) or 0.0,
            "awards": left_out["awards"],
            "why": "award totals not split by year cannot be put in a fiscal year",
        }
    return answer


def hop_records(groups: list[dict], awards: dict[str, dict], shown: int = 5) -> HopRecords:
    """A vendor–agency hop: its money, how many awards, the largest few with their provenance."""
    total = sum(g["cents"] or 0 for g in groups)
    records = [
        {
            "award": g["award_key"],
            "obligated": cents_to_dollars(g["cents"]),
            **{k: awards.get(g["award_key"], {}).get(k) for k in ("piid", "source", "record", "permalink")},
        }
        for g in groups[:shown]
    ]
    first = records[0] if records else {}
    return {
        "obligated": total / 100,
        "awards": len(groups),
        "source": first.get("source"),
        "record": first.get("record"),
        "permalink": first.get("permalink"),
        "records": records,
    }


CHANGE_MEANS = {
    "new_award": "an award not held before (after: its obligated total)",
    "new_modification": "a new contract action on an award held before (after: its obligation)",
    "changed_amount": "an action's obligation, or an award's obligated, current or potential value, changed",
    "changed_end_date": "an award's current or potential end of performance moved",
    "new_vendor": "a vendor not held before (with its earliest award)",
    "new_vendor_agency": "a vendor's first award from this sub-agency (or agency) in the store",
    "removed_action": "a contract action withdrawn by a delta file's deletion (before: its obligation; source: "
    "the deletion's file and line)",
}


def changes(
    rows: list[dict], names: dict, briefs: dict, *, since: str | None, family: str | None, agency: dict | None
) -> Changes:
    listed: list[Change] = []
    for row in rows:
        brief = briefs.get(row["agency"]) if row["agency"] else None
        listed.append(
            {
                "seq": row["seq"],
                "run_id": row["run_id"],
                "loaded_at": row["loaded_at"],
                "change": row["change"],
                "award_key": row["award_key"],
                "action_key": row["action_key"],
                "field": row["field"],
                "before": row["before"],
                "after": row["after"],
                "source": row["source"],
                "record": row["record"],
                "permalink": row["permalink"],
                "vendor": {"id": row["vendor"], "name": names.get(row["vendor"])} if row["vendor"] else None,
                "agency": _agency_brief(brief) if brief else None,
            }
        )
    counts: dict[str, int] = {}
    for entry in listed:
        counts[entry["change"]] = counts.get(entry["change"], 0) + 1
    return {
        "since": since,
        "scope": "changes loaded since this date" if since else "changes of the latest load",
        "family": family,
        "agency": _agency_brief(agency) if agency else None,
        "count": len(listed),
        "counts": dict(sorted(counts.items())),
        "means": CHANGE_MEANS,
        "changes": listed,
    }


def _agency_brief(agency: dict) -> AgencyBrief:
    return {"id": agency["id"], "name": agency["name"], "code": agency["code"], "tier": agency["tier"]}
