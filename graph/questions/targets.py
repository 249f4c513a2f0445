"""Campaign targets: an agency's vendor families in a sector (the technology lens by default), ranked by a score
whose every component is shown, with the levers a campaign would pull beside it (never in it).

Shared by `python -m graph targets` and the Targets page, and written over the fetches every store implements,
so both stores rank alike. The choices, said once here and in docs/targets.md:
- money is the family's own obligations from the agency in the sector (its members' contract actions); what its
  products brought in through resellers (mentions whose action is in the sector) is its own column, never added.
  The score's "exposure" is the larger of the two, so Amazon ranks on AWS sold through Four Points, and a maker
  selling both ways is not counted twice.
- dependence only where measured (USAspending recipient profiles); elsewhere the column says "not measured",
  the component leaves that family's score and its other weights are renormalized.
- renewal pressure is graded: each open award's current value (`current_value`: base and exercised options, one
  field, never mixed with obligated or potential) whose next decision (its current end date, where options may
  be exercised, else its potential end date) falls in the window, weighted 1 at today falling linearly to 0 at
  the window's end.
"""

from __future__ import annotations

import calendar
import shlex
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from core import categories as cats
from core.keys import permalink
from core.wording import short_money
from graph.questions.answers import cents_to_dollars
from graph.questions.vehicles import LABEL as VEHICLE_LABEL
from graph.questions.vehicles import families_vehicles
from graph.store import FactFilter

if TYPE_CHECKING:
    from graph.questions.queries import Queries

NOT_MEASURED = "not measured"
COMPONENTS = {
    "exposure": "the larger of the family's own obligations from the agency in the sector and its products' sales "
    "to the agency through resellers, relative to the top family",
    "dependence": "share of the family's federal obligations (every agency, every sector) that came from this agency, "
    "over the fiscal years its members' USAspending recipient profiles were fetched for; only where "
    "measured, else left out of the score and the other weights renormalized",
    "growth": "exposure money in actions dated in the recent fiscal years, relative to the top family's",
    "contracts": "distinct awards behind the exposure money, relative to the top family",
    "renewals": "renewal pressure: current value of the family's open awards whose next decision (current end date, "
    "else potential end date) falls in the window, weighted 1 today falling linearly to 0 at the "
    "window's end, relative to the top family's exposure (capped at 1): money on the same scale as "
    "exposure, so one small award ending soon does not count as much as a large one",
    "options": "unexercised options (potential value minus current value) on the family's open awards that report "
    "both, relative to the top family's exposure (capped at 1)",
}
DEFAULT_WEIGHTS = {"exposure": 1.0, "dependence": 1.0, "growth": 0.5, "contracts": 0.5, "renewals": 1.0, "options": 0.5}
END_FIELDS = (
    ("end_date", "current end date (end_date)"),
    ("potential_end_date", "potential end date (potential_end_date)"),
)
STAKE_BASIS = "current_value (base and exercised options) of the awards whose next decision falls in the window"
OPTIONS_BASIS = "potential_value − current_value, on awards reporting both"
LEVERS_BASIS = (
    "beside the score, never in it: the local layer's deployments and local contracts of the family, "
    "those cancelled or rejected, and its local customers whose policy forbids immigration enforcement "
    "while a federal agency can search their data (Flock portals' access lists)"
)
FETCH = "python -m ingest usaspending-recipients"
CITED = 3  # the family's largest awards in the sector, cited in its row
VEHICLES_BASIS = (
    "contract vehicles the family holds (IDVs: schedules, IDIQs, BPAs, at any agency): count, agencies, "
    "each one's open ceiling (base and all options: what could be ordered) and last date to order; "
    "vehicle-level data, not spending, never added to any money or the score"
)


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


def unexercised(award: dict) -> float | None:
    """Options not yet exercised: potential value minus current value, only when the award reports both."""
    current, potential = award.get("current_value"), award.get("potential_value")
    if current is None or potential is None:
        return None
    return round(potential - current, 2)


def placed(award: dict, start: str, until: str) -> tuple[str, str] | None:
    """(date, field) of the award's next decision in the window: the earliest of its current and potential end
    dates between the ISO dates."""
    inside = [(award[name], label) for name, label in END_FIELDS if award.get(name) and start <= award[name] <= until]
    return min(inside) if inside else None


