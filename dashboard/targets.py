"""Campaign targets: rank an agency's vendor families by a weighted score whose every component is shown.

Pure functions of the store's answers (`agency_money`, `families`, `agency_families`, `agency_end_dates`,
`vendor_totals`, `federal_totals`), so the ranking is testable without Streamlit and identical on either store.
A family is ranked, not a registration: GEO Group's row sums B.I. Incorporated's money. Each component is scaled
to 0..1 before weighting; the score is the weighted mean, so weights are relative.

Dependence is the share of the family's federal obligations that came from the agency, measured only against
USAspending recipient profiles. Without a profile, the figure is the share of the money in this store, which is
not dependence: a store holding only ICE and CBP makes nearly every vendor look wholly dependent.
"""
from __future__ import annotations

import calendar
from datetime import date

from core.wording import short_money

STORE_SHARE = "share of the money in this store"
NO_PROFILE = "obligated in this graph (no recipient profile fetched)"
COMPONENTS = {
    "money": "money from the agency (obligated), relative to the top family",
    "dependence": "share of the family's federal obligations that came from this agency, over the fiscal years its "
                  "members' USAspending recipient profiles were fetched for (every agency, every award type); "
                  f"without a profile, the {STORE_SHARE} (not dependence)",
    "growth": "share of the agency's money to the family in actions dated in the recent fiscal years",
    "contracts": "number of the agency's awards to the family (each counted once), relative to the top family",
    "renewals": "awards whose current or potential end date falls within the window, relative to the top family",
    "options": "unexercised options (potential value minus current value, on the family's open awards that report "
               "both), relative to the top family",
}
DEFAULT_WEIGHTS = {"money": 1.0, "dependence": 1.0, "growth": 0.5, "contracts": 0.5, "renewals": 1.0, "options": 0.5}
END_FIELDS = (("end_date", "current end date (end_date)"), ("potential_end_date", "potential end date (potential_end_date)"))
OPTIONS_BASIS = "potential_value − current_value, on awards reporting both"


def fiscal_year(day: date) -> int:
    """US federal fiscal years start on 1 October."""
    return day.year + 1 if day.month >= 10 else day.year


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def percent(share: float) -> str:
    """68%, 0.4%, <0.1%: small shares keep a digit, so a reader never sees 0% for money that is there."""
    if share and abs(share) < 0.001:
        return "<0.1%"
    return f"{share:.1%}" if abs(share) < 0.1 else f"{share:.0%}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def period_end(award: dict) -> str | None:
    """When the award's period of performance ends now: its current end date, else its potential one."""
    return award.get("end_date") or award.get("potential_end_date")


def unexercised(award: dict) -> float | None:
    """Options not yet exercised: potential value minus current value, only when the award reports both."""
    current, potential = award.get("current_value"), award.get("potential_value")
    if current is None or potential is None:
        return None
    return round(potential - current, 2)


def placed(award: dict, start: str, until: str) -> tuple[str, str] | None:
    """(date, field) of the earliest reported end date (current, then potential) between the ISO dates."""
    inside = [(award[name], label) for name, label in END_FIELDS if award.get(name) and start <= award[name] <= until]
    return min(inside) if inside else None


def is_open(award: dict, today: str) -> bool:
    """Its current or potential end date is today or later: options may still be exercised."""
    return any(award.get(name) and award[name] >= today for name, _ in END_FIELDS)


def calendar_rows(dated: list[dict], families: dict[str, dict], today: date, months: int) -> list[dict]:
    """The renewal calendar: awards whose current or potential end date falls between today and today + months,
    soonest first, each with the date that places it, the field it comes from, its family and its options."""
    start, until = today.isoformat(), add_months(today, months).isoformat()
    rows = []
    for award in dated:
        where = placed(award, start, until)
        if where is None:
            continue
        vendor = (award.get("vendor") or {}).get("id")
        family = families.get(vendor) or {"id": vendor, "name": (award.get("vendor") or {}).get("name")}
        rows.append({"date": where[0], "field": where[1], "family_id": family["id"], "family": family["name"],
                     "options": unexercised(award), "award": award})
    return sorted(rows, key=lambda r: (r["date"], r["award"]["key"]))


def renewals(awards: list[dict], today: date, months: int) -> list[dict]:
    """Awards placed on the calendar (current or potential end date in the window), soonest first."""
    return [row["award"] for row in calendar_rows(awards, {}, today, months)]


