"""A one-page brief on a vendor family, as plain data: what an organizer hands out, whatever the format.

`assemble` reads only the store's read API (`vendor_family`, `coverage`, `loaded_coverage`, `award_actions`,
`subawards_under`, `entities`, `runs`, and `fetch_agency_chain` to name an office's sub-agency) and returns a
dict that `graph.reports.brief_render` turns into Markdown, HTML or PDF. Money is Decimal: the store keeps whole cents and
its answers give them as `cents / 100` floats, whose repr is exactly the two-decimal figure (below 2**53 cents),
so `Decimal(repr(x))` is the store's figure to the cent, never a float rounding.

The answer comes first (`headline`), then the yearly chart over the whole span of the store with its gaps
(`chart`, from `core.coverage.chart_years`), and what the figure leaves out goes to the foot (`coverage.notes`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import PurePath
from typing import TYPE_CHECKING

from core.coverage import NOT_LOADED, chart_years
from core.keys import permalink
from core.wording import count, description, money, short_money, year_runs, years
from graph.questions import vehicles

if TYPE_CHECKING:
    from graph.questions.queries import Queries

CENT = Decimal("0.01")
TOP_AWARDS = 12  # the PDF shows as many as fit; md and html show brief_render.AWARDS
RENEWALS = 4
FACT_TEXT = 150  # characters of a description quoted in a fact
LEAVES_OUT = (
    "Contract ceilings (current and potential value) are never added in; an amount not reported is not "
    "zero; sales of its products through other vendors are not counted."
)
NOT_IN_STORE = "State and local purchases are not in this store."
CAVEATS = (
    "A parent company comes from the records (self-reported) or from the curated data/vendor_families.csv "
    "with its source."
)
PARTIES = 3  # subcontractors or primes named


def dollars(value: float | None) -> Decimal | None:
    """The store's figure to the cent (see the module docstring); None stays None (not reported)."""
    return None if value is None else Decimal(repr(value)).quantize(CENT)


