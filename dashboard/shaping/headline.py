"""Each profile's answer in one sentence, before any caveat: what a reporter would quote, with the years it
spans and the gaps inside them named in the same sentence, so the quote cannot outrun the data."""

from __future__ import annotations

from core.categories import label
from core.coverage import NOT_LOADED
from core.wording import NO_FEDERAL_AWARDS, count, short_money, year_runs


def _gaps(coverage: dict, first: int, last: int) -> str:
    missing = [
        y["fiscal_year"]
        for y in coverage.get("years", [])
        if y["status"] == NOT_LOADED and first <= y["fiscal_year"] <= last
    ]
    return f" ({year_runs(missing)} not loaded)" if missing else ""


def _span(yearly: list[dict], coverage: dict) -> str:
    held = [y["fiscal_year"] for y in yearly if y.get("obligated") is not None]
    if not held:
        return ""
    first, last = min(held), max(held)
    return (f", FY{first}" if first == last else f", FY{first}–FY{last}") + _gaps(coverage, first, last)


def agency_names(agencies: list[dict], coverage: dict) -> str:
    """ "ICE", "ICE and CBP", "ICE, CBP and 3 more agencies": the agencies by their usual abbreviation."""
    short = {c["agency"]: c.get("abbreviation") for c in coverage.get("cells", [])}
    names = [short.get(a["id"]) or a.get("name") or a["id"] for a in agencies]
    if len(names) <= 2:
        return " and ".join(names)
    if len(names) == 3:
        return f"{names[0]}, {names[1]} and {names[2]}"
    return f"{names[0]}, {names[1]} and {len(names) - 2} more agencies"


def zero_modifications(family: dict, actions: dict[str, list[dict]]) -> bool:
    """Every loaded action of every award is a $0 modification: what bought the awards lies outside the loaded
    years (Venntel's six awards hold only $0 modifications of FY2021–26)."""
    rows = [a for key in (aw["key"] for aw in family["awards"]) for a in actions.get(key, [])]
    return bool(rows) and all((a.get("obligated") or 0) == 0 for a in rows)


def _sector(answer: dict) -> str:
    """ " in the technology lens" (or the chosen categories) when an answer covers only some sectors, else ""."""
    scope = answer.get("sector") or {}
    if not scope.get("leaves_out"):
        return ""
    return (
        " in the technology lens"
        if scope["sector"] == "technology"
        else (" in " + ", ".join(label(c) for c in scope["categories"]))
    )


def vendor(family: dict, coverage: dict, actions: dict[str, list[dict]] | None = None) -> str:
    name = family["name"]
    if not family["award_count"]:
        return (
            f"{name}: no federal awards{_sector(family)} in the loaded data."
            if _sector(family)
            else f"{name}: {NO_FEDERAL_AWARDS}."
        )
    if family["total_obligated"] == 0 and actions is not None and zero_modifications(family, actions):
        return (
            f"{name}: $0 net in the loaded actions: its {count(family['award_count'], 'award')} hold only $0 "
            f"modifications; the obligations that bought them fall in years not loaded."
        )
    agencies = agency_names(sorted(family["agencies"], key=lambda a: -(a.get("total_obligated") or 0)), coverage)
    return (
        f"{name}: {short_money(family['total_obligated'])} obligated{_sector(family)}"
        + (f" by {agencies}" if agencies else "")
        + f" in {count(family['award_count'], 'award')}{_span(family.get('yearly') or [], coverage)}."
    )


def agency(profile: dict, coverage: dict) -> str:
    label = profile.get("abbreviation") or profile["name"]
    if not profile["award_count"]:
        return f"{label}: no award it made{_sector(profile)} is in the loaded data."
    vendors = len(profile.get("vendors") or [])
    return (
        f"{label} obligated {short_money(profile['total_obligated'])}{_sector(profile)} in "
        f"{count(profile['award_count'], 'award')}"
        + (f" to {count(vendors, 'vendor')}" if vendors else "")
        + f"{_span(profile.get('yearly') or [], coverage)}."
    )
