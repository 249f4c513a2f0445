"""An agency's vendors rolled up into their families now (GEO Group with B.I. Incorporated inside it), and its top
families of one fiscal year with the change from the year before.

Pure shaping of fetch rows, so `Queries.agency_families` and `Queries.top_vendors` answer alike on every store.
Money is obligated (the sum of the agency's contract-action facts) and nothing else; an award whose actions went
to two members of one family counts once in the family's awards (the distinct count is fetched for those families).
"""

from __future__ import annotations

from graph.questions.answers import cents_to_dollars

FAMILY_BASIS = (
    "obligated: the sum of the agency's contract-action facts (and award totals not split by year) to "
    "the family's members, each vendor in the family it belongs to now"
)
YEAR_BASIS = (
    "obligated in contract actions dated in the fiscal year (October–September), awarded by the agency "
    "or an agency below it; award totals not split by year are left out (their year is not known)"
)


def family_of(vendor: str, families: dict[str, str]) -> str:
    return families.get(vendor) or vendor


def rollup(groups: list[dict], families: dict[str, str], names: dict[str, str]) -> dict[str, dict]:
    """Fact groups (`recipient`, `cents`, `awards`) summed per family, with each member's own figures."""
    out: dict[str, dict] = {}
    for group in groups:
        vendor = group["recipient"]
        if not vendor:
            continue
        fid = family_of(vendor, families)
        family = out.setdefault(
            fid, {"id": fid, "name": names.get(fid) or names.get(vendor) or fid, "cents": 0, "awards": 0, "members": {}}
        )
        member = family["members"].setdefault(
            vendor, {"id": vendor, "name": names.get(vendor) or vendor, "cents": 0, "awards": 0}
        )
        member["cents"] += group["cents"] or 0
        member["awards"] += group["awards"]
        family["cents"] += group["cents"] or 0
        family["awards"] += group["awards"]
    return out


def family_rows(rolled: dict[str, dict], distinct: dict[str, int]) -> list[dict]:
    """Families largest obligated first (ties by id); `distinct`: the distinct award count of the families with
    more than one member (the members' counts may share awards)."""
    rows = []
    for family in rolled.values():
        members = sorted(family["members"].values(), key=lambda m: (-m["cents"], m["id"]))
        rows.append(
            {
                "id": family["id"],
                "name": family["name"],
                "obligated": cents_to_dollars(family["cents"]) or 0.0,
                "awards": distinct.get(family["id"], family["awards"]),
                "members": [
                    {
                        "id": m["id"],
                        "name": m["name"],
                        "obligated": cents_to_dollars(m["cents"]) or 0.0,
                        "awards": m["awards"],
                    }
                    for m in members
                ],
            }
        )
    return sorted(rows, key=lambda r: (-r["obligated"], r["id"]))


def top_rows(this_year: list[dict], last_year: list[dict], limit: int) -> list[dict]:
    """The families of `this_year` (rows of `family_rows`) largest first, with last year's amount and the change:
    amount this year minus amount last year, None (and `new`) when the family had no action last year."""
    before = {row["id"]: row for row in last_year}
    out = []
    for rank, row in enumerate(this_year[:limit], start=1):
        previous = before.get(row["id"])
        out.append(
            {
                "rank": rank,
                **row,
                "previous": previous["obligated"] if previous else None,
                "change": round(row["obligated"] - previous["obligated"], 2) if previous else None,
                "new": previous is None,
            }
        )
    return out