def assemble(
    ask: Queries,
    name: str,
    today: date | None = None,
    now: datetime | None = None,
    family: dict | None = None,
    coverage: dict | None = None,
    grid: dict | None = None,
    categories: tuple[str, ...] | None = None,
) -> dict:
    """The brief of the family `name` resolves to (NotFound / Ambiguous as `vendor_family` raises them).
    `today` decides which end dates are upcoming; `now` is the generation time (both default to now). `family`,
    `coverage` and `grid`: the store's `vendor_family(name)`, `loaded_coverage()` and `coverage(within=the
    family's agencies)` when the caller has them already. `categories`: only those sectors' money (the brief says
    which); how much of its money from each agency is technology is said either way."""
    now = now or datetime.now(timezone.utc)
    today = today or now.date()
    family = family or ask.vendor_family(name, categories=categories)
    within = [a["id"] for a in family["agencies"]]
    grid = grid or ask.coverage(within=within if within else None)
    abbreviations = _agency_labels(ask, family["awards"])
    members = [family, *family["subsidiaries"]]
    fiscal = [y["fiscal_year"] for y in family["yearly"]]
    awards = family["awards"]
    rows = [_award(a, abbreviations) for a in awards]
    upcoming = sorted(
        (r for r in rows if r["end"] and r["end"] >= today.isoformat()), key=lambda r: (r["end"], r["key"])
    )
    ended = sorted((r for r in rows if r["end"]), key=lambda r: (r["end"], r["key"]))
    actions = _actions(ask, awards, family)
    runs = ask.store.runs()
    loaded = coverage or ask.loaded_coverage()
    brief = {
        "name": family["name"],
        "id": family["id"],
        "top_parent": family["parent"] or family["name"],
        "ueis": sorted({m["uei"] for m in members if m.get("uei")}),
        "duns": sorted({m["duns"] for m in members if m.get("duns")}),
        "subsidiaries": [
            {
                "name": s["name"],
                "id": s["id"],
                "uei": s["uei"],
                "duns": s["duns"],
                "obligated": dollars(s["total_obligated"]),
                "awards": s["award_count"],
            }
            for s in family["subsidiaries"]
        ],
        "total": dollars(family["total_obligated"]),
        "award_count": family["award_count"],
        "fy_first": min(fiscal, default=None),
        "fy_last": max(fiscal, default=None),
        "not_split": dollars(family["not_split_by_year"]["obligated"]),
        "yearly": [{"fiscal_year": y["fiscal_year"], "obligated": dollars(y["obligated"])} for y in family["yearly"]],
        "chart": [
            {**row, "obligated": dollars(row["obligated"])} for row in chart_years(family["yearly"], grid["years"])
        ]
        if awards
        else [],
        "nothing": _nothing(family, actions),
        "subawards": {
            "as_prime": _subawards(ask.subawards_under([a["key"] for a in awards]), "sub_recipient"),
            "as_sub": _subawards(family["subawards_received"], "prime_recipient"),
        },
        "caveats": CAVEATS,
        "agencies": [
            {
                "name": a["name"],
                "abbreviation": abbreviations.get(a["id"]),
                "code": a["code"],
                "obligated": dollars(a["total_obligated"]),
                "awards": a["award_count"],
            }
            for a in family["agencies"]
        ],
        "values": [
            {"label": label, "amount": dollars(family[f"total_{figure}"]), "reporting": family[f"{figure}_awards"]}
            for figure, label in (("current_value", "current value"), ("potential_value", "potential value"))
        ],
        "through_others": {
            "label": family["through_others"]["label"],
            "obligated": dollars(family["through_others"]["obligated"]),
            "actions": family["through_others"]["actions"],
            "resellers": len(family["through_others"]["resellers"]),
        },
        "basis": family["obligated_basis"],
        "leaves_out": LEAVES_OUT,
        "coverage": {
            **_coverage(loaded, abbreviations),
            "line": grid["line"],
            "notes": grid["notes"],
            "span": grid["span"],
            "gaps": _gaps(grid["years"], min(fiscal, default=None), max(fiscal, default=None)),
        },
        "awards": rows[:TOP_AWARDS],
        "award_total": len(awards),
        "renewals": upcoming[:RENEWALS],
        "renewal_total": len(upcoming),
        "dated": len(ended),
        "last_end": ended[-1] if ended else None,
        "today": today.isoformat(),
        "sources": [
            {"file": file, "awards": n}
            for file, n in sorted(Counter(PurePath(a["source"]).name for a in awards if a["source"]).items())
        ],
        "generated": now.isoformat(timespec="seconds"),
        "store": {"kind": ask.store.kind, "loads": len(runs), "loaded_at": runs[-1]["loaded_at"] if runs else None},
    }
    brief["facts"] = facts(brief, family, rows, actions)
    brief["sector"] = family.get("sector") or {}
    brief["technology"] = _technology(ask, family, abbreviations)
    held = vehicles.family_vehicles(
        ask.store, family["id"]
    )  # open ceilings, apart from the money (graph/questions/vehicles.py)
    brief["vehicles"] = {"rows": held, "line": vehicles.sentence(held)}
    return brief


def _technology(ask: Queries, family: dict, abbreviations: dict) -> list[dict]:
    """Per agency the family sold to: its money from it, and how much of that is technology, by category (all its
    purchases: a brief limited to a sector still says what share that sector is)."""
    labels = {e["id"]: e.get("abbreviation") for e in ask.entities() if e["kind"] == "Agency"}
    return [
        {
            "agency": labels.get(share["agency"]["id"]) or share["agency"]["name"] or share["agency"]["id"],
            "total": dollars(share["total"]),
            "technology": dollars(share["obligated"]),
            "by_category": [{"label": c["label"], "obligated": dollars(c["obligated"])} for c in share["by_category"]],
        }
        for share in ask.family_technology(family["id"])
    ]


def _agency_labels(ask: Queries, awards: list[dict]) -> dict[str, str | None]:
    """Agency id -> its abbreviation (ICE, CBP); an office reads as the sub-agency above it, so every award
    names the agency a reader knows."""
    labels = {e["id"]: e.get("abbreviation") for e in ask.entities() if e["kind"] == "Agency"}
    offices = sorted(
        {
            a["awarding_agency"]["id"]
            for a in awards
            if a["awarding_agency"] and a["awarding_agency"]["tier"] == "office"
        }
    )
    parents = {row["id"]: row["parent"] for row in ask.store.fetch_agency_chain(offices)} if offices else {}
    for office in offices:
        labels[office] = labels.get(office) or labels.get(parents.get(office))
    return labels


