"""The direct ties between two entities, before any chain: what a reporter asks first ("how much did ICE pay
this family, in which years, through which offices?"). Shaped here from the stores' fact sums, so both stores
give the same summary."""
from __future__ import annotations

from .answers import cents_to_dollars

ROLES = {"awarding": "awarded by", "funding": "funded by"}
UNNAMED = "office not named in the records"


def offices(groups: list[dict], column: str, briefs: dict[str, dict]) -> list[dict]:
    """The offices behind a tie, largest obligated first; the actions whose records name no office come last, as
    one row (the FY2021+ transaction exports name only the sub-agency)."""
    rows = [{"id": g[column], "name": (briefs.get(g[column]) or {}).get("name") if g[column] else UNNAMED,
             "code": (briefs.get(g[column]) or {}).get("code"), "obligated": cents_to_dollars(g["cents"]),
             "awards": g["awards"], "actions": g["facts"]} for g in groups]
    return sorted(rows, key=lambda r: (r["id"] is None, -(r["obligated"] or 0), r["id"] or ""))


def money_tie(role: str, total: dict, years: list[dict], awarding: list[dict], funding: list[dict]) -> dict:
    """One direction of a vendor–agency tie: the contract actions the agency awarded (or funded) to the family."""
    split = sorted((y for y in years if y["g"] == 0 and y["split"]), key=lambda y: y["fiscal_year"])
    rest = [y for y in years if y["g"] == 0 and not y["split"]]
    return {"role": role, "relation": ROLES[role], "awards": total["awards"], "actions": total["facts"],
            "obligated": cents_to_dollars(total["cents"]), "reported": total["reported"],
            "fy_first": split[0]["fiscal_year"] if split else None, "fy_last": split[-1]["fiscal_year"] if split else None,
            "by_year": [{"fiscal_year": y["fiscal_year"], "obligated": cents_to_dollars(y["cents"]), "awards": y["awards"]}
                        for y in split],
            "not_split_by_year": cents_to_dollars(sum(y["cents"] or 0 for y in rest)) if rest else None,
            "awarding_offices": awarding, "funding_offices": funding,
            "basis": "sum of the obligations of the contract actions between them (current and potential value are "
                     "ceilings, not added in; an action without an amount counts as not reported, not as $0)"}


def subaward_tie(prime_family: str, rows: list[dict]) -> dict:
    """Subawards one family's prime awards made to the other's members."""
    dates = sorted(r["action_date"] for r in rows if r["action_date"])
    amounts = [r["amount"] for r in rows if r["amount"] is not None]
    return {"role": "subaward", "relation": "subawards under prime awards of", "prime_family": prime_family,
            "subawards": len(rows), "prime_awards": len({r["prime_award"] for r in rows}),
            "amount": round(sum(amounts), 2) if amounts else None, "reported": len(amounts),
            "first": dates[0] if dates else None, "last": dates[-1] if dates else None,
            "basis": "subaward amounts as the prime reported them: part of the prime's obligations, not added to them"}