def _dependence(members: list[str], by_year: dict, federal: dict, names: dict) -> tuple[float, float, str] | None:
    """(share, whole, basis) over the members' recipient-profile years, or None when no member has a profile."""
    covered = {m: sorted(y for y, p in federal.get(m, {}).items() if p.get("amount") is not None) for m in members}
    covered = {m: years for m, years in covered.items() if years}
    if not covered:
        return None
    share = sum(by_year.get((m, y), 0.0) for m, years in covered.items() for y in years)
    whole = sum(federal[m][y]["amount"] for m, years in covered.items() for y in years)
    years = sorted({y for ys in covered.values() for y in ys})
    per_year = len({(m, y) for m, ys in covered.items() for y in ys})
    basis = (f"USAspending recipient profile FY{years[0]}–FY{years[-1]} ({per_year} years): ${share:,.2f} in "
             f"actions dated those years of ${whole:,.2f} from every agency")
    if len(members) > 1:
        missing = [names.get(m) or m for m in members if m not in covered]
        basis += (f"; profiles of {len(covered)} of {len(members)} members" +
                  (f" (without one, left out: {', '.join(sorted(missing))})" if missing else ""))
    return share, whole, basis


def rank(money: list[dict], awards: list[dict], totals: list[dict], weights: dict, today: date, months: int = 12,
         recent_years: int = 3, federal: dict[str, dict[int, dict]] | None = None,
         families: dict[str, dict] | None = None, family_awards: dict[str, int] | None = None,
         last_year: int | None = None, agency: str = "the agency") -> list[dict]:
    """One row per family with its raw figures, its 0..1 components, its score and a sentence saying why, best first.

    `money`: the agency's facts by vendor, fiscal year and split (`agency_money`); recent money is the actions
    dated in the last `recent_years` fiscal years up to `last_year` (default: today's), earlier money the rest
    (award totals not split by year count as earlier). `awards`: the agency's award rows that report an end date
    (`agency_end_dates`), for renewals and options. `totals`: `vendor_totals` of the vendors (their money across
    the whole store). `federal`: their recipient profiles by fiscal year (`federal_totals`). `families`: each
    vendor's family (`Queries.families`; a vendor missing from it is its own). `family_awards`: each family's
    distinct awards from the agency (`agency_families`), else the members' counts summed.
    """
    federal, families, family_awards = federal or {}, families or {}, family_awards or {}
    fam = {vid: info["id"] for vid, info in families.items()}
    last = last_year or fiscal_year(today)
    dated = [g["fiscal_year"] for g in money if g["split"] and g["fiscal_year"]]
    first_recent = max(last - recent_years + 1, min(dated, default=last))  # never a year the store does not hold
    start, until = today.isoformat(), add_months(today, months).isoformat()
    by_year: dict[tuple[str, int], float] = {}
    names: dict[str, str] = {}
    rows: dict[str, dict] = {}
    recent_total = 0.0
    for group in money:
        vendor = group["recipient"]
        names[vendor] = group["name"]
        fid = fam.get(vendor) or vendor
        fname = (families.get(vendor) or {}).get("name") or group["name"]
        row = rows.setdefault(fid, {"id": fid, "name": fname, "money": 0.0, "recent": 0.0, "earlier": 0.0,
                                    "members": {}, "contracts": 0, "renewals": 0, "options": 0.0,
                                    "options_awards": 0, "open_awards": 0})
        amount = group["obligated"] or 0.0
        member = row["members"].setdefault(vendor, {"id": vendor, "name": group["name"], "money": 0.0,
                                                    "contracts": group["contracts"]})
        member["money"] += amount
        row["money"] += amount
        if group["split"] and group["fiscal_year"] is not None:
            by_year[(vendor, group["fiscal_year"])] = by_year.get((vendor, group["fiscal_year"]), 0.0) + amount
        if group["split"] and first_recent <= (group["fiscal_year"] or 0) <= last:
            row["recent"] += amount
            recent_total += amount
        else:
            row["earlier"] += amount
    for row in rows.values():
        row["contracts"] = family_awards.get(row["id"], sum(m["contracts"] for m in row["members"].values()))
    for award in awards:
        vendor = (award.get("vendor") or {}).get("id")
        row = rows.get(fam.get(vendor) or vendor)
        if row is None:
            continue
        if placed(award, start, until):
            row["renewals"] += 1
        if is_open(award, start):
            row["open_awards"] += 1
            options = unexercised(award)
            if options is not None:
                row["options"] += options
                row["options_awards"] += 1
    total_of = {t["id"]: t["total_obligated"] or 0.0 for t in totals}
    top = {name: max([r[name] for r in rows.values()] + [0]) for name in ("money", "contracts", "renewals", "options")}
    weight_sum = sum(max(w, 0) for w in weights.values()) or 1.0
    ranked = []
    for row in rows.values():
        members = sorted(row["members"])
        store_total = sum(total_of.get(m, 0.0) for m in members)
        store_share = row["money"] / store_total if store_total > 0 else None
        measured = _dependence(members, by_year, federal, names)
        if measured:
            share, whole, basis = measured
            dependence = share / whole if whole > 0 else None
        else:
            whole, basis, dependence = None, NO_PROFILE, None
        moved = abs(row["recent"]) + abs(row["earlier"])
        measure = dependence if measured else store_share
        parts = {
            "money": row["money"] / top["money"] if top["money"] > 0 else 0.0,
            "dependence": min(max(measure or 0.0, 0.0), 1.0),
            "growth": max(row["recent"], 0.0) / moved if moved > 0 else 0.0,
            "contracts": row["contracts"] / top["contracts"] if top["contracts"] else 0.0,
            "renewals": row["renewals"] / top["renewals"] if top["renewals"] else 0.0,
            "options": max(row["options"], 0.0) / top["options"] if top["options"] > 0 else 0.0,
        }
        score = sum(max(weights.get(name, 0), 0) * value for name, value in parts.items()) / weight_sum
        member_rows = sorted(row["members"].values(), key=lambda m: (-m["money"], m["id"]))
        ranked.append({"id": row["id"], "name": row["name"], "score": round(score, 4),
                       "members": [{"id": m["id"], "name": m["name"], "money": round(m["money"], 2)} for m in member_rows],
                       "money": round(row["money"], 2), "graph_total": round(store_total, 2),
                       "store_share": round(store_share, 4) if store_share is not None else None,
                       "dependence": round(dependence, 4) if dependence is not None else None,
                       "dependence_basis": basis, "federal_total": round(whole, 2) if whole is not None else None,
                       "recent_money": round(row["recent"], 2), "earlier_money": round(row["earlier"], 2),
                       "recent_share": row["recent"] / recent_total if recent_total > 0 else None,
                       "contracts": row["contracts"], "renewals": row["renewals"],
                       "options": round(row["options"], 2) if row["options_awards"] else None,
                       "options_awards": row["options_awards"], "open_awards": row["open_awards"],
                       "weighted": {name: max(weights.get(name, 0), 0) * value / weight_sum for name, value in parts.items()},
                       **{f"{name}_part": round(value, 4) for name, value in parts.items()}})
    ranked.sort(key=lambda r: (-r["score"], -r["money"], r["id"]))
    for place, row in enumerate(ranked, start=1):
        row["rank"] = place
        row["why"] = sentence(row, place, agency, first_recent, last, months)
    return ranked