def dates(award: dict) -> tuple[str | None, str | None, str | None, str | None]:
    """(start, which start, end, which end) of an award as a row prints them. Start: the period-of-performance
    start when the record has it, else the base award's date, else the first loaded action. End: the current end
    of performance, else the potential end. A pair whose end falls before its start is passed over for the next
    (a close-out modification can report a start years after the end), so no row ends before it starts."""
    starts = [
        (day, which)
        for day, which in (
            (award.get("start_date"), "start"),
            (award.get("base_date"), "base award"),
            (award.get("first_action"), "first action"),
        )
        if day
    ]
    ends = [
        (day, which)
        for day, which in ((award.get("end_date"), "current"), (award.get("potential_end_date"), "potential"))
        if day
    ]
    for start, start_kind in starts or [(None, None)]:
        for end, end_kind in ends:
            if start is None or end >= start:
                return start, start_kind, end, end_kind
    start, start_kind = starts[0] if starts else (None, None)
    return start, start_kind, None, ("before its start as reported" if ends else None)


def _award(award: dict, abbreviations: dict) -> dict:
    agency = award["awarding_agency"] or {}
    start, start_kind, end, end_kind = dates(award)
    return {
        "key": award["key"],
        "piid": award["piid"],
        "agency": abbreviations.get(agency.get("id")) or agency.get("name"),
        "description": award["description"],
        "obligated": dollars(award.get("family_obligated", award["obligated"])),
        "start": start,
        "start_kind": start_kind,
        "end": end,
        "end_kind": end_kind,
        "first_action": award.get("first_action"),
        "last_action": award.get("last_action"),
        "fy_first": award.get("fy_first"),
        "fy_last": award.get("fy_last"),
        "actions": award.get("tx_count"),
        "permalink": permalink(award["key"]),
        "source": PurePath(award["source"]).name if award["source"] else None,
        "record": award["record"],
    }


def _actions(ask: Queries, awards: list[dict], family: dict) -> dict[str, list[dict]]:
    """The actions a fact quotes: those of the awards with the latest and earliest action, or of every award when
    the family's money nets to zero (to tell $0 modifications from actions that cancel out)."""
    if not awards:
        return {}
    if not family["total_obligated"]:
        keys = [a["key"] for a in awards]
    else:
        keys = sorted(
            {
                max(awards, key=lambda a: (a["last_action"] or "", a["key"]))["key"],
                min(awards, key=lambda a: (a["first_action"] or "9999", a["key"]))["key"],
            }
        )
    return ask.award_actions(keys)


def _nothing(family: dict, actions: dict[str, list[dict]]) -> str | None:
    """Which nothing the total is, if it is one: "no_awards" (no federal award in the loaded data),
    "zero_modifications" (every loaded action a $0 modification: the obligations lie outside the loaded years),
    "zero_net" (actions that add up to zero), else None."""
    if not family["awards"]:
        return "no_awards"
    if family["total_obligated"]:
        return None
    every = [a for rows in actions.values() for a in rows]
    if every and all(not a["cents"] and (a.get("modification") or "0") not in ("0", "") for a in every):
        return "zero_modifications"
    return "zero_net"


def _gaps(year_rows: list[dict], first: int | None, last: int | None) -> str:
    """The years not loaded inside the family's span of years (the whole store's span when it has none)."""
    inside = [
        y["fiscal_year"]
        for y in year_rows
        if y["status"] == NOT_LOADED and (first is None or first <= y["fiscal_year"] <= last)
    ]
    return year_runs(inside) if inside and first is not None else ""


def _subawards(rows: list[dict], party: str) -> dict:
    """Subawards in one direction: how many, their reported amount, and the other parties, largest first."""
    by_party: dict[str, Decimal] = {}
    for row in rows:
        name = row[party] or "name not reported"
        by_party[name] = by_party.get(name, Decimal(0)) + (dollars(row["amount"]) or Decimal(0))
    reported = [dollars(row["amount"]) for row in rows if row["amount"] is not None]
    ranked = sorted(by_party, key=lambda name: (-by_party[name], name))
    return {
        "count": len(rows),
        "amount": sum(reported, Decimal(0)) if reported else None,
        "not_reported": len(rows) - len(reported),
        "parties": ranked[:PARTIES],
        "others": max(len(ranked) - PARTIES, 0),
    }