def is_open(award: dict, today: str) -> bool:
    """Its current or potential end date is today or later: options may still be exercised."""
    return any(award.get(name) and award[name] >= today for name, _ in END_FIELDS)


def soon(day: str, today: date, until: date) -> float:
    """1 on `today`, falling linearly to 0 on `until`: how hard a decision on `day` presses."""
    span = (until - today).days
    return max(0.0, 1.0 - (date.fromisoformat(day) - today).days / span) if span > 0 else 1.0


def scaled(money: float, top: float) -> float:
    """A money figure on 0..1: the square root of its ratio to `top` (capped at 1), so a family at a hundredth of
    the top's money scores a tenth and the ranking's tail is not decided by award counts alone."""
    return min(max(money, 0.0) / top, 1.0) ** 0.5 if top > 0 else 0.0


def calendar_rows(dated: list[dict], families: dict[str, dict], today: date, months: int) -> list[dict]:
    """The renewal calendar: awards whose next decision falls between today and today + months, soonest first,
    each with the date, the field it comes from, its family, the money at stake and how soon it presses."""
    until_day = add_months(today, months)
    start, until = today.isoformat(), until_day.isoformat()
    rows = []
    for award in dated:
        where = placed(award, start, until)
        if where is None:
            continue
        vendor = (award.get("vendor") or {}).get("id")
        family = families.get(vendor) or {"id": vendor, "name": (award.get("vendor") or {}).get("name")}
        weight = soon(where[0], today, until_day)
        stake = award.get("current_value")
        rows.append(
            {
                "date": where[0],
                "field": where[1],
                "family_id": family["id"],
                "family": family["name"],
                "options": unexercised(award),
                "stake": stake,
                "weight": round(weight, 4),
                "pressure": round(stake * weight, 2) if stake is not None else None,
                "award": award,
            }
        )
    return sorted(rows, key=lambda r: (r["date"], r["award"]["key"]))


def sector_of(names) -> tuple[tuple[str, ...] | None, str]:
    """(category ids or None for every purchase, the sector in words) for `--sector` values (default: the lens)."""
    chosen = cats.sectors(names if names else [cats.TECHNOLOGY])
    if chosen is None:
        return None, "all purchases"
    if chosen == cats.LENS:
        return chosen, "technology lens (" + ", ".join(cats.label(c) for c in chosen) + ")"
    return chosen, ", ".join(cats.label(c) for c in chosen)


def _classifier():
    try:
        return cats.cached()
    except Exception:  # a bad rules file is reported by the loads; the ranking still says the rule keys
        return None


def _reason(classifier, rule: str | None, names: dict) -> str:
    return classifier.reason(rule, names) if classifier is not None else (rule or "unclassified")


def _dependence(members: list[str], by_year: dict, federal: dict, names: dict) -> tuple[float, float, str] | None:
    """(agency money, federal whole, basis) over the members' recipient-profile years; None without a profile."""
    covered = {m: sorted(y for y, p in federal.get(m, {}).items() if p.get("amount") is not None) for m in members}
    covered = {m: years for m, years in covered.items() if years}
    if not covered:
        return None
    share = sum(by_year.get((m, y), 0.0) for m, years in covered.items() for y in years)
    whole = sum(federal[m][y]["amount"] for m, years in covered.items() for y in years)
    years = sorted({y for ys in covered.values() for y in ys})
    per_year = len({(m, y) for m, ys in covered.items() for y in ys})
    basis = (
        f"USAspending recipient profile FY{years[0]}–FY{years[-1]} ({per_year} years): ${share:,.2f} from "
        f"this agency in actions dated those years of ${whole:,.2f} from every agency"
    )
    if len(members) > 1:
        missing = [names.get(m) or m for m in members if m not in covered]
        basis += f"; profiles of {len(covered)} of {len(members)} members" + (
            f" (without one, left out: {', '.join(sorted(missing))})" if missing else ""
        )
    return share, whole, basis


