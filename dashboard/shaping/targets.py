"""The Targets page's table over `graph.questions.targets.targets` (the ranking both stores share; this module ranks nothing).

One list of columns serves the page and its downloads, so the CSV and XLSX carry exactly the page's columns: the
page shows a family as a link to its profile and a citation as a link to the award, the files write the name and
the permalink. Money and the nothings ("not measured", "none") go through core/wording.py and the column's words.
The vehicles a family holds sit in their own column as open ceilings (vehicle-level data), never in any money.
"""

from __future__ import annotations

from core.wording import short_money, text
from dashboard.render.profile_links import vendor_url
from dashboard.render.tables import Column
from dashboard.render.text import md, record_link
from graph.questions.targets import NOT_MEASURED

NO_DECISION = "none in the window"


def columns(months: int) -> list[Column]:
    """The table, compact enough that the score, its levers beside it (never in it) and every component's figure
    are in view without scrolling; the reason and the citations (permalinks, linked in the reasons under the
    table) follow. Money shows short ($329.20M) over the exact number: it sorts by amount, the files write it."""
    return [
        Column("rank", "rank", "count", True, 40),
        Column("family", "family", "profile", True, 140),
        Column("score", "score", "score", width=50),
        Column("levers", "levers (not scored)", width=70, missing="none"),
        Column("obligated", "obligated", "short", width=75, missing="none of its own"),
        Column("through_resellers", "via resellers", "short", width=75, missing="none"),
        Column("recent_money", "recent", "short", width=70),
        Column("dependence", "dependence", "score", width=85, missing=NOT_MEASURED),
        Column("renewal_pressure", f"renewal pressure ({months} mo)", "short", width=75, missing=NO_DECISION),
        Column("next_decision", "next decision", width=90, missing=NO_DECISION),
        Column("options", "options", "short", width=70, missing="none reported"),
        Column("awards", "contracts", "count", width=65),
        Column("vehicles", "vehicles (open ceiling, not spending)", width="medium", missing="none held"),
        Column("categories", "categories", width="medium"),
        Column("why", "why", width="large"),
        Column("citations", "citations", width="large", missing="no award of its own"),
        Column("id", "id", width="small"),
    ]


def categories_text(categories: list[dict]) -> str:
    """ "data and analytics $329.2M (sold by Palantir…)": each category's money and its largest rule's reason."""
    return "; ".join(
        f"{c['label']} {short_money(c['obligated'])}" + (f" ({c['reasons'][0]['reason']})" if c["reasons"] else "")
        for c in categories
    )


def levers_text(levers: dict) -> str | None:
    """The local layer's levers in a few words, or None when the family appears nowhere in it."""
    if not (levers["local_agencies"] or levers["deployments"] or levers["local_contracts"]):
        return None
    return (
        f"{levers['local_agencies']:,} local agencies ({levers['deployments']:,} deployments, "
        f"{levers['local_contracts']:,} contracts); {len(levers['cancelled_or_rejected']):,} cancelled or "
        f"rejected; {len(levers['sanctuary_searchable']):,} forbid immigration enforcement yet federally searchable"
    )


def decision_text(decision: dict | None) -> str | None:
    """ "2026-03-31 (current end date), 70CMSD21C00000002": the date, the field it comes from and the award."""
    if not decision:
        return None
    return f"{decision['date']} ({decision['field'].split(' (')[0]}), {decision.get('piid') or decision['award_key']}"


def vehicles_text(figure: dict | None) -> str | None:
    """ "2: Department of the Army (open ceiling $10.00B), …": how many vehicles the family holds and where, each
    with its open ceiling (vehicle-level data, not spending); "none held"."""
    if figure is None:
        return None
    if not figure["count"]:
        return "none held"
    return f"{figure['count']:,}: " + ", ".join(
        f"{text(v['agency'])} (open ceiling {short_money(v['ceiling'])})" for v in figure["rows"]
    )


def cited(row: dict) -> list[tuple[str, str]]:
    """(label, permalink) behind each of the row's figures: its largest awards (their money), the resellers' awards
    behind its "via resellers" figure, its next decision's award and its vehicles; http(s) permalinks only."""
    cites = [(short_money(c["obligated"]), c["permalink"]) for c in row["citations"]]
    cites += [
        (f"via {c['reseller']['name']} {short_money(c['obligated'])}", c["permalink"])
        for c in row.get("reseller_citations") or []
    ]
    decision = row["next_decision"]
    if decision:
        cites.append((f"next decision {decision['date']}", decision["permalink"]))
    cites += [(f"vehicle {text(v['piid'])}", v["permalink"]) for v in (row.get("vehicles") or {}).get("rows", [])]
    return [(label, link) for label, link in cites if record_link(link)]


def citations_text(row: dict) -> str | None:
    """The permalinks behind the row's figures (`cited`), written out for the table and the files."""
    return "; ".join(f"{label}: {link}" for label, link in cited(row)) or None


def table_rows(answer: dict, links: bool = True) -> list[dict]:
    """One row per family under the fields of `columns`; `links`: the page's profile link for the family (the
    files write its name)."""
    out = []
    for r in answer["families"]:
        decision = r["next_decision"]
        out.append(
            {
                "rank": r["rank"],
                "id": r["id"],
                "score": r["score"],
                "family": vendor_url(r["id"], r["name"]) if links else r["name"],
                "levers": levers_text(r["levers"]),
                "obligated": r["obligated"] if r["members"] else None,
                "through_resellers": r["through_resellers"],
                "recent_money": r["recent_money"],
                "dependence": r["dependence"],
                "renewal_pressure": r["renewal_pressure"] if r["renewal_awards"] else None,
                "next_decision": decision_text(decision),
                "options": r["options"],
                "awards": r["awards"],
                "categories": categories_text(r["categories"]),
                "vehicles": vehicles_text(r.get("vehicles")),
                "why": r["why"],
                "citations": citations_text(r),
            }
        )
    return out


def answer_line(answer: dict) -> str:
    """The page's answer in one sentence (markdown-escaped): who to press first and why, in the chosen sector."""
    families, agency = answer["families"], answer["agency"]
    short = agency.get("abbreviation") or agency["name"]
    sector = answer["sector"]["name"].split(" (")[0]
    within = "Across all purchases" if answer["sector"]["categories"] is None else f"In the {sector}"
    if not families:
        return md(f"{within}, {short} has no vendor family in the loaded data.")
    top = families[:3]
    lead = top[0]
    basis = "sales through resellers" if lead["exposure_basis"] == "through resellers" else "own obligations"
    rest = ", then " + " and ".join(r["name"] for r in top[1:]) if len(top) > 1 else ""
    return md(
        f"{within}, a campaign on {short} would press {lead['name']} first "
        f"({short_money(lead['exposure'])} in {basis}, score {lead['score']:.2f}){rest}: "
        f"{len(families):,} vendor families ranked, {len(answer['lacking_profile']):,} of them without a "
        "measured dependence."
    )


def why_line(row: dict) -> str:
    """The row's sentence with its figures' citations: the money links to the family's largest awards, the sales
    through resellers to the resellers' awards, the vehicles to theirs."""
    cites = [f"[{md(label)}]({record_link(link)})" for label, link in cited(row)]
    return f"- {md(row['why'])}" + (f" Cited: {', '.join(cites)}." if cites else "")


def period_end(award: dict) -> str | None:
    """When the award's period of performance ends now: its current end date, else its potential one (the
    store's `agency_renewals` places awards by it; tests/test_store_queries.py checks that)."""
    return award.get("end_date") or award.get("potential_end_date")
