"""Campaign targets: rank an agency's vendors by a weighted score whose every component is shown.

Pure functions of the store's answers (`agency_money`, `agency_profile` award rows and `vendor_totals`), so the
ranking is testable without Streamlit and identical on either store. Each component is scaled to
0..1 before weighting; the score is the weighted mean, so weights are relative.
"""
from __future__ import annotations

import calendar
from datetime import date

COMPONENTS = {
    "money": "money from the agency (obligated), relative to the top vendor",
    "dependence": "share of the vendor's federal obligations that come from this agency: over the fiscal years its "
                  "USAspending recipient profile was fetched for (every agency, every award type), else over the "
                  "money this graph holds",
    "growth": "share of the agency's money to the vendor in actions dated in the recent fiscal years",
    "contracts": "number of the agency's awards with actions to the vendor, relative to the top vendor",
    "renewals": "awards whose period of performance ends within the window, relative to the top vendor",
}
DEFAULT_WEIGHTS = {"money": 1.0, "dependence": 1.0, "growth": 0.5, "contracts": 0.5, "renewals": 1.0}


def fiscal_year(day: date) -> int:
    """US federal fiscal years start on 1 October."""
    return day.year + 1 if day.month >= 10 else day.year


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(award: dict) -> str | None:
    """When the award's period of performance ends now: its current end date, else its potential one."""
    return award.get("end_date") or award.get("potential_end_date")


def renewals(awards: list[dict], today: date, months: int) -> list[dict]:
    """Awards ending between today and today + months (the renewal calendar), soonest first."""
    until = add_months(today, months).isoformat()
    due = [a for a in awards if period_end(a) and today.isoformat() <= period_end(a) <= until]
    return sorted(due, key=lambda a: (period_end(a), a["key"]))


def rank(money: list[dict], awards: list[dict], totals: list[dict], weights: dict, today: date, months: int = 12,
         recent_years: int = 3, federal: dict[str, dict[int, dict]] | None = None) -> list[dict]:
    """One row per vendor with its raw figures, its 0..1 components and its score, best first.

    `money`: the agency's facts by vendor, fiscal year and whether they are split by year (`agency_money`:
    rows with `recipient`, `name`, `fiscal_year`, `split`, `obligated`, `awards`); recent money is the
    actions dated in the recent fiscal years, earlier money the rest (award totals not split by year count as
    earlier: their years are not known). `awards`: award rows of the agency (each with its latest `vendor` and
    end dates; those ending in the window are enough: `Queries.agency_renewals`), for renewals. `totals`:
    `vendor_totals` of those vendors (their money across the whole graph). `federal`: their recipient profiles
    by fiscal year (`Queries.federal_totals`), the better denominator of dependence where fetched.
    """
    federal = federal or {}
    by_year: dict[tuple[str, int], float] = {}
    for group in money:
        if group["split"] and group["fiscal_year"] is not None:
            key = (group["recipient"], group["fiscal_year"])
            by_year[key] = by_year.get(key, 0.0) + (group["obligated"] or 0.0)
    first_recent = fiscal_year(today) - recent_years + 1
    until = add_months(today, months).isoformat()
    rows: dict[str, dict] = {}
    for group in money:
        row = rows.setdefault(group["recipient"], {"id": group["recipient"], "name": group["name"], "money": 0.0,
                                                   "recent": 0.0, "earlier": 0.0, "contracts": group["contracts"],
                                                   "renewals": 0})
        amount = group["obligated"] or 0.0
        row["money"] += amount
        if group["split"] and (group["fiscal_year"] or 0) >= first_recent:
            row["recent"] += amount
        else:
            row["earlier"] += amount
    for award in awards:
        vendor, end = award.get("vendor"), period_end(award)
        if vendor and vendor["id"] in rows and end and today.isoformat() <= end <= until:
            rows[vendor["id"]]["renewals"] += 1
    total_of = {t["id"]: t["total_obligated"] for t in totals}
    top = {name: max([r[name] for r in rows.values()] + [0]) for name in ("money", "contracts", "renewals")}
    weight_sum = sum(max(w, 0) for w in weights.values()) or 1.0
    ranked = []
    for row in rows.values():
        total = total_of.get(row["id"]) or 0.0
        years = sorted(y for y, p in federal.get(row["id"], {}).items() if p.get("amount") is not None)
        if years:
            share, whole = sum(by_year.get((row["id"], y), 0.0) for y in years), sum(
                federal[row["id"]][y]["amount"] for y in years)
            basis = (f"USAspending recipient profile FY{years[0]}–FY{years[-1]} ({len(years)} years): "
                     f"${share:,.2f} in actions dated those years of ${whole:,.2f} from every agency")
        else:
            share, whole, basis = row["money"], total, "obligated in this graph (no recipient profile fetched)"
        moved = abs(row["recent"]) + abs(row["earlier"])
        parts = {
            "money": row["money"] / top["money"] if top["money"] > 0 else 0.0,
            "dependence": min(max(share / whole, 0.0), 1.0) if whole > 0 else 0.0,
            "growth": max(row["recent"], 0.0) / moved if moved > 0 else 0.0,
            "contracts": row["contracts"] / top["contracts"] if top["contracts"] else 0.0,
            "renewals": row["renewals"] / top["renewals"] if top["renewals"] else 0.0,
        }
        score = sum(max(weights.get(name, 0), 0) * value for name, value in parts.items()) / weight_sum
        ranked.append({"id": row["id"], "name": row["name"], "score": round(score, 4),
                       "money": round(row["money"], 2), "graph_total": total, "dependence_basis": basis,
                       "federal_total": round(whole, 2) if years else None,
                       "recent_money": round(row["recent"], 2), "earlier_money": round(row["earlier"], 2),
                       "contracts": row["contracts"], "renewals": row["renewals"],
                       **{f"{name}_part": round(value, 4) for name, value in parts.items()}})
    return sorted(ranked, key=lambda r: (-r["score"], -r["money"], r["id"]))