def targets(
    ask: Queries,
    agency_text: str,
    sectors=None,
    months: int = 12,
    today: date | None = None,
    weights: dict | None = None,
    recent: int = 3,
) -> dict:
    """The ranking with its inputs said: agency, sector, window, weights, every family's row (best first), the
    families lacking a recipient profile with the command that fetches them, and the bases of each figure."""
    today = today or date.today()
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    chosen_cats, sector_words = sector_of(sectors)
    agency = ask.find_agency(agency_text)
    where = (agency["tier"], agency["id"])
    short = agency.get("abbreviation") or agency["name"]
    chosen = FactFilter(awarding=where, categories=chosen_cats)
    until_day = add_months(today, months)
    facets = ask.facets()
    last = min(fiscal_year(today), facets["fy_max"]) if facets.get("fy_max") else fiscal_year(today)

    # own money by recipient and year; awards and categories with their rules
    groups = [g for g in ask.store.fetch_fact_groups(chosen, "recipient,split,fiscal_year") if g["recipient"]]
    rule_groups = [g for g in ask.store.fetch_fact_groups(chosen, "recipient,category,category_rule") if g["recipient"]]
    # sales through resellers: the agency's mentions whose action is in the sector, added up by the store
    sold = ask.store.fetch_mention_groups(where, chosen_cats, "maker,recipient,split,fiscal_year")
    sold_awards = ask.store.fetch_mention_groups(where, chosen_cats, "maker,recipient,award_key")
    # open awards (renewals, options), kept to those with an action in the sector
    ends = ask.agency_end_dates(agency_text, today.isoformat(), within=chosen if chosen_cats else None)
    dated = ends["dated"]

    vendor_ids = sorted(
        {g["recipient"] for g in groups} | {(a.get("vendor") or {}).get("id") for a in dated if a.get("vendor")}
    )
    families = ask.families(vendor_ids)
    makers = sorted({g["maker"] for g in sold})
    names = ask.store.fetch_names(
        sorted(set(vendor_ids) | set(makers) | {g["recipient"] for g in sold if g["recipient"]})
    )
    fam = {vid: info["id"] for vid, info in families.items()}

    dated_years = [g["fiscal_year"] for g in groups if g["split"] and g["fiscal_year"]]
    dated_years += [g["fiscal_year"] for g in sold if g["split"] and g["fiscal_year"]]
    first_recent = max(last - recent + 1, min(dated_years, default=last))
    rows: dict[str, dict] = {}

    def row_of(fid: str, name: str | None) -> dict:
        return rows.setdefault(
            fid,
            {
                "id": fid,
                "name": name or fid,
                "members": {},
                "obligated": 0.0,
                "own_recent": 0.0,
                "through": 0.0,
                "through_recent": 0.0,
                "through_awards": set(),
                "through_actions": 0,
                "resellers": defaultdict(float),
                "categories": {},
                "pressure": 0.0,
                "stake_awards": 0,
                "options": 0.0,
                "options_awards": 0,
                "open_awards": 0,
                "next": None,
                "through_cents": defaultdict(int),
                "through_by": {},
            },
        )

    for g in groups:
        vendor = g["recipient"]
        info = families.get(vendor) or {"id": vendor, "name": names.get(vendor)}
        row = row_of(info["id"], info["name"])
        amount = cents_to_dollars(g["cents"]) or 0.0
        member = row["members"].setdefault(vendor, {"id": vendor, "name": names.get(vendor), "obligated": 0.0})
        member["obligated"] += amount
        row["obligated"] += amount
        if g["split"] and g["fiscal_year"] is not None and first_recent <= g["fiscal_year"] <= last:
            row["own_recent"] += amount
    # each family's distinct awards and its largest ones (its citations), counted by the store over its members
    members_of = {fid: sorted(row["members"]) for fid, row in rows.items() if row["members"]}
    own_awards = ask.store.fetch_group_awards(chosen, members_of)
    cited = ask.store.fetch_group_top_awards(chosen, members_of, CITED)
    for g in rule_groups:
        row = rows.get(fam.get(g["recipient"]) or g["recipient"])
        if row is None:
            continue
        category = row["categories"].setdefault(
            g["category"] or "unclassified", {"cents": 0, "rules": defaultdict(int)}
        )
        category["cents"] += g["cents"] or 0
        category["rules"][g["category_rule"]] += g["cents"] or 0
    for g in sold:
        row = row_of(g["maker"], names.get(g["maker"]))
        amount = cents_to_dollars(g["cents"]) or 0.0
        row["through"] += amount
        row["through_actions"] += g["actions"]
        row["resellers"][g["recipient"]] += amount
        if g["split"] and g["fiscal_year"] is not None and first_recent <= g["fiscal_year"] <= last:
            row["through_recent"] += amount
    for g in sold_awards:
        row = row_of(g["maker"], names.get(g["maker"]))
        row["through_awards"].add(g["award_key"])
        if g["award_key"]:  # the reseller's award behind the figure: its citation
            row["through_cents"][g["award_key"]] += g["cents"] or 0
            row["through_by"][g["award_key"]] = g["recipient"]
    start, until = today.isoformat(), until_day.isoformat()
    for award in dated:
        vendor = (award.get("vendor") or {}).get("id")
        row = rows.get(fam.get(vendor) or vendor)
        if row is None:
            continue
        spot = placed(award, start, until)
        if spot:
            stake = award.get("current_value")
            if stake is not None:
                row["pressure"] += stake * soon(spot[0], today, until_day)
                row["stake_awards"] += 1
            nxt = (spot[0], award["key"])
            if row["next"] is None or nxt < (row["next"]["date"], row["next"]["award_key"]):
                row["next"] = {
                    "date": spot[0],
                    "field": spot[1],
                    "award_key": award["key"],
                    "piid": award.get("piid"),
                    "current_value": stake,
                    "permalink": permalink(award["key"]),
                    "source": award.get("source"),
                    "record": award.get("record"),
                }
        if is_open(award, start):
            row["open_awards"] += 1
            options = unexercised(award)
            if options is not None:
                row["options"] += options
                row["options_awards"] += 1

    # dependence: only on members with a recipient profile; the agency's money from them in every sector
    all_members = sorted({m for row in rows.values() for m in row["members"]})
    federal = ask.federal_totals(all_members) if all_members else {}
    by_year: dict[tuple[str, int], float] = {}
    if federal:
        for g in ask.store.fetch_fact_groups(
            FactFilter(awarding=where, recipients=tuple(sorted(federal))), "recipient,split,fiscal_year"
        ):
            if g["split"] and g["fiscal_year"] is not None:
                key = (g["recipient"], g["fiscal_year"])
                by_year[key] = by_year.get(key, 0.0) + (cents_to_dollars(g["cents"]) or 0.0)

    # local levers: one read of the local layer for every family
    levers = _levers(ask, set(rows))
    classifier = _classifier()
    family_names = ask.store.fetch_names(sorted(rows))

    for row in rows.values():
        through_leads = row["through"] > row["obligated"]
        row["exposure"] = max(row["obligated"], row["through"])
        row["exposure_basis"] = "through resellers" if through_leads else "own obligations"
        row["recent"] = row["through_recent"] if through_leads else row["own_recent"]
        row["awards"] = len(row["through_awards"]) if through_leads else own_awards.get(row["id"], 0)
        row["name"] = family_names.get(row["id"]) or row["name"]
    top = {k: max([r[k] for r in rows.values()] + [0]) for k in ("exposure", "awards", "recent")}
    ranked = []
    for row in rows.values():
        members = sorted(row["members"])
        measured = _dependence(members, by_year, federal, names)
        dependence = (measured[0] / measured[1] if measured[1] > 0 else None) if measured else None
        parts = {
            "exposure": scaled(row["exposure"], top["exposure"]),
            "dependence": min(max(dependence, 0.0), 1.0) if dependence is not None else None,
            "growth": scaled(row["recent"], top["recent"]),
            "contracts": row["awards"] / top["awards"] if top["awards"] else 0.0,
            "renewals": scaled(row["pressure"], top["exposure"]),
            "options": scaled(row["options"], top["exposure"]),
        }
        used = {k: max(weights.get(k, 0.0), 0.0) for k, v in parts.items() if v is not None}
        total_weight = sum(used.values())
        weighted = {
            k: (used[k] * parts[k] / total_weight if total_weight else 0.0) if k in used else None for k in parts
        }
        score = sum(v for v in weighted.values() if v is not None)
        largest = [(top["award_key"], top["cents"]) for top in cited.get(row["id"], [])]
        through_largest = sorted(row["through_cents"].items(), key=lambda kv: (-kv[1], kv[0]))[:CITED]
        categories = [
            {
                "id": cid,
                "label": cats.label(cid),
                "obligated": cents_to_dollars(c["cents"]),
                "reasons": [
                    {
                        "rule": rule,
                        "obligated": cents_to_dollars(cents),
                        "reason": _reason(classifier, rule, family_names),
                    }
                    for rule, cents in sorted(c["rules"].items(), key=lambda kv: (-kv[1], kv[0] or ""))
                ],
            }
            for cid, c in sorted(row["categories"].items(), key=lambda kv: (-kv[1]["cents"], kv[0]))
        ]
        ranked.append(
            {
                "id": row["id"],
                "name": row["name"],
                "score": round(score, 4),
                "obligated": round(row["obligated"], 2),
                "through_resellers": round(row["through"], 2) if row["through_actions"] else None,
                "through_resellers_actions": row["through_actions"],
                "through_resellers_awards": len(row["through_awards"]),
                "resellers": [
                    {
                        "id": vid,
                        "name": names.get(vid) if vid else "recipient not reported",
                        "obligated": round(amount, 2),
                    }
                    for vid, amount in sorted(row["resellers"].items(), key=lambda kv: (-kv[1], kv[0] or ""))
                ],
                "exposure": round(row["exposure"], 2),
                "exposure_basis": row["exposure_basis"],
                "dependence": round(dependence, 4) if dependence is not None else None,
                "dependence_basis": measured[2] if measured else NOT_MEASURED + " (no recipient profile fetched)",
                "federal_total": round(measured[1], 2) if measured else None,
                "recent_money": round(row["recent"], 2),
                "awards": row["awards"],
                "renewal_pressure": round(row["pressure"], 2),
                "renewal_awards": row["stake_awards"],
                "next_decision": row["next"],
                "options": round(row["options"], 2) if row["options_awards"] else None,
                "options_awards": row["options_awards"],
                "open_awards": row["open_awards"],
                "parts": {k: (round(v, 4) if v is not None else None) for k, v in parts.items()},
                "weighted": {k: (round(v, 4) if v is not None else None) for k, v in weighted.items()},
                "members": [
                    {"id": m["id"], "name": m["name"], "obligated": round(m["obligated"], 2)}
                    for m in sorted(row["members"].values(), key=lambda m: (-m["obligated"], m["id"]))
                ],
                "categories": categories,
                "citations": [
                    {"award_key": key, "obligated": cents_to_dollars(cents), "permalink": permalink(key)}
                    for key, cents in largest
                ],
                "reseller_citations": [
                    {
                        "award_key": key,
                        "obligated": cents_to_dollars(cents),
                        "permalink": permalink(key),
                        "reseller": {
                            "id": row["through_by"][key],
                            "name": names.get(row["through_by"][key])
                            if row["through_by"][key]
                            else "recipient not reported",
                        },
                    }
                    for key, cents in through_largest
                ],
                "levers": levers.get(row["id"], _no_levers()),
            }
        )
    ranked.sort(key=lambda r: (-r["score"], -r["exposure"], r["id"]))
    held = families_vehicles(ask.store, [row["id"] for row in ranked])  # after the score: vehicles never enter it
    for place, row in enumerate(ranked, start=1):
        row["rank"] = place
        row["vehicles"] = vehicles_figure(held.get(row["id"]))
        row["why"] = sentence(row, place, short, first_recent, last, months, sector_words.split(" (")[0])
    lacking = [
        {"id": r["id"], "name": r["name"], "rank": r["rank"]}
        for r in ranked
        if r["dependence"] is None and r["members"]
    ]
    return {
        "agency": {k: agency.get(k) for k in ("id", "name", "code", "tier", "abbreviation")},
        "sector": {"categories": list(chosen_cats) if chosen_cats else None, "name": sector_words},
        "today": today.isoformat(),
        "months": months,
        "window_end": until,
        "recent_years": [first_recent, last],
        "weights": weights,
        "components": COMPONENTS,
        "score_basis": (
            "each component scaled to 0–1; the score is their weighted mean over the components "
            "measured for the family (dependence only where a recipient profile is loaded; its weight is "
            "otherwise left out and the others renormalized)"
        ),
        "bases": {
            "obligated": "sum of the agency's contract actions in the sector to the family's members "
            "(and award totals not split by year)",
            "through_resellers": "mentions of the family's products in actions of other vendors to the agency "
            "in the sector; never added to its obligations",
            "renewal_pressure": STAKE_BASIS,
            "options": OPTIONS_BASIS,
            "levers": LEVERS_BASIS,
            "vehicles": VEHICLES_BASIS,
        },
        "awards_undated": ends["undated"],
        "awards_counted": ends["award_count"],
        "families": ranked,
        "lacking_profile": lacking,
        "fetch_profiles": fetch_command([r["name"] for r in lacking[:20]]),
    }