def sentence(row: dict, place: int, agency: str, first: int, last: int, months: int) -> str:
    """Why the family ranks where it does, in one plain sentence a reporter can check against the columns."""
    years = f"FY{first}" if first == last else f"FY{first}–{last}"
    share = (f" ({percent(row['recent_share'])} of this store's {agency} money in those years)"
             if row["recent_share"] is not None else "")
    parts = [f"{short_money(row['recent_money'])} obligated by {agency} in {years}{share}"]
    if row["earlier_money"]:
        parts[0] += f", {short_money(row['earlier_money'])} before or not split by year"
    if len(row["members"]) > 1:
        parts.append(f"summed over {len(row['members'])} members")
    if row["dependence"] is not None:
        parts.append(f"{percent(row['dependence'])} of its federal obligations in its profile years")
    elif row["store_share"] is not None:
        parts.append(f"{percent(row['store_share'])} of its money in this store (not dependence: no recipient profile)")
    ends = row["renewals"]
    parts.append(f"{ends:,} award{'' if ends == 1 else 's'} end{'s' if ends == 1 else ''} within {months} months")
    if row["options"] is not None:
        parts.append(f"{short_money(row['options'])} unexercised options on {row['options_awards']:,} open "
                     f"award{'' if row['options_awards'] == 1 else 's'}")
    else:
        parts.append("no open award reports both current and potential value")
    leading = sorted(((v, k) for k, v in row["weighted"].items() if v > 0), reverse=True)[:2]
    led = " and ".join(f"{k} ({row[f'{k}_part']:.2f})" for _, k in leading)
    tail = f"; score {row['score']:.2f}" + (f", led by {led}" if led else "")
    return f"{row['name']} ranks {ordinal(place)}: " + ", ".join(parts) + tail + "."