def _coverage(loaded: dict, abbreviations: dict) -> dict:
    return {
        "agencies": [
            abbreviations.get(a["id"]) or a.get("abbreviation") or a["name"] or a["id"] for a in loaded["agencies"]
        ],
        "fy_min": loaded["fy_min"],
        "fy_max": loaded["fy_max"],
        "note": NOT_IN_STORE,
        "award_count": loaded.get("award_count", 0),
        "dated_awards": loaded.get("dated_awards", 0),
    }


# -- three sourced facts ----------------------------------------------------------------------------------
def _where(row: dict) -> str:
    return " ".join(p for p in (PurePath(row["source"]).name if row.get("source") else None, row.get("record")) if p)


def _fact(text: str, source: str, link: str | None = None) -> dict:
    return {"text": ended(text), "source": source or "not reported", "link": link}


def ended(text: str) -> str:
    """A sentence with one full stop: none added after a quoted one, an ellipsis or "Inc."."""
    text = text.rstrip()
    while text.endswith(".."):
        text = text[:-1]
    return text if text.endswith((".", "…", "!", "?")) else text + "."


def _change(action: dict) -> str:
    number = action.get("modification")
    return "the base award" if number in (None, "", "0") else f"modification {number}"


def facts(brief: dict, family: dict, rows: list[dict], actions: dict[str, list[dict]]) -> list[dict]:
    """Three facts a reader can check, each with the file and line (or curated source) it comes from: the largest
    award, the latest loaded action, and a family tie (else the first loaded action)."""
    if not rows:
        return []
    found = []
    every = sorted((a for acts in actions.values() for a in acts), key=lambda a: (a["action_date"] or "", a["key"]))
    piids = {r["key"]: r for r in rows}
    if brief["nothing"] == "zero_modifications":
        first = every[0]
        found.append(
            _fact(
                f"All {count(len(every), 'loaded action')} on its {count(len(rows), 'award')} are $0 "
                f"modifications, dated {years(brief['fy_first'], brief['fy_last'])}; e.g. "
                f"{_change(first)} of {piids[first['award_key']]['piid']} on {first['action_date']}: "
                f"{description(piids[first['award_key']]['description'], FACT_TEXT)}",
                _where(first),
                piids[first["award_key"]]["permalink"],
            )
        )
    else:
        top = rows[0]
        found.append(
            _fact(
                f"Largest award: {top['piid'] or top['key']} ({top['agency'] or 'agency not reported'}), "
                f"{money(top['obligated'])} over {count(top['actions'], 'loaded action')}, "
                f"{years(top['fy_first'], top['fy_last'])}: {description(top['description'], FACT_TEXT)}",
                _where(top),
                top["permalink"],
            )
        )
    if every:
        last = every[-1]
        award = piids.get(last["award_key"], {})
        found.append(
            _fact(
                f"Latest loaded action: {last['action_date']}, {_change(last)} of "
                f"{award.get('piid') or last['award_key']} ({award.get('agency') or 'agency not reported'}), "
                f"{money(dollars(last['obligated']))}.",
                _where(last),
                award.get("permalink"),
            )
        )
    tie = _tie(family)
    if tie:
        found.append(tie)
    elif every and every[0] is not every[-1] and brief["nothing"] != "zero_modifications":
        first = every[0]
        award = piids.get(first["award_key"], {})
        found.append(
            _fact(
                f"First loaded action: {first['action_date']}, {_change(first)} of "
                f"{award.get('piid') or first['award_key']}, {money(dollars(first['obligated']))}.",
                _where(first),
                award.get("permalink"),
            )
        )
    return found[:3]


def _tie(family: dict) -> dict | None:
    """The largest subsidiary's tie to the family as its source states it (a curated note, else the record)."""
    for member in sorted(family["subsidiaries"], key=lambda s: (-(s["total_obligated"] or 0), s["id"])):
        told = [p for p in member.get("parents_reported") or [] if "same company" not in (p.get("relation") or "")]
        curated = next((p for p in told if p["basis"] == "curated" and p.get("note")), None)
        record = next((p for p in told if p["basis"] == "record"), None)
        if curated:
            return _fact(
                f"{member['name']} ({short_money(dollars(member['total_obligated']))} in "
                f"{count(member['award_count'], 'award')}) belongs to {family['name']}: {curated['note']}",
                curated["source"],
            )
        if record:
            return _fact(
                f"{member['name']} reports {record['parent']} as its parent "
                f"({record['first_reported'] or 'date not reported'}).",
                _where(record),
                record.get("permalink"),
            )
    return None