def fetch_command(names: list[str]) -> str:
    """The command that fetches the families' recipient profiles (names quoted for a shell)."""
    return FETCH + "".join(f" --vendor {shlex.quote(name)}" for name in names if name)


def _no_levers() -> dict:
    return {
        "local_agencies": 0,
        "deployments": 0,
        "local_contracts": 0,
        "cancelled_or_rejected": [],
        "sanctuary_searchable": [],
        "records": [],
    }


def _levers(ask: Queries, family_ids: set[str]) -> dict[str, dict]:
    """Per family: its local customers, deployments and contracts, those cancelled or rejected (with their rows),
    and its customers whose policy forbids immigration enforcement while a federal agency can search their data."""
    try:
        deployments, contracts = ask.store.fetch_deployments(), ask.store.fetch_local_contracts()
    except Exception:  # a store written before the local layer: no lever to show
        return {}
    forbidding = {}
    if any((r["family"] or r["vendor"]) in family_ids for r in deployments + contracts):
        for agency in ask.policies("immigration")["agencies"]:
            if agency["federal_searchers"]:
                forbidding[agency["id"]] = agency
    out: dict[str, dict] = {}
    for row in deployments + contracts:
        fid = row["family"] or row["vendor"]
        if fid not in family_ids:
            continue
        lever = out.setdefault(fid, {**_no_levers(), "agencies": set()})
        lever["agencies"].add(row["agency"])
        cite = {k: row.get(k) for k in ("agency", "technology", "status", "source", "record", "url")}
        if "status" in row:
            lever["deployments"] += 1
            if row["status"] in ("cancelled", "rejected"):
                lever["cancelled_or_rejected"].append(cite)
        else:
            lever["local_contracts"] += 1
        if len(lever["records"]) < 5:
            lever["records"].append(cite)
    for lever in out.values():
        users = sorted(lever.pop("agencies"))
        lever["local_agencies"] = len(users)
        lever["sanctuary_searchable"] = [
            {
                "id": a,
                "name": forbidding[a]["name"],
                "state": forbidding[a].get("state"),
                "federal_searchers": forbidding[a]["federal_searchers"],
                "policy_url": forbidding[a]["policy_url"],
                "source": forbidding[a]["source"],
                "record": forbidding[a]["record"],
            }
            for a in users
            if a in forbidding
        ]
    return out


def sentence(row: dict, place: int, agency: str, first: int, last: int, months: int, sector: str) -> str:
    """Why the family ranks where it does, in one plain sentence a reporter can check against the columns."""
    years = f"FY{first}" if first == last else f"FY{first}–{last}"
    within = "in all purchases" if sector == "all purchases" else f"in the {sector}"
    parts = [
        f"{short_money(row['obligated'])} obligated by {agency} {within}"
        if row["members"]
        else f"no contract action of its own from {agency} {within}"
    ]
    if row["through_resellers"] is not None:
        parts.append(
            f"{short_money(row['through_resellers'])} of its products sold to {agency} through "
            f"{len(row['resellers'])} reseller{'' if len(row['resellers']) == 1 else 's'} (not in that sum)"
        )
    basis = "sales through resellers" if row["exposure_basis"] == "through resellers" else "own obligations"
    parts.append(f"{short_money(row['recent_money'])} of its {basis} in {years}")
    if len(row["members"]) > 1:
        parts.append(f"summed over {len(row['members'])} members")
    parts.append(
        f"{percent(row['dependence'])} of its federal obligations from {agency}"
        if row["dependence"] is not None
        else "dependence not measured (no recipient profile)"
    )
    if row["next_decision"]:
        parts.append(
            f"{short_money(row['renewal_pressure'])} renewal pressure on {row['renewal_awards']:,} "
            f"award{'' if row['renewal_awards'] == 1 else 's'}, next decision "
            f"{row['next_decision']['date']}"
        )
    else:
        parts.append(f"no decision within {months} months")
    leading = sorted(((v, k) for k, v in row["weighted"].items() if v), reverse=True)[:2]
    led = " and ".join(f"{k} ({row['parts'][k]:.2f})" for _, k in leading)
    tail = f"; score {row['score']:.2f}" + (f", led by {led}" if led else "")
    return f"{row['name']} ranks {ordinal(place)}: " + ", ".join(parts) + tail + "."


def report(answer: dict, shown: int = 25) -> str:
    """The text report of `python -m graph targets`: the settings, the top families with every component and their
    reason, and the families lacking a recipient profile with the command that fetches them (--json has all)."""
    from core.wording import money

    agency, families = answer["agency"], answer["families"]
    lines = [
        f"{agency['name']}: {len(families):,} vendor families in the {answer['sector']['name']}, window "
        f"{answer['today']} to {answer['window_end']}, recent FY{answer['recent_years'][0]}–"
        f"FY{answer['recent_years'][1]}",
        f"score: {answer['score_basis']}",
    ]
    for row in families[:shown]:
        parts = "  ".join(f"{k} {'not measured' if v is None else f'{v:.2f}'}" for k, v in row["parts"].items())
        through = money(row["through_resellers"]) if row["through_resellers"] is not None else "none"
        own = money(row["obligated"]) if row["members"] else "none of its own"
        lines.append(
            f"{row['rank']:>3}. {row['name']}  score {row['score']:.3f}  obligated {own}"
            f"  through resellers {through}  [{parts}]"
        )
        lines.append(f"     {row['why']}")
        if row["categories"]:
            lines.append(
                "     categories: "
                + "; ".join(
                    f"{c['label']} {money(c['obligated'])} ({c['reasons'][0]['reason']})" for c in row["categories"][:2]
                )
            )
        if row["vehicles"] and row["vehicles"]["count"]:
            lines.append("     " + vehicles_line(row["vehicles"]))
        levers = row["levers"]
        if levers["local_agencies"]:
            lines.append(
                f"     levers: {levers['local_agencies']} local agencies, {len(levers['cancelled_or_rejected'])}"
                f" cancelled or rejected, {len(levers['sanctuary_searchable'])} forbidding immigration "
                f"enforcement yet searchable by a federal agency"
            )
    if len(families) > shown:
        lines.append(f"  … {len(families) - shown:,} more families (--json lists them all)")
    if answer["lacking_profile"]:
        lines.append(
            f"{len(answer['lacking_profile']):,} families lack a recipient profile (dependence not measured); "
            f"fetch the first 20 with: {answer['fetch_profiles']}"
        )
    return "\n".join(lines)


def vehicles_figure(held: list[dict] | None) -> dict | None:
    """The contract vehicles a family holds, compact: how many, at which agencies, each one's open ceiling and last
    date to order with its permalink. Vehicle-level data, not spending: never added to any money or the score.
    None only when no vehicles were looked up."""
    if held is None:
        return None
    agencies = []
    for v in held:
        name = (v.get("agency") or {}).get("name") or "agency not reported"
        if name not in agencies:
            agencies.append(name)
    return {
        "count": len(held),
        "agencies": agencies,
        "beyond_dhs": sorted(
            {(v.get("agency") or {}).get("name") or "agency not reported" for v in held if v.get("beyond_dhs")}
        ),
        "rows": [
            {
                "key": v["key"],
                "piid": v.get("piid"),
                "agency": (v.get("agency") or {}).get("name"),
                "department": (v.get("department") or {}).get("name"),
                "ceiling": v.get("ceiling"),
                "last_date_to_order": v.get("last_date_to_order"),
                "source": v.get("source"),
                "permalink": v.get("permalink") or permalink(v["key"]),
            }
            for v in held
        ],
        "label": VEHICLE_LABEL,
    }


def vehicles_line(figure: dict | None) -> str | None:
    """ "2 contract vehicles: Department of the Army W519TC25D0039 (open ceiling $10.00B, last date to order
    2035-07-31); … (vehicle-level data, not spending)", or None when none is held or they were not looked up."""
    if not figure or not figure["count"]:
        return None
    from core.wording import text

    parts = [
        f"{text(v['agency'])} {text(v['piid'])} (open ceiling {short_money(v['ceiling'])}, last date to order "
        f"{text(v['last_date_to_order'])})"
        for v in figure["rows"]
    ]
    return (
        f"{figure['count']:,} contract vehicle{'' if figure['count'] == 1 else 's'}: {'; '.join(parts)} "
        f"({figure['label']})"
    )
